//! Reading a clock: each method in turn, bounded, with what failed and why.

use crate::Source;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use tokio::task::JoinSet;

use kms_preflight_net::clock::{sample, ProbeFailure, Sampled};
use kms_preflight_net::{http, smb2, sntp, text};

use kms_preflight_engine::Message;

use super::model::*;

/// What one method did at one address.
pub(super) struct MethodRun {
    pub(super) method: Method,
    pub(super) port: u16,
    pub(super) sampled: Sampled,
}

impl MethodRun {
    /// The method as evidence: its result and every failure.
    pub(super) fn attempt(&self) -> ClockAttempt {
        ClockAttempt {
            method: self.method,
            port: self.port,
            result: match (&self.sampled.best, self.sampled.failures.first()) {
                (Some(_), _) => "measured",
                (None, Some(f)) => f.class,
                (None, None) => "error",
            }
            .to_string(),
            samples_sent: self.sampled.sent,
            samples_good: self.sampled.good,
            why: self
                .sampled
                .failures
                .iter()
                .map(|f| super::failure(f.class, f.detail.clone()).into())
                .collect(),
        }
    }

    /// Why the method gave no reading, for the message: its last failure.
    pub(super) fn summary(&self) -> Message {
        let f: &ProbeFailure = match self.sampled.failures.last() {
            Some(f) => f,
            None => return super::method_no_result(self.method.name(), self.port),
        };
        let (method, transport) = (self.method.name(), self.method.transport());
        match self.sampled.failures.len() {
            1 => super::method_failed(method, transport, self.port, f.class, f.detail.clone()),
            times => super::method_failed_repeated(
                method,
                transport,
                self.port,
                f.class,
                times,
                f.detail.clone(),
            ),
        }
    }
}

/// Whose clock is read, for messages.
pub(super) struct Subject {
    /// Name for messages, the HTTP Host header and remediation commands.
    pub(super) name: String,
    pub(super) is_reference: bool,
}

impl Subject {
    /// "KMS host kms1.corp.test" or "reference ntp.corp.test".
    pub(super) fn label(&self) -> Message {
        if self.is_reference {
            super::subject_reference(self.name.as_str())
        } else {
            super::subject_kms_host(self.name.as_str())
        }
    }

    /// "the clock of KMS host kms1.corp.test" or "the reference clock ntp.corp.test".
    pub(super) fn clock(&self) -> Message {
        if self.is_reference {
            super::who_reference(self.name.as_str())
        } else {
            super::who_kms_host(self.name.as_str())
        }
    }
}

/// Runs every planned method at one address as described in `run`; returns the runs that
/// count, in plan order (up to and including the one whose reading is reported).
pub(super) async fn run_methods(
    ip: IpAddr,
    name: &str,
    plan: Vec<(Method, u16)>,
    source: Option<Source>,
    timeout: Duration,
    samples: u32,
) -> Vec<MethodRun> {
    let mut tasks = JoinSet::new();
    let mut handles = Vec::new();
    for (k, (method, port)) in plan.iter().copied().enumerate() {
        let addr = SocketAddr::new(ip, port);
        let hh = host_header(name, addr);
        let source = source.clone();
        handles.push(tasks.spawn(async move {
            let sampled = run_method(method, addr, &hh, source.as_ref(), timeout, samples).await;
            (
                k,
                MethodRun {
                    method,
                    port,
                    sampled,
                },
            )
        }));
    }
    let mut runs: Vec<Option<MethodRun>> = plan.iter().map(|_| None).collect();
    let mut best: Option<usize> = None;
    let mut patience_ends: Option<tokio::time::Instant> = None;
    loop {
        let waiting_on_earlier = best.is_some_and(|b| runs[..b].iter().any(Option::is_none));
        let next = match (waiting_on_earlier, patience_ends) {
            (true, Some(end)) => match tokio::time::timeout_at(end, tasks.join_next()).await {
                Ok(next) => next,
                Err(_) => {
                    let b = best.unwrap_or(0);
                    for k in 0..b {
                        if runs[k].is_none() {
                            handles[k].abort();
                            runs[k] = Some(MethodRun {
                                method: plan[k].0,
                                port: plan[k].1,
                                sampled: Sampled {
                                    best: None,
                                    good: 0,
                                    sent: 0,
                                    failures: vec![ProbeFailure::timeout(text::given_up(
                                        text::ms_arg(timeout),
                                    ))],
                                },
                            });
                        }
                    }
                    continue;
                }
            },
            _ => tasks.join_next().await,
        };
        let Some(joined) = next else { break };
        let Ok((k, run)) = joined else { continue }; // cancelled
        if runs[k].is_some() {
            continue; // already given up
        }
        if run.sampled.best.is_some() && best.is_none_or(|b| k < b) {
            best = Some(k);
            patience_ends.get_or_insert_with(|| tokio::time::Instant::now() + timeout);
            for h in &handles[k + 1..] {
                h.abort();
            }
        }
        runs[k] = Some(run);
    }
    let keep = best.map_or(runs.len(), |b| b + 1);
    runs.into_iter().take(keep).flatten().collect()
}

pub(super) async fn run_method(
    method: Method,
    addr: SocketAddr,
    host_header: &str,
    source: Option<&Source>,
    timeout: Duration,
    samples: u32,
) -> Sampled {
    match method {
        Method::Ntp => match sntp::connected_socket(addr, source).await {
            Err(f) => Sampled {
                best: None,
                good: 0,
                sent: 0,
                failures: vec![f],
            },
            Ok(sock) => sample(samples, SAMPLE_SPACING, || sntp::exchange(&sock, timeout)).await,
        },
        Method::Smb2 => {
            sample(samples, SAMPLE_SPACING, || async move {
                smb2::exchange(addr, source, timeout)
                    .await
                    .map_err(tcp_definitive)
            })
            .await
        }
        Method::Http => {
            sample(samples, SAMPLE_SPACING, || async move {
                http::exchange(addr, host_header, source, timeout)
                    .await
                    .map_err(tcp_definitive)
            })
            .await
        }
    }
}

/// A TCP handshake that timed out already had retransmissions: asking again only adds waiting.
pub(super) fn tcp_definitive(mut f: ProbeFailure) -> ProbeFailure {
    if f.is_handshake_timeout() {
        f.definitive = true;
    }
    f
}

/// Host header: the name as given, an IPv6 literal in brackets; anything odd → the address.
pub(super) fn host_header(name: &str, addr: SocketAddr) -> String {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'));
    let name = if ok {
        name.to_string()
    } else {
        addr.ip().to_string()
    };
    let mut h = if name.parse::<std::net::Ipv6Addr>().is_ok() {
        format!("[{name}]")
    } else {
        name
    };
    if addr.port() != 80 {
        h.push_str(&format!(":{}", addr.port()));
    }
    h
}
