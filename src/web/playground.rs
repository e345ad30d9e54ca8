//! The page's state and what can be done with it (in the manner of Leptos's `todomvc`, whose
//! `Todos` holds the data and its operations): the scenario being edited, the run in flight,
//! its results, the repeated runs, the speedup curve and the history. Every field is a signal
//! or a value derived from one; [`Playground`] is `Copy`, so components take it by value.
//!
//! Decisions are made in the pure modules (what a session keeps: [`crate::trace::session`];
//! sentences: [`crate::trace::report`]); the methods here only start, publish and stop.

use std::cell::RefCell;
use std::rc::Rc;

use futures::future::{select, AbortRegistration, Abortable};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::program::ProgramState;
use super::run::{next_frame, prepare_async, prepare_cpu, Prepared, RunControl};
use super::{clock, storage, url};
use crate::chart::speedup::CurvePoint;
use crate::cpu::{CpuMode, CpuPlan, CpuSpec, MAX_WORKERS};
use crate::engine::Recorder;
use crate::model::editor::{Built, Draft};
use crate::model::router::{self, ViewOptions};
use crate::model::scenario::{Scenario, Strategy, Work};
use crate::trace::history::History;
use crate::trace::repeat::RepeatTable;
use crate::trace::replay::Player;
use crate::trace::results::{result_lines, CpuView, Phase, ResultLine, StrategyView};
use crate::trace::session::{compare_with_previous, Ran, Session};

/// The run in flight's publish and finish-all (mark cancelled) functions.
type InFlight = (Rc<dyn Fn()>, Rc<dyn Fn()>);

/// Everything the page shows and edits.
#[derive(Clone, Copy)]
pub(crate) struct Playground {
    /// The editor's fields as typed; the URL follows it.
    pub draft: RwSignal<Draft>,
    /// How the page is shown (embed, editor, autorun), from the link.
    pub view_opts: RwSignal<ViewOptions>,
    /// What the opening link had that could not be used.
    pub link_notes: RwSignal<Vec<String>>,
    /// The scenario the fields build, with a message per field.
    pub built: Memo<Built>,
    /// The scenario to run; `None` while a field needs fixing.
    pub scenario: Memo<Option<Scenario>>,
    /// The link that reopens the current scenario in the full playground (Copy link, the
    /// embed's link to the full page, the exports).
    pub link: Memo<String>,
    pub phase: RwSignal<Phase>,
    /// The event-loop strategies of the run in flight or the last one.
    pub views: RwSignal<Vec<StrategyView>>,
    /// The CPU ways of the run in flight or the last one.
    pub cpu_views: RwSignal<Vec<CpuView>>,
    /// The finished run's lines; empty while a run is in flight, so nothing derived from them
    /// (summary, replay) is recomputed on every frame of a run.
    pub lines: Memo<Vec<ResultLine>>,
    /// The "Times" field of Run N times.
    pub repeat_text: RwSignal<String>,
    /// Runs ended and runs in all, while Run N times is in flight.
    pub repeat_progress: RwSignal<Option<(u32, u32)>>,
    pub repeat_table: RwSignal<Option<RepeatTable>>,
    pub player: RwSignal<Option<Player>>,
    pub history: RwSignal<History>,
    /// Why the history could not be read or kept, if so.
    pub history_note: RwSignal<Option<String>>,
    /// How the last run compares with the previous one of the same scenario.
    pub history_compare: RwSignal<Vec<String>>,
    /// Whether the tab was hidden during the run (its timers were throttled).
    pub unreliable: RwSignal<bool>,
    /// The speedup curve's points.
    pub curve: RwSignal<Vec<CurvePoint>>,
    /// What the browser reports in `navigator.hardwareConcurrency`.
    pub hw_cores: u32,
    /// The program's text, problems and card, when the scenario is a program.
    pub program: ProgramState,
    /// The width a card's chart gets, px (measured by the page).
    pub chart_width: RwSignal<f64>,
    ctl: StoredValue<Rc<RunControl>, LocalStorage>,
}

impl Playground {
    /// The page as the link `fragment` opens it (or the nearest valid scenario, with notes).
    pub fn open(fragment: &str) -> Self {
        let opened = router::decode(fragment);
        let draft = RwSignal::new(opened.draft);
        let built = Memo::new(move |_| draft.with(Draft::build));
        let phase = RwSignal::new(Phase::Idle);
        let views = RwSignal::new(Vec::new());
        let cpu_views = RwSignal::new(Vec::new());
        let (stored, stored_note) = storage::load();
        let program = ProgramState::new(draft);
        Playground {
            draft,
            view_opts: RwSignal::new(opened.view),
            link_notes: RwSignal::new(opened.notes),
            built,
            scenario: Memo::new(move |_| built.with(|b| b.scenario.clone())),
            link: Memo::new(move |_| {
                draft.with(|d| {
                    format!(
                        "{}#{}",
                        url::base_href(),
                        router::encode(d, &ViewOptions::default())
                    )
                })
            }),
            phase,
            views,
            cpu_views,
            lines: Memo::new(move |_| {
                if phase.get() == Phase::Running {
                    return Vec::new();
                }
                views.with(|v| {
                    cpu_views.with(|c| program.line.with(|p| result_lines(v, c, p.as_ref())))
                })
            }),
            repeat_text: RwSignal::new(crate::trace::repeat::DEFAULT_RUNS.to_string()),
            repeat_progress: RwSignal::new(None),
            repeat_table: RwSignal::new(None),
            player: RwSignal::new(None),
            history: RwSignal::new(stored),
            history_note: RwSignal::new(stored_note),
            history_compare: RwSignal::new(Vec::new()),
            unreliable: RwSignal::new(false),
            curve: RwSignal::new(Vec::new()),
            hw_cores: window().navigator().hardware_concurrency() as u32,
            program,
            chart_width: RwSignal::new(720.0),
            ctl: StoredValue::new_local(Rc::new(RunControl::default())),
        }
    }

    pub fn running(self) -> bool {
        self.phase.get() == Phase::Running
    }

    /// The cores to plan for: what the browser reports, at least one.
    pub fn cores(self) -> u32 {
        self.hw_cores.max(1)
    }

    /// Opens what the address bar now says (Back, forward, a hand-edited address), unless it
    /// is what the editor holds already.
    pub fn follow_url(self) {
        let f = url::fragment();
        let same = self
            .draft
            .with_untracked(|d| router::encode(d, &self.view_opts.get_untracked()) == f);
        if !same {
            let d = router::decode(&f);
            self.draft.set(d.draft);
            self.view_opts.set(d.view);
            self.link_notes.set(d.notes);
        }
    }

    /// Whether the scenario runs anything on workers.
    pub fn uses_workers(self) -> bool {
        self.scenario.with(|s| {
            s.as_ref().is_some_and(|s| match &s.work {
                Work::Cpu(_) => true,
                Work::Async(w) => w.strategies.contains(&Strategy::WorkerPerCall),
                // Known only as it runs (`worker(…)`); the footer says so when it does.
                Work::Program(_) => false,
            })
        })
    }

    /// Stops the run in flight, if any; it ends as cancelled.
    pub fn cancel(self) {
        self.ctl.get_value().cancel();
    }

    /// Stops any run in flight and starts a new one: its control, its id, the registration
    /// its work is wrapped in, and whether it is still the newest.
    fn start(self) -> (Rc<RunControl>, AbortRegistration, Rc<dyn Fn() -> bool>) {
        let ctl = self.ctl.get_value();
        let (run_id, registration) = ctl.restart();
        let live = {
            let ctl = ctl.clone();
            Rc::new(move || ctl.run_id.get() == run_id) as Rc<dyn Fn() -> bool>
        };
        self.phase.set(Phase::Running);
        (ctl, registration, live)
    }

    /// Marks the newest run as ended.
    fn end(self, ctl: &RunControl, cancelled: bool) {
        ctl.abort.take();
        self.phase.set(if cancelled {
            Phase::Cancelled
        } else {
            Phase::Done
        });
    }

    /// The work of one run, ready to start, with nothing of the previous run left in view.
    fn prepare(self, sc: &Scenario, live: Rc<dyn Fn() -> bool>) -> Prepared {
        self.program.line.set(None);
        match &sc.work {
            Work::Cpu(cpu) => {
                self.views.set(Vec::new());
                prepare_cpu(
                    &cpu.resolved(self.cores()),
                    self.cores(),
                    live,
                    self.cpu_views,
                )
            }
            Work::Async(work) => {
                self.cpu_views.set(Vec::new());
                prepare_async(work, live, self.views)
            }
            Work::Program(p) => {
                self.views.set(Vec::new());
                self.cpu_views.set(Vec::new());
                self.program
                    .prepare(p, self.cores(), self.chart_width, live)
            }
        }
    }

    /// The lines of the run that just ended (read while `phase` is still running).
    fn current_lines(self) -> Vec<ResultLine> {
        self.views.with_untracked(|v| {
            self.cpu_views.with_untracked(|c| {
                self.program
                    .line
                    .with_untracked(|p| result_lines(v, c, p.as_ref()))
            })
        })
    }

    /// Runs the scenario once (`repeats` = 0), or `repeats` times after a warm-up run.
    pub fn run(self, repeats: u32) {
        let Some(sc) = self.scenario.get_untracked() else {
            return;
        };
        let session = Rc::new(RefCell::new(Session::new(repeats)));
        self.player.set(None);
        self.repeat_table.set(None);
        self.history_compare.set(Vec::new());
        self.repeat_progress.set(session.borrow().progress());
        self.unreliable.set(document().hidden());
        let (ctl, registration, live) = self.start();
        // The run in flight: Cancel drops the work, then marks this one cancelled.
        let current: Rc<RefCell<Option<InFlight>>> = Rc::default();
        spawn_local(async move {
            let work = {
                let (current, session, live) = (current.clone(), session.clone(), live.clone());
                async move {
                    let total = session.borrow().total();
                    for _ in 0..total {
                        let prepared = self.prepare(&sc, live.clone());
                        *current.borrow_mut() =
                            Some((prepared.publish.clone(), prepared.finish_all.clone()));
                        run_with_redraws(prepared).await;
                        session.borrow_mut().run_ended(&self.current_lines());
                        if repeats > 0 {
                            let progress = session.borrow().progress();
                            self.repeat_progress.set(progress);
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
            self.repeat_progress.set(None);
            self.end(&ctl, cancelled);
            if !cancelled {
                self.keep(&session.borrow());
            }
        });
    }

    /// Keeps what a finished session leaves: the repeated runs' table, the history entry and
    /// how it compares with the previous run.
    fn keep(self, session: &Session) {
        let lines = self.lines.get_untracked();
        let ran = self.draft.with_untracked(|d| Ran {
            experiment_id: d.id().to_string(),
            experiment_title: d.title().to_string(),
            link: router::encode(d, &ViewOptions::default()),
            at_ms: js_sys::Date::now(),
        });
        let finished = session.finish(&lines, ran);
        self.repeat_table.set(finished.table);
        self.history.update(|h| {
            self.history_compare
                .set(compare_with_previous(h, &finished.entry));
            h.push(finished.entry);
        });
        self.history_note.set(
            storage::save(&self.history.get_untracked())
                .err()
                .map(|e| format!("This run could not be kept in the history: {e}.")),
        );
    }

    /// Measures the speedup curve: the shared-queue split on 1, 2, … workers, one after another
    /// (at least 4, so a 2-core machine shows the plateau past its cores).
    pub fn run_curve(self) {
        let Some(cpu) = self.scenario.get_untracked().and_then(|s| s.cpu().cloned()) else {
            return;
        };
        let top = cpu.workers_for(self.cores()).clamp(4, MAX_WORKERS);
        self.curve.set(Vec::new());
        let (ctl, registration, live) = self.start();
        spawn_local(async move {
            let work = async {
                for w in 1..=top {
                    let spec = CpuSpec {
                        workers: w,
                        ..cpu.clone()
                    };
                    let plan = CpuPlan::new(&spec, CpuMode::Dynamic);
                    let rec = Recorder::new(plan.pieces.len(), clock::now_ms);
                    super::cpu::run(&plan, &rec, Box::pin(async {})).await;
                    let ms = rec.with_trace(|t| t.resumed_ms());
                    if let (Some(ms), true) = (ms, live()) {
                        self.curve.update(|c| c.push(CurvePoint { workers: w, ms }));
                    }
                }
            };
            let cancelled = Abortable::new(work, registration).await.is_err();
            if live() {
                self.end(&ctl, cancelled);
            }
        });
    }

    /// Copies the link and says how it went in `status`.
    pub fn share(self, status: RwSignal<String>) {
        let text = self.link.get_untracked();
        spawn_local(async move {
            status.set(match url::copy(&text).await {
                Ok(()) => "Link copied.".to_string(),
                Err(e) => format!("Link ({e}); copy it by hand: {text}"),
            });
        });
    }
}

/// Runs prepared work, redrawing at most once a frame while it is in flight (one snapshot per
/// frame, not one per event), and less often while workers compute (its
/// [`super::run::Pacing`]): messages that arrive between redraws are coalesced into the next one.
async fn run_with_redraws(prepared: Prepared) {
    let Prepared {
        publish,
        pacing,
        work,
        ..
    } = prepared;
    publish();
    pacing.drawn_at.set(clock::now_ms());
    let pump = Box::pin({
        let (publish, pacing) = (publish.clone(), pacing.clone());
        async move {
            loop {
                // Until a redraw is due the page asks for no frame at all: an animation-frame
                // loop alone makes the browser run its rendering steps 60 times a second. The
                // work may have drawn meanwhile (a CPU run, before each way's clock starts).
                let wait = pacing.due_in(clock::now_ms());
                if wait > 0.0 {
                    super::timers::Sleep::new(wait.ceil() as u32).await;
                    continue;
                }
                let _ = next_frame().await;
                publish();
                pacing.drawn_at.set(clock::now_ms());
            }
        }
    });
    let _ = select(work, pump).await;
    publish();
}
