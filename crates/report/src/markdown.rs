//! `--format markdown`: a report to paste into a change ticket. Summary, the verdict block, a
//! matrix of targets × checks, the findings (fail, warn, error) with their remediation, then every result.
//! GitHub/GitLab-flavoured Markdown; table cells are escaped so messages cannot break a table.

use std::fmt::Write;

use kms_preflight_engine::Message;

use super::catalog::{Catalog, Lang};
use super::verdict::{pct, readiness, Readiness, Verdict};
use super::verdict_block::{
    activation_line_in, attempt_text_in, discovery_line_in, fix_benefit_in,
};
use super::{Outcome, Report, Status};

kms_preflight_engine::messages! {
    /// KMS pre-flight report
    md_title = "markdown-title" ();
    md_verdict_fix = "markdown-verdict-fix" (answer);
    md_verdict_warnings = "markdown-verdict-warnings" (answer);
    md_verdict_nothing = "markdown-verdict-nothing" (answer);
    /// Client state (the heading of the --client-state block)
    md_client_state = "markdown-client-state" ();
    /// NOT READY, READY with risk, … (by readiness token)
    /// **Verdict: {verdict}** — {total} results: …
    md_verdict_line = "markdown-verdict-line" (verdict, total, pass, warn, fail, skip, error);
    /// PASS, WARN, FAIL, skip, ERROR (by status token)
    md_status = "markdown-status" (status);
    /// (none)
    md_none = "markdown-none" ();
    /// general (results about no target)
    md_general = "markdown-general" ();
    /// Run
    md_run = "markdown-run" ();
    /// {started} · {seconds} s · kms-preflight {version}
    md_run_value = "markdown-run-value" (started, seconds, version);
    /// Profile
    md_profile = "markdown-profile" ();
    /// Domains
    md_domains = "markdown-domains" ();
    /// DNS servers
    md_dns_servers = "markdown-dns-servers" ();
    /// Sources
    md_sources = "markdown-sources" ();
    /// default (OS choice)
    md_sources_default = "markdown-sources-default" ();
    /// KMS hosts
    md_kms_hosts = "markdown-kms-hosts" ();
    /// Matrix
    md_matrix = "markdown-matrix" ();
    /// Target
    md_target = "markdown-target" ();
    /// {status} ({good}/{total} pass)
    md_matrix_count = "markdown-matrix-count" (status, good, total);
    /// Sources (the per-source matrix)
    md_sources_heading = "markdown-sources-heading" ();
    /// Findings
    md_findings = "markdown-findings" ();
    /// No failures, errors or warnings.
    md_no_findings = "markdown-no-findings" ();
    /// from {source}
    md_from = "markdown-from" (source);
    /// Predicts Windows error code(s): {codes}
    md_predicts = "markdown-predicts" (codes);
    /// Remediation:
    md_remediation = "markdown-remediation" ();
    /// All results
    md_all_results = "markdown-all-results" ();
    /// Status
    md_col_status = "markdown-col-status" ();
    /// Check
    md_col_check = "markdown-col-check" ();
    /// Target
    md_col_target = "markdown-col-target" ();
    /// Address
    md_col_address = "markdown-col-address" ();
    /// Source
    md_col_source = "markdown-col-source" ();
    /// Message
    md_col_message = "markdown-col-message" ();
    /// Would clients activate? {answer}
    md_would_activate = "markdown-would-activate" (answer);
    /// From {source}: {answer}
    md_from_source = "markdown-from-source" (source, answer);
    /// (OS choice)
    md_os_choice = "markdown-os-choice" ();
    /// First try, caching off
    md_col_first_off = "markdown-col-first-off" ();
    /// First try, caching on
    md_col_first_on = "markdown-col-first-on" ();
    /// Host
    md_col_host = "markdown-col-host" ();
    /// Priority
    md_col_priority = "markdown-col-priority" ();
    /// Weight
    md_col_weight = "markdown-col-weight" ();
    /// An attempt there
    md_col_attempt = "markdown-col-attempt" ();
    /// Fixes, by clients unblocked
    md_fixes = "markdown-fixes" ();
}

/// Escapes text for one table cell: `|` and newlines would end the cell or the row.
pub fn cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace("\r\n", "<br>")
        .replace('\n', "<br>")
}

/// A status as a word of `lang`, failures in bold.
pub(crate) fn word(s: Status, cat: &Catalog) -> String {
    let w = cat.text(&md_status(s.as_str()));
    match s {
        Status::Fail | Status::Error => format!("**{w}**"),
        _ => w,
    }
}

/// The one-line readiness word shared with the table renderer's wording, reconciled with the
/// client's-eye verdict ([`super::verdict::readiness`]), in English (the serve log).
pub fn verdict(report: &Report) -> String {
    verdict_in(report, Lang::En)
}

/// [`verdict`] in `lang`: the verdict's answer in its own words (a given client that cannot
/// activate decides, as in the table), so the report never speaks two vocabularies.
pub fn verdict_in(report: &Report, lang: Lang) -> String {
    let client_fails = super::client::audit(report)
        .products
        .iter()
        .any(|p| p.answer == Some(super::verdict::Answer::Fails));
    let v = super::verdict::verdict(report);
    let answer = if client_fails {
        super::verdict::Answer::Fails
    } else {
        v.answer
    };
    let word = answer.label_in(lang);
    // What the results add to the answer, as the table's summary line says it.
    let m = match readiness(report, &v) {
        Readiness::NotReady if answer != super::verdict::Answer::Fails => md_verdict_fix(word),
        Readiness::ReadyWithWarnings => md_verdict_warnings(word),
        Readiness::Unknown => md_verdict_nothing(word),
        _ => return word,
    };
    Catalog::get(lang).text(&m)
}

fn fence(text: &str) -> String {
    // A fence longer than any backtick run inside the text.
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let f = "`".repeat(longest.max(2) + 1);
    format!("{f}text\n{}\n{f}\n", text.trim_end())
}

fn where_(r: &Outcome, cat: &Catalog) -> String {
    let mut parts = vec![r.target.clone().unwrap_or_else(|| cat.text(&md_general()))];
    if let Some(a) = &r.address {
        parts.push(a.clone());
    }
    if let Some(s) = &r.source {
        parts.push(cat.text(&md_from(s)));
    }
    parts.join(" ")
}

pub fn render(report: &Report, lang: Lang) -> String {
    let cat = Catalog::get(lang);
    let t = |m: Message| cat.text(&m);
    let mut out = String::new();
    let s = &report.summary;
    let _ = writeln!(out, "# {}\n", t(md_title()));
    let _ = writeln!(
        out,
        "{}\n",
        t(md_verdict_line(
            verdict_in(report, lang),
            s.total,
            s.pass,
            s.warn,
            s.fail,
            s.skip,
            s.error
        ))
    );
    let clients = super::client::text(report, lang);
    if !clients.is_empty() {
        let _ = writeln!(out, "## {}\n", cat.text(&md_client_state()));
        out.push_str(&fence(&clients));
        out.push('\n');
    }
    out.push_str(&verdict_section(
        &super::verdict::verdict_in(report, lang),
        cat,
    ));
    let none = |v: &[String]| {
        if v.is_empty() {
            t(md_none())
        } else {
            v.join(", ")
        }
    };
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(
        out,
        "| {} | {} |",
        t(md_run()),
        t(md_run_value(
            cell(&report.started_at),
            report.duration_ms as f64 / 1000.0,
            &report.version
        ))
    );
    if let Some(p) = &report.profile {
        let _ = writeln!(out, "| {} | {} |", t(md_profile()), cell(p));
    }
    let _ = writeln!(
        out,
        "| {} | {} |",
        t(md_domains()),
        cell(&none(&report.domains))
    );
    let _ = writeln!(
        out,
        "| {} | {} |",
        t(md_dns_servers()),
        cell(&none(&report.dns_servers))
    );
    let _ = writeln!(
        out,
        "| {} | {} |",
        t(md_sources()),
        cell(&if report.sources.is_empty() {
            t(md_sources_default())
        } else {
            report.sources.join(", ")
        })
    );
    let targets: Vec<String> = report
        .targets
        .iter()
        .map(|t| format!("{} ({})", t.target, t.origins.join(", ")))
        .collect();
    let _ = writeln!(out, "| {} | {} |", t(md_kms_hosts()), cell(&none(&targets)));

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
        let _ = writeln!(out, "\n## {}\n", t(md_matrix()));
        let _ = writeln!(
            out,
            "| {} | {} |",
            t(md_target()),
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
                        word(worst, cat)
                    } else {
                        let good = here.iter().filter(|r| r.status == Status::Pass).count();
                        t(md_matrix_count(word(worst, cat), good, here.len()))
                    }
                })
                .collect();
            let _ = writeln!(
                out,
                "| {} | {} |",
                cell(&row.clone().unwrap_or_else(|| t(md_general()))),
                cells.join(" | ")
            );
        }
    }

    // Per source (`--source`/`--interface`): the same cells as the table's source matrix.
    let by_source = super::matrix::cells(report);
    if !by_source.is_empty() {
        let _ = writeln!(out, "\n## {}\n", t(md_sources_heading()));
        let _ = writeln!(
            out,
            "| {} | {} |",
            t(md_target()),
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
                .map(|c| {
                    c.as_ref()
                        .map_or("·".to_string(), |c| cell(&c.text_in(lang)))
                })
                .collect();
            let _ = writeln!(out, "| {} | {} |", cell(row), texts.join(" | "));
        }
    }

    let problems: Vec<&Outcome> = report
        .results
        .iter()
        .filter(|r| matches!(r.status, Status::Fail | Status::Error | Status::Warn))
        .collect();
    let _ = writeln!(out, "\n## {}\n", t(md_findings()));
    if problems.is_empty() {
        let _ = writeln!(out, "{}", t(md_no_findings()));
    }
    // Worst first, report order within a status.
    let mut sorted = problems.clone();
    sorted.sort_by_key(|r| std::cmp::Reverse(r.status));
    for r in sorted {
        let _ = writeln!(
            out,
            "### {} `{}` — {}\n",
            word(r.status, cat).trim_matches('*'),
            r.id,
            where_(r, cat)
        );
        let _ = writeln!(out, "{}\n", cat.text(&r.message).trim());
        if !r.error_codes.is_empty() {
            let codes: Vec<String> = r.error_codes.iter().map(|c| format!("`{c}`")).collect();
            let _ = writeln!(out, "{}\n", t(md_predicts(codes)));
        }
        if let Some(fix) = &r.remediation {
            let _ = writeln!(out, "{}\n\n{}", t(md_remediation()), fence(&cat.text(fix)));
        }
    }

    if !report.results.is_empty() {
        let _ = writeln!(out, "\n## {}\n", t(md_all_results()));
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            t(md_col_status()),
            t(md_col_check()),
            t(md_col_target()),
            t(md_col_address()),
            t(md_col_source()),
            t(md_col_message())
        );
        let _ = writeln!(out, "|---|---|---|---|---|---|");
        for r in &report.results {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                word(r.status, cat),
                cell(&r.id),
                cell(&r.target.clone().unwrap_or_else(|| t(md_general()))),
                cell(r.address.as_deref().unwrap_or("")),
                cell(r.source.as_deref().unwrap_or("")),
                cell(&cat.text(&r.message))
            );
        }
    }
    out
}

/// The verdict block of the Markdown report.
fn verdict_section(v: &Verdict, cat: &Catalog) -> String {
    let t = |m: Message| cat.text(&m);
    let lang = cat.lang();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## {}\n",
        t(md_would_activate(v.answer.label_in(lang)))
    );
    let _ = writeln!(out, "{}\n", v.reason);
    for c in &v.clients {
        if v.clients.len() > 1 {
            let source = c.source.clone().unwrap_or_else(|| t(md_os_choice()));
            let _ = writeln!(
                out,
                "### {}\n\n{}\n",
                t(md_from_source(source, c.answer.label_in(lang))),
                c.reason
            );
        }
        let _ = writeln!(out, "- {}", discovery_line_in(c, lang));
        if !c.hosts.is_empty() {
            if c.answer != super::verdict::Answer::Unknown {
                let _ = writeln!(out, "- {}", activation_line_in(c, lang));
            }
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                t(md_col_first_off()),
                t(md_col_first_on()),
                t(md_col_host()),
                t(md_col_priority()),
                t(md_col_weight()),
                t(md_col_attempt())
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
                    cell(&attempt_text_in(h, lang))
                );
            }
        }
        let _ = writeln!(out);
    }
    if !v.fixes.is_empty() {
        let _ = writeln!(out, "**{}**\n", t(md_fixes()));
        for f in &v.fixes {
            let _ = writeln!(
                out,
                "{}. {} (`{}`; {}) — {}",
                f.rank,
                f.title,
                f.check,
                f.applies_to.join(", "),
                fix_benefit_in(f, lang)
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
