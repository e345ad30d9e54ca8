//! A small JavaScript-flavoured async language: the program is an experiment of its own.
//!
//! Source text is [`lexer`]ed (with `logos`), [`parser`]d into an [`ast`], compiled to a few
//! instructions per node, and run by a [`machine::Machine`]: a deterministic state machine with
//! tasks, promises, a microtask queue and a timer queue. The driver (native tests on a virtual
//! clock, or the browser with real timers and workers) tells it the time and hands back timers
//! and worker jobs; the program itself never touches a clock.
//!
//! The API, in the order a page uses it:
//! - [`parser::parse`] and [`check()`]: a [`ParseError`] (message, line, column, span) for text
//!   that cannot run, and the unknown names and `const` assignments found before running.
//! - [`run_virtual`] / [`run_virtual_with`]: the prediction, on a virtual clock, as a
//!   [`Report`] (how it [`Finished`], the [`trace::Recording`] of lanes, log and awaits, and
//!   the app's [`Trace`](crate::trace::Trace)).
//! - [`Machine::new`], then [`Machine::run_until_idle`] with a [`Clock`] until [`Idle::done`],
//!   answering [`Idle::jobs`] with [`Machine::job_done`]; or [`runtime::run_on`], which does
//!   that on any engine `Runtime`: the measurement. [`Machine::cancel`] ends a run.
//! - [`examples::ALL`]: a program per seed experiment; [`limits::Limits`] to tune the limits.
//!
//! ```
//! let report = playground::lang::run_virtual(
//!     "const a = sleep(300); const b = sleep(500); await a; await b;",
//! )
//! .unwrap();
//! assert_eq!(report.finished.main_ms, Some(500.0), "a promise starts when it is created");
//! ```

pub mod ast;
mod builtins;
pub mod check;
pub mod compile;
pub mod driver;
pub mod error;
pub mod examples;
pub mod from_scenario;
pub mod lexer;
pub mod limits;
pub mod line;
pub mod link;
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
