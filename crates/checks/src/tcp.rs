//! `tcp`: a TCP handshake to every address of each KMS host. Only a completed handshake
//! passes; refused, timed out, unreachable and prohibited are told apart.

use crate::{CheckContext, CheckOutput, Finding, Kms, RunSettings};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_saphyr::{Location, Spanned};
use tokio::task::JoinSet;

use crate::common::address::{
    addresses_for, connect_failure_finding, port_for, ConnectFailureEvidence,
};

use crate::common::validation as invalid;
use kms_preflight_engine::rules::Scope;
use kms_preflight_engine::Status;
use kms_preflight_engine::{validate_port, BoxFuture, Check, Message};
use kms_preflight_net::ms;
use kms_preflight_net::tcp::{connect_as_client, watch_after_connect, AfterConnect};

kms_preflight_engine::messages! {
    /// connected to {addr} in {rtt_ms} ms
    connected = "tcp-connected" (addr, rtt_ms);
    /// connected to {addr} in {rtt_ms} ms and the connection stayed open for {hold_ms}
    connected_held = "tcp-connected-held" (addr, rtt_ms, hold_ms);
    /// connected to {addr} in {rtt_ms} ms, then the connection was reset (RST) within
    /// {hold_ms} without a byte sent
    reset_within_hold = "tcp-reset-within-hold" (addr, rtt_ms, hold_ms);
    /// connected to {addr} in {rtt_ms} ms, then the peer closed the connection (FIN) within
    /// {hold_ms} without a byte sent; a KMS host waits for the client
    closed_within_hold = "tcp-closed-within-hold" (addr, rtt_ms, hold_ms);
    /// connected to {addr} in {rtt_ms} ms, but the peer spoke first ('{banner}'): a KMS host
    /// never does, so another service listens on {port}
    peer_spoke_first = "tcp-peer-spoke-first" (addr, rtt_ms, banner, port);
    /// Something completes the handshake for {addr} and then drops the connection: an IPS or
    /// application-aware firewall, a load balancer without a healthy backend, or a service
    /// that refuses this client. Check the firewalls between this subnet and {ip} for
    /// MS-RPC/TCP {port} policies; on the KMS host: Get-Service sppsvc, Enable-NetFirewallRule
    /// -Name SPPSVC-In-TCP. Test-NetConnection reports TcpTestSucceeded: True in this case
    /// although clients fail.
    fix_middlebox = "tcp-fix-middlebox" (addr, ip, port);
    /// This result is for source {source} (subnet {subnet}): allow TCP {port} from {subnet} to
    /// {ip} on the firewalls and in the VPN's split-tunnel rules of that subnet; other subnets
    /// may differ (see the source × target matrix).⏎{fix}
    fix_for_source = "tcp-fix-for-source" (source, subnet, port, ip, fix);
    /// {message} ({connected} of {total} addresses of this host connected and the rule accepts
    /// any; clients that pick this address first still lose a timeout on it)
    accepted_by_any = "tcp-accepted-by-any" (message, connected, total);
    /// lossy path: {attempts} attempts; {message} (a client gets through after retransmitting,
    /// but slowly and not always)
    lossy_path = "tcp-lossy-path" (attempts, message);
    /// lossy path: {attempts} attempts; ICMP loss {icmp_loss_percent} %; {message} (a client
    /// gets through after retransmitting, but slowly and not always)
    lossy_path_icmp = "tcp-lossy-path-icmp" (attempts, icmp_loss_percent, message);
    /// The path to {ip} drops packets or is very slow: {attempts} connection attempts were
    /// needed. Look for loss on the links between this subnet and {ip} (interface errors, a
    /// saturated WAN or VPN link, a duplex mismatch), e.g. {pathping} from a client; KMS works
    /// through it only while the retransmissions get through.
    fix_lossy = "tcp-fix-lossy" (ip, attempts, pathping);
}

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

/// The evidence of a `tcp` result: a handshake, a failed connect, or nothing measured (a
/// skip). Each shape keeps the key order reports have.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum TcpEvidence {
    Connected(TcpConnected),
    Failed(TcpFailed),
    Nothing(crate::NothingMeasured),
}

impl Default for TcpEvidence {
    fn default() -> Self {
        TcpEvidence::Nothing(crate::NothingMeasured {})
    }
}

/// A completed handshake and what followed it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TcpConnected {
    /// The peer spoke first: the start of what it sent (printable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received: Option<String>,
    pub port: u16,
    /// `connected`, `reset-after-connect`, `closed-after-connect` or `banner`.
    pub result: String,
    pub rtt_ms: f64,
    /// Connection attempts started before the handshake completed.
    pub attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local: Option<SocketAddr>,
    /// A lossy path: the ICMP loss an `icmp` probe of the same address measured in this run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icmp_loss_percent: Option<f64>,
    /// Connected only after retries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lossy: Option<bool>,
}

/// A connect that failed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TcpFailed {
    #[serde(flatten)]
    pub connect: ConnectFailureEvidence,
    /// With `--source`: the subnet the firewall rule must allow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_subnet: Option<String>,
}

impl TcpEvidence {
    pub fn port(&self) -> Option<u16> {
        match self {
            TcpEvidence::Connected(c) => Some(c.port),
            TcpEvidence::Failed(f) => Some(f.connect.port),
            TcpEvidence::Nothing(_) => None,
        }
    }
    /// The outcome class (`connected`, `refused`, `timeout`, …).
    pub fn result(&self) -> Option<&str> {
        match self {
            TcpEvidence::Connected(c) => Some(&c.result),
            TcpEvidence::Failed(f) => Some(&f.connect.result),
            TcpEvidence::Nothing(_) => None,
        }
    }
    /// The handshake time of a connection.
    pub fn rtt_ms(&self) -> Option<f64> {
        match self {
            TcpEvidence::Connected(c) => Some(c.rtt_ms),
            _ => None,
        }
    }
}

impl crate::Evidence {
    /// The evidence of a `tcp` result.
    pub fn tcp(&self) -> Option<&TcpEvidence> {
        match self {
            crate::Evidence::Tcp(e) => Some(e),
            _ => None,
        }
    }
}

/// `hold` as a duration; `0`/`0s`/absent is off. Errors name the value.
fn parse_hold(s: &str) -> Result<Duration, Message> {
    let t = s.trim();
    if t == "0" || t == "off" {
        return Ok(Duration::ZERO);
    }
    let d = humantime::parse_duration(t).map_err(|e| {
        invalid::tcp_hold_invalid(s, kms_preflight_engine::rules::duration_reason(&e))
    })?;
    if d > Duration::from_secs(10) {
        return Err(invalid::tcp_hold_too_long(s));
    }
    Ok(d)
}

/// With `--source`, names the subnet the firewall rule must allow (per-subnet rules).
fn for_source(
    mut f: Finding,
    mut ev: TcpFailed,
    source: Option<&crate::Source>,
    addr: SocketAddr,
) -> (Finding, TcpFailed) {
    let Some(src) = source.and_then(|s| s.address) else {
        return (f, ev);
    };
    if f.status != Status::Fail {
        return (f, ev);
    }
    let subnet = kms_preflight_net::route::subnet_of(src).unwrap_or_else(|| src.to_string());
    if let Some(r) = f.remediation.take() {
        f.remediation = Some(fix_for_source(src, &subnet, addr.port(), addr.ip(), r));
    }
    ev.source_subnet = Some(subnet);
    (f, ev)
}

/// Milliseconds of a duration as messages take them (the catalog prints whole units).
fn millis(d: Duration) -> u64 {
    d.as_millis() as u64
}

/// The finding for a completed handshake and what followed it during `hold`.
fn after_connect_finding(
    addr: SocketAddr,
    rtt: Duration,
    hold: Duration,
    after: &AfterConnect,
) -> Finding {
    let port = addr.port();
    let rtt_ms = ms(rtt);
    let held = millis(hold);
    let middlebox_fix = || fix_middlebox(addr, addr.ip(), port);
    match after {
        AfterConnect::Quiet if hold.is_zero() => {
            Finding::new(Status::Pass, connected(addr, rtt_ms))
        }
        AfterConnect::Quiet => Finding::new(Status::Pass, connected_held(addr, rtt_ms, held)),
        AfterConnect::Reset => Finding::new(Status::Fail, reset_within_hold(addr, rtt_ms, held))
            .codes(&["0xC004F074", "0x800706BA"])
            .remediation(middlebox_fix()),
        AfterConnect::Closed => Finding::new(Status::Fail, closed_within_hold(addr, rtt_ms, held))
            .codes(&["0xC004F074", "0x800706BA"])
            .remediation(middlebox_fix()),
        AfterConnect::Data(bytes) => Finding::new(
            Status::Warn,
            peer_spoke_first(
                addr,
                rtt_ms,
                kms_preflight_wire::dcerpc::printable_prefix(bytes, 48),
                port,
            ),
        )
        .codes(&["0xC004F074"]),
    }
}

/// Longest a lossy pass waits for a running ICMP probe of the same address to quote its loss.
pub const ICMP_WAIT: Duration = Duration::from_millis(250);

/// A probe that connected only after retries is a warning: the path loses packets (or is
/// very slow), and clients pay for it with retransmission delays or failed attempts. The ICMP
/// loss of the address is added when an ICMP probe of it ran in this run (waiting at most
/// [`ICMP_WAIT`] for one still running). Returns that loss, for the caller's evidence (with
/// `lossy: true`).
pub async fn lossy(
    f: &mut Finding,
    ctx: &CheckContext<'_>,
    addr: SocketAddr,
    attempts: u32,
) -> Option<f64> {
    // A short wait at most: a lossy pass must not hold up the checks that require it.
    let icmp = ctx
        .settings
        .memo
        .icmp_loss(
            addr.ip(),
            ctx.source,
            ICMP_WAIT.min(ctx.timeout).min(ctx.left()),
        )
        .await;
    f.status = Status::Warn;
    let inner = f.message.clone();
    f.message = match icmp {
        Some(l) => lossy_path_icmp(attempts, l, inner),
        None => lossy_path(attempts, inner),
    };
    let ip = addr.ip();
    f.remediation = Some(fix_lossy(ip, attempts, format!("pathping {ip}")));
    icmp
}

impl Check<Kms> for TcpCheck {
    fn default_scope(&self) -> Scope {
        Scope::EACH_HOST
    }

    fn budget(&self, timeout: Duration, settings: &RunSettings) -> Duration {
        // Resolution first (no prerequisite gave addresses), then parallel connects (retried
        // like a client) and the hold after each, all within one timeout.
        crate::common::address::per_address_budget(timeout, settings, 1)
    }

    fn job_budget(
        &self,
        timeout: Duration,
        settings: &RunSettings,
        prior: &crate::Facts,
    ) -> Duration {
        if prior.addresses.as_ref().is_some_and(|a| !a.is_empty()) {
            timeout
        } else {
            self.budget(timeout, settings)
        }
    }

    fn templates(&self) -> Vec<&Spanned<String>> {
        self.port.iter().collect()
    }

    fn validate(&self) -> Vec<(Location, Message)> {
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

    fn plan(
        &self,
        ctx: &kms_preflight_engine::plan::PlanContext<'_, Kms>,
    ) -> Vec<kms_preflight_engine::plan::PlannedProbe> {
        let hold = self
            .hold
            .as_ref()
            .and_then(|h| parse_hold(&h.value).ok())
            .unwrap_or(Duration::ZERO);
        let what = if hold.is_zero() {
            crate::common::plan::tcp_connect()
        } else {
            crate::common::plan::tcp_handshake(hold.as_millis() as u64)
        };
        vec![crate::common::plan::to_kms_hosts(
            crate::common::plan::kms_port(ctx, &self.port),
            what,
        )]
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
            // Each connect's outcome, before its hold: the handshakes done are what the RPC
            // bind needs, so it may start while the holds are watched (CheckContext::early).
            let (handshakes, mut handshake_rx) = tokio::sync::mpsc::unbounded_channel();
            for (i, ip) in addrs.iter().enumerate() {
                let addr = SocketAddr::new(*ip, port);
                let source = ctx.source.cloned();
                let timeout = ctx.timeout.min(ctx.left());
                let memo = ctx.settings.memo.clone();
                let deadline = ctx.deadline;
                let handshakes = handshakes.clone();
                set.spawn(async move {
                    let (r, tried) =
                        connect_as_client(addr, source.as_ref(), timeout, Some(&memo)).await;
                    let _ = handshakes.send((i, r.is_ok()));
                    let r = match r {
                        Ok(c) => {
                            // A late handshake watches only what is left of the budget.
                            let hold = hold.min(
                                deadline.saturating_duration_since(tokio::time::Instant::now()),
                            );
                            let after = if hold.is_zero() {
                                AfterConnect::Quiet
                            } else {
                                watch_after_connect(&c.stream, hold).await
                            };
                            Ok((c, after, hold))
                        }
                        Err(e) => Err(e),
                    };
                    (i, addr, r, tried)
                });
            }
            drop(handshakes);
            if let (Some(early), false) = (ctx.early, hold.is_zero()) {
                // Once every connect has ended: the addresses that connected, as the final
                // facts will list them if every hold stays quiet.
                let mut connected = vec![false; addrs.len()];
                let mut heard = 0;
                while heard < addrs.len() {
                    let Some((i, ok)) = handshake_rx.recv().await else {
                        break;
                    };
                    connected[i] = ok;
                    heard += 1;
                }
                let reachable: Vec<IpAddr> = addrs
                    .iter()
                    .zip(&connected)
                    .filter(|(_, ok)| **ok)
                    .map(|(ip, _)| *ip)
                    .collect();
                if heard == addrs.len() && !reachable.is_empty() {
                    early(&crate::Facts {
                        addresses_total: Some(addrs.len()),
                        reachable: Some(reachable),
                        port: Some(port),
                        ..Default::default()
                    });
                }
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
                    Ok((c, after, hold)) => {
                        if matches!(after, AfterConnect::Quiet | AfterConnect::Data(_)) {
                            reachable.push(addr.ip());
                        }
                        let mut f = after_connect_finding(addr, c.rtt, hold, &after)
                            .address(addr.ip().to_string());
                        let mut ev = TcpConnected {
                            received: match &after {
                                AfterConnect::Data(bytes) => {
                                    Some(kms_preflight_wire::dcerpc::printable_prefix(bytes, 64))
                                }
                                _ => None,
                            },
                            port,
                            result: after.class().to_string(),
                            rtt_ms: ms(c.rtt),
                            attempts: c.attempts,
                            hold_ms: (!hold.is_zero()).then(|| millis(hold)),
                            local: c.local,
                            ..Default::default()
                        };
                        if c.attempts > 1 && f.status == Status::Pass {
                            ev.icmp_loss_percent = lossy(&mut f, ctx, addr, c.attempts).await;
                            ev.lossy = Some(true);
                        }
                        findings.push(f.with(TcpEvidence::Connected(ev)));
                    }
                    Err(e) => {
                        let (f, connect) = connect_failure_finding(
                            addr,
                            ctx.timeout,
                            &e,
                            &tried,
                            &ctx.settings.memo,
                        );
                        let failed = TcpFailed {
                            connect,
                            source_subnet: None,
                        };
                        let (f, failed) = for_source(f, failed, ctx.source, addr);
                        findings.push(f.with(TcpEvidence::Failed(failed)));
                    }
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
                        f.message = accepted_by_any(f.message.clone(), reachable.len(), n);
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
mod tests {
    use super::*;
    use crate::testing::en;
    use kms_preflight_engine::EvidenceSet;

    /// Evidence as reports recorded it reads back typed, and writes out the same text (key
    /// order too).
    #[test]
    fn recorded_evidence_reads_back_in_each_shape() {
        for (text, shape) in [
            (
                r#"{"port":1688,"result":"connected","rtt_ms":0.154,"attempts":2,"hold_ms":200,"local":"198.18.0.1:48808","icmp_loss_percent":0.0,"lossy":true}"#,
                "connected",
            ),
            (
                r#"{"received":"SSH-2.0-OpenSSH_9.2","port":22,"result":"banner","rtt_ms":1.0,"attempts":1}"#,
                "connected",
            ),
            (
                r#"{"diagnosis":"filtered","attempts":4,"path_answered":["198.18.100.30"],"path":"198.18.2.2 via 198.18.2.2","port":1688,"result":"timeout","timeout_ms":1000,"source_subnet":"198.18.2.0/24"}"#,
                "failed",
            ),
            (
                r#"{"port":1688,"result":"refused","timeout_ms":1000}"#,
                "failed",
            ),
            ("{}", "nothing"),
        ] {
            let v: serde_json::Value = serde_json::from_str(text).unwrap();
            let e = crate::Evidence::from_recorded("tcp", v).unwrap();
            // An empty object is "nothing measured" (an engine-made skip), whatever the kind.
            if text == "{}" {
                assert_eq!(serde_json::to_string(&e).unwrap(), text);
                continue;
            }
            let t = e.tcp().expect("typed tcp evidence");
            let got = match t {
                TcpEvidence::Connected(_) => "connected",
                TcpEvidence::Failed(_) => "failed",
                TcpEvidence::Nothing(_) => "nothing",
            };
            assert_eq!(got, shape, "{text}");
            assert_eq!(serde_json::to_string(&e).unwrap(), text);
        }
        let v =
            serde_json::json!({"port": 1688, "result": "connected", "rtt_ms": 0.5, "attempts": 1});
        let e = crate::Evidence::from_recorded("tcp", v).unwrap();
        assert_eq!(e.tcp().and_then(TcpEvidence::rtt_ms), Some(0.5));
        assert_eq!(e.tcp().and_then(TcpEvidence::result), Some("connected"));
        assert_eq!(e.tcp().and_then(TcpEvidence::port), Some(1688));
    }

    /// The sentences that wrap another finding's sentence render it inside, in the same
    /// language, and read exactly as they always have in English.
    #[test]
    fn wrapping_sentences_nest_the_inner_message() {
        let addr: SocketAddr = "198.18.0.10:1688".parse().unwrap();
        let inner = crate::common::connect_refused(addr, 1688u16);
        assert_eq!(
            en(&accepted_by_any(inner, 1usize, 2usize)),
            "connection to 198.18.0.10:1688 refused (RST): nothing listens on 1688 there, or a \
             firewall rejects it (1 of 2 addresses of this host connected and the rule accepts \
             any; clients that pick this address first still lose a timeout on it)"
        );
        let ok = connected_held(addr, 0.154, 200u64);
        assert_eq!(
            en(&lossy_path_icmp(2u32, 40.0, ok.clone())),
            "lossy path: 2 attempts; ICMP loss 40 %; connected to 198.18.0.10:1688 in 0.15 ms and \
             the connection stayed open for 200ms (a client gets through after retransmitting, \
             but slowly and not always)"
        );
        assert_eq!(
            en(&lossy_path(3u32, ok)),
            "lossy path: 3 attempts; connected to 198.18.0.10:1688 in 0.15 ms and the connection \
             stayed open for 200ms (a client gets through after retransmitting, but slowly and \
             not always)"
        );
        let fix = fix_for_source(
            "198.18.2.2",
            "198.18.2.0/24",
            1688u16,
            "198.18.0.10",
            fix_middlebox(addr, addr.ip(), 1688u16),
        );
        let text = en(&fix);
        assert!(
            text.starts_with(
                "This result is for source 198.18.2.2 (subnet 198.18.2.0/24): allow TCP 1688 from \
                 198.18.2.0/24 to 198.18.0.10 on the firewalls"
            ),
            "{text}"
        );
        assert!(
            text.contains("(see the source × target matrix).\nSomething completes the handshake for 198.18.0.10:1688"),
            "{text}"
        );
        let ja = kms_preflight_catalog::Catalog::get(kms_preflight_catalog::Lang::Ja).text(&fix);
        assert!(
            ja.contains("送信元 198.18.2.2") && ja.contains("ハンドシェイク"),
            "{ja}"
        );
    }

    #[test]
    fn hold_values() {
        assert_eq!(parse_hold("0"), Ok(Duration::ZERO));
        assert_eq!(parse_hold("off"), Ok(Duration::ZERO));
        assert_eq!(parse_hold("200ms"), Ok(Duration::from_millis(200)));
        let en = |m| crate::testing::en(&m);
        assert!(en(parse_hold("fast").unwrap_err()).starts_with("hold 'fast': "));
        assert_eq!(
            en(parse_hold("1m").unwrap_err()),
            "hold '1m' is more than 10s"
        );
    }
}
