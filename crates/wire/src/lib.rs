//! Pure wire-format code: encode and decode protocol messages, no I/O.
//! Every decoder takes untrusted bytes and returns an error instead of panicking.

pub mod dcerpc;
pub mod http_date;
pub mod smb2;
pub mod sntp;
