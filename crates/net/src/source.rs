//! `--source` / `--interface`: parsing and validation against this machine, so a typo is a
//! clear usage error (exit 2) instead of every probe failing.

use std::net::{IpAddr, SocketAddr, UdpSocket};

use crate::text::{self, Message};

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

/// Builds the sources: each `--source ADDR[%IFACE]` and each `--interface NAME` is one. A
/// refusal names the flag and the value it was given.
pub fn parse_sources(addresses: &[String], interfaces: &[String]) -> Result<Vec<Source>, Message> {
    let mut out: Vec<Source> = Vec::new();
    for a in addresses {
        let (addr, iface) = match a.trim().split_once('%') {
            Some((a, i)) => (a, Some(i)),
            None => (a.trim(), None),
        };
        let refused = |reason: Message| text::source_flag("--source", format!("{a:?}"), reason);
        let ip: IpAddr = addr
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .map_err(|_| refused(text::source_not_ip()))?;
        check_address(ip).map_err(refused)?;
        let interface = match iface {
            Some(i) => {
                check_interface(i).map_err(refused)?;
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
        check_interface(i)
            .map_err(|reason| text::source_flag("--interface", format!("{i:?}"), reason))?;
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
pub fn check_address(ip: IpAddr) -> Result<(), Message> {
    if ip.is_unspecified() || ip.is_multicast() {
        return Err(text::source_never(ip.to_string()));
    }
    UdpSocket::bind(SocketAddr::new(ip, 0))
        .map(|_| ())
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AddrNotAvailable {
                text::source_not_local(ip.to_string(), e.to_string())
            } else {
                text::source_unusable(ip.to_string(), e.to_string())
            }
        })
}

/// The interface must exist, and on Linux this process must be allowed to bind to it.
pub fn check_interface(name: &str) -> Result<(), Message> {
    if name.is_empty() {
        return Err(text::interface_empty());
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        return Err(text::interface_not_linux(name));
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        if !interface_exists(name) {
            return Err(text::interface_missing(name));
        }
        let sock = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::DGRAM, None)
            .map_err(|e| text::io("socket", e.to_string()))?;
        sock.bind_device(Some(name.as_bytes())).map_err(|e| {
            if e.raw_os_error() == Some(1) {
                text::interface_needs_privilege(name, e.to_string())
            } else {
                text::bind_interface(name, e.to_string())
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
        let reason = |e: &Message| match e.get("reason") {
            Some(kms_preflight_message::Arg::Message(m)) => m.id.to_string(),
            other => panic!("no reason: {other:?}"),
        };
        let e = parse_sources(&["192.0.2.77".into()], &[]).unwrap_err();
        assert_eq!(e.id, "net-source-flag");
        assert_eq!(reason(&e), "net-source-not-local", "{e:?}");
        let e = parse_sources(&["not-an-ip".into()], &[]).unwrap_err();
        assert_eq!(reason(&e), "net-source-not-ip", "{e:?}");
        let e = parse_sources(&["0.0.0.0".into()], &[]).unwrap_err();
        assert_eq!(reason(&e), "net-source-never", "{e:?}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn missing_interface_is_rejected() {
        let e = parse_sources(&[], &["nosuch-if0".into()]).unwrap_err();
        assert_eq!(e.get("flag"), Some(&"--interface".into()), "{e:?}");
        match e.get("reason") {
            Some(kms_preflight_message::Arg::Message(m)) => {
                assert_eq!(m.id, "net-interface-missing", "{e:?}")
            }
            other => panic!("no reason: {other:?}"),
        }
    }
}
