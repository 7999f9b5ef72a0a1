//! The deployment files under deploy/ against the code: `deploy/check.sh` (promtool check
//! config, check rules, test rules) passes, and every metric and label the alerting rules and
//! their unit tests use is one the exporter really exposes.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use kms_preflight_checks::evidence;
use kms_preflight_engine::EvidenceSet;
use kms_preflight_report::prometheus::{render_with, AuditStatus, Exposition};
use kms_preflight_report::{Outcome, Report, Status, Summary};
use serde_json::{json, Value};

fn deploy(path: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("deploy")
        .join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn deploy_check_sh_passes_promtool() {
    let have = ["/usr/bin/promtool", "/usr/local/bin/promtool"]
        .iter()
        .any(|p| Path::new(p).exists());
    if !have {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("promtool is missing: scripts/test-all.sh installs Debian's prometheus package");
        }
        eprintln!("SKIPPED deploy/check.sh: promtool missing (apt-get install prometheus)");
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/check.sh");
    let out = Command::new("bash")
        .arg(&script)
        .output()
        .expect("run deploy/check.sh");
    assert!(
        out.status.success(),
        "deploy/check.sh failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("SUCCESS"), "{text}");
}

fn outcome(id: &str, kind: &str, target: &str, evidence: Value) -> Outcome {
    Outcome {
        id: id.into(),
        kind: kind.into(),
        title: id.into(),
        target: Some(target.into()),
        address: Some("10.0.0.1".into()),
        source: None,
        status: Status::Pass,
        message: String::new().into(),
        remediation: None,
        error_codes: vec![],
        // As a report records it: typed for the kinds that have their own evidence.
        evidence: kms_preflight_checks::Evidence::from_recorded(kind, evidence)
            .expect("recorded evidence"),
        run: Default::default(),
        duration_ms: 1,
    }
}

/// What serve exposes for a report with every kind of series.
fn exposition() -> String {
    let results = vec![
        outcome(
            "tcp.port",
            "tcp",
            "kms1.corp.example:1688",
            json!({ evidence::RTT_MS: 1.0 }),
        ),
        outcome(
            "clock.kms-host",
            "clock",
            "kms1.corp.example:1688",
            json!({ "offset_ms": 5.0 }),
        ),
        outcome(
            "kms.activation",
            "kms-activation",
            "kms1.corp.example:1688",
            json!({ "current_count": 20, "threshold": 25, "product": "windows-client" }),
        ),
    ];
    let mut r = Report::empty();
    r.summary = Summary::of(&results);
    r.results = results;
    render_with(
        &r,
        &Exposition {
            labels: vec![("site".into(), "osaka".into())],
            audit: Some(AuditStatus {
                success: true,
                last_success_unix: Some(1.0),
                duration_seconds: 1.0,
            }),
        },
    )
}

/// The identifiers that follow `prefix` in `text` (`keep_prefix`: with it).
fn words_after(text: &str, prefix: &str, keep_prefix: bool) -> BTreeSet<String> {
    text.match_indices(prefix)
        .map(|(i, _)| {
            let word: String = text[i + prefix.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if keep_prefix {
                format!("{prefix}{word}")
            } else {
                word
            }
        })
        .collect()
}

#[test]
fn alert_rules_use_only_metrics_and_labels_serve_exposes() {
    let expo = exposition();
    let exposed: BTreeSet<String> = expo
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .collect();
    for file in [
        "prometheus/alerts.yml",
        "prometheus/alerts.test.yml",
        "README.md",
    ] {
        let text = deploy(file);
        // `kms_preflight_*` in prose is the prefix, not a metric.
        for m in words_after(&text, "kms_preflight_", true)
            .into_iter()
            .filter(|m| !m.ends_with('_'))
        {
            assert!(
                exposed.contains(&m),
                "deploy/{file} uses {m}, which serve does not expose"
            );
        }
    }
    // Labels the rules read: the exporter's own, Prometheus' target labels, and `site`.
    let mut labels: BTreeSet<String> = ["job", "instance", "site"].map(String::from).into();
    for line in expo.lines().filter(|l| !l.starts_with('#')) {
        let inner = &line[line.find('{').unwrap() + 1..line.find('}').unwrap()];
        for pair in inner.split("\",") {
            labels.insert(pair.split('=').next().unwrap().to_string());
        }
    }
    let rules = deploy("prometheus/alerts.yml");
    let read = words_after(&rules, "$labels.", false);
    assert!(read.contains("target") && read.contains("site"), "{read:?}");
    for name in read {
        assert!(
            labels.contains(&name),
            "alerts.yml reads label {name}, which no series carries ({labels:?})"
        );
    }
    // The status values the rules select on are the exporter's.
    for st in ["pass", "fail", "warn"] {
        assert!(expo.contains(&format!("status=\"{st}\"")));
    }
}
