//! Clock lab: real chronyd, Samba smbd and an HTTP server in a namespace, each with its clock
//! shifted by libfaketime, and kms-preflight run from a client namespace. Every measured offset
//! must be within ±2 s of the injected shift, with the right verdict, method and time-zone hint.
//!
//! | address      | server                  | shift   | expected                                  |
//! |--------------|-------------------------|---------|-------------------------------------------|
//! | 198.18.0.10  | chronyd (+ fd00:18::10) | +5 h    | fail, ntp, hint 5 h; by name: v4 and v6   |
//! | 198.18.0.11  | chronyd                 | +3 min  | pass (warn with warn_above: 1m), no hint  |
//! | 198.18.0.12  | chronyd                 | none    | pass; also the --ntp reference            |
//! | 198.18.0.13  | smbd only               | −3 h    | warn, smb2 (ntp refused first), hint −3 h |
//! | 198.18.0.14  | python3 http.server     | +90 min | warn, http (ntp, smb2 refused), no hint   |
//! | 198.18.0.15  | nothing; UDP 123 dropped| —       | skip naming ntp timeout, smb2/http refused|

mod lab;

use lab::{
    assert_table_summary, processes_mentioning, require_root, result, results, table_row, Lab,
};
use serde_json::Value;

const CORP_ZONE: &str = "$TTL 300
@          SOA ns.corp.test. admin.corp.test. 1 3600 600 86400 60
@          NS  ns
ns         A    198.18.0.2
kms-5h     A    198.18.0.10
kms-5h     AAAA fd00:18::10
kms-smb    A    198.18.0.13
";

const HOUR_MS: f64 = 3_600_000.0;
const MIN_MS: f64 = 60_000.0;

struct Topo {
    lab: Lab,
    client: String,
}

fn build() -> Topo {
    let mut lab = Lab::new("clk");
    let client = lab.netns("client");
    let server = lab.netns("server");
    let (_, srv_if) = lab.veth(
        &client,
        &["198.18.0.1/24", "fd00:18::1/64"],
        &server,
        &["198.18.0.2/24", "fd00:18::2/64"],
    );
    for a in [
        "198.18.0.10/24",
        "198.18.0.11/24",
        "198.18.0.12/24",
        "198.18.0.13/24",
        "198.18.0.14/24",
        "198.18.0.15/24",
        "198.18.0.16/24",
        "fd00:18::10/64",
    ] {
        lab.addr(&server, &srv_if, a);
    }
    // .15 is silent on NTP (dropped: timeout) and refuses TCP (nothing listens: RST).
    lab.nft(
        &server,
        "table inet lab {
           chain input {
             type filter hook input priority 0; policy accept;
             ip daddr 198.18.0.15 udp dport 123 drop
             ip daddr 198.18.0.16 udp dport 123 drop
           }
         }",
    );
    lab.chrony(&server, &["198.18.0.10", "fd00:18::10"], "+5h");
    lab.chrony(&server, &["198.18.0.11"], "+3m");
    lab.chrony(&server, &["198.18.0.12"], "+0");
    lab.smbd(&server, "198.18.0.13", "-3h");
    // .16: NTP silently dropped (a Windows firewall's default), SMB2 answers.
    lab.smbd(&server, "198.18.0.16", "-3h");
    lab.http_server(&server, "198.18.0.14", 80, "+90m");
    // Names for the KMS hosts; no search domain, so no SRV discovery: only --host targets.
    lab.bind(&server, "198.18.0.2", &[("corp.test", CORP_ZONE)]);
    lab.resolv_conf(&client, "nameserver 198.18.0.2\n");
    Topo { lab, client }
}

fn num(r: &Value, key: &str) -> f64 {
    r["evidence"][key]
        .as_f64()
        .unwrap_or_else(|| panic!("evidence {key} missing: {r:#}"))
}

fn assert_offset(r: &Value, expect_ms: f64) {
    let off = num(r, "offset_ms");
    assert!(
        (off - expect_ms).abs() <= 2000.0,
        "offset {off} ms is not within ±2 s of {expect_ms} ms: {r:#}"
    );
}

fn tried(r: &Value) -> Vec<(String, String)> {
    r["evidence"]["tried"]
        .as_array()
        .unwrap_or_else(|| panic!("no tried list: {r:#}"))
        .iter()
        .map(|t| {
            (
                t["method"].as_str().unwrap().to_string(),
                t["result"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pair(a: &str, b: &str) -> (String, String) {
    (a.to_string(), b.to_string())
}

/// No clock result may pass (or warn, or fail) without a measurement behind it.
fn assert_verdicts_are_measured(rep: &Value) {
    for r in rep["results"].as_array().unwrap() {
        if r["kind"] != "clock" {
            continue;
        }
        if matches!(r["status"].as_str(), Some("pass" | "warn" | "fail")) {
            assert!(
                r["evidence"]["offset_ms"].is_number()
                    && r["evidence"]["method"].is_string()
                    && r["evidence"]["samples"].as_u64().unwrap_or(0) >= 1,
                "verdict without a measurement: {r:#}"
            );
        }
    }
}

#[test]
#[ignore = "needs root: run scripts/test-all.sh (as root), which includes ignored tests"]
fn clock_offsets_verdicts_and_hints_against_real_shifted_servers() {
    require_root("clock_offsets_verdicts_and_hints_against_real_shifted_servers");
    let t = build();
    let lab_dir = t.lab.dir.display().to_string();
    {
        let (lab, c) = (&t.lab, t.client.as_str());
        let hosts = [
            "198.18.0.10",
            "198.18.0.11",
            "198.18.0.12",
            "198.18.0.13",
            "198.18.0.14",
            "198.18.0.15",
            "198.18.0.16",
        ];
        let mut args: Vec<&str> = Vec::new();
        for h in &hosts {
            args.extend_from_slice(&["--host", h]);
        }
        args.extend_from_slice(&["--ntp", "198.18.0.12", "--timeout", "1s"]);
        let (code, rep) = lab.report(c, &args);
        assert_eq!(code, 1, "the +5 h host fails");
        assert_verdicts_are_measured(&rep);

        // +5 h over NTP: fail, KMS codes, time-zone hint.
        let r = result(&rep, "clock.kms-host", "198.18.0.10:1688", None);
        assert_eq!(r["status"], "fail", "{r:#}");
        assert_eq!(r["evidence"]["method"], "ntp");
        assert_offset(r, 5.0 * HOUR_MS);
        assert!(num(r, "uncertainty_ms") < 100.0, "{r:#}");
        assert_eq!(r["evidence"]["stratum"], 8);
        assert_eq!(r["evidence"]["tz_hint_hours"], 5);
        assert_eq!(r["evidence"]["samples"], 4);
        assert_eq!(
            r["error_codes"],
            serde_json::json!(["0xC004F06C", "0xC004F074"])
        );
        let msg = r["message"].as_str().unwrap();
        assert!(msg.contains("ahead of this machine"), "{msg}");
        assert!(msg.contains("5 whole hour(s)"), "{msg}");
        assert!(msg.contains("time zone"), "{msg}");
        let fix = r["remediation"].as_str().unwrap();
        assert!(
            fix.contains("w32tm /resync")
                && fix.contains("/syncfromflags:domhier")
                && fix.contains("w32tm /stripchart /computer:198.18.0.10 /samples:5")
                && fix.contains("timedatectl")
                && fix.contains("tzutil"),
            "{fix}"
        );

        // +3 min: within 5 min → pass, no hint.
        let r = result(&rep, "clock.kms-host", "198.18.0.11:1688", None);
        assert_eq!(r["status"], "pass", "{r:#}");
        assert_offset(r, 3.0 * MIN_MS);
        assert!(r["evidence"]["tz_hint_hours"].is_null());
        assert!(r["remediation"].is_null());

        // Exact clock.
        let r = result(&rep, "clock.kms-host", "198.18.0.12:1688", None);
        assert_eq!(r["status"], "pass", "{r:#}");
        assert_offset(r, 0.0);
        assert!(r["evidence"]["tz_hint_hours"].is_null());

        // SMB only, −3 h: NTP refused (ICMP port unreachable), SMB2 measured; warn + hint.
        let r = result(&rep, "clock.kms-host", "198.18.0.13:1688", None);
        assert_eq!(r["status"], "warn", "{r:#}");
        assert_eq!(r["evidence"]["method"], "smb2");
        assert_eq!(r["evidence"]["port"], 445);
        assert_offset(r, -3.0 * HOUR_MS);
        assert_eq!(r["evidence"]["tz_hint_hours"], -3);
        assert_eq!(r["evidence"]["dialect"], "SMB 3.0.2");
        assert_eq!(
            tried(r),
            vec![pair("ntp", "refused"), pair("smb2", "measured")]
        );
        let msg = r["message"].as_str().unwrap();
        assert!(msg.contains("behind this machine"), "{msg}");
        assert!(msg.contains("Kerberos"), "{msg}");
        assert!(msg.contains("3 whole hour(s)"), "{msg}");
        assert_eq!(r["error_codes"], serde_json::json!(["0x80090324"]));

        // HTTP only, +90 min: warn, no hint (not near a whole hour); 1 s resolution.
        let r = result(&rep, "clock.kms-host", "198.18.0.14:1688", None);
        assert_eq!(r["status"], "warn", "{r:#}");
        assert_eq!(r["evidence"]["method"], "http");
        assert_offset(r, 90.0 * MIN_MS);
        assert!(num(r, "uncertainty_ms") >= 500.0, "{r:#}");
        assert!(r["evidence"]["tz_hint_hours"].is_null());
        assert!(!r["message"].as_str().unwrap().contains("time zone"));
        assert_eq!(
            tried(r),
            vec![
                pair("ntp", "refused"),
                pair("smb2", "refused"),
                pair("http", "measured")
            ]
        );

        eprintln!("{}", serde_json::to_string_pretty(r).unwrap());

        // NTP silently dropped, SMB2 answers: the SMB2 reading is reported and the silent NTP
        // is given up one timeout (1 s) later instead of costing a timeout per sample.
        let r = result(&rep, "clock.kms-host", "198.18.0.16:1688", None);
        assert_eq!(r["status"], "warn", "{r:#}");
        assert_eq!(r["evidence"]["method"], "smb2");
        assert_offset(r, -3.0 * HOUR_MS);
        assert_eq!(
            tried(r),
            vec![pair("ntp", "timeout"), pair("smb2", "measured")]
        );
        let took = r["duration_ms"].as_u64().unwrap();
        assert!(
            took < 1900,
            "a silent NTP held the SMB2 reading for {took} ms"
        );

        // Nothing answers: skip naming every method and why — never pass.
        let r = result(&rep, "clock.kms-host", "198.18.0.15:1688", None);
        assert_eq!(r["status"], "skip", "{r:#}");
        assert_eq!(
            tried(r),
            vec![
                pair("ntp", "timeout"),
                pair("smb2", "refused"),
                pair("http", "refused")
            ]
        );
        let msg = r["message"].as_str().unwrap();
        for m in [
            "ntp/udp/123: timeout",
            "smb2/tcp/445: refused",
            "http/tcp/80: refused",
        ] {
            assert!(msg.contains(m), "{m} missing in {msg}");
        }
        assert!(r["evidence"]["offset_ms"].is_null());
        eprintln!("{}", serde_json::to_string_pretty(r).unwrap());

        // The reference (exact chronyd) passes.
        let refs = results(&rep, "clock.reference");
        assert_eq!(refs.len(), 1, "{refs:#?}");
        assert_eq!(refs[0]["status"], "pass", "{:#}", refs[0]);
        assert_eq!(refs[0]["address"], "198.18.0.12");
        assert_offset(refs[0], 0.0);

        // Table output for the docs (visible with --nocapture).
        let out = lab.kms_preflight(
            c,
            &[
                "check",
                "--host",
                "198.18.0.10",
                "--host",
                "198.18.0.13",
                "--host",
                "198.18.0.15",
                "--ntp",
                "198.18.0.12",
                "--timeout",
                "1s",
            ],
        );
        eprintln!("{}", String::from_utf8_lossy(&out.stdout));
    }
    drop(t);
    let left = processes_mentioning(&lab_dir);
    assert!(left.is_empty(), "lab servers left running: {left:#?}");
}

#[test]
#[ignore = "needs root: run scripts/test-all.sh (as root), which includes ignored tests"]
fn reference_clock_thresholds_and_missing_ntp_option() {
    require_root("reference_clock_thresholds_and_missing_ntp_option");
    let t = build();
    let lab_dir = t.lab.dir.display().to_string();
    {
        let (lab, c) = (&t.lab, t.client.as_str());

        // Reference 5 h ahead: this machine is off → fail with the hint.
        let (code, rep) = lab.report(
            c,
            &[
                "--host",
                "198.18.0.12",
                "--ntp",
                "198.18.0.10",
                "--timeout",
                "1s",
            ],
        );
        assert_eq!(code, 1);
        let r = &results(&rep, "clock.reference")[0];
        assert_eq!(r["status"], "fail", "{r:#}");
        assert_offset(r, 5.0 * HOUR_MS);
        assert_eq!(r["evidence"]["tz_hint_hours"], 5);
        assert!(r["message"]
            .as_str()
            .unwrap()
            .contains("reference clock 198.18.0.10"));
        assert!(r["remediation"]
            .as_str()
            .unwrap()
            .contains("This machine's clock is off against the reference 198.18.0.10"));

        // A reference that does not answer NTP: skip with the reason, never pass.
        let (_, rep) = lab.report(
            c,
            &[
                "--host",
                "198.18.0.12",
                "--ntp",
                "198.18.0.13",
                "--timeout",
                "1s",
            ],
        );
        let r = &results(&rep, "clock.reference")[0];
        assert_eq!(r["status"], "skip", "{r:#}");
        assert!(r["message"]
            .as_str()
            .unwrap()
            .contains("ntp/udp/123: refused"));

        // No --ntp: the reference check is skipped and says how to enable it.
        let (_, rep) = lab.report(c, &["--host", "198.18.0.12", "--timeout", "1s"]);
        let r = &results(&rep, "clock.reference")[0];
        assert_eq!(r["status"], "skip", "{r:#}");
        assert!(r["message"].as_str().unwrap().contains("--ntp"), "{r:#}");

        // KMS hosts by name: clock.kms-host probes every address resolve.host found (A and
        // AAAA), and the SMB-only host by name is read over SMB2.
        let (_, rep) = lab.report(
            c,
            &[
                "--host",
                "kms-5h.corp.test",
                "--host",
                "kms-smb.corp.test",
                "--timeout",
                "1s",
            ],
        );
        let v4 = result(
            &rep,
            "clock.kms-host",
            "kms-5h.corp.test:1688",
            Some("198.18.0.10"),
        );
        let v6 = result(
            &rep,
            "clock.kms-host",
            "kms-5h.corp.test:1688",
            Some("fd00:18::10"),
        );
        for r in [v4, v6] {
            assert_eq!(r["status"], "fail", "{r:#}");
            assert_eq!(r["evidence"]["method"], "ntp");
            assert_offset(r, 5.0 * HOUR_MS);
            assert!(r["message"]
                .as_str()
                .unwrap()
                .contains("KMS host kms-5h.corp.test"));
        }
        assert_eq!(v6["evidence"]["server"], "fd00:18::10");
        let r = result(&rep, "clock.kms-host", "kms-smb.corp.test:1688", None);
        assert_eq!(r["status"], "warn", "{r:#}");
        assert_eq!(r["evidence"]["method"], "smb2");
        assert_offset(r, -3.0 * HOUR_MS);
        assert!(r["remediation"]
            .as_str()
            .unwrap()
            .contains("/computer:kms-smb.corp.test"));

        // Thresholds come from the rules: with fail_above 2m, +3 min fails.
        let rules = lab.dir.join("strict-clock.yaml");
        std::fs::write(
            &rules,
            "version: 1
checks:
  - id: clock.kms-host
    kind: clock
    scope: each-host
    requires: [resolve.host]
    methods: [ntp]
    samples: 2
    expect: { warn_above: 1m, fail_above: 2m }
",
        )
        .unwrap();
        let (_, rep) = lab.report(
            c,
            &[
                "--host",
                "198.18.0.11",
                "--host",
                "198.18.0.12",
                "--rules",
                rules.to_str().unwrap(),
                "--timeout",
                "1s",
            ],
        );
        let r = result(&rep, "clock.kms-host", "198.18.0.11:1688", None);
        assert_eq!(r["status"], "fail", "+3 min > fail_above 2m: {r:#}");
        assert_offset(r, 3.0 * MIN_MS);
        assert_eq!(r["evidence"]["samples_sent"], 2);
        assert_eq!(r["evidence"]["fail_above_ms"], 120_000);
        let r = result(&rep, "clock.kms-host", "198.18.0.12:1688", None);
        assert_eq!(r["status"], "pass", "{r:#}");
        assert_verdicts_are_measured(&rep);
    }
    drop(t);
    let left = processes_mentioning(&lab_dir);
    assert!(left.is_empty(), "lab servers left running: {left:#?}");
}

/// The table of the docs' clock example (printed for docs/clock.md:
/// `cargo test --test lab_clock demo -- --ignored --nocapture`), and the lines that matter in it.
#[test]
#[ignore = "checks the docs' example; needs root: run scripts/test-all.sh (as root)"]
fn demo_output_for_docs() {
    require_root("demo_output_for_docs");
    let t = build();
    let args = [
        "check",
        "--host",
        "198.18.0.10",
        "--host",
        "198.18.0.13",
        "--host",
        "198.18.0.16",
        "--host",
        "198.18.0.15",
        "--ntp",
        "198.18.0.12",
        "--timeout",
        "1s",
        "--no-builtin",
        "--rules",
        "tests/fixtures/clock-demo.yaml",
    ];
    let out = t.lab.kms_preflight(&t.client, &args);
    let table = String::from_utf8_lossy(&out.stdout);
    println!("{table}");
    assert_eq!(
        out.status.code(),
        Some(1),
        "a failing check: exit 1\n{table}"
    );
    // The host 5 h ahead is the one clients are rejected by, with the client's code.
    let ahead = table_row(&table, "FAIL", "clock.kms-host", "198.18.0.10:1688");
    // The lab shifts clocks by whole hours; a reading may come out a millisecond short.
    let hours = |row: &str, h: u32| {
        row.contains(&format!("{h}h 0m")) || row.contains(&format!("{}h 59m", h - 1))
    };
    assert!(hours(ahead, 5) && ahead.contains("ahead"), "{ahead}");
    assert!(
        table
            .lines()
            .any(|l| l.contains("198.18.0.10:1688") && l.contains("0xC004F06C")),
        "the verdict names 0xC004F06C for 198.18.0.10:\n{table}"
    );
    // 3 h behind: within the 4 h a KMS host accepts, so a warning and no failure.
    for host in ["198.18.0.13:1688", "198.18.0.16:1688"] {
        let behind = table_row(&table, "WARN", "clock.kms-host", host);
        assert!(hours(behind, 3) && behind.contains("behind"), "{behind}");
    }
    // The host that gives no clock reading is skipped, never passed.
    let silent = table_row(&table, "SKIP", "clock.kms-host", "198.18.0.15:1688");
    assert!(silent.contains("no clock reading"), "{silent}");
    let (code, rep) = t.lab.report(&t.client, &args[1..]);
    assert_eq!(code, 1);
    assert_table_summary(&table, &rep);
}
