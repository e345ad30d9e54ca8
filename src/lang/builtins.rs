//! The built-in functions: timers (`sleep`, `call`, `fail`, `ticks`), the combinators
//! (`Promise.all` and friends, `timeout`, `retry`, `limit`), CPU work (`spin` on the loop,
//! `worker` and `parallel` on workers) and `console.log`. Each one that waits makes a promise;
//! what happens when the promises it waits for settle is in [`react`].

use std::cell::RefCell;
use std::rc::Rc;

use crate::cpu::kernels::{clamp_job, split_job, Job, MandelbrotSpec};
use crate::trace::Outcome;

use super::ast::{Program, Span};
use super::error::ParseError;
use super::limits::Limit;
use super::machine::{
    type_error, Clock, Group, GroupKind, LimitState, Machine, Natives, Reaction, RetryState,
    Settled, Stop, Thrown, TimerAction,
};
use super::parser::parse;
use super::trace::LaneKind;
use super::value::{number_to_string, Builtin, Stream, Value};

/// Longest label a lane keeps, in bytes.
const MAX_LABEL_BYTES: usize = 200;

/// The built-ins, as the machine sees them.
struct Builtins;

impl Natives for Builtins {
    fn call(
        &self,
        m: &mut Machine,
        b: Builtin,
        args: Vec<Value>,
        span: &Span,
        clock: &mut dyn Clock,
    ) -> Result<Value, Stop> {
        call(m, b, args, span, clock)
    }

    fn react(&self, m: &mut Machine, reaction: Reaction, result: Settled) -> Result<(), Stop> {
        react(m, reaction, result)
    }

    fn stream_next(
        &self,
        m: &mut Machine,
        stream: &Rc<RefCell<Stream>>,
        span: &Span,
    ) -> Result<Value, Stop> {
        stream_next(m, stream, span)
    }
}

impl Machine {
    /// Parses and compiles `src` into a machine ready to run it, with every built-in.
    pub fn new(src: &str) -> Result<Machine, ParseError> {
        let program = parse(src)?;
        Machine::from_program(src, &program)
    }

    /// A machine for an already parsed `program` of `src`.
    pub fn from_program(src: &str, program: &Program) -> Result<Machine, ParseError> {
        Machine::load(src, program, &Builtins)
    }
}

/// Calls built-in `b` with `args`.
fn call(
    m: &mut Machine,
    b: Builtin,
    args: Vec<Value>,
    span: &Span,
    clock: &mut dyn Clock,
) -> Result<Value, Stop> {
    let a = Args {
        args: &args,
        name: b.name(),
        span,
    };
    Ok(match b {
        Builtin::Sleep => {
            let ms = a.ms(m, 0)?;
            let label = format!("sleep {}", number_to_string(ms));
            Value::Promise(m.timer_promise(ms, Ok(Value::Undefined), Some(label), span)?)
        }
        Builtin::Call => {
            let label = a.label(0);
            let ms = a.ms(m, 1)?;
            let value = match a.get(0) {
                Value::Str(s) => Value::Str(s),
                _ => Value::str(&label),
            };
            Value::Promise(m.timer_promise(ms, Ok(value), Some(label), span)?)
        }
        Builtin::Fail => {
            let label = a.label(0);
            let ms = a.ms(m, 1)?;
            let error = Thrown {
                value: Value::error("Error", &format!("{label} failed")),
                span: span.clone(),
            };
            Value::Promise(m.timer_promise(ms, Err(error), Some(label), span)?)
        }
        Builtin::Timeout => {
            let inner = m.promise_of(a.get(0), span)?;
            let ms = a.ms(m, 1)?;
            let outer = m.new_promise(span)?;
            let timer = m.set_timer(
                ms,
                TimerAction::Timeout {
                    outer,
                    inner,
                    ms,
                    span: span.clone(),
                },
            );
            m.react_to(inner, Reaction::TimeoutInner { outer, timer });
            Value::Promise(outer)
        }
        Builtin::Retry => {
            let attempts = a.count(m, 0)?.max(1);
            let delay_ms = a.ms(m, 1)?;
            let f = a.get(2);
            let target = m.new_promise(span)?;
            m.retries.push(RetryState {
                f,
                attempts_left: attempts,
                delay_ms,
                target,
                span: span.clone(),
            });
            attempt(m, m.retries.len() - 1)?;
            Value::Promise(target)
        }
        Builtin::Limit => {
            let k = a.count(m, 0)?.max(1) as usize;
            let items = a.array(m, 1)?;
            let target = m.new_promise(span)?;
            let n = items.len();
            m.limiters.push(LimitState {
                items,
                next: 0,
                k,
                results: vec![Value::Undefined; n],
                remaining: n,
                target,
                failed: false,
                span: span.clone(),
            });
            let id = m.limiters.len() - 1;
            if n == 0 {
                m.settle(target, Ok(Value::array(Vec::new())));
            }
            launch_limited(m, id)?;
            Value::Promise(target)
        }
        Builtin::Range => {
            let n = a.count(m, 0)? as usize;
            if n > m.limits.array_len {
                return Err(Stop::Fatal(Limit::ArrayLen, span.clone()));
            }
            m.charge(n as u64, span)?;
            Value::array((0..n).map(|i| Value::Num(i as f64)).collect())
        }
        Builtin::Ticks => {
            let count = a.count(m, 0)?;
            let ms = a.ms(m, 1)?;
            Value::Stream(Rc::new(RefCell::new(Stream {
                count,
                ms,
                asked: 0,
            })))
        }
        Builtin::Spin => {
            let mut ms = a.ms(m, 0)?;
            let cap = m.limits.spin_ms;
            if ms > cap {
                let note = format!(
                    "spin({}) was capped at {} ms so the page stays usable",
                    number_to_string(ms),
                    number_to_string(cap)
                );
                m.recording.log(m.now, note);
                ms = cap;
            }
            if m.blocked_in_stretch + ms > cap {
                return Err(Stop::Fatal(Limit::Blocking, span.clone()));
            }
            m.blocked_in_stretch += ms;
            let label = format!("spin {} (blocks the loop)", number_to_string(ms));
            let lane = m.recording.open(label, LaneKind::MainThread, m.now);
            m.block(clock, ms);
            m.recording.close(lane, m.now, Outcome::Completed);
            Value::Undefined
        }
        Builtin::Worker | Builtin::Parallel => {
            let (parts, work) = if b == Builtin::Worker {
                (1, a.get(0))
            } else {
                (a.count(m, 0)?.clamp(1, 64), a.get(1))
            };
            let target = m.new_promise(span)?;
            match work {
                Value::Job(job) => submit(m, &job, parts, target),
                f @ Value::Closure(_) => {
                    let p = m.spawn_call(&f, Vec::new(), span)?;
                    m.react_to(
                        p,
                        Reaction::SubmitJob {
                            target,
                            parts,
                            span: span.clone(),
                        },
                    );
                }
                other => {
                    return Err(m.type_error(
                        &format!(
                            "{}() takes CPU work such as `() => primes(100000)`, not {}",
                            b.name(),
                            other.type_name()
                        ),
                        span,
                    ))
                }
            }
            Value::Promise(target)
        }
        Builtin::Primes => {
            let end = a.count(m, 0)?;
            job(
                m,
                Job::CountPrimes {
                    start: 0,
                    end: end.into(),
                },
            )
        }
        Builtin::Mandelbrot => {
            let spec = MandelbrotSpec {
                width: a.count(m, 0)?,
                height: a.count(m, 1)?,
                max_iter: a.count(m, 2)?,
            };
            job(
                m,
                Job::Mandelbrot {
                    spec,
                    rows_start: 0,
                    rows_end: spec.height,
                },
            )
        }
        Builtin::Burn => {
            let ms = a.ms(m, 0)?;
            job(m, Job::Spin { ms })
        }
        Builtin::Now => Value::Num(m.now),
        Builtin::Log => {
            let text: Vec<String> = args.iter().map(Value::inspect).collect();
            m.recording.log(m.now, text.join(" "));
            Value::Undefined
        }
        Builtin::All | Builtin::AllSettled | Builtin::Race | Builtin::Any => {
            let kind = match b {
                Builtin::All => GroupKind::All,
                Builtin::AllSettled => GroupKind::AllSettled,
                Builtin::Race => GroupKind::Race,
                _ => GroupKind::Any,
            };
            let items = a.array(m, 0)?;
            Value::Promise(group(m, kind, items, span)?)
        }
        Builtin::Resolve => Value::Promise(m.promise_of(a.get(0), span)?),
        Builtin::Reject => {
            let thrown = Thrown {
                value: a.get(0),
                span: span.clone(),
            };
            Value::Promise(m.settled_promise(Err(thrown), span)?)
        }
        Builtin::Error => Value::error("Error", &a.label(0)),
    })
}

/// The arguments of one built-in call, read with messages that name it.
struct Args<'a> {
    args: &'a [Value],
    name: &'static str,
    span: &'a Span,
}

impl Args<'_> {
    fn get(&self, i: usize) -> Value {
        self.args.get(i).cloned().unwrap_or(Value::Undefined)
    }

    /// A label: a string as is, anything else as it prints (cut to a sensible length: it is
    /// kept for every lane).
    fn label(&self, i: usize) -> String {
        let mut label = match self.get(i) {
            Value::Undefined => String::new(),
            other => other.to_display(),
        };
        if label.len() > MAX_LABEL_BYTES {
            let mut cut = MAX_LABEL_BYTES;
            while !label.is_char_boundary(cut) {
                cut -= 1;
            }
            label.truncate(cut);
            label.push('…');
        }
        label
    }

    fn number(&self, m: &Machine, i: usize, what: &str) -> Result<f64, Stop> {
        match self.get(i) {
            Value::Num(n) if n.is_finite() => Ok(n),
            other => Err(m.type_error(
                &format!(
                    "{}() needs {what} as argument {}, not {}",
                    self.name,
                    i + 1,
                    other.type_name()
                ),
                self.span,
            )),
        }
    }

    /// A duration in ms (negative counts as 0, as timers do).
    fn ms(&self, m: &Machine, i: usize) -> Result<f64, Stop> {
        Ok(self.number(m, i, "a duration in ms")?.max(0.0))
    }

    /// A count (rounded down, at least 0).
    fn count(&self, m: &Machine, i: usize) -> Result<u32, Stop> {
        Ok(self
            .number(m, i, "a count")?
            .max(0.0)
            .min(f64::from(u32::MAX)) as u32)
    }

    /// An array argument, copied (and charged for: see [`Machine::charge`]).
    fn array(&self, m: &mut Machine, i: usize) -> Result<Vec<Value>, Stop> {
        match self.get(i) {
            Value::Array(items) => {
                let items = items.borrow().clone();
                m.charge(items.len() as u64, self.span)?;
                Ok(items)
            }
            other => Err(m.type_error(
                &format!(
                    "{}() needs an array as argument {}, not {}",
                    self.name,
                    i + 1,
                    other.type_name()
                ),
                self.span,
            )),
        }
    }
}

/// A job value, clamped to the kernels' limits (with a log note when it was).
fn job(m: &mut Machine, job: Job) -> Value {
    let (job, note) = clamp_job(job);
    if let Some(note) = note {
        m.recording.log(m.now, note);
    }
    Value::Job(Rc::new(job))
}

/// How a job reads on its lane.
fn describe(job: &Job) -> String {
    match job {
        Job::CountPrimes { start, end } => format!("primes {start}..{end}"),
        Job::Mandelbrot {
            spec,
            rows_start,
            rows_end,
        } => format!(
            "mandelbrot {}x{} rows {rows_start}..{rows_end}",
            spec.width, spec.height
        ),
        Job::Spin { ms } => format!("burn {}", number_to_string(*ms)),
        other => format!("{other:?}"),
    }
}

/// Hands `job`, cut into `parts` (or repeated, if it cannot be cut), to the workers.
fn submit(m: &mut Machine, job: &Job, parts: u32, target: usize) {
    let mut pieces = split_job(job, parts);
    if pieces.len() == 1 && parts > 1 {
        pieces = vec![job.clone(); parts as usize];
    }
    let n = pieces.len();
    let labelled = pieces
        .into_iter()
        .enumerate()
        .map(|(i, piece)| {
            let label = if n == 1 {
                format!("worker: {}", describe(&piece))
            } else {
                format!("worker {}/{n}: {}", i + 1, describe(&piece))
            };
            (piece, label)
        })
        .collect();
    m.submit_jobs(labelled, target);
}

/// The next value of a `for await` over `stream`: a promise of it (a tick after its delay), or
/// of the end.
fn stream_next(m: &mut Machine, stream: &Rc<RefCell<Stream>>, span: &Span) -> Result<Value, Stop> {
    let mut s = stream.borrow_mut();
    if s.asked >= s.count {
        drop(s);
        return Ok(Value::Promise(m.settled_promise(Ok(Value::Done), span)?));
    }
    let i = s.asked;
    s.asked += 1;
    let ms = s.ms;
    drop(s);
    let label = format!("tick {i}");
    Ok(Value::Promise(m.timer_promise(
        ms,
        Ok(Value::Num(f64::from(i))),
        Some(label),
        span,
    )?))
}

/// A combinator over `items` (each a promise or a value).
fn group(m: &mut Machine, kind: GroupKind, items: Vec<Value>, span: &Span) -> Result<usize, Stop> {
    let target = m.new_promise(span)?;
    let mut inputs = Vec::with_capacity(items.len());
    for item in items {
        inputs.push(m.promise_of(item, span)?);
    }
    let n = inputs.len();
    m.groups.push(Group {
        kind,
        target,
        inputs: inputs.clone(),
        values: vec![Value::Undefined; n],
        remaining: n,
        done: false,
    });
    let id = m.groups.len() - 1;
    if n == 0 {
        match kind {
            GroupKind::All | GroupKind::AllSettled => m.settle(target, Ok(Value::array(vec![]))),
            GroupKind::Any => m.settle(
                target,
                Err(Thrown {
                    value: aggregate(Vec::new()),
                    span: span.clone(),
                }),
            ),
            // As in JavaScript, a race of nothing never settles.
            GroupKind::Race => {}
        }
    }
    for (i, p) in inputs.into_iter().enumerate() {
        m.react_to(p, Reaction::Group(id, i));
    }
    Ok(target)
}

fn aggregate(errors: Vec<Value>) -> Value {
    Value::Object(Rc::new(vec![
        (Rc::from("name"), Value::str("AggregateError")),
        (
            Rc::from("message"),
            Value::str("All promises were rejected"),
        ),
        (Rc::from("errors"), Value::array(errors)),
    ]))
}

fn settled_record(result: &Settled) -> Value {
    let fields = match result {
        Ok(v) => vec![
            (Rc::from("status"), Value::str("fulfilled")),
            (Rc::from("value"), v.clone()),
        ],
        Err(t) => vec![
            (Rc::from("status"), Value::str("rejected")),
            (Rc::from("reason"), t.value.clone()),
        ],
    };
    Value::Object(Rc::new(fields))
}

/// Starts one attempt of retry `id`.
fn attempt(m: &mut Machine, id: usize) -> Result<(), Stop> {
    let r = &mut m.retries[id];
    r.attempts_left -= 1;
    let (f, span) = (r.f.clone(), r.span.clone());
    let p = m.spawn_call(&f, Vec::new(), &span)?;
    m.react_to(p, Reaction::RetryAttempt(id));
    Ok(())
}

/// Starts items of limiter `id` while fewer than its `k` are in flight.
fn launch_limited(m: &mut Machine, id: usize) -> Result<(), Stop> {
    loop {
        let l = &mut m.limiters[id];
        let in_flight = l.next - (l.results.len() - l.remaining).min(l.next);
        if l.failed || l.next >= l.items.len() || in_flight >= l.k {
            return Ok(());
        }
        let i = l.next;
        l.next += 1;
        let (item, span) = (l.items[i].clone(), l.span.clone());
        let p = match item {
            f @ Value::Closure(_) => m.spawn_call(&f, Vec::new(), &span)?,
            other => m.promise_of(other, &span)?,
        };
        m.react_to(p, Reaction::LimitDone(id, i));
    }
}

/// Runs the built-ins' reactions to settled promises.
fn react(m: &mut Machine, reaction: Reaction, result: Settled) -> Result<(), Stop> {
    match reaction {
        Reaction::Group(id, i) => {
            let g = &mut m.groups[id];
            if g.done {
                return Ok(());
            }
            let target = g.target;
            let mut finish: Option<Settled> = None;
            let mut losers = Vec::new();
            match (g.kind, result) {
                (GroupKind::All, Ok(v)) => {
                    g.values[i] = v;
                    g.remaining -= 1;
                    if g.remaining == 0 {
                        finish = Some(Ok(Value::array(std::mem::take(&mut g.values))));
                    }
                }
                (GroupKind::All, Err(t)) => finish = Some(Err(t)),
                (GroupKind::AllSettled, r) => {
                    g.values[i] = settled_record(&r);
                    g.remaining -= 1;
                    if g.remaining == 0 {
                        finish = Some(Ok(Value::array(std::mem::take(&mut g.values))));
                    }
                }
                (GroupKind::Race, r) => {
                    losers = g.inputs.clone();
                    finish = Some(r);
                }
                (GroupKind::Any, Ok(v)) => {
                    losers = g.inputs.clone();
                    finish = Some(Ok(v));
                }
                (GroupKind::Any, Err(t)) => {
                    g.values[i] = t.value;
                    g.remaining -= 1;
                    if g.remaining == 0 {
                        let errors = std::mem::take(&mut g.values);
                        finish = Some(Err(Thrown {
                            value: aggregate(errors),
                            span: t.span,
                        }));
                    }
                }
            }
            if let Some(r) = finish {
                m.groups[id].done = true;
                m.settle(target, r);
                // The race is decided: the losers' timers are dropped.
                for p in losers {
                    m.cancel_promise(p, Outcome::Cancelled);
                }
            }
        }
        Reaction::TimeoutInner { outer, timer } => {
            m.clear_timer(timer);
            if m.is_pending(outer) {
                m.settle(outer, result);
            }
        }
        Reaction::RetryAttempt(id) => {
            let r = &m.retries[id];
            let target = r.target;
            match result {
                Ok(v) => m.resolve(target, v),
                Err(t) if r.attempts_left == 0 => m.settle(target, Err(t)),
                Err(_) => {
                    let (delay, span) = (r.delay_ms, r.span.clone());
                    let p = m.timer_promise(delay, Ok(Value::Undefined), None, &span)?;
                    m.react_to(p, Reaction::RetryAgain(id));
                }
            }
        }
        Reaction::RetryAgain(id) => attempt(m, id)?,
        Reaction::LimitDone(id, i) => {
            let l = &mut m.limiters[id];
            if l.failed {
                return Ok(());
            }
            let target = l.target;
            match result {
                Ok(v) => {
                    l.results[i] = v;
                    l.remaining -= 1;
                    if l.remaining == 0 {
                        let results = std::mem::take(&mut l.results);
                        m.settle(target, Ok(Value::array(results)));
                    } else {
                        launch_limited(m, id)?;
                    }
                }
                Err(t) => {
                    l.failed = true;
                    m.settle(target, Err(t));
                }
            }
        }
        Reaction::SubmitJob {
            target,
            parts,
            span,
        } => match result {
            Ok(Value::Job(job)) => submit(m, &job, parts, target),
            Ok(other) => {
                let message = format!(
                    "the function given to a worker must return CPU work such as \
                     primes(100000), not {}",
                    other.type_name()
                );
                m.settle(target, Err(type_error(&message, &span)));
            }
            Err(t) => m.settle(target, Err(t)),
        },
        Reaction::Resume(_) | Reaction::Adopt(_) => unreachable!("handled by the machine"),
    }
    Ok(())
}
