//! Runs a program on any engine [`Runtime`]: its clock, its timers and its blocking, with worker
//! jobs run by a function the caller supplies. The browser passes its runtime and its worker
//! pool (the measurement); native tests pass the engine's virtual runtime.
//!
//! The machine sits in a `RefCell`, borrowed only while it runs a step, so the page can draw
//! its recording while the run waits on a timer or a worker.
//!
//! Cancelling: wrap [`run_on`] in `futures::future::abortable`, abort it (which drops its timer
//! and the job futures), then call [`Machine::cancel`].

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;

use futures::future::{select, Either};
use futures::stream::FuturesUnordered;
use futures::StreamExt;

use crate::cpu::kernels::Job;
use crate::engine::Runtime;

use super::machine::{Clock, Finished, JobId, Machine};

/// An engine runtime as the machine's [`Clock`].
pub struct RuntimeClock<'a, R: Runtime>(pub &'a R);

impl<R: Runtime> Clock for RuntimeClock<'_, R> {
    fn now_ms(&mut self) -> f64 {
        self.0.now_ms()
    }

    fn block_for(&mut self, ms: f64) {
        self.0.block_for(ms.max(0.0).ceil() as u32);
    }
}

/// A worker job in progress: its output, or why it failed.
pub type JobFuture = Pin<Box<dyn Future<Output = Result<u64, String>>>>;

/// A job in progress with the id the machine gave it.
type Answer = Pin<Box<dyn Future<Output = (JobId, Result<u64, String>)>>>;

/// Runs `machine` to its end on `rt`, starting each worker job with `run_job`.
pub async fn run_on<R: Runtime>(
    machine: &RefCell<Machine>,
    rt: &R,
    mut run_job: impl FnMut(Job) -> JobFuture,
) -> Finished {
    let mut jobs: FuturesUnordered<Answer> = FuturesUnordered::new();
    loop {
        let idle = machine.borrow_mut().run_until_idle(&mut RuntimeClock(rt));
        if let Some(done) = idle.done {
            return done;
        }
        for (id, job) in idle.jobs {
            let output = run_job(job);
            jobs.push(Box::pin(async move { (id, output.await) }));
        }
        let timer = idle
            .next_timer_ms
            .map(|at| rt.sleep((at - rt.now_ms()).max(0.0).ceil() as u32));
        let answered = match (timer, jobs.is_empty()) {
            (Some(timer), true) => {
                timer.await;
                None
            }
            (None, false) => jobs.next().await,
            (Some(timer), false) => match select(timer, jobs.next()).await {
                Either::Left(_) => None,
                Either::Right((answer, _)) => answer,
            },
            (None, true) => {
                // Nothing can move on, yet the machine did not end: end it rather than hang.
                machine.borrow_mut().cancel(&mut RuntimeClock(rt));
                continue;
            }
        };
        if let Some((id, output)) = answered {
            machine.borrow_mut().job_done(id, output);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::virtual_rt::VirtualRuntime;
    use crate::lang::driver::{default_job_cost, run_virtual};
    use crate::lang::examples;

    /// Runs `src` on the engine's virtual runtime, jobs costing [`default_job_cost`].
    fn run_on_engine(src: &str) -> (Finished, Machine) {
        let rt = VirtualRuntime::new();
        let m = RefCell::new(Machine::new(src).expect("parses"));
        let jobs_rt = rt.clone();
        let done = rt.block_on(run_on(&m, &rt, move |job| {
            let sleep = jobs_rt.sleep(default_job_cost(&job).round() as u32);
            Box::pin(async move {
                sleep.await;
                Ok(7)
            })
        }));
        (done, m.into_inner())
    }

    #[test]
    fn every_example_takes_the_same_time_on_the_engines_runtime_as_on_the_virtual_driver() {
        for (id, _, src) in examples::ALL {
            if src.contains("worker(") || src.contains("parallel(") {
                continue; // four workers there, unlimited here
            }
            let (done, _) = run_on_engine(src);
            let predicted = run_virtual(src).unwrap().finished;
            assert_eq!(done.main_ms, predicted.main_ms, "{id}");
            assert_eq!(
                done.error.map(|e| e.kind),
                predicted.error.map(|e| e.kind),
                "{id}"
            );
        }
    }

    #[test]
    fn jobs_run_through_the_supplied_function_and_spin_blocks_the_runtime() {
        let (done, m) = run_on_engine(
            "const n = await parallel(2, burn(300));\nspin(100);\nconsole.log(n, now());",
        );
        assert_eq!(done.error, None);
        assert_eq!(m.recording.log[0].text, "14 400");
    }
}
