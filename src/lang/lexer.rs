//! Tokens of the language, recognised by the `logos` crate, each with its byte span.
//!
//! [`tokenize`] turns a whole program into tokens or the first lexical error, with its line and
//! column (see [`line_col`](super::error::line_col)).

use std::ops::Range;

use logos::Logos;

use super::error::ParseError;

/// One token. Literals carry their value; keywords and punctuation carry nothing.
#[derive(Logos, Clone, Debug, PartialEq)]
#[logos(skip r"[ \t\r\n\f]+")]
#[logos(skip r"//[^\n]*")]
pub enum Tok {
    /// A number: `12`, `1.5`, `1e3`, `1_000`.
    #[regex(r"[0-9][0-9_]*(\.[0-9_]+)?([eE][+-]?[0-9]+)?", number)]
    #[regex(r"\.[0-9][0-9_]*([eE][+-]?[0-9]+)?", number)]
    Num(f64),
    /// A string in single or double quotes, escapes already applied.
    #[regex(r#""([^"\\\n]|\\[^\n])*""#, string)]
    #[regex(r#"'([^'\\\n]|\\[^\n])*'"#, string)]
    Str(String),
    /// A name.
    #[regex(r"[A-Za-z_$][A-Za-z0-9_$]*", |lex| lex.slice().to_string(), priority = 1)]
    Ident(String),

    /// A `/* … */` comment: skipped, never emitted.
    #[token("/*", block_comment)]
    BlockComment,

    /// `const`
    #[token("const")]
    Const,
    /// `let`
    #[token("let")]
    Let,
    /// `async`
    #[token("async")]
    Async,
    /// `function`
    #[token("function")]
    Function,
    /// `await`
    #[token("await")]
    Await,
    /// `return`
    #[token("return")]
    Return,
    /// `if`
    #[token("if")]
    If,
    /// `else`
    #[token("else")]
    Else,
    /// `for`
    #[token("for")]
    For,
    /// `of`
    #[token("of")]
    Of,
    /// `throw`
    #[token("throw")]
    Throw,
    /// `try`
    #[token("try")]
    Try,
    /// `catch`
    #[token("catch")]
    Catch,
    /// `finally`
    #[token("finally")]
    Finally,
    /// `true`
    #[token("true")]
    True,
    /// `false`
    #[token("false")]
    False,
    /// `null`
    #[token("null")]
    Null,
    /// `new`
    #[token("new")]
    New,
    /// `while`
    #[token("while")]
    While,
    /// `break`
    #[token("break")]
    Break,
    /// `continue`
    #[token("continue")]
    Continue,
    /// `+=`
    #[token("+=")]
    PlusAssign,
    /// `-=`
    #[token("-=")]
    MinusAssign,
    /// `*=`
    #[token("*=")]
    StarAssign,
    /// `/=`
    #[token("/=")]
    SlashAssign,

    /// `+`
    #[token("+")]
    Plus,
    /// `-`
    #[token("-")]
    Minus,
    /// `*`
    #[token("*")]
    Star,
    /// `/`
    #[token("/")]
    Slash,
    /// `%`
    #[token("%")]
    Percent,
    /// `==`
    #[token("==")]
    EqEq,
    /// `===`
    #[token("===")]
    EqEqEq,
    /// `!=`
    #[token("!=")]
    NotEq,
    /// `!==`
    #[token("!==")]
    NotEqEq,
    /// `<`
    #[token("<")]
    Lt,
    /// `<=`
    #[token("<=")]
    Le,
    /// `>`
    #[token(">")]
    Gt,
    /// `>=`
    #[token(">=")]
    Ge,
    /// `&&`
    #[token("&&")]
    AndAnd,
    /// `||`
    #[token("||")]
    OrOr,
    /// `!`
    #[token("!")]
    Bang,
    /// `=`
    #[token("=")]
    Assign,
    /// `=>`
    #[token("=>")]
    Arrow,
    /// `(`
    #[token("(")]
    LParen,
    /// `)`
    #[token(")")]
    RParen,
    /// `{`
    #[token("{")]
    LBrace,
    /// `}`
    #[token("}")]
    RBrace,
    /// `[`
    #[token("[")]
    LBracket,
    /// `]`
    #[token("]")]
    RBracket,
    /// `,`
    #[token(",")]
    Comma,
    /// `;`
    #[token(";")]
    Semi,
    /// `.`
    #[token(".")]
    Dot,
    /// `?`
    #[token("?")]
    Question,
    /// `:`
    #[token(":")]
    Colon,
}

/// Skips a block comment up to its `*/`; an unterminated one is an error.
fn block_comment(lex: &mut logos::Lexer<Tok>) -> logos::FilterResult<(), ()> {
    match lex.remainder().find("*/") {
        Some(end) => {
            lex.bump(end + 2);
            logos::FilterResult::Skip
        }
        None => logos::FilterResult::Error(()),
    }
}

/// The value of a number token (underscores are separators).
fn number(lex: &mut logos::Lexer<Tok>) -> Option<f64> {
    lex.slice().replace('_', "").parse().ok()
}

/// The value of a string token: quotes removed, `\n \t \r \0 \\ \' \"` applied, any other
/// escaped character kept as itself.
fn string(lex: &mut logos::Lexer<Tok>) -> String {
    let s = lex.slice();
    let inner = &s[1..s.len() - 1];
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

impl Tok {
    /// How the token reads in an error message.
    pub fn describe(&self) -> String {
        match self {
            Tok::Num(n) => format!("number {n}"),
            Tok::Str(s) => format!("string {s:?}"),
            Tok::Ident(name) => format!("name `{name}`"),
            other => format!("`{}`", other.text()),
        }
    }

    /// The source text of a keyword or punctuation token.
    fn text(&self) -> &'static str {
        match self {
            Tok::Const => "const",
            Tok::Let => "let",
            Tok::Async => "async",
            Tok::Function => "function",
            Tok::Await => "await",
            Tok::Return => "return",
            Tok::If => "if",
            Tok::Else => "else",
            Tok::For => "for",
            Tok::Of => "of",
            Tok::Throw => "throw",
            Tok::Try => "try",
            Tok::Catch => "catch",
            Tok::Finally => "finally",
            Tok::True => "true",
            Tok::False => "false",
            Tok::Null => "null",
            Tok::New => "new",
            Tok::While => "while",
            Tok::Break => "break",
            Tok::Continue => "continue",
            Tok::PlusAssign => "+=",
            Tok::MinusAssign => "-=",
            Tok::StarAssign => "*=",
            Tok::SlashAssign => "/=",
            Tok::Plus => "+",
            Tok::Minus => "-",
            Tok::Star => "*",
            Tok::Slash => "/",
            Tok::Percent => "%",
            Tok::EqEq => "==",
            Tok::EqEqEq => "===",
            Tok::NotEq => "!=",
            Tok::NotEqEq => "!==",
            Tok::Lt => "<",
            Tok::Le => "<=",
            Tok::Gt => ">",
            Tok::Ge => ">=",
            Tok::AndAnd => "&&",
            Tok::OrOr => "||",
            Tok::Bang => "!",
            Tok::Assign => "=",
            Tok::Arrow => "=>",
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::LBrace => "{",
            Tok::RBrace => "}",
            Tok::LBracket => "[",
            Tok::RBracket => "]",
            Tok::Comma => ",",
            Tok::Semi => ";",
            Tok::Dot => ".",
            Tok::Question => "?",
            Tok::Colon => ":",
            Tok::BlockComment => "/*",
            Tok::Num(_) | Tok::Str(_) | Tok::Ident(_) => "",
        }
    }
}

/// A token and the bytes of the source it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned {
    /// The token.
    pub tok: Tok,
    /// Its bytes in the source.
    pub span: Range<usize>,
}

/// Every token of `src`, or the first text that is no token (an unknown character, an
/// unterminated string or comment).
pub fn tokenize(src: &str) -> Result<Vec<Spanned>, ParseError> {
    let mut out = Vec::new();
    let mut lex = Tok::lexer(src);
    while let Some(tok) = lex.next() {
        let span = lex.span();
        match tok {
            Ok(tok) => out.push(Spanned { tok, span }),
            Err(()) => {
                let text = &src[span.clone()];
                let message = if text.starts_with('"') || text.starts_with('\'') {
                    "this string has no closing quote on its line".to_string()
                } else if text.starts_with("/*") {
                    "this comment has no closing `*/`".to_string()
                } else {
                    format!("unexpected character {text:?}")
                };
                return Err(ParseError::at(src, span, message));
            }
        }
    }
    Ok(out)
}
