//! What a decoder says when bytes are not what they claim to be.

use std::fmt;

use super::names::*;

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
