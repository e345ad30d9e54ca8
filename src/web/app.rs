//! The Leptos components of the page, each small: they read and write the [`Playground`]
//! model and call into the pure modules; decisions (what a field accepts, what a strategy
//! should cost, where a bar goes, what a result means) are made there, not here.

use leptos::prelude::*;

use super::code_panel::CodePanel;
use super::embed_dialog::EmbedDialog;
use super::history_panel::HistoryPanel;
use super::playground::Playground;
use super::repeat_panel::RepeatPanel;
use super::replay_bar::ReplayBar;
use super::results::{ChartWidth, OpenTables};
use super::results::{CpuResults, Results};
use super::speedup::SpeedupChart;
use super::summary::Summary;
use super::url;
use crate::model::editor::{Draft, FieldId};
use crate::model::embed::{Part, RunOn};
use crate::model::router;
use crate::model::scenario::Experiment;
use crate::trace::results::Phase;

#[component]
pub fn App() -> impl IntoView {
    // The URL is the source of truth: the page opens what the link says (or the nearest valid
    // scenario, with notes on what was ignored).
    let pg = Playground::open(&url::fragment());
    let draft = pg.draft;
    let view_opts = pg.view_opts;
    // Keep the address bar in step with the editor: a new history entry when the experiment
    // changes (so Back returns to the previous one), in place for edits.
    Effect::new(move |prev: Option<Experiment>| {
        let (fragment, e) = draft.with(|d| (router::encode(d, &view_opts.get()), d.experiment));
        if fragment != url::fragment() {
            url::set_fragment(&fragment, prev.is_some_and(|p| p != e));
        }
        e
    });
    // Back, forward, or a hand-edited address: open what the URL now says.
    let _ = window_event_listener(leptos::ev::popstate, move |_| pg.follow_url());
    let _ = window_event_listener(leptos::ev::hashchange, move |_| pg.follow_url());
    // A hidden tab's timers are throttled: a run that was hidden at any moment is marked.
    let _ = window_event_listener(leptos::ev::visibilitychange, move |_| {
        if document().hidden() && pg.phase.get_untracked() == Phase::Running {
            pg.unreliable.set(true);
        }
    });
    // Which "timeline as a table" boxes are open: cards are redrawn every frame of a run or a
    // replay, and the reader's choice must survive that.
    provide_context(OpenTables::default());
    // The width a card's chart gets: the main column less a card's padding and border.
    let chart_width = pg.chart_width;
    provide_context(ChartWidth(chart_width));
    let main_ref = NodeRef::<leptos::html::Main>::new();
    Effect::new(move |_| {
        if let Some(main) = main_ref.get() {
            url::on_width(&main, move |w| {
                chart_width.set((w - CARD_INSET_PX).max(0.0))
            });
        }
    });
    // Embedded: post our height to the host page, and run at once if asked to.
    if view_opts.get_untracked().embed {
        url::report_height_to_parent();
    }
    // When it starts: at once, when scrolled into view, or (poster or not) when Run is pressed.
    // Nothing before that: no timer, no worker.
    let poster = RwSignal::new(view_opts.get_untracked().run == RunOn::Click);
    match view_opts.get_untracked().run {
        RunOn::Load => request_animation_frame(move || pg.run(0)),
        RunOn::Visible => url::when_visible(move || pg.run(0)),
        RunOn::Click | RunOn::Button => {}
    }
    // The colours the link pins, if any.
    Effect::new(move |_| url::set_theme(view_opts.get().theme));
    let shows = move |part: Part| Signal::derive(move || !view_opts.get().show.shows(part));
    // What the code worker writes the code from: the scenario as a link fragment.
    let code_fragment = Memo::new(move |_| {
        pg.scenario
            .with(Option::is_some)
            .then(|| draft.with(crate::code_request::fragment_of))
    });
    let cursor = Signal::derive(move || pg.player.with(|p| p.map(|p| p.position_ms)));
    let embed = Signal::derive(move || view_opts.get().embed);
    view! {
        <Header pg=pg />
        <main node_ref=main_ref>
            <Poster pg=pg open=poster />
            <div class="part" hidden=poster>
                <EditorCard pg=pg />
                <details class="card gallery" data-testid="gallery" hidden=embed>
                    <summary>"All experiments"</summary>
                    <ul inner_html=crate::markup::gallery()></ul>
                </details>
                <div class="part" hidden=shows(Part::Code)>
                    <CodePanel fragment=code_fragment cores=pg.cores() />
                </div>
                <RepeatPanel progress=pg.repeat_progress table=pg.repeat_table />
                <div class="part" hidden=shows(Part::Summary)>
                    <Summary
                        lines=pg.lines
                        experiment=Signal::derive(move || {
                            draft.with(|d| (d.id().to_string(), d.title().to_string()))
                        })
                        link=pg.link
                        history_compare=pg.history_compare
                        unreliable=pg.unreliable
                    />
                </div>
                <div class="part" hidden=shows(Part::Replay)>
                    <ReplayBar lines=pg.lines player=pg.player />
                </div>
                <div class="part" hidden=shows(Part::Timeline)>
                    <Results views=pg.views phase=pg.phase cursor=cursor />
                    <CpuResults views=pg.cpu_views cursor=cursor />
                    <div
                        class="program-results"
                        data-testid="program-results"
                        hidden=move || draft.with(|d| d.program.is_none())
                        inner_html=move || pg.program.card_at(cursor.get(), chart_width.get())
                    ></div>
                    <CurveCard pg=pg />
                </div>
                <HistoryPanel history=pg.history note=pg.history_note hidden=embed />
            </div>
        </main>
        <EnvFooter pg=pg />
    }
}

/// A card's padding and border, both sides, px (style/main.css: `.card`).
const CARD_INSET_PX: f64 = 2.0 * (1.2 * 16.0 + 1.0);

/// What an embed with `run=click` shows until the reader presses Run: the experiment's name,
/// what it will show, and the button. Nothing has started: no timer, no worker.
#[component]
fn Poster(pg: Playground, open: RwSignal<bool>) -> impl IntoView {
    view! {
        <section class="card poster" data-testid="poster" hidden=move || !open.get() aria-label="Experiment">
            <h2>{move || pg.draft.with(Draft::title)}</h2>
            <p>{move || pg.draft.with(Draft::published)}</p>
            <button
                class="primary"
                data-testid="poster-run"
                prop:disabled=move || pg.scenario.with(Option::is_none)
                on:click=move |_| {
                    open.set(false);
                    pg.run(0);
                }
            >
                "▶ Run"
            </button>
        </section>
    }
}

/// The title, and in an embed the link to the full playground.
#[component]
fn Header(pg: Playground) -> impl IntoView {
    let embed = move || pg.view_opts.get().embed;
    view! {
        <header class="top" class:embed=embed>
            <a
                hidden=move || !embed()
                class="full-link"
                data-testid="full-link"
                target="_blank"
                rel="noopener"
                href=pg.link
            >
                "Open in the full playground ↗"
            </a>
            <h1>"Async vs Parallel Playground"</h1>
            <p class="tagline">
                "Waiting is not computing. Run real experiments in this browser and see the difference, measured."
            </p>
        </header>
    }
}

/// The experiment, its fields, the actions and the progress line.
#[component]
fn EditorCard(pg: Playground) -> impl IntoView {
    let (draft, built) = (pg.draft, pg.built);
    let visible = Memo::new(move |_| draft.with(Draft::visible));
    // Every field is drawn once and hidden while the experiment has no use for it: cheaper
    // than adding and removing fields as experiments change.
    let field_view = move |id: FieldId| {
        view! {
            <Field
                id=id
                shown=Signal::derive(move || visible.with(|v| v.contains(&id)))
                text=Signal::derive(move || draft.with(|d| d.text(id).to_string()))
                on_input=move |v: String| draft.update(|d| {
                    d.fields.insert(id, v);
                })
                message=Signal::derive(move || built.with(|b| b.messages.get(&id).cloned()))
                disabled=Signal::derive(move || pg.running())
            />
        }
    };
    let editor_shown = move || {
        let opts = pg.view_opts.get();
        opts.editor && opts.show.shows(Part::Editor)
    };
    view! {
        <section class="card editor" aria-label="Experiment">
            <ExperimentSelect pg=pg />
            <LinkNotes pg=pg />
            <div class="program" hidden=move || draft.with(|d| d.program.is_none())>
                <p class="program-note" role="status" data-testid="program-note" hidden=move || pg.program.note.with(Option::is_none)>
                    {move || pg.program.note.get().unwrap_or_default()}
                </p>
                <div id=super::program::EDITOR_HOST>
                    <p class="loading">"Loading the language…"</p>
                </div>
            </div>
            <p class="published" data-testid="published">
                {move || draft.with(Draft::published)}
            </p>
            <div class="fields" hidden=move || !editor_shown()>
                {FieldId::ALL.into_iter().filter(|f| !f.is_behaviour()).map(field_view).collect_view()}
            </div>
            <details
                class="behaviour"
                // Compact in an embed: the options stay one click away.
                open=!pg.view_opts.get_untracked().embed
                hidden=move || {
                    !editor_shown() || !visible.with(|v| v.iter().any(|f| f.is_behaviour()))
                }
            >
                <summary>"Timing, failures, timeouts and retries"</summary>
                <div class="fields">
                    {FieldId::ALL.into_iter().filter(|f| f.is_behaviour()).map(field_view).collect_view()}
                </div>
            </details>
            <Actions pg=pg />
            <p
                class="progress"
                data-testid="progress"
                data-state=move || pg.phase.get().id()
                aria-live="polite"
            >
                {move || progress(pg)}
            </p>
        </section>
    }
}

/// Where the run is, in one sentence.
fn progress(pg: Playground) -> String {
    pg.cpu_views.with(|cv| {
        pg.views.with(|vs| {
            let ways: Vec<(String, &crate::trace::Trace, bool)> = vs
                .iter()
                .map(|v| (v.strategy.title(), &v.trace, v.begun))
                .chain(cv.iter().map(|v| (v.title(), &v.trace, v.begun)))
                .collect();
            crate::trace::report::progress_sentence(pg.phase.get(), &ways)
        })
    })
}

/// The experiment picker: a preset replaces the fields.
#[component]
fn ExperimentSelect(pg: Playground) -> impl IntoView {
    // "Your program" is a choice of its own; a preset's program still shows its preset.
    let chosen = Memo::new(move |_| {
        pg.draft.with(|d| {
            if d.own_program() {
                YOUR_PROGRAM
            } else {
                d.experiment.id()
            }
        })
    });
    view! {
        <label class="field experiment-field">
            <span>"Experiment"</span>
            <select
                data-testid="experiment"
                prop:value=move || chosen.get()
                prop:disabled=move || pg.running()
                on:change=move |ev| {
                    let id = event_target_value(&ev);
                    if id == YOUR_PROGRAM {
                        pg.draft.set(your_program());
                    } else if let Some(e) = Experiment::from_id(&id) {
                        pg.draft.set(Draft::preset(e));
                    }
                }
            >
                {Experiment::ALL
                    .into_iter()
                    .map(|e| {
                        view! {
                            <option value=e.id() selected=move || chosen.get() == e.id()>
                                {e.title()}
                            </option>
                        }
                    })
                    .collect_view()}
                <option value=YOUR_PROGRAM selected=move || chosen.get() == YOUR_PROGRAM>
                    "Your program (write it as code)"
                </option>
            </select>
        </label>
    }
}

/// The picker's value for "Your program".
const YOUR_PROGRAM: &str = "program";

/// "Your program" as it opens: the starter program (an empty `code=`).
fn your_program() -> Draft {
    Draft {
        program: Some(crate::model::scenario::ProgramCode::default()),
        ..Draft::preset(Experiment::WhenAll)
    }
}

/// Reset: a preset's program goes back to the preset's fields, "Your program" to the starter.
fn reset(d: &Draft) -> Draft {
    if d.own_program() {
        your_program()
    } else {
        Draft::preset(d.experiment)
    }
}

/// What the opening link had that could not be used, with a way back to the preset.
#[component]
fn LinkNotes(pg: Playground) -> impl IntoView {
    let notes = pg.link_notes;
    view! {
        <div
            class="link-notes"
            role="status"
            data-testid="link-notes"
            hidden=move || notes.with(Vec::is_empty)
        >
            <p>"This link had settings that could not be used as written:"</p>
            <ul>
                {move || notes.get().into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
            </ul>
            <button
                data-testid="notes-reset"
                on:click=move |_| {
                    pg.draft.update(|d| *d = reset(d));
                    notes.set(Vec::new());
                }
            >
                "Reset to the preset"
            </button>
            <button on:click=move |_| notes.set(Vec::new())>"Dismiss"</button>
        </div>
    }
}

/// Run, Run N times, Cancel, Reset, Copy link, Copy embed code, and the ideal line.
#[component]
fn Actions(pg: Playground) -> impl IntoView {
    let embed_open = RwSignal::new(false);
    let running = move || pg.running();
    let unrunnable = move || running() || pg.scenario.with(Option::is_none);
    let repeats = Memo::new(move |_| {
        crate::model::input::bounded(
            &pg.repeat_text.get(),
            "a number of runs",
            2,
            crate::trace::repeat::MAX_RUNS as u64,
            "At least 2 runs, to compare.",
            " runs",
        )
    });
    let share_status = RwSignal::new(String::new());
    let ideal_line = move || {
        pg.scenario
            .with(|s| crate::model::predict::ideal_line(s.as_ref(), pg.hw_cores))
    };
    view! {
        <div class="actions">
            <button class="primary" data-testid="run" prop:disabled=unrunnable on:click=move |_| pg.run(0)>
                "Run"
            </button>
            <button
                data-testid="run-repeated"
                title="One warm-up run, then the runs counted in the table"
                prop:disabled=move || unrunnable() || repeats.with(|r| r.is_invalid())
                on:click=move |_| {
                    if let Some(n) = repeats.get_untracked().value() {
                        pg.run(n as u32);
                    }
                }
            >
                {move || match repeats.get().value() {
                    Some(n) => format!("Run {n} times"),
                    None => "Run several times".to_string(),
                }}
            </button>
            <label class="field repeat-field" class:invalid=move || repeats.with(|r| r.is_invalid())>
                <span>"Times"</span>
                <input
                    type="text"
                    inputmode="numeric"
                    autocomplete="off"
                    data-testid="repeat-count"
                    aria-describedby="repeat-count-msg"
                    prop:value=move || pg.repeat_text.get()
                    prop:disabled=running
                    on:input=move |ev| pg.repeat_text.set(event_target_value(&ev))
                />
                <span class="field-msg" id="repeat-count-msg" data-testid="repeat-count-msg" role="status">
                    {move || repeats.with(|r| r.message().map(str::to_string)).unwrap_or_default()}
                </span>
            </label>
            <button data-testid="cancel" prop:disabled=move || !running() on:click=move |_| pg.cancel()>
                "Cancel"
            </button>
            <button
                data-testid="reset"
                prop:disabled=running
                on:click=move |_| pg.draft.update(|d| *d = reset(d))
            >
                "Reset"
            </button>
            <button
                data-testid="edit-as-code"
                title="Open the program that does what these fields say"
                hidden=move || pg.draft.with(|d| d.program.is_some())
                prop:disabled=unrunnable
                on:click=move |_| pg.program.edit_as_code(pg.draft)
            >
                "Edit as code"
            </button>
            <button data-testid="copy-link" on:click=move |_| pg.share(share_status)>
                "Copy link"
            </button>
            <button
                data-testid="copy-embed"
                hidden=move || pg.view_opts.get().embed
                on:click=move |_| embed_open.update(|o| *o = !*o)
            >
                "Copy embed code"
            </button>
            <span class="share-status" data-testid="share-status" role="status">
                {move || share_status.get()}
            </span>
            <span class="predicted" data-testid="predicted">{ideal_line}</span>
        </div>
        <EmbedDialog pg=pg open=embed_open />
    }
}

/// The speedup curve's card, for CPU experiments.
#[component]
fn CurveCard(pg: Playground) -> impl IntoView {
    let serial_text = RwSignal::new("5".to_string());
    let serial = Signal::derive(move || {
        crate::model::input::bounded(&serial_text.get(), "a percentage", 0, 100, "", "%")
            .value()
            .unwrap_or(5) as f64
            / 100.0
    });
    view! {
        <section
            class="card curve"
            aria-label="Speedup curve"
            hidden=move || !pg.scenario.with(|s| s.as_ref().is_some_and(|s| s.cpu().is_some()))
        >
            <h2>"Speedup curve"</h2>
            <p>
                "The shared-queue split on 1, 2, … workers, each measured without start-up, against the ideal line, Amdahl's law and the cores this browser reports."
            </p>
            <div class="actions">
                <label class="field">
                    <span>"Serial part for Amdahl (%)"</span>
                    <input
                        type="text"
                        data-testid="serial"
                        prop:value=move || serial_text.get()
                        on:input=move |ev| serial_text.set(event_target_value(&ev))
                    />
                </label>
                <button
                    data-testid="run-curve"
                    prop:disabled=move || pg.running() || pg.scenario.with(Option::is_none)
                    on:click=move |_| pg.run_curve()
                >
                    "Measure the speedup curve"
                </button>
            </div>
            <SpeedupChart points=pg.curve serial=serial cores=pg.hw_cores />
        </section>
    }
}

/// The footer: cores, the workers' state and the clock's step in this browser.
#[component]
fn EnvFooter(pg: Playground) -> impl IntoView {
    // Workers load only when a run uses them: the event-loop experiments (most of them) never
    // download the worker's wasm, and a CPU experiment downloads it with its first run, not
    // when it opens (an embed that nobody runs costs nothing more).
    let worker_status = Memo::new(move |prev: Option<&String>| {
        let phase = pg.phase.get();
        let unchanged = || {
            prev.cloned()
                .unwrap_or_else(|| "loads with the first run that uses workers".to_string())
        };
        // A program's workers are the language module's own (a wasm instance of its own, with
        // its own pool), and whether it uses any is known only once it has run.
        let program = untrack(|| pg.draft.with(|d| d.program.is_some()));
        if !program && !untrack(|| pg.uses_workers()) {
            return unchanged();
        }
        let warm = if program {
            pg.program.warm_workers()
        } else {
            super::pool::idle_count()
        };
        match phase {
            Phase::Running if warm == 0 && !program => "starting…".to_string(),
            Phase::Done | Phase::Cancelled if warm > 0 => {
                format!("{warm} warm, kept for the next run")
            }
            Phase::Done | Phase::Cancelled if !program => {
                "none running (the run above says why)".to_string()
            }
            _ => unchanged(),
        }
    });
    // The clock's step in this browser, measured once the page has drawn (a few ms of reading
    // the clock in a loop, kept out of the page's start).
    let clock_step = RwSignal::new(None::<f64>);
    request_animation_frame(move || {
        set_timeout(
            move || clock_step.set(super::clock::step_ms()),
            std::time::Duration::ZERO,
        )
    });
    let hw_cores = pg.hw_cores;
    view! {
        <footer class="env" data-testid="env" hidden=move || pg.view_opts.get().embed>
            {format!("This browser reports {hw_cores} cores. ")}
            <span data-testid="worker-status">"Web Worker: " {move || worker_status.get()}</span>
            " "
            <span data-testid="clock">{move || crate::trace::report::clock_sentence(clock_step.get())}</span>
        </footer>
    }
}

/// One validated text field with its message.
#[component]
fn Field(
    /// Which field (label, test id).
    id: FieldId,
    /// Whether the experiment uses it (hidden otherwise).
    shown: Signal<bool>,
    /// The raw text, as typed.
    text: Signal<String>,
    /// Called with the new text on every keystroke.
    on_input: impl Fn(String) + 'static,
    /// Message to show beside the field (a refusal or a clamping note).
    message: Signal<Option<crate::model::editor::FieldMessage>>,
    /// True while a run is in flight.
    disabled: Signal<bool>,
) -> impl IntoView {
    let testid = id.id();
    let msg_id = format!("{testid}-msg");
    let invalid = move || message.with(|m| m.as_ref().is_some_and(|m| m.invalid));
    view! {
        <label class="field" class:invalid=invalid hidden=move || !shown.get()>
            <span>{id.label()}</span>
            <input
                type="text"
                autocomplete="off"
                spellcheck="false"
                data-testid=testid
                aria-invalid=move || invalid().to_string()
                aria-describedby=msg_id.clone()
                prop:value=move || text.get()
                prop:disabled=move || disabled.get()
                on:input=move |ev| on_input(event_target_value(&ev))
            />
            <span class="field-msg" id=msg_id.clone() data-testid=msg_id.clone() role="status">
                {move || message.get().map(|m| m.text).unwrap_or_default()}
            </span>
        </label>
    }
}
