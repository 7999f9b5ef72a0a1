//! The operator commands as a user runs them (no network): explain in every spelling of every
//! required code, unknown and malformed codes, diagnose of a non-network code, completions
//! (checked by bash itself) and the man page (checked by man/groff when installed).

use std::process::Command;

const REQUIRED: &[&str] = &[
    "0x4004F00C",
    "0x4004F00D",
    "0xC004F074",
    "0xC004F038",
    "0xC004F039",
    "0xC004F041",
    "0xC004F042",
    "0xC004F06C",
    "0x8007232A",
    "0x8007232B",
    "0x8007251D",
    "0x8007007B",
    "0x800706BA",
    "0xC004F035",
    "0xC004F050",
    "0xC004C008",
    "0xC004C003",
    "0xC004F034",
    "0xC004F213",
    "0x80072EE2",
    "0x8004FE21",
    "0xC004C020",
    "0xC004F069",
    "0x80072F8F",
    "0xC004F025",
];

fn kp(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kms-preflight"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run kms-preflight");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn explain_every_required_code_in_every_spelling() {
    for code in REQUIRED {
        let n = u32::from_str_radix(&code[2..], 16).unwrap();
        let spellings = [
            code.to_string(),
            code.to_ascii_lowercase(),
            code[2..].to_string(),
            code[2..].to_ascii_lowercase(),
            format!("0X{}", &code[2..]),
            n.to_string(),
            (n as i32).to_string(),
        ];
        for s in spellings {
            let (rc, out, err) = kp(&["explain", &s]);
            assert_eq!(rc, 0, "explain {s}: {err}");
            assert!(out.starts_with(&format!("{code}  ")), "explain {s}: {out}");
            assert!(out.contains("\nLikely causes:\n"), "{out}");
            assert!(out.contains("\nFix:\n"), "{out}");
        }
        let (rc, out, _) = kp(&["explain", code, "--format", "json"]);
        assert_eq!(rc, 0);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["code"], *code);
        assert!([
            "dns",
            "network",
            "time",
            "host",
            "licensing",
            "state",
            "local"
        ]
        .contains(&v["layer"].as_str().unwrap()));
    }
}

#[test]
fn explain_gives_windows_and_office_commands() {
    let (_, out, _) = kp(&["explain", "0xC004F074"]);
    for needle in [
        "slmgr /skms",
        "slmgr /ckms",
        "slmgr /ato",
        "/sethst:",
        "/setprt:",
        "/act",
        "/dstatus",
    ] {
        assert!(out.contains(needle), "missing {needle}:\n{out}");
    }
    for dir in ["Office14", "Office15", "Office16", "%ProgramFiles(x86)%"] {
        assert!(out.contains(dir), "missing {dir}:\n{out}");
    }
    // Checks this build lacks are named, not hidden.
    assert!(
        out.contains("srv.present      KMS SRV record is published"),
        "{out}"
    );
}

#[test]
fn unknown_and_malformed_codes_get_clear_messages() {
    let (rc, out, _) = kp(&["explain", "0x80070002"]);
    assert_eq!(rc, 1);
    assert!(
        out.contains("0x80070002 is not in the kms-preflight catalog"),
        "{out}"
    );
    assert!(out.contains("Win32 error 2"), "{out}");
    let (rc, _, err) = kp(&["explain", "not-a-code"]);
    assert_eq!(rc, 2);
    assert!(err.contains("is not an error code"), "{err}");
    let (rc, _, err) = kp(&["diagnose", "0x12345678", "--dns", "127.0.0.1"]);
    assert_eq!(rc, 2);
    assert!(err.contains("not in the kms-preflight catalog"), "{err}");
}

#[test]
fn diagnose_of_a_licensing_code_runs_nothing() {
    let (rc, out, _) = kp(&["diagnose", "0xC004F050", "--dns", "127.0.0.1"]);
    assert_eq!(rc, 0, "{out}");
    assert!(out.contains("NOT-NETWORK"), "{out}");
}

#[test]
fn completions_are_valid_bash() {
    let (rc, script, _) = kp(&["completions", "bash"]);
    assert_eq!(rc, 0);
    assert!(script.contains("explain"));
    assert!(script.contains("post-change"), "profile names complete");
    let dir = std::env::temp_dir().join(format!("kp-completions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("kms-preflight.bash");
    std::fs::write(&f, &script).unwrap();
    let out = Command::new("bash").arg("-n").arg(&f).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let (rc, s, _) = kp(&["completions", shell]);
        assert_eq!(rc, 0);
        assert!(s.contains("kms-preflight"));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn man_page_is_roff_for_every_command() {
    let (rc, page, _) = kp(&["man"]);
    assert_eq!(rc, 0);
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq") || page.contains(".TH kms-preflight 1"),
        "{page}"
    );
    assert!(page.contains(".TH kms-preflight 1"));
    let dir = std::env::temp_dir().join(format!("kp-man-{}", std::process::id()));
    let (rc, _, err) = kp(&["man", "--out-dir", dir.to_str().unwrap()]);
    assert_eq!(rc, 0, "{err}");
    for page in [
        "kms-preflight.1",
        "kms-preflight-check.1",
        "kms-preflight-diff.1",
        "kms-preflight-explain.1",
    ] {
        assert!(dir.join(page).exists(), "{page} missing");
    }
    // groff, when installed, must render it without warnings (-k: preconv for UTF-8, as man does).
    if std::path::Path::new("/usr/bin/groff").exists() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let page = entry.unwrap().path();
            let out = Command::new("groff")
                .args(["-k", "-man", "-Tutf8", "-ww", "-z"])
                .arg(&page)
                .output()
                .unwrap();
            assert!(
                out.status.success() && out.stderr.is_empty(),
                "{}: {}",
                page.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `diff` on two reports recorded from the post-change lab run (tests/lab_operator.rs, with
/// KP_DOCS_DIR set): the old host went silent (fixed), the new host's port started to refuse
/// (regressed). Output compared with golden files; UPDATE_GOLDEN=1 rewrites them.
#[test]
fn diff_of_recorded_reports() {
    let root = env!("CARGO_MANIFEST_DIR");
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_kms-preflight"))
            .args(args)
            .current_dir(root)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let before = "testdata/reports/post-change-before.json";
    let after = "testdata/reports/post-change-after.json";
    for (format, golden) in [
        ("text", "diff.txt"),
        ("markdown", "diff.md"),
        ("json", "diff.json"),
    ] {
        let (rc, out) = run(&["diff", before, after, "--format", format]);
        assert_eq!(rc, 1, "a regression exits 1");
        let path = std::path::Path::new(root)
            .join("testdata/golden")
            .join(golden);
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&path, &out).unwrap();
        }
        assert_eq!(out, std::fs::read_to_string(&path).unwrap(), "{golden}");
    }
    let (_, json) = run(&["diff", before, after, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["schema"], "kms-preflight/diff/v1");
    let regressed: Vec<&str> = v["regressions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(regressed, ["srv.stale", "tcp.port", "kms.rpc-bind"]);
    assert_eq!(v["fixes"][0]["id"], "change.old-host-silent");
    // Reversed, the fix is a regression and the regressions are fixes.
    let (rc, out) = run(&["diff", after, before]);
    assert_eq!(rc, 1);
    assert!(
        out.contains("REGRESSED (1)\n  pass → fail      change.old-host-silent"),
        "{out}"
    );
    assert!(out.contains("FIXED (3)"), "{out}");
    // The same report twice: nothing to report, exit 0.
    let (rc, out) = run(&["diff", before, before]);
    assert_eq!(rc, 0, "{out}");
    assert!(out.contains("0 regressed, 0 fixed"), "{out}");
    // Not a report: exit 2 with the reason.
    let out = Command::new(env!("CARGO_BIN_EXE_kms-preflight"))
        .args(["diff", "Cargo.toml", after])
        .current_dir(root)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Cargo.toml: not a JSON document"));
}

/// The catalog names the checks that decide each code by id; every such id must be a check
/// of the built-in rules, or `diagnose` would silently have less to run than `explain` says.
#[test]
fn every_check_id_in_the_catalog_is_a_builtin_check() {
    use kms_preflight_checks::pack;
    use kms_preflight_engine::rules::LoadOptions;
    // The built-in rules: the default pack plus the opt-in activation file.
    let default_pack = pack::load(&pack::embedded::sources(), &LoadOptions::default()).unwrap();
    assert!(
        !default_pack
            .checks
            .iter()
            .any(|c| c.kind == "kms-activation"),
        "the default pack must never send an activation request"
    );
    let mut sources = pack::embedded::sources();
    sources.push(pack::embedded::activation_source());
    let set = pack::load(&sources, &LoadOptions::default()).unwrap();
    let ids: Vec<&str> = set.checks.iter().map(|c| c.id.as_str()).collect();
    for id in kms_preflight_knowledge::CHECK_IDS {
        assert!(
            ids.contains(id),
            "catalog check id {id} is not a built-in check: {ids:?}"
        );
    }
}
