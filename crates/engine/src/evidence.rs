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

/// Kind names the verdict reads results of (the names registered in the checks crate).
pub mod kinds {
    pub const SRV: &str = "srv";
    pub const SRV_DISCOVERY: &str = "srv-discovery";
    pub const SRV_WEIGHTS: &str = "srv-weights";
    pub const SRV_STALE: &str = "srv-stale";
    pub const RESOLVE: &str = "resolve";
    pub const TCP: &str = "tcp";
    pub const KMS_RPC: &str = "kms-rpc";
    pub const CLOCK: &str = "clock";
    pub const ROUTE: &str = "route";
}

/// Keys of one SRV record in [`RECORDS`] (`srv`, `srv-weights`: `{priority, weight, port,
/// target, ttl}`).
pub const RECORD_PRIORITY: &str = "priority";
pub const RECORD_WEIGHT: &str = "weight";
pub const RECORD_PORT: &str = "port";
pub const RECORD_TARGET: &str = "target";

/// `srv-discovery`: the first suffix of the client's list whose query returns records.
pub const FIRST_SUFFIX: &str = "first_suffix";
/// `srv-discovery`: per suffix `{suffix, name, result, server, hosts: ["host:port", …]}`.
pub const SUFFIXES: &str = "suffixes";
/// Keys of one entry in [`SUFFIXES`].
pub const SUFFIX: &str = "suffix";
pub const SUFFIX_HOSTS: &str = "hosts";
/// `srv-discovery`: where the suffix list came from (`--suffix`, `--domain`, the system's).
pub const SUFFIX_ORIGIN: &str = "suffix_origin";

/// SRV audit kinds: what a finding is about (`no-address`, `port-dead`, …).
pub const ISSUE: &str = "issue";
/// SRV audit kinds: the published target a finding is about.
pub const TARGET: &str = "target";
/// SRV audit kinds: the record(s) a finding is about, as text ("SRV 0 0 1688 host; …").
pub const RECORD: &str = "record";
/// `srv-stale` [`ISSUE`] values: the target no longer resolves / its port no longer answers.
pub const ISSUE_NO_ADDRESS: &str = "no-address";
pub const ISSUE_PORT_DEAD: &str = "port-dead";

/// The engine's skip of a check whose prerequisite did not pass: the prerequisite's id.
pub const PREREQUISITE: &str = "prerequisite";

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
