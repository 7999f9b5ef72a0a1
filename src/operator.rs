//! The operator's workflow on top of the engine: profiles (`--profile`, `--new-host`,
//! `--old-host`), output formats, `explain` and `diagnose` of activation error codes, `diff`
//! of two reports, shell completions and the man page. `app` stays the thin dispatcher.

use std::io::Write as _;
use std::path::Path;

use clap::CommandFactory;
use serde_json::{json, Map, Value};

use crate::app::{parse_host, UsageError, EXIT_FAIL, EXIT_OK, EXIT_USAGE};
use crate::checks::Target;
use crate::cli::{CheckArgs, Cli, DiagnoseArgs, DiffArgs, ExplainArgs, ExplainFormat, Format};
use crate::knowledge::{self, CodeEntry};
use crate::report::{self, Outcome, Report, Status, Summary};
use crate::rules::{self, profiles, LoadOptions, RuleSet, RuleSource, Vars};

/// What the profile step decided, for the report.
#[derive(Debug, Clone)]
pub struct ProfileRun {
    pub name: String,
    /// Check ids the profile (or `diagnose`) asked for that no loaded rule defines.
    pub missing: Vec<String>,
}

/// The host name of a `NAME[:PORT]` value, as rule templates see it (`{{new_host}}`).
fn host_var(flag: &str, value: &str) -> Result<String, UsageError> {
    parse_host(value, 1688)
        .map(|t| t.host)
        .map_err(|e| UsageError(e.0.replacen("--host", flag, 1)))
}

/// Loads the built-in pack, the profile's file and the user's rule files, then selects what
/// the profile (and `diagnose`) asks for.
pub fn load_for_check(args: &CheckArgs) -> Result<(RuleSet, ProfileRun), UsageError> {
    let (profile, profile_src) = profiles::get(&args.profile)
        .ok_or_else(|| UsageError(format!("unknown profile '{}'", args.profile)))?;
    for need in &profile.needs {
        let given = match need.as_str() {
            "new-host" => args.new_host.is_some(),
            "old-host" => args.old_host.is_some(),
            _ => true,
        };
        if !given {
            return Err(UsageError(format!(
                "--profile {} needs --{need} NAME ({})",
                profile.name, profile.summary
            )));
        }
    }
    if args.old_host.is_some() && !profile.needs.iter().any(|n| n == "old-host") {
        return Err(UsageError(format!(
            "--old-host is used by --profile post-change, not by --profile {}",
            profile.name
        )));
    }
    if args.rules.no_builtin && profile.name != profiles::DEFAULT {
        return Err(UsageError(format!(
            "--no-builtin cannot be combined with --profile {}: the profile is built in",
            profile.name
        )));
    }
    let mut cli_vars = Vars::new();
    for v in &args.rules.vars {
        let (k, val) = crate::app::parse_var(v)?;
        cli_vars.insert(k, val);
    }
    if let Some(h) = &args.new_host {
        cli_vars.insert("new_host".into(), host_var("--new-host", h)?);
    }
    if let Some(h) = &args.old_host {
        cli_vars.insert("old_host".into(), host_var("--old-host", h)?);
    }
    let mut sources: Vec<RuleSource> = Vec::new();
    if !args.rules.no_builtin {
        sources.extend(rules::embedded::sources());
        sources.push(profile_src);
    }
    for p in &args.rules.rules {
        sources.extend(RuleSource::from_path(p).map_err(|e| UsageError(e.to_string()))?);
    }
    if sources.is_empty() {
        return Err(UsageError(
            "no rules: --no-builtin was given without --rules".into(),
        ));
    }
    let set =
        rules::load(&sources, &LoadOptions { cli_vars }).map_err(|e| UsageError(e.to_string()))?;
    let (mut set, mut missing) = profiles::apply(&profile, &set);
    if let Some(only) = &args.only {
        let (sel, more) = profiles::select(&set, only, |_| false);
        set = sel;
        // Ids the profile left out are as unavailable to this run as ids nobody defines.
        for m in more {
            if !missing.contains(&m) {
                missing.push(m);
            }
        }
        missing.retain(|m| only.contains(m));
    }
    Ok((
        set,
        ProfileRun {
            name: profile.name,
            missing,
        },
    ))
}

/// `--new-host` is checked like a `--host`, with its own origin so reports show its role.
pub fn profile_targets(args: &CheckArgs, default_port: u16) -> Result<Vec<Target>, UsageError> {
    let mut out = Vec::new();
    if let Some(h) = &args.new_host {
        let mut t = parse_host(h, default_port)
            .map_err(|e| UsageError(e.0.replacen("--host", "--new-host", 1)))?;
        t.origins = vec!["--new-host".into()];
        out.push(t);
    }
    Ok(out)
}

/// The result that stands for a check that was asked for but is not loaded.
pub fn unavailable(id: &str) -> Outcome {
    Outcome {
        id: id.to_string(),
        kind: "unavailable".into(),
        title: id.to_string(),
        target: None,
        address: None,
        source: None,
        status: Status::Skip,
        message: format!(
            "not checked: no rule with id '{id}' is loaded (its check kind is not part of this build, or the rule set leaves it out)"
        ),
        remediation: None,
        error_codes: Vec::new(),
        evidence: Map::new(),
        duration_ms: 0,
    }
}

/// Stamps the profile on the report and lists the checks it could not run.
pub fn finish(mut report: Report, profile: &ProfileRun) -> Report {
    report.profile = Some(profile.name.clone());
    for id in &profile.missing {
        report.results.push(unavailable(id));
    }
    report.summary = Summary::of(&report.results);
    report
}

pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Table => report::table::render(report),
        Format::Json => report::json::render(report),
        Format::Junit => report::junit::render(report),
        Format::Markdown => report::markdown::render(report),
        Format::Prometheus => report::prometheus::render(report),
    }
}

// ---------- explain ----------

/// The built-in rules (with every profile's own checks), to say which deciding checks exist.
fn builtin_rules() -> RuleSet {
    let mut sources = rules::embedded::sources();
    let mut vars = Vars::new();
    vars.insert("new_host".into(), "new-host".into());
    vars.insert("old_host".into(), "old-host".into());
    for name in profiles::NAMES {
        if let Some((_, src)) = profiles::get(name) {
            sources.push(src);
        }
    }
    // Built-in files are tested to load; an empty set only hides availability, never crashes.
    rules::load(&sources, &LoadOptions { cli_vars: vars }).unwrap_or_default()
}

fn lookup(input: &str) -> Result<(u32, Option<&'static CodeEntry>), UsageError> {
    let code = knowledge::parse_code(input).map_err(|e| UsageError(e.to_string()))?;
    Ok((code, knowledge::catalog().lookup(code)))
}

fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            out.push_str(indent);
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(indent);
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Placeholders (`<name>`) the entry's commands use, with their descriptions.
fn used_placeholders(e: &CodeEntry) -> Vec<(String, String)> {
    let cat = knowledge::catalog();
    let mut out: Vec<(String, String)> = Vec::new();
    for cmd in e.fix.iter().flat_map(|f| f.commands.iter()) {
        for (name, desc) in cat.placeholders() {
            if cmd.contains(&format!("<{name}>")) && !out.iter().any(|(n, _)| n == name) {
                out.push((name.clone(), desc.clone()));
            }
        }
    }
    out
}

fn uses_ospp(e: &CodeEntry) -> bool {
    e.fix
        .iter()
        .flat_map(|f| f.commands.iter())
        .any(|c| c.contains("ospp.vbs"))
}

/// Text of `explain`: everything an engineer needs to act on a code.
pub fn explain_text(e: &CodeEntry, rules: &RuleSet) -> String {
    let mut out = format!("{}  {}\n", e.code_str(), e.title);
    if let Some(sym) = &e.symbol {
        out.push_str(&format!("symbol:  {sym}\n"));
    }
    out.push_str(&format!(
        "layer:   {}{}\n",
        e.layer,
        if e.informational {
            " (informational: a state, not a failure)"
        } else {
            ""
        }
    ));
    out.push_str("\nMeaning:\n");
    out.push_str(&wrap(&e.meaning, 88, "  "));
    out.push_str("\nLikely causes:\n");
    for (i, c) in e.causes.iter().enumerate() {
        let w = wrap(c, 84, "     ");
        out.push_str(&format!("  {}. {}", i + 1, w.trim_start()));
    }
    if e.checks.is_empty() {
        out.push_str("\nNo kms-preflight check can decide between these causes: they are not visible from the network.\n");
    } else {
        out.push_str(&format!(
            "\nChecks that decide between them (`kms-preflight diagnose {}` runs these):\n",
            e.code_str()
        ));
        let w = e.checks.iter().map(|c| c.len()).max().unwrap_or(0);
        for id in &e.checks {
            match rules.checks.iter().find(|c| &c.id == id) {
                Some(c) => out.push_str(&format!("  {id:<w$}  {}\n", c.title)),
                None => out.push_str(&format!("  {id:<w$}  (not available in this build)\n")),
            }
        }
    }
    out.push_str("\nFix:\n");
    for f in &e.fix {
        out.push_str(&wrap(&f.what, 86, "  "));
        for c in &f.commands {
            out.push_str(&format!("      {c}\n"));
        }
    }
    let ph = used_placeholders(e);
    if !ph.is_empty() {
        out.push_str("\nIn the commands:\n");
        let w = ph.iter().map(|(n, _)| n.len() + 2).max().unwrap_or(0);
        for (n, d) in ph {
            out.push_str(&format!("  {:<w$}  {d}\n", format!("<{n}>")));
        }
    }
    if uses_ospp(e) {
        out.push_str(
            "\n`cscript ospp.vbs` means the ospp.vbs of the installed Office (run it from that folder):\n",
        );
        for p in knowledge::catalog().office_paths() {
            out.push_str(&format!("  {p}\n"));
        }
    }
    if !e.sources.is_empty() {
        out.push_str("\nSources:\n");
        for s in &e.sources {
            out.push_str(&format!("  {s}\n"));
        }
    }
    out
}

pub fn explain_json(e: &CodeEntry, rules: &RuleSet) -> Value {
    json!({
        "schema": "kms-preflight/explain/v1",
        "code": e.code_str(),
        "code_decimal": e.code,
        "symbol": e.symbol,
        "informational": e.informational,
        "title": e.title,
        "meaning": e.meaning,
        "layer": e.layer.as_str(),
        "causes": e.causes,
        "checks": e.checks.iter().map(|id| json!({
            "id": id,
            "available": rules.checks.iter().any(|c| &c.id == id),
            "title": rules.checks.iter().find(|c| &c.id == id).map(|c| c.title.clone()),
        })).collect::<Vec<_>>(),
        "fix": e.fix.iter().map(|f| json!({"what": f.what, "commands": f.commands})).collect::<Vec<_>>(),
        "placeholders": used_placeholders(e).into_iter().map(|(n, d)| (n, Value::String(d))).collect::<Map<_, _>>(),
        "office_paths": if uses_ospp(e) { knowledge::catalog().office_paths().to_vec() } else { Vec::new() },
        "sources": e.sources,
    })
}

pub fn explain_markdown(e: &CodeEntry, rules: &RuleSet) -> String {
    let mut out = format!("## `{}` — {}\n\n", e.code_str(), e.title);
    if let Some(sym) = &e.symbol {
        out.push_str(&format!("Symbol: `{sym}` · "));
    }
    out.push_str(&format!(
        "Layer: **{}**\n\n{}\n\n",
        e.layer,
        e.meaning.trim()
    ));
    out.push_str("### Likely causes\n\n");
    for c in &e.causes {
        out.push_str(&format!("- {c}\n"));
    }
    out.push_str("\n### Deciding checks\n\n");
    if e.checks.is_empty() {
        out.push_str("None: not visible from the network.\n");
    }
    for id in &e.checks {
        match rules.checks.iter().find(|c| &c.id == id) {
            Some(c) => out.push_str(&format!("- `{id}` — {}\n", c.title)),
            None => out.push_str(&format!("- `{id}` — not available in this build\n")),
        }
    }
    out.push_str("\n### Fix\n\n");
    for f in &e.fix {
        out.push_str(&format!(
            "{}\n\n```text\n{}\n```\n\n",
            f.what,
            f.commands.join("\n")
        ));
    }
    out
}

pub fn explain(args: ExplainArgs) -> i32 {
    let (code, entry) = match lookup(&args.code) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("kms-preflight: {e}");
            return EXIT_USAGE;
        }
    };
    let Some(entry) = entry else {
        println!("{}", knowledge::describe_unknown(code));
        println!("Known codes: {}", known_codes().join(", "));
        return EXIT_FAIL;
    };
    let rules = builtin_rules();
    match args.format {
        ExplainFormat::Text => print!("{}", explain_text(entry, &rules)),
        ExplainFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&explain_json(entry, &rules)).expect("plain data")
        ),
        ExplainFormat::Markdown => print!("{}", explain_markdown(entry, &rules)),
    }
    EXIT_OK
}

fn known_codes() -> Vec<String> {
    knowledge::catalog()
        .entries()
        .iter()
        .map(|e| e.code_str())
        .collect()
}

// ---------- diagnose ----------

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
    format!("{s}: {}", r.message)
}

pub fn diagnose_report(e: &CodeEntry, report: &Report) -> Diagnosis {
    let code = e.code_str();
    let unavailable: Vec<String> = report
        .results
        .iter()
        .filter(|r| r.kind == "unavailable")
        .map(|r| r.id.clone())
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
        (
            "not-reproduced",
            format!(
                "every deciding check that ran passed from this machine{}: the cause of {code} is not on the network path seen from here",
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
        let empty = Report {
            schema: report::SCHEMA,
            version: env!("CARGO_PKG_VERSION"),
            started_at: String::new(),
            duration_ms: 0,
            profile: None,
            domains: Vec::new(),
            dns_servers: Vec::new(),
            sources: Vec::new(),
            targets: Vec::new(),
            results: Vec::new(),
            summary: Summary::default(),
        };
        let d = diagnose_report(entry, &empty);
        match args.check.format {
            Format::Json => println!(
                "{}",
                serde_json::to_string_pretty(&json!({"diagnosis": d})).expect("plain data")
            ),
            _ => print!("{}", diagnosis_text(&d).trim_start()),
        }
        return EXIT_OK;
    }
    let mut check = args.check;
    check.only = Some(entry.checks.clone());
    let format = check.format;
    let report = match crate::app::run_check(check).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kms-preflight: {e}");
            return EXIT_USAGE;
        }
    };
    let d = diagnose_report(entry, &report);
    match format {
        Format::Json => {
            let mut v = serde_json::to_value(&report).expect("plain data");
            v["diagnosis"] = serde_json::to_value(&d).expect("plain data");
            println!("{}", serde_json::to_string_pretty(&v).expect("plain data"));
        }
        Format::Markdown => {
            print!("{}", render(&report, format));
            print!("{}", diagnosis_markdown(&d));
        }
        Format::Table => {
            print!("{}", render(&report, format));
            print!("{}", diagnosis_text(&d));
        }
        Format::Junit | Format::Prometheus => {
            print!("{}", render(&report, format));
            eprint!("{}", diagnosis_text(&d));
        }
    }
    report.exit_code()
}

// ---------- diff ----------

pub fn diff(args: DiffArgs) -> i32 {
    let read = |p: &Path| -> Result<report::diff::ReportIn, String> {
        let name = p.display().to_string();
        let text = std::fs::read_to_string(p).map_err(|e| format!("{name}: cannot read: {e}"))?;
        report::diff::parse_report(&name, &text)
    };
    let (before, after) = match (read(&args.before), read(&args.after)) {
        (Ok(b), Ok(a)) => (b, a),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("kms-preflight: {e}");
            return EXIT_USAGE;
        }
    };
    let d = report::diff::diff(
        &args.before.display().to_string(),
        &before,
        &args.after.display().to_string(),
        &after,
    );
    let text = match args.format {
        ExplainFormat::Text => report::diff::render_text(&d),
        ExplainFormat::Json => report::diff::render_json(&d),
        ExplainFormat::Markdown => report::diff::render_markdown(&d),
    };
    print!("{text}");
    d.exit_code()
}

// ---------- completions and man page ----------

pub fn completions(shell: clap_complete::Shell) -> i32 {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "kms-preflight", &mut std::io::stdout());
    EXIT_OK
}

pub fn man(out_dir: Option<&Path>) -> i32 {
    let cmd = Cli::command();
    match out_dir {
        None => {
            let mut buf = Vec::new();
            if let Err(e) = clap_mangen::Man::new(cmd).render(&mut buf) {
                eprintln!("kms-preflight: cannot render the man page: {e}");
                return crate::app::EXIT_INTERNAL;
            }
            let _ = std::io::stdout().write_all(&buf);
            EXIT_OK
        }
        Some(dir) => {
            match std::fs::create_dir_all(dir).and_then(|()| clap_mangen::generate_to(cmd, dir)) {
                Ok(()) => {
                    println!("man pages written to {}", dir.display());
                    EXIT_OK
                }
                Err(e) => {
                    eprintln!(
                        "kms-preflight: cannot write man pages to {}: {e}",
                        dir.display()
                    );
                    EXIT_USAGE
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
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
            message: format!("{id} says {}", status.as_str()),
            remediation: None,
            error_codes: codes.iter().map(|c| c.to_string()).collect(),
            evidence: Map::new(),
            duration_ms: 1,
        }
    }

    fn report(results: Vec<Outcome>) -> Report {
        let summary = Summary::of(&results);
        Report {
            schema: report::SCHEMA,
            version: "0",
            started_at: String::new(),
            duration_ms: 0,
            profile: None,
            domains: vec![],
            dns_servers: vec![],
            sources: vec![],
            targets: vec![],
            results,
            summary,
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
