//! The default `--format table`: the verdict block, one line per result that is not a pass,
//! the passes as one line per target, then a Fixes section with each distinct remediation
//! once and the results it applies to. Identical outcomes of many hosts share one line, and
//! so do the checks of one host skipped because a prerequisite failed. `--verbose`
//! ([`super::table::render`]) keeps the full listing.

use std::fmt::Write;

use colored::Colorize;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use kms_preflight_message::{Arg, Message};

use super::catalog::{Catalog, Lang};

use super::table::{self as t, badge_in, badge_width, header, summary_line_in};
use super::verdict::{few, verdict_in, Verdict};
use super::{pad, verdict_block, Outcome, Report, Status};

/// Lines of each remediation shown in the Fixes section; `--verbose` shows all.
pub const FIX_LINES: usize = 2;
pub use super::table::DEFAULT_WIDTH;

/// Cuts `s` to `width` display columns (full-width characters count 2), marking the cut with
/// "…"; never inside a character.
pub fn fit(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    let room = width.saturating_sub(1);
    let mut t = String::new();
    let mut used = 0;
    for ch in s.chars() {
        let w = ch.width().unwrap_or(0);
        if used + w > room {
            break;
        }
        used += w;
        t.push(ch);
    }
    t.push('…');
    t
}

/// Where a result is: its target, its address when the target has several, its source.
fn where_of(r: &Outcome, show_source: bool, report: &Report, cat: &Catalog) -> String {
    let mut w = r.target.clone().unwrap_or_else(|| cat.text(&t::general()));
    let several = || {
        let mut addrs: Vec<&str> = report
            .results
            .iter()
            .filter(|x| x.target == r.target)
            .filter_map(|x| x.address.as_deref())
            .collect();
        addrs.sort_unstable();
        addrs.dedup();
        addrs.len() > 1
    };
    if let Some(a) = r
        .address
        .as_ref()
        .filter(|a| r.target.as_deref().is_none_or(|t| !t.contains(a.as_str())))
        .filter(|_| several())
    {
        w.push(' ');
        w.push_str(a);
    }
    if let (true, Some(s)) = (show_source, &r.source) {
        w.push(' ');
        w.push_str(&cat.text(&t::from(s.as_str())));
    }
    w
}

/// Whether a target is `host:port` (a host check) rather than a domain.
fn is_host_port(t: &str) -> bool {
    t.rsplit_once(':')
        .is_some_and(|(_, p)| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The host part of a `host:port` target.
fn host_of(target: &str) -> &str {
    target.rsplit_once(':').map_or(target, |(h, _)| h)
}

/// A message with the result's own host and address replaced, so that the same outcome on
/// different hosts compares equal.
fn normalized(r: &Outcome, cat: &Catalog) -> String {
    let mut m = cat.text(&r.message);
    if let Some(a) = &r.address {
        m = m.replace(a.as_str(), "<address>");
    }
    if let Some(t) = &r.target {
        m = m.replace(t.as_str(), "<host>:<port>");
        m = m.replace(host_of(t), "<host>");
    }
    m
}

/// A message made short for one line in English (see [`short_in`]).
pub fn short(msg: &str) -> String {
    short_in(msg, Lang::En)
}

/// A message made short for one line: its first clause, without long parentheticals (the
/// evidence they carry is in `--verbose` and the JSON).
pub fn short_in(msg: &str, lang: Lang) -> String {
    let msg = kms_preflight_catalog::first_clause(msg, lang);
    let mut out = String::new();
    let mut group = String::new();
    let mut depth = 0;
    for ch in msg.chars() {
        match ch {
            '(' => {
                depth += 1;
                group.push(ch);
            }
            ')' if depth > 0 => {
                depth -= 1;
                group.push(ch);
                if depth == 0 {
                    if group.chars().count() <= 18 {
                        out.push_str(&group);
                    } else if out.ends_with(' ') {
                        out.pop();
                    }
                    group.clear();
                }
            }
            _ if depth > 0 => group.push(ch),
            _ => out.push(ch),
        }
    }
    out.push_str(&group);
    out.trim().to_string()
}

/// What makes two results "the same outcome": status, check, source, masked message.
type SameKey = (Status, String, Option<String>, String);

/// One line of the concise listing before it is rendered.
struct Row {
    status: Status,
    check: String,
    place: String,
    message: String,
}

fn rows(report: &Report, cat: &Catalog) -> Vec<Row> {
    let show_source = !report.sources.is_empty();
    let problems: Vec<&Outcome> = report
        .results
        .iter()
        .filter(|r| r.status != Status::Pass)
        .collect();
    let mut rows: Vec<Row> = Vec::new();
    // Skips for a failed prerequisite: one line per target (and source).
    let mut prereq: Vec<(String, Vec<&Outcome>)> = Vec::new();
    // Everything else: identical outcomes (status, check, message with host and address
    // masked) share a line.
    let mut same: Vec<(SameKey, Vec<&Outcome>)> = Vec::new();
    for r in problems {
        if r.status == Status::Skip && r.run.prerequisite.is_some() {
            let place = where_of(
                &Outcome {
                    address: None,
                    ..r.clone()
                },
                show_source,
                report,
                cat,
            );
            match prereq.iter_mut().find(|(p, _)| *p == place) {
                Some((_, v)) => v.push(r),
                None => prereq.push((place, vec![r])),
            }
            continue;
        }
        let key = (r.status, r.id.clone(), r.source.clone(), normalized(r, cat));
        match same.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(r),
            None => same.push((key, vec![r])),
        }
    }
    for ((status, check, _, norm), rs) in same {
        if rs.len() == 1 {
            rows.push(Row {
                status,
                check,
                place: where_of(rs[0], show_source, report, cat),
                message: short_in(&cat.text(&rs[0].message), cat.lang()),
            });
        } else {
            let mut names: Vec<String> = rs
                .iter()
                .map(|r| r.target.clone().unwrap_or_else(|| cat.text(&t::general())))
                .collect();
            names.dedup();
            let place = if names.len() == rs.len() {
                cat.text(&t::hosts(rs.len(), few(&names)))
            } else {
                cat.text(&t::results_hosts(rs.len(), names.len(), few(&names)))
            };
            rows.push(Row {
                status,
                check,
                place,
                message: short_in(&norm, cat.lang()),
            });
        }
    }
    // Prerequisite skips: one row per target, then the same row on several targets as one.
    let mut skips: Vec<(String, String, Vec<String>)> = Vec::new();
    for (place, rs) in prereq {
        let ids: Vec<&str> = rs.iter().map(|r| r.id.as_str()).collect();
        let roots: Vec<String> = {
            let mut v: Vec<String> = rs
                .iter()
                .filter_map(|r| r.run.prerequisite.as_deref())
                .filter(|p| !ids.contains(p))
                .map(str::to_string)
                .collect();
            v.dedup();
            v
        };
        let check = if rs.len() == 1 {
            rs[0].id.clone()
        } else {
            cat.text(&t::checks(rs.len()))
        };
        let roots: Arg = if roots.is_empty() {
            t::a_prerequisite().into()
        } else {
            roots.into()
        };
        let ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
        let message = cat.text(&t::skipped(roots, ids));
        match skips
            .iter_mut()
            .find(|(c, m, _)| *c == check && *m == message)
        {
            Some((_, _, places)) => places.push(place),
            None => skips.push((check, message, vec![place])),
        }
    }
    for (check, message, places) in skips {
        rows.push(Row {
            status: Status::Skip,
            check,
            place: if places.len() == 1 {
                places[0].clone()
            } else {
                cat.text(&t::hosts(places.len(), few(&places)))
            },
            message,
        });
    }
    // Worst first; report order inside a status.
    rows.sort_by_key(|r| std::cmp::Reverse(r.status));
    rows
}

/// Passes in one line for the run: the count per target, many targets with the same count
/// sharing an entry.
fn pass_line(report: &Report, cat: &Catalog) -> Option<String> {
    let total = report.summary.pass;
    (total > 0).then(|| cat.text(&t::passed(total, pass_lines(report, cat))))
}

/// The passes per target; many targets with the same count share an entry.
fn pass_lines(report: &Report, cat: &Catalog) -> Vec<Message> {
    let mut per: Vec<(String, usize)> = Vec::new();
    for r in report.results.iter().filter(|r| r.status == Status::Pass) {
        let t = r.target.clone().unwrap_or_else(|| cat.text(&t::general()));
        match per.iter_mut().find(|(x, _)| *x == t) {
            Some((_, n)) => *n += 1,
            None => per.push((t, 1)),
        }
    }
    if per.len() <= 6 {
        return per
            .iter()
            .map(|(x, n)| t::pass_target(x.as_str(), *n))
            .collect();
    }
    let mut by_count: Vec<(usize, Vec<&str>)> = Vec::new();
    for (t, n) in &per {
        match by_count.iter_mut().find(|(c, _)| c == n) {
            Some((_, v)) => v.push(t),
            None => by_count.push((*n, vec![t])),
        }
    }
    by_count
        .iter()
        .map(|(n, ts)| {
            if ts.len() == 1 {
                t::pass_target(ts[0], *n)
            } else {
                let names = format!(
                    "{}, {}{}",
                    ts[0],
                    ts[1],
                    if ts.len() > 2 {
                        format!(", +{}", ts.len() - 2)
                    } else {
                        String::new()
                    }
                );
                t::pass_targets(ts.len(), names, *n)
            }
        })
        .collect()
}

/// The verdict fix (its rank) a result's remediation belongs to, if any.
fn rank_of(v: &Verdict, r: &Outcome) -> Option<usize> {
    let about = r.evidence.audit_target();
    v.fixes
        .iter()
        .find(|f| {
            f.check == r.id
                && f.applies_to
                    .iter()
                    .any(|a| Some(a.as_str()) == r.target.as_deref() || Some(host_of(a)) == about)
        })
        .map(|f| f.rank)
}

/// The lines of a remediation shown in the Fixes section, with the result's own host,
/// address and record masked, so that the same fix for several hosts compares equal.
fn shown_lines(r: &Outcome, text: &str, masked: bool) -> Vec<String> {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines
        .iter()
        .take(FIX_LINES)
        .map(|l| {
            let mut l = l.trim_end().to_string();
            if masked {
                if let Some(rec) = r.evidence.audit_record() {
                    l = l.replace(rec, "<record>");
                }
                if let Some(t) = r.evidence.audit_target() {
                    l = l.replace(t, "<host>");
                }
                if let Some(a) = &r.address {
                    l = l.replace(a.as_str(), "<address>");
                }
                // Only a host:port target names the host; a domain target stays.
                if let Some(t) = r.target.as_ref().filter(|t| is_host_port(t)) {
                    l = l.replace(t.as_str(), "<host>:<port>");
                    l = l.replace(host_of(t), "<host>");
                }
            }
            l
        })
        .collect()
}

/// One entry of the Fixes section: the lines shown, how many the full text has, the verdict
/// rank, and the results it applies to.
struct FixEntry<'a> {
    lines: Vec<String>,
    total: usize,
    rank: Option<usize>,
    results: Vec<&'a Outcome>,
}

/// Each distinct remediation once, in the verdict's fix order first, with the results it
/// applies to; the same remediation for several hosts (host, address and record masked)
/// shares an entry.
fn fixes<'a>(report: &'a Report, v: &Verdict, cat: &Catalog) -> Vec<FixEntry<'a>> {
    let mut out: Vec<FixEntry<'a>> = Vec::new();
    for r in report
        .results
        .iter()
        .filter(|r| matches!(r.status, Status::Fail | Status::Warn | Status::Error))
    {
        let Some(fix) = r.remediation.as_ref().map(|m| cat.text(m)) else {
            continue;
        };
        let key = shown_lines(r, &fix, true);
        let rank = rank_of(v, r);
        match out
            .iter_mut()
            .find(|e| e.lines == key && e.results[0].id == r.id && e.rank == rank)
        {
            Some(e) => e.results.push(r),
            None => out.push(FixEntry {
                lines: key,
                total: fix.lines().filter(|l| !l.trim().is_empty()).count(),
                rank,
                results: vec![r],
            }),
        }
    }
    // A remediation for one result is shown as it is, not masked.
    for e in &mut out {
        if e.results.len() == 1 {
            let r = e.results[0];
            let fix = r.remediation.as_ref().map(|m| cat.text(m));
            e.lines = shown_lines(r, fix.as_deref().unwrap_or(""), false);
        }
    }
    out.sort_by_key(|e| {
        (
            e.rank.unwrap_or(usize::MAX),
            std::cmp::Reverse(e.results.iter().map(|r| r.status).max()),
        )
    });
    out
}

/// The default table.
pub fn render(report: &Report, width: usize, lang: Lang) -> String {
    let cat = Catalog::get(lang);
    let v = verdict_in(report, lang);
    let mut out = header(report, lang);
    out.push('\n');
    // The clients' own verdicts first: what each given client would do (--client-state).
    out.push_str(&super::client::text(report, lang));
    out.push_str(&verdict_block::text_in(&v, width, lang));

    let rows = rows(report, cat);
    // Columns in display width: a full-width character takes 2.
    let idw = rows
        .iter()
        .map(|r| r.check.width())
        .max()
        .unwrap_or(8)
        .min(24);
    let placew = rows
        .iter()
        .map(|r| r.place.width())
        .max()
        .unwrap_or(8)
        .min(26);
    if !rows.is_empty() {
        let _ = writeln!(out, "\n{}", cat.text(&t::not_passed()).bold().underline());
    }
    let bw = badge_width(lang);
    for r in &rows {
        // The place may be wider than its column: count what is really printed.
        let lead = 2 + bw + 2 + r.check.width().max(idw) + 2 + r.place.width().max(placew) + 2;
        let room = width.saturating_sub(lead).max(20);
        let _ = writeln!(
            out,
            "  {}  {}  {}  {}",
            badge_in(r.status, lang),
            pad(&r.check, idw),
            pad(&r.place, placew).dimmed(),
            fit(&r.message, room)
        );
    }
    if let Some(l) = pass_line(report, cat) {
        let _ = writeln!(out, "\n{}", fit(&l, width));
    }
    let fixes = fixes(report, &v, cat);
    if !fixes.is_empty() {
        let _ = writeln!(
            out,
            "\n{} {}",
            cat.text(&t::fixes_heading()).bold().underline(),
            cat.text(&t::fixes_hint()).dimmed()
        );
        for e in &fixes {
            // Per target, the hosts a domain-wide SRV finding is about: "corp.test (a, b, +2)".
            let mut applies: Vec<(String, Vec<String>)> = Vec::new();
            for r in &e.results {
                let t = r.target.clone().unwrap_or_else(|| cat.text(&t::general()));
                let about = r
                    .evidence
                    .audit_target()
                    .filter(|x| r.target.as_deref() != Some(*x))
                    .map(str::to_string);
                match applies.iter_mut().find(|(x, _)| *x == t) {
                    Some((_, hs)) => hs.extend(about),
                    None => applies.push((t, about.into_iter().collect())),
                }
            }
            let applies: Vec<String> = applies
                .into_iter()
                .map(|(t, hs)| {
                    if hs.is_empty() {
                        t
                    } else {
                        format!("{t} ({})", few(&hs))
                    }
                })
                .collect();
            let shown = format!("{} {}", e.results[0].id, few(&applies));
            let rank = match e.rank {
                Some(r) => cat.text(&t::fix_rank(r)),
                None => cat.text(&t::fix_also()),
            };
            let more = if e.total > FIX_LINES {
                format!(" {}", cat.text(&t::fix_lines(FIX_LINES, e.total)))
            } else {
                String::new()
            };
            let head = format!("{rank} · {shown}");
            let _ = writeln!(
                out,
                "  {}{}",
                fit(&head, width.saturating_sub(2 + more.width())).cyan(),
                more.dimmed()
            );
            for l in &e.lines {
                let _ = writeln!(out, "     {}", fit(l, width - 5));
            }
        }
    }
    out.push_str(&super::matrix::render(report));
    out.push('\n');
    out.push_str(&verdict_block::wrap(
        &summary_line_in(report, &v, lang),
        width,
    ));
    out
}
