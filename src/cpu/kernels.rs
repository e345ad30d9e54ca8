//! CPU kernels: the honest work that the page runs on the main thread, on one Web Worker and on
//! N workers.
//!
//! The same functions run everywhere (native tests, the page, every worker), so a result computed
//! on one worker can be checked against one computed on the main thread. Nothing here touches the
//! web: the one thing that differs between platforms, the clock, is passed in by the caller.
//!
//! A worker receives a [`Job`] (a message of [`crate::cpu::protocol`]), runs it with [`run_job`] and answers with a [`JobOutput`].
//! Jobs beyond the documented limits are refused by [`run_job`]; [`clamp_job`] brings them within
//! the limits first and says what it changed.

use serde::{Deserialize, Serialize};
use std::ops::Range;

use crate::cpu::partition::prime_range_cost;

/// Highest prime limit (exclusive end of a prime range) a job may ask for.
///
/// Counting the primes below 50,000,000 (3,001,134 of them) by trial division takes about 16 s on
/// one core natively, somewhat more in the browser: long enough to show the point, short enough
/// that nobody closes the tab.
pub const MAX_PRIME_LIMIT: u64 = 50_000_000;
/// Longest CPU burn ([`Job::Spin`]) in milliseconds: a frozen page for longer than 10 s looks
/// like a crash rather than a demonstration.
pub const MAX_SPIN_MS: f64 = 10_000.0;
/// Widest Mandelbrot image, in pixels.
pub const MAX_MANDELBROT_WIDTH: u32 = 4_000;
/// Tallest Mandelbrot image, in pixels (rows are the unit of work).
pub const MAX_MANDELBROT_HEIGHT: u32 = 4_000;
/// Most iterations per Mandelbrot pixel.
pub const MAX_MANDELBROT_ITER: u32 = 10_000;

/// The view of the complex plane every Mandelbrot job renders: the classic full set,
/// real part in [`MANDELBROT_RE`], imaginary part in [`MANDELBROT_IM`].
pub const MANDELBROT_RE: Range<f64> = -2.5..1.0;
/// Imaginary extent of the Mandelbrot view; see [`MANDELBROT_RE`].
pub const MANDELBROT_IM: Range<f64> = -1.0..1.0;

/// True when `n` is prime, decided by trial division (the scenario's `IsPrime`).
///
/// Deliberately naive: after 2, it tries every odd divisor up to √n. The point is honest,
/// predictable CPU work whose cost grows with n (about √n / 2 divisions for a prime), which is
/// what makes a static split of a range uneven. A sieve would be faster and would hide that.
pub fn is_prime(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    if n < 4 {
        return true;
    }
    if n.is_multiple_of(2) {
        return false;
    }
    // The integer square root once, rather than `d * d <= n` each step, cannot overflow near
    // u64::MAX and keeps one division per step on wasm, where `/` and `%` are separate ops.
    let limit = n.isqrt();
    let mut d = 3;
    while d <= limit {
        if n.is_multiple_of(d) {
            return false;
        }
        d += 2;
    }
    true
}

/// How many primes lie in `[range.start, range.end)`. A reversed range counts as empty.
///
/// Counts over adjacent ranges add up to the count over their union, which is what lets the work
/// be split between workers and the answers summed.
pub fn count_primes(range: Range<u64>) -> u64 {
    range.filter(|&n| is_prime(n)).count() as u64
}

/// The size and detail of a Mandelbrot render over the classic view ([`MANDELBROT_RE`] ×
/// [`MANDELBROT_IM`], stretched to fill the image).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MandelbrotSpec {
    /// Pixels per row.
    pub width: u32,
    /// Rows; the unit of work handed to workers.
    pub height: u32,
    /// Iterations after which a point counts as inside the set.
    pub max_iter: u32,
}

impl Default for MandelbrotSpec {
    /// 800 × 600 pixels, 500 iterations: 54,297,581 iterations in all, about 130 ms on one core
    /// natively (release build), so a run is quick enough to repeat while experimenting.
    fn default() -> Self {
        MandelbrotSpec {
            width: 800,
            height: 600,
            max_iter: 500,
        }
    }
}

/// Escape-time iterations of the point `c = cx + i·cy`, from 0 (escapes at once) to `max_iter`
/// (never escaped: inside the set as far as we can tell).
pub fn mandelbrot_point(cx: f64, cy: f64, max_iter: u32) -> u32 {
    let (mut zr, mut zi) = (0.0_f64, 0.0_f64);
    let mut i = 0;
    while i < max_iter {
        let (zr2, zi2) = (zr * zr, zi * zi);
        if zr2 + zi2 > 4.0 {
            break;
        }
        zi = 2.0 * zr * zi + cy;
        zr = zr2 - zi2 + cx;
        i += 1;
    }
    i
}

/// Renders `rows` of the image described by `spec` and returns the total iteration count.
///
/// The total is a checksum: every pixel is computed from its own coordinates only, so the sum is
/// identical however the rows are split between workers (and, as IEEE f64 arithmetic without
/// fused multiply-add is deterministic, identical natively and in wasm). Rows at or beyond
/// `spec.height` do not exist and add nothing.
pub fn mandelbrot_rows(spec: &MandelbrotSpec, rows: Range<u32>) -> u64 {
    let rows = rows.start.min(spec.height)..rows.end.min(spec.height);
    let (w, h) = (f64::from(spec.width), f64::from(spec.height));
    let re_step = (MANDELBROT_RE.end - MANDELBROT_RE.start) / w;
    let im_step = (MANDELBROT_IM.end - MANDELBROT_IM.start) / h;
    let mut total = 0_u64;
    for y in rows {
        // Pixel centres, so the image is the same whichever way up it is split.
        let cy = MANDELBROT_IM.start + (f64::from(y) + 0.5) * im_step;
        for x in 0..spec.width {
            let cx = MANDELBROT_RE.start + (f64::from(x) + 0.5) * re_step;
            total += u64::from(mandelbrot_point(cx, cy, spec.max_iter));
        }
    }
    total
}

/// Arithmetic steps [`spin_for`] does between two looks at the clock: about a microsecond of
/// work, so reading the clock (a call out to JavaScript in the browser) costs little, and the
/// burn still stops within a microsecond or so of its deadline.
const SPIN_BATCH: u64 = 1_000;

/// Burns CPU for `ms` milliseconds (the "blocking purchase") and returns the arithmetic steps it
/// managed, so that faster machines visibly do more in the same time.
///
/// The clock is passed in because `performance.now()` exists only in the browser; tests pass a
/// fake one. The loop does real integer arithmetic whose result is kept alive with
/// [`std::hint::black_box`], so the optimiser cannot turn the burn into an idle wait.
/// `ms` is capped at [`MAX_SPIN_MS`] even if the job was not clamped: a burn that never ends
/// would freeze the tab for good. Zero, negative or NaN `ms` returns 0 at once.
pub fn spin_for(ms: f64, now: &mut dyn FnMut() -> f64) -> u64 {
    // Not `ms.min(..)` alone: `f64::min` ignores NaN and would turn it into the longest burn.
    let ms = if ms.is_nan() {
        0.0
    } else {
        ms.min(MAX_SPIN_MS)
    };
    let start = now();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut steps = 0_u64;
    // `<` rather than a negated `>=`, so a clock that answers NaN stops the loop.
    while now() - start < ms {
        for _ in 0..SPIN_BATCH {
            // A 64-bit linear congruential step (Knuth's MMIX constants): cheap, never constant.
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
        }
        x = std::hint::black_box(x);
        steps += SPIN_BATCH;
    }
    steps
}

/// A unit of CPU work sent to a worker inside a [`crate::cpu::protocol::ToWorker::Run`] message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Job {
    /// Count the primes in `[start, end)`.
    CountPrimes {
        /// First number tested.
        start: u64,
        /// One past the last number tested (the "prime limit").
        end: u64,
    },
    /// Render rows `[rows_start, rows_end)` of a Mandelbrot image; the output is the iteration
    /// checksum of those rows.
    Mandelbrot {
        /// The whole image the rows belong to.
        spec: MandelbrotSpec,
        /// First row rendered.
        rows_start: u32,
        /// One past the last row rendered.
        rows_end: u32,
    },
    /// Burn CPU for `ms` milliseconds (the blocking purchase); the output is the steps done.
    Spin {
        /// How long to burn, in milliseconds.
        ms: f64,
    },
    /// Panic with `message`: exists so tests can check that a crashing worker is reported.
    Panic {
        /// The panic message.
        message: String,
    },
    /// Block the worker for `ms` milliseconds in a busy loop without a word of progress: exists
    /// so tests can check that a worker which stops answering is stopped (fault injection).
    /// Never cut into parts; at most [`MAX_SPIN_MS`].
    Stall {
        /// How long to stay silent, in milliseconds.
        ms: f64,
    },
}

/// Splits a long job into up to `parts` consecutive parts whose outputs add up to the whole
/// job's (so a worker can report progress between them). Jobs that cannot be split stay whole.
pub fn split_job(job: &Job, parts: u32) -> Vec<Job> {
    match job {
        Job::CountPrimes { start, end } if end > start => {
            crate::cpu::partition::static_ranges(*start..*end, parts.max(1) as usize)
                .into_iter()
                .map(|r| Job::CountPrimes {
                    start: r.start,
                    end: r.end,
                })
                .collect()
        }
        Job::Mandelbrot {
            spec,
            rows_start,
            rows_end,
        } if rows_end > rows_start => {
            crate::cpu::partition::static_row_ranges(*rows_start..*rows_end, parts.max(1) as usize)
                .into_iter()
                .map(|r| Job::Mandelbrot {
                    spec: *spec,
                    rows_start: r.start,
                    rows_end: r.end,
                })
                .collect()
        }
        other => vec![other.clone()],
    }
}

impl Job {
    /// A rough relative cost, to explain why equal-sized pieces can take unequal times.
    ///
    /// Comparable only between jobs of the same kind: primes in trial divisions
    /// ([`prime_range_cost`]: ∝ √n / ln n per number, so the upper half of a range costs more
    /// than the lower), Mandelbrot as pixels × `max_iter` (an upper bound that ignores where the
    /// set lies), spin in milliseconds, and 0 for the injected faults (panic, stall).
    pub fn cost_hint(&self) -> f64 {
        match self {
            Job::CountPrimes { start, end } => prime_range_cost(*start..*end),
            Job::Mandelbrot {
                spec,
                rows_start,
                rows_end,
            } => {
                let rows = (*rows_end).min(spec.height).saturating_sub(*rows_start);
                f64::from(rows) * f64::from(spec.width) * f64::from(spec.max_iter)
            }
            Job::Spin { ms } if ms.is_finite() => ms.max(0.0),
            Job::Spin { .. } => 0.0,
            Job::Panic { .. } | Job::Stall { .. } => 0.0,
        }
    }
}

/// What a worker answers for a [`Job`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobOutput {
    /// Primes counted, Mandelbrot iteration checksum, or arithmetic steps burnt.
    pub value: u64,
}

/// Runs `job`, reading the clock with `now` (milliseconds) where the job needs one.
///
/// Returns an error, without doing any work, for a job outside the documented limits or with a
/// reversed range: a worker must never freeze on a request it should not have received. Use
/// [`clamp_job`] first to turn typed input into an acceptable job.
///
/// # Panics
///
/// On [`Job::Panic`], by design, with the job's message.
pub fn run_job(job: &Job, now: &mut dyn FnMut() -> f64) -> Result<JobOutput, String> {
    check_job(job)?;
    let value = match job {
        Job::CountPrimes { start, end } => count_primes(*start..*end),
        Job::Mandelbrot {
            spec,
            rows_start,
            rows_end,
        } => mandelbrot_rows(spec, *rows_start..*rows_end),
        Job::Spin { ms } | Job::Stall { ms } => spin_for(*ms, now),
        Job::Panic { message } => panic!("{message}"),
    };
    Ok(JobOutput { value })
}

/// Refuses a job outside the documented limits or with a reversed range, saying why.
fn check_job(job: &Job) -> Result<(), String> {
    match job {
        Job::CountPrimes { start, end } => {
            if *end > MAX_PRIME_LIMIT {
                return Err(format!(
                    "The prime limit {} is above the maximum of {}.",
                    thousands(*end),
                    thousands(MAX_PRIME_LIMIT)
                ));
            }
            if start > end {
                return Err(format!(
                    "The prime range starts at {} after it ends at {}.",
                    thousands(*start),
                    thousands(*end)
                ));
            }
            Ok(())
        }
        Job::Mandelbrot {
            spec,
            rows_start,
            rows_end,
        } => {
            check_spec(spec)?;
            if rows_start > rows_end || *rows_end > spec.height {
                return Err(format!(
                    "Rows {rows_start}..{rows_end} are not within the image's {} rows.",
                    spec.height
                ));
            }
            Ok(())
        }
        Job::Spin { ms } | Job::Stall { ms } => check_burn(*ms),
        Job::Panic { .. } => Ok(()),
    }
}

fn check_burn(ms: f64) -> Result<(), String> {
    if ms.is_finite() && (0.0..=MAX_SPIN_MS).contains(&ms) {
        Ok(())
    } else {
        Err(format!(
            "A CPU burn of {ms} ms is outside 0 to {} ms.",
            thousands(MAX_SPIN_MS as u64)
        ))
    }
}

/// Shortest slice a burn ([`Job::Spin`]) is cut into by [`run_job_in_parts`], ms: slices much
/// shorter than the clock's resolution in a browser (0.1 ms) would only add rounding.
pub const SPIN_SLICE_MS: f64 = 50.0;

/// Runs `job` like [`run_job`], in up to `parts` consecutive parts, calling
/// `progress(done, total)` after every part but the last, so a worker can tell the page how far
/// it has got (and that it is alive). The output is the sum of the parts', the same as
/// [`run_job`]'s for counts and checksums.
///
/// Ranges are cut with [`split_job`]. A burn is cut into slices of at least [`SPIN_SLICE_MS`]
/// that all end on deadlines measured from one start, so slicing adds no time to it. A
/// [`Job::Stall`] is never cut: it exists to be silent. An error stops at the failing part.
pub fn run_job_in_parts(
    job: &Job,
    parts: u32,
    now: &mut dyn FnMut() -> f64,
    progress: &mut dyn FnMut(u32, u32),
) -> Result<JobOutput, String> {
    // The whole job is checked first: a part of a refused job must not run either.
    check_job(job)?;
    if let Job::Spin { ms } = job {
        let total = ((*ms / SPIN_SLICE_MS).ceil() as u32).clamp(1, parts.max(1));
        let start = now();
        let mut steps = 0u64;
        for i in 1..=total {
            // Each slice burns until its share of the one deadline; a late slice shortens the
            // next rather than pushing the end out.
            let until = *ms * f64::from(i) / f64::from(total);
            steps += spin_for(until - (now() - start), now);
            if i < total {
                progress(i, total);
            }
        }
        return Ok(JobOutput { value: steps });
    }
    let pieces = split_job(job, parts);
    let total = pieces.len() as u32;
    let mut value = 0u64;
    for (i, part) in pieces.iter().enumerate() {
        value += run_job(part, now)?.value;
        let done = i as u32 + 1;
        if done < total {
            progress(done, total);
        }
    }
    Ok(JobOutput { value })
}

fn check_spec(spec: &MandelbrotSpec) -> Result<(), String> {
    if spec.width == 0 || spec.height == 0 || spec.max_iter == 0 {
        return Err("A Mandelbrot image needs a width, a height and iterations above 0.".into());
    }
    if spec.width > MAX_MANDELBROT_WIDTH
        || spec.height > MAX_MANDELBROT_HEIGHT
        || spec.max_iter > MAX_MANDELBROT_ITER
    {
        return Err(format!(
            "A Mandelbrot image of {} × {} with {} iterations is above the maximum of {} × {} \
             with {} iterations.",
            thousands(spec.width.into()),
            thousands(spec.height.into()),
            thousands(spec.max_iter.into()),
            thousands(MAX_MANDELBROT_WIDTH.into()),
            thousands(MAX_MANDELBROT_HEIGHT.into()),
            thousands(MAX_MANDELBROT_ITER.into()),
        ));
    }
    Ok(())
}

/// Brings `job` within the documented limits, returning the job to run and, when anything
/// changed, a note for people (`"Clamped the prime limit to 50,000,000."`).
///
/// Limits: prime end ≤ [`MAX_PRIME_LIMIT`]; spin 0 to [`MAX_SPIN_MS`] ms (NaN becomes 0);
/// Mandelbrot 1 to [`MAX_MANDELBROT_WIDTH`] × [`MAX_MANDELBROT_HEIGHT`] pixels and 1 to
/// [`MAX_MANDELBROT_ITER`] iterations, rows within the image. A reversed range becomes the empty
/// range at its end. The result is always accepted by [`run_job`].
pub fn clamp_job(job: Job) -> (Job, Option<String>) {
    let mut notes: Vec<String> = Vec::new();
    let job = match job {
        Job::CountPrimes { start, end } => {
            let mut end = end;
            if end > MAX_PRIME_LIMIT {
                end = MAX_PRIME_LIMIT;
                notes.push(format!(
                    "Clamped the prime limit to {}.",
                    thousands(MAX_PRIME_LIMIT)
                ));
            }
            let mut start = start;
            if start > end {
                start = end;
                notes.push("The prime range started after its end, so it is empty.".into());
            }
            Job::CountPrimes { start, end }
        }
        Job::Mandelbrot {
            spec,
            rows_start,
            rows_end,
        } => {
            let spec = MandelbrotSpec {
                width: clamp_u32(spec.width, MAX_MANDELBROT_WIDTH, "image width", &mut notes),
                height: clamp_u32(
                    spec.height,
                    MAX_MANDELBROT_HEIGHT,
                    "image height",
                    &mut notes,
                ),
                max_iter: clamp_u32(spec.max_iter, MAX_MANDELBROT_ITER, "iterations", &mut notes),
            };
            let mut rows_end = rows_end;
            if rows_end > spec.height {
                rows_end = spec.height;
                notes.push(format!(
                    "Clamped the last row to the image's {} rows.",
                    thousands(spec.height.into())
                ));
            }
            let mut rows_start = rows_start;
            if rows_start > rows_end {
                rows_start = rows_end;
                notes.push("The rows started after their end, so there are none.".into());
            }
            Job::Mandelbrot {
                spec,
                rows_start,
                rows_end,
            }
        }
        Job::Spin { ms } => {
            let clamped = if ms.is_nan() {
                0.0
            } else {
                ms.clamp(0.0, MAX_SPIN_MS)
            };
            if clamped != ms {
                notes.push(format!(
                    "Clamped the CPU burn to {} ms.",
                    thousands(clamped as u64)
                ));
            }
            Job::Spin { ms: clamped }
        }
        job @ Job::Panic { .. } => job,
        Job::Stall { ms } => Job::Stall {
            ms: if ms.is_nan() {
                0.0
            } else {
                ms.clamp(0.0, MAX_SPIN_MS)
            },
        },
    };
    let note = (!notes.is_empty()).then(|| notes.join(" "));
    (job, note)
}

fn clamp_u32(value: u32, max: u32, what: &str, notes: &mut Vec<String>) -> u32 {
    let clamped = value.clamp(1, max);
    if clamped != value {
        notes.push(format!(
            "Clamped the {what} to {}.",
            thousands(clamped.into())
        ));
    }
    clamped
}

/// `50000000` → `"50,000,000"`, the way the notes show numbers to people.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Warming a kernel up before its clock starts.
///
/// A browser first runs new wasm code with a quick baseline compiler and optimises a function
/// only after it has run for a while, in the background; a call that is already running keeps
/// its slow code. A cold worker's first piece can take twice as long as its tenth, which a
/// reader would take for the cost of the work. So before a way's clock starts, each worker (and
/// the main thread, for the main-thread way) runs short pieces of the same kernel until their
/// times settle ([`warmed_up`]), outside the measurement.
pub mod warm_up {
    use super::{Job, MandelbrotSpec};

    /// Least number of warm-up rounds.
    pub const MIN_ROUNDS: usize = 4;
    /// Most computing time over all rounds, ms: past it the kernel is taken as warm, settled or
    /// not (a noisy machine may never settle).
    pub const MAX_TOTAL_MS: f64 = 250.0;
    /// Least computing time over all rounds, ms: the browser optimises a function only after it
    /// has run for some milliseconds.
    pub const MIN_TOTAL_MS: f64 = 40.0;
    /// Two last rounds within this fraction of each other (or [`SETTLED_MS`]) have settled.
    pub const SETTLED_FRACTION: f64 = 0.15;
    /// Absolute tolerance, ms: a clock rounded to 1 ms (Firefox) cannot tell less.
    pub const SETTLED_MS: f64 = 1.0;

    /// A short piece of the same kernel as `job` (same code, a few ms of work), or `None` for a
    /// job with nothing to warm (the injected faults).
    pub fn job(job: &Job) -> Option<Job> {
        match job {
            // The top of the range: the same trial divisions as the costliest numbers.
            Job::CountPrimes { start, end } => Some(Job::CountPrimes {
                start: end.saturating_sub(20_000).max(*start),
                end: *end,
            }),
            // A small image through the same code, at most 200 x 5 pixels of up to 1,000
            // iterations, from the middle rows (through the set, where the work is).
            Job::Mandelbrot { spec, .. } => {
                let small = MandelbrotSpec {
                    width: spec.width.min(200),
                    height: spec.height.min(100),
                    max_iter: spec.max_iter.min(1_000),
                };
                let mid = small.height / 2;
                Some(Job::Mandelbrot {
                    spec: small,
                    rows_start: mid.saturating_sub(2),
                    rows_end: (mid + 3).min(small.height),
                })
            }
            Job::Spin { .. } => Some(Job::Spin { ms: 5.0 }),
            Job::Panic { .. } | Job::Stall { .. } => None,
        }
    }

    /// True once warm-up rounds that took `times_ms` (in order) are enough: at least
    /// [`MIN_ROUNDS`] and [`MIN_TOTAL_MS`] of computing, with the last two rounds settled
    /// (within [`SETTLED_FRACTION`] or [`SETTLED_MS`] of each other); or [`MAX_TOTAL_MS`] spent.
    pub fn warmed_up(times_ms: &[f64]) -> bool {
        let total: f64 = times_ms.iter().sum();
        if total >= MAX_TOTAL_MS {
            return true;
        }
        if times_ms.len() < MIN_ROUNDS || total < MIN_TOTAL_MS {
            return false;
        }
        let (a, b) = (times_ms[times_ms.len() - 2], times_ms[times_ms.len() - 1]);
        (a - b).abs() <= (SETTLED_FRACTION * a).max(SETTLED_MS)
    }

    /// Which kernel a job runs, so a worker warmed for it is not warmed again.
    pub fn kernel(job: &Job) -> &'static str {
        match job {
            Job::CountPrimes { .. } => "primes",
            Job::Mandelbrot { .. } => "mandelbrot",
            Job::Spin { .. } => "spin",
            Job::Panic { .. } => "panic",
            Job::Stall { .. } => "stall",
        }
    }

    #[cfg(test)]
    mod tests {
        use super::super::{run_job, Job, MandelbrotSpec};
        use super::*;

        #[test]
        fn a_warm_up_piece_runs_the_same_kernel_on_a_little_work() {
            let primes = Job::CountPrimes {
                start: 0,
                end: 5_000_000,
            };
            let warm = job(&primes).unwrap();
            assert_eq!(
                warm,
                Job::CountPrimes {
                    start: 4_980_000,
                    end: 5_000_000
                }
            );
            assert_eq!(kernel(&warm), kernel(&primes));
            // A range shorter than the piece is warmed whole, never outside it.
            let small = Job::CountPrimes { start: 10, end: 50 };
            assert_eq!(job(&small), Some(small));

            let big = Job::Mandelbrot {
                spec: MandelbrotSpec {
                    width: 4_000,
                    height: 4_000,
                    max_iter: 10_000,
                },
                rows_start: 0,
                rows_end: 4_000,
            };
            let warm = job(&big).unwrap();
            assert!(warm.cost_hint() <= 200.0 * 5.0 * 1_000.0, "{warm:?}");
            assert!(run_job(&warm, &mut || 0.0).is_ok());
            assert_eq!(kernel(&warm), "mandelbrot");
            assert_eq!(job(&Job::Spin { ms: 1000.0 }), Some(Job::Spin { ms: 5.0 }));
        }

        #[test]
        fn faults_are_never_warmed() {
            assert_eq!(
                job(&Job::Panic {
                    message: "x".into()
                }),
                None
            );
            assert_eq!(job(&Job::Stall { ms: 10.0 }), None);
        }

        #[test]
        fn warm_up_goes_on_until_the_rounds_settle() {
            // Too few rounds, or too little computing, whatever the times.
            assert!(!warmed_up(&[20.0, 20.0, 20.0]));
            assert!(!warmed_up(&[5.0, 5.0, 5.0, 5.0]));
            // Still getting faster: the browser has just optimised the kernel.
            assert!(!warmed_up(&[30.0, 30.0, 30.0, 12.0]));
            assert!(warmed_up(&[30.0, 30.0, 30.0, 12.0, 11.0]));
            // A 1 ms clock: 3 and 4 ms are the same time.
            assert!(warmed_up(&[12.0, 12.0, 12.0, 4.0, 3.0, 4.0]));
        }

        #[test]
        fn warm_up_ends_after_the_most_computing_even_if_unsettled() {
            let noisy: Vec<f64> = (0..13)
                .map(|i| if i % 2 == 0 { 10.0 } else { 30.0 })
                .collect();
            assert_eq!(noisy.iter().sum::<f64>(), 250.0);
            assert!(!warmed_up(&noisy[..12]));
            assert!(warmed_up(&noisy));
            // Many small rounds go on until enough computing, settled or not.
            assert!(!warmed_up(&[2.0; 12]));
            assert!(warmed_up(&[2.0; 20]));
        }
    }
}

#[cfg(test)]
mod split_tests {
    use super::*;

    #[test]
    fn a_split_job_adds_up_to_the_whole() {
        let job = Job::CountPrimes {
            start: 0,
            end: 100_000,
        };
        let parts = split_job(&job, 10);
        assert_eq!(parts.len(), 10);
        let sum: u64 = parts
            .iter()
            .map(|j| run_job(j, &mut || 0.0).unwrap().value)
            .sum();
        assert_eq!(sum, 9_592);
        let spin = Job::Spin { ms: 5.0 };
        assert_eq!(split_job(&spin, 10), vec![spin]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::partition::{row_chunks, static_ranges, static_row_ranges};

    /// A clock that advances by `step` milliseconds every time it is read.
    fn fake_clock(step: f64) -> impl FnMut() -> f64 {
        let mut t = 0.0;
        move || {
            t += step;
            t
        }
    }

    #[test]
    fn there_are_25_primes_below_100() {
        assert_eq!(count_primes(0..100), 25, "π(100) is 25");
    }

    #[test]
    fn there_are_1229_primes_below_10_000() {
        assert_eq!(count_primes(0..10_000), 1_229, "π(10,000) is 1,229");
    }

    #[test]
    fn there_are_9592_primes_below_100_000() {
        assert_eq!(count_primes(2..100_000), 9_592, "π(100,000) is 9,592");
    }

    #[test]
    fn there_are_348_513_primes_below_5_000_000() {
        assert_eq!(
            count_primes(2..5_000_000),
            348_513,
            "π(5,000,000) is 348,513"
        );
    }

    #[test]
    fn small_numbers_are_classified_correctly() {
        for (n, expected) in [
            (0, false),
            (1, false),
            (2, true),
            (3, true),
            (4, false),
            (5, true),
            (9, false),
            (25, false),
            (49, false),
            (97, true),
        ] {
            assert_eq!(is_prime(n), expected, "is_prime({n}) should be {expected}");
        }
    }

    #[test]
    fn large_primes_are_prime() {
        for p in [
            999_983,         // largest prime below 10^6
            1_000_000_007,   // a favourite modulus
            4_294_967_291,   // largest prime below 2^32
            999_999_999_989, // largest prime below 10^12
        ] {
            assert!(is_prime(p), "{p} is prime");
        }
    }

    #[test]
    fn large_composites_are_not_prime() {
        for n in [
            999_983_u64 * 999_983,   // a prime square: the divisor is exactly √n
            999_983_u64 * 1_000_003, // two large factors just either side of √n
            4_294_967_291_u64 * 3,   // an odd multiple of a large prime
            u64::MAX,                // 3 × 5 × 17 × 257 × 641 × 65537 × 6700417
            1_u64 << 63,             // even
        ] {
            assert!(!is_prime(n), "{n} is composite");
        }
    }

    #[test]
    fn counts_over_split_ranges_sum_to_the_whole() {
        let whole = count_primes(0..20_000);
        for parts in [1, 2, 3, 7, 16] {
            let sum: u64 = static_ranges(0..20_000, parts)
                .into_iter()
                .map(count_primes)
                .sum();
            assert_eq!(sum, whole, "{parts} parts should count {whole} primes");
        }
        assert_eq!(
            count_primes(0..1_000) + count_primes(1_000..20_000),
            whole,
            "an uneven split should count the same primes"
        );
    }

    #[test]
    fn an_empty_or_reversed_range_has_no_primes() {
        assert_eq!(count_primes(7..7), 0, "an empty range has no primes");
        #[allow(clippy::reversed_empty_ranges)]
        let reversed = 100..2;
        assert_eq!(count_primes(reversed), 0, "a reversed range is empty");
    }

    #[test]
    fn points_inside_the_set_reach_max_iter_and_far_points_escape_at_once() {
        assert_eq!(mandelbrot_point(0.0, 0.0, 500), 500, "0 is in the set");
        assert_eq!(mandelbrot_point(-1.0, 0.0, 500), 500, "-1 is in the set");
        assert_eq!(
            mandelbrot_point(3.0, 3.0, 500),
            1,
            "3+3i escapes after one step"
        );
        assert!(
            mandelbrot_point(0.5, 0.0, 500) < 10,
            "0.5 is outside the set and escapes quickly"
        );
    }

    #[test]
    fn the_mandelbrot_checksum_does_not_depend_on_how_rows_are_split() {
        let spec = MandelbrotSpec {
            width: 96,
            height: 64,
            max_iter: 200,
        };
        let whole = mandelbrot_rows(&spec, 0..spec.height);
        assert!(whole > 0, "the checksum should count iterations");
        for parts in 1..=13 {
            let sum: u64 = static_row_ranges(0..spec.height, parts)
                .into_iter()
                .map(|rows| mandelbrot_rows(&spec, rows))
                .sum();
            assert_eq!(
                sum, whole,
                "a static split into {parts} parts changed the sum"
            );
        }
        for chunk in [1, 3, 5, 64, 100] {
            let sum: u64 = row_chunks(0..spec.height, chunk)
                .into_iter()
                .rev() // a shared queue may finish chunks in any order
                .map(|rows| mandelbrot_rows(&spec, rows))
                .sum();
            assert_eq!(sum, whole, "chunks of {chunk} rows changed the sum");
        }
    }

    #[test]
    fn the_mandelbrot_view_is_symmetric_so_its_two_halves_cost_the_same() {
        // The view's imaginary extent is centred on 0 and rows are sampled at pixel centres:
        // the top half mirrors the bottom one, so static halves are balanced for this image
        // (the benchmark holds the shared queue to a tie with them, not a win).
        assert_eq!(MANDELBROT_IM.start, -MANDELBROT_IM.end);
        // The preset's image (1600 x 1200 at 1,000 iterations) at a quarter of its size.
        let spec = MandelbrotSpec {
            width: 400,
            height: 300,
            max_iter: 1_000,
        };
        let half = spec.height / 2;
        let (top, bottom) = (
            mandelbrot_rows(&spec, 0..half),
            mandelbrot_rows(&spec, half..spec.height),
        );
        assert!(
            top.abs_diff(bottom) * 1_000 <= top,
            "halves {top} and {bottom} differ by more than 0.1%"
        );
    }

    #[test]
    fn the_mandelbrot_checksum_of_a_small_image_is_pinned() {
        // Pinned so that a change to the view or the mapping is noticed, and so the browser can
        // check that wasm computes exactly the same number.
        let spec = MandelbrotSpec {
            width: 80,
            height: 60,
            max_iter: 100,
        };
        assert_eq!(
            mandelbrot_rows(&spec, 0..60),
            PINNED_80_60_100,
            "checksum of 80 × 60 at 100 iterations"
        );
    }
    const PINNED_80_60_100: u64 = 125_474;

    #[test]
    fn rows_beyond_the_image_add_nothing() {
        let spec = MandelbrotSpec {
            width: 10,
            height: 10,
            max_iter: 50,
        };
        assert_eq!(
            mandelbrot_rows(&spec, 0..1_000),
            mandelbrot_rows(&spec, 0..10),
            "rows past the height should be ignored"
        );
        assert_eq!(mandelbrot_rows(&spec, 10..20), 0, "no rows, no iterations");
    }

    #[test]
    fn the_default_mandelbrot_is_800_by_600_at_500_iterations() {
        assert_eq!(
            MandelbrotSpec::default(),
            MandelbrotSpec {
                width: 800,
                height: 600,
                max_iter: 500
            },
            "the documented default"
        );
    }

    #[test]
    fn spin_for_stops_once_the_clock_passes_ms_and_reports_its_work() {
        let mut reads = 0;
        let mut clock = fake_clock(1.0);
        let mut counting = || {
            reads += 1;
            clock()
        };
        let steps = spin_for(10.0, &mut counting);
        assert!(steps > 0, "a 10 ms burn should do some arithmetic");
        // Start at 1, then 2..=11: the loop body ran for readings 2..=10, nine batches.
        assert_eq!(reads, 11, "the clock should be read until 10 ms had passed");
        assert_eq!(
            steps,
            9 * SPIN_BATCH,
            "one batch per clock reading below 10 ms"
        );
    }

    #[test]
    fn spin_for_zero_negative_or_nan_ms_returns_at_once() {
        for ms in [0.0, -5.0, f64::NAN] {
            assert_eq!(
                spin_for(ms, &mut fake_clock(1.0)),
                0,
                "a burn of {ms} ms does nothing"
            );
        }
    }

    #[test]
    fn spin_for_never_burns_longer_than_the_maximum() {
        let mut last = 0.0;
        let mut clock = fake_clock(1_000.0);
        let mut recording = || {
            last = clock();
            last
        };
        spin_for(f64::INFINITY, &mut recording);
        assert!(
            last <= MAX_SPIN_MS + 1_000.0,
            "an endless burn should stop at {MAX_SPIN_MS} ms, stopped at {last}"
        );
    }

    #[test]
    fn spin_for_with_a_real_clock_stops_after_the_time() {
        let start = std::time::Instant::now();
        let mut now = || start.elapsed().as_secs_f64() * 1_000.0;
        let steps = spin_for(20.0, &mut now);
        let took = start.elapsed().as_secs_f64() * 1_000.0;
        assert!(steps > 0, "a 20 ms burn should do some arithmetic");
        assert!(
            took >= 20.0,
            "the burn should last at least 20 ms, took {took}"
        );
    }

    #[test]
    fn run_job_computes_each_kind() {
        let mut clock = fake_clock(1.0);
        assert_eq!(
            run_job(&Job::CountPrimes { start: 0, end: 100 }, &mut clock),
            Ok(JobOutput { value: 25 }),
            "primes below 100"
        );
        let spec = MandelbrotSpec {
            width: 20,
            height: 10,
            max_iter: 30,
        };
        assert_eq!(
            run_job(
                &Job::Mandelbrot {
                    spec,
                    rows_start: 0,
                    rows_end: 10
                },
                &mut clock
            ),
            Ok(JobOutput {
                value: mandelbrot_rows(&spec, 0..10)
            }),
            "the Mandelbrot checksum"
        );
        let spun = run_job(&Job::Spin { ms: 5.0 }, &mut clock).expect("a short burn runs");
        assert!(spun.value > 0, "a burn reports its steps");
    }

    #[test]
    fn run_job_refuses_jobs_beyond_the_limits() {
        let mut clock = fake_clock(1.0);
        for job in [
            Job::CountPrimes {
                start: 0,
                end: MAX_PRIME_LIMIT + 1,
            },
            Job::CountPrimes { start: 10, end: 5 },
            Job::Spin { ms: 1e9 },
            Job::Spin { ms: -1.0 },
            Job::Spin { ms: f64::NAN },
            Job::Mandelbrot {
                spec: MandelbrotSpec {
                    width: 5_000,
                    ..MandelbrotSpec::default()
                },
                rows_start: 0,
                rows_end: 1,
            },
            Job::Mandelbrot {
                spec: MandelbrotSpec {
                    max_iter: 0,
                    ..MandelbrotSpec::default()
                },
                rows_start: 0,
                rows_end: 1,
            },
            Job::Mandelbrot {
                spec: MandelbrotSpec::default(),
                rows_start: 0,
                rows_end: 601,
            },
        ] {
            assert!(
                run_job(&job, &mut clock).is_err(),
                "{job:?} should be refused"
            );
        }
    }

    #[test]
    #[should_panic(expected = "worker crashed on purpose")]
    fn run_job_of_panic_panics_with_its_message() {
        let _ = run_job(
            &Job::Panic {
                message: "worker crashed on purpose".into(),
            },
            &mut fake_clock(1.0),
        );
    }

    #[test]
    fn a_job_run_in_parts_adds_up_to_the_whole_and_reports_each_part() {
        let mut seen = Vec::new();
        let out = run_job_in_parts(
            &Job::CountPrimes {
                start: 0,
                end: 100_000,
            },
            1000,
            &mut fake_clock(1.0),
            &mut |done, total| seen.push((done, total)),
        );
        assert_eq!(out, Ok(JobOutput { value: 9_592 }));
        assert_eq!(seen.len(), 999, "progress after every part but the last");
        assert!(seen
            .iter()
            .enumerate()
            .all(|(i, &p)| p == (i as u32 + 1, 1000)));

        // Rows are the unit of a Mandelbrot job: no more parts than rows.
        let spec = MandelbrotSpec {
            width: 40,
            height: 30,
            max_iter: 50,
        };
        let mut parts = 0;
        let out = run_job_in_parts(
            &Job::Mandelbrot {
                spec,
                rows_start: 0,
                rows_end: 30,
            },
            1000,
            &mut fake_clock(1.0),
            &mut |_, total| parts = total,
        );
        assert_eq!(out.map(|o| o.value), Ok(mandelbrot_rows(&spec, 0..30)));
        assert_eq!(parts, 30);
    }

    #[test]
    fn a_burn_run_in_parts_reports_slices_and_ends_on_its_one_deadline() {
        let mut t = 0.0;
        let mut clock = move || {
            t += 0.5;
            t
        };
        let mut slices = Vec::new();
        let out = run_job_in_parts(
            &Job::Spin { ms: 1000.0 },
            1000,
            &mut clock,
            &mut |done, total| slices.push((done, total)),
        )
        .expect("a burn within the limits runs");
        let end = clock();
        assert!(out.value > 0);
        // 1000 ms in slices of 50 ms: 20 slices, progress after 19 of them.
        assert_eq!(slices.len(), 19);
        assert_eq!(slices.last(), Some(&(19, 20)));
        // The clock started at 0.5 and is read a few times per slice: slicing adds no drift.
        assert!(
            (1000.0..1000.0 + 20.0 * 2.0).contains(&(end - 0.5)),
            "the burn ended at {end} ms"
        );
        // A short burn is one slice and reports nothing.
        let mut calls = 0;
        run_job_in_parts(
            &Job::Spin { ms: 20.0 },
            1000,
            &mut fake_clock(0.5),
            &mut |_, _| calls += 1,
        )
        .unwrap();
        assert_eq!(calls, 0);
    }

    #[test]
    fn a_stall_is_silent_for_its_whole_length_and_bad_jobs_fail_before_any_part() {
        let mut calls = 0;
        let mut clock = fake_clock(0.5);
        let out = run_job_in_parts(&Job::Stall { ms: 2000.0 }, 1000, &mut clock, &mut |_, _| {
            calls += 1
        });
        assert!(out.is_ok_and(|o| o.value > 0), "a stall busy-loops");
        assert_eq!(calls, 0, "a stall never says a word");
        assert!(clock() >= 2000.0, "it lasted its whole length");
        for bad in [
            Job::Spin { ms: -1.0 },
            Job::Stall { ms: f64::NAN },
            Job::Stall { ms: 1e9 },
            Job::CountPrimes {
                start: 0,
                end: MAX_PRIME_LIMIT + 1,
            },
        ] {
            let mut calls = 0;
            let out = run_job_in_parts(&bad, 1000, &mut fake_clock(1.0), &mut |_, _| calls += 1);
            assert!(out.is_err(), "{bad:?} is refused");
            assert_eq!(calls, 0, "{bad:?} did no part");
        }
        assert_eq!(
            clamp_job(Job::Stall { ms: 1e9 }).0,
            Job::Stall { ms: MAX_SPIN_MS }
        );
    }

    #[test]
    fn clamp_job_notes_a_clamped_prime_limit() {
        let (job, note) = clamp_job(Job::CountPrimes {
            start: 2,
            end: 80_000_000,
        });
        assert_eq!(
            job,
            Job::CountPrimes {
                start: 2,
                end: MAX_PRIME_LIMIT
            },
            "the limit is clamped"
        );
        assert_eq!(
            note.as_deref(),
            Some("Clamped the prime limit to 50,000,000."),
            "the note says so"
        );
    }

    #[test]
    fn clamp_job_notes_a_clamped_burn_and_image() {
        let (job, note) = clamp_job(Job::Spin { ms: 60_000.0 });
        assert_eq!(job, Job::Spin { ms: MAX_SPIN_MS }, "the burn is clamped");
        assert_eq!(
            note.as_deref(),
            Some("Clamped the CPU burn to 10,000 ms."),
            "the note says so"
        );

        let (job, note) = clamp_job(Job::Mandelbrot {
            spec: MandelbrotSpec {
                width: 9_000,
                height: 0,
                max_iter: 50_000,
            },
            rows_start: 0,
            rows_end: 10,
        });
        assert_eq!(
            job,
            Job::Mandelbrot {
                spec: MandelbrotSpec {
                    width: 4_000,
                    height: 1,
                    max_iter: 10_000
                },
                rows_start: 0,
                rows_end: 1
            },
            "every field is brought within the limits"
        );
        let note = note.expect("a note when anything changed");
        for part in [
            "image width to 4,000",
            "image height to 1",
            "iterations to 10,000",
            "last row",
        ] {
            assert!(note.contains(part), "the note {note:?} mentions {part:?}");
        }
    }

    #[test]
    fn clamp_job_leaves_acceptable_jobs_alone_and_its_output_always_runs() {
        let fine = Job::CountPrimes {
            start: 2,
            end: 1_000,
        };
        assert_eq!(
            clamp_job(fine.clone()),
            (fine, None),
            "nothing to clamp, no note"
        );
        let mut clock = fake_clock(1_000.0);
        for job in [
            Job::CountPrimes {
                start: u64::MAX,
                end: u64::MAX,
            },
            Job::CountPrimes { start: 10, end: 5 },
            Job::Spin { ms: f64::NAN },
            Job::Spin { ms: -3.0 },
            Job::Mandelbrot {
                spec: MandelbrotSpec {
                    width: 0,
                    height: 5,
                    max_iter: 0,
                },
                rows_start: 9,
                rows_end: 7,
            },
        ] {
            let (clamped, note) = clamp_job(job.clone());
            assert!(note.is_some(), "{job:?} needed clamping and should say so");
            if let Job::CountPrimes { .. } = clamped {
                // Running 0..50,000,000 would take a while; the range is empty here anyway.
                assert_eq!(clamped.cost_hint(), 0.0, "{clamped:?} is an empty range");
            }
            assert!(
                run_job(&clamped, &mut clock).is_ok(),
                "{clamped:?} (from {job:?}) should be accepted"
            );
        }
    }

    /// The trial divisions [`is_prime`] does for `n`, counted the same way step by step.
    fn exact_divisions(n: u64) -> u64 {
        if n < 4 || n.is_multiple_of(2) {
            return 0;
        }
        let limit = n.isqrt();
        let mut d = 3;
        let mut divisions = 0;
        while d <= limit {
            divisions += 1;
            if n.is_multiple_of(d) {
                break;
            }
            d += 2;
        }
        divisions
    }

    #[test]
    fn the_upper_half_of_a_prime_range_costs_more_than_the_lower() {
        let lower = Job::CountPrimes {
            start: 2,
            end: 2_500_000,
        };
        let upper = Job::CountPrimes {
            start: 2_500_000,
            end: 5_000_000,
        };
        let ratio = upper.cost_hint() / lower.cost_hint();
        // An exact count of divisions gives 1.65; plain √n would give 1.83.
        assert!(
            (1.6..1.75).contains(&ratio),
            "upper / lower should be about 1.70, was {ratio}"
        );
    }

    #[test]
    fn the_prime_cost_model_tracks_the_real_number_of_divisions() {
        for (lower, upper) in [
            (10_000..60_000, 60_000..110_000),
            (2..100_000, 100_000..200_000),
        ] {
            let exact = |r: Range<u64>| r.map(exact_divisions).sum::<u64>() as f64;
            let real = exact(upper.clone()) / exact(lower.clone());
            let model = prime_range_cost(upper.clone()) / prime_range_cost(lower.clone());
            assert!(
                (model / real - 1.0).abs() < 0.1,
                "{upper:?} over {lower:?}: the model says {model}, the real count {real}"
            );
            let absolute = prime_range_cost(upper.clone()) / exact(upper.clone());
            assert!(
                (0.5..1.5).contains(&absolute),
                "{upper:?}: the model should be within half of the real count, ratio {absolute}"
            );
        }
    }

    #[test]
    fn the_prime_cost_model_survives_short_ranges_far_from_zero() {
        let n = 1_u64 << 60;
        let cost = prime_range_cost(n..n + 1);
        let x = n as f64;
        let expected = x.sqrt() / (2.0 * x.ln());
        assert!(
            (cost / expected - 1.0).abs() < 1e-9,
            "one number at 2^60 costs √n / (2 ln n) = {expected}, got {cost}"
        );
        #[allow(clippy::reversed_empty_ranges)]
        let reversed = 10..2;
        assert_eq!(
            prime_range_cost(reversed),
            0.0,
            "a reversed range costs nothing"
        );
    }

    #[test]
    fn numbers_are_shown_with_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(50_000_000), "50,000,000");
    }
}
