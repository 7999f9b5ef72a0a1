//! `--format prometheus`: Prometheus text exposition (format 0.0.4) for node_exporter's
//! textfile collector: write to a `*.prom` file atomically (write a temp file, then rename).
//!
//! Names follow Prometheus conventions: `kms_preflight_` prefix, base units (seconds), a
//! status enum as one series per state (`kms_preflight_check_status{status=…}` 1 or 0), no
//! timestamps on samples (the textfile collector rejects them). A result key that occurs
//! twice (a check that reported two findings for the same address) keeps its worst status,
//! so every series is unique. Label values are escaped as the format requires.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde_json::Value;

use kms_preflight_engine::evidence::{self, activation as ev};

use super::{Report, Status};

const STATUSES: [Status; 5] = [
    Status::Pass,
    Status::Warn,
    Status::Fail,
    Status::Skip,
    Status::Error,
];

/// Escapes a label value: backslash, double quote and newline.
pub fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn labels(pairs: &[(&str, &str)]) -> String {
    let inner: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
        .collect();
    format!("{{{}}}", inner.join(","))
}

fn header(out: &mut String, name: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} gauge");
}

/// Result key: check, kind, target, address, source.
type Key = (String, String, String, String, String);

struct Row {
    status: Status,
    duration_s: f64,
    rtt_s: Option<f64>,
    offset_s: Option<f64>,
}

fn number(v: Option<&Value>) -> Option<f64> {
    v.and_then(Value::as_f64).filter(|f| f.is_finite())
}

pub fn render(report: &Report) -> String {
    let mut rows: BTreeMap<Key, Row> = BTreeMap::new();
    let mut order: Vec<Key> = Vec::new();
    for r in &report.results {
        let key: Key = (
            r.id.clone(),
            r.kind.clone(),
            r.target.clone().unwrap_or_default(),
            r.address.clone().unwrap_or_default(),
            r.source.clone().unwrap_or_default(),
        );
        let rtt = number(r.evidence.get(evidence::RTT_MS)).map(|ms| ms / 1000.0);
        let offset = number(r.evidence.get(evidence::OFFSET_MS)).map(|ms| ms / 1000.0);
        let duration = r.duration_ms as f64 / 1000.0;
        match rows.get_mut(&key) {
            Some(row) => {
                row.status = row.status.max(r.status);
                row.duration_s = row.duration_s.max(duration);
                row.rtt_s = row.rtt_s.or(rtt);
                row.offset_s = row.offset_s.or(offset);
            }
            None => {
                order.push(key.clone());
                rows.insert(
                    key,
                    Row {
                        status: r.status,
                        duration_s: duration,
                        rtt_s: rtt,
                        offset_s: offset,
                    },
                );
            }
        }
    }
    let base = |k: &Key| {
        vec![
            ("check", k.0.clone()),
            ("kind", k.1.clone()),
            ("target", k.2.clone()),
            ("address", k.3.clone()),
            ("source", k.4.clone()),
        ]
    };
    let fmt_labels = |pairs: &[(&str, String)]| {
        let v: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        labels(&v)
    };

    let mut out = String::new();
    header(
        &mut out,
        "kms_preflight_check_status",
        "Status of one check result (check, target, address, source): 1 for the reported status, 0 for the others.",
    );
    for k in &order {
        let row = &rows[k];
        for s in STATUSES {
            let mut l = base(k);
            l.push(("status", s.as_str().to_string()));
            let _ = writeln!(
                out,
                "kms_preflight_check_status{} {}",
                fmt_labels(&l),
                u8::from(row.status == s)
            );
        }
    }
    header(
        &mut out,
        "kms_preflight_check_success",
        "1 when the check result is pass or warn, 0 when it is fail, error or skip.",
    );
    for k in &order {
        let ok = matches!(rows[k].status, Status::Pass | Status::Warn);
        let _ = writeln!(
            out,
            "kms_preflight_check_success{} {}",
            fmt_labels(&base(k)),
            u8::from(ok)
        );
    }
    header(
        &mut out,
        "kms_preflight_check_duration_seconds",
        "Time the check took, in seconds.",
    );
    for k in &order {
        let _ = writeln!(
            out,
            "kms_preflight_check_duration_seconds{} {}",
            fmt_labels(&base(k)),
            rows[k].duration_s
        );
    }
    if order.iter().any(|k| rows[k].rtt_s.is_some()) {
        header(
            &mut out,
            "kms_preflight_rtt_seconds",
            "Round-trip time a check measured (TCP handshake, DNS query), in seconds.",
        );
        for k in &order {
            if let Some(v) = rows[k].rtt_s {
                let _ = writeln!(out, "kms_preflight_rtt_seconds{} {v}", fmt_labels(&base(k)));
            }
        }
    }
    if order.iter().any(|k| rows[k].offset_s.is_some()) {
        header(
            &mut out,
            "kms_preflight_clock_offset_seconds",
            "Clock offset a check measured (remote minus local), in seconds.",
        );
        for k in &order {
            if let Some(v) = rows[k].offset_s {
                let _ = writeln!(
                    out,
                    "kms_preflight_clock_offset_seconds{} {v}",
                    fmt_labels(&base(k))
                );
            }
        }
    }
    activation_series(&mut out, report);
    let s = &report.summary;
    header(
        &mut out,
        "kms_preflight_results",
        "Number of results of the last run with each status.",
    );
    for (st, n) in [
        ("pass", s.pass),
        ("warn", s.warn),
        ("fail", s.fail),
        ("skip", s.skip),
        ("error", s.error),
    ] {
        let _ = writeln!(
            out,
            "kms_preflight_results{} {n}",
            labels(&[("status", st)])
        );
    }
    header(
        &mut out,
        "kms_preflight_ready",
        "1 when the last run had no fail and no error result (exit code 0), else 0.",
    );
    let _ = writeln!(
        out,
        "kms_preflight_ready {}",
        u8::from(report.exit_code() == 0)
    );
    header(
        &mut out,
        "kms_preflight_run_duration_seconds",
        "Wall-clock time of the last run, in seconds.",
    );
    let _ = writeln!(
        out,
        "kms_preflight_run_duration_seconds {}",
        report.duration_ms as f64 / 1000.0
    );
    if let Ok(t) = humantime::parse_rfc3339(&report.started_at) {
        if let Ok(d) = t.duration_since(std::time::UNIX_EPOCH) {
            header(
                &mut out,
                "kms_preflight_last_run_timestamp_seconds",
                "Unix time at which the last run started; alert when it is too old.",
            );
            let _ = writeln!(
                out,
                "kms_preflight_last_run_timestamp_seconds {}",
                d.as_secs()
            );
        }
    }
    header(
        &mut out,
        "kms_preflight_build_info",
        "Always 1; labels give the kms-preflight version, report schema and profile.",
    );
    let _ = writeln!(
        out,
        "kms_preflight_build_info{} 1",
        labels(&[
            ("version", report.version),
            ("schema", report.schema),
            ("profile", report.profile.as_deref().unwrap_or("")),
        ])
    );
    out
}

/// The activation probe's count and threshold, one series per (result, product): what the
/// host counts against what the product needs (alert when count < threshold).
fn activation_series(out: &mut String, report: &Report) {
    let rows: Vec<(String, f64, f64)> = report
        .results
        .iter()
        .filter(|r| r.kind == "kms-activation")
        .filter_map(|r| {
            let count = number(r.evidence.get(ev::CURRENT_COUNT))?;
            let threshold = number(r.evidence.get(ev::THRESHOLD))?;
            let product = r.evidence.get(ev::PRODUCT)?.as_str()?.to_string();
            let l = labels(&[
                ("check", r.id.as_str()),
                ("target", r.target.as_deref().unwrap_or("")),
                ("address", r.address.as_deref().unwrap_or("")),
                ("source", r.source.as_deref().unwrap_or("")),
                ("product", product.as_str()),
            ]);
            Some((l, count, threshold))
        })
        .collect();
    if rows.is_empty() {
        return;
    }
    header(
        out,
        "kms_preflight_activation_current_count",
        "Client count the KMS host reported to the activation probe, per product.",
    );
    for (l, count, _) in &rows {
        let _ = writeln!(out, "kms_preflight_activation_current_count{l} {count}");
    }
    header(
        out,
        "kms_preflight_activation_threshold",
        "Client count the product needs before the KMS host activates it (N: 25 or 5).",
    );
    for (l, _, threshold) in &rows {
        let _ = writeln!(out, "kms_preflight_activation_threshold{l} {threshold}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Outcome, Summary, SCHEMA};

    #[test]
    fn activation_count_and_threshold_per_product() {
        let o = |product: &str, count: u32, n: u32| {
            let mut evidence = serde_json::Map::new();
            evidence.insert(ev::PRODUCT.into(), product.into());
            evidence.insert(ev::CURRENT_COUNT.into(), count.into());
            evidence.insert(ev::THRESHOLD.into(), n.into());
            Outcome {
                id: "kms.activation".into(),
                kind: "kms-activation".into(),
                title: "t".into(),
                target: Some("kms.corp.test:1688".into()),
                address: Some("198.18.1.10".into()),
                source: None,
                status: Status::Fail,
                message: "m".into(),
                remediation: None,
                error_codes: vec![],
                evidence,
                duration_ms: 0,
            }
        };
        let results = vec![
            o("windows-10-enterprise", 3, 25),
            o("office-ltsc-2021-proplus", 10, 5),
        ];
        let r = Report {
            summary: Summary::of(&results),
            results,
            schema: SCHEMA,
            ..Report::empty()
        };
        let text = render(&r);
        assert!(text.contains(
            "kms_preflight_activation_current_count{check=\"kms.activation\",target=\"kms.corp.test:1688\",address=\"198.18.1.10\",source=\"\",product=\"windows-10-enterprise\"} 3\n"
        ), "{text}");
        assert!(
            text.contains("product=\"office-ltsc-2021-proplus\"} 5\n"),
            "{text}"
        );
        // No activation results: no activation series.
        assert!(!render(&Report::empty()).contains("activation"));
    }
}
