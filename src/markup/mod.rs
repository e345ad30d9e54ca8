//! The read-only parts of the page (result cards, timelines, the summary, the speedup curve,
//! the repeated-runs table, the run history) written as HTML and SVG text from pure Rust.
//!
//! Why text and not Leptos views: these parts have no state of their own, they are redrawn
//! whole (every frame of a run or a replay), and each `view!` is compiled into its own
//! rendering code. Written as text they cost a fraction of the page's wasm (issue #7's size
//! budget), draw faster (the browser parses one string instead of Rust building node after
//! node through JavaScript) and are tested natively, markup and all. The page sets the text as
//! an element's `innerHTML`; every piece of text and every attribute value goes through
//! [`Html`], which escapes it, so a label from a shared link can never become markup.

mod cards;
mod embed_form;
mod gallery;
mod history;
mod lang_help;
mod program;
mod repeat;
mod speedup;
mod summary;
mod timeline;

pub use cards::{cpu_cards, strategy_results, TABLE_ROWS};
pub use embed_form::embed_form;
pub use gallery::gallery;
pub use history::history_list;
pub use lang_help::language_help;
pub use program::{program_card, ProgramCard};
pub use repeat::{repeat_progress, repeat_table};
pub use speedup::speedup_chart;
pub use summary::{comparison_svg, summary_table};
pub use timeline::{timeline_svg, timeline_table};

/// A number for an SVG attribute: one decimal, as the chart layouts are computed.
pub fn px(v: f64) -> String {
    format!("{v:.1}")
}

/// A paragraph of plain text with a test id, e.g. what a card says when the on-demand worker
/// could not draw it.
pub fn paragraph(test_id: &str, text: &str) -> String {
    let mut h = Html::new();
    h.el("p", &[("data-testid", Some(test_id))], text);
    h.finish()
}

/// One `<li>` per sentence, for a list whose items are plain text.
pub fn list_items(items: &[String]) -> String {
    let mut h = Html::new();
    for item in items {
        h.el("li", &[], item);
    }
    h.finish()
}

/// HTML being written: elements opened and closed in order, text and attribute values escaped.
#[derive(Default)]
pub struct Html {
    out: String,
}

impl Html {
    pub fn new() -> Self {
        Html::default()
    }

    /// `<tag name="value" …>`. A value of `None` leaves the attribute out; `Some("")` writes a
    /// boolean attribute such as `open`.
    pub fn open(&mut self, tag: &str, attrs: &[(&str, Option<&str>)]) -> &mut Self {
        self.out.push('<');
        self.out.push_str(tag);
        for (name, value) in attrs {
            if let Some(value) = value {
                self.out.push(' ');
                self.out.push_str(name);
                self.out.push_str("=\"");
                escape_into(&mut self.out, value);
                self.out.push('"');
            }
        }
        self.out.push('>');
        self
    }

    /// `</tag>`.
    pub fn close(&mut self, tag: &str) -> &mut Self {
        self.out.push_str("</");
        self.out.push_str(tag);
        self.out.push('>');
        self
    }

    /// Text, escaped.
    pub fn text(&mut self, text: &str) -> &mut Self {
        escape_into(&mut self.out, text);
        self
    }

    /// `<tag …>text</tag>`.
    pub fn el(&mut self, tag: &str, attrs: &[(&str, Option<&str>)], text: &str) -> &mut Self {
        self.open(tag, attrs).text(text).close(tag)
    }

    /// `<tag …/>`: an SVG shape with no content.
    pub fn shape(&mut self, tag: &str, attrs: &[(&str, Option<&str>)]) -> &mut Self {
        self.open(tag, attrs);
        self.out.pop();
        self.out.push_str("/>");
        self
    }

    /// Markup written in this crate's source, not built from data: a fixed legend, say.
    pub fn fixed(&mut self, markup: &'static str) -> &mut Self {
        self.out.push_str(markup);
        self
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// Escapes the five characters that could end a text or an attribute value early.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paragraph_is_escaped_text_with_its_test_id() {
        assert_eq!(
            paragraph("why", "a < b"),
            "<p data-testid=\"why\">a &lt; b</p>"
        );
    }

    #[test]
    fn list_items_are_escaped_text() {
        assert_eq!(
            list_items(&["a < b".into(), "\"q\"".into()]),
            "<li>a &lt; b</li><li>&quot;q&quot;</li>"
        );
        assert_eq!(list_items(&[]), "");
    }

    #[test]
    fn text_and_attribute_values_are_escaped() {
        let mut h = Html::new();
        h.el(
            "p",
            &[("title", Some("a \"b\" & 'c'"))],
            "<script>x</script>",
        );
        assert_eq!(
            h.finish(),
            "<p title=\"a &quot;b&quot; &amp; &#39;c&#39;\">&lt;script&gt;x&lt;/script&gt;</p>"
        );
    }

    #[test]
    fn an_absent_attribute_is_left_out_and_an_empty_one_is_boolean() {
        let mut h = Html::new();
        h.open("details", &[("open", Some("")), ("hidden", None)])
            .close("details");
        assert_eq!(h.finish(), "<details open=\"\"></details>");
    }

    #[test]
    fn a_shape_closes_itself() {
        let mut h = Html::new();
        h.shape("line", &[("x1", Some("1.0"))]);
        assert_eq!(h.finish(), "<line x1=\"1.0\"/>");
    }
}
