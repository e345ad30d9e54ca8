//! Driving the machine by hand, as the browser will: timers, worker jobs answered (or failing)
//! later, cancel; and the mapping of a run onto the app's trace.

use super::driver::{run_virtual, VirtualClock};
use super::machine::{Machine, RunErrorKind};
use super::trace::LaneKind;
use crate::cpu::kernels::Job;
use crate::trace::Outcome;

#[test]
fn the_machine_hands_out_jobs_and_continues_when_the_driver_answers_them() {
    let mut m = Machine::new(
        "const n = await worker(() => primes(1000));\nconsole.log(n);\nawait sleep(10);",
    )
    .unwrap();
    let mut clock = VirtualClock { now_ms: 1000.0 };
    let idle = m.run_until_idle(&mut clock);
    assert_eq!(idle.done, None);
    assert_eq!(idle.next_timer_ms, None);
    assert_eq!(idle.jobs.len(), 1, "{idle:?}");
    let (id, job) = idle.jobs[0].clone();
    assert_eq!(
        job,
        Job::CountPrimes {
            start: 0,
            end: 1000
        }
    );
    clock.now_ms = 1250.0;
    m.job_done(id, Ok(168));
    let idle = m.run_until_idle(&mut clock);
    assert_eq!(
        idle.next_timer_ms,
        Some(1260.0),
        "timers are on the driver's clock"
    );
    clock.now_ms = 1260.0;
    let idle = m.run_until_idle(&mut clock);
    let done = idle.done.expect("finished");
    assert_eq!(done.error, None);
    assert_eq!(done.main_ms, Some(260.0));
    assert_eq!(m.recording.log[0].text, "168");
    assert_eq!(m.recording.log[0].at_ms, 250.0);
    assert_eq!(m.recording.lanes[0].kind, LaneKind::Worker);
}

#[test]
fn a_failed_job_rejects_its_promise_and_can_be_caught() {
    let mut m = Machine::new(
        "try { await worker(burn(100)); } catch (e) { console.log(e.name, e.message); }",
    )
    .unwrap();
    let mut clock = VirtualClock::default();
    let idle = m.run_until_idle(&mut clock);
    let (id, _) = idle.jobs[0].clone();
    m.job_done(id, Err("the worker crashed".into()));
    let done = m.run_until_idle(&mut clock).done.expect("finished");
    assert_eq!(done.error, None);
    assert_eq!(m.recording.log[0].text, "WorkerError the worker crashed");
    assert_eq!(m.recording.lanes[0].outcome, Some(Outcome::Failed));
}

#[test]
fn cancelling_ends_the_run_marks_pending_bars_cancelled_and_drops_the_jobs() {
    let mut m =
        Machine::new("const a = call('a', 500);\nconst w = worker(burn(1000));\nawait a;").unwrap();
    let mut clock = VirtualClock::default();
    let idle = m.run_until_idle(&mut clock);
    assert_eq!(idle.jobs.len(), 1);
    clock.now_ms = 200.0;
    m.cancel(&mut clock);
    let idle = m.run_until_idle(&mut clock);
    let done = idle.done.expect("finished");
    assert_eq!(done.error.map(|e| e.kind), Some(RunErrorKind::Cancelled));
    assert_eq!(idle.next_timer_ms, None, "no timer is left");
    assert_eq!(idle.cancelled_jobs.len(), 1);
    assert!(m
        .recording
        .lanes
        .iter()
        .all(|l| l.outcome == Some(Outcome::Cancelled) && l.end_ms == Some(200.0)));
}

#[test]
fn a_run_maps_onto_the_apps_trace_with_labels_completions_and_consumed_results() {
    let r = run_virtual(
        "const a = call('slow', 300);\nconst b = call('fast', 100);\nawait a;\nawait b;\ntry { await fail('late', 50); } catch (e) {}",
    )
    .unwrap();
    let t = &r.trace;
    assert_eq!(t.lane_names, vec!["slow", "fast", "late"]);
    assert_eq!(t.completion_order, vec![1, 0]);
    assert_eq!(t.spans[2].outcome, Some(Outcome::Failed));
    assert_eq!(t.spans[2].start_ms, 300.0);
    assert_eq!(t.consumed, vec![(0, 300.0), (1, 300.0), (2, 350.0)]);
    assert!(t.is_finished());
    assert_eq!(
        t.resumed_ms(),
        Some(350.0),
        "the main program continued at its end"
    );
}

#[test]
fn then_and_catch_on_a_promise_are_refused_with_advice() {
    let r = run_virtual("call('a', 1).then(x => x);").unwrap();
    let e = r.finished.error.expect("an error");
    assert!(e.message.contains("use await"), "{e}");
}

#[test]
fn every_await_that_waited_is_marked_with_when_it_continued() {
    let src = "await sleep(100);\nconst a = call('a', 50);\nawait a;\nawait a;";
    let r = run_virtual(src).unwrap();
    let marks: Vec<_> = r
        .recording
        .awaits
        .iter()
        .map(|m| (&src[m.span.clone()], m.from_ms, m.resumed_ms))
        .collect();
    assert_eq!(
        marks,
        vec![
            ("await sleep(100)", 0.0, 100.0),
            ("await a", 100.0, 150.0),
            ("await a", 150.0, 150.0)
        ],
        "an await of a settled promise still gives way for a microtask"
    );
}
