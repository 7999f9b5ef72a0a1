//! DCE/RPC connection-oriented PDUs (ncacn_ip_tcp, C706 ch. 12 + MS-RPCE) as far as a KMS
//! pre-flight needs them: build a bind, read the answer (bind_ack, bind_nak, fault), and say
//! whether the KMS interface was accepted.
//!
//! Pure code: no I/O, std only, no panics. Every decoder takes untrusted bytes and returns
//! [`WireError`] instead of indexing past the end or overflowing. Only the little-endian,
//! ASCII, IEEE data representation (`10 00 00 00`) is supported; Windows and every KMS emulator
//! use it, and anything else is not a KMS host.
//!
//! Layout references: `shared/protocol-notes.md` §1.1–§1.9.

use std::fmt;
use std::str::FromStr;

// ---------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------

/// Length of the common header every PDU starts with.
pub const HEADER_LEN: usize = 16;
/// Bytes an I/O layer must have before [`peek_frag_length`] can tell the PDU length.
pub const FRAG_LENGTH_PREFIX_LEN: usize = 10;

/// PDU types (PTYPE, header byte 2).
pub const PTYPE_REQUEST: u8 = 0;
pub const PTYPE_RESPONSE: u8 = 2;
pub const PTYPE_FAULT: u8 = 3;
pub const PTYPE_BIND: u8 = 11;
pub const PTYPE_BIND_ACK: u8 = 12;
pub const PTYPE_BIND_NAK: u8 = 13;
pub const PTYPE_ALTER_CONTEXT: u8 = 14;
pub const PTYPE_ALTER_CONTEXT_RESP: u8 = 15;

/// pfc_flags bits (header byte 3).
pub const PFC_FIRST_FRAG: u8 = 0x01;
pub const PFC_LAST_FRAG: u8 = 0x02;
pub const PFC_SUPPORT_HEADER_SIGN: u8 = 0x04;
pub const PFC_CONC_MPX: u8 = 0x10;
pub const PFC_DID_NOT_EXECUTE: u8 = 0x20;
pub const PFC_MAYBE: u8 = 0x40;
pub const PFC_OBJECT_UUID: u8 = 0x80;

/// The only data representation we speak: little-endian integers, ASCII, IEEE floats.
pub const DREP_LE: [u8; 4] = [0x10, 0x00, 0x00, 0x00];

/// max_xmit_frag / max_recv_frag that Windows clients and vlmcs send.
pub const DEFAULT_MAX_FRAG: u16 = 5840;

/// bind_ack / alter_context_resp result codes (p_cont_def_result_t, MS-RPCE adds 3).
pub const RESULT_ACCEPTANCE: u16 = 0;
pub const RESULT_USER_REJECTION: u16 = 1;
pub const RESULT_PROVIDER_REJECTION: u16 = 2;
pub const RESULT_NEGOTIATE_ACK: u16 = 3;

/// Provider rejection reasons (p_provider_reason_t).
pub const REASON_NOT_SPECIFIED: u16 = 0;
pub const REASON_ABSTRACT_SYNTAX_NOT_SUPPORTED: u16 = 1;
pub const REASON_TRANSFER_SYNTAXES_NOT_SUPPORTED: u16 = 2;
pub const REASON_LOCAL_LIMIT_EXCEEDED: u16 = 3;

/// bind_nak reject reason "protocol version not supported" (MS-RPCE: protocol error in bind).
pub const NAK_PROTOCOL_VERSION_NOT_SUPPORTED: u16 = 4;

/// Fault status codes we name (see [`fault_status_name`]).
pub const NCA_S_OP_RNG_ERROR: u32 = 0x1C01_0002;
pub const NCA_S_UNK_IF: u32 = 0x1C01_0003;
pub const NCA_S_PROTO_ERROR: u32 = 0x1C01_000B;

/// KMS interface (abstract syntax) `51c82175-844e-4750-b0d8-ec255555bc06`.
pub const KMS_INTERFACE_UUID: Uuid = Uuid::from_fields(
    0x51c8_2175,
    0x844e,
    0x4750,
    [0xb0, 0xd8, 0xec, 0x25, 0x55, 0x55, 0xbc, 0x06],
);
/// NDR ("NDR32", NDR20) transfer syntax `8a885d04-1ceb-11c9-9fe8-08002b104860`.
pub const NDR32_UUID: Uuid = Uuid::from_fields(
    0x8a88_5d04,
    0x1ceb,
    0x11c9,
    [0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10, 0x48, 0x60],
);
/// NDR64 transfer syntax `71710533-beba-4937-8319-b5dbef9ccc36`.
pub const NDR64_UUID: Uuid = Uuid::from_fields(
    0x7171_0533,
    0xbeba,
    0x4937,
    [0x83, 0x19, 0xb5, 0xdb, 0xef, 0x9c, 0xcc, 0x36],
);
/// MS-RPCE bind-time feature negotiation: the first 8 bytes are fixed, the last 8 are the
/// feature bitmask (little-endian), so the text form is `6cb71c2c-9812-4540-XXXX-XXXXXXXXXXXX`.
const BTFN_PREFIX: (u32, u16, u16) = (0x6cb7_1c2c, 0x9812, 0x4540);
/// Feature bits offered by Windows clients and vlmcs: security context multiplexing (0x01)
/// and keep connection on orphan (0x02).
pub const BTFN_DEFAULT_BITMASK: u64 = 0x03;

/// The KMS interface, version 1.0.
pub const KMS_INTERFACE: SyntaxId = SyntaxId::new(KMS_INTERFACE_UUID, 1, 0);
/// NDR32 transfer syntax, version 2.
pub const NDR32: SyntaxId = SyntaxId::new(NDR32_UUID, 2, 0);
/// NDR64 transfer syntax, version 1.
pub const NDR64: SyntaxId = SyntaxId::new(NDR64_UUID, 1, 0);
/// BTFN transfer syntax with the bitmask Windows clients offer (0x03), version 1.
pub const BTFN: SyntaxId = SyntaxId::new(btfn_uuid(BTFN_DEFAULT_BITMASK), 1, 0);

/// MS-RPCE extended error information signature that may close a bind_nak.
pub const BIND_NAK_EXTENDED_ERROR_SIGNATURE: Uuid = Uuid::from_fields(
    0x9074_0320,
    0xfad0,
    0x11d3,
    [0x82, 0xd7, 0x00, 0x90, 0x27, 0xb1, 0x30, 0xab],
);

// ---------------------------------------------------------------------------------------------
// UUID
// ---------------------------------------------------------------------------------------------

/// A 16-byte DCE UUID / Windows GUID, stored in text order (the order of the hex digits in
/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`). On the wire the first three fields are
/// little-endian: see [`Uuid::from_wire`] / [`Uuid::to_wire`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Uuid([u8; 16]);

impl Uuid {
    pub const NIL: Uuid = Uuid([0; 16]);

    /// Build from the usual GUID fields (Data1, Data2, Data3, Data4).
    pub const fn from_fields(d1: u32, d2: u16, d3: u16, d4: [u8; 8]) -> Uuid {
        let a = d1.to_be_bytes();
        let b = d2.to_be_bytes();
        let c = d3.to_be_bytes();
        Uuid([
            a[0], a[1], a[2], a[3], b[0], b[1], c[0], c[1], d4[0], d4[1], d4[2], d4[3], d4[4],
            d4[5], d4[6], d4[7],
        ])
    }

    /// Bytes in text order.
    pub const fn from_bytes(bytes: [u8; 16]) -> Uuid {
        Uuid(bytes)
    }

    /// Bytes in text order.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// Read the mixed-endian wire layout (Data1 u32 LE, Data2 u16 LE, Data3 u16 LE, 8 bytes).
    pub const fn from_wire(w: [u8; 16]) -> Uuid {
        // Swapping the first three fields is its own inverse.
        Uuid(swap_fields(w))
    }

    /// The mixed-endian wire layout.
    pub const fn to_wire(&self) -> [u8; 16] {
        swap_fields(self.0)
    }

    /// Parse `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (any case, optional `{}`).
    pub fn parse(s: &str) -> Result<Uuid, ParseUuidError> {
        let s = s.trim();
        let s = s
            .strip_prefix('{')
            .and_then(|t| t.strip_suffix('}'))
            .unwrap_or(s);
        let text = s.as_bytes();
        if text.len() != 36 {
            return Err(ParseUuidError);
        }
        let mut out = [0u8; 16];
        let mut digits = text
            .iter()
            .enumerate()
            .filter(|(i, _)| !matches!(i, 8 | 13 | 18 | 23))
            .map(|(_, &c)| (c as char).to_digit(16));
        for byte in out.iter_mut() {
            let hi = digits.next().flatten().ok_or(ParseUuidError)?;
            let lo = digits.next().flatten().ok_or(ParseUuidError)?;
            // Both are < 16, so this fits in a u8.
            *byte = ((hi << 4) | lo) as u8;
        }
        let hyphens_ok = [8usize, 13, 18, 23]
            .iter()
            .all(|&i| text.get(i) == Some(&b'-'));
        if !hyphens_ok {
            return Err(ParseUuidError);
        }
        Ok(Uuid(out))
    }
}

const fn swap_fields(b: [u8; 16]) -> [u8; 16] {
    [
        b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13],
        b[14], b[15],
    ]
}

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Uuid({self})")
    }
}

impl FromStr for Uuid {
    type Err = ParseUuidError;
    fn from_str(s: &str) -> Result<Uuid, ParseUuidError> {
        Uuid::parse(s)
    }
}

/// The text was not a UUID of the form `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseUuidError;

impl fmt::Display for ParseUuidError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a UUID: expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx (hex digits)")
    }
}

impl std::error::Error for ParseUuidError {}

/// The BTFN "UUID" carrying a feature bitmask in its last 8 wire bytes.
pub const fn btfn_uuid(bitmask: u64) -> Uuid {
    let (d1, d2, d3) = BTFN_PREFIX;
    Uuid::from_fields(d1, d2, d3, bitmask.to_le_bytes())
}

/// If `uuid` is a BTFN syntax, its feature bitmask.
pub fn btfn_bitmask(uuid: &Uuid) -> Option<u64> {
    let (d1, d2, d3) = BTFN_PREFIX;
    let (head, tail) = uuid.0.split_at(8);
    let prefix = Uuid::from_fields(d1, d2, d3, [0; 8]);
    if head != prefix.0.get(..8)? {
        return None;
    }
    let bits: [u8; 8] = tail.try_into().ok()?;
    Some(u64::from_le_bytes(bits))
}

/// An interface or transfer syntax: UUID plus version. On the wire the version is a u16 major
/// followed by a u16 minor (for transfer syntaxes this reads as one u32 = major).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct SyntaxId {
    pub uuid: Uuid,
    pub major: u16,
    pub minor: u16,
}

impl SyntaxId {
    pub const fn new(uuid: Uuid, major: u16, minor: u16) -> SyntaxId {
        SyntaxId { uuid, major, minor }
    }

    /// A short name for the syntaxes this module knows, for messages.
    pub fn name(&self) -> Option<&'static str> {
        if self.uuid == KMS_INTERFACE_UUID {
            Some("KMS")
        } else if self.uuid == NDR32_UUID {
            Some("NDR32")
        } else if self.uuid == NDR64_UUID {
            Some("NDR64")
        } else if btfn_bitmask(&self.uuid).is_some() {
            Some("BTFN")
        } else if self.uuid == Uuid::NIL {
            Some("none")
        } else {
            None
        }
    }
}

impl fmt::Display for SyntaxId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.name(), btfn_bitmask(&self.uuid)) {
            (_, Some(bits)) => write!(f, "BTFN 0x{bits:x} v{}", self.major)?,
            (Some(name), None) => write!(f, "{name} v{}.{}", self.major, self.minor)?,
            (None, None) => write!(f, "{} v{}.{}", self.uuid, self.major, self.minor)?,
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// Why bytes could not be decoded as the expected DCE/RPC PDU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireError {
    /// The input ends before `what` (which starts at `offset` and needs `needed` bytes).
    Truncated {
        what: &'static str,
        offset: usize,
        needed: usize,
        available: usize,
    },
    /// rpc_vers / rpc_vers_minor are not 5.0: not connection-oriented DCE/RPC.
    WrongVersion { major: u8, minor: u8 },
    /// packed_drep is not little-endian/ASCII/IEEE.
    UnsupportedDataRepresentation([u8; 4]),
    /// frag_length is smaller than the smallest PDU of this kind.
    FragLengthTooSmall { frag_length: u16, minimum: usize },
    /// A field declared inside the PDU runs past frag_length.
    FragLengthInconsistent {
        what: &'static str,
        offset: usize,
        needed: usize,
        frag_length: u16,
    },
    /// The PDU type is not the one this decoder handles.
    UnexpectedPtype { expected: &'static str, got: u8 },
    /// The PDU is a fragment of a larger one; KMS never fragments.
    Fragmented { flags: u8 },
    /// An authentication verifier is present; nothing in KMS uses one.
    AuthPresent { auth_length: u16 },
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireError::Truncated {
                what,
                offset,
                needed,
                available,
            } => write!(
                f,
                "truncated: {what} at offset {offset} needs {needed} bytes, but only {available} \
                 bytes were received"
            ),
            WireError::WrongVersion { major, minor } => write!(
                f,
                "not DCE/RPC connection-oriented 5.0: version field is {major}.{minor}"
            ),
            WireError::UnsupportedDataRepresentation(d) => write!(
                f,
                "unsupported data representation {:02x} {:02x} {:02x} {:02x} (expected 10 00 00 00: \
                 little-endian, ASCII, IEEE)",
                d[0], d[1], d[2], d[3]
            ),
            WireError::FragLengthTooSmall {
                frag_length,
                minimum,
            } => write!(
                f,
                "frag_length {frag_length} is smaller than the minimum {minimum} for this PDU"
            ),
            WireError::FragLengthInconsistent {
                what,
                offset,
                needed,
                frag_length,
            } => write!(
                f,
                "frag_length {frag_length} inconsistent: {what} at offset {offset} needs {needed} \
                 bytes and runs past the end of the PDU"
            ),
            WireError::UnexpectedPtype { expected, got } => write!(
                f,
                "expected a {expected} PDU, got PTYPE {got} ({})",
                ptype_name(*got)
            ),
            WireError::Fragmented { flags } => write!(
                f,
                "fragmented PDU (pfc_flags 0x{flags:02x} lacks FIRST|LAST); KMS never fragments"
            ),
            WireError::AuthPresent { auth_length } => write!(
                f,
                "PDU carries an authentication verifier (auth_length {auth_length}); KMS uses none"
            ),
        }
    }
}

impl std::error::Error for WireError {}

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

/// Name of a PTYPE value.
pub fn ptype_name(ptype: u8) -> &'static str {
    match ptype {
        0 => "request",
        1 => "ping",
        2 => "response",
        3 => "fault",
        4 => "working",
        5 => "nocall",
        6 => "reject",
        7 => "ack",
        8 => "cl_cancel",
        9 => "fack",
        10 => "cancel_ack",
        11 => "bind",
        12 => "bind_ack",
        13 => "bind_nak",
        14 => "alter_context",
        15 => "alter_context_resp",
        16 => "auth3",
        17 => "shutdown",
        18 => "co_cancel",
        19 => "orphaned",
        20 => "rts",
        _ => "unknown",
    }
}

/// Name of a bind_ack result value.
pub fn result_name(result: u16) -> &'static str {
    match result {
        RESULT_ACCEPTANCE => "acceptance",
        RESULT_USER_REJECTION => "user_rejection",
        RESULT_PROVIDER_REJECTION => "provider_rejection",
        RESULT_NEGOTIATE_ACK => "negotiate_ack",
        _ => "unknown result",
    }
}

/// Name of a provider rejection reason (bind_ack result 1 or 2).
pub fn provider_reason_name(reason: u16) -> &'static str {
    match reason {
        REASON_NOT_SPECIFIED => "reason_not_specified",
        REASON_ABSTRACT_SYNTAX_NOT_SUPPORTED => "abstract_syntax_not_supported",
        REASON_TRANSFER_SYNTAXES_NOT_SUPPORTED => "proposed_transfer_syntaxes_not_supported",
        REASON_LOCAL_LIMIT_EXCEEDED => "local_limit_exceeded",
        _ => "unknown reason",
    }
}

/// Name of a bind_nak reject reason (C706 12.6.3.1, MS-RPCE 2.2.2.5).
pub fn bind_nak_reason_name(reason: u16) -> &'static str {
    match reason {
        0 => "reason_not_specified",
        1 => "temporary_congestion",
        2 => "local_limit_exceeded",
        3 => "called_paddr_unknown",
        4 => "protocol_version_not_supported",
        5 => "default_context_not_supported",
        6 => "user_data_not_readable",
        7 => "no_psap_available",
        8 => "authentication_type_not_recognized",
        9 => "invalid_checksum",
        _ => "unknown reason",
    }
}

/// Name of a fault status (NCA status or Win32 error) seen from RPC servers.
pub fn fault_status_name(status: u32) -> Option<&'static str> {
    Some(match status {
        0x0000_0005 => "access_denied",
        0x0000_06D8 => "nca_s_fault_cant_perform (EPT_S_CANT_PERFORM_OP)",
        0x0000_06F7 => "nca_s_fault_ndr (RPC_X_BAD_STUB_DATA)",
        0x1C00_0008 => "nca_s_rpc_version_mismatch",
        0x1C00_0009 => "nca_s_unspec_reject",
        0x1C00_001C => "nca_s_invalid_pres_context_id",
        0x1C00_001D => "nca_s_unsupported_authn_level",
        0x1C00_001F => "nca_s_invalid_checksum",
        0x1C00_0020 => "nca_s_invalid_crc",
        0x1C01_0001 => "nca_s_comm_failure",
        NCA_S_OP_RNG_ERROR => "nca_s_op_rng_error",
        NCA_S_UNK_IF => "nca_s_unk_if",
        0x1C01_0006 => "nca_s_wrong_boot_time",
        0x1C01_0009 => "nca_s_you_crashed",
        NCA_S_PROTO_ERROR => "nca_s_proto_error",
        0x1C01_0013 => "nca_s_out_args_too_big",
        0x1C01_0014 => "nca_s_server_too_busy",
        0x1C01_0017 => "nca_s_unsupported_type",
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// Byte reader / writer
// ---------------------------------------------------------------------------------------------

/// Bounds-checked little-endian reader over one PDU (already cut to frag_length).
struct Reader<'a> {
    pdu: &'a [u8],
    pos: usize,
    frag_length: u16,
}

impl<'a> Reader<'a> {
    fn new(pdu: &'a [u8], frag_length: u16, pos: usize) -> Self {
        Reader {
            pdu,
            pos,
            frag_length,
        }
    }

    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], WireError> {
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

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], WireError> {
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

    fn u8(&mut self, what: &'static str) -> Result<u8, WireError> {
        Ok(self.array::<1>(what)?[0])
    }

    fn u16(&mut self, what: &'static str) -> Result<u16, WireError> {
        self.array(what).map(u16::from_le_bytes)
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, WireError> {
        self.array(what).map(u32::from_le_bytes)
    }

    fn uuid(&mut self, what: &'static str) -> Result<Uuid, WireError> {
        self.array(what).map(Uuid::from_wire)
    }

    fn syntax(&mut self, what: &'static str) -> Result<SyntaxId, WireError> {
        // Read all 20 bytes at once so a short PDU reports the whole syntax as missing.
        let [uuid @ .., m0, m1, n0, n1]: [u8; 20] = self.array(what)?;
        Ok(SyntaxId {
            uuid: Uuid::from_wire(uuid),
            major: u16::from_le_bytes([m0, m1]),
            minor: u16::from_le_bytes([n0, n1]),
        })
    }

    /// Skip to the next multiple of 4 counted from the PDU start.
    fn align4(&mut self, what: &'static str) -> Result<(), WireError> {
        let pad = (4 - self.pos % 4) % 4;
        self.take(pad, what).map(|_| ())
    }

    fn remaining(&self) -> usize {
        self.pdu.len().saturating_sub(self.pos)
    }
}

fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_syntax(out: &mut Vec<u8>, s: &SyntaxId) {
    out.extend_from_slice(&s.uuid.to_wire());
    put_u16(out, s.major);
    put_u16(out, s.minor);
}

/// Start a PDU: header with frag_length 0, patched by [`finish_pdu`].
fn start_pdu(header: &PduHeader, capacity: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(capacity);
    out.extend_from_slice(&[5, 0, header.ptype, header.flags]);
    out.extend_from_slice(&DREP_LE);
    put_u16(&mut out, 0); // frag_length, patched later
    put_u16(&mut out, 0); // auth_length: we never authenticate
    put_u32(&mut out, header.call_id);
    out
}

/// Patch frag_length. Callers keep PDUs below 64 KiB; saturate rather than panic if not.
fn finish_pdu(mut out: Vec<u8>) -> Vec<u8> {
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

fn truncated(what: &'static str, offset: usize, needed: usize, available: usize) -> WireError {
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
fn open_pdu<'a>(
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

// ---------------------------------------------------------------------------------------------
// bind / alter_context
// ---------------------------------------------------------------------------------------------

/// One presentation context element of a bind or alter_context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentationContext {
    pub context_id: u16,
    pub abstract_syntax: SyntaxId,
    pub transfer_syntaxes: Vec<SyntaxId>,
}

/// A bind (PTYPE 11) or alter_context (PTYPE 14), chosen by `header.ptype`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindRequest {
    /// ptype, flags and call_id are encoded; frag_length/auth_length are computed.
    pub header: PduHeader,
    pub max_xmit_frag: u16,
    pub max_recv_frag: u16,
    pub assoc_group_id: u32,
    pub contexts: Vec<PresentationContext>,
}

impl BindRequest {
    /// The minimal KMS probe: one context (id 0, KMS v1.0, NDR32 v2), FIRST|LAST, 72 bytes.
    /// Every KMS implementation accepts it.
    pub fn kms_probe(call_id: u32) -> BindRequest {
        BindRequest {
            header: PduHeader::new(PTYPE_BIND, PFC_FIRST_FRAG | PFC_LAST_FRAG, call_id),
            max_xmit_frag: DEFAULT_MAX_FRAG,
            max_recv_frag: DEFAULT_MAX_FRAG,
            assoc_group_id: 0,
            contexts: vec![PresentationContext {
                context_id: 0,
                abstract_syntax: KMS_INTERFACE,
                transfer_syntaxes: vec![NDR32],
            }],
        }
    }

    /// What Windows 8+ clients (and vlmcs) send: contexts 0 NDR32, 1 NDR64, 2 BTFN 0x03, all
    /// for the KMS interface, with PFC_CONC_MPX. 160 bytes. A Windows 8+ host then accepts
    /// NDR64 and rejects NDR32.
    pub fn kms_windows_style(call_id: u32) -> BindRequest {
        let ctx = |context_id, syntax| PresentationContext {
            context_id,
            abstract_syntax: KMS_INTERFACE,
            transfer_syntaxes: vec![syntax],
        };
        BindRequest {
            header: PduHeader::new(
                PTYPE_BIND,
                PFC_FIRST_FRAG | PFC_LAST_FRAG | PFC_CONC_MPX,
                call_id,
            ),
            max_xmit_frag: DEFAULT_MAX_FRAG,
            max_recv_frag: DEFAULT_MAX_FRAG,
            assoc_group_id: 0,
            contexts: vec![ctx(0, NDR32), ctx(1, NDR64), ctx(2, BTFN)],
        }
    }
}

/// Most context elements / transfer syntaxes one count byte can announce.
const MAX_COUNT: usize = u8::MAX as usize;

/// Encode a bind or alter_context (per `req.header.ptype`).
///
/// Never panics. Limits of the format: at most 255 contexts and 255 transfer syntaxes per
/// context are written, and contexts that would push the PDU past 65535 bytes are left out;
/// the result is always a self-consistent PDU (KMS binds are 72–160 bytes).
pub fn encode_bind(req: &BindRequest) -> Vec<u8> {
    let mut out = start_pdu(&req.header, 28 + 44 * req.contexts.len().min(MAX_COUNT));
    put_u16(&mut out, req.max_xmit_frag);
    put_u16(&mut out, req.max_recv_frag);
    put_u32(&mut out, req.assoc_group_id);
    let count_at = out.len();
    out.extend_from_slice(&[0, 0, 0, 0]); // n_context_elem + 3 reserved, patched below
    let mut count: u8 = 0;
    for ctx in req.contexts.iter().take(MAX_COUNT) {
        let syntaxes = &ctx.transfer_syntaxes[..ctx.transfer_syntaxes.len().min(MAX_COUNT)];
        let elem_len = 24 + 20 * syntaxes.len();
        if out.len() + elem_len > usize::from(u16::MAX) {
            break;
        }
        put_u16(&mut out, ctx.context_id);
        out.push(syntaxes.len() as u8); // ≤ 255 by the slice above
        out.push(0);
        put_syntax(&mut out, &ctx.abstract_syntax);
        for s in syntaxes {
            put_syntax(&mut out, s);
        }
        count += 1;
    }
    if let Some(b) = out.get_mut(count_at) {
        *b = count;
    }
    finish_pdu(out)
}

/// Decode a bind (PTYPE 11) or alter_context (PTYPE 14). Used by the lab responder and to
/// check our own encoder.
pub fn decode_bind(bytes: &[u8]) -> Result<BindRequest, WireError> {
    let (header, mut r) = open_pdu(
        bytes,
        "bind or alter_context",
        &[PTYPE_BIND, PTYPE_ALTER_CONTEXT],
        28,
    )?;
    let max_xmit_frag = r.u16("max_xmit_frag")?;
    let max_recv_frag = r.u16("max_recv_frag")?;
    let assoc_group_id = r.u32("assoc_group_id")?;
    let n = r.u8("n_context_elem")?;
    r.take(3, "reserved after n_context_elem")?;
    // Each element is ≥ 24 bytes, so the count is bounded by the PDU itself; no allocation
    // larger than 255 entries is possible anyway.
    let mut contexts = Vec::with_capacity(usize::from(n).min(r.remaining() / 24));
    for _ in 0..n {
        let context_id = r.u16("p_cont_id")?;
        let n_syn = r.u8("n_transfer_syn")?;
        r.take(1, "context element reserved byte")?;
        let abstract_syntax = r.syntax("abstract syntax")?;
        let mut transfer_syntaxes = Vec::with_capacity(usize::from(n_syn).min(r.remaining() / 20));
        for _ in 0..n_syn {
            transfer_syntaxes.push(r.syntax("transfer syntax")?);
        }
        contexts.push(PresentationContext {
            context_id,
            abstract_syntax,
            transfer_syntaxes,
        });
    }
    Ok(BindRequest {
        header,
        max_xmit_frag,
        max_recv_frag,
        assoc_group_id,
        contexts,
    })
}

// ---------------------------------------------------------------------------------------------
// bind_ack / alter_context_resp
// ---------------------------------------------------------------------------------------------

/// One result element of a bind_ack, answering the context element at the same index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContextResult {
    /// 0 acceptance, 1 user rejection, 2 provider rejection, 3 negotiate ack (BTFN).
    pub result: u16,
    /// Rejection reason, or for result 3 the BTFN feature bitmask the server supports.
    pub reason: u16,
    /// Accepted transfer syntax (all zero when not accepted).
    pub transfer_syntax: SyntaxId,
}

impl ContextResult {
    pub fn accepted(transfer_syntax: SyntaxId) -> ContextResult {
        ContextResult {
            result: RESULT_ACCEPTANCE,
            reason: 0,
            transfer_syntax,
        }
    }

    pub fn provider_rejection(reason: u16) -> ContextResult {
        ContextResult {
            result: RESULT_PROVIDER_REJECTION,
            reason,
            transfer_syntax: SyntaxId::new(Uuid::NIL, 0, 0),
        }
    }

    pub fn negotiate_ack(bitmask: u16) -> ContextResult {
        ContextResult {
            result: RESULT_NEGOTIATE_ACK,
            reason: bitmask,
            transfer_syntax: SyntaxId::new(Uuid::NIL, 0, 0),
        }
    }

    pub fn is_accepted(&self) -> bool {
        self.result == RESULT_ACCEPTANCE
    }

    /// Human-readable, e.g. `acceptance (NDR32 v2.0)`,
    /// `provider_rejection (abstract_syntax_not_supported)`, `negotiate_ack (bitmask 0x3)`.
    pub fn describe(&self) -> String {
        match self.result {
            RESULT_ACCEPTANCE => format!("acceptance ({})", self.transfer_syntax),
            RESULT_USER_REJECTION | RESULT_PROVIDER_REJECTION => format!(
                "{} ({})",
                result_name(self.result),
                provider_reason_name(self.reason)
            ),
            RESULT_NEGOTIATE_ACK => format!("negotiate_ack (bitmask 0x{:x})", self.reason),
            other => format!("unknown result {other} (reason {})", self.reason),
        }
    }
}

/// A bind_ack (PTYPE 12) or alter_context_resp (PTYPE 15), per `header.ptype`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindAck {
    /// ptype, flags and call_id are encoded; frag_length/auth_length are computed.
    pub header: PduHeader,
    pub max_xmit_frag: u16,
    pub max_recv_frag: u16,
    pub assoc_group_id: u32,
    /// The server's port as text (e.g. "1688"), without the terminating NUL. Empty when the
    /// server sent length 0 (vlmcsd does in alter_context_resp).
    pub secondary_address: String,
    pub results: Vec<ContextResult>,
}

/// Decode a bind_ack or alter_context_resp. The secondary address length is parsed, not
/// assumed, and the padding after it (junk on Windows and vlmcsd) is skipped unchecked.
pub fn decode_bind_ack(bytes: &[u8]) -> Result<BindAck, WireError> {
    let (header, mut r) = open_pdu(
        bytes,
        "bind_ack or alter_context_resp",
        &[PTYPE_BIND_ACK, PTYPE_ALTER_CONTEXT_RESP],
        28,
    )?;
    let max_xmit_frag = r.u16("max_xmit_frag")?;
    let max_recv_frag = r.u16("max_recv_frag")?;
    let assoc_group_id = r.u32("assoc_group_id")?;
    let sec_len = r.u16("secondary address length")?;
    let sec = r.take(usize::from(sec_len), "secondary address")?;
    let sec = sec.split(|&b| b == 0).next().unwrap_or_default();
    let secondary_address = String::from_utf8_lossy(sec).into_owned();
    r.align4("padding after secondary address")?;
    let n = r.u8("n_results")?;
    r.take(3, "reserved after n_results")?;
    let mut results = Vec::with_capacity(usize::from(n).min(r.remaining() / 24));
    for _ in 0..n {
        let result = r.u16("result")?;
        let reason = r.u16("result reason")?;
        let transfer_syntax = r.syntax("accepted transfer syntax")?;
        results.push(ContextResult {
            result,
            reason,
            transfer_syntax,
        });
    }
    Ok(BindAck {
        header,
        max_xmit_frag,
        max_recv_frag,
        assoc_group_id,
        secondary_address,
        results,
    })
}

/// Encode a bind_ack or alter_context_resp (for the lab responder and tests). The secondary
/// address gets a NUL appended unless empty; pad bytes are zero. Never panics: at most 255
/// results are written and an over-long address is cut to fit.
pub fn encode_bind_ack(ack: &BindAck) -> Vec<u8> {
    let mut out = start_pdu(&ack.header, 36 + 24 * ack.results.len().min(MAX_COUNT));
    put_u16(&mut out, ack.max_xmit_frag);
    put_u16(&mut out, ack.max_recv_frag);
    put_u32(&mut out, ack.assoc_group_id);
    let addr = ack.secondary_address.as_bytes();
    let addr = &addr[..addr.len().min(1024)];
    if addr.is_empty() {
        put_u16(&mut out, 0);
    } else {
        put_u16(&mut out, addr.len() as u16 + 1); // ≤ 1025
        out.extend_from_slice(addr);
        out.push(0);
    }
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
    let results = &ack.results[..ack.results.len().min(MAX_COUNT)];
    out.extend_from_slice(&[results.len() as u8, 0, 0, 0]);
    for res in results {
        put_u16(&mut out, res.result);
        put_u16(&mut out, res.reason);
        put_syntax(&mut out, &res.transfer_syntax);
    }
    finish_pdu(out)
}

// ---------------------------------------------------------------------------------------------
// bind_nak
// ---------------------------------------------------------------------------------------------

/// A bind_nak (PTYPE 13). Emulators never send one (they drop the connection), so this
/// suggests a real Microsoft RPC runtime or some other service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindNak {
    pub header: PduHeader,
    pub reason: u16,
    /// Supported protocol versions (major, minor), e.g. [(5, 0)].
    pub versions: Vec<(u8, u8)>,
    /// MS-RPCE signature after the versions, present only if frag_length leaves room.
    pub signature: Option<Uuid>,
}

impl BindNak {
    pub fn reason_name(&self) -> &'static str {
        bind_nak_reason_name(self.reason)
    }

    /// The signature says extended error information follows.
    pub fn has_extended_error_info(&self) -> bool {
        self.signature == Some(BIND_NAK_EXTENDED_ERROR_SIGNATURE)
    }
}

/// Decode a bind_nak. A PDU that ends right after the reason (no versions list) is accepted
/// with an empty list, since C706 only requires the reason to be meaningful.
pub fn decode_bind_nak(bytes: &[u8]) -> Result<BindNak, WireError> {
    let (header, mut r) = open_pdu(bytes, "bind_nak", &[PTYPE_BIND_NAK], 18)?;
    let reason = r.u16("provider_reject_reason")?;
    let mut versions = Vec::new();
    if r.remaining() > 0 {
        let n = r.u8("n_protocols")?;
        for _ in 0..n {
            let major = r.u8("supported version (major)")?;
            let minor = r.u8("supported version (minor)")?;
            versions.push((major, minor));
        }
    }
    // MS-RPCE 2.2.2.9: the signature is present iff frag_length ≥ L + 16.
    let signature = if r.remaining() >= 16 {
        Some(r.uuid("signature")?)
    } else {
        None
    };
    Ok(BindNak {
        header,
        reason,
        versions,
        signature,
    })
}

/// Encode a bind_nak with the given reason and versions (no signature).
pub fn encode_bind_nak(header: &PduHeader, reason: u16, versions: &[(u8, u8)]) -> Vec<u8> {
    let versions = &versions[..versions.len().min(MAX_COUNT)];
    let mut out = start_pdu(header, 19 + 2 * versions.len());
    put_u16(&mut out, reason);
    out.push(versions.len() as u8);
    for &(major, minor) in versions {
        out.extend_from_slice(&[major, minor]);
    }
    finish_pdu(out)
}

// ---------------------------------------------------------------------------------------------
// fault
// ---------------------------------------------------------------------------------------------

/// A fault (PTYPE 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    pub header: PduHeader,
    pub alloc_hint: u32,
    pub context_id: u16,
    /// Uninitialised junk on vlmcsd; do not rely on it.
    pub cancel_count: u8,
    /// MS: bit 0x01 = extended error information follows. Junk on vlmcsd.
    pub fault_flags: u8,
    pub status: u32,
}

impl Fault {
    pub fn status_name(&self) -> Option<&'static str> {
        fault_status_name(self.status)
    }

    pub fn did_not_execute(&self) -> bool {
        self.header.flags & PFC_DID_NOT_EXECUTE != 0
    }
}

/// Decode a fault. Needs the status (offset 24..28); the trailing reserved word that normally
/// makes it 32 bytes is not required.
pub fn decode_fault(bytes: &[u8]) -> Result<Fault, WireError> {
    let (header, mut r) = open_pdu(bytes, "fault", &[PTYPE_FAULT], 28)?;
    Ok(Fault {
        header,
        alloc_hint: r.u32("alloc_hint")?,
        context_id: r.u16("p_cont_id")?,
        cancel_count: r.u8("cancel_count")?,
        fault_flags: r.u8("fault flags")?,
        status: r.u32("status")?,
    })
}

// ---------------------------------------------------------------------------------------------
// Top level
// ---------------------------------------------------------------------------------------------

/// What a server answered to a bind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerPdu {
    /// bind_ack or alter_context_resp (see `header.ptype`).
    BindAck(BindAck),
    BindNak(BindNak),
    Fault(Fault),
    /// A valid DCE/RPC header of another type (`header.ptype`); body not decoded.
    Other {
        header: PduHeader,
    },
}

/// Decode one server PDU from the start of `bytes` (which must hold frag_length bytes).
pub fn decode_server_pdu(bytes: &[u8]) -> Result<ServerPdu, WireError> {
    let header = decode_pdu_header(bytes)?;
    match header.ptype {
        PTYPE_BIND_ACK | PTYPE_ALTER_CONTEXT_RESP => decode_bind_ack(bytes).map(ServerPdu::BindAck),
        PTYPE_BIND_NAK => decode_bind_nak(bytes).map(ServerPdu::BindNak),
        PTYPE_FAULT => decode_fault(bytes).map(ServerPdu::Fault),
        _ => Ok(ServerPdu::Other { header }),
    }
}

// ---------------------------------------------------------------------------------------------
// Interpretation
// ---------------------------------------------------------------------------------------------

/// The result for one offered context, paired with what was offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextOutcome {
    pub context_id: u16,
    pub abstract_syntax: SyntaxId,
    pub result: ContextResult,
}

/// Whether a bind_ack lets us call the KMS interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KmsBindVerdict {
    /// A KMS context was accepted; send requests on `context_id` marshalled with
    /// `transfer_syntax` (NDR32 preferred when several are accepted).
    Accepted {
        context_id: u16,
        transfer_syntax: SyntaxId,
    },
    /// No KMS context was accepted; every offered context with its answer.
    Rejected { outcomes: Vec<ContextOutcome> },
    /// The server answered a different number of results than contexts offered.
    ResultCountMismatch { offered: usize, answered: usize },
}

/// Pair each offered context with its result (by position, as C706 requires).
pub fn context_outcomes(bind: &BindRequest, ack: &BindAck) -> Vec<ContextOutcome> {
    bind.contexts
        .iter()
        .zip(&ack.results)
        .map(|(ctx, res)| ContextOutcome {
            context_id: ctx.context_id,
            abstract_syntax: ctx.abstract_syntax,
            result: *res,
        })
        .collect()
}

/// Decide whether the KMS interface was accepted and with which transfer syntax.
/// A BTFN answer (result 3) is never a usable context.
pub fn kms_bind_verdict(bind: &BindRequest, ack: &BindAck) -> KmsBindVerdict {
    if bind.contexts.len() != ack.results.len() {
        return KmsBindVerdict::ResultCountMismatch {
            offered: bind.contexts.len(),
            answered: ack.results.len(),
        };
    }
    let outcomes = context_outcomes(bind, ack);
    let usable = |o: &&ContextOutcome| {
        o.abstract_syntax.uuid == KMS_INTERFACE_UUID && o.result.is_accepted()
    };
    let best = outcomes
        .iter()
        .filter(usable)
        .find(|o| o.result.transfer_syntax.uuid == NDR32_UUID)
        .or_else(|| outcomes.iter().find(usable));
    match best {
        Some(o) => KmsBindVerdict::Accepted {
            context_id: o.context_id,
            transfer_syntax: o.result.transfer_syntax,
        },
        None => KmsBindVerdict::Rejected { outcomes },
    }
}

// ---------------------------------------------------------------------------------------------
// Diagnostics
// ---------------------------------------------------------------------------------------------

/// Render up to `max` leading bytes readably: printable ASCII as is, `\r` `\n` `\t` `\\` as
/// escapes, anything else as `\xNN`; `...` is appended when bytes were left out. For messages
/// like `not DCE/RPC: got 'HTTP/1.1 400 Bad Request\r\n...'`.
pub fn printable_prefix(bytes: &[u8], max: usize) -> String {
    let shown = bytes.get(..max).unwrap_or(bytes);
    let mut s = String::with_capacity(shown.len() + 3);
    for &b in shown {
        match b {
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    if shown.len() < bytes.len() {
        s.push_str("...");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn hex(s: &str) -> Vec<u8> {
        let digits: Vec<u8> = s
            .bytes()
            .filter(|b| !b.is_ascii_whitespace())
            .map(|b| (b as char).to_digit(16).expect("hex digit") as u8)
            .collect();
        assert!(digits.len().is_multiple_of(2), "odd number of hex digits");
        digits.chunks(2).map(|p| (p[0] << 4) | p[1]).collect()
    }

    struct Vector {
        name: String,
        chunks: Vec<(String, Vec<u8>)>,
    }

    impl Vector {
        fn first(&self, dir: &str) -> &[u8] {
            &self
                .chunks
                .iter()
                .find(|(d, _)| d == dir)
                .unwrap_or_else(|| panic!("{}: no {dir} chunk", self.name))
                .1
        }
    }

    fn vectors() -> Vec<Vector> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/testvectors/kms");
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
            .map(|e| e.expect("dir entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        assert!(
            paths.len() >= 7,
            "expected the KMS test vectors in {}",
            dir.display()
        );
        paths
            .iter()
            .map(|p| {
                let text = std::fs::read_to_string(p).expect("read vector");
                let v: serde_json::Value = serde_json::from_str(&text).expect("vector JSON");
                let chunks = v["chunks"]
                    .as_array()
                    .expect("chunks array")
                    .iter()
                    .map(|c| {
                        (
                            c["dir"].as_str().expect("dir").to_string(),
                            hex(c["hex"].as_str().expect("hex")),
                        )
                    })
                    .collect();
                Vector {
                    name: p.file_name().unwrap().to_string_lossy().into_owned(),
                    chunks,
                }
            })
            .collect()
    }

    #[test]
    fn uuid_wire_layout_matches_notes() {
        assert_eq!(
            KMS_INTERFACE_UUID.to_wire().to_vec(),
            hex("7521c8514e845047b0d8ec255555bc06")
        );
        assert_eq!(
            NDR32_UUID.to_wire().to_vec(),
            hex("045d888aeb1cc9119fe808002b104860")
        );
        assert_eq!(
            NDR64_UUID.to_wire().to_vec(),
            hex("33057171babe37498319b5dbef9ccc36")
        );
        assert_eq!(
            BTFN.uuid.to_wire().to_vec(),
            hex("2c1cb76c12984045 0300000000000000")
        );
        assert_eq!(
            BTFN.uuid.to_string(),
            "6cb71c2c-9812-4540-0300-000000000000"
        );
        assert_eq!(btfn_bitmask(&BTFN.uuid), Some(3));
        assert_eq!(btfn_bitmask(&NDR32_UUID), None);
        let w = KMS_INTERFACE_UUID.to_wire();
        assert_eq!(Uuid::from_wire(w), KMS_INTERFACE_UUID);
    }

    #[test]
    fn uuid_text_round_trip_and_rejects() {
        let text = "51c82175-844e-4750-b0d8-ec255555bc06";
        assert_eq!(Uuid::parse(text), Ok(KMS_INTERFACE_UUID));
        assert_eq!(KMS_INTERFACE_UUID.to_string(), text);
        assert_eq!(
            "{8A885D04-1CEB-11C9-9FE8-08002B104860}".parse::<Uuid>(),
            Ok(NDR32_UUID)
        );
        for bad in [
            "",
            "51c82175-844e-4750-b0d8-ec255555bc0",
            "51c82175-844e-4750-b0d8-ec255555bc066",
            "51c82175x844e-4750-b0d8-ec255555bc06",
            "51c82175-844e-4750-b0d8-ec255555bcg6",
            "51c82175-844e-4750-b0d8-ec255555bc\u{e9}",
            "51c82175844e4750b0d8ec255555bc06----",
        ] {
            assert_eq!(Uuid::parse(bad), Err(ParseUuidError), "{bad:?}");
        }
    }

    #[test]
    fn kms_probe_is_the_72_byte_bind_from_the_notes() {
        let bytes = encode_bind(&BindRequest::kms_probe(2));
        let expected = hex(
            "05000b03 10000000 4800 0000 02000000 d016 d016 00000000 01 000000
             0000 01 00 7521c8514e845047b0d8ec255555bc06 0100 0000
             045d888aeb1cc9119fe808002b104860 02000000",
        );
        assert_eq!(bytes, expected);
        assert_eq!(
            decode_bind(&bytes),
            Ok(BindRequest {
                header: PduHeader {
                    frag_length: 72,
                    ..PduHeader::new(PTYPE_BIND, 3, 2)
                },
                ..BindRequest::kms_probe(2)
            })
        );
        assert_eq!(encode_bind(&BindRequest::kms_windows_style(2)).len(), 160);
    }

    #[test]
    fn every_vector_bind_and_bind_ack() {
        for v in vectors() {
            let name = &v.name;
            let bind_bytes = v.first("c2s");
            let bind = decode_bind(bind_bytes).unwrap_or_else(|e| panic!("{name}: bind: {e}"));
            assert_eq!(bind.header.ptype, PTYPE_BIND, "{name}");
            assert_eq!(bind.header.call_id, 2, "{name}");
            assert_eq!(
                usize::from(bind.header.frag_length),
                bind_bytes.len(),
                "{name}"
            );
            assert_eq!(
                (bind.max_xmit_frag, bind.max_recv_frag),
                (5840, 5840),
                "{name}"
            );
            assert_eq!(bind.assoc_group_id, 0, "{name}");
            assert!(bind
                .contexts
                .iter()
                .all(|c| c.abstract_syntax == KMS_INTERFACE));
            // Re-encode from the decoded fields, byte for byte.
            assert_eq!(encode_bind(&bind), bind_bytes, "{name}: re-encoded bind");

            let ack_bytes = v.first("s2c");
            let ack = decode_bind_ack(ack_bytes).unwrap_or_else(|e| panic!("{name}: ack: {e}"));
            assert_eq!(ack.header.ptype, PTYPE_BIND_ACK, "{name}");
            assert_eq!(ack.header.call_id, bind.header.call_id, "{name}");
            assert_eq!(
                ack.header.flags, bind.header.flags,
                "{name}: flags mirrored"
            );
            assert_eq!(
                (ack.max_xmit_frag, ack.max_recv_frag),
                (5840, 5840),
                "{name}"
            );
            assert_ne!(ack.assoc_group_id, 0, "{name}");
            // The capture's emulator listened on 11688: a 5-digit port (L = 6).
            assert_eq!(ack.secondary_address, "11688", "{name}");
            assert_eq!(ack.results.len(), bind.contexts.len(), "{name}");
            assert_eq!(
                encode_bind_ack(&ack),
                ack_bytes,
                "{name}: re-encoded bind_ack"
            );
            assert_eq!(
                decode_server_pdu(ack_bytes),
                Ok(ServerPdu::BindAck(ack.clone()))
            );

            if bind.contexts.len() == 1 {
                // NDR32 only, no BTFN, no PFC_CONC_MPX.
                assert_eq!(bind.header.flags, PFC_FIRST_FRAG | PFC_LAST_FRAG, "{name}");
                assert_eq!(
                    bind,
                    BindRequest {
                        header: PduHeader {
                            frag_length: 72,
                            ..bind.header
                        },
                        ..BindRequest::kms_probe(2)
                    }
                );
                assert_eq!(ack.results, vec![ContextResult::accepted(NDR32)], "{name}");
                assert_eq!(
                    kms_bind_verdict(&bind, &ack),
                    KmsBindVerdict::Accepted {
                        context_id: 0,
                        transfer_syntax: NDR32
                    }
                );
            } else {
                // Windows 8+-style three contexts; this emulator models an NDR64 host.
                assert_eq!(
                    bind,
                    BindRequest {
                        header: PduHeader {
                            frag_length: 160,
                            ..bind.header
                        },
                        ..BindRequest::kms_windows_style(2)
                    }
                );
                assert_eq!(
                    ack.results,
                    vec![
                        ContextResult::provider_rejection(REASON_TRANSFER_SYNTAXES_NOT_SUPPORTED),
                        ContextResult::accepted(NDR64),
                        ContextResult::negotiate_ack(3),
                    ],
                    "{name}"
                );
                assert_eq!(
                    ack.results[0].describe(),
                    "provider_rejection (proposed_transfer_syntaxes_not_supported)"
                );
                assert_eq!(ack.results[2].describe(), "negotiate_ack (bitmask 0x3)");
                assert_eq!(
                    kms_bind_verdict(&bind, &ack),
                    KmsBindVerdict::Accepted {
                        context_id: 1,
                        transfer_syntax: NDR64
                    }
                );
            }
        }
    }

    #[test]
    fn every_vector_later_chunks() {
        for v in vectors() {
            let name = &v.name;
            for (dir, bytes) in &v.chunks {
                let header = decode_pdu_header(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(usize::from(header.frag_length), bytes.len(), "{name}");
                assert_eq!(peek_frag_length(&bytes[..10]), Ok(header.frag_length));
                match (dir.as_str(), header.ptype) {
                    ("c2s", PTYPE_ALTER_CONTEXT) => {
                        let alter = decode_bind(bytes).unwrap();
                        assert_eq!(alter.contexts.len(), 1, "{name}");
                        assert_eq!(alter.contexts[0].transfer_syntaxes, vec![NDR32]);
                        assert_eq!(encode_bind(&alter), *bytes, "{name}: alter_context");
                    }
                    ("s2c", PTYPE_ALTER_CONTEXT_RESP) => {
                        // Secondary address length 0, results at 28, junk pad "11".
                        let resp = decode_bind_ack(bytes).unwrap();
                        assert_eq!(resp.secondary_address, "", "{name}");
                        assert_eq!(resp.results, vec![ContextResult::accepted(NDR32)]);
                        assert_eq!(bytes.get(26..28), Some(&b"11"[..]), "{name}: junk pad");
                    }
                    ("s2c", PTYPE_RESPONSE) => {
                        assert_eq!(decode_server_pdu(bytes), Ok(ServerPdu::Other { header }));
                    }
                    ("c2s", PTYPE_BIND | PTYPE_REQUEST) | ("s2c", PTYPE_BIND_ACK) => {}
                    other => panic!("{name}: unexpected chunk {other:?}"),
                }
            }
        }
    }

    #[test]
    fn vlmcsd_fault_from_the_notes() {
        let bytes =
            hex("05000323 10000000 20000000 02000000 20000000 0000 d4 ad 03000 11c 00000000");
        let ServerPdu::Fault(f) = decode_server_pdu(&bytes).unwrap() else {
            panic!("not a fault")
        };
        assert_eq!(f.status, NCA_S_UNK_IF);
        assert_eq!(f.status_name(), Some("nca_s_unk_if"));
        assert!(f.did_not_execute());
        assert_eq!(f.header.call_id, 2);
    }

    #[test]
    fn bind_nak_round_trip_and_names() {
        let h = PduHeader::new(PTYPE_BIND_NAK, 3, 7);
        let bytes = encode_bind_nak(&h, NAK_PROTOCOL_VERSION_NOT_SUPPORTED, &[(5, 0)]);
        assert_eq!(bytes.len(), 21);
        let ServerPdu::BindNak(nak) = decode_server_pdu(&bytes).unwrap() else {
            panic!("not a bind_nak")
        };
        assert_eq!(nak.reason, 4);
        assert_eq!(nak.reason_name(), "protocol_version_not_supported");
        assert_eq!(nak.versions, vec![(5, 0)]);
        assert_eq!(nak.signature, None);
        // With the MS extended error signature appended and frag_length patched.
        let mut ext = bytes.clone();
        ext.extend_from_slice(&BIND_NAK_EXTENDED_ERROR_SIGNATURE.to_wire());
        ext[8] = ext.len() as u8;
        let nak = decode_bind_nak(&ext).unwrap();
        assert!(nak.has_extended_error_info());
        assert_eq!(bind_nak_reason_name(1), "temporary_congestion");
        assert_eq!(bind_nak_reason_name(200), "unknown reason");
    }

    #[test]
    fn verdicts_for_rejections_and_mismatch() {
        let bind = BindRequest::kms_probe(2);
        let mut ack = BindAck {
            header: PduHeader::new(PTYPE_BIND_ACK, 3, 2),
            max_xmit_frag: 5840,
            max_recv_frag: 5840,
            assoc_group_id: 1,
            secondary_address: "1688".into(),
            results: vec![ContextResult::provider_rejection(1)],
        };
        let bytes = encode_bind_ack(&ack);
        assert_eq!(bytes.len(), 60);
        assert_eq!(&bytes[24..31], b"\x05\x001688\x00");
        match kms_bind_verdict(&bind, &ack) {
            KmsBindVerdict::Rejected { outcomes } => {
                assert_eq!(
                    outcomes[0].result.describe(),
                    "provider_rejection (abstract_syntax_not_supported)"
                );
            }
            other => panic!("{other:?}"),
        }
        ack.results.clear();
        assert_eq!(
            kms_bind_verdict(&bind, &ack),
            KmsBindVerdict::ResultCountMismatch {
                offered: 1,
                answered: 0
            }
        );
        // A BTFN answer alone is never a usable context.
        let mut bind2 = bind.clone();
        bind2.contexts[0].transfer_syntaxes = vec![BTFN];
        ack.results = vec![ContextResult::negotiate_ack(3)];
        assert!(matches!(
            kms_bind_verdict(&bind2, &ack),
            KmsBindVerdict::Rejected { .. }
        ));
    }

    #[test]
    fn error_messages_are_precise() {
        let http = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
        let e = decode_server_pdu(http).unwrap_err();
        assert_eq!(
            e,
            WireError::WrongVersion {
                major: b'H',
                minor: b'T'
            }
        );
        assert_eq!(
            printable_prefix(http, 26),
            "HTTP/1.1 400 Bad Request\\r\\n..."
        );
        assert_eq!(printable_prefix(b"\x05\x00\\", 10), "\\x05\\x00\\\\");
        let probe = encode_bind(&BindRequest::kms_probe(2));
        let e = decode_bind(&probe[..40]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "truncated: PDU (per frag_length) at offset 0 needs 72 bytes, but only 40 bytes were \
             received"
        );
        // frag_length shrunk to 50: the first context element runs past it.
        let mut short = probe.clone();
        short[8] = 50;
        assert_eq!(
            decode_bind(&short).unwrap_err().to_string(),
            "frag_length 50 inconsistent: abstract syntax at offset 32 needs 20 bytes and runs \
             past the end of the PDU"
        );
        assert_eq!(
            decode_bind_ack(&probe).unwrap_err().to_string(),
            "expected a bind_ack or alter_context_resp PDU, got PTYPE 11 (bind)"
        );
        let mut be = probe.clone();
        be[4] = 0x00;
        assert!(decode_pdu_header(&be)
            .unwrap_err()
            .to_string()
            .contains("00 00 00 00"));
        assert_eq!(
            decode_pdu_header(&probe[..12]).unwrap_err(),
            WireError::Truncated {
                what: "PDU header",
                offset: 0,
                needed: 16,
                available: 12
            }
        );
    }

    /// Every decoder on one input; must return, never panic.
    fn decode_all(bytes: &[u8]) {
        let _ = peek_frag_length(bytes);
        let _ = decode_pdu_header(bytes);
        let _ = decode_server_pdu(bytes);
        let _ = decode_bind(bytes);
        let _ = decode_bind_ack(bytes);
        let _ = decode_bind_nak(bytes);
        let _ = decode_fault(bytes);
        let _ = printable_prefix(bytes, 64);
        if let Ok(b) = decode_bind(bytes) {
            // Whatever decodes must survive encode -> decode unchanged (trailing bytes inside
            // frag_length are tolerated by the decoder, so lengths may differ).
            let again = decode_bind(&encode_bind(&b)).expect("re-encoded bind decodes");
            assert_eq!(again.contexts, b.contexts);
            assert_eq!(again.header.call_id, b.header.call_id);
        }
        if let Ok(a) = decode_bind_ack(bytes) {
            let _ = encode_bind_ack(&a);
        }
    }

    #[test]
    fn hostile_every_truncation_of_every_vector() {
        for v in vectors() {
            for (_, bytes) in &v.chunks {
                for n in 0..=bytes.len() {
                    decode_all(&bytes[..n]);
                }
                // Also every single-byte corruption of the bind/ack-sized PDUs.
                if bytes.len() <= 160 {
                    for i in 0..bytes.len() {
                        for x in [0x00, 0x01, 0x7f, 0x80, 0xff] {
                            let mut m = bytes.clone();
                            m[i] = x;
                            decode_all(&m);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn hostile_random_bytes() {
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..20_000 {
            let len = (next() % 300) as usize;
            let mut buf: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            // Half the time, make the header look valid so the body parsers get exercised.
            if round % 2 == 0 && buf.len() >= 16 {
                buf[..8].copy_from_slice(&[
                    5,
                    0,
                    [3, 11, 12, 13, 14, 15][round % 6],
                    3,
                    0x10,
                    0,
                    0,
                    0,
                ]);
                let frag = (len as u16).wrapping_sub((next() % 4) as u16);
                buf[8..10].copy_from_slice(&frag.to_le_bytes());
                buf[10..12].copy_from_slice(&[0, 0]);
            }
            decode_all(&buf);
        }
    }

    #[test]
    fn hostile_huge_counts_and_lengths() {
        // frag_length 65535 with only a header present.
        let mut h = encode_bind(&BindRequest::kms_probe(2));
        h[8..10].copy_from_slice(&u16::MAX.to_le_bytes());
        assert!(matches!(
            decode_bind(&h),
            Err(WireError::Truncated { needed: 65535, .. })
        ));
        // A real 65535-byte buffer claiming 255 contexts with 255 transfer syntaxes each.
        let mut big = vec![0xffu8; 65535];
        big[..16].copy_from_slice(&[5, 0, 11, 3, 0x10, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0]);
        decode_all(&big);
        big[2] = 12; // bind_ack: secondary address length 0xffff runs past the end
        assert!(matches!(
            decode_bind_ack(&big),
            Err(WireError::FragLengthInconsistent {
                what: "secondary address",
                ..
            })
        ));
        // frag_length below the header size.
        let mut tiny = h.clone();
        tiny[8..10].copy_from_slice(&5u16.to_le_bytes());
        assert_eq!(
            peek_frag_length(&tiny),
            Err(WireError::FragLengthTooSmall {
                frag_length: 5,
                minimum: 16
            })
        );
        // Zero contexts / zero transfer syntaxes decode fine and round-trip.
        let mut empty = BindRequest::kms_probe(9);
        empty.contexts[0].transfer_syntaxes.clear();
        let bytes = encode_bind(&empty);
        assert_eq!(bytes.len(), 52);
        assert_eq!(
            decode_bind(&bytes).unwrap().contexts[0].transfer_syntaxes,
            vec![]
        );
        empty.contexts.clear();
        let bytes = encode_bind(&empty);
        assert_eq!(bytes.len(), 28);
        assert_eq!(decode_bind(&bytes).unwrap().contexts, vec![]);
        // Oversized requests are clamped into a consistent PDU instead of panicking.
        let ctx = PresentationContext {
            context_id: 0,
            abstract_syntax: KMS_INTERFACE,
            transfer_syntaxes: vec![NDR32; 300],
        };
        let huge = BindRequest {
            contexts: vec![ctx; 300],
            ..BindRequest::kms_probe(1)
        };
        let bytes = encode_bind(&huge);
        let back = decode_bind(&bytes).unwrap();
        assert_eq!(usize::from(back.header.frag_length), bytes.len());
        assert!(back
            .contexts
            .iter()
            .all(|c| c.transfer_syntaxes.len() == 255));
        // Fragmented and authenticated PDUs are refused with a reason.
        let mut frag = encode_bind(&BindRequest::kms_probe(2));
        frag[3] = PFC_FIRST_FRAG;
        assert_eq!(decode_bind(&frag), Err(WireError::Fragmented { flags: 1 }));
        frag[3] = 3;
        frag[10] = 8;
        assert_eq!(
            decode_bind(&frag),
            Err(WireError::AuthPresent { auth_length: 8 })
        );
    }
}
