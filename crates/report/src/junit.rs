//! `--format junit`: JUnit XML for CI systems. One `<testsuite>` per target group (general,
//! each domain, each host, in report order) and one `<testcase>` per result.
//!
//! Mapping: pass → passed; warn → passed, with the warning in `<system-out>` (the exit code
//! treats warnings as success, so CI must too), and earlier failed attempts of a flaky result
//! as `<flakyFailure>`; fail → `<failure>`; error → `<error>`; skip → `<skipped>`.

use std::time::Duration;

use quick_junit::{
    NonSuccessKind, Property, Report as JReport, TestCase, TestCaseStatus, TestRerun, TestSuite,
};

use super::catalog::{Catalog, Lang};
use super::{Outcome, Report, Status};

kms_preflight_engine::messages! {
    /// the status word of the details (English: the token, upper-cased by the code)
    status_word = "junit-status" (status);
    /// predicts: {codes}
    predicts = "junit-predicts" (codes);
    /// fix:
    fix = "junit-fix" ();
    /// evidence: {evidence}
    evidence_line = "junit-evidence" (evidence);
    /// attempt {attempt}: {message}
    attempt = "junit-attempt" (attempt, message);
}

/// The name a test case gets: check id, then address and source when the result has them.
pub fn case_name(r: &Outcome) -> String {
    let mut name = r.id.clone();
    if let Some(a) = &r.address {
        name.push(' ');
        name.push_str(a);
    }
    if let Some(s) = &r.source {
        name.push_str(" from ");
        name.push_str(s);
    }
    name
}

/// The details of a result as plain text: message, predicted codes, remediation, evidence.
fn details(r: &Outcome, cat: &Catalog) -> String {
    let mut s = format!(
        "{}: {}\n",
        cat.text(&status_word(r.status.as_str())).to_uppercase(),
        cat.text(&r.message)
    );
    if !r.error_codes.is_empty() {
        s.push_str(&format!(
            "{}\n",
            cat.text(&predicts(r.error_codes.join(", ")))
        ));
    }
    if let Some(f) = &r.remediation {
        s.push_str(&format!("{}\n{}\n", cat.text(&fix()), cat.text(f)));
    }
    let evidence =
        serde_json::to_value(super::json::result_json(r, cat).evidence).unwrap_or_default();
    if evidence.as_object().is_some_and(|m| !m.is_empty()) {
        s.push_str(&format!(
            "{}\n",
            cat.text(&evidence_line(evidence.to_string()))
        ));
    }
    s
}

fn case(r: &Outcome, name: String, cat: &Catalog) -> TestCase {
    let status = match r.status {
        Status::Pass | Status::Warn => {
            let mut st = TestCaseStatus::success();
            for e in &r.run.earlier_attempts {
                let kind = if e.status == Status::Error {
                    NonSuccessKind::Error
                } else {
                    NonSuccessKind::Failure
                };
                let mut rerun = TestRerun::new(kind);
                rerun.set_message(cat.text(&attempt(e.attempt, cat.text(&e.message))));
                st.add_rerun(rerun);
            }
            st
        }
        Status::Fail | Status::Error => {
            let kind = if r.status == Status::Fail {
                NonSuccessKind::Failure
            } else {
                NonSuccessKind::Error
            };
            let mut st = TestCaseStatus::non_success(kind);
            st.set_message(cat.text(&r.message));
            st.set_type(if r.error_codes.is_empty() {
                r.status.as_str().to_string()
            } else {
                r.error_codes.join(" ")
            });
            st.set_description(details(r, cat));
            st
        }
        Status::Skip => {
            let mut st = TestCaseStatus::skipped();
            st.set_message(cat.text(&r.message));
            st
        }
    };
    let mut tc = TestCase::new(name, status);
    tc.set_classname(format!(
        "kms-preflight.{}",
        r.target.as_deref().unwrap_or("general")
    ));
    tc.set_time(Duration::from_millis(r.duration_ms));
    tc.add_property(Property::new("status", r.status.as_str()));
    tc.add_property(Property::new("kind", r.kind.as_str()));
    if !r.error_codes.is_empty() {
        tc.add_property(Property::new("error_codes", r.error_codes.join(" ")));
    }
    if r.status == Status::Warn {
        tc.set_system_out(details(r, cat));
    }
    tc
}

pub fn render(report: &Report, lang: Lang) -> String {
    let cat = Catalog::get(lang);
    let mut j = JReport::new("kms-preflight");
    j.set_time(Duration::from_millis(report.duration_ms));
    let mut groups: Vec<(Option<String>, Vec<&Outcome>)> = Vec::new();
    for r in &report.results {
        match groups.iter_mut().find(|(t, _)| *t == r.target) {
            Some((_, v)) => v.push(r),
            None => groups.push((r.target.clone(), vec![r])),
        }
    }
    for (target, results) in groups {
        let mut suite = TestSuite::new(target.as_deref().unwrap_or("general"));
        suite.add_property(Property::new("schema", report.schema));
        suite.add_property(Property::new("version", report.version.as_str()));
        suite.add_property(Property::new("started_at", report.started_at.as_str()));
        suite.set_time(Duration::from_millis(
            results.iter().map(|r| r.duration_ms).max().unwrap_or(0),
        ));
        // Names are unique inside a suite (CI systems merge cases with equal names): a check
        // that reported twice for the same address gets " (2)", " (3)", ….
        let mut seen: Vec<String> = Vec::new();
        for r in results {
            let base = case_name(r);
            let n = seen.iter().filter(|s| **s == base).count();
            let name = if n == 0 {
                base.clone()
            } else {
                format!("{base} ({})", n + 1)
            };
            seen.push(base);
            suite.add_test_case(case(r, name, cat));
        }
        j.add_test_suite(suite);
    }
    let mut s = j
        .to_string()
        .unwrap_or_else(|e| format!("<!-- cannot write JUnit XML: {e} -->"));
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Summary, SCHEMA};

    #[test]
    fn case_names_are_unique_within_a_suite() {
        let o = |status| Outcome {
            id: "srv.agreement".into(),
            kind: "srv-agreement".into(),
            title: "t".into(),
            target: Some("corp.test".into()),
            address: None,
            source: None,
            status,
            message: kms_preflight_engine::Message::recorded("m"),
            remediation: None,
            error_codes: vec![],
            evidence: Default::default(),
            run: Default::default(),
            duration_ms: 0,
        };
        let results = vec![o(Status::Warn), o(Status::Skip), o(Status::Pass)];
        let r = Report {
            schema: SCHEMA,
            version: "0".into(),
            started_at: String::new(),
            duration_ms: 0,
            profile: None,
            domains: vec![],
            dns_servers: vec![],
            sources: vec![],
            targets: vec![],
            summary: Summary::of(&results),
            clients: Vec::new(),
            results,
        };
        let xml = render(&r, Lang::En);
        assert!(xml.contains("name=\"srv.agreement\" "), "{xml}");
        assert!(xml.contains("name=\"srv.agreement (2)\""), "{xml}");
        assert!(xml.contains("name=\"srv.agreement (3)\""), "{xml}");
    }
}
