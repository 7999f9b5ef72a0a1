//! `serve` shares fairly: one peer address that keeps 3,000 half-open connections (TCP
//! connected, half a request sent, held open, re-opened as soon as the exporter closes them)
//! cannot keep a scraper on another address from its `/metrics`. The exporter runs in its own
//! namespace; the greedy peer (examples/greedy-peer.rs) and the scraper (curl) share another,
//! each on its own address. Before the per-peer limit the greedy peer took all 512 slots and
//! every scrape failed.

mod lab;

use std::io::{BufRead, BufReader};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use lab::{curl_in, require_root, wait_for, Lab};

const LISTEN: &str = "198.18.0.1:9688";
const URL: &str = "http://198.18.0.1:9688/metrics";
const GREEDY: &str = "198.18.0.2";
const SCRAPER: &str = "198.18.0.3";
const GREEDY_CONNECTIONS: usize = 3000;
const SCRAPE_FOR: Duration = Duration::from_secs(20);

#[test]
#[ignore = "needs root: run scripts/test-all.sh (as root), which includes ignored tests"]
fn a_scraper_gets_every_scrape_while_one_peer_holds_3000_half_open_connections() {
    require_root("a_scraper_gets_every_scrape_while_one_peer_holds_3000_half_open_connections");
    let mut lab = Lab::new("fair");
    let exporter = lab.netns("exp");
    let peers = lab.netns("peers");
    let (_, peer_if) = lab.veth(&exporter, &["198.18.0.1/24"], &peers, &["198.18.0.2/24"]);
    lab.addr(&peers, &peer_if, "198.18.0.3/24");
    // The audit stays on the exporter namespace's loopback: a closed KMS port, a closed DNS port.
    let bin = lab::kms_preflight_bin();
    lab.spawn(
        &exporter,
        "serve",
        &bin,
        &[
            "serve",
            "--listen",
            LISTEN,
            "--host",
            "127.0.0.1:1688",
            "--dns",
            "127.0.0.1:53",
            "--domain",
            "fair.invalid",
            "--timeout",
            "200ms",
            "--deadline",
            "4s",
            "--interval",
            "5s",
        ],
    );
    lab.wait_listening(&exporter, "tcp", "198.18.0.1", 9688, "serve");
    wait_for(
        Duration::from_secs(30),
        "serve answers /healthz",
        || match curl_in(&peers, "http://198.18.0.1:9688/healthz", &[]) {
            (200, _) => Ok(()),
            (code, body) => Err(format!("{code} {body}; log:\n{}", lab.log("serve"))),
        },
    );

    let greedy_bin = lab::example_bin("greedy-peer");
    let n = GREEDY_CONNECTIONS.to_string();
    let child = lab.spawn(
        &peers,
        "greedy",
        &greedy_bin,
        &[
            "--bind",
            GREEDY,
            "--connect",
            LISTEN,
            "--connections",
            &n,
            "--seconds",
            "60",
        ],
    );
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, lines) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for l in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    let ready = lines
        .recv_timeout(Duration::from_secs(40))
        .unwrap_or_else(|e| {
            panic!(
                "greedy-peer did not open its connections: {e}; log:\n{}",
                lab.log("greedy")
            )
        });
    // A connect may time out while the accept queue is full; nearly all must get through.
    let first: u64 = ready
        .strip_prefix("ready opened=")
        .and_then(|r| r.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("greedy-peer: {ready:?}"));
    assert!(
        first >= GREEDY_CONNECTIONS as u64 * 99 / 100,
        "the greedy peer opened only {ready:?} of {GREEDY_CONNECTIONS}"
    );

    // Scrape from the other address for 20 s, one request at a time (curl: 5 s at most each).
    let started = Instant::now();
    let mut attempts: Vec<(f64, u16, f64)> = Vec::new();
    while started.elapsed() < SCRAPE_FOR {
        let t = Instant::now();
        let (code, body) = curl_in(&peers, URL, &["--interface", SCRAPER]);
        if code == 200 {
            assert!(body.contains("kms_preflight_audit_success"), "{body}");
        }
        attempts.push((
            started.elapsed().as_secs_f64(),
            code,
            t.elapsed().as_secs_f64(),
        ));
        std::thread::sleep(Duration::from_millis(200));
    }
    let stats: Vec<String> = lines.try_iter().collect();
    let answered = attempts.iter().filter(|a| a.1 == 200).count();
    let slowest = attempts.iter().map(|a| a.2).fold(0.0, f64::max);
    eprintln!(
        "scrapes answered 200: {answered}/{} over {} s, slowest {slowest:.3} s; greedy peer: {}",
        attempts.len(),
        SCRAPE_FOR.as_secs(),
        stats.last().map(String::as_str).unwrap_or("no stats")
    );
    // The greedy peer kept attacking the whole time: it re-opened what the exporter closed.
    let last = stats
        .last()
        .unwrap_or_else(|| panic!("no stats from greedy-peer; log:\n{}", lab.log("greedy")));
    let opened: u64 = last
        .split_whitespace()
        .find_map(|f| f.strip_prefix("opened="))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no opened= in {last:?}"));
    assert!(
        opened > GREEDY_CONNECTIONS as u64,
        "the greedy peer re-opened nothing: {stats:?}"
    );
    assert!(
        attempts.len() >= 20,
        "only {} scrapes in {SCRAPE_FOR:?}: {attempts:?}",
        attempts.len()
    );
    let failed: Vec<_> = attempts.iter().filter(|a| a.1 != 200).collect();
    assert!(
        failed.is_empty(),
        "{} of {} scrapes failed (at s, code, took s): {failed:?}; serve log:\n{}",
        failed.len(),
        attempts.len(),
        lab.log("serve")
    );
}
