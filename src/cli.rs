//! Command-line interface (clap derive). `--help` is the reference documentation.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

pub use kms_preflight::cli_values::HostArg;
use kms_preflight::cli_values::{
    parse_cmid, parse_concurrency, parse_deadline, parse_dns_server, parse_host, parse_host_name,
    parse_interval, parse_label, parse_listen, parse_max_addresses, parse_port, parse_range,
    parse_rate, parse_sweep_concurrency, parse_timeout, parse_var, product_parser,
};
use kms_preflight_checks::pack::profiles;
use kms_preflight_checks::sweep;
use kms_preflight_net::scan::range::AddrRange;

/// Pre-flight checks for KMS volume activation: would Windows/Office activation work from
/// this machine, and if not, exactly what must be fixed?
#[derive(Debug, Parser)]
#[command(name = "kms-preflight", version, about, long_about = None, after_long_help = ACTIVATION_NOTE)]
pub struct Cli {
    /// Output language: en or ja. Default: $KMS_PREFLIGHT_LANG, else the locale (LC_ALL,
    /// LC_MESSAGES, LANG; ja_JP.UTF-8 selects Japanese).
    #[arg(long, global = true, value_enum, value_name = "LANG")]
    pub lang: Option<kms_preflight::language::LangFlag>,
    #[command(subcommand)]
    pub command: Command,
}

// `check` carries every option; the enum is built once per run, so its size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the checks: discover KMS hosts through DNS SRV records and probe each one.
    #[command(after_long_help = ACTIVATION_NOTE)]
    Check(CheckArgs),
    /// Run as a Prometheus exporter: audit at start and every --interval, and serve the
    /// latest report over HTTP (/metrics, /healthz, /report.json, /). No request can choose
    /// what is probed.
    #[command(long_about = SERVE_ABOUT, after_long_help = SERVE_AFTER)]
    Serve(ServeArgs),
    /// List or validate rule files.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Explain a Windows/Office activation error code: meaning, layer, causes, the checks that
    /// decide between them, and fix commands.
    Explain(ExplainArgs),
    /// Run only the checks that decide an error code and give the verdict in its terms.
    #[command(after_long_help = ACTIVATION_NOTE)]
    Diagnose(DiagnoseArgs),
    /// Compare two JSON reports (before and after a change): regressions, fixes, hosts added
    /// or removed, changed evidence. Exit 1 when anything regressed.
    Diff(DiffArgs),
    /// Find every KMS listener in address ranges: TCP connect, then on each open port the
    /// read-only DCE/RPC bind (never an activation request), each listener classified (kms,
    /// rpc-other, not-rpc, silent, reset, error) and compared with what DNS publishes
    /// (published, rogue, forbidden, allowed, not-published). Ctrl-C stops it and prints what
    /// was found (exit 130).
    Sweep(SweepArgs),
    /// Print a shell completion script, e.g. `kms-preflight completions bash > /etc/bash_completion.d/kms-preflight`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print a man page (roff), generated from this command-line definition: the program's,
    /// or the one of COMMAND (e.g. `man check`, `man rules validate`); with --out-dir, write
    /// every page there, one per command.
    Man {
        /// The command whose page to print, as typed after `kms-preflight` (`rules validate`,
        /// or `rules-validate`).
        #[arg(value_name = "COMMAND", conflicts_with = "out_dir")]
        command: Vec<String>,
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
}

/// The plain statement `check --help`, `diagnose --help` and the man pages end with.
pub const ACTIVATION_NOTE: &str = "\
Read-only by default: without --activation-probe no KMS activation request is ever sent.

ACTIVATION PROBE (--activation-probe): each probe is a REAL activation request. The KMS host \
adds this machine to its client count for 30 days (one client per machine: the probe always \
sends this machine's one stable client machine id (CMID), generated once and kept in \
$STATE_DIRECTORY/cmid, else $XDG_STATE_HOME/kms-preflight/cmid, else /var/lib/kms-preflight/cmid \
as root, else ~/.local/state/kms-preflight/cmid; --cmid overrides it), and logs it with this \
machine's host name as the workstation name (event 12290). The request says license status \
'unlicensed' with 0 minutes of grace: the probing machine does not run the product. One \
request per host address and --product (default: windows-10-enterprise and \
office-ltsc-2021-proplus). See docs/activation.md.";

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Error code: 0xC004F074, C004F074, c004f074, or decimal (3221549172 or -1073418124).
    #[arg(value_name = "CODE", allow_hyphen_values = true)]
    pub code: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ExplainFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, Args)]
pub struct DiagnoseArgs {
    /// Error code, spelled as for `explain`. May be left out with --client-state: the last
    /// error code the client itself printed is used.
    #[arg(value_name = "CODE", allow_hyphen_values = true)]
    pub code: Option<String>,
    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Report before the change (`check --format json` output).
    #[arg(value_name = "BEFORE.json")]
    pub before: PathBuf,
    /// Report after the change.
    #[arg(value_name = "AFTER.json")]
    pub after: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ExplainFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Coloured table grouped by host (colour only on a terminal).
    Table,
    /// One JSON document, schema kms-preflight/report/v1.
    Json,
    /// JUnit XML: one test case per result, for CI systems.
    Junit,
    /// Markdown for a change ticket: summary, matrix, findings with remediation.
    Markdown,
    /// Prometheus text exposition, for node_exporter's textfile collector.
    Prometheus,
}

#[derive(Debug, Args)]
pub struct RuleArgs {
    /// Rule file or directory, added to the built-in rules (repeatable). A directory is read as
    /// `rules validate` reads it: recursively, .yaml and .yml files in name order; a file with a
    /// `profile:` header is validated as a profile and not run. A check with the id of a
    /// built-in one replaces it.
    #[arg(long = "rules", value_name = "PATH")]
    pub rules: Vec<PathBuf>,
    /// Do not load the built-in rules.
    #[arg(long)]
    pub no_builtin: bool,
    /// Set a rule variable, overriding rule files (repeatable), e.g. --var port=1689.
    #[arg(long = "var", value_name = "KEY=VALUE", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,
    /// KMS host that should be published (repeatable): srv.inventory fails on a published host
    /// not in this list and on a listed host that is missing; sweep allows it unpublished.
    #[arg(long = "expect-host", value_name = "NAME", value_parser = parse_host_name)]
    pub expect_hosts: Vec<String>,
    /// KMS host that must not be published or answer any more, e.g. the one being retired
    /// (repeatable): srv.inventory and sweep fail on it.
    #[arg(long = "forbid-host", value_name = "NAME", value_parser = parse_host_name)]
    pub forbid_hosts: Vec<String>,
}

impl RuleArgs {
    /// The rule variables: the inventory lists (the built-in srv.inventory reads them as
    /// `{{expect_hosts}}` and `{{forbid_hosts}}`), then every --var, which wins.
    pub fn all_vars(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if !self.expect_hosts.is_empty() {
            out.push(("expect_hosts".to_string(), self.expect_hosts.join(",")));
        }
        if !self.forbid_hosts.is_empty() {
            out.push(("forbid_hosts".to_string(), self.forbid_hosts.join(",")));
        }
        out.extend(self.vars.iter().cloned());
        out
    }
}

/// `--fail-on`: the lowest result status that makes the exit code 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum FailOn {
    /// A `fail` or `error` result (a check that could not decide is never a pass).
    #[default]
    Fail,
    /// Also a `warn` result, e.g. to fail a CI job on warnings.
    Warn,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub audit: AuditArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Exit 1 on any result of this status or worse: fail (fail or error) or warn (also warn).
    #[arg(long, value_enum, value_name = "STATUS", default_value = "fail")]
    pub fail_on: FailOn,
    /// Print the verdict line only (e.g. "WORKS — ..."); the exit code says the rest.
    #[arg(short = 'q', long, conflicts_with_all = ["verbose", "format"])]
    pub quiet: bool,
    /// No colour (also: NO_COLOR set, or output not a terminal).
    #[arg(long)]
    pub no_color: bool,
    /// Table: list every result with its full evidence, predicted codes and remediation
    /// (the default table shows the verdict, one line per result that is not a pass and
    /// each fix once). Markdown and JSON always hold everything.
    #[arg(short = 'v', long)]
    pub verbose: bool,
    /// Print the traffic plan and exit without sending anything: every probe the run would
    /// send, with source, destination, protocol, port, the check that sends it and how to
    /// turn it off (--format table, markdown for a change request, or json).
    #[arg(long)]
    pub plan: bool,
}

/// What to audit and how: every option of `check` that plans the run (shared by `check`,
/// `diagnose` and `serve`).
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// DNS domain to search for _vlmcs._tcp SRV records (repeatable).
    /// Default: the domain and search list of the system resolver configuration.
    #[arg(long = "domain", value_name = "DOMAIN")]
    pub domains: Vec<String>,
    /// DNS suffix of the client to simulate, in the client's order (repeatable): its primary DNS
    /// suffix and connection-specific suffixes (ipconfig /all, "DNS Suffix Search List").
    /// Used when no --domain is given; reports which suffix finds which KMS hosts.
    #[arg(long = "suffix", value_name = "SUFFIX")]
    pub suffixes: Vec<String>,
    /// KMS host to check, NAME or NAME:PORT or [IPv6]:PORT (repeatable). Without --domain or
    /// --suffix it stands for a client pinned to it (slmgr /skms): no DNS discovery is done.
    #[arg(long = "host", value_name = "NAME[:PORT]", value_parser = parse_host)]
    pub hosts: Vec<HostArg>,
    /// A Windows client's own output to follow (repeatable; `-` reads stdin): slmgr /dli, /dlv
    /// or /xpr, cscript ospp.vbs /dstatus, reg query of a SoftwareProtectionPlatform key,
    /// ipconfig /all; English or Japanese; UTF-8, UTF-16 with a BOM or CP932. The audit then
    /// does what that client would do: a pinned host only (no DNS discovery), else its lookup
    /// domain or suffix list and its DNS servers (--domain, --suffix, --dns override them), and
    /// the verdict comes per client product. See docs/client-state.md.
    #[arg(long = "client-state", value_name = "FILE")]
    pub client_state: Vec<PathBuf>,
    /// DNS server to query instead of the system's, IP or IP:PORT or [IPv6]:PORT (repeatable,
    /// asked in order).
    #[arg(long = "dns", value_name = "IP[:PORT]", value_parser = parse_dns_server)]
    pub dns: Vec<SocketAddr>,
    /// Probe from this local address (repeatable): every probing check (DNS, TCP, route,
    /// interception, …) runs once per source, concurrently, and the table shows a source ×
    /// host matrix. ADDR%INTERFACE binds both. Default: the OS chooses.
    #[arg(long = "source", value_name = "ADDR[%IFACE]")]
    pub sources: Vec<String>,
    /// Probe through this interface (repeatable; Linux, SO_BINDTODEVICE; needs root or
    /// CAP_NET_RAW): one more source, like --source.
    #[arg(long = "interface", value_name = "NAME")]
    pub interfaces: Vec<String>,
    /// Reference clock for clock.reference: an NTP server you trust, NAME or IP, optionally
    /// :PORT (default 123). Sets the rule variables ntp_reference and ntp_port.
    #[arg(long = "ntp", value_name = "HOST[:PORT]", value_parser = parse_host)]
    pub ntp: Option<HostArg>,
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Timeout of each network operation, overriding every check's own (e.g. 500ms, 3s).
    #[arg(long, value_name = "DURATION",
          value_parser = parse_timeout)]
    pub timeout: Option<Duration>,
    /// Limit for the whole run; checks still running then are reported as errors. Default 60s.
    #[arg(long, value_name = "DURATION", value_parser = parse_deadline)]
    pub deadline: Option<Duration>,
    /// Site configuration (YAML): domains, suffixes, DNS servers, sources, NTP reference,
    /// timeouts, expected and forbidden KMS hosts, labels. An option given on the command line
    /// overrides the file's. See docs/config.md.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Most checks running at once. Default 512 (probing is I/O-bound), lowered when the
    /// open-file limit (RLIMIT_NOFILE) is low; `--help` says what it is here.
    #[arg(long, value_name = "N", value_parser = parse_concurrency)]
    pub concurrency: Option<usize>,
    /// What to check: branch-office (full client-side audit), pre-migration (a new host not
    /// yet in DNS; needs --new-host), post-change (after replacing a host; needs --old-host
    /// and --new-host).
    #[arg(long, value_name = "PROFILE", default_value = profiles::DEFAULT,
          value_parser = clap::builder::PossibleValuesParser::new(profiles::NAMES))]
    pub profile: String,
    /// The new KMS host, NAME or NAME:PORT: checked as a host, and the profile's rules refer
    /// to it as {{new_host}}.
    #[arg(long, value_name = "NAME[:PORT]", value_parser = parse_host)]
    pub new_host: Option<HostArg>,
    /// The KMS host being replaced (post-change): must be gone from DNS and silent.
    #[arg(long, value_name = "NAME[:PORT]", value_parser = parse_host)]
    pub old_host: Option<HostArg>,
    /// Opt-in: also ask each KMS host whether it would activate the --product(s), with a REAL
    /// activation request (check kms.activation, after a passing kms.rpc-bind). Each probe adds
    /// this machine to the host's client count for 30 days (one stable CMID per machine, kept in
    /// the state directory) and is logged by the host with this machine's name (event 12290).
    /// Without this flag no activation request is ever sent.
    #[arg(
        long,
        help_heading = ACTIVATION_HEADING
    )]
    pub activation_probe: bool,
    /// Client machine id to send instead of this machine's stored one (its value is in the
    /// evidence). The host counts every distinct CMID as one client for 30 days.
    #[arg(long, value_name = "UUID", requires = "activation_probe", value_parser = parse_cmid,
          help_heading = ACTIVATION_HEADING)]
    pub cmid: Option<String>,
    /// Product to request (repeatable; each is its own result). Default: one Windows client and
    /// one Office product (windows-10-enterprise and office-ltsc-2021-proplus).
    #[arg(long = "product", value_name = "NAME", requires = "activation_probe",
          value_parser = product_parser(),
          help_heading = ACTIVATION_HEADING)]
    pub products: Vec<String>,
    /// Leave out this check (repeatable), and the checks that require it: e.g. --skip
    /// intercept.tcp when the change request does not allow TCP port 1. `--plan` lists which
    /// check sends what; `rules list` gives every id.
    #[arg(long = "skip", value_name = "CHECK")]
    pub skip: Vec<String>,
    /// Run only these check ids (set by `diagnose`).
    #[arg(skip)]
    pub only: Option<Vec<String>>,
}

#[derive(Debug, Args)]
pub struct SweepArgs {
    /// What to sweep (repeatable): CIDR (10.1.2.0/24, fd00::/120), a range FIRST-LAST
    /// (10.1.2.5-10.1.2.50, or 10.1.2.5-50) or one address. Overlaps are probed once.
    #[arg(value_name = "CIDR|ADDR-RANGE", required = true, value_parser = parse_range)]
    pub ranges: Vec<AddrRange>,
    /// TCP port to probe on every address (repeatable). Default: 1688.
    #[arg(long = "port", value_name = "PORT", value_parser = parse_port)]
    pub ports: Vec<u16>,
    /// New TCP connections per second at most (N or N/s, 1-100000). The default is gentle
    /// on a production LAN; a /24 takes about 2.3 s (1.28 s to start 256 connects, then the 1 s
    /// timeout of the last ones).
    #[arg(long, value_name = "N/s", default_value_t = sweep::DEFAULT_RATE, value_parser = parse_rate)]
    pub rate: u32,
    /// Refuse (exit 2) a sweep of more addresses than this.
    #[arg(long, value_name = "N", default_value_t = sweep::DEFAULT_MAX_ADDRESSES, value_parser = parse_max_addresses)]
    pub max_addresses: u128,
    /// Connects (and RPC binds) in flight at most (1-16384; capped by the open-file limit).
    #[arg(long, value_name = "N", default_value_t = sweep::DEFAULT_CONCURRENCY, value_parser = parse_sweep_concurrency)]
    pub concurrency: usize,
    /// Timeout of each connect and of each RPC bind exchange (e.g. 500ms, 2s).
    #[arg(long, value_name = "DURATION", default_value = "1s",
          value_parser = parse_timeout)]
    pub timeout: Duration,
    /// Probe from this local address, ADDR or ADDR%INTERFACE. Default: the OS chooses.
    #[arg(long = "source", value_name = "ADDR[%IFACE]")]
    pub source: Option<String>,
    /// Compare with the _vlmcs._tcp SRV records of this domain (repeatable). Default: the
    /// domain and search list of the system resolver configuration.
    #[arg(long = "domain", value_name = "DOMAIN")]
    pub domains: Vec<String>,
    /// DNS server for the comparison and the PTR lookups, IP or IP:PORT (repeatable).
    /// Default: the system's.
    #[arg(long = "dns", value_name = "IP[:PORT]", value_parser = parse_dns_server)]
    pub dns: Vec<SocketAddr>,
    /// No DNS at all: no comparison with published records, no PTR lookups (like nmap -n).
    #[arg(long, conflicts_with_all = ["domains", "dns"])]
    pub no_dns: bool,
    /// Rule files: the srv-inventory rule's expect.hosts is the allow-list (KMS hosts that may
    /// answer unpublished) and expect.forbidden_hosts the forbidden list.
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Site configuration (YAML): its domains, DNS servers and expected and forbidden KMS hosts
    /// (the rest is for check and serve). Options given here override the file's.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Also list closed, filtered and unreachable ports one by one (default: counted only).
    #[arg(long)]
    pub all: bool,
    /// Print the traffic plan and exit without sending anything: the ranges and ports probed
    /// and the DNS questions asked (--format table, markdown or json).
    #[arg(long)]
    pub plan: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Exit 1 on any result of this status or worse: fail (fail or error) or warn (also warn:
    /// a rogue KMS host, a listener that cannot be told apart).
    #[arg(long, value_enum, value_name = "STATUS", default_value = "fail")]
    pub fail_on: FailOn,
    /// Print the summary line only (results by status and the verdict); the exit code says the
    /// rest.
    #[arg(short = 'q', long, conflicts_with_all = ["all", "format"])]
    pub quiet: bool,
    /// No colour (also: NO_COLOR set, or output not a terminal).
    #[arg(long)]
    pub no_color: bool,
}

const SERVE_ABOUT: &str = "Run as a Prometheus exporter for one site: run the configured audit at \
start and then every --interval, and serve the latest finished report over HTTP. A request \
never starts an audit, so any number of scrapers cost what one does.

Security property: no endpoint takes a target, host or DNS server from the request. What is \
probed is fixed by the command line and the rule files alone; query strings are ignored and \
every other path (such as blackbox_exporter's /probe?target=...) answers 404, so the exporter \
cannot be used as a proxy to reach other hosts.";

const SERVE_AFTER: &str =
    "Endpoints (GET or HEAD; a short timeout and a size limit on every request; \
requests with a body are refused):
  /metrics      Prometheus text exposition of the latest report, with --label on every series
  /healthz      200 when the last successful audit finished within 2 x --interval, else 503
                (also before the first audit has succeeded)
  /report.json  the latest report, schema kms-preflight/report/v1
  /             HTML status page: verdict per host, failures with their fix (no JavaScript)
  anything else 404

Connections: at most 512 at once and at most 32 from one peer (an IPv4 address, or an IPv6 \
/64); a connection over either limit is closed at once, so one greedy peer cannot keep \
others out. Request headers must arrive within 5 s, a keep-alive connection idle for 5 s is \
closed, and a connection lives at most 120 s.

A failed audit (it ran out of --deadline, or stopped) keeps the previous report and sets \
kms_preflight_audit_success to 0. One log line per audit goes to stderr. SIGTERM or SIGINT \
stops the exporter within a second. Example files for Prometheus (scrape job, alerting rules \
and their tests) and systemd are in the deploy/ directory of the source; see docs/serve.md.";

/// `serve`'s default `--deadline`: below its default `--interval` (60 s), as its own help asks,
/// so a slow audit ends before the next one is due.
pub const SERVE_DEADLINE: Duration = Duration::from_secs(45);

/// `check`'s and `diagnose`'s default `--deadline`.
pub const CHECK_DEADLINE: Duration = Duration::from_secs(60);

const ACTIVATION_HEADING: &str =
    "Activation probe (opt-in; each probe is a real activation request)";

/// The command line as clap parses it: the derive definition, plus what differs per command
/// for an option `check` and `serve` share (`AuditArgs`). Everything that shows the command
/// line (parsing, `--help`, the man pages, completions) starts here.
pub fn command() -> clap::Command {
    crate::cli_help::with_sections(base_command(), &mut Vec::new())
}

/// [`command`] without the EXAMPLES and EXIT STATUS sections in its help: the man pages
/// render those as sections of their own.
pub fn base_command() -> clap::Command {
    Cli::command().mut_subcommand("serve", |c| {
        c.mut_arg("deadline", |a| {
            a.help(
                "Limit for each audit; checks still running then are reported as errors and the \
                 audit counts as failed. Default 45s, below the default --interval; keep it below \
                 --interval (serve warns at start otherwise).",
            )
        })
        // Every interval is a new request: the plain flag would be one too easily copied from
        // a `check` command line. serve refuses it and names the explicit one.
        .mut_arg("activation_probe", |a| a.hide(true))
        .mut_arg("cmid", |a| {
            a.requires(clap::builder::Resettable::<clap::Id>::Reset)
                .requires("activation_probe_every_interval")
        })
        .mut_arg("products", |a| {
            a.requires(clap::builder::Resettable::<clap::Id>::Reset)
                .requires("activation_probe_every_interval")
        })
    })
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on for HTTP. The default is loopback only; for a central
    /// Prometheus use e.g. 0.0.0.0:9688 behind a host firewall, or a reverse proxy.
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:9688",
          value_parser = parse_listen)]
    pub listen: SocketAddr,
    /// Time between the starts of two audits (e.g. 30s, 5m); at least 1s. Keep --deadline
    /// (default 45s) below it.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_interval)]
    pub interval: Duration,
    /// Label added to every series, KEY=VALUE (repeatable), e.g. --label site=osaka. KEY is a
    /// Prometheus label name, not one the exporter or Prometheus sets itself (check, kind,
    /// target, address, source, status, product, version, schema, profile, job, instance).
    #[arg(long = "label", value_name = "KEY=VALUE", value_parser = parse_label)]
    pub labels: Vec<(String, String)>,
    /// Opt-in: run the activation probe (check kms.activation) in EVERY audit, i.e. send each
    /// KMS host a REAL activation request per --product every --interval. The host counts
    /// this machine as one client (one stable CMID) and keeps it counted while the exporter
    /// runs; it logs every request (event 12290): at the default 60s interval, 1,440 events a
    /// day per host address and product. See docs/activation.md. (`check`'s --activation-probe
    /// is refused here.)
    #[arg(long, help_heading = ACTIVATION_HEADING)]
    pub activation_probe_every_interval: bool,
    #[command(flatten)]
    pub audit: AuditArgs,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List every loaded check: id, kind, scope, title.
    List {
        #[command(flatten)]
        rules: RuleArgs,
    },
    /// Validate rule files and profiles; prints every error as file:line:column and exits 2 on
    /// any. Each file is checked as the loader that reads it checks it: a file with a
    /// `profile:` header as a profile (as --profile loads one), any other as --rules loads it.
    Validate {
        /// Rule files or directories (searched recursively for .yaml and .yml files).
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::FromArgMatches;

    fn parse(args: &[&str]) -> Command {
        let m = command()
            .try_get_matches_from(std::iter::once("kms-preflight").chain(args.iter().copied()))
            .unwrap();
        Cli::from_arg_matches(&m).unwrap().command
    }

    /// serve's own rule (keep --deadline below --interval) holds for its defaults; check
    /// keeps its own default.
    #[test]
    fn serve_defaults_keep_the_deadline_below_the_interval() {
        let Command::Serve(s) = parse(&["serve"]) else {
            panic!("not serve")
        };
        assert_eq!(s.audit.deadline, None, "not given");
        assert!(SERVE_DEADLINE < s.interval, "{s:?}");
        assert_eq!(s.interval, Duration::from_secs(60));
        let Command::Check(c) = parse(&["check"]) else {
            panic!("not check")
        };
        assert_eq!(c.audit.deadline, None);
        assert_eq!(CHECK_DEADLINE, Duration::from_secs(60));
        let help = command()
            .find_subcommand_mut("serve")
            .unwrap()
            .render_long_help()
            .to_string();
        assert!(help.contains("Default 45s"), "{help}");
    }

    #[test]
    fn serve_products_need_the_explicit_probe_flag() {
        assert!(command()
            .try_get_matches_from([
                "kms-preflight",
                "serve",
                "--product",
                "windows-10-enterprise"
            ])
            .is_err());
        let Command::Serve(s) = parse(&[
            "serve",
            "--activation-probe-every-interval",
            "--product",
            "windows-10-enterprise",
        ]) else {
            panic!("not serve")
        };
        assert!(s.activation_probe_every_interval && !s.audit.activation_probe);
        command().debug_assert();
    }
}
