//! The speedup curve: measured times on 1, 2, … workers against the ideal and Amdahl's law,
//! drawn in the page ([`crate::markup::speedup_chart`]) whenever a point is measured or the
//! serial part changes.

use leptos::prelude::*;

use super::results::ChartWidth;
use crate::chart::speedup::CurvePoint;
use crate::markup;

/// The chart with its legend, summary and table, once there is a point to draw.
#[component]
pub(crate) fn SpeedupChart(
    /// The measured points, one per worker count.
    #[prop(into)]
    points: Signal<Vec<CurvePoint>>,
    /// Amdahl's serial fraction, 0 to 1.
    serial: Signal<f64>,
    /// The cores this browser reports.
    cores: u32,
) -> impl IntoView {
    let width = ChartWidth::from_context();
    let html = Memo::new(move |_| {
        points.with(|p| {
            if p.is_empty() {
                String::new()
            } else {
                markup::speedup_chart(p, serial.get(), cores, width.get())
            }
        })
    });
    // How many points the drawing has: a reader, and a test, can tell a curve still being
    // measured from the finished one.
    let shown = move || points.with(Vec::len).to_string();
    view! {
        <p class="predicted" data-testid="speedup-empty" hidden=move || points.with(|p| !p.is_empty())>
            "No curve measured yet."
        </p>
        <div class="speedup-curve" data-points=shown inner_html=html></div>
    }
}
