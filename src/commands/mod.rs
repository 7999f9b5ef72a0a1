//! The commands: one module each. This module holds what they share: the exit-code contract,
//! the usage error, output-format dispatch and the dispatcher itself.

pub mod activation;
pub mod check;
pub mod client_state;
pub mod diagnose;
pub mod diff;
pub mod docs;
pub mod explain;
pub mod rules;
pub mod serve;
pub mod sweep;

use std::io::IsTerminal;

use kms_preflight_report::{self as report, Report};

use crate::cli::{Cli, Command, Format, RulesCommand};

/// Exit codes: the documented contract.
pub const EXIT_OK: i32 = 0;
pub const EXIT_FAIL: i32 = 1;
pub const EXIT_USAGE: i32 = 2;
pub const EXIT_INTERNAL: i32 = 3;
/// A sweep stopped by Ctrl-C (SIGINT), after printing its partial report.
pub const EXIT_INTERRUPTED: i32 = 130;

/// A user error (bad argument or rules); exit code 2. Shown in the run's language.
#[derive(Debug)]
pub enum UsageError {
    /// One message.
    Message(kms_preflight_engine::Message),
    /// Rule (or `--config`) files that do not load, each error at its file:line:column.
    Rules(kms_preflight_engine::rules::RuleErrors),
}

impl From<kms_preflight_engine::Message> for UsageError {
    fn from(m: kms_preflight_engine::Message) -> UsageError {
        UsageError::Message(m)
    }
}

impl From<kms_preflight::cli_values::ValueError> for UsageError {
    fn from(e: kms_preflight::cli_values::ValueError) -> UsageError {
        UsageError::Message(e.0)
    }
}

impl UsageError {
    /// The text in `lang`.
    pub fn render(&self, lang: report::Lang) -> String {
        match self {
            UsageError::Message(m) => report::Catalog::get(lang).text(m),
            UsageError::Rules(e) => e.render(lang),
        }
    }
}

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(lang()))
    }
}

impl std::error::Error for UsageError {}

pub fn color_wanted(no_color: bool) -> bool {
    !no_color
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::stdout().is_terminal()
}

/// The terminal width for the concise table: `COLUMNS` when set, else a common default.
fn width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|w| *w >= 40)
        .unwrap_or(report::table::DEFAULT_WIDTH)
}

/// The output language: `--lang`, `KMS_PREFLIGHT_LANG` or the locale, as [`run`] decided
/// (`kms_preflight::language`; English before, e.g. in unit tests).
pub fn lang() -> report::Lang {
    kms_preflight::language::current()
}

/// Renders a report in the chosen format; `verbose` selects the full table.
pub fn render(report: &Report, format: Format, verbose: bool) -> String {
    match format {
        Format::Table if verbose => report::table::render_width(report, width(), lang()),
        Format::Table => report::concise::render(report, width(), lang()),
        Format::Json => report::json::render(report, lang()),
        Format::Junit => report::junit::render(report, lang()),
        Format::Markdown => report::markdown::render(report, lang()),
        Format::Prometheus => report::prometheus::render(report),
    }
}

/// The exit code of a report under `--fail-on`: 1 when a result is at the gate's status or
/// worse (`fail` and `error` always count), else 0.
pub fn gate(report: &Report, fail_on: crate::cli::FailOn) -> i32 {
    let s = &report.summary;
    let warn = fail_on == crate::cli::FailOn::Warn && s.warn > 0;
    if warn {
        EXIT_FAIL
    } else {
        report.exit_code()
    }
}

/// [`gate`] for a KMS audit (check, diagnose): the client's-eye verdict decides too, so a
/// FAILS or an UNKNOWN made of skipped probes is exit 1 (a skip is never evidence).
pub fn gate_audit(report: &Report, fail_on: crate::cli::FailOn) -> i32 {
    match gate(report, fail_on) {
        0 => report::verdict::exit_code(report),
        code => code,
    }
}

/// `-q`: the verdict line only (the first line of the verdict block, unwrapped).
pub fn verdict_line(report: &Report) -> String {
    let lang = lang();
    report::verdict_block::headline(&report::verdict::verdict_in(report, lang), lang)
}

/// Runs a parsed command line; returns the exit code. Output goes to stdout, errors to stderr.
pub async fn run(cli: Cli) -> i32 {
    let chosen = kms_preflight::language::choose(cli.lang.map(Into::into), |v| {
        std::env::var_os(v).map(|s| s.to_string_lossy().into_owned())
    });
    match chosen {
        Ok(l) => kms_preflight::language::set_current(l),
        Err(e) => {
            eprintln!("kms-preflight: {e}");
            return EXIT_USAGE;
        }
    }
    match cli.command {
        Command::Check(args) => check::check(args).await,
        Command::Serve(a) => serve::serve(a).await,
        Command::Rules(RulesCommand::List { rules }) => rules::list(&rules),
        Command::Rules(RulesCommand::Validate { paths }) => rules::validate(&paths),
        Command::Explain(a) => explain::explain(a),
        Command::Diagnose(a) => diagnose::diagnose(a).await,
        Command::Diff(a) => diff::diff(a),
        Command::Sweep(a) => sweep::sweep(a).await,
        Command::Completions { shell } => docs::completions(shell),
        Command::Man { command, out_dir } => docs::man(&command, out_dir.as_deref()),
    }
}
