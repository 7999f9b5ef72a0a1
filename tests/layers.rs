//! The layering, checked on the sources: each workspace crate depends only on the crates below
//! it (wire → knowledge → client → net → engine → checks → report → binary), and inside a crate
//! no two modules import each other, directly or through others. Network I/O happens in `net`
//! only: no crate above it declares hickory-resolver, hickory-net, surge-ping, socket2 or
//! tokio's "net".

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers from the bottom; a crate may depend on those before it. `message` is the
/// vocabulary of what the program says (ids and arguments), `knowledge` is data, `client` is
/// the pure reading of a Windows client's own output (no I/O), `catalog` renders messages (the
/// report layer's, kept low so checks' tests can render too).
const LAYERS: &[&str] = &[
    "message",
    "wire",
    "knowledge",
    "client",
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

/// Crates that do network I/O themselves. Only `net` (and the binary) may depend on them.
const IO_CRATES: &[&str] = &["hickory-resolver", "hickory-net", "surge-ping", "socket2"];

/// A dependency as a manifest declares it: the package, whether it inherits the workspace's
/// declaration, and the features it adds.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Dep {
    /// The key it is declared under (the package unless renamed).
    name: String,
    package: String,
    workspace: bool,
    features: Vec<String>,
}

/// `key = value` entries of each `[section]` of a Cargo manifest, with values that span lines
/// (arrays, inline tables) joined, and `[section.name]` tables folded into one inline value
/// under `section` (enough TOML for Cargo.toml files; the test has no TOML crate).
fn manifest_sections(text: &str) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = Vec::new();
    let mut section = String::new();
    let mut pending: Option<(String, String)> = None;
    let depth = |v: &str| -> i32 {
        v.chars()
            .map(|c| match c {
                '[' | '{' => 1,
                ']' | '}' => -1,
                _ => 0,
            })
            .sum()
    };
    for raw in text.lines() {
        let line = raw.split_once(" #").map_or(raw, |(a, _)| a).trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some((k, mut v)) = pending.take() {
            v.push(' ');
            v.push_str(line);
            if depth(&v) > 0 {
                pending = Some((k, v));
            } else {
                out.push((section.clone(), k, v));
            }
            continue;
        }
        if line.starts_with('[') && !line.contains('=') {
            section = line
                .trim_matches(|c| c == '[' || c == ']')
                .trim()
                .to_string();
            continue;
        }
        if let Some((k, v)) = line.split_once('=') {
            let (k, v) = (k.trim().to_string(), v.trim().to_string());
            if depth(&v) > 0 {
                pending = Some((k, v));
            } else {
                out.push((section.clone(), k, v));
            }
        }
    }
    out
}

/// The quoted strings in a value (`["a", "b"]` → a, b).
fn strings(v: &str) -> Vec<String> {
    v.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// The value of `key` inside an inline table `{ a = 1, key = [..] }`, if any.
fn inline_value(v: &str, key: &str) -> Option<String> {
    let body = v.trim().strip_prefix('{')?.strip_suffix('}')?;
    let mut depth = 0;
    let mut start = 0;
    let mut parts = Vec::new();
    for (i, c) in body.char_indices() {
        match c {
            '[' | '{' => depth += 1,
            ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&body[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&body[start..]);
    parts.into_iter().find_map(|p| {
        let (k, val) = p.split_once('=')?;
        (k.trim() == key).then(|| val.trim().to_string())
    })
}

/// Is this section one whose dependencies end up in the crate's own build (normal, build,
/// and per-target ones)? Dev-dependencies only reach the crate's tests.
fn is_dependency_section(section: &str) -> bool {
    let last = section.rsplit_once('.').map_or(section, |(_, l)| l);
    let table = section.split('.').next().unwrap_or("");
    matches!(last, "dependencies" | "build-dependencies")
        || (matches!(table, "dependencies" | "build-dependencies") && section.contains('.'))
        || (section.starts_with("target.")
            && (section.contains(".dependencies.") || section.contains(".build-dependencies.")))
}

/// The dependencies a manifest declares in the given kind of section.
fn declared_deps(text: &str, wanted: impl Fn(&str) -> bool) -> Vec<Dep> {
    let mut deps: Vec<(String, Dep)> = Vec::new();
    for (section, key, value) in manifest_sections(text) {
        if !wanted(&section) {
            continue;
        }
        // `[dependencies.tokio]` + `features = [..]`: the table names the dependency.
        let table_dep = ["dependencies.", "build-dependencies."]
            .iter()
            .find_map(|p| section.split_once(p).map(|(_, name)| name.to_string()))
            .filter(|n| !n.contains('.'));
        let (name, field, value) = match &table_dep {
            Some(n) => (n.clone(), Some(key.clone()), value.clone()),
            None => match key.split_once('.') {
                Some((n, f)) => (n.trim().to_string(), Some(f.trim().to_string()), value),
                None => (key.clone(), None, value),
            },
        };
        let name = name.trim_matches('"').to_string();
        let id = format!("{section}|{}", table_dep.as_deref().unwrap_or(&name));
        let pos = deps.iter().position(|d| d.0 == id).unwrap_or_else(|| {
            deps.push((
                id.clone(),
                Dep {
                    name: name.clone(),
                    package: name.clone(),
                    workspace: false,
                    features: Vec::new(),
                },
            ));
            deps.len() - 1
        });
        let d = &mut deps[pos].1;
        let mut apply = |f: &str, v: &str| match f {
            "package" => d.package = strings(v).into_iter().next().unwrap_or_default(),
            "workspace" => d.workspace = v.trim() == "true",
            "features" => d.features.extend(strings(v)),
            _ => {}
        };
        match field {
            Some(f) => apply(&f, &value),
            None if value.trim_start().starts_with('{') => {
                for f in ["package", "workspace", "features"] {
                    if let Some(v) = inline_value(&value, f) {
                        apply(f, &v);
                    }
                }
            }
            None => {} // `name = "1.2"`: a version, no features
        }
    }
    deps.into_iter().map(|d| d.1).collect()
}

/// What a crate's manifest pulls in that does network I/O: the banned crates, and tokio with
/// its "net" feature (directly, through "full", through the workspace declaration it inherits,
/// or through one of its own `[features]`).
fn io_dependencies(manifest: &str, workspace_manifest: &str) -> Vec<String> {
    let workspace = declared_deps(workspace_manifest, |s| s == "workspace.dependencies");
    let mut found = Vec::new();
    for d in declared_deps(manifest, is_dependency_section) {
        let mut package = d.package.clone();
        let mut features = d.features.clone();
        if d.workspace {
            // Inherited by its key (a workspace entry may rename with `package = ".."`).
            if let Some(w) = workspace.iter().find(|w| w.name == d.name) {
                package = w.package.clone();
                features.extend(w.features.clone());
            }
        }
        if IO_CRATES.contains(&package.as_str()) {
            found.push(package.clone());
        }
        if package == "tokio" && features.iter().any(|f| f == "net" || f == "full") {
            found.push("tokio with the \"net\" feature".into());
        }
    }
    for (section, _, value) in manifest_sections(manifest) {
        if section == "features"
            && strings(&value)
                .iter()
                .any(|f| matches!(f.as_str(), "tokio/net" | "tokio?/net" | "tokio/full"))
        {
            found.push("tokio with the \"net\" feature (through [features])".into());
        }
    }
    found.sort();
    found.dedup();
    found
}

/// Every library crate above `net`: the layers after it, and any crate directory not placed
/// in [`LAYERS`] yet (a new crate is above net until it says otherwise).
fn crates_above_net() -> Vec<String> {
    let net = LAYERS.iter().position(|l| *l == "net").unwrap();
    let mut out: Vec<String> = LAYERS[net + 1..].iter().map(|s| s.to_string()).collect();
    for e in std::fs::read_dir(root().join("crates")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        if !LAYERS.contains(&name.as_str())
            && root()
                .join("crates")
                .join(&name)
                .join("Cargo.toml")
                .exists()
        {
            out.push(name);
        }
    }
    out
}

#[test]
fn no_crate_above_net_does_network_io() {
    let workspace = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let above = crates_above_net();
    assert!(above.len() >= 3, "{above:?}");
    for name in above {
        let manifest = root().join("crates").join(&name).join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest).unwrap();
        let io = io_dependencies(&text, &workspace);
        assert!(
            io.is_empty(),
            "{name} is above net but depends on {} ({}): network I/O belongs in crates/net",
            io.join(", "),
            manifest.display()
        );
    }
    // And net itself really is where it happens (the finder sees what it must).
    let net = std::fs::read_to_string(root().join("crates/net/Cargo.toml")).unwrap();
    assert!(!io_dependencies(&net, &workspace).is_empty());
}

#[test]
fn the_io_dependency_finder_finds_them() {
    let ws = "[workspace.dependencies]\ntokio = \"1.54\"\nsocket2 = { version = \"0.6\" }\n\
              tokio-full = { package = \"tokio\", version = \"1\", features = [\"full\"] }\n\
              dns = { package = \"hickory-resolver\", version = \"0.26\" }\n";
    let clean = "[package]\nname = \"x\"\n[dependencies]\nserde.workspace = true\n\
                 tokio = { workspace = true, features = [\"rt\", \"time\"] }\n\
                 [dev-dependencies]\nsocket2.workspace = true\n";
    assert!(
        io_dependencies(clean, ws).is_empty(),
        "dev-dependencies do not ship"
    );
    let cases: &[(&str, &str)] = &[
        ("[dependencies]\nsurge-ping = \"0.9\"\n", "surge-ping"),
        ("[dependencies]\nhickory-resolver.workspace = true\n", "hickory-resolver"),
        ("[dependencies]\nhickory-net = { version = \"0.26\" }\n", "hickory-net"),
        ("[target.'cfg(unix)'.dependencies]\nsocket2.workspace = true\n", "socket2"),
        ("[dependencies]\ntokio = { workspace = true, features = [\"rt\", \"net\"] }\n", "tokio"),
        ("[dependencies]\ntokio = { version = \"1\", features = [\n  \"time\",\n  \"net\",\n] }\n", "tokio"),
        ("[dependencies.tokio]\nworkspace = true\nfeatures = [\"net\"]\n", "tokio"),
        ("[dependencies]\nrt = { package = \"tokio\", version = \"1\", features = [\"full\"] }\n", "tokio"),
        ("[dependencies]\ntokio.workspace = true\n[features]\nserve = [\"tokio/net\"]\n", "tokio"),
        ("[dependencies]\ntokio-full.workspace = true\n", "tokio"),
        ("[dependencies]\ndns = { workspace = true }\n", "hickory-resolver"),
    ];
    for (manifest, what) in cases {
        let found = io_dependencies(manifest, ws);
        assert!(
            found.iter().any(|f| f.starts_with(what)),
            "missed {what} in:\n{manifest}\nfound {found:?}"
        );
    }
    // Inherited features: the workspace's own declaration turns "net" on.
    let ws_net = "[workspace.dependencies]\ntokio = { version = \"1\", features = [\"net\"] }\n";
    let found = io_dependencies("[dependencies]\ntokio.workspace = true\n", ws_net);
    assert_eq!(found, ["tokio with the \"net\" feature"]);
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
