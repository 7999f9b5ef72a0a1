//! The HTTP side of `serve` (hyper 1, HTTP/1.1): a fixed routing table over the latest
//! [`Snapshot`](super::Snapshot). Nothing in a request reaches the audit: query strings are
//! ignored, request bodies are refused, and every unknown path is 404.
//!
//! Limits: request headers within [`HEADER_TIMEOUT`] and [`MAX_HEADER_BYTES`], at most
//! [`MAX_HEADERS`] header fields, no request body, [`REQUEST_TIMEOUT`] per request, at most
//! [`MAX_CONNECTIONS`] connections at once (more are closed at once), and each connection
//! lives at most [`CONNECTION_LIFETIME`].

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use super::Shared;

pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
pub const CONNECTION_LIFETIME: Duration = Duration::from_secs(120);
pub const MAX_HEADER_BYTES: usize = 8 * 1024;
pub const MAX_HEADERS: usize = 64;
pub const MAX_CONNECTIONS: usize = 512;
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
            let mut r = respond(StatusCode::OK, HTML, snap.page.clone());
            let h = r.headers_mut();
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
                let (stream, _peer) = match accepted {
                    Ok(x) => x,
                    Err(e) => {
                        // EMFILE and friends: back off a little instead of spinning.
                        eprintln!("kms-preflight serve: accept: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
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
