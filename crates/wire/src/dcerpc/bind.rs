//! bind / alter_context, bind_ack, bind_nak, fault, and decoding whatever a server answers.

use super::error::*;
use super::framing::*;
use super::ids::*;
use super::names::*;

// ---------------------------------------------------------------------------------------------
// bind / alter_context
// ---------------------------------------------------------------------------------------------

/// One presentation context element of a bind or alter_context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentationContext {
    pub context_id: u16,
    pub abstract_syntax: SyntaxId,
    pub transfer_syntaxes: Vec<SyntaxId>,
}

/// A bind (PTYPE 11) or alter_context (PTYPE 14), chosen by `header.ptype`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindRequest {
    /// ptype, flags and call_id are encoded; frag_length/auth_length are computed.
    pub header: PduHeader,
    pub max_xmit_frag: u16,
    pub max_recv_frag: u16,
    pub assoc_group_id: u32,
    pub contexts: Vec<PresentationContext>,
}

impl BindRequest {
    /// The minimal KMS probe: one context (id 0, KMS v1.0, NDR32 v2), FIRST|LAST, 72 bytes.
    /// Every KMS implementation accepts it.
    pub fn kms_probe(call_id: u32) -> BindRequest {
        BindRequest {
            header: PduHeader::new(PTYPE_BIND, PFC_FIRST_FRAG | PFC_LAST_FRAG, call_id),
            max_xmit_frag: DEFAULT_MAX_FRAG,
            max_recv_frag: DEFAULT_MAX_FRAG,
            assoc_group_id: 0,
            contexts: vec![PresentationContext {
                context_id: 0,
                abstract_syntax: KMS_INTERFACE,
                transfer_syntaxes: vec![NDR32],
            }],
        }
    }

    /// What Windows 8+ clients (and vlmcs) send: contexts 0 NDR32, 1 NDR64, 2 BTFN 0x03, all
    /// for the KMS interface, with PFC_CONC_MPX. 160 bytes. A Windows 8+ host then accepts
    /// NDR64 and rejects NDR32.
    pub fn kms_windows_style(call_id: u32) -> BindRequest {
        let ctx = |context_id, syntax| PresentationContext {
            context_id,
            abstract_syntax: KMS_INTERFACE,
            transfer_syntaxes: vec![syntax],
        };
        BindRequest {
            header: PduHeader::new(
                PTYPE_BIND,
                PFC_FIRST_FRAG | PFC_LAST_FRAG | PFC_CONC_MPX,
                call_id,
            ),
            max_xmit_frag: DEFAULT_MAX_FRAG,
            max_recv_frag: DEFAULT_MAX_FRAG,
            assoc_group_id: 0,
            contexts: vec![ctx(0, NDR32), ctx(1, NDR64), ctx(2, BTFN)],
        }
    }
}

/// Most context elements / transfer syntaxes one count byte can announce.
pub(crate) const MAX_COUNT: usize = u8::MAX as usize;

/// Encode a bind or alter_context (per `req.header.ptype`).
///
/// Never panics. Limits of the format: at most 255 contexts and 255 transfer syntaxes per
/// context are written, and contexts that would push the PDU past 65535 bytes are left out;
/// the result is always a self-consistent PDU (KMS binds are 72–160 bytes).
pub fn encode_bind(req: &BindRequest) -> Vec<u8> {
    let mut out = start_pdu(&req.header, 28 + 44 * req.contexts.len().min(MAX_COUNT));
    put_u16(&mut out, req.max_xmit_frag);
    put_u16(&mut out, req.max_recv_frag);
    put_u32(&mut out, req.assoc_group_id);
    let count_at = out.len();
    out.extend_from_slice(&[0, 0, 0, 0]); // n_context_elem + 3 reserved, patched below
    let mut count: u8 = 0;
    for ctx in req.contexts.iter().take(MAX_COUNT) {
        let syntaxes = &ctx.transfer_syntaxes[..ctx.transfer_syntaxes.len().min(MAX_COUNT)];
        let elem_len = 24 + 20 * syntaxes.len();
        if out.len() + elem_len > usize::from(u16::MAX) {
            break;
        }
        put_u16(&mut out, ctx.context_id);
        out.push(syntaxes.len() as u8); // ≤ 255 by the slice above
        out.push(0);
        put_syntax(&mut out, &ctx.abstract_syntax);
        for s in syntaxes {
            put_syntax(&mut out, s);
        }
        count += 1;
    }
    if let Some(b) = out.get_mut(count_at) {
        *b = count;
    }
    finish_pdu(out)
}

/// Decode a bind (PTYPE 11) or alter_context (PTYPE 14). Used by the lab responder and to
/// check our own encoder.
pub fn decode_bind(bytes: &[u8]) -> Result<BindRequest, WireError> {
    let (header, mut r) = open_pdu(
        bytes,
        "bind or alter_context",
        &[PTYPE_BIND, PTYPE_ALTER_CONTEXT],
        28,
    )?;
    let max_xmit_frag = r.u16("max_xmit_frag")?;
    let max_recv_frag = r.u16("max_recv_frag")?;
    let assoc_group_id = r.u32("assoc_group_id")?;
    let n = r.u8("n_context_elem")?;
    r.take(3, "reserved after n_context_elem")?;
    // Each element is ≥ 24 bytes, so the count is bounded by the PDU itself; no allocation
    // larger than 255 entries is possible anyway.
    let mut contexts = Vec::with_capacity(usize::from(n).min(r.remaining() / 24));
    for _ in 0..n {
        let context_id = r.u16("p_cont_id")?;
        let n_syn = r.u8("n_transfer_syn")?;
        r.take(1, "context element reserved byte")?;
        let abstract_syntax = r.syntax("abstract syntax")?;
        let mut transfer_syntaxes = Vec::with_capacity(usize::from(n_syn).min(r.remaining() / 20));
        for _ in 0..n_syn {
            transfer_syntaxes.push(r.syntax("transfer syntax")?);
        }
        contexts.push(PresentationContext {
            context_id,
            abstract_syntax,
            transfer_syntaxes,
        });
    }
    Ok(BindRequest {
        header,
        max_xmit_frag,
        max_recv_frag,
        assoc_group_id,
        contexts,
    })
}

// ---------------------------------------------------------------------------------------------
// bind_ack / alter_context_resp
// ---------------------------------------------------------------------------------------------

/// One result element of a bind_ack, answering the context element at the same index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContextResult {
    /// 0 acceptance, 1 user rejection, 2 provider rejection, 3 negotiate ack (BTFN).
    pub result: u16,
    /// Rejection reason, or for result 3 the BTFN feature bitmask the server supports.
    pub reason: u16,
    /// Accepted transfer syntax (all zero when not accepted).
    pub transfer_syntax: SyntaxId,
}

impl ContextResult {
    pub fn accepted(transfer_syntax: SyntaxId) -> ContextResult {
        ContextResult {
            result: RESULT_ACCEPTANCE,
            reason: 0,
            transfer_syntax,
        }
    }

    pub fn provider_rejection(reason: u16) -> ContextResult {
        ContextResult {
            result: RESULT_PROVIDER_REJECTION,
            reason,
            transfer_syntax: SyntaxId::new(Uuid::NIL, 0, 0),
        }
    }

    pub fn negotiate_ack(bitmask: u16) -> ContextResult {
        ContextResult {
            result: RESULT_NEGOTIATE_ACK,
            reason: bitmask,
            transfer_syntax: SyntaxId::new(Uuid::NIL, 0, 0),
        }
    }

    pub fn is_accepted(&self) -> bool {
        self.result == RESULT_ACCEPTANCE
    }

    /// Human-readable, e.g. `acceptance (NDR32 v2.0)`,
    /// `provider_rejection (abstract_syntax_not_supported)`, `negotiate_ack (bitmask 0x3)`.
    pub fn describe(&self) -> String {
        match self.result {
            RESULT_ACCEPTANCE => format!("acceptance ({})", self.transfer_syntax),
            RESULT_USER_REJECTION | RESULT_PROVIDER_REJECTION => format!(
                "{} ({})",
                result_name(self.result),
                provider_reason_name(self.reason)
            ),
            RESULT_NEGOTIATE_ACK => format!("negotiate_ack (bitmask 0x{:x})", self.reason),
            other => format!("unknown result {other} (reason {})", self.reason),
        }
    }
}

/// A bind_ack (PTYPE 12) or alter_context_resp (PTYPE 15), per `header.ptype`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindAck {
    /// ptype, flags and call_id are encoded; frag_length/auth_length are computed.
    pub header: PduHeader,
    pub max_xmit_frag: u16,
    pub max_recv_frag: u16,
    pub assoc_group_id: u32,
    /// The server's port as text (e.g. "1688"), without the terminating NUL. Empty when the
    /// server sent length 0 (vlmcsd does in alter_context_resp).
    pub secondary_address: String,
    pub results: Vec<ContextResult>,
}

/// Decode a bind_ack or alter_context_resp. The secondary address length is parsed, not
/// assumed, and the padding after it (junk on Windows and vlmcsd) is skipped unchecked.
pub fn decode_bind_ack(bytes: &[u8]) -> Result<BindAck, WireError> {
    let (header, mut r) = open_pdu(
        bytes,
        "bind_ack or alter_context_resp",
        &[PTYPE_BIND_ACK, PTYPE_ALTER_CONTEXT_RESP],
        28,
    )?;
    let max_xmit_frag = r.u16("max_xmit_frag")?;
    let max_recv_frag = r.u16("max_recv_frag")?;
    let assoc_group_id = r.u32("assoc_group_id")?;
    let sec_len = r.u16("secondary address length")?;
    let sec = r.take(usize::from(sec_len), "secondary address")?;
    let sec = sec.split(|&b| b == 0).next().unwrap_or_default();
    let secondary_address = String::from_utf8_lossy(sec).into_owned();
    r.align4("padding after secondary address")?;
    let n = r.u8("n_results")?;
    r.take(3, "reserved after n_results")?;
    let mut results = Vec::with_capacity(usize::from(n).min(r.remaining() / 24));
    for _ in 0..n {
        let result = r.u16("result")?;
        let reason = r.u16("result reason")?;
        let transfer_syntax = r.syntax("accepted transfer syntax")?;
        results.push(ContextResult {
            result,
            reason,
            transfer_syntax,
        });
    }
    Ok(BindAck {
        header,
        max_xmit_frag,
        max_recv_frag,
        assoc_group_id,
        secondary_address,
        results,
    })
}

/// Encode a bind_ack or alter_context_resp (for the lab responder and tests). The secondary
/// address gets a NUL appended unless empty; pad bytes are zero. Never panics: at most 255
/// results are written and an over-long address is cut to fit.
pub fn encode_bind_ack(ack: &BindAck) -> Vec<u8> {
    let mut out = start_pdu(&ack.header, 36 + 24 * ack.results.len().min(MAX_COUNT));
    put_u16(&mut out, ack.max_xmit_frag);
    put_u16(&mut out, ack.max_recv_frag);
    put_u32(&mut out, ack.assoc_group_id);
    let addr = ack.secondary_address.as_bytes();
    let addr = &addr[..addr.len().min(1024)];
    if addr.is_empty() {
        put_u16(&mut out, 0);
    } else {
        put_u16(&mut out, addr.len() as u16 + 1); // ≤ 1025
        out.extend_from_slice(addr);
        out.push(0);
    }
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
    let results = &ack.results[..ack.results.len().min(MAX_COUNT)];
    out.extend_from_slice(&[results.len() as u8, 0, 0, 0]);
    for res in results {
        put_u16(&mut out, res.result);
        put_u16(&mut out, res.reason);
        put_syntax(&mut out, &res.transfer_syntax);
    }
    finish_pdu(out)
}

// ---------------------------------------------------------------------------------------------
// bind_nak
// ---------------------------------------------------------------------------------------------

/// A bind_nak (PTYPE 13). Emulators never send one (they drop the connection), so this
/// suggests a real Microsoft RPC runtime or some other service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindNak {
    pub header: PduHeader,
    pub reason: u16,
    /// Supported protocol versions (major, minor), e.g. [(5, 0)].
    pub versions: Vec<(u8, u8)>,
    /// MS-RPCE signature after the versions, present only if frag_length leaves room.
    pub signature: Option<Uuid>,
}

impl BindNak {
    pub fn reason_name(&self) -> &'static str {
        bind_nak_reason_name(self.reason)
    }

    /// The signature says extended error information follows.
    pub fn has_extended_error_info(&self) -> bool {
        self.signature == Some(BIND_NAK_EXTENDED_ERROR_SIGNATURE)
    }
}

/// Decode a bind_nak. A PDU that ends right after the reason (no versions list) is accepted
/// with an empty list, since C706 only requires the reason to be meaningful.
pub fn decode_bind_nak(bytes: &[u8]) -> Result<BindNak, WireError> {
    let (header, mut r) = open_pdu(bytes, "bind_nak", &[PTYPE_BIND_NAK], 18)?;
    let reason = r.u16("provider_reject_reason")?;
    let mut versions = Vec::new();
    if r.remaining() > 0 {
        let n = r.u8("n_protocols")?;
        for _ in 0..n {
            let major = r.u8("supported version (major)")?;
            let minor = r.u8("supported version (minor)")?;
            versions.push((major, minor));
        }
    }
    // MS-RPCE 2.2.2.9: the signature is present iff frag_length ≥ L + 16.
    let signature = if r.remaining() >= 16 {
        Some(r.uuid("signature")?)
    } else {
        None
    };
    Ok(BindNak {
        header,
        reason,
        versions,
        signature,
    })
}

/// Encode a bind_nak with the given reason and versions (no signature).
pub fn encode_bind_nak(header: &PduHeader, reason: u16, versions: &[(u8, u8)]) -> Vec<u8> {
    let versions = &versions[..versions.len().min(MAX_COUNT)];
    let mut out = start_pdu(header, 19 + 2 * versions.len());
    put_u16(&mut out, reason);
    out.push(versions.len() as u8);
    for &(major, minor) in versions {
        out.extend_from_slice(&[major, minor]);
    }
    finish_pdu(out)
}

// ---------------------------------------------------------------------------------------------
// fault
// ---------------------------------------------------------------------------------------------

/// A fault (PTYPE 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    pub header: PduHeader,
    pub alloc_hint: u32,
    pub context_id: u16,
    /// Uninitialised junk on vlmcsd; do not rely on it.
    pub cancel_count: u8,
    /// MS: bit 0x01 = extended error information follows. Junk on vlmcsd.
    pub fault_flags: u8,
    pub status: u32,
}

impl Fault {
    pub fn status_name(&self) -> Option<&'static str> {
        fault_status_name(self.status)
    }

    pub fn did_not_execute(&self) -> bool {
        self.header.flags & PFC_DID_NOT_EXECUTE != 0
    }
}

/// Decode a fault. Needs the status (offset 24..28); the trailing reserved word that normally
/// makes it 32 bytes is not required.
pub fn decode_fault(bytes: &[u8]) -> Result<Fault, WireError> {
    let (header, mut r) = open_pdu(bytes, "fault", &[PTYPE_FAULT], 28)?;
    Ok(Fault {
        header,
        alloc_hint: r.u32("alloc_hint")?,
        context_id: r.u16("p_cont_id")?,
        cancel_count: r.u8("cancel_count")?,
        fault_flags: r.u8("fault flags")?,
        status: r.u32("status")?,
    })
}

// ---------------------------------------------------------------------------------------------
// Top level
// ---------------------------------------------------------------------------------------------

/// What a server answered to a bind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerPdu {
    /// bind_ack or alter_context_resp (see `header.ptype`).
    BindAck(BindAck),
    BindNak(BindNak),
    Fault(Fault),
    /// A valid DCE/RPC header of another type (`header.ptype`); body not decoded.
    Other {
        header: PduHeader,
    },
}

/// Decode one server PDU from the start of `bytes` (which must hold frag_length bytes).
pub fn decode_server_pdu(bytes: &[u8]) -> Result<ServerPdu, WireError> {
    let header = decode_pdu_header(bytes)?;
    match header.ptype {
        PTYPE_BIND_ACK | PTYPE_ALTER_CONTEXT_RESP => decode_bind_ack(bytes).map(ServerPdu::BindAck),
        PTYPE_BIND_NAK => decode_bind_nak(bytes).map(ServerPdu::BindNak),
        PTYPE_FAULT => decode_fault(bytes).map(ServerPdu::Fault),
        _ => Ok(ServerPdu::Other { header }),
    }
}
