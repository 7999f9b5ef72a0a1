//! SRV records as a client sees them (RFC 2782 order), shared by every SRV kind.

use kms_preflight_net::dns::proto::{RData, Record};
use serde::{Deserialize, Serialize};

use kms_preflight_engine::Message;
use kms_preflight_net::dns;

/// One SRV record as evidence.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default)]
pub struct SrvRecord {
    pub priority: u16,
    pub weight: u16,
    pub port: u16,
    pub target: String,
    pub ttl: u32,
}

/// SRV records of a reply, sorted the way a client would try them (priority, then weight).
pub fn srv_records(reply: &dns::DnsReply) -> Vec<SrvRecord> {
    srv_records_of(&reply.answers)
}

/// SRV records among `answers` (other types, e.g. a CNAME chain, skipped), in client order.
pub fn srv_records_of(answers: &[Record]) -> Vec<SrvRecord> {
    let mut out: Vec<SrvRecord> = answers
        .iter()
        .filter_map(|r| match &r.data {
            RData::SRV(s) => Some(SrvRecord {
                priority: s.priority,
                weight: s.weight,
                port: s.port,
                target: dns::display_name(&s.target),
                ttl: r.ttl,
            }),
            _ => None,
        })
        .collect();
    out.sort_by(|a, b| {
        a.priority
            .cmp(&b.priority)
            .then(b.weight.cmp(&a.weight))
            .then(a.target.cmp(&b.target))
    });
    out
}

/// The exact commands to remove one published KMS host from a zone's `_vlmcs._tcp` records.
pub fn srv_removal(zone: &str, host: &str) -> Message {
    super::srv_remove_host(
        format!(
            "Get-DnsServerResourceRecord -ZoneName {zone} -Name _vlmcs._tcp -RRType Srv | \
             Where-Object {{ $_.RecordData.DomainName -eq '{host}.' }} | Remove-DnsServerResourceRecord -ZoneName {zone} -Force"
        ),
        format!("_vlmcs._tcp IN SRV <priority> <weight> <port> {host}."),
        zone,
    )
}

/// Transitional, for the sweep's text until the sweep speaks in messages: [`srv_removal`]
/// as one English string.
pub fn srv_removal_commands(zone: &str, host: &str) -> String {
    format!(
        "Get-DnsServerResourceRecord -ZoneName {zone} -Name _vlmcs._tcp -RRType Srv | \
         Where-Object {{ $_.RecordData.DomainName -eq '{host}.' }} | Remove-DnsServerResourceRecord -ZoneName {zone} -Force\n  \
         (BIND: delete the line '_vlmcs._tcp IN SRV <priority> <weight> <port> {host}.' from the {zone} zone and reload it.) \
         Then on clients: ipconfig /flushdns; slmgr /ckms"
    )
}

impl crate::Evidence {
    /// The SRV records a result lists (`srv`, `srv-weights`, `srv-membership`); empty for
    /// other results.
    pub fn srv_records(&self) -> &[SrvRecord] {
        match self {
            crate::Evidence::Srv(e) => e.records.as_deref().unwrap_or_default(),
            crate::Evidence::SrvWeights(e) => e.records.as_deref().unwrap_or_default(),
            crate::Evidence::SrvMembership(e) => e.records.as_deref().unwrap_or_default(),
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::en;

    #[test]
    fn records_serialize_with_their_keys_in_order() {
        let r = SrvRecord {
            priority: 0,
            weight: 100,
            port: 1688,
            target: "kms1.corp.test".into(),
            ttl: 300,
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"priority":0,"weight":100,"port":1688,"target":"kms1.corp.test","ttl":300}"#
        );
    }

    #[test]
    fn the_removal_message_reads_as_the_sweeps_text() {
        assert_eq!(
            en(&srv_removal("corp.test", "old.corp.test")),
            srv_removal_commands("corp.test", "old.corp.test")
        );
    }
}
