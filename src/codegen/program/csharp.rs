//! A program as C# (.NET 8, top-level statements): a promise is a `Task` (which, as in
//! JavaScript, starts when it is made), `Promise.all` is `Task.WhenAll`, `Promise.race` is
//! `Task.WhenAny`, a timeout is `WaitAsync`, `limit` is a `SemaphoreSlim`, `ticks` an
//! `IAsyncEnumerable`, and CPU work goes to the thread pool with `Task.Run` (four at a time,
//! as the prediction assumes). Values the program does not type are `dynamic`; arrays are
//! `List<dynamic>`, records anonymous objects, errors a `JsError` with a name and a message.

use super::walk;
use crate::codegen::program::walk::{body_stmts, leading_comments, snippet, Info, Kind};
use crate::lang::ast::{
    BinaryOp, Body, Expr, ExprKind, Function, LogicalOp, Program, Stmt, StmtKind, UnaryOp,
};
use crate::lang::value::Builtin;

/// C# keywords a program's name must not be (written with `@`).
const KEYWORDS: &[&str] = &[
    "abstract",
    "base",
    "bool",
    "byte",
    "case",
    "char",
    "checked",
    "class",
    "decimal",
    "default",
    "delegate",
    "do",
    "double",
    "enum",
    "event",
    "explicit",
    "extern",
    "fixed",
    "float",
    "foreach",
    "goto",
    "implicit",
    "in",
    "int",
    "interface",
    "internal",
    "is",
    "lock",
    "long",
    "namespace",
    "object",
    "operator",
    "out",
    "override",
    "params",
    "private",
    "protected",
    "public",
    "readonly",
    "ref",
    "sbyte",
    "sealed",
    "short",
    "sizeof",
    "stackalloc",
    "static",
    "string",
    "struct",
    "switch",
    "typeof",
    "uint",
    "ulong",
    "unchecked",
    "unsafe",
    "ushort",
    "using",
    "virtual",
    "void",
    "volatile",
    "dynamic",
    "var",
];

/// The C# file for `program` (the source is `src`).
pub(crate) fn csharp(src: &str, program: &Program) -> String {
    let info = Info::new(program);
    let mut w = Cs {
        src,
        vars: info.var_kinds(&program.body),
        info,
        lines: Vec::new(),
        depth: 0,
        notes: Vec::new(),
        truthy: false,
        length: false,
        logic: false,
        in_async: vec![true],
    };
    w.block(&program.body);
    let body = std::mem::take(&mut w.lines);
    let mut out = String::from(
        "// The playground program in C# (.NET 8, top-level statements), with the same numbers.\n\
         using System.Diagnostics;\n\n",
    );
    let uses = |b: Builtin| w.info.uses(b);
    if uses(Builtin::Now) || uses(Builtin::Spin) || uses(Builtin::Burn) {
        out.push_str("var clock = Stopwatch.StartNew();\n");
    }
    if uses(Builtin::Worker) || uses(Builtin::Parallel) {
        out.push_str(
            "var workers = new SemaphoreSlim(4); // four workers, as the prediction assumes\n",
        );
    }
    out.push('\n');
    for line in body {
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str("\n// The playground's built-ins.\n");
    let mut add = |on: bool, text: &str| {
        if on {
            out.push('\n');
            out.push_str(text);
        }
    };
    add(uses(Builtin::Now), CS_NOW);
    add(uses(Builtin::Sleep), CS_SLEEP);
    add(uses(Builtin::Call), CS_CALL);
    add(uses(Builtin::Fail), CS_FAIL);
    add(uses(Builtin::Timeout), CS_TIMEOUT);
    add(uses(Builtin::Retry), CS_RETRY);
    add(uses(Builtin::Limit), CS_LIMIT);
    add(uses(Builtin::Ticks), CS_TICKS);
    add(uses(Builtin::Spin), CS_SPIN);
    add(uses(Builtin::Worker) || uses(Builtin::Parallel), CS_WORKERS);
    let groups = [
        Builtin::All,
        Builtin::AllSettled,
        Builtin::Race,
        Builtin::Any,
    ];
    add(groups.into_iter().any(uses), CS_TASKS);
    add(uses(Builtin::All), CS_ALL);
    add(uses(Builtin::AllSettled), CS_ALL_SETTLED);
    add(uses(Builtin::Race), CS_RACE);
    add(uses(Builtin::Any), CS_ANY);
    add(w.truthy, CS_TRUTHY);
    add(w.logic, CS_LOGIC);
    add(w.length, CS_LENGTH);
    add(uses(Builtin::Log), CS_LOG);
    add(true, CS_ERROR);
    out
}

struct Cs<'a> {
    src: &'a str,
    info: Info,
    lines: Vec<String>,
    depth: usize,
    notes: Vec<String>,
    truthy: bool,
    /// The program asks the length of something that may be a string or a list.
    length: bool,
    /// The program uses the value of `&&` or `||`.
    logic: bool,
    in_async: Vec<bool>,
    /// What each variable holds, where the program agrees with itself.
    vars: std::collections::HashMap<String, Kind>,
}

impl Cs<'_> {
    fn line(&mut self, text: &str) {
        let pad = "    ".repeat(self.depth);
        for note in std::mem::take(&mut self.notes) {
            self.lines.push(format!("{pad}// not translated: {note}"));
        }
        self.lines.push(format!("{pad}{text}"));
    }

    fn note(&mut self, e: &Expr, why: &str) {
        let text = snippet(self.src, &e.span);
        self.notes.push(format!("`{text}`: {why}"));
    }

    fn block(&mut self, body: &[Stmt]) {
        for s in body {
            self.stmt(s);
        }
    }

    fn braced(&mut self, head: &str, body: &[Stmt]) {
        if !head.is_empty() {
            self.line(head);
        }
        self.line("{");
        self.depth += 1;
        self.block(body);
        if !self.notes.is_empty() {
            self.line("");
            self.lines.pop();
        }
        self.depth -= 1;
        self.line("}");
    }

    /// A condition: as it is when it is a boolean, else through `Truthy`.
    fn cond(&mut self, e: &Expr) -> String {
        if let ExprKind::Logical(op, a, b) = &e.kind {
            let (a, b) = (self.cond(a), self.cond(b));
            let sym = if *op == LogicalOp::And { "&&" } else { "||" };
            return format!("({a} {sym} {b})");
        }
        let v = self.expr(e);
        let boolean = matches!(
            e.kind,
            ExprKind::Binary(
                BinaryOp::Eq
                    | BinaryOp::NotEq
                    | BinaryOp::Lt
                    | BinaryOp::Le
                    | BinaryOp::Gt
                    | BinaryOp::Ge,
                ..
            ) | ExprKind::Bool(_)
                | ExprKind::Unary(UnaryOp::Not, _)
                | ExprKind::Logical(..)
        );
        if boolean {
            v
        } else {
            self.truthy = true;
            format!("Truthy({v})")
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        for c in leading_comments(self.src, s.span.start) {
            self.line(format!("// {c}").trim_end());
        }
        match &s.kind {
            StmtKind::Declare { name, init, .. } => match init {
                Some(Expr {
                    kind: ExprKind::Function(f),
                    ..
                }) => self.local_function(&cs_name(name), f),
                Some(e) => {
                    let v = self.expr(e);
                    let literal = matches!(e.kind, ExprKind::Array(_) | ExprKind::Object(_));
                    let ty = match self.info.kind(e, &self.vars) {
                        Kind::Promise => "var",
                        _ if literal => "var",
                        _ => "dynamic",
                    };
                    self.line(&format!("{ty} {} = {v};", cs_name(name)));
                }
                None => self.line(&format!("dynamic {} = null;", cs_name(name))),
            },
            StmtKind::Expr(e) => {
                if let ExprKind::Call(callee, args) = &e.kind {
                    if let (ExprKind::Member(xs, m), [f]) = (&callee.kind, args.as_slice()) {
                        if m == "forEach" && self.info.builtin(callee).is_none() {
                            let xs = self.expr(xs);
                            let f = self.expr(f);
                            self.line(&format!("foreach (var x in {xs}) ({f})(x);"));
                            return;
                        }
                    }
                }
                let v = self.expr(e);
                self.line(&format!("{v};"));
            }
            StmtKind::Return(e) => match e {
                Some(e) => {
                    let v = self.expr(e);
                    let v = if *self.in_async.last().unwrap_or(&true) && self.info.is_async_call(e)
                    {
                        format!("await {v}")
                    } else {
                        v
                    };
                    self.line(&format!("return {v};"));
                }
                None if self.in_async.len() > 1 => self.line("return null;"),
                None => self.line("return;"),
            },
            StmtKind::If {
                cond,
                then,
                otherwise,
            } => {
                let c = self.cond(cond);
                self.braced(&format!("if ({c})"), then);
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
                            self.braced(&format!("else if ({c})"), then);
                            otherwise = next.as_deref();
                        }
                        _ => {
                            self.braced("else", other);
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
                let var = cs_name(name);
                let head = match self.info.called(iterable) {
                    Some((Builtin::Range, [n])) => {
                        let n = self.expr(n);
                        format!("foreach (var {var} in Enumerable.Range(0, {n}))")
                    }
                    Some((Builtin::Ticks, _)) if *is_await => {
                        let it = self.expr(iterable);
                        format!("await foreach (var {var} in {it})")
                    }
                    _ if *is_await => {
                        let it = self.expr(iterable);
                        let mut body = body.clone();
                        body.insert(
                            0,
                            Stmt {
                                kind: StmtKind::Declare {
                                    name: name.clone(),
                                    mutable: false,
                                    init: Some(Expr {
                                        kind: ExprKind::Await(Box::new(Expr {
                                            kind: ExprKind::Ident(format!("{name}Task")),
                                            span: iterable.span.clone(),
                                        })),
                                        span: iterable.span.clone(),
                                    }),
                                },
                                span: iterable.span.clone(),
                            },
                        );
                        self.braced(&format!("foreach (var {var}Task in {it})"), &body);
                        return;
                    }
                    _ => {
                        let it = self.expr(iterable);
                        format!("foreach (dynamic {var} in {it})")
                    }
                };
                self.braced(&head, body);
            }
            StmtKind::While { cond, body } => {
                let c = self.cond(cond);
                self.braced(&format!("while ({c})"), body);
            }
            StmtKind::Break => self.line("break;"),
            StmtKind::Continue => self.line("continue;"),
            StmtKind::Throw(e) => {
                let thrown = match &e.kind {
                    ExprKind::Ident(n) => cs_name(n),
                    _ if self.info.called(e).is_some_and(|c| c.0 == Builtin::Error) => self.expr(e),
                    _ => {
                        self.note(
                            e,
                            "JavaScript can throw any value; C# throws an exception, here a \
                             JsError with it as the message",
                        );
                        format!("new JsError($\"{{{}}}\")", self.expr(e))
                    }
                };
                self.line(&format!("throw {thrown};"));
            }
            StmtKind::Try {
                body,
                catch,
                finally,
            } => {
                self.braced("try", body);
                if let Some((name, handler)) = catch {
                    let head = match name {
                        Some(n) => format!("catch (JsError {})", cs_name(n)),
                        None => "catch (JsError)".into(),
                    };
                    self.braced(&head, handler);
                }
                if let Some(f) = finally {
                    self.braced("finally", f);
                }
            }
            StmtKind::Block(b) => self.braced("", b),
            StmtKind::Function(f) => {
                let name = cs_name(f.name.as_deref().unwrap_or("Anonymous"));
                self.local_function(&name, f);
            }
        }
    }

    /// `async Task<object?> name(dynamic a) { … }`, or `dynamic name(dynamic a) { … }`.
    fn local_function(&mut self, name: &str, f: &Function) {
        let params: Vec<String> = f
            .params
            .iter()
            .map(|p| format!("dynamic {}", cs_name(p)))
            .collect();
        let head = if f.is_async {
            format!("async Task<object?> {name}({})", params.join(", "))
        } else {
            format!("dynamic {name}({})", params.join(", "))
        };
        let mut body = body_stmts(f);
        if !matches!(body.last().map(|s| &s.kind), Some(StmtKind::Return(_))) {
            body.push(Stmt {
                kind: StmtKind::Return(Some(Expr {
                    kind: ExprKind::Null,
                    span: f.span.clone(),
                })),
                span: f.span.clone(),
            });
        }
        self.in_async.push(f.is_async);
        self.braced(&head, &body);
        self.in_async.pop();
    }

    /// A function as a value: a lambda.
    fn lambda(&mut self, f: &Function) -> String {
        // Parameters take their types from where the lambda goes (Select, Where, …).
        let params: Vec<String> = f.params.iter().map(|p| cs_name(p)).collect();
        let params = if f.params.len() == 1 {
            params.join("")
        } else {
            format!("({})", params.join(", "))
        };
        let prefix = if f.is_async { "async " } else { "" };
        // A job for limit() or retry(): typed, so that a list of them can hold it.
        let job = f.params.is_empty()
            && !f.is_async
            && matches!(&f.body, Body::Expr(e) if self.info.is_async_call(e));
        match &f.body {
            Body::Expr(e) if job => {
                let v = self.expr(e);
                format!("new Func<Task<object?>>(() => {v})")
            }
            Body::Expr(e) => {
                let v = self.expr(e);
                let v = if f.is_async && self.info.is_async_call(e) {
                    format!("await {v}")
                } else {
                    v
                };
                format!("{prefix}{params} => {v}")
            }
            Body::Block(b) => {
                // The block is written at this depth and joined back into one expression.
                let saved = std::mem::take(&mut self.lines);
                let saved_depth = self.depth;
                self.depth = 0;
                self.in_async.push(f.is_async);
                self.block(b);
                self.in_async.pop();
                let body = std::mem::replace(&mut self.lines, saved);
                self.depth = saved_depth;
                let pad = "    ".repeat(self.depth + 1);
                let close = "    ".repeat(self.depth);
                let inner: Vec<String> = body.iter().map(|l| format!("{pad}{l}")).collect();
                format!(
                    "{prefix}{params} =>\n{close}{{\n{}\n{close}}}",
                    inner.join("\n")
                )
            }
        }
    }

    fn expr(&mut self, e: &Expr) -> String {
        match &e.kind {
            ExprKind::Num(n) => cs_num(*n),
            ExprKind::Str(s) => cs_str(s),
            ExprKind::Bool(b) => b.to_string(),
            ExprKind::Null => "null".into(),
            ExprKind::Ident(name) => match name.as_str() {
                "undefined" if !self.info.declared.contains(name) => "null".into(),
                "NaN" if !self.info.declared.contains(name) => "double.NaN".into(),
                "Infinity" if !self.info.declared.contains(name) => {
                    "double.PositiveInfinity".into()
                }
                _ => cs_name(name),
            },
            ExprKind::Array(items) => {
                let items: Vec<String> = items.iter().map(|i| self.expr(i)).collect();
                if items.is_empty() {
                    "new List<dynamic>()".into()
                } else {
                    format!("new List<dynamic> {{ {} }}", items.join(", "))
                }
            }
            ExprKind::Object(fields) => {
                let fields: Vec<String> = fields
                    .iter()
                    .map(|(k, v)| format!("{} = {}", cs_name(k), self.expr(v)))
                    .collect();
                format!("new {{ {} }}", fields.join(", "))
            }
            ExprKind::Unary(op, a) => {
                let a = self.atom(a);
                match op {
                    UnaryOp::Not => {
                        self.truthy = true;
                        format!("!Truthy({a})")
                    }
                    UnaryOp::Neg => format!("-{a}"),
                    UnaryOp::Plus => format!("+{a}"),
                }
            }
            ExprKind::Binary(op, a, b) => {
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
                let (a, b) = (self.atom(a), self.atom(b));
                format!("{a} {sym} {b}")
            }
            ExprKind::Logical(op, a, b) => {
                // The value of `a || b` is one of its sides, as in JavaScript.
                self.truthy = true;
                self.logic = true;
                let (a, b) = (self.expr(a), self.expr(b));
                let f = if *op == LogicalOp::And { "And" } else { "Or" };
                format!("{f}({a}, () => {b})")
            }
            ExprKind::Conditional(c, a, b) => {
                let same = self.info.kind(a, &self.vars) == self.info.kind(b, &self.vars);
                let c = self.cond(c);
                let (a, b) = (self.atom(a), self.atom(b));
                if same {
                    format!("({c} ? {a} : {b})")
                } else {
                    // Two kinds of value: `dynamic` holds either.
                    format!("({c} ? (dynamic){a} : {b})")
                }
            }
            ExprKind::Assign(name, v) => {
                if let ExprKind::Binary(op @ (BinaryOp::Add | BinaryOp::Sub), a, b) = &v.kind {
                    if matches!(&a.kind, ExprKind::Ident(n) if n == name) {
                        let sym = if *op == BinaryOp::Add { "+=" } else { "-=" };
                        let b = self.expr(b);
                        return format!("{} {sym} {b}", cs_name(name));
                    }
                }
                let v = self.expr(v);
                format!("{} = {v}", cs_name(name))
            }
            ExprKind::Call(callee, args) => self.call(e, callee, args),
            ExprKind::Member(object, name) => {
                if let Some(b) = self.info.builtin(e) {
                    return builtin_name(b).into();
                }
                let kind = self.info.kind(object, &self.vars);
                if name == "length" && !matches!(kind, Kind::Str | Kind::Array) {
                    self.length = true;
                    return format!("Length({})", self.expr(object));
                }
                let o = self.atom(object);
                let member = match name.as_str() {
                    "length" if kind == Kind::Str => "Length".to_string(),
                    "length" => "Count".into(),
                    "message" => "Message".into(),
                    "name" => "Name".into(),
                    other => cs_name(other),
                };
                format!("{o}.{member}")
            }
            ExprKind::Index(object, index) => {
                let (o, i) = (self.atom(object), self.expr(index));
                format!("{o}[(int){i}]")
            }
            ExprKind::Await(inner) => format!("await {}", self.atom(inner)),
            ExprKind::Function(f) => self.lambda(f),
        }
    }

    /// An operand: parenthesised unless it is a name, a literal, a call or a member.
    fn atom(&mut self, e: &Expr) -> String {
        let v = self.expr(e);
        let simple = matches!(
            e.kind,
            ExprKind::Num(_)
                | ExprKind::Str(_)
                | ExprKind::Bool(_)
                | ExprKind::Null
                | ExprKind::Ident(_)
                | ExprKind::Call(..)
                | ExprKind::Member(..)
                | ExprKind::Index(..)
                | ExprKind::Array(_)
                | ExprKind::Object(_)
        );
        if simple && !v.starts_with('-') {
            v
        } else {
            format!("({v})")
        }
    }

    fn call(&mut self, e: &Expr, callee: &Expr, args: &[Expr]) -> String {
        if let Some(b) = self.info.builtin(callee) {
            return self.builtin_call(e, b, args);
        }
        if let ExprKind::Member(object, name) = &callee.kind {
            let xs = self.atom(object);
            let a: Vec<String> = args.iter().map(|a| self.expr(a)).collect();
            let method = match (name.as_str(), a.as_slice()) {
                ("push", [v]) => Some(format!("{xs}.Add({v})")),
                ("map", [f]) => Some(format!("{xs}.Select({f}).ToList()")),
                ("filter", [f]) => Some(format!("{xs}.Where({f}).ToList()")),
                ("reduce", [f, init]) => Some(format!("{xs}.Aggregate({init}, {f})")),
                ("join", []) => Some(format!("string.Join(\",\", {xs})")),
                ("join", [sep]) => Some(format!("string.Join({sep}, {xs})")),
                ("includes", [v]) => Some(format!("{xs}.Contains({v})")),
                _ => None,
            };
            if let Some(m) = method {
                return m;
            }
        }
        let f = self.atom(callee);
        let args: Vec<String> = args.iter().map(|a| self.expr(a)).collect();
        format!("{f}({})", args.join(", "))
    }

    /// CPU work as a C# call: `() => Burn(ms)`, `CountPrimes`, `MandelbrotRows`.
    fn job(&mut self, job: &Expr) -> Option<(Builtin, Vec<String>)> {
        let (b, args) = self.info.kernel_call(job)?;
        Some((b, args.iter().map(|a| self.expr(a)).collect()))
    }

    fn builtin_call(&mut self, e: &Expr, b: Builtin, args: &[Expr]) -> String {
        match b {
            Builtin::All | Builtin::AllSettled | Builtin::Race | Builtin::Any => {
                let f = builtin_name(b);
                match args {
                    [Expr {
                        kind: ExprKind::Array(items),
                        ..
                    }] => {
                        let items: Vec<String> = items.iter().map(|i| self.expr(i)).collect();
                        format!("{f}({})", items.join(", "))
                    }
                    [xs] => format!("{f}({})", self.expr(xs)),
                    _ => {
                        self.note(e, "a combinator takes one array");
                        "null".into()
                    }
                }
            }
            Builtin::Worker | Builtin::Parallel => {
                let (parts, job) = if b == Builtin::Worker {
                    (None, args.first())
                } else {
                    (args.first(), args.get(1))
                };
                let Some((kind, kargs)) = job.and_then(|j| self.job(j)) else {
                    self.note(
                        e,
                        "the translation writes out worker jobs given as burn(ms), primes(n) or \
                         mandelbrot(w, h, i), or a function returning one",
                    );
                    return "Task.FromResult<object?>(null)".into();
                };
                let parts = parts.map(|p| self.expr(p));
                match (kind, parts, kargs.as_slice()) {
                    (Builtin::Burn, None, [ms]) => format!("Worker(() => Burn({ms}))"),
                    (Builtin::Burn, Some(p), [ms]) => format!("OnWorkers({p}, (_, _) => Burn({ms}), 0, {p})"),
                    (Builtin::Primes, None, [n]) => format!("Worker(() => CountPrimes(0, {n}))"),
                    (Builtin::Primes, Some(p), [n]) => format!("OnWorkers({p}, CountPrimes, 0, {n})"),
                    (Builtin::Mandelbrot, None, [w, h, i]) => {
                        format!("Worker(() => MandelbrotRows(0, {h}, {w}, {h}, {i}))")
                    }
                    (Builtin::Mandelbrot, Some(p), [w, h, i]) => format!(
                        "OnWorkers({p}, (from, to) => MandelbrotRows(from, to, {w}, {h}, {i}), 0, {h})"
                    ),
                    _ => {
                        self.note(e, "CPU work with unexpected arguments");
                        "Task.FromResult<object?>(null)".into()
                    }
                }
            }
            Builtin::Primes | Builtin::Mandelbrot | Builtin::Burn => {
                self.note(
                    e,
                    "CPU work is translated where it is handed to worker() or parallel()",
                );
                "null".into()
            }
            Builtin::Range => {
                let n = args
                    .first()
                    .map(|n| self.expr(n))
                    .unwrap_or_else(|| "0".into());
                format!("Enumerable.Range(0, {n}).Cast<dynamic>().ToList()")
            }
            Builtin::Error => {
                let m = args
                    .first()
                    .map(|n| self.expr(n))
                    .unwrap_or_else(|| "\"\"".into());
                format!("new JsError({m})")
            }
            _ => {
                let f = builtin_name(b);
                let args: Vec<String> = args.iter().map(|a| self.expr(a)).collect();
                format!("{f}({})", args.join(", "))
            }
        }
    }
}

/// The C# name of a built-in.
fn builtin_name(b: Builtin) -> &'static str {
    match b {
        Builtin::Sleep => "Sleep",
        Builtin::Call => "Call",
        Builtin::Fail => "Fail",
        Builtin::Timeout => "Timeout",
        Builtin::Retry => "Retry",
        Builtin::Limit => "Limit",
        Builtin::Range => "Range",
        Builtin::Ticks => "Ticks",
        Builtin::Spin => "Spin",
        Builtin::Worker => "Worker",
        Builtin::Parallel => "OnWorkers",
        Builtin::Primes => "CountPrimes",
        Builtin::Mandelbrot => "MandelbrotRows",
        Builtin::Burn => "Burn",
        Builtin::Now => "Now",
        Builtin::Log => "Log",
        Builtin::All => "All",
        Builtin::AllSettled => "AllSettled",
        Builtin::Race => "Race",
        Builtin::Any => "Any",
        Builtin::Resolve => "Task.FromResult<object?>",
        Builtin::Reject => "Task.FromException<object?>",
        Builtin::Error => "JsError",
    }
}

fn cs_name(name: &str) -> String {
    if KEYWORDS.contains(&name) {
        format!("@{name}")
    } else {
        name.replace('$', "_")
    }
}

/// A C# string literal.
fn cs_str(s: &str) -> String {
    walk::quoted(s, |c| format!("\\u{c:04x}"))
}

fn cs_num(n: f64) -> String {
    walk::number(
        n,
        [
            "double.NaN",
            "double.PositiveInfinity",
            "double.NegativeInfinity",
        ],
        2e9,
        "",
    )
}

const CS_NOW: &str = "// Milliseconds since the program started.
long Now() => clock.ElapsedMilliseconds;
";

const CS_SLEEP: &str = "// Waits ms on a real timer; the thread is free meanwhile.
async Task<object?> Sleep(double ms)
{
    await Task.Delay(TimeSpan.FromMilliseconds(ms));
    return null;
}
";

const CS_CALL: &str = "// A simulated call (an HTTP request, a query): answers its label after ms.
async Task<object?> Call(object label, double ms)
{
    await Task.Delay(TimeSpan.FromMilliseconds(ms));
    return label;
}
";

const CS_FAIL: &str = "// A simulated call that fails after ms.
async Task<object?> Fail(object label, double ms)
{
    await Task.Delay(TimeSpan.FromMilliseconds(ms));
    throw new JsError($\"{label} failed\");
}
";

const CS_TIMEOUT: &str = "// The work's answer, or a TimeoutError once ms have passed.
async Task<object?> Timeout(Task<object?> work, double ms)
{
    try
    {
        return await work.WaitAsync(TimeSpan.FromMilliseconds(ms));
    }
    catch (TimeoutException)
    {
        throw new JsError($\"timed out after {ms} ms\", \"TimeoutError\");
    }
}
";

const CS_RETRY: &str =
    "// Calls attempt() until it succeeds, at most `attempts` times, delayMs apart.
async Task<object?> Retry(int attempts, double delayMs, Func<Task<object?>> attempt)
{
    for (var i = 1; ; i++)
    {
        try
        {
            return await attempt();
        }
        catch (JsError) when (i < attempts)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(delayMs));
        }
    }
}
";

const CS_LIMIT: &str =
    "// Runs the jobs with at most k in flight (SemaphoreSlim), answers in order.
async Task<object?> Limit(int k, IEnumerable<dynamic> jobs)
{
    var gate = new SemaphoreSlim(k);
    var tasks = jobs.Select(async job =>
    {
        await gate.WaitAsync();
        try
        {
            return (object?)await ((Func<Task<object?>>)job)();
        }
        finally
        {
            gate.Release();
        }
    });
    return (await Task.WhenAll(tasks)).ToList<dynamic>();
}
";

const CS_TICKS: &str =
    "// A stream: 0, 1, … count - 1, each ms after the one before (await foreach).
async IAsyncEnumerable<int> Ticks(int count, double ms)
{
    for (var i = 0; i < count; i++)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(ms));
        yield return i;
    }
}
";

const CS_SPIN: &str = "// Keeps this thread busy for ms: nothing else runs on it meanwhile.
void Spin(double ms)
{
    var end = clock.Elapsed.TotalMilliseconds + ms;
    while (clock.Elapsed.TotalMilliseconds < end) { }
}
";

const CS_WORKERS: &str = "// CPU work for ms; answers the arithmetic steps it managed.
long Burn(double ms)
{
    var watch = Stopwatch.StartNew();
    long steps = 0;
    while (watch.Elapsed.TotalMilliseconds < ms) steps++;
    return steps;
}

// Trial division by every odd number up to the square root: honest, predictable work.
bool IsPrime(long n)
{
    if (n < 4) return n >= 2;
    if (n % 2 == 0) return false;
    for (long d = 3; d * d <= n; d += 2) if (n % d == 0) return false;
    return true;
}

long CountPrimes(long start, long end)
{
    long count = 0;
    for (var n = start; n < end; n++) if (IsPrime(n)) count++;
    return count;
}

// Escape-time iterations of the rows [start, end) of a width x height Mandelbrot image.
long MandelbrotRows(long start, long end, int width, int height, int maxIter)
{
    long total = 0;
    for (var y = start; y < end; y++)
    {
        var cy = -1.0 + (y + 0.5) * 2.0 / height;
        for (var x = 0; x < width; x++)
        {
            var cx = -2.5 + (x + 0.5) * 3.5 / width;
            double zr = 0, zi = 0;
            var i = 0;
            while (i < maxIter && zr * zr + zi * zi <= 4)
            {
                (zr, zi) = (zr * zr - zi * zi + cx, 2 * zr * zi + cy);
                i++;
            }
            total += i;
        }
    }
    return total;
}

// Runs the job on the thread pool, at most four at a time: the caller's thread stays free.
async Task<object?> Worker(Func<long> job)
{
    await workers.WaitAsync();
    try
    {
        return await Task.Run(job);
    }
    finally
    {
        workers.Release();
    }
}

// Cuts [start, end) into `parts` ranges, runs each on a worker, adds up the answers.
async Task<object?> OnWorkers(int parts, Func<long, long, long> job, long start, long end)
{
    var cuts = Enumerable.Range(0, parts + 1).Select(i => start + (end - start) * i / parts).ToList();
    var answers = await Task.WhenAll(Enumerable.Range(0, parts).Select(i => Worker(() => job(cuts[i], cuts[i + 1]))));
    return answers.Sum(a => (long)a!);
}
";

const CS_ALL: &str = "// Promise.all: every answer, in the order given (Task.WhenAll).
async Task<object?> All(params dynamic[] tasks)
{
    return (await Task.WhenAll(Tasks(tasks))).ToList<dynamic>();
}
";

const CS_TASKS: &str = "// The tasks given one by one, or as one list.
IEnumerable<Task<object?>> Tasks(dynamic[] given)
{
    var list = given.Length == 1 && given[0] is IEnumerable<dynamic> many ? many : given;
    return list.Select(t => (Task<object?>)t);
}
";

const CS_ALL_SETTLED: &str = "// Promise.allSettled: waits for every one and says how each ended.
async Task<object?> AllSettled(params dynamic[] given)
{
    var settled = new List<dynamic>();
    foreach (var task in Tasks(given))
    {
        try
        {
            settled.Add(new { status = \"fulfilled\", value = await task });
        }
        catch (JsError e)
        {
            settled.Add(new { status = \"rejected\", reason = e });
        }
    }
    return settled;
}
";

const CS_RACE: &str = "// Promise.race: the first to end, answer or error (Task.WhenAny).
async Task<object?> Race(params dynamic[] given) => await await Task.WhenAny(Tasks(given));
";

const CS_ANY: &str = "// Promise.any: the first answer; an AggregateError if every one fails.
async Task<object?> Any(params dynamic[] given)
{
    var left = Tasks(given).ToList();
    while (left.Count > 0)
    {
        var done = await Task.WhenAny(left);
        if (done.IsCompletedSuccessfully) return done.Result;
        left.Remove(done);
    }
    throw new JsError(\"All promises were rejected\", \"AggregateError\");
}
";

const CS_TRUTHY: &str = "// JavaScript's truthiness: false, 0, \"\", null and NaN are false.
bool Truthy(object? v) => v switch
{
    null => false,
    bool b => b,
    int i => i != 0,
    long l => l != 0,
    double d => d != 0 && !double.IsNaN(d),
    string s => s.Length > 0,
    _ => true,
};
";

const CS_LOGIC: &str = "// `a && b` and `a || b` as JavaScript has them: the value of one side.
dynamic And(dynamic a, Func<dynamic> b) => Truthy(a) ? b() : a;
dynamic Or(dynamic a, Func<dynamic> b) => Truthy(a) ? a : b();
";

const CS_LENGTH: &str = "// `.length`: of a string, or of a list.
int Length(dynamic value) => value is string s ? s.Length : value.Count;
";

const CS_LOG: &str = "// console.log: the values as Node shows them, separated by spaces.
void Log(params object?[] values) => Console.WriteLine(string.Join(\" \", values.Select(v => Show(v, 0))));

string Show(object? v, int depth) => v switch
{
    null => \"undefined\",
    bool b => b ? \"true\" : \"false\",
    string s => depth == 0 ? s : $\"'{s}'\",
    JsError e => $\"{e.Name}: {e.Message}\",
    System.Collections.IList { Count: 0 } => \"[]\",
    System.Collections.IList list => \"[ \" + string.Join(\", \", list.Cast<object?>().Select(x => Show(x, depth + 1))) + \" ]\",
    Task => \"Promise { <pending> }\",
    double or int or long => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)!,
    _ => \"{ \" + string.Join(\", \", v.GetType().GetProperties().Select(p => $\"{p.Name}: {Show(p.GetValue(v), depth + 1)}\")) + \" }\",
};
";

const CS_ERROR: &str = "// An error as JavaScript has it: a name and a message.
class JsError(string message, string name = \"Error\") : Exception(message)
{
    public string Name => name;
}
";
