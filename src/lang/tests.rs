//! Tests of the language, named as sentences.

use super::ast::{Body, ExprKind, StmtKind};
use super::parser::parse;

fn parses(src: &str) -> Vec<StmtKind> {
    match parse(src) {
        Ok(p) => p.body.into_iter().map(|s| s.kind).collect(),
        Err(e) => panic!("{src:?} should parse: {e}"),
    }
}

#[test]
fn declarations_numbers_strings_and_arrays_parse() {
    let body = parses("const a = 1.5; let b = 'x\\n'; let c; const d = [1, \"two\", [3]];");
    assert_eq!(body.len(), 4);
    let StmtKind::Declare {
        name,
        mutable,
        init,
    } = &body[1]
    else {
        panic!("a declaration")
    };
    assert_eq!((name.as_str(), *mutable), ("b", true));
    assert_eq!(init.as_ref().unwrap().kind, ExprKind::Str("x\n".into()));
}

#[test]
fn comments_are_skipped() {
    let body = parses("// one\nconst a = 1; /* two\n lines */ const b = 2;");
    assert_eq!(body.len(), 2);
}

#[test]
fn member_calls_and_await_parse() {
    let body = parses("await Promise.all([call('a', 1), sleep(2)]); console.log(1, 'x');");
    let StmtKind::Expr(e) = &body[0] else {
        panic!("an expression")
    };
    let ExprKind::Await(inner) = &e.kind else {
        panic!("an await")
    };
    let ExprKind::Call(callee, args) = &inner.kind else {
        panic!("a call")
    };
    assert!(matches!(callee.kind, ExprKind::Member(_, ref m) if m == "all"));
    assert_eq!(args.len(), 1);
}

#[test]
fn async_functions_and_arrows_parse() {
    let body = parses(
        "async function f(a, b) { return a + b; }\n\
         const g = async () => call('x', 1);\n\
         const h = async (x) => { await sleep(x); };\n\
         const k = () => 1;\n\
         const m = x => x * 2;",
    );
    let StmtKind::Function(f) = &body[0] else {
        panic!("a function")
    };
    assert!(f.is_async);
    assert_eq!(f.params, vec!["a".to_string(), "b".to_string()]);
    let StmtKind::Declare { init: Some(e), .. } = &body[1] else {
        panic!("a declaration")
    };
    let ExprKind::Function(g) = &e.kind else {
        panic!("an arrow")
    };
    assert!(g.is_async && matches!(g.body, Body::Expr(_)));
    let StmtKind::Declare { init: Some(e), .. } = &body[3] else {
        panic!("a declaration")
    };
    assert!(matches!(&e.kind, ExprKind::Function(k) if !k.is_async));
}

#[test]
fn control_flow_statements_parse() {
    let body = parses(
        "if (a < 1 && !b) { x = 1; } else if (c) x = 2; else { x = 3 }\n\
         for (const i of range(3)) { console.log(i) }\n\
         for await (const t of ticks(5, 500)) console.log(t);\n\
         try { throw 'no' } catch (e) { console.log(e) } finally { done() }\n\
         try { a() } finally { b() }\n\
         return;\n\
         while (x) { break; continue; }",
    );
    assert!(matches!(
        body[0],
        StmtKind::If {
            otherwise: Some(_),
            ..
        }
    ));
    assert!(matches!(
        body[1],
        StmtKind::ForOf {
            is_await: false,
            ..
        }
    ));
    assert!(matches!(body[2], StmtKind::ForOf { is_await: true, .. }));
    assert!(matches!(
        body[3],
        StmtKind::Try {
            catch: Some(_),
            finally: Some(_),
            ..
        }
    ));
    assert!(matches!(
        body[4],
        StmtKind::Try {
            catch: None,
            finally: Some(_),
            ..
        }
    ));
    assert!(matches!(body[5], StmtKind::Return(None)));
    let StmtKind::While { body: inner, .. } = &body[6] else {
        panic!("a while loop")
    };
    assert!(
        matches!(inner[..], [ref b, ref c] if b.kind == StmtKind::Break && c.kind == StmtKind::Continue)
    );
}

#[test]
fn operators_follow_javascript_precedence() {
    let body = parses("x = 1 + 2 * 3 - -4 % 5 === 7 || a ? b : c;");
    let StmtKind::Expr(e) = &body[0] else {
        panic!("an expression")
    };
    let ExprKind::Assign(_, value) = &e.kind else {
        panic!("an assignment")
    };
    assert!(matches!(value.kind, ExprKind::Conditional(..)));
}

#[test]
fn parse_errors_carry_line_and_column() {
    let e = parse("const a = 1;\nconst = 2;").unwrap_err();
    assert_eq!((e.line, e.col), (2, 7), "{e}");
    assert_eq!(e.span, 19..20);
    let e = parse("const s = 'open\n").unwrap_err();
    assert_eq!(e.line, 1, "{e}");
    let e = parse("let x = 1 #").unwrap_err();
    assert_eq!((e.line, e.col), (1, 11), "{e}");
    let e = parse("f(").unwrap_err();
    assert!(e.message.contains("ended"), "{e}");
}

#[test]
fn deep_nesting_is_a_parse_error_not_a_stack_overflow() {
    let src = "(".repeat(100_000);
    let e = parse(&src).unwrap_err();
    assert!(e.message.contains("nested"), "{e}");
    let src = format!("x = {}1;", "-".repeat(50_000));
    assert!(parse(&src).is_err());
}

/// A tiny deterministic random source for the fuzz-style tests (xorshift).
pub(super) struct Rng(pub u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Mutates `src`: deletes, duplicates, or inserts random bytes or program pieces.
pub(super) fn mutate(src: &str, rng: &mut Rng) -> String {
    const PIECES: &[&str] = &[
        "(",
        ")",
        "{",
        "}",
        "[",
        "]",
        "await ",
        "async ",
        "=>",
        ",",
        ";",
        "\"",
        "'",
        "/*",
        "//",
        "\n",
        "for (const x of ",
        "try {",
        "catch (e)",
        "1e309",
        "-",
        "!",
        "?",
        ":",
        "é",
        "\\",
    ];
    let mut bytes = src.as_bytes().to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(4) {
            0 if !bytes.is_empty() => {
                let end = (at + rng.below(8)).min(bytes.len());
                bytes.drain(at.min(end)..end);
            }
            1 => {
                let piece = PIECES[rng.below(PIECES.len())].as_bytes();
                bytes.splice(at..at, piece.iter().copied());
            }
            2 => bytes.insert(at, rng.next() as u8),
            _ => {
                let end = (at + rng.below(16)).min(bytes.len());
                let copy = bytes[at.min(end)..end].to_vec();
                bytes.splice(at..at, copy);
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn random_bytes_and_mutated_programs_never_make_the_parser_or_checker_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let seed = "async function f(a) { try { await sleep(a); } catch (e) { throw e } finally { } }\n\
                const xs = [1, 'two', \"3\"]; for await (const t of ticks(5, 500)) { if (!t) x = -1 }\n\
                console.log(await Promise.race([call('a', 10), () => fail('b', 5)]));";
    for _ in 0..10_000 {
        let src = mutate(seed, &mut rng);
        if let Ok(program) = parse(&src) {
            let _ = super::check::check(&src, &program);
        }
        let noise: Vec<u8> = (0..rng.below(64)).map(|_| rng.next() as u8).collect();
        let _ = parse(&String::from_utf8_lossy(&noise));
    }
}

#[test]
fn function_expressions_indexing_new_and_keyword_properties_parse() {
    let body = parses(
        "const f = async function named(a) { return a[0]; };\n\
         const g = function () { return 1; };\n\
         const h = async x => x;\n\
         throw new Error('x');\n\
         p.catch;",
    );
    let StmtKind::Declare { init: Some(e), .. } = &body[0] else {
        panic!("a declaration")
    };
    assert!(
        matches!(&e.kind, ExprKind::Function(f) if f.is_async && f.name.as_deref() == Some("named"))
    );
    let StmtKind::Declare { init: Some(e), .. } = &body[2] else {
        panic!("a declaration")
    };
    assert!(matches!(&e.kind, ExprKind::Function(f) if f.is_async && f.params == ["x"]));
    let StmtKind::Throw(e) = &body[3] else {
        panic!("a throw")
    };
    assert!(matches!(&e.kind, ExprKind::Call(..)));
    let StmtKind::Expr(e) = &body[4] else {
        panic!("an expression")
    };
    assert!(matches!(&e.kind, ExprKind::Member(_, m) if m == "catch"));
}

#[test]
fn await_outside_an_async_function_is_an_error_with_its_position() {
    let program = parse("function f() {\n  await sleep(1);\n}").unwrap();
    let e = super::compile::compile("function f() {\n  await sleep(1);\n}", &program).unwrap_err();
    assert_eq!((e.line, e.col), (2, 3), "{e}");
    assert!(e.message.contains("async"), "{e}");
}

#[test]
fn statements_on_one_line_need_semicolons_but_new_lines_do_not() {
    assert!(parse("const a = 1\nconst b = 2").is_ok());
    let e = parse("const a = 1 const b = 2").unwrap_err();
    assert!(e.message.contains("`;`"), "{e}");
}

#[test]
fn a_200_line_program_parses_and_checks_in_milliseconds() {
    let mut src = String::new();
    while src.lines().count() < 200 {
        for (_, _, example) in super::examples::ALL {
            src.push_str("{\n");
            src.push_str(example);
            src.push_str("}\n");
        }
    }
    let src: String = src.lines().take(200).collect::<Vec<_>>().join("\n");
    let src = format!(
        "{src}\n{}",
        "}".repeat(src.matches('{').count() - src.matches('}').count())
    );
    let wall = std::time::Instant::now();
    let program = parse(&src).unwrap_or_else(|e| panic!("{e}"));
    let problems = super::check::check(&src, &program);
    let took = wall.elapsed();
    eprintln!("parse and check of {} lines: {took:?}", src.lines().count());
    assert!(problems.is_empty(), "{problems:?}");
    // The budget is 5 ms in the browser's release build; this is a debug build on a
    // shared machine, so the bound is loose.
    assert!(took.as_millis() < 200, "took {took:?}");
}
