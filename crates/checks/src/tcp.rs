//! `tcp`: a TCP handshake to every address of each KMS host. Only a completed handshake
//! passes; refused, timed out, unreachable and prohibited are told apart.

use crate::{evidence, CheckContext, CheckOutput, Finding, Kms, RunSettings};
use std::net::SocketAddr;
use std::time::Duration;

use kms_preflight_engine::Message;
use serde_saphyr::{Location, Spanned};
use tokio::task::JoinSet;

use crate::common::address::{addresses_for, connect_failure_finding, port_for};

use kms_preflight_engine::rules::Scope;
use kms_preflight_engine::Status;
use kms_preflight_engine::{validate_port, BoxFuture, Check};
use kms_preflight_net::ms;
use kms_preflight_net::tcp::{connect_as_client, watch_after_connect, AfterConnect};

kms_preflight_engine::messages! {}

kms_preflight_engine::check_rule! {
    /// Parameters of a `tcp` check.
    TcpRule => TcpCheck {
        /// Port to connect to; default: the host's port (from its SRV record or `--host`).
        port: Option<Spanned<String>>,
        /// After the handshake, watch this long (capped at the timeout) for an immediate RST or
        /// FIN: a middlebox that completes the handshake and then kills the connection.
        /// Default 0 (off); the built-in pack uses 200ms.
        hold: Option<Spanned<String>>,
        #[serde(default)]
        expect: TcpExpect,
    }
}

/// What a `tcp` check expects of a host with several addresses.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TcpExpect {
    /// `all` (default): every address must connect; each failing one fails.
    /// `any`: one connecting address is enough; failing ones are reported as warnings.
    pub addresses: Option<Spanned<String>>,
}

/// `hold` as a duration; `0`/`0s`/absent is off. Errors name the value.
fn parse_hold(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    if t == "0" || t == "off" {
        return Ok(Duration::ZERO);
    }
    let d = humantime::parse_duration(t)
        .map_err(|e| format!("hold '{s}': {e} (write e.g. 200ms, or 0 for off)"))?;
    if d > Duration::from_secs(10) {
        return Err(format!("hold '{s}' is more than 10s"));
    }
    Ok(d)
}

/// With `--source`, names the subnet the firewall rule must allow (per-subnet rules).
fn for_source(mut f: Finding, source: Option<&crate::Source>, addr: SocketAddr) -> Finding {
    let Some(src) = source.and_then(|s| s.address) else {
        return f;
    };
    if f.status != Status::Fail {
        return f;
    }
    let subnet = kms_preflight_net::route::subnet_of(src).unwrap_or_else(|| src.to_string());
    if let Some(r) = f.remediation.as_ref().map(Message::legacy_text) {
        f.remediation = Some(Message::from(format!(
            "This result is for source {src} (subnet {subnet}): allow TCP {port} from {subnet} to {ip} on the firewalls and in the VPN's split-tunnel rules of that subnet; other subnets may differ (see the source × target matrix).\n{r}",
            port = addr.port(),
            ip = addr.ip()
        )));
    }
    f.evidence("source_subnet", subnet)
}

/// The finding for a completed handshake and what followed it during `hold`.
fn after_connect_finding(
    addr: SocketAddr,
    rtt: Duration,
    hold: Duration,
    after: &AfterConnect,
) -> Finding {
    let port = addr.port();
    let held = humantime::format_duration(hold);
    let middlebox_fix = format!(
        "Something completes the handshake for {addr} and then drops the connection: an IPS or application-aware \
         firewall, a load balancer without a healthy backend, or a service that refuses this client. Check the \
         firewalls between this subnet and {ip} for MS-RPC/TCP {port} policies; on the KMS host: Get-Service sppsvc, \
         Enable-NetFirewallRule -Name SPPSVC-In-TCP. Test-NetConnection reports TcpTestSucceeded: True in this case \
         although clients fail.",
        ip = addr.ip()
    );
    match after {
        AfterConnect::Quiet if hold.is_zero() => {
            Finding::new(Status::Pass, format!("connected to {addr} in {:.2} ms", ms(rtt)))
        }
        AfterConnect::Quiet => Finding::new(
            Status::Pass,
            format!("connected to {addr} in {:.2} ms and the connection stayed open for {held}", ms(rtt)),
        ),
        AfterConnect::Reset => Finding::new(
            Status::Fail,
            format!("connected to {addr} in {:.2} ms, then the connection was reset (RST) within {held} without a byte sent", ms(rtt)),
        )
        .codes(&["0xC004F074", "0x800706BA"])
        .remediation(middlebox_fix),
        AfterConnect::Closed => Finding::new(
            Status::Fail,
            format!("connected to {addr} in {:.2} ms, then the peer closed the connection (FIN) within {held} without a byte sent; a KMS host waits for the client", ms(rtt)),
        )
        .codes(&["0xC004F074", "0x800706BA"])
        .remediation(middlebox_fix),
        AfterConnect::Data(bytes) => Finding::new(
            Status::Warn,
            format!(
                "connected to {addr} in {:.2} ms, but the peer spoke first ('{}'): a KMS host never does, so another service listens on {port}",
                ms(rtt),
                kms_preflight_wire::dcerpc::printable_prefix(bytes, 48)
            ),
        )
        .codes(&["0xC004F074"])
        .evidence("received", kms_preflight_wire::dcerpc::printable_prefix(bytes, 64)),
    }
}

/// Longest a lossy pass waits for a running ICMP probe of the same address to quote its loss.
pub const ICMP_WAIT: Duration = Duration::from_millis(250);

/// A probe that connected only after retries is a warning: the path loses packets (or is
/// very slow), and clients pay for it with retransmission delays or failed attempts. The ICMP
/// loss of the address is added when an ICMP probe of it ran in this run (waiting at most
/// [`ICMP_WAIT`] for one still running).
pub async fn lossy(
    mut f: Finding,
    ctx: &CheckContext<'_>,
    addr: SocketAddr,
    attempts: u32,
) -> Finding {
    // A short wait at most: a lossy pass must not hold up the checks that require it.
    let icmp = ctx
        .settings
        .memo
        .icmp_loss(addr.ip(), ctx.source, ICMP_WAIT.min(ctx.timeout))
        .await;
    let icmp_text = icmp
        .map(|l| format!("; ICMP loss {l:.0} %"))
        .unwrap_or_default();
    f.status = Status::Warn;
    f.message = format!(
        "lossy path: {attempts} attempts{icmp_text}; {} (a client gets through after retransmitting, but slowly and not always)",
        f.message.legacy_text()
    )
    .into();
    f.remediation = Some(Message::from(format!(
        "The path to {ip} drops packets or is very slow: {attempts} connection attempts were needed. Look for loss on the \
         links between this subnet and {ip} (interface errors, a saturated WAN or VPN link, a duplex mismatch), e.g. \
         pathping {ip} from a client; KMS works through it only while the retransmissions get through.",
        ip = addr.ip()
    )));
    if let Some(l) = icmp {
        f = f.evidence("icmp_loss_percent", l);
    }
    f.evidence("lossy", true)
}

impl Check<Kms> for TcpCheck {
    fn default_scope(&self) -> Scope {
        Scope::EACH_HOST
    }

    fn budget(&self, timeout: Duration, settings: &RunSettings) -> Duration {
        // Parallel connects (retried like a client within two timeouts) and the hold after each.
        crate::common::address::per_address_budget(timeout, settings, 2)
    }

    fn templates(&self) -> Vec<&Spanned<String>> {
        self.port.iter().collect()
    }

    fn validate(&self) -> Vec<(Location, String)> {
        let mut out: Vec<_> = self.port.iter().filter_map(validate_port).collect();
        if let Some(h) = &self.hold {
            if let Err(e) = parse_hold(&h.value) {
                out.push((h.referenced, e));
            }
        }
        out.extend(
            self.expect.addresses.as_ref().and_then(|a| {
                kms_preflight_engine::validate_choice(a, "addresses", &["all", "any"])
            }),
        );
        out
    }

    fn evidence_vars(&self) -> &'static [&'static str] {
        &["rtt_ms", "result", "timeout_ms", "local", "hold_ms"]
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
            let hold = self
                .hold
                .as_ref()
                .and_then(|h| parse_hold(&h.value).ok())
                .unwrap_or(Duration::ZERO)
                .min(ctx.timeout);
            let mut set = JoinSet::new();
            for (i, ip) in addrs.iter().enumerate() {
                let addr = SocketAddr::new(*ip, port);
                let source = ctx.source.cloned();
                let timeout = ctx.timeout;
                let memo = ctx.settings.memo.clone();
                set.spawn(async move {
                    let (r, tried) =
                        connect_as_client(addr, source.as_ref(), timeout, Some(&memo)).await;
                    let r = match r {
                        Ok(c) => {
                            let after = if hold.is_zero() {
                                AfterConnect::Quiet
                            } else {
                                watch_after_connect(&c.stream, hold).await
                            };
                            Ok((c, after))
                        }
                        Err(e) => Err(e),
                    };
                    (i, addr, r, tried)
                });
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
            for (_, addr, r, tried) in results {
                match r {
                    Ok((c, after)) => {
                        if matches!(after, AfterConnect::Quiet | AfterConnect::Data(_)) {
                            reachable.push(addr.ip());
                        }
                        let mut f = after_connect_finding(addr, c.rtt, hold, &after)
                            .address(addr.ip().to_string())
                            .evidence("port", port)
                            .evidence("result", after.class())
                            .evidence(evidence::RTT_MS, ms(c.rtt))
                            .evidence("attempts", c.attempts);
                        if !hold.is_zero() {
                            f = f.evidence("hold_ms", hold.as_millis() as u64);
                        }
                        if let Some(l) = c.local {
                            f = f.evidence("local", l.to_string());
                        }
                        if c.attempts > 1 && f.status == Status::Pass {
                            f = lossy(f, ctx, addr, c.attempts).await;
                        }
                        findings.push(f);
                    }
                    Err(e) => findings.push(for_source(
                        connect_failure_finding(addr, ctx.timeout, &e, &tried, &ctx.settings.memo),
                        ctx.source,
                        addr,
                    )),
                }
            }
            let any = self
                .expect
                .addresses
                .as_ref()
                .is_some_and(|a| a.value == "any");
            if any && !reachable.is_empty() {
                let n = findings.len();
                for f in &mut findings {
                    if f.status == Status::Fail {
                        f.status = Status::Warn;
                        f.message.push_legacy(&format!(
                            " ({} of {n} addresses of this host connected and the rule accepts any; \
                             clients that pick this address first still lose a timeout on it)",
                            reachable.len()
                        ));
                    }
                }
            }
            let facts = crate::Facts {
                addresses_total: Some(findings.len()),
                reachable: Some(reachable),
                port: Some(port),
                ..Default::default()
            };
            CheckOutput {
                findings,
                facts,
                discovered: Vec::new(),
            }
        })
    }
}

#[cfg(test)]
mod hold_tests {
    use super::parse_hold;
    use std::time::Duration;

    #[test]
    fn hold_values() {
        assert_eq!(parse_hold("0"), Ok(Duration::ZERO));
        assert_eq!(parse_hold("off"), Ok(Duration::ZERO));
        assert_eq!(parse_hold("200ms"), Ok(Duration::from_millis(200)));
        assert!(parse_hold("fast").unwrap_err().contains("hold 'fast'"));
        assert!(parse_hold("1m").unwrap_err().contains("more than 10s"));
    }
}
