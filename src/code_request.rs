//! The on-demand worker's first kind of text: "the code behind it", the scenario's code in the
//! readers' languages ([`crate::codegen`]), for the code panel. The page sends the scenario as
//! its link fragment (the same text a shared link carries, see [`crate::model::router`]), so the code
//! is written from exactly what the page runs.
//!
//! The request's part of the message ([`crate::on_demand`]) is plain text, one field a line,
//! the free text last: language id, cores, fragment.

use crate::codegen::{snippets, Lang};
use crate::model::editor::Draft;
use crate::model::router::{self, ViewOptions};
use crate::model::scenario::Scenario;

/// Write the code of a scenario in a language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeRequest {
    pub lang: Lang,
    /// The browser's core count, which "auto" workers resolve to.
    pub cores: u32,
    /// The scenario as a link fragment ([`router::encode`]).
    pub fragment: String,
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
    /// The request's text in the message to the worker.
    pub fn encode(&self) -> String {
        format!("{}\n{}\n{}", self.lang.id(), self.cores, self.fragment)
    }

    /// Reads a request; a message that is not one is an error, never a panic.
    pub fn decode(text: &str) -> Result<CodeRequest, String> {
        let mut lines = text.splitn(3, '\n');
        let mut next = |what: &str| {
            lines
                .next()
                .ok_or_else(|| format!("bad code request: no {what}"))
        };
        let lang = next("language")?;
        let lang =
            Lang::from_id(lang).ok_or_else(|| format!("bad code request: no language {lang:?}"))?;
        let cores = next("core count")?;
        let cores = cores
            .parse()
            .map_err(|_| format!("bad code request: core count {cores:?} is not a number"))?;
        let fragment = next("scenario")?.to_string();
        Ok(CodeRequest {
            lang,
            cores,
            fragment,
        })
    }

    /// What the worker answers: the code of the scenario the fragment opens. A fragment whose
    /// scenario does not build (the page never sends one) is answered with an error.
    pub fn answer(&self) -> Result<String, String> {
        router::decode(&self.fragment)
            .draft
            .build()
            .scenario
            .map(|s| code_text(&s, self.lang, self.cores))
            .ok_or_else(|| "the scenario has fields that need fixing".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::scenario::Experiment;

    fn request(draft: &Draft, lang: Lang) -> CodeRequest {
        CodeRequest {
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
                let sent = CodeRequest::decode(&request(&draft, lang).encode()).unwrap();
                assert_eq!(
                    sent.answer(),
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
            .insert(crate::model::editor::FieldId::Count, "7".into());
        draft
            .fields
            .insert(crate::model::editor::FieldId::Duration, "250".into());
        let code = request(&draft, Lang::CSharp).answer().unwrap();
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
        assert_eq!(req.answer(), Ok(code_text(&scenario, Lang::Rust, 3)));
    }

    #[test]
    fn a_request_round_trips_through_its_text() {
        let req = request(&Draft::preset(Experiment::WhenAll), Lang::Python);
        assert_eq!(CodeRequest::decode(&req.encode()), Ok(req));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for text in ["", "x", "klingon\n4\nv=1", "rust\nmany\nv=1", "rust\n4"] {
            assert!(CodeRequest::decode(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn a_fragment_the_router_repairs_is_written_as_the_page_opens_it() {
        let req = CodeRequest {
            lang: Lang::Rust,
            cores: 2,
            fragment: "v=1&preset=when-all&n=abc".into(),
        };
        let opened = router::decode(&req.fragment)
            .draft
            .build()
            .scenario
            .unwrap();
        assert_eq!(req.answer(), Ok(code_text(&opened, Lang::Rust, 2)));
    }
}
