//! Repeated runs: a progress bar while the scenario runs R times after a warm-up, then a table
//! in the style of BenchmarkDotNet (Mean, StdDev, Median, Min, Max, Ratio, RatioSD, resources).

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::url;
use crate::markup;
use crate::repeat::RepeatTable;

/// Progress of a repeated run: runs done and runs in all (the warm-up included).
pub(crate) type RepeatProgress = Option<(u32, u32)>;

/// The repeated-runs card: progress while repeating, the table once done.
#[component]
pub(crate) fn RepeatPanel(
    /// Runs done and runs in all while a repeated run is in flight.
    progress: RwSignal<RepeatProgress>,
    /// The table of the last repeated run.
    table: RwSignal<Option<RepeatTable>>,
) -> impl IntoView {
    let status = RwSignal::new(String::new());
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
            {move || {
                table
                    .get()
                    .map(|t| {
                        let md = t.markdown();
                        view! {
                            <div inner_html=markup::repeat_table(&t)></div>
                            <div class="actions">
                                <button
                                    data-testid="repeat-markdown"
                                    on:click=move |_| {
                                        let md = md.clone();
                                        spawn_local(async move {
                                            status.set(match url::copy(&md).await {
                                                Ok(()) => "Table copied as Markdown.".to_string(),
                                                Err(e) => format!("Could not copy ({e})."),
                                            });
                                        });
                                    }
                                >
                                    "Copy as Markdown"
                                </button>
                                <span class="share-status" role="status">{move || status.get()}</span>
                            </div>
                        }
                    })
            }}
        </section>
    }
}
