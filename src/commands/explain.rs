//! `explain CODE`: what an activation error code means, which checks decide it, how to fix it.

use serde_json::{json, Map, Value};

use kms_preflight_checks::pack::{self, embedded, profiles};
use kms_preflight_checks::RuleSet;
use kms_preflight_engine::rules::{LoadOptions, Vars};
use kms_preflight_knowledge::{self as knowledge, CodeEntry};

use super::{UsageError, EXIT_FAIL, EXIT_OK, EXIT_USAGE};
use crate::cli::{ExplainArgs, ExplainFormat};

/// The built-in rules (with every profile's own checks), to say which deciding checks exist.
fn builtin_rules() -> RuleSet {
    let mut sources = embedded::sources();
    // Listed so explain can name the opt-in probe; explain itself never runs anything.
    sources.push(embedded::activation_source());
    let mut vars = Vars::new();
    vars.insert("new_host".into(), "new-host".into());
    vars.insert("old_host".into(), "old-host".into());
    for name in profiles::NAMES {
        if let Some((_, src)) = profiles::get(name) {
            sources.push(src);
        }
    }
    // Built-in files are tested to load; an empty set only hides availability, never crashes.
    pack::load(&sources, &LoadOptions { cli_vars: vars }).unwrap_or_default()
}

pub(super) fn lookup(input: &str) -> Result<(u32, Option<&'static CodeEntry>), UsageError> {
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
            let opt_in = knowledge::OPT_IN_CHECKS
                .iter()
                .find(|(c, _)| c == id)
                .map(|(_, flag)| format!(" [opt-in: {flag}]"))
                .unwrap_or_default();
            match rules.checks.iter().find(|c| &c.id == id) {
                Some(c) => out.push_str(&format!("  {id:<w$}  {}{opt_in}\n", c.title)),
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

pub(super) fn known_codes() -> Vec<String> {
    knowledge::catalog()
        .entries()
        .iter()
        .map(|e| e.code_str())
        .collect()
}
