//! Verdict lab: a branch office with one healthy KMS host, one whose clock is 5 h ahead
//! (chronyd under libfaketime) and one stale SRV record (its host no longer resolves).
//! Real BIND, real listeners answering the KMS RPC bind, kms-preflight run from a client
//! namespace. Asserts the verdict block, the concise table and `--verbose`.
//!
//! | name            | address     | what                                   |
//! |-----------------|-------------|----------------------------------------|
//! | kms1.branch.test| 198.18.0.10 | KMS responder, chronyd +0              |
//! | kms2.branch.test| 198.18.0.11 | KMS responder, chronyd +5 h            |
//! | kms-old         | —           | SRV record only: no A/AAAA (stale)     |

mod lab;

use lab::{require_root, Lab};

const BRANCH_ZONE: &str = "$TTL 300
@            SOA ns.branch.test. admin.branch.test. 1 3600 600 86400 60
@            NS  ns
ns           A   198.18.0.2
_vlmcs._tcp  SRV 0 0 1688 kms1
_vlmcs._tcp  SRV 0 0 1688 kms2
_vlmcs._tcp  SRV 0 0 1688 kms-old
kms1         A   198.18.0.10
kms2         A   198.18.0.11
";

struct Topo {
    lab: Lab,
    client: String,
}

fn build() -> Topo {
    let mut lab = Lab::new("vd");
    let client = lab.netns("client");
    let server = lab.netns("server");
    let (_, srv_if) = lab.veth(&client, &["198.18.0.1/24"], &server, &["198.18.0.2/24"]);
    for a in ["198.18.0.10/24", "198.18.0.11/24"] {
        lab.addr(&server, &srv_if, a);
    }
    lab.chrony(&server, &["198.18.0.10"], "+0");
    lab.chrony(&server, &["198.18.0.11"], "+5h");
    lab.responder(&server, "kms", &["198.18.0.10:1688", "198.18.0.11:1688"]);
    lab.bind(&server, "198.18.0.2", &[("branch.test", BRANCH_ZONE)]);
    lab.resolv_conf(&client, "nameserver 198.18.0.2\nsearch branch.test\n");
    Topo { lab, client }
}

fn text(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// With KP_DOCS_DIR set, keeps a command's real output for docs/verdict.md and testdata.
fn keep(name: &str, text: &str) {
    if let Some(dir) = std::env::var_os("KP_DOCS_DIR") {
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(std::path::Path::new(&dir).join(name), text);
    }
}

fn run(lab: &Lab, c: &str, extra: &[&str]) -> (Option<i32>, String) {
    let mut args = vec!["check", "--timeout", "1s"];
    args.extend_from_slice(extra);
    let out = lab.kms_preflight_env(c, &args, &[("COLUMNS", "120")]);
    (out.status.code(), text(&out))
}

#[test]
#[ignore = "needs root: run scripts/test-all.sh (as root), which includes ignored tests"]
fn branch_office_verdict_works_with_risk() {
    require_root("branch_office_verdict_works_with_risk");
    let t = build();
    let (lab, c) = (&t.lab, t.client.as_str());

    // --- The default table: the verdict first, then one line per problem, one screen. ---
    let (code, table) = run(lab, c, &[]);
    println!("{table}");
    keep("branch-office.txt", &table);
    assert_eq!(code, Some(1), "failing results still give exit 1");
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines.len() <= 40,
        "{} lines, more than one screen:\n{table}",
        lines.len()
    );
    // The known lab's exact line count: a change in layout must be deliberate.
    assert_eq!(lines.len(), 37, "{table}");
    for l in &lines {
        assert!(l.chars().count() <= 120, "wider than 120: {l:?}");
    }
    assert!(lines[0].starts_with("kms-preflight "), "{table}");
    // That activation works with risk, and why.
    assert_eq!(
        lines[2],
        "WORKS WITH RISK — 33 % of first attempts reach kms2.branch.test, whose clock is 5 h ahead → 0xC004F06C"
    );
    assert!(
        lines[3].contains("clients find KMS through branch.test"),
        "{table}"
    );
    let head = lines[..12].join("\n");
    assert!(
        head.contains("kms2.branch.test:1688     rejected: clock is 5 h ahead → 0xC004F06C"),
        "{head}"
    );
    assert!(
        head.contains("kms1.branch.test:1688     activates"),
        "{head}"
    );
    assert!(
        head.contains("kms-old.branch.test:1688  no answer (stale record"),
        "{head}"
    );
    assert!(
        head.contains(
            "activates: 50 % of clients (either caching setting); the others log 0xC004F06C"
        ),
        "{head}"
    );
    // The two fixes, each once, ranked by the clients they unblock.
    let fix1 = "1. set the clock of kms2.branch.test right (now 5 h ahead) [clock.kms-host] — unblocks 50 % of clients";
    let fix2 = "2. remove the stale SRV record of kms-old.branch.test [srv.stale] — spares 33 % of first attempts a failover";
    assert!(head.contains(fix1) && head.contains(fix2), "{head}");
    assert_eq!(table.matches("set the clock of kms2").count(), 1, "{table}");
    assert_eq!(
        table.matches("remove the stale SRV record").count(),
        1,
        "{table}"
    );
    assert!(!head.contains("3. "), "exactly two fixes: {head}");
    // One line per result that is not a pass; the six skips of the dead host share one.
    let not_passed = table
        .split("Not passed\n")
        .nth(1)
        .and_then(|s| s.split("\n\n").next())
        .unwrap_or_else(|| panic!("no Not passed section:\n{table}"));
    assert_eq!(not_passed.lines().count(), 8, "{not_passed}");
    assert!(not_passed
        .lines()
        .next()
        .unwrap()
        .starts_with("  FAIL   srv.stale        branch.test"));
    assert!(not_passed.contains(
        "SKIP   6 checks         kms-old.branch.test:1688  skipped: resolve.host did not pass (tcp.port, kms.rpc-bind,"
    ), "{not_passed}");
    assert!(
        not_passed.contains("FAIL   clock.kms-host   kms2.branch.test:1688"),
        "{not_passed}"
    );
    // Passes summarized in one line; no evidence or remediation blocks.
    assert!(
        table.contains(
            "18 passed: branch.test 3; general 2; kms1.branch.test:1688 7; kms2.branch.test:1688 6"
        ),
        "{table}"
    );
    assert!(!table.contains("PASS "), "{table}");
    assert!(!table.contains("predicts:"), "{table}");
    // Fixes: each distinct remediation once, with what it applies to, in the verdict's order.
    let fixes = table.split("Fixes (").nth(1).expect("Fixes section");
    assert!(
        fixes.contains("fix 1 · clock.kms-host kms2.branch.test:1688"),
        "{fixes}"
    );
    assert!(
        fixes.contains("fix 2 · srv.stale branch.test (kms-old.branch.test)"),
        "{fixes}"
    );
    assert!(
        fixes.contains("also · resolve.host kms-old.branch.test:1688"),
        "{fixes}"
    );
    assert_eq!(
        fixes.matches("The skew is 5 whole hour(s)").count(),
        1,
        "{fixes}"
    );
    // The summary line speaks the verdict's words (never READY/NOT READY): half the clients activate.
    let last = lines.last().unwrap();
    assert!(
        last.starts_with("31 results: 18 pass, 0 warn, 3 fail, 10 skip, 0 error"),
        "{last}"
    );
    assert!(
        last.ends_with(" s — WORKS WITH RISK (see the verdict)"),
        "{last}"
    );
    assert!(!table.contains("READY"), "{table}");

    // --- --verbose: the same verdict block, then every result with evidence and fixes. ---
    let (_, full) = run(lab, c, &["--verbose"]);
    keep("branch-office-verbose.txt", &full);
    assert!(full.starts_with(&lines[..12].join("\n")), "{full}");
    let (_, rep) = lab.report(c, &["--timeout", "1s"]);
    let results = rep["results"].as_array().unwrap();
    assert_eq!(results.len(), 31);
    let listed = full
        .lines()
        .filter(|l| {
            ["  PASS ", "  FAIL ", "  WARN ", "  SKIP ", "  ERROR"]
                .iter()
                .any(|b| l.starts_with(b))
        })
        .count();
    assert_eq!(listed, results.len(), "every result listed:\n{full}");
    for r in results {
        // Two runs measure different times: compare each message up to its first digit.
        let msg = r["message"].as_str().unwrap();
        let stable: String = msg.chars().take_while(|c| !c.is_ascii_digit()).collect();
        assert!(
            full.contains(&stable),
            "{msg} missing from --verbose:\n{full}"
        );
    }
    assert!(full.contains("predicts: 0xC004F06C, 0xC004F074"), "{full}");
    assert!(
        full.contains("w32tm /stripchart /computer:kms2.branch.test"),
        "{full}"
    );
    assert!(full.len() > 3 * table.len(), "verbose holds much more");

    // --- JSON: the additive verdict object, valid against the report schema. ---
    keep(
        "branch-office-verdict.json",
        &serde_json::to_string_pretty(&rep).unwrap(),
    );
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/report.v1.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft202012::new(&schema).expect("report schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&rep)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let mut bad = rep.clone();
    bad["verdict"]["answer"] = "maybe".into();
    assert!(!validator.is_valid(&bad), "the schema checks the verdict");
    let v = &rep["verdict"];
    assert_eq!(v["answer"], "works-with-risk", "{v:#}");
    assert_eq!(v["label"], "WORKS WITH RISK");
    assert_eq!(v["code"], "0xC004F06C");
    assert_eq!(
        v["reason"],
        "33 % of first attempts reach kms2.branch.test, whose clock is 5 h ahead → 0xC004F06C"
    );
    let clients = v["clients"].as_array().unwrap();
    assert_eq!(clients.len(), 1);
    let cl = &clients[0];
    assert!(cl["source"].is_null());
    assert_eq!(cl["domain"], "branch.test");
    assert_eq!(cl["suffixes"], serde_json::json!(["branch.test"]));
    assert_eq!(cl["suffix_origin"], "system resolver search list");
    assert_eq!(cl["activates"]["caching_off"], 0.5);
    assert_eq!(cl["activates"]["caching_on"], 0.5);
    assert_eq!(cl["failover"]["caching_on"], 0.3333);
    let hosts = cl["hosts"].as_array().unwrap();
    assert_eq!(hosts.len(), 3);
    let h = |name: &str| hosts.iter().find(|h| h["host"] == name).unwrap();
    assert_eq!(h("kms1.branch.test")["attempt"], "works");
    assert_eq!(h("kms2.branch.test")["attempt"], "rejected");
    assert_eq!(h("kms2.branch.test")["code"], "0xC004F06C");
    assert_eq!(
        h("kms2.branch.test")["results"],
        serde_json::json!(["clock.kms-host"])
    );
    assert_eq!(
        h("kms2.branch.test")["first_attempt"]["caching_off"],
        0.3333
    );
    assert_eq!(h("kms2.branch.test")["decides"]["caching_on"], 0.5);
    assert_eq!(h("kms-old.branch.test")["attempt"], "no-response");
    assert_eq!(h("kms-old.branch.test")["code"], "0x8007232B");
    let fixes = v["fixes"].as_array().unwrap();
    assert_eq!(fixes.len(), 2, "{fixes:#?}");
    assert_eq!(fixes[0]["rank"], 1);
    assert_eq!(fixes[0]["check"], "clock.kms-host");
    assert_eq!(
        fixes[0]["applies_to"],
        serde_json::json!(["kms2.branch.test:1688"])
    );
    assert_eq!(fixes[0]["unblocks"], 0.5);
    assert!(fixes[0]["remediation"]
        .as_str()
        .unwrap()
        .contains("w32tm /resync"));
    assert_eq!(fixes[1]["check"], "srv.stale");
    assert_eq!(fixes[1]["unblocks"], 0.0);
    assert_eq!(fixes[1]["spares"], 0.3333);
    // Every field of the report is still there, the verdict after them.
    let keys: Vec<&str> = rep
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "schema",
            "version",
            "started_at",
            "duration_ms",
            "profile",
            "domains",
            "dns_servers",
            "sources",
            "targets",
            "results",
            "summary",
            "verdict"
        ]
    );

    // --- Markdown keeps everything and opens with the verdict block. ---
    let (_, md) = run(lab, c, &["--format", "markdown"]);
    keep("branch-office.md", &md);
    assert!(
        md.contains("## Would clients activate? WORKS WITH RISK"),
        "{md}"
    );
    assert!(md.find("## Would clients activate?") < md.find("## Findings"));
    assert!(md.contains("**Verdict: WORKS WITH RISK**"), "{md}");
    assert!(md.contains("w32tm /stripchart /computer:kms2.branch.test"));
    assert!(md.contains("## All results"));

    drop(t);
}

#[test]
#[ignore = "needs root: run scripts/test-all.sh (as root), which includes ignored tests"]
fn healthy_branch_office_works_and_says_ready() {
    require_root("healthy_branch_office_works_and_says_ready");
    let mut lab = Lab::new("vh");
    let client = lab.netns("client");
    let server = lab.netns("server");
    let (_, srv_if) = lab.veth(&client, &["198.18.0.1/24"], &server, &["198.18.0.2/24"]);
    lab.addr(&server, &srv_if, "198.18.0.10/24");
    lab.addr(&server, &srv_if, "198.18.0.11/24");
    lab.chrony(&server, &["198.18.0.10"], "+0");
    lab.chrony(&server, &["198.18.0.11"], "+1m");
    lab.responder(&server, "kms", &["198.18.0.10:1688", "198.18.0.11:1688"]);
    let zone = BRANCH_ZONE.replace("_vlmcs._tcp  SRV 0 0 1688 kms-old\n", "");
    lab.bind(&server, "198.18.0.2", &[("branch.test", &zone)]);
    lab.resolv_conf(&client, "nameserver 198.18.0.2\nsearch branch.test\n");
    let (code, table) = run(&lab, &client, &[]);
    println!("{table}");
    assert_eq!(code, Some(0), "{table}");
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[2].starts_with(
            "WORKS — every host a client can pick activates it (2 host(s) via branch.test)"
        ),
        "{table}"
    );
    assert!(!table.contains("Fixes ("), "nothing to fix: {table}");
    assert!(!table.contains("fixes, by clients unblocked"), "{table}");
    assert!(lines.last().unwrap().ends_with(" s — WORKS"), "{table}");
    let (_, rep) = lab.report(&client, &["--timeout", "1s"]);
    assert_eq!(rep["verdict"]["answer"], "works");
    assert_eq!(rep["verdict"]["fixes"], serde_json::json!([]));
    assert!(rep["verdict"]["code"].is_null());
}
