//! `resolve`: the A and AAAA records of each KMS host, asked like the srv check asks.

use crate::{evidence, CheckContext, CheckOutput, Finding, Kms, RunSettings};
use std::time::Duration;

use serde_json::{json, Value};

use crate::common::address::lookup;
use kms_preflight_engine::rules::Scope;
use kms_preflight_engine::Status;
use kms_preflight_engine::{BoxFuture, Check};
use kms_preflight_net::dns::{self, AnswerClass, DnsReply};
use kms_preflight_net::ms;

kms_preflight_engine::messages! {}

kms_preflight_engine::check_rule! {
    /// Parameters of a `resolve` check (none yet beyond the common keys).
    ResolveRule => ResolveCheck {}
}

fn reply_json(r: &Option<DnsReply>) -> Value {
    match r {
        None => Value::Null,
        Some(r) => json!({
            "server": r.server.to_string(),
            "rcode": r.class.label(),
            "authoritative": r.authoritative,
            "rtt_ms": ms(r.rtt),
            "negative_ttl": r.negative_ttl,
        }),
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

    fn run<'a>(&'a self, ctx: &'a CheckContext<'a>) -> BoxFuture<'a, CheckOutput> {
        Box::pin(async move {
            let Some(target) = ctx.target else {
                return CheckOutput::one(Finding::new(
                    Status::Error,
                    "resolve needs a host (scope each-host)",
                ));
            };
            let host = target.host.as_str();
            let res = match lookup(ctx, host).await {
                Ok(r) => r,
                Err(f) => return CheckOutput::one(f),
            };
            let mut facts = crate::Facts::default();
            let addr_json = serde_json::Value::from(
                res.addresses
                    .iter()
                    .map(|a| a.to_string())
                    .collect::<Vec<_>>(),
            );
            if res.v4.is_none() && res.v6.is_none() && !res.addresses.is_empty() {
                facts.addresses = Some(res.addresses.clone());
                return CheckOutput {
                    findings: vec![Finding::new(
                        Status::Pass,
                        format!("{host} is an address literal; nothing to resolve"),
                    )
                    .evidence(evidence::ADDRESSES, addr_json)],
                    facts,
                    discovered: Vec::new(),
                };
            }
            let evidence = |f: Finding| {
                f.evidence("host", host)
                    .evidence("a", reply_json(&res.v4))
                    .evidence("aaaa", reply_json(&res.v6))
                    .evidence("attempts", dns::attempts_json(&res.attempts))
            };
            if !res.addresses.is_empty() {
                let list: Vec<String> = res.addresses.iter().map(|a| a.to_string()).collect();
                let server = res
                    .v4
                    .as_ref()
                    .or(res.v6.as_ref())
                    .map(|r| r.server.to_string())
                    .unwrap_or_default();
                facts.addresses = Some(res.addresses.clone());
                return CheckOutput {
                    findings: vec![evidence(Finding::new(
                        Status::Pass,
                        format!("{host} resolves to {} (from {server})", list.join(", ")),
                    ))
                    .evidence(evidence::ADDRESSES, addr_json)],
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
            let removal = if srv_zones.is_empty() {
                String::new()
            } else {
                let cmds: Vec<String> = srv_zones
                    .iter()
                    .map(|z| crate::common::srv::srv_removal_commands(z, host))
                    .collect();
                format!(
                    "If {host} was retired, remove its SRV record (a stale record):\n  {}\n",
                    cmds.join("\n  ")
                )
            };
            let stale = format!(
                "{removal}If {host} is a live KMS host, register its address: \
                 Add-DnsServerResourceRecordA -ZoneName {zone} -Name {label} -IPv4Address <ip>; then on clients: ipconfig /flushdns"
            );
            let finding = match decisive.map(|r| &r.class) {
                None => Finding::new(
                    Status::Fail,
                    format!("no DNS server answered for {host}: {}", dns::no_answer_message(&res.attempts)),
                )
                .codes(&["0xC004F074"])
                .remediation("Check that this machine reaches its DNS servers on UDP and TCP 53 (firewall, VPN)."),
                Some(AnswerClass::NxDomain) => Finding::new(
                    Status::Fail,
                    format!("{host} does not exist (NXDOMAIN): clients cannot reach this KMS host by name"),
                )
                .codes(&["0x8007232B", "0xC004F074"])
                .remediation(stale),
                Some(AnswerClass::NoData) | Some(AnswerClass::Records) => Finding::new(
                    Status::Fail,
                    format!("{host} exists but has no A or AAAA record (NODATA)"),
                )
                .codes(&["0x8007251D", "0xC004F074"])
                .remediation(stale),
                Some(AnswerClass::ServFail) => Finding::new(
                    Status::Fail,
                    format!("DNS server failed to resolve {host} (SERVFAIL)"),
                )
                .codes(&["0x8007232A", "0xC004F074"])
                .remediation("On the DNS server, check that the host's zone loads and forwarders answer; then ipconfig /flushdns on clients"),
                Some(AnswerClass::Refused) => Finding::new(
                    Status::Fail,
                    format!("DNS server refused to resolve {host} (REFUSED)"),
                )
                .codes(&["0x8007232D", "0xC004F074"]),
                Some(AnswerClass::Other(c, t)) => Finding::new(
                    Status::Fail,
                    format!("DNS server answered {host} with rcode {c} ({t})"),
                )
                .codes(&["0xC004F074"]),
            };
            CheckOutput::one(evidence(finding))
        })
    }
}
