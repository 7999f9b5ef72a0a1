//! `--format table`: the verdict block first, then either the concise listing (the default,
//! the `concise` module) or, with `--verbose` ([`render`]), every result grouped by target,
//! coloured by status, with the remediation under each problem; a summary line last. Colour is
//! decided by the caller (`colored::control`).

use std::fmt::Write;

use colored::Colorize;

use kms_preflight_message::{Arg, Message};

use super::catalog::{Catalog, Lang};
use super::verdict::{readiness, verdict_in, Answer, Readiness, Verdict};
use super::{verdict_block, Outcome, Report, Status};

kms_preflight_message::messages! {
    header_line = "table-header" (program, version, domains, dns);
    header_sources = "table-header-sources" (program, version, domains, dns, sources);
    none = "table-none" ();
    general = "table-general" ();
    from = "table-from" (source);
    predicts = "table-predicts" ();
    fix_label = "table-fix" ();
    status_pass = "table-status-pass" ();
    status_warn = "table-status-warn" ();
    status_fail = "table-status-fail" ();
    status_skip = "table-status-skip" ();
    status_error = "table-status-error" ();
    summary = "table-summary" (total, pass, warn, fail, skip, error, seconds, word);
    readiness_cannot_activate = "table-readiness-cannot-activate" (word);
    /// {word} — {what} (a given client that cannot activate, --client-state)
    readiness_client = "table-readiness-client" (word, what);
    readiness_cannot_activate_code = "table-readiness-cannot-activate-code" (word, code);
    readiness_fix_results = "table-readiness-fix-results" (word);
    readiness_risk = "table-readiness-risk" (word);
    readiness_warnings = "table-readiness-warnings" (word);
    readiness_nothing = "table-readiness-nothing" (word);
    not_passed = "table-not-passed" ();
    hosts = "table-hosts" (count, hosts);
    results_hosts = "table-results-hosts" (count, hosts_count, hosts);
    checks = "table-checks" (count);
    skipped = "table-skipped" (roots, ids);
    a_prerequisite = "table-a-prerequisite" ();
    passed = "table-passed" (count, targets);
    pass_target = "table-pass-target" (target, count);
    pass_targets = "table-pass-targets" (count, names, passes);
    fixes_heading = "table-fixes" ();
    fixes_hint = "table-fixes-hint" ();
    fix_rank = "table-fix-rank" (rank);
    fix_also = "table-fix-also" ();
    fix_lines = "table-fix-lines" (shown, total);
}

/// A status as the word shown in `lang`.
pub(crate) fn status_word(s: Status, lang: Lang) -> String {
    let m = match s {
        Status::Pass => status_pass(),
        Status::Warn => status_warn(),
        Status::Fail => status_fail(),
        Status::Skip => status_skip(),
        Status::Error => status_error(),
    };
    Catalog::get(lang).text(&m)
}

/// The display width of the widest status word of `lang` (the badge column).
pub(crate) fn badge_width(lang: Lang) -> usize {
    use unicode_width::UnicodeWidthStr;
    [
        Status::Pass,
        Status::Warn,
        Status::Fail,
        Status::Skip,
        Status::Error,
    ]
    .iter()
    .map(|s| status_word(*s, lang).width())
    .max()
    .unwrap_or(5)
}

/// A status in words of `lang`, coloured, padded to the widest word of the language.
pub(crate) fn badge_in(s: Status, lang: Lang) -> String {
    let text = super::pad(&status_word(s, lang), badge_width(lang));
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
pub(crate) fn header(report: &Report, lang: Lang) -> String {
    let list = |v: &[String]| -> Arg {
        if v.is_empty() {
            none().into()
        } else {
            v.to_vec().into()
        }
    };
    let program = "kms-preflight".bold().to_string();
    let m = if report.sources.is_empty() {
        header_line(
            program,
            report.version.as_str(),
            list(&report.domains),
            list(&report.dns_servers),
        )
    } else {
        header_sources(
            program,
            report.version.as_str(),
            list(&report.domains),
            list(&report.dns_servers),
            report.sources.clone(),
        )
    };
    format!("{}\n", Catalog::get(lang).text(&m))
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
            None => cat.text(&general()),
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
                where_.push_str(&cat.text(&from(src.as_str())));
                where_.push(' ');
            }
            if let Some(a) = r.address.as_ref().filter(|a| !message.contains(a.as_str())) {
                where_.push_str(&format!("{a} "));
            }
            let _ = writeln!(
                out,
                "  {}  {:<id_width$}  {}{}",
                badge_in(r.status, cat.lang()),
                r.id,
                if where_.is_empty() {
                    String::new()
                } else {
                    where_.dimmed().to_string()
                },
                message
            );
            if matches!(r.status, Status::Fail | Status::Warn | Status::Error) {
                let pad = " ".repeat(4 + badge_width(cat.lang()) + id_width);
                if !r.error_codes.is_empty() {
                    let _ = writeln!(
                        out,
                        "{pad}{} {}",
                        cat.text(&predicts()).dimmed(),
                        r.error_codes.join(", ")
                    );
                }
                if let Some(fix) = &r.remediation {
                    let _ = writeln!(out, "{pad}{}", cat.text(&fix_label()).cyan().bold());
                    let _ = writeln!(out, "{}", indent(&cat.text(fix), &format!("{pad}  ")));
                }
            }
        }
    }
    out
}

/// The closing line in English (see [`summary_line_in`]).
pub fn summary_line(report: &Report, v: &Verdict) -> String {
    summary_line_in(report, v, Lang::En)
}

/// The closing line: counts, duration and the verdict's answer (in the verdict's own words),
/// with what readiness adds to it (results to fix, warnings, nothing checked).
pub fn summary_line_in(report: &Report, v: &Verdict, lang: Lang) -> String {
    let cat = Catalog::get(lang);
    let s = &report.summary;
    // A given client (--client-state) that cannot activate decides the line, whatever DNS
    // discovery would do for others.
    let client_fails = super::client::audit(report)
        .products
        .into_iter()
        .find(|p| p.answer == Some(Answer::Fails));
    let answer = verdict_block::label(v.answer, lang);
    let word: Message = match readiness(report, v) {
        _ if client_fails.is_some() => {
            let p = client_fails.expect("checked");
            readiness_client(
                verdict_block::label(Answer::Fails, lang),
                super::client::client_summary_fails(p.product, p.code.unwrap_or_default()),
            )
        }
        Readiness::NotReady if v.answer == Answer::Fails && s.error == 0 => match &v.code {
            Some(c) => readiness_cannot_activate_code(answer, c),
            None => readiness_cannot_activate(answer),
        },
        Readiness::NotReady => readiness_fix_results(answer),
        Readiness::ReadyWithRisk => readiness_risk(answer),
        Readiness::ReadyWithWarnings => readiness_warnings(answer),
        Readiness::Ready => Message::user_text(answer),
        Readiness::Unknown => readiness_nothing(answer),
    };
    cat.text(&summary(
        s.total,
        s.pass,
        s.warn,
        s.fail,
        s.skip,
        s.error,
        report.duration_ms as f64 / 1000.0,
        word,
    ))
}

/// `--verbose`: the verdict block, then every result with its evidence and full remediation.
pub fn render(report: &Report, lang: Lang) -> String {
    render_width(report, DEFAULT_WIDTH, lang)
}

/// [`render`] with the verdict block wrapped to `width`; the listing itself is never cut.
pub fn render_width(report: &Report, width: usize, lang: Lang) -> String {
    let cat = Catalog::get(lang);
    let v = verdict_in(report, lang);
    let mut out = header(report, lang);
    out.push('\n');
    out.push_str(&super::client::text(report, lang));
    out.push_str(&verdict_block::text_in(&v, width, lang));
    out.push_str(&listing(report, cat));
    out.push_str(&super::matrix::render(report));
    out.push('\n');
    out.push_str(&verdict_block::wrap(
        &summary_line_in(report, &v, lang),
        width,
    ));
    out
}
