use clap::Parser;

fn main() {
    let cli = kms_preflight::cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kms-preflight: internal error: cannot start the runtime: {e}");
            std::process::exit(kms_preflight::app::EXIT_INTERNAL);
        }
    };
    let code = runtime.block_on(kms_preflight::app::run(cli));
    // Do not wait for probes that are still blocked in the OS (deadline reached).
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    std::process::exit(code);
}
