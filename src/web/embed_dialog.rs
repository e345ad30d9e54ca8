//! "Copy embed code": the options a tutorial author pins on an embed (colours, when it starts,
//! which parts it shows), a live preview of the frame, and the snippet to paste.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::playground::Playground;
use super::url;
use crate::model::embed::{Part, Parts, RunOn, Theme};
use crate::model::router::{self, ViewOptions};

/// The dialog, shown while `open` is set.
#[component]
pub(crate) fn EmbedDialog(pg: Playground, open: RwSignal<bool>) -> impl IntoView {
    let options = RwSignal::new(ViewOptions {
        embed: true,
        ..ViewOptions::default()
    });
    let status = RwSignal::new(String::new());
    let changes = RwSignal::new(0u32);
    let snippet = Memo::new(move |_| {
        let view = options.get();
        pg.draft
            .with(|d| router::embed_snippet(&url::base_href(), d, view))
    });
    // The frame shows what the snippet will: the same link, on this page's address. (With a
    // query: browsers refuse to frame a page inside itself, and the fragment does not count.)
    let preview = move || {
        let view = options.get();
        let fragment = pg.draft.with(|d| router::encode(d, &view));
        let page = url::base_href();
        let page = page.split('?').next().unwrap_or_default();
        // A new query for each change: the frame loads anew, as a reader's page would.
        format!("{page}?preview={}#{fragment}", changes.get())
    };
    let copy = move |_| {
        let text = snippet.get_untracked();
        spawn_local(async move {
            status.set(match url::copy(&text).await {
                Ok(()) => "Embed code copied.".to_string(),
                Err(e) => format!("Could not copy ({e}); select the code above by hand."),
            });
        });
    };
    // One handler for the whole form (drawn as markup: one binding, not one per control).
    let on_change = move |ev: leptos::ev::Event| {
        let target: web_sys::Element = event_target(&ev);
        let name = target.get_attribute("name").unwrap_or_default();
        let value = event_target_value(&ev);
        let mut next = options.get_untracked();
        match name.as_str() {
            "theme" => next.theme = Theme::from_id(&value).unwrap_or_default(),
            "run" => next.run = RunOn::from_id(&value).unwrap_or_default(),
            _ => {
                if let Some(part) = Part::from_id(&value) {
                    let show = if event_target_checked(&ev) {
                        next.show.with(part)
                    } else {
                        next.show.without(part)
                    };
                    // An embed with no part at all would be blank: the last box stays ticked.
                    if show == Parts::none() {
                        let _ = js_sys::Reflect::set(&target, &"checked".into(), &true.into());
                    } else {
                        next.show = show;
                    }
                }
            }
        }
        // Only a change of the link reloads the preview.
        if next != options.get_untracked() {
            changes.update(|n| *n += 1);
            options.set(next);
        }
    };
    view! {
        <section
            class="card embed-dialog"
            role="dialog"
            aria-label="Embed code"
            data-testid="embed-dialog"
            hidden=move || !open.get()
        >
            <h2>"Embed this experiment"</h2>
            <form class="fields" on:change=on_change inner_html=crate::markup::embed_form()></form>
            <textarea readonly rows="4" data-testid="embed-snippet" prop:value=snippet></textarea>
            <div class="actions">
                <button class="primary" data-testid="embed-copy" on:click=copy>"Copy embed code"</button>
                <button data-testid="embed-close" on:click=move |_| open.set(false)>"Close"</button>
                <span class="share-status" data-testid="embed-status" role="status">{move || status.get()}</span>
            </div>
            // Loaded only while the dialog is open: a second copy of the page is not free.
            {move || {
                open.get()
                    .then(|| {
                        view! {
                            <iframe
                                class="embed-preview"
                                data-testid="embed-preview"
                                title="Preview of the embed"
                                src=preview
                            ></iframe>
                        }
                    })
            }}
        </section>
    }
}
