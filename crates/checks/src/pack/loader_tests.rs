//! Rule loading: valid and broken fixtures in testdata/rules, with exact locations.

use std::path::Path;

use std::time::Duration;

use kms_preflight_engine::rules::{
    parse_duration, LoadOptions, RuleError, RuleErrors, RuleSource, Severity, Vars,
};

use super::{embedded, load};

fn fixture(rel: &str) -> RuleSource {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/rules")
        .join(rel);
    RuleSource {
        name: rel.to_string(),
        text: std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        builtin: false,
    }
}

fn load_with_builtins(extra: Vec<RuleSource>) -> Result<crate::RuleSet, RuleErrors> {
    let mut sources = embedded::sources();
    sources.extend(extra);
    load(&sources, &LoadOptions::default())
}

/// The single error of a broken fixture, as "file:line:column: message".
fn only_error(rel: &str) -> RuleError {
    let errs = load_with_builtins(vec![fixture(rel)])
        .expect_err("fixture must be rejected")
        .0;
    assert_eq!(errs.len(), 1, "{rel}: {errs:?}");
    errs.into_iter().next().unwrap()
}

fn assert_at(rel: &str, line: u64, column: u64, needle: &str) {
    let e = only_error(rel);
    assert_eq!(
        (e.file.as_str(), e.line, e.column),
        (rel, line, column),
        "{e}"
    );
    let text = crate::testing::en(&e.message);
    assert!(text.contains(needle), "{e} lacks {needle:?}");
}

#[test]
fn builtin_pack_loads() {
    let set = load(&embedded::sources(), &LoadOptions::default()).unwrap();
    let ids: Vec<&str> = set.checks.iter().map(|c| c.id.as_str()).collect();
    assert!(
        ids.contains(&"srv.present") && ids.contains(&"tcp.port"),
        "{ids:?}"
    );
    assert_eq!(set.vars.get("port").map(String::as_str), Some("1688"));
}

#[test]
fn valid_user_file_adds_and_replaces() {
    let set = load_with_builtins(vec![fixture("valid/custom.yaml")]).unwrap();
    let srv = set.checks.iter().find(|c| c.id == "srv.present").unwrap();
    assert_eq!(srv.title, "KMS SRV record (site zone)");
    assert_eq!(srv.file, "valid/custom.yaml");
    let pos = set
        .checks
        .iter()
        .position(|c| c.id == "srv.present")
        .unwrap();
    assert_eq!(pos, 0, "a replaced check keeps the built-in's place");
    let alt = set.checks.iter().find(|c| c.id == "tcp.alt-port").unwrap();
    assert_eq!(alt.timeout, Duration::from_millis(1500));
    assert_eq!(alt.severity, Severity::Warn);
    assert_eq!(alt.scope.name(), "each-host");
    assert_eq!(alt.requires, ["resolve.host"]);
    assert_eq!(alt.explains, ["0xC004F074"]);
    assert_eq!(set.vars.get("alt_port").map(String::as_str), Some("1689"));
}

#[test]
fn cli_vars_override_file_vars() {
    let mut cli_vars = Vars::new();
    cli_vars.insert("port".into(), "1700".into());
    let set = load(&embedded::sources(), &LoadOptions { cli_vars }).unwrap();
    assert_eq!(set.vars["port"], "1700");
}

#[test]
fn broken_fixtures_name_file_line_column() {
    assert_at("broken/unknown-key.yaml", 6, 5, "unknown field `prot`");
    assert_at(
        "broken/unknown-kind.yaml",
        4,
        11,
        "unknown check kind 'telnet'",
    );
    assert_at(
        "broken/duplicate-id.yaml",
        5,
        9,
        "duplicate check id 'same'",
    );
    assert_at(
        "broken/bad-duration.yaml",
        5,
        14,
        "invalid duration '3 fortnights'",
    );
    assert_at(
        "broken/undefined-var.yaml",
        7,
        24,
        "undefined variable '{{domian}}'",
    );
    assert_at("broken/bad-port.yaml", 5, 11, "not a TCP port number");
    assert_at(
        "broken/bad-expect-key.yaml",
        7,
        7,
        "unknown field `max_records`",
    );
    assert_at("broken/cycle.yaml", 8, 16, "cycle: a -> b -> a");
    assert_at("broken/no-version.yaml", 1, 1, "missing 'version: 1'");
    assert_at("broken/syntax.yaml", 5, 4, "");
    assert_at("broken/missing-kind.yaml", 3, 5, "has no 'kind'");
    assert_at(
        "broken/scope-order.yaml",
        7,
        16,
        "cannot require 'host.check'",
    );
}

#[test]
fn two_user_files_may_not_define_one_id() {
    let a = RuleSource {
        name: "a.yaml".into(),
        text: "version: 1\nchecks:\n  - id: x\n    kind: tcp\n".into(),
        builtin: false,
    };
    let b = RuleSource {
        name: "b.yaml".into(),
        text: "version: 1\nchecks:\n  - id: x\n    kind: tcp\n".into(),
        builtin: false,
    };
    let errs = load(&[a, b], &LoadOptions::default()).unwrap_err().0;
    assert_eq!(
        errs[0].to_string(),
        "b.yaml:3:9: duplicate check id 'x' (already defined at a.yaml:3)"
    );
}

#[test]
fn several_errors_are_all_reported_in_order() {
    let src = RuleSource {
        name: "m.yaml".into(),
        text: "version: 1\nchecks:\n  - id: t\n    kind: tcp\n    timeout: 0s\n    explains: [C004F074]\n    requires: [nope]\n".into(),
        builtin: false,
    };
    let errs = load(&[src], &LoadOptions::default()).unwrap_err().0;
    let lines: Vec<String> = errs
        .iter()
        .map(|e| format!("{}:{}", e.line, e.column))
        .collect();
    assert_eq!(lines, ["5:14", "6:16", "7:16"], "{errs:?}");
}

#[test]
fn other_versions_and_runtime_vars_are_rejected() {
    let v2 = RuleSource {
        name: "v.yaml".into(),
        text: "version: 2\nchecks: []\n".into(),
        builtin: false,
    };
    assert!(load(&[v2], &LoadOptions::default())
        .unwrap_err()
        .to_string()
        .contains("v.yaml:1:10: unsupported rules version 2"));
    let host = RuleSource {
        name: "h.yaml".into(),
        text: "version: 1\nvars:\n  host: x\nchecks: []\n".into(),
        builtin: false,
    };
    assert!(load(&[host], &LoadOptions::default())
        .unwrap_err()
        .to_string()
        .contains("cannot be defined in a rule file"));
}

#[test]
fn durations() {
    assert_eq!(
        parse_duration("1500ms").unwrap(),
        Duration::from_millis(1500)
    );
    assert_eq!(parse_duration("1m30s").unwrap(), Duration::from_secs(90));
    assert!(parse_duration("0s").is_err());
    assert!(parse_duration("2days").is_err());
    assert!(parse_duration("soon").is_err());
}

/// Mutated rule files must give errors or rule sets, never a panic (bounded, deterministic).
#[test]
fn mutated_rule_files_never_panic() {
    let base = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/rules/valid/custom.yaml"),
    )
    .unwrap();
    let bytes = base.as_bytes();
    let alphabet = b" :-[]{}\"'\n\t#&*!|>%@`0123456789abcxyz{{}}";
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..3000 {
        let mut m = bytes.to_vec();
        for _ in 0..(next() % 4 + 1) {
            let pos = (next() as usize) % m.len();
            match next() % 3 {
                0 => m[pos] = alphabet[(next() as usize) % alphabet.len()],
                1 => {
                    m.remove(pos);
                }
                _ => m.insert(pos, alphabet[(next() as usize) % alphabet.len()]),
            }
        }
        let text = String::from_utf8_lossy(&m).into_owned();
        let src = RuleSource {
            name: "fuzz.yaml".into(),
            text,
            builtin: false,
        };
        let _ = load(&[src], &LoadOptions::default());
    }
}

/// What a load gave, comparable: each check's id, kind, file, line and timeout, the vars; or
/// the errors.
fn summary(r: Result<crate::RuleSet, RuleErrors>) -> Result<(Vec<String>, Vars), Vec<RuleError>> {
    r.map(|set| {
        let checks = set
            .checks
            .iter()
            .map(|c| format!("{} {} {}:{} {:?}", c.id, c.kind, c.file, c.line, c.timeout))
            .collect();
        (checks, set.vars)
    })
    .map_err(|e| e.0)
}

#[test]
fn loading_behind_the_parsed_pack_is_loading_everything() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/rules");
    let pack = super::parse(&embedded::sources()).expect("the pack parses");
    let mut seen = 0;
    for sub in ["valid", "broken"] {
        let mut files: Vec<_> = std::fs::read_dir(dir.join(sub))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
        files.sort();
        for f in files {
            let rel = format!("{sub}/{}", f.file_name().unwrap().to_string_lossy());
            let whole = summary(load_with_builtins(vec![fixture(&rel)]));
            let behind = summary(super::load_behind(
                &pack,
                &[fixture(&rel)],
                &LoadOptions::default(),
            ));
            assert_eq!(whole, behind, "{rel}");
            seen += 1;
        }
    }
    assert!(seen > 10, "{seen} fixtures");
}
