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

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// A client-side response check of §2.6 that failed. Each variant names one row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseCheck {
    /// The encrypted part is not a whole number of 16-byte blocks (v5/v6).
    NotBlockAligned { encrypted_len: usize },
    /// PKCS#7 padding invalid: last byte not 1..16 or pad bytes differ (v5/v6).
    PaddingInvalid,
    /// The ePID size field is odd, 0, or above 128 bytes.
    EpidSizeInvalid { size: u32 },
    /// The last UTF-16 unit of the ePID is not NUL.
    EpidNotTerminated,
    /// A NUL inside the ePID before its end (at this UTF-16 unit index).
    EpidContainsNul { at: usize },
    /// The ePID is not valid UTF-16 (unpaired surrogate).
    EpidNotUtf16,
    /// The payload size disagrees with the size implied by the ePID size.
    SizeMismatch {
        what: &'static str,
        expected: usize,
        got: usize,
    },
    /// Outer (clear) version, inner version and request version differ. Pairs are
    /// (minor, major); `outer` is `None` for v4, which has no outer version.
    VersionMismatch {
        request: (u16, u16),
        outer: Option<(u16, u16)>,
        inner: (u16, u16),
    },
    /// The echoed client machine id is not the one we sent.
    CmidMismatch { expected: Uuid, got: Uuid },
    /// The echoed ClientTime is not the one we sent.
    ClientTimeMismatch { expected: u64, got: u64 },
    /// v4: the CBC-MAC over the base response does not match.
    MacMismatch,
    /// v5/v6: SHA-256(RandomXor ⊕ DIV) differs from Hash.
    HashMismatch,
    /// v5: the response IV is not the request IV.
    ResponseIvMismatch,
    /// v6: XoredIVs differs from DIV (the decrypted request IV).
    XoredIvsMismatch,
    /// v6: the truncated HMAC-SHA256 matches for none of the time-slot offsets −1, 0, +1.
    HmacMismatch,
    /// v6: the response IV equals the request IV — v5 behaviour in a v6 answer, which §2.6
    /// lists as a check and §2.8 as an emulator sign (see [`EmulatorSign::from_check`]).
    ResponseIvReused,
}

impl fmt::Display for ResponseCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResponseCheck::NotBlockAligned { encrypted_len } => write!(
                f,
                "encrypted part is {encrypted_len} bytes, not a whole number of 16-byte blocks"
            ),
            ResponseCheck::PaddingInvalid => f.write_str("PKCS#7 padding is invalid"),
            ResponseCheck::EpidSizeInvalid { size } => write!(
                f,
                "ePID size {size} is invalid (must be even, 2..={MAX_EPID_BYTES})"
            ),
            ResponseCheck::EpidNotTerminated => f.write_str("ePID is not NUL-terminated"),
            ResponseCheck::EpidContainsNul { at } => {
                write!(f, "ePID contains a NUL at character {at}")
            }
            ResponseCheck::EpidNotUtf16 => f.write_str("ePID is not valid UTF-16"),
            ResponseCheck::SizeMismatch {
                what,
                expected,
                got,
            } => write!(f, "{what} is {got} bytes; the ePID size implies {expected}"),
            ResponseCheck::VersionMismatch {
                request,
                outer,
                inner,
            } => {
                write!(f, "version mismatch: request {}.{}", request.1, request.0)?;
                if let Some(o) = outer {
                    write!(f, ", response outer {}.{}", o.1, o.0)?;
                }
                write!(f, ", response inner {}.{}", inner.1, inner.0)
            }
            ResponseCheck::CmidMismatch { expected, got } => write!(
                f,
                "echoed client machine id {got} is not the one sent ({expected})"
            ),
            ResponseCheck::ClientTimeMismatch { expected, got } => write!(
                f,
                "echoed client time 0x{got:016x} is not the one sent (0x{expected:016x})"
            ),
            ResponseCheck::MacMismatch => f.write_str("v4 MAC over the response does not match"),
            ResponseCheck::HashMismatch => {
                f.write_str("SHA-256 of the decrypted Random does not match Hash")
            }
            ResponseCheck::ResponseIvMismatch => {
                f.write_str("v5 response IV is not the request IV")
            }
            ResponseCheck::XoredIvsMismatch => {
                f.write_str("v6 XoredIVs is not the decrypted request IV")
            }
            ResponseCheck::HmacMismatch => {
                f.write_str("v6 HMAC does not match for time slots -1, 0 or +1")
            }
            ResponseCheck::ResponseIvReused => {
                f.write_str("v6 response reuses the request IV (v5 behaviour)")
            }
        }
    }
}

/// A server-side request check that failed (the lab responder answers these with
/// 0x8007000D, as vlmcsd does for malformed payloads, §1.10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestCheck {
    /// The payload is not the size its version requires (252 for v4, 260 for v5/v6).
    SizeMismatch { expected: usize, got: usize },
    /// v4: the CBC-MAC over the base request does not match.
    MacMismatch,
    /// v5/v6: the decrypted request does not end in valid PKCS#7 padding `04 04 04 04`.
    PaddingInvalid,
    /// v5/v6: the clear version differs from the encrypted one. Pairs are (minor, major).
    VersionMismatch {
        outer: (u16, u16),
        inner: (u16, u16),
    },
}

impl fmt::Display for RequestCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestCheck::SizeMismatch { expected, got } => write!(
                f,
                "request payload is {got} bytes; its version requires {expected}"
            ),
            RequestCheck::MacMismatch => f.write_str("v4 MAC over the request does not match"),
            RequestCheck::PaddingInvalid => {
                f.write_str("decrypted request padding is not 04 04 04 04")
            }
            RequestCheck::VersionMismatch { outer, inner } => write!(
                f,
                "request clear version {}.{} differs from encrypted version {}.{}",
                outer.1, outer.0, inner.1, inner.0
            ),
        }
    }
}

/// Why KMS bytes could not be encoded or decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KmsError {
    /// The NDR stub around the payload is malformed.
    Stub(StubError),
    /// The payload ends before `what` (at payload offset `offset`, `needed` bytes).
    Truncated {
        what: &'static str,
        offset: usize,
        needed: usize,
        available: usize,
    },
    /// Major version outside 4–6 or minor ≠ 0.
    UnsupportedVersion { minor: u16, major: u16 },
    /// `decode_response` was called with a version other than the request context's.
    ContextVersionMismatch {
        called: ProtocolVersion,
        context: ProtocolVersion,
    },
    /// A request failed a server-side check.
    Request(RequestCheck),
    /// A response failed a client-side check of §2.6.
    Response(ResponseCheck),
    /// Encoding: the ePID needs more than 63 UTF-16 units (the size field allows 128 bytes).
    EpidTooLong { units: usize },
    /// Encoding: the ePID contains a NUL, which a client would reject.
    EpidContainsNul,
}

impl KmsError {
    /// The HRESULT a responder should answer a request that failed to decode with: vlmcsd
    /// sends ERROR_INVALID_DATA for malformed payloads (§1.10).
    pub fn responder_hresult(&self) -> u32 {
        HRESULT_ERROR_INVALID_DATA
    }

    /// The failed response check, if this is one.
    pub fn response_check(&self) -> Option<&ResponseCheck> {
        match self {
            KmsError::Response(c) => Some(c),
            _ => None,
        }
    }
}

impl fmt::Display for KmsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KmsError::Stub(e) => e.fmt(f),
            KmsError::Truncated {
                what,
                offset,
                needed,
                available,
            } => write!(
                f,
                "KMS payload truncated: {what} at offset {offset} needs {needed} bytes, payload \
                 has {available}"
            ),
            KmsError::UnsupportedVersion { minor, major } => write!(
                f,
                "unsupported KMS protocol version {major}.{minor} (expected 4.0, 5.0 or 6.0)"
            ),
            KmsError::ContextVersionMismatch { called, context } => write!(
                f,
                "asked to decode a v{called} response for a v{context} request"
            ),
            KmsError::Request(c) => write!(f, "KMS request check failed: {c}"),
            KmsError::Response(c) => write!(f, "KMS response check failed: {c}"),
            KmsError::EpidTooLong { units } => write!(
                f,
                "ePID of {units} UTF-16 units is too long (at most {})",
                MAX_EPID_BYTES / 2 - 1
            ),
            KmsError::EpidContainsNul => f.write_str("ePID contains a NUL character"),
        }
    }
}

impl std::error::Error for KmsError {}

impl From<StubError> for KmsError {
    fn from(e: StubError) -> Self {
        KmsError::Stub(e)
    }
}

impl From<ResponseCheck> for KmsError {
    fn from(c: ResponseCheck) -> Self {
        KmsError::Response(c)
    }
}

impl From<RequestCheck> for KmsError {
    fn from(c: RequestCheck) -> Self {
        KmsError::Request(c)
    }
}

// ---------------------------------------------------------------------------------------------
// Byte helpers
// ---------------------------------------------------------------------------------------------

/// Bounds-checked little-endian reader over a payload.
struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(b: &'a [u8]) -> Self {
        Reader { b, pos: 0 }
    }

    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], KmsError> {
        let err = KmsError::Truncated {
            what,
            offset: self.pos,
            needed: n,
            available: self.b.len(),
        };
        let end = self.pos.checked_add(n).ok_or(err.clone())?;
        let s = self.b.get(self.pos..end).ok_or(err)?;
        self.pos = end;
        Ok(s)
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], KmsError> {
        let s = self.take(N, what)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s); // `take` returned exactly N bytes
        Ok(a)
    }

    fn u16(&mut self, what: &'static str) -> Result<u16, KmsError> {
        self.array(what).map(u16::from_le_bytes)
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, KmsError> {
        self.array(what).map(u32::from_le_bytes)
    }

    fn u64(&mut self, what: &'static str) -> Result<u64, KmsError> {
        self.array(what).map(u64::from_le_bytes)
    }

    fn uuid(&mut self, what: &'static str) -> Result<Uuid, KmsError> {
        self.array(what).map(Uuid::from_wire)
    }
}

fn block_at(b: &[u8], at: usize) -> [u8; 16] {
    let mut out = [0u8; 16];
    if let Some(s) = b.get(at..at + 16) {
        out.copy_from_slice(s);
    }
    out
}

fn xor16(a: &[u8; 16], b: &[u8; 16]) -> [u8; 16] {
    let mut out = [0u8; 16];
    for (o, (x, y)) in out.iter_mut().zip(a.iter().zip(b)) {
        *o = x ^ y;
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Crypto
// ---------------------------------------------------------------------------------------------

/// The three KMS ciphers and MACs (protocol notes §2.5), built on RustCrypto crates. Public so
/// the lab responder and the fuzz target can craft payloads; ordinary callers use the
/// encode/decode functions of the parent module.
pub mod crypto {
    use aes::hazmat::{cipher_round, equiv_inv_cipher_round, inv_mix_columns, mix_columns};
    use aes::Aes128;
    use cipher::consts::{U1, U16};
    use cipher::{
        Array, Block, BlockCipherDecBackend, BlockCipherDecClosure, BlockCipherDecrypt,
        BlockCipherEncBackend, BlockCipherEncClosure, BlockCipherEncrypt, BlockModeDecrypt,
        BlockModeEncrypt, BlockSizeUser, InOut, InnerIvInit, KeyInit, ParBlocksSizeUser,
    };
    use hmac::{Hmac, Mac};
    use sha2::{Digest, Sha256};

    use super::{V4_KEY, V5_KEY, V6_KEY, V6_TIME_C1, V6_TIME_C2, V6_TIME_C3};

    /// Most round keys we hold: Rijndael-160 has 11 rounds → 12 round keys.
    const MAX_ROUND_KEYS: usize = 12;

    /// Expanded round keys for a Rijndael cipher with a 128-bit block, applied through the
    /// `aes` crate's hazmat round functions (valid for any Nk because the round function of
    /// Rijndael with a 128-bit block does not depend on the key size).
    #[derive(Clone)]
    struct RoundKeys {
        enc: [[u8; 16]; MAX_ROUND_KEYS],
        /// Round keys for the equivalent inverse cipher (InvMixColumns of rounds 1..Nr-1).
        dec: [[u8; 16]; MAX_ROUND_KEYS],
        rounds: usize,
    }

    /// SubWord through the crate: one `cipher_round` with a zero key is
    /// MixColumns(ShiftRows(SubBytes(s))); undoing MixColumns leaves ShiftRows(SubBytes(s)),
    /// and row 0 (bytes 0, 4, 8, 12) is not shifted.
    fn sub_word(w: [u8; 4]) -> [u8; 4] {
        let mut b = aes::Block::default();
        for (i, &x) in w.iter().enumerate() {
            b[4 * i] = x;
        }
        cipher_round(&mut b, &aes::Block::default());
        inv_mix_columns(&mut b);
        [b[0], b[4], b[8], b[12]]
    }

    impl RoundKeys {
        /// FIPS 197 key expansion for Nk = key.len()/4 words and `rounds` rounds; Rcon is
        /// needed up to index 9 (AES-128: words 4..44, Rijndael-160: words 5..48).
        fn expand(key: &[u8], rounds: usize) -> RoundKeys {
            const RCON: [u8; 10] = [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1b, 0x36];
            let nk = key.len() / 4;
            let total = 4 * (rounds + 1);
            let mut w = [[0u8; 4]; 4 * MAX_ROUND_KEYS];
            for (word, chunk) in w.iter_mut().zip(key.chunks_exact(4)) {
                word.copy_from_slice(chunk);
            }
            for i in nk..total.min(w.len()) {
                let mut t = w[i - 1];
                if i % nk == 0 {
                    t = sub_word([t[1], t[2], t[3], t[0]]);
                    t[0] ^= RCON.get(i / nk - 1).copied().unwrap_or(0);
                }
                let p = w[i - nk];
                w[i] = [p[0] ^ t[0], p[1] ^ t[1], p[2] ^ t[2], p[3] ^ t[3]];
            }
            let mut enc = [[0u8; 16]; MAX_ROUND_KEYS];
            for (rk, words) in enc.iter_mut().zip(w.chunks_exact(4)) {
                for (j, word) in words.iter().enumerate() {
                    rk[4 * j..4 * j + 4].copy_from_slice(word);
                }
            }
            let mut keys = RoundKeys {
                enc,
                dec: [[0u8; 16]; MAX_ROUND_KEYS],
                rounds: rounds.min(MAX_ROUND_KEYS - 1),
            };
            keys.derive_decryption_keys();
            keys
        }

        fn derive_decryption_keys(&mut self) {
            self.dec = self.enc;
            for rk in self.dec.iter_mut().take(self.rounds).skip(1) {
                let mut b = aes::Block::from(*rk);
                inv_mix_columns(&mut b);
                *rk = b.into();
            }
        }

        fn encrypt(&self, block: &mut [u8; 16]) {
            let mut s = aes::Block::from(*block);
            xor_into(&mut s, &self.enc[0]);
            for rk in self.enc.iter().take(self.rounds).skip(1) {
                cipher_round(&mut s, &aes::Block::from(*rk));
            }
            // Last round has no MixColumns: do a full round with a zero key, undo MixColumns.
            cipher_round(&mut s, &aes::Block::default());
            inv_mix_columns(&mut s);
            xor_into(&mut s, &self.enc[self.rounds]);
            *block = s.into();
        }

        fn decrypt(&self, block: &mut [u8; 16]) {
            let mut s = aes::Block::from(*block);
            xor_into(&mut s, &self.dec[self.rounds]);
            for rk in self.dec.iter().take(self.rounds).skip(1).rev() {
                equiv_inv_cipher_round(&mut s, &aes::Block::from(*rk));
            }
            // Last inverse round has no InvMixColumns: zero-key round, then redo MixColumns.
            equiv_inv_cipher_round(&mut s, &aes::Block::default());
            mix_columns(&mut s);
            xor_into(&mut s, &self.dec[0]);
            *block = s.into();
        }
    }

    fn xor_into(s: &mut aes::Block, k: &[u8; 16]) {
        for (x, y) in s.iter_mut().zip(k) {
            *x ^= y;
        }
    }

    /// The V6 "modified AES" (§2.5.3): AES-128 with the V6 key whose expanded schedule has
    /// byte 0 of round keys 4, 6 and 8 XORed with 0x73, 0x09 and 0xE4. Implements the
    /// `cipher` block traits so the `cbc` crate can drive it.
    #[derive(Clone)]
    pub struct V6Aes {
        keys: RoundKeys,
    }

    impl V6Aes {
        /// The cipher with the tweaked schedule.
        pub fn new() -> V6Aes {
            Self::with_tweak(true)
        }

        /// `tweak = false` gives stock AES-128 with the V6 key (only for checking the §8
        /// vector that tells the two apart).
        pub fn with_tweak(tweak: bool) -> V6Aes {
            let mut keys = RoundKeys::expand(&V6_KEY, 10);
            if tweak {
                keys.enc[4][0] ^= 0x73;
                keys.enc[6][0] ^= 0x09;
                keys.enc[8][0] ^= 0xE4;
                keys.derive_decryption_keys();
            }
            V6Aes { keys }
        }
    }

    impl Default for V6Aes {
        fn default() -> Self {
            Self::new()
        }
    }

    impl BlockSizeUser for V6Aes {
        type BlockSize = U16;
    }

    impl ParBlocksSizeUser for V6Aes {
        type ParBlocksSize = U1;
    }

    impl BlockCipherEncBackend for V6Aes {
        fn encrypt_block(&self, mut block: InOut<'_, '_, Block<Self>>) {
            let mut b: [u8; 16] = block.clone_in().into();
            self.keys.encrypt(&mut b);
            *block.get_out() = Array::from(b);
        }
    }

    impl BlockCipherDecBackend for V6Aes {
        fn decrypt_block(&self, mut block: InOut<'_, '_, Block<Self>>) {
            let mut b: [u8; 16] = block.clone_in().into();
            self.keys.decrypt(&mut b);
            *block.get_out() = Array::from(b);
        }
    }

    impl BlockCipherEncrypt for V6Aes {
        fn encrypt_with_backend(&self, f: impl BlockCipherEncClosure<BlockSize = U16>) {
            f.call(self)
        }
    }

    impl BlockCipherDecrypt for V6Aes {
        fn decrypt_with_backend(&self, f: impl BlockCipherDecClosure<BlockSize = U16>) {
            f.call(self)
        }
    }

    /// Which block cipher a v5 or v6 payload uses.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Cipher {
        /// Stock AES-128, V5 key.
        V5,
        /// Tweaked AES-128, V6 key.
        V6,
    }

    /// One raw block encryption.
    pub fn encrypt_block(cipher: Cipher, block: [u8; 16]) -> [u8; 16] {
        let mut b = Array::from(block);
        match cipher {
            Cipher::V5 => Aes128::new(&V5_KEY.into()).encrypt_block(&mut b),
            Cipher::V6 => BlockCipherEncrypt::encrypt_block(&V6Aes::new(), &mut b),
        }
        b.into()
    }

    /// One raw block decryption: e.g. DIV = decrypt_block(IV) (§2.2).
    pub fn decrypt_block(cipher: Cipher, block: [u8; 16]) -> [u8; 16] {
        let mut b = Array::from(block);
        match cipher {
            Cipher::V5 => Aes128::new(&V5_KEY.into()).decrypt_block(&mut b),
            Cipher::V6 => BlockCipherDecrypt::decrypt_block(&V6Aes::new(), &mut b),
        }
        b.into()
    }

    fn cbc_enc<C: BlockCipherEncrypt<BlockSize = U16>>(c: C, iv: &[u8; 16], data: &mut [u8]) {
        let mut mode = cbc::Encryptor::<C>::inner_iv_init(c, &Array::from(*iv));
        for chunk in data.chunks_exact_mut(16) {
            let mut b = Array::<u8, U16>::default();
            b.copy_from_slice(chunk);
            mode.encrypt_block(&mut b);
            chunk.copy_from_slice(&b);
        }
    }

    fn cbc_dec<C: BlockCipherDecrypt<BlockSize = U16>>(c: C, iv: &[u8; 16], data: &mut [u8]) {
        let mut mode = cbc::Decryptor::<C>::inner_iv_init(c, &Array::from(*iv));
        for chunk in data.chunks_exact_mut(16) {
            let mut b = Array::<u8, U16>::default();
            b.copy_from_slice(chunk);
            mode.decrypt_block(&mut b);
            chunk.copy_from_slice(&b);
        }
    }

    /// CBC-encrypt whole blocks in place (a trailing partial block is left untouched; callers
    /// pad first). Padding is the caller's, so errors can name the check that failed.
    pub fn cbc_encrypt(cipher: Cipher, iv: &[u8; 16], data: &mut [u8]) {
        match cipher {
            Cipher::V5 => cbc_enc(Aes128::new(&V5_KEY.into()), iv, data),
            Cipher::V6 => cbc_enc(V6Aes::new(), iv, data),
        }
    }

    /// CBC-decrypt whole blocks in place (a trailing partial block is left untouched).
    pub fn cbc_decrypt(cipher: Cipher, iv: &[u8; 16], data: &mut [u8]) {
        match cipher {
            Cipher::V5 => cbc_dec(Aes128::new(&V5_KEY.into()), iv, data),
            Cipher::V6 => cbc_dec(V6Aes::new(), iv, data),
        }
    }

    /// Append PKCS#7 padding (1..=16 bytes, always at least one).
    pub fn pkcs7_pad(data: &mut Vec<u8>) {
        let n = 16 - data.len() % 16;
        data.resize(data.len() + n, n as u8);
    }

    /// Length of `data` without its PKCS#7 padding, or `None` if the padding is invalid
    /// (last byte not 1..=16, pad bytes not all equal, or data shorter than the pad).
    pub fn pkcs7_unpadded_len(data: &[u8]) -> Option<usize> {
        let &n = data.last()?;
        let n = usize::from(n);
        if !(1..=16).contains(&n) || n > data.len() {
            return None;
        }
        let start = data.len() - n;
        data.get(start..)?
            .iter()
            .all(|&b| usize::from(b) == n)
            .then_some(start)
    }

    /// One Rijndael-128/160 block encryption with the V4 key (§2.5.1, §8 vector).
    pub fn v4_encrypt_block(block: [u8; 16]) -> [u8; 16] {
        let mut b = block;
        RoundKeys::expand(&V4_KEY, 11).encrypt(&mut b);
        b
    }

    /// The V4 MAC (§2.5.1): Rijndael with the 160-bit V4 key (Nk 5, 11 rounds, 12 round
    /// keys), CBC with a zero IV over the message padded with `80 00…` (always at least one
    /// byte, so whole-block messages get a full extra block); the last block is the MAC.
    pub fn v4_mac(msg: &[u8]) -> [u8; 16] {
        let keys = RoundKeys::expand(&V4_KEY, 11);
        let mut state = [0u8; 16];
        let mut absorb = |block: &[u8]| {
            for (s, b) in state.iter_mut().zip(block) {
                *s ^= b;
            }
            keys.encrypt(&mut state);
        };
        let mut chunks = msg.chunks_exact(16);
        for c in chunks.by_ref() {
            absorb(c);
        }
        let rest = chunks.remainder();
        let mut last = [0u8; 16];
        last[..rest.len()].copy_from_slice(rest);
        last[rest.len()] = 0x80; // rest.len() < 16
        absorb(&last);
        state
    }

    /// The V6 HMAC key for a FILETIME and a time-slot offset (§2.5.4):
    /// slot = (T / C1) · C2 + C3 + offset · C1 (wrapping), K = bytes 16..32 of
    /// SHA-256(slot as 8 LE bytes).
    pub fn v6_hmac_key(filetime: u64, offset: i64) -> [u8; 16] {
        let slot = (filetime / V6_TIME_C1)
            .wrapping_mul(V6_TIME_C2)
            .wrapping_add(V6_TIME_C3)
            .wrapping_add((offset as u64).wrapping_mul(V6_TIME_C1));
        let digest = Sha256::digest(slot.to_le_bytes());
        let mut k = [0u8; 16];
        k.copy_from_slice(&digest[16..32]);
        k
    }

    /// The truncated V6 HMAC: bytes 16..32 of HMAC-SHA256(key, msg).
    pub fn v6_hmac(key: &[u8; 16], msg: &[u8]) -> [u8; 16] {
        let mut out = [0u8; 16];
        // HMAC accepts keys of any length; the Err arm cannot happen.
        if let Ok(mut mac) = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(key) {
            mac.update(msg);
            out.copy_from_slice(&mac.finalize().into_bytes()[16..32]);
        }
        out
    }

    /// Verify a truncated V6 HMAC with the crate's constant-time comparison of the right-most
    /// 16 bytes; tries time-slot offsets 0, −1, +1 and returns the one that matched.
    pub fn v6_hmac_verify(filetime: u64, msg: &[u8], tag: &[u8; 16]) -> Option<i8> {
        [0i8, -1, 1].into_iter().find(|&off| {
            let key = v6_hmac_key(filetime, i64::from(off));
            match <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(&key) {
                Ok(mut mac) => {
                    mac.update(msg);
                    mac.verify_truncated_right(tag).is_ok()
                }
                Err(_) => false,
            }
        })
    }
}

use crypto::Cipher;

// ---------------------------------------------------------------------------------------------
// FILETIME
// ---------------------------------------------------------------------------------------------

/// Seconds between 1601-01-01 and 1970-01-01.
const FILETIME_UNIX_OFFSET_SECS: i64 = 11_644_473_600;

/// FILETIME (100 ns since 1601-01-01 UTC) to Unix seconds (floor).
pub fn filetime_to_unix(ft: u64) -> i64 {
    (ft / 10_000_000) as i64 - FILETIME_UNIX_OFFSET_SECS
}

/// Unix seconds to FILETIME; saturates outside the FILETIME range.
pub fn unix_to_filetime(secs: i64) -> u64 {
    let s = secs.saturating_add(FILETIME_UNIX_OFFSET_SECS).max(0) as u64;
    s.saturating_mul(10_000_000)
}

/// Civil date (year, month, day) of a day count since 1970-01-01 (proleptic Gregorian).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// `YYYY-MM-DD HH:MM:SS` (UTC) of a FILETIME, as the captured vectors print it.
pub fn format_filetime(ft: u64) -> String {
    let secs = filetime_to_unix(ft);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// (year, 1-based day of year) of a FILETIME.
pub fn filetime_year_day(ft: u64) -> (i64, u32) {
    let days = filetime_to_unix(ft).div_euclid(86_400);
    let (y, _, _) = civil_from_days(days);
    // Days since 1970 of Jan 1 of year y: count back from the date.
    let mut jan1 = days;
    while civil_from_days(jan1 - 1).0 == y {
        // At most 365 steps; only used for sign checks.
        jan1 -= 1;
    }
    (y, (days - jan1 + 1) as u32)
}

// ---------------------------------------------------------------------------------------------
// Base request
// ---------------------------------------------------------------------------------------------

/// The 236-byte plaintext base request (§2.1), the same in every protocol version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseRequest {
    /// Always 0 on the wire.
    pub minor_version: u16,
    /// 4, 5 or 6; repeats the framing version.
    pub major_version: u16,
    /// VMInfo: 0 physical, 1 the client is a VM. Kept raw so any value round-trips.
    pub is_client_vm: u32,
    /// 0 unlicensed, 1 licensed, 2 OOB grace, 3 OOT grace, 4 non-genuine grace,
    /// 5 notification, 6 extended grace (see [`license_status_name`]).
    pub license_status: u32,
    /// Minutes left in the current licensing state (binding expiration / remaining grace).
    pub binding_expiration: u32,
    /// Application id (Windows / Office 2010 / Office 2013+), §4.1.
    pub application_id: Uuid,
    /// SKU (activation) id of the exact edition, §4.3.
    pub sku_id: Uuid,
    /// KMS counted id: the product group the host grants or refuses, §4.2.
    pub kms_counted_id: Uuid,
    /// Client machine id (CMID); the host counts distinct ones.
    pub cmid: Uuid,
    /// The client's N: 25 for Windows client editions, 5 for servers and Office.
    pub required_client_count: u32,
    /// Client UTC time as FILETIME; the host echoes it.
    pub client_time: u64,
    /// All zero unless the CMID changed.
    pub previous_cmid: Uuid,
    /// Workstation name; at most 63 UTF-16 units go on the wire (longer names are cut at a
    /// character boundary). Decoding stops at the first NUL and replaces invalid UTF-16.
    pub workstation_name: String,
}

impl BaseRequest {
    /// A request as vlmcs/Windows fill it in: minor 0, physical machine, OOB grace (2),
    /// 43200 minutes left, no previous CMID.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        version: ProtocolVersion,
        application_id: Uuid,
        sku_id: Uuid,
        kms_counted_id: Uuid,
        cmid: Uuid,
        required_client_count: u32,
        client_time: u64,
        workstation_name: &str,
    ) -> BaseRequest {
        BaseRequest {
            minor_version: 0,
            major_version: version.major(),
            is_client_vm: 0,
            license_status: 2,
            binding_expiration: 43_200,
            application_id,
            sku_id,
            kms_counted_id,
            cmid,
            required_client_count,
            client_time,
            previous_cmid: Uuid::NIL,
            workstation_name: workstation_name.to_string(),
        }
    }

    /// The 236 plaintext bytes.
    pub fn encode(&self) -> [u8; BASE_REQUEST_LEN] {
        let mut out = [0u8; BASE_REQUEST_LEN];
        let mut w = Writer {
            out: &mut out,
            pos: 0,
        };
        w.put(&self.minor_version.to_le_bytes());
        w.put(&self.major_version.to_le_bytes());
        w.put(&self.is_client_vm.to_le_bytes());
        w.put(&self.license_status.to_le_bytes());
        w.put(&self.binding_expiration.to_le_bytes());
        w.put(&self.application_id.to_wire());
        w.put(&self.sku_id.to_wire());
        w.put(&self.kms_counted_id.to_wire());
        w.put(&self.cmid.to_wire());
        w.put(&self.required_client_count.to_le_bytes());
        w.put(&self.client_time.to_le_bytes());
        w.put(&self.previous_cmid.to_wire());
        for unit in workstation_units(&self.workstation_name) {
            w.put(&unit.to_le_bytes());
        }
        // The rest of the name field stays zero: NUL terminator and zero fill.
        out
    }

    /// Decode the 236 plaintext bytes (longer input: the first 236 bytes are used).
    pub fn decode(bytes: &[u8]) -> Result<BaseRequest, KmsError> {
        let mut r = Reader::new(bytes);
        let minor_version = r.u16("request minor version")?;
        let major_version = r.u16("request major version")?;
        let is_client_vm = r.u32("VMInfo")?;
        let license_status = r.u32("license status")?;
        let binding_expiration = r.u32("binding expiration")?;
        let application_id = r.uuid("application id")?;
        let sku_id = r.uuid("SKU id")?;
        let kms_counted_id = r.uuid("KMS counted id")?;
        let cmid = r.uuid("client machine id")?;
        let required_client_count = r.u32("required client count")?;
        let client_time = r.u64("client time")?;
        let previous_cmid = r.uuid("previous client machine id")?;
        let name = r.take(2 * WORKSTATION_UNITS, "workstation name")?;
        let units: Vec<u16> = name
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .take_while(|&u| u != 0)
            .collect();
        Ok(BaseRequest {
            minor_version,
            major_version,
            is_client_vm,
            license_status,
            binding_expiration,
            application_id,
            sku_id,
            kms_counted_id,
            cmid,
            required_client_count,
            client_time,
            previous_cmid,
            workstation_name: String::from_utf16_lossy(&units),
        })
    }
}

struct Writer<'a> {
    out: &'a mut [u8],
    pos: usize,
}

impl Writer<'_> {
    fn put(&mut self, b: &[u8]) {
        if let Some(dst) = self.out.get_mut(self.pos..self.pos + b.len()) {
            dst.copy_from_slice(b);
        }
        self.pos += b.len();
    }
}

/// The name as at most 63 UTF-16 units, cut before a character that would not fit (a
/// surrogate pair is never split), leaving room for the NUL.
fn workstation_units(name: &str) -> Vec<u16> {
    let mut units = Vec::with_capacity(WORKSTATION_UNITS);
    let mut buf = [0u16; 2];
    for ch in name.chars() {
        let enc = ch.encode_utf16(&mut buf);
        if units.len() + enc.len() > WORKSTATION_UNITS - 1 {
            break;
        }
        if enc.contains(&0) {
            break; // an embedded NUL would end the name on the wire anyway
        }
        units.extend_from_slice(enc);
    }
    units
}

/// Name of a LicenseStatus value (§2.1).
pub fn license_status_name(status: u32) -> &'static str {
    match status {
        0 => "unlicensed",
        1 => "licensed",
        2 => "OOB grace",
        3 => "OOT grace",
        4 => "non-genuine grace",
        5 => "notification",
        6 => "extended grace",
        _ => "unknown",
    }
}

// ---------------------------------------------------------------------------------------------
// Request framing
// ---------------------------------------------------------------------------------------------

/// What both ends must remember about a request to build or validate its response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestContext {
    pub version: ProtocolVersion,
    /// The base request's minor version (0 in practice), for the version echo check.
    pub minor_version: u16,
    /// v5/v6: the request IV sent in clear. All zero for v4.
    pub iv: [u8; 16],
    /// v5/v6: DIV = block-decrypt(IV), reused in the response (§2.2). All zero for v4.
    pub div: [u8; 16],
    /// CMID the response must echo.
    pub cmid: Uuid,
    /// ClientTime the response must echo; also the v6 HMAC key input.
    pub client_time: u64,
    /// The request's N (the host caps the count at 2·N).
    pub required_client_count: u32,
}

fn cipher_for(version: ProtocolVersion) -> Cipher {
    match version {
        ProtocolVersion::V6 => Cipher::V6,
        _ => Cipher::V5,
    }
}

/// Client: build the KMS request payload of §2.2 (v4: base ‖ MAC; v5/v6: version ‖ IV ‖
/// CBC(base ‖ `04 04 04 04`)). `iv` is the caller's 16 random bytes (ignored for v4). The
/// outer version is `version`; the base request is encoded as given, so a lab client can
/// send mismatches on purpose ([`BaseRequest::new`] keeps them consistent).
pub fn encode_request_blob(
    version: ProtocolVersion,
    request: &BaseRequest,
    iv: [u8; 16],
) -> (Vec<u8>, RequestContext) {
    let base = request.encode();
    let mut ctx = RequestContext {
        version,
        minor_version: request.minor_version,
        iv: [0; 16],
        div: [0; 16],
        cmid: request.cmid,
        client_time: request.client_time,
        required_client_count: request.required_client_count,
    };
    let mut out = Vec::with_capacity(version.request_len());
    match version {
        ProtocolVersion::V4 => {
            out.extend_from_slice(&base);
            out.extend_from_slice(&crypto::v4_mac(&base));
        }
        ProtocolVersion::V5 | ProtocolVersion::V6 => {
            let cipher = cipher_for(version);
            let mut body = base.to_vec();
            crypto::pkcs7_pad(&mut body); // 236 → 240: four bytes of 04
            crypto::cbc_encrypt(cipher, &iv, &mut body);
            out.extend_from_slice(&request.minor_version.to_le_bytes());
            out.extend_from_slice(&version.major().to_le_bytes());
            out.extend_from_slice(&iv);
            out.extend_from_slice(&body);
            ctx.iv = iv;
            ctx.div = crypto::decrypt_block(cipher, iv);
        }
    }
    (out, ctx)
}

/// Client: [`encode_request_blob`] marshalled as the NDR32 `[in]` stub of `RequestActivation`
/// (260 bytes for v4, 268 for v5/v6), ready for [`rpc_call::RequestPdu::request_activation`].
pub fn encode_request(
    version: ProtocolVersion,
    request: &BaseRequest,
    iv: [u8; 16],
) -> (Vec<u8>, RequestContext) {
    let (blob, ctx) = encode_request_blob(version, request, iv);
    (rpc_call::encode_request_stub(Ndr::Ndr32, &blob), ctx)
}

/// A request as the server side sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedRequest {
    pub version: ProtocolVersion,
    pub request: BaseRequest,
    pub context: RequestContext,
}

/// Server: decode and check a KMS request payload: version 4–6 with minor 0, exact size,
/// v4 MAC, v5/v6 padding and clear-vs-encrypted version. v5/v6 are decrypted as one CBC
/// stream with a zero IV, whose first block is DIV (§2.2).
pub fn decode_request_blob(blob: &[u8]) -> Result<DecodedRequest, KmsError> {
    let mut r = Reader::new(blob);
    let minor = r.u16("request minor version")?;
    let major = r.u16("request major version")?;
    let version = match ProtocolVersion::from_major(major) {
        Some(v) if minor == 0 => v,
        _ => return Err(KmsError::UnsupportedVersion { minor, major }),
    };
    let expected = version.request_len();
    if blob.len() != expected {
        return Err(RequestCheck::SizeMismatch {
            expected,
            got: blob.len(),
        }
        .into());
    }
    let (request, iv, div) = match version {
        ProtocolVersion::V4 => {
            let (base, mac) = blob.split_at(BASE_REQUEST_LEN);
            if crypto::v4_mac(base) != mac {
                return Err(RequestCheck::MacMismatch.into());
            }
            (BaseRequest::decode(base)?, [0; 16], [0; 16])
        }
        ProtocolVersion::V5 | ProtocolVersion::V6 => {
            let mut stream = blob.get(4..).unwrap_or_default().to_vec(); // 256 bytes
            crypto::cbc_decrypt(cipher_for(version), &[0; 16], &mut stream);
            let div = block_at(&stream, 0);
            let plain = stream.get(16..).unwrap_or_default();
            if crypto::pkcs7_unpadded_len(plain) != Some(BASE_REQUEST_LEN) {
                return Err(RequestCheck::PaddingInvalid.into());
            }
            let base = BaseRequest::decode(plain)?;
            if (base.minor_version, base.major_version) != (minor, major) {
                return Err(RequestCheck::VersionMismatch {
                    outer: (minor, major),
                    inner: (base.minor_version, base.major_version),
                }
                .into());
            }
            (base, block_at(blob, 4), div)
        }
    };
    let context = RequestContext {
        version,
        minor_version: request.minor_version,
        iv,
        div,
        cmid: request.cmid,
        client_time: request.client_time,
        required_client_count: request.required_client_count,
    };
    Ok(DecodedRequest {
        version,
        request,
        context,
    })
}

/// Server: [`decode_request_blob`] of the payload inside an NDR32 `[in]` stub.
pub fn decode_request(stub: &[u8]) -> Result<DecodedRequest, KmsError> {
    decode_request_blob(rpc_call::decode_request_stub(Ndr::Ndr32, stub)?)
}

// ---------------------------------------------------------------------------------------------
// Base response
// ---------------------------------------------------------------------------------------------

/// The base response of §2.3 (plaintext inside every version).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseResponse {
    pub minor_version: u16,
    pub major_version: u16,
    /// The host's extended PID (see [`parse_epid`]).
    pub epid: String,
    /// Echo of the request's CMID.
    pub cmid: Uuid,
    /// Echo of the request's ClientTime (not the host clock, §7 item 6).
    pub client_time: u64,
    /// Activated clients the host counts, capped at 2·N of the request.
    pub current_count: u32,
    /// VL activation interval, minutes (retry for unactivated clients).
    pub activation_interval: u32,
    /// VL renewal interval, minutes.
    pub renewal_interval: u32,
}

impl BaseResponse {
    /// The answer to `ctx` echoing its version, CMID and time.
    pub fn for_request(
        ctx: &RequestContext,
        epid: &str,
        current_count: u32,
        activation_interval: u32,
        renewal_interval: u32,
    ) -> BaseResponse {
        BaseResponse {
            minor_version: ctx.minor_version,
            major_version: ctx.version.major(),
            epid: epid.to_string(),
            cmid: ctx.cmid,
            client_time: ctx.client_time,
            current_count,
            activation_interval,
            renewal_interval,
        }
    }

    /// 44 + P bytes; fails if the ePID does not fit the 128-byte field or contains a NUL.
    pub fn encode(&self) -> Result<Vec<u8>, KmsError> {
        let units: Vec<u16> = self.epid.encode_utf16().collect();
        if units.contains(&0) {
            return Err(KmsError::EpidContainsNul);
        }
        let p = (units.len() + 1) * 2;
        if p > MAX_EPID_BYTES {
            return Err(KmsError::EpidTooLong { units: units.len() });
        }
        let mut out = Vec::with_capacity(BASE_RESPONSE_FIXED_LEN + p);
        out.extend_from_slice(&self.minor_version.to_le_bytes());
        out.extend_from_slice(&self.major_version.to_le_bytes());
        out.extend_from_slice(&(p as u32).to_le_bytes());
        for u in units.iter().chain(&[0]) {
            out.extend_from_slice(&u.to_le_bytes());
        }
        out.extend_from_slice(&self.cmid.to_wire());
        out.extend_from_slice(&self.client_time.to_le_bytes());
        out.extend_from_slice(&self.current_count.to_le_bytes());
        out.extend_from_slice(&self.activation_interval.to_le_bytes());
        out.extend_from_slice(&self.renewal_interval.to_le_bytes());
        Ok(out)
    }
}

/// A base response split from its payload, with the ePID still raw (its content is checked
/// after the integrity checks, so tampering is reported as such).
struct RawBase<'a> {
    minor: u16,
    major: u16,
    epid_bytes: &'a [u8],
    cmid: Uuid,
    client_time: u64,
    current_count: u32,
    activation_interval: u32,
    renewal_interval: u32,
}

impl RawBase<'_> {
    fn len(&self) -> usize {
        BASE_RESPONSE_FIXED_LEN + self.epid_bytes.len()
    }
}

/// Read the ePID size at offset 4 and check it is even and 2..=128 (§2.6 row 4).
fn epid_size(b: &[u8]) -> Result<usize, KmsError> {
    let mut r = Reader::new(b);
    r.take(4, "response version")?;
    let size = r.u32("ePID size")?;
    let p = size as usize;
    if !size.is_multiple_of(2) || !(2..=MAX_EPID_BYTES).contains(&p) {
        return Err(ResponseCheck::EpidSizeInvalid { size }.into());
    }
    Ok(p)
}

fn split_base(b: &[u8]) -> Result<RawBase<'_>, KmsError> {
    let p = epid_size(b)?;
    let mut r = Reader::new(b);
    let minor = r.u16("response minor version")?;
    let major = r.u16("response major version")?;
    r.take(4, "ePID size")?;
    let epid_bytes = r.take(p, "ePID")?;
    Ok(RawBase {
        minor,
        major,
        epid_bytes,
        cmid: r.uuid("echoed client machine id")?,
        client_time: r.u64("echoed client time")?,
        current_count: r.u32("current count")?,
        activation_interval: r.u32("VL activation interval")?,
        renewal_interval: r.u32("VL renewal interval")?,
    })
}

/// ePID content checks of §2.6: NUL at the end, none inside, valid UTF-16.
fn epid_text(bytes: &[u8]) -> Result<String, ResponseCheck> {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let (last, body) = units
        .split_last()
        .ok_or(ResponseCheck::EpidSizeInvalid { size: 0 })?;
    if *last != 0 {
        return Err(ResponseCheck::EpidNotTerminated);
    }
    if let Some(at) = body.iter().position(|&u| u == 0) {
        return Err(ResponseCheck::EpidContainsNul { at });
    }
    String::from_utf16(body).map_err(|_| ResponseCheck::EpidNotUtf16)
}

/// The semantic checks every version shares: ePID content, versions, CMID and time echoes.
fn finish_base(
    raw: &RawBase<'_>,
    outer: Option<(u16, u16)>,
    ctx: &RequestContext,
) -> Result<BaseResponse, KmsError> {
    let epid = epid_text(raw.epid_bytes)?;
    let request = (ctx.minor_version, ctx.version.major());
    let inner = (raw.minor, raw.major);
    if inner != request || outer.is_some_and(|o| o != request) {
        return Err(ResponseCheck::VersionMismatch {
            request,
            outer,
            inner,
        }
        .into());
    }
    if raw.cmid != ctx.cmid {
        return Err(ResponseCheck::CmidMismatch {
            expected: ctx.cmid,
            got: raw.cmid,
        }
        .into());
    }
    if raw.client_time != ctx.client_time {
        return Err(ResponseCheck::ClientTimeMismatch {
            expected: ctx.client_time,
            got: raw.client_time,
        }
        .into());
    }
    Ok(BaseResponse {
        minor_version: raw.minor,
        major_version: raw.major,
        epid,
        cmid: raw.cmid,
        client_time: raw.client_time,
        current_count: raw.current_count,
        activation_interval: raw.activation_interval,
        renewal_interval: raw.renewal_interval,
    })
}

// ---------------------------------------------------------------------------------------------
// Response: client side
// ---------------------------------------------------------------------------------------------

/// A response that passed every check of §2.6.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivationResponse {
    pub version: ProtocolVersion,
    pub base: BaseResponse,
    /// v6: the KMS host hardware id (8 bytes in wire order; vlmcs prints them as hex).
    pub hwid: Option<[u8; 8]>,
    /// v5/v6: the 16 IV bytes on the wire (v5: equals the request IV).
    pub response_iv: Option<[u8; 16]>,
    /// v5/v6: the server's Random, recovered as RandomXor ⊕ DIV.
    pub random: Option<[u8; 16]>,
    /// v6: which HMAC time-slot offset (−1, 0, +1) matched.
    pub hmac_slot_offset: Option<i8>,
    /// Payload size M.
    pub size: usize,
}

impl ActivationResponse {
    /// HwId as vlmcs prints it: 16 upper-case hex digits in byte order.
    pub fn hwid_hex(&self) -> Option<String> {
        self.hwid
            .map(|h| h.iter().map(|b| format!("{b:02X}")).collect())
    }

    /// The randomness that reproduces this response with [`encode_response_blob`].
    pub fn response_random(&self) -> ResponseRandom {
        ResponseRandom {
            iv: self.response_iv.unwrap_or_default(),
            random: self.random.unwrap_or_default(),
        }
    }
}

/// What a host answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// A validated activation response.
    Activated(ActivationResponse),
    /// The call returned an HRESULT instead of data (§1.8 error form, §2.7); see
    /// [`hresult_name`].
    Error(u32),
}

/// Client: decode and validate the KMS payload of a response (§2.4, §2.6). `version` must be
/// the request's; every failure names its check ([`ResponseCheck`]). Order: structure
/// (sizes, padding, ePID size), then integrity (MAC / Hash / XoredIVs / HMAC), then the
/// echoes and versions — so tampered bytes report the integrity check, not a random echo.
pub fn decode_response_blob(
    version: ProtocolVersion,
    blob: &[u8],
    ctx: &RequestContext,
) -> Result<ActivationResponse, KmsError> {
    if version != ctx.version {
        return Err(KmsError::ContextVersionMismatch {
            called: version,
            context: ctx.version,
        });
    }
    match version {
        ProtocolVersion::V4 => decode_v4(blob, ctx),
        ProtocolVersion::V5 => decode_v5(blob, ctx),
        ProtocolVersion::V6 => decode_v6(blob, ctx),
    }
}

fn check_size(what: &'static str, expected: usize, got: usize) -> Result<(), KmsError> {
    if expected == got {
        Ok(())
    } else {
        Err(ResponseCheck::SizeMismatch {
            what,
            expected,
            got,
        }
        .into())
    }
}

fn decode_v4(blob: &[u8], ctx: &RequestContext) -> Result<ActivationResponse, KmsError> {
    let p = epid_size(blob)?;
    check_size(
        "v4 response",
        ProtocolVersion::V4.response_len(p),
        blob.len(),
    )?;
    let raw = split_base(blob)?;
    let (base_bytes, mac) = blob.split_at(raw.len().min(blob.len()));
    if crypto::v4_mac(base_bytes) != mac {
        return Err(ResponseCheck::MacMismatch.into());
    }
    Ok(ActivationResponse {
        version: ProtocolVersion::V4,
        base: finish_base(&raw, None, ctx)?,
        hwid: None,
        response_iv: None,
        random: None,
        hmac_slot_offset: None,
        size: blob.len(),
    })
}

/// Split off the clear version and decrypt the rest with CBC (`iv`), returning the clear
/// version and the unpadded plaintext.
fn open_encrypted(
    blob: &[u8],
    cipher: Cipher,
    iv: &[u8; 16],
    skip: usize,
) -> Result<((u16, u16), Vec<u8>), KmsError> {
    let mut r = Reader::new(blob);
    let minor = r.u16("response minor version (clear)")?;
    let major = r.u16("response major version (clear)")?;
    r.take(skip, "response IV")?;
    let enc = blob.get(4 + skip..).unwrap_or_default();
    if enc.is_empty() {
        return Err(KmsError::Truncated {
            what: "encrypted response",
            offset: 4 + skip,
            needed: 16,
            available: blob.len(),
        });
    }
    if !enc.len().is_multiple_of(16) {
        return Err(ResponseCheck::NotBlockAligned {
            encrypted_len: enc.len(),
        }
        .into());
    }
    let mut plain = enc.to_vec();
    crypto::cbc_decrypt(cipher, iv, &mut plain);
    let len = crypto::pkcs7_unpadded_len(&plain).ok_or(ResponseCheck::PaddingInvalid)?;
    plain.truncate(len);
    Ok(((minor, major), plain))
}

fn decode_v5(blob: &[u8], ctx: &RequestContext) -> Result<ActivationResponse, KmsError> {
    let wire_iv = block_at(blob, 4);
    let (outer, plain) = open_encrypted(blob, Cipher::V5, &wire_iv, 16)?;
    let p = epid_size(&plain)?;
    check_size(
        "v5 response",
        ProtocolVersion::V5.response_len(p),
        blob.len(),
    )?;
    check_size("v5 decrypted response", 92 + p, plain.len())?;
    let raw = split_base(&plain)?;
    let at = raw.len();
    let random_xor = block_at(&plain, at);
    let hash = plain.get(at + 16..at + 48).unwrap_or_default();
    let random = xor16(&random_xor, &ctx.div);
    if Sha256::digest(random).as_slice() != hash {
        return Err(ResponseCheck::HashMismatch.into());
    }
    let base = finish_base(&raw, Some(outer), ctx)?;
    if wire_iv != ctx.iv {
        return Err(ResponseCheck::ResponseIvMismatch.into());
    }
    Ok(ActivationResponse {
        version: ProtocolVersion::V5,
        base,
        hwid: None,
        response_iv: Some(wire_iv),
        random: Some(random),
        hmac_slot_offset: None,
        size: blob.len(),
    })
}

fn decode_v6(blob: &[u8], ctx: &RequestContext) -> Result<ActivationResponse, KmsError> {
    // View 2 of §2.4: everything after the clear version as one zero-IV CBC stream; block 0
    // is IVp and the plaintext up to the HMAC field is exactly the HMAC input.
    let (outer, view2) = open_encrypted(blob, Cipher::V6, &[0; 16], 0)?;
    let body = view2.get(16..).unwrap_or_default();
    let p = epid_size(body)?;
    check_size(
        "v6 response",
        ProtocolVersion::V6.response_len(p),
        blob.len(),
    )?;
    check_size("v6 decrypted response", 148 + p, view2.len())?;
    let raw = split_base(body)?;
    let at = 16 + raw.len(); // view-2 offset of RandomXor
    let random_xor = block_at(&view2, at);
    let hash = view2.get(at + 16..at + 48).unwrap_or_default();
    let mut hwid = [0u8; 8];
    if let Some(h) = view2.get(at + 48..at + 56) {
        hwid.copy_from_slice(h);
    }
    let xored_ivs = block_at(&view2, at + 56);
    let hmac = block_at(&view2, at + 72);
    let random = xor16(&random_xor, &ctx.div);
    if Sha256::digest(random).as_slice() != hash {
        return Err(ResponseCheck::HashMismatch.into());
    }
    if xored_ivs != ctx.div {
        return Err(ResponseCheck::XoredIvsMismatch.into());
    }
    let signed = view2.get(..at + 72).unwrap_or_default();
    let offset = crypto::v6_hmac_verify(raw.client_time, signed, &hmac)
        .ok_or(ResponseCheck::HmacMismatch)?;
    let base = finish_base(&raw, Some(outer), ctx)?;
    let wire_iv = block_at(blob, 4);
    if wire_iv == ctx.iv {
        return Err(ResponseCheck::ResponseIvReused.into());
    }
    Ok(ActivationResponse {
        version: ProtocolVersion::V6,
        base,
        hwid: Some(hwid),
        response_iv: Some(wire_iv),
        random: Some(random),
        hmac_slot_offset: Some(offset),
        size: blob.len(),
    })
}

/// Client: decode an NDR32 response stub. The error form (NULL pointer / size 0) and any
/// non-zero return value give [`Response::Error`]; otherwise the payload must pass
/// [`decode_response_blob`].
pub fn decode_response(
    version: ProtocolVersion,
    stub: &[u8],
    ctx: &RequestContext,
) -> Result<Response, KmsError> {
    match rpc_call::decode_response_stub(Ndr::Ndr32, stub)? {
        ResponseStub::Error { hresult } => Ok(Response::Error(hresult)),
        ResponseStub::Data { hresult, .. } if hresult != 0 => Ok(Response::Error(hresult)),
        ResponseStub::Data { payload, .. } => {
            decode_response_blob(version, payload, ctx).map(Response::Activated)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Response: server side
// ---------------------------------------------------------------------------------------------

/// The server's random choices for one response (ignored for v4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ResponseRandom {
    /// v6: the response IV as sent on the wire (a fresh random value; reusing the request IV
    /// is the emulator quirk of §2.6). Unused for v5, whose wire IV is the request IV.
    pub iv: [u8; 16],
    /// v5/v6: the 16 random bytes behind RandomXor and Hash.
    pub random: [u8; 16],
}

/// Server: build the KMS response payload of §2.4 for a decoded request. `hwid` is used by v6
/// only. Deterministic in its inputs, so captured responses re-encode byte for byte.
pub fn encode_response_blob(
    version: ProtocolVersion,
    response: &BaseResponse,
    hwid: [u8; 8],
    ctx: &RequestContext,
    random: &ResponseRandom,
) -> Result<Vec<u8>, KmsError> {
    let base = response.encode()?;
    let outer_version = |out: &mut Vec<u8>| {
        out.extend_from_slice(&response.minor_version.to_le_bytes());
        out.extend_from_slice(&version.major().to_le_bytes());
    };
    let random_xor = xor16(&random.random, &ctx.div);
    let hash = Sha256::digest(random.random);
    match version {
        ProtocolVersion::V4 => {
            let mut out = base.clone();
            out.extend_from_slice(&crypto::v4_mac(&base));
            Ok(out)
        }
        ProtocolVersion::V5 => {
            let mut body = base;
            body.extend_from_slice(&random_xor);
            body.extend_from_slice(&hash);
            crypto::pkcs7_pad(&mut body);
            crypto::cbc_encrypt(Cipher::V5, &ctx.iv, &mut body);
            let mut out = Vec::with_capacity(20 + body.len());
            outer_version(&mut out);
            out.extend_from_slice(&ctx.iv);
            out.extend_from_slice(&body);
            Ok(out)
        }
        ProtocolVersion::V6 => {
            // Build view 2 (IVp ‖ … ‖ HMAC), then one zero-IV CBC pass; its first ciphertext
            // block is E(IVp) = the chosen wire IV.
            let mut view2 = crypto::decrypt_block(Cipher::V6, random.iv).to_vec();
            view2.extend_from_slice(&base);
            view2.extend_from_slice(&random_xor);
            view2.extend_from_slice(&hash);
            view2.extend_from_slice(&hwid);
            view2.extend_from_slice(&ctx.div);
            let key = crypto::v6_hmac_key(response.client_time, 0);
            let mac = crypto::v6_hmac(&key, &view2);
            view2.extend_from_slice(&mac);
            crypto::pkcs7_pad(&mut view2);
            crypto::cbc_encrypt(Cipher::V6, &[0; 16], &mut view2);
            let mut out = Vec::with_capacity(4 + view2.len());
            outer_version(&mut out);
            out.extend_from_slice(&view2);
            Ok(out)
        }
    }
}

/// Server: [`encode_response_blob`] marshalled as a successful NDR32 `[out]` stub.
pub fn encode_response(
    version: ProtocolVersion,
    response: &BaseResponse,
    hwid: [u8; 8],
    ctx: &RequestContext,
    random: &ResponseRandom,
) -> Result<Vec<u8>, KmsError> {
    let blob = encode_response_blob(version, response, hwid, ctx, random)?;
    Ok(rpc_call::encode_response_stub(Ndr::Ndr32, &blob))
}

/// Server: the NDR32 error form carrying `hresult` (12 bytes, §1.8), e.g.
/// [`SL_E_VL_KEY_MANAGEMENT_SERVICE_ID_MISMATCH`].
pub fn encode_error_response(hresult: u32) -> Vec<u8> {
    rpc_call::encode_error_stub(Ndr::Ndr32, hresult)
}

// ---------------------------------------------------------------------------------------------
// ePID
// ---------------------------------------------------------------------------------------------

/// A parsed ePID `PPPPP-GGGGG-KKK-KKKKKK-CC-LLLL-BBBBB.0000-DDDYYYY` (§3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Epid {
    /// Platform id of the host OS (55041, 5426, 6401, 3612).
    pub platform_id: u32,
    /// CSVLK group id (206, 96, 3858, …).
    pub group_id: u32,
    /// CSVLK key id = KKK · 1 000 000 + KKKKKK.
    pub key_id: u32,
    /// License channel, always 3 (volume).
    pub channel: u8,
    /// Host LCID (1033 en-US …).
    pub lcid: u32,
    /// Host OS build (the part before `.0000`).
    pub build: u32,
    /// 1-based day of year of the host key activation (000 seen from py-kms).
    pub day_of_year: u16,
    pub year: u16,
}

/// Which part of an ePID is malformed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EpidError {
    /// Not 8 dash-separated parts.
    PartCount { found: usize },
    /// A part is not the expected digits (`field` names it, `text` is what was there).
    Field { field: &'static str, text: String },
    /// The build part does not end in `.0000`.
    BuildSuffix { text: String },
}

impl fmt::Display for EpidError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EpidError::PartCount { found } => write!(
                f,
                "ePID has {found} dash-separated parts, expected 8 \
                 (PPPPP-GGGGG-KKK-KKKKKK-CC-LLLL-BBBBB.0000-DDDYYYY)"
            ),
            EpidError::Field { field, text } => write!(f, "ePID {field} is malformed: {text:?}"),
            EpidError::BuildSuffix { text } => {
                write!(f, "ePID build part {text:?} does not end in \".0000\"")
            }
        }
    }
}

impl std::error::Error for EpidError {}

/// Digits of an exact width (`width` = None: 1..=`max` digits).
fn digits(
    text: &str,
    field: &'static str,
    width: Option<usize>,
    max: usize,
) -> Result<u32, EpidError> {
    let bad = || EpidError::Field {
        field,
        text: text.to_string(),
    };
    let ok_len = match width {
        Some(w) => text.len() == w,
        None => (1..=max).contains(&text.len()),
    };
    if !ok_len || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    text.parse().map_err(|_| bad())
}

/// Parse an ePID (§3). Widths are enforced where the format fixes them; LCID and build are
/// unpadded decimals. The date is not range-checked here (day 000 occurs in the wild), see
/// [`emulator_signs`].
pub fn parse_epid(text: &str) -> Result<Epid, EpidError> {
    let parts: Vec<&str> = text.split('-').collect();
    let [p, g, k1, k2, cc, lcid, build, date] = parts[..] else {
        return Err(EpidError::PartCount { found: parts.len() });
    };
    let build_digits = build
        .strip_suffix(".0000")
        .ok_or_else(|| EpidError::BuildSuffix {
            text: build.to_string(),
        })?;
    let key_hi = digits(k1, "key id (high part)", Some(3), 3)?;
    let key_lo = digits(k2, "key id (low part)", Some(6), 6)?;
    let date_num = digits(date, "activation date (DDDYYYY)", Some(7), 7)?;
    Ok(Epid {
        platform_id: digits(p, "platform id", Some(5), 5)?,
        group_id: digits(g, "group id", Some(5), 5)?,
        key_id: key_hi * 1_000_000 + key_lo,
        channel: digits(cc, "license channel", Some(2), 2)? as u8,
        lcid: digits(lcid, "LCID", None, 5)?,
        build: digits(build_digits, "build", None, 6)?,
        day_of_year: (date_num / 10_000) as u16,
        year: (date_num % 10_000) as u16,
    })
}

impl Epid {
    /// Host OS family for the platform id (§3).
    pub fn platform_name(&self) -> Option<&'static str> {
        platform_name(self.platform_id)
    }

    /// The CSVLK whose key-id range (§3 table) holds this key id, if known.
    pub fn csvlk_name(&self) -> Option<&'static str> {
        csvlk_name(self.group_id, self.key_id)
    }

    /// Platform id that §3 pairs with this build, when the build is one the notes map.
    pub fn expected_platform(&self) -> Option<u32> {
        expected_platform_for_build(self.build)
    }

    /// The activation date as (year, month, day), if the day of year is valid for the year.
    pub fn activation_date(&self) -> Option<(u16, u32, u32)> {
        let y = i64::from(self.year);
        let len = if is_leap(y) { 366 } else { 365 };
        if self.day_of_year == 0 || self.day_of_year > len {
            return None;
        }
        // Days since 1970 of Jan 1 of y, by counting years (y is 0..=9999).
        let mut days: i64 = 0;
        if y >= 1970 {
            for yy in 1970..y {
                days += if is_leap(yy) { 366 } else { 365 };
            }
        } else {
            for yy in y..1970 {
                days -= if is_leap(yy) { 366 } else { 365 };
            }
        }
        let (_, m, d) = civil_from_days(days + i64::from(self.day_of_year) - 1);
        Some((self.year, m, d))
    }
}

/// Host OS family of an ePID platform id (§3).
pub fn platform_name(platform_id: u32) -> Option<&'static str> {
    Some(match platform_id {
        55041 => "Windows Vista / 7 / Server 2008 / 2008 R2",
        5426 => "Windows 8 / Server 2012",
        6401 => "Windows 8.1 / Server 2012 R2",
        3612 => "Windows 10 / 11 / Server 2016 and later",
        _ => return None,
    })
}

/// Platform id §3 pairs with a build: 3612 for ≥ 10240, 6401 for 9600, 5426 for 9200, 55041
/// for ≤ 7601; `None` for builds the notes do not map.
pub fn expected_platform_for_build(build: u32) -> Option<u32> {
    match build {
        10240.. => Some(3612),
        9600 => Some(6401),
        9200 => Some(5426),
        0..=7601 => Some(55041),
        _ => None,
    }
}

/// CSVLK of a key id by the §3 range table (group 206 unless noted there).
pub fn csvlk_name(group_id: u32, key_id: u32) -> Option<&'static str> {
    let in_range = |lo: u32, hi: u32| (lo..=hi).contains(&key_id);
    Some(match group_id {
        96 if in_range(199_000_000, 217_999_999) => "Office 2010",
        3858 if in_range(15_000_000, 999_999_999) => "Windows 10 China Government",
        206 if in_range(234_000_000, 255_999_999) => "Office 2013",
        206 if in_range(256_000_000, 265_999_999) => "Windows 10 2019 (LTSC 2019)",
        206 if in_range(390_000_000, 404_999_999) => "Windows 10 2015",
        206 if in_range(405_000_000, 424_999_999) => "Server 2012 R2 with Windows 10 support",
        206 if in_range(437_000_000, 458_999_999) => "Office 2016",
        206 if in_range(491_000_000, 530_999_999) => "Server 2016",
        206 if in_range(531_000_000, 545_999_999) => "Windows 10 2016",
        206 if in_range(551_000_000, 570_999_999) => "Server 2019",
        206 if in_range(571_000_000, 590_999_999) => "Office LTSC 2021 (unconfirmed)",
        206 if in_range(591_000_000, 610_999_999) => "Office LTSC 2024 (unconfirmed)",
        206 if in_range(666_000_000, 685_999_999) => "Office 2019",
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// Emulator signs
// ---------------------------------------------------------------------------------------------

/// A deviation from genuine-host behaviour that protocol notes §2.8 / §3 / §7 item 8
/// attribute to emulators. Warnings, never proof either way: the absence of signs does not
/// mean a host is genuine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmulatorSign {
    /// v6 HwId is an emulator's built-in default.
    KnownEmulatorHwId {
        hwid: [u8; 8],
        emulator: &'static str,
    },
    /// Current count is exactly 2·N — emulators report it immediately, a genuine host only
    /// once it has seen that many distinct clients (most telling on first contact).
    CountExactlyTwiceThreshold { count: u32, threshold: u32 },
    /// Count above the 2·N cap a genuine host applies to the request's N.
    CountAboveCap { count: u32, cap: u64 },
    /// ePID platform id does not match its build (§3).
    EpidPlatformBuildMismatch {
        platform_id: u32,
        build: u32,
        expected_platform: u32,
    },
    /// ePID day of year is 000 (py-kms can emit it) or past the end of the year.
    EpidInvalidDay { day_of_year: u16, year: u16 },
    /// ePID activation date lies after the request's own timestamp.
    EpidDateInFuture { day_of_year: u16, year: u16 },
    /// ePID differs from the one this host sent before (emulators randomise it).
    EpidChanged { previous: String, current: String },
    /// v6 response reused the request IV (v5 behaviour in a v6 answer).
    V6ResponseIvReused,
    /// NDR64 was offered and refused although the ePID claims build ≥ 9200.
    NoNdr64OnModernBuild { build: u32 },
    /// bind_ack assoc_group_id is py-kms's constant 0x1063BF3F.
    PyKmsAssocGroup,
    /// bind_ack set PFC_CONC_MPX although the bind did not (py-kms always answers 0x13).
    BindAckConcMpxNotRequested { flags: u8 },
}

impl EmulatorSign {
    /// The sign a failed response check stands for, if any: only
    /// [`ResponseCheck::ResponseIvReused`] is both a §2.6 check and a §2.8 sign.
    pub fn from_check(check: &ResponseCheck) -> Option<EmulatorSign> {
        match check {
            ResponseCheck::ResponseIvReused => Some(EmulatorSign::V6ResponseIvReused),
            _ => None,
        }
    }

    /// One line for reports.
    pub fn describe(&self) -> String {
        match self {
            EmulatorSign::KnownEmulatorHwId { hwid, emulator } => format!(
                "HwId {} is {emulator}'s default",
                hwid.iter().map(|b| format!("{b:02X}")).collect::<String>()
            ),
            EmulatorSign::CountExactlyTwiceThreshold { count, threshold } => format!(
                "current count {count} is exactly 2 x N (N = {threshold}); emulators report this \
                 at once"
            ),
            EmulatorSign::CountAboveCap { count, cap } => {
                format!("current count {count} exceeds the 2 x N cap {cap} a genuine host applies")
            }
            EmulatorSign::EpidPlatformBuildMismatch {
                platform_id,
                build,
                expected_platform,
            } => format!(
                "ePID platform {platform_id:05} does not match build {build} (expected \
                 {expected_platform:05})"
            ),
            EmulatorSign::EpidInvalidDay { day_of_year, year } => {
                format!("ePID activation day {day_of_year:03} of {year} is not a real date")
            }
            EmulatorSign::EpidDateInFuture { day_of_year, year } => format!(
                "ePID activation date (day {day_of_year:03} of {year}) is after the request time"
            ),
            EmulatorSign::EpidChanged { previous, current } => {
                format!("ePID changed between calls: {previous} then {current}")
            }
            EmulatorSign::V6ResponseIvReused => {
                "v6 response reuses the request IV (v5 behaviour)".to_string()
            }
            EmulatorSign::NoNdr64OnModernBuild { build } => {
                format!("NDR64 refused although the ePID claims build {build} (>= 9200)")
            }
            EmulatorSign::PyKmsAssocGroup => {
                "bind_ack assoc_group_id 0x1063BF3F is py-kms's constant".to_string()
            }
            EmulatorSign::BindAckConcMpxNotRequested { flags } => {
                format!("bind_ack flags 0x{flags:02x} set PFC_CONC_MPX the bind did not ask for")
            }
        }
    }
}

/// What [`emulator_signs`] may compare the response with.
#[derive(Debug, Clone, Copy)]
pub struct SignInputs<'a> {
    /// The request this response answers.
    pub request: &'a BaseRequest,
    /// N of the product family (usually the request's required client count).
    pub threshold: u32,
    /// ePID this host returned on an earlier call, if any.
    pub previous_epid: Option<&'a str>,
    /// The bind and its answer on this connection, if the caller has them.
    pub bind: Option<(&'a BindRequest, &'a BindAck)>,
}

/// Emulator signs visible in a validated response (§2.8, §3 consistency checks, §7 item 8).
pub fn emulator_signs(resp: &ActivationResponse, inputs: &SignInputs<'_>) -> Vec<EmulatorSign> {
    let mut signs = Vec::new();
    if let Some(hwid) = resp.hwid {
        let emulator = match hwid {
            VLMCSD_DEFAULT_HWID => Some("vlmcsd"),
            PY_KMS_DEFAULT_HWID => Some("py-kms"),
            _ => None,
        };
        if let Some(emulator) = emulator {
            signs.push(EmulatorSign::KnownEmulatorHwId { hwid, emulator });
        }
    }
    let count = resp.base.current_count;
    if inputs.threshold > 0 && u64::from(count) == 2 * u64::from(inputs.threshold) {
        signs.push(EmulatorSign::CountExactlyTwiceThreshold {
            count,
            threshold: inputs.threshold,
        });
    }
    let cap = 2 * u64::from(inputs.request.required_client_count);
    if u64::from(count) > cap {
        signs.push(EmulatorSign::CountAboveCap { count, cap });
    }
    if let Ok(epid) = parse_epid(&resp.base.epid) {
        if let Some(expected) = epid.expected_platform() {
            if expected != epid.platform_id {
                signs.push(EmulatorSign::EpidPlatformBuildMismatch {
                    platform_id: epid.platform_id,
                    build: epid.build,
                    expected_platform: expected,
                });
            }
        }
        if epid.activation_date().is_none() {
            signs.push(EmulatorSign::EpidInvalidDay {
                day_of_year: epid.day_of_year,
                year: epid.year,
            });
        } else {
            let (ry, rd) = filetime_year_day(inputs.request.client_time);
            let claimed = (i64::from(epid.year), u32::from(epid.day_of_year));
            if claimed > (ry, rd) {
                signs.push(EmulatorSign::EpidDateInFuture {
                    day_of_year: epid.day_of_year,
                    year: epid.year,
                });
            }
        }
        if let Some((bind, ack)) = inputs.bind {
            let offered = bind
                .contexts
                .iter()
                .any(|c| c.transfer_syntaxes.iter().any(|s| s.uuid == NDR64_UUID));
            let accepted = ack
                .results
                .iter()
                .any(|r| r.is_accepted() && r.transfer_syntax.uuid == NDR64_UUID);
            if offered && !accepted && epid.build >= 9200 {
                signs.push(EmulatorSign::NoNdr64OnModernBuild { build: epid.build });
            }
        }
    }
    if let Some(prev) = inputs.previous_epid {
        if prev != resp.base.epid {
            signs.push(EmulatorSign::EpidChanged {
                previous: prev.to_string(),
                current: resp.base.epid.clone(),
            });
        }
    }
    if let Some((bind, ack)) = inputs.bind {
        if ack.assoc_group_id == PY_KMS_ASSOC_GROUP {
            signs.push(EmulatorSign::PyKmsAssocGroup);
        }
        if ack.header.flags & PFC_CONC_MPX != 0 && bind.header.flags & PFC_CONC_MPX == 0 {
            signs.push(EmulatorSign::BindAckConcMpxNotRequested {
                flags: ack.header.flags,
            });
        }
    }
    signs
}

#[cfg(test)]
mod tests {
    use super::crypto::{self, Cipher, V6Aes};
    use super::*;
    use crate::dcerpc::{
        decode_bind, decode_bind_ack, PTYPE_ALTER_CONTEXT_RESP, PTYPE_BIND, PTYPE_BIND_ACK,
        PTYPE_REQUEST, PTYPE_RESPONSE,
    };
    use crate::rpc_call::{decode_request_pdu, decode_response_pdu};
    use crate::testjson::{hex, vectors, Vector};
    use aes::Aes128;
    use cipher::{Array, BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};

    fn h16(s: &str) -> [u8; 16] {
        hex(s).try_into().expect("16 bytes")
    }

    // ---- §8 cipher and MAC vectors -----------------------------------------------------------

    #[test]
    fn cipher_vectors_from_the_notes() {
        let zero = [0u8; 16];
        assert_eq!(
            crypto::encrypt_block(Cipher::V5, zero),
            h16("ec7c7e75b1923978eac4b2d2260235d5")
        );
        let mut b = Array::from(zero);
        BlockCipherEncrypt::encrypt_block(&V6Aes::with_tweak(false), &mut b);
        assert_eq!(<[u8; 16]>::from(b), h16("b4c3c015f6fb320c9b64aecd52fa58c8"));
        assert_eq!(
            crypto::encrypt_block(Cipher::V6, zero),
            h16("8ca59de0c483c04aa7026a22d6dd208e")
        );
        assert_eq!(crypto::v4_mac(&[]), h16("d144963029e2bd12f9970c9f52b27f09"));
        assert_eq!(
            crypto::v4_mac(&[0; 16]),
            h16("2a090d7c1155251ab86445447d060335")
        );
        assert_eq!(
            crypto::v4_mac(&[0; 236]),
            h16("4c1b4de4008508d66d9ed22963ae52b2")
        );
    }

    #[test]
    fn v4_raw_rijndael_160_vector() {
        assert_eq!(
            crypto::v4_encrypt_block([0; 16]),
            h16("933030f10e2e7782b80915d5778a4957")
        );
    }

    #[test]
    fn composed_aes_equals_the_aes_crate() {
        // With the tweak off, our hazmat composition must be bit-identical to aes::Aes128
        // (encrypt and decrypt), which validates key expansion, round order and last rounds.
        let mut x: u64 = 0x1234_5678_9abc_def1;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let std_v6 = Aes128::new(&V6_KEY.into());
        let ours = V6Aes::with_tweak(false);
        let tweaked = V6Aes::new();
        for _ in 0..200 {
            let mut blk = [0u8; 16];
            for c in blk.chunks_mut(8) {
                c.copy_from_slice(&next().to_le_bytes());
            }
            let (mut a, mut b) = (Array::from(blk), Array::from(blk));
            BlockCipherEncrypt::encrypt_block(&std_v6, &mut a);
            BlockCipherEncrypt::encrypt_block(&ours, &mut b);
            assert_eq!(a, b);
            BlockCipherDecrypt::decrypt_block(&std_v6, &mut a);
            BlockCipherDecrypt::decrypt_block(&ours, &mut b);
            assert_eq!(<[u8; 16]>::from(a), blk);
            assert_eq!(<[u8; 16]>::from(b), blk);
            let mut t = Array::from(blk);
            BlockCipherEncrypt::encrypt_block(&tweaked, &mut t);
            assert_ne!(<[u8; 16]>::from(t), <[u8; 16]>::from(a));
            BlockCipherDecrypt::decrypt_block(&tweaked, &mut t);
            assert_eq!(<[u8; 16]>::from(t), blk);
            assert_eq!(
                crypto::decrypt_block(Cipher::V6, crypto::encrypt_block(Cipher::V6, blk)),
                blk
            );
        }
    }

    #[test]
    fn v6_hmac_key_derivation_vector() {
        let ft = 0x01DB_0000_0000_0000;
        assert_eq!(format_filetime(ft), "2024-09-06 01:56:33");
        let slot = (ft / V6_TIME_C1)
            .wrapping_mul(V6_TIME_C2)
            .wrapping_add(V6_TIME_C3);
        assert_eq!(slot, 0x3316_E0FF_6856_3C11);
        assert_eq!(slot.to_le_bytes().to_vec(), hex("113c5668ffe01633"));
        let key = crypto::v6_hmac_key(ft, 0);
        assert_eq!(key, h16("e40d3eacb9f20ff20bdc713da90f7002"));
        assert_eq!(
            crypto::v6_hmac(&key, b"abc"),
            h16("d91f4f498fdf244b2cab761343dffc7a")
        );
        assert_eq!(
            crypto::v6_hmac_verify(ft, b"abc", &h16("d91f4f498fdf244b2cab761343dffc7a")),
            Some(0)
        );
        let k_plus = crypto::v6_hmac_key(ft, 1);
        let tag = crypto::v6_hmac(&k_plus, b"abc");
        assert_eq!(crypto::v6_hmac_verify(ft, b"abc", &tag), Some(1));
        let k_far = crypto::v6_hmac_key(ft, 2);
        let tag = crypto::v6_hmac(&k_far, b"abc");
        assert_eq!(crypto::v6_hmac_verify(ft, b"abc", &tag), None);
    }

    #[test]
    fn pkcs7_rules() {
        assert_eq!(crypto::pkcs7_unpadded_len(&[]), None);
        assert_eq!(crypto::pkcs7_unpadded_len(&[1, 2, 3, 1]), Some(3));
        assert_eq!(crypto::pkcs7_unpadded_len(&[4, 4, 4, 4]), Some(0));
        assert_eq!(crypto::pkcs7_unpadded_len(&[3, 4, 4, 4]), None);
        assert_eq!(crypto::pkcs7_unpadded_len(&[5, 4, 3, 4, 4]), None);
        assert_eq!(crypto::pkcs7_unpadded_len(&[0]), None);
        assert_eq!(crypto::pkcs7_unpadded_len(&[17; 17]), None);
        assert_eq!(crypto::pkcs7_unpadded_len(&[16; 16]), Some(0));
        assert_eq!(crypto::pkcs7_unpadded_len(&[2]), None);
        let mut v = vec![0u8; 16];
        crypto::pkcs7_pad(&mut v);
        assert_eq!(v.len(), 32);
        assert_eq!(pad16(236), 240);
        assert_eq!(pad16(240), 256);
    }

    // ---- §8 deterministic request -----------------------------------------------------------

    fn notes_request(version: ProtocolVersion) -> BaseRequest {
        BaseRequest::new(
            version,
            Uuid::parse("55c92734-d682-4d71-983e-d6ec3f16059f").unwrap(),
            Uuid::parse("73111121-5638-40f6-bc11-f1d7b0d64300").unwrap(),
            Uuid::parse("58e2134f-8e11-4d17-9cb2-91069c151148").unwrap(),
            Uuid::parse("00112233-4455-4677-8899-aabbccddeeff").unwrap(),
            25,
            0x01DB_0000_0000_0000,
            "TEST",
        )
    }

    const NOTES_BASE: &str = "000006000000000002000000c0a800003427c95582d6714d983ed6ec3f16059f\
        211111733856f640bc11f1d7b0d643004f13e258118e174d9cb291069c15114833221100554477468899\
        aabbccddeeff19000000000000000000db01000000000000000000000000000000005400450053005400";

    const NOTES_V5: &str = "00000500 000102030405060708090a0b0c0d0e0f 953cccda1e87c124691cbb4bd7bba5f70b4b401990ad011bf5e10bf0
        02647e0b16b5e9892dd0aa4dbcd36c9f314d6c6b8f3e12257346db611420eeab1cc5f71ea822d47e35a3eb72ff0d54a0
        0397a63642ba8c203f270e1f4d0b545095e294f0d22f8f837289eecbc7489ab3e0ad365684bc6294fe27d68a9e9ea453
        ab4ea1bf08858964803661efcde914ef7a11662b95a713dae9231fe0f8f34bd3212729d48ff2c1e653c2ac11ae988506
        d1b6e0c555f5f2e2db3f5775bf1033ffc6aec248af82687e71d8ce2751a8fd1c86ecde399fae1aad34d25a084d48a40a
        7080c7029ea282dd6fcd84abb45de82757a46ea0";

    const NOTES_V6: &str = "00000600 000102030405060708090a0b0c0d0e0f 0e9fd870b28b8285f736f82c6cd0e06b03fcffed0b5b85dd300094ca
        c36be16529362786518b4d232dfb1a3bdc8eab5c08cc00381df7bb7944addbdc295c5c59a7e452b060022407c01ba530
        2cc9655d42427aac499b92225bd1b4c6918593245f1f497c35e69bee5047c1d3fa07caa57c9df91cfc3f898e1d81a97d
        82d0e36019df5279a720ef4f240a3f8fcb64d7be1277f01bfec54155173053cf1a96137761ab843bb1cacb96541edfcc
        22ce7617bdc6fd1997b8520795edc5c6b72c6600affc8317869dcc61a3ce3a70a822d255f953825d657687ccf206f7fa
        3517984958539f26fde84caa04fce8e33cda6110";

    #[test]
    fn deterministic_request_vectors() {
        let req = notes_request(ProtocolVersion::V6);
        let mut expected = hex(NOTES_BASE);
        expected.resize(BASE_REQUEST_LEN, 0);
        assert_eq!(req.encode().to_vec(), expected);
        assert_eq!(BaseRequest::decode(&expected).unwrap(), req);

        let iv = h16("000102030405060708090a0b0c0d0e0f");
        let (v6, ctx6) = encode_request_blob(ProtocolVersion::V6, &req, iv);
        assert_eq!(v6, hex(NOTES_V6));
        assert_eq!(ctx6.div, crypto::decrypt_block(Cipher::V6, iv));
        let v5req = BaseRequest {
            major_version: 5,
            ..req.clone()
        };
        let (v5, _) = encode_request_blob(ProtocolVersion::V5, &v5req, iv);
        assert_eq!(v5, hex(NOTES_V5));
        let v4req = BaseRequest {
            major_version: 4,
            ..req.clone()
        };
        let (v4, _) = encode_request_blob(ProtocolVersion::V4, &v4req, iv);
        assert_eq!(v4.len(), V4_REQUEST_LEN);
        assert_eq!(v4[236..], hex("27132504fcc826afadfa4c77ac63c89c")[..]);

        // The server side reads all three back.
        for (blob, base) in [(&v4, &v4req), (&v5, &v5req), (&v6, &req)] {
            let d = decode_request_blob(blob).unwrap();
            assert_eq!(&d.request, base);
        }
        let d6 = decode_request_blob(&v6).unwrap();
        assert_eq!(d6.context, ctx6);
    }

    #[test]
    fn workstation_name_truncation() {
        let mut req = notes_request(ProtocolVersion::V6);
        req.workstation_name = "x".repeat(100);
        let back = BaseRequest::decode(&req.encode()).unwrap();
        assert_eq!(back.workstation_name, "x".repeat(63));
        // A surrogate pair that would straddle unit 63 is dropped whole.
        req.workstation_name = format!("{}\u{1F600}", "y".repeat(62));
        let enc = req.encode();
        assert_eq!(&enc[108 + 124..108 + 128], &[0, 0, 0, 0]);
        let back = BaseRequest::decode(&enc).unwrap();
        assert_eq!(back.workstation_name, "y".repeat(62));
        req.workstation_name = format!("{}\u{1F600}", "y".repeat(61));
        let back = BaseRequest::decode(&req.encode()).unwrap();
        assert_eq!(back.workstation_name, req.workstation_name);
        // Non-ASCII and an embedded NUL.
        req.workstation_name = "pc-ä\0tail".into();
        assert_eq!(
            BaseRequest::decode(&req.encode()).unwrap().workstation_name,
            "pc-ä"
        );
        assert_eq!(
            BaseRequest::decode(&[0; 235]).unwrap_err(),
            KmsError::Truncated {
                what: "workstation name",
                offset: 108,
                needed: 128,
                available: 235
            }
        );
    }

    // ---- captured vectors ---------------------------------------------------------------------

    fn field<'a>(v: &'a Vector, path: &[&str]) -> &'a str {
        let mut cur = &v.expected;
        for p in path {
            cur = &cur[p];
        }
        cur.as_str()
            .unwrap_or_else(|| panic!("{}: no {path:?}", v.name))
    }

    /// The leading token of an expected value like "55c92734-… (Windows)" or "43200 minutes".
    fn head<'a>(v: &'a Vector, path: &[&str]) -> &'a str {
        field(v, path).split(' ').next().unwrap_or_default()
    }

    fn uuid_of(v: &Vector, path: &[&str]) -> Uuid {
        Uuid::parse(head(v, path)).unwrap()
    }

    fn num(v: &Vector, path: &[&str]) -> u32 {
        head(v, path).parse().unwrap()
    }

    fn version_of(v: &Vector) -> ProtocolVersion {
        let text = field(v, &["request", "protocol_version"]);
        let major: u16 = text.strip_suffix(".0").unwrap().parse().unwrap();
        ProtocolVersion::from_major(major).unwrap()
    }

    fn request_stub(v: &Vector) -> Vec<u8> {
        decode_request_pdu(v.pdu("c2s", PTYPE_REQUEST))
            .unwrap()
            .stub
    }

    fn response_stub(v: &Vector) -> Vec<u8> {
        decode_response_pdu(v.pdu("s2c", PTYPE_RESPONSE))
            .unwrap()
            .stub
    }

    fn check_expected_request(v: &Vector, r: &BaseRequest) {
        let name = &v.name;
        let version = version_of(v);
        assert_eq!((r.minor_version, r.major_version), (0, version.major()));
        assert_eq!(r.application_id, uuid_of(v, &["request", "application_id"]));
        assert_eq!(r.sku_id, uuid_of(v, &["request", "sku_id"]), "{name}");
        assert_eq!(
            r.kms_counted_id,
            uuid_of(v, &["request", "kms_counted_id"]),
            "{name}"
        );
        assert_eq!(r.cmid, uuid_of(v, &["request", "client_machine_id"]));
        assert_eq!(
            format_filetime(r.client_time),
            field(v, &["request", "timestamp_utc"]),
            "{name}"
        );
        assert_eq!(r.workstation_name, field(v, &["request", "workstation"]));
        assert_eq!(
            r.required_client_count,
            num(v, &["request", "required_client_count"]),
            "{name}"
        );
        assert_eq!(r.license_status, num(v, &["request", "license_status"]));
        assert_eq!(
            field(v, &["request", "license_status"]),
            format!(
                "{} ({})",
                r.license_status,
                license_status_name(r.license_status)
            )
        );
        assert_eq!(
            r.binding_expiration,
            num(v, &["request", "binding_expiration_minutes"])
        );
        assert_eq!(r.is_client_vm, 0);
        assert_eq!(r.previous_cmid, Uuid::NIL);
    }

    #[test]
    fn every_vector_bind_pdus_decode() {
        for v in vectors() {
            let bind = decode_bind(v.pdu("c2s", PTYPE_BIND)).unwrap();
            let ack = decode_bind_ack(v.pdu("s2c", PTYPE_BIND_ACK)).unwrap();
            assert_eq!(bind.contexts.len(), ack.results.len(), "{}", v.name);
            if v.chunks.len() > 4 {
                decode_bind_ack(v.pdu("s2c", PTYPE_ALTER_CONTEXT_RESP)).unwrap();
            }
        }
    }

    #[test]
    fn every_vector_request_server_decode_and_client_reencode() {
        for v in vectors() {
            let name = &v.name;
            let stub = request_stub(&v);
            let d = decode_request(&stub).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(d.version, version_of(&v), "{name}");
            check_expected_request(&v, &d.request);
            // Re-encode with the IV taken from the capture: same bytes.
            let blob = rpc_call::decode_request_stub(Ndr::Ndr32, &stub).unwrap();
            let iv = block_at(blob, 4);
            let (again, ctx) = encode_request(d.version, &d.request, iv);
            assert_eq!(again, stub, "{name}: request re-encode");
            assert_eq!(ctx, d.context, "{name}: client and server contexts agree");
            if d.version == ProtocolVersion::V4 {
                assert_eq!(ctx.iv, [0; 16]);
            } else {
                assert_eq!(ctx.div, crypto::decrypt_block(cipher_for(d.version), iv));
            }
        }
    }

    #[test]
    fn every_vector_response_client_decode_and_server_reencode() {
        let mut activated = 0;
        for v in vectors() {
            let name = &v.name;
            let d = decode_request(&request_stub(&v)).unwrap();
            let blob = rpc_call::decode_request_stub(Ndr::Ndr32, &request_stub(&v))
                .unwrap()
                .to_vec();
            let (_, ctx) = encode_request(d.version, &d.request, block_at(&blob, 4));
            let stub = response_stub(&v);
            let resp =
                decode_response(d.version, &stub, &ctx).unwrap_or_else(|e| panic!("{name}: {e}"));
            if !v.expected["error_hresult"].is_null() {
                let hr = field(&v, &["error_hresult"]);
                let hr = u32::from_str_radix(hr.trim_start_matches("0x"), 16).unwrap();
                assert_eq!(resp, Response::Error(hr), "{name}");
                assert_eq!(
                    hresult_name(hr),
                    Some("SL_E_VL_KEY_MANAGEMENT_SERVICE_ID_MISMATCH")
                );
                assert!(v.expected["response"].is_null());
                assert_eq!(encode_error_response(hr), stub, "{name}: error re-encode");
                continue;
            }
            let Response::Activated(a) = resp else {
                panic!("{name}: {resp:?}")
            };
            activated += 1;
            let r = &a.base;
            let size = head(&v, &["response", "size"]).parse::<usize>().unwrap();
            assert_eq!(a.size, size, "{name}");
            assert_eq!(
                field(&v, &["response", "size"]),
                format!("{size} (0x{size:x})")
            );
            assert_eq!(
                format!("{}.{}", r.major_version, r.minor_version),
                field(&v, &["response", "protocol_version"])
            );
            assert_eq!(r.epid, field(&v, &["response", "epid"]), "{name}");
            assert_eq!(r.cmid, uuid_of(&v, &["response", "client_machine_id"]));
            assert_eq!(
                format_filetime(r.client_time),
                field(&v, &["response", "timestamp_utc"])
            );
            assert_eq!(r.current_count, num(&v, &["response", "current_count"]));
            assert_eq!(
                r.renewal_interval,
                num(&v, &["response", "renewal_interval_minutes"])
            );
            assert_eq!(
                r.activation_interval,
                num(&v, &["response", "activation_interval_minutes"])
            );
            match v.expected["response"]["hwid"].as_str() {
                Some(hw) => assert_eq!(a.hwid_hex().as_deref(), Some(hw), "{name}"),
                None => assert_eq!(a.hwid, None, "{name}"),
            }
            match a.version {
                ProtocolVersion::V4 => assert!(a.response_iv.is_none()),
                ProtocolVersion::V5 => assert_eq!(a.response_iv, Some(ctx.iv)),
                ProtocolVersion::V6 => {
                    assert_ne!(a.response_iv, Some(ctx.iv));
                    assert!(a.hmac_slot_offset.is_some());
                }
            }
            // The ePID decodes (§3).
            let e = parse_epid(&r.epid).unwrap();
            assert_eq!(
                (e.platform_id, e.group_id, e.build, e.lcid),
                (3612, 206, 17763, 1033)
            );
            assert_eq!(e.csvlk_name(), Some("Server 2019"));
            // Server side: the same bytes from the decoded fields and the captured randomness.
            let again = encode_response(
                a.version,
                &a.base,
                a.hwid.unwrap_or_default(),
                &d.context,
                &a.response_random(),
            )
            .unwrap();
            assert_eq!(again, stub, "{name}: response re-encode");
            // And from a fresh BaseResponse built the way a responder would.
            let fresh = BaseResponse::for_request(
                &d.context,
                &r.epid,
                r.current_count,
                r.activation_interval,
                r.renewal_interval,
            );
            assert_eq!(&fresh, r, "{name}");
        }
        assert_eq!(activated, 6);
    }

    #[test]
    fn every_vector_emulator_signs() {
        for v in vectors() {
            let name = &v.name;
            let d = decode_request(&request_stub(&v)).unwrap();
            let Ok(Response::Activated(a)) =
                decode_response(d.version, &response_stub(&v), &d.context)
            else {
                continue;
            };
            let bind = decode_bind(v.pdu("c2s", PTYPE_BIND)).unwrap();
            let ack = decode_bind_ack(v.pdu("s2c", PTYPE_BIND_ACK)).unwrap();
            let inputs = SignInputs {
                request: &d.request,
                threshold: d.request.required_client_count,
                previous_epid: None,
                bind: Some((&bind, &ack)),
            };
            let signs = emulator_signs(&a, &inputs);
            let mut expected = Vec::new();
            if a.version == ProtocolVersion::V6 {
                expected.push(EmulatorSign::KnownEmulatorHwId {
                    hwid: VLMCSD_DEFAULT_HWID,
                    emulator: "vlmcsd",
                });
            }
            if a.base.current_count == 2 * d.request.required_client_count {
                expected.push(EmulatorSign::CountExactlyTwiceThreshold {
                    count: a.base.current_count,
                    threshold: d.request.required_client_count,
                });
            }
            assert_eq!(signs, expected, "{name}");
            for s in &signs {
                assert!(!s.describe().is_empty());
            }
            if name.contains("below-threshold") {
                assert_eq!(a.base.current_count, 1);
                assert!(a.base.current_count < d.request.required_client_count);
            }
            // A different earlier ePID is a sign too.
            let again = emulator_signs(
                &a,
                &SignInputs {
                    previous_epid: Some("06401-00206-560-594696-03-1033-9600.0000-2962018"),
                    ..inputs
                },
            );
            assert!(again
                .iter()
                .any(|s| matches!(s, EmulatorSign::EpidChanged { .. })));
        }
    }

    // ---- tampering -----------------------------------------------------------------------------

    /// Decoded request context and response payload of the captured vector `n`.
    fn captured(n: usize) -> (DecodedRequest, Vec<u8>) {
        let vs = vectors();
        let v = &vs[n];
        let d = decode_request(&request_stub(v)).unwrap();
        let stub = response_stub(v);
        let ResponseStub::Data { payload, .. } =
            rpc_call::decode_response_stub(Ndr::Ndr32, &stub).unwrap()
        else {
            panic!()
        };
        (d, payload.to_vec())
    }

    /// Decrypt a v6 payload to view 2, let `f` edit it, re-encrypt.
    fn edit_v6(blob: &[u8], f: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
        let mut view2 = blob[4..].to_vec();
        crypto::cbc_decrypt(Cipher::V6, &[0; 16], &mut view2);
        f(&mut view2);
        crypto::cbc_encrypt(Cipher::V6, &[0; 16], &mut view2);
        [&blob[..4], &view2[..]].concat()
    }

    fn edit_v5(blob: &[u8], f: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
        let iv = block_at(blob, 4);
        let mut plain = blob[20..].to_vec();
        crypto::cbc_decrypt(Cipher::V5, &iv, &mut plain);
        f(&mut plain);
        crypto::cbc_encrypt(Cipher::V5, &iv, &mut plain);
        [&blob[..20], &plain[..]].concat()
    }

    fn check_of(r: Result<ActivationResponse, KmsError>) -> ResponseCheck {
        match r {
            Err(KmsError::Response(c)) => c,
            other => panic!("expected a response check failure, got {other:?}"),
        }
    }

    #[test]
    fn tampered_v4_mac_is_named() {
        let (d, blob) = captured(0);
        let ctx = &d.context;
        let mut m = blob.clone();
        *m.last_mut().unwrap() ^= 1;
        assert_eq!(
            check_of(decode_response_blob(ProtocolVersion::V4, &m, ctx)),
            ResponseCheck::MacMismatch
        );
        let mut m = blob.clone();
        m[40] ^= 0x20; // inside the ePID: MAC catches it before the content checks
        assert_eq!(
            check_of(decode_response_blob(ProtocolVersion::V4, &m, ctx)),
            ResponseCheck::MacMismatch
        );
        // Request MAC on the server side.
        let req = rpc_call::decode_request_stub(Ndr::Ndr32, &request_stub(&vectors()[0]))
            .unwrap()
            .to_vec();
        let mut bad = req.clone();
        bad[100] ^= 4;
        assert_eq!(
            decode_request_blob(&bad),
            Err(KmsError::Request(RequestCheck::MacMismatch))
        );
        // A valid MAC over a changed CMID is caught by the echo check.
        let mut cmid = blob.clone();
        let p = 100;
        cmid[8 + p] ^= 1;
        let base_len = 44 + p;
        let mac = crypto::v4_mac(&cmid[..base_len]);
        cmid[base_len..].copy_from_slice(&mac);
        assert!(matches!(
            check_of(decode_response_blob(ProtocolVersion::V4, &cmid, ctx)),
            ResponseCheck::CmidMismatch { .. }
        ));
    }

    #[test]
    fn tampered_v6_fields_are_named() {
        let (d, blob) = captured(2);
        let ctx = &d.context;
        let v6 = ProtocolVersion::V6;
        let p = 100;
        assert!(decode_response_blob(v6, &blob, ctx).is_ok());
        // view-2 offsets: base at 16, RandomXor 60+P, Hash 76+P, HwId 108+P, XoredIVs 116+P,
        // HMAC 132+P.
        let cases: [(usize, ResponseCheck); 5] = [
            (132 + p + 15, ResponseCheck::HmacMismatch),
            (108 + p, ResponseCheck::HmacMismatch),
            (116 + p, ResponseCheck::XoredIvsMismatch),
            (76 + p, ResponseCheck::HashMismatch),
            (60 + p, ResponseCheck::HashMismatch),
        ];
        for (at, check) in cases {
            let m = edit_v6(&blob, |v| v[at] ^= 0x01);
            assert_eq!(
                check_of(decode_response_blob(v6, &m, ctx)),
                check,
                "at {at}"
            );
        }
        // The base response is covered by the HMAC: current count, ePID, time.
        for at in [16 + 44 + p - 12, 16 + 10, 16 + 24 + p] {
            let m = edit_v6(&blob, |v| v[at] ^= 0x01);
            assert_eq!(
                check_of(decode_response_blob(v6, &m, ctx)),
                ResponseCheck::HmacMismatch,
                "at {at}"
            );
        }
        // Padding and size.
        let m = edit_v6(&blob, |v| {
            let n = v.len();
            v[n - 1] = 0x11;
        });
        assert_eq!(
            check_of(decode_response_blob(v6, &m, ctx)),
            ResponseCheck::PaddingInvalid
        );
        let m = edit_v6(&blob, |v| v.extend_from_slice(&[16; 16]));
        assert_eq!(
            check_of(decode_response_blob(v6, &m, ctx)),
            ResponseCheck::SizeMismatch {
                what: "v6 response",
                expected: 260,
                got: 276
            }
        );
        let m = edit_v6(&blob, |v| v[16 + 4] = 99);
        assert_eq!(
            check_of(decode_response_blob(v6, &m, ctx)),
            ResponseCheck::EpidSizeInvalid { size: 99 }
        );
        assert!(matches!(
            check_of(decode_response_blob(v6, &blob[..blob.len() - 3], ctx)),
            ResponseCheck::NotBlockAligned { encrypted_len: 253 }
        ));
        // Clear version.
        let mut m = blob.clone();
        m[2] = 5;
        assert_eq!(
            check_of(decode_response_blob(v6, &m, ctx)),
            ResponseCheck::VersionMismatch {
                request: (0, 6),
                outer: Some((0, 5)),
                inner: (0, 6)
            }
        );
        // A response for another request (different CMID / time in the context).
        let other = RequestContext {
            cmid: Uuid::NIL,
            ..*ctx
        };
        assert!(matches!(
            check_of(decode_response_blob(v6, &blob, &other)),
            ResponseCheck::CmidMismatch { .. }
        ));
        let other = RequestContext {
            client_time: ctx.client_time + 1,
            ..*ctx
        };
        assert!(matches!(
            check_of(decode_response_blob(v6, &blob, &other)),
            ResponseCheck::ClientTimeMismatch { .. }
        ));
        let other = RequestContext {
            div: [0; 16],
            ..*ctx
        };
        assert_eq!(
            check_of(decode_response_blob(v6, &blob, &other)),
            ResponseCheck::HashMismatch
        );
        assert_eq!(
            decode_response_blob(ProtocolVersion::V5, &blob, ctx),
            Err(KmsError::ContextVersionMismatch {
                called: ProtocolVersion::V5,
                context: ProtocolVersion::V6
            })
        );
    }

    #[test]
    fn v6_iv_reuse_is_a_named_check_and_a_sign() {
        let (d, blob) = captured(2);
        let ctx = &d.context;
        let a = decode_response_blob(ProtocolVersion::V6, &blob, ctx).unwrap();
        let quirk = ResponseRandom {
            iv: ctx.iv,
            ..a.response_random()
        };
        let m = encode_response_blob(ProtocolVersion::V6, &a.base, a.hwid.unwrap(), ctx, &quirk)
            .unwrap();
        let check = check_of(decode_response_blob(ProtocolVersion::V6, &m, ctx));
        assert_eq!(check, ResponseCheck::ResponseIvReused);
        assert_eq!(
            EmulatorSign::from_check(&check),
            Some(EmulatorSign::V6ResponseIvReused)
        );
        assert_eq!(EmulatorSign::from_check(&ResponseCheck::HmacMismatch), None);
    }

    #[test]
    fn tampered_v5_fields_are_named() {
        let (d, blob) = captured(1);
        let ctx = &d.context;
        let v5 = ProtocolVersion::V5;
        let p = 100;
        assert!(decode_response_blob(v5, &blob, ctx).is_ok());
        let m = edit_v5(&blob, |v| v[44 + p + 16 + 3] ^= 1);
        assert_eq!(
            check_of(decode_response_blob(v5, &m, ctx)),
            ResponseCheck::HashMismatch
        );
        let m = edit_v5(&blob, |v| v[44 + p] ^= 1);
        assert_eq!(
            check_of(decode_response_blob(v5, &m, ctx)),
            ResponseCheck::HashMismatch
        );
        // v5 has no integrity over the base response: a changed ePID NUL is caught by the
        // content check, a changed CMID by the echo check.
        let m = edit_v5(&blob, |v| v[8] = 0);
        assert_eq!(
            check_of(decode_response_blob(v5, &m, ctx)),
            ResponseCheck::EpidContainsNul { at: 0 }
        );
        let m = edit_v5(&blob, |v| v[8 + p - 2] = b'x');
        assert_eq!(
            check_of(decode_response_blob(v5, &m, ctx)),
            ResponseCheck::EpidNotTerminated
        );
        let m = edit_v5(&blob, |v| {
            v[8] = 0x00;
            v[9] = 0xD8; // lone high surrogate
        });
        assert_eq!(
            check_of(decode_response_blob(v5, &m, ctx)),
            ResponseCheck::EpidNotUtf16
        );
        let m = edit_v5(&blob, |v| v[8 + p] ^= 1);
        assert!(matches!(
            check_of(decode_response_blob(v5, &m, ctx)),
            ResponseCheck::CmidMismatch { .. }
        ));
        let m = edit_v5(&blob, |v| v[2] = 6);
        assert!(matches!(
            check_of(decode_response_blob(v5, &m, ctx)),
            ResponseCheck::VersionMismatch {
                inner: (0, 6),
                outer: Some((0, 5)),
                ..
            }
        ));
        // A response encrypted under a different IV (but the right DIV).
        let a = decode_response_blob(v5, &blob, ctx).unwrap();
        let wrong = RequestContext {
            iv: [7; 16],
            ..*ctx
        };
        let m = encode_response_blob(v5, &a.base, [0; 8], &wrong, &a.response_random()).unwrap();
        assert_eq!(
            check_of(decode_response_blob(v5, &m, ctx)),
            ResponseCheck::ResponseIvMismatch
        );
    }

    #[test]
    fn server_request_checks_are_named() {
        let (v6, _) = encode_request_blob(
            ProtocolVersion::V6,
            &notes_request(ProtocolVersion::V6),
            [9; 16],
        );
        assert_eq!(
            decode_request_blob(&v6[..259]),
            Err(KmsError::Request(RequestCheck::SizeMismatch {
                expected: 260,
                got: 259
            }))
        );
        let mut bad = v6.clone();
        bad[2] = 5; // v6 ciphertext read as v5: garbage padding
        assert_eq!(
            decode_request_blob(&bad),
            Err(KmsError::Request(RequestCheck::PaddingInvalid))
        );
        let mut bad = v6.clone();
        bad[2] = 7;
        let e = decode_request_blob(&bad).unwrap_err();
        assert_eq!(e, KmsError::UnsupportedVersion { minor: 0, major: 7 });
        assert_eq!(e.responder_hresult(), HRESULT_ERROR_INVALID_DATA);
        let mut bad = v6.clone();
        bad[0] = 1;
        assert_eq!(
            decode_request_blob(&bad),
            Err(KmsError::UnsupportedVersion { minor: 1, major: 6 })
        );
        // Inner version 5 inside a v6 frame.
        let inner5 = BaseRequest {
            major_version: 5,
            ..notes_request(ProtocolVersion::V6)
        };
        let (mixed, _) = encode_request_blob(ProtocolVersion::V6, &inner5, [9; 16]);
        assert_eq!(
            decode_request_blob(&mixed),
            Err(KmsError::Request(RequestCheck::VersionMismatch {
                outer: (0, 6),
                inner: (0, 5)
            }))
        );
        assert!(matches!(
            decode_request(&[1, 2]),
            Err(KmsError::Stub(StubError::Truncated { .. }))
        ));
    }

    #[test]
    fn encode_response_refuses_bad_epids() {
        let ctx = encode_request_blob(
            ProtocolVersion::V6,
            &notes_request(ProtocolVersion::V6),
            [1; 16],
        )
        .1;
        let mut base = BaseResponse::for_request(&ctx, &"9".repeat(63), 50, 120, 10080);
        let r = ResponseRandom {
            iv: [2; 16],
            random: [3; 16],
        };
        let blob = encode_response_blob(ProtocolVersion::V6, &base, [4; 8], &ctx, &r).unwrap();
        assert_eq!(blob.len(), ProtocolVersion::V6.response_len(128));
        let back = decode_response_blob(ProtocolVersion::V6, &blob, &ctx).unwrap();
        assert_eq!(back.base, base);
        assert_eq!(back.hwid, Some([4; 8]));
        assert_eq!(back.random, Some([3; 16]));
        assert_eq!(back.response_iv, Some([2; 16]));
        base.epid.push('9');
        assert_eq!(
            encode_response_blob(ProtocolVersion::V6, &base, [4; 8], &ctx, &r),
            Err(KmsError::EpidTooLong { units: 64 })
        );
        base.epid = "a\0b".into();
        assert_eq!(base.encode(), Err(KmsError::EpidContainsNul));
    }

    #[test]
    fn round_trip_every_version_and_size() {
        // Every ePID length 1..=63, every version: the server's answer passes the client.
        for version in [
            ProtocolVersion::V4,
            ProtocolVersion::V5,
            ProtocolVersion::V6,
        ] {
            let req = BaseRequest {
                major_version: version.major(),
                ..notes_request(version)
            };
            let (stub, ctx) = encode_request(version, &req, [0x5a; 16]);
            let d = decode_request(&stub).unwrap();
            assert_eq!(d.context, ctx);
            for n in 1..=63 {
                let base = BaseResponse::for_request(&ctx, &"7".repeat(n), 3, 15, 43_200);
                let r = ResponseRandom {
                    iv: [n as u8; 16],
                    random: [0xc3; 16],
                };
                let stub = encode_response(version, &base, [1; 8], &d.context, &r).unwrap();
                let Response::Activated(a) = decode_response(version, &stub, &ctx).unwrap() else {
                    panic!()
                };
                assert_eq!(a.base, base);
                assert_eq!(a.size, version.response_len(2 * n + 2));
            }
        }
    }

    // ---- hostile input -------------------------------------------------------------------------

    fn decode_all(blob: &[u8], ctxs: &[RequestContext]) {
        for ctx in ctxs {
            for v in [
                ProtocolVersion::V4,
                ProtocolVersion::V5,
                ProtocolVersion::V6,
            ] {
                let _ = decode_response_blob(v, blob, ctx);
                let _ = decode_response(v, blob, ctx);
            }
        }
        let _ = decode_request_blob(blob);
        let _ = decode_request(blob);
        let _ = BaseRequest::decode(blob);
        let _ = parse_epid(&String::from_utf8_lossy(blob));
    }

    #[test]
    fn hostile_every_prefix_and_bit_flip_of_every_capture() {
        for v in vectors() {
            let name = &v.name;
            let d = decode_request(&request_stub(&v)).unwrap();
            let ctx = d.context;
            let ctxs = [ctx];
            let req_stub = request_stub(&v);
            let req_blob = rpc_call::decode_request_stub(Ndr::Ndr32, &req_stub)
                .unwrap()
                .to_vec();
            let resp_stub = response_stub(&v);
            let resp = decode_response(d.version, &resp_stub, &ctx).unwrap();
            let resp_blob = match rpc_call::decode_response_stub(Ndr::Ndr32, &resp_stub) {
                Ok(ResponseStub::Data { payload, .. }) => payload.to_vec(),
                _ => resp_stub.clone(),
            };
            for n in 0..req_blob.len() {
                assert!(decode_request_blob(&req_blob[..n]).is_err(), "{name} {n}");
                decode_all(&req_blob[..n], &ctxs);
            }
            for n in 0..req_stub.len() {
                assert!(decode_request(&req_stub[..n]).is_err(), "{name} {n}");
            }
            for n in 0..resp_stub.len() {
                assert!(
                    decode_response(d.version, &resp_stub[..n], &ctx).is_err(),
                    "{name}: response stub prefix {n}"
                );
            }
            for n in 0..resp_blob.len() {
                assert!(
                    decode_response_blob(d.version, &resp_blob[..n], &ctx).is_err(),
                    "{name}: response prefix {n}"
                );
                decode_all(&resp_blob[..n], &ctxs);
            }
            for bit in 0..req_blob.len() * 8 {
                let mut m = req_blob.clone();
                m[bit / 8] ^= 1 << (bit % 8);
                let r = decode_request_blob(&m);
                // v4 is MAC-protected. v5/v6 requests have no integrity check at all: a flip
                // may decode to different fields, or to the same ones when it lands in the
                // zero fill after the workstation name's NUL, which decoding ignores.
                if d.version == ProtocolVersion::V4 {
                    assert!(r.is_err(), "{name}: request bit {bit}");
                }
            }
            if matches!(resp, Response::Error(_)) {
                for bit in 0..resp_stub.len() * 8 {
                    let mut m = resp_stub.clone();
                    m[bit / 8] ^= 1 << (bit % 8);
                    let r = decode_response(d.version, &m, &ctx);
                    // §1.8: referent 0 *or* size 0 means "read the HRESULT", so one flipped
                    // leading word still gives the same error; a flipped HRESULT never does.
                    if bit / 8 >= 8 {
                        assert_ne!(r, Ok(resp.clone()), "{name}: error stub bit {bit}");
                    }
                }
                continue;
            }
            for bit in 0..resp_stub.len() * 8 {
                let mut m = resp_stub.clone();
                m[bit / 8] ^= 1 << (bit % 8);
                let r = decode_response(d.version, &m, &ctx);
                if (4..8).contains(&(bit / 8)) {
                    // The referent id: any non-zero value is a valid NDR pointer.
                    continue;
                }
                match d.version {
                    // MAC / HMAC cover everything: a flip never yields an activation.
                    ProtocolVersion::V4 | ProtocolVersion::V6 => assert!(
                        !matches!(r, Ok(Response::Activated(_))),
                        "{name}: response stub bit {bit}: {r:?}"
                    ),
                    // v5 protects only Random; a flip inside the base response can survive.
                    ProtocolVersion::V5 => assert_ne!(r, Ok(resp.clone()), "{name}: bit {bit}"),
                }
            }
            for bit in 0..resp_blob.len() * 8 {
                let mut m = resp_blob.clone();
                m[bit / 8] ^= 1 << (bit % 8);
                let r = decode_response_blob(d.version, &m, &ctx);
                if d.version != ProtocolVersion::V5 {
                    assert!(r.is_err(), "{name}: response bit {bit}");
                }
                decode_all(&m, &ctxs);
            }
        }
    }

    #[test]
    fn hostile_random_payloads() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let (_, ctx) = encode_request_blob(
            ProtocolVersion::V6,
            &notes_request(ProtocolVersion::V6),
            [0; 16],
        );
        for round in 0..3000 {
            let len = (next() % 400) as usize;
            let mut b: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            if round % 3 == 0 && len >= 8 {
                // Plausible headers: version 4..6 and a plausible ePID size.
                b[..8].copy_from_slice(&[0, 0, 4 + (round % 3) as u8, 0, 100, 0, 0, 0]);
            }
            decode_all(&b, &[ctx]);
            // Valid v6 structure with random content: exercises the inner parsers.
            if round % 2 == 0 {
                let mut view2 = b.clone();
                crypto::pkcs7_pad(&mut view2);
                crypto::cbc_encrypt(Cipher::V6, &[0; 16], &mut view2);
                let blob = [&[0u8, 0, 6, 0][..], &view2].concat();
                assert!(decode_response_blob(ProtocolVersion::V6, &blob, &ctx).is_err());
            }
        }
    }

    // ---- ePID and signs ------------------------------------------------------------------------

    #[test]
    fn epid_parsing() {
        let e = parse_epid("06401-00206-560-594696-03-1033-9600.0000-2962018").unwrap();
        assert_eq!(
            e,
            Epid {
                platform_id: 6401,
                group_id: 206,
                key_id: 560_594_696,
                channel: 3,
                lcid: 1033,
                build: 9600,
                day_of_year: 296,
                year: 2018,
            }
        );
        assert_eq!(e.activation_date(), Some((2018, 10, 23)));
        assert_eq!(e.platform_name(), Some("Windows 8.1 / Server 2012 R2"));
        assert_eq!(e.csvlk_name(), Some("Server 2019"));
        assert_eq!(e.expected_platform(), Some(6401));
        let e = parse_epid("55041-00096-199-000000-03-1031-7601.0000-0012010").unwrap();
        assert_eq!(e.csvlk_name(), Some("Office 2010"));
        assert_eq!(e.activation_date(), Some((2010, 1, 1)));
        for (bad, err) in [
            ("", EpidError::PartCount { found: 1 }),
            (
                "06401-00206-560-594696-03-1033-9600.0000",
                EpidError::PartCount { found: 7 },
            ),
            (
                "6401-00206-560-594696-03-1033-9600.0000-2962018",
                EpidError::Field {
                    field: "platform id",
                    text: "6401".into(),
                },
            ),
            (
                "06401-00206-560-594696-03-1033-9600-2962018",
                EpidError::BuildSuffix {
                    text: "9600".into(),
                },
            ),
            (
                "06401-00206-560-59469x-03-1033-9600.0000-2962018",
                EpidError::Field {
                    field: "key id (low part)",
                    text: "59469x".into(),
                },
            ),
            (
                "06401-00206-560-594696-03-+033-9600.0000-2962018",
                EpidError::Field {
                    field: "LCID",
                    text: "+033".into(),
                },
            ),
            (
                "06401-00206-560-594696-03-1033-.0000-2962018",
                EpidError::Field {
                    field: "build",
                    text: "".into(),
                },
            ),
            (
                "06401-00206-560-594696-03-1033-9600.0000-296201",
                EpidError::Field {
                    field: "activation date (DDDYYYY)",
                    text: "296201".into(),
                },
            ),
        ] {
            assert_eq!(parse_epid(bad), Err(err.clone()), "{bad}");
            assert!(!err.to_string().is_empty());
        }
        assert!(parse_epid("é6401-00206-560-594696-03-1033-9600.0000-2962018").is_err());
    }

    fn synthetic(epid: &str, count: u32, hwid: Option<[u8; 8]>) -> ActivationResponse {
        ActivationResponse {
            version: ProtocolVersion::V6,
            base: BaseResponse {
                minor_version: 0,
                major_version: 6,
                epid: epid.into(),
                cmid: Uuid::NIL,
                client_time: 0,
                current_count: count,
                activation_interval: 120,
                renewal_interval: 10080,
            },
            hwid,
            response_iv: Some([1; 16]),
            random: Some([2; 16]),
            hmac_slot_offset: Some(0),
            size: 260,
        }
    }

    #[test]
    fn signs_from_the_notes() {
        let req = notes_request(ProtocolVersion::V6); // 2024-09-06, N = 25
        let inputs = SignInputs {
            request: &req,
            threshold: 25,
            previous_epid: None,
            bind: None,
        };
        // The §2.8 lab example: Server-2019 key range on build 6002 with platform 03612.
        let r = synthetic(
            "03612-00206-556-123727-03-1033-6002.0000-0002030",
            51,
            Some(PY_KMS_DEFAULT_HWID),
        );
        let signs = emulator_signs(&r, &inputs);
        assert_eq!(
            signs,
            vec![
                EmulatorSign::KnownEmulatorHwId {
                    hwid: PY_KMS_DEFAULT_HWID,
                    emulator: "py-kms"
                },
                EmulatorSign::CountAboveCap { count: 51, cap: 50 },
                EmulatorSign::EpidPlatformBuildMismatch {
                    platform_id: 3612,
                    build: 6002,
                    expected_platform: 55041
                },
                EmulatorSign::EpidInvalidDay {
                    day_of_year: 0,
                    year: 2030
                },
            ]
        );
        // Future date relative to the request (2024-09-06 is day 250).
        let r = synthetic(
            "03612-00206-556-123727-03-1033-17763.0000-2512024",
            7,
            Some([9; 8]),
        );
        assert_eq!(
            emulator_signs(&r, &inputs),
            vec![EmulatorSign::EpidDateInFuture {
                day_of_year: 251,
                year: 2024
            }]
        );
        let r = synthetic(
            "03612-00206-556-123727-03-1033-17763.0000-2502024",
            7,
            Some([9; 8]),
        );
        assert_eq!(emulator_signs(&r, &inputs), vec![]);
        assert_eq!(filetime_year_day(req.client_time), (2024, 250));
        // Bind-level signs: NDR64 refused on a modern build, py-kms assoc group and flags.
        let bind = BindRequest {
            header: crate::dcerpc::PduHeader::new(PTYPE_BIND, 3, 2),
            ..BindRequest::kms_windows_style(2)
        };
        let ack = crate::dcerpc::BindAck {
            header: crate::dcerpc::PduHeader::new(PTYPE_BIND_ACK, 0x13, 2),
            max_xmit_frag: 5840,
            max_recv_frag: 5840,
            assoc_group_id: PY_KMS_ASSOC_GROUP,
            secondary_address: "1688".into(),
            results: vec![
                crate::dcerpc::ContextResult::accepted(crate::dcerpc::NDR32),
                crate::dcerpc::ContextResult::provider_rejection(2),
                crate::dcerpc::ContextResult::negotiate_ack(3),
            ],
        };
        let signs = emulator_signs(
            &r,
            &SignInputs {
                bind: Some((&bind, &ack)),
                ..inputs
            },
        );
        assert_eq!(
            signs,
            vec![
                EmulatorSign::NoNdr64OnModernBuild { build: 17763 },
                EmulatorSign::PyKmsAssocGroup,
                EmulatorSign::BindAckConcMpxNotRequested { flags: 0x13 },
            ]
        );
        for s in signs {
            assert!(!s.describe().is_empty());
        }
    }

    #[test]
    fn names_and_time_helpers() {
        assert_eq!(
            hresult_name(SL_E_VL_INVALID_TIMESTAMP),
            Some("SL_E_VL_INVALID_TIMESTAMP")
        );
        assert_eq!(hresult_name(1), None);
        assert_eq!(license_status_name(2), "OOB grace");
        assert_eq!(
            filetime_to_unix(unix_to_filetime(1_800_000_000)),
            1_800_000_000
        );
        assert_eq!(format_filetime(0), "1601-01-01 00:00:00");
        assert!(format_filetime(u64::MAX).starts_with("60056-"));
        assert_eq!(ProtocolVersion::try_from(6), Ok(ProtocolVersion::V6));
        assert!(ProtocolVersion::try_from(7).is_err());
        assert_eq!(ProtocolVersion::V6.to_string(), "6.0");
        assert_eq!(ProtocolVersion::V4.response_len(100), 160);
        assert_eq!(ProtocolVersion::V5.response_len(100), 228);
        assert_eq!(ProtocolVersion::V5.response_len(98), 212);
        assert_eq!(ProtocolVersion::V6.response_len(98), 260);
        let e = KmsError::Response(ResponseCheck::HmacMismatch);
        assert_eq!(
            e.to_string(),
            "KMS response check failed: v6 HMAC does not match for time slots -1, 0 or +1"
        );
        assert_eq!(e.response_check(), Some(&ResponseCheck::HmacMismatch));
    }
}
