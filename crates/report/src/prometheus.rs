//! Prometheus text exposition (format 0.0.4), for two consumers:
//!
//! - `check --format prometheus` ([`render`]): one run, for node_exporter's textfile collector
//!   (write to a `*.prom` file atomically: a temp file, then rename);
//! - `serve` ([`render_with`]): the latest audit of a long-running exporter, with its site
//!   labels on every series and the audit's own health (`kms_preflight_audit_success`,
//!   `kms_preflight_last_audit_timestamp_seconds`, `kms_preflight_audit_duration_seconds`).
//!
//! Names follow Prometheus conventions: `kms_preflight_` prefix, base units (seconds), a
//! status enum as one series per state (`kms_preflight_check_status{status=…}` 1 or 0), no
//! timestamps on samples (the textfile collector rejects them). A result key that occurs
//! twice (a check that reported two findings for the same address) keeps its worst status,
//! so every series is unique. Label values are escaped as the format requires, and labels
//! stay bounded: ids, kinds, targets, addresses, sources and statuses, never messages.
//!
//! Evidence is read through each kind's typed evidence (a connection's round trip, the clock's
//! offset, the activation probe's count, a sweep listener's round trip), or for kinds still
//! written key by key through the keys in [`kms_preflight_checks::evidence`].

use std::collections::BTreeMap;
use std::fmt::Write;

use kms_preflight_checks::sweep::SweepEvidence;
use kms_preflight_checks::tcp::TcpEvidence;

use super::{usage, Report, Status};
use kms_preflight_engine::Message;

const STATUSES: [Status; 5] = [
    Status::Pass,
    Status::Warn,
    Status::Fail,
    Status::Skip,
    Status::Error,
];

/// Label names the exporter sets itself, or Prometheus sets on every scraped series: a
/// `--label` may not use them.
pub const RESERVED_LABELS: [&str; 12] = [
    "check", "kind", "target", "address", "source", "status", "product", "version", "schema",
    "profile", "job", "instance",
];

/// Longest value a constant label may have.
pub const MAX_LABEL_VALUE: usize = 128;

/// Checks a constant label (`--label KEY=VALUE`): the name follows the Prometheus data model
/// (`[a-zA-Z_][a-zA-Z0-9_]*`), does not start with `__` (reserved for Prometheus' internal
/// use) and is none of [`RESERVED_LABELS`]; the value is non-empty (Prometheus treats an
/// empty label as absent), at most [`MAX_LABEL_VALUE`] characters and has no control
/// characters.
pub fn validate_label(name: &str, value: &str) -> Result<(), Message> {
    let mut chars = name.chars();
    let valid = match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {
            chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        _ => false,
    };
    if !valid {
        return Err(usage::label_name(format!("{name:?}")));
    }
    if name.starts_with("__") {
        return Err(usage::label_internal(format!("{name:?}")));
    }
    if RESERVED_LABELS.contains(&name) {
        return Err(usage::label_reserved(
            format!("{name:?}"),
            &RESERVED_LABELS[..],
        ));
    }
    if value.is_empty() {
        return Err(usage::label_empty(name));
    }
    if value.chars().count() > MAX_LABEL_VALUE {
        return Err(usage::label_too_long(name, MAX_LABEL_VALUE));
    }
    if value.chars().any(char::is_control) {
        return Err(usage::label_control(name));
    }
    Ok(())
}

/// How a long-running exporter's last audit went.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AuditStatus {
    /// The last audit finished and produced the report being served.
    pub success: bool,
    /// Unix time (seconds) at which the last successful audit finished (the served report);
    /// `None` before the first one.
    pub last_success_unix: Option<f64>,
    /// Wall-clock time of the last audit, successful or not, in seconds.
    pub duration_seconds: f64,
}

/// What [`render_with`] adds to the report itself.
#[derive(Debug, Clone, Default)]
pub struct Exposition {
    /// Constant labels (`--label site=osaka`), first on every series, in this order. Callers
    /// check them with [`validate_label`].
    pub labels: Vec<(String, String)>,
    /// `Some` for `serve`: the audit series replace the single run's
    /// `kms_preflight_run_duration_seconds` and `kms_preflight_last_run_timestamp_seconds`.
    pub audit: Option<AuditStatus>,
    /// `check --fail-on warn`: a warn result makes `kms_preflight_ready` 0 too, as it makes
    /// the exit code 1. `serve` has no `--fail-on` and leaves it false (the default gate).
    pub fail_on_warn: bool,
}

/// Escapes a label value: backslash, double quote and newline.
pub fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Writes label sets with the constant labels in front.
struct LabelSet {
    prefix: String,
}

impl LabelSet {
    fn new(constant: &[(String, String)]) -> LabelSet {
        let prefix = constant
            .iter()
            .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
            .collect::<Vec<_>>()
            .join(",");
        LabelSet { prefix }
    }

    /// `{const…,k="v",…}`, or nothing when there is no label at all.
    fn of<K: AsRef<str>, V: AsRef<str>>(&self, pairs: &[(K, V)]) -> String {
        let mut inner: Vec<String> = Vec::with_capacity(pairs.len() + 1);
        if !self.prefix.is_empty() {
            inner.push(self.prefix.clone());
        }
        inner.extend(
            pairs
                .iter()
                .map(|(k, v)| format!("{}=\"{}\"", k.as_ref(), escape(v.as_ref()))),
        );
        if inner.is_empty() {
            String::new()
        } else {
            format!("{{{}}}", inner.join(","))
        }
    }
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

/// What an activation result reported for one product.
struct Activation {
    current: Option<f64>,
    threshold: Option<f64>,
}

fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|f| f.is_finite())
}

/// A product keyword as a label value: short and without free text.
fn product_label(p: Option<&str>) -> Option<String> {
    let p = p?;
    let ok = !p.is_empty()
        && p.len() <= 64
        && p.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    ok.then(|| p.to_string())
}

/// `check --format prometheus`: one run, no constant labels.
pub fn render(report: &Report) -> String {
    render_with(report, &Exposition::default())
}

/// The exposition of a report with constant labels and, for `serve`, the audit's health.
pub fn render_with(report: &Report, expo: &Exposition) -> String {
    let ls = LabelSet::new(&expo.labels);
    let mut rows: BTreeMap<Key, Row> = BTreeMap::new();
    let mut order: Vec<Key> = Vec::new();
    let mut activations: BTreeMap<(Key, String), Activation> = BTreeMap::new();
    let mut activation_order: Vec<(Key, String)> = Vec::new();
    for r in &report.results {
        let key: Key = (
            r.id.clone(),
            r.kind.clone(),
            r.target.clone().unwrap_or_default(),
            r.address.clone().unwrap_or_default(),
            r.source.clone().unwrap_or_default(),
        );
        let rtt = r
            .evidence
            .tcp()
            .and_then(TcpEvidence::rtt_ms)
            .or(r.evidence.srv().and_then(|e| e.rtt_ms))
            .or(r.evidence.srv_membership().and_then(|e| e.rtt_ms))
            .or(r.evidence.retired_host().and_then(|e| e.rtt_ms()))
            .or_else(|| finite(r.evidence.sweep().and_then(SweepEvidence::rtt_ms)))
            .map(|ms| ms / 1000.0);
        let offset = finite(r.evidence.clock().and_then(|e| e.offset_ms)).map(|ms| ms / 1000.0);
        let duration = r.duration_ms as f64 / 1000.0;
        if let Some(e) = r.evidence.activation() {
            if let Some(product) = product_label(e.product.as_deref()) {
                let current = e.current_count.map(f64::from);
                let threshold = e.threshold.map(f64::from);
                let akey = (key.clone(), product);
                match activations.get_mut(&akey) {
                    Some(a) => {
                        a.current = a.current.or(current);
                        a.threshold = a.threshold.or(threshold);
                    }
                    None => {
                        activation_order.push(akey.clone());
                        activations.insert(akey, Activation { current, threshold });
                    }
                }
            }
        }
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
                ls.of(&l),
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
            ls.of(&base(k)),
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
            ls.of(&base(k)),
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
                let _ = writeln!(out, "kms_preflight_rtt_seconds{} {v}", ls.of(&base(k)));
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
                    ls.of(&base(k))
                );
            }
        }
    }
    for (name, help, pick) in [
        (
            "kms_preflight_activation_current_count",
            "Current count of distinct clients a KMS host reported to the activation probe, per product.",
            (|a: &Activation| a.current) as fn(&Activation) -> Option<f64>,
        ),
        (
            "kms_preflight_activation_threshold",
            "Count a KMS host needs before it activates clients of the product (activation probe).",
            |a: &Activation| a.threshold,
        ),
    ] {
        if activation_order.iter().any(|k| pick(&activations[k]).is_some()) {
            header(&mut out, name, help);
            for ak in &activation_order {
                if let Some(v) = pick(&activations[ak]) {
                    let mut l = base(&ak.0);
                    l.push(("product", ak.1.clone()));
                    let _ = writeln!(out, "{name}{} {v}", ls.of(&l));
                }
            }
        }
    }
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
        let _ = writeln!(out, "kms_preflight_results{} {n}", ls.of(&[("status", st)]));
    }
    header(
        &mut out,
        "kms_preflight_ready",
        "1 when check's exit code for the last run is 0: no fail or error result, and the verdict is not FAILS nor an UNKNOWN of skipped probes; else 0.",
    );
    let no_labels: [(&str, &str); 0] = [];
    let _ = writeln!(
        out,
        "kms_preflight_ready{} {}",
        ls.of(&no_labels),
        u8::from(ready(report, expo.fail_on_warn))
    );
    match &expo.audit {
        None => run_series(&mut out, report),
        Some(a) => audit_series(&mut out, &ls, a),
    }
    header(
        &mut out,
        "kms_preflight_build_info",
        "Always 1; labels give the kms-preflight version, report schema and profile.",
    );
    let _ = writeln!(
        out,
        "kms_preflight_build_info{} 1",
        ls.of(&[
            ("version", report.version.as_str()),
            ("schema", report.schema),
            ("profile", report.profile.as_deref().unwrap_or("")),
        ])
    );
    out
}

/// `kms_preflight_ready`: the rule of `check`'s exit code (a skip is never evidence, so a
/// FAILS verdict or an UNKNOWN made of skipped probes is not ready), with `--fail-on warn`
/// when the caller applies it.
fn ready(report: &Report, fail_on_warn: bool) -> bool {
    crate::verdict::exit_code(report) == 0 && !(fail_on_warn && report.summary.warn > 0)
}

/// One run (`check`): its duration and start time.
fn run_series(out: &mut String, report: &Report) {
    header(
        out,
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
                out,
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
}

/// A long-running exporter (`serve`): how its audits go.
fn audit_series(out: &mut String, ls: &LabelSet, a: &AuditStatus) {
    let none: [(&str, &str); 0] = [];
    header(
        out,
        "kms_preflight_audit_success",
        "1 when the last audit finished; 0 when it failed (ran out of its deadline or stopped), and the previous report is served.",
    );
    let _ = writeln!(
        out,
        "kms_preflight_audit_success{} {}",
        ls.of(&none),
        u8::from(a.success)
    );
    header(
        out,
        "kms_preflight_last_audit_timestamp_seconds",
        "Unix time at which the last successful audit (the served report) finished; 0 before the first.",
    );
    let _ = writeln!(
        out,
        "kms_preflight_last_audit_timestamp_seconds{} {}",
        ls.of(&none),
        millis(a.last_success_unix.unwrap_or(0.0))
    );
    header(
        out,
        "kms_preflight_audit_duration_seconds",
        "Wall-clock time of the last audit, successful or not, in seconds.",
    );
    let _ = writeln!(
        out,
        "kms_preflight_audit_duration_seconds{} {}",
        ls.of(&none),
        millis(a.duration_seconds)
    );
}

/// Rounded to the millisecond: no false precision in the exposition.
fn millis(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Evidence, Outcome, Summary};
    use kms_preflight_engine::EvidenceSet;
    use serde_json::{json, Value};

    /// A result with evidence as a report records it (typed for the typed kinds).
    fn outcome(id: &str, kind: &str, status: Status, evidence: Value) -> Outcome {
        Outcome {
            id: id.into(),
            kind: kind.into(),
            title: id.into(),
            target: Some("kms1.corp.test:1688".into()),
            address: Some("198.18.0.10".into()),
            source: None,
            status,
            message: kms_preflight_engine::Message::recorded("free text \"never\" a label"),
            remediation: None,
            error_codes: vec![],
            evidence: Evidence::from_recorded(kind, evidence).expect("recorded evidence"),
            run: Default::default(),
            duration_ms: 5,
        }
    }

    fn report(results: Vec<Outcome>) -> Report {
        let mut r = Report::empty();
        r.summary = Summary::of(&results);
        r.results = results;
        r.profile = Some("default".into());
        r
    }

    #[test]
    fn label_names_follow_prometheus_rules() {
        assert!(validate_label("site", "osaka").is_ok());
        assert!(validate_label("_region2", "eu west").is_ok());
        for bad in ["", "2site", "si-te", "sité", "__name__", "__meta_x"] {
            assert!(validate_label(bad, "x").is_err(), "{bad:?}");
        }
        for reserved in RESERVED_LABELS {
            let e = validate_label(reserved, "x").unwrap_err();
            let e = crate::Catalog::get(crate::Lang::En).text(&e);
            assert!(e.contains("reserved"), "{e}");
        }
        assert!(validate_label("site", "").is_err());
        assert!(validate_label("site", "a\nb").is_err());
        assert!(validate_label("site", &"x".repeat(MAX_LABEL_VALUE + 1)).is_err());
    }

    #[test]
    fn serve_exposition_has_site_labels_everywhere_and_audit_series() {
        let r = report(vec![
            outcome(
                "clock.kms-host",
                "clock",
                Status::Pass,
                json!({ "offset_ms": 2500.0 }),
            ),
            outcome(
                "kms.activation",
                "kms-activation",
                Status::Warn,
                json!({ "current_count": 20, "threshold": 25, "product": "windows-client" }),
            ),
            outcome(
                "kms.activation",
                "kms-activation",
                Status::Pass,
                json!({ "current_count": 10, "threshold": 5, "product": "office" }),
            ),
        ]);
        let text = render_with(
            &r,
            &Exposition {
                labels: vec![
                    ("site".into(), "osaka \"east\"".into()),
                    ("env".into(), "prod".into()),
                ],
                audit: Some(AuditStatus {
                    success: false,
                    last_success_unix: Some(1_795_320_000.0),
                    duration_seconds: 1.5,
                }),
                fail_on_warn: false,
            },
        );
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            assert!(
                line.contains("{site=\"osaka \\\"east\\\"\",env=\"prod\""),
                "site labels first on every series: {line}"
            );
        }
        assert!(text
            .contains("kms_preflight_audit_success{site=\"osaka \\\"east\\\"\",env=\"prod\"} 0\n"));
        assert!(text.contains("kms_preflight_last_audit_timestamp_seconds{site=\"osaka \\\"east\\\"\",env=\"prod\"} 1795320000\n"));
        assert!(text.contains(
            "kms_preflight_audit_duration_seconds{site=\"osaka \\\"east\\\"\",env=\"prod\"} 1.5\n"
        ));
        assert!(!text.contains("kms_preflight_run_duration_seconds"));
        assert!(!text.contains("kms_preflight_last_run_timestamp_seconds"));
        assert!(text.contains("kms_preflight_clock_offset_seconds{site=\"osaka \\\"east\\\"\",env=\"prod\",check=\"clock.kms-host\",kind=\"clock\",target=\"kms1.corp.test:1688\",address=\"198.18.0.10\",source=\"\"} 2.5\n"));
        assert!(text.contains("kms_preflight_activation_current_count{site=\"osaka \\\"east\\\"\",env=\"prod\",check=\"kms.activation\",kind=\"kms-activation\",target=\"kms1.corp.test:1688\",address=\"198.18.0.10\",source=\"\",product=\"windows-client\"} 20\n"));
        assert!(text.contains("kms_preflight_activation_threshold{site=\"osaka \\\"east\\\"\",env=\"prod\",check=\"kms.activation\",kind=\"kms-activation\",target=\"kms1.corp.test:1688\",address=\"198.18.0.10\",source=\"\",product=\"office\"} 5\n"));
        assert!(!text.contains("free text"), "messages never become labels");
    }

    #[test]
    fn ready_follows_the_exit_code_with_fail_on() {
        let ready = |r: &Report, fail_on_warn: bool| {
            let expo = Exposition {
                fail_on_warn,
                ..Exposition::default()
            };
            render_with(r, &expo)
                .lines()
                .find_map(|l| l.strip_prefix("kms_preflight_ready "))
                .map(str::to_string)
        };
        let pass = outcome("clock.kms-host", "clock", Status::Pass, json!({}));
        let warn = outcome("clock.kms-host", "clock", Status::Warn, json!({}));
        let fail = outcome("clock.kms-host", "clock", Status::Fail, json!({}));
        assert_eq!(
            ready(&report(vec![pass.clone()]), false).as_deref(),
            Some("1")
        );
        assert_eq!(
            ready(&report(vec![pass, warn.clone()]), false).as_deref(),
            Some("1")
        );
        assert_eq!(
            ready(&report(vec![warn]), true).as_deref(),
            Some("0"),
            "--fail-on warn"
        );
        assert_eq!(ready(&report(vec![fail]), false).as_deref(), Some("0"));
    }

    #[test]
    fn no_audit_yet_reports_timestamp_zero() {
        let text = render_with(
            &Report::empty(),
            &Exposition {
                labels: vec![],
                audit: Some(AuditStatus {
                    success: false,
                    last_success_unix: None,
                    duration_seconds: 0.0,
                }),
                fail_on_warn: false,
            },
        );
        assert!(text.contains("\nkms_preflight_last_audit_timestamp_seconds 0\n"));
        assert!(text.contains("\nkms_preflight_audit_success 0\n"));
    }

    #[test]
    fn activation_series_only_from_activation_results_with_a_keyword_product() {
        let r = report(vec![
            outcome(
                "tcp.port",
                "tcp",
                Status::Pass,
                json!({ "current_count": 3, "product": "x" }),
            ),
            outcome(
                "kms.activation",
                "kms-activation",
                Status::Pass,
                json!({ "current_count": 3, "product": "free text, with spaces" }),
            ),
        ]);
        let text = render(&r);
        assert!(!text.contains("kms_preflight_activation"), "{text}");
    }

    #[test]
    fn activation_count_and_threshold_per_product() {
        let o = |product: &str, count: u32, n: u32| {
            let evidence = kms_preflight_checks::kms_activation::KmsActivationEvidence {
                product: Some(product.into()),
                current_count: Some(count),
                threshold: Some(n),
                ..Default::default()
            };
            Outcome {
                id: "kms.activation".into(),
                kind: "kms-activation".into(),
                title: "t".into(),
                target: Some("kms.corp.test:1688".into()),
                address: Some("198.18.1.10".into()),
                source: None,
                status: Status::Fail,
                message: kms_preflight_engine::Message::recorded("m"),
                remediation: None,
                error_codes: vec![],
                evidence: evidence.into(),
                run: Default::default(),
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
            schema: crate::SCHEMA,
            ..Report::empty()
        };
        let text = render(&r);
        assert!(text.contains(
            "kms_preflight_activation_current_count{check=\"kms.activation\",kind=\"kms-activation\",target=\"kms.corp.test:1688\",address=\"198.18.1.10\",source=\"\",product=\"windows-10-enterprise\"} 3\n"
        ), "{text}");
        assert!(
            text.contains("product=\"office-ltsc-2021-proplus\"} 5\n"),
            "{text}"
        );
        // No activation results: no activation series.
        assert!(!render(&Report::empty()).contains("activation"));
    }
}
