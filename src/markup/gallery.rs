//! The gallery: every experiment as a link to its preset, with its published numbers.

use super::Html;
use crate::model::router::preset_fragment;
use crate::model::scenario::Experiment;

/// The gallery list's items, in the order of [`Experiment::ALL`].
pub fn gallery() -> String {
    let mut h = Html::new();
    for e in Experiment::ALL {
        h.open("li", &[])
            .el(
                "a",
                &[
                    ("data-testid", Some(&format!("gallery-{}", e.id()))),
                    ("href", Some(&format!("#{}", preset_fragment(e)))),
                ],
                e.title(),
            )
            .el("p", &[], e.published())
            .close("li");
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_experiment_has_a_link_to_its_preset() {
        let html = gallery();
        for e in Experiment::ALL {
            let link = format!("href=\"#{}\"", preset_fragment(e).replace('&', "&amp;"));
            assert!(html.contains(&link), "{} has no link: {html}", e.id());
        }
        assert_eq!(html.matches("<li>").count(), Experiment::ALL.len());
    }
}
