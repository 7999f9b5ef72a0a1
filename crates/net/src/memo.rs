//! What one run has learnt about the network, shared by all its jobs: DNS servers that timed
//! out or were moved on from, TCP peers that answered per path, and ICMP loss per address.
//!
//! The engine carries a [`RunMemo`] in its run settings and makes a fresh one per run without
//! looking inside; only the probes here and the check kinds read and write it. It is what makes
//! a dead DNS server cost one timeout for the run instead of one per host and kind, and what
//! lets a silent host be told from a filtered one (other hosts on the same path answered).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;

use crate::source::Source;

/// Per-run memory. Cloning shares it; `Default` is empty.
#[derive(Clone, Default)]
pub struct RunMemo(Arc<Inner>);

/// Publishes one address's ICMP loss (percent) once the probe is done.
type LossTx = watch::Sender<Option<f64>>;

#[derive(Default)]
struct Inner {
    /// (server, source label) → the timeout it did not answer within.
    dns_dead: Mutex<HashMap<(SocketAddr, String), Duration>>,
    /// (server, source label) of servers a lookup moved on from (silent for the per-server
    /// wait while a later server answered) that have not answered since.
    dns_slow: Mutex<HashSet<(SocketAddr, String)>>,
    /// Path (source label and local address) → destinations that answered a TCP SYN.
    tcp_answered: Mutex<HashMap<String, BTreeSet<IpAddr>>>,
    /// (address, source label) → ICMP loss percentage once known (None while it runs).
    icmp: Mutex<HashMap<(IpAddr, String), LossTx>>,
}

impl fmt::Debug for RunMemo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dead = self.0.dns_dead.lock().map(|m| m.len()).unwrap_or(0);
        write!(f, "RunMemo {{ dead DNS servers: {dead} }}")
    }
}

fn source_key(source: Option<&Source>) -> String {
    source.map(Source::label).unwrap_or_default()
}

impl RunMemo {
    /// A fresh, empty memo (what a new run starts with).
    pub fn new() -> RunMemo {
        RunMemo::default()
    }

    /// The timeout a server already failed to answer within in this run, from this source.
    pub fn dns_dead(&self, server: SocketAddr, source: Option<&Source>) -> Option<Duration> {
        let m = self.0.dns_dead.lock().ok()?;
        m.get(&(server, source_key(source))).copied()
    }

    /// Records that `server` did not answer within `timeout` from this source.
    pub fn mark_dns_dead(&self, server: SocketAddr, source: Option<&Source>, timeout: Duration) {
        if let Ok(mut m) = self.0.dns_dead.lock() {
            m.entry((server, source_key(source))).or_insert(timeout);
        }
    }

    /// True when a lookup from this source moved on from `server` (no answer within the
    /// per-server wait while a later server answered) and it has not answered since: later
    /// lookups still ask it but do not wait for it, as a client demotes a server that did not
    /// answer.
    pub fn dns_slow(&self, server: SocketAddr, source: Option<&Source>) -> bool {
        self.0
            .dns_slow
            .lock()
            .map(|m| m.contains(&(server, source_key(source))))
            .unwrap_or(false)
    }

    /// Records that a lookup moved on from `server` ([`RunMemo::dns_slow`]).
    pub fn mark_dns_slow(&self, server: SocketAddr, source: Option<&Source>) {
        if let Ok(mut m) = self.0.dns_slow.lock() {
            m.insert((server, source_key(source)));
        }
    }

    /// `server` answered: it is waited for again.
    pub fn clear_dns_slow(&self, server: SocketAddr, source: Option<&Source>) {
        if let Ok(mut m) = self.0.dns_slow.lock() {
            m.remove(&(server, source_key(source)));
        }
    }

    /// Every server recorded dead, for evidence.
    pub fn dead_dns_servers(&self) -> Vec<SocketAddr> {
        let mut v: Vec<SocketAddr> = self
            .0
            .dns_dead
            .lock()
            .map(|m| m.keys().map(|k| k.0).collect())
            .unwrap_or_default();
        v.sort();
        v.dedup();
        v
    }

    /// Records that `peer` answered a SYN (handshake or RST) on `path`.
    pub fn tcp_answered(&self, path: &str, peer: IpAddr) {
        if let Ok(mut m) = self.0.tcp_answered.lock() {
            m.entry(path.to_string()).or_default().insert(peer);
        }
    }

    /// Other destinations that answered on `path` (not `peer` itself).
    pub fn tcp_answered_on(&self, path: &str, peer: IpAddr) -> Vec<IpAddr> {
        self.0
            .tcp_answered
            .lock()
            .ok()
            .and_then(|m| m.get(path).cloned())
            .map(|s| s.into_iter().filter(|a| *a != peer).collect())
            .unwrap_or_default()
    }

    /// Announces an ICMP probe of `ip` that has started; [`RunMemo::icmp_done`] publishes it.
    pub fn icmp_started(&self, ip: IpAddr, source: Option<&Source>) {
        if let Ok(mut m) = self.0.icmp.lock() {
            m.entry((ip, source_key(source)))
                .or_insert_with(|| watch::channel(None).0);
        }
    }

    /// Publishes the ICMP loss of `ip` (percent).
    pub fn icmp_done(&self, ip: IpAddr, source: Option<&Source>, loss_percent: f64) {
        if let Ok(mut m) = self.0.icmp.lock() {
            let tx = m
                .entry((ip, source_key(source)))
                .or_insert_with(|| watch::channel(None).0);
            tx.send_replace(Some(loss_percent));
        }
    }

    /// The ICMP probe of `ip` ended without a loss figure (no privilege, error): waiters stop.
    pub fn icmp_forget(&self, ip: IpAddr, source: Option<&Source>) {
        if let Ok(mut m) = self.0.icmp.lock() {
            m.remove(&(ip, source_key(source)));
        }
    }

    /// The ICMP loss of `ip` if an ICMP probe ran or runs in this run: waits at most `wait`
    /// for one that is still running. None when no ICMP probe of it exists.
    pub async fn icmp_loss(
        &self,
        ip: IpAddr,
        source: Option<&Source>,
        wait: Duration,
    ) -> Option<f64> {
        let mut rx = {
            let m = self.0.icmp.lock().ok()?;
            m.get(&(ip, source_key(source)))?.subscribe()
        };
        if let Some(v) = *rx.borrow() {
            return Some(v);
        }
        let loss = match tokio::time::timeout(wait, rx.wait_for(|v| v.is_some())).await {
            Ok(Ok(v)) => *v,
            _ => None,
        };
        loss
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dead_servers_are_per_source() {
        let m = RunMemo::new();
        let s: SocketAddr = "198.18.0.53:53".parse().unwrap();
        assert_eq!(m.dns_dead(s, None), None);
        m.mark_dns_dead(s, None, Duration::from_secs(2));
        assert_eq!(m.dns_dead(s, None), Some(Duration::from_secs(2)));
        let src = Source {
            address: Some("198.18.0.1".parse().unwrap()),
            interface: None,
        };
        assert_eq!(m.dns_dead(s, Some(&src)), None);
        // A clone is the same memo.
        assert_eq!(m.clone().dead_dns_servers(), vec![s]);
    }

    #[test]
    fn slow_servers_are_per_source_until_they_answer() {
        let m = RunMemo::new();
        let s: SocketAddr = "198.18.0.53:53".parse().unwrap();
        let src = Source {
            address: Some("198.18.0.1".parse().unwrap()),
            interface: None,
        };
        m.mark_dns_slow(s, None);
        assert!(m.dns_slow(s, None));
        assert!(!m.dns_slow(s, Some(&src)));
        assert_eq!(m.dns_dead(s, None), None, "slow is not dead");
        m.clear_dns_slow(s, None);
        assert!(!m.dns_slow(s, None));
    }

    #[test]
    fn answered_peers_exclude_the_asker() {
        let m = RunMemo::new();
        let a: IpAddr = "198.18.0.10".parse().unwrap();
        let b: IpAddr = "198.18.0.12".parse().unwrap();
        m.tcp_answered("p", a);
        assert_eq!(m.tcp_answered_on("p", b), vec![a]);
        assert!(m.tcp_answered_on("p", a).is_empty());
        assert!(m.tcp_answered_on("other", b).is_empty());
    }

    #[tokio::test]
    async fn icmp_loss_waits_for_a_running_probe() {
        let m = RunMemo::new();
        let ip: IpAddr = "198.18.0.10".parse().unwrap();
        assert_eq!(m.icmp_loss(ip, None, Duration::from_millis(10)).await, None);
        m.icmp_started(ip, None);
        let m2 = m.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            m2.icmp_done(ip, None, 40.0);
        });
        assert_eq!(
            m.icmp_loss(ip, None, Duration::from_secs(2)).await,
            Some(40.0)
        );
    }
}
