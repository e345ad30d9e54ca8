//! The run history this browser keeps (in `localStorage`), so a reader can compare today's run
//! with the previous one. Pure: the page reads and writes the string under [`STORAGE_KEY`].
//!
//! Stored data may be corrupt, from another version of the page, or edited by hand. Decoding
//! never fails or panics: it keeps what it can use, drops the rest, and says so in one sentence.
//! The stored shape is `{"version":1,"entries":[...]}`, oldest entry first.
//!
//! It is written and read through the serde derives on [`Entry`] and [`EntryRow`]: with
//! serde_json natively, with the browser's `JSON` and serde-wasm-bindgen in the page (so the
//! page links no JSON parser or writer of its own; the browser has both).
//! `tests/fixtures/history-v1.json` holds history as the page stored it before (written by a
//! hand-made JSON writer that wrote what serde writes), and the tests read it.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::units::fmt_ms;

/// The `localStorage` key the history is kept under.
pub const STORAGE_KEY: &str = "avp-history";

/// The stored format's version. Bump it when a field changes meaning; [`History::decode`] clears
/// history of any other version (it is a convenience, not worth migrating).
pub const VERSION: u32 = 1;

/// Most runs kept; older ones are forgotten first.
pub const MAX_ENTRIES: usize = 30;

/// Most rows (strategies) one entry may have; more means the entry was not written by the page.
pub const MAX_ROWS: usize = 64;

const UNREADABLE: &str = "Saved run history could not be read and was cleared.";
const OLDER: &str = "Saved run history from an older version of the playground was cleared.";
const NEWER: &str = "Saved run history from a newer version of the playground was cleared.";

/// One strategy's result in a saved run. Stored as an object with these fields, in this order.
/// A time may be `null` or left out; fields this version does not know are skipped.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EntryRow {
    /// The strategy's stable id ("sequential"), used to match rows between runs.
    pub id: String,
    /// The strategy's title when the run was saved ("Sequential awaits").
    pub name: String,
    /// Measured time, ms; `None` if it did not finish (cancelled, no workers).
    pub measured_ms: Option<f64>,
    /// Predicted (ideal) time, ms; `None` where there is no prediction.
    pub ideal_ms: Option<f64>,
}

/// One saved run of one scenario. Stored as an object with these fields, in this order: every
/// field must be there with its type (`runs` a whole number); fields this version does not know
/// are skipped. Whether the values make sense is [`Entry::is_valid`]'s business.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// When it was saved: `Date.now()`, ms since the Unix epoch.
    pub at_ms: f64,
    /// The preset's id ("when-all"), to find earlier runs of an edited scenario.
    pub experiment: String,
    /// The scenario's title as shown then.
    pub title: String,
    /// The scenario's URL fragment (`#v=1&preset=when-all&n=7`): same link, same scenario.
    pub link: String,
    /// How many times the scenario ran: 1, or R for a repeated run (then `measured_ms` is the
    /// mean).
    pub runs: u32,
    /// One row per strategy, at most [`MAX_ROWS`].
    pub rows: Vec<EntryRow>,
}

/// A time or duration a stored entry may hold: finite and not negative.
fn valid_ms(ms: f64) -> bool {
    ms.is_finite() && ms >= 0.0
}

impl EntryRow {
    fn is_valid(&self) -> bool {
        !self.id.is_empty()
            && self.measured_ms.is_none_or(valid_ms)
            && self.ideal_ms.is_none_or(valid_ms)
    }
}

impl Entry {
    /// True for an entry the page could have written: a real time, an experiment id, at least
    /// one run, at most [`MAX_ROWS`] rows, each with an id and sane numbers.
    fn is_valid(&self) -> bool {
        valid_ms(self.at_ms)
            && !self.experiment.is_empty()
            && self.runs >= 1
            && self.rows.len() <= MAX_ROWS
            && self.rows.iter().all(EntryRow::is_valid)
    }
}

/// What is stored under [`STORAGE_KEY`], as it is written.
#[derive(Serialize)]
struct Stored<'a> {
    version: u32,
    entries: &'a [Entry],
}

/// A stored document's version, read before anything else (other fields are skipped).
#[derive(Deserialize)]
struct StoredVersion {
    version: u64,
}

/// A stored document's entries, each kept as the parsed value it is, to be read on its own
/// (one that is not an [`Entry`] does not fail the whole list).
#[derive(Deserialize)]
struct StoredEntries<P> {
    entries: Vec<P>,
}

/// A JSON document parsed once, to be read as one serde type or another:
/// `serde_json::Value` natively, the browser's parsed value in the page
/// (`crate::web::storage`). A part of one (an entry of a list) is one too.
pub trait Parsed: DeserializeOwned {
    /// The document as a `T`, or `None` where it is not one.
    fn read<T: DeserializeOwned>(&self) -> Option<T>;
}

impl Parsed for serde_json::Value {
    fn read<T: DeserializeOwned>(&self) -> Option<T> {
        T::deserialize(self).ok()
    }
}

/// The runs kept in this browser, oldest first (newest last).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// At most [`MAX_ENTRIES`], oldest first.
    pub entries: Vec<Entry>,
}

impl History {
    /// Reads what was stored under [`STORAGE_KEY`] (`None` when nothing was). Never fails: what
    /// cannot be used is dropped, and the second value says so in one sentence for the reader
    /// (`None` when everything was read, or there was nothing).
    ///
    /// Not JSON, or not the stored shape: empty, "…could not be read and was cleared.". Another
    /// version: empty, "…from an older (newer) version of the playground was cleared.". Some
    /// entries unusable (a wrong type, a missing field, a negative or non-finite number, an
    /// empty id, more than [`MAX_ROWS`] rows): the others are kept, "N saved runs could not be
    /// read and were dropped.". More than [`MAX_ENTRIES`]: the newest are kept, silently.
    ///
    /// A text that is not JSON at all (a number beyond any float included) is unreadable; a
    /// key written twice counts with its last value.
    pub fn decode(raw: Option<&str>) -> (History, Option<String>) {
        History::decode_with(raw, |text| {
            serde_json::from_str::<serde_json::Value>(text).ok()
        })
    }

    /// [`History::decode`] with another JSON parser: `parse` turns the stored text into a
    /// [`Parsed`] document, or `None` when it is not JSON. The page passes the browser's
    /// `JSON.parse` (read through serde-wasm-bindgen), so it links no JSON parser of its own;
    /// the rules are the same. (One difference in what browsers parse: a number beyond any
    /// float is `Infinity` to `JSON.parse`, so only the entry holding it is dropped.)
    pub fn decode_with<P: Parsed>(
        raw: Option<&str>,
        parse: impl FnOnce(&str) -> Option<P>,
    ) -> (History, Option<String>) {
        let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
            return (History::default(), None);
        };
        let cleared = |note: &str| (History::default(), Some(note.to_string()));
        let Some(stored) = parse(raw) else {
            return cleared(UNREADABLE);
        };
        // The version is read alone first: history of another version is cleared whatever
        // shape its entries have.
        match stored.read::<StoredVersion>().map(|s| s.version) {
            Some(v) if v == u64::from(VERSION) => {}
            Some(v) if v > u64::from(VERSION) => return cleared(NEWER),
            Some(_) => return cleared(OLDER),
            None => return cleared(UNREADABLE),
        }
        // Each entry is read on its own, so one bad entry does not spoil the others.
        let Some(StoredEntries { entries }) = stored.read::<StoredEntries<P>>() else {
            return cleared(UNREADABLE);
        };
        History::keep_valid(entries.iter().map(P::read).collect())
    }

    /// The history of the entries that were read (`None`: an entry that could not be), keeping
    /// the valid ones, the newest [`MAX_ENTRIES`] of them, with the note on what was dropped.
    fn keep_valid(read: Vec<Option<Entry>>) -> (History, Option<String>) {
        let total = read.len();
        let mut entries: Vec<Entry> = read.into_iter().flatten().filter(Entry::is_valid).collect();
        let dropped = total - entries.len();
        if entries.len() > MAX_ENTRIES {
            entries.drain(..entries.len() - MAX_ENTRIES);
        }
        let note = match dropped {
            0 => None,
            1 => Some("1 saved run could not be read and was dropped.".to_string()),
            n => Some(format!(
                "{n} saved runs could not be read and were dropped."
            )),
        };
        (History { entries }, note)
    }

    /// The string to store under [`STORAGE_KEY`]: `{"version":1,"entries":[...]}`, compact,
    /// each entry's fields in declaration order. A time that is not finite is written `null`
    /// (JSON has no NaN), which decoding drops; [`History::push`] stores none. (The page
    /// writes [`History::stored`] with the browser's `JSON.stringify` instead, which writes
    /// the same document, whole numbers without `.0`.)
    pub fn encode(&self) -> String {
        serde_json::to_string(&self.stored())
            .expect("plain structs with string keys always serialise to JSON")
    }

    /// What is stored under [`STORAGE_KEY`], to serialise: the version and the entries.
    pub fn stored(&self) -> impl Serialize + '_ {
        Stored {
            version: VERSION,
            entries: &self.entries,
        }
    }

    /// Adds a run as the newest and forgets the oldest beyond [`MAX_ENTRIES`].
    ///
    /// Nothing is stored that [`History::decode`] would drop (it would come back only as a
    /// note): a negative or non-finite measured or ideal time is stored as none (there was no
    /// measurement to keep), rows without an id and rows beyond [`MAX_ROWS`] are left out, and
    /// an entry without a valid time or experiment id, or with 0 runs, is not stored.
    pub fn push(&mut self, mut e: Entry) {
        e.rows.retain(|r| !r.id.is_empty());
        e.rows.truncate(MAX_ROWS);
        for r in &mut e.rows {
            r.measured_ms = r.measured_ms.filter(|&m| valid_ms(m));
            r.ideal_ms = r.ideal_ms.filter(|&m| valid_ms(m));
        }
        if !e.is_valid() {
            return;
        }
        self.entries.push(e);
        if self.entries.len() > MAX_ENTRIES {
            self.entries.drain(..self.entries.len() - MAX_ENTRIES);
        }
    }

    /// Forgets every run.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// The run to compare with: the newest entry saved before `before_ms` with the same `link`
    /// (the same scenario), else the newest one before it of the same `experiment` (an edited
    /// scenario: the caller says which it is by comparing links). `None` if there is neither.
    pub fn previous(&self, link: &str, experiment: &str, before_ms: f64) -> Option<&Entry> {
        let earlier = || self.entries.iter().rev().filter(|e| e.at_ms < before_ms);
        earlier()
            .find(|e| e.link == link)
            .or_else(|| earlier().find(|e| e.experiment == experiment))
    }
}

/// One sentence per strategy measured both now (`current`) and in `previous` (rows matched by
/// id, in the order of `current`): "Sequential: 5,004 ms now, 5,003 ms 2 min ago (+0.0%)." The
/// change is relative to the previous time; it is left out when that was 0 ms. Rows in only one
/// of the two, or not measured in one, are skipped.
pub fn compare(current: &[EntryRow], previous: &Entry, now_ms: f64) -> Vec<String> {
    let when = ago(now_ms, previous.at_ms);
    current
        .iter()
        .filter_map(|row| {
            let before = previous.rows.iter().find(|p| p.id == row.id)?;
            let (now, then) = (row.measured_ms?, before.measured_ms?);
            let change = if then > 0.0 {
                let pct = (now - then) / then * 100.0;
                // Rounding to 0.0 from below would print "-0.0%".
                if pct.abs() < 0.05 {
                    " (+0.0%)".to_string()
                } else {
                    format!(" ({pct:+.1}%)")
                }
            } else {
                String::new()
            };
            Some(format!(
                "{}: {} ms now, {} ms {when}{change}.",
                row.name,
                fmt_ms(now),
                fmt_ms(then)
            ))
        })
        .collect()
}

/// How long ago `at_ms` was at `now_ms` (both `Date.now()` ms), for people: "just now" (under
/// 45 s), "3 min ago", "2 h ago", "yesterday" (24 to 48 h), "5 days ago". Whole units, rounded
/// down. A time in the future (the clock was changed) or an invalid one is "just now".
pub fn ago(now_ms: f64, at_ms: f64) -> String {
    const MIN: f64 = 60_000.0;
    const HOUR: f64 = 60.0 * MIN;
    const DAY: f64 = 24.0 * HOUR;
    let d = now_ms - at_ms;
    if !(d.is_finite() && d >= 45_000.0) {
        // Also an invalid time: nothing sensible to say but "just now".
        return "just now".into();
    }
    if d < HOUR {
        format!("{} min ago", ((d / MIN).floor() as u64).max(1))
    } else if d < DAY {
        format!("{} h ago", (d / HOUR).floor() as u64)
    } else if d < 2.0 * DAY {
        "yesterday".into()
    } else {
        format!("{} days ago", (d / DAY).floor() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: f64 = 1_763_800_000_000.0;
    const MIN: f64 = 60_000.0;

    fn row(id: &str, measured: Option<f64>) -> EntryRow {
        EntryRow {
            id: id.into(),
            name: id
                .chars()
                .take(1)
                .flat_map(char::to_uppercase)
                .chain(id.chars().skip(1))
                .collect(),
            measured_ms: measured,
            ideal_ms: Some(5000.0),
        }
    }

    fn entry(at_ms: f64, link: &str, experiment: &str) -> Entry {
        Entry {
            at_ms,
            experiment: experiment.into(),
            title: "A. Sequential awaits vs all at once (WhenAll)".into(),
            link: link.into(),
            runs: 1,
            rows: vec![
                row("sequential", Some(5003.25)),
                row("all-at-once", Some(501.5)),
            ],
        }
    }

    fn sample() -> History {
        let mut h = History::default();
        h.push(entry(NOW - 10.0 * MIN, "#v=1&preset=when-all", "when-all"));
        h.push(entry(
            NOW - 5.0 * MIN,
            "#v=1&preset=when-all&n=7",
            "when-all",
        ));
        h
    }

    /// The encoding of `sample()` with its second entry replaced by `bad` (raw JSON).
    fn with_bad_second(bad: &str) -> String {
        let good = serde_json::to_string(&sample().entries[0]).unwrap();
        format!(r#"{{"version":1,"entries":[{good},{bad}]}}"#)
    }

    #[test]
    fn history_round_trips_through_its_encoding() {
        let h = sample();
        let raw = h.encode();
        assert!(raw.starts_with(r#"{"version":1,"entries":["#), "{raw}");
        assert_eq!(History::decode(Some(&raw)), (h, None));
    }

    /// Histories with strings and numbers that are awkward to write.
    fn awkward() -> Vec<History> {
        let names = [
            "say \"hi\"",
            "C:\\temp\\",
            "two\nlines\r\n\ttabbed",
            "\u{1}\u{1f}\u{7f}\u{8}\u{c}",
            "é, 中文, Ω",
            "emoji 😀🚀 and a ZWJ 👩‍💻",
            "</script>\u{2028}\u{2029}",
            "",
        ];
        let numbers = [
            0.0,
            0.1,
            0.3,
            1e-7,
            0.000_01,
            2.5e-5,
            1.0 / 3.0,
            5003.0,
            1_763_800_000_000.0,
            123_456_789.123_456_79,
            1e15,
            1e16,
            1e21,
            1.5e300,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            // Halfway between two shortest forms: serde_json writes the even one.
            93_511.0 + 613.0 / 4096.0,
            1000.0 + 2f64.powi(-14),
        ];
        let mut out = vec![History::default(), sample()];
        let mut h = History::default();
        for (i, name) in names.iter().enumerate() {
            let mut e = entry(numbers[i % numbers.len()], name, &format!("x{name}"));
            e.title = (*name).into();
            e.runs = [1, 10, u32::MAX][i % 3];
            e.rows = numbers
                .iter()
                .enumerate()
                .map(|(j, &n)| EntryRow {
                    id: format!("{j}{name}"),
                    name: names[j % names.len()].into(),
                    measured_ms: [Some(n), None][j % 2],
                    ideal_ms: [None, Some(n)][j % 2],
                })
                .collect();
            h.entries.push(e);
        }
        out.push(h);
        let mut h = History::default();
        for (i, &n) in numbers.iter().enumerate() {
            h.entries.push(entry(n, &format!("#n={i}"), "e"));
        }
        out.push(h);
        out
    }

    #[test]
    fn awkward_histories_read_back_as_they_were_stored() {
        for h in awkward() {
            let (back, note) = History::decode(Some(&h.encode()));
            assert_eq!(note, None);
            assert_eq!(back.entries.len(), h.entries.len());
            for (b, e) in back.entries.iter().zip(&h.entries) {
                assert_eq!((&b.title, &b.link, b.runs), (&e.title, &e.link, e.runs));
                // Not always the float itself: one with 17 significant digits
                // (123456789.12345679) may come back a unit in the last place off.
                let close = |x: f64, y: f64| x == y || (x - y).abs() <= x.abs() * 1e-15;
                assert!(close(b.at_ms, e.at_ms), "{} {}", b.at_ms, e.at_ms);
                for (br, er) in b.rows.iter().zip(&e.rows) {
                    assert_eq!((&br.id, &br.name), (&er.id, &er.name));
                    for (x, y) in [(br.measured_ms, er.measured_ms), (br.ideal_ms, er.ideal_ms)] {
                        assert_eq!(x.is_some(), y.is_some());
                        assert!(close(x.unwrap_or(0.0), y.unwrap_or(0.0)), "{x:?} {y:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn null_times_are_none_and_whitespace_is_fine() {
        let raw = r#" { "entries" : [ { "rows" : [ { "ideal_ms" : null , "measured_ms" : 2.5 ,
            "name" : "n" , "id" : "s" } ] , "runs" : 1 , "link" : "l" , "title" : "t" ,
            "experiment" : "e" , "at_ms" : 1e3 } ] , "version" : 1 } "#;
        let (h, note) = History::decode(Some(raw));
        assert_eq!(note, None, "any key order, any whitespace");
        assert_eq!(h.entries[0].at_ms, 1000.0);
        assert_eq!(h.entries[0].rows[0].measured_ms, Some(2.5));
        assert_eq!(h.entries[0].rows[0].ideal_ms, None, "null is none");
    }

    #[test]
    fn a_number_too_large_for_a_float_makes_the_text_unreadable() {
        // serde_json refuses the whole text for it (the page never writes one).
        let raw = with_bad_second(
            r#"{"at_ms":1e400,"experiment":"e","title":"t","link":"l","runs":1,"rows":[]}"#,
        );
        let (h, note) = History::decode(Some(&raw));
        assert!(h.entries.is_empty());
        assert_eq!(note.as_deref(), Some(UNREADABLE));
    }

    #[test]
    fn nothing_stored_is_an_empty_history_without_a_note() {
        for raw in [None, Some(""), Some("  \n")] {
            assert_eq!(History::decode(raw), (History::default(), None), "{raw:?}");
        }
        let empty = History::default().encode();
        assert_eq!(History::decode(Some(&empty)), (History::default(), None));
    }

    #[test]
    fn unreadable_history_is_cleared_with_a_note() {
        let cases = [
            "garbage",
            "{\"version\":1,",
            "null",
            "[]",
            "42",
            "\"x\"",
            "{}",
            r#"{"version":"1","entries":[]}"#,
            r#"{"version":-1,"entries":[]}"#,
            r#"{"version":1}"#,
            r#"{"version":1,"entries":"x"}"#,
            r#"{"version":1,"entries":{"0":{}}}"#,
        ];
        for raw in cases {
            let (h, note) = History::decode(Some(raw));
            assert!(h.entries.is_empty(), "{raw}");
            assert_eq!(note.as_deref(), Some(UNREADABLE), "{raw}");
        }
    }

    #[test]
    fn history_of_another_version_is_cleared_with_a_note() {
        let (h, note) = History::decode(Some(r#"{"version":0}"#));
        assert!(h.entries.is_empty());
        assert_eq!(
            note.as_deref(),
            Some("Saved run history from an older version of the playground was cleared.")
        );
        let (h, note) = History::decode(Some(r#"{"version":2,"entries":[]}"#));
        assert!(h.entries.is_empty());
        assert_eq!(
            note.as_deref(),
            Some(NEWER),
            "a page older than its storage does not call the data old"
        );
    }

    #[test]
    fn unusable_entries_are_dropped_and_the_rest_kept() {
        let good = sample().entries[0].clone();
        let bad_entries = [
            r#"{"at_ms":"NaN","experiment":"when-all","title":"t","link":"l","runs":1,"rows":[]}"#,
            r#"{"at_ms":5,"experiment":"when-all","link":"l","runs":1,"rows":[]}"#,
            r#"{"at_ms":-5,"experiment":"when-all","title":"t","link":"l","runs":1,"rows":[]}"#,
            r#"{"at_ms":5,"experiment":"","title":"t","link":"l","runs":1,"rows":[]}"#,
            r#"{"at_ms":5,"experiment":"e","title":"t","link":"l","runs":0,"rows":[]}"#,
            r#"{"at_ms":5,"experiment":"e","title":"t","link":"l","runs":-1,"rows":[]}"#,
            r#"{"at_ms":5,"experiment":"e","title":"t","link":"l","runs":1,"rows":[{"id":"","name":"n"}]}"#,
            r#"{"at_ms":5,"experiment":"e","title":"t","link":"l","runs":1,"rows":[{"id":"s","name":"n","measured_ms":"NaN"}]}"#,
            r#"{"at_ms":5,"experiment":"e","title":"t","link":"l","runs":1,"rows":[{"id":"s","name":"n","ideal_ms":-1}]}"#,
            "null",
            "[1,2]",
            "\"entry\"",
        ];
        for bad in bad_entries {
            let (h, note) = History::decode(Some(&with_bad_second(bad)));
            assert_eq!(h.entries, vec![good.clone()], "the good entry stays: {bad}");
            assert_eq!(
                note.as_deref(),
                Some("1 saved run could not be read and was dropped."),
                "{bad}"
            );
        }
    }

    #[test]
    fn an_entry_with_too_many_rows_is_dropped() {
        let mut e = entry(NOW, "l", "e");
        e.rows = (0..=MAX_ROWS)
            .map(|i| row(&format!("s{i}"), None))
            .collect();
        let bad = serde_json::to_string(&e).unwrap();
        let raw = format!(r#"{{"version":1,"entries":[{bad},{bad},{bad}]}}"#);
        let (h, note) = History::decode(Some(&raw));
        assert!(h.entries.is_empty());
        assert_eq!(
            note.as_deref(),
            Some("3 saved runs could not be read and were dropped.")
        );
    }

    #[test]
    fn missing_optional_times_and_unknown_fields_are_fine() {
        let raw = r#"{"version":1,"future":true,"entries":[{"at_ms":5,"experiment":"e",
            "title":"t","link":"l","runs":3,"rows":[{"id":"s","name":"n"}],"extra":[1]}]}"#;
        let (h, note) = History::decode(Some(raw));
        assert_eq!(note, None);
        assert_eq!(h.entries[0].rows[0].measured_ms, None);
        assert_eq!(h.entries[0].runs, 3);
    }

    #[test]
    fn a_huge_list_keeps_the_newest() {
        let mut list = Vec::new();
        for i in 0..10_000 {
            list.push(serde_json::to_string(&entry(i as f64, "l", "e")).unwrap());
        }
        let raw = format!(r#"{{"version":1,"entries":[{}]}}"#, list.join(","));
        let (h, note) = History::decode(Some(&raw));
        assert_eq!(note, None, "too many is not an error");
        assert_eq!(h.entries.len(), MAX_ENTRIES);
        assert_eq!(h.entries[0].at_ms, (10_000 - MAX_ENTRIES) as f64);
        assert_eq!(h.entries[MAX_ENTRIES - 1].at_ms, 9_999.0, "newest last");
    }

    #[test]
    fn push_keeps_the_newest_thirty() {
        let mut h = History::default();
        for i in 0..45 {
            h.push(entry(i as f64, "l", "e"));
        }
        assert_eq!(h.entries.len(), MAX_ENTRIES);
        assert_eq!(h.entries[0].at_ms, 15.0, "the oldest fifteen are gone");
        assert_eq!(h.entries[MAX_ENTRIES - 1].at_ms, 44.0);
        h.clear();
        assert!(h.entries.is_empty());
    }

    #[test]
    fn push_stores_only_what_decoding_would_keep() {
        let mut h = History::default();
        let mut e = entry(NOW, "l", "e");
        e.rows[0].measured_ms = Some(f64::NAN);
        e.rows[1].ideal_ms = Some(-3.0);
        e.rows.push(row("", Some(1.0)));
        h.push(e);
        assert_eq!(
            h.entries[0].rows.len(),
            2,
            "the row without an id is left out"
        );
        assert_eq!(
            h.entries[0].rows[0].measured_ms, None,
            "NaN is no measurement"
        );
        assert_eq!(h.entries[0].rows[1].ideal_ms, None);
        h.push(entry(f64::NAN, "l", "e"));
        h.push(entry(NOW, "l", ""));
        assert_eq!(
            h.entries.len(),
            1,
            "no valid time or experiment: not stored"
        );
        assert_eq!(History::decode(Some(&h.encode())), (h, None));
    }

    #[test]
    fn previous_prefers_the_same_link_then_the_same_experiment() {
        let mut h = History::default();
        h.push(entry(NOW - 30.0 * MIN, "#a", "when-all"));
        h.push(entry(NOW - 20.0 * MIN, "#b", "when-all"));
        h.push(entry(NOW - 10.0 * MIN, "#c", "retry"));
        h.push(entry(NOW, "#a", "when-all"));
        let same = h.previous("#a", "when-all", NOW).unwrap();
        assert_eq!(
            same.at_ms,
            NOW - 30.0 * MIN,
            "same link, not the run just saved"
        );
        let edited = h.previous("#z", "when-all", NOW).unwrap();
        assert_eq!(
            edited.at_ms,
            NOW - 20.0 * MIN,
            "newest of the same experiment"
        );
        assert_eq!(h.previous("#z", "other", NOW), None);
        assert_eq!(h.previous("#a", "when-all", NOW - 30.0 * MIN), None);
    }

    #[test]
    fn compare_says_now_then_and_the_change() {
        let prev = entry(NOW - 2.0 * MIN, "l", "e");
        let current = vec![
            row("all-at-once", Some(450.0)),
            row("sequential", Some(5004.0)),
            row("first-wins", Some(100.0)),
            row("all-at-once-fail-fast", None),
        ];
        assert_eq!(
            compare(&current, &prev, NOW),
            vec![
                "All-at-once: 450 ms now, 502 ms 2 min ago (-10.3%).",
                "Sequential: 5,004 ms now, 5,003 ms 2 min ago (+0.0%).",
            ]
        );
        let mut slower = prev.clone();
        slower.rows[0].measured_ms = Some(4000.0);
        slower.rows[1].measured_ms = None;
        assert_eq!(
            compare(&current, &slower, NOW),
            vec!["Sequential: 5,004 ms now, 4,000 ms 2 min ago (+25.1%)."],
            "a row not measured before is skipped"
        );
        let mut zero = prev.clone();
        zero.rows[0].measured_ms = Some(0.0);
        let s = compare(&current[1..2], &zero, NOW);
        assert_eq!(s, vec!["Sequential: 5,004 ms now, 0 ms 2 min ago."]);
        let tiny_drop = [row("sequential", Some(5003.0))];
        assert!(
            compare(&tiny_drop, &prev, NOW)[0].ends_with("(+0.0%)."),
            "no minus zero"
        );
    }

    #[test]
    fn ago_rounds_down_to_whole_units() {
        let cases = [
            (0.0, "just now"),
            (44_999.0, "just now"),
            (45_000.0, "1 min ago"),
            (3.0 * MIN + 59_000.0, "3 min ago"),
            (60.0 * MIN - 1.0, "59 min ago"),
            (60.0 * MIN, "1 h ago"),
            (2.5 * 60.0 * MIN, "2 h ago"),
            (24.0 * 60.0 * MIN - 1.0, "23 h ago"),
            (24.0 * 60.0 * MIN, "yesterday"),
            (48.0 * 60.0 * MIN - 1.0, "yesterday"),
            (48.0 * 60.0 * MIN, "2 days ago"),
            (5.5 * 24.0 * 60.0 * MIN, "5 days ago"),
        ];
        for (d, want) in cases {
            assert_eq!(ago(NOW, NOW - d), want, "{d} ms ago");
        }
        assert_eq!(ago(NOW, NOW + 3.0 * MIN), "just now", "a clock set back");
        assert_eq!(ago(NOW, f64::NAN), "just now");
        assert_eq!(ago(f64::INFINITY, NOW), "just now");
    }

    /// A tiny deterministic xorshift, so the fuzz test needs no crate and always runs the same.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    /// Whatever decode returns is usable: capped, every entry valid, a known note, and it
    /// stores and reads back without a note.
    fn check_decoded(raw: &str) {
        let (h, note) = History::decode(Some(raw));
        assert!(h.entries.len() <= MAX_ENTRIES, "{raw}");
        assert!(h.entries.iter().all(Entry::is_valid), "{raw}");
        if let Some(n) = &note {
            assert!(
                [UNREADABLE, OLDER, NEWER].contains(&n.as_str())
                    || n.ends_with("could not be read and were dropped.")
                    || n.ends_with("could not be read and was dropped."),
                "{n}"
            );
        }
        let (again, note) = History::decode(Some(&h.encode()));
        assert_eq!(note, None, "a decoded history stores cleanly: {raw}");
        assert_eq!(again.entries.len(), h.entries.len(), "{raw}");
    }

    /// Random texts made mostly of JSON's punctuation and the stored shape's words, then
    /// `mutations` copies of a valid encoding, each changed in a few places.
    fn fuzz_inputs(mutations: usize) -> Vec<String> {
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        let mut inputs = Vec::new();
        // Mostly JSON punctuation and words, so some inputs get past the parser.
        let alphabet: &[u8] = b"{}[]\":,-+.eE0123456789 truefalsenullversionentriesat_msrows\\";
        for _ in 0..2000 {
            let len = rng.below(120);
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    if rng.below(4) == 0 {
                        rng.next() as u8
                    } else {
                        alphabet[rng.below(alphabet.len())]
                    }
                })
                .collect();
            inputs.push(String::from_utf8_lossy(&bytes).into_owned());
        }
        let valid = sample().encode().into_bytes();
        let pieces: [&[u8]; 8] = [
            b"NaN", b"-1", b"null", b"\"\"", b"1e999", b"[]", b"{}", b",",
        ];
        for _ in 0..mutations {
            let mut s = valid.clone();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(s.len() + 1);
                match rng.below(4) {
                    0 if at < s.len() => {
                        let to = (at + 1 + rng.below(8)).min(s.len());
                        s.drain(at..to);
                    }
                    1 if at < s.len() => s[at] = rng.next() as u8,
                    2 => {
                        let piece = pieces[rng.below(pieces.len())];
                        s.splice(at..at, piece.iter().copied());
                    }
                    _ => {
                        let from = rng.below(s.len());
                        let to = (from + rng.below(40)).min(s.len());
                        let copy = s[from..to].to_vec();
                        s.splice(at..at, copy);
                    }
                }
            }
            inputs.push(String::from_utf8_lossy(&s).into_owned());
        }
        inputs
    }

    #[test]
    fn random_bytes_and_mutations_never_panic() {
        for raw in fuzz_inputs(2000) {
            check_decoded(&raw);
        }
    }
}
