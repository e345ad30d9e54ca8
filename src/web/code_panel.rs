//! The code behind the current scenario, in the readers' languages.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::url;

/// The code behind the current scenario, in the readers' languages, generated from it so the
/// numbers match the experiment.
#[component]
pub(crate) fn CodePanel(
    scenario: Memo<Option<crate::scenario::Scenario>>,
    cores: u32,
) -> impl IntoView {
    use crate::codegen::{snippets, Lang};
    let lang = RwSignal::new(Lang::CSharp);
    let copied = RwSignal::new(String::new());
    let code = Memo::new(move |_| {
        scenario.with(|s| {
            s.as_ref()
                .map(|s| {
                    let mut s = s.clone();
                    s.cpu = s.cpu.map(|c| c.resolved(cores));
                    let l = lang.get();
                    let comment = if l == Lang::Python { "#" } else { "//" };
                    snippets(&s, l)
                        .into_iter()
                        .map(|sn| format!("{comment} {}\n{}", sn.title, sn.code))
                        .collect::<Vec<_>>()
                        .join("\n\n")
                })
                .unwrap_or_default()
        })
    });
    view! {
        <details class="card code-panel" data-testid="code-panel">
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
                    on:click=move |_| {
                        let text = code.get_untracked();
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
            <pre class="code" data-testid="code"><code>{move || code.get()}</code></pre>
        </details>
    }
}
