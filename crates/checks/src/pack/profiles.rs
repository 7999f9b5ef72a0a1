//! Built-in profiles (`--profile`): which checks a run selects, and what the command line
//! must give for it. A profile is a built-in rule file under `rules/profiles/` with a
//! `profile:` header; its own `checks:` are added to the built-in pack, and `include:` picks
//! checks of the pack by id. An included id that no loaded rule defines (its kind is not in
//! this build, or a user removed it) is reported, never silently dropped.

use serde::Deserialize;

use crate::{CheckRule, RuleSet};
use kms_preflight_engine::rules::RuleSource;

/// (file name, text) of every built-in profile.
pub const FILES: &[(&str, &str)] = &[
    (
        "branch-office.yaml",
        include_str!("../../../../rules/profiles/branch-office.yaml"),
    ),
    (
        "pre-migration.yaml",
        include_str!("../../../../rules/profiles/pre-migration.yaml"),
    ),
    (
        "post-change.yaml",
        include_str!("../../../../rules/profiles/post-change.yaml"),
    ),
];

/// Profile names, in `--help` order; the first is the default.
pub const NAMES: &[&str] = &["branch-office", "pre-migration", "post-change"];
pub const DEFAULT: &str = "branch-office";

/// The `profile:` header of a profile file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    pub summary: String,
    #[serde(default)]
    pub description: String,
    /// Command-line options the profile needs: `new-host`, `old-host`.
    #[serde(default)]
    pub needs: Vec<String>,
    /// Ids of built-in checks to run; absent means every built-in check.
    #[serde(default)]
    pub include: Option<Vec<String>>,
    /// Run every selected check once per source (`--source`), whatever its own scope says.
    #[serde(default)]
    pub per_source: bool,
}

#[derive(Deserialize)]
struct Header {
    profile: Profile,
}

/// The profile called `name` and its rule file, or None for an unknown name.
pub fn get(name: &str) -> Option<(Profile, RuleSource)> {
    let (file, text) = FILES
        .iter()
        .find(|(f, _)| f.strip_suffix(".yaml") == Some(name))?;
    // The files are part of the build and tested; a broken header is a build defect.
    let h: Header = serde_saphyr::from_str(text)
        .unwrap_or_else(|e| panic!("built-in profile {file} has a broken header: {e}"));
    Some((
        h.profile,
        RuleSource {
            name: format!("<built-in>/rules/profiles/{file}"),
            text: text.to_string(),
            builtin: true,
        },
    ))
}

/// Keeps the checks whose ids are wanted, the checks `keep` says to keep, and everything
/// they require. Returns the selection and the wanted ids that no loaded check has.
pub fn select(
    set: &RuleSet,
    wanted: &[String],
    keep: impl Fn(&CheckRule) -> bool,
) -> (RuleSet, Vec<String>) {
    let missing: Vec<String> = wanted
        .iter()
        .filter(|w| !set.checks.iter().any(|c| &c.id == *w))
        .cloned()
        .collect();
    let mut chosen: Vec<String> = set
        .checks
        .iter()
        .filter(|c| wanted.contains(&c.id) || keep(c))
        .map(|c| c.id.clone())
        .collect();
    // Requires closure; bounded by the number of checks.
    for _ in 0..set.checks.len() {
        let mut added = false;
        for c in &set.checks {
            if chosen.contains(&c.id) {
                for r in &c.requires {
                    if !chosen.contains(r) {
                        chosen.push(r.clone());
                        added = true;
                    }
                }
            }
        }
        if !added {
            break;
        }
    }
    let checks = set
        .checks
        .iter()
        .filter(|c| chosen.contains(&c.id))
        .cloned()
        .collect();
    (
        RuleSet {
            checks,
            vars: set.vars.clone(),
        },
        missing,
    )
}

/// Applies a loaded profile to the loaded rules (built-in pack + profile file + user files).
pub fn apply(profile: &Profile, set: &RuleSet) -> (RuleSet, Vec<String>) {
    let (mut out, missing) = match &profile.include {
        None => (set.clone(), Vec::new()),
        Some(ids) => select(set, ids, |c| {
            // The profile's own checks, user rule files and the opt-in activation rule (loaded
            // only with --activation-probe) are always kept.
            c.file.contains("/rules/profiles/")
                || !c.file.starts_with("<built-in>")
                || c.file == crate::pack::embedded::ACTIVATION_NAME
        }),
    };
    if profile.per_source {
        for c in &mut out.checks {
            c.scope.per_source = true;
        }
    }
    (out, missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_profile_file_has_a_header_named_after_it() {
        for name in NAMES {
            let (p, src) = get(name).expect("profile exists");
            assert_eq!(&p.name, name);
            assert!(src.name.ends_with(&format!("{name}.yaml")));
            for n in &p.needs {
                assert!(
                    ["new-host", "old-host"].contains(&n.as_str()),
                    "{name}: unknown need {n}"
                );
            }
        }
        assert_eq!(NAMES.len(), FILES.len());
        assert!(get("no-such-profile").is_none());
    }

    #[test]
    fn every_profile_loads_with_the_builtin_pack() {
        for name in NAMES {
            let (p, src) = get(name).unwrap();
            let mut sources = crate::pack::embedded::sources();
            sources.push(src);
            let mut cli_vars = kms_preflight_engine::rules::Vars::new();
            cli_vars.insert("new_host".into(), "kms-new.corp.test".into());
            cli_vars.insert("old_host".into(), "kms-old.corp.test".into());
            let set = crate::pack::load(
                &sources,
                &kms_preflight_engine::rules::LoadOptions { cli_vars },
            )
            .unwrap_or_else(|e| panic!("{name}: {e}"));
            let (sel, _missing) = apply(&p, &set);
            assert!(!sel.checks.is_empty(), "{name} selects nothing");
        }
    }

    #[test]
    fn select_adds_required_checks_and_reports_missing_ids() {
        let set = crate::pack::load(
            &crate::pack::embedded::sources(),
            &kms_preflight_engine::rules::LoadOptions::default(),
        )
        .unwrap();
        let (sel, missing) = select(
            &set,
            &["tcp.port".to_string(), "no.such-check".to_string()],
            |_| false,
        );
        let ids: Vec<&str> = sel.checks.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["resolve.host", "tcp.port"]);
        assert_eq!(missing, ["no.such-check"]);
    }
}
