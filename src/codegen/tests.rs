//! Tests of every language at once: counts, titles, each preset's idioms, brackets, the snapshot.

use crate::codegen::lang::Lang;
use crate::codegen::{snippets, SETUP};
use crate::cpu::kernels::MandelbrotSpec;
use crate::cpu::{CpuMode, CpuSpec, Kernel};
use crate::model::scenario::{AsyncWork, Behaviour, Retry, Work};
use crate::model::scenario::{Backoff, Experiment, FailRule, Scenario, Step, Strategy, Workload};

/// Every snippet of `scenario` in `lang`, joined.
fn code(scenario: &Scenario, lang: Lang) -> String {
    snippets(scenario, lang)
        .into_iter()
        .map(|s| s.code)
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Every strategy variant, the mistakes included.
fn all_strategies() -> Vec<Strategy> {
    use Strategy::*;
    vec![
        Sequential,
        AllAtOnce { fail_fast: false },
        AllAtOnce { fail_fast: true },
        FirstWins { cancel_rest: false },
        FirstWins { cancel_rest: true },
        Throttled { limit: 3 },
        Streaming { concurrent: false },
        Streaming { concurrent: true },
        FireAndForget,
        SharedCounter { safe: false },
        SharedCounter { safe: true },
        BlockOnResult,
        WorkerPerCall,
    ]
}

const ALL_MODES: [CpuMode; 5] = [
    CpuMode::MainThread,
    CpuMode::OneWorker,
    CpuMode::Static,
    CpuMode::Dynamic,
    CpuMode::Pipeline,
];

/// Scenarios that reach every branch: each workload shape with each behaviour, every
/// strategy; each kernel with every mode, with and without a worker count.
fn corner_scenarios() -> Vec<Scenario> {
    let workloads = vec![
        Workload::Uniform {
            count: 10,
            duration_ms: 500,
        },
        Workload::Custom(vec![2000, 3000, 1000]),
        Workload::Custom((0..40).map(|i| 100 + i * 7).collect()),
        Workload::Custom([vec![1000; 10], vec![500, 700]].concat()),
        Workload::Steps {
            count: 100,
            steps: vec![
                Step {
                    label: "fetch (HTTP)".into(),
                    ms: 100,
                },
                Step {
                    label: "process".into(),
                    ms: 50,
                },
            ],
        },
    ];
    let behaviours = vec![
        Behaviour::default(),
        Behaviour {
            jitter_ms: 50,
            fail: FailRule::Chance { percent: 20 },
            timeout_ms: Some(2000),
            group_timeout_ms: Some(2500),
            retry: Retry {
                attempts: 4,
                delay_ms: 100,
                backoff: Backoff::Fixed,
            },
            ..Behaviour::default()
        },
        Behaviour {
            fail: FailRule::Tasks {
                tasks: vec![0, 1, 2, 3, 4, 5, 6, 7],
                times: 1,
            },
            retry: Retry {
                attempts: 2,
                delay_ms: 0,
                backoff: Backoff::Exponential,
            },
            ..Behaviour::default()
        },
        Behaviour {
            timeout_ms: Some(700),
            ..Behaviour::default()
        },
    ];
    let mut out = Vec::new();
    for w in &workloads {
        for b in &behaviours {
            out.push(Scenario {
                experiment: Experiment::WhenAll,
                work: Work::Async(AsyncWork {
                    workload: w.clone(),
                    behaviour: b.clone(),
                    strategies: all_strategies(),
                }),
            });
        }
    }
    let kernels = [
        Kernel::Primes { limit: 5_000_000 },
        Kernel::Mandelbrot {
            spec: MandelbrotSpec::default(),
        },
        Kernel::Burn {
            ms: vec![1000, 500, 2000],
        },
        Kernel::Burn { ms: vec![1000; 10] },
        Kernel::Burn {
            ms: (0..30).map(|i| 10 + i).collect(),
        },
    ];
    for e in [
        Experiment::Purchases,
        Experiment::Pipeline,
        Experiment::Primes,
    ] {
        for k in &kernels {
            for workers in [0, 3] {
                out.push(Scenario {
                    experiment: e,
                    work: Work::Cpu(CpuSpec {
                        kernel: k.clone(),
                        modes: ALL_MODES.to_vec(),
                        workers,
                    }),
                });
            }
        }
    }
    out
}

fn every_scenario() -> Vec<Scenario> {
    Experiment::ALL
        .iter()
        .map(|e| e.scenario())
        .chain(corner_scenarios())
        .collect()
}

/// First bracket out of place in `code`, if any. String literals (' " `, Python's triple
/// quotes included) and line comments (// or #) are skipped.
fn unbalanced(code: &str, lang: Lang) -> Option<String> {
    let mut stack: Vec<char> = Vec::new();
    let mut chars = code.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            if c == '\\' {
                chars.next();
            } else if c == q {
                quote = None;
            }
            continue;
        }
        let comment = match lang {
            Lang::Python => c == '#',
            _ => c == '/' && chars.peek() == Some(&'/'),
        };
        if comment {
            for d in chars.by_ref() {
                if d == '\n' {
                    break;
                }
            }
            continue;
        }
        match c {
            '"' | '`' => quote = Some(c),
            '\'' if lang != Lang::Rust => quote = Some(c),
            '(' | '[' | '{' => stack.push(c),
            ')' | ']' | '}' => {
                let want = match c {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                if stack.pop() != Some(want) {
                    return Some(format!("unexpected {c}"));
                }
            }
            _ => {}
        }
    }
    if quote.is_some() {
        return Some("unterminated string".into());
    }
    (!stack.is_empty()).then(|| format!("unclosed {stack:?}"))
}

#[test]
fn languages_have_stable_ids_and_titles() {
    let ids: Vec<&str> = Lang::ALL.iter().map(|l| l.id()).collect();
    assert_eq!(ids, vec!["csharp", "javascript", "python", "rust"]);
    let titles: Vec<&str> = Lang::ALL.iter().map(|l| l.title()).collect();
    assert_eq!(titles, vec!["C#", "JavaScript", "Python", "Rust"]);
}

#[test]
fn every_preset_gives_a_setup_and_one_snippet_per_strategy_or_mode_in_every_language() {
    for e in Experiment::ALL {
        let s = e.scenario();
        let expected = 1 + match &s.work {
            Work::Cpu(cpu) => cpu.modes.len(),
            Work::Async(w) => w.strategies.len(),
            Work::Program(_) => unreachable!("no preset is a program"),
        };
        for lang in Lang::ALL {
            let got = snippets(&s, lang);
            assert_eq!(got.len(), expected, "{e:?} in {lang:?}: snippet count");
            assert_eq!(got[0].title, "Setup", "{e:?} in {lang:?}: setup first");
            for snip in &got {
                assert!(
                    !snip.code.trim().is_empty() && !snip.title.is_empty(),
                    "{e:?} in {lang:?}: empty snippet {:?}",
                    snip.title
                );
            }
        }
    }
}

#[test]
fn snippets_follow_the_order_and_titles_of_the_scenario() {
    let s = Experiment::WhenAny.scenario();
    let titles: Vec<String> = snippets(&s, Lang::Rust)
        .into_iter()
        .skip(1)
        .map(|s| s.title)
        .collect();
    let want: Vec<String> = s
        .async_work()
        .unwrap()
        .strategies
        .iter()
        .map(|s| s.title())
        .collect();
    assert_eq!(titles, want, "strategy titles in the scenario's order");
    let p = Experiment::Primes.scenario();
    let titles: Vec<String> = snippets(&p, Lang::CSharp)
        .into_iter()
        .map(|s| s.title)
        .collect();
    assert!(
        titles.iter().any(|t| t.starts_with("N workers")),
        "a worker count left to the machine reads N, not 0: {titles:?}"
    );
}

#[test]
fn every_strategy_and_every_cpu_mode_has_code_in_every_language() {
    for s in corner_scenarios() {
        let expected = 1 + match &s.work {
            Work::Cpu(cpu) => cpu.modes.len(),
            Work::Async(w) => w.strategies.len(),
            Work::Program(_) => unreachable!("no preset is a program"),
        };
        for lang in Lang::ALL {
            let got = snippets(&s, lang);
            assert_eq!(got.len(), expected, "{lang:?}: count for {:?}", s.work);
            for snip in got {
                assert!(
                    snip.code.lines().count() >= 2,
                    "{lang:?} {:?}: too short:\n{}",
                    snip.title,
                    snip.code
                );
            }
        }
    }
}

#[test]
fn the_default_experiment_stays_short_and_clean() {
    let s = Experiment::WhenAll.scenario();
    for lang in Lang::ALL {
        let all = code(&s, lang);
        for noise in [
            "try", "catch", "except", "Random", "random", "timeout", "Err(",
        ] {
            assert!(
                !all.contains(noise),
                "{lang:?}: nothing fails or times out in A, yet {noise:?}:\n{all}"
            );
        }
        assert!(
            all.lines().count() < 40,
            "{lang:?}: A should fit on a screen:\n{all}"
        );
    }
}

#[test]
fn the_retries_preset_shows_attempts_delay_and_exponential_backoff_in_every_language() {
    let s = Experiment::Retries.scenario();
    for lang in Lang::ALL {
        let all = code(&s, lang);
        for want in ["3", "200", "exponential"] {
            assert!(
                all.to_lowercase().contains(want),
                "{lang:?}: retries lack {want}:\n{all}"
            );
        }
        assert!(
            all.contains("2 and 4"),
            "{lang:?}: failing calls, 1-based:\n{all}"
        );
    }
}

#[test]
fn the_timeouts_preset_shows_the_attempt_timeout_and_the_group_deadline_in_every_language() {
    let s = Experiment::Timeouts.scenario();
    let markers = [
        (Lang::CSharp, ["WaitAsync", "CancelAfter"]),
        (
            Lang::JavaScript,
            ["AbortSignal.timeout(2000)", "AbortSignal.timeout(2500)"],
        ),
        (Lang::Python, ["asyncio.wait_for", "asyncio.timeout"]),
        (
            Lang::Rust,
            ["timeout(Duration::from_millis(2000)", "from_millis(2500)"],
        ),
    ];
    for (lang, idioms) in markers {
        let all = code(&s, lang);
        for want in ["2000", "2500"].iter().chain(idioms.iter()) {
            assert!(all.contains(want), "{lang:?}: timeouts lack {want}:\n{all}");
        }
    }
}

#[test]
fn the_throttle_preset_limits_to_ten_in_every_language() {
    let s = Experiment::Throttle.scenario();
    let cs = code(&s, Lang::CSharp);
    assert!(cs.contains("SemaphoreSlim(10)"), "C#:\n{cs}");
    let idioms = [
        (Lang::JavaScript, "{ length: 10 }"),
        (Lang::Python, "Semaphore(10)"),
        (Lang::Rust, "buffer_unordered(10)"),
    ];
    for (lang, want) in idioms {
        let all = code(&s, lang);
        assert!(all.contains(want), "{lang:?}: lacks {want}:\n{all}");
    }
}

#[test]
fn large_counts_are_looped_not_unrolled() {
    let s = Experiment::Throttle.scenario();
    for lang in Lang::ALL {
        for snip in snippets(&s, lang) {
            assert!(
                snip.code.lines().count() <= 40,
                "{lang:?} {:?}: 1000 calls must be a loop:\n{}",
                snip.title,
                snip.code
            );
            assert!(
                snip.code.matches("100").count() < 10,
                "{lang:?}: unrolled?\n{}",
                snip.code
            );
        }
    }
}

#[test]
fn snippets_stay_short_enough_to_read() {
    for s in every_scenario() {
        for lang in Lang::ALL {
            for snip in snippets(&s, lang) {
                let limit = if snip.title == SETUP { 60 } else { 45 };
                assert!(
                    snip.code.lines().count() <= limit,
                    "{lang:?} {:?} has {} lines:\n{}",
                    snip.title,
                    snip.code.lines().count(),
                    snip.code
                );
            }
        }
    }
}

#[test]
fn a_long_duration_list_is_declared_once_in_the_setup() {
    let s = Scenario {
        experiment: Experiment::WhenAllMixed,
        work: Work::Async(AsyncWork {
            workload: Workload::Custom((0..40).map(|i| 100 + i * 7).collect()),
            ..Experiment::WhenAllMixed.async_work().unwrap()
        }),
    };
    for lang in Lang::ALL {
        let got = snippets(&s, lang);
        assert!(
            got[0].code.contains("373"),
            "{lang:?}: the list is in the setup"
        );
        for snip in &got[1..] {
            assert!(
                !snip.code.contains("373"),
                "{lang:?}: not repeated:\n{}",
                snip.code
            );
        }
    }
}

#[test]
fn repeated_durations_are_written_as_repetitions() {
    let s = Experiment::Purchases.scenario();
    let want = [
        (Lang::CSharp, "Enumerable.Repeat(1000, 10)"),
        (Lang::JavaScript, "Array(10).fill(1000)"),
        (Lang::Python, "[1000] * 10"),
        (Lang::Rust, "vec![1000; 10]"),
    ];
    for (lang, w) in want {
        let all = code(&s, lang);
        assert!(all.contains(w), "{lang:?} lacks {w}:\n{all}");
    }
}

#[test]
fn stepped_calls_wait_each_step_with_its_label() {
    let s = Experiment::ThrottleSteps.scenario();
    for lang in Lang::ALL {
        let setup = &snippets(&s, lang)[0].code;
        assert!(
            setup.contains("fetch") && setup.contains("process"),
            "{lang:?}: step labels:\n{setup}"
        );
        assert!(
            setup.contains("100") || setup.contains("0.1"),
            "{lang:?}: fetch wait:\n{setup}"
        );
    }
}

#[test]
fn the_primes_preset_uses_parallel_for_in_csharp_and_rayon_in_rust() {
    let s = Experiment::Primes.scenario();
    let cs = code(&s, Lang::CSharp);
    assert!(
        cs.contains("Parallel.For") || cs.contains("Parallel.ForEach(Partitioner"),
        "C#:\n{cs}"
    );
    assert!(
        cs.contains("5_000_000") || cs.contains("5000000"),
        "C# limit:\n{cs}"
    );
    let rs = code(&s, Lang::Rust);
    assert!(
        rs.contains("par_iter") || rs.contains("into_par_iter"),
        "Rust:\n{rs}"
    );
    let py = code(&s, Lang::Python);
    assert!(py.contains("ProcessPoolExecutor"), "Python:\n{py}");
    let js = code(&s, Lang::JavaScript);
    assert!(js.contains("new Worker"), "JavaScript:\n{js}");
}

#[test]
fn no_snippet_contains_placeholders_or_nan() {
    for s in every_scenario() {
        for lang in Lang::ALL {
            for snip in snippets(&s, lang) {
                for bad in ["TODO", "unimplemented", "NaN", "unreachable"] {
                    assert!(
                        !snip.code.contains(bad),
                        "{lang:?} {:?} contains {bad}:\n{}",
                        snip.title,
                        snip.code
                    );
                }
            }
        }
    }
}

#[test]
fn generated_code_has_balanced_brackets_in_every_language() {
    for s in every_scenario() {
        for lang in Lang::ALL {
            for snip in snippets(&s, lang) {
                assert_eq!(
                    unbalanced(&snip.code, lang),
                    None,
                    "{lang:?} {:?}:\n{}",
                    snip.title,
                    snip.code
                );
            }
        }
    }
}

#[test]
fn no_generated_code_adds_to_a_shared_total_across_an_await() {
    for s in every_scenario() {
        for lang in Lang::ALL {
            for snip in snippets(&s, lang) {
                assert!(
                    !snip.code.contains("+= await"),
                    "{lang:?} {:?}: the read happens before the await, so updates are lost:\n{}",
                    snip.title,
                    snip.code
                );
            }
        }
    }
}

#[test]
fn the_bracket_checker_catches_what_it_should() {
    assert_eq!(unbalanced("f(a[1], \"(\") // )", Lang::Rust), None);
    assert_eq!(unbalanced("x = '(' # )", Lang::Python), None);
    assert!(unbalanced("f(a]", Lang::JavaScript).is_some());
    assert!(unbalanced("{", Lang::CSharp).is_some());
}

/// Where [`every_preset_writes_the_code_of_its_snapshot_in_every_language`] keeps the text.
const PRESETS_SNAPSHOT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/codegen/presets.txt"
);

/// Every snippet of every preset in every language, headed by what it is; the CPU presets
/// also as the page writes them, with "auto" workers resolved to 4 cores.
fn presets_text() -> String {
    let mut cases: Vec<(String, Scenario)> = Vec::new();
    for e in Experiment::ALL {
        let s = e.scenario();
        if let Some(cpu) = s.cpu() {
            let resolved = Scenario {
                work: Work::Cpu(cpu.resolved(4)),
                ..s.clone()
            };
            cases.push((format!("{e:?}"), s));
            cases.push((format!("{e:?}, 4 cores"), resolved));
        } else {
            cases.push((format!("{e:?}"), s));
        }
    }
    let mut out = String::new();
    for (name, s) in &cases {
        for lang in Lang::ALL {
            for snip in snippets(s, lang) {
                out.push_str(&format!(
                    "==== {name} / {} / {}\n{}\n",
                    lang.title(),
                    snip.title,
                    snip.code
                ));
            }
        }
    }
    out
}

/// The generated text changes only on purpose: after such a change, rewrite the snapshot
/// with `UPDATE_SNAPSHOTS=1 cargo test --lib codegen` and review its diff.
#[test]
fn every_preset_writes_the_code_of_its_snapshot_in_every_language() {
    let got = presets_text();
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(PRESETS_SNAPSHOT, &got).expect("the snapshot is written");
    }
    let want = std::fs::read_to_string(PRESETS_SNAPSHOT).expect("the snapshot is there");
    if let Some((i, (g, w))) = got
        .lines()
        .zip(want.lines())
        .enumerate()
        .find(|(_, (g, w))| g != w)
    {
        panic!(
            "line {} differs from {PRESETS_SNAPSHOT}:\n got: {g}\nwant: {w}",
            i + 1
        );
    }
    assert_eq!(
        got.len(),
        want.len(),
        "same lines as {PRESETS_SNAPSHOT}, but not the same length"
    );
}

#[test]
fn experiment_a_in_csharp_uses_when_all_with_its_numbers_and_follows_the_workload() {
    let mut s = Experiment::WhenAll.scenario();
    let cs = code(&s, Lang::CSharp);
    for want in ["Task.WhenAll", "500", "10"] {
        assert!(cs.contains(want), "experiment A in C# lacks {want}:\n{cs}");
    }
    if let Work::Async(w) = &mut s.work {
        w.workload = Workload::Uniform {
            count: 7,
            duration_ms: 250,
        };
    }
    let cs = code(&s, Lang::CSharp);
    assert!(cs.contains("250") && cs.contains('7'), "7 × 250 ms:\n{cs}");
    assert!(!cs.contains("500"), "the old 500 ms is gone:\n{cs}");
}

#[test]
fn the_when_any_preset_in_csharp_uses_when_any_over_the_listed_durations() {
    let cs = code(&Experiment::WhenAny.scenario(), Lang::CSharp);
    assert!(cs.contains("Task.WhenAny"), "no Task.WhenAny:\n{cs}");
    assert!(cs.contains("2000, 3000, 1000"), "no duration list:\n{cs}");
    assert!(
        cs.contains("cts.Cancel()"),
        "the cancelling variant cancels:\n{cs}"
    );
}

#[test]
fn the_invoke_preset_is_parallel_invoke_in_csharp() {
    let cs = code(&Experiment::Invoke.scenario(), Lang::CSharp);
    assert!(
        cs.contains("Parallel.Invoke(() => Work(1000), () => Work(500), () => Work(2000))"),
        "C#:\n{cs}"
    );
}

#[test]
fn python_blocks_are_indented_under_their_headers() {
    for s in every_scenario() {
        for snip in snippets(&s, Lang::Python) {
            let lines: Vec<&str> = snip.code.lines().filter(|l| !l.trim().is_empty()).collect();
            let indent = |l: &str| l.len() - l.trim_start().len();
            for (i, line) in lines.iter().enumerate() {
                assert_eq!(indent(line) % 4, 0, "{:?}: odd indent {line:?}", snip.title);
                let code = line.split("  #").next().unwrap_or(line).trim_end();
                if code.ends_with(':') && !code.trim_start().starts_with('#') {
                    let next = lines.get(i + 1).copied().unwrap_or("");
                    assert_eq!(
                        indent(next),
                        indent(line) + 4,
                        "{:?}: the block under {line:?} is not indented:\n{}",
                        snip.title,
                        snip.code
                    );
                }
            }
        }
    }
}

#[test]
fn a_program_s_code_is_written_from_the_program_in_every_language() {
    use crate::model::scenario::{Experiment, ProgramCode, Scenario, Work};
    let program = |code: String| Scenario {
        experiment: Experiment::WhenAll,
        work: Work::Program(ProgramCode {
            code,
            from_preset: false,
        }),
    };
    let s = program(crate::lang::link::encode(
        "const r = await Promise.all([call(\"a\", 200), call(\"b\", 300)]);\nconsole.log(r);\n",
    ));
    for (lang, expect) in [
        (Lang::CSharp, "Task.WhenAll"),
        (Lang::JavaScript, "Promise.all"),
        (Lang::Python, "asyncio.gather"),
        (Lang::Rust, "try_join_all"),
    ] {
        let got = snippets(&s, lang);
        assert_eq!(got.len(), 1, "{lang:?}");
        assert_eq!(got[0].title, "Your program");
        assert!(got[0].code.contains(expect), "{lang:?}: {}", got[0].code);
    }
    // The empty value is the starter program; a program that cannot run says why.
    assert!(snippets(&program(String::new()), Lang::Python)[0]
        .code
        .contains("asyncio"));
    let bad = snippets(&program(crate::lang::link::encode("const = ;")), Lang::Rust);
    assert!(
        bad[0]
            .code
            .starts_with("// The program cannot be written out"),
        "{}",
        bad[0].code
    );
}
