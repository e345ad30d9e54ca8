//! A panic anywhere shows a banner instead of leaving a blank or frozen page.
//!
//! After a panic the wasm instance cannot be trusted (with `panic = "abort"` it is gone), so the
//! banner is a static element of index.html filled with plain DOM calls, not a Leptos view.

/// Installs the hook once: log to the console as usual, then show the banner.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_banner(&info.to_string());
    }));
}

/// Fills and shows the static `#panic-banner` element of index.html.
pub fn show_banner(message: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(el) = doc.get_element_by_id("panic-banner") {
        el.set_text_content(Some(&format!(
            "Something went wrong inside the playground and it stopped: {message}. \
             Reload the page to start again; your scenario is kept in the link."
        )));
        let _ = el.remove_attribute("hidden");
    }
}
