//! Human-readable names of codes, for evidence and messages.

use super::ids::*;

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

/// Name of a PTYPE value.
pub fn ptype_name(ptype: u8) -> &'static str {
    match ptype {
        0 => "request",
        1 => "ping",
        2 => "response",
        3 => "fault",
        4 => "working",
        5 => "nocall",
        6 => "reject",
        7 => "ack",
        8 => "cl_cancel",
        9 => "fack",
        10 => "cancel_ack",
        11 => "bind",
        12 => "bind_ack",
        13 => "bind_nak",
        14 => "alter_context",
        15 => "alter_context_resp",
        16 => "auth3",
        17 => "shutdown",
        18 => "co_cancel",
        19 => "orphaned",
        20 => "rts",
        _ => "unknown",
    }
}

/// Name of a bind_ack result value.
pub fn result_name(result: u16) -> &'static str {
    match result {
        RESULT_ACCEPTANCE => "acceptance",
        RESULT_USER_REJECTION => "user_rejection",
        RESULT_PROVIDER_REJECTION => "provider_rejection",
        RESULT_NEGOTIATE_ACK => "negotiate_ack",
        _ => "unknown result",
    }
}

/// Name of a provider rejection reason (bind_ack result 1 or 2).
pub fn provider_reason_name(reason: u16) -> &'static str {
    match reason {
        REASON_NOT_SPECIFIED => "reason_not_specified",
        REASON_ABSTRACT_SYNTAX_NOT_SUPPORTED => "abstract_syntax_not_supported",
        REASON_TRANSFER_SYNTAXES_NOT_SUPPORTED => "proposed_transfer_syntaxes_not_supported",
        REASON_LOCAL_LIMIT_EXCEEDED => "local_limit_exceeded",
        _ => "unknown reason",
    }
}

/// Name of a bind_nak reject reason (C706 12.6.3.1, MS-RPCE 2.2.2.5).
pub fn bind_nak_reason_name(reason: u16) -> &'static str {
    match reason {
        0 => "reason_not_specified",
        1 => "temporary_congestion",
        2 => "local_limit_exceeded",
        3 => "called_paddr_unknown",
        4 => "protocol_version_not_supported",
        5 => "default_context_not_supported",
        6 => "user_data_not_readable",
        7 => "no_psap_available",
        8 => "authentication_type_not_recognized",
        9 => "invalid_checksum",
        _ => "unknown reason",
    }
}

/// Name of a fault status (NCA status or Win32 error) seen from RPC servers.
pub fn fault_status_name(status: u32) -> Option<&'static str> {
    Some(match status {
        0x0000_0005 => "access_denied",
        0x0000_06D8 => "nca_s_fault_cant_perform (EPT_S_CANT_PERFORM_OP)",
        0x0000_06F7 => "nca_s_fault_ndr (RPC_X_BAD_STUB_DATA)",
        0x1C00_0008 => "nca_s_rpc_version_mismatch",
        0x1C00_0009 => "nca_s_unspec_reject",
        0x1C00_001C => "nca_s_invalid_pres_context_id",
        0x1C00_001D => "nca_s_unsupported_authn_level",
        0x1C00_001F => "nca_s_invalid_checksum",
        0x1C00_0020 => "nca_s_invalid_crc",
        0x1C01_0001 => "nca_s_comm_failure",
        NCA_S_OP_RNG_ERROR => "nca_s_op_rng_error",
        NCA_S_UNK_IF => "nca_s_unk_if",
        0x1C01_0006 => "nca_s_wrong_boot_time",
        0x1C01_0009 => "nca_s_you_crashed",
        NCA_S_PROTO_ERROR => "nca_s_proto_error",
        0x1C01_0013 => "nca_s_out_args_too_big",
        0x1C01_0014 => "nca_s_server_too_busy",
        0x1C01_0017 => "nca_s_unsupported_type",
        _ => return None,
    })
}
