//! The Leptos components. They hold signals and call into the pure modules; decisions (what a
//! field accepts, what a strategy should cost, where a bar goes) are made there, not here.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures::channel::oneshot;
use futures::future::{select, AbortHandle, Abortable, Either};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::executor::{self, Recorder};
use super::worker_client::{WorkerClient, WORKER_URL};
use crate::chart::{timeline, TimelineLayout, TimelineOptions};
use crate::input;
use crate::predict::{explain, fmt_ms, fmt_ratio, ideal_ms, results_order_note, speedup};
use crate::scenario::{Experiment, Scenario, Strategy, TaskSpec, Workload};
use crate::trace::Trace;

/// Where a run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Idle,
    Running,
    Done,
    Cancelled,
}

impl Phase {
    fn id(self) -> &'static str {
        match self {
            Phase::Idle => "idle",
            Phase::Running => "running",
            Phase::Done => "done",
            Phase::Cancelled => "cancelled",
        }
    }
}

/// What the results area shows for one strategy.
#[derive(Clone, Debug, PartialEq)]
struct StrategyView {
    strategy: Strategy,
    tasks: Vec<TaskSpec>,
    ideal_ms: f64,
    trace: Trace,
    /// Whether this strategy's run has begun.
    begun: bool,
    /// Elapsed ms of this strategy's run at the last frame (pending bars reach it).
    now_ms: f64,
}

impl StrategyView {
    fn new(strategy: Strategy, tasks: &[TaskSpec], rec: &Recorder) -> Self {
        let trace = rec.snapshot();
        let now_ms = trace.elapsed_ms.unwrap_or_else(|| rec.elapsed_ms());
        StrategyView {
            strategy,
            tasks: tasks.to_vec(),
            ideal_ms: ideal_ms(strategy, tasks),
            trace,
            begun: rec.has_begun(),
            now_ms,
        }
    }
}

/// The one run in flight, if any. A new run bumps `run_id`, so a stale run can tell it must not
/// publish anything.
#[derive(Default)]
struct RunControl {
    run_id: Cell<u32>,
    abort: RefCell<Option<AbortHandle>>,
}

fn next_frame() -> oneshot::Receiver<()> {
    let (tx, rx) = oneshot::channel();
    request_animation_frame(move || {
        let _ = tx.send(());
    });
    rx
}

#[component]
pub fn App() -> impl IntoView {
    let experiment = RwSignal::new(Experiment::UniformCalls);
    let count_text = RwSignal::new(String::new());
    let duration_text = RwSignal::new(String::new());
    let list_text = RwSignal::new(String::new());
    let reset_fields = move |e: Experiment| match e.default_workload() {
        Workload::Uniform { count, duration_ms } => {
            count_text.set(count.to_string());
            duration_text.set(duration_ms.to_string());
        }
        Workload::Custom(list) => list_text.set(
            list.iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        ),
    };
    reset_fields(Experiment::UniformCalls);
    reset_fields(Experiment::MixedCalls);

    let count = Memo::new(move |_| input::task_count(&count_text.get()));
    let duration = Memo::new(move |_| input::duration_ms(&duration_text.get()));
    let list = Memo::new(move |_| input::duration_list(&list_text.get()));
    let is_uniform = move || {
        matches!(
            experiment.get().default_workload(),
            Workload::Uniform { .. }
        )
    };
    // The scenario the Run button would run; None while a field is refused.
    let scenario = Memo::new(move |_| {
        let e = experiment.get();
        let workload = if is_uniform() {
            Workload::Uniform {
                count: count.get().value()?,
                duration_ms: duration.get().value()?,
            }
        } else {
            Workload::Custom(list.get().value()?)
        };
        Some(Scenario {
            workload,
            ..e.default_scenario()
        })
    });

    let phase = RwSignal::new(Phase::Idle);
    let views: RwSignal<Vec<StrategyView>> = RwSignal::new(Vec::new());
    let ctl = StoredValue::new_local(Rc::new(RunControl::default()));

    let run = move || {
        let Some(sc) = scenario.get_untracked() else {
            return;
        };
        let ctl = ctl.get_value();
        if let Some(old) = ctl.abort.take() {
            old.abort();
        }
        let run_id = ctl.run_id.get().wrapping_add(1);
        ctl.run_id.set(run_id);
        let tasks = sc.workload.tasks();
        let recs: Vec<(Strategy, Recorder)> = sc
            .strategies
            .iter()
            .map(|&s| (s, Recorder::new(tasks.len())))
            .collect();
        let publish = {
            let (recs, tasks, ctl) = (recs.clone(), tasks.clone(), ctl.clone());
            move || {
                if ctl.run_id.get() == run_id {
                    views.set(
                        recs.iter()
                            .map(|(s, r)| StrategyView::new(*s, &tasks, r))
                            .collect(),
                    );
                }
            }
        };
        publish();
        phase.set(Phase::Running);

        let (handle, registration) = AbortHandle::new_pair();
        *ctl.abort.borrow_mut() = Some(handle);
        let work = {
            let recs = recs.clone();
            async move {
                for (s, rec) in &recs {
                    executor::run(*s, &tasks, rec).await;
                }
            }
        };
        spawn_local(async move {
            let work = Box::pin(Abortable::new(work, registration));
            // Redraw once a frame while the run is in flight; the timers are what we measure,
            // so the drawing is kept to a snapshot per frame rather than one per event.
            let pump = Box::pin({
                let publish = publish.clone();
                async move {
                    loop {
                        let _ = next_frame().await;
                        publish();
                    }
                }
            });
            let cancelled = match select(work, pump).await {
                Either::Left((result, _)) => result.is_err(),
                Either::Right(_) => unreachable!("the frame pump never ends"),
            };
            if cancelled {
                for (_, rec) in &recs {
                    rec.finish(true);
                }
            }
            if ctl.run_id.get() == run_id {
                publish();
                ctl.abort.take();
                phase.set(if cancelled {
                    Phase::Cancelled
                } else {
                    Phase::Done
                });
            }
        });
    };
    let cancel = move || {
        if let Some(h) = ctl.get_value().abort.take() {
            h.abort();
        }
    };

    let running = move || phase.get() == Phase::Running;
    let progress = move || {
        views.with(|vs| {
            let total: u32 = vs.iter().map(|v| v.trace.task_count).sum();
            let done: u32 = vs.iter().map(|v| v.trace.completed()).sum();
            let current = vs.iter().find(|v| v.begun && !v.trace.is_finished());
            match (phase.get(), current) {
                (Phase::Idle, _) => {
                    "Press Run to measure both strategies in this browser.".to_string()
                }
                (Phase::Running, Some(v)) => format!(
                    "Running “{}”: {} of {} tasks done ({done} of {total} overall).",
                    v.strategy.title(),
                    v.trace.completed(),
                    v.trace.task_count
                ),
                (Phase::Running, None) => format!("Running: {done} of {total} tasks done."),
                (Phase::Done, _) => format!("Done: {done} of {total} tasks completed."),
                (Phase::Cancelled, _) => format!(
                    "Cancelled: {done} of {total} tasks had completed; pending timers were cleared."
                ),
            }
        })
    };

    let hw_cores = window().navigator().hardware_concurrency() as u32;
    let worker_status = RwSignal::new("starting…".to_string());
    let worker_slot = StoredValue::new_local(None::<WorkerClient>);
    spawn_local(async move {
        let status = match WorkerClient::spawn(WORKER_URL).await {
            Ok((mut client, ready_ms)) => {
                let ping = client.ping(1).await;
                worker_slot.set_value(Some(client));
                match ping {
                    Ok(rtt) => format!(
                        "ready in {} ms, round trip {} ms",
                        fmt_ms(ready_ms),
                        fmt_ms(rtt)
                    ),
                    Err(e) => format!("loaded but not answering: {e}"),
                }
            }
            Err(e) => format!("unavailable ({e}); the event-loop experiments still run"),
        };
        worker_status.set(status);
    });

    view! {
        <header class="top">
            <h1>"Async vs Parallel Playground"</h1>
            <p class="tagline">
                "Waiting is not computing. Run real experiments in this browser and see the difference, measured."
            </p>
        </header>
        <main>
            <section class="card editor" aria-label="Experiment">
                <label class="field">
                    <span>"Experiment"</span>
                    <select
                        data-testid="experiment"
                        prop:disabled=running
                        on:change=move |ev| {
                            if let Some(e) = Experiment::from_id(&event_target_value(&ev)) {
                                experiment.set(e);
                            }
                        }
                    >
                        {Experiment::ALL
                            .into_iter()
                            .map(|e| {
                                view! {
                                    <option value=e.id() selected=move || experiment.get() == e>
                                        {e.title()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <p class="published" data-testid="published">{move || experiment.get().published()}</p>
                <Show
                    when=is_uniform
                    fallback=move || {
                        view! {
                            <Field
                                label="Durations (ms), in the order given"
                                testid="durations"
                                text=list_text
                                check=Signal::derive(move || list.get().message().map(str::to_string))
                                invalid=Signal::derive(move || list.get().is_invalid())
                                disabled=Signal::derive(running)
                            />
                        }
                    }
                >
                    <Field
                        label="Simulated calls"
                        testid="task-count"
                        text=count_text
                        check=Signal::derive(move || count.get().message().map(str::to_string))
                        invalid=Signal::derive(move || count.get().is_invalid())
                        disabled=Signal::derive(running)
                    />
                    <Field
                        label="Each call waits (ms)"
                        testid="duration"
                        text=duration_text
                        check=Signal::derive(move || duration.get().message().map(str::to_string))
                        invalid=Signal::derive(move || duration.get().is_invalid())
                        disabled=Signal::derive(running)
                    />
                </Show>
                <div class="actions">
                    <button
                        class="primary"
                        data-testid="run"
                        prop:disabled=move || running() || scenario.with(Option::is_none)
                        on:click=move |_| run()
                    >
                        "Run"
                    </button>
                    <button
                        data-testid="cancel"
                        prop:disabled=move || !running()
                        on:click=move |_| cancel()
                    >
                        "Cancel"
                    </button>
                    <span class="predicted">
                        {move || {
                            scenario
                                .with(|s| {
                                    s.as_ref()
                                        .map(|s| {
                                            let t = s.workload.tasks();
                                            format!(
                                                "Ideal: sequential {} ms, all at once {} ms.",
                                                fmt_ms(ideal_ms(Strategy::Sequential, &t)),
                                                fmt_ms(ideal_ms(Strategy::AllAtOnce, &t)),
                                            )
                                        })
                                        .unwrap_or_else(|| "Fix the highlighted field to run.".into())
                                })
                        }}
                    </span>
                </div>
                <p
                    class="progress"
                    data-testid="progress"
                    data-state=move || phase.get().id()
                    aria-live="polite"
                >
                    {progress}
                </p>
            </section>
            <Results views=views phase=phase />
        </main>
        <footer class="env" data-testid="env">
            {format!("This browser reports {hw_cores} cores. ")}
            <span data-testid="worker-status">"Web Worker: " {move || worker_status.get()}</span>
        </footer>
    }
}

/// One validated text field with its message.
#[component]
fn Field(
    /// Visible label.
    label: &'static str,
    /// `data-testid` of the input; its message gets `{testid}-msg`.
    testid: &'static str,
    /// The raw text, as typed.
    text: RwSignal<String>,
    /// Message to show beside the field (a refusal or a clamping note).
    check: Signal<Option<String>>,
    /// True when the text is refused.
    invalid: Signal<bool>,
    /// True while a run is in flight.
    disabled: Signal<bool>,
) -> impl IntoView {
    let msg_id = format!("{testid}-msg");
    view! {
        <label class="field" class:invalid=move || invalid.get()>
            <span>{label}</span>
            <input
                type="text"
                inputmode="numeric"
                autocomplete="off"
                data-testid=testid
                aria-invalid=move || invalid.get().to_string()
                aria-describedby=msg_id.clone()
                prop:value=move || text.get()
                prop:disabled=move || disabled.get()
                on:input=move |ev| text.set(event_target_value(&ev))
            />
            <span class="field-msg" id=msg_id.clone() data-testid=msg_id.clone() role="status">
                {move || check.get().unwrap_or_default()}
            </span>
        </label>
    }
}

/// The measured results of every strategy, on one shared time axis.
#[component]
fn Results(views: RwSignal<Vec<StrategyView>>, phase: RwSignal<Phase>) -> impl IntoView {
    // Shared axis: long enough for every strategy's ideal and measured time, so bar lengths
    // compare honestly across strategies and do not jump while the run grows.
    let domain = Memo::new(move |_| {
        views.with(|vs| {
            vs.iter()
                .map(|v| v.ideal_ms.max(v.now_ms))
                .fold(0.0, f64::max)
        })
    });
    let comparison = move || {
        views.with(|vs| {
            let seq = vs.iter().find(|v| v.strategy == Strategy::Sequential)?;
            let all = vs.iter().find(|v| v.strategy == Strategy::AllAtOnce)?;
            if phase.get() != Phase::Done {
                return None;
            }
            let measured = speedup(seq.trace.elapsed_ms?, all.trace.elapsed_ms?)?;
            let ideal = speedup(seq.ideal_ms, all.ideal_ms);
            Some(format!(
                "All at once finished {} faster than sequential awaits{}.",
                fmt_ratio(measured),
                ideal
                    .map(|r| format!(" (ideal: {})", fmt_ratio(r)))
                    .unwrap_or_default()
            ))
        })
    };
    view! {
        <section class="results" aria-label="Results">
            <p class="comparison" data-testid="comparison">{comparison}</p>
            <Show when=move || views.with(|v| !v.is_empty())>
                <ul class="legend" aria-label="Legend">
                    <li><span class="swatch bar-completed"></span>"completed"</li>
                    <li><span class="swatch bar-pending"></span>"waiting"</li>
                    <li><span class="swatch bar-cancelled"></span>"cancelled"</li>
                    <li><span class="swatch-line ideal"></span>"ideal (predicted) end"</li>
                    <li><span class="swatch-line end"></span>"measured end"</li>
                </ul>
            </Show>
            {move || {
                views
                    .get()
                    .into_iter()
                    .map(|v| {
                        let layout = timeline(
                            &v.trace,
                            domain.get(),
                            Some(v.ideal_ms),
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

/// One strategy: measured vs ideal, its timeline and why it took that long.
#[component]
fn StrategyCard(view: StrategyView, layout: TimelineLayout) -> impl IntoView {
    let id = view.strategy.id();
    let stats = view.trace.stats();
    let state = if view.trace.cancelled {
        "cancelled"
    } else if view.trace.is_finished() {
        "done"
    } else if view.begun {
        "running"
    } else {
        "waiting"
    };
    let measured = match (stats.elapsed_ms, view.begun) {
        (Some(ms), _) => format!("{} ms", fmt_ms(ms)),
        (None, true) => format!("{} ms so far", fmt_ms(view.now_ms)),
        (None, false) => "not started".to_string(),
    };
    let overhead = stats
        .elapsed_ms
        .filter(|_| !view.trace.cancelled)
        .map(|ms| format!("{:+.1} ms", ms - view.ideal_ms));
    let order_note = results_order_note(&view.tasks, &view.trace.completion_order)
        .filter(|_| view.strategy == Strategy::AllAtOnce);
    let spellings = view
        .strategy
        .spellings()
        .iter()
        .map(
            |(lang, code)| view! { <li><span class="lang">{*lang}</span><code>{*code}</code></li> },
        )
        .collect_view();
    view! {
        <article class="card strategy" data-testid=format!("result-{id}") data-state=state>
            <h2>{view.strategy.title()}</h2>
            <ul class="spellings">{spellings}</ul>
            <dl class="numbers">
                <div>
                    <dt>"Measured"</dt>
                    <dd
                        data-testid=format!("measured-{id}")
                        data-ms=stats.elapsed_ms.map(|ms| format!("{ms:.3}")).unwrap_or_default()
                    >
                        {measured}
                    </dd>
                </div>
                <div>
                    <dt>"Ideal"</dt>
                    <dd data-testid=format!("ideal-{id}") data-ms=format!("{:.3}", view.ideal_ms)>
                        {format!("{} ms", fmt_ms(view.ideal_ms))}
                    </dd>
                </div>
                <div>
                    <dt>"Overhead"</dt>
                    <dd>{overhead.unwrap_or_else(|| "—".into())}</dd>
                </div>
                <div>
                    <dt>"Most timers pending at once"</dt>
                    <dd data-testid=format!("peak-{id}")>{stats.peak_in_flight}</dd>
                </div>
            </dl>
            <Timeline layout=layout label=format!("Timeline of {}", view.strategy.title()) />
            <p class="why">{explain(view.strategy, &view.tasks)}</p>
            {order_note.map(|n| view! { <p class="order-note" data-testid="order-note">{n}</p> })}
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

fn px(v: f64) -> String {
    format!("{v:.1}")
}

/// Draws a computed [`TimelineLayout`]; no decisions here.
#[component]
fn Timeline(layout: TimelineLayout, label: String) -> impl IntoView {
    let (x0, x1) = layout.plot_x;
    let axis_y = layout.axis_y;
    let top_y = layout.top_y;
    let lanes = layout
        .lanes
        .into_iter()
        .map(|l| {
            view! {
                <text class="lane-label" x=px(x0 - 6.0) y=px(l.y) text-anchor="end">
                    {l.text}
                </text>
            }
        })
        .collect_view();
    let bars = layout
        .bars
        .into_iter()
        .map(|b| {
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
        })
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
    let end = layout.end_x.map(|x| {
        view! { <line class="end" x1=px(x) x2=px(x) y1=px(top_y) y2=px(axis_y) /> }
    });
    view! {
        <svg
            class="timeline"
            viewBox=format!("0 0 {} {}", layout.width, px(layout.height))
            role="img"
            aria-label=label
        >
            {lanes}
            {bars}
            <line class="axis" x1=px(x0) x2=px(x1) y1=px(axis_y) y2=px(axis_y) />
            {ticks}
            <text class="axis-unit" x=px(x0 - 6.0) y=px(axis_y + 16.0) text-anchor="end">"ms"</text>
            {ideal}
            {end}
        </svg>
    }
}
