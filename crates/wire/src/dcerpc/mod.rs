//! DCE/RPC connection-oriented PDUs (ncacn_ip_tcp, C706 ch. 12 + MS-RPCE) as far as a KMS
//! pre-flight needs them: build a bind, read the answer (bind_ack, bind_nak, fault), and say
//! whether the KMS interface was accepted.
//!
//! Pure code: no I/O, std only, no panics. Every decoder takes untrusted bytes and returns
//! [`WireError`] instead of indexing past the end or overflowing. Only the little-endian,
//! ASCII, IEEE data representation (`10 00 00 00`) is supported; Windows and every KMS emulator
//! use it, and anything else is not a KMS host.
//!
//! Layout references: the project's protocol notes §1.1–§1.9 (C706 ch. 12, MS-RPCE).

mod bind;
mod diagnostics;
mod error;
mod framing;
mod ids;
mod names;
#[cfg(test)]
mod tests;
mod verdict;

pub use bind::*;
pub use diagnostics::*;
pub use error::*;
pub(crate) use framing::open_pdu;
pub use framing::{decode_pdu_header, peek_frag_length, PduHeader};
pub use ids::*;
pub use names::*;
pub use verdict::*;
