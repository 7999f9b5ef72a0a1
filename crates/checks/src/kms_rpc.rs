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

use serde::{Deserialize, Serialize};
use serde_saphyr::{Location, Spanned};
use tokio::task::JoinSet;

use crate::common::address::{
    addresses_from_fact, connect_failure_finding, port_for, ConnectFailureEvidence,
};
use crate::common::rpc::{RpcVerdictEvidence, SHOWN};
use kms_preflight_engine::rules::Scope;
use kms_preflight_engine::Status;
use kms_preflight_engine::{validate_port, BoxFuture, Check};
use kms_preflight_net::ms;
use kms_preflight_net::rpc::{bind_exchange_as_client, BindExchange};
use kms_preflight_wire::dcerpc::{
    encode_bind, printable_prefix, provider_reason_name, BindRequest,
    REASON_ABSTRACT_SYNTAX_NOT_SUPPORTED,
};

pub use crate::common::rpc::{classify, RpcVerdict, CALL_ID};

// Every failure message starts with `-kms-rpc-tcp-ok` (a catalog term): "TCP connected
// (Test-NetConnection would say TcpTestSucceeded: True, which is not enough)".
kms_preflight_engine::messages! {
    /// KMS RPC endpoint at {addr} accepted the bind: {syntax} on context {context_id}, max
    /// fragment {max_xmit_frag}/{max_recv_frag} bytes, secondary address {quoted_secondary},
    /// bind answered in {bind_rtt_ms} ms
    accepted = "kms-rpc-accepted"
        (addr, syntax, context_id, max_xmit_frag, max_recv_frag, quoted_secondary, bind_rtt_ms);
    /// (the same) (the host reports port {secondary} while we connected to {port}: a NAT or
    /// port forward is in the path)
    accepted_other_port = "kms-rpc-accepted-other-port"
        (addr, syntax, context_id, max_xmit_frag, max_recv_frag, quoted_secondary, bind_rtt_ms,
         secondary, port);
    /// {tcp-ok}, and a DCE/RPC server at {addr} answered, but it rejected the KMS interface
    /// (abstract syntax not supported): this is another RPC service, not KMS
    rejected_foreign = "kms-rpc-rejected-foreign" (addr);
    /// {tcp-ok}, and a DCE/RPC server at {addr} answered, but it accepted no KMS context
    /// ({reasons}): an RPC server that does not offer KMS with NDR
    rejected = "kms-rpc-rejected" (addr, reasons);
    /// {tcp-ok}, but the RPC runtime at {addr} refused the bind with bind_nak, reason {reason}
    /// ({reason_name})
    nak = "kms-rpc-nak" (addr, reason, reason_name);
    /// (the same); extended error information follows
    nak_extended = "kms-rpc-nak-extended" (addr, reason, reason_name);
    /// {tcp-ok}, but {addr} answered the bind with a fault, status {status}
    fault = "kms-rpc-fault" (addr, status);
    /// {tcp-ok}, but {addr} answered the bind with a fault, status {status} ({status_name})
    fault_named = "kms-rpc-fault-named" (addr, status, status_name);
    /// {tcp-ok}, but {addr} answered the bind with a {pdu} PDU (PTYPE {ptype}), which does not
    /// answer a bind
    unexpected_pdu = "kms-rpc-unexpected-pdu" (addr, pdu, ptype);
    /// {tcp-ok}, but the answer from {addr} is a broken DCE/RPC PDU: {why}
    malformed = "kms-rpc-malformed" (addr, why);
    /// {tcp-ok}, but {addr} does not speak DCE/RPC: it answered '{received}'
    not_rpc = "kms-rpc-not-rpc" (addr, received);
    /// {tcp-ok}, but {addr} closed the connection without answering the RPC bind
    closed = "kms-rpc-closed" (addr);
    /// (the same) (before the bind could be sent)
    closed_before_bind = "kms-rpc-closed-before-bind" (addr);
    /// {tcp-ok}, but the connection to {addr} was reset (RST) in answer to the RPC bind
    reset = "kms-rpc-reset" (addr);
    /// {tcp-ok}, but the connection to {addr} was reset (RST) while sending the RPC bind
    reset_while_sending = "kms-rpc-reset-while-sending" (addr);
    /// {tcp-ok}, but {addr} did not answer the RPC bind within {timeout_ms}: the KMS RPC
    /// endpoint is silent
    silent = "kms-rpc-silent" (addr, timeout_ms);
    /// {tcp-ok}, but {addr} answered none of {binds} RPC binds (each on its own connection,
    /// like a client) within {timeout_ms}: the KMS RPC endpoint is silent
    silent_binds = "kms-rpc-silent-binds" (addr, binds, timeout_ms);
    /// RPC bind to {addr} failed locally: {error}
    local_error = "kms-rpc-local-error" (addr, error);
    /// skipped: no address of this host accepted a TCP connection
    no_reachable_address = "kms-rpc-no-reachable-address" ();

    /// On the KMS host: Get-Service sppsvc (it must be Running; Restart-Service sppsvc), slmgr
    /// /dlv must show 'Listening on Port: {port}' (if it listens elsewhere, fix the SRV record
    /// or run {sprt}), and the firewall rule must be on: Enable-NetFirewallRule -Name
    /// SPPSVC-In-TCP (or {new_rule}).
    fix_host = "kms-rpc-fix-host" (port, sprt, new_rule);
    /// On the network firewalls between this subnet and {ip}: allow TCP {port} as plain
    /// traffic; an application-aware firewall or IPS must permit MS-RPC (DCE/RPC) on {port},
    /// not just the handshake. Test from this subnet afterwards.
    fix_path = "kms-rpc-fix-path" (ip, port);
    /// Find what listens on {ip}:{port} (on the host: {find_listener}, then {find_process}),
    /// move it, and make sure clients are pointed at the real KMS host (the _vlmcs._tcp SRV
    /// record, or slmgr /skms). Also rule out a NAT or proxy redirecting TCP {port}.
    fix_other_service = "kms-rpc-fix-other-service" (ip, port, find_listener, find_process);
    /// {other_service}⏎{host_fix}
    fix_other_service_or_host = "kms-rpc-fix-other-service-or-host" (other_service, host_fix);
    /// KMS emulators never send bind_nak; this is a Microsoft RPC runtime refusing the
    /// association, or another service. {host_fix}⏎{other_service}
    fix_nak = "kms-rpc-fix-nak" (host_fix, other_service);
    /// {path_fix}⏎{other_service}
    fix_path_or_other_service = "kms-rpc-fix-path-or-other-service" (path_fix, other_service);
    /// A firewall/IPS that allows the handshake but blocks RPC, a load balancer without a
    /// healthy backend, or a service that is not KMS closes like this.⏎{path_fix}⏎{host_fix}
    fix_closed = "kms-rpc-fix-closed" (path_fix, host_fix);
    /// A reset in answer to RPC data is typical of an IPS or application-aware firewall
    /// rejecting MS-RPC.⏎{path_fix}⏎{host_fix}
    fix_reset = "kms-rpc-fix-reset" (path_fix, host_fix);
    /// Typical causes: a firewall or IPS that completes (or proxies) the handshake and then
    /// drops the data, or a hung sppsvc.⏎{path_fix}⏎{host_fix}
    fix_silent = "kms-rpc-fix-silent" (path_fix, host_fix);
}

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

/// The evidence of a `kms-rpc` result: a bind exchange, a failed connect, or nothing measured
/// (a skip). Each shape keeps the key order reports have.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum KmsRpcEvidence {
    Bind(Box<KmsRpcBind>),
    ConnectFailed(ConnectFailureEvidence),
    Nothing(crate::NothingMeasured),
}

impl Default for KmsRpcEvidence {
    fn default() -> Self {
        KmsRpcEvidence::Nothing(crate::NothingMeasured {})
    }
}

/// One bind exchange: what the verdict showed, then the exchange itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct KmsRpcBind {
    #[serde(flatten)]
    pub verdict: RpcVerdictEvidence,
    pub port: u16,
    /// The verdict class (`accepted`, `rejected`, `bind-nak`, `silent`, …).
    pub result: String,
    pub connect_rtt_ms: f64,
    pub reply_bytes: u64,
    /// When the host answered (or accepted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bind_rtt_ms: Option<f64>,
    /// Anything but an accepted bind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local: Option<SocketAddr>,
    pub connect_attempts: u32,
    pub bind_attempts: u32,
    /// A lossy path (see `tcp`): the ICMP loss of the address measured in this run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icmp_loss_percent: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lossy: Option<bool>,
}

impl KmsRpcEvidence {
    pub fn port(&self) -> Option<u16> {
        match self {
            KmsRpcEvidence::Bind(b) => Some(b.port),
            KmsRpcEvidence::ConnectFailed(c) => Some(c.port),
            KmsRpcEvidence::Nothing(_) => None,
        }
    }
    /// The verdict or connect failure class.
    pub fn result(&self) -> Option<&str> {
        match self {
            KmsRpcEvidence::Bind(b) => Some(&b.result),
            KmsRpcEvidence::ConnectFailed(c) => Some(&c.result),
            KmsRpcEvidence::Nothing(_) => None,
        }
    }
    /// The bind exchange, when there was one.
    pub fn bind(&self) -> Option<&KmsRpcBind> {
        match self {
            KmsRpcEvidence::Bind(b) => Some(b),
            _ => None,
        }
    }
}

impl crate::Evidence {
    /// The evidence of a `kms-rpc` result.
    pub fn kms_rpc(&self) -> Option<&KmsRpcEvidence> {
        match self {
            crate::Evidence::KmsRpc(e) => Some(e),
            _ => None,
        }
    }
}

/// The finding for one address's bind exchange, with its evidence.
pub fn verdict_finding(
    addr: SocketAddr,
    timeout: Duration,
    ex: &BindExchange,
    verdict: &RpcVerdict,
) -> Finding {
    let port = addr.port();
    let ip = addr.ip();
    let host_fix = || {
        fix_host(
            port,
            format!("slmgr /sprt {port}"),
            format!(
                "New-NetFirewallRule -DisplayName 'KMS {port}' -Direction Inbound -Protocol TCP -LocalPort {port} -Action Allow"
            ),
        )
    };
    let path_fix = || fix_path(ip, port);
    let other_service = || {
        fix_other_service(
            ip,
            port,
            format!("Get-NetTCPConnection -LocalPort {port} -State Listen"),
            "Get-Process -Id <OwningProcess>",
        )
    };
    let timeout_ms = timeout.as_millis() as u64;
    let f = match verdict {
        RpcVerdict::Accepted {
            ack,
            context_id,
            transfer_syntax,
            ..
        } => {
            let quoted = format!("{:?}", ack.secondary_address);
            let (x, r, rtt) = (ack.max_xmit_frag, ack.max_recv_frag, ms(ex.bind_rtt));
            let msg =
                if !ack.secondary_address.is_empty() && ack.secondary_address != port.to_string() {
                    accepted_other_port(
                        addr,
                        transfer_syntax,
                        *context_id,
                        x,
                        r,
                        quoted,
                        rtt,
                        &ack.secondary_address,
                        port,
                    )
                } else {
                    accepted(addr, transfer_syntax, *context_id, x, r, quoted, rtt)
                };
            Finding::new(Status::Pass, msg)
        }
        RpcVerdict::Rejected { outcomes, .. } => {
            let foreign = outcomes.iter().all(|o| {
                o.result.reason == REASON_ABSTRACT_SYNTAX_NOT_SUPPORTED && !o.result.is_accepted()
            });
            let msg = if foreign {
                rejected_foreign(addr)
            } else {
                let reasons: Vec<&str> = outcomes
                    .iter()
                    .map(|o| provider_reason_name(o.result.reason))
                    .collect();
                rejected(addr, reasons)
            };
            Finding::new(Status::Fail, msg)
                .codes(&["0xC004F074", "0xC004F039"])
                .remediation(fix_other_service_or_host(other_service(), host_fix()))
        }
        RpcVerdict::Nak(n) => {
            let msg = if n.has_extended_error_info() {
                nak_extended(addr, n.reason, n.reason_name())
            } else {
                nak(addr, n.reason, n.reason_name())
            };
            Finding::new(Status::Fail, msg)
                .codes(&["0xC004F074", "0x800706BA"])
                .remediation(fix_nak(host_fix(), other_service()))
        }
        RpcVerdict::Fault(f) => {
            let status = format!("0x{:08X}", f.status);
            let msg = match f.status_name() {
                Some(name) => fault_named(addr, status, name),
                None => fault(addr, status),
            };
            Finding::new(Status::Fail, msg)
                .codes(&["0xC004F074", "0x800706BA"])
                .remediation(fix_other_service_or_host(other_service(), host_fix()))
        }
        RpcVerdict::UnexpectedPdu { ptype } => Finding::new(
            Status::Fail,
            unexpected_pdu(addr, kms_preflight_wire::dcerpc::ptype_name(*ptype), *ptype),
        )
        .codes(&["0xC004F074", "0x800706BA"])
        .remediation(other_service()),
        RpcVerdict::Malformed { why } => Finding::new(Status::Fail, malformed(addr, why.message()))
            .codes(&["0xC004F074", "0x800706BA"])
            .remediation(fix_path_or_other_service(path_fix(), other_service())),
        RpcVerdict::NotRpc { bytes } => {
            Finding::new(Status::Fail, not_rpc(addr, printable_prefix(bytes, SHOWN)))
                .codes(&["0xC004F074", "0x800706BA"])
                .remediation(other_service())
        }
        RpcVerdict::Closed => {
            let msg = if ex.write_failed {
                closed_before_bind(addr)
            } else {
                closed(addr)
            };
            Finding::new(Status::Fail, msg)
                .codes(&["0xC004F074", "0x800706BA"])
                .remediation(fix_closed(path_fix(), host_fix()))
        }
        RpcVerdict::Reset => {
            let msg = if ex.write_failed {
                reset_while_sending(addr)
            } else {
                reset(addr)
            };
            Finding::new(Status::Fail, msg)
                .codes(&["0xC004F074", "0x800706BA"])
                .remediation(fix_reset(path_fix(), host_fix()))
        }
        RpcVerdict::Silent if ex.bind_attempts > 1 => Finding::new(
            Status::Fail,
            silent_binds(addr, ex.bind_attempts, timeout_ms),
        )
        .codes(&["0xC004F074", "0xC004F039"])
        .remediation(fix_silent(path_fix(), host_fix())),
        RpcVerdict::Silent => Finding::new(Status::Fail, silent(addr, timeout_ms))
            .codes(&["0xC004F074", "0xC004F039"])
            .remediation(fix_silent(path_fix(), host_fix())),
        RpcVerdict::Error(e) => Finding::new(Status::Error, local_error(addr, e)),
    };
    let accepted = matches!(verdict, RpcVerdict::Accepted { .. });
    let ev = KmsRpcBind {
        verdict: RpcVerdictEvidence::of(verdict),
        port,
        result: verdict.class().to_string(),
        connect_rtt_ms: ms(ex.connect_rtt),
        reply_bytes: ex.bytes.len() as u64,
        bind_rtt_ms: (accepted || !ex.bytes.is_empty()).then(|| ms(ex.bind_rtt)),
        timeout_ms: (!accepted).then_some(timeout_ms),
        local: ex.local,
        connect_attempts: ex.connect_attempts,
        bind_attempts: ex.bind_attempts,
        icmp_loss_percent: None,
        lossy: None,
    };
    f.address(ip.to_string())
        .with(KmsRpcEvidence::Bind(Box::new(ev)))
}

/// Addresses to probe: those the `tcp` prerequisite reached, else every address of the host.
async fn probe_addresses(ctx: &CheckContext<'_>) -> Result<Vec<IpAddr>, Finding> {
    addresses_from_fact(ctx, |f| &f.reachable, no_reachable_address()).await
}

impl Check<Kms> for KmsRpcCheck {
    fn default_scope(&self) -> Scope {
        Scope::EACH_HOST
    }

    fn budget(&self, timeout: Duration, settings: &RunSettings) -> Duration {
        // Resolution first (no `tcp` prerequisite), then connect + binds within one timeout.
        crate::common::address::per_address_budget(timeout, settings, 1)
    }

    fn job_budget(
        &self,
        timeout: Duration,
        settings: &RunSettings,
        prior: &crate::Facts,
    ) -> Duration {
        // With the addresses `tcp` reached, the binds (retried like a client) are all there is.
        if prior.reachable.is_some() {
            timeout
        } else {
            self.budget(timeout, settings)
        }
    }

    fn templates(&self) -> Vec<&Spanned<String>> {
        self.port.iter().collect()
    }

    fn validate(&self) -> Vec<(Location, kms_preflight_engine::Message)> {
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

    fn plan(
        &self,
        ctx: &kms_preflight_engine::plan::PlanContext<'_, Kms>,
    ) -> Vec<kms_preflight_engine::plan::PlannedProbe> {
        vec![crate::common::plan::to_kms_hosts(
            crate::common::plan::kms_port(ctx, &self.port),
            crate::common::plan::rpc_bind(),
        )]
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
                // The binds share what is left of the job's deadline.
                let timeout = ctx.timeout.min(ctx.left());
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
                        let mut f = verdict_finding(addr, ctx.timeout, &ex, &verdict);
                        let attempts = ex.connect_attempts + ex.bind_attempts - 1;
                        if attempts > 1 && f.status == Status::Pass {
                            let icmp = crate::tcp::lossy(&mut f, ctx, addr, attempts).await;
                            if let crate::Evidence::KmsRpc(KmsRpcEvidence::Bind(b)) =
                                &mut f.evidence
                            {
                                b.icmp_loss_percent = icmp;
                                b.lossy = Some(true);
                            }
                        }
                        findings.push(f);
                    }
                    Err((e, tried)) => {
                        let (f, ev) = connect_failure_finding(
                            addr,
                            ctx.timeout,
                            &e,
                            &tried,
                            &ctx.settings.memo,
                        );
                        findings.push(f.with(KmsRpcEvidence::ConnectFailed(ev)));
                    }
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
        let bind_of = |f: &Finding| f.evidence.kms_rpc().and_then(KmsRpcEvidence::bind).cloned();
        assert_eq!(bind_of(&f).unwrap().result, "rejected");

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
        let b = bind_of(&f).unwrap();
        assert_eq!(b.result, "bind-nak");
        assert_eq!(b.verdict.nak_reason, Some(4));
        assert_eq!(f.error_codes, ["0xC004F074", "0x800706BA"]);
    }

    /// Evidence as reports recorded it reads back typed, and writes out the same text.
    #[test]
    fn recorded_evidence_reads_back_in_each_shape() {
        use kms_preflight_engine::EvidenceSet;
        for text in [
            r#"{"negotiated_syntax":"NDR64 v1.0","context_id":1,"max_xmit_frag":5840,"max_recv_frag":5840,"secondary_address":"1688","assoc_group_id":"0x1063bf3f","context_results":["context 0 (51c82175-844e-4750-b0d8-ec255555bc06 v1.0): provider rejection, proposed transfer syntaxes not supported"],"implementation_hint":"py-kms (fixed assoc_group_id 0x1063BF3F), not Windows","port":1688,"result":"accepted","connect_rtt_ms":0.5,"reply_bytes":84,"bind_rtt_ms":0.7,"local":"198.18.1.1:44102","connect_attempts":2,"bind_attempts":1,"icmp_loss_percent":25.0,"lossy":true}"#,
            r#"{"nak_reason":4,"nak_reason_name":"protocol_version_not_supported","port":1688,"result":"bind-nak","connect_rtt_ms":0.93,"reply_bytes":21,"bind_rtt_ms":1.295,"timeout_ms":1000,"local":"198.18.1.1:44102","connect_attempts":1,"bind_attempts":1}"#,
            r#"{"port":1688,"result":"silent","connect_rtt_ms":0.4,"reply_bytes":0,"timeout_ms":1000,"connect_attempts":1,"bind_attempts":1}"#,
            r#"{"diagnosis":"no-answer","attempts":4,"path_answered":[],"path":"default via 198.18.0.1","port":1688,"result":"timeout","timeout_ms":2000}"#,
            "{}",
        ] {
            let v: serde_json::Value = serde_json::from_str(text).unwrap();
            let e = crate::Evidence::from_recorded("kms-rpc", v).unwrap();
            // An empty object is "nothing measured" (an engine-made skip), whatever the kind.
            assert!(e.kms_rpc().is_some() || text == "{}", "{text}");
            assert_eq!(serde_json::to_string(&e).unwrap(), text);
        }
    }
}
