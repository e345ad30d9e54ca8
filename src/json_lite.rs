//! A small JSON reader and writer: the worker protocol ([`crate::cpu::protocol`]), the run history
//! kept in `localStorage` ([`crate::trace::history`]) and the trace export ([`crate::trace::export`]).
//!
//! serde_json was about a third of the worker's wasm and, with serde's runtime code, about
//! 20 KB gzip of the page's, for documents of a few known shapes made of objects, arrays,
//! numbers, booleans, strings and `null`. So this file does the job in plain Rust with no web
//! types, tested natively against serde_json.
//!
//! - [`Writer`] writes any document value by value, compact or pretty-printed, byte for byte
//!   as serde_json wrote it: the history stored and the traces exported by earlier versions of
//!   the page are the same text. Strings are escaped like serde_json's (`"`, `\`, control
//!   characters; everything else as is), floats written in the shortest form that names them
//!   exactly, laid out as serde_json lays them out (`5.0`, `0.00001`, `1e-7`, `1e+16`).
//!   The worker protocol writes its messages with it too, compact, its floats in Rust's `{:?}`
//!   layout ([`Writer::f64_debug`]).
//! - [`parse_object`] reads any JSON text whose top level is an object, so a field this side
//!   does not know is skipped rather than refused, and [`Object`]'s getters take typed fields
//!   out of it. Every mistake is an [`Err`] with a message that says what and where, never a
//!   panic: the text comes from another thread or from storage, and its bugs must not crash
//!   the page.
//!
//! Floats are read like serde_json's default reader: exactly for up to 15 significant digits
//! and exponents within ±22 (whatever people type, and the protocol's round numbers), otherwise
//! possibly a unit or two in the last place off, without the tables that exact parsing needs
//! (Rust's own float parser is about 15 KB gzip of wasm).

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

/// Writes one JSON document of any shape, value by value, compact or pretty-printed.
///
/// Objects and arrays are opened and closed around their contents, and in an object each value
/// follows its [`Writer::key`]. [`Writer::compact`] writes what serde_json's `to_string` writes
/// (no spaces); [`Writer::pretty`] what its `to_string_pretty` writes: each key or element on a
/// line of its own, indented two spaces per level, `": "` after a key, and `{}` or `[]` when
/// empty. Strings and floats are written as serde_json writes them, so a document written here
/// is the one serde's derives would have written for the same fields in the same order.
///
/// It streams into one string: a trace of 10,000 spans is written without building a tree
/// first. Calls that do not nest (a value in an object without its key, a close without an
/// open) give text that is not JSON, never a panic; each caller's tests check its output.
#[derive(Clone, Debug)]
pub struct Writer {
    out: String,
    pretty: bool,
    /// Objects and arrays open around the next value.
    depth: usize,
    /// Nothing written yet in the innermost open object or array: the next key or element
    /// needs no comma before it, and its closing bracket no line of its own.
    empty: bool,
    /// A key was just written: the next value is its value, not a new element.
    after_key: bool,
}

impl Writer {
    /// A writer of compact JSON, like serde_json's `to_string`.
    pub fn compact() -> Self {
        Self::new(false)
    }

    /// A writer of JSON indented for people, like serde_json's `to_string_pretty`.
    pub fn pretty() -> Self {
        Self::new(true)
    }

    fn new(pretty: bool) -> Self {
        Writer {
            out: String::new(),
            pretty,
            depth: 0,
            empty: true,
            after_key: false,
        }
    }

    /// Before a key or an array element: a comma after the previous one, then (pretty) a new
    /// line indented to the depth.
    fn next_item(&mut self) {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        self.new_line();
    }

    fn new_line(&mut self) {
        if self.pretty {
            self.out.push('\n');
            for _ in 0..self.depth {
                self.out.push_str("  ");
            }
        }
    }

    /// Before any value: nothing after its key (or at the top level), else it is the next
    /// element of the array open around it.
    fn before_value(&mut self) {
        if self.after_key {
            self.after_key = false;
        } else if self.depth > 0 {
            self.next_item();
        }
    }

    /// Writes the key of the next value, in an open object.
    pub fn key(&mut self, key: &str) -> &mut Self {
        self.next_item();
        write_string(&mut self.out, key);
        self.out.push_str(if self.pretty { ": " } else { ":" });
        self.after_key = true;
        self
    }

    fn open(&mut self, bracket: char) -> &mut Self {
        self.before_value();
        self.out.push(bracket);
        self.depth += 1;
        self.empty = true;
        self
    }

    fn close(&mut self, bracket: char) -> &mut Self {
        self.depth = self.depth.saturating_sub(1);
        if !self.empty {
            self.new_line();
        }
        self.out.push(bracket);
        // The object or array just closed is an element of the one around it.
        self.empty = false;
        self
    }

    /// Opens an object: keys and their values follow, then [`Writer::end_object`].
    pub fn begin_object(&mut self) -> &mut Self {
        self.open('{')
    }

    /// Closes the innermost open object.
    pub fn end_object(&mut self) -> &mut Self {
        self.close('}')
    }

    /// Opens an array: its elements follow, then [`Writer::end_array`].
    pub fn begin_array(&mut self) -> &mut Self {
        self.open('[')
    }

    /// Closes the innermost open array.
    pub fn end_array(&mut self) -> &mut Self {
        self.close(']')
    }

    /// A string, escaped.
    pub fn str(&mut self, value: &str) -> &mut Self {
        self.before_value();
        write_string(&mut self.out, value);
        self
    }

    /// A string, or `null` for `None` (as serde writes an `Option`).
    pub fn opt_str(&mut self, value: Option<&str>) -> &mut Self {
        match value {
            Some(v) => self.str(v),
            None => self.null(),
        }
    }

    /// A whole number (u32 values go through here too).
    pub fn u64(&mut self, value: u64) -> &mut Self {
        self.before_value();
        let _ = write!(self.out, "{value}");
        self
    }

    /// A whole number, or `null` for `None`.
    pub fn opt_u64(&mut self, value: Option<u64>) -> &mut Self {
        match value {
            Some(v) => self.u64(v),
            None => self.null(),
        }
    }

    /// A float as serde_json writes it (see [`write_f64`]): NaN and infinities are `null`.
    pub fn f64(&mut self, value: f64) -> &mut Self {
        self.before_value();
        write_f64(&mut self.out, value);
        self
    }

    /// A float in Rust's `{:?}` layout, the worker protocol's: the shortest form that names it
    /// exactly, keeping the `.0` of whole numbers and using an exponent for very large or small
    /// ones (`5.0`, `0.5`, `1e-7`, `1e300`). NaN and infinities are `null`, as with
    /// [`Writer::f64`].
    ///
    /// The layout differs from serde_json's ([`Writer::f64`]) below 1e-4 and from 1e16 (`1e-5`
    /// for `0.00001`, `1e16` for `1e+16`: the same numbers). Only this build's reader reads the
    /// protocol, and the worker, which formats no other float, would grow by 1.4 KB gzip with
    /// serde_json's layout (Rust's `{:e}` brings its exact-precision code along).
    pub fn f64_debug(&mut self, value: f64) -> &mut Self {
        if !value.is_finite() {
            return self.null();
        }
        self.before_value();
        let _ = write!(self.out, "{value:?}");
        self
    }

    /// A float, or `null` for `None`.
    pub fn opt_f64(&mut self, value: Option<f64>) -> &mut Self {
        match value {
            Some(v) => self.f64(v),
            None => self.null(),
        }
    }

    /// `true` or `false`.
    pub fn bool(&mut self, value: bool) -> &mut Self {
        self.before_value();
        self.out.push_str(if value { "true" } else { "false" });
        self
    }

    /// `null`.
    pub fn null(&mut self) -> &mut Self {
        self.before_value();
        self.out.push_str("null");
        self
    }

    /// The JSON text written.
    pub fn finish(self) -> String {
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

/// Writes `v` as serde_json (1.0.154, which formats floats with the zmij crate) writes it: the
/// shortest digits that read back exactly; from 1e-5 up to below 1e16 as a plain decimal that
/// always has a point (`5.0`, `0.00015`, `1234567890123456.0`), else with an exponent, signed
/// (`1e+16`, `1.5e-7`). Not finite: `null`, as serde_json writes it (JSON has no NaN).
///
/// The digits come from Rust's `{:e}`, which also picks the shortest digits that read back
/// exactly, and the nearest such when there are several; only the layout is done here, and
/// one tie (see [`halfway_digits`]). The tests check it against serde_json on a million floats.
fn write_f64(out: &mut String, v: f64) {
    if !v.is_finite() {
        out.push_str("null");
        return;
    }
    // "-1.2345e-7": a sign, one digit, maybe a point and more digits, and the exponent of the
    // first digit.
    let sci = format!("{v:e}");
    let (mantissa, exp_text) = sci.split_once('e').unwrap_or((&sci, "0"));
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let (mut first, mut rest) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    // Halfway between two shortest forms: Rust rounds the last digit up, zmij to even.
    let even;
    if let Some(exact) = halfway_digits(v, 1 + rest.len()) {
        even = (exact / 10).to_string();
        (first, rest) = even.split_at_checked(1).unwrap_or((&even, ""));
    }
    let (exp_negative, exp_digits) = match exp_text.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, exp_text),
    };
    let exp_abs = exp_digits.bytes().fold(0usize, |acc, b| {
        acc * 10 + usize::from(b.wrapping_sub(b'0'))
    });
    out.push_str(sign);
    match (exp_negative, exp_abs) {
        (false, 0..=15) => {
            // `exp_abs` digits after the first one go before the point.
            out.push_str(first);
            match rest.split_at_checked(exp_abs) {
                Some((whole, fraction)) if !fraction.is_empty() => {
                    out.push_str(whole);
                    out.push('.');
                    out.push_str(fraction);
                }
                _ => {
                    out.push_str(rest);
                    for _ in rest.len()..exp_abs {
                        out.push('0');
                    }
                    out.push_str(".0");
                }
            }
        }
        (true, 1..=5) => {
            out.push_str("0.");
            for _ in 1..exp_abs {
                out.push('0');
            }
            out.push_str(first);
            out.push_str(rest);
        }
        _ => {
            out.push_str(first);
            if !rest.is_empty() {
                out.push('.');
                out.push_str(rest);
            }
            out.push_str(if exp_negative { "e-" } else { "e+" });
            out.push_str(exp_digits);
        }
    }
}

/// `|v|`'s exact decimal digits when they are one more than `shortest` (how many digits its
/// shortest form has) and end in 25: then `v` lies exactly halfway between two shortest forms,
/// `…2` and `…3`, and serde_json (zmij) writes the even one, `…2`, where Rust's formatter writes
/// `…3` (both read back as `v`). Rare (`1000 + 2⁻¹⁴`, `662936471232937.25`), but it is what
/// keeps the output byte for byte serde_json's. (A tie at `…75` is written `…8` by both.)
///
/// `|v|` is `m·2^e` with `m` odd. A whole number (`e ≥ 0`) is written with all its digits, no
/// tie; otherwise `|v| = m·5^-e / 10^-e`, whose digits are the integer `m·5^-e`, which fits a
/// u64 whenever it has the 18 digits or fewer that can matter (one more than the longest
/// shortest form).
fn halfway_digits(v: f64, shortest: usize) -> Option<u64> {
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    let (m, e) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | 1 << 52, biased - 1075)
    };
    // Powers of two (the gap below them is half the gap above) take a path of their own in
    // zmij, which rounds the one tie in 16 digits (2⁻²⁴) up as Rust does; the tie in 17 (2⁻²⁵)
    // still goes to even.
    if m == 0 || (fraction == 0 && shortest < 17) {
        return None;
    }
    let zeros = m.trailing_zeros();
    let (m, e) = (m >> zeros, e + zeros as i32);
    if e >= 0 {
        return None;
    }
    // Too large for a u64: 20 digits or more, not one more than a shortest form.
    let exact = 5u64.checked_pow(e.unsigned_abs())?.checked_mul(m)?;
    // `ilog10` is the digit count less one (and `exact` is at least 5).
    let halfway = exact % 100 == 25 && exact.ilog10() as usize == shortest;
    halfway.then_some(exact)
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

    // The typed getters below take the value out, or say what is wrong with it; `what` names
    // the value in the message (an object's getters pass the field's key).

    /// This value as a string.
    pub fn str(&self, what: &str) -> Result<&str, JsonError> {
        match self {
            Value::Str(s) => Ok(s),
            other => Err(wrong_kind(what, "a string", other)),
        }
    }

    /// This value as a boolean.
    pub fn bool(&self, what: &str) -> Result<bool, JsonError> {
        match self {
            Value::Bool(b) => Ok(*b),
            other => Err(wrong_kind(what, "true or false", other)),
        }
    }

    /// This value as a whole number from 0 to [`u64::MAX`].
    pub fn u64(&self, what: &str) -> Result<u64, JsonError> {
        self.whole(what, u64::MAX)
    }

    /// This value as a whole number from 0 to [`u32::MAX`].
    pub fn u32(&self, what: &str) -> Result<u32, JsonError> {
        // The bound was checked: the conversion cannot fail.
        self.whole(what, u32::MAX.into())
            .map(|v| u32::try_from(v).unwrap_or(u32::MAX))
    }

    fn whole(&self, what: &str, max: u64) -> Result<u64, JsonError> {
        let text = match self {
            Value::Number(text) => text,
            other => return Err(wrong_kind(what, "a whole number", other)),
        };
        parse_whole(text).filter(|&v| v <= max).ok_or_else(|| {
            JsonError(format!(
                "`{what}` must be a whole number from 0 to {max}, not {}",
                shorten(text)
            ))
        })
    }

    /// This value as a float (whole numbers are floats too).
    pub fn f64(&self, what: &str) -> Result<f64, JsonError> {
        let text = match self {
            Value::Number(text) => text,
            other => return Err(wrong_kind(what, "a number", other)),
        };
        Some(parse_float(text))
            .filter(|v| v.is_finite())
            .ok_or_else(|| JsonError(format!("`{what}` is out of range: {}", shorten(text))))
    }

    /// This value as the float [`Writer::f64`] wrote, exactly: `null`, which it writes for NaN
    /// and the infinities, reads as NaN. (See [`parse_float_exactly`]; [`Value::f64`] may be a
    /// unit in the last place off.)
    pub fn exact_f64(&self, what: &str) -> Result<f64, JsonError> {
        match self {
            Value::Null => Ok(f64::NAN),
            Value::Number(text) => Ok(parse_float_exactly(text)),
            other => Err(wrong_kind(what, "a number", other)),
        }
    }

    /// This value as an array, its elements as read.
    pub fn array(&self, what: &str) -> Result<&[Value], JsonError> {
        match self {
            Value::Array(items) => Ok(items),
            other => Err(wrong_kind(what, "an array", other)),
        }
    }

    /// This value as an object.
    pub fn object(&self, what: &str) -> Result<&Object, JsonError> {
        match self {
            Value::Object(o) => Ok(o),
            other => Err(wrong_kind(what, "an object", other)),
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

    /// The field `key`; missing, it is an error.
    pub fn field(&self, key: &str) -> Result<&Value, JsonError> {
        self.get(key)
            .ok_or_else(|| JsonError(format!("missing field `{key}`")))
    }

    /// The field `key` read by `read` (one of [`Value`]'s getters), `None` when it is `null`
    /// or absent (as serde reads an `Option`).
    pub fn opt<'a, T>(
        &'a self,
        key: &str,
        read: impl FnOnce(&'a Value, &str) -> Result<T, JsonError>,
    ) -> Result<Option<T>, JsonError> {
        match self.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => read(v, key).map(Some),
        }
    }

    /// The string field `key`.
    pub fn str(&self, key: &str) -> Result<&str, JsonError> {
        self.field(key)?.str(key)
    }

    /// The boolean field `key`.
    pub fn bool(&self, key: &str) -> Result<bool, JsonError> {
        self.field(key)?.bool(key)
    }

    /// The whole-number field `key`, from 0 to [`u64::MAX`].
    pub fn u64(&self, key: &str) -> Result<u64, JsonError> {
        self.field(key)?.u64(key)
    }

    /// The whole-number field `key`, from 0 to [`u32::MAX`].
    pub fn u32(&self, key: &str) -> Result<u32, JsonError> {
        self.field(key)?.u32(key)
    }

    /// The field `key` as a u32, `None` when it is `null` or absent.
    pub fn opt_u32(&self, key: &str) -> Result<Option<u32>, JsonError> {
        self.opt(key, Value::u32)
    }

    /// The number field `key` as a float (whole numbers are floats too).
    pub fn f64(&self, key: &str) -> Result<f64, JsonError> {
        self.field(key)?.f64(key)
    }

    /// The number field `key` as a float, `None` when it is `null` or absent.
    pub fn opt_f64(&self, key: &str) -> Result<Option<f64>, JsonError> {
        self.opt(key, Value::f64)
    }

    /// The array field `key`, its elements as read.
    pub fn array(&self, key: &str) -> Result<&[Value], JsonError> {
        self.field(key)?.array(key)
    }

    /// The object field `key`.
    pub fn object(&self, key: &str) -> Result<&Object, JsonError> {
        self.field(key)?.object(key)
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

/// The float `text` names, exactly when the text is one [`write_f64`] wrote (the shortest digits
/// that name the float, in serde_json's layout), as in what the page sends the on-demand
/// worker: [`parse_float`] comes within a few units in the last place (at most 3 for the normal
/// floats the tests try, 2 for times), and of the floats within 4, the one whose text this is,
/// is the float. Other texts get [`parse_float`]'s value.
///
/// Rust's exact float parser (`str::parse`) would do too, with about 15 KB gzip of tables;
/// this costs its reader the float writer instead, about 1.5 KB gzip.
fn parse_float_exactly(text: &str) -> f64 {
    let near = parse_float(text);
    let mut written = String::new();
    let (mut below, mut above) = (near, near);
    for _ in 0..=4 {
        for v in [above, below] {
            written.clear();
            write_f64(&mut written, v);
            if written == text {
                return v;
            }
        }
        (below, above) = (below.next_down(), above.next_up());
    }
    near
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

    /// One compact object, its fields written by `fields`.
    fn object(fields: impl FnOnce(&mut Writer)) -> String {
        let mut w = Writer::compact();
        w.begin_object();
        fields(&mut w);
        w.end_object();
        w.finish()
    }

    #[test]
    fn the_writer_writes_compact_json_in_field_order() {
        let text = object(|w| {
            w.key("type").str("T");
            w.key("n").u64(u64::MAX);
            w.key("x").f64_debug(5.0);
            w.key("y").f64_debug(0.25);
            w.key("yes").bool(true);
            w.key("no").bool(false);
            w.key("some").opt_u64(Some(0));
            w.key("none").opt_u64(None);
            w.key("inner").begin_object().key("w").u64(3).end_object();
            w.key("empty").begin_object().end_object();
        });
        assert_eq!(
            text,
            r#"{"type":"T","n":18446744073709551615,"x":5.0,"y":0.25,"yes":true,"no":false,"some":0,"none":null,"inner":{"w":3},"empty":{}}"#
        );
    }

    #[test]
    fn floats_are_written_short_and_json_has_no_nan() {
        let f = |v: f64| {
            object(|w| {
                w.key("v").f64_debug(v);
            })
        };
        assert_eq!(f(1e300), r#"{"v":1e300}"#, "an exponent, not 301 digits");
        assert_eq!(f(1e-7), r#"{"v":1e-7}"#);
        assert_eq!(f(-0.0), r#"{"v":-0.0}"#);
        assert_eq!(f(f64::NAN), r#"{"v":null}"#, "as serde_json writes it");
        assert_eq!(f(f64::INFINITY), r#"{"v":null}"#);
    }

    /// `v` as [`write_f64`] writes it.
    fn float_text(v: f64) -> String {
        let mut out = String::new();
        write_f64(&mut out, v);
        out
    }

    #[test]
    fn floats_switch_to_an_exponent_where_serde_json_does() {
        for (v, text) in [
            (0.0, "0.0"),
            (5.0, "5.0"),
            (-12.75, "-12.75"),
            (0.1, "0.1"),
            (1e-5, "0.00001"),
            (1.5e-5, "0.000015"),
            (9.99e-6, "9.99e-6"),
            (123_456.789, "123456.789"),
            (1e15, "1000000000000000.0"),
            (1234567890123456.0, "1234567890123456.0"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (1763800000000.0, "1763800000000.0"),
            (f64::MAX, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
        ] {
            assert_eq!(float_text(v), text, "{v:e}");
            assert_eq!(serde_json::to_string(&v).unwrap(), text, "serde_json too");
        }
    }

    #[test]
    fn floats_are_written_as_serde_json_writes_them() {
        let check = |v: f64| {
            let serde = serde_json::to_string(&v).unwrap();
            assert_eq!(float_text(v), serde, "{v:e} ({:#x})", v.to_bits());
        };
        // Every power of ten and its neighbours: where the layout changes.
        for exp in -325..=308 {
            let p = format!("1e{exp}").parse::<f64>().unwrap();
            for v in [p, p.next_up(), p.next_down(), 1.5 * p, 9.999_999 * p, -p] {
                check(v);
            }
        }
        // Every power of two: zmij has a path of its own for them.
        for exp in -1074..=1023 {
            check(2f64.powi(exp));
        }
        let mut bits = 0x9E37_79B9_7F4A_7C15u64;
        for i in 0..250_000u32 {
            bits ^= bits << 13;
            bits ^= bits >> 7;
            bits ^= bits << 17;
            // Any bits at all, NaNs and infinities included.
            check(f64::from_bits(bits));
            // Few bits after the point, where a number can lie halfway between two shortest
            // forms (`93511.149658203125`).
            let few = (bits >> 11 >> (i % 40)) as f64 / 2f64.powi((i % 26) as i32);
            check(few);
            // Numbers as people and clocks write them.
            check(f64::from(i) * 0.001);
            check(f64::from(i) / 7.0 + 1_763_800_000_000.0);
        }
    }

    #[test]
    fn a_float_halfway_between_two_shortest_forms_is_written_even() {
        // Rust's formatter writes the …3, serde_json the …2; both read back as the same float.
        for (v, text) in [
            (93_511.0 + 613.0 / 4096.0, "93511.14965820312"),
            (1_749_619_203_981.0 + 25.0 / 32.0, "1749619203981.7812"),
            (1000.0 + 2f64.powi(-14), "1000.0000610351562"),
            (-(662_936_471_232_937.0 + 0.25), "-662936471232937.2"),
            (2f64.powi(-25), "2.9802322387695312e-8"),
            // Halfway at …75: both write …8.
            (922_341.0 + 1367.0 / 2048.0, "922341.6674804688"),
            // A power of two with a 16-digit shortest form: zmij rounds up there, as Rust.
            (2f64.powi(-24), "5.960464477539063e-8"),
        ] {
            assert_eq!(float_text(v), text, "{v:e}");
            assert_eq!(text.parse::<f64>(), Ok(v), "{text} reads back");
        }
    }

    #[test]
    fn the_pretty_writer_writes_what_serde_json_writes() {
        let write = |mut w: Writer| {
            w.begin_object();
            w.key("a").begin_array();
            w.u64(1).f64(2.5).str("x\n").null().bool(true);
            w.begin_array().end_array();
            w.begin_object().end_object();
            w.begin_array()
                .f64(f64::NAN)
                .begin_array()
                .u64(7)
                .end_array()
                .end_array();
            w.end_array();
            w.key("b").begin_object().key("c").opt_str(Some("\"é😀\""));
            w.key("d").opt_u64(None).key("e").opt_f64(Some(1e-7));
            w.end_object();
            w.key("empty").begin_object().end_object();
            w.key("none").opt_str(None);
            w.end_object();
            w.finish()
        };
        // Keys in alphabetical order: serde_json's own `Value` sorts them.
        let serde = serde_json::json!({
            "a": [1, 2.5, "x\n", null, true, [], {}, [null, [7]]],
            "b": {"c": "\"é😀\"", "d": null, "e": 1e-7},
            "empty": {},
            "none": null,
        });
        assert_eq!(
            write(Writer::pretty()),
            serde_json::to_string_pretty(&serde).unwrap()
        );
        assert_eq!(
            write(Writer::compact()),
            serde_json::to_string(&serde).unwrap()
        );
        assert_eq!(
            write(Writer::pretty()).lines().nth(2),
            Some("    1,"),
            "two spaces a level"
        );
    }

    #[test]
    fn a_lone_value_is_a_document_too() {
        let mut w = Writer::pretty();
        w.str("x");
        assert_eq!(w.finish(), "\"x\"");
        let mut w = Writer::pretty();
        w.begin_array().end_array();
        assert_eq!(w.finish(), "[]");
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let text = object(|w| {
            w.key("s")
                .str("a\"b\\c\nd\re\tf\u{8}g\u{c}h\u{1}i\u{1f}/é€😀\u{7f}");
        });
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
        assert_eq!(o.opt_f64("f"), Ok(Some(5.0)));
        assert_eq!(o.opt_f64("z"), Ok(None), "null is None");
        assert_eq!(o.opt_f64("absent"), Ok(None), "absent is None");
        assert_eq!(err(o.opt_f64("s")), "`s` must be a number, not a string");
        let a = read(r#"{"a":[1,"x"],"o":{}}"#);
        assert_eq!(
            a.array("a"),
            Ok(&[Value::Number("1".into()), Value::Str("x".into())][..])
        );
        assert_eq!(err(a.array("o")), "`o` must be an array, not an object");
        assert_eq!(err(a.array("absent")), "missing field `absent`");
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
        let text = object(|w| {
            w.key("v").f64_debug(v);
        });
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
            let text = object(|w| {
                w.key("v").f64_debug(v);
            });
            let back = read(&text).f64("v").unwrap();
            let serde: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(Some(back), serde["v"].as_f64(), "{text}");
        }
    }

    #[test]
    fn floats_the_writer_wrote_read_back_exactly() {
        let check = |v: f64| {
            let text = float_text(v);
            let back = parse_float_exactly(&text);
            assert_eq!(back.to_bits(), v.to_bits(), "{text} read back as {back:?}");
        };
        for v in [
            0.0,
            -0.0,
            1e-7,
            1e21,
            1e23,
            1.0 / 3.0,
            f64::MAX,
            f64::MIN_POSITIVE,
        ] {
            check(v);
        }
        let mut bits = 0x9E37_79B9_7F4A_7C15u64;
        for i in 0..200_000u32 {
            bits ^= bits << 13;
            bits ^= bits >> 7;
            bits ^= bits << 17;
            let any = f64::from_bits(bits);
            // Normal floats: below, in the subnormals, the reader's estimate may be further off
            // (and no time is that small).
            if any.is_normal() {
                check(any);
            }
            // Times as a clock's differences come out, with up to 17 significant digits.
            check(f64::from(i) * 0.1 + 0.123_456_789);
            check(f64::from(i) / 7.0 + 1_763_800_000_000.0);
        }
    }

    #[test]
    fn an_exact_float_reads_null_as_nan_and_other_texts_as_near_as_it_can() {
        let o = read(r#"{"n":null,"v":5,"long":0.30000000000000000001,"s":"x"}"#);
        assert!(o.field("n").unwrap().exact_f64("n").unwrap().is_nan());
        assert_eq!(o.field("v").unwrap().exact_f64("v"), Ok(5.0));
        assert_eq!(o.field("long").unwrap().exact_f64("long"), Ok(0.3));
        assert_eq!(
            o.field("s").unwrap().exact_f64("s").unwrap_err().0,
            "`s` must be a number, not a string"
        );
    }

    #[test]
    fn array_elements_have_the_same_getters_as_fields() {
        let o = read(r#"{"a":[7,"x",true,[],{"k":1},-1]}"#);
        let a = o.array("a").unwrap();
        assert_eq!(a[0].u32("a"), Ok(7));
        assert_eq!(a[0].u64("a"), Ok(7));
        assert_eq!(a[1].str("a"), Ok("x"));
        assert_eq!(a[2].bool("a"), Ok(true));
        assert_eq!(a[3].array("a"), Ok(&[][..]));
        assert_eq!(a[4].object("a").unwrap().u32("k"), Ok(1));
        assert_eq!(
            a[5].u32("a").unwrap_err().0,
            "`a` must be a whole number from 0 to 4294967295, not -1"
        );
        assert_eq!(
            a[1].f64("a").unwrap_err().0,
            "`a` must be a number, not a string"
        );
        assert_eq!(o.opt("a", Value::array).unwrap().map(<[_]>::len), Some(6));
        assert_eq!(o.opt("absent", Value::array), Ok(None));
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
