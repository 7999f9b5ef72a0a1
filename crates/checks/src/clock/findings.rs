//! What a reading means: the verdict, the time-zone hint, evidence and remediation.

use crate::Finding;
use std::net::IpAddr;
use std::time::Duration;

use kms_preflight_engine::{Message, Status};
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

/// An offset for people, as evidence writes it: `12.345 ms`, `3m 0.012s`, `5h 0m 0.001s`
/// ([`span`] is the same for messages).
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

/// An offset as [`human_offset`] writes it, for a message (the catalog writes the units).
pub(super) fn span(ns: i128) -> Message {
    let abs = ns.unsigned_abs();
    if abs < 1_000_000_000 {
        return super::span_ms(abs as f64 / 1e6);
    }
    let ms = (abs + 500_000) / 1_000_000;
    let (h, rest) = (ms / 3_600_000, ms % 3_600_000);
    let (m, rest) = (rest / 60_000, rest % 60_000);
    let s = rest as f64 / 1000.0;
    // Whole hours and minutes of an i128 offset fit in a u64.
    let (h, m) = (h as u64, m as u64);
    match (h, m) {
        (0, 0) => super::span_s(s),
        (0, _) => super::span_m(m, s),
        _ => super::span_h(h, m, s),
    }
}

pub(super) fn ms_f(ns: i128) -> f64 {
    (ns as f64 / 1e3).round() / 1e3
}

pub(super) fn rfc3339_ms(t: std::time::SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}

/// The keys of the method that gave the reading.
fn detail_evidence(e: &mut ClockEvidence, r: &Reading) {
    match &r.detail {
        Detail::Ntp {
            version,
            stratum,
            reference_id,
            precision,
            root_delay_ms,
            root_dispersion_ms,
        } => {
            e.stratum = Some(*stratum);
            e.reference_id = Some(reference_id.clone());
            e.ntp_version = Some(*version);
            e.precision_log2 = Some(*precision);
            e.root_delay_ms = Some(*root_delay_ms);
            e.root_dispersion_ms = Some(*root_dispersion_ms);
        }
        Detail::Smb2 {
            dialect,
            signing_required,
        } => {
            e.dialect = Some(dialect.clone());
            e.signing_required = Some(*signing_required);
        }
        Detail::Http {
            status,
            date,
            server,
        } => {
            e.http_status = Some(*status);
            e.http_date = Some(date.clone());
            e.http_server = server.clone();
        }
    }
}

pub(super) fn method_note(r: &Reading) -> Message {
    match &r.detail {
        Detail::Ntp { stratum, .. } => super::note_ntp(*stratum),
        Detail::Smb2 { dialect, .. } => super::note_smb2(dialect.as_str()),
        Detail::Http { .. } => super::note_http(),
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

pub(super) fn remediation(subject: &Subject, status: Status, tz_hours: Option<i64>) -> Message {
    let host = subject.name.as_str();
    let intro = if subject.is_reference {
        super::fix_intro_reference(host)
    } else {
        super::fix_intro_kms_host(format!(
            "kms-preflight check --host {host} --ntp <trusted NTP server>"
        ))
    };
    let mut fix = super::fix(
        intro,
        format!("w32tm /stripchart /computer:{host} /samples:5 /dataonly"),
    );
    if let Some(h) = tz_hours {
        fix = super::fix_time_zone(h.unsigned_abs(), host, fix);
    }
    if status == Status::Fail && !subject.is_reference {
        fix = super::fix_retry_activation(fix);
    }
    fix
}

pub(super) fn finding_for(
    subject: &Subject,
    addr: IpAddr,
    runs: &[MethodRun],
    warn: Duration,
    fail: Duration,
) -> Finding {
    let tried: Vec<ClockAttempt> = runs.iter().map(MethodRun::attempt).collect();
    let shown_apart = subject.name != addr.to_string();
    let measured = runs.iter().find(|r| r.sampled.best.is_some());
    let Some(run) = measured else {
        let why: Vec<Message> = runs.iter().map(MethodRun::summary).collect();
        let from = if shown_apart {
            super::subject_at(subject.label(), addr)
        } else {
            subject.label()
        };
        return Finding::new(Status::Skip, super::no_reading(from, why))
            .address(addr.to_string())
            .with(ClockEvidence {
                server: Some(addr.to_string()),
                tried: Some(tried),
                ..ClockEvidence::default()
            });
    };
    let r = run.sampled.best.as_ref().expect("measured");
    let status = verdict(r.offset_ns, warn, fail);
    let tz = time_zone_hint(r.offset_ns);
    let source = if shown_apart {
        super::note_at(addr, method_note(r))
    } else {
        method_note(r)
    };
    let (warn_ms, fail_ms) = (millis(warn), millis(fail));
    let judged = match status {
        Status::Fail => super::verdict_fail(fail_ms),
        Status::Warn => super::verdict_warn(warn_ms, fail_ms),
        _ => super::verdict_pass(warn_ms),
    };
    let mut msg = super::measured(
        subject.clock(),
        source,
        span(r.offset_ns),
        if r.offset_ns >= 0 { "ahead" } else { "behind" },
        span(r.uncertainty_ns),
        judged,
    );
    if let Some(h) = tz {
        msg = super::likely_time_zone(msg, h.unsigned_abs());
    }
    let mut e = ClockEvidence {
        method: Some(run.method),
        server: Some(addr.to_string()),
        port: Some(run.port),
        offset_ms: Some(ms_f(r.offset_ns)),
        offset: Some(human_offset(r.offset_ns)),
        uncertainty_ms: Some(ms_f(r.uncertainty_ns)),
        delay_ms: Some(ms_f(r.delay_ns)),
        samples: Some(run.sampled.good),
        samples_sent: Some(run.sampled.sent),
        remote_time: Some(rfc3339_ms(r.remote_time)),
        tz_hint_hours: Some(tz),
        warn_above_ms: Some(warn_ms),
        fail_above_ms: Some(fail_ms),
        tried: Some(tried),
        local: r.local.map(|l| l.to_string()),
        ..ClockEvidence::default()
    };
    detail_evidence(&mut e, r);
    let f = Finding::new(status, msg).address(addr.to_string()).with(e);
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
