//! Repeated runs: a progress bar while the scenario runs R times after a warm-up, then a table
//! in the style of BenchmarkDotNet (Mean, StdDev, Median, Min, Max, Ratio, RatioSD, resources).

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::url;
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
        <Show when=move || progress.with(Option::is_some) || table.with(Option::is_some)>
            <section class="card repeat" data-testid="repeat" aria-labelledby="repeat-title">
                <h2 id="repeat-title">"Repeated runs"</h2>
                {move || {
                    progress
                        .get()
                        .map(|(done, total)| {
                            let text = if done == 0 {
                                "Warm-up run (not counted)…".to_string()
                            } else {
                                format!("Run {} of {}…", done.min(total - 1), total - 1)
                            };
                            view! {
                                <label class="repeat-progress">
                                    <span>{text}</span>
                                    <progress
                                        data-testid="repeat-progress"
                                        max=total.to_string()
                                        value=done.to_string()
                                    ></progress>
                                </label>
                            }
                        })
                }}
                {move || {
                    table
                        .get()
                        .map(|t| {
                            let md = t.markdown();
                            view! {
                                <table class="numbers-table bdn" data-testid="repeat-table">
                                    <caption>{t.note()}</caption>
                                    <thead>
                                        <tr>
                                            {RepeatTable::HEADERS
                                                .iter()
                                                .map(|h| view! { <th scope="col">{*h}</th> })
                                                .collect_view()}
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {t
                                            .cells()
                                            .into_iter()
                                            .zip(t.rows.iter().map(|r| r.id.clone()))
                                            .map(|(cells, id)| {
                                                let [name, rest @ ..] = cells;
                                                view! {
                                                    <tr data-testid=format!("repeat-{id}")>
                                                        <th scope="row">{name}</th>
                                                        {rest.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
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
        </Show>
    }
}
