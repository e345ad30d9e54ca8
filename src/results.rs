//! What the results area shows: each strategy's (or each way of running CPU work's) state as
//! a run publishes it, and the one line per way that the summary, exports, history, replay
//! and repeated runs share. Pure data: the page fills it from its recorders, the markup and the
//! tests read it.

use std::sync::Arc;

use crate::cpu::{CpuPlan, CpuSpec};
use crate::engine::Recorder;
use crate::plan::Plan;
use crate::predict::Prediction;
use crate::scenario::Strategy;
use crate::trace::Trace;

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

impl StrategyView {
    pub fn new(strategy: Strategy, plan: &Arc<Plan>, ideal: Prediction, rec: &Recorder) -> Self {
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

    /// The measured time: until the work ended (or was stopped).
    pub fn measured_ms(&self) -> Option<f64> {
        self.trace.resumed_ms()
    }

    /// The measured time without the workers' start-up: what the computing itself took.
    pub fn compute_ms(&self) -> Option<f64> {
        self.measured_ms()
            .map(|m| m - self.trace.startup_ms.unwrap_or(0.0))
    }
}

/// One strategy's (or one way of running CPU work's) result, in the one shape that the
/// comparison, exports, history, replay and repeated runs share.
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

/// The CPU baseline: the whole job on one worker, without its start-up, once it has finished.
pub fn cpu_baseline(views: &[CpuView]) -> Option<f64> {
    views
        .iter()
        .find(|v| v.plan.mode == crate::cpu::CpuMode::OneWorker && !v.trace.cancelled)
        .filter(|v| v.trace.is_finished())
        .and_then(CpuView::compute_ms)
}

impl CpuView {
    /// The ideal time of this way, given the one-worker baseline (start-up added back).
    pub fn ideal_ms(&self, baseline: Option<f64>) -> Option<f64> {
        baseline.map(|b| {
            self.plan.ideal_ms(b, self.cores as usize) + self.trace.startup_ms.unwrap_or(0.0)
        })
    }
}

/// The result lines of whatever ran last: event-loop strategies or CPU ways.
pub fn result_lines(views: &[StrategyView], cpu: &[CpuView]) -> Vec<ResultLine> {
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
