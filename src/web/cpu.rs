//! Runs a [`CpuPlan`] for real: on the page's own thread (which freezes it, capped), or on
//! workers of the pool, each piece a `Run` message; records the timeline per lane.
//!
//! Cancellation: drop the future. Workers it holds are dropped too, which terminates them
//! mid-job; the pool spawns fresh ones next time, so no late answer reaches a later run.

use std::cell::{Cell, RefCell};
use std::pin::pin;

use futures::future::{join_all, select};

use super::clock::now_ms;
use super::executor::BrowserRuntime;
use super::pool;
use super::worker_client::WorkerClient;
use crate::cpu::{Assignment, CpuMode, CpuPlan, MAIN_THREAD_CAP_MS};
use crate::engine::{lag_probe, Recorder};
use crate::kernels::run_job;
use crate::trace::{GroupOutcome, Outcome};

/// Interval of the event-loop lag probe, ms.
const PROBE_MS: u32 = 50;

/// Runs `plan`, recording into `rec`, with the event-loop lag probe beside it.
pub async fn run(plan: &CpuPlan, rec: &Recorder) {
    rec.begin();
    let body = async {
        match plan.mode {
            CpuMode::MainThread => {
                on_main_thread(plan, rec);
                // Let the loop catch up so the probe's overdue timer fires and records how long
                // the page was frozen. A timer with the probe's own interval is guaranteed to
                // fire after it (same timeout, set later); a 0 ms one is not.
                gloo_timers::future::TimeoutFuture::new(PROBE_MS).await;
            }
            _ => on_workers(plan, rec).await,
        }
    };
    let _ = select(pin!(lag_probe(&BrowserRuntime, rec, PROBE_MS)), pin!(body)).await;
    rec.finish(false);
}

fn on_main_thread(plan: &CpuPlan, rec: &Recorder) {
    rec.name_lanes(vec!["main thread".into()]);
    let mut value = 0u64;
    let mut capped = false;
    // No await in this loop: that is the point. Nothing else on the page runs until it ends.
    for (i, piece) in plan.pieces.iter().enumerate() {
        if rec.elapsed_ms() >= MAIN_THREAD_CAP_MS {
            capped = true;
            break;
        }
        rec.started_on(i, 0, 0);
        match run_job(&piece.job, &mut now_ms) {
            Ok(out) => {
                value += out.value;
                rec.ended(i, Outcome::Completed);
            }
            Err(_) => rec.ended(i, Outcome::Failed),
        }
    }
    rec.update(|t, _| t.value = Some(value));
    rec.resume(if capped {
        GroupOutcome::Capped
    } else {
        GroupOutcome::AllCompleted
    });
}

async fn on_workers(plan: &CpuPlan, rec: &Recorder) {
    let lanes = plan.assignment.lanes();
    rec.name_lanes((1..=lanes).map(|i| format!("worker {i}")).collect());
    let workers = match pool::take(lanes).await {
        Ok(w) => w,
        Err(e) => {
            // Workers unavailable (blocked, or the script failed): say so; the page still runs
            // the event-loop experiments.
            rec.update(|t, _| t.error = Some(format!("No workers could be started: {e}")));
            rec.resume(GroupOutcome::Failed {
                first: 0,
                all: vec![],
            });
            return;
        }
    };
    rec.update(|t, at| t.startup_ms = Some(at));
    let run_id = pool::next_id();
    let value = Cell::new(0u64);
    let failed = RefCell::new(Vec::new());
    let next = Cell::new(0usize);
    let healthy = RefCell::new(Vec::new());
    let lane_loop = |lane: usize, mut worker: WorkerClient| {
        let (value, failed, next, healthy) = (&value, &failed, &next, &healthy);
        async move {
            let mut fixed = match &plan.assignment {
                Assignment::Fixed(l) => Some(l[lane].clone().into_iter()),
                Assignment::Queue { .. } => None,
            };
            loop {
                let i = match fixed.as_mut() {
                    Some(it) => match it.next() {
                        Some(i) => i,
                        None => break,
                    },
                    None => {
                        let i = next.get();
                        if i >= plan.pieces.len() {
                            break;
                        }
                        next.set(i + 1);
                        i
                    }
                };
                rec.started_on(i, lane, 0);
                match worker
                    .run(run_id, i as u32, plan.pieces[i].job.clone())
                    .await
                {
                    Ok(done) => {
                        value.set(value.get() + done.value);
                        rec.ended(i, Outcome::Completed);
                    }
                    Err(e) => {
                        rec.ended(i, Outcome::Failed);
                        rec.update(|t, _| {
                            t.error
                                .get_or_insert_with(|| format!("Piece #{}: {}", i + 1, e.message));
                        });
                        failed.borrow_mut().push((i as u32, e.message.clone()));
                        if e.fatal {
                            // The worker died with the job: replace it and carry on.
                            match pool::take(1).await.ok().and_then(|mut w| w.pop()) {
                                Some(fresh) => worker = fresh,
                                None => return,
                            }
                        }
                    }
                }
            }
            healthy.borrow_mut().push(worker);
        }
    };
    join_all(
        workers
            .into_iter()
            .enumerate()
            .map(|(lane, w)| lane_loop(lane, w)),
    )
    .await;
    pool::give_back(healthy.into_inner());
    rec.update(|t, _| t.value = Some(value.get()));
    let failed = failed.into_inner();
    match failed.first() {
        None => rec.resume(GroupOutcome::AllCompleted),
        Some(&(first, _)) => rec.resume(GroupOutcome::Failed {
            first,
            all: failed.iter().map(|f| f.0).collect(),
        }),
    }
}
