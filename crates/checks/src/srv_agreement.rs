//! `srv-agreement`: asks every DNS server directly for the `_vlmcs._tcp` records of a domain
//! and compares the answer sets (target, port, priority, weight; TTL when every answer is
//! authoritative, because caches count TTLs down).
//!
//! A record one server has and another lacks is the signature of replication lag between
//! domain controllers or of split DNS: clients behind different servers then see different
//! KMS hosts. Each such record is its own finding naming the servers that have it and the
//! ones that lack it.
//!
//! Next to the direct answers, the answer through the system resolver is reported: hickory's
//! resolver built from the system configuration (resolv.conf, or the Windows adapters) with
//! its cache off. It is a pool that may reorder servers and stop at the first negative
//! answer (crate-notes §3), which is what a stub resolver does too, so it is labelled as
//! such and only compared, never used as the truth. It does not bind to a `--source`
//! address: it shows what the system would answer, not what a given source would see.

use crate::{CheckContext, CheckOutput, Finding, Kms, RunSettings};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use serde_saphyr::Spanned;

use crate::common::srv::SrvRecord;
use crate::common::srv_audit::{self as common, describe, key, ServerAnswerEvidence, SrvKey};
use kms_preflight_engine::rules::Scope;
use kms_preflight_engine::{Arg, Message, Status};
use kms_preflight_engine::{BoxFuture, Check};
use kms_preflight_net::dns::proto::{Name, RecordType};
use kms_preflight_net::dns::{self, AnswerClass, DnsFailure};

kms_preflight_engine::messages! {
    /// DNS server {server} gave no usable answer for {name}: {why}; clients using it cannot
    /// discover KMS
    unusable = "srv-agreement-unusable" (server, name, why);
    /// Check DNS server {server} (service running, zone loaded, UDP and TCP 53 open from
    /// clients), or remove it from the clients' DNS server list. Then on clients: ipconfig /flushdns
    unusable_fix = "srv-agreement-unusable-fix" (server);
    /// only one DNS server ({servers}) to ask: nothing to compare; pass every server clients
    /// use, e.g. each domain controller: --dns DC1 --dns DC2
    one_server = "srv-agreement-one-server" (servers);
    /// {record} is published by {present_on} but missing from {missing_from}
    differs = "srv-agreement-differs" (record, present_on, missing_from);
    /// The servers disagree: … (nslookup -type=soa {zone} <server>) … If {target} is a current
    /// KMS host, add it where it is missing: {add} If {target} is retired, remove it where it
    /// remains: {remove}
    differs_fix = "srv-agreement-differs-fix" (zone, target, add, remove);
    /// {record}: the TTL differs between servers ({ttls}); the zone copies are not the same
    /// version
    ttl_differs = "srv-agreement-ttl-differs" (record, ttls);
    /// {server} {ttl}s
    ttl = "srv-agreement-ttl" (server, ttl);
    /// Compare the zone serials (nslookup -type=soa {zone} <server>) and force replication or a
    /// zone transfer.
    ttl_fix = "srv-agreement-ttl-fix" (zone);
    /// {count} DNS servers agree on {name}: {records}
    agree = "srv-agreement-agree" (count, name, records);
    /// {target}:{port} ({priority}/{weight})
    record = "srv-agreement-record" (target, port, priority, weight);
    /// no records
    no_records = "srv-agreement-no-records" ();
    /// through the system resolver (hickory from the system configuration, cache off): no
    /// answer ({error}); nothing to compare
    system_error = "srv-agreement-system-error" (error);
    /// through the system resolver (…): {records} ({rcode})
    system_answer = "srv-agreement-system" (records, rcode);
    /// through the system resolver (…): {records} ({rcode}), same as {servers}
    system_same = "srv-agreement-system-same" (records, rcode, servers);
    /// through the system resolver (…): {records} ({rcode}), which matches none of the servers
    /// asked directly: split DNS, or the system uses other DNS servers than the ones audited
    system_differs = "srv-agreement-system-differs" (records, rcode);
    /// Audit the DNS servers this machine really uses (…) by passing them with --dns, and make
    /// every server clients use serve the same _vlmcs._tcp records.
    system_differs_fix = "srv-agreement-system-differs-fix" ();
}

kms_preflight_engine::check_rule! {
    /// Parameters of an `srv-agreement` check.
    SrvAgreementRule => SrvAgreementCheck {
        /// Query name; default `_vlmcs._tcp.{{domain}}`.
        name: Option<Spanned<String>>,
        /// Also ask through the system resolver and compare (default true).
        system_resolver: Option<bool>,
    }
}

/// The system resolver's answer: a label (records, NXDOMAIN, …) and the records.
struct SystemAnswer {
    label: String,
    records: Vec<SrvRecord>,
}

const SYSTEM_LABEL: &str = dns::SYSTEM_RESOLVER;

async fn system_lookup(name: &Name, timeout: Duration) -> Result<SystemAnswer, String> {
    match dns::system_lookup(name, RecordType::SRV, timeout).await {
        Ok(a) => Ok(SystemAnswer {
            label: a.class.label(),
            records: crate::common::srv::srv_records_of(&a.records),
        }),
        Err(e) => Err(e.label()),
    }
}

/// The records as a message argument: each `target:port (priority/weight)`, or "no records".
fn list(records: &[SrvRecord]) -> Arg {
    if records.is_empty() {
        return no_records().into();
    }
    records
        .iter()
        .map(|r| record(&r.target, r.port, r.priority, r.weight))
        .collect::<Vec<_>>()
        .into()
}

/// What a record disagreement is about.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum AgreementIssue {
    /// A record some servers have and others lack.
    RecordDiffers,
    /// The same record with different TTLs on authoritative servers.
    TtlDiffers,
    /// The system resolver's answer matches none of the servers asked directly.
    SystemResolverDiffers,
}

/// The system resolver's answer as evidence.
#[derive(
    Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(default)]
pub struct SystemResolverEvidence {
    /// How it was asked (the system resolver, cache off).
    pub via: String,
    /// `records`, `NXDOMAIN`, `NODATA`; null when it gave no answer.
    pub rcode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub records: Option<Vec<SrvRecord>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What `srv-agreement` saw.
#[derive(
    Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(default)]
pub struct SrvAgreementEvidence {
    pub name: String,
    /// Every server's answer, asked directly.
    pub servers: Vec<ServerAnswerEvidence>,
    /// Null when the rule turned the system resolver off.
    pub system_resolver: Option<SystemResolverEvidence>,
    /// The server a "no usable answer" finding is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue: Option<AgreementIssue>,
    /// The record a disagreement is about, as text (`SRV 0 0 1688 host`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub present_on: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_from: Option<Vec<String>>,
}

impl crate::Evidence {
    pub fn srv_agreement(&self) -> Option<&SrvAgreementEvidence> {
        match self {
            crate::Evidence::SrvAgreement(e) => Some(e),
            _ => None,
        }
    }
}

impl Check<Kms> for SrvAgreementCheck {
    fn default_scope(&self) -> Scope {
        Scope::EACH_DOMAIN
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(2)
    }

    fn budget(&self, timeout: Duration, _settings: &RunSettings) -> Duration {
        // Servers are asked in parallel (UDP, then TCP); the system resolver after them.
        timeout * 2 + timeout * 4 + Duration::from_secs(2)
    }

    fn templates(&self) -> Vec<&Spanned<String>> {
        self.name.iter().collect()
    }

    fn evidence_vars(&self) -> &'static [&'static str] {
        &["name", "record", "target"]
    }

    fn plan(
        &self,
        ctx: &kms_preflight_engine::plan::PlanContext<'_, Kms>,
    ) -> Vec<kms_preflight_engine::plan::PlannedProbe> {
        let names = crate::common::plan::srv_names(ctx, &self.name);
        let mut out = crate::common::plan::srv_queries(ctx, names.clone());
        if self.system_resolver.unwrap_or(true) {
            let what = crate::common::plan::dns_query("SRV", names);
            out.push(kms_preflight_engine::plan::PlannedProbe::new(
                kms_preflight_engine::plan::Transport::Udp,
                kms_preflight_engine::plan::Destination::SystemResolver,
                None,
                what.clone(),
            ));
            out.push(
                kms_preflight_engine::plan::PlannedProbe::new(
                    kms_preflight_engine::plan::Transport::Tcp,
                    kms_preflight_engine::plan::Destination::SystemResolver,
                    None,
                    what,
                )
                .only_when(crate::common::plan::when_truncated()),
            );
        }
        out
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext<'a>) -> BoxFuture<'a, CheckOutput> {
        Box::pin(async move {
            let (name, shown, answers) = match common::open_audit(&self.name, ctx).await {
                Ok(o) => o,
                Err(f) => return CheckOutput::one(f),
            };
            let system = if self.system_resolver.unwrap_or(true) {
                Some(system_lookup(&name, ctx.timeout).await)
            } else {
                None
            };
            let base = SrvAgreementEvidence {
                name: shown.clone(),
                servers: common::answers_evidence(&answers),
                system_resolver: match &system {
                    None => None,
                    Some(Ok(s)) => Some(SystemResolverEvidence {
                        via: SYSTEM_LABEL.into(),
                        rcode: Some(s.label.clone()),
                        records: Some(s.records.clone()),
                        error: None,
                    }),
                    Some(Err(e)) => Some(SystemResolverEvidence {
                        via: SYSTEM_LABEL.into(),
                        rcode: None,
                        records: None,
                        error: Some(e.clone()),
                    }),
                },
                ..Default::default()
            };
            let with_common = |f: Finding| f.with(base.clone());
            let with = |f: Finding, e: SrvAgreementEvidence| f.with(e);
            let mut findings = Vec::new();

            // Servers that gave nothing comparable.
            let mut usable: Vec<(SocketAddr, Vec<SrvRecord>, bool)> = Vec::new();
            for a in &answers {
                match a.records() {
                    Some(recs) => {
                        let auth = a.result.as_ref().map(|r| r.authoritative).unwrap_or(false);
                        usable.push((a.server, recs, auth));
                    }
                    None => {
                        let (codes, why): (&[&str], Message) = match &a.result {
                            Ok(r) if r.class == AnswerClass::ServFail => (
                                &["0x8007232A", "0xC004F074"],
                                crate::common::dns::class(&r.class),
                            ),
                            Ok(r) => (&["0xC004F074"], crate::common::dns::class(&r.class)),
                            Err(DnsFailure::Timeout) => (
                                &["0xC004F074"],
                                crate::common::dns_no_answer_paren(crate::common::dns_timeout()),
                            ),
                            Err(e) => (&["0xC004F074"], crate::common::dns::failure(e)),
                        };
                        findings.push(
                            with(
                                Finding::new(Status::Fail, unusable(a.server, &shown, why)),
                                SrvAgreementEvidence {
                                    server: Some(a.server.to_string()),
                                    ..base.clone()
                                },
                            )
                            .codes(codes)
                            .remediation(unusable_fix(a.server.ip())),
                        );
                    }
                }
            }

            if answers.len() < 2 {
                findings.push(with_common(Finding::new(
                    Status::Skip,
                    one_server(common::servers_list(&ctx.settings.dns_servers)),
                )));
            } else if usable.len() >= 2 {
                let all: Vec<SocketAddr> = usable.iter().map(|u| u.0).collect();
                let mut presence: BTreeMap<SrvKey, (SrvRecord, Vec<SocketAddr>)> = BTreeMap::new();
                for (server, recs, _) in &usable {
                    for r in recs {
                        presence
                            .entry(key(r))
                            .or_insert_with(|| (r.clone(), Vec::new()))
                            .1
                            .push(*server);
                    }
                }
                let mut differ = false;
                for (rec, have) in presence.values() {
                    if have.len() == all.len() {
                        continue;
                    }
                    differ = true;
                    let lack: Vec<SocketAddr> =
                        all.iter().filter(|s| !have.contains(s)).copied().collect();
                    let fix = differs_fix(
                        common::owner_and_zone(&shown).1,
                        &rec.target,
                        common::add_commands(
                            &shown,
                            &rec.target,
                            rec.priority,
                            rec.weight,
                            rec.port,
                        ),
                        common::remove_commands(&shown, rec, have.first().copied()),
                    );
                    findings.push(
                        with(
                            Finding::new(
                                Status::Fail,
                                differs(
                                    describe(rec),
                                    common::servers_list(have),
                                    common::servers_list(&lack),
                                ),
                            ),
                            SrvAgreementEvidence {
                                issue: Some(AgreementIssue::RecordDiffers),
                                record: Some(describe(rec)),
                                target: Some(rec.target.clone()),
                                present_on: Some(common::servers_list(have)),
                                missing_from: Some(common::servers_list(&lack)),
                                ..base.clone()
                            },
                        )
                        .codes(&["0xC004F074"])
                        .remediation(fix),
                    );
                }
                // TTLs: only meaningful when every answer is authoritative.
                if usable.iter().all(|u| u.2) {
                    for (k, (rec, have)) in &presence {
                        if have.len() != all.len() {
                            continue;
                        }
                        let ttls: Vec<(SocketAddr, u32)> = usable
                            .iter()
                            .filter_map(|(s, recs, _)| {
                                recs.iter().find(|r| &key(r) == k).map(|r| (*s, r.ttl))
                            })
                            .collect();
                        if ttls.iter().any(|t| t.1 != ttls[0].1) {
                            differ = true;
                            let each: Vec<Message> =
                                ttls.iter().map(|(s, t)| ttl(*s, *t)).collect();
                            findings.push(
                                with(
                                    Finding::new(Status::Fail, ttl_differs(describe(rec), each)),
                                    SrvAgreementEvidence {
                                        issue: Some(AgreementIssue::TtlDiffers),
                                        record: Some(describe(rec)),
                                        target: Some(rec.target.clone()),
                                        ..base.clone()
                                    },
                                )
                                .remediation(ttl_fix(common::owner_and_zone(&shown).1)),
                            );
                        }
                    }
                }
                if !differ {
                    let (_, recs0, _) = &usable[0];
                    findings.push(with_common(Finding::new(
                        Status::Pass,
                        agree(usable.len(), &shown, list(recs0)),
                    )));
                }
            }

            // The answer through the system resolver, next to the direct ones.
            match &system {
                None => {}
                Some(Err(e)) => {
                    findings.push(with_common(Finding::new(Status::Skip, system_error(e))))
                }
                Some(Ok(sys)) => {
                    let sys_keys: Vec<SrvKey> = sys.records.iter().map(key).collect();
                    let same: Vec<SocketAddr> = usable
                        .iter()
                        .filter(|(_, recs, _)| {
                            let mut k: Vec<SrvKey> = recs.iter().map(key).collect();
                            k.sort();
                            let mut s = sys_keys.clone();
                            s.sort();
                            k == s
                        })
                        .map(|u| u.0)
                        .collect();
                    if !same.is_empty() || usable.is_empty() {
                        let text = if same.is_empty() {
                            system_answer(list(&sys.records), &sys.label)
                        } else {
                            system_same(list(&sys.records), &sys.label, common::servers_list(&same))
                        };
                        findings.push(with_common(Finding::new(Status::Pass, text)));
                    } else {
                        findings.push(
                            with(
                                Finding::new(
                                    Status::Fail,
                                    system_differs(list(&sys.records), &sys.label),
                                ),
                                SrvAgreementEvidence {
                                    issue: Some(AgreementIssue::SystemResolverDiffers),
                                    ..base.clone()
                                },
                            )
                            .codes(&["0xC004F074"])
                            .remediation(system_differs_fix()),
                        );
                    }
                }
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
        let recs = vec![SrvRecord {
            priority: 0,
            weight: 100,
            port: 1688,
            target: "kms1.corp.test".into(),
            ttl: 300,
        }];
        assert_eq!(
            en(&system_differs(list(&recs), "records")),
            format!(
                "through the {SYSTEM_LABEL}: {} ({}), which matches none of the servers asked directly: split DNS, or the system uses other DNS servers than the ones audited",
                "kms1.corp.test:1688 (0/100)",
                "records"
            )
        );
        assert_eq!(
            en(&system_answer(list(&[]), "NXDOMAIN")),
            format!("through the {SYSTEM_LABEL}: no records (NXDOMAIN)")
        );
        assert_eq!(
            en(&system_differs_fix()),
            "Audit the DNS servers this machine really uses (see /etc/resolv.conf, or ipconfig /all on Windows) \
             by passing them with --dns, and make every server clients use serve the same _vlmcs._tcp records."
        );
    }
}
