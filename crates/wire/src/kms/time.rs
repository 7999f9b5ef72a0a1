//! FILETIME helpers (100 ns since 1601-01-01 UTC).

/// Seconds between 1601-01-01 and 1970-01-01.
pub(super) const FILETIME_UNIX_OFFSET_SECS: i64 = 11_644_473_600;

/// FILETIME (100 ns since 1601-01-01 UTC) to Unix seconds (floor).
pub fn filetime_to_unix(ft: u64) -> i64 {
    (ft / 10_000_000) as i64 - FILETIME_UNIX_OFFSET_SECS
}

/// Unix seconds to FILETIME; saturates outside the FILETIME range.
pub fn unix_to_filetime(secs: i64) -> u64 {
    let s = secs.saturating_add(FILETIME_UNIX_OFFSET_SECS).max(0) as u64;
    s.saturating_mul(10_000_000)
}

/// Civil date (year, month, day) of a day count since 1970-01-01 (proleptic Gregorian).
pub(super) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

pub(super) fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// `YYYY-MM-DD HH:MM:SS` (UTC) of a FILETIME, as the captured vectors print it.
pub fn format_filetime(ft: u64) -> String {
    let secs = filetime_to_unix(ft);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// (year, 1-based day of year) of a FILETIME.
pub fn filetime_year_day(ft: u64) -> (i64, u32) {
    let days = filetime_to_unix(ft).div_euclid(86_400);
    let (y, _, _) = civil_from_days(days);
    // Days since 1970 of Jan 1 of year y: count back from the date.
    let mut jan1 = days;
    while civil_from_days(jan1 - 1).0 == y {
        // At most 365 steps; only used for sign checks.
        jan1 -= 1;
    }
    (y, (days - jan1 + 1) as u32)
}
