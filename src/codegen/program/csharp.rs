//! A program as C# (to come).
use crate::lang::ast::Program;

/// A placeholder until the translation is written.
pub(crate) fn csharp(_src: &str, _program: &Program) -> String {
    "// not translated yet\n".into()
}
