//! Pure wire-format code: encode and decode protocol messages, no I/O: DCE/RPC bind
//! ([`dcerpc`]), RPC calls and their NDR stubs ([`rpc_call`]), the KMS activation payload
//! ([`kms`]), SNTP, SMB2 NEGOTIATE and HTTP dates.
//! Every decoder takes untrusted bytes and returns an error instead of panicking.

pub mod dcerpc;
pub mod http_date;
pub mod kms;
pub mod rpc_call;
pub mod smb2;
pub mod sntp;

#[cfg(test)]
mod testjson;
