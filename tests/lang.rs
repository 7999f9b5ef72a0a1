//! Japanese output of the table (issue 20): golden renderings of a recorded report's verdict
//! block and concise table in both languages, no untranslated English sentence in the Japanese
//! verdict and table lines, columns aligned by display width (full-width characters take 2)
//! and within the width asked for, and the language chosen on the command line and from the
//! environment. Rewrite the golden files after an intended change with
//! `UPDATE_GOLDEN=1 cargo test --test lang`.

use std::path::PathBuf;
use std::process::Command;

use kms_preflight_report::{self as report, Lang, Report};
use unicode_width::UnicodeWidthStr;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The recorded branch-office run: a healthy host, one whose clock is 5 h ahead, a stale record.
fn branch_office() -> Report {
    let path = root().join("testdata/reports/branch-office-verdict.json");
    let text = std::fs::read_to_string(&path).unwrap();
    Report::from_json(&text).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()))
}

fn concise(lang: Lang, width: usize) -> String {
    colored::control::set_override(false);
    report::concise::render(&branch_office(), width, lang)
}

fn golden(name: &str, actual: &str) {
    let path = root().join("testdata/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (create it with UPDATE_GOLDEN=1)", path.display()));
    assert_eq!(
        actual, expected,
        "{name} differs from the golden file; UPDATE_GOLDEN=1 rewrites it"
    );
}

#[test]
fn concise_table_golden_in_japanese_and_english() {
    golden("branch-office.concise.ja.txt", &concise(Lang::Ja, 100));
    golden("branch-office.concise.en.txt", &concise(Lang::En, 100));
}

#[path = "support/untranslated.rs"]
mod untranslated;
use untranslated::{english_words, is_japanese};

/// The verdict block: from the line after the header to the first section heading.
fn verdict_block(text: &str, heading: &str) -> Vec<String> {
    text.lines()
        .skip(2)
        .take_while(|l| !l.starts_with(heading))
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn japanese_verdict_and_table_lines_have_no_untranslated_english() {
    let ja = concise(Lang::Ja, 100);
    let block = verdict_block(&ja, "合格しなかった結果");
    assert!(block.len() >= 8, "{ja}");
    for l in &block {
        // A wrapped line may hold only a code or a host: no words, nothing to translate.
        assert!(
            l.chars().any(is_japanese) || english_words(l).is_empty(),
            "untranslated verdict line: {l:?}\n{ja}"
        );
    }
    // The table's own words: headings, status words, the pass line, fix heads, the summary.
    // (Result messages and remediations of this report are recorded English text, shown as
    // recorded.)
    let own: Vec<&str> = ja
        .lines()
        .filter(|l| {
            l.starts_with("合格しなかった結果")
                || l.starts_with("合格 ")
                || l.starts_with("修正")
                || l.starts_with("  修正 ")
                || l.starts_with("  その他 ")
                || l.starts_with("結果 ")
                || l.starts_with("  失敗 ")
                || l.starts_with("  スキップ ")
        })
        .collect();
    assert!(own.len() >= 12, "{own:#?}");
    for l in &own {
        assert!(l.chars().any(is_japanese), "{l:?}");
    }
    for english in [
        "WORKS",
        "first try",
        "fixes, by",
        "Not passed",
        "passed:",
        "Fixes",
        "results:",
        "READY",
        "FAIL ",
        "SKIP ",
        "general",
        "activates",
        "clients",
        "of first attempts",
        "clock is",
        "stale record",
    ] {
        // Result rows show the recorded message after their Japanese status word.
        let rows = |l: &&str| !l.starts_with("  失敗 ") && !l.starts_with("  スキップ ");
        for l in block
            .iter()
            .map(String::as_str)
            .chain(own.iter().copied().filter(rows))
        {
            assert!(!l.contains(english), "{english:?} in {l:?}");
        }
    }
}

/// The display columns where a column starts: a character after two or more spaces.
fn column_starts(line: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut spaces = 0;
    let mut col = 0;
    for ch in line.chars() {
        if ch == ' ' {
            spaces += 1;
        } else {
            if spaces >= 2 {
                out.push(col);
            }
            spaces = 0;
        }
        col += unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0);
    }
    out
}

#[test]
fn japanese_columns_align_by_display_width_and_stay_within_the_width() {
    for width in [80, 100, 120] {
        let ja = concise(Lang::Ja, width);
        for l in ja.lines().skip(1) {
            assert!(l.width() <= width, "{} > {width}: {l:?}", l.width());
        }
        let rows: Vec<&str> = ja
            .lines()
            .skip_while(|l| !l.starts_with("合格しなかった結果"))
            .skip(1)
            .take_while(|l| !l.is_empty())
            .collect();
        assert!(rows.len() >= 8, "{ja}");
        let first = column_starts(rows[0]);
        assert!(first.len() >= 4, "{:?}", rows[0]);
        for r in &rows {
            // Status, check, place and message start at the same display column on every row,
            // whether the status word is 失敗 (4 columns) or スキップ (8).
            assert_eq!(column_starts(r)[..4], first[..4], "{r:?}\n{ja}");
        }
    }
}

#[test]
fn fit_counts_full_width_as_two_and_never_cuts_a_character() {
    let s = "合格しなかった結果です";
    assert_eq!(s.width(), 22);
    for w in 1..24 {
        let f = report::concise::fit(s, w);
        assert!(f.width() <= w.max(1), "{w}: {f}");
        assert!(s.starts_with(f.trim_end_matches('…')), "{w}: {f}");
    }
    assert_eq!(report::concise::fit(s, 7), "合格し…");
    assert_eq!(report::concise::fit(s, 22), s);
    assert_eq!(report::concise::fit("abcdef", 4), "abc…");
}

#[test]
fn wrap_breaks_japanese_between_characters_within_the_width() {
    let line = format!("  {}", "ライセンス認証できるクライアント".repeat(6));
    let out = report::verdict_block::wrap(&line, 40);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.len() > 2, "{out}");
    for l in &lines {
        assert!(l.width() <= 40, "{} > 40: {l:?}", l.width());
    }
    let joined: String = lines.iter().map(|l| l.trim_start()).collect();
    assert_eq!(joined, line.trim_start());
    // English still wraps between words only.
    let en = "  the quick brown fox jumps over the lazy dog again and again";
    assert_eq!(
        report::verdict_block::wrap(en, 30),
        "  the quick brown fox jumps\n      over the lazy dog again\n      and again\n"
    );
}

#[test]
fn json_verdict_phrases_carry_ids_and_follow_the_language() {
    let r = branch_office();
    let en = report::json::to_value(&r, Lang::En);
    let ja = report::json::to_value(&r, Lang::Ja);
    let (ve, vj) = (&en["verdict"], &ja["verdict"]);
    assert_eq!(ve["answer"], "works-with-risk");
    assert_eq!(vj["answer"], "works-with-risk");
    assert_eq!(ve["label"], "WORKS WITH RISK");
    assert_eq!(vj["label"], "ライセンス認証できるがリスクあり");
    assert_eq!(ve["reason_id"], "verdict-risk-rejects");
    assert_eq!(ve["reason_id"], vj["reason_id"]);
    assert_eq!(ve["reason_args"], vj["reason_args"]);
    assert_eq!(ve["reason_args"]["host"], "kms2.branch.test");
    assert_eq!(
        ve["reason"],
        "33 % of first attempts reach kms2.branch.test, whose clock is 5 h ahead → 0xC004F06C"
    );
    assert!(vj["reason"]
        .as_str()
        .unwrap()
        .contains("時刻が 5 時間進んでいます"));
    let fix = &ve["fixes"][0];
    assert_eq!(fix["title_id"], "verdict-fix-clock-now");
    assert_eq!(fix["title_args"]["host"], "kms2.branch.test");
    let client = &ve["clients"][0];
    assert_eq!(client["risk_messages"].as_array().unwrap().len(), 2);
    assert_eq!(
        client["risk_messages"][0]["message_id"],
        "verdict-risk-rejects"
    );
    assert_eq!(client["discovery_id"], "verdict-discovery-srv");
    let stale = &client["hosts"][0];
    assert_eq!(stale["because_id"], "verdict-stale-no-address");
    // Every id of the verdict is in both catalogs.
    for id in [
        &ve["reason_id"],
        &fix["title_id"],
        &client["discovery_id"],
        &stale["because_id"],
    ] {
        for lang in Lang::ALL {
            assert!(
                report::Catalog::get(lang).has(id.as_str().unwrap()),
                "{id} in {lang:?}"
            );
        }
    }
}

// ---------- choosing the language on the command line ----------

/// The binary with no language in its environment but `vars`.
fn bin(vars: &[(&str, &str)], args: &[&str]) -> std::process::Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kms-preflight"));
    for v in [
        "KMS_PREFLIGHT_LANG",
        "LC_ALL",
        "LC_MESSAGES",
        "LANG",
        "LANGUAGE",
    ] {
        c.env_remove(v);
    }
    c.envs(vars.iter().copied()).args(args).current_dir(root());
    c.output().unwrap()
}

const DIFF: [&str; 3] = [
    "diff",
    "testdata/reports/post-change-before.json",
    "testdata/reports/post-change-after.json",
];

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn the_language_comes_from_the_flag_then_the_variable_then_the_locale() {
    let english = stdout(&bin(&[], &DIFF));
    assert!(english.contains("REGRESSED"), "{english}");
    let japanese = stdout(&bin(&[], &[&["--lang", "ja"][..], &DIFF].concat()));
    assert!(japanese.chars().any(is_japanese), "{japanese}");
    assert_ne!(english, japanese);
    // The flag goes anywhere on the line (global), and wins over everything else.
    let ja_env = [
        ("KMS_PREFLIGHT_LANG", "ja"),
        ("LC_ALL", "ja_JP.UTF-8"),
        ("LANG", "ja_JP.UTF-8"),
    ];
    let flagged = [&DIFF[..], &["--lang", "en"]].concat();
    assert_eq!(stdout(&bin(&ja_env, &flagged)), english);
    for vars in [
        &[("KMS_PREFLIGHT_LANG", "ja")][..],
        &[("LC_ALL", "ja_JP.UTF-8")],
        &[("LC_MESSAGES", "ja_JP")],
        &[("LANG", "ja")],
        &[("LC_ALL", "ja_JP.UTF-8"), ("LANG", "C")],
        &[("KMS_PREFLIGHT_LANG", "ja"), ("LANG", "C")],
    ] {
        assert_eq!(stdout(&bin(vars, &DIFF)), japanese, "{vars:?}");
    }
    for vars in [
        &[("LANG", "C")][..],
        &[("LC_ALL", "POSIX"), ("LANG", "ja_JP.UTF-8")],
        &[("LC_MESSAGES", "en_US.UTF-8"), ("LANG", "ja_JP.UTF-8")],
        &[("KMS_PREFLIGHT_LANG", "en"), ("LC_ALL", "ja_JP.UTF-8")],
    ] {
        assert_eq!(stdout(&bin(vars, &DIFF)), english, "{vars:?}");
    }
}

#[test]
fn a_bad_language_is_a_usage_error_naming_it() {
    let o = bin(&[("KMS_PREFLIGHT_LANG", "fr")], &DIFF);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("KMS_PREFLIGHT_LANG=\"fr\""), "{err}");
    assert!(o.stdout.is_empty());
    let o = bin(&[], &[&["--lang", "fr"][..], &DIFF].concat());
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("'fr'") && err.contains("--lang"), "{err}");
}
