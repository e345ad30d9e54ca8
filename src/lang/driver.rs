//! Runs a program on a virtual clock: time jumps to the next timer or job, so a 10-second
//! program runs in microseconds and always gives the same result. This is the prediction the
//! page shows beside the measured run (zero overhead, jobs costing what [`VirtualOptions`]
//! says).

use crate::cpu::kernels::{run_job, Job};
use crate::trace::Trace;

use super::error::ParseError;
use super::limits::Limits;
use super::machine::{Clock, Finished, JobId, Machine};
use super::trace::Recording;

/// A clock that only moves when told to.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct VirtualClock {
    /// The time, ms.
    pub now_ms: f64,
}

impl Clock for VirtualClock {
    fn now_ms(&mut self) -> f64 {
        self.now_ms
    }

    fn block_for(&mut self, ms: f64) {
        self.now_ms += ms.max(0.0);
    }
}

/// Options of [`run_virtual_with`]. Defaults: 4 workers, [`default_job_cost`], jobs of up to
/// 2 s really computed, the default [`Limits`].
pub struct VirtualOptions {
    /// Workers available; more jobs than this wait in a queue.
    pub workers: usize,
    /// How long a job takes on one worker, ms (the page passes the measured one-worker cost).
    pub job_cost_ms: Box<dyn Fn(&Job) -> f64>,
    /// Jobs whose cost is at most this many ms are really computed, so printed results are
    /// right; longer ones output 0 (the prediction must not freeze the page computing them).
    pub compute_jobs_up_to_ms: f64,
    /// The run's limits.
    pub limits: Limits,
}

impl Default for VirtualOptions {
    fn default() -> Self {
        VirtualOptions {
            workers: 4,
            job_cost_ms: Box::new(default_job_cost),
            compute_jobs_up_to_ms: 2_000.0,
            limits: Limits::default(),
        }
    }
}

/// A rough cost: primes below 100,000 in 500 ms (the articles' figure), a default Mandelbrot
/// (800 × 600, 500 iterations) in about 130 ms, `burn(ms)` in `ms`.
pub fn default_job_cost(job: &Job) -> f64 {
    match job {
        Job::CountPrimes { start, end } => end.saturating_sub(*start) as f64 / 200.0,
        Job::Mandelbrot {
            spec,
            rows_start,
            rows_end,
        } => {
            let rows = rows_end.saturating_sub(*rows_start) as f64;
            rows * f64::from(spec.width) * f64::from(spec.max_iter) / 1.8e9
        }
        Job::Spin { ms } | Job::Stall { ms } => ms.max(0.0),
        Job::Panic { .. } => 0.0,
    }
}

/// What a virtual run gives.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// How it ended.
    pub finished: Finished,
    /// Lanes and log.
    pub recording: Recording,
    /// The lanes as the app's trace.
    pub trace: Trace,
}

/// Runs `src` on a virtual clock with the default options.
pub fn run_virtual(src: &str) -> Result<Report, ParseError> {
    run_virtual_with(src, &VirtualOptions::default())
}

/// Runs `src` on a virtual clock.
pub fn run_virtual_with(src: &str, options: &VirtualOptions) -> Result<Report, ParseError> {
    let mut machine = Machine::new(src)?.with_limits(options.limits);
    let mut clock = VirtualClock::default();
    // Jobs waiting for a worker, and jobs running: (finish time, id, output).
    let mut queue: std::collections::VecDeque<(JobId, Job)> = Default::default();
    let mut running: Vec<(f64, JobId, Result<u64, String>)> = Vec::new();
    let finished = loop {
        let idle = machine.run_until_idle(&mut clock);
        if let Some(done) = idle.done {
            break done;
        }
        queue.extend(idle.jobs);
        while running.len() < options.workers.max(1) {
            let Some((id, job)) = queue.pop_front() else {
                break;
            };
            let cost = (options.job_cost_ms)(&job).max(0.0);
            let output = if cost <= options.compute_jobs_up_to_ms {
                let mut t = 0.0;
                run_job(&job, &mut || {
                    t += 1.0;
                    t
                })
                .map(|o| o.value)
            } else {
                Ok(0)
            };
            running.push((clock.now_ms + cost, id, output));
        }
        let next_job = running.iter().map(|r| r.0).fold(f64::INFINITY, f64::min);
        let next_timer = idle.next_timer_ms.unwrap_or(f64::INFINITY);
        let next = next_job.min(next_timer);
        if !next.is_finite() {
            // Nothing can move on: the machine reports why on its next call.
            machine.cancel(&mut clock);
            break machine.finished().cloned().expect("cancelled");
        }
        clock.now_ms = clock.now_ms.max(next);
        if next_job <= next_timer {
            running.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            while running.first().is_some_and(|r| r.0 <= clock.now_ms) {
                let (_, id, output) = running.remove(0);
                machine.job_done(id, output);
            }
        }
    };
    let recording = machine.recording.clone();
    let trace = recording.to_trace(Some(finished.end_ms), finished.resumed());
    Ok(Report {
        finished,
        recording,
        trace,
    })
}
