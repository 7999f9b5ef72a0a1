//! The meaning of a KMS bind exchange, shared by the `kms-rpc` kind and the sweep: one
//! classification of what came back ([`classify`]), so both tell a KMS host from another RPC
//! server, another protocol, a silent or a resetting listener the same way. Pure: the I/O is
//! `net::rpc`, the bytes are decoded by `wire::dcerpc`.

use kms_preflight_net::rpc::ReadEnd;
use kms_preflight_wire::dcerpc::{
    context_outcomes, decode_server_pdu, kms_bind_verdict, printable_prefix, BindAck, BindNak,
    BindRequest, ContextOutcome, Fault, KmsBindVerdict, ServerPdu,
};

/// The call id of our bind (vlmcs and Windows start at 2).
pub const CALL_ID: u32 = 2;

/// What a bind exchange means.
#[derive(Debug, Clone, PartialEq)]
pub enum RpcVerdict {
    /// The KMS interface was accepted on `context_id` with `transfer_syntax` (display form).
    Accepted {
        ack: BindAck,
        context_id: u16,
        transfer_syntax: String,
        /// Every offered context with its result.
        outcomes: Vec<ContextOutcome>,
    },
    /// A DCE/RPC server answered but accepted no KMS context.
    Rejected {
        ack: BindAck,
        outcomes: Vec<ContextOutcome>,
    },
    Nak(BindNak),
    Fault(Fault),
    /// A valid DCE/RPC header of a type that does not answer a bind.
    UnexpectedPdu {
        ptype: u8,
    },
    /// Starts like DCE/RPC 5.0 but is broken (truncated, inconsistent, fragmented …).
    Malformed {
        why: String,
    },
    /// Bytes that are not DCE/RPC at all.
    NotRpc {
        bytes: Vec<u8>,
    },
    /// FIN before any byte.
    Closed,
    /// RST before any byte (or while sending the bind).
    Reset,
    /// No byte within the timeout.
    Silent,
    /// A local socket error.
    Error(String),
}

impl RpcVerdict {
    /// The `result` evidence value.
    pub fn class(&self) -> &'static str {
        match self {
            RpcVerdict::Accepted { .. } => "accepted",
            RpcVerdict::Rejected { .. } => "rejected",
            RpcVerdict::Nak(_) => "bind-nak",
            RpcVerdict::Fault(_) => "fault",
            RpcVerdict::UnexpectedPdu { .. } => "unexpected-pdu",
            RpcVerdict::Malformed { .. } => "malformed",
            RpcVerdict::NotRpc { .. } => "not-rpc",
            RpcVerdict::Closed => "closed",
            RpcVerdict::Reset => "reset",
            RpcVerdict::Silent => "silent",
            RpcVerdict::Error(_) => "error",
        }
    }
}

/// Interprets what came back for `bind`. Pure: unit-tested on the captured vectors.
pub fn classify(bind: &BindRequest, bytes: &[u8], end: &ReadEnd) -> RpcVerdict {
    let partial = |what: &str| RpcVerdict::Malformed {
        why: format!(
            "{what} after {} bytes of a DCE/RPC PDU: {}",
            bytes.len(),
            printable_prefix(bytes, 32)
        ),
    };
    match end {
        ReadEnd::Complete => match decode_server_pdu(bytes) {
            Ok(ServerPdu::BindAck(ack)) => match kms_bind_verdict(bind, &ack) {
                KmsBindVerdict::Accepted {
                    context_id,
                    transfer_syntax,
                } => RpcVerdict::Accepted {
                    context_id,
                    transfer_syntax: transfer_syntax.to_string(),
                    outcomes: context_outcomes(bind, &ack),
                    ack,
                },
                KmsBindVerdict::Rejected { outcomes } => RpcVerdict::Rejected { ack, outcomes },
                KmsBindVerdict::ResultCountMismatch { offered, answered } => {
                    RpcVerdict::Malformed {
                        why: format!(
                            "bind_ack has {answered} results for the {offered} contexts offered"
                        ),
                    }
                }
            },
            Ok(ServerPdu::BindNak(nak)) => RpcVerdict::Nak(nak),
            Ok(ServerPdu::Fault(f)) => RpcVerdict::Fault(f),
            Ok(ServerPdu::Other { header }) => RpcVerdict::UnexpectedPdu {
                ptype: header.ptype,
            },
            Err(e) => RpcVerdict::Malformed { why: e.to_string() },
        },
        ReadEnd::NotRpc => RpcVerdict::NotRpc {
            bytes: bytes.to_vec(),
        },
        ReadEnd::Closed if bytes.is_empty() => RpcVerdict::Closed,
        ReadEnd::Closed => partial("connection closed"),
        ReadEnd::Reset if bytes.is_empty() => RpcVerdict::Reset,
        ReadEnd::Reset => partial("connection reset"),
        ReadEnd::Timeout if bytes.is_empty() => RpcVerdict::Silent,
        ReadEnd::Timeout => partial("nothing more within the timeout"),
        ReadEnd::Error(e) => RpcVerdict::Error(e.clone()),
    }
}
