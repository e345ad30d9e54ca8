//! A program as Rust (to come).
use crate::lang::ast::Program;

/// A placeholder until the translation is written.
pub(crate) fn rust(_src: &str, _program: &Program) -> String {
    "// not translated yet\n".into()
}
