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
use crate::common::validation as invalid;
use kms_preflight_engine::rules::{parse_duration, Scope};
use kms_preflight_engine::Status;
use kms_preflight_engine::{BoxFuture, Check, Message};
use kms_preflight_net::icmp::{echo, EchoStats, IcmpUnavailable};
use kms_preflight_net::ms;

kms_preflight_engine::messages! {
    /// skipped: {reason}. This says nothing about the network; KMS itself needs only TCP
    no_privilege = "icmp-no-privilege" (reason);
    /// skipped {ip}: {reason}
    wrong_family = "icmp-wrong-family" (ip, reason);
    /// cannot ping {ip}: {error}
    unavailable = "icmp-unavailable" (ip, error);
    /// no echo reply from {ip} to {sent} requests within {timeout_ms} each: ICMP is filtered or
    /// the host is down (many networks filter ICMP; this alone does not mean KMS fails — see
    /// the TCP and RPC checks)
    no_reply = "icmp-no-reply" (ip, sent, timeout_ms);
    /// no echo reply from {ip} to {sent} requests within {timeout_ms} each ({errors}): (the
    /// same)
    no_reply_errors = "icmp-no-reply-errors" (ip, sent, timeout_ms, errors);
    /// {received}/{sent} echo replies from {ip}, {loss_percent}% loss, rtt min/avg/max
    /// {min_ms}/{avg_ms}/{max_ms} ms
    replies = "icmp-replies" (received, sent, ip, loss_percent, min_ms, avg_ms, max_ms);
    /// (the same) ({errors})
    replies_errors = "icmp-replies-errors"
        (received, sent, ip, loss_percent, min_ms, avg_ms, max_ms, errors);
    /// If the TCP/RPC checks also fail, check routing and firewalls between this subnet and
    /// {ip}. If they pass, ICMP is merely filtered: allow ICMP echo on the path and on the host
    /// (Enable-NetFirewallRule -Name FPS-ICMP4-ERQ-In) only if you want ping to work.
    fix_no_reply = "icmp-fix-no-reply" (ip);
}

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

/// The evidence of an `icmp` result: the round trips, then the counts (every key is absent
/// when nothing was measured, and a skip has only `result`).
#[derive(
    Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct IcmpEvidence {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rtt_min_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rtt_avg_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rtt_max_ms: Option<f64>,
    /// `replied`, `loss`, `no-reply`, `no-privilege`, `wrong-family` or `error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received: Option<u32>,
    /// Rounded to one decimal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loss_percent: Option<f64>,
    /// The socket used: `raw` or `dgram`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub socket: Option<String>,
    /// Errors while sending or receiving (ICMP unreachable, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<String>>,
}

impl crate::Evidence {
    /// The evidence of an `icmp` result.
    pub fn icmp(&self) -> Option<&IcmpEvidence> {
        match self {
            crate::Evidence::Icmp(e) => Some(e),
            _ => None,
        }
    }
}

/// The finding for one address.
pub fn echo_finding(
    ip: IpAddr,
    timeout: Duration,
    r: Result<EchoStats, IcmpUnavailable>,
) -> Finding {
    let only_result = |result: &str| IcmpEvidence {
        result: Some(result.into()),
        ..Default::default()
    };
    let timeout_ms = timeout.as_millis() as u64;
    let f = match r {
        Err(IcmpUnavailable::NoPrivilege(reason)) => {
            Finding::new(Status::Skip, no_privilege(reason)).with(only_result("no-privilege"))
        }
        Err(IcmpUnavailable::WrongFamily(reason)) => {
            Finding::new(Status::Skip, wrong_family(ip, reason)).with(only_result("wrong-family"))
        }
        Err(IcmpUnavailable::SourceUnusable(e) | IcmpUnavailable::Other(e)) => {
            Finding::new(Status::Error, unavailable(ip, e)).with(only_result("error"))
        }
        Ok(s) => {
            let received = s.rtts.len() as u32;
            let loss = 100.0 * f64::from(s.sent - received) / f64::from(s.sent.max(1));
            let mut sorted = s.rtts.clone();
            sorted.sort();
            let errors = (!s.errors.is_empty()).then(|| s.errors.clone());
            // Evidence is English, whatever the report's language.
            let english = kms_preflight_catalog::Catalog::get(kms_preflight_catalog::Lang::En);
            let errors_en = errors
                .as_ref()
                .map(|e| e.iter().map(|m| english.text(m)).collect::<Vec<_>>());
            let mut ev = IcmpEvidence {
                result: Some(
                    if received == 0 {
                        "no-reply"
                    } else if received < s.sent {
                        "loss"
                    } else {
                        "replied"
                    }
                    .into(),
                ),
                sent: Some(s.sent),
                received: Some(received),
                loss_percent: Some((loss * 10.0).round() / 10.0),
                socket: Some(s.socket.into()),
                errors: errors_en,
                ..Default::default()
            };
            let f = if received == 0 {
                let msg = match &errors {
                    Some(e) => no_reply_errors(ip, s.sent, timeout_ms, e.clone()),
                    None => no_reply(ip, s.sent, timeout_ms),
                };
                Finding::new(Status::Fail, msg).remediation(fix_no_reply(ip))
            } else {
                let min = ms(sorted.first().copied().unwrap_or_default());
                let max = ms(sorted.last().copied().unwrap_or_default());
                let avg = ms(sorted.iter().sum::<Duration>() / received);
                let status = if received < s.sent {
                    Status::Warn
                } else {
                    Status::Pass
                };
                let msg = match &errors {
                    Some(e) => replies_errors(received, s.sent, ip, loss, min, avg, max, e.clone()),
                    None => replies(received, s.sent, ip, loss, min, avg, max),
                };
                ev.rtt_min_ms = Some(min);
                ev.rtt_avg_ms = Some(avg);
                ev.rtt_max_ms = Some(max);
                Finding::new(status, msg)
            };
            f.with(ev)
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

    fn validate(&self) -> Vec<(Location, Message)> {
        let mut out = Vec::new();
        if let Some(c) = &self.count {
            if c.value == 0 || c.value > MAX_COUNT {
                out.push((c.referenced, invalid::icmp_count(c.value, MAX_COUNT)));
            }
        }
        if let Some(i) = &self.interval {
            if let Err(e) = parse_duration(&i.value) {
                out.push((i.referenced, invalid::icmp_interval(e)));
            }
        }
        out
    }

    fn evidence_vars(&self) -> &'static [&'static str] {
        &["result", "rtt_avg_ms", "loss_percent", "socket"]
    }

    fn plan(
        &self,
        _ctx: &kms_preflight_engine::plan::PlanContext<'_, Kms>,
    ) -> Vec<kms_preflight_engine::plan::PlannedProbe> {
        let count = self
            .count
            .as_ref()
            .map_or(DEFAULT_COUNT, |c| c.value.clamp(1, MAX_COUNT));
        vec![kms_preflight_engine::plan::PlannedProbe::new(
            kms_preflight_engine::plan::Transport::Icmp,
            kms_preflight_engine::plan::Destination::KmsHosts,
            None,
            crate::common::plan::icmp_echo(count),
        )]
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
                    if let Some(l) = f.evidence.icmp().and_then(|e| e.loss_percent) {
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
        assert_eq!(f.evidence.icmp().unwrap().rtt_avg_ms, Some(2.0));
        let f = echo_finding(ip, t, Ok(stats(4, &[1, 3])));
        assert_eq!(f.status, Status::Warn);
        assert_eq!(f.evidence.icmp().unwrap().loss_percent, Some(50.0));
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

    #[test]
    fn recorded_evidence_reads_back() {
        use kms_preflight_engine::EvidenceSet;
        for text in [
            r#"{"rtt_min_ms":0.05,"rtt_avg_ms":0.061,"rtt_max_ms":0.08,"result":"replied","sent":3,"received":3,"loss_percent":0.0,"socket":"raw"}"#,
            r#"{"result":"no-reply","sent":4,"received":0,"loss_percent":100.0,"socket":"dgram","errors":["Destination Host Unreachable"]}"#,
            r#"{"result":"no-privilege"}"#,
            "{}",
        ] {
            let v: serde_json::Value = serde_json::from_str(text).unwrap();
            let e = crate::Evidence::from_recorded("icmp", v).unwrap();
            // An empty object is "nothing measured" (an engine-made skip), whatever the kind.
            assert!(e.icmp().is_some() || text == "{}", "{text}");
            assert_eq!(serde_json::to_string(&e).unwrap(), text);
        }
    }
}
