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

use serde_json::{json, Value};
use serde_saphyr::Spanned;

use crate::common::srv::SrvRecord;
use crate::common::srv_audit::{self as common, describe, key, SrvKey};
use kms_preflight_engine::rules::Scope;
use kms_preflight_engine::Status;
use kms_preflight_engine::{BoxFuture, Check};
use kms_preflight_net::dns::proto::{Name, RecordType};
use kms_preflight_net::dns::{self, AnswerClass, DnsFailure};

kms_preflight_engine::messages! {}

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

fn list(records: &[SrvRecord]) -> String {
    if records.is_empty() {
        return "no records".into();
    }
    records
        .iter()
        .map(|r| format!("{}:{} ({}/{})", r.target, r.port, r.priority, r.weight))
        .collect::<Vec<_>>()
        .join(", ")
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
            let answers_json = common::answers_json(&answers);
            let system_json = match &system {
                None => Value::Null,
                Some(Ok(s)) => json!({
                    "via": SYSTEM_LABEL,
                    "rcode": s.label,
                    "records": s.records.iter().map(SrvRecord::to_json).collect::<Vec<_>>(),
                }),
                Some(Err(e)) => json!({"via": SYSTEM_LABEL, "rcode": Value::Null, "error": e}),
            };
            let with_common = |f: Finding| {
                f.evidence("name", shown.clone())
                    .evidence("servers", answers_json.clone())
                    .evidence("system_resolver", system_json.clone())
            };
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
                        let (codes, why): (&[&str], String) = match &a.result {
                            Ok(r) if r.class == AnswerClass::ServFail => {
                                (&["0x8007232A", "0xC004F074"], "SERVFAIL".into())
                            }
                            Ok(r) => (&["0xC004F074"], r.class.label()),
                            Err(DnsFailure::Timeout) => {
                                (&["0xC004F074"], "no answer (timeout)".into())
                            }
                            Err(e) => (&["0xC004F074"], e.label()),
                        };
                        findings.push(
                            with_common(Finding::new(
                                Status::Fail,
                                format!(
                                    "DNS server {} gave no usable answer for {shown}: {why}; clients using it cannot discover KMS",
                                    a.server
                                ),
                            ))
                            .codes(codes)
                            .evidence("server", a.server.to_string())
                            .remediation(format!(
                                "Check DNS server {} (service running, zone loaded, UDP and TCP 53 open from clients), \
                                 or remove it from the clients' DNS server list. Then on clients: ipconfig /flushdns",
                                a.server.ip()
                            )),
                        );
                    }
                }
            }

            if answers.len() < 2 {
                findings.push(with_common(Finding::new(
                    Status::Skip,
                    format!(
                        "only one DNS server ({}) to ask: nothing to compare; pass every server clients use, e.g. each domain controller: --dns DC1 --dns DC2",
                        common::servers_text(&ctx.settings.dns_servers)
                    ),
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
                    let fix = format!(
                        "The servers disagree: replication lag between domain controllers, a secondary that has not \
                         transferred the zone, or split DNS. Compare the zone serials (nslookup -type=soa {zone} <server>); \
                         force replication (repadmin /syncall /AdeP on a domain controller; BIND secondary: rndc retransfer {zone}).\n\
                         If {target} is a current KMS host, add it where it is missing:\n{add}\n\
                         If {target} is retired, remove it where it remains:\n{remove}",
                        zone = common::owner_and_zone(&shown).1,
                        target = rec.target,
                        add = common::add_commands(&shown, &rec.target, rec.priority, rec.weight, rec.port),
                        remove = common::remove_commands(&shown, rec, have.first().copied()),
                    );
                    findings.push(
                        with_common(Finding::new(
                            Status::Fail,
                            format!(
                                "{} is published by {} but missing from {}",
                                describe(rec),
                                common::servers_text(have),
                                common::servers_text(&lack)
                            ),
                        ))
                        .codes(&["0xC004F074"])
                        .evidence("issue", "record-differs")
                        .evidence("record", describe(rec))
                        .evidence("target", rec.target.clone())
                        .evidence(
                            "present_on",
                            Value::Array(
                                have.iter().map(|s| Value::String(s.to_string())).collect(),
                            ),
                        )
                        .evidence(
                            "missing_from",
                            Value::Array(
                                lack.iter().map(|s| Value::String(s.to_string())).collect(),
                            ),
                        )
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
                            let text = ttls
                                .iter()
                                .map(|(s, t)| format!("{s} {t}s"))
                                .collect::<Vec<_>>()
                                .join(", ");
                            findings.push(
                                with_common(Finding::new(
                                    Status::Fail,
                                    format!("{}: the TTL differs between servers ({text}); the zone copies are not the same version", describe(rec)),
                                ))
                                .evidence("issue", "ttl-differs")
                                .evidence("record", describe(rec))
                                .evidence("target", rec.target.clone())
                                .remediation(format!(
                                    "Compare the zone serials (nslookup -type=soa {} <server>) and force replication or a zone transfer.",
                                    common::owner_and_zone(&shown).1
                                )),
                            );
                        }
                    }
                }
                if !differ {
                    let (s0, recs0, _) = &usable[0];
                    let _ = s0;
                    findings.push(with_common(Finding::new(
                        Status::Pass,
                        format!(
                            "{} DNS servers agree on {shown}: {}",
                            usable.len(),
                            list(recs0)
                        ),
                    )));
                }
            }

            // The answer through the system resolver, next to the direct ones.
            match &system {
                None => {}
                Some(Err(e)) => findings.push(with_common(Finding::new(
                    Status::Skip,
                    format!("through the {SYSTEM_LABEL}: no answer ({e}); nothing to compare"),
                ))),
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
                        findings.push(with_common(Finding::new(
                            Status::Pass,
                            format!(
                                "through the {SYSTEM_LABEL}: {} ({}){}",
                                list(&sys.records),
                                sys.label,
                                if same.is_empty() {
                                    String::new()
                                } else {
                                    format!(", same as {}", common::servers_text(&same))
                                }
                            ),
                        )));
                    } else {
                        findings.push(
                            with_common(Finding::new(
                                Status::Fail,
                                format!(
                                    "through the {SYSTEM_LABEL}: {} ({}), which matches none of the servers asked directly: split DNS, or the system uses other DNS servers than the ones audited",
                                    list(&sys.records),
                                    sys.label
                                ),
                            ))
                            .codes(&["0xC004F074"])
                            .evidence("issue", "system-resolver-differs")
                            .remediation(
                                "Audit the DNS servers this machine really uses (see /etc/resolv.conf, or ipconfig /all on Windows) \
                                 by passing them with --dns, and make every server clients use serve the same _vlmcs._tcp records.",
                            ),
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
