//! The `clock` kind's parameters (ports, thresholds, methods) and its evidence.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use crate::EvidenceText;

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
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

/// What a `clock` result measured (keys in the order reports have always written them). A
/// result without a reading has only `server` and `tried`; a reading adds the rest, and the
/// keys of the method that gave it (NTP, SMB2 or HTTP).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ClockEvidence {
    /// The method whose reading is reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<Method>,
    /// The address read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// Remote clock minus local clock, ms (positive: the remote clock is ahead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset_ms: Option<f64>,
    /// The offset for people (`5h 0m 0.000s`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncertainty_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<f64>,
    /// Samples that gave a reading, of `samples_sent`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub samples: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub samples_sent: Option<usize>,
    /// The remote clock's time (RFC 3339, ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_time: Option<String>,
    /// Whole hours the offset is within a minute of; `null` with a reading that is not.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schemars(with = "Option<i64>")]
    pub tz_hint_hours: Option<Option<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warn_above_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_above_ms: Option<u64>,
    /// Every method tried at this address, in the configured order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tried: Option<Vec<ClockAttempt>>,
    /// The local address the reading was taken from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local: Option<String>,
    // NTP
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stratum: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ntp_version: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision_log2: Option<i8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_delay_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_dispersion_ms: Option<f64>,
    // SMB2
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialect: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_required: Option<bool>,
    // HTTP
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_server: Option<String>,
}

/// One method tried at one address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ClockAttempt {
    pub method: Method,
    pub port: u16,
    /// `measured`, or the class of the last failure (`timeout`, `refused`, …).
    pub result: String,
    pub samples_sent: usize,
    pub samples_good: usize,
    /// Each failure: its class and what happened.
    pub why: Vec<EvidenceText>,
}

impl crate::Evidence {
    /// The evidence of a `clock` result.
    pub fn clock(&self) -> Option<&ClockEvidence> {
        match self {
            crate::Evidence::Clock(e) => Some(e),
            _ => None,
        }
    }
}
