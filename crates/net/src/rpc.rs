//! The I/O half of the KMS RPC probes. What the bytes mean is decided by the pure code in
//! `wire::dcerpc`, `wire::rpc_call`, `wire::kms` and the check kinds.
//!
//! * [`bind_exchange_as_client`] (the read-only `kms-rpc` kind) and [`exchange`] (the sweep,
//!   on a connection it already has): send one bind, read at most one PDU, close. The only
//!   bytes they write are the bind PDU given by the caller.
//! * [`call_exchange`] (only the opt-in `kms-activation` kind, `--activation-probe`): the same
//!   bind on a fresh connection, then one request PDU built by the caller from the bind_ack,
//!   and its reply. That request is a real activation request: the host adds the CMID it
//!   carries to its client count for 30 days.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::tcp::{connect_as_client, ConnectFailure, Connected, Tried};
use crate::memo::RunMemo;
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
    /// Connection attempts in all (see [`crate::tcp::connect_as_client`]); 1 on a clean path.
    pub connect_attempts: u32,
    /// Binds sent, each on its own connection: 2 when the first went unanswered and the
    /// budget left room for another, like a client that retries.
    pub bind_attempts: u32,
    /// The peer said nothing to the bind, and answered only after our FIN (see
    /// [`exchange`]'s `after_silence`): a line-based server waiting for the end of a line.
    pub answered_after_fin: bool,
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
/// (FIN), whatever was received. See [`bind_exchange_as_client`] for the retries.
pub async fn bind_exchange(
    addr: SocketAddr,
    source: Option<&Source>,
    timeout: Duration,
    bind: &[u8],
) -> Result<BindExchange, ConnectFailure> {
    bind_exchange_as_client(addr, source, timeout, bind, None)
        .await
        .map_err(|e| e.0)
}

/// When each bind exchange starts, as fractions of the timeout, while no earlier one has
/// been answered: a client whose bind goes unanswered tries again on a new connection.
pub const BIND_AT: [f64; 3] = [0.0, 1.0 / 3.0, 2.0 / 3.0];

/// Like a client within one `timeout`: each exchange connects as
/// [`crate::tcp::connect_as_client`] does, sends its bind and waits for the reply; while none
/// has been answered, new exchanges start at [`BIND_AT`] (a lost bind or reply on a path that
/// lost the SYN too waits 3 s for TCP's own retransmission). Every exchange ends at the one
/// deadline `timeout` after the start: a later bind inherits the time left, so a silent
/// endpoint costs one timeout, not one per bind. The first exchange that is answered (a
/// reply, a reset, a close, garbage) decides, and is never retried; a connect that is
/// answered otherwise (refused, unreachable) decides at once.
pub async fn bind_exchange_as_client(
    addr: SocketAddr,
    source: Option<&Source>,
    timeout: Duration,
    bind: &[u8],
    memo: Option<&RunMemo>,
) -> Result<BindExchange, (ConnectFailure, Tried)> {
    let start = tokio::time::Instant::now();
    let budget_end = start + timeout;
    let mut set = tokio::task::JoinSet::new();
    let (mut next, mut started, mut connects) = (0usize, 0u32, 0u32);
    let mut silent: Option<BindExchange> = None;
    let mut failed: Option<(ConnectFailure, Tried)> = None;
    let decided = loop {
        let now = tokio::time::Instant::now();
        while next < BIND_AT.len() && start + timeout.mul_f64(BIND_AT[next]) <= now {
            let (source, bind, memo) = (source.cloned(), bind.to_vec(), memo.cloned());
            set.spawn(async move {
                exchange_once(addr, source.as_ref(), budget_end, &bind, memo.as_ref()).await
            });
            next += 1;
            started += 1;
        }
        if set.is_empty() && next >= BIND_AT.len() {
            break None;
        }
        // Every exchange ends by `budget_end` on its own and reports what it saw; past the
        // last start, wait for them (the guard only covers a task that does not).
        let wake = if next < BIND_AT.len() {
            start + timeout.mul_f64(BIND_AT[next])
        } else {
            budget_end + Duration::from_millis(50)
        };
        tokio::select! {
            joined = set.join_next(), if !set.is_empty() => match joined {
                Some(Ok(Ok(ex))) => {
                    connects += ex.connect_attempts;
                    let unanswered =
                        ex.end == ReadEnd::Timeout && ex.bytes.is_empty() && !ex.write_failed;
                    if !unanswered {
                        break Some(Ok(ex));
                    }
                    silent.get_or_insert(ex);
                }
                Some(Ok(Err((e, tried)))) => {
                    connects += tried.attempts;
                    if e != ConnectFailure::TimedOut && silent.is_none() {
                        break Some(Err((e, tried)));
                    }
                    failed.get_or_insert((e, tried));
                }
                Some(Err(_)) | None => {}
            },
            _ = tokio::time::sleep_until(wake) => {
                if wake > budget_end {
                    break None;
                }
            }
        }
    };
    set.abort_all();
    match decided.or_else(|| silent.map(Ok)) {
        Some(Ok(mut ex)) => {
            ex.connect_attempts = connects.max(ex.connect_attempts);
            ex.bind_attempts = started;
            Ok(ex)
        }
        Some(Err(e)) => Err(e),
        None => Err(failed.unwrap_or((
            ConnectFailure::TimedOut,
            Tried {
                attempts: connects,
                path: None,
            },
        ))),
    }
}

/// One connect + bind, both ending by `deadline`.
async fn exchange_once(
    addr: SocketAddr,
    source: Option<&Source>,
    deadline: tokio::time::Instant,
    bind: &[u8],
    memo: Option<&RunMemo>,
) -> Result<BindExchange, (ConnectFailure, Tried)> {
    let left = || deadline.saturating_duration_since(tokio::time::Instant::now());
    let connected = match connect_as_client(addr, source, left(), memo).await {
        (Ok(c), _) => c,
        (Err(e), tried) => return Err((e, tried)),
    };
    Ok(exchange(connected, left(), bind, Duration::ZERO).await)
}

/// The bind exchange on a connection that is already established (the sweep connects first
/// and verifies only the ports that turned out open): send `bind`, read at most one PDU under
/// `timeout`, close. `connect_rtt` and `local` come from `connected`.
///
/// With a non-zero `after_silence`, a peer that said nothing within `timeout` gets the FIN
/// that ends every probe right away, and `after_silence` more to answer: a server that
/// answers only at the end of its input (an HTTP server waiting for the end of a request
/// line) is then seen for what it is instead of as silent. Nothing else is sent either way.
pub async fn exchange(
    connected: Connected,
    timeout: Duration,
    bind: &[u8],
    after_silence: Duration,
) -> BindExchange {
    let mut stream = connected.stream;
    let started = Instant::now();
    let deadline = tokio::time::Instant::now() + timeout;
    let mut bytes = Vec::new();

    let write = tokio::time::timeout_at(deadline, stream.write_all(bind)).await;
    let (end, write_failed) = match write {
        Err(_) => (ReadEnd::Timeout, true),
        Ok(Err(e)) if is_reset(&e) => (ReadEnd::Reset, true),
        Ok(Err(e)) => (ReadEnd::Error(e.to_string()), true),
        Ok(Ok(())) => (read_one_pdu(&mut stream, deadline, &mut bytes).await, false),
    };
    let mut answered_after_fin = false;
    let end = if end == ReadEnd::Timeout && bytes.is_empty() && !after_silence.is_zero() {
        let _ = tokio::time::timeout(Duration::from_millis(100), stream.shutdown()).await;
        let late = tokio::time::Instant::now() + after_silence;
        match read_one_pdu(&mut stream, late, &mut bytes).await {
            // Still nothing: silent to the bind, whatever it does at our FIN.
            _ if bytes.is_empty() => ReadEnd::Timeout,
            e => {
                answered_after_fin = true;
                e
            }
        }
    } else {
        end
    };
    let bind_rtt = started.elapsed();
    // Graceful close; nothing else is ever sent.
    let _ = tokio::time::timeout(Duration::from_millis(100), stream.shutdown()).await;
    BindExchange {
        connect_rtt: connected.rtt,
        local: connected.local,
        bind_rtt,
        bytes,
        end,
        write_failed,
        connect_attempts: connected.attempts,
        bind_attempts: 1,
        answered_after_fin,
    }
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
    memo: Option<&RunMemo>,
    request_for: impl FnOnce(&[u8]) -> Option<Vec<u8>>,
) -> Result<CallExchange, (ConnectFailure, Tried)> {
    // Connect retries like a client; the request itself is sent once, on this connection.
    let connected = match connect_as_client(addr, source, timeout, memo).await {
        (Ok(c), _) => c,
        (Err(e), tried) => return Err((e, tried)),
    };
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
            connect_attempts: connected.attempts,
            bind_attempts: 1,
            answered_after_fin: false,
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

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    /// A listener on 127.0.0.1 that accepts every connection and never speaks (a firewall that
    /// completes the handshake and drops the data, or a hung sppsvc); the connections stay
    /// open until the test ends.
    async fn silent_listener() -> (SocketAddr, tokio::task::JoinHandle<()>) {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        let h = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((s, _)) = l.accept().await {
                held.push(s);
            }
        });
        (addr, h)
    }

    #[tokio::test]
    async fn binds_to_a_silent_listener_share_one_timeout() {
        let (addr, h) = silent_listener().await;
        for ms in [300u64, 600] {
            let timeout = Duration::from_millis(ms);
            let started = Instant::now();
            let ex = bind_exchange_as_client(addr, None, timeout, b"bind", None)
                .await
                .expect("the listener accepts");
            let took = started.elapsed().as_secs_f64() * 1000.0;
            // Before, each of the three binds waited a whole timeout of its own: 5/3 × it.
            assert!(
                took <= ms as f64 * 1.05 + 40.0,
                "{took:.0} ms for a {ms} ms timeout"
            );
            assert!(took >= ms as f64 * 0.95, "{took:.0} ms: gave up early");
            assert_eq!(
                ex.bind_attempts, 3,
                "binds at 0, 1/3 and 2/3 of the timeout"
            );
            assert_eq!(ex.end, ReadEnd::Timeout);
            assert!(ex.bytes.is_empty());
        }
        h.abort();
    }

    #[tokio::test(start_paused = true)]
    async fn a_connect_that_never_completes_ends_at_the_deadline() {
        // 192.0.2.1 (TEST-NET-1) is never routed to; with the clock paused no packet matters:
        // whatever the connect does, the exchange must end by the deadline.
        let timeout = Duration::from_secs(3);
        let start = tokio::time::Instant::now();
        let deadline = start + timeout;
        let r = exchange_once(
            "127.0.0.1:9".parse().unwrap(),
            None,
            deadline,
            b"bind",
            None,
        )
        .await;
        assert!(tokio::time::Instant::now() <= deadline, "{r:?}");
    }
}
