//! Validation of what a person types into the scenario editor.
//!
//! Nonsense (empty, negative, non-numeric) is refused with a message to show next to the field;
//! absurd but meaningful values are clamped to the nearest allowed one, with a note that says so.

use crate::model::scenario::{Step, MAX_ATTEMPTS, MAX_DURATION_MS, MAX_LIMIT, MAX_TASKS};

/// The verdict on one field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Checked<T> {
    /// Accepted as typed.
    Ok(T),
    /// Accepted after clamping; `note` tells the person what changed.
    Clamped { value: T, note: String },
    /// Refused; `message` says why. The previous valid value stays in force.
    Invalid { message: String },
}

impl<T> Checked<T> {
    /// The value to use, if any.
    pub fn value(self) -> Option<T> {
        match self {
            Checked::Ok(v) | Checked::Clamped { value: v, .. } => Some(v),
            Checked::Invalid { .. } => None,
        }
    }

    /// The text to show next to the field, if any.
    pub fn message(&self) -> Option<&str> {
        match self {
            Checked::Ok(_) => None,
            Checked::Clamped { note, .. } => Some(note),
            Checked::Invalid { message } => Some(message),
        }
    }

    /// True when the value was refused.
    pub fn is_invalid(&self) -> bool {
        matches!(self, Checked::Invalid { .. })
    }

    /// Rewrites a clamping note (refusals and plain values pass through).
    fn map_note(self, f: impl FnOnce(String) -> String) -> Checked<T> {
        match self {
            Checked::Clamped { value, note } => Checked::Clamped {
                value,
                note: f(note),
            },
            other => other,
        }
    }
}

/// Parses a whole number typed by a person, allowing `_`, `,` and spaces as digit separators.
fn parse_whole(text: &str, what: &str) -> Result<u64, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(format!("Enter {what}."));
    }
    if t.starts_with('-') {
        return Err(format!("{} cannot be negative.", capitalise(what)));
    }
    let digits: String = t
        .chars()
        .filter(|c| !matches!(c, '_' | ',' | ' '))
        .collect();
    if digits.contains('.') {
        return Err(format!("{} must be a whole number.", capitalise(what)));
    }
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("“{t}” is not a number."));
    }
    // Longer than u64: certainly above any limit, so saturate and let the caller clamp.
    Ok(digits.parse::<u64>().unwrap_or(u64::MAX))
}

/// `s` with its first letter in capitals (ASCII: our messages are English, and the Unicode case
/// tables would add about 15 KB gzip to the page).
fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// Checks a task count: at least 1, at most [`MAX_TASKS`] (clamped).
pub fn task_count(text: &str) -> Checked<u32> {
    match parse_whole(text, "a task count") {
        Err(message) => Checked::Invalid { message },
        Ok(0) => Checked::Invalid {
            message: "Run at least 1 task.".into(),
        },
        Ok(n) if n > MAX_TASKS as u64 => Checked::Clamped {
            value: MAX_TASKS,
            note: format!("Clamped to {MAX_TASKS} tasks (the most one run may hold)."),
        },
        Ok(n) => Checked::Ok(n as u32),
    }
}

/// Checks one duration in milliseconds: 0 or more, at most [`MAX_DURATION_MS`] (clamped).
pub fn duration_ms(text: &str) -> Checked<u32> {
    match parse_whole(text, "a duration in ms") {
        Err(message) => Checked::Invalid { message },
        Ok(ms) if ms > MAX_DURATION_MS as u64 => Checked::Clamped {
            value: MAX_DURATION_MS,
            note: format!("Clamped to {MAX_DURATION_MS} ms (60 s, the longest call allowed)."),
        },
        Ok(ms) => Checked::Ok(ms as u32),
    }
}

/// Checks a list of durations such as `2000, 3000, 1000` (commas, semicolons or spaces between
/// them). Each is checked like [`duration_ms`]; the list is clamped to [`MAX_TASKS`] entries.
pub fn duration_list(text: &str) -> Checked<Vec<u32>> {
    let (expanded, total) = match expand_repeats(text, MAX_TASKS as usize) {
        Ok(e) => e,
        Err(message) => return Checked::Invalid { message },
    };
    let parts: Vec<&str> = expanded.iter().map(String::as_str).collect();
    if parts.is_empty() {
        return Checked::Invalid {
            message: "Enter at least one duration in ms, e.g. 2000, 3000, 1000.".into(),
        };
    }
    let mut notes = Vec::new();
    let mut values = Vec::with_capacity(parts.len().min(MAX_TASKS as usize));
    for (i, part) in parts.iter().take(MAX_TASKS as usize).enumerate() {
        match duration_ms(part) {
            Checked::Ok(v) => values.push(v),
            Checked::Clamped { value, .. } => {
                notes.push(format!("task {} clamped to {MAX_DURATION_MS} ms", i + 1));
                values.push(value);
            }
            Checked::Invalid { message } => {
                return Checked::Invalid {
                    message: format!("Task {}: {message}", i + 1),
                }
            }
        }
    }
    if total > MAX_TASKS as usize {
        notes.push(format!(
            "only the first {MAX_TASKS} of {total} durations kept"
        ));
    }
    with_notes(values, &notes).map_note(|n| n + ".")
}

/// Checks a whole number in `[min, max]`: below `min` is refused with `too_small`, above `max`
/// is clamped with a note naming `unit`.
pub fn bounded(
    text: &str,
    what: &str,
    min: u64,
    max: u64,
    too_small: &str,
    unit: &str,
) -> Checked<u64> {
    match parse_whole(text, what) {
        Err(message) => Checked::Invalid { message },
        Ok(v) if v < min => Checked::Invalid {
            message: too_small.to_string(),
        },
        Ok(v) if v > max => Checked::Clamped {
            value: max,
            note: format!("Clamped to {max}{unit}."),
        },
        Ok(v) => Checked::Ok(v),
    }
}

/// An optional duration: empty or `none` means no limit; otherwise more than 0 ms.
pub fn optional_ms(text: &str, what: &str) -> Checked<Option<u32>> {
    let t = text.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("none") {
        return Checked::Ok(None);
    }
    match bounded(
        t,
        what,
        1,
        MAX_DURATION_MS as u64,
        &format!(
            "{} must be more than 0 ms (leave it empty for none).",
            capitalise(what)
        ),
        " ms",
    ) {
        Checked::Ok(v) => Checked::Ok(Some(v as u32)),
        Checked::Clamped { value, note } => Checked::Clamped {
            value: Some(value as u32),
            note,
        },
        Checked::Invalid { message } => Checked::Invalid { message },
    }
}

/// Retry attempts: 1 (no retry) to [`MAX_ATTEMPTS`].
pub fn attempts(text: &str) -> Checked<u32> {
    narrow(bounded(
        text,
        "a number of attempts",
        1,
        MAX_ATTEMPTS as u64,
        "Make at least 1 attempt.",
        " attempts (the most allowed)",
    ))
}

/// A seed for the random draws: any whole number.
pub fn seed(text: &str) -> Checked<u64> {
    bounded(text, "a seed", 0, u64::MAX, "", "")
}

/// Jitter in ms: 0 or more, at most the shortest step (a call cannot take less than 0 ms, and
/// more jitter than that would distort the lesson); clamped with a note.
pub fn jitter_ms(text: &str, shortest_step_ms: u32) -> Checked<u32> {
    match parse_whole(text, "a jitter in ms") {
        Err(message) => Checked::Invalid { message },
        Ok(v) if v > shortest_step_ms as u64 => Checked::Clamped {
            value: shortest_step_ms,
            note: format!(
                "Clamped to ±{shortest_step_ms} ms: jitter stays within the shortest call."
            ),
        },
        Ok(v) => Checked::Ok(v as u32),
    }
}

/// A list of in-flight limits (`10` or `8, 2`), one throttled run per value.
pub fn limits(text: &str) -> Checked<Vec<u32>> {
    list_of(text, "a limit", 8, |part| {
        narrow(bounded(
            part,
            "a limit",
            1,
            MAX_LIMIT as u64,
            "A limit must be at least 1 call in flight.",
            " in flight",
        ))
    })
}

/// Steps such as `fetch 100, process 50` (a label, then ms).
pub fn steps(text: &str) -> Checked<Vec<Step>> {
    let parts: Vec<&str> = text
        .split([',', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        return Checked::Invalid {
            message: "Enter steps such as: fetch 100, process 50.".into(),
        };
    }
    let mut notes = Vec::new();
    let mut out = Vec::new();
    for (i, part) in parts.iter().take(8).enumerate() {
        let (label, ms) = match part.rsplit_once(char::is_whitespace) {
            Some((l, m)) => (l.trim(), m),
            None => ("step", *part),
        };
        match duration_ms(ms) {
            Checked::Ok(v) => out.push(Step {
                label: label.into(),
                ms: v,
            }),
            Checked::Clamped { value, note } => {
                notes.push(format!("step {}: {note}", i + 1));
                out.push(Step {
                    label: label.into(),
                    ms: value,
                });
            }
            Checked::Invalid { message } => {
                return Checked::Invalid {
                    message: format!("Step {}: {message}", i + 1),
                }
            }
        }
    }
    if parts.len() > 8 {
        notes.push("only the first 8 steps kept".into());
    }
    with_notes(out, &notes)
}

/// Workers for the parallel modes: `auto` (0: as many as the browser reports cores) or 1 to
/// [`crate::model::scenario::MAX_WORKERS`], clamped with a note.
pub fn workers(text: &str) -> Checked<u32> {
    let t = text.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("auto") {
        return Checked::Ok(0);
    }
    narrow(bounded(
        t,
        "a number of workers",
        1,
        crate::model::scenario::MAX_WORKERS as u64,
        "Use at least 1 worker (or auto).",
        " workers (the most the page runs)",
    ))
}

/// Most blocking items one CPU experiment may hold.
pub const MAX_BURNS: usize = 1000;

/// Blocking items in ms (`1000, 500, 2000`, or `10x1000` for ten of 1000 ms): each 1 to
/// 10,000 ms, at most [`MAX_BURNS`] items.
pub fn burn_list(text: &str) -> Checked<Vec<u32>> {
    let (expanded, _) = match expand_repeats(text, MAX_BURNS) {
        Ok(e) => e,
        Err(message) => return Checked::Invalid { message },
    };
    list_of(
        &expanded.join(","),
        "a blocking time in ms",
        MAX_BURNS,
        |part| {
            narrow(bounded(
                part,
                "a blocking time in ms",
                1,
                10_000,
                "A blocking item lasts at least 1 ms.",
                " ms (the longest a worker may block)",
            ))
        },
    )
}

/// Expands `NxV` (or `N×V`) items of a list into N copies of V, so long uniform lists stay
/// short in a link. Materialises at most `most + 1` items (a hostile `1000000x1` costs
/// nothing) and returns them with the total count written, for the caller's clamping note.
fn expand_repeats(text: &str, most: usize) -> Result<(Vec<String>, usize), String> {
    let mut out = Vec::new();
    let mut total = 0usize;
    for part in text
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|p| !p.is_empty())
    {
        let repeat = part
            .split_once(['x', 'X', '×'])
            .filter(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        let (n, v) = match repeat {
            Some((n, v)) => match n.parse::<usize>() {
                Ok(n) if n >= 1 => (n, v),
                _ => {
                    return Err(format!(
                        "“{part}”: write a count of 1 or more, then x and the ms, e.g. 10x500."
                    ))
                }
            },
            None => (1, part),
        };
        total = total.saturating_add(n);
        let room = (most + 1).saturating_sub(out.len());
        out.extend(std::iter::repeat_n(v.to_string(), n.min(room)));
    }
    Ok((out, total))
}

/// Accepted as is without notes; otherwise clamped, with the notes joined into one sentence.
fn with_notes<T>(value: T, notes: &[String]) -> Checked<T> {
    if notes.is_empty() {
        Checked::Ok(value)
    } else {
        Checked::Clamped {
            value,
            note: capitalise(&notes.join("; ")),
        }
    }
}

fn narrow(c: Checked<u64>) -> Checked<u32> {
    match c {
        Checked::Ok(v) => Checked::Ok(v as u32),
        Checked::Clamped { value, note } => Checked::Clamped {
            value: value as u32,
            note,
        },
        Checked::Invalid { message } => Checked::Invalid { message },
    }
}

fn list_of<T>(
    text: &str,
    what: &str,
    most: usize,
    each: impl Fn(&str) -> Checked<T>,
) -> Checked<Vec<T>> {
    let parts: Vec<&str> = text
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        return Checked::Invalid {
            message: format!("Enter {what}."),
        };
    }
    let mut notes = Vec::new();
    let mut out = Vec::new();
    for (i, p) in parts.iter().take(most).enumerate() {
        match each(p) {
            Checked::Ok(v) => out.push(v),
            Checked::Clamped { value, note } => {
                notes.push(format!(
                    "{} {}: {note}",
                    what.trim_start_matches("a "),
                    i + 1
                ));
                out.push(value);
            }
            Checked::Invalid { message } => return Checked::Invalid { message },
        }
    }
    if parts.len() > most {
        notes.push(format!("only the first {most} kept"));
    }
    with_notes(out, &notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_count_is_accepted() {
        assert_eq!(task_count("10"), Checked::Ok(10));
        assert_eq!(task_count("  1_000 "), Checked::Ok(1000));
        assert_eq!(task_count("1,000"), Checked::Ok(1000));
    }

    #[test]
    fn nonsense_counts_are_refused_with_a_reason() {
        for (text, expected) in [
            ("", "Enter a task count."),
            ("   ", "Enter a task count."),
            ("-5", "A task count cannot be negative."),
            ("abc", "“abc” is not a number."),
            ("2.5", "A task count must be a whole number."),
            ("0", "Run at least 1 task."),
        ] {
            let got = task_count(text);
            assert!(got.is_invalid(), "{text:?} should be refused, got {got:?}");
            assert_eq!(got.message(), Some(expected), "message for {text:?}");
        }
    }

    #[test]
    fn absurd_counts_are_clamped_with_a_note() {
        let got = task_count("20000");
        assert_eq!(got.message().map(|m| m.contains("10000")), Some(true));
        assert_eq!(got.value(), Some(MAX_TASKS));
        assert_eq!(
            task_count("99999999999999999999999999").value(),
            Some(MAX_TASKS),
            "numbers past u64 still clamp instead of failing"
        );
    }

    #[test]
    fn durations_allow_zero_and_clamp_above_a_minute() {
        assert_eq!(duration_ms("0"), Checked::Ok(0));
        assert_eq!(duration_ms("500"), Checked::Ok(500));
        let got = duration_ms("120000");
        assert_eq!(got.clone().value(), Some(MAX_DURATION_MS));
        assert!(got.message().unwrap().contains("60 s"));
        assert!(duration_ms("-1").is_invalid());
    }

    #[test]
    fn optional_durations_accept_empty_and_refuse_zero() {
        assert_eq!(optional_ms("", "a timeout"), Checked::Ok(None));
        assert_eq!(optional_ms("none", "a timeout"), Checked::Ok(None));
        assert_eq!(optional_ms("2000", "a timeout"), Checked::Ok(Some(2000)));
        assert_eq!(
            optional_ms("0", "a timeout").message(),
            Some("A timeout must be more than 0 ms (leave it empty for none).")
        );
        assert_eq!(
            optional_ms("999999", "a timeout").value(),
            Some(Some(60_000))
        );
    }

    #[test]
    fn attempts_run_from_one_to_ten() {
        assert_eq!(attempts("3"), Checked::Ok(3));
        assert!(attempts("0").is_invalid());
        let c = attempts("50");
        assert_eq!(
            c.message(),
            Some("Clamped to 10 attempts (the most allowed).")
        );
        assert_eq!(c.value(), Some(10));
    }

    #[test]
    fn jitter_stays_within_the_shortest_call() {
        assert_eq!(jitter_ms("100", 500), Checked::Ok(100));
        let c = jitter_ms("900", 500);
        assert_eq!(c.clone().value(), Some(500));
        assert!(c.message().unwrap().contains("±500 ms"));
        assert!(jitter_ms("-3", 500).is_invalid());
    }

    #[test]
    fn limits_refuse_zero_and_keep_several_values() {
        assert_eq!(limits("8, 2"), Checked::Ok(vec![8, 2]));
        assert_eq!(
            limits("0").message(),
            Some("A limit must be at least 1 call in flight.")
        );
        assert!(limits("").is_invalid());
    }

    #[test]
    fn a_duration_list_accepts_repeats() {
        assert_eq!(duration_list("2x100 300"), Checked::Ok(vec![100, 100, 300]));
        assert!(duration_list("0x5").is_invalid());
    }

    #[test]
    fn steps_read_a_label_and_a_duration() {
        assert_eq!(
            steps("fetch 100, process 50"),
            Checked::Ok(vec![
                Step {
                    label: "fetch".into(),
                    ms: 100
                },
                Step {
                    label: "process".into(),
                    ms: 50
                },
            ])
        );
        assert_eq!(steps("250").value().unwrap()[0].label, "step");
        assert_eq!(
            steps("fetch x").message(),
            Some("Step 1: “x” is not a number.")
        );
    }

    #[test]
    fn a_duration_list_accepts_commas_and_spaces() {
        assert_eq!(
            duration_list("2000, 3000 1000;500"),
            Checked::Ok(vec![2000, 3000, 1000, 500])
        );
    }

    #[test]
    fn a_duration_list_names_the_bad_entry() {
        let got = duration_list("2000, x, 1000");
        assert_eq!(got.message(), Some("Task 2: “x” is not a number."));
        assert!(duration_list(" , ").is_invalid());
    }

    #[test]
    fn a_duration_list_clamps_each_entry_and_its_length() {
        let got = duration_list("100, 70000");
        assert_eq!(got.clone().value(), Some(vec![100, MAX_DURATION_MS]));
        assert_eq!(got.message(), Some("Task 2 clamped to 60000 ms."));

        let long = vec!["1"; MAX_TASKS as usize + 5].join(",");
        let got = duration_list(&long);
        assert_eq!(
            got.clone().value().map(|v| v.len()),
            Some(MAX_TASKS as usize)
        );
        assert!(got.message().unwrap().contains("first 10000 of 10005"));
    }

    #[test]
    fn burns_expand_counts_and_clamp_hostile_repeats() {
        assert_eq!(burn_list("3x100, 50"), Checked::Ok(vec![100, 100, 100, 50]));
        assert_eq!(burn_list("10×1000").value().map(|v| v.len()), Some(10));
        assert!(burn_list("0x100").is_invalid());
        assert!(burn_list("5000x1")
            .message()
            .unwrap()
            .contains("first 1000 kept"));
        let huge = duration_list("4000000000x1");
        assert!(
            huge.message()
                .unwrap()
                .contains("first 10000 of 4000000000"),
            "a hostile repeat is clamped, not expanded"
        );
    }
}
