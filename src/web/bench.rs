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

/// Runs the prime count below `limit` in `mode_id` ("one-worker", "static", "dynamic",
/// "main-thread") with `workers` workers; returns the computing time in ms (start-up excluded)
/// and checks the answer against a count done on this thread for small limits.
pub async fn cpu_run(mode_id: &str, limit: u64, workers: u32) -> Result<f64, String> {
    use crate::cpu::{CpuMode, CpuPlan, CpuSpec, Kernel};
    let mode = [
        CpuMode::MainThread,
        CpuMode::OneWorker,
        CpuMode::Static,
        CpuMode::Dynamic,
    ]
    .into_iter()
    .find(|m| m.id() == mode_id)
    .ok_or_else(|| format!("unknown mode {mode_id}"))?;
    let spec = CpuSpec {
        kernel: Kernel::Primes { limit },
        modes: vec![mode],
        workers,
    };
    let plan = CpuPlan::new(&spec, mode);
    let rec = Recorder::new(plan.pieces.len(), super::clock::now_ms);
    super::cpu::run(&plan, &rec).await;
    rec.with_trace(|t| {
        let done = t.resumed_ms().ok_or("the run did not finish")?;
        if t.completed() as usize != plan.pieces.len() {
            return Err(t.error.clone().unwrap_or_else(|| "a piece failed".into()));
        }
        Ok(done - t.startup_ms.unwrap_or(0.0))
    })
}

/// Drops every warm worker, then times spawning `n` until all said Ready, in ms.
pub async fn pool_cold_start(n: u32) -> Result<f64, String> {
    super::pool::drain();
    let t0 = super::clock::now_ms();
    let workers = super::pool::take(n as usize).await?;
    let ms = super::clock::now_ms() - t0;
    super::pool::give_back(workers);
    Ok(ms)
}

/// Median round trip of `rounds` no-op jobs (a 0-length prime range) on one warm worker, ms.
pub async fn noop_round_trip(rounds: u32) -> Result<f64, String> {
    use crate::kernels::Job;
    let mut w = super::pool::take(1).await?;
    let worker = w.first_mut().ok_or("no worker")?;
    let mut times = Vec::new();
    for i in 0..rounds.max(1) {
        let t0 = super::clock::now_ms();
        worker
            .run(0, i, Job::CountPrimes { start: 0, end: 0 })
            .await
            .map_err(|e| e.message)?;
        times.push(super::clock::now_ms() - t0);
    }
    super::pool::give_back(w);
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

/// The size of the wasm linear memory, in bytes (it grows, never shrinks: growth between two
/// readings means the high-water mark rose).
pub fn memory_bytes() -> f64 {
    use wasm_bindgen::JsCast;
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .ok()
        .and_then(|m| m.buffer().dyn_into::<js_sys::ArrayBuffer>().ok())
        .map_or(0.0, |b| f64::from(b.byte_length()))
}
