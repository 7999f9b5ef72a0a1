//! Sanity of the published SRV records beyond their presence (`srv.present`):
//! - a target that is an IP literal breaks RFC 2782 (the target is a domain name with address
//!   records) and clients differ in what they do with it: `warn`, with the fix;
//! - a port other than the expected one (the rules' `{{port}}`, default 1688) is what clients
//!   connect to: `warn` when the host answers there, `fail` when it does not (probed now, like a
//!   client: resolve the target, connect to every address);
//! - a target that is a CNAME is left to `srv.weights` (today's verdict).

use crate::{CheckContext, Finding};
use std::net::{IpAddr, SocketAddr};

use serde::{Deserialize, Serialize};
use tokio::task::JoinSet;

use crate::common::evidence_text::EvidenceText;
use crate::common::srv::SrvRecord;
use crate::common::srv_audit::{add_commands, describe, owner_and_zone, remove_commands};
use kms_preflight_engine::{Message, Status};
use kms_preflight_net::dns;
use kms_preflight_net::tcp::{connect_as_client, ConnectFailure};

/// What is wrong with a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum IssueKind {
    /// The target is an IP address (RFC 2782 wants a host name).
    IpLiteralTarget,
    /// Another port than expected, and the host answers there.
    PortDiffersAnswers,
    /// Another port than expected, and nothing answers there.
    PortDiffersSilent,
}

/// One record that is not as it should be, and what it means.
#[derive(Debug, Clone)]
pub struct Issue {
    pub status: Status,
    pub kind: IssueKind,
    pub record: String,
    pub message: Message,
    pub remediation: Message,
}

/// One issue as evidence (`issues` of `srv`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct IssueEvidence {
    pub issue: IssueKind,
    pub status: Status,
    pub record: String,
    pub message: EvidenceText,
}

impl Issue {
    pub fn evidence(&self) -> IssueEvidence {
        IssueEvidence {
            issue: self.kind,
            status: self.status,
            record: self.record.clone(),
            message: self.message.clone().into(),
        }
    }
}

/// An SRV target written as an address (`10.1.2.3.`).
pub fn ip_literal(target: &str) -> Option<IpAddr> {
    target.trim_end_matches('.').parse().ok()
}

/// The IP-literal rule for one record.
pub fn ip_literal_issue(shown: &str, r: &SrvRecord) -> Option<Issue> {
    let ip = ip_literal(&r.target)?;
    let (_, zone) = owner_and_zone(shown);
    let (windows, bind_line) = match ip {
        IpAddr::V4(v4) => (
            format!("Add-DnsServerResourceRecordA -ZoneName {zone} -Name <kms-host> -IPv4Address {v4}"),
            format!("<kms-host>  IN A {v4}"),
        ),
        IpAddr::V6(v6) => (
            format!("Add-DnsServerResourceRecordAAAA -ZoneName {zone} -Name <kms-host> -IPv6Address {v6}"),
            format!("<kms-host>  IN AAAA {v6}"),
        ),
    };
    Some(Issue {
        status: Status::Warn,
        kind: IssueKind::IpLiteralTarget,
        record: describe(r),
        message: super::srv_ip_literal_target(describe(r)),
        remediation: super::srv_ip_literal_fix(
            windows,
            bind_line,
            remove_commands(shown, r, None),
            add_commands(
                shown,
                &format!("<kms-host>.{zone}"),
                r.priority,
                r.weight,
                r.port,
            ),
        ),
    })
}

/// Probes `target:port` like a client (resolve, then connect to every address): Ok(address
/// that answered) or Err(why not, for the message).
async fn answers_on(
    ctx: &CheckContext<'_>,
    target: &str,
    port: u16,
) -> Result<SocketAddr, Message> {
    let addrs = match ip_literal(target) {
        Some(ip) => vec![ip],
        None => {
            let res = dns::resolve_host(
                &ctx.settings.memo,
                &ctx.settings.dns_servers,
                target,
                ctx.timeout,
                ctx.source,
            )
            .await
            .map_err(|e| super::dns::resolve_error(target, &e))?;
            if res.addresses.is_empty() {
                return Err(super::srv_probe_no_address(
                    target,
                    super::dns::no_answer(&res.attempts),
                ));
            }
            res.addresses
        }
    };
    let mut set = JoinSet::new();
    for ip in addrs {
        let addr = SocketAddr::new(ip, port);
        let source = ctx.source.cloned();
        let memo = ctx.settings.memo.clone();
        let timeout = ctx.timeout;
        set.spawn(async move {
            let (r, tried) = connect_as_client(addr, source.as_ref(), timeout, Some(&memo)).await;
            (addr, r.map(|_| ()), tried.attempts)
        });
    }
    let mut why = Vec::new();
    while let Some(j) = set.join_next().await {
        let Ok((addr, r, attempts)) = j else { continue };
        match r {
            Ok(()) => return Ok(addr),
            Err(ConnectFailure::TimedOut) => why.push((
                addr.to_string(),
                super::srv_probe_timeout(addr, attempts, ctx.timeout.as_millis() as u64),
            )),
            Err(e) => why.push((addr.to_string(), super::srv_probe_failed(addr, e.class()))),
        }
    }
    // In address order (every entry starts with its address).
    why.sort_by(|a, b| a.0.cmp(&b.0));
    Err(super::clauses(
        why.into_iter().map(|w| w.1).collect::<Vec<_>>(),
    ))
}

/// The port rule for the records that advertise a port other than `expected`, probed side by
/// side.
pub async fn port_issues(
    ctx: &CheckContext<'_>,
    shown: &str,
    records: &[&SrvRecord],
    expected: u16,
) -> Vec<Issue> {
    let odd: Vec<&SrvRecord> = records
        .iter()
        .copied()
        .filter(|r| r.port != expected)
        .collect();
    let probes = odd.iter().map(|r| answers_on(ctx, &r.target, r.port));
    let results = kms_preflight_net::join_all(probes).await;
    odd.into_iter()
        .zip(results)
        .map(|(r, answered)| {
            let fix = super::srv_port_fix(
                expected,
                r.port,
                remove_commands(shown, r, None),
                add_commands(shown, &r.target, r.priority, r.weight, expected),
            );
            match answered {
                Ok(addr) => Issue {
                    status: Status::Warn,
                    kind: IssueKind::PortDiffersAnswers,
                    record: describe(r),
                    message: super::srv_port_differs_answers(&r.target, r.port, expected, addr),
                    remediation: fix,
                },
                Err(why) => Issue {
                    status: Status::Fail,
                    kind: IssueKind::PortDiffersSilent,
                    record: describe(r),
                    message: super::srv_port_differs_silent(&r.target, r.port, expected, why),
                    remediation: fix,
                },
            }
        })
        .collect()
}

/// Folds the issues into the pass finding of `srv.present`: the worst status wins, each issue
/// is one clause of the message, and the remediations are joined. The issues are evidence
/// ([`Issue::evidence`]), which the kind attaches.
pub fn apply(mut f: Finding, issues: &[Issue]) -> Finding {
    if issues.is_empty() || f.status != Status::Pass {
        return f;
    }
    let worst = issues
        .iter()
        .map(|i| i.status)
        .max()
        .unwrap_or(Status::Pass);
    f.status = worst;
    f.message = super::srv_issues_then(
        issues.iter().map(|i| i.message.clone()).collect::<Vec<_>>(),
        f.message,
    );
    let mut fixes: Vec<Message> = Vec::new();
    for i in issues {
        if !fixes.contains(&i.remediation) {
            fixes.push(i.remediation.clone());
        }
    }
    f.remediation = Some(super::lines(fixes));
    if issues.iter().any(|i| i.status == Status::Fail) {
        f.error_codes = vec!["0xC004F074".into(), "0x800706BA".into()];
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::en;

    fn rec(port: u16, t: &str) -> SrvRecord {
        SrvRecord {
            priority: 0,
            weight: 0,
            port,
            target: t.into(),
            ttl: 300,
        }
    }

    #[test]
    fn an_ip_literal_target_warns_with_the_rfc_rule_and_the_fix() {
        assert!(ip_literal_issue("_vlmcs._tcp.corp.test", &rec(1688, "kms1.corp.test")).is_none());
        let i = ip_literal_issue("_vlmcs._tcp.corp.test", &rec(1688, "10.1.2.3")).unwrap();
        assert_eq!(i.status, Status::Warn);
        let (message, remediation) = (en(&i.message), en(&i.remediation));
        assert!(message.contains("RFC 2782"), "{message}");
        assert!(remediation
            .contains("Add-DnsServerResourceRecordA -ZoneName corp.test -Name <kms-host> -IPv4Address 10.1.2.3"));
        assert!(remediation.contains("_vlmcs._tcp  IN SRV 0 0 1688 10.1.2.3."));
    }

    /// Messages the lab does not reach read as the sentences written before they were typed.
    #[test]
    fn english_as_before() {
        let (target, addr) = (
            "kms1.corp.test",
            "198.18.0.10:1689".parse::<SocketAddr>().unwrap(),
        );
        let timeout = std::time::Duration::from_millis(1500);
        let n = 3u32;
        assert_eq!(
            en(&crate::common::srv_probe_timeout(
                addr,
                n,
                timeout.as_millis() as u64
            )),
            format!(
                "{addr}: no answer to {n} attempt(s) within {}",
                humantime::format_duration(timeout)
            )
        );
        assert_eq!(
            en(&crate::common::srv_probe_no_address(
                target,
                crate::common::dns::no_answer(&[])
            )),
            format!(
                "{target} has no address ({})",
                "no DNS server to ask: /etc/resolv.conf lists none; pass --dns"
            )
        );
        assert_eq!(
            en(&crate::common::dns::resolve_error(target, "x")),
            "no DNS server to ask: the system configuration lists none; pass --dns"
        );
    }

    #[test]
    fn issues_fold_into_the_finding_worst_first() {
        let warn = Issue {
            status: Status::Warn,
            kind: IssueKind::IpLiteralTarget,
            record: "r".into(),
            message: Message::recorded("w"),
            remediation: Message::recorded("fix"),
        };
        let f = apply(
            Finding::new(Status::Pass, Message::recorded("1 host")),
            std::slice::from_ref(&warn),
        );
        assert_eq!(f.status, Status::Warn);
        assert_eq!(en(&f.message), "w; 1 host");
        let fail = Issue {
            status: Status::Fail,
            message: Message::recorded("x"),
            ..warn.clone()
        };
        let f = apply(
            Finding::new(Status::Pass, Message::recorded("1 host")),
            &[warn, fail],
        );
        assert_eq!(f.status, Status::Fail);
        assert_eq!(f.remediation.as_ref().map(en).as_deref(), Some("fix"));
        assert_eq!(f.error_codes, ["0xC004F074", "0x800706BA"]);
        // A failing finding stays as it is.
        let f = apply(Finding::new(Status::Fail, Message::recorded("none")), &[]);
        assert_eq!(f.status, Status::Fail);
    }
}
