//! `kms-activation` (opt-in: `check --activation-probe`): asks the KMS host itself whether it
//! would activate each product, with a real activation request (KMS protocol v4/v5/v6 over a
//! fresh DCE/RPC connection, after `kms.rpc-bind` passed).
//!
//! **Side effect, by design and documented everywhere the flag is:** the host adds this
//! machine's CMID to its client count for 30 days and logs the request (event 12290). That is
//! why the kind is in no built-in profile and not in the default pack: its rule lives in
//! `rules/activation.yaml`, which only `--activation-probe` loads, and the kind itself sends
//! nothing unless the run's [`ActivationSettings`] are set (a user rule file naming the kind
//! without the flag gets a skip). One stable CMID per probing machine (stored in the state
//! directory by the binary) keeps repeated probes at one client.
//!
//! What the request says about this machine, honestly:
//! * CMID: the stored one (or `--cmid`); previous CMID all zero.
//! * workstation name: this machine's host name (the host logs it in event 12290).
//! * license status 0 (unlicensed) and 0 minutes of remaining grace: the probing machine does
//!   not run the product, so it claims no licensed or grace state.
//! * VM flag: 1 when the CPU reports a hypervisor (`/proc/cpuinfo`), else 0.
//! * N: the product's own threshold (25 Windows client, 5 Windows Server and Office), so the
//!   returned count is capped where a real client of that product would see it.
//!
//! Pure interpretation is in [`verdict`]; this module does the I/O.

pub mod verdict;

use crate::{
    evidence::activation as ev, ActivationSettings, CheckContext, CheckOutput, Finding, Kms,
    Outcome, RunSettings, Source,
};
use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use serde_saphyr::{Location, Spanned};
use tokio::task::JoinSet;

use crate::common::address::{addresses_from_fact, connect_failure_finding, port_for};

use kms_preflight_engine::rules::{Over, Scope};
use kms_preflight_engine::{validate_choice, validate_port, BoxFuture, Check, Status};
use kms_preflight_knowledge::products::{self, Product};
use kms_preflight_net::memo::RunMemo;
use kms_preflight_net::rpc::{call_exchange, ReadEnd};
use kms_preflight_wire::dcerpc::{
    decode_bind_ack, encode_bind, kms_bind_verdict, BindAck, BindRequest, KmsBindVerdict, Uuid,
    NDR32,
};
use kms_preflight_wire::kms::{self, BaseRequest, ProtocolVersion, Response, SignInputs};
use kms_preflight_wire::rpc_call::{decode_call_reply, encode_request_pdu, CallReply, RequestPdu};

pub use verdict::{finding, Probe, ProbeEnd};

kms_preflight_engine::messages! {}

kms_preflight_engine::check_rule! {
    /// Parameters of a `kms-activation` check.
    KmsActivationRule => KmsActivationCheck {
        /// Port; default: what `kms.rpc-bind` used, else the host's port.
        port: Option<Spanned<String>>,
        /// `auto` (default): each product's own protocol version, falling back to the older
        /// versions when the host answers 0x8007000D (e.g. v6 to a v5-only host); or `4`,
        /// `5`, `6` to send only that version.
        protocol: Option<Spanned<String>>,
    }
}

/// Call id of the bind and of the request on the probe's connection (Windows starts at 2).
const BIND_CALL_ID: u32 = 2;
const REQUEST_CALL_ID: u32 = 3;

/// Text of the skip when the run did not opt in.
pub const NOT_OPTED_IN: &str =
    "not run: the activation probe is opt-in (--activation-probe); no activation request was sent";

impl KmsActivationCheck {
    /// Versions to try for `product`, in order.
    fn versions(&self, product: &Product) -> Vec<ProtocolVersion> {
        let fixed = self
            .protocol
            .as_ref()
            .and_then(|p| p.value.parse::<u16>().ok())
            .and_then(ProtocolVersion::from_major);
        if let Some(v) = fixed {
            return vec![v];
        }
        let own = ProtocolVersion::from_major(u16::from(product.protocol_version()))
            .unwrap_or(ProtocolVersion::V6);
        [
            ProtocolVersion::V6,
            ProtocolVersion::V5,
            ProtocolVersion::V4,
        ]
        .into_iter()
        .filter(|v| *v <= own)
        .collect()
    }
}

/// True when the CPU says it runs under a hypervisor (the request's VM flag).
fn running_in_vm() -> bool {
    std::fs::read_to_string("/proc/cpuinfo")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("flags") && l.split_whitespace().any(|w| w == "hypervisor"))
        })
        .unwrap_or(false)
}

fn now_filetime() -> u64 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    kms::unix_to_filetime(secs)
}

/// The base request this machine sends for `product` (see the module docs for each value).
pub fn base_request(
    version: ProtocolVersion,
    product: &Product,
    cmid: Uuid,
    workstation: &str,
    client_time: u64,
    vm: bool,
) -> BaseRequest {
    let mut r = BaseRequest::new(
        version,
        product.application_id(),
        product.sku_id(),
        product.kms_id(),
        cmid,
        product.required_client_count(),
        client_time,
        workstation,
    );
    r.license_status = 0;
    r.binding_expiration = 0;
    r.is_client_vm = u32::from(vm);
    r
}

fn describe_end(end: &ReadEnd, what: &str, timeout: Duration) -> String {
    match end {
        ReadEnd::Complete => format!("{what}: complete"),
        ReadEnd::NotRpc => format!("{what}: the reply is not DCE/RPC"),
        ReadEnd::Closed => {
            format!("the host closed the connection instead of answering the {what}")
        }
        ReadEnd::Reset => format!("the connection was reset (RST) in answer to the {what}"),
        ReadEnd::Timeout => format!(
            "no answer to the {what} within {}",
            humantime::format_duration(timeout)
        ),
        ReadEnd::Error(e) => format!("{what}: socket error: {e}"),
    }
}

/// What one attempt sends, and what its emulator signs are compared with.
struct Attempt<'a> {
    version: ProtocolVersion,
    base: &'a BaseRequest,
    product: &'a Product,
    /// ePID this address returned earlier for the same application (one CSVLK answers both).
    previous_epid: Option<&'a str>,
    cmid_new: bool,
}

/// One request for one product on a fresh connection: bind, request, reply.
async fn probe_once(
    addr: SocketAddr,
    source: Option<&Source>,
    timeout: Duration,
    memo: &RunMemo,
    a: Attempt<'_>,
) -> Result<ProbeEnd, Finding> {
    let Attempt {
        version,
        base,
        product,
        previous_epid,
        cmid_new,
    } = a;
    let bind = BindRequest::kms_probe(BIND_CALL_ID);
    let bind_pdu = encode_bind(&bind);
    let mut iv = [0u8; 16];
    if let Err(e) = getrandom::fill(&mut iv) {
        return Ok(ProbeEnd::Local(format!("no randomness for the IV: {e}")));
    }
    let (stub, rctx) = kms::encode_request(version, base, iv);
    let ex = call_exchange(addr, source, timeout, &bind_pdu, Some(memo), |ack_bytes| {
        let ack = decode_bind_ack(ack_bytes).ok()?;
        match kms_bind_verdict(&bind, &ack) {
            KmsBindVerdict::Accepted {
                context_id,
                transfer_syntax,
            } if transfer_syntax == NDR32 => Some(encode_request_pdu(
                &RequestPdu::request_activation(REQUEST_CALL_ID, context_id, stub.clone()),
            )),
            _ => None,
        }
    })
    .await
    .map_err(|(e, tried)| connect_failure_finding(addr, timeout, &e, &tried, memo))?;
    let ack: Option<BindAck> = match ex.bind.end {
        ReadEnd::Complete => decode_bind_ack(&ex.bind.bytes).ok(),
        _ => None,
    };
    let Some(call) = ex.call else {
        let why = match (&ex.bind.end, &ack) {
            (ReadEnd::Complete, None) => "the answer to the bind is not a bind_ack".to_string(),
            (ReadEnd::Complete, Some(_)) => {
                "the host accepted no KMS context with NDR32".to_string()
            }
            (end, _) => describe_end(end, "bind", timeout),
        };
        return Ok(ProbeEnd::BindFailed(why));
    };
    if call.end != ReadEnd::Complete {
        return Ok(ProbeEnd::Transport(describe_end(
            &call.end,
            "activation request",
            timeout,
        )));
    }
    Ok(match decode_call_reply(&call.bytes) {
        Err(e) => ProbeEnd::Transport(format!("the reply is not an RPC response: {e}")),
        Ok(CallReply::Fault(f)) => ProbeEnd::Fault {
            status: f.status,
            name: f.status_name().map(str::to_string),
        },
        Ok(CallReply::Response(pdu)) => match kms::decode_response(version, &pdu.stub, &rctx) {
            Ok(Response::Error(hr)) => ProbeEnd::Hresult(hr),
            Err(e) => ProbeEnd::Rejected(e),
            Ok(Response::Activated(response)) => {
                let wire_signs = kms::emulator_signs(
                    &response,
                    &SignInputs {
                        request: base,
                        threshold: product.required_client_count(),
                        previous_epid,
                        bind: ack.as_ref().map(|a| (&bind, a)),
                    },
                );
                let signs = verdict::signs_for(
                    &response,
                    &wire_signs,
                    product,
                    cmid_new,
                    products::catalog(),
                );
                ProbeEnd::Activated { response, signs }
            }
        },
    })
}

/// Every product, one after the other, against one address; one finding each.
/// Where one address's probes leave from, how long each leg may take, and the run's memory.
struct Via {
    source: Option<Source>,
    timeout: Duration,
    memo: RunMemo,
}

async fn probe_address(
    check: &KmsActivationCheck,
    addr: SocketAddr,
    via: Via,
    act: ActivationSettings,
    cmid: Uuid,
    vm: bool,
) -> Vec<Finding> {
    let Via {
        source,
        timeout,
        memo,
    } = via;
    let cat = products::catalog();
    let mut findings = Vec::new();
    // ePIDs seen from this address, per application id (one CSVLK answers them all).
    let mut epids: Vec<(Uuid, String)> = Vec::new();
    let mut installed_key: Option<String> = None;
    for slug in &act.products {
        let Some(product) = cat.product(slug) else {
            findings.push(
                Finding::new(
                    Status::Error,
                    format!("unknown product '{slug}' (see kms-preflight check --help)"),
                )
                .address(addr.ip().to_string()),
            );
            continue;
        };
        let versions = check.versions(product);
        let mut tried = Vec::new();
        let mut last: Option<(ProtocolVersion, ProbeEnd)> = None;
        for version in versions {
            let base = base_request(version, product, cmid, &act.workstation, now_filetime(), vm);
            let previous = epids
                .iter()
                .find(|(app, _)| *app == product.application_id())
                .map(|(_, e)| e.as_str());
            let attempt = Attempt {
                version,
                base: &base,
                product,
                previous_epid: previous,
                cmid_new: act.cmid_new,
            };
            let end = match probe_once(addr, source.as_ref(), timeout, &memo, attempt).await {
                Ok(end) => end,
                Err(f) => {
                    findings.push(f.evidence(ev::PRODUCT, product.slug()));
                    last = None;
                    break;
                }
            };
            let retry = matches!(end, ProbeEnd::Hresult(kms::HRESULT_ERROR_INVALID_DATA));
            last = Some((version, end));
            if !retry {
                break;
            }
            tried.push(version);
        }
        let Some((version, end)) = last else {
            continue;
        };
        // The last attempt is the reported one; earlier ones only fell back.
        tried.retain(|v| *v != version);
        if let ProbeEnd::Activated { response, .. } = &end {
            epids.push((product.application_id(), response.base.epid.clone()));
            if let Some(hk) = cat
                .decode_epid(&response.base.epid)
                .and_then(|d| d.host_key)
            {
                installed_key = Some(hk.name().to_string());
            }
        }
        let probe = Probe {
            addr,
            product,
            version,
            cmid: act.cmid.clone(),
            cmid_origin: act.cmid_origin.clone(),
            cmid_new: act.cmid_new,
            workstation: act.workstation.clone(),
            fell_back_from: tried,
        };
        findings.push(verdict::finding(&probe, &end, installed_key.as_deref()));
    }
    findings
}

impl Check<Kms> for KmsActivationCheck {
    fn default_scope(&self) -> Scope {
        Scope {
            over: Over::Host,
            per_source: false,
        }
    }

    fn budget(&self, timeout: Duration, settings: &RunSettings) -> Duration {
        let products = settings
            .activation
            .as_ref()
            .map_or(1, |a| a.products.len().max(1)) as u32;
        // Resolution when no prerequisite gave addresses; then per product up to three
        // protocol versions of connect + bind + call (addresses in parallel).
        crate::common::address::per_address_budget(timeout, settings, 3 * 3 * products)
    }

    fn templates(&self) -> Vec<&Spanned<String>> {
        self.port.iter().collect()
    }

    fn validate(&self) -> Vec<(Location, String)> {
        let mut out: Vec<_> = self.port.iter().filter_map(validate_port).collect();
        out.extend(
            self.protocol
                .as_ref()
                .and_then(|p| validate_choice(p, "protocol", &["auto", "4", "5", "6"])),
        );
        out
    }

    fn evidence_vars(&self) -> &'static [&'static str] {
        &[
            ev::PRODUCT,
            ev::CURRENT_COUNT,
            ev::THRESHOLD,
            ev::EPID,
            ev::HOST_KEY,
            ev::OS,
            ev::CMID,
        ]
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext<'a>) -> BoxFuture<'a, CheckOutput> {
        Box::pin(async move {
            // Opt-in: without the run's activation settings nothing is ever sent.
            let Some(act) = ctx.settings.activation.clone() else {
                return CheckOutput::one(Finding::new(Status::Skip, NOT_OPTED_IN));
            };
            let cmid = match Uuid::parse(&act.cmid) {
                Ok(u) => u,
                Err(_) => {
                    return CheckOutput::one(Finding::new(
                        Status::Error,
                        format!("CMID {:?} is not a UUID", act.cmid),
                    ))
                }
            };
            let port = match ctx.prior.port {
                Some(p) if self.port.is_none() => p,
                _ => match port_for(ctx, &self.port) {
                    Ok(p) => p,
                    Err(f) => return CheckOutput::one(f),
                },
            };
            // The addresses whose bind kms.rpc-bind accepted, else every address.
            let addrs = match addresses_from_fact(
                ctx,
                |f| &f.rpc_ok_addresses,
                "skipped: no address of this host accepted the RPC bind",
            )
            .await
            {
                Ok(a) => a,
                Err(f) => return CheckOutput::one(f),
            };
            let vm = running_in_vm();
            let mut set = JoinSet::new();
            for (i, ip) in addrs.iter().enumerate() {
                let addr = SocketAddr::new(*ip, port);
                let source = ctx.source.cloned();
                let timeout = ctx.timeout;
                let via = Via {
                    source,
                    timeout,
                    memo: ctx.settings.memo.clone(),
                };
                let act = act.clone();
                // The check outlives no job: clone what the task needs.
                let check = KmsActivationCheck {
                    port: None,
                    protocol: self.protocol.clone(),
                };
                set.spawn(
                    async move { (i, probe_address(&check, addr, via, act, cmid, vm).await) },
                );
            }
            let mut results = Vec::new();
            while let Some(r) = set.join_next().await {
                if let Ok(r) = r {
                    results.push(r);
                }
            }
            results.sort_by_key(|r| r.0);
            CheckOutput {
                findings: results.into_iter().flat_map(|(_, f)| f).collect(),
                ..Default::default()
            }
        })
    }
}

/// Cross-references a host-side time rejection (0xC004F06C) with the clock check of the same
/// host and source, when it ran: the host's verdict and this machine's measurement side by
/// side. Runs on the finished report (the two checks run concurrently).
pub fn cross_reference_clock(results: &mut [Outcome]) {
    /// (target, source, "status: message", offset_ms) of one clock.kms-host result.
    type Seen = (Option<String>, Option<String>, String, Option<Value>);
    let clocks: Vec<Seen> = results
        .iter()
        .filter(|r| r.kind == "clock" && r.id == "clock.kms-host")
        .map(|r| {
            (
                r.target.clone(),
                r.source.clone(),
                format!("{}: {}", r.status.as_str(), r.message.legacy_text()),
                r.evidence.get("offset_ms").cloned(),
            )
        })
        .collect();
    for r in results.iter_mut() {
        let time_rejected =
            r.evidence.get(ev::HRESULT).and_then(Value::as_str) == Some("0xC004F06C");
        if r.kind != "kms-activation" || !time_rejected {
            continue;
        }
        let same: Vec<_> = clocks
            .iter()
            .filter(|(t, s, _, _)| *t == r.target && *s == r.source)
            .collect();
        if same.is_empty() {
            r.message.push_legacy(
                "; clock.kms-host did not run in this report, so this machine's offset to the host was not measured (kms-preflight diagnose 0xC004F06C measures it)",
            );
            continue;
        }
        let texts: Vec<String> = same.iter().map(|(_, _, m, _)| m.clone()).collect();
        r.message.push_legacy(&format!(
            "; clock.kms-host from here says: {}",
            texts.join(" | ")
        ));
        r.evidence
            .insert("clock_cross_reference".into(), Value::from(texts.clone()));
        if let Some(off) = same.iter().find_map(|(_, _, _, o)| o.clone()) {
            r.evidence.insert("clock_offset_ms".into(), off);
        }
    }
}

#[cfg(test)]
mod tests;
