//! The Leptos components. They hold signals and call into the pure modules; decisions (what a
//! field accepts, what a strategy should cost, where a bar goes, what a result means) are made
//! there, not here.

use std::rc::Rc;

use futures::future::{select, Abortable};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::code_panel::CodePanel;
use super::history_panel::HistoryPanel;
use super::repeat_panel::{RepeatPanel, RepeatProgress};
use super::replay_bar::ReplayBar;
use super::results::OpenTables;
use super::results::{CpuResults, Results};
use super::run::{next_frame, prepare_async, prepare_cpu, RunControl};
use super::speedup::SpeedupChart;
use super::storage;
use super::summary::{baseline_index, Summary};
use super::url;
use crate::chart::speedup::CurvePoint;
use crate::cpu::{CpuMode, CpuPlan, CpuSpec};
use crate::engine::Recorder;
use crate::model::editor::{Draft, FieldId};
use crate::model::plan::Plan;
use crate::model::predict::predict;
use crate::model::router;
use crate::model::scenario::Experiment;
use crate::trace::history::{Entry, EntryRow};
use crate::trace::repeat::RepeatTable;
use crate::trace::replay::Player;
use crate::trace::results::{result_lines, CpuView, Phase, StrategyView};
use crate::trace::Trace;
use crate::units::fmt_ms;
use std::cell::RefCell;

/// The run in flight's publish and finish-all (mark cancelled) functions.
type InFlight = (Rc<dyn Fn()>, Rc<dyn Fn()>);

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
    // What the code worker writes the code from: the scenario as a link fragment.
    let code_fragment = Memo::new(move |_| {
        scenario
            .with(Option::is_some)
            .then(|| draft.with(crate::code_request::fragment_of))
    });
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
    // Repeated runs, replay, history and the hidden-tab warning (see their components).
    let repeat_text = RwSignal::new(crate::trace::repeat::DEFAULT_RUNS.to_string());
    let repeat_progress: RwSignal<RepeatProgress> = RwSignal::new(None);
    let repeat_table: RwSignal<Option<RepeatTable>> = RwSignal::new(None);
    let player: RwSignal<Option<Player>> = RwSignal::new(None);
    let (stored, stored_note) = storage::load();
    let history = RwSignal::new(stored);
    let history_note = RwSignal::new(stored_note);
    let history_compare: RwSignal<Vec<String>> = RwSignal::new(Vec::new());
    let unreliable = RwSignal::new(false);
    // A hidden tab's timers are throttled: a run that was hidden at any moment is marked.
    let _ = window_event_listener(leptos::ev::visibilitychange, move |_| {
        if document().hidden() && phase.get_untracked() == Phase::Running {
            unreliable.set(true);
        }
    });
    // The link that reopens the current scenario in the full playground (shared by Copy link,
    // the embed's "open in the full playground" and the exports).
    let link = Signal::derive(move || {
        draft.with(|d| {
            format!(
                "{}#{}",
                url::base_href(),
                router::encode(d, &router::ViewOptions::default())
            )
        })
    });
    // The finished run's lines; empty while a run is in flight, so nothing derived from them
    // (summary, replay) is recomputed on every frame of a run.
    let lines = Memo::new(move |_| {
        if phase.get() == Phase::Running {
            return Vec::new();
        }
        views.with(|v| cpu_views.with(|c| result_lines(v, c)))
    });

    // Runs the scenario once, or `repeats` times after a warm-up run when `repeats` > 0.
    let run = move |repeats: u32| {
        let Some(sc) = scenario.get_untracked() else {
            return;
        };
        let ctl = ctl.get_value();
        let (run_id, registration) = ctl.restart();
        let live = {
            let ctl = ctl.clone();
            Rc::new(move || ctl.run_id.get() == run_id) as Rc<dyn Fn() -> bool>
        };
        let total = if repeats > 0 { repeats + 1 } else { 1 };
        player.set(None);
        repeat_table.set(None);
        history_compare.set(Vec::new());
        repeat_progress.set((repeats > 0).then_some((0, total)));
        unreliable.set(document().hidden());
        phase.set(Phase::Running);
        let prepare = {
            let live = live.clone();
            move || match &sc.cpu {
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
            }
        };
        // The run in flight: Cancel drops the work, then marks this one cancelled.
        let current: Rc<RefCell<Option<InFlight>>> = Rc::default();
        spawn_local(async move {
            let samples: Rc<RefCell<Vec<Vec<Option<f64>>>>> = Rc::default();
            let work = {
                let (current, samples) = (current.clone(), samples.clone());
                async move {
                    for i in 0..total {
                        let prepared = prepare();
                        *current.borrow_mut() =
                            Some((prepared.publish.clone(), prepared.finish_all.clone()));
                        (prepared.publish)();
                        // Redraw at most once a frame while the run is in flight (one snapshot
                        // per frame, not one per event), and less often while workers compute
                        // (`redraw_every_ms`): messages that arrive between redraws are
                        // coalesced into the next one.
                        let pump = Box::pin({
                            let publish = prepared.publish.clone();
                            let every = prepared.redraw_every_ms;
                            async move {
                                let mut last = f64::NEG_INFINITY;
                                loop {
                                    let _ = next_frame().await;
                                    let now = super::clock::now_ms();
                                    if now - last >= every {
                                        last = now;
                                        publish();
                                    }
                                }
                            }
                        });
                        let _ = select(prepared.work, pump).await;
                        (prepared.publish)();
                        // The warm-up (run 0 of a repeated run) is not counted.
                        if repeats == 0 || i > 0 {
                            let measured = views.with_untracked(|v| {
                                cpu_views.with_untracked(|c| {
                                    result_lines(v, c)
                                        .into_iter()
                                        .map(|l| l.measured_ms)
                                        .collect()
                                })
                            });
                            samples.borrow_mut().push(measured);
                        }
                        if repeats > 0 {
                            repeat_progress.set(Some((i + 1, total)));
                        }
                    }
                }
            };
            let cancelled = Abortable::new(work, registration).await.is_err();
            let now = current.borrow_mut().take();
            if let (true, Some((_, finish_all))) = (cancelled, &now) {
                finish_all();
            }
            if !live() {
                return;
            }
            if let Some((publish, _)) = &now {
                publish();
            }
            ctl.abort.take();
            repeat_progress.set(None);
            phase.set(if cancelled {
                Phase::Cancelled
            } else {
                Phase::Done
            });
            if cancelled {
                return;
            }
            let lines = lines.get_untracked();
            let samples = samples.take();
            let mut rows: Vec<EntryRow> = lines
                .iter()
                .map(|l| EntryRow {
                    id: l.id.clone(),
                    name: l.name.clone(),
                    measured_ms: l.measured_ms,
                    ideal_ms: l.ideal_ms,
                })
                .collect();
            if repeats > 0 {
                let strategies: Vec<(String, String, String)> = lines
                    .iter()
                    .map(|l| (l.id.clone(), l.name.clone(), l.resources.clone()))
                    .collect();
                let t = crate::trace::repeat::table(
                    &strategies,
                    &samples,
                    baseline_index(&lines),
                    true,
                );
                // History keeps the mean of a repeated run.
                for (row, r) in rows.iter_mut().zip(&t.rows) {
                    row.measured_ms = r.time.as_ref().map(|s| s.mean);
                }
                repeat_table.set(Some(t));
            }
            let (experiment, title) = draft.with_untracked(|d| {
                (
                    d.experiment.id().to_string(),
                    d.experiment.title().to_string(),
                )
            });
            let fragment =
                draft.with_untracked(|d| router::encode(d, &router::ViewOptions::default()));
            let now_ms = js_sys::Date::now();
            let entry = Entry {
                at_ms: now_ms,
                experiment,
                title,
                link: fragment,
                runs: repeats.max(1),
                rows,
            };
            history.update(|h| {
                let compare = h
                    .previous(&entry.link, &entry.experiment, now_ms)
                    .map(|prev| {
                        let mut s = vec![if prev.link == entry.link {
                            format!(
                                "Your previous run of this scenario in this browser, {}:",
                                crate::trace::history::ago(now_ms, prev.at_ms)
                            )
                        } else {
                            format!(
                                "Your previous run of this experiment (with other settings), {}:",
                                crate::trace::history::ago(now_ms, prev.at_ms)
                            )
                        }];
                        s.extend(crate::trace::history::compare(&entry.rows, prev, now_ms));
                        s
                    })
                    .unwrap_or_default();
                history_compare.set(compare);
                h.push(entry);
            });
            history_note.set(
                storage::save(&history.get_untracked())
                    .err()
                    .map(|e| format!("This run could not be kept in the history: {e}.")),
            );
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
            .clamp(4, crate::model::scenario::MAX_WORKERS);
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
                    let ms = rec.with_trace(|t| t.resumed_ms());
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
    // Which "timeline as a table" boxes are open: cards are redrawn every frame of a run or a
    // replay, and the reader's choice must survive that.
    provide_context(OpenTables::default());
    let cursor = Signal::derive(move || player.with(|p| p.map(|p| p.position_ms)));
    let repeats = Memo::new(move |_| {
        crate::model::input::bounded(
            &repeat_text.get(),
            "a number of runs",
            2,
            crate::trace::repeat::MAX_RUNS as u64,
            "At least 2 runs, to compare.",
            " runs",
        )
    });

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
                            st.title().to_ascii_lowercase(),
                            fmt_ms(predict(st, &plan).resumed_ms)
                        )
                    })
                    .collect();
                format!("Ideal: {}.", parts.join("; "))
            }
            None => "Fix the highlighted field to run.".to_string(),
        })
    };

    // Workers load only when a run uses them: the event-loop experiments (most of them) never
    // download the worker's wasm, and a CPU experiment downloads it with its first run, not when
    // it opens (an embed that nobody runs costs nothing more). That first run's timeline shows
    // the workers' start-up as its own band; later runs find them warm.
    let worker_status = RwSignal::new("loads with the first run that uses workers".to_string());
    Effect::new(move |_| {
        let p = phase.get();
        let uses_workers = scenario.with_untracked(|s| {
            s.as_ref().is_some_and(|s| {
                s.cpu.is_some()
                    || s.strategies
                        .contains(&crate::model::scenario::Strategy::WorkerPerCall)
            })
        });
        if !uses_workers {
            return;
        }
        let warm = super::pool::idle_count();
        match p {
            Phase::Running if warm == 0 => worker_status.set("starting…".to_string()),
            Phase::Done | Phase::Cancelled if warm > 0 => {
                worker_status.set(format!("{warm} warm, kept for the next run"))
            }
            Phase::Done | Phase::Cancelled => {
                worker_status.set("none running (the run above says why)".to_string())
            }
            _ => {}
        }
    });

    // The clock's step in this browser, measured once the page has drawn (a few ms of reading
    // the clock in a loop, kept out of the page's start).
    let clock_step = RwSignal::new(None::<f64>);
    request_animation_frame(move || {
        set_timeout(
            move || clock_step.set(super::clock::step_ms()),
            std::time::Duration::ZERO,
        )
    });

    let share_status = RwSignal::new(String::new());
    let share = move |embed: bool| {
        let (text, what) = if embed {
            (
                draft.with_untracked(|d| router::embed_snippet(&url::base_href(), d, false)),
                "Embed code",
            )
        } else {
            (link.get_untracked(), "Link")
        };
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
        request_animation_frame(move || run(0));
    }

    // Every field is drawn once and hidden while the experiment has no use for it: cheaper
    // than adding and removing fields as experiments change.
    let field_view = move |id: FieldId| {
        view! {
            <Field
                id=id
                shown=Signal::derive(move || visible.with(|v| v.contains(&id)))
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
            <a
                hidden=move || !view_opts.get().embed
                class="full-link"
                data-testid="full-link"
                target="_blank"
                rel="noopener"
                href=link
            >
                "Open in the full playground ↗"
            </a>
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
                <div
                    class="link-notes"
                    role="status"
                    data-testid="link-notes"
                    hidden=move || link_notes.with(Vec::is_empty)
                >
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
                <p class="published" data-testid="published">
                    {move || experiment.get().published()}
                </p>
                <div class="fields" hidden=move || !view_opts.get().editor>
                    {FieldId::ALL.into_iter().filter(|f| !f.is_behaviour()).map(field_view).collect_view()}
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
                        {FieldId::ALL.into_iter().filter(|f| f.is_behaviour()).map(field_view).collect_view()}
                    </div>
                </details>
                <div class="actions">
                    <button
                        class="primary"
                        data-testid="run"
                        prop:disabled=move || running() || scenario.with(Option::is_none)
                        on:click=move |_| run(0)
                    >
                        "Run"
                    </button>
                    <button
                        data-testid="run-repeated"
                        title="One warm-up run, then the runs counted in the table"
                        prop:disabled=move || {
                            running() || scenario.with(Option::is_none)
                                || repeats.with(|r| r.is_invalid())
                        }
                        on:click=move |_| {
                            if let Some(n) = repeats.get_untracked().value() {
                                run(n as u32);
                            }
                        }
                    >
                        {move || match repeats.get().value() {
                            Some(n) => format!("Run {n} times"),
                            None => "Run several times".to_string(),
                        }}
                    </button>
                    <label class="field repeat-field" class:invalid=move || repeats.with(|r| r.is_invalid())>
                        <span>"Times"</span>
                        <input
                            type="text"
                            inputmode="numeric"
                            autocomplete="off"
                            data-testid="repeat-count"
                            aria-describedby="repeat-count-msg"
                            prop:value=move || repeat_text.get()
                            prop:disabled=running
                            on:input=move |ev| repeat_text.set(event_target_value(&ev))
                        />
                        <span class="field-msg" id="repeat-count-msg" data-testid="repeat-count-msg" role="status">
                            {move || repeats.with(|r| r.message().map(str::to_string)).unwrap_or_default()}
                        </span>
                    </label>
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
                <ul inner_html=crate::markup::gallery()></ul>
            </details>
            <CodePanel fragment=code_fragment cores=hw_cores.max(1) />
            <RepeatPanel progress=repeat_progress table=repeat_table />
            <Summary
                lines=lines
                experiment=Signal::derive(move || {
                    experiment.with(|e| (e.id().to_string(), e.title().to_string()))
                })
                link=link
                history_compare=history_compare
                unreliable=unreliable
            />
            <ReplayBar lines=lines player=player />
            <Results views=views phase=phase cursor=cursor />
            <CpuResults views=cpu_views cursor=cursor />
            <section
                class="card curve"
                aria-label="Speedup curve"
                hidden=move || !scenario.with(|s| s.as_ref().is_some_and(|s| s.cpu.is_some()))
            >
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
                        crate::model::input::bounded(&serial_text.get(), "a percentage", 0, 100, "", "%")
                            .value()
                            .unwrap_or(5) as f64 / 100.0
                    })
                    cores=hw_cores
                />
            </section>
            <HistoryPanel history=history note=history_note hidden=Signal::derive(move || view_opts.get().embed) />
        </main>
        <footer class="env" data-testid="env" hidden=move || view_opts.get().embed>
            {format!("This browser reports {hw_cores} cores. ")}
            <span data-testid="worker-status">"Web Worker: " {move || worker_status.get()}</span>
            " "
            <span data-testid="clock">{move || crate::trace::report::clock_sentence(clock_step.get())}</span>
        </footer>
    }
}

/// One validated text field with its message.
#[component]
fn Field(
    /// Which field (label, test id).
    id: FieldId,
    /// Whether the experiment uses it (hidden otherwise).
    shown: Signal<bool>,
    /// The raw text, as typed.
    text: Signal<String>,
    /// Called with the new text on every keystroke.
    on_input: impl Fn(String) + 'static,
    /// Message to show beside the field (a refusal or a clamping note).
    message: Signal<Option<crate::model::editor::FieldMessage>>,
    /// True while a run is in flight.
    disabled: Signal<bool>,
) -> impl IntoView {
    let testid = id.id();
    let msg_id = format!("{testid}-msg");
    let invalid = move || message.with(|m| m.as_ref().is_some_and(|m| m.invalid));
    view! {
        <label class="field" class:invalid=invalid hidden=move || !shown.get()>
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
