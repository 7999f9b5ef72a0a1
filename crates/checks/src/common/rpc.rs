//! The meaning of a KMS bind exchange, shared by the `kms-rpc` kind and the sweep: one
//! classification of what came back ([`classify`]), so both tell a KMS host from another RPC
//! server, another protocol, a silent or a resetting listener the same way. Pure: the I/O is
//! `net::rpc`, the bytes are decoded by `wire::dcerpc`.

use std::fmt;

use serde::{Deserialize, Serialize};

use kms_preflight_engine::Message;
use kms_preflight_net::rpc::ReadEnd;
use kms_preflight_wire::dcerpc::{
    context_outcomes, decode_server_pdu, kms_bind_verdict, printable_prefix, BindAck, BindNak,
    BindRequest, ContextOutcome, Fault, KmsBindVerdict, ServerPdu,
};

use crate::common as msg;

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
        why: BrokenPdu,
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

/// How an answer that starts like DCE/RPC is broken.
#[derive(Debug, Clone, PartialEq)]
pub enum BrokenPdu {
    /// The connection ended, or went quiet, part-way through a PDU: how, after how many bytes,
    /// and the start of them (printable).
    CutShort {
        end: CutShort,
        bytes: usize,
        prefix: String,
    },
    /// A bind_ack with another number of results than the contexts offered.
    ResultCount { offered: usize, answered: usize },
    /// What the decoder says is wrong.
    Undecodable(String),
}

/// How a PDU was cut short.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CutShort {
    Closed,
    Reset,
    Silent,
}

impl BrokenPdu {
    /// The reason as a message (of a finding).
    pub fn message(&self) -> Message {
        match self {
            BrokenPdu::CutShort { end, bytes, prefix } => match end {
                CutShort::Closed => msg::rpc_closed_partway(*bytes, prefix),
                CutShort::Reset => msg::rpc_reset_partway(*bytes, prefix),
                CutShort::Silent => msg::rpc_silent_partway(*bytes, prefix),
            },
            BrokenPdu::ResultCount { offered, answered } => {
                msg::rpc_result_count(*answered, *offered)
            }
            BrokenPdu::Undecodable(e) => msg::rpc_undecodable(e),
        }
    }
}

/// The reason as evidence (`detail`) records it: the English text reports have carried since
/// v1 (an evidence value, the same in every language; the test below keeps it equal to the
/// English catalog text of [`BrokenPdu::message`]).
impl fmt::Display for BrokenPdu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BrokenPdu::CutShort { end, bytes, prefix } => {
                let what = match end {
                    CutShort::Closed => "connection closed",
                    CutShort::Reset => "connection reset",
                    CutShort::Silent => "nothing more within the timeout",
                };
                write!(f, "{what} after {bytes} bytes of a DCE/RPC PDU: {prefix}")
            }
            BrokenPdu::ResultCount { offered, answered } => write!(
                f,
                "bind_ack has {answered} results for the {offered} contexts offered"
            ),
            BrokenPdu::Undecodable(e) => f.write_str(e),
        }
    }
}

impl From<&str> for BrokenPdu {
    fn from(e: &str) -> BrokenPdu {
        BrokenPdu::Undecodable(e.to_string())
    }
}

/// What a bind exchange showed, as evidence (shared by `kms-rpc` and the sweep, which fills
/// the keys it reports): the keys of each verdict, in the order reports have them. Every key
/// is optional; a verdict sets its own ([`RpcVerdictEvidence::of`] sets those of `kms-rpc`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RpcVerdictEvidence {
    /// Accepted: the transfer syntax the host chose (`NDR32 v2.0`, `NDR64 v1.0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub negotiated_syntax: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_id: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_xmit_frag: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_recv_frag: Option<u16>,
    /// The port the host reports (text, as on the wire).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secondary_address: Option<String>,
    /// `0x` and 8 hex digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assoc_group_id: Option<String>,
    /// Every offered context with its result (`context 0 (…): accepted …`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_results: Option<Vec<String>>,
    /// What the answer says about the implementation (py-kms's fixed assoc_group_id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub implementation_hint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nak_reason: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nak_reason_name: Option<String>,
    /// `0x` and 8 hex digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ptype: Option<u8>,
    /// Malformed: what is broken ([`BrokenPdu`]'s text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Not RPC: the start of what came back, printable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received: Option<String>,
}

/// The assoc_group_id py-kms always answers with.
pub const PY_KMS_ASSOC_GROUP: u32 = 0x1063_BF3F;

/// Bytes of a non-RPC reply kept as evidence (and shown in messages).
pub const SHOWN: usize = 64;

/// Every offered context with its result, as evidence.
pub fn describe_outcomes(outcomes: &[ContextOutcome]) -> Vec<String> {
    outcomes
        .iter()
        .map(|o| {
            format!(
                "context {} ({}): {}",
                o.context_id,
                o.abstract_syntax,
                o.result.describe()
            )
        })
        .collect()
}

impl RpcVerdictEvidence {
    /// The evidence `kms-rpc` records for `verdict`.
    pub fn of(verdict: &RpcVerdict) -> RpcVerdictEvidence {
        let mut e = RpcVerdictEvidence::default();
        match verdict {
            RpcVerdict::Accepted {
                ack,
                context_id,
                transfer_syntax,
                outcomes,
            } => {
                e.negotiated_syntax = Some(transfer_syntax.clone());
                e.context_id = Some(*context_id);
                e.max_xmit_frag = Some(ack.max_xmit_frag);
                e.max_recv_frag = Some(ack.max_recv_frag);
                e.secondary_address = Some(ack.secondary_address.clone());
                e.assoc_group_id = Some(format!("0x{:08x}", ack.assoc_group_id));
                if outcomes.len() > 1 {
                    e.context_results = Some(describe_outcomes(outcomes));
                }
                if ack.assoc_group_id == PY_KMS_ASSOC_GROUP {
                    e.implementation_hint =
                        Some("py-kms (fixed assoc_group_id 0x1063BF3F), not Windows".into());
                }
            }
            RpcVerdict::Rejected { outcomes, .. } => {
                e.context_results = Some(describe_outcomes(outcomes));
            }
            RpcVerdict::Nak(nak) => {
                e.nak_reason = Some(nak.reason);
                e.nak_reason_name = Some(nak.reason_name().to_string());
            }
            RpcVerdict::Fault(fault) => {
                e.fault_status = Some(format!("0x{:08X}", fault.status));
            }
            RpcVerdict::UnexpectedPdu { ptype } => e.ptype = Some(*ptype),
            RpcVerdict::Malformed { why } => e.detail = Some(why.to_string()),
            RpcVerdict::NotRpc { bytes } => e.received = Some(printable_prefix(bytes, SHOWN)),
            RpcVerdict::Closed | RpcVerdict::Reset | RpcVerdict::Silent | RpcVerdict::Error(_) => {}
        }
        e
    }
}

/// Interprets what came back for `bind`. Pure: unit-tested on the captured vectors.
pub fn classify(bind: &BindRequest, bytes: &[u8], end: &ReadEnd) -> RpcVerdict {
    let partial = |end: CutShort| RpcVerdict::Malformed {
        why: BrokenPdu::CutShort {
            end,
            bytes: bytes.len(),
            prefix: printable_prefix(bytes, 32),
        },
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
                        why: BrokenPdu::ResultCount { offered, answered },
                    }
                }
            },
            Ok(ServerPdu::BindNak(nak)) => RpcVerdict::Nak(nak),
            Ok(ServerPdu::Fault(f)) => RpcVerdict::Fault(f),
            Ok(ServerPdu::Other { header }) => RpcVerdict::UnexpectedPdu {
                ptype: header.ptype,
            },
            Err(e) => RpcVerdict::Malformed {
                why: BrokenPdu::Undecodable(e.to_string()),
            },
        },
        ReadEnd::NotRpc => RpcVerdict::NotRpc {
            bytes: bytes.to_vec(),
        },
        ReadEnd::Closed if bytes.is_empty() => RpcVerdict::Closed,
        ReadEnd::Closed => partial(CutShort::Closed),
        ReadEnd::Reset if bytes.is_empty() => RpcVerdict::Reset,
        ReadEnd::Reset => partial(CutShort::Reset),
        ReadEnd::Timeout if bytes.is_empty() => RpcVerdict::Silent,
        ReadEnd::Timeout => partial(CutShort::Silent),
        ReadEnd::Error(e) => RpcVerdict::Error(e.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::en;

    #[test]
    fn broken_pdu_evidence_text_is_the_english_message() {
        let cases = [
            BrokenPdu::CutShort {
                end: CutShort::Closed,
                bytes: 30,
                prefix: "\\x05\\x00".into(),
            },
            BrokenPdu::CutShort {
                end: CutShort::Reset,
                bytes: 1,
                prefix: "x".into(),
            },
            BrokenPdu::CutShort {
                end: CutShort::Silent,
                bytes: 16,
                prefix: "y".into(),
            },
            BrokenPdu::ResultCount {
                offered: 3,
                answered: 1,
            },
            BrokenPdu::Undecodable("frag_length 12 is less than the 16-byte header".into()),
        ];
        for b in cases {
            assert_eq!(en(&b.message()), b.to_string());
        }
        assert_eq!(
            BrokenPdu::ResultCount {
                offered: 3,
                answered: 1
            }
            .to_string(),
            "bind_ack has 1 results for the 3 contexts offered"
        );
    }
}
