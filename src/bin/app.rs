//! The page. All logic lives in the library; this only mounts it, and exports the hooks the
//! benchmark (`scripts/bench.sh`) and the soak test call through `window.wasmBindings`.
//!
//! The benchmark's heavier hooks (running the engine, the kernels, the pool and the timeline on
//! demand) are compiled only with the `bench` feature: they were about 10 KB gzip that every
//! visit downloaded for nobody. `scripts/bench.sh` builds the page twice, as shipped (for its
//! size and load time) and with `--features bench` (for everything else).

#[cfg(target_arch = "wasm32")]
fn main() {
    playground::web::lang_module::set_loader(load_lang);
    playground::web::start();
}

// Imports the language module once (`import()` is syntax: it needs these lines of JavaScript).
// Here, in the page's own binary, not in the library: see `lang_module::set_loader`.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(inline_js = "
let loading = null;
export function load_lang(url) {
  if (!loading) {
    const href = new URL(url, document.baseURI).href;
    loading = import(href).then(async (m) => { await m.default(); return m; });
    loading.catch(() => { loading = null; });
  }
  return loading;
}
")]
extern "C" {
    fn load_lang(url: &str) -> js_sys::Promise;
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("The page runs in a browser: build it with `trunk build` (see README.md).");
}

/// Benchmark hook: runs `count` calls of `ms` each with the engine on the page's event loop and
/// returns when the await continued, in ms. `strategy` is a strategy id such as `all-at-once`.
#[cfg(all(target_arch = "wasm32", feature = "bench"))]
#[wasm_bindgen::prelude::wasm_bindgen]
pub async fn bench_engine(strategy: String, count: u32, ms: u32) -> Result<f64, String> {
    playground::web::bench::engine_run(&strategy, count, ms).await
}

/// Benchmark hook: primes below `limit` in mode `mode` on `workers` workers; computing ms.
#[cfg(all(target_arch = "wasm32", feature = "bench"))]
#[wasm_bindgen::prelude::wasm_bindgen]
pub async fn bench_cpu(mode: String, limit: f64, workers: u32) -> Result<f64, String> {
    playground::web::bench::cpu_run(&mode, limit as u64, workers).await
}

/// Benchmark hook: cold start of `n` workers until all said Ready, ms.
#[cfg(all(target_arch = "wasm32", feature = "bench"))]
#[wasm_bindgen::prelude::wasm_bindgen]
pub async fn bench_cold_start(n: u32) -> Result<f64, String> {
    playground::web::bench::pool_cold_start(n).await
}

/// Benchmark hook: median no-op job round trip on a warm worker, ms.
#[cfg(all(target_arch = "wasm32", feature = "bench"))]
#[wasm_bindgen::prelude::wasm_bindgen]
pub async fn bench_round_trip(rounds: u32) -> Result<f64, String> {
    playground::web::bench::noop_round_trip(rounds).await
}

/// Benchmark and soak-test hook: the size of the wasm linear memory, in bytes.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn memory_bytes() -> f64 {
    playground::web::bench::memory_bytes()
}

/// Benchmark hook: lays out and mounts the timeline of a finished run of `n` tasks, forces
/// layout, and returns the ms that took (then removes it).
#[cfg(all(target_arch = "wasm32", feature = "bench"))]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn bench_render(n: u32) -> Result<f64, String> {
    playground::web::bench::render_timeline(n)
}

/// Benchmark hook: the longest a busy worker stayed silent during a job of `kind`, ms.
#[cfg(all(target_arch = "wasm32", feature = "bench"))]
#[wasm_bindgen::prelude::wasm_bindgen]
pub async fn bench_silence(kind: String) -> Result<f64, String> {
    playground::web::bench::longest_silence(&kind).await
}

/// Benchmark hook: how long a worker may stay silent during a job before it is stopped, ms.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn stall_limit_ms() -> u32 {
    playground::web::worker_client::stall_limit_ms()
}
