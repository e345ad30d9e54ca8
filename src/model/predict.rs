//! The predictor: the ideal (zero-overhead) timing of each strategy over a [`Plan`], and the
//! sentence that explains it. Formulas, not simulation: they are checked against the engine run
//! on a virtual clock in `engine`'s tests.

use crate::model::plan::Plan;
use crate::model::scenario::{Scenario, Strategy, Work, MAX_WORKERS};
use crate::units::fmt_ms;

/// How long the watchdog lets a blocked event loop spin before it reports "would deadlock".
pub const WATCHDOG_MS: u32 = 2000;

/// What a strategy should cost on an ideal clock.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Prediction {
    /// When the awaiting code continues (the strategy's elapsed time).
    pub resumed_ms: f64,
    /// When every call has ended (later than `resumed_ms` when calls keep running).
    pub settled_ms: f64,
    /// Most calls pending at once.
    pub peak_in_flight: usize,
    /// When the first result is consumed by the caller, if one is.
    pub first_consumed_ms: Option<f64>,
}

/// Predicts `strategy` over `plan`.
pub fn predict(strategy: Strategy, plan: &Plan) -> Prediction {
    let n = plan.tasks.len();
    let settles: Vec<(f64, bool)> = (0..n).map(|i| plan.settles(i)).collect();
    let max_all = settles.iter().map(|s| s.0).fold(0.0, f64::max);
    let min_all = settles.iter().map(|s| s.0).fold(f64::INFINITY, f64::min);
    let min_all = if n == 0 { 0.0 } else { min_all };
    // Sequential: one after another; the first error ends the loop (the exception propagates).
    // Returns the total and how many calls ran.
    let sequential = || {
        let mut t = 0.0;
        let mut ran = 0;
        for &(d, ok) in &settles {
            t += d;
            ran += 1;
            if !ok {
                break;
            }
        }
        (t, ran)
    };
    // One at a time: one pending at most, if any call that ran waits at all.
    let one_if_waiting =
        |ran: usize| usize::from(plan.tasks[..ran].iter().any(|t| t.duration_ms() > 0));
    let all_ok = settles.iter().all(|s| s.1);
    // A 0 ms call ends the instant it starts and overlaps nothing.
    let n_waiting = plan.tasks.iter().filter(|t| t.duration_ms() > 0).count();
    // Strategies that hand the caller a list: consumed when the await returns, if it returns one.
    let list = |at: f64| (n > 0 && all_ok).then_some(at);
    let (resumed, settled, peak, first) = match strategy {
        Strategy::Sequential => {
            let (t, ran) = sequential();
            (t, t, one_if_waiting(ran), list(t))
        }
        Strategy::AllAtOnce { fail_fast } => {
            let first_error = settles
                .iter()
                .filter(|s| !s.1)
                .map(|s| s.0)
                .fold(f64::INFINITY, f64::min);
            let resumed = if fail_fast && first_error.is_finite() {
                first_error
            } else {
                max_all
            };
            (resumed, max_all, n_waiting, list(resumed))
        }
        Strategy::FirstWins { cancel_rest } => {
            let settled = if cancel_rest { min_all } else { max_all };
            // Cancelled at 0 ms, the others never overlapped anything.
            let peak = if cancel_rest && min_all == 0.0 {
                0
            } else {
                n_waiting
            };
            (min_all, settled, peak, (n > 0).then_some(min_all))
        }
        Strategy::Throttled { limit } => {
            let t = throttled_ms(&settles, limit.max(1) as usize);
            (t, t, n_waiting.min(limit.max(1) as usize), list(t))
        }
        Strategy::WorkerPerCall => {
            // Ideal workers start for free; calls past the pool's size queue in waves.
            let k = MAX_WORKERS as usize;
            let t = throttled_ms(&settles, k);
            (t, t, n_waiting.min(k), list(t))
        }
        Strategy::Streaming { concurrent: false } => {
            let (t, ran) = sequential();
            let first = settles.first().filter(|s| s.1).map(|s| s.0);
            (t, t, one_if_waiting(ran), first)
        }
        Strategy::Streaming { concurrent: true } => {
            let first = settles
                .iter()
                .filter(|s| s.1)
                .map(|s| s.0)
                .fold(f64::INFINITY, f64::min);
            (
                max_all,
                max_all,
                n_waiting,
                first.is_finite().then_some(first),
            )
        }
        Strategy::FireAndForget => (0.0, max_all, n_waiting, None),
        Strategy::SharedCounter { .. } => {
            let any_ok = settles.iter().any(|s| s.1);
            (max_all, max_all, n_waiting, any_ok.then_some(max_all))
        }
        Strategy::BlockOnResult => return predict_block_on_result(plan),
    };
    // A group deadline cancels whatever is still pending. Its timer is set before any call's,
    // so a call due at the very same time is cancelled, not consumed.
    let cap = plan
        .group_timeout_ms
        .map(f64::from)
        .unwrap_or(f64::INFINITY);
    Prediction {
        resumed_ms: resumed.min(cap),
        settled_ms: settled.min(cap),
        peak_in_flight: peak,
        first_consumed_ms: first.filter(|&f| f < cap),
    }
}

/// Blocking on the first call's result: the loop spins until the watchdog gives up, and no timer
/// (not the call's, not the group deadline's) can fire until then.
fn predict_block_on_result(plan: &Plan) -> Prediction {
    if plan.tasks.is_empty() {
        return Prediction {
            resumed_ms: 0.0,
            settled_ms: 0.0,
            peak_in_flight: 0,
            first_consumed_ms: None,
        };
    }
    let w = WATCHDOG_MS as f64;
    let (d, _) = plan.settles(0);
    let first = plan.attempts(0)[0];
    let e0 = first.start_ms + first.length_ms;
    // The first attempt ends when the block lets its timer fire; the rest follows from there.
    let natural_end = w.max(e0) + (d - e0);
    let deadline = plan
        .group_timeout_ms
        .map(|g| (g as f64).max(w))
        .unwrap_or(f64::INFINITY);
    Prediction {
        resumed_ms: w,
        settled_ms: natural_end.min(deadline),
        // Even a 0 ms call stays pending through the block: its timer cannot fire until then.
        peak_in_flight: 1,
        first_consumed_ms: None,
    }
}

/// Calls handed out in order to `limit` slots, each to the slot that frees first: with equal
/// calls, ceil(n / limit) waves.
fn throttled_ms(settles: &[(f64, bool)], limit: usize) -> f64 {
    let mut slots = vec![0.0f64; limit.min(settles.len()).max(1)];
    for &(d, _) in settles {
        let (i, _) = slots
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(b.1))
            .expect("at least one slot");
        slots[i] += d;
    }
    slots.into_iter().fold(0.0, f64::max)
}

/// The ideal elapsed time of `strategy` over `plan` (when the awaiting code continues), in ms.
pub fn ideal_ms(strategy: Strategy, plan: &Plan) -> f64 {
    predict(strategy, plan).resumed_ms
}

/// One or two sentences on why this strategy takes the time it does, with the plan's numbers.
pub fn explain(strategy: Strategy, plan: &Plan) -> String {
    let n = plan.tasks.len();
    let p = predict(strategy, plan);
    let ideal = fmt_ms(p.resumed_ms);
    let first = plan.tasks.first().map(|t| t.duration_ms()).unwrap_or(0);
    let uniform = plan
        .tasks
        .windows(2)
        .all(|w| w[0].duration_ms() == w[1].duration_ms());
    let calls = if n == 1 { "call" } else { "calls" };
    let capped = plan
        .group_timeout_ms
        .is_some_and(|g| (g as f64) <= p.resumed_ms);
    let mut text = match strategy {
        Strategy::Sequential => {
            let how = if uniform && n > 0 && plan.retry.attempts == 1 {
                format!("{n} × {first} ms")
            } else {
                "the sum of all durations".to_string()
            };
            format!(
                "Each await waits for the previous call to finish before the next one starts, \
                 so the waits add up: {how} ≈ {ideal} ms. An error ends the loop."
            )
        }
        Strategy::AllAtOnce { fail_fast: false } => format!(
            "All {n} {calls} were started first and then awaited together, so the waits overlap \
             and the total is the longest single call: ≈ {ideal} ms."
        ),
        Strategy::AllAtOnce { fail_fast: true } => format!(
            "All {n} {calls} start together; the await gives up at the first error (≈ {ideal} ms) \
             while the other calls keep running, their results unobserved."
        ),
        Strategy::FirstWins { cancel_rest: false } => format!(
            "The await continues with the first call to finish (≈ {ideal} ms); the others keep \
             running until they end on their own."
        ),
        Strategy::FirstWins { cancel_rest: true } => format!(
            "The await continues with the first call to finish (≈ {ideal} ms) and cancels the \
             others, so nothing is left running."
        ),
        Strategy::Throttled { limit } => {
            let waves = n.div_ceil(limit.max(1) as usize);
            let how = if uniform && n > 0 && plan.retry.attempts == 1 {
                format!("ceil({n} / {limit}) = {waves} waves × {first} ms")
            } else {
                format!("{n} calls through {limit} slots")
            };
            format!(
                "At most {limit} calls wait at once; each freed slot takes the next call, so the \
                 calls run in waves: {how} ≈ {ideal} ms."
            )
        }
        Strategy::Streaming { concurrent: false } => format!(
            "A producer awaits the calls one by one and hands each result over as soon as it \
             exists: the first is consumed after ≈ {} ms, not after all ≈ {ideal} ms.",
            fmt_ms(p.first_consumed_ms.unwrap_or(0.0))
        ),
        Strategy::Streaming { concurrent: true } => format!(
            "All calls start together and each result is consumed the moment its call finishes, \
             in completion order: the first after ≈ {} ms.",
            fmt_ms(p.first_consumed_ms.unwrap_or(0.0))
        ),
        Strategy::FireAndForget => "The caller starts the calls and returns at once, \
             reporting success; the calls go on, and an error they raise reaches no one."
            .to_string(),
        Strategy::SharedCounter { safe: false } => format!(
            "Each of the {n} {calls} reads the counter, awaits, then writes back what it read \
             plus one: every write after an await overwrites the others, so updates are lost \
             (a race on one thread)."
        ),
        Strategy::SharedCounter { safe: true } => format!(
            "Each call awaits first, then increments in one synchronous step that nothing can \
             interleave: the counter ends at {n}."
        ),
        Strategy::WorkerPerCall => format!(
            "Each call parks a worker of its own while it waits, as blocking on .Result parks a \
             thread: about the same time (≈ {ideal} ms), but up to {} workers held doing \
             nothing, each a thread with its own memory. Past {} calls they queue for a worker.",
            n.min(MAX_WORKERS as usize),
            MAX_WORKERS
        ),
        Strategy::BlockOnResult => format!(
            "The loop spins waiting for a result that only the loop itself can deliver: it \
             would wait forever. A watchdog gives up after {} ms; only then can the {} ms timer \
             fire, late.",
            fmt_ms(WATCHDOG_MS as f64),
            fmt_ms(first as f64)
        ),
    };
    if capped {
        text.push_str(&format!(
            " The group deadline ({} ms) cancels what is still pending.",
            fmt_ms(plan.group_timeout_ms.unwrap_or(0) as f64)
        ));
    }
    text
}

/// The line beside Run: what each way will do and its ideal time, before anything runs.
/// `cores` is what the browser reports (0 when it does not say).
pub fn ideal_line(scenario: Option<&Scenario>, cores: u32) -> String {
    match scenario {
        Some(Scenario {
            work: Work::Cpu(cpu),
            ..
        }) => {
            let spec = cpu.resolved(cores.max(1));
            format!(
                "Each way will {}; {} workers for the parallel ways (this browser reports {} cores).",
                spec.kernel.describe(),
                spec.workers,
                cores
            )
        }
        Some(Scenario {
            work: Work::Async(w),
            ..
        }) => {
            let plan = Plan::new(w);
            let parts: Vec<String> = w
                .strategies
                .iter()
                .map(|&st| {
                    format!(
                        "{} {} ms",
                        st.title().to_ascii_lowercase(),
                        fmt_ms(predict(st, &plan).resumed_ms)
                    )
                })
                .collect();
            format!("Ideal: {}.", parts.join("; "))
        }
        Some(Scenario {
            work: Work::Program(_),
            ..
        }) => "The prediction is the program run on a virtual clock, with no overhead.".to_string(),
        None => "Fix the highlighted field to run.".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::scenario::{AsyncWork, Behaviour, Experiment, Workload};

    fn plan_of(ms: &[u32]) -> Plan {
        Plan::new(&AsyncWork {
            workload: Workload::Custom(ms.to_vec()),
            ..AsyncWork::default()
        })
    }

    fn plan_with(ms: &[u32], behaviour: Behaviour) -> Plan {
        Plan::new(&AsyncWork {
            workload: Workload::Custom(ms.to_vec()),
            behaviour,
            ..AsyncWork::default()
        })
    }

    const ALL_WAIT: Strategy = Strategy::AllAtOnce { fail_fast: false };

    #[test]
    fn sequential_awaits_add_up() {
        assert_eq!(ideal_ms(Strategy::Sequential, &plan_of(&[500; 10])), 5000.0);
        assert_eq!(
            ideal_ms(Strategy::Sequential, &plan_of(&[2000, 3000, 1000])),
            6000.0
        );
    }

    #[test]
    fn all_at_once_costs_the_longest_call() {
        assert_eq!(ideal_ms(ALL_WAIT, &plan_of(&[500; 10])), 500.0);
        assert_eq!(ideal_ms(ALL_WAIT, &plan_of(&[2000, 3000, 1000])), 3000.0);
    }

    #[test]
    fn first_wins_costs_the_shortest_call_and_may_leave_the_rest_running() {
        let p = plan_of(&[2000, 3000, 1000]);
        let keep = predict(Strategy::FirstWins { cancel_rest: false }, &p);
        assert_eq!((keep.resumed_ms, keep.settled_ms), (1000.0, 3000.0));
        let cancel = predict(Strategy::FirstWins { cancel_rest: true }, &p);
        assert_eq!((cancel.resumed_ms, cancel.settled_ms), (1000.0, 1000.0));
    }

    #[test]
    fn throttling_runs_in_ceil_n_over_k_waves() {
        let p = Plan::new(&Experiment::Throttle.async_work().unwrap());
        let t = predict(Strategy::Throttled { limit: 10 }, &p);
        assert_eq!(
            t.resumed_ms,
            100.0 * 100.0,
            "1000 / 10 = 100 waves of 100 ms"
        );
        assert_eq!(t.peak_in_flight, 10);
        assert_eq!(
            ideal_ms(Strategy::Throttled { limit: 2 }, &plan_of(&[200; 6])),
            600.0
        );
        assert_eq!(
            ideal_ms(Strategy::Throttled { limit: 4 }, &plan_of(&[200; 6])),
            400.0
        );
        assert_eq!(
            ideal_ms(Strategy::Throttled { limit: 99 }, &plan_of(&[200; 6])),
            200.0
        );
        // Uneven calls: a freed slot takes the next call at once.
        assert_eq!(
            ideal_ms(
                Strategy::Throttled { limit: 2 },
                &plan_of(&[300, 100, 100, 100])
            ),
            300.0
        );
    }

    #[test]
    fn stepped_calls_throttle_in_waves_of_their_total() {
        let p = Plan::new(&Experiment::ThrottleSteps.async_work().unwrap());
        assert_eq!(ideal_ms(Strategy::Throttled { limit: 8 }, &p), 13.0 * 150.0);
    }

    #[test]
    fn a_sequential_loop_stops_at_the_first_error() {
        let p = Plan::new(&Experiment::Failures.async_work().unwrap());
        // 1000 ok, then 300 fails: the loop ends there.
        assert_eq!(ideal_ms(Strategy::Sequential, &p), 1300.0);
        assert_eq!(
            ideal_ms(ALL_WAIT, &p),
            1000.0,
            "WhenAll waits for every call"
        );
        let ff = predict(Strategy::AllAtOnce { fail_fast: true }, &p);
        assert_eq!(
            (ff.resumed_ms, ff.settled_ms),
            (300.0, 1000.0),
            "Promise.all rejects at the first error"
        );
    }

    #[test]
    fn retries_and_timeouts_are_part_of_the_ideal() {
        let p = Plan::new(&Experiment::Retries.async_work().unwrap());
        assert_eq!(ideal_ms(ALL_WAIT, &p), 1500.0);
        assert_eq!(
            ideal_ms(Strategy::Sequential, &p),
            300.0 + 1500.0 + 300.0 + 1500.0
        );
        let t = Plan::new(&Experiment::Timeouts.async_work().unwrap());
        // 500, 1000 and a 3000 ms call cut at 2000 ms: all settle by 2000, under the 2500 deadline.
        assert_eq!(ideal_ms(ALL_WAIT, &t), 2000.0);
        // Sequentially: 500 + 1000 + (cut at 2000) would be 3500, but the 2500 ms deadline cancels.
        assert_eq!(ideal_ms(Strategy::Sequential, &t), 2500.0);
    }

    #[test]
    fn streaming_hands_over_the_first_result_after_one_call() {
        let p = Plan::new(&Experiment::Streaming.async_work().unwrap());
        let s = predict(Strategy::Streaming { concurrent: false }, &p);
        assert_eq!((s.first_consumed_ms, s.resumed_ms), (Some(500.0), 2500.0));
        let seq = predict(Strategy::Sequential, &p);
        assert_eq!(
            seq.first_consumed_ms,
            Some(2500.0),
            "collected first, consumed at the end"
        );
        let c = predict(
            Strategy::Streaming { concurrent: true },
            &plan_of(&[300, 100, 200]),
        );
        assert_eq!((c.first_consumed_ms, c.resumed_ms), (Some(100.0), 300.0));
    }

    #[test]
    fn fire_and_forget_returns_at_once_and_blocking_waits_for_the_watchdog() {
        let p = plan_of(&[300, 300]);
        let f = predict(Strategy::FireAndForget, &p);
        assert_eq!((f.resumed_ms, f.settled_ms), (0.0, 300.0));
        let b = predict(Strategy::BlockOnResult, &p);
        assert_eq!((b.resumed_ms, b.settled_ms), (2000.0, 2000.0));
        assert_eq!(b.peak_in_flight, 1);
    }

    #[test]
    fn an_empty_workload_takes_no_time() {
        let p = plan_of(&[]);
        for s in [
            Strategy::Sequential,
            ALL_WAIT,
            Strategy::FirstWins { cancel_rest: true },
            Strategy::Throttled { limit: 3 },
        ] {
            let got = predict(s, &p);
            assert_eq!((got.resumed_ms, got.peak_in_flight), (0.0, 0), "{s:?}");
        }
    }

    #[test]
    fn peak_in_flight_is_one_for_sequential_and_all_for_all_at_once() {
        let p = plan_of(&[100; 7]);
        assert_eq!(predict(Strategy::Sequential, &p).peak_in_flight, 1);
        assert_eq!(predict(ALL_WAIT, &p).peak_in_flight, 7);
    }

    #[test]
    fn a_group_deadline_caps_every_strategy() {
        let p = plan_with(
            &[5000, 100],
            Behaviour {
                group_timeout_ms: Some(1000),
                ..Behaviour::default()
            },
        );
        assert_eq!(ideal_ms(ALL_WAIT, &p), 1000.0);
        assert_eq!(ideal_ms(Strategy::Sequential, &p), 1000.0);
        assert!(explain(ALL_WAIT, &p).contains("group deadline (1,000 ms)"));
    }

    #[test]
    fn explanations_carry_the_scenarios_numbers() {
        let p = plan_of(&[500; 10]);
        let seq = explain(Strategy::Sequential, &p);
        assert!(seq.contains("10 × 500 ms ≈ 5,000 ms"), "{seq}");
        let all = explain(ALL_WAIT, &p);
        assert!(all.contains("All 10 calls"), "{all}");
        assert!(all.contains("≈ 500 ms"), "{all}");
        let mixed = explain(Strategy::Sequential, &plan_of(&[2000, 3000, 1000]));
        assert!(mixed.contains("sum of all durations ≈ 6,000 ms"), "{mixed}");
        let thr = explain(
            Strategy::Throttled { limit: 10 },
            &Plan::new(&Experiment::Throttle.async_work().unwrap()),
        );
        assert!(
            thr.contains("ceil(1000 / 10) = 100 waves × 100 ms ≈ 10,000 ms"),
            "{thr}"
        );
    }
}

/// When tasks completed in another order than the order given, says so: awaiting a group
/// still hands the results back in the order given (`Task.WhenAll`, `Promise.all`, `gather`).
pub fn results_order_note(plan: &Plan, completion_order: &[u32]) -> Option<String> {
    let tasks = &plan.tasks;
    let given: Vec<u32> = (0..tasks.len() as u32).collect();
    if completion_order.len() != tasks.len() || completion_order == given.as_slice() {
        return None;
    }
    let results: Vec<String> = tasks
        .iter()
        .enumerate()
        .map(|(i, t)| format!("#{} ({} ms)", i + 1, fmt_ms(t.duration_ms() as f64)))
        .collect();
    let finished: Vec<String> = completion_order
        .iter()
        .map(|i| format!("#{}", i + 1))
        .collect();
    Some(format!(
        "The calls finished in the order {}, yet the awaited results come back in the order \
         given: {}.",
        finished.join(", "),
        results.join(", ")
    ))
}

#[cfg(test)]
mod comparison_tests {
    use super::*;

    #[test]
    fn the_order_note_appears_only_when_completion_order_differs() {
        let t = Plan::new(
            &crate::model::scenario::Experiment::WhenAllMixed
                .async_work()
                .unwrap(),
        );
        let note = results_order_note(&t, &[2, 0, 1]).expect("order differs");
        assert!(note.contains("order #3, #1, #2"), "{note}");
        assert!(
            note.contains("#1 (2,000 ms), #2 (3,000 ms), #3 (1,000 ms)"),
            "{note}"
        );
        assert_eq!(results_order_note(&t, &[0, 1, 2]), None);
        assert_eq!(
            results_order_note(&t, &[2]),
            None,
            "not before all completed"
        );
    }

    #[test]
    fn the_ideal_line_gives_each_strategy_s_predicted_time() {
        let a = crate::model::scenario::Experiment::WhenAll.scenario();
        let line = ideal_line(Some(&a), 2);
        assert!(line.starts_with("Ideal: "), "{line}");
        assert!(
            line.contains("5,000 ms") && line.contains("500 ms"),
            "{line}"
        );
        assert_eq!(ideal_line(None, 2), "Fix the highlighted field to run.");
    }
}
