//! Evidence keys that more than one layer reads: the producing check kind writes them with
//! these constants and the readers (renderers, diff) look them up through the same ones, so a
//! renamed key breaks the build instead of silently dropping a metric.
//!
//! Additive: a kind may write any other key; only keys read outside their kind belong here.

/// Round-trip time a probe measured (TCP handshake, DNS query), in milliseconds (f64).
pub const RTT_MS: &str = "rtt_ms";

/// Clock offset of the remote clock against the local one (remote − local), in milliseconds
/// (f64). Written by the `clock` kind (clock.kms-host, clock.reference).
pub const OFFSET_MS: &str = "offset_ms";

/// Activation probe (`kms-activation` kind): the KMS host's current count of distinct clients.
pub const CURRENT_COUNT: &str = "current_count";

/// Activation probe: the count the KMS host needs before it activates clients.
pub const THRESHOLD: &str = "threshold";

/// Activation probe: the product family the count belongs to (a short keyword such as
/// `windows-client` or `office`; it becomes a Prometheus label, so no free text).
pub const PRODUCT: &str = "product";

/// The kind whose results carry [`CURRENT_COUNT`], [`THRESHOLD`] and [`PRODUCT`].
pub const ACTIVATION_KIND: &str = "kms-activation";
