//! The Leptos components. They hold signals and call into the pure modules; decisions (what a
//! field accepts, what a strategy should cost, where a bar goes, what a result means) are made
//! there, not here.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;

use futures::channel::oneshot;
use futures::future::{select, AbortHandle, AbortRegistration, Abortable, Either};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::executor::BrowserRuntime;
use super::url;
use super::worker_client::{WorkerClient, WORKER_URL};
use crate::chart::{timeline, TimelineLayout, TimelineOptions};
use crate::cpu::{CpuMode, CpuPlan, CpuSpec};
use crate::editor::{Draft, FieldId};
use crate::engine::{self, Recorder, RunOptions};
use crate::plan::Plan;
use crate::predict::{explain, fmt_ms, predict, results_order_note, Prediction};
use crate::report;
use crate::router;
use crate::scenario::{Experiment, Strategy};
use crate::speedup_chart::{speedup_layout, CurvePoint, SpeedupOptions};
use crate::trace::GroupOutcome;
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
    plan: Arc<Plan>,
    ideal: Prediction,
    trace: Trace,
    /// Whether this strategy's run has begun.
    begun: bool,
    /// Elapsed ms of this strategy's run at the last frame (pending bars reach it).
    now_ms: f64,
}

impl StrategyView {
    fn new(strategy: Strategy, plan: &Arc<Plan>, ideal: Prediction, rec: &Recorder) -> Self {
        let trace = rec.snapshot();
        let now_ms = trace.elapsed_ms.unwrap_or_else(|| rec.elapsed_ms());
        StrategyView {
            strategy,
            plan: plan.clone(),
            ideal,
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

impl RunControl {
    /// Stops the run in flight, if any, and starts a new one: its id, and the registration of
    /// the `Abortable` its work must be wrapped in so Cancel can stop it.
    fn restart(&self) -> (u32, AbortRegistration) {
        self.cancel();
        let id = self.run_id.get().wrapping_add(1);
        self.run_id.set(id);
        let (handle, registration) = AbortHandle::new_pair();
        *self.abort.borrow_mut() = Some(handle);
        (id, registration)
    }

    /// Stops the run in flight, if any.
    fn cancel(&self) {
        if let Some(h) = self.abort.take() {
            h.abort();
        }
    }
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
    // The URL is the source of truth: the page opens what the link says (or the nearest valid
    // scenario, with notes on what was ignored).
    let opened = router::decode(&url::fragment());
    let draft = RwSignal::new(opened.draft);
    let view_opts = RwSignal::new(opened.view);
    let link_notes = RwSignal::new(opened.notes);
    let built = Memo::new(move |_| draft.with(Draft::build));
    let scenario = Memo::new(move |_| built.with(|b| b.scenario.clone()));
    let visible = Memo::new(move |_| draft.with(Draft::visible));
    let experiment = Memo::new(move |_| draft.with(|d| d.experiment));

    // Keep the address bar in step with the editor: a new history entry when the experiment
    // changes (so Back returns to the previous one), in place for edits.
    Effect::new(move |prev: Option<Experiment>| {
        let (fragment, e) = draft.with(|d| (router::encode(d, &view_opts.get()), d.experiment));
        if fragment != url::fragment() {
            url::set_fragment(&fragment, prev.is_some_and(|p| p != e));
        }
        e
    });
    // Back, forward, or a hand-edited address: open what the URL now says.
    let follow_url = move || {
        let f = url::fragment();
        if draft.with_untracked(|d| router::encode(d, &view_opts.get_untracked())) != f {
            let d = router::decode(&f);
            draft.set(d.draft);
            view_opts.set(d.view);
            link_notes.set(d.notes);
        }
    };
    let _ = window_event_listener(leptos::ev::popstate, move |_| follow_url());
    let _ = window_event_listener(leptos::ev::hashchange, move |_| follow_url());

    let phase = RwSignal::new(Phase::Idle);
    let views: RwSignal<Vec<StrategyView>> = RwSignal::new(Vec::new());
    let ctl = StoredValue::new_local(Rc::new(RunControl::default()));

    let hw_cores = window().navigator().hardware_concurrency() as u32;
    let cpu_views: RwSignal<Vec<CpuView>> = RwSignal::new(Vec::new());
    let run = move || {
        let Some(sc) = scenario.get_untracked() else {
            return;
        };
        let ctl = ctl.get_value();
        let (run_id, registration) = ctl.restart();
        let live = {
            let ctl = ctl.clone();
            Rc::new(move || ctl.run_id.get() == run_id) as Rc<dyn Fn() -> bool>
        };
        let prepared = match &sc.cpu {
            Some(cpu) => {
                views.set(Vec::new());
                prepare_cpu(
                    &cpu.resolved(hw_cores.max(1)),
                    hw_cores.max(1),
                    live.clone(),
                    cpu_views,
                )
            }
            None => {
                cpu_views.set(Vec::new());
                prepare_async(&sc, live.clone(), views)
            }
        };
        (prepared.publish)();
        phase.set(Phase::Running);
        spawn_local(async move {
            let work = Box::pin(Abortable::new(prepared.work, registration));
            // Redraw once a frame while the run is in flight; the timers are what we measure,
            // so the drawing is kept to a snapshot per frame rather than one per event.
            let pump = Box::pin({
                let publish = prepared.publish.clone();
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
                (prepared.finish_all)();
            }
            if live() {
                (prepared.publish)();
                ctl.abort.take();
                phase.set(if cancelled {
                    Phase::Cancelled
                } else {
                    Phase::Done
                });
            }
        });
    };
    // The speedup curve: the dynamic split on 1, 2, … N workers, one after another.
    let curve: RwSignal<Vec<CurvePoint>> = RwSignal::new(Vec::new());
    let serial_text = RwSignal::new("5".to_string());
    let run_curve = move || {
        let Some(cpu) = scenario.get_untracked().and_then(|s| s.cpu) else {
            return;
        };
        let ctl = ctl.get_value();
        let (run_id, registration) = ctl.restart();
        let cores = hw_cores.max(1);
        // At least 4, so a 2-core machine shows the plateau past its cores.
        let top = cpu
            .workers_for(cores)
            .clamp(4, crate::scenario::MAX_WORKERS);
        curve.set(Vec::new());
        phase.set(Phase::Running);
        spawn_local(async move {
            let live = || ctl.run_id.get() == run_id;
            let work = async {
                for w in 1..=top {
                    let spec = CpuSpec {
                        workers: w,
                        ..cpu.clone()
                    };
                    let plan = CpuPlan::new(&spec, CpuMode::Dynamic);
                    let rec = Recorder::new(plan.pieces.len(), super::clock::now_ms);
                    super::cpu::run(&plan, &rec).await;
                    let ms =
                        rec.with_trace(|t| t.resumed_ms().map(|m| m - t.startup_ms.unwrap_or(0.0)));
                    if let (Some(ms), true) = (ms, live()) {
                        curve.update(|c| c.push(CurvePoint { workers: w, ms }));
                    }
                }
            };
            let cancelled = Abortable::new(work, registration).await.is_err();
            if live() {
                ctl.abort.take();
                phase.set(if cancelled {
                    Phase::Cancelled
                } else {
                    Phase::Done
                });
            }
        });
    };
    let cancel = move || ctl.get_value().cancel();

    let running = move || phase.get() == Phase::Running;
    let progress = move || {
        let cpu = cpu_views.with(|cv| {
            cv.iter()
                .map(|v| (v.title(), v.trace.clone(), v.begun))
                .collect::<Vec<_>>()
        });
        views.with(|vs| {
            let mut rows: Vec<(String, &Trace, bool)> = vs
                .iter()
                .map(|v| (v.strategy.title(), &v.trace, v.begun))
                .collect();
            rows.extend(cpu.iter().map(|(t, tr, b)| (t.clone(), tr, *b)));
            let total: u32 = rows.iter().map(|r| r.1.task_count).sum();
            let done: u32 = rows.iter().map(|r| r.1.completed()).sum();
            let current = rows.iter().find(|r| r.2 && !r.1.is_finished());
            match (phase.get(), current) {
                (Phase::Idle, _) => "Press Run to measure every way in this browser.".to_string(),
                (Phase::Running, Some((title, trace, _))) => {
                    let lanes: Vec<String> = trace
                        .lane_progress
                        .iter()
                        .enumerate()
                        .filter(|(_, p)| **p > 0.0 && **p < 1.0)
                        .map(|(i, p)| format!("worker {} at {:.0}%", i + 1, p * 100.0))
                        .collect();
                    let lanes = if lanes.is_empty() {
                        String::new()
                    } else {
                        format!("; {}", lanes.join(", "))
                    };
                    format!(
                        "Running “{title}”: {} of {} done ({done} of {total} overall{lanes}).",
                        trace.completed(),
                        trace.task_count
                    )
                }
                (Phase::Running, None) => format!("Running: {done} of {total} tasks done."),
                (Phase::Done, _) => format!("Done: {done} of {total} tasks completed."),
                (Phase::Cancelled, _) => format!(
                    "Cancelled: {done} of {total} tasks had completed; pending timers were cleared."
                ),
            }
        })
    };
    let ideal_line = move || {
        scenario.with(|s| match s {
            Some(s) if s.cpu.is_some() => {
                let spec = s.cpu.as_ref().map(|c| c.resolved(hw_cores.max(1))).unwrap();
                format!(
                    "Each way will {}; {} workers for the parallel ways (this browser reports {} cores).",
                    spec.kernel.describe(),
                    spec.workers,
                    hw_cores
                )
            }
            Some(s) => {
                let plan = Plan::new(s);
                let parts: Vec<String> = s
                    .strategies
                    .iter()
                    .map(|&st| {
                        format!(
                            "{} {} ms",
                            st.title().to_lowercase(),
                            fmt_ms(predict(st, &plan).resumed_ms)
                        )
                    })
                    .collect();
                format!("Ideal: {}.", parts.join("; "))
            }
            None => "Fix the highlighted field to run.".to_string(),
        })
    };

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

    let share_status = RwSignal::new(String::new());
    let share = move |embed: bool| {
        let (text, what) = draft.with_untracked(|d| {
            if embed {
                (
                    router::embed_snippet(&url::base_href(), d, false),
                    "Embed code",
                )
            } else {
                (
                    format!(
                        "{}#{}",
                        url::base_href(),
                        router::encode(d, &router::ViewOptions::default())
                    ),
                    "Link",
                )
            }
        });
        spawn_local(async move {
            share_status.set(match url::copy(&text).await {
                Ok(()) => format!("{what} copied."),
                Err(e) => format!("{what} ({e}); copy it by hand: {text}"),
            });
        });
    };

    // Embedded: post our height to the host page, and run at once if asked to.
    if view_opts.get_untracked().embed {
        url::report_height_to_parent();
    }
    if view_opts.get_untracked().autorun {
        request_animation_frame(run);
    }

    let field_view = move |id: FieldId| {
        view! {
            <Field
                id=id
                text=Signal::derive(move || draft.with(|d| d.text(id).to_string()))
                on_input=move |v: String| draft.update(|d| {
                    d.fields.insert(id, v);
                })
                message=Signal::derive(move || built.with(|b| b.messages.get(&id).cloned()))
                disabled=Signal::derive(running)
            />
        }
    };

    view! {
        <header class="top" class:embed=move || view_opts.get().embed>
            <Show when=move || view_opts.get().embed>
                <a
                    class="full-link"
                    data-testid="full-link"
                    target="_blank"
                    rel="noopener"
                    href=move || {
                        draft.with(|d| {
                            format!(
                                "{}#{}",
                                url::base_href(),
                                router::encode(d, &router::ViewOptions::default())
                            )
                        })
                    }
                >
                    "Open in the full playground ↗"
                </a>
            </Show>
            <h1>"Async vs Parallel Playground"</h1>
            <p class="tagline">
                "Waiting is not computing. Run real experiments in this browser and see the difference, measured."
            </p>
        </header>
        <main>
            <section class="card editor" aria-label="Experiment">
                <label class="field experiment-field">
                    <span>"Experiment"</span>
                    <select
                        data-testid="experiment"
                        prop:value=move || experiment.get().id()
                        prop:disabled=running
                        on:change=move |ev| {
                            if let Some(e) = Experiment::from_id(&event_target_value(&ev)) {
                                draft.set(Draft::preset(e));
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
                <Show when=move || link_notes.with(|n| !n.is_empty())>
                    <div class="link-notes" role="status" data-testid="link-notes">
                        <p>"This link had settings that could not be used as written:"</p>
                        <ul>
                            {move || {
                                link_notes
                                    .get()
                                    .into_iter()
                                    .map(|n| view! { <li>{n}</li> })
                                    .collect_view()
                            }}
                        </ul>
                        <button
                            data-testid="notes-reset"
                            on:click=move |_| {
                                draft.update(|d| *d = Draft::preset(d.experiment));
                                link_notes.set(Vec::new());
                            }
                        >
                            "Reset to the preset"
                        </button>
                        <button on:click=move |_| link_notes.set(Vec::new())>"Dismiss"</button>
                    </div>
                </Show>
                <p class="published" data-testid="published">
                    {move || experiment.get().published()}
                </p>
                <div class="fields" hidden=move || !view_opts.get().editor>
                    <For
                        each=move || visible.get().into_iter().filter(|f| !f.is_behaviour())
                        key=|id| *id
                        children=field_view
                    />
                </div>
                <details
                    class="behaviour"
                    // Compact in an embed: the options stay one click away.
                    open=!view_opts.get_untracked().embed
                    hidden=move || {
                        !view_opts.get().editor
                            || !visible.with(|v| v.iter().any(|f| f.is_behaviour()))
                    }
                >
                    <summary>"Timing, failures, timeouts and retries"</summary>
                    <div class="fields">
                        <For
                            each=move || visible.get().into_iter().filter(|f| f.is_behaviour())
                            key=|id| *id
                            children=field_view
                        />
                    </div>
                </details>
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
                    <button
                        data-testid="reset"
                        prop:disabled=running
                        on:click=move |_| draft.update(|d| *d = Draft::preset(d.experiment))
                    >
                        "Reset"
                    </button>
                    <button data-testid="copy-link" on:click=move |_| share(false)>
                        "Copy link"
                    </button>
                    <button
                        data-testid="copy-embed"
                        hidden=move || view_opts.get().embed
                        on:click=move |_| share(true)
                    >
                        "Copy embed code"
                    </button>
                    <span class="share-status" data-testid="share-status" role="status">
                        {move || share_status.get()}
                    </span>
                    <span class="predicted" data-testid="predicted">{ideal_line}</span>
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
            <details class="card gallery" data-testid="gallery" hidden=move || view_opts.get().embed>
                <summary>"All experiments"</summary>
                <ul>
                    {Experiment::ALL
                        .into_iter()
                        .map(|e| {
                            view! {
                                <li>
                                    <a
                                        data-testid=format!("gallery-{}", e.id())
                                        href=format!("#{}", router::preset_fragment(e))
                                    >
                                        {e.title()}
                                    </a>
                                    <p>{e.published()}</p>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </details>
            <CodePanel scenario=scenario cores=hw_cores.max(1) />
            <Results views=views phase=phase />
            <CpuResults views=cpu_views cores=hw_cores.max(1) />
            <Show when=move || scenario.with(|s| s.as_ref().is_some_and(|s| s.cpu.is_some()))>
                <section class="card curve" aria-label="Speedup curve">
                    <h2>"Speedup curve"</h2>
                    <p>
                        "The shared-queue split on 1, 2, … workers, each measured without start-up, against the ideal line, Amdahl's law and the cores this browser reports."
                    </p>
                    <div class="actions">
                        <label class="field">
                            <span>"Serial part for Amdahl (%)"</span>
                            <input
                                type="text"
                                data-testid="serial"
                                prop:value=move || serial_text.get()
                                on:input=move |ev| serial_text.set(event_target_value(&ev))
                            />
                        </label>
                        <button
                            data-testid="run-curve"
                            prop:disabled=move || running() || scenario.with(Option::is_none)
                            on:click=move |_| run_curve()
                        >
                            "Measure the speedup curve"
                        </button>
                    </div>
                    <SpeedupChart
                        points=curve
                        serial=Signal::derive(move || {
                            crate::input::bounded(&serial_text.get(), "a percentage", 0, 100, "", "%")
                                .value()
                                .unwrap_or(5) as f64 / 100.0
                        })
                        cores=hw_cores
                    />
                </section>
            </Show>
        </main>
        <footer class="env" data-testid="env" hidden=move || view_opts.get().embed>
            {format!("This browser reports {hw_cores} cores. ")}
            <span data-testid="worker-status">"Web Worker: " {move || worker_status.get()}</span>
        </footer>
    }
}

/// One validated text field with its message.
#[component]
fn Field(
    /// Which field (label, test id).
    id: FieldId,
    /// The raw text, as typed.
    text: Signal<String>,
    /// Called with the new text on every keystroke.
    on_input: impl Fn(String) + 'static,
    /// Message to show beside the field (a refusal or a clamping note).
    message: Signal<Option<crate::editor::FieldMessage>>,
    /// True while a run is in flight.
    disabled: Signal<bool>,
) -> impl IntoView {
    let testid = id.id();
    let msg_id = format!("{testid}-msg");
    let invalid = move || message.with(|m| m.as_ref().is_some_and(|m| m.invalid));
    view! {
        <label class="field" class:invalid=invalid>
            <span>{id.label()}</span>
            <input
                type="text"
                autocomplete="off"
                spellcheck="false"
                data-testid=testid
                aria-invalid=move || invalid().to_string()
                aria-describedby=msg_id.clone()
                prop:value=move || text.get()
                prop:disabled=move || disabled.get()
                on:input=move |ev| on_input(event_target_value(&ev))
            />
            <span class="field-msg" id=msg_id.clone() data-testid=msg_id.clone() role="status">
                {move || message.get().map(|m| m.text).unwrap_or_default()}
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
                views
                    .get()
                    .into_iter()
                    .map(|v| {
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
    let ms = |v: f64| format!("{} ms", fmt_ms(v));
    let measured = match (stats.resumed_ms, view.begun) {
        (Some(v), _) => ms(v),
        (None, true) => format!("{} so far", ms(view.now_ms)),
        (None, false) => "not started".to_string(),
    };
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
                <div>
                    <dt>"Worst loop lag"</dt>
                    <dd data-testid=format!("lag-{id}") data-ms=format!("{:.3}", stats.max_lag_ms)>
                        {ms(stats.max_lag_ms)}
                    </dd>
                </div>
            </dl>
            <Timeline layout=layout label=format!("Timeline of {}", view.strategy.title()) />
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

/// A run ready to start: how to publish its state, the work, and how to mark it cancelled.
struct Prepared {
    publish: Rc<dyn Fn()>,
    work: std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>,
    finish_all: Rc<dyn Fn()>,
}

fn prepare_async(
    sc: &crate::scenario::Scenario,
    live: Rc<dyn Fn() -> bool>,
    views: RwSignal<Vec<StrategyView>>,
) -> Prepared {
    let plan = Arc::new(Plan::new(sc));
    let rt = BrowserRuntime;
    let recs: Rc<Vec<(Strategy, Prediction, Recorder)>> = Rc::new(
        sc.strategies
            .iter()
            .map(|&s| {
                let rec = Recorder::for_runtime(engine::task_count(s, &plan), &rt);
                (s, predict(s, &plan), rec)
            })
            .collect(),
    );
    let publish = {
        let (recs, plan) = (recs.clone(), plan.clone());
        Rc::new(move || {
            if live() {
                views.set(
                    recs.iter()
                        .map(|(s, p, r)| StrategyView::new(*s, &plan, *p, r))
                        .collect(),
                );
            }
        })
    };
    let work = {
        let recs = recs.clone();
        Box::pin(async move {
            for (s, _, rec) in recs.iter() {
                engine::run(&rt, *s, &plan, rec, RunOptions::default()).await;
            }
        })
    };
    let finish_all = Rc::new(move || {
        for (_, _, rec) in recs.iter() {
            rec.finish(true);
        }
    });
    Prepared {
        publish,
        work,
        finish_all,
    }
}

fn prepare_cpu(
    spec: &CpuSpec,
    cores: u32,
    live: Rc<dyn Fn() -> bool>,
    views: RwSignal<Vec<CpuView>>,
) -> Prepared {
    let spec = Arc::new(spec.clone());
    let runs: Rc<Vec<(Arc<CpuPlan>, Recorder)>> = Rc::new(
        spec.modes
            .iter()
            .map(|&m| {
                let plan = CpuPlan::new(&spec, m);
                let rec = Recorder::new(plan.task_count(), super::clock::now_ms);
                (Arc::new(plan), rec)
            })
            .collect(),
    );
    let publish = {
        let (runs, spec) = (runs.clone(), spec.clone());
        Rc::new(move || {
            if live() {
                views.set(
                    runs.iter()
                        .map(|(plan, rec)| {
                            let trace = rec.snapshot();
                            let now_ms = trace.elapsed_ms.unwrap_or_else(|| rec.elapsed_ms());
                            CpuView {
                                spec: spec.clone(),
                                plan: plan.clone(),
                                trace,
                                begun: rec.has_begun(),
                                now_ms,
                                cores,
                            }
                        })
                        .collect(),
                );
            }
        })
    };
    let work = {
        let runs = runs.clone();
        Box::pin(async move {
            for (plan, rec) in runs.iter() {
                super::cpu::run(plan, rec).await;
            }
        })
    };
    let finish_all = Rc::new(move || {
        for (_, rec) in runs.iter() {
            rec.finish(true);
        }
    });
    Prepared {
        publish,
        work,
        finish_all,
    }
}

/// What the results area shows for one way of running CPU work.
#[derive(Clone, Debug, PartialEq)]
struct CpuView {
    spec: Arc<CpuSpec>,
    plan: Arc<CpuPlan>,
    trace: Trace,
    begun: bool,
    now_ms: f64,
    cores: u32,
}

impl CpuView {
    fn title(&self) -> String {
        self.plan.mode.title(self.spec.workers)
    }

    /// The measured time: until the work ended (or was stopped).
    fn measured_ms(&self) -> Option<f64> {
        self.trace.resumed_ms()
    }

    /// The measured time without the workers' start-up: what the computing itself took.
    fn compute_ms(&self) -> Option<f64> {
        self.measured_ms()
            .map(|m| m - self.trace.startup_ms.unwrap_or(0.0))
    }
}

/// The CPU experiment's results: one card per way, on one time axis.
#[component]
fn CpuResults(views: RwSignal<Vec<CpuView>>, cores: u32) -> impl IntoView {
    // The one-worker run is the baseline: the whole job on one core, away from the page,
    // without its start-up (cold workers are shown separately, not folded into speedups).
    let baseline = Memo::new(move |_| {
        views.with(|vs| {
            vs.iter()
                .find(|v| v.plan.mode == CpuMode::OneWorker && !v.trace.cancelled)
                .filter(|v| v.trace.is_finished())
                .and_then(CpuView::compute_ms)
        })
    });
    let domain =
        Memo::new(move |_| views.with(|vs| vs.iter().map(|v| v.now_ms).fold(0.0, f64::max)));
    view! {
        <section class="results" aria-label="CPU results">
            {move || {
                views
                    .get()
                    .into_iter()
                    .map(|v| {
                        let ideal = baseline.get().map(|b| {
                            v.plan.ideal_ms(b, cores as usize) + v.trace.startup_ms.unwrap_or(0.0)
                        });
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
    let state = if t.cancelled {
        "cancelled"
    } else if t.is_finished() {
        "done"
    } else if view.begun {
        "running"
    } else {
        "waiting"
    };
    let ms = |v: f64| format!("{} ms", fmt_ms(v));
    let measured = match (view.measured_ms(), view.begun) {
        (Some(v), _) => ms(v),
        (None, true) => format!("{} so far", ms(view.now_ms)),
        (None, false) => "not started".to_string(),
    };
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
                <div>
                    <dt>"Worst loop lag"</dt>
                    <dd data-testid=format!("lag-{id}") data-ms=format!("{:.3}", stats.max_lag_ms)>
                        {ms(stats.max_lag_ms)}
                    </dd>
                </div>
            </dl>
            <Timeline layout=layout label=format!("Timeline of {}", view.title()) />
            {outcome.map(|o| view! { <p class="outcome" data-testid=format!("outcome-{id}")>{o}</p> })}
            {t.error.clone().map(|e| view! { <p class="cancel-note" data-testid=format!("error-{id}")>{e}</p> })}
            <p class="why">{crate::cpu::explain(&view.spec, view.plan.mode, view.cores)}</p>
        </article>
    }
}

/// Draws a computed speedup layout, with the numbers as a table for screen readers.
#[component]
fn SpeedupChart(
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

/// The code behind the current scenario, in the readers' languages, generated from it so the
/// numbers match the experiment.
#[component]
fn CodePanel(scenario: Memo<Option<crate::scenario::Scenario>>, cores: u32) -> impl IntoView {
    use crate::codegen::{snippets, Lang};
    let lang = RwSignal::new(Lang::CSharp);
    let copied = RwSignal::new(String::new());
    let code = Memo::new(move |_| {
        scenario.with(|s| {
            s.as_ref()
                .map(|s| {
                    let mut s = s.clone();
                    s.cpu = s.cpu.map(|c| c.resolved(cores));
                    let l = lang.get();
                    let comment = if l == Lang::Python { "#" } else { "//" };
                    snippets(&s, l)
                        .into_iter()
                        .map(|sn| format!("{comment} {}\n{}", sn.title, sn.code))
                        .collect::<Vec<_>>()
                        .join("\n\n")
                })
                .unwrap_or_default()
        })
    });
    view! {
        <details class="card code-panel" data-testid="code-panel">
            <summary>"The code behind it"</summary>
            <div class="actions" role="tablist">
                {Lang::ALL
                    .into_iter()
                    .map(|l| {
                        view! {
                            <button
                                role="tab"
                                data-testid=format!("lang-{}", l.id())
                                aria-selected=move || (lang.get() == l).to_string()
                                class:primary=move || lang.get() == l
                                on:click=move |_| lang.set(l)
                            >
                                {l.title()}
                            </button>
                        }
                    })
                    .collect_view()}
                <button
                    data-testid="copy-code"
                    on:click=move |_| {
                        let text = code.get_untracked();
                        spawn_local(async move {
                            copied.set(match url::copy(&text).await {
                                Ok(()) => "Code copied.".to_string(),
                                Err(e) => format!("Could not copy ({e}): select the code instead."),
                            });
                        });
                    }
                >
                    "Copy code"
                </button>
                <span class="share-status" role="status">{move || copied.get()}</span>
            </div>
            <pre class="code" data-testid="code"><code>{move || code.get()}</code></pre>
        </details>
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
            viewBox=format!("0 0 {} {}", layout.width, px(layout.height))
            role="img"
            aria-label=label
        >
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
