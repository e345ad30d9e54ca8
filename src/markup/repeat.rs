//! The repeated-runs card's progress and its table in the style of BenchmarkDotNet.

use super::Html;
use crate::trace::repeat::RepeatTable;

/// "Run 3 of 5…" with a progress bar; `done` counts the warm-up run, `total` includes it.
pub fn repeat_progress(done: u32, total: u32) -> String {
    let text = if done == 0 {
        "Warm-up run (not counted)…".to_string()
    } else {
        let counted = total.saturating_sub(1);
        format!("Run {} of {counted}…", done.min(counted))
    };
    let mut h = Html::new();
    h.open("label", &[("class", Some("repeat-progress"))])
        .el("span", &[], &text)
        .el(
            "progress",
            &[
                ("data-testid", Some("repeat-progress")),
                ("max", Some(&total.to_string())),
                ("value", Some(&done.to_string())),
            ],
            "",
        )
        .close("label");
    h.finish()
}

/// The table: its note as the caption, one row per strategy with its test id.
pub fn repeat_table(t: &RepeatTable) -> String {
    let mut h = Html::new();
    h.open(
        "table",
        &[
            ("class", Some("numbers-table bdn")),
            ("data-testid", Some("repeat-table")),
        ],
    );
    h.el("caption", &[], &t.note())
        .open("thead", &[])
        .open("tr", &[]);
    for head in RepeatTable::HEADERS {
        h.el("th", &[("scope", Some("col"))], head);
    }
    h.close("tr").close("thead").open("tbody", &[]);
    for (cells, row) in t.cells().iter().zip(&t.rows) {
        let [name, rest @ ..] = cells;
        h.open(
            "tr",
            &[("data-testid", Some(&format!("repeat-{}", row.id)))],
        )
        .el("th", &[("scope", Some("row"))], name);
        for c in rest {
            h.el("td", &[], c);
        }
        h.close("tr");
    }
    h.close("tbody").close("table");
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_counts_the_warm_up_apart() {
        assert!(repeat_progress(0, 6).contains("Warm-up run (not counted)…"));
        let p = repeat_progress(3, 6);
        assert!(p.contains("<span>Run 3 of 5…</span>"), "{p}");
        assert!(p.contains("max=\"6\" value=\"3\""), "{p}");
    }

    #[test]
    fn the_table_has_a_header_per_column_and_a_row_per_strategy() {
        let t = crate::trace::repeat::table(
            &[(
                "sequential".into(),
                "Sequential".into(),
                "1 call at a time".into(),
            )],
            &[vec![Some(500.0)], vec![Some(510.0)]],
            0,
            true,
        );
        let html = repeat_table(&t);
        assert_eq!(
            html.matches("<th scope=\"col\">").count(),
            RepeatTable::HEADERS.len()
        );
        assert!(
            html.contains("<tr data-testid=\"repeat-sequential\">"),
            "{html}"
        );
    }
}
