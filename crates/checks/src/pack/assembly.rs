//! The rule set a command runs or lists: the built-in pack, a profile's file and the user's rule
//! files, loaded with every kind of this build and narrowed to what the profile and `--only`
//! select. check, diagnose, serve, sweep, `rules list|validate` and explain all assemble their
//! rules with [`assemble`], so they agree on what "the built-in rules" are; the binary only
//! turns its command line into an [`Assembly`].

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use kms_preflight_engine::rules::{LoadOptions, RuleErrors, RuleSource, Vars};
use kms_preflight_engine::{Message, Status, Summary, Target};

use super::{embedded, profiles, validate};
use crate::{Evidence, Outcome, Report, RuleSet};

/// A host named on the command line (`--new-host`, `--old-host`, `--ntp`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedHost {
    pub host: String,
    pub port: Option<u16>,
}

/// What a command asks of the rule set.
#[derive(Debug, Clone, Default)]
pub struct Assembly {
    /// `--profile`: its file is loaded with the pack and selects the checks. `None`: the pack
    /// alone, every check of it (`rules list`, `rules validate`, `sweep`).
    pub profile: Option<String>,
    /// `--no-builtin`: neither the pack nor a profile file, only `rule_paths`.
    pub no_builtin: bool,
    /// `--activation-probe`: the opt-in activation rule is loaded. Nothing else loads it, so a
    /// run without the flag has no check that sends an activation request.
    pub activation_probe: bool,
    /// Every built-in profile's own checks too: for a listing of what exists (explain), never
    /// for a run.
    pub every_profile: bool,
    /// `--rules`: files or directories of rule files, loaded after the built-in ones.
    pub rule_paths: Vec<PathBuf>,
    /// `--var KEY=VALUE`, overriding the files' variables.
    pub vars: Vec<(String, String)>,
    /// `--ntp`: rule templates see it as `{{ntp_reference}}` and `{{ntp_port}}`.
    pub ntp: Option<NamedHost>,
    /// `--new-host` and `--old-host`: `{{new_host}}` and `{{old_host}}`; the new host is also
    /// checked like a `--host` ([`Assembled::profile_targets`]).
    pub new_host: Option<NamedHost>,
    pub old_host: Option<NamedHost>,
    /// `--only` (and diagnose): only these checks and what they require. An id no loaded rule
    /// defines becomes an unavailable result ([`unavailable`]).
    pub only: Option<Vec<String>>,
    /// `--skip`: leave these checks out, and the checks that require them (they could only
    /// be skipped). An id no selected rule defines is a usage error, so a typo never leaves
    /// a probe in the run that the user believes is off.
    pub skip: Vec<String>,
}

impl Assembly {
    /// Every built-in rule: the pack, each profile's own checks and the opt-in activation rule,
    /// to say which checks exist (explain lists them; it runs nothing).
    pub fn every_builtin() -> Assembly {
        let host = |h: &str| {
            Some(NamedHost {
                host: h.into(),
                port: None,
            })
        };
        Assembly {
            activation_probe: true,
            every_profile: true,
            new_host: host("new-host"),
            old_host: host("old-host"),
            ..Assembly::default()
        }
    }
}

/// The assembled rules, and what the report must say about them.
#[derive(Debug, Clone)]
pub struct Assembled {
    pub rules: RuleSet,
    /// The profile the rules were selected by (`None` without one).
    pub profile: Option<String>,
    /// Ids the profile or `--only` asked for that no loaded rule defines.
    pub missing: Vec<String>,
    new_host: Option<NamedHost>,
}

/// Why the rules cannot be assembled.
#[derive(Debug, Clone)]
pub enum AssemblyError {
    /// Options that do not go together (an unknown profile, a profile without the host it
    /// needs, …).
    Usage(Message),
    /// Rule files that cannot be read or do not validate, each error at its file:line:column.
    Rules(RuleErrors),
}

impl From<RuleErrors> for AssemblyError {
    fn from(e: RuleErrors) -> AssemblyError {
        AssemblyError::Rules(e)
    }
}

/// The port of a `--host` given without one: the rules' `port` variable, else 1688.
pub fn default_port(rules: &RuleSet) -> u16 {
    rules
        .vars
        .get("port")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1688)
}

/// Loads and selects the rules `a` asks for.
pub fn assemble(a: &Assembly) -> Result<Assembled, AssemblyError> {
    let (profile, profile_src) = match &a.profile {
        Some(name) => {
            let (p, src) = profile_checked(name, a)?;
            (Some(p), Some(src))
        }
        None => (None, None),
    };
    let mut cli_vars: Vars = a.vars.iter().cloned().collect();
    if let Some(ntp) = &a.ntp {
        cli_vars.insert("ntp_reference".into(), ntp.host.clone());
        cli_vars.insert("ntp_port".into(), ntp.port.unwrap_or(123).to_string());
    }
    if let Some(h) = &a.new_host {
        cli_vars.insert("new_host".into(), h.host.clone());
    }
    if let Some(h) = &a.old_host {
        cli_vars.insert("old_host".into(), h.host.clone());
    }
    let mut sources: Vec<RuleSource> = Vec::new();
    if !a.no_builtin {
        sources.extend(embedded::sources());
        sources.extend(profile_src);
    }
    if a.activation_probe {
        sources.push(embedded::activation_source());
    }
    if a.every_profile && !a.no_builtin {
        for name in profiles::NAMES {
            if let Some((_, src)) = profiles::get(name) {
                sources.push(src);
            }
        }
    }
    // The --rules paths are read as `rules validate` reads them (directories recursively): a
    // plain file loads after the built-in rules; a profile file is validated as that command
    // validates it, and not run (a run selects its profile with --profile). Errors come in the
    // validator's order: finding and reading, loading, profiles.
    let mut read_errors = Vec::new();
    let mut profile_errors = Vec::new();
    let mut user: Vec<RuleSource> = Vec::new();
    if !a.rule_paths.is_empty() {
        let found = validate::rule_files(&a.rule_paths);
        read_errors = found.errors;
        if !found.profiles.is_empty() {
            let pack = super::parse(&embedded::sources())?;
            for src in found.profiles {
                if let Err(e) = validate::validate_profile(&pack, src) {
                    profile_errors.extend(e);
                }
            }
        }
        user = found.plain;
    }
    if sources.is_empty() && user.is_empty() && read_errors.is_empty() && profile_errors.is_empty()
    {
        return Err(AssemblyError::Usage(super::no_rules()));
    }
    // The built-in files, then the user's behind them: the path the rule-file fuzz targets
    // drive (fuzz/checks/rules_load.rs), which parse the built-in files once.
    let loaded = if sources.is_empty() && user.is_empty() {
        Ok(RuleSet::default())
    } else {
        super::parse(&sources)
            .and_then(|front| super::load_behind(&front, &user, &LoadOptions { cli_vars }))
    };
    let set = match loaded {
        Ok(set) if read_errors.is_empty() && profile_errors.is_empty() => set,
        Ok(_) => {
            read_errors.extend(profile_errors);
            return Err(RuleErrors(read_errors).into());
        }
        Err(e) => {
            read_errors.extend(e.0);
            read_errors.extend(profile_errors);
            return Err(RuleErrors(read_errors).into());
        }
    };
    let (mut set, mut missing) = match &profile {
        Some(p) => profiles::apply(p, &set),
        None => (set, Vec::new()),
    };
    if let Some(only) = &a.only {
        let (sel, more) = profiles::select(&set, only, |_| false);
        set = sel;
        // Ids the profile left out are as unavailable to this run as ids nobody defines.
        for m in more {
            if !missing.contains(&m) {
                missing.push(m);
            }
        }
        missing.retain(|m| only.contains(m));
    }
    if !a.skip.is_empty() {
        set = without(&set, &a.skip)?;
    }
    Ok(Assembled {
        rules: set,
        profile: profile.map(|p| p.name),
        missing,
        new_host: a.new_host.clone(),
    })
}

/// `set` without the `skip` checks and, transitively, the checks that require them.
fn without(set: &RuleSet, skip: &[String]) -> Result<RuleSet, AssemblyError> {
    if let Some(unknown) = skip
        .iter()
        .find(|id| !set.checks.iter().any(|c| &c.id == *id))
    {
        let ids: Vec<String> = set.checks.iter().map(|c| c.id.clone()).collect();
        return Err(AssemblyError::Usage(super::skip_unknown(
            unknown.as_str(),
            ids,
        )));
    }
    let mut dropped: Vec<String> = skip.to_vec();
    // Requires closure; bounded by the number of checks.
    for _ in 0..set.checks.len() {
        let before = dropped.len();
        for c in &set.checks {
            if !dropped.contains(&c.id) && c.requires.iter().any(|r| dropped.contains(r)) {
                dropped.push(c.id.clone());
            }
        }
        if dropped.len() == before {
            break;
        }
    }
    Ok(RuleSet {
        checks: set
            .checks
            .iter()
            .filter(|c| !dropped.contains(&c.id))
            .cloned()
            .collect(),
        vars: set.vars.clone(),
    })
}

/// The profile called `name`, if the other options go with it.
fn profile_checked(
    name: &str,
    a: &Assembly,
) -> Result<(profiles::Profile, RuleSource), AssemblyError> {
    let usage = |m| Err(AssemblyError::Usage(m));
    let Some((profile, src)) = profiles::get(name) else {
        return usage(super::unknown_profile(name));
    };
    for need in &profile.needs {
        let given = match need.as_str() {
            "new-host" => a.new_host.is_some(),
            "old-host" => a.old_host.is_some(),
            _ => true,
        };
        if !given {
            return usage(super::profile_needs(&profile.name, need, &profile.summary));
        }
    }
    if a.old_host.is_some() && !profile.needs.iter().any(|n| n == "old-host") {
        return usage(super::old_host_unused(&profile.name));
    }
    if a.no_builtin && profile.name != profiles::DEFAULT {
        return usage(super::no_builtin_with_profile(&profile.name));
    }
    Ok((profile, src))
}

impl Assembled {
    /// The port of a `--host` given without one ([`default_port`]).
    pub fn default_port(&self) -> u16 {
        default_port(&self.rules)
    }

    /// `--new-host`, checked like a `--host`, with its own origin so reports show its role.
    pub fn profile_targets(&self) -> Vec<Target> {
        self.new_host
            .iter()
            .map(|h| Target {
                host: h.host.clone(),
                port: h.port.unwrap_or(self.default_port()),
                origins: vec!["--new-host".to_string()],
            })
            .collect()
    }

    /// Stamps the profile on the report and adds a result for each check it could not run.
    pub fn finish(&self, report: Report) -> Report {
        finish(report, self.profile.as_deref(), &self.missing)
    }
}

/// Stamps `profile` on the report and adds an [`unavailable`] result for each id of `missing`.
pub fn finish(mut report: Report, profile: Option<&str>, missing: &[String]) -> Report {
    if let Some(p) = profile {
        report.profile = Some(p.to_string());
    }
    for id in missing {
        report.results.push(unavailable(id));
    }
    report.summary = Summary::of(&report.results);
    report
}

/// The `kind` of a result that stands for a check that was asked for but not run.
pub const UNAVAILABLE_KIND: &str = "unavailable";

/// Why a check that was asked for did not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailable {
    /// The check is opt-in and was not enabled; `flag` enables it.
    OptIn { flag: &'static str },
    /// No loaded rule has the id: its kind is not part of this build, or the rule set leaves
    /// it out.
    NotLoaded,
}

impl Unavailable {
    /// Why the check `id` would not run.
    pub fn of(id: &str) -> Unavailable {
        match kms_preflight_knowledge::OPT_IN_CHECKS
            .iter()
            .find(|(c, _)| *c == id)
        {
            Some((_, flag)) => Unavailable::OptIn { flag },
            None => Unavailable::NotLoaded,
        }
    }

    /// Why `r` did not run, when it is an unavailable result (made by [`unavailable`], or read
    /// back from a report).
    pub fn of_result(r: &Outcome) -> Option<Unavailable> {
        r.evidence.unavailable().map(|_| Unavailable::of(&r.id))
    }
}

/// The evidence of an unavailable result: nothing was measured (`{}` in a report); its type
/// is what marks the result as one that did not run.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct UnavailableEvidence {}

impl Evidence {
    /// The evidence of an unavailable result.
    pub fn unavailable(&self) -> Option<&UnavailableEvidence> {
        match self {
            Evidence::Unavailable(e) => Some(e),
            _ => None,
        }
    }
}

/// The result that stands for a check that was asked for but is not loaded (status skip).
pub fn unavailable(id: &str) -> Outcome {
    let message = match Unavailable::of(id) {
        Unavailable::OptIn { flag } => super::unavailable_opt_in(id, flag),
        Unavailable::NotLoaded => super::unavailable_not_loaded(id),
    };
    Outcome {
        id: id.to_string(),
        kind: UNAVAILABLE_KIND.into(),
        title: id.to_string(),
        target: None,
        address: None,
        source: None,
        status: Status::Skip,
        message,
        remediation: None,
        error_codes: Vec::new(),
        evidence: Evidence::Unavailable(UnavailableEvidence {}),
        run: Default::default(),
        duration_ms: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn en(m: &Message) -> String {
        crate::testing::en(m)
    }

    #[test]
    fn profile_errors_name_the_missing_option() {
        let a = Assembly {
            profile: Some("post-change".into()),
            ..Assembly::default()
        };
        match assemble(&a) {
            Err(AssemblyError::Usage(m)) => assert!(
                en(&m).starts_with("--profile post-change needs --old-host NAME ("),
                "{}",
                en(&m)
            ),
            other => panic!("{other:?}"),
        }
        let a = Assembly {
            profile: Some("nope".into()),
            ..Assembly::default()
        };
        match assemble(&a) {
            Err(AssemblyError::Usage(m)) => assert_eq!(en(&m), "unknown profile 'nope'"),
            other => panic!("{other:?}"),
        }
        let a = Assembly {
            profile: Some("branch-office".into()),
            old_host: Some(NamedHost {
                host: "old".into(),
                port: None,
            }),
            ..Assembly::default()
        };
        match assemble(&a) {
            Err(AssemblyError::Usage(m)) => assert_eq!(
                en(&m),
                "--old-host is used by --profile post-change, not by --profile branch-office"
            ),
            other => panic!("{other:?}"),
        }
        let a = Assembly {
            no_builtin: true,
            ..Assembly::default()
        };
        match assemble(&a) {
            Err(AssemblyError::Usage(m)) => {
                assert_eq!(en(&m), "no rules: --no-builtin was given without --rules")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn only_keeps_what_is_asked_and_reports_what_is_not_loaded() {
        let a = Assembly {
            profile: Some(profiles::DEFAULT.into()),
            only: Some(vec!["tcp.port".into(), "kms.activation".into()]),
            new_host: Some(NamedHost {
                host: "kms-new.corp.test".into(),
                port: Some(1700),
            }),
            ..Assembly::default()
        };
        let got = assemble(&a).unwrap();
        let ids: Vec<&str> = got.rules.checks.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["resolve.host", "tcp.port"]);
        assert_eq!(got.missing, ["kms.activation"]);
        let t = got.profile_targets();
        assert_eq!((t[0].host.as_str(), t[0].port), ("kms-new.corp.test", 1700));
        assert_eq!(t[0].origins, ["--new-host"]);
        let report = got.finish(Report::empty());
        assert_eq!(report.profile.as_deref(), Some("branch-office"));
        assert_eq!(report.summary.skip, 1);
        let r = &report.results[0];
        assert_eq!(r.kind, UNAVAILABLE_KIND);
        assert_eq!(
            Unavailable::of_result(r),
            Some(Unavailable::OptIn {
                flag: "--activation-probe"
            })
        );
        assert!(en(&r.message).starts_with(
            "not checked: 'kms.activation' is opt-in and was not enabled; add --activation-probe"
        ));
        let other = unavailable("srv.agreement");
        assert_eq!(Unavailable::of_result(&other), Some(Unavailable::NotLoaded));
        assert_eq!(
            en(&other.message),
            "not checked: no rule with id 'srv.agreement' is loaded (its check kind is not part of this build, or the rule set leaves it out)"
        );
        assert_eq!(
            serde_json::to_string(&other.evidence).unwrap(),
            "{}",
            "an unavailable result measured nothing"
        );
    }

    #[test]
    fn every_builtin_lists_the_profiles_checks_and_the_opt_in_probe() {
        let got = assemble(&Assembly::every_builtin()).unwrap();
        let ids: Vec<&str> = got.rules.checks.iter().map(|c| c.id.as_str()).collect();
        for id in kms_preflight_knowledge::CHECK_IDS {
            assert!(ids.contains(id), "{id} missing from {ids:?}");
        }
        assert!(got.missing.is_empty() && got.profile.is_none());
    }
}
