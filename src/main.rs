//! kms-preflight: would KMS volume activation work from here, and if not, what must be fixed?
//!
//! The binary is thin: [`cli`] declares the command line with typed values, [`commands`] holds
//! one module per command. Everything else lives in the workspace crates under `crates/`.

mod cli;
mod cli_help;
mod commands;
mod config;
mod fdlimit;

use clap::FromArgMatches;

fn main() {
    // Raise the open-file limit first: many probes run at once (fdlimit).
    let limit = fdlimit::raise();
    let help = fdlimit::help(limit);
    let cmd = cli::command()
        .mut_subcommand("check", |c| {
            c.mut_arg("concurrency", |a| a.help(help.clone()))
        })
        .mut_subcommand("diagnose", |c| {
            c.mut_arg("concurrency", |a| a.help(help.clone()))
        })
        // serve shares the option's text ("`--help` says what it is here"): give it the figure.
        .mut_subcommand("serve", |c| {
            c.mut_arg("concurrency", |a| a.help(help.clone()))
        });
    // The language first, so a value our parsers refuse is explained in it (clap prints that
    // error before `commands::run` reads `--lang`).
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let flag = kms_preflight::language::flag_in_args(&args[1.min(args.len())..]);
    if let Ok(l) = kms_preflight::language::choose(flag, |v| {
        std::env::var_os(v).map(|s| s.to_string_lossy().into_owned())
    }) {
        kms_preflight::language::set_current(l);
    }
    let matches = match cmd.try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => parse_error(e),
    };
    let cli = match cli::Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => parse_error(e),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kms-preflight: internal error: cannot start the runtime: {e}");
            std::process::exit(commands::EXIT_INTERNAL);
        }
    };
    let code = runtime.block_on(commands::run(cli));
    // Do not wait for probes that are still blocked in the OS (deadline reached).
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    std::process::exit(code);
}

/// Prints a command-line error and exits (2 for a usage error). A value one of our parsers
/// refused is written from the catalog when the language is not English (clap's frame around
/// the reason is English); every other error, help and `--version` are clap's.
fn parse_error(e: clap::Error) -> ! {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    use kms_preflight_report::{usage, Catalog, Lang};
    let lang = kms_preflight::language::current();
    let ours = std::error::Error::source(&e)
        .and_then(|s| s.downcast_ref::<kms_preflight::cli_values::ValueError>());
    if let (Lang::Ja, ErrorKind::ValueValidation, Some(reason)) = (lang, e.kind(), ours) {
        let text = |k| match e.get(k) {
            Some(ContextValue::String(s)) => s.clone(),
            _ => String::new(),
        };
        let cat = Catalog::get(lang);
        let line = usage::invalid_value(
            text(ContextKind::InvalidValue),
            text(ContextKind::InvalidArg),
            reason.0.clone(),
        );
        eprintln!(
            "{}

{}",
            cat.text(&line),
            cat.text(&usage::try_help())
        );
        std::process::exit(commands::EXIT_USAGE);
    }
    e.exit()
}
