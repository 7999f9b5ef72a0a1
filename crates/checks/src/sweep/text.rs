//! The messages of the sweep's results: what answered, how it compares with DNS, and what to
//! do.

use std::net::SocketAddr;
use std::time::Duration;

use super::judge::{AddressInfo, PortState, Publication, Service};
use super::{ListenerEvidence, SweepCounts};
use crate::common::rpc::RpcVerdict;
use crate::common::srv::srv_removal_commands;
use crate::common::srv_audit::owner_and_zone;
use kms_preflight_engine::{Arg, Message, Status};
use kms_preflight_wire::dcerpc::{
    printable_prefix, ptype_name, REASON_ABSTRACT_SYNTAX_NOT_SUPPORTED,
};

pub struct Context<'a> {
    pub timeout: Duration,
    pub domains: &'a [String],
}

/// Message, remediation and predicted codes of one result.
pub struct Text {
    pub message: Message,
    pub remediation: Option<Message>,
    pub codes: Vec<String>,
}

impl Text {
    fn of(message: Message) -> Text {
        Text {
            message,
            remediation: None,
            codes: Vec::new(),
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// What answered the bind, and the evidence that goes with it.
fn what_answered(
    ctx: &Context<'_>,
    verdict: Option<&RpcVerdict>,
    ev: &mut ListenerEvidence,
) -> Message {
    let Some(v) = verdict else {
        return super::reset_after_handshake();
    };
    match v {
        RpcVerdict::Accepted {
            ack,
            context_id,
            transfer_syntax,
            ..
        } => {
            ev.negotiated_syntax = Some(transfer_syntax.clone());
            ev.secondary_address = Some(ack.secondary_address.clone());
            ev.assoc_group_id = Some(format!("0x{:08x}", ack.assoc_group_id));
            let m = super::kms_bind_accepted(
                transfer_syntax.as_str(),
                *context_id,
                format!("{:?}", ack.secondary_address),
            );
            if ack.assoc_group_id == 0x1063_BF3F {
                ev.implementation_hint = Some("py-kms".into());
                super::py_kms(m)
            } else {
                m
            }
        }
        RpcVerdict::Rejected { outcomes, .. } => {
            let foreign = outcomes
                .iter()
                .all(|o| o.result.reason == REASON_ABSTRACT_SYNTAX_NOT_SUPPORTED);
            if foreign {
                super::rpc_foreign()
            } else {
                super::rpc_no_ndr32()
            }
        }
        RpcVerdict::Nak(nak) => {
            ev.nak_reason = Some(nak.reason);
            super::bind_nak(nak.reason, nak.reason_name())
        }
        RpcVerdict::Fault(f) => super::fault(format!("0x{:08X}", f.status)),
        RpcVerdict::UnexpectedPdu { ptype } => super::unexpected_pdu(ptype_name(*ptype), *ptype),
        RpcVerdict::Malformed { why } => super::malformed(why.to_string()),
        RpcVerdict::NotRpc { bytes } => {
            let shown = printable_prefix(bytes, 64);
            ev.received = Some(shown.clone());
            super::not_rpc(shown)
        }
        RpcVerdict::Silent => super::silent(millis(ctx.timeout)),
        RpcVerdict::Closed => super::closed_silently(),
        RpcVerdict::Reset => super::reset_by_bind(),
        RpcVerdict::Error(e) => super::local_error(e.as_str()),
    }
}

fn ptr_text(ptr: Option<&[String]>) -> Message {
    match ptr {
        Some([]) => super::ptr_none(),
        Some(names) => super::ptr_names(names.to_vec()),
        None => super::ptr_not_looked_up(),
    }
}

fn find_machine(ip: &str, port: u16, ptr: Option<&[String]>) -> Message {
    super::find_machine(
        ptr_text(ptr),
        ip,
        format!("ip neigh show {ip}"),
        format!("Get-NetNeighbor -IPAddress {ip}"),
        format!(
            "Get-NetTCPConnection -LocalPort {port} -State Listen | ForEach-Object {{ Get-Process -Id $_.OwningProcess }}"
        ),
    )
}

/// The commands that remove every SRV record naming the address (one per line).
fn removal_commands(info: &AddressInfo) -> String {
    info.srv
        .iter()
        .map(|s| srv_removal_commands(&owner_and_zone(&s.name).1, &s.target))
        .collect::<Vec<_>>()
        .join("\n")
}

/// One open port. The bind's evidence goes into `ev`.
#[allow(clippy::too_many_arguments)]
pub fn listener(
    ctx: &Context<'_>,
    addr: SocketAddr,
    service: Service,
    verdict: Option<&RpcVerdict>,
    publication: Option<Publication>,
    info: Option<&AddressInfo>,
    ptr: Option<&[String]>,
    ev: &mut ListenerEvidence,
) -> Text {
    let what = what_answered(ctx, verdict, ev);
    let ip = addr.ip().to_string();
    let port = addr.port();
    let hosts = info.map(AddressInfo::hosts).unwrap_or_default();
    let srv_names: Vec<String> = info
        .map(|i| {
            let mut n: Vec<String> = i.srv.iter().map(|s| s.name.clone()).collect();
            n.dedup();
            n
        })
        .unwrap_or_default();
    let by: Arg = if ctx.domains.is_empty() {
        super::by_inventory_lists().into()
    } else {
        ctx.domains
            .iter()
            .map(|d| format!("_vlmcs._tcp.{d}"))
            .collect::<Vec<_>>()
            .into()
    };
    let kms = service == Service::Kms;
    let head = || {
        if kms {
            super::kms_host_at(addr, what.clone())
        } else {
            super::listener_at(addr, what.clone())
        }
    };
    let mut t = Text::of(match publication {
        Some(Publication::Published) if kms => {
            super::published_kms(head(), hosts.clone(), srv_names.clone())
        }
        Some(Publication::Published) => {
            super::published_not_kms(hosts.clone(), srv_names.clone(), addr, what.clone())
        }
        Some(Publication::Forbidden) if kms => super::forbidden_kms(head(), hosts.clone()),
        Some(Publication::Forbidden) => super::forbidden_not_kms(head(), hosts.clone()),
        Some(Publication::Allowed) if kms => super::allowed_kms(head(), hosts.clone()),
        Some(Publication::Rogue) => super::rogue(head(), by, ptr_text(ptr)),
        None if kms => super::not_compared_kms(head()),
        _ => head(),
    });
    if publication == Some(Publication::Published) && !kms {
        t.codes = vec!["0xC004F074".into()];
    }
    if matches!(service, Service::Silent | Service::Reset)
        && publication != Some(Publication::Published)
    {
        t.message = super::unverifiable(t.message);
    }
    t.remediation = match (service, publication) {
        (Service::Kms, Some(Publication::Rogue)) => Some(super::fix_rogue(
            find_machine(&ip, port, ptr),
            port,
            ip.as_str(),
        )),
        (Service::Kms, Some(Publication::Forbidden)) => {
            Some(super::fix_forbidden(hosts, port, ip.as_str()))
        }
        (_, Some(Publication::Published)) if !kms => Some(super::fix_published_not_kms(
            hosts,
            port,
            format!("Get-NetTCPConnection -LocalPort {port} -State Listen"),
            ip.as_str(),
            info.map(removal_commands).unwrap_or_default(),
        )),
        (Service::Silent | Service::Reset, _) => Some(find_machine(&ip, port, ptr)),
        _ => None,
    };
    t
}

/// A port that did not accept (listed because it is published, or with `--all`).
pub fn not_open(
    ctx: &Context<'_>,
    addr: SocketAddr,
    state: PortState,
    endpoint: bool,
    info: Option<&AddressInfo>,
) -> Text {
    let how = match state {
        PortState::Closed => super::refused(),
        PortState::Filtered => super::timed_out(millis(ctx.timeout)),
        PortState::Unreachable => super::unreachable(),
        PortState::Error => super::probe_failed(),
    };
    if !endpoint {
        return Text::of(super::port_not_open(addr, how));
    }
    let info = info.cloned().unwrap_or_default();
    let hosts = info.hosts();
    let names: Vec<String> = info.srv.iter().map(|s| s.name.clone()).collect();
    Text {
        message: super::published_missing(hosts.clone(), names, addr, how),
        remediation: Some(super::fix_published_missing(
            hosts,
            addr.port(),
            removal_commands(&info),
        )),
        codes: vec!["0xC004F074".into(), "0x8007274C".into()],
    }
}

pub struct SummaryInput<'a> {
    pub addresses: u128,
    pub ports: &'a [u16],
    pub probes: u128,
    pub probed: u64,
    pub open: u64,
    pub counts: &'a SweepCounts,
    pub elapsed: Duration,
    pub interrupted: bool,
    pub compared: bool,
    pub first_error: Option<&'a Message>,
}

pub fn summary(s: &SummaryInput<'_>) -> (Status, Message) {
    let c = s.counts;
    let services: Vec<Message> = Service::ALL
        .iter()
        .filter(|k| c.service(**k) > 0)
        .map(|k| super::service_count(c.service(*k), k.as_str()))
        .collect();
    let open = if services.is_empty() {
        super::open(s.open)
    } else {
        super::open_services(s.open, services)
    };
    let mut parts = vec![super::swept(
        u64::try_from(s.addresses).unwrap_or(u64::MAX),
        s.ports.to_vec(),
        s.elapsed.as_secs_f64(),
        open,
        c.closed,
        c.filtered,
        c.unreachable,
    )];
    parts.push(if s.compared {
        super::compared(
            c.published,
            c.rogue,
            c.forbidden,
            c.allowed,
            c.published_not_kms,
            c.published_missing,
        )
    } else {
        super::not_compared()
    });
    let mut status = Status::Pass;
    if c.probe_error > 0 {
        status = Status::Error;
        parts.push(super::probe_errors(
            c.probe_error,
            s.first_error
                .cloned()
                .unwrap_or_else(|| kms_preflight_net::text::os_error("?")),
        ));
    }
    if s.interrupted {
        status = Status::Error;
        parts.push(super::interrupted(
            s.probed,
            u64::try_from(s.probes).unwrap_or(u64::MAX),
        ));
    }
    (status, super::summary(parts))
}

#[cfg(test)]
mod tests {
    use super::super::judge::SrvRef;
    use super::*;
    use crate::testing::en;
    use kms_preflight_wire::dcerpc::{BindAck, PduHeader};

    fn evidence() -> ListenerEvidence {
        ListenerEvidence {
            service: Service::Kms,
            published: None,
            ptr: None,
            rtt_ms: None,
            port: 1688,
            rpc_result: String::new(),
            bind_rtt_ms: None,
            answered_after_fin: None,
            hosts: None,
            negotiated_syntax: None,
            secondary_address: None,
            assoc_group_id: None,
            implementation_hint: None,
            nak_reason: None,
            received: None,
        }
    }

    /// The English of the sweep's results, byte for byte what the code wrote before messages
    /// had ids (the catalog renders it now).
    #[test]
    fn english_is_byte_for_byte_what_it_was() {
        let domains = ["corp.test".to_string()];
        let ctx = Context {
            timeout: Duration::from_secs(1),
            domains: &domains,
        };
        let addr: SocketAddr = "198.18.2.10:1688".parse().unwrap();
        let info = AddressInfo {
            srv: vec![SrvRef {
                name: "_vlmcs._tcp.corp.test".into(),
                target: "kms1.corp.test".into(),
                port: 1688,
            }],
            forbidden: vec![],
            allowed: vec![],
        };
        let py_kms = RpcVerdict::Accepted {
            ack: BindAck {
                header: PduHeader::new(12, 3, 2),
                max_xmit_frag: 5840,
                max_recv_frag: 5840,
                assoc_group_id: 0x1063_BF3F,
                secondary_address: "1688".into(),
                results: vec![],
            },
            context_id: 0,
            transfer_syntax: "NDR32".into(),
            outcomes: vec![],
        };
        let mut e = evidence();
        let t = listener(
            &ctx,
            addr,
            Service::Kms,
            Some(&py_kms),
            Some(Publication::Rogue),
            None,
            Some(&["pc1.corp.test".to_string()]),
            &mut e,
        );
        assert_eq!(en(&t.message), "KMS host at 198.18.2.10:1688 accepted the KMS RPC bind (NDR32 on context 0, secondary address \"1688\"); fixed assoc_group_id 0x1063BF3F: py-kms, not Windows; not published by _vlmcs._tcp.corp.test nor on the srv.inventory allow-list: a rogue or forgotten KMS host (PTR pc1.corp.test)");
        assert_eq!(en(t.remediation.as_ref().unwrap()), "Find the machine (PTR pc1.corp.test): the MAC behind 198.18.2.10 (Linux: ip neigh show 198.18.2.10; Windows: Get-NetNeighbor -IPAddress 198.18.2.10) and the switch port it is on (show mac address-table address <MAC>); on the machine, what owns the port: Get-NetTCPConnection -LocalPort 1688 -State Listen | ForEach-Object { Get-Process -Id $_.OwningProcess }.\nIf it is a legitimate KMS host, publish it (or add it to expect.hosts of your srv.inventory rule). If not, on Windows remove the KMS host key and make it a client again: slmgr /upk, slmgr /cpky, slmgr /ipk <the edition's GVLK>, slmgr /cdns; an emulator (vlmcsd, py-kms): stop and remove it. Until then block TCP 1688 to 198.18.2.10.");
        assert_eq!(e.implementation_hint.as_deref(), Some("py-kms"));
        assert_eq!(e.assoc_group_id.as_deref(), Some("0x1063bf3f"));
        let http = RpcVerdict::NotRpc {
            bytes: b"HTTP/1.0 400".to_vec(),
        };
        let t = listener(
            &ctx,
            addr,
            Service::NotRpc,
            Some(&http),
            Some(Publication::Published),
            Some(&info),
            None,
            &mut evidence(),
        );
        assert_eq!(en(&t.message), "published KMS host kms1.corp.test (_vlmcs._tcp.corp.test) does not answer as KMS: 198.18.2.10:1688 speaks another protocol: it answered 'HTTP/1.0 400'; clients that pick it fail");
        assert_eq!(t.codes, ["0xC004F074"]);
        let t = not_open(&ctx, addr, PortState::Filtered, true, Some(&info));
        assert_eq!(en(&t.message), "published KMS host kms1.corp.test (_vlmcs._tcp.corp.test) did not answer in the sweep: 198.18.2.10:1688 did not answer within 1s (filtered, or the host is down); a stale record, or a host that is down or cut off");
        let counts = SweepCounts {
            kms: 2,
            not_rpc: 1,
            closed: 250,
            filtered: 3,
            published: 1,
            rogue: 1,
            probe_error: 1,
            ..Default::default()
        };
        let (status, m) = summary(&SummaryInput {
            addresses: 256,
            ports: &[1688, 1689],
            probes: 512,
            probed: 300,
            open: 3,
            counts: &counts,
            elapsed: Duration::from_millis(1504),
            interrupted: true,
            compared: true,
            first_error: Some(&kms_preflight_net::text::at_address(
                "198.18.2.1:1688",
                kms_preflight_net::text::io("socket", "Too many open files (os error 24)"),
            )),
        });
        assert_eq!(status, Status::Error);
        assert_eq!(en(&m), "swept 256 addresses on port 1688, 1689 in 1.50 s: 3 open (2 kms, 1 not-rpc), 250 closed, 3 filtered, 0 unreachable; KMS listeners: 1 published, 1 rogue, 0 forbidden, 0 allowed; published endpoints: 0 answering as another service, 0 not answering; 1 probe(s) failed locally, first: 198.18.2.1:1688: socket: Too many open files (os error 24); INTERRUPTED (Ctrl-C) after 300 of 512 probes: the results are partial");
        let (status, m) = summary(&SummaryInput {
            addresses: 1,
            ports: &[1688],
            probes: 1,
            probed: 1,
            open: 0,
            counts: &SweepCounts::default(),
            elapsed: Duration::from_millis(4),
            interrupted: false,
            compared: false,
            first_error: None,
        });
        assert_eq!(status, Status::Pass);
        assert_eq!(en(&m), "swept 1 address on port 1688 in 0.00 s: 0 open, 0 closed, 0 filtered, 0 unreachable; not compared with DNS");
    }
}
