//! Errors with a place in the program: a parse error, or where a runtime error happened.

use std::fmt;
use std::ops::Range;

/// Line and column (both from 1, the column counted in characters) of byte `offset` in `src`.
pub fn line_col(src: &str, offset: usize) -> (u32, u32) {
    let mut offset = offset.min(src.len());
    while !src.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &src[..offset];
    let line = before.matches('\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = before[line_start..].chars().count() as u32 + 1;
    (line, col)
}

/// A program that cannot be read: what is wrong and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong, in a sentence.
    pub message: String,
    /// Line of the offending text, from 1.
    pub line: u32,
    /// Column of the offending text, from 1, in characters.
    pub col: u32,
    /// The offending text's bytes in the program (to mark it in the editor).
    pub span: Range<usize>,
}

impl ParseError {
    /// An error about `span` of `src`.
    pub fn at(src: &str, span: Range<usize>, message: impl Into<String>) -> Self {
        let (line, col) = line_col(src, span.start);
        ParseError {
            message: message.into(),
            line,
            col,
            span,
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.col, self.message
        )
    }
}

impl std::error::Error for ParseError {}
