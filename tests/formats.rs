//! Golden tests of the junit, markdown and prometheus renderers on a fixed report, and their
//! validation by real consumers: an XML parser (quick-xml) for JUnit and Prometheus' own
//! `promtool check metrics` for the exposition text. Rewrite the golden files after an
//! intended change with `UPDATE_GOLDEN=1 cargo test --test formats`.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use kms_preflight_engine::EvidenceSet;
use kms_preflight_report::{self as report, Outcome, Report, ReportTarget, Status, Summary};
use serde_json::{json, Value};

fn outcome(
    id: &str,
    kind: &str,
    target: Option<&str>,
    address: Option<&str>,
    status: Status,
    message: &str,
    evidence: Value,
) -> Outcome {
    let problem = matches!(status, Status::Fail | Status::Warn | Status::Error);
    Outcome {
        id: id.into(),
        kind: kind.into(),
        title: id.into(),
        target: target.map(Into::into),
        address: address.map(Into::into),
        source: None,
        status,
        message: kms_preflight_engine::Message::recorded(message),
        remediation: problem.then(|| {
            kms_preflight_engine::Message::recorded(format!(
                "Fix {id}:\n  step | one\n  step \"two\" <&>"
            ))
        }),
        error_codes: if matches!(status, Status::Fail | Status::Warn) {
            vec!["0xC004F074".into()]
        } else {
            vec![]
        },
        // The engine's own keys (attempts, flaky) live apart from the kind's evidence.
        run: serde_json::from_value(evidence.clone()).expect("run evidence"),
        // As a report records it: typed for the kinds that have their own evidence.
        evidence: match evidence {
            Value::Object(mut m) => {
                for k in kms_preflight_engine::RUN_KEYS {
                    m.remove(*k);
                }
                report::Evidence::from_recorded(kind, Value::Object(m)).expect("recorded evidence")
            }
            _ => report::Evidence::default(),
        },
        duration_ms: 12,
    }
}

fn fixture() -> Report {
    let results = vec![
        outcome(
            "srv.present",
            "srv",
            Some("corp.test"),
            None,
            Status::Pass,
            "2 KMS host(s) published in _vlmcs._tcp.corp.test",
            json!({"rtt_ms": 0.8}),
        ),
        outcome(
            "tcp.port",
            "tcp",
            Some("kms1.corp.test:1688"),
            Some("198.18.0.10"),
            Status::Pass,
            "connected to 198.18.0.10:1688 in 0.21 ms",
            json!({"port": 1688, "result": "connected", "rtt_ms": 0.21, "attempts": 1}),
        ),
        outcome(
            "tcp.port",
            "tcp",
            Some("kms2.corp.test:1688"),
            Some("198.18.0.11"),
            Status::Fail,
            "no answer from 198.18.0.11:1688 within 1s: filtered | \"dropped\"",
            json!({"port": 1688, "result": "timeout", "timeout_ms": 1000}),
        ),
        outcome(
            "tcp.port",
            "tcp",
            Some("kms3.corp.test:1688"),
            Some("198.18.0.12"),
            Status::Warn,
            "flaky: passed on attempt 2 of 3 after 1 failed attempt(s) (refused); now: connected",
            json!({"port": 1688, "result": "connected", "rtt_ms": 0.3, "attempts": 1, "attempt": 2, "flaky": true,
                   "earlier_attempts": [{"attempt": 1, "status": "fail", "message": "refused"}]}),
        ),
        outcome(
            "clock.kms-host",
            "clock",
            Some("kms1.corp.test:1688"),
            Some("198.18.0.10"),
            Status::Error,
            "cannot read the clock: timeout",
            json!({"offset_ms": -1500.0}),
        ),
        outcome(
            "kms.rpc-bind",
            "unavailable",
            None,
            None,
            Status::Skip,
            "not checked: no rule with id 'kms.rpc-bind' is loaded",
            json!({}),
        ),
    ];
    let summary = Summary::of(&results);
    Report {
        schema: report::SCHEMA,
        version: "0.1.0".into(),
        started_at: "2026-11-22T04:00:00Z".into(),
        duration_ms: 1234,
        profile: Some("branch-office".into()),
        domains: vec!["corp.test".into()],
        dns_servers: vec!["198.18.0.2:53".into()],
        sources: vec![],
        targets: ["kms1", "kms2", "kms3"]
            .iter()
            .map(|h| ReportTarget {
                target: format!("{h}.corp.test:1688"),
                host: format!("{h}.corp.test"),
                port: 1688,
                origins: vec!["SRV _vlmcs._tcp.corp.test".into()],
            })
            .collect(),
        results,
        summary,
        clients: Vec::new(),
    }
}

fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (create it with UPDATE_GOLDEN=1)", path.display()));
    assert_eq!(
        actual, expected,
        "{name} differs from the golden file; UPDATE_GOLDEN=1 rewrites it"
    );
}

/// Parses XML with quick-xml; returns (element name, attributes) in document order.
fn parse_xml(text: &str) -> Vec<(String, Vec<(String, String)>)> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut out = Vec::new();
    let mut depth: i32 = 0;
    let mut max_depth = 0;
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                let attrs = e
                    .attributes()
                    .map(|a| {
                        let a = a.expect("valid attribute");
                        (
                            String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .expect("valid escape")
                                .into_owned(),
                        )
                    })
                    .collect();
                out.push((name, attrs));
                depth += 1;
                max_depth = max_depth.max(depth);
            }
            Event::End(_) => depth -= 1,
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(max_depth >= 3, "testsuites > testsuite > testcase");
    out
}

fn attr<'a>(attrs: &'a [(String, String)], k: &str) -> Option<&'a str> {
    attrs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
}

#[test]
fn junit_golden_and_valid_xml() {
    let r = fixture();
    let xml = report::junit::render(&r, report::Lang::En);
    golden("report.junit.xml", &xml);
    let elems = parse_xml(&xml);
    let root = &elems[0];
    assert_eq!(root.0, "testsuites");
    assert_eq!(attr(&root.1, "tests"), Some("6"));
    assert_eq!(attr(&root.1, "failures"), Some("1"));
    assert_eq!(attr(&root.1, "errors"), Some("1"));
    let cases: Vec<_> = elems.iter().filter(|e| e.0 == "testcase").collect();
    assert_eq!(cases.len(), r.results.len(), "one test case per result");
    let failure = elems
        .iter()
        .find(|e| e.0 == "failure")
        .expect("a failure element");
    assert_eq!(
        attr(&failure.1, "message"),
        Some("no answer from 198.18.0.11:1688 within 1s: filtered | \"dropped\"")
    );
    assert!(
        elems.iter().any(|e| e.0 == "flakyFailure"),
        "flaky attempts are kept"
    );
    assert!(elems.iter().any(|e| e.0 == "skipped"));
    let suites: Vec<_> = elems
        .iter()
        .filter(|e| e.0 == "testsuite")
        .map(|e| attr(&e.1, "name").unwrap().to_string())
        .collect();
    assert_eq!(
        suites,
        [
            "corp.test",
            "kms1.corp.test:1688",
            "kms2.corp.test:1688",
            "kms3.corp.test:1688",
            "general"
        ]
    );
}

#[test]
fn markdown_golden() {
    let md = report::markdown::render(&fixture(), report::Lang::En);
    golden("report.md", &md);
    // The verdict's own words, and the FAIL/ERROR results the answer alone does not show.
    assert!(
        md.contains("**Verdict: WORKS WITH RISK, with FAIL/ERROR results to fix**"),
        "{md}"
    );
    assert!(!md.contains("READY"), "{md}");
    // The pipe in the message is escaped, so the table keeps 6 columns.
    let row = md
        .lines()
        .find(|l| l.starts_with("| **FAIL** | tcp.port"))
        .expect("result row");
    assert!(row.contains("filtered \\| \"dropped\""), "{row}");
    assert_eq!(row.matches(" | ").count(), 5, "{row}");
}

/// promtool from Debian's `prometheus` package: the real parser and linter. A test that needs
/// it is `#[ignore]`d (shown as ignored by a plain `cargo test`) and fails here when it is run
/// without it.
fn promtool(test: &str) -> PathBuf {
    ["/usr/bin/promtool", "/usr/local/bin/promtool"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| {
            panic!(
                "{test}: promtool is missing: install Debian's prometheus package \
                 (apt-get install prometheus; scripts/test-all.sh does)"
            )
        })
}

#[test]
fn prometheus_golden() {
    let text = report::prometheus::render(&fixture());
    golden("report.prom", &text);
    assert!(text.contains(
        "kms_preflight_check_status{check=\"tcp.port\",kind=\"tcp\",target=\"kms2.corp.test:1688\",address=\"198.18.0.11\",source=\"\",status=\"fail\"} 1"
    ));
    assert!(text.contains("kms_preflight_clock_offset_seconds{check=\"clock.kms-host\""));
    assert!(text.contains("} -1.5\n"));
}

#[test]
#[ignore = "needs promtool (Debian package prometheus): run with --include-ignored"]
fn promtool_accepts_the_prometheus_exposition() {
    let tool = promtool("promtool_accepts_the_prometheus_exposition");
    let text = report::prometheus::render(&fixture());
    let mut child = Command::new(&tool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run promtool");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool rejected the exposition:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // promtool must also reject a broken exposition, or this test proves nothing.
    let mut child = Command::new(&tool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"kms_preflight_ready{status=\"unterminated} 1\n")
        .unwrap();
    assert!(!child.wait().unwrap().success());
}
