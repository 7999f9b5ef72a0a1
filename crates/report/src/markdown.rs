//! `--format markdown`: a report to paste into a change ticket. Summary, the verdict block, a
//! matrix of targets × checks, the findings (fail, warn, error) with their remediation, then every result.
//! GitHub/GitLab-flavoured Markdown; table cells are escaped so messages cannot break a table.

use std::fmt::Write;

use super::catalog::{Catalog, Lang};
use super::verdict::{pct, readiness, Readiness, Verdict};
use super::verdict_block::{activation_line, attempt_text, discovery_line, fix_benefit};
use super::{Outcome, Report, Status};

/// Escapes text for one table cell: `|` and newlines would end the cell or the row.
pub fn cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace("\r\n", "<br>")
        .replace('\n', "<br>")
}

fn word(s: Status) -> &'static str {
    match s {
        Status::Pass => "PASS",
        Status::Warn => "WARN",
        Status::Fail => "**FAIL**",
        Status::Skip => "skip",
        Status::Error => "**ERROR**",
    }
}

/// The one-line readiness word shared with the table renderer's wording, reconciled with the
/// client's-eye verdict ([`super::verdict::readiness`]).
pub fn verdict(report: &Report) -> &'static str {
    // A given client (--client-state) that cannot activate decides, as in the table.
    if super::client::audit(report)
        .products
        .iter()
        .any(|p| p.answer == Some(super::verdict::Answer::Fails))
    {
        return "NOT READY";
    }
    match readiness(report, &super::verdict::verdict(report)) {
        Readiness::NotReady => "NOT READY",
        Readiness::ReadyWithRisk => "READY with risk",
        Readiness::ReadyWithWarnings => "READY with warnings",
        Readiness::Ready => "READY",
        Readiness::Unknown => "UNKNOWN (nothing was checked)",
    }
}

fn fence(text: &str) -> String {
    // A fence longer than any backtick run inside the text.
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let f = "`".repeat(longest.max(2) + 1);
    format!("{f}text\n{}\n{f}\n", text.trim_end())
}

fn where_(r: &Outcome) -> String {
    let mut parts = vec![r.target.clone().unwrap_or_else(|| "general".into())];
    if let Some(a) = &r.address {
        parts.push(a.clone());
    }
    if let Some(s) = &r.source {
        parts.push(format!("from {s}"));
    }
    parts.join(" ")
}

pub fn render(report: &Report, lang: Lang) -> String {
    let cat = Catalog::get(lang);
    let mut out = String::new();
    let s = &report.summary;
    let _ = writeln!(out, "# KMS pre-flight report\n");
    let _ = writeln!(
        out,
        "**Verdict: {}** — {} results: {} pass, {} warn, {} fail, {} skip, {} error\n",
        verdict(report),
        s.total,
        s.pass,
        s.warn,
        s.fail,
        s.skip,
        s.error
    );
    let clients = super::client::text(report, lang);
    if !clients.is_empty() {
        let _ = writeln!(out, "## Client state\n");
        out.push_str(&fence(&clients));
        out.push('\n');
    }
    out.push_str(&verdict_section(&super::verdict::verdict(report)));
    let none = |v: &[String]| {
        if v.is_empty() {
            "(none)".to_string()
        } else {
            v.join(", ")
        }
    };
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(
        out,
        "| Run | {} · {:.2} s · kms-preflight {} |",
        cell(&report.started_at),
        report.duration_ms as f64 / 1000.0,
        report.version
    );
    if let Some(p) = &report.profile {
        let _ = writeln!(out, "| Profile | {} |", cell(p));
    }
    let _ = writeln!(out, "| Domains | {} |", cell(&none(&report.domains)));
    let _ = writeln!(
        out,
        "| DNS servers | {} |",
        cell(&none(&report.dns_servers))
    );
    let _ = writeln!(
        out,
        "| Sources | {} |",
        cell(&if report.sources.is_empty() {
            "default (OS choice)".to_string()
        } else {
            report.sources.join(", ")
        })
    );
    let targets: Vec<String> = report
        .targets
        .iter()
        .map(|t| format!("{} ({})", t.target, t.origins.join(", ")))
        .collect();
    let _ = writeln!(out, "| KMS hosts | {} |", cell(&none(&targets)));

    // Matrix: rows are targets in report order, columns are check ids in report order.
    let mut rows: Vec<Option<String>> = Vec::new();
    let mut cols: Vec<String> = Vec::new();
    for r in &report.results {
        if !rows.contains(&r.target) {
            rows.push(r.target.clone());
        }
        if !cols.contains(&r.id) {
            cols.push(r.id.clone());
        }
    }
    if !rows.is_empty() {
        let _ = writeln!(out, "\n## Matrix\n");
        let _ = writeln!(
            out,
            "| Target | {} |",
            cols.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
        );
        let _ = writeln!(out, "|---|{}", "---|".repeat(cols.len()));
        for row in &rows {
            let cells: Vec<String> = cols
                .iter()
                .map(|c| {
                    let here: Vec<&Outcome> = report
                        .results
                        .iter()
                        .filter(|r| &r.target == row && &r.id == c)
                        .collect();
                    let Some(worst) = here.iter().map(|r| r.status).max() else {
                        return "·".to_string();
                    };
                    if here.len() == 1 {
                        word(worst).to_string()
                    } else {
                        let good = here.iter().filter(|r| r.status == Status::Pass).count();
                        format!("{} ({good}/{} pass)", word(worst), here.len())
                    }
                })
                .collect();
            let _ = writeln!(
                out,
                "| {} | {} |",
                cell(row.as_deref().unwrap_or("general")),
                cells.join(" | ")
            );
        }
    }

    // Per source (`--source`/`--interface`): the same cells as the table's source matrix.
    let by_source = super::matrix::cells(report);
    if !by_source.is_empty() {
        let _ = writeln!(out, "\n## Sources\n");
        let _ = writeln!(
            out,
            "| Target | {} |",
            report
                .sources
                .iter()
                .map(|s| cell(s))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        let _ = writeln!(out, "|---|{}", "---|".repeat(report.sources.len()));
        for (row, cells) in &by_source {
            let texts: Vec<String> = cells
                .iter()
                .map(|c| c.as_ref().map_or("·".to_string(), |c| cell(&c.text())))
                .collect();
            let _ = writeln!(out, "| {} | {} |", cell(row), texts.join(" | "));
        }
    }

    let problems: Vec<&Outcome> = report
        .results
        .iter()
        .filter(|r| matches!(r.status, Status::Fail | Status::Error | Status::Warn))
        .collect();
    let _ = writeln!(out, "\n## Findings\n");
    if problems.is_empty() {
        let _ = writeln!(out, "No failures, errors or warnings.");
    }
    // Worst first, report order within a status.
    let mut sorted = problems.clone();
    sorted.sort_by_key(|r| std::cmp::Reverse(r.status));
    for r in sorted {
        let _ = writeln!(
            out,
            "### {} `{}` — {}\n",
            word(r.status).trim_matches('*'),
            r.id,
            where_(r)
        );
        let _ = writeln!(out, "{}\n", cat.text(&r.message).trim());
        if !r.error_codes.is_empty() {
            let _ = writeln!(
                out,
                "Predicts Windows error code(s): {}\n",
                r.error_codes
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        if let Some(fix) = &r.remediation {
            let _ = writeln!(out, "Remediation:\n\n{}", fence(&cat.text(fix)));
        }
    }

    if !report.results.is_empty() {
        let _ = writeln!(out, "\n## All results\n");
        let _ = writeln!(
            out,
            "| Status | Check | Target | Address | Source | Message |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---|");
        for r in &report.results {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                word(r.status),
                cell(&r.id),
                cell(r.target.as_deref().unwrap_or("general")),
                cell(r.address.as_deref().unwrap_or("")),
                cell(r.source.as_deref().unwrap_or("")),
                cell(&cat.text(&r.message))
            );
        }
    }
    out
}

/// The verdict block of the Markdown report.
fn verdict_section(v: &Verdict) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## Would clients activate? {}\n", v.answer.label());
    let _ = writeln!(out, "{}\n", v.reason);
    for c in &v.clients {
        if v.clients.len() > 1 {
            let _ = writeln!(
                out,
                "### From {}: {}\n\n{}\n",
                c.source.as_deref().unwrap_or("(OS choice)"),
                c.answer.label(),
                c.reason
            );
        }
        let _ = writeln!(out, "- {}", discovery_line(c));
        if !c.hosts.is_empty() {
            if c.answer != super::verdict::Answer::Unknown {
                let _ = writeln!(out, "- {}", activation_line(c));
            }
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "| First try, caching off | First try, caching on | Host | Priority | Weight | An attempt there |"
            );
            let _ = writeln!(out, "|---|---|---|---|---|---|");
            for h in &c.hosts {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} |",
                    pct(h.first_attempt.caching_off),
                    pct(h.first_attempt.caching_on),
                    cell(&h.target),
                    h.priority,
                    h.weight,
                    cell(&attempt_text(h))
                );
            }
        }
        let _ = writeln!(out);
    }
    if !v.fixes.is_empty() {
        let _ = writeln!(out, "**Fixes, by clients unblocked**\n");
        for f in &v.fixes {
            let _ = writeln!(
                out,
                "{}. {} (`{}`; {}) — {}",
                f.rank,
                f.title,
                f.check,
                f.applies_to.join(", "),
                fix_benefit(f)
            );
        }
        let _ = writeln!(out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ReportTarget, Summary, SCHEMA};

    fn o(source: &str, status: Status) -> Outcome {
        Outcome {
            id: "tcp.port".into(),
            kind: "tcp".into(),
            title: "t".into(),
            target: Some("kms1.corp.test:1688".into()),
            address: Some("198.18.0.10".into()),
            source: Some(source.into()),
            status,
            message: kms_preflight_engine::Message::recorded("m | n\nsecond line"),
            remediation: Some(kms_preflight_engine::Message::recorded("do ```this```")),
            error_codes: vec![],
            evidence: Default::default(),
            run: Default::default(),
            duration_ms: 0,
        }
    }

    #[test]
    fn sources_get_their_own_matrix_and_cells_stay_in_their_column() {
        let results = vec![o("198.18.0.1", Status::Pass), o("198.18.1.1", Status::Fail)];
        let r = Report {
            schema: SCHEMA,
            version: "0".into(),
            started_at: String::new(),
            duration_ms: 0,
            profile: Some("pre-migration".into()),
            domains: vec![],
            dns_servers: vec![],
            sources: vec!["198.18.0.1".into(), "198.18.1.1".into()],
            targets: vec![ReportTarget {
                target: "kms1.corp.test:1688".into(),
                host: "kms1.corp.test".into(),
                port: 1688,
                origins: vec!["--new-host".into()],
            }],
            summary: Summary::of(&results),
            clients: Vec::new(),
            results,
        };
        let md = render(&r, Lang::En);
        assert!(
            md.contains("## Sources\n\n| Target | 198.18.0.1 | 198.18.1.1 |"),
            "{md}"
        );
        assert!(
            md.contains("| kms1.corp.test:1688 | PASS | FAIL tcp.port |"),
            "{md}"
        );
        assert!(md.contains("m \\| n<br>second line"), "{md}");
        // A fence longer than the backticks inside the remediation.
        assert!(md.contains("````text\ndo ```this```\n````"), "{md}");
    }
}
