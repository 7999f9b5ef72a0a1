//! Evidence keys shared by the checks that write them and the renderers that read them.
//!
//! Evidence stays an open JSON map (the report schema does not change when a kind adds a key),
//! but keys that more than one crate reads are named here once, so producer and reader cannot
//! drift apart. Additive: a key is never renamed.

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
