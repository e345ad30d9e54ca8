//! How numbers are written for people: milliseconds, ratios and lists of durations. The
//! lowest layer: every other module may use it, it uses none.

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

/// Writes a list of ms back compactly: runs of equal values as `NxMS`.
pub fn format_repeats(ms: &[u32]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < ms.len() {
        let run = ms[i..].iter().take_while(|&&v| v == ms[i]).count();
        out.push(if run > 1 {
            format!("{run}x{}", ms[i])
        } else {
            ms[i].to_string()
        });
        i += run;
    }
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn repeated_durations_are_written_back_compactly() {
        assert_eq!(format_repeats(&[100, 100, 100, 50]), "3x100, 50");
        assert_eq!(format_repeats(&[1000, 500, 2000]), "1000, 500, 2000");
    }
}
