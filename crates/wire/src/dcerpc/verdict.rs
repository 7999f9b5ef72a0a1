//! What an answer means for the KMS interface.

use super::bind::*;
use super::ids::*;

// ---------------------------------------------------------------------------------------------
// Interpretation
// ---------------------------------------------------------------------------------------------

/// The result for one offered context, paired with what was offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextOutcome {
    pub context_id: u16,
    pub abstract_syntax: SyntaxId,
    pub result: ContextResult,
}

/// Whether a bind_ack lets us call the KMS interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KmsBindVerdict {
    /// A KMS context was accepted; send requests on `context_id` marshalled with
    /// `transfer_syntax` (NDR32 preferred when several are accepted).
    Accepted {
        context_id: u16,
        transfer_syntax: SyntaxId,
    },
    /// No KMS context was accepted; every offered context with its answer.
    Rejected { outcomes: Vec<ContextOutcome> },
    /// The server answered a different number of results than contexts offered.
    ResultCountMismatch { offered: usize, answered: usize },
}

/// Pair each offered context with its result (by position, as C706 requires).
pub fn context_outcomes(bind: &BindRequest, ack: &BindAck) -> Vec<ContextOutcome> {
    bind.contexts
        .iter()
        .zip(&ack.results)
        .map(|(ctx, res)| ContextOutcome {
            context_id: ctx.context_id,
            abstract_syntax: ctx.abstract_syntax,
            result: *res,
        })
        .collect()
}

/// Decide whether the KMS interface was accepted and with which transfer syntax.
/// A BTFN answer (result 3) is never a usable context.
pub fn kms_bind_verdict(bind: &BindRequest, ack: &BindAck) -> KmsBindVerdict {
    if bind.contexts.len() != ack.results.len() {
        return KmsBindVerdict::ResultCountMismatch {
            offered: bind.contexts.len(),
            answered: ack.results.len(),
        };
    }
    let outcomes = context_outcomes(bind, ack);
    let usable = |o: &&ContextOutcome| {
        o.abstract_syntax.uuid == KMS_INTERFACE_UUID && o.result.is_accepted()
    };
    let best = outcomes
        .iter()
        .filter(usable)
        .find(|o| o.result.transfer_syntax.uuid == NDR32_UUID)
        .or_else(|| outcomes.iter().find(usable));
    match best {
        Some(o) => KmsBindVerdict::Accepted {
            context_id: o.context_id,
            transfer_syntax: o.result.transfer_syntax,
        },
        None => KmsBindVerdict::Rejected { outcomes },
    }
}
