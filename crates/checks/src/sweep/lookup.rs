//! The sweep's DNS side: the `_vlmcs._tcp` SRV records of each domain (asked of every server,
//! union of the answers, like `srv-inventory`), the addresses of their targets and of the
//! inventory hosts, and reverse (PTR) names of the listeners found. Runs while the scan runs.

use crate::{Finding, RunSettings, Source};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use kms_preflight_net::dns::proto::{Name, RData, RecordType};
use serde_json::{json, Value};
use tokio::task::JoinSet;

use super::judge::{Directory, SrvRef};
use super::Inventory;
use crate::common::srv_audit::{answers_json, ask_each, describe};
use kms_preflight_engine::Status;
use kms_preflight_net::dns;
use kms_preflight_net::memo::RunMemo;

/// A result about one domain's publication (or the inventory), and what it was about.
pub struct DomainFinding {
    /// The domain, or `srv.inventory` for the inventory hosts.
    pub target: String,
    pub finding: Finding,
}

/// Addresses of `hosts` (names or literals), resolved concurrently; unresolvable ones map to
/// an empty list.
async fn resolve_all(
    memo: &RunMemo,
    servers: &[SocketAddr],
    hosts: &[String],
    timeout: Duration,
    source: Option<&Source>,
) -> Vec<(String, Vec<IpAddr>)> {
    let mut set = JoinSet::new();
    for (i, h) in hosts.iter().enumerate() {
        let (memo, servers, h, source) =
            (memo.clone(), servers.to_vec(), h.clone(), source.cloned());
        set.spawn(async move {
            let addrs = dns::resolve_host(&memo, &servers, &h, timeout, source.as_ref())
                .await
                .map(|r| r.addresses)
                .unwrap_or_default();
            (i, h, addrs)
        });
    }
    let mut out = Vec::new();
    while let Some(r) = set.join_next().await {
        if let Ok(r) = r {
            out.push(r);
        }
    }
    out.sort_by_key(|r| r.0);
    out.into_iter().map(|(_, h, a)| (h, a)).collect()
}

fn addr_list(addrs: &[IpAddr]) -> String {
    if addrs.is_empty() {
        "does not resolve".into()
    } else {
        addrs
            .iter()
            .map(IpAddr::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Builds the comparison basis. Each domain gets a finding saying what it publishes.
pub async fn directory(
    memo: &RunMemo,
    servers: &[SocketAddr],
    domains: &[String],
    inventory: &Inventory,
    timeout: Duration,
    source: Option<&Source>,
) -> (Directory, Vec<DomainFinding>) {
    let settings = RunSettings {
        dns_servers: servers.to_vec(),
        memo: memo.clone(),
        ..Default::default()
    };
    let mut dir = Directory::default();
    let mut findings = Vec::new();
    for domain in domains {
        let shown = format!("_vlmcs._tcp.{domain}");
        let name = match dns::fqdn(&shown) {
            Ok(n) => n,
            Err(e) => {
                findings.push(DomainFinding {
                    target: domain.clone(),
                    finding: Finding::new(Status::Error, e),
                });
                continue;
            }
        };
        let answers = ask_each(&settings, &name, RecordType::SRV, timeout, source).await;
        let mut records = Vec::new();
        let mut answered = false;
        for a in &answers {
            let Some(recs) = a.records() else { continue };
            answered = true;
            for r in recs.into_iter().filter(|r| r.target != ".") {
                if !records.iter().any(|x: &crate::common::srv::SrvRecord| {
                    x.target == r.target && x.port == r.port
                }) {
                    records.push(r);
                }
            }
        }
        let base = |f: Finding| {
            f.evidence("name", shown.clone())
                .evidence("servers", answers_json(&answers))
        };
        if !answered {
            let why = answers
                .iter()
                .map(|a| format!("{}: {}", a.server, a.outcome_label()))
                .collect::<Vec<_>>()
                .join("; ");
            findings.push(DomainFinding {
                target: domain.clone(),
                finding: base(Finding::new(
                    Status::Error,
                    format!(
                        "cannot compare with what {shown} publishes: no DNS server gave a usable answer ({why}); every KMS listener is reported without a verdict on publication"
                    ),
                )),
            });
            continue;
        }
        let mut targets: Vec<String> = records.iter().map(|r| r.target.clone()).collect();
        targets.dedup();
        let resolved = resolve_all(memo, servers, &targets, timeout, source).await;
        let mut unresolved = Vec::new();
        let mut shown_records = Vec::new();
        let mut addresses = serde_json::Map::new();
        for r in &records {
            let addrs = resolved
                .iter()
                .find(|(h, _)| *h == r.target)
                .map(|(_, a)| a.clone())
                .unwrap_or_default();
            if addrs.is_empty() && !unresolved.contains(&r.target) {
                unresolved.push(r.target.clone());
            }
            shown_records.push(format!("{} ({})", describe(r), addr_list(&addrs)));
            addresses.insert(
                r.target.clone(),
                Value::Array(addrs.iter().map(|a| Value::String(a.to_string())).collect()),
            );
            for a in addrs {
                let e = dir.by_addr.entry(a).or_default();
                let sref = SrvRef {
                    name: shown.clone(),
                    target: r.target.clone(),
                    port: r.port,
                };
                if !e.srv.contains(&sref) {
                    e.srv.push(sref);
                }
            }
        }
        let records_json: Vec<Value> = records
            .iter()
            .map(|r| json!(format!("{}:{}", r.target, r.port)))
            .collect();
        let f = if records.is_empty() {
            Finding::new(
                Status::Warn,
                format!("{shown} publishes no KMS host: every KMS listener found is unpublished (rogue unless on the srv.inventory allow-list)"),
            )
        } else if !unresolved.is_empty() {
            Finding::new(
                Status::Warn,
                format!(
                    "{shown} publishes {}; {} does not resolve, so its listener cannot be recognised",
                    shown_records.join("; "),
                    unresolved.join(", ")
                ),
            )
        } else {
            Finding::new(
                Status::Pass,
                format!("{shown} publishes {}", shown_records.join("; ")),
            )
        };
        findings.push(DomainFinding {
            target: domain.clone(),
            finding: base(f)
                .evidence("records", Value::Array(records_json))
                .evidence("addresses", Value::Object(addresses)),
        });
    }
    if !inventory.is_empty() {
        let all: Vec<String> = inventory
            .forbidden
            .iter()
            .chain(&inventory.allowed)
            .cloned()
            .collect();
        let resolved = resolve_all(memo, servers, &all, timeout, source).await;
        let mut lines = Vec::new();
        let mut status = Status::Pass;
        for (host, addrs) in &resolved {
            let forbidden = inventory.forbidden.contains(host);
            lines.push(format!(
                "{} {host} ({})",
                if forbidden { "forbidden" } else { "allowed" },
                addr_list(addrs)
            ));
            if addrs.is_empty() {
                status = Status::Warn;
            }
            for a in addrs {
                let e = dir.by_addr.entry(*a).or_default();
                let list = if forbidden {
                    &mut e.forbidden
                } else {
                    &mut e.allowed
                };
                if !list.contains(host) {
                    list.push(host.clone());
                }
            }
        }
        findings.push(DomainFinding {
            target: "srv.inventory".into(),
            finding: Finding::new(
                status,
                format!(
                    "inventory from the srv.inventory rule: {}",
                    lines.join("; ")
                ),
            )
            .evidence("forbidden_hosts", json!(inventory.forbidden))
            .evidence("expected_hosts", json!(inventory.allowed)),
        });
    }
    (dir, findings)
}

/// Reverse names of `ip` from the first server that answers definitively; None when none did.
pub async fn ptr(
    memo: &RunMemo,
    servers: &[SocketAddr],
    ip: IpAddr,
    timeout: Duration,
    source: Option<&Source>,
) -> Option<Vec<String>> {
    let mut rname = Name::from(ip);
    rname.set_fqdn(true);
    let (reply, _) =
        dns::query_servers(memo, servers, &rname, RecordType::PTR, timeout, source).await;
    let reply = reply?;
    match reply.class {
        dns::AnswerClass::Records | dns::AnswerClass::NxDomain | dns::AnswerClass::NoData => Some(
            reply
                .answers
                .iter()
                .filter_map(|r| match &r.data {
                    RData::PTR(p) => Some(dns::display_name(&p.0)),
                    _ => None,
                })
                .collect(),
        ),
        _ => None,
    }
}
