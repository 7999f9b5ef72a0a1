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
    if size % 2 != 0 || !(2..=MAX_EPID_BYTES).contains(&p) {
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
