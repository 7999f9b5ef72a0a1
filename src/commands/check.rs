//! `check`: plan the run from the command line (profile, rules, targets, DNS, sources) and run it.
//!
//! Planning ([`Plan::new`]) reads the rule files, the profile and the system resolver
//! configuration once; [`Plan::run`] runs the audit and may be called again (`serve` runs the
//! same plan every interval without parsing anything again).

use std::net::IpAddr;
use std::time::Duration;

use kms_preflight_checks::common::dns as dns_name;
use kms_preflight_checks::pack;
use kms_preflight_checks::{Report, RunOptions, RunSettings};
use kms_preflight_engine::Target;
use kms_preflight_net::{dns, source};
use kms_preflight_report as report;

use kms_preflight_client::ClientState;

use super::{client_state, color_wanted, render, UsageError, EXIT_USAGE};
use crate::cli::{AuditArgs, CheckArgs, FailOn, Format, HostArg};

/// The rule set `args` asks for: the built-in pack, the profile's file and the user's rule
/// files, narrowed to what the profile (and `diagnose`) selects.
pub fn assembly(args: &AuditArgs) -> pack::Assembly {
    let host = |h: &HostArg| pack::NamedHost {
        host: h.host.clone(),
        port: h.port,
    };
    pack::Assembly {
        profile: Some(args.profile.clone()),
        no_builtin: args.rules.no_builtin,
        activation_probe: args.activation_probe,
        every_profile: false,
        rule_paths: args.rules.rules.clone(),
        vars: args.rules.all_vars(),
        ntp: args.ntp.as_ref().map(host),
        new_host: args.new_host.as_ref().map(host),
        old_host: args.old_host.as_ref().map(host),
        only: args.only.clone(),
        skip: args.skip.clone(),
    }
}

/// Why the rules cannot be assembled, as the usage error the command prints.
impl From<pack::AssemblyError> for UsageError {
    fn from(e: pack::AssemblyError) -> UsageError {
        match e {
            pack::AssemblyError::Usage(m) => UsageError::Message(m),
            pack::AssemblyError::Rules(e) => UsageError::Rules(e),
        }
    }
}

/// `check`: run and print the report; the exit code says whether anything failed.
pub async fn check(mut args: CheckArgs) -> i32 {
    let (format, verbose) = (args.format, args.verbose);
    if let Err(e) = crate::config::audit(&mut args.audit) {
        eprintln!("kms-preflight: {e}");
        return EXIT_USAGE;
    }
    let plan = match Plan::new(&args.audit) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("kms-preflight: {e}");
            return EXIT_USAGE;
        }
    };
    if args.plan {
        return print_plan(&plan.traffic(), format, verbose);
    }
    colored::control::set_override(color_wanted(args.no_color));
    let report = plan.run().await;
    if args.quiet {
        println!("{}", super::verdict_line(&report));
    } else if format == Format::Prometheus {
        // kms_preflight_ready follows this run's exit code, --fail-on included.
        let expo = report::prometheus::Exposition {
            fail_on_warn: args.fail_on == FailOn::Warn,
            ..Default::default()
        };
        print!("{}", report::prometheus::render_with(&report, &expo));
    } else {
        print!("{}", render(&report, format, verbose));
    }
    // A skip is never evidence: the verdict's FAILS or UNKNOWN fails the run too.
    super::gate_audit(&report, args.fail_on)
}

/// Prints a traffic plan (`--plan` of check and sweep) in `format`; junit and prometheus
/// have no plan and are a usage error.
pub fn print_plan(
    traffic: &kms_preflight_engine::plan::TrafficPlan,
    format: Format,
    verbose: bool,
) -> i32 {
    let lang = super::lang();
    let text = match format {
        Format::Table => report::plan::render_table(traffic, lang, verbose),
        Format::Markdown => report::plan::render_markdown(traffic, lang),
        Format::Json => report::plan::render_json(traffic, lang),
        Format::Junit | Format::Prometheus => {
            use clap::ValueEnum;
            let name = format
                .to_possible_value()
                .map(|v| v.get_name().to_string())
                .unwrap_or_default();
            let m = report::plan::format_unsupported(name);
            eprintln!("kms-preflight: {}", report::Catalog::get(lang).text(&m));
            return EXIT_USAGE;
        }
    };
    print!("{text}");
    0
}

/// Plans and runs once (used by `diagnose`); the report is not printed.
pub async fn run_check(args: &AuditArgs) -> Result<Report, UsageError> {
    Ok(Plan::new(args)?.run().await)
}

/// A planned audit: the selected rules and everything the engine needs, decided once.
pub struct Plan {
    rules: pack::Assembled,
    opts: RunOptions,
    /// `--client-state` inputs, as read.
    clients: Vec<ClientState>,
}

impl Plan {
    /// Loads the rules and resolves domains, targets, DNS servers and sources from the command
    /// line (and, where it leaves them out, the system resolver configuration).
    pub fn new(args: &AuditArgs) -> Result<Plan, UsageError> {
        let clients = client_state::load(&args.client_state)?;
        let rules = pack::assemble(&assembly(args))?;
        let opts = run_options(args, &rules, &clients)?;
        Ok(Plan {
            rules,
            opts,
            clients,
        })
    }

    /// Runs the audit; every call probes afresh (the engine gives every run a fresh memory).
    pub async fn run(&self) -> Report {
        let mut report = kms_preflight_engine::run(&self.rules.rules, self.opts.clone()).await;
        report.dns_servers = self
            .opts
            .settings
            .dns_servers
            .iter()
            .map(|s| s.to_string())
            .collect();
        // Shared CMIDs are a result of their own: they fail whatever the network does.
        report
            .results
            .extend(report::client::cmid_results(&self.clients));
        report.clients = self.clients.clone();
        self.rules.finish(report)
    }

    /// Every probe [`Plan::run`] would send, without sending anything (`--plan`).
    pub fn traffic(&self) -> kms_preflight_engine::plan::TrafficPlan {
        // The system resolver's servers are read only for the probes that ask it (srv.agreement).
        kms_preflight_engine::traffic::plan(&self.rules.rules, &self.opts, &dns::system_dns().0)
    }

    /// The run's `--deadline`.
    pub fn deadline(&self) -> Duration {
        self.opts.deadline
    }
}

fn run_options(
    args: &AuditArgs,
    rules: &pack::Assembled,
    clients: &[ClientState],
) -> Result<RunOptions, UsageError> {
    let activation = super::activation::settings(args)?;
    let default_port = rules.default_port();
    let mut targets: Vec<Target> = args
        .hosts
        .iter()
        .map(|h| h.target(default_port, "--host"))
        .collect();
    targets.extend(rules.profile_targets());
    let client = client_state::plan(clients, default_port);
    for t in client.targets {
        match targets
            .iter_mut()
            .find(|x| x.host == t.host && x.port == t.port)
        {
            Some(x) => x.origins.extend(t.origins),
            None => targets.push(t),
        }
    }
    let explicit = !args.domains.is_empty() || !args.suffixes.is_empty();
    // A client pinned to its host does no DNS discovery: with client state, only the clients'
    // own domains are searched; without it, plain --host is such a client too.
    let client_domains = !clients.is_empty() && !explicit;
    let system_domains_wanted = !explicit
        && (if clients.is_empty() {
            args.hosts.is_empty()
        } else {
            client.needs_system_domains
        });
    let (sys_servers, sys_domains) = if args.dns.is_empty() || system_domains_wanted {
        dns::system_dns()
    } else {
        (Vec::new(), Vec::new())
    };
    let (dns_servers, dns_from_cli) = if !args.dns.is_empty() {
        (args.dns.clone(), true)
    } else if !client.dns.is_empty() {
        // The clients' own DNS servers first; the system's after them, for when those do not
        // answer from here.
        let mut servers = client.dns.clone();
        servers.extend(sys_servers.into_iter().filter(|s| !client.dns.contains(s)));
        (servers, true)
    } else {
        (sys_servers, false)
    };
    let mut from_clients = client.domains.clone();
    if client.needs_system_domains {
        from_clients.extend(sys_domains.iter().cloned());
    }
    let none = Vec::new();
    // Like a client: explicit domains, else the simulated suffix list, else the clients'
    // own, else the system's (not for a client given its host by hand).
    let (domain_list, search_origin, flag) = if !args.domains.is_empty() {
        (&args.domains, "--domain", "--domain")
    } else if !args.suffixes.is_empty() {
        (&args.suffixes, "--suffix", "--suffix")
    } else if client_domains {
        (&from_clients, "--client-state", "--client-state")
    } else if system_domains_wanted {
        (&sys_domains, "system resolver search list", "search list")
    } else {
        (&none, "--host", "--host")
    };
    let mut domains = Vec::new();
    for d in domain_list {
        let name = dns::fqdn(d).map_err(|e| {
            report::usage::domain(flag, format!("{d:?}"), dns_name::name_error_message(d, &e))
        })?;
        let shown = dns::display_name(&name);
        if !domains.contains(&shown) {
            domains.push(shown);
        }
    }
    if domains.is_empty() && targets.is_empty() && clients.is_empty() {
        return Err(report::usage::no_domain().into());
    }
    if dns_servers.is_empty()
        && !(targets.iter().all(|t| t.host.parse::<IpAddr>().is_ok()) && domains.is_empty())
    {
        return Err(report::usage::no_dns_server().into());
    }
    let sources =
        source::parse_sources(&args.sources, &args.interfaces).map_err(report::usage::sources)?;
    Ok(RunOptions {
        domains: domains.clone(),
        targets,
        sources,
        timeout: args.timeout,
        deadline: args.deadline.unwrap_or(crate::cli::CHECK_DEADLINE),
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
