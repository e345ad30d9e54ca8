//! The scenario model: what to run (a workload of simulated I/O tasks and how they behave) and
//! which strategies to compare. A scenario is plain data; [`crate::model::plan`] turns it into concrete
//! per-task timings, [`crate::model::predict`] and [`crate::engine`] read the plan.

use serde::{Deserialize, Serialize};

use crate::cpu::kernels::MandelbrotSpec;
use crate::cpu::{CpuMode, CpuSpec, Kernel};

/// Most tasks one scenario may hold; larger inputs are clamped (see [`crate::model::input`]).
pub const MAX_TASKS: u32 = 10_000;
/// Longest simulated call, in milliseconds; longer inputs are clamped.
pub const MAX_DURATION_MS: u32 = 60_000;
/// Most attempts a retry policy may make.
pub const MAX_ATTEMPTS: u32 = 10;
/// Most tasks in flight a throttle may allow (more is the same as all at once).
pub const MAX_LIMIT: u32 = MAX_TASKS;
/// Most Web Workers the page runs at once; it is the CPU layer's limit.
pub use crate::cpu::MAX_WORKERS;

/// One step of a simulated call: a named wait (`fetch 100 ms`, then `process 50 ms`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// What the step stands for, shown on the timeline.
    pub label: String,
    /// How long it waits, in milliseconds.
    pub ms: u32,
}

/// One simulated I/O call: one or more timers awaited on the event loop, one after another.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskSpec {
    /// The steps, in order.
    pub steps: Vec<Step>,
}

impl TaskSpec {
    /// A call that waits `ms` in one step.
    pub fn call(ms: u32) -> Self {
        TaskSpec {
            steps: vec![Step {
                label: "call".into(),
                ms,
            }],
        }
    }

    /// Total wait of one attempt, in milliseconds.
    pub fn duration_ms(&self) -> u32 {
        self.steps.iter().map(|s| s.ms).sum()
    }
}

/// How a group of tasks is awaited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Strategy {
    /// `foreach (var c in calls) await c();` one call after another. An error stops the loop.
    Sequential,
    /// Start every call, then await them together. With `fail_fast` the await gives up at the
    /// first error (`Promise.all`, `asyncio.gather`) while the other calls keep running; without,
    /// it waits for every call and reports every error (`Task.WhenAll`'s AggregateException,
    /// `Promise.allSettled`, `gather(return_exceptions=True)`).
    AllAtOnce { fail_fast: bool },
    /// Start every call, continue with the first to finish (`Task.WhenAny`, `Promise.race`).
    /// With `cancel_rest` the others are cancelled; otherwise they keep running.
    FirstWins { cancel_rest: bool },
    /// At most `limit` calls in flight (`SemaphoreSlim(limit)`, `Parallel.ForEachAsync` with
    /// `MaxDegreeOfParallelism`, `p-limit`, `asyncio.Semaphore`).
    Throttled { limit: u32 },
    /// Consume each result as soon as it is produced (`IAsyncEnumerable` + `await foreach`).
    /// With `concurrent` all calls start at once and results are consumed in completion order
    /// (`Task.WhenEach`, `asyncio.as_completed`); without, a producer awaits them one by one.
    Streaming { concurrent: bool },
    /// A mistake: start the calls and never await them (`async void`, a promise nobody awaits).
    /// The caller "finishes" at once; errors happen later where nobody observes them.
    FireAndForget,
    /// Tasks share a counter across an await. Unsafe: read, await, write back (updates are
    /// lost, a race on one thread); safe: await, then update in one synchronous step.
    SharedCounter { safe: bool },
    /// A mistake: block the one event loop until a result arrives (`.Result`, `.Wait()`). The
    /// result can only arrive on the blocked loop, so it would deadlock; a watchdog gives up.
    BlockOnResult,
    /// Blocking waits: every call parks a worker of its own while it waits ("sync over async",
    /// `Task.Run` around I/O), at most [`MAX_WORKERS`] at once; the rest queue for a worker.
    WorkerPerCall,
}

impl Strategy {
    /// Stable identifier used in test hooks, file names and URLs.
    pub fn id(self) -> String {
        match self {
            Strategy::Sequential => "sequential".into(),
            Strategy::AllAtOnce { fail_fast: false } => "all-at-once".into(),
            Strategy::AllAtOnce { fail_fast: true } => "all-at-once-fail-fast".into(),
            Strategy::FirstWins { cancel_rest: false } => "first-wins".into(),
            Strategy::FirstWins { cancel_rest: true } => "first-wins-cancel".into(),
            Strategy::Throttled { limit } => format!("throttled-{limit}"),
            Strategy::Streaming { concurrent: false } => "streaming".into(),
            Strategy::Streaming { concurrent: true } => "streaming-concurrent".into(),
            Strategy::FireAndForget => "fire-and-forget".into(),
            Strategy::SharedCounter { safe: false } => "shared-counter-race".into(),
            Strategy::SharedCounter { safe: true } => "shared-counter-safe".into(),
            Strategy::BlockOnResult => "block-on-result".into(),
            Strategy::WorkerPerCall => "worker-per-call".into(),
        }
    }

    /// Parses [`Strategy::id`].
    pub fn from_id(id: &str) -> Option<Strategy> {
        if let Some(k) = id.strip_prefix("throttled-") {
            return k
                .parse()
                .ok()
                .filter(|k| (1..=MAX_LIMIT).contains(k))
                .map(|limit| Strategy::Throttled { limit });
        }
        Some(match id {
            "sequential" => Strategy::Sequential,
            "all-at-once" => Strategy::AllAtOnce { fail_fast: false },
            "all-at-once-fail-fast" => Strategy::AllAtOnce { fail_fast: true },
            "first-wins" => Strategy::FirstWins { cancel_rest: false },
            "first-wins-cancel" => Strategy::FirstWins { cancel_rest: true },
            "streaming" => Strategy::Streaming { concurrent: false },
            "streaming-concurrent" => Strategy::Streaming { concurrent: true },
            "fire-and-forget" => Strategy::FireAndForget,
            "shared-counter-race" => Strategy::SharedCounter { safe: false },
            "shared-counter-safe" => Strategy::SharedCounter { safe: true },
            "block-on-result" => Strategy::BlockOnResult,
            "worker-per-call" => Strategy::WorkerPerCall,
            _ => return None,
        })
    }

    /// Short human title.
    pub fn title(self) -> String {
        match self {
            Strategy::Sequential => "Sequential awaits".into(),
            Strategy::AllAtOnce { fail_fast: false } => "All at once (wait for all)".into(),
            Strategy::AllAtOnce { fail_fast: true } => "All at once (fail fast)".into(),
            Strategy::FirstWins { cancel_rest: false } => {
                "First wins (the rest keep running)".into()
            }
            Strategy::FirstWins { cancel_rest: true } => {
                "First wins (the rest are cancelled)".into()
            }
            Strategy::Throttled { limit } => format!("Throttled: at most {limit} in flight"),
            Strategy::Streaming { concurrent: false } => "Streaming, one by one".into(),
            Strategy::Streaming { concurrent: true } => "Streaming, as completed".into(),
            Strategy::FireAndForget => "Mistake: fire and forget".into(),
            Strategy::SharedCounter { safe: false } => "Mistake: read, await, write".into(),
            Strategy::SharedCounter { safe: true } => "Fix: await, then update".into(),
            Strategy::BlockOnResult => "Mistake: block on the result".into(),
            Strategy::WorkerPerCall => "Blocking: a worker parked per call".into(),
        }
    }

    /// The same idea in the languages our readers arrive with: (language, spelling).
    pub fn spellings(self) -> Vec<(&'static str, String)> {
        let s = |a: &str, b: &str, c: &str, d: &str| {
            vec![
                ("C#", a.to_string()),
                ("JavaScript", b.to_string()),
                ("Python", c.to_string()),
                ("Rust", d.to_string()),
            ]
        };
        match self {
            Strategy::Sequential => s(
                "foreach (…) await call();",
                "for (…) await call();",
                "for …: await call()",
                "for …{ call().await; }",
            ),
            Strategy::AllAtOnce { fail_fast: false } => s(
                "await Task.WhenAll(calls);",
                "await Promise.allSettled(calls);",
                "await asyncio.gather(*calls, return_exceptions=True)",
                "join_all(calls).await;",
            ),
            Strategy::AllAtOnce { fail_fast: true } => s(
                "await Task.WhenAll(calls); // throws the first error",
                "await Promise.all(calls);",
                "await asyncio.gather(*calls)",
                "try_join_all(calls).await?;",
            ),
            Strategy::FirstWins { cancel_rest: false } => s(
                "await Task.WhenAny(calls);",
                "await Promise.race(calls);",
                "await asyncio.wait(calls, return_when=FIRST_COMPLETED)",
                "select_all(calls).await;",
            ),
            Strategy::FirstWins { cancel_rest: true } => s(
                "await Task.WhenAny(calls); cts.Cancel();",
                "await Promise.race(calls); controller.abort();",
                "done, pending = await asyncio.wait(…); [t.cancel() for t in pending]",
                "select_all(calls).await; // dropping the rest cancels them",
            ),
            Strategy::Throttled { limit } => s(
                &format!("new SemaphoreSlim({limit}) / Parallel.ForEachAsync(…, MaxDegreeOfParallelism = {limit})"),
                &format!("pLimit({limit})"),
                &format!("asyncio.Semaphore({limit})"),
                &format!("stream::iter(calls).buffer_unordered({limit})"),
            ),
            Strategy::Streaming { concurrent: false } => s(
                "await foreach (var r in ProduceAsync()) Use(r);",
                "for await (const r of produce()) use(r);",
                "async for r in produce(): use(r)",
                "while let Some(r) = stream.next().await { use(r) }",
            ),
            Strategy::Streaming { concurrent: true } => s(
                "await foreach (var t in Task.WhenEach(calls)) Use(t.Result);",
                "for (const p of calls) p.then(use);",
                "for f in asyncio.as_completed(calls): use(await f)",
                "calls.collect::<FuturesUnordered<_>>() // then .next().await",
            ),
            Strategy::FireAndForget => s(
                "_ = CallAsync(); // or async void",
                "call(); // no await, no .catch",
                "asyncio.create_task(call())  # never awaited",
                "spawn_local(call()); // result dropped",
            ),
            Strategy::SharedCounter { safe: false } => s(
                "var v = count; await CallAsync(); count = v + 1;",
                "const v = count; await call(); count = v + 1;",
                "v = count; await call(); count = v + 1",
                "let v = count.get(); call().await; count.set(v + 1);",
            ),
            Strategy::SharedCounter { safe: true } => s(
                "await CallAsync(); count++;",
                "await call(); count++;",
                "await call(); count += 1",
                "call().await; count.set(count.get() + 1);",
            ),
            Strategy::WorkerPerCall => s(
                "calls.Select(c => Task.Run(() => c().Result)) // sync over async",
                "calls.map(c => runInNewWorker(c)) // each worker waits",
                "ThreadPoolExecutor(32).map(lambda c: asyncio.run(c()), calls)",
                "calls.map(|c| thread::spawn(move || block_on(c())))",
            ),
            Strategy::BlockOnResult => s(
                "var r = CallAsync().Result; // on the UI thread",
                "while (!done) {} // spin until the promise settles",
                "loop.run_until_complete(call())  # inside a running loop",
                "futures::executor::block_on(call()) // on the event loop",
            ),
        }
    }
}

/// How long to wait between attempts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Backoff {
    /// The same delay every time.
    Fixed,
    /// The delay doubles after every failed attempt.
    Exponential,
}

/// Retry policy: up to `attempts` tries, `delay_ms` apart (see [`Backoff`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retry {
    /// Total tries, at least 1 (1 = no retry), at most [`MAX_ATTEMPTS`].
    pub attempts: u32,
    /// Delay before the second attempt, in ms.
    pub delay_ms: u32,
    /// How the delay grows.
    pub backoff: Backoff,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            attempts: 1,
            delay_ms: 0,
            backoff: Backoff::Fixed,
        }
    }
}

impl Retry {
    /// Delay before attempt number `attempt` (0-based; attempt 0 has none).
    pub fn delay_before(&self, attempt: u32) -> u32 {
        match (attempt, self.backoff) {
            (0, _) => 0,
            (_, Backoff::Fixed) => self.delay_ms,
            (n, Backoff::Exponential) => self
                .delay_ms
                .saturating_mul(1u32.checked_shl(n - 1).unwrap_or(u32::MAX)),
        }
    }
}

/// Which calls fail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FailRule {
    /// No call fails.
    Never,
    /// These tasks (0-based) fail their first `times` attempts, then succeed.
    Tasks { tasks: Vec<u32>, times: u32 },
    /// Each attempt fails with this chance, in percent, rolled from the scenario's seed.
    Chance { percent: u32 },
}

/// How the tasks behave beyond their durations. Defaults: no jitter, seed 1, nothing fails,
/// no timeouts, no retries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Behaviour {
    /// Each step's duration varies by up to ± this many ms, drawn from `seed`.
    pub jitter_ms: u32,
    /// Seed of the random draws (jitter, failure chance): the same seed, the same run.
    pub seed: u64,
    /// Which calls fail.
    pub fail: FailRule,
    /// Each attempt is abandoned after this many ms with a timeout error (`WaitAsync`).
    pub timeout_ms: Option<u32>,
    /// The whole group is cancelled after this many ms (`CancelAfter`).
    pub group_timeout_ms: Option<u32>,
    /// Retry policy for failed or timed-out attempts.
    pub retry: Retry,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            jitter_ms: 0,
            seed: 1,
            fail: FailRule::Never,
            timeout_ms: None,
            group_timeout_ms: None,
            retry: Retry::default(),
        }
    }
}

/// The tasks of a scenario.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Workload {
    /// `count` calls of `duration_ms` each.
    Uniform { count: u32, duration_ms: u32 },
    /// One call per listed duration, in milliseconds, in the order given.
    Custom(Vec<u32>),
    /// `count` calls, each made of these steps (e.g. fetch 100 ms, then process 50 ms).
    Steps { count: u32, steps: Vec<Step> },
}

impl Workload {
    /// The tasks, in the order they are given.
    pub fn tasks(&self) -> Vec<TaskSpec> {
        match self {
            Workload::Uniform { count, duration_ms } => {
                vec![TaskSpec::call(*duration_ms); *count as usize]
            }
            Workload::Custom(list) => list.iter().map(|&ms| TaskSpec::call(ms)).collect(),
            Workload::Steps { count, steps } => vec![
                TaskSpec {
                    steps: steps.clone()
                };
                *count as usize
            ],
        }
    }

    /// Number of tasks.
    pub fn len(&self) -> usize {
        match self {
            Workload::Uniform { count, .. } | Workload::Steps { count, .. } => *count as usize,
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
    /// The preset this scenario started from (title, explanation, published numbers).
    pub experiment: Experiment,
    /// What it runs: waits on the event loop, or CPU work on workers.
    pub work: Work,
}

/// What a scenario runs: one kind of work or the other, never both.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Work {
    /// Simulated I/O on the event loop, compared across strategies.
    Async(AsyncWork),
    /// A CPU kernel and the ways to run it on the main thread and on workers.
    Cpu(CpuSpec),
    /// A program the person wrote (or opened from a preset with "Edit as code").
    Program(ProgramCode),
}

/// A program, as its share link carries it: the `code=` value, compressed text that only the
/// language module reads (`crate::lang::link`), so the page does not carry the codec or the
/// language until a program is opened.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramCode {
    /// The compressed text (`lz-str`'s URI-safe form).
    pub code: String,
    /// Whether it was opened from the scenario's preset ("Edit as code"), so Reset returns to
    /// that preset; `false` for "Your program".
    pub from_preset: bool,
}

/// Simulated I/O tasks and the strategies that await them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AsyncWork {
    /// The tasks to run.
    pub workload: Workload,
    /// How they behave.
    pub behaviour: Behaviour,
    /// The strategies to compare, run one after another in this order.
    pub strategies: Vec<Strategy>,
}

impl Default for AsyncWork {
    /// The first experiment's: ten calls of 500 ms, awaited one by one and all at once.
    fn default() -> Self {
        Experiment::WhenAll
            .async_work()
            .expect("WhenAll runs on the event loop")
    }
}

impl Experiment {
    /// The preset's event-loop work; `None` for a CPU experiment.
    pub fn async_work(self) -> Option<AsyncWork> {
        match self.scenario().work {
            Work::Async(w) => Some(w),
            Work::Cpu(_) | Work::Program(_) => None,
        }
    }
}

impl Scenario {
    /// The event-loop work, if that is what the scenario runs.
    pub fn async_work(&self) -> Option<&AsyncWork> {
        match &self.work {
            Work::Async(w) => Some(w),
            Work::Cpu(_) | Work::Program(_) => None,
        }
    }

    /// The scenario with "auto" workers (0) resolved to `cores` (at least one), as the page
    /// runs it and its code is written.
    pub fn resolved(&self, cores: u32) -> Scenario {
        let mut s = self.clone();
        if let Work::Cpu(c) = &mut s.work {
            *c = c.resolved(cores.max(1));
        }
        s
    }

    /// The program, if that is what the scenario runs.
    pub fn program(&self) -> Option<&ProgramCode> {
        match &self.work {
            Work::Program(p) => Some(p),
            Work::Async(_) | Work::Cpu(_) => None,
        }
    }

    /// The CPU work, if that is what the scenario runs.
    pub fn cpu(&self) -> Option<&CpuSpec> {
        match &self.work {
            Work::Cpu(c) => Some(c),
            Work::Async(_) | Work::Program(_) => None,
        }
    }
}

impl Default for Scenario {
    fn default() -> Self {
        Experiment::WhenAll.scenario()
    }
}

/// The experiments of `shared/scenarios.md` that run on the event loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Experiment {
    /// A: ten simulated HTTP calls of 500 ms each, one by one vs all at once.
    WhenAll,
    /// A, variant: 2000, 3000 and 1000 ms awaited together.
    WhenAllMixed,
    /// B: the same three calls, continue with the first to finish.
    WhenAny,
    /// E: 100 calls of 100 ms: what is held while waiting.
    ResourcesHeld,
    /// F: 1000 requests with at most 10 in flight.
    Throttle,
    /// F: 100 users, fetch 100 ms then process 50 ms, a few at a time.
    ThrottleSteps,
    /// G: a slow call abandoned after a timeout; a group cancelled after a deadline.
    Timeouts,
    /// G: retries with a delay, each attempt on the timeline.
    Retries,
    /// H: one task of several fails.
    Failures,
    /// I: five ticks 500 ms apart, each consumed as soon as it is produced.
    Streaming,
    /// K: async mistakes on the event loop, each beside its fix.
    Mistakes,
    /// C: ten purchases that each block their thread for 1000 ms.
    Purchases,
    /// C: Parallel.Invoke of three actions of 1000, 500 and 2000 ms.
    Invoke,
    /// D: count primes, on the main thread, one worker, and N workers split two ways.
    Primes,
    /// D, another kernel: a Mandelbrot image, row by row.
    Mandelbrot,
    /// J: fetch, process in parallel, save, pause, repeat.
    Pipeline,
}

impl Experiment {
    /// Every experiment, in the order the picker shows them.
    pub const ALL: [Experiment; 16] = [
        Experiment::WhenAll,
        Experiment::WhenAllMixed,
        Experiment::WhenAny,
        Experiment::ResourcesHeld,
        Experiment::Throttle,
        Experiment::ThrottleSteps,
        Experiment::Timeouts,
        Experiment::Retries,
        Experiment::Failures,
        Experiment::Streaming,
        Experiment::Mistakes,
        Experiment::Purchases,
        Experiment::Invoke,
        Experiment::Primes,
        Experiment::Mandelbrot,
        Experiment::Pipeline,
    ];

    /// Stable identifier (the picker's option value and the preset's short link).
    pub fn id(self) -> &'static str {
        match self {
            Experiment::WhenAll => "when-all",
            Experiment::WhenAllMixed => "when-all-mixed",
            Experiment::WhenAny => "when-any",
            Experiment::ResourcesHeld => "resources-held",
            Experiment::Throttle => "throttle",
            Experiment::ThrottleSteps => "throttle-steps",
            Experiment::Timeouts => "timeouts",
            Experiment::Retries => "retries",
            Experiment::Failures => "failures",
            Experiment::Streaming => "streaming",
            Experiment::Mistakes => "mistakes",
            Experiment::Purchases => "purchases",
            Experiment::Invoke => "invoke",
            Experiment::Primes => "primes",
            Experiment::Mandelbrot => "mandelbrot",
            Experiment::Pipeline => "pipeline",
        }
    }

    /// Parses [`Experiment::id`].
    pub fn from_id(id: &str) -> Option<Experiment> {
        Experiment::ALL.into_iter().find(|e| e.id() == id)
    }

    /// Title shown in the picker.
    pub fn title(self) -> &'static str {
        match self {
            Experiment::WhenAll => "A. Sequential awaits vs all at once (WhenAll)",
            Experiment::WhenAllMixed => "A. Different durations awaited together",
            Experiment::WhenAny => "B. First to finish (WhenAny)",
            Experiment::ResourcesHeld => "E. Same time, different cost: what waiting holds",
            Experiment::Throttle => "F. Throttled: 1000 requests, at most 10 in flight",
            Experiment::ThrottleSteps => "F. 100 users: fetch then process, a few at a time",
            Experiment::Timeouts => "G. Timeouts and cancellation",
            Experiment::Retries => "G. Retries with a delay",
            Experiment::Failures => "H. One failure in a group",
            Experiment::Streaming => "I. Streaming results as they arrive",
            Experiment::Mistakes => "K. Async mistakes, each beside its fix",
            Experiment::Purchases => "C. Parallel.ForEach: 10 purchases that block 1000 ms each",
            Experiment::Invoke => "C. Parallel.Invoke: three actions of 1000, 500, 2000 ms",
            Experiment::Primes => "D. Count primes: main thread, one worker, N workers",
            Experiment::Mandelbrot => "D. Mandelbrot rows: one worker vs N workers",
            Experiment::Pipeline => "J. Order processor: fetch, process in parallel, save, repeat",
        }
    }

    /// What the article published or taught, to set beside what this browser measures.
    pub fn published(self) -> &'static str {
        match self {
            Experiment::WhenAll => {
                "Published: 10 calls of 500 ms take ~5000 ms one after another, ~500 ms with Task.WhenAll."
            }
            Experiment::WhenAllMixed => {
                "Published: 2000, 3000 and 1000 ms awaited together take ~3000 ms (the longest), \
                 and the results come back in the order the tasks were given."
            }
            Experiment::WhenAny => {
                "Published: Task.WhenAny over 2000, 3000 and 1000 ms continues after ~1000 ms with \
                 the third task's result, while the others still run (or are cancelled)."
            }
            Experiment::ResourcesHeld => {
                "Published: 100 calls of 100 ms take ~100 ms either way; blocking holds ~100 \
                 threads, async holds 1–2. Async is about waiting efficiently."
            }
            Experiment::Throttle => {
                "Published: 1000 requests with SemaphoreSlim(10) take ceil(1000 / 10) = 100 waves \
                 of the per-request time."
            }
            Experiment::ThrottleSteps => {
                "Published: 100 users, each fetch 100 ms then process 50 ms, with \
                 MaxDegreeOfParallelism: ceil(n / limit) waves of 150 ms."
            }
            Experiment::Timeouts => {
                "Published: WaitAsync(2 s) abandons a slow call with a timeout error after 2 s; \
                 CancelAfter(3 s) stops the work still pending."
            }
            Experiment::Retries => {
                "Published: up to N attempts with a delay between them; the run shows each attempt."
            }
            Experiment::Failures => {
                "Published: await Task.WhenAll throws the first exception, the task's Exception \
                 holds all of them; asyncio.gather propagates the first error unless told to \
                 return exceptions. One failure must not crash the program."
            }
            Experiment::Streaming => {
                "Published: five ticks 500 ms apart, each consumed as soon as it is produced: \
                 the first result after 500 ms, not after 2500 ms."
            }
            Experiment::Mistakes => {
                "Published: async void loses errors; read-await-write loses updates; blocking \
                 on async on a single-threaded loop deadlocks."
            }
            Experiment::Purchases => {
                "Published: sequential 10.4 s; with Parallel.ForEach 1.52 s on the author's \
                 machine, bounded by the number of cores."
            }
            Experiment::Invoke => {
                "Published: Parallel.Invoke runs each action on its own thread: all start \
                 together and continue after ~2000 ms, the longest."
            }
            Experiment::Primes => {
                "Published: primes below 100,000: ~500 ms sequential, ~70 ms with Parallel.For \
                 on 8 cores (7×). Parallelism helps CPU work, up to the number of cores."
            }
            Experiment::Pipeline => {
                "Published: fetch up to 100 pending orders (I/O), process them in parallel \
                 (CPU), save (I/O), wait 5 s, repeat: async for the waits, parallel for the \
                 computing, combined."
            }
            Experiment::Mandelbrot => {
                "Rows of an image are independent: split them across workers, up to the number \
                 of cores; rows through the set cost more than rows outside it."
            }
        }
    }

    /// The scenario this experiment starts with.
    pub fn scenario(self) -> Scenario {
        use Strategy::*;
        let uniform = |count, duration_ms| Workload::Uniform { count, duration_ms };
        if let Some(cpu) = self.cpu_spec() {
            return Scenario {
                experiment: self,
                work: Work::Cpu(cpu),
            };
        }
        let (workload, behaviour, strategies) = match self {
            Experiment::WhenAll => (
                uniform(10, 500),
                Behaviour::default(),
                vec![Sequential, AllAtOnce { fail_fast: false }],
            ),
            Experiment::WhenAllMixed => (
                Workload::Custom(vec![2000, 3000, 1000]),
                Behaviour::default(),
                vec![Sequential, AllAtOnce { fail_fast: false }],
            ),
            Experiment::WhenAny => (
                Workload::Custom(vec![2000, 3000, 1000]),
                Behaviour::default(),
                vec![
                    AllAtOnce { fail_fast: false },
                    FirstWins { cancel_rest: false },
                    FirstWins { cancel_rest: true },
                ],
            ),
            Experiment::ResourcesHeld => (
                uniform(100, 100),
                Behaviour::default(),
                vec![AllAtOnce { fail_fast: false }, WorkerPerCall],
            ),
            Experiment::Throttle => (
                uniform(1000, 100),
                Behaviour::default(),
                vec![Throttled { limit: 10 }, AllAtOnce { fail_fast: false }],
            ),
            Experiment::ThrottleSteps => (
                Workload::Steps {
                    count: 100,
                    steps: vec![
                        Step {
                            label: "fetch".into(),
                            ms: 100,
                        },
                        Step {
                            label: "process".into(),
                            ms: 50,
                        },
                    ],
                },
                Behaviour::default(),
                vec![Throttled { limit: 8 }, Throttled { limit: 2 }],
            ),
            Experiment::Timeouts => (
                Workload::Custom(vec![500, 1000, 3000]),
                Behaviour {
                    timeout_ms: Some(2000),
                    group_timeout_ms: Some(2500),
                    ..Behaviour::default()
                },
                vec![AllAtOnce { fail_fast: false }, Sequential],
            ),
            Experiment::Retries => (
                uniform(4, 300),
                Behaviour {
                    fail: FailRule::Tasks {
                        tasks: vec![1, 3],
                        times: 2,
                    },
                    retry: Retry {
                        attempts: 3,
                        delay_ms: 200,
                        backoff: Backoff::Exponential,
                    },
                    ..Behaviour::default()
                },
                vec![AllAtOnce { fail_fast: false }, Sequential],
            ),
            Experiment::Failures => (
                Workload::Custom(vec![1000, 300, 600, 800]),
                Behaviour {
                    fail: FailRule::Tasks {
                        tasks: vec![1, 2],
                        times: u32::MAX,
                    },
                    ..Behaviour::default()
                },
                vec![
                    AllAtOnce { fail_fast: false },
                    AllAtOnce { fail_fast: true },
                    Sequential,
                ],
            ),
            Experiment::Streaming => (
                uniform(5, 500),
                Behaviour::default(),
                vec![
                    Streaming { concurrent: false },
                    Sequential,
                    Streaming { concurrent: true },
                ],
            ),
            Experiment::Mistakes => (
                uniform(5, 300),
                Behaviour {
                    fail: FailRule::Tasks {
                        tasks: vec![2],
                        times: u32::MAX,
                    },
                    ..Behaviour::default()
                },
                vec![
                    FireAndForget,
                    AllAtOnce { fail_fast: false },
                    WorkerPerCall,
                    SharedCounter { safe: false },
                    SharedCounter { safe: true },
                    BlockOnResult,
                ],
            ),
            Experiment::Purchases
            | Experiment::Invoke
            | Experiment::Primes
            | Experiment::Mandelbrot
            | Experiment::Pipeline => {
                unreachable!("CPU experiments returned above")
            }
        };
        Scenario {
            experiment: self,
            work: Work::Async(AsyncWork {
                workload,
                behaviour,
                strategies,
            }),
        }
    }

    /// The CPU part of a CPU experiment.
    fn cpu_spec(self) -> Option<CpuSpec> {
        use CpuMode::*;
        let (kernel, modes) = match self {
            Experiment::Purchases => (
                Kernel::Burn { ms: vec![1000; 10] },
                vec![OneWorker, Dynamic],
            ),
            Experiment::Invoke => (
                Kernel::Burn {
                    ms: vec![1000, 500, 2000],
                },
                vec![OneWorker, Dynamic],
            ),
            Experiment::Primes => (
                Kernel::Primes { limit: 5_000_000 },
                vec![OneWorker, MainThread, Static, Dynamic],
            ),
            Experiment::Mandelbrot => (
                Kernel::Mandelbrot {
                    spec: MandelbrotSpec {
                        width: 1600,
                        height: 1200,
                        max_iter: 1000,
                    },
                },
                vec![OneWorker, Static, Dynamic],
            ),
            Experiment::Pipeline => (
                Kernel::Burn { ms: vec![20; 100] },
                vec![OneWorker, Pipeline],
            ),
            _ => return None,
        };
        Some(CpuSpec {
            kernel,
            modes,
            workers: if self == Experiment::Invoke { 3 } else { 0 },
        })
    }

    /// True for the experiments that compute on workers rather than wait on the event loop.
    pub fn is_cpu(self) -> bool {
        self.cpu_spec().is_some()
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
        assert_eq!(w.tasks(), vec![TaskSpec::call(500); 3]);
        assert_eq!(w.len(), 3);
    }

    #[test]
    fn a_custom_workload_keeps_the_given_order() {
        let w = Workload::Custom(vec![2000, 3000, 1000]);
        let got: Vec<u32> = w.tasks().iter().map(TaskSpec::duration_ms).collect();
        assert_eq!(got, vec![2000, 3000, 1000], "order must be the order given");
    }

    #[test]
    fn a_stepped_task_lasts_the_sum_of_its_steps() {
        let s = Experiment::ThrottleSteps.scenario();
        let t = &s.async_work().unwrap().workload.tasks()[0];
        assert_eq!(t.duration_ms(), 150);
        assert_eq!(t.steps[0].label, "fetch");
    }

    #[test]
    fn a_cpu_experiment_runs_cpu_work_and_every_other_one_strategies_on_the_event_loop() {
        for e in Experiment::ALL {
            let s = e.scenario();
            match &s.work {
                Work::Cpu(cpu) => {
                    assert!(e.is_cpu(), "{e:?}");
                    assert!(!cpu.modes.is_empty(), "{e:?} has ways to run");
                    assert_eq!(s.async_work(), None);
                }
                Work::Program(_) => panic!("{e:?}: a preset is never a program"),
                Work::Async(w) => {
                    assert!(!e.is_cpu(), "{e:?}");
                    assert!(!w.strategies.is_empty(), "{e:?} has strategies");
                    assert!(!w.workload.is_empty(), "{e:?} has tasks");
                    assert_eq!(s.cpu(), None);
                }
            }
        }
    }

    #[test]
    fn experiment_ids_round_trip() {
        for e in Experiment::ALL {
            assert_eq!(Experiment::from_id(e.id()), Some(e), "{e:?}");
            assert_eq!(e.scenario().experiment, e);
        }
        assert_eq!(Experiment::from_id("nope"), None);
    }

    #[test]
    fn strategy_ids_round_trip_and_reject_nonsense() {
        for e in Experiment::ALL {
            let strategies = e.scenario().async_work().map(|w| w.strategies.clone());
            for s in strategies.unwrap_or_default() {
                assert_eq!(Strategy::from_id(&s.id()), Some(s), "{s:?}");
                assert_eq!(s.spellings().len(), 4);
            }
        }
        assert_eq!(Strategy::from_id("throttled-0"), None);
        assert_eq!(Strategy::from_id("throttled-x"), None);
        assert_eq!(Strategy::from_id("throttled-99999999"), None);
        assert_eq!(Strategy::from_id(""), None);
    }

    #[test]
    fn the_default_scenario_is_ten_calls_of_500_ms_compared_both_ways() {
        let s = Scenario::default().async_work().unwrap().clone();
        assert_eq!(
            s.workload,
            Workload::Uniform {
                count: 10,
                duration_ms: 500
            }
        );
        assert_eq!(
            s.strategies,
            vec![
                Strategy::Sequential,
                Strategy::AllAtOnce { fail_fast: false }
            ]
        );
    }

    #[test]
    fn exponential_backoff_doubles_and_saturates() {
        let r = Retry {
            attempts: 5,
            delay_ms: 100,
            backoff: Backoff::Exponential,
        };
        let delays: Vec<u32> = (0..5).map(|a| r.delay_before(a)).collect();
        assert_eq!(delays, vec![0, 100, 200, 400, 800]);
        assert_eq!(r.delay_before(40), u32::MAX, "no overflow panic");
        let f = Retry {
            backoff: Backoff::Fixed,
            ..r
        };
        assert_eq!(f.delay_before(3), 100);
    }
}
