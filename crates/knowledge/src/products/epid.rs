//! The fields of a KMS host ePID and their lookup in the catalog.

use super::*;

/// The fields of a KMS host ePID, `PPPPP-GGGGG-KKK-KKKKKK-CC-LLLL-BBBBB.0000-DDDYYYY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Epid {
    /// PPPPP: host OS platform id (55041, 5426, 6401, 3612).
    pub platform_id: u32,
    /// GGGGG: CSVLK group id.
    pub group_id: u32,
    /// KKK-KKKKKK as one number: CSVLK key id.
    pub key_id: u32,
    /// CC: license channel (03 = volume).
    pub channel: u8,
    /// LLLL: host LCID.
    pub lcid: u32,
    /// BBBBB: host OS build.
    pub build: u32,
    /// DDD: day of year of the host key's activation (1-based; 0 means the emitter is broken).
    pub day_of_year: u16,
    /// YYYY: year of that activation.
    pub year: u16,
}

impl Epid {
    /// Parses an ePID; `None` when it does not have the shape above.
    pub fn parse(text: &str) -> Option<Epid> {
        let parts: Vec<&str> = text.trim().split('-').collect();
        let [platform, group, key_hi, key_lo, channel, lcid, build, date] = parts.as_slice() else {
            return None;
        };
        let (build, build_tail) = build.split_once('.')?;
        if build_tail.len() != 4 || !all_digits(build_tail) {
            return None;
        }
        if key_hi.len() != 3 || key_lo.len() != 6 || channel.len() != 2 || date.len() != 7 {
            return None;
        }
        let key_hi: u32 = number(key_hi, 3)?;
        let key_lo: u32 = number(key_lo, 6)?;
        Some(Epid {
            platform_id: number(platform, 5)?,
            group_id: number(group, 5)?,
            key_id: key_hi * 1_000_000 + key_lo,
            channel: number(channel, 2)?,
            lcid: number(lcid, 5)?,
            build: number(build, 5)?,
            day_of_year: number(&date[..3], 3)?,
            year: number(&date[3..], 4)?,
        })
    }
}

pub(super) fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

pub(super) fn number<T: FromStr>(s: &str, max_len: usize) -> Option<T> {
    if s.len() > max_len || !all_digits(s) {
        return None;
    }
    s.parse().ok()
}

/// An ePID with its fields looked up in the catalog.
#[derive(Debug, Clone, Copy)]
pub struct DecodedEpid<'a> {
    /// The raw fields.
    pub epid: Epid,
    /// The CSVLK the group id and key id belong to.
    pub host_key: Option<&'a HostKey>,
    /// The host OS build.
    pub os_build: Option<&'a OsBuild>,
    /// The host language.
    pub language: Option<&'a Language>,
}

impl DecodedEpid<'_> {
    /// `Some(false)` when the platform id contradicts the build (a genuine host never does
    /// that); `None` when the build is not in the table.
    pub fn platform_matches_build(&self) -> Option<bool> {
        self.os_build
            .map(|b| b.platform_id() == self.epid.platform_id)
    }
}
