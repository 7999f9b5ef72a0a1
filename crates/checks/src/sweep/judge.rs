//! What the sweep concludes, without I/O: the service class of an open port (from the shared
//! RPC classification), the state of a port that did not accept, how an address compares with
//! what DNS publishes, and the status that follows.

use std::collections::BTreeMap;
use std::net::IpAddr;

use kms_preflight_engine::Status;
use kms_preflight_net::tcp::ConnectFailure;

use crate::common::rpc::RpcVerdict;

/// What answered on a port that accepted the handshake (the `service` of a listener).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Service {
    /// The bind to the KMS interface was accepted.
    Kms,
    /// A DCE/RPC runtime that rejected or does not know the interface (bind_nak, provider
    /// rejection, fault, another PDU, a broken PDU).
    RpcOther,
    /// Another protocol answered.
    NotRpc,
    /// Accepted, and said nothing (no byte within the timeout, or closed without one).
    Silent,
    /// Reset, right after the handshake or in answer to the bind.
    Reset,
    /// A local socket error: nothing can be said about the peer.
    Error,
}

impl Service {
    pub const ALL: [Service; 6] = [
        Service::Kms,
        Service::RpcOther,
        Service::NotRpc,
        Service::Silent,
        Service::Reset,
        Service::Error,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Service::Kms => "kms",
            Service::RpcOther => "rpc-other",
            Service::NotRpc => "not-rpc",
            Service::Silent => "silent",
            Service::Reset => "reset",
            Service::Error => "error",
        }
    }

    /// Of a bind exchange's verdict (the classification `kms-rpc` uses).
    pub fn of(v: &RpcVerdict) -> Service {
        match v {
            RpcVerdict::Accepted { .. } => Service::Kms,
            RpcVerdict::Rejected { .. }
            | RpcVerdict::Nak(_)
            | RpcVerdict::Fault(_)
            | RpcVerdict::UnexpectedPdu { .. }
            | RpcVerdict::Malformed { .. } => Service::RpcOther,
            RpcVerdict::NotRpc { .. } => Service::NotRpc,
            RpcVerdict::Silent | RpcVerdict::Closed => Service::Silent,
            RpcVerdict::Reset => Service::Reset,
            RpcVerdict::Error(_) => Service::Error,
        }
    }
}

/// A port that did not accept (the `service` of a port listed although nothing answered).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum PortState {
    /// RST in answer to SYN: nothing listens.
    Closed,
    /// No answer within the timeout, or ICMP administratively prohibited.
    Filtered,
    /// No route, or the host does not answer ARP / neighbour discovery (EHOSTUNREACH).
    Unreachable,
    /// The probe could not be sent (source unusable, local error).
    Error,
}

impl PortState {
    pub const ALL: [PortState; 4] = [
        PortState::Closed,
        PortState::Filtered,
        PortState::Unreachable,
        PortState::Error,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PortState::Closed => "closed",
            PortState::Filtered => "filtered",
            PortState::Unreachable => "unreachable",
            PortState::Error => "error",
        }
    }

    /// Of a failed connect. `None` for a handshake that completed and was reset at once:
    /// that port is open (service `reset`).
    pub fn of(f: &ConnectFailure) -> Option<PortState> {
        Some(match f {
            ConnectFailure::Refused => PortState::Closed,
            ConnectFailure::ResetAfterConnect => return None,
            ConnectFailure::TimedOut | ConnectFailure::Prohibited(_) => PortState::Filtered,
            ConnectFailure::Unreachable(_) => PortState::Unreachable,
            ConnectFailure::SourceUnusable(_)
            | ConnectFailure::WrongFamily(_)
            | ConnectFailure::Other(_) => PortState::Error,
        })
    }
}

/// How an address compares with DNS and the inventory (the `published` of a port).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Publication {
    /// An address of an SRV target.
    Published,
    /// An address of a host in `srv.inventory`'s `forbidden_hosts` (wins over published).
    Forbidden,
    /// Not published, but an address of a host in `srv.inventory`'s `hosts` (allow-list).
    Allowed,
    /// A KMS listener that is none of the above.
    Rogue,
    /// Another listener that is none of the above.
    NotPublished,
}

impl Publication {
    pub fn as_str(self) -> &'static str {
        match self {
            Publication::Published => "published",
            Publication::Forbidden => "forbidden",
            Publication::Allowed => "allowed",
            Publication::Rogue => "rogue",
            Publication::NotPublished => "not-published",
        }
    }
}

/// One SRV record that names an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrvRef {
    /// `_vlmcs._tcp.corp.example`
    pub name: String,
    pub target: String,
    pub port: u16,
}

/// What DNS and the inventory say about each address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressInfo {
    pub srv: Vec<SrvRef>,
    pub forbidden: Vec<String>,
    pub allowed: Vec<String>,
}

impl AddressInfo {
    /// Every host name the address stands for, SRV targets first.
    pub fn hosts(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for h in self
            .srv
            .iter()
            .map(|s| &s.target)
            .chain(&self.forbidden)
            .chain(&self.allowed)
        {
            if !out.contains(h) {
                out.push(h.clone());
            }
        }
        out
    }
}

/// The comparison basis: addresses of SRV targets and inventory hosts.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    pub by_addr: BTreeMap<IpAddr, AddressInfo>,
}

impl Directory {
    pub fn get(&self, ip: IpAddr) -> Option<&AddressInfo> {
        self.by_addr.get(&ip)
    }

    /// How a listener (`kms` or not) at `ip` compares.
    pub fn publication(&self, ip: IpAddr, kms: bool) -> Publication {
        match self.get(ip) {
            Some(i) if !i.forbidden.is_empty() => Publication::Forbidden,
            Some(i) if !i.srv.is_empty() => Publication::Published,
            Some(i) if !i.allowed.is_empty() => Publication::Allowed,
            _ if kms => Publication::Rogue,
            _ => Publication::NotPublished,
        }
    }

    /// Whether `ip:port` is published by an SRV record: a client would try it.
    pub fn published_endpoint(&self, ip: IpAddr, port: u16) -> bool {
        self.get(ip)
            .is_some_and(|i| i.srv.iter().any(|s| s.port == port))
    }
}

/// The status of an open port. `publication` is None when no comparison was made.
pub fn open_status(
    service: Service,
    publication: Option<Publication>,
    published_endpoint: bool,
) -> Status {
    match (service, publication) {
        (Service::Error, _) => Status::Error,
        (Service::Kms, Some(Publication::Forbidden)) => Status::Fail,
        (Service::Kms, Some(Publication::Rogue)) => Status::Warn,
        (Service::Kms, _) => Status::Pass,
        // A client would try this endpoint, and it is not KMS.
        (_, Some(Publication::Published)) if published_endpoint => Status::Fail,
        // Cannot be verified: a KMS host behind an IPS, a hung sppsvc, or something else.
        (Service::Silent | Service::Reset, _) => Status::Warn,
        (Service::RpcOther | Service::NotRpc, _) => Status::Pass,
    }
}

/// The status of a port that did not accept: a published endpoint that does not answer
/// fails (a stale record, seen from the network side); anything else is just not a listener.
pub fn closed_status(state: PortState, published_endpoint: bool) -> Status {
    match state {
        PortState::Error => Status::Error,
        _ if published_endpoint => Status::Fail,
        _ => Status::Pass,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kms_preflight_wire::dcerpc::{BindNak, PduHeader, PTYPE_BIND_NAK};

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn services_follow_the_rpc_verdict() {
        let nak = RpcVerdict::Nak(BindNak {
            header: PduHeader::new(PTYPE_BIND_NAK, 3, 2),
            reason: 4,
            versions: vec![(5, 0)],
            signature: None,
        });
        assert_eq!(Service::of(&nak), Service::RpcOther);
        assert_eq!(
            Service::of(&RpcVerdict::NotRpc {
                bytes: b"HTTP/1.0".to_vec()
            }),
            Service::NotRpc
        );
        assert_eq!(Service::of(&RpcVerdict::Silent), Service::Silent);
        assert_eq!(Service::of(&RpcVerdict::Closed), Service::Silent);
        assert_eq!(Service::of(&RpcVerdict::Reset), Service::Reset);
        assert_eq!(
            Service::of(&RpcVerdict::Malformed { why: "x".into() }),
            Service::RpcOther
        );
        assert_eq!(
            PortState::of(&ConnectFailure::Refused),
            Some(PortState::Closed)
        );
        assert_eq!(
            PortState::of(&ConnectFailure::TimedOut),
            Some(PortState::Filtered)
        );
        assert_eq!(
            PortState::of(&ConnectFailure::Unreachable(
                kms_preflight_net::text::os_error("x")
            )),
            Some(PortState::Unreachable)
        );
        assert_eq!(PortState::of(&ConnectFailure::ResetAfterConnect), None);
    }

    fn directory() -> Directory {
        let mut d = Directory::default();
        let srv = |t: &str| SrvRef {
            name: "_vlmcs._tcp.corp.test".into(),
            target: t.into(),
            port: 1688,
        };
        d.by_addr.insert(
            ip("198.18.2.10"),
            AddressInfo {
                srv: vec![srv("kms1.corp.test")],
                ..Default::default()
            },
        );
        d.by_addr.insert(
            ip("198.18.2.11"),
            AddressInfo {
                srv: vec![srv("kms-old.corp.test")],
                forbidden: vec!["kms-old.corp.test".into()],
                ..Default::default()
            },
        );
        d.by_addr.insert(
            ip("198.18.2.12"),
            AddressInfo {
                allowed: vec!["kms-lab.corp.test".into()],
                ..Default::default()
            },
        );
        d
    }

    #[test]
    fn publication_and_status() {
        let d = directory();
        let pubof = |a: &str, kms| d.publication(ip(a), kms);
        assert_eq!(pubof("198.18.2.10", true), Publication::Published);
        assert_eq!(pubof("198.18.2.11", true), Publication::Forbidden);
        assert_eq!(pubof("198.18.2.12", true), Publication::Allowed);
        assert_eq!(pubof("198.18.2.13", true), Publication::Rogue);
        assert_eq!(pubof("198.18.2.13", false), Publication::NotPublished);
        assert!(d.published_endpoint(ip("198.18.2.10"), 1688));
        assert!(!d.published_endpoint(ip("198.18.2.10"), 1689));
        assert!(!d.published_endpoint(ip("198.18.2.12"), 1688));

        use Publication::*;
        use Service::*;
        assert_eq!(open_status(Kms, Some(Published), true), Status::Pass);
        assert_eq!(open_status(Kms, Some(Allowed), false), Status::Pass);
        assert_eq!(open_status(Kms, Some(Rogue), false), Status::Warn);
        assert_eq!(open_status(Kms, Some(Forbidden), true), Status::Fail);
        assert_eq!(open_status(Kms, None, false), Status::Pass);
        assert_eq!(open_status(NotRpc, Some(Published), true), Status::Fail);
        assert_eq!(open_status(NotRpc, Some(NotPublished), false), Status::Pass);
        assert_eq!(open_status(RpcOther, None, false), Status::Pass);
        assert_eq!(open_status(Silent, Some(NotPublished), false), Status::Warn);
        assert_eq!(open_status(Reset, Some(Published), true), Status::Fail);
        assert_eq!(closed_status(PortState::Filtered, true), Status::Fail);
        assert_eq!(closed_status(PortState::Closed, false), Status::Pass);
        assert_eq!(
            d.get(ip("198.18.2.11")).unwrap().hosts(),
            ["kms-old.corp.test"]
        );
    }
}
