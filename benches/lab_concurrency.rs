//! Benchmark: wall time of the default audit against the lab with one dropped host,
//! divided by the TCP timeout. Checks run concurrently, so the target is ≤ 1.2 (one
//! timeout plus DNS and bookkeeping), not the sum of timeouts.
//!
//! Run as root: `cargo build --examples && cargo bench --bench lab_concurrency`

#[path = "../tests/lab/mod.rs"]
mod lab;

use std::time::Instant;

const ZONE: &str = "$TTL 300
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

fn main() {
    if !lab::require_root("lab_concurrency bench") {
        return;
    }
    let mut lab = lab::Lab::new("b");
    let client = lab.netns("client");
    let server = lab.netns("server");
    let (_, sif) = lab.veth(&client, &["198.18.0.1/24"], &server, &["198.18.0.2/24"]);
    for a in [
        "198.18.0.10/24",
        "198.18.0.11/24",
        "198.18.0.12/24",
        "198.18.0.13/24",
        "198.18.0.20/24",
    ] {
        lab.addr(&server, &sif, a);
    }
    lab.nft(
        &server,
        "table inet b {\n  chain input {\n    type filter hook input priority 0; policy accept;\n    ip daddr 198.18.0.20 tcp dport 1688 drop\n  }\n}\n",
    );
    lab.bind(&server, "198.18.0.2", &[("corp.test", ZONE)]);
    lab.responder(
        &server,
        "kms", // answers the RPC bind, so only the dropped host waits for the timeout
        &[
            "198.18.0.10:1688",
            "198.18.0.11:1688",
            "198.18.0.12:1688",
            "198.18.0.13:1688",
        ],
    );

    let timeout_s = 3.0;
    let runs = 5;
    let mut ratios = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let out = lab.kms_preflight(
            &client,
            &[
                "check",
                "--domain",
                "corp.test",
                "--dns",
                "198.18.0.2",
                "--timeout",
                "3s",
                "--format",
                "json",
            ],
        );
        let wall = t.elapsed().as_secs_f64();
        assert_eq!(out.status.code(), Some(1), "the dropped host must fail");
        ratios.push(wall / timeout_s);
        // The slowest results explain a slow run.
        let rep: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
        let mut slow: Vec<(u64, String)> = rep["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["duration_ms"].as_u64().unwrap_or(0),
                    format!("{} {} {}", r["id"], r["target"], r["address"]),
                )
            })
            .collect();
        slow.sort_by_key(|s| std::cmp::Reverse(s.0));
        let top: Vec<String> = slow
            .iter()
            .take(3)
            .map(|(d, w)| format!("{d} ms {w}"))
            .collect();
        println!("run: {:.2} s; slowest: {}", wall, top.join(" | "));
    }
    ratios.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "default audit, 5 hosts (1 dropped), tcp timeout {timeout_s}s: wall/timeout min {:.3} median {:.3} max {:.3} over {runs} runs (target <= 1.2)",
        ratios[0],
        ratios[runs / 2],
        ratios[runs - 1]
    );
}
