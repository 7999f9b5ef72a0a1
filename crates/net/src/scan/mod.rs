//! The sweep's scanner: TCP connect to every (address, port) of a range, and on each port
//! that accepts, the read-only DCE/RPC bind of `net::rpc` on the same connection.
//!
//! Built like a scanner, not like a list of jobs:
//! - a fixed pool of `concurrency` worker tasks pulls the next target from one atomic index
//!   into an [`range::AddressSet`], so memory is the pool's, whatever the size of the range
//!   (no task, future or address list per target);
//! - a shared [`pace::RateLimiter`] bounds new connections per second;
//! - a worker that finds an open port runs the bind right away while the other workers go on
//!   connecting, so verification overlaps the scan;
//! - every connect and every bind is bounded by the timeout;
//! - a stop signal (Ctrl-C) ends it at once; what was found until then is kept.
//!
//! Read-only by construction: a TCP handshake, then on open ports only the bind PDU the caller
//! gives (see `net::rpc`), then FIN.

pub mod pace;
pub mod range;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::rpc::{exchange, BindExchange};
use crate::source::Source;
use crate::tcp::{connect, ConnectFailure};
use pace::RateLimiter;
use range::AddressSet;

/// What to probe: every address of the set on every port.
#[derive(Debug, Clone)]
pub struct Targets {
    pub addresses: AddressSet,
    pub ports: Vec<u16>,
}

impl Targets {
    /// Number of (address, port) probes.
    pub fn len(&self) -> u128 {
        self.addresses.len() * self.ports.len() as u128
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The n-th probe: addresses in order, each with every port.
    pub fn get(&self, n: u128) -> Option<SocketAddr> {
        let ports = self.ports.len() as u128;
        if ports == 0 {
            return None;
        }
        let ip = self.addresses.get(n / ports)?;
        Some(SocketAddr::new(ip, self.ports[(n % ports) as usize]))
    }
}

#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Connects (and binds) in flight at most.
    pub concurrency: usize,
    /// New connections per second at most.
    pub rate: u32,
    /// Per connect, and per bind exchange (write + read).
    pub timeout: Duration,
    pub source: Option<Source>,
    /// The bind PDU sent on each open port.
    pub bind: Vec<u8>,
    /// How long a listener that said nothing to the bind may still answer after our FIN
    /// (see `rpc::exchange`); zero closes at once.
    pub after_silence: Duration,
}

/// The result of one probe.
#[derive(Debug)]
pub enum ProbeResult {
    /// The handshake completed; the bind exchange that followed.
    Open(BindExchange),
    /// The connect did not complete.
    NotOpen(ConnectFailure),
}

#[derive(Debug)]
pub struct Probe {
    pub addr: SocketAddr,
    pub result: ProbeResult,
}

/// Counters a progress display reads while the scan runs.
#[derive(Debug, Default)]
pub struct Progress {
    /// Probes finished.
    pub done: AtomicU64,
    /// Ports found open so far.
    pub open: AtomicU64,
}

/// How a scan ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanEnd {
    Completed,
    /// The stop signal came first; probes in flight were abandoned.
    Stopped,
}

/// File descriptors kept free for everything that is not a probe (DNS, stdio, the runtime).
const FD_RESERVE: u64 = 64;

/// Raises the soft limit on open files towards the hard limit (unprivileged) so that
/// `concurrency` sockets fit, and returns the concurrency that does fit.
// rlim_t is u64 on Linux but not everywhere.
#[allow(clippy::unnecessary_cast)]
pub fn fit_concurrency(concurrency: usize) -> usize {
    let want = concurrency as u64 + FD_RESERVE;
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read/write the struct passed by pointer.
    let soft = unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return concurrency.min(1024 - FD_RESERVE as usize);
        }
        if (lim.rlim_cur as u64) < want {
            let raised = libc::rlimit {
                rlim_cur: (want as libc::rlim_t).min(lim.rlim_max),
                rlim_max: lim.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                lim.rlim_cur = raised.rlim_cur;
            }
        }
        lim.rlim_cur as u64
    };
    concurrency.min(soft.saturating_sub(FD_RESERVE).max(1) as usize)
}

/// Runs the scan, handing every probe to `sink` as it completes (in completion order), until
/// every target is done or `stop` resolves.
pub async fn scan<S, F>(
    targets: Arc<Targets>,
    opts: &ScanOptions,
    progress: Arc<Progress>,
    stop: S,
    mut sink: F,
) -> ScanEnd
where
    S: Future<Output = ()>,
    F: FnMut(Probe),
{
    let total = targets.len();
    let workers = (opts.concurrency.max(1) as u128).min(total) as usize;
    let next = Arc::new(AtomicU64::new(0));
    let limiter = Arc::new(RateLimiter::new(opts.rate));
    let bind: Arc<[u8]> = opts.bind.clone().into();
    let (tx, mut rx) = mpsc::channel::<Probe>(workers.max(1) * 2);
    let mut set = JoinSet::new();
    for _ in 0..workers {
        let (targets, next, limiter, bind, progress, tx) = (
            targets.clone(),
            next.clone(),
            limiter.clone(),
            bind.clone(),
            progress.clone(),
            tx.clone(),
        );
        let (source, timeout, after) = (opts.source.clone(), opts.timeout, opts.after_silence);
        set.spawn(async move {
            loop {
                let n = u128::from(next.fetch_add(1, Ordering::Relaxed));
                let Some(addr) = targets.get(n) else { break };
                limiter.acquire().await;
                let result = match connect(addr, source.as_ref(), timeout).await {
                    Ok(c) => {
                        progress.open.fetch_add(1, Ordering::Relaxed);
                        ProbeResult::Open(exchange(c, timeout, &bind, after).await)
                    }
                    Err(e) => ProbeResult::NotOpen(e),
                };
                progress.done.fetch_add(1, Ordering::Relaxed);
                if tx.send(Probe { addr, result }).await.is_err() {
                    break;
                }
            }
        });
    }
    drop(tx);
    tokio::pin!(stop);
    let end = loop {
        tokio::select! {
            biased;
            _ = &mut stop => break ScanEnd::Stopped,
            p = rx.recv() => match p {
                Some(p) => sink(p),
                None => break ScanEnd::Completed,
            },
        }
    };
    if end == ScanEnd::Stopped {
        set.abort_all();
        // Probes that finished before the stop are results like any other.
        while let Ok(p) = rx.try_recv() {
            sink(p);
        }
    }
    while set.join_next().await.is_some() {}
    end
}

#[cfg(test)]
mod tests {
    use super::range::AddrRange;
    use super::*;

    #[test]
    fn targets_pair_each_address_with_each_port() {
        let t = Targets {
            addresses: AddressSet::new(&[AddrRange::parse("10.0.0.1-2").unwrap()]),
            ports: vec![1688, 11688],
        };
        assert_eq!(t.len(), 4);
        let all: Vec<String> = (0..5)
            .filter_map(|n| t.get(n))
            .map(|a| a.to_string())
            .collect();
        assert_eq!(
            all,
            [
                "10.0.0.1:1688",
                "10.0.0.1:11688",
                "10.0.0.2:1688",
                "10.0.0.2:11688"
            ]
        );
    }

    #[test]
    fn concurrency_fits_the_open_file_limit() {
        let c = fit_concurrency(256);
        assert!((1..=256).contains(&c), "{c}");
    }

    /// Loopback only: a closed port answers RST at once, a listener accepts.
    #[tokio::test]
    async fn scans_loopback_and_hands_every_probe_over() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            // Accept and hold each connection silently until the client closes it.
            while let Ok((mut s, _)) = listener.accept().await {
                tokio::spawn(async move {
                    use tokio::io::AsyncReadExt;
                    let mut buf = [0u8; 128];
                    while matches!(s.read(&mut buf).await, Ok(n) if n > 0) {}
                });
            }
        });
        let targets = Arc::new(Targets {
            addresses: AddressSet::new(&[AddrRange::parse("127.0.0.1").unwrap()]),
            ports: vec![port, 1],
        });
        let opts = ScanOptions {
            concurrency: 8,
            rate: 1000,
            timeout: Duration::from_millis(300),
            source: None,
            bind: b"\x05\x00".to_vec(),
            after_silence: Duration::ZERO,
        };
        let progress = Arc::new(Progress::default());
        let mut got = Vec::new();
        let end = scan(
            targets,
            &opts,
            progress.clone(),
            std::future::pending::<()>(),
            |p| got.push(p),
        )
        .await;
        assert_eq!(end, ScanEnd::Completed);
        assert_eq!(got.len(), 2);
        assert_eq!(progress.done.load(Ordering::Relaxed), 2);
        assert_eq!(progress.open.load(Ordering::Relaxed), 1);
        for p in &got {
            match (&p.result, p.addr.port()) {
                (ProbeResult::Open(ex), q) if q == port => {
                    assert_eq!(ex.end, crate::rpc::ReadEnd::Timeout, "{ex:?}")
                }
                (ProbeResult::NotOpen(ConnectFailure::Refused), 1) => {}
                other => panic!("{other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn stop_ends_the_scan_at_once() {
        let targets = Arc::new(Targets {
            addresses: AddressSet::new(&[AddrRange::parse("127.0.0.0/24").unwrap()]),
            ports: vec![1],
        });
        let opts = ScanOptions {
            concurrency: 4,
            rate: 5,
            timeout: Duration::from_millis(300),
            source: None,
            bind: Vec::new(),
            after_silence: Duration::ZERO,
        };
        let started = std::time::Instant::now();
        let mut n = 0;
        let end = scan(
            targets,
            &opts,
            Arc::new(Progress::default()),
            tokio::time::sleep(Duration::from_millis(500)),
            |_| n += 1,
        )
        .await;
        assert_eq!(end, ScanEnd::Stopped);
        assert!(started.elapsed() < Duration::from_secs(2));
        // About 5/s: a few probes, far from the 256 of the range.
        assert!((1..=6).contains(&n), "{n}");
    }
}
