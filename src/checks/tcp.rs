//! `tcp`: a TCP handshake to every address of each KMS host. Only a completed handshake
//! passes; refused, timed out, unreachable and prohibited are told apart.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use serde_json::Value;
use serde_saphyr::{Location, Spanned};
use tokio::task::JoinSet;

use super::{
    render_port, validate_port, BoxFuture, Check, CheckContext, CheckOutput, Finding, RunSettings,
};
use crate::net::ms;
use crate::net::tcp::{connect, ConnectFailure};
use crate::report::Status;
use crate::rules::{Over, Scope};

crate::check_rule! {
    /// Parameters of a `tcp` check.
    TcpRule => TcpCheck {
        /// Port to connect to; default: the host's port (from its SRV record or `--host`).
        port: Option<Spanned<String>>,
    }
}

/// The addresses a host-scoped check should probe: from a prerequisite's facts, or resolved now.
pub async fn addresses_for(ctx: &CheckContext<'_>) -> Result<Vec<IpAddr>, Finding> {
    if let Some(Value::Array(list)) = ctx.prior.get("addresses") {
        let addrs: Vec<IpAddr> = list
            .iter()
            .filter_map(|v| v.as_str()?.parse().ok())
            .collect();
        if !addrs.is_empty() {
            return Ok(addrs);
        }
    }
    let Some(target) = ctx.target else {
        return Err(Finding::new(
            Status::Error,
            "this check needs a host (scope each-host)",
        ));
    };
    let res = super::resolve::lookup(ctx, &target.host).await?;
    if res.addresses.is_empty() {
        return Err(Finding::new(
            Status::Skip,
            format!(
                "skipped: {} has no address ({})",
                target.host,
                crate::net::dns::no_answer_message(&res.attempts)
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

/// The finding for one failed connect, with what it predicts and what to do.
pub fn connect_failure_finding(
    addr: SocketAddr,
    timeout: Duration,
    failure: &ConnectFailure,
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
        ConnectFailure::TimedOut => Finding::new(
            Status::Fail,
            format!(
                "no answer from {addr} within {}: filtered (a firewall drops the SYN) or the host is down",
                humantime::format_duration(timeout)
            ),
        )
        .codes(&["0xC004F074", "0x800706BA"])
        .remediation(path_fix),
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

/// With `--source`, names the subnet the firewall rule must allow (per-subnet rules).
fn for_source(mut f: Finding, source: Option<&super::Source>, addr: SocketAddr) -> Finding {
    let Some(src) = source.and_then(|s| s.address) else {
        return f;
    };
    if f.status != Status::Fail {
        return f;
    }
    let subnet = crate::net::route::subnet_of(src).unwrap_or_else(|| src.to_string());
    if let Some(r) = &f.remediation {
        f.remediation = Some(format!(
            "This result is for source {src} (subnet {subnet}): allow TCP {port} from {subnet} to {ip} on the firewalls and in the VPN's split-tunnel rules of that subnet; other subnets may differ (see the source × target matrix).\n{r}",
            port = addr.port(),
            ip = addr.ip()
        ));
    }
    f.evidence("source_subnet", subnet)
}

impl Check for TcpCheck {
    fn default_scope(&self) -> Scope {
        Scope {
            over: Over::Host,
            per_source: false,
        }
    }

    fn budget(&self, timeout: Duration, settings: &RunSettings) -> Duration {
        // Resolution (when no prerequisite gave addresses) plus parallel connects.
        let n = settings.dns_servers.len().max(1) as u32;
        (timeout * 2 + Duration::from_millis(500)) * n + timeout + Duration::from_secs(1)
    }

    fn templates(&self) -> Vec<&Spanned<String>> {
        self.port.iter().collect()
    }

    fn validate(&self) -> Vec<(Location, String)> {
        self.port
            .as_ref()
            .and_then(validate_port)
            .into_iter()
            .collect()
    }

    fn evidence_vars(&self) -> &'static [&'static str] {
        &["rtt_ms", "result", "timeout_ms", "local"]
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext<'a>) -> BoxFuture<'a, CheckOutput> {
        Box::pin(async move {
            let port = match port_for(ctx, &self.port) {
                Ok(p) => p,
                Err(f) => return CheckOutput::one(f),
            };
            let addrs = match addresses_for(ctx).await {
                Ok(a) => a,
                Err(f) => return CheckOutput::one(f),
            };
            let mut set = JoinSet::new();
            for (i, ip) in addrs.iter().enumerate() {
                let addr = SocketAddr::new(*ip, port);
                let source = ctx.source.cloned();
                let timeout = ctx.timeout;
                set.spawn(async move { (i, addr, connect(addr, source.as_ref(), timeout).await) });
            }
            let mut results = Vec::new();
            while let Some(r) = set.join_next().await {
                if let Ok(r) = r {
                    results.push(r);
                }
            }
            results.sort_by_key(|r| r.0);
            let mut findings = Vec::new();
            let mut reachable = Vec::new();
            for (_, addr, r) in results {
                match r {
                    Ok(c) => {
                        reachable.push(Value::String(addr.ip().to_string()));
                        let mut f = Finding::new(
                            Status::Pass,
                            format!("connected to {addr} in {:.2} ms", ms(c.rtt)),
                        )
                        .address(addr.ip().to_string())
                        .evidence("port", port)
                        .evidence("result", "connected")
                        .evidence("rtt_ms", ms(c.rtt));
                        if let Some(l) = c.local {
                            f = f.evidence("local", l.to_string());
                        }
                        findings.push(f);
                    }
                    Err(e) => findings.push(for_source(
                        connect_failure_finding(addr, ctx.timeout, &e),
                        ctx.source,
                        addr,
                    )),
                }
            }
            let mut facts = serde_json::Map::new();
            facts.insert("reachable".into(), Value::Array(reachable));
            facts.insert("port".into(), Value::from(port));
            CheckOutput {
                findings,
                facts,
                discovered: Vec::new(),
            }
        })
    }
}
