//! The browser runtime of the engine: timers are deadlines in the page's timer queue
//! ([`super::timers`], one `setTimeout` at a time for the earliest) on the page's one event
//! loop, the clock is `performance.now()`, and blocking is a real busy-wait that freezes the
//! page.

use crate::cpu::protocol::WorkerError;
use std::future::Future;
use std::pin::Pin;

use super::clock::now_ms;
use super::pool;
use super::timers::Sleep;
use crate::engine::Runtime;

/// The page's event loop.
#[derive(Clone, Copy, Debug, Default)]
pub struct BrowserRuntime;

impl Runtime for BrowserRuntime {
    type Sleep = Sleep;

    fn now_ms(&self) -> f64 {
        now_ms()
    }

    fn sleep(&self, ms: u32) -> Sleep {
        Sleep::new(ms)
    }

    fn block_for(&self, ms: u32) {
        // A real block: nothing else on this thread runs (no timer, no input, no paint).
        let until = now_ms() + ms as f64;
        while now_ms() < until {}
    }

    fn hold_worker(&self, ms: u32) -> Pin<Box<dyn Future<Output = Result<(), WorkerError>>>> {
        Box::pin(async move {
            let mut workers = pool::take(1).await?;
            let mut worker = workers
                .pop()
                .ok_or_else(|| WorkerError::CannotStart("no worker could be had".into()))?;
            let id = pool::next_id();
            // Dropped mid-wait (a cancelled run), the worker is terminated, not returned.
            match worker.hold(id, id, ms).await {
                Ok(_) => {
                    pool::give_back(vec![worker]);
                    Ok(())
                }
                Err(e) => Err(WorkerError::Failed(e.message)),
            }
        })
    }
}
