//! The languages of the code panel.

/// A language of the code panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    /// C# (.NET 8 or later, top-level statements), the language of the articles.
    CSharp,
    /// JavaScript in the browser (ES2022 modules: top-level await, Web Workers).
    JavaScript,
    /// Python 3.11 or later: asyncio and concurrent.futures.
    Python,
    /// Rust with tokio, futures and rayon.
    Rust,
}

impl Lang {
    /// Every language, in the order the panel shows them.
    pub const ALL: [Lang; 4] = [Lang::CSharp, Lang::JavaScript, Lang::Python, Lang::Rust];

    /// Stable identifier (tab value, CSS class, syntax-highlighting hint).
    pub fn id(self) -> &'static str {
        match self {
            Lang::CSharp => "csharp",
            Lang::JavaScript => "javascript",
            Lang::Python => "python",
            Lang::Rust => "rust",
        }
    }

    /// The language whose [`Lang::id`] is `id`.
    pub fn from_id(id: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.id() == id)
    }

    /// How a line comment starts.
    pub fn line_comment(self) -> &'static str {
        match self {
            Lang::Python => "#",
            Lang::CSharp | Lang::JavaScript | Lang::Rust => "//",
        }
    }

    /// Human title of the tab.
    pub fn title(self) -> &'static str {
        match self {
            Lang::CSharp => "C#",
            Lang::JavaScript => "JavaScript",
            Lang::Python => "Python",
            Lang::Rust => "Rust",
        }
    }
}
