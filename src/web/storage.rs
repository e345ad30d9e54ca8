//! The run history in this browser's localStorage. Storage can be missing (blocked in a
//! third-party iframe, private modes) or hold anything: reading never fails, it says what
//! it dropped.

use crate::trace::history::{History, STORAGE_KEY};

fn local_storage() -> Option<web_sys::Storage> {
    // Access itself can throw (SecurityError) where storage is blocked.
    leptos::prelude::window().local_storage().ok().flatten()
}

/// The stored history and a note when something could not be used.
pub fn load() -> (History, Option<String>) {
    match local_storage() {
        Some(s) => History::decode(s.get_item(STORAGE_KEY).ok().flatten().as_deref()),
        None => (
            History::default(),
            Some("This browser does not let the page keep a run history here.".into()),
        ),
    }
}

/// Saves `history`; an error says why it could not be kept (full or blocked storage).
pub fn save(history: &History) -> Result<(), String> {
    let s = local_storage().ok_or("storage is not available here")?;
    s.set_item(STORAGE_KEY, &history.encode())
        .map_err(|_| "the browser's storage is full or blocked".to_string())
}
