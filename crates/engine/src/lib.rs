//! kms-preflight's engine: the contract check kinds implement ([`check`]), the rule loader
//! ([`rules`], given the registry of kinds by its caller), the concurrent runner ([`runner`])
//! and the result model ([`outcome`]).
//!
//! It knows no protocol: it plans (check × domain/host × source) jobs, runs them under their
//! budgets and the run's deadline, and collects findings. Kinds live in the checks crate,
//! above this one; the loader reaches them only through [`rules::KindRegistry`].

pub mod check;
pub mod evidence;
pub mod outcome;
mod retry;
pub mod rules;
pub mod runner;

pub use check::{
    render_param, render_port, validate_choice, validate_port, BoxFuture, Check, CheckContext,
    CheckOutput, Finding, RunSettings, Source, Target,
};
pub use outcome::{Outcome, Report, ReportTarget, Status, Summary, SCHEMA};
pub use runner::{run, RunOptions};
