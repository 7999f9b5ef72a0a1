//! kms-preflight: would KMS volume activation work from here, and if not, what must be fixed?
//!
//! The binary is thin: [`cli`] declares the command line with typed values, [`commands`] holds
//! one module per command. Everything else lives in the workspace crates under `crates/`.

mod cli;
mod commands;

use clap::Parser;

fn main() {
    let cli = cli::Cli::parse();
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
