//! The message protocol between the page and its Web Workers.
//!
//! Messages are typed enums, sent as JSON strings through `postMessage`. Every message about
//! work carries the `run_id` it belongs to, so a late answer from an old run can be recognised
//! and dropped. A worker posts [`FromWorker::Ready`] once its wasm has loaded: messages sent to it
//! before that would be lost.
//!
//! The text form is a flat object tagged with its variant, fields in declaration order:
//! `{"type":"Run","run_id":1,"job_id":2,"job":{"type":"Spin","ms":5.0}}`. It is written and read
//! by hand with [`crate::json_lite`] rather than serde_json, which was about a third of the
//! worker's wasm. The form is the one serde's derives wrote, and the tests pin it.

use crate::cpu::kernels::{Job, MandelbrotSpec};
use crate::json_lite::{parse_object, JsonError, Object, Writer};

/// Page -> worker.
#[derive(Clone, Debug, PartialEq)]
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
#[derive(Clone, Debug, PartialEq)]
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

impl From<JsonError> for ProtocolError {
    fn from(e: JsonError) -> Self {
        ProtocolError(e.0)
    }
}

/// Something with a JSON text form in the protocol: the two message enums, and the [`Job`] a
/// [`ToWorker::Run`] carries (also encodable alone).
pub trait Message: Sized {
    /// Writes the message as a JSON object.
    fn write(&self, w: &mut Writer);
    /// Reads the message from a JSON object.
    fn read(object: &Object) -> Result<Self, ProtocolError>;
}

/// Encodes a message for `postMessage`.
pub fn encode<T: Message>(msg: &T) -> String {
    let mut w = Writer::compact();
    msg.write(&mut w);
    w.finish()
}

/// Decodes a message received through `postMessage`.
pub fn decode<T: Message>(text: &str) -> Result<T, ProtocolError> {
    T::read(&parse_object(text)?)
}

/// Opens an object tagged with its variant's name, as every message starts; its fields follow,
/// then `end_object`.
fn tagged<'w>(w: &'w mut Writer, tag: &str) -> &'w mut Writer {
    w.begin_object().key("type").str(tag)
}

/// A nested object's result, its error saying which field it came from.
fn within<T, E: Into<ProtocolError>>(field: &str, r: Result<T, E>) -> Result<T, ProtocolError> {
    r.map_err(|e| ProtocolError(format!("in `{field}`: {}", e.into().0)))
}

/// The error for a `type` this side does not know.
fn unknown(what: &str, tag: &str, known: &str) -> ProtocolError {
    ProtocolError(format!("unknown {what} type {tag:?} (expected {known})"))
}

impl Message for ToWorker {
    fn write(&self, w: &mut Writer) {
        match self {
            ToWorker::Ping { run_id } => {
                tagged(w, "Ping").key("run_id").u64((*run_id).into());
            }
            ToWorker::Run {
                run_id,
                job_id,
                job,
            } => {
                tagged(w, "Run")
                    .key("run_id")
                    .u64((*run_id).into())
                    .key("job_id")
                    .u64((*job_id).into())
                    .key("job");
                job.write(w);
            }
            ToWorker::Hold { run_id, job_id, ms } => {
                tagged(w, "Hold")
                    .key("run_id")
                    .u64((*run_id).into())
                    .key("job_id")
                    .u64((*job_id).into())
                    .key("ms")
                    .u64((*ms).into());
            }
        }
        w.end_object();
    }

    fn read(o: &Object) -> Result<Self, ProtocolError> {
        Ok(match o.str("type")? {
            "Ping" => ToWorker::Ping {
                run_id: o.u32("run_id")?,
            },
            "Run" => ToWorker::Run {
                run_id: o.u32("run_id")?,
                job_id: o.u32("job_id")?,
                job: within("job", Job::read(o.object("job")?))?,
            },
            "Hold" => ToWorker::Hold {
                run_id: o.u32("run_id")?,
                job_id: o.u32("job_id")?,
                ms: o.u32("ms")?,
            },
            other => return Err(unknown("message", other, "Ping, Run or Hold")),
        })
    }
}

impl Message for FromWorker {
    fn write(&self, w: &mut Writer) {
        match self {
            FromWorker::Ready => {
                tagged(w, "Ready");
            }
            FromWorker::Pong { run_id } => {
                tagged(w, "Pong").key("run_id").u64((*run_id).into());
            }
            FromWorker::Progress {
                run_id,
                job_id,
                done,
                total,
            } => {
                tagged(w, "Progress")
                    .key("run_id")
                    .u64((*run_id).into())
                    .key("job_id")
                    .u64((*job_id).into())
                    .key("done")
                    .u64((*done).into())
                    .key("total")
                    .u64((*total).into());
            }
            FromWorker::Done {
                run_id,
                job_id,
                value,
                compute_ms,
            } => {
                tagged(w, "Done")
                    .key("run_id")
                    .u64((*run_id).into())
                    .key("job_id")
                    .u64((*job_id).into())
                    .key("value")
                    .u64(*value)
                    .key("compute_ms")
                    .f64_debug(*compute_ms);
            }
            FromWorker::Failed {
                run_id,
                job_id,
                message,
                fatal,
            } => {
                tagged(w, "Failed")
                    .key("run_id")
                    .opt_u64(run_id.map(u64::from))
                    .key("job_id")
                    .opt_u64(job_id.map(u64::from))
                    .key("message")
                    .str(message)
                    .key("fatal")
                    .bool(*fatal);
            }
        }
        w.end_object();
    }

    fn read(o: &Object) -> Result<Self, ProtocolError> {
        Ok(match o.str("type")? {
            "Ready" => FromWorker::Ready,
            "Pong" => FromWorker::Pong {
                run_id: o.u32("run_id")?,
            },
            "Progress" => FromWorker::Progress {
                run_id: o.u32("run_id")?,
                job_id: o.u32("job_id")?,
                done: o.u32("done")?,
                total: o.u32("total")?,
            },
            "Done" => FromWorker::Done {
                run_id: o.u32("run_id")?,
                job_id: o.u32("job_id")?,
                value: o.u64("value")?,
                compute_ms: o.f64("compute_ms")?,
            },
            "Failed" => FromWorker::Failed {
                run_id: o.opt_u32("run_id")?,
                job_id: o.opt_u32("job_id")?,
                message: o.str("message")?.to_string(),
                fatal: o.bool("fatal")?,
            },
            other => {
                return Err(unknown(
                    "message",
                    other,
                    "Ready, Pong, Progress, Done or Failed",
                ))
            }
        })
    }
}

impl Message for Job {
    fn write(&self, w: &mut Writer) {
        match self {
            Job::CountPrimes { start, end } => {
                tagged(w, "CountPrimes")
                    .key("start")
                    .u64(*start)
                    .key("end")
                    .u64(*end);
            }
            Job::Mandelbrot {
                spec,
                rows_start,
                rows_end,
            } => {
                tagged(w, "Mandelbrot")
                    .key("spec")
                    .begin_object()
                    .key("width")
                    .u64(spec.width.into())
                    .key("height")
                    .u64(spec.height.into())
                    .key("max_iter")
                    .u64(spec.max_iter.into())
                    .end_object()
                    .key("rows_start")
                    .u64((*rows_start).into())
                    .key("rows_end")
                    .u64((*rows_end).into());
            }
            Job::Spin { ms } => {
                tagged(w, "Spin").key("ms").f64_debug(*ms);
            }
            Job::Panic { message } => {
                tagged(w, "Panic").key("message").str(message);
            }
            Job::Stall { ms } => {
                tagged(w, "Stall").key("ms").f64_debug(*ms);
            }
        }
        w.end_object();
    }

    fn read(o: &Object) -> Result<Self, ProtocolError> {
        Ok(match o.str("type")? {
            "CountPrimes" => Job::CountPrimes {
                start: o.u64("start")?,
                end: o.u64("end")?,
            },
            "Mandelbrot" => Job::Mandelbrot {
                spec: within("spec", read_spec(o.object("spec")?))?,
                rows_start: o.u32("rows_start")?,
                rows_end: o.u32("rows_end")?,
            },
            "Spin" => Job::Spin { ms: o.f64("ms")? },
            "Panic" => Job::Panic {
                message: o.str("message")?.to_string(),
            },
            "Stall" => Job::Stall { ms: o.f64("ms")? },
            other => {
                return Err(unknown(
                    "job",
                    other,
                    "CountPrimes, Mandelbrot, Spin, Panic or Stall",
                ))
            }
        })
    }
}

fn read_spec(o: &Object) -> Result<MandelbrotSpec, JsonError> {
    Ok(MandelbrotSpec {
        width: o.u32("width")?,
        height: o.u32("height")?,
        max_iter: o.u32("max_iter")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
            Job::Spin { ms: 5.0 },
            Job::Panic {
                message: "boom".into(),
            },
            Job::Stall { ms: 8000.0 },
        ]
    }

    #[test]
    fn messages_round_trip_through_their_text_form() {
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
        for to in to {
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
            FromWorker::Done {
                run_id: 1,
                job_id: 2,
                value: u64::MAX,
                compute_ms: 1234.5,
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
            FromWorker::Failed {
                run_id: Some(4),
                job_id: Some(0),
                message: "the job panicked: \"quoted\" \\ back\nslash, tab\t, \u{1}, é, 数, 😀"
                    .into(),
                fatal: true,
            },
        ] {
            assert_eq!(decode::<FromWorker>(&encode(&from)), Ok(from));
        }
    }

    #[test]
    fn jobs_round_trip_alone_too() {
        for job in every_job() {
            let text = encode(&job);
            assert_eq!(
                decode::<Job>(&text),
                Ok(job),
                "{text} should decode to the job it came from"
            );
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
    fn the_text_form_is_the_one_serde_wrote() {
        // Each pinned text is what serde_json wrote for the derived enums before the codec was
        // written by hand: both sides of an old and a new build still agree.
        for (msg, text) in [
            (
                ToWorker::Hold {
                    run_id: 1,
                    job_id: 3,
                    ms: 100,
                },
                r#"{"type":"Hold","run_id":1,"job_id":3,"ms":100}"#,
            ),
            (
                ToWorker::Run {
                    run_id: 1,
                    job_id: 2,
                    job: Job::Mandelbrot {
                        spec: MandelbrotSpec::default(),
                        rows_start: 75,
                        rows_end: 150,
                    },
                },
                r#"{"type":"Run","run_id":1,"job_id":2,"job":{"type":"Mandelbrot","spec":{"width":800,"height":600,"max_iter":500},"rows_start":75,"rows_end":150}}"#,
            ),
        ] {
            assert_eq!(encode(&msg), text);
        }
        for (job, text) in [
            (
                Job::CountPrimes { start: 2, end: 100 },
                r#"{"type":"CountPrimes","start":2,"end":100}"#,
            ),
            (
                Job::Panic {
                    message: "boom".into(),
                },
                r#"{"type":"Panic","message":"boom"}"#,
            ),
            (Job::Stall { ms: 8000.0 }, r#"{"type":"Stall","ms":8000.0}"#),
        ] {
            assert_eq!(encode(&job), text);
        }
        for (msg, text) in [
            (
                FromWorker::Pong { run_id: 3 },
                r#"{"type":"Pong","run_id":3}"#,
            ),
            (
                FromWorker::Progress {
                    run_id: 1,
                    job_id: 2,
                    done: 3,
                    total: 10,
                },
                r#"{"type":"Progress","run_id":1,"job_id":2,"done":3,"total":10}"#,
            ),
            (
                FromWorker::Done {
                    run_id: 1,
                    job_id: 2,
                    value: 25,
                    compute_ms: 0.5,
                },
                r#"{"type":"Done","run_id":1,"job_id":2,"value":25,"compute_ms":0.5}"#,
            ),
            (
                FromWorker::Failed {
                    run_id: None,
                    job_id: Some(2),
                    message: "a \"b\"\n".into(),
                    fatal: true,
                },
                r#"{"type":"Failed","run_id":null,"job_id":2,"message":"a \"b\"\n","fatal":true}"#,
            ),
        ] {
            assert_eq!(encode(&msg), text);
        }
    }

    #[test]
    fn what_serde_also_accepted_still_decodes() {
        assert_eq!(
            decode::<FromWorker>(
                r#" { "fatal" : false, "message" : "x", "type" : "Failed", "extra": [1, {}] } "#
            ),
            Ok(FromWorker::Failed {
                run_id: None,
                job_id: None,
                message: "x".into(),
                fatal: false,
            }),
            "any field order, whitespace, unknown fields skipped, absent options None"
        );
        assert_eq!(
            decode::<ToWorker>(
                r#"{"type":"Run","run_id":1,"job_id":2,"job":{"type":"Spin","ms":5}}"#
            ),
            Ok(ToWorker::Run {
                run_id: 1,
                job_id: 2,
                job: Job::Spin { ms: 5.0 }
            }),
            "a whole number where a float is expected"
        );
    }

    fn error<T: Message + std::fmt::Debug>(text: &str) -> String {
        match decode::<T>(text) {
            Ok(msg) => panic!("{text:?} should be refused, decoded as {msg:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(decode::<ToWorker>("not json").is_err());
        assert!(decode::<ToWorker>(r#"{"type":"Nope"}"#).is_err());
        assert!(decode::<FromWorker>("").is_err());
        assert_eq!(
            error::<FromWorker>(""),
            "bad worker message: the text ends too soon: expected a JSON object"
        );
        assert_eq!(
            error::<ToWorker>("not json"),
            "bad worker message: expected a JSON object at byte 0, found 'n'"
        );
    }

    #[test]
    fn truncated_messages_are_errors_at_every_length() {
        let text = encode(&ToWorker::Run {
            run_id: 1,
            job_id: 2,
            job: Job::Panic {
                message: "é \"x\" \\ 😀".into(),
            },
        });
        for (cut, _) in text.char_indices() {
            let e = error::<ToWorker>(&text[..cut]);
            assert!(e.starts_with("bad worker message: "), "{e}");
        }
    }

    #[test]
    fn unknown_types_and_missing_or_wrong_fields_say_what_is_wrong() {
        for (text, message) in [
            (r#"{"type":"Nope"}"#, r#"unknown message type "Nope" (expected Ping, Run or Hold)"#),
            (r#"{"run_id":1}"#, "missing field `type`"),
            (r#"{"type":7}"#, "`type` must be a string, not a number"),
            (r#"{"type":"Ping"}"#, "missing field `run_id`"),
            (r#"{"type":"Ping","run_id":"1"}"#, "`run_id` must be a whole number, not a string"),
            (r#"{"type":"Ping","run_id":-1}"#, "`run_id` must be a whole number from 0 to 4294967295, not -1"),
            (r#"{"type":"Ping","run_id":1.5}"#, "`run_id` must be a whole number from 0 to 4294967295, not 1.5"),
            (r#"{"type":"Ping","run_id":null}"#, "`run_id` must be a whole number, not null"),
            (r#"{"type":"Hold","run_id":1,"job_id":2,"ms":4294967296}"#, "`ms` must be a whole number from 0 to 4294967295, not 4294967296"),
            (r#"{"type":"Run","run_id":1,"job_id":2}"#, "missing field `job`"),
            (r#"{"type":"Run","run_id":1,"job_id":2,"job":"Spin"}"#, "`job` must be an object, not a string"),
            (r#"{"type":"Run","run_id":1,"job_id":2,"job":{"type":"Sleep"}}"#, r#"in `job`: unknown job type "Sleep" (expected CountPrimes, Mandelbrot, Spin, Panic or Stall)"#),
            (r#"{"type":"Run","run_id":1,"job_id":2,"job":{"type":"Spin","ms":true}}"#, "in `job`: `ms` must be a number, not a boolean"),
            (r#"{"type":"Run","run_id":1,"job_id":2,"job":{"type":"Spin","ms":1e999}}"#, "in `job`: `ms` is out of range: 1e999"),
            (r#"{"type":"Run","run_id":1,"job_id":2,"job":{"type":"CountPrimes","start":0,"end":18446744073709551616}}"#, "in `job`: `end` must be a whole number from 0 to 18446744073709551615, not 18446744073709551616"),
            (r#"{"type":"Run","run_id":1,"job_id":2,"job":{"type":"Mandelbrot","spec":{"width":8,"height":6},"rows_start":0,"rows_end":1}}"#, "in `job`: in `spec`: missing field `max_iter`"),
            (r#"{"type":"Run","run_id":1,"job_id":2,"job":{"type":"Panic","message":["boom"]}}"#, "in `job`: `message` must be a string, not an array"),
        ] {
            assert_eq!(error::<ToWorker>(text), format!("bad worker message: {message}"), "{text}");
        }
        for (text, message) in [
            (
                r#"{"type":"Run"}"#,
                r#"unknown message type "Run" (expected Ready, Pong, Progress, Done or Failed)"#,
            ),
            (
                r#"{"type":"Done","run_id":1,"job_id":2,"value":1,"compute_ms":null}"#,
                "`compute_ms` must be a number, not null",
            ),
            (
                r#"{"type":"Failed","message":"x","fatal":"no"}"#,
                "`fatal` must be true or false, not a string",
            ),
            (
                r#"{"type":"Failed","fatal":true}"#,
                "missing field `message`",
            ),
            (
                r#"{"type":"Failed","run_id":-3,"message":"x","fatal":true}"#,
                "`run_id` must be a whole number from 0 to 4294967295, not -3",
            ),
        ] {
            assert_eq!(
                error::<FromWorker>(text),
                format!("bad worker message: {message}"),
                "{text}"
            );
        }
    }

    #[test]
    fn strings_in_messages_keep_every_character() {
        let message = "ümlaut, 数字, emoji 😀, quote \", backslash \\, newline \n, nul \u{0}";
        let text = encode(&FromWorker::Failed {
            run_id: Some(1),
            job_id: Some(2),
            message: message.into(),
            fatal: false,
        });
        assert!(
            text.contains(
                r#""ümlaut, 数字, emoji 😀, quote \", backslash \\, newline \n, nul \u0000""#
            ),
            "non-ASCII as is, the rest escaped: {text}"
        );
        // Escapes another writer may use read back too (JSON.stringify writes none of these,
        // but a hand-written message might).
        assert_eq!(
            decode::<FromWorker>(
                r#"{"type":"Failed","run_id":1,"job_id":2,"message":"\u00fcmlaut \ud83d\ude00 \/","fatal":false}"#
            ),
            Ok(FromWorker::Failed {
                run_id: Some(1),
                job_id: Some(2),
                message: "ümlaut 😀 /".into(),
                fatal: false,
            })
        );
    }
}
