//! Replay of a finished run: scrub, step from event to event, play and pause at a chosen speed,
//! and read what happened at each step. The traces are kept, so the run can be rewound.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::clock::now_ms;
use super::run::next_frame;
use crate::markup;
use crate::trace::replay::{event_times, said_at, Player, SPEEDS};
use crate::trace::results::ResultLine;
use crate::trace::Trace;
use crate::units::fmt_ms;

/// The replay controls. `player` is `None` until the reader touches them; while it is `Some`,
/// the timelines show the run as it was at its position.
#[component]
pub(crate) fn ReplayBar(
    /// The finished run's lines (empty while running).
    #[prop(into)]
    lines: Signal<Vec<ResultLine>>,
    /// The replay clock shared with the timelines.
    player: RwSignal<Option<Player>>,
) -> impl IntoView {
    let times = Memo::new(move |_| {
        lines.with(|ls| event_times(&ls.iter().map(|l| &l.trace).collect::<Vec<_>>()))
    });
    let end = Memo::new(move |_| times.with(|t| t.last().copied().unwrap_or(0.0)));
    let said = RwSignal::new(Vec::<String>::new());
    let with_player = move |f: &dyn Fn(&mut Player, &[f64])| {
        let ts = times.get_untracked();
        player.update(|p| {
            let p = p.get_or_insert_with(|| Player::new(end.get_untracked()));
            f(p, &ts);
        });
    };
    // What happened at the current step, in words, for every way.
    let tell = move || {
        let Some(pos) = player.with_untracked(|p| p.map(|p| p.position_ms)) else {
            return;
        };
        let told = lines.with_untracked(|ls| {
            let lanes: Vec<(&str, &Trace)> =
                ls.iter().map(|l| (l.name.as_str(), &l.trace)).collect();
            times.with_untracked(|t| said_at(&lanes, t, pos))
        });
        said.set(told);
    };
    let animate = move || spawn_local(play(player));
    let playing = move || player.with(|p| p.is_some_and(|p| p.playing));
    let position = move || player.with(|p| p.map(|p| p.position_ms).unwrap_or(end.get()));
    view! {
        <section
            class="card replay"
            data-testid="replay"
            aria-label="Replay"
            hidden=move || lines.with(Vec::is_empty)
        >
            <h2>"Replay"</h2>
            <div class="actions">
                <button
                    data-testid="replay-back"
                    on:click=move |_| {
                        with_player(&|p, ts| p.step_back(ts));
                        tell();
                    }
                >
                    "← Step back"
                </button>
                <button
                    class="primary"
                    data-testid="replay-play"
                    on:click=move |_| {
                        if playing() {
                            with_player(&|p, _| p.pause());
                        } else {
                            with_player(&|p, _| p.play());
                            said.set(Vec::new());
                            animate();
                        }
                    }
                >
                    {move || if playing() { "Pause" } else { "▶ Play" }}
                </button>
                <button
                    data-testid="replay-forward"
                    on:click=move |_| {
                        // The first step of a finished run starts from its beginning.
                        if player.with_untracked(Option::is_none) {
                            with_player(&|p, _| p.seek(0.0));
                        }
                        with_player(&|p, ts| p.step_forward(ts));
                        tell();
                    }
                >
                    "Step forward →"
                </button>
                <label class="field replay-speed">
                    <span>"Speed"</span>
                    <select
                        data-testid="replay-speed"
                        inner_html=speed_options()
                        prop:value=move || {
                            player
                                .with(|p| p.map(|p| p.speed))
                                .unwrap_or_else(|| crate::trace::replay::default_speed(end.get()))
                                .to_string()
                        }
                        on:change=move |ev| {
                            if let Some(s) = super::parse_number(&event_target_value(&ev)) {
                                with_player(&|p, _| p.speed = s);
                            }
                        }
                    ></select>
                </label>
            </div>
            <label class="field replay-scrub">
                <span>
                    "Time: "
                    <output data-testid="replay-time" data-ms=move || format!("{:.3}", position())>
                        {move || format!("{} ms of {} ms", fmt_ms(position()), fmt_ms(end.get()))}
                    </output>
                </span>
                <input
                    type="range"
                    data-testid="replay-scrub"
                    min="0"
                    max=move || format!("{:.3}", end.get())
                    step="any"
                    prop:value=move || format!("{:.3}", position())
                    on:input=move |ev| {
                        if let Some(t) = super::parse_number(&event_target_value(&ev)) {
                            with_player(&|p, _| p.seek(t));
                            tell();
                        }
                    }
                />
            </label>
            <ul
                class="happenings"
                data-testid="replay-said"
                aria-live="polite"
                inner_html=move || {
                    // A new run closes the replay (player back to None): old words go too.
                    if player.with(Option::is_some) {
                        said.with(|s| markup::list_items(s))
                    } else {
                        String::new()
                    }
                }
            ></ul>
        </section>
    }
}

/// Moves the replay on every animation frame while it plays.
async fn play(player: RwSignal<Option<Player>>) {
    let mut last = now_ms();
    loop {
        let _ = next_frame().await;
        let t = now_ms();
        let mut still = false;
        player.update(|p| {
            if let Some(p) = p {
                p.tick(t - last);
                still = p.playing;
            }
        });
        last = t;
        if !still {
            break;
        }
    }
}

/// The speed list's options, "0.1×" to "4×", each valued as the speed's number.
fn speed_options() -> String {
    let mut h = markup::Html::new();
    for s in SPEEDS {
        h.el(
            "option",
            &[("value", Some(&s.to_string()))],
            &format!("{s}×"),
        );
    }
    h.finish()
}
