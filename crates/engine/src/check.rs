//! The contract between the engine and the check kinds: a kind implements [`Check`], gets a
//! [`CheckContext`] for each job and answers with [`Finding`]s. The engine knows nothing else
//! about kinds, and nothing here knows a protocol.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::time::Duration;

use serde_json::{Map, Value};
use serde_saphyr::{Location, Spanned};

pub use kms_preflight_net::memo::RunMemo;
pub use kms_preflight_net::source::Source;

use crate::outcome::Status;
use crate::rules::{Scope, Vars};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A KMS host to check: from `--host` or from an SRV answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Host name without trailing dot, lower case; or an IP address literal.
    pub host: String,
    pub port: u16,
    /// Where it came from, e.g. `--host` or `SRV _vlmcs._tcp.corp.test`.
    pub origins: Vec<String>,
}

impl Target {
    pub fn label(&self) -> String {
        match self.host.parse::<IpAddr>() {
            Ok(IpAddr::V6(_)) => format!("[{}]:{}", self.host, self.port),
            _ => format!("{}:{}", self.host, self.port),
        }
    }
}

/// Settings from the command line that checks need and the engine only passes along.
#[derive(Debug, Clone, Default)]
pub struct RunSettings {
    /// DNS servers to ask, in order. Empty means the system configuration could not be read.
    pub dns_servers: Vec<SocketAddr>,
    /// True when `dns_servers` came from `--dns`, false when from the system configuration.
    pub dns_from_cli: bool,
    /// The DNS domains searched, in order (what a client's suffix list would give).
    pub search_domains: Vec<String>,
    /// Where `search_domains` came from: `--domain`, `--suffix` or the system search list.
    pub search_origin: String,
    /// What this run has learnt about the network (dead DNS servers, peers that answered),
    /// shared by its jobs. Opaque to the engine, which gives every run a fresh one.
    pub memo: RunMemo,
}

/// Everything a check needs to run one job.
pub struct CheckContext<'a> {
    pub vars: &'a Vars,
    pub domain: Option<&'a str>,
    pub target: Option<&'a Target>,
    pub source: Option<&'a Source>,
    /// Per network operation (one connect, one DNS query).
    pub timeout: Duration,
    pub settings: &'a RunSettings,
    /// Facts published by the checks this one `requires`, for the same target and source.
    pub prior: &'a Map<String, Value>,
}

/// One result line of a check.
#[derive(Debug, Clone)]
pub struct Finding {
    pub status: Status,
    pub message: String,
    pub address: Option<String>,
    /// Windows error codes this finding predicts; empty means "use the rule's `explains`".
    pub error_codes: Vec<String>,
    pub evidence: Map<String, Value>,
    /// Remediation specific to this finding; used when the rule has none.
    pub remediation: Option<String>,
}

impl Finding {
    pub fn new(status: Status, message: impl Into<String>) -> Self {
        Finding {
            status,
            message: message.into(),
            address: None,
            error_codes: Vec::new(),
            evidence: Map::new(),
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
    pub fn evidence(mut self, key: &str, v: impl Into<Value>) -> Self {
        self.evidence.insert(key.to_string(), v.into());
        self
    }
    pub fn remediation(mut self, r: impl Into<String>) -> Self {
        self.remediation = Some(r.into());
        self
    }
}

/// What a job produced.
#[derive(Debug, Default)]
pub struct CheckOutput {
    pub findings: Vec<Finding>,
    /// Facts for checks that require this one (e.g. `addresses`).
    pub facts: Map<String, Value>,
    /// KMS hosts found (SRV discovery); the engine adds them to the targets.
    pub discovered: Vec<Target>,
}

impl CheckOutput {
    pub fn one(f: Finding) -> Self {
        CheckOutput {
            findings: vec![f],
            ..Default::default()
        }
    }
}

/// A check kind's behaviour. Small on purpose: the engine knows nothing else about kinds.
/// `Any` lets a caller that knows a kind read its parameters (`&dyn Check` upcasts to
/// `&dyn Any`): the sweep reads the `srv-inventory` lists that way.
pub trait Check: std::any::Any + Send + Sync + std::fmt::Debug {
    fn default_scope(&self) -> Scope;
    fn default_timeout(&self) -> Duration {
        Duration::from_secs(3)
    }
    /// Longest a job may take given the per-operation timeout, before the engine stops it.
    fn budget(&self, timeout: Duration, settings: &RunSettings) -> Duration {
        let _ = settings;
        timeout * 2 + Duration::from_secs(1)
    }
    /// Templated parameters, checked for undefined variables at load time.
    fn templates(&self) -> Vec<&Spanned<String>> {
        Vec::new()
    }
    /// Kind-specific semantic checks of the parameters (location and message).
    fn validate(&self) -> Vec<(Location, String)> {
        Vec::new()
    }
    /// True for kinds whose `CheckOutput::discovered` adds KMS hosts (SRV discovery). The engine
    /// starts per-host checks once these are done, and ignores `discovered` from other kinds.
    fn discovers(&self) -> bool {
        false
    }
    /// Evidence keys that remediation text may use as `{{name}}`.
    fn evidence_vars(&self) -> &'static [&'static str] {
        &[]
    }
    fn run<'a>(&'a self, ctx: &'a CheckContext<'a>) -> BoxFuture<'a, CheckOutput>;
}

/// Renders a templated parameter for a job; a failure becomes the job's `error` finding.
pub fn render_param(t: &Spanned<String>, vars: &Vars) -> Result<String, Finding> {
    crate::rules::template::render(&t.value, vars)
        .map_err(|e| Finding::new(Status::Error, format!("cannot fill in {:?}: {e}", t.value)))
}

/// Renders a templated port number.
pub fn render_port(t: &Spanned<String>, vars: &Vars) -> Result<u16, Finding> {
    let s = render_param(t, vars)?;
    s.trim()
        .parse::<u16>()
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| {
            Finding::new(
                Status::Error,
                format!(
                    "port {:?} is {s:?}, not a TCP port number (1-65535)",
                    t.value
                ),
            )
        })
}

/// Validation helper: a literal (placeholder-free) port must be in range.
pub fn validate_port(t: &Spanned<String>) -> Option<(Location, String)> {
    if t.value.contains("{{") {
        return None;
    }
    match t.value.trim().parse::<u16>() {
        Ok(p) if p != 0 => None,
        _ => Some((
            t.referenced,
            format!("port '{}' is not a TCP port number (1-65535)", t.value),
        )),
    }
}

/// Validation helper: a keyword parameter must be one of `allowed`.
pub fn validate_choice(
    t: &Spanned<String>,
    key: &str,
    allowed: &[&str],
) -> Option<(Location, String)> {
    (!allowed.contains(&t.value.as_str())).then(|| {
        (
            t.referenced,
            format!("{key} '{}' must be {}", t.value, allowed.join(" or ")),
        )
    })
}
