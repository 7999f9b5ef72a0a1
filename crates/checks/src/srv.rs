//! `srv`: the `_vlmcs._tcp` SRV records a client would find in a domain.
//!
//! Asks the DNS servers in order like a Windows stub resolver and tells apart records,
//! NXDOMAIN, NODATA, SERVFAIL, REFUSED and no answer, each with the code a client logs.
//! Every published target becomes a KMS host for the per-host checks. Records that are there
//! but odd are told too (`common::srv_sanity`): an IP-literal target warns; a port other than
//! the expected one warns when the host answers on it and fails when it does not.

use crate::{CheckContext, CheckOutput, Finding, Kms, RunSettings};
use std::time::Duration;

use kms_preflight_net::dns::proto::RecordType;
use serde::Deserialize;
use serde_saphyr::{Location, Spanned};

use crate::common::dns::{attempts, DnsAttempt};
use crate::common::srv::{srv_records, SrvRecord};
use crate::common::srv_audit::{default_name, no_servers};
use crate::common::srv_sanity::{self, IssueEvidence};

use kms_preflight_engine::rules::Scope;
use kms_preflight_engine::Status;
use kms_preflight_engine::{render_param, render_port, validate_port, BoxFuture, Check, Target};
use kms_preflight_net::dns::{self, AnswerClass};
use kms_preflight_net::ms;

kms_preflight_engine::messages! {
    /// {count} KMS host(s) published in {name}: {records} (answer from {server})
    published = "srv-published" (count, name, records, server);
    /// {count} KMS host(s) published in {name}: {records} (answer from {server}, authoritative)
    published_authoritative = "srv-published-authoritative" (count, name, records, server);
    /// {target}:{port} (priority {priority}, weight {weight})
    record = "srv-record" (target, port, priority, weight);
    /// {name} has only target '.' (service explicitly not offered) from {server}
    dot_only = "srv-dot-only" (name, server);
    /// {name} has {usable} usable record(s), expected at least {min}: {records}
    too_few = "srv-too-few" (name, usable, min, records);
    /// {name} does not exist (NXDOMAIN from {server}): no KMS host is published in {zone}
    nxdomain = "srv-nxdomain" (name, server, zone);
    /// {name} exists but has no SRV record (NODATA from {server})
    nodata = "srv-nodata" (name, server);
    /// DNS server {server} failed to answer for {name} (SERVFAIL): the zone may not load, or
    /// recursion failed
    servfail = "srv-servfail" (server, name);
    /// On the DNS server, check that zone {zone} loads (…) and that forwarders answer; …
    servfail_fix = "srv-servfail-fix" (zone);
    /// DNS server {server} refused the query for {name} (REFUSED): it does not serve {zone}
    /// and does not recurse for this client
    refused = "srv-refused" (server, name, zone);
    /// Point clients at DNS servers that serve {zone} (or forward to them), or allow recursion
    /// for this subnet on {server}
    refused_fix = "srv-refused-fix" (zone, server);
    /// DNS server {server} answered {name} with rcode {code} ({rcode_name})
    rcode = "srv-rcode" (server, name, code, rcode_name);
    /// no DNS server answered for {name}: {why}
    no_answer = "srv-no-answer" (name, why);
    /// Check that this machine reaches its DNS servers on UDP and TCP 53 (firewall, VPN), and
    /// that the servers run: nslookup -type=srv {name} <dns-server>
    no_answer_fix = "srv-no-answer-fix" (name);
    /// Publish the KMS host in {zone}. On a Windows DNS server: {windows} … In a BIND zone
    /// file: {bind_line} …
    add_record_fix = "srv-add-record-fix" (zone, windows, bind_line);
}

kms_preflight_engine::check_rule! {
    /// Parameters of an `srv` check.
    SrvRule => SrvCheck {
        /// Query name; default `_vlmcs._tcp.{{domain}}`.
        name: Option<Spanned<String>>,
        #[serde(default)]
        expect: SrvExpect,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SrvExpect {
    /// At least this many usable records (target not `.`); default 1.
    pub min_records: Option<Spanned<u32>>,
    /// Every record must advertise this port.
    pub port: Option<Spanned<String>>,
}

/// What `srv` saw: the records, the odd ones, and the answer they came in.
#[derive(
    Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(default)]
pub struct SrvEvidence {
    /// The SRV records (when the answer had any), in client order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub records: Option<Vec<SrvRecord>>,
    /// Records that are there but odd (IP-literal target, another port).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issues: Option<Vec<IssueEvidence>>,
    /// The name asked.
    pub name: String,
    /// The server whose answer decided (absent when none answered).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rcode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authoritative: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tcp_fallback: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rtt_ms: Option<f64>,
    pub attempts: Vec<DnsAttempt>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_port: Option<u16>,
    /// From the SOA of a negative answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub negative_ttl: Option<u32>,
}

impl crate::Evidence {
    pub fn srv(&self) -> Option<&SrvEvidence> {
        match self {
            crate::Evidence::Srv(e) => Some(e),
            _ => None,
        }
    }
}

impl Check<Kms> for SrvCheck {
    fn default_scope(&self) -> Scope {
        Scope::EACH_DOMAIN
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(2)
    }

    fn budget(&self, timeout: Duration, settings: &RunSettings) -> Duration {
        // The SRV lookup, then for a record on another port: its target's lookup and a connect.
        kms_preflight_net::dns::lookup_budget(timeout, &settings.dns_servers) * 2
            + timeout
            + Duration::from_secs(1)
    }

    fn discovers(&self) -> bool {
        true
    }

    fn templates(&self) -> Vec<&Spanned<String>> {
        self.name.iter().chain(self.expect.port.iter()).collect()
    }

    fn validate(&self) -> Vec<(Location, kms_preflight_engine::Message)> {
        self.expect.port.iter().filter_map(validate_port).collect()
    }

    fn evidence_vars(&self) -> &'static [&'static str] {
        &["name", "server", "rcode", "expected_port"]
    }

    fn plan(
        &self,
        ctx: &kms_preflight_engine::plan::PlanContext<'_, Kms>,
    ) -> Vec<kms_preflight_engine::plan::PlannedProbe> {
        let mut out =
            crate::common::plan::srv_queries(ctx, crate::common::plan::srv_names(ctx, &self.name));
        // A record on another port than expected is probed on that port, like a client would.
        let port = crate::common::plan::kms_port_number(ctx, &self.expect.port);
        let odd = crate::common::plan::when_odd_port(port);
        for p in crate::common::plan::dns_queries(
            ctx,
            crate::common::plan::dns_query("A, AAAA", crate::common::plan::srv_target_names()),
        ) {
            out.push(p.only_when(odd.clone()));
        }
        out.push(
            kms_preflight_engine::plan::PlannedProbe::new(
                kms_preflight_engine::plan::Transport::Tcp,
                kms_preflight_engine::plan::Destination::KmsHosts,
                Some(kms_preflight_engine::plan::PlannedPort::OtherSrvPort(port)),
                crate::common::plan::tcp_connect(),
            )
            .only_when(odd),
        );
        out
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext<'a>) -> BoxFuture<'a, CheckOutput> {
        Box::pin(async move {
            let name_text = match &self.name {
                Some(n) => render_param(n, ctx.vars),
                None => default_name(ctx.vars),
            };
            let name_text = match name_text {
                Ok(s) => s,
                Err(f) => return CheckOutput::one(f),
            };
            let name = match dns::fqdn(&name_text) {
                Ok(n) => n,
                Err(e) => return CheckOutput::one(crate::common::dns::name_error(&name_text, &e)),
            };
            let shown = dns::display_name(&name);
            let expected_port = match &self.expect.port {
                Some(p) => match render_port(p, ctx.vars) {
                    Ok(p) => Some(p),
                    Err(f) => return CheckOutput::one(f),
                },
                None => None,
            };
            let min_records = self.expect.min_records.as_ref().map_or(1, |m| m.value);
            let servers = &ctx.settings.dns_servers;
            if servers.is_empty() {
                return CheckOutput::one(no_servers());
            }
            let (reply, tried) = dns::query_servers(
                &ctx.settings.memo,
                servers,
                &name,
                RecordType::SRV,
                ctx.timeout,
                ctx.source,
            )
            .await;
            let Some(reply) = reply else {
                return CheckOutput::one(
                    Finding::new(
                        Status::Fail,
                        no_answer(&shown, crate::common::dns::no_answer(&tried)),
                    )
                    .codes(&["0xC004F074"])
                    .with(SrvEvidence {
                        name: shown.clone(),
                        attempts: attempts(&tried),
                        ..Default::default()
                    })
                    .remediation(no_answer_fix(&shown)),
                );
            };
            let records = srv_records(&reply);
            let mut f = classify(&reply, &records, &shown, min_records);
            let mut issues_evidence = None;
            if f.status == Status::Pass {
                let usable: Vec<&SrvRecord> = records.iter().filter(|r| r.target != ".").collect();
                let mut issues: Vec<srv_sanity::Issue> = usable
                    .iter()
                    .filter_map(|r| srv_sanity::ip_literal_issue(&shown, r))
                    .collect();
                if let Some(p) = expected_port {
                    issues.extend(srv_sanity::port_issues(ctx, &shown, &usable, p).await);
                }
                if !issues.is_empty() {
                    issues_evidence = Some(issues.iter().map(|i| i.evidence()).collect());
                }
                f = srv_sanity::apply(f, &issues);
            }
            let f = f.with(SrvEvidence {
                records: (reply.class == AnswerClass::Records).then(|| records.clone()),
                issues: issues_evidence,
                name: shown.clone(),
                server: Some(reply.server.to_string()),
                rcode: Some(reply.class.label()),
                authoritative: Some(reply.authoritative),
                tcp_fallback: Some(reply.tcp_fallback),
                rtt_ms: Some(ms(reply.rtt)),
                attempts: attempts(&tried),
                expected_port,
                negative_ttl: reply.negative_ttl,
            });
            let discovered = records
                .iter()
                .filter(|r| r.target != ".")
                .map(|r| Target {
                    host: r.target.clone(),
                    port: r.port,
                    origins: vec![format!("SRV {shown}")],
                })
                .collect();
            CheckOutput {
                findings: vec![f],
                facts: Default::default(),
                discovered,
            }
        })
    }
}

/// The verdict on what DNS said; the record sanity (IP-literal targets, other ports) is added
/// by [`srv_sanity`] to a passing verdict.
fn classify(
    reply: &dns::DnsReply,
    records: &[SrvRecord],
    shown: &str,
    min_records: u32,
) -> Finding {
    let server = reply.server;
    let zone = shown.splitn(3, '.').nth(2).unwrap_or(shown).to_string();
    match &reply.class {
        AnswerClass::Records => {
            let usable = records.iter().filter(|r| r.target != ".").count();
            let list: Vec<_> = records
                .iter()
                .map(|r| record(&r.target, r.port, r.priority, r.weight))
                .collect();
            if (usable as u32) < min_records {
                let msg = if usable == 0 {
                    dot_only(shown, server)
                } else {
                    too_few(shown, usable, min_records, list)
                };
                return Finding::new(Status::Fail, msg)
                    .codes(&["0xC004F074"])
                    .remediation(add_record_remediation(&zone));
            }
            let text = if reply.authoritative {
                published_authoritative(usable, shown, list, server)
            } else {
                published(usable, shown, list, server)
            };
            Finding::new(Status::Pass, text)
        }
        AnswerClass::NxDomain => Finding::new(Status::Fail, nxdomain(shown, server, &zone))
            .codes(&["0x8007232B", "0xC004F074"])
            .remediation(add_record_remediation(&zone)),
        AnswerClass::NoData => Finding::new(Status::Fail, nodata(shown, server))
            .codes(&["0x8007251D", "0xC004F074"])
            .remediation(add_record_remediation(&zone)),
        AnswerClass::ServFail => Finding::new(Status::Fail, servfail(server, shown))
            .codes(&["0x8007232A", "0xC004F074"])
            .remediation(servfail_fix(&zone)),
        AnswerClass::Refused => Finding::new(Status::Fail, refused(server, shown, &zone))
            .codes(&["0x8007232D", "0xC004F074"])
            .remediation(refused_fix(&zone, server)),
        AnswerClass::Other(code, text) => {
            Finding::new(Status::Fail, rcode(server, shown, *code, text)).codes(&["0xC004F074"])
        }
    }
}

fn add_record_remediation(zone: &str) -> kms_preflight_engine::Message {
    add_record_fix(
        zone,
        format!(
            "Add-DnsServerResourceRecord -ZoneName {zone} -Srv -Name _vlmcs._tcp -DomainName <kms-host.fqdn> -Priority 0 -Weight 0 -Port 1688"
        ),
        "_vlmcs._tcp  IN SRV 0 0 1688 <kms-host.fqdn>.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::en;

    /// Messages the lab does not reach read as the sentences written before they were typed.
    #[test]
    fn english_as_before() {
        let (shown, server) = ("_vlmcs._tcp.corp.test", "198.18.0.2:53");
        let recs = [
            SrvRecord {
                priority: 0,
                weight: 10,
                port: 1688,
                target: "kms1.corp.test".into(),
                ttl: 300,
            },
            SrvRecord {
                priority: 0,
                weight: 0,
                port: 1688,
                target: ".".into(),
                ttl: 300,
            },
        ];
        let entries = || -> Vec<_> {
            recs.iter()
                .map(|r| record(&r.target, r.port, r.priority, r.weight))
                .collect()
        };
        let list: Vec<String> = recs
            .iter()
            .map(|r| {
                format!(
                    "{}:{} (priority {}, weight {})",
                    r.target, r.port, r.priority, r.weight
                )
            })
            .collect();
        assert_eq!(
            en(&published(1, shown, entries(), server)),
            format!(
                "{} KMS host(s) published in {shown}: {} (answer from {server}{})",
                1,
                list.join(", "),
                ""
            )
        );
        assert_eq!(
            en(&too_few(shown, 1, 2u32, entries())),
            format!(
                "{shown} has {} usable record(s), expected at least {}: {}",
                1,
                2,
                list.join(", ")
            )
        );
        assert_eq!(
            en(&dot_only(shown, server)),
            format!("{shown} has only target '.' (service explicitly not offered) from {server}")
        );
        let (code, text) = (9u16, "NotAuth");
        assert_eq!(
            en(&rcode(server, shown, code, text)),
            format!("DNS server {server} answered {shown} with rcode {code} ({text})")
        );
    }
}
