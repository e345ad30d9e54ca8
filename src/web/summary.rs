//! The summary of a finished run: the comparison chart (measured totals with the ideal marked),
//! the same numbers as a table, the exports for tutorial authors, and how the run compares with
//! this browser's previous run of the scenario.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::results::ChartWidth;
use super::{download, on_demand, url};
use crate::chart::comparison::{comparison, ComparisonInput, ComparisonOptions};
use crate::markup;
use crate::on_demand::Request;
use crate::trace::export::{self, ExportLane, SummaryRow};
use crate::trace::report::against_baseline;
use crate::trace::results::ResultLine;
use crate::trace::session::baseline_index;

/// Where an export's text goes once the on-demand worker has written it.
enum Save {
    /// A download called `name`, of type `mime`.
    File { name: String, mime: &'static str },
    /// An SVG file drawn as a PNG download called `name`.
    Png { name: String },
}

impl Save {
    async fn save(self, text: String) -> Result<(), String> {
        match self {
            Save::File { name, mime } => download::save_text(&name, mime, &text),
            Save::Png { name } => download::save_blob(&name, &download::svg_to_png(&text).await?),
        }
    }
}

/// The summary rows (first line = baseline) shared by the table and the Markdown export.
pub(crate) fn summary_rows(lines: &[ResultLine], baseline: usize) -> Vec<SummaryRow> {
    let base = lines.get(baseline).and_then(|l| l.measured_ms);
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| SummaryRow {
            id: l.id.clone(),
            name: l.name.clone(),
            measured_ms: l.measured_ms,
            ideal_ms: l.ideal_ms,
            vs_baseline: against_baseline(i == baseline, base, l.measured_ms),
        })
        .collect()
}

/// The summary card. Shown once a run has ended with at least one line.
#[component]
pub(crate) fn Summary(
    /// The finished run's lines (empty while running).
    #[prop(into)]
    lines: Signal<Vec<ResultLine>>,
    /// The experiment's id and title, for file names and the Markdown heading.
    experiment: Signal<(String, String)>,
    /// A link that reopens this scenario.
    #[prop(into)]
    link: Signal<String>,
    /// Sentences comparing this run with the previous one of the same scenario.
    #[prop(into)]
    history_compare: Signal<Vec<String>>,
    /// Set when the tab was hidden during the run (timers throttled).
    #[prop(into)]
    unreliable: Signal<bool>,
) -> impl IntoView {
    let rows = Memo::new(move |_| lines.with(|l| summary_rows(l, baseline_index(l))));
    let width = ChartWidth::from_context();
    let chart = Memo::new(move |_| {
        let opts = ComparisonOptions {
            width: crate::chart::fit_width(width.get()),
            ..ComparisonOptions::default()
        };
        lines.with(|ls| {
            // The chart's first bar is the baseline.
            let b = baseline_index(ls);
            // Empty before the first run (the card is hidden then): no bars.
            let mut order: Vec<&ResultLine> = ls.get(b).into_iter().collect();
            order.extend(
                ls.iter()
                    .enumerate()
                    .filter(|(i, _)| *i != b)
                    .map(|(_, l)| l),
            );
            let input: Vec<ComparisonInput> = order
                .into_iter()
                .map(|l| ComparisonInput {
                    name: l.name.clone(),
                    measured_ms: l.measured_ms,
                    ideal_ms: l.ideal_ms,
                })
                .collect();
            comparison(&input, &opts)
        })
    });
    view! {
        <section
            class="card summary"
            data-testid="summary"
            aria-labelledby="summary-title"
            hidden=move || lines.with(Vec::is_empty)
        >
            <h2 id="summary-title">"Measured against ideal"</h2>
            <p hidden=move || !unreliable.get() class="unreliable" data-testid="unreliable" role="alert">
                "This tab was in the background during the run. Browsers throttle timers in hidden tabs (to about once a second, or less), so these times are not reliable: run again with the tab in front."
            </p>
            <div inner_html=move || chart.with(markup::comparison_svg)></div>
            <table class="numbers-table" data-testid="summary-table">
                <caption>"The chart's numbers"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Way"</th>
                        <th scope="col">"Measured"</th>
                        <th scope="col">"Ideal"</th>
                        <th scope="col">"Compared with the baseline"</th>
                    </tr>
                </thead>
                <tbody inner_html=move || rows.with(|r| markup::summary_table(r))>
                </tbody>
            </table>
            <ul
                class="history-compare"
                data-testid="history-compare"
                inner_html=move || history_compare.with(|c| markup::list_items(c))
            ></ul>
            <Exports lines=lines experiment=experiment link=link rows=rows />
        </section>
    }
}

/// The summary's export buttons and their status line: the Markdown table is written here (at
/// the click, as the clipboard wants); the CSV, JSON and SVG/PNG files by the on-demand worker.
#[component]
fn Exports(
    /// The finished run's lines.
    lines: Signal<Vec<ResultLine>>,
    /// The experiment's id and title, for file names and the Markdown heading.
    experiment: Signal<(String, String)>,
    /// A link that reopens this scenario.
    link: Signal<String>,
    /// The summary table's rows, as the Markdown table writes them.
    #[prop(into)]
    rows: Signal<Vec<SummaryRow>>,
) -> impl IntoView {
    let status = RwSignal::new(String::new());
    let file = move |what: &str, ext: &str| {
        experiment.with_untracked(|(id, _)| export::file_name(id, what, ext))
    };
    let report = move |r: Result<(), String>, what: &str| {
        status.set(match r {
            Ok(()) => format!("{what} ready."),
            Err(e) => format!("{what} failed: {e}."),
        })
    };
    // The CSV, JSON and SVG files are written by the on-demand worker (the first export loads it), so
    // those buttons wait: the status says so until the text is here.
    let copy_markdown = move |_| {
        // Written here, not by the on-demand worker: the clipboard takes it only while the
        // click that asked for it is still recent, so there must be no wait for a worker first.
        let text = export::summary_markdown(
            &experiment.with_untracked(|e| e.1.clone()),
            &link.get_untracked(),
            &rows.get_untracked(),
        );
        spawn_local(async move {
            status.set(match url::copy(&text).await {
                Ok(()) => "Markdown table copied.".to_string(),
                Err(e) => format!("Could not copy ({e}); here it is to select by hand:\n{text}"),
            });
        });
    };
    // The run's traces as the on-demand worker takes them, for the CSV and the JSON file.
    let export_lanes = move || {
        lines.with_untracked(|ls| {
            ls.iter()
                .map(|l| ExportLane {
                    id: l.id.clone(),
                    name: l.name.clone(),
                    ideal_ms: l.ideal_ms,
                    trace: l.trace.clone(),
                })
                .collect::<Vec<_>>()
        })
    };
    // Asks the worker for `request`'s text, then saves it; the status line says how it goes.
    let export_file = move |what: &'static str, request: Request, save: Save| {
        status.set(format!("Preparing the {what}…"));
        spawn_local(async move {
            let r = match on_demand::ask(&request).await {
                Ok(text) => save.save(text).await,
                Err(e) => Err(format!("{e}. The experiments are not affected")),
            };
            report(r, what);
        });
    };
    let save_csv = move |_| {
        let request = Request::Csv {
            lanes: export_lanes(),
        };
        let name = file("trace", "csv");
        export_file(
            "CSV",
            request,
            Save::File {
                name,
                mime: "text/csv",
            },
        );
    };
    let save_json = move |_| {
        let request = Request::TraceJson {
            experiment: experiment.with_untracked(|e| e.0.clone()),
            link: link.get_untracked(),
            lanes: export_lanes(),
        };
        let name = file("trace", "json");
        export_file(
            "JSON",
            request,
            Save::File {
                name,
                mime: "application/json",
            },
        );
    };
    // The charts as they are on screen now.
    let charts = move || Request::Svg {
        title: experiment.with_untracked(|e| e.1.clone()),
        parts: download::chart_parts("[data-export-chart]"),
    };
    let save_svg = move |_| {
        let name = file("chart", "svg");
        export_file(
            "SVG",
            charts(),
            Save::File {
                name,
                mime: "image/svg+xml",
            },
        );
    };
    let save_png = move |_| {
        let name = file("chart", "png");
        export_file("PNG", charts(), Save::Png { name });
    };
    view! {
        <div class="actions" role="group" aria-label="Export">
            <button data-testid="export-markdown" on:click=copy_markdown>"Copy as Markdown"</button>
            <button data-testid="export-csv" on:click=save_csv>"Trace as CSV"</button>
            <button data-testid="export-json" on:click=save_json>"Trace as JSON"</button>
            <button data-testid="export-svg" on:click=save_svg>"Charts as SVG"</button>
            <button data-testid="export-png" on:click=save_png>"Charts as PNG"</button>
            <span class="share-status" data-testid="export-status" role="status">{move || status.get()}</span>
        </div>
    }
}
