//! The KMS activation payload (protocol versions 4, 5 and 6): the 236-byte base request, its
//! per-version framing and crypto, the base response and everything a client checks before it
//! believes one, the ePID, and the emulator signs a pre-flight can report.
//!
//! Why it exists: an activation probe must tell "the host activated us" from "something on
//! 1688 sent bytes". That needs the full client-side validation of protocol notes §2.6, typed
//! errors that name the failed check, and a server side for the project's lab test responder.
//!
//! Layout and rules, by protocol notes section: base request §2.1, request framing §2.2, base
//! response §2.3, response framing §2.4, keys and ciphers §2.5, client checks §2.6, HRESULTs
//! §2.7, genuine host vs emulator §2.8, ePID §3, identifiers §4, test vectors §8.
//!
//! Functions come in two layers. The plain names (`encode_request`, `decode_response`,
//! `decode_request`, `encode_response`, `encode_error_response`) speak NDR32 stubs: exactly the
//! bytes that go into a [`crate::rpc_call`] request or response PDU on an NDR32 context. The
//! `_blob` names speak the KMS payload itself (what the NDR byte array carries), for NDR64
//! contexts (marshal with [`crate::rpc_call::Ndr::Ndr64`]) or for crafting lab quirks.
//!
//! Ciphers: v5 is stock AES-128-CBC from the RustCrypto `aes` and `cbc` crates. v4 (Rijndael
//! with a 160-bit key, 11 rounds) and v6 (AES-128 with three round-key bytes changed after key
//! expansion, §2.5.3) cannot be expressed through the `aes` crate's keyed API, which neither
//! takes 20-byte keys nor exposes its schedule. So [`crypto`] builds them from the crate's
//! `hazmat` round primitives (`cipher_round`, `equiv_inv_cipher_round`, `mix_columns`,
//! `inv_mix_columns`): the only code written here is the key expansion (which takes its S-box
//! lookups from `cipher_round` too) and the round sequencing. No S-box or round function is
//! written by hand. The v6 cipher implements the `cipher` block traits, so CBC for it is the
//! `cbc` crate as well.
//!
//! Pure code: no I/O, no panics on any input, every decoder returns a [`KmsError`] that names
//! what failed. Randomness (IVs, the server's Random) is always passed in by the caller.

mod bytes;
pub mod crypto;
mod epid;
mod error;
mod request;
mod response;
mod signs;
#[cfg(test)]
mod tests;
mod time;

use bytes::*;
use crypto::Cipher;
pub use epid::*;
pub use error::*;
pub use request::*;
pub use response::*;
pub use signs::*;
pub use time::*;

use std::fmt;

use sha2::{Digest, Sha256};

use crate::dcerpc::{BindAck, BindRequest, Uuid, NDR64_UUID, PFC_CONC_MPX};
use crate::rpc_call::{self, Ndr, ResponseStub, StubError};

// ---------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------

/// Size of the plaintext base request, identical for all versions (§2.1).
pub const BASE_REQUEST_LEN: usize = 236;
/// A v4 request: base request and its 16-byte MAC (§2.2).
pub const V4_REQUEST_LEN: usize = 252;
/// A v5 or v6 request: version, IV, 240 bytes of ciphertext (§2.2).
pub const V5_V6_REQUEST_LEN: usize = 260;
/// Largest ePID size field, in bytes including the terminating NUL (§2.3).
pub const MAX_EPID_BYTES: usize = 128;
/// Workstation name field: UTF-16 code units, NUL included (§2.1).
pub const WORKSTATION_UNITS: usize = 64;
/// Base response without the ePID bytes (§2.3).
pub const BASE_RESPONSE_FIXED_LEN: usize = 44;

/// V4 MAC key, 160 bits (§2.5.0).
pub const V4_KEY: [u8; 20] = [
    0x05, 0x3D, 0x83, 0x07, 0xF9, 0xE5, 0xF0, 0x88, 0xEB, 0x5E, 0xA6, 0x68, 0x6C, 0xF0, 0x37, 0xC7,
    0xE4, 0xEF, 0xD2, 0xD6,
];
/// V5 AES-128 key (§2.5.0).
pub const V5_KEY: [u8; 16] = [
    0xCD, 0x7E, 0x79, 0x6F, 0x2A, 0xB2, 0x5D, 0xCB, 0x55, 0xFF, 0xC8, 0xEF, 0x83, 0x64, 0xC4, 0x70,
];
/// V6 AES-128 key, used with the tweaked schedule (§2.5.0, §2.5.3).
pub const V6_KEY: [u8; 16] = [
    0xA9, 0x4A, 0x41, 0x95, 0xE2, 0x01, 0x43, 0x2D, 0x9B, 0xCB, 0x46, 0x04, 0x05, 0xD8, 0x4A, 0x21,
];
/// V6 HMAC time-slot constants (§2.5.0, §2.5.4). C1 is ≈ 4.1 h in FILETIME units.
pub const V6_TIME_C1: u64 = 0x0000_0022_8168_89BD;
pub const V6_TIME_C2: u64 = 0x0000_0020_8CBA_B5ED;
pub const V6_TIME_C3: u64 = 0x3156_CD5A_C628_477A;

/// Default VL activation / renewal intervals in minutes (§2.8; kms-facts agrees).
pub const DEFAULT_ACTIVATION_INTERVAL: u32 = 120;
pub const DEFAULT_RENEWAL_INTERVAL: u32 = 10_080;

/// HwIds emulators send by default (§2.8, §7 item 8).
pub const VLMCSD_DEFAULT_HWID: [u8; 8] = [0x3A, 0x1C, 0x04, 0x96, 0x00, 0xB6, 0x00, 0x76];
pub const PY_KMS_DEFAULT_HWID: [u8; 8] = [0x36, 0x4F, 0x46, 0x3A, 0x88, 0x63, 0xD3, 0x5F];
/// py-kms answers every bind with this assoc_group_id (§1.5, §2.8).
pub const PY_KMS_ASSOC_GROUP: u32 = 0x1063_BF3F;

/// HRESULTs of §2.7.
pub const SL_E_VL_KEY_MANAGEMENT_SERVICE_ID_MISMATCH: u32 = 0xC004_F042;
pub const SL_E_VL_INVALID_TIMESTAMP: u32 = 0xC004_F06C;
pub const SL_E_VL_NOT_ENOUGH_COUNT: u32 = 0xC004_F038;
pub const SL_E_VL_BINDING_SERVICE_NOT_ENABLED: u32 = 0xC004_F039;
pub const SL_E_VL_KEY_MANAGEMENT_SERVICE_NOT_ACTIVATED: u32 = 0xC004_F041;
pub const SL_E_VL_BINDING_SERVICE_UNAVAILABLE: u32 = 0xC004_F074;
pub const SL_E_VL_KEY_MANAGEMENT_SERVICE_VM_NOT_SUPPORTED: u32 = 0xC004_F06B;
pub const HRESULT_ERROR_INVALID_DATA: u32 = 0x8007_000D;
pub const SL_REMAPPING_SP_STATUS_INVALIDARG: u32 = 0xC004_D104;

/// Symbol of an HRESULT from §2.7, if known.
pub fn hresult_name(hresult: u32) -> Option<&'static str> {
    Some(match hresult {
        SL_E_VL_KEY_MANAGEMENT_SERVICE_ID_MISMATCH => "SL_E_VL_KEY_MANAGEMENT_SERVICE_ID_MISMATCH",
        SL_E_VL_INVALID_TIMESTAMP => "SL_E_VL_INVALID_TIMESTAMP",
        SL_E_VL_NOT_ENOUGH_COUNT => "SL_E_VL_NOT_ENOUGH_COUNT",
        SL_E_VL_BINDING_SERVICE_NOT_ENABLED => "SL_E_VL_BINDING_SERVICE_NOT_ENABLED",
        SL_E_VL_KEY_MANAGEMENT_SERVICE_NOT_ACTIVATED => {
            "SL_E_VL_KEY_MANAGEMENT_SERVICE_NOT_ACTIVATED"
        }
        SL_E_VL_BINDING_SERVICE_UNAVAILABLE => "SL_E_VL_BINDING_SERVICE_UNAVAILABLE",
        SL_E_VL_KEY_MANAGEMENT_SERVICE_VM_NOT_SUPPORTED => {
            "SL_E_VL_KEY_MANAGEMENT_SERVICE_VM_NOT_SUPPORTED"
        }
        HRESULT_ERROR_INVALID_DATA => "ERROR_INVALID_DATA",
        SL_REMAPPING_SP_STATUS_INVALIDARG => "SL_REMAPPING_SP_STATUS_INVALIDARG",
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// Versions
// ---------------------------------------------------------------------------------------------

/// KMS protocol (major) version. The minor version is always 0 on the wire (§2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProtocolVersion {
    /// Vista / 7 / 2008 (R2) / Office 2010: CBC-MAC with Rijndael-160.
    V4,
    /// Windows 8 / 2012 / Office 2013: AES-128-CBC.
    V5,
    /// Windows 8.1 / 2012 R2 and later: tweaked AES-128-CBC plus HMAC-SHA256.
    V6,
}

impl ProtocolVersion {
    pub const fn major(self) -> u16 {
        match self {
            ProtocolVersion::V4 => 4,
            ProtocolVersion::V5 => 5,
            ProtocolVersion::V6 => 6,
        }
    }

    pub const fn from_major(major: u16) -> Option<ProtocolVersion> {
        match major {
            4 => Some(ProtocolVersion::V4),
            5 => Some(ProtocolVersion::V5),
            6 => Some(ProtocolVersion::V6),
            _ => None,
        }
    }

    /// Size of the KMS request payload of this version (§1.7: N).
    pub const fn request_len(self) -> usize {
        match self {
            ProtocolVersion::V4 => V4_REQUEST_LEN,
            _ => V5_V6_REQUEST_LEN,
        }
    }

    /// Response payload size M implied by the ePID size P (§2.6 last row).
    pub const fn response_len(self, epid_bytes: usize) -> usize {
        match self {
            ProtocolVersion::V4 => 60 + epid_bytes,
            ProtocolVersion::V5 => 20 + pad16(92 + epid_bytes),
            ProtocolVersion::V6 => 4 + pad16(148 + epid_bytes),
        }
    }
}

impl TryFrom<u16> for ProtocolVersion {
    type Error = KmsError;
    fn try_from(major: u16) -> Result<Self, KmsError> {
        ProtocolVersion::from_major(major).ok_or(KmsError::UnsupportedVersion { minor: 0, major })
    }
}

impl fmt::Display for ProtocolVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.0", self.major())
    }
}

/// x rounded up to the next multiple of 16 with at least one pad byte (PKCS#7 length).
pub const fn pad16(x: usize) -> usize {
    x + 16 - x % 16
}
