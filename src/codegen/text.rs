//! Code as text, for every language: indented lines, comments, numbers, labels, lists of ms.

use crate::codegen::lang::Lang;
use crate::model::scenario::Step;

/// Lines of code under construction, indented by the language's own unit.
pub(super) struct Out {
    pub(super) lang: Lang,
    pub(super) lines: Vec<String>,
    pub(super) depth: usize,
}

impl Out {
    pub(super) fn new(lang: Lang) -> Out {
        Out {
            lang,
            lines: Vec::new(),
            depth: 0,
        }
    }

    fn unit(&self) -> &'static str {
        // Prettier's two spaces for JavaScript; the others' formatters use four.
        if self.lang == Lang::JavaScript {
            "  "
        } else {
            "    "
        }
    }

    /// Adds `text` line by line at the current depth, keeping its own relative indentation.
    pub(super) fn l(&mut self, text: &str) {
        let pad = self.unit().repeat(self.depth);
        for line in text.lines() {
            if line.trim().is_empty() {
                self.lines.push(String::new());
            } else {
                self.lines.push(format!("{pad}{line}"));
            }
        }
    }

    /// Adds `text` when there is one.
    pub(super) fn l_opt(&mut self, text: Option<String>) {
        if let Some(t) = text {
            self.l(&t);
        }
    }

    /// Adds `text` one level deeper (a loop body without braces).
    pub(super) fn under(&mut self, text: &str) {
        self.depth += 1;
        self.l(text);
        self.depth -= 1;
    }

    /// Adds `text`, then indents what follows.
    pub(super) fn open(&mut self, text: &str) {
        self.l(text);
        self.depth += 1;
    }

    /// Ends an indented block with `text`.
    pub(super) fn close(&mut self, text: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.l(text);
    }

    pub(super) fn blank(&mut self) {
        self.lines.push(String::new());
    }

    /// A comment wrapped to a readable width, with the language's marker.
    pub(super) fn comment(&mut self, text: &str) {
        let marker = if self.lang == Lang::Python { "#" } else { "//" };
        self.marked(marker, text);
    }

    /// A Rust doc comment (`///`), wrapped.
    pub(super) fn doc(&mut self, text: &str) {
        self.marked("///", text);
    }

    fn marked(&mut self, marker: &str, text: &str) {
        let mut line = String::new();
        for word in text.split_whitespace() {
            if !line.is_empty() && line.len() + 1 + word.len() > 88 {
                self.l(&format!("{marker} {line}"));
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        if !line.is_empty() {
            self.l(&format!("{marker} {line}"));
        }
    }

    /// A Python docstring, wrapped when it does not fit on one line.
    pub(super) fn docstring(&mut self, text: &str) {
        let width = 88usize
            .saturating_sub(self.unit().len() * self.depth + 6)
            .max(40);
        let mut lines: Vec<String> = vec![String::new()];
        for word in text.split_whitespace() {
            let last = lines.last_mut().expect("one line at least");
            if !last.is_empty() && last.len() + 1 + word.len() > width {
                lines.push(word.to_string());
            } else {
                if !last.is_empty() {
                    last.push(' ');
                }
                last.push_str(word);
            }
        }
        let n = lines.len();
        for (i, line) in lines.iter().enumerate() {
            let open = if i == 0 { "\"\"\"" } else { "" };
            let close = if i + 1 == n { "\"\"\"" } else { "" };
            self.l(&format!("{open}{line}{close}"));
        }
    }

    /// Writes `line(expr)`, or, when that would be too wide to read, binds `expr` to `name`
    /// first and writes `line(name)`.
    pub(super) fn bind(&mut self, name: &str, expr: &str, line: impl Fn(&str) -> String) {
        let full = line(expr);
        if self.unit().len() * self.depth + full.len() <= 92 {
            self.l(&full);
            return;
        }
        let decl = match self.lang {
            Lang::CSharp => format!("var {name} = {expr};"),
            Lang::JavaScript => format!("const {name} = {expr};"),
            Lang::Python => format!("{name} = {expr}"),
            Lang::Rust => format!("let {name} = {expr};"),
        };
        self.l(&decl);
        self.l(&line(name));
    }

    /// C#: `{head}{chain}{tail}`, with the LINQ chain broken before `.Select(` when too wide.
    pub(super) fn chain(&mut self, head: &str, chain: &str, tail: &str) {
        let full = format!("{head}{chain}{tail}");
        match chain.find(".Select(") {
            Some(at) if self.unit().len() * self.depth + full.len() > 92 => {
                self.l(&format!("{head}{}", &chain[..at]));
                self.under(&chain[at..]);
                self.under(tail);
            }
            _ => self.l(&full),
        }
    }

    /// Runs `body` inside try/catch when `on`, with `handler` as the catch block (`e` in C# and
    /// Python, `err` in JavaScript). Rust has no exceptions: `body` runs as is.
    pub(super) fn guard(&mut self, on: bool, body: impl FnOnce(&mut Out), handler: &[&str]) {
        self.guard_as(on, "catch (Exception e)", body, handler);
    }

    /// [`Out::guard`] with C#'s catch clause given.
    pub(super) fn guard_as(
        &mut self,
        on: bool,
        cs_catch: &str,
        body: impl FnOnce(&mut Out),
        handler: &[&str],
    ) {
        if !on || self.lang == Lang::Rust {
            body(self);
            return;
        }
        match self.lang {
            Lang::CSharp => {
                self.l("try");
                self.open("{");
                body(self);
                self.close("}");
                self.l(cs_catch);
                self.open("{");
                handler.iter().for_each(|h| self.l(h));
                self.close("}");
            }
            Lang::JavaScript => {
                self.open("try {");
                body(self);
                self.close("} catch (err) {");
                self.depth += 1;
                handler.iter().for_each(|h| self.l(h));
                self.close("}");
            }
            Lang::Python | Lang::Rust => {
                self.open("try:");
                body(self);
                self.close("except Exception as e:");
                self.depth += 1;
                handler.iter().for_each(|h| self.l(h));
                self.depth -= 1;
            }
        }
    }

    pub(super) fn done(self) -> String {
        let mut lines = self.lines;
        while lines.last().is_some_and(|l| l.is_empty()) {
            lines.pop();
        }
        lines.join("\n")
    }
}

/// `n` with `_` between groups of three digits from 10,000 up (`5_000_000`), which all four
/// languages accept in numeric literals.
pub(super) fn grouped(n: u64) -> String {
    let digits = n.to_string();
    if n < 10_000 {
        return digits;
    }
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('_');
        }
        out.push(c);
    }
    out
}

/// Milliseconds as Python seconds: `2500` -> `2.5`, `2000` -> `2`.
pub(super) fn secs(ms: u32) -> String {
    if ms.is_multiple_of(1000) {
        return (ms / 1000).to_string();
    }
    let s = format!("{:.3}", f64::from(ms) / 1000.0);
    s.trim_end_matches('0').to_string()
}

/// A step label made safe for a line comment: letters, digits and a little punctuation.
pub(super) fn label(step: &Step) -> String {
    let clean: String = step
        .label
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || " -_.,:+/&".contains(c) {
                c
            } else {
                ' '
            }
        })
        .collect();
    let clean = clean.split_whitespace().collect::<Vec<_>>().join(" ");
    if clean.is_empty() {
        "wait".into()
    } else {
        clean
    }
}

/// 0-based task indices as the 1-based call numbers people read: "2", "2 and 4", "1, 2 and 5".
pub(super) fn call_numbers(ids: &[u32]) -> String {
    let n: Vec<String> = ids
        .iter()
        .map(|i| (u64::from(*i) + 1).to_string())
        .collect();
    match n.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// `ids` joined with `sep`, as written in code (0-based).
pub(super) fn id_list(ids: &[u32], sep: &str) -> String {
    ids.iter().map(u32::to_string).collect::<Vec<_>>().join(sep)
}

// ---------------------------------------------------------------------------------------------
// Lists of milliseconds, written compactly

/// A stretch of a list: values written one by one, or one value repeated.
enum Part {
    Items(Vec<u32>),
    Run(u32, usize),
}

/// Shortest run written as a repetition rather than value by value.
const MIN_RUN: usize = 4;
/// Most elements (values or runs) a list may have and still be written inside each snippet;
/// longer lists are declared once, in the setup.
const MAX_INLINE_ELEMENTS: usize = 12;
/// Elements per line when a long list is wrapped.
const PER_LINE: usize = 10;

fn parts(values: &[u32]) -> Vec<Part> {
    let mut out: Vec<Part> = Vec::new();
    let mut i = 0;
    while i < values.len() {
        let run = values[i..].iter().take_while(|&&v| v == values[i]).count();
        if run >= MIN_RUN {
            out.push(Part::Run(values[i], run));
        } else if let Some(Part::Items(items)) = out.last_mut() {
            items.extend_from_slice(&values[i..i + run]);
        } else {
            out.push(Part::Items(values[i..i + run].to_vec()));
        }
        i += run;
    }
    out
}

fn element_count(values: &[u32]) -> usize {
    parts(values)
        .iter()
        .map(|p| match p {
            Part::Items(v) => v.len(),
            Part::Run(..) => 1,
        })
        .sum()
}

/// True when a list is too long to repeat in every snippet.
pub(super) fn is_long(values: &[u32]) -> bool {
    element_count(values) > MAX_INLINE_ELEMENTS
}

/// `open e1, e2, … close` on one line, or wrapped [`PER_LINE`] to a line when long.
fn render(lang: Lang, open: &str, elems: &[String], close: &str, pad: bool) -> String {
    let sp = if pad { " " } else { "" };
    let one = format!("{open}{sp}{}{sp}{close}", elems.join(", "));
    if one.len() <= 88 {
        return one;
    }
    let unit = if lang == Lang::JavaScript {
        "  "
    } else {
        "    "
    };
    let mut out = format!("{open}\n");
    for chunk in elems.chunks(PER_LINE) {
        out.push_str(&format!("{unit}{},\n", chunk.join(", ")));
    }
    out.push_str(close);
    out
}

/// The expression of a list of ms in `lang`. Rust writes a `Vec` when `rust_vec`, else an array
/// when it can.
fn list_expr(lang: Lang, values: &[u32], rust_vec: bool) -> String {
    let ps = parts(values);
    let item = |v: &u32| v.to_string();
    match (lang, ps.as_slice()) {
        (Lang::CSharp, []) => "Array.Empty<int>()".into(),
        (Lang::JavaScript | Lang::Python, []) => "[]".into(),
        (Lang::Rust, []) => "Vec::<u64>::new()".into(),
        (Lang::CSharp, [Part::Run(v, n)]) => format!("Enumerable.Repeat({v}, {n}).ToArray()"),
        (Lang::JavaScript, [Part::Run(v, n)]) => format!("Array({n}).fill({v})"),
        (Lang::Python, [Part::Run(v, n)]) => format!("[{v}] * {n}"),
        (Lang::Rust, [Part::Run(v, n)]) => format!("vec![{v}; {n}]"),
        (Lang::CSharp, [Part::Items(v)]) => {
            let elems: Vec<String> = v.iter().map(item).collect();
            let one = render(lang, "new[] {", &elems, "}", true);
            if one.contains('\n') {
                render(lang, "[", &elems, "]", false)
            } else {
                one
            }
        }
        (Lang::Rust, [Part::Items(v)]) => {
            let elems: Vec<String> = v.iter().map(item).collect();
            let open = if rust_vec { "vec![" } else { "[" };
            render(lang, open, &elems, "]", false)
        }
        (Lang::Rust, ps) => {
            let elems: Vec<String> = ps
                .iter()
                .map(|p| match p {
                    Part::Items(v) => {
                        format!(
                            "vec![{}]",
                            v.iter().map(item).collect::<Vec<_>>().join(", ")
                        )
                    }
                    Part::Run(v, n) => format!("vec![{v}; {n}]"),
                })
                .collect();
            render(lang, "[", &elems, "].concat()", false)
        }
        (lang, ps) => {
            let elems: Vec<String> = ps
                .iter()
                .flat_map(|p| match p {
                    Part::Items(v) => v.iter().map(item).collect::<Vec<_>>(),
                    Part::Run(v, n) => vec![match lang {
                        Lang::CSharp => format!(".. Enumerable.Repeat({v}, {n})"),
                        Lang::JavaScript => format!("...Array({n}).fill({v})"),
                        _ => format!("*[{v}] * {n}"),
                    }],
                })
                .collect();
            render(lang, "[", &elems, "]", false)
        }
    }
}

/// A statement declaring the list `name` in `lang`.
pub(super) fn list_decl(lang: Lang, name: &str, values: &[u32]) -> String {
    let expr = list_expr(lang, values, false);
    match lang {
        // A collection expression needs its type spelled out.
        Lang::CSharp if expr.starts_with('[') => format!("int[] {name} = {expr};"),
        Lang::CSharp => format!("var {name} = {expr};"),
        Lang::JavaScript => format!("const {name} = {expr};"),
        Lang::Python => format!("{name} = {expr}"),
        Lang::Rust => format!("let {name} = {expr};"),
    }
}

/// A long list declared once in the setup. Rust gets a function, since a `const` cannot be built
/// from repetitions; each snippet then binds it with `let name = name();`.
pub(super) fn list_setup(lang: Lang, name: &str, values: &[u32]) -> String {
    match lang {
        Lang::Rust => {
            let expr = list_expr(lang, values, true);
            let body: String = expr.lines().map(|l| format!("    {l}\n")).collect();
            format!("fn {name}() -> Vec<u64> {{\n{body}}}")
        }
        _ => list_decl(lang, name, values),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_lists_are_written_the_way_each_language_reads_them() {
        assert_eq!(grouped(5_000_000), "5_000_000");
        assert_eq!(grouped(1200), "1200");
        assert_eq!(grouped(10_000), "10_000");
        assert_eq!(secs(2500), "2.5");
        assert_eq!(secs(2000), "2");
        assert_eq!(secs(50), "0.05");
        assert_eq!(call_numbers(&[1, 3]), "2 and 4");
        assert_eq!(call_numbers(&[0, 1, 4]), "1, 2 and 5");
        assert_eq!(
            list_expr(Lang::CSharp, &[2000, 3000, 1000], false),
            "new[] { 2000, 3000, 1000 }"
        );
        assert_eq!(
            list_expr(Lang::Python, &[1000, 1000, 1000, 1000, 500], false),
            "[*[1000] * 4, 500]"
        );
        assert_eq!(
            list_expr(Lang::Rust, &[7, 7, 7, 7, 1], false),
            "[vec![7; 4], vec![1]].concat()"
        );
    }
}
