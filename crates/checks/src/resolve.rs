//! `resolve`: the A and AAAA records of each KMS host, asked like the srv check asks.

use crate::{CheckContext, CheckOutput, Finding, Kms, RunSettings};
use std::time::Duration;

use crate::common::address::lookup;
use crate::common::dns::{attempts, DnsAttempt};
use kms_preflight_engine::rules::Scope;
use kms_preflight_engine::{BoxFuture, Check};
use kms_preflight_engine::{Message, Status};
use kms_preflight_net::dns::{AnswerClass, DnsReply};
use kms_preflight_net::ms;

kms_preflight_engine::messages! {
    /// resolve needs a host (scope each-host)
    no_host = "resolve-no-host" ();
    /// {host} is an address literal; nothing to resolve
    literal = "resolve-literal" (host);
    /// {host} resolves to {addresses} (from {server})
    resolved = "resolve-resolved" (host, addresses, server);
    /// no DNS server answered for {host}: {why}
    no_answer = "resolve-no-answer" (host, why);
    /// Check that this machine reaches its DNS servers on UDP and TCP 53 (firewall, VPN).
    no_answer_fix = "resolve-no-answer-fix" ();
    /// {host} does not exist (NXDOMAIN): clients cannot reach this KMS host by name
    nxdomain = "resolve-nxdomain" (host);
    /// {host} exists but has no A or AAAA record (NODATA)
    nodata = "resolve-nodata" (host);
    /// DNS server failed to resolve {host} (SERVFAIL)
    servfail = "resolve-servfail" (host);
    /// On the DNS server, check that the host's zone loads and forwarders answer; then
    /// ipconfig /flushdns on clients
    servfail_fix = "resolve-servfail-fix" ();
    /// DNS server refused to resolve {host} (REFUSED)
    refused = "resolve-refused" (host);
    /// DNS server answered {host} with rcode {code} ({rcode_name})
    rcode = "resolve-rcode" (host, code, rcode_name);
    /// If {host} is a live KMS host, register its address: {command}; then on clients:
    /// ipconfig /flushdns
    register_fix = "resolve-register-fix" (host, command);
    /// If {host} was retired, remove its SRV record (a stale record): {removals} … then
    /// [`register_fix`]
    remove_or_register_fix = "resolve-remove-or-register-fix" (host, removals, command);
}

kms_preflight_engine::check_rule! {
    /// Parameters of a `resolve` check (none yet beyond the common keys).
    ResolveRule => ResolveCheck {}
}

/// One A or AAAA answer as evidence.
#[derive(
    Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(default)]
pub struct ReplyEvidence {
    pub server: String,
    pub rcode: String,
    pub authoritative: bool,
    pub rtt_ms: f64,
    /// From the SOA of a negative answer; null otherwise.
    pub negative_ttl: Option<u32>,
}

fn reply_evidence(r: &Option<DnsReply>) -> Option<ReplyEvidence> {
    r.as_ref().map(|r| ReplyEvidence {
        server: r.server.to_string(),
        rcode: r.class.label(),
        authoritative: r.authoritative,
        rtt_ms: ms(r.rtt),
        negative_ttl: r.negative_ttl,
    })
}

/// What `resolve` saw.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum ResolveEvidence {
    /// The host was asked of DNS.
    Lookup(ResolveLookup),
    /// The host is an address literal: nothing was asked.
    Literal { addresses: Vec<String> },
}

/// The A and AAAA answers for a host name.
#[derive(
    Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct ResolveLookup {
    pub host: String,
    /// The deciding A answer; null when no server answered.
    #[serde(default)]
    pub a: Option<ReplyEvidence>,
    #[serde(default)]
    pub aaaa: Option<ReplyEvidence>,
    #[serde(default)]
    pub attempts: Vec<DnsAttempt>,
    /// The addresses found (a passing result only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addresses: Option<Vec<String>>,
}

impl crate::Evidence {
    pub fn resolve(&self) -> Option<&ResolveEvidence> {
        match self {
            crate::Evidence::Resolve(e) => Some(e),
            _ => None,
        }
    }
}

impl Check<Kms> for ResolveCheck {
    fn default_scope(&self) -> Scope {
        Scope::EACH_HOST
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(2)
    }

    fn budget(&self, timeout: Duration, settings: &RunSettings) -> Duration {
        kms_preflight_net::dns::lookup_budget(timeout, &settings.dns_servers)
            + Duration::from_secs(1)
    }

    fn evidence_vars(&self) -> &'static [&'static str] {
        &["host"]
    }

    fn plan(
        &self,
        ctx: &kms_preflight_engine::plan::PlanContext<'_, Kms>,
    ) -> Vec<kms_preflight_engine::plan::PlannedProbe> {
        crate::common::plan::host_address_queries(ctx)
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext<'a>) -> BoxFuture<'a, CheckOutput> {
        Box::pin(async move {
            let Some(target) = ctx.target else {
                return CheckOutput::one(Finding::new(Status::Error, no_host()));
            };
            let host = target.host.as_str();
            let res = match lookup(ctx, host).await {
                Ok(r) => r,
                Err(f) => return CheckOutput::one(f),
            };
            let mut facts = crate::Facts::default();
            let list: Vec<String> = res.addresses.iter().map(|a| a.to_string()).collect();
            if res.v4.is_none() && res.v6.is_none() && !res.addresses.is_empty() {
                facts.addresses = Some(res.addresses.clone());
                return CheckOutput {
                    findings: vec![Finding::new(Status::Pass, literal(host))
                        .with(ResolveEvidence::Literal { addresses: list })],
                    facts,
                    discovered: Vec::new(),
                };
            }
            let evidence = |addresses: Option<Vec<String>>| {
                ResolveEvidence::Lookup(ResolveLookup {
                    host: host.to_string(),
                    a: reply_evidence(&res.v4),
                    aaaa: reply_evidence(&res.v6),
                    attempts: attempts(&res.attempts),
                    addresses,
                })
            };
            if !res.addresses.is_empty() {
                let server = res
                    .v4
                    .as_ref()
                    .or(res.v6.as_ref())
                    .map(|r| r.server.to_string())
                    .unwrap_or_default();
                facts.addresses = Some(res.addresses.clone());
                return CheckOutput {
                    findings: vec![Finding::new(
                        Status::Pass,
                        resolved(host, list.clone(), server),
                    )
                    .with(evidence(Some(list)))],
                    facts,
                    discovered: Vec::new(),
                };
            }
            // No address: say why, preferring the A answer (IPv4 is what most KMS hosts use).
            let decisive = res.v4.as_ref().or(res.v6.as_ref());
            let (label, zone) = host.split_once('.').unwrap_or((host, "<zone>"));
            // The zone that publishes it, from the SRV origin ("SRV _vlmcs._tcp.<zone>").
            let srv_zones: Vec<&str> = target
                .origins
                .iter()
                .filter_map(|o| o.strip_prefix("SRV _vlmcs._tcp."))
                .collect();
            let register = format!(
                "Add-DnsServerResourceRecordA -ZoneName {zone} -Name {label} -IPv4Address <ip>"
            );
            let stale: Message = if srv_zones.is_empty() {
                register_fix(host, register)
            } else {
                let removals: Vec<Message> = srv_zones
                    .iter()
                    .map(|z| crate::common::srv::srv_removal(z, host))
                    .collect();
                remove_or_register_fix(host, removals, register)
            };
            let finding = match decisive.map(|r| &r.class) {
                None => Finding::new(
                    Status::Fail,
                    no_answer(host, crate::common::dns::no_answer(&res.attempts)),
                )
                .codes(&["0xC004F074"])
                .remediation(no_answer_fix()),
                Some(AnswerClass::NxDomain) => Finding::new(Status::Fail, nxdomain(host))
                    .codes(&["0x8007232B", "0xC004F074"])
                    .remediation(stale),
                Some(AnswerClass::NoData) | Some(AnswerClass::Records) => {
                    Finding::new(Status::Fail, nodata(host))
                        .codes(&["0x8007251D", "0xC004F074"])
                        .remediation(stale)
                }
                Some(AnswerClass::ServFail) => Finding::new(Status::Fail, servfail(host))
                    .codes(&["0x8007232A", "0xC004F074"])
                    .remediation(servfail_fix()),
                Some(AnswerClass::Refused) => {
                    Finding::new(Status::Fail, refused(host)).codes(&["0x8007232D", "0xC004F074"])
                }
                Some(AnswerClass::Other(c, t)) => {
                    Finding::new(Status::Fail, rcode(host, *c, t)).codes(&["0xC004F074"])
                }
            };
            CheckOutput::one(finding.with(evidence(None)))
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
        let host = "kms1.corp.test";
        assert_eq!(en(&no_host()), "resolve needs a host (scope each-host)");
        let why = crate::common::dns::no_answer(&[]);
        assert_eq!(
            en(&no_answer(host, why)),
            format!(
                "no DNS server answered for {host}: {}",
                "no DNS server to ask: /etc/resolv.conf lists none; pass --dns"
            )
        );
        assert_eq!(
            en(&no_answer_fix()),
            "Check that this machine reaches its DNS servers on UDP and TCP 53 (firewall, VPN)."
        );
        assert_eq!(
            en(&servfail(host)),
            format!("DNS server failed to resolve {host} (SERVFAIL)")
        );
        assert_eq!(en(&servfail_fix()), "On the DNS server, check that the host's zone loads and forwarders answer; then ipconfig /flushdns on clients");
        assert_eq!(
            en(&refused(host)),
            format!("DNS server refused to resolve {host} (REFUSED)")
        );
        let (c, t) = (9u16, "NotAuth");
        assert_eq!(
            en(&rcode(host, c, t)),
            format!("DNS server answered {host} with rcode {c} ({t})")
        );
        // The stale-record remediation, with two publishing zones.
        let zones = ["corp.test", "branch.test"];
        let cmds: Vec<String> = zones
            .iter()
            .map(|z| crate::common::srv::srv_removal_commands(z, host))
            .collect();
        let (label, zone) = host.split_once('.').unwrap();
        let register = format!(
            "Add-DnsServerResourceRecordA -ZoneName {zone} -Name {label} -IPv4Address <ip>"
        );
        let removals: Vec<Message> = zones
            .iter()
            .map(|z| crate::common::srv::srv_removal(z, host))
            .collect();
        assert_eq!(
            en(&remove_or_register_fix(host, removals, &register)),
            format!(
                "If {host} was retired, remove its SRV record (a stale record):\n  {}\n\
                 If {host} is a live KMS host, register its address: \
                 Add-DnsServerResourceRecordA -ZoneName {zone} -Name {label} -IPv4Address <ip>; then on clients: ipconfig /flushdns",
                cmds.join("\n  ")
            )
        );
    }
}
