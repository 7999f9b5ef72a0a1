//! TCP connect with failure classification and optional source address / interface binding.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::{TcpSocket, TcpStream};

use crate::source::Source;

/// Why a connect did not complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectFailure {
    /// RST in answer to SYN: nothing listens, or a firewall rejects with a reset.
    Refused,
    /// The handshake completed and the peer (or a middlebox) reset it at once: connect()
    /// itself reports ECONNRESET when the RST arrives before we look.
    ResetAfterConnect,
    /// No answer at all within the timeout: filtered (dropped) or the host is down.
    TimedOut,
    /// ICMP host/network unreachable or no route on this machine.
    Unreachable(String),
    /// ICMP administratively prohibited / local policy (EACCES, EPERM).
    Prohibited(String),
    /// Cannot bind to the requested source address or interface.
    SourceUnusable(String),
    /// The source address is of the other address family: this source cannot probe it.
    WrongFamily(String),
    /// Anything else, with the OS error text.
    Other(String),
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
            | libc_errno::ENETDOWN => return ConnectFailure::Unreachable(e.to_string()),
            libc_errno::EACCES | libc_errno::EPERM => {
                return ConnectFailure::Prohibited(e.to_string())
            }
            _ => {}
        }
    }
    match e.kind() {
        io::ErrorKind::ConnectionRefused => ConnectFailure::Refused,
        io::ErrorKind::ConnectionReset => ConnectFailure::ResetAfterConnect,
        io::ErrorKind::TimedOut => ConnectFailure::TimedOut,
        io::ErrorKind::HostUnreachable
        | io::ErrorKind::NetworkUnreachable
        | io::ErrorKind::NetworkDown => ConnectFailure::Unreachable(e.to_string()),
        io::ErrorKind::PermissionDenied => ConnectFailure::Prohibited(e.to_string()),
        _ => ConnectFailure::Other(e.to_string()),
    }
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
        .map_err(|e| ConnectFailure::Other(format!("socket: {e}")))?;
    if let Some(src) = source {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        if let Some(dev) = &src.interface {
            sock.bind_device(Some(dev.as_bytes())).map_err(|e| {
                ConnectFailure::SourceUnusable(format!("cannot bind to interface {dev}: {e}"))
            })?;
        }
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        if let Some(dev) = &src.interface {
            return Err(ConnectFailure::SourceUnusable(format!(
                "binding to interface {dev} is supported on Linux only; use a source address"
            )));
        }
        if let Some(addr) = src.address {
            if addr.is_ipv4() != family_of.is_ipv4() {
                return Err(ConnectFailure::WrongFamily(format!(
                    "source {addr} and destination {family_of} are different address families"
                )));
            }
            sock.bind(&SocketAddr::new(addr, 0).into()).map_err(|e| {
                ConnectFailure::SourceUnusable(format!("cannot bind to source {addr}: {e}"))
            })?;
        }
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    sock.set_nonblocking(true)
        .map_err(|e| ConnectFailure::Other(format!("socket: {e}")))?;
    Ok(sock)
}

/// A completed handshake.
pub struct Connected {
    pub stream: TcpStream,
    pub rtt: Duration,
    pub local: Option<SocketAddr>,
}

/// Connects with a timeout; the handshake time is the RTT estimate.
pub async fn connect(
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
            Ok(Connected { stream, rtt, local })
        }
    }
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
