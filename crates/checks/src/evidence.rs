//! Transitional: evidence keys of the kinds that still write their evidence key by key, read by
//! the renderers and `diff`. Each kind's typed evidence replaces its keys here.

/// The addresses of a host (`resolve`'s evidence; `diff` compares it).
pub const ADDRESSES: &str = "addresses";
/// A round-trip time in milliseconds.
pub const RTT_MS: &str = "rtt_ms";
/// A clock offset in milliseconds, remote minus local.
pub const OFFSET_MS: &str = "offset_ms";
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

/// Activation probe (results of [`ACTIVATION_KIND`]): the KMS host's current count of
/// distinct clients.
pub const CURRENT_COUNT: &str = activation::CURRENT_COUNT;
/// Activation probe: the count the KMS host needs before it activates clients.
pub const THRESHOLD: &str = activation::THRESHOLD;
/// Activation probe: the product requested, a catalog slug such as `windows-10-enterprise`
/// (a keyword: it becomes a Prometheus label, so no free text).
pub const PRODUCT: &str = activation::PRODUCT;
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

/// Keys of the `kms-activation` kind (the opt-in activation probe, `check --activation-probe`).
pub mod activation {
    /// KMS protocol version sent and answered, `"6.0"`, `"5.0"` or `"4.0"`.
    pub const PROTOCOL: &str = "protocol";
    /// The host's extended PID as it sent it.
    pub const EPID: &str = "epid";
    /// The host's hardware id (v6 only), 16 hex digits in wire byte order.
    pub const HWID: &str = "hwid";
    /// The client machine id this probe sent (the stable one of this machine, or `--cmid`).
    pub const CMID: &str = "cmid";
    /// Where the CMID came from: `--cmid`, or the state file (and whether it was created now).
    pub const CMID_ORIGIN: &str = "cmid_origin";
    /// The workstation name sent (this machine's host name).
    pub const WORKSTATION: &str = "workstation";
    /// The host's current client count for this product's KMS counted id.
    pub const CURRENT_COUNT: &str = "current_count";
    /// The count the product needs (N: 25 Windows client, 5 Windows Server and Office).
    pub const THRESHOLD: &str = "threshold";
    /// Minutes an unactivated client waits before retrying (host setting).
    pub const ACTIVATION_INTERVAL_MIN: &str = "activation_interval_min";
    /// Minutes between renewals of an activated client (host setting).
    pub const RENEWAL_INTERVAL_MIN: &str = "renewal_interval_min";
    /// Host OS build from the ePID.
    pub const HOST_BUILD: &str = "host_build";
    /// Host OS name(s) for that build.
    pub const OS: &str = "os";
    /// Host LCID from the ePID.
    pub const LCID: &str = "lcid";
    /// Language tag of that LCID (BCP 47, e.g. `ja-JP`).
    pub const LANGUAGE: &str = "language";
    /// The host key (CSVLK) the ePID's group and key id identify.
    pub const HOST_KEY: &str = "host_key";
    /// Product groups that host key activates.
    pub const HOST_KEY_ACTIVATES: &str = "host_key_activates";
    /// Date the host key was activated, from the ePID (`YYYY-MM-DD`).
    pub const EPID_ACTIVATION_DATE: &str = "epid_activation_date";
    /// The product requested (catalog slug).
    pub const PRODUCT: &str = "product";
    /// The KMS counted id requested.
    pub const KMS_ID: &str = "kms_id";
    /// HRESULT the host returned instead of a response (`0xC004F042` …).
    pub const HRESULT: &str = "hresult";
    /// Emulator signs seen (list of sentences); empty list when none was seen.
    pub const EMULATOR_SIGNS: &str = "emulator_signs";
    /// Host key(s) that would activate the requested product (on 0xC004F042).
    pub const HOST_KEY_NEEDED: &str = "host_key_needed";
    /// More clients needed before the host activates (on a count below the threshold).
    pub const CLIENTS_NEEDED: &str = "clients_needed";
}
