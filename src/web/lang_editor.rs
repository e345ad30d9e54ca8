//! The program editor, built by the language module into the box the page gives it (plain DOM,
//! no framework: it comes with the module, so the page pays nothing for it until a program is
//! opened). A text area with line numbers, the problems found as you type (each selects its
//! code when pressed), and the "Language" help whose examples open in the editor.
//!
//! The page owns the link: every edit is handed to it as the program's new `code=` value.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlTextAreaElement};

use crate::lang::{examples, link};

/// The editor, once built.
pub struct Editor {
    area: HtmlTextAreaElement,
    gutter: Element,
    problems: Element,
    /// The link value of the text shown.
    code: RefCell<String>,
    /// Called with the new link value after each edit.
    on_edit: RefCell<Option<js_sys::Function>>,
}

thread_local! {
    static EDITOR: RefCell<Option<Rc<Editor>>> = const { RefCell::new(None) };
}

/// The editor, if built.
pub fn editor() -> Option<Rc<Editor>> {
    EDITOR.with(|e| e.borrow().clone())
}

fn el(doc: &Document, tag: &str, class: &str) -> Result<Element, JsValue> {
    let e = doc.create_element(tag)?;
    e.set_class_name(class);
    Ok(e)
}

/// Shows the program of link value `code` in `host` (building the editor there the first time),
/// edits reported to `on_edit`. Returns why the value could not be read (the starter program
/// is shown instead), if so.
pub fn show(
    host: &Element,
    code: &str,
    on_edit: js_sys::Function,
) -> Result<Option<String>, JsValue> {
    let ed = match editor() {
        Some(ed) if ed.area.is_connected() => ed,
        _ => build(host)?,
    };
    *ed.on_edit.borrow_mut() = Some(on_edit);
    if *ed.code.borrow() == code && !code.is_empty() {
        return Ok(None);
    }
    let (text, note) = match code {
        "" => (examples::STARTER.to_string(), None),
        _ => match link::decode(code) {
            Ok(t) => (t, None),
            Err(e) => (
                examples::STARTER.to_string(),
                Some(format!("{e} The starter program opened instead.")),
            ),
        },
    };
    *ed.code.borrow_mut() = code.to_string();
    ed.area.set_value(&text);
    ed.refresh(&text);
    Ok(note)
}

/// Builds the editor in `host`.
fn build(host: &Element) -> Result<Rc<Editor>, JsValue> {
    let doc = host.owner_document().ok_or("no document")?;
    // The editor's style comes with it (style/program.css, copied beside the page by Trunk).
    let style = doc.create_element("link")?;
    style.set_attribute("rel", "stylesheet")?;
    style.set_attribute("href", "./program.css")?;
    doc.head().ok_or("no head")?.append_child(&style)?;
    host.set_inner_html("");
    let wrap = el(&doc, "div", "program-editor")?;
    let gutter = el(&doc, "pre", "gutter")?;
    gutter.set_attribute("aria-hidden", "true")?;
    let area: HtmlTextAreaElement = el(&doc, "textarea", "program-text")?.dyn_into()?;
    for (k, v) in [
        ("data-testid", "program"),
        ("aria-label", "Your program"),
        ("spellcheck", "false"),
        ("autocapitalize", "off"),
        ("autocomplete", "off"),
        ("wrap", "off"),
        ("rows", "14"),
    ] {
        area.set_attribute(k, v)?;
    }
    wrap.append_child(&gutter)?;
    wrap.append_child(&area)?;
    let problems = el(&doc, "div", "problems-box")?;
    let help = el(&doc, "details", "help")?;
    help.set_attribute("data-testid", "language-help")?;
    help.set_inner_html(&format!(
        "<summary>Language</summary>{}",
        crate::markup::language_help()
    ));
    host.append_child(&wrap)?;
    host.append_child(&problems)?;
    host.append_child(&help)?;
    let ed = Rc::new(Editor {
        area,
        gutter,
        problems,
        code: RefCell::default(),
        on_edit: RefCell::new(None),
    });
    listen(&ed.area, "input", {
        let ed = ed.clone();
        move |_| ed.edited(ed.area.value())
    })?;
    listen(&ed.area, "scroll", {
        let ed = ed.clone();
        move |_| ed.gutter.set_scroll_top(ed.area.scroll_top())
    })?;
    listen(&ed.problems, "click", {
        let ed = ed.clone();
        move |ev| {
            let at = |k: &str| {
                target_closest(&ev, "button[data-start]")?
                    .get_attribute(k)?
                    .parse::<usize>()
                    .ok()
            };
            if let (Some(a), Some(b)) = (at("data-start"), at("data-end")) {
                ed.select(a, b);
            }
        }
    })?;
    listen(&help, "click", {
        let ed = ed.clone();
        move |ev| {
            let id = target_closest(&ev, "button[data-example]")
                .and_then(|b| b.get_attribute("data-example"));
            if let Some(text) = id.and_then(|id| examples::ALL.iter().find(|e| e.0 == id)) {
                ed.area.set_value(text.2);
                ed.edited(text.2.to_string());
                let _ = ed.area.focus();
            }
        }
    })?;
    EDITOR.with(|e| *e.borrow_mut() = Some(ed.clone()));
    Ok(ed)
}

/// The element matching `selector` at or above the event's target.
fn target_closest(ev: &web_sys::Event, selector: &str) -> Option<Element> {
    ev.target()?
        .dyn_into::<Element>()
        .ok()?
        .closest(selector)
        .ok()
        .flatten()
}

/// Adds a listener that lives as long as the page.
fn listen(
    target: &web_sys::EventTarget,
    event: &str,
    f: impl FnMut(web_sys::Event) + 'static,
) -> Result<(), JsValue> {
    let f = Closure::<dyn FnMut(web_sys::Event)>::new(f);
    target.add_event_listener_with_callback(event, f.as_ref().unchecked_ref())?;
    f.forget();
    Ok(())
}

/// The UTF-16 offset (what a text area counts) of byte `b` of `text`.
fn utf16_at(text: &str, b: usize) -> u32 {
    let mut b = b.min(text.len());
    while !text.is_char_boundary(b) {
        b -= 1;
    }
    text[..b].encode_utf16().count() as u32
}

impl Editor {
    /// The text in the editor.
    pub fn text(&self) -> String {
        self.area.value()
    }

    /// The link value of the text in the editor.
    pub fn code(&self) -> String {
        self.code.borrow().clone()
    }

    /// Line numbers and problems for `text`.
    fn refresh(&self, text: &str) {
        let lines = text.split('\n').count();
        let numbers: Vec<String> = (1..=lines).map(|i| i.to_string()).collect();
        self.gutter.set_text_content(Some(&numbers.join("\n")));
        self.problems
            .set_inner_html(&super::lang_host::problems_html(text));
    }

    /// The person typed: new numbers, problems and link value, handed to the page.
    fn edited(&self, text: String) {
        self.refresh(&text);
        let code = link::encode(&text);
        *self.code.borrow_mut() = code.clone();
        if let Some(f) = self.on_edit.borrow().as_ref() {
            let _ = f.call1(&JsValue::NULL, &JsValue::from_str(&code));
        }
    }

    /// Selects bytes `start..end` of the text, so the code at fault is marked.
    pub fn select(&self, start: usize, end: usize) {
        let text = self.area.value();
        let _ = self.area.focus();
        let _ = self
            .area
            .set_selection_range(utf16_at(&text, start), utf16_at(&text, end));
    }

    /// Shows what ended the last run under the editor (the next edit replaces it).
    pub fn show_run_error(&self, html: &str) {
        self.problems.set_inner_html(html);
    }

    /// Locks the text while a run is in flight (it runs what was there when it started).
    pub fn set_running(&self, running: bool) {
        self.area.set_read_only(running);
    }
}
