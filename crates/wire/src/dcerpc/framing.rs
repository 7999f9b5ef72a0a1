//! The 16-byte common header and framing, and the bounds-checked little-endian reader and the
//! writers every encoder and decoder uses.

use super::error::*;
use super::ids::*;

// ---------------------------------------------------------------------------------------------
// Byte reader / writer
// ---------------------------------------------------------------------------------------------

/// Bounds-checked little-endian reader over one PDU (already cut to frag_length).
pub(crate) struct Reader<'a> {
    pdu: &'a [u8],
    pos: usize,
    frag_length: u16,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(pdu: &'a [u8], frag_length: u16, pos: usize) -> Self {
        Reader {
            pdu,
            pos,
            frag_length,
        }
    }

    pub(crate) fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], WireError> {
        let overrun = WireError::FragLengthInconsistent {
            what,
            offset: self.pos,
            needed: n,
            frag_length: self.frag_length,
        };
        let end = self.pos.checked_add(n).ok_or(overrun.clone())?;
        let bytes = self.pdu.get(self.pos..end).ok_or(overrun)?;
        self.pos = end;
        Ok(bytes)
    }

    pub(crate) fn array<const N: usize>(
        &mut self,
        what: &'static str,
    ) -> Result<[u8; N], WireError> {
        let bytes = self.take(N, what)?;
        // `take` returned exactly N bytes; the conversion cannot fail, but stay panic-free.
        bytes
            .try_into()
            .map_err(|_| WireError::FragLengthInconsistent {
                what,
                offset: self.pos,
                needed: N,
                frag_length: self.frag_length,
            })
    }

    pub(crate) fn u8(&mut self, what: &'static str) -> Result<u8, WireError> {
        Ok(self.array::<1>(what)?[0])
    }

    pub(crate) fn u16(&mut self, what: &'static str) -> Result<u16, WireError> {
        self.array(what).map(u16::from_le_bytes)
    }

    pub(crate) fn u32(&mut self, what: &'static str) -> Result<u32, WireError> {
        self.array(what).map(u32::from_le_bytes)
    }

    pub(crate) fn uuid(&mut self, what: &'static str) -> Result<Uuid, WireError> {
        self.array(what).map(Uuid::from_wire)
    }

    pub(crate) fn syntax(&mut self, what: &'static str) -> Result<SyntaxId, WireError> {
        // Read all 20 bytes at once so a short PDU reports the whole syntax as missing.
        let [uuid @ .., m0, m1, n0, n1]: [u8; 20] = self.array(what)?;
        Ok(SyntaxId {
            uuid: Uuid::from_wire(uuid),
            major: u16::from_le_bytes([m0, m1]),
            minor: u16::from_le_bytes([n0, n1]),
        })
    }

    /// Skip to the next multiple of 4 counted from the PDU start.
    pub(crate) fn align4(&mut self, what: &'static str) -> Result<(), WireError> {
        let pad = (4 - self.pos % 4) % 4;
        self.take(pad, what).map(|_| ())
    }

    pub(crate) fn remaining(&self) -> usize {
        self.pdu.len().saturating_sub(self.pos)
    }
}

pub(crate) fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

pub(crate) fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

pub(crate) fn put_syntax(out: &mut Vec<u8>, s: &SyntaxId) {
    out.extend_from_slice(&s.uuid.to_wire());
    put_u16(out, s.major);
    put_u16(out, s.minor);
}

/// Start a PDU: header with frag_length 0, patched by [`finish_pdu`].
pub(crate) fn start_pdu(header: &PduHeader, capacity: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(capacity);
    out.extend_from_slice(&[5, 0, header.ptype, header.flags]);
    out.extend_from_slice(&DREP_LE);
    put_u16(&mut out, 0); // frag_length, patched later
    put_u16(&mut out, 0); // auth_length: we never authenticate
    put_u32(&mut out, header.call_id);
    out
}

/// Patch frag_length. Callers keep PDUs below 64 KiB; saturate rather than panic if not.
pub(crate) fn finish_pdu(mut out: Vec<u8>) -> Vec<u8> {
    let len = u16::try_from(out.len()).unwrap_or(u16::MAX);
    if let Some(field) = out.get_mut(8..10) {
        field.copy_from_slice(&len.to_le_bytes());
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Common header
// ---------------------------------------------------------------------------------------------

/// The 16-byte common header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PduHeader {
    pub rpc_vers: u8,
    pub rpc_vers_minor: u8,
    pub ptype: u8,
    pub flags: u8,
    pub drep: [u8; 4],
    /// Whole PDU length including this header.
    pub frag_length: u16,
    pub auth_length: u16,
    pub call_id: u32,
}

impl PduHeader {
    /// A header for encoding: version 5.0, little-endian; frag_length and auth_length are
    /// filled in by the encoders.
    pub const fn new(ptype: u8, flags: u8, call_id: u32) -> PduHeader {
        PduHeader {
            rpc_vers: 5,
            rpc_vers_minor: 0,
            ptype,
            flags,
            drep: DREP_LE,
            frag_length: 0,
            auth_length: 0,
            call_id,
        }
    }

    /// FIRST and LAST fragment both set.
    pub fn is_single_fragment(&self) -> bool {
        self.flags & (PFC_FIRST_FRAG | PFC_LAST_FRAG) == PFC_FIRST_FRAG | PFC_LAST_FRAG
    }
}

pub(crate) fn truncated(
    what: &'static str,
    offset: usize,
    needed: usize,
    available: usize,
) -> WireError {
    WireError::Truncated {
        what,
        offset,
        needed,
        available,
    }
}

/// Check version, data representation and frag_length using only the first 10 bytes, and
/// return frag_length: the total number of bytes of this PDU (header included) an I/O layer
/// must read. Fails early on non-DCE/RPC data (e.g. an HTTP reply).
pub fn peek_frag_length(prefix: &[u8]) -> Result<u16, WireError> {
    let p: &[u8; FRAG_LENGTH_PREFIX_LEN] = prefix
        .get(..FRAG_LENGTH_PREFIX_LEN)
        .and_then(|s| s.try_into().ok())
        .ok_or(truncated(
            "PDU header (version, type, flags, drep, frag_length)",
            0,
            FRAG_LENGTH_PREFIX_LEN,
            prefix.len(),
        ))?;
    if p[0] != 5 || p[1] != 0 {
        return Err(WireError::WrongVersion {
            major: p[0],
            minor: p[1],
        });
    }
    let drep = [p[4], p[5], p[6], p[7]];
    if drep != DREP_LE {
        return Err(WireError::UnsupportedDataRepresentation(drep));
    }
    let frag_length = u16::from_le_bytes([p[8], p[9]]);
    if usize::from(frag_length) < HEADER_LEN {
        return Err(WireError::FragLengthTooSmall {
            frag_length,
            minimum: HEADER_LEN,
        });
    }
    Ok(frag_length)
}

/// Decode and validate the common header (rpc_vers 5.0, little-endian drep,
/// frag_length ≥ 16). Needs 16 bytes; does not require the body to be present.
pub fn decode_pdu_header(bytes: &[u8]) -> Result<PduHeader, WireError> {
    let frag_length = peek_frag_length(bytes)?;
    let h: &[u8; HEADER_LEN] = bytes
        .get(..HEADER_LEN)
        .and_then(|s| s.try_into().ok())
        .ok_or(truncated("PDU header", 0, HEADER_LEN, bytes.len()))?;
    Ok(PduHeader {
        rpc_vers: h[0],
        rpc_vers_minor: h[1],
        ptype: h[2],
        flags: h[3],
        drep: [h[4], h[5], h[6], h[7]],
        frag_length,
        auth_length: u16::from_le_bytes([h[10], h[11]]),
        call_id: u32::from_le_bytes([h[12], h[13], h[14], h[15]]),
    })
}

/// Decode the header, require the whole PDU to be present, and return a reader positioned at
/// the body. Bytes after frag_length (a following PDU) are ignored.
pub(crate) fn open_pdu<'a>(
    bytes: &'a [u8],
    expected: &'static str,
    ptypes: &[u8],
    minimum: usize,
) -> Result<(PduHeader, Reader<'a>), WireError> {
    let header = decode_pdu_header(bytes)?;
    if !ptypes.contains(&header.ptype) {
        return Err(WireError::UnexpectedPtype {
            expected,
            got: header.ptype,
        });
    }
    let frag = usize::from(header.frag_length);
    let pdu = bytes
        .get(..frag)
        .ok_or(truncated("PDU (per frag_length)", 0, frag, bytes.len()))?;
    if frag < minimum {
        return Err(WireError::FragLengthTooSmall {
            frag_length: header.frag_length,
            minimum,
        });
    }
    if !header.is_single_fragment() {
        return Err(WireError::Fragmented {
            flags: header.flags,
        });
    }
    if header.auth_length != 0 {
        return Err(WireError::AuthPresent {
            auth_length: header.auth_length,
        });
    }
    Ok((header, Reader::new(pdu, header.frag_length, HEADER_LEN)))
}
