//! `serve` in the lab: the exporter runs in a client namespace against real BIND, the project's
//! KMS responder and an nftables-dropped host, and is read by real consumers: Prometheus
//! (scraping it, evaluating the shipped alerting rules, answering its HTTP API), headless
//! Chromium (the status page) and curl (hostile requests). Everything runs inside the
//! namespaces the lab creates; every process is stopped when the lab drops.

mod lab;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use lab::{curl_in, output_within, require_root, wait_for, Lab};
use serde_json::Value;

const CORP_ZONE: &str = "$TTL 300
@            SOA ns.corp.test. admin.corp.test. 1 3600 600 86400 60
@            NS  ns
ns           A   198.18.0.2
_vlmcs._tcp  SRV 0 100 1688 kms1
_vlmcs._tcp  SRV 10 0 1688 kms-dropped
kms1         A    198.18.0.10
kms1         AAAA fd00:18::10
kms-dropped  A    198.18.0.12
";

// A domain whose only KMS host is kms1: its audits are quick while kms1 answers.
const SOLO_ZONE: &str = "$TTL 300
@            SOA ns.solo.test. admin.solo.test. 1 3600 600 86400 60
@            NS  ns.corp.test.
_vlmcs._tcp  SRV 0 100 1688 kms1.corp.test.
";

const LISTEN: &str = "198.18.0.1:9688";
const BASE: &str = "http://198.18.0.1:9688";

struct Topo {
    lab: Lab,
    client: String,
    server: String,
}

/// client 198.18.0.1 ↔ server: BIND on .2, the KMS responder on kms1 (.10 and fd00:18::10),
/// kms-dropped (.12) silently dropped, and a recording listener on .99 that no configuration
/// names (its packets are counted by nftables too).
fn build(tag: &str) -> Topo {
    let mut lab = Lab::new(tag);
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
        "198.18.0.12/24",
        "198.18.0.99/24",
        "fd00:18::10/64",
    ] {
        lab.addr(&server, &srv_if, a);
    }
    lab.nft(
        &server,
        "table inet lab {
           counter forbidden { }
           chain input {
             type filter hook input priority 0; policy accept;
             ip daddr 198.18.0.99 counter name \"forbidden\"
             ip daddr 198.18.0.12 drop
           }
         }",
    );
    lab.bind(
        &server,
        "198.18.0.2",
        &[("corp.test", CORP_ZONE), ("solo.test", SOLO_ZONE)],
    );
    lab.responder(&server, "kms", &["198.18.0.10:1688", "[fd00:18::10]:1688"]);
    lab.responder(
        &server,
        "record",
        &[
            "198.18.0.99:1688",
            "198.18.0.99:53",
            "198.18.0.99:80",
            "198.18.0.99:445",
        ],
    );
    Topo {
        lab,
        client,
        server,
    }
}

/// Starts `serve` in the client namespace; returns its pid. Its stderr is the lab log "serve".
fn start_serve(t: &mut Topo, label: &str, args: &[&str]) -> u32 {
    let mut full = vec!["serve", "--listen", LISTEN];
    full.extend_from_slice(args);
    let bin = lab::kms_preflight_bin();
    let client = t.client.clone();
    let pid = t.lab.spawn(&client, label, &bin, &full).id();
    t.lab
        .wait_listening(&t.client, "tcp", "198.18.0.1", 9688, label);
    pid
}

fn wait_healthy(t: &Topo, label: &str) {
    wait_for(Duration::from_secs(30), "serve /healthz 200", || {
        let (code, body) = curl_in(&t.client, &format!("{BASE}/healthz"), &[]);
        if code == 200 {
            Ok(())
        } else {
            Err(format!("{code} {body}; log:\n{}", t.lab.log(label)))
        }
    });
}

fn report(t: &Topo) -> Value {
    let (code, body) = curl_in(&t.client, &format!("{BASE}/report.json"), &[]);
    assert_eq!(code, 200, "{body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

/// The nftables counter of packets to the address nothing may contact.
fn forbidden_packets(t: &Topo) -> u64 {
    let out = lab::must(
        "ip",
        &[
            "netns",
            "exec",
            &t.server,
            "nft",
            "list",
            "counter",
            "inet",
            "lab",
            "forbidden",
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let after = text
        .split("packets ")
        .nth(1)
        .unwrap_or_else(|| panic!("no packet count in {text}"));
    after
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("bad packet count in {text}"))
}

/// Connections the recording listener logged.
fn recorded(t: &Topo) -> Vec<String> {
    let dir = &t.lab.dir;
    let mut lines = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with("responder-record") && name.ends_with(".log") {
            let text = std::fs::read_to_string(e.path()).unwrap_or_default();
            lines.extend(
                text.lines()
                    .filter(|l| l.contains("record: connection"))
                    .map(str::to_string),
            );
        }
    }
    lines
}

/// An instant query against Prometheus' HTTP API; returns `data.result`.
fn prom_query(t: &Topo, query: &str) -> Vec<Value> {
    let (code, body) = curl_in(
        &t.client,
        "http://127.0.0.1:9090/api/v1/query",
        &["-G", "--data-urlencode", &format!("query={query}")],
    );
    if code != 200 {
        return Vec::new();
    }
    let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    v["data"]["result"].as_array().cloned().unwrap_or_default()
}

fn sample(v: &Value) -> &str {
    v["value"][1].as_str().unwrap_or("")
}

/// The shipped Prometheus configuration with 1 s intervals and the example targets replaced
/// by the lab's exporter (site `lab`); panics when the file no longer has what is replaced.
fn shipped_config_for_lab(shipped: &str) -> String {
    let mut text = shipped.to_string();
    for (from, to) in [
        ("scrape_interval: 1m", "scrape_interval: 1s"),
        ("scrape_timeout: 10s", "scrape_timeout: 1s"),
        ("evaluation_interval: 1m", "evaluation_interval: 1s"),
    ] {
        assert!(
            text.contains(from),
            "deploy/prometheus/prometheus.yml has no {from:?}"
        );
        text = text.replacen(from, to, 1);
    }
    // The example sites' targets are names of another network: only the lab's stays.
    let start = text
        .find("    static_configs:\n")
        .expect("deploy/prometheus/prometheus.yml: no static_configs");
    let end = text[start..]
        .find("\n    #")
        .map(|i| start + i + 1)
        .unwrap_or(text.len());
    text.replace_range(
        start..end,
        &format!("    static_configs:\n      - targets: ['{LISTEN}']\n        labels:\n          site: lab\n"),
    );
    assert!(text.contains("job_name: kms-preflight") && text.contains("honor_labels: true"));
    assert!(text.contains("- alerts.yml"));
    assert!(!text.contains("corp.example:9688"), "{text}");
    text
}

#[test]
#[ignore = "needs root: run scripts/test-all.sh (as root), which includes ignored tests"]
fn real_prometheus_scrapes_serve_and_sees_the_dropped_and_the_healthy_host() {
    require_root("real_prometheus_scrapes_serve_and_sees_the_dropped_and_the_healthy_host");
    let mut t = build("sp");
    start_serve(
        &mut t,
        "serve",
        &[
            "--domain",
            "corp.test",
            "--dns",
            "198.18.0.2",
            "--timeout",
            "1s",
            "--deadline",
            "20s",
            "--interval",
            "5s",
            "--label",
            "site=lab",
        ],
    );
    // Prometheus from Debian, with its own storage, on the client namespace's loopback, run on
    // the shipped deploy/prometheus/prometheus.yml and alerts.yml: only the intervals are
    // shortened and the example sites replaced by this lab's exporter.
    let pdir = t.lab.dir.join("prometheus");
    std::fs::create_dir_all(pdir.join("data")).unwrap();
    let deploy = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/prometheus");
    std::fs::copy(deploy.join("alerts.yml"), pdir.join("alerts.yml"))
        .expect("copy deploy/prometheus/alerts.yml");
    let config = shipped_config_for_lab(
        &std::fs::read_to_string(deploy.join("prometheus.yml"))
            .expect("deploy/prometheus/prometheus.yml"),
    );
    let config_path = pdir.join("prometheus.yml");
    std::fs::write(&config_path, config).unwrap();
    let client = t.client.clone();
    t.lab.spawn(
        &client,
        "prometheus",
        Path::new("/usr/bin/prometheus"),
        &[
            &format!("--config.file={}", config_path.display()),
            &format!("--storage.tsdb.path={}", pdir.join("data").display()),
            "--web.listen-address=127.0.0.1:9090",
            "--storage.tsdb.retention.time=1h",
        ],
    );
    t.lab
        .wait_listening(&t.client, "tcp", "127.0.0.1", 9090, "prometheus");

    let dropped = r#"kms_preflight_check_status{job="kms-preflight",site="lab",check="tcp.port",target="kms-dropped.corp.test:1688",status="fail"}"#;
    let healthy = r#"kms_preflight_check_status{job="kms-preflight",site="lab",check="tcp.port",target="kms1.corp.test:1688",status="pass"}"#;
    let found = wait_for(
        Duration::from_secs(60),
        "Prometheus has the dropped host's tcp.port fail series",
        || {
            let r = prom_query(&t, dropped);
            if r.len() == 1 && sample(&r[0]) == "1" {
                Ok(r)
            } else {
                Err(format!(
                    "{r:?}; serve log:\n{}\nprometheus log:\n{}",
                    t.lab.log("serve"),
                    t.lab.log("prometheus")
                ))
            }
        },
    );
    assert_eq!(found[0]["metric"]["address"], "198.18.0.12", "{found:?}");
    assert_eq!(found[0]["metric"]["kind"], "tcp");
    // The healthy host passes on every resolved address, each its own series.
    let pass = prom_query(&t, healthy);
    let mut addrs: Vec<&str> = pass
        .iter()
        .inspect(|s| assert_eq!(sample(s), "1", "{s}"))
        .map(|s| s["metric"]["address"].as_str().unwrap())
        .collect();
    addrs.sort();
    assert_eq!(addrs, ["198.18.0.10", "fd00:18::10"], "{pass:?}");
    // The other states of the same results are 0.
    let fail_of_healthy = prom_query(
        &t,
        r#"kms_preflight_check_status{check="tcp.port",target="kms1.corp.test:1688",status="fail"}"#,
    );
    assert!(
        fail_of_healthy.iter().all(|s| sample(s) == "0"),
        "{fail_of_healthy:?}"
    );
    for q in [
        r#"up{job="kms-preflight",site="lab"}"#,
        r#"kms_preflight_audit_success{site="lab"}"#,
        r#"kms_preflight_build_info{site="lab",schema="kms-preflight/report/v1"}"#,
    ] {
        let r = prom_query(&t, q);
        assert!(r.len() == 1 && sample(&r[0]) == "1", "{q}: {r:?}");
    }
    let ts = prom_query(&t, "time() - kms_preflight_last_audit_timestamp_seconds");
    let age: f64 = sample(&ts[0]).parse().unwrap();
    assert!((0.0..60.0).contains(&age), "last audit {age} s ago");

    // The shipped rules see the dropped host: KMSHostUnreachable is pending (its for: is
    // 15m), and KMSNoReachableHost is not, since kms1 passes.
    let pending = wait_for(
        Duration::from_secs(20),
        "KMSHostUnreachable pending for kms-dropped",
        || {
            let r = prom_query(
                &t,
                r#"ALERTS{alertname="KMSHostUnreachable",alertstate="pending"}"#,
            );
            if r.is_empty() {
                Err("no pending alert".into())
            } else {
                Ok(r)
            }
        },
    );
    assert_eq!(pending.len(), 1, "{pending:?}");
    assert_eq!(pending[0]["metric"]["target"], "kms-dropped.corp.test:1688");
    assert_eq!(pending[0]["metric"]["site"], "lab");
    assert_eq!(pending[0]["metric"]["severity"], "warning");
    assert!(
        prom_query(&t, r#"ALERTS{alertname="KMSNoReachableHost"}"#).is_empty(),
        "a site with a reachable host raises no KMSNoReachableHost"
    );
    // One line per audit on stderr, with its summary.
    let log = t.lab.log("serve");
    assert!(
        log.lines().any(|l| l.contains("audit 1 done in")
            && l.contains(": WORKS WITH RISK, ")
            && l.contains(" fail")),
        "{log}"
    );
}

#[test]
#[ignore = "needs root: run scripts/test-all.sh (as root), which includes ignored tests"]
fn no_request_makes_serve_contact_a_host_outside_its_configuration() {
    require_root("no_request_makes_serve_contact_a_host_outside_its_configuration");
    let mut t = build("sx");
    start_serve(
        &mut t,
        "serve",
        &[
            "--domain",
            "solo.test",
            "--dns",
            "198.18.0.2",
            "--timeout",
            "1s",
            "--interval",
            "2s",
            "--deadline",
            "10s",
        ],
    );
    wait_healthy(&t, "serve");
    let forbidden = "198.18.0.99";
    let cases: Vec<(String, Vec<String>, u16)> = vec![
        // blackbox_exporter's open-proxy endpoint, and friends.
        (
            format!("{BASE}/probe?target={forbidden}:1688&module=tcp"),
            vec![],
            404,
        ),
        (
            format!("{BASE}/probe?target=kms.{forbidden}.nip.io"),
            vec![],
            404,
        ),
        (format!("{BASE}/probe"), vec![], 404),
        (
            format!("{BASE}/metrics/probe?target={forbidden}"),
            vec![],
            404,
        ),
        (format!("{BASE}/api/v1/targets"), vec![], 404),
        (
            format!("{BASE}/../probe?target={forbidden}"),
            vec!["--path-as-is".into()],
            404,
        ),
        // Known paths ignore their query string: same answers as without one.
        (
            format!("{BASE}/metrics?target={forbidden}:1688"),
            vec![],
            200,
        ),
        (
            format!("{BASE}/report.json?host={forbidden}&dns={forbidden}"),
            vec![],
            200,
        ),
        (format!("{BASE}/?target={forbidden}"), vec![], 200),
        (format!("{BASE}/healthz?target={forbidden}"), vec![], 200),
        // A body is never read; other methods are refused.
        (
            format!("{BASE}/metrics"),
            vec![
                "-X".into(),
                "POST".into(),
                "--data".into(),
                format!("target={forbidden}"),
            ],
            405,
        ),
        (
            format!("{BASE}/metrics"),
            vec![
                "-X".into(),
                "GET".into(),
                "--data".into(),
                format!("target={forbidden}"),
            ],
            413,
        ),
        // Proxy-form requests are answered locally, never forwarded.
        (
            format!("http://{forbidden}:1688/metrics"),
            vec!["--proxy".into(), BASE.into()],
            200,
        ),
        (
            format!("http://{forbidden}:80/probe?target={forbidden}"),
            vec!["--proxy".into(), BASE.into()],
            404,
        ),
    ];
    for (url, extra, want) in &cases {
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let (code, body) = curl_in(&t.client, url, &extra);
        assert_eq!(code, *want, "{url} {extra:?}: {body}");
        if url.contains("/metrics") && *want == 200 {
            assert!(!body.contains(forbidden), "{body}");
        }
    }
    // CONNECT (a tunnel) is not a path: 404, and nothing is opened.
    let (code, _) = curl_in(
        &t.client,
        &format!("http://{forbidden}:1688/"),
        &["--proxytunnel", "--proxy", BASE],
    );
    assert_ne!(code, 200);
    // Let two more audits run, then nothing may have reached the forbidden address.
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(
        recorded(&t),
        Vec::<String>::new(),
        "the recording listener saw connections"
    );
    assert_eq!(forbidden_packets(&t), 0, "packets reached {forbidden}");
    let rep = report(&t);
    assert!(
        !serde_json::to_string(&rep).unwrap().contains(forbidden),
        "the report names {forbidden}"
    );
    // Control: the recorder and the counter do see a run that names that address.
    let out = t.lab.kms_preflight(
        &t.client,
        &[
            "check",
            "--host",
            forbidden,
            "--dns",
            "198.18.0.2",
            "--timeout",
            "1s",
            "--format",
            "json",
        ],
    );
    assert!(!out.stdout.is_empty());
    assert!(!recorded(&t).is_empty(), "the recording listener works");
    assert!(forbidden_packets(&t) > 0, "the counter works");
}

#[test]
#[ignore = "needs root: run scripts/test-all.sh (as root), which includes ignored tests"]
fn headless_chromium_renders_the_host_list_and_the_failing_hosts_fix() {
    require_root("headless_chromium_renders_the_host_list_and_the_failing_hosts_fix");
    let mut t = build("sc");
    start_serve(
        &mut t,
        "serve",
        &[
            "--domain",
            "corp.test",
            "--dns",
            "198.18.0.2",
            "--timeout",
            "1s",
            "--deadline",
            "20s",
            "--interval",
            "30s",
            "--label",
            "site=osaka",
        ],
    );
    wait_healthy(&t, "serve");
    let rep = report(&t);
    let failing = rep["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["id"] == "tcp.port"
                && r["target"] == "kms-dropped.corp.test:1688"
                && r["status"] == "fail"
        })
        .unwrap_or_else(|| panic!("no tcp.port fail for kms-dropped: {rep}"));
    let fix = failing["remediation"].as_str().expect("a remediation");
    let profile = t.lab.dir.join("chromium-profile");
    std::fs::create_dir_all(&profile).unwrap();
    let mut cmd = Command::new("ip");
    cmd.args(["netns", "exec", &t.client, "/usr/bin/chromium"])
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--dump-dom", &format!("{BASE}/")])
        .env("HOME", &profile);
    let out = output_within(cmd, Duration::from_secs(90), "chromium --dump-dom");
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains("<table id=\"hosts\">"),
        "no host table; chromium stderr:\n{}\nDOM:\n{dom}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        dom.contains("<title>kms-preflight site=osaka: WORKS WITH RISK</title>"),
        "{dom}"
    );
    // Every host, with its verdict.
    for (host, status) in [
        ("kms1.corp.test:1688", "pass"),
        ("kms-dropped.corp.test:1688", "fail"),
    ] {
        let row = dom
            .split("<tr class=\"host\">")
            .find(|r| r.contains(&format!("<code>{host}</code>")))
            .unwrap_or_else(|| panic!("{host} is not in the host list:\n{dom}"));
        assert!(
            row.contains(&format!("<span class=\"status {status}\">{status}</span>")),
            "{host}: {row}"
        );
    }
    // The failing host's fix, as the browser parsed it (text escaped as in the DOM).
    let dom_text = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let problem = dom
        .split("<div class=\"problem\">")
        .find(|p| p.contains("<code>tcp.port</code>") && p.contains("kms-dropped.corp.test:1688"))
        .unwrap_or_else(|| panic!("no tcp.port problem for kms-dropped:\n{dom}"));
    assert!(
        problem.contains(&dom_text(fix)),
        "the fix is not on the page:\n{fix}\n---\n{problem}"
    );
    assert!(!dom.contains("<script"), "no JavaScript on the page");
}

#[test]
#[ignore = "needs root: run scripts/test-all.sh (as root), which includes ignored tests"]
fn failed_audit_keeps_the_previous_report_and_signals_stop_serve_within_a_second() {
    require_root("failed_audit_keeps_the_previous_report_and_signals_stop_serve_within_a_second");
    let mut t = build("sf");
    let pid = start_serve(
        &mut t,
        "serve",
        &[
            "--domain",
            "solo.test",
            "--dns",
            "198.18.0.2",
            "--timeout",
            "4s",
            "--deadline",
            "2500ms",
            "--interval",
            "3s",
            "--label",
            "site=lab",
        ],
    );
    wait_healthy(&t, "serve");
    let before = report(&t);
    let pass = |rep: &Value| {
        rep["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == "tcp.port" && r["status"] == "pass")
    };
    assert!(pass(&before), "{before}");
    // kms1 goes silent: the next audits wait out their 4 s timeouts, past the 2.5 s deadline.
    t.lab.nft(
        &t.server,
        "table inet silence {
           chain input {
             type filter hook input priority -10; policy accept;
             ip daddr 198.18.0.10 drop
             ip6 daddr fd00:18::10 drop
           }
         }",
    );
    let metrics = wait_for(Duration::from_secs(20), "an audit fails", || {
        let (_, m) = curl_in(&t.client, &format!("{BASE}/metrics"), &[]);
        if m.contains("kms_preflight_audit_success{site=\"lab\"} 0\n") {
            Ok(m)
        } else {
            Err(t.lab.log("serve"))
        }
    });
    // The previous report is still served, and its results are still exposed.
    let after = report(&t);
    assert_eq!(
        after["started_at"], before["started_at"],
        "the report was replaced"
    );
    assert!(pass(&after));
    assert!(metrics.contains(
        "kms_preflight_check_status{site=\"lab\",check=\"tcp.port\",kind=\"tcp\",target=\"kms1.corp.test:1688\",address=\"198.18.0.10\",source=\"\",status=\"pass\"} 1"
    ), "{metrics}");
    let log = t.lab.log("serve");
    assert!(
        log.lines().any(|l| l.contains("FAILED after")
            && l.contains("ran out of --deadline 2s 500ms")
            && l.contains("serving the report of audit")),
        "{log}"
    );
    // No audit has finished for more than 2 × interval: /healthz says so.
    wait_for(Duration::from_secs(15), "/healthz 503", || {
        let (code, body) = curl_in(&t.client, &format!("{BASE}/healthz"), &[]);
        if code == 503 && body.contains("more than 2 x interval") {
            Ok(())
        } else {
            Err(format!("{code} {body}"))
        }
    });
    // SIGTERM while an audit waits on the silent host: stopped within a second.
    let took = stop_with(pid, "TERM");
    assert!(took < Duration::from_secs(1), "SIGTERM took {took:?}");
    assert!(t.lab.log("serve").contains("SIGTERM: stopped"));
    // SIGINT during the first audit of a new instance (it waits on the silent host too).
    let pid = start_serve(
        &mut t,
        "serve2",
        &[
            "--domain",
            "solo.test",
            "--dns",
            "198.18.0.2",
            "--timeout",
            "3s",
            "--deadline",
            "2s",
        ],
    );
    std::thread::sleep(Duration::from_millis(300));
    let took = stop_with(pid, "INT");
    assert!(took < Duration::from_secs(1), "SIGINT took {took:?}");
    let log = t.lab.log("serve2");
    assert!(
        log.contains("SIGINT: stopped") && !log.contains("audit 1 done"),
        "{log}"
    );
}

/// Sends SIGTERM/SIGINT and waits (bounded) until the process is gone.
fn stop_with(pid: u32, sig: &str) -> Duration {
    let started = Instant::now();
    lab::must("kill", &[&format!("-{sig}"), &pid.to_string()]);
    while Path::new(&format!("/proc/{pid}/stat")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .unwrap_or_default()
            .contains(") Z ")
    {
        if started.elapsed() > Duration::from_secs(5) {
            panic!("pid {pid} still running 5 s after SIG{sig}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    started.elapsed()
}
