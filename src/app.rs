//! Turns parsed command-line arguments into a run: rule loading, target and DNS server
//! parsing, system resolver defaults, rendering, exit codes. `main` stays thin.

use std::io::IsTerminal;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use crate::checks::{RunSettings, Target};
use crate::cli::{CheckArgs, Cli, Command, RuleArgs, RulesCommand};
use crate::engine::{self, RunOptions};
use crate::report;
use crate::rules::{self, LoadOptions, RuleSet, RuleSource, Vars};

/// Exit codes: the documented contract.
pub const EXIT_OK: i32 = 0;
pub const EXIT_FAIL: i32 = 1;
pub const EXIT_USAGE: i32 = 2;
pub const EXIT_INTERNAL: i32 = 3;

/// A user error (bad argument or rules) with the message to print; exit code 2.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

pub fn parse_var(s: &str) -> Result<(String, String), UsageError> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(UsageError(format!("--var {s:?}: expected KEY=VALUE"))),
    }
}

/// `NAME`, `NAME:PORT`, `IPv4:PORT`, `[IPv6]:PORT` or a bare IPv6 address.
pub fn parse_host(s: &str, default_port: u16) -> Result<Target, UsageError> {
    let bad = |why: &str| {
        UsageError(format!(
            "--host {s:?}: {why} (expected NAME, NAME:PORT or [IPv6]:PORT)"
        ))
    };
    let s = s.trim();
    if s.is_empty() {
        return Err(bad("empty"));
    }
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let (h, after) = rest.split_once(']').ok_or_else(|| bad("missing ']'"))?;
        let port = match after.strip_prefix(':') {
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| bad("invalid port"))?,
            None if after.is_empty() => default_port,
            None => return Err(bad("unexpected text after ']'")),
        };
        h.parse::<std::net::Ipv6Addr>()
            .map_err(|_| bad("not an IPv6 address inside [ ]"))?;
        (h.to_string(), port)
    } else if s.parse::<std::net::Ipv6Addr>().is_ok() {
        (s.to_string(), default_port)
    } else if let Some((h, p)) = s.rsplit_once(':') {
        let port = p
            .parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| bad("invalid port"))?;
        (h.to_string(), port)
    } else {
        (s.to_string(), default_port)
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host.is_empty() {
        return Err(bad("empty host name"));
    }
    if host.parse::<IpAddr>().is_err() {
        crate::net::dns::fqdn(&host).map_err(|e| bad(&e))?;
    }
    Ok(Target {
        host,
        port,
        origins: vec!["--host".into()],
    })
}

/// `--ntp`: `NAME`, `NAME:PORT`, `IP`, `[IPv6]:PORT`; port 123 by default.
pub fn parse_ntp(s: &str) -> Result<(String, u16), UsageError> {
    let t = parse_host(s, 123).map_err(|e| UsageError(e.0.replacen("--host", "--ntp", 1)))?;
    Ok((t.host, t.port))
}

/// `IP`, `IP:PORT`, `[IPv6]:PORT` or a bare IPv6 address; port 53 by default.
pub fn parse_dns_server(s: &str) -> Result<SocketAddr, UsageError> {
    let s = s.trim();
    if let Ok(sa) = s.parse::<SocketAddr>() {
        return Ok(sa);
    }
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, 53));
    }
    Err(UsageError(format!(
        "--dns {s:?}: expected an IP address, IP:PORT or [IPv6]:PORT (DNS servers are given by address)"
    )))
}

/// The system resolver configuration: servers and the domain search list.
pub fn system_dns() -> (Vec<SocketAddr>, Vec<String>) {
    match hickory_resolver::system_conf::read_system_conf() {
        Ok((cfg, _)) => {
            let mut servers: Vec<SocketAddr> = Vec::new();
            for ns in cfg.name_servers() {
                let port = ns.connections.first().map_or(53, |c| c.port);
                let sa = SocketAddr::new(ns.ip, port);
                if !servers.contains(&sa) {
                    servers.push(sa);
                }
            }
            let mut domains: Vec<String> = cfg
                .search()
                .iter()
                .map(crate::net::dns::display_name)
                .collect();
            if domains.is_empty() {
                if let Some(d) = cfg.domain() {
                    domains.push(crate::net::dns::display_name(d));
                }
            }
            domains.retain(|d| d != "." && !d.is_empty());
            (servers, domains)
        }
        Err(_) => (Vec::new(), Vec::new()),
    }
}

pub fn load_rules(
    args: &RuleArgs,
    extra_paths: &[std::path::PathBuf],
) -> Result<RuleSet, UsageError> {
    let mut cli_vars = Vars::new();
    for v in &args.vars {
        let (k, val) = parse_var(v)?;
        cli_vars.insert(k, val);
    }
    let mut sources: Vec<RuleSource> = if args.no_builtin {
        Vec::new()
    } else {
        rules::embedded::sources()
    };
    for p in args.rules.iter().chain(extra_paths) {
        sources.extend(RuleSource::from_path(p).map_err(|e| UsageError(e.to_string()))?);
    }
    if sources.is_empty() {
        return Err(UsageError(
            "no rules: --no-builtin was given without --rules".into(),
        ));
    }
    rules::load(&sources, &LoadOptions { cli_vars }).map_err(|e| UsageError(e.to_string()))
}

fn color_wanted(no_color: bool) -> bool {
    !no_color
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::stdout().is_terminal()
}

/// Runs a parsed command line; returns the exit code. Output goes to stdout, errors to stderr.
pub async fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Check(args) => match check(args).await {
            Ok(code) => code,
            Err(e) => {
                eprintln!("kms-preflight: {e}");
                EXIT_USAGE
            }
        },
        Command::Rules(RulesCommand::List { rules }) => match load_rules(&rules, &[]) {
            Ok(set) => {
                print!("{}", list_rules(&set));
                EXIT_OK
            }
            Err(e) => {
                eprintln!("kms-preflight: {e}");
                EXIT_USAGE
            }
        },
        Command::Explain(a) => crate::operator::explain(a),
        Command::Diagnose(a) => crate::operator::diagnose(a).await,
        Command::Diff(a) => crate::operator::diff(a),
        Command::Completions { shell } => crate::operator::completions(shell),
        Command::Man { out_dir } => crate::operator::man(out_dir.as_deref()),
        Command::Rules(RulesCommand::Validate { paths }) => {
            let args = RuleArgs {
                rules: Vec::new(),
                no_builtin: false,
                vars: Vec::new(),
            };
            match load_rules(&args, &paths) {
                Ok(set) => {
                    let user = set
                        .checks
                        .iter()
                        .filter(|c| !c.file.starts_with("<built-in>"))
                        .count();
                    println!("ok: {user} check(s) in {} path(s) are valid", paths.len());
                    EXIT_OK
                }
                Err(e) => {
                    eprintln!("{e}");
                    EXIT_USAGE
                }
            }
        }
    }
}

pub fn list_rules(set: &RuleSet) -> String {
    let w_id = set
        .checks
        .iter()
        .map(|c| c.id.len())
        .max()
        .unwrap_or(2)
        .max(2);
    let w_kind = set
        .checks
        .iter()
        .map(|c| c.kind.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let w_scope = set
        .checks
        .iter()
        .map(|c| c.scope.name().len())
        .max()
        .unwrap_or(5)
        .max(5);
    let mut out = format!(
        "{:<w_id$}  {:<w_kind$}  {:<w_scope$}  TITLE\n",
        "ID", "KIND", "SCOPE"
    );
    for c in &set.checks {
        out.push_str(&format!(
            "{:<w_id$}  {:<w_kind$}  {:<w_scope$}  {}  ({}:{})\n",
            c.id,
            c.kind,
            c.scope.name(),
            c.title,
            c.file,
            c.line
        ));
    }
    out
}

async fn check(args: CheckArgs) -> Result<i32, UsageError> {
    let format = args.format;
    let report = run_check(args).await?;
    print!("{}", crate::operator::render(&report, format));
    Ok(report.exit_code())
}

/// Plans and runs `check` (also used by `diagnose`); the report is not printed.
pub async fn run_check(mut args: CheckArgs) -> Result<report::Report, UsageError> {
    if let Some(ntp) = &args.ntp {
        let (host, port) = parse_ntp(ntp)?;
        args.rules.vars.push(format!("ntp_reference={host}"));
        args.rules.vars.push(format!("ntp_port={port}"));
    }
    let (rules, profile) = crate::operator::load_for_check(&args)?;
    let default_port: u16 = rules
        .vars
        .get("port")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1688);
    let mut targets = Vec::new();
    for h in &args.hosts {
        targets.push(parse_host(h, default_port)?);
    }
    targets.extend(crate::operator::profile_targets(&args, default_port)?);
    let (sys_servers, sys_domains) =
        if args.dns.is_empty() || (args.domains.is_empty() && args.suffixes.is_empty()) {
            system_dns()
        } else {
            (Vec::new(), Vec::new())
        };
    let (dns_servers, dns_from_cli) = if args.dns.is_empty() {
        (sys_servers, false)
    } else {
        (
            args.dns
                .iter()
                .map(|s| parse_dns_server(s))
                .collect::<Result<Vec<_>, _>>()?,
            true,
        )
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
        let name =
            crate::net::dns::fqdn(d).map_err(|e| UsageError(format!("{flag} {d:?}: {e}")))?;
        let shown = crate::net::dns::display_name(&name);
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
    let timeout = match &args.timeout {
        Some(t) => {
            Some(rules::parse_duration(t).map_err(|e| UsageError(format!("--timeout: {e}")))?)
        }
        None => None,
    };
    let deadline = rules::parse_duration(&args.deadline)
        .map_err(|e| UsageError(format!("--deadline: {e}")))?;
    if args.concurrency == 0 {
        return Err(UsageError("--concurrency must be at least 1".into()));
    }
    let sources =
        crate::sources::parse_sources(&args.sources, &args.interfaces).map_err(UsageError)?;
    colored::control::set_override(color_wanted(args.no_color));
    let opts = RunOptions {
        domains: domains.clone(),
        targets,
        sources,
        timeout,
        deadline,
        concurrency: args.concurrency,
        settings: RunSettings {
            dns_servers,
            dns_from_cli,
            search_domains: domains.clone(),
            search_origin: search_origin.to_string(),
        },
    };
    let report = engine::run(&rules, opts).await;
    Ok(crate::operator::finish(report, &profile))
}

/// Parses a duration given on the command line (re-exported for tests).
pub fn cli_duration(s: &str) -> Result<Duration, String> {
    rules::parse_duration(s)
}
