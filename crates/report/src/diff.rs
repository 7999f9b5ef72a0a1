//! `kms-preflight diff BEFORE.json AFTER.json`: what got better or worse between two runs.
//!
//! Works on the JSON reports (schema `kms-preflight/report/v1`), not on live data, so a report
//! attached to a change ticket before the change can be compared with one taken after.
//! Results are keyed by (check id, target, address, source). Statuses are ranked
//! pass < warn = skip < fail = error: a rise in rank is a regression, a fall is a fix, and a
//! result that only exists after the change counts as a regression when it is a problem.
//! Evidence is compared only for keys that mean something to an operator (addresses, SRV
//! sets, connect results, DNS answer classes, clock offsets, a sweep's service, publication
//! and PTR names), never timings.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use kms_preflight_checks::evidence;

use super::markdown::cell;

pub const DIFF_SCHEMA: &str = "kms-preflight/diff/v1";

/// The parts of a report the diff reads. Unknown fields are ignored so that reports from
/// newer v1 writers (extra fields are compatible) still compare.
#[derive(Debug, Clone, Deserialize)]
pub struct ReportIn {
    pub schema: String,
    #[serde(default)]
    pub started_at: String,
    #[serde(default)]
    pub profile: Option<String>,
    #[serde(default)]
    pub targets: Vec<TargetIn>,
    pub results: Vec<ResultIn>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TargetIn {
    pub target: String,
    #[serde(default)]
    pub origins: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ResultIn {
    pub id: String,
    pub target: Option<String>,
    pub address: Option<String>,
    pub source: Option<String>,
    pub status: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub evidence: Map<String, Value>,
}

/// Reads a report file's text; the error says what is wrong with it.
pub fn parse_report(name: &str, text: &str) -> Result<ReportIn, String> {
    let v: Value =
        serde_json::from_str(text).map_err(|e| format!("{name}: not a JSON document: {e}"))?;
    let schema = v.get("schema").and_then(Value::as_str).unwrap_or("");
    if schema != super::SCHEMA {
        return Err(if schema.starts_with("kms-preflight/report/") {
            format!(
                "{name}: report schema {schema} is not supported; this kms-preflight reads {}",
                super::SCHEMA
            )
        } else {
            format!(
                "{name}: not a kms-preflight report (no \"schema\": \"{}\"); write one with `kms-preflight check --format json > {name}`",
                super::SCHEMA
            )
        });
    }
    let r: ReportIn = serde_json::from_value(v).map_err(|e| format!("{name}: {e}"))?;
    for res in &r.results {
        if rank(&res.status).is_none() {
            return Err(format!(
                "{name}: result {} has unknown status {:?}",
                res.id, res.status
            ));
        }
    }
    Ok(r)
}

fn rank(status: &str) -> Option<u8> {
    Some(match status {
        "pass" => 0,
        "warn" | "skip" => 1,
        "fail" | "error" => 2,
        _ => return None,
    })
}

fn is_problem(status: &str) -> bool {
    matches!(status, "fail" | "error" | "warn")
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Key {
    pub id: String,
    pub target: Option<String>,
    pub address: Option<String>,
    pub source: Option<String>,
}

impl Key {
    fn of(r: &ResultIn) -> Key {
        Key {
            id: r.id.clone(),
            target: r.target.clone(),
            address: r.address.clone(),
            source: r.source.clone(),
        }
    }
    pub fn label(&self) -> String {
        let mut s = format!(
            "{} {}",
            self.id,
            self.target.as_deref().unwrap_or("general")
        );
        if let Some(a) = &self.address {
            s.push(' ');
            s.push_str(a);
        }
        if let Some(src) = &self.source {
            s.push_str(" from ");
            s.push_str(src);
        }
        s
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Change {
    #[serde(flatten)]
    pub key: Key,
    /// Null when the result did not exist in that report.
    pub before: Option<String>,
    pub after: Option<String>,
    pub before_message: Option<String>,
    pub after_message: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvidenceChange {
    #[serde(flatten)]
    pub key: Key,
    pub field: String,
    pub before: Value,
    pub after: Value,
    /// For set-like fields: what appeared and disappeared.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub added: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Side {
    pub file: String,
    pub started_at: String,
    pub profile: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub schema: &'static str,
    pub before: Side,
    pub after: Side,
    pub regressions: Vec<Change>,
    pub fixes: Vec<Change>,
    /// Same rank, different status (warn ↔ skip, fail ↔ error).
    pub changed: Vec<Change>,
    /// Results only in AFTER that are not problems (problems are regressions).
    pub new_results: Vec<Change>,
    /// Results only in BEFORE.
    pub removed_results: Vec<Change>,
    pub hosts_added: Vec<String>,
    pub hosts_removed: Vec<String>,
    pub evidence_changes: Vec<EvidenceChange>,
}

impl Diff {
    /// 1 when anything regressed, else 0.
    pub fn exit_code(&self) -> i32 {
        i32::from(!self.regressions.is_empty())
    }
}

/// Evidence keys compared, and how.
enum Compare {
    /// A list whose order does not matter.
    Set,
    /// A single value.
    Value,
    /// A number in seconds (or ms when the key ends in `_ms`); only changes of at least 1 s.
    Offset,
}

/// Keys compared whatever the kind: PTR names (`ptr`, a sweep listener's), what answered on a
/// port (a sweep's `service`), how it compares with DNS (`published`, a sweep's and
/// `srv-inventory`'s).
const PTR: &str = "ptr";
const SERVICE: &str = "service";
const PUBLISHED: &str = "published";

fn compare_kind(key: &str) -> Option<Compare> {
    match key {
        evidence::ADDRESSES | evidence::REACHABLE | evidence::RECORDS | evidence::TARGETS | PTR => {
            Some(Compare::Set)
        }
        evidence::RESULT
        | evidence::RCODE
        | evidence::PORT
        | evidence::EXPECTED_PORT
        | SERVICE
        | PUBLISHED => Some(Compare::Value),
        k if k.contains("offset") => Some(Compare::Offset),
        _ => None,
    }
}

/// A set member as text: SRV records without their TTL (TTLs count down between runs).
fn member(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(o) if o.contains_key("target") && o.contains_key("port") => format!(
            "{}:{} priority {} weight {}",
            o["target"].as_str().unwrap_or("?"),
            o["port"],
            o.get("priority").cloned().unwrap_or(Value::Null),
            o.get("weight").cloned().unwrap_or(Value::Null)
        ),
        other => other.to_string(),
    }
}

fn set_of(v: &Value) -> BTreeSet<String> {
    match v {
        Value::Array(a) => a.iter().map(member).collect(),
        Value::Null => BTreeSet::new(),
        other => std::iter::once(member(other)).collect(),
    }
}

fn evidence_changes(key: &Key, before: &ResultIn, after: &ResultIn) -> Vec<EvidenceChange> {
    let mut fields: BTreeSet<&String> = before.evidence.keys().collect();
    fields.extend(after.evidence.keys());
    let mut out = Vec::new();
    for field in fields {
        let Some(how) = compare_kind(field) else {
            continue;
        };
        let b = before.evidence.get(field).cloned().unwrap_or(Value::Null);
        let a = after.evidence.get(field).cloned().unwrap_or(Value::Null);
        let (changed, added, removed) = match how {
            Compare::Set => {
                let (sb, sa) = (set_of(&b), set_of(&a));
                let added: Vec<String> = sa.difference(&sb).cloned().collect();
                let removed: Vec<String> = sb.difference(&sa).cloned().collect();
                (!added.is_empty() || !removed.is_empty(), added, removed)
            }
            Compare::Value => (a != b, Vec::new(), Vec::new()),
            Compare::Offset => {
                let scale = if field.ends_with("_ms") { 1000.0 } else { 1.0 };
                let changed = match (b.as_f64(), a.as_f64()) {
                    (Some(x), Some(y)) => ((y - x) / scale).abs() >= 1.0,
                    (None, None) => false,
                    _ => true,
                };
                (changed, Vec::new(), Vec::new())
            }
        };
        if changed {
            out.push(EvidenceChange {
                key: key.clone(),
                field: field.clone(),
                before: b,
                after: a,
                added,
                removed,
            });
        }
    }
    out
}

fn change(key: &Key, b: Option<&ResultIn>, a: Option<&ResultIn>) -> Change {
    Change {
        key: key.clone(),
        before: b.map(|r| r.status.clone()),
        after: a.map(|r| r.status.clone()),
        before_message: b.map(|r| r.message.clone()),
        after_message: a.map(|r| r.message.clone()),
    }
}

/// Host targets (`host:port`), i.e. targets that are not domains.
fn hosts(r: &ReportIn) -> Vec<String> {
    r.targets.iter().map(|t| t.target.clone()).collect()
}

pub fn diff(before_name: &str, before: &ReportIn, after_name: &str, after: &ReportIn) -> Diff {
    let index = |r: &ReportIn| -> (Vec<Key>, HashMap<Key, usize>) {
        let mut order = Vec::new();
        let mut map = HashMap::new();
        for (i, res) in r.results.iter().enumerate() {
            let k = Key::of(res);
            // Several findings with one key: keep the worst, it decides the verdict.
            match map.get(&k) {
                Some(&j) => {
                    let prev: &ResultIn = &r.results[j];
                    if rank(&res.status) > rank(&prev.status) {
                        map.insert(k, i);
                    }
                }
                None => {
                    order.push(k.clone());
                    map.insert(k, i);
                }
            }
        }
        (order, map)
    };
    let (b_order, b_map) = index(before);
    let (a_order, a_map) = index(after);
    let mut d = Diff {
        schema: DIFF_SCHEMA,
        before: Side {
            file: before_name.to_string(),
            started_at: before.started_at.clone(),
            profile: before.profile.clone(),
        },
        after: Side {
            file: after_name.to_string(),
            started_at: after.started_at.clone(),
            profile: after.profile.clone(),
        },
        regressions: Vec::new(),
        fixes: Vec::new(),
        changed: Vec::new(),
        new_results: Vec::new(),
        removed_results: Vec::new(),
        hosts_added: Vec::new(),
        hosts_removed: Vec::new(),
        evidence_changes: Vec::new(),
    };
    // A result without an address on one side and with addresses on the other is the same
    // check for the same target and source: e.g. tcp.port passed per address before, and is
    // skipped (no address) after its prerequisite failed. Pair them instead of reporting a
    // removal and an unrelated new result. The worst of several addressed results counts.
    let same_job = |x: &Key, y: &Key| x.id == y.id && x.target == y.target && x.source == y.source;
    let mut consumed: Vec<Key> = Vec::new();
    for k in &a_order {
        let a = &after.results[a_map[k]];
        let b: Option<&ResultIn> = match b_map.get(k) {
            Some(&i) => Some(&before.results[i]),
            None => {
                let partners: Vec<&Key> = b_order
                    .iter()
                    .filter(|bk| !a_map.contains_key(*bk) && same_job(bk, k))
                    .filter(|bk| bk.address.is_none() != k.address.is_none())
                    .collect();
                consumed.extend(partners.iter().map(|p| (*p).clone()));
                partners
                    .iter()
                    .map(|p| &before.results[b_map[*p]])
                    .max_by_key(|r| rank(&r.status))
            }
        };
        match b {
            None if is_problem(&a.status) => d.regressions.push(change(k, None, Some(a))),
            None => d.new_results.push(change(k, None, Some(a))),
            Some(b) => {
                let (rb, ra) = (rank(&b.status), rank(&a.status));
                if ra > rb {
                    d.regressions.push(change(k, Some(b), Some(a)));
                } else if ra < rb {
                    d.fixes.push(change(k, Some(b), Some(a)));
                } else if a.status != b.status {
                    d.changed.push(change(k, Some(b), Some(a)));
                }
                // A skipped check measured nothing: its missing evidence is not a change.
                if a.status != "skip" && b.status != "skip" {
                    d.evidence_changes.extend(evidence_changes(k, b, a));
                }
            }
        }
    }
    for k in &b_order {
        if !a_map.contains_key(k) && !consumed.contains(k) {
            d.removed_results
                .push(change(k, Some(&before.results[b_map[k]]), None));
        }
    }
    let (hb, ha) = (hosts(before), hosts(after));
    d.hosts_added = ha.iter().filter(|h| !hb.contains(h)).cloned().collect();
    d.hosts_removed = hb.iter().filter(|h| !ha.contains(h)).cloned().collect();
    d
}

fn status_pair(c: &Change) -> String {
    format!(
        "{} → {}",
        c.before.as_deref().unwrap_or("(none)"),
        c.after.as_deref().unwrap_or("(none)")
    )
}

fn evidence_text(e: &EvidenceChange) -> String {
    if !e.added.is_empty() || !e.removed.is_empty() {
        let mut parts = Vec::new();
        for r in &e.removed {
            parts.push(format!("-{r}"));
        }
        for a in &e.added {
            parts.push(format!("+{a}"));
        }
        parts.join(", ")
    } else {
        format!("{} → {}", e.before, e.after)
    }
}

pub fn render_text(d: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "kms-preflight diff: {} ({}) → {} ({})",
        d.before.file, d.before.started_at, d.after.file, d.after.started_at
    );
    if d.before.profile != d.after.profile {
        let _ = writeln!(
            out,
            "note: the runs used different profiles ({} → {}); results that only one profile checks show up as new or removed",
            d.before.profile.as_deref().unwrap_or("default"),
            d.after.profile.as_deref().unwrap_or("default")
        );
    }
    let section = |out: &mut String, title: &str, list: &[Change], with_msg: bool| {
        if list.is_empty() {
            return;
        }
        let _ = writeln!(out, "\n{title} ({})", list.len());
        for c in list {
            let _ = writeln!(out, "  {:<16} {}", status_pair(c), c.key.label());
            if with_msg {
                if let Some(m) = c.after_message.as_ref().or(c.before_message.as_ref()) {
                    let _ = writeln!(out, "  {:<16} {m}", "");
                }
            }
        }
    };
    section(&mut out, "REGRESSED", &d.regressions, true);
    section(&mut out, "FIXED", &d.fixes, true);
    section(&mut out, "CHANGED", &d.changed, true);
    section(&mut out, "NEW", &d.new_results, false);
    section(&mut out, "REMOVED", &d.removed_results, false);
    if !d.hosts_added.is_empty() || !d.hosts_removed.is_empty() {
        let _ = writeln!(out, "\nHOSTS");
        for h in &d.hosts_added {
            let _ = writeln!(out, "  + {h}");
        }
        for h in &d.hosts_removed {
            let _ = writeln!(out, "  - {h}");
        }
    }
    if !d.evidence_changes.is_empty() {
        let _ = writeln!(out, "\nEVIDENCE ({})", d.evidence_changes.len());
        for e in &d.evidence_changes {
            let _ = writeln!(out, "  {} {}: {}", e.key.label(), e.field, evidence_text(e));
        }
    }
    let _ = writeln!(
        out,
        "\n{} regressed, {} fixed, {} changed, {} new, {} removed, {} host(s) added, {} removed, {} evidence change(s) — {}",
        d.regressions.len(),
        d.fixes.len(),
        d.changed.len(),
        d.new_results.len(),
        d.removed_results.len(),
        d.hosts_added.len(),
        d.hosts_removed.len(),
        d.evidence_changes.len(),
        if d.regressions.is_empty() {
            "no regression"
        } else {
            "REGRESSED"
        }
    );
    out
}

pub fn render_json(d: &Diff) -> String {
    let mut s = serde_json::to_string_pretty(d).expect("diff is plain data");
    s.push('\n');
    s
}

pub fn render_markdown(d: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# KMS pre-flight: before/after\n");
    let _ = writeln!(
        out,
        "**{}** — {} regressed, {} fixed, {} changed; hosts +{} −{}\n",
        if d.regressions.is_empty() {
            "No regression"
        } else {
            "REGRESSED"
        },
        d.regressions.len(),
        d.fixes.len(),
        d.changed.len(),
        d.hosts_added.len(),
        d.hosts_removed.len()
    );
    let _ = writeln!(out, "| | Before | After |\n|---|---|---|");
    let _ = writeln!(
        out,
        "| Report | {} | {} |",
        cell(&d.before.file),
        cell(&d.after.file)
    );
    let _ = writeln!(
        out,
        "| Started | {} | {} |",
        cell(&d.before.started_at),
        cell(&d.after.started_at)
    );
    let table = |out: &mut String, title: &str, list: &[Change]| {
        if list.is_empty() {
            return;
        }
        let _ = writeln!(out, "\n## {title}\n");
        let _ = writeln!(out, "| Result | Before | After | Now |\n|---|---|---|---|");
        for c in list {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                cell(&c.key.label()),
                c.before.as_deref().unwrap_or("—"),
                c.after.as_deref().unwrap_or("—"),
                cell(
                    c.after_message
                        .as_deref()
                        .or(c.before_message.as_deref())
                        .unwrap_or("")
                )
            );
        }
    };
    table(&mut out, "Regressions", &d.regressions);
    table(&mut out, "Fixes", &d.fixes);
    table(&mut out, "Changed", &d.changed);
    table(&mut out, "New results", &d.new_results);
    table(&mut out, "Removed results", &d.removed_results);
    if !d.hosts_added.is_empty() || !d.hosts_removed.is_empty() {
        let _ = writeln!(out, "\n## Hosts\n");
        for h in &d.hosts_added {
            let _ = writeln!(out, "- added `{h}`");
        }
        for h in &d.hosts_removed {
            let _ = writeln!(out, "- removed `{h}`");
        }
    }
    if !d.evidence_changes.is_empty() {
        let _ = writeln!(out, "\n## Evidence\n");
        let _ = writeln!(out, "| Result | Field | Change |\n|---|---|---|");
        for e in &d.evidence_changes {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                cell(&e.key.label()),
                cell(&e.field),
                cell(&evidence_text(e))
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn report(results: Value, targets: Value) -> ReportIn {
        parse_report(
            "t.json",
            &json!({"schema": "kms-preflight/report/v1", "started_at": "x", "targets": targets, "results": results})
                .to_string(),
        )
        .unwrap()
    }

    fn res(id: &str, target: &str, addr: Option<&str>, status: &str, evidence: Value) -> Value {
        json!({"id": id, "target": target, "address": addr, "source": null, "status": status,
               "message": format!("{id} {status}"), "evidence": evidence})
    }

    #[test]
    fn classifies_regressions_fixes_hosts_and_evidence() {
        let before = report(
            json!([
                res(
                    "srv.present",
                    "corp.test",
                    None,
                    "pass",
                    json!({"records": [
                    {"target": "kms-old.corp.test", "port": 1688, "priority": 0, "weight": 0, "ttl": 300}]})
                ),
                res(
                    "tcp.port",
                    "kms-old.corp.test:1688",
                    Some("198.18.0.20"),
                    "pass",
                    json!({"result": "connected", "rtt_ms": 0.3})
                ),
                res(
                    "tcp.port",
                    "kms1.corp.test:1688",
                    Some("198.18.0.10"),
                    "fail",
                    json!({"result": "timeout"})
                ),
                res(
                    "resolve.host",
                    "kms1.corp.test:1688",
                    None,
                    "pass",
                    json!({"addresses": ["198.18.0.10"]})
                ),
            ]),
            json!([{"target": "kms-old.corp.test:1688"}, {"target": "kms1.corp.test:1688"}]),
        );
        let after = report(
            json!([
                res(
                    "srv.present",
                    "corp.test",
                    None,
                    "pass",
                    json!({"records": [
                    {"target": "kms-new.corp.test", "port": 1688, "priority": 0, "weight": 0, "ttl": 12}]})
                ),
                res(
                    "tcp.port",
                    "kms1.corp.test:1688",
                    Some("198.18.0.10"),
                    "pass",
                    json!({"result": "connected", "rtt_ms": 9.0})
                ),
                res(
                    "resolve.host",
                    "kms1.corp.test:1688",
                    None,
                    "pass",
                    json!({"addresses": ["198.18.0.10", "198.18.0.11"]})
                ),
                res(
                    "tcp.port",
                    "kms-new.corp.test:1688",
                    Some("198.18.0.30"),
                    "fail",
                    json!({"result": "refused"})
                ),
                res(
                    "resolve.host",
                    "kms-new.corp.test:1688",
                    None,
                    "pass",
                    json!({})
                ),
            ]),
            json!([{"target": "kms1.corp.test:1688"}, {"target": "kms-new.corp.test:1688"}]),
        );
        let d = diff("before.json", &before, "after.json", &after);
        assert_eq!(d.regressions.len(), 1, "{d:#?}");
        assert_eq!(
            d.regressions[0].key.target.as_deref(),
            Some("kms-new.corp.test:1688")
        );
        assert_eq!(d.regressions[0].before, None);
        assert_eq!(d.fixes.len(), 1);
        assert_eq!(d.fixes[0].key.id, "tcp.port");
        assert_eq!(d.new_results.len(), 1);
        assert_eq!(d.removed_results.len(), 1);
        assert_eq!(d.hosts_added, ["kms-new.corp.test:1688"]);
        assert_eq!(d.hosts_removed, ["kms-old.corp.test:1688"]);
        let fields: Vec<(&str, &str)> = d
            .evidence_changes
            .iter()
            .map(|e| (e.key.id.as_str(), e.field.as_str()))
            .collect();
        // rtt_ms and the SRV TTL are not differences that matter.
        assert_eq!(
            fields,
            [
                ("srv.present", "records"),
                ("tcp.port", "result"),
                ("resolve.host", "addresses")
            ]
        );
        assert_eq!(
            d.evidence_changes[0].added,
            ["kms-new.corp.test:1688 priority 0 weight 0"]
        );
        assert_eq!(
            d.evidence_changes[0].removed,
            ["kms-old.corp.test:1688 priority 0 weight 0"]
        );
        assert_eq!(d.exit_code(), 1);
        let text = render_text(&d);
        assert!(text.contains("REGRESSED (1)"), "{text}");
        assert!(
            text.contains("-kms-old.corp.test:1688 priority 0 weight 0, +kms-new.corp.test:1688")
        );
    }

    #[test]
    fn an_addressed_pass_that_becomes_a_skip_is_paired_not_removed() {
        let b = report(
            json!([
                res(
                    "kms.rpc-bind",
                    "h:1688",
                    Some("198.18.0.30"),
                    "pass",
                    json!({})
                ),
                res(
                    "kms.rpc-bind",
                    "h:1688",
                    Some("fd00::30"),
                    "pass",
                    json!({})
                ),
            ]),
            json!([{"target": "h:1688"}]),
        );
        let a = report(
            json!([res("kms.rpc-bind", "h:1688", None, "skip", json!({}))]),
            json!([{"target": "h:1688"}]),
        );
        let d = diff("b", &b, "a", &a);
        assert_eq!(d.regressions.len(), 1, "{d:#?}");
        assert_eq!(d.regressions[0].before.as_deref(), Some("pass"));
        assert_eq!(d.regressions[0].after.as_deref(), Some("skip"));
        assert!(
            d.removed_results.is_empty() && d.new_results.is_empty(),
            "{d:#?}"
        );
        // And back: the skip turning into addressed passes is a fix.
        let d = diff("a", &a, "b", &b);
        assert_eq!(d.fixes.len(), 2, "{d:#?}");
        assert!(
            d.removed_results.is_empty() && d.new_results.is_empty(),
            "{d:#?}"
        );
    }

    #[test]
    fn sweep_evidence_compares_service_publication_and_ptr_not_rtt() {
        let b = report(
            json!([res(
                "sweep.port",
                "198.18.2.11:1688",
                Some("198.18.2.11"),
                "warn",
                json!({"service": "kms", "published": "rogue", "ptr": ["pc1.corp.test"], "rtt_ms": 0.4})
            )]),
            json!([{"target": "198.18.2.11:1688"}]),
        );
        let a = report(
            json!([res(
                "sweep.port",
                "198.18.2.11:1688",
                Some("198.18.2.11"),
                "warn",
                json!({"service": "silent", "published": "not-published", "ptr": ["pc2.corp.test"], "rtt_ms": 9.0})
            )]),
            json!([{"target": "198.18.2.11:1688"}]),
        );
        let d = diff("b", &b, "a", &a);
        let fields: Vec<&str> = d
            .evidence_changes
            .iter()
            .map(|e| e.field.as_str())
            .collect();
        assert_eq!(fields, ["ptr", "published", "service"], "{d:#?}");
        assert_eq!(d.evidence_changes[0].added, ["pc2.corp.test"]);
    }

    #[test]
    fn identical_reports_have_no_differences() {
        let r = report(
            json!([res(
                "tcp.port",
                "h:1688",
                Some("198.18.0.1"),
                "warn",
                json!({"offset_ms": 100.0})
            )]),
            json!([{"target": "h:1688"}]),
        );
        let d = diff("a", &r, "b", &r);
        assert_eq!(d.exit_code(), 0);
        assert!(d.regressions.is_empty() && d.fixes.is_empty() && d.evidence_changes.is_empty());
    }

    #[test]
    fn offsets_count_from_one_second() {
        let b = report(
            json!([res(
                "clock",
                "h:1688",
                None,
                "pass",
                json!({"offset_ms": 100.0})
            )]),
            json!([]),
        );
        let a = report(
            json!([res(
                "clock",
                "h:1688",
                None,
                "pass",
                json!({"offset_ms": 900.0})
            )]),
            json!([]),
        );
        assert!(diff("a", &b, "b", &a).evidence_changes.is_empty());
        let a = report(
            json!([res(
                "clock",
                "h:1688",
                None,
                "pass",
                json!({"offset_ms": 3700.0})
            )]),
            json!([]),
        );
        assert_eq!(diff("a", &b, "b", &a).evidence_changes.len(), 1);
    }

    #[test]
    fn rejects_other_documents_clearly() {
        assert!(parse_report("x.json", "{")
            .unwrap_err()
            .contains("not a JSON document"));
        assert!(parse_report("x.json", "{\"a\":1}")
            .unwrap_err()
            .contains("not a kms-preflight report"));
        assert!(parse_report(
            "x.json",
            "{\"schema\":\"kms-preflight/report/v9\",\"results\":[]}"
        )
        .unwrap_err()
        .contains("v9 is not supported"));
        let bad = json!({"schema": "kms-preflight/report/v1", "results": [{"id": "a", "target": null, "address": null, "source": null, "status": "great"}]});
        assert!(parse_report("x.json", &bad.to_string())
            .unwrap_err()
            .contains("unknown status"));
    }
}
