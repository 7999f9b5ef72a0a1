//! Clear errors for bad input in the chosen language (issues 17 and 20): a bad rule file, a bad
//! `--config` file and a bad command-line value, run through the real binary with `--lang ja`
//! and with `LANG=ja_JP.UTF-8`, are explained in Japanese after the same `file:line:column`;
//! with `--lang en` they are the English bytes they always were. Exit code 2 throughout.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// How the language is chosen for a run.
#[derive(Clone, Copy, Debug)]
enum Choice {
    Flag(&'static str),
    Locale(&'static str),
}

/// Runs the binary from the repository root with only `choice` deciding the language; returns
/// (exit code, stdout, stderr).
fn run(choice: Choice, args: &[&str]) -> (i32, String, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kms-preflight"));
    c.current_dir(root());
    for v in ["KMS_PREFLIGHT_LANG", "LC_ALL", "LC_MESSAGES", "LANG"] {
        c.env_remove(v);
    }
    match choice {
        Choice::Flag(l) => {
            c.args(["--lang", l]);
        }
        Choice::Locale(l) => {
            c.env("LANG", l);
        }
    }
    let out = c.args(args).output().expect("run kms-preflight");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn has_japanese(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c, '\u{3040}'..='\u{30FF}' | '\u{3400}'..='\u{9FFF}'))
}

/// The same stderr for `--lang ja` and for `LANG=ja_JP.UTF-8`, exit 2; returns it.
fn japanese(args: &[&str]) -> String {
    let (code, _, flag) = run(Choice::Flag("ja"), args);
    assert_eq!(code, 2, "{args:?}: {flag}");
    let (code, _, locale) = run(Choice::Locale("ja_JP.UTF-8"), args);
    assert_eq!(code, 2, "{args:?}: {locale}");
    assert_eq!(
        flag, locale,
        "{args:?}: --lang ja and LANG=ja_JP.UTF-8 differ"
    );
    assert!(has_japanese(&flag), "{args:?}: not Japanese: {flag}");
    flag
}

fn english(args: &[&str]) -> String {
    let (code, _, err) = run(Choice::Flag("en"), args);
    assert_eq!(code, 2, "{args:?}: {err}");
    err
}

fn scratch(name: &str, body: &str) -> String {
    let dir = std::env::temp_dir().join(format!("kp-lang-errors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p.display().to_string()
}

const TCP_KEYS: &str = "id, kind, title, scope, severity, explains, remediation, timeout, requires, retries, retry_delay, port, hold, expect";

#[test]
fn a_bad_rule_file_is_explained_in_japanese_at_its_position() {
    let file = "testdata/rules/broken/unknown-key.yaml";
    assert!(Path::new(&root()).join(file).exists());
    let args = ["check", "--no-builtin", "--rules", file];
    assert_eq!(
        japanese(&args),
        format!("kms-preflight: {file}:6:5: 不明なキー `prot` です。使えるキー: {TCP_KEYS}\n")
    );
    assert_eq!(
        english(&args),
        format!("kms-preflight: {file}:6:5: unknown field `prot`, expected one of {TCP_KEYS}\n")
    );

    // Several errors, each on its line; `rules validate` prints them without the prefix.
    let f = scratch(
        "several.yaml",
        "version: 1\nchecks:\n  - id: t\n    kind: tcp\n    timeout: 5x\n    hold: 1m\n    requires: [nope]\n",
    );
    let ja = japanese(&["rules", "validate", &f]);
    assert_eq!(
        ja,
        format!(
            "{f}:5:14: 期間 '5x' が正しくありません: 不明な時間の単位 \"x\" です。使える単位: ns、us/µs、ms、sec、min、hours、days、weeks、months、years (と一部の別の書き方) (例: 500ms、3s、1m)\n\
             {f}:6:11: hold '1m' は 10 秒を超えています\n\
             {f}:7:16: requires に不明なチェック ID 'nope' があります\n"
        )
    );
    assert_eq!(
        english(&["rules", "validate", &f]),
        format!(
            "{f}:5:14: invalid duration '5x': unknown time unit \"x\", supported units: ns, us/µs, ms, sec, min, hours, days, weeks, months, years (and few variations) (write e.g. 500ms, 3s, 1m)\n\
             {f}:6:11: hold '1m' is more than 10s\n\
             {f}:7:16: requires unknown check id 'nope'\n"
        )
    );

    // A YAML syntax error keeps the parser's words inside a Japanese sentence, and its place.
    let syntax = "testdata/rules/broken/syntax.yaml";
    let ja = japanese(&["rules", "validate", syntax]);
    assert!(
        ja.starts_with(&format!("{syntax}:5:4: YAML の構文エラー: ")),
        "{ja}"
    );
}

#[test]
fn a_bad_config_file_is_explained_in_japanese_at_its_position() {
    let f = scratch("site.yaml", "domains: [corp.example]\ntimeout: 5x\n");
    let args = ["check", "--config", f.as_str()];
    let ja = japanese(&args);
    assert!(
        ja.starts_with(&format!(
            "kms-preflight: {f}:2:10: timeout: --timeout: 期間 '5x' が正しくありません: 不明な時間の単位 \"x\" です。"
        )),
        "{ja}"
    );
    assert_eq!(
        english(&args),
        format!("kms-preflight: {f}:2:10: timeout: --timeout: invalid duration '5x': unknown time unit \"x\", supported units: ns, us/µs, ms, sec, min, hours, days, weeks, months, years (and few variations) (write e.g. 500ms, 3s, 1m)\n")
    );

    let f = scratch(
        "unknown.yaml",
        "domains: [corp.example]\ndomain: corp.example\n",
    );
    let args = ["check", "--config", f.as_str()];
    assert!(
        japanese(&args).starts_with(&format!(
            "kms-preflight: {f}:2:1: 不明なキー `domain` です。"
        )),
        "{}",
        japanese(&args)
    );
    assert!(english(&args).starts_with(&format!(
        "kms-preflight: {f}:2:1: unknown field `domain`, expected one of version, domains,"
    )));

    let f = scratch("dns.yaml", "dns:\n  - 10.1.0.53\n  - dc1.corp\n");
    let args = ["check", "--config", f.as_str()];
    assert_eq!(
        japanese(&args),
        format!("kms-preflight: {f}:3:5: dns: \"dc1.corp\": IP アドレス、IP:PORT、[IPv6]:PORT のいずれかで指定してください (DNS サーバーはアドレスで指定します)\n")
    );
}

#[test]
fn a_bad_command_line_value_is_explained_in_japanese() {
    let args = ["check", "--timeout", "5x"];
    assert_eq!(
        japanese(&args),
        "エラー: '--timeout <DURATION>' の値 '5x' が正しくありません: --timeout: 期間 '5x' が正しくありません: 不明な時間の単位 \"x\" です。使える単位: ns、us/µs、ms、sec、min、hours、days、weeks、months、years (と一部の別の書き方) (例: 500ms、3s、1m)\n\n詳しくは '--help' を参照してください。\n"
    );
    assert_eq!(
        english(&args),
        "error: invalid value '5x' for '--timeout <DURATION>': --timeout: invalid duration '5x': unknown time unit \"x\", supported units: ns, us/µs, ms, sec, min, hours, days, weeks, months, years (and few variations) (write e.g. 500ms, 3s, 1m)\n\nFor more information, try '--help'.\n"
    );

    let args = ["check", "--host", ""];
    assert_eq!(
        japanese(&args),
        "エラー: '--host <NAME[:PORT]>' の値 '' が正しくありません: \"\": 空です (NAME、NAME:PORT、[IPv6]:PORT のいずれかで指定してください)\n\n詳しくは '--help' を参照してください。\n"
    );
    assert!(english(&args).starts_with(
        "error: invalid value '' for '--host <NAME[:PORT]>': \"\": empty (expected NAME, NAME:PORT or [IPv6]:PORT)\n"
    ));

    let args = ["check", "--dns", "999.1.1.1"];
    assert!(japanese(&args).starts_with(
        "エラー: '--dns <IP[:PORT]>' の値 '999.1.1.1' が正しくありません: \"999.1.1.1\": IP アドレス、"
    ));
    assert!(english(&args).starts_with(
        "error: invalid value '999.1.1.1' for '--dns <IP[:PORT]>': \"999.1.1.1\": expected an IP address, IP:PORT or [IPv6]:PORT"
    ));

    let args = ["sweep", "--rate", "0", "10.0.0.1"];
    assert!(
        japanese(&args).contains("\"0\": 1 秒あたりの新しい接続数を 1-100000 で指定してください")
    );
    assert!(
        english(&args).contains("\"0\": new connections per second, 1-100000 (e.g. 200 or 200/s)")
    );

    // The network layer's refusals (DNS names, sources, sweep ranges) are messages too.
    let args = ["check", "--domain", "a..b", "--dns", "127.0.0.1"];
    assert_eq!(
        japanese(&args),
        "kms-preflight: --domain \"a..b\": DNS 名 \"a..b\" は無効です: Malformed label: \n"
    );
    assert_eq!(
        english(&args),
        "kms-preflight: --domain \"a..b\": invalid DNS name \"a..b\": Malformed label: \n"
    );
    let args = [
        "check",
        "--domain",
        "corp.test",
        "--dns",
        "127.0.0.1",
        "--source",
        "not-an-ip",
    ];
    assert_eq!(
        japanese(&args),
        "kms-preflight: 送信元が正しくありません: --source \"not-an-ip\": IP アドレスではありません (ADDR または ADDR%INTERFACE の形式で指定してください。例: 10.1.2.3、10.1.2.3%eth1)\n"
    );
    assert_eq!(
        english(&args),
        "kms-preflight: --source \"not-an-ip\": not an IP address (expected ADDR or ADDR%INTERFACE, e.g. 10.1.2.3 or 10.1.2.3%eth1)\n"
    );
    let args = ["sweep", "10.1.2.1/24"];
    assert!(japanese(&args).contains(
        "\"10.1.2.1/24\": ホスト部のビットが設定されています: ブロックは 10.1.2.0/24 です ("
    ));
    assert!(english(&args).contains(
        "\"10.1.2.1/24\": host bits set: the block is 10.1.2.0/24 (expected CIDR like 10.1.2.0/24"
    ));

    // Clap's own errors (an unknown flag) stay clap's English, with its exit code.
    let (code, _, err) = run(Choice::Flag("ja"), &["check", "--no-such-flag"]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("error: unexpected argument '--no-such-flag'"),
        "{err}"
    );
}

#[test]
fn an_unknown_skip_id_is_explained_in_japanese() {
    // Refused while the rules are assembled, before any probe.
    let args = [
        "check",
        "--skip",
        "unknown-id",
        "--host",
        "192.0.2.1",
        "--dns",
        "127.0.0.1",
    ];
    let ja = japanese(&args);
    assert!(
        ja.starts_with(
            "kms-preflight: --skip unknown-id: この実行のチェックにその ID はありません"
        ),
        "{ja}"
    );
    assert!(english(&args)
        .starts_with("kms-preflight: --skip unknown-id: no check of this run has that id"));
}
