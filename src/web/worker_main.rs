//! The message loop inside a Web Worker (the `worker` binary calls [`start`]).

use std::cell::Cell;

use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use super::clock::now_ms;
use crate::kernels::{run_job, split_job, JobOutput};

/// Parts a long job is computed in, each followed by a progress message.
const PROGRESS_PARTS: u32 = 10;
use crate::protocol::{decode, encode, FromWorker, ToWorker};

thread_local! {
    // The job being computed, so a panic can be reported against it before the worker dies.
    static CURRENT: Cell<Option<(u32, u32)>> = const { Cell::new(None) };
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(msg: &FromWorker) {
    let _ = scope().post_message(&JsValue::from_str(&encode(msg)));
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
            // Computed in parts, so the page hears how far a long job has got.
            let parts = split_job(&job, PROGRESS_PARTS);
            let total = parts.len() as u32;
            let mut result = Ok(JobOutput { value: 0 });
            for (i, part) in parts.iter().enumerate() {
                match run_job(part, &mut now_ms) {
                    Ok(out) => {
                        if let Ok(acc) = result.as_mut() {
                            acc.value += out.value;
                        }
                    }
                    Err(e) => {
                        result = Err(e);
                        break;
                    }
                }
                let done = i as u32 + 1;
                if done < total {
                    post(&FromWorker::Progress {
                        run_id,
                        job_id,
                        done,
                        total,
                    });
                }
            }
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
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        match ev.data().as_string().as_deref().map(decode::<ToWorker>) {
            Some(Ok(msg)) => handle(msg),
            Some(Err(e)) => post(&FromWorker::Failed {
                run_id: None,
                job_id: None,
                message: e.to_string(),
                fatal: false,
            }),
            None => post(&FromWorker::Failed {
                run_id: None,
                job_id: None,
                message: "bad worker message: expected a JSON string".into(),
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
