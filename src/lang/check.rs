//! Checks a parsed program before it runs, so the editor can mark mistakes at once: names used
//! but declared nowhere (and not built in), and assignments to a `const`. Running the program
//! would report the same mistakes only when (and if) it reached them.

use super::ast::{Body, Expr, ExprKind, Function, Program, Stmt, StmtKind};
use super::error::ParseError;
use super::value::Builtin;

/// Most problems reported for one program.
pub const MAX_PROBLEMS: usize = 100;

/// The problems found in `program` (parsed from `src`), in the order they appear; each has the
/// same shape as a parse error (message, line, column, span).
pub fn check(src: &str, program: &Program) -> Vec<ParseError> {
    let mut c = Checker {
        src,
        scopes: Vec::new(),
        problems: Vec::new(),
    };
    c.block(&program.body, &[]);
    c.problems
}

/// Everything the editor marks in `src` before it runs: the parse error, or else what
/// [`check`] finds.
pub fn problems(src: &str) -> Vec<ParseError> {
    match super::parser::parse(src) {
        Ok(program) => check(src, &program),
        Err(e) => vec![e],
    }
}

struct Checker<'s> {
    src: &'s str,
    /// Names declared in each enclosing scope, innermost last: (name, mutable).
    scopes: Vec<Vec<(&'s str, bool)>>,
    problems: Vec<ParseError>,
}

impl<'s> Checker<'s> {
    fn problem(&mut self, expr: &Expr, message: String) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems
                .push(ParseError::at(self.src, expr.span.clone(), message));
        }
    }

    /// Whether `name` is declared, and if so whether it may be assigned.
    fn lookup(&self, name: &str) -> Option<bool> {
        self.scopes
            .iter()
            .rev()
            .find_map(|scope| scope.iter().rev().find(|(n, _)| *n == name).map(|v| v.1))
    }

    /// A scope with `extra` names (parameters, a loop variable, a caught error) and everything
    /// the block declares, wherever in the block: a function may use a name declared below it.
    fn block(&mut self, body: &'s [Stmt], extra: &[(&'s str, bool)]) {
        let mut names = extra.to_vec();
        for stmt in body {
            match &stmt.kind {
                StmtKind::Declare { name, mutable, .. } => names.push((name.as_str(), *mutable)),
                StmtKind::Function(f) => {
                    if let Some(name) = &f.name {
                        names.push((name.as_str(), true));
                    }
                }
                _ => {}
            }
        }
        self.scopes.push(names);
        for stmt in body {
            self.stmt(stmt);
        }
        self.scopes.pop();
    }

    fn stmt(&mut self, stmt: &'s Stmt) {
        match &stmt.kind {
            StmtKind::Declare { init, .. } => {
                if let Some(init) = init {
                    self.expr(init);
                }
            }
            StmtKind::Expr(e) | StmtKind::Throw(e) => self.expr(e),
            StmtKind::Return(e) => {
                if let Some(e) = e {
                    self.expr(e);
                }
            }
            StmtKind::If {
                cond,
                then,
                otherwise,
            } => {
                self.expr(cond);
                self.block(then, &[]);
                if let Some(otherwise) = otherwise {
                    self.block(otherwise, &[]);
                }
            }
            StmtKind::While { cond, body } => {
                self.expr(cond);
                self.block(body, &[]);
            }
            StmtKind::ForOf {
                name,
                mutable,
                iterable,
                body,
                ..
            } => {
                self.expr(iterable);
                self.block(body, &[(name.as_str(), *mutable)]);
            }
            StmtKind::Try {
                body,
                catch,
                finally,
            } => {
                self.block(body, &[]);
                if let Some((name, handler)) = catch {
                    match name {
                        Some(name) => self.block(handler, &[(name.as_str(), true)]),
                        None => self.block(handler, &[]),
                    }
                }
                if let Some(finally) = finally {
                    self.block(finally, &[]);
                }
            }
            StmtKind::Block(body) => self.block(body, &[]),
            StmtKind::Function(f) => self.function(f),
            StmtKind::Break | StmtKind::Continue => {}
        }
    }

    fn function(&mut self, f: &'s Function) {
        let params: Vec<(&str, bool)> = f.params.iter().map(|p| (p.as_str(), true)).collect();
        match &f.body {
            Body::Block(body) => self.block(body, &params),
            Body::Expr(e) => {
                self.scopes.push(params);
                self.expr(e);
                self.scopes.pop();
            }
        }
    }

    fn expr(&mut self, e: &'s Expr) {
        match &e.kind {
            ExprKind::Num(_) | ExprKind::Str(_) | ExprKind::Bool(_) | ExprKind::Null => {}
            ExprKind::Ident(name) => {
                if self.lookup(name).is_none() && Builtin::global(name).is_none() {
                    self.problem(
                        e,
                        format!("unknown name `{name}` (declare it with const or let)"),
                    );
                }
            }
            ExprKind::Assign(name, value) => {
                self.expr(value);
                match self.lookup(name) {
                    Some(true) => {}
                    Some(false) => {
                        self.problem(e, format!("`{name}` is a const and cannot be assigned"))
                    }
                    None => self.problem(
                        e,
                        format!("unknown name `{name}` (declare it with let first)"),
                    ),
                }
            }
            ExprKind::Array(items) => items.iter().for_each(|i| self.expr(i)),
            ExprKind::Object(fields) => fields.iter().for_each(|(_, v)| self.expr(v)),
            ExprKind::Unary(_, x) | ExprKind::Await(x) | ExprKind::Member(x, _) => self.expr(x),
            ExprKind::Binary(_, a, b) | ExprKind::Logical(_, a, b) | ExprKind::Index(a, b) => {
                self.expr(a);
                self.expr(b);
            }
            ExprKind::Conditional(c, a, b) => {
                self.expr(c);
                self.expr(a);
                self.expr(b);
            }
            ExprKind::Call(callee, args) => {
                self.expr(callee);
                args.iter().for_each(|a| self.expr(a));
            }
            ExprKind::Function(f) => self.function(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::examples;
    use crate::lang::parser::parse;

    fn problems(src: &str) -> Vec<(String, u32, u32)> {
        let program = parse(src).expect("parses");
        check(src, &program)
            .into_iter()
            .map(|p| (p.message, p.line, p.col))
            .collect()
    }

    #[test]
    fn every_example_checks_clean() {
        for (id, _, src) in examples::ALL {
            assert_eq!(problems(src), Vec::new(), "{id}");
        }
    }

    #[test]
    fn an_unknown_name_is_found_before_running_with_its_position() {
        let found = problems("const a = 1;\nif (a) {\n  console.log(b, a);\n}");
        assert_eq!(
            found,
            vec![(
                "unknown name `b` (declare it with const or let)".to_string(),
                3,
                15
            )]
        );
    }

    #[test]
    fn parameters_loop_variables_caught_errors_and_names_declared_later_are_known() {
        let src = "async function f(x) { return g(x) + later; }\n\
                   const g = (y) => y * 2;\n\
                   for (const i of range(2)) { console.log(i); }\n\
                   try { f(1); } catch (e) { console.log(e); }\n\
                   const later = 1;";
        assert_eq!(problems(src), Vec::new());
    }

    #[test]
    fn names_do_not_leak_out_of_their_block() {
        let found = problems("if (true) { const inner = 1; }\nconsole.log(inner);");
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].1, found[0].2), (2, 13));
    }

    #[test]
    fn assigning_a_const_or_an_undeclared_name_is_found() {
        let found = problems("const a = 1;\na = 2;\nb = 3;\nlet c = 0;\nc = 1;");
        let messages: Vec<_> = found.iter().map(|p| (p.0.as_str(), p.1)).collect();
        assert_eq!(
            messages,
            vec![
                ("`a` is a const and cannot be assigned", 2),
                ("unknown name `b` (declare it with let first)", 3)
            ]
        );
    }
}
