//! The message loop inside a Web Worker (the `worker` binary calls [`start`]).

use std::cell::Cell;

use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use super::clock::now_ms;
use super::message::{from_js, to_js};
use crate::cpu::kernels::run_job_in_parts;
use crate::cpu::protocol::{FromWorker, ToWorker};

/// Parts a long job is computed in at most (see [`run_job_in_parts`]). Many, so that no part is
/// long: natively, the heaviest 1/1000 of the largest jobs allowed takes about 0.2 s (4 rows
/// through the middle of a 4000 × 4000 Mandelbrot at 10,000 iterations) and 0.02 s (the last
/// 50,000 numbers below the prime limit of 50,000,000); one image row is the smallest unit.
const PROGRESS_PARTS: u32 = 1000;
/// Least time between two progress messages, ms: a short job sends none, a long one about ten a
/// second, so the page hears from a busy worker at least this often (or once per part, if a
/// part takes longer) without drowning in messages.
const PROGRESS_EVERY_MS: f64 = 100.0;

thread_local! {
    // The job being computed, so a panic can be reported against it before the worker dies.
    static CURRENT: Cell<Option<(u32, u32)>> = const { Cell::new(None) };
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(msg: &FromWorker) {
    // Every answer is plain data that serialises; were one not to, the page would hear nothing
    // and stop this worker as stalled, which is the right end for a broken worker.
    if let Ok(value) = to_js(msg) {
        let _ = scope().post_message(&value);
    }
}

fn handle(msg: ToWorker) {
    match msg {
        ToWorker::Ping { run_id } => post(&FromWorker::Pong { run_id }),
        ToWorker::Run {
            run_id,
            job_id,
            job,
        } => {
            CURRENT.with(|c| c.set(Some((run_id, job_id))));
            let t0 = now_ms();
            // Computed in small parts, so the page hears how far a long job has got, and that
            // this worker is alive: the page stops a worker that stays silent too long.
            let mut last_post = t0;
            let result = run_job_in_parts(&job, PROGRESS_PARTS, &mut now_ms, &mut |done, total| {
                let t = now_ms();
                if t - last_post >= PROGRESS_EVERY_MS {
                    last_post = t;
                    post(&FromWorker::Progress {
                        run_id,
                        job_id,
                        done,
                        total,
                    });
                }
            });
            let compute_ms = now_ms() - t0;
            CURRENT.with(|c| c.set(None));
            post(&match result {
                Ok(out) => FromWorker::Done {
                    run_id,
                    job_id,
                    value: out.value,
                    compute_ms,
                },
                Err(message) => FromWorker::Failed {
                    run_id: Some(run_id),
                    job_id: Some(job_id),
                    message,
                    fatal: false,
                },
            });
        }
        ToWorker::Hold { run_id, job_id, ms } => {
            wasm_bindgen_futures::spawn_local(async move {
                let t0 = now_ms();
                TimeoutFuture::new(ms).await;
                post(&FromWorker::Done {
                    run_id,
                    job_id,
                    value: 0,
                    compute_ms: now_ms() - t0,
                });
            });
        }
    }
}

/// Listens for [`ToWorker`] messages, answers each, and says [`FromWorker::Ready`] once
/// listening: messages posted before that would be lost.
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        // The instance aborts after this hook: tell the page which job killed it, and that
        // this worker must be replaced.
        let (run_id, job_id) = CURRENT.with(|c| c.get()).unzip();
        post(&FromWorker::Failed {
            run_id,
            job_id,
            message: format!("the job panicked: {}", panic_message(info)),
            fatal: true,
        });
    }));
    let onmessage =
        Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            match from_js::<ToWorker>(ev.data()) {
                Ok(msg) => handle(msg),
                Err(e) => post(&FromWorker::Failed {
                    run_id: None,
                    job_id: None,
                    message: e.to_string(),
                    fatal: false,
                }),
            }
        });
    scope().set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    // The worker lives as long as the page keeps it; so does its handler.
    onmessage.forget();
    post(&FromWorker::Ready);
}

fn panic_message(info: &std::panic::PanicHookInfo<'_>) -> String {
    info.payload()
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_else(|| info.to_string())
}
