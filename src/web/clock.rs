//! The clock every measurement uses: `performance.now()`, in the page and in workers alike.

use wasm_bindgen::JsCast;

/// Milliseconds since the time origin of this page or worker, sub-millisecond resolution.
pub fn now_ms() -> f64 {
    // `performance` exists on both Window and WorkerGlobalScope; read it from the global object
    // so the same code serves both.
    js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}
