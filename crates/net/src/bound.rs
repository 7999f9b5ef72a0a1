//! A hickory runtime provider whose sockets leave from a chosen [`Source`]: the source address
//! (which hickory supports itself) and, on Linux, the interface (`SO_BINDTODEVICE`), which
//! hickory's streams cannot take. Hickory creates every UDP and TCP socket through
//! [`RuntimeProvider`], so wrapping the Tokio provider is enough to make DNS queries honour
//! `--interface` exactly like the TCP probes do (`net::tcp::bound_socket`): no address
//! lookup for the interface, no guessing of which address family it has.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Duration;

use hickory_resolver::net::runtime::iocompat::AsyncIoTokioAsStd;
use hickory_resolver::net::runtime::{
    RuntimeProvider, TokioHandle, TokioRuntimeProvider, TokioTime,
};
use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::{TcpSocket, TcpStream, UdpSocket};

use crate::source::Source;

/// The Tokio provider plus an interface to bind every socket to.
#[derive(Clone, Default)]
pub struct BoundProvider {
    inner: TokioRuntimeProvider,
    interface: Option<String>,
}

impl BoundProvider {
    pub fn for_source(source: Option<&Source>) -> BoundProvider {
        BoundProvider {
            inner: TokioRuntimeProvider::default(),
            interface: source.and_then(|s| s.interface.clone()),
        }
    }
}

/// A socket of the family of `peer`, bound to `interface` (Linux) and then to `local`.
fn socket_for(
    peer: SocketAddr,
    ty: Type,
    protocol: Protocol,
    interface: Option<&str>,
    local: Option<SocketAddr>,
) -> io::Result<Socket> {
    let domain = if peer.is_ipv4() {
        Domain::IPV4
    } else {
        Domain::IPV6
    };
    let sock = Socket::new(domain, ty, Some(protocol))?;
    if let Some(dev) = interface {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        sock.bind_device(Some(dev.as_bytes())).map_err(|e| {
            io::Error::new(e.kind(), format!("cannot bind to interface {dev}: {e}"))
        })?;
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        return Err(io::Error::new(
            io::ErrorKind::Unsupported,
            format!("binding to interface {dev} is supported on Linux only"),
        ));
    }
    if let Some(local) = local {
        sock.bind(&local.into())?;
    }
    sock.set_nonblocking(true)?;
    Ok(sock)
}

impl RuntimeProvider for BoundProvider {
    type Handle = TokioHandle;
    type Timer = TokioTime;
    type Udp = UdpSocket;
    type Tcp = AsyncIoTokioAsStd<TcpStream>;

    fn create_handle(&self) -> Self::Handle {
        self.inner.create_handle()
    }

    fn connect_tcp(
        &self,
        server_addr: SocketAddr,
        bind_addr: Option<SocketAddr>,
        timeout: Option<Duration>,
    ) -> Pin<Box<dyn Send + Future<Output = Result<Self::Tcp, io::Error>>>> {
        if self.interface.is_none() {
            return self.inner.connect_tcp(server_addr, bind_addr, timeout);
        }
        let interface = self.interface.clone();
        Box::pin(async move {
            let sock = socket_for(
                server_addr,
                Type::STREAM,
                Protocol::TCP,
                interface.as_deref(),
                bind_addr,
            )?;
            let std_stream: std::net::TcpStream = sock.into();
            let tsock = TcpSocket::from_std_stream(std_stream);
            tsock.set_nodelay(true)?;
            let wait = timeout.unwrap_or(Duration::from_secs(5));
            match tokio::time::timeout(wait, tsock.connect(server_addr)).await {
                Ok(Ok(s)) => Ok(AsyncIoTokioAsStd(s)),
                Ok(Err(e)) => Err(e),
                Err(_) => Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "TCP connect timed out",
                )),
            }
        })
    }

    fn bind_udp(
        &self,
        local_addr: SocketAddr,
        server_addr: SocketAddr,
    ) -> Pin<Box<dyn Send + Future<Output = Result<Self::Udp, io::Error>>>> {
        if self.interface.is_none() {
            return self.inner.bind_udp(local_addr, server_addr);
        }
        let interface = self.interface.clone();
        Box::pin(async move {
            let sock = socket_for(
                server_addr,
                Type::DGRAM,
                Protocol::UDP,
                interface.as_deref(),
                Some(local_addr),
            )?;
            UdpSocket::from_std(sock.into())
        })
    }
}
