//! The values a program computes with, how they print, compare and convert, and the scopes
//! that hold them (variables: a chain of scopes, one per block and per call, looked up by name).

use std::cell::RefCell;
use std::rc::Rc;

use crate::cpu::kernels::Job;

use super::compile::Proto;

/// Index of a promise in the machine's promise table.
pub type PromiseId = usize;

/// A value of the language.
#[derive(Clone, Debug)]
pub enum Value {
    /// `undefined`.
    Undefined,
    /// `null`.
    Null,
    /// `true`, `false`.
    Bool(bool),
    /// A number (a double, as in JavaScript).
    Num(f64),
    /// A string.
    Str(Rc<str>),
    /// An array (shared and mutable, as in JavaScript: `push` changes every reference).
    Array(Rc<RefCell<Vec<Value>>>),
    /// A record with named fields (errors, `allSettled` results).
    Object(Rc<Vec<(Rc<str>, Value)>>),
    /// A function written in the program, with the scope it closes over.
    Closure(Rc<Closure>),
    /// A built-in function.
    Builtin(Builtin),
    /// A built-in method bound to the array it was read from (`xs.push`).
    ArrayMethod(Rc<RefCell<Vec<Value>>>, ArrayMethod),
    /// A method of the [`prelude`](super::prelude) bound to the array it was read from
    /// (`xs.map`): called with the array as its first argument.
    Method(Rc<Closure>, Rc<RefCell<Vec<Value>>>),
    /// A namespace of built-ins: `Promise`, `console`.
    Namespace(Namespace),
    /// A promise.
    Promise(PromiseId),
    /// An async stream for `for await` (`ticks(n, ms)`).
    Stream(Rc<RefCell<Stream>>),
    /// CPU work for a worker, made by `primes(n)`, `mandelbrot(w, h, iter)` or `burn(ms)`.
    Job(Rc<Job>),
    /// A loop in progress (internal: never visible to the program).
    Iter(Rc<RefCell<Iter>>),
    /// The end of a stream (internal: never visible to the program).
    Done,
}

/// A function value: its compiled code and the scope it was created in.
#[derive(Debug)]
pub struct Closure {
    /// The compiled function.
    pub proto: Rc<Proto>,
    /// The scope it closes over.
    pub scope: Rc<Scope>,
}

/// The built-in functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    /// `sleep(ms)`.
    Sleep,
    /// `call(label, ms)`.
    Call,
    /// `fail(label, ms)`.
    Fail,
    /// `timeout(p, ms)`.
    Timeout,
    /// `retry(n, delayMs, f)`.
    Retry,
    /// `limit(k, fs)`.
    Limit,
    /// `range(n)`.
    Range,
    /// `ticks(n, ms)`.
    Ticks,
    /// `spin(ms)`.
    Spin,
    /// `worker(f)`.
    Worker,
    /// `parallel(n, f)`.
    Parallel,
    /// `primes(limit)`.
    Primes,
    /// `mandelbrot(width, height, maxIter)`.
    Mandelbrot,
    /// `burn(ms)`.
    Burn,
    /// `now()`.
    Now,
    /// `console.log(...)`.
    Log,
    /// `Promise.all`.
    All,
    /// `Promise.allSettled`.
    AllSettled,
    /// `Promise.race`.
    Race,
    /// `Promise.any`.
    Any,
    /// `Promise.resolve`.
    Resolve,
    /// `Promise.reject`.
    Reject,
    /// `Error(message)`.
    Error,
}

impl Builtin {
    /// The global a name refers to when the program does not declare it.
    pub fn global(name: &str) -> Option<Value> {
        use Builtin::*;
        let f = match name {
            "sleep" => Sleep,
            "call" => Call,
            "fail" => Fail,
            "timeout" => Timeout,
            "retry" => Retry,
            "limit" => Limit,
            "range" => Range,
            "ticks" => Ticks,
            "spin" => Spin,
            "worker" => Worker,
            "parallel" => Parallel,
            "primes" => Primes,
            "mandelbrot" => Mandelbrot,
            "burn" => Burn,
            "now" => Now,
            "Error" => Error,
            "Promise" => return Some(Value::Namespace(Namespace::Promise)),
            "console" => return Some(Value::Namespace(Namespace::Console)),
            "undefined" => return Some(Value::Undefined),
            "NaN" => return Some(Value::Num(f64::NAN)),
            "Infinity" => return Some(Value::Num(f64::INFINITY)),
            _ => return None,
        };
        Some(Value::Builtin(f))
    }

    /// Its name as the program writes it.
    pub fn name(self) -> &'static str {
        use Builtin::*;
        match self {
            Sleep => "sleep",
            Call => "call",
            Fail => "fail",
            Timeout => "timeout",
            Retry => "retry",
            Limit => "limit",
            Range => "range",
            Ticks => "ticks",
            Spin => "spin",
            Worker => "worker",
            Parallel => "parallel",
            Primes => "primes",
            Mandelbrot => "mandelbrot",
            Burn => "burn",
            Now => "now",
            Log => "log",
            All => "all",
            AllSettled => "allSettled",
            Race => "race",
            Any => "any",
            Resolve => "resolve",
            Reject => "reject",
            Error => "Error",
        }
    }
}

/// Methods of arrays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArrayMethod {
    /// `xs.push(a, b)`: appends, returns the new length.
    Push,
}

/// Namespaces of built-ins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Namespace {
    /// `Promise.all`, `Promise.race`, …
    Promise,
    /// `console.log`.
    Console,
}

impl Namespace {
    /// The member `name` of the namespace.
    pub fn member(self, name: &str) -> Option<Builtin> {
        match (self, name) {
            (Namespace::Promise, "all") => Some(Builtin::All),
            (Namespace::Promise, "allSettled") => Some(Builtin::AllSettled),
            (Namespace::Promise, "race") => Some(Builtin::Race),
            (Namespace::Promise, "any") => Some(Builtin::Any),
            (Namespace::Promise, "resolve") => Some(Builtin::Resolve),
            (Namespace::Promise, "reject") => Some(Builtin::Reject),
            (Namespace::Console, "log") => Some(Builtin::Log),
            _ => None,
        }
    }
}

/// `ticks(n, ms)`: yields 0, 1, … n-1, each `ms` after it is asked for (as an async generator
/// that sleeps before each yield does).
#[derive(Debug)]
pub struct Stream {
    /// How many values it yields.
    pub count: u32,
    /// The wait before each one.
    pub ms: f64,
    /// How many it has been asked for so far.
    pub asked: u32,
}

/// A `for … of` loop's position.
#[derive(Debug)]
pub enum Iter {
    /// Over an array's elements (a snapshot of the array when the loop began).
    Array(Vec<Value>, usize),
    /// Over a stream.
    Stream(Rc<RefCell<Stream>>),
}

impl Value {
    /// A string value.
    pub fn str(s: &str) -> Value {
        Value::Str(Rc::from(s))
    }

    /// An array value.
    pub fn array(items: Vec<Value>) -> Value {
        Value::Array(Rc::new(RefCell::new(items)))
    }

    /// An error object: `{ name, message }`.
    pub fn error(name: &str, message: &str) -> Value {
        Value::Object(Rc::new(vec![
            (Rc::from("name"), Value::str(name)),
            (Rc::from("message"), Value::str(message)),
        ]))
    }

    /// JavaScript's truthiness.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Undefined | Value::Null | Value::Done => false,
            Value::Bool(b) => *b,
            Value::Num(n) => *n != 0.0 && !n.is_nan(),
            Value::Str(s) => !s.is_empty(),
            _ => true,
        }
    }

    /// JavaScript's `typeof`-like name, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Undefined => "undefined",
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Num(_) => "a number",
            Value::Str(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
            Value::Closure(_) | Value::Builtin(_) | Value::ArrayMethod(..) | Value::Method(..) => {
                "a function"
            }
            Value::Namespace(_) => "a namespace",
            Value::Promise(_) => "a promise",
            Value::Stream(_) => "a stream",
            Value::Job(_) => "a CPU job",
            Value::Iter(_) | Value::Done => "an iterator",
        }
    }

    /// JavaScript's `ToNumber`, roughly.
    pub fn to_number(&self) -> f64 {
        match self {
            Value::Num(n) => *n,
            Value::Bool(b) => f64::from(u8::from(*b)),
            Value::Null => 0.0,
            Value::Str(s) => {
                let t = s.trim();
                if t.is_empty() {
                    0.0
                } else {
                    t.parse().unwrap_or(f64::NAN)
                }
            }
            _ => f64::NAN,
        }
    }

    /// A field of an object.
    pub fn field(&self, name: &str) -> Option<Value> {
        match self {
            Value::Object(fields) => fields
                .iter()
                .find(|(k, _)| &**k == name)
                .map(|(_, v)| v.clone()),
            _ => None,
        }
    }

    /// Strict equality (`===`): by value for primitives, by identity for the rest.
    pub fn strict_eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Undefined, Value::Undefined) | (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Num(a), Value::Num(b)) => a == b,
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::Array(a), Value::Array(b)) => Rc::ptr_eq(a, b),
            (Value::Object(a), Value::Object(b)) => Rc::ptr_eq(a, b),
            (Value::Closure(a), Value::Closure(b)) => Rc::ptr_eq(a, b),
            (Value::Builtin(a), Value::Builtin(b)) => a == b,
            (Value::Promise(a), Value::Promise(b)) => a == b,
            _ => false,
        }
    }

    /// JavaScript's `String(value)`, for messages and labels: cut at [`MAX_SHOWN_CHARS`] (with
    /// `…`). Arrays nested more than [`MAX_DISPLAY_DEPTH`] deep show as `...` (JavaScript would
    /// overflow its stack).
    pub fn to_display(&self) -> String {
        let mut out = Text::new(MAX_SHOWN_CHARS);
        self.display_into(&mut out, 0);
        out.finish()
    }

    /// JavaScript's `String(value)` exactly, as `+` joins it; `None` when it is longer than `max`
    /// bytes (a string limit, not a cut).
    pub fn display_within(&self, max: usize) -> Option<String> {
        let mut out = Text::new(max);
        self.display_into(&mut out, 0);
        (!out.over).then_some(out.text)
    }

    fn display_into(&self, out: &mut Text, depth: usize) {
        match self {
            Value::Str(s) => out.push(s),
            Value::Array(_) if depth > MAX_DISPLAY_DEPTH => out.push("..."),
            Value::Array(items) => {
                for (i, v) in items.borrow().iter().enumerate() {
                    if out.over {
                        return;
                    }
                    if i > 0 {
                        out.push(",");
                    }
                    if !matches!(v, Value::Undefined | Value::Null) {
                        v.display_into(out, depth + 1);
                    }
                }
            }
            Value::Object(_) => match (self.field("name"), self.field("message")) {
                (Some(name), Some(message)) => {
                    name.display_into(out, depth + 1);
                    out.push(": ");
                    message.display_into(out, depth + 1);
                }
                _ => out.push("[object Object]"),
            },
            other => other.inspect_into(out, depth),
        }
    }

    /// How `console.log` shows a value, in Node's style: strings as they are at the top and
    /// quoted inside arrays and records; nested more than
    /// two levels deep, arrays show as `[Array]` and objects as `[Object]`; at most 100 items of
    /// an array; cut at [`MAX_SHOWN_CHARS`] (with `…`).
    pub fn inspect(&self) -> String {
        let mut out = Text::new(MAX_SHOWN_CHARS);
        self.inspect_into(&mut out, 0);
        out.finish()
    }

    fn inspect_into(&self, out: &mut Text, depth: usize) {
        if out.over {
            return;
        }
        match self {
            Value::Array(_) if depth > 2 => out.push("[Array]"),
            Value::Object(_) if depth > 2 => out.push("[Object]"),
            Value::Undefined => out.push("undefined"),
            Value::Null => out.push("null"),
            Value::Bool(b) => out.push(if *b { "true" } else { "false" }),
            Value::Num(n) => out.push(&number_to_string(*n)),
            Value::Str(s) if depth == 0 => out.push(s),
            Value::Str(s) => {
                out.push("'");
                out.push(&s.replace('\'', "\\'"));
                out.push("'");
            }
            Value::Array(items) => {
                let items = items.borrow();
                if items.is_empty() {
                    return out.push("[]");
                }
                out.push("[ ");
                for (i, v) in items.iter().take(MAX_SHOWN_ITEMS).enumerate() {
                    if i > 0 {
                        out.push(", ");
                    }
                    v.inspect_into(out, depth + 1);
                }
                if items.len() > MAX_SHOWN_ITEMS {
                    let more = items.len() - MAX_SHOWN_ITEMS;
                    let s = if more == 1 { "" } else { "s" };
                    out.push(&format!(", ... {more} more item{s}"));
                }
                out.push(" ]");
            }
            Value::Object(fields) => {
                let is_error = self.field("name").is_some() && self.field("message").is_some();
                if is_error && fields.len() == 2 {
                    return self.display_into(out, depth);
                }
                out.push("{ ");
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(", ");
                    }
                    out.push(k);
                    out.push(": ");
                    v.inspect_into(out, depth + 1);
                }
                out.push(" }");
            }
            Value::Closure(c) => {
                let kind = if c.proto.is_async {
                    "AsyncFunction"
                } else {
                    "Function"
                };
                match &c.proto.name {
                    Some(name) => out.push(&format!("[{kind}: {name}]")),
                    None => out.push(&format!("[{kind} (anonymous)]")),
                }
            }
            Value::Builtin(b) => out.push(&format!("[Function: {}]", b.name())),
            Value::ArrayMethod(..) => out.push("[Function: push]"),
            Value::Method(c, _) => out.push(&format!(
                "[Function: {}]",
                c.proto.name.as_deref().unwrap_or("")
            )),
            Value::Namespace(Namespace::Promise) => out.push("[Function: Promise]"),
            Value::Namespace(Namespace::Console) => out.push("[console]"),
            Value::Promise(_) => out.push("Promise { <pending> }"),
            Value::Stream(_) => out.push("Object [AsyncGenerator] {}"),
            Value::Job(job) => out.push(&format!("[Job {job:?}]")),
            Value::Iter(_) | Value::Done => out.push("[iterator]"),
        }
    }
}

/// Most characters (bytes) a value shows as in a log line, a label or a message.
pub const MAX_SHOWN_CHARS: usize = 10_000;
/// Most items of an array a log line shows (as Node does).
pub const MAX_SHOWN_ITEMS: usize = 100;

/// Text written up to a size; what goes beyond is dropped and remembered.
struct Text {
    text: String,
    max: usize,
    over: bool,
}

impl Text {
    fn new(max: usize) -> Text {
        Text {
            text: String::new(),
            max,
            over: false,
        }
    }

    fn push(&mut self, s: &str) {
        if self.over {
            return;
        }
        let room = self.max - self.text.len();
        if s.len() <= room {
            self.text.push_str(s);
            return;
        }
        let mut cut = room;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        self.text.push_str(&s[..cut]);
        self.over = true;
    }

    /// The text, with `…` if it was cut.
    fn finish(mut self) -> String {
        if self.over {
            self.text.push('…');
        }
        self.text
    }
}

/// How deeply [`Value::to_display`] follows nested arrays.
pub const MAX_DISPLAY_DEPTH: usize = 50;

/// Drops `value` without recursion: an array nested 100,000 deep (`a = [a]` in a loop) would
/// otherwise overflow the stack when it is dropped.
pub fn drop_deep(value: Value) {
    let mut work = vec![value];
    while let Some(v) = work.pop() {
        match v {
            Value::Array(rc) => {
                if let Ok(cell) = Rc::try_unwrap(rc) {
                    work.extend(cell.into_inner());
                }
            }
            Value::Object(rc) => {
                if let Ok(fields) = Rc::try_unwrap(rc) {
                    work.extend(fields.into_iter().map(|(_, v)| v));
                }
            }
            other => drop(other),
        }
    }
}

/// A number as JavaScript writes it: `3`, `1.5`, `NaN`, `Infinity`, `-0` as `0`.
pub fn number_to_string(n: f64) -> String {
    if n.is_nan() {
        "NaN".into()
    } else if n.is_infinite() {
        if n > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else if n == 0.0 {
        "0".into()
    } else if n.abs() >= 1e21 || n.abs() < 1e-6 {
        let s = format!("{n:e}");
        // Rust writes `1e21` and `1.5e-7`; JavaScript writes `1e+21` and `1.5e-7`.
        match s.split_once('e') {
            Some((m, e)) if !e.starts_with('-') => format!("{m}e+{e}"),
            _ => s,
        }
    } else {
        format!("{n}")
    }
}

// ----- scopes -----

/// One scope: its variables and the scope around it.
#[derive(Debug, Default)]
pub struct Scope {
    vars: RefCell<Vec<Var>>,
    parent: Option<Rc<Scope>>,
}

#[derive(Debug)]
struct Var {
    name: Rc<str>,
    value: Value,
    mutable: bool,
}

/// Why a variable could not be declared or assigned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScopeError {
    /// The name is not declared anywhere.
    Unknown,
    /// The variable is a `const`.
    Const,
    /// The name is already declared in this scope.
    Redeclared,
}

impl Scope {
    /// A scope inside `parent`.
    pub fn child(parent: &Rc<Scope>) -> Rc<Scope> {
        Rc::new(Scope {
            vars: RefCell::new(Vec::new()),
            parent: Some(parent.clone()),
        })
    }

    /// The scope this one is inside, if any.
    pub fn parent(&self) -> Option<&Rc<Scope>> {
        self.parent.as_ref()
    }

    /// Declares `name` here.
    pub fn declare(&self, name: &Rc<str>, value: Value, mutable: bool) -> Result<(), ScopeError> {
        let mut vars = self.vars.borrow_mut();
        if vars.iter().any(|v| v.name == *name) {
            return Err(ScopeError::Redeclared);
        }
        vars.push(Var {
            name: name.clone(),
            value,
            mutable,
        });
        Ok(())
    }

    /// The value of `name`, looked up from here outwards.
    pub fn get(&self, name: &str) -> Option<Value> {
        let mut scope = self;
        loop {
            if let Some(v) = scope.vars.borrow().iter().find(|v| &*v.name == name) {
                return Some(v.value.clone());
            }
            scope = scope.parent.as_deref()?;
        }
    }

    /// Assigns `value` to the nearest `name`.
    pub fn set(&self, name: &str, value: Value) -> Result<(), ScopeError> {
        let mut scope = self;
        loop {
            if let Some(v) = scope
                .vars
                .borrow_mut()
                .iter_mut()
                .find(|v| &*v.name == name)
            {
                if !v.mutable {
                    return Err(ScopeError::Const);
                }
                drop_deep(std::mem::replace(&mut v.value, value));
                return Ok(());
            }
            scope = scope.parent.as_deref().ok_or(ScopeError::Unknown)?;
        }
    }
}

impl Scope {
    /// Empties this scope and every scope around it. A closure stored in the scope it closes
    /// over is a reference cycle; the machine breaks them all this way when it is dropped.
    pub fn clear_chain(&self) {
        let mut scope = Some(self);
        while let Some(s) = scope {
            let vars = std::mem::take(&mut *s.vars.borrow_mut());
            for var in vars {
                drop_deep(var.value);
            }
            scope = s.parent.as_deref();
        }
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        for var in self.vars.get_mut().drain(..) {
            drop_deep(var.value);
        }
    }
}
