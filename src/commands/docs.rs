//! `completions SHELL` and `man`: generated from the command-line definition.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::{EXIT_INTERNAL, EXIT_OK, EXIT_USAGE};

pub fn completions(shell: clap_complete::Shell) -> i32 {
    let mut cmd = crate::cli::command();
    clap_complete::generate(shell, &mut cmd, "kms-preflight", &mut std::io::stdout());
    EXIT_OK
}

pub fn man(out_dir: Option<&Path>) -> i32 {
    match out_dir {
        None => {
            let mut buf = Vec::new();
            if let Err(e) = clap_mangen::Man::new(crate::cli::command()).render(&mut buf) {
                eprintln!("kms-preflight: cannot render the man page: {e}");
                return EXIT_INTERNAL;
            }
            let _ = std::io::stdout().write_all(&buf);
            EXIT_OK
        }
        Some(dir) => match write_man_pages(dir) {
            Ok(pages) => {
                println!("{} man pages written to {}", pages.len(), dir.display());
                EXIT_OK
            }
            Err(e) => {
                eprintln!(
                    "kms-preflight: cannot write man pages to {}: {e}",
                    dir.display()
                );
                EXIT_USAGE
            }
        },
    }
}

/// One page per command: `kms-preflight.1`, and for every subcommand at any depth its path
/// joined with '-' (`kms-preflight-rules-list.1`), the names `man kms-preflight-check` and
/// Debian's packaging expect. Returns the files written, in tree order.
pub fn write_man_pages(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    // No `help` subcommand: it has no page of its own (`--help` is on every page).
    let mut root = crate::cli::command().disable_help_subcommand(true);
    // Building sets each subcommand's display name to its full '-'-joined path.
    root.build();
    // Subcommands carry no version; every page names the program and its version as source.
    let source = format!("kms-preflight {}", env!("CARGO_PKG_VERSION"));
    let mut written = Vec::new();
    let mut pending = vec![root];
    while let Some(cmd) = pending.pop() {
        let name = cmd
            .get_display_name()
            .unwrap_or_else(|| cmd.get_name())
            .to_string();
        let subs: Vec<clap::Command> = cmd
            .get_subcommands()
            .filter(|sub| !sub.is_hide_set())
            .cloned()
            .collect();
        // Reversed onto the stack, so pages come out in the order `--help` lists them.
        pending.extend(subs.into_iter().rev());
        let path = dir.join(format!("{name}.1"));
        let mut buf = Vec::new();
        clap_mangen::Man::new(cmd)
            .title(name)
            .source(source.clone())
            .manual("kms-preflight manual")
            .render(&mut buf)?;
        std::fs::write(&path, buf)?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every visible subcommand path, '-'-joined, walked independently of `write_man_pages`.
    fn page_names(cmd: &clap::Command, prefix: &str, out: &mut Vec<String>) {
        let name = if prefix.is_empty() {
            cmd.get_name().to_string()
        } else {
            format!("{prefix}-{}", cmd.get_name())
        };
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            page_names(sub, &name, out);
        }
        out.push(format!("{name}.1"));
    }

    #[test]
    fn out_dir_gets_a_page_for_every_subcommand() {
        let dir = std::env::temp_dir().join(format!("kp-man-pages-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let written = write_man_pages(&dir).unwrap();

        let mut expected = Vec::new();
        page_names(&crate::cli::command(), "", &mut expected);
        expected.sort();
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        on_disk.sort();
        assert_eq!(on_disk, expected);
        assert_eq!(written.len(), expected.len());
        // Nested commands are there under their full path, and no page for `help`.
        for page in [
            "kms-preflight.1",
            "kms-preflight-check.1",
            "kms-preflight-serve.1",
            "kms-preflight-rules.1",
            "kms-preflight-rules-list.1",
            "kms-preflight-rules-validate.1",
        ] {
            assert!(on_disk.iter().any(|p| p == page), "{page} missing");
        }
        assert!(!on_disk.iter().any(|p| p.contains("help")), "{on_disk:?}");

        // Each page is titled with its own name and names the program and version as source.
        let version = env!("CARGO_PKG_VERSION");
        for page in &on_disk {
            let text = std::fs::read_to_string(dir.join(page)).unwrap();
            let title = page.strip_suffix(".1").unwrap();
            let th = format!(".TH {title} 1  \"kms-preflight {version}\" \"kms-preflight manual\"");
            assert!(text.contains(&th), "{page}: no `{th}` in\n{text}");
        }
        let list = std::fs::read_to_string(dir.join("kms-preflight-rules-list.1")).unwrap();
        assert!(list.contains("List every loaded check"), "{list}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
