//! EXAMPLES and EXIT STATUS of every command: appended to `--help` (after_long_help) and
//! rendered as sections of their own in the man pages (`commands::docs`). One table, so the
//! two never disagree.

/// The two sections of one command.
pub struct Sections {
    pub examples: &'static str,
    pub exit_status: &'static str,
}

const CHECK_EXIT: &str = "\
0    nothing at or above --fail-on (default fail: warnings allowed)
1    a fail or error result (a check that could not decide is never a pass); with --fail-on warn, also a warn
2    usage or rule error (bad option, rule file error at file:line:column, no domain to search)
3    internal error";

/// The sections of the command at `path` (its names below the program, e.g. `["rules",
/// "validate"]`; empty for the program itself).
pub fn sections(path: &[&str]) -> Option<Sections> {
    let s = |examples, exit_status| {
        Some(Sections {
            examples,
            exit_status,
        })
    };
    match path {
        [] => s(
            "\
kms-preflight check --domain corp.example              # a branch office's first verdict
kms-preflight check --suffix branch.corp.example --dns 10.1.0.53 --ntp ntp.corp.example
kms-preflight check --config site.yaml --fail-on warn -q   # CI: the verdict line, exit 1 on a warning
kms-preflight explain 0xC004F074
kms-preflight sweep 10.1.2.0/24 --domain corp.example
kms-preflight man check                                # the man page of one command",
            "\
0    success: nothing failed (check: warnings allowed unless --fail-on warn)
1    check, diagnose, sweep: a fail or error result (--fail-on warn: also a warn); diff: something
     regressed; explain: the code is not in the catalog
2    usage or rule error (bad option, rule or config file error at file:line:column)
3    internal error
130  sweep stopped by Ctrl-C (the partial report is printed first)",
        ),
        ["check"] => s(
            "\
kms-preflight check --domain corp.example
kms-preflight check --suffix branch.corp.example --suffix corp.example --dns 10.1.0.53
kms-preflight check --host kms01.corp.example:1688 --ntp ntp.corp.example -v
kms-preflight check --config /etc/kms-preflight/site.yaml --format markdown > ticket.md
kms-preflight check --domain corp.example --fail-on warn -q   # CI: exit 1 on a warning
kms-preflight check --domain corp.example --format json > before.json",
            CHECK_EXIT,
        ),
        ["diagnose"] => s(
            "\
kms-preflight diagnose 0xC004F074 --domain corp.example
kms-preflight diagnose 0xC004F06C --host kms01.corp.example --ntp ntp.corp.example",
            "\
0    nothing at or above --fail-on; or the code has no checks to run (its explanation is printed)
1    a fail or error result of the deciding checks; with --fail-on warn, also a warn
2    usage or rule error, or a code that is not in the catalog
3    internal error",
        ),
        ["serve"] => s(
            "\
kms-preflight serve --domain corp.example --label site=osaka
kms-preflight serve --config /etc/kms-preflight/site.yaml --listen 0.0.0.0:9688 --interval 5m --deadline 2m
curl -s http://127.0.0.1:9688/healthz",
            "\
0    stopped by SIGTERM or SIGINT
2    usage or rule error, or the listen address cannot be bound
3    internal error",
        ),
        ["rules"] | ["rules", "list"] => s(
            "\
kms-preflight rules list
kms-preflight rules list --rules site-rules/",
            "\
0    the rules loaded
2    a rule file error (file:line:column)",
        ),
        ["rules", "validate"] => s(
            "\
kms-preflight rules validate site-rules/          # every .yaml/.yml below it, profiles included
kms-preflight rules validate inventory.yaml",
            "\
0    every file is valid
2    any error (each printed as file:line:column)",
        ),
        ["explain"] => s(
            "\
kms-preflight explain 0xC004F074
kms-preflight explain c004f038 --format markdown
kms-preflight explain -1073418124 --format json",
            "\
0    the code is in the catalog
1    the code is not in the catalog (its HRESULT fields are decoded)
2    not an error code",
        ),
        ["diff"] => s(
            "\
kms-preflight check --domain corp.example --format json > before.json
kms-preflight check --domain corp.example --format json > after.json
kms-preflight diff before.json after.json --format markdown",
            "\
0    nothing regressed
1    something regressed
2    a file cannot be read or is not a kms-preflight report",
        ),
        ["sweep"] => s(
            "\
kms-preflight sweep 10.1.2.0/24 --domain corp.example
kms-preflight sweep 10.1.0.0/22 10.9.8.5-40 --port 1688 --port 11688 --forbid-host old-kms.corp.example
kms-preflight sweep 10.1.2.0/24 --fail-on warn -q     # exit 1 on a rogue KMS host",
            "\
0    nothing at or above --fail-on
1    a fail or error result (a forbidden or silent published host); with --fail-on warn, also a warn
     (a rogue KMS host, a listener that cannot be told apart)
2    usage error (a range larger than --max-addresses, a bad option or rule file)
3    internal error
130  stopped by Ctrl-C (the partial report is printed first)",
        ),
        ["completions"] => s(
            "kms-preflight completions bash > /etc/bash_completion.d/kms-preflight",
            "\
0    the script was printed",
        ),
        ["man"] => s(
            "\
kms-preflight man | man -l -
kms-preflight man check | man -l -
kms-preflight man rules validate | man -l -
kms-preflight man --out-dir /usr/local/share/man/man1",
            "\
0    the page was printed, or the pages written
2    no such command, or the pages cannot be written
3    internal error",
        ),
        _ => None,
    }
}

fn indented(text: &str) -> String {
    text.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `cmd` and its subcommands with EXAMPLES and EXIT STATUS after their long help.
pub fn with_sections(cmd: clap::Command, path: &mut Vec<String>) -> clap::Command {
    let names: Vec<&str> = path.iter().map(String::as_str).collect();
    let mut cmd = match sections(&names) {
        Some(s) => {
            let mut text = cmd
                .get_after_long_help()
                .map(|h| format!("{h}\n\n"))
                .unwrap_or_default();
            text.push_str(&format!(
                "EXAMPLES:\n{}\n\nEXIT STATUS:\n{}",
                indented(s.examples),
                indented(s.exit_status)
            ));
            cmd.after_long_help(text)
        }
        None => cmd,
    };
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    for name in subs {
        path.push(name.clone());
        let mut p = std::mem::take(path);
        cmd = cmd.mut_subcommand(&name, |c| with_sections(c, &mut p));
        *path = p;
        path.pop();
    }
    cmd
}
