//! The result model: what a run produced. The engine builds a [`Report`]; renderers (the report
//! crate) and the commands read it. It lives here, under the checks, because the engine fills
//! it in and the layers point one way (engine → checks → report).

use serde::Serialize;
use serde_json::{Map, Value};

/// The verdict of one result. Ordered from best to worst for summaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Skip,
    Warn,
    Fail,
    Error,
}

impl Status {
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Skip => "skip",
            Status::Error => "error",
        }
    }
}

/// One result: a check, for one target (domain or host), address and source.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub id: String,
    pub kind: String,
    pub title: String,
    /// The domain for domain-scoped checks, `host:port` for host-scoped checks, null for `once`.
    pub target: Option<String>,
    pub address: Option<String>,
    pub source: Option<String>,
    pub status: Status,
    pub message: String,
    pub remediation: Option<String>,
    pub error_codes: Vec<String>,
    pub evidence: Map<String, Value>,
    pub duration_ms: u64,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub total: usize,
    pub pass: usize,
    pub warn: usize,
    pub fail: usize,
    pub skip: usize,
    pub error: usize,
}

impl Summary {
    pub fn of(results: &[Outcome]) -> Summary {
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
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema: &'static str,
    pub version: &'static str,
    pub started_at: String,
    pub duration_ms: u64,
    /// The `--profile` the run used (absent in reports written before profiles existed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    pub domains: Vec<String>,
    pub dns_servers: Vec<String>,
    pub sources: Vec<String>,
    pub targets: Vec<ReportTarget>,
    pub results: Vec<Outcome>,
    pub summary: Summary,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportTarget {
    pub target: String,
    pub host: String,
    pub port: u16,
    pub origins: Vec<String>,
}

pub const SCHEMA: &str = "kms-preflight/report/v1";

impl Report {
    /// A report of no run: nothing checked, nothing found.
    pub fn empty() -> Report {
        Report {
            schema: SCHEMA,
            version: env!("CARGO_PKG_VERSION"),
            started_at: String::new(),
            duration_ms: 0,
            profile: None,
            domains: Vec::new(),
            dns_servers: Vec::new(),
            sources: Vec::new(),
            targets: Vec::new(),
            results: Vec::new(),
            summary: Summary::default(),
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
