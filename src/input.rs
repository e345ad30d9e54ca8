//! Validation of what a person types into the scenario editor.
//!
//! Nonsense (empty, negative, non-numeric) is refused with a message to show next to the field;
//! absurd but meaningful values are clamped to the nearest allowed one, with a note that says so.

use crate::scenario::{MAX_DURATION_MS, MAX_TASKS};

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

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
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
    let parts: Vec<&str> = text
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .collect();
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
    if parts.len() > MAX_TASKS as usize {
        notes.push(format!(
            "only the first {MAX_TASKS} of {} durations kept",
            parts.len()
        ));
    }
    if notes.is_empty() {
        Checked::Ok(values)
    } else {
        Checked::Clamped {
            value: values,
            note: capitalise(&notes.join("; ")) + ".",
        }
    }
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
}
