//! What a reading means: the verdict, the time-zone hint, evidence and remediation.

use crate::{evidence, Finding};
use std::net::IpAddr;
use std::time::Duration;

use serde_json::Value;

use kms_preflight_engine::Status;
use kms_preflight_net::clock::{Detail, Reading};

use super::model::*;
use super::probe::*;

/// The verdict for a measured offset: fail above `fail`, warn above `warn`, pass otherwise.
pub fn verdict(offset_ns: i128, warn: Duration, fail: Duration) -> Status {
    let abs = offset_ns.unsigned_abs();
    if abs > fail.as_nanos() {
        Status::Fail
    } else if abs > warn.as_nanos() {
        Status::Warn
    } else {
        Status::Pass
    }
}

/// Whole hours (signed, non-zero) the offset is within a minute of, if any: the signature of a
/// clock set in local time or to the wrong zone.
pub fn time_zone_hint(offset_ns: i128) -> Option<i64> {
    const HOUR: i128 = 3600 * 1_000_000_000;
    let hours = (offset_ns + offset_ns.signum() * HOUR / 2) / HOUR;
    if hours == 0 || (offset_ns - hours * HOUR).abs() > TZ_HINT_TOLERANCE_NS {
        return None;
    }
    i64::try_from(hours).ok()
}

/// An offset for people: `12.345 ms`, `3m 0.012s`, `5h 0m 0.001s`.
pub fn human_offset(ns: i128) -> String {
    let abs = ns.unsigned_abs();
    if abs < 1_000_000_000 {
        return format!("{:.3} ms", abs as f64 / 1e6);
    }
    let ms = (abs + 500_000) / 1_000_000;
    let (h, rest) = (ms / 3_600_000, ms % 3_600_000);
    let (m, rest) = (rest / 60_000, rest % 60_000);
    let s = rest as f64 / 1000.0;
    match (h, m) {
        (0, 0) => format!("{s:.3} s"),
        (0, _) => format!("{m}m {s:.3}s"),
        _ => format!("{h}h {m}m {s:.3}s"),
    }
}

pub(super) fn ms_f(ns: i128) -> f64 {
    (ns as f64 / 1e3).round() / 1e3
}

pub(super) fn rfc3339_ms(t: std::time::SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}

pub(super) fn detail_evidence(f: Finding, r: &Reading) -> Finding {
    match &r.detail {
        Detail::Ntp {
            version,
            stratum,
            reference_id,
            precision,
            root_delay_ms,
            root_dispersion_ms,
        } => f
            .evidence("stratum", *stratum)
            .evidence("reference_id", reference_id.clone())
            .evidence("ntp_version", *version)
            .evidence("precision_log2", *precision)
            .evidence("root_delay_ms", *root_delay_ms)
            .evidence("root_dispersion_ms", *root_dispersion_ms),
        Detail::Smb2 {
            dialect,
            signing_required,
        } => f
            .evidence("dialect", dialect.clone())
            .evidence("signing_required", *signing_required),
        Detail::Http {
            status,
            date,
            server,
        } => {
            let f = f
                .evidence("http_status", *status)
                .evidence("http_date", date.clone());
            match server {
                Some(s) => f.evidence("http_server", s.clone()),
                None => f,
            }
        }
    }
}

pub(super) fn method_note(r: &Reading) -> String {
    match &r.detail {
        Detail::Ntp { stratum, .. } => format!("NTP, stratum {stratum}"),
        Detail::Smb2 { dialect, .. } => format!("SMB2 NEGOTIATE SystemTime, {dialect}"),
        Detail::Http { .. } => "HTTP Date header, 1 s resolution".to_string(),
    }
}

pub(super) fn remediation(subject: &Subject, status: Status, tz_hours: Option<i64>) -> String {
    let host = &subject.name;
    let mut out = String::new();
    if let Some(h) = tz_hours {
        out.push_str(&format!(
            "The skew is {} whole hour(s): look first for a time zone set wrongly, on this machine or on {host} \
             (Windows: tzutil /g, set it with tzutil /s \"<zone>\"; a machine that also boots Linux may keep the hardware clock in local time — \
             RealTimeIsUniversal; Linux: timedatectl, timedatectl set-timezone <zone>, timedatectl set-local-rtc 0). \
             Clocks are compared in UTC: the zone must be right, not the same.\n",
            h.abs()
        ));
    }
    if subject.is_reference {
        out.push_str(&format!(
            "This machine's clock is off against the reference {host}. Set it right:\n"
        ));
    } else {
        out.push_str(&format!(
            "Find which clock is wrong (compare both with a trusted source: kms-preflight check --host {host} --ntp <trusted NTP server>) and set it right:\n"
        ));
    }
    out.push_str(
        "  Domain members (Type=NT5DS under HKLM\\SYSTEM\\CurrentControlSet\\Services\\W32Time\\Parameters): \
         w32tm /config /syncfromflags:domhier /update, then w32tm /resync\n  \
         Workgroup machines: enable the NTP client (HKLM\\SYSTEM\\CurrentControlSet\\Services\\W32Time\\TimeProviders\\NtpClient Enabled=1), \
         w32tm /config /manualpeerlist:<ntp server> /syncfromflags:manual /update, then w32tm /resync\n  \
         Check with: w32tm /query /status /verbose\n",
    );
    out.push_str(&format!(
        "  Confirm from the client: w32tm /stripchart /computer:{host} /samples:5 /dataonly\n  \
         Linux jump host: chronyc tracking (chronyc makestep to step now), or timedatectl set-ntp true and timedatectl status"
    ));
    if status == Status::Fail && !subject.is_reference {
        out.push_str(
            "\n  After fixing the KMS host's clock, retry activation on the client: slmgr /ato (Office: cscript ospp.vbs /act); the host's event log shows the rejected requests as 12288 with 0xC004F06C",
        );
    }
    out
}

pub(super) fn finding_for(
    subject: &Subject,
    addr: IpAddr,
    runs: &[MethodRun],
    warn: Duration,
    fail: Duration,
) -> Finding {
    let tried: Vec<Value> = runs.iter().map(MethodRun::tried_json).collect();
    let measured = runs.iter().find(|r| r.sampled.best.is_some());
    let Some(run) = measured else {
        let why: Vec<String> = runs.iter().map(MethodRun::summary).collect();
        return Finding::new(
            Status::Skip,
            format!(
                "skipped: no clock reading from {}{}: {}",
                subject.label,
                if subject.name == addr.to_string() {
                    String::new()
                } else {
                    format!(" at {addr}")
                },
                why.join("; ")
            ),
        )
        .address(addr.to_string())
        .evidence("server", addr.to_string())
        .evidence("tried", Value::Array(tried));
    };
    let r = run.sampled.best.as_ref().expect("measured");
    let status = verdict(r.offset_ns, warn, fail);
    let tz = time_zone_hint(r.offset_ns);
    let dir = if r.offset_ns >= 0 {
        "ahead of"
    } else {
        "behind"
    };
    let at = if subject.name == addr.to_string() {
        String::new()
    } else {
        format!("{addr}, ")
    };
    let mut msg = format!(
        "{} ({at}{}) is {} {dir} this machine (±{})",
        if subject.is_reference {
            format!("the reference clock {}", subject.name)
        } else {
            format!("the clock of {}", subject.label)
        },
        method_note(r),
        human_offset(r.offset_ns),
        human_offset(r.uncertainty_ns),
    );
    match status {
        Status::Fail => msg.push_str(&format!(
            ": more than {}, so a KMS host rejects the activation request (0xC004F06C, often shown as 0xC004F074)",
            humantime::format_duration(fail)
        )),
        Status::Warn => msg.push_str(&format!(
            ": more than {}, so Kerberos and AD authentication fail (KMS itself accepts up to {})",
            humantime::format_duration(warn),
            humantime::format_duration(fail)
        )),
        _ => msg.push_str(&format!(
            ": within {}",
            humantime::format_duration(warn)
        )),
    }
    if let Some(h) = tz {
        msg.push_str(&format!(
            "; that is within a minute of {} whole hour(s): a time zone set wrongly (a clock set in local time instead of UTC) is the likely cause",
            h.abs()
        ));
    }
    let mut f = Finding::new(status, msg)
        .address(addr.to_string())
        .evidence("method", run.method.name())
        .evidence("server", addr.to_string())
        .evidence("port", run.port)
        .evidence(evidence::OFFSET_MS, ms_f(r.offset_ns))
        .evidence("offset", human_offset(r.offset_ns))
        .evidence("uncertainty_ms", ms_f(r.uncertainty_ns))
        .evidence("delay_ms", ms_f(r.delay_ns))
        .evidence("samples", run.sampled.good)
        .evidence("samples_sent", run.sampled.sent)
        .evidence("remote_time", rfc3339_ms(r.remote_time))
        .evidence("tz_hint_hours", tz.map_or(Value::Null, Value::from))
        .evidence("warn_above_ms", warn.as_millis() as u64)
        .evidence("fail_above_ms", fail.as_millis() as u64)
        .evidence("tried", Value::Array(tried));
    if let Some(l) = r.local {
        f = f.evidence("local", l.to_string());
    }
    f = detail_evidence(f, r);
    match status {
        Status::Fail => f
            .codes(&["0xC004F06C", "0xC004F074"])
            .remediation(remediation(subject, status, tz)),
        // SEC_E_TIME_SKEW: what Kerberos reports past its 5-minute default.
        Status::Warn => f
            .codes(&["0x80090324"])
            .remediation(remediation(subject, status, tz)),
        _ => f,
    }
}
