//! The speedup curve: measured times on 1, 2, … workers against the ideal and Amdahl's law.

use leptos::prelude::*;

use super::timeline::px;
use crate::predict::fmt_ms;
use crate::speedup_chart::{speedup_layout, CurvePoint, SpeedupOptions};

/// Draws a computed speedup layout, with the numbers as a table for screen readers.
#[component]
pub(crate) fn SpeedupChart(
    points: RwSignal<Vec<CurvePoint>>,
    serial: Signal<f64>,
    cores: u32,
) -> impl IntoView {
    let layout = Memo::new(move |_| {
        points.with(|p| {
            let baseline = p
                .iter()
                .find(|c| c.workers == 1)
                .map(|c| c.ms)
                .unwrap_or(0.0);
            speedup_layout(p, baseline, serial.get(), cores, &SpeedupOptions::default())
        })
    });
    let poly = |pts: &[(f64, f64)]| {
        pts.iter()
            .map(|(x, y)| format!("{},{}", px(*x), px(*y)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    view! {
        {move || {
            let l = layout.get();
            let (x0, x1) = l.plot_x;
            let (y0, y1) = l.plot_y;
            let measured_line: Vec<(f64, f64)> = l.measured.iter().map(|m| (m.0, m.1)).collect();
            view! {
                <svg
                    class="speedup"
                    data-testid="speedup-chart"
                    viewBox=format!("0 0 {} {}", l.width, l.height)
                    role="img"
                    aria-label=l.summary.clone()
                >
                    <line class="axis" x1=px(x0) x2=px(x1) y1=px(y1) y2=px(y1) />
                    <line class="axis" x1=px(x0) x2=px(x0) y1=px(y0) y2=px(y1) />
                    {l.x_ticks.iter().map(|t| view! {
                        <text class="tick-label" x=px(t.x) y=px(y1 + 16.0) text-anchor="middle">{t.label.clone()}</text>
                    }).collect_view()}
                    {l.y_ticks.iter().map(|t| view! {
                        <text class="tick-label" x=px(x0 - 6.0) y=px(t.x + 3.0) text-anchor="end">{t.label.clone()}</text>
                    }).collect_view()}
                    <text class="axis-unit" x=px(x1) y=px(y1 + 32.0) text-anchor="end">"workers"</text>
                    <polyline class="ideal-line" points=poly(&l.ideal) />
                    <polyline class="amdahl-line" points=poly(&l.amdahl) />
                    {l.cores_x.map(|x| view! {
                        <line class="cores" x1=px(x) x2=px(x) y1=px(y0) y2=px(y1) />
                        <text class="marker-label" x=px(x + 4.0) y=px(y0 + 10.0)>"cores reported"</text>
                    })}
                    <polyline class="measured-line" points=poly(&measured_line) />
                    {l.measured.iter().map(|(x, y, title)| view! {
                        <circle class="measured-point" cx=px(*x) cy=px(*y) r="4"><title>{title.clone()}</title></circle>
                    }).collect_view()}
                </svg>
                <ul class="legend">
                    <li><span class="swatch-line measured"></span>"measured"</li>
                    <li><span class="swatch-line ideal"></span>"ideal (×workers)"</li>
                    <li><span class="swatch-line amdahl"></span>"Amdahl's law"</li>
                    <li><span class="swatch-line cores"></span>"cores reported"</li>
                </ul>
                <p class="outcome" data-testid="speedup-summary">{l.summary.clone()}</p>
            }
        }}
        <table class="numbers-table" data-testid="speedup-table">
            <caption>"Measured times"</caption>
            <thead><tr><th>"Workers"</th><th>"Time (ms)"</th><th>"Speedup"</th></tr></thead>
            <tbody>
                {move || {
                    points.with(|p| {
                        let base = p.iter().find(|c| c.workers == 1).map(|c| c.ms);
                        p.iter()
                            .map(|c| {
                                let sp = base
                                    .and_then(|b| crate::speedup_chart::speedup(b, c.ms))
                                    .map(crate::predict::fmt_ratio)
                                    .unwrap_or_default();
                                view! { <tr><td>{c.workers}</td><td>{fmt_ms(c.ms)}</td><td>{sp}</td></tr> }
                            })
                            .collect_view()
                    })
                }}
            </tbody>
        </table>
    }
}
