//! This browser's recent runs (kept in localStorage), newest first, each a link back to its
//! scenario; and the note when stored data had to be dropped.

use leptos::prelude::*;

use super::storage;
use crate::history::{ago, History};
use crate::predict::fmt_ms;

/// The "Your recent runs" card.
#[component]
pub(crate) fn HistoryPanel(
    /// The runs kept in this browser.
    history: RwSignal<History>,
    /// What could not be read or saved, if anything.
    note: RwSignal<Option<String>>,
) -> impl IntoView {
    let now = RwSignal::new(js_sys::Date::now());
    view! {
        <details
            class="card history"
            data-testid="history"
            // Refresh the "… ago" words when opened.
            on:toggle=move |_| now.set(js_sys::Date::now())
        >
            <summary>
                {move || format!("Your recent runs in this browser ({})", history.with(|h| h.entries.len()))}
            </summary>
            {move || note.get().map(|n| view! { <p class="link-notes" data-testid="history-note" role="status">{n}</p> })}
            <ol class="history-list" reversed>
                {move || {
                    let now = now.get();
                    history.with(|h| {
                        h.entries
                            .iter()
                            .rev()
                            .map(|e| {
                                let rows = e
                                    .rows
                                    .iter()
                                    .map(|r| {
                                        format!(
                                            "{} {}",
                                            r.name,
                                            r.measured_ms.map(|m| format!("{} ms", fmt_ms(m))).unwrap_or_else(|| "—".into())
                                        )
                                    })
                                    .collect::<Vec<_>>()
                                    .join(" · ");
                                let runs = (e.runs > 1).then(|| format!(" (mean of {} runs)", e.runs));
                                view! {
                                    <li>
                                        <a href=format!("#{}", e.link.trim_start_matches('#'))>{e.title.clone()}</a>
                                        {format!(", {}{}: ", ago(now, e.at_ms), runs.unwrap_or_default())}
                                        <span class="resources">{rows}</span>
                                    </li>
                                }
                            })
                            .collect_view()
                    })
                }}
            </ol>
            <button
                data-testid="history-clear"
                prop:disabled=move || history.with(|h| h.entries.is_empty())
                on:click=move |_| {
                    history.update(History::clear);
                    note.set(storage::save(&history.get_untracked()).err());
                }
            >
                "Clear history"
            </button>
        </details>
    }
}
