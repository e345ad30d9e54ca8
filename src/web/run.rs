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

/// How often a run in flight is redrawn, shared by the redraw loop and the work, which may
/// change it as it goes (a CPU run, way by way) and may draw at moments of its own choosing.
#[derive(Default)]
pub(crate) struct Pacing {
    /// The least time between two redraws, ms (0: every frame).
    pub(crate) every_ms: Cell<f64>,
    /// When the run was last drawn ([`super::clock::now_ms`]): the next redraw is due
    /// `every_ms` after it.
    pub(crate) drawn_at: Cell<f64>,
}

impl Pacing {
    pub(crate) fn every(ms: f64) -> Rc<Self> {
        let p = Self::default();
        p.every_ms.set(ms);
        Rc::new(p)
    }

    /// Milliseconds until the next redraw is due (0 or less: due now).
    pub(crate) fn due_in(&self, now_ms: f64) -> f64 {
        self.drawn_at.get() + self.every_ms.get() - now_ms
    }

    /// Publishes now and waits until the browser has laid out and painted it (or 100 ms, in a
    /// hidden page that paints nothing); the next redraw is then due `every_ms` later.
    pub(crate) async fn draw_now(&self, publish: &dyn Fn()) {
        publish();
        let frame = std::pin::pin!(next_frame());
        let _ = futures::future::select(frame, super::timers::Sleep::new(100)).await;
        // The frame's style, layout and paint run right after its animation-frame callbacks, in
        // the same task: a timer set now fires after them.
        super::timers::Sleep::new(0).await;
        self.drawn_at.set(super::clock::now_ms());
    }
}

/// A run ready to start: how to publish its state, the work, and how to mark it cancelled.
pub(crate) struct Prepared {
    pub(crate) publish: Rc<dyn Fn()>,
    pub(crate) pacing: Rc<Pacing>,
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
        pacing: Pacing::every(0.0),
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
    let pacing = Rc::new(Pacing::default());
    let work = {
        let (runs, pacing, publish) = (runs.clone(), pacing.clone(), publish.clone());
        Box::pin(async move {
            for (plan, rec) in runs.iter() {
                pacing
                    .every_ms
                    .set(crate::cpu::redraw_every_ms(plan.assignment.lanes(), cores));
                // What is done so far (the last way's result, this way's start-up) is drawn
                // and painted before this way's clock starts: drawn while its workers compute,
                // it would take a core from them on a machine with no core to spare.
                super::cpu::run(plan, rec, Box::pin(pacing.draw_now(&*publish))).await;
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
        pacing,
        work,
        finish_all,
    }
}
