//! `rules validate`: every rule file under the given paths (directories recursively), each
//! checked the way the loader that would read it checks it. A file with a `profile:` header is
//! a profile: its header must be a valid [`profiles::Profile`], and its checks load with the
//! built-in pack as `--profile` loads a built-in profile. Any other file loads with the pack
//! as `--rules` loads it. Errors name file:line:column.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use kms_preflight_engine::rules::messages::{cannot_list, cannot_read, dir_empty};
use kms_preflight_engine::rules::{yaml_error, LoadOptions, RuleError, RuleErrors, RuleSource};
use kms_preflight_engine::Message;

use super::{embedded, profiles};

/// What validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validation {
    /// Checks defined by the validated files.
    pub checks: usize,
    /// Files validated, profiles included.
    pub files: usize,
    /// Of them, profiles.
    pub profiles: usize,
}

/// Directory depth at which the walk stops (a symbolic link loop must not hang it).
const MAX_DEPTH: usize = 32;

fn is_rule_file(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("yaml") | Some("yml")
    )
}

fn err(path: &Path, message: Message) -> RuleError {
    RuleError::file(path.display().to_string(), message)
}

/// The rule files of `path`: itself, or every .yaml/.yml file below it, in name order.
fn collect(path: &Path, depth: usize, out: &mut Vec<PathBuf>) -> Result<(), RuleError> {
    let meta = std::fs::metadata(path).map_err(|e| err(path, cannot_read(e.to_string())))?;
    if !meta.is_dir() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    if depth >= MAX_DEPTH {
        return Err(err(path, super::nested_too_deep(MAX_DEPTH)));
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| err(path, cannot_list(e.to_string())))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(|e| err(path, cannot_list(e.to_string())))?;
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, depth + 1, out)?;
        } else if is_rule_file(&p) {
            out.push(p);
        }
    }
    Ok(())
}

/// Whether a file has a top-level `profile:` key. A file that does not parse is not one: the
/// rule loader then reports its syntax error.
pub(crate) fn has_profile_header(text: &str) -> bool {
    #[derive(Deserialize)]
    struct Peek {
        profile: Option<serde::de::IgnoredAny>,
    }
    serde_saphyr::from_str::<Peek>(text).is_ok_and(|p| p.profile.is_some())
}

/// The profile header of `src`, strictly (unknown keys are errors, at their line and column).
fn profile_header(src: &RuleSource) -> Result<profiles::Profile, RuleError> {
    #[derive(Deserialize)]
    struct Header {
        profile: profiles::Profile,
    }
    serde_saphyr::from_str::<Header>(&src.text)
        .map(|h| h.profile)
        .map_err(|e| yaml_error(&src.name, &e))
}

/// The rule files under `paths` (each a file, or a directory walked recursively in name order,
/// [`MAX_DEPTH`] deep at most), read and split into plain rule files and profiles, with every
/// error met on the way. `rules validate` and `--rules` both read their paths with it, so they
/// see the same files.
pub(crate) struct RuleFiles {
    /// Every file found, in load order (a file named twice in a row counts once).
    pub files: Vec<PathBuf>,
    /// Files without a `profile:` header, to load after the built-in pack.
    pub plain: Vec<RuleSource>,
    /// Files with one.
    pub profiles: Vec<RuleSource>,
    pub errors: Vec<RuleError>,
}

pub(crate) fn rule_files(paths: &[PathBuf]) -> RuleFiles {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        let before = files.len();
        match collect(p, 0, &mut files) {
            Ok(()) if files.len() == before => errors.push(err(p, dir_empty())),
            Ok(()) => {}
            Err(e) => errors.push(e),
        }
    }
    files.dedup();
    let mut plain = Vec::new();
    let mut profile_files = Vec::new();
    for f in &files {
        match std::fs::read_to_string(f) {
            Ok(text) => {
                let src = RuleSource {
                    name: f.display().to_string(),
                    text,
                    builtin: false,
                };
                if has_profile_header(&src.text) {
                    profile_files.push(src);
                } else {
                    plain.push(src);
                }
            }
            Err(e) => errors.push(err(f, cannot_read(e.to_string()))),
        }
    }
    RuleFiles {
        files,
        plain,
        profiles: profile_files,
        errors,
    }
}

/// Validates one profile file as a built-in profile loads (with the pack, the hosts it needs
/// given, its checks beside, not replacing, the pack's); the number of checks it defines.
pub(crate) fn validate_profile(
    pack: &super::Parsed,
    src: RuleSource,
) -> Result<usize, Vec<RuleError>> {
    let profile = profile_header(&src).map_err(|e| vec![e])?;
    let mut opts = LoadOptions::default();
    for need in &profile.needs {
        match need.as_str() {
            "new-host" => opts.cli_vars.insert("new_host".into(), "new-host".into()),
            "old-host" => opts.cli_vars.insert("old_host".into(), "old-host".into()),
            other => {
                return Err(vec![err(
                    Path::new(&src.name),
                    super::profile_need_unknown(other),
                )]);
            }
        };
    }
    let name = src.name.clone();
    // Behind the built-in files, parsed once by the caller for every profile.
    let profile_src = RuleSource {
        builtin: true,
        ..src
    };
    let set = super::load_behind(pack, &[profile_src], &opts).map_err(|e| e.0)?;
    Ok(set.checks.iter().filter(|c| c.file == name).count())
}

/// Validates every rule file under `paths`.
pub fn validate(paths: &[PathBuf]) -> Result<Validation, RuleErrors> {
    let RuleFiles {
        files,
        plain,
        profiles: profile_files,
        mut errors,
    } = rule_files(paths);
    let count = |set: &crate::RuleSet, names: &[&str]| {
        set.checks
            .iter()
            .filter(|c| names.contains(&c.file.as_str()))
            .count()
    };
    let mut checks = 0;
    let pack = super::parse(&embedded::sources())?;
    // Plain files together, as `--rules` loads them: after the pack, replacing its ids.
    if !plain.is_empty() {
        let names: Vec<String> = plain.iter().map(|s| s.name.clone()).collect();
        match super::load_behind(&pack, &plain, &LoadOptions::default()) {
            Ok(set) => {
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                checks += count(&set, &names);
            }
            Err(e) => errors.extend(e.0),
        }
    }
    // Each profile on its own (a run selects one).
    let n_profiles = profile_files.len();
    for src in profile_files {
        match validate_profile(&pack, src) {
            Ok(n) => checks += n,
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(Validation {
            checks,
            files: files.len(),
            profiles: n_profiles,
        })
    } else {
        Err(RuleErrors(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(p: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(p)
    }

    #[test]
    fn the_shipped_rules_directory_validates_profiles_included() {
        let v = validate(&[repo("rules")]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v.profiles, profiles::FILES.len(), "{v:?}");
        assert_eq!(v.files, embedded::FILES.len() + 1 + profiles::FILES.len());
        assert!(v.checks > 10, "{v:?}");
    }

    #[test]
    fn a_broken_profile_header_is_found_at_its_place() {
        let dir = std::env::temp_dir().join(format!("kp-validate-{}", std::process::id()));
        let sub = dir.join("site/profiles");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(
            sub.join("mine.yaml"),
            "version: 1\nprofile:\n  name: mine\n  summary: x\n  colour: red\nchecks: []\n",
        )
        .unwrap();
        let e = validate(std::slice::from_ref(&dir))
            .unwrap_err()
            .to_string();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            e.contains("site/profiles/mine.yaml:5:3: unknown field `colour`"),
            "{e}"
        );
    }
}
