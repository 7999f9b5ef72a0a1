//! Reading a remote clock: what one exchange measured, why one failed, and how several
//! samples are reduced to one. Shared by the SNTP, SMB2 and HTTP `Date` probes.
//!
//! Sign convention (everywhere in this project): **offset = remote clock − local clock**, so a
//! positive offset means the remote clock is ahead of ours.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::tcp::ConnectFailure;
use super::text::{self, Message};

/// One successful exchange.
#[derive(Debug, Clone)]
pub struct Reading {
    /// Remote − local, in nanoseconds.
    pub offset_ns: i128,
    /// Round-trip delay, in nanoseconds (for SNTP without the server's processing time).
    pub delay_ns: i128,
    /// Half-width of the interval the true offset lies in: half the delay, plus the remote
    /// timestamp's own resolution (0.5 s for HTTP `Date`).
    pub uncertainty_ns: i128,
    /// The remote clock's time (at the middle of the exchange, as it reported it).
    pub remote_time: SystemTime,
    /// Our address used for the exchange.
    pub local: Option<SocketAddr>,
    /// Protocol-specific facts for evidence (stratum, dialect, …).
    pub detail: Detail,
}

/// What a method learned besides the time.
#[derive(Debug, Clone)]
pub enum Detail {
    Ntp {
        version: u8,
        stratum: u8,
        reference_id: String,
        precision: i8,
        root_delay_ms: f64,
        root_dispersion_ms: f64,
    },
    Smb2 {
        dialect: String,
        signing_required: bool,
    },
    Http {
        status: u16,
        date: String,
        server: Option<String>,
    },
}

/// Why an exchange gave no reading. `class` is a short stable word for evidence; `detail`
/// says why, as a message the report renders in its language.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeFailure {
    /// refused · timeout · unreachable · prohibited · source-unusable · closed · invalid ·
    /// kiss-of-death · unsynchronized · error
    pub class: &'static str,
    pub detail: Message,
    /// True when asking again cannot help (refused, Kiss-o'-Death DENY, not the protocol, …).
    pub definitive: bool,
}

impl ProbeFailure {
    pub fn new(class: &'static str, detail: Message, definitive: bool) -> Self {
        ProbeFailure {
            class,
            detail,
            definitive,
        }
    }

    /// A timeout, with why it is one (e.g. [`text::no_ntp_reply`] with the timeout).
    pub fn timeout(detail: Message) -> Self {
        ProbeFailure::new("timeout", detail, false)
    }

    /// From a failed TCP connect.
    pub fn from_connect(f: &ConnectFailure, timeout: Duration) -> Self {
        match f {
            ConnectFailure::Refused => ProbeFailure::new("refused", text::connect_refused(), true),
            ConnectFailure::TimedOut => {
                ProbeFailure::timeout(text::no_tcp_handshake(text::ms_arg(timeout)))
            }
            ConnectFailure::Unreachable(e) => ProbeFailure::new("unreachable", e.clone(), true),
            ConnectFailure::Prohibited(e) => ProbeFailure::new("prohibited", e.clone(), true),
            ConnectFailure::SourceUnusable(e) => {
                ProbeFailure::new("source-unusable", e.clone(), true)
            }
            ConnectFailure::WrongFamily(e) => ProbeFailure::new("wrong-family", e.clone(), true),
            ConnectFailure::ResetAfterConnect => {
                ProbeFailure::new("reset", text::reset_after_handshake(), true)
            }
            ConnectFailure::Other(e) => ProbeFailure::new("error", e.clone(), true),
        }
    }

    /// True for a connect that got no handshake within its timeout (the kernel already
    /// retransmitted the SYN: asking again only adds waiting).
    pub fn is_handshake_timeout(&self) -> bool {
        self.class == "timeout" && self.detail.id == text::NO_TCP_HANDSHAKE
    }
}

/// Local wall-clock times of one exchange, measured with the monotonic clock between them so
/// a step of our own clock mid-exchange cannot distort the delay.
#[derive(Debug, Clone, Copy)]
pub struct Stamps {
    pub t1: SystemTime,
    pub t4: SystemTime,
}

impl Stamps {
    pub fn delay_ns(&self) -> i128 {
        nanos(self.t4) - nanos(self.t1)
    }
    pub fn midpoint_ns(&self) -> i128 {
        (nanos(self.t1) + nanos(self.t4)) / 2
    }
}

/// Starts an exchange: call [`Stopwatch::stop`] when the reply is complete.
pub struct Stopwatch {
    t1: SystemTime,
    start: std::time::Instant,
}

impl Stopwatch {
    pub fn start() -> Self {
        Stopwatch {
            t1: SystemTime::now(),
            start: std::time::Instant::now(),
        }
    }
    pub fn t1(&self) -> SystemTime {
        self.t1
    }
    pub fn stop(&self) -> Stamps {
        Stamps {
            t1: self.t1,
            t4: self.t1 + self.start.elapsed(),
        }
    }
}

/// Reading from a single remote timestamp taken somewhere during the exchange: the remote time
/// is compared with the middle of the exchange. `resolution_ns` is how coarse the remote
/// timestamp is (it was truncated, so its middle is `remote + resolution/2`).
pub fn reading_from_remote_time(
    remote: SystemTime,
    resolution_ns: i128,
    stamps: Stamps,
    local: Option<SocketAddr>,
    detail: Detail,
) -> Reading {
    let remote_mid = nanos(remote) + resolution_ns / 2;
    let delay = stamps.delay_ns().max(0);
    Reading {
        offset_ns: remote_mid - stamps.midpoint_ns(),
        delay_ns: delay,
        uncertainty_ns: delay / 2 + resolution_ns / 2,
        remote_time: from_nanos(remote_mid).unwrap_or(remote),
        local,
        detail,
    }
}

/// Nanoseconds since the Unix epoch (negative before it).
pub fn nanos(t: SystemTime) -> i128 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

pub fn from_nanos(n: i128) -> Option<SystemTime> {
    let d = Duration::new(
        u64::try_from(n.unsigned_abs() / 1_000_000_000).ok()?,
        (n.unsigned_abs() % 1_000_000_000) as u32,
    );
    if n >= 0 {
        UNIX_EPOCH.checked_add(d)
    } else {
        UNIX_EPOCH.checked_sub(d)
    }
}

/// The outcome of sampling one method at one address.
#[derive(Debug, Clone)]
pub struct Sampled {
    /// The reading with the smallest delay (the least uncertain), if any exchange succeeded.
    pub best: Option<Reading>,
    pub good: usize,
    pub sent: usize,
    /// The failures, in order.
    pub failures: Vec<ProbeFailure>,
}

/// Takes up to `samples` readings with `exchange`, `spacing` apart, keeping the one with the
/// smallest delay. Stops early on a definitive failure; before any reading, on the first
/// timeout (one timeout is what a silent peer costs: a retry would double the worst case of
/// every check) or the second other failure (an invalid reply may be a one-off). Bounded: at
/// most `samples` exchanges.
pub async fn sample<F, Fut>(samples: u32, spacing: Duration, mut exchange: F) -> Sampled
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Reading, ProbeFailure>>,
{
    let mut out = Sampled {
        best: None,
        good: 0,
        sent: 0,
        failures: Vec::new(),
    };
    for i in 0..samples.max(1) {
        if i > 0 {
            tokio::time::sleep(spacing).await;
        }
        out.sent += 1;
        match exchange().await {
            Ok(r) => {
                out.good += 1;
                if out.best.as_ref().is_none_or(|b| r.delay_ns < b.delay_ns) {
                    out.best = Some(r);
                }
            }
            Err(f) => {
                let stop = f.definitive
                    || (out.good == 0 && (f.class == "timeout" || !out.failures.is_empty()));
                out.failures.push(f);
                if stop {
                    break;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64, nanos: u32) -> SystemTime {
        UNIX_EPOCH + Duration::new(secs, nanos)
    }

    #[test]
    fn single_timestamp_reading_uses_the_middle_of_the_exchange() {
        // Sent at 100.0, reply complete at 100.2; the server said 200.1 → remote ahead by 100 s.
        let stamps = Stamps {
            t1: at(100, 0),
            t4: at(100, 200_000_000),
        };
        let r = reading_from_remote_time(
            at(200, 100_000_000),
            0,
            stamps,
            None,
            Detail::Smb2 {
                dialect: "SMB 3.0.2".into(),
                signing_required: false,
            },
        );
        assert_eq!(r.offset_ns, 100_000_000_000);
        assert_eq!(r.delay_ns, 200_000_000);
        assert_eq!(r.uncertainty_ns, 100_000_000);
    }

    #[test]
    fn whole_second_timestamps_are_read_at_their_middle() {
        // HTTP Date "…:00" means some time in [0, 1): its middle 0.5 s; uncertainty adds 0.5 s.
        let stamps = Stamps {
            t1: at(1000, 400_000_000),
            t4: at(1000, 600_000_000),
        };
        let r = reading_from_remote_time(
            at(990, 0),
            1_000_000_000,
            stamps,
            None,
            Detail::Http {
                status: 200,
                date: String::new(),
                server: None,
            },
        );
        assert_eq!(r.offset_ns, -10_000_000_000);
        assert_eq!(r.uncertainty_ns, 600_000_000);
        assert_eq!(r.remote_time, at(990, 500_000_000));
    }

    fn reading(delay_ms: i128) -> Reading {
        Reading {
            offset_ns: delay_ms,
            delay_ns: delay_ms * 1_000_000,
            uncertainty_ns: 0,
            remote_time: UNIX_EPOCH,
            local: None,
            detail: Detail::Smb2 {
                dialect: String::new(),
                signing_required: false,
            },
        }
    }

    #[tokio::test]
    async fn sampling_keeps_the_smallest_delay_and_is_bounded() {
        let delays = [5, 2, 9, 3];
        let mut i = 0;
        let s = sample(4, Duration::ZERO, || {
            let d = delays[i];
            i += 1;
            async move { Ok(reading(d)) }
        })
        .await;
        assert_eq!((s.sent, s.good), (4, 4));
        assert_eq!(s.best.unwrap().delay_ns, 2_000_000);
    }

    #[tokio::test]
    async fn sampling_stops_on_definitive_failure_or_a_silent_peer() {
        let s = sample(4, Duration::ZERO, || async {
            Err(ProbeFailure::new("refused", text::connect_refused(), true))
        })
        .await;
        assert_eq!((s.sent, s.failures.len()), (1, 1));
        let s = sample(4, Duration::ZERO, || async {
            Err(ProbeFailure::new(
                "timeout",
                text::no_ntp_reply(1000),
                false,
            ))
        })
        .await;
        assert_eq!(
            (s.sent, s.failures.len()),
            (1, 1),
            "a silent peer costs one timeout"
        );
        assert!(s.best.is_none());
        let s = sample(4, Duration::ZERO, || async {
            Err(ProbeFailure::new(
                "invalid",
                text::ntp_invalid("origin mismatch"),
                false,
            ))
        })
        .await;
        assert_eq!(
            (s.sent, s.failures.len()),
            (2, 2),
            "an invalid reply gets one more try"
        );
        // Timeouts after a reading do not stop sampling.
        let mut n = 0;
        let s = sample(4, Duration::ZERO, || {
            n += 1;
            let first = n == 1;
            async move {
                if first {
                    Ok(reading(1))
                } else {
                    Err(ProbeFailure::new(
                        "timeout",
                        text::no_ntp_reply(1000),
                        false,
                    ))
                }
            }
        })
        .await;
        assert_eq!((s.sent, s.good), (4, 1));
    }
}
