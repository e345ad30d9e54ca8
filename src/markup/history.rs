//! This browser's recent runs, newest first, each a link back to its scenario.

use super::Html;
use crate::trace::history::{ago, History};
use crate::units::fmt_ms;

/// The list's items, newest first: "<a>title</a>, 3 min ago (mean of 5 runs): Sequential
/// 5,004 ms · All at once 502 ms". `now_ms` is `Date.now()`.
pub fn history_list(history: &History, now_ms: f64) -> String {
    let mut h = Html::new();
    for e in history.entries.iter().rev() {
        let rows: Vec<String> = e
            .rows
            .iter()
            .map(|r| {
                let ms = r.measured_ms.map(|m| format!("{} ms", fmt_ms(m)));
                format!("{} {}", r.name, ms.as_deref().unwrap_or("—"))
            })
            .collect();
        let runs = if e.runs > 1 {
            format!(" (mean of {} runs)", e.runs)
        } else {
            String::new()
        };
        let href = format!("#{}", e.link.trim_start_matches('#'));
        h.open("li", &[])
            .el("a", &[("href", Some(&href))], &e.title)
            .text(&format!(", {}{runs}: ", ago(now_ms, e.at_ms)))
            .el("span", &[("class", Some("resources"))], &rows.join(" · "))
            .close("li");
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::history::{Entry, EntryRow};

    #[test]
    fn the_newest_run_comes_first_and_links_back_to_its_scenario() {
        let entry = |title: &str, at_ms: f64| Entry {
            at_ms,
            experiment: "when-all".into(),
            title: title.into(),
            link: "#v=1&e=when-all".into(),
            runs: 1,
            rows: vec![EntryRow {
                id: "sequential".into(),
                name: "Sequential".into(),
                measured_ms: Some(5004.0),
                ideal_ms: Some(5000.0),
            }],
        };
        let history = History {
            entries: vec![entry("Older", 0.0), entry("Newer <b>", 120_000.0)],
        };
        let html = history_list(&history, 180_000.0);
        let newer = html.find("Newer &lt;b&gt;").expect("escaped title");
        assert!(newer < html.find("Older").unwrap(), "{html}");
        assert!(html.contains("<a href=\"#v=1&amp;e=when-all\">"), "{html}");
        assert!(html.contains(", 1 min ago: "), "{html}");
    }
}
