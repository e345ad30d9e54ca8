//! The planner's predictions: the ideal elapsed time of each strategy, and the sentence that
//! explains why measured and ideal times differ between strategies.

use crate::scenario::{Strategy, TaskSpec};

/// The ideal (zero-overhead) elapsed time of `strategy` over `tasks`, in milliseconds.
///
/// Sequential awaits add up; awaiting everything together costs only the longest wait.
pub fn ideal_ms(strategy: Strategy, tasks: &[TaskSpec]) -> f64 {
    let durations = tasks.iter().map(|t| t.duration_ms as f64);
    match strategy {
        Strategy::Sequential => durations.sum(),
        Strategy::AllAtOnce => durations.fold(0.0, f64::max),
    }
}

/// How many timers the strategy keeps pending at once on the one event loop, at the most.
pub fn ideal_peak_in_flight(strategy: Strategy, tasks: &[TaskSpec]) -> usize {
    match strategy {
        Strategy::Sequential => tasks.len().min(1),
        Strategy::AllAtOnce => tasks.len(),
    }
}

/// One sentence on why this strategy takes the time it does, with the scenario's own numbers.
pub fn explain(strategy: Strategy, tasks: &[TaskSpec]) -> String {
    let n = tasks.len();
    let ideal = ideal_ms(strategy, tasks);
    let uniform = tasks.windows(2).all(|w| w[0] == w[1]);
    let calls = if n == 1 { "call" } else { "calls" };
    match strategy {
        Strategy::Sequential => {
            let how = if uniform && n > 0 {
                format!("{n} × {} ms", tasks[0].duration_ms)
            } else {
                "the sum of all durations".to_string()
            };
            format!(
                "Each await waits for the previous call to finish before the next one starts, \
                 so the waits add up: {how} ≈ {} ms.",
                fmt_ms(ideal)
            )
        }
        Strategy::AllAtOnce => format!(
            "All {n} {calls} were started first and then awaited together, so the waits overlap \
             and the total is the longest single call: ≈ {} ms.",
            fmt_ms(ideal)
        ),
    }
}

/// Formats milliseconds for people: thousands separated, no decimals above 100 ms.
pub fn fmt_ms(ms: f64) -> String {
    if !ms.is_finite() {
        return "—".into();
    }
    if ms.abs() < 100.0 {
        let s = format!("{ms:.1}");
        return s.strip_suffix(".0").map(str::to_string).unwrap_or(s);
    }
    let whole = ms.round() as i64;
    let digits = whole.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if whole < 0 {
        out.insert(0, '-');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tasks(ms: &[u32]) -> Vec<TaskSpec> {
        ms.iter()
            .map(|&duration_ms| TaskSpec { duration_ms })
            .collect()
    }

    #[test]
    fn sequential_awaits_add_up() {
        assert_eq!(ideal_ms(Strategy::Sequential, &tasks(&[500; 10])), 5000.0);
        assert_eq!(
            ideal_ms(Strategy::Sequential, &tasks(&[2000, 3000, 1000])),
            6000.0
        );
    }

    #[test]
    fn all_at_once_costs_the_longest_call() {
        assert_eq!(ideal_ms(Strategy::AllAtOnce, &tasks(&[500; 10])), 500.0);
        assert_eq!(
            ideal_ms(Strategy::AllAtOnce, &tasks(&[2000, 3000, 1000])),
            3000.0
        );
    }

    #[test]
    fn an_empty_workload_takes_no_time() {
        for s in Strategy::ALL {
            assert_eq!(ideal_ms(s, &[]), 0.0, "{s:?}");
            assert_eq!(ideal_peak_in_flight(s, &[]), 0, "{s:?}");
        }
    }

    #[test]
    fn peak_in_flight_is_one_for_sequential_and_all_for_all_at_once() {
        let t = tasks(&[100; 7]);
        assert_eq!(ideal_peak_in_flight(Strategy::Sequential, &t), 1);
        assert_eq!(ideal_peak_in_flight(Strategy::AllAtOnce, &t), 7);
    }

    #[test]
    fn explanations_carry_the_scenarios_numbers() {
        let t = tasks(&[500; 10]);
        let seq = explain(Strategy::Sequential, &t);
        assert!(seq.contains("10 × 500 ms ≈ 5,000 ms"), "{seq}");
        let all = explain(Strategy::AllAtOnce, &t);
        assert!(all.contains("All 10 calls"), "{all}");
        assert!(all.contains("≈ 500 ms"), "{all}");
        let mixed = explain(Strategy::Sequential, &tasks(&[2000, 3000, 1000]));
        assert!(mixed.contains("sum of all durations ≈ 6,000 ms"), "{mixed}");
    }

    #[test]
    fn milliseconds_are_formatted_for_people() {
        assert_eq!(fmt_ms(5003.4), "5,003");
        assert_eq!(fmt_ms(1_234_567.0), "1,234,567");
        assert_eq!(fmt_ms(500.4), "500");
        assert_eq!(fmt_ms(12.34), "12.3");
        assert_eq!(fmt_ms(3.0), "3");
        assert_eq!(fmt_ms(-2500.0), "-2,500");
        assert_eq!(fmt_ms(f64::NAN), "—");
    }
}

/// How much faster `measured_ms` was than `baseline_ms`, as people say it: "9.9× faster".
/// Returns `None` when either time is missing or not positive.
pub fn speedup(baseline_ms: f64, measured_ms: f64) -> Option<f64> {
    (baseline_ms > 0.0 && measured_ms > 0.0 && baseline_ms.is_finite() && measured_ms.is_finite())
        .then(|| baseline_ms / measured_ms)
}

/// Formats a ratio with one decimal: `9.9×`, `10×`.
pub fn fmt_ratio(r: f64) -> String {
    let s = format!("{r:.1}");
    format!("{}×", s.strip_suffix(".0").unwrap_or(&s))
}

/// When tasks completed in another order than the order given, says so: awaiting a group
/// still hands the results back in the order given (`Task.WhenAll`, `Promise.all`, `gather`).
pub fn results_order_note(tasks: &[TaskSpec], completion_order: &[u32]) -> Option<String> {
    let given: Vec<u32> = (0..tasks.len() as u32).collect();
    if completion_order.len() != tasks.len() || completion_order == given.as_slice() {
        return None;
    }
    let results: Vec<String> = tasks
        .iter()
        .enumerate()
        .map(|(i, t)| format!("#{} ({} ms)", i + 1, fmt_ms(t.duration_ms as f64)))
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
    fn speedup_is_baseline_over_measured() {
        assert_eq!(speedup(5000.0, 500.0), Some(10.0));
        assert_eq!(speedup(5000.0, 0.0), None, "no division by zero");
        assert_eq!(speedup(0.0, 10.0), None);
        assert_eq!(speedup(f64::NAN, 10.0), None);
    }

    #[test]
    fn ratios_read_like_people_write_them() {
        assert_eq!(fmt_ratio(9.94), "9.9×");
        assert_eq!(fmt_ratio(10.0), "10×");
        assert_eq!(fmt_ratio(1.04), "1×");
    }

    #[test]
    fn the_order_note_appears_only_when_completion_order_differs() {
        let t: Vec<TaskSpec> = [2000, 3000, 1000]
            .iter()
            .map(|&duration_ms| TaskSpec { duration_ms })
            .collect();
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
}
