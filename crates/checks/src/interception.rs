//! `interception`: evidence that something other than the KMS host answers for its address —
//! a transparent proxy, SYN proxy, IPS or VPN appliance completing TCP handshakes itself.
//! Two observations, both reported as measured, never as a guess:
//!
//! 1. **Closed ports that accept**: a TCP connect to ports the KMS host should not listen on
//!    (`closed_ports`, default 1). A host answers RST or nothing; a device that accepts every
//!    port is answering in its place.
//! 2. **Handshake faster than ICMP**: the fastest of a few TCP handshakes to the KMS port
//!    against the fastest ICMP echo to the same address. A handshake completed well under
//!    the echo round trip (less than a third, and at least 5 ms less) was completed by
//!    something nearer than the host. The echo side of the comparison is surge-ping's own
//!    round trip (send completion to receipt), a lower bound, so a busy machine delaying
//!    the ping task cannot fake the signal. Needs ICMP (raw socket as root / CAP_NET_RAW, or
//!    `ping_group_range`); when ICMP is not permitted or unanswered, this piece is skipped
//!    and says why.
//!
//! A third observation belongs here once the `kms-rpc` kind exists: an RPC bind that fails
//! after a successful connect (rule `kms.rpc-bind`). Because `requires` only passes facts of
//! passing checks, it should plug in by calling the kms-rpc probe function directly for each
//! address whose handshake succeeded (same source, same timeout) and adding
//! "TCP accepted but the DCE/RPC bind got <class>" to the signals below, with the bind
//! result as evidence (`rpc_bind`).
//!
//! Traffic sent: a few SYNs (and closes) per address and port, and a few ICMP echoes.

use crate::{CheckContext, CheckOutput, Finding, Kms, RunSettings, Source};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use serde_json::{json, Value};
use serde_saphyr::{Location, Spanned};
use tokio::task::JoinSet;

use kms_preflight_engine::rules::Scope;
use kms_preflight_engine::Status;
use kms_preflight_engine::{render_port, validate_port, BoxFuture, Check};
use kms_preflight_net::icmp::echo_sequence;
use kms_preflight_net::ms;
use kms_preflight_net::tcp::{connect, ConnectFailure};

kms_preflight_engine::messages! {}

kms_preflight_engine::check_rule! {
    /// Parameters of an `interception` check.
    InterceptionRule => InterceptionCheck {
        /// The KMS port; default: the host's port.
        port: Option<Spanned<String>>,
        /// Ports the KMS host should not accept connections on; default [1].
        closed_ports: Option<Vec<Spanned<String>>>,
        /// Handshakes and ICMP echoes per address, for the RTT comparison (1-10, default 3).
        samples: Option<Spanned<u32>>,
    }
}

const DEFAULT_CLOSED: u16 = 1;

/// True when a handshake was completed much faster than an echo round trip to the same
/// address: under a third of it and at least 5 ms less. Both are minima over the samples, so
/// one scheduling hiccup cannot make the case; the 5 ms floor keeps LAN jitter out, while a
/// proxy at the branch in front of a host across a WAN shows tens of milliseconds.
pub fn handshake_much_faster(tcp_min: Duration, icmp_min: Duration) -> bool {
    tcp_min * 3 < icmp_min && icmp_min.saturating_sub(tcp_min) >= Duration::from_millis(5)
}

pub use kms_preflight_net::icmp::EchoRtt;

/// Result of the ICMP piece.
#[derive(Debug, Clone)]
pub enum Echo {
    Rtts(Vec<EchoRtt>),
    NoReply,
    /// ICMP not permitted or otherwise impossible: the reason.
    Unavailable(String),
}

/// ICMP echoes to `ip` from `source`, one after another within one timeout (net::icmp); the
/// round trips that were answered.
pub async fn echo(ip: IpAddr, source: Option<&Source>, count: u32, timeout: Duration) -> Echo {
    match echo_sequence(ip, source, count, timeout).await {
        Err(u) => Echo::Unavailable(u.reason().to_string()),
        Ok(s) => match s.send_error {
            Some(e) => Echo::Unavailable(format!("ICMP send failed: {e}")),
            None if s.replies.is_empty() => Echo::NoReply,
            None => Echo::Rtts(s.replies),
        },
    }
}

#[derive(Debug)]
struct Observed {
    ip: IpAddr,
    closed: Vec<(u16, Result<Duration, ConnectFailure>)>,
    handshakes: Vec<Duration>,
    handshake_failure: Option<ConnectFailure>,
    echo: Echo,
}

async fn observe(
    ip: IpAddr,
    port: u16,
    closed_ports: Vec<u16>,
    samples: u32,
    source: Option<Source>,
    timeout: Duration,
) -> Observed {
    let src = source.as_ref();
    let closed = async {
        let mut set = JoinSet::new();
        for p in closed_ports {
            let s = source.clone();
            set.spawn(async move {
                let r = connect(SocketAddr::new(ip, p), s.as_ref(), timeout).await;
                (p, r.map(|c| c.rtt))
            });
        }
        let mut out = Vec::new();
        while let Some(r) = set.join_next().await {
            if let Ok(r) = r {
                out.push(r);
            }
        }
        out.sort_by_key(|r| r.0);
        out
    };
    // The samples are sequential (each an RTT measurement) but share one timeout: a lossy
    // path ends the sampling at the deadline with what it has, instead of one timeout each.
    let deadline = tokio::time::Instant::now() + timeout;
    let handshakes = async {
        let mut rtts = Vec::new();
        for _ in 0..samples {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() && !rtts.is_empty() {
                break;
            }
            match connect(SocketAddr::new(ip, port), src, left.max(timeout / 10)).await {
                Ok(c) => rtts.push(c.rtt),
                Err(ConnectFailure::TimedOut) if !rtts.is_empty() => break,
                Err(e) => return (rtts, Some(e)),
            }
        }
        (rtts, None)
    };
    let (closed, (handshakes, handshake_failure), echo) =
        tokio::join!(closed, handshakes, echo(ip, src, samples, timeout));
    Observed {
        ip,
        closed,
        handshakes,
        handshake_failure,
        echo,
    }
}

fn judge(o: &Observed, port: u16) -> Finding {
    let mut signals: Vec<String> = Vec::new();
    let mut checked: Vec<String> = Vec::new();
    let mut silent: Vec<String> = Vec::new();
    let mut closed_json = Vec::new();
    for (p, r) in &o.closed {
        match r {
            Ok(rtt) => {
                signals.push(format!(
                    "TCP port {p}, which should be closed, accepted a connection in {:.2} ms",
                    ms(*rtt)
                ));
                closed_json.push(json!({"port": p, "result": "connected", "rtt_ms": ms(*rtt)}));
            }
            Err(e) => {
                // Only an answer (RST, ICMP unreachable) shows what is there; silence shows nothing.
                if matches!(
                    e,
                    ConnectFailure::Refused
                        | ConnectFailure::Unreachable(_)
                        | ConnectFailure::Prohibited(_)
                ) {
                    checked.push(format!("port {p} {}", e.class()));
                } else {
                    silent.push(format!("port {p} {}", e.class()));
                }
                closed_json.push(json!({"port": p, "result": e.class()}));
            }
        }
    }
    let tcp_min = o.handshakes.iter().min().copied();
    // Shown: the echo timed like the handshake. Decided on: its lower bound, so a busy
    // machine delaying the ping task cannot make a handshake look "much faster".
    let (icmp_json, icmp_min, icmp_min_lb) = match &o.echo {
        Echo::Rtts(r) => (
            Value::from(r.iter().map(|d| ms(d.wall)).collect::<Vec<_>>()),
            r.iter().map(|d| d.wall).min(),
            r.iter().map(|d| d.lower_bound).min(),
        ),
        Echo::NoReply => (Value::from("no reply"), None, None),
        Echo::Unavailable(why) => (Value::from(format!("skipped: {why}")), None, None),
    };
    match (tcp_min, icmp_min) {
        (Some(t), Some(i)) => {
            if handshake_much_faster(t, icmp_min_lb.unwrap_or(i)) {
                signals.push(format!(
                    "the TCP handshake to port {port} took {:.2} ms but an ICMP echo to the same address {:.2} ms: something nearer than the host completes the handshake",
                    ms(t),
                    ms(i)
                ));
            } else {
                checked.push(format!(
                    "handshake {:.2} ms vs ICMP echo {:.2} ms",
                    ms(t),
                    ms(i)
                ));
            }
        }
        (Some(t), None) => silent.push(format!(
            "handshake {:.2} ms but no ICMP comparison ({})",
            ms(t),
            match &o.echo {
                Echo::NoReply => "no echo reply".to_string(),
                Echo::Unavailable(w) => w.clone(),
                Echo::Rtts(_) => String::new(),
            }
        )),
        (None, _) => {
            if let Some(e) = &o.handshake_failure {
                silent.push(format!("port {port} {}", e.class()));
            }
            if let Echo::NoReply = o.echo {
                silent.push("no ICMP echo reply".into());
            }
        }
    }
    let mut f = if !signals.is_empty() {
        Finding::new(
            Status::Fail,
            format!(
                "something other than the KMS host may answer for {}: {}",
                o.ip,
                signals.join("; ")
            ),
        )
        .codes(&["0xC004F074", "0x800706BA"])
        .remediation(format!(
            "A device between this subnet and {ip} (transparent proxy, SYN proxy, IPS, VPN or SD-WAN appliance, load balancer) \
             completes TCP connections itself. Exempt TCP {port} to {ip} from interception/inspection on that device, or send KMS \
             traffic around it (route or split-tunnel exemption). Compare with a capture on the KMS host: the connection should \
             arrive there from the client's own address. Then from a client: Test-NetConnection -ComputerName {ip} -Port {port}",
            ip = o.ip
        ))
    } else if checked.is_empty() {
        Finding::new(
            Status::Skip,
            format!(
                "cannot tell whether something answers for {}: {}",
                o.ip,
                if silent.is_empty() {
                    "no observation succeeded".to_string()
                } else {
                    silent.join("; ")
                }
            ),
        )
    } else {
        checked.extend(silent);
        Finding::new(
            Status::Pass,
            format!(
                "no sign of interception at {}: {}",
                o.ip,
                checked.join("; ")
            ),
        )
    };
    f = f
        .address(o.ip.to_string())
        .evidence("closed_ports", Value::Array(closed_json))
        .evidence(
            "tcp_rtt_ms",
            Value::from(o.handshakes.iter().map(|d| ms(*d)).collect::<Vec<_>>()),
        )
        .evidence("icmp_rtt_ms", icmp_json)
        .evidence("signals", Value::from(signals));
    if let Some(e) = &o.handshake_failure {
        f = f.evidence("handshake_failure", e.class());
    }
    f
}

impl InterceptionCheck {
    fn samples(&self) -> u32 {
        self.samples.as_ref().map_or(3, |s| s.value).clamp(1, 10)
    }
}

impl Check<Kms> for InterceptionCheck {
    fn default_scope(&self) -> Scope {
        Scope::EACH_HOST_AND_SOURCE
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(2)
    }

    fn budget(&self, timeout: Duration, settings: &RunSettings) -> Duration {
        // Resolution when no prerequisite gave addresses, then the samples (one timeout in all).
        kms_preflight_net::dns::lookup_budget(timeout, &settings.dns_servers)
            + timeout * 2
            + Duration::from_secs(2)
    }

    fn templates(&self) -> Vec<&Spanned<String>> {
        self.port
            .iter()
            .chain(self.closed_ports.iter().flatten())
            .collect()
    }

    fn validate(&self) -> Vec<(Location, String)> {
        let mut out: Vec<(Location, String)> = self
            .port
            .iter()
            .chain(self.closed_ports.iter().flatten())
            .filter_map(validate_port)
            .collect();
        if let Some(s) = &self.samples {
            if !(1..=10).contains(&s.value) {
                out.push((
                    s.referenced,
                    format!("samples {} is not between 1 and 10", s.value),
                ));
            }
        }
        out
    }

    fn evidence_vars(&self) -> &'static [&'static str] {
        &["signals"]
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext<'a>) -> BoxFuture<'a, CheckOutput> {
        Box::pin(async move {
            let port = match crate::common::address::port_for(ctx, &self.port) {
                Ok(p) => p,
                Err(f) => return CheckOutput::one(f),
            };
            let mut closed = Vec::new();
            match &self.closed_ports {
                None => closed.push(DEFAULT_CLOSED),
                Some(list) => {
                    for p in list {
                        match render_port(p, ctx.vars) {
                            Ok(p) => closed.push(p),
                            Err(f) => return CheckOutput::one(f),
                        }
                    }
                }
            }
            let addrs = match crate::common::address::addresses_for(ctx).await {
                Ok(a) => a,
                Err(f) => return CheckOutput::one(f),
            };
            let mut set = JoinSet::new();
            let mut skipped = Vec::new();
            let src_addr = ctx.source.and_then(|s| s.address);
            for (i, ip) in addrs.into_iter().enumerate() {
                if let Some(a) = src_addr.filter(|a| a.is_ipv4() != ip.is_ipv4()) {
                    skipped.push((
                        i,
                        Finding::new(
                            Status::Skip,
                            format!("skipped {ip}: source {a} is of the other address family"),
                        )
                        .address(ip.to_string()),
                    ));
                    continue;
                }
                let (closed, source, timeout, samples) = (
                    closed.clone(),
                    ctx.source.cloned(),
                    ctx.timeout,
                    self.samples(),
                );
                set.spawn(
                    async move { (i, observe(ip, port, closed, samples, source, timeout).await) },
                );
            }
            let mut observed = Vec::new();
            while let Some(r) = set.join_next().await {
                if let Ok(r) = r {
                    observed.push(r);
                }
            }
            let mut findings: Vec<(usize, Finding)> = observed
                .iter()
                .map(|(i, o)| (*i, judge(o, port)))
                .chain(skipped)
                .collect();
            findings.sort_by_key(|f| f.0);
            CheckOutput {
                findings: findings.into_iter().map(|f| f.1).collect(),
                ..Default::default()
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::en;

    fn obs(
        closed: Vec<(u16, Result<Duration, ConnectFailure>)>,
        tcp: &[u64],
        echo: Echo,
    ) -> Observed {
        Observed {
            ip: "198.18.0.10".parse().unwrap(),
            closed,
            handshakes: tcp.iter().map(|u| Duration::from_micros(*u)).collect(),
            handshake_failure: None,
            echo,
        }
    }

    fn rtt(us: u64) -> EchoRtt {
        EchoRtt {
            wall: Duration::from_micros(us + 50),
            lower_bound: Duration::from_micros(us),
        }
    }

    #[test]
    fn a_slow_ping_task_is_not_evidence() {
        // Wall-clock echoes of 9 ms caused by scheduling, while the echo itself took 0.2 ms.
        let slow_task = EchoRtt {
            wall: Duration::from_millis(9),
            lower_bound: Duration::from_micros(200),
        };
        let o = obs(
            vec![(1, Err(ConnectFailure::Refused))],
            &[300, 280],
            Echo::Rtts(vec![slow_task; 3]),
        );
        assert_eq!(judge(&o, 1688).status, Status::Pass);
    }

    #[test]
    fn rtt_comparison_needs_ratio_and_gap() {
        let d = Duration::from_micros;
        assert!(handshake_much_faster(d(400), d(45_000)));
        assert!(!handshake_much_faster(d(300), d(350)), "same path");
        assert!(
            !handshake_much_faster(d(100), d(1_000)),
            "ratio but under 5 ms gap: LAN noise"
        );
        assert!(
            !handshake_much_faster(d(1_200), d(4_900)),
            "busy machine jitter"
        );
        assert!(
            !handshake_much_faster(d(20_000), d(45_000)),
            "gap but not a third"
        );
    }

    #[test]
    fn accepting_closed_port_is_evidence() {
        let o = obs(
            vec![(1, Ok(Duration::from_micros(80)))],
            &[90, 85, 88],
            Echo::Rtts(vec![rtt(100)]),
        );
        let f = judge(&o, 1688);
        assert_eq!(f.status, Status::Fail);
        assert!(
            en(&f.message).contains("port 1, which should be closed, accepted"),
            "{}",
            en(&f.message)
        );
    }

    #[test]
    fn fast_handshake_is_evidence_and_normal_host_passes() {
        let fast = obs(
            vec![(1, Err(ConnectFailure::Refused))],
            &[300, 250, 400],
            Echo::Rtts(vec![rtt(40_000), rtt(38_000)]),
        );
        let f = judge(&fast, 1688);
        assert_eq!(f.status, Status::Fail);
        assert!(
            en(&f.message).contains("something nearer than the host"),
            "{}",
            en(&f.message)
        );

        let normal = obs(
            vec![(1, Err(ConnectFailure::Refused))],
            &[300, 250, 400],
            Echo::Rtts(vec![rtt(260)]),
        );
        let f = judge(&normal, 1688);
        assert_eq!(f.status, Status::Pass, "{}", en(&f.message));
        assert!(
            en(&f.message).contains("port 1 refused"),
            "{}",
            en(&f.message)
        );
    }

    #[test]
    fn silence_everywhere_is_a_skip_not_a_pass() {
        let mut o = obs(vec![(1, Err(ConnectFailure::TimedOut))], &[], Echo::NoReply);
        o.handshake_failure = Some(ConnectFailure::TimedOut);
        let f = judge(&o, 1688);
        assert_eq!(f.status, Status::Skip);
        assert!(
            en(&f.message).contains("port 1 timeout; port 1688 timeout; no ICMP echo reply"),
            "{}",
            en(&f.message)
        );
    }

    #[test]
    fn nothing_observed_is_a_skip_not_a_pass() {
        let mut o = obs(
            vec![(1, Err(ConnectFailure::Other("x".into())))],
            &[],
            Echo::Unavailable("ICMP not permitted".into()),
        );
        o.handshake_failure = Some(ConnectFailure::TimedOut);
        assert_eq!(judge(&o, 1688).status, Status::Skip);
    }
}
