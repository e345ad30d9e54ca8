//! The code behind the current scenario, in the readers' languages.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::{on_demand, url};
use crate::code_request::CodeRequest;
use crate::codegen::Lang;
use crate::on_demand::{AskError, Request};

/// What the panel shows in place of the code.
#[derive(Clone, Debug, PartialEq)]
enum Code {
    /// Asked for, not here yet (the on-demand worker loads the first time the panel opens).
    Loading,
    /// The code of the scenario in `Lang`.
    Ready(Lang, String),
    /// No code: the scenario has fields to fix, or the on-demand worker failed (the message
    /// says).
    None(String),
}

impl Code {
    /// The code could not be written (the on-demand worker did not load, or stopped): why, and
    /// that nothing else suffers.
    fn failed(why: &AskError) -> Code {
        Code::None(format!(
            "The code could not be written here ({why}). The experiments are not affected."
        ))
    }

    /// The state as the page exposes it (`data-state`): "loading", "ready" or "none".
    fn state(&self) -> &'static str {
        match self {
            Code::Loading => "loading",
            Code::Ready(..) => "ready",
            Code::None(_) => "none",
        }
    }
}

/// The code behind the current scenario, in the readers' languages, generated from it so the
/// numbers match the experiment. The generator is loaded the first time the panel opens.
#[component]
pub(crate) fn CodePanel(
    /// The scenario as a link fragment; `None` while a field needs fixing.
    #[prop(into)]
    fragment: Signal<Option<String>>,
    cores: u32,
) -> impl IntoView {
    let lang = RwSignal::new(Lang::CSharp);
    let open = RwSignal::new(false);
    let copied = RwSignal::new(String::new());
    // What the code is asked for: nothing while the panel is closed (the generator loads the
    // first time it opens).
    let wanted = Memo::new(move |_| open.get().then(|| (lang.get(), fragment.get())));
    // Asks the on-demand worker whenever what is wanted changes (an effect: it talks to the
    // worker, outside the page's state). An answer about something no longer wanted is dropped.
    // (Leptos's LocalResource does the same, but measured 15 KB gzip at start for this one
    // loader: see the README's page-size table.)
    let answer = RwSignal::new(None);
    Effect::new(move |_| {
        let Some(asked) = wanted.get() else { return };
        spawn_local(async move {
            let code = write_code(asked.clone(), cores).await;
            if wanted.with_untracked(|w| w.as_ref() == Some(&asked)) {
                answer.set(Some((asked, code)));
            }
        });
    });
    // The code for what is wanted now; an answer about something else is not shown.
    let code = Memo::new(move |_| {
        answer
            .get()
            .filter(|(asked, _)| Some(asked) == wanted.get().as_ref())
            .map_or(Code::Loading, |(_, code)| code)
    });

    // Read in place: the code can be long, and these run on every change.
    let state = move || code.with(Code::state);
    view! {
        <details
            class="card code-panel"
            data-testid="code-panel"
            on:toggle=move |ev| {
                if let Some(d) = ev
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok())
                {
                    open.set(d.open());
                }
            }
        >
            <summary>"The code behind it"</summary>
            <div class="actions" role="tablist">
                {Lang::ALL
                    .into_iter()
                    .map(|l| {
                        view! {
                            <button
                                role="tab"
                                data-testid=format!("lang-{}", l.id())
                                aria-selected=move || (lang.get() == l).to_string()
                                class:primary=move || lang.get() == l
                                on:click=move |_| lang.set(l)
                            >
                                {l.title()}
                            </button>
                        }
                    })
                    .collect_view()}
                <button
                    data-testid="copy-code"
                    prop:disabled=move || state() != "ready"
                    on:click=move |_| {
                        let Code::Ready(_, text) = code.get_untracked() else { return };
                        spawn_local(async move {
                            copied.set(match url::copy(&text).await {
                                Ok(()) => "Code copied.".to_string(),
                                Err(e) => format!("Could not copy ({e}): select the code instead."),
                            });
                        });
                    }
                >
                    "Copy code"
                </button>
                <span class="share-status" role="status">{move || copied.get()}</span>
            </div>
            <pre
                class="code"
                data-testid="code"
                data-state=state
                data-lang=move || {
                    code.with(|c| match c {
                        Code::Ready(l, _) => l.id(),
                        _ => "",
                    })
                }
                aria-busy=move || (state() == "loading").to_string()
            >
                <code>
                    {move || match code.get() {
                        Code::Loading => "Writing the code…".to_string(),
                        Code::Ready(_, text) | Code::None(text) => text,
                    }}
                </code>
            </pre>
        </details>
    }
}

/// The code of `fragment` in `lang`, written by the on-demand worker; what to say instead when
/// there is none.
async fn write_code((lang, fragment): (Lang, Option<String>), cores: u32) -> Code {
    let Some(fragment) = fragment else {
        return Code::None("Fix the highlighted field to see its code.".into());
    };
    let request = Request::Code(CodeRequest {
        lang,
        cores,
        fragment,
    });
    match on_demand::ask(&request).await {
        Ok(text) => Code::Ready(lang, text),
        Err(e) => Code::failed(&e),
    }
}
