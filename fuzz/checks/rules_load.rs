//! Fuzz the rule-file loader as `kms-preflight rules validate FILE` and `check --rules FILE`
//! drive it: the input bytes (UTF-8 or not) are written to a file, read back with
//! `RuleSource::from_path`, and loaded with the built-in pack in front of them by
//! `pack::load`, every registered kind included. The first input byte picks the variant:
//! plain (as `rules validate`), or with the default profile's file and the opt-in activation
//! rule as `check --activation-probe --rules FILE` loads them.
//!
//! Beyond "no panic": a refusal names at least one error, every error has a message, and an
//! error placed in the user's file points at a line the file has.
//!
//! Shared by the fuzz target `fuzz_targets/rules_load.rs` and by `tests/fuzz_regressions.rs`,
//! which runs every saved input under `testdata/fuzz-regressions/rules_load/` through it.

use std::path::PathBuf;

use kms_preflight_checks::pack::{self, embedded, profiles};
use kms_preflight_engine::rules::{LoadOptions, RuleSource};

thread_local! {
    /// The rule file of this thread (a test runs inputs on its own thread).
    static USER_FILE: PathBuf = {
        let dir = scratch_dir().join(format!("{:?}", std::thread::current().id()).replace(['(', ')'], ""));
        std::fs::create_dir_all(&dir).expect("fuzz temp dir");
        dir.join("user.yaml")
    };
}

/// Where the rule files are written: one directory per process.
pub fn scratch_dir() -> PathBuf {
    std::env::temp_dir().join(format!("kp-fuzz-rules-{}", std::process::id()))
}

/// Lines a YAML parser may count in `bytes` (every kind of line break counts, so the bound is
/// generous, never too tight).
fn max_line(bytes: &[u8]) -> u64 {
    let text = String::from_utf8_lossy(bytes);
    1 + text
        .chars()
        .filter(|c| matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}'))
        .count() as u64
}

/// Checks one input; panics on a defect.
pub fn run(data: &[u8]) {
    let (variant, body) = match data.split_first() {
        Some((v, rest)) => (*v, rest),
        None => (0, data),
    };
    let path = USER_FILE.with(|p| p.clone());
    std::fs::write(&path, body).expect("write the fuzz rule file");
    let name = path.display().to_string();
    let user = match RuleSource::from_path(&path) {
        Ok(u) => u,
        Err(e) => {
            // Not readable as text: the CLI stops here with this error.
            assert_eq!(e.file, name);
            assert!(!e.to_string().is_empty());
            return;
        }
    };
    let mut sources = embedded::sources();
    if variant & 1 == 1 {
        let (_, profile_src) = profiles::get(profiles::DEFAULT).expect("default profile");
        sources.push(profile_src);
        sources.push(embedded::activation_source());
    }
    sources.extend(user);
    match pack::load(&sources, &LoadOptions::default()) {
        Ok(set) => {
            assert!(!set.checks.is_empty());
        }
        Err(errors) => {
            assert!(!errors.0.is_empty(), "a refusal without an error");
            let lines = max_line(body);
            for e in &errors.0 {
                assert!(
                    !e.message.trim().is_empty(),
                    "an error without a message: {e:?}"
                );
                if e.file == name {
                    assert!(
                        e.line <= lines,
                        "error at line {} of a file with at most {lines} lines: {e}",
                        e.line
                    );
                }
            }
            let _ = errors.to_string();
        }
    }
}
