//! A small JSON reader and writer, just enough for the worker protocol ([`crate::protocol`]).
//!
//! The worker's wasm is downloaded by every page that uses workers, and serde_json was about a
//! third of it. The protocol's messages are flat objects of numbers, booleans, strings and
//! `null`, with a job nested in one (and a Mandelbrot spec in the job), so this file does the
//! job in a few hundred lines of plain Rust with no web types, tested natively.
//!
//! - [`ObjectWriter`] writes an object field by field, in the order given, in the compact form
//!   serde_json writes: no spaces, strings escaped like serde_json's (`"`, `\`, control
//!   characters; everything else as is), floats in the shortest form that names them exactly,
//!   always with a `.` or an exponent (`5.0`, `0.5`, `1e-7`).
//! - [`parse_object`] reads any JSON text whose top level is an object, so a field this side
//!   does not know is skipped rather than refused, and [`Object`]'s getters take typed fields
//!   out of it. Every mistake is an [`Err`] with a message that says what and where, never a
//!   panic: the text comes from another thread, and its bugs must not crash this one.
//!
//! Floats are read like serde_json's default reader: exactly for up to 15 significant digits
//! and exponents within ±22 (whatever people type, and the protocol's round numbers), otherwise
//! possibly a unit or two in the last place off, without the tables that exact parsing needs.

use std::fmt::Write as _;

/// Why a text is not the JSON that was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError(pub String);

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for JsonError {}

/// Writes one JSON object, field by field, in the order the fields are added.
#[derive(Clone, Debug)]
pub struct ObjectWriter {
    out: String,
}

impl Default for ObjectWriter {
    fn default() -> Self {
        ObjectWriter {
            out: String::from("{"),
        }
    }
}

impl ObjectWriter {
    /// An object with no fields yet.
    pub fn new() -> Self {
        Self::default()
    }

    fn key(&mut self, key: &str) {
        if self.out.len() > 1 {
            self.out.push(',');
        }
        write_string(&mut self.out, key);
        self.out.push(':');
    }

    /// Adds a string field, escaped.
    pub fn str(mut self, key: &str, value: &str) -> Self {
        self.key(key);
        write_string(&mut self.out, value);
        self
    }

    /// Adds a whole-number field (u32 fields go through here too).
    pub fn u64(mut self, key: &str, value: u64) -> Self {
        self.key(key);
        let _ = write!(self.out, "{value}");
        self
    }

    /// Adds a whole-number field that may be absent, written as `null` then.
    pub fn opt_u64(self, key: &str, value: Option<u64>) -> Self {
        match value {
            Some(v) => self.u64(key, v),
            None => self.null(key),
        }
    }

    /// Adds a float field in its shortest exact form (`5.0`, `0.5`). JSON has no NaN or
    /// infinity: like serde_json, they are written as `null` (which no float field reads).
    pub fn f64(mut self, key: &str, value: f64) -> Self {
        if !value.is_finite() {
            return self.null(key);
        }
        self.key(key);
        // Debug, not Display: it keeps the `.0` of whole numbers and uses an exponent for very
        // large or small ones (Display would write 1e300 as 301 digits).
        let _ = write!(self.out, "{value:?}");
        self
    }

    /// Adds a `true` or `false` field.
    pub fn bool(mut self, key: &str, value: bool) -> Self {
        self.key(key);
        self.out.push_str(if value { "true" } else { "false" });
        self
    }

    /// Adds a `null` field.
    pub fn null(mut self, key: &str) -> Self {
        self.key(key);
        self.out.push_str("null");
        self
    }

    /// Adds a nested object.
    pub fn object(mut self, key: &str, value: ObjectWriter) -> Self {
        self.key(key);
        self.out.push_str(&value.finish());
        self
    }

    /// The object's JSON text.
    pub fn finish(mut self) -> String {
        self.out.push('}');
        self.out
    }
}

/// Writes `s` as a JSON string, quoted and escaped the way serde_json does.
fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c < ' ' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A JSON value, as read by [`parse_object`].
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, kept as its text (valid JSON grammar) until a getter knows which type it is.
    Number(String),
    /// A string, its escapes decoded.
    Str(String),
    /// `[…]`.
    Array(Vec<Value>),
    /// `{…}`.
    Object(Object),
}

impl Value {
    /// What kind of value this is, for error messages ("a string").
    fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::Str(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }
}

/// A JSON object: its fields in the order they were written, each key once.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Object {
    fields: Vec<(String, Value)>,
}

impl Object {
    /// The field `key`, if present.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn field(&self, key: &str) -> Result<&Value, JsonError> {
        self.get(key)
            .ok_or_else(|| JsonError(format!("missing field `{key}`")))
    }

    /// The string field `key`.
    pub fn str(&self, key: &str) -> Result<&str, JsonError> {
        match self.field(key)? {
            Value::Str(s) => Ok(s),
            other => Err(wrong_kind(key, "a string", other)),
        }
    }

    /// The boolean field `key`.
    pub fn bool(&self, key: &str) -> Result<bool, JsonError> {
        match self.field(key)? {
            Value::Bool(b) => Ok(*b),
            other => Err(wrong_kind(key, "true or false", other)),
        }
    }

    /// The whole-number field `key`, from 0 to [`u64::MAX`].
    pub fn u64(&self, key: &str) -> Result<u64, JsonError> {
        self.whole(key, u64::MAX)
    }

    /// The whole-number field `key`, from 0 to [`u32::MAX`].
    pub fn u32(&self, key: &str) -> Result<u32, JsonError> {
        // The bound was checked: the conversion cannot fail.
        self.whole(key, u32::MAX.into())
            .map(|v| u32::try_from(v).unwrap_or(u32::MAX))
    }

    /// The field `key` as a u32, `None` when it is `null` or absent (as serde reads an
    /// `Option`).
    pub fn opt_u32(&self, key: &str) -> Result<Option<u32>, JsonError> {
        match self.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(_) => self.u32(key).map(Some),
        }
    }

    fn whole(&self, key: &str, max: u64) -> Result<u64, JsonError> {
        let text = match self.field(key)? {
            Value::Number(text) => text,
            other => return Err(wrong_kind(key, "a whole number", other)),
        };
        parse_whole(text).filter(|&v| v <= max).ok_or_else(|| {
            JsonError(format!(
                "`{key}` must be a whole number from 0 to {max}, not {}",
                shorten(text)
            ))
        })
    }

    /// The number field `key` as a float (whole numbers are floats too).
    pub fn f64(&self, key: &str) -> Result<f64, JsonError> {
        let text = match self.field(key)? {
            Value::Number(text) => text,
            other => return Err(wrong_kind(key, "a number", other)),
        };
        Some(parse_float(text))
            .filter(|v| v.is_finite())
            .ok_or_else(|| JsonError(format!("`{key}` is out of range: {}", shorten(text))))
    }

    /// The object field `key`.
    pub fn object(&self, key: &str) -> Result<&Object, JsonError> {
        match self.field(key)? {
            Value::Object(o) => Ok(o),
            other => Err(wrong_kind(key, "an object", other)),
        }
    }
}

fn wrong_kind(key: &str, expected: &str, found: &Value) -> JsonError {
    JsonError(format!("`{key}` must be {expected}, not {}", found.kind()))
}

/// A number's text for an error message, cut if long (a hostile one may have a million digits).
fn shorten(text: &str) -> String {
    const MAX: usize = 24;
    match text.get(..MAX) {
        Some(head) if text.len() > MAX => format!("{head}…"),
        _ => text.to_string(),
    }
}

/// A JSON number's value as a u64, if it is written as a whole number in range (`5`, not
/// `5.0`, `5e0` or `-5`: as serde_json, a float is not read as an integer).
fn parse_whole(text: &str) -> Option<u64> {
    if text.is_empty() {
        return None;
    }
    text.bytes().try_fold(0u64, |acc, b| {
        let digit = (b as char).to_digit(10)?;
        acc.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

/// A JSON number's value as a float. `text` follows the JSON grammar (the reader checked it).
///
/// The significant digits go into a u64 (digits past the 19th only move the exponent) and the
/// result is that integer scaled by a power of ten. When the integer is at most 2⁵³ and the power
/// at most 10²², both are exact floats and the one multiplication or division rounds correctly;
/// beyond, the integer or the power is rounded first, so the result may be a unit or two off in
/// its last place (as serde_json's default reader, which does the same with a table of powers).
/// Too large a number comes out infinite, too small a one zero.
fn parse_float(text: &str) -> f64 {
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (digits, exponent) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], &text[i + 1..]),
        None => (text, ""),
    };
    let mut mantissa = 0u64;
    // The power of ten the mantissa is to be multiplied by.
    let mut scale = 0i64;
    let mut after_point = false;
    for b in digits.bytes() {
        if b == b'.' {
            after_point = true;
            continue;
        }
        let digit = u64::from(b.wrapping_sub(b'0'));
        if mantissa < 1_000_000_000_000_000_000 {
            mantissa = mantissa * 10 + digit;
            scale -= i64::from(after_point);
        } else {
            // Past the 19th significant digit: dropped, it only moves the point.
            scale += i64::from(!after_point);
        }
    }
    // The exponent saturates: a million digits of it mean "huge" as much as 400 does.
    let (exp_negative, exp_digits) = match exponent.as_bytes().first() {
        Some(b'-') => (true, &exponent[1..]),
        Some(b'+') => (false, &exponent[1..]),
        _ => (false, exponent),
    };
    let exp = exp_digits.bytes().fold(0i64, |acc, b| {
        (acc * 10 + i64::from(b.wrapping_sub(b'0'))).min(100_000)
    });
    scale += if exp_negative { -exp } else { exp };

    let mut value = mantissa as f64;
    if mantissa != 0 {
        if scale > 308 {
            // At least 10³⁰⁹.
            value = f64::INFINITY;
        } else if scale >= 0 {
            value *= power_of_ten(scale as usize);
        } else {
            let mut down = scale.unsigned_abs().min(400) as usize;
            if down > 308 {
                // Below 10⁻³⁰⁸ (where floats lose precision anyway): in two steps, as 10³⁰⁹ and
                // beyond are infinite.
                value /= 1e308;
                down -= 308;
            }
            value /= power_of_ten(down);
        }
    }
    if negative {
        -value
    } else {
        value
    }
}

/// 10^`k` for `k` up to 308, from two small tables rather than one of 309 entries: exact up to
/// 10²² (the product of two exact powers whose result a float holds exactly), and within a unit
/// in the last place or so beyond.
fn power_of_ten(k: usize) -> f64 {
    const ONES: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    const SIXTEENS: [f64; 20] = [
        1e0, 1e16, 1e32, 1e48, 1e64, 1e80, 1e96, 1e112, 1e128, 1e144, 1e160, 1e176, 1e192, 1e208,
        1e224, 1e240, 1e256, 1e272, 1e288, 1e304,
    ];
    SIXTEENS.get(k / 16).copied().unwrap_or(f64::INFINITY) * ONES[k % 16]
}

/// Most objects and arrays nested in one another: the protocol needs three; a deeper text is
/// refused rather than allowed to exhaust the stack.
const MAX_DEPTH: usize = 16;

/// Reads a JSON text whose top level is an object. Whitespace between tokens is allowed;
/// anything after the object is not.
pub fn parse_object(text: &str) -> Result<Object, JsonError> {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        depth: 0,
    };
    reader.skip_whitespace();
    if reader.peek() != Some(b'{') {
        return Err(reader.expected("a JSON object"));
    }
    let object = reader.object()?;
    reader.skip_whitespace();
    if reader.pos < reader.bytes.len() {
        return Err(reader.expected("the end of the text"));
    }
    Ok(object)
}

/// A cursor over the text being read.
struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    /// Byte offset of the next byte to read.
    pos: usize,
    /// Objects and arrays open around the cursor.
    depth: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// An error saying what was expected where the cursor is, and what is there instead.
    fn expected(&self, what: &str) -> JsonError {
        match self
            .text
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
        {
            None => JsonError(format!("the text ends too soon: expected {what}")),
            Some(c) => JsonError(format!("expected {what} at byte {}, found {c:?}", self.pos)),
        }
    }

    /// Reads `literal` (`true`, `false`, `null`) if the text goes on with it.
    fn literal(&mut self, literal: &str) -> bool {
        let found = self
            .bytes
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with(literal.as_bytes()));
        if found {
            self.pos += literal.len();
        }
        found
    }

    fn value(&mut self) -> Result<Value, JsonError> {
        match self.peek() {
            Some(b'{') => self.object().map(Value::Object),
            Some(b'[') => self.array().map(Value::Array),
            Some(b'"') => self.string().map(Value::Str),
            Some(b'-' | b'0'..=b'9') => self.number().map(Value::Number),
            _ if self.literal("true") => Ok(Value::Bool(true)),
            _ if self.literal("false") => Ok(Value::Bool(false)),
            _ if self.literal("null") => Ok(Value::Null),
            _ => Err(self.expected("a value")),
        }
    }

    /// Enters an object or array, at its opening bracket.
    fn open(&mut self) -> Result<(), JsonError> {
        if self.depth == MAX_DEPTH {
            return Err(JsonError(format!(
                "more than {MAX_DEPTH} objects and arrays nested at byte {}",
                self.pos
            )));
        }
        self.depth += 1;
        self.pos += 1;
        self.skip_whitespace();
        Ok(())
    }

    /// After an element: true if another follows (a comma was read), false at the closing
    /// bracket `close` (read too).
    fn next_element(&mut self, close: u8, what: &str) -> Result<bool, JsonError> {
        self.skip_whitespace();
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                self.skip_whitespace();
                Ok(true)
            }
            Some(b) if b == close => {
                self.pos += 1;
                self.depth -= 1;
                Ok(false)
            }
            _ => Err(self.expected(what)),
        }
    }

    fn object(&mut self) -> Result<Object, JsonError> {
        self.open()?;
        let mut object = Object::default();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(object);
        }
        loop {
            if self.peek() != Some(b'"') {
                return Err(self.expected("a key in quotes"));
            }
            let at = self.pos;
            let key = self.string()?;
            self.skip_whitespace();
            if self.peek() != Some(b':') {
                return Err(self.expected("':'"));
            }
            self.pos += 1;
            self.skip_whitespace();
            let value = self.value()?;
            // Which of two values would count is a guess; refuse to make it.
            if object.get(&key).is_some() {
                return Err(JsonError(format!("duplicate key {key:?} at byte {at}")));
            }
            object.fields.push((key, value));
            if !self.next_element(b'}', "',' or '}'")? {
                return Ok(object);
            }
        }
    }

    fn array(&mut self) -> Result<Vec<Value>, JsonError> {
        self.open()?;
        let mut items = Vec::new();
        if self.peek() == Some(b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(items);
        }
        loop {
            items.push(self.value()?);
            if !self.next_element(b']', "',' or ']'")? {
                return Ok(items);
            }
        }
    }

    /// Reads a number's text, checked against JSON's grammar:
    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    fn number(&mut self) -> Result<String, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.expected("a digit")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
                return Err(self.expected("a digit after the decimal point"));
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
                return Err(self.expected("a digit in the exponent"));
            }
            self.digits();
        }
        // Every byte read is ASCII, so both ends are on character boundaries.
        Ok(self
            .text
            .get(start..self.pos)
            .unwrap_or_default()
            .to_string())
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
    }

    /// Reads a string at its opening quote, with its escapes decoded.
    fn string(&mut self) -> Result<String, JsonError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let start = self.pos;
            while self
                .peek()
                .is_some_and(|b| b != b'"' && b != b'\\' && b >= 0x20)
            {
                self.pos += 1;
            }
            // The run stops at an ASCII byte or the end: both are character boundaries.
            out.push_str(self.text.get(start..self.pos).unwrap_or_default());
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    out.push(self.escape()?);
                }
                Some(_) => {
                    return Err(JsonError(format!(
                        "a control character must be escaped in a string, at byte {}",
                        self.pos
                    )))
                }
                None => return Err(self.expected("'\"' to end the string")),
            }
        }
    }

    /// Reads an escape after its backslash.
    fn escape(&mut self) -> Result<char, JsonError> {
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                return self.unicode_escape();
            }
            _ => return Err(self.expected("an escape (one of \"\\/bfnrtu)")),
        };
        self.pos += 1;
        Ok(c)
    }

    /// Reads the four hex digits after `\u`, and the low half that must follow a high
    /// surrogate.
    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        // Where the escape's backslash is.
        let at = self.pos.saturating_sub(2);
        let high = self.hex4()?;
        let code = match high {
            0xD800..=0xDBFF => {
                if !self.literal("\\u") {
                    return Err(lone_surrogate(at));
                }
                match self.hex4()? {
                    low @ 0xDC00..=0xDFFF => 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00),
                    _ => return Err(lone_surrogate(at)),
                }
            }
            0xDC00..=0xDFFF => return Err(lone_surrogate(at)),
            code => code,
        };
        char::from_u32(code).ok_or_else(|| lone_surrogate(at))
    }

    /// Reads four hex digits.
    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = self
                .peek()
                .and_then(|b| (b as char).to_digit(16))
                .ok_or_else(|| self.expected("a hex digit"))?;
            code = code * 16 + digit;
            self.pos += 1;
        }
        Ok(code)
    }
}

fn lone_surrogate(at: usize) -> JsonError {
    JsonError(format!(
        "the \\u escape at byte {at} is half of a UTF-16 pair without its other half"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Object {
        parse_object(text).unwrap_or_else(|e| panic!("{text} should parse: {e}"))
    }

    fn error(text: &str) -> String {
        match parse_object(text) {
            Ok(o) => panic!("{text:?} should be refused, read as {o:?}"),
            Err(e) => e.0,
        }
    }

    #[test]
    fn the_writer_writes_compact_json_in_field_order() {
        let inner = ObjectWriter::new().u64("w", 3);
        let text = ObjectWriter::new()
            .str("type", "T")
            .u64("n", u64::MAX)
            .f64("x", 5.0)
            .f64("y", 0.25)
            .bool("yes", true)
            .bool("no", false)
            .opt_u64("some", Some(0))
            .opt_u64("none", None)
            .object("inner", inner)
            .object("empty", ObjectWriter::new())
            .finish();
        assert_eq!(
            text,
            r#"{"type":"T","n":18446744073709551615,"x":5.0,"y":0.25,"yes":true,"no":false,"some":0,"none":null,"inner":{"w":3},"empty":{}}"#
        );
    }

    #[test]
    fn floats_are_written_short_and_json_has_no_nan() {
        let f = |v: f64| ObjectWriter::new().f64("v", v).finish();
        assert_eq!(f(1e300), r#"{"v":1e300}"#, "an exponent, not 301 digits");
        assert_eq!(f(1e-7), r#"{"v":1e-7}"#);
        assert_eq!(f(-0.0), r#"{"v":-0.0}"#);
        assert_eq!(f(f64::NAN), r#"{"v":null}"#, "as serde_json writes it");
        assert_eq!(f(f64::INFINITY), r#"{"v":null}"#);
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let text = ObjectWriter::new()
            .str("s", "a\"b\\c\nd\re\tf\u{8}g\u{c}h\u{1}i\u{1f}/é€😀\u{7f}")
            .finish();
        assert_eq!(
            text,
            r#"{"s":"a\"b\\c\nd\re\tf\bg\fh\u0001i\u001f/é€😀"#.to_string() + "\u{7f}\"}",
            "quotes, backslashes and control characters escaped; the rest as is"
        );
        assert_eq!(
            read(&text).str("s"),
            Ok("a\"b\\c\nd\re\tf\u{8}g\u{c}h\u{1}i\u{1f}/é€😀\u{7f}"),
            "and read back unchanged"
        );
    }

    #[test]
    fn every_escape_reads_back_including_surrogate_pairs() {
        let o = read(r#"{"s":"\"\\\/\b\f\n\r\t\u0041\u00e9\u20AC\ud83d\ude00"}"#);
        assert_eq!(o.str("s"), Ok("\"\\/\u{8}\u{c}\n\r\tAé€😀"));
    }

    #[test]
    fn broken_escapes_are_refused() {
        for (text, why) in [
            (r#"{"s":"\x"}"#, "an unknown escape"),
            (r#"{"s":"\u12"}"#, "a short \\u escape"),
            (r#"{"s":"\u12g4"}"#, "a \\u escape that is not hex"),
            (r#"{"s":"\ud83d"}"#, "a high surrogate alone"),
            (r#"{"s":"\ud83dx"}"#, "a high surrogate followed by text"),
            (
                r#"{"s":"\ud83d\u0041"}"#,
                "a high surrogate followed by no low one",
            ),
            (r#"{"s":"\ude00"}"#, "a low surrogate alone"),
            (r#"{"s":"\"#, "a backslash at the end"),
            ("{\"s\":\"a\u{1}b\"}", "a raw control character"),
            ("{\"s\":\"a\nb\"}", "a raw newline"),
        ] {
            assert!(parse_object(text).is_err(), "{why}: {text}");
        }
        assert!(
            error(r#"{"s":"\ud83d"}"#).contains("byte 6"),
            "the message says where"
        );
    }

    #[test]
    fn any_json_is_read_so_unknown_fields_can_be_skipped() {
        let o = read(
            " {\"a\" : [1, -2.5e+3, \"x\", [], {}, null, true] ,\n\t\"b\":{\"c\":{}}, \"n\":0}\r\n",
        );
        assert_eq!(o.u32("n"), Ok(0));
        assert_eq!(
            o.get("a"),
            Some(&Value::Array(vec![
                Value::Number("1".into()),
                Value::Number("-2.5e+3".into()),
                Value::Str("x".into()),
                Value::Array(vec![]),
                Value::Object(Object::default()),
                Value::Null,
                Value::Bool(true),
            ]))
        );
        assert_eq!(
            o.object("b").and_then(|b| b.object("c")),
            Ok(&Object::default())
        );
    }

    #[test]
    fn malformed_text_is_refused_with_where_it_went_wrong() {
        for text in [
            "",
            "   ",
            "not json",
            "[1]",
            "\"just a string\"",
            "{",
            "{\"a\"",
            "{\"a\":",
            "{\"a\":1",
            "{\"a\":1,",
            "{\"a\":1,}",
            "{,}",
            "{a:1}",
            "{\"a\" 1}",
            "{\"a\":1}}",
            "{\"a\":1} x",
            "{\"a\":[1,]}",
            "{\"a\":[1 2]}",
            "{\"a\":tru}",
            "{\"a\":nul}",
            "{\"a\":01}",
            "{\"a\":-}",
            "{\"a\":1.}",
            "{\"a\":.5}",
            "{\"a\":1e}",
            "{\"a\":1e+}",
            "{\"a\":+1}",
            "{\"a\":NaN}",
            "{\"a\":\"open",
            "{\"a\":1,\"a\":2}",
        ] {
            let e = error(text);
            assert!(!e.is_empty(), "{text:?} needs a message");
        }
        assert_eq!(
            error("{\"a\" 1}"),
            "expected ':' at byte 5, found '1'",
            "the message says what, where and what was found"
        );
        assert_eq!(
            error("{\"a\":1"),
            "the text ends too soon: expected ',' or '}'"
        );
        assert_eq!(error("{\"a\":1,\"a\":2}"), "duplicate key \"a\" at byte 7");
        // The found character is whole even when it is not ASCII.
        assert_eq!(error("{\"a\":é}"), "expected a value at byte 5, found 'é'");
    }

    #[test]
    fn deep_nesting_is_refused_rather_than_overflowing_the_stack() {
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(error(&deep).contains("nested"), "{}", error(&deep));
        let fine = format!("{{\"a\":{}1{}}}", "[".repeat(15), "]".repeat(15));
        assert!(parse_object(&fine).is_ok(), "16 levels are allowed");
    }

    #[test]
    fn typed_getters_say_which_field_is_wrong_and_why() {
        fn err<T: std::fmt::Debug>(r: Result<T, JsonError>) -> String {
            r.unwrap_err().0
        }
        let o = read(
            r#"{"s":"x","n":5,"f":5.0,"neg":-1,"big":4294967296,"huge":18446744073709551616,"e":1e2,"b":true,"z":null}"#,
        );
        assert_eq!(o.u32("n"), Ok(5));
        assert_eq!(o.u64("big"), Ok(4_294_967_296));
        assert_eq!(o.f64("n"), Ok(5.0), "a whole number is a float too");
        assert_eq!(o.f64("e"), Ok(100.0));
        assert_eq!(o.bool("b"), Ok(true));
        assert_eq!(o.opt_u32("z"), Ok(None), "null is None");
        assert_eq!(
            o.opt_u32("absent"),
            Ok(None),
            "absent is None, as serde reads it"
        );
        assert_eq!(o.opt_u32("n"), Ok(Some(5)));
        assert_eq!(err(o.u32("absent")), "missing field `absent`");
        assert_eq!(err(o.u32("s")), "`s` must be a whole number, not a string");
        assert_eq!(
            err(o.u32("f")),
            "`f` must be a whole number from 0 to 4294967295, not 5.0",
            "as serde_json, a float is not an integer"
        );
        assert_eq!(
            err(o.u32("neg")),
            "`neg` must be a whole number from 0 to 4294967295, not -1"
        );
        assert_eq!(
            err(o.u32("big")),
            "`big` must be a whole number from 0 to 4294967295, not 4294967296"
        );
        assert_eq!(
            err(o.u64("huge")),
            "`huge` must be a whole number from 0 to 18446744073709551615, not 18446744073709551616"
        );
        assert_eq!(err(o.str("n")), "`n` must be a string, not a number");
        assert_eq!(err(o.bool("z")), "`z` must be true or false, not null");
        assert_eq!(err(o.f64("z")), "`z` must be a number, not null");
        assert_eq!(err(o.object("s")), "`s` must be an object, not a string");
        assert_eq!(
            err(o.opt_u32("s")),
            "`s` must be a whole number, not a string"
        );
    }

    #[test]
    fn huge_numbers_are_errors_and_long_ones_are_cut_in_messages() {
        let long = "9".repeat(1000);
        let o = read(&format!(
            r#"{{"long":{long},"inf":1e400,"tiny":1e-400,"negexp":1e-99999999999999999999}}"#
        ));
        let e = o.u64("long").unwrap_err().0;
        assert!(e.ends_with("not 999999999999999999999999…"), "{e}");
        assert_eq!(o.f64("inf").unwrap_err().0, "`inf` is out of range: 1e400");
        assert!(o.f64("long").is_err(), "1000 digits are beyond any float");
        assert_eq!(o.f64("tiny"), Ok(0.0), "too small is zero");
        assert_eq!(o.f64("negexp"), Ok(0.0), "a huge exponent saturates");
    }

    /// How many units in the last place `back` is from `v`.
    fn ulps(v: f64, back: f64) -> u64 {
        (back.to_bits() as i64 - v.to_bits() as i64).unsigned_abs()
    }

    /// `v` written as a field and read back.
    fn write_and_read(v: f64) -> f64 {
        let text = ObjectWriter::new().f64("v", v).finish();
        read(&text)
            .f64("v")
            .unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn floats_read_back_within_a_unit_in_the_last_place() {
        for v in [
            0.0,
            -0.0,
            0.5,
            5.0,
            250.5,
            8000.0,
            10_000.0,
            0.1,
            0.3,
            1.0 / 3.0,
            123.456,
            1e-7,
            1e21,
            1e22,
            1e23,
            1.5e-300,
            1e300,
            5e-324,
            1e-310,
            f64::MAX,
            -f64::MAX,
            f64::MIN_POSITIVE,
        ] {
            let back = write_and_read(v);
            assert!(ulps(v, back) <= 1, "{v:?} read back as {back:?}");
        }
    }

    #[test]
    fn floats_read_back_as_serde_json_read_them() {
        // Durations as `performance.now()` differences come out, with up to 17 significant
        // digits: some come back a unit in the last place off, far below the clock's
        // resolution, exactly as with serde_json's default reader, which the protocol used.
        for i in 0..100_000 {
            let v = f64::from(i) * 0.1 + 0.123_456_789;
            let text = ObjectWriter::new().f64("v", v).finish();
            let back = read(&text).f64("v").unwrap();
            let serde: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(Some(back), serde["v"].as_f64(), "{text}");
        }
    }

    #[test]
    fn floats_people_type_read_exactly() {
        // Up to 15 significant digits, exponents within ±22.
        for (text, v) in [
            ("5", 5.0),
            ("250.5", 250.5),
            ("0.1", 0.1),
            ("-12.75", -12.75),
            ("123456789012345", 123_456_789_012_345.0),
            ("0.000001", 1e-6),
            ("1E3", 1000.0),
            ("25e-1", 2.5),
        ] {
            let o = read(&format!(r#"{{"v":{text}}}"#));
            assert_eq!(o.f64("v"), Ok(v), "{text}");
        }
    }
}
