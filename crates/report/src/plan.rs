//! The traffic plan (`--plan`) as a table, as Markdown for the change ticket, and as JSON:
//! every probe the run would send, one row per source, destination, protocol and port.

use std::fmt::Write as _;

use kms_preflight_engine::plan::{Destination, PlanRow, PlannedPort, TrafficPlan};
use kms_preflight_engine::Message;
use serde_json::{json, Value};

use crate::{pad, Catalog, Lang};

kms_preflight_engine::messages! {
    /// Traffic plan: every probe this run would send (nothing has been sent)
    heading = "plan-heading" ();
    /// SOURCE
    col_source = "plan-col-source" ();
    /// PROTO
    col_proto = "plan-col-proto" ();
    /// DESTINATION
    col_destination = "plan-col-destination" ();
    /// PORT
    col_port = "plan-col-port" ();
    /// CHECK
    col_check = "plan-col-check" ();
    /// WHAT IS SENT
    col_what = "plan-col-what" ();
    /// TURN OFF WITH
    col_off = "plan-col-off" ();
    /// the address the OS chooses
    source_default = "plan-source-default" ();
    /// each address of each KMS host
    kms_hosts = "plan-kms-hosts" ();
    /// each address of {name}
    host = "plan-host" (name);
    /// every address in {range}
    each_in_range = "plan-each-in-range" (range);
    /// {port} or the SRV record's port
    port_kms_host = "plan-port-kms-host" (port);
    /// the SRV record's port, when not {port}
    port_other_srv = "plan-port-other-srv" (port);
    /// {what} ({when})
    what_when = "plan-what-when" (what, when);
    /// --skip {check}
    off_skip = "plan-off-skip" (check);
    /// KMS hosts: {hosts}
    hosts_named = "plan-hosts-named" (hosts);
    /// and every SRV target of {names}, found when the run asks DNS
    hosts_srv = "plan-hosts-srv" (names);
    /// KMS hosts: every SRV target of {names}, found when the run asks DNS
    hosts_srv_only = "plan-hosts-srv-only" (names);
    /// No probe: the loaded rules send nothing.
    nothing = "plan-nothing" ();
    /// From: {source}
    from = "plan-from" (source);
    /// SENT BY
    col_sent_by = "plan-col-sent-by" ();
    /// WHEN
    col_when = "plan-col-when" ();
    /// always
    always = "plan-always" ();
    /// sometimes (see --verbose)
    conditional = "plan-conditional" ();
    /// Firewall view: one row per protocol, destination and port
    flows_heading = "plan-flows-heading" ();
    /// Every probe, by check
    probes_heading = "plan-probes-heading" ();
    /// --plan is printed as table, markdown or json, not {format}
    format_unsupported = "plan-format-unsupported" (format);
}

fn text(lang: Lang, m: &Message) -> String {
    Catalog::get(lang).text(m)
}

fn destination_text(d: &Destination, lang: Lang) -> String {
    match d {
        Destination::Address { address } => address.to_string(),
        Destination::KmsHosts => text(lang, &kms_hosts()),
        Destination::Host { name } => text(lang, &host(name.as_str())),
        Destination::Range { range } => text(lang, &each_in_range(range.as_str())),
        // `plan` expands it; one left means the system configuration listed no server.
        Destination::SystemResolver => "-".to_string(),
    }
}

fn port_text(p: Option<PlannedPort>, lang: Lang) -> String {
    match p {
        None => "-".to_string(),
        Some(PlannedPort::Number(p)) => p.to_string(),
        Some(PlannedPort::KmsHost(p)) => text(lang, &port_kms_host(p)),
        Some(PlannedPort::OtherSrvPort(p)) => text(lang, &port_other_srv(p)),
    }
}

fn source_text(s: &Option<String>, lang: Lang) -> String {
    s.clone().unwrap_or_else(|| text(lang, &source_default()))
}

/// True when some row names a source (`--source`/`--interface`): the tables then get a
/// SOURCE column; otherwise one "From:" line says it.
fn per_source(plan: &TrafficPlan) -> bool {
    plan.rows.iter().any(|r| r.source.is_some())
}

/// One firewall flow: a source, protocol, destination and port, and the checks that use it.
struct Flow<'a> {
    source: &'a Option<String>,
    row: &'a PlanRow,
    checks: Vec<&'a str>,
    always: bool,
}

/// Ports that are the same on the wire group together (1688 given, or 1688 as the host's).
fn port_key(p: Option<PlannedPort>) -> Option<Result<u16, PlannedPort>> {
    p.map(|p| p.number().ok_or(p))
}

fn flows(plan: &TrafficPlan) -> Vec<Flow<'_>> {
    let mut out: Vec<Flow<'_>> = Vec::new();
    for r in &plan.rows {
        let same = |f: &&mut Flow<'_>| {
            f.source == &r.source
                && f.row.transport == r.transport
                && f.row.destination == r.destination
                && port_key(f.row.port) == port_key(r.port)
        };
        match out.iter_mut().find(|f| same(f)) {
            Some(f) => {
                if !f.checks.contains(&r.check.as_str()) {
                    f.checks.push(&r.check);
                }
                f.always |= r.only_when.is_none();
            }
            None => out.push(Flow {
                source: &r.source,
                row: r,
                checks: vec![&r.check],
                always: r.only_when.is_none(),
            }),
        }
    }
    out
}

/// The firewall view's rows: (SOURCE?), PROTO, DESTINATION, PORT, WHEN, SENT BY.
fn flow_table(plan: &TrafficPlan, lang: Lang) -> Vec<Vec<String>> {
    let with_source = per_source(plan);
    let mut head = Vec::new();
    if with_source {
        head.push(text(lang, &col_source()));
    }
    head.extend(
        [
            col_proto(),
            col_destination(),
            col_port(),
            col_when(),
            col_sent_by(),
        ]
        .map(|m| text(lang, &m)),
    );
    let mut rows = vec![head];
    for f in flows(plan) {
        let mut r = Vec::new();
        if with_source {
            r.push(source_text(f.source, lang));
        }
        r.push(f.row.transport.name().to_string());
        r.push(destination_text(&f.row.destination, lang));
        r.push(port_text(f.row.port, lang));
        r.push(text(lang, &if f.always { always() } else { conditional() }));
        r.push(f.checks.join(", "));
        rows.push(r);
    }
    rows
}

/// The detailed view's rows: (SOURCE?), PROTO, DESTINATION, PORT, CHECK, WHAT, TURN OFF.
fn probe_table(plan: &TrafficPlan, lang: Lang) -> Vec<Vec<String>> {
    let with_source = per_source(plan);
    let mut head = Vec::new();
    if with_source {
        head.push(text(lang, &col_source()));
    }
    head.extend(
        [
            col_proto(),
            col_destination(),
            col_port(),
            col_check(),
            col_what(),
            col_off(),
        ]
        .map(|m| text(lang, &m)),
    );
    let mut rows = vec![head];
    for r in &plan.rows {
        let mut c = Vec::new();
        if with_source {
            c.push(source_text(&r.source, lang));
        }
        c.push(r.transport.name().to_string());
        c.push(destination_text(&r.destination, lang));
        c.push(port_text(r.port, lang));
        c.push(r.check.clone());
        c.push(match &r.only_when {
            None => text(lang, &r.what),
            Some(w) => text(lang, &what_when(r.what.clone(), w.clone())),
        });
        c.push(match &r.off {
            Some(m) => text(lang, m),
            None => text(lang, &off_skip(r.check.as_str())),
        });
        rows.push(c);
    }
    rows
}

/// What the plan is about: the source when there is one, and what "each KMS host" means.
fn preamble(plan: &TrafficPlan, lang: Lang) -> Vec<String> {
    let mut lines = Vec::new();
    if !per_source(plan) {
        lines.push(text(lang, &from(text(lang, &source_default()))));
    }
    let mut parts = Vec::new();
    if !plan.named_hosts.is_empty() {
        parts.push(text(lang, &hosts_named(plan.named_hosts.clone())));
    }
    if !plan.domains.is_empty() {
        let names: Vec<String> = plan
            .domains
            .iter()
            .map(|d| format!("_vlmcs._tcp.{d}"))
            .collect();
        parts.push(text(
            lang,
            &if parts.is_empty() {
                hosts_srv_only(names)
            } else {
                hosts_srv(names)
            },
        ));
    }
    if !parts.is_empty() {
        lines.push(parts.join(" "));
    }
    lines
}

fn aligned(rows: &[Vec<String>]) -> String {
    use unicode_width::UnicodeWidthStr;
    let cols = rows.first().map_or(0, Vec::len);
    let mut widths = vec![0usize; cols];
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.width());
        }
    }
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            if i + 1 == r.len() {
                line.push_str(c);
            } else {
                line.push_str(&pad(c, widths[i]));
                line.push_str("  ");
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}

/// The plan as an aligned table (display width: full-width characters count 2): the
/// firewall view, or with `verbose` every probe by check.
pub fn render_table(plan: &TrafficPlan, lang: Lang, verbose: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", text(lang, &heading()));
    for l in preamble(plan, lang) {
        let _ = writeln!(out, "{l}");
    }
    out.push('\n');
    if plan.rows.is_empty() {
        let _ = writeln!(out, "{}", text(lang, &nothing()));
        return out;
    }
    if verbose {
        out.push_str(&aligned(&probe_table(plan, lang)));
    } else {
        out.push_str(&aligned(&flow_table(plan, lang)));
    }
    out
}

fn markdown_table(rows: &[Vec<String>]) -> String {
    let esc = |s: &String| s.replace('|', "\\|");
    let mut out = String::new();
    for (i, r) in rows.iter().enumerate() {
        let cells: Vec<String> = r.iter().map(esc).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
        if i == 0 {
            let _ = writeln!(out, "|{}", "---|".repeat(r.len()));
        }
    }
    out
}

/// The plan as Markdown for a change request: the firewall view, then every probe.
pub fn render_markdown(plan: &TrafficPlan, lang: Lang) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## {}\n", text(lang, &heading()));
    for l in preamble(plan, lang) {
        let _ = writeln!(out, "{}\n", l.replace('|', "\\|"));
    }
    if plan.rows.is_empty() {
        let _ = writeln!(out, "{}", text(lang, &nothing()));
        return out;
    }
    let _ = writeln!(out, "### {}\n", text(lang, &flows_heading()));
    out.push_str(&markdown_table(&flow_table(plan, lang)));
    let _ = writeln!(out, "\n### {}\n", text(lang, &probes_heading()));
    out.push_str(&markdown_table(&probe_table(plan, lang)));
    out
}

fn message_json(m: &Message, lang: Lang) -> Value {
    let mut v = serde_json::to_value(m).unwrap_or(Value::Null);
    if let Value::Object(o) = &mut v {
        o.insert("message".into(), Value::String(text(lang, m)));
    }
    v
}

/// The plan as JSON: stable keys; `message` follows the language, `message_id`/`args` do not.
pub fn render_json(plan: &TrafficPlan, lang: Lang) -> String {
    let probes: Vec<Value> = plan
        .rows
        .iter()
        .map(|r| {
            let (port, port_of_host) = match r.port {
                None => (Value::Null, false),
                Some(PlannedPort::Number(p)) => (json!(p), false),
                Some(PlannedPort::KmsHost(p)) => (json!(p), true),
                Some(PlannedPort::OtherSrvPort(_)) => (Value::Null, true),
            };
            json!({
                "source": r.source,
                "transport": r.transport.name(),
                "destination": r.destination,
                "port": port,
                "port_from_srv": port_of_host,
                "check": r.check,
                "kind": r.kind,
                "what": message_json(&r.what, lang),
                "only_when": r.only_when.as_ref().map(|m| message_json(m, lang)),
                "turn_off": message_json(
                    &r.off.clone().unwrap_or_else(|| off_skip(r.check.as_str())),
                    lang
                ),
            })
        })
        .collect();
    let flows: Vec<Value> = flows(plan)
        .iter()
        .map(|f| {
            json!({
                "source": f.source,
                "transport": f.row.transport.name(),
                "destination": f.row.destination,
                "port": f.row.port.and_then(PlannedPort::number),
                "always": f.always,
                "checks": f.checks,
            })
        })
        .collect();
    let v = json!({
        "schema": "kms-preflight.plan.v1",
        "named_hosts": plan.named_hosts,
        "domains": plan.domains,
        "flows": flows,
        "probes": probes,
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}
