//! One plain-HTTP `HEAD /` to read the response's `Date` header: a coarse clock (1 s
//! resolution) for hosts that answer neither NTP nor SMB2. A read-only request; only the
//! response head is read (at most [`MAX_HEAD_LEN`] bytes) and the connection is closed.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::clock::{reading_from_remote_time, Detail, ProbeFailure, Reading, Stopwatch};
use super::tcp::connect;
use super::text;
use crate::source::Source;
use kms_preflight_wire::http_date::{self, HttpError, MAX_HEAD_LEN};

/// HTTP-date has a resolution of one second.
const DATE_RESOLUTION_NS: i128 = 1_000_000_000;

/// The request: HEAD so no body is sent back; `Host` is the name we were given.
pub fn request(host_header: &str) -> Vec<u8> {
    format!(
        "HEAD / HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: kms-preflight/{}\r\nAccept: */*\r\nConnection: close\r\n\r\n",
        env!("CARGO_PKG_VERSION")
    )
    .into_bytes()
}

/// Connects (within `timeout`), sends the request, reads the head (within `timeout`).
pub async fn exchange(
    addr: SocketAddr,
    host_header: &str,
    source: Option<&Source>,
    timeout: Duration,
) -> Result<Reading, ProbeFailure> {
    let conn = connect(addr, source, timeout)
        .await
        .map_err(|f| ProbeFailure::from_connect(&f, timeout))?;
    let mut stream = conn.stream;
    let req = request(host_header);
    let watch = Stopwatch::start();
    let io = async {
        stream.write_all(&req).await.map_err(|e| {
            ProbeFailure::new("closed", text::http_send_failed(e.to_string()), true)
        })?;
        let mut buf = Vec::with_capacity(1024);
        let mut chunk = [0u8; 2048];
        loop {
            let n = stream
                .read(&mut chunk)
                .await
                .map_err(|e| ProbeFailure::new("closed", text::read_failed(e.to_string()), true))?;
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
            if http_date::head_complete(&buf) || buf.len() >= MAX_HEAD_LEN {
                break;
            }
            if !buf.starts_with(&b"HTTP/"[..buf.len().min(5)]) {
                break; // not HTTP: no point waiting for more
            }
        }
        Ok::<_, ProbeFailure>(buf)
    };
    let buf = match tokio::time::timeout(timeout, io).await {
        Err(_) => {
            return Err(ProbeFailure::timeout(text::no_http_head(text::ms_arg(
                timeout,
            ))))
        }
        Ok(r) => r?,
    };
    let stamps = watch.stop();
    let _ = stream.shutdown().await;
    if buf.is_empty() {
        return Err(ProbeFailure::new("closed", text::http_closed(), true));
    }
    let (head, date) = http_date::date_of(&buf).map_err(|e| {
        let (class, why) = match e {
            HttpError::NotHttp => ("invalid", text::http_not_http()),
            HttpError::BadStatusLine(l) => {
                ("invalid", text::http_bad_status_line(format!("{l:?}")))
            }
            HttpError::NoDate => ("no-date", text::http_no_date()),
            HttpError::ConflictingDates => ("no-date", text::http_conflicting_dates()),
            HttpError::BadDate(d) => ("no-date", text::http_bad_date(format!("{d:?}"))),
        };
        ProbeFailure::new(class, why, true)
    })?;
    Ok(reading_from_remote_time(
        date,
        DATE_RESOLUTION_NS,
        stamps,
        conn.local,
        Detail::Http {
            status: head.status,
            date: head.date_raw.unwrap_or_default(),
            server: head.server,
        },
    ))
}
