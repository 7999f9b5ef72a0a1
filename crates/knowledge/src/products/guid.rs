//! GUIDs in text order, with Microsoft's mixed-endian wire layout.

use super::*;

/// A GUID, stored in the order its text form is written (RFC 4122 byte order).
///
/// KMS and DCE/RPC put GUIDs on the wire in Microsoft's mixed-endian layout; use
/// [`Guid::guid_bytes_le`] and [`Guid::from_guid_bytes_le`] for that. The version nibble is
/// deliberately not checked: Office LTSC 2024's genuine KMS counted id has version 0.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Guid([u8; 16]);

/// A string that is not a GUID in `8-4-4-4-12` hex form (optionally in braces).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseGuidError(String);

impl fmt::Display for ParseGuidError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a GUID (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
            self.0
        )
    }
}

impl std::error::Error for ParseGuidError {}

impl Guid {
    /// The all-zero GUID.
    pub const NIL: Guid = Guid([0; 16]);

    /// A GUID from its 16 bytes in text (RFC 4122) order.
    pub const fn from_bytes(bytes: [u8; 16]) -> Guid {
        Guid(bytes)
    }

    /// The 16 bytes in text (RFC 4122) order: `55c92734-d682-…` → `55 c9 27 34 d6 82 …`.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// Parses `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (either case, optionally in `{}`).
    pub fn parse(text: &str) -> Option<Guid> {
        let t = text.trim();
        let t = match t.strip_prefix('{') {
            Some(rest) => rest.strip_suffix('}')?,
            None => t,
        };
        let raw = t.as_bytes();
        if raw.len() != 36 {
            return None;
        }
        let mut out = [0u8; 16];
        let mut n = 0;
        let mut i = 0;
        while i < 36 {
            if matches!(i, 8 | 13 | 18 | 23) {
                if raw[i] != b'-' {
                    return None;
                }
                i += 1;
                continue;
            }
            let hi = hex_value(raw[i])?;
            let lo = hex_value(*raw.get(i + 1)?)?;
            out[n] = (hi << 4) | lo;
            n += 1;
            i += 2;
        }
        Some(Guid(out))
    }

    /// Microsoft's GUID wire layout, as KMS and DCE/RPC send it: Data1 (u32), Data2 (u16) and
    /// Data3 (u16) little-endian, then the last 8 bytes as written.
    ///
    /// `51c82175-844e-4750-b0d8-ec255555bc06` → `75 21 c8 51 4e 84 50 47 b0 d8 ec 25 55 55 bc 06`.
    pub fn guid_bytes_le(&self) -> [u8; 16] {
        let b = self.0;
        [
            b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13],
            b[14], b[15],
        ]
    }

    /// The inverse of [`Guid::guid_bytes_le`]: reads 16 wire bytes.
    pub fn from_guid_bytes_le(wire: [u8; 16]) -> Guid {
        // The byte swap is its own inverse.
        Guid(wire).guid_bytes_le().into()
    }

    /// True for the all-zero GUID.
    pub fn is_nil(&self) -> bool {
        self.0 == [0; 16]
    }
}

impl From<[u8; 16]> for Guid {
    fn from(bytes: [u8; 16]) -> Guid {
        Guid(bytes)
    }
}

pub(super) fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = &self.0;
        for (i, byte) in b.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Guid({self})")
    }
}

impl FromStr for Guid {
    type Err = ParseGuidError;

    fn from_str(s: &str) -> Result<Guid, ParseGuidError> {
        Guid::parse(s).ok_or_else(|| ParseGuidError(s.to_owned()))
    }
}
