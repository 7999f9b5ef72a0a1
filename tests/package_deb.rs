//! The Debian package, built and installed for real (issue 21).
//!
//! 1. `scripts/package-deb.sh` builds target/debian/kms-preflight_*.deb (cargo-deb, the LTO
//!    release build, man pages and completions generated from that binary). When nothing
//!    changed the build is a no-op and only the staging and cargo-deb run again.
//! 2. lintian reports no error, and no warning or info tag that packaging/lintian-accepted.txt
//!    does not accept with a reason (an accepted tag lintian no longer reports fails too, so
//!    the list stays true).
//! 3. A fresh Debian root: debootstrap of the host's own suite, `--variant=minbase` plus
//!    man-db (for `man -w`) and systemd (for `systemd-analyze verify` run by the root's own
//!    systemd, against the root's own binary and man pages: the host's systemd-analyze
//!    with --root= still asks the host's man). The root is made once and kept as a tarball
//!    under target/tmp; each run unpacks a new copy, so a second run needs no network.
//! 4. In it, through chroot: `dpkg -i`; `kms-preflight --version` and `rules list` (same
//!    output as the binary under test); `man -w` for every page (one per command); bash
//!    parses the completion; the unit verifies and is not enabled; the conffile is one. Then
//!    the admin's step, `systemctl enable`.
//! 5. `dpkg -r` leaves only the conffile; `dpkg -P` leaves nothing: no file of `dpkg -L`, and
//!    the root's file tree is what it was before `dpkg -i`, enable link included (but for
//!    dpkg's own database, logs and the man-db index, which Debian keeps).
//!
//! Root only (debootstrap, chroot, dpkg in the root); ignored otherwise, and asked to run
//! without root it fails. No mount is made: nothing in the chroot needs /proc, and so
//! removing the root can never reach outside it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

const REPO: &str = env!("CARGO_MANIFEST_DIR");
const VERSION: &str = env!("CARGO_PKG_VERSION");
/// Packages debootstrap adds to minbase: man-db for `man -w`, systemd for `systemd-analyze`.
const INCLUDE: &str = "man-db,systemd";

fn euid() -> u32 {
    // The effective uid is the second field of "Uid:" (no libc call needed).
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2)?.parse().ok())
        })
        .unwrap_or(u32::MAX)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn show(what: &str, out: &Output) -> String {
    format!(
        "{what}: {}\n--- stdout\n{}--- stderr\n{}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    )
}

/// Runs a command; a tool that cannot be started is a failure naming the package to install.
fn run(cmd: &mut Command) -> Output {
    let what = format!("{cmd:?}");
    cmd.output().unwrap_or_else(|e| {
        panic!("cannot run {what}: {e} (scripts/test-all.sh installs lintian, debootstrap, man-db and systemd)")
    })
}

fn must(cmd: &mut Command) -> Output {
    let what = format!("{cmd:?}");
    let out = run(cmd);
    assert!(out.status.success(), "{}", show(&what, &out));
    out
}

fn tool(name: &str) {
    let found = ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        .iter()
        .any(|d| Path::new(d).join(name).exists());
    // A missing tool fails the test (CI=true or not): nothing here passes by skipping.
    assert!(
        found,
        "{name} is missing: apt-get install {} (scripts/test-all.sh does{})",
        match name {
            "systemd-analyze" => "systemd",
            "dpkg-deb" => "dpkg",
            n => n,
        },
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            "; under CI=true a missing tool is a failure"
        } else {
            ""
        }
    );
}

/// The fresh root: unpacked from the cached tarball, removed on drop (also when the test fails).
struct Root(PathBuf);

impl Root {
    fn path(&self, inside: &str) -> PathBuf {
        self.0.join(inside.trim_start_matches('/'))
    }

    fn chroot(&self, args: &[&str]) -> Output {
        run(Command::new("chroot")
            .arg(&self.0)
            .args(args)
            .env_clear()
            .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
            .env("HOME", "/root")
            .env("LC_ALL", "C.UTF-8"))
    }

    fn must(&self, args: &[&str]) -> Output {
        let out = self.chroot(args);
        assert!(
            out.status.success(),
            "{}",
            show(&format!("chroot {}", args.join(" ")), &out)
        );
        out
    }
}

impl Drop for Root {
    fn drop(&mut self) {
        remove_tree(&self.0);
    }
}

/// `rm -rf` of a root, refused when anything is mounted below it (a bind mount would let the
/// removal reach the host's files).
fn remove_tree(dir: &Path) {
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let prefix = format!("{}/", dir.display());
    if let Some(m) = mounts
        .lines()
        .filter_map(|l| l.split_whitespace().nth(4))
        .find(|m| m.starts_with(&prefix) || *m == prefix.trim_end_matches('/'))
    {
        panic!("{m} is mounted inside {}: not removing it", dir.display());
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// The host's Debian suite (the root is made of the same one) and architecture.
fn host_suite() -> (String, String) {
    let os = std::fs::read_to_string("/etc/os-release").expect("/etc/os-release");
    let field = |k: &str| {
        os.lines()
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .map(|v| v.trim_matches('"').to_string())
    };
    assert_eq!(
        field("ID").as_deref(),
        Some("debian"),
        "the install test makes a root of the host's Debian suite; this host is not Debian:\n{os}"
    );
    let suite = field("VERSION_CODENAME").expect("VERSION_CODENAME in /etc/os-release");
    let arch = text(&must(Command::new("dpkg").arg("--print-architecture")).stdout)
        .trim()
        .to_string();
    (suite, arch)
}

/// The mirror the host's apt uses for `suite` (deb822 .sources or one-line .list files), so
/// the root comes from where the host's packages do; None: debootstrap's own default.
fn host_mirror(suite: &str) -> Option<String> {
    let mut files = vec![PathBuf::from("/etc/apt/sources.list")];
    if let Ok(dir) = std::fs::read_dir("/etc/apt/sources.list.d") {
        let mut more: Vec<PathBuf> = dir.flatten().map(|e| e.path()).collect();
        more.sort();
        files.extend(more);
    }
    for f in files {
        let Ok(body) = std::fs::read_to_string(&f) else {
            continue;
        };
        let name = f.to_string_lossy();
        if name.ends_with(".sources") {
            for stanza in body.split("\n\n") {
                let get = |k: &str| {
                    stanza
                        .lines()
                        .find_map(|l| l.strip_prefix(&format!("{k}:")))
                        .map(|v| v.split_whitespace().map(String::from).collect::<Vec<_>>())
                        .unwrap_or_default()
                };
                if get("Types").iter().any(|t| t == "deb")
                    && get("Suites").iter().any(|s| s == suite)
                    && get("Components").iter().any(|c| c == "main")
                {
                    if let Some(uri) = get("URIs").into_iter().next() {
                        return Some(uri);
                    }
                }
            }
        } else if name.ends_with(".list") || name.ends_with("sources.list") {
            for line in body.lines() {
                let words: Vec<&str> = line
                    .split_whitespace()
                    .filter(|w| !w.starts_with('['))
                    .collect();
                if words.len() >= 4 && words[0] == "deb" && words[2] == suite {
                    return Some(words[1].to_string());
                }
            }
        }
    }
    None
}

/// The cached pristine root (a tarball), made by debootstrap when absent.
fn pristine_root(cache: &Path, suite: &str, arch: &str) -> PathBuf {
    let tar = cache.join(format!(
        "debian-{suite}-{arch}-minbase+{}.tar",
        INCLUDE.replace(',', "+")
    ));
    if tar.exists() {
        eprintln!("package_deb: reusing the Debian root {}", tar.display());
        return tar;
    }
    let build = cache.join("debootstrap");
    remove_tree(&build);
    let mut cmd = Command::new("debootstrap");
    cmd.args(["--variant=minbase", &format!("--include={INCLUDE}"), suite])
        .arg(&build);
    if let Some(mirror) = host_mirror(suite) {
        cmd.arg(mirror);
    }
    let t = Instant::now();
    must(&mut cmd);
    // Downloaded .debs are not part of the system.
    must(
        Command::new("chroot")
            .arg(&build)
            .args(["apt-get", "clean"]),
    );
    let partial = tar.with_extension("tar.partial");
    must(
        Command::new("tar")
            .arg("-C")
            .arg(&build)
            .args(["--numeric-owner", "-cf"])
            .arg(&partial)
            .arg("."),
    );
    std::fs::rename(&partial, &tar).unwrap();
    remove_tree(&build);
    eprintln!(
        "package_deb: debootstrap {suite} ({arch}, minbase+{INCLUDE}) in {:.0?}",
        t.elapsed()
    );
    tar
}

/// Every path under `root` (type and, for links, target), but those Debian keeps changing on
/// its own: dpkg's database, logs, the man-db index, and the places nothing installs into.
fn tree(root: &Path) -> BTreeSet<String> {
    const KEPT: [&str; 9] = [
        "/proc",
        "/sys",
        "/dev",
        "/run",
        "/tmp",
        "/var/lib/dpkg",
        "/var/log",
        "/var/cache/man",
        "/var/cache/debconf",
    ];
    fn walk(root: &Path, rel: &str, out: &mut BTreeSet<String>) {
        let Ok(dir) = std::fs::read_dir(root.join(rel.trim_start_matches('/'))) else {
            return;
        };
        for e in dir.flatten() {
            let path = format!("{rel}/{}", e.file_name().to_string_lossy());
            if KEPT.contains(&path.as_str()) {
                continue;
            }
            let ft = e.file_type().unwrap();
            if ft.is_symlink() {
                let to = std::fs::read_link(e.path()).unwrap();
                out.insert(format!("{path} -> {}", to.display()));
            } else if ft.is_dir() {
                out.insert(format!("{path}/"));
                walk(root, &path, out);
            } else {
                out.insert(path);
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(root, "", &mut out);
    out
}

/// lintian's tags: `(severity letter, tag, rest)`, from lines like `W: pkg: tag extra`.
fn lintian_tags(report: &str) -> Vec<(char, String, String)> {
    report
        .lines()
        .filter_map(|l| {
            let (sev, rest) = l.split_once(": ")?;
            // E error, W warning, I info, P pedantic, X experimental (N: is explanation).
            let sev = sev
                .chars()
                .next()
                .filter(|c| sev.len() == 1 && "EWIPX".contains(*c))?;
            let (_pkg, rest) = rest.split_once(": ")?;
            let (tag, extra) = rest.split_once(' ').unwrap_or((rest, ""));
            Some((sev, tag.to_string(), extra.to_string()))
        })
        .collect()
}

/// The first file of ours (Rust sources, catalogs, rules, the error-code catalog) holding
/// `word` as a whole word, if any.
fn word_in_sources(word: &str) -> Option<String> {
    fn walk(dir: &Path, word: &str) -> Option<String> {
        let mut entries: Vec<_> = std::fs::read_dir(dir).ok()?.flatten().collect();
        entries.sort_by_key(|e| e.path());
        for e in entries {
            let p = e.path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n == "target") {
                    continue;
                }
                if let Some(f) = walk(&p, word) {
                    return Some(f);
                }
            } else if p
                .extension()
                .is_some_and(|x| ["rs", "ftl", "yaml", "yml", "txt"].iter().any(|k| x == *k))
            {
                let body = std::fs::read_to_string(&p).unwrap_or_default();
                let whole = body
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .any(|w| w == word);
                if whole {
                    return Some(p.display().to_string());
                }
            }
        }
        None
    }
    if word.is_empty() {
        return None;
    }
    ["src", "crates", "knowledge", "rules"]
        .iter()
        .find_map(|d| walk(&Path::new(REPO).join(d), word))
}

/// One line of packaging/lintian-accepted.txt.
struct Accepted {
    sev: char,
    tag: String,
    /// `tag[WORD]`: only the report whose detail starts with WORD (a spelling tag names the
    /// word; nothing else of that tag is accepted).
    detail: Option<String>,
    /// `X?:` a tag that comes and goes with the compiler's code layout: accepted when
    /// reported, not required to be.
    optional: bool,
}

impl Accepted {
    fn matches(&self, sev: char, tag: &str, extra: &str) -> bool {
        self.sev == sev
            && self.tag == tag
            && self
                .detail
                .as_deref()
                .is_none_or(|d| extra.split_whitespace().next() == Some(d))
    }
}

/// packaging/lintian-accepted.txt: `X: tag  reason` or `X?: tag[WORD]  reason`, comments
/// with '#'.
fn accepted_tags() -> Vec<Accepted> {
    let path = Path::new(REPO).join("packaging/lintian-accepted.txt");
    let body = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut accepted = Vec::new();
    for (i, l) in body.lines().enumerate() {
        if l.trim().is_empty() || l.starts_with('#') {
            continue;
        }
        // `X: tag  reason`, the reason required.
        let entry = l.split_once(": ").and_then(|(sev, rest)| {
            let mut words = rest.split_whitespace();
            let tag = words.next()?;
            words.next()?;
            let (sev, optional) = match sev.strip_suffix('?') {
                Some(s) => (s, true),
                None => (sev, false),
            };
            let sev = sev
                .chars()
                .next()
                .filter(|c| sev.len() == 1 && "WIPX".contains(*c))?;
            let (tag, detail) = match tag.split_once('[') {
                Some((t, d)) => (t, Some(d.strip_suffix(']')?.to_string())),
                None => (tag, None),
            };
            Some(Accepted {
                sev,
                tag: tag.to_string(),
                detail,
                optional,
            })
        });
        accepted.push(entry.unwrap_or_else(|| {
            panic!(
                "{}:{}: want `X: tag  reason` or `X?: tag[WORD]  reason` (X one of W I P X): {l}",
                path.display(),
                i + 1
            )
        }));
    }
    accepted
}

#[test]
#[ignore = "needs root: debootstrap, chroot and dpkg into a fresh Debian root (scripts/test-all.sh runs it)"]
fn deb_builds_passes_lintian_installs_runs_and_purges_clean() {
    assert_eq!(
        euid(),
        0,
        "the package install test needs root (debootstrap, chroot, dpkg): run scripts/test-all.sh as root"
    );
    for t in [
        "debootstrap",
        "chroot",
        "lintian",
        "dpkg-deb",
        "tar",
        "systemd-analyze",
    ] {
        tool(t);
    }
    let started = Instant::now();

    // 1. The .deb, from the one documented command.
    let t = Instant::now();
    let mut script = Command::new("bash");
    script.arg(Path::new(REPO).join("scripts/package-deb.sh"));
    // The cargo running this test, first on PATH (also for `cargo install cargo-deb`).
    if let Some(dir) = std::env::var_os("CARGO")
        .map(PathBuf::from)
        .and_then(|c| c.parent().map(Path::to_path_buf))
    {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut dirs = vec![dir];
        dirs.extend(std::env::split_paths(&path));
        script.env("PATH", std::env::join_paths(dirs).unwrap());
    }
    let out = must(&mut script);
    let deb = PathBuf::from(text(&out.stdout).lines().last().unwrap_or("").trim());
    eprintln!(
        "package_deb: scripts/package-deb.sh in {:.0?}: {}",
        t.elapsed(),
        deb.display()
    );
    let (suite, arch) = host_suite();
    let debian_dir = Path::new(REPO).join("target/debian");
    assert_eq!(
        deb,
        debian_dir.join(format!("kms-preflight_{VERSION}-1_{arch}.deb")),
        "the script's last line names the .deb under target/debian/"
    );
    assert!(deb.is_file(), "{} missing", deb.display());
    let field = |f: &str| {
        text(&must(Command::new("dpkg-deb").arg("-f").arg(&deb).arg(f)).stdout)
            .trim()
            .to_string()
    };
    assert_eq!(field("Package"), "kms-preflight");
    assert_eq!(field("Version"), format!("{VERSION}-1"));
    // The Debian changelog moves with the crate's version.
    let changelog = std::fs::read_to_string(Path::new(REPO).join("packaging/changelog")).unwrap();
    assert!(
        changelog.starts_with(&format!("kms-preflight ({VERSION}-1) ")),
        "packaging/changelog's first entry is not {VERSION}-1:\n{changelog}"
    );

    // 2. lintian: no error; every other tag accepted in packaging/lintian-accepted.txt.
    let t = Instant::now();
    let out = run(Command::new("lintian")
        .args(["--display-info", "--pedantic", "--tag-display-limit", "0"])
        .arg(&deb));
    let report = text(&out.stdout) + &text(&out.stderr);
    eprintln!("package_deb: lintian in {:.0?}:\n{report}", t.elapsed());
    let tags = lintian_tags(&report);
    let errors: Vec<_> = tags.iter().filter(|(s, ..)| *s == 'E').collect();
    assert!(errors.is_empty(), "lintian errors:\n{report}");
    let accepted = accepted_tags();
    for (sev, tag, extra) in &tags {
        if tag == "spelling-error-in-binary" {
            // lintian scans every byte run of the binary, machine code included; a word that
            // none of our sources, catalogs or rules contains is not a string of ours.
            let word = extra.split_whitespace().next().unwrap_or_default();
            let found = word_in_sources(word);
            assert!(
                found.is_none(),
                "lintian finds the misspelling {word:?} in the binary, and it is in {}: fix it\n{report}",
                found.unwrap_or_default()
            );
            eprintln!(
                "package_deb: {word:?} is in no source file: bytes of machine code, not a string"
            );
            continue;
        }
        assert!(
            accepted.iter().any(|a| a.matches(*sev, tag, extra)),
            "lintian reports {sev}: {tag} {extra}, which packaging/lintian-accepted.txt does not accept:\n{report}"
        );
    }
    for a in accepted.iter().filter(|a| !a.optional) {
        assert!(
            tags.iter().any(|(s, t, e)| a.matches(*s, t, e)),
            "packaging/lintian-accepted.txt accepts {}: {}, which lintian no longer reports: remove it\n{report}",
            a.sev,
            a.tag
        );
    }
    // lintian exits 0 when it found no error and ran to the end (2: it could not check).
    assert!(out.status.success(), "{}", show("lintian", &out));

    // 3. A fresh Debian root.
    let cache = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("package-deb");
    std::fs::create_dir_all(&cache).unwrap();
    // Roots left by a run that was killed (a run removes its own on drop).
    for e in std::fs::read_dir(&cache).unwrap().flatten() {
        if e.file_name().to_string_lossy().starts_with("root-") {
            remove_tree(&e.path());
        }
    }
    let t = Instant::now();
    let tar = pristine_root(&cache, &suite, &arch);
    let root = Root(cache.join(format!("root-{}", std::process::id())));
    std::fs::create_dir_all(&root.0).unwrap();
    must(
        Command::new("tar")
            .arg("-C")
            .arg(&root.0)
            .args(["--numeric-owner", "-xpf"])
            .arg(&tar),
    );
    eprintln!("package_deb: root ready in {:.0?}", t.elapsed());
    let before = tree(&root.0);
    assert!(
        !root.path("/usr/bin/kms-preflight").exists(),
        "the fresh root already has kms-preflight"
    );

    // 4. Install and run.
    let t = Instant::now();
    std::fs::copy(&deb, root.path("/tmp/kms-preflight.deb")).unwrap();
    root.must(&["dpkg", "-i", "/tmp/kms-preflight.deb"]);
    std::fs::remove_file(root.path("/tmp/kms-preflight.deb")).unwrap();
    let status = text(
        &root
            .must(&["dpkg-query", "-W", "-f", "${Status}", "kms-preflight"])
            .stdout,
    );
    assert_eq!(status, "install ok installed");

    let version = text(&root.must(&["kms-preflight", "--version"]).stdout);
    assert_eq!(version.trim(), format!("kms-preflight {VERSION}"));
    let listed = root.must(&["kms-preflight", "rules", "list"]);
    let here = must(Command::new(env!("CARGO_BIN_EXE_kms-preflight")).args(["rules", "list"]));
    assert!(
        text(&listed.stdout).contains("tcp.port"),
        "{}",
        text(&listed.stdout)
    );
    assert_eq!(
        text(&listed.stdout),
        text(&here.stdout),
        "the installed binary lists other rules than the one under test"
    );

    let files: BTreeSet<String> = text(&root.must(&["dpkg", "-L", "kms-preflight"]).stdout)
        .lines()
        .map(String::from)
        .collect();
    for f in [
        "/usr/bin/kms-preflight",
        "/usr/lib/systemd/system/kms-preflight.service",
        "/etc/default/kms-preflight",
        "/usr/share/bash-completion/completions/kms-preflight",
        "/usr/share/zsh/vendor-completions/_kms-preflight",
        "/usr/share/fish/vendor_completions.d/kms-preflight.fish",
        "/usr/share/doc/kms-preflight/copyright",
        "/usr/share/doc/kms-preflight/changelog.Debian.gz",
        "/usr/share/doc/kms-preflight/README.md",
        "/usr/share/doc/kms-preflight/docs/install.md",
        "/usr/share/doc/kms-preflight/docs/serve.md",
        "/usr/share/doc/kms-preflight/deploy/README.md",
        "/usr/share/doc/kms-preflight/deploy/prometheus/alerts.yml",
        "/usr/share/doc/kms-preflight/deploy/prometheus/alerts.test.yml",
        "/usr/share/doc/kms-preflight/deploy/prometheus/prometheus.yml",
    ] {
        assert!(files.contains(f), "the package lacks {f}:\n{files:#?}");
        assert!(root.path(f).is_file(), "{f} not installed");
    }
    // A man page for every command: what `man --out-dir` writes, gzipped, found by man.
    let pages = cache.join(format!("pages-{}", std::process::id()));
    remove_tree(&pages);
    must(
        Command::new(env!("CARGO_BIN_EXE_kms-preflight"))
            .arg("man")
            .arg("--out-dir")
            .arg(&pages),
    );
    let mut names: Vec<String> = std::fs::read_dir(&pages)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    remove_tree(&pages);
    assert!(names.len() >= 10, "{names:?}");
    let packaged: BTreeSet<&str> = files
        .iter()
        .filter_map(|f| f.strip_prefix("/usr/share/man/man1/"))
        .collect();
    let expected: BTreeSet<String> = names.iter().map(|n| format!("{n}.gz")).collect();
    assert_eq!(
        packaged,
        expected.iter().map(String::as_str).collect(),
        "packaged man pages"
    );
    for page in &names {
        let name = page.strip_suffix(".1").unwrap();
        let found = text(&root.must(&["man", "-w", name]).stdout);
        assert_eq!(found.trim(), format!("/usr/share/man/man1/{name}.1.gz"));
    }
    assert!(names.iter().any(|n| n == "kms-preflight-check.1"));
    assert!(names.iter().any(|n| n == "kms-preflight-rules-list.1"));
    // bash parses the completion script.
    root.must(&[
        "bash",
        "-n",
        "/usr/share/bash-completion/completions/kms-preflight",
    ]);
    // The conffile is one, with the ARGS line the unit reads.
    let conffiles = text(
        &root
            .must(&["dpkg-query", "-W", "-f", "${Conffiles}", "kms-preflight"])
            .stdout,
    );
    assert!(
        conffiles.contains("/etc/default/kms-preflight "),
        "{conffiles}"
    );
    let defaults = std::fs::read_to_string(root.path("/etc/default/kms-preflight")).unwrap();
    assert!(
        defaults.lines().any(|l| l.starts_with("ARGS=")),
        "{defaults}"
    );
    // The unit: verified by the root's own systemd (binary, man page, directives), and left
    // disabled.
    let unit = std::fs::read_to_string(root.path("/usr/lib/systemd/system/kms-preflight.service"))
        .unwrap();
    assert!(
        unit.contains("ExecStart=/usr/bin/kms-preflight serve $ARGS"),
        "{unit}"
    );
    assert!(
        unit.contains("EnvironmentFile=-/etc/default/kms-preflight"),
        "{unit}"
    );
    let verify = root.chroot(&["systemd-analyze", "verify", "kms-preflight.service"]);
    assert!(
        verify.status.success() && verify.stderr.is_empty(),
        "{}",
        show("systemd-analyze verify kms-preflight.service", &verify)
    );
    let enabled = root.chroot(&["systemctl", "is-enabled", "kms-preflight.service"]);
    assert_eq!(
        text(&enabled.stdout).trim(),
        "disabled",
        "{}",
        show("systemctl is-enabled", &enabled)
    );
    // The admin's step: enable it (offline, as in any chroot). Purge must take the link too.
    root.must(&["systemctl", "enable", "kms-preflight.service"]);
    assert!(root
        .path("/etc/systemd/system/multi-user.target.wants/kms-preflight.service")
        .symlink_metadata()
        .is_ok());
    eprintln!("package_deb: installed and checked in {:.0?}", t.elapsed());

    // 5. Remove keeps only the conffile; purge leaves nothing.
    let left = |files: &BTreeSet<String>| -> BTreeSet<String> {
        files
            .iter()
            .filter(|f| {
                let p = root.path(f);
                p.symlink_metadata().is_ok() && !p.is_dir()
            })
            .cloned()
            .collect()
    };
    root.must(&["dpkg", "-r", "kms-preflight"]);
    assert_eq!(
        left(&files),
        BTreeSet::from(["/etc/default/kms-preflight".to_string()]),
        "after dpkg -r only the conffile stays"
    );
    root.must(&["dpkg", "-P", "kms-preflight"]);
    assert!(left(&files).is_empty(), "after dpkg -P: {:?}", left(&files));
    // Directories of the package that stay belong to another package.
    for d in files.iter().filter(|f| root.path(f).is_dir()) {
        let owner = root.chroot(&["dpkg-query", "-S", d]);
        assert!(
            owner.status.success(),
            "{d} stays after purge and no package owns it"
        );
    }
    let status = root.chroot(&["dpkg-query", "-W", "-f", "${Status}", "kms-preflight"]);
    assert!(
        !status.status.success() || text(&status.stdout).contains("not-installed"),
        "{}",
        show("dpkg-query after purge", &status)
    );
    let after = tree(&root.0);
    let added: Vec<_> = after.difference(&before).collect();
    let removed: Vec<_> = before.difference(&after).collect();
    assert!(
        added.is_empty() && removed.is_empty(),
        "install + purge changed the root: added {added:#?}, removed {removed:#?}"
    );
    eprintln!("package_deb: whole test in {:.0?}", started.elapsed());
}
