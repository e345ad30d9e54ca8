//! A program as Python 3.11 with asyncio: a promise is a future (a timer set with
//! `call_later`) or a task (`asyncio.create_task`), so `const a = sleep(300)` starts at once,
//! as in JavaScript; `Promise.all` is
//! `asyncio.gather`, a timeout is `asyncio.wait_for`, `limit` is an `asyncio.Semaphore`,
//! `ticks` an async generator, and CPU work runs on a pool of four threads (the prediction's
//! four workers) through `run_in_executor`. Values print as the program's `console.log` prints
//! them, through `show`.

use super::walk;
use std::collections::{BTreeSet, HashMap};

use crate::codegen::program::walk::{
    assigned, body_stmts, idents, leading_comments, locals, snippet, Info, Kind, Method,
};
use crate::lang::ast::{
    BinaryOp, Body, Expr, ExprKind, Function, LogicalOp, Program, Stmt, StmtKind, UnaryOp,
};
use crate::lang::value::Builtin;

/// Names Python (or the helpers) already uses: a program's variable of that name gets a `_`.
const RESERVED: &[&str] = &[
    "False",
    "None",
    "True",
    "and",
    "as",
    "assert",
    "async",
    "await",
    "class",
    "def",
    "del",
    "elif",
    "else",
    "except",
    "from",
    "global",
    "import",
    "in",
    "is",
    "lambda",
    "nonlocal",
    "not",
    "or",
    "pass",
    "raise",
    "with",
    "yield",
    "print",
    "len",
    "list",
    "str",
    "int",
    "float",
    "range",
    "sum",
    "max",
    "min",
    "round",
    "abs",
    "any",
    "all",
    "map",
    "filter",
    "type",
    "id",
    "input",
    "open",
    "next",
    "iter",
    "object",
    "time",
    "asyncio",
    "math",
    "functools",
    "types",
    "Obj",
    "Error",
    "log",
    "show",
    "js",
    "now",
    "main",
    "START",
    "WORKERS",
    "ThreadPoolExecutor",
    "worker",
    "parallel",
    "repeat",
    "race",
    "all_settled",
    "any_of",
    "resolved",
    "rejected",
    "timeout",
    "retry",
    "limit",
    "ticks",
    "spin",
    "burn",
    "count_primes",
    "is_prime",
    "mandelbrot_rows",
    "sleep",
    "call",
    "fail",
    "enumerate",
    "vars",
    "hash",
    "format",
    "bool",
    "dict",
    "set",
    "tuple",
    "isinstance",
    "super",
    "self",
];

/// The Python file for `program` (the source is `src`).
pub(crate) fn python(src: &str, program: &Program) -> String {
    let info = Info::new(program);
    let mut w = Py {
        src,
        vars: info.var_kinds(&program.body),
        info,
        lines: Vec::new(),
        depth: 1,
        pending: Vec::new(),
        notes: Vec::new(),
        scopes: vec![locals(&program.body)],
        loops: Vec::new(),
        async_fn: vec![true],
        fn_count: 0,
        functools: false,
        error: false,
        obj: false,
        null: false,
        add: false,
    };
    w.block(&program.body);
    if w.lines.is_empty() {
        w.line("pass");
    }
    let body = std::mem::take(&mut w.lines);
    let mut out = w.header();
    out.push_str("\n\nasync def main():\n");
    for line in body {
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str("\n\nasyncio.run(main())\n");
    out
}

/// An operand's binding strength, to know where parentheses are needed.
type Prec = u8;
const P_LAMBDA: Prec = 0;
const P_COND: Prec = 1;
const P_OR: Prec = 2;
const P_AND: Prec = 3;
const P_NOT: Prec = 4;
const P_CMP: Prec = 5;
const P_ADD: Prec = 6;
const P_MUL: Prec = 7;
const P_UNARY: Prec = 8;
const P_AWAIT: Prec = 9;
const P_ATOM: Prec = 10;

/// The writer's state while it walks the program.
struct Py<'a> {
    src: &'a str,
    info: Info,
    /// What each variable holds, where the program agrees with itself.
    vars: HashMap<String, Kind>,
    /// Finished lines of the function being written.
    lines: Vec<String>,
    depth: usize,
    /// Functions the statement being written needs defined just before it.
    pending: Vec<String>,
    /// Comments for the statement being written.
    notes: Vec<String>,
    /// The names each enclosing function declares (for `nonlocal`).
    scopes: Vec<BTreeSet<String>>,
    /// The names each enclosing loop of the current function declares (a function made in a
    /// loop keeps their values of that turn, as JavaScript's block scopes do).
    loops: Vec<BTreeSet<String>>,
    /// Whether each enclosing function is async.
    async_fn: Vec<bool>,
    fn_count: usize,
    functools: bool,
    /// The program needs the `Error` class (it throws a value that is not an error).
    error: bool,
    /// The program makes records (`Obj`).
    obj: bool,
    /// The program says `null` (Python's `None` stands for `undefined`).
    null: bool,
    /// The program adds values that may not be numbers (`add`).
    add: bool,
}

impl Py<'_> {
    /// Adds a line at the current depth, after the comments and functions it needs.
    fn line(&mut self, text: &str) {
        let pad = "    ".repeat(self.depth);
        for note in std::mem::take(&mut self.notes) {
            self.lines.push(format!("{pad}# not translated: {note}"));
        }
        for l in std::mem::take(&mut self.pending) {
            if l.is_empty() {
                self.lines.push(l);
            } else {
                self.lines.push(format!("{pad}{l}"));
            }
        }
        self.lines.push(format!("{pad}{text}"));
    }

    fn note(&mut self, e: &Expr, why: &str) {
        let text = snippet(self.src, &e.span);
        self.notes.push(format!("`{text}`: {why}"));
    }

    fn name(&self, name: &str) -> String {
        py_name(name)
    }

    /// Statements of a block; function declarations first (JavaScript hoists them).
    fn block(&mut self, body: &[Stmt]) {
        for s in body
            .iter()
            .filter(|s| matches!(s.kind, StmtKind::Function(_)))
        {
            self.stmt(s);
        }
        for s in body
            .iter()
            .filter(|s| !matches!(s.kind, StmtKind::Function(_)))
        {
            self.stmt(s);
        }
    }

    /// A nested block: `pass` when it writes nothing.
    fn indented(&mut self, body: &[Stmt]) {
        self.depth += 1;
        let before = self.lines.len();
        self.block(body);
        let code = self.lines[before..]
            .iter()
            .any(|l| !l.trim().starts_with('#'));
        if !code || !self.notes.is_empty() {
            self.line("pass");
        }
        self.depth -= 1;
    }

    fn in_async(&self) -> bool {
        *self.async_fn.last().unwrap_or(&true)
    }

    fn stmt(&mut self, s: &Stmt) {
        for c in leading_comments(self.src, s.span.start) {
            self.line(format!("# {c}").trim_end());
        }
        match &s.kind {
            StmtKind::Declare { name, init, .. } => match init {
                Some(Expr {
                    kind: ExprKind::Function(f),
                    ..
                }) => {
                    let caps = self.captures(f);
                    let name = self.name(name);
                    self.def(&name, f, &caps);
                }
                Some(e) => {
                    let v = self.expr(e, true, P_LAMBDA);
                    let name = self.name(name);
                    self.line(&format!("{name} = {v}"));
                }
                None => {
                    let name = self.name(name);
                    self.line(&format!("{name} = None"));
                }
            },
            StmtKind::Expr(e) => self.expr_stmt(e),
            StmtKind::Return(e) => match e {
                None => self.line("return"),
                Some(e) if self.in_async() && self.info.is_async_call(e) => {
                    let v = self.expr(e, false, P_AWAIT);
                    self.line(&format!("return await {v}"));
                }
                Some(e) => {
                    let v = self.expr(e, true, P_LAMBDA);
                    self.line(&format!("return {v}"));
                }
            },
            StmtKind::If {
                cond,
                then,
                otherwise,
            } => {
                let c = self.expr(cond, true, P_LAMBDA);
                self.line(&format!("if {c}:"));
                self.indented(then);
                let mut otherwise = otherwise.as_deref();
                while let Some(other) = otherwise {
                    match other {
                        [Stmt {
                            kind:
                                StmtKind::If {
                                    cond,
                                    then,
                                    otherwise: next,
                                },
                            ..
                        }] => {
                            let c = self.expr(cond, true, P_LAMBDA);
                            self.line(&format!("elif {c}:"));
                            self.indented(then);
                            otherwise = next.as_deref();
                        }
                        _ => {
                            self.line("else:");
                            self.indented(other);
                            otherwise = None;
                        }
                    }
                }
            }
            StmtKind::ForOf {
                name,
                is_await,
                iterable,
                body,
                ..
            } => {
                let var = self.name(name);
                let mut declared = locals(body);
                declared.insert(name.clone());
                let ticks = matches!(self.info.called(iterable), Some((Builtin::Ticks, _)));
                if *is_await && ticks {
                    let it = self.expr(iterable, false, P_LAMBDA);
                    self.line(&format!("async for {var} in {it}:"));
                    self.loop_body(declared, body, None);
                } else if *is_await {
                    let it = self.iterable(iterable);
                    self.line(&format!("for {var} in {it}:"));
                    let first = format!("{var} = await {var}");
                    self.loop_body(declared, body, Some(first));
                } else {
                    let it = self.iterable(iterable);
                    self.line(&format!("for {var} in {it}:"));
                    self.loop_body(declared, body, None);
                }
            }
            StmtKind::While { cond, body } => {
                let c = self.expr(cond, true, P_LAMBDA);
                self.line(&format!("while {c}:"));
                self.loop_body(locals(body), body, None);
            }
            StmtKind::Break => self.line("break"),
            StmtKind::Continue => self.line("continue"),
            StmtKind::Throw(e) => {
                let thrown = match &e.kind {
                    ExprKind::Ident(_) => self.expr(e, true, P_LAMBDA),
                    ExprKind::Call(..)
                        if self.info.called(e).is_some_and(|c| c.0 == Builtin::Error) =>
                    {
                        self.expr(e, true, P_LAMBDA)
                    }
                    _ => {
                        self.note(
                            e,
                            "JavaScript can throw any value; Python raises an Error with it as \
                             the message",
                        );
                        self.error = true;
                        let v = self.expr(e, true, P_LAMBDA);
                        format!("Error(js({v}))")
                    }
                };
                self.line(&format!("raise {thrown}"));
            }
            StmtKind::Try {
                body,
                catch,
                finally,
            } => {
                self.line("try:");
                self.indented(body);
                if let Some((name, handler)) = catch {
                    match name {
                        Some(n) => {
                            let n = self.name(n);
                            self.line(&format!("except Exception as {n}:"));
                        }
                        None => self.line("except Exception:"),
                    }
                    self.indented(handler);
                }
                if let Some(f) = finally {
                    self.line("finally:");
                    self.indented(f);
                }
            }
            StmtKind::Block(b) => self.block(b),
            StmtKind::Function(f) => {
                let name = self.name(f.name.as_deref().unwrap_or("anonymous"));
                let caps = self.captures(f);
                self.def(&name, f, &caps);
            }
        }
    }

    fn loop_body(&mut self, declared: BTreeSet<String>, body: &[Stmt], first: Option<String>) {
        self.loops.push(declared);
        if let Some(first) = first {
            self.depth += 1;
            self.line(&first);
            self.depth -= 1;
        }
        self.indented(body);
        self.loops.pop();
    }

    /// What a `for` loop walks: `range(n)` as it is, anything else as its value.
    fn iterable(&mut self, e: &Expr) -> String {
        if let Some((Builtin::Range, [n])) = self.info.called(e) {
            let n = self.expr(n, true, P_LAMBDA);
            return format!("range({n})");
        }
        self.expr(e, true, P_LAMBDA)
    }

    fn expr_stmt(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Assign(name, value) => {
                let target = self.name(name);
                if let ExprKind::Binary(op, a, b) = &value.kind {
                    if matches!(&a.kind, ExprKind::Ident(n) if n == name) {
                        let kind = self.info.kind(value, &self.vars);
                        let numeric = matches!(kind, Kind::Int | Kind::Num);
                        let sym = match op {
                            BinaryOp::Add if numeric => Some("+="),
                            BinaryOp::Sub => Some("-="),
                            BinaryOp::Mul => Some("*="),
                            _ => None,
                        };
                        if let Some(sym) = sym {
                            let v = self.expr(b, true, P_LAMBDA);
                            self.line(&format!("{target} {sym} {v}"));
                            return;
                        }
                    }
                }
                let v = self.expr(value, true, P_LAMBDA);
                self.line(&format!("{target} = {v}"));
            }
            ExprKind::Call(callee, args) => {
                if let ExprKind::Member(object, method) = &callee.kind {
                    if self.info.builtin(callee).is_none() {
                        match (method.as_str(), args.as_slice()) {
                            ("push", [one]) => {
                                let xs = self.expr(object, true, P_ATOM);
                                let v = self.expr(one, true, P_LAMBDA);
                                self.line(&format!("{xs}.append({v})"));
                                return;
                            }
                            ("forEach", [f]) => {
                                let two = self.takes_index(f);
                                let xs = self.expr(object, true, P_LAMBDA);
                                let f = self.expr(f, true, P_ATOM);
                                if two {
                                    self.line(&format!("for i, x in enumerate({xs}):"));
                                    self.depth += 1;
                                    self.line(&format!("{f}(x, i)"));
                                } else {
                                    self.line(&format!("for x in {xs}:"));
                                    self.depth += 1;
                                    self.line(&format!("{f}(x)"));
                                }
                                self.depth -= 1;
                                return;
                            }
                            _ => {}
                        }
                    }
                }
                let v = self.expr(e, true, P_LAMBDA);
                self.line(&v);
            }
            _ => {
                let v = self.expr(e, true, P_LAMBDA);
                self.line(&v);
            }
        }
    }

    /// Names a function made here must keep as they are now: those declared by the loops
    /// around it that it reads.
    fn captures(&self, f: &Function) -> Vec<String> {
        let body = body_stmts(f);
        let read = idents(&body);
        let mut out = Vec::new();
        for scope in &self.loops {
            for n in scope {
                if read.contains(n) && !f.params.contains(n) && !out.contains(n) {
                    out.push(n.clone());
                }
            }
        }
        out
    }

    /// Writes `def name(…):` for `f` at the current place.
    fn def(&mut self, name: &str, f: &Function, caps: &[String]) {
        let mut params: Vec<String> = f.params.iter().map(|p| self.name(p)).collect();
        params.extend(caps.iter().map(|c| {
            let c = self.name(c);
            format!("{c}={c}")
        }));
        let kw = if f.is_async { "async def" } else { "def" };
        self.line(&format!("{kw} {name}({}):", params.join(", ")));
        let body = body_stmts(f);
        let mut mine = locals(&body);
        mine.extend(f.params.iter().cloned());
        let outer: BTreeSet<String> = self.scopes.iter().flatten().cloned().collect();
        let nonlocal: Vec<String> = assigned(&body)
            .into_iter()
            .filter(|n| !mine.contains(n) && outer.contains(n))
            .map(|n| self.name(&n))
            .collect();
        let saved_loops = std::mem::take(&mut self.loops);
        self.scopes.push(mine);
        self.async_fn.push(f.is_async);
        self.depth += 1;
        if !nonlocal.is_empty() {
            self.line(&format!("nonlocal {}", nonlocal.join(", ")));
        }
        self.depth -= 1;
        self.indented(&body);
        self.async_fn.pop();
        self.scopes.pop();
        self.loops = saved_loops;
    }

    /// `f` as a value: a lambda when it is one plain expression, else a `def` written just
    /// before the statement, by its name.
    fn function_value(&mut self, f: &Function) -> String {
        let caps = self.captures(f);
        if let Body::Expr(body) = &f.body {
            let plain = !has_assign_or_await(body)
                && (!f.is_async || self.info.is_async_call(body))
                && !contains_block_function(body);
            if plain {
                let mut params: Vec<String> = f.params.iter().map(|p| self.name(p)).collect();
                params.extend(caps.iter().map(|c| {
                    let c = self.name(c);
                    format!("{c}={c}")
                }));
                let v = self.expr(body, false, P_LAMBDA);
                return if params.is_empty() {
                    format!("lambda: {v}")
                } else {
                    format!("lambda {}: {v}", params.join(", "))
                };
            }
        }
        self.fn_count += 1;
        let name = match &f.name {
            Some(n) => self.name(n),
            None => format!("step_{}", self.fn_count),
        };
        // Written into `pending`, at depth 0: `line` indents it with the statement.
        let saved_lines = std::mem::take(&mut self.lines);
        let saved_pending = std::mem::take(&mut self.pending);
        let saved_notes = std::mem::take(&mut self.notes);
        let saved_depth = self.depth;
        self.depth = 0;
        self.def(&name, f, &caps);
        let def = std::mem::replace(&mut self.lines, saved_lines);
        self.depth = saved_depth;
        self.notes = saved_notes;
        self.pending = saved_pending;
        self.pending.extend(def);
        name
    }

    /// `e` as Python, parenthesised if it binds less tightly than `min`. `start`: an async
    /// call here starts a task (`asyncio.create_task`), as a JavaScript promise starts when it
    /// is made; where it is awaited or handed to a combinator at once, it need not.
    fn expr(&mut self, e: &Expr, start: bool, min: Prec) -> String {
        let (text, prec) = self.expr_p(e, start);
        if prec < min {
            format!("({text})")
        } else {
            text
        }
    }

    fn expr_p(&mut self, e: &Expr, start: bool) -> (String, Prec) {
        match &e.kind {
            ExprKind::Num(n) => {
                let t = py_num(*n);
                (t, if *n < 0.0 { P_UNARY } else { P_ATOM })
            }
            ExprKind::Str(s) => (py_str(s), P_ATOM),
            ExprKind::Bool(b) => ((if *b { "True" } else { "False" }).into(), P_ATOM),
            ExprKind::Null => {
                self.null = true;
                ("null".into(), P_ATOM)
            }
            ExprKind::Ident(name) => {
                if !self.info.declared.contains(name) {
                    match name.as_str() {
                        "undefined" => return ("None".into(), P_ATOM),
                        "NaN" | "Infinity" => {
                            let t = if name == "NaN" {
                                "math.nan"
                            } else {
                                "math.inf"
                            };
                            return (t.into(), P_ATOM);
                        }
                        _ => {}
                    }
                }
                (self.name(name), P_ATOM)
            }
            ExprKind::Array(items) => {
                let items: Vec<String> =
                    items.iter().map(|i| self.expr(i, true, P_LAMBDA)).collect();
                (format!("[{}]", items.join(", ")), P_ATOM)
            }
            ExprKind::Object(fields) => {
                self.obj = true;
                let fields: Vec<String> = fields
                    .iter()
                    .map(|(k, v)| {
                        let v = self.expr(v, true, P_LAMBDA);
                        format!("{}={v}", py_name(k))
                    })
                    .collect();
                (format!("Obj({})", fields.join(", ")), P_ATOM)
            }
            ExprKind::Unary(op, a) => match op {
                UnaryOp::Not => (format!("not {}", self.expr(a, true, P_NOT)), P_NOT),
                UnaryOp::Neg => (format!("-{}", self.expr(a, true, P_UNARY)), P_UNARY),
                UnaryOp::Plus => (format!("+{}", self.expr(a, true, P_UNARY)), P_UNARY),
            },
            ExprKind::Binary(op, a, b) => self.binary(e, *op, a, b),
            ExprKind::Logical(op, a, b) => {
                let (kw, p) = match op {
                    LogicalOp::And => ("and", P_AND),
                    LogicalOp::Or => ("or", P_OR),
                };
                let a = self.expr(a, true, p);
                let b = self.expr(b, true, p + 1);
                (format!("{a} {kw} {b}"), p)
            }
            ExprKind::Conditional(c, a, b) => {
                let a = self.expr(a, true, P_OR);
                let c = self.expr(c, true, P_OR);
                let b = self.expr(b, true, P_COND);
                (format!("{a} if {c} else {b}"), P_COND)
            }
            ExprKind::Assign(name, v) => {
                let v = self.expr(v, true, P_COND);
                (format!("{} := {v}", self.name(name)), P_LAMBDA)
            }
            ExprKind::Call(callee, args) => self.call(e, callee, args, start),
            ExprKind::Member(object, name) => {
                if let Some(b) = self.info.builtin(e) {
                    return (self.builtin_value(b), P_ATOM);
                }
                let o = self.expr(object, true, P_ATOM);
                if name == "length" {
                    return (format!("len({o})"), P_ATOM);
                }
                (format!("{o}.{}", py_name(name)), P_ATOM)
            }
            ExprKind::Index(object, index) => {
                let o = self.expr(object, true, P_ATOM);
                let i = self.expr(index, true, P_LAMBDA);
                (format!("{o}[{i}]"), P_ATOM)
            }
            ExprKind::Await(inner) => {
                let awaitable = self.info.is_async_call(inner)
                    || matches!(
                        inner.kind,
                        ExprKind::Ident(_)
                            | ExprKind::Index(..)
                            | ExprKind::Member(..)
                            | ExprKind::Call(..)
                    );
                if awaitable {
                    (
                        format!("await {}", self.expr(inner, false, P_AWAIT)),
                        P_AWAIT,
                    )
                } else {
                    self.expr_p(inner, true)
                }
            }
            ExprKind::Function(f) => {
                let v = self.function_value(f);
                let p = if v.starts_with("lambda") {
                    P_LAMBDA
                } else {
                    P_ATOM
                };
                (v, p)
            }
        }
    }

    fn binary(&mut self, whole: &Expr, op: BinaryOp, a: &Expr, b: &Expr) -> (String, Prec) {
        if op == BinaryOp::Add && self.info.kind(whole, &self.vars) == Kind::Str {
            return (self.text(whole), P_ATOM);
        }
        let numeric = |k: Kind| matches!(k, Kind::Int | Kind::Num);
        if op == BinaryOp::Add
            && !(numeric(self.info.kind(a, &self.vars)) && numeric(self.info.kind(b, &self.vars)))
        {
            // Not known to be two numbers: JavaScript's `+` decides when it runs.
            self.add = true;
            let (a, b) = (self.expr(a, true, P_LAMBDA), self.expr(b, true, P_LAMBDA));
            return (format!("add({a}, {b})"), P_ATOM);
        }
        let (sym, p) = match op {
            BinaryOp::Add => ("+", P_ADD),
            BinaryOp::Sub => ("-", P_ADD),
            BinaryOp::Mul => ("*", P_MUL),
            BinaryOp::Div => ("/", P_MUL),
            BinaryOp::Rem => ("%", P_MUL),
            BinaryOp::Eq => ("==", P_CMP),
            BinaryOp::NotEq => ("!=", P_CMP),
            BinaryOp::Lt => ("<", P_CMP),
            BinaryOp::Le => ("<=", P_CMP),
            BinaryOp::Gt => (">", P_CMP),
            BinaryOp::Ge => (">=", P_CMP),
        };
        let left_min = if p == P_CMP { P_CMP + 1 } else { p };
        let a = self.expr(a, true, left_min);
        let b = self.expr(b, true, p + 1);
        (format!("{a} {sym} {b}"), p)
    }

    /// A string built with `+`: an f-string when its pieces allow, else `+` of `js()` parts.
    fn text(&mut self, e: &Expr) -> String {
        let mut parts = Vec::new();
        self.text_parts(e, &mut parts);
        let mut pieces: Vec<(bool, String)> = Vec::new();
        for p in parts {
            match &p.kind {
                ExprKind::Str(s) => pieces.push((true, s.clone())),
                _ => {
                    let kind = self.info.kind(p, &self.vars);
                    let v = self.expr(p, true, P_LAMBDA);
                    let v = if matches!(kind, Kind::Str | Kind::Int) {
                        v
                    } else {
                        format!("js({v})")
                    };
                    pieces.push((false, v));
                }
            }
        }
        let fits = pieces
            .iter()
            .all(|(lit, v)| *lit || !v.contains(['"', '\'', '{', '}', '\\', ':', '!']));
        if fits {
            let mut out = String::from("f\"");
            for (lit, v) in &pieces {
                if *lit {
                    let s = py_str(v);
                    out.push_str(&s[1..s.len() - 1].replace('{', "{{").replace('}', "}}"));
                } else {
                    out.push('{');
                    out.push_str(v);
                    out.push('}');
                }
            }
            out.push('"');
            out
        } else {
            let parts: Vec<String> = pieces
                .iter()
                .map(|(lit, v)| {
                    if *lit {
                        py_str(v)
                    } else if v.starts_with("js(") {
                        v.clone()
                    } else {
                        format!("js({v})")
                    }
                })
                .collect();
            format!("({})", parts.join(" + "))
        }
    }

    /// The pieces of a `+` chain that makes a string (left to right).
    fn text_parts<'e>(&self, e: &'e Expr, out: &mut Vec<&'e Expr>) {
        // A `+` that makes a string joins the text of both sides, whatever they are.
        if let ExprKind::Binary(BinaryOp::Add, a, b) = &e.kind {
            if self.info.kind(e, &self.vars) == Kind::Str {
                for side in [a, b] {
                    if self.info.kind(side, &self.vars) == Kind::Str {
                        self.text_parts(side, out);
                    } else {
                        out.push(side);
                    }
                }
                return;
            }
        }
        out.push(e);
    }

    fn builtin_value(&mut self, b: Builtin) -> String {
        match b {
            Builtin::Log => "log",
            Builtin::All => "asyncio.gather",
            Builtin::AllSettled => "all_settled",
            Builtin::Race => "race",
            Builtin::Any => "any_of",
            Builtin::Resolve => "resolved",
            Builtin::Reject => "rejected",
            other => other.name(),
        }
        .to_string()
    }

    fn call(&mut self, e: &Expr, callee: &Expr, args: &[Expr], start: bool) -> (String, Prec) {
        if let Some(b) = self.info.builtin(callee) {
            let text = self.builtin_call(e, b, args);
            // Timers and `gather` give futures that are already running; the other helpers
            // are coroutines, which run only as tasks.
            let running = matches!(
                b,
                Builtin::All | Builtin::Sleep | Builtin::Call | Builtin::Fail
            );
            let wrap = start
                && crate::codegen::program::walk::is_async_builtin(b)
                && !running
                && text != "None";
            return if wrap {
                (format!("asyncio.create_task({text})"), P_ATOM)
            } else {
                (text, P_ATOM)
            };
        }
        if let ExprKind::Member(object, name) = &callee.kind {
            if let Some(t) = self.method(object, name, args) {
                return (t, P_ATOM);
            }
        }
        let f = self.expr(callee, true, P_ATOM);
        let args: Vec<String> = args.iter().map(|a| self.expr(a, true, P_LAMBDA)).collect();
        let text = format!("{f}({})", args.join(", "));
        if start && self.info.is_async_call(e) {
            if matches!(&callee.kind, ExprKind::Ident(n) if self.info.eager.contains(n)) {
                self.note(
                    e,
                    "asyncio runs a new task from the loop's next turn, so what the function \
                     does before its first await happens later than in JavaScript",
                );
            }
            (format!("asyncio.create_task({text})"), P_ATOM)
        } else {
            (text, P_ATOM)
        }
    }

    fn method(&mut self, object: &Expr, name: &str, args: &[Expr]) -> Option<String> {
        let method = Method::of(name)?;
        let xs = self.expr(object, true, P_LAMBDA);
        Some(match (method, args) {
            (Method::Push, [one]) => {
                let xs = self.expr(object, true, P_ATOM);
                let v = self.expr(one, true, P_LAMBDA);
                format!("({xs}.append({v}) or len({xs}))")
            }
            (Method::Map | Method::Filter, [f]) => {
                let keep = method == Method::Filter;
                if let ExprKind::Function(func) = &f.kind {
                    if let Body::Expr(body) = &func.body {
                        if func.params.len() <= 2
                            && !has_assign_or_await(body)
                            && !contains_block_function(body)
                            && (!func.is_async || self.info.is_async_call(body))
                        {
                            let x = func.params.first().map(|p| self.name(p));
                            let x = x.unwrap_or_else(|| "_".into());
                            let head = match func.params.get(1) {
                                Some(i) => format!("{}, {x} in enumerate({xs})", self.name(i)),
                                None => format!("{x} in {xs}"),
                            };
                            // Functions made in the comprehension keep its variables.
                            self.loops.push(func.params.iter().cloned().collect());
                            let v = self.expr(body, true, P_LAMBDA);
                            self.loops.pop();
                            return Some(if keep {
                                format!("[{x} for {head} if {v}]")
                            } else {
                                format!("[{v} for {head}]")
                            });
                        }
                    }
                }
                // A callback is given the item, and its index only when it takes two.
                let two = self.takes_index(f);
                let f = self.expr(f, true, P_ATOM);
                match (keep, two) {
                    (true, true) => format!("[x for i, x in enumerate({xs}) if {f}(x, i)]"),
                    (true, false) => format!("[x for x in {xs} if {f}(x)]"),
                    (false, true) => format!("[{f}(x, i) for i, x in enumerate({xs})]"),
                    (false, false) => format!("[{f}(x) for x in {xs}]"),
                }
            }
            (Method::ForEach, [f]) => {
                let two = self.takes_index(f);
                let f = self.expr(f, true, P_ATOM);
                if two {
                    format!("[{f}(x, i) for i, x in enumerate({xs})] and None")
                } else {
                    format!("[{f}(x) for x in {xs}] and None")
                }
            }
            (Method::Reduce, [f, initial]) => {
                self.functools = true;
                let f = self.expr(f, true, P_LAMBDA);
                let initial = self.expr(initial, true, P_LAMBDA);
                format!("functools.reduce({f}, {xs}, {initial})")
            }
            (Method::Join, []) => format!("\",\".join(js(x) for x in {xs})"),
            (Method::Join, [sep]) => {
                let sep = self.expr(sep, true, P_ATOM);
                format!("{sep}.join(js(x) for x in {xs})")
            }
            (Method::Includes, [v]) => {
                let v = self.expr(v, true, P_CMP + 1);
                let xs = self.expr(object, true, P_CMP + 1);
                format!("({v} in {xs})")
            }
            _ => return None,
        })
    }

    /// True when the callback `f` takes an index after the item (JavaScript passes both; a
    /// Python function must be given only what it takes). Unknown functions get the item.
    fn takes_index(&self, f: &Expr) -> bool {
        match &f.kind {
            ExprKind::Function(func) => func.params.len() >= 2,
            ExprKind::Ident(name) => self.info.params.get(name).is_some_and(|n| *n >= 2),
            _ => false,
        }
    }

    /// The CPU work `job` describes, as a kernel and its arguments: `burn(ms)`, `primes(n)`,
    /// `mandelbrot(w, h, i)`, or a function that returns one of them.
    fn job(&mut self, job: &Expr) -> Option<(Builtin, &'static str, Vec<String>)> {
        let (b, args) = self.info.kernel_call(job)?;
        let args: Vec<String> = args.iter().map(|a| self.expr(a, true, P_LAMBDA)).collect();
        Some(match (b, args.as_slice()) {
            (Builtin::Burn, [ms]) => (b, "burn", vec![ms.clone()]),
            (Builtin::Primes, [n]) => (b, "count_primes", vec!["0".into(), n.clone()]),
            (Builtin::Mandelbrot, [w, h, i]) => (
                b,
                "mandelbrot_rows",
                vec!["0".into(), h.clone(), w.clone(), h.clone(), i.clone()],
            ),
            _ => return None,
        })
    }

    fn builtin_call(&mut self, e: &Expr, b: Builtin, args: &[Expr]) -> String {
        let plain = |w: &mut Self, args: &[Expr]| -> Vec<String> {
            args.iter().map(|a| w.expr(a, true, P_LAMBDA)).collect()
        };
        match b {
            Builtin::All | Builtin::AllSettled | Builtin::Race | Builtin::Any => {
                let f = self.builtin_value(b);
                match args {
                    [Expr {
                        kind: ExprKind::Array(items),
                        ..
                    }] => {
                        let items: Vec<String> = items
                            .iter()
                            .map(|i| self.expr(i, false, P_LAMBDA))
                            .collect();
                        format!("{f}({})", items.join(", "))
                    }
                    [xs] => format!("{f}(*{})", self.expr(xs, true, P_UNARY)),
                    _ => {
                        self.note(e, "a combinator takes one array");
                        "None".into()
                    }
                }
            }
            Builtin::Timeout => {
                let mut a: Vec<String> = Vec::new();
                if let Some(p) = args.first() {
                    a.push(self.expr(p, false, P_LAMBDA));
                }
                a.extend(plain(self, args.get(1..).unwrap_or(&[])));
                format!("timeout({})", a.join(", "))
            }
            Builtin::Worker | Builtin::Parallel => {
                let (parts, job) = if b == Builtin::Worker {
                    (None, args.first())
                } else {
                    (args.first(), args.get(1))
                };
                let job = job.and_then(|j| self.job(j));
                let Some((kind, kernel, kargs)) = job else {
                    self.note(
                        e,
                        "the translation writes out worker jobs given as burn(ms), primes(n) or \
                         mandelbrot(w, h, i), or a function returning one",
                    );
                    return "None".into();
                };
                let kargs = kargs.join(", ");
                match parts {
                    None => format!("worker({kernel}, {kargs})"),
                    Some(p) => {
                        let p = self.expr(p, true, P_LAMBDA);
                        if kind == Builtin::Burn {
                            format!("repeat({p}, {kernel}, {kargs})")
                        } else {
                            format!("parallel({p}, {kernel}, {kargs})")
                        }
                    }
                }
            }
            Builtin::Primes | Builtin::Mandelbrot | Builtin::Burn => {
                self.note(
                    e,
                    "CPU work is translated where it is handed to worker() or parallel()",
                );
                "None".into()
            }
            Builtin::Range => format!("list(range({}))", plain(self, args).join(", ")),
            _ => {
                let f = self.builtin_value(b);
                format!("{f}({})", plain(self, args).join(", "))
            }
        }
    }

    /// The imports and helpers the program uses.
    fn header(&self) -> String {
        let uses = |b: Builtin| self.info.uses(b);
        let cpu = uses(Builtin::Worker) || uses(Builtin::Parallel);
        let spins = uses(Builtin::Spin) || cpu;
        let mut out = String::from(
            "\"\"\"The playground program in Python (asyncio), with the same numbers.\"\"\"\n\n",
        );
        let mut imports = vec!["import asyncio"];
        if self.functools {
            imports.push("import functools");
        }
        imports.push("import math");
        if uses(Builtin::Now) || spins {
            imports.push("import time");
        }
        imports.push("import types");
        if cpu {
            imports.push("from concurrent.futures import ThreadPoolExecutor");
        }
        out.push_str(&imports.join("\n"));
        out.push_str("\n\n");
        if uses(Builtin::Now) {
            out.push_str(PY_NOW);
        }
        let mut add = |on: bool, text: &str| {
            if on {
                out.push_str(text);
            }
        };
        let error = self.error
            || [
                Builtin::Fail,
                Builtin::Timeout,
                Builtin::Any,
                Builtin::Error,
                Builtin::Reject,
            ]
            .into_iter()
            .any(uses);
        add(error, PY_ERROR);
        add(self.obj || uses(Builtin::AllSettled), PY_OBJ);
        add(self.null, PY_NULL);
        add(true, PY_JS);
        add(self.add, PY_ADD);
        add(uses(Builtin::Log), PY_SHOW);
        add(
            uses(Builtin::Sleep) || uses(Builtin::Call) || uses(Builtin::Fail),
            PY_TIMER,
        );
        add(uses(Builtin::Sleep), PY_SLEEP);
        add(uses(Builtin::Call), PY_CALL);
        add(uses(Builtin::Fail), PY_FAIL);
        add(uses(Builtin::Timeout), PY_TIMEOUT);
        add(uses(Builtin::Retry), PY_RETRY);
        add(uses(Builtin::Limit), PY_LIMIT);
        add(uses(Builtin::Ticks), PY_TICKS);
        add(spins, PY_SPIN);
        add(cpu, PY_WORKERS);
        add(uses(Builtin::AllSettled), PY_ALL_SETTLED);
        add(uses(Builtin::Race), PY_RACE);
        add(uses(Builtin::Any), PY_ANY);
        add(uses(Builtin::Resolve) || uses(Builtin::Reject), PY_RESOLVED);
        out.truncate(out.trim_end().len());
        out.push('\n');
        out
    }
}

fn has_assign_or_await(e: &Expr) -> bool {
    let mut found = false;
    crate::codegen::program::walk::visit_expr(e, &mut |x| {
        found |= matches!(x.kind, ExprKind::Assign(..) | ExprKind::Await(_));
    });
    found
}

fn contains_block_function(e: &Expr) -> bool {
    let mut found = false;
    crate::codegen::program::walk::visit_expr(e, &mut |x| {
        if let ExprKind::Function(f) = &x.kind {
            found |= matches!(f.body, Body::Block(_)) || f.is_async;
        }
    });
    found
}

/// A program's name as a Python name (a `_` after names Python or the helpers use).
fn py_name(name: &str) -> String {
    let name = name.replace('$', "S_");
    if RESERVED.contains(&name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

/// A Python string literal.
pub(crate) fn py_str(s: &str) -> String {
    walk::quoted(s, |c| format!("\\x{c:02x}"))
}

/// A number literal (`math` is always imported: `js` uses it).
fn py_num(n: f64) -> String {
    walk::number(n, ["math.nan", "math.inf", "-math.inf"], 1e15, "")
}

const PY_NOW: &str = r#"START = time.perf_counter()


def now():
    """Milliseconds since the program started (performance.now() in the page)."""
    return round((time.perf_counter() - START) * 1000)


"#;

const PY_ERROR: &str = r#"class Error(Exception):
    """An error as JavaScript has it: a name and a message."""

    def __init__(self, message, name="Error"):
        super().__init__(message)
        self.name = name
        self.message = message


"#;

const PY_NULL: &str = r#"class Null:
    """JavaScript's null (None stands for undefined): false in a test, printed as null."""

    def __bool__(self):
        return False

    def __repr__(self):
        return "null"


null = Null()


"#;

const PY_OBJ: &str = r#"class Obj(types.SimpleNamespace):
    """A record, { name: value }, read with .name."""


"#;

const PY_JS: &str = r#"def js(value):
    """A value as JavaScript's String(value) writes it: what `+` joins to a string."""
    if value is None:
        return "undefined"
    if type(value).__name__ == "Null":
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return str(int(value)) if value.is_integer() and abs(value) < 1e21 else repr(value)
    if isinstance(value, list):
        return ",".join("" if not v and type(v).__name__ in ("NoneType", "Null") else js(v) for v in value)
    if isinstance(value, Exception):
        return f"{getattr(value, 'name', type(value).__name__)}: {value}"
    if isinstance(value, types.SimpleNamespace):
        return "[object Object]"
    return str(value)


"#;

const PY_ADD: &str = r#"def add(a, b):
    """JavaScript's `+`: numbers add; anything else joins as text."""
    number = (int, float)
    if isinstance(a, number) and isinstance(b, number) and not isinstance(a, bool) and not isinstance(b, bool):
        return a + b
    return js(a) + js(b)


"#;

const PY_SHOW: &str = r#"def show(value, depth=0):
    """A value as console.log shows it (as Node does): strings inside quotes when nested."""
    if isinstance(value, str):
        return value if depth == 0 else "'" + value.replace("'", "\\'") + "'"
    if isinstance(value, list):
        if depth > 2:
            return "[Array]"
        if not value:
            return "[]"
        items = [show(v, depth + 1) for v in value[:100]]
        if len(value) > 100:
            more = len(value) - 100
            items.append(f"... {more} more item{'s' if more > 1 else ''}")
        return "[ " + ", ".join(items) + " ]"
    if isinstance(value, Exception) and list(vars(value)) in ([], ["name", "message"]):
        return js(value)
    if isinstance(value, asyncio.Future):
        return "Promise { <pending> }"
    if isinstance(value, (Exception, types.SimpleNamespace)):
        if depth > 2:
            return "[Object]"
        fields = [f"{k}: {show(v, depth + 1)}" for k, v in vars(value).items()]
        return "{ " + ", ".join(fields) + " }"
    return js(value)


def log(*values):
    """console.log: the values as Node shows them, separated by spaces."""
    print(" ".join(show(v) for v in values), flush=True)


"#;

const PY_TIMER: &str = r#"def timer(ms, answer=None, error=None):
    """A promise (an asyncio future) settled ms from now. The timer starts at once, as a
    JavaScript promise's does, even if this thread is busy until then."""
    loop = asyncio.get_running_loop()
    promise = loop.create_future()

    def settle():
        if not promise.done():
            if error is None:
                promise.set_result(answer)
            else:
                promise.set_exception(error)

    loop.call_later(ms / 1000, settle)
    return promise


"#;

const PY_SLEEP: &str = r#"def sleep(ms):
    """Waits ms on a real timer; the event loop runs other tasks meanwhile."""
    return timer(ms)


"#;

const PY_CALL: &str = r#"def call(label, ms):
    """A simulated call (an HTTP request, a query): answers its label after ms."""
    return timer(ms, label)


"#;

const PY_FAIL: &str = r#"def fail(label, ms):
    """A simulated call that fails after ms."""
    return timer(ms, error=Error(f"{label} failed"))


"#;

const PY_TIMEOUT: &str = r#"async def timeout(work, ms):
    """The work's answer, or a TimeoutError once ms have passed (the work is cancelled)."""
    try:
        return await asyncio.wait_for(work, ms / 1000)
    except TimeoutError:
        raise Error(f"timed out after {js(ms)} ms", "TimeoutError") from None


"#;

const PY_RETRY: &str = r#"async def retry(attempts, delay_ms, attempt):
    """Calls attempt() until it succeeds, at most `attempts` times, delay_ms apart."""
    for i in range(max(1, attempts)):
        try:
            answer = attempt()
            return await answer if asyncio.isfuture(answer) or asyncio.iscoroutine(answer) else answer
        except Exception:
            if i + 1 >= attempts:
                raise
            await asyncio.sleep(delay_ms / 1000)


"#;

const PY_LIMIT: &str = r#"async def limit(k, jobs):
    """Runs the jobs (functions that start work) with at most k in flight, answers in order."""
    gate = asyncio.Semaphore(max(1, k))

    async def run(job):
        async with gate:
            return await job()

    return await asyncio.gather(*(run(job) for job in jobs))


"#;

const PY_TICKS: &str = r#"async def ticks(count, ms):
    """A stream: 0, 1, … count - 1, each ms after the one before (read with async for)."""
    for i in range(count):
        await asyncio.sleep(ms / 1000)
        yield i


"#;

const PY_SPIN: &str = r#"def spin(ms):
    """Keeps this thread busy for ms: on the event loop, nothing else runs meanwhile."""
    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        pass


"#;

const PY_WORKERS: &str = r#"WORKERS = ThreadPoolExecutor(max_workers=4)  # four workers, as the prediction assumes


def burn(ms):
    """CPU work for ms milliseconds; answers the arithmetic steps it managed."""
    end, steps, x = time.perf_counter() + ms / 1000, 0, 0x9E3779B97F4A7C15
    while time.perf_counter() < end:
        for _ in range(1000):
            x = (x * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
        steps += 1000
    return steps


def is_prime(n):
    """Trial division by every odd number up to the square root: honest, predictable work."""
    if n < 4:
        return n >= 2
    if n % 2 == 0:
        return False
    d = 3
    while d * d <= n:
        if n % d == 0:
            return False
        d += 2
    return True


def count_primes(start, end):
    """How many primes lie in [start, end)."""
    return sum(1 for n in range(start, end) if is_prime(n))


def mandelbrot_rows(start, end, width, height, max_iter):
    """Escape-time iterations of the rows [start, end) of a width x height Mandelbrot image."""
    total = 0
    for y in range(start, end):
        cy = -1.0 + (y + 0.5) * 2.0 / height
        for x in range(width):
            cx = -2.5 + (x + 0.5) * 3.5 / width
            zr = zi = 0.0
            i = 0
            while i < max_iter and zr * zr + zi * zi <= 4.0:
                zr, zi = zr * zr - zi * zi + cx, 2.0 * zr * zi + cy
                i += 1
            total += i
    return total


async def worker(job, *args):
    """Runs job(*args) on a worker thread: the event loop stays free meanwhile.
    (CPython runs one thread's Python at a time, so pure-Python kernels share one core.)"""
    return await asyncio.get_running_loop().run_in_executor(WORKERS, job, *args)


async def parallel(parts, job, start, end, *args):
    """Cuts [start, end) into `parts` ranges, runs each on a worker, adds up the answers."""
    cuts = [start + (end - start) * i // parts for i in range(parts + 1)]
    answers = await asyncio.gather(*(worker(job, a, b, *args) for a, b in zip(cuts, cuts[1:])))
    return sum(answers)


async def repeat(parts, job, *args):
    """Work that cannot be cut runs whole on `parts` workers at once."""
    return sum(await asyncio.gather(*(worker(job, *args) for _ in range(parts))))


"#;

const PY_ALL_SETTLED: &str = r#"async def all_settled(*works):
    """Waits for every one; answers how each ended (Promise.allSettled)."""
    answers = await asyncio.gather(*works, return_exceptions=True)
    return [
        Obj(status="rejected", reason=a) if isinstance(a, Exception) else Obj(status="fulfilled", value=a)
        for a in answers
    ]


"#;

const PY_RACE: &str = r#"async def race(*works):
    """The first to end, answer or error (Promise.race); the others started here are cancelled."""
    tasks = [asyncio.ensure_future(w) for w in works]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task, work in zip(tasks, works):
        if task in pending and task is not work:
            task.cancel()
    return next(t for t in tasks if t in done).result()


"#;

const PY_ANY: &str = r#"async def any_of(*works):
    """The first answer (Promise.any); an AggregateError if every one fails."""
    pending = [asyncio.ensure_future(w) for w in works]
    errors = []
    while pending:
        done, rest = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        for task in [t for t in pending if t in done]:
            if task.exception() is None:
                for other in rest:
                    other.cancel()
                return task.result()
            errors.append(task.exception())
        pending = [t for t in pending if t in rest]
    error = Error("All promises were rejected", "AggregateError")
    error.errors = errors
    raise error


"#;

const PY_RESOLVED: &str = r#"async def resolved(value):
    """Promise.resolve: a promise of a value already there."""
    return value


async def rejected(error):
    """Promise.reject: a promise already failed."""
    raise error


"#;
