//! The engine on a virtual clock: deterministic orders, and the predictor's formulas checked
//! against what the engine actually does.

use futures::future::{abortable, join};

use super::virtual_rt::VirtualRuntime;
use super::*;
use crate::model::plan::Plan;
use crate::model::predict::predict;
use crate::model::scenario::{
    AsyncWork, Backoff, Behaviour, Experiment, FailRule, Retry, Workload,
};
use crate::trace::{GroupOutcome, Outcome};

const NO_PROBE: RunOptions = RunOptions { lag_probe_ms: None };

fn run_virtual(strategy: Strategy, plan: &Plan, options: RunOptions) -> Trace {
    let rt = VirtualRuntime::new();
    let rec = Recorder::for_runtime(task_count(strategy, plan), &rt);
    rt.block_on(run(&rt, strategy, plan, &rec, options));
    rec.snapshot()
}

fn plan_of(ms: &[u32], behaviour: Behaviour) -> Plan {
    Plan::new(&AsyncWork {
        workload: Workload::Custom(ms.to_vec()),
        behaviour,
        ..AsyncWork::default()
    })
}

fn assert_matches_prediction(strategy: Strategy, plan: &Plan, what: &str) {
    let trace = run_virtual(strategy, plan, NO_PROBE);
    let p = predict(strategy, plan);
    let resumed = trace.resumed_ms().expect("the await continued");
    assert!(
        (resumed - p.resumed_ms).abs() < 1e-6,
        "{what} {strategy:?}: resumed at {resumed}, predicted {}",
        p.resumed_ms
    );
    let settled = trace.elapsed_ms.unwrap();
    assert!(
        (settled - p.settled_ms).abs() < 1e-6,
        "{what} {strategy:?}: settled at {settled}, predicted {}",
        p.settled_ms
    );
    assert_eq!(
        trace.peak_in_flight() as usize,
        p.peak_in_flight,
        "{what} {strategy:?}: peak in flight"
    );
    assert_eq!(
        trace.stats().first_consumed_ms,
        p.first_consumed_ms,
        "{what} {strategy:?}: first consumed"
    );
}

#[test]
fn every_preset_runs_exactly_as_predicted_on_an_ideal_clock() {
    for e in Experiment::ALL {
        let Some(s) = e.async_work() else { continue };
        let plan = Plan::new(&s);
        for strategy in s.strategies {
            assert_matches_prediction(strategy, &plan, e.id());
        }
    }
}

#[test]
fn random_scenarios_run_exactly_as_predicted() {
    let mut rng = crate::model::plan::Rng::new(2024);
    let strategies = [
        Strategy::Sequential,
        Strategy::AllAtOnce { fail_fast: false },
        Strategy::AllAtOnce { fail_fast: true },
        Strategy::FirstWins { cancel_rest: false },
        Strategy::FirstWins { cancel_rest: true },
        Strategy::Throttled { limit: 1 },
        Strategy::Throttled { limit: 3 },
        Strategy::Streaming { concurrent: false },
        Strategy::Streaming { concurrent: true },
        Strategy::FireAndForget,
        Strategy::SharedCounter { safe: true },
        Strategy::BlockOnResult,
        Strategy::WorkerPerCall,
    ];
    for case in 0..1500 {
        let n = rng.range_i64(1, 8) as usize;
        let ms: Vec<u32> = (0..n).map(|_| rng.range_i64(0, 40) as u32 * 50).collect();
        let behaviour = Behaviour {
            jitter_ms: [0, 30][rng.range_i64(0, 1) as usize],
            seed: rng.next_u64(),
            fail: match rng.range_i64(0, 2) {
                0 => FailRule::Never,
                1 => FailRule::Chance {
                    percent: rng.range_i64(0, 60) as u32,
                },
                _ => FailRule::Tasks {
                    tasks: vec![rng.range_i64(0, n as i64 - 1) as u32],
                    times: rng.range_i64(1, 3) as u32,
                },
            },
            timeout_ms: (rng.range_i64(0, 1) == 1).then(|| rng.range_i64(1, 30) as u32 * 70 + 3),
            group_timeout_ms: (rng.range_i64(0, 3) == 1)
                .then(|| rng.range_i64(1, 60) as u32 * 90 + 7),
            retry: Retry {
                attempts: rng.range_i64(1, 4) as u32,
                delay_ms: rng.range_i64(0, 5) as u32 * 40,
                backoff: if rng.range_i64(0, 1) == 0 {
                    Backoff::Fixed
                } else {
                    Backoff::Exponential
                },
            },
        };
        let plan = plan_of(&ms, behaviour);
        for strategy in strategies {
            assert_matches_prediction(strategy, &plan, &format!("case {case} {ms:?} {plan:?}"));
        }
    }
}

#[test]
fn throttling_never_holds_more_than_k_and_starts_in_waves() {
    let plan = plan_of(&[200; 6], Behaviour::default());
    let trace = run_virtual(Strategy::Throttled { limit: 2 }, &plan, NO_PROBE);
    let starts: Vec<f64> = trace.spans.iter().map(|s| s.start_ms).collect();
    assert_eq!(starts, vec![0.0, 0.0, 200.0, 200.0, 400.0, 400.0]);
    assert_eq!(trace.peak_in_flight(), 2);
    let order: Vec<u32> = trace.spans.iter().map(|s| s.task).collect();
    assert_eq!(
        order,
        vec![0, 1, 2, 3, 4, 5],
        "calls are taken in the order given"
    );
}

#[test]
fn each_retry_is_its_own_attempt_on_the_timeline() {
    let plan = Plan::new(&Experiment::Retries.async_work().unwrap());
    let trace = run_virtual(Strategy::AllAtOnce { fail_fast: false }, &plan, NO_PROBE);
    let task1: Vec<(u32, f64, f64, Outcome)> = trace
        .spans
        .iter()
        .filter(|s| s.task == 1)
        .map(|s| (s.attempt, s.start_ms, s.end_ms.unwrap(), s.outcome.unwrap()))
        .collect();
    assert_eq!(
        task1,
        vec![
            (0, 0.0, 300.0, Outcome::Failed),
            (1, 500.0, 800.0, Outcome::Failed),
            (2, 1200.0, 1500.0, Outcome::Completed),
        ],
        "fail, wait 200, fail, wait 400 (exponential), succeed"
    );
    assert_eq!(trace.resumed, Some((1500.0, GroupOutcome::AllCompleted)));
    assert_eq!(trace.stats().retries, 4);
}

#[test]
fn when_all_waits_for_everything_and_reports_every_error() {
    let plan = Plan::new(&Experiment::Failures.async_work().unwrap());
    let t = run_virtual(Strategy::AllAtOnce { fail_fast: false }, &plan, NO_PROBE);
    assert_eq!(
        t.resumed,
        Some((
            1000.0,
            GroupOutcome::Failed {
                first: 1,
                all: vec![1, 2]
            }
        ))
    );
    assert_eq!(t.completed(), 2, "the other calls still completed");
}

#[test]
fn fail_fast_gives_up_at_the_first_error_while_the_rest_keep_running() {
    let plan = Plan::new(&Experiment::Failures.async_work().unwrap());
    let t = run_virtual(Strategy::AllAtOnce { fail_fast: true }, &plan, NO_PROBE);
    assert_eq!(t.resumed_ms(), Some(300.0));
    assert_eq!(
        t.elapsed_ms,
        Some(1000.0),
        "the 1000 ms call still ran to its end"
    );
    assert_eq!(t.completed(), 2);
}

#[test]
fn first_wins_continues_with_the_shortest_and_can_cancel_the_rest() {
    let plan = Plan::new(&Experiment::WhenAny.async_work().unwrap());
    let keep = run_virtual(Strategy::FirstWins { cancel_rest: false }, &plan, NO_PROBE);
    assert_eq!(
        keep.resumed,
        Some((1000.0, GroupOutcome::FirstFinished { task: 2 }))
    );
    assert_eq!((keep.completed(), keep.elapsed_ms), (3, Some(3000.0)));
    let cancel = run_virtual(Strategy::FirstWins { cancel_rest: true }, &plan, NO_PROBE);
    let s = cancel.stats();
    assert_eq!((s.completed, s.cancelled), (1, 2));
    assert_eq!(cancel.elapsed_ms, Some(1000.0), "nothing left running");
}

#[test]
fn a_group_deadline_cancels_what_is_pending_where_it_is() {
    let plan = Plan::new(&Experiment::Timeouts.async_work().unwrap());
    let t = run_virtual(Strategy::Sequential, &plan, NO_PROBE);
    assert_eq!(t.resumed, Some((2500.0, GroupOutcome::DeadlineExceeded)));
    let last = t.spans.last().unwrap();
    assert_eq!((last.task, last.outcome), (2, Some(Outcome::Cancelled)));
    assert_eq!(last.end_ms, Some(2500.0));
    let all = run_virtual(Strategy::AllAtOnce { fail_fast: false }, &plan, NO_PROBE);
    assert_eq!(
        all.stats().timed_out,
        1,
        "the 3000 ms call is abandoned at 2000 ms"
    );
}

#[test]
fn fire_and_forget_returns_at_once_and_its_error_goes_unobserved() {
    let plan = Plan::new(&Experiment::Mistakes.async_work().unwrap());
    let t = run_virtual(Strategy::FireAndForget, &plan, NO_PROBE);
    assert_eq!(t.resumed, Some((0.0, GroupOutcome::NotAwaited)));
    assert_eq!(t.unobserved, vec![2]);
}

#[test]
fn read_await_write_loses_updates_and_the_fix_does_not() {
    let plan = Plan::new(&Experiment::Mistakes.async_work().unwrap());
    let race = run_virtual(Strategy::SharedCounter { safe: false }, &plan, NO_PROBE);
    assert_eq!(race.completed(), 4);
    assert_eq!(race.counter, Some(1), "every call read 0 before any wrote");
    let safe = run_virtual(Strategy::SharedCounter { safe: true }, &plan, NO_PROBE);
    assert_eq!(safe.counter, Some(4));
}

#[test]
fn blocking_on_a_result_is_stopped_by_the_watchdog_and_the_probe_sees_the_stall() {
    let plan = Plan::new(&Experiment::Mistakes.async_work().unwrap());
    let t = run_virtual(Strategy::BlockOnResult, &plan, RunOptions::default());
    assert_eq!(t.resumed, Some((2000.0, GroupOutcome::WouldDeadlock)));
    assert_eq!(t.task_count, 1);
    assert_eq!(
        t.spans[0].end_ms,
        Some(2000.0),
        "the 300 ms timer fired late"
    );
    let worst = t.stats().max_lag_ms;
    assert!(
        worst >= 1900.0,
        "the lag probe saw the blocked loop: {worst}"
    );
}

#[test]
fn the_lag_probe_sees_no_lag_on_an_idle_ideal_loop() {
    let plan = plan_of(&[1000], Behaviour::default());
    let t = run_virtual(Strategy::Sequential, &plan, RunOptions::default());
    assert!(t.lag.len() >= 19, "a tick every 50 ms: {}", t.lag.len());
    assert_eq!(t.stats().max_lag_ms, 0.0);
}

#[test]
fn cancelling_mid_run_marks_pending_calls_and_leaves_later_ones_unstarted() {
    let rt = VirtualRuntime::new();
    let plan = plan_of(&[100, 5000, 100, 100], Behaviour::default());
    let rec = Recorder::for_runtime(4, &rt);
    let (fut, handle) = abortable(run(&rt, Strategy::Sequential, &plan, &rec, NO_PROBE));
    let (result, ()) = rt.block_on(join(fut, async {
        rt.sleep(300).await;
        handle.abort();
    }));
    assert!(result.is_err(), "the run was aborted");
    rec.finish(true);
    let t = rec.snapshot();
    let s = t.stats();
    assert_eq!((s.completed, s.cancelled, s.not_started), (1, 1, 2));
    assert_eq!(t.elapsed_ms, Some(300.0));
    assert_eq!(t.resumed, Some((300.0, GroupOutcome::Cancelled)));
}

#[test]
fn an_empty_plan_finishes_at_once_for_every_strategy() {
    let plan = plan_of(&[], Behaviour::default());
    for s in [
        Strategy::Sequential,
        Strategy::FirstWins { cancel_rest: true },
        Strategy::Throttled { limit: 4 },
        Strategy::BlockOnResult,
    ] {
        let t = run_virtual(s, &plan, NO_PROBE);
        assert_eq!(t.elapsed_ms, Some(0.0), "{s:?}");
    }
}
