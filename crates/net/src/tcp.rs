//! TCP connect with failure classification and optional source address / interface binding.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::{TcpSocket, TcpStream};

use crate::memo::RunMemo;
use crate::source::Source;
use crate::text::{self, Message};

/// Why a connect did not complete.
#[derive(Debug, Clone, PartialEq)]
pub enum ConnectFailure {
    /// RST in answer to SYN: nothing listens, or a firewall rejects with a reset.
    Refused,
    /// The handshake completed and the peer (or a middlebox) reset it at once: connect()
    /// itself reports ECONNRESET when the RST arrives before we look.
    ResetAfterConnect,
    /// No answer at all within the timeout: filtered (dropped) or the host is down.
    TimedOut,
    /// ICMP host/network unreachable or no route on this machine.
    Unreachable(Message),
    /// ICMP administratively prohibited / local policy (EACCES, EPERM).
    Prohibited(Message),
    /// Cannot bind to the requested source address or interface.
    SourceUnusable(Message),
    /// The source address is of the other address family: this source cannot probe it.
    WrongFamily(Message),
    /// Anything else, with the OS error text.
    Other(Message),
}

impl ConnectFailure {
    pub fn class(&self) -> &'static str {
        match self {
            ConnectFailure::Refused => "refused",
            ConnectFailure::ResetAfterConnect => "reset-after-connect",
            ConnectFailure::TimedOut => "timeout",
            ConnectFailure::Unreachable(_) => "unreachable",
            ConnectFailure::Prohibited(_) => "prohibited",
            ConnectFailure::SourceUnusable(_) => "source-unusable",
            ConnectFailure::WrongFamily(_) => "wrong-family",
            ConnectFailure::Other(_) => "error",
        }
    }
}

/// Classifies an OS error from `connect()`.
pub fn classify_connect_error(e: &io::Error) -> ConnectFailure {
    // Raw errno first: the ErrorKind mapping differs across platforms.
    #[cfg(unix)]
    if let Some(code) = e.raw_os_error() {
        match code {
            libc_errno::ECONNREFUSED => return ConnectFailure::Refused,
            libc_errno::ECONNRESET => return ConnectFailure::ResetAfterConnect,
            libc_errno::ETIMEDOUT => return ConnectFailure::TimedOut,
            libc_errno::EHOSTUNREACH
            | libc_errno::ENETUNREACH
            | libc_errno::EHOSTDOWN
            | libc_errno::ENETDOWN => return ConnectFailure::Unreachable(os(e)),
            libc_errno::EACCES | libc_errno::EPERM => return ConnectFailure::Prohibited(os(e)),
            _ => {}
        }
    }
    match e.kind() {
        io::ErrorKind::ConnectionRefused => ConnectFailure::Refused,
        io::ErrorKind::ConnectionReset => ConnectFailure::ResetAfterConnect,
        io::ErrorKind::TimedOut => ConnectFailure::TimedOut,
        io::ErrorKind::HostUnreachable
        | io::ErrorKind::NetworkUnreachable
        | io::ErrorKind::NetworkDown => ConnectFailure::Unreachable(os(e)),
        io::ErrorKind::PermissionDenied => ConnectFailure::Prohibited(os(e)),
        _ => ConnectFailure::Other(os(e)),
    }
}

/// The OS error text as a message argument.
fn os(e: &io::Error) -> Message {
    text::os_error(e.to_string())
}

/// Linux errno values (stable ABI); avoids a libc dependency for five constants.
#[cfg(unix)]
mod libc_errno {
    pub const EPERM: i32 = 1;
    pub const EACCES: i32 = 13;
    pub const ENETDOWN: i32 = 100;
    pub const ENETUNREACH: i32 = 101;
    pub const ECONNRESET: i32 = 104;
    pub const ECONNREFUSED: i32 = 111;
    pub const ETIMEDOUT: i32 = 110;
    pub const EHOSTDOWN: i32 = 112;
    pub const EHOSTUNREACH: i32 = 113;
}

/// A socket of the right family, bound to the source if one is given.
pub fn bound_socket(
    family_of: IpAddr,
    ty: Type,
    protocol: Protocol,
    source: Option<&Source>,
) -> Result<Socket, ConnectFailure> {
    let domain = if family_of.is_ipv4() {
        Domain::IPV4
    } else {
        Domain::IPV6
    };
    // Non-blocking from the start where the OS allows it: two fcntl calls less per socket
    // (a sweep opens one per address).
    #[cfg(any(target_os = "linux", target_os = "android"))]
    let ty = ty.nonblocking();
    let sock = Socket::new(domain, ty, Some(protocol))
        .map_err(|e| ConnectFailure::Other(text::io("socket", e.to_string())))?;
    if let Some(src) = source {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        if let Some(dev) = &src.interface {
            sock.bind_device(Some(dev.as_bytes())).map_err(|e| {
                ConnectFailure::SourceUnusable(text::bind_interface(dev, e.to_string()))
            })?;
        }
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        if let Some(dev) = &src.interface {
            return Err(ConnectFailure::SourceUnusable(text::interface_linux_only(
                dev,
            )));
        }
        if let Some(addr) = src.address {
            if addr.is_ipv4() != family_of.is_ipv4() {
                return Err(ConnectFailure::WrongFamily(text::wrong_family(
                    addr, family_of,
                )));
            }
            sock.bind(&SocketAddr::new(addr, 0).into()).map_err(|e| {
                ConnectFailure::SourceUnusable(text::bind_source(addr, e.to_string()))
            })?;
        }
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    sock.set_nonblocking(true)
        .map_err(|e| ConnectFailure::Other(text::io("socket", e.to_string())))?;
    Ok(sock)
}

/// A completed handshake.
pub struct Connected {
    pub stream: TcpStream,
    /// Handshake time of the attempt that connected (the RTT estimate).
    pub rtt: Duration,
    pub local: Option<SocketAddr>,
    /// Connection attempts started before the handshake completed (1: the first SYN got
    /// through). More than one means the path lost packets or is very slow.
    pub attempts: u32,
}

/// When each connection attempt starts, as fractions of the timeout: the shape of a Windows
/// client's SYN retransmissions (0 s, 3 s, 9 s of its 21 s) scaled into the timeout, and one
/// more late attempt. Each attempt is a new socket, and the kernel retransmits the SYN of each
/// on its own schedule too, so a lossy path gets several independent chances in one timeout.
pub const ATTEMPT_AT: [f64; 4] = [0.0, 1.0 / 7.0, 3.0 / 7.0, 5.0 / 7.0];

/// How a [`connect_as_client`] went apart from its result.
#[derive(Debug, Clone, Default)]
pub struct Tried {
    /// Attempts started (all of them when none connected).
    pub attempts: u32,
    /// The path the attempts took: the source and the local address the OS chose for the
    /// destination. Hosts with the same path are reached the same way from here.
    pub path: Option<String>,
}

/// The path key of a destination: source label and the local address the kernel picks for
/// it (a connected UDP socket; nothing is sent).
pub fn path_of(dst: IpAddr, source: Option<&Source>) -> Option<String> {
    let sock = bound_socket(dst, Type::DGRAM, Protocol::UDP, source).ok()?;
    let udp: std::net::UdpSocket = sock.into();
    udp.connect(SocketAddr::new(dst, 9)).ok()?;
    let local = udp.local_addr().ok()?.ip();
    Some(format!(
        "{} via {local}",
        source
            .map(Source::label)
            .unwrap_or_else(|| "default".into())
    ))
}

/// One connect attempt with a timeout; the handshake time is the RTT estimate.
pub async fn connect_once(
    addr: SocketAddr,
    source: Option<&Source>,
    timeout: Duration,
) -> Result<Connected, ConnectFailure> {
    let sock = bound_socket(addr.ip(), Type::STREAM, Protocol::TCP, source)?;
    let std_stream: std::net::TcpStream = sock.into();
    let tsock = TcpSocket::from_std_stream(std_stream);
    let start = Instant::now();
    match tokio::time::timeout(timeout, tsock.connect(addr)).await {
        Err(_) => Err(ConnectFailure::TimedOut),
        Ok(Err(e)) => Err(classify_connect_error(&e)),
        Ok(Ok(stream)) => {
            let rtt = start.elapsed();
            let local = stream.local_addr().ok();
            Ok(Connected {
                stream,
                rtt,
                local,
                attempts: 1,
            })
        }
    }
}

/// Connects like a client within `timeout`: see [`connect_as_client`].
pub async fn connect(
    addr: SocketAddr,
    source: Option<&Source>,
    timeout: Duration,
) -> Result<Connected, ConnectFailure> {
    connect_as_client(addr, source, timeout, None).await.0
}

/// Connects like a client would within `timeout`: new attempts start at [`ATTEMPT_AT`] while
/// the earlier ones keep waiting, and the first handshake wins. An attempt that is answered
/// otherwise (RST, ICMP unreachable or prohibited, a local error) decides at once: that is an
/// answer, not loss. Only when every attempt stayed silent until the timeout is the result
/// [`ConnectFailure::TimedOut`]. With a memo, a destination that answered (handshake or RST)
/// is recorded for its path, so a silent one can be compared with its neighbours.
pub async fn connect_as_client(
    addr: SocketAddr,
    source: Option<&Source>,
    timeout: Duration,
    memo: Option<&RunMemo>,
) -> (Result<Connected, ConnectFailure>, Tried) {
    let path = path_of(addr.ip(), source);
    let start = tokio::time::Instant::now();
    let deadline = start + timeout;
    let mut set = tokio::task::JoinSet::new();
    let mut started = 0u32;
    let mut next = 0usize;
    let result = loop {
        // Start every attempt that is due.
        while next < ATTEMPT_AT.len()
            && start + timeout.mul_f64(ATTEMPT_AT[next]) <= tokio::time::Instant::now()
        {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let source = source.cloned();
            set.spawn(async move { connect_once(addr, source.as_ref(), left).await });
            started += 1;
            next += 1;
        }
        let wake = if next < ATTEMPT_AT.len() {
            start + timeout.mul_f64(ATTEMPT_AT[next])
        } else {
            deadline
        };
        if set.is_empty() && next >= ATTEMPT_AT.len() {
            break Err(ConnectFailure::TimedOut);
        }
        tokio::select! {
            joined = set.join_next(), if !set.is_empty() => match joined {
                Some(Ok(Ok(mut c))) => {
                    c.attempts = started;
                    break Ok(c);
                }
                Some(Ok(Err(ConnectFailure::TimedOut))) | Some(Err(_)) | None => {}
                Some(Ok(Err(other))) => break Err(other),
            },
            _ = tokio::time::sleep_until(wake) => {
                if wake >= deadline {
                    break Err(ConnectFailure::TimedOut);
                }
            }
        }
    };
    set.abort_all();
    if let (Some(m), Some(p)) = (memo, &path) {
        if matches!(
            result,
            Ok(_) | Err(ConnectFailure::Refused) | Err(ConnectFailure::ResetAfterConnect)
        ) {
            m.tcp_answered(p, addr.ip());
        }
    }
    (
        result,
        Tried {
            attempts: started,
            path,
        },
    )
}

/// What a peer did in the first moments after the handshake, while we sent nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterConnect {
    /// Nothing: the connection stayed open and quiet (what a KMS host does).
    Quiet,
    /// RST: a middlebox or service completed the handshake and then killed the connection.
    Reset,
    /// FIN: the peer closed at once.
    Closed,
    /// The peer spoke first (a banner); KMS never does. Up to 64 bytes of it.
    Data(Vec<u8>),
}

impl AfterConnect {
    pub fn class(&self) -> &'static str {
        match self {
            AfterConnect::Quiet => "connected",
            AfterConnect::Reset => "reset-after-connect",
            AfterConnect::Closed => "closed-after-connect",
            AfterConnect::Data(_) => "banner",
        }
    }
}

/// Watches a fresh connection for `hold` without sending or consuming anything (peek), to
/// tell a working listener from one that is cut off right after the handshake.
pub async fn watch_after_connect(stream: &TcpStream, hold: Duration) -> AfterConnect {
    let mut buf = [0u8; 64];
    match tokio::time::timeout(hold, stream.peek(&mut buf)).await {
        Err(_) => AfterConnect::Quiet,
        Ok(Ok(0)) => AfterConnect::Closed,
        Ok(Ok(n)) => AfterConnect::Data(buf[..n].to_vec()),
        Ok(Err(e))
            if matches!(
                e.kind(),
                io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted
            ) =>
        {
            AfterConnect::Reset
        }
        // Any other error after a completed handshake is the connection dying: treat as reset.
        Ok(Err(_)) => AfterConnect::Reset,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_listener_connects_at_the_first_attempt_and_a_closed_port_is_refused_at_once() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        let memo = RunMemo::new();
        let (r, tried) = connect_as_client(addr, None, Duration::from_secs(2), Some(&memo)).await;
        let c = r.expect("connects");
        assert_eq!(c.attempts, 1);
        assert_eq!(tried.attempts, 1);
        let path = tried.path.expect("a path");
        assert!(path.contains("via 127.0.0.1"), "{path}");
        drop(l);
        let started = Instant::now();
        let (r, tried) = connect_as_client(addr, None, Duration::from_secs(2), None).await;
        assert_eq!(r.err(), Some(ConnectFailure::Refused));
        assert_eq!(tried.attempts, 1, "a RST decides: no retry");
        assert!(started.elapsed() < Duration::from_secs(1));
        // The listener that answered is known on its path.
        assert!(memo
            .tcp_answered_on(&path, "127.0.0.2".parse().unwrap())
            .contains(&addr.ip()));
    }

    #[test]
    fn attempts_start_inside_the_timeout() {
        assert_eq!(ATTEMPT_AT[0], 0.0);
        assert!(ATTEMPT_AT.windows(2).all(|w| w[0] < w[1]));
        assert!(ATTEMPT_AT.iter().all(|a| *a < 1.0));
    }
}
