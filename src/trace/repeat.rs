//! Statistics over repeated runs, in the style of BenchmarkDotNet: a scenario runs R times after
//! one warm-up run that is not counted, each run measures one time per strategy, and the table
//! shows Mean, StdDev, Median, Min, Max and the Ratio to a baseline strategy.
//!
//! One run on a browser's timers is noisy (a timer can fire a few ms late, a tab in the
//! background is throttled); repeating shows how much of a difference is real.

use serde::{Deserialize, Serialize};

use crate::units::fmt_ms;

/// Runs per repetition unless the person asks for another number.
pub const DEFAULT_RUNS: u32 = 5;

/// Most runs one repetition may ask for. A run can take seconds (a 5 s sequential scenario
/// is common), so 30 runs of it already keep the tab busy for 2.5 minutes; more would look
/// like a hang and add little to the estimate.
pub const MAX_RUNS: u32 = 30;

/// Summary statistics of a set of samples (e.g. one strategy's time over R runs, in ms).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Number of samples counted (finite ones only).
    pub n: usize,
    /// Arithmetic mean.
    pub mean: f64,
    /// Sample standard deviation (divides by n - 1); 0 for a single sample.
    pub std_dev: f64,
    /// Middle value; the mean of the two middle values when `n` is even.
    pub median: f64,
    /// Smallest sample.
    pub min: f64,
    /// Largest sample.
    pub max: f64,
}

/// Statistics of `samples`. Non-finite samples (NaN, infinities) are ignored; `None` when no
/// finite sample is left.
pub fn stats(samples: &[f64]) -> Option<Stats> {
    let mut sorted: Vec<f64> = samples.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_unstable_by(f64::total_cmp);
    let n = sorted.len();
    let mean = sorted.iter().sum::<f64>() / n as f64;
    // Two passes (mean first, then squared deviations) so that large times with a small
    // spread do not lose their spread to cancellation.
    let std_dev = if n > 1 {
        let ss: f64 = sorted.iter().map(|v| (v - mean).powi(2)).sum();
        (ss / (n - 1) as f64).sqrt()
    } else {
        0.0
    };
    let median = if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    };
    Some(Stats {
        n,
        mean,
        std_dev,
        median,
        min: sorted[0],
        max: sorted[n - 1],
    })
}

/// One strategy's line of a [`RepeatTable`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RepeatRow {
    /// Stable strategy identifier (as in [`crate::model::scenario::Strategy::id`]).
    pub id: String,
    /// Name shown to people.
    pub name: String,
    /// True for the strategy every ratio is taken against.
    pub is_baseline: bool,
    /// Statistics of the strategy's time over the runs where it finished; `None` when it
    /// never did.
    pub time: Option<Stats>,
    /// Statistics of the per-run ratios `time / baseline time`, over the runs where both
    /// finished and the baseline took more than 0 ms (BenchmarkDotNet's Ratio is their mean,
    /// RatioSD their standard deviation). Every ratio of the baseline itself is 1. `None`
    /// without a baseline or without such a run.
    pub ratio: Option<Stats>,
    /// What the strategy held while it waited, e.g. "10 timers at once" or "2 workers".
    pub resources: String,
}

/// The results of repeated runs: one row per strategy, in the order given.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RepeatTable {
    /// Number of counted runs (the warm-up run is not one of them).
    pub runs: usize,
    /// True when one warm-up run came first and was left out.
    pub warmup: bool,
    /// One row per strategy.
    pub rows: Vec<RepeatRow>,
}

/// Builds the table of `strategies` (id, name, resources held) from `runs[r][s]`, the time of
/// strategy `s` in run `r` (`None` when it did not finish, e.g. cancelled), with ratios taken
/// against strategy `baseline`.
///
/// Never panics: a run shorter than the strategy list counts as "did not finish" for the
/// strategies it lacks, a `baseline` out of range gives no ratios (and no baseline row), and
/// zero runs give rows with no statistics.
pub fn table(
    strategies: &[(String, String, String)],
    runs: &[Vec<Option<f64>>],
    baseline: usize,
    warmup: bool,
) -> RepeatTable {
    let time =
        |run: &[Option<f64>], s: usize| run.get(s).copied().flatten().filter(|t| t.is_finite());
    let rows = strategies
        .iter()
        .enumerate()
        .map(|(s, (id, name, resources))| {
            let times: Vec<f64> = runs.iter().filter_map(|run| time(run, s)).collect();
            // Ratios are taken run by run, so that a run slow for everyone (a busy machine)
            // moves the numerator and the denominator together instead of skewing the mean.
            let ratios: Vec<f64> = runs
                .iter()
                .filter_map(|run| {
                    let base = time(run, baseline).filter(|&b| b > 0.0)?;
                    let t = time(run, s)?;
                    Some(if s == baseline { 1.0 } else { t / base })
                })
                .collect();
            RepeatRow {
                id: id.clone(),
                name: name.clone(),
                is_baseline: s == baseline,
                time: stats(&times),
                ratio: stats(&ratios),
                resources: resources.clone(),
            }
        })
        .collect();
    RepeatTable {
        runs: runs.len(),
        warmup,
        rows,
    }
}

const MISSING: &str = "—";

fn ms_cell(v: f64) -> String {
    format!("{} ms", fmt_ms(v))
}

fn ratio_cell(v: f64) -> String {
    format!("{v:.2}")
}

/// A cell for a GitHub Markdown table: `|` would end the cell and a newline the row.
fn md_cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\r', '\n'], " ")
}

impl RepeatTable {
    /// Column headers, in the order of [`RepeatTable::cells`].
    pub const HEADERS: [&str; 9] = [
        "Strategy",
        "Mean",
        "StdDev",
        "Median",
        "Min",
        "Max",
        "Ratio",
        "RatioSD",
        "Resources",
    ];

    /// The table as text, one array per row in [`RepeatTable::HEADERS`] order: times like
    /// "5,004 ms" or "12.5 ms", ratios with two decimals ("1.00"), the baseline's name followed
    /// by " (baseline)", and "—" for a missing value. Not escaped for any format.
    pub fn cells(&self) -> Vec<[String; 9]> {
        self.rows
            .iter()
            .map(|row| {
                let name = if row.is_baseline {
                    format!("{} (baseline)", row.name)
                } else {
                    row.name.clone()
                };
                let t = |f: fn(&Stats) -> f64| {
                    row.time
                        .as_ref()
                        .map(|s| ms_cell(f(s)))
                        .unwrap_or_else(|| MISSING.into())
                };
                let r = |f: fn(&Stats) -> f64| {
                    row.ratio
                        .as_ref()
                        .map(|s| ratio_cell(f(s)))
                        .unwrap_or_else(|| MISSING.into())
                };
                [
                    name,
                    t(|s| s.mean),
                    t(|s| s.std_dev),
                    t(|s| s.median),
                    t(|s| s.min),
                    t(|s| s.max),
                    r(|s| s.mean),
                    r(|s| s.std_dev),
                    row.resources.clone(),
                ]
            })
            .collect()
    }

    /// One line saying how the numbers were obtained, e.g. "5 runs after one warm-up run;
    /// Ratio = mean of per-run time ÷ baseline time (lower is faster)."
    pub fn note(&self) -> String {
        let runs = match self.runs {
            0 => return "No runs measured yet.".to_string(),
            1 => "1 run".to_string(),
            r => format!("{r} runs"),
        };
        let warmup = if self.warmup {
            " after one warm-up run"
        } else {
            ", no warm-up run"
        };
        let has_ratio = self.rows.iter().any(|r| r.is_baseline);
        let ratio = match (has_ratio, self.runs) {
            (false, _) => "",
            (true, 1) => "; Ratio = time ÷ baseline time (lower is faster)",
            (true, _) => "; Ratio = mean of per-run time ÷ baseline time (lower is faster)",
        };
        format!("{runs}{warmup}{ratio}.")
    }

    /// The table as GitHub Markdown, numeric columns right-aligned, then a blank line and the
    /// [`RepeatTable::note`]. `|` in a cell is escaped and a newline becomes a space.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!("| {} |\n", Self::HEADERS.join(" | ")));
        let align: Vec<&str> = (0..Self::HEADERS.len())
            .map(|i| {
                // Strategy and Resources are words; the rest are numbers.
                if i == 0 || i == Self::HEADERS.len() - 1 {
                    "---"
                } else {
                    "---:"
                }
            })
            .collect();
        out.push_str(&format!("| {} |\n", align.join(" | ")));
        for row in self.cells() {
            let cells: Vec<String> = row.iter().map(|c| md_cell(c)).collect();
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        // In GitHub Markdown a line right under a table is read as one more row; the blank
        // line ends the table.
        out.push('\n');
        out.push_str(&self.note());
        out.push('\n');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6
    }

    fn strategies(names: &[&str]) -> Vec<(String, String, String)> {
        names
            .iter()
            .map(|n| (n.to_lowercase(), n.to_string(), format!("{n} things")))
            .collect()
    }

    #[test]
    fn stats_of_one_to_four_match_the_textbook() {
        let s = stats(&[4.0, 1.0, 3.0, 2.0]).expect("four samples");
        assert_eq!(s.n, 4, "every sample counted");
        assert!(close(s.mean, 2.5), "mean {}", s.mean);
        assert!(
            close(s.median, 2.5),
            "even count averages the middle two: {}",
            s.median
        );
        assert!(
            close(s.std_dev, 1.2909944),
            "sample sd divides by n-1: {}",
            s.std_dev
        );
        assert_eq!((s.min, s.max), (1.0, 4.0), "extremes");
    }

    #[test]
    fn an_odd_count_takes_the_middle_value_as_median() {
        let s = stats(&[9.0, 1.0, 5.0]).expect("three samples");
        assert_eq!(s.median, 5.0, "middle of 1, 5, 9");
    }

    #[test]
    fn a_single_sample_has_zero_std_dev() {
        let s = stats(&[42.0]).expect("one sample");
        assert_eq!(s.std_dev, 0.0, "no spread with one sample, not NaN");
        assert_eq!(
            (s.mean, s.median, s.min, s.max),
            (42.0, 42.0, 42.0, 42.0),
            "all equal"
        );
    }

    #[test]
    fn no_samples_or_only_non_finite_ones_give_no_stats() {
        assert_eq!(stats(&[]), None, "empty input");
        assert_eq!(stats(&[f64::NAN, f64::INFINITY]), None, "nothing finite");
        let s = stats(&[f64::NAN, 2.0, f64::NEG_INFINITY, 4.0]).expect("two finite");
        assert_eq!((s.n, s.mean), (2, 3.0), "non-finite samples are ignored");
    }

    #[test]
    fn the_ratio_is_the_mean_of_per_run_ratios_not_the_ratio_of_means() {
        // Run 1: baseline 100, other 50 (0.5). Run 2: both 1000 (1.0).
        let runs = vec![
            vec![Some(100.0), Some(50.0)],
            vec![Some(1000.0), Some(1000.0)],
        ];
        let t = table(&strategies(&["Sequential", "All"]), &runs, 0, true);
        let r = t.rows[1].ratio.expect("ratios");
        assert!(close(r.mean, 0.75), "mean of 0.5 and 1.0, got {}", r.mean);
        let ratio_of_means = t.rows[1].time.unwrap().mean / t.rows[0].time.unwrap().mean;
        assert!(
            close(ratio_of_means, 1050.0 / 1100.0) && !close(r.mean, ratio_of_means),
            "ratio of means ({ratio_of_means}) differs from the mean ratio ({})",
            r.mean
        );
        assert!(
            close(r.std_dev, (0.125f64).sqrt()),
            "RatioSD: {}",
            r.std_dev
        );
    }

    #[test]
    fn the_baseline_row_has_every_ratio_equal_to_one() {
        let runs = vec![
            vec![Some(5000.0), Some(510.0)],
            vec![Some(5010.0), Some(500.0)],
        ];
        let t = table(&strategies(&["Sequential", "All"]), &runs, 0, true);
        let r = t.rows[0].ratio.expect("baseline ratios");
        assert_eq!(
            (r.n, r.mean, r.std_dev),
            (2, 1.0, 0.0),
            "baseline against itself"
        );
        assert!(
            t.rows[0].is_baseline && !t.rows[1].is_baseline,
            "only row 0 is the baseline"
        );
    }

    #[test]
    fn runs_where_either_side_is_missing_or_the_baseline_is_zero_give_no_ratio() {
        let runs = vec![
            vec![Some(100.0), Some(10.0)],
            vec![None, Some(20.0)],
            vec![Some(100.0), None],
            vec![Some(0.0), Some(30.0)],
        ];
        let t = table(&strategies(&["Base", "Other"]), &runs, 0, false);
        let r = t.rows[1].ratio.expect("one usable run");
        assert_eq!(
            (r.n, r.mean),
            (1, 0.1),
            "only run 1 has both and a positive baseline"
        );
        assert_eq!(
            t.rows[1].time.unwrap().n,
            3,
            "times count every finished run"
        );
    }

    #[test]
    fn ragged_runs_an_out_of_range_baseline_and_no_runs_do_not_panic() {
        let names = strategies(&["A", "B", "C"]);
        let ragged = vec![vec![Some(1.0)], vec![Some(2.0), Some(4.0)], vec![]];
        let t = table(&names, &ragged, 1, true);
        assert_eq!(t.rows.len(), 3, "one row per strategy");
        assert_eq!(t.rows[2].time, None, "C never appears in a run");
        assert_eq!(
            t.rows[0].ratio.unwrap().mean,
            0.5,
            "only run 2 has A and the baseline B"
        );

        let t = table(&names, &ragged, 7, true);
        assert!(
            t.rows.iter().all(|r| r.ratio.is_none() && !r.is_baseline),
            "no baseline, no ratios"
        );
        assert!(
            t.cells().iter().all(|c| c[6] == "—" && c[7] == "—"),
            "ratio cells are dashes"
        );

        let t = table(&names, &[], 0, true);
        assert_eq!(t.runs, 0, "zero runs");
        assert!(
            t.rows.iter().all(|r| r.time.is_none() && r.ratio.is_none()),
            "nothing measured"
        );
        assert_eq!(t.cells()[0][1], "—", "a dash for the missing mean");
    }

    #[test]
    fn cells_format_times_ratios_and_mark_the_baseline() {
        let runs = vec![
            vec![Some(5004.0), Some(12.0)],
            vec![Some(5004.0), Some(13.0)],
        ];
        let t = table(&strategies(&["Sequential", "All"]), &runs, 0, true);
        let c = t.cells();
        assert_eq!(c[0][0], "Sequential (baseline)", "baseline marked");
        assert_eq!(c[0][1], "5,004 ms", "thousands separator");
        assert_eq!(c[0][2], "0 ms", "no spread");
        assert_eq!(c[1][1], "12.5 ms", "one decimal under 100 ms");
        assert_eq!(
            (c[0][6].as_str(), c[0][7].as_str()),
            ("1.00", "0.00"),
            "baseline ratio"
        );
        assert_eq!(c[1][6], "0.00", "12.5 / 5004 rounds to 0.00");
        assert_eq!(c[1][8], "All things", "resources pass through");
        assert_eq!(
            c[0].len(),
            RepeatTable::HEADERS.len(),
            "one cell per header"
        );
    }

    #[test]
    fn markdown_has_one_line_per_row_right_aligned_numbers_and_a_note() {
        let mut names = strategies(&["Sequential", "All"]);
        names[1].1 = "A | B".into();
        let runs = vec![vec![Some(1000.0), Some(100.0)]; 5];
        let md = table(&names, &runs, 0, true).markdown();
        let lines: Vec<&str> = md.lines().collect();
        assert_eq!(
            lines.len(),
            2 + 2 + 2,
            "header, separator, 2 rows, blank, note: {md}"
        );
        assert_eq!(
            lines[1], "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
            "numeric columns right-aligned"
        );
        assert!(
            lines[3].starts_with("| A \\| B |"),
            "pipe escaped: {}",
            lines[3]
        );
        assert_eq!(lines[4], "", "a blank line ends the table");
        assert_eq!(
            lines[5],
            "5 runs after one warm-up run; Ratio = mean of per-run time ÷ baseline time (lower is faster).",
            "note"
        );
        assert!(md.starts_with("| Strategy |"), "nothing before the table");
    }

    #[test]
    fn the_note_follows_the_number_of_runs_the_warm_up_and_the_baseline() {
        let names = strategies(&["A"]);
        let one = table(&names, &[vec![Some(1.0)]], 0, false);
        assert_eq!(
            one.note(),
            "1 run, no warm-up run; Ratio = time ÷ baseline time (lower is faster).",
            "one run"
        );
        let none = table(&names, &[vec![Some(1.0)], vec![Some(2.0)]], 3, true);
        assert_eq!(
            none.note(),
            "2 runs after one warm-up run.",
            "no baseline, no ratio clause"
        );
        let zero = table(&names, &[], 0, true);
        assert_eq!(zero.note(), "No runs measured yet.", "zero runs");
    }

    #[test]
    fn the_cap_on_runs_is_above_the_default() {
        const { assert!(DEFAULT_RUNS >= 1 && DEFAULT_RUNS <= MAX_RUNS) };
    }
}
