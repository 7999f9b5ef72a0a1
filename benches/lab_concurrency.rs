//! Benchmarks of the default audit against a lab, printed as ratios (README, Benchmarks):
//! 1. one dropped host among five: wall / TCP timeout (target <= 1.2);
//! 2. a dead DNS server in the --dns list: wall / timeout (target <= 1.2);
//! 3. 40 published hosts against 3 on the same lab: wall ratio (target <= 1.3);
//! 4. 30 % loss both ways to one healthy host (nftables numgen): fails for that host over 10
//!    runs (target 0) and wall / timeout of each run (target <= 1.2);
//! 5. a branch office whose three published hosts are dropped by a firewall, an HTTP server
//!    and a silent listener on 1688, `--timeout 3s`: wall / timeout (target <= 1.1);
//! 6. two domains asked of two DNS servers, `--timeout 2s`: wall / timeout (target <= 1.1).
//!
//! Every scenario also prints its largest duration_ms / timeout of any result (the per-check
//! bound, target <= 1.05; the pack's own timeouts are at most the run's `--timeout` here).
//!
//! Run as root: `cargo build --examples && cargo bench --bench lab_concurrency`
//! (scripts/bench.sh does both). `BENCH_ONLY=dead,hosts,loss,dropped,branch,twodomains` picks
//! scenarios.

#[path = "../tests/lab/mod.rs"]
mod lab;

use std::fmt::Write as _;
use std::time::Instant;

const CORP_ZONE: &str = "$TTL 300
@            SOA ns.corp.test. admin.corp.test. 1 3600 600 86400 60
@            NS  ns
ns           A   198.18.0.2
_vlmcs._tcp  SRV 0 100 1688 kms1
_vlmcs._tcp  SRV 0 100 1688 kms2
_vlmcs._tcp  SRV 0 100 1688 kms3
_vlmcs._tcp  SRV 0 100 1688 kms4
_vlmcs._tcp  SRV 10 0 1688 kms-dropped
kms1         A   198.18.0.10
kms2         A   198.18.0.11
kms3         A   198.18.0.12
kms4         A   198.18.0.13
kms-dropped  A   198.18.0.20
";

/// Healthy kms1, kms2 and a lossy kms-lossy (30 % drop both ways).
const LOSSY_ZONE: &str = "$TTL 300
@            SOA ns.corp.test. admin.corp.test. 1 3600 600 86400 60
@            NS  ns.corp.test.
_vlmcs._tcp  SRV 0 100 1688 kms1.corp.test.
_vlmcs._tcp  SRV 0 100 1688 kms2.corp.test.
_vlmcs._tcp  SRV 0 100 1688 kms-lossy
kms-lossy    A   198.18.0.30
";

/// A branch office: a host a firewall drops, an HTTP server and a silent listener on 1688.
const BRANCH_ZONE: &str = "$TTL 300
@            SOA ns.branch.test. admin.branch.test. 1 3600 600 86400 60
@            NS  ns.branch.test.
ns           A   198.18.0.2
_vlmcs._tcp  SRV 0 100 1688 kms-dropped
_vlmcs._tcp  SRV 0 100 1688 kms-http
_vlmcs._tcp  SRV 0 100 1688 kms-silent
kms-dropped  A   198.18.0.20
kms-http     A   198.18.0.21
kms-silent   A   198.18.0.22
";

/// The second domain of the two-domain scenario: two healthy hosts of its own.
const SECOND_ZONE: &str = "$TTL 300
@            SOA ns.second.test. admin.second.test. 1 3600 600 86400 60
@            NS  ns.second.test.
ns           A   198.18.0.2
_vlmcs._tcp  SRV 0 100 1688 kms1
_vlmcs._tcp  SRV 0 100 1688 kms2
kms1         A   198.18.0.12
kms2         A   198.18.0.13
";

/// `n` published hosts h0..h{n-1} at 198.18.1.{100+i}.
fn hosts_zone(n: usize) -> String {
    let mut z = String::from(
        "$TTL 300\n@ SOA ns.corp.test. admin.corp.test. 1 3600 600 86400 60\n@ NS ns.corp.test.\n",
    );
    for i in 0..n {
        let _ = writeln!(z, "_vlmcs._tcp SRV 0 100 1688 h{i}");
        let _ = writeln!(z, "h{i} A 198.18.1.{}", 100 + i);
    }
    z
}

fn wanted(name: &str) -> bool {
    match std::env::var("BENCH_ONLY") {
        Ok(v) if !v.is_empty() => v.split(',').any(|s| s.trim() == name),
        _ => true,
    }
}

struct Run {
    wall: f64,
    report: serde_json::Value,
    code: Option<i32>,
}

impl Run {
    /// The largest duration_ms of any result, over `timeout_s`.
    fn worst_result(&self, timeout_s: f64) -> f64 {
        self.report["results"]
            .as_array()
            .map(|rs| {
                rs.iter()
                    .filter_map(|r| r["duration_ms"].as_u64())
                    .max()
                    .unwrap_or(0)
            })
            .unwrap_or(0) as f64
            / 1000.0
            / timeout_s
    }
}

/// The status of the first result `id` for `target`.
fn status_of(report: &serde_json::Value, id: &str, target: &str) -> Option<String> {
    report["results"]
        .as_array()?
        .iter()
        .find(|r| r["id"] == id && r["target"] == target)
        .and_then(|r| r["status"].as_str().map(str::to_string))
}

fn audit(lab: &lab::Lab, client: &str, args: &[&str]) -> Run {
    let mut full = vec!["check"];
    full.extend_from_slice(args);
    full.extend_from_slice(&["--format", "json"]);
    let t = Instant::now();
    let out = lab.kms_preflight(client, &full);
    let wall = t.elapsed().as_secs_f64();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not a JSON report ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    Run {
        wall,
        report,
        code: out.status.code(),
    }
}

fn stats(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (v[0], v[v.len() / 2], v[v.len() - 1])
}

fn main() {
    lab::require_root("lab_concurrency bench");
    let mut lab = lab::Lab::new("b");
    let client = lab.netns("client");
    let server = lab.netns("server");
    let (_, sif) = lab.veth(
        &client,
        &["198.18.0.1/24", "198.18.1.1/24"],
        &server,
        &["198.18.0.2/24", "198.18.1.2/24"],
    );
    let mut listen: Vec<String> = Vec::new();
    for a in ["3", "10", "11", "12", "13", "20", "21", "22", "30", "53"] {
        lab.addr(&server, &sif, &format!("198.18.0.{a}/24"));
        if !matches!(a, "3" | "20" | "21" | "22" | "53") {
            listen.push(format!("198.18.0.{a}:1688"));
        }
    }
    for i in 0..40 {
        lab.addr(&server, &sif, &format!("198.18.1.{}/24", 100 + i));
        listen.push(format!("198.18.1.{}:1688", 100 + i));
    }
    lab.nft(
        &server,
        "table inet b {
           chain input {
             type filter hook input priority 0; policy accept;
             ip daddr 198.18.0.20 tcp dport 1688 drop
             ip daddr 198.18.0.53 drop
             ip daddr 198.18.0.30 numgen random mod 100 < 30 drop
           }
           chain output {
             type filter hook output priority 0; policy accept;
             ip saddr 198.18.0.30 numgen random mod 100 < 30 drop
           }
         }",
    );
    // 40 hosts on one kernel: its ICMP error rate limit would make them look like one host.
    lab.no_icmp_ratelimit(&server);
    let three = hosts_zone(3);
    let forty = hosts_zone(40);
    lab.bind(
        &server,
        "198.18.0.2",
        &[
            ("corp.test", CORP_ZONE),
            ("lossy.test", LOSSY_ZONE),
            ("three.test", &three),
            ("forty.test", &forty),
            ("branch.test", BRANCH_ZONE),
            ("second.test", SECOND_ZONE),
        ],
    );
    // A second DNS server with the same zones, for the two-domain scenario.
    lab.bind(
        &server,
        "198.18.0.3",
        &[("three.test", &three), ("second.test", SECOND_ZONE)],
    );
    lab.http_server(&server, "198.18.0.21", 1688, "+0");
    lab.responder(&server, "silent", &["198.18.0.22:1688"]);
    let listen_refs: Vec<&str> = listen.iter().map(String::as_str).collect();
    // Answers the RPC bind, so only the dropped host waits for the timeout.
    lab.responder(&server, "kms", &listen_refs);

    let mut summary = Vec::new();
    // The largest duration_ms / timeout of any result, per scenario.
    let mut bounds: Vec<(String, f64)> = Vec::new();

    if wanted("dropped") {
        let timeout_s = 3.0;
        let runs = 5;
        let mut ratios = Vec::new();
        for _ in 0..runs {
            let r = audit(
                &lab,
                &client,
                &[
                    "--domain",
                    "corp.test",
                    "--dns",
                    "198.18.0.2",
                    "--timeout",
                    "3s",
                ],
            );
            assert_eq!(r.code, Some(1), "the dropped host must fail");
            ratios.push(r.wall / timeout_s);
            bounds.push(("dropped".into(), r.worst_result(timeout_s)));
            println!(
                "dropped: run {:.2} s; slowest: {}",
                r.wall,
                lab::slowest(&r.report, 3)
            );
        }
        let (min, med, max) = stats(ratios);
        summary.push(format!(
            "default audit, 5 hosts (1 dropped), tcp timeout {timeout_s}s: wall/timeout min {min:.3} median {med:.3} max {max:.3} over {runs} runs (target <= 1.2)"
        ));
    }

    if wanted("dead") {
        let timeout_s = 2.0;
        let runs = 5;
        for order in [["198.18.0.2", "198.18.0.53"], ["198.18.0.53", "198.18.0.2"]] {
            let mut ratios = Vec::new();
            for _ in 0..runs {
                let r = audit(
                    &lab,
                    &client,
                    &[
                        "--domain",
                        "three.test",
                        "--dns",
                        order[0],
                        "--dns",
                        order[1],
                        "--timeout",
                        "2s",
                    ],
                );
                ratios.push(r.wall / timeout_s);
                bounds.push(("dead".into(), r.worst_result(timeout_s)));
                println!(
                    "dead dns ({} then {}): run {:.2} s; slowest: {}",
                    order[0],
                    order[1],
                    r.wall,
                    lab::slowest(&r.report, 3)
                );
            }
            let (min, med, max) = stats(ratios);
            let label = if order[0] == "198.18.0.53" {
                "dead server first"
            } else {
                "good server first"
            };
            summary.push(format!(
                "dead DNS server in --dns ({label}), 3 hosts, timeout {timeout_s}s: wall/timeout min {min:.3} median {med:.3} max {max:.3} over {runs} runs (target <= 1.2)"
            ));
        }
    }

    if wanted("hosts") {
        let runs = 5;
        let mut walls3 = Vec::new();
        let mut walls40 = Vec::new();
        for _ in 0..runs {
            for (domain, walls) in [("three.test", &mut walls3), ("forty.test", &mut walls40)] {
                let r = audit(
                    &lab,
                    &client,
                    &["--domain", domain, "--dns", "198.18.0.2", "--timeout", "3s"],
                );
                let n = r.report["targets"].as_array().map_or(0, |t| t.len());
                println!(
                    "hosts: {domain} ({n} hosts) {:.2} s; slowest: {}",
                    r.wall,
                    lab::slowest(&r.report, 2)
                );
                walls.push(r.wall);
            }
        }
        let (_, m3, _) = stats(walls3.clone());
        let (_, m40, _) = stats(walls40.clone());
        let ratios: Vec<f64> = walls40.iter().zip(&walls3).map(|(a, b)| a / b).collect();
        let (min, med, max) = stats(ratios);
        summary.push(format!(
            "40 published hosts vs 3, same lab: median wall {m40:.2} s vs {m3:.2} s; ratio min {min:.3} median {med:.3} max {max:.3} over {runs} pairs (target <= 1.3)"
        ));
    }

    if wanted("loss") {
        let timeout_s = 3.0;
        let runs = 10;
        let mut ratios = Vec::new();
        let mut fails = 0;
        let mut warns = 0;
        for _ in 0..runs {
            let r = audit(
                &lab,
                &client,
                // The pack's own timeouts (tcp and RPC 3 s, ICMP 1 s, DNS 2 s): the ratio is to
                // the TCP timeout.
                &["--domain", "lossy.test", "--dns", "198.18.0.2"],
            );
            ratios.push(r.wall / timeout_s);
            let mine: Vec<&serde_json::Value> = r.report["results"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|x| {
                    x["target"] == "kms-lossy.lossy.test:1688"
                        || x["address"] == "198.18.0.30"
                        || x["message"]
                            .as_str()
                            .is_some_and(|m| m.contains("kms-lossy"))
                })
                .collect();
            let f: Vec<String> = mine
                .iter()
                .filter(|x| x["status"] == "fail")
                .map(|x| format!("{} {}", x["id"], x["message"]))
                .collect();
            warns += mine.iter().filter(|x| x["status"] == "warn").count();
            fails += f.len();
            println!(
                "loss: run {:.2} s; fails for the lossy host: {:?}; slowest: {}",
                r.wall,
                f,
                lab::slowest(&r.report, 3)
            );
        }
        let (min, med, max) = stats(ratios);
        summary.push(format!(
            "30 % loss both ways to one host, pack timeouts (tcp {timeout_s}s): {fails} fail(s) for that host over {runs} runs (target 0), {warns} warning(s); wall/timeout min {min:.3} median {med:.3} max {max:.3} (target <= 1.2)"
        ));
    }

    if wanted("branch") {
        let timeout_s = 3.0;
        let runs = 5;
        let mut ratios = Vec::new();
        for _ in 0..runs {
            let r = audit(
                &lab,
                &client,
                &[
                    "--domain",
                    "branch.test",
                    "--dns",
                    "198.18.0.2",
                    "--timeout",
                    "3s",
                ],
            );
            assert_eq!(r.code, Some(1), "no host of the branch office works");
            // The lab must have answered: otherwise the ratio measures nothing.
            assert_eq!(
                status_of(&r.report, "srv.present", "branch.test").as_deref(),
                Some("pass"),
                "branch.test's records"
            );
            assert_eq!(
                status_of(&r.report, "kms.rpc-bind", "kms-silent.branch.test:1688").as_deref(),
                Some("fail"),
                "the silent listener's bind"
            );
            ratios.push(r.wall / timeout_s);
            bounds.push(("branch".into(), r.worst_result(timeout_s)));
            println!(
                "branch: run {:.2} s; slowest: {}",
                r.wall,
                lab::slowest(&r.report, 3)
            );
        }
        let (min, med, max) = stats(ratios);
        summary.push(format!(
            "branch office (dropped, HTTP and silent listeners), --timeout {timeout_s}s: wall/timeout min {min:.3} median {med:.3} max {max:.3} over {runs} runs (target <= 1.1)"
        ));
    }

    if wanted("twodomains") {
        let timeout_s = 2.0;
        let runs = 5;
        let mut ratios = Vec::new();
        for _ in 0..runs {
            let r = audit(
                &lab,
                &client,
                &[
                    "--domain",
                    "three.test",
                    "--domain",
                    "second.test",
                    "--dns",
                    "198.18.0.2",
                    "--dns",
                    "198.18.0.3",
                    "--timeout",
                    "2s",
                ],
            );
            for d in ["three.test", "second.test"] {
                assert_eq!(
                    status_of(&r.report, "srv.present", d).as_deref(),
                    Some("pass"),
                    "{d}'s records"
                );
            }
            ratios.push(r.wall / timeout_s);
            bounds.push(("twodomains".into(), r.worst_result(timeout_s)));
            println!(
                "two domains: run {:.2} s; slowest: {}",
                r.wall,
                lab::slowest(&r.report, 3)
            );
        }
        let (min, med, max) = stats(ratios);
        summary.push(format!(
            "two domains, two DNS servers, --timeout {timeout_s}s: wall/timeout min {min:.3} median {med:.3} max {max:.3} over {runs} runs (target <= 1.1)"
        ));
    }

    let mut names: Vec<&str> = bounds.iter().map(|(n, _)| n.as_str()).collect();
    names.dedup();
    for n in names {
        let worst = bounds
            .iter()
            .filter(|(m, _)| m == n)
            .map(|(_, b)| *b)
            .fold(0.0, f64::max);
        summary.push(format!(
            "{n}: largest duration_ms / timeout of any result {worst:.3} (target <= 1.05)"
        ));
    }

    for s in summary {
        println!("{s}");
    }
}
