//! `ptr`: the reverse (PTR) record of each KMS host address agrees with the host name the
//! SRV record publishes. Optional (not in the built-in pack): KMS itself does not need PTR
//! records, but a PTR naming another host betrays an address reused after a host
//! replacement, or an SRV target pointing at the wrong machine. Addresses come from the
//! `resolve` check it requires (or are resolved here).

use crate::{CheckContext, CheckOutput, Finding, Kms, RunSettings};
use std::net::IpAddr;
use std::time::Duration;

use kms_preflight_net::dns::proto::{Name, RData, RecordType};
use serde_json::Value;

use crate::common::address::addresses_for;
use kms_preflight_engine::rules::Scope;
use kms_preflight_engine::Status;
use kms_preflight_engine::{BoxFuture, Check};
use kms_preflight_net::dns::{self, AnswerClass};

kms_preflight_engine::messages! {}

kms_preflight_engine::check_rule! {
    /// Parameters of a `ptr` check (none beyond the common keys).
    PtrRule => PtrCheck {}
}

/// `0.18.198.in-addr.arpa` and `11` for 198.18.0.11 (the /24 zone most reverse zones are).
fn reverse_zone_and_label(ip: IpAddr, full: &str) -> (String, String) {
    match ip {
        IpAddr::V4(_) => match full.split_once('.') {
            Some((label, zone)) => (zone.to_string(), label.to_string()),
            None => (full.to_string(), "@".into()),
        },
        IpAddr::V6(_) => {
            // Nibble names: the host part is the first 16 nibbles of a /64.
            let labels: Vec<&str> = full.split('.').collect();
            let cut = 16.min(labels.len());
            (labels[cut..].join("."), labels[..cut].join("."))
        }
    }
}

impl Check<Kms> for PtrCheck {
    fn default_scope(&self) -> Scope {
        Scope::EACH_HOST
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(2)
    }

    fn budget(&self, timeout: Duration, settings: &RunSettings) -> Duration {
        kms_preflight_net::dns::lookup_budget(timeout, &settings.dns_servers) * 2
            + Duration::from_secs(1)
    }

    fn evidence_vars(&self) -> &'static [&'static str] {
        &["ptr", "reverse_name"]
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext<'a>) -> BoxFuture<'a, CheckOutput> {
        Box::pin(async move {
            let Some(target) = ctx.target else {
                return CheckOutput::one(Finding::new(
                    Status::Error,
                    "ptr needs a host (scope each-host)",
                ));
            };
            let host = target.host.clone();
            if host.parse::<IpAddr>().is_ok() {
                return CheckOutput::one(Finding::new(
                    Status::Skip,
                    format!(
                        "{host} is an address literal: no published name to compare a PTR with"
                    ),
                ));
            }
            let addrs = match addresses_for(ctx).await {
                Ok(a) => a,
                Err(f) => return CheckOutput::one(f),
            };
            let servers = &ctx.settings.dns_servers;
            if servers.is_empty() {
                return CheckOutput::one(crate::common::srv_audit::no_servers());
            }
            let mut findings = Vec::new();
            for ip in addrs {
                let mut rname = Name::from(ip);
                rname.set_fqdn(true);
                let shown = dns::display_name(&rname);
                let (zone, label) = reverse_zone_and_label(ip, &shown);
                let (reply, attempts) = dns::query_servers(
                    &ctx.settings.memo,
                    servers,
                    &rname,
                    RecordType::PTR,
                    ctx.timeout,
                    ctx.source,
                )
                .await;
                let base = |f: Finding| {
                    f.address(ip.to_string())
                        .evidence("reverse_name", shown.clone())
                        .evidence("attempts", dns::attempts_json(&attempts))
                };
                let add_fix = format!(
                    "Windows DNS: Add-DnsServerResourceRecordPtr -ZoneName {zone} -Name {label} -PtrDomainName {host}.\n\
                     BIND zone file of {zone}: {label}  IN PTR {host}.\n\
                     (Only cosmetic for KMS, unless the address now belongs to another machine: then fix the SRV/A records instead.)"
                );
                let Some(reply) = reply else {
                    findings.push(base(Finding::new(
                        Status::Skip,
                        format!(
                            "no DNS server answered the PTR query for {ip} ({})",
                            dns::no_answer_message(&attempts)
                        ),
                    )));
                    continue;
                };
                let ptrs: Vec<String> = reply
                    .answers
                    .iter()
                    .filter_map(|r| match &r.data {
                        RData::PTR(p) => Some(dns::display_name(&p.0)),
                        _ => None,
                    })
                    .collect();
                let ptr_json = Value::Array(ptrs.iter().cloned().map(Value::String).collect());
                let f = match &reply.class {
                    AnswerClass::Records if ptrs.contains(&host) => Finding::new(
                        Status::Pass,
                        format!("PTR of {ip} is {host}: agrees with the SRV target"),
                    ),
                    AnswerClass::Records => Finding::new(
                        Status::Fail,
                        format!(
                            "PTR of {ip} is {}, not {host}: the address may belong to another machine (reused after a host replacement?)",
                            ptrs.join(", ")
                        ),
                    )
                    .evidence("issue", "ptr-differs")
                    .remediation(format!(
                        "Check which machine owns {ip}. If it is {host}, replace the PTR:\n  \
                         Remove-DnsServerResourceRecord -ZoneName {zone} -RRType Ptr -Name {label} -Force\n  {add_fix}"
                    )),
                    AnswerClass::NxDomain | AnswerClass::NoData => Finding::new(
                        Status::Fail,
                        format!("{ip} has no PTR record ({}); cannot confirm it is {host}", reply.class.label()),
                    )
                    .evidence("issue", "ptr-missing")
                    .remediation(add_fix),
                    other => Finding::new(
                        Status::Skip,
                        format!("PTR query for {ip} failed ({}); nothing to compare", other.label()),
                    ),
                };
                findings.push(base(f).evidence("ptr", ptr_json));
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
    use super::reverse_zone_and_label;

    #[test]
    fn reverse_zone_of_v4_is_the_slash_24() {
        assert_eq!(
            reverse_zone_and_label("198.18.0.11".parse().unwrap(), "11.0.18.198.in-addr.arpa"),
            ("0.18.198.in-addr.arpa".to_string(), "11".to_string())
        );
    }

    #[test]
    fn reverse_zone_of_v6_is_the_slash_64() {
        let ip: std::net::IpAddr = "fd00:18::10".parse().unwrap();
        let mut n = kms_preflight_net::dns::proto::Name::from(ip);
        n.set_fqdn(true);
        let full = kms_preflight_net::dns::display_name(&n);
        let (zone, label) = reverse_zone_and_label(ip, &full);
        assert_eq!(zone, "0.0.0.0.0.0.0.0.8.1.0.0.0.0.d.f.ip6.arpa");
        assert_eq!(label, "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0");
    }
}
