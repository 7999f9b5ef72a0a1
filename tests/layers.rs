//! The layering, checked on the sources: each workspace crate depends only on the crates below
//! it (wire → net → engine → checks → report → binary), and inside a crate no two modules
//! import each other, directly or through others.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers from the bottom; a crate may depend on those before it. `message` is the
/// vocabulary of what the program says (ids and arguments), `knowledge` is data, `catalog`
/// renders messages (the report layer's, kept low so checks' tests can render too).
const LAYERS: &[&str] = &[
    "message",
    "wire",
    "knowledge",
    "catalog",
    "net",
    "engine",
    "checks",
    "report",
];

/// Dependencies that would break a layer's contract even though they point down: the engine
/// knows no network (its sources and settings come through its `Model`).
const FORBIDDEN: &[(&str, &str)] = &[
    ("engine", "net"),
    ("engine", "wire"),
    ("engine", "knowledge"),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `a::b` for `src/a/b.rs` or `src/a/b/mod.rs`; `` for the crate root.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts.join("::")
}

/// Source without `#[cfg(test)] mod tests { … }` (tests may reach anywhere in their crate).
fn non_test(text: &str) -> &str {
    match text.find("#[cfg(test)]\nmod tests {") {
        Some(i) => &text[..i],
        None => text,
    }
}

/// The code without `//` comments (doc links name modules without importing them). A `//`
/// inside a string literal cuts the rest of that line too, which only drops references.
fn without_comments(text: &str) -> String {
    text.lines()
        .map(|l| l.split_once("//").map_or(l, |(code, _)| code))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Paths after `crate::` and `super::` (resolved), as module-path candidates.
fn references(module: &str, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let path_at = |rest: &str| -> String {
        rest.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
            .collect::<String>()
            .trim_end_matches(':')
            .to_string()
    };
    for (i, _) in text.match_indices("crate::") {
        out.push(path_at(&text[i + 7..]));
    }
    let parent = module.rsplit_once("::").map_or("", |(p, _)| p);
    for (i, _) in text.match_indices("super::") {
        if text[..i].ends_with("super::") {
            continue; // super::super:: is rare and resolved by its inner part below
        }
        let p = path_at(&text[i + 7..]);
        out.push(if parent.is_empty() {
            p
        } else {
            format!("{parent}::{p}")
        });
    }
    out
}

fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeMap<String, PathBuf> = files
        .iter()
        .map(|f| (module_of(src, f), f.clone()))
        .collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, f) in &modules {
        let edges = graph.entry(m.clone()).or_default();
        if m.ends_with("tests") {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap();
        for r in references(m, &without_comments(non_test(&text))) {
            let parts: Vec<&str> = r.split("::").collect();
            // The longest prefix that is a module; a module's use of its own descendants or of
            // its ancestors' re-exports is not an edge between siblings.
            for n in (1..=parts.len()).rev() {
                let cand = parts[..n].join("::");
                if modules.contains_key(&cand) {
                    let nested =
                        m.starts_with(&format!("{cand}::")) || cand.starts_with(&format!("{m}::"));
                    if cand != *m && !nested {
                        edges.insert(cand);
                    }
                    break;
                }
            }
        }
    }
    graph
}

/// A cycle in the graph, if any (depth-first search).
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for m in graph.get(n).into_iter().flatten() {
            match state.get(m.as_str()).copied().unwrap_or(0) {
                0 => {
                    if let Some(c) = visit(m, graph, state, stack) {
                        return Some(c);
                    }
                }
                1 => {
                    let from = stack.iter().position(|s| s == m).unwrap();
                    let mut c = stack[from..].to_vec();
                    c.push(m.clone());
                    return Some(c);
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in graph.keys() {
        if state.get(n.as_str()).copied().unwrap_or(0) == 0 {
            if let Some(c) = visit(n, graph, &mut state, &mut Vec::new()) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn crates_depend_only_on_layers_below() {
    for (i, name) in LAYERS.iter().enumerate() {
        let manifest = root().join("crates").join(name).join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest).unwrap();
        let deps = text
            .split("[dependencies]")
            .nth(1)
            .unwrap_or("")
            .split("\n[")
            .next()
            .unwrap_or("");
        for (j, other) in LAYERS.iter().enumerate() {
            let uses = deps.lines().any(|l| {
                l.trim_start()
                    .starts_with(&format!("kms-preflight-{other}"))
            });
            assert!(
                !uses || j < i,
                "{name} depends on {other}, which is not below it: {}",
                manifest.display()
            );
        }
    }
    for (name, other) in FORBIDDEN {
        let text =
            std::fs::read_to_string(root().join("crates").join(name).join("Cargo.toml")).unwrap();
        assert!(
            !text.contains(&format!("kms-preflight-{other}")),
            "{name} must not depend on {other}"
        );
    }
    let wire = std::fs::read_to_string(root().join("crates/wire/Cargo.toml")).unwrap();
    for banned in ["tokio", "hickory", "socket2"] {
        assert!(
            !wire.contains(banned),
            "the wire crate must stay pure: {banned}"
        );
    }
}

#[test]
fn no_module_cycle_inside_any_crate() {
    let mut srcs: Vec<PathBuf> = LAYERS
        .iter()
        .map(|n| root().join("crates").join(n).join("src"))
        .collect();
    srcs.push(root().join("src"));
    for src in srcs {
        let graph = module_graph(&src);
        // A sanity check of the parser: every crate but these single-file ones has modules.
        let single = ["knowledge", "message", "catalog"]
            .iter()
            .any(|c| src.ends_with(format!("crates/{c}/src")));
        assert!(
            graph.len() > 1 || single,
            "{}: no modules found",
            src.display()
        );
        if let Some(c) = find_cycle(&graph) {
            panic!(
                "{}: modules import each other: {}",
                src.display(),
                c.join(" → ")
            );
        }
    }
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    g.insert("a".into(), ["b".to_string()].into());
    g.insert("b".into(), ["c".to_string()].into());
    g.insert("c".into(), ["a".to_string()].into());
    assert_eq!(find_cycle(&g).unwrap(), ["a", "b", "c", "a"]);
    g.insert("c".into(), BTreeSet::new());
    assert!(find_cycle(&g).is_none());
    assert_eq!(
        references("x::y", "use super::z::W; crate::q::r(1)"),
        ["q::r", "x::z::W"]
    );
    assert_eq!(
        without_comments("use a; // see [`crate::b`]\n//! [`crate::c`]\nuse d;"),
        "use a; \n\nuse d;"
    );
}
