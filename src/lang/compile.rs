//! Compiles the syntax tree into a few instructions per node, for the [`machine`](super::machine)
//! to run one step at a time. Instructions work on a per-call operand stack; every instruction
//! keeps the span of the code it came from, for runtime errors.

use std::rc::Rc;

use super::ast::{
    BinaryOp, Body, Expr, ExprKind, Function, LogicalOp, Program, Span, Stmt, StmtKind, UnaryOp,
};
use super::error::ParseError;

/// One instruction.
#[derive(Clone, Debug)]
pub enum Op {
    /// Pushes a number.
    Num(f64),
    /// Pushes a string.
    Str(Rc<str>),
    /// Pushes a boolean.
    Bool(bool),
    /// Pushes `null`.
    Null,
    /// Pushes `undefined`.
    Undefined,
    /// Pushes the value of a name.
    Load(Rc<str>),
    /// Assigns the top of the stack to a name (and keeps it on the stack).
    Store(Rc<str>),
    /// Pops a value and declares a name with it in the current scope.
    Declare {
        /// The name.
        name: Rc<str>,
        /// False for `const`.
        mutable: bool,
    },
    /// Drops the top of the stack.
    Pop,
    /// Pops `n` values into a new array.
    Array(usize),
    /// Pops one value per key into a new object.
    Object(Rc<[Rc<str>]>),
    /// Pushes a closure of function `n` of the program over the current scope.
    Closure(usize),
    /// Pops one operand and pushes the result.
    Unary(UnaryOp),
    /// Pops two operands and pushes the result.
    Binary(BinaryOp),
    /// Jumps.
    Jump(usize),
    /// Pops a value; jumps when it is falsy.
    JumpIfFalse(usize),
    /// `&&`/`||`: when the top decides the result, jumps keeping it; otherwise pops it.
    ShortCircuit(LogicalOp, usize),
    /// Pops an object, pushes its member.
    Member(Rc<str>),
    /// Pops an object and an index, pushes the element.
    Index,
    /// Pops a callee and `n` arguments and calls it.
    Call(usize),
    /// Pops a value and waits for it to settle.
    Await,
    /// Pops a value and returns it.
    Return,
    /// Pops a value and throws it.
    Throw,
    /// Enters a new block scope.
    PushScope,
    /// Leaves the current block scope.
    PopScope,
    /// Starts a `try`: where its `catch` and `finally` blocks are.
    EnterTry {
        /// The catch block (entered with the error on the stack).
        catch: Option<usize>,
        /// The finally block (entered with a completion recorded).
        finally: Option<usize>,
    },
    /// Ends a `try` (or `catch`) body normally.
    LeaveTry,
    /// Records a normal completion before a finally block.
    NormalCompletion,
    /// Ends a finally block: continues as the completion recorded says.
    EndFinally,
    /// Enters a loop: records the stack, scope and handlers to return to on `break`/`continue`.
    EnterLoop,
    /// Leaves a loop.
    ExitLoop,
    /// `break` or `continue`: back to the innermost loop's state, then jumps.
    LoopJump(usize),
    /// Pops an iterable and pushes a loop position over it; `is_await` allows streams.
    IterStart {
        /// True in `for await`.
        is_await: bool,
    },
    /// Pushes the loop's next item (for streams, a promise of it), or pops the loop and jumps.
    IterNext(usize),
    /// After `for await`'s await: when the stream has ended, pops it and the loop and jumps.
    IterDone(usize),
}

/// A compiled function.
#[derive(Debug)]
pub struct Proto {
    /// Its name, for messages.
    pub name: Option<String>,
    /// Parameter names.
    pub params: Vec<Rc<str>>,
    /// True for async functions.
    pub is_async: bool,
    /// Its instructions.
    pub code: Vec<Op>,
    /// The span of each instruction.
    pub spans: Vec<Span>,
    /// Where the function is.
    pub span: Span,
    /// True for the [`prelude`](super::prelude)'s functions, whose errors are reported at the
    /// program's call.
    pub is_prelude: bool,
}

/// A compiled program: function 0 is the top level (an async function of no parameters).
#[derive(Debug)]
pub struct Compiled {
    /// Every function of the program.
    pub protos: Vec<Rc<Proto>>,
}

/// Compiles `program`. Fails only for `await` outside an async function.
pub fn compile(src: &str, program: &Program) -> Result<Compiled, ParseError> {
    compile_with(src, program, false)
}

/// Compiles `program`, marking its functions as the prelude's when `is_prelude`.
pub fn compile_with(
    src: &str,
    program: &Program,
    is_prelude: bool,
) -> Result<Compiled, ParseError> {
    let mut c = Compiler {
        src,
        protos: Vec::new(),
        pending: Vec::new(),
        is_prelude,
    };
    let main = Function {
        name: Some("main".into()),
        params: Vec::new(),
        is_async: true,
        body: Body::Block(program.body.clone()),
        span: 0..src.len(),
    };
    c.function(&main)?;
    // Functions nested in others are compiled after them, each with the index it was given.
    while let Some((index, f)) = c.pending.pop() {
        let proto = c.build(&f)?;
        c.protos[index] = Some(Rc::new(proto));
    }
    Ok(Compiled {
        protos: c.protos.into_iter().map(|p| p.expect("compiled")).collect(),
    })
}

struct Compiler<'s> {
    src: &'s str,
    protos: Vec<Option<Rc<Proto>>>,
    pending: Vec<(usize, Rc<Function>)>,
    is_prelude: bool,
}

/// The instructions of one function being compiled.
struct Emitter {
    code: Vec<Op>,
    spans: Vec<Span>,
    is_async: bool,
    /// The loops being compiled, innermost last.
    loops: Vec<LoopLabels>,
    /// How many `try … finally` bodies (or their catch blocks) enclose the code now.
    finally_depth: usize,
}

/// Where `break` and `continue` of one loop go.
struct LoopLabels {
    /// Where `continue` jumps.
    top: usize,
    /// The `break` jumps, patched to the loop's end.
    breaks: Vec<usize>,
    /// [`Emitter::finally_depth`] at the loop.
    finally_depth: usize,
}

impl Emitter {
    fn emit(&mut self, op: Op, span: &Span) -> usize {
        self.code.push(op);
        self.spans.push(span.clone());
        self.code.len() - 1
    }

    fn here(&self) -> usize {
        self.code.len()
    }

    /// Points the jump at `at` to the current position.
    fn patch(&mut self, at: usize) {
        let to = self.here();
        match &mut self.code[at] {
            Op::Jump(t) | Op::JumpIfFalse(t) | Op::ShortCircuit(_, t) => *t = to,
            Op::IterNext(t) | Op::IterDone(t) | Op::LoopJump(t) => *t = to,
            _ => unreachable!("only jumps are patched"),
        }
    }
}

type CResult = Result<(), ParseError>;

impl Compiler<'_> {
    /// Compiles the top-level function.
    fn function(&mut self, f: &Function) -> CResult {
        self.protos.push(None);
        let proto = self.build(f)?;
        self.protos[0] = Some(Rc::new(proto));
        Ok(())
    }

    /// Reserves an index for `f`, compiled later.
    fn reserve(&mut self, f: &Rc<Function>) -> usize {
        self.protos.push(None);
        let index = self.protos.len() - 1;
        self.pending.push((index, f.clone()));
        index
    }

    fn build(&mut self, f: &Function) -> Result<Proto, ParseError> {
        let mut e = Emitter {
            code: Vec::new(),
            spans: Vec::new(),
            is_async: f.is_async,
            loops: Vec::new(),
            finally_depth: 0,
        };
        match &f.body {
            Body::Block(body) => {
                self.block_body(&mut e, body)?;
                let end = f.span.end.saturating_sub(1)..f.span.end;
                e.emit(Op::Undefined, &end);
                e.emit(Op::Return, &end);
            }
            Body::Expr(expr) => {
                self.expr(&mut e, expr)?;
                e.emit(Op::Return, &expr.span);
            }
        }
        Ok(Proto {
            name: f.name.clone(),
            params: f.params.iter().map(|p| Rc::from(p.as_str())).collect(),
            is_async: f.is_async,
            code: e.code,
            spans: e.spans,
            span: f.span.clone(),
            is_prelude: self.is_prelude,
        })
    }

    /// Statements of one scope, function declarations first (hoisted, as in JavaScript).
    fn block_body(&mut self, e: &mut Emitter, body: &[Stmt]) -> CResult {
        for stmt in body {
            if let StmtKind::Function(f) = &stmt.kind {
                let index = self.reserve(f);
                e.emit(Op::Closure(index), &stmt.span);
                let name = f.name.as_deref().unwrap_or("anonymous");
                e.emit(
                    Op::Declare {
                        name: Rc::from(name),
                        mutable: true,
                    },
                    &stmt.span,
                );
            }
        }
        for stmt in body {
            self.stmt(e, stmt)?;
        }
        Ok(())
    }

    /// A block with a scope of its own.
    fn scoped(&mut self, e: &mut Emitter, body: &[Stmt], span: &Span) -> CResult {
        e.emit(Op::PushScope, span);
        self.block_body(e, body)?;
        e.emit(Op::PopScope, span);
        Ok(())
    }

    fn stmt(&mut self, e: &mut Emitter, stmt: &Stmt) -> CResult {
        let span = &stmt.span;
        match &stmt.kind {
            StmtKind::Declare {
                name,
                mutable,
                init,
            } => {
                match init {
                    Some(init) => self.expr(e, init)?,
                    None => {
                        e.emit(Op::Undefined, span);
                    }
                }
                e.emit(
                    Op::Declare {
                        name: Rc::from(name.as_str()),
                        mutable: *mutable,
                    },
                    span,
                );
            }
            StmtKind::Expr(expr) => {
                self.expr(e, expr)?;
                e.emit(Op::Pop, span);
            }
            StmtKind::Return(value) => {
                match value {
                    Some(v) => self.expr(e, v)?,
                    None => {
                        e.emit(Op::Undefined, span);
                    }
                }
                e.emit(Op::Return, span);
            }
            StmtKind::Throw(value) => {
                self.expr(e, value)?;
                e.emit(Op::Throw, span);
            }
            StmtKind::While { cond, body } => {
                e.emit(Op::EnterLoop, span);
                let top = e.here();
                e.loops.push(LoopLabels {
                    top,
                    breaks: Vec::new(),
                    finally_depth: e.finally_depth,
                });
                self.expr(e, cond)?;
                let exit = e.emit(Op::JumpIfFalse(0), span);
                self.scoped(e, body, span)?;
                e.emit(Op::Jump(top), span);
                let labels = e.loops.pop().expect("the loop pushed above");
                for b in labels.breaks {
                    e.patch(b);
                }
                e.patch(exit);
                e.emit(Op::ExitLoop, span);
            }
            StmtKind::Break | StmtKind::Continue => {
                let is_break = matches!(stmt.kind, StmtKind::Break);
                let word = if is_break { "break" } else { "continue" };
                let Some(labels) = e.loops.last() else {
                    return Err(self.error(span, &format!("`{word}` is only allowed in a loop")));
                };
                if labels.finally_depth != e.finally_depth {
                    return Err(self.error(
                        span,
                        &format!(
                            "`{word}` out of a `try` that has a `finally` is not supported here"
                        ),
                    ));
                }
                let top = labels.top;
                let at = e.emit(Op::LoopJump(top), span);
                if is_break {
                    e.loops.last_mut().expect("checked above").breaks.push(at);
                }
            }
            StmtKind::If {
                cond,
                then,
                otherwise,
            } => {
                self.expr(e, cond)?;
                let to_else = e.emit(Op::JumpIfFalse(0), span);
                self.scoped(e, then, span)?;
                match otherwise {
                    Some(otherwise) => {
                        let to_end = e.emit(Op::Jump(0), span);
                        e.patch(to_else);
                        self.scoped(e, otherwise, span)?;
                        e.patch(to_end);
                    }
                    None => e.patch(to_else),
                }
            }
            StmtKind::ForOf {
                name,
                mutable,
                is_await,
                iterable,
                body,
            } => {
                if *is_await && !e.is_async {
                    return Err(self.error(span, "`for await` is only allowed in async functions"));
                }
                self.expr(e, iterable)?;
                e.emit(
                    Op::IterStart {
                        is_await: *is_await,
                    },
                    &iterable.span,
                );
                e.emit(Op::EnterLoop, span);
                let top = e.here();
                e.loops.push(LoopLabels {
                    top,
                    breaks: Vec::new(),
                    finally_depth: e.finally_depth,
                });
                let exit = e.emit(Op::IterNext(0), &iterable.span);
                let done = if *is_await {
                    e.emit(Op::Await, &iterable.span);
                    Some(e.emit(Op::IterDone(0), &iterable.span))
                } else {
                    None
                };
                e.emit(Op::PushScope, span);
                e.emit(
                    Op::Declare {
                        name: Rc::from(name.as_str()),
                        mutable: *mutable,
                    },
                    span,
                );
                self.block_body(e, body)?;
                e.emit(Op::PopScope, span);
                e.emit(Op::Jump(top), span);
                // `break` lands here with the loop position still on the stack.
                let labels = e.loops.pop().expect("the loop pushed above");
                for b in labels.breaks {
                    e.patch(b);
                }
                e.emit(Op::Pop, span);
                e.patch(exit);
                if let Some(done) = done {
                    e.patch(done);
                }
                e.emit(Op::ExitLoop, span);
            }
            StmtKind::Try {
                body,
                catch,
                finally,
            } => {
                let enter = e.emit(
                    Op::EnterTry {
                        catch: None,
                        finally: None,
                    },
                    span,
                );
                let guarded = usize::from(finally.is_some());
                e.finally_depth += guarded;
                self.scoped(e, body, span)?;
                e.emit(Op::LeaveTry, span);
                let to_normal = e.emit(Op::Jump(0), span);
                let catch_at = if let Some((name, handler)) = catch {
                    let at = e.here();
                    e.emit(Op::PushScope, span);
                    match name {
                        Some(name) => e.emit(
                            Op::Declare {
                                name: Rc::from(name.as_str()),
                                mutable: true,
                            },
                            span,
                        ),
                        None => e.emit(Op::Pop, span),
                    };
                    if finally.is_some() {
                        // A throw in the handler still runs the finally block; patched below.
                        e.emit(
                            Op::EnterTry {
                                catch: None,
                                finally: None,
                            },
                            span,
                        );
                    }
                    self.block_body(e, handler)?;
                    if finally.is_some() {
                        e.emit(Op::LeaveTry, span);
                    }
                    e.emit(Op::PopScope, span);
                    Some(at)
                } else {
                    None
                };
                e.finally_depth -= guarded;
                e.patch(to_normal);
                let finally_at = if let Some(finally) = finally {
                    e.emit(Op::NormalCompletion, span);
                    let at = e.here();
                    self.scoped(e, finally, span)?;
                    e.emit(Op::EndFinally, span);
                    Some(at)
                } else {
                    None
                };
                e.code[enter] = Op::EnterTry {
                    catch: catch_at,
                    finally: finally_at,
                };
                if let (Some(catch_at), Some(_)) = (catch_at, finally_at) {
                    // The handler's own try is the third instruction of the catch block.
                    e.code[catch_at + 2] = Op::EnterTry {
                        catch: None,
                        finally: finally_at,
                    };
                }
            }
            StmtKind::Block(body) => self.scoped(e, body, span)?,
            // Declared when the block began (hoisting).
            StmtKind::Function(_) => {}
        }
        Ok(())
    }

    fn expr(&mut self, e: &mut Emitter, expr: &Expr) -> CResult {
        let span = &expr.span;
        match &expr.kind {
            ExprKind::Num(n) => {
                e.emit(Op::Num(*n), span);
            }
            ExprKind::Str(s) => {
                e.emit(Op::Str(Rc::from(s.as_str())), span);
            }
            ExprKind::Bool(b) => {
                e.emit(Op::Bool(*b), span);
            }
            ExprKind::Null => {
                e.emit(Op::Null, span);
            }
            ExprKind::Ident(name) => {
                e.emit(Op::Load(Rc::from(name.as_str())), span);
            }
            ExprKind::Array(items) => {
                for item in items {
                    self.expr(e, item)?;
                }
                e.emit(Op::Array(items.len()), span);
            }
            ExprKind::Object(fields) => {
                for (_, value) in fields {
                    self.expr(e, value)?;
                }
                let keys: Vec<Rc<str>> = fields.iter().map(|(k, _)| Rc::from(k.as_str())).collect();
                e.emit(Op::Object(keys.into()), span);
            }
            ExprKind::Unary(op, operand) => {
                self.expr(e, operand)?;
                e.emit(Op::Unary(*op), span);
            }
            ExprKind::Binary(op, left, right) => {
                self.expr(e, left)?;
                self.expr(e, right)?;
                e.emit(Op::Binary(*op), span);
            }
            ExprKind::Logical(op, left, right) => {
                self.expr(e, left)?;
                let jump = e.emit(Op::ShortCircuit(*op, 0), span);
                self.expr(e, right)?;
                e.patch(jump);
            }
            ExprKind::Conditional(cond, yes, no) => {
                self.expr(e, cond)?;
                let to_no = e.emit(Op::JumpIfFalse(0), span);
                self.expr(e, yes)?;
                let to_end = e.emit(Op::Jump(0), span);
                e.patch(to_no);
                self.expr(e, no)?;
                e.patch(to_end);
            }
            ExprKind::Assign(name, value) => {
                self.expr(e, value)?;
                e.emit(Op::Store(Rc::from(name.as_str())), span);
            }
            ExprKind::Call(callee, args) => {
                self.expr(e, callee)?;
                for arg in args {
                    self.expr(e, arg)?;
                }
                e.emit(Op::Call(args.len()), span);
            }
            ExprKind::Member(object, name) => {
                self.expr(e, object)?;
                e.emit(Op::Member(Rc::from(name.as_str())), span);
            }
            ExprKind::Index(object, index) => {
                self.expr(e, object)?;
                self.expr(e, index)?;
                e.emit(Op::Index, span);
            }
            ExprKind::Await(value) => {
                if !e.is_async {
                    return Err(self.error(
                        span,
                        "`await` is only allowed in async functions (write `async` before it)",
                    ));
                }
                self.expr(e, value)?;
                e.emit(Op::Await, span);
            }
            ExprKind::Function(f) => {
                let index = self.reserve(f);
                e.emit(Op::Closure(index), span);
            }
        }
        Ok(())
    }

    fn error(&self, span: &Span, message: &str) -> ParseError {
        ParseError::at(self.src, span.clone(), message)
    }
}
