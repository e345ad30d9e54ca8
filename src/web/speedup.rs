//! The speedup curve: measured times on 1, 2, … workers against the ideal and Amdahl's law,
//! drawn by [`crate::markup::speedup_chart`] whenever a point is measured or the serial part
//! changes.

use leptos::prelude::*;

use crate::markup;
use crate::speedup_chart::CurvePoint;

/// The chart with its legend, summary and table.
#[component]
pub(crate) fn SpeedupChart(
    /// The measured points, one per worker count.
    points: RwSignal<Vec<CurvePoint>>,
    /// Amdahl's serial fraction, 0 to 1.
    serial: Signal<f64>,
    /// The cores this browser reports.
    cores: u32,
) -> impl IntoView {
    let html = move || {
        let serial = serial.get();
        points.with(|p| markup::speedup_chart(p, serial, cores))
    };
    view! { <div class="speedup-curve" inner_html=html></div> }
}
