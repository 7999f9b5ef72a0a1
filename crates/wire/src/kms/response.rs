//! The base response (§2.3), its framing per version (§2.4) and the client checks (§2.6), client and server side.

use super::*;

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
pub(super) struct RawBase<'a> {
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
pub(super) fn epid_size(b: &[u8]) -> Result<usize, KmsError> {
    let mut r = Reader::new(b);
    r.take(4, "response version")?;
    let size = r.u32("ePID size")?;
    let p = size as usize;
    if !size.is_multiple_of(2) || !(2..=MAX_EPID_BYTES).contains(&p) {
        return Err(ResponseCheck::EpidSizeInvalid { size }.into());
    }
    Ok(p)
}

pub(super) fn split_base(b: &[u8]) -> Result<RawBase<'_>, KmsError> {
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
pub(super) fn epid_text(bytes: &[u8]) -> Result<String, ResponseCheck> {
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
pub(super) fn finish_base(
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

pub(super) fn check_size(what: &'static str, expected: usize, got: usize) -> Result<(), KmsError> {
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

pub(super) fn decode_v4(blob: &[u8], ctx: &RequestContext) -> Result<ActivationResponse, KmsError> {
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
pub(super) fn open_encrypted(
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

pub(super) fn decode_v5(blob: &[u8], ctx: &RequestContext) -> Result<ActivationResponse, KmsError> {
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

pub(super) fn decode_v6(blob: &[u8], ctx: &RequestContext) -> Result<ActivationResponse, KmsError> {
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
