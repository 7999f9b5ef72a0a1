//! HTTP response head parsing for the clock check: the status line and the `Date` header
//! (RFC 9110 §5.6.7, §6.6.1). Pure code, std only, no I/O; never panics on hostile input.
//!
//! Senders must use IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`); recipients must also accept
//! the obsolete RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime
//! (`Sun Nov  6 08:49:37 1994`) forms, so all three are parsed. All are UTC and have a
//! resolution of one second.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Longest response head [`parse_response_head`] looks at; a real one is well under 8 KiB.
pub const MAX_HEAD_LEN: usize = 16 * 1024;

/// What the clock check needs from an HTTP response head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpHead {
    /// `HTTP/1.1`, `HTTP/1.0`, …
    pub version: String,
    pub status: u16,
    /// The `Date` header as sent (trimmed), if present.
    pub date_raw: Option<String>,
    /// The `Date` header parsed, or why there is no usable one.
    pub date: Result<SystemTime, HttpError>,
    /// The `Server` header (trimmed, at most 100 characters), for evidence.
    pub server: Option<String>,
}

/// Why a response head was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpError {
    /// The bytes do not start with `HTTP/`.
    NotHttp,
    /// The status line is malformed.
    BadStatusLine(String),
    /// No `Date` header in the response.
    NoDate,
    /// More than one `Date` header with different values.
    ConflictingDates,
    /// A `Date` header that is not an HTTP-date.
    BadDate(String),
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::NotHttp => f.write_str("not an HTTP response (no HTTP/ status line)"),
            HttpError::BadStatusLine(l) => write!(f, "malformed HTTP status line {l:?}"),
            HttpError::NoDate => f.write_str("HTTP response has no Date header"),
            HttpError::ConflictingDates => {
                f.write_str("HTTP response has several different Date headers")
            }
            HttpError::BadDate(d) => write!(f, "HTTP Date header {d:?} is not an HTTP-date"),
        }
    }
}

impl std::error::Error for HttpError {}

/// Parses a response head (status line and header lines, up to the blank line or the end of
/// `buf`). Returns the head even without a `Date`; use [`HttpHead::date`] or [`date_of`].
pub fn parse_response_head(buf: &[u8]) -> Result<HttpHead, HttpError> {
    let buf = &buf[..buf.len().min(MAX_HEAD_LEN)];
    if !buf.starts_with(b"HTTP/") {
        return Err(HttpError::NotHttp);
    }
    let text = String::from_utf8_lossy(buf);
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or_default();
    let code = parts.next().unwrap_or_default();
    let bad = || HttpError::BadStatusLine(status_line.chars().take(80).collect());
    if version.len() < 6 || !version[5..].chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err(bad());
    }
    let status = match code.parse::<u16>() {
        Ok(s) if code.len() == 3 && (100..=599).contains(&s) => s,
        _ => return Err(bad()),
    };
    let mut date_raw: Option<String> = None;
    let mut conflicting = false;
    let mut server = None;
    for line in lines {
        if line.is_empty() {
            break;
        }
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("date") {
            match &date_raw {
                Some(prev) if prev != value => conflicting = true,
                _ => date_raw = Some(value.to_string()),
            }
        } else if name.eq_ignore_ascii_case("server") && server.is_none() {
            server = Some(value.chars().take(100).collect());
        }
    }
    let date = match &date_raw {
        _ if conflicting => Err(HttpError::ConflictingDates),
        None => Err(HttpError::NoDate),
        Some(d) => parse_http_date(d),
    };
    Ok(HttpHead {
        version: version.to_string(),
        status,
        date_raw,
        date,
        server,
    })
}

/// The `Date` of a response head, or why there is none usable.
pub fn date_of(buf: &[u8]) -> Result<(HttpHead, SystemTime), HttpError> {
    let head = parse_response_head(buf)?;
    let t = head.date.clone()?;
    Ok((head, t))
}

/// True when `buf` holds a complete response head (ends with an empty line).
pub fn head_complete(buf: &[u8]) -> bool {
    buf.windows(4).any(|w| w == b"\r\n\r\n") || buf.windows(2).any(|w| w == b"\n\n")
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const LONG_DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Parses an HTTP-date in any of the three forms RFC 9110 requires recipients to accept.
/// The day name must be valid but is not checked against the date (the date wins).
pub fn parse_http_date(s: &str) -> Result<SystemTime, HttpError> {
    let bad = || HttpError::BadDate(s.chars().take(64).collect());
    let s = s.trim();
    if !s.is_ascii() {
        return Err(bad());
    }
    let (day, month, year, time) = if let Some((wd, rest)) = s.split_once(", ") {
        if DAYS.contains(&wd) {
            // IMF-fixdate: "06 Nov 1994 08:49:37 GMT"
            let f: Vec<&str> = rest.split(' ').collect();
            if f.len() != 5 || f[4] != "GMT" || f[0].len() != 2 || f[2].len() != 4 {
                return Err(bad());
            }
            (f[0], f[1], year4(f[2]).ok_or_else(bad)?, f[3])
        } else if LONG_DAYS.contains(&wd) {
            // RFC 850: "06-Nov-94 08:49:37 GMT"
            let f: Vec<&str> = rest.split(' ').collect();
            if f.len() != 3 || f[2] != "GMT" {
                return Err(bad());
            }
            let d: Vec<&str> = f[0].split('-').collect();
            if d.len() != 3 || d[0].len() != 2 || d[2].len() != 2 {
                return Err(bad());
            }
            let yy = digits(d[2]).ok_or_else(bad)? as i64;
            // Two-digit years: RFC 9110 says to read a year more than 50 years ahead as past;
            // without a clock here, 70..99 is 19xx and 00..69 is 20xx.
            let year = if yy >= 70 { 1900 + yy } else { 2000 + yy };
            (d[0], d[1], year, f[1])
        } else {
            return Err(bad());
        }
    } else {
        // asctime: "Sun Nov  6 08:49:37 1994" (day padded with a space)
        let f: Vec<&str> = s.split(' ').filter(|p| !p.is_empty()).collect();
        if f.len() != 5 || !DAYS.contains(&f[0]) || f[4].len() != 4 || f[2].len() > 2 {
            return Err(bad());
        }
        (f[2], f[1], year4(f[4]).ok_or_else(bad)?, f[3])
    };
    let month = MONTHS.iter().position(|m| *m == month).ok_or_else(bad)? as u32 + 1;
    let day = digits(day).ok_or_else(bad)?;
    if day == 0 || day > days_in_month(year, month) {
        return Err(bad());
    }
    let t: Vec<&str> = time.split(':').collect();
    if t.len() != 3 || t.iter().any(|p| p.len() != 2) {
        return Err(bad());
    }
    let (h, m, sec) = (
        digits(t[0]).ok_or_else(bad)?,
        digits(t[1]).ok_or_else(bad)?,
        digits(t[2]).ok_or_else(bad)?,
    );
    // 60 allows a leap second as written; it maps onto the next second like POSIX time.
    if h > 23 || m > 59 || sec > 60 {
        return Err(bad());
    }
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + (h * 3600 + m * 60 + sec) as i64;
    if secs >= 0 {
        UNIX_EPOCH.checked_add(Duration::from_secs(secs as u64))
    } else {
        UNIX_EPOCH.checked_sub(Duration::from_secs(secs.unsigned_abs()))
    }
    .ok_or_else(bad)
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn year4(s: &str) -> Option<i64> {
    digits(s).filter(|_| s.len() == 4).map(i64::from)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unix(t: SystemTime) -> i64 {
        t.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
    }

    #[test]
    fn the_three_rfc_9110_forms_are_the_same_instant() {
        // RFC 9110 §5.6.7 examples: 784111777 = 1994-11-06 08:49:37 UTC.
        for s in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(unix(parse_http_date(s).unwrap()), 784_111_777, "{s}");
        }
    }

    #[test]
    fn epoch_leap_days_and_recent_dates() {
        assert_eq!(
            unix(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT").unwrap()),
            0
        );
        assert_eq!(
            unix(parse_http_date("Tue, 29 Feb 2000 12:00:00 GMT").unwrap()),
            951_825_600
        );
        // 2026-11-22 04:08:04 UTC, the lab run's time.
        assert_eq!(
            unix(parse_http_date("Sun, 22 Nov 2026 04:08:04 GMT").unwrap()),
            1_795_320_484
        );
        assert_eq!(
            unix(parse_http_date("Wed, 31 Dec 2036 23:59:59 GMT").unwrap()),
            2_114_380_799
        );
    }

    #[test]
    fn rejects_malformed_dates() {
        for s in [
            "",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 94 08:49:37 GMT",
            "Sun, 31 Nov 1994 08:49:37 GMT",
            "Sun, 29 Feb 1900 08:49:37 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Xyz, 06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:60:00 GMT",
            "Sun, 06 Nov 1994 8:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37",
            "Sun, 06 Nov 1994 08:49:37 GMT extra",
            "Sun, 06 Nov +994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:3é GMT",
            "1994-11-06T08:49:37Z",
            "Sunday, 06-Nov-1994 08:49:37 GMT",
        ] {
            assert!(parse_http_date(s).is_err(), "accepted {s:?}");
        }
    }

    /// Reply of python3 -m http.server (3.11.2) under libfaketime FAKETIME=+90m to our HEAD
    /// request, captured in a lab namespace at 2026-11-22 04:30:31 UTC (so the Date is +90 min).
    const PYTHON_HEAD: &[u8] = b"HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6 Python/3.11.2\r\n\
Date: Sun, 22 Nov 2026 06:00:31 GMT\r\nContent-type: text/html; charset=utf-8\r\n\
Content-Length: 187\r\n\r\n";

    #[test]
    fn parses_a_real_response_head() {
        let (head, t) = date_of(PYTHON_HEAD).unwrap();
        assert_eq!(head.status, 200);
        assert_eq!(head.version, "HTTP/1.0");
        assert_eq!(head.server.as_deref(), Some("SimpleHTTP/0.6 Python/3.11.2"));
        assert_eq!(
            head.date_raw.as_deref(),
            Some("Sun, 22 Nov 2026 06:00:31 GMT")
        );
        // 04:30:31 UTC when captured, plus 90 min.
        assert_eq!(unix(t), 1_795_327_231);
        assert!(head_complete(PYTHON_HEAD));
        assert!(!head_complete(&PYTHON_HEAD[..40]));
    }

    #[test]
    fn header_names_are_case_insensitive_and_bare_lf_is_accepted() {
        let (_, t) =
            date_of(b"HTTP/1.1 404 Not Found\ndate:   Thu, 01 Jan 1970 00:00:01 GMT  \n\n")
                .unwrap();
        assert_eq!(unix(t), 1);
    }

    #[test]
    fn missing_conflicting_or_bad_dates_are_told_apart() {
        assert_eq!(
            date_of(b"HTTP/1.1 200 OK\r\nServer: x\r\n\r\n").unwrap_err(),
            HttpError::NoDate
        );
        assert_eq!(
            date_of(
                b"HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 1970 00:00:01 GMT\r\nDate: Thu, 01 Jan 1970 00:00:02 GMT\r\n\r\n"
            )
            .unwrap_err(),
            HttpError::ConflictingDates
        );
        assert!(matches!(
            date_of(b"HTTP/1.1 200 OK\r\nDate: yesterday\r\n\r\n").unwrap_err(),
            HttpError::BadDate(_)
        ));
        // A Date after the blank line is body, not a header.
        assert_eq!(
            date_of(b"HTTP/1.1 200 OK\r\n\r\nDate: Thu, 01 Jan 1970 00:00:01 GMT\r\n").unwrap_err(),
            HttpError::NoDate
        );
    }

    #[test]
    fn non_http_and_bad_status_lines() {
        assert_eq!(
            parse_response_head(b"SSH-2.0-OpenSSH_9.2\r\n").unwrap_err(),
            HttpError::NotHttp
        );
        assert_eq!(parse_response_head(b"").unwrap_err(), HttpError::NotHttp);
        for l in [
            &b"HTTP/1.1 20 OK\r\n\r\n"[..],
            b"HTTP/1.1 abc OK\r\n\r\n",
            b"HTTP/ 200 OK\r\n\r\n",
            b"HTTP/1.1 999 Huh\r\n\r\n",
        ] {
            assert!(
                matches!(parse_response_head(l), Err(HttpError::BadStatusLine(_))),
                "{:?}",
                String::from_utf8_lossy(l)
            );
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        // Deterministic pseudo-random inputs around the interesting prefixes.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for i in 0..5000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 96) as usize;
            let mut v: Vec<u8> = match i % 3 {
                0 => b"HTTP/1.1 200 OK\r\nDate: ".to_vec(),
                1 => b"HTTP/1.1 ".to_vec(),
                _ => Vec::new(),
            };
            let mut y = x;
            for _ in 0..len {
                y = y.rotate_left(7).wrapping_mul(0x2545_F491_4F6C_DD1D);
                v.push((y >> 56) as u8);
            }
            let _ = date_of(&v);
            let _ = parse_http_date(&String::from_utf8_lossy(&v));
        }
    }
}
