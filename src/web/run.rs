//! One run of a scenario in the page: what it publishes while it runs (the views), how it is
//! started and cancelled, and the prepared work for the event loop and for workers.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;

use futures::channel::oneshot;
use futures::future::{AbortHandle, AbortRegistration};
use leptos::prelude::*;

use super::executor::BrowserRuntime;
use crate::cpu::{CpuPlan, CpuSpec};
use crate::engine::{self, Recorder, RunOptions};
use crate::plan::Plan;
use crate::predict::{predict, Prediction};
use crate::scenario::Strategy;
use crate::trace::Trace;

/// Where a run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    Idle,
    Running,
    Done,
    Cancelled,
}

impl Phase {
    pub(crate) fn id(self) -> &'static str {
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
pub(crate) struct StrategyView {
    pub(crate) strategy: Strategy,
    pub(crate) plan: Arc<Plan>,
    pub(crate) ideal: Prediction,
    pub(crate) trace: Trace,
    /// Whether this strategy's run has begun.
    pub(crate) begun: bool,
    /// Elapsed ms of this strategy's run at the last frame (pending bars reach it).
    pub(crate) now_ms: f64,
}

impl StrategyView {
    pub(crate) fn new(
        strategy: Strategy,
        plan: &Arc<Plan>,
        ideal: Prediction,
        rec: &Recorder,
    ) -> Self {
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
pub(crate) struct RunControl {
    pub(crate) run_id: Cell<u32>,
    pub(crate) abort: RefCell<Option<AbortHandle>>,
}

impl RunControl {
    /// Stops the run in flight, if any, and starts a new one: its id, and the registration of
    /// the `Abortable` its work must be wrapped in so Cancel can stop it.
    pub(crate) fn restart(&self) -> (u32, AbortRegistration) {
        self.cancel();
        let id = self.run_id.get().wrapping_add(1);
        self.run_id.set(id);
        let (handle, registration) = AbortHandle::new_pair();
        *self.abort.borrow_mut() = Some(handle);
        (id, registration)
    }

    /// Stops the run in flight, if any.
    pub(crate) fn cancel(&self) {
        if let Some(h) = self.abort.take() {
            h.abort();
        }
    }
}

pub(crate) fn next_frame() -> oneshot::Receiver<()> {
    let (tx, rx) = oneshot::channel();
    request_animation_frame(move || {
        let _ = tx.send(());
    });
    rx
}

/// A run ready to start: how to publish its state, the work, and how to mark it cancelled.
pub(crate) struct Prepared {
    pub(crate) publish: Rc<dyn Fn()>,
    pub(crate) work: std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>,
    pub(crate) finish_all: Rc<dyn Fn()>,
}

pub(crate) fn prepare_async(
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

pub(crate) fn prepare_cpu(
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
pub(crate) struct CpuView {
    pub(crate) spec: Arc<CpuSpec>,
    pub(crate) plan: Arc<CpuPlan>,
    pub(crate) trace: Trace,
    pub(crate) begun: bool,
    pub(crate) now_ms: f64,
    pub(crate) cores: u32,
}

impl CpuView {
    pub(crate) fn title(&self) -> String {
        self.plan.mode.title(self.spec.workers)
    }

    /// The measured time: until the work ended (or was stopped).
    pub(crate) fn measured_ms(&self) -> Option<f64> {
        self.trace.resumed_ms()
    }

    /// The measured time without the workers' start-up: what the computing itself took.
    pub(crate) fn compute_ms(&self) -> Option<f64> {
        self.measured_ms()
            .map(|m| m - self.trace.startup_ms.unwrap_or(0.0))
    }
}

/// One strategy's (or one way of running CPU work's) result, in the one shape that the
/// comparison, exports, history, replay and repeated runs share.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ResultLine {
    /// Stable id (`sequential`, `dynamic`, …), as in the page's test ids.
    pub(crate) id: String,
    /// Name as the page shows it.
    pub(crate) name: String,
    /// What was recorded.
    pub(crate) trace: Trace,
    /// Predicted total, when known.
    pub(crate) ideal_ms: Option<f64>,
    /// Measured total: when the awaiting code continued (or the work ended); `None` while
    /// running or when cancelled.
    pub(crate) measured_ms: Option<f64>,
    /// What it held, in a few words ("10 timers at once", "2 workers").
    pub(crate) resources: String,
}

/// The CPU baseline: the whole job on one worker, without its start-up, once it has finished.
pub(crate) fn cpu_baseline(views: &[CpuView]) -> Option<f64> {
    views
        .iter()
        .find(|v| v.plan.mode == crate::cpu::CpuMode::OneWorker && !v.trace.cancelled)
        .filter(|v| v.trace.is_finished())
        .and_then(CpuView::compute_ms)
}

impl CpuView {
    /// The ideal time of this way, given the one-worker baseline (start-up added back).
    pub(crate) fn ideal_ms(&self, baseline: Option<f64>) -> Option<f64> {
        baseline.map(|b| {
            self.plan.ideal_ms(b, self.cores as usize) + self.trace.startup_ms.unwrap_or(0.0)
        })
    }
}

/// The result lines of whatever ran last: event-loop strategies or CPU ways.
pub(crate) fn result_lines(views: &[StrategyView], cpu: &[CpuView]) -> Vec<ResultLine> {
    let finished = |t: &Trace| t.resumed_ms().filter(|_| !t.cancelled && t.is_finished());
    let mut lines: Vec<ResultLine> = views
        .iter()
        .map(|v| ResultLine {
            id: v.strategy.id(),
            name: v.strategy.title(),
            ideal_ms: Some(v.ideal.resumed_ms),
            measured_ms: finished(&v.trace),
            resources: match v.trace.peak_in_flight() {
                1 => "1 call at a time".to_string(),
                n => format!("{n} calls at once"),
            },
            trace: v.trace.clone(),
        })
        .collect();
    let baseline = cpu_baseline(cpu);
    lines.extend(cpu.iter().map(|v| {
        use crate::cpu::CpuMode;
        ResultLine {
            id: v.plan.mode.id().to_string(),
            name: v.title(),
            ideal_ms: v.ideal_ms(baseline),
            measured_ms: finished(&v.trace),
            resources: match v.plan.mode {
                CpuMode::MainThread => "the page's thread".to_string(),
                CpuMode::OneWorker => "1 worker".to_string(),
                _ => format!("{} workers", v.spec.workers),
            },
            trace: v.trace.clone(),
        }
    }));
    lines
}
