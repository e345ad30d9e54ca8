//! The program written from a scenario does what the scenario's fields say: it parses, checks,
//! runs on the virtual clock, and each strategy takes the time the predictor gives it.

use super::program_of;
use crate::cpu::{CpuMode, CpuSpec, Kernel, PIPELINE_CYCLES};
use crate::lang::driver::{run_virtual_with, Report, VirtualOptions};
use crate::lang::machine::RunErrorKind;
use crate::lang::parser::parse;
use crate::lang::trace::LaneKind;
use crate::model::editor::Draft;
use crate::model::plan::Plan;
use crate::model::predict::predict;
use crate::model::scenario::{
    AsyncWork, Backoff, Behaviour, Experiment, FailRule, Retry, Scenario, Step, Strategy, Work,
    Workload,
};

/// Every strategy, for scenarios that try them all.
const EVERY_STRATEGY: [Strategy; 13] = [
    Strategy::Sequential,
    Strategy::AllAtOnce { fail_fast: false },
    Strategy::AllAtOnce { fail_fast: true },
    Strategy::FirstWins { cancel_rest: false },
    Strategy::FirstWins { cancel_rest: true },
    Strategy::Throttled { limit: 3 },
    Strategy::Streaming { concurrent: false },
    Strategy::Streaming { concurrent: true },
    Strategy::FireAndForget,
    Strategy::SharedCounter { safe: false },
    Strategy::SharedCounter { safe: true },
    Strategy::BlockOnResult,
    Strategy::WorkerPerCall,
];

fn preset(e: Experiment) -> Scenario {
    Draft::preset(e)
        .build()
        .scenario
        .unwrap_or_else(|| panic!("the {e:?} preset builds a scenario"))
}

fn scenario(workload: Workload, behaviour: Behaviour, strategies: &[Strategy]) -> Scenario {
    Scenario {
        experiment: Experiment::WhenAll,
        work: Work::Async(AsyncWork {
            workload,
            behaviour,
            strategies: strategies.to_vec(),
        }),
    }
}

/// Parses, checks and runs `scenario`'s program on the virtual clock (jobs cost what the
/// virtual clock estimates, but are not computed: the tests only read times and lanes).
fn run(scenario: &Scenario) -> (String, Report) {
    let src = program_of(scenario);
    let program = parse(&src).unwrap_or_else(|e| panic!("the program parses: {e:?}\n{src}"));
    let problems = crate::lang::check(&src, &program);
    assert!(
        problems.is_empty(),
        "the program checks clean: {problems:?}\n{src}"
    );
    let options = VirtualOptions {
        compute_jobs_up_to_ms: 0.0,
        ..VirtualOptions::default()
    };
    let report = run_virtual_with(&src, &options).expect("the program parses");
    (src, report)
}

/// The error kinds the scenario itself asks for: an unawaited failing call is the point of
/// fire and forget.
fn allowed_error(work: &AsyncWork, kind: RunErrorKind) -> bool {
    let plan = Plan::new(work);
    let some_fail = (0..plan.tasks.len()).any(|i| !plan.settles(i).1);
    kind == RunErrorKind::UnhandledRejection
        && some_fail
        && work.strategies.contains(&Strategy::FireAndForget)
}

/// The elapsed time the program logged for `title`.
fn logged_ms(report: &Report, title: &str, src: &str) -> f64 {
    let prefix = format!("{title}: ");
    let line = report
        .recording
        .log
        .iter()
        .find(|l| l.text.starts_with(&prefix))
        .unwrap_or_else(|| {
            panic!(
                "a log line for {title:?}; the log: {:?}\n{src}",
                report.recording.log
            )
        });
    line.text[prefix.len()..]
        .trim_end_matches(" ms")
        .parse()
        .unwrap_or_else(|e| panic!("{:?} ends in a time: {e}", line.text))
}

/// Runs an async scenario's program and checks that every strategy took its predicted time.
fn assert_times_follow_prediction(scenario: &Scenario) -> (String, Report) {
    let work = scenario.async_work().expect("an async scenario").clone();
    let (src, report) = run(scenario);
    if let Some(error) = &report.finished.error {
        assert!(
            allowed_error(&work, error.kind),
            "the run ends without an error the scenario does not ask for: {error}\n{src}"
        );
    }
    let plan = Plan::new(&work);
    for &s in &work.strategies {
        let want = predict(s, &plan).resumed_ms;
        let got = logged_ms(&report, &s.title(), &src);
        assert!(
            (got - want).abs() <= 1.0,
            "{:?}: {} took {got} ms on the virtual clock, the prediction is {want} ms\n{src}",
            scenario.experiment,
            s.title()
        );
    }
    for &s in &work.strategies {
        if !matches!(s, Strategy::Streaming { .. }) {
            continue;
        }
        let want = predict(s, &plan)
            .first_consumed_ms
            .map_or("null".to_string(), |ms| format!("{ms}"));
        let log = &report.recording.log;
        let at = log
            .iter()
            .position(|l| l.text.starts_with(&format!("{}: ", s.title())))
            .expect("the strategy's line");
        let next = log.get(at + 1).map(|l| l.text.as_str()).unwrap_or("");
        assert_eq!(
            next,
            format!("  first result used after {want} ms"),
            "{}: the first result is used when the prediction says\n{src}",
            s.title()
        );
    }
    (src, report)
}

fn worker_lanes(report: &Report) -> usize {
    report
        .recording
        .lanes
        .iter()
        .filter(|l| l.kind == LaneKind::Worker)
        .count()
}

/// Worker lanes a CPU mode's program opens: one per job it hands out.
fn expected_worker_lanes(spec: &CpuSpec, mode: CpuMode) -> usize {
    let w = if spec.workers == 0 { 4 } else { spec.workers } as usize;
    let queue = (crate::cpu::partition::CHUNKS_PER_WORKER * w).min(super::MAX_PARALLEL_PARTS);
    match (&spec.kernel, mode) {
        (_, CpuMode::MainThread) => 0,
        (Kernel::Burn { ms }, CpuMode::Pipeline) => PIPELINE_CYCLES * ms.len(),
        (Kernel::Burn { ms }, _) => ms.len(),
        (_, CpuMode::OneWorker) => 1,
        (_, CpuMode::Static) => w,
        (_, CpuMode::Dynamic) => queue,
        (_, CpuMode::Pipeline) => PIPELINE_CYCLES * queue,
    }
}

#[test]
fn every_preset_s_program_parses_runs_and_takes_the_preset_s_predicted_time_per_strategy() {
    for e in Experiment::ALL {
        let s = preset(e);
        match &s.work {
            Work::Async(_) => {
                assert_times_follow_prediction(&s);
            }
            Work::Program(_) => unreachable!("no preset is a program"),
            Work::Cpu(spec) => {
                let (src, report) = run(&s);
                assert_eq!(
                    report.finished.error, None,
                    "{e:?}'s program runs without an error\n{src}"
                );
                let want: usize = spec
                    .modes
                    .iter()
                    .map(|&m| expected_worker_lanes(spec, m))
                    .sum();
                assert_eq!(
                    worker_lanes(&report),
                    want,
                    "{e:?}: one worker lane per job its modes hand out\n{src}"
                );
                let main_thread = report
                    .recording
                    .lanes
                    .iter()
                    .filter(|l| l.kind == LaneKind::MainThread)
                    .count();
                let main_modes = spec
                    .modes
                    .iter()
                    .filter(|&&m| m == CpuMode::MainThread)
                    .count();
                assert_eq!(
                    main_thread, main_modes,
                    "{e:?}: the page's own thread is blocked once per main-thread mode\n{src}"
                );
                for &m in &spec.modes {
                    let title = m.title(if spec.workers == 0 { 4 } else { spec.workers });
                    let ms = logged_ms(&report, &title, &src);
                    assert!(ms >= 0.0, "{e:?}: {title} logs its time");
                }
            }
        }
    }
}

#[test]
fn seven_calls_of_250_ms_take_seven_times_250_one_by_one_and_250_together() {
    let s = scenario(
        Workload::Uniform {
            count: 7,
            duration_ms: 250,
        },
        Behaviour::default(),
        &[
            Strategy::Sequential,
            Strategy::AllAtOnce { fail_fast: false },
            Strategy::Throttled { limit: 3 },
        ],
    );
    let (src, report) = assert_times_follow_prediction(&s);
    assert_eq!(logged_ms(&report, "Sequential awaits", &src), 1750.0);
    assert_eq!(
        logged_ms(&report, "All at once (wait for all)", &src),
        250.0
    );
    assert_eq!(
        logged_ms(&report, "Throttled: at most 3 in flight", &src),
        750.0,
        "ceil(7 / 3) = 3 waves of 250 ms"
    );
    assert!(
        src.contains("range(7)") && !src.contains("durations"),
        "equal calls are written as a loop, not a list\n{src}"
    );
}

#[test]
fn a_custom_list_is_written_out_and_every_strategy_follows_it() {
    let s = scenario(
        Workload::Custom(vec![400, 100, 250, 100]),
        Behaviour::default(),
        &EVERY_STRATEGY,
    );
    let (src, report) = assert_times_follow_prediction(&s);
    assert!(
        src.contains("const durations = [400, 100, 250, 100];"),
        "{src}"
    );
    assert_eq!(
        logged_ms(&report, "First wins (the rest are cancelled)", &src),
        100.0
    );
    assert_eq!(report.finished.error, None, "{src}");
}

#[test]
fn jitter_drawn_with_a_seed_gives_the_plan_s_durations_and_another_seed_other_ones() {
    let mk = |seed| {
        scenario(
            Workload::Uniform {
                count: 12,
                duration_ms: 300,
            },
            Behaviour {
                jitter_ms: 100,
                seed,
                ..Behaviour::default()
            },
            &[
                Strategy::Sequential,
                Strategy::AllAtOnce { fail_fast: false },
                Strategy::FirstWins { cancel_rest: true },
                Strategy::Streaming { concurrent: false },
            ],
        )
    };
    let (a, _) = assert_times_follow_prediction(&mk(7));
    let (b, _) = assert_times_follow_prediction(&mk(8));
    assert!(
        a.contains("seed 7") && a.contains("const durations = ["),
        "{a}"
    );
    assert_ne!(a, b, "another seed draws other durations");
    assert_eq!(
        program_of(&mk(7)),
        a,
        "the same seed writes the same program"
    );
}

#[test]
fn a_failing_call_with_fixed_retries_takes_its_failed_attempts_and_delays() {
    let s = scenario(
        Workload::Custom(vec![200, 300]),
        Behaviour {
            fail: FailRule::Tasks {
                tasks: vec![1],
                times: 2,
            },
            retry: Retry {
                attempts: 3,
                delay_ms: 100,
                backoff: Backoff::Fixed,
            },
            ..Behaviour::default()
        },
        &EVERY_STRATEGY,
    );
    let (src, report) = assert_times_follow_prediction(&s);
    assert!(
        src.contains("retry(3, 100,"),
        "fixed delays use retry()\n{src}"
    );
    assert_eq!(
        logged_ms(&report, "All at once (wait for all)", &src),
        300.0 + 100.0 + 300.0 + 100.0 + 300.0,
        "two failed attempts, two delays, one success"
    );
    assert_eq!(report.finished.error, None, "the retries succeed\n{src}");
}

#[test]
fn exponential_backoff_timeouts_and_a_group_deadline_cut_the_times_where_the_fields_say() {
    let s = scenario(
        Workload::Custom(vec![300, 900, 200, 600]),
        Behaviour {
            fail: FailRule::Tasks {
                tasks: vec![0, 2],
                times: 3,
            },
            timeout_ms: Some(700),
            group_timeout_ms: Some(2500),
            retry: Retry {
                attempts: 3,
                delay_ms: 100,
                backoff: Backoff::Exponential,
            },
            ..Behaviour::default()
        },
        &EVERY_STRATEGY,
    );
    let (src, _) = assert_times_follow_prediction(&s);
    assert!(
        src.contains("timeout(") && src.contains("await sleep(delay);"),
        "{src}"
    );
    assert!(src.contains("cancelled"), "the deadline is checked\n{src}");
}

#[test]
fn stepped_calls_with_jitter_and_a_failure_chance_follow_the_plan() {
    let s = scenario(
        Workload::Steps {
            count: 9,
            steps: vec![
                Step {
                    label: "fetch".into(),
                    ms: 100,
                },
                Step {
                    label: "process".into(),
                    ms: 50,
                },
            ],
        },
        Behaviour {
            jitter_ms: 20,
            seed: 3,
            fail: FailRule::Chance { percent: 40 },
            retry: Retry {
                attempts: 2,
                delay_ms: 50,
                backoff: Backoff::Fixed,
            },
            ..Behaviour::default()
        },
        &EVERY_STRATEGY,
    );
    let (src, _) = assert_times_follow_prediction(&s);
    assert!(src.contains("failedAttempts"), "{src}");
    assert!(src.contains("\"fetch \" + i"), "{src}");
}

#[test]
fn ten_thousand_calls_run_within_the_language_s_limits() {
    let s = scenario(
        Workload::Uniform {
            count: 10_000,
            duration_ms: 100,
        },
        Behaviour::default(),
        &[
            Strategy::Throttled { limit: 100 },
            Strategy::AllAtOnce { fail_fast: false },
        ],
    );
    let (src, report) = assert_times_follow_prediction(&s);
    assert!(
        src.len() < 5_000,
        "a loop, not 10,000 lines: {} bytes",
        src.len()
    );
    assert_eq!(report.finished.error, None);
    let drawn = scenario(
        Workload::Uniform {
            count: 10_000,
            duration_ms: 30_000,
        },
        Behaviour {
            jitter_ms: 20_000,
            seed: 11,
            fail: FailRule::Chance { percent: 30 },
            retry: Retry {
                attempts: 3,
                delay_ms: 10,
                backoff: Backoff::Fixed,
            },
            ..Behaviour::default()
        },
        &[
            Strategy::AllAtOnce { fail_fast: false },
            Strategy::Throttled { limit: 2_000 },
        ],
    );
    let (src, _) = assert_times_follow_prediction(&drawn);
    assert!(
        src.len() < crate::lang::limits::MAX_PROGRAM_BYTES,
        "10,000 drawn durations and failures fit the program size limit: {} bytes",
        src.len()
    );
}

#[test]
fn edited_cpu_fields_give_their_own_numbers_and_worker_lanes() {
    let s = Scenario {
        experiment: Experiment::Primes,
        work: Work::Cpu(CpuSpec {
            kernel: Kernel::Primes { limit: 300_000 },
            modes: vec![
                CpuMode::MainThread,
                CpuMode::OneWorker,
                CpuMode::Static,
                CpuMode::Dynamic,
            ],
            workers: 3,
        }),
    };
    let (src, report) = run(&s);
    assert_eq!(report.finished.error, None, "{src}");
    assert!(
        src.contains("primes(300000)") && src.contains("parallel(3, "),
        "{src}"
    );
    assert_eq!(worker_lanes(&report), 1 + 3 + 3 * 16, "{src}");
    let burns = Scenario {
        experiment: Experiment::Invoke,
        work: Work::Cpu(CpuSpec {
            kernel: Kernel::Burn {
                ms: vec![1000, 500, 2000],
            },
            modes: vec![CpuMode::OneWorker, CpuMode::Static, CpuMode::Dynamic],
            workers: 3,
        }),
    };
    let (src, report) = run(&burns);
    assert_eq!(report.finished.error, None, "{src}");
    assert_eq!(
        logged_ms(&report, &CpuMode::OneWorker.title(3), &src),
        3500.0,
        "one worker runs the items one after another"
    );
    assert_eq!(
        logged_ms(&report, &CpuMode::Dynamic.title(3), &src),
        2000.0,
        "three workers take the longest item"
    );
}

#[test]
fn the_default_preset_s_program_reads_as_a_learner_sees_it() {
    let src = program_of(&preset(Experiment::WhenAll));
    let want = r#"// A. Sequential awaits vs all at once (WhenAll)
// Written from the scenario's fields: 10 calls of 500 ms.

// Sequential awaits.
// Each call starts only when the one before it has finished; an error ends the loop.
{
  const t0 = now();
  for (const i of range(10)) {
    await call("call " + i, 500);
  }
  console.log("Sequential awaits:", now() - t0, "ms");
}

// All at once (wait for all).
// Start every call, then await them together (Task.WhenAll).
{
  const t0 = now();
  const calls = range(10).map(i => call("call " + i, 500));
  await Promise.all(calls);
  console.log("All at once (wait for all):", now() - t0, "ms");
}
"#;
    assert_eq!(src, want, "the default program, as a learner reads it");
}

#[test]
fn first_wins_cancels_the_losers_only_when_the_strategy_says_so() {
    let (src, report) = assert_times_follow_prediction(&preset(Experiment::WhenAny));
    let cancelled = report
        .recording
        .lanes
        .iter()
        .filter(|l| l.outcome == Some(crate::trace::Outcome::Cancelled))
        .count();
    assert_eq!(
        cancelled, 2,
        "only \"the rest are cancelled\" cancels its two losers; \"keep running\" lets them end\n{src}"
    );
}

#[test]
fn a_timeout_equal_to_a_call_s_duration_is_called_out_rather_than_silently_different() {
    let s = scenario(
        Workload::Custom(vec![500, 1000]),
        Behaviour {
            timeout_ms: Some(1000),
            ..Behaviour::default()
        },
        &[Strategy::AllAtOnce { fail_fast: false }],
    );
    let (src, report) = assert_times_follow_prediction(&s);
    assert!(
        src.contains("One call takes exactly 1000 ms") && src.contains("wins the tie"),
        "the tie is explained\n{src}"
    );
    assert_eq!(report.finished.error, None, "{src}");
}

#[test]
fn every_strategy_follows_the_prediction_across_a_grid_of_edited_fields() {
    let workloads = [
        Workload::Uniform {
            count: 5,
            duration_ms: 200,
        },
        Workload::Custom(vec![0, 300, 120, 300, 50]),
        Workload::Custom(vec![]),
        Workload::Steps {
            count: 3,
            steps: vec![
                Step {
                    label: "read \"a\"".into(),
                    ms: 40,
                },
                Step {
                    label: "write\\b".into(),
                    ms: 0,
                },
                Step {
                    label: "ack".into(),
                    ms: 70,
                },
            ],
        },
        Workload::Steps {
            count: 2,
            steps: vec![],
        },
    ];
    let fails = [
        FailRule::Never,
        FailRule::Tasks {
            tasks: vec![0, 3, 99],
            times: 1,
        },
        FailRule::Chance { percent: 50 },
        FailRule::Chance { percent: 100 },
    ];
    let mut count = 0;
    for workload in &workloads {
        for fail in &fails {
            for (timeout_ms, group_timeout_ms) in [
                (None, None),
                (Some(150), None),
                (None, Some(250)),
                (Some(100), Some(263)),
            ] {
                for (attempts, backoff) in [(1, Backoff::Fixed), (3, Backoff::Exponential)] {
                    for jitter_ms in [0, 30] {
                        let s = scenario(
                            workload.clone(),
                            Behaviour {
                                jitter_ms,
                                seed: 5,
                                fail: fail.clone(),
                                timeout_ms,
                                group_timeout_ms,
                                retry: Retry {
                                    attempts,
                                    delay_ms: 25,
                                    backoff,
                                },
                            },
                            &EVERY_STRATEGY,
                        );
                        assert_times_follow_prediction(&s);
                        count += 1;
                    }
                }
            }
        }
    }
    assert_eq!(count, 5 * 4 * 4 * 2 * 2, "every combination ran");
}

#[test]
fn a_program_s_own_program_is_itself() {
    let code = crate::lang::link::encode("await sleep(5);\n");
    let s = Scenario {
        experiment: Experiment::WhenAll,
        work: Work::Program(crate::model::scenario::ProgramCode {
            code,
            from_preset: false,
        }),
    };
    assert_eq!(program_of(&s), "await sleep(5);\n");
}
