//! Network I/O: sockets with optional source binding, DNS queries to one server at a time,
//! TCP connects, the sweep's scanner, clock readings (SNTP, SMB2 NEGOTIATE, HTTP Date). Every operation has a
//! timeout and classifies its failure precisely.

pub mod bound;
pub mod clock;
pub mod dns;
pub mod http;
pub mod icmp;
pub mod route;
pub mod rpc;
pub mod scan;
pub mod smb2;
pub mod sntp;
pub mod source;
pub mod tcp;

use std::time::Duration;

/// Milliseconds with microsecond precision, for evidence.
pub fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0
}
