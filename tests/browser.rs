//! Browser tests: the executor with real timers on the real event loop, and the Trunk-built
//! worker. Run in headless Chromium by `scripts/test.sh` (wasm-bindgen-test). Bounds are loose
//! and honest; tight timing claims live in the benchmark, not here.
#![cfg(target_arch = "wasm32")]

use futures::future::{abortable, join, Aborted};
use gloo_timers::future::TimeoutFuture;
use playground::scenario::{Strategy, TaskSpec};
use playground::trace::Outcome;
use playground::web::executor::{run, Recorder};
use playground::web::worker_client::WorkerClient;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn tasks(ms: &[u32]) -> Vec<TaskSpec> {
    ms.iter()
        .map(|&duration_ms| TaskSpec { duration_ms })
        .collect()
}

#[wasm_bindgen_test]
async fn all_at_once_overlaps_the_waits_and_costs_about_the_longest() {
    let t = tasks(&[300, 500, 700]);
    let rec = Recorder::new(t.len());
    run(Strategy::AllAtOnce, &t, &rec).await;
    let trace = rec.snapshot();
    let elapsed = trace.elapsed_ms.expect("run ended");
    assert!(
        elapsed >= 695.0,
        "cannot beat the longest timer: {elapsed} ms"
    );
    assert!(elapsed < 1000.0, "the waits must overlap: {elapsed} ms");
    assert_eq!(
        trace.stats().peak_in_flight,
        3,
        "all three timers pending at once"
    );
    assert_eq!(trace.completion_order, vec![0, 1, 2]);
}

#[wasm_bindgen_test]
async fn sequential_awaits_add_the_waits_up() {
    let t = tasks(&[300, 500, 700]);
    let rec = Recorder::new(t.len());
    run(Strategy::Sequential, &t, &rec).await;
    let trace = rec.snapshot();
    let elapsed = trace.elapsed_ms.expect("run ended");
    // A timer may be reported up to a millisecond early through clock coarsening; three of them.
    assert!(elapsed >= 1497.0, "waits must add up: {elapsed} ms");
    assert_eq!(trace.stats().peak_in_flight, 1, "one call at a time");
    for w in trace.spans.windows(2) {
        assert!(
            w[1].start_ms >= w[0].end_ms.unwrap(),
            "task {} started before task {} ended",
            w[1].task,
            w[0].task
        );
    }
}

#[wasm_bindgen_test]
async fn results_complete_in_duration_order_but_are_traced_in_the_order_given() {
    let t = tasks(&[200, 300, 100]);
    let rec = Recorder::new(t.len());
    run(Strategy::AllAtOnce, &t, &rec).await;
    let trace = rec.snapshot();
    assert_eq!(trace.completion_order, vec![2, 0, 1]);
    let started: Vec<u32> = trace.spans.iter().map(|s| s.task).collect();
    assert_eq!(started, vec![0, 1, 2], "started in the order given");
}

#[wasm_bindgen_test]
async fn cancelling_mid_run_stops_pending_timers_and_marks_them() {
    let t = tasks(&[100, 5000, 5000]);
    let rec = Recorder::new(t.len());
    let (fut, handle) = abortable(run(Strategy::AllAtOnce, &t, &rec));
    let canceller = async {
        TimeoutFuture::new(300).await;
        handle.abort();
    };
    let (result, ()) = join(fut, canceller).await;
    assert_eq!(result, Err(Aborted));
    rec.finish(true);
    let trace = rec.snapshot();
    let stats = trace.stats();
    assert!(trace.cancelled);
    assert_eq!(stats.completed, 1, "the 100 ms call had completed");
    assert_eq!(stats.cancelled, 2, "the two 5 s calls were stopped");
    let elapsed = trace.elapsed_ms.unwrap();
    assert!(
        elapsed < 1000.0,
        "cancel must not wait for the 5 s timers: {elapsed} ms"
    );
    assert!(trace
        .spans
        .iter()
        .filter(|s| s.outcome == Some(Outcome::Cancelled))
        .all(|s| s.end_ms == Some(elapsed)));
}

#[wasm_bindgen_test]
async fn cancelling_a_sequential_run_leaves_later_tasks_unstarted() {
    let t = tasks(&[50, 5000, 50, 50]);
    let rec = Recorder::new(t.len());
    let (fut, handle) = abortable(run(Strategy::Sequential, &t, &rec));
    let canceller = async {
        TimeoutFuture::new(200).await;
        handle.abort();
    };
    let _ = join(fut, canceller).await;
    rec.finish(true);
    let stats = rec.snapshot().stats();
    assert_eq!(
        (stats.completed, stats.cancelled, stats.not_started),
        (1, 1, 2)
    );
}

#[wasm_bindgen_test]
async fn the_trunk_built_worker_says_ready_then_answers_a_ping() {
    // Served from the crate root by wasm-bindgen-test-runner; built by `trunk build` first.
    let (mut worker, ready_ms) = WorkerClient::spawn("/dist/worker.js")
        .await
        .expect("the worker loads (run `trunk build` first)");
    assert!(ready_ms > 0.0);
    let rtt = worker.ping(42).await.expect("the worker answers");
    assert!(rtt >= 0.0);
}

#[wasm_bindgen_test]
async fn a_worker_that_does_not_exist_is_an_error_not_a_hang() {
    let err = WorkerClient::spawn("/dist/no-such-worker.js")
        .await
        .err()
        .expect("spawning a missing script fails");
    assert!(err.contains("worker"), "{err}");
}

#[wasm_bindgen_test]
fn the_panic_banner_shows_the_message_instead_of_a_blank_page() {
    let doc = web_sys::window().unwrap().document().unwrap();
    let banner = doc.create_element("div").unwrap();
    banner.set_id("panic-banner");
    banner.set_attribute("hidden", "").unwrap();
    doc.body().unwrap().append_child(&banner).unwrap();
    playground::web::show_panic_banner("boom at src/x.rs:1");
    assert!(!banner.has_attribute("hidden"), "the banner is visible");
    let text = banner.text_content().unwrap();
    assert!(text.contains("boom at src/x.rs:1"), "{text}");
    assert!(text.contains("Reload"), "{text}");
    banner.remove();
}
