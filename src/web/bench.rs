//! What the benchmark measures of the engine, so the hook in `bin/app.rs` stays one line.

use super::executor::BrowserRuntime;
use crate::engine::{self, Recorder, RunOptions};
use crate::model::plan::Plan;
use crate::model::scenario::{AsyncWork, Strategy, Workload};

/// Runs `count` calls of `ms` with `strategy_id` on the page's event loop, without the lag
/// probe, and returns when the await continued, in ms.
pub async fn engine_run(strategy_id: &str, count: u32, ms: u32) -> Result<f64, String> {
    let strategy =
        Strategy::from_id(strategy_id).ok_or_else(|| format!("unknown strategy {strategy_id}"))?;
    let plan = Plan::new(&AsyncWork {
        workload: Workload::Uniform {
            count,
            duration_ms: ms,
        },
        ..AsyncWork::default()
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
    super::cpu::run(&plan, &rec, Box::pin(async {})).await;
    rec.with_trace(|t| {
        let done = t.resumed_ms().ok_or("the run did not finish")?;
        if t.completed() as usize != plan.pieces.len() {
            return Err(t.error.clone().unwrap_or_else(|| "a piece failed".into()));
        }
        // The start-up came before the clock: `done` is computing only.
        Ok(done)
    })
}

/// Drops every warm worker, then times spawning `n` until all said Ready, in ms.
pub async fn pool_cold_start(n: u32) -> Result<f64, String> {
    super::pool::drain();
    let t0 = super::clock::now_ms();
    let workers = super::pool::take(n as usize)
        .await
        .map_err(|e| e.to_string())?;
    let ms = super::clock::now_ms() - t0;
    super::pool::give_back(workers);
    Ok(ms)
}

/// Median round trip of `rounds` no-op jobs (a 0-length prime range) on one warm worker, ms.
pub async fn noop_round_trip(rounds: u32) -> Result<f64, String> {
    use crate::cpu::kernels::Job;
    let mut w = super::pool::take(1).await.map_err(|e| e.to_string())?;
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

/// A finished event-loop trace of `n` tasks of about 100 ms each, started a little apart, as an
/// all-at-once run of `n` calls records it.
fn synthetic_trace(n: u32) -> crate::trace::Trace {
    use crate::trace::{GroupOutcome, Outcome, Trace, TraceEvent};
    let mut trace = Trace::new(n);
    let mut last = 0.0_f64;
    for task in 0..n {
        trace.record(TraceEvent::Started {
            task,
            lane: task,
            attempt: 0,
            at_ms: f64::from(task) * 0.005,
        });
    }
    for task in 0..n {
        let at_ms = 100.0 + f64::from(task) * 0.005 + f64::from(task % 7);
        last = last.max(at_ms);
        trace.record(TraceEvent::Ended {
            task,
            at_ms,
            outcome: Outcome::Completed,
        });
    }
    trace.resume(last, GroupOutcome::AllCompleted);
    trace.finish(last, false);
    trace
}

/// Lays out a finished trace of `n` tasks and draws the page's timeline for it into a fresh
/// element of the document, then reads the element's height (which forces style and layout);
/// returns the ms all that took (building the trace excluded), then removes it.
pub fn render_timeline(n: u32) -> Result<f64, String> {
    use crate::chart::{timeline, TimelineOptions};
    use wasm_bindgen::JsCast;
    let trace = synthetic_trace(n);
    let end = trace.elapsed_ms.unwrap_or(0.0);
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let host: web_sys::HtmlElement = document
        .create_element("div")
        .map_err(|e| format!("{e:?}"))?
        .dyn_into()
        .map_err(|_| "not an HTML element")?;
    document
        .body()
        .ok_or("no body")?
        .append_child(&host)
        .map_err(|e| format!("{e:?}"))?;
    let t0 = super::clock::now_ms();
    let layout = timeline(&trace, end, None, end, &TimelineOptions::default());
    let mut html = crate::markup::Html::new();
    crate::markup::timeline_svg(&mut html, &layout, "benchmark");
    host.set_inner_html(&html.finish());
    let height = host.offset_height();
    let ms = super::clock::now_ms() - t0;
    host.remove();
    if height <= 0 {
        return Err("the timeline drew nothing".into());
    }
    Ok(ms)
}

/// The longest a busy worker goes without a message to the page while computing, in ms.
///
/// `kind` `"primes"`: one worker counting the primes below 5,000,000 (a real long job), the
/// longest gap from the request to the first message, between two, and from the last to the
/// answer. `"mandelbrot-part"` and `"primes-part"`: the time a worker computes the heaviest
/// 1/1000 part of the largest jobs allowed (the 4 rows through the middle of a 4000 × 4000
/// Mandelbrot at 10,000 iterations; the last 50,000 numbers below 50,000,000), during which it
/// posts nothing. A worker silent for [`super::worker_client::STALL_LIMIT_MS`] is stopped; this
/// shows how far below that a healthy one stays.
pub async fn longest_silence(kind: &str) -> Result<f64, String> {
    use crate::cpu::kernels::{
        Job, MandelbrotSpec, MAX_MANDELBROT_HEIGHT, MAX_MANDELBROT_ITER, MAX_MANDELBROT_WIDTH,
        MAX_PRIME_LIMIT,
    };
    let (job, whole) = match kind {
        "primes" => (
            Job::CountPrimes {
                start: 0,
                end: 5_000_000,
            },
            false,
        ),
        "mandelbrot-part" => (
            Job::Mandelbrot {
                spec: MandelbrotSpec {
                    width: MAX_MANDELBROT_WIDTH,
                    height: MAX_MANDELBROT_HEIGHT,
                    max_iter: MAX_MANDELBROT_ITER,
                },
                rows_start: MAX_MANDELBROT_HEIGHT / 2 - 2,
                rows_end: MAX_MANDELBROT_HEIGHT / 2 + 2,
            },
            true,
        ),
        "primes-part" => (
            Job::CountPrimes {
                start: MAX_PRIME_LIMIT - MAX_PRIME_LIMIT / 1000,
                end: MAX_PRIME_LIMIT,
            },
            true,
        ),
        other => return Err(format!("unknown kind {other}")),
    };
    let mut w = super::pool::take(1).await.map_err(|e| e.to_string())?;
    let worker = w.first_mut().ok_or("no worker")?;
    let t0 = super::clock::now_ms();
    let mut last = t0;
    let mut longest = 0.0_f64;
    let done = worker
        .run_with_progress(super::pool::next_id(), 1, job, &mut |_| {
            let t = super::clock::now_ms();
            longest = longest.max(t - last);
            last = t;
        })
        .await
        .map_err(|e| e.message)?;
    let longest = longest.max(super::clock::now_ms() - last);
    super::pool::give_back(w);
    // A part is computed without a word when it is one of a bigger job's 1000.
    Ok(if whole { done.compute_ms } else { longest })
}
