//! ICMP echo through surge-ping: an unprivileged DGRAM ICMP socket first (Linux
//! `net.ipv4.ping_group_range`), then RAW (CAP_NET_RAW / root / Administrator). A missing
//! privilege is reported as data, not as a failure of the network.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;

use surge_ping::{Client, Config, PingIdentifier, PingSequence, SurgeError, ICMP};

use crate::source::Source;

/// Why no echo could be sent at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IcmpUnavailable {
    /// This process may open neither a DGRAM nor a RAW ICMP socket.
    NoPrivilege(String),
    /// The source is of the other address family than the target.
    WrongFamily(String),
    /// Cannot bind to the requested source address or interface.
    SourceUnusable(String),
    Other(String),
}

/// Results of `count` echoes to one address.
#[derive(Debug, Clone)]
pub struct EchoStats {
    pub sent: u32,
    /// Round-trip times of the echoes answered, in order.
    pub rtts: Vec<Duration>,
    /// "dgram" (unprivileged ICMP socket) or "raw".
    pub socket: &'static str,
    /// Send errors (e.g. no route), deduplicated, in order of first appearance.
    pub errors: Vec<String>,
}

/// The message for a missing ICMP privilege, naming what would grant it.
pub fn privilege_message(os_error: &str) -> String {
    if cfg!(windows) {
        format!("ICMP needs a raw socket on Windows: run as Administrator ({os_error})")
    } else {
        format!(
            "this process may not open an ICMP socket ({os_error}): it needs CAP_NET_RAW \
             (root, or setcap cap_net_raw+ep on the binary) or net.ipv4.ping_group_range \
             covering one of its groups (sysctl -w net.ipv4.ping_group_range=\"0 2147483647\")"
        )
    }
}

fn is_privilege_error(e: &io::Error) -> bool {
    // EPERM (1) from RAW, EACCES (13) from DGRAM.
    e.kind() == io::ErrorKind::PermissionDenied || matches!(e.raw_os_error(), Some(1 | 13))
}

static NEXT_IDENT: AtomicU16 = AtomicU16::new(0);

/// Sends `count` echoes to `ip`, one every `interval`, each waiting at most `timeout`, the
/// waits side by side.
pub async fn echo(
    ip: IpAddr,
    source: Option<&Source>,
    count: u32,
    interval: Duration,
    timeout: Duration,
) -> Result<EchoStats, IcmpUnavailable> {
    let mut builder = Config::builder();
    if ip.is_ipv6() {
        builder = builder.kind(ICMP::V6);
    }
    if let Some(src) = source {
        if let Some(addr) = src.address {
            if addr.is_ipv4() != ip.is_ipv4() {
                return Err(IcmpUnavailable::WrongFamily(format!(
                    "source {addr} and destination {ip} are different address families"
                )));
            }
            builder = builder.bind(SocketAddr::new(addr, 0));
        }
        if let Some(dev) = &src.interface {
            builder = builder.interface(dev);
        }
    }
    let client = Client::new(&builder.build()).map_err(|e| {
        if is_privilege_error(&e) {
            // surge-ping's own text is multi-line sudo advice; keep only the OS error.
            let os = e
                .to_string()
                .lines()
                .last()
                .unwrap_or_default()
                .trim_start_matches("Original error: ")
                .to_string();
            IcmpUnavailable::NoPrivilege(privilege_message(&os))
        } else if source.is_some() {
            IcmpUnavailable::SourceUnusable(format!("cannot bind the ICMP socket: {e}"))
        } else {
            IcmpUnavailable::Other(format!("cannot open an ICMP socket: {e}"))
        }
    })?;
    let socket = if client.get_socket().get_type() == socket2::Type::RAW {
        "raw"
    } else {
        "dgram"
    };
    // Identifier: per process and call, so concurrent checks do not take each other's replies
    // (DGRAM sockets get a kernel-chosen one anyway).
    let ident = PingIdentifier(
        (std::process::id() as u16).wrapping_add(NEXT_IDENT.fetch_add(1, Ordering::Relaxed)),
    );
    // One pinger per request, all on the same socket and identifier: the requests go out one
    // every `interval` and wait for their replies side by side, so lost replies cost one
    // timeout in all, not one each: the probe ends by (count − 1) × interval + timeout.
    let mut pingers = Vec::new();
    for _ in 0..count {
        let mut p = client.pinger(ip, ident).await;
        p.timeout(timeout);
        pingers.push(p);
    }
    let payload = [0u8; 56];
    let start = tokio::time::Instant::now();
    let futs = pingers
        .into_iter()
        .enumerate()
        .map(|(seq, mut pinger)| async move {
            tokio::time::sleep_until(start + interval * seq as u32).await;
            pinger.ping(PingSequence(seq as u16), &payload).await
        });
    let results = crate::join_all(futs).await;
    let mut stats = EchoStats {
        sent: count,
        rtts: Vec::new(),
        socket,
        errors: Vec::new(),
    };
    for r in results {
        match r {
            Ok((_, rtt)) => stats.rtts.push(rtt),
            Err(SurgeError::Timeout { .. }) => {}
            Err(SurgeError::IOError(e)) if is_privilege_error(&e) => {
                // Sending refused by local policy (e.g. an nftables output rule).
                push_unique(&mut stats.errors, format!("send: {e}"));
            }
            Err(e) => push_unique(&mut stats.errors, e.to_string()),
        }
    }
    Ok(stats)
}

fn push_unique(v: &mut Vec<String>, s: String) {
    if !v.contains(&s) {
        v.push(s);
    }
}
