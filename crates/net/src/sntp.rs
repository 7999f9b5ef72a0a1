//! One SNTP exchange (RFC 4330) over a **connected** UDP socket, so an ICMP port-unreachable
//! comes back as "refused" while silence is a "timeout". The request carries a random nonce
//! as its transmit timestamp (nothing about our clock leaks; the echo check rejects stale and
//! spoofed replies); T1 and T4 are kept locally.

use std::net::SocketAddr;
use std::time::Duration;

use socket2::{Protocol, Type};
use tokio::net::UdpSocket;

use super::clock::{Detail, ProbeFailure, Reading, Stopwatch};
use super::tcp::{bound_socket, classify_connect_error, ConnectFailure};
use super::text;
use crate::source::Source;
use kms_preflight_wire::sntp::{self, NtpTimestamp, SntpError};

/// A UDP socket connected to `addr`, bound to the source when one is given.
pub async fn connected_socket(
    addr: SocketAddr,
    source: Option<&Source>,
) -> Result<UdpSocket, ProbeFailure> {
    let sock = bound_socket(addr.ip(), Type::DGRAM, Protocol::UDP, source)
        .map_err(|f| ProbeFailure::from_connect(&f, Duration::ZERO))?;
    let std_sock: std::net::UdpSocket = sock.into();
    let udp = UdpSocket::from_std(std_sock)
        .map_err(|e| ProbeFailure::new("error", text::io("socket", e.to_string()), true))?;
    udp.connect(addr)
        .await
        .map_err(|e| io_failure(&e, "connect"))?;
    Ok(udp)
}

fn io_failure(e: &std::io::Error, what: &str) -> ProbeFailure {
    match classify_connect_error(e) {
        ConnectFailure::Refused => ProbeFailure::new("refused", text::port_unreachable_ntp(), true),
        other => {
            let mut f = ProbeFailure::from_connect(&other, Duration::ZERO);
            f.detail = text::during(what, f.detail);
            f
        }
    }
}

fn nonce() -> NtpTimestamp {
    let mut b = [0u8; 8];
    if getrandom::fill(&mut b).is_err() {
        // No OS randomness: fall back to a time-derived value (still unique per request).
        let n = super::clock::nanos(std::time::SystemTime::now()) as u64;
        b = (n ^ 0x9E37_79B9_7F4A_7C15).to_be_bytes();
    }
    NtpTimestamp::from_be_bytes(b)
}

/// Sends one request and waits up to `timeout` for the matching reply. Replies that do not echo
/// our nonce (stale answers to an earlier request) are skipped, not fatal.
pub async fn exchange(sock: &UdpSocket, timeout: Duration) -> Result<Reading, ProbeFailure> {
    let origin = nonce();
    let request = sntp::encode_request(origin);
    let watch = Stopwatch::start();
    sock.send(&request)
        .await
        .map_err(|e| io_failure(&e, "send"))?;
    let deadline = tokio::time::Instant::now() + timeout;
    let mut buf = [0u8; 512];
    let mut ignored = 0u32;
    loop {
        let n = match tokio::time::timeout_at(deadline, sock.recv(&mut buf)).await {
            Err(_) => {
                let ms = text::ms_arg(timeout);
                return Err(ProbeFailure::timeout(if ignored > 0 {
                    text::no_ntp_reply_ignored(ms, ignored)
                } else {
                    text::no_ntp_reply(ms)
                }));
            }
            Ok(Err(e)) => return Err(io_failure(&e, "receive")),
            Ok(Ok(n)) => n,
        };
        let stamps = watch.stop();
        match sntp::decode_response(&buf[..n], origin) {
            Ok(reply) => {
                let (offset_ns, delay_ns) = reply.offset_and_delay(stamps.t1, stamps.t4);
                if delay_ns < 0 {
                    return Err(ProbeFailure::new(
                        "invalid",
                        text::ntp_negative_delay(),
                        true,
                    ));
                }
                let remote =
                    super::clock::from_nanos(stamps.midpoint_ns() + offset_ns).unwrap_or(stamps.t4);
                return Ok(Reading {
                    offset_ns,
                    delay_ns,
                    uncertainty_ns: delay_ns / 2,
                    remote_time: remote,
                    local: sock.local_addr().ok(),
                    detail: Detail::Ntp {
                        version: reply.version,
                        stratum: reply.stratum,
                        reference_id: reply.reference_id_string(),
                        precision: reply.precision,
                        root_delay_ms: reply.root_delay.to_duration().as_secs_f64() * 1000.0,
                        root_dispersion_ms: reply.root_dispersion.to_duration().as_secs_f64()
                            * 1000.0,
                    },
                });
            }
            Err(SntpError::OriginMismatch { .. }) if ignored < 8 => {
                ignored += 1;
                continue;
            }
            Err(e @ SntpError::KissOfDeath { code }) => {
                // DENY/RSTR: stop asking; RATE: asking again now would only make it worse.
                let _ = code;
                return Err(ProbeFailure::new(
                    "kiss-of-death",
                    text::ntp_kiss_of_death(e.to_string()),
                    true,
                ));
            }
            Err(e @ SntpError::Unsynchronized) | Err(e @ SntpError::InvalidStratum { .. }) => {
                return Err(ProbeFailure::new(
                    "unsynchronized",
                    text::ntp_unsynchronized(e.to_string()),
                    true,
                ));
            }
            Err(e) => {
                return Err(ProbeFailure::new(
                    "invalid",
                    text::ntp_invalid(e.to_string()),
                    true,
                ))
            }
        }
    }
}
