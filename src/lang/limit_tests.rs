//! Hostile programs end with an error naming the limit they hit; random programs never panic
//! and always end.

use super::driver::{run_virtual, run_virtual_with, VirtualOptions};
use super::limits::{Limit, Limits, MAX_PROGRAM_BYTES};
use super::machine::RunErrorKind;
use super::parser::parse;
use super::tests::{mutate, Rng};

fn limit_hit(src: &str) -> (Limit, u32, u32) {
    let r = run_virtual(src).expect("parses");
    let e = r.finished.error.expect("an error");
    match e.kind {
        RunErrorKind::Limit(limit) => {
            assert!(e.message.contains("limit"), "{e}");
            (limit, e.line, e.col)
        }
        other => panic!("expected a limit, got {other:?}: {e}"),
    }
}

#[test]
fn a_billion_iterations_hit_the_step_limit_of_a_stretch() {
    let (limit, line, _) = limit_hit("let n = 0;\nfor (const i of range(900000)) { n = n + 1; }");
    assert_eq!((limit, line), (Limit::StepsPerStretch, 2));
}

#[test]
fn an_endless_chain_of_microtasks_hits_the_step_limit_of_a_stretch() {
    let (limit, ..) = limit_hit("async function f() { await null; f(); }\nawait f();");
    assert_eq!(limit, Limit::StepsPerStretch);
}

#[test]
fn an_endless_loop_of_timers_hits_the_total_step_limit() {
    let options = VirtualOptions {
        limits: Limits {
            steps_total: 200_000,
            ..Limits::default()
        },
        ..VirtualOptions::default()
    };
    let r = run_virtual_with(
        "async function f() { await sleep(0); f(); }\nf();",
        &options,
    )
    .unwrap();
    let e = r.finished.error.expect("an error");
    assert_eq!(e.kind, RunErrorKind::Limit(Limit::StepsTotal));
    assert!(e.message.contains("200000 steps in all"), "{e}");
}

#[test]
fn a_chain_of_promises_that_only_grows_hits_the_promise_limit() {
    let (limit, ..) = limit_hit("async function f() { await null; return f(); }\nawait f();");
    assert_eq!(limit, Limit::PendingPromises);
}

#[test]
fn deep_recursion_hits_the_recursion_limit_with_its_position() {
    let (limit, line, col) = limit_hit("function f(n) {\n  return f(n + 1);\n}\nf(0);");
    assert_eq!((limit, line, col), (Limit::CallDepth, 2, 10));
    let (limit, ..) = limit_hit("async function f(n) { return await f(n + 1); }\nawait f(0);");
    assert_eq!(limit, Limit::CallDepth);
}

#[test]
fn a_huge_array_hits_the_array_limit() {
    let (limit, line, col) = limit_hit("const xs = range(1000000000);");
    assert_eq!((limit, line, col), (Limit::ArrayLen, 1, 12));
}

#[test]
fn too_many_pending_promises_hit_the_promise_limit() {
    let options = VirtualOptions {
        limits: Limits {
            pending_promises: 1_000,
            ..Limits::default()
        },
        ..VirtualOptions::default()
    };
    let r = run_virtual_with("for (const i of range(5000)) sleep(1000);", &options).unwrap();
    let e = r.finished.error.expect("an error");
    assert_eq!(e.kind, RunErrorKind::Limit(Limit::PendingPromises));
    assert!(e.message.contains("1000 promises pending"), "{e}");
}

#[test]
fn a_program_too_long_is_a_parse_error() {
    let src = "sleep(1);\n".repeat(MAX_PROGRAM_BYTES / 10 + 1);
    let e = parse(&src).unwrap_err();
    assert!(e.message.contains("longer than the limit"), "{e}");
}

#[test]
fn spin_blocks_the_loop_and_is_capped() {
    let r = run_virtual(
        "const t = sleep(100);\nspin(300);\nawait t;\nconsole.log(now());\nspin(60000);",
    )
    .unwrap();
    assert_eq!(r.finished.error, None);
    let lines: Vec<_> = r.recording.log.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(
        lines[0], "300",
        "the timer fired late: the loop was blocked"
    );
    assert!(lines[1].contains("capped at 10000"), "{lines:?}");
    assert_eq!(r.finished.end_ms, 10_300.0);
}

#[test]
fn mutated_programs_never_panic_and_always_end() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut ran = 0;
    for round in 0..2000 {
        let (_, _, seed) = super::examples::ALL[round % super::examples::ALL.len()];
        let src = mutate(seed, &mut rng);
        if let Ok(r) = run_virtual(&src) {
            ran += 1;
            assert!(r.finished.end_ms.is_finite(), "{src}");
        }
    }
    assert!(
        ran > 100,
        "enough mutants parse to test the machine ({ran})"
    );
}

#[test]
fn arrays_nested_60000_deep_neither_overflow_when_printed_nor_when_dropped() {
    let r = run_virtual(
        "let a = [];\nlet i = 0;\nwhile (i < 60000) { a = [a]; i += 1; }\n\
         console.log(a);\nconsole.log('' + a);\nconst b = a;\na = 0;",
    )
    .unwrap();
    assert_eq!(r.finished.error, None);
    assert_eq!(r.recording.log[0].text, "[ [ [ [Array] ] ] ]");
}

#[test]
fn spins_adding_up_past_the_cap_without_a_pause_hit_the_blocking_limit() {
    let (limit, line, _) = limit_hit("spin(6000);\nspin(6000);");
    assert_eq!((limit, line), (Limit::Blocking, 2));
    let r = run_virtual("spin(6000);\nawait sleep(0);\nspin(6000);").unwrap();
    assert_eq!(
        r.finished.error, None,
        "a pause between them resets the budget"
    );
}

#[test]
fn a_timer_beyond_the_run_time_limit_ends_the_run_at_once() {
    let (limit, line, col) = limit_hit("await sleep(10);\nawait sleep(1e9);");
    assert_eq!((limit, line, col), (Limit::Duration, 2, 7));
}

#[test]
fn token_soup_programs_never_panic_and_always_end() {
    const WORDS: &[&str] = &[
        "const",
        "let",
        "x",
        "y",
        "f",
        "=",
        "=>",
        "async",
        "await",
        "(",
        ")",
        "{",
        "}",
        "[",
        "]",
        ",",
        ";",
        "\n",
        "sleep(1)",
        "call('a', 2)",
        "fail('b', 3)",
        "Promise.all",
        "Promise.race",
        "for",
        "of",
        "while",
        "break",
        "continue",
        "if",
        "else",
        "try",
        "catch",
        "finally",
        "throw",
        "return",
        "function",
        "+",
        "-",
        "*",
        "!",
        "===",
        "<",
        "&&",
        "||",
        "?",
        ":",
        "1",
        "0",
        "'s'",
        "range(3)",
        "ticks(2, 5)",
        "spin(5)",
        "worker(burn(5))",
        ".map",
        ".length",
        "xs",
        "[1, 2]",
        "timeout",
        "retry",
        "limit",
        "null",
        "true",
        "new",
        "Error('e')",
    ];
    let mut rng = Rng(0x005e_ed0f_500b);
    let mut ran = 0;
    for _ in 0..20_000 {
        let src: Vec<&str> = (0..1 + rng.below(30))
            .map(|_| WORDS[rng.below(WORDS.len())])
            .collect();
        let src = src.join(" ");
        if let Ok(r) = run_virtual(&src) {
            ran += 1;
            assert!(r.finished.end_ms.is_finite(), "{src}");
        }
    }
    assert!(ran > 50, "enough soups parse to test the machine ({ran})");
}

#[test]
fn a_run_making_too_many_promises_in_all_hits_the_promise_limit() {
    let options = VirtualOptions {
        limits: Limits {
            promises_total: 1_000,
            ..Limits::default()
        },
        ..VirtualOptions::default()
    };
    let r = run_virtual_with("while (true) { await sleep(0); }", &options).unwrap();
    let e = r.finished.error.expect("an error");
    assert_eq!(e.kind, RunErrorKind::Limit(Limit::PromisesTotal));
    assert!(e.message.contains("1000 promises in all"), "{e}");
}

#[test]
fn a_string_doubling_forever_hits_the_string_limit() {
    let (limit, line, _) = limit_hit("let s = 'x';\nwhile (true) { s += s; }");
    assert_eq!((limit, line), (Limit::StringLen, 2));
}

#[test]
fn huge_values_are_logged_cut_short_and_labels_stay_short() {
    let r = run_virtual(
        "let s = 'x'; for (const i of range(19)) { s += s; }\n\
         console.log(s);\nconsole.log(range(1000));\nawait call(s, 1);",
    )
    .unwrap();
    assert_eq!(r.finished.error, None);
    let log = &r.recording.log;
    assert_eq!(
        log[0].text.chars().count(),
        super::value::MAX_SHOWN_CHARS + 1
    );
    assert!(
        log[1].text.ends_with(", 99, ... 900 more items ]"),
        "{}",
        log[1].text
    );
    assert!(r.recording.lanes[0].label.len() <= 203);
}

#[test]
fn making_big_arrays_in_a_loop_costs_steps_so_memory_stays_bounded() {
    let (limit, line, _) =
        limit_hit("const keep = [];\nwhile (true) { keep.push(range(900000)); }");
    assert_eq!((limit, line), (Limit::StepsPerStretch, 2));
}
