//! The contract between the engine and the check kinds: a kind implements [`Check`], gets a
//! [`CheckContext`] for each job and answers with [`Finding`]s. The engine knows nothing else
//! about kinds, and nothing here knows a protocol.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use serde_saphyr::{Location, Spanned};

use kms_preflight_message::Message;

use crate::model::Model;
use crate::outcome::{Outcome, RunEvidence, Status};
use crate::rules::{Scope, Vars};
pub use crate::target::Target;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where a job publishes facts before it ends ([`CheckContext::early`]).
pub type EarlyFacts<'a, M> = dyn Fn(&<M as Model>::Facts) + Send + Sync + 'a;

/// Everything a check needs to run one job.
pub struct CheckContext<'a, M: Model> {
    pub vars: &'a Vars,
    pub domain: Option<&'a str>,
    pub target: Option<&'a Target>,
    pub source: Option<&'a M::Source>,
    /// Per network operation (one connect, one DNS query); never more than the time left
    /// before `deadline` (a retry inherits the time left, not a fresh timeout).
    pub timeout: Duration,
    /// When the job's budget ends: the engine stops the job there, so a kind bounds its own
    /// waits by it to report what it saw instead of being cut off (docs/timeouts.md).
    pub deadline: tokio::time::Instant,
    pub settings: &'a M::Settings,
    /// Facts published by the checks this one `requires`, for the same target and source.
    pub prior: &'a M::Facts,
    /// Publishes facts before the job ends, so that the jobs requiring it may start while it
    /// still watches (the TCP check: the addresses that completed the handshake, during the
    /// hold). The engine keeps such a start only if the job's final facts are the same and it
    /// passes; otherwise the dependent is stopped and starts again, or is skipped, as it would
    /// have been. `None`: nobody waits early (a job that itself started early, or a test).
    pub early: Option<&'a EarlyFacts<'a, M>>,
}

impl<M: Model> CheckContext<'_, M> {
    /// Time left before the job's deadline (zero once it has passed).
    pub fn left(&self) -> Duration {
        self.deadline
            .saturating_duration_since(tokio::time::Instant::now())
    }
}

/// One result line of a check.
#[derive(Debug, Clone)]
pub struct Finding<E> {
    pub status: Status,
    pub message: Message,
    pub address: Option<String>,
    /// Windows error codes this finding predicts; empty means "use the rule's `explains`".
    pub error_codes: Vec<String>,
    /// What the check measured (`Default`: nothing).
    pub evidence: E,
    /// What the engine itself adds (a failed prerequisite, retries).
    pub run: RunEvidence,
    /// Remediation specific to this finding; used when the rule has none.
    pub remediation: Option<Message>,
}

impl<E: Default> Finding<E> {
    pub fn new(status: Status, message: impl Into<Message>) -> Self {
        Finding {
            status,
            message: message.into(),
            address: None,
            error_codes: Vec::new(),
            evidence: E::default(),
            run: RunEvidence::default(),
            remediation: None,
        }
    }
    pub fn address(mut self, a: impl Into<String>) -> Self {
        self.address = Some(a.into());
        self
    }
    pub fn codes(mut self, codes: &[&str]) -> Self {
        self.error_codes = codes.iter().map(|c| c.to_string()).collect();
        self
    }
    /// Attaches the kind's evidence.
    pub fn with(mut self, evidence: impl Into<E>) -> Self {
        self.evidence = evidence.into();
        self
    }
    pub fn remediation(mut self, r: impl Into<Message>) -> Self {
        self.remediation = Some(r.into());
        self
    }
}

/// What a job produced.
#[derive(Debug)]
pub struct CheckOutput<M: Model> {
    pub findings: Vec<Finding<M::Evidence>>,
    /// Facts for checks that require this one (e.g. the addresses of a host).
    pub facts: M::Facts,
    /// KMS hosts found (SRV discovery); the engine adds them to the targets.
    pub discovered: Vec<Target>,
}

impl<M: Model> Default for CheckOutput<M> {
    fn default() -> Self {
        CheckOutput {
            findings: Vec::new(),
            facts: M::Facts::default(),
            discovered: Vec::new(),
        }
    }
}

impl<M: Model> CheckOutput<M> {
    pub fn one(f: Finding<M::Evidence>) -> Self {
        CheckOutput {
            findings: vec![f],
            ..Default::default()
        }
    }
}

/// A check kind's behaviour. Small on purpose: the engine knows nothing else about kinds.
pub trait Check<M: Model>: Send + Sync + std::fmt::Debug {
    fn default_scope(&self) -> Scope;
    fn default_timeout(&self) -> Duration {
        Duration::from_secs(3)
    }
    /// Longest a job may take given the per-operation timeout, before the engine stops it.
    fn budget(&self, timeout: Duration, settings: &M::Settings) -> Duration {
        let _ = settings;
        timeout * 2 + Duration::from_secs(1)
    }
    /// The budget of one job, knowing the facts of its prerequisites: a kind that resolves
    /// its host itself when no prerequisite gave addresses needs the lookup's time on top,
    /// and only then. Default: [`Check::budget`].
    fn job_budget(&self, timeout: Duration, settings: &M::Settings, prior: &M::Facts) -> Duration {
        let _ = prior;
        self.budget(timeout, settings)
    }
    /// Templated parameters, checked for undefined variables at load time.
    fn templates(&self) -> Vec<&Spanned<String>> {
        Vec::new()
    }
    /// Kind-specific semantic checks of the parameters (location and message).
    fn validate(&self) -> Vec<(Location, Message)> {
        Vec::new()
    }
    /// True for kinds whose `CheckOutput::discovered` adds KMS hosts (SRV discovery). The engine
    /// starts per-host checks once these are done, and ignores `discovered` from other kinds.
    fn discovers(&self) -> bool {
        false
    }
    /// What this rule declares for other parts of the program (see [`Model::Declaration`]).
    fn declaration(&self) -> M::Declaration {
        M::Declaration::default()
    }
    /// Evidence keys that remediation text may use as `{{name}}`.
    fn evidence_vars(&self) -> &'static [&'static str] {
        &[]
    }
    fn run<'a>(&'a self, ctx: &'a CheckContext<'a, M>) -> BoxFuture<'a, CheckOutput<M>>;
    /// What one job of this rule sends, without sending it (`--plan`). A kind that sends
    /// nothing over the network keeps the default.
    fn plan(&self, ctx: &crate::plan::PlanContext<'_, M>) -> Vec<crate::plan::PlannedProbe> {
        let _ = ctx;
        Vec::new()
    }
    /// After the whole run, once per rule and in rule order: a kind whose results depend on
    /// what other rules found in the same run (jobs run concurrently, so only the finished
    /// run has them all) amends its own results here, those whose id is `id`. Default:
    /// nothing.
    fn post_pass(&self, id: &str, results: &mut [Outcome<M::Evidence>]) {
        let _ = (id, results);
    }
}

kms_preflight_message::messages! {
    /// cannot fill in {template}: {error}
    param_unfilled = "engine-param-unfilled" (template, error);
    /// port {template} is {value}, not a TCP port number (1-65535)
    port_not_a_number = "engine-port-not-a-number" (template, value);
    /// Rule validation: port '{value}' is not a {proto} port number (1-65535)
    port_invalid = "engine-port-invalid" (value, proto);
    /// Rule validation: {key} '{value}' must be {allowed} (joined by " or ")
    choice_invalid = "engine-choice-invalid" (key, value, allowed);
}

/// Renders a templated parameter for a job; a failure becomes the job's `error` finding.
pub fn render_param<E: Default>(t: &Spanned<String>, vars: &Vars) -> Result<String, Finding<E>> {
    crate::rules::template::render(&t.value, vars).map_err(|e| {
        Finding::new(
            Status::Error,
            param_unfilled(format!("{:?}", t.value), e.to_string()),
        )
    })
}

/// Renders a templated port number.
pub fn render_port<E: Default>(t: &Spanned<String>, vars: &Vars) -> Result<u16, Finding<E>> {
    let s = render_param(t, vars)?;
    s.trim()
        .parse::<u16>()
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| {
            Finding::new(
                Status::Error,
                port_not_a_number(format!("{:?}", t.value), format!("{s:?}")),
            )
        })
}

/// Validation helper: a literal (placeholder-free) TCP port must be in range.
pub fn validate_port(t: &Spanned<String>) -> Option<(Location, Message)> {
    validate_port_of(t, "TCP")
}

/// [`validate_port`] for a port of `proto` (`UDP`, `TCP`), named in the error.
pub fn validate_port_of(t: &Spanned<String>, proto: &'static str) -> Option<(Location, Message)> {
    if t.value.contains("{{") {
        return None;
    }
    match t.value.trim().parse::<u16>() {
        Ok(p) if p != 0 => None,
        _ => Some((t.referenced, port_invalid(t.value.as_str(), proto))),
    }
}

/// Validation helper: a keyword parameter must be one of `allowed`.
pub fn validate_choice(
    t: &Spanned<String>,
    key: &str,
    allowed: &[&str],
) -> Option<(Location, Message)> {
    (!allowed.contains(&t.value.as_str()))
        .then(|| (t.referenced, choice_invalid(key, t.value.as_str(), allowed)))
}
