//! `kms-rpc`: is it really a KMS host? Sends one DCE/RPC bind for the KMS interface
//! (51c82175-844e-4750-b0d8-ec255555bc06 v1.0, NDR32 v2) to each address that accepted TCP,
//! reads the answer and closes.
//!
//! An open port proves little: a firewall or IPS may complete the handshake and drop RPC,
//! another service may sit on the port, a host may accept and never answer. Clients then log
//! 0xC004F074 / 0x800706BA / 0xC004F039 although `Test-NetConnection` says
//! `TcpTestSucceeded: True`. Only an accepted bind proves a KMS RPC endpoint answers.
//!
//! Read-only: the bind negotiates a presentation context and nothing else. No request PDU
//! (an activation request, which would add this machine to the host's client count) is ever
//! sent; see `net::rpc`.

use crate::{CheckContext, CheckOutput, Finding, Kms, RunSettings};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use serde_saphyr::{Location, Spanned};
use tokio::task::JoinSet;

use crate::common::address::{addresses_from_fact, connect_failure_finding, port_for};
use kms_preflight_engine::rules::Scope;
use kms_preflight_engine::Status;
use kms_preflight_engine::{validate_port, BoxFuture, Check};
use kms_preflight_net::ms;
use kms_preflight_net::rpc::{bind_exchange_as_client, BindExchange};
use kms_preflight_wire::dcerpc::{
    encode_bind, printable_prefix, provider_reason_name, BindRequest, ContextOutcome,
    REASON_ABSTRACT_SYNTAX_NOT_SUPPORTED,
};

pub use crate::common::rpc::{classify, RpcVerdict, CALL_ID};

kms_preflight_engine::messages! {}

kms_preflight_engine::check_rule! {
    /// Parameters of a `kms-rpc` check.
    KmsRpcRule => KmsRpcCheck {
        /// Port to bind on; default: the host's port (from its SRV record or `--host`).
        port: Option<Spanned<String>>,
        /// `ndr32` (default): one context, KMS + NDR32; every host and emulator accepts it.
        /// `windows`: what Windows 8+ clients send (NDR32, NDR64, BTFN 0x03); a Windows 8 /
        /// Server 2012+ host then accepts NDR64 and rejects NDR32, which tells host generations
        /// apart. Both are read-only.
        bind: Option<Spanned<String>>,
    }
}

impl KmsRpcCheck {
    fn bind_request(&self) -> BindRequest {
        match self.bind.as_ref().map(|b| b.value.as_str()) {
            Some("windows") => BindRequest::kms_windows_style(CALL_ID),
            _ => BindRequest::kms_probe(CALL_ID),
        }
    }
}

/// Bytes of a non-RPC reply shown in messages.
const SHOWN: usize = 64;

fn describe_outcomes(outcomes: &[ContextOutcome]) -> Vec<String> {
    outcomes
        .iter()
        .map(|o| {
            format!(
                "context {} ({}): {}",
                o.context_id,
                o.abstract_syntax,
                o.result.describe()
            )
        })
        .collect()
}

/// The finding for one address's bind exchange.
pub fn verdict_finding(
    addr: SocketAddr,
    timeout: Duration,
    ex: &BindExchange,
    verdict: &RpcVerdict,
) -> Finding {
    let port = addr.port();
    let ip = addr.ip();
    let tcp_ok =
        "TCP connected (Test-NetConnection would say TcpTestSucceeded: True, which is not enough)";
    let host_fix = format!(
        "On the KMS host: Get-Service sppsvc (it must be Running; Restart-Service sppsvc), \
         slmgr /dlv must show 'Listening on Port: {port}' (if it listens elsewhere, fix the SRV record or run slmgr /sprt {port}), \
         and the firewall rule must be on: Enable-NetFirewallRule -Name SPPSVC-In-TCP \
         (or New-NetFirewallRule -DisplayName 'KMS {port}' -Direction Inbound -Protocol TCP -LocalPort {port} -Action Allow)."
    );
    let path_fix = format!(
        "On the network firewalls between this subnet and {ip}: allow TCP {port} as plain traffic; an application-aware \
         firewall or IPS must permit MS-RPC (DCE/RPC) on {port}, not just the handshake. Test from this subnet afterwards."
    );
    let other_service = format!(
        "Find what listens on {ip}:{port} (on the host: Get-NetTCPConnection -LocalPort {port} -State Listen, then \
         Get-Process -Id <OwningProcess>), move it, and make sure clients are pointed at the real KMS host \
         (the _vlmcs._tcp SRV record, or slmgr /skms). Also rule out a NAT or proxy redirecting TCP {port}."
    );
    let f = match verdict {
        RpcVerdict::Accepted {
            ack,
            context_id,
            transfer_syntax,
            outcomes,
        } => {
            let mut msg = format!(
                "KMS RPC endpoint at {addr} accepted the bind: {transfer_syntax} on context {context_id}, \
                 max fragment {}/{} bytes, secondary address {:?}, bind answered in {:.2} ms",
                ack.max_xmit_frag,
                ack.max_recv_frag,
                ack.secondary_address,
                ms(ex.bind_rtt)
            );
            if !ack.secondary_address.is_empty() && ack.secondary_address != port.to_string() {
                msg.push_str(&format!(
                    " (the host reports port {} while we connected to {port}: a NAT or port forward is in the path)",
                    ack.secondary_address
                ));
            }
            let mut f = Finding::new(Status::Pass, msg)
                .evidence("negotiated_syntax", transfer_syntax.as_str())
                .evidence("context_id", *context_id)
                .evidence("max_xmit_frag", ack.max_xmit_frag)
                .evidence("max_recv_frag", ack.max_recv_frag)
                .evidence("secondary_address", ack.secondary_address.as_str())
                .evidence("assoc_group_id", format!("0x{:08x}", ack.assoc_group_id));
            if outcomes.len() > 1 {
                f = f.evidence("context_results", describe_outcomes(outcomes));
            }
            if ack.assoc_group_id == 0x1063_BF3F {
                f = f.evidence(
                    "implementation_hint",
                    "py-kms (fixed assoc_group_id 0x1063BF3F), not Windows",
                );
            }
            f
        }
        RpcVerdict::Rejected { outcomes, .. } => {
            let foreign = outcomes.iter().all(|o| {
                o.result.reason == REASON_ABSTRACT_SYNTAX_NOT_SUPPORTED && !o.result.is_accepted()
            });
            let what = if foreign {
                "rejected the KMS interface (abstract syntax not supported): this is another RPC service, not KMS"
                    .to_string()
            } else {
                let reasons: Vec<&str> = outcomes
                    .iter()
                    .map(|o| provider_reason_name(o.result.reason))
                    .collect();
                format!(
                    "accepted no KMS context ({}): an RPC server that does not offer KMS with NDR",
                    reasons.join(", ")
                )
            };
            Finding::new(
                Status::Fail,
                format!("{tcp_ok}, and a DCE/RPC server at {addr} answered, but it {what}"),
            )
            .codes(&["0xC004F074", "0xC004F039"])
            .evidence("context_results", describe_outcomes(outcomes))
            .remediation(format!("{other_service}\n{host_fix}"))
        }
        RpcVerdict::Nak(nak) => Finding::new(
            Status::Fail,
            format!(
                "{tcp_ok}, but the RPC runtime at {addr} refused the bind with bind_nak, reason {} ({}){}",
                nak.reason,
                nak.reason_name(),
                if nak.has_extended_error_info() { "; extended error information follows" } else { "" }
            ),
        )
        .codes(&["0xC004F074", "0x800706BA"])
        .evidence("nak_reason", nak.reason)
        .evidence("nak_reason_name", nak.reason_name())
        .remediation(format!(
            "KMS emulators never send bind_nak; this is a Microsoft RPC runtime refusing the association, or another service. {host_fix}\n{other_service}"
        )),
        RpcVerdict::Fault(fault) => Finding::new(
            Status::Fail,
            format!(
                "{tcp_ok}, but {addr} answered the bind with a fault, status 0x{:08X}{}",
                fault.status,
                fault.status_name().map(|n| format!(" ({n})")).unwrap_or_default()
            ),
        )
        .codes(&["0xC004F074", "0x800706BA"])
        .evidence("fault_status", format!("0x{:08X}", fault.status))
        .remediation(format!("{other_service}\n{host_fix}")),
        RpcVerdict::UnexpectedPdu { ptype } => Finding::new(
            Status::Fail,
            format!(
                "{tcp_ok}, but {addr} answered the bind with a {} PDU (PTYPE {ptype}), which does not answer a bind",
                kms_preflight_wire::dcerpc::ptype_name(*ptype)
            ),
        )
        .codes(&["0xC004F074", "0x800706BA"])
        .evidence("ptype", *ptype)
        .remediation(other_service.clone()),
        RpcVerdict::Malformed { why } => Finding::new(
            Status::Fail,
            format!("{tcp_ok}, but the answer from {addr} is a broken DCE/RPC PDU: {why}"),
        )
        .codes(&["0xC004F074", "0x800706BA"])
        .evidence("detail", why.as_str())
        .remediation(format!("{path_fix}\n{other_service}")),
        RpcVerdict::NotRpc { bytes } => {
            let shown = printable_prefix(bytes, SHOWN);
            Finding::new(
                Status::Fail,
                format!("{tcp_ok}, but {addr} does not speak DCE/RPC: it answered '{shown}'"),
            )
            .codes(&["0xC004F074", "0x800706BA"])
            .evidence("received", shown)
            .remediation(other_service.clone())
        }
        RpcVerdict::Closed => Finding::new(
            Status::Fail,
            format!(
                "{tcp_ok}, but {addr} closed the connection without answering the RPC bind{}",
                if ex.write_failed { " (before the bind could be sent)" } else { "" }
            ),
        )
        .codes(&["0xC004F074", "0x800706BA"])
        .remediation(format!(
            "A firewall/IPS that allows the handshake but blocks RPC, a load balancer without a healthy backend, or a service \
             that is not KMS closes like this.\n{path_fix}\n{host_fix}"
        )),
        RpcVerdict::Reset => Finding::new(
            Status::Fail,
            format!(
                "{tcp_ok}, but the connection to {addr} was reset (RST) {} the RPC bind",
                if ex.write_failed { "while sending" } else { "in answer to" }
            ),
        )
        .codes(&["0xC004F074", "0x800706BA"])
        .remediation(format!(
            "A reset in answer to RPC data is typical of an IPS or application-aware firewall rejecting MS-RPC.\n{path_fix}\n{host_fix}"
        )),
        RpcVerdict::Silent => Finding::new(
            Status::Fail,
            format!(
                "{tcp_ok}, but {addr} did not answer the RPC bind within {}: the KMS RPC endpoint is silent",
                humantime::format_duration(timeout)
            ),
        )
        .codes(&["0xC004F074", "0xC004F039"])
        .remediation(format!(
            "Typical causes: a firewall or IPS that completes (or proxies) the handshake and then drops the data, or a hung sppsvc.\n{path_fix}\n{host_fix}"
        )),
        RpcVerdict::Error(e) => {
            Finding::new(Status::Error, format!("RPC bind to {addr} failed locally: {e}"))
        }
    };
    let mut f = f
        .address(ip.to_string())
        .evidence("port", port)
        .evidence("result", verdict.class())
        .evidence("connect_rtt_ms", ms(ex.connect_rtt))
        .evidence("reply_bytes", ex.bytes.len() as u64);
    if verdict.class() == "accepted" || !ex.bytes.is_empty() {
        f = f.evidence("bind_rtt_ms", ms(ex.bind_rtt));
    }
    if !matches!(verdict, RpcVerdict::Accepted { .. }) {
        f = f.evidence("timeout_ms", timeout.as_millis() as u64);
    }
    if let Some(l) = ex.local {
        f = f.evidence("local", l.to_string());
    }
    f
}

/// Addresses to probe: those the `tcp` prerequisite reached, else every address of the host.
async fn probe_addresses(ctx: &CheckContext<'_>) -> Result<Vec<IpAddr>, Finding> {
    addresses_from_fact(
        ctx,
        |f| &f.reachable,
        "skipped: no address of this host accepted a TCP connection",
    )
    .await
}

impl Check<Kms> for KmsRpcCheck {
    fn default_scope(&self) -> Scope {
        Scope::EACH_HOST
    }

    fn budget(&self, timeout: Duration, settings: &RunSettings) -> Duration {
        // Connect + bind per address, retried like a client within two timeouts.
        crate::common::address::per_address_budget(timeout, settings, 2)
    }

    fn templates(&self) -> Vec<&Spanned<String>> {
        self.port.iter().collect()
    }

    fn validate(&self) -> Vec<(Location, String)> {
        let mut out: Vec<_> = self.port.iter().filter_map(validate_port).collect();
        out.extend(
            self.bind.as_ref().and_then(|b| {
                kms_preflight_engine::validate_choice(b, "bind", &["ndr32", "windows"])
            }),
        );
        out
    }

    fn evidence_vars(&self) -> &'static [&'static str] {
        &[
            "result",
            "negotiated_syntax",
            "secondary_address",
            "bind_rtt_ms",
            "received",
            "timeout_ms",
        ]
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext<'a>) -> BoxFuture<'a, CheckOutput> {
        Box::pin(async move {
            let port = match port_for(ctx, &self.port) {
                Ok(p) => p,
                Err(f) => return CheckOutput::one(f),
            };
            let addrs = match probe_addresses(ctx).await {
                Ok(a) => a,
                Err(f) => return CheckOutput::one(f),
            };
            let bind = self.bind_request();
            let pdu = encode_bind(&bind);
            let mut set = JoinSet::new();
            for (i, ip) in addrs.iter().enumerate() {
                let addr = SocketAddr::new(*ip, port);
                let source = ctx.source.cloned();
                let timeout = ctx.timeout;
                let pdu = pdu.clone();
                let memo = ctx.settings.memo.clone();
                set.spawn(async move {
                    (
                        i,
                        addr,
                        bind_exchange_as_client(addr, source.as_ref(), timeout, &pdu, Some(&memo))
                            .await,
                    )
                });
            }
            let mut results = Vec::new();
            while let Some(r) = set.join_next().await {
                if let Ok(r) = r {
                    results.push(r);
                }
            }
            results.sort_by_key(|r| r.0);
            let mut findings = Vec::new();
            let mut ok = Vec::new();
            for (_, addr, r) in results {
                match r {
                    Ok(ex) => {
                        let verdict = classify(&bind, &ex.bytes, &ex.end);
                        if matches!(verdict, RpcVerdict::Accepted { .. }) {
                            ok.push(addr.ip());
                        }
                        let mut f = verdict_finding(addr, ctx.timeout, &ex, &verdict)
                            .evidence("connect_attempts", ex.connect_attempts)
                            .evidence("bind_attempts", ex.bind_attempts);
                        let attempts = ex.connect_attempts + ex.bind_attempts - 1;
                        if attempts > 1 && f.status == Status::Pass {
                            f = crate::tcp::lossy(f, ctx, addr, attempts).await;
                        }
                        findings.push(f);
                    }
                    Err((e, tried)) => findings.push(connect_failure_finding(
                        addr,
                        ctx.timeout,
                        &e,
                        &tried,
                        &ctx.settings.memo,
                    )),
                }
            }
            let facts = crate::Facts {
                rpc_ok_addresses: Some(ok),
                port: Some(port),
                ..Default::default()
            };
            CheckOutput {
                findings,
                facts,
                discovered: Vec::new(),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::en;
    use kms_preflight_net::rpc::ReadEnd;
    use kms_preflight_wire::dcerpc::{decode_bind, BindAck, PTYPE_BIND_ACK, PTYPE_RESPONSE};

    /// TCP reads in order: (direction "c2s"/"s2c", bytes).
    type Chunks = Vec<(String, Vec<u8>)>;

    /// (file name, chunks) of every captured conversation.
    fn vectors() -> Vec<(String, Chunks)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/kms");
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        assert!(
            paths.len() >= 7,
            "expected the KMS vectors in {}",
            dir.display()
        );
        paths
            .iter()
            .map(|p| {
                let v: serde_json::Value =
                    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
                let chunks = v["chunks"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| {
                        let h = c["hex"].as_str().unwrap();
                        let bytes = (0..h.len() / 2)
                            .map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap())
                            .collect();
                        (c["dir"].as_str().unwrap().to_string(), bytes)
                    })
                    .collect();
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    chunks,
                )
            })
            .collect()
    }

    fn nth(chunks: &[(String, Vec<u8>)], dir: &str, n: usize) -> Vec<u8> {
        chunks
            .iter()
            .filter(|c| c.0 == dir)
            .nth(n)
            .unwrap()
            .1
            .clone()
    }

    #[test]
    fn every_captured_bind_ack_is_accepted_with_the_syntax_the_host_chose() {
        for (name, chunks) in vectors() {
            let bind = decode_bind(&nth(&chunks, "c2s", 0)).unwrap();
            let ack = nth(&chunks, "s2c", 0);
            match classify(&bind, &ack, &ReadEnd::Complete) {
                RpcVerdict::Accepted {
                    ack,
                    transfer_syntax,
                    context_id,
                    ..
                } => {
                    assert_eq!(ack.header.ptype, PTYPE_BIND_ACK, "{name}");
                    // The captures ran on 1688 or 11688; the host's port as text either way.
                    assert!(
                        ack.secondary_address.ends_with("1688"),
                        "{name}: {:?}",
                        ack.secondary_address
                    );
                    // The accepted syntax is the one offered on that context; the emulator
                    // behind the 3-context captures accepts NDR64 like a Windows 8+ host.
                    let offered = bind
                        .contexts
                        .iter()
                        .find(|c| c.context_id == context_id)
                        .unwrap();
                    assert_eq!(
                        transfer_syntax,
                        offered.transfer_syntaxes[0].to_string(),
                        "{name}"
                    );
                    if bind.contexts.len() == 1 {
                        assert_eq!(transfer_syntax, "NDR32 v2.0", "{name}");
                    } else {
                        assert_eq!(transfer_syntax, "NDR64 v1.0", "{name}");
                    }
                }
                other => panic!("{name}: {other:?}"),
            }
        }
    }

    #[test]
    fn our_probe_is_the_ndr32_only_bind_of_vector_04() {
        let (_, chunks) = vectors()
            .into_iter()
            .find(|v| v.0.starts_with("04"))
            .unwrap();
        let captured = nth(&chunks, "c2s", 0);
        let ours = encode_bind(&BindRequest::kms_probe(CALL_ID));
        assert_eq!(ours.len(), 72);
        // Same bytes except the call id (offset 12..16).
        assert_eq!(ours[..12], captured[..12]);
        assert_eq!(ours[16..], captured[16..]);
        let verdict = classify(
            &BindRequest::kms_probe(CALL_ID),
            &nth(&chunks, "s2c", 0),
            &ReadEnd::Complete,
        );
        assert!(
            matches!(verdict, RpcVerdict::Accepted { context_id: 0, .. }),
            "{verdict:?}"
        );
    }

    #[test]
    fn broken_and_foreign_replies_from_vectors() {
        let bind = BindRequest::kms_probe(CALL_ID);
        let (_, chunks) = vectors()
            .into_iter()
            .find(|v| v.0.starts_with("06"))
            .unwrap();
        // A response PDU where a bind_ack belongs.
        let response = nth(&chunks, "s2c", 2);
        assert_eq!(
            classify(&bind, &response, &ReadEnd::Complete),
            RpcVerdict::UnexpectedPdu {
                ptype: PTYPE_RESPONSE
            }
        );
        // A bind_ack cut short by close, reset or silence.
        let ack = nth(&chunks, "s2c", 0);
        for end in [ReadEnd::Closed, ReadEnd::Reset, ReadEnd::Timeout] {
            let v = classify(&bind, &ack[..30], &end);
            assert!(matches!(v, RpcVerdict::Malformed { .. }), "{end:?}: {v:?}");
        }
        // A whole PDU whose frag_length claims more than was read.
        let mut long = ack.clone();
        long[8] = long[8].wrapping_add(8);
        assert!(matches!(
            classify(&bind, &long, &ReadEnd::Complete),
            RpcVerdict::Malformed { .. }
        ));
    }

    #[test]
    fn nothing_or_garbage() {
        let bind = BindRequest::kms_probe(CALL_ID);
        assert_eq!(classify(&bind, &[], &ReadEnd::Closed), RpcVerdict::Closed);
        assert_eq!(classify(&bind, &[], &ReadEnd::Reset), RpcVerdict::Reset);
        assert_eq!(classify(&bind, &[], &ReadEnd::Timeout), RpcVerdict::Silent);
        let http = b"HTTP/1.1 400 Bad Request\r\n".to_vec();
        assert_eq!(
            classify(&bind, &http, &ReadEnd::NotRpc),
            RpcVerdict::NotRpc { bytes: http }
        );
    }

    #[test]
    fn rejection_and_nak_findings_name_the_reason_and_codes() {
        use kms_preflight_wire::dcerpc::{
            encode_bind_ack, encode_bind_nak, ContextResult, PduHeader, PFC_FIRST_FRAG,
            PFC_LAST_FRAG, PTYPE_BIND_NAK,
        };
        let bind = BindRequest::kms_probe(CALL_ID);
        let ack = BindAck {
            header: PduHeader::new(PTYPE_BIND_ACK, PFC_FIRST_FRAG | PFC_LAST_FRAG, CALL_ID),
            max_xmit_frag: 5840,
            max_recv_frag: 5840,
            assoc_group_id: 7,
            secondary_address: "1688".into(),
            results: vec![ContextResult::provider_rejection(
                REASON_ABSTRACT_SYNTAX_NOT_SUPPORTED,
            )],
        };
        let bytes = encode_bind_ack(&ack);
        let ex = BindExchange {
            connect_rtt: Duration::from_millis(1),
            local: None,
            bind_rtt: Duration::from_millis(2),
            bytes: bytes.clone(),
            end: ReadEnd::Complete,
            write_failed: false,
            connect_attempts: 1,
            bind_attempts: 1,
            answered_after_fin: false,
        };
        let v = classify(&bind, &bytes, &ReadEnd::Complete);
        let f = verdict_finding(
            "198.18.0.1:1688".parse().unwrap(),
            Duration::from_secs(1),
            &ex,
            &v,
        );
        assert_eq!(f.status, Status::Fail);
        assert!(en(&f.message).contains("not KMS"), "{}", en(&f.message));
        assert!(
            en(&f.message).contains("TcpTestSucceeded: True"),
            "{}",
            en(&f.message)
        );
        assert_eq!(f.error_codes, ["0xC004F074", "0xC004F039"]);
        assert_eq!(f.evidence["result"], "rejected");

        let nak = encode_bind_nak(
            &PduHeader::new(PTYPE_BIND_NAK, PFC_FIRST_FRAG | PFC_LAST_FRAG, CALL_ID),
            4,
            &[(5, 0)],
        );
        let v = classify(&bind, &nak, &ReadEnd::Complete);
        let f = verdict_finding(
            "198.18.0.1:1688".parse().unwrap(),
            Duration::from_secs(1),
            &ex,
            &v,
        );
        assert_eq!(f.evidence["result"], "bind-nak");
        assert_eq!(f.evidence["nak_reason"], 4);
        assert_eq!(f.error_codes, ["0xC004F074", "0x800706BA"]);
    }
}
