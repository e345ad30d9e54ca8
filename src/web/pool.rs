//! The worker pool: warm workers kept between runs, spawned on demand up to [`MAX_WORKERS`].
//! A worker that crashed is dropped (terminated) and replaced by a fresh one the next time.

use std::cell::{Cell, RefCell};

use futures::FutureExt;

use super::worker_client::{WorkerClient, WORKER_URL};
use crate::cpu::protocol::WorkerError;
use crate::engine::join_calls;
pub use crate::model::scenario::MAX_WORKERS;

thread_local! {
    static URL: RefCell<String> = RefCell::new(WORKER_URL.to_string());
    static IDLE: RefCell<Vec<WorkerClient>> = const { RefCell::new(Vec::new()) };
    static NEXT_ID: Cell<u32> = const { Cell::new(1) };
}

/// Where the pool loads its workers from (default [`WORKER_URL`], relative to the page); tests
/// served from elsewhere point it at the Trunk build.
pub fn set_worker_url(url: &str) {
    URL.with(|u| *u.borrow_mut() = url.to_string());
}

/// A fresh id for a run or a job (unique within this page).
pub fn next_id() -> u32 {
    NEXT_ID.with(|n| {
        let id = n.get();
        n.set(id.wrapping_add(1));
        id
    })
}

/// Takes `n` workers (at most [`MAX_WORKERS`]): warm ones first, the rest spawned together.
pub async fn take(n: usize) -> Result<Vec<WorkerClient>, WorkerError> {
    let n = n.min(MAX_WORKERS as usize);
    let mut out: Vec<WorkerClient> = IDLE.with(|idle| {
        let mut idle = idle.borrow_mut();
        let keep = idle.len().saturating_sub(n);
        idle.drain(keep..).collect()
    });
    let missing = n - out.len();
    if missing > 0 {
        let url = URL.with(|u| u.borrow().clone());
        // Each spawn fills its own slot, so the workers keep their order; boxed as the engine's
        // calls are, the spawns are joined by the same code (in the wasm once).
        let spawned: Vec<RefCell<Option<Result<WorkerClient, WorkerError>>>> =
            (0..missing).map(|_| RefCell::new(None)).collect();
        join_calls(spawned.iter().map(|slot| {
            let url = &url;
            async move {
                let s = WorkerClient::spawn(url).await.map(|(w, _)| w);
                let ok = s.is_ok();
                *slot.borrow_mut() = Some(s);
                ok
            }
            .boxed_local()
        }))
        .await;
        for s in spawned.into_iter().filter_map(RefCell::into_inner) {
            match s {
                Ok(w) => out.push(w),
                Err(e) => {
                    give_back(out);
                    return Err(e);
                }
            }
        }
    }
    Ok(out)
}

/// Returns healthy workers to the pool, warm for the next run.
pub fn give_back(workers: Vec<WorkerClient>) {
    IDLE.with(|idle| {
        let mut idle = idle.borrow_mut();
        idle.extend(workers);
        idle.truncate(MAX_WORKERS as usize);
    });
}

/// Terminates every warm worker (the next `take` starts cold).
pub fn drain() {
    IDLE.with(|idle| idle.borrow_mut().clear());
}

/// Warm workers waiting in the pool.
pub fn idle_count() -> usize {
    IDLE.with(|idle| idle.borrow().len())
}
