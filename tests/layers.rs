//! The folders follow the data path, and a lower layer never uses a higher one: this reads every
//! source file under `src/` (the binaries aside) and checks the `crate::` paths in its code
//! (comments aside) against the order written in `src/lib.rs`, and that no files use each other
//! in a circle.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The top-level modules, lowest first: each may use only itself and the ones before it.
const LAYERS: &[&str] = &[
    "units",
    "cpu",
    "model",
    "trace",
    "engine",
    "lang",
    "chart",
    "markup",
    "codegen",
    "code_request",
    "on_demand",
    "web",
];

/// Every `.rs` file under `dir`, binaries aside.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "bin") {
                sources(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/trace/results.rs` -> `trace::results`; `src/cpu/mod.rs` -> `cpu`; `src/lib.rs` -> ``.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file
        .strip_prefix(src)
        .expect("under src/")
        .with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts.join("::")
}

/// The module a `crate::a::b::Item` path names: its longest prefix that is a module file.
fn target_of(path: &str, modules: &BTreeSet<String>) -> Option<String> {
    let segments: Vec<&str> = path.split("::").collect();
    (1..=segments.len())
        .rev()
        .map(|n| segments[..n].join("::"))
        .find(|m| modules.contains(m))
}

/// The `crate::…` paths in a file's code, comments left out.
fn crate_paths(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let path: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            out.push(path.trim_end_matches(':').to_string());
            rest = after;
        }
    }
    out
}

fn layer(module: &str) -> usize {
    let top = module.split("::").next().unwrap_or("");
    LAYERS
        .iter()
        .position(|l| *l == top)
        .unwrap_or_else(|| panic!("`{top}` is not in LAYERS: put it in its place in the order"))
}

/// Each module file and the other module files its code uses.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(&src, f)).collect();
    let mut uses = BTreeMap::new();
    for file in &files {
        let module = module_of(&src, file);
        let text = std::fs::read_to_string(file).expect("a readable source file");
        let targets: BTreeSet<String> = crate_paths(&text)
            .iter()
            .filter_map(|p| target_of(p, &modules))
            .filter(|t| *t != module && !t.is_empty())
            .collect();
        uses.insert(module, targets);
    }
    uses
}

#[test]
fn no_module_uses_a_module_of_a_higher_layer() {
    let mut wrong = Vec::new();
    for (module, targets) in graph() {
        if module.is_empty() {
            continue;
        }
        for t in targets {
            if layer(&t) > layer(&module) {
                wrong.push(format!("{module} uses {t}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "lower layers use higher ones:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_files_use_each_other_in_a_circle() {
    let uses = graph();
    // Depth-first search; a module met again while still on the path closes a circle.
    fn visit(
        m: &str,
        uses: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == m) {
            let mut circle = path[at..].to_vec();
            circle.push(m.to_string());
            return Some(circle);
        }
        if done.contains(m) {
            return None;
        }
        path.push(m.to_string());
        for t in uses.get(m).into_iter().flatten() {
            if let Some(c) = visit(t, uses, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(m.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for m in uses.keys() {
        if let Some(circle) = visit(m, &uses, &mut Vec::new(), &mut done) {
            panic!("a circle: {}", circle.join(" -> "));
        }
    }
}

#[test]
fn the_checker_sees_paths_in_code_and_not_in_comments() {
    let text = "use crate::trace::Trace; // see crate::web\n/// [`crate::engine`]\nlet x = crate::units::fmt_ms(1.0);";
    assert_eq!(crate_paths(text), vec!["trace::Trace", "units::fmt_ms"]);
}

#[test]
fn the_graph_holds_the_uses_it_should() {
    let g = graph();
    assert!(g["cpu"].contains("cpu::kernels"), "{:?}", g["cpu"]);
    assert!(g["engine"].contains("trace::results"), "{:?}", g["engine"]);
    assert!(
        g["model::scenario"].contains("cpu"),
        "{:?}",
        g["model::scenario"]
    );
    assert!(g["cpu::kernels"].contains("cpu::partition"));
    assert!(!g["cpu::partition"].contains("cpu::kernels"));
}
