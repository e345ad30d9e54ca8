//! The one place where the URL and the scenario meet (in the spirit of rust-playground's single
//! router module). The scenario lives in the URL fragment, so no server ever sees it and static
//! hosts' length limits do not apply:
//!
//! `#v=1&preset=when-all&n=7&ms=250` (readable, hand-editable; only what differs from the
//! preset is written, so a preset's own link is just `#v=1&preset=when-all`). Long uniform
//! lists are written compactly (`list=10x500,2000`).
//!
//! Decoding never fails: an old, partial, malformed, hostile or future-version link opens the
//! nearest valid scenario, and every value that was ignored or clamped is reported in a note.

use crate::model::editor::{Draft, FieldId};
use crate::model::embed::{Parts, RunOn, Theme};
use crate::model::scenario::{Experiment, ProgramCode};

/// The link format's version. Bump it when a key changes meaning, and migrate old links in
/// [`decode`].
pub const VERSION: u32 = 1;

/// Most characters of a fragment that are read; the rest is ignored with a note.
pub const MAX_FRAGMENT: usize = 262_144;

/// How the page is shown, besides what it runs ([`crate::model::embed`] has the embed's
/// options and their defaults).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ViewOptions {
    /// Compact layout for an iframe in a tutorial post (`embed=1`).
    pub embed: bool,
    /// When it starts (`run=click|load|visible`; `autorun=1` is `run=load`).
    pub run: RunOn,
    /// Show the editor's fields (`editor=0` hides them).
    pub editor: bool,
    /// Its colours (`theme=light|dark|auto`).
    pub theme: Theme,
    /// The parts shown (`show=timeline,summary`).
    pub show: Parts,
}

impl Default for ViewOptions {
    fn default() -> Self {
        ViewOptions {
            embed: false,
            run: RunOn::default(),
            editor: true,
            theme: Theme::default(),
            show: Parts::default(),
        }
    }
}

/// What a fragment opens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    pub draft: Draft,
    pub view: ViewOptions,
    /// What was ignored, clamped or migrated, for people; empty for a clean link.
    pub notes: Vec<String>,
}

/// The URL key of a field.
pub fn key(id: FieldId) -> &'static str {
    match id {
        FieldId::Count => "n",
        FieldId::Duration => "ms",
        FieldId::Durations => "list",
        FieldId::Steps => "steps",
        FieldId::Limits => "k",
        FieldId::PrimeLimit => "limit",
        FieldId::Width => "w",
        FieldId::Height => "h",
        FieldId::Iterations => "iter",
        FieldId::Burns => "burns",
        FieldId::Workers => "workers",
        FieldId::Jitter => "jitter",
        FieldId::Seed => "seed",
        FieldId::Failing => "fail",
        FieldId::FailTimes => "fail-times",
        FieldId::Timeout => "timeout",
        FieldId::GroupTimeout => "deadline",
        FieldId::Attempts => "attempts",
        FieldId::Delay => "delay",
        FieldId::Backoff => "backoff",
    }
}

fn field_of(k: &str) -> Option<FieldId> {
    FieldId::ALL.into_iter().find(|&id| key(id) == k)
}

/// The fragment (without `#`) for `draft` shown as `view`.
pub fn encode(draft: &Draft, view: &ViewOptions) -> String {
    let preset = Draft::preset(draft.experiment);
    let mut parts = vec![format!("v={VERSION}")];
    match &draft.program {
        // A program writes only its code, and its preset when Reset should return there.
        Some(p) => {
            if p.from_preset {
                parts.push(format!("preset={}", draft.experiment.id()));
            }
            parts.push(format!("code={}", escape(&p.code)));
        }
        None => parts.push(format!("preset={}", draft.experiment.id())),
    }
    for id in draft.visible() {
        let text = draft.text(id).trim();
        if text != preset.text(id) {
            parts.push(format!("{}={}", key(id), escape(text)));
        }
    }
    if view.embed {
        parts.push("embed=1".into());
    }
    if let Some(run) = view.run.id() {
        parts.push(format!("run={run}"));
    }
    if !view.editor {
        parts.push("editor=0".into());
    }
    if view.theme != Theme::Auto {
        parts.push(format!("theme={}", view.theme.id()));
    }
    if let Some(show) = view.show.encode() {
        parts.push(format!("show={show}"));
    }
    parts.join("&")
}

/// The link of a preset as it starts.
pub fn preset_fragment(e: Experiment) -> String {
    encode(&Draft::preset(e), &ViewOptions::default())
}

/// The `<iframe>` a tutorial author pastes: the experiment in embed mode with `view`'s options,
/// lazy-loaded, titled, sized for the compact layout (the page also posts its height, see the
/// README).
pub fn embed_snippet(page_url: &str, draft: &Draft, view: ViewOptions) -> String {
    let view = ViewOptions {
        embed: true,
        ..view
    };
    let src = format!("{page_url}#{}", encode(draft, &view));
    let title = draft.title().replace('"', "&quot;");
    format!(
        "<iframe src=\"{}\" title=\"{title} (Async vs Parallel Playground)\" \
         loading=\"lazy\" width=\"100%\" height=\"640\" style=\"border:0\"></iframe>",
        src.replace('&', "&amp;").replace('"', "&quot;")
    )
}

/// Shortens user text quoted in a note, so a hostile link cannot flood the page.
fn quote(s: &str) -> String {
    let mut q: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        q.push('…');
    }
    format!("“{q}”")
}

fn flag(v: &str) -> Option<bool> {
    match v {
        "1" | "true" | "yes" | "" => Some(true),
        "0" | "false" | "no" => Some(false),
        _ => None,
    }
}

/// Reads a fragment (with or without `#`). Never fails.
pub fn decode(fragment: &str) -> Decoded {
    let mut notes = Vec::new();
    let mut text = fragment.strip_prefix('#').unwrap_or(fragment);
    if text.len() > MAX_FRAGMENT {
        let mut cut = MAX_FRAGMENT;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text = &text[..cut];
        notes.push(format!(
            "The link was longer than {MAX_FRAGMENT} characters; the rest was ignored."
        ));
    }
    let pairs: Vec<(String, String)> = text
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (unescape(k), unescape(v)),
            None => (unescape(p), String::new()),
        })
        .collect();
    let get = |k: &str| {
        pairs
            .iter()
            .rev()
            .find(|(pk, _)| pk == k)
            .map(|(_, v)| v.as_str())
    };

    match get("v") {
        None | Some("1") => {}
        Some(v) => match v.parse::<u32>() {
            Ok(n) if n > VERSION => notes.push(format!(
                "This link was made by a newer version of the playground (v={n}); it opened \
                 what this version understands."
            )),
            _ => notes.push(format!(
                "Unknown link version {}; read as v={VERSION}.",
                quote(v)
            )),
        },
    }
    let experiment = match get("preset") {
        None => Experiment::WhenAll,
        Some(id) => Experiment::from_id(id).unwrap_or_else(|| {
            notes.push(format!(
                "Unknown experiment {}; opened “{}” instead.",
                quote(id),
                Experiment::WhenAll.title()
            ));
            Experiment::WhenAll
        }),
    };
    let mut draft = Draft::preset(experiment);
    let defaults = draft.clone();
    let mut view = ViewOptions::default();
    let mut from_link = Vec::new();
    for (k, v) in &pairs {
        match k.as_str() {
            "v" | "preset" => {}
            "code" => {
                draft.program = Some(ProgramCode {
                    code: v.clone(),
                    from_preset: get("preset").is_some_and(|id| Experiment::from_id(id).is_some()),
                })
            }
            "embed" | "autorun" | "editor" => match flag(v) {
                Some(b) => match k.as_str() {
                    "embed" => view.embed = b,
                    // The older spelling of run=load.
                    "autorun" => {
                        view.run = if b { RunOn::Load } else { RunOn::Button };
                    }
                    _ => view.editor = b,
                },
                None => notes.push(format!("Ignored {k}={}: write 1 or 0.", quote(v))),
            },
            "run" => match RunOn::from_id(v) {
                Some(r) => view.run = r,
                None => notes.push(format!(
                    "Ignored run={}: write click, load or visible.",
                    quote(v)
                )),
            },
            "theme" => match Theme::from_id(v) {
                Some(t) => view.theme = t,
                None => notes.push(format!(
                    "Ignored theme={}: write light, dark or auto.",
                    quote(v)
                )),
            },
            "show" => {
                let (parts, unknown) = Parts::decode(v);
                view.show = parts;
                for word in unknown {
                    notes.push(format!(
                        "Ignored {} in show=: the parts are editor, timeline, summary, \
                         replay and code.",
                        quote(&word)
                    ));
                }
            }
            _ => match field_of(k) {
                Some(id) if draft.fields.contains_key(&id) => {
                    draft.fields.insert(id, v.clone());
                    if !from_link.contains(&id) {
                        from_link.push(id);
                    }
                }
                Some(_) => notes.push(format!(
                    "Ignored {}: “{}” has no such setting.",
                    quote(k),
                    experiment.title()
                )),
                None => notes.push(format!("Ignored unknown setting {}.", quote(k))),
            },
        }
    }
    if draft.program.is_some() && !from_link.is_empty() {
        notes.push(format!(
            "Ignored {}: a link with a program runs the program, not the preset's fields.",
            from_link
                .iter()
                .map(|&id| key(id))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        draft.fields = defaults.fields.clone();
        from_link.clear();
    }
    // Values the editor refuses fall back to the preset's, one at a time, each with a note;
    // clamped values stay (clamped), with the editor's note.
    loop {
        let built = draft.build();
        let refused = from_link.iter().find_map(|&id| {
            let m = built.messages.get(&id).filter(|m| m.invalid)?;
            Some((id, m))
        });
        match refused {
            Some((id, m)) => {
                notes.push(format!(
                    "Ignored {}={}: {} Used {} instead.",
                    key(id),
                    quote(draft.text(id)),
                    m.text,
                    quote(defaults.text(id))
                ));
                draft.fields.insert(id, defaults.text(id).to_string());
                from_link.retain(|f| *f != id);
            }
            None => {
                for id in &from_link {
                    if let Some(m) = built.messages.get(id) {
                        notes.push(format!(
                            "{}={}: {}",
                            key(*id),
                            quote(draft.text(*id)),
                            m.text
                        ));
                    }
                }
                break;
            }
        }
    }
    Decoded { draft, view, notes }
}

/// Percent-encodes everything but letters, digits and `-_.~,:+$` (kept readable; `+` and `$`
/// complete the alphabet of a program's `code=` value, see `lang::link`, and mean nothing
/// else in a fragment).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'~'
            | b','
            | b':'
            | b'+'
            | b'$' => out.push(b as char),
            b' ' => out.push_str("%20"),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Decodes `%XX` escapes; anything malformed is kept as written, invalid UTF-8 is replaced.
fn unescape(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::embed::Part;
    use crate::model::plan::Rng;

    #[test]
    fn the_embed_snippet_is_a_lazy_titled_iframe_of_the_embed_link() {
        let s = embed_snippet(
            "https://example.org/play/",
            &Draft::preset(Experiment::WhenAny),
            ViewOptions {
                run: RunOn::Load,
                ..ViewOptions::default()
            },
        );
        assert_eq!(
            s,
            "<iframe src=\"https://example.org/play/#v=1&amp;preset=when-any&amp;embed=1&amp;run=load\" \
             title=\"B. First to finish (WhenAny) (Async vs Parallel Playground)\" loading=\"lazy\" \
             width=\"100%\" height=\"640\" style=\"border:0\"></iframe>"
        );
    }

    #[test]
    fn a_presets_link_is_short_and_opens_it() {
        assert_eq!(preset_fragment(Experiment::WhenAny), "v=1&preset=when-any");
        for e in Experiment::ALL {
            let d = decode(&preset_fragment(e));
            assert_eq!(d.draft, Draft::preset(e), "{e:?}");
            assert!(d.notes.is_empty(), "{e:?}: {:?}", d.notes);
        }
    }

    #[test]
    fn the_readable_form_of_the_issue_opens_as_written() {
        let d = decode("#v=1&preset=when-all&n=10&ms=500");
        assert_eq!(
            d.draft.build().scenario,
            Some(Experiment::WhenAll.scenario())
        );
        let d = decode("#v=1&preset=when-all&n=7&ms=250");
        assert_eq!(d.draft.text(FieldId::Count), "7");
        assert_eq!(d.draft.text(FieldId::Duration), "250");
        assert_eq!(encode(&d.draft, &d.view), "v=1&preset=when-all&n=7&ms=250");
    }

    #[test]
    fn edits_and_view_options_round_trip() {
        let mut d = Draft::preset(Experiment::Retries);
        d.fields.insert(FieldId::Failing, "1, 3".into());
        d.fields.insert(FieldId::Backoff, "fixed".into());
        let view = ViewOptions {
            embed: true,
            run: RunOn::Load,
            editor: false,
            theme: Theme::Dark,
            show: Parts::none().with(Part::Timeline).with(Part::Code),
        };
        let f = encode(&d, &view);
        assert_eq!(
            f,
            "v=1&preset=retries&fail=1,%203&backoff=fixed&embed=1&run=load&editor=0&theme=dark\
             &show=timeline,code"
        );
        let back = decode(&f);
        assert_eq!(back.draft, d);
        assert_eq!(back.view, view);
        assert!(back.notes.is_empty(), "{:?}", back.notes);
    }

    #[test]
    fn every_embed_option_round_trips() {
        let d = Draft::preset(Experiment::WhenAll);
        for run in RunOn::ALL {
            for theme in Theme::ALL {
                for show in [
                    Parts::all(),
                    Parts::none().with(Part::Summary),
                    Parts::all().without(Part::Editor),
                ] {
                    let view = ViewOptions {
                        embed: true,
                        run,
                        theme,
                        show,
                        ..ViewOptions::default()
                    };
                    let back = decode(&encode(&d, &view));
                    assert_eq!(back.view, view);
                    assert!(back.notes.is_empty(), "{:?}", back.notes);
                }
            }
        }
    }

    fn program(code: &str, from_preset: bool, experiment: Experiment) -> Draft {
        Draft {
            program: Some(ProgramCode {
                code: code.into(),
                from_preset,
            }),
            ..Draft::preset(experiment)
        }
    }

    #[test]
    fn a_program_round_trips_with_its_code_as_written() {
        // lz-str's alphabet, `+` and `$` included, is written as it is.
        let mine = program("MYewdgzgLgBAhgWxgXhgVw", false, Experiment::WhenAll);
        let view = ViewOptions {
            embed: true,
            run: RunOn::Load,
            ..ViewOptions::default()
        };
        assert_eq!(
            encode(&mine, &view),
            "v=1&code=MYewdgzgLgBAhgWxgXhgVw&embed=1&run=load"
        );
        let edited = program("A+b-c$d", true, Experiment::Primes);
        for (d, v) in [(mine, view), (edited, ViewOptions::default())] {
            let back = decode(&encode(&d, &v));
            assert_eq!(back.draft, d);
            assert_eq!(back.view, v);
            assert!(back.notes.is_empty(), "{:?}", back.notes);
        }
        assert_eq!(
            encode(
                &program("A+b", true, Experiment::Primes),
                &ViewOptions::default()
            ),
            "v=1&preset=primes&code=A+b"
        );
    }

    #[test]
    fn a_hand_edited_code_value_cannot_break_out_of_its_key() {
        let d = program("x&preset=primes#y", false, Experiment::WhenAll);
        let f = encode(&d, &ViewOptions::default());
        assert_eq!(f, "v=1&code=x%26preset%3Dprimes%23y");
        assert_eq!(decode(&f).draft, d);
    }

    #[test]
    fn a_program_link_ignores_the_fields_and_says_so() {
        let d = decode("v=1&preset=when-all&n=7&code=ABC");
        assert_eq!(d.draft, program("ABC", true, Experiment::WhenAll));
        assert_eq!(
            d.notes,
            ["Ignored n: a link with a program runs the program, not the preset's fields."]
        );
    }

    #[test]
    fn links_made_with_autorun_still_start_on_load() {
        let d = decode("#v=1&preset=when-any&embed=1&autorun=1");
        assert_eq!(d.view.run, RunOn::Load);
        assert!(d.notes.is_empty(), "{:?}", d.notes);
        assert_eq!(decode("#v=1&embed=1&autorun=0").view.run, RunOn::Button);
        // The same link, written today.
        assert_eq!(
            encode(&d.draft, &d.view),
            "v=1&preset=when-any&embed=1&run=load"
        );
    }

    #[test]
    fn bad_embed_options_are_noted_and_ignored() {
        let d = decode("#v=1&embed=1&run=hover&theme=sepia&show=timeline,chart");
        assert_eq!(d.view.run, RunOn::Button);
        assert_eq!(d.view.theme, Theme::Auto);
        assert_eq!(d.view.show, Parts::none().with(Part::Timeline));
        let notes = d.notes.join(" ");
        for want in ["run=“hover”", "theme=“sepia”", "“chart” in show="] {
            assert!(notes.contains(want), "{want}: {notes}");
        }
    }

    #[test]
    fn random_edits_round_trip_exactly() {
        let mut rng = Rng::new(99);
        for _ in 0..3000 {
            let e = Experiment::ALL[rng.range_i64(0, Experiment::ALL.len() as i64 - 1) as usize];
            let mut d = Draft::preset(e);
            for id in d.visible() {
                if rng.range_i64(0, 2) == 0 {
                    continue;
                }
                let v = match id {
                    FieldId::Durations => format!(
                        "{}x{}, {}",
                        rng.range_i64(1, 5),
                        rng.range_i64(0, 900),
                        rng.range_i64(1, 900)
                    ),
                    FieldId::Steps => format!(
                        "fetch {}, save {}",
                        rng.range_i64(0, 300),
                        rng.range_i64(0, 300)
                    ),
                    FieldId::Limits => {
                        format!("{}, {}", rng.range_i64(1, 20), rng.range_i64(1, 20))
                    }
                    FieldId::Failing => {
                        ["", "30%", "1, 2"][rng.range_i64(0, 2) as usize].to_string()
                    }
                    FieldId::FailTimes => {
                        ["all", "1", "2"][rng.range_i64(0, 2) as usize].to_string()
                    }
                    FieldId::Backoff => {
                        ["fixed", "exponential"][rng.range_i64(0, 1) as usize].to_string()
                    }
                    FieldId::Timeout | FieldId::GroupTimeout => {
                        ["".to_string(), rng.range_i64(1, 5000).to_string()]
                            [rng.range_i64(0, 1) as usize]
                            .clone()
                    }
                    FieldId::Workers => ["auto".to_string(), rng.range_i64(1, 8).to_string()]
                        [rng.range_i64(0, 1) as usize]
                        .clone(),
                    FieldId::Burns => format!("{}x{}", rng.range_i64(1, 9), rng.range_i64(1, 300)),
                    FieldId::Attempts => rng.range_i64(1, 10).to_string(),
                    FieldId::Jitter => "0".to_string(),
                    _ => rng.range_i64(1, 2000).to_string(),
                };
                d.fields.insert(id, v);
            }
            let built = d.build();
            if built.messages.values().any(|m| m.invalid) {
                continue;
            }
            let back = decode(&encode(&d, &ViewOptions::default()));
            assert_eq!(back.draft.build().scenario, built.scenario, "{d:?}");
        }
    }

    #[test]
    fn malformed_links_open_the_nearest_valid_scenario_and_say_what_was_ignored() {
        let d = decode("#v=1&preset=when-all&n=abc&ms=999999&bogus=1&embed=maybe");
        assert_eq!(
            d.draft.text(FieldId::Count),
            "10",
            "refused value falls back"
        );
        let s = d.draft.build().scenario.expect("a valid scenario");
        assert_eq!(s.async_work().unwrap().workload.len(), 10);
        let notes = d.notes.join("\n");
        assert!(
            notes.contains("Ignored n=“abc”: “abc” is not a number. Used “10” instead."),
            "{notes}"
        );
        assert!(
            notes.contains("ms=“999999”: Clamped to 60000 ms"),
            "{notes}"
        );
        assert!(
            notes.contains("Ignored unknown setting “bogus”."),
            "{notes}"
        );
        assert!(notes.contains("Ignored embed=“maybe”"), "{notes}");
    }

    #[test]
    fn future_and_unknown_links_say_so() {
        let d = decode("v=7&preset=when-any&quantum=1");
        assert_eq!(d.draft.experiment, Experiment::WhenAny);
        assert!(d.notes[0].contains("newer version of the playground (v=7)"));
        let d = decode("v=1&preset=nope");
        assert_eq!(d.draft.experiment, Experiment::WhenAll);
        assert!(d.notes[0].contains("Unknown experiment “nope”"));
        let d = decode("v=1&preset=primes&n=5");
        assert!(d.notes[0].contains("has no such setting"), "{:?}", d.notes);
    }

    #[test]
    fn an_empty_or_missing_fragment_is_the_default_without_notes() {
        for f in ["", "#", "#&&", "v=1"] {
            let d = decode(f);
            assert_eq!(d.draft, Draft::preset(Experiment::WhenAll), "{f:?}");
            assert!(d.notes.is_empty(), "{f:?}: {:?}", d.notes);
        }
    }

    #[test]
    fn hostile_text_is_quoted_short_and_never_panics() {
        let long = "a".repeat(10_000);
        let d = decode(&format!("v=1&{long}=<script>alert(1)</script>"));
        assert!(
            d.notes.iter().all(|n| n.chars().count() < 200),
            "notes stay short"
        );
        let d = decode(&"%".repeat(MAX_FRAGMENT + 10));
        assert!(d.notes[0].contains("longer than"));
        assert_eq!(unescape("%E2%9C%93%zz%4"), "✓%zz%4");
        assert_eq!(unescape("%FF"), "\u{FFFD}");
    }

    #[test]
    fn fuzzed_fragments_always_open_a_valid_scenario() {
        let mut rng = Rng::new(7);
        let alphabet: Vec<char> =
            "v=1&preset=when-allanyretriesprimes%20x,;-0123456789nmslistkfailtimeout#€<>\\"
                .chars()
                .collect();
        let keys: Vec<&str> = FieldId::ALL.iter().map(|&id| key(id)).collect();
        for case in 0..20_000 {
            let mut f = String::new();
            if case % 2 == 0 {
                // Structured: real keys with random values.
                let e =
                    Experiment::ALL[rng.range_i64(0, Experiment::ALL.len() as i64 - 1) as usize];
                f.push_str(&format!("v=1&preset={}", e.id()));
                for _ in 0..rng.range_i64(0, 6) {
                    let k = keys[rng.range_i64(0, keys.len() as i64 - 1) as usize];
                    let len = rng.range_i64(0, 12);
                    let v: String = (0..len)
                        .map(|_| alphabet[rng.range_i64(0, alphabet.len() as i64 - 1) as usize])
                        .collect();
                    f.push_str(&format!("&{k}={v}"));
                }
            } else {
                let len = rng.range_i64(0, 80);
                f = (0..len)
                    .map(|_| alphabet[rng.range_i64(0, alphabet.len() as i64 - 1) as usize])
                    .collect();
            }
            let d = decode(&f);
            let built = d.draft.build();
            assert!(
                built.scenario.is_some(),
                "case {case}: {f:?} gave {:?}",
                built.messages
            );
        }
    }
}
