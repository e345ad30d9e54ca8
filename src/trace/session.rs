//! One press of Run, Run N times or the speedup curve, as plain data: which run of how many is
//! in flight, the measured times of the runs that count, and what a finished session leaves
//! behind (the repeated runs' table, the history entry and how it compares with the previous
//! one). The page holds a [`Session`] and calls these methods; the decisions are made here,
//! where native tests check them.

use crate::trace::history::{self, Entry, EntryRow, History};
use crate::trace::repeat::{self, RepeatTable};
use crate::trace::results::ResultLine;

/// Which line the others are compared with: the one-worker run for CPU work, else the first.
pub fn baseline_index(lines: &[ResultLine]) -> usize {
    lines.iter().position(|l| l.id == "one-worker").unwrap_or(0)
}

/// One press of Run (`repeats` = 0) or of Run N times (`repeats` = N: a warm-up run, then N
/// counted runs).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Session {
    repeats: u32,
    /// Runs ended so far, the warm-up included.
    ended: u32,
    /// Each counted run's measured time per line (`None`: not finished).
    samples: Vec<Vec<Option<f64>>>,
}

/// The scenario a session ran, as history names it.
#[derive(Clone, Debug, PartialEq)]
pub struct Ran {
    pub experiment_id: String,
    pub experiment_title: String,
    /// The scenario's link fragment.
    pub link: String,
    /// When it ended (ms since the epoch).
    pub at_ms: f64,
}

/// What a finished session leaves behind.
#[derive(Clone, Debug, PartialEq)]
pub struct Finished {
    /// The repeated runs' table, for Run N times.
    pub table: Option<RepeatTable>,
    /// The entry for the history (a repeated run keeps its mean).
    pub entry: Entry,
}

impl Session {
    pub fn new(repeats: u32) -> Self {
        Session {
            repeats,
            ..Session::default()
        }
    }

    /// How many runs the session makes: one, or a warm-up and `repeats`.
    pub fn total(&self) -> u32 {
        if self.repeats > 0 {
            self.repeats + 1
        } else {
            1
        }
    }

    /// `(runs ended, total)` for Run N times' progress bar; `None` for a single run.
    pub fn progress(&self) -> Option<(u32, u32)> {
        (self.repeats > 0).then_some((self.ended, self.total()))
    }

    /// Notes the end of the next run with its lines; the warm-up of Run N times is not counted.
    pub fn run_ended(&mut self, lines: &[ResultLine]) {
        let warm_up = self.repeats > 0 && self.ended == 0;
        self.ended += 1;
        if !warm_up {
            self.samples
                .push(lines.iter().map(|l| l.measured_ms).collect());
        }
    }

    /// The counted runs' measured times, in the order they ran.
    pub fn samples(&self) -> &[Vec<Option<f64>>] {
        &self.samples
    }

    /// What the session leaves behind once every run ended, given the last run's lines.
    pub fn finish(&self, lines: &[ResultLine], ran: Ran) -> Finished {
        let mut rows: Vec<EntryRow> = lines
            .iter()
            .map(|l| EntryRow {
                id: l.id.clone(),
                name: l.name.clone(),
                measured_ms: l.measured_ms,
                ideal_ms: l.ideal_ms,
            })
            .collect();
        let table = (self.repeats > 0).then(|| {
            let strategies: Vec<(String, String, String)> = lines
                .iter()
                .map(|l| (l.id.clone(), l.name.clone(), l.resources.clone()))
                .collect();
            let t = repeat::table(&strategies, &self.samples, baseline_index(lines), true);
            // History keeps the mean of a repeated run.
            for (row, r) in rows.iter_mut().zip(&t.rows) {
                row.measured_ms = r.time.as_ref().map(|s| s.mean);
            }
            t
        });
        Finished {
            table,
            entry: Entry {
                at_ms: ran.at_ms,
                experiment: ran.experiment_id,
                title: ran.experiment_title,
                link: ran.link,
                runs: self.repeats.max(1),
                rows,
            },
        }
    }
}

/// How `entry` compares with the previous run of the same scenario (or, failing that, of the
/// same experiment) kept in `history`: a heading, then a sentence per way. Empty when there is
/// none.
pub fn compare_with_previous(history: &History, entry: &Entry) -> Vec<String> {
    let now_ms = entry.at_ms;
    let Some(prev) = history.previous(&entry.link, &entry.experiment, now_ms) else {
        return Vec::new();
    };
    let when = history::ago(now_ms, prev.at_ms);
    let mut s = vec![if prev.link == entry.link {
        format!("Your previous run of this scenario in this browser, {when}:")
    } else {
        format!("Your previous run of this experiment (with other settings), {when}:")
    }];
    s.extend(history::compare(&entry.rows, prev, now_ms));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::Trace;

    fn line(id: &str, measured_ms: Option<f64>) -> ResultLine {
        ResultLine {
            id: id.to_string(),
            name: id.to_string(),
            trace: Trace::new(1),
            ideal_ms: Some(500.0),
            measured_ms,
            resources: "1 call at a time".to_string(),
        }
    }

    fn ran(link: &str, at_ms: f64) -> Ran {
        Ran {
            experiment_id: "a".to_string(),
            experiment_title: "A".to_string(),
            link: link.to_string(),
            at_ms,
        }
    }

    #[test]
    fn a_single_run_is_one_run_with_no_progress_bar_and_no_table() {
        let mut s = Session::new(0);
        assert_eq!(s.total(), 1);
        assert_eq!(s.progress(), None);
        s.run_ended(&[line("sequential", Some(5000.0))]);
        assert_eq!(s.samples(), &[vec![Some(5000.0)]]);
        let f = s.finish(&[line("sequential", Some(5000.0))], ran("x", 1.0));
        assert_eq!(f.table, None);
        assert_eq!(f.entry.runs, 1);
        assert_eq!(f.entry.rows[0].measured_ms, Some(5000.0));
    }

    #[test]
    fn run_n_times_discards_its_warm_up_and_keeps_the_mean() {
        let mut s = Session::new(2);
        assert_eq!(s.total(), 3);
        assert_eq!(s.progress(), Some((0, 3)));
        for ms in [900.0, 500.0, 700.0] {
            s.run_ended(&[line("all-at-once", Some(ms))]);
        }
        assert_eq!(s.progress(), Some((3, 3)));
        assert_eq!(s.samples(), &[vec![Some(500.0)], vec![Some(700.0)]]);
        let f = s.finish(&[line("all-at-once", Some(700.0))], ran("x", 1.0));
        assert_eq!(f.table.map(|t| t.rows.len()), Some(1));
        assert_eq!(f.entry.runs, 2);
        assert_eq!(f.entry.rows[0].measured_ms, Some(600.0));
    }

    #[test]
    fn a_new_session_starts_with_nothing_of_the_previous_one() {
        let mut s = Session::new(3);
        s.run_ended(&[line("a", Some(1.0))]);
        s.run_ended(&[line("a", Some(2.0))]);
        s = Session::new(0);
        assert!(s.samples().is_empty());
        assert_eq!(s.progress(), None);
    }

    #[test]
    fn cpu_work_is_compared_with_one_worker_and_the_rest_with_the_first_line() {
        assert_eq!(
            baseline_index(&[line("main-thread", None), line("one-worker", None)]),
            1
        );
        assert_eq!(
            baseline_index(&[line("sequential", None), line("all", None)]),
            0
        );
    }

    #[test]
    fn a_run_is_compared_with_the_previous_run_of_the_same_scenario() {
        let mut h = History::default();
        let first = Session::new(0).finish(&[line("sequential", Some(5000.0))], ran("x", 1_000.0));
        assert!(
            compare_with_previous(&h, &first.entry).is_empty(),
            "nothing before"
        );
        h.push(first.entry);
        let second =
            Session::new(0).finish(&[line("sequential", Some(4000.0))], ran("x", 61_000.0));
        let said = compare_with_previous(&h, &second.entry);
        assert!(
            said[0].starts_with("Your previous run of this scenario"),
            "{said:?}"
        );
        assert!(said.len() > 1, "{said:?}");
        let other = Session::new(0).finish(&[line("sequential", Some(4000.0))], ran("y", 62_000.0));
        let said = compare_with_previous(&h, &other.entry);
        assert!(said[0].contains("with other settings"), "{said:?}");
    }
}
