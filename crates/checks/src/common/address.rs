//! The addresses and port a host-scoped check probes, and the finding for a failed connect:
//! shared by every kind that connects to a KMS host.

use crate::{CheckContext, Finding, RunSettings};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use serde_json::Value;
use serde_saphyr::Spanned;

use kms_preflight_engine::{render_port, Status};
use kms_preflight_net::dns::{self, Resolution};
use kms_preflight_net::memo::RunMemo;
use kms_preflight_net::tcp::{ConnectFailure, Tried};

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
    .map_err(|e| Finding::new(Status::Error, e))
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
        return Err(Finding::new(
            Status::Error,
            "this check needs a host (scope each-host)",
        ));
    };
    let res = lookup(ctx, &target.host).await?;
    if res.addresses.is_empty() {
        return Err(Finding::new(
            Status::Skip,
            format!(
                "skipped: {} has no address ({})",
                target.host,
                dns::no_answer_message(&res.attempts)
            ),
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
            .ok_or_else(|| Finding::new(Status::Error, "no port: set 'port' or run per host")),
    }
}

/// The finding for one failed connect, with what it predicts and what to do. A timeout blames
/// a firewall only with evidence consistent with one: every attempt stayed silent while other
/// hosts on the same path answered in this run (`memo`); otherwise it says no answer, host
/// down or filtered, which is all the probe can tell.
pub fn connect_failure_finding(
    addr: SocketAddr,
    timeout: Duration,
    failure: &ConnectFailure,
    tried: &Tried,
    memo: &RunMemo,
) -> Finding {
    let port = addr.port();
    let host_fix = format!(
        "On the KMS host: check the service runs (Get-Service sppsvc; slmgr /dlv shows 'Listening on Port'), \
         open the port (Enable-NetFirewallRule -Name SPPSVC-In-TCP, or New-NetFirewallRule -DisplayName 'KMS {port}' -Direction Inbound -Protocol TCP -LocalPort {port} -Action Allow). \
         If the host listens on another port, fix the SRV record or set it back with slmgr /sprt {port}. \
         Then from a client: Test-NetConnection -ComputerName <host> -Port {port}"
    );
    let path_fix = format!(
        "Allow TCP {port} from this subnet to {ip} on every firewall between them (and on the host: Enable-NetFirewallRule -Name SPPSVC-In-TCP). \
         Then from a client: Test-NetConnection -ComputerName {ip} -Port {port}",
        ip = addr.ip()
    );
    let f = match failure {
        ConnectFailure::Refused => Finding::new(
            Status::Fail,
            format!("connection to {addr} refused (RST): nothing listens on {port} there, or a firewall rejects it"),
        )
        .codes(&["0xC004F074", "0x800706BA"])
        .remediation(host_fix),
        ConnectFailure::ResetAfterConnect => Finding::new(
            Status::Fail,
            format!(
                "connected to {addr}, then the connection was reset (RST) at once, before a byte was sent: \
                 a middlebox or service completes the handshake and kills the connection"
            ),
        )
        .codes(&["0xC004F074", "0x800706BA"])
        .remediation(format!(
            "An IPS or application-aware firewall, a load balancer without a healthy backend, or a service that refuses this client. \
             Test-NetConnection may report TcpTestSucceeded: True here although clients fail. {path_fix}\n{host_fix}"
        )),
        ConnectFailure::TimedOut => {
            let answered: Vec<String> = tried
                .path
                .as_deref()
                .map(|p| memo.tcp_answered_on(p, addr.ip()))
                .unwrap_or_default()
                .iter()
                .map(|a| a.to_string())
                .collect();
            let n = tried.attempts.max(1);
            let within = humantime::format_duration(timeout);
            let f = if answered.is_empty() {
                Finding::new(
                    Status::Fail,
                    format!(
                        "no answer from {addr} to {n} connection attempt(s) within {within} (host down or filtered):                          nothing else on this path answered in this run, so the two cannot be told apart"
                    ),
                )
                .remediation(format!(
                    "Check that {ip} is up and is the KMS host (a retired host leaves a stale record). If it is up: {path_fix}",
                    ip = addr.ip()
                ))
                .evidence("diagnosis", "no-answer")
            } else {
                let shown: Vec<&str> = answered.iter().take(5).map(String::as_str).collect();
                Finding::new(
                    Status::Fail,
                    format!(
                        "no answer from {addr} to {n} connection attempt(s) within {within}, while {} on the same path answered: \
                         filtered (a firewall drops the SYN), or the host is down",
                        shown.join(", ")
                    ),
                )
                .remediation(path_fix)
                .evidence("diagnosis", "filtered")
            };
            let mut f = f
                .codes(&["0xC004F074", "0x800706BA"])
                .evidence("attempts", n)
                .evidence(
                    "path_answered",
                    Value::Array(answered.into_iter().map(Value::String).collect()),
                );
            if let Some(p) = &tried.path {
                f = f.evidence("path", p.clone());
            }
            f
        }
        ConnectFailure::Unreachable(e) => Finding::new(
            Status::Fail,
            format!("{addr} is unreachable ({e}): no route, or a router answered ICMP unreachable"),
        )
        .codes(&["0xC004F074", "0x800706BA"])
        .remediation(format!(
            "Check routing from this subnet to {ip} (VPN split tunnel, default gateway, static routes) and any firewall that rejects with ICMP. {path_fix}",
            ip = addr.ip()
        )),
        ConnectFailure::Prohibited(e) => Finding::new(
            Status::Fail,
            format!("connection to {addr} prohibited ({e}): a firewall or local policy rejects it"),
        )
        .codes(&["0xC004F074", "0x800706BA"])
        .remediation(path_fix),
        ConnectFailure::SourceUnusable(e) => Finding::new(Status::Error, format!("cannot probe {addr}: {e}")),
        ConnectFailure::WrongFamily(e) => Finding::new(Status::Skip, format!("skipped {addr}: {e}")),
        ConnectFailure::Other(e) => Finding::new(Status::Error, format!("connect to {addr} failed: {e}")),
    };
    f.address(addr.ip().to_string())
        .evidence("port", port)
        .evidence("result", failure.class())
        .evidence("timeout_ms", timeout.as_millis() as u64)
}

/// The addresses a prerequisite published as `fact` (e.g. `reachable` from `tcp`,
/// `rpc_ok_addresses` from `kms-rpc`): `skip` with `none_left` when it published an empty
/// list, and every address of the host when it published none (no such prerequisite).
pub async fn addresses_from_fact(
    ctx: &CheckContext<'_>,
    fact: fn(&crate::Facts) -> &Option<Vec<IpAddr>>,
    none_left: &str,
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
