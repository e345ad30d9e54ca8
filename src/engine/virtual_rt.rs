//! A virtual event loop for the engine: timers fire one at a time in deadline order (ties in the
//! order they were set), everything woken runs before the next timer fires (as microtasks do
//! after each task in a browser), and time jumps straight to the next deadline. A 10-second
//! scenario runs in microseconds and every run of it is identical. Used by native tests to
//! check scheduling orders and the predictor's formulas.

use crate::cpu::protocol::WorkerError;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};
use std::future::Future;
use std::pin::{pin, Pin};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use futures::task::{waker, ArcWake};

use super::Runtime;

/// Timers keyed by (deadline in µs, sequence number).
#[derive(Default)]
struct Timers {
    now_us: u64,
    seq: u64,
    /// Timers not yet fired, with the waker of whoever awaits them.
    pending: BTreeMap<(u64, u64), Option<Waker>>,
    /// Timers fired but not yet observed by their future.
    fired: HashSet<(u64, u64)>,
}

/// The virtual runtime. Clones share one clock.
#[derive(Clone, Default)]
pub struct VirtualRuntime {
    timers: Rc<RefCell<Timers>>,
}

/// A virtual timer; dropping it cancels it.
pub struct VirtualSleep {
    timers: Rc<RefCell<Timers>>,
    key: (u64, u64),
}

impl Future for VirtualSleep {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // Ready only once the loop has fired it, never just because the clock passed its
        // deadline: after a block, overdue timers still fire one by one, in order.
        let mut t = self.timers.borrow_mut();
        if t.fired.remove(&self.key) {
            Poll::Ready(())
        } else {
            if let Some(w) = t.pending.get_mut(&self.key) {
                *w = Some(cx.waker().clone());
            }
            Poll::Pending
        }
    }
}

impl Drop for VirtualSleep {
    fn drop(&mut self) {
        let mut t = self.timers.borrow_mut();
        t.pending.remove(&self.key);
        t.fired.remove(&self.key);
    }
}

impl Runtime for VirtualRuntime {
    type Sleep = VirtualSleep;

    fn now_ms(&self) -> f64 {
        self.timers.borrow().now_us as f64 / 1000.0
    }

    fn sleep(&self, ms: u32) -> VirtualSleep {
        let mut t = self.timers.borrow_mut();
        t.seq += 1;
        let key = (t.now_us + ms as u64 * 1000, t.seq);
        t.pending.insert(key, None);
        VirtualSleep {
            timers: self.timers.clone(),
            key,
        }
    }

    fn block_for(&self, ms: u32) {
        // Time passes, and no timer fires meanwhile: that is what blocking the loop means.
        self.timers.borrow_mut().now_us += ms as u64 * 1000;
    }

    fn hold_worker(&self, ms: u32) -> Pin<Box<dyn Future<Output = Result<(), WorkerError>>>> {
        // An ideal worker: free to start, and it waits exactly as long as a timer does.
        let sleep = self.sleep(ms);
        Box::pin(async move {
            sleep.await;
            Ok(())
        })
    }
}

struct Flag(AtomicBool);

impl ArcWake for Flag {
    fn wake_by_ref(arc_self: &Arc<Self>) {
        arc_self.0.store(true, Ordering::SeqCst);
    }
}

impl VirtualRuntime {
    /// A runtime whose clock reads 0.
    pub fn new() -> Self {
        VirtualRuntime::default()
    }

    /// Drives `fut` to completion: poll until nothing is woken, fire the next timer (jumping the
    /// clock to its deadline if that is later), repeat.
    ///
    /// Panics if `fut` waits with no timer pending: on a real event loop that would hang.
    pub fn block_on<F: Future>(&self, fut: F) -> F::Output {
        let flag = Arc::new(Flag(AtomicBool::new(false)));
        let waker = waker(flag.clone());
        let mut cx = Context::from_waker(&waker);
        let mut fut = pin!(fut);
        loop {
            flag.0.store(false, Ordering::SeqCst);
            if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
                return v;
            }
            if flag.0.load(Ordering::SeqCst) {
                continue;
            }
            let waker = {
                let mut t = self.timers.borrow_mut();
                let Some((key, waker)) = t.pending.pop_first() else {
                    panic!("the future waits for nothing: it would hang forever");
                };
                t.now_us = t.now_us.max(key.0);
                t.fired.insert(key);
                waker
            };
            if let Some(w) = waker {
                w.wake();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_jumps_to_each_deadline_without_waiting() {
        let rt = VirtualRuntime::new();
        let wall = std::time::Instant::now();
        rt.block_on(async {
            rt.sleep(10_000).await;
            assert_eq!(rt.now_ms(), 10_000.0);
            rt.sleep(5).await;
        });
        assert_eq!(rt.now_ms(), 10_005.0);
        assert!(
            wall.elapsed().as_millis() < 1000,
            "virtual time costs no real time"
        );
    }

    #[test]
    fn a_dropped_timer_never_fires_and_does_not_hold_the_clock() {
        let rt = VirtualRuntime::new();
        rt.block_on(async {
            let long = rt.sleep(60_000);
            drop(long);
            rt.sleep(1).await;
        });
        assert_eq!(rt.now_ms(), 1.0);
        assert!(rt.timers.borrow().pending.is_empty());
    }

    #[test]
    fn blocking_moves_the_clock_and_late_timers_fire_afterwards() {
        let rt = VirtualRuntime::new();
        rt.block_on(async {
            let t = rt.sleep(100);
            rt.block_for(2000);
            t.await;
        });
        assert_eq!(
            rt.now_ms(),
            2000.0,
            "the 100 ms timer fired only after the block"
        );
    }

    #[test]
    fn overdue_timers_fire_in_deadline_order_after_a_block() {
        let rt = VirtualRuntime::new();
        let order = RefCell::new(Vec::new());
        rt.block_on(async {
            let late = rt.sleep(300);
            let early = rt.sleep(50);
            rt.block_for(2000);
            futures::future::join(
                async {
                    late.await;
                    order.borrow_mut().push(300);
                },
                async {
                    early.await;
                    order.borrow_mut().push(50);
                },
            )
            .await;
        });
        assert_eq!(order.into_inner(), vec![50, 300]);
    }

    #[test]
    fn a_zero_ms_timer_still_waits_for_a_turn_of_the_loop() {
        let rt = VirtualRuntime::new();
        let polled_before = rt.block_on(async {
            let mut t = rt.sleep(0);
            let first = futures::poll!(&mut t);
            t.await;
            first
        });
        assert!(
            polled_before.is_pending(),
            "like setTimeout(0), not a synchronous return"
        );
    }

    #[test]
    #[should_panic(expected = "would hang forever")]
    fn waiting_for_nothing_is_reported_instead_of_hanging() {
        let rt = VirtualRuntime::new();
        rt.block_on(futures::future::pending::<()>());
    }
}
