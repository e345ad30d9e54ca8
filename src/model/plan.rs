//! The plan: a scenario made concrete. Jitter is drawn and failures are decided here, from the
//! scenario's seed, so the same scenario always yields the same plan: a shared link reproduces
//! the run it describes, and the predictor and the executor read the very same numbers.

use crate::model::scenario::{AsyncWork, Behaviour, FailRule, Retry, Step, MAX_ATTEMPTS};

/// SplitMix64: tiny, fast, and good enough to draw jitter; no dependency needed.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform integer in `[lo, hi]` (inclusive).
    pub fn range_i64(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = (hi - lo) as u64 + 1;
        lo + (self.next_u64() % span) as i64
    }
}

/// How one attempt of a task ends, as planned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttemptEnd {
    /// The call returns its result.
    Completes,
    /// The call returns an error at the end of its wait.
    Fails,
    /// The per-attempt timeout fires first.
    TimesOut,
}

/// One attempt of a task on the ideal (zero-overhead) clock, relative to the task's start.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlannedAttempt {
    /// Start, ms after the task started (after the retry delays before it).
    pub start_ms: f64,
    /// How long the attempt lasts (cut at the timeout).
    pub length_ms: f64,
    /// How it ends.
    pub end: AttemptEnd,
}

/// A task made concrete: its steps with jitter drawn, and which attempts fail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedTask {
    /// Steps with their final durations.
    pub steps: Vec<Step>,
    /// For each possible attempt, whether it fails (length = the retry policy's attempts).
    pub fails: Vec<bool>,
}

impl PlannedTask {
    /// Total wait of one attempt, ms.
    pub fn duration_ms(&self) -> u32 {
        self.steps.iter().map(|s| s.ms).sum()
    }
}

/// A scenario made concrete.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// One entry per task, in the order given.
    pub tasks: Vec<PlannedTask>,
    /// Per-attempt timeout (`WaitAsync`).
    pub timeout_ms: Option<u32>,
    /// Whole-group deadline (`CancelAfter`).
    pub group_timeout_ms: Option<u32>,
    /// Retry policy.
    pub retry: Retry,
}

impl Plan {
    /// Makes `work` concrete.
    pub fn new(work: &AsyncWork) -> Plan {
        let b: &Behaviour = &work.behaviour;
        let attempts = b.retry.attempts.clamp(1, MAX_ATTEMPTS);
        let mut rng = Rng::new(b.seed);
        let tasks = work
            .workload
            .tasks()
            .into_iter()
            .enumerate()
            .map(|(i, spec)| {
                let steps = spec
                    .steps
                    .into_iter()
                    .map(|s| {
                        let j = b.jitter_ms as i64;
                        let ms = if j > 0 {
                            (s.ms as i64 + rng.range_i64(-j, j)).max(0) as u32
                        } else {
                            s.ms
                        };
                        Step { label: s.label, ms }
                    })
                    .collect();
                let fails = (0..attempts)
                    .map(|a| match &b.fail {
                        FailRule::Never => false,
                        FailRule::Tasks { tasks, times } => {
                            tasks.contains(&(i as u32)) && a < *times
                        }
                        FailRule::Chance { percent } => rng.range_i64(0, 99) < *percent as i64,
                    })
                    .collect();
                PlannedTask { steps, fails }
            })
            .collect();
        Plan {
            tasks,
            timeout_ms: b.timeout_ms,
            group_timeout_ms: b.group_timeout_ms,
            retry: Retry {
                attempts,
                ..b.retry
            },
        }
    }

    /// The attempts task `i` makes on an ideal clock, until one completes or attempts run out.
    pub fn attempts(&self, i: usize) -> Vec<PlannedAttempt> {
        let task = &self.tasks[i];
        let d = task.duration_ms() as f64;
        let mut out = Vec::new();
        let mut t = 0.0;
        for a in 0..self.retry.attempts {
            t += self.retry.delay_before(a) as f64;
            // A timeout equal to the duration wins the race: its timer is set before the
            // call's, and timers due at the same time fire in the order they were set.
            let (length_ms, end) = match self.timeout_ms {
                Some(to) if (to as f64) <= d && d > 0.0 => (to as f64, AttemptEnd::TimesOut),
                _ if task.fails[a as usize] => (d, AttemptEnd::Fails),
                _ => (d, AttemptEnd::Completes),
            };
            out.push(PlannedAttempt {
                start_ms: t,
                length_ms,
                end,
            });
            t += length_ms;
            if end == AttemptEnd::Completes {
                break;
            }
        }
        out
    }

    /// When task `i` settles on an ideal clock, relative to its start, and whether it succeeds.
    pub fn settles(&self, i: usize) -> (f64, bool) {
        let attempts = self.attempts(i);
        let last = attempts.last().expect("at least one attempt");
        (
            last.start_ms + last.length_ms,
            last.end == AttemptEnd::Completes,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::scenario::{Backoff, Experiment, Workload};

    fn scenario(workload: Workload, behaviour: Behaviour) -> AsyncWork {
        AsyncWork {
            workload,
            behaviour,
            strategies: vec![],
        }
    }

    #[test]
    fn the_same_seed_draws_the_same_jitter_and_another_seed_does_not() {
        let mk = |seed| {
            Plan::new(&scenario(
                Workload::Uniform {
                    count: 50,
                    duration_ms: 500,
                },
                Behaviour {
                    jitter_ms: 100,
                    seed,
                    ..Behaviour::default()
                },
            ))
        };
        assert_eq!(mk(7), mk(7));
        assert_ne!(mk(7), mk(8));
        for t in mk(7).tasks {
            let d = t.duration_ms();
            assert!((400..=600).contains(&d), "jitter stays within ±100: {d}");
        }
    }

    #[test]
    fn jitter_never_makes_a_negative_duration() {
        let p = Plan::new(&scenario(
            Workload::Uniform {
                count: 200,
                duration_ms: 10,
            },
            Behaviour {
                jitter_ms: 50,
                ..Behaviour::default()
            },
        ));
        assert!(p.tasks.iter().any(|t| t.duration_ms() == 0), "clamped at 0");
    }

    #[test]
    fn listed_tasks_fail_their_first_attempts_then_succeed() {
        let p = Plan::new(&Experiment::Retries.async_work().unwrap());
        assert_eq!(p.tasks[1].fails, vec![true, true, false]);
        assert_eq!(p.tasks[0].fails, vec![false, false, false]);
        // 300 fail, 200 delay, 300 fail, 400 delay, 300 ok.
        assert_eq!(p.settles(1), (1500.0, true));
        assert_eq!(p.settles(0), (300.0, true));
    }

    #[test]
    fn a_failure_chance_of_zero_and_a_hundred_percent_are_exact() {
        let mk = |percent| {
            Plan::new(&scenario(
                Workload::Uniform {
                    count: 20,
                    duration_ms: 1,
                },
                Behaviour {
                    fail: FailRule::Chance { percent },
                    ..Behaviour::default()
                },
            ))
        };
        assert!(mk(0).tasks.iter().all(|t| t.fails == vec![false]));
        assert!(mk(100).tasks.iter().all(|t| t.fails == vec![true]));
        let some = mk(50).tasks.iter().filter(|t| t.fails[0]).count();
        assert!(some > 0 && some < 20, "about half fail: {some}");
    }

    #[test]
    fn a_timeout_cuts_every_attempt_of_a_slow_call() {
        let p = Plan::new(&scenario(
            Workload::Custom(vec![3000, 1000]),
            Behaviour {
                timeout_ms: Some(2000),
                retry: Retry {
                    attempts: 2,
                    delay_ms: 100,
                    backoff: Backoff::Fixed,
                },
                ..Behaviour::default()
            },
        ));
        let a = p.attempts(0);
        assert_eq!(a.len(), 2);
        assert!(a.iter().all(|x| x.end == AttemptEnd::TimesOut));
        assert_eq!(p.settles(0), (4100.0, false));
        assert_eq!(p.settles(1), (1000.0, true));
    }

    #[test]
    fn a_timeout_equal_to_the_duration_wins_because_its_timer_was_set_first() {
        let p = Plan::new(&scenario(
            Workload::Custom(vec![2000]),
            Behaviour {
                timeout_ms: Some(2000),
                ..Behaviour::default()
            },
        ));
        assert_eq!(p.settles(0), (2000.0, false));
    }

    #[test]
    fn attempts_are_clamped_to_the_maximum() {
        let p = Plan::new(&scenario(
            Workload::Custom(vec![1]),
            Behaviour {
                retry: Retry {
                    attempts: 99,
                    ..Retry::default()
                },
                ..Behaviour::default()
            },
        ));
        assert_eq!(p.tasks[0].fails.len(), MAX_ATTEMPTS as usize);
    }

    #[test]
    fn the_rng_range_is_inclusive_and_handles_an_empty_span() {
        let mut r = Rng::new(3);
        let mut seen = [false; 3];
        for _ in 0..200 {
            seen[(r.range_i64(-1, 1) + 1) as usize] = true;
        }
        assert_eq!(seen, [true; 3]);
        assert_eq!(r.range_i64(5, 5), 5);
        assert_eq!(r.range_i64(5, 2), 5);
    }
}
