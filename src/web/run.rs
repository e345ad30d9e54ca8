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
use crate::model::plan::Plan;
use crate::model::predict::{predict, Prediction};
use crate::model::scenario::Strategy;
use crate::trace::results::{CpuView, StrategyView};

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
    /// The least time between two redraws while the run is in flight, ms (0: every frame); the
    /// work may change it as it goes (a CPU run, way by way).
    pub(crate) redraw_every_ms: Rc<Cell<f64>>,
    pub(crate) work: std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>,
    pub(crate) finish_all: Rc<dyn Fn()>,
}

pub(crate) fn prepare_async(
    sc: &crate::model::scenario::AsyncWork,
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
                views.set(recs.iter().map(|(s, p, r)| r.view(*s, &plan, *p)).collect());
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
        // Every frame: the timers are what is measured, and their bars move with them.
        redraw_every_ms: Rc::new(Cell::new(0.0)),
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
    let every = Rc::new(Cell::new(0.0));
    let work = {
        let (runs, every) = (runs.clone(), every.clone());
        Box::pin(async move {
            for (plan, rec) in runs.iter() {
                every.set(crate::cpu::redraw_every_ms(plan.assignment.lanes(), cores));
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
        redraw_every_ms: every,
        work,
        finish_all,
    }
}
