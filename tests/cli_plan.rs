//! `check --plan` and `sweep --plan` as a user runs them: what they print, that they need no
//! network (the DNS server given is a closed loopback port, never asked), and their errors.
//! tests/lab_plan.rs checks the plan against a real run's packets.

use std::process::{Command, Output};

fn kp(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kms-preflight"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("LANG", "C")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("KMS_PREFLIGHT_LANG")
        .output()
        .expect("run kms-preflight")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const BASE: [&str; 7] = [
    "check",
    "--plan",
    "--domain",
    "corp.example",
    "--dns",
    "127.0.0.1:9",
    "--host=kms1.corp.example",
];

#[test]
fn check_plan_lists_each_flow_once_with_the_checks_that_send_it() {
    let started = std::time::Instant::now();
    let o = kp(&BASE);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    // Nothing is asked: a run against port 9 would wait for its timeouts.
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    let t = stdout(&o);
    let lines: Vec<&str> = t.lines().collect();
    assert_eq!(
        lines[0],
        "Traffic plan: every probe this run would send (nothing has been sent)"
    );
    assert_eq!(lines[1], "From: the address the OS chooses");
    assert_eq!(
        lines[2],
        "KMS hosts: kms1.corp.example:1688 and every SRV target of _vlmcs._tcp.corp.example, found when the run asks DNS"
    );
    let row = |proto: &str, dest: &str, port: &str| -> String {
        lines
            .iter()
            .find(|l| {
                let c: Vec<&str> = l
                    .split("  ")
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .collect();
                c.len() >= 3 && c[0] == proto && c[1] == dest && c[2] == port
            })
            .unwrap_or_else(|| panic!("no {proto} {dest} {port} row:\n{t}"))
            .to_string()
    };
    let dns = row("udp", "127.0.0.1", "9");
    assert!(
        dns.contains("always") && dns.contains("srv.present") && dns.contains("resolve.host"),
        "{dns}"
    );
    assert!(row("tcp", "127.0.0.1", "9").contains("sometimes"), "{t}");
    let kms = row(
        "tcp",
        "each address of each KMS host",
        "1688 or the SRV record's port",
    );
    for id in ["tcp.port", "kms.rpc-bind", "srv.stale", "intercept.tcp"] {
        assert!(kms.contains(id), "{id}: {kms}");
    }
    assert!(row("tcp", "each address of each KMS host", "1").contains("intercept.tcp"));
    assert!(row("tcp", "each address of each KMS host", "445").contains("clock.kms-host"));
    assert!(row("udp", "each address of each KMS host", "123").contains("clock.kms-host"));
    assert!(row("icmp", "each address of each KMS host", "-").contains("icmp.echo"));
    // Without --ntp the reference clock is asked nothing; without --activation-probe no
    // activation request is planned.
    assert!(
        !t.contains("clock.reference") && !t.contains("activation"),
        "{t}"
    );
    // Columns line up (display width; all ASCII here).
    let header = lines.iter().position(|l| l.starts_with("PROTO")).unwrap();
    let col = lines[header].find("DESTINATION").unwrap();
    for l in &lines[header + 1..] {
        assert_eq!(&l[col - 2..col], "  ", "{l}");
    }
}

#[test]
fn plan_follows_the_options_skip_ntp_activation_and_sources() {
    let mut a = BASE.to_vec();
    a.extend([
        "--skip",
        "intercept.tcp",
        "--ntp",
        "192.0.2.123",
        "--source",
        "127.0.0.1",
    ]);
    let o = kp(&a);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let t = stdout(&o);
    assert!(!t.contains("intercept.tcp"), "{t}");
    assert!(t.lines().any(|l| l.starts_with("SOURCE")), "{t}");
    assert!(
        t.lines().any(|l| l.contains("192.0.2.123")
            && l.contains(" 123 ")
            && l.contains("clock.reference")),
        "{t}"
    );
    // --skip of a check others require takes them out too.
    let mut a = BASE.to_vec();
    a.extend(["--skip", "resolve.host"]);
    let t = stdout(&kp(&a));
    for gone in ["tcp.port", "kms.rpc-bind", "icmp.echo", "clock.kms-host"] {
        assert!(!t.contains(gone), "{gone}:\n{t}");
    }
    // The opt-in probe is planned only when asked for, and says what it costs.
    let mut a = BASE.to_vec();
    a.extend(["--activation-probe", "--verbose"]);
    let t = stdout(&kp(&a));
    let line = t.lines().find(|l| l.contains("kms.activation")).expect(&t);
    assert!(
        line.contains("REAL KMS activation request")
            && line.contains("leave out --activation-probe"),
        "{line}"
    );
}

#[test]
fn plan_json_and_markdown() {
    let mut a = BASE.to_vec();
    a.extend(["--format", "json"]);
    let o = kp(&a);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["schema"], "kms-preflight.plan.v1");
    let probes = v["probes"].as_array().unwrap();
    let p = probes
        .iter()
        .find(|p| p["check"] == "kms.rpc-bind")
        .expect("rpc probe");
    assert_eq!(p["transport"], "tcp");
    assert_eq!(p["destination"]["type"], "kms-hosts");
    assert_eq!(p["port"], 1688);
    assert_eq!(p["port_from_srv"], true);
    assert_eq!(p["what"]["message_id"], "plan-rpc-bind");
    assert!(p["what"]["message"].as_str().unwrap().contains("read-only"));
    assert_eq!(p["turn_off"]["message"], "--skip kms.rpc-bind");
    assert!(v["flows"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["port"] == 445 && f["always"] == true));

    let mut a = BASE.to_vec();
    a.extend(["--format", "markdown"]);
    let t = stdout(&kp(&a));
    assert!(t.starts_with("## Traffic plan"), "{t}");
    assert!(
        t.contains("| PROTO | DESTINATION | PORT | WHEN | SENT BY |"),
        "{t}"
    );
    assert!(t.contains("### Every probe, by check"), "{t}");
}

#[test]
fn plan_errors_exit_2() {
    let mut a = BASE.to_vec();
    a.extend(["--skip", "no.such-check"]);
    let o = kp(&a);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("--skip no.such-check: no check of this run has that id"),
        "{e}"
    );
    let mut a = BASE.to_vec();
    a.extend(["--format", "junit"]);
    let o = kp(&a);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not junit"));
}

#[test]
fn sweep_plan_lists_ranges_ports_and_dns() {
    let o = kp(&[
        "sweep",
        "10.1.2.0/24",
        "--port",
        "1688",
        "--port",
        "1689",
        "--dns",
        "127.0.0.1:9",
        "--domain",
        "corp.example",
        "--plan",
    ]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let t = stdout(&o);
    assert!(
        t.lines().any(|l| l.starts_with("tcp")
            && l.contains("every address in 10.1.2.0/24")
            && l.contains("1689")),
        "{t}"
    );
    assert!(
        t.lines()
            .any(|l| l.starts_with("udp") && l.contains("127.0.0.1") && l.contains(" 9 ")),
        "{t}"
    );
    let o = kp(&["sweep", "10.1.2.0/24", "--no-dns", "--plan"]);
    assert!(!stdout(&o).contains("udp"), "{}", stdout(&o));
}
