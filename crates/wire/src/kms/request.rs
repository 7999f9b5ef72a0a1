//! The base request (§2.1) and its per-version framing (§2.2), client and server side.

use super::*;

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

pub(super) struct Writer<'a> {
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
pub(super) fn workstation_units(name: &str) -> Vec<u16> {
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

pub(super) fn cipher_for(version: ProtocolVersion) -> Cipher {
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
