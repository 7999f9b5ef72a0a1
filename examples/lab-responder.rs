//! lab-responder: a small TCP server that plays the peers the integration tests need on port
//! 1688 (a KMS host's RPC endpoint, another RPC server, an HTTP server, a silent or closing
//! listener). Test support only; not part of the shipped binary. Std threads, no async: one
//! thread per listener and one per connection is plenty for a lab.
//!
//! Usage: lab-responder --mode MODE --listen ADDR:PORT [--listen ADDR:PORT ...]
//! Prints `ready` once every listener is bound, then serves until killed.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::Duration;

use kms_preflight_wire::dcerpc::{
    btfn_bitmask, decode_bind, decode_pdu_header, encode_bind_ack, encode_bind_nak,
    peek_frag_length, BindAck, BindRequest, ContextResult, PduHeader, FRAG_LENGTH_PREFIX_LEN,
    KMS_INTERFACE_UUID, NAK_PROTOCOL_VERSION_NOT_SUPPORTED, NDR32, NDR64, PFC_CONC_MPX,
    PFC_FIRST_FRAG, PFC_LAST_FRAG, PTYPE_ALTER_CONTEXT, PTYPE_ALTER_CONTEXT_RESP, PTYPE_BIND_ACK,
    PTYPE_BIND_NAK, REASON_ABSTRACT_SYNTAX_NOT_SUPPORTED, REASON_TRANSFER_SYNTAXES_NOT_SUPPORTED,
};

const IO_TIMEOUT: Duration = Duration::from_secs(10);
const HTTP_REPLY: &[u8] =
    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
const USAGE: &str =
    "usage: lab-responder --mode accept|kms|kms-ndr64|rpc-other|nak|http|silent|close|reset|record \
                     --listen ADDR:PORT [--listen ADDR:PORT ...]";

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

fn parse_args() -> Result<(Mode, Vec<SocketAddr>), String> {
    let mut mode = None;
    let mut listen = Vec::new();
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
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unexpected argument {other:?}")),
        }
    }
    let mode = mode.ok_or("--mode is required")?;
    if listen.is_empty() {
        return Err("at least one --listen is required".into());
    }
    Ok((mode, listen))
}

fn main() {
    let (mode, addrs) = parse_args().unwrap_or_else(|e| {
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
        .map(|l| thread::spawn(move || accept_loop(l, mode)))
        .collect();
    for t in threads {
        let _ = t.join();
    }
}

fn accept_loop(listener: TcpListener, mode: Mode) {
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
                thread::spawn(move || {
                    if let Err(e) = serve(stream, mode) {
                        eprintln!("lab-responder: {mode:?}: {e}");
                    }
                });
            }
            // e.g. EMFILE: report and keep accepting.
            Err(e) => eprintln!("lab-responder: accept: {e}"),
        }
    }
}

fn serve(stream: TcpStream, mode: Mode) -> io::Result<()> {
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
            stream.write_all(&encode_bind_ack(&bind_ack(&bind, port, results)))?;
            // Never implement activation: count whatever follows until the client closes, and
            // log it, so tests can assert that a probe sends nothing after the bind.
            let peer = stream.peer_addr()?;
            let after = drain_count(&mut stream)?;
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

/// Like [`hold`], returning how many bytes arrived before the peer closed.
fn drain_count(stream: &mut TcpStream) -> io::Result<u64> {
    let mut buf = [0u8; 4096];
    let mut total = 0u64;
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => total += n as u64,
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

/// Send FIN, then drain until the peer closes (or 10 s pass). Closing a socket with unread
/// data makes the kernel send RST, which could destroy our reply before the client reads it.
fn close_gracefully(stream: &mut TcpStream) -> io::Result<()> {
    stream.shutdown(Shutdown::Write)?;
    let mut buf = [0u8; 4096];
    while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
    Ok(())
}
