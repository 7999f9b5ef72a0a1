//! Sanity of the published SRV records beyond their presence (`srv.present`):
//! - a target that is an IP literal breaks RFC 2782 (the target is a domain name with address
//!   records) and clients differ in what they do with it: `warn`, with the fix;
//! - a port other than the expected one (the rules' `{{port}}`, default 1688) is what clients
//!   connect to: `warn` when the host answers there, `fail` when it does not (probed now, like a
//!   client: resolve the target, connect to every address);
//! - a target that is a CNAME is left to `srv.weights` (today's verdict).

use crate::{CheckContext, Finding};
use std::net::{IpAddr, SocketAddr};

use serde_json::{json, Value};
use tokio::task::JoinSet;

use crate::common::srv::SrvRecord;
use crate::common::srv_audit::{add_commands, describe, owner_and_zone, remove_commands};
use kms_preflight_engine::Status;
use kms_preflight_net::dns;
use kms_preflight_net::tcp::{connect_as_client, ConnectFailure};

/// One record that is not as it should be, and what it means.
#[derive(Debug, Clone)]
pub struct Issue {
    pub status: Status,
    pub kind: &'static str,
    pub record: String,
    pub message: String,
    pub remediation: String,
}

impl Issue {
    pub fn to_json(&self) -> Value {
        json!({"issue": self.kind, "status": self.status.as_str(), "record": self.record, "message": self.message})
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
    let add_a = match ip {
        IpAddr::V4(v4) => format!(
            "Windows DNS: Add-DnsServerResourceRecordA -ZoneName {zone} -Name <kms-host> -IPv4Address {v4}\n  \
             BIND: <kms-host>  IN A {v4}"
        ),
        IpAddr::V6(v6) => format!(
            "Windows DNS: Add-DnsServerResourceRecordAAAA -ZoneName {zone} -Name <kms-host> -IPv6Address {v6}\n  \
             BIND: <kms-host>  IN AAAA {v6}"
        ),
    };
    Some(Issue {
        status: Status::Warn,
        kind: "ip-literal-target",
        record: describe(r),
        message: format!(
            "{} has an IP address as its target: RFC 2782 requires the domain name of a host with address records there, \
             and clients differ in what they do with an address (some look it up as a name and fail)",
            describe(r)
        ),
        remediation: format!(
            "Publish an A (or AAAA) record for the host and use its name as the SRV target (RFC 2782: the target is \
             \"the domain name of the target host\", with one or more address records):\n  {add_a}\n\
             Then replace the record:\n{}\n{}",
            remove_commands(shown, r, None),
            add_commands(shown, &format!("<kms-host>.{zone}"), r.priority, r.weight, r.port)
        ),
    })
}

/// Probes `target:port` like a client (resolve, then connect to every address): Ok(address
/// that answered) or Err(why not, for the message).
async fn answers_on(ctx: &CheckContext<'_>, target: &str, port: u16) -> Result<SocketAddr, String> {
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
            .await?;
            if res.addresses.is_empty() {
                return Err(format!(
                    "{target} has no address ({})",
                    dns::no_answer_message(&res.attempts)
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
            Err(ConnectFailure::TimedOut) => why.push(format!(
                "{addr}: no answer to {attempts} attempt(s) within {}",
                humantime::format_duration(ctx.timeout)
            )),
            Err(e) => why.push(format!("{addr}: {}", e.class())),
        }
    }
    why.sort();
    Err(why.join("; "))
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
            let fix = format!(
                "Clients use the port in the SRV record. Either fix the record (port {expected}), or keep the KMS host \
                 listening on the advertised port (on the host: slmgr /sprt {port}, then restart sppsvc; and allow TCP {port} \
                 in its firewall).\n{rm}\n{add}",
                port = r.port,
                rm = remove_commands(shown, r, None),
                add = add_commands(shown, &r.target, r.priority, r.weight, expected),
            );
            match answered {
                Ok(addr) => Issue {
                    status: Status::Warn,
                    kind: "port-differs-answers",
                    record: describe(r),
                    message: format!(
                        "{}:{} advertises a port other than {expected}, and the host answers there ({addr}): clients that \
                         follow the record connect; clients pointed at the host by name (slmgr /skms {}) use {expected}",
                        r.target, r.port, r.target
                    ),
                    remediation: fix,
                },
                Err(why) => Issue {
                    status: Status::Fail,
                    kind: "port-differs-silent",
                    record: describe(r),
                    message: format!(
                        "{}:{} advertises a port other than {expected}, and nothing answers there ({why}): clients that \
                         follow the record fail",
                        r.target, r.port
                    ),
                    remediation: fix,
                },
            }
        })
        .collect()
}

/// Folds the issues into the pass finding of `srv.present`: the worst status wins, each issue
/// is one clause of the message, the remediations are joined, and the issues are evidence.
pub fn apply(mut f: Finding, issues: &[Issue]) -> Finding {
    if issues.is_empty() || f.status != Status::Pass {
        return f;
    }
    let worst = issues
        .iter()
        .map(|i| i.status)
        .max()
        .unwrap_or(Status::Pass);
    let texts: Vec<&str> = issues.iter().map(|i| i.message.as_str()).collect();
    f.status = worst;
    f.message = format!("{}; {}", texts.join("; "), f.message.legacy_text()).into();
    let mut fixes: Vec<&str> = Vec::new();
    for i in issues {
        if !fixes.contains(&i.remediation.as_str()) {
            fixes.push(&i.remediation);
        }
    }
    f.remediation = Some(fixes.join("\n").into());
    if issues.iter().any(|i| i.status == Status::Fail) {
        f.error_codes = vec!["0xC004F074".into(), "0x800706BA".into()];
    }
    f.evidence(
        "issues",
        Value::Array(issues.iter().map(Issue::to_json).collect()),
    )
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
        assert!(i.message.contains("RFC 2782"), "{}", i.message);
        assert!(i
            .remediation
            .contains("Add-DnsServerResourceRecordA -ZoneName corp.test -Name <kms-host> -IPv4Address 10.1.2.3"));
        assert!(i
            .remediation
            .contains("_vlmcs._tcp  IN SRV 0 0 1688 10.1.2.3."));
    }

    #[test]
    fn issues_fold_into_the_finding_worst_first() {
        let warn = Issue {
            status: Status::Warn,
            kind: "ip-literal-target",
            record: "r".into(),
            message: "w".into(),
            remediation: "fix".into(),
        };
        let f = apply(
            Finding::new(Status::Pass, "1 host"),
            std::slice::from_ref(&warn),
        );
        assert_eq!(f.status, Status::Warn);
        assert_eq!(en(&f.message), "w; 1 host");
        let fail = Issue {
            status: Status::Fail,
            message: "x".into(),
            ..warn.clone()
        };
        let f = apply(Finding::new(Status::Pass, "1 host"), &[warn, fail]);
        assert_eq!(f.status, Status::Fail);
        assert_eq!(f.remediation.as_ref().map(en).as_deref(), Some("fix"));
        assert_eq!(f.error_codes, ["0xC004F074", "0x800706BA"]);
        // A failing finding stays as it is.
        let f = apply(Finding::new(Status::Fail, "none"), &[]);
        assert_eq!(f.status, Status::Fail);
    }
}
