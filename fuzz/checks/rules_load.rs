//! Fuzz the rule-file loader as the CLI drives it: the input bytes (UTF-8 or not) are written
//! to a file, read back with `RuleSource::from_path`, and loaded by `pack::load_behind` (every
//! registered kind) behind nothing or behind the built-in pack ([`Pack`]), as `pack::assemble`
//! and `rules validate` load a user's file. Two targets: `rules_load` (the file alone, as
//! `check --no-builtin --rules FILE`) and `rules_load_with_pack` (behind the built-in pack, as
//! `rules validate FILE` and `check --rules FILE`). The built-in files are parsed once per
//! process (they are the same for every input, and `load_behind` merges and validates them
//! with the user's file anew each time), so the second target costs about what the first does.
//!
//! Beyond "no panic": a refusal names at least one error, every error has a message that
//! renders in every language of the catalog, and an error placed in the user's file points at
//! a line the file has.
//!
//! Shared by the fuzz target `fuzz_targets/rules_load.rs` and by `tests/fuzz_regressions.rs`,
//! which runs every saved input under `testdata/fuzz-regressions/rules_load/` through it.

use std::path::PathBuf;
use std::sync::OnceLock;

use kms_preflight::language::Lang;
use kms_preflight_checks::pack::{self, embedded, profiles, Parsed};
use kms_preflight_engine::rules::{LoadOptions, RuleError, RuleSource};

/// The error's message renders, non-empty, in English and Japanese.
fn assert_renders(e: &RuleError) {
    for lang in [Lang::En, Lang::Ja] {
        match e.try_text(lang) {
            Ok(t) => assert!(!t.trim().is_empty(), "an error without a message: {e:?}"),
            Err(why) => panic!("{e:?} does not render in {}: {why:?}", lang.tag()),
        }
    }
}

thread_local! {
    /// The rule file of this thread (a test runs inputs on its own thread).
    static USER_FILE: PathBuf = {
        let dir = scratch_dir().join(format!("{:?}", std::thread::current().id()).replace(['(', ')'], ""));
        std::fs::create_dir_all(&dir).expect("fuzz temp dir");
        dir.join("user.yaml")
    };
}

/// Where the rule files are written: one directory per process, in memory (/dev/shm) where
/// there is one, so millions of inputs do not become disk writes.
pub fn scratch_dir() -> PathBuf {
    let shm = std::path::Path::new("/dev/shm");
    let base = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    base.join(format!("kp-fuzz-rules-{}", std::process::id()))
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

/// What is loaded in front of the user's file.
#[derive(Clone, Copy, Debug)]
#[allow(dead_code)] // each fuzz target uses one variant; the regression test both
pub enum Pack {
    /// Nothing: the file alone, as `check --no-builtin --rules FILE` loads it.
    None,
    /// The built-in pack, as `rules validate FILE` and `check --rules FILE` load it; with
    /// bit 0 of the first input byte set, also the default profile's file and the opt-in
    /// activation rule, as `check --activation-probe --rules FILE` does.
    BuiltIn,
}

/// Nothing in front of the user's file (`--no-builtin`).
fn nothing() -> &'static Parsed {
    static PARSED: OnceLock<Parsed> = OnceLock::new();
    PARSED.get_or_init(Parsed::default)
}

/// The built-in pack, parsed once.
fn builtin() -> &'static Parsed {
    static PARSED: OnceLock<Parsed> = OnceLock::new();
    PARSED.get_or_init(|| pack::parse(&embedded::sources()).expect("the built-in pack parses"))
}

/// The built-in pack, the default profile's file and the opt-in activation rule, parsed once.
fn with_profile_and_activation() -> &'static Parsed {
    static PARSED: OnceLock<Parsed> = OnceLock::new();
    PARSED.get_or_init(|| {
        let mut sources = embedded::sources();
        let (_, profile_src) = profiles::get(profiles::DEFAULT).expect("default profile");
        sources.push(profile_src);
        sources.push(embedded::activation_source());
        pack::parse(&sources).expect("the built-in files parse")
    })
}

/// Checks one input (the first byte picks the variant, the rest is the file); panics on a
/// defect.
pub fn run(data: &[u8], pack: Pack) {
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
            assert_renders(&e);
            return;
        }
    };
    let front = match pack {
        Pack::None => nothing(),
        Pack::BuiltIn if variant & 1 == 1 => with_profile_and_activation(),
        Pack::BuiltIn => builtin(),
    };
    match pack::load_behind(front, &user, &LoadOptions::default()) {
        Ok(set) => {
            if let Pack::BuiltIn = pack {
                assert!(!set.checks.is_empty(), "the built-in checks are gone");
            }
        }
        Err(errors) => {
            assert!(!errors.0.is_empty(), "a refusal without an error");
            let lines = max_line(body);
            for e in &errors.0 {
                assert_renders(e);
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
