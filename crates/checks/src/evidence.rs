//! Transitional: evidence keys of the kinds that still write their evidence key by key, read by
//! the renderers and `diff`. Each kind's typed evidence replaces its keys here.

/// The addresses of a host (`resolve`'s evidence; `diff` compares it).
pub const ADDRESSES: &str = "addresses";
/// A round-trip time in milliseconds.
pub const RTT_MS: &str = "rtt_ms";
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
/// SRV records (`srv`, `srv-weights`, `srv-membership`; `diff` compares them).
pub const RECORDS: &str = "records";
/// SRV targets (`srv-membership`, `srv-stale`; `diff` compares them).
pub const TARGETS: &str = "targets";

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
    pub const KMS_ACTIVATION: &str = "kms-activation";
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
/// `srv-discovery`: false when no DNS server gave any answer for any suffix (timeouts,
/// unreachable servers): discovery failed for want of DNS, not for want of a record.
pub const DNS_ANSWERED: &str = "dns_answered";
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
