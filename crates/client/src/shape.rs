//! Value shapes that stay the same in every display language: UUIDs, `0x` codes, host:port,
//! addresses, ePIDs, partial keys, minute counts. Labels are translated; these are not.

use crate::model::HostPort;
use std::net::IpAddr;

/// Splits `label: value` at the first ASCII or full-width colon (no slmgr, ospp or ipconfig
/// label contains one; values may: `host:1688`, `fe80::1`, times).
pub(crate) fn split_label(line: &str) -> Option<(&str, &str)> {
    let ascii = line.find(':');
    let wide = if line.is_ascii() {
        None
    } else {
        line.find('：')
    };
    let (i, sep) = match (ascii, wide) {
        (Some(a), Some(w)) if w < a => (w, '：'.len_utf8()),
        (Some(a), _) => (a, 1),
        (None, Some(w)) => (w, '：'.len_utf8()),
        (None, None) => return None,
    };
    Some((line[..i].trim(), line[i + sep..].trim()))
}

/// `8-4-4-4-12` hex digits, optionally in braces.
pub(crate) fn is_uuid(s: &str) -> bool {
    let s = s.trim();
    let s = s
        .strip_prefix('{')
        .and_then(|x| x.strip_suffix('}'))
        .unwrap_or(s);
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A UUID lower-cased and without braces.
pub(crate) fn uuid(s: &str) -> Option<String> {
    is_uuid(s).then(|| {
        s.trim()
            .trim_start_matches('{')
            .trim_end_matches('}')
            .to_ascii_lowercase()
    })
}

/// An HRESULT as slmgr (`C004F074`, `Hex()` without prefix) or ospp (`0xC004F074`) prints it,
/// possibly followed by a note or a full stop, normalised to `0x` and 8 upper-case digits.
pub(crate) fn hex_code(s: &str) -> Option<String> {
    let s = s.trim();
    let digits = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    let end = digits
        .find(|c: char| !c.is_ascii_hexdigit())
        .unwrap_or(digits.len());
    let hex = &digits[..end];
    if hex.is_empty() || hex.trim_start_matches('0').len() > 8 {
        return None;
    }
    let rest = digits[end..].trim_start();
    // Only a full stop, a note in parentheses or nothing may follow the digits.
    if !(rest.is_empty() || rest.starts_with('.') || rest.starts_with('(')) {
        return None;
    }
    let significant = hex.trim_start_matches('0');
    let significant = if significant.is_empty() {
        "0"
    } else {
        significant
    };
    let v = u32::from_str_radix(significant, 16).ok()?;
    Some(format!("0x{v:08X}"))
}

/// The text in the first pair of parentheses, without them.
pub(crate) fn paren_note(s: &str) -> Option<String> {
    let a = s.find('(')?;
    let b = s[a..].find(')')? + a;
    let note = s[a + 1..b].trim();
    (!note.is_empty()).then(|| note.to_string())
}

/// `host:port`, `[v6]:port`; the host must look like a name or an address.
pub(crate) fn host_port(s: &str) -> Option<HostPort> {
    let s = s.trim().trim_end_matches('.');
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let (h, p) = rest.split_once("]:")?;
        (h, p)
    } else {
        let (h, p) = s.rsplit_once(':')?;
        if h.contains(':') {
            return None;
        }
        (h, p)
    };
    let port: u16 = port.trim().parse().ok().filter(|p| *p > 0)?;
    let host = host.trim();
    if host.is_empty() || host.chars().any(|c| c.is_control()) {
        return None;
    }
    Some(HostPort {
        host: host.to_string(),
        port,
    })
}

/// An IPv4/IPv6 address, tolerating an IPv6 zone (`%12`) and ipconfig's `(Preferred)` note.
pub(crate) fn ip(s: &str) -> Option<String> {
    let s = strip_note(s);
    let bare = s.split('%').next().unwrap_or(s);
    bare.parse::<IpAddr>().ok().map(|_| s.to_string())
}

/// The value without a trailing `(...)` note: `10.0.0.5(Preferred)`, `10.0.0.5(優先)`.
pub(crate) fn strip_note(s: &str) -> &str {
    let s = s.trim();
    match s.find('(') {
        Some(i) if s.ends_with(')') => s[..i].trim(),
        _ => s,
    }
}

/// An extended PID: `06401-00206-491-411285-03-1031-9600.0000-0802017`.
pub(crate) fn is_epid(s: &str) -> bool {
    let parts: Vec<&str> = s.trim().split('-').collect();
    parts.len() >= 7
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
        && parts.iter().any(|p| p.contains('.'))
}

/// The last five characters of a product key.
pub(crate) fn is_partial_key(s: &str) -> bool {
    let s = s.trim();
    s.len() == 5
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && s.bytes().any(|b| b.is_ascii_uppercase())
}

/// A DNS domain name (at least one dot, letters/digits/hyphens/underscores).
pub(crate) fn is_domain(s: &str) -> bool {
    let s = s.trim().trim_end_matches('.');
    s.contains('.')
        && s.parse::<IpAddr>().is_err()
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// The digits of every maximal run, as numbers.
pub(crate) fn integers(s: &str) -> Vec<u64> {
    let mut out = Vec::new();
    let mut cur: Option<u64> = None;
    for c in s.chars() {
        if let Some(d) = c.to_digit(10) {
            cur = Some(
                cur.unwrap_or(0)
                    .saturating_mul(10)
                    .saturating_add(u64::from(d)),
            );
        } else if let Some(v) = cur.take() {
            out.push(v);
        }
    }
    out.extend(cur);
    out
}

/// The minutes in `43156 minute(s) (30 day(s))`, `29 days  (43194 minute(s) before expiring)`
/// or the Japanese `43156 分 (30 日)`: the number before "minute" if there is one, else the
/// first number.
pub(crate) fn minutes(s: &str) -> Option<u64> {
    let lower = s.to_ascii_lowercase();
    if let Some(i) = lower.find("minute") {
        return integers(&s[..i]).last().copied();
    }
    integers(s).first().copied()
}

/// Only digits (after trimming).
pub(crate) fn integer_only(s: &str) -> Option<u64> {
    let s = s.trim();
    (!s.is_empty() && s.len() <= 12 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// Hiragana or katakana: Japanese text (CJK ideographs alone could be Chinese).
pub(crate) fn has_kana(s: &str) -> bool {
    s.chars()
        .any(|c| ('\u{3040}'..='\u{30ff}').contains(&c) || ('\u{ff66}'..='\u{ff9f}').contains(&c))
}

/// Columns a console gives the text: East Asian wide and full-width characters take two.
pub(crate) fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let u = c as u32;
            let wide = (0x1100..=0x115f).contains(&u)
                || (0x2e80..=0xa4cf).contains(&u)
                || (0xac00..=0xd7a3).contains(&u)
                || (0xf900..=0xfaff).contains(&u)
                || (0xfe30..=0xfe4f).contains(&u)
                || (0xff00..=0xff60).contains(&u)
                || (0xffe0..=0xffe6).contains(&u);
            if wide {
                2
            } else {
                1
            }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(
            split_label("Registered KMS machine name: kms:1688"),
            Some(("Registered KMS machine name", "kms:1688"))
        );
        assert_eq!(
            split_label("ライセンスの状態：ライセンスされています"),
            Some(("ライセンスの状態", "ライセンスされています"))
        );
        assert_eq!(split_label("KMS host caching is enabled"), None);
        assert!(is_uuid("f9d4e20a-cb8f-4050-9c0c-56420455ada1"));
        assert!(is_uuid("{F9D4E20A-CB8F-4050-9C0C-56420455ADA1}"));
        assert!(!is_uuid("f9d4e20a-cb8f-4050-9c0c-56420455ada"));
        assert_eq!(hex_code("C004F074."), Some("0xC004F074".into()));
        assert_eq!(hex_code("0x4004f00c"), Some("0x4004F00C".into()));
        assert_eq!(
            hex_code("0x4004F040 (for information purposes only as the status is licensed)"),
            Some("0x4004F040".into())
        );
        assert_eq!(
            hex_code("C004F009 (grace time expired)."),
            Some("0xC004F009".into())
        );
        assert_eq!(hex_code("1"), Some("0x00000001".into()));
        assert_eq!(hex_code("0x1C004F0740"), None);
        assert_eq!(hex_code("hello"), None);
        assert_eq!(hex_code("0xZZ"), None);
        assert_eq!(hex_code("12 minutes"), None);
        let hp = host_port("kms-old.corp.example:1688").unwrap();
        assert_eq!((hp.host.as_str(), hp.port), ("kms-old.corp.example", 1688));
        let v6 = host_port("[2001:db8::5]:1688").unwrap();
        assert_eq!(
            (v6.host.as_str(), v6.to_string()),
            ("2001:db8::5", "[2001:db8::5]:1688".into())
        );
        assert_eq!(host_port("fe80::1"), None);
        assert_eq!(host_port("10:15:30 AM"), None);
        assert_eq!(host_port("kms:0"), None);
        assert_eq!(host_port("kms:99999"), None);
        assert_eq!(ip("10.2.128.209(優先)").as_deref(), Some("10.2.128.209"));
        assert_eq!(
            ip("fec0:0:0:ffff::1%1").as_deref(),
            Some("fec0:0:0:ffff::1%1")
        );
        assert_eq!(ip("not available"), None);
        assert!(is_epid("06401-00206-491-411285-03-1031-9600.0000-0802017"));
        assert!(!is_epid("00340-80000-00000-AA287"));
        assert!(is_partial_key("MDVJX") && is_partial_key("T83GX") && !is_partial_key("12345"));
        assert!(is_domain("corp.example") && !is_domain("10.0.0.1") && !is_domain("host name"));
        assert_eq!(minutes("43156 minute(s) (30 day(s))"), Some(43156));
        assert_eq!(
            minutes("29 days  (43194 minute(s) before expiring)"),
            Some(43194)
        );
        assert_eq!(minutes("43156 分 (30 日)"), Some(43156));
        assert_eq!(minutes("none"), None);
        assert_eq!(integers("99999999999999999999999"), vec![u64::MAX]);
        assert!(has_kana("ライセンスの状態") && !has_kana("版权所有") && !has_kana("Name"));
        assert_eq!(display_width("説明. : x"), 9);
    }
}
