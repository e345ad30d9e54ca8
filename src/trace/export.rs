//! Exports for tutorial authors: a Markdown summary to paste under a chart, a trace as CSV or
//! JSON to plot elsewhere, a text table that stands in for a timeline, and a standalone SVG
//! file of the page's charts. All pure strings, so they are tested here and the page only
//! offers them for download or copying.
//!
//! The page writes the JSON and the timeline's table itself; the Markdown, the CSV and the SVG
//! file are written by the on-demand worker ([`crate::on_demand`]), loaded with the first
//! export: their writers (and [`CHART_CSS`]) are code most visits never run.

use serde::{Deserialize, Serialize};

use crate::trace::{Outcome, Span, Trace};
use crate::units::fmt_ms;

/// The `format` field of [`trace_json`], so a reader can tell the file apart from other JSON.
pub const TRACE_FORMAT: &str = "async-parallel-playground/trace";

/// The `version` field of [`trace_json`]. Bump it when a field changes meaning.
pub const TRACE_FORMAT_VERSION: u32 = 1;

const MISSING: &str = "—";

/// A cell for a GitHub Markdown table: `|` would end the cell and a newline the row.
fn md_cell(text: &str) -> String {
    text.replace('|', "\\|")
        .replace("\r\n", " ")
        .replace(['\r', '\n'], " ")
}

fn ms_or_missing(ms: Option<f64>) -> String {
    match ms {
        Some(v) if v.is_finite() => format!("{} ms", fmt_ms(v)),
        _ => MISSING.into(),
    }
}

/// One strategy's line of [`summary_markdown`].
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryRow {
    /// Stable strategy identifier (not shown; for callers that key rows by it).
    pub id: String,
    /// Name shown in the Strategy column.
    pub name: String,
    /// Measured time (when the awaiting code continued), ms; `None` shows "—".
    pub measured_ms: Option<f64>,
    /// Predicted time on an ideal clock, ms; `None` shows "—".
    pub ideal_ms: Option<f64>,
    /// Comparison with the baseline, e.g. "9.9× faster"; `None` shows "—".
    pub vs_baseline: Option<String>,
}

/// A link destination that survives Markdown: a space or an unbalanced parenthesis would end
/// it early.
fn md_link_destination(link: &str) -> String {
    let mut out = String::with_capacity(link.len());
    for c in link.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '(' | ')' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => {}
            _ => out.push(c),
        }
    }
    out
}

/// A Markdown block to paste into a post: `**{title}**`, a blank line, a GitHub table
/// (Strategy | Measured | Ideal | vs baseline, numbers right-aligned, "—" when missing), and
/// when `link` is not empty a blank line and `[Open this experiment]({link})`. No heading, so
/// it fits under any of the author's own. An empty `title` leaves out the title line.
pub fn summary_markdown(title: &str, link: &str, rows: &[SummaryRow]) -> String {
    let mut out = String::new();
    let title = title.replace("\r\n", " ").replace(['\r', '\n'], " ");
    if !title.trim().is_empty() {
        // A `*` in the title would close the bold early.
        out.push_str(&format!("**{}**\n\n", title.trim().replace('*', "\\*")));
    }
    out.push_str("| Strategy | Measured | Ideal | vs baseline |\n");
    out.push_str("| --- | ---: | ---: | ---: |\n");
    for row in rows {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            md_cell(&row.name),
            ms_or_missing(row.measured_ms),
            ms_or_missing(row.ideal_ms),
            md_cell(row.vs_baseline.as_deref().unwrap_or(MISSING)),
        ));
    }
    if !link.trim().is_empty() {
        // The blank line ends the table: a line right under it would be read as one more row.
        out.push_str(&format!(
            "\n[Open this experiment]({})\n",
            md_link_destination(link.trim())
        ));
    }
    out
}

/// One strategy's trace, as [`trace_csv`] and [`trace_json`] take it.
#[derive(Clone, Copy, Debug)]
pub struct TraceLane<'a> {
    /// Stable strategy identifier.
    pub id: &'a str,
    /// Name shown to people (the CSV's `strategy` column).
    pub name: &'a str,
    /// Predicted time on an ideal clock, ms, if there is a prediction.
    pub ideal_ms: Option<f64>,
    /// What was recorded.
    pub trace: &'a Trace,
}

/// A CSV field, quoted as RFC 4180 says when it holds a comma, a quote or a line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn csv_ms(ms: Option<f64>) -> String {
    ms.filter(|v| v.is_finite())
        .map(|v| format!("{v:.3}"))
        .unwrap_or_default()
}

/// The outcome as one lowercase word, the same words as the timeline's CSS classes.
fn outcome_word(outcome: Option<Outcome>) -> &'static str {
    match outcome {
        None => "pending",
        Some(Outcome::Completed) => "completed",
        Some(Outcome::Failed) => "failed",
        Some(Outcome::TimedOut) => "timed-out",
        Some(Outcome::Cancelled) => "cancelled",
    }
}

/// When the caller consumed `span`'s result: only a completed attempt has a result, and a
/// task completes at most once.
fn consumed_ms(trace: &Trace, span: &Span) -> Option<f64> {
    if span.outcome != Some(Outcome::Completed) {
        return None;
    }
    trace
        .consumed
        .iter()
        .find(|(task, _)| *task == span.task)
        .map(|c| c.1)
}

/// Every span of every lane as CSV, header
/// `strategy,task,lane,attempt,start_ms,end_ms,duration_ms,outcome,consumed_ms`, one row per
/// span in span (start) order, lines ending in `\n`.
///
/// `strategy` is the lane's name; `task` and `lane` count from 1 as the page shows them ("#1");
/// `attempt` counts from 0 (1 is the first retry); times have 3 decimals; `outcome` is one of
/// completed, failed, timed-out, cancelled, pending. A pending span leaves `end_ms` and
/// `duration_ms` empty, and `consumed_ms` is empty except on the attempt that completed and
/// was consumed.
pub fn trace_csv(lanes: &[TraceLane]) -> String {
    let mut out = String::from(
        "strategy,task,lane,attempt,start_ms,end_ms,duration_ms,outcome,consumed_ms\n",
    );
    for lane in lanes {
        let name = csv_field(lane.name);
        for span in &lane.trace.spans {
            let duration = span.end_ms.map(|_| span.length_ms(span.start_ms));
            out.push_str(&format!(
                "{name},{},{},{},{},{},{},{},{}\n",
                span.task as u64 + 1,
                span.lane as u64 + 1,
                span.attempt,
                csv_ms(Some(span.start_ms)),
                csv_ms(span.end_ms),
                csv_ms(duration),
                outcome_word(span.outcome),
                csv_ms(consumed_ms(lane.trace, span)),
            ));
        }
    }
    out
}

/// The trace export's document, as serde writes it: see [`trace_json`].
#[derive(Serialize)]
struct TraceFile<'a> {
    format: &'static str,
    version: u32,
    experiment: &'a str,
    link: &'a str,
    strategies: Vec<TraceFileStrategy<'a>>,
}

/// One strategy of a [`TraceFile`].
#[derive(Serialize)]
struct TraceFileStrategy<'a> {
    id: &'a str,
    name: &'a str,
    ideal_ms: Option<f64>,
    measured_ms: Option<f64>,
    trace: &'a Trace,
}

/// Every lane's trace as pretty-printed JSON (serde_json, two spaces a level):
/// `{"format": TRACE_FORMAT, "version": 1, "experiment", "link", "strategies": [{"id",
/// "name", "ideal_ms", "measured_ms", "trace"}]}`, where `measured_ms` is when the awaiting
/// code continued ([`Trace::resumed_ms`]), `null` when it has not, and `trace` is the
/// [`Trace`] as serde writes it (it reads back with `serde_json::from_value`). A float that is
/// not finite is written `null`, as JSON has no NaN. `tests/fixtures/trace-export-v1.json`
/// holds a file of version 1, which the tests hold this to.
pub fn trace_json(experiment: &str, link: &str, lanes: &[TraceLane]) -> String {
    let file = TraceFile {
        format: TRACE_FORMAT,
        version: TRACE_FORMAT_VERSION,
        experiment,
        link,
        strategies: lanes
            .iter()
            .map(|l| TraceFileStrategy {
                id: l.id,
                name: l.name,
                ideal_ms: l.ideal_ms,
                measured_ms: l.trace.resumed_ms(),
                trace: l.trace,
            })
            .collect(),
    };
    serde_json::to_string_pretty(&file)
        .expect("plain structs with string keys always serialise to JSON")
}

/// One strategy's trace as the page sends it to the on-demand worker, which writes the CSV
/// ([`trace_csv_of`]) and the JSON file ([`trace_json_of`]): a [`TraceLane`], owned, so that
/// it can travel in a message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportLane {
    /// Stable strategy identifier.
    pub id: String,
    /// Name shown to people (the CSV's `strategy` column).
    pub name: String,
    /// Predicted time on an ideal clock, ms, if there is a prediction.
    pub ideal_ms: Option<f64>,
    /// What was recorded.
    pub trace: Trace,
}

impl ExportLane {
    /// The lane, borrowed, as the writers take it.
    pub fn lane(&self) -> TraceLane<'_> {
        TraceLane {
            id: &self.id,
            name: &self.name,
            ideal_ms: self.ideal_ms,
            trace: &self.trace,
        }
    }
}

/// [`trace_csv`] of the lanes the page sent: how the on-demand worker writes the CSV.
pub fn trace_csv_of(lanes: &[ExportLane]) -> String {
    trace_csv(&lanes.iter().map(ExportLane::lane).collect::<Vec<_>>())
}

/// [`trace_json`] of the lanes the page sent: how the on-demand worker writes the JSON file
/// (serde_json's writer lives there, not in the page).
pub fn trace_json_of(experiment: &str, link: &str, lanes: &[ExportLane]) -> String {
    trace_json(
        experiment,
        link,
        &lanes.iter().map(ExportLane::lane).collect::<Vec<_>>(),
    )
}

/// One line of [`timeline_table`], every cell text for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableRow {
    /// "#3", or "#3 (retry 1)" for a retry.
    pub task: String,
    /// The lane's name ("worker 1") when the trace names its lanes, else "#n".
    pub lane: String,
    /// "500 ms".
    pub start: String,
    /// "1,000 ms", or "pending".
    pub end: String,
    /// "500 ms", or "—" while pending.
    pub duration: String,
    /// completed, failed, timed out, cancelled, or pending.
    pub outcome: String,
}

/// The text alternative of a timeline: one row per span in span order, at most `limit` of
/// them, and how many spans were left out (a run of 10,000 calls should not become a
/// 10,000-row table).
pub fn timeline_table(trace: &Trace, limit: usize) -> (Vec<TableRow>, usize) {
    let rows = trace
        .spans
        .iter()
        .take(limit)
        .map(|s| {
            let task = if s.attempt > 0 {
                format!("#{} (retry {})", s.task as u64 + 1, s.attempt)
            } else {
                format!("#{}", s.task as u64 + 1)
            };
            let lane = trace
                .lane_names
                .get(s.lane as usize)
                .cloned()
                .unwrap_or_else(|| format!("#{}", s.lane as u64 + 1));
            let ms = |v: f64| format!("{} ms", fmt_ms(v));
            TableRow {
                task,
                lane,
                start: ms(s.start_ms),
                end: s.end_ms.map(ms).unwrap_or_else(|| "pending".into()),
                duration: s
                    .end_ms
                    .map(|_| ms(s.length_ms(s.start_ms)))
                    .unwrap_or_else(|| MISSING.into()),
                // Words for people here ("timed out"); the CSV keeps the class-like words.
                outcome: outcome_word(s.outcome).replace('-', " "),
            }
        })
        .collect();
    (rows, trace.spans.len().saturating_sub(limit))
}

/// A stylesheet for exported SVG files, so they look like the page without the page's CSS
/// variables: the light-mode colours of `style/main.css` written out, for the timeline's
/// classes (bars, axis, ticks, labels, the ideal and end markers, consumed dots) and the
/// speedup curve's, plus `.heading` for [`svg_document`]'s headings and `.bg` for its white
/// background. Font sizes, stroke widths and dash arrays are the page's.
pub const CHART_CSS: &str = r#".bg { fill: #ffffff; }
.heading { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 14px; font-weight: 600; fill: #1d1f23; }
.tick-label, .lane-label, .axis-unit, .marker-label { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 10px; fill: #5d6470; font-variant-numeric: tabular-nums; }
.axis, .tick { stroke: #5d6470; stroke-width: 1; }
.bar-completed { fill: #2f6fd6; }
.bar-pending { fill: #8fb3ee; }
.bar-cancelled { fill: #9aa0a8; }
.bar-failed { fill: #c8553d; stroke: #1d1f23; stroke-width: 0.6; }
.bar-timed-out { fill: #8e44ad; stroke: #1d1f23; stroke-width: 0.6; stroke-dasharray: 2 2; }
.bar-lag { fill: #e0a800; }
.consumed { fill: #1d1f23; stroke: #ffffff; stroke-width: 1; }
.ideal { stroke: #d9730d; stroke-width: 2; stroke-dasharray: 4 3; }
.ideal-label { fill: #d9730d; }
.end { stroke: #1d1f23; stroke-width: 1; }
.speedup polyline { fill: none; stroke-width: 2; }
.ideal-line { stroke: #d9730d; stroke-dasharray: 5 4; }
.amdahl-line { stroke: #8e44ad; stroke-dasharray: 2 3; }
.measured-line { stroke: #2f6fd6; }
.measured-point { fill: #2f6fd6; stroke: #ffffff; stroke-width: 1.5; }
.cores { stroke: #1d1f23; stroke-width: 1; stroke-dasharray: 1 3; }
.cmp-label { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 12px; fill: #1d1f23; }
"#;

/// One chart of an [`svg_document`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SvgPart {
    /// Text above the chart; empty for none.
    pub heading: String,
    /// A complete `<svg …>…</svg>` element with its `xmlns`, as the browser's XMLSerializer
    /// writes it.
    pub markup: String,
    /// Width the chart is drawn at, px (its viewBox width).
    pub width: f64,
    /// Height the chart is drawn at, px (its viewBox height).
    pub height: f64,
}

/// Escapes text for XML content and attribute values, and drops the control characters XML 1.0
/// does not allow at all (a stray one would make the whole file unreadable).
fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// A length for an attribute: at most two decimals, no trailing zeros, never negative or NaN.
fn num(v: f64) -> String {
    let v = if v.is_finite() { v.max(0.0) } else { 0.0 };
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Names of the attributes of the start tag beginning at `start` (at its `<`), and the index
/// of the tag's closing `>`; `None` when the tag never closes. Quoted values are skipped, so a
/// `>` or `width=` inside one is not mistaken for the tag's end or an attribute.
fn start_tag_attributes(markup: &str, start: usize) -> Option<(Vec<&str>, usize)> {
    let b = markup.as_bytes();
    let mut i = start + 1;
    // The element name.
    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' && b[i] != b'/' {
        i += 1;
    }
    let mut names = Vec::new();
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        match b.get(i)? {
            b'>' => return Some((names, i)),
            b'/' => {
                i += 1;
                continue;
            }
            _ => {}
        }
        let name_start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        names.push(&markup[name_start..i]);
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if b.get(i) == Some(&b'=') {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            match b.get(i)? {
                &q @ (b'"' | b'\'') => {
                    i += 1 + markup[i + 1..].find(q as char)? + 1;
                }
                _ => {
                    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                        i += 1;
                    }
                }
            }
        }
    }
}

/// `markup` with its first `<svg` start tag given `width` and `height` attributes where it
/// lacks them: an inner `<svg>` with only a viewBox fills its parent's width instead of
/// keeping its own size. A leading XML declaration is dropped (one may only start a file).
/// Markup without an `<svg` start tag, or whose tag never closes, is returned as it is.
fn sized_svg(markup: &str, width: f64, height: f64) -> String {
    let mut markup = markup.trim_start();
    if markup.starts_with("<?xml") {
        if let Some(end) = markup.find("?>") {
            markup = markup[end + 2..].trim_start();
        }
    }
    let Some(start) = markup.match_indices("<svg").map(|(i, _)| i).find(|&i| {
        markup[i + 4..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_whitespace() || c == '>' || c == '/')
    }) else {
        return markup.to_string();
    };
    let Some((names, _)) = start_tag_attributes(markup, start) else {
        return markup.to_string();
    };
    let mut added = String::new();
    if !names.contains(&"width") {
        added.push_str(&format!(" width=\"{}\"", num(width)));
    }
    if !names.contains(&"height") {
        added.push_str(&format!(" height=\"{}\"", num(height)));
    }
    let at = start + 4;
    format!("{}{added}{}", &markup[..at], &markup[at..])
}

/// Padding around and between the parts of an [`svg_document`], px.
const SVG_PAD: f64 = 8.0;
/// Height of a heading's row, px (14 px text and room under it).
const SVG_HEADING_ROW: f64 = 24.0;

/// One standalone SVG file of `parts` stacked top to bottom, each under its heading: an XML
/// declaration, then an `<svg>` with a `<title>` (`title`), a `<style>` (`css`, usually
/// [`CHART_CSS`]), a white background (class `bg`), and for each part a `<text
/// class="heading">` and its markup inside `<g transform="translate(0,y)">`, given explicit
/// `width` and `height` when its `<svg>` lacks them. The width is the widest part's; the height
/// adds up the parts, their heading rows (none for an empty heading) and 8 px of padding above,
/// between and below them. The title and headings are XML-escaped; the markup is trusted.
pub fn svg_document(title: &str, parts: &[SvgPart], css: &str) -> String {
    let width = parts
        .iter()
        .map(|p| if p.width.is_finite() { p.width } else { 0.0 })
        .fold(0.0, f64::max);
    let mut body = String::new();
    let mut y = SVG_PAD;
    for part in parts {
        if !part.heading.trim().is_empty() {
            body.push_str(&format!(
                "<text class=\"heading\" x=\"{}\" y=\"{}\">{}</text>\n",
                num(SVG_PAD),
                num(y + 17.0),
                xml_escape(&part.heading)
            ));
            y += SVG_HEADING_ROW;
        }
        body.push_str(&format!(
            "<g transform=\"translate(0,{})\">\n{}\n</g>\n",
            num(y),
            sized_svg(&part.markup, part.width, part.height)
        ));
        let h = if part.height.is_finite() {
            part.height.max(0.0)
        } else {
            0.0
        };
        y += h + SVG_PAD;
    }
    let (w, h) = (num(width), num(y));
    // "]]>" would end the CDATA section early; split it across two sections.
    let css = css.replace("]]>", "]]]]><![CDATA[>");
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\">\n\
         <title>{}</title>\n\
         <style><![CDATA[\n{css}\n]]></style>\n\
         <rect class=\"bg\" x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\"/>\n\
         {body}</svg>\n",
        xml_escape(title)
    )
}

/// A download's file name: `playground-{experiment_id}-{what}.{ext}`, e.g.
/// "playground-c-sequential-vs-whenall-trace.csv". Each piece is lowercased, anything but
/// `a-z` and `0-9` becomes a dash, dashes are collapsed and trimmed, and empty pieces are left
/// out, so the name is never empty and safe on every file system. Lowercasing is ASCII only:
/// other letters become dashes anyway, and the Unicode case tables would add about 15 KB gzip
/// to the page. The stem is cut at 120
/// characters, well under the usual 255-byte limit.
pub fn file_name(experiment_id: &str, what: &str, ext: &str) -> String {
    let slug = |s: &str| {
        let mut out = String::new();
        for c in s.chars().map(|c| c.to_ascii_lowercase()) {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                out.push(c);
            } else if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        }
        out.trim_end_matches('-').to_string()
    };
    let stem: Vec<String> = ["playground", experiment_id, what]
        .iter()
        .map(|s| slug(s))
        .filter(|s| !s.is_empty())
        .collect();
    let mut stem = stem.join("-");
    if stem.len() > 120 {
        stem.truncate(120);
        stem = stem.trim_end_matches('-').to_string();
    }
    let ext: String = ext
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        .collect();
    if ext.is_empty() {
        stem
    } else {
        format!("{stem}.{ext}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::GroupOutcome;

    /// Task 1 completes, task 2 fails then completes on its retry, task 3 is still pending.
    fn mixed() -> Trace {
        let mut t = Trace::new(3);
        t.start(0, 0, 0, 0.0);
        t.start(1, 1, 0, 0.0);
        t.start(2, 2, 0, 0.0);
        t.end(0, 500.0, Outcome::Completed);
        t.end(1, 300.0, Outcome::Failed);
        t.start(1, 1, 1, 400.25);
        t.end(1, 1400.5, Outcome::Completed);
        t.consumed = vec![(0, 500.0), (1, 1400.5)];
        t.resume(1400.5, GroupOutcome::AllCompleted);
        t
    }

    fn sequential() -> Trace {
        let mut t = Trace::new(2);
        for i in 0..2 {
            t.start(i, i, 0, i as f64 * 500.0);
            t.end(i, i as f64 * 500.0 + 500.0, Outcome::Completed);
        }
        t.resume(1000.0, GroupOutcome::AllCompleted);
        t.finish(1000.0, false);
        t
    }

    #[test]
    fn the_summary_is_a_title_a_table_and_a_link() {
        let rows = vec![
            SummaryRow {
                id: "sequential".into(),
                name: "Sequential awaits".into(),
                measured_ms: Some(5004.2),
                ideal_ms: Some(5000.0),
                vs_baseline: None,
            },
            SummaryRow {
                id: "odd".into(),
                name: "A | B\nC".into(),
                measured_ms: None,
                ideal_ms: Some(500.0),
                vs_baseline: Some("9.9× faster".into()),
            },
        ];
        let md = summary_markdown("A. Sequential vs WhenAll", "https://x.example/#v=1", &rows);
        let lines: Vec<&str> = md.lines().collect();
        assert_eq!(lines[0], "**A. Sequential vs WhenAll**", "bold title first");
        assert_eq!(lines[1], "", "blank line after the title");
        assert_eq!(
            lines[2], "| Strategy | Measured | Ideal | vs baseline |",
            "header"
        );
        assert_eq!(
            lines[3], "| --- | ---: | ---: | ---: |",
            "numbers right-aligned"
        );
        assert_eq!(
            lines[4], "| Sequential awaits | 5,004 ms | 5,000 ms | — |",
            "first row"
        );
        assert_eq!(
            lines[5], "| A \\| B C | — | 500 ms | 9.9× faster |",
            "pipe escaped, newline flattened, missing measured"
        );
        assert_eq!(lines[6], "", "blank line ends the table");
        assert_eq!(
            lines[7], "[Open this experiment](https://x.example/#v=1)",
            "link"
        );
        assert_eq!(lines.len(), 8, "nothing else: {md}");
    }

    #[test]
    fn the_summary_leaves_out_an_empty_link_and_keeps_a_link_with_parentheses_whole() {
        let md = summary_markdown("T", "", &[]);
        assert!(!md.contains("Open this experiment"), "no link line: {md}");
        assert_eq!(md.lines().count(), 4, "title, blank, header, separator");
        let md = summary_markdown("T", "https://x.example/a (b)", &[]);
        assert!(
            md.ends_with("[Open this experiment](https://x.example/a%20\\(b\\))\n"),
            "space encoded, parentheses escaped: {md}"
        );
    }

    #[test]
    fn the_csv_has_one_row_per_span_with_the_traces_numbers() {
        let t = mixed();
        let csv = trace_csv(&[TraceLane {
            id: "all",
            name: "All at once",
            ideal_ms: Some(500.0),
            trace: &t,
        }]);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines.len(),
            t.spans.len() + 1,
            "header plus one row per span"
        );
        assert_eq!(
            lines[0], "strategy,task,lane,attempt,start_ms,end_ms,duration_ms,outcome,consumed_ms",
            "header"
        );
        assert_eq!(
            lines[1], "All at once,1,1,0,0.000,500.000,500.000,completed,500.000",
            "a completed, consumed span; task and lane from 1"
        );
        assert_eq!(
            lines[2], "All at once,2,2,0,0.000,300.000,300.000,failed,",
            "a failed attempt has no consumed time"
        );
        assert_eq!(
            lines[3], "All at once,3,3,0,0.000,,,pending,",
            "a pending span leaves end, duration and consumed empty"
        );
        assert_eq!(
            lines[4], "All at once,2,2,1,400.250,1400.500,1000.250,completed,1400.500",
            "the retry carries the consumed time"
        );
        assert!(
            csv.ends_with('\n') && !csv.contains('\r'),
            "lines end with \\n"
        );
    }

    #[test]
    fn csv_names_with_commas_quotes_or_newlines_are_quoted() {
        let t = sequential();
        let lane = |name| TraceLane {
            id: "x",
            name,
            ideal_ms: None,
            trace: &t,
        };
        let csv = trace_csv(&[
            lane("Throttled, 10"),
            lane("say \"hi\""),
            lane("two\nlines"),
        ]);
        assert!(
            csv.contains("\n\"Throttled, 10\",1,"),
            "comma quoted: {csv}"
        );
        assert!(
            csv.contains("\n\"say \"\"hi\"\"\",1,"),
            "quote doubled: {csv}"
        );
        assert!(csv.contains("\n\"two\nlines\",1,"), "newline quoted: {csv}");
        assert_eq!(
            trace_csv(&[]).lines().count(),
            1,
            "only the header without lanes"
        );
    }

    #[test]
    fn the_json_parses_back_and_its_traces_round_trip() {
        let (a, b) = (sequential(), mixed());
        let json = trace_json(
            "A. \"Sequential\" vs WhenAll",
            "https://x.example/#v=1",
            &[
                TraceLane {
                    id: "sequential",
                    name: "Sequential awaits",
                    ideal_ms: Some(1000.0),
                    trace: &a,
                },
                TraceLane {
                    id: "all",
                    name: "All at once",
                    ideal_ms: None,
                    trace: &b,
                },
            ],
        );
        let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
        assert_eq!(v["format"], TRACE_FORMAT, "format tag");
        assert_eq!(v["version"], 1, "version");
        assert_eq!(
            v["experiment"], "A. \"Sequential\" vs WhenAll",
            "experiment"
        );
        assert_eq!(v["link"], "https://x.example/#v=1", "link");
        let s = v["strategies"].as_array().expect("a list");
        assert_eq!(s.len(), 2, "one entry per lane");
        assert_eq!(
            (
                &s[0]["id"],
                &s[0]["name"],
                &s[0]["ideal_ms"],
                &s[0]["measured_ms"]
            ),
            (
                &serde_json::json!("sequential"),
                &serde_json::json!("Sequential awaits"),
                &serde_json::json!(1000.0),
                &serde_json::json!(1000.0)
            ),
            "fields of the first strategy"
        );
        assert!(s[1]["ideal_ms"].is_null(), "no prediction is null");
        let back: Trace = serde_json::from_value(s[0]["trace"].clone()).expect("a Trace");
        assert_eq!(back, a, "a finished trace round-trips exactly");
        let back: Trace = serde_json::from_value(s[1]["trace"].clone()).expect("a Trace");
        // A trace with a pending span keeps private bookkeeping that is not serialized, so
        // compare what is.
        assert_eq!(
            serde_json::to_value(&back).unwrap(),
            serde_json::to_value(&b).unwrap(),
            "a running trace round-trips its recorded fields"
        );
        assert!(json.contains("\n  \""), "pretty-printed");
    }

    /// A run as a clock records it: times with up to 17 significant digits, many a hair from
    /// where a CSV cell's third decimal rounds the other way.
    fn clocked() -> Trace {
        let mut t = Trace::new(400);
        for i in 0..400u32 {
            let start = f64::from(i) * 0.1 + 0.123_456_789;
            t.start(i, i % 4, 0, start);
            t.end(i, start + f64::from(2 * i + 1) * 0.0005, Outcome::Completed);
            t.consumed.push((i, start + 1000.0 / 3.0));
        }
        t
    }

    /// Traces of every kind, and the tests' own.
    fn awkward_traces() -> Vec<Trace> {
        let mut traces = crate::trace::every_kind_of_trace();
        traces.extend([sequential(), mixed()]);
        traces
    }

    /// A lane for each of `traces`, with awkward names and ideal times.
    fn awkward_lanes(traces: &[Trace]) -> Vec<TraceLane<'_>> {
        let names = [
            "Sequential awaits",
            "say \"hi\" \\ C:\\",
            "two\nlines\r\n\t\u{1}\u{7f}",
            "é 中文 😀 👩‍💻",
            "",
        ];
        let ideal = [Some(1000.0), None, Some(0.1), Some(1e-7), Some(f64::NAN)];
        traces
            .iter()
            .enumerate()
            .map(|(i, trace)| TraceLane {
                id: names[(i + 1) % names.len()],
                name: names[i % names.len()],
                ideal_ms: ideal[i % ideal.len()],
                trace,
            })
            .collect()
    }

    #[test]
    fn the_files_written_from_the_lanes_sent_are_the_files_written_from_the_traces() {
        let mut traces = awkward_traces();
        traces.push(clocked());
        let lanes = awkward_lanes(&traces);
        for lanes in [&lanes[..], &lanes[..1], &[]] {
            let sent: Vec<ExportLane> = lanes
                .iter()
                .map(|l| ExportLane {
                    id: l.id.to_string(),
                    name: l.name.to_string(),
                    ideal_ms: l.ideal_ms,
                    trace: l.trace.clone(),
                })
                .collect();
            assert_eq!(trace_csv_of(&sent), trace_csv(lanes));
            assert_eq!(
                trace_json_of("when-all", "#v=1&preset=when-all", &sent),
                trace_json("when-all", "#v=1&preset=when-all", lanes)
            );
        }
    }

    #[test]
    fn the_json_writes_a_float_that_is_not_finite_as_null() {
        let traces = awkward_traces();
        let lanes = awkward_lanes(&traces);
        let json = trace_json("Experiment", "#v=1", &lanes);
        let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
        let nan_ideal = lanes
            .iter()
            .position(|l| l.ideal_ms.is_some_and(f64::is_nan));
        let at = nan_ideal.expect("a lane with a NaN ideal");
        assert!(v["strategies"][at]["ideal_ms"].is_null(), "{json}");
    }

    #[test]
    fn the_timeline_table_reads_like_the_page() {
        let (rows, left_out) = timeline_table(&mixed(), 10);
        assert_eq!(left_out, 0, "all rows fit");
        assert_eq!(rows.len(), 4, "one row per span");
        assert_eq!(
            rows[0],
            TableRow {
                task: "#1".into(),
                lane: "#1".into(),
                start: "0 ms".into(),
                end: "500 ms".into(),
                duration: "500 ms".into(),
                outcome: "completed".into(),
            },
            "a completed span"
        );
        assert_eq!(
            (
                rows[2].end.as_str(),
                rows[2].outcome.as_str(),
                rows[2].duration.as_str()
            ),
            ("pending", "pending", "—"),
            "a pending span"
        );
        assert_eq!(rows[3].task, "#2 (retry 1)", "a retry says so");
        assert_eq!(rows[3].end, "1,401 ms", "times as the page formats them");
    }

    #[test]
    fn the_timeline_table_uses_lane_names_and_counts_what_it_leaves_out() {
        let mut t = Trace::new(3);
        t.lane_names = vec!["worker 1".into(), "worker 2".into()];
        t.start(0, 1, 0, 0.0);
        t.end(0, 10.0, Outcome::TimedOut);
        t.start(1, 0, 0, 0.0);
        t.start(2, 5, 0, 0.0);
        let (rows, left_out) = timeline_table(&t, 2);
        assert_eq!(
            (rows.len(), left_out),
            (2, 1),
            "limit respected, one left out"
        );
        assert_eq!(rows[0].lane, "worker 2", "named lane");
        assert_eq!(rows[0].outcome, "timed out", "words for people");
        let (rows, _) = timeline_table(&t, 3);
        assert_eq!(
            rows[2].lane, "#6",
            "a lane without a name falls back to its number"
        );
    }

    /// The light colour of `var` in the page's style: `--x: light-dark(#light, #dark);`.
    fn colour_of(css: &str, var: &str) -> String {
        let at = css.find(&format!("{var}:")).expect("variable defined");
        let value = css[at + var.len() + 1..].split(';').next().unwrap().trim();
        let light = value
            .strip_prefix("light-dark(")
            .and_then(|v| v.split(',').next())
            .unwrap_or(value);
        light.trim().to_string()
    }

    #[test]
    fn the_chart_css_uses_the_pages_light_colours_without_variables() {
        // The light values are the first of each light-dark() pair in main.css.
        let page = include_str!("../../style/main.css");
        for (class, var) in [
            ("bar-completed", "--bar-done"),
            ("bar-pending", "--bar-pending"),
            ("bar-failed", "--bar-failed"),
            ("bar-timed-out", "--bar-timed-out"),
            ("bar-cancelled", "--bar-cancelled"),
            ("bar-lag", "--bar-lag"),
        ] {
            let rule = format!(".{class} {{ fill: {};", colour_of(page, var));
            assert!(CHART_CSS.contains(&rule), "{class} should be {rule}");
        }
        assert!(
            CHART_CSS.contains(&format!(
                ".ideal {{ stroke: {};",
                colour_of(page, "--ideal")
            )),
            "ideal marker colour"
        );
        assert!(
            !CHART_CSS.contains("var("),
            "no page variables in a standalone file"
        );
        for class in [
            ".axis",
            ".tick",
            ".tick-label",
            ".lane-label",
            ".axis-unit",
            ".marker-label",
            ".end",
            ".consumed",
            ".heading",
            ".bg",
        ] {
            assert!(CHART_CSS.contains(class), "{class} styled");
        }
    }

    fn part(heading: &str, markup: &str, width: f64, height: f64) -> SvgPart {
        SvgPart {
            heading: heading.into(),
            markup: markup.into(),
            width,
            height,
        }
    }

    const TIMELINE: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" viewBox=\"0 0 720 120\" role=\"img\" aria-label=\"a &gt; b\"><rect class=\"bar bar-completed\" x=\"72\" y=\"14\" width=\"63\" height=\"14\"/></svg>";

    #[test]
    fn an_svg_document_stacks_its_parts_under_escaped_headings() {
        let doc = svg_document(
            "A & B <\"q\"> 'x'",
            &[
                part("Sequential <awaits>", TIMELINE, 720.0, 120.0),
                part("All at once", TIMELINE, 600.0, 80.5),
            ],
            CHART_CSS,
        );
        assert!(
            doc.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "),
            "XML declaration first"
        );
        let opens = doc.matches("<svg ").count() + doc.matches("<svg>").count();
        assert_eq!(opens, 3, "outer svg and one per part");
        assert_eq!(doc.matches("</svg>").count(), opens, "every svg closes");
        assert_eq!(
            doc.matches("<g ").count(),
            doc.matches("</g>").count(),
            "groups balance"
        );
        assert!(
            doc.contains("<title>A &amp; B &lt;&quot;q&quot;&gt; &apos;x&apos;</title>"),
            "title escaped"
        );
        assert!(
            doc.contains(">Sequential &lt;awaits&gt;</text>"),
            "heading escaped"
        );
        // 8 + (24 + 120 + 8) + (24 + 80.5 + 8) = 272.5
        assert!(
            doc.contains("width=\"720\" height=\"272.5\" viewBox=\"0 0 720 272.5\""),
            "widest part and summed height: {}",
            &doc[..200]
        );
        assert!(
            doc.contains("<g transform=\"translate(0,32)\">"),
            "first part under its heading"
        );
        assert!(
            doc.contains("<g transform=\"translate(0,184)\">"),
            "second part below the first"
        );
        assert!(
            doc.contains("<style><![CDATA[\n.bg { fill: #ffffff; }"),
            "css inside CDATA"
        );
        assert!(doc.trim_end().ends_with("</svg>"), "outer svg closes last");
    }

    #[test]
    fn an_empty_heading_takes_no_row() {
        let doc = svg_document("t", &[part("", TIMELINE, 100.0, 50.0)], "");
        assert!(!doc.contains("class=\"heading\""), "no heading text");
        assert!(doc.contains("height=\"66\""), "8 + 50 + 8: {doc}");
        assert!(
            doc.contains("translate(0,8)"),
            "part right under the padding"
        );
    }

    #[test]
    fn an_inner_svg_gets_width_and_height_only_where_missing() {
        let sized = sized_svg(TIMELINE, 720.0, 120.5);
        assert!(
            sized.starts_with("<svg width=\"720\" height=\"120.5\" xmlns="),
            "injected into the first tag: {sized}"
        );
        assert_eq!(sized.matches("width=\"720\"").count(), 1, "once");
        assert!(
            sized.contains("<rect class=\"bar bar-completed\" x=\"72\" y=\"14\" width=\"63\""),
            "children untouched"
        );

        let has_width = "<svg width=\"50%\" viewBox=\"0 0 10 10\"></svg>";
        assert_eq!(
            sized_svg(has_width, 10.0, 10.0),
            "<svg height=\"10\" width=\"50%\" viewBox=\"0 0 10 10\"></svg>",
            "an existing width is kept, only height added"
        );
        let both = "<svg height='3' width='4'/>";
        assert_eq!(sized_svg(both, 10.0, 10.0), both, "nothing to add");

        let tricky = "<svg data-width=\"1\" stroke-width=\"2\" aria-label=\"width=&quot;3&quot; >\" viewBox=\"0 0 1 1\"><g/></svg>";
        let sized = sized_svg(tricky, 1.0, 2.0);
        assert!(
            sized.starts_with("<svg width=\"1\" height=\"2\" data-width"),
            "look-alike names and quoted text do not count: {sized}"
        );
    }

    #[test]
    fn an_inner_svg_loses_its_xml_declaration_and_odd_markup_passes_through() {
        let with_decl = format!("<?xml version=\"1.0\"?>\n{TIMELINE}");
        let sized = sized_svg(&with_decl, 1.0, 1.0);
        assert!(
            sized.starts_with("<svg width="),
            "declaration dropped: {sized}"
        );
        assert_eq!(
            sized_svg("<svgx a=\"1\">", 1.0, 1.0),
            "<svgx a=\"1\">",
            "not an svg tag"
        );
        assert_eq!(
            sized_svg("<svg a=\"1", 1.0, 1.0),
            "<svg a=\"1",
            "unclosed tag untouched"
        );
        assert_eq!(sized_svg("", 1.0, 1.0), "", "empty markup");
    }

    #[test]
    fn a_css_that_contains_the_cdata_end_does_not_break_the_file() {
        let doc = svg_document("t", &[], "a::after { content: \"]]>\" }");
        assert_eq!(
            doc.matches("<![CDATA[").count(),
            2,
            "split into two sections"
        );
        assert!(doc.contains("\"]]]]><![CDATA[>\""), "split at the marker");
    }

    #[test]
    fn control_characters_are_dropped_from_escaped_text() {
        assert_eq!(
            xml_escape("a\u{1}b\tc\u{FFFF}"),
            "ab\tc",
            "a tab stays, the rest go"
        );
    }

    #[test]
    fn file_names_are_lowercase_dashed_and_never_empty() {
        assert_eq!(
            file_name("C: Sequential vs WhenAll", "trace", "csv"),
            "playground-c-sequential-vs-whenall-trace.csv",
            "slugged"
        );
        assert_eq!(
            file_name("--when-all--", "  Summary  Table ", ".MD"),
            "playground-when-all-summary-table.md",
            "dashes collapsed and trimmed, extension cleaned"
        );
        assert_eq!(file_name("", "", ""), "playground", "never empty");
        assert_eq!(
            file_name("Ünïcode ×", "", "svg"),
            "playground-n-code.svg",
            "non-ASCII becomes dashes"
        );
        let long = file_name(&"a-".repeat(200), "trace", "json");
        assert!(
            long.len() <= 125 && long.ends_with(".json"),
            "capped: {long}"
        );
        assert!(
            !long.contains("-.") && !long.contains("--"),
            "no dash before the dot: {long}"
        );
    }
}
