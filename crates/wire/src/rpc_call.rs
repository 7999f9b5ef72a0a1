//! DCE/RPC calls on an accepted context: the request PDU (PTYPE 0) that carries
//! `RequestActivation` (opnum 0), the response PDU (PTYPE 2) and the fault PDU (PTYPE 3), plus
//! the NDR marshalling of that one operation's arguments (the "stub").
//!
//! Why a module of its own: the bind code ([`crate::dcerpc`]) decides *whether* we may call the
//! KMS interface; this module moves the KMS payload in and out of a call, and the KMS module
//! ([`crate::kms`]) gives the payload meaning. Both sides are here: the client encodes requests
//! and decodes responses/faults, the lab test responder decodes requests and encodes
//! responses/faults.
//!
//! Pure code: no I/O, std only, no panics on any input. Layouts: protocol notes §1.7 (request
//! and NDR32/NDR64 request stub), §1.8 (response, success and error stubs), §1.9 (fault),
//! §1.10 (pitfalls: HRESULT read from the end of the stub, 0–3 pad bytes, NULL referent).

use std::fmt;

use crate::dcerpc::{
    decode_fault, decode_pdu_header, Fault, PduHeader, Uuid, WireError, HEADER_LEN,
    PFC_DID_NOT_EXECUTE, PFC_FIRST_FRAG, PFC_LAST_FRAG, PFC_OBJECT_UUID, PTYPE_FAULT,
    PTYPE_REQUEST, PTYPE_RESPONSE,
};

/// `RequestActivation` is the only operation of the KMS interface (protocol notes §1.3).
pub const OPNUM_REQUEST_ACTIVATION: u16 = 0;

/// Header of a request PDU up to the stub (common header + alloc_hint, p_cont_id, opnum).
pub const REQUEST_HEADER_LEN: usize = 24;
/// Header of a response PDU up to the stub (common header + alloc_hint, p_cont_id,
/// cancel_count, reserved).
pub const RESPONSE_HEADER_LEN: usize = 24;
/// A fault PDU: header, alloc_hint, p_cont_id, cancel_count, reserved, status, reserved.
pub const FAULT_LEN: usize = 32;

/// Referent id Microsoft's NDR engine gives the first embedded pointer; vlmcsd and py-kms copy
/// it (protocol notes §1.8), so we send it too.
pub const NDR_FIRST_REFERENT_ID: u32 = 0x0002_0000;

/// Largest stub we put into one PDU: frag_length is a u16 and KMS never fragments.
pub const MAX_STUB_LEN: usize = u16::MAX as usize - REQUEST_HEADER_LEN;

// ---------------------------------------------------------------------------------------------
// PDUs
// ---------------------------------------------------------------------------------------------

/// A request PDU (PTYPE 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestPdu {
    /// flags and call_id are encoded; frag_length and auth_length are computed.
    pub header: PduHeader,
    /// Length of the stub as announced by the sender (Windows and vlmcs: exact).
    pub alloc_hint: u32,
    /// The accepted presentation context id from the bind_ack.
    pub context_id: u16,
    pub opnum: u16,
    /// Present when pfc_flags has PFC_OBJECT_UUID (never in KMS; decoded so the responder can
    /// say what it saw).
    pub object: Option<Uuid>,
    /// The NDR-marshalled arguments.
    pub stub: Vec<u8>,
}

impl RequestPdu {
    /// A `RequestActivation` call: FIRST|LAST, opnum 0, alloc_hint = stub length.
    pub fn request_activation(call_id: u32, context_id: u16, stub: Vec<u8>) -> RequestPdu {
        RequestPdu {
            header: PduHeader::new(PTYPE_REQUEST, PFC_FIRST_FRAG | PFC_LAST_FRAG, call_id),
            alloc_hint: u32::try_from(stub.len()).unwrap_or(u32::MAX),
            context_id,
            opnum: OPNUM_REQUEST_ACTIVATION,
            object: None,
            stub,
        }
    }
}

/// A response PDU (PTYPE 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponsePdu {
    /// flags and call_id are encoded; frag_length and auth_length are computed.
    pub header: PduHeader,
    /// vlmcsd and py-kms: the stub length.
    pub alloc_hint: u32,
    /// Echo of the request's context id.
    pub context_id: u16,
    pub cancel_count: u8,
    pub reserved: u8,
    pub stub: Vec<u8>,
}

impl ResponsePdu {
    /// The answer to `call_id` on `context_id`: FIRST|LAST, alloc_hint = stub length.
    pub fn new(call_id: u32, context_id: u16, stub: Vec<u8>) -> ResponsePdu {
        ResponsePdu {
            header: PduHeader::new(PTYPE_RESPONSE, PFC_FIRST_FRAG | PFC_LAST_FRAG, call_id),
            alloc_hint: u32::try_from(stub.len()).unwrap_or(u32::MAX),
            context_id,
            cancel_count: 0,
            reserved: 0,
            stub,
        }
    }
}

/// What a server answered to a request: a response or a fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallReply {
    Response(ResponsePdu),
    Fault(Fault),
}

/// Check the common header and that the whole PDU is there; return it cut to frag_length.
/// The same rules as the bind decoders (protocol notes §1.10): single fragment, no auth —
/// the same code, `dcerpc`'s own PDU opener.
fn open_call_pdu<'a>(
    bytes: &'a [u8],
    expected: &'static str,
    ptype: u8,
    minimum: usize,
) -> Result<(PduHeader, &'a [u8]), WireError> {
    let (header, _) = crate::dcerpc::open_pdu(bytes, expected, &[ptype], minimum)?;
    // open_pdu checked that frag_length bytes are there.
    let pdu = bytes
        .get(..usize::from(header.frag_length))
        .unwrap_or(bytes);
    Ok((header, pdu))
}

fn le_u16(b: &[u8], at: usize) -> u16 {
    match b.get(at..at + 2) {
        Some(&[x, y]) => u16::from_le_bytes([x, y]),
        _ => 0,
    }
}

fn le_u32(b: &[u8], at: usize) -> u32 {
    match b.get(at..at + 4) {
        Some(&[a, c, d, e]) => u32::from_le_bytes([a, c, d, e]),
        _ => 0,
    }
}

fn put_header(out: &mut Vec<u8>, header: &PduHeader, ptype: u8) {
    out.extend_from_slice(&[5, 0, ptype, header.flags]);
    out.extend_from_slice(&crate::dcerpc::DREP_LE);
    out.extend_from_slice(&[0, 0, 0, 0]); // frag_length (patched), auth_length 0
    out.extend_from_slice(&header.call_id.to_le_bytes());
}

fn patch_frag_length(mut out: Vec<u8>) -> Vec<u8> {
    let len = u16::try_from(out.len()).unwrap_or(u16::MAX);
    if let Some(f) = out.get_mut(8..10) {
        f.copy_from_slice(&len.to_le_bytes());
    }
    out
}

/// Encode a request PDU. The stub is cut to [`MAX_STUB_LEN`] (minus the object UUID, if any)
/// so the result is always a consistent PDU; KMS stubs are 260–276 bytes.
pub fn encode_request_pdu(req: &RequestPdu) -> Vec<u8> {
    let flags = match req.object {
        Some(_) => req.header.flags | PFC_OBJECT_UUID,
        None => req.header.flags & !PFC_OBJECT_UUID,
    };
    let header = PduHeader {
        flags,
        ..req.header
    };
    let room = MAX_STUB_LEN - if req.object.is_some() { 16 } else { 0 };
    let stub = req.stub.get(..room).unwrap_or(&req.stub);
    let mut out = Vec::with_capacity(REQUEST_HEADER_LEN + 16 + stub.len());
    put_header(&mut out, &header, PTYPE_REQUEST);
    out.extend_from_slice(&req.alloc_hint.to_le_bytes());
    out.extend_from_slice(&req.context_id.to_le_bytes());
    out.extend_from_slice(&req.opnum.to_le_bytes());
    if let Some(obj) = req.object {
        out.extend_from_slice(&obj.to_wire());
    }
    out.extend_from_slice(stub);
    patch_frag_length(out)
}

/// Decode a request PDU (for the lab responder). The stub is everything after the header (and
/// the object UUID) up to frag_length; bytes after frag_length belong to the next PDU.
pub fn decode_request_pdu(bytes: &[u8]) -> Result<RequestPdu, WireError> {
    let (header, pdu) = open_call_pdu(bytes, "request", PTYPE_REQUEST, REQUEST_HEADER_LEN)?;
    let mut at = REQUEST_HEADER_LEN;
    let object = if header.flags & PFC_OBJECT_UUID != 0 {
        let raw: [u8; 16] = pdu.get(at..at + 16).and_then(|s| s.try_into().ok()).ok_or(
            WireError::FragLengthInconsistent {
                what: "object UUID",
                offset: at,
                needed: 16,
                frag_length: header.frag_length,
            },
        )?;
        at += 16;
        Some(Uuid::from_wire(raw))
    } else {
        None
    };
    Ok(RequestPdu {
        header,
        alloc_hint: le_u32(pdu, 16),
        context_id: le_u16(pdu, 20),
        opnum: le_u16(pdu, 22),
        object,
        stub: pdu.get(at..).unwrap_or_default().to_vec(),
    })
}

/// Encode a response PDU (for the lab responder). The stub is cut to [`MAX_STUB_LEN`].
pub fn encode_response_pdu(resp: &ResponsePdu) -> Vec<u8> {
    let stub = resp.stub.get(..MAX_STUB_LEN).unwrap_or(&resp.stub);
    let mut out = Vec::with_capacity(RESPONSE_HEADER_LEN + stub.len());
    put_header(&mut out, &resp.header, PTYPE_RESPONSE);
    out.extend_from_slice(&resp.alloc_hint.to_le_bytes());
    out.extend_from_slice(&resp.context_id.to_le_bytes());
    out.extend_from_slice(&[resp.cancel_count, resp.reserved]);
    out.extend_from_slice(stub);
    patch_frag_length(out)
}

/// Decode a response PDU.
pub fn decode_response_pdu(bytes: &[u8]) -> Result<ResponsePdu, WireError> {
    let (header, pdu) = open_call_pdu(bytes, "response", PTYPE_RESPONSE, RESPONSE_HEADER_LEN)?;
    Ok(ResponsePdu {
        header,
        alloc_hint: le_u32(pdu, 16),
        context_id: le_u16(pdu, 20),
        cancel_count: pdu.get(22).copied().unwrap_or(0),
        reserved: pdu.get(23).copied().unwrap_or(0),
        stub: pdu.get(RESPONSE_HEADER_LEN..).unwrap_or_default().to_vec(),
    })
}

/// Decode what a server sent after a request: a response or a fault. Any other PDU type is
/// [`WireError::UnexpectedPtype`]. Matching the call_id is the caller's business: vlmcsd puts
/// its own counter into faults (protocol notes §1.9).
pub fn decode_call_reply(bytes: &[u8]) -> Result<CallReply, WireError> {
    let header = decode_pdu_header(bytes)?;
    match header.ptype {
        PTYPE_RESPONSE => decode_response_pdu(bytes).map(CallReply::Response),
        PTYPE_FAULT => decode_fault(bytes).map(CallReply::Fault),
        got => Err(WireError::UnexpectedPtype {
            expected: "response or fault",
            got,
        }),
    }
}

/// Encode a 32-byte fault (for the lab responder): FIRST|LAST|DID_NOT_EXECUTE (`0x23`), as
/// servers send when the call never ran (protocol notes §1.9).
pub fn encode_fault(call_id: u32, context_id: u16, status: u32) -> Vec<u8> {
    let header = PduHeader::new(
        PTYPE_FAULT,
        PFC_FIRST_FRAG | PFC_LAST_FRAG | PFC_DID_NOT_EXECUTE,
        call_id,
    );
    let mut out = Vec::with_capacity(FAULT_LEN);
    put_header(&mut out, &header, PTYPE_FAULT);
    out.extend_from_slice(&0u32.to_le_bytes()); // alloc_hint
    out.extend_from_slice(&context_id.to_le_bytes());
    out.extend_from_slice(&[0, 0]); // cancel_count, reserved
    out.extend_from_slice(&status.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    patch_frag_length(out)
}

// ---------------------------------------------------------------------------------------------
// NDR stubs of RequestActivation
// ---------------------------------------------------------------------------------------------

/// Transfer syntax of the accepted context, which decides the integer widths in the stub.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ndr {
    /// NDR 2.0 (`8a885d04…`, "NDR32"): sizes and referent ids are 4 bytes.
    Ndr32,
    /// NDR64 (`71710533…`): sizes and referent ids are 8 bytes.
    Ndr64,
}

impl Ndr {
    /// Width of a size, count or referent id.
    pub const fn word(self) -> usize {
        match self {
            Ndr::Ndr32 => 4,
            Ndr::Ndr64 => 8,
        }
    }
}

/// Why a stub does not match the `RequestActivation` IDL (protocol notes §1.7, §1.8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StubError {
    /// The stub ends before `what` (at stub offset `offset`, `needed` bytes).
    Truncated {
        what: &'static str,
        offset: usize,
        needed: usize,
        available: usize,
    },
    /// The `requestSize` / `*responseSize` argument disagrees with the array's max_count.
    SizeMismatch { size: u64, max_count: u64 },
    /// A size does not fit in memory on this platform or exceeds a PDU.
    SizeTooLarge { size: u64 },
    /// More than the 0–3 alignment bytes (or junk) between the array and the HRESULT.
    TrailingBytes { extra: usize },
    /// NDR64 alignment bytes after `requestSize` are not zero (a mis-marshalled int).
    NonZeroAlignment,
}

impl fmt::Display for StubError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StubError::Truncated {
                what,
                offset,
                needed,
                available,
            } => write!(
                f,
                "stub truncated: {what} at stub offset {offset} needs {needed} bytes, stub has \
                 {available}"
            ),
            StubError::SizeMismatch { size, max_count } => write!(
                f,
                "stub inconsistent: size argument {size} but array max_count {max_count}"
            ),
            StubError::SizeTooLarge { size } => {
                write!(f, "stub size argument {size} is larger than any PDU")
            }
            StubError::TrailingBytes { extra } => write!(
                f,
                "stub has {extra} bytes between the array and the return value (at most 3 \
                 alignment bytes allowed)"
            ),
            StubError::NonZeroAlignment => {
                f.write_str("NDR64 stub: the 4 alignment bytes after requestSize are not zero")
            }
        }
    }
}

impl std::error::Error for StubError {}

/// Bounds-checked reader over a stub.
struct StubReader<'a> {
    stub: &'a [u8],
    pos: usize,
}

impl<'a> StubReader<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], StubError> {
        let err = StubError::Truncated {
            what,
            offset: self.pos,
            needed: n,
            available: self.stub.len(),
        };
        let end = self.pos.checked_add(n).ok_or(err.clone())?;
        let s = self.stub.get(self.pos..end).ok_or(err)?;
        self.pos = end;
        Ok(s)
    }

    /// One NDR word (u32 for NDR32, u64 for NDR64).
    fn word(&mut self, ndr: Ndr, what: &'static str) -> Result<u64, StubError> {
        let b = self.take(ndr.word(), what)?;
        let mut w = [0u8; 8];
        w.get_mut(..b.len())
            .ok_or(StubError::Truncated {
                what,
                offset: self.pos,
                needed: ndr.word(),
                available: self.stub.len(),
            })?
            .copy_from_slice(b);
        Ok(u64::from_le_bytes(w))
    }

    fn size(&mut self, ndr: Ndr, what: &'static str) -> Result<usize, StubError> {
        let v = self.word(ndr, what)?;
        usize::try_from(v)
            .ok()
            .filter(|&n| n <= MAX_STUB_LEN)
            .ok_or(StubError::SizeTooLarge { size: v })
    }
}

fn put_word(out: &mut Vec<u8>, ndr: Ndr, v: u64) {
    match ndr {
        // NDR32 sizes are 32-bit; callers pass values < 64 KiB.
        Ndr::Ndr32 => out.extend_from_slice(&(v as u32).to_le_bytes()),
        Ndr::Ndr64 => out.extend_from_slice(&v.to_le_bytes()),
    }
}

/// Marshal the `[in]` arguments: `requestSize` and the conformant byte array (no referent id:
/// a top-level `[in]` pointer is a reference pointer). NDR32: 8 + N bytes; NDR64: 16 + N
/// (`requestSize` is an int padded to 8, equivalently a u64). The payload is cut to
/// [`MAX_STUB_LEN`] so the stub always fits one PDU.
pub fn encode_request_stub(ndr: Ndr, payload: &[u8]) -> Vec<u8> {
    let payload = payload.get(..MAX_STUB_LEN - 16).unwrap_or(payload);
    let n = payload.len() as u64;
    let mut out = Vec::with_capacity(16 + payload.len());
    put_word(&mut out, ndr, n); // requestSize (NDR64: int + 4 zero alignment bytes)
    put_word(&mut out, ndr, n); // max_count
    out.extend_from_slice(payload);
    out
}

/// Unmarshal the `[in]` arguments and return the KMS request bytes. Trailing bytes after the
/// array are refused (they would mean the sizes are wrong).
pub fn decode_request_stub(ndr: Ndr, stub: &[u8]) -> Result<&[u8], StubError> {
    let mut r = StubReader { stub, pos: 0 };
    let size = match ndr {
        Ndr::Ndr32 => r.size(ndr, "requestSize")?,
        Ndr::Ndr64 => {
            // An int followed by 4 alignment bytes; read it as u64 so junk there is caught.
            let raw = r.word(ndr, "requestSize")?;
            if raw > u64::from(u32::MAX) {
                return Err(StubError::NonZeroAlignment);
            }
            usize::try_from(raw)
                .ok()
                .filter(|&n| n <= MAX_STUB_LEN)
                .ok_or(StubError::SizeTooLarge { size: raw })?
        }
    };
    let max_count = r.size(ndr, "request array max_count")?;
    if size != max_count {
        return Err(StubError::SizeMismatch {
            size: size as u64,
            max_count: max_count as u64,
        });
    }
    let payload = r.take(size, "request bytes")?;
    let extra = stub.len().saturating_sub(r.pos);
    if extra != 0 {
        return Err(StubError::TrailingBytes { extra });
    }
    Ok(payload)
}

/// The `[out]` arguments of `RequestActivation` as found in a response stub.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseStub<'a> {
    /// The output pointer is non-NULL: the KMS response bytes and the function's return value
    /// (0 on success; a host could in principle return data *and* an error).
    Data { payload: &'a [u8], hresult: u32 },
    /// The error form: responseSize 0 and/or NULL referent, then the HRESULT
    /// (protocol notes §1.8, §2.7).
    Error { hresult: u32 },
}

/// Marshal the `[out]` arguments of a successful call: responseSize, referent id 0x20000,
/// max_count, the bytes, zero pad to 4 and a zero HRESULT. NDR32: 12 + M + pad + 4.
pub fn encode_response_stub(ndr: Ndr, payload: &[u8]) -> Vec<u8> {
    encode_response_stub_with(ndr, payload, 0)
}

/// Like [`encode_response_stub`] with an explicit return value (for lab quirk tests).
pub fn encode_response_stub_with(ndr: Ndr, payload: &[u8], hresult: u32) -> Vec<u8> {
    let payload = payload.get(..MAX_STUB_LEN - 32).unwrap_or(payload);
    let m = payload.len() as u64;
    let mut out = Vec::with_capacity(32 + payload.len());
    put_word(&mut out, ndr, m);
    put_word(&mut out, ndr, u64::from(NDR_FIRST_REFERENT_ID));
    put_word(&mut out, ndr, m);
    out.extend_from_slice(payload);
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
    out.extend_from_slice(&hresult.to_le_bytes());
    out
}

/// Marshal the error form: responseSize 0, NULL referent, HRESULT (NDR32 12 bytes, NDR64 20).
pub fn encode_error_stub(ndr: Ndr, hresult: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(20);
    put_word(&mut out, ndr, 0);
    put_word(&mut out, ndr, 0);
    out.extend_from_slice(&hresult.to_le_bytes());
    out
}

/// Unmarshal a response stub. Follows the client rule of protocol notes §1.8/§1.10: a NULL
/// referent or a zero responseSize means "read the HRESULT and stop"; otherwise read the array,
/// allow 0–3 pad bytes, and take the HRESULT from the **last** 4 bytes (vlmcsd writes the
/// return value before the pad).
pub fn decode_response_stub(ndr: Ndr, stub: &[u8]) -> Result<ResponseStub<'_>, StubError> {
    let mut r = StubReader { stub, pos: 0 };
    let size = r.word(ndr, "responseSize")?;
    let referent = r.word(ndr, "response referent id")?;
    if referent == 0 || size == 0 {
        let hr = r.take(4, "return value (HRESULT)")?;
        let extra = stub.len().saturating_sub(r.pos);
        if extra != 0 {
            return Err(StubError::TrailingBytes { extra });
        }
        return Ok(ResponseStub::Error {
            hresult: le_u32(hr, 0),
        });
    }
    let size = usize::try_from(size)
        .ok()
        .filter(|&n| n <= MAX_STUB_LEN)
        .ok_or(StubError::SizeTooLarge { size })?;
    let max_count = r.size(ndr, "response array max_count")?;
    if size != max_count {
        return Err(StubError::SizeMismatch {
            size: size as u64,
            max_count: max_count as u64,
        });
    }
    let payload = r.take(size, "response bytes")?;
    let rest = stub.get(r.pos..).unwrap_or_default();
    let hr_at = rest.len().checked_sub(4).ok_or(StubError::Truncated {
        what: "return value (HRESULT)",
        offset: r.pos,
        needed: 4,
        available: stub.len(),
    })?;
    if hr_at > 3 {
        return Err(StubError::TrailingBytes { extra: hr_at });
    }
    Ok(ResponseStub::Data {
        payload,
        hresult: le_u32(rest, hr_at),
    })
}

/// The fixed part of a request PDU is [`REQUEST_HEADER_LEN`] bytes; kept for callers sizing
/// read buffers (a v6 NDR32 request is 292 bytes).
pub const fn request_pdu_len(stub_len: usize) -> usize {
    REQUEST_HEADER_LEN + stub_len
}

/// Offset of the stub in a response PDU (common header + 8), for diagnostics.
pub const RESPONSE_STUB_OFFSET: usize = HEADER_LEN + 8;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dcerpc::{decode_bind, decode_bind_ack, PTYPE_ALTER_CONTEXT, PTYPE_BIND};
    use crate::testjson::{hex, vectors};

    #[test]
    fn every_vector_request_and_response_pdu() {
        for v in vectors() {
            let name = &v.name;
            let mut saw = (false, false);
            for (dir, bytes) in &v.chunks {
                let h = decode_pdu_header(bytes).unwrap();
                match (dir.as_str(), h.ptype) {
                    ("c2s", PTYPE_BIND | PTYPE_ALTER_CONTEXT) => {
                        decode_bind(bytes).unwrap();
                    }
                    ("s2c", 12 | 15) => {
                        decode_bind_ack(bytes).unwrap();
                    }
                    ("c2s", PTYPE_REQUEST) => {
                        saw.0 = true;
                        let req = decode_request_pdu(bytes).unwrap();
                        assert_eq!(req.opnum, 0, "{name}");
                        assert_eq!(req.context_id, 0, "{name}");
                        assert_eq!(req.object, None);
                        assert_eq!(req.alloc_hint as usize, req.stub.len(), "{name}");
                        assert_eq!(req.header.call_id, 2, "{name}");
                        let payload = decode_request_stub(Ndr::Ndr32, &req.stub).unwrap();
                        assert!(payload.len() == 252 || payload.len() == 260, "{name}");
                        assert_eq!(encode_request_stub(Ndr::Ndr32, payload), req.stub);
                        let again = RequestPdu::request_activation(2, 0, req.stub.clone());
                        let again = RequestPdu {
                            header: PduHeader {
                                flags: req.header.flags,
                                ..again.header
                            },
                            ..again
                        };
                        assert_eq!(encode_request_pdu(&again), *bytes, "{name}: request");
                        assert_eq!(request_pdu_len(req.stub.len()), bytes.len(), "{name}: size");
                    }
                    ("s2c", PTYPE_RESPONSE) => {
                        saw.1 = true;
                        let CallReply::Response(resp) = decode_call_reply(bytes).unwrap() else {
                            panic!("{name}: not a response")
                        };
                        assert_eq!(resp.context_id, 0);
                        assert_eq!(resp.alloc_hint as usize, resp.stub.len(), "{name}");
                        let reenc = encode_response_pdu(&ResponsePdu {
                            header: PduHeader {
                                flags: resp.header.flags,
                                ..ResponsePdu::new(2, 0, vec![]).header
                            },
                            ..ResponsePdu::new(resp.header.call_id, 0, resp.stub.clone())
                        });
                        assert_eq!(reenc, *bytes, "{name}: response");
                        match decode_response_stub(Ndr::Ndr32, &resp.stub).unwrap() {
                            ResponseStub::Data { payload, hresult } => {
                                assert_eq!(hresult, 0);
                                assert_eq!(encode_response_stub(Ndr::Ndr32, payload), resp.stub);
                            }
                            ResponseStub::Error { hresult } => {
                                assert_eq!(hresult, 0xC004_F042, "{name}");
                                assert_eq!(encode_error_stub(Ndr::Ndr32, hresult), resp.stub);
                                assert_eq!(bytes.len(), 36, "{name}: error PDU size");
                            }
                        }
                    }
                    other => panic!("{name}: unexpected {other:?}"),
                }
            }
            assert_eq!(saw, (true, true), "{name}");
        }
    }

    #[test]
    fn fault_round_trip_and_vlmcsd_capture() {
        let f = encode_fault(3, 7, crate::dcerpc::NCA_S_UNK_IF);
        assert_eq!(f.len(), FAULT_LEN);
        assert_eq!(
            f,
            hex("05000323 10000000 20000000 03000000 00000000 0700 0000 0300011c 00000000")
        );
        let CallReply::Fault(fault) = decode_call_reply(&f).unwrap() else {
            panic!()
        };
        assert_eq!(fault.status, crate::dcerpc::NCA_S_UNK_IF);
        assert!(fault.did_not_execute());
        assert_eq!(fault.context_id, 7);
        // The vlmcsd fault of protocol notes §1.9, with its junk cancel/reserved bytes.
        let lab = hex("05000323 10000000 20000000 02000000 20000000 0000 d4ad 0300011c 00000000");
        let CallReply::Fault(fault) = decode_call_reply(&lab).unwrap() else {
            panic!()
        };
        assert_eq!(fault.status, 0x1C01_0003);
    }

    #[test]
    fn ndr64_stubs_match_the_notes() {
        let payload = [0xabu8; 260];
        let s = encode_request_stub(Ndr::Ndr64, &payload);
        assert_eq!(s.len(), 276);
        assert_eq!(&s[..16], &hex("0401000000000000 0401000000000000")[..]);
        assert_eq!(decode_request_stub(Ndr::Ndr64, &s).unwrap(), &payload[..]);
        let mut junk = s.clone();
        junk[5] = 1;
        assert_eq!(
            decode_request_stub(Ndr::Ndr64, &junk),
            Err(StubError::NonZeroAlignment)
        );
        let r = encode_response_stub(Ndr::Ndr64, &payload);
        assert_eq!(r.len(), 288, "protocol notes §1.8: NDR64 M=260 → stub 288");
        assert_eq!(
            decode_response_stub(Ndr::Ndr64, &r).unwrap(),
            ResponseStub::Data {
                payload: &payload,
                hresult: 0
            }
        );
        let e = encode_error_stub(Ndr::Ndr64, 0xC004_F06C);
        assert_eq!(e.len(), 20);
        assert_eq!(
            decode_response_stub(Ndr::Ndr64, &e).unwrap(),
            ResponseStub::Error {
                hresult: 0xC004_F06C
            }
        );
    }

    #[test]
    fn stub_pad_and_hresult_position() {
        // M = 158 (vlmcsd v4): 12 + 158 = 170 → 2 pad bytes, stub 176.
        let payload = [7u8; 158];
        let s = encode_response_stub_with(Ndr::Ndr32, &payload, 0x8007_000D);
        assert_eq!(s.len(), 176);
        // vlmcsd order: HRESULT first, then pad — still parsed from the last 4 bytes.
        let mut vl = s[..170].to_vec();
        vl.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        assert_eq!(
            decode_response_stub(Ndr::Ndr32, &vl).unwrap(),
            ResponseStub::Data {
                payload: &payload,
                hresult: 0
            }
        );
        assert_eq!(
            decode_response_stub(Ndr::Ndr32, &s).unwrap(),
            ResponseStub::Data {
                payload: &payload,
                hresult: 0x8007_000D
            }
        );
        let mut long = s.clone();
        long.extend_from_slice(&[0; 4]);
        assert_eq!(
            decode_response_stub(Ndr::Ndr32, &long),
            Err(StubError::TrailingBytes { extra: 6 })
        );
        let mut mism = s.clone();
        mism[8] = 1;
        assert!(matches!(
            decode_response_stub(Ndr::Ndr32, &mism),
            Err(StubError::SizeMismatch { .. })
        ));
    }

    fn decode_everything(bytes: &[u8]) {
        let _ = decode_request_pdu(bytes);
        let _ = decode_response_pdu(bytes);
        let _ = decode_call_reply(bytes);
        for ndr in [Ndr::Ndr32, Ndr::Ndr64] {
            let _ = decode_request_stub(ndr, bytes);
            let _ = decode_response_stub(ndr, bytes);
            let _ = decode_request_stub(ndr, bytes.get(24..).unwrap_or_default());
            let _ = decode_response_stub(ndr, bytes.get(24..).unwrap_or_default());
        }
    }

    #[test]
    fn hostile_truncations_and_bit_flips() {
        for v in vectors() {
            for (_, bytes) in &v.chunks {
                for n in 0..bytes.len() {
                    decode_everything(&bytes[..n]);
                    if n < bytes.len() && bytes.len() > 24 {
                        // A cut PDU never decodes as a complete call.
                        let h = decode_pdu_header(bytes).unwrap();
                        if h.ptype == PTYPE_REQUEST {
                            assert!(decode_request_pdu(&bytes[..n]).is_err());
                        }
                        if h.ptype == PTYPE_RESPONSE {
                            assert!(decode_response_pdu(&bytes[..n]).is_err());
                        }
                    }
                }
                for bit in 0..bytes.len() * 8 {
                    let mut m = bytes.clone();
                    m[bit / 8] ^= 1 << (bit % 8);
                    decode_everything(&m);
                }
            }
        }
    }

    #[test]
    fn errors_are_named() {
        assert_eq!(
            decode_response_stub(Ndr::Ndr32, &[0, 0, 0]).unwrap_err(),
            StubError::Truncated {
                what: "responseSize",
                offset: 0,
                needed: 4,
                available: 3
            }
        );
        let e =
            decode_response_stub(Ndr::Ndr32, &hex("04000000 00000200 04000000 aabb")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "stub truncated: response bytes at stub offset 12 needs 4 bytes, stub has 14"
        );
        let req = encode_request_pdu(&RequestPdu::request_activation(2, 0, vec![1, 2, 3]));
        assert!(matches!(
            decode_call_reply(&req),
            Err(WireError::UnexpectedPtype {
                expected: "response or fault",
                got: 0
            })
        ));
        let mut obj = RequestPdu::request_activation(2, 1, vec![9; 4]);
        obj.object = Some(crate::dcerpc::KMS_INTERFACE_UUID);
        let bytes = encode_request_pdu(&obj);
        assert_eq!(bytes.len(), 44);
        let back = decode_request_pdu(&bytes).unwrap();
        assert_eq!(back.object, obj.object);
        assert_eq!(back.stub, vec![9; 4]);
        assert!(matches!(
            decode_request_pdu(&bytes[..30]),
            Err(WireError::Truncated { .. })
        ));
        let mut short = bytes.clone();
        short[8] = 30;
        assert!(matches!(
            decode_request_pdu(&short),
            Err(WireError::FragLengthInconsistent {
                what: "object UUID",
                ..
            })
        ));
    }
}
