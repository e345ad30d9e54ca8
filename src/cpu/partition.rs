//! Partitioning of CPU work between workers, and what to expect from it.
//!
//! Two ways to hand out a range: a **static** split into one contiguous part per worker
//! (`Parallel.For` with a static partitioner, OpenMP `schedule(static)`), and a **dynamic** shared
//! queue of many small chunks that idle workers take from (work stealing, a load-balancing
//! partitioner). The predictions here say how fast either can be at best and why a static split of
//! a prime count is uneven: trial division costs about √n / ln n per number (see
//! [`prime_range_cost`]), so the upper part of a range costs more than the lower.
//!
//! Every split covers its range exactly once, in order, with no zero-length piece.

use std::ops::Range;

/// Chunks per worker in the dynamic queue; see [`default_chunk_count`].
pub const CHUNKS_PER_WORKER: usize = 16;

/// Splits `range` into at most `parts` contiguous pieces whose lengths differ by at most one
/// (the longer ones first), the way a static partitioner gives each worker one piece.
///
/// `parts == 0` is treated as 1. A range shorter than `parts` gives one piece per number, and an
/// empty or reversed range gives none: a worker is never sent a zero-length piece.
pub fn static_ranges(range: Range<u64>, parts: usize) -> Vec<Range<u64>> {
    let len = range.end.saturating_sub(range.start);
    if len == 0 {
        return Vec::new();
    }
    // usize → u64 cannot lose anything on the 32- and 64-bit targets we build for.
    let parts = (parts.max(1) as u64).min(len);
    let (base, longer) = (len / parts, len % parts);
    let mut out = Vec::with_capacity(parts as usize);
    let mut start = range.start;
    for i in 0..parts {
        let end = start + base + u64::from(i < longer);
        out.push(start..end);
        start = end;
    }
    out
}

/// Splits `range` into consecutive chunks of `chunk` numbers (the last may be shorter), for a
/// shared queue that idle workers pull from.
///
/// `chunk == 0` is treated as 1. An empty or reversed range gives no chunks. The result holds
/// `len / chunk` ranges, so pick `chunk` with [`chunk_len`] rather than a tiny constant.
pub fn chunks(range: Range<u64>, chunk: u64) -> Vec<Range<u64>> {
    let chunk = chunk.max(1);
    let len = range.end.saturating_sub(range.start);
    let mut out = Vec::with_capacity(usize::try_from(len.div_ceil(chunk)).unwrap_or(0));
    let mut start = range.start;
    while start < range.end {
        // `start + min(chunk, remaining)` rather than `start + chunk`: no overflow near u64::MAX.
        let end = start + chunk.min(range.end - start);
        out.push(start..end);
        start = end;
    }
    out
}

/// [`static_ranges`] for image rows (Mandelbrot), which are counted in `u32`.
pub fn static_row_ranges(rows: Range<u32>, parts: usize) -> Vec<Range<u32>> {
    static_ranges(u64::from(rows.start)..u64::from(rows.end), parts)
        .into_iter()
        .map(to_rows)
        .collect()
}

/// [`chunks`] for image rows (Mandelbrot), which are counted in `u32`.
pub fn row_chunks(rows: Range<u32>, chunk: u32) -> Vec<Range<u32>> {
    chunks(u64::from(rows.start)..u64::from(rows.end), chunk.into())
        .into_iter()
        .map(to_rows)
        .collect()
}

fn to_rows(r: Range<u64>) -> Range<u32> {
    // The pieces lie within a u32 range, so they fit.
    r.start as u32..r.end as u32
}

/// How many chunks the dynamic queue should hold for `workers` workers:
/// [`CHUNKS_PER_WORKER`] (16) each, and at least 16 in all.
///
/// Sixteen is a compromise, measured. With one chunk per worker the queue is just a static
/// split, and the worker holding the expensive top of a prime range finishes last. With many
/// chunks the expensive ones are spread out and whoever is free takes the next, so the last
/// worker to finish waits at most about one chunk (a sixteenth of its share) longer than the
/// others. But every chunk costs a message to and from a worker, and on a machine with as many
/// cores as workers the page's thread that handles them takes its time from a worker. In the
/// page on 2 cores (primes below 5,000,000, runs interleaved in one browser), 8 chunks per
/// worker gave 1.76-1.79x over one worker (the last chunk, the costliest, left one worker
/// alone for up to a tenth of the run), 16 gave 1.85-1.88x and 32 gave 1.74x (each worker
/// computed as long as with 16, but waited more for a core); Mandelbrot rows, whose costly
/// middle rows are spread out anyway, gave 1.86-1.89x with any of them. A prime count's queue
/// now goes out highest numbers first (`CpuPlan::new`), so its last chunk is its cheapest: 412
/// against 421 ms on first runs, 417 against 423 after (medians of 16 fresh pages, interleaved).
pub fn default_chunk_count(workers: usize) -> usize {
    workers.max(1).saturating_mul(CHUNKS_PER_WORKER)
}

/// The chunk length that splits `len` numbers into at most `count` chunks: ⌈len / count⌉, and at
/// least 1. `count == 0` is treated as 1.
pub fn chunk_len(len: u64, count: usize) -> u64 {
    len.div_ceil(count.max(1) as u64).max(1)
}

/// Amdahl's law: the best speedup of `workers` workers when `serial_fraction` of the work cannot
/// be split, `1 / (s + (1 - s) / n)`.
///
/// Fewer than one worker counts as one, and the fraction is clamped to 0..=1. A NaN fraction
/// gives NaN, so a missing measurement is not mistaken for a prediction.
pub fn amdahl_speedup(workers: f64, serial_fraction: f64) -> f64 {
    let n = workers.max(1.0);
    let s = serial_fraction.clamp(0.0, 1.0);
    1.0 / (s + (1.0 - s) / n)
}

/// The fastest `workers` workers can do work that takes `sequential_ms` on one, in milliseconds,
/// on a machine with `cores` cores: perfectly split, with no overhead.
///
/// More workers than cores do not help: they take turns on the same cores. Zero workers or cores
/// (for example `navigator.hardwareConcurrency` unknown) count as one.
pub fn ideal_parallel_ms(sequential_ms: f64, workers: usize, cores: usize) -> f64 {
    let useful = workers.min(cores).max(1);
    sequential_ms / useful as f64
}

/// The modelled cost of each piece of a [`static_ranges`] split of a prime count, in
/// trial divisions ([`prime_range_cost`]: ∝ √n / ln n per number).
pub fn static_part_costs(range: Range<u64>, parts: usize) -> Vec<f64> {
    static_ranges(range, parts)
        .into_iter()
        .map(prime_range_cost)
        .collect()
}

/// How many times longer a static split of a prime count into `parts` takes than a perfectly
/// balanced one: the cost of the most expensive part over the average cost per part, with the
/// cost model of trial division ([`prime_range_cost`]). 1.0 means balanced; an empty range gives
/// 1.0.
///
/// Two halves of 2..5,000,000 give 1.26 (the upper half costs 1.70 × the lower); measured
/// natively, 1.23. Four parts give 1.35 (measured 1.33). Many small static parts do not fix
/// this: the top part still costs about 1.43 × the average, because it is the cost *density* at
/// the top of the range that is higher. Only handing out chunks dynamically does
/// ([`dynamic_split_imbalance`]).
pub fn static_split_imbalance(range: Range<u64>, parts: usize) -> f64 {
    let costs = static_part_costs(range, parts);
    imbalance(&costs, parts.max(1))
}

/// How many times longer `workers` workers take than a perfectly balanced split when they pull
/// chunks of `chunk` numbers of a prime count, in order, from a shared queue: each chunk goes to
/// whichever worker is free first. Modelled with the cost model of trial division
/// ([`prime_range_cost`]) and no messaging overhead; 1.0 means balanced, an empty range gives 1.0.
///
/// With [`default_chunk_count`] chunks the result is close to 1 (1.02 for 2 workers over
/// 2..5,000,000, 1.03 for 8). Simulates every chunk, so keep the chunk count reasonable (see
/// [`chunk_len`]).
pub fn dynamic_split_imbalance(range: Range<u64>, workers: usize, chunk: u64) -> f64 {
    let workers = workers.max(1);
    let mut loads = vec![0.0_f64; workers];
    for piece in chunks(range, chunk) {
        // The worker that has done the least so far is the one that becomes free first.
        let mut first_free = 0;
        for (i, load) in loads.iter().enumerate() {
            if *load < loads[first_free] {
                first_free = i;
            }
        }
        loads[first_free] += prime_range_cost(piece);
    }
    imbalance(&loads, workers)
}

/// Largest share over the mean share when `costs` are divided among `slots` (missing slots idle).
fn imbalance(costs: &[f64], slots: usize) -> f64 {
    let total: f64 = costs.iter().sum();
    if total <= 0.0 {
        return 1.0;
    }
    let largest = costs.iter().copied().fold(0.0, f64::max);
    largest / (total / slots as f64)
}

/// Modelled cost of [`count_primes`] over `range`, in trial divisions: ∫ √x / (2 ln x) dx.
///
/// A prime near x costs √x / 2 divisions and primes have density 1 / ln x; the composites, which
/// mostly stop at a small divisor, add little. So the cost per number grows like √n / ln n, and
/// the upper part of a range costs more than the lower. Checked against an exact count of the
/// divisions [`is_prime`] does: for the halves of 2..5,000,000 the model says the upper costs
/// 1.70 × the lower, the exact count 1.65, and natively measured time 1.61 (the cheap numbers add
/// a constant per number that the model leaves out). Plain √x would say 1.83.
///
/// Below e, ln x is taken as 1: those few numbers cost almost nothing either way.
pub fn prime_range_cost(range: Range<u64>) -> f64 {
    if range.end <= range.start {
        return 0.0;
    }
    // Composite Simpson's rule: the integral has no closed form, and the density is smooth
    // enough that 32 panels are far more precise than the model itself.
    const PANELS: u32 = 32;
    let density = |x: f64| x.sqrt() / (2.0 * x.ln().max(1.0));
    let a = range.start as f64;
    // The length from the integers, so a short range far from zero keeps its digits.
    let len = (range.end - range.start) as f64;
    let h = len / f64::from(PANELS);
    let mut sum = density(a) + density(a + len);
    for i in 1..PANELS {
        let weight = if i % 2 == 1 { 4.0 } else { 2.0 };
        sum += weight * density(a + h * f64::from(i));
    }
    sum * h / 3.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Panics with a message unless `pieces` cover `range` exactly once, in order, none empty.
    fn assert_covers(pieces: &[Range<u64>], range: &Range<u64>, what: &str) {
        let mut next = range.start;
        for p in pieces {
            assert_eq!(
                p.start, next,
                "{what}: {p:?} should start where the last ended"
            );
            assert!(p.end > p.start, "{what}: {p:?} should not be empty");
            next = p.end;
        }
        if range.end > range.start {
            assert_eq!(next, range.end, "{what}: the pieces should reach the end");
        } else {
            assert!(pieces.is_empty(), "{what}: an empty range has no pieces");
        }
    }

    #[test]
    fn static_ranges_cover_the_range_exactly_once() {
        for start in [0, 2, 1_000] {
            for len in 0..=40 {
                for parts in 0..=45 {
                    let range = start..start + len;
                    let pieces = static_ranges(range.clone(), parts);
                    let what = format!("static {range:?} into {parts}");
                    assert_covers(&pieces, &range, &what);
                    let expected = if len == 0 {
                        0
                    } else {
                        parts.max(1).min(len as usize)
                    };
                    assert_eq!(pieces.len(), expected, "{what}: number of parts");
                    let lens: Vec<u64> = pieces.iter().map(|p| p.end - p.start).collect();
                    let (lo, hi) = (lens.iter().min(), lens.iter().max());
                    if let (Some(lo), Some(hi)) = (lo, hi) {
                        assert!(
                            hi - lo <= 1,
                            "{what}: lengths {lens:?} differ by more than 1"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn chunks_cover_the_range_exactly_once() {
        for start in [0, 2, 1_000] {
            for len in 0..=40 {
                for chunk in 0..=45 {
                    let range = start..start + len;
                    let pieces = chunks(range.clone(), chunk);
                    let what = format!("chunks of {chunk} over {range:?}");
                    assert_covers(&pieces, &range, &what);
                    let c = chunk.max(1);
                    assert_eq!(
                        pieces.len() as u64,
                        len.div_ceil(c),
                        "{what}: number of chunks"
                    );
                    let all_but_last = pieces.iter().rev().skip(1);
                    assert!(
                        all_but_last.clone().all(|p| p.end - p.start == c),
                        "{what}: every chunk but the last has {c} numbers"
                    );
                }
            }
        }
    }

    #[test]
    fn reversed_ranges_give_no_pieces() {
        #[allow(clippy::reversed_empty_ranges)]
        let reversed = 10..3;
        assert!(static_ranges(reversed.clone(), 4).is_empty(), "static");
        assert!(chunks(reversed, 2).is_empty(), "chunks");
    }

    #[test]
    fn splits_work_at_the_very_end_of_u64() {
        let range = u64::MAX - 10..u64::MAX;
        assert_covers(
            &static_ranges(range.clone(), 3),
            &range,
            "static near u64::MAX",
        );
        assert_covers(&chunks(range.clone(), 4), &range, "chunks near u64::MAX");
        assert_covers(&chunks(range.clone(), u64::MAX), &range, "one huge chunk");
    }

    #[test]
    fn row_splits_cover_the_rows_exactly_once() {
        for height in [0_u32, 1, 7, 600] {
            for parts in [0, 1, 3, 8, 700] {
                let rows = static_row_ranges(0..height, parts);
                let as_u64: Vec<Range<u64>> =
                    rows.iter().map(|r| r.start.into()..r.end.into()).collect();
                assert_covers(&as_u64, &(0..height.into()), "static rows");
            }
            for chunk in [0, 1, 5, 75, 1_000] {
                let rows = row_chunks(0..height, chunk);
                let as_u64: Vec<Range<u64>> =
                    rows.iter().map(|r| r.start.into()..r.end.into()).collect();
                assert_covers(&as_u64, &(0..height.into()), "row chunks");
            }
        }
        assert_eq!(
            static_row_ranges(u32::MAX - 4..u32::MAX, 2),
            vec![u32::MAX - 4..u32::MAX - 2, u32::MAX - 2..u32::MAX],
            "rows near u32::MAX"
        );
    }

    #[test]
    fn the_default_queue_holds_sixteen_chunks_per_worker() {
        assert_eq!(default_chunk_count(0), 16, "no workers counts as one");
        assert_eq!(default_chunk_count(1), 16, "one worker");
        assert_eq!(default_chunk_count(4), 64, "four workers");
    }

    #[test]
    fn chunk_len_gives_at_most_the_requested_number_of_chunks() {
        for len in [0_u64, 1, 7, 100, 4_999_998] {
            for count in [0, 1, 3, 16, 200] {
                let c = chunk_len(len, count);
                assert!(c >= 1, "a chunk holds at least one number");
                let n = chunks(0..len, c).len();
                assert!(
                    n <= count.max(1),
                    "{len} numbers in chunks of {c} make {n} chunks, more than {count}"
                );
            }
        }
    }

    #[test]
    fn amdahl_gives_n_with_no_serial_part_and_1_with_all_serial() {
        for n in [1.0, 2.0, 4.0, 16.0] {
            assert!(
                (amdahl_speedup(n, 0.0) - n).abs() < 1e-12,
                "no serial part: {n} workers give {n}×"
            );
            assert!(
                (amdahl_speedup(n, 1.0) - 1.0).abs() < 1e-12,
                "all serial: {n} workers give 1×"
            );
        }
        assert!(
            (amdahl_speedup(4.0, 0.1) - 1.0 / (0.1 + 0.9 / 4.0)).abs() < 1e-12,
            "10% serial with 4 workers"
        );
        assert_eq!(amdahl_speedup(0.0, 0.5), 1.0, "no workers counts as one");
        assert!(amdahl_speedup(4.0, f64::NAN).is_nan(), "NaN in, NaN out");
    }

    #[test]
    fn ideal_parallel_time_stops_improving_at_the_core_count() {
        assert_eq!(ideal_parallel_ms(1_000.0, 1, 8), 1_000.0, "one worker");
        assert_eq!(
            ideal_parallel_ms(1_000.0, 4, 8),
            250.0,
            "four of eight cores"
        );
        assert_eq!(
            ideal_parallel_ms(1_000.0, 8, 2),
            500.0,
            "capped at two cores"
        );
        assert_eq!(
            ideal_parallel_ms(1_000.0, 0, 0),
            1_000.0,
            "unknown counts as one"
        );
    }

    #[test]
    fn two_static_halves_of_a_prime_count_are_unbalanced() {
        let imbalance = static_split_imbalance(2..5_000_000, 2);
        assert!(
            (1.2..1.3).contains(&imbalance),
            "the upper half should take about 1.26 × the average, was {imbalance}"
        );
        let costs = static_part_costs(2..5_000_000, 2);
        let upper_over_lower = costs[1] / costs[0];
        assert!(
            (1.6..1.75).contains(&upper_over_lower),
            "the upper half should cost about 1.70 × the lower, was {upper_over_lower}"
        );
    }

    #[test]
    fn many_small_static_parts_stay_unbalanced() {
        let imbalance = static_split_imbalance(0..5_000_000, 1_000);
        assert!(
            (1.35..1.5).contains(&imbalance),
            "the top part of a fine static split costs about 1.43 × the average, was {imbalance}"
        );
    }

    #[test]
    fn many_small_chunks_from_a_shared_queue_are_close_to_balanced() {
        let range = 2..5_000_000;
        let len = range.end - range.start;
        for workers in [2, 3, 4, 8] {
            let chunk = chunk_len(len, default_chunk_count(workers));
            let dynamic = dynamic_split_imbalance(range.clone(), workers, chunk);
            let fixed = static_split_imbalance(range.clone(), workers);
            assert!(
                dynamic < 1.1,
                "{workers} workers pulling {chunk}-number chunks: {dynamic} should be near 1"
            );
            assert!(
                dynamic < fixed,
                "{workers} workers: the queue ({dynamic}) should beat a static split ({fixed})"
            );
        }
        let one_chunk_each = dynamic_split_imbalance(range.clone(), 2, len.div_ceil(2));
        let halves = static_split_imbalance(range, 2);
        assert!(
            (one_chunk_each - halves).abs() < 1e-9,
            "one chunk per worker is a static split: {one_chunk_each} vs {halves}"
        );
    }

    #[test]
    fn empty_work_is_balanced() {
        assert_eq!(static_split_imbalance(5..5, 4), 1.0, "static");
        assert_eq!(dynamic_split_imbalance(5..5, 4, 10), 1.0, "dynamic");
        assert_eq!(static_split_imbalance(0..1_000, 1), 1.0, "one part");
    }
}
