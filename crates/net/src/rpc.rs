//! The I/O half of the KMS RPC probes. What the bytes mean is decided by the pure code in
//! `wire::dcerpc`, `wire::rpc_call`, `wire::kms` and the check kinds.
//!
//! * [`bind_exchange`] (the read-only `kms-rpc` kind): connect, send one bind, read at most one
//!   PDU, close. The only bytes it writes are the bind PDU given by the caller.
//! * [`call_exchange`] (only the opt-in `kms-activation` kind, `--activation-probe`): the same
//!   bind on a fresh connection, then one request PDU built by the caller from the bind_ack,
//!   and its reply. That request is a real activation request: the host adds the CMID it
//!   carries to its client count for 30 days.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::tcp::{connect, ConnectFailure};
use crate::source::Source;
use kms_preflight_wire::dcerpc::{peek_frag_length, FRAG_LENGTH_PREFIX_LEN};

/// Bytes kept of a reply that is not DCE/RPC: enough for a readable prefix in a message.
pub const GARBAGE_CAP: usize = 256;

/// How reading the reply ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadEnd {
    /// One whole PDU (frag_length bytes) was read; `bytes` holds exactly it.
    Complete,
    /// The bytes do not start like DCE/RPC 5.0; reading stopped early.
    NotRpc,
    /// The peer closed (FIN) after `bytes`.
    Closed,
    /// The peer reset the connection (RST) after `bytes`.
    Reset,
    /// Nothing more within the timeout.
    Timeout,
    /// Another socket error, with its text.
    Error(String),
}

/// What one bind exchange produced, before interpretation.
#[derive(Debug, Clone)]
pub struct BindExchange {
    pub connect_rtt: Duration,
    pub local: Option<SocketAddr>,
    /// From writing the bind to the end of reading (the whole PDU, EOF, reset or timeout).
    pub bind_rtt: Duration,
    /// What was received (at most one PDU, or at most [`GARBAGE_CAP`] bytes of anything else).
    pub bytes: Vec<u8>,
    pub end: ReadEnd,
    /// Writing the bind failed (the peer reset before we could send); `end` says how.
    pub write_failed: bool,
}

fn is_reset(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
    )
}

/// Connects to `addr` and exchanges `bind` for at most one reply PDU, everything under
/// `timeout` per step (connect, then write + read). The connection is closed on return
/// (FIN), whatever was received.
pub async fn bind_exchange(
    addr: SocketAddr,
    source: Option<&Source>,
    timeout: Duration,
    bind: &[u8],
) -> Result<BindExchange, ConnectFailure> {
    // The same exchange with no request: nothing but the bind is ever written.
    Ok(call_exchange(addr, source, timeout, bind, |_| None)
        .await?
        .bind)
}

/// Writes `pdu`, then reads one reply PDU into `bytes`; returns how reading ended and whether
/// the write failed.
async fn send_and_read(
    stream: &mut tokio::net::TcpStream,
    deadline: tokio::time::Instant,
    pdu: &[u8],
    bytes: &mut Vec<u8>,
) -> (ReadEnd, bool) {
    match tokio::time::timeout_at(deadline, stream.write_all(pdu)).await {
        Err(_) => (ReadEnd::Timeout, true),
        Ok(Err(e)) if is_reset(&e) => (ReadEnd::Reset, true),
        Ok(Err(e)) => (ReadEnd::Error(e.to_string()), true),
        Ok(Ok(())) => (read_one_pdu(stream, deadline, bytes).await, false),
    }
}

/// The request leg of a [`call_exchange`].
#[derive(Debug, Clone)]
pub struct CallLeg {
    /// Bytes of the request PDU sent.
    pub request_len: usize,
    /// From writing the request to the end of reading its reply.
    pub rtt: Duration,
    /// The reply (at most one PDU, or at most [`GARBAGE_CAP`] bytes of anything else).
    pub bytes: Vec<u8>,
    pub end: ReadEnd,
    /// Writing the request failed; `end` says how.
    pub write_failed: bool,
}

/// What one bind + call exchange produced, before interpretation.
#[derive(Debug, Clone)]
pub struct CallExchange {
    /// The bind leg, exactly as [`bind_exchange`] reports it.
    pub bind: BindExchange,
    /// The request leg; `None` when the caller sent no request (the bind was not accepted).
    pub call: Option<CallLeg>,
}

/// Connects to `addr`, exchanges `bind` for one reply PDU, then — if the bind reply is a
/// whole PDU and `request_for` builds a request from it — sends that request and reads one
/// reply PDU. Each leg gets `timeout` (connect, bind, call). The connection is closed (FIN)
/// on return.
///
/// Used only by the opt-in activation probe: the request it sends is a real activation
/// request.
pub async fn call_exchange(
    addr: SocketAddr,
    source: Option<&Source>,
    timeout: Duration,
    bind: &[u8],
    request_for: impl FnOnce(&[u8]) -> Option<Vec<u8>>,
) -> Result<CallExchange, ConnectFailure> {
    let connected = connect(addr, source, timeout).await?;
    let mut stream = connected.stream;
    let started = Instant::now();
    let deadline = tokio::time::Instant::now() + timeout;
    let mut bytes = Vec::new();
    let (end, write_failed) = send_and_read(&mut stream, deadline, bind, &mut bytes).await;
    let bind_rtt = started.elapsed();
    let request = match end {
        ReadEnd::Complete => request_for(&bytes),
        _ => None,
    };
    let call = match request {
        None => None,
        Some(req) => {
            let started = Instant::now();
            let deadline = tokio::time::Instant::now() + timeout;
            let mut reply = Vec::new();
            let (end, write_failed) = send_and_read(&mut stream, deadline, &req, &mut reply).await;
            Some(CallLeg {
                request_len: req.len(),
                rtt: started.elapsed(),
                bytes: reply,
                end,
                write_failed,
            })
        }
    };
    let _ = tokio::time::timeout(Duration::from_millis(100), stream.shutdown()).await;
    Ok(CallExchange {
        bind: BindExchange {
            connect_rtt: connected.rtt,
            local: connected.local,
            bind_rtt,
            bytes,
            end,
            write_failed,
        },
        call,
    })
}

/// Reads one PDU: the first 10 bytes give frag_length (≤ 65535 by its type), then the rest.
/// Stops as soon as the bytes cannot be DCE/RPC 5.0.
async fn read_one_pdu(
    stream: &mut tokio::net::TcpStream,
    deadline: tokio::time::Instant,
    bytes: &mut Vec<u8>,
) -> ReadEnd {
    let mut want = FRAG_LENGTH_PREFIX_LEN;
    let mut chunk = [0u8; 4096];
    loop {
        if bytes.len() >= want {
            if want == FRAG_LENGTH_PREFIX_LEN {
                match peek_frag_length(bytes) {
                    Ok(frag) => {
                        want = usize::from(frag);
                        continue;
                    }
                    Err(_) => {
                        bytes.truncate(GARBAGE_CAP);
                        return ReadEnd::NotRpc;
                    }
                }
            }
            bytes.truncate(want);
            return ReadEnd::Complete;
        }
        // Version 5.0 is the first two bytes: anything else is not worth waiting for.
        if bytes.first().is_some_and(|&b| b != 5) || bytes.get(1).is_some_and(|&b| b != 0) {
            bytes.truncate(GARBAGE_CAP);
            return ReadEnd::NotRpc;
        }
        // Whole segments: a non-RPC banner arrives in one piece for the printable prefix, and
        // anything past this one PDU is cut off above (the connection is closed after it).
        match tokio::time::timeout_at(deadline, stream.read(&mut chunk)).await {
            Err(_) => return ReadEnd::Timeout,
            Ok(Ok(0)) => return ReadEnd::Closed,
            Ok(Ok(n)) => bytes.extend_from_slice(&chunk[..n]),
            Ok(Err(e)) if is_reset(&e) => return ReadEnd::Reset,
            Ok(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
            Ok(Err(e)) => return ReadEnd::Error(e.to_string()),
        }
    }
}
