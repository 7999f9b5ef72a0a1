//! The status page of `serve` (`GET /`): one server-rendered HTML document, readable with no
//! JavaScript and no external resource (inline CSS only). It shows the verdict, a table of
//! hosts (and domains) with their worst status, and every problem with its message and fix.
//!
//! Every piece of text (report data and labels alike) goes through [`escape`].

use std::fmt::Write;

use kms_preflight_engine::Message;

use super::catalog::{Catalog, Lang};
use super::markdown::verdict_in;
use super::prometheus::Exposition;
use super::{Outcome, Report, Status};

// The texts hold their own markup (`&mdash;`, `<strong>`); every argument is escaped first.
kms_preflight_engine::messages! {
    /// not checked
    not_checked = "page-not-checked" ();
    /// a status as a word (by token)
    status_word = "page-status" (status);
    /// NO AUDIT YET
    no_audit_yet = "page-no-audit-yet" ();
    /// Report of the audit that finished at {time}.
    audit_finished = "page-audit-finished" (time);
    /// No audit has finished yet: the first one is running.
    audit_running = "page-audit-running" ();
    /// The last audit failed after {seconds} s; …
    audit_failed = "page-audit-failed" (seconds);
    /// Verdict: {verdict} — {total} results: …
    verdict_line = "page-verdict-line" (verdict, total, pass, warn, fail, skip, error);
    /// (none)
    none = "page-none" ();
    /// Domains: {domains} — DNS servers: {dns}
    domains_line = "page-domains-line" (domains, dns);
    /// — sources: {sources}
    sources = "page-sources" (sources);
    /// The client's own verdict (--client-state)
    client_heading = "page-client-heading" ();
    /// Hosts
    hosts = "page-hosts" ();
    /// No KMS host was found or given.
    no_host = "page-no-host" ();
    /// Host
    col_host = "page-col-host" ();
    /// Verdict
    col_verdict = "page-col-verdict" ();
    /// Addresses
    col_addresses = "page-col-addresses" ();
    /// Problems
    col_problems = "page-col-problems" ();
    /// Found through
    col_found_through = "page-col-found-through" ();
    /// Domains
    domains = "page-domains" ();
    /// Domain
    col_domain = "page-col-domain" ();
    /// Problems and fixes
    problems_heading = "page-problems" ();
    /// None.
    no_problems = "page-no-problems" ();
    /// for {target}
    for_target = "page-for" (target);
    /// at {address}
    at_address = "page-at" (address);
    /// from {source}
    from_source = "page-from" (source);
    /// Error codes: {codes}
    error_codes = "page-error-codes" (codes);
    /// Fix:
    fix = "page-fix" ();
    /// default (the profile)
    profile_default = "page-footer-profile-default" ();
    /// kms-preflight {version} — schema {schema} — profile {profile}
    footer = "page-footer" (version, schema, profile);
}

/// Escapes text for HTML element content and double-quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}\
table{border-collapse:collapse;margin:.5em 0 1.5em}\
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}\
th{background:#f3f3f3}\
.pass{color:#176f2c}.warn{color:#8a6100}.fail,.error{color:#b00020}.skip{color:#666}\
.status{font-weight:bold;text-transform:uppercase}\
.banner{border:2px solid #b00020;padding:.5em;margin:.5em 0}\
pre{background:#f7f7f7;padding:.5em;white-space:pre-wrap}\
.problem{border-top:1px solid #ccc;padding-top:.5em}";

fn status_cell(s: Option<Status>, cat: &Catalog) -> String {
    match s {
        Some(s) => format!(
            "<span class=\"status {}\">{}</span>",
            escape(s.as_str()),
            escape(&cat.text(&status_word(s.as_str())))
        ),
        None => format!(
            "<span class=\"status skip\">{}</span>",
            escape(&cat.text(&not_checked()))
        ),
    }
}

fn code(s: &str) -> String {
    format!("<code>{}</code>", escape(s))
}

fn unix_to_rfc3339(t: f64) -> String {
    let d = std::time::Duration::from_secs_f64(t.max(0.0));
    humantime::format_rfc3339_seconds(std::time::UNIX_EPOCH + d).to_string()
}

/// The worst status of the results for one target (skips count only when nothing else
/// ran), the addresses they probed and the number of problems.
fn group<'a>(report: &'a Report, target: &str) -> (Option<Status>, Vec<&'a str>, usize) {
    let mut worst: Option<Status> = None;
    let mut addrs: Vec<&str> = Vec::new();
    let mut problems = 0;
    for r in report
        .results
        .iter()
        .filter(|r| r.target.as_deref() == Some(target))
    {
        // A skipped check says nothing about the host: it only shows when nothing else ran.
        worst = Some(match worst {
            None => r.status,
            Some(Status::Skip) => r.status,
            Some(w) if r.status == Status::Skip => w,
            Some(w) => w.max(r.status),
        });
        if let Some(a) = r.address.as_deref() {
            if !addrs.contains(&a) {
                addrs.push(a);
            }
        }
        if matches!(r.status, Status::Fail | Status::Error | Status::Warn) {
            problems += 1;
        }
    }
    (worst, addrs, problems)
}

fn problem(out: &mut String, r: &Outcome, cat: &Catalog) {
    let _ = write!(
        out,
        "<div class=\"problem\"><h3>{} <code>{}</code>",
        status_cell(Some(r.status), cat),
        escape(&r.id)
    );
    if let Some(t) = &r.target {
        let _ = write!(out, " {}", cat.text(&for_target(code(t))));
    }
    if let Some(a) = &r.address {
        let _ = write!(out, " {}", cat.text(&at_address(code(a))));
    }
    if let Some(s) = &r.source {
        let _ = write!(out, " {}", cat.text(&from_source(code(s))));
    }
    let _ = write!(
        out,
        "</h3><p>{}: {}</p>",
        escape(&super::rule_titles::title(&r.id, &r.title, cat.lang())),
        escape(&cat.text(&r.message))
    );
    if !r.error_codes.is_empty() {
        let codes: Vec<String> = r.error_codes.iter().map(|c| code(c)).collect();
        let _ = write!(out, "<p>{}</p>", cat.text(&error_codes(codes)));
    }
    if let Some(f) = &r.remediation {
        let _ = write!(
            out,
            "<p>{}</p><pre class=\"fix\">{}</pre>",
            cat.text(&fix()),
            escape(&cat.text(f))
        );
    }
    out.push_str("</div>\n");
}

/// The client block (`--client-state`), as `check` prints it before its verdict: each
/// product's line (pinned host or discovery, its outcome), its details and fix, the notes and
/// which inputs were read. Nothing without client state.
fn client_section(out: &mut String, report: &Report, cat: &Catalog) {
    let a = super::client::audit(report);
    if a.products.is_empty() && a.notes.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<h2>{}</h2>\n<ul id=\"client\">",
        cat.text(&client_heading())
    );
    for p in &a.products {
        let _ = write!(out, "<li class=\"product\">{}", escape(&cat.text(&p.line)));
        let below: Vec<&Message> = p.details.iter().chain(p.fix.as_ref()).collect();
        if !below.is_empty() {
            out.push_str("<ul>");
            for d in below {
                let _ = write!(out, "<li>{}</li>", escape(&cat.text(d)));
            }
            out.push_str("</ul>");
        }
        out.push_str("</li>\n");
    }
    for n in &a.notes {
        let _ = writeln!(out, "<li class=\"note\">{}</li>", escape(&cat.text(n)));
    }
    let inputs: Vec<String> = report.clients.iter().map(|c| c.source.clone()).collect();
    let _ = writeln!(
        out,
        "<li class=\"note\">{}</li>\n</ul>",
        escape(&cat.text(&super::client::client_heading(inputs)))
    );
}

/// The page for the latest report; `expo` gives the site labels and the audit's health.
pub fn render(report: &Report, expo: &Exposition, lang: Lang) -> String {
    let cat = Catalog::get(lang);
    let t = |m: Message| cat.text(&m);
    let site: Vec<String> = expo
        .labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let site = site.join(", ");
    let finished = expo
        .audit
        .as_ref()
        .and_then(|a| a.last_success_unix)
        .is_some()
        || expo.audit.is_none();
    let verdict = if finished {
        verdict_in(report, lang)
    } else {
        t(no_audit_yet())
    };
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>kms-preflight{}{}: {}</title><style>{STYLE}</style></head><body>\n",
        lang.tag(),
        if site.is_empty() { "" } else { " " },
        escape(&site),
        escape(&verdict)
    );
    let _ = writeln!(
        out,
        "<h1>kms-preflight{}</h1>",
        if site.is_empty() {
            String::new()
        } else {
            format!(" <small>{}</small>", escape(&site))
        }
    );
    if let Some(a) = &expo.audit {
        match a.last_success_unix {
            Some(t) => {
                let _ = writeln!(
                    out,
                    "<p id=\"audit\">{}</p>",
                    cat.text(&audit_finished(escape(&unix_to_rfc3339(t))))
                );
            }
            None => {
                let _ = writeln!(out, "<p id=\"audit\">{}</p>", t(audit_running()));
            }
        }
        if !a.success && a.last_success_unix.is_some() {
            let _ = writeln!(
                out,
                "<p class=\"banner\">{}</p>",
                t(audit_failed(a.duration_seconds))
            );
        }
    }
    let s = &report.summary;
    let _ = writeln!(
        out,
        "<p id=\"verdict\">{}</p>",
        t(verdict_line(
            escape(&verdict),
            s.total,
            s.pass,
            s.warn,
            s.fail,
            s.skip,
            s.error
        ))
    );
    let none_or = |v: &[String]| {
        escape(&if v.is_empty() {
            t(none())
        } else {
            v.join(", ")
        })
    };
    let _ = writeln!(
        out,
        "<p>{}{}</p>",
        t(domains_line(
            none_or(&report.domains),
            none_or(&report.dns_servers)
        )),
        if report.sources.is_empty() {
            String::new()
        } else {
            format!(" {}", t(sources(escape(&report.sources.join(", ")))))
        }
    );

    client_section(&mut out, report, cat);

    let _ = writeln!(out, "<h2>{}</h2>", t(hosts()));
    if report.targets.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", t(no_host()));
    } else {
        let _ = writeln!(
            out,
            "<table id=\"hosts\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            t(col_host()),
            t(col_verdict()),
            t(col_addresses()),
            t(col_problems()),
            t(col_found_through())
        );
        for t in &report.targets {
            let (worst, addrs, problems) = group(report, &t.target);
            let _ = writeln!(
                out,
                "<tr class=\"host\"><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&t.target),
                status_cell(worst, cat),
                escape(&addrs.join(", ")),
                problems,
                escape(&t.origins.join(", "))
            );
        }
        out.push_str("</table>\n");
    }
    if !report.domains.is_empty() {
        let _ = writeln!(
            out,
            "<h2>{}</h2>\n<table id=\"domains\"><tr><th>{}</th><th>{}</th><th>{}</th></tr>",
            t(domains()),
            t(col_domain()),
            t(col_verdict()),
            t(col_problems())
        );
        for d in &report.domains {
            let (worst, _, problems) = group(report, d);
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                escape(d),
                status_cell(worst, cat),
                problems
            );
        }
        out.push_str("</table>\n");
    }

    let mut problems: Vec<&Outcome> = report
        .results
        .iter()
        .filter(|r| matches!(r.status, Status::Fail | Status::Error | Status::Warn))
        .collect();
    // Worst first, then in report order.
    problems.sort_by_key(|r| std::cmp::Reverse(r.status));
    let _ = writeln!(out, "<h2>{}</h2>", t(problems_heading()));
    if problems.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", t(no_problems()));
    } else {
        out.push_str("<section id=\"problems\">\n");
        for r in problems {
            problem(&mut out, r, cat);
        }
        out.push_str("</section>\n");
    }
    let _ = writeln!(
        out,
        "<p><small>{} &mdash; \
         <a href=\"/metrics\">/metrics</a> &middot; <a href=\"/report.json\">/report.json</a> &middot; \
         <a href=\"/healthz\">/healthz</a></small></p>\n</body></html>",
        t(footer(
            escape(&report.version),
            escape(report.schema),
            escape(&report.profile.clone().unwrap_or_else(|| t(profile_default())))
        ))
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prometheus::AuditStatus;
    use crate::{ReportTarget, Summary};

    fn o(target: &str, status: Status, msg: &str, fix: Option<&str>) -> Outcome {
        Outcome {
            id: "tcp.port".into(),
            kind: "tcp".into(),
            title: "TCP <port>".into(),
            target: Some(target.into()),
            address: Some("198.18.0.12".into()),
            source: None,
            status,
            message: kms_preflight_engine::Message::recorded(msg),
            remediation: fix.map(kms_preflight_engine::Message::recorded),
            error_codes: vec!["0xC004F074".into()],
            evidence: Default::default(),
            run: Default::default(),
            duration_ms: 1,
        }
    }

    #[test]
    fn page_lists_hosts_escapes_text_and_shows_fixes() {
        let mut r = Report::empty();
        r.results = vec![
            o("kms1.corp.test:1688", Status::Pass, "connected", None),
            o("kms1.corp.test:1688", Status::Skip, "not asked", None),
            o(
                "kms2.corp.test:1688",
                Status::Fail,
                "no answer <script>alert(1)</script>",
                Some("Open TCP 1688 & retry \"now\""),
            ),
        ];
        r.summary = Summary::of(&r.results);
        r.targets = ["kms1", "kms2"]
            .iter()
            .map(|h| ReportTarget {
                target: format!("{h}.corp.test:1688"),
                host: format!("{h}.corp.test"),
                port: 1688,
                origins: vec!["SRV _vlmcs._tcp.corp.test".into()],
            })
            .collect();
        let html = render(
            &r,
            &Exposition {
                labels: vec![("site".into(), "<osaka>".into())],
                audit: Some(AuditStatus {
                    success: true,
                    last_success_unix: Some(1_795_320_000.0),
                    duration_seconds: 0.5,
                }),
                fail_on_warn: false,
            },
            Lang::En,
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("no answer &lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("Open TCP 1688 &amp; retry &quot;now&quot;"));
        assert!(html.contains("site=&lt;osaka&gt;"));
        assert!(html.contains(
            "<code>kms1.corp.test:1688</code></td><td><span class=\"status pass\">pass</span>"
        ));
        assert!(html.contains(
            "<code>kms2.corp.test:1688</code></td><td><span class=\"status fail\">fail</span>"
        ));
        assert!(html.contains("2026-11-22T04:00:00Z"));
        // No deciding probe (RPC bind) in this report: the verdict cannot say WORKS or FAILS.
        assert!(html.contains("Verdict: UNKNOWN"), "{html}");
        assert!(!html.contains("READY"), "{html}");
    }

    #[test]
    fn before_the_first_audit_the_page_says_so() {
        let html = render(
            &Report::empty(),
            &Exposition {
                labels: vec![],
                audit: Some(AuditStatus {
                    success: false,
                    last_success_unix: None,
                    duration_seconds: 0.0,
                }),
                fail_on_warn: false,
            },
            Lang::En,
        );
        assert!(html.contains("No audit has finished yet"));
        assert!(html.contains("NO AUDIT YET"));
    }
}
