//! The message protocol between the page and its Web Workers.
//!
//! Messages are typed enums, sent as JSON strings through `postMessage`. Every message about
//! work carries the `run_id` it belongs to, so a late answer from an old run can be recognised
//! and dropped. A worker posts [`FromWorker::Ready`] once its wasm has loaded: messages sent to it
//! before that would be lost.

use serde::{Deserialize, Serialize};

use crate::kernels::Job;

/// Page -> worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ToWorker {
    /// Answer with [`FromWorker::Pong`] for the same run id.
    Ping { run_id: u32 },
    /// Run a CPU job and answer [`FromWorker::Done`] or [`FromWorker::Failed`].
    Run { run_id: u32, job_id: u32, job: Job },
    /// Await a timer of `ms` inside the worker, then answer [`FromWorker::Done`]: a worker
    /// parked on I/O, held and doing nothing.
    Hold { run_id: u32, job_id: u32, ms: u32 },
}

/// Worker -> page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum FromWorker {
    /// The worker's wasm has loaded and it listens for messages.
    Ready,
    /// The answer to [`ToWorker::Ping`].
    Pong { run_id: u32 },
    /// A long job's progress: `done` of `total` parts computed so far.
    Progress {
        run_id: u32,
        job_id: u32,
        done: u32,
        total: u32,
    },
    /// A job finished: its output and the time it computed, measured inside the worker.
    Done {
        run_id: u32,
        job_id: u32,
        value: u64,
        compute_ms: f64,
    },
    /// A message the worker could not understand or a job that failed. With `fatal` the
    /// worker panicked and cannot be used again: replace it.
    Failed {
        run_id: Option<u32>,
        job_id: Option<u32>,
        message: String,
        fatal: bool,
    },
}

/// A message that could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtocolError(pub String);

impl std::fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "bad worker message: {}", self.0)
    }
}

impl std::error::Error for ProtocolError {}

/// Encodes a message for `postMessage`.
pub fn encode<T: Serialize>(msg: &T) -> String {
    // Serialising these plain enums cannot fail: no maps with non-string keys, no floats NaN.
    serde_json::to_string(msg)
        .unwrap_or_else(|e| format!("{{\"type\":\"EncodeError\",\"e\":\"{e}\"}}"))
}

/// Decodes a message received through `postMessage`.
pub fn decode<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, ProtocolError> {
    serde_json::from_str(text).map_err(|e| ProtocolError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_through_their_text_form() {
        for to in [
            ToWorker::Ping { run_id: 7 },
            ToWorker::Run {
                run_id: 1,
                job_id: 2,
                job: Job::CountPrimes { start: 2, end: 100 },
            },
            ToWorker::Hold {
                run_id: 1,
                job_id: 3,
                ms: 100,
            },
        ] {
            assert_eq!(decode::<ToWorker>(&encode(&to)), Ok(to));
        }
        for from in [
            FromWorker::Ready,
            FromWorker::Pong { run_id: 3 },
            FromWorker::Done {
                run_id: 1,
                job_id: 2,
                value: 25,
                compute_ms: 0.5,
            },
            FromWorker::Progress {
                run_id: 1,
                job_id: 2,
                done: 3,
                total: 10,
            },
            FromWorker::Failed {
                run_id: None,
                job_id: None,
                message: "x".into(),
                fatal: false,
            },
        ] {
            assert_eq!(decode::<FromWorker>(&encode(&from)), Ok(from));
        }
    }

    #[test]
    fn the_text_form_is_tagged_and_readable() {
        assert_eq!(
            encode(&ToWorker::Ping { run_id: 1 }),
            r#"{"type":"Ping","run_id":1}"#
        );
        assert_eq!(encode(&FromWorker::Ready), r#"{"type":"Ready"}"#);
        assert_eq!(
            encode(&ToWorker::Run {
                run_id: 1,
                job_id: 2,
                job: Job::Spin { ms: 5.0 }
            }),
            r#"{"type":"Run","run_id":1,"job_id":2,"job":{"type":"Spin","ms":5.0}}"#
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(decode::<ToWorker>("not json").is_err());
        assert!(decode::<ToWorker>(r#"{"type":"Nope"}"#).is_err());
        assert!(decode::<FromWorker>("").is_err());
    }
}
