//! The limits that keep any typed program from hanging or crashing the page. Each one ends the
//! run with an error that names it.

use std::fmt;

/// Longest program accepted, in bytes.
pub const MAX_PROGRAM_BYTES: usize = 100_000;
/// Deepest nesting of blocks and expressions the parser accepts.
pub const MAX_NESTING: usize = 100;
/// Most steps one synchronous stretch (from one wait to the next) may take.
pub const MAX_STEPS_PER_STRETCH: u64 = 1_000_000;
/// Most steps a whole run may take.
pub const MAX_STEPS_TOTAL: u64 = 20_000_000;
/// Most promises pending at once.
pub const MAX_PENDING_PROMISES: usize = 100_000;
/// Deepest chain of function calls.
pub const MAX_CALL_DEPTH: usize = 200;
/// Most elements of one array (and of `range(n)`).
pub const MAX_ARRAY_LEN: usize = 1_000_000;
/// Longest `spin(ms)`: blocking the page longer is refused.
pub const MAX_SPIN_MS: f64 = 10_000.0;
/// Most lines `console.log` keeps (later lines are counted, not kept).
pub const MAX_LOG_LINES: usize = 10_000;

/// A limit a run hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// [`MAX_STEPS_PER_STRETCH`].
    StepsPerStretch,
    /// [`MAX_STEPS_TOTAL`].
    StepsTotal,
    /// [`MAX_PENDING_PROMISES`].
    PendingPromises,
    /// [`MAX_CALL_DEPTH`].
    CallDepth,
    /// [`MAX_ARRAY_LEN`].
    ArrayLen,
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::StepsPerStretch => write!(
                f,
                "step limit: more than {MAX_STEPS_PER_STRETCH} steps without waiting (an endless loop?)"
            ),
            Limit::StepsTotal => write!(f, "step limit: more than {MAX_STEPS_TOTAL} steps in all"),
            Limit::PendingPromises => write!(
                f,
                "promise limit: more than {MAX_PENDING_PROMISES} promises pending at once"
            ),
            Limit::CallDepth => write!(
                f,
                "recursion limit: calls nested more than {MAX_CALL_DEPTH} deep"
            ),
            Limit::ArrayLen => write!(
                f,
                "array limit: an array of more than {MAX_ARRAY_LEN} elements"
            ),
        }
    }
}
