//! The messages between the page and the on-demand worker, which writes the texts the page
//! needs only now and then: "the code behind it" ([`crate::code_request`]), the exports' CSV,
//! JSON and SVG files ([`crate::trace::export`]). (The speedup curve and the repeated runs' table are
//! drawn in the page.)
//!
//! Their writers are a good part of the app's wasm (the code generator alone about a tenth),
//! and most visits never ask for them. So they live in a worker of their own
//! (`src/bin/ondemand.rs`), loaded the first time the page asks for one of its texts
//! ([`crate::web::on_demand`]): one worker for all of them, as each wasm carries a runtime of
//! its own.
//!
//! The messages are serde types posted as structured-clone values (`crate::web::message`), as
//! the CPU worker's are: the page sends a [`ToOnDemand`], the request's id once and one
//! [`Request`] of the kinds of text; the worker answers a [`FromOnDemand::Answer`] under the same
//! id, the text or why there is none ([`OnDemandError`]). Numbers arrive as the page had them,
//! so each text is byte for byte the one the page would write.
//!
//! Before it is sent anything, the worker posts [`FromOnDemand::Ready`] (messages sent earlier
//! would be lost).

use serde::{Deserialize, Serialize};

use crate::code_request::CodeRequest;
use crate::trace::export::{self, ExportLane, SvgPart};

/// Page -> on-demand worker: a text to write.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// The code of a scenario in a language.
    Code(CodeRequest),
    /// The traces of a run as CSV ([`export::trace_csv`]).
    Csv { lanes: Vec<ExportLane> },
    /// The traces of a run as the "Trace as JSON" file ([`export::trace_json`]) of
    /// `experiment` (its id) and `link` (its share link).
    TraceJson {
        experiment: String,
        link: String,
        lanes: Vec<ExportLane>,
    },
    /// Charts serialised from the page as one SVG file ([`export::svg_document`] with
    /// [`export::CHART_CSS`]).
    Svg { title: String, parts: Vec<SvgPart> },
}

/// Why the on-demand worker wrote no text. Sent back in the answer; said to people by its
/// `Display`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OnDemandError {
    /// The message was not a request; what the decoder said.
    BadRequest(String),
    /// A code request's scenario does not build (the page never sends one).
    ScenarioNeedsFixing,
}

impl std::fmt::Display for OnDemandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OnDemandError::BadRequest(why) => write!(f, "bad request: {why}"),
            OnDemandError::ScenarioNeedsFixing => {
                f.write_str("the scenario has fields that need fixing")
            }
        }
    }
}

impl std::error::Error for OnDemandError {}

/// Why the page got no text from the on-demand worker. Said to people by its `Display`, after
/// the name of what was asked for ("CSV failed: …").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AskError {
    /// The worker could not be loaded; what the browser said, if anything.
    NotLoaded(Option<String>),
    /// The worker did not say it was ready within this many seconds.
    LoadTimedOut { s: u32 },
    /// The worker stopped (it threw, or was stopped); what the browser said, if anything.
    Stopped(Option<String>),
    /// The request could not be sent; what went wrong.
    Unsent(String),
    /// The worker's answer could not be read; what the decoder said.
    Unreadable(String),
    /// The worker read the request and wrote no text: why.
    Refused(OnDemandError),
}

impl std::fmt::Display for AskError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let who = "the worker that writes it";
        match self {
            AskError::NotLoaded(None) => write!(f, "{who} could not be loaded"),
            AskError::NotLoaded(Some(why)) => write!(f, "{who} could not be loaded: {why}"),
            AskError::LoadTimedOut { s } => write!(f, "{who} did not load within {s} s"),
            AskError::Stopped(None) => write!(f, "{who} was stopped"),
            AskError::Stopped(Some(why)) => write!(f, "{who} stopped: {why}"),
            AskError::Unsent(why) => write!(f, "{who} could not be sent the request ({why})"),
            AskError::Unreadable(why) => {
                write!(f, "{who} answered in a way the page cannot read ({why})")
            }
            AskError::Refused(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for AskError {}

/// Page -> on-demand worker: request `id`, which its answer carries back, and what to write.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ToOnDemand {
    pub id: u32,
    pub request: Request,
}

/// Only the id of a [`ToOnDemand`]: read when the whole request cannot be, so that the error
/// still goes back to its sender (fields other than `id` are skipped).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub struct RequestId {
    pub id: u32,
}

/// On-demand worker -> page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FromOnDemand {
    /// The worker listens: requests posted before this would be lost.
    Ready,
    /// The answer to request `id` (0 if the request's id could not be read): the text, or why
    /// there is none.
    Answer {
        id: u32,
        text: Result<String, OnDemandError>,
    },
}

impl Request {
    /// The text asked for, or why there is none.
    pub fn answer(&self) -> Result<String, OnDemandError> {
        match self {
            Request::Code(code) => code.answer().ok_or(OnDemandError::ScenarioNeedsFixing),
            Request::Csv { lanes } => Ok(export::trace_csv_of(lanes)),
            Request::TraceJson {
                experiment,
                link,
                lanes,
            } => Ok(export::trace_json_of(experiment, link, lanes)),
            Request::Svg { title, parts } => {
                Ok(export::svg_document(title, parts, export::CHART_CSS))
            }
        }
    }
}

impl ToOnDemand {
    /// The worker's whole job: the answer to this request, under its id.
    pub fn answer(&self) -> FromOnDemand {
        FromOnDemand::Answer {
            id: self.id,
            text: self.request.answer(),
        }
    }
}

/// The worker's answer to a message that was not a request: the error `why`, under the
/// message's id if it had one (else 0).
pub fn unreadable(id: Option<RequestId>, why: String) -> FromOnDemand {
    FromOnDemand::Answer {
        id: id.map_or(0, |r| r.id),
        text: Err(OnDemandError::BadRequest(why)),
    }
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

    /// `msg` through serde's derives and back. serde_json stands in for serde-wasm-bindgen,
    /// which needs a browser (tests/browser.rs posts real messages); it writes a float that is
    /// not finite as `null`, so only finite numbers go through here.
    fn through_derives<T: Serialize + for<'de> Deserialize<'de>>(msg: &T) -> T {
        let text = serde_json::to_string(msg).expect("every message serialises");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    /// The text the worker answers `request` with, sent and answered through the derives.
    fn answered(request: &Request) -> Result<String, OnDemandError> {
        let sent = through_derives(&ToOnDemand {
            id: 9,
            request: request.clone(),
        });
        match through_derives(&sent.answer()) {
            FromOnDemand::Answer { id: 9, text } => text,
            other => panic!("not the answer to request 9: {other:?}"),
        }
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
    fn every_kind_of_request_round_trips_through_its_derives_with_its_id() {
        let requests = [
            code(Lang::Python),
            svg(),
            Request::Csv {
                lanes: vec![lane(crate::trace::Trace::new(3))],
            },
            Request::TraceJson {
                experiment: "when-all".into(),
                link: "#v=1&preset=when-all&n=7".into(),
                lanes: vec![lane(crate::trace::Trace::new(2))],
            },
        ];
        for id in [0, 7, u32::MAX] {
            for request in &requests {
                let sent = ToOnDemand {
                    id,
                    request: request.clone(),
                };
                assert_eq!(through_derives(&sent), sent);
            }
        }
    }

    #[test]
    fn the_worker_answers_each_request_under_its_id() {
        let request = code(Lang::Rust);
        let answer = ToOnDemand {
            id: 42,
            request: request.clone(),
        }
        .answer();
        assert_eq!(
            answer,
            FromOnDemand::Answer {
                id: 42,
                text: request.answer()
            }
        );
        let FromOnDemand::Answer { text, .. } = answer else {
            unreachable!()
        };
        assert!(text.unwrap().contains("join_all"));
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
    }

    fn lane(trace: crate::trace::Trace) -> ExportLane {
        ExportLane {
            id: "all".into(),
            name: "All, \"at once\"".into(),
            ideal_ms: Some(500.0),
            trace,
        }
    }

    #[test]
    fn the_worker_writes_the_csv_and_the_json_of_the_traces_it_is_sent() {
        let t = {
            let mut t = crate::trace::Trace::new(2);
            t.start(0, 0, 0, 0.123_456_789_000_001);
            t.end(0, 500.000_499_999_999_9, crate::trace::Outcome::Completed);
            t.start(1, 1, 0, 1.5);
            t
        };
        let sent = lane(t.clone());
        let lanes = [sent.lane()];
        assert_eq!(
            answered(&Request::Csv {
                lanes: vec![sent.clone()]
            }),
            Ok(export::trace_csv(&lanes))
        );
        assert_eq!(
            answered(&Request::TraceJson {
                experiment: "when-all".into(),
                link: "#v=1".into(),
                lanes: vec![sent.clone()]
            }),
            Ok(export::trace_json("when-all", "#v=1", &lanes))
        );
    }

    #[test]
    fn a_message_that_is_not_a_request_is_answered_with_an_error_under_its_id() {
        for (text, id) in [
            (r#"{"id":5,"request":{"Markdown":{}}}"#, Some(5)),
            (
                r#"{"id":6,"request":{"Svg":{"title":"t","parts":[{"heading":1}]}}}"#,
                Some(6),
            ),
            (
                r#"{"id":7,"request":{"Code":{"lang":"klingon","cores":4,"fragment":"v=1"}}}"#,
                Some(7),
            ),
            (r#"{"id":8}"#, Some(8)),
            (r#"{"request":"Code"}"#, None),
            (r#""ready""#, None),
            ("null", None),
        ] {
            let request = serde_json::from_str::<ToOnDemand>(text);
            let why = request.expect_err(text).to_string();
            let read_id = serde_json::from_str::<RequestId>(text).ok();
            assert_eq!(read_id.map(|r| r.id), id, "{text}");
            match unreadable(read_id, why) {
                FromOnDemand::Answer {
                    id: answered_id,
                    text: Err(OnDemandError::BadRequest(_)),
                } => assert_eq!(answered_id, id.unwrap_or(0), "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    #[test]
    fn errors_read_as_sentences() {
        assert_eq!(
            OnDemandError::BadRequest("missing field `id`".into()).to_string(),
            "bad request: missing field `id`"
        );
        assert_eq!(
            OnDemandError::ScenarioNeedsFixing.to_string(),
            "the scenario has fields that need fixing"
        );
    }

    #[test]
    fn why_the_page_got_no_text_reads_as_a_sentence() {
        assert_eq!(
            AskError::NotLoaded(Some("HTTP 404".into())).to_string(),
            "the worker that writes it could not be loaded: HTTP 404"
        );
        assert_eq!(
            AskError::LoadTimedOut { s: 15 }.to_string(),
            "the worker that writes it did not load within 15 s"
        );
        assert_eq!(
            AskError::Stopped(None).to_string(),
            "the worker that writes it was stopped"
        );
        assert_eq!(
            AskError::Refused(OnDemandError::ScenarioNeedsFixing).to_string(),
            "the scenario has fields that need fixing"
        );
    }
}
