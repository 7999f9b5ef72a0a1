//! The words of the sweep's results: what answered, how it compares with DNS, and what to do.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{json, Map, Value};

use super::judge::{AddressInfo, PortState, Publication, Service};
use crate::common::rpc::RpcVerdict;
use crate::common::srv::srv_removal_commands;
use crate::common::srv_audit::owner_and_zone;
use kms_preflight_engine::Status;
use kms_preflight_wire::dcerpc::{
    printable_prefix, ptype_name, REASON_ABSTRACT_SYNTAX_NOT_SUPPORTED,
};

pub struct Context<'a> {
    pub timeout: Duration,
    pub domains: &'a [String],
}

/// Message, remediation, predicted codes and kind-specific evidence of one result.
#[derive(Default)]
pub struct Text {
    pub message: String,
    pub remediation: Option<String>,
    pub codes: Vec<String>,
    pub evidence: Map<String, Value>,
}

fn what_answered(
    ctx: &Context<'_>,
    verdict: Option<&RpcVerdict>,
    ev: &mut Map<String, Value>,
) -> String {
    let Some(v) = verdict else {
        return "reset the connection right after the handshake".into();
    };
    match v {
        RpcVerdict::Accepted {
            ack,
            context_id,
            transfer_syntax,
            ..
        } => {
            ev.insert("negotiated_syntax".into(), json!(transfer_syntax));
            ev.insert("secondary_address".into(), json!(ack.secondary_address));
            ev.insert(
                "assoc_group_id".into(),
                json!(format!("0x{:08x}", ack.assoc_group_id)),
            );
            let mut s = format!(
                "accepted the KMS RPC bind ({transfer_syntax} on context {context_id}, secondary address {:?})",
                ack.secondary_address
            );
            if ack.assoc_group_id == 0x1063_BF3F {
                ev.insert("implementation_hint".into(), json!("py-kms"));
                s.push_str("; fixed assoc_group_id 0x1063BF3F: py-kms, not Windows");
            }
            s
        }
        RpcVerdict::Rejected { outcomes, .. } => {
            let foreign = outcomes
                .iter()
                .all(|o| o.result.reason == REASON_ABSTRACT_SYNTAX_NOT_SUPPORTED);
            if foreign {
                "is a DCE/RPC server that does not know the KMS interface (abstract syntax not supported): another RPC service".into()
            } else {
                "is a DCE/RPC server that accepted no KMS context with NDR32".into()
            }
        }
        RpcVerdict::Nak(nak) => {
            ev.insert("nak_reason".into(), json!(nak.reason));
            format!(
                "is an RPC runtime that refused the bind with bind_nak, reason {} ({}): not a KMS host (emulators never send bind_nak)",
                nak.reason,
                nak.reason_name()
            )
        }
        RpcVerdict::Fault(f) => format!(
            "is an RPC runtime that answered the bind with a fault, status 0x{:08X}",
            f.status
        ),
        RpcVerdict::UnexpectedPdu { ptype } => format!(
            "answered the bind with a {} PDU (PTYPE {ptype}): an RPC runtime, not a KMS host",
            ptype_name(*ptype)
        ),
        RpcVerdict::Malformed { why } => format!("answered a broken DCE/RPC PDU ({why})"),
        RpcVerdict::NotRpc { bytes } => {
            let shown = printable_prefix(bytes, 64);
            ev.insert("received".into(), json!(shown));
            format!("speaks another protocol: it answered '{shown}'")
        }
        RpcVerdict::Silent => format!(
            "accepted the connection and said nothing within {}",
            humantime::format_duration(ctx.timeout)
        ),
        RpcVerdict::Closed => "accepted the connection and closed it without a byte".into(),
        RpcVerdict::Reset => "reset the connection in answer to the bind".into(),
        RpcVerdict::Error(e) => format!("could not be probed: local error {e}"),
    }
}

fn ptr_text(ptr: Option<&[String]>) -> String {
    match ptr {
        Some([]) => "no PTR record".into(),
        Some(names) => format!("PTR {}", names.join(", ")),
        None => "PTR not looked up".into(),
    }
}

fn find_machine(ip: &str, port: u16, ptr: Option<&[String]>) -> String {
    format!(
        "Find the machine ({}): the MAC behind {ip} (Linux: ip neigh show {ip}; Windows: Get-NetNeighbor -IPAddress {ip}) and the switch port it is on (show mac address-table address <MAC>); on the machine, what owns the port: Get-NetTCPConnection -LocalPort {port} -State Listen | ForEach-Object {{ Get-Process -Id $_.OwningProcess }}.",
        ptr_text(ptr)
    )
}

/// One open port.
pub fn listener(
    ctx: &Context<'_>,
    addr: SocketAddr,
    service: Service,
    verdict: Option<&RpcVerdict>,
    publication: Option<Publication>,
    info: Option<&AddressInfo>,
    ptr: Option<&[String]>,
) -> Text {
    let mut t = Text::default();
    let what = what_answered(ctx, verdict, &mut t.evidence);
    let ip = addr.ip().to_string();
    let port = addr.port();
    let hosts = info.map(AddressInfo::hosts).unwrap_or_default().join(", ");
    let srv_names = info
        .map(|i| {
            let mut n: Vec<&str> = i.srv.iter().map(|s| s.name.as_str()).collect();
            n.dedup();
            n.join(", ")
        })
        .unwrap_or_default();
    let domains = if ctx.domains.is_empty() {
        "the srv.inventory lists".to_string()
    } else {
        ctx.domains
            .iter()
            .map(|d| format!("_vlmcs._tcp.{d}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let kms = service == Service::Kms;
    let name = if kms { "KMS host" } else { "listener" };
    let head = format!("{name} at {addr} {what}");
    t.message = match publication {
        Some(Publication::Published) if kms => format!("{head}; published: {hosts} ({srv_names})"),
        Some(Publication::Published) => {
            t.codes = vec!["0xC004F074".into()];
            format!(
                "published KMS host {hosts} ({srv_names}) does not answer as KMS: {addr} {what}; clients that pick it fail"
            )
        }
        Some(Publication::Forbidden) if kms => format!(
            "{head}; this is {hosts}, which srv.inventory lists in forbidden_hosts: it must not be a KMS host any more"
        ),
        Some(Publication::Forbidden) => format!("{head}; not KMS (the address is forbidden host {hosts})"),
        Some(Publication::Allowed) if kms => format!(
            "{head}; not published in DNS, but {hosts} is on the srv.inventory allow-list (expect.hosts)"
        ),
        Some(Publication::Rogue) => format!(
            "{head}; not published by {domains} nor on the srv.inventory allow-list: a rogue or forgotten KMS host ({})",
            ptr_text(ptr)
        ),
        None if kms => format!("{head}; not compared with DNS (no --domain, or DNS did not answer)"),
        _ => head,
    };
    if matches!(service, Service::Silent | Service::Reset)
        && publication != Some(Publication::Published)
    {
        t.message.push_str(": cannot tell whether it is a KMS host (an IPS dropping RPC, a hung sppsvc, or another service)");
    }
    t.remediation = match (service, publication) {
        (Service::Kms, Some(Publication::Rogue)) => Some(format!(
            "{}\nIf it is a legitimate KMS host, publish it (or add it to expect.hosts of your srv.inventory rule). If not, on Windows remove the KMS host key and make it a client again: slmgr /upk, slmgr /cpky, slmgr /ipk <the edition's GVLK>, slmgr /cdns; an emulator (vlmcsd, py-kms): stop and remove it. Until then block TCP {port} to {ip}.",
            find_machine(&ip, port, ptr)
        )),
        (Service::Kms, Some(Publication::Forbidden)) => Some(format!(
            "{hosts} is being retired: on it, slmgr /cdns (stop publishing), then slmgr /upk and slmgr /cpky (remove the KMS host key), then block TCP {port} to {ip} or shut it down. Clients pinned to it: slmgr /ckms (back to DNS discovery)."
        )),
        (_, Some(Publication::Published)) if !kms => {
            let fix: Vec<String> = info
                .map(|i| {
                    i.srv
                        .iter()
                        .map(|s| srv_removal_commands(&owner_and_zone(&s.name).1, &s.target))
                        .collect()
                })
                .unwrap_or_default();
            Some(format!(
                "On {hosts}: Get-Service sppsvc (must be Running), slmgr /dlv ('Listening on Port: {port}'), and what owns port {port}: Get-NetTCPConnection -LocalPort {port} -State Listen. If the host is gone and {ip} now belongs to another machine, remove the record:\n{}",
                fix.join("\n")
            ))
        }
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
    let mut t = Text::default();
    let how = match state {
        PortState::Closed => "refused the connection (RST: nothing listens)".to_string(),
        PortState::Filtered => format!(
            "did not answer within {} (filtered, or the host is down)",
            humantime::format_duration(ctx.timeout)
        ),
        PortState::Unreachable => {
            "is unreachable (no route, or no answer to ARP / neighbour discovery: the host is down)"
                .into()
        }
        PortState::Error => "could not be probed (local error)".into(),
    };
    if endpoint {
        let info = info.cloned().unwrap_or_default();
        let hosts = info.hosts().join(", ");
        let names: Vec<String> = info.srv.iter().map(|s| s.name.clone()).collect();
        t.message = format!(
            "published KMS host {hosts} ({}) did not answer in the sweep: {addr} {how}; a stale record, or a host that is down or cut off",
            names.join(", ")
        );
        t.codes = vec!["0xC004F074".into(), "0x8007274C".into()];
        let fix: Vec<String> = info
            .srv
            .iter()
            .map(|s| srv_removal_commands(&owner_and_zone(&s.name).1, &s.target))
            .collect();
        t.remediation = Some(format!(
            "If {hosts} still serves KMS: start it (Get-Service sppsvc; Restart-Service sppsvc) and open TCP {} (Enable-NetFirewallRule -Name SPPSVC-In-TCP). If it is retired, remove its record:\n{}",
            addr.port(),
            fix.join("\n")
        ));
    } else {
        t.message = format!("{addr} {how}");
    }
    t
}

pub struct SummaryInput<'a> {
    pub addresses: u128,
    pub ports: &'a [u16],
    pub probes: u128,
    pub probed: u64,
    pub open: u64,
    pub counts: &'a Map<String, Value>,
    pub elapsed: Duration,
    pub interrupted: bool,
    pub compared: bool,
    pub first_error: Option<&'a str>,
}

pub fn summary(s: &SummaryInput<'_>) -> (Status, String) {
    let n = |k: &str| s.counts.get(k).and_then(Value::as_u64).unwrap_or(0);
    let ports: Vec<String> = s.ports.iter().map(u16::to_string).collect();
    let mut services = Vec::new();
    for k in ["kms", "rpc-other", "not-rpc", "silent", "reset", "error"] {
        if n(k) > 0 {
            services.push(format!("{} {k}", n(k)));
        }
    }
    let mut msg = format!(
        "swept {} address{} on port {} in {:.2} s: {} open{}, {} closed, {} filtered, {} unreachable",
        s.addresses,
        if s.addresses == 1 { "" } else { "es" },
        ports.join(", "),
        s.elapsed.as_secs_f64(),
        s.open,
        if services.is_empty() {
            String::new()
        } else {
            format!(" ({})", services.join(", "))
        },
        n("closed"),
        n("filtered"),
        n("unreachable"),
    );
    if s.compared {
        msg.push_str(&format!(
            "; KMS listeners: {} published, {} rogue, {} forbidden, {} allowed; published endpoints: {} answering as another service, {} not answering",
            n("published"),
            n("rogue"),
            n("forbidden"),
            n("allowed"),
            n("published-not-kms"),
            n("published-missing")
        ));
    } else {
        msg.push_str("; not compared with DNS");
    }
    let mut status = Status::Pass;
    if n("probe-error") > 0 {
        status = Status::Error;
        msg.push_str(&format!(
            "; {} probe(s) failed locally, first: {}",
            n("probe-error"),
            s.first_error.unwrap_or("?")
        ));
    }
    if s.interrupted {
        status = Status::Error;
        msg.push_str(&format!(
            "; INTERRUPTED (Ctrl-C) after {} of {} probes: the results are partial",
            s.probed, s.probes
        ));
    }
    (status, msg)
}
