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
use serde_saphyr::{Location, Spanned};

use crate::common::srv::{srv_records, SrvRecord};
use crate::common::srv_audit::{self as common, describe};
use kms_preflight_engine::rules::Scope;
use kms_preflight_engine::{render_port, validate_port, BoxFuture, Check};
use kms_preflight_engine::{Message, Status};
use kms_preflight_net::dns::{self, AnswerClass};

kms_preflight_engine::messages! {
    /// no SRV records to audit at {name} ({rcode} from {server}); see srv.present
    not_records = "srv-weights-not-records" (name, rcode, server);
    /// no DNS server answered for {name} ({why}); see srv.present
    no_answer = "srv-weights-no-answer" (name, why);
    /// RFC 2782 order (only with KMS host caching off, slmgr /ckhc): {order} | random choice
    /// (caching on; Microsoft also documents that KMS ignores priority/weight): each of
    /// {count} host(s) {percent}%
    readings = "srv-weights-readings" (order, count, percent);
    /// {rank}. priority {priority}: {hosts}
    group = "srv-weights-group" (rank, priority, hosts);
    /// {target}:{port} {percent}%
    share = "srv-weights-share" (target, port, percent);
    /// priority {priority} mixes weight-0 record(s) {records} with weighted ones (total weight
    /// {total}): under RFC 2782 a weight-0 host is almost never tried first; if it should share
    /// the load, give it a weight
    zero_mixed = "srv-weights-zero-mixed" (priority, records, total);
    /// {target} ({percent}%)
    zero_entry = "srv-weights-zero-entry" (target, percent);
    /// Set explicit weights on every record of priority {priority} in {zone} (…): {windows}
    /// {bind_line} … DnsDomainPublishList ("{publish_list}") …
    zero_fix = "srv-weights-zero-fix" (priority, zone, windows, bind_line, publish_list);
    /// {target} is published {count} times ({records}): a leftover of a port or priority
    /// change, and it weighs twice in the choice
    duplicate = "srv-weights-duplicate" (target, count, records);
    /// Keep one record per KMS host. For the extra one(s): {removals}
    duplicate_fix = "srv-weights-duplicate-fix" (removals);
    /// {record} has target '.': the service is explicitly not offered in {zone} (RFC 2782);
    /// clients find no KMS host
    dot_only = "srv-weights-dot-only" (record, zone);
    /// {record} has target '.' (service explicitly not offered) next to real hosts:
    /// contradictory, clients may stop at it
    dot_mixed = "srv-weights-dot-mixed" (record);
    /// {record} advertises port {port}, expected {expected}: clients connect to {port}
    port = "srv-weights-port" (record, port, expected);
    /// Either make the KMS host listen on {port} (…) or fix the record: {remove} {add}
    port_fix = "srv-weights-port-fix" (port, remove, add);
    /// target {target} is an alias (CNAME to {canonical}): RFC 2782 does not allow aliases as
    /// SRV targets; some clients refuse it, and the extra lookup can fail on its own
    cname = "srv-weights-cname" (target, canonical);
    /// Point the record at the canonical name {canonical}: {fixes}
    cname_fix = "srv-weights-cname-fix" (canonical, fixes);
}

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

/// A share as the messages show it (percent, one decimal in the catalog).
fn percent(x: f64) -> f64 {
    x * 100.0
}

/// What a weights finding is about.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum WeightsIssue {
    WeightZeroMixed,
    DuplicateTarget,
    DotTarget,
    PortDiffers,
    CnameTarget,
}

/// One priority group under RFC 2782: the order it is tried in and its hosts' shares.
#[derive(
    Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(default)]
pub struct Rfc2782Group {
    #[serde(rename = "try")]
    pub try_rank: usize,
    pub priority: u16,
    pub hosts: Vec<WeightedShare>,
}

/// A host's chance of the first attempt inside its priority group.
#[derive(
    Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(default)]
pub struct WeightedShare {
    pub target: String,
    pub port: u16,
    pub weight: u16,
    pub share: f64,
}

/// A host's chance under a random choice over the whole list.
#[derive(
    Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(default)]
pub struct RandomShare {
    pub target: String,
    pub port: u16,
    pub share: f64,
}

/// What `srv-weights` saw.
#[derive(
    Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(default)]
pub struct SrvWeightsEvidence {
    pub name: String,
    /// The server whose answer is audited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub records: Option<Vec<SrvRecord>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rfc2782: Option<Vec<Rfc2782Group>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub random: Option<Vec<RandomShare>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue: Option<WeightsIssue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<u16>,
    /// The record a finding is about, as text (`SRV 0 0 1688 host`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_port: Option<u16>,
    /// The name a CNAME target points at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canonical: Option<String>,
}

impl crate::Evidence {
    pub fn srv_weights(&self) -> Option<&SrvWeightsEvidence> {
        match self {
            crate::Evidence::SrvWeights(e) => Some(e),
            _ => None,
        }
    }
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

    fn validate(&self) -> Vec<(Location, kms_preflight_engine::Message)> {
        self.expect.port.iter().filter_map(validate_port).collect()
    }

    fn evidence_vars(&self) -> &'static [&'static str] {
        &["name", "record", "target", "issue"]
    }

    fn plan(
        &self,
        ctx: &kms_preflight_engine::plan::PlanContext<'_, Kms>,
    ) -> Vec<kms_preflight_engine::plan::PlannedProbe> {
        let mut out =
            crate::common::plan::srv_queries(ctx, crate::common::plan::srv_names(ctx, &self.name));
        out.extend(crate::common::plan::dns_queries(
            ctx,
            crate::common::plan::dns_query("A", crate::common::plan::srv_target_names()),
        ));
        out
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
                            not_records(&shown, crate::common::dns::class(&r.class), r.server),
                        )
                        .with(SrvWeightsEvidence {
                            name: shown,
                            ..Default::default()
                        }),
                    )
                }
                None => {
                    return CheckOutput::one(
                        Finding::new(
                            Status::Skip,
                            no_answer(&shown, crate::common::dns::no_answer(&attempts)),
                        )
                        .with(SrvWeightsEvidence {
                            name: shown,
                            ..Default::default()
                        }),
                    )
                }
            };
            let server = reply.server;
            let records = srv_records(&reply);
            let (owner, zone) = common::owner_and_zone(&shown);
            let usable: Vec<&SrvRecord> = records.iter().filter(|r| r.target != ".").collect();
            let base = SrvWeightsEvidence {
                name: shown.clone(),
                server: Some(server.to_string()),
                records: Some(records.clone()),
                ..Default::default()
            };
            let with = |f: Finding, e: SrvWeightsEvidence| f.with(e);
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
            let mut rfc = Vec::new();
            for (rank, (prio, members)) in groups.iter().enumerate() {
                let parts: Vec<Message> = members
                    .iter()
                    .map(|(i, r)| share(&r.target, r.port, percent(shares[*i])))
                    .collect();
                order_text.push(group(rank + 1, *prio, parts));
                rfc.push(Rfc2782Group {
                    try_rank: rank + 1,
                    priority: *prio,
                    hosts: members
                        .iter()
                        .map(|(i, r)| WeightedShare {
                            target: r.target.clone(),
                            port: r.port,
                            weight: r.weight,
                            share: (shares[*i] * 10000.0).round() / 10000.0,
                        })
                        .collect(),
                });
            }
            let n = usable.len().max(1) as f64;
            let random: Vec<RandomShare> = usable
                .iter()
                .map(|r| RandomShare {
                    target: r.target.clone(),
                    port: r.port,
                    share: ((1.0 / n) * 10000.0).round() / 10000.0,
                })
                .collect();
            if !usable.is_empty() {
                findings.push(with(
                    Finding::new(
                        Status::Pass,
                        readings(order_text, usable.len(), percent(1.0 / n)),
                    ),
                    SrvWeightsEvidence {
                        rfc2782: Some(rfc),
                        random: Some(random),
                        ..base.clone()
                    },
                ));
            }

            // Weight 0 mixed with weighted records inside one priority group.
            for (prio, members) in &groups {
                let sum: u64 = members.iter().map(|(_, r)| r.weight as u64).sum();
                let zeros: Vec<&(usize, &SrvRecord)> =
                    members.iter().filter(|(_, r)| r.weight == 0).collect();
                if sum > 0 && !zeros.is_empty() {
                    let names: Vec<Message> = zeros
                        .iter()
                        .map(|(i, r)| zero_entry(&r.target, percent(shares[*i])))
                        .collect();
                    findings.push(
                        with(
                            Finding::new(Status::Fail, zero_mixed(*prio, names, sum)),
                            SrvWeightsEvidence {
                                issue: Some(WeightsIssue::WeightZeroMixed),
                                priority: Some(*prio),
                                ..base.clone()
                            },
                        )
                        .remediation(zero_fix(
                            *prio,
                            &zone,
                            format!(
                                "Add-DnsServerResourceRecord -ZoneName {zone} -Srv -Name {owner} -DomainName <host>. -Priority {prio} -Weight <weight> -Port <port>"
                            ),
                            format!("{owner}  IN SRV {prio} <weight> <port> <host>."),
                            format!("{zone}, {prio}, <weight>"),
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
                let extra: Vec<Message> = recs[1..]
                    .iter()
                    .map(|r| common::remove_commands(&shown, r, None))
                    .collect();
                findings.push(
                    with(
                        Finding::new(Status::Fail, duplicate(*target, recs.len(), all)),
                        SrvWeightsEvidence {
                            issue: Some(WeightsIssue::DuplicateTarget),
                            target: Some(target.to_string()),
                            ..base.clone()
                        },
                    )
                    .remediation(duplicate_fix(extra)),
                );
            }

            // The "." target.
            for r in records.iter().filter(|r| r.target == ".") {
                let (msg, fix) = if usable.is_empty() {
                    (
                        dot_only(describe(r), &zone),
                        crate::common::lines(vec![
                            common::remove_commands(&shown, r, None),
                            common::add_commands(
                                &shown,
                                "<kms-host.fqdn>",
                                0,
                                0,
                                expected_port.unwrap_or(1688),
                            ),
                        ]),
                    )
                } else {
                    (
                        dot_mixed(describe(r)),
                        common::remove_commands(&shown, r, None),
                    )
                };
                findings.push(
                    with(
                        Finding::new(Status::Fail, msg),
                        SrvWeightsEvidence {
                            issue: Some(WeightsIssue::DotTarget),
                            record: Some(describe(r)),
                            ..base.clone()
                        },
                    )
                    .codes(&["0xC004F074"])
                    .remediation(fix),
                );
            }

            // Ports.
            if let Some(p) = expected_port {
                for r in usable.iter().filter(|r| r.port != p) {
                    findings.push(
                        with(
                            Finding::new(Status::Fail, port(describe(r), r.port, p)),
                            SrvWeightsEvidence {
                                issue: Some(WeightsIssue::PortDiffers),
                                record: Some(describe(r)),
                                target: Some(r.target.clone()),
                                expected_port: Some(p),
                                ..base.clone()
                            },
                        )
                        .codes(&["0xC004F074", "0x800706BA"])
                        .remediation(port_fix(
                            r.port,
                            common::remove_commands(&shown, r, None),
                            common::add_commands(&shown, &r.target, r.priority, r.weight, p),
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
                let fixes: Vec<Message> = recs
                    .iter()
                    .flat_map(|r| {
                        [
                            common::remove_commands(&shown, r, None),
                            common::add_commands(&shown, &canonical, r.priority, r.weight, r.port),
                        ]
                    })
                    .collect();
                findings.push(
                    with(
                        Finding::new(Status::Fail, cname(&target, &canonical)),
                        SrvWeightsEvidence {
                            issue: Some(WeightsIssue::CnameTarget),
                            target: Some(target.clone()),
                            canonical: Some(canonical.clone()),
                            ..base.clone()
                        },
                    )
                    .remediation(cname_fix(&canonical, fixes)),
                );
            }
            CheckOutput {
                findings,
                ..Default::default()
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::en;

    /// Messages the lab does not reach read as the sentences written before they were typed.
    #[test]
    fn english_as_before() {
        let (rec, zone) = ("SRV 0 0 0 .", "corp.test");
        assert_eq!(
            en(&dot_only(rec, zone)),
            format!("{rec} has target '.': the service is explicitly not offered in {zone} (RFC 2782); clients find no KMS host")
        );
        // Shares are shown with one decimal, as `{:.1}%` wrote them.
        for x in [1.0 / 3.0, 0.5, 0.0, 0.06251, 1.0] {
            assert_eq!(
                en(&share("kms1", 1688u16, percent(x))),
                format!("kms1:1688 {:.1}%", x * 100.0)
            );
        }
    }
}
