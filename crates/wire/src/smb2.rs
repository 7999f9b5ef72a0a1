//! SMB2 NEGOTIATE over direct TCP (port 445), used only to read the server's clock
//! (MS-SMB2 2.1, 2.2.1, 2.2.3, 2.2.4; protocol-notes §5).
//!
//! Pure code, std only, no I/O. [`decode_negotiate_response`] and [`framed_message_len`] never panic:
//! every read is length-checked and FILETIME conversion uses checked arithmetic.
//!
//! Reading a reply: read exactly 4 bytes, pass them to [`framed_message_len`], read that many more
//! bytes, then pass all `4 + n` bytes to [`decode_negotiate_response`].

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Length of the direct-TCP transport header (`0x00` + 24-bit big-endian length).
pub const FRAMING_LEN: usize = 4;
/// Length of the SMB2 sync header.
pub const SMB2_HEADER_LEN: usize = 64;
/// Fixed part of the NEGOTIATE response body (StructureSize 65 = 64 fixed bytes + variable buffer).
pub const NEGOTIATE_RESPONSE_FIXED_LEN: usize = 64;
/// Largest framed message [`framed_message_len`] accepts. Real NEGOTIATE responses are a few hundred
/// bytes (Samba 4.17: 202); 64 KiB leaves room for large SPNEGO blobs while bounding memory.
pub const MAX_MESSAGE_LEN: usize = 64 * 1024;
/// Smallest framed message accepted: an SMB1 header (32 bytes) is the shortest thing a server could
/// meaningfully answer, and it must stay classifiable as [`Smb2Error::Smb1Only`].
pub const MIN_MESSAGE_LEN: usize = 32;

/// `\xFESMB`.
pub const SMB2_PROTOCOL_ID: [u8; 4] = [0xFE, b'S', b'M', b'B'];
/// `\xFFSMB`.
pub const SMB1_PROTOCOL_ID: [u8; 4] = [0xFF, b'S', b'M', b'B'];
/// Command code of NEGOTIATE.
pub const COMMAND_NEGOTIATE: u16 = 0;
/// SMB2_FLAGS_SERVER_TO_REDIR: set in every response.
pub const FLAGS_SERVER_TO_REDIR: u32 = 0x0000_0001;
/// SMB2_NEGOTIATE_SIGNING_ENABLED.
pub const SECURITY_MODE_SIGNING_ENABLED: u16 = 0x0001;
/// SMB2_NEGOTIATE_SIGNING_REQUIRED.
pub const SECURITY_MODE_SIGNING_REQUIRED: u16 = 0x0002;

/// Dialects we offer: SMB 2.0.2, 2.1, 3.0, 3.0.2.
///
/// 0x0311 (SMB 3.1.1) is deliberately **not** offered. Offering it makes the 8 bytes at body offset 28
/// a NegotiateContextOffset/Count and obliges the client to send at least a PREAUTH_INTEGRITY_CAPABILITIES
/// negotiate context; without it Samba answers STATUS_INVALID_PARAMETER (0xC000000D, lab) and
/// MS-SMB2 3.3.5.4 asks Windows to do the same. SystemTime is present in the NEGOTIATE response of
/// every dialect, so 3.1.1 would buy nothing for a clock probe (protocol-notes §5.1 recommendation).
///
/// We send an SMB2 NEGOTIATE directly rather than an SMB1 NEGOTIATE listing "SMB 2.???": servers
/// answer the SMB1 form with dialect 0x02FF (multi-protocol) or with an SMB1 reply, which we never
/// need. An SMB1-only server either drops the connection or answers with an SMB1 header, which
/// [`decode_negotiate_response`] reports as [`Smb2Error::Smb1Only`].
pub const OFFERED_DIALECTS: [u16; 4] = [0x0202, 0x0210, 0x0300, 0x0302];

/// Seconds between 1601-01-01 (FILETIME epoch) and 1970-01-01 (Unix epoch).
pub const FILETIME_UNIX_OFFSET_SECS: u64 = 11_644_473_600;
const FILETIME_TICKS_PER_SEC: u64 = 10_000_000;

/// Builds the NEGOTIATE request including the 4-byte direct-TCP framing (112 bytes on the wire).
///
/// Header: ProtocolId `FE 'S' 'M' 'B'`, StructureSize 64, CreditCharge 0, Status 0, Command 0
/// (NEGOTIATE), CreditRequest 1 (what Samba's lab client used; nmap sends 0), Flags 0, MessageId 0,
/// ProcessId/TreeId/SessionId 0, zero signature. Body: StructureSize 36, DialectCount 4,
/// SecurityMode signing-enabled, Capabilities 0, `client_guid`, ClientStartTime 0, then
/// [`OFFERED_DIALECTS`].
pub fn encode_negotiate_request(client_guid: [u8; 16]) -> Vec<u8> {
    let smb_len = SMB2_HEADER_LEN + 36 + 2 * OFFERED_DIALECTS.len();
    let mut v = Vec::with_capacity(FRAMING_LEN + smb_len);
    // Direct TCP transport: 0x00 then 24-bit big-endian length.
    v.push(0);
    v.extend_from_slice(&(smb_len as u32).to_be_bytes()[1..]);
    // SMB2 sync header.
    v.extend_from_slice(&SMB2_PROTOCOL_ID);
    v.extend_from_slice(&64u16.to_le_bytes()); // StructureSize
    v.extend_from_slice(&0u16.to_le_bytes()); // CreditCharge
    v.extend_from_slice(&0u32.to_le_bytes()); // Status / ChannelSequence
    v.extend_from_slice(&COMMAND_NEGOTIATE.to_le_bytes());
    v.extend_from_slice(&1u16.to_le_bytes()); // CreditRequest
    v.extend_from_slice(&0u32.to_le_bytes()); // Flags
    v.extend_from_slice(&0u32.to_le_bytes()); // NextCommand
    v.extend_from_slice(&0u64.to_le_bytes()); // MessageId
    v.extend_from_slice(&0u32.to_le_bytes()); // Reserved (ProcessId)
    v.extend_from_slice(&0u32.to_le_bytes()); // TreeId
    v.extend_from_slice(&0u64.to_le_bytes()); // SessionId
    v.extend_from_slice(&[0u8; 16]); // Signature
                                     // NEGOTIATE request body.
    v.extend_from_slice(&36u16.to_le_bytes()); // StructureSize
    v.extend_from_slice(&(OFFERED_DIALECTS.len() as u16).to_le_bytes());
    v.extend_from_slice(&SECURITY_MODE_SIGNING_ENABLED.to_le_bytes());
    v.extend_from_slice(&0u16.to_le_bytes()); // Reserved
    v.extend_from_slice(&0u32.to_le_bytes()); // Capabilities
    v.extend_from_slice(&client_guid);
    v.extend_from_slice(&0u64.to_le_bytes()); // ClientStartTime (no 0x0311 ⇒ not context fields)
    for d in OFFERED_DIALECTS {
        v.extend_from_slice(&d.to_le_bytes());
    }
    v
}

/// Given the first 4 bytes of a reply (the direct-TCP framing), returns how many more bytes to read.
///
/// Errors: fewer than 4 bytes ([`Smb2Error::Truncated`]); first byte not `0x00`
/// ([`Smb2Error::NotSessionMessage`], e.g. a NetBIOS negative session response 0x83 from port 139);
/// length below [`MIN_MESSAGE_LEN`] or above [`MAX_MESSAGE_LEN`] ([`Smb2Error::FramingTooSmall`],
/// [`Smb2Error::FramingTooLarge`]).
pub fn framed_message_len(first: &[u8]) -> Result<usize, Smb2Error> {
    let Some(&[kind, a, b, c]) = first.get(..FRAMING_LEN) else {
        return Err(Smb2Error::Truncated {
            needed: FRAMING_LEN,
            got: first.len(),
        });
    };
    if kind != 0 {
        return Err(Smb2Error::NotSessionMessage { kind });
    }
    let len = u32::from_be_bytes([0, a, b, c]) as usize;
    if len > MAX_MESSAGE_LEN {
        return Err(Smb2Error::FramingTooLarge { len });
    }
    if len < MIN_MESSAGE_LEN {
        return Err(Smb2Error::FramingTooSmall { len });
    }
    Ok(len)
}

/// An SMB2 dialect revision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Dialect(pub u16);

impl Dialect {
    /// True if this is one of [`OFFERED_DIALECTS`] (a compliant server only picks one of those).
    pub fn was_offered(self) -> bool {
        OFFERED_DIALECTS.contains(&self.0)
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            0x0202 => f.write_str("SMB 2.0.2"),
            0x0210 => f.write_str("SMB 2.1"),
            0x0300 => f.write_str("SMB 3.0"),
            0x0302 => f.write_str("SMB 3.0.2"),
            0x0311 => f.write_str("SMB 3.1.1"),
            0x02FF => f.write_str("SMB 2.??? (wildcard)"),
            other => write!(f, "unknown dialect 0x{other:04x}"),
        }
    }
}

/// What a successful NEGOTIATE response tells us.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Smb2NegotiateInfo {
    /// SecurityMode (bit 0x02 = signing required).
    pub security_mode: u16,
    /// Dialect the server selected.
    pub dialect: Dialect,
    /// NegotiateContextCount (only meaningful for 3.1.1; reserved otherwise).
    pub negotiate_context_count: u16,
    /// ServerGuid, raw 16 bytes.
    pub server_guid: [u8; 16],
    /// Capabilities flags.
    pub capabilities: u32,
    /// MaxTransactSize.
    pub max_transact_size: u32,
    /// MaxReadSize.
    pub max_read_size: u32,
    /// MaxWriteSize.
    pub max_write_size: u32,
    /// Raw SystemTime FILETIME (100 ns since 1601-01-01 UTC).
    pub system_time_raw: u64,
    /// The server's current UTC time; `None` if the server sent 0.
    pub system_time: Option<SystemTime>,
    /// Raw ServerStartTime FILETIME.
    pub server_start_time_raw: u64,
    /// Server start time; `None` when 0 ("not reported": Samba always, newer Windows usually).
    pub server_start_time: Option<SystemTime>,
    /// SecurityBufferOffset (from the SMB2 header start), as sent.
    pub security_buffer_offset: u16,
    /// SecurityBufferLength, as sent (not validated: irrelevant for the clock).
    pub security_buffer_length: u16,
}

impl Smb2NegotiateInfo {
    /// True if the server requires signing.
    pub fn signing_required(&self) -> bool {
        self.security_mode & SECURITY_MODE_SIGNING_REQUIRED != 0
    }
}

/// Why a NEGOTIATE reply could not be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Smb2Error {
    /// Fewer bytes than the structure being read requires.
    Truncated {
        /// Bytes required at this point.
        needed: usize,
        /// Bytes available.
        got: usize,
    },
    /// First framing byte is not 0x00 (not a direct-TCP session message).
    NotSessionMessage {
        /// The byte received.
        kind: u8,
    },
    /// Framing length above [`MAX_MESSAGE_LEN`].
    FramingTooLarge {
        /// Declared length.
        len: usize,
    },
    /// Framing length below [`MIN_MESSAGE_LEN`].
    FramingTooSmall {
        /// Declared length.
        len: usize,
    },
    /// Framing length differs from the number of bytes after the framing.
    LengthMismatch {
        /// Length in the framing header.
        declared: usize,
        /// Bytes actually present after the framing.
        actual: usize,
    },
    /// The server answered with an SMB1 header: it speaks SMB1 only (or refuses SMB2).
    Smb1Only,
    /// Protocol id is neither SMB2 nor SMB1.
    NotSmb {
        /// The 4 bytes found.
        protocol_id: [u8; 4],
    },
    /// SMB2 header StructureSize is not 64.
    BadHeaderStructureSize {
        /// Value found.
        size: u16,
    },
    /// The message is not a response (SERVER_TO_REDIR flag clear), e.g. an echo of our request.
    NotAResponse,
    /// The response is for another command.
    UnexpectedCommand {
        /// Command code found.
        command: u16,
    },
    /// Non-zero NTSTATUS: the server rejected the NEGOTIATE (the body is an ERROR structure).
    Status {
        /// The NTSTATUS code.
        code: u32,
    },
    /// NEGOTIATE response StructureSize is not 65.
    BadBodyStructureSize {
        /// Value found.
        size: u16,
    },
    /// A FILETIME field cannot be represented (above `i64::MAX` ticks, beyond what Windows itself
    /// accepts, or outside this platform's `SystemTime`).
    FileTimeOutOfRange {
        /// Which field.
        field: &'static str,
        /// Raw value.
        value: u64,
    },
}

/// Name of a few NTSTATUS codes a NEGOTIATE may fail with.
pub fn ntstatus_name(code: u32) -> Option<&'static str> {
    Some(match code {
        0xC000_000D => "STATUS_INVALID_PARAMETER",
        0xC000_0022 => "STATUS_ACCESS_DENIED",
        0xC000_009A => "STATUS_INSUFFICIENT_RESOURCES",
        0xC000_00BB => "STATUS_NOT_SUPPORTED",
        0xC000_0002 => "STATUS_NOT_IMPLEMENTED",
        0xC000_0010 => "STATUS_INVALID_DEVICE_REQUEST",
        0xC000_00CC => "STATUS_BAD_NETWORK_NAME",
        0xC000_0203 => "STATUS_USER_SESSION_DELETED",
        0xC000_020C => "STATUS_CONNECTION_DISCONNECTED",
        0x0000_0103 => "STATUS_PENDING",
        _ => return None,
    })
}

impl fmt::Display for Smb2Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Smb2Error::Truncated { needed, got } => {
                write!(f, "SMB2 reply truncated: need {needed} bytes, got {got}")
            }
            Smb2Error::NotSessionMessage { kind } => write!(
                f,
                "SMB transport header type 0x{kind:02x} is not a session message (0x00)"
            ),
            Smb2Error::FramingTooLarge { len } => write!(
                f,
                "SMB2 framing announces {len} bytes, more than the {MAX_MESSAGE_LEN}-byte limit"
            ),
            Smb2Error::FramingTooSmall { len } => write!(
                f,
                "SMB2 framing announces {len} bytes, less than any SMB message ({MIN_MESSAGE_LEN})"
            ),
            Smb2Error::LengthMismatch { declared, actual } => write!(
                f,
                "SMB2 framing announces {declared} bytes but {actual} follow"
            ),
            Smb2Error::Smb1Only => f.write_str("server answered SMB1 only (no SMB2 support)"),
            Smb2Error::NotSmb { protocol_id } => write!(
                f,
                "not an SMB reply: protocol id {:02x}{:02x}{:02x}{:02x}",
                protocol_id[0], protocol_id[1], protocol_id[2], protocol_id[3]
            ),
            Smb2Error::BadHeaderStructureSize { size } => {
                write!(f, "SMB2 header StructureSize {size}, expected 64")
            }
            Smb2Error::NotAResponse => {
                f.write_str("SMB2 message is not a server response (SERVER_TO_REDIR flag clear)")
            }
            Smb2Error::UnexpectedCommand { command } => {
                write!(
                    f,
                    "SMB2 reply is for command 0x{command:04x}, expected NEGOTIATE (0)"
                )
            }
            Smb2Error::Status { code } => {
                write!(f, "SMB2 NEGOTIATE failed with NTSTATUS 0x{code:08X}")?;
                if let Some(name) = ntstatus_name(*code) {
                    write!(f, " ({name})")?;
                }
                Ok(())
            }
            Smb2Error::BadBodyStructureSize { size } => {
                write!(
                    f,
                    "SMB2 NEGOTIATE response StructureSize {size}, expected 65"
                )
            }
            Smb2Error::FileTimeOutOfRange { field, value } => {
                write!(f, "SMB2 {field} FILETIME 0x{value:016X} is out of range")
            }
        }
    }
}

impl std::error::Error for Smb2Error {}

/// FILETIME (100 ns ticks since 1601-01-01 00:00 UTC) to [`SystemTime`].
///
/// 0 → `Ok(None)` ("not set"). Values above `i64::MAX` (which Windows' own FileTimeToSystemTime
/// rejects) or not representable by this platform's `SystemTime` →
/// [`Smb2Error::FileTimeOutOfRange`] with `field` "FILETIME".
pub fn filetime_to_system_time(filetime: u64) -> Result<Option<SystemTime>, Smb2Error> {
    filetime_field(filetime, "FILETIME")
}

fn filetime_field(filetime: u64, field: &'static str) -> Result<Option<SystemTime>, Smb2Error> {
    let out_of_range = Smb2Error::FileTimeOutOfRange {
        field,
        value: filetime,
    };
    if filetime == 0 {
        return Ok(None);
    }
    if filetime > i64::MAX as u64 {
        return Err(out_of_range);
    }
    let secs = filetime / FILETIME_TICKS_PER_SEC;
    let nanos = ((filetime % FILETIME_TICKS_PER_SEC) * 100) as u32;
    let since_1601 = Duration::new(secs, nanos);
    let epoch_offset = Duration::from_secs(FILETIME_UNIX_OFFSET_SECS);
    let t = if since_1601 >= epoch_offset {
        UNIX_EPOCH.checked_add(since_1601 - epoch_offset)
    } else {
        UNIX_EPOCH.checked_sub(epoch_offset - since_1601)
    };
    t.map(Some).ok_or(out_of_range)
}

/// [`SystemTime`] to FILETIME, truncated to 100 ns. `None` before 1601 or beyond `i64::MAX` ticks.
pub fn system_time_to_filetime(t: SystemTime) -> Option<u64> {
    let offset = FILETIME_UNIX_OFFSET_SECS as i128 * FILETIME_TICKS_PER_SEC as i128;
    let ticks_since_unix: i128 = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => (d.as_nanos() / 100) as i128,
        // Round toward −∞ for times before 1970 so truncation is consistent.
        Err(e) => -(e.duration().as_nanos().div_ceil(100) as i128),
    };
    let ft = ticks_since_unix + offset;
    if (0..=i64::MAX as i128).contains(&ft) {
        Some(ft as u64)
    } else {
        None
    }
}

fn le_u16(b: &[u8], off: usize) -> u16 {
    let mut a = [0u8; 2];
    if let Some(s) = b.get(off..off + 2) {
        a.copy_from_slice(s);
    }
    u16::from_le_bytes(a)
}

fn le_u32(b: &[u8], off: usize) -> u32 {
    let mut a = [0u8; 4];
    if let Some(s) = b.get(off..off + 4) {
        a.copy_from_slice(s);
    }
    u32::from_le_bytes(a)
}

fn le_u64(b: &[u8], off: usize) -> u64 {
    let mut a = [0u8; 8];
    if let Some(s) = b.get(off..off + 8) {
        a.copy_from_slice(s);
    }
    u64::from_le_bytes(a)
}

/// Parses a complete NEGOTIATE reply, **including** the 4-byte direct-TCP framing.
///
/// Checks, in order: framing (as [`framed_message_len`]) and that it equals the bytes that follow;
/// protocol id (`\xFFSMB` → [`Smb2Error::Smb1Only`]); header StructureSize 64; response flag;
/// Command 0; Status 0 (else [`Smb2Error::Status`] with the NTSTATUS, checked before the body because
/// error bodies are only 9 bytes); body StructureSize 65 and 64 fixed bytes present; FILETIMEs in
/// range. The security buffer is not inspected.
pub fn decode_negotiate_response(buf: &[u8]) -> Result<Smb2NegotiateInfo, Smb2Error> {
    let declared = framed_message_len(buf)?;
    let msg = &buf[FRAMING_LEN..];
    if declared != msg.len() {
        return Err(Smb2Error::LengthMismatch {
            declared,
            actual: msg.len(),
        });
    }
    // MIN_MESSAGE_LEN ≥ 4, so the protocol id is present.
    let protocol_id = [msg[0], msg[1], msg[2], msg[3]];
    if protocol_id == SMB1_PROTOCOL_ID {
        return Err(Smb2Error::Smb1Only);
    }
    if protocol_id != SMB2_PROTOCOL_ID {
        return Err(Smb2Error::NotSmb { protocol_id });
    }
    if msg.len() < SMB2_HEADER_LEN {
        return Err(Smb2Error::Truncated {
            needed: FRAMING_LEN + SMB2_HEADER_LEN,
            got: buf.len(),
        });
    }
    let header_size = le_u16(msg, 4);
    if header_size != 64 {
        return Err(Smb2Error::BadHeaderStructureSize { size: header_size });
    }
    let status = le_u32(msg, 8);
    let command = le_u16(msg, 12);
    let flags = le_u32(msg, 16);
    if flags & FLAGS_SERVER_TO_REDIR == 0 {
        return Err(Smb2Error::NotAResponse);
    }
    if command != COMMAND_NEGOTIATE {
        return Err(Smb2Error::UnexpectedCommand { command });
    }
    if status != 0 {
        return Err(Smb2Error::Status { code: status });
    }
    let body = &msg[SMB2_HEADER_LEN..];
    if body.len() < NEGOTIATE_RESPONSE_FIXED_LEN {
        return Err(Smb2Error::Truncated {
            needed: FRAMING_LEN + SMB2_HEADER_LEN + NEGOTIATE_RESPONSE_FIXED_LEN,
            got: buf.len(),
        });
    }
    let body_size = le_u16(body, 0);
    if body_size != 65 {
        return Err(Smb2Error::BadBodyStructureSize { size: body_size });
    }
    let mut server_guid = [0u8; 16];
    server_guid.copy_from_slice(&body[8..24]);
    let system_time_raw = le_u64(body, 40);
    let server_start_time_raw = le_u64(body, 48);
    let system_time = filetime_field(system_time_raw, "SystemTime")?;
    let server_start_time = filetime_field(server_start_time_raw, "ServerStartTime")?;
    Ok(Smb2NegotiateInfo {
        security_mode: le_u16(body, 2),
        dialect: Dialect(le_u16(body, 4)),
        negotiate_context_count: le_u16(body, 6),
        server_guid,
        capabilities: le_u32(body, 24),
        max_transact_size: le_u32(body, 28),
        max_read_size: le_u32(body, 32),
        max_write_size: le_u32(body, 36),
        system_time_raw,
        system_time,
        server_start_time_raw,
        server_start_time,
        security_buffer_offset: le_u16(body, 56),
        security_buffer_length: le_u16(body, 58),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// FILETIME 0x01DB000000000000 = 2024-09-06 01:56:33.7561600 UTC (protocol-notes §8).
    const FT: u64 = 0x01DB_0000_0000_0000;
    const FT_UNIX: (u64, u32) = (1_725_587_793, 756_160_000);
    const SERVER_GUID: [u8; 16] = *b"samba-guid-0123\0";

    /// A Samba 4.17 NEGOTIATE response, 206 bytes on the wire. protocol-notes §9 gives the prefix
    /// `000000ca fe534d42 4000 0000 00000000 0000 0100 …` and body start `4100 0100 0203 0000
    /// <ServerGuid> 07000000 …`; the rest is filled in from the §5.2 layout (flags = response,
    /// MaxTransact/Read/Write 8 MiB as Samba defaults, ServerStartTime 0, a 74-byte security buffer at
    /// offset 0x80 so that 64 + 64 + 74 = 202 = 0xca).
    fn samba_response(system_time: u64) -> Vec<u8> {
        let mut v = hex("000000ca fe534d42 4000 0000 00000000 0000 0100");
        v.extend_from_slice(&1u32.to_le_bytes()); // Flags: SERVER_TO_REDIR
        v.extend_from_slice(&0u32.to_le_bytes()); // NextCommand
        v.extend_from_slice(&0u64.to_le_bytes()); // MessageId
        v.extend_from_slice(&0u32.to_le_bytes()); // Reserved
        v.extend_from_slice(&0u32.to_le_bytes()); // TreeId
        v.extend_from_slice(&0u64.to_le_bytes()); // SessionId
        v.extend_from_slice(&[0u8; 16]); // Signature
        assert_eq!(v.len(), 68);
        v.extend_from_slice(&hex("4100 0100 0203 0000"));
        v.extend_from_slice(&SERVER_GUID);
        v.extend_from_slice(&hex("07000000"));
        v.extend_from_slice(&0x0080_0000u32.to_le_bytes()); // MaxTransactSize
        v.extend_from_slice(&0x0080_0000u32.to_le_bytes()); // MaxReadSize
        v.extend_from_slice(&0x0080_0000u32.to_le_bytes()); // MaxWriteSize
        assert_eq!(v.len(), 108, "SystemTime at TCP offset 108");
        v.extend_from_slice(&system_time.to_le_bytes());
        v.extend_from_slice(&0u64.to_le_bytes()); // ServerStartTime (Samba: 0)
        v.extend_from_slice(&0x80u16.to_le_bytes()); // SecurityBufferOffset
        v.extend_from_slice(&74u16.to_le_bytes()); // SecurityBufferLength
        v.extend_from_slice(&0u32.to_le_bytes()); // NegotiateContextOffset
        v.push(0x60); // SPNEGO NegTokenInit tag, then filler
        v.extend(std::iter::repeat_n(0x2a, 73));
        assert_eq!(v.len(), 206);
        v
    }

    #[test]
    fn encode_request_layout() {
        let guid = [0x11u8; 16];
        let v = encode_negotiate_request(guid);
        assert_eq!(v.len(), 112);
        assert_eq!(&v[..4], &[0, 0, 0, 108]);
        assert_eq!(&v[4..8], b"\xFESMB");
        assert_eq!(&v[8..10], &[64, 0]);
        assert_eq!(&v[16..18], &[0, 0]); // Command NEGOTIATE
        assert_eq!(&v[18..20], &[1, 0]); // CreditRequest
        assert_eq!(&v[28..36], &[0; 8]); // MessageId
        let body = &v[68..];
        assert_eq!(&body[..2], &[36, 0]);
        assert_eq!(&body[2..4], &[4, 0]);
        assert_eq!(&body[4..6], &[1, 0]); // signing enabled
        assert_eq!(&body[12..28], &guid);
        assert_eq!(&body[28..36], &[0; 8]);
        assert_eq!(&body[36..], &hex("0202 1002 0003 0203")[..]);
        // No 0x0311 offered.
        assert!(!body[36..].chunks(2).any(|c| c == [0x11, 0x03]));
        assert_eq!(framed_message_len(&v[..4]), Ok(108));
    }

    #[test]
    fn decodes_samba_response() {
        let buf = samba_response(FT);
        assert_eq!(framed_message_len(&buf[..4]), Ok(202));
        let info = decode_negotiate_response(&buf).unwrap();
        assert_eq!(info.security_mode, 1);
        assert!(!info.signing_required());
        assert_eq!(info.dialect, Dialect(0x0302));
        assert!(info.dialect.was_offered());
        assert_eq!(info.dialect.to_string(), "SMB 3.0.2");
        assert_eq!(info.server_guid, SERVER_GUID);
        assert_eq!(info.capabilities, 7);
        assert_eq!(info.max_read_size, 0x0080_0000);
        assert_eq!(info.system_time_raw, FT);
        assert_eq!(
            info.system_time,
            Some(UNIX_EPOCH + Duration::new(FT_UNIX.0, FT_UNIX.1))
        );
        assert_eq!(info.server_start_time_raw, 0);
        assert_eq!(info.server_start_time, None);
        assert_eq!(info.security_buffer_offset, 0x80);
        assert_eq!(info.security_buffer_length, 74);
    }

    /// A complete live reply captured from Samba 4.17.12 (Debian) smbd running under
    /// `faketime -f '-3h'` in a network namespace (notes/clock-lab.md). SystemTime
    /// 0x01DD7A1DF10B9286 = 2026-11-22 01:08:10.7690630 UTC, three hours behind the host clock.
    const SAMBA_LIVE: &str = "\
        000000cafe534d42400000000000000000000100010000000000000000000000\
        0000000000000000000000000000000000000000000000000000000000000000\
        000000004100010002030000766d000000000000000000000000000007000000\
        00008000000080000000800086920bf11d7add01000000000000000080004a00\
        00000000604806062b0601050502a03e303ca00e300c060a2b06010401823702\
        020aa32a3028a0261b246e6f745f646566696e65645f696e5f52464334313738\
        40706c656173655f69676e6f7265";

    #[test]
    fn decodes_live_samba_capture() {
        let buf = hex(SAMBA_LIVE);
        assert_eq!(buf.len(), 206);
        let info = decode_negotiate_response(&buf).unwrap();
        assert_eq!(info.dialect, Dialect(0x0302));
        assert_eq!(info.capabilities, 7);
        assert_eq!(info.max_transact_size, 0x0080_0000);
        assert_eq!(info.system_time_raw, 0x01DD_7A1D_F10B_9286);
        assert_eq!(
            info.system_time,
            Some(UNIX_EPOCH + Duration::new(1_795_309_690, 769_063_000))
        );
        assert_eq!(info.server_start_time, None);
        assert_eq!(info.security_buffer_offset, 0x80);
        assert_eq!(info.security_buffer_length, 74);
        // The SPNEGO blob ends with Samba's well-known placeholder principal.
        assert!(buf.ends_with(b"not_defined_in_RFC4178@please_ignore"));
        for n in 0..buf.len() {
            assert!(decode_negotiate_response(&buf[..n]).is_err());
        }
    }

    #[test]
    fn every_truncation_fails_cleanly() {
        let buf = samba_response(FT);
        for n in 0..buf.len() {
            let err = decode_negotiate_response(&buf[..n]).unwrap_err();
            if n < 4 {
                assert!(matches!(err, Smb2Error::Truncated { .. }), "{n}: {err:?}");
            } else {
                assert_eq!(
                    err,
                    Smb2Error::LengthMismatch {
                        declared: 202,
                        actual: n - 4
                    },
                    "{n}"
                );
            }
        }
        // Same truncations with the framing rewritten to match: the inner checks must catch them.
        for n in 4..buf.len() {
            let mut b = buf[..n].to_vec();
            let len = (n - 4) as u32;
            b[1..4].copy_from_slice(&len.to_be_bytes()[1..]);
            let r = decode_negotiate_response(&b);
            if n - 4 < MIN_MESSAGE_LEN {
                assert_eq!(r, Err(Smb2Error::FramingTooSmall { len: n - 4 }), "{n}");
            } else if n < 132 {
                assert!(matches!(r, Err(Smb2Error::Truncated { .. })), "{n}: {r:?}");
            } else {
                // Header + 64-byte fixed body present; the security buffer is not needed.
                assert_eq!(r.unwrap().system_time_raw, FT, "{n}");
            }
        }
    }

    #[test]
    fn fixed_part_only_is_enough() {
        // The security buffer is not needed for the clock: 128-byte message still decodes.
        let buf = samba_response(FT);
        let mut b = buf[..132].to_vec();
        b[1..4].copy_from_slice(&[0, 0, 128]);
        assert_eq!(decode_negotiate_response(&b).unwrap().system_time_raw, FT);
    }

    #[test]
    fn framing_limits() {
        assert_eq!(
            framed_message_len(&[0, 0, 0]),
            Err(Smb2Error::Truncated { needed: 4, got: 3 })
        );
        assert_eq!(framed_message_len(&[0, 0x01, 0x00, 0x00]), Ok(65536));
        assert_eq!(
            framed_message_len(&[0, 0x01, 0x00, 0x01]),
            Err(Smb2Error::FramingTooLarge { len: 65537 })
        );
        assert_eq!(
            framed_message_len(&[0, 0xff, 0xff, 0xff]),
            Err(Smb2Error::FramingTooLarge { len: 0xff_ffff })
        );
        assert_eq!(
            framed_message_len(&[0, 0, 0, 31]),
            Err(Smb2Error::FramingTooSmall { len: 31 })
        );
        assert_eq!(
            framed_message_len(&[0, 0, 0, 0]),
            Err(Smb2Error::FramingTooSmall { len: 0 })
        );
        assert_eq!(framed_message_len(&[0, 0, 0, 32]), Ok(32));
        // NetBIOS negative session response (port 139 style) and keep-alive.
        assert_eq!(
            framed_message_len(&[0x83, 0, 0, 1]),
            Err(Smb2Error::NotSessionMessage { kind: 0x83 })
        );
        assert_eq!(
            framed_message_len(&[0x85, 0, 0, 0]),
            Err(Smb2Error::NotSessionMessage { kind: 0x85 })
        );
        // Oversized framing rejected by the decoder as well, and longer-than-declared buffers.
        let mut buf = samba_response(FT);
        buf[1] = 0x10;
        assert!(matches!(
            decode_negotiate_response(&buf),
            Err(Smb2Error::FramingTooLarge { .. })
        ));
        let mut buf = samba_response(FT);
        buf.push(0);
        assert_eq!(
            decode_negotiate_response(&buf),
            Err(Smb2Error::LengthMismatch {
                declared: 202,
                actual: 203
            })
        );
    }

    #[test]
    fn smb1_reply_and_foreign_protocols() {
        // Minimal SMB1 NEGOTIATE error reply: 32-byte header + WordCount 0 + ByteCount 0.
        let mut smb1 = vec![0, 0, 0, 35];
        smb1.extend_from_slice(b"\xFFSMB\x72");
        smb1.extend(std::iter::repeat_n(0, 30));
        assert_eq!(decode_negotiate_response(&smb1), Err(Smb2Error::Smb1Only));
        assert!(Smb2Error::Smb1Only.to_string().contains("SMB1 only"));

        let mut http = vec![0, 0, 0, 32];
        http.extend_from_slice(b"HTTP/1.1 400 Bad Request\r\n\r\n\0\0\0\0");
        assert_eq!(
            decode_negotiate_response(&http),
            Err(Smb2Error::NotSmb {
                protocol_id: *b"HTTP"
            })
        );
    }

    #[test]
    fn error_status() {
        // Samba's answer to a 0x0311 offer without contexts: STATUS_INVALID_PARAMETER, 9-byte ERROR body.
        let full = samba_response(FT);
        let mut b = full[..68].to_vec();
        b[12..16].copy_from_slice(&0xC000_000Du32.to_le_bytes());
        b.extend_from_slice(&hex("0900 0000 00000000 00"));
        let len = (b.len() - 4) as u32;
        b[1..4].copy_from_slice(&len.to_be_bytes()[1..]);
        let err = decode_negotiate_response(&b).unwrap_err();
        assert_eq!(err, Smb2Error::Status { code: 0xC000_000D });
        assert_eq!(
            err.to_string(),
            "SMB2 NEGOTIATE failed with NTSTATUS 0xC000000D (STATUS_INVALID_PARAMETER)"
        );
    }

    #[test]
    fn header_checks() {
        let mut b = samba_response(FT);
        b[8] = 65;
        assert_eq!(
            decode_negotiate_response(&b),
            Err(Smb2Error::BadHeaderStructureSize { size: 65 })
        );
        let mut b = samba_response(FT);
        b[20] = 0; // flags: request
        assert_eq!(decode_negotiate_response(&b), Err(Smb2Error::NotAResponse));
        // Our own request echoed back is rejected (it is also too small to be a response).
        let mut echo = encode_negotiate_request([0; 16]);
        echo[20] = 1;
        assert!(decode_negotiate_response(&echo).is_err());
        let mut b = samba_response(FT);
        b[16] = 1; // SESSION_SETUP
        assert_eq!(
            decode_negotiate_response(&b),
            Err(Smb2Error::UnexpectedCommand { command: 1 })
        );
        let mut b = samba_response(FT);
        b[68] = 36;
        assert_eq!(
            decode_negotiate_response(&b),
            Err(Smb2Error::BadBodyStructureSize { size: 36 })
        );
    }

    #[test]
    fn filetime_conversion() {
        assert_eq!(filetime_to_system_time(0), Ok(None));
        assert_eq!(
            filetime_to_system_time(116_444_736_000_000_000),
            Ok(Some(UNIX_EPOCH))
        );
        assert_eq!(
            filetime_to_system_time(1),
            Ok(Some(
                UNIX_EPOCH - Duration::from_secs(FILETIME_UNIX_OFFSET_SECS)
                    + Duration::from_nanos(100)
            ))
        );
        assert!(filetime_to_system_time(i64::MAX as u64).unwrap().is_some());
        assert_eq!(
            filetime_to_system_time(i64::MAX as u64 + 1),
            Err(Smb2Error::FileTimeOutOfRange {
                field: "FILETIME",
                value: 1 << 63
            })
        );
        assert!(filetime_to_system_time(u64::MAX).is_err());
        let t = UNIX_EPOCH + Duration::new(FT_UNIX.0, FT_UNIX.1);
        assert_eq!(system_time_to_filetime(t), Some(FT));
        assert_eq!(
            system_time_to_filetime(UNIX_EPOCH),
            Some(116_444_736_000_000_000)
        );
        let before_1601 = UNIX_EPOCH - Duration::from_secs(FILETIME_UNIX_OFFSET_SECS + 1);
        assert_eq!(system_time_to_filetime(before_1601), None);
        // Round trip with sub-tick truncation.
        let t = UNIX_EPOCH + Duration::new(1_800_000_000, 123_456_789);
        let ft = system_time_to_filetime(t).unwrap();
        assert_eq!(
            filetime_to_system_time(ft),
            Ok(Some(UNIX_EPOCH + Duration::new(1_800_000_000, 123_456_700)))
        );
        // Out-of-range SystemTime in a reply is an error naming the field.
        let b = samba_response(u64::MAX);
        assert_eq!(
            decode_negotiate_response(&b),
            Err(Smb2Error::FileTimeOutOfRange {
                field: "SystemTime",
                value: u64::MAX
            })
        );
        let mut b = samba_response(FT);
        b[116..124].copy_from_slice(&(1u64 << 63).to_le_bytes());
        assert!(matches!(
            decode_negotiate_response(&b),
            Err(Smb2Error::FileTimeOutOfRange {
                field: "ServerStartTime",
                ..
            })
        ));
        // SystemTime 0 is "not reported".
        let b = samba_response(0);
        assert_eq!(decode_negotiate_response(&b).unwrap().system_time, None);
    }

    struct XorShift(u64);
    impl XorShift {
        fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
        let valid = samba_response(FT);
        let mut ok = 0;
        for i in 0..20_000 {
            let buf: Vec<u8> = match i % 3 {
                0 => {
                    let len = (rng.next() % 300) as usize;
                    (0..len).map(|_| rng.next() as u8).collect()
                }
                1 => {
                    // Random payload behind a consistent framing header.
                    let len = (rng.next() % 250) as usize;
                    let mut b = vec![0, 0, (len >> 8) as u8, len as u8];
                    b.extend((0..len).map(|_| rng.next() as u8));
                    if len >= 4 && rng.next().is_multiple_of(2) {
                        b[4..8].copy_from_slice(&SMB2_PROTOCOL_ID);
                    }
                    b
                }
                _ => {
                    // Mutations of the valid response (framing kept intact most of the time).
                    let mut b = valid.clone();
                    for _ in 0..(rng.next() % 4 + 1) {
                        let pos = (rng.next() % b.len() as u64) as usize;
                        if pos >= 4 || rng.next().is_multiple_of(8) {
                            b[pos] = rng.next() as u8;
                        }
                    }
                    b
                }
            };
            let _ = framed_message_len(&buf);
            match decode_negotiate_response(&buf) {
                Ok(info) => {
                    ok += 1;
                    let _ = info.dialect.to_string();
                }
                Err(e) => {
                    let _ = e.to_string();
                }
            }
        }
        assert!(
            ok > 100,
            "mutation loop should also produce valid replies ({ok})"
        );
    }
}
