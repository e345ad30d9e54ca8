//! The browser layer: everything here touches web APIs and only builds for `wasm32`. It is kept
//! thin; decisions belong to the pure modules beside it.

mod app;
pub mod bench;
pub mod clock;
mod code_panel;
pub mod cpu;
mod download;
mod embed_dialog;
pub mod executor;
mod history_panel;
pub mod lang_editor;
pub mod lang_host;
pub mod lang_module;
pub mod message;
pub mod on_demand;
mod panic;
mod playground;
pub mod pool;
mod program;
mod repeat_panel;
mod replay_bar;
mod results;
mod run;
mod speedup;
pub mod storage;
mod summary;
pub mod timers;
pub mod url;
pub use panic::show_banner as show_panic_banner;
pub mod worker_client;
pub mod worker_main;

/// Mounts the page: installs the panic banner, then renders the app into `<body>`.
pub fn start() {
    panic::install();
    // The static "Loading…" note in index.html is only for the moment before wasm runs.
    if let Some(el) = leptos::prelude::document().get_element_by_id("loading") {
        el.remove();
    }
    leptos::mount::mount_to_body(app::App);
}

/// A number the browser wrote (a slider's value, an SVG attribute), read by the browser's own
/// `parseFloat`: Rust's exact float parser brings tables the page does not need for these.
/// `None` unless it is a finite number.
pub(crate) fn parse_number(text: &str) -> Option<f64> {
    let v = js_sys::Number::parse_float(text.trim());
    v.is_finite().then_some(v)
}
