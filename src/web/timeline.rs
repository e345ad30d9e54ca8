//! Draws a computed timeline layout as SVG.

use leptos::prelude::*;

use crate::chart::TimelineLayout;
use crate::export::timeline_table;
use crate::trace::Trace;

pub(crate) fn px(v: f64) -> String {
    format!("{v:.1}")
}

/// Draws a computed [`TimelineLayout`]; no decisions here.
#[component]
pub(crate) fn Timeline(layout: TimelineLayout, label: String) -> impl IntoView {
    let title = label.clone();
    let (x0, x1) = layout.plot_x;
    let axis_y = layout.axis_y;
    let top_y = layout.top_y;
    let lane_label = |y: f64, text: String| {
        view! {
            <text class="lane-label" x=px(x0 - 6.0) y=px(y) text-anchor="end">
                {text}
            </text>
        }
    };
    let rect = |b: crate::chart::Bar| {
        view! {
            <rect
                class=format!("bar bar-{}", b.state.class())
                x=px(b.x)
                y=px(b.y)
                width=px(b.width)
                height=px(b.height)
                rx="2"
            >
                <title>{b.title}</title>
            </rect>
        }
    };
    let lanes = layout
        .lanes
        .into_iter()
        .map(|l| lane_label(l.y, l.text))
        .collect_view();
    let bars = layout.bars.into_iter().map(rect).collect_view();
    let lag = layout.lag_row.map(|(label, bars)| {
        view! {
            {lane_label(label.y, label.text)}
            {bars.into_iter().map(rect).collect_view()}
        }
    });
    let consumed = layout
        .consumed
        .into_iter()
        .map(|(x, y)| view! { <circle class="consumed" cx=px(x) cy=px(y) r="2.5" /> })
        .collect_view();
    let ticks = layout
        .ticks
        .into_iter()
        .map(|t| {
            view! {
                <line class="tick" x1=px(t.x) x2=px(t.x) y1=px(axis_y) y2=px(axis_y + 4.0) />
                <text class="tick-label" x=px(t.x) y=px(axis_y + 16.0) text-anchor="middle">
                    {t.label}
                </text>
            }
        })
        .collect_view();
    let label_left = layout.ideal_label_left;
    let ideal = layout.ideal_x.map(|x| {
        let (lx, anchor) = if label_left {
            (x - 4.0, "end")
        } else {
            (x + 4.0, "start")
        };
        view! {
            <line class="ideal" x1=px(x) x2=px(x) y1=px(top_y - 2.0) y2=px(axis_y) />
            <text class="marker-label ideal-label" x=px(lx) y=px(top_y - 4.0) text-anchor=anchor>
                "ideal"
            </text>
        }
    });
    let end = layout.resumed_x.map(|x| {
        view! { <line class="end" x1=px(x) x2=px(x) y1=px(top_y) y2=px(axis_y) /> }
    });
    view! {
        <svg
            class="timeline"
            data-export-chart=""
            viewBox=format!("0 0 {} {}", layout.width, px(layout.height))
            role="img"
            aria-label=label.clone()
        >
            <title>{title}</title>
            {lanes}
            {bars}
            {lag}
            {consumed}
            <line class="axis" x1=px(x0) x2=px(x1) y1=px(axis_y) y2=px(axis_y) />
            {ticks}
            <text class="axis-unit" x=px(x0 - 6.0) y=px(axis_y + 16.0) text-anchor="end">
                "ms"
            </text>
            {ideal}
            {end}
        </svg>
    }
}

/// The ids of the timeline tables the reader has opened (provided by the app).
#[derive(Clone, Copy, Default)]
pub(crate) struct OpenTables(pub(crate) RwSignal<std::collections::HashSet<String>>);

/// Most rows the text table shows; the CSV export has them all.
const TABLE_ROWS: usize = 200;

/// The timeline as a table: the same numbers for readers who cannot see the chart. Built only
/// when opened, so a live run does not redraw hundreds of rows every frame.
#[component]
pub(crate) fn TimelineTable(
    /// The trace drawn in the timeline beside it.
    trace: Trace,
    /// Test id prefix (the strategy id).
    id: String,
) -> impl IntoView {
    let tables = use_context::<OpenTables>().unwrap_or_default().0;
    let key = id.clone();
    let open = Memo::new(move |_| tables.with(|t| t.contains(&key)));
    let trace = StoredValue::new(trace);
    let testid = format!("table-{id}");
    view! {
        <details
            class="timeline-table"
            data-testid=testid
            prop:open=move || open.get()
            on:toggle=move |ev| {
                use wasm_bindgen::JsCast;
                let now = ev
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok())
                    .is_some_and(|d| d.open());
                if now != open.get_untracked() {
                    tables.update(|t| {
                        if now {
                            t.insert(id.clone());
                        } else {
                            t.remove(&id);
                        }
                    });
                }
            }
        >
            <summary>"Timeline as a table"</summary>
            {move || {
                open.get().then(|| {
                    let (rows, left_out) = trace.with_value(|t| timeline_table(t, TABLE_ROWS));
                    view! {
                        <table class="numbers-table">
                            <thead>
                                <tr>
                                    <th scope="col">"Task"</th>
                                    <th scope="col">"Lane"</th>
                                    <th scope="col">"Start"</th>
                                    <th scope="col">"End"</th>
                                    <th scope="col">"Took"</th>
                                    <th scope="col">"Outcome"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {rows
                                    .into_iter()
                                    .map(|r| {
                                        view! {
                                            <tr>
                                                <th scope="row">{r.task}</th>
                                                <td>{r.lane}</td>
                                                <td>{r.start}</td>
                                                <td>{r.end}</td>
                                                <td>{r.duration}</td>
                                                <td>{r.outcome}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                        {(left_out > 0)
                            .then(|| {
                                view! {
                                    <p class="resources">
                                        {format!(
                                            "{left_out} more rows are left out here; the CSV download has every row.",
                                        )}
                                    </p>
                                }
                            })}
                    }
                })
            }}
        </details>
    }
}
