//! Running tasks: the instructions, calls, returns and throws of the [`Machine`].

use std::rc::Rc;

use super::super::ast::{BinaryOp, LogicalOp, Span, UnaryOp};
use super::super::compile::Op;
use super::super::limits::Limit;
use super::super::value::{
    ArrayMethod, Builtin, Closure, Iter, PromiseId, Scope, ScopeError, Value,
};
use super::{
    Clock, Completion, Flow, Frame, Handler, LoopMark, Machine, Microtask, Reaction, Settled, Stop,
    Task, Thrown,
};

impl Machine {
    // ----- tasks -----

    pub(super) fn new_task(&mut self, task: Task) -> usize {
        self.tasks.push(Some(task));
        self.tasks.len() - 1
    }

    /// Calls `f` with `args` in a task of its own, started as a microtask; the promise
    /// settles with what it returns (a returned promise is followed).
    pub(in crate::lang) fn spawn_call(
        &mut self,
        f: &Value,
        args: Vec<Value>,
        span: &Span,
    ) -> Result<PromiseId, Stop> {
        let Value::Closure(c) = f else {
            return Err(self.type_error(
                &format!("expected a function here, not {}", f.type_name()),
                span,
            ));
        };
        let p = self.new_promise(span)?;
        let frame = self.frame_for(c, args, Some(p));
        let task = self.new_task(Task {
            frames: vec![frame],
            waiting_at: None,
            waiting_on: None,
            waiting_since: 0.0,
        });
        self.microtasks.push_back(Microtask::Start(task));
        Ok(p)
    }

    pub(super) fn frame_for(
        &self,
        c: &Closure,
        args: Vec<Value>,
        promise: Option<PromiseId>,
    ) -> Frame {
        let scope = Scope::child(&c.scope);
        let mut args = args.into_iter();
        for param in &c.proto.params {
            // A repeated parameter name keeps its first value.
            let _ = scope.declare(param, args.next().unwrap_or(Value::Undefined), true);
        }
        Frame {
            proto: c.proto.clone(),
            pc: 0,
            stack: Vec::new(),
            scope,
            handlers: Vec::new(),
            completions: Vec::new(),
            loops: Vec::new(),
            promise,
        }
    }

    /// Counts `steps` against the step limits. An instruction is one step; work that grows
    /// with its input (making `range(n)`, copying an array, joining strings) costs more, so no
    /// single step can allocate without bound.
    pub(in crate::lang) fn charge(&mut self, steps: u64, span: &Span) -> Result<(), Stop> {
        self.steps_stretch += steps;
        self.steps_total += steps;
        if self.steps_stretch > self.limits.steps_per_stretch {
            return Err(Stop::Fatal(Limit::StepsPerStretch, span.clone()));
        }
        if self.steps_total > self.limits.steps_total {
            return Err(Stop::Fatal(Limit::StepsTotal, span.clone()));
        }
        Ok(())
    }

    /// A catchable `TypeError`.
    pub(in crate::lang) fn type_error(&self, message: &str, span: &Span) -> Stop {
        Stop::Throw(type_error(message, span))
    }

    pub(super) fn react(
        &mut self,
        reaction: Reaction,
        result: Settled,
        clock: &mut dyn Clock,
    ) -> Result<(), Stop> {
        match reaction {
            Reaction::Resume(task) => self.run_task(task, Some(result), clock),
            Reaction::Adopt(p) => {
                self.settle(p, result);
                Ok(())
            }
            other => {
                let natives = self.natives;
                natives.react(self, other, result)
            }
        }
    }

    pub(super) fn run_task(
        &mut self,
        id: usize,
        resume: Option<Settled>,
        clock: &mut dyn Clock,
    ) -> Result<(), Stop> {
        let Some(mut task) = self.tasks.get_mut(id).and_then(Option::take) else {
            return Ok(());
        };
        if let Some(span) = task.waiting_at.take() {
            self.recording.awaited(span, task.waiting_since, self.now);
        }
        if let Some(lane) = task.waiting_on.take().and_then(|p| self.promises[p].lane) {
            self.recording.consume(lane, self.now);
        }
        let mut flow = Flow::Next;
        match resume {
            Some(Ok(v)) => {
                if let Some(frame) = task.frames.last_mut() {
                    frame.stack.push(v);
                }
            }
            Some(Err(thrown)) => flow = self.throw(&mut task, thrown),
            None => {}
        }
        loop {
            match flow {
                Flow::Next => {}
                Flow::Suspended => {
                    self.tasks[id] = Some(task);
                    return Ok(());
                }
                Flow::Finished => return Ok(()),
            }
            let Some(frame) = task.frames.last_mut() else {
                return Ok(());
            };
            let proto = frame.proto.clone();
            let pc = frame.pc;
            frame.pc += 1;
            let caller_span;
            let span = if proto.is_prelude {
                // Errors in an array method are the program's call's errors.
                caller_span = task
                    .frames
                    .iter()
                    .rev()
                    .find(|f| !f.proto.is_prelude)
                    .and_then(|f| f.proto.spans.get(f.pc.saturating_sub(1)).cloned())
                    .unwrap_or(0..0);
                &caller_span
            } else {
                &proto.spans[pc]
            };
            self.charge(1, span)?;
            flow = match self.exec(&mut task, id, &proto.code[pc], span, clock) {
                Ok(flow) => flow,
                Err(Stop::Throw(thrown)) => self.throw(&mut task, thrown),
                Err(fatal) => return Err(fatal),
            };
        }
    }

    /// Unwinds `task` to the nearest handler for `thrown`.
    pub(super) fn throw(&mut self, task: &mut Task, thrown: Thrown) -> Flow {
        loop {
            let Some(frame) = task.frames.last_mut() else {
                return Flow::Finished;
            };
            if let Some(h) = frame.handlers.pop() {
                frame.stack.truncate(h.stack_len);
                frame.completions.truncate(h.completions_len);
                frame.loops.truncate(h.loops_len);
                frame.scope = h.scope;
                if let Some(catch) = h.catch {
                    frame.stack.push(thrown.value);
                    frame.pc = catch;
                } else if let Some(finally) = h.finally {
                    frame.completions.push(Completion::Throw(thrown));
                    frame.pc = finally;
                }
                return Flow::Next;
            }
            let frame = task.frames.pop().expect("a frame");
            if let Some(p) = frame.promise {
                self.settle(p, Err(thrown));
                return match task.frames.last_mut() {
                    Some(caller) => {
                        caller.stack.push(Value::Promise(p));
                        Flow::Next
                    }
                    None => Flow::Finished,
                };
            }
        }
    }

    /// Returns `value` from the running function, through any finally blocks.
    pub(super) fn do_return(&mut self, task: &mut Task, value: Value) -> Flow {
        let frame = task.frames.last_mut().expect("a frame");
        while let Some(h) = frame.handlers.pop() {
            if let Some(finally) = h.finally {
                frame.stack.truncate(h.stack_len);
                frame.completions.truncate(h.completions_len);
                frame.loops.truncate(h.loops_len);
                frame.scope = h.scope;
                frame.completions.push(Completion::Return(value));
                frame.pc = finally;
                return Flow::Next;
            }
        }
        let frame = task.frames.pop().expect("a frame");
        let result = match frame.promise {
            Some(p) => {
                self.resolve(p, value);
                Value::Promise(p)
            }
            None => value,
        };
        match task.frames.last_mut() {
            Some(caller) => {
                caller.stack.push(result);
                Flow::Next
            }
            None => Flow::Finished,
        }
    }

    pub(super) fn exec(
        &mut self,
        task: &mut Task,
        id: usize,
        op: &Op,
        span: &Span,
        clock: &mut dyn Clock,
    ) -> Result<Flow, Stop> {
        let frame = task.frames.last_mut().expect("a frame");
        match op {
            Op::Num(n) => frame.stack.push(Value::Num(*n)),
            Op::Str(s) => frame.stack.push(Value::Str(s.clone())),
            Op::Bool(b) => frame.stack.push(Value::Bool(*b)),
            Op::Null => frame.stack.push(Value::Null),
            Op::Undefined => frame.stack.push(Value::Undefined),
            Op::Load(name) => {
                let value = frame
                    .scope
                    .get(name)
                    .or_else(|| Builtin::global(name))
                    .ok_or_else(|| Thrown {
                        value: Value::error(
                            "ReferenceError",
                            &format!("unknown name `{name}` (declare it with const or let)"),
                        ),
                        span: span.clone(),
                    })?;
                frame.stack.push(value);
            }
            Op::Store(name) => {
                let value = frame.stack.last().cloned().unwrap_or(Value::Undefined);
                match frame.scope.set(name, value) {
                    Ok(()) => {}
                    Err(ScopeError::Const) => {
                        return Err(self.type_error(
                            &format!("`{name}` is a const and cannot be assigned"),
                            span,
                        ))
                    }
                    Err(_) => {
                        return Err(Stop::Throw(Thrown {
                            value: Value::error(
                                "ReferenceError",
                                &format!("unknown name `{name}` (declare it with let first)"),
                            ),
                            span: span.clone(),
                        }))
                    }
                }
            }
            Op::Declare { name, mutable } => {
                let value = frame.stack.pop().unwrap_or(Value::Undefined);
                if frame.scope.declare(name, value, *mutable).is_err() {
                    return Err(Stop::Throw(Thrown {
                        value: Value::error(
                            "SyntaxError",
                            &format!("`{name}` is already declared in this block"),
                        ),
                        span: span.clone(),
                    }));
                }
            }
            Op::Pop => {
                frame.stack.pop();
            }
            Op::Array(n) => {
                let items = frame.stack.split_off(frame.stack.len().saturating_sub(*n));
                frame.stack.push(Value::array(items));
            }
            Op::Object(keys) => {
                let values = frame
                    .stack
                    .split_off(frame.stack.len().saturating_sub(keys.len()));
                // A key given twice keeps its last value, as in JavaScript.
                let mut fields: Vec<(Rc<str>, Value)> = Vec::with_capacity(keys.len());
                for (key, value) in keys.iter().zip(values) {
                    match fields.iter_mut().find(|(k, _)| k == key) {
                        Some(field) => field.1 = value,
                        None => fields.push((key.clone(), value)),
                    }
                }
                frame.stack.push(Value::Object(Rc::new(fields)));
            }
            Op::Closure(index) => {
                let known = self
                    .captured
                    .last()
                    .is_some_and(|w| std::ptr::eq(w.as_ptr(), Rc::as_ptr(&frame.scope)));
                if !known {
                    self.captured.push(Rc::downgrade(&frame.scope));
                }
                let closure = Closure {
                    proto: self.protos[*index].clone(),
                    scope: frame.scope.clone(),
                };
                frame.stack.push(Value::Closure(Rc::new(closure)));
            }
            Op::Unary(op) => {
                let v = frame.stack.pop().unwrap_or(Value::Undefined);
                frame.stack.push(match op {
                    UnaryOp::Not => Value::Bool(!v.truthy()),
                    UnaryOp::Neg => Value::Num(-v.to_number()),
                    UnaryOp::Plus => Value::Num(v.to_number()),
                });
            }
            Op::Binary(op) => {
                let b = frame.stack.pop().unwrap_or(Value::Undefined);
                let a = frame.stack.pop().unwrap_or(Value::Undefined);
                let value = binary(*op, &a, &b, self.limits.string_bytes)
                    .ok_or_else(|| Stop::Fatal(Limit::StringLen, span.clone()))?;
                if let Value::Str(s) = &value {
                    self.charge(s.len() as u64 / 16, span)?;
                }
                task.frames.last_mut().expect("a frame").stack.push(value);
            }
            Op::Jump(to) => frame.pc = *to,
            Op::JumpIfFalse(to) => {
                if !frame.stack.pop().is_some_and(|v| v.truthy()) {
                    frame.pc = *to;
                }
            }
            Op::ShortCircuit(op, to) => {
                let truthy = frame.stack.last().is_some_and(Value::truthy);
                let decided = match op {
                    LogicalOp::And => !truthy,
                    LogicalOp::Or => truthy,
                };
                if decided {
                    frame.pc = *to;
                } else {
                    frame.stack.pop();
                }
            }
            Op::Member(name) => {
                let object = frame.stack.pop().unwrap_or(Value::Undefined);
                let value = self.member(&object, name, span)?;
                task.frames.last_mut().expect("a frame").stack.push(value);
            }
            Op::Index => {
                let index = frame.stack.pop().unwrap_or(Value::Undefined);
                let object = frame.stack.pop().unwrap_or(Value::Undefined);
                let value = match (&object, index.to_number()) {
                    (Value::Array(items), i) if i >= 0.0 && i.fract() == 0.0 => items
                        .borrow()
                        .get(i as usize)
                        .cloned()
                        .unwrap_or(Value::Undefined),
                    (Value::Str(s), i) if i >= 0.0 && i.fract() == 0.0 => s
                        .chars()
                        .nth(i as usize)
                        .map(|c| Value::str(&c.to_string()))
                        .unwrap_or(Value::Undefined),
                    (Value::Undefined | Value::Null, _) => {
                        return Err(self.type_error(
                            &format!("cannot read an index of {}", object.type_name()),
                            span,
                        ))
                    }
                    (_, _) => match &index {
                        Value::Str(name) => self.member(&object, name, span)?,
                        _ => Value::Undefined,
                    },
                };
                task.frames.last_mut().expect("a frame").stack.push(value);
            }
            Op::Call(argc) => {
                let args = frame
                    .stack
                    .split_off(frame.stack.len().saturating_sub(*argc));
                let callee = frame.stack.pop().unwrap_or(Value::Undefined);
                return self.call(task, callee, args, span, clock);
            }
            Op::Await => {
                let value = frame.stack.pop().unwrap_or(Value::Undefined);
                let p = self.promise_of(value, span)?;
                let Some(frame) = task.frames.pop() else {
                    return Ok(Flow::Finished);
                };
                if task.frames.is_empty() {
                    // The task's own async function waits: the task sleeps.
                    task.frames.push(frame);
                    task.waiting_at = Some(span.clone());
                    task.waiting_on = Some(p);
                    task.waiting_since = self.now;
                    self.react_to(p, Reaction::Resume(id));
                    return Ok(Flow::Suspended);
                }
                // An async function called from this task waits: it goes on as a task of its
                // own, and its caller continues with its promise.
                let promise = frame
                    .promise
                    .expect("await only compiles in async functions");
                let waiting = self.new_task(Task {
                    frames: vec![frame],
                    waiting_at: Some(span.clone()),
                    waiting_on: Some(p),
                    waiting_since: self.now,
                });
                self.react_to(p, Reaction::Resume(waiting));
                task.frames
                    .last_mut()
                    .expect("a caller")
                    .stack
                    .push(Value::Promise(promise));
            }
            Op::Return => {
                let value = frame.stack.pop().unwrap_or(Value::Undefined);
                return Ok(self.do_return(task, value));
            }
            Op::Throw => {
                let value = frame.stack.pop().unwrap_or(Value::Undefined);
                return Err(Stop::Throw(Thrown {
                    value,
                    span: span.clone(),
                }));
            }
            Op::PushScope => frame.scope = Scope::child(&frame.scope),
            Op::PopScope => {
                if let Some(parent) = frame.scope.parent() {
                    frame.scope = parent.clone();
                }
            }
            Op::EnterTry { catch, finally } => {
                let handler = Handler {
                    catch: *catch,
                    finally: *finally,
                    stack_len: frame.stack.len(),
                    completions_len: frame.completions.len(),
                    loops_len: frame.loops.len(),
                    scope: frame.scope.clone(),
                };
                frame.handlers.push(handler);
            }
            Op::LeaveTry => {
                frame.handlers.pop();
            }
            Op::EnterLoop => {
                let mark = LoopMark {
                    stack_len: frame.stack.len(),
                    handlers_len: frame.handlers.len(),
                    completions_len: frame.completions.len(),
                    scope: frame.scope.clone(),
                };
                frame.loops.push(mark);
            }
            Op::ExitLoop => {
                frame.loops.pop();
            }
            Op::LoopJump(to) => {
                if let Some(mark) = frame.loops.last() {
                    frame.stack.truncate(mark.stack_len);
                    frame.handlers.truncate(mark.handlers_len);
                    frame.completions.truncate(mark.completions_len);
                    frame.scope = mark.scope.clone();
                }
                frame.pc = *to;
            }
            Op::NormalCompletion => frame.completions.push(Completion::Normal),
            Op::EndFinally => match frame.completions.pop() {
                Some(Completion::Normal) | None => {}
                Some(Completion::Return(value)) => return Ok(self.do_return(task, value)),
                Some(Completion::Throw(thrown)) => return Err(Stop::Throw(thrown)),
            },
            Op::IterStart { is_await } => {
                let iterable = frame.stack.pop().unwrap_or(Value::Undefined);
                let iter = match iterable {
                    Value::Array(items) => {
                        let items = items.borrow().clone();
                        self.charge(items.len() as u64, span)?;
                        Iter::Array(items, 0)
                    }
                    Value::Stream(s) if *is_await => Iter::Stream(s),
                    Value::Stream(_) => {
                        return Err(self
                            .type_error("a stream is read with `for await (const x of …)`", span))
                    }
                    other => {
                        return Err(self
                            .type_error(&format!("cannot loop over {}", other.type_name()), span))
                    }
                };
                let frame = task.frames.last_mut().expect("a frame");
                frame
                    .stack
                    .push(Value::Iter(Rc::new(std::cell::RefCell::new(iter))));
            }
            Op::IterNext(exit) => {
                let Some(Value::Iter(iter)) = frame.stack.last().cloned() else {
                    return Err(self.type_error("not in a loop", span));
                };
                let mut iter = iter.borrow_mut();
                match &mut *iter {
                    Iter::Array(items, i) => {
                        if let Some(item) = items.get(*i) {
                            *i += 1;
                            frame.stack.push(item.clone());
                        } else {
                            frame.stack.pop();
                            frame.pc = *exit;
                        }
                    }
                    Iter::Stream(stream) => {
                        let stream = stream.clone();
                        drop(iter);
                        let natives = self.natives;
                        let next = natives.stream_next(self, &stream, span)?;
                        task.frames.last_mut().expect("a frame").stack.push(next);
                    }
                }
            }
            Op::IterDone(exit) => {
                if matches!(frame.stack.last(), Some(Value::Done)) {
                    frame.stack.pop();
                    frame.stack.pop();
                    frame.pc = *exit;
                }
            }
        }
        Ok(Flow::Next)
    }

    pub(super) fn member(
        &mut self,
        object: &Value,
        name: &str,
        span: &Span,
    ) -> Result<Value, Stop> {
        Ok(match object {
            Value::Namespace(ns) => match ns.member(name) {
                Some(b) => Value::Builtin(b),
                None => Value::Undefined,
            },
            Value::Array(items) => match name {
                "length" => Value::Num(items.borrow().len() as f64),
                "push" => Value::ArrayMethod(items.clone(), ArrayMethod::Push),
                _ => match self.methods.iter().find(|(n, _)| &**n == name) {
                    Some((_, method)) => Value::Method(method.clone(), items.clone()),
                    None => Value::Undefined,
                },
            },
            Value::Str(s) if name == "length" => Value::Num(s.chars().count() as f64),
            Value::Object(_) => object.field(name).unwrap_or(Value::Undefined),
            Value::Promise(_) if matches!(name, "then" | "catch" | "finally") => {
                return Err(self.type_error(
                    &format!(
                        "promises have no `.{name}` in this language: use await (with try/catch)"
                    ),
                    span,
                ))
            }
            Value::Undefined | Value::Null => {
                return Err(self.type_error(
                    &format!("cannot read `{name}` of {}", object.type_name()),
                    span,
                ))
            }
            _ => Value::Undefined,
        })
    }

    pub(super) fn call(
        &mut self,
        task: &mut Task,
        callee: Value,
        args: Vec<Value>,
        span: &Span,
        clock: &mut dyn Clock,
    ) -> Result<Flow, Stop> {
        let result = match callee {
            Value::Closure(c) => {
                if task.frames.len() >= self.limits.call_depth {
                    return Err(Stop::Fatal(Limit::CallDepth, span.clone()));
                }
                let promise = if c.proto.is_async {
                    Some(self.new_promise(span)?)
                } else {
                    None
                };
                let frame = self.frame_for(&c, args, promise);
                task.frames.push(frame);
                return Ok(Flow::Next);
            }
            Value::Builtin(b) => {
                let natives = self.natives;
                natives.call(self, b, args, span, clock)?
            }
            Value::Method(method, items) => {
                let mut all = Vec::with_capacity(args.len() + 1);
                all.push(Value::Array(items));
                all.extend(args);
                return self.call(task, Value::Closure(method), all, span, clock);
            }
            Value::ArrayMethod(items, ArrayMethod::Push) => {
                let mut items = items.borrow_mut();
                if items.len() + args.len() > self.limits.array_len {
                    return Err(Stop::Fatal(Limit::ArrayLen, span.clone()));
                }
                items.extend(args);
                Value::Num(items.len() as f64)
            }
            other => {
                let text = self.src.get(span.clone()).unwrap_or("");
                let callee = text.split('(').next().unwrap_or(text).trim();
                return Err(self.type_error(
                    &format!("`{callee}` is not a function (it is {})", other.type_name()),
                    span,
                ));
            }
        };
        task.frames.last_mut().expect("a frame").stack.push(result);
        Ok(Flow::Next)
    }
}

/// A binary operator on two values, as JavaScript computes it (`==` is `===` here); `None`
/// when `+` would make a string longer than `max_string` bytes.
fn binary(op: BinaryOp, a: &Value, b: &Value, max_string: usize) -> Option<Value> {
    use BinaryOp::*;
    Some(match op {
        Add => match (a, b) {
            (Value::Num(x), Value::Num(y)) => Value::Num(x + y),
            (Value::Str(_) | Value::Array(_) | Value::Object(_), _)
            | (_, Value::Str(_) | Value::Array(_) | Value::Object(_)) => {
                let left = a.display_within(max_string)?;
                let right = b.display_within(max_string - left.len())?;
                Value::str(&(left + &right))
            }
            _ => Value::Num(a.to_number() + b.to_number()),
        },
        Sub => Value::Num(a.to_number() - b.to_number()),
        Mul => Value::Num(a.to_number() * b.to_number()),
        Div => Value::Num(a.to_number() / b.to_number()),
        Rem => Value::Num(a.to_number() % b.to_number()),
        Eq => Value::Bool(a.strict_eq(b)),
        NotEq => Value::Bool(!a.strict_eq(b)),
        Lt | Le | Gt | Ge => {
            let ord = match (a, b) {
                (Value::Str(x), Value::Str(y)) => Some(x.cmp(y)),
                _ => a.to_number().partial_cmp(&b.to_number()),
            };
            Value::Bool(match ord {
                None => false,
                Some(o) => match op {
                    Lt => o.is_lt(),
                    Le => o.is_le(),
                    Gt => o.is_gt(),
                    _ => o.is_ge(),
                },
            })
        }
    })
}

/// A `TypeError` thrown by the code at `span`.
pub(in crate::lang) fn type_error(message: &str, span: &Span) -> Thrown {
    Thrown {
        value: Value::error("TypeError", message),
        span: span.clone(),
    }
}
