//! `completions SHELL` and `man`: generated from the command-line definition.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use kms_preflight_report as report;

use super::{EXIT_INTERNAL, EXIT_OK, EXIT_USAGE};

pub fn completions(shell: clap_complete::Shell) -> i32 {
    let mut cmd = crate::cli::command();
    clap_complete::generate(shell, &mut cmd, "kms-preflight", &mut std::io::stdout());
    EXIT_OK
}

/// `man [COMMAND]...` prints one page; `man --out-dir DIR` writes every page.
pub fn man(command: &[String], out_dir: Option<&Path>) -> i32 {
    match out_dir {
        None => {
            let want = std::iter::once("kms-preflight")
                .chain(command.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join("-");
            let pages = match man_pages() {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("kms-preflight: cannot render the man page: {e}");
                    return EXIT_INTERNAL;
                }
            };
            match pages.iter().find(|(name, _)| *name == want) {
                Some((_, page)) => {
                    let _ = std::io::stdout().write_all(page);
                    EXIT_OK
                }
                None => {
                    let names: Vec<String> = pages
                        .iter()
                        .filter_map(|(n, _)| n.strip_prefix("kms-preflight-"))
                        .map(|n| n.replace('-', " "))
                        .collect();
                    let m = report::cli::man_unknown(command.join(" "), names);
                    eprintln!(
                        "kms-preflight: {}",
                        report::Catalog::get(super::lang()).text(&m)
                    );
                    EXIT_USAGE
                }
            }
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

/// Text for a roff line: backslashes and hyphens escaped, a leading control character
/// neutralised.
fn roff_escape(line: &str) -> String {
    let s = line.replace('\\', "\\e").replace('-', "\\-");
    if s.starts_with('.') || s.starts_with('\'') {
        format!("\\&{s}")
    } else {
        s
    }
}

/// A section of literal lines (examples, the exit-status table).
fn literal_section(out: &mut Vec<u8>, title: &str, text: &str) {
    let mut s = format!(".SH \"{title}\"\n.nf\n");
    for l in text.lines() {
        s.push_str(&roff_escape(l));
        s.push('\n');
    }
    s.push_str(".fi\n");
    out.extend_from_slice(s.as_bytes());
}

/// A section of paragraphs (a blank line starts a new one).
fn prose_section(out: &mut Vec<u8>, title: &str, text: &str) {
    let mut s = format!(".SH \"{title}\"\n");
    for l in text.lines() {
        if l.trim().is_empty() {
            s.push_str(".PP\n");
        } else {
            s.push_str(&roff_escape(l));
            s.push('\n');
        }
    }
    out.extend_from_slice(s.as_bytes());
}

/// One command's page: clap_mangen's sections, then NOTES (the command's long after-help),
/// EXAMPLES and EXIT STATUS from `cli_help`, then VERSION.
fn render_page(cmd: clap::Command, name: &str, path: &[String]) -> std::io::Result<Vec<u8>> {
    // Subcommands carry no version; every page names the program and its version as source.
    let source = format!("kms-preflight {}", env!("CARGO_PKG_VERSION"));
    let has_args = cmd
        .get_arguments()
        .any(|a| !a.is_hide_set() && a.get_id() != "help" && a.get_id() != "version");
    let has_subs = cmd.get_subcommands().any(|c| !c.is_hide_set());
    let notes = cmd.get_after_long_help().map(|h| h.to_string());
    let has_version = cmd.get_version().is_some();
    let man = clap_mangen::Man::new(cmd)
        .title(name.to_string())
        .source(source)
        .manual("kms-preflight manual");
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    if has_args {
        man.render_options_section(&mut out)?;
    }
    if has_subs {
        man.render_subcommands_section(&mut out)?;
    }
    if let Some(n) = notes {
        prose_section(&mut out, "NOTES", &n);
    }
    let names: Vec<&str> = path.iter().map(String::as_str).collect();
    if let Some(s) = crate::cli_help::sections(&names) {
        literal_section(&mut out, "EXAMPLES", s.examples);
        literal_section(&mut out, "EXIT STATUS", s.exit_status);
    }
    if has_version {
        man.render_version_section(&mut out)?;
    }
    Ok(out)
}

/// Every page, in the order `--help` lists the commands: (page name, roff). A page is named
/// `kms-preflight`, and for every subcommand at any depth its path joined with '-'
/// (`kms-preflight-rules-list`), the names `man kms-preflight-check` and Debian's packaging
/// expect.
pub fn man_pages() -> std::io::Result<Vec<(String, Vec<u8>)>> {
    // No `help` subcommand: it has no page of its own (`--help` is on every page).
    let mut root = crate::cli::base_command().disable_help_subcommand(true);
    // Building sets each subcommand's display name to its full '-'-joined path.
    root.build();
    let mut pages = Vec::new();
    let mut pending = vec![(root, Vec::<String>::new())];
    while let Some((cmd, path)) = pending.pop() {
        let name = cmd
            .get_display_name()
            .unwrap_or_else(|| cmd.get_name())
            .to_string();
        let mut subs: Vec<(clap::Command, Vec<String>)> = cmd
            .get_subcommands()
            .filter(|sub| !sub.is_hide_set())
            .map(|sub| {
                let mut p = path.clone();
                p.push(sub.get_name().to_string());
                (sub.clone(), p)
            })
            .collect();
        // `mut_subcommand` moves a command to the end of the list; `--help` goes by display order.
        subs.sort_by_key(|(c, _)| c.get_display_order());
        // Reversed onto the stack, so pages come out in the order `--help` lists them.
        pending.extend(subs.into_iter().rev());
        let page = render_page(cmd, &name, &path)?;
        pages.push((name, page));
    }
    Ok(pages)
}

/// Writes every page to `dir` as NAME.1; returns the files written, in tree order.
pub fn write_man_pages(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for (name, page) in man_pages()? {
        let path = dir.join(format!("{name}.1"));
        std::fs::write(&path, page)?;
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
