//! The host ePID (§3).

use super::*;

/// A parsed ePID `PPPPP-GGGGG-KKK-KKKKKK-CC-LLLL-BBBBB.0000-DDDYYYY` (§3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Epid {
    /// Platform id of the host OS (55041, 5426, 6401, 3612).
    pub platform_id: u32,
    /// CSVLK group id (206, 96, 3858, …).
    pub group_id: u32,
    /// CSVLK key id = KKK · 1 000 000 + KKKKKK.
    pub key_id: u32,
    /// License channel, always 3 (volume).
    pub channel: u8,
    /// Host LCID (1033 en-US …).
    pub lcid: u32,
    /// Host OS build (the part before `.0000`).
    pub build: u32,
    /// 1-based day of year of the host key activation (000 seen from py-kms).
    pub day_of_year: u16,
    pub year: u16,
}

/// Which part of an ePID is malformed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EpidError {
    /// Not 8 dash-separated parts.
    PartCount { found: usize },
    /// A part is not the expected digits (`field` names it, `text` is what was there).
    Field { field: &'static str, text: String },
    /// The build part does not end in `.0000`.
    BuildSuffix { text: String },
}

impl fmt::Display for EpidError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EpidError::PartCount { found } => write!(
                f,
                "ePID has {found} dash-separated parts, expected 8 \
                 (PPPPP-GGGGG-KKK-KKKKKK-CC-LLLL-BBBBB.0000-DDDYYYY)"
            ),
            EpidError::Field { field, text } => write!(f, "ePID {field} is malformed: {text:?}"),
            EpidError::BuildSuffix { text } => {
                write!(f, "ePID build part {text:?} does not end in \".0000\"")
            }
        }
    }
}

impl std::error::Error for EpidError {}

/// Digits of an exact width (`width` = None: 1..=`max` digits).
pub(super) fn digits(
    text: &str,
    field: &'static str,
    width: Option<usize>,
    max: usize,
) -> Result<u32, EpidError> {
    let bad = || EpidError::Field {
        field,
        text: text.to_string(),
    };
    let ok_len = match width {
        Some(w) => text.len() == w,
        None => (1..=max).contains(&text.len()),
    };
    if !ok_len || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    text.parse().map_err(|_| bad())
}

/// Parse an ePID (§3). Widths are enforced where the format fixes them; LCID and build are
/// unpadded decimals. The date is not range-checked here (day 000 occurs in the wild), see
/// [`emulator_signs`].
pub fn parse_epid(text: &str) -> Result<Epid, EpidError> {
    let parts: Vec<&str> = text.split('-').collect();
    let [p, g, k1, k2, cc, lcid, build, date] = parts[..] else {
        return Err(EpidError::PartCount { found: parts.len() });
    };
    let build_digits = build
        .strip_suffix(".0000")
        .ok_or_else(|| EpidError::BuildSuffix {
            text: build.to_string(),
        })?;
    let key_hi = digits(k1, "key id (high part)", Some(3), 3)?;
    let key_lo = digits(k2, "key id (low part)", Some(6), 6)?;
    let date_num = digits(date, "activation date (DDDYYYY)", Some(7), 7)?;
    Ok(Epid {
        platform_id: digits(p, "platform id", Some(5), 5)?,
        group_id: digits(g, "group id", Some(5), 5)?,
        key_id: key_hi * 1_000_000 + key_lo,
        channel: digits(cc, "license channel", Some(2), 2)? as u8,
        lcid: digits(lcid, "LCID", None, 5)?,
        build: digits(build_digits, "build", None, 6)?,
        day_of_year: (date_num / 10_000) as u16,
        year: (date_num % 10_000) as u16,
    })
}

impl Epid {
    /// Host OS family for the platform id (§3).
    pub fn platform_name(&self) -> Option<&'static str> {
        platform_name(self.platform_id)
    }

    /// The CSVLK whose key-id range (§3 table) holds this key id, if known.
    pub fn csvlk_name(&self) -> Option<&'static str> {
        csvlk_name(self.group_id, self.key_id)
    }

    /// Platform id that §3 pairs with this build, when the build is one the notes map.
    pub fn expected_platform(&self) -> Option<u32> {
        expected_platform_for_build(self.build)
    }

    /// The activation date as (year, month, day), if the day of year is valid for the year.
    pub fn activation_date(&self) -> Option<(u16, u32, u32)> {
        let y = i64::from(self.year);
        let len = if is_leap(y) { 366 } else { 365 };
        if self.day_of_year == 0 || self.day_of_year > len {
            return None;
        }
        // Days since 1970 of Jan 1 of y, by counting years (y is 0..=9999).
        let mut days: i64 = 0;
        if y >= 1970 {
            for yy in 1970..y {
                days += if is_leap(yy) { 366 } else { 365 };
            }
        } else {
            for yy in y..1970 {
                days -= if is_leap(yy) { 366 } else { 365 };
            }
        }
        let (_, m, d) = civil_from_days(days + i64::from(self.day_of_year) - 1);
        Some((self.year, m, d))
    }
}

/// Host OS family of an ePID platform id (§3).
pub fn platform_name(platform_id: u32) -> Option<&'static str> {
    Some(match platform_id {
        55041 => "Windows Vista / 7 / Server 2008 / 2008 R2",
        5426 => "Windows 8 / Server 2012",
        6401 => "Windows 8.1 / Server 2012 R2",
        3612 => "Windows 10 / 11 / Server 2016 and later",
        _ => return None,
    })
}

/// Platform id §3 pairs with a build: 3612 for ≥ 10240, 6401 for 9600, 5426 for 9200, 55041
/// for ≤ 7601; `None` for builds the notes do not map.
pub fn expected_platform_for_build(build: u32) -> Option<u32> {
    match build {
        10240.. => Some(3612),
        9600 => Some(6401),
        9200 => Some(5426),
        0..=7601 => Some(55041),
        _ => None,
    }
}

/// CSVLK of a key id by the §3 range table (group 206 unless noted there).
pub fn csvlk_name(group_id: u32, key_id: u32) -> Option<&'static str> {
    let in_range = |lo: u32, hi: u32| (lo..=hi).contains(&key_id);
    Some(match group_id {
        96 if in_range(199_000_000, 217_999_999) => "Office 2010",
        3858 if in_range(15_000_000, 999_999_999) => "Windows 10 China Government",
        206 if in_range(234_000_000, 255_999_999) => "Office 2013",
        206 if in_range(256_000_000, 265_999_999) => "Windows 10 2019 (LTSC 2019)",
        206 if in_range(390_000_000, 404_999_999) => "Windows 10 2015",
        206 if in_range(405_000_000, 424_999_999) => "Server 2012 R2 with Windows 10 support",
        206 if in_range(437_000_000, 458_999_999) => "Office 2016",
        206 if in_range(491_000_000, 530_999_999) => "Server 2016",
        206 if in_range(531_000_000, 545_999_999) => "Windows 10 2016",
        206 if in_range(551_000_000, 570_999_999) => "Server 2019",
        206 if in_range(571_000_000, 590_999_999) => "Office LTSC 2021 (unconfirmed)",
        206 if in_range(591_000_000, 610_999_999) => "Office LTSC 2024 (unconfirmed)",
        206 if in_range(666_000_000, 685_999_999) => "Office 2019",
        _ => return None,
    })
}
