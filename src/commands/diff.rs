//! `diff BEFORE.json AFTER.json`: what a change fixed and what it broke.

use std::path::Path;

use kms_preflight_engine::Message;
use kms_preflight_report::{self as report, Catalog, Report};

use super::EXIT_USAGE;
use crate::cli::{DiffArgs, ExplainFormat};

pub fn diff(args: DiffArgs) -> i32 {
    let lang = super::lang();
    let read = |p: &Path| -> Result<Report, Message> {
        let name = p.display().to_string();
        let text = std::fs::read_to_string(p).map_err(|e| report::diff::unreadable(&name, &e))?;
        report::diff::read_report(&name, &text)
    };
    let (before, after) = match (read(&args.before), read(&args.after)) {
        (Ok(b), Ok(a)) => (b, a),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("kms-preflight: {}", Catalog::get(lang).text(&e));
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
        ExplainFormat::Text => report::diff::render_text(&d, lang),
        ExplainFormat::Json => report::diff::render_json(&d, lang),
        ExplainFormat::Markdown => report::diff::render_markdown(&d, lang),
    };
    print!("{text}");
    d.exit_code()
}
