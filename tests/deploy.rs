//! The deployment files under deploy/ against the code: `deploy/check.sh` (promtool check
//! config, check rules, test rules) passes, and every metric and label the alerting rules and
//! their unit tests use is one the exporter really exposes. The systemd unit takes its options
//! from the /etc/default file (every example there parses), and its hardening keeps its
//! `systemd-analyze security` score. tests/package_deb.rs installs both from the .deb.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use kms_preflight_checks::tcp::{TcpConnected, TcpEvidence};
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
#[ignore = "needs promtool (Debian package prometheus): run with --include-ignored"]
fn deploy_check_sh_passes_promtool() {
    let have = ["/usr/bin/promtool", "/usr/local/bin/promtool"]
        .iter()
        .any(|p| Path::new(p).exists());
    assert!(
        have,
        "deploy_check_sh_passes_promtool: promtool is missing: install Debian's prometheus package \
         (apt-get install prometheus; scripts/test-all.sh does)"
    );
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
        message: kms_preflight_engine::Message::recorded(""),
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
        Outcome {
            evidence: TcpEvidence::Connected(TcpConnected {
                port: 1688,
                result: "connected".into(),
                rtt_ms: 1.0,
                attempts: 1,
                ..Default::default()
            })
            .into(),
            ..outcome("tcp.port", "tcp", "kms1.corp.example:1688", json!({}))
        },
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
            fail_on_warn: false,
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

fn systemd_analyze() -> &'static str {
    let bin = "/usr/bin/systemd-analyze";
    assert!(
        Path::new(bin).exists(),
        "systemd-analyze is missing: apt-get install systemd (scripts/test-all.sh does)"
    );
    bin
}

/// The words `$ARGS` becomes in `ExecStart=... serve $ARGS`: systemd drops the quotes of an
/// EnvironmentFile value and splits the unbraced variable on white space.
fn args_words(line: &str) -> Vec<String> {
    let value = line.split_once("ARGS=").unwrap().1.trim();
    let value = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    value.split_whitespace().map(String::from).collect()
}

#[test]
fn unit_runs_serve_with_the_args_of_etc_default() {
    let unit = deploy("systemd/kms-preflight.service");
    let directives: Vec<&str> = unit
        .lines()
        .filter(|l| !l.starts_with('#') && l.contains('='))
        .collect();
    assert!(directives.contains(&"EnvironmentFile=-/etc/default/kms-preflight"));
    assert!(directives.contains(&"ExecStart=/usr/bin/kms-preflight serve $ARGS"));
    assert_eq!(
        directives
            .iter()
            .filter(|l| l.starts_with("ExecStart="))
            .count(),
        1
    );

    let defaults = deploy("systemd/kms-preflight.default");
    let set: Vec<&str> = defaults
        .lines()
        .filter(|l| l.starts_with("ARGS="))
        .collect();
    assert_eq!(set, ["ARGS=\"\""], "one ARGS line, empty: serve's defaults");
    // Every commented example is a command line `serve` accepts (`--help` after the options
    // stops before anything runs, once each option before it has been parsed).
    let examples: Vec<&str> = defaults
        .lines()
        .filter(|l| l.starts_with("#ARGS="))
        .collect();
    assert!(examples.len() >= 3, "{defaults}");
    for line in examples {
        let words = args_words(line);
        assert!(words.iter().any(|w| w == "--label"), "{line}");
        let out = Command::new(env!("CARGO_BIN_EXE_kms-preflight"))
            .arg("serve")
            .args(&words)
            .arg("--help")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{line}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // And the check really rejects a bad option.
    let out = Command::new(env!("CARGO_BIN_EXE_kms-preflight"))
        .args(["serve", "--label", "site", "--help"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// The unit's exposure as `systemd-analyze security` scores it (offline: from the file alone).
#[test]
#[ignore = "needs systemd-analyze (Debian package systemd): scripts/test-all.sh installs it and runs ignored tests"]
fn unit_hardening_keeps_its_security_score() {
    let unit = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/systemd/kms-preflight.service");
    let out = Command::new(systemd_analyze())
        .args(["security", "--offline=yes", "--no-pager"])
        .arg(&unit)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let score: f64 = text
        .lines()
        .find_map(|l| l.split_once("Overall exposure level for kms-preflight.service: "))
        .and_then(|(_, rest)| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no overall exposure level in:\n{text}"));
    // 1.5 ("OK") when the unit was hardened (deploy/); lower is better.
    assert!(score <= 1.5, "exposure {score} > 1.5:\n{text}");
}
