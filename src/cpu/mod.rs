//! The CPU half's model: a kernel, the ways to run it (main thread, one worker, N workers with
//! static ranges or a shared queue of chunks), the pieces each way hands out, and the ideal
//! times once the one-thread time is known.

pub mod kernels;
pub mod partition;
pub mod protocol;

use serde::{Deserialize, Serialize};

use crate::cpu::kernels::{Job, MandelbrotSpec};
use crate::cpu::partition::{
    chunk_len, chunks, default_chunk_count, ideal_parallel_ms, row_chunks, static_ranges,
    static_row_ranges,
};

/// Most Web Workers the page runs at once (each is a thread with its own wasm instance).
pub const MAX_WORKERS: u32 = 32;
/// Longest a main-thread run may freeze the page before it is stopped, ms.
pub const MAIN_THREAD_CAP_MS: f64 = 3000.0;
/// Scenario J's pipeline: the fetch wait (I/O), ms.
pub const PIPELINE_FETCH_MS: u32 = 300;
/// Scenario J's pipeline: the save wait (I/O), ms.
pub const PIPELINE_SAVE_MS: u32 = 200;
/// Scenario J's pipeline: the pause between cycles (the article's 5 s, shortened), ms.
pub const PIPELINE_WAIT_MS: u32 = 1000;
/// Scenario J's pipeline: how many cycles one run shows.
pub const PIPELINE_CYCLES: usize = 2;

/// How often a CPU way's card is redrawn while `workers` workers compute on a machine that
/// reports `cores` cores, ms: four times a second while a core is left for the page, twice
/// when the workers take them all.
///
/// Each redraw rewrites the running card (timeline included, about 11 ms of the page's thread,
/// more on a first run, whose code has barely run yet). With a core to spare that costs the
/// workers nothing; with none, it is taken from a worker. Measured on 2 cores, primes on the
/// shared queue in fresh pages: at ten redraws a second the page took 13% of a core and reached
/// 1.74x of one worker. First runs (median of 6 fresh pages, each set interleaved with the
/// last) took 460 ms at four redraws a second and 442 ms at one; at two, 442 ms against 462,
/// about 1.81x of one worker against 1.72x. Twice a second still shows the bars growing.
///
/// The interval counts from the last redraw, and the page also draws each way just before its
/// clock starts (the last way's result, this way's start-up), painted by then: a way shorter
/// than the interval is drawn only at its end. A redraw takes about 20 ms of the page's thread
/// with its style, layout and paint; on 2 cores, primes' shared queue over one worker went from
/// 1.81x to 1.86x on first runs and from 1.87x to 1.94x after them (medians of 8 fresh pages,
/// both builds interleaved in one browser, nothing sampling the page).
pub fn redraw_every_ms(workers: usize, cores: u32) -> f64 {
    if workers as u64 >= u64::from(cores.max(1)) {
        500.0
    } else {
        250.0
    }
}

/// Pieces a main-thread run is cut into, so the cap can be checked between them.
const MAIN_THREAD_PIECES: usize = 64;

/// The CPU work.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kernel {
    /// Count primes below `limit` by trial division (scenario D).
    Primes { limit: u64 },
    /// Render a Mandelbrot image, row by row.
    Mandelbrot { spec: MandelbrotSpec },
    /// Busy items that each burn the CPU for so many ms (scenario C: purchases that block their
    /// thread; Parallel.Invoke of actions of different lengths).
    Burn { ms: Vec<u32> },
}

impl Kernel {
    /// What it computes, for people.
    pub fn describe(&self) -> String {
        match self {
            Kernel::Primes { limit } => format!(
                "count the primes below {}",
                crate::units::fmt_ms(*limit as f64)
            ),
            Kernel::Mandelbrot { spec } => format!(
                "render a {} × {} Mandelbrot image at {} iterations",
                spec.width, spec.height, spec.max_iter
            ),
            Kernel::Burn { ms } => format!(
                "run {} blocking {} ({} ms)",
                ms.len(),
                if ms.len() == 1 { "item" } else { "items" },
                crate::units::format_repeats(ms)
            ),
        }
    }

    /// True when the output is an answer every way must agree on (a count, a checksum), not a
    /// measure of effort (how many loop steps a burn did).
    pub fn has_answer(&self) -> bool {
        !matches!(self, Kernel::Burn { .. })
    }
}

/// A way to run the kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CpuMode {
    /// On the page's own thread: the page freezes (capped at [`MAIN_THREAD_CAP_MS`]).
    MainThread,
    /// On one worker (`Task.Run`): the page stays responsive, no faster.
    OneWorker,
    /// Equal static ranges, one per worker (`Parallel.For` with a static partitioner).
    Static,
    /// A shared queue of small chunks; whoever is free takes the next (the default
    /// partitioner, work stealing).
    Dynamic,
    /// Scenario J: fetch (async wait), process in parallel (the shared queue), save (async
    /// wait), pause, repeat: async for the waits, parallel for the computing.
    Pipeline,
}

impl CpuMode {
    /// Every way, in the order the presets list them.
    pub const ALL: [CpuMode; 5] = [
        CpuMode::MainThread,
        CpuMode::OneWorker,
        CpuMode::Static,
        CpuMode::Dynamic,
        CpuMode::Pipeline,
    ];

    /// Stable identifier.
    pub fn id(self) -> &'static str {
        match self {
            CpuMode::MainThread => "main-thread",
            CpuMode::OneWorker => "one-worker",
            CpuMode::Static => "static",
            CpuMode::Dynamic => "dynamic",
            CpuMode::Pipeline => "pipeline",
        }
    }

    /// Human title for `workers` workers.
    pub fn title(self, workers: u32) -> String {
        match self {
            CpuMode::MainThread => "Main thread (the page freezes)".into(),
            CpuMode::OneWorker => "One worker (Task.Run)".into(),
            CpuMode::Static => format!("{workers} workers, equal static ranges (Parallel.For)"),
            CpuMode::Dynamic => format!("{workers} workers, shared queue of chunks (partitioner)"),
            CpuMode::Pipeline => {
                format!("Pipeline: fetch, process on {workers} workers, save, pause, repeat")
            }
        }
    }

    /// The same idea in the readers' languages.
    pub fn spellings(self) -> Vec<(&'static str, &'static str)> {
        match self {
            CpuMode::MainThread => vec![
                ("C#", "Compute(); // on the UI thread"),
                ("JavaScript", "compute(); // in the page"),
                ("Python", "compute()  # holds the GIL and the loop"),
                ("Rust", "compute(); // inside the async fn"),
            ],
            CpuMode::OneWorker => vec![
                ("C#", "await Task.Run(Compute);"),
                ("JavaScript", "await runInWorker(compute);"),
                ("Python", "await loop.run_in_executor(pool, compute)"),
                ("Rust", "spawn_blocking(compute).await"),
            ],
            CpuMode::Static => vec![
                ("C#", "Parallel.For(0, n, i => Compute(range[i]));"),
                (
                    "JavaScript",
                    "await Promise.all(ranges.map(r => runInWorker(r)));",
                ),
                ("Python", "ProcessPoolExecutor().map(compute, ranges)"),
                (
                    "Rust",
                    "ranges.par_iter().map(compute) // rayon, static chunks",
                ),
            ],
            CpuMode::Pipeline => vec![
                ("C#", "var o = await FetchAsync(); Parallel.ForEach(o, Process); await SaveAsync(); await Task.Delay(5000);"),
                ("JavaScript", "const o = await fetch(); await processInWorkers(o); await save();"),
                ("Python", "o = await fetch(); await loop.run_in_executor(pool, process, o); await save()"),
                ("Rust", "let o = fetch().await; spawn_blocking(|| o.par_iter().for_each(process)).await; save().await;"),
            ],
            CpuMode::Dynamic => vec![
                ("C#", "Parallel.ForEach(Partitioner.Create(0, n), Compute);"),
                ("JavaScript", "workers pull chunks from a shared queue"),
                ("Python", "pool.imap_unordered(compute, chunks)"),
                (
                    "Rust",
                    "(0..n).into_par_iter().map(compute) // rayon, work stealing",
                ),
            ],
        }
    }
}

/// A CPU experiment: the kernel, the ways to compare, and how many workers the parallel ways use.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CpuSpec {
    pub kernel: Kernel,
    pub modes: Vec<CpuMode>,
    /// Workers of the parallel modes, 1 to [`MAX_WORKERS`]; 0 means as many as the browser
    /// reports cores ([`CpuSpec::workers_for`]).
    pub workers: u32,
}

impl CpuSpec {
    /// The worker count to use on a browser reporting `cores` cores.
    pub fn workers_for(&self, cores: u32) -> u32 {
        let w = if self.workers == 0 {
            cores
        } else {
            self.workers
        };
        w.clamp(1, MAX_WORKERS)
    }

    /// This spec with the worker count resolved for `cores`.
    pub fn resolved(&self, cores: u32) -> CpuSpec {
        CpuSpec {
            workers: self.workers_for(cores),
            ..self.clone()
        }
    }
}

/// One piece of work handed to a lane.
#[derive(Clone, Debug, PartialEq)]
pub struct Piece {
    pub job: Job,
    /// Relative cost (comparable between pieces of one kernel).
    pub cost: f64,
}

/// How a mode hands out its pieces.
#[derive(Clone, Debug, PartialEq)]
pub enum Assignment {
    /// Lane `i` runs exactly `lanes[i]` (piece indices), in order.
    Fixed(Vec<Vec<usize>>),
    /// Every lane takes the next piece from one queue when it is free.
    Queue { lanes: usize },
}

impl Assignment {
    /// Number of lanes (workers, or the one main thread).
    pub fn lanes(&self) -> usize {
        match self {
            Assignment::Fixed(l) => l.len(),
            Assignment::Queue { lanes } => *lanes,
        }
    }
}

/// The pieces of one mode and who runs them.
#[derive(Clone, Debug, PartialEq)]
pub struct CpuPlan {
    pub mode: CpuMode,
    pub pieces: Vec<Piece>,
    pub assignment: Assignment,
}

fn piece(job: Job) -> Piece {
    Piece {
        cost: job.cost_hint(),
        job,
    }
}

/// Cuts `kernel` into pieces for `parts` parts (static) or the default chunk count (queue).
fn cut(kernel: &Kernel, parts: usize, queue: bool) -> Vec<Piece> {
    match kernel {
        Kernel::Primes { limit } => {
            let range = 0..*limit;
            let ranges = if queue {
                // Highest numbers first: they cost the most, so the queue ends on its cheapest
                // chunks and the last worker to finish waits for a small one (longest first).
                let len = chunk_len(*limit, parts);
                chunks(range.clone(), len).into_iter().rev().collect()
            } else {
                static_ranges(range, parts)
            };
            ranges
                .into_iter()
                .map(|r| {
                    piece(Job::CountPrimes {
                        start: r.start,
                        end: r.end,
                    })
                })
                .collect()
        }
        Kernel::Mandelbrot { spec } => {
            let rows = 0..spec.height;
            let ranges = if queue {
                row_chunks(rows, chunk_len(spec.height as u64, parts) as u32)
            } else {
                static_row_ranges(rows, parts)
            };
            ranges
                .into_iter()
                .map(|r| {
                    piece(Job::Mandelbrot {
                        spec: *spec,
                        rows_start: r.start,
                        rows_end: r.end,
                    })
                })
                .collect()
        }
        Kernel::Burn { ms } => ms
            .iter()
            .map(|&ms| piece(Job::Spin { ms: ms as f64 }))
            .collect(),
    }
}

impl CpuPlan {
    /// The plan of `mode` over `spec`.
    pub fn new(spec: &CpuSpec, mode: CpuMode) -> CpuPlan {
        let workers = spec.workers.clamp(1, MAX_WORKERS) as usize;
        let (pieces, assignment) = match mode {
            CpuMode::MainThread => {
                let p = cut(&spec.kernel, MAIN_THREAD_PIECES, false);
                let all = (0..p.len()).collect();
                (p, Assignment::Fixed(vec![all]))
            }
            CpuMode::OneWorker => {
                // Ranges go in one message; separate items stay separate (one after another).
                let p = cut(&spec.kernel, 1, false);
                let all = (0..p.len()).collect();
                (p, Assignment::Fixed(vec![all]))
            }
            CpuMode::Static => {
                let p = cut(&spec.kernel, workers, false);
                // Contiguous blocks of pieces per worker: ranges are one piece each; items
                // are dealt in equal consecutive runs, like a static partitioner.
                let idx: Vec<usize> = (0..p.len()).collect();
                let lanes = static_ranges(0..idx.len() as u64, workers)
                    .into_iter()
                    .map(|r| (r.start as usize..r.end as usize).collect())
                    .collect();
                (p, Assignment::Fixed(lanes))
            }
            CpuMode::Dynamic | CpuMode::Pipeline => {
                let p = cut(&spec.kernel, default_chunk_count(workers), true);
                (p, Assignment::Queue { lanes: workers })
            }
        };
        CpuPlan {
            mode,
            pieces,
            assignment,
        }
    }

    /// How many bars the run records: its pieces, and for the pipeline a fetch and a save
    /// around them in every cycle.
    pub fn task_count(&self) -> usize {
        match self.mode {
            CpuMode::Pipeline => PIPELINE_CYCLES * (self.pieces.len() + 2),
            _ => self.pieces.len(),
        }
    }

    /// Total modelled cost.
    pub fn total_cost(&self) -> f64 {
        self.pieces.iter().map(|p| p.cost).sum()
    }

    /// The ideal time, given `one_thread_ms` for the whole job on one thread and the number of
    /// cores: each lane's modelled share of the work, no faster than the cores allow.
    pub fn ideal_ms(&self, one_thread_ms: f64, cores: usize) -> f64 {
        let total = self.total_cost();
        if total <= 0.0 || !one_thread_ms.is_finite() {
            return one_thread_ms;
        }
        let ms_of = |cost: f64| cost / total * one_thread_ms;
        let lanes = self.assignment.lanes();
        let longest_lane = match &self.assignment {
            Assignment::Fixed(l) => l
                .iter()
                .map(|ids| ids.iter().map(|&i| ms_of(self.pieces[i].cost)).sum::<f64>())
                .fold(0.0, f64::max),
            Assignment::Queue { lanes } => {
                // Greedy: each piece goes to the lane that frees first.
                let mut free = vec![0.0f64; (*lanes).max(1)];
                for p in &self.pieces {
                    let i = (0..free.len())
                        .min_by(|&a, &b| free[a].total_cmp(&free[b]))
                        .unwrap_or(0);
                    free[i] += ms_of(p.cost);
                }
                free.into_iter().fold(0.0, f64::max)
            }
        };
        let compute = longest_lane.max(ideal_parallel_ms(one_thread_ms, lanes, cores));
        if self.mode == CpuMode::Pipeline {
            let cycles = PIPELINE_CYCLES as f64;
            cycles * (compute + (PIPELINE_FETCH_MS + PIPELINE_SAVE_MS) as f64)
                + (cycles - 1.0) * PIPELINE_WAIT_MS as f64
        } else {
            compute
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(kernel: Kernel, workers: u32) -> CpuSpec {
        CpuSpec {
            kernel,
            modes: vec![],
            workers,
        }
    }

    fn covered(plan: &CpuPlan) -> Vec<usize> {
        let mut all: Vec<usize> = match &plan.assignment {
            Assignment::Fixed(l) => l.iter().flatten().copied().collect(),
            Assignment::Queue { .. } => (0..plan.pieces.len()).collect(),
        };
        all.sort();
        all
    }

    #[test]
    fn cards_are_redrawn_less_often_when_the_workers_take_every_core() {
        assert_eq!(
            redraw_every_ms(1, 2),
            250.0,
            "one worker leaves a core for the page"
        );
        assert_eq!(redraw_every_ms(2, 2), 500.0, "two workers on two cores");
        assert_eq!(redraw_every_ms(8, 4), 500.0, "more workers than cores");
        assert_eq!(redraw_every_ms(2, 8), 250.0);
        assert_eq!(
            redraw_every_ms(0, 0),
            250.0,
            "a machine that reports no cores counts as one"
        );
    }

    #[test]
    fn every_mode_hands_out_every_piece_exactly_once() {
        for kernel in [
            Kernel::Primes { limit: 100_000 },
            Kernel::Mandelbrot {
                spec: MandelbrotSpec::default(),
            },
            Kernel::Burn {
                ms: vec![1000, 500, 2000],
            },
        ] {
            for w in [1, 2, 3, 8] {
                for mode in [
                    CpuMode::MainThread,
                    CpuMode::OneWorker,
                    CpuMode::Static,
                    CpuMode::Dynamic,
                ] {
                    let p = CpuPlan::new(&spec(kernel.clone(), w), mode);
                    assert_eq!(
                        covered(&p),
                        (0..p.pieces.len()).collect::<Vec<_>>(),
                        "{kernel:?} {mode:?} {w}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_pieces_count_the_same_primes_as_the_whole() {
        let s = spec(Kernel::Primes { limit: 100_000 }, 3);
        for mode in [CpuMode::MainThread, CpuMode::Static, CpuMode::Dynamic] {
            let total: u64 = CpuPlan::new(&s, mode)
                .pieces
                .iter()
                .map(|p| {
                    crate::cpu::kernels::run_job(&p.job, &mut || 0.0)
                        .unwrap()
                        .value
                })
                .sum();
            assert_eq!(total, 9_592, "{mode:?}");
        }
    }

    #[test]
    fn static_halves_are_unbalanced_and_the_queue_balances_them() {
        let s = spec(Kernel::Primes { limit: 5_000_000 }, 2);
        let st = CpuPlan::new(&s, CpuMode::Static).ideal_ms(1000.0, 2);
        let dy = CpuPlan::new(&s, CpuMode::Dynamic).ideal_ms(1000.0, 2);
        assert!(st > 600.0, "the upper half costs more: {st}");
        assert!(dy < 540.0, "chunks even it out: {dy}");
        assert!(dy >= 500.0, "never better than half on 2 cores: {dy}");
    }

    #[test]
    fn the_queue_hands_out_the_costliest_prime_chunks_first() {
        let s = spec(Kernel::Primes { limit: 5_000_000 }, 2);
        let plan = CpuPlan::new(&s, CpuMode::Dynamic);
        let costs: Vec<f64> = plan.pieces.iter().map(|p| p.cost).collect();
        assert!(
            costs.windows(2).all(|w| w[0] >= w[1]),
            "highest numbers first, so the queue ends on its cheapest chunk: {costs:?}"
        );
        // The last chunk to go out is the smallest, so the worker that finishes last waits
        // for little: in the model the queue is within 1% of perfect halves.
        let ideal = plan.ideal_ms(1000.0, 2);
        assert!(ideal < 505.0, "{ideal}");
    }

    #[test]
    fn more_workers_than_cores_do_not_help() {
        let s = spec(Kernel::Primes { limit: 1_000_000 }, 8);
        let ideal = CpuPlan::new(&s, CpuMode::Dynamic).ideal_ms(800.0, 2);
        assert!(ideal >= 400.0, "two cores at best halve it: {ideal}");
    }

    #[test]
    fn parallel_invoke_takes_the_longest_action() {
        let s = spec(
            Kernel::Burn {
                ms: vec![1000, 500, 2000],
            },
            3,
        );
        let p = CpuPlan::new(&s, CpuMode::Dynamic);
        assert_eq!(p.ideal_ms(3500.0, 8), 2000.0);
        assert_eq!(
            CpuPlan::new(&s, CpuMode::OneWorker).ideal_ms(3500.0, 8),
            3500.0
        );
    }

    #[test]
    fn ten_purchases_on_two_cores_take_five_rounds() {
        let s = spec(Kernel::Burn { ms: vec![1000; 10] }, 2);
        assert_eq!(
            CpuPlan::new(&s, CpuMode::Dynamic).ideal_ms(10_000.0, 2),
            5000.0
        );
    }

    #[test]
    fn the_main_thread_is_cut_so_its_cap_can_be_checked() {
        let p = CpuPlan::new(
            &spec(Kernel::Primes { limit: 5_000_000 }, 2),
            CpuMode::MainThread,
        );
        assert_eq!(p.pieces.len(), 64);
        assert_eq!(p.assignment.lanes(), 1);
    }

    #[test]
    fn the_pipeline_adds_its_waits_to_the_parallel_compute() {
        let s = spec(Kernel::Burn { ms: vec![20; 100] }, 2);
        let p = CpuPlan::new(&s, CpuMode::Pipeline);
        // 2 cycles × (300 + 2000 / 2 + 200) + 1 pause of 1000.
        assert_eq!(
            p.ideal_ms(2000.0, 2),
            2.0 * (300.0 + 1000.0 + 200.0) + 1000.0
        );
    }

    #[test]
    fn kernels_describe_themselves() {
        assert_eq!(
            Kernel::Primes { limit: 5_000_000 }.describe(),
            "count the primes below 5,000,000"
        );
        assert_eq!(
            Kernel::Burn {
                ms: vec![1000, 500]
            }
            .describe(),
            "run 2 blocking items (1000, 500 ms)"
        );
    }
}
