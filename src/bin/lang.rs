//! The language module: the program editor, parser, checker and interpreter, loaded by the page
//! the first time a program is opened (an ES module imported into the page's own thread, so a
//! program's timers run on the page's event loop). Thin: what it exports is in
//! `playground::web::lang_host` and `playground::web::lang_editor`.

#[cfg(target_arch = "wasm32")]
mod exports {
    use playground::web::lang_editor;
    use playground::web::lang_host::{self, ProgramRun};
    use wasm_bindgen::prelude::*;

    /// Shows the program of link value `code` in the editor built in `host`; edits are handed
    /// to `on_edit` as new link values. Returns why the value could not be read, if so.
    #[wasm_bindgen]
    pub fn show(
        host: web_sys::Element,
        code: &str,
        on_edit: js_sys::Function,
    ) -> Result<Option<String>, JsValue> {
        lang_editor::show(&host, code, on_edit)
    }

    /// The link value of the program that does what a link fragment's scenario does.
    #[wasm_bindgen]
    pub fn program_of(fragment: &str) -> Result<String, String> {
        lang_host::program_of(fragment)
    }

    /// The benchmark's hook: the mean time to parse and check `text`, over `reps` times, ms.
    #[wasm_bindgen]
    pub fn check_ms(text: &str, reps: u32) -> f64 {
        let now = || {
            web_sys::window()
                .and_then(|w| w.performance())
                .map_or(0.0, |p| p.now())
        };
        let t0 = now();
        for _ in 0..reps.max(1) {
            std::hint::black_box(playground::lang::check::problems(std::hint::black_box(
                text,
            )));
        }
        (now() - t0) / f64::from(reps.max(1))
    }

    /// A program in flight.
    #[wasm_bindgen]
    pub struct Run(ProgramRun);

    /// Starts the program of link value `code`; throws a sentence when it cannot run.
    #[wasm_bindgen]
    pub fn start(code: &str, workers: u32) -> Result<Run, String> {
        lang_host::start(code, workers).map(Run)
    }

    #[wasm_bindgen]
    impl Run {
        /// The card as the run is now, laid out `width` px wide; with `at_ms` (not NaN), as
        /// it was that many ms into the run.
        pub fn render(&self, width: f64, at_ms: f64) -> String {
            self.0.render(width, (!at_ms.is_nan()).then_some(at_ms))
        }

        /// The ended run's result line as a serde value (`undefined` while it runs).
        pub fn line(&self) -> JsValue {
            self.0.line()
        }

        /// Stops the run.
        pub fn cancel(&self) {
            self.0.cancel()
        }

        /// Whether it has ended.
        pub fn ended(&self) -> bool {
            self.0.ended()
        }

        /// Workers kept warm for the next run.
        pub fn warm_workers(&self) -> u32 {
            self.0.warm_workers()
        }

        /// Resolves when it has ended.
        pub fn done(&self) -> js_sys::Promise {
            self.0.done()
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "The language module runs in a browser: build it with `trunk build` (see README.md)."
    );
}
