//! "Your program" in the page: the box the language module builds its editor in, and one run of
//! the program on the page's event loop (through the module, [`super::lang_module`]).
//!
//! The draft holds the program as its link value (the URL is the source of truth). Whenever the
//! value changes the module shows it (a value the editor itself just wrote changes nothing
//! there); every edit in the editor comes back as a new value for the draft.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::prelude::*;

use super::lang_module::{self, ProgramRun};
use super::run::Prepared;
use crate::model::editor::Draft;
use crate::model::scenario::ProgramCode;
use crate::trace::results::ResultLine;

/// The id of the box the editor is built in (`App`).
pub(crate) const EDITOR_HOST: &str = "program-host";

/// What the page shows of a program besides the editor.
#[derive(Clone, Copy)]
pub(crate) struct ProgramState {
    /// Why the program could not be opened, written or run, if so.
    pub note: RwSignal<Option<String>>,
    /// The run's card, as HTML.
    pub card: RwSignal<String>,
    /// The ended run's result line (summary, exports, history, replay, repeated runs); `None`
    /// while it runs, after a cancel, and once a preset has run.
    pub line: RwSignal<Option<ResultLine>>,
    /// The latest run, kept for its replay.
    last: StoredValue<Option<ProgramRun>, LocalStorage>,
}

/// `draft`'s program with link value `code`.
fn set_code(draft: RwSignal<Draft>, code: String, from_preset: Option<bool>) {
    draft.update(|d| {
        let from_preset =
            from_preset.unwrap_or_else(|| d.program.as_ref().is_some_and(|p| p.from_preset));
        d.program = Some(ProgramCode { code, from_preset });
    });
}

impl ProgramState {
    /// Shows `draft`'s program in the editor whenever its link value changes.
    pub fn new(draft: RwSignal<Draft>) -> Self {
        let s = ProgramState {
            note: RwSignal::new(None),
            card: RwSignal::new(String::new()),
            line: RwSignal::new(None),
            last: StoredValue::new_local(None),
        };
        // Edits come back as link values (one closure for the page's life).
        let on_edit: Rc<js_sys::Function> = Rc::new(
            Closure::<dyn Fn(String)>::new(move |code: String| set_code(draft, code, None))
                .into_js_value()
                .into(),
        );
        Effect::new(move |_| {
            let Some(code) = draft.with(|d| d.program.as_ref().map(|p| p.code.clone())) else {
                return;
            };
            let on_edit = on_edit.clone();
            spawn_local(async move {
                let shown = lang_module::load().await.map(|m| {
                    let host = document().get_element_by_id(EDITOR_HOST);
                    host.and_then(|h| m.show(&h, &code, &on_edit))
                });
                s.note.set(shown.unwrap_or_else(Some));
            });
        });
        s
    }

    /// The card to show: the latest run's at the replay's position `at_ms` while a replay is
    /// open, else the card as the run drew it.
    pub fn card_at(self, at_ms: Option<f64>, width: f64) -> String {
        match (at_ms, self.last.get_value()) {
            (Some(at), Some(run)) => run.render(width, Some(at)),
            _ => self.card.get(),
        }
    }

    /// Workers the language module keeps warm after the latest program run (0 before any).
    pub fn warm_workers(self) -> usize {
        self.last
            .with_value(|run| run.as_ref().map_or(0, ProgramRun::warm_workers))
    }

    /// "Edit as code": the program that does what the draft's fields say, in their place.
    pub fn edit_as_code(self, draft: RwSignal<Draft>) {
        let fragment = draft.with_untracked(crate::code_request::fragment_of);
        spawn_local(async move {
            match lang_module::load()
                .await
                .and_then(|m| m.program_of(&fragment))
            {
                Ok(code) => set_code(draft, code, Some(true)),
                Err(e) => self.note.set(Some(e)),
            }
        });
    }

    /// One run of the program of link value `program`, jobs on up to `workers` workers, its
    /// card drawn `width` px wide.
    pub fn prepare(
        self,
        program: &ProgramCode,
        workers: u32,
        width: RwSignal<f64>,
        live: Rc<dyn Fn() -> bool>,
    ) -> Prepared {
        let code = program.code.clone();
        self.card.set(String::new());
        let run: Rc<RefCell<Option<ProgramRun>>> = Rc::default();
        let publish = {
            let run = run.clone();
            // Drawing a card of thousands of lanes takes the event loop from the timers being
            // measured: while the run is in flight, redraws take at most a tenth of the time.
            let next_ms = std::cell::Cell::new(0.0);
            Rc::new(move || {
                if let (true, Some(r)) = (live(), run.borrow().as_ref()) {
                    let t0 = super::clock::now_ms();
                    if t0 < next_ms.get() && !r.ended() {
                        return;
                    }
                    self.card.set(r.render(width.get_untracked(), None));
                    let t1 = super::clock::now_ms();
                    next_ms.set(t1 + 9.0 * (t1 - t0));
                }
            })
        };
        let work = {
            let run = run.clone();
            Box::pin(async move {
                match lang_module::load()
                    .await
                    .and_then(|m| m.start(&code, workers))
                {
                    Ok(r) => {
                        *run.borrow_mut() = Some(r.clone());
                        self.last.set_value(Some(r.clone()));
                        r.done().await;
                        self.line.set(r.line());
                    }
                    Err(e) => self.card.set(crate::markup::paragraph("run-error", &e)),
                }
            }) as std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>
        };
        let finish_all = Rc::new(move || {
            if let Some(r) = run.borrow().as_ref() {
                r.cancel();
            }
        });
        Prepared {
            publish,
            // Twenty redraws a second at most keep the bars moving (fewer for large programs).
            pacing: super::run::Pacing::every(50.0),
            work,
            finish_all,
        }
    }
}
