//! The sweep's DNS side: the `_vlmcs._tcp` SRV records of each domain (asked of every server,
//! union of the answers, like `srv-inventory`), the addresses of their targets and of the
//! inventory hosts, and reverse (PTR) names of the listeners found. Runs while the scan runs.

use crate::{Finding, RunSettings, Source};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use kms_preflight_net::dns::proto::{Name, RData, RecordType};
use serde_json::Value;
use tokio::task::JoinSet;

use super::judge::{Directory, SrvRef};
use super::{AddressesByHost, Inventory, PublishedEvidence};
use crate::common::srv_audit::{answers_json, ask_each, describe};
use kms_preflight_engine::{Arg, Status};
use kms_preflight_net::dns;
use kms_preflight_net::memo::RunMemo;

/// A result about one domain's publication (or the inventory), and what it was about.
pub struct DomainFinding {
    /// The domain, or `srv.inventory` for the inventory hosts.
    pub target: String,
    pub finding: Finding,
    pub evidence: PublishedEvidence,
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

/// A host's addresses for a message: the list, or that it does not resolve.
fn addr_list(addrs: &[IpAddr]) -> Arg {
    if addrs.is_empty() {
        super::does_not_resolve().into()
    } else {
        addrs.to_vec().into()
    }
}

/// The per-server answers as evidence.
fn servers_evidence(answers: &[crate::common::srv_audit::ServerAnswer]) -> Option<Vec<Value>> {
    match answers_json(answers) {
        Value::Array(a) => Some(a),
        other => Some(vec![other]),
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
                    finding: Finding::new(Status::Error, super::domain_invalid(e)),
                    evidence: PublishedEvidence::default(),
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
        let mut evidence = PublishedEvidence {
            name: Some(shown.clone()),
            servers: servers_evidence(&answers),
            ..PublishedEvidence::default()
        };
        if !answered {
            let why: Vec<_> = answers
                .iter()
                .map(|a| super::server_outcome(a.server, a.outcome_label()))
                .collect();
            findings.push(DomainFinding {
                target: domain.clone(),
                finding: Finding::new(Status::Error, super::no_usable_answer(shown.as_str(), why)),
                evidence,
            });
            continue;
        }
        let mut targets: Vec<String> = records.iter().map(|r| r.target.clone()).collect();
        targets.dedup();
        let resolved = resolve_all(memo, servers, &targets, timeout, source).await;
        let mut unresolved = Vec::new();
        let mut shown_records = Vec::new();
        let mut addresses = AddressesByHost::default();
        for r in &records {
            let addrs = resolved
                .iter()
                .find(|(h, _)| *h == r.target)
                .map(|(_, a)| a.clone())
                .unwrap_or_default();
            if addrs.is_empty() && !unresolved.contains(&r.target) {
                unresolved.push(r.target.clone());
            }
            shown_records.push(super::record_at(describe(r), addr_list(&addrs)));
            addresses.insert(
                r.target.clone(),
                addrs.iter().map(IpAddr::to_string).collect(),
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
        let f = if records.is_empty() {
            Finding::new(Status::Warn, super::publishes_nothing(shown.as_str()))
        } else if !unresolved.is_empty() {
            Finding::new(
                Status::Warn,
                super::publishes_unresolved(shown.as_str(), shown_records, unresolved),
            )
        } else {
            Finding::new(
                Status::Pass,
                super::publishes(shown.as_str(), shown_records),
            )
        };
        evidence.records = Some(
            records
                .iter()
                .map(|r| format!("{}:{}", r.target, r.port))
                .collect(),
        );
        evidence.addresses = Some(addresses);
        findings.push(DomainFinding {
            target: domain.clone(),
            finding: f,
            evidence,
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
            lines.push(if forbidden {
                super::inventory_forbidden(host.as_str(), addr_list(addrs))
            } else {
                super::inventory_allowed(host.as_str(), addr_list(addrs))
            });
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
            finding: Finding::new(status, super::inventory(lines)),
            evidence: PublishedEvidence {
                forbidden_hosts: Some(inventory.forbidden.clone()),
                expected_hosts: Some(inventory.allowed.clone()),
                ..PublishedEvidence::default()
            },
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
