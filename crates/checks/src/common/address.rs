//! The addresses and port a host-scoped check probes, and the finding for a failed connect:
//! shared by every kind that connects to a KMS host.

use crate::{CheckContext, Finding, RunSettings};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use kms_preflight_engine::{render_port, Message, Status};
use kms_preflight_net::dns::{self, Resolution};
use kms_preflight_net::memo::RunMemo;
use kms_preflight_net::tcp::{ConnectFailure, Tried};

use crate::common as msg;

/// Resolves `host` for a job: the servers, timeout and source of its context.
pub async fn lookup(ctx: &CheckContext<'_>, host: &str) -> Result<Resolution, Finding> {
    dns::resolve_host(
        &ctx.settings.memo,
        &ctx.settings.dns_servers,
        host,
        ctx.timeout,
        ctx.source,
    )
    .await
    .map_err(|e| Finding::new(Status::Error, msg::lookup_failed(e)))
}

/// Budget of a job that probes every address of a host in parallel: resolution (when no
/// prerequisite gave the addresses), then `legs` timeouts per address, and a second of slack.
pub fn per_address_budget(timeout: Duration, settings: &RunSettings, legs: u32) -> Duration {
    dns::lookup_budget(timeout, &settings.dns_servers) + timeout * legs + Duration::from_secs(1)
}

/// The addresses a host-scoped check should probe: from a prerequisite's facts, or resolved now.
pub async fn addresses_for(ctx: &CheckContext<'_>) -> Result<Vec<IpAddr>, Finding> {
    if let Some(addrs) = ctx.prior.addresses.as_ref().filter(|a| !a.is_empty()) {
        return Ok(addrs.clone());
    }
    let Some(target) = ctx.target else {
        return Err(Finding::new(Status::Error, msg::needs_host()));
    };
    let res = lookup(ctx, &target.host).await?;
    if res.addresses.is_empty() {
        return Err(Finding::new(
            Status::Skip,
            msg::no_address(&target.host, dns::no_answer_message(&res.attempts)),
        ));
    }
    Ok(res.addresses)
}

pub fn port_for(ctx: &CheckContext<'_>, port: &Option<Spanned<String>>) -> Result<u16, Finding> {
    match port {
        Some(p) => render_port(p, ctx.vars),
        None => ctx
            .target
            .map(|t| t.port)
            .ok_or_else(|| Finding::new(Status::Error, msg::no_port())),
    }
}

/// What a timed-out connect can tell about its path (evidence `diagnosis`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ConnectDiagnosis {
    /// Nothing else on the same path answered in this run: host down or filtered, undecided.
    NoAnswer,
    /// Other hosts on the same path answered: a firewall drops the SYN (or the host is down).
    Filtered,
}

/// The evidence of a failed connect (shared by `tcp`, `kms-rpc` and `kms-activation`): what
/// was tried and what came back. The keys of a timeout come first, as reports have them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ConnectFailureEvidence {
    /// Timeouts only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnosis: Option<ConnectDiagnosis>,
    /// Timeouts only: connection attempts started (a client's SYN schedule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts: Option<u32>,
    /// Timeouts only: other hosts that answered on the same path in this run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_answered: Option<Vec<IpAddr>>,
    /// Timeouts only: the path the attempts took (source and local address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub port: u16,
    /// The failure class (`refused`, `timeout`, `unreachable`, …).
    pub result: String,
    pub timeout_ms: u64,
}

/// The commands of the remediations below (commands are not prose: the catalog quotes them).
fn new_firewall_rule(port: u16) -> String {
    format!(
        "New-NetFirewallRule -DisplayName 'KMS {port}' -Direction Inbound -Protocol TCP -LocalPort {port} -Action Allow"
    )
}

fn test_connection(host: &str, port: u16) -> String {
    format!("Test-NetConnection -ComputerName {host} -Port {port}")
}

/// The finding for one failed connect, with what it predicts and what to do, and its
/// evidence (the caller puts it into its kind's evidence). A timeout blames a firewall only
/// with evidence consistent with one: every attempt stayed silent while other hosts on the
/// same path answered in this run (`memo`); otherwise it says no answer, host down or
/// filtered, which is all the probe can tell.
pub fn connect_failure_finding(
    addr: SocketAddr,
    timeout: Duration,
    failure: &ConnectFailure,
    tried: &Tried,
    memo: &RunMemo,
) -> (Finding, ConnectFailureEvidence) {
    let port = addr.port();
    let ip = addr.ip();
    let timeout_ms = timeout.as_millis() as u64;
    let mut ev = ConnectFailureEvidence {
        port,
        result: failure.class().to_string(),
        timeout_ms,
        ..Default::default()
    };
    let host_fix = || {
        msg::fix_host_service(
            new_firewall_rule(port),
            format!("slmgr /sprt {port}"),
            test_connection("<host>", port),
        )
    };
    let path_fix = || msg::fix_path(port, ip, test_connection(&ip.to_string(), port));
    const CODES: &[&str] = &["0xC004F074", "0x800706BA"];
    let f = match failure {
        ConnectFailure::Refused => Finding::new(Status::Fail, msg::connect_refused(addr, port))
            .codes(CODES)
            .remediation(host_fix()),
        ConnectFailure::ResetAfterConnect => Finding::new(Status::Fail, msg::connect_reset(addr))
            .codes(CODES)
            .remediation(msg::fix_reset_after_connect(path_fix(), host_fix())),
        ConnectFailure::TimedOut => {
            let answered: Vec<IpAddr> = tried
                .path
                .as_deref()
                .map(|p| memo.tcp_answered_on(p, ip))
                .unwrap_or_default();
            let n = tried.attempts.max(1);
            let f = if answered.is_empty() {
                ev.diagnosis = Some(ConnectDiagnosis::NoAnswer);
                Finding::new(Status::Fail, msg::connect_no_answer(addr, n, timeout_ms))
                    .remediation(msg::fix_host_down(ip, path_fix()))
            } else {
                ev.diagnosis = Some(ConnectDiagnosis::Filtered);
                let shown: Vec<IpAddr> = answered.iter().take(5).copied().collect();
                Finding::new(
                    Status::Fail,
                    msg::connect_filtered(addr, n, timeout_ms, shown),
                )
                .remediation(path_fix())
            };
            ev.attempts = Some(n);
            ev.path_answered = Some(answered);
            ev.path = tried.path.clone();
            f.codes(CODES)
        }
        ConnectFailure::Unreachable(e) => {
            Finding::new(Status::Fail, msg::connect_unreachable(addr, e.clone()))
                .codes(CODES)
                .remediation(msg::fix_unreachable(ip, path_fix()))
        }
        ConnectFailure::Prohibited(e) => {
            Finding::new(Status::Fail, msg::connect_prohibited(addr, e.clone()))
                .codes(CODES)
                .remediation(path_fix())
        }
        ConnectFailure::SourceUnusable(e) => {
            Finding::new(Status::Error, msg::connect_source_unusable(addr, e.clone()))
        }
        ConnectFailure::WrongFamily(e) => {
            Finding::new(Status::Skip, msg::connect_wrong_family(addr, e.clone()))
        }
        ConnectFailure::Other(e) => {
            Finding::new(Status::Error, msg::connect_error(addr, e.clone()))
        }
    };
    (f.address(ip.to_string()), ev)
}

/// The addresses a prerequisite published as `fact` (e.g. `reachable` from `tcp`,
/// `rpc_ok_addresses` from `kms-rpc`): `skip` with `none_left` when it published an empty
/// list, and every address of the host when it published none (no such prerequisite).
pub async fn addresses_from_fact(
    ctx: &CheckContext<'_>,
    fact: fn(&crate::Facts) -> &Option<Vec<IpAddr>>,
    none_left: impl Into<Message>,
) -> Result<Vec<IpAddr>, Finding> {
    match fact(ctx.prior) {
        Some(addrs) => {
            let addrs = addrs.clone();
            if addrs.is_empty() {
                Err(Finding::new(Status::Skip, none_left))
            } else {
                Ok(addrs)
            }
        }
        _ => addresses_for(ctx).await,
    }
}
