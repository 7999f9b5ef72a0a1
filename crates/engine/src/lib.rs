//! kms-preflight's engine: the contract check kinds implement ([`check`]), the rule loader
//! ([`rules`], given the registry of kinds by its caller), the concurrent runner ([`runner`])
//! and the result model ([`outcome`]).
//!
//! It knows no protocol: it plans (check × domain/host × source) jobs, runs them under their
//! budgets and the run's deadline, and collects findings. Kinds live in the checks crate,
//! above this one; the loader reaches them only through [`rules::KindRegistry`], and the types
//! a run moves around (sources, settings, facts, evidence) are the checks crate's, through
//! [`Model`]. Everything it says is a [`kms_preflight_message::Message`]; the report crate
//! renders it.

pub mod check;
pub mod model;
pub mod outcome;
pub mod plan;
mod retry;
pub mod rules;
pub mod runner;
mod target;
#[cfg(test)]
mod testing;
pub mod traffic;

pub use check::{
    render_param, render_port, validate_choice, validate_port, validate_port_of, BoxFuture, Check,
    CheckContext, CheckOutput, Finding, Target,
};
pub use kms_preflight_message::{messages, Arg, Message, MessageSpec};
pub use model::{EvidenceSet, FactSet, Model};
pub use outcome::{
    EarlierAttempt, Outcome, RecordedError, Report, ReportTarget, RunEvidence, Status, Summary,
    RUN_KEYS, SCHEMA,
};
pub use runner::{run, RunOptions};

/// Every message the engine produces, for the catalog tests.
pub fn messages() -> Vec<MessageSpec> {
    [
        check::MESSAGES,
        retry::MESSAGES,
        runner::MESSAGES,
        rules::MESSAGES,
    ]
    .concat()
}
