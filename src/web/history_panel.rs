//! This browser's recent runs (kept in localStorage), newest first, each a link back to its
//! scenario; and the note when stored data had to be dropped.

use leptos::prelude::*;

use super::storage;
use crate::markup;
use crate::trace::history::History;

/// The "Your recent runs" card.
#[component]
pub(crate) fn HistoryPanel(
    /// The runs kept in this browser.
    history: RwSignal<History>,
    /// What could not be read or saved, if anything.
    note: RwSignal<Option<String>>,
    /// Hides the card (in an embed).
    hidden: Signal<bool>,
) -> impl IntoView {
    let now = RwSignal::new(js_sys::Date::now());
    view! {
        <details
            class="card history"
            data-testid="history"
            hidden=move || hidden.get()
            // Refresh the "… ago" words when opened.
            on:toggle=move |_| now.set(js_sys::Date::now())
        >
            <summary>
                {move || format!("Your recent runs in this browser ({})", history.with(|h| h.entries.len()))}
            </summary>
            {move || note.get().map(|n| view! { <p class="link-notes" data-testid="history-note" role="status">{n}</p> })}
            <ol
                class="history-list"
                reversed
                inner_html=move || history.with(|h| markup::history_list(h, now.get()))
            ></ol>
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
