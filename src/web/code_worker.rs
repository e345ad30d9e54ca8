//! The code worker, both sides: its message loop ([`start`], run by `src/bin/codegen.rs`) and
//! the page's handle on it ([`CodeWorker`]). The messages are in [`crate::code_request`].

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, ErrorEvent, Event, MessageEvent, Worker};

use super::worker_client::{start_worker, READY_TIMEOUT_MS};
use crate::code_request::{answer, CodeAnswer, CodeRequest, READY};

/// Where Trunk puts the code worker's script, relative to the page.
pub const CODE_WORKER_URL: &str = "./codegen.js";

/// Inside the worker: answers every request, after saying [`READY`].
pub fn start() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply = scope.clone();
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        let text = ev.data().as_string().unwrap_or_default();
        let _ = reply.post_message(&JsValue::from_str(&answer(&text)));
    });
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    // The worker lives as long as the page keeps it; so does its handler.
    onmessage.forget();
    let _ = scope.post_message(&JsValue::from_str(READY));
}

#[derive(Default)]
struct State {
    ready: bool,
    /// The newest request not sent yet (before `Ready`, only the newest matters).
    waiting: Option<String>,
    /// Gives up on a worker that does not load.
    load_timeout: Option<Timeout>,
}

/// The page's handle on the code worker. Dropping it stops the worker.
pub struct CodeWorker {
    worker: Worker,
    state: Rc<RefCell<State>>,
    _message: Closure<dyn FnMut(MessageEvent)>,
    _error: Closure<dyn FnMut(Event)>,
}

impl CodeWorker {
    /// Starts the worker. Every answer, or the reason there will be none (the worker did not
    /// load, crashed or sent nonsense), goes to `on_answer`.
    pub fn spawn(on_answer: impl Fn(Result<CodeAnswer, String>) + 'static) -> Result<Self, String> {
        let (worker, bootstrap_url) = start_worker(CODE_WORKER_URL)?;
        let on_answer = Rc::new(on_answer);
        let state = Rc::new(RefCell::new(State::default()));
        let onmessage = {
            let (state, worker, on_answer) = (state.clone(), worker.clone(), on_answer.clone());
            let bootstrap_url = bootstrap_url.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
                let text = ev.data().as_string().unwrap_or_default();
                if text == READY {
                    let _ = web_sys::Url::revoke_object_url(&bootstrap_url);
                    let waiting = {
                        let mut s = state.borrow_mut();
                        s.ready = true;
                        s.load_timeout = None;
                        s.waiting.take()
                    };
                    if let Some(req) = waiting {
                        let _ = worker.post_message(&JsValue::from_str(&req));
                    }
                } else {
                    on_answer(CodeAnswer::decode(&text));
                }
            })
        };
        let onerror = {
            let on_answer = on_answer.clone();
            Closure::<dyn FnMut(Event)>::new(move |ev: Event| {
                ev.prevent_default();
                on_answer(Err(match ev.dyn_ref::<ErrorEvent>() {
                    Some(e) => format!("the code worker stopped: {}", e.message()),
                    None => "the code worker could not be loaded".to_string(),
                }));
            })
        };
        worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
        let timeout = {
            let (state, worker) = (state.clone(), worker.clone());
            Timeout::new(READY_TIMEOUT_MS, move || {
                if !state.borrow().ready {
                    worker.terminate();
                    let _ = web_sys::Url::revoke_object_url(&bootstrap_url);
                    on_answer(Err(format!(
                        "the code worker did not load within {} s",
                        READY_TIMEOUT_MS / 1000
                    )));
                }
            })
        };
        state.borrow_mut().load_timeout = Some(timeout);
        Ok(CodeWorker {
            worker,
            state,
            _message: onmessage,
            _error: onerror,
        })
    }

    /// Asks for the code of `request`; the answer comes to `on_answer` (see [`Self::spawn`]).
    pub fn ask(&self, request: &CodeRequest) {
        let text = request.encode();
        let mut s = self.state.borrow_mut();
        if s.ready {
            let _ = self.worker.post_message(&JsValue::from_str(&text));
        } else {
            s.waiting = Some(text);
        }
    }
}

impl Drop for CodeWorker {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}
