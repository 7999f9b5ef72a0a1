//! `srv`: the `_vlmcs._tcp` SRV records a client would find in a domain.
//!
//! Asks the DNS servers in order like a Windows stub resolver and tells apart records,
//! NXDOMAIN, NODATA, SERVFAIL, REFUSED and no answer, each with the code a client logs.
//! Every published target becomes a KMS host for the per-host checks. Records that are there
//! but odd are told too (`common::srv_sanity`): an IP-literal target warns; a port other than
//! the expected one warns when the host answers on it and fails when it does not.

use crate::{evidence, CheckContext, CheckOutput, Finding, Kms, RunSettings};
use std::time::Duration;

use kms_preflight_net::dns::proto::RecordType;
use serde::Deserialize;
use serde_json::Value;
use serde_saphyr::{Location, Spanned};

use crate::common::srv::{srv_records, SrvRecord};
use crate::common::srv_sanity;

use kms_preflight_engine::rules::Scope;
use kms_preflight_engine::Status;
use kms_preflight_engine::{render_param, render_port, validate_port, BoxFuture, Check, Target};
use kms_preflight_net::dns::{self, AnswerClass};
use kms_preflight_net::ms;

kms_preflight_engine::messages! {}

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

const DEFAULT_NAME: &str = "_vlmcs._tcp.{{domain}}";

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

    fn validate(&self) -> Vec<(Location, String)> {
        self.expect.port.iter().filter_map(validate_port).collect()
    }

    fn evidence_vars(&self) -> &'static [&'static str] {
        &["name", "server", "rcode", "expected_port"]
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext<'a>) -> BoxFuture<'a, CheckOutput> {
        Box::pin(async move {
            let name_text = match &self.name {
                Some(n) => match render_param(n, ctx.vars) {
                    Ok(s) => s,
                    Err(f) => return CheckOutput::one(f),
                },
                None => match kms_preflight_engine::rules::template::render(DEFAULT_NAME, ctx.vars)
                {
                    Ok(s) => s,
                    Err(e) => return CheckOutput::one(Finding::new(Status::Error, e)),
                },
            };
            let name = match dns::fqdn(&name_text) {
                Ok(n) => n,
                Err(e) => return CheckOutput::one(Finding::new(Status::Error, e)),
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
                return CheckOutput::one(Finding::new(
                    Status::Error,
                    "no DNS server to ask: the system configuration lists none; pass --dns",
                ));
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
            let Some(reply) = reply else {
                return CheckOutput::one(
                    Finding::new(
                        Status::Fail,
                        format!("no DNS server answered for {shown}: {}", dns::no_answer_message(&attempts)),
                    )
                    .codes(&["0xC004F074"])
                    .evidence("name", shown.clone())
                    .evidence("attempts", dns::attempts_json(&attempts))
                    .remediation(
                        "Check that this machine reaches its DNS servers on UDP and TCP 53 (firewall, VPN), \
                         and that the servers run: nslookup -type=srv {{name}} <dns-server>",
                    ),
                );
            };
            let mut f = classify(&reply, &shown, min_records);
            if f.status == Status::Pass {
                let records = srv_records(&reply);
                let usable: Vec<&SrvRecord> = records.iter().filter(|r| r.target != ".").collect();
                let mut issues: Vec<srv_sanity::Issue> = usable
                    .iter()
                    .filter_map(|r| srv_sanity::ip_literal_issue(&shown, r))
                    .collect();
                if let Some(p) = expected_port {
                    issues.extend(srv_sanity::port_issues(ctx, &shown, &usable, p).await);
                }
                f = srv_sanity::apply(f, &issues);
            }
            f = f
                .evidence("name", shown.clone())
                .evidence("server", reply.server.to_string())
                .evidence("rcode", reply.class.label())
                .evidence("authoritative", reply.authoritative)
                .evidence("tcp_fallback", reply.tcp_fallback)
                .evidence(evidence::RTT_MS, ms(reply.rtt))
                .evidence("attempts", dns::attempts_json(&attempts));
            if let Some(p) = expected_port {
                f = f.evidence("expected_port", p);
            }
            if let Some(t) = reply.negative_ttl {
                f = f.evidence("negative_ttl", t);
            }
            let records = srv_records(&reply);
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
fn classify(reply: &dns::DnsReply, shown: &str, min_records: u32) -> Finding {
    let server = reply.server;
    let zone = shown.splitn(3, '.').nth(2).unwrap_or(shown).to_string();
    match &reply.class {
        AnswerClass::Records => {
            let records = srv_records(reply);
            let usable: Vec<&SrvRecord> = records.iter().filter(|r| r.target != ".").collect();
            let list: Vec<String> = records
                .iter()
                .map(|r| format!("{}:{} (priority {}, weight {})", r.target, r.port, r.priority, r.weight))
                .collect();
            let base = Finding::new(Status::Pass, "")
                .evidence(crate::evidence::RECORDS, Value::Array(records.iter().map(SrvRecord::to_json).collect()));
            if (usable.len() as u32) < min_records {
                let msg = if usable.is_empty() {
                    format!("{shown} has only target '.' (service explicitly not offered) from {server}")
                } else {
                    format!(
                        "{shown} has {} usable record(s), expected at least {min_records}: {}",
                        usable.len(),
                        list.join(", ")
                    )
                };
                return Finding { status: Status::Fail, message: msg.into(), ..base }
                    .codes(&["0xC004F074"])
                    .remediation(add_record_remediation(&zone));
            }
            Finding {
                message: format!(
                    "{} KMS host(s) published in {shown}: {} (answer from {server}{})",
                    usable.len(),
                    list.join(", "),
                    if reply.authoritative { ", authoritative" } else { "" }
                ).into(),
                ..base
            }
        }
        AnswerClass::NxDomain => Finding::new(
            Status::Fail,
            format!("{shown} does not exist (NXDOMAIN from {server}): no KMS host is published in {zone}"),
        )
        .codes(&["0x8007232B", "0xC004F074"])
        .remediation(add_record_remediation(&zone)),
        AnswerClass::NoData => Finding::new(
            Status::Fail,
            format!("{shown} exists but has no SRV record (NODATA from {server})"),
        )
        .codes(&["0x8007251D", "0xC004F074"])
        .remediation(add_record_remediation(&zone)),
        AnswerClass::ServFail => Finding::new(
            Status::Fail,
            format!("DNS server {server} failed to answer for {shown} (SERVFAIL): the zone may not load, or recursion failed"),
        )
        .codes(&["0x8007232A", "0xC004F074"])
        .remediation(format!(
            "On the DNS server, check that zone {zone} loads (BIND: named-checkzone {zone} <file>; Windows: Get-DnsServerZone {zone}) \
             and that forwarders answer; then on clients: ipconfig /flushdns"
        )),
        AnswerClass::Refused => Finding::new(
            Status::Fail,
            format!("DNS server {server} refused the query for {shown} (REFUSED): it does not serve {zone} and does not recurse for this client"),
        )
        .codes(&["0x8007232D", "0xC004F074"])
        .remediation(format!(
            "Point clients at DNS servers that serve {zone} (or forward to them), or allow recursion for this subnet on {server}"
        )),
        AnswerClass::Other(code, text) => Finding::new(
            Status::Fail,
            format!("DNS server {server} answered {shown} with rcode {code} ({text})"),
        )
        .codes(&["0xC004F074"]),
    }
}

fn add_record_remediation(zone: &str) -> String {
    format!(
        "Publish the KMS host in {zone}. On a Windows DNS server:\n  \
         Add-DnsServerResourceRecord -ZoneName {zone} -Srv -Name _vlmcs._tcp -DomainName <kms-host.fqdn> -Priority 0 -Weight 0 -Port 1688\n\
         In a BIND zone file:\n  _vlmcs._tcp  IN SRV 0 0 1688 <kms-host.fqdn>.\n\
         Or let the KMS host publish itself (slmgr /sdns; for other domains set DnsDomainPublishList on the host). \
         If DNS cannot be fixed yet, point clients at the host: slmgr /skms <kms-host>:1688 (Office: cscript ospp.vbs /sethst:<kms-host>)."
    )
}
