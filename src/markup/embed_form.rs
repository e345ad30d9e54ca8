//! The controls of the "Copy embed code" dialog, as markup: one change handler on the form
//! reads them by `name` (`theme`, `run`, `show`) and `value`.

use super::Html;
use crate::model::embed::{Part, RunOn, Theme};

/// Colours, when it starts, and a box per part, set as an embed starts (auto colours, on Run,
/// every part).
pub fn embed_form() -> String {
    let mut h = Html::new();
    let select = |h: &mut Html, label: &str, name: &str, options: &[(&str, &str)]| {
        h.open("label", &[("class", Some("field"))])
            .el("span", &[], label);
        let testid = format!("embed-{name}");
        h.open(
            "select",
            &[("name", Some(name)), ("data-testid", Some(&testid))],
        );
        for (value, text) in options {
            h.el("option", &[("value", Some(value))], text);
        }
        h.close("select").close("label");
    };
    let themes: Vec<(&str, &str)> = Theme::ALL.iter().map(|t| (t.id(), t.id())).collect();
    select(&mut h, "Colours", "theme", &themes);
    let runs: Vec<(&str, &str)> = RunOn::ALL
        .iter()
        .map(|r| (r.id().unwrap_or("button"), r.label()))
        .collect();
    select(&mut h, "Starts", "run", &runs);
    h.open("fieldset", &[("class", Some("field"))])
        .el("legend", &[], "Shows");
    for p in Part::ALL {
        let testid = format!("embed-show-{}", p.id());
        h.open("label", &[("class", Some("check"))]).open(
            "input",
            &[
                ("type", Some("checkbox")),
                ("name", Some("show")),
                ("value", Some(p.id())),
                ("data-testid", Some(&testid)),
                ("checked", Some("")),
            ],
        );
        h.text(p.id()).close("label");
    }
    h.close("fieldset");
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_names_every_option_with_the_words_the_link_reads() {
        let f = embed_form();
        for t in Theme::ALL {
            assert!(f.contains(&format!("<option value=\"{}\">", t.id())), "{f}");
        }
        for r in RunOn::ALL {
            if let Some(id) = r.id() {
                assert!(RunOn::from_id(id).is_some());
                assert!(f.contains(&format!("<option value=\"{id}\">")), "{f}");
            }
        }
        for p in Part::ALL {
            assert!(f.contains(&format!("value=\"{}\"", p.id())), "{f}");
            assert_eq!(Part::from_id(p.id()), Some(p));
        }
        assert_eq!(f.matches("checked=\"\"").count(), Part::ALL.len());
    }
}
