//! ICMP echo through surge-ping: an unprivileged DGRAM ICMP socket first (Linux
//! `net.ipv4.ping_group_range`), then RAW (CAP_NET_RAW / root / Administrator). A missing
//! privilege is reported as data, not as a failure of the network.
//!
//! One echo implementation ([`EchoSocket`]: open, send one request, wait for its reply), two
//! schedules over it: [`echo`] paces requests and waits for them side by side (loss and RTT of a
//! path), [`echo_sequence`] sends them one after another within one timeout (RTT samples to
//! compare with TCP handshakes).

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;

use surge_ping::{Client, Config, PingIdentifier, PingSequence, Pinger, SurgeError, ICMP};

use crate::source::Source;
use crate::text::{self, Message};

/// Why no echo could be sent at all.
#[derive(Debug, Clone, PartialEq)]
pub enum IcmpUnavailable {
    /// This process may open neither a DGRAM nor a RAW ICMP socket.
    NoPrivilege(Message),
    /// The source is of the other address family than the target.
    WrongFamily(Message),
    /// Cannot bind to the requested source address or interface.
    SourceUnusable(Message),
    Other(Message),
}

impl IcmpUnavailable {
    /// The reason, as a sentence fragment.
    pub fn reason(&self) -> &Message {
        match self {
            IcmpUnavailable::NoPrivilege(s)
            | IcmpUnavailable::WrongFamily(s)
            | IcmpUnavailable::SourceUnusable(s)
            | IcmpUnavailable::Other(s) => s,
        }
    }
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
    pub errors: Vec<Message>,
}

/// One answered echo, timed two ways.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EchoRtt {
    /// From before the send to the wake-up after the reply: timed like a TCP handshake.
    pub wall: Duration,
    /// surge-ping's own measure (end of the send to the receipt in its receive task): a lower
    /// bound that scheduling delays of the calling task hardly inflate.
    pub lower_bound: Duration,
}

/// Results of [`echo_sequence`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EchoSeries {
    /// The echoes answered, in order.
    pub replies: Vec<EchoRtt>,
    /// "dgram" or "raw".
    pub socket: &'static str,
    /// The sequence stopped at this send error (an nftables output rule, no route, …).
    pub send_error: Option<String>,
}

/// What became of one echo request.
#[derive(Debug)]
enum Outcome {
    Reply(EchoRtt),
    NoReply,
    /// Sending refused (local policy, no route) or another I/O error.
    SendError(io::Error),
    Other(String),
}

/// The message for a missing ICMP privilege, naming what would grant it.
pub fn privilege_message(os_error: &str) -> Message {
    if cfg!(windows) {
        text::icmp_no_privilege_windows(os_error)
    } else {
        text::icmp_no_privilege(os_error)
    }
}

fn is_privilege_error(e: &io::Error) -> bool {
    // EPERM (1) from RAW, EACCES (13) from DGRAM.
    e.kind() == io::ErrorKind::PermissionDenied || matches!(e.raw_os_error(), Some(1 | 13))
}

static NEXT_IDENT: AtomicU16 = AtomicU16::new(0);

/// An ICMP socket for echoes to one address from one source.
struct EchoSocket {
    client: Client,
    ip: IpAddr,
    ident: PingIdentifier,
    socket: &'static str,
}

const PAYLOAD: [u8; 56] = [0u8; 56];

impl EchoSocket {
    fn open(ip: IpAddr, source: Option<&Source>) -> Result<EchoSocket, IcmpUnavailable> {
        let mut builder = Config::builder();
        if ip.is_ipv6() {
            builder = builder.kind(ICMP::V6);
        }
        if let Some(src) = source {
            if let Some(addr) = src.address {
                if addr.is_ipv4() != ip.is_ipv4() {
                    return Err(IcmpUnavailable::WrongFamily(text::wrong_family(addr, ip)));
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
                IcmpUnavailable::SourceUnusable(text::icmp_bind_failed(e.to_string()))
            } else {
                IcmpUnavailable::Other(text::icmp_open_failed(e.to_string()))
            }
        })?;
        let socket = if client.get_socket().get_type() == socket2::Type::RAW {
            "raw"
        } else {
            "dgram"
        };
        // Identifier: per process and call, so concurrent checks do not take each other's
        // replies (DGRAM sockets get a kernel-chosen one anyway).
        let ident = PingIdentifier(
            (std::process::id() as u16).wrapping_add(NEXT_IDENT.fetch_add(1, Ordering::Relaxed)),
        );
        Ok(EchoSocket {
            client,
            ip,
            ident,
            socket,
        })
    }

    async fn pinger(&self, timeout: Duration) -> Pinger {
        let mut p = self.client.pinger(self.ip, self.ident).await;
        p.timeout(timeout);
        p
    }

    /// One request and its reply (or not) within the pinger's timeout.
    async fn one(pinger: &mut Pinger, seq: u16) -> Outcome {
        let started = tokio::time::Instant::now();
        match pinger.ping(PingSequence(seq), &PAYLOAD).await {
            Ok((_, lower_bound)) => Outcome::Reply(EchoRtt {
                wall: started.elapsed(),
                lower_bound,
            }),
            Err(SurgeError::Timeout { .. }) => Outcome::NoReply,
            Err(SurgeError::IOError(e)) => Outcome::SendError(e),
            Err(e) => Outcome::Other(e.to_string()),
        }
    }
}

/// Sends `count` echoes to `ip`, one every `interval`, each waiting at most `timeout`, the
/// waits side by side.
pub async fn echo(
    ip: IpAddr,
    source: Option<&Source>,
    count: u32,
    interval: Duration,
    timeout: Duration,
) -> Result<EchoStats, IcmpUnavailable> {
    let sock = EchoSocket::open(ip, source)?;
    // One pinger per request, all on the same socket and identifier: the requests go out one
    // every `interval` and wait for their replies side by side, so lost replies cost one
    // timeout in all, not one each: the probe ends by (count − 1) × interval + timeout.
    let mut pingers = Vec::new();
    for _ in 0..count {
        pingers.push(sock.pinger(timeout).await);
    }
    let start = tokio::time::Instant::now();
    let futs = pingers
        .into_iter()
        .enumerate()
        .map(|(seq, mut pinger)| async move {
            tokio::time::sleep_until(start + interval * seq as u32).await;
            EchoSocket::one(&mut pinger, seq as u16).await
        });
    let results = crate::join_all(futs).await;
    let mut stats = EchoStats {
        sent: count,
        rtts: Vec::new(),
        socket: sock.socket,
        errors: Vec::new(),
    };
    for r in results {
        match r {
            Outcome::Reply(rtt) => stats.rtts.push(rtt.lower_bound),
            Outcome::NoReply => {}
            // Sending refused by local policy (e.g. an nftables output rule).
            Outcome::SendError(e) if is_privilege_error(&e) => {
                push_unique(&mut stats.errors, text::io("send", e.to_string()))
            }
            Outcome::SendError(e) => push_unique(&mut stats.errors, text::io_error(e.to_string())),
            Outcome::Other(e) => push_unique(&mut stats.errors, text::os_error(e)),
        }
    }
    Ok(stats)
}

/// Sends up to `count` echoes to `ip` one after another (each an RTT sample), all within one
/// `timeout`: a lossy path ends the sequence at the deadline with the replies it has. A send
/// error ends it too and is returned with the replies so far.
pub async fn echo_sequence(
    ip: IpAddr,
    source: Option<&Source>,
    count: u32,
    timeout: Duration,
) -> Result<EchoSeries, IcmpUnavailable> {
    let sock = EchoSocket::open(ip, source)?;
    let mut pinger = sock.pinger(timeout).await;
    let mut series = EchoSeries {
        replies: Vec::new(),
        socket: sock.socket,
        send_error: None,
    };
    let deadline = tokio::time::Instant::now() + timeout;
    for seq in 0..count {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        if left.is_zero() {
            break;
        }
        pinger.timeout(left);
        match EchoSocket::one(&mut pinger, seq as u16).await {
            Outcome::Reply(rtt) => series.replies.push(rtt),
            Outcome::NoReply | Outcome::Other(_) => {}
            Outcome::SendError(e) => {
                series.send_error = Some(e.to_string());
                break;
            }
        }
    }
    Ok(series)
}

fn push_unique(v: &mut Vec<Message>, s: Message) {
    if !v.contains(&s) {
        v.push(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn icmp_permitted() -> bool {
        EchoSocket::open("127.0.0.1".parse().unwrap(), None).is_ok()
    }

    #[tokio::test]
    async fn both_schedules_echo_loopback_through_one_socket_kind() {
        if !icmp_permitted() {
            // Without the privilege both schedules must say so, as data.
            let e = echo_sequence(
                "127.0.0.1".parse().unwrap(),
                None,
                2,
                Duration::from_secs(1),
            )
            .await
            .unwrap_err();
            assert!(matches!(e, IcmpUnavailable::NoPrivilege(_)), "{e:?}");
            assert_eq!(e.reason().id, "net-icmp-no-privilege", "{e:?}");
            return;
        }
        let lo: IpAddr = "127.0.0.1".parse().unwrap();
        let s = echo_sequence(lo, None, 3, Duration::from_secs(2))
            .await
            .unwrap();
        assert_eq!(s.replies.len(), 3, "{s:?}");
        assert!(s.send_error.is_none());
        for r in &s.replies {
            assert!(r.lower_bound <= r.wall, "{r:?}");
        }
        let p = echo(
            lo,
            None,
            2,
            Duration::from_millis(10),
            Duration::from_secs(2),
        )
        .await
        .unwrap();
        assert_eq!((p.sent, p.rtts.len()), (2, 2), "{p:?}");
        assert_eq!(p.socket, s.socket);
    }

    #[tokio::test]
    async fn the_other_family_is_refused_before_any_socket() {
        let src = Source {
            address: Some("127.0.0.1".parse().unwrap()),
            interface: None,
        };
        let e = echo_sequence(
            "::1".parse().unwrap(),
            Some(&src),
            1,
            Duration::from_secs(1),
        )
        .await
        .unwrap_err();
        assert!(matches!(e, IcmpUnavailable::WrongFamily(_)), "{e:?}");
    }
}
