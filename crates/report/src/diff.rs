//! `kms-preflight diff BEFORE.json AFTER.json`: what got better or worse between two runs.
//!
//! Works on the JSON reports (schema `kms-preflight/report/v1`), not on live data, so a report
//! attached to a change ticket before the change can be compared with one taken after. Both
//! are read into the same [`Report`] the renderers use ([`read_report`]).
//! Results are keyed by (check id, target, address, source). Statuses are ranked
//! pass < warn = skip < fail = error: a rise in rank is a regression, a fall is a fix, and a
//! result that only exists after the change counts as a regression when it is a problem.
//! Evidence is compared only for keys that mean something to an operator (addresses, SRV
//! sets, connect results, DNS answer classes, clock offsets, a sweep's service, publication
//! and PTR names), never timings. It is compared on the evidence as a report writes it, so the
//! comparison holds whatever type each kind's evidence has.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;

use serde::Serialize;
use serde_json::{Map, Value};

use kms_preflight_engine::{Message, RecordedError, Status};

use super::markdown::cell;
use super::{pad, Catalog, Lang, Outcome, Report};

pub const DIFF_SCHEMA: &str = "kms-preflight/diff/v1";

kms_preflight_engine::messages! {
    /// {file}: cannot read: {error}
    cannot_read = "diff-cannot-read" (file, error);
    /// {file}: not a JSON document: {error}
    not_json = "diff-not-json" (file, error);
    /// {file}: not a kms-preflight report (no "schema": "{schema}"); write one with …
    not_a_report = "diff-not-a-report" (file, schema);
    /// {file}: report schema {schema} is not supported; this kms-preflight reads {supported}
    other_schema = "diff-other-schema" (file, schema, supported);
    /// {file}: result {id} has unknown status {status} (quoted)
    unknown_status = "diff-unknown-status" (file, id, status);
    /// {file}: {error}
    malformed = "diff-malformed" (file, error);

    /// general (a result without a target)
    key_general = "diff-key-general" ();
    /// {key} from {source}
    key_from = "diff-key-from" (key, source);
    /// (none): no such result in that report
    no_result = "diff-no-result" ();
    /// default: a report without a profile
    no_profile = "diff-no-profile" ();

    /// kms-preflight diff: {before} ({before_started}) → {after} ({after_started})
    text_heading = "diff-text-heading" (before, before_started, after, after_started);
    /// note: the runs used different profiles ({before} → {after}); …
    profiles_differ = "diff-profiles-differ" (before, after);
    /// REGRESSED
    text_regressed = "diff-text-regressed" ();
    /// FIXED
    text_fixed = "diff-text-fixed" ();
    /// CHANGED
    text_changed = "diff-text-changed" ();
    /// NEW
    text_new = "diff-text-new" ();
    /// REMOVED
    text_removed = "diff-text-removed" ();
    /// HOSTS
    text_hosts = "diff-text-hosts" ();
    /// EVIDENCE
    text_evidence = "diff-text-evidence" ();
    /// {regressed} regressed, {fixed} fixed, … — {outcome}
    text_summary = "diff-text-summary" (regressed, fixed, changed, new, removed, hosts_added, hosts_removed, evidence, outcome);
    /// no regression
    text_no_regression = "diff-text-no-regression" ();

    /// KMS pre-flight: before/after
    md_title = "diff-md-title" ();
    /// No regression
    md_no_regression = "diff-md-no-regression" ();
    /// REGRESSED
    md_regressed = "diff-md-regressed" ();
    /// {regressed} regressed, {fixed} fixed, {changed} changed; hosts +{hosts_added} −{hosts_removed}
    md_counts = "diff-md-counts" (regressed, fixed, changed, hosts_added, hosts_removed);
    /// Before
    md_before = "diff-md-before" ();
    /// After
    md_after = "diff-md-after" ();
    /// Report
    md_report = "diff-md-report" ();
    /// Started
    md_started = "diff-md-started" ();
    /// Result
    md_result = "diff-md-result" ();
    /// Now
    md_now = "diff-md-now" ();
    /// Regressions
    md_regressions = "diff-md-regressions" ();
    /// Fixes
    md_fixes = "diff-md-fixes" ();
    /// Changed
    md_changed = "diff-md-changed" ();
    /// New results
    md_new = "diff-md-new" ();
    /// Removed results
    md_removed = "diff-md-removed" ();
    /// Hosts
    md_hosts = "diff-md-hosts" ();
    /// added `{host}`
    md_host_added = "diff-md-host-added" (host);
    /// removed `{host}`
    md_host_removed = "diff-md-host-removed" (host);
    /// Evidence
    md_evidence = "diff-md-evidence" ();
    /// Field
    md_field = "diff-md-field" ();
    /// Change
    md_change = "diff-md-change" ();
}

/// Reads a report file's text (`name` is how errors name it). A message recorded with an id
/// this build cannot render (a newer writer's) keeps its recorded sentence.
pub fn read_report(name: &str, text: &str) -> Result<Report, Message> {
    let en = Catalog::get(Lang::En);
    Report::from_json_with(text, |m| en.try_text(m).is_ok()).map_err(|e| match e {
        RecordedError::NotJson(e) => not_json(name, e),
        RecordedError::NotAReport => not_a_report(name, super::SCHEMA),
        RecordedError::OtherSchema(schema) => other_schema(name, schema, super::SCHEMA),
        RecordedError::UnknownStatus { id, status } => {
            unknown_status(name, id, format!("{status:?}"))
        }
        RecordedError::Malformed(e) => malformed(name, e),
    })
}

/// The error for a report file that cannot be read at all.
pub fn unreadable(name: &str, error: &std::io::Error) -> Message {
    cannot_read(name, error.to_string())
}

/// The rank of a status: a rise is a regression, a fall a fix.
fn rank(status: Status) -> u8 {
    match status {
        Status::Pass => 0,
        Status::Warn | Status::Skip => 1,
        Status::Fail | Status::Error => 2,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Key {
    pub id: String,
    pub target: Option<String>,
    pub address: Option<String>,
    pub source: Option<String>,
}

impl Key {
    fn of(r: &Outcome) -> Key {
        Key {
            id: r.id.clone(),
            target: r.target.clone(),
            address: r.address.clone(),
            source: r.source.clone(),
        }
    }

    /// `id target [address] [from source]`, in `lang`.
    pub fn label(&self, lang: Lang) -> String {
        let cat = Catalog::get(lang);
        let mut s = format!(
            "{} {}",
            self.id,
            self.target
                .clone()
                .unwrap_or_else(|| cat.text(&key_general()))
        );
        if let Some(a) = &self.address {
            s.push(' ');
            s.push_str(a);
        }
        match &self.source {
            Some(src) => cat.text(&key_from(s, src)),
            None => s,
        }
    }
}

/// A result whose status changed (or that exists on one side only).
#[derive(Debug, Clone)]
pub struct Change {
    pub key: Key,
    /// None when the result did not exist in that report.
    pub before: Option<Status>,
    pub after: Option<Status>,
    pub before_message: Option<Message>,
    pub after_message: Option<Message>,
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

#[derive(Debug, Clone)]
pub struct Diff {
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

/// How an evidence key is compared.
enum Compare {
    /// A list whose order does not matter.
    Set,
    /// A single value.
    Value,
    /// A number in seconds (or ms when the key ends in `_ms`); only changes of at least 1 s.
    Offset,
}

/// Evidence keys that are sets: addresses, reachable addresses, SRV records and targets, a
/// sweep's PTR names.
const SET_KEYS: &[&str] = &["addresses", "reachable", "records", "targets", "ptr"];

/// Evidence keys compared as one value: connect results, DNS answer classes, ports, a sweep's
/// service and publication.
const VALUE_KEYS: &[&str] = &[
    "result",
    "rcode",
    "port",
    "expected_port",
    "service",
    "published",
];

fn compare_kind(key: &str) -> Option<Compare> {
    if SET_KEYS.contains(&key) {
        Some(Compare::Set)
    } else if VALUE_KEYS.contains(&key) {
        Some(Compare::Value)
    } else if key.contains("offset") {
        Some(Compare::Offset)
    } else {
        None
    }
}

/// A result's evidence as its report writes it (the kind's keys, then the engine's).
fn evidence_of(r: &Outcome) -> Map<String, Value> {
    let cat = Catalog::get(Lang::En);
    match serde_json::to_value(super::json::result_json(r, cat).evidence) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
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

fn evidence_changes(key: &Key, before: &Outcome, after: &Outcome) -> Vec<EvidenceChange> {
    let (eb, ea) = (evidence_of(before), evidence_of(after));
    let mut fields: BTreeSet<&String> = eb.keys().collect();
    fields.extend(ea.keys());
    let mut out = Vec::new();
    for field in fields {
        let Some(how) = compare_kind(field) else {
            continue;
        };
        let b = eb.get(field).cloned().unwrap_or(Value::Null);
        let a = ea.get(field).cloned().unwrap_or(Value::Null);
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

fn change(key: &Key, b: Option<&Outcome>, a: Option<&Outcome>) -> Change {
    Change {
        key: key.clone(),
        before: b.map(|r| r.status),
        after: a.map(|r| r.status),
        before_message: b.map(|r| r.message.clone()),
        after_message: a.map(|r| r.message.clone()),
    }
}

/// Host targets (`host:port`), i.e. targets that are not domains.
fn hosts(r: &Report) -> Vec<String> {
    r.targets.iter().map(|t| t.target.clone()).collect()
}

pub fn diff(before_name: &str, before: &Report, after_name: &str, after: &Report) -> Diff {
    let index = |r: &Report| -> (Vec<Key>, HashMap<Key, usize>) {
        let mut order = Vec::new();
        let mut map = HashMap::new();
        for (i, res) in r.results.iter().enumerate() {
            let k = Key::of(res);
            // Several findings with one key: keep the worst, it decides the verdict.
            match map.get(&k) {
                Some(&j) => {
                    let prev: &Outcome = &r.results[j];
                    if rank(res.status) > rank(prev.status) {
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
    let side = |name: &str, r: &Report| Side {
        file: name.to_string(),
        started_at: r.started_at.clone(),
        profile: r.profile.clone(),
    };
    let mut d = Diff {
        before: side(before_name, before),
        after: side(after_name, after),
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
        let b: Option<&Outcome> = match b_map.get(k) {
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
                    .max_by_key(|r| rank(r.status))
            }
        };
        match b {
            None if a.status.is_problem() => d.regressions.push(change(k, None, Some(a))),
            None => d.new_results.push(change(k, None, Some(a))),
            Some(b) => {
                let (rb, ra) = (rank(b.status), rank(a.status));
                if ra > rb {
                    d.regressions.push(change(k, Some(b), Some(a)));
                } else if ra < rb {
                    d.fixes.push(change(k, Some(b), Some(a)));
                } else if a.status != b.status {
                    d.changed.push(change(k, Some(b), Some(a)));
                }
                // A skipped check measured nothing: its missing evidence is not a change.
                if a.status != Status::Skip && b.status != Status::Skip {
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

fn status_pair(c: &Change, cat: &Catalog) -> String {
    let none = || cat.text(&no_result());
    format!(
        "{} → {}",
        c.before.map_or_else(none, |s| s.as_str().to_string()),
        c.after.map_or_else(none, |s| s.as_str().to_string())
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

/// The message that says what a changed result says now (after the change, else before).
fn now_message(c: &Change) -> Option<&Message> {
    c.after_message.as_ref().or(c.before_message.as_ref())
}

pub fn render_text(d: &Diff, lang: Lang) -> String {
    let cat = Catalog::get(lang);
    let t = |m: Message| cat.text(&m);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        t(text_heading(
            &d.before.file,
            &d.before.started_at,
            &d.after.file,
            &d.after.started_at
        ))
    );
    if d.before.profile != d.after.profile {
        let profile = |p: &Option<String>| p.clone().unwrap_or_else(|| t(no_profile()));
        let _ = writeln!(
            out,
            "{}",
            t(profiles_differ(
                profile(&d.before.profile),
                profile(&d.after.profile)
            ))
        );
    }
    let section = |out: &mut String, title: Message, list: &[Change], with_msg: bool| {
        if list.is_empty() {
            return;
        }
        let _ = writeln!(out, "\n{} ({})", t(title), list.len());
        for c in list {
            let _ = writeln!(
                out,
                "  {} {}",
                pad(&status_pair(c, cat), 16),
                c.key.label(lang)
            );
            if with_msg {
                if let Some(m) = now_message(c) {
                    let _ = writeln!(out, "  {} {}", pad("", 16), cat.text(m));
                }
            }
        }
    };
    section(&mut out, text_regressed(), &d.regressions, true);
    section(&mut out, text_fixed(), &d.fixes, true);
    section(&mut out, text_changed(), &d.changed, true);
    section(&mut out, text_new(), &d.new_results, false);
    section(&mut out, text_removed(), &d.removed_results, false);
    if !d.hosts_added.is_empty() || !d.hosts_removed.is_empty() {
        let _ = writeln!(out, "\n{}", t(text_hosts()));
        for h in &d.hosts_added {
            let _ = writeln!(out, "  + {h}");
        }
        for h in &d.hosts_removed {
            let _ = writeln!(out, "  - {h}");
        }
    }
    if !d.evidence_changes.is_empty() {
        let _ = writeln!(
            out,
            "\n{} ({})",
            t(text_evidence()),
            d.evidence_changes.len()
        );
        for e in &d.evidence_changes {
            let _ = writeln!(
                out,
                "  {} {}: {}",
                e.key.label(lang),
                e.field,
                evidence_text(e)
            );
        }
    }
    let outcome = if d.regressions.is_empty() {
        text_no_regression()
    } else {
        text_regressed()
    };
    let _ = writeln!(
        out,
        "\n{}",
        t(text_summary(
            d.regressions.len(),
            d.fixes.len(),
            d.changed.len(),
            d.new_results.len(),
            d.removed_results.len(),
            d.hosts_added.len(),
            d.hosts_removed.len(),
            d.evidence_changes.len(),
            outcome
        ))
    );
    out
}

/// `diff --format json` (schema `kms-preflight/diff/v1`).
#[derive(Serialize)]
struct DiffJson<'a> {
    schema: &'static str,
    before: &'a Side,
    after: &'a Side,
    regressions: Vec<ChangeJson<'a>>,
    fixes: Vec<ChangeJson<'a>>,
    changed: Vec<ChangeJson<'a>>,
    new_results: Vec<ChangeJson<'a>>,
    removed_results: Vec<ChangeJson<'a>>,
    hosts_added: &'a [String],
    hosts_removed: &'a [String],
    evidence_changes: &'a [EvidenceChange],
}

#[derive(Serialize)]
struct ChangeJson<'a> {
    #[serde(flatten)]
    key: &'a Key,
    /// Null when the result did not exist in that report.
    before: Option<Status>,
    after: Option<Status>,
    before_message: Option<String>,
    after_message: Option<String>,
}

pub fn render_json(d: &Diff, lang: Lang) -> String {
    let cat = Catalog::get(lang);
    fn changes<'a>(list: &'a [Change], cat: &Catalog) -> Vec<ChangeJson<'a>> {
        list.iter()
            .map(|c| ChangeJson {
                key: &c.key,
                before: c.before,
                after: c.after,
                before_message: c.before_message.as_ref().map(|m| cat.text(m)),
                after_message: c.after_message.as_ref().map(|m| cat.text(m)),
            })
            .collect()
    }
    let doc = DiffJson {
        schema: DIFF_SCHEMA,
        before: &d.before,
        after: &d.after,
        regressions: changes(&d.regressions, cat),
        fixes: changes(&d.fixes, cat),
        changed: changes(&d.changed, cat),
        new_results: changes(&d.new_results, cat),
        removed_results: changes(&d.removed_results, cat),
        hosts_added: &d.hosts_added,
        hosts_removed: &d.hosts_removed,
        evidence_changes: &d.evidence_changes,
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("diff is plain data");
    s.push('\n');
    s
}

pub fn render_markdown(d: &Diff, lang: Lang) -> String {
    let cat = Catalog::get(lang);
    let t = |m: Message| cat.text(&m);
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", t(md_title()));
    let _ = writeln!(
        out,
        "**{}** — {}\n",
        t(if d.regressions.is_empty() {
            md_no_regression()
        } else {
            md_regressed()
        }),
        t(md_counts(
            d.regressions.len(),
            d.fixes.len(),
            d.changed.len(),
            d.hosts_added.len(),
            d.hosts_removed.len()
        ))
    );
    let _ = writeln!(
        out,
        "| | {} | {} |\n|---|---|---|",
        t(md_before()),
        t(md_after())
    );
    let _ = writeln!(
        out,
        "| {} | {} | {} |",
        t(md_report()),
        cell(&d.before.file),
        cell(&d.after.file)
    );
    let _ = writeln!(
        out,
        "| {} | {} | {} |",
        t(md_started()),
        cell(&d.before.started_at),
        cell(&d.after.started_at)
    );
    let table = |out: &mut String, title: Message, list: &[Change]| {
        if list.is_empty() {
            return;
        }
        let _ = writeln!(out, "\n## {}\n", t(title));
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |\n|---|---|---|---|",
            t(md_result()),
            t(md_before()),
            t(md_after()),
            t(md_now())
        );
        let status = |s: Option<Status>| s.map_or("—", |s| s.as_str());
        for c in list {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                cell(&c.key.label(lang)),
                status(c.before),
                status(c.after),
                cell(&now_message(c).map(|m| cat.text(m)).unwrap_or_default())
            );
        }
    };
    table(&mut out, md_regressions(), &d.regressions);
    table(&mut out, md_fixes(), &d.fixes);
    table(&mut out, md_changed(), &d.changed);
    table(&mut out, md_new(), &d.new_results);
    table(&mut out, md_removed(), &d.removed_results);
    if !d.hosts_added.is_empty() || !d.hosts_removed.is_empty() {
        let _ = writeln!(out, "\n## {}\n", t(md_hosts()));
        for h in &d.hosts_added {
            let _ = writeln!(out, "- {}", t(md_host_added(h)));
        }
        for h in &d.hosts_removed {
            let _ = writeln!(out, "- {}", t(md_host_removed(h)));
        }
    }
    if !d.evidence_changes.is_empty() {
        let _ = writeln!(out, "\n## {}\n", t(md_evidence()));
        let _ = writeln!(
            out,
            "| {} | {} | {} |\n|---|---|---|",
            t(md_result()),
            t(md_field()),
            t(md_change())
        );
        for e in &d.evidence_changes {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                cell(&e.key.label(lang)),
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

    fn report(results: Value, targets: Value) -> Report {
        read_report(
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
        let text = render_text(&d, Lang::En);
        assert!(text.contains("REGRESSED (1)"), "{text}");
        // The same diff in Japanese: headings and the key's words translated, ids kept.
        let ja = render_text(&d, Lang::Ja);
        assert!(ja.contains("\n悪化 (1)\n  (なし) → fail"), "{ja}");
        assert!(ja.contains(" — 悪化\n"), "{ja}");
        let md = render_markdown(&d, Lang::Ja);
        assert!(
            md.starts_with("# KMS プリフライト: 変更前/変更後\n"),
            "{md}"
        );
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
        assert_eq!(d.regressions[0].before, Some(Status::Pass));
        assert_eq!(d.regressions[0].after, Some(Status::Skip));
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
        let err =
            |text: &str| Catalog::get(Lang::En).text(&read_report("x.json", text).unwrap_err());
        assert!(err("{").starts_with("x.json: not a JSON document: "));
        assert_eq!(
            err("{\"a\":1}"),
            "x.json: not a kms-preflight report (no \"schema\": \"kms-preflight/report/v1\"); write one with `kms-preflight check --format json > x.json`"
        );
        assert_eq!(
            err("{\"schema\":\"kms-preflight/report/v9\",\"results\":[]}"),
            "x.json: report schema kms-preflight/report/v9 is not supported; this kms-preflight reads kms-preflight/report/v1"
        );
        let bad = json!({"schema": "kms-preflight/report/v1", "results": [{"id": "a", "target": null, "address": null, "source": null, "status": "great"}]});
        assert_eq!(
            err(&bad.to_string()),
            "x.json: result a has unknown status \"great\""
        );
        assert_eq!(
            err("{\"schema\":\"kms-preflight/report/v1\"}"),
            "x.json: missing field `results`"
        );
    }

    #[test]
    fn recorded_sentences_stay_when_this_build_cannot_render_their_id() {
        let r = report(
            json!([{"id": "x", "status": "fail", "message": "as recorded",
                    "message_id": "some-newer-id", "args": {}}]),
            json!([]),
        );
        assert_eq!(
            Catalog::get(Lang::En).text(&r.results[0].message),
            "as recorded"
        );
        let d = diff("a", &Report::empty(), "b", &r);
        assert!(render_text(&d, Lang::En)
            .contains("\n  (none) → fail    x general\n                   as recorded\n"));
    }
}
