//! The scenario model: what to run (a workload of simulated I/O tasks) and which strategies to
//! compare. A scenario is plain data; the planner ([`crate::predict`]) and the executor read it.

use serde::{Deserialize, Serialize};

/// Most tasks one scenario may hold; larger inputs are clamped (see [`crate::input`]).
pub const MAX_TASKS: u32 = 10_000;
/// Longest simulated call, in milliseconds; longer inputs are clamped.
pub const MAX_DURATION_MS: u32 = 60_000;

/// One simulated I/O call: a timer awaited on the event loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskSpec {
    /// How long the simulated call waits, in milliseconds.
    pub duration_ms: u32,
}

/// How a group of tasks is awaited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Strategy {
    /// `foreach (var t in tasks) await t;` one call after another.
    Sequential,
    /// Start every call first, then await them together (`Task.WhenAll`, `Promise.all`,
    /// `asyncio.gather`, `join_all`).
    AllAtOnce,
}

impl Strategy {
    /// Every strategy, in the order the page shows them.
    pub const ALL: [Strategy; 2] = [Strategy::Sequential, Strategy::AllAtOnce];

    /// Stable identifier used in test hooks, file names and (later) URLs.
    pub fn id(self) -> &'static str {
        match self {
            Strategy::Sequential => "sequential",
            Strategy::AllAtOnce => "all-at-once",
        }
    }

    /// Short human title.
    pub fn title(self) -> &'static str {
        match self {
            Strategy::Sequential => "Sequential awaits",
            Strategy::AllAtOnce => "All at once",
        }
    }

    /// The same idea in the languages our readers arrive with: (language, spelling).
    pub fn spellings(self) -> [(&'static str, &'static str); 4] {
        match self {
            Strategy::Sequential => [
                ("C#", "foreach (…) await call();"),
                ("JavaScript", "for (…) await call();"),
                ("Python", "for …: await call()"),
                ("Rust", "for …{ call().await; }"),
            ],
            Strategy::AllAtOnce => [
                ("C#", "await Task.WhenAll(calls);"),
                ("JavaScript", "await Promise.all(calls);"),
                ("Python", "await asyncio.gather(*calls)"),
                ("Rust", "join_all(calls).await;"),
            ],
        }
    }
}

/// The experiments of `shared/scenarios.md` that the page offers so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Experiment {
    /// A: ten simulated HTTP calls of 500 ms each.
    UniformCalls,
    /// A, variant: calls of 2000, 3000 and 1000 ms awaited together.
    MixedCalls,
}

impl Experiment {
    /// Every experiment, in the order the picker shows them.
    pub const ALL: [Experiment; 2] = [Experiment::UniformCalls, Experiment::MixedCalls];

    /// Stable identifier (the picker's option value).
    pub fn id(self) -> &'static str {
        match self {
            Experiment::UniformCalls => "when-all",
            Experiment::MixedCalls => "when-all-mixed",
        }
    }

    /// Parses [`Experiment::id`].
    pub fn from_id(id: &str) -> Option<Experiment> {
        Experiment::ALL.into_iter().find(|e| e.id() == id)
    }

    /// Title shown in the picker.
    pub fn title(self) -> &'static str {
        match self {
            Experiment::UniformCalls => "A. Sequential awaits vs all at once (WhenAll)",
            Experiment::MixedCalls => "A. Different durations awaited together",
        }
    }

    /// What the article published, to set beside what this browser measures.
    pub fn published(self) -> &'static str {
        match self {
            Experiment::UniformCalls => {
                "Published: 10 calls of 500 ms take ~5000 ms one after another, ~500 ms with Task.WhenAll."
            }
            Experiment::MixedCalls => {
                "Published: 2000, 3000 and 1000 ms awaited together take ~3000 ms (the longest), \
                 and the results come back in the order the tasks were given."
            }
        }
    }

    /// The workload this experiment starts with.
    pub fn default_workload(self) -> Workload {
        match self {
            Experiment::UniformCalls => Workload::Uniform {
                count: 10,
                duration_ms: 500,
            },
            Experiment::MixedCalls => Workload::Custom(vec![2000, 3000, 1000]),
        }
    }

    /// The scenario this experiment starts with.
    pub fn default_scenario(self) -> Scenario {
        Scenario {
            experiment: self,
            workload: self.default_workload(),
            strategies: Strategy::ALL.to_vec(),
        }
    }
}

/// The tasks of a scenario, either `count` equal calls or an explicit list of durations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Workload {
    /// `count` calls of `duration_ms` each.
    Uniform { count: u32, duration_ms: u32 },
    /// One call per listed duration, in milliseconds, in the order given.
    Custom(Vec<u32>),
}

impl Workload {
    /// The tasks, in the order they are given.
    pub fn tasks(&self) -> Vec<TaskSpec> {
        match self {
            Workload::Uniform { count, duration_ms } => vec![
                TaskSpec {
                    duration_ms: *duration_ms
                };
                *count as usize
            ],
            Workload::Custom(list) => list
                .iter()
                .map(|&duration_ms| TaskSpec { duration_ms })
                .collect(),
        }
    }

    /// Number of tasks.
    pub fn len(&self) -> usize {
        match self {
            Workload::Uniform { count, .. } => *count as usize,
            Workload::Custom(list) => list.len(),
        }
    }

    /// True when there is nothing to run.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Everything needed to run and chart one experiment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scenario {
    /// Which experiment this is (title, explanation, published numbers).
    pub experiment: Experiment,
    /// The tasks to run.
    pub workload: Workload,
    /// The strategies to compare, run one after another in this order.
    pub strategies: Vec<Strategy>,
}

impl Default for Scenario {
    fn default() -> Self {
        Experiment::UniformCalls.default_scenario()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uniform_workload_repeats_one_duration() {
        let w = Workload::Uniform {
            count: 3,
            duration_ms: 500,
        };
        assert_eq!(w.tasks(), vec![TaskSpec { duration_ms: 500 }; 3]);
        assert_eq!(w.len(), 3);
    }

    #[test]
    fn a_custom_workload_keeps_the_given_order() {
        let w = Workload::Custom(vec![2000, 3000, 1000]);
        let got: Vec<u32> = w.tasks().iter().map(|t| t.duration_ms).collect();
        assert_eq!(got, vec![2000, 3000, 1000], "order must be the order given");
    }

    #[test]
    fn experiment_ids_round_trip() {
        for e in Experiment::ALL {
            assert_eq!(Experiment::from_id(e.id()), Some(e), "{e:?}");
        }
        assert_eq!(Experiment::from_id("nope"), None);
    }

    #[test]
    fn the_default_scenario_is_ten_calls_of_500_ms_compared_both_ways() {
        let s = Scenario::default();
        assert_eq!(
            s.workload,
            Workload::Uniform {
                count: 10,
                duration_ms: 500
            }
        );
        assert_eq!(s.strategies, Strategy::ALL.to_vec());
    }
}
