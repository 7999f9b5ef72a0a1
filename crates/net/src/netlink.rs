//! Asking the Linux kernel over rtnetlink, in-process (netlink-packet-route + netlink-sys): the
//! route it would use for a destination (what `ip route get DEST from SRC oif IF` prints) and
//! the kind of a link (`ip -d link show`'s `linkinfo.info_kind`). Blocking, one request and
//! its answer per call, each receive bounded by [`KERNEL_WAIT`]; callers run them on the
//! blocking pool. Elsewhere than Linux every call answers [`KernelQueryError::Unsupported`].

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

/// Longest wait for the kernel's answer to one request (it answers in microseconds; this only
/// keeps a blocking thread from hanging on a kernel that never does).
pub const KERNEL_WAIT: Duration = Duration::from_secs(2);

/// The kernel's answer to a route lookup (`RTM_GETROUTE` for one destination).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KernelRoute {
    /// Output interface (RTA_OIF) and its name.
    pub oif: Option<u32>,
    pub interface: Option<String>,
    /// Next hop (RTA_GATEWAY, or RTA_VIA for a gateway of the other family); none on-link.
    pub gateway: Option<IpAddr>,
    /// The source address the kernel would use (RTA_PREFSRC), when it names one.
    pub prefsrc: Option<IpAddr>,
    /// The routing table the answer came from (RTA_TABLE with RTM_F_LOOKUP_TABLE): shows
    /// policy routing at work.
    pub table: Option<u32>,
}

/// A link as the kernel describes it (`RTM_GETLINK`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelLink {
    pub index: u32,
    pub name: String,
    /// IFLA_INFO_KIND (`tun`, `wireguard`, `veth`, …); none for devices without link ops
    /// (physical NICs, loopback).
    pub kind: Option<String>,
}

/// Why the kernel could not be asked, or what it said instead of an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KernelQueryError {
    /// Not Linux: there is no rtnetlink to ask.
    Unsupported,
    /// The kernel refused the request with this errno (ENETUNREACH, ENODEV, EINVAL, …).
    Refused { errno: i32, message: String },
    /// The netlink socket failed, the answer did not come within [`KERNEL_WAIT`], or it could
    /// not be decoded.
    Io(String),
}

impl fmt::Display for KernelQueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KernelQueryError::Unsupported => write!(
                f,
                "route and link lookups over netlink are not supported on this OS (Linux only)"
            ),
            KernelQueryError::Refused { message, .. } => write!(f, "the kernel said: {message}"),
            KernelQueryError::Io(e) => write!(f, "netlink: {e}"),
        }
    }
}

/// Which link to describe.
#[derive(Debug, Clone, Copy)]
pub enum LinkSelector<'a> {
    Index(u32),
    Name(&'a str),
}

#[cfg(target_os = "linux")]
pub use linux::{kernel_link, kernel_route};

#[cfg(target_os = "linux")]
mod linux {
    use super::*;
    use std::os::fd::AsRawFd;

    use netlink_packet_core::{
        NetlinkHeader, NetlinkMessage, NetlinkPayload, NLM_F_ACK, NLM_F_REQUEST,
    };
    use netlink_packet_route::link::{LinkAttribute, LinkInfo, LinkMessage};
    use netlink_packet_route::route::{
        RouteAddress, RouteAttribute, RouteFlags, RouteHeader, RouteMessage, RouteVia,
    };
    use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};
    use netlink_sys::{protocols::NETLINK_ROUTE, Socket, SocketAddr};

    fn io(what: &str, e: std::io::Error) -> KernelQueryError {
        KernelQueryError::Io(format!("{what}: {e}"))
    }

    /// Sends one request and collects the messages of its answer up to the kernel's ACK.
    fn request(msg: RouteNetlinkMessage) -> Result<Vec<RouteNetlinkMessage>, KernelQueryError> {
        let mut socket = Socket::new(NETLINK_ROUTE).map_err(|e| io("socket", e))?;
        socket.bind_auto().map_err(|e| io("bind", e))?;
        socket
            .connect(&SocketAddr::new(0, 0))
            .map_err(|e| io("connect", e))?;
        set_receive_timeout(&socket, KERNEL_WAIT)?;
        let mut header = NetlinkHeader::default();
        // A request for one object (no NLM_F_DUMP), acknowledged so the answer has an end.
        header.flags = NLM_F_REQUEST | NLM_F_ACK;
        header.sequence_number = 1;
        let mut packet = NetlinkMessage::new(header, NetlinkPayload::from(msg));
        packet.finalize();
        let mut buf = vec![0u8; packet.buffer_len()];
        packet.serialize(&mut buf);
        socket.send(&buf, 0).map_err(|e| io("send", e))?;
        let mut out = Vec::new();
        // Bounded: each receive waits at most KERNEL_WAIT, and an answer is a few datagrams.
        for _ in 0..16 {
            let mut rx: Vec<u8> = Vec::with_capacity(1 << 16);
            let n = socket.recv(&mut rx, 0).map_err(|e| {
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) {
                    KernelQueryError::Io(format!(
                        "no answer from the kernel within {}",
                        humantime::format_duration(KERNEL_WAIT)
                    ))
                } else {
                    io("receive", e)
                }
            })?;
            let mut offset = 0;
            while offset < n {
                let m = <NetlinkMessage<RouteNetlinkMessage>>::deserialize(&rx[offset..n])
                    .map_err(|e| KernelQueryError::Io(format!("undecodable answer: {e}")))?;
                let len = m.header.length as usize;
                let seq = m.header.sequence_number;
                match m.payload {
                    _ if seq != 1 => {}
                    NetlinkPayload::InnerMessage(inner) => out.push(inner),
                    NetlinkPayload::Error(e) => match e.code {
                        None => return Ok(out), // the ACK: the answer is complete
                        Some(code) => {
                            let errno = -code.get();
                            let text = std::io::Error::from_raw_os_error(errno).to_string();
                            let message = match text.split_once(" (os error") {
                                Some((m, _)) => m.to_string(),
                                None => text,
                            };
                            return Err(KernelQueryError::Refused { errno, message });
                        }
                    },
                    NetlinkPayload::Done(_) => return Ok(out),
                    _ => {}
                }
                if len == 0 {
                    break;
                }
                offset += len;
            }
        }
        Err(KernelQueryError::Io(
            "the kernel's answer did not end".into(),
        ))
    }

    fn set_receive_timeout(socket: &Socket, wait: Duration) -> Result<(), KernelQueryError> {
        let tv = libc::timeval {
            tv_sec: wait.as_secs() as libc::time_t,
            tv_usec: wait.subsec_micros() as libc::suseconds_t,
        };
        // SAFETY: a valid socket descriptor and a timeval of the size passed.
        let rc = unsafe {
            libc::setsockopt(
                socket.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_RCVTIMEO,
                (&tv as *const libc::timeval).cast(),
                std::mem::size_of::<libc::timeval>() as libc::socklen_t,
            )
        };
        if rc != 0 {
            return Err(io("SO_RCVTIMEO", std::io::Error::last_os_error()));
        }
        Ok(())
    }

    fn ip_of(a: &RouteAddress) -> Option<IpAddr> {
        match a {
            RouteAddress::Inet(v4) => Some(IpAddr::V4(*v4)),
            RouteAddress::Inet6(v6) => Some(IpAddr::V6(*v6)),
            _ => None,
        }
    }

    fn family(ip: IpAddr) -> (AddressFamily, u8) {
        match ip {
            IpAddr::V4(_) => (AddressFamily::Inet, 32),
            IpAddr::V6(_) => (AddressFamily::Inet6, 128),
        }
    }

    /// The route the kernel would use for `dst`, from `src` and out of `oif` when given: the
    /// request `ip route get DST [from SRC] [oif IF]` sends (RTA_DST, RTA_SRC, RTA_OIF with
    /// full-length prefixes; table, protocol, scope and type left zero), so the policy rules
    /// (`ip rule`) are consulted exactly as for that command and for a socket. One flag more,
    /// RTM_F_LOOKUP_TABLE, only makes the kernel report the table the answer came from (without
    /// it RTA_TABLE says "main" whatever rule decided); the lookup itself is the same.
    pub fn kernel_route(
        dst: IpAddr,
        src: Option<IpAddr>,
        oif: Option<&str>,
    ) -> Result<KernelRoute, KernelQueryError> {
        let (fam, bits) = family(dst);
        let mut msg = RouteMessage::default();
        msg.header.address_family = fam;
        msg.header.destination_prefix_length = bits;
        msg.header.table = RouteHeader::RT_TABLE_UNSPEC;
        msg.header.flags = RouteFlags::LookupTable;
        msg.attributes
            .push(RouteAttribute::Destination(RouteAddress::from(dst)));
        if let Some(s) = src {
            msg.header.source_prefix_length = family(s).1;
            msg.attributes
                .push(RouteAttribute::Source(RouteAddress::from(s)));
        }
        if let Some(name) = oif {
            let link = kernel_link(LinkSelector::Name(name))?;
            msg.attributes.push(RouteAttribute::Oif(link.index));
        }
        let answer = request(RouteNetlinkMessage::GetRoute(msg))?;
        let route = answer
            .into_iter()
            .find_map(|m| match m {
                RouteNetlinkMessage::NewRoute(r) => Some(r),
                _ => None,
            })
            .ok_or_else(|| KernelQueryError::Io("the answer holds no route".into()))?;
        let mut out = KernelRoute {
            table: Some(u32::from(route.header.table)),
            ..Default::default()
        };
        for a in &route.attributes {
            match a {
                RouteAttribute::Oif(i) => out.oif = Some(*i),
                RouteAttribute::Gateway(g) => out.gateway = ip_of(g),
                RouteAttribute::Via(RouteVia::Inet(v4)) => out.gateway = Some(IpAddr::V4(*v4)),
                RouteAttribute::Via(RouteVia::Inet6(v6)) => out.gateway = Some(IpAddr::V6(*v6)),
                RouteAttribute::PrefSource(p) => out.prefsrc = ip_of(p),
                RouteAttribute::Table(t) => out.table = Some(*t),
                _ => {}
            }
        }
        if let Some(i) = out.oif {
            out.interface = Some(kernel_link(LinkSelector::Index(i))?.name);
        }
        Ok(out)
    }

    /// A link's index, name and kind, by index or by name.
    pub fn kernel_link(which: LinkSelector<'_>) -> Result<KernelLink, KernelQueryError> {
        let mut msg = LinkMessage::default();
        match which {
            LinkSelector::Index(i) => msg.header.index = i,
            LinkSelector::Name(n) => msg.attributes.push(LinkAttribute::IfName(n.to_string())),
        }
        let answer = request(RouteNetlinkMessage::GetLink(msg))?;
        let link = answer
            .into_iter()
            .find_map(|m| match m {
                RouteNetlinkMessage::NewLink(l) => Some(l),
                _ => None,
            })
            .ok_or_else(|| KernelQueryError::Io("the answer holds no link".into()))?;
        let mut out = KernelLink {
            index: link.header.index,
            name: String::new(),
            kind: None,
        };
        for a in &link.attributes {
            match a {
                LinkAttribute::IfName(n) => out.name = n.clone(),
                LinkAttribute::LinkInfo(infos) => {
                    for i in infos {
                        if let LinkInfo::Kind(k) = i {
                            out.kind = Some(k.to_string());
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(out)
    }
}

/// Elsewhere than Linux: no rtnetlink.
#[cfg(not(target_os = "linux"))]
pub fn kernel_route(
    _dst: IpAddr,
    _src: Option<IpAddr>,
    _oif: Option<&str>,
) -> Result<KernelRoute, KernelQueryError> {
    Err(KernelQueryError::Unsupported)
}

/// Elsewhere than Linux: no rtnetlink.
#[cfg(not(target_os = "linux"))]
pub fn kernel_link(_which: LinkSelector<'_>) -> Result<KernelLink, KernelQueryError> {
    Err(KernelQueryError::Unsupported)
}
