//! Runs a [`CpuPlan`] for real: on the page's own thread (which freezes it, capped), or on
//! workers of the pool, each piece a `Run` message; records the timeline per lane.
//!
//! Cancellation: drop the future. Workers it holds are dropped too, which terminates them
//! mid-job; the pool spawns fresh ones next time, so no late answer reaches a later run.
//!
//! Faults: a worker that panics, crashes, or says nothing for the stall limit (see
//! [`super::worker_client::stall_limit_ms`], then it is terminated) fails its piece, with the
//! reason in the trace's error, and is replaced by a fresh worker for the pieces left.

use std::cell::{Cell, RefCell};
use std::pin::pin;

use futures::future::select;
use futures::FutureExt;

use super::clock::now_ms;
use super::executor::BrowserRuntime;
use super::pool;
use super::timers::Sleep;
use super::worker_client::{stalled_message, WorkerClient};

use crate::cpu::kernels::{run_job, warm_up};
use crate::cpu::protocol::WorkerError;
use crate::cpu::{
    Assignment, CpuMode, CpuPlan, MAIN_THREAD_CAP_MS, PIPELINE_CYCLES, PIPELINE_FETCH_MS,
    PIPELINE_SAVE_MS, PIPELINE_WAIT_MS,
};
use crate::engine::{join_calls, lag_probe, Recorder};
use crate::trace::{GroupOutcome, Outcome};

/// Interval of the event-loop lag probe, ms.
const PROBE_MS: u32 = 50;

thread_local! {
    /// The kernels the page's own thread has been warmed up for (once per page, as a worker
    /// kept in the pool is warmed once).
    static MAIN_WARMED: RefCell<Vec<&'static str>> = const { RefCell::new(Vec::new()) };
}

/// Runs `plan`, recording into `rec`, with the event-loop lag probe beside it.
///
/// The clock starts once the way is ready and warm: its workers spawned, loaded and warmed up
/// for the kernel, or, on the main thread, the kernel warmed up there. That start-up is recorded
/// apart ([`crate::trace::Trace::startup_ms`], `warmup_ms`), never inside the measured time.
/// `before_clock` runs once the way is ready, just before its clock starts (the page draws
/// what is done so far there, so the drawing takes no core from the way's workers).
pub async fn run(
    plan: &CpuPlan,
    rec: &Recorder,
    before_clock: futures::future::LocalBoxFuture<'_, ()>,
) {
    let ready = get_ready(plan, rec).await;
    before_clock.await;
    rec.begin();
    let body = async {
        let workers = match ready {
            Ok(w) => w,
            Err(e) => {
                // Workers unavailable (blocked, or the script failed): say so; the page still
                // runs the event-loop experiments.
                rec.update(|t, _| t.error = Some(format!("No workers could be started: {e}")));
                rec.resume(GroupOutcome::Failed {
                    first: 0,
                    all: vec![],
                });
                return;
            }
        };
        match plan.mode {
            CpuMode::MainThread => {
                on_main_thread(plan, rec);
                // Let the loop catch up so the probe's overdue timer fires and records how long
                // the page was frozen. A timer with the probe's own interval is guaranteed to
                // fire after it (same timeout, set later); a 0 ms one is not.
                Sleep::new(PROBE_MS).await;
            }
            CpuMode::Pipeline => pipeline(plan, rec, workers).await,
            _ => on_workers(plan, rec, workers).await,
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

/// Makes the way ready before its clock starts, and records how long that took: on the main
/// thread, warms the kernel up there (no workers); otherwise takes the plan's workers from the
/// pool (spawning what is missing) and warms each up for the kernel, side by side.
async fn get_ready(plan: &CpuPlan, rec: &Recorder) -> Result<Vec<WorkerClient>, WorkerError> {
    let job = plan.pieces.first().map(|p| &p.job);
    if plan.mode == CpuMode::MainThread {
        let kernel = job.map(warm_up::kernel);
        let cold = kernel.is_some_and(|k| MAIN_WARMED.with(|w| !w.borrow().contains(&k)));
        if let Some(piece) = job.and_then(warm_up::job).filter(|_| cold) {
            let t0 = now_ms();
            let mut times = Vec::new();
            while !warm_up::warmed_up(&times) {
                let t = now_ms();
                let _ = run_job(&piece, &mut now_ms);
                times.push(now_ms() - t);
            }
            let spent = now_ms() - t0;
            rec.update(|t, _| t.warmup_ms = Some(spent));
            MAIN_WARMED.with(|w| w.borrow_mut().extend(kernel));
        }
        return Ok(Vec::new());
    }
    let t0 = now_ms();
    let workers = pool::take(plan.assignment.lanes()).await?;
    let t_warm = now_ms();
    let Some(job) = job else {
        rec.update(|t, _| t.startup_ms = Some(t_warm - t0));
        return Ok(workers);
    };
    let run_id = pool::next_id();
    // Each worker warms up in its own slot, so they keep their order; boxed as the engine's
    // calls are, joined by the same code.
    let slots: Vec<RefCell<Option<Result<WorkerClient, WorkerError>>>> = workers
        .into_iter()
        .map(|w| RefCell::new(Some(Ok(w))))
        .collect();
    join_calls(slots.iter().map(|slot| {
        async move {
            let Some(Ok(mut w)) = slot.borrow_mut().take() else {
                return false;
            };
            let warmed = w.warm_up(run_id, job).await;
            let ok = warmed.is_ok();
            *slot.borrow_mut() = Some(warmed.map(|_| w).map_err(|e| {
                WorkerError::Failed(format!("a worker failed while warming up: {}", e.message))
            }));
            ok
        }
        .boxed_local()
    }))
    .await;
    let mut ready = Vec::new();
    for slot in slots.into_iter().filter_map(RefCell::into_inner) {
        match slot {
            Ok(w) => ready.push(w),
            Err(e) => {
                pool::give_back(ready);
                return Err(e);
            }
        }
    }
    let done = now_ms();
    rec.update(|t, _| {
        t.startup_ms = Some(done - t0);
        t.warmup_ms = Some(done - t_warm);
    });
    Ok(ready)
}

async fn on_workers(plan: &CpuPlan, rec: &Recorder, workers: Vec<WorkerClient>) {
    let lanes = plan.assignment.lanes();
    rec.name_lanes((1..=lanes).map(|i| format!("worker {i}")).collect());
    let batch = run_pieces(plan, rec, workers, 0, 0).await;
    pool::give_back(batch.healthy);
    rec.update(|t, _| t.value = Some(batch.value));
    resume_after(rec, &batch.failed);
}

fn resume_after(rec: &Recorder, failed: &[u32]) {
    match failed.first() {
        None => rec.resume(GroupOutcome::AllCompleted),
        Some(&first) => rec.resume(GroupOutcome::Failed {
            first,
            all: failed.to_vec(),
        }),
    }
}

/// What one pass over the plan's pieces gave.
struct Batch {
    healthy: Vec<WorkerClient>,
    value: u64,
    failed: Vec<u32>,
}

/// Runs every piece of `plan` on `workers` (lane `lane_offset + i` for worker `i`), recording
/// piece `p` as task `task_offset + p`. A worker that dies with its piece is replaced.
async fn run_pieces(
    plan: &CpuPlan,
    rec: &Recorder,
    workers: Vec<WorkerClient>,
    task_offset: usize,
    lane_offset: usize,
) -> Batch {
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
            let row = lane_offset + lane;
            // The next piece of this lane: its own list's next, or the queue's.
            let mut pick = || match fixed.as_mut() {
                Some(it) => it.next(),
                None => {
                    let i = next.get();
                    (i < plan.pieces.len()).then(|| {
                        next.set(i + 1);
                        i
                    })
                }
            };
            let queue =
                |w: &WorkerClient, i: usize| w.queue(run_id, i as u32, plan.pieces[i].job.clone());
            let Some(mut i) = pick() else {
                healthy.borrow_mut().push(worker);
                return true;
            };
            rec.started_on(task_offset + i, row, 0);
            let mut sent = queue(&worker, i);
            loop {
                let task = task_offset + i;
                // The lane's next piece goes to the worker now: it starts it the moment this
                // one ends, without waiting for the page to hand it over (a redraw on the main
                // thread would otherwise leave the worker idle meanwhile).
                let following = pick();
                let mut queued = following.map(|n| queue(&worker, n).is_ok());
                let mut progress = |f: f64| {
                    rec.update(|t, _| {
                        if t.lane_progress.len() <= row {
                            t.lane_progress.resize(row + 1, 0.0);
                        }
                        t.lane_progress[row] = f;
                    })
                };
                progress(0.0);
                let answer = match sent {
                    Ok(()) => worker.answer(run_id, i as u32, &mut progress).await,
                    Err(e) => Err(e),
                };
                match answer {
                    Ok(done) => {
                        value.set(value.get() + done.value);
                        rec.ended(task, Outcome::Completed);
                    }
                    Err(e) => {
                        rec.ended(task, Outcome::Failed);
                        let why = match e.stalled_ms {
                            Some(ms) => stalled_message(&format!("worker {}", lane + 1), ms),
                            None => e.message,
                        };
                        rec.update(|t, _| {
                            t.error
                                .get_or_insert_with(|| format!("Piece #{}: {why}", task + 1));
                        });
                        failed.borrow_mut().push(task as u32);
                        if e.fatal {
                            // The worker died with the job, or was stopped because it stopped
                            // answering: replace it, warm for the kernel as the others are
                            // (a cold one would run its first pieces slower), and carry on.
                            // The piece queued behind went with it: it is sent again.
                            match pool::take(1).await.ok().and_then(|mut w| w.pop()) {
                                Some(mut fresh) => {
                                    let piece = &plan.pieces[i].job;
                                    if fresh.warm_up(pool::next_id(), piece).await.is_err() {
                                        return true;
                                    }
                                    worker = fresh;
                                    queued = queued.map(|_| false);
                                }
                                None => return true,
                            }
                        }
                    }
                }
                let Some(n) = following else { break };
                sent = match queued {
                    Some(true) => Ok(()),
                    _ => queue(&worker, n),
                };
                rec.started_on(task_offset + n, row, 0);
                i = n;
            }
            healthy.borrow_mut().push(worker);
            true
        }
        .boxed_local()
    };
    // Boxed to the engine's one joined type: the join's code is in the wasm once.
    join_calls(
        workers
            .into_iter()
            .enumerate()
            .map(|(lane, w)| lane_loop(lane, w)),
    )
    .await;
    Batch {
        healthy: healthy.into_inner(),
        value: value.get(),
        failed: failed.into_inner(),
    }
}

/// Scenario J: fetch (I/O on the loop), process in parallel (CPU on workers), save (I/O),
/// pause, repeat. Lane 0 is the event loop, lanes 1.. are the workers.
async fn pipeline(plan: &CpuPlan, rec: &Recorder, mut workers: Vec<WorkerClient>) {
    let lanes = plan.assignment.lanes();
    let mut names = vec!["event loop".to_string()];
    names.extend((1..=lanes).map(|i| format!("worker {i}")));
    rec.name_lanes(names);
    let n = plan.pieces.len();
    let mut value = 0;
    let mut failed = Vec::new();
    for cycle in 0..PIPELINE_CYCLES {
        let base = cycle * (n + 2);
        if cycle > 0 {
            Sleep::new(PIPELINE_WAIT_MS).await;
        }
        rec.started_on(base, 0, 0);
        Sleep::new(PIPELINE_FETCH_MS).await;
        rec.ended(base, Outcome::Completed);
        let batch = run_pieces(plan, rec, workers, base + 1, 1).await;
        workers = batch.healthy;
        value += batch.value;
        failed.extend(batch.failed);
        rec.started_on(base + n + 1, 0, 0);
        Sleep::new(PIPELINE_SAVE_MS).await;
        rec.ended(base + n + 1, Outcome::Completed);
    }
    pool::give_back(workers);
    rec.update(|t, _| t.value = Some(value));
    resume_after(rec, &failed);
}
