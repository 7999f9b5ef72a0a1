//! `explain CODE`: what an activation error code means, which checks decide it, how to fix it
//! (rendered by `report::explain`, from the built-in rules the pack assembles).

use kms_preflight_checks::pack;
use kms_preflight_checks::RuleSet;
use kms_preflight_knowledge::{self as knowledge, CodeEntry};
use kms_preflight_report as report;

use super::{UsageError, EXIT_FAIL, EXIT_OK, EXIT_USAGE};
use crate::cli::{ExplainArgs, ExplainFormat};

/// Every built-in rule, to say which deciding checks exist. Built-in files are tested to load;
/// an empty set only hides availability, never crashes.
fn builtin_rules() -> RuleSet {
    pack::assemble(&pack::Assembly::every_builtin())
        .map(|a| a.rules)
        .unwrap_or_default()
}

pub(super) fn lookup(input: &str) -> Result<(u32, Option<&'static CodeEntry>), UsageError> {
    let code = knowledge::parse_code(input)
        .map_err(|e| UsageError::Message(report::explain::code_error(&e)))?;
    Ok((code, knowledge::catalog().lookup(code)))
}

pub fn explain(args: ExplainArgs) -> i32 {
    let lang = super::lang();
    let (code, entry) = match lookup(&args.code) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("kms-preflight: {e}");
            return EXIT_USAGE;
        }
    };
    let Some(entry) = entry else {
        let unknown = report::explain::describe_unknown(code);
        println!("{}", report::Catalog::get(lang).text(&unknown));
        println!("{}", report::explain::known_codes_line(lang));
        return EXIT_FAIL;
    };
    let rules = builtin_rules();
    match args.format {
        ExplainFormat::Text => print!("{}", report::explain::text(entry, &rules, lang)),
        ExplainFormat::Json => print!("{}", report::explain::render_json(entry, &rules, lang)),
        ExplainFormat::Markdown => print!("{}", report::explain::markdown(entry, &rules, lang)),
    }
    EXIT_OK
}
