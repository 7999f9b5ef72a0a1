//! The result model shared by the engine and the renderers. Renderers know nothing about
//! probing; they only read [`Report`].

pub mod cli;
pub mod client;
pub mod concise;
pub mod diagnose;
pub mod diff;
pub mod explain;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod matrix;
pub mod plan;
pub mod prometheus;
pub mod rule_titles;
pub mod sweep;
pub mod table;
pub mod usage;
pub mod verdict;
pub mod verdict_block;
pub mod verdict_model;

pub use kms_preflight_catalog::{self as catalog, Catalog, Lang};
pub use kms_preflight_checks::{Evidence, Outcome, Report};
pub use kms_preflight_engine::outcome::{ReportTarget, Status, Summary, SCHEMA};

/// Every message the program declares below the binary, for the catalog tests.
pub fn messages() -> Vec<kms_preflight_engine::MessageSpec> {
    [
        kms_preflight_message::MESSAGES.to_vec(),
        kms_preflight_engine::messages(),
        kms_preflight_checks::messages(),
        client::MESSAGES.to_vec(),
        cli::MESSAGES.to_vec(),
        diagnose::MESSAGES.to_vec(),
        diff::MESSAGES.to_vec(),
        explain::MESSAGES.to_vec(),
        plan::MESSAGES.to_vec(),
        verdict_model::MESSAGES.to_vec(),
        table::MESSAGES.to_vec(),
        html::MESSAGES.to_vec(),
        junit::MESSAGES.to_vec(),
        markdown::MESSAGES.to_vec(),
        matrix::MESSAGES.to_vec(),
        rule_titles::MESSAGES.to_vec(),
        sweep::MESSAGES.to_vec(),
        usage::MESSAGES.to_vec(),
    ]
    .concat()
}

/// `s` padded with spaces to `w` display columns (full-width characters count 2).
pub(crate) fn pad(s: &str, w: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    format!("{s}{}", " ".repeat(w.saturating_sub(s.width())))
}

/// The error-code catalog's language for an output language (the catalog has its own type:
/// it is data, below the message catalogs).
pub(crate) fn knowledge_lang(lang: Lang) -> kms_preflight_knowledge::Lang {
    match lang {
        Lang::En => kms_preflight_knowledge::Lang::En,
        Lang::Ja => kms_preflight_knowledge::Lang::Ja,
    }
}

#[cfg(test)]
mod catalog_tests;
