//! A KMS host ePID looked up in the catalog.

use super::*;

/// The fields of a KMS host ePID, `PPPPP-GGGGG-KKK-KKKKKK-CC-LLLL-BBBBB.0000-DDDYYYY`: the wire
/// crate's parser and type (one ePID grammar in the project), looked up here in the catalog.
pub use kms_preflight_wire::kms::{parse_epid, Epid, EpidError};

/// An ePID with its fields looked up in the catalog.
#[derive(Debug, Clone, Copy)]
pub struct DecodedEpid<'a> {
    /// The raw fields.
    pub epid: Epid,
    /// The CSVLK the group id and key id belong to.
    pub host_key: Option<&'a HostKey>,
    /// The host OS build.
    pub os_build: Option<&'a OsBuild>,
    /// The host language.
    pub language: Option<&'a Language>,
}

impl DecodedEpid<'_> {
    /// `Some(false)` when the platform id contradicts the build (a genuine host never does
    /// that); `None` when the build is not in the table.
    pub fn platform_matches_build(&self) -> Option<bool> {
        self.os_build
            .map(|b| b.platform_id() == self.epid.platform_id)
    }
}
