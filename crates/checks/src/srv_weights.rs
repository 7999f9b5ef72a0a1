//! `srv-weights`: what priority and weight of the `_vlmcs._tcp` records actually do.
//!
//! Two readings, both shown, because Microsoft's documents contradict each other
//! (kms-facts §1): the RFC 2782 order (lowest priority first; inside a priority group each
//! host's chance of the first attempt follows its weight), which the slmgr documentation
//! says clients honour only with KMS host caching off (`slmgr /ckhc`), and a random choice
//! over the whole list (the behaviour described with caching on, and in the KMS DNS
//! troubleshooting page: "KMS does not use the Priority or Weight values").
//!
//! Also warns about records that do not do what the admin likely thinks: weight-0 records
//! mixed with weighted ones, duplicate targets, the `.` target (service explicitly not
//! offered), a target that is an alias (CNAME; RFC 2782 forbids aliases as targets) and a
//! port other than the expected one.

use crate::{CheckContext, CheckOutput, Finding, Kms, RunSettings};
use std::collections::BTreeMap;
use std::time::Duration;

use kms_preflight_net::dns::proto::{RData, RecordType};
use serde_json::{json, Value};
use serde_saphyr::{Location, Spanned};

use crate::common::srv::{srv_records, SrvRecord};
use crate::common::srv_audit::{self as common, describe};
use kms_preflight_engine::rules::Scope;
use kms_preflight_engine::Status;
use kms_preflight_engine::{render_port, validate_port, BoxFuture, Check};
use kms_preflight_net::dns::{self, AnswerClass};

kms_preflight_engine::messages! {}

kms_preflight_engine::check_rule! {
    /// Parameters of an `srv-weights` check.
    SrvWeightsRule => SrvWeightsCheck {
        /// Query name; default `_vlmcs._tcp.{{domain}}`.
        name: Option<Spanned<String>>,
        #[serde(default)]
        expect: WeightsExpect,
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeightsExpect {
    /// The port every record should advertise (e.g. `"{{port}}"`).
    pub port: Option<Spanned<String>>,
}

/// The RFC 2782 first-attempt shares; the computation lives in the knowledge crate so the
/// report's verdict uses the same numbers.
pub use kms_preflight_knowledge::srv_order::rfc2782_shares;

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

impl Check<Kms> for SrvWeightsCheck {
    fn default_scope(&self) -> Scope {
        Scope::EACH_DOMAIN
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(2)
    }

    fn budget(&self, timeout: Duration, settings: &RunSettings) -> Duration {
        // One stub-style SRV lookup, then the targets' A lookups in parallel.
        kms_preflight_net::dns::lookup_budget(timeout, &settings.dns_servers) * 2
            + Duration::from_secs(1)
    }

    fn templates(&self) -> Vec<&Spanned<String>> {
        self.name.iter().chain(self.expect.port.iter()).collect()
    }

    fn validate(&self) -> Vec<(Location, String)> {
        self.expect.port.iter().filter_map(validate_port).collect()
    }

    fn evidence_vars(&self) -> &'static [&'static str] {
        &["name", "record", "target", "issue"]
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext<'a>) -> BoxFuture<'a, CheckOutput> {
        Box::pin(async move {
            let (name, shown) = match common::query_name(&self.name, ctx) {
                Ok(n) => n,
                Err(f) => return CheckOutput::one(f),
            };
            let expected_port = match &self.expect.port {
                Some(p) => match render_port(p, ctx.vars) {
                    Ok(p) => Some(p),
                    Err(f) => return CheckOutput::one(f),
                },
                None => None,
            };
            let servers = &ctx.settings.dns_servers;
            if servers.is_empty() {
                return CheckOutput::one(common::no_servers());
            }
            let (reply, attempts) = dns::query_servers(
                &ctx.settings.memo,
                servers,
                &name,
                RecordType::SRV,
                ctx.timeout,
                ctx.source,
            )
            .await;
            let reply = match reply {
                Some(r) if r.class == AnswerClass::Records => r,
                Some(r) => {
                    return CheckOutput::one(
                        Finding::new(
                            Status::Skip,
                            format!(
                                "no SRV records to audit at {shown} ({} from {}); see srv.present",
                                r.class.label(),
                                r.server
                            ),
                        )
                        .evidence("name", shown),
                    )
                }
                None => {
                    return CheckOutput::one(
                        Finding::new(
                            Status::Skip,
                            format!(
                                "no DNS server answered for {shown} ({}); see srv.present",
                                dns::no_answer_message(&attempts)
                            ),
                        )
                        .evidence("name", shown),
                    )
                }
            };
            let server = reply.server;
            let records = srv_records(&reply);
            let (owner, zone) = common::owner_and_zone(&shown);
            let usable: Vec<&SrvRecord> = records.iter().filter(|r| r.target != ".").collect();
            let base = |f: Finding| {
                f.evidence("name", shown.clone())
                    .evidence("server", server.to_string())
                    .evidence(
                        "records",
                        Value::Array(records.iter().map(SrvRecord::to_json).collect()),
                    )
            };
            let mut findings = Vec::new();

            // The two readings.
            let shares = rfc2782_shares(
                &usable
                    .iter()
                    .map(|r| (r.priority, r.weight))
                    .collect::<Vec<_>>(),
            );
            let mut groups: BTreeMap<u16, Vec<(usize, &SrvRecord)>> = BTreeMap::new();
            for (i, r) in usable.iter().enumerate() {
                groups.entry(r.priority).or_default().push((i, r));
            }
            let mut order_text = Vec::new();
            let mut rfc_json = Vec::new();
            for (rank, (prio, members)) in groups.iter().enumerate() {
                let parts: Vec<String> = members
                    .iter()
                    .map(|(i, r)| format!("{}:{} {}", r.target, r.port, pct(shares[*i])))
                    .collect();
                order_text.push(format!(
                    "{}. priority {prio}: {}",
                    rank + 1,
                    parts.join(", ")
                ));
                rfc_json.push(json!({
                    "try": rank + 1,
                    "priority": prio,
                    "hosts": members.iter().map(|(i, r)| json!({
                        "target": r.target, "port": r.port, "weight": r.weight,
                        "share": (shares[*i] * 10000.0).round() / 10000.0,
                    })).collect::<Vec<_>>(),
                }));
            }
            let n = usable.len().max(1) as f64;
            let random_json: Vec<Value> = usable
                .iter()
                .map(|r| json!({"target": r.target, "port": r.port, "share": ((1.0 / n) * 10000.0).round() / 10000.0}))
                .collect();
            if !usable.is_empty() {
                findings.push(
                    base(Finding::new(
                        Status::Pass,
                        format!(
                            "RFC 2782 order (only with KMS host caching off, slmgr /ckhc): {} | random choice (caching on; \
                             Microsoft also documents that KMS ignores priority/weight): each of {} host(s) {}",
                            order_text.join("; then "),
                            usable.len(),
                            pct(1.0 / n)
                        ),
                    ))
                    .evidence("rfc2782", Value::Array(rfc_json))
                    .evidence("random", Value::Array(random_json)),
                );
            }

            // Weight 0 mixed with weighted records inside one priority group.
            for (prio, members) in &groups {
                let sum: u64 = members.iter().map(|(_, r)| r.weight as u64).sum();
                let zeros: Vec<&(usize, &SrvRecord)> =
                    members.iter().filter(|(_, r)| r.weight == 0).collect();
                if sum > 0 && !zeros.is_empty() {
                    let names: Vec<String> = zeros
                        .iter()
                        .map(|(i, r)| format!("{} ({})", r.target, pct(shares[*i])))
                        .collect();
                    findings.push(
                        base(Finding::new(
                            Status::Fail,
                            format!(
                                "priority {prio} mixes weight-0 record(s) {} with weighted ones (total weight {sum}): \
                                 under RFC 2782 a weight-0 host is almost never tried first; if it should share the load, give it a weight",
                                names.join(", ")
                            ),
                        ))
                        .evidence("issue", "weight-zero-mixed")
                        .evidence("priority", *prio)
                        .remediation(format!(
                            "Set explicit weights on every record of priority {prio} in {zone} (remove and re-add each with its weight):\n  \
                             Add-DnsServerResourceRecord -ZoneName {zone} -Srv -Name {owner} -DomainName <host>. -Priority {prio} -Weight <weight> -Port <port>\n  \
                             BIND: {owner}  IN SRV {prio} <weight> <port> <host>.\n\
                             On a self-publishing KMS host the weight comes from DnsDomainPublishList (\"{zone}, {prio}, <weight>\"). \
                             Weights matter only on clients with host caching off (slmgr /ckhc). Then on clients: ipconfig /flushdns ; slmgr /ckms"
                        )),
                    );
                }
            }

            // Duplicate targets.
            let mut by_target: BTreeMap<&str, Vec<&SrvRecord>> = BTreeMap::new();
            for r in &usable {
                by_target.entry(r.target.as_str()).or_default().push(r);
            }
            for (target, recs) in &by_target {
                if recs.len() < 2 {
                    continue;
                }
                let all: Vec<String> = recs.iter().map(|r| describe(r)).collect();
                let extra = recs[1..]
                    .iter()
                    .map(|r| common::remove_commands(&shown, r, None))
                    .collect::<Vec<_>>()
                    .join("\n");
                findings.push(
                    base(Finding::new(
                        Status::Fail,
                        format!(
                            "{target} is published {} times ({}): a leftover of a port or priority change, and it weighs twice in the choice",
                            recs.len(),
                            all.join("; ")
                        ),
                    ))
                    .evidence("issue", "duplicate-target")
                    .evidence("target", target.to_string())
                    .remediation(format!("Keep one record per KMS host. For the extra one(s):\n{extra}")),
                );
            }

            // The "." target.
            for r in records.iter().filter(|r| r.target == ".") {
                let msg = if usable.is_empty() {
                    format!("{} has target '.': the service is explicitly not offered in {zone} (RFC 2782); clients find no KMS host", describe(r))
                } else {
                    format!("{} has target '.' (service explicitly not offered) next to real hosts: contradictory, clients may stop at it", describe(r))
                };
                findings.push(
                    base(Finding::new(Status::Fail, msg))
                        .codes(&["0xC004F074"])
                        .evidence("issue", "dot-target")
                        .evidence("record", describe(r))
                        .remediation(format!(
                            "{}\n{}",
                            common::remove_commands(&shown, r, None),
                            if usable.is_empty() {
                                common::add_commands(
                                    &shown,
                                    "<kms-host.fqdn>",
                                    0,
                                    0,
                                    expected_port.unwrap_or(1688),
                                )
                            } else {
                                String::new()
                            }
                        )),
                );
            }

            // Ports.
            if let Some(p) = expected_port {
                for r in usable.iter().filter(|r| r.port != p) {
                    findings.push(
                        base(Finding::new(
                            Status::Fail,
                            format!("{} advertises port {}, expected {p}: clients connect to {}", describe(r), r.port, r.port),
                        ))
                        .codes(&["0xC004F074", "0x800706BA"])
                        .evidence("issue", "port-differs")
                        .evidence("record", describe(r))
                        .evidence("target", r.target.clone())
                        .evidence("expected_port", p)
                        .remediation(format!(
                            "Either make the KMS host listen on {port} (on the host: slmgr /sprt {port}, restart sppsvc) or fix the record:\n{rm}\n{add}",
                            port = r.port,
                            rm = common::remove_commands(&shown, r, None),
                            add = common::add_commands(&shown, &r.target, r.priority, r.weight, p),
                        )),
                    );
                }
            }

            // Aliases: a target whose A lookup starts with a CNAME.
            let mut set = tokio::task::JoinSet::new();
            for target in by_target.keys() {
                let Ok(tname) = dns::fqdn(target) else {
                    continue;
                };
                let servers = servers.clone();
                let timeout = ctx.timeout;
                let source = ctx.source.cloned();
                let target = target.to_string();
                let memo = ctx.settings.memo.clone();
                set.spawn(async move {
                    let (r, _) = dns::query_servers(
                        &memo,
                        &servers,
                        &tname,
                        RecordType::A,
                        timeout,
                        source.as_ref(),
                    )
                    .await;
                    (target, tname, r)
                });
            }
            let mut aliases = Vec::new();
            while let Some(j) = set.join_next().await {
                let Ok((target, tname, Some(reply))) = j else {
                    continue;
                };
                let canonical = reply.answers.iter().find_map(|rec| match &rec.data {
                    RData::CNAME(c) if rec.name == tname => Some(dns::display_name(&c.0)),
                    _ => None,
                });
                if let Some(c) = canonical {
                    aliases.push((target, c));
                }
            }
            aliases.sort();
            for (target, canonical) in aliases {
                let recs = &by_target[target.as_str()];
                let fix = recs
                    .iter()
                    .map(|r| {
                        format!(
                            "{}\n{}",
                            common::remove_commands(&shown, r, None),
                            common::add_commands(&shown, &canonical, r.priority, r.weight, r.port)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                findings.push(
                    base(Finding::new(
                        Status::Fail,
                        format!(
                            "target {target} is an alias (CNAME to {canonical}): RFC 2782 does not allow aliases as SRV targets; \
                             some clients refuse it, and the extra lookup can fail on its own"
                        ),
                    ))
                    .evidence("issue", "cname-target")
                    .evidence("target", target.clone())
                    .evidence("canonical", canonical.clone())
                    .remediation(format!("Point the record at the canonical name {canonical}:\n{fix}")),
                );
            }
            CheckOutput {
                findings,
                ..Default::default()
            }
        })
    }
}
