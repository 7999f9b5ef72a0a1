//! The HTTP side of `serve` (hyper 1, HTTP/1.1): a fixed routing table over the latest
//! [`Snapshot`](super::Snapshot). Nothing in a request reaches the audit: query strings are
//! ignored, request bodies are refused, and every unknown path is 404.
//!
//! Limits: request headers within [`HEADER_TIMEOUT`] and [`MAX_HEADER_BYTES`], at most
//! [`MAX_HEADERS`] header fields, no request body, [`REQUEST_TIMEOUT`] per request, at most
//! [`MAX_CONNECTIONS`] connections at once and at most [`MAX_CONNECTIONS_PER_PEER`] of them
//! from one peer ([`PeerKey`]: an IPv4 address or an IPv6 /64); a connection over either
//! limit is closed at once, unanswered, and one over the per-peer limit takes no global slot.
//! So one greedy peer holds at most 32 of the 512 slots and every other peer still gets in.
//! A keep-alive connection idle for [`HEADER_TIMEOUT`] is closed (hyper's header-read timer
//! runs whenever the connection waits for a request head: before the first request and between
//! two), and each connection lives at most [`CONNECTION_LIFETIME`].

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use kms_preflight_report::Lang;

use super::Shared;

/// The time a connection may take to send a request head, and the longest a keep-alive
/// connection may stay idle between two requests.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
pub const CONNECTION_LIFETIME: Duration = Duration::from_secs(120);
pub const MAX_HEADER_BYTES: usize = 8 * 1024;
pub const MAX_HEADERS: usize = 64;
pub const MAX_CONNECTIONS: usize = 512;
/// Connections one peer ([`PeerKey`]) may hold at once. A Prometheus server needs one per
/// scrape job; a few reverse proxies or browsers stay far below it too.
pub const MAX_CONNECTIONS_PER_PEER: usize = 32;
/// How long open connections may take to finish once a stop signal came.
const DRAIN: Duration = Duration::from_millis(400);

const TEXT: &str = "text/plain; charset=utf-8";
const METRICS: &str = "text/plain; version=0.0.4; charset=utf-8";
const JSON: &str = "application/json";
const HTML: &str = "text/html; charset=utf-8";
const PAGE_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; form-action 'none'; base-uri 'none'";

type Resp = Response<Full<Bytes>>;

fn respond(status: StatusCode, content_type: &'static str, body: Bytes) -> Resp {
    let mut r = Response::new(Full::new(body));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

fn text(status: StatusCode, body: &'static str) -> Resp {
    respond(status, TEXT, Bytes::from_static(body.as_bytes()))
}

/// The page's language for a request: the language of ours that its `Accept-Language`
/// prefers (highest q, then the first listed; `ja-JP` counts as `ja`), else `default`. It only
/// chooses a language: nothing in a request chooses what is probed.
pub fn page_lang(accept: Option<&HeaderValue>, default: Lang) -> Lang {
    let Some(v) = accept.and_then(|v| v.to_str().ok()) else {
        return default;
    };
    let mut best: Option<(Lang, f32)> = None;
    for item in v.split(',') {
        let mut parts = item.split(';');
        let Some(lang) = parts.next().and_then(|t| Lang::parse(t.trim())) else {
            continue;
        };
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .filter_map(|q| q.trim().parse::<f32>().ok())
            .next()
            .unwrap_or(1.0);
        if q > 0.0 && best.is_none_or(|(_, b)| q > b) {
            best = Some((lang, q));
        }
    }
    best.map_or(default, |(l, _)| l)
}

/// The routing table. Only the path matters: the query string never does.
pub fn route(req: &Request<Incoming>, shared: &Shared) -> Resp {
    let path = req.uri().path();
    let known = matches!(path, "/" | "/metrics" | "/healthz" | "/report.json");
    if !known {
        return text(StatusCode::NOT_FOUND, "not found\n");
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut r = text(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD\n");
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let has_body = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .is_some_and(|v| v.as_bytes() != b"0")
        || req.headers().contains_key(header::TRANSFER_ENCODING);
    if has_body {
        let mut r = text(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request bodies are not accepted\n",
        );
        r.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return r;
    }
    let snap = shared.snapshot();
    match path {
        "/metrics" => respond(StatusCode::OK, METRICS, snap.metrics.clone()),
        "/report.json" => respond(StatusCode::OK, JSON, snap.report_json.clone()),
        "/healthz" => {
            let (ok, msg) = shared.health();
            let status = if ok {
                StatusCode::OK
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            };
            respond(status, TEXT, Bytes::from(msg))
        }
        _ => {
            let lang = page_lang(req.headers().get(header::ACCEPT_LANGUAGE), shared.page_lang);
            let mut r = respond(StatusCode::OK, HTML, snap.page(lang));
            let h = r.headers_mut();
            h.insert(
                header::CONTENT_LANGUAGE,
                HeaderValue::from_static(lang.tag()),
            );
            h.insert(header::VARY, HeaderValue::from_static("Accept-Language"));
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(PAGE_CSP),
            );
            h.insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            );
            r
        }
    }
}

/// The peers that share one per-peer budget. IPv6 peers are grouped by /64: one host can pick
/// any address of its /64 (SLAAC privacy addresses rotate within it), so counting single
/// addresses would let it open 32 connections per address. IPv4-mapped IPv6 peers (a dual-stack
/// listener) count as their IPv4 address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeerKey {
    V4(Ipv4Addr),
    /// The first 64 bits of the address.
    V6Prefix(u64),
}

impl PeerKey {
    pub fn of(ip: IpAddr) -> PeerKey {
        match ip {
            IpAddr::V4(a) => PeerKey::V4(a),
            IpAddr::V6(a) => match a.to_ipv4_mapped() {
                Some(v4) => PeerKey::V4(v4),
                None => PeerKey::V6Prefix((u128::from(a) >> 64) as u64),
            },
        }
    }
}

/// Open connections per peer. An entry exists only while its peer has a connection open, so
/// the map never holds more than [`MAX_CONNECTIONS`] entries.
pub struct PeerSlots {
    limit: usize,
    open: Mutex<HashMap<PeerKey, usize>>,
}

/// One connection's place in its peer's budget, given back on drop.
pub struct PeerSlot {
    slots: Arc<PeerSlots>,
    key: PeerKey,
}

impl PeerSlots {
    pub fn new(limit: usize) -> Arc<PeerSlots> {
        Arc::new(PeerSlots {
            limit,
            open: Mutex::new(HashMap::new()),
        })
    }

    /// A slot for one more connection of `key`, or `None` when it holds `limit` already.
    pub fn try_take(self: &Arc<Self>, key: PeerKey) -> Option<PeerSlot> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(key).or_insert(0);
        if *n >= self.limit {
            return None;
        }
        *n += 1;
        Some(PeerSlot {
            slots: self.clone(),
            key,
        })
    }

    /// Peers with a connection open now.
    #[cfg(test)]
    fn peers(&self) -> usize {
        self.open.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

impl Drop for PeerSlot {
    fn drop(&mut self) {
        let mut open = self.slots.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.key);
            }
        }
    }
}

async fn handle(req: Request<Incoming>, shared: Arc<Shared>) -> Result<Resp, Infallible> {
    let answer = async { route(&req, &shared) };
    Ok(tokio::time::timeout(REQUEST_TIMEOUT, answer)
        .await
        .unwrap_or_else(|_| text(StatusCode::SERVICE_UNAVAILABLE, "request timed out\n")))
}

/// Accepts connections until `stop` resolves; then lets open ones finish for a moment.
/// Returns what `stop` returned.
pub async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    stop: &mut Pin<&mut impl Future<Output = &'static str>>,
) -> &'static str {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let peers = PeerSlots::new(MAX_CONNECTIONS_PER_PEER);
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .max_buf_size(MAX_HEADER_BYTES.max(8192))
        .max_headers(MAX_HEADERS)
        .keep_alive(true);
    let signal = loop {
        tokio::select! {
            s = stop.as_mut() => break s,
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(x) => x,
                    Err(e) => {
                        // EMFILE and friends: back off a little instead of spinning.
                        eprintln!("kms-preflight serve: accept: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                // The peer's budget first: a peer over it is closed without touching the
                // global slots, so it cannot use them up.
                let Some(peer_slot) = peers.try_take(PeerKey::of(peer.ip())) else {
                    drop(stream);
                    continue;
                };
                let Ok(permit) = slots.clone().try_acquire_owned() else {
                    drop(stream);
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let shared = shared.clone();
                let conn = builder.serve_connection(
                    TokioIo::new(stream),
                    hyper::service::service_fn(move |req| handle(req, shared.clone())),
                );
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    let _ = tokio::time::timeout(CONNECTION_LIFETIME, conn).await;
                    drop(permit);
                    drop(peer_slot);
                });
            }
        }
    };
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(DRAIN) => {}
    }
    signal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_chooses_a_language_we_have_else_the_default() {
        let pick = |h: &str, d| page_lang(Some(&HeaderValue::from_str(h).unwrap()), d);
        assert_eq!(page_lang(None, Lang::Ja), Lang::Ja);
        assert_eq!(pick("ja,en-US;q=0.9,en;q=0.8", Lang::En), Lang::Ja);
        assert_eq!(pick("ja-JP", Lang::En), Lang::Ja);
        assert_eq!(pick("en-US,en;q=0.9,ja;q=0.8", Lang::Ja), Lang::En);
        assert_eq!(pick("en;q=0.5, ja;q=0.7", Lang::En), Lang::Ja);
        assert_eq!(pick("fr-FR, de;q=0.9", Lang::Ja), Lang::Ja, "none of ours");
        assert_eq!(pick("*", Lang::Ja), Lang::Ja);
        assert_eq!(
            pick("ja;q=0, en;q=0.1", Lang::Ja),
            Lang::En,
            "q=0 is a refusal"
        );
        assert_eq!(pick(";;,,q=", Lang::En), Lang::En);
    }

    #[test]
    fn peers_are_ipv4_addresses_and_ipv6_slash_64s() {
        let key = |s: &str| PeerKey::of(s.parse().unwrap());
        assert_eq!(key("198.18.0.2"), key("198.18.0.2"));
        assert_ne!(key("198.18.0.2"), key("198.18.0.3"));
        // One /64: privacy addresses of one host share a budget.
        assert_eq!(key("fd00:18::2"), key("fd00:18::ffff:1:2:3"));
        assert_eq!(key("fd00:18::2"), key("fd00:18:0:0:8000::1"));
        // The next /64 is another peer.
        assert_ne!(key("fd00:18::2"), key("fd00:18:0:1::2"));
        // A dual-stack listener sees IPv4 peers as mapped addresses: still the IPv4 peer.
        assert_eq!(key("::ffff:198.18.0.2"), key("198.18.0.2"));
        assert_ne!(key("::ffff:198.18.0.2"), key("::ffff:198.18.0.3"));
    }

    #[test]
    fn a_peer_gets_its_limit_and_its_slots_back() {
        let slots = PeerSlots::new(3);
        let a = PeerKey::of("198.18.0.2".parse().unwrap());
        let b = PeerKey::of("198.18.0.3".parse().unwrap());
        let held: Vec<PeerSlot> = (0..3)
            .map(|_| slots.try_take(a).expect("under the limit"))
            .collect();
        assert!(
            slots.try_take(a).is_none(),
            "a fourth connection of one peer"
        );
        // Another peer is not affected.
        let other = slots.try_take(b).expect("another peer");
        assert_eq!(slots.peers(), 2);
        drop(other);
        assert_eq!(
            slots.peers(),
            1,
            "a peer without connections leaves no entry"
        );
        drop(held);
        assert_eq!(slots.peers(), 0);
        assert!(
            slots.try_take(a).is_some(),
            "slots come back when connections close"
        );
    }
}
