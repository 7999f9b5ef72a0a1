//! `diagnose CODE`: run only the checks that decide a code and give the verdict in its terms.

use serde_json::json;

use kms_preflight_checks::{Outcome, Report};
use kms_preflight_engine::Status;
use kms_preflight_knowledge::{self as knowledge, CodeEntry};

use super::check::run_check;
use super::explain::{known_codes, lookup};
use super::{color_wanted, render, EXIT_OK, EXIT_USAGE};
use crate::cli::{DiagnoseArgs, Format};

/// The verdict of a diagnose run, in the terms of the code.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnosis {
    pub code: String,
    pub title: String,
    /// explained | other-problems | undecided | not-reproduced | not-network
    pub verdict: &'static str,
    pub summary: String,
    /// Results that predict this code.
    pub explaining: Vec<String>,
    /// Other problems found by the deciding checks.
    pub other_problems: Vec<String>,
    /// Deciding checks this build or rule set does not have.
    pub unavailable: Vec<String>,
    /// Deciding checks that are opt-in and were not enabled, with the option that enables
    /// them (`kms.activation` needs `--activation-probe`).
    pub opt_in: Vec<String>,
    /// Results that could not decide (error or skip).
    pub undecided: Vec<String>,
    /// Causes that remain when the network checks pass.
    pub remaining_causes: Vec<String>,
}

fn line(r: &Outcome) -> String {
    let mut s = format!("{} {}", r.status.as_str().to_uppercase(), r.id);
    if let Some(t) = &r.target {
        s.push_str(&format!(" {t}"));
    }
    if let Some(a) = &r.address {
        s.push_str(&format!(" {a}"));
    }
    if let Some(src) = &r.source {
        s.push_str(&format!(" from {src}"));
    }
    format!(
        "{s}: {}",
        kms_preflight_report::Catalog::get(super::lang()).text(&r.message)
    )
}

pub fn diagnose_report(e: &CodeEntry, report: &Report) -> Diagnosis {
    let code = e.code_str();
    let is_opt_in = |id: &str| knowledge::OPT_IN_CHECKS.iter().any(|(c, _)| *c == id);
    let unavailable: Vec<String> = report
        .results
        .iter()
        .filter(|r| r.kind == "unavailable" && !is_opt_in(&r.id))
        .map(|r| r.id.clone())
        .collect();
    let opt_in: Vec<String> = report
        .results
        .iter()
        .filter(|r| r.kind == "unavailable")
        .filter_map(|r| {
            knowledge::OPT_IN_CHECKS
                .iter()
                .find(|(c, _)| *c == r.id)
                .map(|(c, flag)| format!("{c} ({flag})"))
        })
        .collect();
    let ran: Vec<&Outcome> = report
        .results
        .iter()
        .filter(|r| r.kind != "unavailable")
        .collect();
    let problems: Vec<&&Outcome> = ran
        .iter()
        .filter(|r| matches!(r.status, Status::Fail | Status::Warn))
        .collect();
    let explaining: Vec<String> = problems
        .iter()
        .filter(|r| r.error_codes.iter().any(|c| c.eq_ignore_ascii_case(&code)))
        .map(|r| line(r))
        .collect();
    let other_problems: Vec<String> = problems
        .iter()
        .filter(|r| !r.error_codes.iter().any(|c| c.eq_ignore_ascii_case(&code)))
        .map(|r| line(r))
        .collect();
    let undecided: Vec<String> = ran
        .iter()
        .filter(|r| matches!(r.status, Status::Error | Status::Skip))
        .map(|r| line(r))
        .collect();
    let errors = ran.iter().filter(|r| r.status == Status::Error).count();
    let skipped = ran.iter().filter(|r| r.status == Status::Skip).count();
    let (verdict, summary) = if e.checks.is_empty() {
        (
            "not-network",
            format!("{code} is decided on the client or by licensing, not by the network; see `kms-preflight explain {code}`"),
        )
    } else if !explaining.is_empty() {
        (
            "explained",
            format!(
                "{} result(s) from this machine explain {code} ({})",
                explaining.len(),
                e.title
            ),
        )
    } else if problems.iter().any(|r| r.status == Status::Fail) {
        (
            "other-problems",
            format!("problems found, but none of them predicts {code} directly"),
        )
    } else if errors > 0 || !ran.iter().any(|r| r.status == Status::Pass) {
        (
            "undecided",
            format!(
                "{code} could not be decided from here: {errors} check result(s) ended in an error{}",
                if ran.iter().any(|r| r.status == Status::Pass) {
                    ""
                } else {
                    " and none passed"
                }
            ),
        )
    } else {
        let mut caveats = Vec::new();
        if skipped > 0 {
            caveats.push(format!("{skipped} skipped"));
        }
        if !unavailable.is_empty() {
            caveats.push(format!("{} not available", unavailable.len()));
        }
        if !opt_in.is_empty() {
            caveats.push(format!("{} opt-in not enabled", opt_in.len()));
        }
        // The activation probe asked the host itself: say what it ruled out.
        let probed: Vec<String> = ran
            .iter()
            .filter(|r| r.kind == "kms-activation" && r.status == Status::Pass)
            .filter_map(|r| {
                let e = r.evidence.activation()?;
                Some(format!(
                    "{} {}: count {} of {}",
                    r.target.as_deref().unwrap_or("?"),
                    e.product.as_deref()?,
                    e.current_count?,
                    e.threshold?
                ))
            })
            .collect();
        let asked = if probed.is_empty() {
            String::new()
        } else {
            format!(
                "; the KMS host itself would activate ({}), so a count below the threshold, an uncovered product and the host's time check are ruled out for those products",
                probed.join(", ")
            )
        };
        (
            "not-reproduced",
            format!(
                "every deciding check that ran passed from this machine{}: the cause of {code} is not on the network path seen from here{asked}",
                if caveats.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", caveats.join(", "))
                }
            ),
        )
    };
    Diagnosis {
        code,
        title: e.title.clone(),
        verdict,
        summary,
        explaining,
        other_problems,
        unavailable,
        opt_in,
        undecided,
        remaining_causes: if matches!(verdict, "not-reproduced" | "undecided" | "not-network") {
            e.causes.clone()
        } else {
            Vec::new()
        },
    }
}

pub fn diagnosis_text(d: &Diagnosis) -> String {
    let mut out = format!(
        "\nDiagnosis of {} ({}):\n  {}: {}\n",
        d.code,
        d.title,
        d.verdict.to_uppercase(),
        d.summary
    );
    let list = |out: &mut String, title: &str, items: &[String]| {
        if !items.is_empty() {
            out.push_str(&format!("  {title}:\n"));
            for i in items {
                out.push_str(&format!("    - {i}\n"));
            }
        }
    };
    list(&mut out, "explained by", &d.explaining);
    list(&mut out, "other problems", &d.other_problems);
    list(&mut out, "not concluded (skipped or error)", &d.undecided);
    if !d.unavailable.is_empty() {
        out.push_str(&format!(
            "  not available in this build (those causes were NOT checked): {}\n",
            d.unavailable.join(", ")
        ));
    }
    if !d.opt_in.is_empty() {
        out.push_str(&format!(
            "  not enabled (opt-in; those causes were NOT checked): {}\n    the activation probe asks the KMS host itself; it is a real activation request that adds this machine to the host's count for 30 days\n",
            d.opt_in.join(", ")
        ));
    }
    list(&mut out, "causes that remain", &d.remaining_causes);
    out.push_str(&format!(
        "  fix commands: kms-preflight explain {}\n",
        d.code
    ));
    out
}

pub fn diagnosis_markdown(d: &Diagnosis) -> String {
    let mut out = format!(
        "\n## Diagnosis of `{}` — {}\n\n**{}**: {}\n",
        d.code,
        d.title,
        d.verdict.to_uppercase(),
        d.summary
    );
    let list = |out: &mut String, title: &str, items: &[String]| {
        if !items.is_empty() {
            out.push_str(&format!("\n{title}:\n\n"));
            for i in items {
                out.push_str(&format!("- {}\n", i.replace('\n', " ")));
            }
        }
    };
    list(&mut out, "Explained by", &d.explaining);
    list(&mut out, "Other problems", &d.other_problems);
    list(&mut out, "Not concluded (skipped or error)", &d.undecided);
    if !d.unavailable.is_empty() {
        out.push_str(&format!(
            "\nNot available in this build (those causes were **not** checked): {}\n",
            d.unavailable
                .iter()
                .map(|u| format!("`{u}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !d.opt_in.is_empty() {
        out.push_str(&format!(
            "\nNot enabled (opt-in; those causes were **not** checked): {}\n",
            d.opt_in
                .iter()
                .map(|u| format!("`{u}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    list(&mut out, "Causes that remain", &d.remaining_causes);
    out.push_str(&format!(
        "\nFix commands: `kms-preflight explain {}`\n",
        d.code
    ));
    out
}

pub async fn diagnose(args: DiagnoseArgs) -> i32 {
    let (code, entry) = match lookup(&args.code) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("kms-preflight: {e}");
            return EXIT_USAGE;
        }
    };
    let Some(entry) = entry else {
        eprintln!(
            "kms-preflight: {}\nkms-preflight: diagnose knows which checks decide these codes: {}",
            knowledge::describe_unknown(code),
            known_codes().join(", ")
        );
        return EXIT_USAGE;
    };
    if entry.checks.is_empty() {
        let d = diagnose_report(entry, &Report::empty());
        match args.check.format {
            Format::Json => println!(
                "{}",
                serde_json::to_string_pretty(&json!({"diagnosis": d})).expect("plain data")
            ),
            _ => print!("{}", diagnosis_text(&d).trim_start()),
        }
        return EXIT_OK;
    }
    let mut audit = args.check.audit;
    audit.only = Some(entry.checks.clone());
    let (format, verbose) = (args.check.format, args.check.verbose);
    colored::control::set_override(color_wanted(args.check.no_color));
    let report = match run_check(&audit).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kms-preflight: {e}");
            return EXIT_USAGE;
        }
    };
    let d = diagnose_report(entry, &report);
    match format {
        Format::Json => {
            let mut v = kms_preflight_report::json::to_value(&report, super::lang());
            v["diagnosis"] = serde_json::to_value(&d).expect("plain data");
            println!("{}", serde_json::to_string_pretty(&v).expect("plain data"));
        }
        Format::Markdown => {
            print!("{}", render(&report, format, verbose));
            print!("{}", diagnosis_markdown(&d));
        }
        Format::Table => {
            print!("{}", render(&report, format, verbose));
            print!("{}", diagnosis_text(&d));
        }
        Format::Junit | Format::Prometheus => {
            print!("{}", render(&report, format, verbose));
            eprint!("{}", diagnosis_text(&d));
        }
    }
    report.exit_code()
}

#[cfg(test)]
mod tests {

    use kms_preflight_engine::Summary;

    use super::super::check::{finish, ProfileRun};
    use super::*;

    fn outcome(id: &str, status: Status, codes: &[&str]) -> Outcome {
        Outcome {
            id: id.into(),
            kind: "srv".into(),
            title: id.into(),
            target: Some("corp.test".into()),
            address: None,
            source: None,
            status,
            message: kms_preflight_engine::Message::recorded(format!(
                "{id} says {}",
                status.as_str()
            )),
            remediation: None,
            error_codes: codes.iter().map(|c| c.to_string()).collect(),
            evidence: Default::default(),
            run: Default::default(),
            duration_ms: 1,
        }
    }

    fn report(results: Vec<Outcome>) -> Report {
        Report {
            version: "0".into(),
            summary: Summary::of(&results),
            results,
            ..Report::empty()
        }
    }

    fn entry(code: &str) -> &'static CodeEntry {
        knowledge::catalog()
            .lookup(knowledge::parse_code(code).unwrap())
            .unwrap()
    }

    #[test]
    fn verdicts_in_the_terms_of_the_code() {
        let e = entry("0x8007232B");
        let explained = report(vec![outcome(
            "srv.present",
            Status::Fail,
            &["0x8007232B", "0xC004F074"],
        )]);
        assert_eq!(diagnose_report(e, &explained).verdict, "explained");
        let other = report(vec![outcome("srv.present", Status::Fail, &["0x8007232D"])]);
        assert_eq!(diagnose_report(e, &other).verdict, "other-problems");
        let errored = report(vec![outcome("srv.present", Status::Error, &[])]);
        let d = diagnose_report(e, &errored);
        assert_eq!(d.verdict, "undecided");
        assert_eq!(d.remaining_causes, e.causes);
        let fine = finish(
            report(vec![outcome("srv.present", Status::Pass, &[])]),
            &ProfileRun {
                name: "branch-office".into(),
                missing: vec!["srv.agreement".into()],
            },
        );
        let d = diagnose_report(e, &fine);
        assert_eq!(d.verdict, "not-reproduced");
        assert_eq!(d.unavailable, ["srv.agreement"]);
        assert!(d.summary.contains("(1 not available)"), "{}", d.summary);
        assert_eq!(fine.summary.skip, 1);
        assert_eq!(fine.profile.as_deref(), Some("branch-office"));
    }

    #[test]
    fn codes_no_check_decides_are_not_network() {
        let e = entry("0xC004F050");
        assert!(e.checks.is_empty());
        assert_eq!(diagnose_report(e, &report(vec![])).verdict, "not-network");
    }
}
