//! A program as Rust with tokio: every value is a `Value` (the JavaScript value it holds:
//! number, string, array, record, function, promise), so the program keeps its shape; a promise
//! is a task started at once with `tokio::spawn` and shared (`futures`' `Shared`), so it can be
//! awaited more than once; `await` is `.await?` (a thrown value travels as the `Err` of a
//! `Result`, and `try`/`catch` catches it from an `async` block); `Promise.all` is
//! `try_join_all`, `race` is `select_all`, a timeout is `tokio::time::timeout`, `limit` is a
//! `Semaphore`, CPU work runs on `spawn_blocking` (four at a time, as the prediction assumes) and
//! the runtime has one thread (`current_thread`), like the event loop, so `spin` blocks it. A
//! variable that functions share is a `Var` (an `Arc<Mutex<Value>>`).

use super::walk;
use std::collections::BTreeSet;

use crate::codegen::program::walk::{
    assigned, body_stmts, idents, leading_comments, locals, snippet, Info, Kind,
};
use crate::lang::ast::{
    BinaryOp, Expr, ExprKind, Function, LogicalOp, Program, Stmt, StmtKind, UnaryOp,
};
use crate::lang::value::Builtin;

/// Names Rust or the helpers already use: a program's variable of that name gets a `_`.
const RESERVED: &[&str] = &[
    "as",
    "break",
    "const",
    "continue",
    "crate",
    "else",
    "enum",
    "extern",
    "false",
    "fn",
    "for",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "match",
    "mod",
    "move",
    "mut",
    "pub",
    "ref",
    "return",
    "self",
    "Self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "type",
    "unsafe",
    "use",
    "where",
    "while",
    "async",
    "await",
    "dyn",
    "abstract",
    "become",
    "box",
    "do",
    "final",
    "macro",
    "override",
    "priv",
    "typeof",
    "unsized",
    "virtual",
    "yield",
    "try",
    "gen",
    "union",
    "Value",
    "Var",
    "Outcome",
    "arg",
    "args",
    "start",
    "show",
    "Show",
    "log",
    "millis",
    "now",
    "sleep",
    "call",
    "fail",
    "timeout",
    "retry",
    "limit",
    "range",
    "ticks",
    "spin",
    "burn",
    "worker",
    "parallel",
    "all",
    "all_settled",
    "race",
    "any",
    "settled",
    "tried",
    "main",
    "count_primes",
    "is_prime",
    "mandelbrot_rows",
    "STARTED",
    "WORKERS",
    "Ok",
    "Err",
    "Some",
    "None",
    "vec",
    "format",
    "String",
    "Vec",
    "Arc",
    "Mutex",
    "Duration",
    "Instant",
];

/// What a translated expression is in Rust.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    /// A `Value`.
    Value,
    /// A Rust literal or `String` (`"a"`, `500`, `0.5`, `format!(…)`): `Value::from` makes it one.
    Raw,
    /// A Rust `bool`.
    Bool,
}

/// The Rust file for `program` (the source is `src`).
pub(crate) fn rust(src: &str, program: &Program) -> String {
    let info = Info::new(program);
    let cells = cells(&program.body);
    let mut w = Rs {
        src,
        info,
        cells,
        lines: Vec::new(),
        depth: 1,
        notes: Vec::new(),
        scopes: vec![BTreeSet::new()],
        mutable: vec![assigned_here(&program.body)],
        ctx: vec![Ctx::Main],
        loops_in_try: vec![None],
        methods: false,
        awaited: false,
    };
    w.block(&program.body);
    w.line("Ok(())");
    let body = std::mem::take(&mut w.lines);
    let mut out = w.header();
    out.push_str(
        "\n#[tokio::main(flavor = \"current_thread\")] // one thread, like the event loop\n",
    );
    out.push_str("async fn main() -> Result<(), Value> {\n");
    if w.info.uses(Builtin::Now) {
        out.push_str("    LazyLock::force(&STARTED); // the clock starts with the program\n");
    }
    for line in body {
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str("}\n");
    out.push_str(&w.footer());
    out
}

/// The names assigned in `body` outside its nested functions.
fn assigned_here(body: &[Stmt]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    fn expr(e: &Expr, out: &mut BTreeSet<String>) {
        crate::codegen::program::walk::visit_expr(e, &mut |x| {
            if let ExprKind::Assign(n, _) = &x.kind {
                out.insert(n.clone());
            }
        });
    }
    fn stmt(s: &Stmt, out: &mut BTreeSet<String>) {
        if matches!(s.kind, StmtKind::Function(_)) {
            return;
        }
        let (mut stmts, mut exprs) = (Vec::new(), Vec::new());
        crate::codegen::program::walk::for_children(s, &mut |c| stmts.push(c), &mut |e| {
            exprs.push(e)
        });
        for e in exprs {
            if !matches!(e.kind, ExprKind::Function(_)) {
                expr(e, out)
            }
        }
        stmts.into_iter().for_each(|c| stmt(c, out));
    }
    body.iter().for_each(|s| stmt(s, &mut out));
    out
}

/// Variables that must be shared cells (`Var`): assigned somewhere and used inside a function
/// (a copy there would miss the writes).
fn cells(body: &[Stmt]) -> BTreeSet<String> {
    let all_assigned = assigned(body);
    let mut inside = BTreeSet::new();
    fn walk(s: &Stmt, inside: &mut BTreeSet<String>) {
        let mut found = |f: &Function| {
            let body = body_stmts(f);
            let mut mine = locals(&body);
            mine.extend(f.params.iter().cloned());
            inside.extend(idents(&body).into_iter().filter(|n| !mine.contains(n)));
        };
        if let StmtKind::Function(f) = &s.kind {
            found(f);
        }
        crate::codegen::program::walk::visit_stmt(s, &mut |e| {
            if let ExprKind::Function(f) = &e.kind {
                found(f);
            }
        });
        if let StmtKind::Function(f) = &s.kind {
            body_stmts(f).iter().for_each(|c| walk(c, inside));
        }
    }
    body.iter().for_each(|s| walk(s, &mut inside));
    all_assigned.intersection(&inside).cloned().collect()
}

/// Where statements are being written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    /// `main`: `return` is `return Ok(())`.
    Main,
    /// An async function's body (an `async move` block).
    Async,
    /// A plain function's body (a closure).
    Sync,
    /// A `try` block inside async code (an `async` block).
    TryAsync,
    /// A `try` block inside a plain function (a closure).
    TrySync,
}

struct Rs<'a> {
    src: &'a str,
    info: Info,
    cells: BTreeSet<String>,
    lines: Vec<String>,
    depth: usize,
    notes: Vec<String>,
    /// The names declared so far in each block around the statement being written (in this
    /// function and the ones around it): a name is used only where Rust can see it.
    scopes: Vec<BTreeSet<String>>,
    /// The names each enclosing function assigns itself (`let mut`).
    mutable: Vec<BTreeSet<String>>,
    ctx: Vec<Ctx>,
    /// Loops entered since the innermost `try` (None outside any).
    loops_in_try: Vec<Option<usize>>,
    methods: bool,
    /// The call being written is awaited at once (so its task runs at once too).
    awaited: bool,
}

impl Rs<'_> {
    fn line(&mut self, text: &str) {
        let pad = "    ".repeat(self.depth);
        for note in std::mem::take(&mut self.notes) {
            self.lines.push(format!("{pad}// not translated: {note}"));
        }
        for l in text.lines() {
            self.lines.push(format!("{pad}{l}"));
        }
    }

    fn note(&mut self, span: &std::ops::Range<usize>, why: &str) {
        let text = snippet(self.src, span);
        self.notes.push(format!("`{text}`: {why}"));
    }

    fn ctx(&self) -> Ctx {
        *self.ctx.last().unwrap_or(&Ctx::Main)
    }

    fn is_async_ctx(&self) -> bool {
        matches!(self.ctx(), Ctx::Main | Ctx::Async | Ctx::TryAsync)
    }

    /// Statements of a block. JavaScript hoists function declarations; a closure can only be
    /// made once what it keeps exists, so a function goes first when it uses none of the
    /// block's other variables, and stays in its place otherwise.
    fn block(&mut self, body: &[Stmt]) {
        self.block_inner(body, false);
    }

    /// [`Rs::block`]; with `tail`, a last `return x` is written as the block's value, `Ok(x)`.
    fn block_inner(&mut self, body: &[Stmt], tail: bool) {
        let (body, last) = match body.split_last() {
            Some((
                Stmt {
                    kind: StmtKind::Return(e),
                    ..
                },
                rest,
            )) if tail => (rest, Some(e)),
            _ => (body, None),
        };
        self.scopes.push(BTreeSet::new());
        let variables: BTreeSet<String> = body
            .iter()
            .filter_map(|s| match &s.kind {
                StmtKind::Declare { name, .. } | StmtKind::ForOf { name, .. } => Some(name.clone()),
                _ => None,
            })
            .collect();
        let hoisted = |s: &Stmt| match &s.kind {
            StmtKind::Function(f) => idents(&body_stmts(f)).is_disjoint(&variables),
            _ => false,
        };
        for s in body.iter().filter(|s| hoisted(s)) {
            self.stmt(s);
        }
        for s in body.iter().filter(|s| !hoisted(s)) {
            self.stmt(s);
        }
        if let Some(e) = last {
            let v = match e {
                Some(e) => self.value(e),
                None => "Value::Undefined".into(),
            };
            self.line(&format!("Ok({v})"));
        }
        self.scopes.pop();
    }

    /// `name` is declared from here to the end of its block.
    fn declare(&mut self, name: &str) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(name.to_string());
        }
    }

    /// True when `name` is declared in the function being written or one around it.
    fn visible(&self, name: &str) -> bool {
        self.scopes.iter().any(|s| s.contains(name))
    }

    fn braced(&mut self, head: &str, body: &[Stmt]) {
        self.line(format!("{head} {{").trim_start());
        self.depth += 1;
        self.block(body);
        self.flush_notes();
        self.depth -= 1;
        self.line("}");
    }

    fn flush_notes(&mut self) {
        if !self.notes.is_empty() {
            let pad = "    ".repeat(self.depth);
            for note in std::mem::take(&mut self.notes) {
                self.lines.push(format!("{pad}// not translated: {note}"));
            }
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        for c in leading_comments(self.src, s.span.start) {
            self.line(format!("// {c}").trim_end());
        }
        match &s.kind {
            StmtKind::Declare { name, init, .. } => {
                let cell = self.cells.contains(name);
                let v = match init {
                    Some(e) if cell => self.raw_or_value(e),
                    Some(e) => self.value(e),
                    None => "Value::Undefined".into(),
                };
                let n = rs_name(name);
                self.declare(name);
                if cell {
                    self.line(&format!("let {n} = Var::new({v});"));
                } else if self.mutable.last().is_some_and(|m| m.contains(name)) {
                    self.line(&format!("let mut {n} = {v};"));
                } else {
                    self.line(&format!("let {n} = {v};"));
                }
            }
            StmtKind::Function(f) => {
                let name = f.name.clone().unwrap_or_else(|| "anonymous".into());
                let v = self.function(f);
                let n = rs_name(&name);
                self.declare(&name);
                if self.cells.contains(&name) {
                    self.line(&format!("let {n} = Var::new({v});"));
                } else {
                    self.line(&format!("let {n} = {v};"));
                }
            }
            StmtKind::Expr(e) => self.expr_stmt(e),
            StmtKind::Return(e) => {
                if matches!(self.ctx(), Ctx::TryAsync | Ctx::TrySync) {
                    self.note(
                        &s.span,
                        "a return inside try: Rust's try block is an async block",
                    );
                    return;
                }
                let v = match e {
                    Some(e) => self.value(e),
                    None => "Value::Undefined".into(),
                };
                if self.ctx() == Ctx::Main {
                    self.line("return Ok(());");
                } else {
                    self.line(&format!("return Ok({v});"));
                }
            }
            StmtKind::If {
                cond,
                then,
                otherwise,
            } => {
                let c = self.cond(cond);
                self.line(&format!("if {c} {{"));
                self.depth += 1;
                self.block(then);
                self.flush_notes();
                self.depth -= 1;
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
                            let c = self.cond(cond);
                            self.line(&format!("}} else if {c} {{"));
                            self.depth += 1;
                            self.block(then);
                            self.flush_notes();
                            self.depth -= 1;
                            otherwise = next.as_deref();
                        }
                        _ => {
                            self.line("} else {");
                            self.depth += 1;
                            self.block(other);
                            self.flush_notes();
                            self.depth -= 1;
                            otherwise = None;
                        }
                    }
                }
                self.line("}");
            }
            StmtKind::ForOf {
                name,
                is_await,
                iterable,
                body,
                ..
            } => {
                let n = rs_name(name);
                let it = match &iterable.kind {
                    ExprKind::Ident(x) if self.visible(x) && !self.cells.contains(x) => {
                        format!("{}.clone()", rs_name(x))
                    }
                    _ => self.expr(iterable).0,
                };
                if *is_await && !self.is_async_ctx() {
                    self.note(&s.span, "for await outside an async function");
                    return;
                }
                self.enter_loop();
                self.line(&format!("for {n} in {it} {{"));
                self.depth += 1;
                if *is_await {
                    self.line(&format!("let {n} = {n}.await?;"));
                }
                self.scopes.push(BTreeSet::from([name.clone()]));
                self.block(body);
                self.scopes.pop();
                self.flush_notes();
                self.depth -= 1;
                self.line("}");
                self.leave_loop();
            }
            StmtKind::While { cond, body } => {
                let c = self.cond(cond);
                self.enter_loop();
                self.braced(&format!("while {c}"), body);
                self.leave_loop();
            }
            StmtKind::Break | StmtKind::Continue => {
                if self.loops_in_try.last() == Some(&Some(0)) {
                    self.note(&s.span, "leaving a loop from inside try");
                    return;
                }
                let word = if s.kind == StmtKind::Break {
                    "break"
                } else {
                    "continue"
                };
                self.line(&format!("{word};"));
            }
            StmtKind::Throw(e) => {
                let v = self.value(e);
                self.line(&format!("return Err({v});"));
            }
            StmtKind::Try {
                body,
                catch,
                finally,
            } => self.try_stmt(body, catch.as_ref(), finally.as_deref()),
            StmtKind::Block(b) => self.braced("", b),
        }
    }

    fn enter_loop(&mut self) {
        if let Some(Some(n)) = self.loops_in_try.last_mut() {
            *n += 1;
        }
    }

    fn leave_loop(&mut self) {
        if let Some(Some(n)) = self.loops_in_try.last_mut() {
            *n -= 1;
        }
    }

    /// `try { … } catch (e) { … } finally { … }`: the guarded block is an `async` block (a
    /// closure in a plain function) whose `Err` is the thrown value.
    fn try_stmt(
        &mut self,
        body: &[Stmt],
        catch: Option<&(Option<String>, Vec<Stmt>)>,
        finally: Option<&[Stmt]>,
    ) {
        let in_async = self.is_async_ctx();
        let (open, close, ctx) = if in_async {
            ("let tried: Outcome = async {", "}\n.await;", Ctx::TryAsync)
        } else {
            ("let tried: Outcome = (|| {", "})();", Ctx::TrySync)
        };
        self.guarded(open, close, ctx, body);
        if let Some((name, handler)) = catch {
            let e = name.as_deref().map(rs_name).unwrap_or_else(|| "_".into());
            if finally.is_some() {
                // The handler's own error must wait for the finally block.
                let (open, close) = if in_async {
                    (
                        format!("let tried: Outcome = match tried {{\n    Err({e}) => async {{"),
                        "    }\n    .await,\n    done => done,\n};",
                    )
                } else {
                    (
                        format!("let tried: Outcome = match tried {{\n    Err({e}) => (|| {{"),
                        "    })(),\n    done => done,\n};",
                    )
                };
                self.line(&open);
                self.depth += 2;
                self.ctx.push(ctx);
                self.loops_in_try.push(Some(0));
                self.scopes.push(name.iter().cloned().collect());
                self.block(handler);
                self.scopes.pop();
                self.line("Ok(Value::Undefined)");
                self.loops_in_try.pop();
                self.ctx.pop();
                self.depth -= 2;
                self.line(close);
            } else {
                self.line(&format!("if let Err({e}) = tried {{"));
                self.depth += 1;
                self.scopes.push(name.iter().cloned().collect());
                self.block(handler);
                self.scopes.pop();
                self.flush_notes();
                self.depth -= 1;
                self.line("}");
            }
        }
        if let Some(f) = finally {
            self.block(f);
            self.line("tried?;");
        } else if catch.is_none() {
            self.line("tried?;");
        }
    }

    fn guarded(&mut self, open: &str, close: &str, ctx: Ctx, body: &[Stmt]) {
        self.line(open);
        self.depth += 1;
        self.ctx.push(ctx);
        self.loops_in_try.push(Some(0));
        self.block(body);
        self.line("Ok(Value::Undefined)");
        self.loops_in_try.pop();
        self.ctx.pop();
        self.depth -= 1;
        self.line(close);
    }

    fn expr_stmt(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Assign(name, _) if !self.visible(name) => {
                self.note(
                    &e.span,
                    "an assignment to a name not declared where it is used",
                );
            }
            ExprKind::Assign(name, value) => {
                let v = self.value(value);
                let n = rs_name(name);
                if self.cells.contains(name) {
                    self.line(&format!("{n}.set({v});"));
                } else {
                    self.line(&format!("{n} = {v};"));
                }
            }
            _ => {
                let (v, _) = self.expr(e);
                self.line(&format!("{v};"));
            }
        }
    }

    /// A condition as a Rust `bool`.
    fn cond(&mut self, e: &Expr) -> String {
        match &e.kind {
            ExprKind::Logical(op, a, b) => {
                let (a, b) = (self.cond_operand(a), self.cond_operand(b));
                let sym = if *op == LogicalOp::And { "&&" } else { "||" };
                format!("{a} {sym} {b}")
            }
            _ => {
                let (v, ty) = self.expr(e);
                match ty {
                    Ty::Bool => v,
                    Ty::Raw => format!("Value::from({v}).truthy()"),
                    Ty::Value => format!("{}.truthy()", paren(&v)),
                }
            }
        }
    }

    fn cond_operand(&mut self, e: &Expr) -> String {
        let c = self.cond(e);
        if matches!(e.kind, ExprKind::Logical(..)) {
            format!("({c})")
        } else {
            c
        }
    }

    /// `e` as a `Value`.
    fn value(&mut self, e: &Expr) -> String {
        let (v, ty) = self.expr(e);
        match ty {
            Ty::Value => v,
            _ => format!("Value::from({v})"),
        }
    }

    /// `e` where a reference will do (a `log!` argument, a method's receiver): a variable as it
    /// is, without a copy.
    fn by_ref(&mut self, e: &Expr) -> (String, Ty) {
        match &e.kind {
            ExprKind::Ident(n) if self.visible(n) && !self.cells.contains(n) => {
                (rs_name(n), Ty::Value)
            }
            _ => self.expr(e),
        }
    }

    fn expr(&mut self, e: &Expr) -> (String, Ty) {
        match &e.kind {
            ExprKind::Num(n) => (rs_num(*n), Ty::Raw),
            ExprKind::Str(s) => (rs_str(s), Ty::Raw),
            ExprKind::Bool(b) => (b.to_string(), Ty::Bool),
            ExprKind::Null => ("Value::Null".into(), Ty::Value),
            ExprKind::Ident(name) => {
                if !self.visible(name) {
                    return match name.as_str() {
                        "undefined" => ("Value::Undefined".into(), Ty::Value),
                        "NaN" => ("f64::NAN".into(), Ty::Raw),
                        "Infinity" => ("f64::INFINITY".into(), Ty::Raw),
                        _ => {
                            self.note(&e.span, "a name not declared where it is used");
                            ("Value::Undefined".into(), Ty::Value)
                        }
                    };
                }
                let n = rs_name(name);
                if self.cells.contains(name) {
                    (format!("{n}.get()"), Ty::Value)
                } else {
                    (format!("{n}.clone()"), Ty::Value)
                }
            }
            ExprKind::Array(items) => {
                let items: Vec<String> = items.iter().map(|i| self.value(i)).collect();
                (
                    format!("Value::array(vec![{}])", items.join(", ")),
                    Ty::Value,
                )
            }
            ExprKind::Object(fields) => {
                let fields: Vec<String> = fields
                    .iter()
                    .map(|(k, v)| format!("({}, {})", rs_str(k), self.value(v)))
                    .collect();
                (
                    format!("Value::record(vec![{}])", fields.join(", ")),
                    Ty::Value,
                )
            }
            ExprKind::Unary(op, a) => match op {
                UnaryOp::Not => {
                    let c = self.cond(a);
                    let c = if matches!(a.kind, ExprKind::Binary(..) | ExprKind::Logical(..)) {
                        format!("({c})")
                    } else {
                        c
                    };
                    (format!("!{c}"), Ty::Bool)
                }
                UnaryOp::Neg => (format!("-{}", paren(&self.value(a))), Ty::Value),
                UnaryOp::Plus => (
                    format!("Value::from({}.num())", paren(&self.value(a))),
                    Ty::Value,
                ),
            },
            ExprKind::Binary(op, a, b) => self.binary(e, *op, a, b),
            ExprKind::Logical(op, a, b) => {
                // The value of `a && b` is one of its sides, as in JavaScript.
                let a = self.value(a);
                let b = self.value(b);
                let (yes, no) = if *op == LogicalOp::And {
                    (b, "left".to_string())
                } else {
                    ("left".to_string(), b)
                };
                (
                    format!("{{\n    let left = {a};\n    if left.truthy() {{ {yes} }} else {{ {no} }}\n}}"),
                    Ty::Value,
                )
            }
            ExprKind::Conditional(c, a, b) => {
                let c = self.cond(c);
                let (a, b) = (self.value(a), self.value(b));
                (format!("if {c} {{ {a} }} else {{ {b} }}"), Ty::Value)
            }
            ExprKind::Assign(name, _) if !self.visible(name) => {
                self.note(
                    &e.span,
                    "an assignment to a name not declared where it is used",
                );
                ("Value::Undefined".into(), Ty::Value)
            }
            ExprKind::Assign(name, v) => {
                let v = self.value(v);
                let n = rs_name(name);
                if self.cells.contains(name) {
                    (
                        format!("{{\n    {n}.set({v});\n    {n}.get()\n}}"),
                        Ty::Value,
                    )
                } else {
                    (
                        format!("{{\n    {n} = {v};\n    {n}.clone()\n}}"),
                        Ty::Value,
                    )
                }
            }
            ExprKind::Call(callee, args) => self.call(e, callee, args),
            ExprKind::Member(object, name) => {
                if self.info.builtin(e).is_some() {
                    self.note(&e.span, "a built-in used as a value");
                    return ("Value::Undefined".into(), Ty::Value);
                }
                let (o, _) = self.by_ref(object);
                (format!("{}.get({})", paren(&o), rs_str(name)), Ty::Value)
            }
            ExprKind::Index(object, index) => {
                let (o, _) = self.by_ref(object);
                let i = self.value(index);
                (format!("{}.at({i})", paren(&o)), Ty::Value)
            }
            ExprKind::Await(inner) => {
                if !self.is_async_ctx() {
                    self.note(&e.span, "await outside an async function");
                    return ("Value::Undefined".into(), Ty::Value);
                }
                self.awaited = matches!(inner.kind, ExprKind::Call(..));
                let v = self.value(inner);
                (format!("{}.await?", paren(&v)), Ty::Value)
            }
            ExprKind::Function(f) => (self.function(f), Ty::Value),
        }
    }

    fn binary(&mut self, whole: &Expr, op: BinaryOp, a: &Expr, b: &Expr) -> (String, Ty) {
        if op == BinaryOp::Add && self.info.kind(whole, &Default::default()) == Kind::Str {
            return (self.text(whole), Ty::Raw);
        }
        let sym = match op {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Rem => "%",
            BinaryOp::Eq => "==",
            BinaryOp::NotEq => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
        };
        let compare = !matches!(
            op,
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem
        );
        let (l, lt) = if compare {
            self.by_ref(a)
        } else {
            self.expr(a)
        };
        let (r, rt) = if compare {
            self.by_ref(b)
        } else {
            self.expr(b)
        };
        if compare && lt != Ty::Value && rt != Ty::Value {
            // Two Rust literals compare as they are.
            let both_raw = lt == Ty::Raw && rt == Ty::Raw;
            if both_raw {
                return (format!("{l} {sym} {r}"), Ty::Bool);
            }
        }
        let l = if lt == Ty::Value {
            paren(&l)
        } else {
            format!("Value::from({l})")
        };
        let r = match rt {
            Ty::Value => paren(&r),
            Ty::Bool => format!("Value::from({r})"),
            Ty::Raw => r,
        };
        if compare {
            (format!("{l} {sym} {r}"), Ty::Bool)
        } else {
            (format!("{l} {sym} {r}"), Ty::Value)
        }
    }

    /// A string built with `+`: `format!` with the pieces.
    fn text(&mut self, e: &Expr) -> String {
        let mut parts = Vec::new();
        text_parts(&self.info, e, &mut parts);
        let mut fmt = String::new();
        let mut args = Vec::new();
        for p in parts {
            match &p.kind {
                ExprKind::Str(s) => {
                    let lit = rs_str(s);
                    fmt.push_str(&lit[1..lit.len() - 1].replace('{', "{{").replace('}', "}}"));
                }
                ExprKind::Ident(n) if self.visible(n) && !self.cells.contains(n) => {
                    let n = rs_name(n);
                    if n.starts_with("r#") {
                        fmt.push_str("{}");
                        args.push(n);
                    } else {
                        fmt.push_str(&format!("{{{n}}}"));
                    }
                }
                _ => {
                    fmt.push_str("{}");
                    let (v, ty) = self.expr(p);
                    args.push(match ty {
                        Ty::Bool => format!("Value::from({v})"),
                        _ => v,
                    });
                }
            }
        }
        if args.is_empty() {
            format!("format!(\"{fmt}\")")
        } else {
            format!("format!(\"{fmt}\", {})", args.join(", "))
        }
    }

    fn call(&mut self, e: &Expr, callee: &Expr, args: &[Expr]) -> (String, Ty) {
        let awaited = std::mem::take(&mut self.awaited);
        let eager = matches!(&callee.kind, ExprKind::Ident(n) if self.info.eager.contains(n));
        if eager && !awaited {
            self.note(
                &e.span,
                "a spawned task runs when main next awaits, so what the function does before \
                 its first await happens later than in JavaScript",
            );
        }
        if let Some(b) = self.info.builtin(callee) {
            return (self.builtin_call(e, b, args), Ty::Value);
        }
        if let ExprKind::Member(object, name) = &callee.kind {
            let method = match name.as_str() {
                "push" | "join" | "includes" => Some((name.as_str(), false)),
                "map" | "filter" | "reduce" => Some((name.as_str(), true)),
                "forEach" => Some(("for_each", true)),
                _ => None,
            };
            if let Some((method, fallible)) = method {
                if method != "push" {
                    self.methods = true;
                }
                let (o, _) = self.by_ref(object);
                let o = paren(&o);
                if method == "push" && args.len() != 1 {
                    // `xs.push(a, b)`: one push each; the value is the last length.
                    let mut pushes: Vec<String> = args
                        .iter()
                        .map(|a| format!("{o}.push({})", self.value(a)))
                        .collect();
                    if pushes.is_empty() {
                        pushes.push(format!("{o}.get(\"length\")"));
                    }
                    return (format!("{{ {} }}", pushes.join("; ")), Ty::Value);
                }
                if method == "reduce" && args.len() != 2 {
                    self.note(&e.span, "reduce without a first value");
                    return ("Value::Undefined".into(), Ty::Value);
                }
                // As in JavaScript, missing arguments are undefined and extra ones are dropped.
                let arity = if method == "reduce" { 2 } else { 1 };
                let a: Vec<String> = (0..arity)
                    .map(|i| match args.get(i) {
                        Some(a) => self.value(a),
                        None if method == "join" => "\",\"".into(),
                        None => "Value::Undefined".into(),
                    })
                    .collect();
                let q = if fallible { "?" } else { "" };
                return (format!("{o}.{method}({}){q}", a.join(", ")), Ty::Value);
            }
        }
        let (f, _) = self.by_ref(callee);
        let args: Vec<String> = args.iter().map(|a| self.value(a)).collect();
        (
            format!("{}.call(vec![{}])?", paren(&f), args.join(", ")),
            Ty::Value,
        )
    }

    /// CPU work handed to a worker, as a kernel call on u64 arguments.
    fn job(&mut self, job: &Expr) -> Option<(Builtin, Vec<String>)> {
        let (b, args) = self.info.kernel_call(job)?;
        let args: Vec<String> = args
            .iter()
            .map(|a| match &a.kind {
                ExprKind::Num(n) if *n >= 0.0 && n.fract() == 0.0 && *n < 1e15 => {
                    format!("{}", *n as u64)
                }
                _ => format!("{}.num() as u64", paren(&self.value(a))),
            })
            .collect();
        Some((b, args))
    }

    fn builtin_call(&mut self, e: &Expr, b: Builtin, args: &[Expr]) -> String {
        match b {
            Builtin::Log => {
                let a: Vec<String> = args.iter().map(|a| self.by_ref(a).0).collect();
                format!("log!({})", a.join(", "))
            }
            Builtin::Worker | Builtin::Parallel => {
                let (parts, job) = if b == Builtin::Worker {
                    (None, args.first())
                } else {
                    (args.first(), args.get(1))
                };
                let Some((kind, k)) = job.and_then(|j| self.job(j)) else {
                    self.note(
                        &e.span,
                        "the translation writes out worker jobs given as burn(ms), primes(n) or \
                         mandelbrot(w, h, i), or a function returning one",
                    );
                    return "Value::Undefined".into();
                };
                let parts = parts.map(|p| self.raw_or_value(p));
                match (kind, parts, k.as_slice()) {
                    (Builtin::Burn, None, [ms]) => format!("worker(move || burn({ms}))"),
                    (Builtin::Burn, Some(p), [ms]) => {
                        format!("parallel({p}, move |_, _| burn({ms}), 0, 1)")
                    }
                    (Builtin::Primes, None, [n]) => format!("worker(move || count_primes(0, {n}))"),
                    (Builtin::Primes, Some(p), [n]) => format!("parallel({p}, count_primes, 0, {n})"),
                    (Builtin::Mandelbrot, None, [w, h, i]) => {
                        format!("worker(move || mandelbrot_rows(0, {h}, {w}, {h}, {i}))")
                    }
                    (Builtin::Mandelbrot, Some(p), [w, h, i]) => format!(
                        "parallel({p}, move |from, to| mandelbrot_rows(from, to, {w}, {h}, {i}), 0, {h})"
                    ),
                    _ => {
                        self.note(&e.span, "CPU work with unexpected arguments");
                        "Value::Undefined".into()
                    }
                }
            }
            Builtin::Primes | Builtin::Mandelbrot | Builtin::Burn => {
                self.note(
                    &e.span,
                    "CPU work is translated where it is handed to worker() or parallel()",
                );
                "Value::Undefined".into()
            }
            Builtin::Error => {
                let m = match args.first() {
                    Some(Expr {
                        kind: ExprKind::Str(s),
                        ..
                    }) => rs_str(s),
                    Some(a) => format!("{}.to_string()", paren(&self.value(a))),
                    None => "\"\"".into(),
                };
                format!("Value::error(\"Error\", {m})")
            }
            Builtin::Resolve | Builtin::Reject => {
                let v = args
                    .first()
                    .map(|a| self.value(a))
                    .unwrap_or_else(|| "Value::Undefined".into());
                let wrap = if b == Builtin::Resolve { "Ok" } else { "Err" };
                format!("settled({wrap}({v}))")
            }
            Builtin::Timeout => {
                let work = args
                    .first()
                    .map(|a| self.value(a))
                    .unwrap_or_else(|| "Value::Undefined".into());
                let ms = args
                    .get(1)
                    .map(|a| self.expr(a).0)
                    .unwrap_or_else(|| "0".into());
                format!("timeout({work}, {ms})")
            }
            Builtin::Retry => {
                let a: Vec<String> = args.iter().take(2).map(|a| self.raw_or_value(a)).collect();
                let f = args
                    .get(2)
                    .map(|a| self.value(a))
                    .unwrap_or_else(|| "Value::Undefined".into());
                format!("retry({}, {f})", a.join(", "))
            }
            Builtin::All | Builtin::AllSettled | Builtin::Race | Builtin::Any => {
                let name = match b {
                    Builtin::All => "all",
                    Builtin::AllSettled => "all_settled",
                    Builtin::Race => "race",
                    _ => "any",
                };
                let a = match args {
                    [Expr {
                        kind: ExprKind::Array(items),
                        ..
                    }] => {
                        let items: Vec<String> = items.iter().map(|i| self.value(i)).collect();
                        format!("vec![{}]", items.join(", "))
                    }
                    [first, ..] => self.value(first),
                    [] => "Value::Undefined".into(),
                };
                format!("{name}({a})")
            }
            _ => {
                // As in JavaScript, missing arguments are undefined and extra ones are dropped.
                let arity = match b {
                    Builtin::Now => 0,
                    Builtin::Sleep | Builtin::Range | Builtin::Spin => 1,
                    _ => 2,
                };
                let a: Vec<String> = (0..arity)
                    .map(|i| match args.get(i) {
                        Some(a) => self.raw_or_value(a),
                        None => "Value::Undefined".into(),
                    })
                    .collect();
                format!("{}({})", b.name(), a.join(", "))
            }
        }
    }

    /// An argument for a helper that takes `impl Into<Value>`: literals as they are.
    fn raw_or_value(&mut self, e: &Expr) -> String {
        let (v, ty) = self.expr(e);
        match ty {
            Ty::Bool => format!("Value::from({v})"),
            _ => v,
        }
    }

    /// A function as a `Value`: a closure over copies of the variables it uses (shared cells for
    /// those it assigns), taking its arguments as a list.
    fn function(&mut self, f: &Function) -> String {
        let body = body_stmts(f);
        let outer: BTreeSet<String> = self.scopes.iter().flatten().cloned().collect();
        let mine: BTreeSet<String> = f.params.iter().cloned().collect();
        let inner = locals(&body);
        let captured: Vec<String> = idents(&body)
            .into_iter()
            .filter(|n| !mine.contains(n) && !inner.contains(n) && outer.contains(n))
            .collect();
        let saved_lines = std::mem::take(&mut self.lines);
        let saved_notes = std::mem::take(&mut self.notes);
        let saved_depth = self.depth;
        self.depth = 0;
        let params = if f.params.is_empty() { "_" } else { "args" };
        if captured.is_empty() {
            self.line(&format!("Value::function(move |{params}| {{"));
        } else {
            // The closure keeps its own copies of the variables it uses.
            self.line("Value::function({");
            self.depth += 1;
            for c in &captured {
                let c = rs_name(c);
                self.line(&format!("let {c} = {c}.clone();"));
            }
            self.line(&format!("move |{params}| {{"));
        }
        self.depth += 1;
        for (i, p) in f.params.iter().enumerate() {
            let p = rs_name(p);
            let m = if assigned(&body).contains(&f.params[i]) {
                "mut "
            } else {
                ""
            };
            self.line(&format!("let {m}{p} = arg(&args, {i});"));
        }
        self.scopes.push(mine);
        self.mutable.push(assigned_here(&body));
        self.loops_in_try.push(None);
        if f.is_async {
            for c in &captured {
                let c = rs_name(c);
                self.line(&format!("let {c} = {c}.clone();"));
            }
            self.line("Ok(start(async move {");
            self.depth += 1;
            self.ctx.push(Ctx::Async);
            self.fn_body(&body);
            self.ctx.pop();
            self.depth -= 1;
            self.line("}))");
        } else {
            self.ctx.push(Ctx::Sync);
            self.fn_body(&body);
            self.ctx.pop();
        }
        self.loops_in_try.pop();
        self.mutable.pop();
        self.scopes.pop();
        self.depth -= 1;
        if captured.is_empty() {
            self.line("})");
        } else {
            self.line("}");
            self.depth -= 1;
            self.line("})");
        }
        let text = std::mem::replace(&mut self.lines, saved_lines);
        self.depth = saved_depth;
        self.notes = saved_notes;
        // `line` indents every line of it to the statement's depth.
        text.join("\n")
    }

    /// A function's statements; a last `return x` is the closure's value, `Ok(x)`.
    fn fn_body(&mut self, body: &[Stmt]) {
        self.block_inner(body, true);
        if !ends_in_return(body) {
            self.line("Ok(Value::Undefined)");
        }
        self.flush_notes();
    }

    fn header(&self) -> String {
        let uses = |b: Builtin| self.info.uses(b);
        let cpu = uses(Builtin::Worker) || uses(Builtin::Parallel);
        let mut out = String::from(
            "//! The playground program in Rust (tokio), with the same numbers.\n\
             //! Cargo.toml: tokio = { version = \"1\", features = [\"full\"] } and futures = \"0.3\".\n\
             #![allow(dead_code)] // Value can do more than this program asks of it\n\n",
        );
        let into_future = [
            Builtin::All,
            Builtin::AllSettled,
            Builtin::Race,
            Builtin::Any,
            Builtin::Timeout,
        ]
        .into_iter()
        .any(uses)
            || cpu;
        let mut std_uses = vec![if into_future {
            "use std::future::{Future, IntoFuture};"
        } else {
            "use std::future::Future;"
        }];
        std_uses.push("use std::sync::{Arc, Mutex};");
        if uses(Builtin::Now) {
            std_uses.push("use std::sync::LazyLock;");
        }
        if uses(Builtin::Now) || uses(Builtin::Spin) || cpu {
            std_uses.push("use std::time::{Duration, Instant};");
        } else {
            std_uses.push("use std::time::Duration;");
        }
        out.push_str(&std_uses.join("\n"));
        let mut futures = Vec::new();
        if uses(Builtin::AllSettled) {
            futures.push("join_all");
        }
        if uses(Builtin::Race) || uses(Builtin::Any) {
            futures.push("select_all");
        }
        if uses(Builtin::All) || uses(Builtin::Limit) || cpu {
            futures.push("try_join_all");
        }
        futures.extend(["BoxFuture", "FutureExt", "Shared"]);
        out.push_str(&format!(
            "\n\nuse futures::future::{{{}}};\n",
            futures.join(", ")
        ));
        if uses(Builtin::Limit) || cpu {
            out.push_str("use tokio::sync::Semaphore;\n");
        }
        if uses(Builtin::Log) {
            out.push('\n');
            out.push_str(RS_LOG);
        }
        let _ = cpu;
        out
    }

    fn footer(&self) -> String {
        let uses = |b: Builtin| self.info.uses(b);
        let cpu = uses(Builtin::Worker) || uses(Builtin::Parallel);
        let mut out = String::from("\n// The playground's built-ins.\n");
        let mut add = |on: bool, text: &str| {
            if on {
                out.push('\n');
                out.push_str(text);
            }
        };
        add(uses(Builtin::Now), RS_NOW);
        add(true, RS_MILLIS);
        add(uses(Builtin::Sleep), RS_SLEEP);
        add(uses(Builtin::Call), RS_CALL);
        add(uses(Builtin::Fail), RS_FAIL);
        add(uses(Builtin::Timeout), RS_TIMEOUT);
        add(uses(Builtin::Retry), RS_RETRY);
        add(uses(Builtin::Limit), RS_LIMIT);
        add(uses(Builtin::Range), RS_RANGE);
        add(uses(Builtin::Ticks), RS_TICKS);
        add(uses(Builtin::Spin), RS_SPIN);
        add(cpu, RS_WORKERS);
        add(uses(Builtin::All), RS_ALL);
        add(uses(Builtin::AllSettled), RS_ALL_SETTLED);
        add(uses(Builtin::Race), RS_RACE);
        add(uses(Builtin::Any), RS_ANY);
        add(uses(Builtin::Resolve) || uses(Builtin::Reject), RS_RESOLVE);
        add(self.methods, RS_METHODS);
        add(true, RS_VALUE);
        out
    }
}

fn ends_in_return(body: &[Stmt]) -> bool {
    matches!(
        body.last().map(|s| &s.kind),
        Some(StmtKind::Return(_) | StmtKind::Throw(_))
    )
}

/// The pieces of a `+` chain that makes a string (left to right).
fn text_parts<'e>(info: &Info, e: &'e Expr, out: &mut Vec<&'e Expr>) {
    // A `+` that makes a string joins the text of both sides, whatever they are.
    let none = Default::default();
    if let ExprKind::Binary(BinaryOp::Add, a, b) = &e.kind {
        if info.kind(e, &none) == Kind::Str {
            for side in [a, b] {
                if info.kind(side, &none) == Kind::Str {
                    text_parts(info, side, out);
                } else {
                    out.push(side);
                }
            }
            return;
        }
    }
    out.push(e);
}

/// `text` in parentheses unless it is one name, call or literal.
fn paren(text: &str) -> String {
    let simple = text
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | ':' | '#'))
        || (text.ends_with(')') && !text.contains(' ') && !text.starts_with('-'))
        || (text.ends_with(')') && balanced_call(text));
    if simple {
        text.to_string()
    } else {
        format!("({text})")
    }
}

/// True for `name(…)` / `a.b(…)?` whose outer parentheses close at the end.
fn balanced_call(text: &str) -> bool {
    let Some(open) = text.find('(') else {
        return false;
    };
    let head = &text[..open];
    if !head
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | ':' | '!'))
    {
        return false;
    }
    let mut depth = 0;
    let mut in_str = false;
    let mut escaped = false;
    for (i, c) in text.char_indices().skip(open) {
        if in_str {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 && i != text.len() - 1 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

fn rs_name(name: &str) -> String {
    let name = name.replace('$', "_S");
    if RESERVED.contains(&name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

/// A Rust string literal.
fn rs_str(s: &str) -> String {
    walk::quoted(s, |c| format!("\\u{{{c:x}}}"))
}

fn rs_num(n: f64) -> String {
    walk::number(
        n,
        ["f64::NAN", "f64::INFINITY", "f64::NEG_INFINITY"],
        2e9,
        "_f64",
    )
}

const RS_LOG: &str = r#"/// console.log: the values as Node shows them, separated by spaces.
macro_rules! log {
    ($($value:expr),* $(,)?) => {{
        println!("{}", [$(Show::show(&$value)),*].join(" "));
        Value::Undefined
    }};
}
"#;

const RS_NOW: &str = r#"/// When the program started: `now()` counts from here.
static STARTED: LazyLock<Instant> = LazyLock::new(Instant::now);

/// Milliseconds since the program started.
fn now() -> Value {
    Value::from(STARTED.elapsed().as_millis() as u64)
}
"#;

const RS_MILLIS: &str = r#"/// A duration of `ms` milliseconds (negative counts as 0, as timers do).
fn millis(ms: impl Into<Value>) -> Duration {
    Duration::from_secs_f64(ms.into().num().max(0.0) / 1000.0)
}

/// When a timer set now for `ms` is due: a promise's timer starts when the promise is made,
/// even if its task first runs later (this runtime's one thread may be busy).
fn deadline(ms: impl Into<Value>) -> tokio::time::Instant {
    tokio::time::Instant::now() + millis(ms)
}
"#;

const RS_SLEEP: &str = r#"/// Waits `ms` on a real timer; the runtime runs other tasks meanwhile.
fn sleep(ms: impl Into<Value>) -> Value {
    let due = deadline(ms);
    start(async move {
        tokio::time::sleep_until(due).await;
        Ok(Value::Undefined)
    })
}
"#;

const RS_CALL: &str = r#"/// A simulated call (an HTTP request, a query): answers its label after `ms`.
fn call(label: impl Into<Value>, ms: impl Into<Value>) -> Value {
    let (label, due) = (label.into(), deadline(ms));
    start(async move {
        tokio::time::sleep_until(due).await;
        Ok(label)
    })
}
"#;

const RS_FAIL: &str = r#"/// A simulated call that fails after `ms`.
fn fail(label: impl Into<Value>, ms: impl Into<Value>) -> Value {
    let (label, due) = (label.into(), deadline(ms));
    start(async move {
        tokio::time::sleep_until(due).await;
        Err(Value::error("Error", format!("{label} failed")))
    })
}
"#;

const RS_TIMEOUT: &str = r#"/// The work's answer, or a TimeoutError once `ms` have passed.
fn timeout(work: Value, ms: impl Into<Value>) -> Value {
    let ms = ms.into();
    let due = deadline(ms.clone());
    start(async move {
        match tokio::time::timeout_at(due, IntoFuture::into_future(work)).await {
            Ok(answer) => answer,
            Err(_) => Err(Value::error("TimeoutError", format!("timed out after {ms} ms"))),
        }
    })
}
"#;

const RS_RETRY: &str = r#"/// Calls `attempt()` until it succeeds, at most `attempts` times, `delay_ms` apart.
fn retry(attempts: impl Into<Value>, delay_ms: impl Into<Value>, attempt: Value) -> Value {
    let (attempts, wait) = (attempts.into().num().max(1.0) as u32, millis(delay_ms));
    start(async move {
        let mut tries = 1;
        loop {
            let answer = match attempt.call(vec![]) {
                Ok(promise) => promise.await,
                Err(e) => Err(e),
            };
            match answer {
                Err(_) if tries < attempts => {
                    tries += 1;
                    tokio::time::sleep(wait).await;
                }
                done => return done,
            }
        }
    })
}
"#;

const RS_LIMIT: &str = r#"/// Runs the jobs (functions that start work) with at most `k` in flight (a semaphore),
/// answers in order.
fn limit(k: impl Into<Value>, jobs: Value) -> Value {
    let gate = Arc::new(Semaphore::new(k.into().num().max(1.0) as usize));
    start(async move {
        let runs = jobs.into_iter().map(|job| {
            let gate = gate.clone();
            async move {
                let _turn = gate.acquire().await;
                job.call(vec![])?.await
            }
        });
        try_join_all(runs).await.map(Value::array)
    })
}
"#;

const RS_RANGE: &str = r#"/// [0, 1, … n - 1].
fn range(n: impl Into<Value>) -> Value {
    Value::array((0..n.into().num().max(0.0) as usize).map(Value::from).collect())
}
"#;

const RS_TICKS: &str = r#"/// A stream: 0, 1, … count - 1, each `ms` after it is asked for (`for await`): an iterator of
/// promises, each started when the loop asks for it.
fn ticks(count: impl Into<Value>, ms: impl Into<Value>) -> impl Iterator<Item = Value> {
    let wait = millis(ms);
    (0..count.into().num().max(0.0) as usize).map(move |i| {
        start(async move {
            tokio::time::sleep(wait).await;
            Ok(Value::from(i))
        })
    })
}
"#;

const RS_SPIN: &str = r#"/// Keeps this thread busy for `ms`: on the runtime's one thread, nothing else runs meanwhile.
fn spin(ms: impl Into<Value>) -> Value {
    let end = Instant::now() + millis(ms);
    while Instant::now() < end {}
    Value::Undefined
}
"#;

const RS_WORKERS: &str = r#"/// Four workers, as the prediction assumes.
static WORKERS: Semaphore = Semaphore::const_new(4);

/// CPU work for `ms` milliseconds; answers the arithmetic steps it managed.
fn burn(ms: u64) -> u64 {
    let end = Instant::now() + Duration::from_millis(ms);
    let (mut steps, mut x) = (0_u64, 0x9E37_79B9_7F4A_7C15_u64);
    while Instant::now() < end {
        for _ in 0..1000 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        }
        steps += 1000;
    }
    std::hint::black_box(x);
    steps
}

/// Trial division by every odd number up to the square root: honest, predictable work.
fn is_prime(n: u64) -> bool {
    if n < 4 {
        return n >= 2;
    }
    if n % 2 == 0 {
        return false;
    }
    let mut d = 3;
    while d * d <= n {
        if n % d == 0 {
            return false;
        }
        d += 2;
    }
    true
}

/// How many primes lie in [from, to).
fn count_primes(from: u64, to: u64) -> u64 {
    (from..to).filter(|&n| is_prime(n)).count() as u64
}

/// Escape-time iterations of the rows [from, to) of a width x height Mandelbrot image.
fn mandelbrot_rows(from: u64, to: u64, width: u64, height: u64, max_iter: u64) -> u64 {
    let mut total = 0;
    for y in from..to {
        let cy = -1.0 + (y as f64 + 0.5) * 2.0 / height as f64;
        for x in 0..width {
            let cx = -2.5 + (x as f64 + 0.5) * 3.5 / width as f64;
            let (mut zr, mut zi, mut i) = (0.0_f64, 0.0_f64, 0);
            while i < max_iter && zr * zr + zi * zi <= 4.0 {
                (zr, zi) = (zr * zr - zi * zi + cx, 2.0 * zr * zi + cy);
                i += 1;
            }
            total += i;
        }
    }
    total
}

/// Runs `job` on a worker thread (`spawn_blocking`): the runtime's thread stays free.
fn worker(job: impl FnOnce() -> u64 + Send + 'static) -> Value {
    start(async move {
        let _worker = WORKERS.acquire().await;
        let answer = tokio::task::spawn_blocking(job).await;
        answer.map(Value::from).map_err(|e| Value::error("Error", e.to_string()))
    })
}

/// Cuts [from, to) into `parts` ranges, runs `job` on each on a worker, adds up the answers.
fn parallel(parts: impl Into<Value>, job: impl Fn(u64, u64) -> u64 + Send + Copy + 'static, from: u64, to: u64) -> Value {
    let parts = parts.into().num().max(1.0) as u64;
    let cut = move |i: u64| from + (to - from) * i / parts;
    let pieces: Vec<Value> = (0..parts).map(|i| worker(move || job(cut(i), cut(i + 1)))).collect();
    start(async move {
        let answers = try_join_all(pieces.into_iter().map(IntoFuture::into_future)).await?;
        Ok(Value::from(answers.iter().map(Value::num).sum::<f64>()))
    })
}
"#;

const RS_ALL: &str = r#"/// Promise.all: every answer, in the order given; the first error if one fails.
fn all(promises: impl Into<Value>) -> Value {
    let promises = promises.into();
    start(async move { try_join_all(promises.into_iter().map(IntoFuture::into_future)).await.map(Value::array) })
}
"#;

const RS_ALL_SETTLED: &str = r#"/// Promise.allSettled: waits for every one and says how each ended.
fn all_settled(promises: impl Into<Value>) -> Value {
    let promises = promises.into();
    start(async move {
        let answers = join_all(promises.into_iter().map(IntoFuture::into_future)).await.into_iter().map(|answer| match answer {
            Ok(value) => Value::record(vec![("status", "fulfilled".into()), ("value", value)]),
            Err(reason) => Value::record(vec![("status", "rejected".into()), ("reason", reason)]),
        });
        Ok(Value::array(answers.collect()))
    })
}
"#;

const RS_RACE: &str = r#"/// Promise.race: the first to end, answer or error.
fn race(promises: impl Into<Value>) -> Value {
    let promises: Vec<_> = promises.into().into_iter().map(IntoFuture::into_future).collect();
    start(async move { select_all(promises).await.0 })
}
"#;

const RS_ANY: &str = r#"/// Promise.any: the first answer; an AggregateError if every one fails.
fn any(promises: impl Into<Value>) -> Value {
    let mut left: Vec<_> = promises.into().into_iter().map(IntoFuture::into_future).collect();
    start(async move {
        while !left.is_empty() {
            let (answer, _, rest) = select_all(left).await;
            if answer.is_ok() {
                return answer;
            }
            left = rest;
        }
        Err(Value::error("AggregateError", "All promises were rejected"))
    })
}
"#;

const RS_RESOLVE: &str = r#"/// Promise.resolve / Promise.reject: a promise already settled.
fn settled(outcome: Outcome) -> Value {
    start(async move { outcome })
}
"#;

const RS_METHODS: &str = r#"/// The array methods: `xs.map(f)`, `xs.filter(f)`, … (f gets the item and its index).
impl Value {
    fn map(&self, f: Value) -> Outcome {
        let items = self.clone().into_iter().enumerate();
        items.map(|(i, x)| f.call(vec![x, Value::from(i)])).collect::<Result<Vec<_>, _>>().map(Value::array)
    }

    fn filter(&self, f: Value) -> Outcome {
        let mut kept = Vec::new();
        for (i, x) in self.clone().into_iter().enumerate() {
            if f.call(vec![x.clone(), Value::from(i)])?.truthy() {
                kept.push(x);
            }
        }
        Ok(Value::array(kept))
    }

    fn for_each(&self, f: Value) -> Outcome {
        for (i, x) in self.clone().into_iter().enumerate() {
            f.call(vec![x, Value::from(i)])?;
        }
        Ok(Value::Undefined)
    }

    fn reduce(&self, f: Value, initial: impl Into<Value>) -> Outcome {
        let mut acc = initial.into();
        for (i, x) in self.clone().into_iter().enumerate() {
            acc = f.call(vec![acc, x, Value::from(i)])?;
        }
        Ok(acc)
    }

    fn join(&self, separator: impl Into<Value>) -> Value {
        let items: Vec<String> = self.clone().into_iter().map(|x| Value::array(vec![x]).to_string()).collect();
        Value::from(items.join(&separator.into().to_string()))
    }

    fn includes(&self, value: impl Into<Value> + Clone) -> Value {
        Value::from(self.clone().into_iter().any(|x| x == value.clone()))
    }
}
"#;

const RS_VALUE: &str = r#"/// A JavaScript value: what the program's variables hold.
#[derive(Clone)]
enum Value {
    Undefined,
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    /// An array: copies of the value share it, as in JavaScript.
    Array(Arc<Mutex<Vec<Value>>>),
    /// A record, { name: value }; an error is one with a name and a message.
    Object(Arc<Vec<(String, Value)>>),
    /// A function: its arguments in, a value (or a thrown one) out.
    Function(Arc<dyn Fn(Vec<Value>) -> Outcome + Send + Sync>),
    /// Work already started; awaiting it again gives the same answer.
    Promise(Shared<BoxFuture<'static, Outcome>>),
}

/// A value, or the value thrown instead: `?` carries it up to the nearest catch.
type Outcome = Result<Value, Value>;

impl Value {
    fn array(items: Vec<Value>) -> Value {
        Value::Array(Arc::new(Mutex::new(items)))
    }

    fn record(fields: Vec<(&str, Value)>) -> Value {
        Value::Object(Arc::new(fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect()))
    }

    fn error(name: &str, message: impl Into<String>) -> Value {
        Value::record(vec![("name", name.into()), ("message", Value::Str(message.into()))])
    }

    fn function(f: impl Fn(Vec<Value>) -> Outcome + Send + Sync + 'static) -> Value {
        Value::Function(Arc::new(f))
    }

    /// Calls the function with `args`.
    fn call(&self, args: Vec<Value>) -> Outcome {
        match self {
            Value::Function(f) => f(args),
            other => Err(Value::error("TypeError", format!("{other} is not a function"))),
        }
    }

    /// JavaScript's truthiness.
    fn truthy(&self) -> bool {
        match self {
            Value::Undefined | Value::Null => false,
            Value::Bool(b) => *b,
            Value::Num(n) => *n != 0.0 && !n.is_nan(),
            Value::Str(s) => !s.is_empty(),
            _ => true,
        }
    }

    fn num(&self) -> f64 {
        match self {
            Value::Num(n) => *n,
            Value::Bool(b) => f64::from(u8::from(*b)),
            Value::Str(s) => s.trim().parse().unwrap_or(f64::NAN),
            Value::Null => 0.0,
            _ => f64::NAN,
        }
    }

    /// `value.name`: a record's field, or an array's or a string's length.
    fn get(&self, name: &str) -> Value {
        match (self, name) {
            (Value::Array(items), "length") => Value::from(items.lock().unwrap().len()),
            (Value::Str(s), "length") => Value::from(s.chars().count()),
            (Value::Object(fields), _) => {
                fields.iter().find(|(k, _)| k == name).map_or(Value::Undefined, |(_, v)| v.clone())
            }
            _ => Value::Undefined,
        }
    }

    /// `value[i]`.
    fn at(&self, i: impl Into<Value>) -> Value {
        match (self, i.into()) {
            (Value::Array(items), Value::Num(i)) => {
                items.lock().unwrap().get(i as usize).cloned().unwrap_or(Value::Undefined)
            }
            (_, Value::Str(name)) => self.get(&name),
            _ => Value::Undefined,
        }
    }

    /// `array.push(value)`: adds it at the end, answers the new length.
    fn push(&self, value: impl Into<Value>) -> Value {
        match self {
            Value::Array(items) => {
                let mut items = items.lock().unwrap();
                items.push(value.into());
                Value::from(items.len())
            }
            _ => Value::Undefined,
        }
    }
}

/// A function's argument `i` (undefined when it was not given).
fn arg(args: &[Value], i: usize) -> Value {
    args.get(i).cloned().unwrap_or(Value::Undefined)
}

impl From<f64> for Value {
    fn from(n: f64) -> Value {
        Value::Num(n)
    }
}
impl From<i32> for Value {
    fn from(n: i32) -> Value {
        Value::Num(n.into())
    }
}
impl From<usize> for Value {
    fn from(n: usize) -> Value {
        Value::Num(n as f64)
    }
}
impl From<u64> for Value {
    fn from(n: u64) -> Value {
        Value::Num(n as f64)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Str(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Str(s)
    }
}
impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Value {
        Value::array(items)
    }
}

/// `for x of array`: the items as they are when the loop begins.
impl IntoIterator for Value {
    type Item = Value;
    type IntoIter = std::vec::IntoIter<Value>;
    fn into_iter(self) -> Self::IntoIter {
        match self {
            Value::Array(items) => items.lock().unwrap().clone().into_iter(),
            _ => Vec::new().into_iter(),
        }
    }
}

/// `await value`: a promise's answer (or its error), or the value itself.
impl std::future::IntoFuture for Value {
    type Output = Outcome;
    type IntoFuture = BoxFuture<'static, Outcome>;
    fn into_future(self) -> Self::IntoFuture {
        match self {
            Value::Promise(p) => p.boxed(),
            other => async move { Ok(other) }.boxed(),
        }
    }
}

/// Starts `work` at once, as a JavaScript promise does, and answers the promise.
fn start(work: impl Future<Output = Outcome> + Send + 'static) -> Value {
    let task = tokio::spawn(work);
    let answer = async move { task.await.unwrap_or_else(|e| Err(Value::error("Error", e.to_string()))) };
    Value::Promise(answer.boxed().shared())
}

/// JavaScript's `String(value)`: what `+` joins into a string.
impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Undefined => write!(f, "undefined"),
            Value::Null => write!(f, "null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Num(n) if n.is_infinite() => write!(f, "{}Infinity", if *n < 0.0 { "-" } else { "" }),
            Value::Num(n) => write!(f, "{n}"),
            Value::Str(s) => write!(f, "{s}"),
            Value::Array(items) => {
                let items = items.lock().unwrap();
                let parts: Vec<String> = items
                    .iter()
                    .map(|v| match v {
                        Value::Undefined | Value::Null => String::new(),
                        v => v.to_string(),
                    })
                    .collect();
                write!(f, "{}", parts.join(","))
            }
            Value::Object(_) => match (self.get("name"), self.get("message")) {
                (Value::Str(name), Value::Str(message)) => write!(f, "{name}: {message}"),
                _ => write!(f, "[object Object]"),
            },
            Value::Function(_) => write!(f, "[Function]"),
            Value::Promise(_) => write!(f, "[object Promise]"),
        }
    }
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", show(self, 0))
    }
}

/// A value as console.log shows it (as Node does): strings quoted when nested.
fn show(value: &Value, depth: usize) -> String {
    match value {
        Value::Str(s) if depth > 0 => format!("'{}'", s.replace('\'', "\\'")),
        Value::Array(_) if depth > 2 => "[Array]".into(),
        Value::Array(items) => {
            let items = items.lock().unwrap();
            if items.is_empty() {
                return "[]".into();
            }
            let mut parts: Vec<String> = items.iter().take(100).map(|v| show(v, depth + 1)).collect();
            if items.len() > 100 {
                let more = items.len() - 100;
                parts.push(format!("... {more} more item{}", if more == 1 { "" } else { "s" }));
            }
            format!("[ {} ]", parts.join(", "))
        }
        Value::Object(fields) if fields.len() == 2 && fields[0].0 == "name" && fields[1].0 == "message" => {
            value.to_string()
        }
        Value::Object(_) if depth > 2 => "[Object]".into(),
        Value::Object(fields) => {
            let parts: Vec<String> = fields.iter().map(|(k, v)| format!("{k}: {}", show(v, depth + 1))).collect();
            format!("{{ {} }}", parts.join(", "))
        }
        Value::Promise(_) => "Promise { <pending> }".into(),
        other => other.to_string(),
    }
}

/// What console.log can print.
trait Show {
    fn show(&self) -> String;
}
impl Show for Value {
    fn show(&self) -> String {
        show(self, 0)
    }
}
impl Show for &str {
    fn show(&self) -> String {
        self.to_string()
    }
}
impl Show for String {
    fn show(&self) -> String {
        self.clone()
    }
}
impl Show for i32 {
    fn show(&self) -> String {
        self.to_string()
    }
}
impl Show for f64 {
    fn show(&self) -> String {
        Value::Num(*self).to_string()
    }
}
impl Show for bool {
    fn show(&self) -> String {
        self.to_string()
    }
}

/// Strict equality (`===`): by value for numbers, strings and booleans, by identity else.
impl<T: Into<Value> + Clone> PartialEq<T> for Value {
    fn eq(&self, other: &T) -> bool {
        match (self, &other.clone().into()) {
            (Value::Undefined, Value::Undefined) | (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Num(a), Value::Num(b)) => a == b,
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::Array(a), Value::Array(b)) => Arc::ptr_eq(a, b),
            (Value::Object(a), Value::Object(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

/// `<` and friends: strings by their text, anything else as numbers.
impl<T: Into<Value> + Clone> PartialOrd<T> for Value {
    fn partial_cmp(&self, other: &T) -> Option<std::cmp::Ordering> {
        match (self, &other.clone().into()) {
            (Value::Str(a), Value::Str(b)) => a.partial_cmp(b),
            (a, b) => a.num().partial_cmp(&b.num()),
        }
    }
}

/// `a + b`: numbers add; anything with a string joins as text.
impl<T: Into<Value>> std::ops::Add<T> for Value {
    type Output = Value;
    fn add(self, other: T) -> Value {
        match (self, other.into()) {
            (a @ Value::Str(_), b) | (a, b @ Value::Str(_)) => Value::Str(format!("{a}{b}")),
            (a, b) => Value::Num(a.num() + b.num()),
        }
    }
}

macro_rules! arithmetic {
    ($($trait:ident $method:ident $op:tt),*) => {$(
        impl<T: Into<Value>> std::ops::$trait<T> for Value {
            type Output = Value;
            fn $method(self, other: T) -> Value {
                Value::Num(self.num() $op other.into().num())
            }
        }
    )*};
}
arithmetic!(Sub sub -, Mul mul *, Div div /, Rem rem %);

impl std::ops::Neg for Value {
    type Output = Value;
    fn neg(self) -> Value {
        Value::Num(-self.num())
    }
}

/// A variable that functions share (each sees the others' writes), as a JavaScript closure
/// shares the variables around it: an `Arc<Mutex<…>>`.
#[derive(Clone)]
struct Var(Arc<Mutex<Value>>);

impl Var {
    fn new(value: impl Into<Value>) -> Var {
        Var(Arc::new(Mutex::new(value.into())))
    }
    fn get(&self) -> Value {
        self.0.lock().unwrap().clone()
    }
    fn set(&self, value: impl Into<Value>) {
        *self.0.lock().unwrap() = value.into();
    }
}
"#;
