//! The messages between the page and the code worker, which writes "the code behind it".
//!
//! The code generator ([`crate::codegen`]) is about a tenth of the app's wasm, and most people
//! never open the code panel. So it lives in a worker of its own (`src/bin/codegen.rs`), loaded
//! the first time the panel opens. The page sends the scenario as its link fragment (the same
//! text a shared link carries, see [`crate::router`]), so the code is written from exactly what
//! the page runs.
//!
//! Both messages are plain text, one field a line, the free text last:
//! - request: `id`, language id, cores, fragment;
//! - answer: `id`, language id, `ok` or `error`, then the code or the error.
//!
//! Before it is sent anything, the worker posts [`READY`] (messages sent earlier would be lost).

use crate::codegen::{snippets, Lang};
use crate::editor::Draft;
use crate::router::{self, ViewOptions};
use crate::scenario::Scenario;

/// What the code worker posts once it listens.
pub const READY: &str = "ready";

/// Page -> code worker: write the code of a scenario in a language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeRequest {
    /// Names the request, so that an answer to an older one can be told apart and dropped.
    pub id: u32,
    pub lang: Lang,
    /// The browser's core count, which "auto" workers resolve to.
    pub cores: u32,
    /// The scenario as a link fragment ([`router::encode`]).
    pub fragment: String,
}

/// Code worker -> page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeAnswer {
    /// The id of the request answered (0 if the request could not be read).
    pub id: u32,
    pub lang: Lang,
    /// The code, or why there is none.
    pub code: Result<String, String>,
}

/// The fragment the page sends for `draft` (its editor and view options left out: the code
/// depends only on the scenario).
pub fn fragment_of(draft: &Draft) -> String {
    router::encode(draft, &ViewOptions::default())
}

/// What the code panel shows for `scenario` in `lang`: every snippet under a comment with its
/// title, "auto" workers resolved to `cores`.
pub fn code_text(scenario: &Scenario, lang: Lang, cores: u32) -> String {
    let mut s = scenario.clone();
    s.cpu = s.cpu.map(|c| c.resolved(cores.max(1)));
    let comment = if lang == Lang::Python { "#" } else { "//" };
    snippets(&s, lang)
        .into_iter()
        .map(|sn| format!("{comment} {}\n{}", sn.title, sn.code))
        .collect::<Vec<_>>()
        .join("\n\n")
}

impl CodeRequest {
    /// The text posted to the worker.
    pub fn encode(&self) -> String {
        format!(
            "{}\n{}\n{}\n{}",
            self.id,
            self.lang.id(),
            self.cores,
            self.fragment
        )
    }

    /// Reads a request; a message that is not one is an error, never a panic.
    pub fn decode(text: &str) -> Result<CodeRequest, String> {
        let mut lines = text.splitn(4, '\n');
        let mut next = |what: &str| {
            lines
                .next()
                .ok_or_else(|| format!("bad code request: no {what}"))
        };
        let id = next("id")?;
        let id = id
            .parse()
            .map_err(|_| format!("bad code request: id {id:?} is not a number"))?;
        let lang = next("language")?;
        let lang =
            Lang::from_id(lang).ok_or_else(|| format!("bad code request: no language {lang:?}"))?;
        let cores = next("core count")?;
        let cores = cores
            .parse()
            .map_err(|_| format!("bad code request: core count {cores:?} is not a number"))?;
        let fragment = next("scenario")?.to_string();
        Ok(CodeRequest {
            id,
            lang,
            cores,
            fragment,
        })
    }

    /// What the worker answers: the code of the scenario the fragment opens. A fragment whose
    /// scenario does not build (the page never sends one) is answered with an error.
    pub fn answer(&self) -> CodeAnswer {
        let built = router::decode(&self.fragment).draft.build();
        CodeAnswer {
            id: self.id,
            lang: self.lang,
            code: built
                .scenario
                .map(|s| code_text(&s, self.lang, self.cores))
                .ok_or_else(|| "the scenario has fields that need fixing".to_string()),
        }
    }
}

/// The worker's whole job: reads a request and writes the answer's text.
pub fn answer(request: &str) -> String {
    match CodeRequest::decode(request) {
        Ok(req) => req.answer().encode(),
        Err(e) => CodeAnswer {
            id: 0,
            lang: Lang::CSharp,
            code: Err(e),
        }
        .encode(),
    }
}

impl CodeAnswer {
    /// The text posted back to the page.
    pub fn encode(&self) -> String {
        let (status, text) = match &self.code {
            Ok(code) => ("ok", code),
            Err(e) => ("error", e),
        };
        format!("{}\n{}\n{status}\n{text}", self.id, self.lang.id())
    }

    /// Reads an answer; a message that is not one is an error, never a panic.
    pub fn decode(text: &str) -> Result<CodeAnswer, String> {
        let mut lines = text.splitn(4, '\n');
        let bad = || format!("bad answer from the code worker: {:?}", short(text));
        let id = lines.next().and_then(|l| l.parse().ok()).ok_or_else(bad)?;
        let lang = lines.next().and_then(Lang::from_id).ok_or_else(bad)?;
        let status = lines.next().ok_or_else(bad)?;
        let text = lines.next().unwrap_or("").to_string();
        let code = match status {
            "ok" => Ok(text),
            "error" => Err(text),
            _ => return Err(bad()),
        };
        Ok(CodeAnswer { id, lang, code })
    }
}

/// At most the first 40 characters of `text`, for messages.
fn short(text: &str) -> String {
    text.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Experiment;

    fn request(draft: &Draft, lang: Lang) -> CodeRequest {
        CodeRequest {
            id: 7,
            lang,
            cores: 4,
            fragment: fragment_of(draft),
        }
    }

    #[test]
    fn the_worker_writes_the_code_the_page_would_have_written() {
        for e in Experiment::ALL {
            let draft = Draft::preset(e);
            let scenario = draft.build().scenario.expect("presets build");
            for lang in Lang::ALL {
                let text = answer(&request(&draft, lang).encode());
                let answer = CodeAnswer::decode(&text).unwrap();
                assert_eq!(answer.id, 7);
                assert_eq!(answer.lang, lang);
                assert_eq!(
                    answer.code,
                    Ok(code_text(&scenario, lang, 4)),
                    "{e:?} {lang:?}"
                );
            }
        }
    }

    #[test]
    fn edited_numbers_reach_the_code() {
        let mut draft = Draft::preset(Experiment::WhenAll);
        draft
            .fields
            .insert(crate::editor::FieldId::Count, "7".into());
        draft
            .fields
            .insert(crate::editor::FieldId::Duration, "250".into());
        let code = request(&draft, Lang::CSharp).answer().code.unwrap();
        assert!(code.contains("250"), "{code}");
        assert!(code.contains("Task.WhenAll"), "{code}");
    }

    #[test]
    fn auto_workers_are_written_as_the_browsers_core_count() {
        let e = Experiment::ALL
            .into_iter()
            .find(|e| e.is_cpu())
            .expect("a CPU experiment");
        let draft = Draft::preset(e);
        let scenario = draft.build().scenario.unwrap();
        let mut req = request(&draft, Lang::Rust);
        req.cores = 3;
        assert_eq!(req.answer().code, Ok(code_text(&scenario, Lang::Rust, 3)));
    }

    #[test]
    fn a_request_round_trips_through_its_text() {
        let req = request(&Draft::preset(Experiment::WhenAll), Lang::Python);
        assert_eq!(CodeRequest::decode(&req.encode()), Ok(req));
    }

    #[test]
    fn an_answer_round_trips_with_newlines_in_its_code() {
        for code in [
            Ok("a\nb\n\nc".to_string()),
            Err("no".to_string()),
            Ok(String::new()),
        ] {
            let a = CodeAnswer {
                id: 3,
                lang: Lang::JavaScript,
                code,
            };
            assert_eq!(CodeAnswer::decode(&a.encode()), Ok(a));
        }
    }

    #[test]
    fn garbage_is_answered_with_an_error_not_a_panic() {
        for text in [
            "",
            "x",
            "1",
            "1\nklingon\n4\nv=1",
            "1\nrust\nmany\nv=1",
            "1\nrust\n4",
        ] {
            let a = CodeAnswer::decode(&answer(text)).unwrap();
            assert_eq!(a.id, 0);
            assert!(a.code.is_err(), "{text:?}");
        }
        for text in ["", "1", "x\nrust\nok\n", "1\nrust\nmaybe\n"] {
            assert!(CodeAnswer::decode(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn a_fragment_the_router_repairs_is_written_as_the_page_opens_it() {
        let req = CodeRequest {
            id: 2,
            lang: Lang::Rust,
            cores: 2,
            fragment: "v=1&preset=when-all&n=abc".into(),
        };
        let opened = router::decode(&req.fragment)
            .draft
            .build()
            .scenario
            .unwrap();
        assert_eq!(req.answer().code, Ok(code_text(&opened, Lang::Rust, 2)));
    }
}
