//! Cutting an input into sections by content: each line is classified by anchors that only
//! one format prints (ospp's dashed separators and upper-case labels, reg's `REG_` types,
//! ipconfig's dot leaders and adapter headers, slmgr's `..., VOLUME_KMSCLIENT channel`
//! description), and lines without an anchor stay with the section around them.

use crate::shape::split_label;
use crate::text::Line;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Slmgr,
    Ospp,
    Reg,
    Ipconfig,
    /// Lines before any anchor; dropped unless an anchor follows them.
    Unknown,
}

/// Lines `start..end` of the input are one format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Section {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hint {
    Blank,
    /// A command prompt line (`C:\>slmgr /dli`): the previous output ends here.
    Boundary,
    Strong(Kind),
    /// slmgr's description line: its product's name is the line before it.
    SlmgrDescription,
    Neutral,
}

const OSPP_PREFIXES: &[&str] = &[
    "---Processing",
    "---Exiting",
    "SKU ID:",
    "LICENSE NAME:",
    "LICENSE DESCRIPTION:",
    "LICENSE STATUS:",
    "PRODUCT ID:",
    "ERROR CODE:",
    "ERROR DESCRIPTION:",
    "ERROR/HOST:",
    "REMAINING GRACE:",
    "BETA EXPIRATION:",
    "Last 5 characters of installed product key:",
    "Activation Type Configuration:",
    "KMS machine registry override defined:",
    "KMS Lookup Domain:",
    "Most recent successful activation client information:",
    "<No installed product keys detected>",
    "Activation Interval:",
    "Renewal Interval:",
    "KMS host caching:",
];

/// slmgr.vbs's English labels (`L_Msg*` resources), as printed before the colon.
pub(crate) const SLMGR_LABELS: &[&str] = &[
    "Name",
    "Software licensing service version",
    "Activation ID",
    "Application ID",
    "Extended PID",
    "Product Key Channel",
    "Installation ID",
    "Partial Product Key",
    "License Status",
    "Notification Reason",
    "Time remaining",
    "Volume activation expiration",
    "Timebased activation expiration",
    "Automatic VM activation expiration",
    "Evaluation End Date",
    "Remaining Windows rearm count",
    "Remaining App rearm count",
    "Remaining SKU rearm count",
    "Trusted time",
    "Configured Activation Type",
    "Registered KMS SRV record lookup domain",
    "Registered KMS machine name",
    "KMS machine IP address",
    "KMS machine extended PID",
    "Activation interval",
    "Renewal interval",
];

const SLMGR_SENTENCES: &[&str] = &[
    "KMS host caching is",
    "Please use slmgr.vbs /ato",
    "This license is not in use",
    "Key Management Service client information",
    "Most recent activation information",
    "Key Management Service is enabled on this machine",
    "Error: product key not found",
];

/// Japanese slmgr labels confirmed by public samples (see testdata/client-state/README.md).
pub(crate) const SLMGR_LABELS_JA: &[&str] = &[
    "ライセンスの状態",
    "DNS の KMS コンピューター名",
    "残りのWindows猶予期限リセット可能回数",
];

/// What `slmgr /xpr` prints under a product name (English slmgr.vbs resources and the
/// Japanese phrases seen or implied by public samples).
pub(crate) const XPR_PHRASES: &[&str] = &[
    "will expire",
    "grace period ends",
    "Notification mode",
    "Activated for the lifespan",
    "permanently activated",
    "Unlicensed",
    "通知モード",
    "猶予期間",
    "有効期限",
    "ライセンス認証",
];

pub(crate) fn is_dash_separator(t: &str) -> bool {
    t.len() >= 20 && t.bytes().all(|b| b == b'-')
}

/// `   Host Name . . . . : x`, `   ホスト名. . . . .: x`: the label ends in a dot leader.
pub(crate) fn is_dot_leader(line: &str) -> bool {
    if !line.starts_with([' ', '\t']) {
        return false;
    }
    match split_label(line) {
        Some((label, _)) => label.ends_with('.') && label.contains(" ."),
        None => false,
    }
}

pub(crate) fn is_adapter_header(line: &str) -> bool {
    let t = line.trim_end();
    !line.starts_with([' ', '\t'])
        && t.ends_with(':')
        && (t.to_ascii_lowercase().contains("adapter") || t.contains("アダプター"))
}

pub(crate) fn is_reg_header(line: &str) -> bool {
    let u = line.trim_end().to_ascii_uppercase();
    !line.starts_with([' ', '\t'])
        && (u.starts_with("HKEY_") || u.starts_with("HKLM\\") || u.starts_with("HKCU\\"))
}

pub(crate) fn is_reg_value(line: &str) -> bool {
    line.starts_with("    ") && line.contains("    REG_")
}

/// The value of a `label: value` line ends with `channel`: slmgr's (and ospp's) description.
pub(crate) fn is_channel_description(value: &str) -> bool {
    let v = value.trim().trim_end_matches('.').to_ascii_lowercase();
    v.ends_with(" channel") && v.contains(',')
}

/// `Windows(R), Enterprise edition:` followed by an indented `/xpr` status line.
pub(crate) fn is_xpr_name(line: &str, next: Option<&str>) -> bool {
    let t = line.trim_end();
    if line.starts_with([' ', '\t']) || !t.ends_with([':', '：']) || is_adapter_header(line) {
        return false;
    }
    match next {
        Some(n) => {
            n.starts_with([' ', '\t'])
                && !is_dot_leader(n)
                && !is_reg_value(n)
                && XPR_PHRASES.iter().any(|p| n.contains(p))
        }
        None => false,
    }
}

fn prompt(line: &str) -> bool {
    let t = line.trim_start();
    let t = t.strip_prefix("PS ").unwrap_or(t);
    let b = t.as_bytes();
    b.len() > 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'\\' && t.contains('>')
}

fn classify(lines: &[Line], i: usize) -> Hint {
    let l = lines[i].text.as_str();
    let t = l.trim();
    if t.is_empty() {
        return Hint::Blank;
    }
    if prompt(l) {
        return Hint::Boundary;
    }
    if is_dash_separator(t)
        || OSPP_PREFIXES.iter().any(|p| t.starts_with(p))
        || [
            "---LICENSED---",
            "---UNLICENSED---",
            "---OOB_GRACE---",
            "---NOTIFICATIONS---",
        ]
        .iter()
        .any(|tok| t.contains(tok))
    {
        return Hint::Strong(Kind::Ospp);
    }
    if is_reg_header(l) || is_reg_value(l) || t.starts_with("End of search:") {
        return Hint::Strong(Kind::Reg);
    }
    if t.starts_with("Windows IP ")
        || t.starts_with("Windows-IP-")
        || is_dot_leader(l)
        || is_adapter_header(l)
    {
        return Hint::Strong(Kind::Ipconfig);
    }
    if let Some((label, value)) = split_label(t) {
        if is_channel_description(value) {
            return Hint::SlmgrDescription;
        }
        if SLMGR_LABELS.contains(&label) || SLMGR_LABELS_JA.iter().any(|j| label.contains(j)) {
            return Hint::Strong(Kind::Slmgr);
        }
    }
    if SLMGR_SENTENCES.iter().any(|s| t.starts_with(s)) {
        return Hint::Strong(Kind::Slmgr);
    }
    // `/xpr`: a name line ending in a colon and the indented status line after it.
    if t.ends_with([':', '：']) {
        let next = lines[i + 1..]
            .iter()
            .map(|l| l.text.as_str())
            .find(|l| !l.trim().is_empty());
        if is_xpr_name(l, next) {
            return Hint::Strong(Kind::Slmgr);
        }
    }
    if i > 0 && l.starts_with([' ', '\t']) {
        let prev = lines[..i]
            .iter()
            .rev()
            .map(|l| l.text.as_str())
            .find(|l| !l.trim().is_empty());
        if let Some(p) = prev {
            if is_xpr_name(p, Some(l)) {
                return Hint::Strong(Kind::Slmgr);
            }
        }
    }
    Hint::Neutral
}

pub(crate) fn sections(lines: &[Line]) -> Vec<Section> {
    let hints: Vec<Hint> = (0..lines.len()).map(|i| classify(lines, i)).collect();
    let mut secs: Vec<Section> = Vec::new();
    let mut cur: Option<usize> = None;
    for (i, hint) in hints.iter().enumerate() {
        match *hint {
            Hint::Blank => {
                if let Some(c) = cur {
                    secs[c].end = i + 1;
                }
            }
            Hint::Boundary => cur = None,
            Hint::Neutral => match cur {
                Some(c) => secs[c].end = i + 1,
                None => {
                    secs.push(Section {
                        kind: Kind::Unknown,
                        start: i,
                        end: i + 1,
                    });
                    cur = Some(secs.len() - 1);
                }
            },
            Hint::Strong(_) | Hint::SlmgrDescription => {
                let kind = match *hint {
                    Hint::Strong(k) => k,
                    _ => Kind::Slmgr,
                };
                match cur {
                    Some(c) if secs[c].kind == kind => secs[c].end = i + 1,
                    Some(c) if secs[c].kind == Kind::Unknown => {
                        secs[c].kind = kind;
                        secs[c].end = i + 1;
                    }
                    _ => {
                        let mut start = i;
                        // The product name before a description belongs to the slmgr block,
                        // even when a line of another format's section came just before.
                        if *hint == Hint::SlmgrDescription {
                            if let Some(j) = (0..i).rev().find(|&j| hints[j] != Hint::Blank) {
                                if hints[j] == Hint::Neutral {
                                    start = j;
                                    if let Some(c) = cur {
                                        secs[c].end = secs[c].end.min(j);
                                    }
                                }
                            }
                        }
                        // Only the current (last) section can have been emptied.
                        if secs.last().is_some_and(|s| s.end <= s.start) {
                            secs.pop();
                        }
                        secs.push(Section {
                            kind,
                            start,
                            end: i + 1,
                        });
                        cur = Some(secs.len() - 1);
                    }
                }
            }
        }
    }
    secs.retain(|s| s.kind != Kind::Unknown && s.end > s.start);
    secs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::lines;

    fn kinds(s: &str) -> Vec<(Kind, usize, usize)> {
        sections(&lines(s))
            .into_iter()
            .map(|s| (s.kind, s.start, s.end))
            .collect()
    }

    #[test]
    fn cuts_by_anchor() {
        let text = "\nName: Windows(R), Enterprise edition\nDescription: Windows(R) Operating System, VOLUME_KMSCLIENT channel\n\nWindows IP Configuration\n\n   Host Name . . . . . . . . . . . . : pc1\n\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\OfficeSoftwareProtectionPlatform\n    KeyManagementServiceName    REG_SZ    kms\n";
        assert_eq!(
            kinds(text),
            [
                (Kind::Slmgr, 1, 4),
                (Kind::Ipconfig, 4, 8),
                (Kind::Reg, 8, 11)
            ]
        );
        // A Japanese name line right after ipconfig moves to the slmgr block.
        let ja = "   ホスト名. . . . . . . . . . . . . . .: pc1\n\n名前: Windows(R), Enterprise edition\n説明: Windows(R) Operating System, VOLUME_KMSCLIENT channel\n";
        assert_eq!(kinds(ja), [(Kind::Ipconfig, 0, 2), (Kind::Slmgr, 2, 5)]);
        // Text without any anchor is no section.
        assert!(kinds("hello\nworld\n").is_empty());
        assert!(is_xpr_name(
            "Windows(R), Enterprise edition:",
            Some("    Volume activation will expire 5/28/2025 10:15:30 AM")
        ));
        assert!(!is_xpr_name(
            "Ethernet adapter Ethernet:",
            Some("    Media State . . : x")
        ));
        assert!(prompt("C:\\Windows\\system32>slmgr /dli"));
        assert!(prompt(
            "PS C:\\Program Files\\Microsoft Office\\Office16> cscript ospp.vbs /dstatus"
        ));
    }
}
