//! `icmp`: RTT and loss of ICMP echo to every address of each KMS host.
//!
//! Informational: KMS needs TCP (1688) only, and ICMP is often filtered, so a failing ping
//! does not mean activation fails (and a working one does not mean it works). It helps to
//! tell "host down / no route" from "port filtered". Without the privilege for ICMP
//! sockets the result is `skip`, with what is missing, never `fail`.

use crate::{CheckContext, CheckOutput, Finding, Kms, RunSettings};
use std::net::IpAddr;
use std::time::Duration;

use serde_saphyr::{Location, Spanned};
use tokio::task::JoinSet;

use crate::common::address::addresses_for;
use kms_preflight_engine::rules::{parse_duration, Scope};
use kms_preflight_engine::Status;
use kms_preflight_engine::{BoxFuture, Check};
use kms_preflight_net::icmp::{echo, EchoStats, IcmpUnavailable};
use kms_preflight_net::ms;

kms_preflight_engine::messages! {}

kms_preflight_engine::check_rule! {
    /// Parameters of an `icmp` check.
    IcmpRule => IcmpCheck {
        /// Echo requests per address (default 4, at most 20).
        count: Option<Spanned<u32>>,
        /// Time between echo requests (default 250ms).
        interval: Option<Spanned<String>>,
    }
}

const DEFAULT_COUNT: u32 = 4;
const MAX_COUNT: u32 = 20;
const DEFAULT_INTERVAL: Duration = Duration::from_millis(250);

impl IcmpCheck {
    fn count(&self) -> u32 {
        self.count
            .as_ref()
            .map_or(DEFAULT_COUNT, |c| c.value.clamp(1, MAX_COUNT))
    }

    fn interval(&self) -> Duration {
        self.interval
            .as_ref()
            .and_then(|i| parse_duration(&i.value).ok())
            .unwrap_or(DEFAULT_INTERVAL)
    }
}

/// The finding for one address.
pub fn echo_finding(
    ip: IpAddr,
    timeout: Duration,
    r: Result<EchoStats, IcmpUnavailable>,
) -> Finding {
    let f = match r {
        Err(IcmpUnavailable::NoPrivilege(msg)) => Finding::new(
            Status::Skip,
            format!(
                "skipped: {msg}. This says nothing about the network; KMS itself needs only TCP"
            ),
        )
        .evidence("result", "no-privilege"),
        Err(IcmpUnavailable::WrongFamily(msg)) => {
            Finding::new(Status::Skip, format!("skipped {ip}: {msg}"))
                .evidence("result", "wrong-family")
        }
        Err(IcmpUnavailable::SourceUnusable(msg) | IcmpUnavailable::Other(msg)) => {
            Finding::new(Status::Error, format!("cannot ping {ip}: {msg}"))
                .evidence("result", "error")
        }
        Ok(s) => {
            let received = s.rtts.len() as u32;
            let loss = 100.0 * f64::from(s.sent - received) / f64::from(s.sent.max(1));
            let mut sorted = s.rtts.clone();
            sorted.sort();
            let errors = if s.errors.is_empty() {
                String::new()
            } else {
                format!(" ({})", s.errors.join("; "))
            };
            let mut f = if received == 0 {
                Finding::new(
                    Status::Fail,
                    format!(
                        "no echo reply from {ip} to {} requests within {} each{errors}: ICMP is filtered or the host is down \
                         (many networks filter ICMP; this alone does not mean KMS fails — see the TCP and RPC checks)",
                        s.sent,
                        humantime::format_duration(timeout)
                    ),
                )
                .remediation(format!(
                    "If the TCP/RPC checks also fail, check routing and firewalls between this subnet and {ip}. \
                     If they pass, ICMP is merely filtered: allow ICMP echo on the path and on the host \
                     (Enable-NetFirewallRule -Name FPS-ICMP4-ERQ-In) only if you want ping to work."
                ))
            } else {
                let min = sorted.first().copied().unwrap_or_default();
                let max = sorted.last().copied().unwrap_or_default();
                let avg = sorted.iter().sum::<Duration>() / received;
                let status = if received < s.sent {
                    Status::Warn
                } else {
                    Status::Pass
                };
                Finding::new(
                    status,
                    format!(
                        "{received}/{} echo replies from {ip}, {loss:.0}% loss, rtt min/avg/max {:.2}/{:.2}/{:.2} ms{errors}",
                        s.sent,
                        ms(min),
                        ms(avg),
                        ms(max)
                    ),
                )
                .evidence("rtt_min_ms", ms(min))
                .evidence("rtt_avg_ms", ms(avg))
                .evidence("rtt_max_ms", ms(max))
            };
            f = f
                .evidence(
                    "result",
                    if received == 0 {
                        "no-reply"
                    } else if received < s.sent {
                        "loss"
                    } else {
                        "replied"
                    },
                )
                .evidence("sent", s.sent)
                .evidence("received", received)
                .evidence("loss_percent", (loss * 10.0).round() / 10.0)
                .evidence("socket", s.socket);
            if !s.errors.is_empty() {
                f = f.evidence("errors", s.errors);
            }
            f
        }
    };
    f.address(ip.to_string())
}

impl Check<Kms> for IcmpCheck {
    fn default_scope(&self) -> Scope {
        Scope::EACH_HOST
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(1)
    }

    fn budget(&self, timeout: Duration, settings: &RunSettings) -> Duration {
        let resolve = kms_preflight_net::dns::lookup_budget(timeout, &settings.dns_servers);
        resolve + (timeout + self.interval()) * self.count() + Duration::from_secs(1)
    }

    fn validate(&self) -> Vec<(Location, String)> {
        let mut out = Vec::new();
        if let Some(c) = &self.count {
            if c.value == 0 || c.value > MAX_COUNT {
                out.push((
                    c.referenced,
                    format!("count {} must be between 1 and {MAX_COUNT}", c.value),
                ));
            }
        }
        if let Some(i) = &self.interval {
            if let Err(e) = parse_duration(&i.value) {
                out.push((i.referenced, format!("interval: {e}")));
            }
        }
        out
    }

    fn evidence_vars(&self) -> &'static [&'static str] {
        &["result", "rtt_avg_ms", "loss_percent", "socket"]
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext<'a>) -> BoxFuture<'a, CheckOutput> {
        Box::pin(async move {
            let addrs = match addresses_for(ctx).await {
                Ok(a) => a,
                Err(f) => return CheckOutput::one(f),
            };
            let (count, interval) = (self.count(), self.interval());
            let mut set = JoinSet::new();
            for (i, ip) in addrs.into_iter().enumerate() {
                let source = ctx.source.cloned();
                let timeout = ctx.timeout;
                let memo = ctx.settings.memo.clone();
                memo.icmp_started(ip, ctx.source);
                set.spawn(async move {
                    let r = echo(ip, source.as_ref(), count, interval, timeout).await;
                    let f = echo_finding(ip, timeout, r);
                    // TCP probes of the same address quote the loss ("lossy path: …; ICMP loss 40 %").
                    if let Some(l) = f.evidence.get("loss_percent").and_then(|v| v.as_f64()) {
                        memo.icmp_done(ip, source.as_ref(), l);
                    } else {
                        memo.icmp_forget(ip, source.as_ref());
                    }
                    (i, f)
                });
            }
            let mut findings = Vec::new();
            while let Some(r) = set.join_next().await {
                if let Ok(r) = r {
                    findings.push(r);
                }
            }
            findings.sort_by_key(|r| r.0);
            CheckOutput {
                findings: findings.into_iter().map(|r| r.1).collect(),
                ..Default::default()
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::en;

    fn stats(sent: u32, rtts_ms: &[u64]) -> EchoStats {
        EchoStats {
            sent,
            rtts: rtts_ms.iter().map(|m| Duration::from_millis(*m)).collect(),
            socket: "raw",
            errors: Vec::new(),
        }
    }

    #[test]
    fn loss_and_privilege_map_to_statuses() {
        let ip: IpAddr = "198.18.0.1".parse().unwrap();
        let t = Duration::from_secs(1);
        let f = echo_finding(ip, t, Ok(stats(4, &[1, 2, 3, 2])));
        assert_eq!(f.status, Status::Pass);
        assert_eq!(f.evidence["rtt_avg_ms"], 2.0);
        let f = echo_finding(ip, t, Ok(stats(4, &[1, 3])));
        assert_eq!(f.status, Status::Warn);
        assert_eq!(f.evidence["loss_percent"], 50.0);
        let f = echo_finding(ip, t, Ok(stats(4, &[])));
        assert_eq!(f.status, Status::Fail);
        assert!(en(&f.message).contains("does not mean KMS fails"));
        let f = echo_finding(
            ip,
            t,
            Err(IcmpUnavailable::NoPrivilege(
                kms_preflight_net::icmp::privilege_message("EACCES"),
            )),
        );
        assert_eq!(f.status, Status::Skip);
        assert!(en(&f.message).contains("CAP_NET_RAW"));
    }
}
