//! JavaScript is the oracle: the examples and generated programs run under `node` (when it is
//! installed) with a prelude defining the built-ins in plain JavaScript on a virtual clock, and
//! must print the same `console.log` lines as the machine. Skipped, with a note, without node.

use std::process::Command;

use super::driver::run_virtual;
use super::examples;
use super::tests::Rng;

/// The built-ins in JavaScript, on a virtual clock: timers fire one at a time in deadline
/// order, each after the microtasks before it (`setImmediate` runs once they are drained).
const PRELUDE: &str = r#"
let vnow = 0; const timers = []; let seq = 0;
function setVTimer(ms, fn) { timers.push({ at: vnow + Math.max(0, ms), seq: seq++, fn }); }
function pump() {
  setImmediate(() => {
    if (!timers.length) return;
    timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const t = timers.shift(); vnow = Math.max(vnow, t.at); t.fn(); pump();
  });
}
const now = () => vnow;
const sleep = (ms) => new Promise((r) => setVTimer(ms, () => r(undefined)));
const call = (label, ms) => new Promise((r) => setVTimer(ms, () => r(label)));
const fail = (label, ms) => new Promise((_, j) => setVTimer(ms, () => j(new Error(label + " failed"))));
const timeout = (p, ms) => Promise.race([p, new Promise((_, j) => setVTimer(ms, () => {
  const e = new Error(`timed out after ${ms} ms`); e.name = "TimeoutError"; j(e); }))]);
async function retry(n, d, f) {
  for (let i = 0; ; i++) {
    try { return await f(); } catch (e) { if (i + 1 >= n) throw e; await new Promise((r) => setVTimer(d, r)); }
  }
}
async function limit(k, fs) {
  const out = new Array(fs.length); let next = 0;
  async function lane() { while (next < fs.length) { const i = next++; out[i] = await fs[i](); } }
  await Promise.all(Array.from({ length: Math.min(k, fs.length) }, lane)); return out;
}
const spin = (ms) => { vnow += ms; };
const range = (n) => [...Array(n).keys()];
async function* ticks(n, ms) { for (let i = 0; i < n; i++) { await sleep(ms); yield i; } }
pump();
"#;

/// The lines `src` prints under node, or `None` when node is not installed.
fn node_log(src: &str) -> Option<Vec<String>> {
    let program = format!(
        "{PRELUDE}\n(async () => {{\n{src}\n}})().catch((e) => console.log('UNCAUGHT', e.message));\n"
    );
    let out = Command::new("node").arg("-e").arg(program).output().ok()?;
    assert!(
        out.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect(),
    )
}

/// The lines `src` prints on the machine (an uncaught error printed as the prelude does).
fn machine_log(src: &str) -> Vec<String> {
    let r = run_virtual(src).unwrap_or_else(|e| panic!("{e}\n{src}"));
    let mut lines: Vec<String> = r.recording.log.iter().map(|l| l.text.clone()).collect();
    if let Some(e) = r.finished.error {
        lines.push(format!("ERROR {:?} {}", e.kind, e.message));
    }
    lines
}

fn node_missing() -> bool {
    let missing = Command::new("node").arg("--version").output().is_err();
    if missing {
        eprintln!("node is not installed: the JavaScript oracle is skipped");
    }
    missing
}

#[test]
fn every_example_prints_what_node_prints() {
    if node_missing() {
        return;
    }
    for (id, _, src) in examples::ALL {
        // Workers are the machine's own; node would crash on the lost rejection on purpose.
        if src.contains("worker(") || src.contains("parallel(") || *id == "fire-and-forget" {
            continue;
        }
        assert_eq!(Some(machine_log(src)), node_log(src), "{id}");
    }
}

/// A random program of calls, awaits, groups, races, timeouts, failures, async functions and
/// loops; every line it prints includes the time.
fn generate(rng: &mut Rng) -> String {
    let mut out = String::from(
        "async function job(name, ms) { const r = await call(name, ms); console.log('job', r, now()); return r; }\n",
    );
    let mut promises = 0;
    for line in 0..3 + rng.below(8) {
        let ms = 50 * (1 + rng.below(6));
        let stmt = match rng.below(12) {
            10 => format!("let k{line} = 0; while (true) {{ k{line} += 1; if (k{line} > {}) break; if (k{line} % 2 === 0) continue; await sleep({ms}); }} console.log('while', k{line}, now());", rng.below(4)),
            11 => format!("const o{line} = {{ v: await call('o{line}', {ms}), t: now() }}; console.log('obj', o{line}.v, o{line}.t, o{line});"),
            9 => format!("console.log('map', (await Promise.all(range({}).map((i) => call('m' + i, {ms} + i * 10)))).join('+'), now());", 1 + rng.below(4)),
            0 => format!("const p{promises} = call('c{line}', {ms});"),
            1 => format!("const p{promises} = job('j{line}', {ms});"),
            2 => format!("console.log('all', await Promise.all([call('a{line}', {ms}), job('b{line}', {})]), now());", ms / 2),
            3 => format!("console.log('race', await Promise.race([call('a{line}', {ms}), sleep({})]), now());", 75 * (1 + rng.below(4))),
            4 => format!("try {{ await timeout(call('t{line}', {ms}), {}); console.log('in time', now()); }} catch (e) {{ console.log(e.name, now()); }}", 25 * (1 + rng.below(12))),
            5 => format!("try {{ await Promise.all([call('x{line}', {ms}), fail('f{line}', {})]); }} catch (e) {{ console.log(e.message, now()); }}", 40 * (1 + rng.below(5))),
            6 => format!("for (const i of range({})) {{ await sleep({ms}); console.log('loop', i, now()); }}", 1 + rng.below(3)),
            7 => format!("for await (const t of ticks({}, {ms})) {{ console.log('tick', t, now()); }}", 1 + rng.below(3)),
            _ => format!("console.log('settled', (await Promise.allSettled([fail('s{line}', {ms}), call('ok{line}', 60)])).length, now());"),
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

#[test]
fn generated_programs_print_what_node_prints() {
    if node_missing() {
        return;
    }
    let mut rng = Rng(0x0dd_ba11_cafe_f00d);
    for _ in 0..60 {
        let src = generate(&mut rng);
        assert_eq!(Some(machine_log(&src)), node_log(&src), "\n{src}");
    }
}
