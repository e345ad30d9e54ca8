//! A small JavaScript-flavoured async language: the program is an experiment of its own.
//!
//! Source text is [`lexer`]ed (with `logos`), [`parser`]d into an [`ast`], compiled to a few
//! instructions per node, and run by a [`machine::Machine`]: a deterministic state machine with
//! tasks, promises, a microtask queue and a timer queue. The driver (native tests on a virtual
//! clock, or the browser with real timers and workers) tells it the time and hands back timers
//! and worker jobs; the program itself never touches a clock.

pub mod ast;
mod builtins;
pub mod check;
pub mod compile;
pub mod driver;
pub mod error;
pub mod examples;
pub mod lexer;
pub mod limits;
pub mod machine;
pub mod parser;
pub mod prelude;
pub mod runtime;
pub mod trace;
pub mod value;

pub use check::check;
pub use driver::{run_virtual, run_virtual_with, Report, VirtualClock, VirtualOptions};
pub use error::ParseError;
pub use machine::{Clock, Finished, Idle, JobId, Machine, RunError, RunErrorKind};

#[cfg(test)]
mod driver_tests;
#[cfg(test)]
mod limit_tests;
#[cfg(test)]
mod oracle_tests;
#[cfg(test)]
mod run_tests;
#[cfg(test)]
mod scenario_tests;
#[cfg(test)]
mod tests;
