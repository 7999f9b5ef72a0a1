//! The sweep's own table and Markdown (JSON, JUnit and Prometheus are the shared renderers):
//! one line per open port, closed and filtered ports counted in the summary (listed only
//! with `--all`), and for Markdown a document that suits a compliance ticket: the KMS hosts
//! found, whether DNS publishes them, the other listeners on the KMS port, and the actions.
//! Reads the report through the sweep's typed evidence (`checks::sweep::SweepEvidence`).

use std::fmt::Write;

use colored::Colorize;

use super::catalog::{Catalog, Lang};
use super::markdown::cell;
use super::{Outcome, Report, Status};
use kms_preflight_checks::sweep::{self as ev, PortState, Publication, Service, SweepEvidence};

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

fn ptr(r: &Outcome) -> String {
    match evidence(r).and_then(SweepEvidence::ptr) {
        Some(a) if !a.is_empty() => a.join(","),
        Some(_) => "(none)".into(),
        None => "-".into(),
    }
}

fn rtt(r: &Outcome) -> String {
    match evidence(r).and_then(SweepEvidence::rtt_ms) {
        Some(ms) => format!("{ms:.2}ms"),
        None => "-".into(),
    }
}

fn badge(s: Status) -> String {
    let t = format!("{:<5}", s.as_str().to_uppercase());
    match s {
        Status::Pass => t.green().bold().to_string(),
        Status::Warn => t.yellow().bold().to_string(),
        Status::Fail => t.red().bold().to_string(),
        Status::Skip => t.dimmed().to_string(),
        Status::Error => t.magenta().bold().to_string(),
    }
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

fn verdict(report: &Report) -> String {
    let s = &report.summary;
    if s.fail > 0 || s.error > 0 {
        "NOT CLEAN".red().bold().to_string()
    } else if s.warn > 0 {
        "CHECK the warnings".yellow().bold().to_string()
    } else {
        "CLEAN".green().bold().to_string()
    }
}

/// `--format table` for a sweep.
pub fn render_table(report: &Report, lang: Lang) -> String {
    let cat = Catalog::get(lang);
    let mut out = String::new();
    let sum = summary(report);
    let _ = writeln!(
        out,
        "{} {} sweep — {} — domains: {} — DNS: {}",
        "kms-preflight".bold(),
        report.version,
        sum.and_then(|s| s.target.as_deref()).unwrap_or("?"),
        if report.domains.is_empty() {
            "(none)".to_string()
        } else {
            report.domains.join(", ")
        },
        if report.dns_servers.is_empty() {
            "(none)".to_string()
        } else {
            report.dns_servers.join(", ")
        },
    );
    let rows = ports(report);
    let _ = writeln!(
        out,
        "\n  {:<5}  {:<22}  {:<11}  {:<13}  {:<9}  {:<28}  DETAIL",
        "", "ADDRESS:PORT", "SERVICE", "PUBLISHED", "RTT", "PTR"
    );
    for r in &rows {
        // The address is in its own column.
        let target = r.target.as_deref().unwrap_or("?");
        let detail = cat
            .text(&r.message)
            .replacen(&format!(" at {target}"), "", 1);
        let _ = writeln!(
            out,
            "  {}  {:<22}  {:<11}  {:<13}  {:<9}  {:<28}  {}",
            badge(r.status),
            r.target.as_deref().unwrap_or("?"),
            service(r),
            published_cell(r),
            rtt(r),
            ptr(r),
            detail
        );
    }
    if rows.is_empty() {
        let _ = writeln!(out, "  (no open port)");
    }
    let todo: Vec<&&Outcome> = rows
        .iter()
        .filter(|r| matches!(r.status, Status::Fail | Status::Warn | Status::Error))
        .filter(|r| r.remediation.is_some())
        .collect();
    if !todo.is_empty() {
        let _ = writeln!(out, "\n{}", "What to do".bold().underline());
        for r in todo {
            let _ = writeln!(
                out,
                "  {} {}:",
                badge(r.status),
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
        let _ = writeln!(out, "\n{}", "Compared with".bold().underline());
        for r in published {
            let _ = writeln!(
                out,
                "  {}  {}: {}",
                badge(r.status),
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
            let _ = writeln!(out, "\n{}  {}", badge(s.status), cat.text(&s.message));
        }
    }
    let _ = writeln!(out, "{}", summary_line(report));
    out
}

/// The table's last line: results by status and the verdict (all `sweep -q` prints).
pub fn summary_line(report: &Report) -> String {
    let s = &report.summary;
    format!(
        "{} results: {} pass, {} warn, {} fail, {} error — {}",
        s.total,
        s.pass,
        s.warn,
        s.fail,
        s.error,
        verdict(report)
    )
}

fn md_word(s: Status) -> &'static str {
    match s {
        Status::Pass => "PASS",
        Status::Warn => "WARN",
        Status::Fail => "**FAIL**",
        Status::Skip => "skip",
        Status::Error => "**ERROR**",
    }
}

/// `--format markdown` for a sweep: a compliance ticket.
pub fn render_markdown(report: &Report, lang: Lang) -> String {
    let cat = Catalog::get(lang);
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
    let _ = writeln!(out, "# KMS listener sweep: {ranges}\n");
    let _ = writeln!(
        out,
        "**{}** — {} KMS host(s) found: {} published, {} rogue, {} forbidden, {} allowed; {} published endpoint(s) not answering as KMS.\n",
        if report.summary.fail > 0 || report.summary.error > 0 {
            "Action required"
        } else if report.summary.warn > 0 {
            "Review required"
        } else {
            "No finding"
        },
        kms.len(),
        count(Publication::Published),
        count(Publication::Rogue),
        count(Publication::Forbidden),
        count(Publication::Allowed),
        missing.len()
    );
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(out, "| Ranges | {} |", cell(ranges));
    if let Some(e) = sum
        .and_then(|s| evidence(s))
        .and_then(SweepEvidence::summary)
    {
        let ports: Vec<String> = e.ports.iter().map(u16::to_string).collect();
        let _ = writeln!(out, "| Ports | {} |", ports.join(", "));
        let _ = writeln!(
            out,
            "| Addresses | {} ({} of {} probes done) |",
            e.addresses, e.probed, e.probes
        );
        let _ = writeln!(
            out,
            "| Probing | TCP connect, then on open ports one read-only DCE/RPC bind (no activation request); {} new connections/s at most, {} in flight, {} ms timeout |",
            e.rate_per_s,
            e.concurrency,
            e.timeout_ms
        );
        if e.interrupted {
            let _ = writeln!(
                out,
                "| **Interrupted** | the sweep was stopped (Ctrl-C): results are partial |"
            );
        }
    }
    let _ = writeln!(out, "| Started | {} |", cell(&report.started_at));
    let _ = writeln!(
        out,
        "| Duration | {:.2} s |",
        report.duration_ms as f64 / 1000.0
    );
    let _ = writeln!(
        out,
        "| Compared with | {} via {} |",
        if report.domains.is_empty() {
            "(no domain)".to_string()
        } else {
            cell(
                &report
                    .domains
                    .iter()
                    .map(|d| format!("_vlmcs._tcp.{d}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        },
        if report.dns_servers.is_empty() {
            "(no DNS)".to_string()
        } else {
            cell(&report.dns_servers.join(", "))
        }
    );
    let _ = writeln!(out, "| Tool | kms-preflight {} |", report.version);

    let table = |out: &mut String, title: &str, list: &[&&Outcome]| {
        let _ = writeln!(out, "\n## {title}\n");
        if list.is_empty() {
            let _ = writeln!(out, "None.");
            return;
        }
        let _ = writeln!(
            out,
            "| Status | Address:port | Service | Published | PTR | Finding |\n|---|---|---|---|---|---|"
        );
        for r in list {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                md_word(r.status),
                cell(r.target.as_deref().unwrap_or("?")),
                cell(service(r)),
                cell(published_cell(r)),
                cell(&ptr(r)),
                cell(&cat.text(&r.message))
            );
        }
    };
    table(&mut out, "KMS hosts found", &kms);
    table(
        &mut out,
        "Published endpoints that do not answer as KMS",
        &missing,
    );
    table(&mut out, "Other listeners on the KMS port", &others);
    if let Some(s) = sum {
        let _ = writeln!(out, "\n## Counts\n\n{}", cell(&cat.text(&s.message)));
    }
    let published: Vec<&Outcome> = report
        .results
        .iter()
        .filter(|r| r.id == ev::PUBLISHED_ID)
        .collect();
    if !published.is_empty() {
        let _ = writeln!(out, "\n## What DNS publishes\n");
        for r in published {
            let _ = writeln!(
                out,
                "- {} `{}`: {}",
                md_word(r.status),
                r.target.as_deref().unwrap_or("?"),
                cell(&cat.text(&r.message))
            );
        }
    }
    let todo: Vec<&&Outcome> = rows
        .iter()
        .filter(|r| matches!(r.status, Status::Fail | Status::Warn | Status::Error))
        .collect();
    let _ = writeln!(out, "\n## Actions\n");
    if todo.is_empty() {
        let _ = writeln!(out, "None.");
    }
    for r in todo {
        let _ = writeln!(
            out,
            "- [ ] {} `{}`: {}",
            md_word(r.status),
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
