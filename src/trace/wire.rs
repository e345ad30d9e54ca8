//! A result line as a list of numbers and a list of texts: how a program's line crosses from the
//! language module to the page.
//!
//! The module and the page are two wasm modules, so a value crosses between them as a
//! JavaScript value. Through serde, a [`ResultLine`] would make the page carry serde's reader for
//! the whole [`Trace`]: measured at 6.3 KB gzip, of a start budget (300 KB) that has none to
//! spare. Read as two plain vectors instead (which the page's serde reader already handles), it
//! costs the page under 1 KB. The line carries what a program's trace holds (its spans, the
//! order they ended in, when the program continued and how, the results taken, the lanes'
//! names and the start-up); [`encode`] refuses a line with anything more, so nothing is dropped
//! on the way unseen (`lang::line`'s tests send every example program's line through it).

use super::results::ResultLine;
use super::{GroupOutcome, Outcome, Span, Trace};

/// A line as numbers and texts.
pub type Wire = (Vec<f64>, Vec<String>);

/// The layout's version (the first number). The module and the page are built together, so
/// another version is a bug, read as no line.
const VERSION: f64 = 1.0;

/// Texts before the lanes' names: id, name, resources.
const TEXTS: usize = 3;

const OUTCOMES: [Outcome; 4] = [
    Outcome::Completed,
    Outcome::Failed,
    Outcome::TimedOut,
    Outcome::Cancelled,
];

fn opt(v: Option<f64>) -> f64 {
    v.unwrap_or(f64::NAN)
}

fn some(v: f64) -> Option<f64> {
    (!v.is_nan()).then_some(v)
}

/// How the awaiting code continued, as a number: only the ways a program continues.
fn resumed_code(how: &GroupOutcome) -> Option<f64> {
    match how {
        GroupOutcome::AllCompleted => Some(0.0),
        GroupOutcome::Capped => Some(1.0),
        GroupOutcome::Cancelled => Some(2.0),
        _ => None,
    }
}

fn resumed_of(code: f64) -> Option<GroupOutcome> {
    match code as u8 {
        0 => Some(GroupOutcome::AllCompleted),
        1 => Some(GroupOutcome::Capped),
        2 => Some(GroupOutcome::Cancelled),
        _ => None,
    }
}

/// `line` as numbers and texts, or `None` when its trace holds something the layout does not
/// carry (a lag probe, a counter, a value, an error, …: a preset's, not a program's).
pub fn encode(line: &ResultLine) -> Option<Wire> {
    let t = &line.trace;
    let carried = Trace {
        task_count: t.task_count,
        spans: t.spans.clone(),
        completion_order: t.completion_order.clone(),
        elapsed_ms: t.elapsed_ms,
        cancelled: t.cancelled,
        resumed: t.resumed.clone(),
        consumed: t.consumed.clone(),
        lane_names: t.lane_names.clone(),
        startup_ms: t.startup_ms,
        ..Trace::default()
    };
    if carried != *t {
        return None;
    }
    let (resumed_at, resumed_how) = match &t.resumed {
        Some((at, how)) => (*at, resumed_code(how)?),
        None => (f64::NAN, 0.0),
    };
    let mut n = vec![
        VERSION,
        opt(line.ideal_ms),
        opt(line.measured_ms),
        f64::from(t.task_count),
        opt(t.elapsed_ms),
        f64::from(u8::from(t.cancelled)),
        resumed_at,
        resumed_how,
        opt(t.startup_ms),
        t.spans.len() as f64,
        t.completion_order.len() as f64,
        t.consumed.len() as f64,
    ];
    for s in &t.spans {
        let outcome = s
            .outcome
            .and_then(|o| OUTCOMES.iter().position(|x| *x == o));
        n.extend([
            f64::from(s.task),
            f64::from(s.lane),
            f64::from(s.attempt),
            s.start_ms,
            opt(s.end_ms),
            opt(outcome.map(|i| i as f64)),
        ]);
    }
    n.extend(t.completion_order.iter().map(|&task| f64::from(task)));
    for &(task, at_ms) in &t.consumed {
        n.extend([f64::from(task), at_ms]);
    }
    let mut texts = vec![line.id.clone(), line.name.clone(), line.resources.clone()];
    texts.extend(t.lane_names.iter().cloned());
    Some((n, texts))
}

/// The line [`encode`] wrote, or `None` for numbers and texts of another layout. Read in one
/// pass, number by number: a count that promises more than there is ends at the last number.
pub fn decode(wire: Wire) -> Option<ResultLine> {
    let (numbers, mut texts) = wire;
    let mut numbers = numbers.into_iter();
    let mut next = || numbers.next();
    if next()? != VERSION || texts.len() < TEXTS {
        return None;
    }
    let ideal_ms = some(next()?);
    let measured_ms = some(next()?);
    let mut t = Trace {
        task_count: next()? as u32,
        elapsed_ms: some(next()?),
        cancelled: next()? != 0.0,
        ..Trace::default()
    };
    let (resumed_at, resumed_how) = (next()?, next()?);
    if let Some(at) = some(resumed_at) {
        t.resumed = Some((at, resumed_of(resumed_how)?));
    }
    t.startup_ms = some(next()?);
    let (spans, completed, consumed) = (next()?, next()?, next()?);
    for _ in 0..spans as usize {
        t.spans.push(Span {
            task: next()? as u32,
            lane: next()? as u32,
            attempt: next()? as u32,
            start_ms: next()?,
            end_ms: some(next()?),
            outcome: some(next()?).and_then(|i| OUTCOMES.get(i as usize).copied()),
        });
    }
    for _ in 0..completed as usize {
        t.completion_order.push(next()? as u32);
    }
    for _ in 0..consumed as usize {
        t.consumed.push((next()? as u32, next()?));
    }
    if next().is_some() {
        return None;
    }
    t.lane_names = texts.split_off(TEXTS);
    let mut texts = texts.into_iter();
    Some(ResultLine {
        id: texts.next()?,
        name: texts.next()?,
        resources: texts.next()?,
        ideal_ms,
        measured_ms,
        trace: t,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(trace: Trace) -> ResultLine {
        ResultLine {
            id: "program".into(),
            name: "Your program".into(),
            ideal_ms: Some(500.0),
            measured_ms: Some(503.5),
            resources: "2 promises at once".into(),
            trace,
        }
    }

    #[test]
    fn a_trace_with_more_than_a_program_records_is_refused_not_cut() {
        let mut t = Trace::new(1);
        t.lag.push((10.0, 2.0));
        assert_eq!(encode(&line(t)), None);
        let mut t = Trace::new(1);
        t.resume(5.0, GroupOutcome::FirstFinished { task: 0 });
        assert_eq!(encode(&line(t)), None);
        assert!(encode(&line(Trace::new(1))).is_some());
    }

    #[test]
    fn numbers_or_texts_of_another_layout_are_no_line() {
        let (n, texts) = encode(&line(Trace::new(0))).unwrap();
        assert!(decode((n[..n.len() - 1].to_vec(), texts.clone())).is_none());
        assert!(decode((n.clone(), texts[..2].to_vec())).is_none());
        let mut other = n.clone();
        other[0] = 2.0;
        assert!(decode((other, texts)).is_none());
        assert!(decode((Vec::new(), Vec::new())).is_none());
    }
}
