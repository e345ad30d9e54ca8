//! The on-demand worker, both sides: its message loop ([`start`], run by `src/bin/ondemand.rs`)
//! and the page's way to ask it for a text ([`ask`]), which loads it the first time. The
//! messages are in [`crate::on_demand`].

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::oneshot;
use gloo_timers::callback::Timeout;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, ErrorEvent, Event, MessageEvent, Worker};

use super::message::{from_js, to_js};
use super::worker_client::{start_worker, READY_TIMEOUT_MS};
use crate::on_demand::{unreadable, AskError, FromOnDemand, Request, RequestId, ToOnDemand};

/// Where Trunk puts the on-demand worker's script, relative to the page.
pub const ON_DEMAND_URL: &str = "./ondemand.js";

/// Inside the worker: answers every request, after saying [`FromOnDemand::Ready`]. A message
/// that is not a request is answered with the error, under its id if it has one.
pub fn start() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply = scope.clone();
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        let data = ev.data();
        let answer = match from_js::<ToOnDemand>(data.clone()) {
            Ok(request) => request.answer(),
            Err(e) => unreadable(from_js::<RequestId>(data).ok(), e.to_string()),
        };
        post(&reply, &answer);
    });
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    // The worker lives as long as the page keeps it; so does its handler.
    onmessage.forget();
    post(&scope, &FromOnDemand::Ready);
}

/// Posts `msg` to the page. Every answer is plain data that serialises; were one not to, its
/// request would wait, as for a worker that stopped.
fn post(scope: &DedicatedWorkerGlobalScope, msg: &FromOnDemand) {
    if let Ok(value) = to_js(msg) {
        let _ = scope.post_message(&value);
    }
}

/// Where the answer to one request goes.
type Reply = oneshot::Sender<Result<String, AskError>>;

#[derive(Default)]
struct State {
    ready: bool,
    /// The worker did not load, or stopped: the next request starts another.
    failed: bool,
    /// The id of the latest request.
    last_id: u32,
    /// Requests made before the worker was ready, sent when it is.
    unsent: Vec<JsValue>,
    /// The requests not answered yet, by id.
    waiting: Vec<(u32, Reply)>,
    /// Gives up on a worker that does not load.
    load_timeout: Option<Timeout>,
}

impl State {
    /// The worker is unusable: every request still waiting is answered with `why`.
    fn fail(&mut self, why: AskError) {
        self.failed = true;
        self.unsent.clear();
        for (_, reply) in self.waiting.drain(..) {
            let _ = reply.send(Err(why.clone()));
        }
    }
}

/// The running worker. Dropping it stops the worker.
struct OnDemand {
    worker: Worker,
    state: Rc<RefCell<State>>,
    _message: Closure<dyn FnMut(MessageEvent)>,
    _error: Closure<dyn FnMut(Event)>,
}

thread_local! {
    /// The page's one on-demand worker, started by the first request.
    static WORKER: RefCell<Option<OnDemand>> = const { RefCell::new(None) };
}

/// The text `request` asks for, written by the on-demand worker. The first request of a visit
/// loads the worker (and so does the next one after it failed to load or stopped); requests
/// made while it loads wait for it. The error says why there is no text.
pub async fn ask(request: &Request) -> Result<String, AskError> {
    let answer = WORKER.with(|slot| {
        let mut slot = slot.borrow_mut();
        // A failed worker is replaced: dropped, and so terminated.
        let worker = match slot.take() {
            Some(w) if !w.state.borrow().failed => w,
            _ => OnDemand::spawn()?,
        };
        Ok::<_, AskError>(slot.insert(worker).send(request))
    })?;
    answer.await.unwrap_or(Err(AskError::Stopped(None)))
}

impl OnDemand {
    /// Starts the worker; its answers go to the requests waiting for them.
    fn spawn() -> Result<OnDemand, AskError> {
        let (worker, bootstrap_url) =
            start_worker(ON_DEMAND_URL).map_err(|why| AskError::NotLoaded(Some(why)))?;
        let state = Rc::new(RefCell::new(State::default()));
        let onmessage = {
            let (state, worker) = (state.clone(), worker.clone());
            let bootstrap_url = bootstrap_url.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
                let mut s = state.borrow_mut();
                match from_js::<FromOnDemand>(ev.data()) {
                    Ok(FromOnDemand::Ready) => {
                        let _ = web_sys::Url::revoke_object_url(&bootstrap_url);
                        s.ready = true;
                        s.load_timeout = None;
                        for request in s.unsent.drain(..) {
                            let _ = worker.post_message(&request);
                        }
                    }
                    Ok(FromOnDemand::Answer { id, text }) => {
                        if let Some(at) = s.waiting.iter().position(|(w, _)| *w == id) {
                            let text = text.map_err(AskError::Refused);
                            let _ = s.waiting.swap_remove(at).1.send(text);
                        }
                    }
                    Err(e) => {
                        worker.terminate();
                        s.fail(AskError::Unreadable(e.to_string()));
                    }
                }
            })
        };
        // A script that fails to load fires a plain Event; an exception inside the worker fires
        // an ErrorEvent with a message (so does a wasm that fails to load: see start_worker).
        let onerror = {
            let (state, worker) = (state.clone(), worker.clone());
            let bootstrap_url = bootstrap_url.clone();
            Closure::<dyn FnMut(Event)>::new(move |ev: Event| {
                ev.prevent_default();
                worker.terminate();
                let _ = web_sys::Url::revoke_object_url(&bootstrap_url);
                let mut s = state.borrow_mut();
                let why = ev.dyn_ref::<ErrorEvent>().map(ErrorEvent::message);
                let why = match (s.ready, why) {
                    (true, why @ Some(_)) => AskError::Stopped(why),
                    (_, why) => AskError::NotLoaded(why),
                };
                s.fail(why);
            })
        };
        worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
        let timeout = {
            // Weak: the state keeps the timeout.
            let (state, worker) = (Rc::downgrade(&state), worker.clone());
            Timeout::new(READY_TIMEOUT_MS, move || {
                let Some(state) = state.upgrade() else { return };
                let mut s = state.borrow_mut();
                if !s.ready && !s.failed {
                    worker.terminate();
                    let _ = web_sys::Url::revoke_object_url(&bootstrap_url);
                    s.fail(AskError::LoadTimedOut {
                        s: READY_TIMEOUT_MS / 1000,
                    });
                }
            })
        };
        state.borrow_mut().load_timeout = Some(timeout);
        Ok(OnDemand {
            worker,
            state,
            _message: onmessage,
            _error: onerror,
        })
    }

    /// Sends `request` (or keeps it until the worker is ready); its answer comes through the
    /// receiver.
    fn send(&self, request: &Request) -> oneshot::Receiver<Result<String, AskError>> {
        let (reply, answer) = oneshot::channel();
        let mut s = self.state.borrow_mut();
        s.last_id = s.last_id.wrapping_add(1);
        let id = s.last_id;
        let message = ToOnDemand {
            id,
            request: request.clone(),
        };
        let value = match to_js(&message) {
            Ok(value) => value,
            Err(e) => {
                let _ = reply.send(Err(AskError::Unsent(e.to_string())));
                return answer;
            }
        };
        if s.ready {
            if self.worker.post_message(&value).is_err() {
                let _ = reply.send(Err(AskError::Unsent(
                    "the browser refused to post it".into(),
                )));
                return answer;
            }
        } else {
            s.unsent.push(value);
        }
        s.waiting.push((id, reply));
        answer
    }
}

impl Drop for OnDemand {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}
