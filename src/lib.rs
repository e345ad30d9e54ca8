//! Async vs Parallel Playground.
//!
//! Data flows one way: **Scenario -> Plan -> Executor -> Trace -> Chart layout -> SVG**.
//!
//! Everything outside [`web`] is pure Rust with no web types, so it builds and tests natively
//! (`cargo test`). The [`web`] module is the thin browser layer: clock, executor on the event
//! loop, worker client and the Leptos components.

pub mod chart;
pub mod code_request;
pub mod codegen;
pub mod comparison_chart;
pub mod cpu;
pub mod editor;
pub mod engine;
pub mod export;
pub mod history;
pub mod input;
pub mod kernels;
pub mod markup;
pub mod on_demand;
pub mod partition;
pub mod plan;
pub mod predict;
pub mod protocol;
pub mod repeat;
pub mod replay;
pub mod report;
pub mod results;
pub mod router;
pub mod scenario;
pub mod speedup_chart;
pub mod trace;

#[cfg(target_arch = "wasm32")]
pub mod web;
