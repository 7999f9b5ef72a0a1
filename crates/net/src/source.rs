//! `--source` / `--interface`: parsing and validation against this machine, so a typo is a
//! clear usage error (exit 2) instead of every probe failing.

use std::net::{IpAddr, SocketAddr, UdpSocket};

/// Where probes leave from: an address to bind to and/or an interface to bind to (Linux).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Source {
    pub address: Option<IpAddr>,
    pub interface: Option<String>,
}

impl Source {
    pub fn label(&self) -> String {
        match (&self.address, &self.interface) {
            (Some(a), Some(i)) => format!("{a}%{i}"),
            (Some(a), None) => a.to_string(),
            (None, Some(i)) => format!("%{i}"),
            (None, None) => "default".to_string(),
        }
    }
}

/// Builds the sources: each `--source ADDR[%IFACE]` and each `--interface NAME` is one.
pub fn parse_sources(addresses: &[String], interfaces: &[String]) -> Result<Vec<Source>, String> {
    let mut out: Vec<Source> = Vec::new();
    for a in addresses {
        let (addr, iface) = match a.trim().split_once('%') {
            Some((a, i)) => (a, Some(i)),
            None => (a.trim(), None),
        };
        let ip: IpAddr = addr.trim_start_matches('[').trim_end_matches(']').parse().map_err(|_| {
            format!("--source {a:?}: not an IP address (expected ADDR or ADDR%INTERFACE, e.g. 10.1.2.3 or 10.1.2.3%eth1)")
        })?;
        check_address(ip).map_err(|e| format!("--source {a:?}: {e}"))?;
        let interface = match iface {
            Some(i) => {
                check_interface(i).map_err(|e| format!("--source {a:?}: {e}"))?;
                Some(i.to_string())
            }
            None => None,
        };
        push(
            &mut out,
            Source {
                address: Some(ip),
                interface,
            },
        );
    }
    for i in interfaces {
        check_interface(i).map_err(|e| format!("--interface {i:?}: {e}"))?;
        push(
            &mut out,
            Source {
                address: None,
                interface: Some(i.clone()),
            },
        );
    }
    Ok(out)
}

fn push(out: &mut Vec<Source>, s: Source) {
    if !out.contains(&s) {
        out.push(s);
    }
}

/// The address must be configured here: binding to it is the test the probes will do.
pub fn check_address(ip: IpAddr) -> Result<(), String> {
    if ip.is_unspecified() || ip.is_multicast() {
        return Err(format!("{ip} cannot be a source address"));
    }
    UdpSocket::bind(SocketAddr::new(ip, 0)).map(|_| ()).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrNotAvailable {
            format!("{ip} is not an address of this machine (bind: {e}); list them with: ip -brief address (Windows: ipconfig)")
        } else {
            format!("cannot use {ip} as a source (bind: {e})")
        }
    })
}

/// The interface must exist, and on Linux this process must be allowed to bind to it.
pub fn check_interface(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("empty interface name".into());
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        return Err(format!(
            "binding to an interface is supported on Linux only; use --source with the address of {name}"
        ));
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        if !interface_exists(name) {
            return Err(format!(
                "no interface named {name} on this machine; list them with: ip -brief link"
            ));
        }
        let sock = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::DGRAM, None)
            .map_err(|e| format!("socket: {e}"))?;
        sock.bind_device(Some(name.as_bytes())).map_err(|e| {
            if e.raw_os_error() == Some(1) {
                format!("binding to interface {name} needs root or CAP_NET_RAW ({e})")
            } else {
                format!("cannot bind to interface {name}: {e}")
            }
        })
    }
}

/// True when this machine has a network interface called `name`.
pub fn interface_exists(name: &str) -> bool {
    #[cfg(target_os = "linux")]
    if std::path::Path::new("/sys/class/net").join(name).exists() {
        return true;
    }
    if_addrs::get_if_addrs()
        .map(|l| l.iter().any(|i| i.name == name))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_source_is_accepted_and_foreign_address_rejected() {
        let s = parse_sources(&["127.0.0.1".into(), "127.0.0.1".into()], &[]).unwrap();
        assert_eq!(
            s,
            vec![Source {
                address: Some("127.0.0.1".parse().unwrap()),
                interface: None
            }]
        );
        let e = parse_sources(&["192.0.2.77".into()], &[]).unwrap_err();
        assert!(e.contains("not an address of this machine"), "{e}");
        let e = parse_sources(&["not-an-ip".into()], &[]).unwrap_err();
        assert!(e.contains("not an IP address"), "{e}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn missing_interface_is_rejected() {
        let e = parse_sources(&[], &["nosuch-if0".into()]).unwrap_err();
        assert!(e.contains("no interface named nosuch-if0"), "{e}");
    }
}
