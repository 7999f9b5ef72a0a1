//! Constants and identifiers: PDU types, flags, result and reason codes, UUIDs and syntax ids.

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
pub(crate) const BTFN_PREFIX: (u32, u16, u16) = (0x6cb7_1c2c, 0x9812, 0x4540);
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

pub(crate) const fn swap_fields(b: [u8; 16]) -> [u8; 16] {
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
