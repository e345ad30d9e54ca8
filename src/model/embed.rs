//! The options a tutorial author pins on an embed, as the link says them: its colours
//! (`theme=`), when it starts (`run=`) and which parts it shows (`show=`). Read and written by
//! [`crate::model::router`]; each option's default is what a link without it gets.

/// The colours (`theme=light|dark|auto`). Default [`Theme::Auto`]: the reader's system
/// setting, which in an iframe is not necessarily the host page's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    #[default]
    Auto,
    Light,
    Dark,
}

impl Theme {
    /// Every theme, as the embed dialog lists them.
    pub const ALL: [Theme; 3] = [Theme::Auto, Theme::Light, Theme::Dark];

    /// Its word in the link.
    pub fn id(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// The theme a word of the link names, if any.
    pub fn from_id(id: &str) -> Option<Theme> {
        Theme::ALL.into_iter().find(|t| t.id() == id)
    }
}

/// When the experiment starts (`run=click|load|visible`). Default [`RunOn::Button`]: the page
/// is shown and nothing runs until the reader presses Run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RunOn {
    /// The page as it is; nothing starts until Run is pressed.
    #[default]
    Button,
    /// A poster (the experiment's name, what it shows, a Run button) in place of the page's
    /// controls; nothing starts, no timer and no worker, until it is pressed.
    Click,
    /// At once, when the page has loaded (`autorun=1`, the older spelling, means this).
    Load,
    /// When the frame first scrolls into view.
    Visible,
}

impl RunOn {
    /// Every choice, as the embed dialog lists them.
    pub const ALL: [RunOn; 4] = [RunOn::Button, RunOn::Click, RunOn::Load, RunOn::Visible];

    /// Its word in the link (`None` for the default, which is not written).
    pub fn id(self) -> Option<&'static str> {
        match self {
            RunOn::Button => None,
            RunOn::Click => Some("click"),
            RunOn::Load => Some("load"),
            RunOn::Visible => Some("visible"),
        }
    }

    /// What the embed dialog calls it.
    pub fn label(self) -> &'static str {
        match self {
            RunOn::Button => "when Run is pressed",
            RunOn::Click => "poster, then Run",
            RunOn::Load => "at once",
            RunOn::Visible => "when scrolled into view",
        }
    }

    /// The choice a word of the link names, if any.
    pub fn from_id(id: &str) -> Option<RunOn> {
        RunOn::ALL.into_iter().find(|r| r.id() == Some(id))
    }
}

/// A part of the page an embed can show or leave out (`show=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// The experiment's fields (or, for a program, its text).
    Editor,
    /// The result cards with their timelines.
    Timeline,
    /// The summary: measured against ideal, and the exports.
    Summary,
    /// The replay controls.
    Replay,
    /// "The code behind it".
    Code,
}

impl Part {
    /// Every part, in the order the page shows them.
    pub const ALL: [Part; 5] = [
        Part::Editor,
        Part::Timeline,
        Part::Summary,
        Part::Replay,
        Part::Code,
    ];

    /// Its word in the link.
    pub fn id(self) -> &'static str {
        match self {
            Part::Editor => "editor",
            Part::Timeline => "timeline",
            Part::Summary => "summary",
            Part::Replay => "replay",
            Part::Code => "code",
        }
    }

    /// The part a word of the link names (`program` is the editor of a program).
    pub fn from_id(id: &str) -> Option<Part> {
        match id {
            "program" => Some(Part::Editor),
            _ => Part::ALL.into_iter().find(|p| p.id() == id),
        }
    }

    fn bit(self) -> u8 {
        1 << Part::ALL.iter().position(|&p| p == self).unwrap_or(0)
    }
}

/// The parts an embed shows. Default: all of them. The link to the full playground is always
/// shown, whatever this says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parts(u8);

impl Default for Parts {
    fn default() -> Self {
        Parts::all()
    }
}

impl Parts {
    /// Every part.
    pub fn all() -> Parts {
        Parts(Part::ALL.iter().fold(0, |bits, p| bits | p.bit()))
    }

    /// No part (what `show=` starts from).
    pub fn none() -> Parts {
        Parts(0)
    }

    /// Whether `part` is shown.
    pub fn shows(self, part: Part) -> bool {
        self.0 & part.bit() != 0
    }

    /// These parts and `part`.
    pub fn with(self, part: Part) -> Parts {
        Parts(self.0 | part.bit())
    }

    /// These parts without `part`.
    pub fn without(self, part: Part) -> Parts {
        Parts(self.0 & !part.bit())
    }

    /// The value of `show=`: the parts shown, in the page's order, comma-separated; `None` when
    /// all are (the key is then not written).
    pub fn encode(self) -> Option<String> {
        (self != Parts::all()).then(|| {
            Part::ALL
                .into_iter()
                .filter(|&p| self.shows(p))
                .map(Part::id)
                .collect::<Vec<_>>()
                .join(",")
        })
    }

    /// Reads `show=`: the parts named, and the words that name none (ignored, for a note).
    /// Nothing valid named shows everything (an embed with no parts would be blank).
    pub fn decode(value: &str) -> (Parts, Vec<String>) {
        let mut parts = Parts::none();
        let mut unknown = Vec::new();
        for word in value.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            match Part::from_id(word) {
                Some(p) => parts = parts.with(p),
                None => unknown.push(word.to_string()),
            }
        }
        if parts == Parts::none() {
            parts = Parts::all();
        }
        (parts, unknown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_theme_and_start_reads_back_from_its_word() {
        for t in Theme::ALL {
            assert_eq!(Theme::from_id(t.id()), Some(t));
        }
        for r in RunOn::ALL {
            if let Some(id) = r.id() {
                assert_eq!(RunOn::from_id(id), Some(r));
            }
        }
        assert_eq!(Theme::from_id("sepia"), None);
        assert_eq!(RunOn::from_id("hover"), None);
    }

    #[test]
    fn shown_parts_round_trip_and_all_parts_write_nothing() {
        assert_eq!(Parts::all().encode(), None);
        let some = Parts::none().with(Part::Timeline).with(Part::Summary);
        assert_eq!(some.encode().as_deref(), Some("timeline,summary"));
        assert_eq!(Parts::decode("timeline,summary"), (some, vec![]));
        // Order and spaces do not matter; `program` is the editor.
        assert_eq!(
            Parts::decode(" summary , program,timeline").0,
            some.with(Part::Editor)
        );
        for p in Part::ALL {
            let only = Parts::none().with(p);
            assert_eq!(Parts::decode(&only.encode().unwrap()), (only, vec![]));
            assert!(Parts::all().without(p).shows(p).eq(&false));
        }
    }

    #[test]
    fn unknown_parts_are_reported_and_nothing_valid_shows_everything() {
        let (parts, unknown) = Parts::decode("timeline,chart,");
        assert_eq!(parts, Parts::none().with(Part::Timeline));
        assert_eq!(unknown, vec!["chart".to_string()]);
        assert_eq!(Parts::decode("nothing").0, Parts::all());
        assert_eq!(Parts::decode("").0, Parts::all());
    }
}
