//! The seed experiments written as programs give their published shape on the virtual clock.

use super::driver::{run_virtual, Report};
use super::examples;
use super::machine::RunErrorKind;
use crate::trace::Outcome;

fn run_ok(src: &str) -> Report {
    let report = run_virtual(src).expect("the example parses");
    assert_eq!(report.finished.error, None, "{src}");
    report
}

fn log(report: &Report) -> Vec<(f64, String)> {
    report
        .recording
        .log
        .iter()
        .map(|l| (l.at_ms, l.text.clone()))
        .collect()
}

#[test]
fn ten_sequential_calls_of_500_ms_take_5000_ms() {
    let r = run_ok(examples::SEQUENTIAL);
    assert_eq!(r.finished.main_ms, Some(5000.0));
    assert_eq!(r.recording.lanes.len(), 10);
    assert_eq!(r.recording.lanes[3].start_ms, 1500.0, "one after the other");
    assert_eq!(log(&r).last().unwrap().1, "done after 5000 ms");
}

#[test]
fn ten_calls_awaited_together_take_500_ms() {
    let r = run_ok(examples::ALL_AT_ONCE);
    assert_eq!(r.finished.main_ms, Some(500.0));
    assert!(r.recording.lanes.iter().all(|l| l.start_ms == 0.0));
    assert_eq!(r.trace.spans.len(), 10);
    assert_eq!(r.trace.elapsed_ms, Some(500.0));
}

#[test]
fn mixed_durations_together_take_the_longest_and_keep_the_order_given() {
    let r = run_ok(examples::ALL_MIXED);
    assert_eq!(r.finished.main_ms, Some(3000.0));
    assert_eq!(log(&r)[0].1, "[ 'a', 'b', 'c' ] after 3000 ms");
    assert_eq!(
        r.trace.completion_order,
        vec![2, 0, 1],
        "c, a, b finished in that order"
    );
}

#[test]
fn the_first_to_finish_continues_after_1000_ms_and_the_rest_are_cancelled() {
    let r = run_ok(examples::FIRST_TO_FINISH);
    assert_eq!(r.finished.main_ms, Some(1000.0));
    assert_eq!(r.finished.end_ms, 1000.0);
    assert_eq!(log(&r)[0].1, "winner: c after 1000 ms");
    let cancelled = r
        .recording
        .lanes
        .iter()
        .filter(|l| l.outcome == Some(Outcome::Cancelled))
        .count();
    assert_eq!(cancelled, 2);
}

#[test]
fn a_hundred_calls_on_one_loop_take_100_ms() {
    let r = run_ok(examples::WHAT_WAITING_HOLDS);
    assert_eq!(r.finished.main_ms, Some(100.0));
    assert_eq!(r.recording.lanes.len(), 100);
}

#[test]
fn a_thousand_calls_ten_at_a_time_take_a_hundred_waves() {
    let r = run_ok(examples::THROTTLED);
    assert_eq!(r.finished.main_ms, Some(10_000.0));
    let most_in_flight = r
        .recording
        .lanes
        .iter()
        .map(|l| {
            r.recording
                .lanes
                .iter()
                .filter(|o| o.start_ms <= l.start_ms && o.end_ms.unwrap() > l.start_ms)
                .count()
        })
        .max()
        .unwrap();
    assert_eq!(most_in_flight, 10);
}

#[test]
fn stepped_calls_four_at_a_time_take_25_waves_of_150_ms() {
    let r = run_ok(examples::THROTTLED_STEPS);
    assert_eq!(r.finished.main_ms, Some(3750.0));
}

#[test]
fn a_timeout_of_2000_ms_abandons_a_5000_ms_call_at_2000_ms() {
    let r = run_ok(examples::TIMEOUT);
    assert_eq!(
        log(&r),
        vec![(
            2000.0,
            "TimeoutError timed out after 2000 ms at 2000 ms".into()
        )]
    );
    assert_eq!(r.recording.lanes[0].outcome, Some(Outcome::TimedOut));
    assert_eq!(r.recording.lanes[0].end_ms, Some(2000.0));
    assert_eq!(r.finished.end_ms, 2000.0);
}

#[test]
fn retries_show_each_attempt_and_succeed_on_the_third() {
    let r = run_ok(examples::RETRIES);
    assert_eq!(log(&r), vec![(700.0, "attempt 3 after 700 ms".into())]);
    let attempts: Vec<_> = r
        .recording
        .lanes
        .iter()
        .map(|l| (l.label.as_str(), l.start_ms, l.outcome))
        .collect();
    assert_eq!(
        attempts,
        vec![
            ("attempt 1", 0.0, Some(Outcome::Failed)),
            ("attempt 2", 300.0, Some(Outcome::Failed)),
            ("attempt 3", 600.0, Some(Outcome::Completed)),
        ]
    );
}

#[test]
fn retries_that_all_fail_reject_with_the_last_error() {
    let r = run_ok(
        "try { await retry(2, 50, () => fail('flaky', 100)); } catch (e) { console.log(e.message, now()); }",
    );
    assert_eq!(log(&r), vec![(250.0, "flaky failed 250".into())]);
}

#[test]
fn one_failure_rejects_promise_all_with_the_first_error_and_all_settled_reports_each() {
    let r = run_ok(examples::ONE_FAILURE);
    assert_eq!(
        log(&r),
        vec![
            (300.0, "first error: b failed at 300 ms".into()),
            (500.0, "fulfilled".into()),
            (500.0, "rejected".into()),
        ],
        "allSettled starts when the first await resumed (300 ms) and waits for its slower call"
    );
}

#[test]
fn five_ticks_500_ms_apart_are_consumed_as_they_arrive() {
    let r = run_ok(examples::STREAMING);
    let times: Vec<f64> = log(&r).iter().map(|l| l.0).collect();
    assert_eq!(times, vec![500.0, 1000.0, 1500.0, 2000.0, 2500.0]);
    assert_eq!(log(&r)[0].1, "tick 0 at 500 ms");
}

#[test]
fn primes_on_workers_count_right_and_four_parts_run_side_by_side() {
    let r = run_ok(examples::PRIMES);
    let lines = log(&r);
    assert_eq!(
        lines[0],
        (500.0, "9592 primes on one worker, at 500 ms".into())
    );
    assert_eq!(lines[1].1, "9592 primes on four workers, at 625 ms");
    let workers = r
        .recording
        .lanes
        .iter()
        .filter(|l| l.kind == super::trace::LaneKind::Worker)
        .count();
    assert_eq!(workers, 5);
}

#[test]
fn fire_and_forget_loses_an_error_that_is_reported_at_the_end() {
    let r = run_virtual(examples::FIRE_AND_FORGET).unwrap();
    let e = r.finished.error.clone().expect("the lost error");
    assert_eq!(e.kind, RunErrorKind::UnhandledRejection);
    assert_eq!((e.line, e.col), (2, 1));
    assert_eq!(log(&r), vec![(500.0, "main work done".into())]);
}

#[test]
fn every_example_parses_and_runs_to_the_end() {
    for (id, _, src) in examples::ALL {
        let r = run_virtual(src).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert!(r.finished.main_ms.is_some(), "{id} ends");
    }
}

#[test]
fn ten_blocking_purchases_on_four_workers_take_three_waves() {
    let r = run_ok(examples::PARALLEL_FOR_EACH);
    assert_eq!(r.finished.main_ms, Some(3000.0));
}

#[test]
fn three_actions_on_their_own_workers_take_the_longest() {
    let r = run_ok(examples::PARALLEL_INVOKE);
    assert_eq!(r.finished.main_ms, Some(2000.0));
}

#[test]
fn the_order_processor_alternates_io_cpu_io_and_a_pause() {
    let r = run_ok(examples::ORDER_PROCESSOR);
    // 200 fetch + 1000 / 4 primes + 100 save = 550 ms a round, then 5000 ms of pause.
    assert_eq!(
        log(&r),
        vec![
            (550.0, "round 0 saved at 550 ms".into()),
            (6100.0, "round 1 saved at 6100 ms".into())
        ]
    );
}

#[test]
fn read_await_write_loses_two_of_three_updates() {
    let r = run_ok(examples::LOST_UPDATE);
    assert_eq!(log(&r), vec![(10.0, "count is 1 not 3".into())]);
}

#[test]
fn cpu_work_on_the_loop_delays_a_timer_and_on_a_worker_it_does_not() {
    let r = run_ok(examples::BLOCKED_LOOP);
    assert_eq!(
        log(&r),
        vec![
            (1000.0, "the 100 ms timer fired at 1000 ms".into()),
            (
                1100.0,
                "with the work on a worker, it fires after 100 ms".into()
            )
        ]
    );
}

#[test]
fn a_huge_job_is_predicted_without_being_computed() {
    let wall = std::time::Instant::now();
    let r = run_ok("console.log(await worker(primes(50000000)), now());");
    assert_eq!(log(&r), vec![(250_000.0, "0 250000".into())]);
    assert!(
        wall.elapsed().as_secs() < 5,
        "not computed: {:?}",
        wall.elapsed()
    );
}
