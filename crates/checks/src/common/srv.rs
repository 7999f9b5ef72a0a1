//! SRV records as a client sees them (RFC 2782 order), shared by every SRV kind.

use crate::evidence as ev;
use kms_preflight_net::dns::proto::{RData, Record};
use serde_json::{json, Value};

use kms_preflight_net::dns;

/// One SRV record as evidence.
#[derive(Debug, Clone)]
pub struct SrvRecord {
    pub priority: u16,
    pub weight: u16,
    pub port: u16,
    pub target: String,
    pub ttl: u32,
}

impl SrvRecord {
    pub fn to_json(&self) -> Value {
        let mut m = serde_json::Map::new();
        m.insert(ev::RECORD_PRIORITY.into(), json!(self.priority));
        m.insert(ev::RECORD_WEIGHT.into(), json!(self.weight));
        m.insert(ev::RECORD_PORT.into(), json!(self.port));
        m.insert(ev::RECORD_TARGET.into(), json!(self.target));
        m.insert("ttl".into(), json!(self.ttl));
        Value::Object(m)
    }
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
pub fn srv_removal_commands(zone: &str, host: &str) -> String {
    format!(
        "Get-DnsServerResourceRecord -ZoneName {zone} -Name _vlmcs._tcp -RRType Srv | \
         Where-Object {{ $_.RecordData.DomainName -eq '{host}.' }} | Remove-DnsServerResourceRecord -ZoneName {zone} -Force\n  \
         (BIND: delete the line '_vlmcs._tcp IN SRV <priority> <weight> <port> {host}.' from the {zone} zone and reload it.) \
         Then on clients: ipconfig /flushdns; slmgr /ckms"
    )
}
