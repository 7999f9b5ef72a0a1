//! Errors: the §2.6 client checks, the server-side request checks, and [`KmsError`].

use super::*;

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
