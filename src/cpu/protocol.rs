//! The message protocol between the page and its Web Workers.
//!
//! Messages are typed enums that derive serde's `Serialize`/`Deserialize`; the browser layer
//! posts them as structured-clone values (`serde-wasm-bindgen`, see `crate::web::message`), not
//! as JSON text. Every message about work carries the `run_id` it belongs to, so a late answer
//! from an old run can be recognised and dropped. A worker posts [`FromWorker::Ready`] once its
//! wasm has loaded: messages sent to it before that would be lost.
//!
//! The value is serde's default for an enum, the variant's name as the key of its fields:
//! `{Run: {run_id: 1, job_id: 2, job: {Spin: {ms: 5}}}}`, and a variant without fields as its
//! name alone (`"Ready"`). Both sides are built from this file, so nothing else depends on it.

use serde::{Deserialize, Serialize};

use crate::cpu::kernels::Job;
/// Page -> worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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

/// Why a message could not be posted or read. Never a panic: a worker answers a message it
/// cannot read with [`FromWorker::Failed`], the page takes one as the worker's failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProtocolError {
    /// The value received is not a message of this protocol; what the decoder said.
    Undecodable(String),
    /// The message could not be turned into a value to post; what the encoder said.
    Unencodable(String),
}

impl std::fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProtocolError::Undecodable(why) => write!(f, "bad worker message: {why}"),
            ProtocolError::Unencodable(why) => write!(f, "cannot write a worker message: {why}"),
        }
    }
}

impl std::error::Error for ProtocolError {}

/// Why the page could not get an answer from a worker. Said to people by its `Display`, in
/// the run's error line and the pool's status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WorkerError {
    /// The worker could not be started, or its script or wasm loaded: what the browser said.
    CannotStart(String),
    /// A message could not be written or read.
    Protocol(ProtocolError),
    /// The worker threw (an error event): the browser's message.
    Crashed(String),
    /// The worker is gone: terminated, or its messages closed.
    Gone,
    /// It sent nothing for this long, ms.
    Silent { ms: u32 },
    /// It answered out of turn: what it said.
    OutOfTurn(String),
    /// It ran the job and reported a failure: its message.
    Failed(String),
}

impl std::fmt::Display for WorkerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WorkerError::CannotStart(why) => f.write_str(why),
            WorkerError::Protocol(e) => write!(f, "{e}"),
            WorkerError::Crashed(why) => write!(f, "the worker crashed: {why}"),
            WorkerError::Gone => f.write_str("the worker is gone"),
            WorkerError::Silent { ms } => write!(f, "the worker did not answer within {ms} ms"),
            WorkerError::OutOfTurn(what) => write!(f, "the worker said {what} out of turn"),
            WorkerError::Failed(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for WorkerError {}

impl From<ProtocolError> for WorkerError {
    fn from(e: ProtocolError) -> Self {
        WorkerError::Protocol(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::kernels::MandelbrotSpec;

    fn every_job() -> Vec<Job> {
        vec![
            Job::CountPrimes {
                start: 2,
                end: 5_000_000,
            },
            Job::CountPrimes {
                start: 0,
                end: u64::MAX,
            },
            Job::Mandelbrot {
                spec: MandelbrotSpec::default(),
                rows_start: 75,
                rows_end: 150,
            },
            Job::Spin { ms: 250.5 },
            Job::Panic {
                message: "boom".into(),
            },
            Job::Stall { ms: 8000.0 },
        ]
    }

    /// `msg` through serde's derives and back (serde_json stands in for serde-wasm-bindgen,
    /// which needs a browser: tests/browser.rs posts real messages).
    fn round_trip<T: Serialize + for<'de> Deserialize<'de>>(msg: &T) -> T {
        let text = serde_json::to_string(msg).expect("every message serialises");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn every_message_round_trips_through_its_derives() {
        let mut to = vec![
            ToWorker::Ping { run_id: 7 },
            ToWorker::Hold {
                run_id: 1,
                job_id: 3,
                ms: 100,
            },
        ];
        to.extend(every_job().into_iter().map(|job| ToWorker::Run {
            run_id: u32::MAX,
            job_id: 2,
            job,
        }));
        for msg in to {
            assert_eq!(round_trip(&msg), msg);
        }
        for msg in [
            FromWorker::Ready,
            FromWorker::Pong { run_id: 3 },
            FromWorker::Progress {
                run_id: 1,
                job_id: 2,
                done: 3,
                total: 10,
            },
            FromWorker::Done {
                run_id: 1,
                job_id: 2,
                value: u64::MAX,
                compute_ms: 1234.5,
            },
            FromWorker::Failed {
                run_id: None,
                job_id: Some(0),
                message: "the job panicked: \"quoted\" \\ back\nslash, é, 数, 😀".into(),
                fatal: true,
            },
        ] {
            assert_eq!(round_trip(&msg), msg);
        }
    }

    #[test]
    fn a_message_is_its_variant_name_holding_its_fields() {
        assert_eq!(
            serde_json::to_string(&FromWorker::Ready).unwrap(),
            r#""Ready""#
        );
        let run = ToWorker::Run {
            run_id: 1,
            job_id: 2,
            job: Job::Spin { ms: 5.0 },
        };
        assert_eq!(
            serde_json::to_string(&run).unwrap(),
            r#"{"Run":{"run_id":1,"job_id":2,"job":{"Spin":{"ms":5.0}}}}"#
        );
    }

    #[test]
    fn protocol_errors_say_which_way_they_went_wrong() {
        assert_eq!(
            ProtocolError::Undecodable("missing field `run_id`".into()).to_string(),
            "bad worker message: missing field `run_id`"
        );
        assert_eq!(
            ProtocolError::Unencodable("no".into()).to_string(),
            "cannot write a worker message: no"
        );
    }

    #[test]
    fn worker_errors_read_as_sentences() {
        assert_eq!(WorkerError::Gone.to_string(), "the worker is gone");
        assert_eq!(
            WorkerError::Silent { ms: 15_000 }.to_string(),
            "the worker did not answer within 15000 ms"
        );
        assert_eq!(
            WorkerError::Crashed("out of memory".into()).to_string(),
            "the worker crashed: out of memory"
        );
        assert_eq!(
            WorkerError::from(ProtocolError::Undecodable("missing field `job`".into())).to_string(),
            "bad worker message: missing field `job`"
        );
        assert_eq!(
            WorkerError::CannotStart("cannot start a worker: no base URL".into()).to_string(),
            "cannot start a worker: no base URL"
        );
    }
}
