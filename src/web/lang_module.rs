//! The page's side of the language module (`src/bin/lang.rs`; see [`super::lang_host`] and
//! [`super::lang_editor`]): loads it once, the first time a program is opened, into the page's
//! own thread, and calls what it exports. Why on demand: the language and its editor are a
//! download of their own that a reader of a preset never needs, and the page's start budget
//! (300 KB gzip) cannot hold them. Why calls by name: the page links none of the module's code.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// Where Trunk puts the module, relative to the page; its wasm sits beside it.
pub const LANG_URL: &str = "./lang.js";

/// How the module is imported: `import()` is syntax, not a function, so it takes a few lines
/// of JavaScript, and those live in the page's binary (`src/bin/app.rs`, which hands them over
/// with [`set_loader`]), not in this library: wasm-bindgen writes a library's inline JavaScript
/// into the output of every binary that links it, and Trunk builds the four binaries at once
/// into one folder, so one of them could read the file while another rewrote it (a page once
/// shipped with the hash of an empty file and would not start).
type Loader = fn(&str) -> Promise;

thread_local! {
    static LOADER: std::cell::Cell<Option<Loader>> = const { std::cell::Cell::new(None) };
}

/// Sets how the module is imported (the page does, before it mounts).
pub fn set_loader(loader: Loader) {
    LOADER.with(|l| l.set(Some(loader)));
}

/// The loaded module.
#[derive(Clone)]
pub struct LangModule(JsValue);

/// A program in flight in the module.
#[derive(Clone)]
pub struct ProgramRun(JsValue);

/// Loads the module (once; later calls get the same one), or says why it could not be loaded.
pub async fn load() -> Result<LangModule, String> {
    let load = LOADER
        .with(|l| l.get())
        .ok_or("The language module has no loader in this page.")?;
    JsFuture::from(load(LANG_URL))
        .await
        .map(LangModule)
        .map_err(|e| format!("The language could not be loaded ({}).", describe(&e)))
}

/// A thrown value as a sentence.
fn describe(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| Reflect::get(e, &"message".into()).ok()?.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

/// Calls `target[name](...args)`; a string result as `Some`.
fn call(target: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, String> {
    let f: Function = Reflect::get(target, &name.into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(|| format!("the language module has no {name}"))?;
    let args: js_sys::Array = args.iter().collect();
    f.apply(target, &args).map_err(|e| describe(&e))
}

impl LangModule {
    /// Shows the program of `code` in the editor in `host`; `on_edit` gets each edit's new
    /// link value. Returns why the value could not be read, if so.
    pub fn show(&self, host: &JsValue, code: &str, on_edit: &Function) -> Option<String> {
        match call(
            &self.0,
            "show",
            &[host.clone(), code.into(), on_edit.into()],
        ) {
            Ok(note) => note.as_string(),
            Err(e) => Some(e),
        }
    }

    /// The link value of the program that does what `fragment`'s scenario does.
    pub fn program_of(&self, fragment: &str) -> Result<String, String> {
        call(&self.0, "program_of", &[fragment.into()]).map(|v| v.as_string().unwrap_or_default())
    }

    /// Starts the program of `code` with jobs on up to `workers` workers, or says why not.
    pub fn start(&self, code: &str, workers: u32) -> Result<ProgramRun, String> {
        call(&self.0, "start", &[code.into(), workers.into()]).map(ProgramRun)
    }
}

impl ProgramRun {
    /// The card as the run is now, or (`at_ms`) as it was that many ms into the run.
    pub fn render(&self, width: f64, at_ms: Option<f64>) -> String {
        let at = at_ms.unwrap_or(f64::NAN);
        call(&self.0, "render", &[width.into(), at.into()])
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    }

    /// The ended run's result line, for the summary, exports, history, replay and repeated
    /// runs; `None` while it runs.
    pub fn line(&self) -> Option<crate::trace::results::ResultLine> {
        let wire = super::message::from_js(call(&self.0, "line", &[]).ok()?).ok()?;
        crate::trace::wire::decode(wire)
    }

    /// Whether it has ended.
    pub fn ended(&self) -> bool {
        call(&self.0, "ended", &[]).is_ok_and(|v| v.is_truthy())
    }

    /// Workers the module keeps warm for the next run (its own pool: the module is a wasm
    /// instance of its own), 0 if it cannot say.
    pub fn warm_workers(&self) -> usize {
        call(&self.0, "warm_workers", &[])
            .ok()
            .and_then(|v| v.as_f64())
            .map_or(0, |n| n as usize)
    }

    /// Stops it.
    pub fn cancel(&self) {
        let _ = call(&self.0, "cancel", &[]);
    }

    /// Waits until it has ended.
    pub async fn done(&self) {
        if let Ok(p) = call(&self.0, "done", &[]) {
            let _ = JsFuture::from(Promise::from(p)).await;
        }
    }
}
