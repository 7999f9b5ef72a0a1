//! `diagnose CODE`: a run's results read in the terms of one activation error code. The
//! analysis ([`diagnose_report`]) decides whether the results explain the code, and the
//! renderers tell it as text, Markdown or JSON ([`text`], [`markdown`], [`to_json`]), in any
//! language of the catalog.

use serde::Serialize;

use kms_preflight_checks::pack::Unavailable;
use kms_preflight_engine::{Arg, Message, Status};
use kms_preflight_knowledge::CodeEntry;

use super::{knowledge_lang, Catalog, Lang, Outcome, Report};

kms_preflight_engine::messages! {
    /// PASS|WARN|FAIL|SKIP|ERROR {check}: {message}
    result_line = "diagnose-result" (status, check, message);
    /// PASS|… {check} from {source}: {message}
    result_line_from = "diagnose-result-from" (status, check, source, message);
    /// EXPLAINED | OTHER-PROBLEMS | UNDECIDED | NOT-REPRODUCED | NOT-NETWORK
    verdict_label = "diagnose-verdict" (verdict);
    /// {code} is decided on the client or by licensing, not by the network; …
    summary_not_network = "diagnose-summary-not-network" (code);
    /// {count} result(s) from this machine explain {code} ({title})
    summary_explained = "diagnose-summary-explained" (count, code, title);
    /// problems found, but none of them predicts {code} directly
    summary_other_problems = "diagnose-summary-other-problems" (code);
    /// {code} could not be decided from here: {errors} check result(s) ended in an error
    summary_undecided = "diagnose-summary-undecided" (code, errors);
    /// … and none passed
    summary_undecided_none_passed = "diagnose-summary-undecided-none-passed" (code, errors);
    /// every deciding check that ran passed from this machine{caveats}: …{asked}
    summary_not_reproduced = "diagnose-summary-not-reproduced" (code, caveats, asked);
    /// " ({items})"
    caveats = "diagnose-caveats" (items);
    /// {n} skipped
    caveat_skipped = "diagnose-caveat-skipped" (n);
    /// {n} not available
    caveat_not_available = "diagnose-caveat-not-available" (n);
    /// {n} opt-in not enabled
    caveat_opt_in = "diagnose-caveat-opt-in" (n);
    /// "; the KMS host itself would activate ({probes}), so …"
    probed_by_host = "diagnose-probed" (probes);
    /// {target} {product}: count {count} of {threshold}
    probe = "diagnose-probe" (target, product, count, threshold);

    /// Diagnosis of {code} ({title}):
    text_heading = "diagnose-text-heading" (code, title);
    /// explained by
    text_explained_by = "diagnose-text-explained-by" ();
    /// other problems
    text_other_problems = "diagnose-text-other-problems" ();
    /// not concluded (skipped or error)
    text_not_concluded = "diagnose-text-not-concluded" ();
    /// not available in this build (those causes were NOT checked): {checks}
    text_unavailable = "diagnose-text-unavailable" (checks);
    /// not enabled (opt-in; those causes were NOT checked): {checks}
    text_opt_in = "diagnose-text-opt-in" (checks);
    /// the activation probe asks the KMS host itself; …
    text_opt_in_note = "diagnose-text-opt-in-note" ();
    /// causes that remain
    text_causes_remain = "diagnose-text-causes-remain" ();
    /// fix commands: kms-preflight explain {code}
    text_fix = "diagnose-text-fix" (code);

    /// Diagnosis of `{code}` — {title}
    md_heading = "diagnose-md-heading" (code, title);
    /// Explained by
    md_explained_by = "diagnose-md-explained-by" ();
    /// Other problems
    md_other_problems = "diagnose-md-other-problems" ();
    /// Not concluded (skipped or error)
    md_not_concluded = "diagnose-md-not-concluded" ();
    /// Not available in this build (those causes were **not** checked): {checks}
    md_unavailable = "diagnose-md-unavailable" (checks);
    /// Not enabled (opt-in; those causes were **not** checked): {checks}
    md_opt_in = "diagnose-md-opt-in" (checks);
    /// Causes that remain
    md_causes_remain = "diagnose-md-causes-remain" ();
    /// Fix commands: `kms-preflight explain {code}`
    md_fix = "diagnose-md-fix" (code);
}

/// The verdict of a diagnose run, in the terms of the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Results from this machine predict the code.
    Explained,
    /// Problems were found, but none predicts the code.
    OtherProblems,
    /// The deciding checks could not decide (errors, or nothing passed).
    Undecided,
    /// Every deciding check passed: the cause is not on the network path seen from here.
    NotReproduced,
    /// No check can decide the code: it is decided on the client or by licensing.
    NotNetwork,
}

impl Verdict {
    /// The token JSON writes (`explained`, `not-reproduced`, …).
    pub fn as_str(&self) -> &'static str {
        match self {
            Verdict::Explained => "explained",
            Verdict::OtherProblems => "other-problems",
            Verdict::Undecided => "undecided",
            Verdict::NotReproduced => "not-reproduced",
            Verdict::NotNetwork => "not-network",
        }
    }

    /// True when the code's causes are still open (no check explained it).
    pub fn leaves_causes(&self) -> bool {
        matches!(
            self,
            Verdict::NotReproduced | Verdict::Undecided | Verdict::NotNetwork
        )
    }
}

/// What the activation probe learnt from the KMS host itself (a passing `kms-activation`
/// result): the host would activate this product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probed {
    pub target: String,
    pub product: String,
    pub count: u64,
    pub threshold: u64,
}

/// A run's results read in the terms of one code.
#[derive(Debug, Clone)]
pub struct Diagnosis<'a> {
    pub entry: &'a CodeEntry,
    pub verdict: Verdict,
    /// Results that predict this code.
    pub explaining: Vec<&'a Outcome>,
    /// Other problems found by the deciding checks.
    pub other_problems: Vec<&'a Outcome>,
    /// Deciding checks this build or rule set does not have.
    pub unavailable: Vec<String>,
    /// Deciding checks that are opt-in and were not enabled, with the option that enables
    /// them (`kms.activation` needs `--activation-probe`).
    pub opt_in: Vec<(String, &'static str)>,
    /// Results that could not decide (error or skip).
    pub undecided: Vec<&'a Outcome>,
    /// Deciding results that ended in an error, and that were skipped.
    pub errors: usize,
    pub skipped: usize,
    /// True when any deciding result passed.
    pub any_passed: bool,
    /// What the activation probe ruled out.
    pub probed: Vec<Probed>,
}

/// What a passing activation probe says about the host, from its evidence.
fn probed(r: &Outcome) -> Option<Probed> {
    let e = r.evidence.activation()?;
    Some(Probed {
        target: r.target.clone().unwrap_or_else(|| "?".into()),
        product: e.product.clone()?,
        count: u64::from(e.current_count?),
        threshold: u64::from(e.threshold?),
    })
}

/// Reads `report` (a run of the checks that decide `e`, or an empty report for a code no check
/// decides) in the terms of `e`.
pub fn diagnose_report<'a>(e: &'a CodeEntry, report: &'a Report) -> Diagnosis<'a> {
    let code = e.code_str();
    let mut unavailable = Vec::new();
    let mut opt_in = Vec::new();
    let mut ran: Vec<&Outcome> = Vec::new();
    for r in &report.results {
        match Unavailable::of_result(r) {
            Some(Unavailable::NotLoaded) => unavailable.push(r.id.clone()),
            Some(Unavailable::OptIn { flag }) => opt_in.push((r.id.clone(), flag)),
            None => ran.push(r),
        }
    }
    let explains = |r: &Outcome| r.error_codes.iter().any(|c| c.eq_ignore_ascii_case(&code));
    let problems: Vec<&Outcome> = ran
        .iter()
        .copied()
        .filter(|r| matches!(r.status, Status::Fail | Status::Warn))
        .collect();
    let explaining: Vec<&Outcome> = problems.iter().copied().filter(|r| explains(r)).collect();
    let other_problems: Vec<&Outcome> = problems.iter().copied().filter(|r| !explains(r)).collect();
    let undecided: Vec<&Outcome> = ran
        .iter()
        .copied()
        .filter(|r| matches!(r.status, Status::Error | Status::Skip))
        .collect();
    let errors = ran.iter().filter(|r| r.status == Status::Error).count();
    let skipped = ran.iter().filter(|r| r.status == Status::Skip).count();
    let any_passed = ran.iter().any(|r| r.status == Status::Pass);
    let verdict = if e.checks.is_empty() {
        Verdict::NotNetwork
    } else if !explaining.is_empty() {
        Verdict::Explained
    } else if problems.iter().any(|r| r.status == Status::Fail) {
        Verdict::OtherProblems
    } else if errors > 0 || !any_passed {
        Verdict::Undecided
    } else {
        Verdict::NotReproduced
    };
    // The activation probe asked the host itself: what it ruled out.
    let probed = ran
        .iter()
        .filter(|r| {
            r.kind == kms_preflight_checks::evidence::kinds::KMS_ACTIVATION
                && r.status == Status::Pass
        })
        .filter_map(|r| probed(r))
        .collect();
    Diagnosis {
        entry: e,
        verdict,
        explaining,
        other_problems,
        unavailable,
        opt_in,
        undecided,
        errors,
        skipped,
        any_passed,
        probed,
    }
}

impl Diagnosis<'_> {
    /// The code, canonical (`0xC004F074`).
    pub fn code(&self) -> String {
        self.entry.code_str()
    }

    /// The code's title in `lang`.
    pub fn title(&self, lang: Lang) -> &str {
        self.entry.title_in(knowledge_lang(lang))
    }

    /// The causes that remain open, in `lang` (none once a result explains the code).
    pub fn remaining_causes(&self, lang: Lang) -> &[String] {
        if self.verdict.leaves_causes() {
            self.entry.text(knowledge_lang(lang)).causes
        } else {
            &[]
        }
    }

    /// The verdict in one sentence.
    pub fn summary_message(&self, lang: Lang) -> Message {
        let code = self.code();
        match self.verdict {
            Verdict::NotNetwork => summary_not_network(code),
            Verdict::Explained => {
                summary_explained(self.explaining.len(), code, self.title(lang).to_string())
            }
            Verdict::OtherProblems => summary_other_problems(code),
            Verdict::Undecided if self.any_passed => summary_undecided(code, self.errors),
            Verdict::Undecided => summary_undecided_none_passed(code, self.errors),
            Verdict::NotReproduced => {
                let mut items: Vec<Message> = Vec::new();
                if self.skipped > 0 {
                    items.push(caveat_skipped(self.skipped));
                }
                if !self.unavailable.is_empty() {
                    items.push(caveat_not_available(self.unavailable.len()));
                }
                if !self.opt_in.is_empty() {
                    items.push(caveat_opt_in(self.opt_in.len()));
                }
                let caveats: Arg = if items.is_empty() {
                    Arg::Text(String::new())
                } else {
                    caveats(items).into()
                };
                let asked: Arg = if self.probed.is_empty() {
                    Arg::Text(String::new())
                } else {
                    probed_by_host(
                        self.probed
                            .iter()
                            .map(|p| probe(&p.target, &p.product, p.count, p.threshold))
                            .collect::<Vec<_>>(),
                    )
                    .into()
                };
                summary_not_reproduced(code, caveats, asked)
            }
        }
    }

    /// [`Diagnosis::summary_message`] as text.
    pub fn summary(&self, lang: Lang) -> String {
        Catalog::get(lang).text(&self.summary_message(lang))
    }

    /// The opt-in checks with their options: `kms.activation (--activation-probe)`.
    fn opt_in_names(&self) -> Vec<String> {
        self.opt_in
            .iter()
            .map(|(c, flag)| format!("{c} ({flag})"))
            .collect()
    }
}

/// One result as a line: status, id, target, address, source and the message.
fn line(r: &Outcome, cat: &Catalog) -> String {
    let mut check = r.id.clone();
    for part in [&r.target, &r.address].into_iter().flatten() {
        check.push(' ');
        check.push_str(part);
    }
    let status = r.status.as_str();
    let message = r.message.clone();
    cat.text(&match &r.source {
        Some(src) => result_line_from(status, check, src, message),
        None => result_line(status, check, message),
    })
}

fn lines(rs: &[&Outcome], cat: &Catalog) -> Vec<String> {
    rs.iter().map(|r| line(r, cat)).collect()
}

/// The diagnosis for a terminal. Starts with an empty line (it follows the report's table);
/// a diagnosis on its own trims it.
pub fn text(d: &Diagnosis, lang: Lang) -> String {
    let cat = Catalog::get(lang);
    let t = |m: Message| cat.text(&m);
    let code = d.code();
    let mut out = format!(
        "\n{}\n  {}: {}\n",
        t(text_heading(&code, d.title(lang))),
        t(verdict_label(d.verdict.as_str())),
        d.summary(lang)
    );
    let list = |out: &mut String, title: Message, items: &[String]| {
        if !items.is_empty() {
            out.push_str(&format!("  {}:\n", t(title)));
            for i in items {
                out.push_str(&format!("    - {i}\n"));
            }
        }
    };
    list(&mut out, text_explained_by(), &lines(&d.explaining, cat));
    list(
        &mut out,
        text_other_problems(),
        &lines(&d.other_problems, cat),
    );
    list(&mut out, text_not_concluded(), &lines(&d.undecided, cat));
    if !d.unavailable.is_empty() {
        out.push_str(&format!(
            "  {}\n",
            t(text_unavailable(d.unavailable.clone()))
        ));
    }
    if !d.opt_in.is_empty() {
        out.push_str(&format!(
            "  {}\n    {}\n",
            t(text_opt_in(d.opt_in_names())),
            t(text_opt_in_note())
        ));
    }
    list(&mut out, text_causes_remain(), d.remaining_causes(lang));
    out.push_str(&format!("  {}\n", t(text_fix(&code))));
    out
}

/// The diagnosis as a Markdown section (after the report's Markdown).
pub fn markdown(d: &Diagnosis, lang: Lang) -> String {
    let cat = Catalog::get(lang);
    let t = |m: Message| cat.text(&m);
    let code = d.code();
    let mut out = format!(
        "\n## {}\n\n**{}**: {}\n",
        t(md_heading(&code, d.title(lang))),
        t(verdict_label(d.verdict.as_str())),
        d.summary(lang)
    );
    let list = |out: &mut String, title: Message, items: &[String]| {
        if !items.is_empty() {
            out.push_str(&format!("\n{}:\n\n", t(title)));
            for i in items {
                out.push_str(&format!("- {}\n", i.replace('\n', " ")));
            }
        }
    };
    let code_spans =
        |ids: &[String]| -> Vec<String> { ids.iter().map(|u| format!("`{u}`")).collect() };
    list(&mut out, md_explained_by(), &lines(&d.explaining, cat));
    list(
        &mut out,
        md_other_problems(),
        &lines(&d.other_problems, cat),
    );
    list(&mut out, md_not_concluded(), &lines(&d.undecided, cat));
    if !d.unavailable.is_empty() {
        out.push_str(&format!(
            "\n{}\n",
            t(md_unavailable(code_spans(&d.unavailable)))
        ));
    }
    if !d.opt_in.is_empty() {
        out.push_str(&format!(
            "\n{}\n",
            t(md_opt_in(code_spans(&d.opt_in_names())))
        ));
    }
    list(&mut out, md_causes_remain(), d.remaining_causes(lang));
    out.push_str(&format!("\n{}\n", t(md_fix(&code))));
    out
}

/// The `diagnosis` object of `diagnose --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct DiagnosisJson {
    pub code: String,
    pub title: String,
    /// explained | other-problems | undecided | not-reproduced | not-network
    pub verdict: Verdict,
    pub summary: String,
    pub explaining: Vec<String>,
    pub other_problems: Vec<String>,
    pub unavailable: Vec<String>,
    pub opt_in: Vec<String>,
    pub undecided: Vec<String>,
    pub remaining_causes: Vec<String>,
}

/// The diagnosis as the JSON object it is written as.
pub fn json(d: &Diagnosis, lang: Lang) -> DiagnosisJson {
    let cat = Catalog::get(lang);
    DiagnosisJson {
        code: d.code(),
        title: d.title(lang).to_string(),
        verdict: d.verdict,
        summary: d.summary(lang),
        explaining: lines(&d.explaining, cat),
        other_problems: lines(&d.other_problems, cat),
        unavailable: d.unavailable.clone(),
        opt_in: d.opt_in_names(),
        undecided: lines(&d.undecided, cat),
        remaining_causes: d.remaining_causes(lang).to_vec(),
    }
}

/// [`json`] as a JSON value.
pub fn to_json(d: &Diagnosis, lang: Lang) -> serde_json::Value {
    serde_json::to_value(json(d, lang)).expect("plain data")
}

#[cfg(test)]
mod tests {

    use kms_preflight_checks::pack;
    use kms_preflight_engine::Summary;
    use kms_preflight_knowledge as knowledge;

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
        assert_eq!(diagnose_report(e, &explained).verdict, Verdict::Explained);
        let other = report(vec![outcome("srv.present", Status::Fail, &["0x8007232D"])]);
        assert_eq!(diagnose_report(e, &other).verdict, Verdict::OtherProblems);
        let errored = report(vec![outcome("srv.present", Status::Error, &[])]);
        let d = diagnose_report(e, &errored);
        assert_eq!(d.verdict, Verdict::Undecided);
        assert_eq!(d.remaining_causes(Lang::En), e.causes);
        let fine = pack::finish(
            report(vec![outcome("srv.present", Status::Pass, &[])]),
            Some("branch-office"),
            &["srv.agreement".into()],
        );
        let d = diagnose_report(e, &fine);
        assert_eq!(d.verdict, Verdict::NotReproduced);
        assert_eq!(d.unavailable, ["srv.agreement"]);
        let summary = d.summary(Lang::En);
        assert!(summary.contains("(1 not available)"), "{summary}");
        assert_eq!(fine.summary.skip, 1);
        assert_eq!(fine.profile.as_deref(), Some("branch-office"));
    }

    #[test]
    fn codes_no_check_decides_are_not_network() {
        let e = entry("0xC004F050");
        assert!(e.checks.is_empty());
        let r = report(vec![]);
        let d = diagnose_report(e, &r);
        assert_eq!(d.verdict, Verdict::NotNetwork);
        let v = to_json(&d, Lang::En);
        assert_eq!(v["verdict"], "not-network");
        assert!(text(&d, Lang::En).contains("\n  NOT-NETWORK: 0xC004F050 is decided on the client"));
    }

    #[test]
    fn the_text_names_what_was_not_checked_and_what_remains() {
        let e = entry("0xC004F038");
        let rep = pack::finish(
            report(vec![outcome("kms.rpc-bind", Status::Pass, &[])]),
            None,
            &["kms.activation".into()],
        );
        let d = diagnose_report(e, &rep);
        assert_eq!(d.verdict, Verdict::NotReproduced);
        assert_eq!(
            d.opt_in,
            [("kms.activation".to_string(), "--activation-probe")]
        );
        let t = text(&d, Lang::En);
        assert!(
            t.contains("  not enabled (opt-in; those causes were NOT checked): kms.activation (--activation-probe)\n    the activation probe asks the KMS host itself;"),
            "{t}"
        );
        assert!(t.contains("(1 opt-in not enabled)"), "{t}");
        assert!(
            t.ends_with("  fix commands: kms-preflight explain 0xC004F038\n"),
            "{t}"
        );
        let md = markdown(&d, Lang::En);
        assert!(
            md.contains("\nNot enabled (opt-in; those causes were **not** checked): `kms.activation (--activation-probe)`\n"),
            "{md}"
        );
        // Japanese: the same structure, the code's own Japanese title and causes.
        let ja = text(&d, Lang::Ja);
        assert!(ja.contains(e.title_in(knowledge::Lang::Ja)), "{ja}");
        assert!(ja.contains(&e.text(knowledge::Lang::Ja).causes[0]), "{ja}");
        assert!(!ja.contains("fix commands"), "{ja}");
    }
}
