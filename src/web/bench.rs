//! What the benchmark measures of the engine, so the hook in `bin/app.rs` stays one line.

use super::executor::BrowserRuntime;
use crate::engine::{self, Recorder, RunOptions};
use crate::plan::Plan;
use crate::scenario::{Scenario, Strategy, Workload};

/// Runs `count` calls of `ms` with `strategy_id` on the page's event loop, without the lag
/// probe, and returns when the await continued, in ms.
pub async fn engine_run(strategy_id: &str, count: u32, ms: u32) -> Result<f64, String> {
    let strategy =
        Strategy::from_id(strategy_id).ok_or_else(|| format!("unknown strategy {strategy_id}"))?;
    let plan = Plan::new(&Scenario {
        workload: Workload::Uniform {
            count,
            duration_ms: ms,
        },
        ..Scenario::default()
    });
    let rt = BrowserRuntime;
    let rec = Recorder::for_runtime(engine::task_count(strategy, &plan), &rt);
    engine::run(
        &rt,
        strategy,
        &plan,
        &rec,
        RunOptions { lag_probe_ms: None },
    )
    .await;
    rec.with_trace(|t| t.resumed_ms())
        .ok_or_else(|| "the run did not finish".to_string())
}
