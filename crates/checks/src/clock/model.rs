//! The `clock` kind's parameters: ports, thresholds, methods.

use std::time::Duration;

use serde::Deserialize;
use serde_saphyr::Spanned;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockPorts {
    /// UDP port of the NTP server (default 123).
    pub ntp: Option<Spanned<String>>,
    /// TCP port of SMB2 (default 445).
    pub smb2: Option<Spanned<String>>,
    /// TCP port of the HTTP server (default 80).
    pub http: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockExpect {
    /// Warn when |offset| is larger (default 5m: Kerberos' default maximum skew).
    pub warn_above: Option<Spanned<String>>,
    /// Fail when |offset| is larger (default 4h: the KMS host's limit).
    pub fail_above: Option<Spanned<String>>,
}

/// A way to read a remote clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Ntp,
    Smb2,
    Http,
}

impl Method {
    pub const NAMES: &'static [&'static str] = &["ntp", "smb2", "http"];

    pub fn parse(s: &str) -> Option<Method> {
        match s {
            "ntp" => Some(Method::Ntp),
            "smb2" => Some(Method::Smb2),
            "http" => Some(Method::Http),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Method::Ntp => "ntp",
            Method::Smb2 => "smb2",
            Method::Http => "http",
        }
    }
    pub(super) fn default_port(self) -> u16 {
        match self {
            Method::Ntp => 123,
            Method::Smb2 => 445,
            Method::Http => 80,
        }
    }
    pub(super) fn transport(self) -> &'static str {
        match self {
            Method::Ntp => "udp",
            _ => "tcp",
        }
    }
}

pub const DEFAULT_WARN_ABOVE: Duration = Duration::from_secs(5 * 60);
pub const DEFAULT_FAIL_ABOVE: Duration = Duration::from_secs(4 * 3600);
pub(super) const DEFAULT_SAMPLES: u32 = 4;
pub(super) const MAX_SAMPLES: u32 = 16;
/// Pause between samples: gentle on servers that rate-limit (chrony drops, others send RATE).
pub(super) const SAMPLE_SPACING: Duration = Duration::from_millis(250);
/// A skew this close to a whole number of hours hints at a time zone set wrongly.
pub(super) const TZ_HINT_TOLERANCE_NS: i128 = 60 * 1_000_000_000;
