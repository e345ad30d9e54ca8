//! The limits that keep any typed program from hanging or crashing the page. Each one ends the
//! run with an error that names it.

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
/// Most promises a run may make in all (each keeps a little memory until the run ends).
pub const MAX_PROMISES_TOTAL: usize = 500_000;
/// Deepest chain of function calls.
pub const MAX_CALL_DEPTH: usize = 200;
/// Most elements of one array (and of `range(n)`).
pub const MAX_ARRAY_LEN: usize = 1_000_000;
/// Longest string, in bytes.
pub const MAX_STRING_BYTES: usize = 1_000_000;
/// Longest `spin(ms)`, and most ms `spin` may block in one synchronous stretch: the page is
/// frozen meanwhile.
pub const MAX_SPIN_MS: f64 = 10_000.0;
/// Latest time a timer may be set for, ms since the start (10 minutes): a run has an end.
pub const MAX_RUN_MS: f64 = 600_000.0;
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
    /// [`MAX_PROMISES_TOTAL`].
    PromisesTotal,
    /// [`MAX_CALL_DEPTH`].
    CallDepth,
    /// [`MAX_ARRAY_LEN`].
    ArrayLen,
    /// [`MAX_SPIN_MS`] of blocking in one stretch.
    Blocking,
    /// [`MAX_STRING_BYTES`].
    StringLen,
    /// [`MAX_RUN_MS`].
    Duration,
}

/// The limits of one run; [`Limits::default`] has the values above. Tests and benchmarks may
/// lower or raise them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    /// Most steps one synchronous stretch may take ([`MAX_STEPS_PER_STRETCH`]).
    pub steps_per_stretch: u64,
    /// Most steps a run may take ([`MAX_STEPS_TOTAL`]).
    pub steps_total: u64,
    /// Most promises pending at once ([`MAX_PENDING_PROMISES`]).
    pub pending_promises: usize,
    /// Most promises in all ([`MAX_PROMISES_TOTAL`]).
    pub promises_total: usize,
    /// Deepest chain of calls ([`MAX_CALL_DEPTH`]).
    pub call_depth: usize,
    /// Most elements of one array ([`MAX_ARRAY_LEN`]).
    pub array_len: usize,
    /// Longest `spin(ms)`, and most blocking in one stretch ([`MAX_SPIN_MS`]).
    pub spin_ms: f64,
    /// Latest time a timer may be set for ([`MAX_RUN_MS`]).
    pub run_ms: f64,
    /// Longest string ([`MAX_STRING_BYTES`]).
    pub string_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            steps_per_stretch: MAX_STEPS_PER_STRETCH,
            steps_total: MAX_STEPS_TOTAL,
            pending_promises: MAX_PENDING_PROMISES,
            promises_total: MAX_PROMISES_TOTAL,
            call_depth: MAX_CALL_DEPTH,
            array_len: MAX_ARRAY_LEN,
            spin_ms: MAX_SPIN_MS,
            run_ms: MAX_RUN_MS,
            string_bytes: MAX_STRING_BYTES,
        }
    }
}

impl Limit {
    /// A sentence naming the limit and its value in `limits`.
    pub fn message(self, limits: &Limits) -> String {
        match self {
            Limit::StepsPerStretch => format!(
                "step limit: more than {} steps without waiting (an endless loop?)",
                limits.steps_per_stretch
            ),
            Limit::StepsTotal => {
                format!("step limit: more than {} steps in all", limits.steps_total)
            }
            Limit::PendingPromises => format!(
                "promise limit: more than {} promises pending at once",
                limits.pending_promises
            ),
            Limit::PromisesTotal => format!(
                "promise limit: more than {} promises in all",
                limits.promises_total
            ),
            Limit::CallDepth => format!(
                "recursion limit: calls nested more than {} deep",
                limits.call_depth
            ),
            Limit::ArrayLen => format!(
                "array limit: an array of more than {} elements",
                limits.array_len
            ),
            Limit::Blocking => format!(
                "blocking limit: spin blocked the page for more than {} ms without a pause",
                limits.spin_ms
            ),
            Limit::StringLen => format!(
                "string limit: a string of more than {} bytes",
                limits.string_bytes
            ),
            Limit::Duration => format!(
                "time limit: a timer set for after {} ms from the start",
                limits.run_ms
            ),
        }
    }
}
