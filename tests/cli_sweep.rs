//! `sweep` as a user runs it, on loopback only (no root): every service class from a real
//! listener (the project's lab-responder), the size refusal, the formats, and `diff` on two
//! sweeps. The lab version with DNS (published / rogue / forbidden), nftables and Ctrl-C is
//! tests/lab_sweep.rs.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn kp(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kms-preflight"))
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run kms-preflight")
}

fn responder_bin() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_BIN_EXE_kms-preflight"))
        .parent()
        .unwrap()
        .join("examples/lab-responder");
    assert!(p.exists(), "{} not built: run `cargo test`", p.display());
    p
}

/// lab-responders, killed on drop.
struct Responders(Vec<Child>);

impl Responders {
    fn start(&mut self, mode: &str, listen: &str) {
        let mut child = Command::new(responder_bin())
            .args(["--mode", mode, "--listen", listen])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start lab-responder");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready", "{mode} on {listen}");
        self.0.push(child);
    }
}

impl Drop for Responders {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A /24 of loopback of this test process's own, and a port that is free on it.
fn block(tag: u8) -> (String, u16) {
    let third = (std::process::id() % 200) as u8 + tag;
    let prefix = format!("127.{}.{third}", 60 + tag);
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    (prefix, port)
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

/// The report validates against schema/report.v1.schema.json, like `check`'s.
fn assert_schema_valid(rep: &Value) {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/report.v1.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let v = jsonschema::draft202012::new(&schema).expect("report schema compiles");
    let errors: Vec<String> = v
        .iter_errors(rep)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

fn port_results(rep: &Value) -> Vec<&Value> {
    rep["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["id"] == "sweep.port")
        .collect()
}

fn at<'a>(rep: &'a Value, target: &str) -> &'a Value {
    let found: Vec<&Value> = port_results(rep)
        .into_iter()
        .filter(|r| r["target"] == target)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "{target}: {}",
        serde_json::to_string_pretty(rep).unwrap()
    );
    found[0]
}

fn summary(rep: &Value) -> &Value {
    rep["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "sweep.summary")
        .expect("sweep.summary")
}

#[test]
fn loopback_sweep_classifies_every_listener() {
    let (net, port) = block(0);
    let mut r = Responders(Vec::new());
    let ep = |host: u8| format!("{net}.{host}:{port}");
    r.start("kms", &ep(10));
    r.start("http", &ep(11));
    r.start("nak", &ep(12));
    r.start("rpc-other", &ep(13));
    r.start("silent", &ep(14));
    r.start("reset", &ep(15));
    let range = format!("{net}.0/24");
    let port_s = port.to_string();
    let args = [
        "sweep",
        &range,
        "--port",
        &port_s,
        "--no-dns",
        "--rate",
        "5000",
        "--timeout",
        "500ms",
    ];
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    let o = kp(&a);
    // Warnings (silent, reset) only: exit 0.
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let rep = json(&o);
    assert_eq!(rep["schema"], "kms-preflight/report/v1");
    assert_schema_valid(&rep);
    let expect = [
        (10, "kms", "pass", "accepted"),
        (11, "not-rpc", "pass", "not-rpc"),
        (12, "rpc-other", "pass", "bind-nak"),
        (13, "rpc-other", "pass", "rejected"),
        (14, "silent", "warn", "silent"),
        (15, "reset", "warn", "reset"),
    ];
    for (host, service, status, rpc) in expect {
        let res = at(&rep, &ep(host));
        assert_eq!(res["kind"], "sweep");
        assert_eq!(res["address"], format!("{net}.{host}"));
        assert_eq!(res["evidence"]["service"], service, "{res:#}");
        assert_eq!(res["status"], status, "{res:#}");
        // A reset can come before connect() returns (the handshake itself is reported reset)
        // or in answer to the bind: the same service either way.
        if rpc == "reset" {
            assert!(
                ["reset", "reset-after-connect"]
                    .contains(&res["evidence"]["rpc_result"].as_str().unwrap()),
                "{res:#}"
            );
        } else {
            assert_eq!(res["evidence"]["rpc_result"], rpc, "{res:#}");
        }
        // No DNS: no comparison, no PTR.
        assert!(res["evidence"]["published"].is_null(), "{res:#}");
        assert!(res["evidence"].get("ptr").is_none(), "{res:#}");
        assert!(
            res["evidence"]["rtt_ms"].is_number() || service == "reset",
            "{res:#}"
        );
    }
    assert_eq!(
        at(&rep, &ep(10))["evidence"]["negotiated_syntax"],
        "NDR32 v2.0"
    );
    assert!(at(&rep, &ep(11))["evidence"]["received"]
        .as_str()
        .unwrap()
        .starts_with("HTTP/1.1 400"));
    // Closed ports are counted, not listed.
    assert_eq!(port_results(&rep).len(), 6);
    let s = summary(&rep);
    assert_eq!(s["evidence"]["addresses"], 256);
    assert_eq!(s["evidence"]["probed"], 256);
    assert_eq!(s["evidence"]["open"], 6);
    assert_eq!(s["evidence"]["counts"]["closed"], 250);
    assert_eq!(s["evidence"]["counts"]["kms"], 1);
    assert_eq!(s["evidence"]["counts"]["rpc-other"], 2);
    assert_eq!(s["evidence"]["interrupted"], false);
    assert_eq!(s["evidence"]["rate_per_s"], 5000);
    // The report's targets are the open endpoints, so `diff` sees listeners come and go.
    assert_eq!(rep["targets"].as_array().unwrap().len(), 6);

    // --all lists the closed ones too.
    let mut a = args.to_vec();
    a.extend(["--format", "json", "--all"]);
    let rep = json(&kp(&a));
    assert_eq!(port_results(&rep).len(), 256);
    assert_eq!(at(&rep, &ep(200))["evidence"]["service"], "closed");

    // The table: one line per open port, the counts in the summary line.
    let o = kp(&args);
    let text = String::from_utf8_lossy(&o.stdout);
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(&format!(":{port}")))
        .collect();
    assert!(lines.len() >= 6, "{text}");
    for (host, service, _, _) in expect {
        assert!(
            text.lines()
                .any(|l| l.contains(&ep(host)) && l.contains(service)),
            "{host} {service}:\n{text}"
        );
    }
    assert!(text.contains("250 closed"), "{text}");
    assert!(!text.contains(&format!("{net}.200:{port}")), "{text}");

    // Markdown for a ticket.
    let mut a = args.to_vec();
    a.extend(["--format", "markdown"]);
    let md = String::from_utf8_lossy(&kp(&a).stdout).into_owned();
    assert!(
        md.starts_with(&format!("# KMS listener sweep: {range}")),
        "{md}"
    );
    assert!(md.contains("## KMS hosts found"), "{md}");
    assert!(md.contains(&format!("| PASS | {} | kms |", ep(10))), "{md}");
    assert!(md.contains("## Other listeners on the KMS port"), "{md}");
    assert!(md.contains("## Actions"), "{md}");

    // JUnit and Prometheus through the shared renderers.
    let mut a = args.to_vec();
    a.extend(["--format", "junit"]);
    let xml = String::from_utf8_lossy(&kp(&a).stdout).into_owned();
    assert!(xml.contains("sweep.port"), "{xml}");
    let mut a = args.to_vec();
    a.extend(["--format", "prometheus"]);
    let prom = String::from_utf8_lossy(&kp(&a).stdout).into_owned();
    assert!(prom.contains("check=\"sweep.port\""), "{prom}");
}

#[test]
fn diff_compares_two_sweeps() {
    let (net, port) = block(1);
    let ep = |host: u8| format!("{net}.{host}:{port}");
    let range = format!("{net}.0/28");
    let port_s = port.to_string();
    let run = || {
        let o = kp(&[
            "sweep", &range, "--port", &port_s, "--no-dns", "--rate", "5000", "--format", "json",
        ]);
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let dir = std::env::temp_dir().join(format!("kp-sweep-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (b, a) = (dir.join("before.json"), dir.join("after.json"));
    {
        let mut r = Responders(Vec::new());
        r.start("kms", &ep(2));
        r.start("http", &ep(3));
        std::fs::write(&b, run()).unwrap();
    }
    {
        let mut r = Responders(Vec::new());
        r.start("kms", &ep(2));
        // The HTTP server is gone; a silent listener appeared.
        r.start("silent", &ep(4));
        std::fs::write(&a, run()).unwrap();
    }
    let o = kp(&[
        "diff",
        b.to_str().unwrap(),
        a.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let d: Value = serde_json::from_slice(&o.stdout).unwrap();
    // A new warning (the silent listener) is a regression.
    assert_eq!(o.status.code(), Some(1), "{d:#}");
    let reg: Vec<&str> = d["regressions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["target"].as_str().unwrap())
        .collect();
    assert_eq!(reg, [ep(4).as_str()], "{d:#}");
    assert_eq!(d["hosts_added"], serde_json::json!([ep(4)]));
    assert_eq!(d["hosts_removed"], serde_json::json!([ep(3)]));
    let removed: Vec<&str> = d["removed_results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["target"].as_str().unwrap())
        .collect();
    assert_eq!(removed, [ep(3).as_str()], "{d:#}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_sweep_too_large_is_refused_before_any_probe() {
    let started = Instant::now();
    let o = kp(&["sweep", "127.0.0.0/15", "--no-dns"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("refusing to sweep 131072 addresses") && err.contains("--max-addresses"),
        "{err}"
    );
    assert!(o.stdout.is_empty());
    assert!(started.elapsed() < Duration::from_secs(5));
    // Overlapping ranges count once; the limit can be lowered too.
    let o = kp(&[
        "sweep",
        "127.0.0.0/24",
        "127.0.0.10-20",
        "--max-addresses",
        "255",
        "--no-dns",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("refusing to sweep 256 addresses"));
    // Bad values are usage errors too.
    for bad in [
        vec!["sweep", "10.1.2.1/24"],
        vec!["sweep", "127.0.0.1", "--rate", "0"],
        vec!["sweep", "127.0.0.1", "--rate", "1000000"],
        vec!["sweep", "127.0.0.1", "--port", "0"],
        vec!["sweep", "127.0.0.1", "--no-dns", "--dns", "127.0.0.1"],
    ] {
        let o = kp(&bad);
        assert_eq!(o.status.code(), Some(2), "{bad:?}");
    }
}
