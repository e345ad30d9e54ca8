//! Tests of running programs on the virtual clock, named as sentences.

use super::driver::{run_virtual, Report};
use super::machine::RunErrorKind;
use crate::trace::Outcome;

fn run(src: &str) -> Report {
    match run_virtual(src) {
        Ok(report) => report,
        Err(e) => panic!("{src:?} should parse: {e}"),
    }
}

/// Runs `src`, which must end without an error; returns the report.
fn run_ok(src: &str) -> Report {
    let report = run(src);
    assert_eq!(
        report.finished.error, None,
        "{src}\nlog: {:?}",
        report.recording.log
    );
    report
}

fn log(report: &Report) -> Vec<String> {
    report
        .recording
        .log
        .iter()
        .map(|l| l.text.clone())
        .collect()
}

fn log_at(report: &Report) -> Vec<(f64, String)> {
    report
        .recording
        .log
        .iter()
        .map(|l| (l.at_ms, l.text.clone()))
        .collect()
}

#[test]
fn a_promise_starts_when_it_is_created_so_two_awaits_take_the_longer_time() {
    let r = run_ok("const a = sleep(300); const b = sleep(500); await a; await b;");
    assert_eq!(r.finished.main_ms, Some(500.0));
    assert_eq!(r.finished.end_ms, 500.0);
}

#[test]
fn awaiting_one_after_the_other_adds_up() {
    let r = run_ok("await sleep(300); await sleep(500);");
    assert_eq!(r.finished.main_ms, Some(800.0));
}

#[test]
fn console_log_writes_values_with_their_time() {
    let r = run_ok(
        "console.log('start', 1, [1, 'a'], null);\n\
         const x = await call('users', 250);\n\
         console.log(x, 1 + 2 * 3, 'a' + 1, 7 % 4, 1 / 2, !0);",
    );
    assert_eq!(
        log_at(&r),
        vec![
            (0.0, "start 1 [ 1, 'a' ] null".to_string()),
            (250.0, "users 7 a1 3 0.5 true".to_string())
        ]
    );
}

#[test]
fn async_functions_run_synchronously_until_their_first_await() {
    let r = run_ok(
        "async function f(name) { console.log('in ' + name); await sleep(10); console.log('after ' + name); return name + '!'; }\n\
         const p = f('a');\n\
         console.log('called');\n\
         console.log(await p);",
    );
    assert_eq!(log(&r), vec!["in a", "called", "after a", "a!"]);
}

#[test]
fn functions_closures_and_control_flow_work() {
    let r = run_ok(
        "function add(a, b) { return a + b; }\n\
         const twice = (f, x) => f(f(x));\n\
         let total = 0;\n\
         for (const i of range(5)) { if (i % 2 === 0) { total = total + i; } else total = total + 10; }\n\
         console.log(add(1, 2), twice(x => x * 3, 2), total);\n\
         const xs = []; xs.push(1, 2); console.log(xs.length, xs[1], 'abc'.length, true ? 'y' : 'n');",
    );
    assert_eq!(log(&r), vec!["3 18 26", "2 2 3 y"]);
}

#[test]
fn try_catch_finally_catches_rejections_and_runs_finally() {
    let r = run_ok(
        "try { await fail('db', 100); console.log('not here'); }\n\
         catch (e) { console.log('caught', e.message); }\n\
         finally { console.log('finally'); }\n\
         async function g() { try { return 1; } finally { console.log('g finally'); } }\n\
         console.log(await g());\n\
         try { try { throw 'inner'; } finally { console.log('inner finally'); } } catch (e) { console.log('outer', e); }",
    );
    assert_eq!(
        log(&r),
        vec![
            "caught db failed",
            "finally",
            "g finally",
            "1",
            "inner finally",
            "outer inner"
        ]
    );
}

#[test]
fn promise_all_of_ten_calls_takes_the_time_of_one_and_keeps_the_order_given() {
    let r = run_ok(
        "const ps = []; for (const i of range(10)) { ps.push(call('c' + i, 500)); }\n\
         const rs = await Promise.all(ps); console.log(rs.length, rs[0], rs[9]);\n\
         console.log(await Promise.all([call('a', 2000), call('b', 3000), call('c', 1000)]));",
    );
    assert_eq!(r.finished.main_ms, Some(3500.0));
    assert_eq!(log(&r), vec!["10 c0 c9", "[ 'a', 'b', 'c' ]"]);
    assert_eq!(r.recording.lanes.len(), 13);
}

#[test]
fn a_race_continues_with_the_first_and_cancels_the_losers() {
    let r = run_ok(
        "const w = await Promise.race([call('a', 2000), call('b', 3000), call('c', 1000)]);\n\
         console.log(w);",
    );
    assert_eq!(r.finished.main_ms, Some(1000.0));
    assert_eq!(r.finished.end_ms, 1000.0, "the losers' timers were dropped");
    let outcomes: Vec<_> = r.recording.lanes.iter().map(|l| l.outcome).collect();
    assert_eq!(
        outcomes,
        vec![
            Some(Outcome::Cancelled),
            Some(Outcome::Cancelled),
            Some(Outcome::Completed)
        ]
    );
    assert_eq!(log(&r), vec!["c"]);
}

#[test]
fn an_unknown_name_is_an_uncaught_error_with_its_position() {
    let r = run("const a = 1;\nconsole.log(nope);");
    let e = r.finished.error.clone().expect("an error");
    assert_eq!(e.kind, RunErrorKind::Uncaught);
    assert_eq!((e.line, e.col), (2, 13), "{e}");
    assert!(e.message.contains("nope"), "{e}");
}

#[test]
fn calling_a_non_function_is_a_type_error_that_can_be_caught() {
    let r = run_ok("const x = 5; try { x(); } catch (e) { console.log(e.name, e.message); }");
    assert_eq!(
        log(&r),
        vec!["TypeError `x` is not a function (it is a number)"]
    );
}

#[test]
fn a_program_that_never_settles_says_where_it_waits() {
    let r = run("console.log('a');\nawait Promise.race([]);");
    let e = r.finished.error.clone().expect("an error");
    assert_eq!(e.kind, RunErrorKind::NeverSettles);
    assert_eq!((e.line, e.col), (2, 1), "{e}");
}

#[test]
fn a_rejection_nobody_awaits_is_reported_at_the_end() {
    let r = run("fail('lost', 100);\nawait sleep(200);\nconsole.log('done');");
    let e = r.finished.error.clone().expect("an error");
    assert_eq!(e.kind, RunErrorKind::UnhandledRejection);
    assert_eq!((e.line, e.col), (1, 1), "{e}");
    assert_eq!(log(&r), vec!["done"]);
}

#[test]
fn throw_new_error_is_caught_with_its_message() {
    let r = run_ok("try { throw new Error('boom'); } catch (e) { console.log(e.message, e); }");
    assert_eq!(log(&r), vec!["boom Error: boom"]);
}

#[test]
fn promise_any_takes_the_first_success_and_rejects_only_when_all_fail() {
    let r = run_ok(
        "console.log(await Promise.any([fail('a', 100), call('b', 300), call('c', 200)]), now());\n\
         try { await Promise.any([fail('x', 50), fail('y', 80)]); }\n\
         catch (e) { console.log(e.name, e.errors.length, now()); }",
    );
    assert_eq!(log(&r), vec!["c 200", "AggregateError 2 280"]);
}

#[test]
fn a_timeout_that_does_not_fire_leaves_the_result_and_clears_its_timer() {
    let r = run_ok("console.log(await timeout(call('quick', 100), 5000), now());");
    assert_eq!(log(&r), vec!["quick 100"]);
    assert_eq!(r.finished.end_ms, 100.0, "the 5000 ms timer was cleared");
}

#[test]
fn limit_keeps_the_order_given_and_fails_fast() {
    let r = run_ok(
        "console.log(await limit(2, [() => call('a', 300), () => call('b', 100), () => call('c', 100)]), now());\n\
         try { await limit(5, [() => call('d', 100), () => fail('e', 50)]); }\n\
         catch (e) { console.log(e.message, now()); }",
    );
    assert_eq!(log(&r), vec!["[ 'a', 'b', 'c' ] 300", "e failed 350"]);
}

#[test]
fn for_await_over_an_array_of_promises_awaits_each_in_turn() {
    let r = run_ok(
        "for await (const x of [call('a', 300), call('b', 100), 7]) { console.log(x, now()); }",
    );
    assert_eq!(log(&r), vec!["a 300", "b 300", "7 300"]);
}

#[test]
fn an_async_function_called_in_a_loop_runs_its_calls_side_by_side() {
    let r = run_ok(
        "async function user(id) { const a = await call('fetch ' + id, 100); await sleep(50); return a; }\n\
         const ps = []; for (const id of range(3)) { ps.push(user(id)); }\n\
         console.log(await Promise.all(ps), now());",
    );
    assert_eq!(log(&r), vec!["[ 'fetch 0', 'fetch 1', 'fetch 2' ] 150"]);
}

#[test]
fn a_const_cannot_be_assigned_and_a_name_cannot_be_declared_twice() {
    let r = run_ok(
        "const a = 1; try { a = 2; } catch (e) { console.log(e.name); }\n\
         let b = 1; try { let b = 2; console.log(b); } catch (e) { console.log('no'); }\n\
         console.log(a, b);",
    );
    assert_eq!(log(&r), vec!["TypeError", "2", "1 1"]);
}

#[test]
fn microtasks_run_before_the_next_timer_even_one_due_at_the_same_time() {
    let r = run_ok(
        "const order = [];\n\
         async function step(name) { await null; order.push(name); }\n\
         sleep(0); step('micro'); await sleep(0); order.push('timer');\n\
         console.log(order);",
    );
    assert_eq!(log(&r), vec!["[ 'micro', 'timer' ]"]);
}

#[test]
fn a_race_between_a_call_and_a_timer_cancels_the_slower_call() {
    let r = run_ok(
        "const winner = await Promise.race([call('slow', 5000), sleep(1000)]);\n\
         console.log(winner, now());",
    );
    assert_eq!(log(&r), vec!["undefined 1000"]);
    assert_eq!(r.recording.lanes[0].outcome, Some(Outcome::Cancelled));
    assert_eq!(r.finished.end_ms, 1000.0);
}

#[test]
fn ten_thousand_concurrent_sleeps_take_100_ms_and_run_quickly() {
    let wall = std::time::Instant::now();
    let r = run_ok(
        "const ps = []; for (const i of range(10000)) { ps.push(sleep(100)); }\n\
         await Promise.all(ps); console.log(now());",
    );
    assert_eq!(log(&r), vec!["100"]);
    assert_eq!(r.trace.spans.len(), 10_000);
    assert!(
        wall.elapsed().as_secs_f64() < 5.0,
        "took {:?} (debug build)",
        wall.elapsed()
    );
}

#[test]
fn a_closure_that_refers_to_itself_is_freed_with_the_machine() {
    use super::machine::Machine;
    let weak = {
        let mut m = Machine::new(
            "function f(n) { return n < 1 ? 0 : f(n - 1); }\nconst g = () => f;\nf(3);",
        )
        .unwrap();
        let mut clock = super::driver::VirtualClock::default();
        assert!(m.run_until_idle(&mut clock).done.is_some());
        m.debug_captured_scope()
    };
    assert!(weak.upgrade().is_none(), "the scope of f was freed");
}

#[test]
fn while_loops_and_compound_assignments_work() {
    let r = run_ok(
        "let i = 0; let total = 0;\n\
         while (i < 5) { total += i; i += 1; }\n\
         let x = 10; x -= 4; x *= 2; x /= 3;\n\
         while (false) {}\n\
         console.log(i, total, x);",
    );
    assert_eq!(log(&r), vec!["5 10 4"]);
}

#[test]
fn an_endless_while_loop_hits_the_step_limit() {
    let r = run("let n = 0;\nwhile (true) { n += 1; }");
    let e = r.finished.error.clone().expect("an error");
    assert_eq!(
        e.kind,
        RunErrorKind::Limit(super::limits::Limit::StepsPerStretch)
    );
    assert_eq!(e.line, 2);
}

#[test]
fn a_while_loop_that_awaits_gives_way_each_turn() {
    let r =
        run_ok("let n = 0;\nwhile (n < 3) { await sleep(100); n += 1; }\nconsole.log(n, now());");
    assert_eq!(log(&r), vec!["3 300"]);
}

#[test]
fn array_methods_of_the_prelude_work_with_async_callbacks() {
    let r = run_ok(
        "const rs = await Promise.all(range(10).map(i => call('r' + i, 500)));\n\
         console.log(rs.length, now(), rs.filter((x, i) => i % 3 === 0).join('-'));\n\
         console.log([1, 2, 3].reduce((a, x) => a + x, 0), [1, 2].includes(2), [1, null, 'a'].join());\n\
         const seen = []; ['a', 'b'].forEach((x, i) => seen.push(x + i)); console.log(seen);",
    );
    assert_eq!(
        log(&r),
        vec!["10 500 r0-r3-r6-r9", "6 true 1,,a", "[ 'a0', 'b1' ]"]
    );
}

#[test]
fn an_error_in_an_array_method_is_reported_at_the_programs_call() {
    let r = run("const xs = [1, 2];\nxs.map(5);");
    let e = r.finished.error.clone().expect("an error");
    assert_eq!((e.line, e.col), (2, 1), "{e}");
    assert!(e.message.contains("not a function"), "{e}");
}

#[test]
fn the_prelude_parses_and_compiles() {
    let program = super::parser::parse(super::prelude::PRELUDE).expect("parses");
    super::compile::compile_with(super::prelude::PRELUDE, &program, true).expect("compiles");
}

#[test]
fn break_and_continue_leave_or_skip_a_turn_of_the_innermost_loop() {
    let r = run_ok(
        "const seen = [];\n\
         for (const i of range(10)) {\n\
           if (i % 2 === 1) { continue; }\n\
           if (i > 6) break;\n\
           for (const j of [1, 2, 3]) { if (j === 2) break; seen.push(i * 10 + j); }\n\
         }\n\
         let n = 0; while (true) { n += 1; if (n < 3) continue; break; }\n\
         console.log(seen, n);",
    );
    assert_eq!(log(&r), vec!["[ 1, 21, 41, 61 ] 3"]);
}

#[test]
fn a_hand_written_retry_loop_breaks_out_after_success_inside_try() {
    let r = run_ok(
        "let result = null;\n\
         for await (const attempt of [1, 2, 3]) {\n\
           try { result = await (attempt < 2 ? fail('a' + attempt, 100) : call('a' + attempt, 100)); break; }\n\
           catch (e) { console.log('retry after', e.message); continue; }\n\
         }\n\
         console.log(result, now());",
    );
    assert_eq!(log(&r), vec!["retry after a1 failed", "a2 200"]);
}

#[test]
fn break_outside_a_loop_or_out_of_try_finally_is_refused_with_its_position() {
    let e = super::machine::Machine::new("if (true) {\n  break;\n}")
        .err()
        .expect("refused");
    assert_eq!((e.line, e.col), (2, 3), "{e}");
    let e = super::machine::Machine::new("while (true) { try { break; } finally { } }")
        .err()
        .expect("refused");
    assert!(e.message.contains("finally"), "{e}");
}

#[test]
fn object_literals_are_records_read_with_dots() {
    let r = run_ok(
        "const name = 'ada';\n\
         const o = { id: 1, name, 'kind': 'user', nested: { ok: true } };\n\
         const f = () => ({ at: now() });\n\
         console.log(o.id, o.name, o.kind, o.nested.ok, o.missing, f().at, o);",
    );
    assert_eq!(
        log(&r),
        vec!["1 ada user true undefined 0 { id: 1, name: 'ada', kind: 'user', nested: { ok: true } }"]
    );
}
