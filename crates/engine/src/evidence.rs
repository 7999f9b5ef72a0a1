//! Evidence keys and values that more than one layer reads. Producers (check kinds, the
//! sweep) and readers (renderers, diff) name them through these constants, so a renamed key
//! breaks the build instead of a report silently.

/// A probe's result class (`connected`, `refused`, `accepted`, …).
pub const RESULT: &str = "result";
/// The TCP port probed.
pub const PORT: &str = "port";
/// Round-trip time of the handshake, in milliseconds.
pub const RTT_MS: &str = "rtt_ms";

/// The sweep's report: kind, result ids and its evidence keys.
pub mod sweep {
    /// The `kind` of every sweep result.
    pub const KIND: &str = "sweep";
    /// One (address, port): an open port, a published host that did not answer, or with
    /// `--all` a closed or filtered port.
    pub const PORT_ID: &str = "sweep.port";
    /// What was published for a domain (the SRV lookup the comparison is based on).
    pub const PUBLISHED_ID: &str = "sweep.published";
    /// The run itself: ranges, settings and counts.
    pub const SUMMARY_ID: &str = "sweep.summary";

    /// What answered on an open port: `kms`, `rpc-other`, `not-rpc`, `silent`, `reset`
    /// (or, for a port that did not accept, `closed`, `filtered`, `unreachable`).
    pub const SERVICE: &str = "service";
    /// How the address compares with DNS: `published`, `rogue`, `forbidden`, `allowed`,
    /// `not-published`; null when no comparison was made.
    pub const PUBLISHED: &str = "published";
    /// Reverse (PTR) names of the address.
    pub const PTR: &str = "ptr";
    /// Handshake round trip in milliseconds (the shared [`super::RTT_MS`]).
    pub const RTT_MS: &str = super::RTT_MS;
    /// The SRV target (or inventory host) names the address belongs to.
    pub const HOSTS: &str = "hosts";
    /// The finer RPC verdict (`accepted`, `rejected`, `bind-nak`, `not-rpc`, …).
    pub const RPC_RESULT: &str = "rpc_result";
    /// Summary counts, one key per service or port state.
    pub const COUNTS: &str = "counts";
    /// Summary: true when Ctrl-C stopped the sweep before every address was probed.
    pub const INTERRUPTED: &str = "interrupted";

    pub const KMS: &str = "kms";
    pub const RPC_OTHER: &str = "rpc-other";
    pub const NOT_RPC: &str = "not-rpc";
    pub const SILENT: &str = "silent";
    pub const RESET: &str = "reset";
    pub const CLOSED: &str = "closed";
    pub const FILTERED: &str = "filtered";
    pub const UNREACHABLE: &str = "unreachable";
    pub const ERROR: &str = "error";

    pub const IS_PUBLISHED: &str = "published";
    pub const ROGUE: &str = "rogue";
    pub const FORBIDDEN: &str = "forbidden";
    pub const ALLOWED: &str = "allowed";
    pub const NOT_PUBLISHED: &str = "not-published";
}
