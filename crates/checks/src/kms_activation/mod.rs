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
    ActivationSettings, CheckContext, CheckOutput, EvidenceText, Finding, Kms, Outcome,
    RunSettings, Source,
};
use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_saphyr::{Location, Spanned};
use tokio::task::JoinSet;

use crate::common::address::{addresses_from_fact, connect_failure_finding, port_for};

use kms_preflight_engine::rules::{Over, Scope};
use kms_preflight_engine::{validate_choice, validate_port, BoxFuture, Check, Message, Status};
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

kms_preflight_engine::messages! {
    /// skipped: no address of this host accepted the RPC bind
    no_bind_accepted = "activation-no-bind-accepted" ();
    /// not run: the activation probe is opt-in (--activation-probe); no activation request was
    /// sent
    not_opted_in = "activation-not-opted-in" ();
    /// CMID {cmid} is not a UUID
    cmid_invalid = "activation-cmid-invalid" (cmid);
    /// unknown product '{product}' (see kms-preflight check --help)
    unknown_product = "activation-unknown-product" (product);
    /// {product} at {addr}
    who = "activation-who" (product, addr);
    // How one probe ended.
    /// {who}: the host answered but will not activate yet: it counts {count} client(s) for
    /// {group} and activates from {threshold} (0xC004F038): {more} more client(s) needed; {facts}
    count_below = "activation-count-below" (who, count, group, threshold, more, facts);
    /// this product group
    this_product_group = "activation-this-product-group" ();
    /// {who}: the host would activate (count {count}, threshold {threshold}), but it shows
    /// emulator signs: {signs, joined by "; "}; {facts}
    emulator_signs = "activation-emulator-signs" (who, count, threshold, signs, facts);
    /// {who}: the host would activate (count {count}, threshold {threshold}): {facts}; no
    /// emulator sign seen
    would_activate = "activation-would-activate" (who, count, threshold, facts);
    /// {who}: the host's answer fails a client check, so a Windows/Office client would not
    /// accept it: {error}
    response_rejected = "activation-response-rejected" (who, error);
    /// {who}: the RPC runtime answered the activation request with a fault, status {status}
    fault = "activation-fault" (who, status);
    /// {who}: the RPC runtime answered the activation request with a fault, status {status}
    /// ({name})
    fault_named = "activation-fault-named" (who, status, name);
    /// {who}: the bind on the probe's own connection failed: {why}
    bind_failed = "activation-bind-failed" (who, why);
    /// {who}: no answer to the activation request: {why}
    no_answer = "activation-no-answer" (who, why);
    /// {who}: the probe could not run: {why}
    local_error = "activation-local-error" (who, why);
    /// {who}: the host refused the product ({code}): its host key does not cover {group};
    /// {need}
    product_refused = "activation-product-refused" (who, code, group, need);
    /// {who}: the host refused the product ({code}): its host key does not cover {group} (its
    /// ePID for another product names {installed}); {need}
    product_refused_installed = "activation-product-refused-installed" (who, code, group, installed, need);
    /// to activate it, the host needs host key {key}
    needs_key = "activation-needs-key" (key);
    /// to activate it, the host needs host key {key} (or one of: {others})
    needs_key_or = "activation-needs-key-or" (key, others);
    /// no host key in the catalog activates it
    no_key_activates = "activation-no-key-activates" ();
    /// {who}: the host rejected the request's timestamp ({code}): it judges this machine's
    /// clock to differ from its own by more than 4 hours
    timestamp_rejected = "activation-timestamp-rejected" (who, code);
    /// {who}: the host refused the request with {code}: {title}. {text}
    refused = "activation-refused" (who, code, title, text);
    // What the host's answer says (the facts of a validated response).
    /// host {os} (build {build})
    fact_host = "activation-fact-host" (os, build);
    /// unknown OS
    unknown_os = "activation-unknown-os" ();
    /// language {tag} (LCID {lcid})
    fact_language = "activation-fact-language" (tag, lcid);
    /// language LCID {lcid}
    fact_lcid = "activation-fact-lcid" (lcid);
    /// host key {key}
    fact_host_key = "activation-fact-host-key" (key);
    /// host key unknown (group {group}, key id {key_id})
    fact_host_key_unknown = "activation-fact-host-key-unknown" (group, key_id);
    /// key activated {date}
    fact_key_activated = "activation-fact-key-activated" (date);
    /// ePID {epid} (not decodable)
    fact_epid_undecodable = "activation-fact-epid-undecodable" (epid);
    /// intervals {activation} / {renewal} min (activation / renewal)
    fact_intervals = "activation-fact-intervals" (activation, renewal);
    // Emulator signs (each also kept as evidence, in English).
    /// HwId {hwid} is {emulator}'s default
    sign_known_hwid = "activation-sign-known-hwid" (hwid, emulator);
    /// current count {count} is exactly 2 x N (N = {threshold}); emulators report this at once
    sign_count_twice = "activation-sign-count-twice" (count, threshold);
    /// current count {count} exceeds the 2 x N cap {cap} a genuine host applies
    sign_count_above_cap = "activation-sign-count-above-cap" (count, cap);
    /// ePID platform {platform} does not match build {build} (expected {expected})
    sign_platform_mismatch = "activation-sign-platform-mismatch" (platform, build, expected);
    /// ePID activation day {day} of {year} is not a real date
    sign_invalid_day = "activation-sign-invalid-day" (day, year);
    /// ePID activation date (day {day} of {year}) is after the request time
    sign_date_in_future = "activation-sign-date-in-future" (day, year);
    /// ePID changed between calls: {previous} then {current}
    sign_epid_changed = "activation-sign-epid-changed" (previous, current);
    /// v6 response reuses the request IV (v5 behaviour)
    sign_iv_reused = "activation-sign-iv-reused" ();
    /// NDR64 refused although the ePID claims build {build} (>= 9200)
    sign_no_ndr64 = "activation-sign-no-ndr64" (build);
    /// bind_ack assoc_group_id 0x1063BF3F is py-kms's constant
    sign_py_kms_assoc_group = "activation-sign-py-kms-assoc-group" ();
    /// bind_ack flags {flags} set PFC_CONC_MPX the bind did not ask for
    sign_conc_mpx = "activation-sign-conc-mpx" (flags);
    /// {sign} on first contact from this machine's new CMID
    sign_first_contact = "activation-sign-first-contact" (sign);
    /// the ePID names host key {name} ({key}), which cannot activate {product}, yet the host
    /// activated it
    sign_key_cannot_activate = "activation-sign-key-cannot-activate" (name, key, product);
    /// the ePID's key id {key_id} in group {group} belongs to no known host key (CSVLK)
    sign_unknown_key = "activation-sign-unknown-key" (key_id, group);
    /// the ePID's license channel is {channel}, not 03 (volume)
    sign_channel = "activation-sign-channel" (channel);
    /// the ePID {epid} does not have the PPPPP-GGGGG-KKK-KKKKKK-03-LLLL-BBBBB.0000-DDDYYYY shape
    sign_epid_shape = "activation-sign-epid-shape" (epid);
    /// {version} answered 0x8007000D (a protocol version the probe fell back from)
    version_fell_back = "activation-version-fell-back" (version);
    // How the exchange around the request ended.
    /// bind
    the_bind = "activation-the-bind" ();
    /// activation request
    the_request = "activation-the-request" ();
    /// {what}: complete
    end_complete = "activation-end-complete" (what);
    /// {what}: the reply is not DCE/RPC
    end_not_rpc = "activation-end-not-rpc" (what);
    /// the host closed the connection instead of answering the {what}
    end_closed = "activation-end-closed" (what);
    /// the connection was reset (RST) in answer to the {what}
    end_reset = "activation-end-reset" (what);
    /// no answer to the {what} within {timeout_ms}
    end_timeout = "activation-end-timeout" (what, timeout_ms);
    /// {what}: socket error: {error}
    end_error = "activation-end-error" (what, error);
    /// the answer to the bind is not a bind_ack
    not_bind_ack = "activation-not-bind-ack" ();
    /// the host accepted no KMS context with NDR32
    no_ndr32_context = "activation-no-ndr32-context" ();
    /// the reply is not an RPC response: {error}
    not_rpc_response = "activation-not-rpc-response" (error);
    /// no randomness for the IV: {error}
    no_randomness = "activation-no-randomness" (error);
    // Remediation.
    /// Normal for a new host: it activates clients once {threshold} distinct machines have
    /// asked it within 30 days. …
    fix_count = "activation-fix-count" (threshold);
    /// A KMS emulator is a license compliance problem, not a connectivity one: …
    fix_emulator = "activation-fix-emulator" ();
    /// Something between this machine and the host changes the RPC data …
    fix_rejected = "activation-fix-rejected" ();
    /// The bind was accepted, so the path carries RPC; …
    fix_no_answer = "activation-fix-no-answer" ();
    /// Install and activate the right host key (CSVLK) on the KMS host: … Needed: {needed}.
    fix_host_key = "activation-fix-host-key" (needed);
    /// unknown
    unknown = "activation-unknown" ();
    /// Compare the clocks: clock.kms-host measures the host's clock from here …
    fix_timestamp = "activation-fix-timestamp" ();
    /// {fixes, one per line}
    fix_catalog = "activation-fix-catalog" (fixes);
    /// {what} ({commands, joined by "; "})
    catalog_fix = "activation-catalog-fix" (what, commands);
    // The cross-reference with the clock check (the post-pass).
    /// {message}; {clock} from here says: {said, joined by " | "}
    clock_said = "activation-clock-said" (message, clock, said);
    /// {status}: {message} (what one clock result said)
    clock_result = "activation-clock-result" (status, message);
    /// {message}; {clock} did not run in this report, so this machine's offset to the host was
    /// not measured (kms-preflight diagnose 0xC004F06C measures it)
    clock_not_run = "activation-clock-not-run" (message, clock);
}

/// What a `kms-activation` result measured (keys in the order reports have always written
/// them): the decoded response, the verdict's keys, a failed connect's keys, what was sent,
/// and the cross-reference with the clock check.
#[derive(
    Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct KmsActivationEvidence {
    /// The host's extended PID as it sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epid: Option<String>,
    /// The host's current client count for this product's KMS counted id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_count: Option<u32>,
    /// Minutes an unactivated client waits before retrying (host setting).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activation_interval_min: Option<u32>,
    /// Minutes between renewals of an activated client (host setting).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal_interval_min: Option<u32>,
    /// The host's hardware id (v6 only), 16 hex digits in wire byte order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hwid: Option<String>,
    /// Host OS build from the ePID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_build: Option<u32>,
    /// Host LCID from the ePID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lcid: Option<u32>,
    /// Host OS name(s) for that build.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    /// Language tag of that LCID (BCP 47, e.g. `ja-JP`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// The host key (CSVLK) the ePID's group and key id identify.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_key: Option<String>,
    /// Product groups that host key activates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_key_activates: Option<Vec<String>>,
    /// Date the host key was activated, from the ePID (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epid_activation_date: Option<String>,
    /// More clients needed before the host activates (on a count below the threshold).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clients_needed: Option<u32>,
    /// The client check the host's answer failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_check: Option<String>,
    /// Emulator signs seen; empty when none was seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emulator_signs: Option<Vec<EvidenceText>>,
    /// The status of an RPC fault (`0x1C010003`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault_status: Option<String>,
    /// Host key(s) that would activate the requested product (on 0xC004F042).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_key_needed: Option<Vec<String>>,
    /// HRESULT the host returned instead of a response (`0xC004F042` …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hresult: Option<String>,
    // A connect that failed (the shared connect helper's keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnosis: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_answered: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    // What was sent.
    /// The product requested (catalog slug, e.g. `windows-10-enterprise`; a keyword: it
    /// becomes a Prometheus label).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// The KMS counted id requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_id: Option<String>,
    /// KMS protocol version sent and answered, `6.0`, `5.0` or `4.0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// The count the product needs (N: 25 Windows client, 5 Windows Server and Office).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<u32>,
    /// The client machine id this probe sent (the stable one of this machine, or `--cmid`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmid: Option<String>,
    /// Where the CMID came from: `--cmid`, or the state file (and whether it was created now).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmid_origin: Option<String>,
    /// The workstation name sent (this machine's host name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workstation: Option<String>,
    /// Versions tried before the reported one, each of which answered 0x8007000D.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol_fallback: Option<Vec<EvidenceText>>,
    // The post-pass: the clock check of the same host and source, on a time rejection.
    /// What each `clock.kms-host` result said (`fail: the clock of …`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_cross_reference: Option<Vec<EvidenceText>>,
    /// Its offset, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_offset_ms: Option<f64>,
}

impl crate::Evidence {
    /// The evidence of a `kms-activation` result.
    pub fn activation(&self) -> Option<&KmsActivationEvidence> {
        match self {
            crate::Evidence::KmsActivation(e) => Some(e),
            _ => None,
        }
    }

    fn activation_mut(&mut self) -> Option<&mut KmsActivationEvidence> {
        match self {
            crate::Evidence::KmsActivation(e) => Some(e),
            _ => None,
        }
    }
}

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

/// How a read of the answer to `what` (the bind, the activation request) ended.
fn describe_end(end: &ReadEnd, what: Message, timeout: Duration) -> Message {
    match end {
        ReadEnd::Complete => end_complete(what),
        ReadEnd::NotRpc => end_not_rpc(what),
        ReadEnd::Closed => end_closed(what),
        ReadEnd::Reset => end_reset(what),
        ReadEnd::Timeout => {
            end_timeout(what, u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX))
        }
        ReadEnd::Error(e) => end_error(what, e.as_str()),
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
        return Ok(ProbeEnd::Local(no_randomness(e.to_string())));
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
    .map_err(|(e, tried)| {
        let (f, ev) = connect_failure_finding(addr, timeout, &e, &tried, memo);
        f.with(KmsActivationEvidence::of_connect(&ev))
    })?;
    let ack: Option<BindAck> = match ex.bind.end {
        ReadEnd::Complete => decode_bind_ack(&ex.bind.bytes).ok(),
        _ => None,
    };
    let Some(call) = ex.call else {
        let why = match (&ex.bind.end, &ack) {
            (ReadEnd::Complete, None) => not_bind_ack(),
            (ReadEnd::Complete, Some(_)) => no_ndr32_context(),
            (end, _) => describe_end(end, the_bind(), timeout),
        };
        return Ok(ProbeEnd::BindFailed(why));
    };
    if call.end != ReadEnd::Complete {
        return Ok(ProbeEnd::Transport(describe_end(
            &call.end,
            the_request(),
            timeout,
        )));
    }
    Ok(match decode_call_reply(&call.bytes) {
        Err(e) => ProbeEnd::Transport(not_rpc_response(e.to_string())),
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
                Finding::new(Status::Error, unknown_product(slug.as_str()))
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
                    findings.push(connect_failed(f, product));
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

    fn validate(&self) -> Vec<(Location, kms_preflight_engine::Message)> {
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
            "product",
            "current_count",
            "threshold",
            "epid",
            "host_key",
            "os",
            "cmid",
        ]
    }

    fn post_pass(&self, id: &str, results: &mut [Outcome]) {
        cross_reference_clock(id, results);
    }

    fn plan(
        &self,
        ctx: &kms_preflight_engine::plan::PlanContext<'_, Kms>,
    ) -> Vec<kms_preflight_engine::plan::PlannedProbe> {
        vec![crate::common::plan::to_kms_hosts(
            crate::common::plan::kms_port(ctx, &self.port),
            crate::common::plan::activation(),
        )
        .off(crate::common::plan::off_activation())]
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext<'a>) -> BoxFuture<'a, CheckOutput> {
        Box::pin(async move {
            // Opt-in: without the run's activation settings nothing is ever sent.
            let Some(act) = ctx.settings.activation.clone() else {
                return CheckOutput::one(Finding::new(Status::Skip, not_opted_in()));
            };
            let cmid = match Uuid::parse(&act.cmid) {
                Ok(u) => u,
                Err(_) => {
                    return CheckOutput::one(Finding::new(
                        Status::Error,
                        cmid_invalid(format!("{:?}", act.cmid)),
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
            let addrs =
                match addresses_from_fact(ctx, |f| &f.rpc_ok_addresses, no_bind_accepted()).await {
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

/// A connect that failed before the request: the shared connect helper's finding, with the
/// product it was for.
fn connect_failed(mut f: Finding, product: &Product) -> Finding {
    if let crate::Evidence::KmsActivation(e) = &mut f.evidence {
        e.product = Some(product.slug().to_string());
        return f;
    }
    let e = KmsActivationEvidence {
        product: Some(product.slug().to_string()),
        ..Default::default()
    };
    f.with(e)
}

impl KmsActivationEvidence {
    /// The shared connect helper's evidence (port, result, timeout_ms, …), whose keys this
    /// kind's evidence has under the same names and in the same order.
    fn of_connect(c: &crate::common::address::ConnectFailureEvidence) -> KmsActivationEvidence {
        serde_json::to_value(c)
            .ok()
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default()
    }
}

/// The id of the clock rule that measures the KMS host's clock (the built-in pack's).
const CLOCK_OF_THE_HOST: &str = "clock.kms-host";

/// Cross-references a host-side time rejection (0xC004F06C) with the clock check of the same
/// host and source, when it ran: the host's verdict and this machine's measurement side by
/// side. Runs on the finished run (the two checks run concurrently): `results` are the run's,
/// this rule's own are those whose id is `id`.
pub fn cross_reference_clock(id: &str, results: &mut [Outcome]) {
    /// (target, source, what it said, offset_ms) of one clock.kms-host result.
    type Seen = (Option<String>, Option<String>, Message, Option<f64>);
    let clocks: Vec<Seen> = results
        .iter()
        .filter(|r| r.kind == crate::evidence::kinds::CLOCK && r.id == CLOCK_OF_THE_HOST)
        .map(|r| {
            (
                r.target.clone(),
                r.source.clone(),
                clock_result(r.status.as_str(), r.message.clone()),
                r.evidence.clock().and_then(|e| e.offset_ms),
            )
        })
        .collect();
    for r in results.iter_mut().filter(|r| r.id == id) {
        let time_rejected = r
            .evidence
            .activation()
            .is_some_and(|e| e.hresult.as_deref() == Some("0xC004F06C"));
        if !time_rejected {
            continue;
        }
        let same: Vec<&Seen> = clocks
            .iter()
            .filter(|(t, s, _, _)| *t == r.target && *s == r.source)
            .collect();
        if same.is_empty() {
            r.message = clock_not_run(r.message.clone(), CLOCK_OF_THE_HOST);
            continue;
        }
        let said: Vec<Message> = same.iter().map(|(_, _, m, _)| m.clone()).collect();
        r.message = clock_said(r.message.clone(), CLOCK_OF_THE_HOST, said.clone());
        if let Some(e) = r.evidence.activation_mut() {
            e.clock_cross_reference = Some(said.into_iter().map(EvidenceText::from).collect());
            if let Some(off) = same.iter().find_map(|(_, _, _, o)| *o) {
                e.clock_offset_ms = Some(off);
            }
        }
    }
}

#[cfg(test)]
mod tests;
