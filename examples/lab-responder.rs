//! lab-responder: a small TCP server that plays the peers the integration tests need on port
//! 1688 (a KMS host's RPC endpoint, another RPC server, an HTTP server, a silent or closing
//! listener). Test support only; not part of the shipped binary. Std threads, no async: one
//! thread per listener and one per connection is plenty for a lab.
//!
//! Usage: lab-responder --mode MODE --listen ADDR:PORT [--listen ADDR:PORT ...] [ACTIVATION]
//! Prints `ready` once every listener is bound, then serves until killed.
//!
//! In the `kms` and `kms-ndr64` modes the responder also answers KMS activation requests
//! (RequestActivation, opnum 0, protocol v4/v5/v6) after the bind, as its own small KMS host
//! built on the wire crate's server side (`kms::decode_request_blob`, `kms::encode_response_blob`):
//!
//!   --count N|track      current count to report (capped at 2·N of the request, as a genuine
//!                        host does); `track`: the number of distinct CMIDs it has seen for the
//!                        request's KMS counted id. Default 30.
//!   --epid TEXT          ePID for Windows requests (default: a Server 2019 CSVLK on 17763)
//!   --office-epid TEXT   ePID for Office requests (default: an Office LTSC 2021 CSVLK)
//!   --lcid N / --build N replace the LCID / build fields of both ePIDs
//!   --hwid HEX           v6 HwId, 16 hex digits (default a non-emulator value)
//!   --hresult CODE       answer every activation request with this HRESULT (error form)
//!   --covers UUID        a KMS counted id the host's key covers (repeatable); any other gets
//!                        0xC004F042. Default: every id.
//!   --max-skew SECS      host-side time check: more than SECS between the request's time and
//!                        the host clock gets 0xC004F06C (default 14400, the 4 h limit; 0: off)
//!   --clock-offset SECS  the host's clock, relative to the real one (default 0)
//!   --requests-file PATH append one line per activation request received
//!                        (`<cmid> <kms counted id> v<major> <workstation>`), so a test can
//!                        count them — and assert that a default run sends none.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::Duration;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use kms_preflight_wire::dcerpc::Uuid;
use kms_preflight_wire::dcerpc::{
    btfn_bitmask, decode_bind, decode_pdu_header, encode_bind_ack, encode_bind_nak,
    peek_frag_length, BindAck, BindRequest, ContextResult, PduHeader, FRAG_LENGTH_PREFIX_LEN,
    KMS_INTERFACE_UUID, NAK_PROTOCOL_VERSION_NOT_SUPPORTED, NDR32, NDR64, PFC_CONC_MPX,
    PFC_FIRST_FRAG, PFC_LAST_FRAG, PTYPE_ALTER_CONTEXT, PTYPE_ALTER_CONTEXT_RESP, PTYPE_BIND_ACK,
    PTYPE_BIND_NAK, REASON_ABSTRACT_SYNTAX_NOT_SUPPORTED, REASON_TRANSFER_SYNTAXES_NOT_SUPPORTED,
};
use kms_preflight_wire::kms::{self, BaseResponse, ResponseRandom};
use kms_preflight_wire::rpc_call::{
    decode_request_pdu, decode_request_stub, encode_error_stub, encode_fault, encode_response_pdu,
    encode_response_stub, Ndr, ResponsePdu, OPNUM_REQUEST_ACTIVATION,
};

const IO_TIMEOUT: Duration = Duration::from_secs(10);
const HTTP_REPLY: &[u8] =
    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
const USAGE: &str =
    "usage: lab-responder --mode accept|kms|kms-ndr64|rpc-other|nak|http|silent|close|reset|record \
                     --listen ADDR:PORT [--listen ADDR:PORT ...] [--count N|track] [--epid TEXT] \
                     [--office-epid TEXT] [--lcid N] [--build N] [--hwid HEX] [--hresult CODE] \
                     [--covers UUID ...] [--max-skew SECS] [--clock-offset SECS] [--requests-file PATH]";

/// Office 2013+ application id: requests with it get the Office ePID.
const OFFICE_APP_ID: &str = "0ff1ce15-a989-479d-af46-f275c6370663";
const OFFICE_2010_APP_ID: &str = "59a52881-a989-479d-af46-f275c6370663";
/// Fault statuses a Microsoft RPC runtime sends: unknown opnum, unknown context.
const NCA_S_OP_RNG_ERROR: u32 = 0x1C01_0002;
const NCA_S_UNK_IF: u32 = 0x1C01_0003;

/// How the responder answers activation requests (see the module docs).
#[derive(Debug, Clone)]
struct Activation {
    /// `None`: track distinct CMIDs per KMS counted id.
    count: Option<u32>,
    epid: String,
    office_epid: String,
    hwid: [u8; 8],
    hresult: Option<u32>,
    covers: Vec<Uuid>,
    max_skew_secs: i64,
    clock_offset_secs: i64,
    requests_file: Option<PathBuf>,
    /// (KMS counted id, CMID) pairs seen, for `--count track`.
    seen: Arc<Mutex<BTreeSet<(Uuid, Uuid)>>>,
}

impl Default for Activation {
    fn default() -> Self {
        Activation {
            count: Some(30),
            epid: "03612-00206-568-381813-03-1033-17763.0000-3052018".into(),
            office_epid: "03612-00206-575-219437-03-1033-17763.0000-1222022".into(),
            hwid: [0x5F, 0x0B, 0x2A, 0x36, 0xC8, 0xD9, 0xE1, 0x41],
            hresult: None,
            covers: Vec::new(),
            max_skew_secs: 4 * 3600,
            clock_offset_secs: 0,
            requests_file: None,
            seen: Arc::new(Mutex::new(BTreeSet::new())),
        }
    }
}

/// Replace field `index` (0-based, split on '-') of an ePID; the build field keeps ".0000".
fn epid_with(epid: &str, index: usize, value: &str) -> String {
    let mut parts: Vec<String> = epid.split('-').map(str::to_string).collect();
    if let Some(p) = parts.get_mut(index) {
        *p = if index == 6 {
            format!("{value}.0000")
        } else {
            value.to_string()
        };
    }
    parts.join("-")
}

fn parse_hex_u32(v: &str) -> Result<u32, String> {
    let t = v.trim();
    let r = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(h) => u32::from_str_radix(h, 16),
        None => t.parse::<u32>(),
    };
    r.map_err(|e| format!("{v:?}: {e}"))
}

#[derive(Clone, Copy, Debug)]
enum Mode {
    Accept,
    Kms,
    /// A Windows 8 / Server 2012+ host: NDR64 accepted, NDR32 rejected when NDR64 is offered too.
    KmsNdr64,
    RpcOther,
    Nak,
    Http,
    Silent,
    Close,
    Reset,
    /// Like `accept`, and logs every connection (`record: connection from PEER to LOCAL`) on
    /// stderr: tests assert from it that nothing connected.
    Record,
}

impl Mode {
    fn parse(s: &str) -> Option<Mode> {
        Some(match s {
            "accept" => Mode::Accept,
            "kms" => Mode::Kms,
            "kms-ndr64" => Mode::KmsNdr64,
            "rpc-other" => Mode::RpcOther,
            "nak" => Mode::Nak,
            "http" => Mode::Http,
            "silent" => Mode::Silent,
            "close" => Mode::Close,
            "reset" => Mode::Reset,
            "record" => Mode::Record,
            _ => return None,
        })
    }
}

fn parse_args() -> Result<(Mode, Vec<SocketAddr>, Activation), String> {
    let mut mode = None;
    let mut listen = Vec::new();
    let mut act = Activation::default();
    let (mut lcid, mut build) = (None, None);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--mode" => {
                let v = value()?;
                mode = Some(Mode::parse(&v).ok_or(format!("unknown mode {v:?}"))?);
            }
            "--listen" => {
                let v = value()?;
                // SocketAddr parses both 127.0.0.1:1688 and [::1]:1688.
                listen.push(v.parse().map_err(|e| format!("--listen {v:?}: {e}"))?);
            }
            "--count" => {
                let v = value()?;
                act.count = match v.as_str() {
                    "track" => None,
                    n => Some(n.parse().map_err(|e| format!("--count {n:?}: {e}"))?),
                };
            }
            "--epid" => act.epid = value()?,
            "--office-epid" => act.office_epid = value()?,
            "--lcid" => lcid = Some(value()?),
            "--build" => build = Some(value()?),
            "--hwid" => {
                let v = value()?;
                let bytes: Vec<u8> = (0..v.len())
                    .step_by(2)
                    .filter_map(|i| v.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
                    .collect();
                act.hwid = bytes
                    .try_into()
                    .map_err(|_| format!("--hwid {v:?}: expected 16 hex digits"))?;
            }
            "--hresult" => act.hresult = Some(parse_hex_u32(&value()?)?),
            "--covers" => {
                let v = value()?;
                act.covers
                    .push(Uuid::parse(&v).map_err(|_| format!("--covers {v:?}: not a UUID"))?);
            }
            "--max-skew" => {
                let v = value()?;
                act.max_skew_secs = v.parse().map_err(|e| format!("--max-skew {v:?}: {e}"))?;
            }
            "--clock-offset" => {
                let v = value()?;
                act.clock_offset_secs = v
                    .parse()
                    .map_err(|e| format!("--clock-offset {v:?}: {e}"))?;
            }
            "--requests-file" => act.requests_file = Some(PathBuf::from(value()?)),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unexpected argument {other:?}")),
        }
    }
    let mode = mode.ok_or("--mode is required")?;
    if listen.is_empty() {
        return Err("at least one --listen is required".into());
    }
    for (field, v) in [(5, lcid), (6, build)] {
        if let Some(v) = v {
            act.epid = epid_with(&act.epid, field, &v);
            act.office_epid = epid_with(&act.office_epid, field, &v);
        }
    }
    Ok((mode, listen, act))
}

fn main() {
    let (mode, addrs, act) = parse_args().unwrap_or_else(|e| {
        if !e.is_empty() {
            eprintln!("lab-responder: {e}");
        }
        eprintln!("{USAGE}");
        std::process::exit(2);
    });
    // Bind everything before announcing readiness, so a test that waits for `ready` can
    // connect at once.
    let listeners: Vec<TcpListener> = addrs
        .iter()
        .map(|a| {
            TcpListener::bind(a).unwrap_or_else(|e| {
                eprintln!("lab-responder: cannot listen on {a}: {e}");
                std::process::exit(1);
            })
        })
        .collect();
    let mut out = io::stdout().lock();
    // Nothing to do if the test closed our stdout; keep serving anyway.
    let _ = writeln!(out, "ready").and_then(|_| out.flush());
    drop(out);

    let threads: Vec<_> = listeners
        .into_iter()
        .map(|l| {
            let act = act.clone();
            thread::spawn(move || accept_loop(l, mode, act))
        })
        .collect();
    for t in threads {
        let _ = t.join();
    }
}

fn accept_loop(listener: TcpListener, mode: Mode, act: Activation) {
    for conn in listener.incoming() {
        match conn {
            Ok(stream) => {
                if let Mode::Record = mode {
                    let peer = stream
                        .peer_addr()
                        .map(|a| a.to_string())
                        .unwrap_or_default();
                    let local = stream
                        .local_addr()
                        .map(|a| a.to_string())
                        .unwrap_or_default();
                    eprintln!("lab-responder: record: connection from {peer} to {local}");
                }
                let act = act.clone();
                thread::spawn(move || {
                    if let Err(e) = serve(stream, mode, &act) {
                        eprintln!("lab-responder: {mode:?}: {e}");
                    }
                });
            }
            // e.g. EMFILE: report and keep accepting.
            Err(e) => eprintln!("lab-responder: accept: {e}"),
        }
    }
}

fn serve(stream: TcpStream, mode: Mode, act: &Activation) -> io::Result<()> {
    if let Mode::Reset = mode {
        // SO_LINGER 0 makes close() send RST instead of FIN. std's set_linger is unstable,
        // socket2 is already a dependency.
        socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO))?;
        drop(stream);
        return Ok(());
    }
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    let mut stream = stream;
    match mode {
        Mode::Accept | Mode::Silent | Mode::Record => hold(&mut stream),
        Mode::Close => close_gracefully(&mut stream),
        Mode::Http => {
            // Answer after the first read whatever it brought (data, EOF or timeout).
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            stream.write_all(HTTP_REPLY)?;
            close_gracefully(&mut stream)
        }
        Mode::Nak => {
            // Any first PDU gets a bind_nak; echo its call_id when there is a header.
            let call_id = read_pdu(&mut stream)
                .ok()
                .and_then(|p| decode_pdu_header(&p).ok())
                .map_or(0, |h| h.call_id);
            let header = PduHeader::new(PTYPE_BIND_NAK, PFC_FIRST_FRAG | PFC_LAST_FRAG, call_id);
            stream.write_all(&encode_bind_nak(
                &header,
                NAK_PROTOCOL_VERSION_NOT_SUPPORTED,
                &[(5, 0)],
            ))?;
            close_gracefully(&mut stream)
        }
        Mode::Kms | Mode::KmsNdr64 | Mode::RpcOther => {
            // Like vlmcsd, drop the connection on anything that is not a bind.
            let pdu = read_pdu(&mut stream)?;
            let bind =
                decode_bind(&pdu).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
            let port = stream.local_addr()?.port();
            let results = match mode {
                Mode::Kms => kms_results(&bind),
                Mode::KmsNdr64 => kms_ndr64_results(&bind),
                _ => bind
                    .contexts
                    .iter()
                    .map(|_| {
                        ContextResult::provider_rejection(REASON_ABSTRACT_SYNTAX_NOT_SUPPORTED)
                    })
                    .collect(),
            };
            let accepted: Vec<(u16, Ndr)> = bind
                .contexts
                .iter()
                .zip(&results)
                .filter(|(_, r)| r.is_accepted())
                .filter_map(|(c, r)| {
                    let ndr = if r.transfer_syntax == NDR64 {
                        Ndr::Ndr64
                    } else if r.transfer_syntax == NDR32 {
                        Ndr::Ndr32
                    } else {
                        return None;
                    };
                    Some((c.context_id, ndr))
                })
                .collect();
            stream.write_all(&encode_bind_ack(&bind_ack(&bind, port, results)))?;
            // Count whatever follows until the client closes, and log it, so tests can assert
            // that a read-only probe sends nothing after the bind; answer activation requests
            // (kms modes only), each one counted in --requests-file.
            let peer = stream.peer_addr()?;
            // (rpc-other accepted no context: a request gets the fault for an unknown context.)
            let after = serve_calls(&mut stream, &accepted, act)?;
            eprintln!(
                "{mode:?}: bind of {} bytes ({} contexts) from {peer} answered; then {after} more bytes before the client closed",
                pdu.len(),
                bind.contexts.len()
            );
            Ok(())
        }
        Mode::Reset => Ok(()),
    }
}

/// Answer each context like a KMS host without NDR64 support (Windows 7-era host, py-kms):
/// NDR32 accepted; NDR64 rejected when NDR32 is offered anywhere in the bind (accepted only
/// if it is the sole real syntax); BTFN acknowledged with result 3 and the common bits;
/// a foreign interface rejected as abstract syntax not supported.
fn kms_results(bind: &BindRequest) -> Vec<ContextResult> {
    let ndr32_offered = bind
        .contexts
        .iter()
        .any(|c| c.transfer_syntaxes.contains(&NDR32));
    bind.contexts
        .iter()
        .map(|ctx| {
            if ctx.abstract_syntax.uuid != KMS_INTERFACE_UUID || ctx.abstract_syntax.major != 1 {
                return ContextResult::provider_rejection(REASON_ABSTRACT_SYNTAX_NOT_SUPPORTED);
            }
            let syntaxes = &ctx.transfer_syntaxes;
            if let Some(bits) = syntaxes.iter().find_map(|s| btfn_bitmask(&s.uuid)) {
                // Only bits 0x01 and 0x02 are defined; answer the ones both sides support.
                return ContextResult::negotiate_ack((bits & 0x03) as u16);
            }
            if syntaxes.contains(&NDR32) {
                ContextResult::accepted(NDR32)
            } else if syntaxes.contains(&NDR64) && !ndr32_offered {
                ContextResult::accepted(NDR64)
            } else {
                ContextResult::provider_rejection(REASON_TRANSFER_SYNTAXES_NOT_SUPPORTED)
            }
        })
        .collect()
}

/// Answer each context like a Windows 8 / Server 2012+ host (test vectors 03/05): NDR64
/// accepted; NDR32 rejected (2,2) when NDR64 is offered anywhere in the bind, accepted when it
/// is the only syntax; BTFN acknowledged; a foreign interface rejected (2,1).
fn kms_ndr64_results(bind: &BindRequest) -> Vec<ContextResult> {
    let ndr64_offered = bind
        .contexts
        .iter()
        .any(|c| c.transfer_syntaxes.contains(&NDR64));
    bind.contexts
        .iter()
        .map(|ctx| {
            if ctx.abstract_syntax.uuid != KMS_INTERFACE_UUID || ctx.abstract_syntax.major != 1 {
                return ContextResult::provider_rejection(REASON_ABSTRACT_SYNTAX_NOT_SUPPORTED);
            }
            let syntaxes = &ctx.transfer_syntaxes;
            if let Some(bits) = syntaxes.iter().find_map(|s| btfn_bitmask(&s.uuid)) {
                return ContextResult::negotiate_ack((bits & 0x03) as u16);
            }
            if syntaxes.contains(&NDR64) {
                ContextResult::accepted(NDR64)
            } else if syntaxes.contains(&NDR32) && !ndr64_offered {
                ContextResult::accepted(NDR32)
            } else {
                ContextResult::provider_rejection(REASON_TRANSFER_SYNTAXES_NOT_SUPPORTED)
            }
        })
        .collect()
}

/// A bind_ack (or alter_context_resp) echoing the client's call id, fragment sizes and
/// PFC_CONC_MPX, with a fresh non-zero association group and the real port as secondary
/// address.
fn bind_ack(bind: &BindRequest, port: u16, results: Vec<ContextResult>) -> BindAck {
    // Sequential, non-zero, and not py-kms's fixed 0x1063BF3F fingerprint.
    static ASSOC_GROUP: AtomicU32 = AtomicU32::new(0x0000_5300);
    let ptype = if bind.header.ptype == PTYPE_ALTER_CONTEXT {
        PTYPE_ALTER_CONTEXT_RESP
    } else {
        PTYPE_BIND_ACK
    };
    let flags = PFC_FIRST_FRAG | PFC_LAST_FRAG | (bind.header.flags & PFC_CONC_MPX);
    BindAck {
        header: PduHeader::new(ptype, flags, bind.header.call_id),
        max_xmit_frag: bind.max_xmit_frag,
        max_recv_frag: bind.max_recv_frag,
        assoc_group_id: ASSOC_GROUP.fetch_add(1, Ordering::Relaxed).wrapping_add(1),
        secondary_address: port.to_string(),
        results,
    }
}

/// Read one whole PDU: the first 10 bytes tell frag_length, then the rest.
fn read_pdu(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut pdu = vec![0u8; FRAG_LENGTH_PREFIX_LEN];
    stream.read_exact(&mut pdu)?;
    let frag = peek_frag_length(&pdu).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    pdu.resize(usize::from(frag), 0);
    stream.read_exact(&mut pdu[FRAG_LENGTH_PREFIX_LEN..])?;
    Ok(pdu)
}

/// Read and discard until the peer closes. Read timeouts do not end the connection here:
/// these modes exist to hold a connection open for as long as the client under test waits.
fn hold(stream: &mut TcpStream) -> io::Result<()> {
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Reads PDUs after the bind until the peer closes; answers each request PDU. Returns how
/// many bytes arrived. Read timeouts do not end the connection (like [`hold`]).
fn serve_calls(
    stream: &mut TcpStream,
    accepted: &[(u16, Ndr)],
    act: &Activation,
) -> io::Result<u64> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let mut total = 0u64;
    loop {
        while buf.len() >= FRAG_LENGTH_PREFIX_LEN {
            let frag = match peek_frag_length(&buf) {
                Ok(f) => usize::from(f),
                // Not DCE/RPC: like vlmcsd, drop the connection.
                Err(_) => return Ok(total),
            };
            if buf.len() < frag || frag < FRAG_LENGTH_PREFIX_LEN {
                break;
            }
            let pdu: Vec<u8> = buf.drain(..frag).collect();
            if let Some(reply) = answer_call(&pdu, accepted, act) {
                stream.write_all(&reply)?;
            }
        }
        match stream.read(&mut chunk) {
            Ok(0) => return Ok(total),
            Ok(n) => {
                total += n as u64;
                buf.extend_from_slice(&chunk[..n]);
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) => {}
            Err(e) => return Err(e),
        }
    }
}

/// The reply to one PDU after the bind: a response (activation or HRESULT) to a request, a
/// fault for a request on an unknown context or opnum, nothing for anything else.
fn answer_call(pdu: &[u8], accepted: &[(u16, Ndr)], act: &Activation) -> Option<Vec<u8>> {
    let req = decode_request_pdu(pdu).ok()?;
    let call_id = req.header.call_id;
    let Some(&(_, ndr)) = accepted.iter().find(|(id, _)| *id == req.context_id) else {
        return Some(encode_fault(call_id, req.context_id, NCA_S_UNK_IF));
    };
    if req.opnum != OPNUM_REQUEST_ACTIVATION {
        return Some(encode_fault(call_id, req.context_id, NCA_S_OP_RNG_ERROR));
    }
    let stub = match decode_request_stub(ndr, &req.stub) {
        Ok(blob) => activation_stub(ndr, blob, act),
        // Wrong sizes for the IDL: what an RPC runtime answers with RPC_X_BAD_STUB_DATA.
        Err(_) => return Some(encode_fault(call_id, req.context_id, 0x0000_06F7)),
    };
    Some(encode_response_pdu(&ResponsePdu::new(
        call_id,
        req.context_id,
        stub,
    )))
}

fn now_unix(offset: i64) -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
        + offset
}

/// A KMS host's decision on one request, as a response stub of the context's syntax.
fn activation_stub(ndr: Ndr, blob: &[u8], act: &Activation) -> Vec<u8> {
    let decoded = match kms::decode_request_blob(blob) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("activation request rejected: {e}");
            return encode_error_stub(ndr, e.responder_hresult());
        }
    };
    let r = &decoded.request;
    let ctx = &decoded.context;
    record_request(act, &decoded);
    if let Some(hr) = act.hresult {
        return encode_error_stub(ndr, hr);
    }
    let skew = kms::filetime_to_unix(r.client_time) - now_unix(act.clock_offset_secs);
    if act.max_skew_secs > 0 && skew.abs() > act.max_skew_secs {
        eprintln!("activation request: client time {skew} s off the host clock: 0xC004F06C");
        return encode_error_stub(ndr, kms::SL_E_VL_INVALID_TIMESTAMP);
    }
    if !act.covers.is_empty() && !act.covers.contains(&r.kms_counted_id) {
        return encode_error_stub(ndr, kms::SL_E_VL_KEY_MANAGEMENT_SERVICE_ID_MISMATCH);
    }
    let count = match act.count {
        Some(n) => n,
        None => {
            let seen = act.seen.lock().unwrap_or_else(|p| p.into_inner());
            seen.iter()
                .filter(|(id, _)| *id == r.kms_counted_id)
                .count() as u32
        }
    };
    // A genuine host caps the count at 2·N of the request.
    let count = count.min(r.required_client_count.saturating_mul(2));
    let app = r.application_id.to_string();
    let epid = if app == OFFICE_APP_ID || app == OFFICE_2010_APP_ID {
        &act.office_epid
    } else {
        &act.epid
    };
    let base = BaseResponse::for_request(
        ctx,
        epid,
        count,
        kms::DEFAULT_ACTIVATION_INTERVAL,
        kms::DEFAULT_RENEWAL_INTERVAL,
    );
    let mut random = ResponseRandom::default();
    let mut bytes = [0u8; 32];
    if getrandom::fill(&mut bytes).is_err() {
        return encode_error_stub(ndr, kms::HRESULT_ERROR_INVALID_DATA);
    }
    random.iv.copy_from_slice(&bytes[..16]);
    random.random.copy_from_slice(&bytes[16..]);
    match kms::encode_response_blob(decoded.version, &base, act.hwid, ctx, &random) {
        Ok(blob) => encode_response_stub(ndr, &blob),
        Err(e) => {
            eprintln!("cannot encode the response: {e}");
            encode_error_stub(ndr, kms::HRESULT_ERROR_INVALID_DATA)
        }
    }
}

/// Counts the request: the CMID set for `--count track` and one line in `--requests-file`.
fn record_request(act: &Activation, d: &kms::DecodedRequest) {
    let r = &d.request;
    act.seen
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert((r.kms_counted_id, r.cmid));
    let line = format!(
        "{} {} v{} {}\n",
        r.cmid,
        r.kms_counted_id,
        d.version.major(),
        r.workstation_name
    );
    eprint!("activation request: {line}");
    if let Some(path) = &act.requests_file {
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut f| f.write_all(line.as_bytes()));
        if let Err(e) = written {
            eprintln!("lab-responder: cannot write {}: {e}", path.display());
        }
    }
}

/// Send FIN, then drain until the peer closes (or 10 s pass). Closing a socket with unread
/// data makes the kernel send RST, which could destroy our reply before the client reads it.
fn close_gracefully(stream: &mut TcpStream) -> io::Result<()> {
    stream.shutdown(Shutdown::Write)?;
    let mut buf = [0u8; 4096];
    while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
    Ok(())
}
