//! The source × target matrix of the table report: one row per domain or KMS host, one column
//! per `--source`/`--interface`, each cell the worst status of that pair's per-source results,
//! the check that decided it, and the interface the route results name. Reads only the
//! [`Report`]; empty when the run had no sources.

use std::fmt::Write;

use colored::Colorize;
use unicode_width::UnicodeWidthStr;

use kms_preflight_checks::evidence::kinds;
use kms_preflight_checks::route::RouteEvidence;

use super::{pad, Catalog, Lang, Outcome, Report, Status};

kms_preflight_engine::messages! {
    /// source × target (worst per-source result; via = egress interface)
    heading = "matrix-heading" ();
    /// TARGET
    target = "matrix-target" ();
    /// from {source}
    from = "matrix-from" (source);
    /// PASS, FAIL, … (by status token)
    status_word = "matrix-status" (status);
    /// via {via}
    via = "matrix-via" (via);
}

/// One cell: the status, the deciding check ids, and the egress interfaces seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub status: Status,
    pub checks: Vec<String>,
    pub via: Vec<String>,
}

impl Cell {
    /// The cell in English.
    pub fn text(&self) -> String {
        self.text_in(Lang::En)
    }

    /// The cell in `lang`: check ids and interfaces as they are.
    pub fn text_in(&self, lang: Lang) -> String {
        let cat = Catalog::get(lang);
        let mut s = cat.text(&status_word(self.status.as_str()));
        if self.status != Status::Pass && !self.checks.is_empty() {
            s.push(' ');
            s.push_str(&self.checks.join(","));
        }
        if !self.via.is_empty() {
            s.push(' ');
            s.push_str(&cat.text(&via(self.via.join("/"))));
        }
        s
    }
}

/// Rows (target labels) and cells per source, in report order. Exposed for tests and other
/// renderers.
pub fn cells(report: &Report) -> Vec<(String, Vec<Option<Cell>>)> {
    let mut rows: Vec<String> = Vec::new();
    for t in report
        .domains
        .iter()
        .chain(report.targets.iter().map(|t| &t.target))
    {
        if report
            .results
            .iter()
            .any(|r| r.source.is_some() && r.target.as_ref() == Some(t))
            && !rows.contains(t)
        {
            rows.push(t.clone());
        }
    }
    rows.into_iter()
        .map(|row| {
            let cells = report
                .sources
                .iter()
                .map(|src| {
                    let rs: Vec<&Outcome> = report
                        .results
                        .iter()
                        .filter(|r| {
                            r.target.as_ref() == Some(&row) && r.source.as_ref() == Some(src)
                        })
                        .collect();
                    cell_of(&rs)
                })
                .collect();
            (row, cells)
        })
        .collect()
}

/// Cell ranking: the worst measured verdict wins; a skip (nothing measured) only shows when
/// nothing else was measured, so an unmeasured extra never hides a pass or a failure.
fn cell_rank(s: Status) -> u8 {
    match s {
        Status::Skip => 0,
        Status::Pass => 1,
        Status::Warn => 2,
        Status::Fail => 3,
        Status::Error => 4,
    }
}

/// The connection probes that decide a host's attempt (see the verdict): a cell passes only
/// when each of them that ran passed (or warned) on some address.
const DECIDING: [&str; 3] = [kinds::TCP, kinds::KMS_RPC, kinds::KMS_ACTIVATION];

fn cell_of(rs: &[&Outcome]) -> Option<Cell> {
    let mut status = rs.iter().map(|r| r.status).max_by_key(|s| cell_rank(*s))?;
    // A skip is never evidence: a pass of the other checks (resolution) does not make the
    // cell pass when a deciding probe passed nowhere; the cell names that probe instead.
    let unproven: Vec<&&Outcome> = DECIDING
        .iter()
        .filter_map(|k| {
            let of: Vec<&&Outcome> = rs.iter().filter(|r| r.kind == *k).collect();
            let passed = of
                .iter()
                .any(|r| matches!(r.status, Status::Pass | Status::Warn));
            (!of.is_empty() && !passed).then(|| of[0])
        })
        .collect();
    let demoted = matches!(status, Status::Pass | Status::Warn) && !unproven.is_empty();
    if demoted {
        status = Status::Skip;
    }
    let mut checks: Vec<String> = Vec::new();
    for r in rs.iter().filter(|r| r.status == status) {
        if demoted && !unproven.iter().any(|u| u.id == r.id) {
            continue;
        }
        if !checks.contains(&r.id) {
            checks.push(r.id.clone());
        }
    }
    let mut via: Vec<String> = Vec::new();
    for r in rs.iter().filter(|r| r.kind == "route") {
        let Some(p) = r.evidence.route().and_then(RouteEvidence::path) else {
            continue;
        };
        if let Some(i) = &p.interface {
            let v = format!("{i} ({})", p.interface_kind);
            if !via.contains(&v) {
                via.push(v);
            }
        }
    }
    Some(Cell {
        status,
        checks,
        via,
    })
}

fn paint(status: Status, text: &str) -> String {
    match status {
        Status::Pass => text.green().to_string(),
        Status::Warn => text.yellow().to_string(),
        Status::Fail => text.red().to_string(),
        Status::Skip => text.dimmed().to_string(),
        Status::Error => text.magenta().to_string(),
    }
}

/// The matrix section in English, or an empty string when the run had no sources.
pub fn render(report: &Report) -> String {
    render_in(report, Lang::En)
}

/// [`render`] in `lang` (widths in display columns: full-width characters count 2).
pub fn render_in(report: &Report, lang: Lang) -> String {
    let cat = Catalog::get(lang);
    if report.sources.is_empty() {
        return String::new();
    }
    let rows = cells(report);
    if rows.is_empty() {
        return String::new();
    }
    type Row = (String, Vec<(Option<Status>, String)>);
    let texts: Vec<Row> = rows
        .iter()
        .map(|(r, cs)| {
            (
                r.clone(),
                cs.iter()
                    .map(|c| match c {
                        Some(c) => (Some(c.status), c.text_in(lang)),
                        None => (None, "-".to_string()),
                    })
                    .collect(),
            )
        })
        .collect();
    let target_label = cat.text(&target());
    let from_label = |s: &str| cat.text(&from(s));
    let w0 = texts
        .iter()
        .map(|t| t.0.width())
        .max()
        .unwrap_or(0)
        .max(target_label.width());
    let widths: Vec<usize> = report
        .sources
        .iter()
        .enumerate()
        .map(|(i, s)| {
            texts
                .iter()
                .map(|t| t.1[i].1.width())
                .max()
                .unwrap_or(0)
                .max(from_label(s).width())
        })
        .collect();
    let mut out = String::new();
    let _ = writeln!(out, "\n{}", cat.text(&heading()).bold().underline());
    let mut header = format!("  {}", pad(&target_label, w0));
    for (s, w) in report.sources.iter().zip(&widths) {
        header.push_str(&format!("  {}", pad(&from_label(s), *w)));
    }
    let _ = writeln!(out, "{}", header.trim_end().dimmed());
    for (row, cs) in &texts {
        let mut line = format!("  {}", pad(row, w0));
        for ((status, text), w) in cs.iter().zip(&widths) {
            let pad = " ".repeat(w.saturating_sub(text.width()));
            let painted = match status {
                Some(s) => paint(*s, text),
                None => text.dimmed().to_string(),
            };
            line.push_str(&format!("  {painted}{pad}"));
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ReportTarget, Summary};

    fn outcome(
        id: &str,
        kind: &str,
        target: &str,
        source: Option<&str>,
        status: Status,
    ) -> Outcome {
        let evidence: crate::Evidence = if kind == "route" {
            RouteEvidence::Path(kms_preflight_checks::route::RoutePath {
                destination: "198.18.0.10".parse().unwrap(),
                local: "198.18.1.2".parse().unwrap(),
                local_subnet: None,
                interface: Some("tun0".into()),
                interface_kind: "vpn".into(),
                interface_type: Some("tun".into()),
                kind_evidence: Vec::new(),
                gateway: None,
                method: Vec::new(),
                expected_via: kms_preflight_checks::route::Via::Any,
            })
            .into()
        } else {
            crate::Evidence::default()
        };
        Outcome {
            id: id.into(),
            kind: kind.into(),
            title: String::new(),
            target: Some(target.into()),
            address: None,
            source: source.map(str::to_string),
            status,
            message: kms_preflight_engine::Message::recorded(""),
            remediation: None,
            error_codes: Vec::new(),
            evidence,
            run: Default::default(),
            duration_ms: 0,
        }
    }

    fn report(results: Vec<Outcome>, sources: &[&str]) -> Report {
        Report {
            schema: crate::SCHEMA,
            version: "test".into(),
            started_at: String::new(),
            duration_ms: 0,
            profile: None,
            domains: vec!["corp.test".into()],
            dns_servers: Vec::new(),
            sources: sources.iter().map(|s| s.to_string()).collect(),
            targets: vec![ReportTarget {
                target: "kms1:1688".into(),
                host: "kms1".into(),
                port: 1688,
                origins: Vec::new(),
            }],
            summary: Summary::of(&results),
            clients: Vec::new(),
            results,
        }
    }

    #[test]
    fn cell_is_the_worst_per_source_result_with_its_route() {
        let r = report(
            vec![
                outcome(
                    "tcp.port",
                    "tcp",
                    "kms1:1688",
                    Some("10.0.0.1"),
                    Status::Pass,
                ),
                outcome(
                    "route.path",
                    "route",
                    "kms1:1688",
                    Some("10.0.0.1"),
                    Status::Pass,
                ),
                outcome(
                    "tcp.port",
                    "tcp",
                    "kms1:1688",
                    Some("10.0.1.1"),
                    Status::Fail,
                ),
                outcome(
                    "intercept.tcp",
                    "interception",
                    "kms1:1688",
                    Some("10.0.1.1"),
                    Status::Warn,
                ),
                // Not per source: stays out of the matrix.
                outcome("srv.stale", "srv-stale", "corp.test", None, Status::Fail),
            ],
            &["10.0.0.1", "10.0.1.1"],
        );
        let rows = cells(&r);
        assert_eq!(rows.len(), 1, "the domain has no per-source result");
        let (target, cs) = &rows[0];
        assert_eq!(target, "kms1:1688");
        assert_eq!(cs[0].as_ref().unwrap().text(), "PASS via tun0 (vpn)");
        assert_eq!(cs[1].as_ref().unwrap().text(), "FAIL tcp.port");
        let text = render(&r);
        assert!(text.contains("from 10.0.1.1"), "{text}");
        assert!(
            render(&report(Vec::new(), &[])).is_empty(),
            "no sources, no matrix"
        );
    }

    #[test]
    fn skip_shows_only_when_nothing_was_measured() {
        let r = report(
            vec![
                outcome("tcp.port", "tcp", "kms1:1688", Some("a"), Status::Pass),
                outcome(
                    "clock.kms-host",
                    "clock",
                    "kms1:1688",
                    Some("a"),
                    Status::Skip,
                ),
                outcome("tcp.port", "tcp", "kms1:1688", Some("b"), Status::Skip),
            ],
            &["a", "b"],
        );
        let rows = cells(&r);
        assert_eq!(rows[0].1[0].as_ref().unwrap().text(), "PASS");
        assert_eq!(rows[0].1[1].as_ref().unwrap().text(), "SKIP tcp.port");
    }
}
