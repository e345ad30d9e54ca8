//! The on-demand worker's first kind of text: "the code behind it", the scenario's code in the
//! readers' languages ([`crate::codegen`]), for the code panel. The page sends the scenario as
//! its link fragment (the same text a shared link carries, see [`crate::model::router`]), so the code
//! is written from exactly what the page runs.
//!
//! The request travels inside the on-demand worker's message ([`crate::on_demand`]) through
//! serde's derives, its language as its id ("rust").

use serde::{Deserialize, Serialize};

use crate::codegen::{snippets, Lang};
use crate::model::editor::Draft;
use crate::model::router::{self, ViewOptions};
use crate::model::scenario::Scenario;

/// Write the code of a scenario in a language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeRequest {
    #[serde(with = "lang_id")]
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
    let comment = lang.line_comment();
    snippets(&scenario.resolved(cores), lang)
        .into_iter()
        .map(|sn| format!("{comment} {}\n{}", sn.title, sn.code))
        .collect::<Vec<_>>()
        .join("\n\n")
}

impl CodeRequest {
    /// What the worker answers: the code of the scenario the fragment opens; `None` for a
    /// fragment whose scenario does not build (the page never sends one).
    pub fn answer(&self) -> Option<String> {
        router::decode(&self.fragment)
            .draft
            .build()
            .scenario
            .map(|s| code_text(&s, self.lang, self.cores))
    }
}

/// A [`Lang`] in a message as its id ("rust", [`Lang::id`]): the code generator, which defines
/// it, knows nothing of serde.
mod lang_id {
    use serde::de::Error;
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::codegen::Lang;

    pub fn serialize<S: Serializer>(lang: &Lang, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(lang.id())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Lang, D::Error> {
        let id = String::deserialize(d)?;
        Lang::from_id(&id).ok_or_else(|| D::Error::custom(format!("no language {id:?}")))
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
                let sent = through_derives(&request(&draft, lang));
                assert_eq!(
                    sent.answer(),
                    Some(code_text(&scenario, lang, 4)),
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
        assert_eq!(req.answer(), Some(code_text(&scenario, Lang::Rust, 3)));
    }

    /// `req` through serde's derives and back (serde_json standing in for the browser's
    /// structured clone).
    fn through_derives(req: &CodeRequest) -> CodeRequest {
        let text = serde_json::to_string(req).unwrap();
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn a_request_carries_its_language_as_its_id() {
        let req = request(&Draft::preset(Experiment::WhenAll), Lang::Python);
        let text = serde_json::to_string(&req).unwrap();
        assert!(
            text.starts_with(r#"{"lang":"python","cores":4,"fragment":"#),
            "{text}"
        );
        assert_eq!(through_derives(&req), req);
    }

    #[test]
    fn an_unknown_language_is_an_error_not_a_panic() {
        for text in [
            r#"{"lang":"klingon","cores":4,"fragment":"v=1"}"#,
            r#"{"lang":7,"cores":4,"fragment":"v=1"}"#,
            r#"{"lang":"rust","cores":"many","fragment":"v=1"}"#,
            r#"{"lang":"rust","cores":4}"#,
        ] {
            assert!(serde_json::from_str::<CodeRequest>(text).is_err(), "{text}");
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
        assert_eq!(req.answer(), Some(code_text(&opened, Lang::Rust, 2)));
    }
}
