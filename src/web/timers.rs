//! The page's timer queue: many timers, one browser timer at a time. Each [`Sleep`] is a real
//! deadline on the page's clock; the queue keeps them in order and arms one `setTimeout` for
//! the earliest, then wakes every timer that is due when it fires. That is how runtimes do it
//! (.NET's `TimerQueue`, tokio's timer wheel): 10,000 concurrent calls cost one browser timer
//! per instant rather than 10,000 `setTimeout` registrations, each a trip between wasm and
//! JavaScript with a closure of its own. What is measured is still the event loop: a due timer
//! continues only when the loop runs its callback.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use gloo_timers::callback::Timeout;

use super::clock::now_ms;

/// A timer due this close is woken with the ones due now: `performance.now()` is rounded
/// (Firefox to 1 ms), so a timer that fired on time can read a hair early.
const SLACK_MS: f64 = 1.0;

/// A waiting timer's waker; `None` once it was woken or dropped.
type Slot = Rc<RefCell<Option<Waker>>>;

#[derive(Default)]
struct Queue {
    /// Timers by deadline (ties in the order they were made); those before `head` have fired.
    /// A vector with a moving head rather than a `VecDeque`: the page's size budget.
    waiting: Vec<(f64, Slot)>,
    head: usize,
    /// The browser timer armed for the earliest deadline, and that deadline.
    armed: Option<(f64, Timeout)>,
}

thread_local! {
    static QUEUE: RefCell<Queue> = RefCell::default();
}

/// Arms the browser timer for the earliest deadline, unless it is armed for it already.
fn arm(q: &mut Queue) {
    let Some(&(first, _)) = q.waiting.get(q.head) else {
        q.armed = None;
        return;
    };
    if q.armed.as_ref().is_some_and(|(at, _)| *at <= first) {
        return;
    }
    let delay = (first - now_ms()).max(0.0).ceil() as u32;
    // Replacing the old timeout drops it, which cancels it.
    q.armed = Some((first, Timeout::new(delay, fire)));
}

/// The browser timer fired: wakes every timer that is due, then arms for the next. Waking
/// only schedules the woken task (wasm-bindgen-futures polls it from a microtask), so no timer
/// is made while the queue is borrowed here.
fn fire() {
    QUEUE.with(|q| {
        let mut q = q.borrow_mut();
        q.armed = None;
        let now = now_ms() + SLACK_MS;
        while let Some((at, slot)) = q.waiting.get(q.head) {
            if *at > now {
                break;
            }
            if let Some(w) = slot.borrow_mut().take() {
                w.wake();
            }
            q.head += 1;
        }
        if q.head * 2 >= q.waiting.len() {
            // Forget what fired, now and then, so the vector does not grow for ever.
            let fired = q.head;
            q.waiting.drain(..fired);
            q.head = 0;
        }
        arm(&mut q);
    });
}

/// A timer: ready `ms` after it was made. Dropping it before then cancels it.
pub struct Sleep {
    deadline: f64,
    slot: Option<Slot>,
    done: Cell<bool>,
}

impl Sleep {
    /// A timer that is due `ms` from now.
    pub fn new(ms: u32) -> Sleep {
        Sleep {
            deadline: now_ms() + f64::from(ms),
            slot: None,
            done: Cell::new(false),
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.done.get() {
            return Poll::Ready(());
        }
        match &self.slot {
            // Woken by the queue (it empties the slot): due.
            Some(slot) if slot.borrow().is_none() => {
                self.done.set(true);
                Poll::Ready(())
            }
            Some(slot) => {
                *slot.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            }
            None => {
                let slot: Slot = Rc::new(RefCell::new(Some(cx.waker().clone())));
                let deadline = self.deadline;
                QUEUE.with(|q| {
                    let mut q = q.borrow_mut();
                    // Deadlines mostly grow, so the place is almost always at the back.
                    let at = q.head + q.waiting[q.head..].partition_point(|(d, _)| *d <= deadline);
                    q.waiting.insert(at, (deadline, slot.clone()));
                    arm(&mut q);
                });
                self.slot = Some(slot);
                Poll::Pending
            }
        }
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        // A cancelled timer is emptied where it waits, in O(1): thousands cancelled at once (a
        // run cancelled mid-way) must not each search the queue. The queue drops it when its
        // deadline comes.
        if let Some(slot) = &self.slot {
            slot.borrow_mut().take();
        }
    }
}

impl Unpin for Sleep {}
