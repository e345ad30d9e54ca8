//! The speedup curve: measured times on 1, 2, … workers against the ideal and Amdahl's law,
//! drawn whenever a point is measured or the serial part changes.
//!
//! The drawing ([`crate::markup::speedup_chart`] and its layout) is done by the on-demand
//! worker ([`super::on_demand`]): only readers who measure the curve need it, so it is not in
//! the wasm every visit loads. Should that worker fail, the measured times are still shown, as
//! a sentence.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::on_demand;
use crate::chart::speedup::CurvePoint;
use crate::markup;
use crate::on_demand::Request;
use crate::units::fmt_ms;

/// The chart with its legend, summary and table, once there is a point to draw.
#[component]
pub(crate) fn SpeedupChart(
    /// The measured points, one per worker count.
    points: RwSignal<Vec<CurvePoint>>,
    /// Amdahl's serial fraction, 0 to 1.
    serial: Signal<f64>,
    /// The cores this browser reports.
    cores: u32,
) -> impl IntoView {
    let html = RwSignal::new(String::new());
    // How many points the shown drawing (or sentence) has: a reader, and a test, can tell a
    // curve still being drawn from the finished one.
    let shown = RwSignal::new(0usize);
    // The newest request: answers to older ones are dropped.
    let latest = StoredValue::new(0u32);
    // Why the last drawing failed, if it did: the sentence is then rewritten at once for new
    // points, so it never under-reports while the worker is asked again.
    let failed = StoredValue::new(None::<String>);
    Effect::new(move |_| {
        let serial = serial.get();
        let points = points.get();
        let id = latest.get_value().wrapping_add(1);
        latest.set_value(id);
        if points.is_empty() {
            html.set(String::new());
            shown.set(0);
            return;
        }
        if let Some(why) = failed.get_value() {
            html.set(not_drawn(&points, &why));
            shown.set(points.len());
        }
        spawn_local(async move {
            let request = Request::Speedup {
                points,
                serial,
                cores,
            };
            let answer = on_demand::ask(&request).await;
            if latest.try_get_value() == Some(id) {
                let Request::Speedup { points, .. } = request else {
                    return;
                };
                failed.set_value(answer.as_ref().err().cloned());
                html.set(answer.unwrap_or_else(|e| not_drawn(&points, &e)));
                shown.set(points.len());
            }
        });
    });
    view! {
        <p class="predicted" data-testid="speedup-empty" hidden=move || points.with(|p| !p.is_empty())>
            "No curve measured yet."
        </p>
        <div class="speedup-curve" data-points=move || shown.get().to_string() inner_html=html></div>
    }
}

/// What the card says when the chart cannot be drawn (`why`): the measured times, in words.
fn not_drawn(points: &[CurvePoint], why: &str) -> String {
    let measured: Vec<String> = points
        .iter()
        .map(|p| {
            let unit = if p.workers == 1 { "worker" } else { "workers" };
            format!("{} {unit}: {} ms", p.workers, fmt_ms(p.ms))
        })
        .collect();
    markup::paragraph(
        "speedup-not-drawn",
        &format!(
            "The chart could not be drawn ({why}). Measured: {}.",
            measured.join("; ")
        ),
    )
}
