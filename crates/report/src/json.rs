//! `--format json`: one document, schema `kms-preflight/report/v1`: the report's fields, then
//! the additive `verdict` object ([`super::verdict`]), computed from the results.
//!
//! Each result carries its sentence in the chosen language (`message`, `remediation`) and the
//! same as data (`message_id` and `args`, `remediation_id` and `remediation_args`), so a consumer
//! can match or re-render it without parsing prose. The JSON Schema of the document is
//! generated from these types ([`schema`]) and committed as `schema/report.v1.schema.json`.

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use kms_preflight_engine::{EarlierAttempt, Message, RunEvidence};

use super::catalog::{Catalog, Lang};
use super::verdict_model::Verdict;
use super::{Evidence, Outcome, Report, ReportTarget, Status, Summary, SCHEMA};

/// A message's arguments as the JSON object they are (see `kms_preflight_message::Args`).
type ArgsJson = serde_json::Map<String, Value>;

fn args_of(m: &Message) -> ArgsJson {
    match serde_json::to_value(m.args_map()) {
        Ok(Value::Object(o)) => o,
        _ => ArgsJson::new(),
    }
}

/// The report as written.
#[derive(Serialize, JsonSchema)]
#[schemars(
    title = "kms-preflight report, schema kms-preflight/report/v1",
    description = "Output of `kms-preflight check --format json` and `kms-preflight sweep --format json` (and the input of `kms-preflight diff`). Within v1 fields are only added, never removed or changed in meaning; readers must ignore fields they do not know (e.g. `diagnosis`, added by `diagnose --format json`). A breaking change gets kms-preflight/report/v2 and a new schema file."
)]
pub struct ReportJson<'a> {
    /// Always `kms-preflight/report/v1`.
    #[schemars(extend("const" = SCHEMA))]
    pub schema: &'a str,
    /// The kms-preflight version that wrote it.
    pub version: &'a str,
    /// When the run started (RFC 3339, UTC).
    pub started_at: &'a str,
    pub duration_ms: u64,
    /// The `--profile` the run used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<&'a str>,
    /// The DNS domains searched.
    pub domains: &'a [String],
    /// The DNS servers asked (`address:port`).
    pub dns_servers: &'a [String],
    /// `--source`/`--interface`; empty: the OS chose the source.
    pub sources: &'a [String],
    pub targets: &'a [ReportTarget],
    pub results: Vec<ResultJson<'a>>,
    pub summary: &'a Summary,
    /// The client's-eye answer computed from `results` (docs/verdict.md), after every field of
    /// the report itself; absent in reports written before the verdict existed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    /// `--client-state`: one object per input, the client model as read (`client`, with what
    /// was not found in `client.missing`) and the verdict of each of its products; absent
    /// without that option.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_state: Option<Vec<super::client::ClientInputJson>>,
}

/// One result.
#[derive(Serialize, JsonSchema)]
#[schemars(transform = ids_optional)]
pub struct ResultJson<'a> {
    /// The check id (`tcp.port`).
    pub id: &'a str,
    /// The check kind (`tcp`), which decides the shape of `evidence`; `sweep` for every result
    /// of a sweep (ids sweep.port, sweep.published, sweep.summary); `unavailable` for a check
    /// the profile or diagnose asked for that this build or rule set lacks (status skip).
    pub kind: &'a str,
    pub title: &'a str,
    /// The domain for domain-scoped checks, `host:port` for host-scoped checks, null for `once`.
    pub target: Option<&'a str>,
    pub address: Option<&'a str>,
    pub source: Option<&'a str>,
    pub status: Status,
    /// The sentence, in the report's language.
    pub message: String,
    /// The catalog id of `message` (stable across languages and versions; absent in reports
    /// written before message ids existed).
    pub message_id: &'a str,
    /// The arguments of `message`.
    pub args: ArgsJson,
    /// What to do, in the report's language (problems only).
    pub remediation: Option<String>,
    /// The catalog id of `remediation` (`user-text`: the rule's own text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation_args: Option<ArgsJson>,
    /// Windows activation error codes the problem would cause.
    #[schemars(inner(regex(pattern = r"^0x[0-9A-F]{8}$")))]
    pub error_codes: &'a [String],
    /// What the check measured (keys by kind), then what the engine added.
    pub evidence: EvidenceJson<'a>,
    pub duration_ms: u64,
}

/// A result's evidence: the kind's own keys (their shape by `kind`), then the engine's. Open:
/// a kind's keys may grow within v1.
#[derive(Serialize, JsonSchema)]
pub struct EvidenceJson<'a> {
    #[serde(flatten)]
    #[schemars(with = "serde_json::Map<String, Value>")]
    pub measured: &'a Evidence,
    #[serde(flatten)]
    pub run: RunJson<'a>,
}

/// What the engine records on any result.
#[derive(Serialize, JsonSchema, Default)]
pub struct RunJson<'a> {
    /// The prerequisite that did not pass (the result is a skip).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prerequisite: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempt: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub earlier_attempts: Vec<EarlierJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flaky: Option<bool>,
}

/// A failed attempt before the reported one.
#[derive(Serialize, JsonSchema)]
#[schemars(transform = ids_optional)]
pub struct EarlierJson<'a> {
    pub attempt: u32,
    pub status: Status,
    pub message: String,
    pub message_id: &'a str,
    pub args: ArgsJson,
}

fn run_json<'a>(run: &'a RunEvidence, cat: &Catalog) -> RunJson<'a> {
    RunJson {
        prerequisite: run.prerequisite.as_deref(),
        attempt: run.attempt,
        max_attempts: run.max_attempts,
        earlier_attempts: run
            .earlier_attempts
            .iter()
            .map(|e: &'a EarlierAttempt| EarlierJson {
                attempt: e.attempt,
                status: e.status,
                message: cat.text(&e.message),
                message_id: &e.message.id,
                args: args_of(&e.message),
            })
            .collect(),
        flaky: run.flaky,
    }
}

/// One result as written.
pub fn result_json<'a>(r: &'a Outcome, cat: &Catalog) -> ResultJson<'a> {
    ResultJson {
        id: &r.id,
        kind: &r.kind,
        title: &r.title,
        target: r.target.as_deref(),
        address: r.address.as_deref(),
        source: r.source.as_deref(),
        status: r.status,
        message: cat.text(&r.message),
        message_id: &r.message.id,
        args: args_of(&r.message),
        remediation: r.remediation.as_ref().map(|m| cat.text(m)),
        remediation_id: r.remediation.as_ref().map(|m| m.id.as_ref()),
        remediation_args: r.remediation.as_ref().map(args_of),
        error_codes: &r.error_codes,
        evidence: EvidenceJson {
            measured: &r.evidence,
            run: run_json(&r.run, cat),
        },
        duration_ms: r.duration_ms,
    }
}

/// The report's own fields as written (no verdict).
pub fn report_json<'a>(report: &'a Report, cat: &Catalog) -> ReportJson<'a> {
    ReportJson {
        schema: report.schema,
        version: &report.version,
        started_at: &report.started_at,
        duration_ms: report.duration_ms,
        profile: report.profile.as_deref(),
        domains: &report.domains,
        dns_servers: &report.dns_servers,
        sources: &report.sources,
        targets: &report.targets,
        results: report.results.iter().map(|r| result_json(r, cat)).collect(),
        summary: &report.summary,
        verdict: None,
        client_state: None,
    }
}

/// The report as JSON, with the verdict added after every field of the report itself.
pub fn to_value(report: &Report, lang: Lang) -> Value {
    let cat = Catalog::get(lang);
    let doc = ReportJson {
        verdict: Some(super::verdict::verdict_in(report, lang)),
        client_state: super::client::json(report, lang),
        ..report_json(report, cat)
    };
    serde_json::to_value(doc).expect("report is plain data")
}

pub fn render(report: &Report, lang: Lang) -> String {
    let mut s =
        serde_json::to_string_pretty(&to_value(report, lang)).expect("report is plain data");
    s.push('\n');
    s
}

/// The JSON Schema of the document [`render`] writes, generated from the types above (draft
/// 2020-12), committed as `schema/report.v1.schema.json` (tests/rules_schema.rs keeps the two
/// equal). It also describes the reports earlier v1 writers recorded: `message_id`/`args`
/// are optional, and evidence objects are open (the keys of a kind may grow within v1).
pub fn schema() -> schemars::Schema {
    let mut gen = schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator();
    let kinds = kms_preflight_checks::evidence_schemas(&mut gen);
    let mut root = gen.root_schema_for::<ReportJson>();
    root.insert("$id".into(), SCHEMA_ID.into());
    relax_evidence(&mut root, &kinds);
    // The shape of `evidence` follows `kind`: one if/then per kind with a type of its own.
    let by_kind: Vec<Value> = kinds
        .into_iter()
        .map(|(kind, evidence)| {
            serde_json::json!({
                "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                "then": {"properties": {"evidence": evidence}}
            })
        })
        .collect();
    if let Some(result) = root
        .get_mut("$defs")
        .and_then(|d| d.get_mut("ResultJson"))
        .and_then(Value::as_object_mut)
    {
        result.insert("allOf".into(), Value::Array(by_kind));
    }
    root
}

/// Evidence says what each key means and holds, but requires none and forbids none: reports
/// of earlier v1 writers lack keys added since (a connect's `attempts`, a DNS attempt's
/// `elapsed_ms`), and the engine writes its own keys (`prerequisite`, `attempt`, …) into every
/// kind's object. So every definition reachable from a kind's evidence loses `required` and a
/// closed `additionalProperties`.
fn relax_evidence(root: &mut schemars::Schema, kinds: &[(&'static str, schemars::Schema)]) {
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    if let Some(name) = r.strip_prefix("#/$defs/") {
                        out.push(name.to_string());
                    }
                }
                m.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    fn relax(v: &mut Value) {
        match v {
            Value::Object(m) => {
                m.remove("required");
                if m.get("additionalProperties") == Some(&Value::Bool(false)) {
                    m.remove("additionalProperties");
                }
                m.values_mut().for_each(relax);
            }
            Value::Array(a) => a.iter_mut().for_each(relax),
            _ => {}
        }
    }
    let mut todo = Vec::new();
    for (_, s) in kinds {
        refs(s.as_value(), &mut todo);
    }
    let Some(defs) = root.get_mut("$defs").and_then(Value::as_object_mut) else {
        return;
    };
    let mut seen = std::collections::BTreeSet::new();
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(d) = defs.get_mut(&name) {
            refs(d, &mut todo);
            relax(d);
        }
    }
}

/// Where the schema says it lives (it is not served anywhere: the id only names it).
pub const SCHEMA_ID: &str = "https://kms-preflight.invalid/schema/report.v1.schema.json";

/// Reports of earlier v1 writers have no `message_id` and `args`: the schema does not require
/// them (this writer always writes both).
fn ids_optional(s: &mut schemars::Schema) {
    if let Some(Value::Array(required)) = s.get_mut("required") {
        required.retain(|r| r != "message_id" && r != "args");
    }
}
