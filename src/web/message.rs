//! Messages between the page and its workers as structured-clone values: a serde type to the
//! `JsValue` posted with `postMessage`, and back, with `serde-wasm-bindgen`. Both worker
//! protocols ([`crate::cpu::protocol`], [`crate::on_demand`]) go through here.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::cpu::protocol::ProtocolError;

/// `msg` as a value to post. Numbers of 64 bits go as `BigInt`, so that a `u64` beyond 2^53
/// arrives whole rather than being refused.
pub fn to_js<T: Serialize>(msg: &T) -> Result<JsValue, ProtocolError> {
    msg.serialize(
        &serde_wasm_bindgen::Serializer::new().serialize_large_number_types_as_bigints(true),
    )
    .map_err(|e| ProtocolError::Unencodable(e.to_string()))
}

/// The message a received value holds; a value that is not one is an error, never a panic.
pub fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, ProtocolError> {
    serde_wasm_bindgen::from_value(value).map_err(|e| ProtocolError::Undecodable(e.to_string()))
}
