//! What every translation needs to know about a program before writing a line: which built-ins
//! it uses (so only their helpers are written out), which names it declares itself (a program
//! may call its own function `call`), which of its functions are `async`, and a rough guess of
//! what an expression holds (a string, a number, a promise), which decides how `+` is written
//! and whether a call must be started as a task.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::lang::ast::{Body, Expr, ExprKind, Function, Program, Stmt, StmtKind};
use crate::lang::value::{Builtin, Value};

/// [`Builtin`], ordered (so the helpers a program uses come out in a stable order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct BuiltinId(pub(crate) u8);

/// Every built-in, in the order their helpers are written.
pub(crate) const BUILTINS: &[Builtin] = &[
    Builtin::Now,
    Builtin::Log,
    Builtin::Error,
    Builtin::Sleep,
    Builtin::Call,
    Builtin::Fail,
    Builtin::Timeout,
    Builtin::Retry,
    Builtin::Limit,
    Builtin::Range,
    Builtin::Ticks,
    Builtin::Spin,
    Builtin::Burn,
    Builtin::Primes,
    Builtin::Mandelbrot,
    Builtin::Worker,
    Builtin::Parallel,
    Builtin::All,
    Builtin::AllSettled,
    Builtin::Race,
    Builtin::Any,
    Builtin::Resolve,
    Builtin::Reject,
];

impl BuiltinId {
    fn of(b: Builtin) -> BuiltinId {
        BuiltinId(BUILTINS.iter().position(|x| *x == b).unwrap_or(0) as u8)
    }
}

/// The array methods (the prelude's, and `push`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Method {
    /// `xs.push(a)`.
    Push,
    /// `xs.map(f)`.
    Map,
    /// `xs.filter(f)`.
    Filter,
    /// `xs.forEach(f)`.
    ForEach,
    /// `xs.reduce(f, initial)`.
    Reduce,
    /// `xs.join(separator)`.
    Join,
    /// `xs.includes(v)`.
    Includes,
}

impl Method {
    /// The method called `name`, if the language has it.
    pub(crate) fn of(name: &str) -> Option<Method> {
        Some(match name {
            "push" => Method::Push,
            "map" => Method::Map,
            "filter" => Method::Filter,
            "forEach" => Method::ForEach,
            "reduce" => Method::Reduce,
            "join" => Method::Join,
            "includes" => Method::Includes,
            _ => return None,
        })
    }
}

/// What an expression holds, as far as the text shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A string.
    Str,
    /// A whole number (a literal, a `range` loop variable, a length, a time).
    Int,
    /// A number that may have a fraction.
    Num,
    /// `true` or `false`.
    Bool,
    /// A promise: a call that starts work.
    Promise,
    /// An array.
    Array,
    /// Anything else, or not known.
    Other,
}

/// The facts about one program the translations share.
pub(crate) struct Info {
    /// Every name the program declares (variables, functions, parameters, loop variables,
    /// caught errors): such a name is never a built-in.
    pub(crate) declared: HashSet<String>,
    /// Names of the program's `async` functions (declared, or a `const` bound to an async
    /// function).
    pub(crate) async_fns: HashSet<String>,
    /// How many parameters each named function takes.
    pub(crate) params: std::collections::HashMap<String, usize>,
    /// Async functions that do something visible (log, assign a variable around them, throw)
    /// before their first `await`: JavaScript does it when the function is called, while a
    /// task that starts at the loop's next turn does it later.
    pub(crate) eager: HashSet<String>,
    /// The built-ins it calls or names.
    pub(crate) uses: BTreeSet<BuiltinId>,
    /// The array methods it calls.
    pub(crate) methods: BTreeSet<Method>,
}

impl Info {
    /// Walks `program` once.
    pub(crate) fn new(program: &Program) -> Info {
        let mut info = Info {
            declared: HashSet::new(),
            async_fns: HashSet::new(),
            params: Default::default(),
            eager: HashSet::new(),
            uses: BTreeSet::new(),
            methods: BTreeSet::new(),
        };
        for s in &program.body {
            info.declare_stmt(s);
        }
        for s in &program.body {
            info.use_stmt(s);
        }
        info
    }

    fn declare_fn(&mut self, f: &Function) {
        self.declared.extend(f.params.iter().cloned());
        match &f.body {
            Body::Block(b) => b.iter().for_each(|s| self.declare_stmt(s)),
            Body::Expr(e) => self.declare_expr(e),
        }
    }

    fn declare_stmt(&mut self, s: &Stmt) {
        match &s.kind {
            StmtKind::Declare { name, init, .. } => {
                self.declared.insert(name.clone());
                if let Some(e) = init {
                    if let ExprKind::Function(f) = &e.kind {
                        self.params.insert(name.clone(), f.params.len());
                        if f.is_async && acts_before_await(f) {
                            self.eager.insert(name.clone());
                        }
                        if f.is_async {
                            self.async_fns.insert(name.clone());
                        }
                    }
                    self.declare_expr(e);
                }
            }
            StmtKind::Function(f) => {
                if let Some(name) = &f.name {
                    self.declared.insert(name.clone());
                    self.params.insert(name.clone(), f.params.len());
                    if f.is_async && acts_before_await(f) {
                        self.eager.insert(name.clone());
                    }
                    if f.is_async {
                        self.async_fns.insert(name.clone());
                    }
                }
                self.declare_fn(f);
            }
            StmtKind::ForOf { name, body, .. } => {
                self.declared.insert(name.clone());
                body.iter().for_each(|s| self.declare_stmt(s));
            }
            StmtKind::Try {
                body,
                catch,
                finally,
            } => {
                body.iter().for_each(|s| self.declare_stmt(s));
                if let Some((name, b)) = catch {
                    self.declared.extend(name.iter().cloned());
                    b.iter().for_each(|s| self.declare_stmt(s));
                }
                finally.iter().flatten().for_each(|s| self.declare_stmt(s));
            }
            _ => {
                let (mut stmts, mut exprs) = (Vec::new(), Vec::new());
                for_children(s, &mut |c| stmts.push(c), &mut |e| exprs.push(e));
                stmts.into_iter().for_each(|c| self.declare_stmt(c));
                exprs.into_iter().for_each(|e| self.declare_expr(e));
            }
        }
    }

    fn declare_expr(&mut self, e: &Expr) {
        visit_expr(e, &mut |e| {
            if let ExprKind::Function(f) = &e.kind {
                self.declare_fn(f);
                if let Some(name) = &f.name {
                    self.declared.insert(name.clone());
                }
            }
        });
    }

    fn use_stmt(&mut self, s: &Stmt) {
        visit_stmt(s, &mut |e| {
            if let ExprKind::Call(callee, _) = &e.kind {
                if let ExprKind::Member(_, name) = &callee.kind {
                    if let Some(m) = Method::of(name) {
                        self.methods.insert(m);
                    }
                }
            }
            if let ExprKind::Member(..) | ExprKind::Ident(_) = &e.kind {
                if let Some(b) = self.builtin(e) {
                    self.uses.insert(BuiltinId::of(b));
                }
            }
        });
    }

    /// The built-in `e` names (`sleep`, `Promise.all`, `console.log`), unless the program
    /// declares that name itself.
    pub(crate) fn builtin(&self, e: &Expr) -> Option<Builtin> {
        match &e.kind {
            ExprKind::Ident(name) if !self.declared.contains(name) => match Builtin::global(name) {
                Some(Value::Builtin(b)) => Some(b),
                _ => None,
            },
            ExprKind::Member(object, member) => match &object.kind {
                ExprKind::Ident(ns) if !self.declared.contains(ns) => match Builtin::global(ns) {
                    Some(Value::Namespace(n)) => n.member(member),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        }
    }

    /// The built-in a call calls, if any.
    pub(crate) fn called<'e>(&self, e: &'e Expr) -> Option<(Builtin, &'e [Expr])> {
        match &e.kind {
            ExprKind::Call(callee, args) => self.builtin(callee).map(|b| (b, args.as_slice())),
            _ => None,
        }
    }

    /// The CPU kernel a worker job describes, with its arguments: `burn(ms)`, `primes(n)` or
    /// `mandelbrot(w, h, iter)`, written as is or returned by a function of no parameters.
    pub(crate) fn kernel_call<'e>(&self, job: &'e Expr) -> Option<(Builtin, &'e [Expr])> {
        let call = match &job.kind {
            ExprKind::Function(f) if f.params.is_empty() => match &f.body {
                Body::Expr(e) => e,
                Body::Block(b) => match b.as_slice() {
                    [Stmt {
                        kind: StmtKind::Return(Some(e)),
                        ..
                    }] => e,
                    _ => return None,
                },
            },
            _ => job,
        };
        self.called(call)
            .filter(|(b, _)| matches!(b, Builtin::Burn | Builtin::Primes | Builtin::Mandelbrot))
    }

    /// True when the program uses built-in `b`.
    pub(crate) fn uses(&self, b: Builtin) -> bool {
        self.uses.contains(&BuiltinId::of(b))
    }

    /// True when calling `e` starts asynchronous work and gives a promise: an async built-in
    /// or one of the program's async functions.
    pub(crate) fn is_async_call(&self, e: &Expr) -> bool {
        let ExprKind::Call(callee, _) = &e.kind else {
            return false;
        };
        if let Some(b) = self.builtin(callee) {
            return is_async_builtin(b);
        }
        match &callee.kind {
            ExprKind::Ident(name) => self.async_fns.contains(name),
            ExprKind::Function(f) => f.is_async,
            _ => false,
        }
    }

    /// A guess of what `e` holds.
    pub(crate) fn kind(&self, e: &Expr, vars: &HashMap<String, Kind>) -> Kind {
        match &e.kind {
            ExprKind::Str(_) => Kind::Str,
            ExprKind::Num(n) if n.fract() == 0.0 && n.abs() < 1e15 => Kind::Int,
            ExprKind::Num(_) => Kind::Num,
            ExprKind::Bool(_) => Kind::Bool,
            ExprKind::Ident(name) => vars.get(name).copied().unwrap_or(Kind::Other),
            ExprKind::Unary(crate::lang::ast::UnaryOp::Not, _) => Kind::Bool,
            ExprKind::Binary(op, a, b) => {
                use crate::lang::ast::BinaryOp::*;
                let (ka, kb) = (self.kind(a, vars), self.kind(b, vars));
                let numeric = |k: Kind| matches!(k, Kind::Int | Kind::Num);
                match op {
                    Add if ka == Kind::Str || kb == Kind::Str => Kind::Str,
                    Add if !(numeric(ka) && numeric(kb)) => Kind::Other,
                    Add | Sub | Mul | Rem if ka == Kind::Int && kb == Kind::Int => Kind::Int,
                    Add | Sub | Mul | Rem | Div => Kind::Num,
                    _ => Kind::Bool,
                }
            }
            ExprKind::Member(_, name) if name == "length" => Kind::Int,
            ExprKind::Array(_) => Kind::Array,
            ExprKind::Await(inner) => match &inner.kind {
                ExprKind::Call(..) => match self.called(inner) {
                    Some((Builtin::All | Builtin::AllSettled | Builtin::Limit, _)) => Kind::Array,
                    _ => Kind::Other,
                },
                _ => Kind::Other,
            },
            ExprKind::Call(callee, _) if matches!(&callee.kind, ExprKind::Member(_, m) if m == "map" || m == "filter") => {
                Kind::Array
            }
            ExprKind::Call(..) => match self.called(e) {
                Some((Builtin::Range, _)) => Kind::Array,
                Some((Builtin::Now, _)) => Kind::Int,
                Some((Builtin::Primes | Builtin::Mandelbrot | Builtin::Burn, _)) => Kind::Other,
                _ if self.is_async_call(e) => Kind::Promise,
                _ => Kind::Other,
            },
            _ => Kind::Other,
        }
    }
}

impl Info {
    /// What each variable holds, when every value it is given agrees: whole numbers (`range`
    /// and `ticks` loop variables, counters), numbers, strings, booleans; `Other` when they
    /// disagree or are unknown (parameters, loop variables over arrays).
    pub(crate) fn var_kinds(&self, body: &[Stmt]) -> HashMap<String, Kind> {
        let mut kinds: HashMap<String, Kind> = HashMap::new();
        // A few rounds: a variable's kind can depend on another's.
        for round in 0..4 {
            let mut next: HashMap<String, Kind> = HashMap::new();
            let give = |name: &str, k: Kind, next: &mut HashMap<String, Kind>| {
                let joined = match next.get(name) {
                    None => k,
                    Some(&old) if old == k => k,
                    Some(Kind::Int | Kind::Num) if matches!(k, Kind::Int | Kind::Num) => Kind::Num,
                    Some(_) => Kind::Other,
                };
                next.insert(name.to_string(), joined);
            };
            let visit = |s: &Stmt, next: &mut HashMap<String, Kind>| match &s.kind {
                StmtKind::Declare { name, init, .. } => {
                    let k = init.as_ref().map_or(Kind::Other, |e| self.kind(e, &kinds));
                    give(name, k, next);
                }
                StmtKind::ForOf { name, iterable, .. } => {
                    let k = match self.called(iterable) {
                        Some((Builtin::Range | Builtin::Ticks, _)) => Kind::Int,
                        _ => Kind::Other,
                    };
                    give(name, k, next);
                }
                StmtKind::Function(f) => {
                    f.params.iter().for_each(|p| give(p, Kind::Other, next));
                }
                StmtKind::Try {
                    catch: Some((Some(name), _)),
                    ..
                } => give(name, Kind::Other, next),
                _ => {}
            };
            fn all_stmts<'a>(body: &'a [Stmt], out: &mut Vec<&'a Stmt>) {
                for s in body {
                    out.push(s);
                    let mut inner = Vec::new();
                    for_children(s, &mut |c| inner.push(c), &mut |_| {});
                    for c in inner {
                        all_stmts(std::slice::from_ref(c), out);
                    }
                }
            }
            let mut stmts = Vec::new();
            all_stmts(body, &mut stmts);
            let mut exprs: Vec<&Expr> = Vec::new();
            for s in &stmts {
                visit(s, &mut next);
            }
            for s in body {
                visit_stmt(s, &mut |e| exprs.push(e));
            }
            for e in exprs {
                match &e.kind {
                    // The first round reads declarations only: an assignment's value may read
                    // the variable itself, whose kind is not known yet.
                    ExprKind::Assign(name, v) if round > 0 => {
                        let k = self.kind(v, &kinds);
                        give(name, k, &mut next);
                    }
                    ExprKind::Function(f) => {
                        f.params
                            .iter()
                            .for_each(|p| give(p, Kind::Other, &mut next));
                    }
                    _ => {}
                }
            }
            if next == kinds {
                break;
            }
            kinds = next;
        }
        kinds
    }
}

/// True when `f` logs, assigns a variable of the code around it, or throws before its first
/// `await` (in the statements it runs first, in order).
fn acts_before_await(f: &Function) -> bool {
    let body = body_stmts(f);
    let own = locals(&body);
    for s in &body {
        let mut awaits = false;
        let mut acts = matches!(s.kind, StmtKind::Throw(_));
        visit_stmt(s, &mut |e| match &e.kind {
            ExprKind::Await(_) => awaits = true,
            ExprKind::Assign(name, _) if !own.contains(name) => acts = true,
            ExprKind::Call(callee, _) => {
                if let ExprKind::Member(o, m) = &callee.kind {
                    acts |= m == "log" && matches!(&o.kind, ExprKind::Ident(c) if c == "console");
                }
            }
            _ => {}
        });
        // In a statement with an await, the await comes first: `console.log(await x)`.
        if awaits {
            return false;
        }
        if acts {
            return true;
        }
    }
    false
}

/// True for the built-ins that give a promise.
pub(crate) fn is_async_builtin(b: Builtin) -> bool {
    use Builtin::*;
    matches!(
        b,
        Sleep
            | Call
            | Fail
            | Timeout
            | Retry
            | Limit
            | Worker
            | Parallel
            | All
            | AllSettled
            | Race
            | Any
            | Resolve
            | Reject
    )
}

/// Calls `stmt` for each statement directly inside `s` and `expr` for each expression directly
/// in it (not inside nested statements).
pub(crate) fn for_children<'a>(
    s: &'a Stmt,
    stmt: &mut dyn FnMut(&'a Stmt),
    expr: &mut dyn FnMut(&'a Expr),
) {
    match &s.kind {
        StmtKind::Declare { init, .. } => init.iter().for_each(&mut *expr),
        StmtKind::Expr(e) | StmtKind::Throw(e) => expr(e),
        StmtKind::Return(e) => e.iter().for_each(&mut *expr),
        StmtKind::If {
            cond,
            then,
            otherwise,
        } => {
            expr(cond);
            then.iter().for_each(&mut *stmt);
            otherwise.iter().flatten().for_each(&mut *stmt);
        }
        StmtKind::ForOf { iterable, body, .. } => {
            expr(iterable);
            body.iter().for_each(&mut *stmt);
        }
        StmtKind::While { cond, body } => {
            expr(cond);
            body.iter().for_each(&mut *stmt);
        }
        StmtKind::Try {
            body,
            catch,
            finally,
        } => {
            body.iter().for_each(&mut *stmt);
            catch.iter().flat_map(|c| &c.1).for_each(&mut *stmt);
            finally.iter().flatten().for_each(&mut *stmt);
        }
        StmtKind::Block(b) => b.iter().for_each(&mut *stmt),
        StmtKind::Function(f) => match &f.body {
            Body::Block(b) => b.iter().for_each(&mut *stmt),
            Body::Expr(e) => expr(e),
        },
        StmtKind::Break | StmtKind::Continue => {}
    }
}

/// Calls `f` on every expression in `s`, nested ones (and those in nested functions) too.
pub(crate) fn visit_stmt<'a>(s: &'a Stmt, f: &mut dyn FnMut(&'a Expr)) {
    let mut stmts: Vec<&Stmt> = Vec::new();
    let mut exprs: Vec<&Expr> = Vec::new();
    for_children(s, &mut |c| stmts.push(c), &mut |e| exprs.push(e));
    for e in exprs {
        visit_expr(e, f);
    }
    for c in stmts {
        visit_stmt(c, f);
    }
}

/// Calls `f` on `e` and every expression inside it (function bodies too).
pub(crate) fn visit_expr<'a>(e: &'a Expr, f: &mut dyn FnMut(&'a Expr)) {
    f(e);
    match &e.kind {
        ExprKind::Array(items) => items.iter().for_each(|i| visit_expr(i, f)),
        ExprKind::Object(fields) => fields.iter().for_each(|(_, v)| visit_expr(v, f)),
        ExprKind::Unary(_, a) | ExprKind::Await(a) | ExprKind::Member(a, _) => visit_expr(a, f),
        ExprKind::Assign(_, a) => visit_expr(a, f),
        ExprKind::Binary(_, a, b) | ExprKind::Logical(_, a, b) | ExprKind::Index(a, b) => {
            visit_expr(a, f);
            visit_expr(b, f);
        }
        ExprKind::Conditional(a, b, c) => {
            visit_expr(a, f);
            visit_expr(b, f);
            visit_expr(c, f);
        }
        ExprKind::Call(callee, args) => {
            visit_expr(callee, f);
            args.iter().for_each(|a| visit_expr(a, f));
        }
        ExprKind::Function(func) => match &func.body {
            Body::Block(b) => b.iter().for_each(|s| visit_stmt(s, f)),
            Body::Expr(x) => visit_expr(x, f),
        },
        ExprKind::Num(_)
        | ExprKind::Str(_)
        | ExprKind::Bool(_)
        | ExprKind::Null
        | ExprKind::Ident(_) => {}
    }
}

/// Every name assigned (`x = …`) anywhere in `body`, nested functions included.
pub(crate) fn assigned(body: &[Stmt]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for s in body {
        visit_stmt(s, &mut |e| {
            if let ExprKind::Assign(name, _) = &e.kind {
                out.insert(name.clone());
            }
        });
    }
    out
}

/// Every name read anywhere in `body`.
pub(crate) fn idents(body: &[Stmt]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for s in body {
        visit_stmt(s, &mut |x| match &x.kind {
            ExprKind::Ident(n) | ExprKind::Assign(n, _) => {
                out.insert(n.clone());
            }
            _ => {}
        });
    }
    out
}

/// The names a block declares at its own level (`const`, `let`, functions), and in the
/// blocks nested in it that are not functions (the translations' functions have one scope).
pub(crate) fn locals(body: &[Stmt]) -> BTreeSet<String> {
    fn walk(s: &Stmt, out: &mut BTreeSet<String>) {
        match &s.kind {
            StmtKind::Declare { name, .. } => {
                out.insert(name.clone());
            }
            StmtKind::Function(f) => {
                out.extend(f.name.iter().cloned());
                return;
            }
            StmtKind::ForOf { name, .. } => {
                out.insert(name.clone());
            }
            StmtKind::Try {
                catch: Some((Some(name), _)),
                ..
            } => {
                out.insert(name.clone());
            }
            _ => {}
        }
        for_children(s, &mut |c| walk(c, out), &mut |_| {});
    }
    let mut out = BTreeSet::new();
    body.iter().for_each(|s| walk(s, &mut out));
    out
}

/// The text of a node, for comments (one line, cut to a sensible length).
pub(crate) fn snippet(src: &str, span: &std::ops::Range<usize>) -> String {
    let text = src.get(span.clone()).unwrap_or("");
    let one: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 80 {
        let cut: String = one.chars().take(77).collect();
        format!("{cut}...")
    } else {
        one
    }
}

/// The statements of a function's body (an arrow's expression as one `return`).
pub(crate) fn body_stmts(f: &Function) -> Vec<Stmt> {
    match &f.body {
        Body::Block(b) => b.clone(),
        Body::Expr(e) => vec![Stmt {
            kind: StmtKind::Return(Some(e.clone())),
            span: e.span.clone(),
        }],
    }
}

/// The `//` comment lines just above the statement that starts at byte `start` of `src` (blank
/// lines between them allowed), without their `//`: the program's own explanations, which the
/// translations keep. None when code comes first on the statement's line.
pub(crate) fn leading_comments(src: &str, start: usize) -> Vec<String> {
    let Some(before) = src.get(..start) else {
        return Vec::new();
    };
    let mut lines = before.split('\n').rev();
    if !lines.next().unwrap_or("").trim().is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for line in lines {
        let t = line.trim();
        if let Some(text) = t.strip_prefix("//") {
            out.push(
                text.strip_prefix(' ')
                    .unwrap_or(text)
                    .trim_end()
                    .to_string(),
            );
        } else if !t.is_empty() {
            break;
        }
    }
    out.reverse();
    out
}

/// A double-quoted string literal as C#, Python and Rust all read it: backslash, quote,
/// newline, carriage return and tab escaped the common way, any other control character as
/// `control(code)` (each language has its own spelling).
pub(crate) fn quoted(s: &str, control: impl Fn(u32) -> String) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&control(c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A number literal: `nan`, `inf` or `neg_inf` as named, a whole number below `whole_below`
/// plainly, anything else in Rust's shortest round-trip form followed by `suffix`.
pub(crate) fn number(
    n: f64,
    [nan, inf, neg_inf]: [&str; 3],
    whole_below: f64,
    suffix: &str,
) -> String {
    if n.is_nan() {
        nan.into()
    } else if n.is_infinite() {
        (if n > 0.0 { inf } else { neg_inf }).into()
    } else if n.fract() == 0.0 && n.abs() < whole_below {
        format!("{}", n as i64)
    } else {
        format!("{n:?}{suffix}")
    }
}
