//! The CLI as a user runs it: output, JSON and exit codes. Loopback only; no root needed.

use std::net::TcpListener;
use std::process::{Command, Output};

fn kp(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kms-preflight"))
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run kms-preflight")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn rules_list_shows_every_builtin_check() {
    let o = kp(&["rules", "list"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.starts_with("ID"), "{text}");
    for id in ["srv.present", "resolve.host", "tcp.port"] {
        assert!(
            text.lines().any(|l| l.starts_with(id)),
            "{id} missing:\n{text}"
        );
    }
    assert!(text.contains("each-domain") && text.contains("each-host"));
}

#[test]
fn rules_list_with_user_file_shows_replacement() {
    let o = kp(&[
        "rules",
        "list",
        "--rules",
        "testdata/rules/valid/custom.yaml",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    let srv = text.lines().find(|l| l.starts_with("srv.present")).unwrap();
    assert!(
        srv.contains("KMS SRV record (site zone)")
            && srv.contains("testdata/rules/valid/custom.yaml"),
        "{srv}"
    );
    assert!(text.lines().any(|l| l.starts_with("tcp.alt-port")));
}

#[test]
fn rules_validate_reports_locations_and_exit_2() {
    let o = kp(&[
        "rules",
        "validate",
        "testdata/rules/broken/unknown-key.yaml",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o).trim(),
        "testdata/rules/broken/unknown-key.yaml:6:5: unknown field `prot`, expected one of id, kind, title, scope, severity, explains, remediation, timeout, requires, retries, retry_delay, port, hold, expect"
    );
    let o = kp(&["rules", "validate", "testdata/rules/valid"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("ok: 2 check(s)"));
    let o = kp(&["rules", "validate", "testdata/rules/does-not-exist.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("does-not-exist.yaml: cannot read"));
}

#[test]
fn check_with_broken_rules_exits_2_before_probing() {
    let o = kp(&[
        "check",
        "--domain",
        "corp.test",
        "--dns",
        "127.0.0.1:9",
        "--rules",
        "testdata/rules/broken/bad-duration.yaml",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("bad-duration.yaml:5:14: invalid duration"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).is_empty());
}

#[test]
fn bad_arguments_exit_2_with_clear_messages() {
    for (args, needle) in [
        (vec!["check", "--host", "kms:99999"], "invalid port"),
        (vec!["check", "--host", "[fd00::1"], "missing ']'"),
        (
            vec!["check", "--dns", "dns.example", "--domain", "x.test"],
            "expected an IP address",
        ),
        (
            vec![
                "check",
                "--domain",
                "x.test",
                "--dns",
                "127.0.0.1",
                "--timeout",
                "fast",
            ],
            "--timeout: invalid duration",
        ),
        (
            vec![
                "check",
                "--domain",
                "x.test",
                "--dns",
                "127.0.0.1",
                "--var",
                "novalue",
            ],
            "expected KEY=VALUE",
        ),
        (
            vec![
                "check",
                "--domain",
                "x.test",
                "--dns",
                "127.0.0.1",
                "--concurrency",
                "0",
            ],
            "at least 1",
        ),
        (vec!["check", "--format", "xml"], "invalid value 'xml'"),
        (
            vec![
                "check",
                "--no-builtin",
                "--domain",
                "x.test",
                "--dns",
                "127.0.0.1",
            ],
            "no rules",
        ),
    ] {
        let o = kp(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn json_report_against_a_loopback_listener() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // A port that was just free: nothing listens there (refused).
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let o = kp(&[
        "check",
        "--host",
        &format!("127.0.0.1:{port}"),
        "--host",
        &format!("127.0.0.1:{closed}"),
        "--no-builtin",
        "--rules",
        "tests/fixtures/hosts-only.yaml",
        "--format",
        "json",
    ]);
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&o)));
    assert_eq!(o.status.code(), Some(1), "one host refuses");
    assert_eq!(v["schema"], "kms-preflight/report/v1");
    let tcp: Vec<&serde_json::Value> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["id"] == "tcp.port")
        .collect();
    assert_eq!(tcp.len(), 2);
    let ok = tcp
        .iter()
        .find(|r| r["target"] == format!("127.0.0.1:{port}"))
        .unwrap();
    assert_eq!(ok["status"], "pass");
    assert_eq!(ok["address"], "127.0.0.1");
    assert!(ok["source"].is_null());
    assert!(ok["remediation"].is_null());
    assert_eq!(ok["error_codes"], serde_json::json!([]));
    let refused = tcp
        .iter()
        .find(|r| r["target"] == format!("127.0.0.1:{closed}"))
        .unwrap();
    assert_eq!(refused["status"], "fail");
    assert_eq!(refused["evidence"]["result"], "refused");
    assert_eq!(
        refused["error_codes"],
        serde_json::json!(["0xC004F074", "0x800706BA"])
    );
    assert_eq!(v["summary"]["pass"], 3);
    assert_eq!(v["summary"]["fail"], 1);
    drop(listener);
}

#[test]
fn table_is_plain_when_not_a_terminal() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let o = Command::new(env!("CARGO_BIN_EXE_kms-preflight"))
        .args([
            "check",
            "--host",
            &format!("127.0.0.1:{port}"),
            "--no-builtin",
            "--rules",
            "tests/fixtures/hosts-only.yaml",
            // The assertion below is about the full listing of every result.
            "--verbose",
        ])
        .env_remove("NO_COLOR")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        !text.contains('\u{1b}'),
        "colour codes in piped output:\n{text}"
    );
    assert!(text.contains(&format!("127.0.0.1:{port}")));
    assert!(text.contains("PASS   tcp.port"), "{text}");
    // The summary line speaks the verdict's words, never a second vocabulary.
    assert!(
        text.trim_end()
            .lines()
            .last()
            .is_some_and(|l| l.ends_with(" error in 0.00 s — WORKS") || l.ends_with(" s — WORKS")),
        "{text}"
    );
    assert!(!text.contains("READY"), "{text}");
}

#[test]
fn default_table_is_concise_and_verbose_lists_every_result() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let run = |extra: &[&str]| {
        let open = format!("127.0.0.1:{port}");
        let shut = format!("127.0.0.1:{closed}");
        let mut args = vec![
            "check",
            "--host",
            open.as_str(),
            "--host",
            shut.as_str(),
            "--no-builtin",
            "--rules",
            "tests/fixtures/hosts-only.yaml",
        ];
        args.extend_from_slice(extra);
        let o = Command::new(env!("CARGO_BIN_EXE_kms-preflight"))
            .args(&args)
            .env("NO_COLOR", "1")
            .env("COLUMNS", "100")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        (o.status.code(), stdout(&o))
    };
    let (code, text) = run(&[]);
    assert_eq!(code, Some(1), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    // The verdict first: one host answers, the other refuses; clients fail over.
    assert!(
        lines[2].starts_with("WORKS WITH RISK — 50 % of first attempts reach 127.0.0.1"),
        "{text}"
    );
    assert!(text.contains("fixes, by clients unblocked:"), "{text}");
    // One line for the one result that is not a pass, passes summarized, no evidence lines.
    assert!(
        text.contains(&format!("FAIL   tcp.port  127.0.0.1:{closed}")),
        "{text}"
    );
    assert!(!text.contains("PASS   tcp.port"), "{text}");
    assert!(
        text.contains(&format!(
            "3 passed: 127.0.0.1:{port} 2; 127.0.0.1:{closed} 1"
        )),
        "{text}"
    );
    assert!(!text.contains("predicts:"), "{text}");
    for l in &lines {
        assert!(
            l.chars().count() <= 100,
            "{} chars: {l}\n{text}",
            l.chars().count()
        );
    }
    assert!(
        text.contains("— WORKS WITH RISK (see the verdict)"),
        "{text}"
    );
    assert!(!text.contains("READY"), "{text}");
    // --verbose: every result with its codes and remediation.
    let (_, full) = run(&["--verbose"]);
    assert!(full.contains("PASS   tcp.port"), "{full}");
    assert!(full.contains("FAIL   tcp.port"), "{full}");
    assert!(full.contains("predicts: 0xC004F074, 0x800706BA"), "{full}");
    assert!(
        full.starts_with(&lines[..3].join("\n")),
        "same verdict block: {full}"
    );
    drop(listener);
}

/// The opt-in activation probe says what it does wherever it is offered, and its options are
/// typed: products come from the catalog (completion lists them), a CMID must be a UUID, and
/// both need --activation-probe.
#[test]
fn activation_probe_is_documented_and_typed() {
    for args in [
        &["check", "--help"][..],
        &["diagnose", "--help"],
        &["--help"],
    ] {
        let text = stdout(&kp(args));
        assert!(
            text.contains("REAL activation request")
                && text.contains("client count for 30 days")
                && text.contains("Without this flag no activation request is ever sent")
                    | text.contains(
                        "without --activation-probe no KMS activation request is ever sent"
                    ),
            "{args:?}:\n{text}"
        );
    }
    let man = stdout(&kp(&["man"]));
    assert!(man.contains("REAL activation request"), "{man}");
    let bash = stdout(&kp(&["completions", "bash"]));
    for slug in [
        "windows-11-enterprise",
        "windows-server-2022-standard",
        "office-ltsc-2021-proplus",
    ] {
        assert!(bash.contains(slug), "completion lacks {slug}");
    }
    let o = kp(&[
        "check",
        "--host",
        "127.0.0.1",
        "--activation-probe",
        "--product",
        "windows-95",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("windows-95"), "{}", stderr(&o));
    let o = kp(&[
        "check",
        "--host",
        "127.0.0.1",
        "--activation-probe",
        "--cmid",
        "not-a-uuid",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a UUID"), "{}", stderr(&o));
    let o = kp(&[
        "check",
        "--host",
        "127.0.0.1",
        "--cmid",
        "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--activation-probe"), "{}", stderr(&o));
    // explain names the opt-in probe among the deciding checks.
    let text = stdout(&kp(&["explain", "0xC004F042"]));
    assert!(
        text.contains("kms.activation") && text.contains("[opt-in: --activation-probe]"),
        "{text}"
    );
}

/// No DNS server answers at all (nothing listens on the loopback port given): discovery fails
/// for want of DNS, and neither the check nor the verdict tells the engineer to publish a
/// record.
#[test]
fn discovery_without_any_dns_answer_blames_dns_not_the_records() {
    let closed = {
        let l = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let dns = format!("127.0.0.1:{closed}");
    let o = kp(&[
        "check",
        "--domain",
        "corp.test",
        "--dns",
        &dns,
        "--timeout",
        "500ms",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let disc = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "srv.discovery")
        .expect("srv.discovery");
    assert_eq!(disc["status"], "fail", "{disc:#}");
    assert_eq!(disc["evidence"]["dns_answered"], false, "{disc:#}");
    let msg = disc["message"].as_str().unwrap();
    assert!(
        msg.starts_with("no DNS server answered for any suffix"),
        "{msg}"
    );
    let fix = disc["remediation"].as_str().unwrap();
    assert!(fix.contains(&dns), "{fix}");
    assert!(!fix.contains("DnsDomainPublishList"), "{fix}");
    let verdict = serde_json::to_string(&v["verdict"]).unwrap();
    assert!(
        verdict.contains("no DNS server answers the client's SRV queries"),
        "{verdict}"
    );
    assert!(
        verdict.contains("make the client's DNS servers answer it"),
        "{verdict}"
    );
}

/// `rules validate` checks what the loaders accept: the shipped directory, profiles in its
/// subdirectory included, passes; a broken file deep in a directory is found at its place.
#[test]
fn rules_validate_recurses_and_accepts_the_shipped_profiles() {
    let o = kp(&["rules", "validate", "rules"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("(3 of the files are profiles)"),
        "{}",
        stdout(&o)
    );
    let mut args = vec!["rules", "validate"];
    let profiles: Vec<String> = std::fs::read_dir("rules/profiles")
        .unwrap()
        .map(|e| {
            format!(
                "rules/profiles/{}",
                e.unwrap().file_name().to_string_lossy()
            )
        })
        .collect();
    args.extend(profiles.iter().map(String::as_str));
    let o = kp(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    let dir = std::env::temp_dir().join(format!("kp-validate-tree-{}", std::process::id()));
    let sub = dir.join("site/branch");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::copy("testdata/rules/valid/custom.yaml", dir.join("custom.yaml")).unwrap();
    std::fs::copy(
        "testdata/rules/broken/unknown-key.yaml",
        sub.join("unknown-key.yaml"),
    )
    .unwrap();
    let o = kp(&["rules", "validate", dir.to_str().unwrap()]);
    let err = stderr(&o);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("site/branch/unknown-key.yaml:6:5: unknown field `prot`"),
        "{err}"
    );
}

/// `serve --activation-probe` is refused: every interval would send real requests, so only
/// the explicit flag enables the probe there.
#[test]
fn serve_refuses_the_plain_activation_probe_flag() {
    let o = kp(&["serve", "--activation-probe", "--domain", "corp.test"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--activation-probe-every-interval"),
        "{}",
        stderr(&o)
    );
    let o = kp(&["serve", "--help"]);
    let help = stdout(&o);
    assert!(help.contains("--activation-probe-every-interval"), "{help}");
    assert!(
        !help.lines().any(|l| l.trim() == "--activation-probe"),
        "{help}"
    );
}

/// `--fail-on warn` turns a warning into exit 1 (default: exit 0), and `-q` prints the
/// verdict line only, the same line the table opens with.
#[test]
fn fail_on_warn_gates_and_quiet_prints_the_verdict_line_only() {
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let host = format!("127.0.0.1:{closed}");
    let base = [
        "check",
        "--host",
        host.as_str(),
        "--no-builtin",
        "--rules",
        "tests/fixtures/hosts-warn-only.yaml",
    ];
    let run = |extra: &[&str]| kp(&[&base[..], extra].concat());
    let full = run(&[]);
    assert_eq!(
        full.status.code(),
        Some(0),
        "a warning alone: {}",
        stdout(&full)
    );
    let table = stdout(&full);
    assert!(table.contains("WARN   tcp.port"), "{table}");
    let o = run(&["--fail-on", "warn"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let o = run(&["--fail-on", "fail"]);
    assert_eq!(o.status.code(), Some(0));

    let q = run(&["-q", "--fail-on", "warn"]);
    assert_eq!(q.status.code(), Some(1));
    let line = stdout(&q);
    assert_eq!(line.lines().count(), 1, "{line}");
    let verdict = table
        .lines()
        .find(|l| !l.is_empty() && !l.starts_with("kms-preflight"))
        .unwrap();
    assert!(line.starts_with(verdict.trim_end()), "{line} vs {verdict}");
    // -q is for the table: with another format it is a usage error.
    let o = run(&["-q", "--format", "json"]);
    assert_eq!(o.status.code(), Some(2));
}

/// `man COMMAND` prints that command's page, with EXAMPLES and EXIT STATUS; `--help` has
/// both too; an unknown command is exit 2.
#[test]
fn man_prints_any_page_with_examples_and_exit_status() {
    for (args, title) in [
        (&["man"][..], "kms-preflight"),
        (&["man", "check"][..], "kms-preflight-check"),
        (
            &["man", "rules", "validate"][..],
            "kms-preflight-rules-validate",
        ),
        (
            &["man", "rules-validate"][..],
            "kms-preflight-rules-validate",
        ),
        (&["man", "sweep"][..], "kms-preflight-sweep"),
    ] {
        let o = kp(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        let page = stdout(&o);
        assert!(
            page.contains(&format!(".TH {title} 1 ")),
            "{args:?}: {page}"
        );
        assert!(page.contains(".SH \"EXAMPLES\""), "{args:?}: {page}");
        assert!(page.contains(".SH \"EXIT STATUS\""), "{args:?}: {page}");
    }
    let page = stdout(&kp(&["man", "explain"]));
    assert!(page.contains("the code is not in the catalog"), "{page}");
    let o = kp(&["man", "no-such-command"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("rules validate"), "{}", stderr(&o));
    for cmd in ["check", "serve", "sweep", "explain", "diff", "rules"] {
        let help = stdout(&kp(&[cmd, "--help"]));
        assert!(
            help.contains("EXAMPLES:") && help.contains("EXIT STATUS:"),
            "{cmd}: {help}"
        );
    }
}

/// Every check ends at its timeout (docs/timeouts.md): against a listener that accepts and
/// never speaks, the RPC binds retried like a client (at 0, 1/3 and 2/3 of the timeout) share
/// the one timeout, and no result's duration exceeds its timeout by more than noise.
#[test]
fn a_silent_listener_costs_one_timeout_per_check() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = std::thread::spawn(move || {
        let mut conns = Vec::new();
        for c in listener.incoming().take(3) {
            conns.push(c);
        }
        std::thread::sleep(std::time::Duration::from_secs(3));
    });
    let started = std::time::Instant::now();
    let o = kp(&[
        "check",
        "--host",
        &format!("127.0.0.1:{port}"),
        "--no-builtin",
        "--rules",
        "tests/fixtures/hosts-rpc.yaml",
        "--timeout",
        "1s",
        "--format",
        "json",
    ]);
    let wall = started.elapsed().as_millis() as f64;
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&o)));
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    for r in v["results"].as_array().unwrap() {
        let d = r["duration_ms"].as_f64().unwrap();
        assert!(d <= 1000.0 * 1.05 + 60.0, "{d} ms: {r:#}");
    }
    let rpc = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "kms.rpc-bind")
        .unwrap();
    assert_eq!(rpc["status"], "fail", "{rpc:#}");
    assert_eq!(rpc["evidence"]["result"], "silent", "{rpc:#}");
    assert_eq!(rpc["evidence"]["bind_attempts"], 3, "{rpc:#}");
    assert!(
        rpc["message"]
            .as_str()
            .unwrap()
            .contains("none of 3 RPC binds"),
        "{rpc:#}"
    );
    // tcp (handshake + 200 ms hold) then kms-rpc (one timeout): the chain, not 5/3 × it.
    assert!(wall < 2000.0, "{wall} ms");
    held.join().unwrap();
}
