//! Repeated runs: a progress bar while the scenario runs R times after a warm-up, then a table
//! in the style of BenchmarkDotNet (Mean, StdDev, Median, Min, Max, Ratio, RatioSD, resources),
//! written in the page ([`crate::markup::repeat_table`]) with its Markdown ready for "Copy as
//! Markdown" (the clipboard takes a text only close to the click).

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::url;
use crate::markup;
use crate::trace::repeat::RepeatTable;

/// Progress of a repeated run: runs done and runs in all (the warm-up included).
pub(crate) type RepeatProgress = Option<(u32, u32)>;

/// The repeated-runs card: progress while repeating, the table once done.
#[component]
pub(crate) fn RepeatPanel(
    /// Runs done and runs in all while a repeated run is in flight.
    #[prop(into)]
    progress: Signal<RepeatProgress>,
    /// The table of the last repeated run.
    #[prop(into)]
    table: Signal<Option<RepeatTable>>,
) -> impl IntoView {
    // What the last copy said, and the Markdown it was about: a new table shows no old status.
    let status = RwSignal::new((String::new(), String::new()));
    let html = Memo::new(move |_| {
        table.with(|t| t.as_ref().map(markup::repeat_table).unwrap_or_default())
    });
    let markdown = Memo::new(move |_| table.with(|t| t.as_ref().map(RepeatTable::markdown)));
    let said = move || {
        status.with(|(about, said)| {
            if markdown.with(|m| m.as_deref() == Some(about.as_str())) {
                said.clone()
            } else {
                String::new()
            }
        })
    };
    let copy = move |_| {
        let Some(md) = markdown.get_untracked() else {
            return;
        };
        spawn_local(async move {
            let said = match url::copy(&md).await {
                Ok(()) => "Table copied as Markdown.".to_string(),
                Err(e) => format!("Could not copy ({e})."),
            };
            status.set((md, said));
        });
    };
    view! {
        <section
            class="card repeat"
            data-testid="repeat"
            aria-labelledby="repeat-title"
            hidden=move || progress.with(Option::is_none) && table.with(Option::is_none)
        >
            <h2 id="repeat-title">"Repeated runs"</h2>
            <div inner_html=move || {
                progress
                    .get()
                    .map(|(done, total)| markup::repeat_progress(done, total))
                    .unwrap_or_default()
            }></div>
            <div inner_html=html></div>
            <div class="actions" hidden=move || markdown.with(Option::is_none)>
                <button data-testid="repeat-markdown" on:click=copy>
                    "Copy as Markdown"
                </button>
                <span class="share-status" role="status">
                    {said}
                </span>
            </div>
        </section>
    }
}
