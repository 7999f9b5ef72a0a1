//! Byte helpers shared by the request and response codecs.

use super::*;

/// Bounds-checked little-endian reader over a payload.
pub(super) struct Reader<'a> {
    pub(super) b: &'a [u8],
    pub(super) pos: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(b: &'a [u8]) -> Self {
        Reader { b, pos: 0 }
    }

    pub(super) fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], KmsError> {
        let err = KmsError::Truncated {
            what,
            offset: self.pos,
            needed: n,
            available: self.b.len(),
        };
        let end = self.pos.checked_add(n).ok_or(err.clone())?;
        let s = self.b.get(self.pos..end).ok_or(err)?;
        self.pos = end;
        Ok(s)
    }

    pub(super) fn array<const N: usize>(
        &mut self,
        what: &'static str,
    ) -> Result<[u8; N], KmsError> {
        let s = self.take(N, what)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s); // `take` returned exactly N bytes
        Ok(a)
    }

    pub(super) fn u16(&mut self, what: &'static str) -> Result<u16, KmsError> {
        self.array(what).map(u16::from_le_bytes)
    }

    pub(super) fn u32(&mut self, what: &'static str) -> Result<u32, KmsError> {
        self.array(what).map(u32::from_le_bytes)
    }

    pub(super) fn u64(&mut self, what: &'static str) -> Result<u64, KmsError> {
        self.array(what).map(u64::from_le_bytes)
    }

    pub(super) fn uuid(&mut self, what: &'static str) -> Result<Uuid, KmsError> {
        self.array(what).map(Uuid::from_wire)
    }
}

pub(super) fn block_at(b: &[u8], at: usize) -> [u8; 16] {
    let mut out = [0u8; 16];
    if let Some(s) = b.get(at..at + 16) {
        out.copy_from_slice(s);
    }
    out
}

pub(super) fn xor16(a: &[u8; 16], b: &[u8; 16]) -> [u8; 16] {
    let mut out = [0u8; 16];
    for (o, (x, y)) in out.iter_mut().zip(a.iter().zip(b)) {
        *o = x ^ y;
    }
    out
}
