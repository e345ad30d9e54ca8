//! Tests of the translations, named as sentences.
//!
//! Python is checked by `python3` itself: every example and a few dozen generated programs
//! compile (`py_compile`), and those whose prediction is under 3 s run and print what the
//! program prints on the virtual clock, in the same order, in about the predicted time (timed
//! from inside the interpreter, so its start does not count). The JavaScript runs in `node`
//! and prints the same lines. Rust is type-checked by `rustc --emit=metadata` against small
//! tokio/futures stand-ins (`tests/fixtures/program/`, built once per run), all programs as
//! the modules of one crate. C# has no compiler here: its text is checked for its shape.
//! Thousands of mutated programs translate without a panic, and a sample of them compiles in
//! Python and Rust. Without python3, node or rustc a test says so and passes.
//!
//! Clock readings differ between a real run and the prediction, so a number in a line of a
//! program that calls `now()` matches when it is equal, or when it is within what a clock
//! reading may drift: measured in [p − 5, 1.5·p + 400] ms for predicted p ([p − 5, 2·p + 1000]
//! after busy work, `burn` or `spin`, which waits for a core on a shared machine; [0, 4·p +
//! 2000] when the program counts primes or draws a Mandelbrot set, whose speed is the
//! machine's, and such programs' run time is not bounded either). A program without `now()` must print its
//! numbers exactly. Lines the prediction prints within 25 ms of each other may come in either
//! order (real timers that close can swap); the rest must keep the program's order.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::codegen::program::program_code;
use crate::codegen::Lang;
use crate::lang::examples;
use crate::lang::run_virtual;

/// A deterministic random source (xorshift).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

/// A well-formed program of calls, awaits, combinators, timeouts, retries, limits, streams,
/// loops, records, closures and CPU work; short (each under about 2 s) and printing as it goes.
fn generate(rng: &mut Rng) -> String {
    let mut out = String::from(
        "async function job(name, ms) { const r = await call(name, ms); console.log('job', r, now()); return r; }\n",
    );
    let mut promises = 0;
    for line in 0..3 + rng.below(6) {
        let ms = 20 + 10 * rng.below(10) + rng.below(7);
        // A deadline never within 10 ms of the call it races: real timers that close may
        // swap, and a tie is the prediction's to break.
        let apart = |t: usize| if t.abs_diff(ms) < 10 { t + 20 } else { t };
        let stmt = match rng.below(26) {
            20 => format!("function double{line}(x) {{ return x * 2; }}\nconst d{line} = [1, 2, 3].map(double{line}).filter((x) => x > 2);\nconsole.log('fns', d{line}, d{line}.length, d{line}.includes(4), d{line}.reduce((a, b) => a + b, 0), 7 / 2, d{line}[0] % 3, d{line}.join());"),
            21 => format!("let acc{line} = '';\nfor (const w of ['a', 'b', 'c']) {{\n  if (w === 'a') {{ acc{line} += w; }} else if (w === 'b') {{ acc{line} += w + '-'; }} else {{ acc{line} = acc{line} + w.length; }}\n}}\nconsole.log('text', acc{line}, '{{' + {ms} + '}}', 'quote \\' \" tab\\t');"),
            22 => format!("const name{line} = null || 'anonymous';\nconst both{line} = 0 && 'never';\nconsole.log('logic', name{line}, both{line}, !name{line}, name{line}.length, true && {ms});"),
            23 => format!("try {{ await Promise.any([fail('u{line}', {ms}), fail('w{line}', {})]); }} catch (e) {{ console.log(e.name, e.message, now()); }}", ms + 17),
            24 => format!("let hits{line} = 0;\nasync function hit{line}(ms) {{ await sleep(ms); hits{line} += 1; return hits{line}; }}\nconsole.log('hits', await Promise.all([hit{line}({}), hit{line}({ms}), hit{line}({})]), hits{line}, now());", ms + 20, ms + 40),
            25 => format!("console.log('resolved', await Promise.resolve({ms}), await 7, await call('r{line}', {ms}));"),
            0 => format!("const p{promises} = call('c{line}', {ms});"),
            1 => format!("const p{promises} = job('j{line}', {ms});"),
            2 => format!("console.log('all', await Promise.all([call('a{line}', {ms}), job('b{line}', {})]), now());", ms / 2 + 3),
            3 => format!("console.log('race', await Promise.race([call('a{line}', {ms}), sleep({})]), now());", apart(31 + 23 * rng.below(4))),
            4 => format!("try {{ await timeout(call('t{line}', {ms}), {}); console.log('in time', now()); }} catch (e) {{ console.log(e.name, e.message, now()); }}", apart(17 + 21 * rng.below(8))),
            5 => format!("try {{ await Promise.all([call('x{line}', {ms}), fail('f{line}', {})]); }} catch (e) {{ console.log(e.message, now()); }}", 13 + 29 * rng.below(5)),
            6 => format!("for (const i of range({})) {{ await sleep({ms}); console.log('loop', i, now()); }}", 1 + rng.below(3)),
            7 => format!("for await (const t of ticks({}, {ms})) {{ console.log('tick', t, now()); }}", 1 + rng.below(3)),
            8 => format!("const s{line} = await Promise.allSettled([fail('s{line}', {ms}), call('ok{line}', 41)]); console.log('settled', s{line}.length, s{line}[0].status, s{line}[1].value, now());"),
            9 => format!("console.log('map', (await Promise.all(range({}).map((i) => call('m' + i, {ms} + i * 11)))).join('+'), now());", 1 + rng.below(4)),
            10 => format!("let k{line} = 0; while (true) {{ k{line} += 1; if (k{line} > {}) break; if (k{line} % 2 === 0) continue; await sleep({ms}); }} console.log('while', k{line}, now());", rng.below(4)),
            11 => format!("const o{line} = {{ v: await call('o{line}', {ms}), n: {} }}; console.log('obj', o{line}.v, o{line});", rng.below(9)),
            12 => format!("let n{line} = 0; const r{line} = await retry(3, {}, () => {{ n{line} += 1; return n{line} < 2 ? fail('r{line}', {ms}) : call('r{line}', {ms}); }}); console.log('retry', r{line}, n{line}, now());", 11 + rng.below(40)),
            13 => format!("const l{line} = await limit(2, range(3).map((i) => () => call('l' + i, {ms} + i))); console.log('limit', l{line}, now());"),
            14 => format!("console.log('any', await Promise.any([fail('y{line}', 23), call('z{line}', {ms})]), now());"),
            15 => format!("await worker(burn({ms})); console.log('burned', now());"),
            16 => format!("const v{line} = {} > 2 ? 'big' : 'small'; console.log('value ' + v{line} + ' ' + ({ms} * 2), [1, 'two', [3, {{ a: true }}], null]);", rng.below(5)),
            17 => format!("async function twice{line}(x) {{ await sleep({ms}); await sleep(x); return x * 2; }} console.log('twice', await twice{line}({}), now());", 10 + rng.below(30)),
            18 => format!("try {{ await sleep({ms}); throw new Error('boom {line}'); }} catch (e) {{ console.log('caught', e.message, e); }} finally {{ console.log('finally', now()); }}"),
            _ => format!("const q{line} = [];\nfor (const i of range(3)) {{\n  q{line}.push(() => call('q' + i, {ms}));\n}}\nconsole.log('closures', await Promise.all(q{line}.map((f) => f())), now());"),
        };
        if stmt.starts_with("const p") {
            promises += 1;
        }
        out.push_str(&stmt);
        out.push('\n');
    }
    for p in 0..promises {
        out.push_str(&format!("console.log('awaited', await p{p}, now());\n"));
    }
    out
}

/// The generated programs every test uses.
fn generated() -> &'static [String] {
    static PROGRAMS: OnceLock<Vec<String>> = OnceLock::new();
    PROGRAMS.get_or_init(|| {
        let mut rng = Rng(0x5eed_1e55_c0de_f00d);
        (0..30).map(|_| generate(&mut rng)).collect()
    })
}

/// Every program the compile tests check: (name, source).
fn programs() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = examples::ALL
        .iter()
        .map(|(id, _, src)| (id.to_string(), src.to_string()))
        .collect();
    out.extend(
        generated()
            .iter()
            .enumerate()
            .map(|(i, src)| (format!("generated-{i}"), src.clone())),
    );
    out
}

/// A fresh directory for a test's files.
fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("playground-program-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

fn missing(tool: &str) -> bool {
    let missing = Command::new(tool).arg("--version").output().is_err();
    if missing {
        eprintln!("{tool} is not installed: this check is skipped");
    }
    missing
}

fn code(src: &str, lang: Lang) -> String {
    program_code(src, lang).unwrap_or_else(|e| panic!("{e}\n{src}"))
}

#[test]
fn every_program_translates_and_a_parse_error_is_an_error() {
    for (name, src) in programs() {
        for lang in Lang::ALL {
            assert!(
                !code(&src, lang).trim().is_empty(),
                "{name} in {lang:?} should give code"
            );
        }
    }
    let e = program_code("const = 1;", Lang::Python).unwrap_err();
    assert_eq!(e.line, 1, "the error should name the line: {e}");
}

#[test]
fn the_python_of_every_example_and_generated_program_compiles() {
    if missing("python3") {
        return;
    }
    let dir = scratch("py-compile");
    let mut files = Vec::new();
    for (name, src) in programs() {
        let file = dir.join(format!("{}.py", name.replace('-', "_")));
        std::fs::write(&file, code(&src, Lang::Python)).expect("written");
        files.push(file);
    }
    let out = Command::new("python3")
        .arg("-m")
        .arg("py_compile")
        .args(&files)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "py_compile failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What the prediction says a program prints and how long its main part takes.
struct Predicted {
    lines: Vec<(f64, String)>,
    main_ms: f64,
}

fn predict(src: &str) -> Predicted {
    let report = run_virtual(src).unwrap_or_else(|e| panic!("{e}\n{src}"));
    Predicted {
        lines: report
            .recording
            .log
            .iter()
            .map(|l| (l.at_ms, l.text.clone()))
            .collect(),
        main_ms: report.finished.main_ms.unwrap_or(report.finished.end_ms),
    }
}

/// Splits a line into text and numbers.
fn tokens(line: &str) -> Vec<Result<f64, String>> {
    let mut out = Vec::new();
    let mut text = String::new();
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let starts_number = chars[i].is_ascii_digit()
            && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_'));
        if starts_number {
            let mut j = i;
            while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == '.') {
                j += 1;
            }
            let n: String = chars[i..j].iter().collect();
            if let Ok(n) = n.parse() {
                if !text.is_empty() {
                    out.push(Err(std::mem::take(&mut text)));
                }
                out.push(Ok(n));
                i = j;
                continue;
            }
        }
        text.push(chars[i]);
        i += 1;
    }
    if !text.is_empty() {
        out.push(Err(text));
    }
    out
}

/// What the numbers of a program's lines may be.
#[derive(Clone, Copy, PartialEq)]
enum Clock {
    /// Exact: the program reads no clock.
    None,
    /// Equal, or a clock reading after timers: in [p − 5, 1.5·p + 400].
    Timers,
    /// Equal, or a clock reading after busy work (`burn`, `spin`), which waits for a core on
    /// a shared machine: in [p − 5, 2·p + 1000].
    Busy,
    /// Equal, or a clock reading after CPU kernels, whose speed is the machine's (the
    /// prediction's cost model is the playground's, not Python's): in [0, 4·p + 2000].
    Kernels,
}

/// True when `measured` says what `predicted` says.
fn same_line(predicted: &str, measured: &str, clock: Clock) -> bool {
    let (p, m) = (tokens(predicted), tokens(measured));
    p.len() == m.len()
        && p.iter().zip(&m).all(|(p, m)| match (p, m) {
            (Err(a), Err(b)) => a == b,
            (Ok(a), Ok(b)) => {
                a == b
                    || match clock {
                        Clock::None => false,
                        Clock::Timers => *b >= a - 5.0 && *b <= 1.5 * a + 400.0,
                        Clock::Busy => *b >= a - 5.0 && *b <= 2.0 * a + 1000.0,
                        Clock::Kernels => *b >= 0.0 && *b <= 4.0 * a + 2000.0,
                    }
            }
            _ => false,
        })
}

/// Compares printed lines: in order, except that lines predicted within 25 ms of each other may
/// swap. `Err` says how they differ.
fn compare(predicted: &[(f64, String)], measured: &[String], clock: Clock) -> Result<(), String> {
    if predicted.len() != measured.len() {
        return Err(format!(
            "{} lines predicted, {} printed",
            predicted.len(),
            measured.len()
        ));
    }
    let mut i = 0;
    while i < predicted.len() {
        let mut end = i + 1;
        while end < predicted.len() && predicted[end].0 - predicted[end - 1].0 < 25.0 {
            end += 1;
        }
        let mut left: Vec<&String> = measured[i..end].iter().collect();
        for (_, want) in &predicted[i..end] {
            match left.iter().position(|got| same_line(want, got, clock)) {
                Some(at) => {
                    left.remove(at);
                }
                None => return Err(format!("no printed line matches {want:?} (near line {i})")),
            }
        }
        i = end;
    }
    Ok(())
}

/// The Python interpreter itself (not a version manager's shim, which is slow to start).
fn python() -> &'static str {
    static PYTHON: OnceLock<String> = OnceLock::new();
    PYTHON.get_or_init(|| {
        Command::new("python3")
            .args(["-c", "import sys; print(sys.executable)"])
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "python3".into())
    })
}

/// Runs the Python of `src`: its lines, its run time in ms (the interpreter's start left out:
/// it is timed from inside), and what it wrote to stderr.
fn run_python(dir: &Path, name: &str, src: &str) -> (Vec<String>, f64, String) {
    let file = dir.join(format!("{name}.py"));
    std::fs::write(&file, code(src, Lang::Python)).expect("written");
    let timed = "import runpy, sys, time\n\
                 t = time.perf_counter()\n\
                 runpy.run_path(sys.argv[1], run_name='__main__')\n\
                 print('RAN_MS', (time.perf_counter() - t) * 1000, file=sys.stderr)";
    let out = Command::new(python())
        .args(["-c", timed])
        .arg(&file)
        .output()
        .expect("python3 runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let ms = stderr
        .lines()
        .find_map(|l| l.strip_prefix("RAN_MS "))
        .and_then(|ms| ms.trim().parse().ok())
        .unwrap_or(f64::NAN);
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    (lines, ms, stderr)
}

/// Runs the JavaScript of `src` (the program after its prelude) in node: its lines, no time
/// (node's start is not separated from the run), and what it wrote to stderr.
fn run_javascript(dir: &Path, name: &str, src: &str) -> (Vec<String>, f64, String) {
    let file = dir.join(format!("{name}.mjs"));
    std::fs::write(&file, code(src, Lang::JavaScript)).expect("written");
    let out = Command::new("node").arg(&file).output().expect("node runs");
    // Node shows an error with its stack; the playground shows `name: message` only.
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with("    at "))
        .map(str::to_string)
        .collect();
    (
        lines,
        f64::NAN,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs each program's Python (three at a time) and checks its lines and time; `Err` lists
/// what went wrong.
fn run_and_compare(test: &str, cases: Vec<(String, String)>) -> Result<usize, String> {
    run_and_compare_in(Lang::Python, test, cases)
}

/// [`run_and_compare`] in Python or JavaScript (lines only: see [`run_javascript`]).
fn run_and_compare_in(
    lang: Lang,
    test: &str,
    cases: Vec<(String, String)>,
) -> Result<usize, String> {
    // One test's programs at a time: the tests run in parallel threads, and programs with CPU
    // work must have the cores to themselves.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = scratch(test);
    let cases: Vec<(String, String, Predicted)> = cases
        .into_iter()
        .map(|(name, src)| {
            let p = predict(&src);
            (name, src, p)
        })
        .filter(|(_, _, p)| p.main_ms < 3000.5)
        .collect();
    let count = cases.len();
    // Programs with CPU work run one at a time after the others (three at a time), so that a
    // busy core does not delay another program's timers.
    let (cpu, waits): (Vec<_>, Vec<_>) = cases.into_iter().partition(|(_, src, _)| {
        ["spin(", "burn(", "primes(", "mandelbrot("]
            .iter()
            .any(|w| src.contains(w))
    });
    let problems = std::sync::Mutex::new(Vec::new());
    run_batch(lang, &dir, waits, 3, &problems);
    run_batch(lang, &dir, cpu, 1, &problems);
    let problems = problems.into_inner().unwrap();
    if problems.is_empty() {
        Ok(count)
    } else {
        Err(problems.join("\n\n"))
    }
}

/// Runs `cases`, `threads` at a time, adding what went wrong to `problems`.
fn run_batch(
    lang: Lang,
    dir: &Path,
    cases: Vec<(String, String, Predicted)>,
    threads: usize,
    problems: &std::sync::Mutex<Vec<String>>,
) {
    let next = std::sync::Mutex::new(cases.into_iter());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let Some((name, src, p)) = next.lock().unwrap().next() else {
                    return;
                };
                let run = match lang {
                    Lang::JavaScript => run_javascript,
                    _ => run_python,
                };
                let (lines, ms, stderr) = run(dir, &name.replace('-', "_"), &src);
                // How fast pure-Python kernels count primes is this machine's business.
                let kernels = src.contains("primes(") || src.contains("mandelbrot(");
                // Busy work needs a core, which a shared machine may not give at once.
                let busy = src.contains("burn(") || src.contains("spin(");
                let clock = match (src.contains("now()"), kernels, busy) {
                    (false, _, _) => Clock::None,
                    (true, true, _) => Clock::Kernels,
                    (true, false, true) => Clock::Busy,
                    (true, false, false) => Clock::Timers,
                };
                let mut wrong = Vec::new();
                if let Err(why) = compare(&p.lines, &lines, clock) {
                    wrong.push(format!(
                        "{why}\npredicted: {:#?}\nprinted: {lines:#?}",
                        p.lines
                    ));
                }
                let (low, high) = (0.9 * p.main_ms - 50.0, 2.0 * p.main_ms + 1500.0);
                let in_time = ms >= low && ms < high;
                if !kernels && !in_time && !ms.is_nan() {
                    wrong.push(format!(
                        "took {ms:.0} ms, predicted {:.0} (allowed {low:.0} to {high:.0})",
                        p.main_ms
                    ));
                }
                if !wrong.is_empty() {
                    wrong.push(format!("stderr: {stderr}"));
                    problems
                        .lock()
                        .unwrap()
                        .push(format!("{name}:\n{}\n{src}", wrong.join("\n")));
                }
            });
        }
    });
}

#[test]
fn the_python_of_the_short_examples_prints_what_the_program_prints_in_about_its_time() {
    if missing("python3") {
        return;
    }
    let cases = examples::ALL
        .iter()
        .map(|(id, _, src)| (id.to_string(), src.to_string()))
        .collect();
    let ran = run_and_compare("py-examples", cases).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        ran >= 10,
        "most examples are short enough to run, ran {ran}"
    );
}

#[test]
fn the_python_of_generated_programs_prints_what_the_program_prints_in_about_its_time() {
    if missing("python3") {
        return;
    }
    let cases = generated()
        .iter()
        .enumerate()
        .map(|(i, src)| (format!("generated-{i}"), src.clone()))
        .collect();
    let ran = run_and_compare("py-generated", cases).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ran, generated().len(), "every generated program is short");
}

#[test]
fn the_javascript_of_examples_and_generated_programs_prints_what_the_program_prints_in_node() {
    if missing("node") {
        return;
    }
    // The prelude runs CPU work on the page's own thread (a page would use a Web Worker), so
    // programs with workers take longer in node than predicted: they are left out.
    let cases: Vec<(String, String)> = programs()
        .into_iter()
        .filter(|(_, src)| !src.contains("worker(") && !src.contains("parallel("))
        .collect();
    let ran = run_and_compare_in(Lang::JavaScript, "js", cases).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        ran >= 20,
        "most programs are short enough to run, ran {ran}"
    );
}

#[test]
fn mutated_programs_translate_without_a_panic_and_a_sample_compiles_in_python_and_rust() {
    let seeds: Vec<String> = programs().into_iter().map(|(_, src)| src).collect();
    let mut rng = Rng(0x0bad_5eed_dead_beef);
    let mut translated = 0;
    let mut kept: Vec<(String, String)> = Vec::new();
    for round in 0..3000 {
        let seed = &seeds[round % seeds.len()];
        let mut bytes = seed.as_bytes().to_vec();
        for _ in 0..1 + rng.below(3) {
            let at = rng.below(bytes.len() + 1);
            let end = (at + rng.below(12)).min(bytes.len());
            match rng.below(3) {
                0 => {
                    bytes.drain(at..end);
                }
                1 => {
                    let copy = bytes[at..end].to_vec();
                    let to = rng.below(bytes.len() + 1);
                    bytes.splice(to..to, copy);
                }
                _ => {
                    let piece: &[u8] = match rng.below(6) {
                        0 => b"await ",
                        1 => b"async () => ",
                        2 => b"-",
                        3 => b"!",
                        4 => b"(",
                        _ => b")",
                    };
                    bytes.splice(at..at, piece.iter().copied());
                }
            }
        }
        let src = String::from_utf8_lossy(&bytes).into_owned();
        let Ok(program) = crate::lang::parser::parse(&src) else {
            continue;
        };
        if crate::lang::compile::compile(&src, &program).is_err() {
            continue;
        }
        for lang in Lang::ALL {
            let text = std::panic::catch_unwind(|| program_code(&src, lang));
            assert!(
                matches!(text, Ok(Ok(_))),
                "{lang:?} should translate this program without a panic:\n{src}"
            );
        }
        translated += 1;
        if kept.len() < 100 && round % 3 == 0 {
            kept.push((format!("mutated-{round}"), src));
        }
    }
    assert!(
        translated > 300,
        "enough mutated programs parse: {translated}"
    );
    // A sample compiles as Python and type-checks as Rust.
    if !missing("python3") {
        let dir = scratch("py-mutated");
        let mut files = Vec::new();
        for (name, src) in &kept {
            let file = dir.join(format!("{}.py", name.replace('-', "_")));
            std::fs::write(&file, code(src, Lang::Python)).expect("written");
            files.push(file);
        }
        let out = Command::new(python())
            .args(["-m", "py_compile"])
            .args(&files)
            .output()
            .expect("python3 runs");
        assert!(
            out.status.success(),
            "py_compile failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let rust: Vec<(String, String)> = kept
        .iter()
        .map(|(name, src)| (name.clone(), code(src, Lang::Rust)))
        .collect();
    if let Err(errors) = rust_checks(&rust) {
        panic!("rustc found errors:\n{errors}");
    }
}

#[test]
fn the_line_comparison_allows_clock_drift_and_near_ties_only() {
    let (t, none) = (Clock::Timers, Clock::None);
    assert!(
        same_line("done after 500 ms", "done after 503 ms", t),
        "drift is allowed"
    );
    assert!(
        !same_line("done after 500 ms", "done after 503 ms", none),
        "no clock, no drift"
    );
    assert!(
        !same_line("done after 500 ms", "done after 2000 ms", t),
        "4x is no drift"
    );
    assert!(!same_line("got a", "got b", t), "text must match");
    let near = [(100.0, "a".to_string()), (110.0, "b".to_string())];
    assert!(
        compare(&near, &["b".into(), "a".into()], none).is_ok(),
        "near ties may swap"
    );
    let far = [(100.0, "a".to_string()), (200.0, "b".to_string())];
    assert!(
        compare(&far, &["b".into(), "a".into()], none).is_err(),
        "the order is kept"
    );
}

/// True when the brackets of `code` pair up, strings and comments left out.
fn balanced(code: &str) -> Result<(), String> {
    let mut stack = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let mut chars = line.chars().peekable();
        let mut quote: Option<char> = None;
        while let Some(c) = chars.next() {
            match (quote, c) {
                (Some(_), '\\') => {
                    chars.next();
                }
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"') => quote = Some('"'),
                (None, '/') if chars.peek() == Some(&'/') => break,
                (None, '(' | '[' | '{') => stack.push((c, n + 1)),
                (None, ')' | ']' | '}') => {
                    let want = match c {
                        ')' => '(',
                        ']' => '[',
                        _ => '{',
                    };
                    match stack.pop() {
                        Some((open, _)) if open == want => {}
                        other => return Err(format!("line {}: {c} closes {other:?}", n + 1)),
                    }
                }
                _ => {}
            }
        }
    }
    match stack.pop() {
        None => Ok(()),
        Some((c, line)) => Err(format!("{c} of line {line} is never closed")),
    }
}

#[test]
fn the_csharp_of_every_program_has_balanced_brackets_and_the_helpers_it_calls() {
    for (name, src) in programs() {
        let cs = code(&src, Lang::CSharp);
        if let Err(why) = balanced(&cs) {
            panic!("{name}: {why}\n{cs}");
        }
        for (word, helper) in [
            ("call(", "async Task<object?> Call("),
            ("sleep(", "async Task<object?> Sleep("),
            ("fail(", "async Task<object?> Fail("),
            ("timeout(", "async Task<object?> Timeout("),
            ("retry(", "async Task<object?> Retry("),
            ("limit(", "async Task<object?> Limit("),
            ("ticks(", "async IAsyncEnumerable<int> Ticks("),
            ("console.log(", "void Log("),
        ] {
            assert_eq!(
                src.contains(word),
                cs.contains(helper),
                "{name}: the C# should define {helper} exactly when the program uses {word}\n{cs}"
            );
        }
        let cpu = src.contains("worker(") || src.contains("parallel(");
        assert_eq!(
            cpu,
            cs.contains("async Task<object?> Worker("),
            "{name}: the C# should define Worker exactly when the program uses workers"
        );
        assert!(
            cs.starts_with("// The playground program in C#") && cs.contains("class JsError"),
            "{name}: the file should say what it is and define its error type"
        );
    }
}

#[test]
fn the_examples_translate_without_a_construct_left_as_a_comment() {
    for (id, _, src) in examples::ALL {
        for lang in [Lang::CSharp, Lang::Python, Lang::Rust] {
            let text = code(src, lang);
            assert!(
                !text.contains("not translated"),
                "{id} in {lang:?} should translate fully:\n{text}"
            );
        }
    }
}

#[test]
fn the_csharp_of_the_sequential_example_reads_as_written_by_hand() {
    let cs = code(examples::SEQUENTIAL, Lang::CSharp);
    let program = "var clock = Stopwatch.StartNew();

// A. Sequential awaits: each call starts only when the one before it has finished.
foreach (var i in Enumerable.Range(0, 10))
{
    dynamic result = await Call(\"request \" + i, 500);
    Log(\"got\", result);
}
Log(\"done after\", Now(), \"ms\");
";
    assert!(
        cs.contains(program),
        "the program part should read:\n{program}\ngot:\n{cs}"
    );
}

#[test]
fn the_program_s_own_comments_come_along_in_every_language() {
    let src = "// Start both.\nconst a = sleep(300);\n\n// Then wait.\nawait a; // not this one\n";
    for (lang, mark) in [
        (Lang::CSharp, "//"),
        (Lang::Python, "#"),
        (Lang::Rust, "//"),
    ] {
        let text = code(src, lang);
        for comment in ["Start both.", "Then wait."] {
            assert!(
                text.contains(&format!("{mark} {comment}")),
                "{lang:?} should keep the comment {comment:?}:\n{text}"
            );
        }
        assert!(
            !text.contains("not this one"),
            "{lang:?} keeps only comments on lines of their own"
        );
    }
}

#[test]
fn each_language_says_it_with_its_own_tools() {
    let cases = [
        (examples::ALL_AT_ONCE, Lang::CSharp, "Task.WhenAll"),
        (examples::FIRST_TO_FINISH, Lang::CSharp, "Task.WhenAny"),
        (examples::THROTTLED, Lang::CSharp, "SemaphoreSlim"),
        (examples::TIMEOUT, Lang::CSharp, "WaitAsync"),
        (examples::SEQUENTIAL, Lang::CSharp, "Task.Delay"),
        (examples::ALL_AT_ONCE, Lang::Python, "asyncio.gather"),
        (examples::TIMEOUT, Lang::Python, "asyncio.wait_for"),
        (examples::THROTTLED, Lang::Python, "asyncio.Semaphore"),
        (
            examples::BLOCKED_LOOP,
            Lang::Python,
            "work = asyncio.create_task(worker(burn, 1000))",
        ),
        (
            examples::STREAMING,
            Lang::Python,
            "async for tick in ticks(5, 500):",
        ),
        (examples::PRIMES, Lang::Python, "run_in_executor"),
        (examples::ALL_AT_ONCE, Lang::Rust, "tokio::spawn"),
        (examples::ALL_AT_ONCE, Lang::Rust, "try_join_all"),
        (examples::FIRST_TO_FINISH, Lang::Rust, "select_all"),
        (examples::TIMEOUT, Lang::Rust, "tokio::time::timeout_at"),
        (examples::THROTTLED, Lang::Rust, "Semaphore::new"),
        (examples::PRIMES, Lang::Rust, "spawn_blocking"),
        (examples::LOST_UPDATE, Lang::Rust, "Var::new(0)"),
    ];
    for (src, lang, tool) in cases {
        let text = code(src, lang);
        assert!(text.contains(tool), "{lang:?} should use {tool}:\n{text}");
    }
}

#[test]
fn an_async_function_that_logs_before_its_first_await_is_flagged_where_it_starts_later() {
    let src = "async function f() { console.log('in f'); await sleep(10); }\n\
               const p = f();\nconsole.log('after the call');\nawait p;\nawait f();";
    for lang in [Lang::Python, Lang::Rust] {
        let text = code(src, lang);
        assert_eq!(
            text.matches("not translated: `f()`").count(),
            1,
            "{lang:?} should flag the call that is not awaited at once, only it:\n{text}"
        );
    }
    assert!(
        !code(src, Lang::CSharp).contains("not translated"),
        "C# runs an async method up to its first await at once, as JavaScript does"
    );
}

#[test]
fn a_program_that_returns_early_runs_in_node_as_a_function() {
    let src = "console.log('one');\nif (true) {\n  return;\n}\nconsole.log('two');";
    let js = code(src, Lang::JavaScript);
    assert!(
        js.contains("(async () => {\n") && js.trim_end().ends_with("})();"),
        "a top-level return needs a function around the program:\n{js}"
    );
    let plain = code("console.log('one');", Lang::JavaScript);
    assert!(
        !plain.contains("(async () =>"),
        "other programs stay as written:\n{plain}"
    );
    if missing("node") {
        return;
    }
    let dir = scratch("js-return");
    let (lines, _, stderr) = run_javascript(&dir, "early", src);
    assert_eq!(
        lines,
        vec!["one".to_string()],
        "node should stop at the return: {stderr}"
    );
}

#[test]
fn a_construct_without_a_plain_translation_is_a_comment_in_every_language() {
    let src = "const job = primes(1000);\nconst n = await worker(job);\nconsole.log(n);";
    for lang in [Lang::CSharp, Lang::Python, Lang::Rust] {
        let text = code(src, lang);
        assert!(
            text.contains("not translated: `worker(job)`"),
            "{lang:?} should say what it left out:\n{text}"
        );
    }
}

/// The stand-ins for tokio and futures, built once: the `--extern` arguments for rustc, or
/// `None` without rustc.
fn rust_stubs() -> Option<&'static Vec<String>> {
    static STUBS: OnceLock<Option<Vec<String>>> = OnceLock::new();
    STUBS
        .get_or_init(|| {
            if missing("rustc") {
                return None;
            }
            let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/program");
            let dir = scratch("rust-stubs");
            let build = |args: &[&str]| {
                let out = Command::new("rustc")
                    .args(["--edition", "2021", "--cap-lints", "allow"])
                    .args(args)
                    .current_dir(&dir)
                    .output()
                    .expect("rustc runs");
                assert!(
                    out.status.success(),
                    "the stub {args:?} should build: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            };
            let path = |name: &str| fixtures.join(name).to_string_lossy().into_owned();
            let macros = dir
                .join("libtokio_macros.so")
                .to_string_lossy()
                .into_owned();
            build(&[
                "--crate-type",
                "proc-macro",
                "--crate-name",
                "tokio_macros",
                &path("tokio_macros.rs"),
                "-o",
                &macros,
            ]);
            let tokio = dir.join("libtokio.rlib").to_string_lossy().into_owned();
            build(&[
                "--crate-type",
                "lib",
                "--crate-name",
                "tokio",
                &path("tokio.rs"),
                "--extern",
                &format!("tokio_macros={macros}"),
                "-o",
                &tokio,
            ]);
            let futures = dir.join("libfutures.rlib").to_string_lossy().into_owned();
            build(&[
                "--crate-type",
                "lib",
                "--crate-name",
                "futures",
                &path("futures.rs"),
                "-o",
                &futures,
            ]);
            Some(vec![
                "-L".into(),
                dir.to_string_lossy().into_owned(),
                "--extern".into(),
                format!("tokio={tokio}"),
                "--extern".into(),
                format!("futures={futures}"),
            ])
        })
        .as_ref()
}

/// Type-checks Rust files (each a program) as the modules of one crate; `Err` has rustc's
/// errors, each under the name of its program.
fn rust_checks(programs: &[(String, String)]) -> Result<(), String> {
    let Some(externs) = rust_stubs() else {
        return Ok(());
    };
    let dir = scratch("rust-check");
    let mut crate_text = String::from("fn main() {}\n");
    let mut starts = Vec::new();
    for (name, rs) in programs {
        starts.push((crate_text.lines().count() + 1, name.clone()));
        crate_text.push_str(&format!("mod {} {{\n{rs}}}\n", name.replace('-', "_")));
    }
    let file = dir.join("programs.rs");
    std::fs::write(&file, &crate_text).expect("written");
    let out = Command::new("rustc")
        .args([
            "--edition",
            "2021",
            "--crate-type",
            "bin",
            "--emit=metadata",
        ])
        .args(["--cap-lints", "allow", "-o"])
        .arg(dir.join("programs.rmeta"))
        .args(externs)
        .arg(&file)
        .output()
        .expect("rustc runs");
    if out.status.success() {
        return Ok(());
    }
    // Name the program each error is in.
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut named = String::new();
    for line in stderr.lines() {
        named.push_str(line);
        if let Some(at) = line.trim().strip_prefix("--> ") {
            let n: usize = at
                .split(':')
                .nth(1)
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            if let Some((start, name)) = starts.iter().rev().find(|(s, _)| *s <= n) {
                named.push_str(&format!("   [{name}, line {}]", n - start));
            }
        }
        named.push('\n');
    }
    Err(named.chars().take(20_000).collect())
}

#[test]
fn the_rust_of_every_example_and_generated_program_type_checks_against_tokio_and_futures() {
    let rust: Vec<(String, String)> = programs()
        .into_iter()
        .map(|(name, src)| (name, code(&src, Lang::Rust)))
        .collect();
    if let Err(errors) = rust_checks(&rust) {
        panic!("rustc found errors:\n{errors}");
    }
}

#[test]
fn the_rust_stubs_catch_a_wrong_program() {
    let wrong = "use futures::future::FutureExt;\n\
                 #[tokio::main]\nasync fn main() { let x: u32 = tokio::time::sleep(std::time::Duration::ZERO).await; }\n";
    if rust_stubs().is_none() {
        return;
    }
    assert!(
        rust_checks(&[("wrong".into(), wrong.into())]).is_err(),
        "a type error in a program should fail the check"
    );
}

#[test]
fn a_timer_made_before_a_spin_fires_when_the_spin_ends_as_in_javascript() {
    if missing("python3") {
        return;
    }
    // The lesson of the blocked loop: the timer is due at 100 ms but the loop is busy until
    // 300 ms, so it fires at 300, not at 400 (as it would if the timer started after the spin).
    let src = "const t = sleep(100);\nspin(300);\nawait t;\nconsole.log(now());";
    assert_eq!(predict(src).lines[0].1, "300", "the prediction");
    let dir = scratch("py-spin");
    let (lines, _, stderr) = run_python(&dir, "spin", src);
    let at: f64 = lines
        .first()
        .and_then(|l| l.parse().ok())
        .unwrap_or_else(|| panic!("the Python should print the time: {lines:?} {stderr}"));
    assert!(
        (295.0..390.0).contains(&at),
        "the timer should fire when the spin ends, at about 300 ms, not {at}"
    );
}
