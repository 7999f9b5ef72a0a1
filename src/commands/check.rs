//! `check`: plan the run from the command line (profile, rules, targets, DNS, sources) and run it.
//!
//! Planning ([`Plan::new`]) reads the rule files, the profile and the system resolver
//! configuration once; [`Plan::run`] runs the audit and may be called again (`serve` runs the
//! same plan every interval without parsing anything again).

use std::net::IpAddr;

use kms_preflight_checks::pack::{self, embedded, profiles};
use kms_preflight_checks::{Outcome, Report, RuleSet, RunOptions, RunSettings};
use kms_preflight_engine::rules::{LoadOptions, RuleSource, Vars};
use std::time::Duration;

use kms_preflight_engine::{Message, Status, Summary, Target};
use kms_preflight_net::{dns, source};

use super::{color_wanted, render, UsageError, EXIT_USAGE};
use crate::cli::{AuditArgs, CheckArgs};

/// What the profile step decided, for the report.
#[derive(Debug, Clone)]
pub struct ProfileRun {
    pub name: String,
    /// Check ids the profile (or `diagnose`) asked for that no loaded rule defines.
    pub missing: Vec<String>,
}

/// Loads the built-in pack, the profile's file and the user's rule files, then selects what
/// the profile (and `diagnose`) asks for.
pub fn load_for_check(args: &AuditArgs) -> Result<(RuleSet, ProfileRun), UsageError> {
    let (profile, profile_src) = profiles::get(&args.profile)
        .ok_or_else(|| UsageError(format!("unknown profile '{}'", args.profile)))?;
    for need in &profile.needs {
        let given = match need.as_str() {
            "new-host" => args.new_host.is_some(),
            "old-host" => args.old_host.is_some(),
            _ => true,
        };
        if !given {
            return Err(UsageError(format!(
                "--profile {} needs --{need} NAME ({})",
                profile.name, profile.summary
            )));
        }
    }
    if args.old_host.is_some() && !profile.needs.iter().any(|n| n == "old-host") {
        return Err(UsageError(format!(
            "--old-host is used by --profile post-change, not by --profile {}",
            profile.name
        )));
    }
    if args.rules.no_builtin && profile.name != profiles::DEFAULT {
        return Err(UsageError(format!(
            "--no-builtin cannot be combined with --profile {}: the profile is built in",
            profile.name
        )));
    }
    let mut cli_vars: Vars = args.rules.vars.iter().cloned().collect();
    if let Some(ntp) = &args.ntp {
        cli_vars.insert("ntp_reference".into(), ntp.host.clone());
        cli_vars.insert("ntp_port".into(), ntp.port.unwrap_or(123).to_string());
    }
    // Rule templates see the host name of these options as {{new_host}} and {{old_host}}.
    if let Some(h) = &args.new_host {
        cli_vars.insert("new_host".into(), h.host.clone());
    }
    if let Some(h) = &args.old_host {
        cli_vars.insert("old_host".into(), h.host.clone());
    }
    let mut sources: Vec<RuleSource> = Vec::new();
    if !args.rules.no_builtin {
        sources.extend(embedded::sources());
        sources.push(profile_src);
    }
    // The activation probe's rule exists in a run only when the user opted in.
    if args.activation_probe {
        sources.push(embedded::activation_source());
    }
    for p in &args.rules.rules {
        sources.extend(RuleSource::from_path(p).map_err(|e| UsageError(e.to_string()))?);
    }
    if sources.is_empty() {
        return Err(UsageError(
            "no rules: --no-builtin was given without --rules".into(),
        ));
    }
    let set =
        pack::load(&sources, &LoadOptions { cli_vars }).map_err(|e| UsageError(e.to_string()))?;
    let (mut set, mut missing) = profiles::apply(&profile, &set);
    if let Some(only) = &args.only {
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
    Ok((
        set,
        ProfileRun {
            name: profile.name,
            missing,
        },
    ))
}

/// `--new-host` is checked like a `--host`, with its own origin so reports show its role.
pub fn profile_targets(args: &AuditArgs, default_port: u16) -> Vec<Target> {
    args.new_host
        .iter()
        .map(|h| h.target(default_port, "--new-host"))
        .collect()
}

/// The result that stands for a check that was asked for but is not loaded.
pub fn unavailable(id: &str) -> Outcome {
    let message = match kms_preflight_knowledge::OPT_IN_CHECKS
        .iter()
        .find(|(c, _)| *c == id)
    {
        Some((_, flag)) => format!(
            "not checked: '{id}' is opt-in and was not enabled; add {flag} to ask the KMS host itself (a real activation request: the host counts this machine for 30 days)"
        ),
        None => format!(
            "not checked: no rule with id '{id}' is loaded (its check kind is not part of this build, or the rule set leaves it out)"
        ),
    };
    Outcome {
        id: id.to_string(),
        kind: "unavailable".into(),
        title: id.to_string(),
        target: None,
        address: None,
        source: None,
        status: Status::Skip,
        message: Message::recorded(message),
        remediation: None,
        error_codes: Vec::new(),
        evidence: Default::default(),
        run: Default::default(),
        duration_ms: 0,
    }
}

/// Stamps the profile on the report and lists the checks it could not run.
pub fn finish(mut report: Report, profile: &ProfileRun) -> Report {
    report.profile = Some(profile.name.clone());
    for id in &profile.missing {
        report.results.push(unavailable(id));
    }
    report.summary = Summary::of(&report.results);
    report
}

/// `check`: run and print the report; the exit code says whether anything failed.
pub async fn check(args: CheckArgs) -> i32 {
    let (format, verbose) = (args.format, args.verbose);
    let plan = match Plan::new(&args.audit) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("kms-preflight: {e}");
            return EXIT_USAGE;
        }
    };
    colored::control::set_override(color_wanted(args.no_color));
    let report = plan.run().await;
    print!("{}", render(&report, format, verbose));
    report.exit_code()
}

/// Plans and runs once (used by `diagnose`); the report is not printed.
pub async fn run_check(args: &AuditArgs) -> Result<Report, UsageError> {
    Ok(Plan::new(args)?.run().await)
}

/// A planned audit: the selected rules and everything the engine needs, decided once.
pub struct Plan {
    rules: RuleSet,
    profile: ProfileRun,
    opts: RunOptions,
}

impl Plan {
    /// Loads the rules and resolves domains, targets, DNS servers and sources from the command
    /// line (and, where it leaves them out, the system resolver configuration).
    pub fn new(args: &AuditArgs) -> Result<Plan, UsageError> {
        let (rules, profile) = load_for_check(args)?;
        let opts = run_options(args, &rules)?;
        Ok(Plan {
            rules,
            profile,
            opts,
        })
    }

    /// Runs the audit; every call probes afresh (the engine gives every run a fresh memory).
    pub async fn run(&self) -> Report {
        let mut report = kms_preflight_engine::run(&self.rules, self.opts.clone()).await;
        report.dns_servers = self
            .opts
            .settings
            .dns_servers
            .iter()
            .map(|s| s.to_string())
            .collect();
        finish(report, &self.profile)
    }

    /// The run's `--deadline`.
    pub fn deadline(&self) -> Duration {
        self.opts.deadline
    }
}

fn run_options(args: &AuditArgs, rules: &RuleSet) -> Result<RunOptions, UsageError> {
    let activation = super::activation::settings(args)?;
    let default_port: u16 = rules
        .vars
        .get("port")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1688);
    let mut targets: Vec<Target> = args
        .hosts
        .iter()
        .map(|h| h.target(default_port, "--host"))
        .collect();
    targets.extend(profile_targets(args, default_port));
    let (sys_servers, sys_domains) =
        if args.dns.is_empty() || (args.domains.is_empty() && args.suffixes.is_empty()) {
            dns::system_dns()
        } else {
            (Vec::new(), Vec::new())
        };
    let (dns_servers, dns_from_cli) = if args.dns.is_empty() {
        (sys_servers, false)
    } else {
        (args.dns.clone(), true)
    };
    // Like a client: explicit domains, else the simulated suffix list, else the system's.
    let (domain_list, search_origin, flag) = if !args.domains.is_empty() {
        (&args.domains, "--domain", "--domain")
    } else if !args.suffixes.is_empty() {
        (&args.suffixes, "--suffix", "--suffix")
    } else {
        (&sys_domains, "system resolver search list", "search list")
    };
    let mut domains = Vec::new();
    for d in domain_list {
        let name = dns::fqdn(d).map_err(|e| UsageError(format!("{flag} {d:?}: {e}")))?;
        let shown = dns::display_name(&name);
        if !domains.contains(&shown) {
            domains.push(shown);
        }
    }
    if domains.is_empty() && targets.is_empty() {
        return Err(UsageError(
            "no DNS domain to search: the system resolver configuration has no domain or search list; pass --domain DOMAIN (or --host NAME to check a host directly)".into(),
        ));
    }
    if dns_servers.is_empty()
        && !(targets.iter().all(|t| t.host.parse::<IpAddr>().is_ok()) && domains.is_empty())
    {
        return Err(UsageError(
            "no DNS server: the system resolver configuration lists none; pass --dns IP".into(),
        ));
    }
    let sources = source::parse_sources(&args.sources, &args.interfaces).map_err(UsageError)?;
    Ok(RunOptions {
        domains: domains.clone(),
        targets,
        sources,
        timeout: args.timeout,
        deadline: args.deadline,
        concurrency: args.concurrency.unwrap_or_else(|| {
            crate::fdlimit::default_for(crate::fdlimit::raise().map(|l| l.soft))
        }),
        settings: RunSettings {
            dns_servers,
            dns_from_cli,
            search_domains: domains.clone(),
            search_origin: search_origin.to_string(),
            memo: Default::default(),
            activation,
        },
    })
}
