//! The sweep's own table and Markdown (JSON, JUnit and Prometheus are the shared renderers):
//! one line per open port, closed and filtered ports counted in the summary (listed only
//! with `--all`), and for Markdown a document that suits a compliance ticket: the KMS hosts
//! found, whether DNS publishes them, the other listeners on the KMS port, and the actions.
//! Reads the report through the sweep's typed evidence (`checks::sweep::SweepEvidence`).

use std::fmt::Write;

use colored::Colorize;
use unicode_width::UnicodeWidthStr;

use super::catalog::{Catalog, Lang};
use super::markdown::cell;
use super::{pad, Outcome, Report, Status};
use kms_preflight_checks::sweep::{self as ev, PortState, Publication, Service, SweepEvidence};
use kms_preflight_engine::{Arg, Message};

kms_preflight_engine::messages! {
    /// {version} sweep — {ranges} — domains: {domains} — DNS: {dns}
    title = "sweep-report-title" (version, ranges, domains, dns);
    /// (none)
    none = "sweep-report-none" ();
    /// PASS, WARN, … (by status token)
    status_word = "sweep-report-status" (status);
    /// ADDRESS:PORT
    col_address = "sweep-report-col-address" ();
    /// SERVICE
    col_service = "sweep-report-col-service" ();
    /// PUBLISHED
    col_published = "sweep-report-col-published" ();
    /// RTT
    col_rtt = "sweep-report-col-rtt" ();
    /// PTR
    col_ptr = "sweep-report-col-ptr" ();
    /// DETAIL
    col_detail = "sweep-report-col-detail" ();
    /// KMS host {what} (`sweep-kms-host-at` without the address)
    kms_host = "sweep-report-kms-host" (what);
    /// listener {what} (`sweep-listener-at` without the address)
    listener = "sweep-report-listener" (what);
    /// (no open port)
    no_open_port = "sweep-report-no-open-port" ();
    /// What to do
    what_to_do = "sweep-report-what-to-do" ();
    /// Compared with
    compared_with = "sweep-report-compared-with" ();
    /// {total} results: … — {verdict}
    summary_line = "sweep-report-summary" (total, pass, warn, fail, error, verdict);
    /// NOT CLEAN, CHECK the warnings, CLEAN (by token)
    verdict_word = "sweep-report-verdict" (verdict);

    /// KMS listener sweep: {ranges}
    md_title = "sweep-report-md-title" (ranges);
    /// **Action required** — {kms} KMS host(s) found: …
    md_headline = "sweep-report-md-headline" (verdict, kms, published, rogue, forbidden, allowed, missing);
    /// PASS, WARN, **FAIL**, … (by status token; bold added by the code)
    md_status = "sweep-report-md-status" (status);
    /// Ranges
    md_ranges = "sweep-report-md-ranges" ();
    /// Ports
    md_ports = "sweep-report-md-ports" ();
    /// Addresses
    md_addresses = "sweep-report-md-addresses" ();
    /// {addresses} ({probed} of {probes} probes done)
    md_addresses_value = "sweep-report-md-addresses-value" (addresses, probed, probes);
    /// Probing
    md_probing = "sweep-report-md-probing" ();
    /// TCP connect, then …
    md_probing_value = "sweep-report-md-probing-value" (rate, concurrency, timeout_ms);
    /// Interrupted
    md_interrupted = "sweep-report-md-interrupted" ();
    /// the sweep was stopped (Ctrl-C): results are partial
    md_interrupted_value = "sweep-report-md-interrupted-value" ();
    /// Started
    md_started = "sweep-report-md-started" ();
    /// Duration
    md_duration = "sweep-report-md-duration" ();
    /// {seconds} s
    md_duration_value = "sweep-report-md-duration-value" (seconds);
    /// Compared with
    md_compared_with = "sweep-report-md-compared-with" ();
    /// {names} via {dns}
    md_compared_value = "sweep-report-md-compared-value" (names, dns);
    /// (no domain)
    md_no_domain = "sweep-report-md-no-domain" ();
    /// (no DNS)
    md_no_dns = "sweep-report-md-no-dns" ();
    /// Tool
    md_tool = "sweep-report-md-tool" ();
    /// None.
    md_none = "sweep-report-md-none" ();
    /// Status
    md_col_status = "sweep-report-md-col-status" ();
    /// Address:port
    md_col_address = "sweep-report-md-col-address" ();
    /// Service
    md_col_service = "sweep-report-md-col-service" ();
    /// Published
    md_col_published = "sweep-report-md-col-published" ();
    /// PTR
    md_col_ptr = "sweep-report-md-col-ptr" ();
    /// Finding
    md_col_finding = "sweep-report-md-col-finding" ();
    /// KMS hosts found
    md_kms_found = "sweep-report-md-kms-found" ();
    /// Published endpoints that do not answer as KMS
    md_missing = "sweep-report-md-missing" ();
    /// Other listeners on the KMS port
    md_others = "sweep-report-md-others" ();
    /// Counts
    md_counts = "sweep-report-md-counts" ();
    /// What DNS publishes
    md_dns_publishes = "sweep-report-md-dns-publishes" ();
    /// Actions
    md_actions = "sweep-report-md-actions" ();
}

/// True when the report is a sweep's.
pub fn is_sweep(report: &Report) -> bool {
    report.results.iter().any(|r| r.id == ev::SUMMARY_ID)
}

fn evidence(r: &Outcome) -> Option<&SweepEvidence> {
    r.evidence.sweep()
}

/// What answered on a listed port (`kms`, `silent`, `closed`, …).
fn service(r: &Outcome) -> &'static str {
    evidence(r).and_then(SweepEvidence::service).unwrap_or("")
}

fn ptr(r: &Outcome, cat: &Catalog) -> String {
    match evidence(r).and_then(SweepEvidence::ptr) {
        Some(a) if !a.is_empty() => a.join(","),
        Some(_) => cat.text(&none()),
        None => "-".into(),
    }
}

fn rtt(r: &Outcome) -> String {
    match evidence(r).and_then(SweepEvidence::rtt_ms) {
        Some(ms) => format!("{ms:.2}ms"),
        None => "-".into(),
    }
}

/// The status word of `lang`, padded to the widest one (`ERROR` in English).
fn badge(s: Status, cat: &Catalog) -> String {
    let t = pad(&cat.text(&status_word(s.as_str())), badge_width(cat));
    match s {
        Status::Pass => t.green().bold().to_string(),
        Status::Warn => t.yellow().bold().to_string(),
        Status::Fail => t.red().bold().to_string(),
        Status::Skip => t.dimmed().to_string(),
        Status::Error => t.magenta().bold().to_string(),
    }
}

fn badge_width(cat: &Catalog) -> usize {
    [
        Status::Pass,
        Status::Warn,
        Status::Fail,
        Status::Skip,
        Status::Error,
    ]
    .iter()
    .map(|s| cat.text(&status_word(s.as_str())).width())
    .max()
    .unwrap_or(0)
}

/// The message without the listener's address (it has its own column): the nested
/// `sweep-kms-host-at`/`sweep-listener-at` become their address-less twins.
fn without_address(m: &Message) -> Message {
    let twin = |m: &Message| -> Option<Message> {
        let what = m.get("what")?.clone();
        match m.id.as_ref() {
            "sweep-kms-host-at" => Some(kms_host(what)),
            "sweep-listener-at" => Some(listener(what)),
            _ => None,
        }
    };
    if let Some(t) = twin(m) {
        return t;
    }
    let mut out = m.clone();
    for (_, v) in out.args.iter_mut() {
        if let Arg::Message(inner) = v {
            **inner = without_address(inner);
        }
    }
    out
}

fn ports(report: &Report) -> Vec<&Outcome> {
    report
        .results
        .iter()
        .filter(|r| r.id == ev::PORT_ID)
        .collect()
}

fn summary(report: &Report) -> Option<&Outcome> {
    report.results.iter().find(|r| r.id == ev::SUMMARY_ID)
}

fn published_cell(r: &Outcome) -> &'static str {
    publication(r).map_or("-", Publication::as_str)
}

fn publication(r: &Outcome) -> Option<Publication> {
    evidence(r).and_then(SweepEvidence::publication)
}

fn verdict(report: &Report, cat: &Catalog) -> String {
    let s = &report.summary;
    let w = |token: &str| cat.text(&verdict_word(token));
    if s.fail > 0 || s.error > 0 {
        w("not-clean").red().bold().to_string()
    } else if s.warn > 0 {
        w("check").yellow().bold().to_string()
    } else {
        w("clean").green().bold().to_string()
    }
}

/// `--format table` for a sweep.
pub fn render_table(report: &Report, lang: Lang) -> String {
    let cat = Catalog::get(lang);
    let t = |m: Message| cat.text(&m);
    let mut out = String::new();
    let sum = summary(report);
    let none_or = |v: &[String]| {
        if v.is_empty() {
            t(none())
        } else {
            v.join(", ")
        }
    };
    let _ = writeln!(
        out,
        "{} {}",
        "kms-preflight".bold(),
        t(title(
            &report.version,
            sum.and_then(|s| s.target.as_deref()).unwrap_or("?"),
            none_or(&report.domains),
            none_or(&report.dns_servers)
        )),
    );
    let rows = ports(report);
    let _ = writeln!(
        out,
        "\n  {}  {}  {}  {}  {}  {}  {}",
        pad("", badge_width(cat)),
        pad(&t(col_address()), 22),
        pad(&t(col_service()), 11),
        pad(&t(col_published()), 13),
        pad(&t(col_rtt()), 9),
        pad(&t(col_ptr()), 28),
        t(col_detail())
    );
    for r in &rows {
        // The address is in its own column.
        let target = r.target.as_deref().unwrap_or("?");
        let detail = if lang == Lang::En {
            // As it always was (byte for byte): the first " at ADDRESS" cut.
            cat.text(&r.message)
                .replacen(&format!(" at {target}"), "", 1)
        } else {
            cat.text(&without_address(&r.message))
        };
        let _ = writeln!(
            out,
            "  {}  {}  {}  {}  {}  {}  {}",
            badge(r.status, cat),
            pad(target, 22),
            pad(service(r), 11),
            pad(published_cell(r), 13),
            pad(&rtt(r), 9),
            pad(&ptr(r, cat), 28),
            detail
        );
    }
    if rows.is_empty() {
        let _ = writeln!(out, "  {}", t(no_open_port()));
    }
    let todo: Vec<&&Outcome> = rows
        .iter()
        .filter(|r| matches!(r.status, Status::Fail | Status::Warn | Status::Error))
        .filter(|r| r.remediation.is_some())
        .collect();
    if !todo.is_empty() {
        let _ = writeln!(out, "\n{}", t(what_to_do()).bold().underline());
        for r in todo {
            let _ = writeln!(
                out,
                "  {} {}:",
                badge(r.status, cat),
                r.target.as_deref().unwrap_or("?")
            );
            let fix = r
                .remediation
                .as_ref()
                .map(|m| cat.text(m))
                .unwrap_or_default();
            for l in fix.lines() {
                let _ = writeln!(out, "      {l}");
            }
        }
    }
    let published: Vec<&Outcome> = report
        .results
        .iter()
        .filter(|r| r.id == ev::PUBLISHED_ID)
        .collect();
    if !published.is_empty() {
        let _ = writeln!(out, "\n{}", t(compared_with()).bold().underline());
        for r in published {
            let _ = writeln!(
                out,
                "  {}  {}: {}",
                badge(r.status, cat),
                r.target.as_deref().unwrap_or("?"),
                cat.text(&r.message)
            );
        }
    }
    if let Some(s) = sum {
        // The run's own line: a badge only when the run itself went wrong (interrupted).
        if s.status == Status::Pass {
            let _ = writeln!(out, "\n{}", cat.text(&s.message));
        } else {
            let _ = writeln!(out, "\n{}  {}", badge(s.status, cat), cat.text(&s.message));
        }
    }
    let _ = writeln!(out, "{}", summary_text(report, cat));
    out
}

/// The table's last line: results by status and the verdict (all `sweep -q` prints).
pub fn summary_text(report: &Report, cat: &Catalog) -> String {
    let s = &report.summary;
    cat.text(&summary_line(
        s.total,
        s.pass,
        s.warn,
        s.fail,
        s.error,
        verdict(report, cat),
    ))
}

fn md_word(s: Status, cat: &Catalog) -> String {
    let w = cat.text(&md_status(s.as_str()));
    match s {
        Status::Fail | Status::Error => format!("**{w}**"),
        _ => w,
    }
}

/// `--format markdown` for a sweep: a compliance ticket.
pub fn render_markdown(report: &Report, lang: Lang) -> String {
    let cat = Catalog::get(lang);
    let t = |m: Message| cat.text(&m);
    let mut out = String::new();
    let sum = summary(report);
    let ranges = sum.and_then(|s| s.target.as_deref()).unwrap_or("?");
    let rows = ports(report);
    let is_kms = |r: &Outcome| evidence(r).is_some_and(SweepEvidence::is_kms);
    let kms: Vec<&&Outcome> = rows.iter().filter(|r| is_kms(r)).collect();
    let count = |p: Publication| kms.iter().filter(|r| publication(r) == Some(p)).count();
    let published = |r: &Outcome| publication(r) == Some(Publication::Published);
    let missing: Vec<&&Outcome> = rows.iter().filter(|r| !is_kms(r) && published(r)).collect();
    // Other listeners: whatever answered that is not KMS, and ports that could not be probed.
    let other = |r: &Outcome| match evidence(r) {
        Some(SweepEvidence::Listener(l)) => l.service != Service::Kms,
        Some(SweepEvidence::NotOpen(n)) => n.service == PortState::Error,
        _ => false,
    };
    let others: Vec<&&Outcome> = rows.iter().filter(|r| !published(r) && other(r)).collect();
    let _ = writeln!(out, "# {}\n", t(md_title(ranges)));
    let _ = writeln!(
        out,
        "{}\n",
        t(md_headline(
            if report.summary.fail > 0 || report.summary.error > 0 {
                "action"
            } else if report.summary.warn > 0 {
                "review"
            } else {
                "none"
            },
            kms.len(),
            count(Publication::Published),
            count(Publication::Rogue),
            count(Publication::Forbidden),
            count(Publication::Allowed),
            missing.len()
        ))
    );
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(out, "| {} | {} |", t(md_ranges()), cell(ranges));
    if let Some(e) = sum
        .and_then(|s| evidence(s))
        .and_then(SweepEvidence::summary)
    {
        let ports: Vec<String> = e.ports.iter().map(u16::to_string).collect();
        let _ = writeln!(out, "| {} | {} |", t(md_ports()), ports.join(", "));
        let _ = writeln!(
            out,
            "| {} | {} |",
            t(md_addresses()),
            t(md_addresses_value(e.addresses, e.probed, e.probes))
        );
        let _ = writeln!(
            out,
            "| {} | {} |",
            t(md_probing()),
            t(md_probing_value(e.rate_per_s, e.concurrency, e.timeout_ms))
        );
        if e.interrupted {
            let _ = writeln!(
                out,
                "| **{}** | {} |",
                t(md_interrupted()),
                t(md_interrupted_value())
            );
        }
    }
    let _ = writeln!(
        out,
        "| {} | {} |",
        t(md_started()),
        cell(&report.started_at)
    );
    let _ = writeln!(
        out,
        "| {} | {} |",
        t(md_duration()),
        t(md_duration_value(report.duration_ms as f64 / 1000.0))
    );
    let names = if report.domains.is_empty() {
        t(md_no_domain())
    } else {
        cell(
            &report
                .domains
                .iter()
                .map(|d| format!("_vlmcs._tcp.{d}"))
                .collect::<Vec<_>>()
                .join(", "),
        )
    };
    let dns = if report.dns_servers.is_empty() {
        t(md_no_dns())
    } else {
        cell(&report.dns_servers.join(", "))
    };
    let _ = writeln!(
        out,
        "| {} | {} |",
        t(md_compared_with()),
        t(md_compared_value(names, dns))
    );
    let _ = writeln!(
        out,
        "| {} | kms-preflight {} |",
        t(md_tool()),
        report.version
    );

    let table = |out: &mut String, title: &str, list: &[&&Outcome]| {
        let _ = writeln!(out, "\n## {title}\n");
        if list.is_empty() {
            let _ = writeln!(out, "{}", t(md_none()));
            return;
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |\n|---|---|---|---|---|---|",
            t(md_col_status()),
            t(md_col_address()),
            t(md_col_service()),
            t(md_col_published()),
            t(md_col_ptr()),
            t(md_col_finding())
        );
        for r in list {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                md_word(r.status, cat),
                cell(r.target.as_deref().unwrap_or("?")),
                cell(service(r)),
                cell(published_cell(r)),
                cell(&ptr(r, cat)),
                cell(&cat.text(&r.message))
            );
        }
    };
    table(&mut out, &t(md_kms_found()), &kms);
    table(&mut out, &t(md_missing()), &missing);
    table(&mut out, &t(md_others()), &others);
    if let Some(s) = sum {
        let _ = writeln!(
            out,
            "\n## {}\n\n{}",
            t(md_counts()),
            cell(&cat.text(&s.message))
        );
    }
    let published: Vec<&Outcome> = report
        .results
        .iter()
        .filter(|r| r.id == ev::PUBLISHED_ID)
        .collect();
    if !published.is_empty() {
        let _ = writeln!(out, "\n## {}\n", t(md_dns_publishes()));
        for r in published {
            let _ = writeln!(
                out,
                "- {} `{}`: {}",
                md_word(r.status, cat),
                r.target.as_deref().unwrap_or("?"),
                cell(&cat.text(&r.message))
            );
        }
    }
    let todo: Vec<&&Outcome> = rows
        .iter()
        .filter(|r| matches!(r.status, Status::Fail | Status::Warn | Status::Error))
        .collect();
    let _ = writeln!(out, "\n## {}\n", t(md_actions()));
    if todo.is_empty() {
        let _ = writeln!(out, "{}", t(md_none()));
    }
    for r in todo {
        let _ = writeln!(
            out,
            "- [ ] {} `{}`: {}",
            md_word(r.status, cat),
            r.target.as_deref().unwrap_or("?"),
            cell(&cat.text(&r.message))
        );
        if let Some(fix) = &r.remediation {
            for l in cat.text(fix).lines() {
                let _ = writeln!(out, "  - {}", l.trim());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use kms_preflight_checks::sweep::{ListenerEvidence, SweepCounts, SweepSummary};

    fn port(
        target: &str,
        status: Status,
        service: Service,
        published: Option<Publication>,
        ptr: Option<&[&str]>,
    ) -> Outcome {
        let e = ListenerEvidence {
            service,
            published,
            ptr: ptr.map(|p| p.iter().map(|s| s.to_string()).collect()),
            rtt_ms: Some(0.5),
            port: 1688,
            rpc_result: "accepted".into(),
            bind_rtt_ms: None,
            answered_after_fin: None,
            hosts: None,
            negotiated_syntax: None,
            secondary_address: None,
            assoc_group_id: None,
            implementation_hint: None,
            nak_reason: None,
            received: None,
        };
        Outcome {
            id: ev::PORT_ID.into(),
            kind: ev::KIND.into(),
            title: "t".into(),
            target: Some(target.into()),
            address: target.split(':').next().map(str::to_string),
            source: None,
            status,
            message: kms_preflight_engine::Message::recorded(format!(
                "KMS host at {target} accepted the bind | pipe"
            )),
            remediation: (status != Status::Pass)
                .then(|| kms_preflight_engine::Message::recorded("slmgr /upk\nslmgr /cpky")),
            error_codes: Vec::new(),
            evidence: SweepEvidence::Listener(e).into(),
            run: Default::default(),
            duration_ms: 1,
        }
    }

    fn report() -> Report {
        let mut summary = port("x", Status::Pass, Service::Kms, None, None);
        summary.id = ev::SUMMARY_ID.into();
        summary.target = Some("198.18.2.0/24".into());
        summary.message = kms_preflight_engine::Message::recorded(
            "swept 256 addresses on port 1688: 3 open, 253 closed",
        );
        summary.evidence = SweepEvidence::Summary(SweepSummary {
            ranges: vec!["198.18.2.0/24".into()],
            ports: vec![1688],
            addresses: 256,
            probes: 256,
            probed: 256,
            open: 3,
            counts: SweepCounts::default(),
            rate_per_s: 200,
            concurrency: 256,
            timeout_ms: 1000,
            compared_with_dns: true,
            interrupted: false,
        })
        .into();
        let results = vec![
            port(
                "198.18.2.10:1688",
                Status::Pass,
                Service::Kms,
                Some(Publication::Published),
                Some(&["kms1.corp.test"]),
            ),
            port(
                "198.18.2.11:1688",
                Status::Warn,
                Service::Kms,
                Some(Publication::Rogue),
                Some(&[]),
            ),
            port(
                "198.18.2.14:1688",
                Status::Pass,
                Service::NotRpc,
                Some(Publication::NotPublished),
                None,
            ),
            summary,
        ];
        Report {
            domains: vec!["corp.test".into()],
            dns_servers: vec!["198.18.2.2:53".into()],
            summary: crate::Summary::of(&results),
            results,
            ..Report::empty()
        }
    }

    #[test]
    fn table_has_one_line_per_open_port_and_the_counts() {
        colored::control::set_override(false);
        let r = report();
        assert!(is_sweep(&r));
        let t = render_table(&r, Lang::En);
        let rows: Vec<&str> = t.lines().filter(|l| l.contains(":1688 ")).collect();
        assert_eq!(rows.len(), 3, "{t}");
        assert!(
            rows[0].contains("kms")
                && rows[0].contains("published")
                && rows[0].contains("kms1.corp.test")
        );
        assert!(
            rows[1].contains("rogue") && rows[1].contains("(none)"),
            "{t}"
        );
        // The address is in its own column, not repeated in the detail.
        assert!(rows[0].contains("KMS host accepted the bind"), "{t}");
        assert!(t.contains("What to do") && t.contains("slmgr /cpky"), "{t}");
        assert!(t.contains("253 closed"), "{t}");
        assert!(t.contains("CHECK the warnings"), "{t}");
    }

    #[test]
    fn markdown_is_a_ticket_with_escaped_cells() {
        let md = render_markdown(&report(), Lang::En);
        assert!(
            md.starts_with("# KMS listener sweep: 198.18.2.0/24\n"),
            "{md}"
        );
        assert!(
            md.contains("**Review required** — 2 KMS host(s) found: 1 published, 1 rogue"),
            "{md}"
        );
        assert!(md.contains("| Ports | 1688 |"), "{md}");
        assert!(
            md.contains("| WARN | 198.18.2.11:1688 | kms | rogue | (none) |"),
            "{md}"
        );
        assert!(md.contains("accepted the bind \\| pipe"), "{md}");
        assert!(md.contains("## Other listeners on the KMS port"), "{md}");
        assert!(
            md.contains("| PASS | 198.18.2.14:1688 | not-rpc | not-published | - |"),
            "{md}"
        );
        assert!(md.contains("- [ ] WARN `198.18.2.11:1688`"), "{md}");
        assert!(md.contains("  - slmgr /cpky"), "{md}");
    }
}
