//! Repeated runs: a progress bar while the scenario runs R times after a warm-up, then a table
//! in the style of BenchmarkDotNet (Mean, StdDev, Median, Min, Max, Ratio, RatioSD, resources).
//!
//! The page computes the statistics (the run history keeps the means); the table's HTML and
//! its Markdown are written by the on-demand worker ([`super::on_demand`]), as only readers
//! who repeat a run see them. Both are asked for as soon as the table is measured, so that
//! "Copy as Markdown" has its text at the click (the clipboard takes it only then).

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{on_demand, url};
use crate::markup;
use crate::on_demand::Request;
use crate::trace::repeat::RepeatTable;
use crate::units::fmt_ms;

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
    let html = RwSignal::new(String::new());
    let markdown = RwSignal::new(None::<String>);
    // The newest table: answers about older ones are dropped.
    let latest = StoredValue::new(0u32);
    Effect::new(move |_| {
        let id = latest.get_value().wrapping_add(1);
        latest.set_value(id);
        html.set(String::new());
        markdown.set(None);
        status.set(String::new());
        let Some(t) = table.get() else {
            return;
        };
        spawn_local(async move {
            let request = |markdown| Request::Repeat {
                table: t.clone(),
                markdown,
            };
            let table_html = on_demand::ask(&request(false)).await;
            let md = on_demand::ask(&request(true)).await;
            if latest.try_get_value() != Some(id) {
                return;
            }
            html.set(table_html.unwrap_or_else(|e| not_written(&t, &e)));
            markdown.set(md.ok());
        });
    });
    let copy = move |_| {
        let Some(md) = markdown.get_untracked() else {
            return;
        };
        spawn_local(async move {
            status.set(match url::copy(&md).await {
                Ok(()) => "Table copied as Markdown.".to_string(),
                Err(e) => format!("Could not copy ({e})."),
            });
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
                    {move || status.get()}
                </span>
            </div>
        </section>
    }
}

/// What the card says when the table cannot be written (`why`): each strategy's mean time, in
/// words, so that nothing measured is lost.
fn not_written(t: &RepeatTable, why: &str) -> String {
    let means: Vec<String> = t
        .rows
        .iter()
        .map(|r| match &r.time {
            Some(s) => format!("{} {} ms", r.name, fmt_ms(s.mean)),
            None => format!("{} did not finish", r.name),
        })
        .collect();
    markup::paragraph(
        "repeat-not-written",
        &format!(
            "The table could not be written ({why}). Mean times over {} run{}: {}.",
            t.runs,
            if t.runs == 1 { "" } else { "s" },
            means.join("; ")
        ),
    )
}
