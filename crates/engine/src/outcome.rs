//! The result model: what a run produced. The engine builds a [`Report`]; renderers (the report
//! crate) and the commands read it, and `diff` reads recorded ones back ([`Report::from_json`]).
//! It lives here, under the checks, because the engine fills it in and the layers point one way
//! (engine → checks → report). Messages are ids with arguments ([`Message`]); only the report
//! crate turns them into sentences, so the JSON form (with the rendered `message`) is written
//! there too.

use std::borrow::Cow;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use kms_preflight_message::{Args, Message};

use crate::model::EvidenceSet;

/// The verdict of one result. Ordered from best to worst for summaries.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Skip,
    Warn,
    Fail,
    Error,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Pass,
        Status::Warn,
        Status::Fail,
        Status::Skip,
        Status::Error,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Skip => "skip",
            Status::Error => "error",
        }
    }

    /// True for the statuses that say something is wrong (fail, warn, error).
    pub fn is_problem(&self) -> bool {
        matches!(self, Status::Fail | Status::Warn | Status::Error)
    }
}

/// What the engine itself records on a finding, whatever the kind: why it was skipped, and
/// the attempts of a rule with `retries`. Written into the result's `evidence` object after
/// the kind's own keys.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct RunEvidence {
    /// The prerequisite that did not pass (the job was skipped).
    #[serde(default)]
    pub prerequisite: Option<String>,
    /// Which attempt this result is, of how many the rule allows.
    #[serde(default)]
    pub attempt: Option<u32>,
    #[serde(default)]
    pub max_attempts: Option<u32>,
    /// Earlier attempts that failed (a flaky path).
    #[serde(default)]
    pub earlier_attempts: Vec<EarlierAttempt>,
    /// Passed only on a later attempt.
    #[serde(default)]
    pub flaky: Option<bool>,
}

impl RunEvidence {
    pub fn is_empty(&self) -> bool {
        *self == RunEvidence::default()
    }
}

/// One failed attempt before the one reported.
#[derive(Debug, Clone, PartialEq)]
pub struct EarlierAttempt {
    pub attempt: u32,
    pub status: Status,
    pub message: Message,
}

impl<'de> Deserialize<'de> for EarlierAttempt {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Recorded {
            attempt: u32,
            status: Status,
            #[serde(default)]
            message: String,
            message_id: Option<String>,
            args: Option<Args>,
        }
        let r = Recorded::deserialize(d)?;
        Ok(EarlierAttempt {
            attempt: r.attempt,
            status: r.status,
            message: recorded_message(r.message_id, r.args, r.message),
        })
    }
}

/// A message as a report recorded it: by id when it has one, else its sentence.
fn recorded_message(id: Option<String>, args: Option<Args>, text: String) -> Message {
    match id {
        Some(id) => Message {
            id: Cow::Owned(id),
            args: args.map(|a| a.0).unwrap_or_default(),
        },
        None => Message::recorded(text),
    }
}

/// One result: a check, for one target (domain or host), address and source.
#[derive(Debug, Clone)]
pub struct Outcome<E> {
    pub id: String,
    pub kind: String,
    pub title: String,
    /// The domain for domain-scoped checks, `host:port` for host-scoped checks, null for `once`.
    pub target: Option<String>,
    pub address: Option<String>,
    pub source: Option<String>,
    pub status: Status,
    pub message: Message,
    pub remediation: Option<Message>,
    pub error_codes: Vec<String>,
    /// What the check measured, typed by its kind.
    pub evidence: E,
    /// What the engine added (prerequisite, attempts).
    pub run: RunEvidence,
    pub duration_ms: u64,
}

/// How many results ended in each status.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, JsonSchema)]
pub struct Summary {
    pub total: usize,
    pub pass: usize,
    pub warn: usize,
    pub fail: usize,
    pub skip: usize,
    pub error: usize,
}

impl Summary {
    pub fn of<E>(results: &[Outcome<E>]) -> Summary {
        let mut s = Summary {
            total: results.len(),
            ..Default::default()
        };
        for r in results {
            match r.status {
                Status::Pass => s.pass += 1,
                Status::Warn => s.warn += 1,
                Status::Fail => s.fail += 1,
                Status::Skip => s.skip += 1,
                Status::Error => s.error += 1,
            }
        }
        s
    }
}

/// A whole run.
#[derive(Debug, Clone)]
pub struct Report<E> {
    pub schema: &'static str,
    /// The kms-preflight version that wrote it.
    pub version: String,
    pub started_at: String,
    pub duration_ms: u64,
    /// The `--profile` the run used (absent in reports written before profiles existed).
    pub profile: Option<String>,
    pub domains: Vec<String>,
    pub dns_servers: Vec<String>,
    pub sources: Vec<String>,
    pub targets: Vec<ReportTarget>,
    pub results: Vec<Outcome<E>>,
    pub summary: Summary,
    /// The Windows clients' own outputs the run followed (`--client-state`), as read; empty
    /// without that option. The verdict per client product is computed from them and the
    /// results by the report layer.
    pub clients: Vec<kms_preflight_client::ClientState>,
}

/// A host the run checked.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ReportTarget {
    /// `host:port` (`[v6]:port`).
    pub target: String,
    #[serde(default)]
    pub host: String,
    #[serde(default)]
    pub port: u16,
    /// Why it was checked: `--host`, `--new-host`, `SRV _vlmcs._tcp.<domain>`; in a sweep
    /// report `sweep: <service>`.
    #[serde(default)]
    pub origins: Vec<String>,
}

pub const SCHEMA: &str = "kms-preflight/report/v1";

impl<E> Report<E> {
    /// A report of no run: nothing checked, nothing found.
    pub fn empty() -> Report<E> {
        Report {
            schema: SCHEMA,
            version: env!("CARGO_PKG_VERSION").to_string(),
            started_at: String::new(),
            duration_ms: 0,
            profile: None,
            domains: Vec::new(),
            dns_servers: Vec::new(),
            sources: Vec::new(),
            targets: Vec::new(),
            results: Vec::new(),
            summary: Summary::default(),
            clients: Vec::new(),
        }
    }

    /// Exit code contract: 0 nothing failed (warnings allowed), 1 at least one fail.
    /// `error` results (the tool could not decide) also give 1: nothing may pass unseen.
    pub fn exit_code(&self) -> i32 {
        if self.summary.fail > 0 || self.summary.error > 0 {
            1
        } else {
            0
        }
    }
}

/// Why a recorded report cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordedError {
    /// Not JSON at all.
    NotJson(String),
    /// No `schema` key of a kms-preflight report.
    NotAReport,
    /// A report of another schema version.
    OtherSchema(String),
    /// A result with a status that is not pass/warn/fail/skip/error.
    UnknownStatus { id: String, status: String },
    /// A key of the wrong shape.
    Malformed(String),
}

impl<E: EvidenceSet> Report<E> {
    /// Reads a report written by `check --format json` (by this version or an earlier v1
    /// writer: results without `message_id` keep their recorded sentence). Unknown keys are
    /// ignored, so reports of newer v1 writers still read.
    pub fn from_json(text: &str) -> Result<Report<E>, RecordedError> {
        Report::from_json_with(text, |_| true)
    }

    /// [`Report::from_json`], keeping the recorded sentence of a message that `renders` says
    /// cannot be rendered (an id, or arguments, of a newer writer than the reader's catalog).
    pub fn from_json_with(
        text: &str,
        renders: impl Fn(&Message) -> bool,
    ) -> Result<Report<E>, RecordedError> {
        let recorded = |id: Option<String>, args: Option<Args>, text: String| {
            let m = recorded_message(id, args, text.clone());
            if m.is_verbatim() || renders(&m) {
                m
            } else {
                Message::recorded(text)
            }
        };
        let v: serde_json::Value =
            serde_json::from_str(text).map_err(|e| RecordedError::NotJson(e.to_string()))?;
        let schema = v.get("schema").and_then(|s| s.as_str()).unwrap_or("");
        if schema != SCHEMA {
            return Err(if schema.starts_with("kms-preflight/report/") {
                RecordedError::OtherSchema(schema.to_string())
            } else {
                RecordedError::NotAReport
            });
        }
        if let Some(results) = v.get("results").and_then(|r| r.as_array()) {
            for r in results {
                let status = r.get("status").and_then(|s| s.as_str()).unwrap_or("");
                if !Status::ALL.iter().any(|s| s.as_str() == status) {
                    return Err(RecordedError::UnknownStatus {
                        id: r
                            .get("id")
                            .and_then(|i| i.as_str())
                            .unwrap_or("?")
                            .to_string(),
                        status: status.to_string(),
                    });
                }
            }
        }
        // The clients as the report's `client_state` recorded them; one of another shape
        // (a newer writer) is left out rather than refusing the whole report.
        let clients = v
            .get("client_state")
            .and_then(|c| c.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|c| serde_json::from_value(c.get("client")?.clone()).ok())
                    .collect()
            })
            .unwrap_or_default();
        let raw: RecordedReport =
            serde_json::from_value(v).map_err(|e| RecordedError::Malformed(e.to_string()))?;
        let mut results = Vec::with_capacity(raw.results.len());
        for mut r in raw.results {
            // A result recorded without evidence measured nothing.
            if r.evidence.is_null() {
                r.evidence = serde_json::Value::Object(Default::default());
            }
            let run = serde_json::from_value::<RunEvidence>(r.evidence.clone())
                .map_err(|e| RecordedError::Malformed(format!("result {}: {e}", r.id)))?;
            let evidence = E::from_recorded(&r.kind, strip_run_keys(r.evidence))
                .map_err(|e| RecordedError::Malformed(format!("result {}: {e}", r.id)))?;
            let remediation = match (r.remediation_id, r.remediation) {
                (Some(id), text) => Some(recorded(
                    Some(id),
                    r.remediation_args,
                    text.unwrap_or_default(),
                )),
                (None, Some(text)) => Some(Message::recorded(text)),
                (None, None) => None,
            };
            results.push(Outcome {
                message: recorded(r.message_id, r.args, r.message),
                id: r.id,
                kind: r.kind,
                title: r.title,
                target: r.target,
                address: r.address,
                source: r.source,
                status: r.status,
                remediation,
                error_codes: r.error_codes,
                evidence,
                run,
                duration_ms: r.duration_ms,
            });
        }
        let summary = Summary::of(&results);
        Ok(Report {
            schema: SCHEMA,
            version: raw.version,
            started_at: raw.started_at,
            duration_ms: raw.duration_ms,
            profile: raw.profile,
            domains: raw.domains,
            dns_servers: raw.dns_servers,
            sources: raw.sources,
            targets: raw.targets,
            results,
            summary,
            clients,
        })
    }
}

/// The evidence object without the keys [`RunEvidence`] owns.
fn strip_run_keys(mut v: serde_json::Value) -> serde_json::Value {
    if let Some(m) = v.as_object_mut() {
        for k in RUN_KEYS {
            m.remove(*k);
        }
    }
    if v.is_null() {
        v = serde_json::Value::Object(Default::default());
    }
    v
}

/// The evidence keys the engine writes ([`RunEvidence`]).
pub const RUN_KEYS: &[&str] = &[
    "prerequisite",
    "attempt",
    "max_attempts",
    "earlier_attempts",
    "flaky",
];

#[derive(Deserialize)]
struct RecordedReport {
    #[serde(default)]
    version: String,
    #[serde(default)]
    started_at: String,
    #[serde(default)]
    duration_ms: u64,
    #[serde(default)]
    profile: Option<String>,
    #[serde(default)]
    domains: Vec<String>,
    #[serde(default)]
    dns_servers: Vec<String>,
    #[serde(default)]
    sources: Vec<String>,
    #[serde(default)]
    targets: Vec<ReportTarget>,
    results: Vec<RecordedOutcome>,
}

#[derive(Deserialize)]
struct RecordedOutcome {
    id: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    target: Option<String>,
    #[serde(default)]
    address: Option<String>,
    #[serde(default)]
    source: Option<String>,
    status: Status,
    #[serde(default)]
    message: String,
    #[serde(default)]
    message_id: Option<String>,
    #[serde(default)]
    args: Option<Args>,
    #[serde(default)]
    remediation: Option<String>,
    #[serde(default)]
    remediation_id: Option<String>,
    #[serde(default)]
    remediation_args: Option<Args>,
    #[serde(default)]
    error_codes: Vec<String>,
    #[serde(default)]
    evidence: serde_json::Value,
    #[serde(default)]
    duration_ms: u64,
}
