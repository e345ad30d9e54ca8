//! Browser tests: the executor with real timers on the real event loop, and the Trunk-built
//! worker. Run in headless Chromium by `scripts/test.sh` (wasm-bindgen-test). Bounds are loose
//! and honest; tight timing claims live in the benchmark, not here.
//!
//! They must pass on a busy 2-core machine. So: a lower bound is what a timer guarantees (it
//! never fires early, give or take the clock's coarsening), an upper bound is at least about 3x
//! what the test needs and still far below what the wrong behaviour would take, and what a test
//! checks is a shape (overlap, order, peak in flight) more than a time. The whole file runs in
//! one page, about 15 s on an idle machine; `scripts/test.sh` gives it 120 s
//! (`WASM_BINDGEN_TEST_TIMEOUT`, whose default of 20 s is for all the tests together).
#![cfg(target_arch = "wasm32")]

use futures::future::{abortable, join, Aborted};
use gloo_timers::future::TimeoutFuture;
use playground::engine::{self, Recorder, RunOptions};
use playground::model::plan::Plan;
use playground::model::scenario::{AsyncWork, Behaviour, Experiment, Strategy, Workload};
use playground::trace::{GroupOutcome, Outcome, Trace};
use playground::web::executor::BrowserRuntime;
use playground::web::worker_client::WorkerClient;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const ALL: Strategy = Strategy::AllAtOnce { fail_fast: false };
const NO_PROBE: RunOptions = RunOptions { lag_probe_ms: None };

fn tasks(ms: &[u32]) -> Plan {
    plan_with(ms, Behaviour::default())
}

fn plan_with(ms: &[u32], behaviour: Behaviour) -> Plan {
    Plan::new(&AsyncWork {
        workload: Workload::Custom(ms.to_vec()),
        behaviour,
        ..AsyncWork::default()
    })
}

fn recorder(strategy: Strategy, plan: &Plan) -> Recorder {
    Recorder::for_runtime(engine::task_count(strategy, plan), &BrowserRuntime)
}

fn run<'a>(
    strategy: Strategy,
    plan: &'a Plan,
    rec: &'a Recorder,
) -> impl std::future::Future<Output = ()> + 'a {
    engine::run(&BrowserRuntime, strategy, plan, rec, NO_PROBE)
}

async fn measure(strategy: Strategy, plan: &Plan, options: RunOptions) -> Trace {
    let rec = recorder(strategy, plan);
    engine::run(&BrowserRuntime, strategy, plan, &rec, options).await;
    rec.snapshot()
}

#[wasm_bindgen_test]
async fn all_at_once_overlaps_the_waits_and_costs_about_the_longest() {
    // 4,700 ms if the waits added up; 700 ms when they overlap.
    let t = tasks(&[300, 500, 700, 700, 700, 700, 700, 400]);
    let rec = recorder(ALL, &t);
    run(ALL, &t, &rec).await;
    let trace = rec.snapshot();
    let elapsed = trace.elapsed_ms.expect("run ended");
    assert!(
        elapsed >= 695.0,
        "cannot beat the longest timer: {elapsed} ms"
    );
    assert!(elapsed < 2100.0, "the waits must overlap: {elapsed} ms");
    assert_eq!(
        trace.stats().peak_in_flight,
        8,
        "all eight timers pending at once"
    );
    assert_eq!(&trace.completion_order[..3], &[0, 7, 1], "shortest first");
    assert_eq!(trace.completion_order.len(), 8);
}

#[wasm_bindgen_test]
async fn sequential_awaits_add_the_waits_up() {
    let t = tasks(&[300, 500, 700]);
    let rec = recorder(Strategy::Sequential, &t);
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
    let rec = recorder(ALL, &t);
    run(ALL, &t, &rec).await;
    let trace = rec.snapshot();
    assert_eq!(trace.completion_order, vec![2, 0, 1]);
    let started: Vec<u32> = trace.spans.iter().map(|s| s.task).collect();
    assert_eq!(started, vec![0, 1, 2], "started in the order given");
}

#[wasm_bindgen_test]
async fn cancelling_mid_run_stops_pending_timers_and_marks_them() {
    let t = tasks(&[100, 5000, 5000]);
    let rec = recorder(ALL, &t);
    let (fut, handle) = abortable(run(ALL, &t, &rec));
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
        elapsed < 3000.0,
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
    let rec = recorder(Strategy::Sequential, &t);
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
async fn throttling_two_at_a_time_makes_three_waves_of_six_calls() {
    let t = tasks(&[200; 6]);
    let trace = measure(Strategy::Throttled { limit: 2 }, &t, NO_PROBE).await;
    let elapsed = trace.resumed_ms().unwrap();
    assert!(elapsed >= 595.0, "three waves of 200 ms: {elapsed} ms");
    assert!(elapsed < 6000.0, "the run ended: {elapsed} ms");
    assert_eq!(trace.peak_in_flight(), 2, "never more than 2 in flight");
    // The shape, not the time: two calls in flight together in each wave.
    for pair in trace.spans.chunks(2) {
        assert!(
            pair[1].start_ms < pair[0].end_ms.unwrap(),
            "two calls in flight together"
        );
    }
}

#[wasm_bindgen_test]
async fn retries_wait_their_delay_and_each_attempt_is_traced() {
    let plan = Plan::new(&Experiment::Retries.async_work().unwrap());
    let trace = measure(ALL, &plan, NO_PROBE).await;
    let elapsed = trace.resumed_ms().unwrap();
    // 300 fail + 200 + 300 fail + 400 + 300 = 1500 ms for the calls that fail twice.
    assert!((1495.0..4500.0).contains(&elapsed), "{elapsed} ms");
    assert_eq!(trace.stats().retries, 4);
    assert_eq!(
        trace.resumed.as_ref().unwrap().1,
        GroupOutcome::AllCompleted
    );
}

#[wasm_bindgen_test]
async fn a_timeout_abandons_the_slow_call_without_waiting_for_it() {
    let plan = plan_with(
        &[10_000, 100],
        Behaviour {
            timeout_ms: Some(300),
            ..Behaviour::default()
        },
    );
    let trace = measure(ALL, &plan, NO_PROBE).await;
    let elapsed = trace.resumed_ms().unwrap();
    // Far below the 10 s the slow call would take.
    assert!((295.0..3000.0).contains(&elapsed), "{elapsed} ms");
    assert_eq!(trace.stats().timed_out, 1);
}

#[wasm_bindgen_test]
async fn blocking_the_loop_is_stopped_by_the_watchdog_and_seen_by_the_lag_probe() {
    let plan = tasks(&[100]);
    let trace = measure(Strategy::BlockOnResult, &plan, RunOptions::default()).await;
    assert_eq!(
        trace.resumed.as_ref().unwrap().1,
        GroupOutcome::WouldDeadlock
    );
    let lag = trace.stats().max_lag_ms;
    assert!(
        lag >= 1900.0,
        "the probe's timer fired about 2 s late: {lag} ms"
    );
    let end = trace.spans[0].end_ms.unwrap();
    assert!(
        end >= 1995.0,
        "the 100 ms timer could only fire after the block: {end} ms"
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
    // Its wasm cannot be fetched: it fails to start, and says so.
    assert!(
        matches!(err, playground::cpu::protocol::WorkerError::CannotStart(_)),
        "{err:?}"
    );
    assert!(err.to_string().contains("worker"), "{err}");
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

#[wasm_bindgen_test]
async fn a_worker_runs_the_same_kernel_and_gets_the_same_answer() {
    use playground::cpu::kernels::Job;
    let (mut w, _) = WorkerClient::spawn("/dist/worker.js").await.unwrap();
    let done = w
        .run(
            1,
            1,
            Job::CountPrimes {
                start: 0,
                end: 100_000,
            },
        )
        .await
        .expect("the job runs");
    assert_eq!(done.value, 9_592);
    assert!(done.compute_ms >= 0.0);
}

#[wasm_bindgen_test]
async fn a_panicking_job_is_reported_with_its_message_and_marks_the_worker_dead() {
    use playground::cpu::kernels::Job;
    let (mut w, _) = WorkerClient::spawn("/dist/worker.js").await.unwrap();
    let err = w
        .run(
            1,
            7,
            Job::Panic {
                message: "boom in a worker".into(),
            },
        )
        .await
        .expect_err("a panic is an error");
    assert!(err.fatal, "a panicked worker must be replaced");
    assert!(err.message.contains("boom in a worker"), "{}", err.message);
    // A fresh worker from the pool is healthy.
    playground::web::pool::set_worker_url("/dist/worker.js");
    let mut fresh = playground::web::pool::take(1).await.unwrap();
    let ok = fresh[0]
        .run(2, 1, Job::CountPrimes { start: 0, end: 100 })
        .await;
    assert_eq!(ok.map(|d| d.value), Ok(25));
}

#[wasm_bindgen_test]
async fn answers_of_another_run_are_never_taken_for_this_one() {
    use playground::cpu::kernels::Job;
    let (mut w, _) = WorkerClient::spawn("/dist/worker.js").await.unwrap();
    // A stale request whose answer nobody reads, then the real one.
    w.send(&playground::cpu::protocol::ToWorker::Run {
        run_id: 1,
        job_id: 1,
        job: Job::CountPrimes { start: 0, end: 10 },
    })
    .unwrap();
    let done = w
        .run(2, 1, Job::CountPrimes { start: 0, end: 100 })
        .await
        .unwrap();
    assert_eq!(done.value, 25, "not the stale answer (4)");
}

#[wasm_bindgen_test]
async fn parking_calls_on_workers_takes_the_same_time_but_holds_a_worker_each() {
    playground::web::pool::set_worker_url("/dist/worker.js");
    let plan = tasks(&[200; 4]);
    let trace = measure(Strategy::WorkerPerCall, &plan, NO_PROBE).await;
    let elapsed = trace.resumed_ms().unwrap();
    assert!(elapsed >= 195.0, "{elapsed}");
    assert!(
        elapsed < 15_000.0,
        "spawning 4 workers and waiting 200 ms ended: {elapsed}"
    );
    assert_eq!(trace.completed(), 4);
    assert_eq!(trace.peak_in_flight(), 4, "four workers held at once");
    assert!(
        playground::web::pool::idle_count() >= 4,
        "the workers went back to the pool"
    );
}

/// Lowers the worker stall limit for one test and restores the default when dropped.
struct StallLimit;

impl StallLimit {
    fn set(ms: u32) -> StallLimit {
        playground::web::worker_client::set_stall_limit_ms(ms);
        StallLimit
    }
}

impl Drop for StallLimit {
    fn drop(&mut self) {
        use playground::web::worker_client::{set_stall_limit_ms, STALL_LIMIT_MS};
        set_stall_limit_ms(STALL_LIMIT_MS);
    }
}

#[wasm_bindgen_test]
async fn a_worker_that_stops_answering_is_stopped_and_the_run_ends_with_the_error() {
    use playground::cpu::kernels::Job;
    use playground::cpu::{Assignment, CpuMode, CpuPlan, Piece};
    use playground::web::clock::now_ms;
    use playground::web::pool;
    pool::set_worker_url("/dist/worker.js");
    let _limit = StallLimit::set(500);
    // One worker: a job that blocks it for 10 s without a word, then a normal one.
    let piece = |job: Job| Piece { job, cost: 1.0 };
    let plan = CpuPlan {
        mode: CpuMode::OneWorker,
        pieces: vec![
            piece(Job::Stall { ms: 10_000.0 }),
            piece(Job::CountPrimes { start: 0, end: 100 }),
        ],
        assignment: Assignment::Fixed(vec![vec![0, 1]]),
    };
    let rec = Recorder::new(plan.pieces.len(), now_ms);
    let t0 = now_ms();
    playground::web::cpu::run(&plan, &rec, Box::pin(async {})).await;
    let took = now_ms() - t0;
    let trace = rec.snapshot();
    // Stopped after about the 0.5 s limit, far sooner than the 10 s the job would block for.
    assert!(took < 6000.0, "the run ended after {took} ms");
    assert!(trace.is_finished());
    assert_eq!(
        trace.error.as_deref(),
        Some("Piece #1: worker 1 stopped answering (no message for 0.5 s) and was stopped")
    );
    let stalled = &trace.spans[0];
    assert_eq!(stalled.outcome, Some(Outcome::Failed));
    let stopped_at = stalled.end_ms.unwrap() - stalled.start_ms;
    assert!(
        stopped_at >= 450.0,
        "not stopped before the limit: {stopped_at} ms"
    );
    // The next piece ran on a fresh worker.
    assert_eq!(trace.spans[1].outcome, Some(Outcome::Completed));
    assert_eq!(trace.value, Some(25));
    assert_eq!(
        trace.resumed.as_ref().map(|r| r.1.clone()),
        Some(GroupOutcome::Failed {
            first: 0,
            all: vec![0]
        })
    );
    // The pool is healthy afterwards: a following normal job succeeds.
    let mut w = pool::take(1).await.expect("a worker");
    let ok = w[0]
        .run(
            pool::next_id(),
            1,
            Job::CountPrimes {
                start: 0,
                end: 100_000,
            },
        )
        .await;
    assert_eq!(ok.map(|d| d.value), Ok(9_592));
    pool::give_back(w);
}

#[wasm_bindgen_test]
async fn a_silent_worker_is_reported_as_stalled_and_terminated() {
    use playground::cpu::kernels::Job;
    let _limit = StallLimit::set(300);
    let (mut w, _) = WorkerClient::spawn("/dist/worker.js").await.unwrap();
    let err = w
        .run(1, 1, Job::Stall { ms: 1000.0 })
        .await
        .expect_err("a silent worker is an error");
    assert!(err.fatal, "a stopped worker must be replaced");
    assert_eq!(err.stalled_ms, Some(300));
    assert!(err.message.contains("stopped answering"), "{}", err.message);
    // Terminated: a live worker would end its 1 s block (0.7 s left) and answer a ping within
    // 2 s; this one never answers again. (A busy machine can only make a live worker look
    // dead, never a dead one alive: no false failure.)
    w.send(&playground::cpu::protocol::ToWorker::Ping { run_id: 2 })
        .unwrap();
    loop {
        match w.next(2000).await {
            Ok(playground::cpu::protocol::FromWorker::Pong { .. }) => {
                panic!("the stopped worker still answers")
            }
            Ok(_) => continue,
            Err(_) => break,
        }
    }
}

#[wasm_bindgen_test]
async fn a_long_job_that_reports_progress_is_never_taken_for_a_silent_one() {
    use playground::cpu::kernels::Job;
    // A busy worker reports at least every 0.1 s; 0.4 s of silence is 4x that. Each job lasts
    // more than twice the limit (about 1.5 s and 1 s on an idle machine; longer under load).
    const LIMIT_MS: u32 = 400;
    let _limit = StallLimit::set(LIMIT_MS);
    let (mut w, _) = WorkerClient::spawn("/dist/worker.js").await.unwrap();
    for job in [
        Job::Spin { ms: 1500.0 },
        Job::CountPrimes {
            start: 0,
            end: 8_000_000,
        },
    ] {
        let mut reports = 0;
        let done = w
            .run_with_progress(2, 1, job.clone(), &mut |_| reports += 1)
            .await
            .unwrap_or_else(|e| panic!("{job:?} was stopped: {}", e.message));
        assert!(
            done.compute_ms > f64::from(LIMIT_MS),
            "{job:?} outlasted the limit: {done:?}"
        );
        assert!(
            f64::from(reports) >= done.compute_ms / f64::from(LIMIT_MS),
            "{job:?}: {reports} progress reports in {} ms",
            done.compute_ms
        );
    }
    // A worker parked on a timer longer than the limit says nothing until it is done: that is
    // not a stall either.
    let held = w
        .hold(3, 1, 1000)
        .await
        .expect("a long hold is not stopped");
    assert!(held.compute_ms >= 990.0, "{held:?}");
}

#[wasm_bindgen_test]
fn worker_messages_survive_the_trip_as_structured_values_every_number_whole() {
    use playground::cpu::kernels::Job;
    use playground::cpu::protocol::{FromWorker, ToWorker};
    use playground::web::message::{from_js, to_js};
    let to = [
        ToWorker::Ping { run_id: u32::MAX },
        ToWorker::Run {
            run_id: 1,
            job_id: 2,
            job: Job::CountPrimes {
                start: 0,
                end: u64::MAX,
            },
        },
        ToWorker::Hold {
            run_id: 1,
            job_id: 3,
            ms: 100,
        },
    ];
    for msg in to {
        let value = to_js(&msg).expect("posts");
        assert_eq!(from_js::<ToWorker>(value), Ok(msg));
    }
    let from = [
        FromWorker::Ready,
        FromWorker::Done {
            run_id: 1,
            job_id: 2,
            value: u64::MAX,
            compute_ms: 0.1 + 0.2,
        },
        FromWorker::Failed {
            run_id: None,
            job_id: Some(2),
            message: "a \"b\"\n é 😀 \u{0}".into(),
            fatal: true,
        },
    ];
    for msg in from {
        let value = to_js(&msg).expect("posts");
        assert_eq!(from_js::<FromWorker>(value), Ok(msg));
    }
}

#[wasm_bindgen_test]
fn a_value_that_is_not_a_worker_message_is_an_error_not_a_panic() {
    use playground::cpu::protocol::{ProtocolError, ToWorker};
    use playground::web::message::from_js;
    use wasm_bindgen::JsValue;
    let not_messages = [
        JsValue::from_str(r#"{"type":"Ping","run_id":1}"#),
        JsValue::from_str("Nope"),
        JsValue::NULL,
        JsValue::from_f64(7.0),
        js_sys::JSON::parse(r#"{"Ping":{}}"#).unwrap(),
        js_sys::JSON::parse(r#"{"Ping":{"run_id":-1}}"#).unwrap(),
        js_sys::JSON::parse(r#"{"Run":{"run_id":1,"job_id":2,"job":{"Sleep":{}}}}"#).unwrap(),
    ];
    for value in not_messages {
        match from_js::<ToWorker>(value.clone()) {
            Err(ProtocolError::Undecodable(why)) => assert!(!why.is_empty(), "{value:?}"),
            other => panic!("{value:?} was taken for {other:?}"),
        }
    }
}

#[wasm_bindgen_test]
fn on_demand_requests_keep_numbers_json_has_no_word_for() {
    use playground::on_demand::{FromOnDemand, OnDemandError, Request, RequestId, ToOnDemand};
    use playground::trace::export::SvgPart;
    use playground::web::message::{from_js, to_js};
    let part = |width, height| SvgPart {
        heading: "Measured <against> ideal".into(),
        markup: "<svg/>".into(),
        width,
        height,
    };
    let sent = ToOnDemand {
        id: 4,
        request: Request::Svg {
            title: "é 😀".into(),
            parts: vec![
                part(f64::INFINITY, 4_012.300_000_000_745),
                part(0.1 + 0.2, -0.0),
            ],
        },
    };
    let back: ToOnDemand = from_js(to_js(&sent).unwrap()).expect("a request");
    assert_eq!(back, sent);
    // NaN equals nothing, itself included: checked with is_nan.
    let nan = ToOnDemand {
        id: 5,
        request: Request::Svg {
            title: String::new(),
            parts: vec![part(f64::NAN, 1.0)],
        },
    };
    match from_js::<ToOnDemand>(to_js(&nan).unwrap()) {
        Ok(ToOnDemand {
            id: 5,
            request: Request::Svg { parts, .. },
        }) => assert!(parts[0].width.is_nan()),
        other => panic!("{other:?}"),
    }
    // An answer, and the id of a request that is not one.
    let answer = FromOnDemand::Answer {
        id: 9,
        text: Err(OnDemandError::ScenarioNeedsFixing),
    };
    assert_eq!(from_js::<FromOnDemand>(to_js(&answer).unwrap()), Ok(answer));
    let bad = js_sys::JSON::parse(r#"{"id":6,"request":{"Markdown":{}}}"#).unwrap();
    assert!(from_js::<ToOnDemand>(bad.clone()).is_err());
    assert_eq!(from_js::<RequestId>(bad).map(|r| r.id), Ok(6));
}

#[wasm_bindgen_test]
fn history_stored_by_an_earlier_page_is_read_with_the_browsers_json() {
    use playground::trace::history::History;
    use playground::web::storage;
    let stored = include_str!("fixtures/history-v1.json");
    // The browser's JSON reads what serde_json reads, entry for entry.
    let (read, note) = storage::decode(Some(stored));
    assert_eq!(note, None);
    assert_eq!(read, History::decode(Some(stored)).0);
    assert_eq!(read.entries.len(), 2);
    // What the page writes with JSON.stringify reads back the same, here and natively.
    let written = storage::encode(&read).expect("history is written");
    assert_eq!(storage::decode(Some(&written)), (read.clone(), None));
    assert_eq!(History::decode(Some(&written)), (read, None));
    // Bad text is cleared with a note, never a panic.
    for bad in [
        "{",
        "[]",
        r#"{"version":2,"entries":7}"#,
        r#"{"version":1,"entries":[1]}"#,
    ] {
        let (h, note) = storage::decode(Some(bad));
        assert!(h.entries.is_empty(), "{bad}");
        assert!(note.is_some(), "{bad}");
    }
}

#[wasm_bindgen_test]
async fn a_worker_that_dies_in_a_shared_queue_is_replaced_and_every_other_piece_still_runs() {
    use playground::cpu::kernels::Job;
    use playground::cpu::{Assignment, CpuMode, CpuPlan, Piece};
    use playground::web::clock::now_ms;
    use playground::web::pool;
    pool::set_worker_url("/dist/worker.js");
    // Each worker is handed its next piece before it ends the current one: the piece queued
    // behind the one that kills its worker must run on the replacement, not be lost.
    let piece = |job: Job| Piece { job, cost: 1.0 };
    let primes = |end| piece(Job::CountPrimes { start: 0, end });
    let plan = CpuPlan {
        mode: CpuMode::Dynamic,
        pieces: vec![
            primes(100),
            piece(Job::Panic {
                message: "boom".into(),
            }),
            primes(100),
            primes(1000),
            primes(100),
            primes(1000),
        ],
        assignment: Assignment::Queue { lanes: 2 },
    };
    let rec = Recorder::new(plan.pieces.len(), now_ms);
    // What runs before the clock (the page's drawing) runs once, with the workers ready and
    // the clock not started yet.
    let before_clock = std::cell::Cell::new(None);
    playground::web::cpu::run(
        &plan,
        &rec,
        Box::pin(async {
            let t = rec.snapshot();
            before_clock.set(Some((
                rec.has_begun(),
                t.startup_ms.is_some(),
                t.spans.len(),
            )));
        }),
    )
    .await;
    assert_eq!(before_clock.get(), Some((false, true, 0)));
    let trace = rec.snapshot();
    assert!(trace.is_finished());
    let outcome = |task: u32| {
        trace
            .spans
            .iter()
            .find(|s| s.task == task)
            .and_then(|s| s.outcome)
    };
    assert_eq!(outcome(1), Some(Outcome::Failed));
    for task in [0, 2, 3, 4, 5] {
        assert_eq!(outcome(task), Some(Outcome::Completed), "piece {task}");
    }
    // 25 primes below 100 three times, 168 below 1000 twice.
    assert_eq!(trace.value, Some(3 * 25 + 2 * 168));
    assert!(
        trace.error.as_deref().is_some_and(|e| e.contains("boom")),
        "{:?}",
        trace.error
    );
}
