//! Every input saved under `testdata/fuzz-regressions/<target>/` (crashes the fuzz targets in
//! `fuzz/` found, and a few hand-made edge cases) runs through the same checks as the fuzz
//! target, on every `cargo test`, so a fixed bug stays fixed without cargo-fuzz or nightly.

use std::path::{Path, PathBuf};

#[path = "../fuzz/checks/cli_values.rs"]
mod cli_values;
#[path = "../fuzz/checks/rules_load.rs"]
mod rules_load;
#[path = "../fuzz/checks/site_config.rs"]
mod site_config;

fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/fuzz-regressions")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{}: no inputs", dir.display());
    files
}

/// Runs each input, and names every one that fails.
fn replay(target: &str, check: fn(&[u8])) {
    let mut failed = Vec::new();
    for f in inputs(target) {
        let data = std::fs::read(&f).unwrap();
        if std::panic::catch_unwind(|| check(&data)).is_err() {
            failed.push(f.display().to_string());
        }
    }
    assert!(failed.is_empty(), "{target}: inputs that fail: {failed:#?}");
}

#[test]
fn cli_values_regressions() {
    replay("cli_values", cli_values::run);
}

#[test]
fn rules_load_regressions() {
    replay("rules_load", |d| rules_load::run(d, rules_load::Pack::None));
    replay("rules_load", |d| {
        rules_load::run(d, rules_load::Pack::BuiltIn)
    });
    let _ = std::fs::remove_dir_all(rules_load::scratch_dir());
}

/// The saved crash of the host parser is refused with the reason, not accepted as "bb\n".
#[test]
fn a_host_name_with_a_newline_is_refused_with_the_reason() {
    let data = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/fuzz-regressions/cli_values/host-with-a-newline"),
    )
    .unwrap();
    let value = String::from_utf8_lossy(&data[1..]).into_owned();
    let err = kms_preflight::cli_values::parse_host(&value)
        .unwrap_err()
        .to_string();
    assert!(err.contains("'\\n' cannot be part of a host name"), "{err}");
    for bad in ["a:b:1688", "kms 1.corp", "kms1\u{0}.corp"] {
        let e = kms_preflight::cli_values::parse_host(bad);
        assert!(e.is_err(), "{bad:?}: {e:?}");
    }
    assert!(kms_preflight::cli_values::parse_host("kms_1.corp-a.test:1688").is_ok());
}

#[test]
fn site_config_regressions() {
    replay("site_config", site_config::run);
}
