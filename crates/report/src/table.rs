//! `--format table`: the verdict block first, then either the concise listing (the default,
//! the `concise` module) or, with `--verbose` ([`render`]), every result grouped by target,
//! coloured by status, with the remediation under each problem; a summary line last. Colour is
//! decided by the caller (`colored::control`).

use std::fmt::Write;

use colored::Colorize;

use super::catalog::{Catalog, Lang};
use super::verdict::{readiness, verdict, Answer, Readiness, Verdict};
use super::{verdict_block, Outcome, Report, Status};

pub(crate) fn badge(s: Status) -> String {
    let text = format!("{:<5}", s.as_str().to_uppercase());
    match s {
        Status::Pass => text.green().bold().to_string(),
        Status::Warn => text.yellow().bold().to_string(),
        Status::Fail => text.red().bold().to_string(),
        Status::Skip => text.dimmed().to_string(),
        Status::Error => text.magenta().bold().to_string(),
    }
}

fn indent(text: &str, prefix: &str) -> String {
    text.lines()
        .map(|l| format!("{prefix}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Width when the caller knows none (not a terminal, no `COLUMNS`).
pub const DEFAULT_WIDTH: usize = 120;

/// The first line: version, domains, DNS servers and sources.
pub(crate) fn header(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} — domains: {} — DNS: {}{}",
        "kms-preflight".bold(),
        report.version,
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
        if report.sources.is_empty() {
            String::new()
        } else {
            format!(" — sources: {}", report.sources.join(", "))
        },
    );
    out
}

/// Every result grouped by target, with evidence-bearing messages, predicted codes and the
/// full remediation under each problem: the `--verbose` listing.
fn listing(report: &Report, cat: &Catalog) -> String {
    let mut out = String::new();
    // Groups in order of first appearance: general, domains, then hosts.
    let mut groups: Vec<(Option<String>, Vec<&Outcome>)> = Vec::new();
    for r in &report.results {
        match groups.iter_mut().find(|(t, _)| *t == r.target) {
            Some((_, v)) => v.push(r),
            None => groups.push((r.target.clone(), vec![r])),
        }
    }
    let id_width = report
        .results
        .iter()
        .map(|r| r.id.len())
        .max()
        .unwrap_or(8)
        .min(28);
    let show_source = !report.sources.is_empty();
    for (target, results) in groups {
        let heading = match &target {
            None => "general".to_string(),
            Some(t) => match report.targets.iter().find(|x| &x.target == t) {
                Some(x) => format!("{t}  ({})", x.origins.join(", ")),
                None => t.clone(),
            },
        };
        let _ = writeln!(out, "\n{}", heading.bold().underline());
        for r in results {
            let message = cat.text(&r.message);
            let mut where_ = String::new();
            if let (true, Some(src)) = (show_source, &r.source) {
                where_.push_str(&format!("from {src} "));
            }
            if let Some(a) = r.address.as_ref().filter(|a| !message.contains(a.as_str())) {
                where_.push_str(&format!("{a} "));
            }
            let _ = writeln!(
                out,
                "  {}  {:<id_width$}  {}{}",
                badge(r.status),
                r.id,
                if where_.is_empty() {
                    String::new()
                } else {
                    where_.dimmed().to_string()
                },
                message
            );
            if matches!(r.status, Status::Fail | Status::Warn | Status::Error) {
                let pad = " ".repeat(9 + id_width);
                if !r.error_codes.is_empty() {
                    let _ = writeln!(
                        out,
                        "{pad}{} {}",
                        "predicts:".dimmed(),
                        r.error_codes.join(", ")
                    );
                }
                if let Some(fix) = &r.remediation {
                    let _ = writeln!(out, "{pad}{}", "fix:".cyan().bold());
                    let _ = writeln!(out, "{}", indent(&cat.text(fix), &format!("{pad}  ")));
                }
            }
        }
    }
    out
}

/// The closing line: counts, duration and the readiness word, reconciled with the verdict.
pub fn summary_line(report: &Report, v: &Verdict) -> String {
    let s = &report.summary;
    // A given client (--client-state) that cannot activate decides the line, whatever DNS
    // discovery would do for others.
    let client_fails = super::client::audit(report)
        .products
        .into_iter()
        .find(|p| p.answer == Some(Answer::Fails));
    let word = match readiness(report, v) {
        _ if client_fails.is_some() => {
            let p = client_fails.expect("checked");
            format!(
                "{} — {}",
                "NOT READY".red().bold(),
                Catalog::get(Lang::En).text(&super::client::client_summary_fails(
                    p.product,
                    p.code.unwrap_or_default()
                ))
            )
        }
        Readiness::NotReady if v.answer == Answer::Fails && s.error == 0 => format!(
            "{} — clients cannot activate{}",
            "NOT READY".red().bold(),
            v.code.as_ref().map_or(String::new(), |c| format!(" ({c})"))
        ),
        Readiness::NotReady => format!(
            "{} — fix the FAIL/ERROR results above",
            "NOT READY".red().bold()
        ),
        Readiness::ReadyWithRisk => {
            format!("{} — with risk (see the verdict)", "READY".yellow().bold())
        }
        Readiness::ReadyWithWarnings => format!("{} — with warnings", "READY".yellow().bold()),
        Readiness::Ready => format!("{}", "READY".green().bold()),
        Readiness::Unknown => format!("{} — nothing was checked", "UNKNOWN".yellow().bold()),
    };
    format!(
        "{} results: {} pass, {} warn, {} fail, {} skip, {} error in {:.2} s — {}",
        s.total,
        s.pass,
        s.warn,
        s.fail,
        s.skip,
        s.error,
        report.duration_ms as f64 / 1000.0,
        word
    )
}

/// `--verbose`: the verdict block, then every result with its evidence and full remediation.
pub fn render(report: &Report, lang: Lang) -> String {
    render_width(report, DEFAULT_WIDTH, lang)
}

/// [`render`] with the verdict block wrapped to `width`; the listing itself is never cut.
pub fn render_width(report: &Report, width: usize, lang: Lang) -> String {
    let cat = Catalog::get(lang);
    let v = verdict(report);
    let mut out = header(report);
    out.push('\n');
    out.push_str(&super::client::text(report, lang));
    out.push_str(&verdict_block::text(&v, width));
    out.push_str(&listing(report, cat));
    out.push_str(&super::matrix::render(report));
    out.push('\n');
    out.push_str(&verdict_block::wrap(&summary_line(report, &v), width));
    out
}
