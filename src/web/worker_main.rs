//! The message loop inside a Web Worker (the `worker` binary calls [`start`]).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::protocol::{decode, encode, FromWorker, ToWorker};

fn answer(msg: &ToWorker) -> FromWorker {
    match msg {
        ToWorker::Ping { run_id } => FromWorker::Pong { run_id: *run_id },
    }
}

/// Listens for [`ToWorker`] messages, answers each, and says [`FromWorker::Ready`] once
/// listening: messages posted before that would be lost.
pub fn start() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_to = scope.clone();
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        let reply = match ev.data().as_string().as_deref().map(decode::<ToWorker>) {
            Some(Ok(msg)) => answer(&msg),
            Some(Err(e)) => FromWorker::Failed {
                run_id: None,
                message: e.to_string(),
            },
            None => FromWorker::Failed {
                run_id: None,
                message: "bad worker message: expected a JSON string".into(),
            },
        };
        let _ = reply_to.post_message(&JsValue::from_str(&encode(&reply)));
    });
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    // The worker lives as long as the page keeps it; so does its handler.
    onmessage.forget();
    let _ = scope.post_message(&JsValue::from_str(&encode(&FromWorker::Ready)));
}
