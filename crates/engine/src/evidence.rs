//! Evidence and fact keys that more than one layer reads: the checks write them, the engine
//! passes facts along, the renderers and `diff` read them. One name each, here, so a producer
//! and its readers cannot drift apart.

use std::net::IpAddr;

use serde_json::{Map, Value};

/// The addresses of a host (fact of `resolve`, read by every per-address kind; evidence too).
pub const ADDRESSES: &str = "addresses";
/// A round-trip time in milliseconds.
pub const RTT_MS: &str = "rtt_ms";
/// A clock offset in milliseconds, remote minus local.
pub const OFFSET_MS: &str = "offset_ms";
/// The egress interface a probe left through (route check; the source matrix shows it).
pub const INTERFACE: &str = "interface";
/// A connect's or query's outcome class (refused, timeout, …).
pub const RESULT: &str = "result";
/// A DNS response code class.
pub const RCODE: &str = "rcode";
/// The port probed.
pub const PORT: &str = "port";
/// The port a record or rule expected.
pub const EXPECTED_PORT: &str = "expected_port";
/// Addresses or hosts that answered.
pub const REACHABLE: &str = "reachable";
/// SRV records.
pub const RECORDS: &str = "records";
/// SRV targets.
pub const TARGETS: &str = "targets";

/// Activation probe (results of [`ACTIVATION_KIND`]): the KMS host's current count of
/// distinct clients.
pub const CURRENT_COUNT: &str = "current_count";
/// Activation probe: the count the KMS host needs before it activates clients.
pub const THRESHOLD: &str = "threshold";
/// Activation probe: the product family the count belongs to (a short keyword such as
/// `windows-client` or `office`; it becomes a Prometheus label, so no free text).
pub const PRODUCT: &str = "product";
/// The kind whose results carry [`CURRENT_COUNT`], [`THRESHOLD`] and [`PRODUCT`].
pub const ACTIVATION_KIND: &str = "kms-activation";

/// The [`ADDRESSES`] value for a list of addresses.
pub fn addresses_value(addresses: &[IpAddr]) -> Value {
    Value::Array(
        addresses
            .iter()
            .map(|a| Value::String(a.to_string()))
            .collect(),
    )
}

/// The addresses a prerequisite published as a fact, if any.
pub fn addresses_fact(facts: &Map<String, Value>) -> Vec<IpAddr> {
    match facts.get(ADDRESSES) {
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(|v| v.as_str()?.parse().ok())
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_round_trip_through_facts() {
        let a: Vec<IpAddr> = vec!["198.18.0.10".parse().unwrap(), "fd00::1".parse().unwrap()];
        let mut facts = Map::new();
        facts.insert(ADDRESSES.into(), addresses_value(&a));
        assert_eq!(addresses_fact(&facts), a);
        assert!(addresses_fact(&Map::new()).is_empty());
    }
}
