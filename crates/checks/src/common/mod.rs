//! Helpers several kinds share: the addresses and port of a host, SRV records, and the opening
//! of the SRV audits (ask every server, classify each answer). No kind imports another kind.

pub mod address;
pub mod rpc;
pub mod srv;
pub mod srv_audit;
pub mod srv_sanity;

// The messages of every helper above, declared here (one list for the catalog tests).
kms_preflight_engine::messages! {}
