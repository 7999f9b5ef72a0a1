//! `check --rules DIR` reads a directory as `rules validate DIR` does: recursively, in name
//! order, profiles validated as profiles. Both commands accept and refuse the same trees, with
//! the same errors. No network: `check --plan` sends nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn kp(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kms-preflight"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("KMS_PREFLIGHT_LANG", "en")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run kms-preflight")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh directory of its own under the system's temporary directory, removed on drop.
struct Tree(PathBuf);

impl Tree {
    fn new(name: &str) -> Tree {
        let dir = std::env::temp_dir().join(format!("kp-rules-dir-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Tree(dir)
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.0.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn copy(&self, from: &str, rel: &str) {
        let text =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(from)).unwrap();
        self.write(rel, &text);
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const BRANCH_RULE: &str = "version: 1
checks:
  - id: tcp.branch-alt
    kind: tcp
    title: Branch alternate port
    scope: each-host
    requires: [resolve.host]
    port: 1690
";

const PROFILE: &str = "version: 1
profile:
  name: site-profile
  summary: a site's own selection
  include: [srv.present]
checks: []
";

/// The rule errors a command printed, one per line, without the program-name prefix `check`
/// puts before the first.
fn error_lines(o: &Output) -> Vec<String> {
    stderr(o)
        .lines()
        .map(|l| l.strip_prefix("kms-preflight: ").unwrap_or(l).to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// `rules validate DIR` and `check --rules DIR --plan` on the same tree: the exit codes, and
/// on a refusal the errors, are the same.
fn both(dir: &Tree) -> (Output, Output) {
    let validate = kp(&["rules", "validate", dir.path()]);
    let check = kp(&[
        "check",
        "--rules",
        dir.path(),
        "--plan",
        "--domain",
        "corp.test",
    ]);
    assert_eq!(
        validate.status.code(),
        check.status.code(),
        "rules validate and check --rules disagree on {}:\nvalidate: {}\ncheck: {}",
        dir.path(),
        stderr(&validate),
        stderr(&check)
    );
    if validate.status.code() != Some(0) {
        assert_eq!(error_lines(&validate), error_lines(&check));
    }
    (validate, check)
}

#[test]
fn a_rule_in_a_subdirectory_is_loaded_by_check_rules_dir() {
    let t = Tree::new("sub");
    t.copy("testdata/rules/valid/custom.yaml", "custom.yaml");
    t.write("site/branch/alt.yaml", BRANCH_RULE);
    t.write("site/profiles/mine.yaml", PROFILE);
    t.write("site/notes.txt", "not a rule file: ignored by both\n");

    let (validate, check) = both(&t);
    assert_eq!(validate.status.code(), Some(0), "{}", stderr(&validate));
    assert!(
        stdout(&validate).contains("in 3 file(s) are valid (1 of the files are profiles)"),
        "{}",
        stdout(&validate)
    );
    // The plan names the check of the subdirectory and the port it alone probes.
    let plan = stdout(&check);
    let row = plan
        .lines()
        .find(|l| l.contains("tcp.branch-alt"))
        .unwrap_or_else(|| panic!("no row for the subdirectory's check:\n{plan}"));
    assert!(row.contains("1690"), "{row}");

    // rules list shows where it came from, and that the profile's checks are not run.
    let list = kp(&["rules", "list", "--rules", t.path()]);
    assert_eq!(list.status.code(), Some(0), "{}", stderr(&list));
    let out = stdout(&list);
    assert!(
        out.lines()
            .any(|l| l.starts_with("tcp.branch-alt ") && l.contains("site/branch/alt.yaml:3)")),
        "{out}"
    );
    assert!(!out.contains("mine.yaml"), "{out}");
}

#[test]
fn the_shipped_rules_directory_is_accepted_by_both() {
    let validate = kp(&["rules", "validate", "rules"]);
    assert_eq!(validate.status.code(), Some(0), "{}", stderr(&validate));
    let check = kp(&[
        "check",
        "--rules",
        "rules",
        "--plan",
        "--domain",
        "corp.test",
    ]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
}

#[test]
fn a_broken_file_deep_in_the_tree_is_refused_by_both_at_its_place() {
    let t = Tree::new("broken");
    t.copy("testdata/rules/valid/custom.yaml", "custom.yaml");
    t.copy(
        "testdata/rules/broken/unknown-key.yaml",
        "a/b/c/unknown-key.yaml",
    );
    let (validate, _) = both(&t);
    assert_eq!(validate.status.code(), Some(2));
    let lines = error_lines(&validate);
    assert!(
        lines
            .iter()
            .any(|l| l.ends_with("a/b/c/unknown-key.yaml:6:5: unknown field `prot`, expected one of id, kind, title, scope, severity, explains, remediation, timeout, requires, retries, retry_delay, port, hold, expect")),
        "{lines:?}"
    );
}

#[test]
fn a_broken_profile_in_a_subdirectory_is_refused_by_both() {
    let t = Tree::new("profile");
    t.write("site/branch/alt.yaml", BRANCH_RULE);
    t.write(
        "site/profiles/mine.yaml",
        "version: 1\nprofile:\n  name: mine\n  summary: x\n  colour: red\nchecks: []\n",
    );
    let (validate, _) = both(&t);
    assert_eq!(validate.status.code(), Some(2));
    let lines = error_lines(&validate);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("site/profiles/mine.yaml:5:3: unknown field `colour`")),
        "{lines:?}"
    );
}

#[test]
fn the_same_id_in_two_subdirectories_is_refused_by_both() {
    let t = Tree::new("dup");
    t.write("east/alt.yaml", BRANCH_RULE);
    t.write("west/alt.yaml", BRANCH_RULE);
    let (validate, _) = both(&t);
    assert_eq!(validate.status.code(), Some(2));
    let lines = error_lines(&validate);
    // Name order: east is loaded first, so west's copy is the duplicate.
    assert!(
        lines.iter().any(
            |l| l.contains("west/alt.yaml:3:9: duplicate check id 'tcp.branch-alt'")
                && l.contains("east/alt.yaml:3")
        ),
        "{lines:?}"
    );
}

#[test]
fn a_directory_without_rule_files_is_refused_by_both() {
    let t = Tree::new("empty");
    t.write("sub/readme.txt", "no rules here\n");
    let (validate, _) = both(&t);
    assert_eq!(validate.status.code(), Some(2));
    assert!(
        error_lines(&validate)
            .iter()
            .any(|l| l.contains("directory holds no .yaml or .yml rule files")),
        "{}",
        stderr(&validate)
    );
}

/// A symbolic link back up the tree ends at the depth limit, in both commands, with an error
/// instead of a hang.
#[cfg(unix)]
#[test]
fn a_symlink_loop_is_bounded_in_both() {
    let t = Tree::new("loop");
    t.write("site/alt.yaml", BRANCH_RULE);
    std::os::unix::fs::symlink("..", t.0.join("site/loop")).unwrap();
    let (validate, _) = both(&t);
    assert_eq!(validate.status.code(), Some(2));
    assert!(
        error_lines(&validate)
            .iter()
            .any(|l| l.ends_with("directories nested more than 32 deep")),
        "{}",
        stderr(&validate)
    );
}
