//! The code behind any program (#18): the playground's own little language written out as a
//! complete, runnable file in C#, Python (asyncio) or Rust (tokio), with the program's numbers,
//! so what a reader copies does what they just watched run. JavaScript gets the program itself
//! after a prelude that defines its built-ins on real timers.
//!
//! Each translation is one walk of the program's syntax tree ([`crate::lang::ast`]) in one
//! file per language (`csharp`, `python`, `rust`, `javascript`), over the facts they share
//! (`walk`: which built-ins the program uses, which names it declares, which of its functions
//! are async, what an expression holds). A file writes only the helpers its program uses
//! (a simulated `call` on a real timer, `timeout`, `retry`, `limit` with a semaphore, `ticks`
//! as a stream, the CPU kernels on a pool of four workers, `console.log` printing values as the
//! program prints them), then the program. A construct a language cannot say plainly is written
//! as a comment in that language (`not translated: …`), never as silently wrong code.

mod csharp;
mod javascript;
mod python;
mod rust;
#[cfg(test)]
mod tests;
mod walk;

use crate::codegen::Lang;
use crate::lang::compile::compile;
use crate::lang::parser::parse;
use crate::lang::ParseError;

/// The program `src` as a complete file in `lang`: the helpers it uses, then the program
/// translated. For [`Lang::JavaScript`], the program itself after a short prelude that defines
/// the built-ins it uses on real timers (runs in Node as an `.mjs` file, or in a page as a
/// module). Fails, as the playground does, when `src` does not parse or compile (an `await`
/// outside an async function, say).
pub fn program_code(src: &str, lang: Lang) -> Result<String, ParseError> {
    let program = parse(src)?;
    compile(src, &program)?;
    Ok(match lang {
        Lang::CSharp => csharp::csharp(src, &program),
        Lang::JavaScript => javascript::javascript(src, &program),
        Lang::Python => python::python(src, &program),
        Lang::Rust => rust::rust(src, &program),
    })
}
