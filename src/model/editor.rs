//! The scenario editor's logic: the text of every field (a [`Draft`]) and the scenario it
//! builds, with a message per field. The components only show fields and messages.

use crate::cpu::kernels::{
    MandelbrotSpec, MAX_MANDELBROT_HEIGHT, MAX_MANDELBROT_ITER, MAX_MANDELBROT_WIDTH,
    MAX_PRIME_LIMIT,
};
use crate::cpu::{CpuSpec, Kernel};
use crate::model::input::{self, Checked};
use crate::model::scenario::{
    AsyncWork, Backoff, Behaviour, Experiment, FailRule, ProgramCode, Retry, Scenario, Strategy,
    Work, Workload,
};

/// One field of the editor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FieldId {
    Count,
    Duration,
    Durations,
    Steps,
    Limits,
    PrimeLimit,
    Width,
    Height,
    Iterations,
    Burns,
    Workers,
    Jitter,
    Seed,
    Failing,
    FailTimes,
    Timeout,
    GroupTimeout,
    Attempts,
    Delay,
    Backoff,
}

impl FieldId {
    /// Every field, in the order the editor shows them.
    pub const ALL: [FieldId; 20] = [
        FieldId::Count,
        FieldId::Duration,
        FieldId::Durations,
        FieldId::Steps,
        FieldId::Limits,
        FieldId::PrimeLimit,
        FieldId::Width,
        FieldId::Height,
        FieldId::Iterations,
        FieldId::Burns,
        FieldId::Workers,
        FieldId::Jitter,
        FieldId::Seed,
        FieldId::Failing,
        FieldId::FailTimes,
        FieldId::Timeout,
        FieldId::GroupTimeout,
        FieldId::Attempts,
        FieldId::Delay,
        FieldId::Backoff,
    ];

    /// Stable identifier (test hooks, URL keys).
    pub fn id(self) -> &'static str {
        match self {
            FieldId::Count => "task-count",
            FieldId::Duration => "duration",
            FieldId::Durations => "durations",
            FieldId::Steps => "steps",
            FieldId::Limits => "limits",
            FieldId::PrimeLimit => "prime-limit",
            FieldId::Width => "width",
            FieldId::Height => "height",
            FieldId::Iterations => "iterations",
            FieldId::Burns => "burns",
            FieldId::Workers => "workers",
            FieldId::Jitter => "jitter",
            FieldId::Seed => "seed",
            FieldId::Failing => "failing",
            FieldId::FailTimes => "fail-times",
            FieldId::Timeout => "timeout",
            FieldId::GroupTimeout => "group-timeout",
            FieldId::Attempts => "attempts",
            FieldId::Delay => "delay",
            FieldId::Backoff => "backoff",
        }
    }

    /// Visible label.
    pub fn label(self) -> &'static str {
        match self {
            FieldId::Count => "Simulated calls",
            FieldId::Duration => "Each call waits (ms)",
            FieldId::Durations => "Durations (ms), in the order given",
            FieldId::Steps => "Steps of each call (label ms, …)",
            FieldId::Limits => "At most in flight (one run per value)",
            FieldId::PrimeLimit => "Count primes below",
            FieldId::Width => "Image width (px)",
            FieldId::Height => "Image rows",
            FieldId::Iterations => "Iterations per point",
            FieldId::Burns => "Blocking items (ms each)",
            FieldId::Workers => "Workers (auto = cores)",
            FieldId::Jitter => "Jitter ± ms",
            FieldId::Seed => "Random seed",
            FieldId::Failing => "Failing calls (#, or %)",
            FieldId::FailTimes => "…fail how many attempts",
            FieldId::Timeout => "Timeout per attempt (ms)",
            FieldId::GroupTimeout => "Group deadline (ms)",
            FieldId::Attempts => "Attempts (retries + 1)",
            FieldId::Delay => "Retry delay (ms)",
            FieldId::Backoff => "Backoff: fixed or exponential",
        }
    }

    /// True for fields that describe the tasks' behaviour (the second row of the editor).
    pub fn is_behaviour(self) -> bool {
        self >= FieldId::Jitter
    }
}

/// A message beside a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldMessage {
    pub text: String,
    /// True when the field's text is refused (false for a clamping note).
    pub invalid: bool,
}

/// A value per field, in [`FieldId`] order: what a `BTreeMap<FieldId, T>` holds, as a short
/// sorted vector. A preset has at most a score of fields, so a scan is as quick as a tree, and
/// the page carries no B-tree code for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldMap<T>(Vec<(FieldId, T)>);

impl<T> Default for FieldMap<T> {
    fn default() -> Self {
        FieldMap(Vec::new())
    }
}

impl<T> FieldMap<T> {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Where `id` is, or where it would go.
    fn find(&self, id: FieldId) -> Result<usize, usize> {
        match self.0.iter().position(|(k, _)| *k >= id) {
            Some(i) if self.0[i].0 == id => Ok(i),
            Some(i) => Err(i),
            None => Err(self.0.len()),
        }
    }

    /// Sets `id`'s value; the previous one, if any, is returned.
    pub fn insert(&mut self, id: FieldId, value: T) -> Option<T> {
        match self.find(id) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (id, value));
                None
            }
        }
    }

    /// `id`'s value, if set.
    pub fn get(&self, id: &FieldId) -> Option<&T> {
        self.find(*id).ok().map(|i| &self.0[i].1)
    }

    /// True when `id` has a value.
    pub fn contains_key(&self, id: &FieldId) -> bool {
        self.find(*id).is_ok()
    }

    /// The fields and their values, in [`FieldId`] order.
    pub fn iter(&self) -> impl Iterator<Item = (&FieldId, &T)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// The values, in [`FieldId`] order.
    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.0.iter().map(|(_, v)| v)
    }

    /// True when no field has a value.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many fields have a value.
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl<T> std::ops::Index<&FieldId> for FieldMap<T> {
    type Output = T;

    /// `id`'s value; panics when it has none, as a map's index does.
    fn index(&self, id: &FieldId) -> &T {
        match self.get(id) {
            Some(v) => v,
            None => panic!("no value for {id:?}"),
        }
    }
}

/// The text of every field, as typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    /// The preset being edited (decides which fields exist and the strategies).
    pub experiment: Experiment,
    /// Field texts.
    pub fields: FieldMap<String>,
    /// The program that replaces the fields, once there is one ("Your program", or a preset's
    /// "Edit as code"); the fields then no longer apply.
    pub program: Option<ProgramCode>,
}

/// What a draft builds: the scenario (when every field is acceptable) and the messages.
#[derive(Clone, Debug, PartialEq)]
pub struct Built {
    pub scenario: Option<Scenario>,
    pub messages: FieldMap<FieldMessage>,
}

fn throttled_limits(strategies: &[Strategy]) -> Vec<u32> {
    strategies
        .iter()
        .filter_map(|s| match s {
            Strategy::Throttled { limit } => Some(*limit),
            _ => None,
        })
        .collect()
}

fn join<T: ToString>(v: &[T]) -> String {
    v.iter().map(T::to_string).collect::<Vec<_>>().join(", ")
}

impl Draft {
    /// The texts that describe `s`.
    pub fn from_scenario(s: &Scenario) -> Draft {
        let mut f = FieldMap::new();
        let mut set = |id, text: String| {
            f.insert(id, text);
        };
        let w = match &s.work {
            Work::Async(w) => w,
            Work::Program(p) => {
                return Draft {
                    program: Some(p.clone()),
                    ..Draft::preset(s.experiment)
                };
            }
            Work::Cpu(cpu) => {
                match &cpu.kernel {
                    Kernel::Primes { limit } => set(FieldId::PrimeLimit, limit.to_string()),
                    Kernel::Mandelbrot { spec } => {
                        set(FieldId::Width, spec.width.to_string());
                        set(FieldId::Height, spec.height.to_string());
                        set(FieldId::Iterations, spec.max_iter.to_string());
                    }
                    Kernel::Burn { ms } => set(FieldId::Burns, crate::units::format_repeats(ms)),
                }
                set(
                    FieldId::Workers,
                    if cpu.workers == 0 {
                        "auto".to_string()
                    } else {
                        cpu.workers.to_string()
                    },
                );
                return Draft {
                    experiment: s.experiment,
                    fields: f,
                    program: None,
                };
            }
        };
        match &w.workload {
            Workload::Uniform { count, duration_ms } => {
                set(FieldId::Count, count.to_string());
                set(FieldId::Duration, duration_ms.to_string());
            }
            Workload::Custom(list) => set(FieldId::Durations, crate::units::format_repeats(list)),
            Workload::Steps { count, steps } => {
                set(FieldId::Count, count.to_string());
                set(
                    FieldId::Steps,
                    steps
                        .iter()
                        .map(|st| format!("{} {}", st.label, st.ms))
                        .collect::<Vec<_>>()
                        .join(", "),
                );
            }
        }
        let limits = throttled_limits(&w.strategies);
        if !limits.is_empty() {
            set(FieldId::Limits, join(&limits));
        }
        let b = &w.behaviour;
        set(FieldId::Jitter, b.jitter_ms.to_string());
        set(FieldId::Seed, b.seed.to_string());
        let (failing, times) = match &b.fail {
            FailRule::Never => (String::new(), "all".to_string()),
            FailRule::Chance { percent } => (format!("{percent}%"), "all".to_string()),
            FailRule::Tasks { tasks, times } => (
                join(&tasks.iter().map(|t| t + 1).collect::<Vec<_>>()),
                if *times == u32::MAX {
                    "all".to_string()
                } else {
                    times.to_string()
                },
            ),
        };
        set(FieldId::Failing, failing);
        set(FieldId::FailTimes, times);
        let opt = |v: Option<u32>| v.map(|v| v.to_string()).unwrap_or_default();
        set(FieldId::Timeout, opt(b.timeout_ms));
        set(FieldId::GroupTimeout, opt(b.group_timeout_ms));
        set(FieldId::Attempts, b.retry.attempts.to_string());
        set(FieldId::Delay, b.retry.delay_ms.to_string());
        set(
            FieldId::Backoff,
            match b.retry.backoff {
                Backoff::Fixed => "fixed",
                Backoff::Exponential => "exponential",
            }
            .to_string(),
        );
        Draft {
            experiment: s.experiment,
            fields: f,
            program: None,
        }
    }

    /// True when the draft is "Your program": a program of the learner's own, not a preset's
    /// scenario written as a program (which keeps its preset's title, id and reset).
    pub fn own_program(&self) -> bool {
        self.program.as_ref().is_some_and(|p| !p.from_preset)
    }

    /// The title people see: the preset's, or "Your program".
    pub fn title(&self) -> &'static str {
        if self.own_program() {
            "Your program"
        } else {
            self.experiment.title()
        }
    }

    /// The id that names its files and history entries: the experiment's, or `program` for
    /// "Your program" (a preset's program keeps its preset's).
    pub fn id(&self) -> &'static str {
        if self.own_program() {
            "program"
        } else {
            self.experiment.id()
        }
    }

    /// What the experiment shows, in a sentence: the preset's published numbers, or what a
    /// program does.
    pub fn published(&self) -> &'static str {
        match &self.program {
            Some(p) if p.from_preset => "The preset as a program. Reset returns to its fields.",
            Some(_) => "Your program runs for real on this page's event loop and workers.",
            None => self.experiment.published(),
        }
    }

    /// The draft of a preset as it starts.
    pub fn preset(e: Experiment) -> Draft {
        Draft::from_scenario(&e.scenario())
    }

    /// The fields this draft shows, in order.
    pub fn visible(&self) -> Vec<FieldId> {
        if self.program.is_some() {
            return Vec::new();
        }
        FieldId::ALL
            .into_iter()
            .filter(|id| self.fields.contains_key(id))
            .collect()
    }

    /// The text of a field ("" if it has none).
    pub fn text(&self, id: FieldId) -> &str {
        self.fields.get(&id).map(String::as_str).unwrap_or("")
    }

    /// Builds the scenario, or says what stops it.
    pub fn build(&self) -> Built {
        if let Some(program) = &self.program {
            return Built {
                scenario: Some(Scenario {
                    experiment: self.experiment,
                    work: Work::Program(program.clone()),
                }),
                messages: FieldMap::new(),
            };
        }
        let mut c = Collector::default();
        let preset = self.experiment.scenario();
        let t = |id| self.text(id);
        let preset = match preset.work {
            Work::Async(w) => w,
            Work::Program(_) => unreachable!("a preset is never a program"),
            Work::Cpu(cpu) => {
                let kernel = match &cpu.kernel {
                    Kernel::Primes { .. } => c
                        .take(
                            FieldId::PrimeLimit,
                            input::bounded(
                                t(FieldId::PrimeLimit),
                                "a prime limit",
                                2,
                                MAX_PRIME_LIMIT,
                                "Count primes below at least 2.",
                                " (about 16 s on one core)",
                            ),
                        )
                        .map(|limit| Kernel::Primes { limit }),
                    Kernel::Mandelbrot { .. } => {
                        let mut dim = |id, what, max: u32, unit| {
                            c.take(
                                id,
                                input::bounded(t(id), what, 1, max as u64, "Use at least 1.", unit),
                            )
                            .map(|v| v as u32)
                        };
                        let width = dim(FieldId::Width, "a width", MAX_MANDELBROT_WIDTH, " px");
                        let height = dim(
                            FieldId::Height,
                            "a number of rows",
                            MAX_MANDELBROT_HEIGHT,
                            " rows",
                        );
                        let max_iter = dim(
                            FieldId::Iterations,
                            "a number of iterations",
                            MAX_MANDELBROT_ITER,
                            " iterations",
                        );
                        (|| {
                            Some(Kernel::Mandelbrot {
                                spec: MandelbrotSpec {
                                    width: width?,
                                    height: height?,
                                    max_iter: max_iter?,
                                },
                            })
                        })()
                    }
                    Kernel::Burn { .. } => c
                        .take(FieldId::Burns, input::burn_list(t(FieldId::Burns)))
                        .map(|ms| Kernel::Burn { ms }),
                };
                let workers = c.take(FieldId::Workers, input::workers(t(FieldId::Workers)));
                let scenario = (|| {
                    if !c.ok {
                        return None;
                    }
                    Some(Scenario {
                        experiment: self.experiment,
                        work: Work::Cpu(CpuSpec {
                            kernel: kernel?,
                            modes: cpu.modes.clone(),
                            workers: workers?,
                        }),
                    })
                })();
                return Built {
                    scenario,
                    messages: c.messages,
                };
            }
        };

        let workload = match &preset.workload {
            Workload::Uniform { .. } => {
                let count = c.take(FieldId::Count, input::task_count(t(FieldId::Count)));
                let duration = c.take(FieldId::Duration, input::duration_ms(t(FieldId::Duration)));
                count
                    .zip(duration)
                    .map(|(count, duration_ms)| Workload::Uniform { count, duration_ms })
            }
            Workload::Custom(_) => c
                .take(
                    FieldId::Durations,
                    input::duration_list(t(FieldId::Durations)),
                )
                .map(Workload::Custom),
            Workload::Steps { .. } => {
                let count = c.take(FieldId::Count, input::task_count(t(FieldId::Count)));
                let steps = c.take(FieldId::Steps, input::steps(t(FieldId::Steps)));
                count
                    .zip(steps)
                    .map(|(count, steps)| Workload::Steps { count, steps })
            }
        };
        let n = workload.as_ref().map(Workload::len).unwrap_or(0) as u32;
        let shortest = workload
            .as_ref()
            .map(|w| {
                w.tasks()
                    .iter()
                    .flat_map(|t| t.steps.iter().map(|s| s.ms))
                    .min()
                    .unwrap_or(0)
            })
            .unwrap_or(u32::MAX);

        let strategies = if self.fields.contains_key(&FieldId::Limits) {
            c.take(FieldId::Limits, input::limits(t(FieldId::Limits)))
                .map(|limits| {
                    // The throttled runs of the preset, replaced by one per limit, in place.
                    let first = preset
                        .strategies
                        .iter()
                        .position(|s| matches!(s, Strategy::Throttled { .. }))
                        .unwrap_or(0);
                    let mut out: Vec<Strategy> = preset
                        .strategies
                        .iter()
                        .filter(|s| !matches!(s, Strategy::Throttled { .. }))
                        .copied()
                        .collect();
                    for (i, limit) in limits.into_iter().enumerate() {
                        out.insert((first + i).min(out.len()), Strategy::Throttled { limit });
                    }
                    out
                })
        } else {
            Some(preset.strategies.clone())
        };

        let jitter = c.take(
            FieldId::Jitter,
            input::jitter_ms(t(FieldId::Jitter), shortest),
        );
        let seed = c.take(FieldId::Seed, input::seed(t(FieldId::Seed)));
        let fail = c.take(FieldId::Failing, fail_rule(t(FieldId::Failing), n));
        let times = c.take(FieldId::FailTimes, fail_times(t(FieldId::FailTimes)));
        let timeout = c.take(
            FieldId::Timeout,
            input::optional_ms(t(FieldId::Timeout), "a timeout"),
        );
        let group_timeout = c.take(
            FieldId::GroupTimeout,
            input::optional_ms(t(FieldId::GroupTimeout), "a deadline"),
        );
        let attempts = c.take(FieldId::Attempts, input::attempts(t(FieldId::Attempts)));
        let delay = c.take(FieldId::Delay, input::duration_ms(t(FieldId::Delay)));
        let backoff = c.take(FieldId::Backoff, backoff(t(FieldId::Backoff)));

        let scenario = (|| {
            if !c.ok {
                return None;
            }
            let fail = match fail? {
                FailRule::Tasks { tasks, .. } => FailRule::Tasks {
                    tasks,
                    times: times?,
                },
                other => other,
            };
            Some(Scenario {
                experiment: self.experiment,
                work: Work::Async(AsyncWork {
                    workload: workload?,
                    behaviour: Behaviour {
                        jitter_ms: jitter?,
                        seed: seed?,
                        fail,
                        timeout_ms: timeout?,
                        group_timeout_ms: group_timeout?,
                        retry: Retry {
                            attempts: attempts?,
                            delay_ms: delay?,
                            backoff: backoff?,
                        },
                    },
                    strategies: strategies?,
                }),
            })
        })();
        Built {
            scenario,
            messages: c.messages,
        }
    }
}

/// Gathers the verdicts of the fields of one build.
struct Collector {
    messages: FieldMap<FieldMessage>,
    ok: bool,
}

impl Default for Collector {
    fn default() -> Self {
        Collector {
            messages: FieldMap::new(),
            ok: true,
        }
    }
}

impl Collector {
    fn take<T>(&mut self, id: FieldId, c: Checked<T>) -> Option<T> {
        if let Some(text) = c.message() {
            let invalid = c.is_invalid();
            self.ok &= !invalid;
            self.messages.insert(
                id,
                FieldMessage {
                    text: text.to_string(),
                    invalid,
                },
            );
        }
        c.value()
    }
}

/// `""`/`none` → nothing fails; `30%` → a chance per attempt; `2, 4` → those calls (1-based).
pub fn fail_rule(text: &str, task_count: u32) -> Checked<FailRule> {
    let t = text.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("none") {
        return Checked::Ok(FailRule::Never);
    }
    if let Some(p) = t.strip_suffix('%') {
        return match input::bounded(p, "a failure chance", 0, 100, "", "%") {
            Checked::Ok(v) => Checked::Ok(FailRule::Chance { percent: v as u32 }),
            Checked::Clamped { value, note } => Checked::Clamped {
                value: FailRule::Chance {
                    percent: value as u32,
                },
                note,
            },
            Checked::Invalid { message } => Checked::Invalid { message },
        };
    }
    // A flag per call: listed in call order below, each once, however they were written.
    let mut failing = vec![false; task_count as usize];
    let mut dropped = Vec::new();
    for part in t.split([',', ';', ' ']).filter(|p| !p.is_empty()) {
        match part.trim_start_matches('#').parse::<u64>() {
            Ok(k) if k >= 1 && k <= task_count as u64 => failing[k as usize - 1] = true,
            Ok(k) => dropped.push(k.to_string()),
            Err(_) => {
                return Checked::Invalid {
                    message: format!(
                        "“{part}” is not a call number: write numbers such as 2, 4 or a chance such as 30%."
                    ),
                }
            }
        }
    }
    let tasks: Vec<u32> = (0..task_count).filter(|&i| failing[i as usize]).collect();
    if dropped.is_empty() {
        Checked::Ok(FailRule::Tasks {
            tasks,
            times: u32::MAX,
        })
    } else {
        Checked::Clamped {
            value: FailRule::Tasks {
                tasks,
                times: u32::MAX,
            },
            note: format!(
                "Ignored {}: there are only {task_count} calls.",
                dropped.join(", ")
            ),
        }
    }
}

/// `all` or a number of attempts (1 or more) that fail before the call succeeds.
pub fn fail_times(text: &str) -> Checked<u32> {
    let t = text.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("all") {
        return Checked::Ok(u32::MAX);
    }
    match input::bounded(
        t,
        "a number of attempts",
        1,
        u32::MAX as u64 - 1,
        "Write all, or 1 or more.",
        "",
    ) {
        Checked::Ok(v) => Checked::Ok(v as u32),
        Checked::Clamped { value, note } => Checked::Clamped {
            value: value as u32,
            note,
        },
        Checked::Invalid { message } => Checked::Invalid { message },
    }
}

/// `fixed` or `exponential` (or their first letter).
pub fn backoff(text: &str) -> Checked<Backoff> {
    match text.trim().to_ascii_lowercase().as_str() {
        "fixed" | "f" | "" => Checked::Ok(Backoff::Fixed),
        "exponential" | "exp" | "e" => Checked::Ok(Backoff::Exponential),
        other => Checked::Invalid {
            message: format!("“{other}”: write fixed or exponential."),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_map_keeps_one_value_per_field_in_field_order() {
        let mut m = FieldMap::new();
        assert!(m.is_empty());
        assert_eq!(m.insert(FieldId::Workers, 1), None);
        assert_eq!(m.insert(FieldId::Count, 2), None);
        assert_eq!(m.insert(FieldId::Workers, 3), Some(1));
        assert_eq!(m.len(), 2);
        assert_eq!(m.get(&FieldId::Workers), Some(&3));
        assert!(!m.contains_key(&FieldId::Seed));
        let mut tree = std::collections::BTreeMap::new();
        tree.insert(FieldId::Workers, 3);
        tree.insert(FieldId::Count, 2);
        assert!(m.iter().eq(tree.iter()), "the order a BTreeMap gives");
        assert_eq!(m[&FieldId::Count], 2);
    }

    #[test]
    fn every_preset_survives_a_round_trip_through_its_draft() {
        for e in Experiment::ALL {
            let built = Draft::preset(e).build();
            assert_eq!(
                built.scenario,
                Some(e.scenario()),
                "{e:?}: {:?}",
                built.messages
            );
            assert!(built.messages.is_empty(), "{e:?}: {:?}", built.messages);
        }
    }

    #[test]
    fn a_refused_field_blocks_the_scenario_and_says_why() {
        let mut d = Draft::preset(Experiment::WhenAll);
        d.fields.insert(FieldId::Count, "-5".into());
        let b = d.build();
        assert_eq!(b.scenario, None);
        let m = &b.messages[&FieldId::Count];
        assert!(m.invalid && m.text.contains("negative"), "{m:?}");
    }

    #[test]
    fn a_clamped_field_still_builds_and_notes_it() {
        let mut d = Draft::preset(Experiment::Retries);
        d.fields.insert(FieldId::Attempts, "99".into());
        let b = d.build();
        assert_eq!(
            b.scenario
                .unwrap()
                .async_work()
                .unwrap()
                .behaviour
                .retry
                .attempts,
            10
        );
        assert!(!b.messages[&FieldId::Attempts].invalid);
    }

    #[test]
    fn editing_limits_replaces_the_throttled_runs_in_place() {
        let mut d = Draft::preset(Experiment::Throttle);
        d.fields.insert(FieldId::Limits, "5, 20".into());
        let s = d.build().scenario.unwrap();
        assert_eq!(
            s.async_work().unwrap().strategies,
            vec![
                Strategy::Throttled { limit: 5 },
                Strategy::Throttled { limit: 20 },
                Strategy::AllAtOnce { fail_fast: false }
            ]
        );
    }

    #[test]
    fn failing_calls_are_numbered_from_one_and_out_of_range_ones_are_ignored() {
        assert_eq!(
            fail_rule("2, 4", 5),
            Checked::Ok(FailRule::Tasks {
                tasks: vec![1, 3],
                times: u32::MAX
            })
        );
        let c = fail_rule("2, 9", 5);
        assert_eq!(c.message(), Some("Ignored 9: there are only 5 calls."));
        assert_eq!(
            fail_rule("30%", 5),
            Checked::Ok(FailRule::Chance { percent: 30 })
        );
        assert_eq!(
            fail_rule("250%", 5).value(),
            Some(FailRule::Chance { percent: 100 })
        );
        assert!(fail_rule("x", 5).is_invalid());
        assert_eq!(fail_rule("", 5), Checked::Ok(FailRule::Never));
    }

    #[test]
    fn only_a_program_of_ones_own_is_named_your_program() {
        let preset = Draft::preset(Experiment::WhenAll);
        assert!(!preset.own_program(), "a preset's fields");
        assert_eq!(
            (preset.title(), preset.id()),
            (Experiment::WhenAll.title(), "when-all")
        );
        let with = |from_preset| Draft {
            program: Some(ProgramCode {
                code: String::new(),
                from_preset,
            }),
            ..preset.clone()
        };
        let edited = with(true);
        assert!(
            !edited.own_program(),
            "a preset edited as code keeps its preset"
        );
        assert_eq!((edited.title(), edited.id()), (preset.title(), preset.id()));
        let own = with(false);
        assert!(own.own_program());
        assert_eq!((own.title(), own.id()), ("Your program", "program"));
    }

    #[test]
    fn backoff_and_fail_times_read_words() {
        assert_eq!(backoff("Exponential"), Checked::Ok(Backoff::Exponential));
        assert!(backoff("sometimes").is_invalid());
        assert_eq!(fail_times("all"), Checked::Ok(u32::MAX));
        assert_eq!(fail_times("2"), Checked::Ok(2));
        assert!(fail_times("0").is_invalid());
    }

    #[test]
    fn jitter_is_clamped_to_the_shortest_call_of_the_draft() {
        let mut d = Draft::preset(Experiment::WhenAllMixed);
        d.fields.insert(FieldId::Jitter, "5000".into());
        let b = d.build();
        assert_eq!(
            b.scenario
                .unwrap()
                .async_work()
                .unwrap()
                .behaviour
                .jitter_ms,
            1000
        );
    }

    #[test]
    fn cpu_drafts_show_their_kernel_and_workers_and_clamp_them() {
        let d = Draft::preset(Experiment::Primes);
        assert_eq!(d.visible(), vec![FieldId::PrimeLimit, FieldId::Workers]);
        assert_eq!(d.text(FieldId::Workers), "auto");
        let mut d = d;
        d.fields.insert(FieldId::PrimeLimit, "999999999999".into());
        d.fields.insert(FieldId::Workers, "64".into());
        let b = d.build();
        let cpu = b.scenario.unwrap().cpu().unwrap().clone();
        assert_eq!(
            cpu.kernel,
            Kernel::Primes {
                limit: MAX_PRIME_LIMIT
            }
        );
        assert_eq!(cpu.workers, 32);
        assert!(b.messages[&FieldId::PrimeLimit].text.contains("50000000"));
        let mut bad = Draft::preset(Experiment::Invoke);
        bad.fields.insert(FieldId::Burns, "1000, -5".into());
        assert!(bad.build().scenario.is_none());
    }

    #[test]
    fn only_the_fields_of_the_presets_workload_are_visible() {
        let v = Draft::preset(Experiment::WhenAllMixed).visible();
        assert!(v.contains(&FieldId::Durations) && !v.contains(&FieldId::Count));
        let v = Draft::preset(Experiment::ThrottleSteps).visible();
        assert!(v.contains(&FieldId::Steps) && v.contains(&FieldId::Limits));
        assert!(!Draft::preset(Experiment::WhenAll)
            .visible()
            .contains(&FieldId::Limits));
    }
}
