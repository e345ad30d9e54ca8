//! The messages between the page and the on-demand worker, which writes the texts the page
//! needs only now and then: "the code behind it" ([`crate::code_request`]).
//!
//! Their writers are a good part of the app's wasm (the code generator alone about a tenth),
//! and most visits never ask for them. So they live in a worker of their own
//! (`src/bin/ondemand.rs`), loaded the first time the page asks for one of its texts
//! ([`crate::web::on_demand`]): one worker for all of them, as each wasm carries a runtime of
//! its own.
//!
//! Both messages are plain text, one field a line, the free text last:
//! - request: `id`, kind, then what the kind needs ([`Request`]);
//! - answer: `id`, `ok` or `error`, then the text or why there is none ([`Answer`]).
//!
//! Before it is sent anything, the worker posts [`READY`] (messages sent earlier would be lost).

use crate::code_request::CodeRequest;

/// What the on-demand worker posts once it listens.
pub const READY: &str = "ready";

/// Page -> on-demand worker: a text to write.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    /// The code of a scenario in a language.
    Code(CodeRequest),
}

impl Request {
    /// The kind's name in the message.
    fn kind(&self) -> &'static str {
        match self {
            Request::Code(_) => "code",
        }
    }

    /// The text posted to the worker, as request `id` (which its answer carries back).
    pub fn encode(&self, id: u32) -> String {
        let body = match self {
            Request::Code(code) => code.encode(),
        };
        format!("{id}\n{}\n{body}", self.kind())
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
            _ => Err(format!("bad request: no kind {:?}", short(kind))),
        };
        (id, request)
    }

    /// The text asked for, or why there is none.
    pub fn answer(&self) -> Result<String, String> {
        match self {
            Request::Code(code) => code.answer(),
        }
    }
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
    use crate::editor::Draft;
    use crate::scenario::Experiment;

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
