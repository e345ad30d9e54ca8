//! Async vs Parallel Playground.
//!
//! Data flows one way: **Scenario -> Plan -> Executor -> Trace -> Chart layout -> SVG**, and the
//! folders follow it. Lowest first; a module uses only the ones above it in this list (the test
//! `tests/layers.rs` checks it):
//!
//! - [`units`]: how numbers are written for people.
//! - [`cpu`]: CPU work on workers: the kernels, how work is split, the worker message protocol,
//!   and the ways of running a CPU experiment with their ideal times.
//! - [`model`]: what to run: the scenario, its fields as typed, the plan and its prediction, the
//!   link fragment (URL) codec.
//! - [`trace`]: what a run recorded, and what is derived from it: results, sentences, replay,
//!   repeated runs, history, exports.
//! - [`engine`]: runs a plan's strategies on any clock (the event loop's, or a virtual one) and
//!   records their traces.
//! - [`lang`]: a small async language: the program typed by the person, parsed and run as a
//!   deterministic state machine on any clock.
//! - [`chart`]: chart layout math with no DOM: scales, ticks, lanes, bars.
//! - [`markup`]: the HTML and SVG text of cards, charts and tables.
//! - [`codegen`]: "the code behind it" in C#, JavaScript, Python and Rust.
//! - [`code_request`], [`on_demand`]: the messages of the on-demand worker, which writes the
//!   texts the page needs rarely.
//! - [`web`]: the thin browser layer (wasm32 only): clock, timers, workers, storage, URL sync
//!   and the Leptos components.
//!
//! Everything outside [`web`] is pure Rust with no web types, so it builds and tests natively
//! (`cargo test`).

pub mod units;

pub mod cpu;
pub mod model;
pub mod trace;

pub mod engine;
pub mod lang;

pub mod chart;
pub mod markup;

pub mod codegen;

pub mod code_request;
pub mod on_demand;

#[cfg(target_arch = "wasm32")]
pub mod web;
