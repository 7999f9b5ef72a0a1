//! schema/rules.schema.json is hand-written for editors (completion, validation); this test
//! keeps it honest: every rule file in the repository validates against it, known-bad checks
//! do not, and for every registered check kind the keys the schema allows are exactly the
//! keys the loader accepts (read from the loader's own "expected one of" error).
//! schema/report.v1.schema.json is generated from the report's types and tested equal to them.

use std::path::{Path, PathBuf};

use kms_preflight_checks::{pack, KIND_NAMES};
use kms_preflight_engine::rules::{LoadOptions, RuleSource};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn schema() -> Value {
    let text = std::fs::read_to_string(root().join("schema/rules.schema.json")).unwrap();
    serde_json::from_str(&text).expect("schema is JSON")
}

fn validator() -> jsonschema::Validator {
    jsonschema::draft202012::new(&schema()).expect("schema compiles")
}

fn yaml_to_json(text: &str) -> Value {
    serde_saphyr::from_str::<Value>(text).expect("YAML parses")
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

#[test]
fn every_rule_file_in_the_repository_validates() {
    let v = validator();
    let mut files = yaml_files(&root().join("rules"));
    files.extend(yaml_files(&root().join("rules/profiles")));
    files.extend(yaml_files(&root().join("tests/fixtures")));
    files.extend(yaml_files(&root().join("testdata/rules/valid")));
    assert!(files.len() >= 5, "found {files:?}");
    for f in files {
        let doc = yaml_to_json(&std::fs::read_to_string(&f).unwrap());
        let errors: Vec<String> = v
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", f.display());
    }
}

#[test]
fn schema_rejects_what_the_loader_rejects() {
    let v = validator();
    for (why, text) in [
        (
            "unknown key",
            "version: 1\nchecks:\n  - {id: a, kind: tcp, portt: 1688}\n",
        ),
        (
            "key of another kind",
            "version: 1\nchecks:\n  - {id: a, kind: tcp, expect: {min_records: 1}}\n",
        ),
        (
            "unknown kind",
            "version: 1\nchecks:\n  - {id: a, kind: smtp}\n",
        ),
        (
            "bad scope",
            "version: 1\nchecks:\n  - {id: a, kind: tcp, scope: each-planet}\n",
        ),
        (
            "bad code",
            "version: 1\nchecks:\n  - {id: a, kind: tcp, explains: [C004F074]}\n",
        ),
        (
            "port range",
            "version: 1\nchecks:\n  - {id: a, kind: tcp, port: 70000}\n",
        ),
        (
            "too many retries",
            "version: 1\nchecks:\n  - {id: a, kind: tcp, retries: 11}\n",
        ),
        (
            "bad duration",
            "version: 1\nchecks:\n  - {id: a, kind: tcp, retry_delay: soon}\n",
        ),
        (
            "no host",
            "version: 1\nchecks:\n  - {id: a, kind: retired-host}\n",
        ),
        ("no version", "checks: []\n"),
    ] {
        let doc = yaml_to_json(text);
        assert!(!v.is_valid(&doc), "schema accepted {why}: {text}");
    }
    let ok = yaml_to_json(
        "version: 1\nvars: {port: 1689}\nchecks:\n  - {id: a, kind: tcp, port: \"{{port}}\", retries: 2, retry_delay: 500ms, timeout: 3s}\n",
    );
    assert!(v.is_valid(&ok));
}

#[test]
fn schema_rejects_the_broken_fixtures_it_can_see() {
    // The other broken fixtures (cycles, duplicate ids, scope order, undefined variables,
    // YAML syntax) are semantic or not YAML at all: only the loader can tell.
    let v = validator();
    for name in [
        "bad-expect-key",
        "no-version",
        "unknown-key",
        "missing-kind",
        "unknown-kind",
        "bad-duration",
        "bad-port",
    ] {
        let path = root().join(format!("testdata/rules/broken/{name}.yaml"));
        let doc = yaml_to_json(&std::fs::read_to_string(&path).unwrap());
        assert!(!v.is_valid(&doc), "schema accepted {}", path.display());
    }
}

/// The keys the loader accepts for a kind, from its "unknown field …, expected one of …" error.
fn loader_keys(kind: &str) -> Vec<String> {
    let text =
        format!("version: 1\nchecks:\n  - id: probe\n    kind: {kind}\n    zz_not_a_key: 1\n");
    let err = pack::load(
        &[RuleSource {
            name: "probe.yaml".into(),
            text,
            builtin: false,
        }],
        &LoadOptions::default(),
    )
    .expect_err("unknown key is rejected")
    .to_string();
    let list = err
        .split("expected one of ")
        .nth(1)
        .unwrap_or_else(|| panic!("no key list in: {err}"));
    let mut keys: Vec<String> = list
        .split(',')
        .map(|k| k.trim().trim_matches('`').to_string())
        .filter(|k| !k.is_empty())
        .collect();
    keys.sort();
    keys
}

#[test]
fn schema_lists_every_kind_and_exactly_its_keys() {
    let s = schema();
    let check = &s["$defs"]["check"];
    let mut schema_kinds: Vec<&str> = check["properties"]["kind"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    schema_kinds.sort();
    let mut kinds: Vec<&str> = KIND_NAMES.to_vec();
    kinds.sort();
    assert_eq!(
        schema_kinds, kinds,
        "schema/rules.schema.json: $defs.check.properties.kind.enum must list every registered kind"
    );
    let common: Vec<String> = check["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    for kind in KIND_NAMES {
        let branch = check["allOf"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["if"]["properties"]["kind"]["const"] == *kind)
            .unwrap_or_else(|| panic!("schema has no allOf branch for kind '{kind}'"));
        let mut keys: Vec<String> = common.clone();
        if let Some(props) = branch["then"]["properties"].as_object() {
            keys.extend(props.keys().cloned());
        }
        keys.sort();
        assert_eq!(
            keys,
            loader_keys(kind),
            "schema keys of kind '{kind}' differ from what the loader accepts"
        );
    }
}

/// schema/report.v1.schema.json is generated from the report's types
/// (`kms_preflight_report::json::schema()`: the report, its results, the verdict and each kind's
/// typed evidence); this test keeps the committed file equal to them. After a change to those
/// types (a kind's evidence type, a new field) regenerate it with one command:
///
///     UPDATE_SCHEMA=1 cargo test --test rules_schema generated_report_schema
#[test]
fn generated_report_schema_is_committed() {
    let path = root().join("schema/report.v1.schema.json");
    let mut generated =
        serde_json::to_string_pretty(&kms_preflight_report::json::schema()).unwrap();
    generated.push('\n');
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap();
    assert!(
        committed == generated,
        "{} differs from the schema generated from the types; regenerate it: UPDATE_SCHEMA=1 cargo test --test rules_schema generated_report_schema",
        path.display()
    );
}

/// JSON files in `dir`, sorted.
fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("json"))
        .collect();
    out.sort();
    out
}

/// The committed (generated) report schema accepts the reports recorded from the lab: the
/// post-change pair and the verdict report (testdata/reports), and the reports of the code
/// before typed messages (testdata/reports/recorded: check in every format, profiles, the
/// activation probe, diagnose, sweep; no `message_id`). Each also reads back as a report
/// (`diff` takes it as BEFORE or AFTER). A report with an unknown status, a wrong schema
/// string or a malformed error code does not validate.
#[test]
fn recorded_reports_validate_against_the_report_schema() {
    let text = std::fs::read_to_string(root().join("schema/report.v1.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    let v = jsonschema::draft202012::new(&schema).expect("report schema compiles");
    let mut files = json_files(&root().join("testdata/reports"));
    let recorded = json_files(&root().join("testdata/reports/recorded"));
    assert!(recorded.len() >= 10, "recorded reports: {recorded:?}");
    files.extend(recorded);
    for p in &files {
        let text = std::fs::read_to_string(p).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        let errors: Vec<String> = v
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", p.display());
        let name = p.display().to_string();
        if let Err(e) = kms_preflight_report::diff::read_report(&name, &text) {
            panic!("{name} does not read back: {e:?}");
        }
        let mut bad = doc.clone();
        bad["results"][0]["status"] = "great".into();
        assert!(!v.is_valid(&bad));
        let mut bad = doc.clone();
        bad["schema"] = "kms-preflight/report/v2".into();
        assert!(!v.is_valid(&bad));
        let mut bad = doc.clone();
        bad["results"][0]["error_codes"] = serde_json::json!(["C004F074"]);
        assert!(
            !v.is_valid(&bad),
            "error codes are 0x and 8 upper-case hex digits"
        );
    }
    // What this version writes validates too, ids and arguments included.
    let written = kms_preflight_report::json::render(
        &kms_preflight_report::diff::read_report("x", &std::fs::read_to_string(&files[0]).unwrap())
            .unwrap(),
        kms_preflight_report::Lang::En,
    );
    let doc: Value = serde_json::from_str(&written).unwrap();
    assert!(doc["results"][0]["message_id"].is_string());
    assert!(v.is_valid(&doc), "{written}");
}

/// schema/config.schema.json describes `--config` files: the shipped example validates, and
/// the schema's keys are exactly the keys the loader accepts (read from its "expected one of"
/// error, as for rule kinds above).
#[test]
fn config_schema_matches_the_site_config_loader() {
    let text = std::fs::read_to_string(root().join("schema/config.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    let v = jsonschema::draft202012::new(&schema).expect("schema compiles");
    let example = std::fs::read_to_string(root().join("deploy/config/site.yaml")).unwrap();
    let doc = yaml_to_json(&example);
    let errors: Vec<String> = v.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(!v.is_valid(&serde_json::json!({"domain": ["x"]})));
    assert!(!v.is_valid(&serde_json::json!({"timeout": "soon"})));

    // The loader's own list of keys, from the binary's error for an unknown one.
    let dir = std::env::temp_dir().join(format!("kp-config-schema-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.yaml");
    std::fs::write(&bad, "no_such_key: 1\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kms-preflight"))
        .args(["check", "--config"])
        .arg(&bad)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let list = err
        .split("expected one of ")
        .nth(1)
        .unwrap_or_else(|| panic!("no key list in {err}"));
    let mut loader: Vec<String> = list
        .trim()
        .split(", ")
        .map(|k| k.trim_matches('`').to_string())
        .collect();
    loader.sort();
    let mut keys: Vec<String> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    keys.sort();
    assert_eq!(keys, loader, "{err}");
}
