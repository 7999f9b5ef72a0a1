//! `completions SHELL` and `man`: generated from the command-line definition.

use std::io::Write as _;
use std::path::Path;

use clap::CommandFactory;

use super::{EXIT_INTERNAL, EXIT_OK, EXIT_USAGE};
use crate::cli::Cli;

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
                return EXIT_INTERNAL;
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
