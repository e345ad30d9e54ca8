//! The run history in this browser's localStorage. Storage can be missing (blocked in a
//! third-party iframe, private modes) or hold anything: reading never fails, it says what
//! it dropped.
//!
//! The stored text is read with the browser's `JSON.parse` and written with `JSON.stringify`,
//! the values going through serde-wasm-bindgen: the browser has a JSON parser and writer, so
//! the page carries none of its own ([`History::decode_with`] holds the rules).

use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;

use crate::trace::history::{History, Parsed, STORAGE_KEY};

fn local_storage() -> Option<web_sys::Storage> {
    // Access itself can throw (SecurityError) where storage is blocked.
    leptos::prelude::window().local_storage().ok().flatten()
}

/// A value `JSON.parse` gave, read through serde-wasm-bindgen. A part of one is read as the
/// browser's value itself (`serde_wasm_bindgen::preserve`), to be read in turn.
struct Js(JsValue);

impl<'de> serde::Deserialize<'de> for Js {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde_wasm_bindgen::preserve::deserialize(d).map(Js)
    }
}

impl Parsed for Js {
    fn read<T: DeserializeOwned>(&self) -> Option<T> {
        serde_wasm_bindgen::from_value(self.0.clone()).ok()
    }
}

/// History as stored: `JSON.stringify` of its serde value, with `null` for a missing time.
pub fn encode(history: &History) -> Option<String> {
    let value = serde::Serialize::serialize(
        &history.stored(),
        &serde_wasm_bindgen::Serializer::json_compatible(),
    )
    .ok()?;
    js_sys::JSON::stringify(&value).ok()?.as_string()
}

/// [`History::decode`] with the browser's `JSON.parse`.
pub fn decode(raw: Option<&str>) -> (History, Option<String>) {
    History::decode_with(raw, |text| js_sys::JSON::parse(text).ok().map(Js))
}

/// The stored history and a note when something could not be used.
pub fn load() -> (History, Option<String>) {
    match local_storage() {
        Some(s) => decode(s.get_item(STORAGE_KEY).ok().flatten().as_deref()),
        None => (
            History::default(),
            Some("This browser does not let the page keep a run history here.".into()),
        ),
    }
}

/// Saves `history`; an error says why it could not be kept (full or blocked storage).
pub fn save(history: &History) -> Result<(), String> {
    let s = local_storage().ok_or("storage is not available here")?;
    let text = encode(history).ok_or("the history could not be written as JSON")?;
    s.set_item(STORAGE_KEY, &text)
        .map_err(|_| "the browser's storage is full or blocked".to_string())
}
