//! The sweep's evidence: one shape per result id (`sweep.port` of a listener or of a port that
//! did not accept, `sweep.published`, `sweep.summary`), keys in the order reports have always
//! written them.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use super::judge::{PortState, Publication, Service};

/// The evidence of a sweep result. A recorded report names no shape: each is told apart by a
/// key only it has (`ranges`, then `rpc_result`, then `service`; a publication has none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum SweepEvidence {
    /// `sweep.summary`: the run itself.
    Summary(SweepSummary),
    /// `sweep.port`: an open port.
    Listener(ListenerEvidence),
    /// `sweep.port`: a port that did not accept (a published endpoint, or with `--all`).
    NotOpen(NotOpenEvidence),
    /// `sweep.published`: what a domain publishes, or the inventory.
    Published(PublishedEvidence),
}

/// An open port.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ListenerEvidence {
    /// What answered.
    pub service: Service,
    /// How the address compares with DNS; null when no comparison was made.
    pub published: Option<Publication>,
    /// Reverse (PTR) names of the address; absent when not looked up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ptr: Option<Vec<String>>,
    /// Handshake round trip, ms; null when the handshake itself was reset.
    pub rtt_ms: Option<f64>,
    pub port: u16,
    /// The finer RPC verdict (`accepted`, `rejected`, `bind-nak`, `not-rpc`, …, or
    /// `reset-after-connect`).
    pub rpc_result: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bind_rtt_ms: Option<f64>,
    /// It said nothing to the bind and answered only once our FIN ended its input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_after_fin: Option<bool>,
    /// The SRV target (or inventory host) names the address belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hosts: Option<Vec<String>>,
    /// The KMS bind was accepted: on which transfer syntax, with which secondary address and
    /// association group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub negotiated_syntax: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secondary_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assoc_group_id: Option<String>,
    /// `py-kms` when the association group is py-kms's constant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub implementation_hint: Option<String>,
    /// The reason of a bind_nak.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nak_reason: Option<u16>,
    /// What another protocol answered (printable prefix).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received: Option<String>,
}

/// A port that did not accept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NotOpenEvidence {
    pub service: PortState,
    pub published: Option<Publication>,
    pub port: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hosts: Option<Vec<String>>,
}

/// What a domain publishes (its `_vlmcs._tcp` records and their addresses), or the inventory's
/// host lists.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PublishedEvidence {
    /// `_vlmcs._tcp.<domain>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What each DNS server answered (the SRV audits' per-server answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub servers: Option<Vec<serde_json::Value>>,
    /// The records, `target:port`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub records: Option<Vec<String>>,
    /// The addresses of each target, in record order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addresses: Option<AddressesByHost>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forbidden_hosts: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_hosts: Option<Vec<String>>,
}

/// The run: what was swept, how, and the counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SweepSummary {
    pub ranges: Vec<String>,
    pub ports: Vec<u16>,
    pub addresses: u64,
    pub probes: u64,
    /// Probes done (fewer than `probes` when interrupted).
    pub probed: u64,
    pub open: u64,
    pub counts: SweepCounts,
    pub rate_per_s: u32,
    pub concurrency: u64,
    pub timeout_ms: u64,
    pub compared_with_dns: bool,
    /// Ctrl-C stopped the sweep before every address was probed.
    pub interrupted: bool,
}

/// Counts by service, by state of the ports that did not accept, and by publication.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct SweepCounts {
    pub kms: u64,
    pub rpc_other: u64,
    pub not_rpc: u64,
    pub silent: u64,
    pub reset: u64,
    /// Open ports that could not be probed (a local error).
    pub error: u64,
    pub closed: u64,
    pub filtered: u64,
    pub unreachable: u64,
    /// Connects that could not be sent (a local error).
    pub probe_error: u64,
    /// KMS listeners by publication.
    pub published: u64,
    pub rogue: u64,
    pub forbidden: u64,
    pub allowed: u64,
    /// Published endpoints where something other than KMS answers.
    pub published_not_kms: u64,
    /// Published endpoints that did not answer.
    pub published_missing: u64,
}

impl SweepCounts {
    /// Open ports that answered as `s`.
    pub fn service(&self, s: Service) -> u64 {
        match s {
            Service::Kms => self.kms,
            Service::RpcOther => self.rpc_other,
            Service::NotRpc => self.not_rpc,
            Service::Silent => self.silent,
            Service::Reset => self.reset,
            Service::Error => self.error,
        }
    }

    pub fn service_mut(&mut self, s: Service) -> &mut u64 {
        match s {
            Service::Kms => &mut self.kms,
            Service::RpcOther => &mut self.rpc_other,
            Service::NotRpc => &mut self.not_rpc,
            Service::Silent => &mut self.silent,
            Service::Reset => &mut self.reset,
            Service::Error => &mut self.error,
        }
    }

    pub fn state_mut(&mut self, s: PortState) -> &mut u64 {
        match s {
            PortState::Closed => &mut self.closed,
            PortState::Filtered => &mut self.filtered,
            PortState::Unreachable => &mut self.unreachable,
            PortState::Error => &mut self.probe_error,
        }
    }

    /// KMS listeners that compare as `p` (not-published is never counted: a KMS listener
    /// that is not published is rogue).
    pub fn publication_mut(&mut self, p: Publication) -> Option<&mut u64> {
        match p {
            Publication::Published => Some(&mut self.published),
            Publication::Rogue => Some(&mut self.rogue),
            Publication::Forbidden => Some(&mut self.forbidden),
            Publication::Allowed => Some(&mut self.allowed),
            Publication::NotPublished => None,
        }
    }
}

impl SweepEvidence {
    /// The summary's evidence.
    pub fn summary(&self) -> Option<&SweepSummary> {
        match self {
            SweepEvidence::Summary(s) => Some(s),
            _ => None,
        }
    }

    /// What answered on a listed port: a listener's service or the state of a port that did
    /// not accept (`kms`, `silent`, `closed`, …).
    pub fn service(&self) -> Option<&'static str> {
        match self {
            SweepEvidence::Listener(l) => Some(l.service.as_str()),
            SweepEvidence::NotOpen(n) => Some(n.service.as_str()),
            _ => None,
        }
    }

    /// How a listed port's address compares with DNS (None: not compared).
    pub fn publication(&self) -> Option<Publication> {
        match self {
            SweepEvidence::Listener(l) => l.published,
            SweepEvidence::NotOpen(n) => n.published,
            _ => None,
        }
    }

    /// True for a port where the KMS bind was accepted.
    pub fn is_kms(&self) -> bool {
        matches!(self, SweepEvidence::Listener(l) if l.service == Service::Kms)
    }

    /// A listener's PTR names (None: not looked up, or not a listener).
    pub fn ptr(&self) -> Option<&[String]> {
        match self {
            SweepEvidence::Listener(l) => l.ptr.as_deref(),
            _ => None,
        }
    }

    /// A listener's handshake round trip, ms.
    pub fn rtt_ms(&self) -> Option<f64> {
        match self {
            SweepEvidence::Listener(l) => l.rtt_ms,
            _ => None,
        }
    }
}

impl crate::Evidence {
    /// The evidence of a sweep result.
    pub fn sweep(&self) -> Option<&SweepEvidence> {
        match self {
            crate::Evidence::Sweep(e) => Some(e),
            _ => None,
        }
    }
}

/// Host name → its addresses, in the order the records name the hosts (a JSON object).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AddressesByHost(pub Vec<(String, Vec<String>)>);

impl Serialize for AddressesByHost {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for AddressesByHost {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<AddressesByHost, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = AddressesByHost;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of host names and their addresses")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AddressesByHost, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<String, Vec<String>>()? {
                    out.push(entry);
                }
                Ok(AddressesByHost(out))
            }
        }
        d.deserialize_map(V)
    }
}

impl schemars::JsonSchema for AddressesByHost {
    fn schema_name() -> Cow<'static, str> {
        "AddressesByHost".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Host name → its addresses, in record order.",
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}}
        })
    }
}

impl AddressesByHost {
    /// Sets `host`'s addresses (a host named by two records is listed once, where first named).
    pub fn insert(&mut self, host: String, addrs: Vec<String>) {
        match self.0.iter_mut().find(|(h, _)| *h == host) {
            Some(slot) => slot.1 = addrs,
            None => self.0.push((host, addrs)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyword_values_are_the_words_reports_use() {
        for s in Service::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for s in PortState::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for p in [
            Publication::Published,
            Publication::Forbidden,
            Publication::Allowed,
            Publication::Rogue,
            Publication::NotPublished,
        ] {
            assert_eq!(serde_json::to_value(p).unwrap(), p.as_str());
        }
    }

    /// Each shape as a report records it reads back as that shape and writes the same text.
    #[test]
    fn recorded_shapes_read_back_as_themselves() {
        let cases = [
            (
                r#"{"ranges":["198.18.2.0/24"],"ports":[1688],"addresses":256,"probes":256,"probed":256,"open":1,"counts":{"kms":1,"rpc-other":0,"not-rpc":0,"silent":0,"reset":0,"error":0,"closed":255,"filtered":0,"unreachable":0,"probe-error":0,"published":1,"rogue":0,"forbidden":0,"allowed":0,"published-not-kms":0,"published-missing":0},"rate_per_s":200,"concurrency":256,"timeout_ms":1000,"compared_with_dns":true,"interrupted":false}"#,
                "summary",
            ),
            (
                r#"{"service":"reset","published":null,"rtt_ms":null,"port":1688,"rpc_result":"reset-after-connect"}"#,
                "listener",
            ),
            (
                r#"{"service":"kms","published":"rogue","ptr":[],"rtt_ms":0.5,"port":1688,"rpc_result":"accepted","bind_rtt_ms":0.7,"hosts":["kms1.corp.test"],"negotiated_syntax":"NDR32","secondary_address":"1688","assoc_group_id":"0x00001234"}"#,
                "listener",
            ),
            (
                r#"{"service":"error","published":"not-published","port":1688}"#,
                "not-open",
            ),
            (
                r#"{"name":"_vlmcs._tcp.corp.test","servers":[],"records":["kms2.corp.test:1688","kms1.corp.test:1688"],"addresses":{"kms2.corp.test":["198.18.2.11"],"kms1.corp.test":[]}}"#,
                "published",
            ),
            (r#"{}"#, "published"),
        ];
        for (json, shape) in cases {
            let e: SweepEvidence = serde_json::from_str(json).unwrap();
            let got = match &e {
                SweepEvidence::Summary(_) => "summary",
                SweepEvidence::Listener(_) => "listener",
                SweepEvidence::NotOpen(_) => "not-open",
                SweepEvidence::Published(_) => "published",
            };
            assert_eq!(got, shape, "{json}");
            assert_eq!(serde_json::to_string(&e).unwrap(), json);
        }
    }
}
