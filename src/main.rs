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
    let cli = match cli::Cli::from_arg_matches(&cmd.get_matches()) {
        Ok(c) => c,
        Err(e) => e.exit(),
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
