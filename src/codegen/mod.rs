//! The code panel: the scenario on screen written out in C#, JavaScript, Python and Rust, with
//! the experiment's own numbers (durations, counts, limits, timeouts, attempts, delays, worker
//! counts, the prime limit), so what a reader copies is what they just watched run.
//!
//! Pure text generation: no web types, tested natively. Each language gets one shared "Setup"
//! snippet (the simulated call, or the CPU kernel) and then one snippet per strategy or CPU mode,
//! in the order the scenario lists them. Behaviour (jitter, failures, timeouts, retries, a group
//! deadline) shows up only when the scenario has it, so the default experiment stays short.
//!
//! One file per language (`csharp`, `javascript`, `python`, `rust`) implements the `Writer` trait
//! (`writer`) over the shared parts: `lang` ([`Lang`]), `text` (lines, comments, numbers and lists
//! as code), `async_scenario` (an async scenario reduced to what its code says) and `cpu_scenario`
//! (a CPU scenario with the names its code uses). Nothing shared uses a language file, so the
//! files form no circle. A new language is a new file, a [`Lang`] and its arm in `writer()`.
//!
//! [`program`] writes the code behind any program of the playground's language instead: one
//! complete, runnable file per language from the program's syntax tree
//! ([`program::program_code`]).

mod async_scenario;
mod cpu_scenario;
mod csharp;
mod javascript;
mod lang;
pub mod program;
mod python;
mod rust;
#[cfg(test)]
mod tests;
mod text;
mod writer;

pub use crate::codegen::lang::Lang;

use crate::codegen::async_scenario::Ctx;
use crate::codegen::cpu_scenario::Cpu;
use crate::codegen::csharp::CSharp;
use crate::codegen::javascript::JavaScript;
use crate::codegen::python::Python;
use crate::codegen::rust::Rust;
use crate::codegen::writer::Writer;
use crate::cpu::CpuMode;
use crate::model::scenario::{Scenario, Work};

/// One snippet: a heading (the strategy or mode title) and the code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippet {
    /// "Setup" for the shared definitions, else the strategy's or mode's title.
    pub title: String,
    /// The code, lines joined by `\n`, without a trailing newline.
    pub code: String,
}

/// Title of the shared snippet that every other snippet of a language builds on.
const SETUP: &str = "Setup";

/// The writer of `lang`.
fn writer(lang: Lang) -> &'static dyn Writer {
    match lang {
        Lang::CSharp => &CSharp,
        Lang::JavaScript => &JavaScript,
        Lang::Python => &Python,
        Lang::Rust => &Rust,
    }
}

/// The code for every strategy (async scenarios) or every CPU mode (cpu scenarios) of
/// `scenario`, in `lang`, in the order the scenario lists them. Preceded by one shared snippet
/// titled "Setup" that defines the simulated call (with the scenario's steps, jitter, failures,
/// per-attempt timeout and retries, when it has them) or the CPU kernel.
///
/// CPU scenarios with `workers == 0` write the machine's core count
/// (`Environment.ProcessorCount`, `navigator.hardwareConcurrency`, ...); pass a spec resolved
/// with [`CpuSpec::resolved`](crate::cpu::CpuSpec::resolved) to write the browser's worker count
/// instead.
pub fn snippets(scenario: &Scenario, lang: Lang) -> Vec<Snippet> {
    let writer = writer(lang);
    let work = match &scenario.work {
        Work::Async(work) => work,
        Work::Program(p) => return program_snippets(p, lang),
        Work::Cpu(spec) => {
            let cpu = Cpu::new(scenario.experiment, spec);
            let mut out = vec![Snippet {
                title: SETUP.into(),
                code: writer.cpu_setup(&cpu),
            }];
            out.extend(spec.modes.iter().map(|&mode| Snippet {
                title: mode_title(mode, spec.workers),
                code: writer.cpu_mode(&cpu, mode),
            }));
            return out;
        }
    };
    let ctx = Ctx::new(work);
    let mut out = vec![Snippet {
        title: SETUP.into(),
        code: writer.setup(&ctx),
    }];
    out.extend(work.strategies.iter().map(|&s| Snippet {
        title: s.title(),
        code: writer.strategy(&ctx, s),
    }));
    out
}

/// A program's code in `lang` ([`program::program_code`]): one snippet, titled "Your
/// program"; a program that cannot run gets a comment saying why instead.
fn program_snippets(p: &crate::model::scenario::ProgramCode, lang: Lang) -> Vec<Snippet> {
    let text = match crate::lang::link::decode(&p.code) {
        Ok(t) if t.is_empty() => crate::lang::examples::STARTER.to_string(),
        Ok(t) => t,
        Err(e) => e,
    };
    let code = match program::program_code(&text, lang) {
        Ok(code) => code.trim_end().to_string(),
        Err(e) => format!(
            "{} The program cannot be written out until it runs: {e}",
            lang.line_comment()
        ),
    };
    vec![Snippet {
        title: "Your program".into(),
        code,
    }]
}

/// [`CpuMode::title`], with "N workers" rather than "0 workers" when the count is left to the
/// machine.
fn mode_title(mode: CpuMode, workers: u32) -> String {
    let title = mode.title(workers);
    if workers == 0 {
        title.replace("0 workers", "N workers")
    } else {
        title
    }
}
