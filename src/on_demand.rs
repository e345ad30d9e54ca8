//! The messages between the page and the on-demand worker, which writes the texts the page
//! needs only now and then: "the code behind it" ([`crate::code_request`]), the exports' CSV
//! and SVG file ([`crate::trace::export`]). (The speedup curve and the repeated runs' table are
//! drawn in the page.)
//!
//! Their writers are a good part of the app's wasm (the code generator alone about a tenth),
//! and most visits never ask for them. So they live in a worker of their own
//! (`src/bin/ondemand.rs`), loaded the first time the page asks for one of its texts
//! ([`crate::web::on_demand`]): one worker for all of them, as each wasm carries a runtime of
//! its own.
//!
//! Both messages are plain text, one field a line, the free text last:
//! - request: `id`, kind, then what the kind needs ([`Request`]): for `code` the lines of
//!   [`CodeRequest`], for `csv` the trace export's JSON, for `svg` a JSON object of the
//!   file's parts;
//! - answer: `id`, `ok` or `error`, then the text or why there is none ([`Answer`]).
//!
//! The JSON goes through [`crate::json_lite`], which the page links anyway; the worker reads
//! its floats back exactly, so that each text is byte for byte the one the page would write.
//!
//! Before it is sent anything, the worker posts [`READY`] (messages sent earlier would be lost).

use crate::code_request::CodeRequest;
use crate::json_lite::{parse_object, JsonError, Object, Writer};
use crate::trace::export::{self, SvgPart};

/// What the on-demand worker posts once it listens.
pub const READY: &str = "ready";

/// Page -> on-demand worker: a text to write.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    /// The code of a scenario in a language.
    Code(CodeRequest),
    /// The traces of a run as CSV ([`export::trace_csv`]), sent as the trace export's JSON
    /// ([`export::trace_json`]), which the page writes for "Trace as JSON" anyway.
    Csv { trace_json: String },
    /// Charts serialised from the page as one SVG file ([`export::svg_document`] with
    /// [`export::CHART_CSS`]).
    Svg { title: String, parts: Vec<SvgPart> },
}

impl Request {
    /// The kind's name in the message.
    fn kind(&self) -> &'static str {
        match self {
            Request::Code(_) => "code",
            Request::Csv { .. } => "csv",
            Request::Svg { .. } => "svg",
        }
    }

    /// The text posted to the worker, as request `id` (which its answer carries back).
    pub fn encode(&self, id: u32) -> String {
        let head = format!("{id}\n{}\n", self.kind());
        let body = match self {
            Request::Code(code) => code.encode(),
            // Appended as it is: a long run's trace is megabytes, copied once rather than twice.
            Request::Csv { trace_json } => return head + trace_json,
            Request::Svg { title, parts } => {
                json_body(&[("title", title)], "parts", parts, |w, part| {
                    w.key("heading").str(&part.heading);
                    w.key("markup").str(&part.markup);
                    w.key("width").f64(part.width);
                    w.key("height").f64(part.height);
                })
            }
        };
        head + &body
    }

    /// Reads a request and its id; a message that is not one is an error, never a panic. The
    /// id is read first, so that an error about the rest can still be answered to its sender.
    pub fn decode(text: &str) -> (u32, Result<Request, String>) {
        let mut lines = text.splitn(3, '\n');
        let Some(id) = lines.next().and_then(|id| id.parse().ok()) else {
            return (0, Err(format!("bad request: no id in {:?}", short(text))));
        };
        let kind = lines.next().unwrap_or_default();
        let body = lines.next().unwrap_or_default();
        let request = match kind {
            "code" => CodeRequest::decode(body).map(Request::Code),
            "csv" => Ok(Request::Csv {
                trace_json: body.to_string(),
            }),
            "svg" => read_svg(body).map_err(|e| format!("bad svg request: {e}")),
            _ => Err(format!("bad request: no kind {:?}", short(kind))),
        };
        (id, request)
    }

    /// The text asked for, or why there is none.
    pub fn answer(&self) -> Result<String, String> {
        match self {
            Request::Code(code) => code.answer(),
            Request::Csv { trace_json } => export::trace_csv_of_json(trace_json)
                .map_err(|e| format!("the trace could not be read: {e}")),
            Request::Svg { title, parts } => {
                Ok(export::svg_document(title, parts, export::CHART_CSS))
            }
        }
    }
}

/// The JSON body of an export request: an object of the string `fields`, then the array `list`
/// of one object per item, whose fields `write` writes.
fn json_body<T>(
    fields: &[(&str, &str)],
    list: &str,
    items: &[T],
    write: impl Fn(&mut Writer, &T),
) -> String {
    let mut w = Writer::compact();
    w.begin_object();
    for (key, value) in fields {
        w.key(key).str(value);
    }
    w.key(list).begin_array();
    for item in items {
        w.begin_object();
        write(&mut w, item);
        w.end_object();
    }
    w.end_array().end_object();
    w.finish()
}

/// The items of the array field `key` of `o`, each read by `read`.
fn read_items<T>(
    o: &Object,
    key: &str,
    read: impl Fn(&Object) -> Result<T, JsonError>,
) -> Result<Vec<T>, JsonError> {
    o.array(key)?
        .iter()
        .map(|v| v.object(key).and_then(&read))
        .collect()
}

/// A [`Request::Svg`] from its JSON. A size that was not finite (written `null`) reads as NaN,
/// which the document treats as it treated the original.
fn read_svg(body: &str) -> Result<Request, JsonError> {
    let o = parse_object(body)?;
    Ok(Request::Svg {
        title: o.str("title")?.to_string(),
        parts: read_items(&o, "parts", |part| {
            Ok(SvgPart {
                heading: part.str("heading")?.to_string(),
                markup: part.str("markup")?.to_string(),
                width: part.field("width")?.exact_f64("width")?,
                height: part.field("height")?.exact_f64("height")?,
            })
        })?,
    })
}

/// On-demand worker -> page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The id of the request answered (0 if the request's id could not be read).
    pub id: u32,
    /// The text, or why there is none.
    pub text: Result<String, String>,
}

impl Answer {
    /// The text posted back to the page.
    pub fn encode(&self) -> String {
        let (status, text) = match &self.text {
            Ok(text) => ("ok", text),
            Err(e) => ("error", e),
        };
        format!("{}\n{status}\n{text}", self.id)
    }

    /// Reads an answer; a message that is not one is an error, never a panic.
    pub fn decode(text: &str) -> Result<Answer, String> {
        let mut lines = text.splitn(3, '\n');
        let bad = || format!("bad answer from the on-demand worker: {:?}", short(text));
        let id = lines.next().and_then(|l| l.parse().ok()).ok_or_else(bad)?;
        let status = lines.next().ok_or_else(bad)?;
        let body = lines.next().unwrap_or_default().to_string();
        let text = match status {
            "ok" => Ok(body),
            "error" => Err(body),
            _ => return Err(bad()),
        };
        Ok(Answer { id, text })
    }
}

/// The worker's whole job: reads a request and writes the answer's text.
pub fn answer(request: &str) -> String {
    let (id, request) = Request::decode(request);
    Answer {
        id,
        text: request.and_then(|r| r.answer()),
    }
    .encode()
}

/// At most the first 40 characters of `text`, for messages.
pub(crate) fn short(text: &str) -> String {
    text.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codegen::Lang;
    use crate::model::editor::Draft;
    use crate::model::scenario::Experiment;

    fn code(lang: Lang) -> Request {
        Request::Code(CodeRequest {
            lang,
            cores: 4,
            fragment: crate::code_request::fragment_of(&Draft::preset(Experiment::WhenAll)),
        })
    }

    #[test]
    fn a_request_round_trips_through_its_text_with_its_id() {
        for id in [0, 7, u32::MAX] {
            let req = code(Lang::Python);
            assert_eq!(Request::decode(&req.encode(id)), (id, Ok(req)));
        }
    }

    #[test]
    fn the_worker_answers_each_request_under_its_id() {
        let req = code(Lang::Rust);
        let a = Answer::decode(&answer(&req.encode(42))).unwrap();
        assert_eq!(
            a,
            Answer {
                id: 42,
                text: req.answer()
            }
        );
        assert!(a.text.unwrap().contains("join_all"));
    }

    /// The text the worker answers `request` with, through both messages' text.
    fn answered(request: &Request) -> Result<String, String> {
        let text = answer(&request.encode(9));
        let a = Answer::decode(&text).unwrap();
        assert_eq!(a.id, 9);
        a.text
    }

    fn svg() -> Request {
        let timeline = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" viewBox=\"0 0 720 120.5\"><rect class=\"bar bar-completed\" x=\"72\" width=\"63\" height=\"14\"/><text>a &lt; b \"q\"\n</text></svg>";
        let part = |heading: &str, width, height| SvgPart {
            heading: heading.into(),
            markup: timeline.into(),
            width,
            height,
        };
        Request::Svg {
            title: "A & B <\"q\"> 😀".into(),
            parts: vec![
                part("Measured against ideal", 720.0, 120.5),
                part("Sequential <awaits>", 600.125, 80.000_000_000_000_01),
                part("", 1.0 / 3.0, 0.0),
            ],
        }
    }

    #[test]
    fn export_requests_round_trip_through_their_text() {
        assert_eq!(Request::decode(&svg().encode(5)), (5, Ok(svg())));
        let csv = Request::Csv {
            trace_json: "{\n  \"a\": 1\n}".into(),
        };
        assert_eq!(Request::decode(&csv.encode(6)), (6, Ok(csv)));
    }

    #[test]
    fn the_worker_writes_the_svg_file_the_page_would_have_written() {
        let Request::Svg { title, parts } = svg() else {
            unreachable!()
        };
        assert_eq!(
            answered(&svg()),
            Ok(export::svg_document(&title, &parts, export::CHART_CSS))
        );
        // A size that is not finite is sent as `null` and drawn as it was.
        let odd = vec![SvgPart {
            width: f64::NAN,
            height: f64::NEG_INFINITY,
            ..parts[0].clone()
        }];
        assert_eq!(
            answered(&Request::Svg {
                title: title.clone(),
                parts: odd.clone()
            }),
            Ok(export::svg_document(&title, &odd, export::CHART_CSS))
        );
    }

    #[test]
    fn the_worker_writes_the_csv_of_the_trace_export_it_is_sent() {
        let t = {
            let mut t = crate::trace::Trace::new(2);
            t.start(0, 0, 0, 0.123_456_789_000_001);
            t.end(0, 500.000_499_999_999_9, crate::trace::Outcome::Completed);
            t.start(1, 1, 0, 1.5);
            t
        };
        let lanes = [export::TraceLane {
            id: "all",
            name: "All, \"at once\"",
            ideal_ms: Some(500.0),
            trace: &t,
        }];
        let trace_json = export::trace_json("when-all", "#v=1", &lanes);
        assert_eq!(
            answered(&Request::Csv { trace_json }),
            Ok(export::trace_csv(&lanes))
        );
        let refused = answered(&Request::Csv {
            trace_json: "{}".into(),
        });
        assert!(
            refused
                .unwrap_err()
                .starts_with("the trace could not be read"),
            "a text that is not a trace export"
        );
    }

    #[test]
    fn an_answer_round_trips_with_newlines_in_its_text() {
        for text in [
            Ok("a\nb\n\nc".to_string()),
            Err("no\nway".to_string()),
            Ok(String::new()),
        ] {
            let a = Answer { id: 3, text };
            assert_eq!(Answer::decode(&a.encode()), Ok(a));
        }
    }

    #[test]
    fn garbage_is_answered_with_an_error_not_a_panic() {
        for (text, id) in [
            ("", 0),
            ("x", 0),
            ("1", 1),
            ("1\nklingon\n", 1),
            ("2\ncode\n1\nklingon\n4\nv=1", 2),
            ("3\ncode\nrust\nmany\nv=1", 3),
            ("4\ncode\nrust\n4", 4),
            ("5\nmarkdown\n{}", 5),
            ("6\nsvg\n{\"title\":\"t\",\"parts\":[{\"heading\":1}]}", 6),
            ("7\ncsv\nnot json", 7),
            ("8\nsvg", 8),
            (
                "9\nspeedup\n{\"serial\":0.1,\"cores\":2,\"points\":[{\"ms\":1}]}",
                9,
            ),
        ] {
            let a = Answer::decode(&answer(text)).unwrap();
            assert_eq!(a.id, id, "{text:?}");
            assert!(a.text.is_err(), "{text:?}");
        }
        for text in ["", "1", "x\nok\n", "1\nmaybe\n"] {
            assert!(Answer::decode(text).is_err(), "{text:?}");
        }
    }
}
