//! The results area: one card per strategy (or per way of running CPU work). The cards are
//! written as text by [`crate::markup`]; this only redraws them when what they show changes,
//! and remembers which "timeline as a table" boxes the reader opened.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::markup;
use crate::trace::results::{CpuView, Phase, StrategyView};

/// The ids of the timeline tables the reader has opened (provided by the app): cards are
/// redrawn every frame of a run or a replay, and the reader's choice must survive that. A
/// short list (one id per card at most), so a vector: a set would link a hash table's code.
#[derive(Clone, Copy, Default)]
pub(crate) struct OpenTables(pub(crate) RwSignal<Vec<String>>);

impl OpenTables {
    fn from_context() -> RwSignal<Vec<String>> {
        use_context::<OpenTables>().unwrap_or_default().0
    }
}

/// How wide a card's chart box is, px, measured by the page (`App`), so that timelines are laid
/// out for the width they get and their text keeps its size on a phone.
#[derive(Clone, Copy)]
pub(crate) struct ChartWidth(pub(crate) RwSignal<f64>);

impl ChartWidth {
    pub(crate) fn from_context() -> RwSignal<f64> {
        use_context::<ChartWidth>().map_or_else(|| RwSignal::new(720.0), |w| w.0)
    }
}

/// A `toggle` of a card's table box (caught on the way down: `toggle` does not bubble): keeps
/// the set of open tables in step with it. Redrawn boxes report their state too; those change
/// nothing.
fn on_table_toggle(ev: web_sys::Event, tables: RwSignal<Vec<String>>) {
    let Some(details) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok())
    else {
        return;
    };
    let Some(id) = details.get_attribute("data-table") else {
        return;
    };
    let open = details.open();
    if open != tables.with_untracked(|t| t.contains(&id)) {
        tables.update(|t| {
            if open {
                t.push(id);
            } else {
                t.retain(|open| *open != id);
            }
        });
    }
}

/// The measured results of every strategy, on one shared time axis.
#[component]
pub(crate) fn Results(
    /// What the last run recorded, strategy by strategy.
    #[prop(into)]
    views: Signal<Vec<StrategyView>>,
    /// Where the run is.
    #[prop(into)]
    phase: Signal<Phase>,
    /// Replay position in ms, or `None` to show everything recorded.
    cursor: Signal<Option<f64>>,
) -> impl IntoView {
    let tables = OpenTables::from_context();
    let width = ChartWidth::from_context();
    let html = move || {
        let done = phase.get() == Phase::Done;
        let at = cursor.get();
        let w = width.get();
        tables.with(|open| {
            views.with(|v| {
                markup::strategy_results(v, done, at, w, &|id| open.iter().any(|o| o == id))
            })
        })
    };
    view! {
        <section
            class="results"
            aria-label="Results"
            on:toggle:capture=move |ev| on_table_toggle(ev, tables)
            inner_html=html
        ></section>
    }
}

/// The CPU experiment's results: one card per way, on one time axis.
#[component]
pub(crate) fn CpuResults(
    /// What the last run recorded, way by way.
    #[prop(into)]
    views: Signal<Vec<CpuView>>,
    /// Replay position in ms, or `None` to show everything recorded.
    cursor: Signal<Option<f64>>,
) -> impl IntoView {
    let tables = OpenTables::from_context();
    let width = ChartWidth::from_context();
    let cards = Memo::new(move |_| {
        let at = cursor.get();
        let w = width.get();
        tables.with(|open| {
            views.with(|v| markup::cpu_cards(v, at, w, &|id| open.iter().any(|o| o == id)))
        })
    });
    // One slot per way the page can run, each set only when its own card's text changed: while
    // one way computes, the others' cards (and their layout) are left alone.
    let slot = move |i: usize| {
        let card = Memo::new(move |_| cards.with(|c| c.get(i).cloned().unwrap_or_default()));
        view! { <div class="card-slot" hidden=move || card.with(String::is_empty) inner_html=card></div> }
    };
    view! {
        <section
            class="results"
            aria-label="CPU results"
            on:toggle:capture=move |ev| on_table_toggle(ev, tables)
        >
            {(0..crate::cpu::CpuMode::ALL.len()).map(slot).collect_view()}
        </section>
    }
}
