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

use serde::{Deserialize, Serialize};
use serde_saphyr::{Location, Spanned};
use tokio::task::JoinSet;

use crate::common::validation as invalid;
use kms_preflight_engine::rules::Scope;
use kms_preflight_engine::Status;
use kms_preflight_engine::{render_port, validate_port, BoxFuture, Check, Message};
use kms_preflight_net::icmp::echo_sequence;
use kms_preflight_net::ms;
use kms_preflight_net::tcp::{connect, ConnectFailure};

kms_preflight_engine::messages! {
    /// TCP port {port}, which should be closed, accepted a connection in {rtt_ms} ms
    closed_port_accepted = "interception-closed-port-accepted" (port, rtt_ms);
    /// the TCP handshake to port {port} took {tcp_ms} ms but an ICMP echo to the same address
    /// {icmp_ms} ms: something nearer than the host completes the handshake
    handshake_faster = "interception-handshake-faster" (port, tcp_ms, icmp_ms);
    /// port {port} {result} (what a port answered: refused, unreachable, timeout, …)
    port_answer = "interception-port-answer" (port, result);
    /// handshake {tcp_ms} ms vs ICMP echo {icmp_ms} ms
    rtt_compared = "interception-rtt-compared" (tcp_ms, icmp_ms);
    /// handshake {tcp_ms} ms but no ICMP comparison (no echo reply)
    no_comparison_no_reply = "interception-no-comparison-no-reply" (tcp_ms);
    /// handshake {tcp_ms} ms but no ICMP comparison ({reason})
    no_comparison = "interception-no-comparison" (tcp_ms, reason);
    /// no ICMP echo reply
    no_echo_reply = "interception-no-echo-reply" ();
    /// something other than the KMS host may answer for {ip}: {signals}
    suspected = "interception-suspected" (ip, signals);
    /// cannot tell whether something answers for {ip}: {observations}
    undecided = "interception-undecided" (ip, observations);
    /// cannot tell whether something answers for {ip}: no observation succeeded
    nothing_observed = "interception-nothing-observed" (ip);
    /// no sign of interception at {ip}: {observations}
    none_seen = "interception-none-seen" (ip, observations);
    /// skipped {ip}: source {source} is of the other address family
    wrong_family = "interception-wrong-family" (ip, source);
    /// A device between this subnet and {ip} (transparent proxy, SYN proxy, IPS, VPN or SD-WAN
    /// appliance, load balancer) completes TCP connections itself. Exempt TCP {port} to {ip}
    /// from interception/inspection on that device, or send KMS traffic around it (route or
    /// split-tunnel exemption). Compare with a capture on the KMS host: the connection should
    /// arrive there from the client's own address. Then from a client: {test}
    fix = "interception-fix" (ip, port, test);
}

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
    Unavailable(kms_preflight_engine::Message),
}

/// ICMP echoes to `ip` from `source`, one after another within one timeout (net::icmp); the
/// round trips that were answered.
pub async fn echo(ip: IpAddr, source: Option<&Source>, count: u32, timeout: Duration) -> Echo {
    match echo_sequence(ip, source, count, timeout).await {
        Err(u) => Echo::Unavailable(u.reason().clone()),
        Ok(s) => match s.send_error {
            Some(e) => Echo::Unavailable(kms_preflight_net::text::icmp_send_failed(e)),
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

/// Evidence that something answers in the host's place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Signal {
    /// A port the host should not listen on accepted.
    ClosedPortAccepted { port: u16, rtt: Duration },
    /// The handshake took much less than an echo round trip.
    HandshakeFaster {
        port: u16,
        tcp: Duration,
        icmp: Duration,
    },
}

impl Signal {
    pub fn message(&self) -> kms_preflight_engine::Message {
        match *self {
            Signal::ClosedPortAccepted { port, rtt } => closed_port_accepted(port, ms(rtt)),
            Signal::HandshakeFaster { port, tcp, icmp } => {
                handshake_faster(port, ms(tcp), ms(icmp))
            }
        }
    }

    /// The signal as evidence (`signals`) records it: the English text reports have carried
    /// since v1, the same in every language (a test keeps it equal to the English catalog
    /// text of [`Signal::message`]).
    pub fn evidence_text(&self) -> String {
        match *self {
            Signal::ClosedPortAccepted { port, rtt } => format!(
                "TCP port {port}, which should be closed, accepted a connection in {:.2} ms",
                ms(rtt)
            ),
            Signal::HandshakeFaster { port, tcp, icmp } => format!(
                "the TCP handshake to port {port} took {:.2} ms but an ICMP echo to the same address {:.2} ms: something nearer than the host completes the handshake",
                ms(tcp),
                ms(icmp)
            ),
        }
    }
}

/// The evidence of an `interception` result: what each observation measured (every key is
/// absent for a skip that observed nothing).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InterceptionEvidence {
    /// Each port that should be closed, and what it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_ports: Option<Vec<ClosedPortProbe>>,
    /// The handshakes to the KMS port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp_rtt_ms: Option<Vec<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icmp_rtt_ms: Option<EchoTimes>,
    /// What points at interception ([`Signal::evidence_text`]); empty when nothing does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signals: Option<Vec<String>>,
    /// The class of the handshake that failed, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handshake_failure: Option<String>,
}

/// A connect to a port the KMS host should not listen on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ClosedPortProbe {
    pub port: u16,
    /// `connected`, or the failure class (`refused`, `timeout`, …).
    pub result: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rtt_ms: Option<f64>,
}

/// The echo round trips (as timed like the handshakes), or why there are none: `no reply`,
/// `skipped: <why>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum EchoTimes {
    Measured(Vec<f64>),
    None(String),
}

impl crate::Evidence {
    /// The evidence of an `interception` result.
    pub fn interception(&self) -> Option<&InterceptionEvidence> {
        match self {
            crate::Evidence::Interception(e) => Some(e),
            _ => None,
        }
    }
}

fn judge(o: &Observed, port: u16) -> Finding {
    use kms_preflight_engine::Message;
    let mut signals: Vec<Signal> = Vec::new();
    let mut checked: Vec<Message> = Vec::new();
    let mut silent: Vec<Message> = Vec::new();
    let mut closed_probes = Vec::new();
    for (p, r) in &o.closed {
        match r {
            Ok(rtt) => {
                signals.push(Signal::ClosedPortAccepted {
                    port: *p,
                    rtt: *rtt,
                });
                closed_probes.push(ClosedPortProbe {
                    port: *p,
                    result: "connected".into(),
                    rtt_ms: Some(ms(*rtt)),
                });
            }
            Err(e) => {
                // Only an answer (RST, ICMP unreachable) shows what is there; silence shows nothing.
                if matches!(
                    e,
                    ConnectFailure::Refused
                        | ConnectFailure::Unreachable(_)
                        | ConnectFailure::Prohibited(_)
                ) {
                    checked.push(port_answer(*p, e.class()));
                } else {
                    silent.push(port_answer(*p, e.class()));
                }
                closed_probes.push(ClosedPortProbe {
                    port: *p,
                    result: e.class().into(),
                    rtt_ms: None,
                });
            }
        }
    }
    let tcp_min = o.handshakes.iter().min().copied();
    // Shown: the echo timed like the handshake. Decided on: its lower bound, so a busy
    // machine delaying the ping task cannot make a handshake look "much faster".
    let (echo_times, icmp_min, icmp_min_lb) = match &o.echo {
        Echo::Rtts(r) => (
            EchoTimes::Measured(r.iter().map(|d| ms(d.wall)).collect()),
            r.iter().map(|d| d.wall).min(),
            r.iter().map(|d| d.lower_bound).min(),
        ),
        Echo::NoReply => (EchoTimes::None("no reply".into()), None, None),
        // Evidence is English, whatever the report's language.
        Echo::Unavailable(why) => (
            EchoTimes::None(format!(
                "skipped: {}",
                kms_preflight_catalog::Catalog::get(kms_preflight_catalog::Lang::En).text(why)
            )),
            None,
            None,
        ),
    };
    match (tcp_min, icmp_min) {
        (Some(t), Some(i)) => {
            if handshake_much_faster(t, icmp_min_lb.unwrap_or(i)) {
                signals.push(Signal::HandshakeFaster {
                    port,
                    tcp: t,
                    icmp: i,
                });
            } else {
                checked.push(rtt_compared(ms(t), ms(i)));
            }
        }
        (Some(t), None) => silent.push(match &o.echo {
            Echo::NoReply => no_comparison_no_reply(ms(t)),
            Echo::Unavailable(w) => no_comparison(ms(t), w.clone()),
            Echo::Rtts(_) => no_comparison(ms(t), ""),
        }),
        (None, _) => {
            if let Some(e) = &o.handshake_failure {
                silent.push(port_answer(port, e.class()));
            }
            if let Echo::NoReply = o.echo {
                silent.push(no_echo_reply());
            }
        }
    }
    let f = if !signals.is_empty() {
        Finding::new(
            Status::Fail,
            suspected(
                o.ip,
                signals.iter().map(Signal::message).collect::<Vec<_>>(),
            ),
        )
        .codes(&["0xC004F074", "0x800706BA"])
        .remediation(fix(
            o.ip,
            port,
            format!("Test-NetConnection -ComputerName {} -Port {port}", o.ip),
        ))
    } else if checked.is_empty() {
        Finding::new(
            Status::Skip,
            if silent.is_empty() {
                nothing_observed(o.ip)
            } else {
                undecided(o.ip, silent)
            },
        )
    } else {
        checked.extend(silent);
        Finding::new(Status::Pass, none_seen(o.ip, checked))
    };
    f.address(o.ip.to_string()).with(InterceptionEvidence {
        closed_ports: Some(closed_probes),
        tcp_rtt_ms: Some(o.handshakes.iter().map(|d| ms(*d)).collect()),
        icmp_rtt_ms: Some(echo_times),
        signals: Some(signals.iter().map(Signal::evidence_text).collect()),
        handshake_failure: o.handshake_failure.as_ref().map(|e| e.class().to_string()),
    })
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

    fn validate(&self) -> Vec<(Location, Message)> {
        let mut out: Vec<(Location, Message)> = self
            .port
            .iter()
            .chain(self.closed_ports.iter().flatten())
            .filter_map(validate_port)
            .collect();
        if let Some(s) = &self.samples {
            if !(1..=10).contains(&s.value) {
                out.push((s.referenced, invalid::interception_samples(s.value)));
            }
        }
        out
    }

    fn evidence_vars(&self) -> &'static [&'static str] {
        &["signals"]
    }

    fn plan(
        &self,
        ctx: &kms_preflight_engine::plan::PlanContext<'_, Kms>,
    ) -> Vec<kms_preflight_engine::plan::PlannedProbe> {
        let samples = self.samples();
        let mut out = Vec::new();
        let closed: Vec<u16> = match &self.closed_ports {
            None => vec![DEFAULT_CLOSED],
            Some(list) => list
                .iter()
                .filter_map(|p| {
                    kms_preflight_engine::rules::template::render(&p.value, ctx.vars)
                        .ok()
                        .and_then(|s| s.trim().parse().ok())
                })
                .collect(),
        };
        for p in closed {
            out.push(crate::common::plan::to_kms_hosts(
                kms_preflight_engine::plan::PlannedPort::Number(p),
                crate::common::plan::closed_port(),
            ));
        }
        out.push(crate::common::plan::to_kms_hosts(
            crate::common::plan::kms_port(ctx, &self.port),
            crate::common::plan::timed_handshakes(samples),
        ));
        out.push(kms_preflight_engine::plan::PlannedProbe::new(
            kms_preflight_engine::plan::Transport::Icmp,
            kms_preflight_engine::plan::Destination::KmsHosts,
            None,
            crate::common::plan::icmp_echo(samples),
        ));
        out
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
                        Finding::new(Status::Skip, wrong_family(ip, a)).address(ip.to_string()),
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
            vec![(
                1,
                Err(ConnectFailure::Other(kms_preflight_net::text::os_error(
                    "x",
                ))),
            )],
            &[],
            Echo::Unavailable(kms_preflight_net::text::os_error("ICMP not permitted")),
        );
        o.handshake_failure = Some(ConnectFailure::TimedOut);
        assert_eq!(judge(&o, 1688).status, Status::Skip);
    }

    #[test]
    fn evidence_texts_are_the_english_messages_and_read_back() {
        use kms_preflight_engine::EvidenceSet;
        let d = Duration::from_micros;
        for s in [
            Signal::ClosedPortAccepted {
                port: 1,
                rtt: d(80),
            },
            Signal::HandshakeFaster {
                port: 1688,
                tcp: d(300),
                icmp: d(40_050),
            },
        ] {
            assert_eq!(en(&s.message()), s.evidence_text());
        }
        for text in [
            r#"{"closed_ports":[{"port":1,"result":"connected","rtt_ms":0.08},{"port":2,"result":"refused"}],"tcp_rtt_ms":[0.3,0.25],"icmp_rtt_ms":[40.05],"signals":["TCP port 1, which should be closed, accepted a connection in 0.08 ms"]}"#,
            r#"{"closed_ports":[{"port":1,"result":"timeout"}],"tcp_rtt_ms":[],"icmp_rtt_ms":"no reply","signals":[],"handshake_failure":"timeout"}"#,
            r#"{"closed_ports":[],"tcp_rtt_ms":[0.3],"icmp_rtt_ms":"skipped: ICMP not permitted","signals":[]}"#,
            "{}",
        ] {
            let v: serde_json::Value = serde_json::from_str(text).unwrap();
            let e = crate::Evidence::from_recorded("interception", v).unwrap();
            // An empty object is "nothing measured" (an engine-made skip), whatever the kind.
            assert!(e.interception().is_some() || text == "{}", "{text}");
            assert_eq!(serde_json::to_string(&e).unwrap(), text);
        }
    }
}
