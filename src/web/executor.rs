//! The browser runtime of the engine: timers are `setTimeout` through
//! `gloo_timers::future::TimeoutFuture` on the page's one event loop, the clock is
//! `performance.now()`, and blocking is a real busy-wait that freezes the page.

use gloo_timers::future::TimeoutFuture;

use super::clock::now_ms;
use crate::engine::Runtime;

/// The page's event loop.
#[derive(Clone, Copy, Debug, Default)]
pub struct BrowserRuntime;

impl Runtime for BrowserRuntime {
    type Sleep = TimeoutFuture;

    fn now_ms(&self) -> f64 {
        now_ms()
    }

    fn sleep(&self, ms: u32) -> TimeoutFuture {
        TimeoutFuture::new(ms)
    }

    fn block_for(&self, ms: u32) {
        // A real block: nothing else on this thread runs (no timer, no input, no paint).
        let until = now_ms() + ms as f64;
        while now_ms() < until {}
    }
}
