//! Network I/O: sockets with optional source binding, DNS queries to one server at a time,
//! TCP connects, the sweep's scanner, clock readings (SNTP, SMB2 NEGOTIATE, HTTP Date). Every operation has a
//! timeout and classifies its failure precisely.

pub mod bound;
pub mod clock;
pub mod dns;
pub mod http;
pub mod icmp;
pub mod memo;
mod netlink;
pub mod route;
pub mod rpc;
pub mod scan;
pub mod smb2;
pub mod sntp;
pub mod source;
pub mod tcp;
pub mod text;

use std::time::Duration;

/// Milliseconds with microsecond precision, for evidence.
pub fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0
}

/// Runs futures side by side in the calling task and returns their outputs in list order (no
/// extra crate for this). Shared by the probes and the check kinds that wait on several peers.
pub async fn join_all<F: std::future::Future>(futs: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut futs: Vec<_> = futs.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = futs.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in futs.iter_mut().enumerate() {
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => out[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().map(|o| o.expect("finished")).collect()
}
