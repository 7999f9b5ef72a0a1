//! `ptr`: the reverse (PTR) record of each KMS host address agrees with the host name the
//! SRV record publishes. Optional (not in the built-in pack): KMS itself does not need PTR
//! records, but a PTR naming another host betrays an address reused after a host
//! replacement, or an SRV target pointing at the wrong machine. Addresses come from the
//! `resolve` check it requires (or are resolved here).

use crate::{CheckContext, CheckOutput, Finding, Kms, RunSettings};
use std::net::IpAddr;
use std::time::Duration;

use kms_preflight_net::dns::proto::{Name, RData, RecordType};

use crate::common::address::addresses_for;
use crate::common::dns::{attempts, DnsAttempt};
use kms_preflight_engine::rules::Scope;
use kms_preflight_engine::Status;
use kms_preflight_engine::{BoxFuture, Check};
use kms_preflight_net::dns::{self, AnswerClass};

kms_preflight_engine::messages! {
    /// ptr needs a host (scope each-host)
    no_host = "ptr-no-host" ();
    /// {host} is an address literal: no published name to compare a PTR with
    literal = "ptr-literal" (host);
    /// no DNS server answered the PTR query for {address} ({why})
    no_answer = "ptr-no-answer" (address, why);
    /// PTR of {address} is {host}: agrees with the SRV target
    agrees = "ptr-agrees" (address, host);
    /// PTR of {address} is {ptrs}, not {host}: the address may belong to another machine
    /// (reused after a host replacement?)
    differs = "ptr-differs" (address, ptrs, host);
    /// Check which machine owns {address}. If it is {host}, replace the PTR: {remove} {add}
    differs_fix = "ptr-differs-fix" (address, host, remove, add);
    /// Windows DNS: {windows} BIND zone file of {zone}: {bind_line} (Only cosmetic for KMS, …)
    add_fix = "ptr-add-fix" (windows, zone, bind_line);
    /// {address} has no PTR record ({rcode}); cannot confirm it is {host}
    missing = "ptr-missing" (address, rcode, host);
    /// PTR query for {address} failed ({rcode}); nothing to compare
    failed = "ptr-failed" (address, rcode);
}

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

/// What a PTR finding is about.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum PtrIssue {
    /// The PTR names another host.
    PtrDiffers,
    /// The address has no PTR record.
    PtrMissing,
}

/// What `ptr` saw for one address.
#[derive(
    Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(default)]
pub struct PtrEvidence {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue: Option<PtrIssue>,
    /// The name asked (`11.0.18.198.in-addr.arpa`).
    pub reverse_name: String,
    pub attempts: Vec<DnsAttempt>,
    /// The PTR names (absent when no server answered).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ptr: Option<Vec<String>>,
}

impl crate::Evidence {
    pub fn ptr(&self) -> Option<&PtrEvidence> {
        match self {
            crate::Evidence::Ptr(e) => Some(e),
            _ => None,
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

    fn plan(
        &self,
        ctx: &kms_preflight_engine::plan::PlanContext<'_, Kms>,
    ) -> Vec<kms_preflight_engine::plan::PlannedProbe> {
        crate::common::plan::dns_queries(
            ctx,
            crate::common::plan::dns_query("PTR", crate::common::plan::reverse_names()),
        )
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext<'a>) -> BoxFuture<'a, CheckOutput> {
        Box::pin(async move {
            let Some(target) = ctx.target else {
                return CheckOutput::one(Finding::new(Status::Error, no_host()));
            };
            let host = target.host.clone();
            if host.parse::<IpAddr>().is_ok() {
                return CheckOutput::one(Finding::new(Status::Skip, literal(&host)));
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
                let (reply, tried) = dns::query_servers(
                    &ctx.settings.memo,
                    servers,
                    &rname,
                    RecordType::PTR,
                    ctx.timeout,
                    ctx.source,
                )
                .await;
                let base = PtrEvidence {
                    reverse_name: shown.clone(),
                    attempts: attempts(&tried),
                    ..Default::default()
                };
                let add = add_fix(
                    format!("Add-DnsServerResourceRecordPtr -ZoneName {zone} -Name {label} -PtrDomainName {host}."),
                    &zone,
                    format!("{label}  IN PTR {host}."),
                );
                let Some(reply) = reply else {
                    findings.push(
                        Finding::new(
                            Status::Skip,
                            no_answer(ip, crate::common::dns::no_answer(&tried)),
                        )
                        .address(ip.to_string())
                        .with(base),
                    );
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
                let (f, issue) = match &reply.class {
                    AnswerClass::Records if ptrs.contains(&host) => {
                        (Finding::new(Status::Pass, agrees(ip, &host)), None)
                    }
                    AnswerClass::Records => (
                        Finding::new(Status::Fail, differs(ip, ptrs.clone(), &host)).remediation(
                            differs_fix(
                                ip,
                                &host,
                                format!("Remove-DnsServerResourceRecord -ZoneName {zone} -RRType Ptr -Name {label} -Force"),
                                add,
                            ),
                        ),
                        Some(PtrIssue::PtrDiffers),
                    ),
                    AnswerClass::NxDomain | AnswerClass::NoData => (
                        Finding::new(
                            Status::Fail,
                            missing(ip, crate::common::dns::class(&reply.class), &host),
                        )
                        .remediation(add),
                        Some(PtrIssue::PtrMissing),
                    ),
                    other => (
                        Finding::new(Status::Skip, failed(ip, crate::common::dns::class(other))),
                        None,
                    ),
                };
                findings.push(f.address(ip.to_string()).with(PtrEvidence {
                    issue,
                    ptr: Some(ptrs),
                    ..base
                }));
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

    /// Messages the lab does not reach read as the sentences written before they were typed.
    #[test]
    fn english_as_before() {
        let (host, ip) = ("kms1.corp.test", "198.18.0.10".parse::<IpAddr>().unwrap());
        assert_eq!(en(&no_host()), "ptr needs a host (scope each-host)");
        assert_eq!(
            en(&literal(host)),
            format!("{host} is an address literal: no published name to compare a PTR with")
        );
        assert_eq!(
            en(&no_answer(ip, crate::common::dns::no_answer(&[]))),
            format!(
                "no DNS server answered the PTR query for {ip} ({})",
                "no DNS server to ask: /etc/resolv.conf lists none; pass --dns"
            )
        );
        let c = AnswerClass::ServFail;
        assert_eq!(
            en(&failed(ip, crate::common::dns::class(&c))),
            format!(
                "PTR query for {ip} failed ({}); nothing to compare",
                c.label()
            )
        );
    }
}
