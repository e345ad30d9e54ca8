//! What the results area shows: each strategy's (or each way of running CPU work's) state as
//! a run publishes it, and the one line per way that the summary, exports, history, replay
//! and repeated runs share. Pure data: the page fills it from its recorders, the markup and the
//! tests read it.

use std::sync::Arc;

use crate::cpu::{CpuPlan, CpuSpec};
use crate::model::plan::Plan;
use crate::model::predict::Prediction;
use crate::model::scenario::Strategy;
use crate::trace::{GroupOutcome, Trace};

/// Where a run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Idle,
    Running,
    Done,
    Cancelled,
}

impl Phase {
    pub fn id(self) -> &'static str {
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
pub struct StrategyView {
    pub strategy: Strategy,
    pub plan: Arc<Plan>,
    pub ideal: Prediction,
    pub trace: Trace,
    /// Whether this strategy's run has begun.
    pub begun: bool,
    /// Elapsed ms of this strategy's run at the last frame (pending bars reach it).
    pub now_ms: f64,
}

/// What the results area shows for one way of running CPU work.
#[derive(Clone, Debug, PartialEq)]
pub struct CpuView {
    pub spec: Arc<CpuSpec>,
    pub plan: Arc<CpuPlan>,
    pub trace: Trace,
    pub begun: bool,
    pub now_ms: f64,
    pub cores: u32,
}

impl CpuView {
    pub fn title(&self) -> String {
        self.plan.mode.title(self.spec.workers)
    }

    /// The measured time: from the moment the workers (or the main thread) were ready and warm
    /// until the work ended (or was stopped). The start-up came before the clock started
    /// ([`Trace::startup_ms`]) and is never in it.
    pub fn measured_ms(&self) -> Option<f64> {
        self.trace.resumed_ms()
    }
}

/// One strategy's (or one way of running CPU work's) result, in the one shape that the
/// comparison, exports, history, replay and repeated runs share. A program's line comes from
/// the language module ([`crate::trace::wire`]).
#[derive(Clone, Debug, PartialEq)]
pub struct ResultLine {
    /// Stable id (`sequential`, `dynamic`, …), as in the page's test ids.
    pub id: String,
    /// Name as the page shows it.
    pub name: String,
    /// What was recorded.
    pub trace: Trace,
    /// Predicted total, when known.
    pub ideal_ms: Option<f64>,
    /// Measured total: when the awaiting code continued (or the work ended); `None` while
    /// running or when cancelled.
    pub measured_ms: Option<f64>,
    /// What it held, in a few words ("10 timers at once", "2 workers").
    pub resources: String,
}

/// The CPU baseline: the whole job on one warm worker (its start-up is not in its time), once
/// it has finished.
pub fn cpu_baseline(views: &[CpuView]) -> Option<f64> {
    views
        .iter()
        .find(|v| v.plan.mode == crate::cpu::CpuMode::OneWorker && !v.trace.cancelled)
        .filter(|v| v.trace.is_finished())
        .and_then(CpuView::measured_ms)
}

/// What every way's ideal is derived from: the whole job on one thread, warm, at the best
/// pace this run measured. That is the one-worker time, or the main thread's when it was
/// faster (a worker's wasm can run a few per cent slower than the page's), so no way's ideal
/// exceeds what the same way measured. `None` until the one-worker run has finished: the
/// main thread alone is capped and freezes the page, so it is not a basis by itself.
pub fn cpu_ideal_basis(views: &[CpuView]) -> Option<f64> {
    let one_worker = cpu_baseline(views)?;
    let main_thread = views
        .iter()
        .filter(|v| v.plan.mode == crate::cpu::CpuMode::MainThread && !v.trace.cancelled)
        .filter(|v| v.trace.is_finished())
        .filter(|v| matches!(v.trace.resumed, Some((_, GroupOutcome::AllCompleted))))
        .find_map(CpuView::measured_ms);
    Some(main_thread.map_or(one_worker, |m| m.min(one_worker)))
}

impl CpuView {
    /// The ideal time of this way, given the [`cpu_ideal_basis`]: warm computing, like every
    /// way's measured time, so no way's ideal carries another's start-up.
    pub fn ideal_ms(&self, basis: Option<f64>) -> Option<f64> {
        basis.map(|b| self.plan.ideal_ms(b, self.cores as usize))
    }
}

/// The result lines of whatever ran last: event-loop strategies, CPU ways, or a program (whose
/// line the language module made, [`crate::trace::wire`]).
pub fn result_lines(
    views: &[StrategyView],
    cpu: &[CpuView],
    program: Option<&ResultLine>,
) -> Vec<ResultLine> {
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
    let basis = cpu_ideal_basis(cpu);
    lines.extend(cpu.iter().map(|v| {
        use crate::cpu::CpuMode;
        ResultLine {
            id: v.plan.mode.id().to_string(),
            name: v.title(),
            ideal_ms: v.ideal_ms(basis),
            measured_ms: finished(&v.trace),
            resources: match v.plan.mode {
                CpuMode::MainThread => "the page's thread".to_string(),
                CpuMode::OneWorker => "1 worker".to_string(),
                _ => format!("{} workers", v.spec.workers),
            },
            trace: v.trace.clone(),
        }
    }));
    lines.extend(program.cloned());
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::{CpuMode, CpuPlan, CpuSpec, Kernel};

    /// A finished way: its clock started once it was ready and warm, after `startup_ms` of
    /// start-up (spawn, load, warm-up; `None` on the main thread), and it computed for
    /// `computing_ms`.
    fn way(mode: CpuMode, startup_ms: Option<f64>, computing_ms: f64) -> CpuView {
        let spec = CpuSpec {
            kernel: Kernel::Burn {
                ms: vec![100, 100, 100, 100],
            },
            modes: vec![mode],
            workers: 2,
        };
        let plan = CpuPlan::new(&spec, mode);
        let mut trace = Trace::new(plan.pieces.len() as u32);
        trace.startup_ms = startup_ms;
        trace.warmup_ms = Some(startup_ms.unwrap_or(20.0).min(20.0));
        trace.resume(computing_ms, GroupOutcome::AllCompleted);
        trace.finish(computing_ms, false);
        CpuView {
            spec: Arc::new(spec),
            plan: Arc::new(plan),
            trace,
            begun: true,
            now_ms: computing_ms,
            cores: 2,
        }
    }

    #[test]
    fn a_way_s_measured_time_is_its_computing_not_its_start_up() {
        let cold = way(CpuMode::OneWorker, Some(180.0), 400.0);
        assert_eq!(cold.measured_ms(), Some(400.0));
        assert_eq!(cpu_baseline(&[cold]), Some(400.0));
    }

    #[test]
    fn the_main_thread_s_ideal_never_includes_the_workers_start_up() {
        let one = way(CpuMode::OneWorker, Some(180.0), 400.0);
        let main = way(CpuMode::MainThread, None, 390.0);
        let baseline = cpu_baseline(&[one.clone(), main.clone()]);
        assert_eq!(main.ideal_ms(baseline), Some(400.0));
        // Warm ways can match their ideal: none of them carries another way's start-up.
        assert!(main.ideal_ms(baseline).unwrap() <= 400.0);
    }

    #[test]
    fn no_way_s_ideal_carries_its_own_start_up_either() {
        let one = way(CpuMode::OneWorker, Some(180.0), 400.0);
        let two = way(CpuMode::Dynamic, Some(30.0), 210.0);
        let ideal = two.ideal_ms(cpu_baseline(&[one])).unwrap();
        assert!((ideal - 200.0).abs() < 1e-9, "{ideal}");
    }

    #[test]
    fn a_main_thread_faster_than_one_worker_sets_every_way_s_ideal() {
        let one = way(CpuMode::OneWorker, Some(180.0), 709.0);
        let main = way(CpuMode::MainThread, None, 657.0);
        let two = way(CpuMode::Dynamic, Some(30.0), 360.0);
        let views = [one.clone(), main.clone(), two.clone()];
        let basis = cpu_ideal_basis(&views);
        assert_eq!(basis, Some(657.0));
        // No way's ideal exceeds what it measured...
        for v in &views {
            assert!(
                v.ideal_ms(basis).unwrap() <= v.measured_ms().unwrap(),
                "{v:?}"
            );
        }
        // ...and speedups stay against one worker.
        assert_eq!(cpu_baseline(&views), Some(709.0));
    }

    #[test]
    fn a_main_thread_slower_than_one_worker_leaves_the_one_worker_basis() {
        let one = way(CpuMode::OneWorker, Some(180.0), 600.0);
        let main = way(CpuMode::MainThread, None, 650.0);
        assert_eq!(cpu_ideal_basis(&[one, main]), Some(600.0));
    }

    #[test]
    fn the_main_thread_alone_gives_no_basis() {
        let main = way(CpuMode::MainThread, None, 650.0);
        assert_eq!(cpu_ideal_basis(&[main]), None);
    }

    #[test]
    fn without_a_finished_one_worker_run_there_is_no_baseline() {
        let mut one = way(CpuMode::OneWorker, Some(180.0), 400.0);
        one.trace.cancelled = true;
        assert_eq!(cpu_baseline(&[one]), None);
    }
}
