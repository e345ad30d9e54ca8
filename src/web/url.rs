//! The browser side of [`crate::model::router`]: read and write the fragment, follow back/forward,
//! copy to the clipboard, and tell an embedding page our height.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

fn window() -> web_sys::Window {
    web_sys::window().expect("a window")
}

/// The current fragment, without `#`, percent-escapes left as they are.
pub fn fragment() -> String {
    let hash = window().location().hash().unwrap_or_default();
    hash.strip_prefix('#').unwrap_or(&hash).to_string()
}

/// Shows `fragment` in the address bar: a new history entry with `push` (so Back returns),
/// otherwise in place (edits do not flood the history).
pub fn set_fragment(fragment: &str, push: bool) {
    let w = window();
    if let Ok(history) = w.history() {
        let url = format!("#{fragment}");
        let _ = if push {
            history.push_state_with_url(&JsValue::NULL, "", Some(&url))
        } else {
            history.replace_state_with_url(&JsValue::NULL, "", Some(&url))
        };
    }
}

/// The page's address without its fragment.
pub fn base_href() -> String {
    let href = window().location().href().unwrap_or_default();
    href.split('#').next().unwrap_or_default().to_string()
}

/// Copies `text` to the clipboard. Fails where the Clipboard API is missing or refused (some
/// iframes, insecure origins); the caller then shows the text to copy by hand.
pub async fn copy(text: &str) -> Result<(), String> {
    let nav = window().navigator();
    let clipboard = js_sys::Reflect::get(&nav, &"clipboard".into())
        .ok()
        .filter(|c| !c.is_undefined())
        .ok_or("no clipboard here")?;
    let write: js_sys::Function = js_sys::Reflect::get(&clipboard, &"writeText".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or("no clipboard here")?;
    let promise: js_sys::Promise = write
        .call1(&clipboard, &JsValue::from_str(text))
        .map_err(|_| "the clipboard refused")?
        .dyn_into()
        .map_err(|_| "the clipboard refused")?;
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|_| "the clipboard refused".to_string())
}

/// The message an embedded page posts to its parent whenever its height changes:
/// `{ "type": "avp:height", "height": <px> }`.
pub const HEIGHT_MESSAGE: &str = "avp:height";

/// In an iframe, tells the parent the document's height now and whenever it changes.
pub fn report_height_to_parent() {
    let w = window();
    let Ok(Some(parent)) = w.parent() else {
        return;
    };
    let Some(body) = w.document().and_then(|d| d.document_element()) else {
        return;
    };
    let post = {
        let body = body.clone();
        move || {
            let msg = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&msg, &"type".into(), &HEIGHT_MESSAGE.into());
            let h = body.scroll_height();
            let _ = js_sys::Reflect::set(&msg, &"height".into(), &JsValue::from(h));
            let _ = parent.post_message(&msg, "*");
        }
    };
    post();
    let cb = Closure::<dyn FnMut(JsValue)>::new(move |_| post());
    if let Ok(obs) = web_sys::ResizeObserver::new(cb.as_ref().unchecked_ref()) {
        obs.observe(&body);
        // Observes for the life of the page.
        std::mem::forget(obs);
    }
    cb.forget();
}

/// Calls `f` once, the first time the page is at least partly in view (for an iframe: scrolled
/// into the host page's viewport). Without IntersectionObserver, at once.
pub fn when_visible(f: impl FnOnce() + 'static) {
    let Some(root) = window().document().and_then(|d| d.document_element()) else {
        return f();
    };
    let f = std::rc::Rc::new(std::cell::Cell::new(Some(f)));
    let once = f.clone();
    let cb = Closure::<dyn FnMut(js_sys::Array, web_sys::IntersectionObserver)>::new(
        move |entries: js_sys::Array, obs: web_sys::IntersectionObserver| {
            let seen = entries.iter().any(|e| {
                e.unchecked_into::<web_sys::IntersectionObserverEntry>()
                    .is_intersecting()
            });
            if seen {
                obs.disconnect();
                if let Some(f) = once.take() {
                    f();
                }
            }
        },
    );
    match web_sys::IntersectionObserver::new(cb.as_ref().unchecked_ref()) {
        Ok(obs) => {
            obs.observe(&root);
            // Called by the observer until it is disconnected, for the life of the page.
            cb.forget();
        }
        Err(_) => {
            if let Some(f) = f.take() {
                f();
            }
        }
    }
}

/// Pins the page's colours to `theme` (`auto` follows the reader's system).
pub fn set_theme(theme: crate::model::embed::Theme) {
    if let Some(root) = window().document().and_then(|d| d.document_element()) {
        let _ = match theme {
            crate::model::embed::Theme::Auto => root.remove_attribute("data-theme"),
            t => root.set_attribute("data-theme", t.id()),
        };
    }
}

/// Calls `f` with `el`'s width (px, its content box) now and whenever it changes.
pub fn on_width(el: &web_sys::Element, f: impl Fn(f64) + 'static) {
    let measure = {
        let el = el.clone();
        move || f(f64::from(el.client_width()))
    };
    measure();
    let cb = Closure::<dyn FnMut(JsValue)>::new(move |_| measure());
    if let Ok(obs) = web_sys::ResizeObserver::new(cb.as_ref().unchecked_ref()) {
        obs.observe(el);
        // Observes for the life of the page.
        std::mem::forget(obs);
    }
    cb.forget();
}
