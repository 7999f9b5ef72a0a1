//! Evidence keys and values that more than one layer reads by name: the checks that write
//! them and the report crate's verdict that reads them share these constants, so a rename
//! cannot silently break the reader. Keys only one kind uses stay literal in that kind.

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

/// `srv`, `srv-weights`: the SRV records of the answer, each
/// `{priority, weight, port, target, ttl}`.
pub const RECORDS: &str = "records";
/// Keys of one record in [`RECORDS`].
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
/// `srv-stale` [`ISSUE`] values: the target no longer resolves / its port no longer answers.
pub const ISSUE_NO_ADDRESS: &str = "no-address";
pub const ISSUE_PORT_DEAD: &str = "port-dead";

/// `clock`: remote clock minus this machine's, in milliseconds (positive: remote ahead).
pub const OFFSET_MS: &str = "offset_ms";

/// The engine's skip of a check whose prerequisite did not pass: the prerequisite's id.
pub const PREREQUISITE: &str = "prerequisite";
