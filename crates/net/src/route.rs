//! Which way traffic to an address would leave this machine, and what kind of interface that
//! is (physical, VPN/tunnel, other virtual), without sending anything.
//!
//! The source address comes from a connected UDP socket (bound like the probes are): the
//! kernel picks the route and the local address at `connect()`, and no packet is sent. This
//! is portable. On Linux the kernel is then asked over rtnetlink, in-process, for the route
//! it chose (the question `ip route get DST from SRC oif IF` asks, so policy routing is
//! included): interface and gateway; the link's kind (as `ip -d link show` gives it) and
//! `/sys/class/net` tell what kind of interface that is. Elsewhere the interface is found by
//! its address and the kind only by name. Every verdict carries the evidence it was decided on.

use crate::text::{self, Message};
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::time::Duration;

use serde_json::{json, Value};

pub use crate::netlink::{
    kernel_link, kernel_route, KernelLink, KernelQueryError, KernelRoute, LinkSelector,
};
use crate::source::Source;
use crate::tcp::{bound_socket, classify_connect_error, ConnectFailure};

/// What kind of interface traffic leaves through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfaceKind {
    /// A hardware NIC (has a bus device).
    Physical,
    /// A VPN or tunnel: tun, tap, WireGuard, PPP, IPsec/VTI/XFRM, GRE, IPIP, SIT, L2TP.
    Vpn,
    /// Another virtual interface: veth, bridge, VLAN, bond, macvlan, dummy, VXLAN, …
    Virtual,
    Loopback,
    /// Could not be told (non-Linux, or nothing conclusive).
    Unknown,
}

impl IfaceKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            IfaceKind::Physical => "physical",
            IfaceKind::Vpn => "vpn",
            IfaceKind::Virtual => "virtual",
            IfaceKind::Loopback => "loopback",
            IfaceKind::Unknown => "unknown",
        }
    }
}

/// An interface's kind, the detail (e.g. `tun`, `wireguard`, `veth`) and how it was decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IfaceInfo {
    pub name: String,
    pub kind: IfaceKind,
    pub detail: Option<String>,
    pub evidence: Vec<String>,
}

/// The path the OS would use to reach an address from a source.
#[derive(Debug, Clone)]
pub struct Egress {
    pub destination: IpAddr,
    pub local: IpAddr,
    pub interface: Option<IfaceInfo>,
    pub gateway: Option<IpAddr>,
    /// How the route was found (`connected UDP socket`, the kernel's route lookup, …).
    pub method: Vec<String>,
}

impl Egress {
    pub fn to_json(&self) -> Value {
        let (name, kind, detail, evidence) = match &self.interface {
            Some(i) => (
                Value::from(i.name.clone()),
                i.kind.as_str(),
                i.detail.clone().map(Value::from).unwrap_or(Value::Null),
                Value::from(i.evidence.clone()),
            ),
            None => (Value::Null, "unknown", Value::Null, Value::Array(vec![])),
        };
        json!({
            "destination": self.destination.to_string(),
            "local": self.local.to_string(),
            "local_subnet": subnet_of(self.local),
            "interface": name,
            "interface_kind": kind,
            "interface_type": detail,
            "kind_evidence": evidence,
            "gateway": self.gateway.map(|g| g.to_string()),
            "method": self.method,
        })
    }
}

/// Why no path was found.
#[derive(Debug, Clone)]
pub enum EgressFailure {
    /// The kernel has no route (ENETUNREACH / EHOSTUNREACH at connect time).
    NoRoute(Message),
    /// Source and destination families differ.
    WrongFamily(Message),
    /// The source cannot be used (address not local, interface missing, no privilege).
    SourceUnusable(Message),
    Other(Message),
}

/// Finds the egress for `dst` from `source` (or the OS's choice). Blocking calls (a UDP
/// connect, and on Linux two or three netlink requests) run on the blocking pool under
/// `timeout`.
pub async fn egress(
    dst: IpAddr,
    source: Option<&Source>,
    timeout: Duration,
) -> Result<Egress, EgressFailure> {
    let source = source.cloned();
    let work = tokio::task::spawn_blocking(move || egress_blocking(dst, source.as_ref()));
    match tokio::time::timeout(timeout, work).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => Err(EgressFailure::Other(text::route_lookup_failed(
            e.to_string(),
        ))),
        Err(_) => Err(EgressFailure::Other(text::route_lookup_timeout(
            text::ms_arg(timeout),
        ))),
    }
}

fn egress_blocking(dst: IpAddr, source: Option<&Source>) -> Result<Egress, EgressFailure> {
    if let Some(a) = source.and_then(|s| s.address) {
        if a.is_ipv4() != dst.is_ipv4() {
            return Err(EgressFailure::WrongFamily(text::wrong_family(a, dst)));
        }
    }
    // A connected UDP socket: the kernel resolves the route and source; nothing is sent.
    let sock = bound_socket(dst, socket2::Type::DGRAM, socket2::Protocol::UDP, source).map_err(
        |e| match e {
            ConnectFailure::SourceUnusable(m) => EgressFailure::SourceUnusable(m),
            ConnectFailure::WrongFamily(m) => EgressFailure::WrongFamily(m),
            ConnectFailure::Unreachable(m)
            | ConnectFailure::Prohibited(m)
            | ConnectFailure::Other(m) => EgressFailure::Other(m),
            other => EgressFailure::Other(text::os_error(other.class())),
        },
    )?;
    let std_sock: UdpSocket = sock.into();
    if let Err(e) = std_sock.connect(SocketAddr::new(dst, 9)) {
        return Err(match classify_connect_error(&e) {
            ConnectFailure::Unreachable(m) => EgressFailure::NoRoute(m),
            ConnectFailure::Prohibited(m) => EgressFailure::NoRoute(m),
            _ => EgressFailure::Other(text::os_error(e.to_string())),
        });
    }
    let local = std_sock
        .local_addr()
        .map_err(|e| EgressFailure::Other(text::local_address_failed(e.to_string())))?
        .ip();
    let mut out = Egress {
        destination: dst,
        local,
        interface: None,
        gateway: None,
        method: vec!["connected UDP socket (nothing sent)".into()],
    };
    platform::complete(&mut out, source);
    Ok(out)
}

/// Classifies an interface by name alone: the last resort, said so in the evidence.
pub fn kind_from_name(name: &str) -> Option<(IfaceKind, &'static str)> {
    const VPN: &[&str] = &[
        "tun",
        "tap",
        "utun",
        "wg",
        "ppp",
        "ipsec",
        "vti",
        "xfrm",
        "gre",
        "ipip",
        "sit",
        "l2tp",
        "gpd",
        "cscotun",
        "tailscale",
        "zt",
        "nordlynx",
        "proton",
        "mullvad",
    ];
    const VIRTUAL: &[&str] = &[
        "veth", "br", "docker", "virbr", "vlan", "bond", "dummy", "vxlan", "macvlan", "vmnet",
        "vboxnet", "cni", "flannel", "cali",
    ];
    let lower = name.to_ascii_lowercase();
    if lower == "lo" || lower.starts_with("lo0") || lower == "loopback" {
        return Some((IfaceKind::Loopback, "lo"));
    }
    if let Some(p) = VPN.iter().find(|p| lower.starts_with(**p)) {
        return Some((IfaceKind::Vpn, p));
    }
    if let Some(p) = VIRTUAL.iter().find(|p| lower.starts_with(**p)) {
        return Some((IfaceKind::Virtual, p));
    }
    None
}

/// Maps a Linux `linkinfo.info_kind` to a kind.
pub fn kind_from_link_kind(info_kind: &str) -> Option<IfaceKind> {
    Some(match info_kind {
        "tun" | "wireguard" | "ppp" | "vti" | "vti6" | "xfrm" | "ipip" | "ip6tnl" | "sit"
        | "gre" | "gretap" | "ip6gre" | "ip6gretap" | "erspan" | "l2tp" | "ipsec" | "geneve" => {
            IfaceKind::Vpn
        }
        "veth" | "bridge" | "vlan" | "macvlan" | "macvtap" | "ipvlan" | "bond" | "team"
        | "dummy" | "vxlan" | "vrf" | "ifb" | "nlmon" | "netkit" => IfaceKind::Virtual,
        _ => return None,
    })
}

/// Maps a Linux ARPHRD number (`/sys/class/net/<if>/type`).
pub fn kind_from_arphrd(t: u32) -> Option<(IfaceKind, &'static str)> {
    Some(match t {
        772 => (IfaceKind::Loopback, "loopback"),
        512 => (IfaceKind::Vpn, "ppp"),
        768 => (IfaceKind::Vpn, "ipip tunnel"),
        769 => (IfaceKind::Vpn, "ip6 tunnel"),
        776 => (IfaceKind::Vpn, "sit tunnel"),
        778 => (IfaceKind::Vpn, "gre tunnel"),
        823 => (IfaceKind::Vpn, "ip6gre tunnel"),
        // ARPHRD_NONE: layer-3 devices without link headers: tun and WireGuard.
        65534 => (IfaceKind::Vpn, "layer-3 tunnel (no link header)"),
        _ => return None,
    })
}

#[cfg(target_os = "linux")]
mod platform {
    use super::*;
    use std::path::Path;

    /// Adds interface and gateway from the kernel's route lookup, and the interface's kind;
    /// keeps the socket's answer when the kernel cannot be asked.
    pub fn complete(out: &mut Egress, source: Option<&Source>) {
        let dev = source.and_then(|s| s.interface.as_deref());
        let asked = format!(
            "kernel route lookup (netlink RTM_GETROUTE to {} from {}{})",
            out.destination,
            out.local,
            dev.map(|d| format!(" oif {d}")).unwrap_or_default()
        );
        match kernel_route(out.destination, Some(out.local), dev) {
            Ok(r) => {
                out.method.push(asked);
                out.gateway = r.gateway;
                if let Some(name) = &r.interface {
                    out.interface = Some(interface_info(name));
                }
            }
            Err(e) => out.method.push(format!("{asked} failed: {e}")),
        }
        if out.interface.is_none() {
            if let Some(name) = super::name_for_local(out.local) {
                out.method
                    .push("interface holding the local address".into());
                out.interface = Some(interface_info(&name));
            }
        }
    }

    fn sys(name: &str, file: &str) -> Option<String> {
        std::fs::read_to_string(Path::new("/sys/class/net").join(name).join(file))
            .ok()
            .map(|s| s.trim().to_string())
    }

    /// Decides the kind from the strongest evidence available: the kernel's link kind, tun
    /// flags, uevent DEVTYPE, a bus device, the ARP hardware type, then the name.
    pub fn interface_info(name: &str) -> IfaceInfo {
        let mut evidence = Vec::new();
        let mut kind = None;
        let mut detail: Option<String> = None;
        let link_kind = kernel_link(LinkSelector::Name(name))
            .ok()
            .and_then(|l| l.kind);
        if let Some(k) = &link_kind {
            evidence.push(format!("kernel link info (netlink): kind {k}"));
            kind = kind_from_link_kind(k);
            detail = Some(k.clone());
        }
        if let Some(flags) = sys(name, "tun_flags") {
            let bits = u32::from_str_radix(flags.trim_start_matches("0x"), 16).unwrap_or(0);
            let t = if bits & 0x2 != 0 { "tap" } else { "tun" };
            evidence.push(format!("/sys/class/net/{name}/tun_flags {flags} ({t})"));
            kind = Some(IfaceKind::Vpn);
            detail = Some(t.into());
        }
        if kind.is_none() {
            if let Some(devtype) = sys(name, "uevent").and_then(|u| {
                u.lines()
                    .find_map(|l| l.strip_prefix("DEVTYPE=").map(str::to_string))
            }) {
                evidence.push(format!("uevent DEVTYPE={devtype}"));
                kind = kind_from_link_kind(&devtype);
                detail = Some(devtype);
            }
        }
        if kind.is_none()
            && Path::new("/sys/class/net")
                .join(name)
                .join("device")
                .exists()
        {
            evidence.push(format!("/sys/class/net/{name}/device exists (bus device)"));
            kind = Some(IfaceKind::Physical);
        }
        if kind.is_none() {
            if let Some(t) = sys(name, "type").and_then(|t| t.parse::<u32>().ok()) {
                if let Some((k, d)) = kind_from_arphrd(t) {
                    evidence.push(format!("/sys/class/net/{name}/type {t} ({d})"));
                    kind = Some(k);
                    detail.get_or_insert_with(|| d.to_string());
                }
            }
        }
        if kind.is_none() {
            if let Some((k, p)) = kind_from_name(name) {
                evidence.push(format!("name starts with '{p}'"));
                kind = Some(k);
            }
        }
        IfaceInfo {
            name: name.to_string(),
            kind: kind.unwrap_or(IfaceKind::Unknown),
            detail,
            evidence,
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod platform {
    use super::*;

    /// Outside Linux: the interface that holds the local address; its kind by name only.
    pub fn complete(out: &mut Egress, _source: Option<&Source>) {
        out.method.push(format!(
            "no kernel route lookup: {}",
            KernelQueryError::Unsupported
        ));
        if let Some(name) = super::name_for_local(out.local) {
            out.method
                .push("interface holding the local address".into());
            out.interface = Some(interface_info(&name));
        }
    }

    pub fn interface_info(name: &str) -> IfaceInfo {
        let (kind, evidence) = match kind_from_name(name) {
            Some((k, p)) => (
                k,
                vec![format!(
                    "name starts with '{p}' (only the name is examined on this OS)"
                )],
            ),
            None => (
                IfaceKind::Unknown,
                vec!["only the name is examined on this OS; it is not conclusive".into()],
            ),
        };
        IfaceInfo {
            name: name.to_string(),
            kind,
            detail: None,
            evidence,
        }
    }
}

pub use platform::interface_info;

/// The interface that holds a local address.
fn name_for_local(local: IpAddr) -> Option<String> {
    if_addrs::get_if_addrs()
        .ok()?
        .into_iter()
        .find(|i| i.ip() == local)
        .map(|i| i.name)
}

/// The subnet (network/prefix) of a local address, e.g. `198.18.2.0/24`.
pub fn subnet_of(local: IpAddr) -> Option<String> {
    let iface = if_addrs::get_if_addrs()
        .ok()?
        .into_iter()
        .find(|i| i.ip() == local)?;
    match iface.addr {
        if_addrs::IfAddr::V4(v4) => {
            let bits = u32::from(v4.ip) & u32::from(v4.netmask);
            Some(format!(
                "{}/{}",
                std::net::Ipv4Addr::from(bits),
                v4.prefixlen
            ))
        }
        if_addrs::IfAddr::V6(v6) => {
            let bits = u128::from(v6.ip) & u128::from(v6.netmask);
            Some(format!(
                "{}/{}",
                std::net::Ipv6Addr::from(bits),
                v6.prefixlen
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_link_kinds() {
        assert_eq!(kind_from_name("tun0").unwrap().0, IfaceKind::Vpn);
        assert_eq!(kind_from_name("wg-corp").unwrap().0, IfaceKind::Vpn);
        assert_eq!(kind_from_name("ppp0").unwrap().0, IfaceKind::Vpn);
        assert_eq!(kind_from_name("veth12").unwrap().0, IfaceKind::Virtual);
        assert_eq!(kind_from_name("lo").unwrap().0, IfaceKind::Loopback);
        assert!(kind_from_name("eth0").is_none());
        assert_eq!(kind_from_link_kind("wireguard"), Some(IfaceKind::Vpn));
        assert_eq!(kind_from_link_kind("veth"), Some(IfaceKind::Virtual));
        assert_eq!(kind_from_link_kind("something-new"), None);
        assert_eq!(kind_from_arphrd(512).unwrap().0, IfaceKind::Vpn);
        assert_eq!(kind_from_arphrd(1), None);
    }

    #[tokio::test]
    async fn loopback_route_is_found_without_sending() {
        let e = egress("127.0.0.1".parse().unwrap(), None, Duration::from_secs(3))
            .await
            .expect("route to loopback");
        assert_eq!(e.local, "127.0.0.1".parse::<IpAddr>().unwrap());
        let i = e.interface.expect("interface");
        assert_eq!(i.name, "lo");
        assert_eq!(i.kind, IfaceKind::Loopback);
    }
}
