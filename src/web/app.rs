//! The Leptos components. They hold signals and call into the pure modules; decisions (what a
//! field accepts, what a strategy should cost, where a bar goes, what a result means) are made
//! there, not here.

use std::rc::Rc;

use futures::future::{select, Abortable, Either};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::code_panel::CodePanel;
use super::results::{CpuResults, Results};
use super::run::{
    next_frame, prepare_async, prepare_cpu, CpuView, Phase, RunControl, StrategyView,
};
use super::speedup::SpeedupChart;
use super::url;
use super::worker_client::{WorkerClient, WORKER_URL};
use crate::cpu::{CpuMode, CpuPlan, CpuSpec};
use crate::editor::{Draft, FieldId};
use crate::engine::Recorder;
use crate::plan::Plan;
use crate::predict::{fmt_ms, predict};
use crate::router;
use crate::scenario::Experiment;
use crate::speedup_chart::CurvePoint;
use crate::trace::Trace;

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
