//! Times the prime count natively, single-threaded, for comparison with the browser's numbers.
//!
//! ```sh
//! cargo run --release --example native_kernels
//! ```
//!
//! Prints one line, `native primes<5000000: 348513 in 1012.3 ms`: the best of three runs, since
//! the best run is the one least disturbed by whatever else the machine was doing. The release
//! profile is the page's own (optimised for size), so wasm and native run comparable code.

use playground::cpu::kernels::count_primes;
use std::time::Instant;

/// The same range the page's benchmark counts.
const LIMIT: u64 = 5_000_000;
const RUNS: usize = 3;

fn main() {
    let mut best_ms = f64::INFINITY;
    let mut count = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        // black_box: the range is a constant, and the count must not be computed at compile time.
        count = count_primes(std::hint::black_box(2..LIMIT));
        best_ms = best_ms.min(start.elapsed().as_secs_f64() * 1_000.0);
    }
    println!("native primes<{LIMIT}: {count} in {best_ms:.1} ms");
}
