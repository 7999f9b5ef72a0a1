//! Benchmark: latency of the read-only KMS RPC bind probe against a plain TCP connect, on
//! loopback only, against the project's lab-responder (`kms` and `accept` modes).
//! Bounded: PROBES sequential probes of each kind (after WARMUP). Prints median and p99.
//!
//! Run: `cargo build --release --examples && cargo bench --bench rpc_latency`
//! (scripts/bench.sh does both). Numbers go into docs/rpc.md.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kms_preflight_net::rpc::{bind_exchange, ReadEnd};
use kms_preflight_net::tcp::connect;
use kms_preflight_wire::dcerpc::{encode_bind, BindRequest};

const PROBES: usize = 1000;
const WARMUP: usize = 50;
const TIMEOUT: Duration = Duration::from_secs(2);

struct Responder(Child);

impl Drop for Responder {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn responder(mode: &str, listen: &str) -> Responder {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_kms-preflight"))
        .parent()
        .unwrap()
        .join("examples/lab-responder");
    assert!(
        bin.exists(),
        "build it first: cargo build --release --examples"
    );
    let mut child = Command::new(bin)
        .args(["--mode", mode, "--listen", listen])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start lab-responder");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready", "lab-responder on {listen}");
    Responder(child)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn show(name: &str, mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort();
    let (m, p99) = (percentile(&v, 0.5), percentile(&v, 0.99));
    println!(
        "{name:<40} n={:<5} median {:>8.1} µs   p99 {:>8.1} µs",
        v.len(),
        m.as_secs_f64() * 1e6,
        p99.as_secs_f64() * 1e6
    );
    (m, p99)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // Fixed loopback ports; change them here if they are taken.
    let kms: SocketAddr = "127.0.0.1:47688".parse().unwrap();
    let plain: SocketAddr = "127.0.0.1:47689".parse().unwrap();
    let _k = responder("kms", &kms.to_string());
    let _a = responder("accept", &plain.to_string());
    let bind = encode_bind(&BindRequest::kms_probe(2));

    let mut connect_times = Vec::with_capacity(PROBES);
    let mut probe_totals = Vec::with_capacity(PROBES);
    let mut bind_rtts = Vec::with_capacity(PROBES);
    for i in 0..WARMUP + PROBES {
        // Interleaved, so both kinds see the same machine load.
        let t = Instant::now();
        let c = connect(plain, None, TIMEOUT).await.expect("connect");
        drop(c);
        let plain_elapsed = t.elapsed();

        let t = Instant::now();
        let ex = bind_exchange(kms, None, TIMEOUT, &bind)
            .await
            .expect("connect");
        let total = t.elapsed();
        assert_eq!(ex.end, ReadEnd::Complete, "bind not answered");
        if i >= WARMUP {
            connect_times.push(plain_elapsed);
            probe_totals.push(total);
            bind_rtts.push(ex.bind_rtt);
        }
    }
    println!("loopback, {PROBES} sequential probes each (after {WARMUP} warm-up):");
    let (c_med, _) = show("plain TCP connect (handshake)", connect_times);
    let (p_med, _) = show("bind probe total (connect+bind+read)", probe_totals);
    let (b_med, _) = show("  of which bind → bind_ack (bind_rtt)", bind_rtts);
    println!(
        "added by the bind (median): {:.1} µs = {:.2}× the plain connect",
        (p_med.saturating_sub(c_med)).as_secs_f64() * 1e6,
        p_med.saturating_sub(c_med).as_secs_f64() / c_med.as_secs_f64()
    );
    let _ = b_med;
}
