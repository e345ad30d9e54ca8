//! The results area: one card per strategy (or per way of running CPU work), each with its
//! numbers, timeline and explanation, on one shared time axis.

use leptos::prelude::*;

use super::run::{cpu_baseline, CpuView, Phase, StrategyView};
use super::timeline::{Timeline, TimelineTable};
use crate::chart::{timeline, TimelineLayout, TimelineOptions};
use crate::cpu::CpuMode;
use crate::predict::{explain, fmt_ms, results_order_note};
use crate::replay::trace_at;
use crate::report;
use crate::scenario::Strategy;
use crate::trace::{GroupOutcome, Trace};

/// The measured results of every strategy, on one shared time axis.
#[component]
pub(crate) fn Results(
    /// What the last run recorded, strategy by strategy.
    views: RwSignal<Vec<StrategyView>>,
    /// Where the run is.
    phase: RwSignal<Phase>,
    /// Replay position in ms, or `None` to show everything recorded.
    cursor: Signal<Option<f64>>,
) -> impl IntoView {
    // Shared axis: long enough for every strategy's ideal and measured time, so bar lengths
    // compare honestly across strategies and do not jump while the run grows.
    let domain = Memo::new(move |_| {
        views.with(|vs| {
            vs.iter()
                .map(|v| v.ideal.settled_ms.max(v.now_ms))
                .fold(0.0, f64::max)
        })
    });
    let comparisons = move || {
        if phase.get() != Phase::Done {
            return Vec::new();
        }
        views.with(|vs| {
            let Some(base) = vs.first() else {
                return Vec::new();
            };
            let Some(base_ms) = base.trace.resumed_ms() else {
                return Vec::new();
            };
            vs.iter()
                .skip(1)
                .filter_map(|v| {
                    report::comparison(
                        v.strategy,
                        v.trace.resumed_ms()?,
                        v.ideal.resumed_ms,
                        base.strategy,
                        base_ms,
                        base.ideal.resumed_ms,
                    )
                })
                .collect()
        })
    };
    view! {
        <section class="results" aria-label="Results">
            <ul class="comparison" data-testid="comparison">
                {move || comparisons().into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}
            </ul>
            <Show when=move || views.with(|v| !v.is_empty())>
                <ul class="legend" aria-label="Legend">
                    <li><span class="swatch bar-completed"></span>"completed"</li>
                    <li><span class="swatch bar-pending"></span>"waiting"</li>
                    <li><span class="swatch bar-failed"></span>"failed"</li>
                    <li><span class="swatch bar-timed-out"></span>"timed out"</li>
                    <li><span class="swatch bar-cancelled"></span>"cancelled"</li>
                    <li><span class="swatch-dot"></span>"result consumed"</li>
                    <li><span class="swatch bar-lag"></span>"event loop late"</li>
                    <li><span class="swatch-line ideal"></span>"ideal (predicted)"</li>
                    <li><span class="swatch-line end"></span>"await continued (measured)"</li>
                </ul>
            </Show>
            {move || {
                let at = cursor.get();
                views
                    .get()
                    .into_iter()
                    .map(|mut v| {
                        if let Some(t) = at {
                            v.trace = trace_at(&v.trace, t);
                            v.now_ms = v.now_ms.min(t);
                        }
                        let layout = timeline(
                            &v.trace,
                            domain.get(),
                            Some(v.ideal.resumed_ms),
                            v.now_ms,
                            &TimelineOptions::default(),
                        );
                        view! { <StrategyCard view=v layout=layout /> }
                    })
                    .collect_view()
            }}
        </section>
    }
}

/// A card's state for tests and styling: cancelled, done, running or waiting.
fn card_state(trace: &Trace, begun: bool) -> &'static str {
    if trace.cancelled {
        "cancelled"
    } else if trace.is_finished() {
        "done"
    } else if begun {
        "running"
    } else {
        "waiting"
    }
}

/// The measured time as the card shows it: final, so far, or not started.
fn measured_text(measured_ms: Option<f64>, begun: bool, now_ms: f64) -> String {
    match (measured_ms, begun) {
        (Some(v), _) => format!("{} ms", fmt_ms(v)),
        (None, true) => format!("{} ms so far", fmt_ms(now_ms)),
        (None, false) => "not started".to_string(),
    }
}

/// The card's "Worst loop lag" number: how late a timer fired while the run went on.
fn lag_item(id: &str, max_lag_ms: f64) -> impl IntoView {
    view! {
        <div>
            <dt>"Worst loop lag"</dt>
            <dd data-testid=format!("lag-{id}") data-ms=format!("{max_lag_ms:.3}")>
                {format!("{} ms", fmt_ms(max_lag_ms))}
            </dd>
        </div>
    }
}

/// One strategy: measured vs ideal, its timeline and why it took that long.
#[component]
fn StrategyCard(view: StrategyView, layout: TimelineLayout) -> impl IntoView {
    let id = view.strategy.id();
    let stats = view.trace.stats();
    let state = card_state(&view.trace, view.begun);
    let ms = |v: f64| format!("{} ms", fmt_ms(v));
    let measured = measured_text(stats.resumed_ms, view.begun, view.now_ms);
    let overhead = stats
        .resumed_ms
        .filter(|_| !view.trace.cancelled)
        .map(|v| format!("{:+.1} ms", v - view.ideal.resumed_ms));
    // "All calls ended" matters only where calls outlive the await.
    let settles_later = view.ideal.settled_ms > view.ideal.resumed_ms
        || stats
            .elapsed_ms
            .zip(stats.resumed_ms)
            .is_some_and(|(e, r)| e > r + 1.0);
    let settled = settles_later.then(|| {
        view! {
            <div>
                <dt>"All calls ended"</dt>
                <dd data-testid=format!("settled-{id}")>
                    {stats.elapsed_ms.map(ms).unwrap_or_else(|| "—".into())}
                    <small>{format!(" ideal {}", ms(view.ideal.settled_ms))}</small>
                </dd>
            </div>
        }
    });
    let first_consumed = view.ideal.first_consumed_ms.map(|ideal| {
        view! {
            <div>
                <dt>"First result consumed"</dt>
                <dd data-testid=format!("first-consumed-{id}") data-ms=stats.first_consumed_ms.map(|v| format!("{v:.3}")).unwrap_or_default()>
                    {stats.first_consumed_ms.map(ms).unwrap_or_else(|| "—".into())}
                    <small>{format!(" ideal {}", ms(ideal))}</small>
                </dd>
            </div>
        }
    });
    let errors = (stats.failed + stats.timed_out + stats.retries > 0).then(|| {
        view! {
            <div>
                <dt>"Failed · timed out · retries"</dt>
                <dd data-testid=format!("errors-{id}")>
                    {format!("{} · {} · {}", stats.failed, stats.timed_out, stats.retries)}
                </dd>
            </div>
        }
    });
    let order_note = results_order_note(&view.plan, &view.trace.completion_order)
        .filter(|_| view.strategy == Strategy::AllAtOnce { fail_fast: false });
    let outcome = report::outcome(view.strategy, &view.trace);
    let resources = view
        .begun
        .then(|| report::resources(view.strategy, &view.trace));
    let spellings = view
        .strategy
        .spellings()
        .into_iter()
        .map(|(lang, code)| view! { <li><span class="lang">{lang}</span><code>{code}</code></li> })
        .collect_view();
    view! {
        <article class="card strategy" data-testid=format!("result-{id}") data-state=state>
            <h2>{view.strategy.title()}</h2>
            <ul class="spellings">{spellings}</ul>
            <dl class="numbers">
                <div>
                    <dt>"Await continued after"</dt>
                    <dd
                        data-testid=format!("measured-{id}")
                        data-ms=stats.resumed_ms.map(|v| format!("{v:.3}")).unwrap_or_default()
                    >
                        {measured}
                    </dd>
                </div>
                <div>
                    <dt>"Ideal"</dt>
                    <dd data-testid=format!("ideal-{id}") data-ms=format!("{:.3}", view.ideal.resumed_ms)>
                        {ms(view.ideal.resumed_ms)}
                    </dd>
                </div>
                <div>
                    <dt>"Overhead"</dt>
                    <dd>{overhead.unwrap_or_else(|| "—".into())}</dd>
                </div>
                {settled}
                {first_consumed}
                <div>
                    <dt>"Timers pending at once"</dt>
                    <dd data-testid=format!("peak-{id}")>{stats.peak_in_flight}</dd>
                </div>
                {errors}
                {lag_item(&id, stats.max_lag_ms)}
            </dl>
            <Timeline layout=layout label=format!("Timeline of {}", view.strategy.title()) />
            <TimelineTable trace=view.trace.clone() id=id.clone() />
            {outcome.map(|o| view! { <p class="outcome" data-testid=format!("outcome-{id}")>{o}</p> })}
            <p class="why">{explain(view.strategy, &view.plan)}</p>
            {order_note.map(|n| view! { <p class="order-note" data-testid="order-note">{n}</p> })}
            {resources.map(|r| view! { <p class="resources" data-testid=format!("resources-{id}")>{r}</p> })}
            {view
                .trace
                .cancelled
                .then(|| {
                    view! {
                        <p class="cancel-note">
                            {format!(
                                "Cancelled: {} completed, {} stopped while pending, {} never started.",
                                stats.completed,
                                stats.cancelled,
                                stats.not_started,
                            )}
                        </p>
                    }
                })}
        </article>
    }
}

/// The CPU experiment's results: one card per way, on one time axis.
#[component]
pub(crate) fn CpuResults(
    /// What the last run recorded, way by way.
    views: RwSignal<Vec<CpuView>>,
    /// Replay position in ms, or `None` to show everything recorded.
    cursor: Signal<Option<f64>>,
) -> impl IntoView {
    // The one-worker run is the baseline: the whole job on one core, away from the page,
    // without its start-up (cold workers are shown separately, not folded into speedups).
    let baseline = Memo::new(move |_| views.with(|vs| cpu_baseline(vs)));
    let domain =
        Memo::new(move |_| views.with(|vs| vs.iter().map(|v| v.now_ms).fold(0.0, f64::max)));
    view! {
        <section class="results" aria-label="CPU results">
            {move || {
                let at = cursor.get();
                views
                    .get()
                    .into_iter()
                    .map(|mut v| {
                        let ideal = v.ideal_ms(baseline.get());
                        if let Some(t) = at {
                            v.trace = trace_at(&v.trace, t);
                            v.now_ms = v.now_ms.min(t);
                        }
                        let layout = timeline(&v.trace, domain.get(), ideal, v.now_ms, &TimelineOptions::default());
                        view! { <CpuCard view=v layout=layout baseline=baseline.get() ideal=ideal /> }
                    })
                    .collect_view()
            }}
        </section>
    }
}

/// One way of running the CPU work: measured vs ideal, speedup, the answer, its timeline.
#[component]
fn CpuCard(
    view: CpuView,
    layout: TimelineLayout,
    baseline: Option<f64>,
    ideal: Option<f64>,
) -> impl IntoView {
    let id = view.plan.mode.id();
    let t = &view.trace;
    let state = card_state(t, view.begun);
    let ms = |v: f64| format!("{} ms", fmt_ms(v));
    let measured = measured_text(view.measured_ms(), view.begun, view.now_ms);
    // A pipeline's time is mostly waiting: a speedup over pure computing would mislead.
    let speedup = baseline
        .filter(|_| view.plan.mode != CpuMode::Pipeline)
        .zip(view.compute_ms())
        .filter(|_| {
            t.resumed
                .as_ref()
                .is_some_and(|r| r.1 == GroupOutcome::AllCompleted)
        })
        .and_then(|(b, m)| crate::predict::speedup(b, m))
        .map(crate::predict::fmt_ratio);
    let stats = t.stats();
    let outcome = crate::cpu::outcome(t, view.spec.kernel.has_answer());
    let spellings = view
        .plan
        .mode
        .spellings()
        .into_iter()
        .map(|(lang, code)| view! { <li><span class="lang">{lang}</span><code>{code}</code></li> })
        .collect_view();
    view! {
        <article class="card strategy" data-testid=format!("result-{id}") data-state=state>
            <h2>{view.title()}</h2>
            <ul class="spellings">{spellings}</ul>
            <dl class="numbers">
                <div>
                    <dt>"Measured"</dt>
                    <dd data-testid=format!("measured-{id}") data-ms=view.measured_ms().map(|v| format!("{v:.3}")).unwrap_or_default()>
                        {measured}
                    </dd>
                </div>
                <div>
                    <dt>"Ideal"</dt>
                    <dd data-testid=format!("ideal-{id}")>
                        {ideal.map(ms).unwrap_or_else(|| "after the one-worker run".into())}
                    </dd>
                </div>
                <div>
                    <dt>"Speedup (computing only)"</dt>
                    <dd data-testid=format!("speedup-{id}")>{speedup.unwrap_or_else(|| "—".into())}</dd>
                </div>
                {view.spec.kernel.has_answer().then(|| view! {
                    <div>
                        <dt>"Answer"</dt>
                        <dd data-testid=format!("value-{id}")>
                            {t.value.map(|v| fmt_ms(v as f64)).unwrap_or_else(|| "—".into())}
                        </dd>
                    </div>
                })}
                {t.startup_ms.map(|s| view! {
                    <div>
                        <dt>"Workers ready after"</dt>
                        <dd data-testid=format!("startup-{id}")>{ms(s)}</dd>
                    </div>
                })}
                {lag_item(id, stats.max_lag_ms)}
            </dl>
            <Timeline layout=layout label=format!("Timeline of {}", view.title()) />
            <TimelineTable trace=view.trace.clone() id=id.to_string() />
            {outcome.map(|o| view! { <p class="outcome" data-testid=format!("outcome-{id}")>{o}</p> })}
            {t.error.clone().map(|e| view! { <p class="cancel-note" data-testid=format!("error-{id}")>{e}</p> })}
            <p class="why">{crate::cpu::explain(&view.spec, view.plan.mode, view.cores)}</p>
        </article>
    }
}
