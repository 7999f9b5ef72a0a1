//! The clock check as a user runs it, on loopback only (no root): `--ntp` parsing, rule
//! validation, and the SNTP and HTTP paths against tiny in-process peers with known answers.

use std::io::{Read, Write};
use std::net::{TcpListener, UdpSocket};
use std::process::{Command, Output};
use std::time::Duration;

fn kp(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kms-preflight"))
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run kms-preflight")
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

fn clock_result(rep: &serde_json::Value, id: &str) -> serde_json::Value {
    rep["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no {id}: {rep:#}"))
        .clone()
}

#[test]
fn bad_ntp_arguments_exit_2() {
    for (ntp, needle) in [("kms:99999", "invalid port"), ("bad host!", "--ntp")] {
        let o = kp(&["check", "--host", "127.0.0.1", "--ntp", ntp]);
        assert_eq!(o.status.code(), Some(2), "{ntp}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("--ntp") && err.contains(needle), "{err}");
    }
}

#[test]
fn clock_rules_list_and_validate() {
    let o = kp(&["rules", "list"]);
    let text = String::from_utf8_lossy(&o.stdout);
    for id in ["clock.kms-host", "clock.reference"] {
        assert!(text.lines().any(|l| l.starts_with(id)), "{text}");
    }
    let o = kp(&[
        "rules",
        "validate",
        "testdata/rules/broken/clock-method.yaml",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("clock-method.yaml:5:20: unknown clock method 'sntp'"),
        "{err}"
    );
    let o = kp(&["rules", "validate", "tests/fixtures/clock-strict.yaml"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// One-rule file for the loopback runs: only the methods and ports under test.
fn rules_file(name: &str, body: &str) -> std::path::PathBuf {
    let p = std::env::temp_dir().join(format!("kp-cli-clock-{}-{name}.yaml", std::process::id()));
    std::fs::write(&p, format!("version: 1\nchecks:\n{body}")).unwrap();
    p
}

#[test]
fn kiss_of_death_and_refused_ntp_are_reasons_not_verdicts() {
    // A peer that answers every request with a RATE Kiss-o'-Death echoing the nonce.
    let kod = UdpSocket::bind("127.0.0.1:0").unwrap();
    kod.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let kod_port = kod.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut buf = [0u8; 512];
        for _ in 0..8 {
            let Ok((n, from)) = kod.recv_from(&mut buf) else {
                return;
            };
            if n < 48 {
                continue;
            }
            let mut reply = [0u8; 48];
            reply[0] = 0xE4; // LI 3, VN 4, mode 4
            reply[12..16].copy_from_slice(b"RATE");
            reply[24..32].copy_from_slice(&buf[40..48]);
            let _ = kod.send_to(&reply, from);
        }
    });
    // A closed UDP port: the kernel answers ICMP port unreachable.
    let closed_port = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let clock = |id: &str, port: u16| {
        format!(
            "  - id: {id}\n    kind: clock\n    scope: once\n    server: 127.0.0.1\n    methods: [ntp]\n    ports: {{ ntp: {port} }}\n"
        )
    };
    let rules = rules_file(
        "kod",
        &(clock("t.kod", kod_port) + &clock("t.closed", closed_port)),
    );
    let o = kp(&[
        "check",
        "--no-builtin",
        "--rules",
        rules.to_str().unwrap(),
        "--host",
        "127.0.0.1",
        "--format",
        "json",
        "--timeout",
        "1s",
    ]);
    let _ = std::fs::remove_file(&rules);
    let rep = json(&o);
    let r = clock_result(&rep, "t.kod");
    assert_eq!(r["status"], "skip", "{r:#}");
    let tried = &r["evidence"]["tried"][0];
    assert_eq!(tried["result"], "kiss-of-death", "{r:#}");
    assert_eq!(tried["samples_sent"], 1, "a KoD stops sampling: {r:#}");
    assert!(tried["why"][0].as_str().unwrap().contains("RATE"), "{r:#}");
    let r = clock_result(&rep, "t.closed");
    assert_eq!(r["status"], "skip", "{r:#}");
    assert_eq!(r["evidence"]["tried"][0]["result"], "refused", "{r:#}");
    assert_eq!(o.status.code(), Some(0), "skips alone do not fail the run");
}

#[test]
fn http_date_from_a_loopback_server() {
    // Answers HEAD with a Date 2 hours and 30 seconds before "now" as the test computes it.
    let ln = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = ln.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in ln.incoming().take(8) {
            let Ok(mut s) = s else { continue };
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf);
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs();
            let date = imf_fixdate(now - 2 * 3600 - 30);
            let _ = s.write_all(
                format!("HTTP/1.1 404 Not Found\r\nDate: {date}\r\nContent-Length: 0\r\n\r\n")
                    .as_bytes(),
            );
        }
    });
    let rules = rules_file(
        "http",
        &format!(
            "  - id: t.http\n    kind: clock\n    scope: once\n    server: 127.0.0.1\n    methods: [http]\n    ports: {{ http: {port} }}\n    samples: 2\n"
        ),
    );
    let o = kp(&[
        "check",
        "--no-builtin",
        "--rules",
        rules.to_str().unwrap(),
        "--host",
        "127.0.0.1",
        "--format",
        "json",
        "--timeout",
        "2s",
    ]);
    let _ = std::fs::remove_file(&rules);
    let rep = json(&o);
    let r = clock_result(&rep, "t.http");
    assert_eq!(r["status"], "warn", "{r:#}");
    assert_eq!(r["evidence"]["method"], "http");
    assert_eq!(r["evidence"]["http_status"], 404);
    let off = r["evidence"]["offset_ms"].as_f64().unwrap();
    let expect = -(2.0 * 3600.0 + 30.0) * 1000.0;
    assert!((off - expect).abs() <= 2000.0, "offset {off}: {r:#}");
    // 2 h 0 m 30 s is within a minute of 2 whole hours.
    assert_eq!(r["evidence"]["tz_hint_hours"], -2, "{r:#}");
    assert!(r["evidence"]["uncertainty_ms"].as_f64().unwrap() >= 500.0);
}

/// IMF-fixdate for Unix seconds (test-only formatter, the inverse of the parser under test).
fn imf_fixdate(secs: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // civil_from_days (H. Hinnant)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        DAYS[(days % 7) as usize],
        d,
        MONTHS[(m - 1) as usize],
        y,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}
