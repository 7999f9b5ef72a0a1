//! Sweep lab: a /24 of addresses on a server namespace with every kind of listener on 1688
//! (the project's lab-responder as KMS hosts, another RPC server, a bind_nak runtime, a
//! silent and a resetting listener; python3's http.server), a port dropped by nftables, BIND
//! publishing some of the KMS hosts and the PTR records, and an srv.inventory rule with an
//! allow-list and a forbidden host. The sweep runs in a client namespace on the same link;
//! the other ~230 addresses of the /24 do not exist. Also: Ctrl-C prints a partial report.

mod lab;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lab::{codes, kms_preflight_bin, require_root, Lab};
use serde_json::Value;

const NET: &str = "198.18.7";

const ZONE: &str = "$TTL 300
@            SOA ns.lab.test. admin.lab.test. 1 3600 600 86400 60
@            NS  ns
ns           A    198.18.7.2
_vlmcs._tcp  SRV 0 100 1688 kms
_vlmcs._tcp  SRV 0 100 1688 old
_vlmcs._tcp  SRV 0 100 1688 web
_vlmcs._tcp  SRV 0 100 1688 gone
kms          A    198.18.7.10
old          A    198.18.7.12
labkms       A    198.18.7.13
web          A    198.18.7.14
gone         A    198.18.7.20
";

const REVERSE: &str = "$TTL 300
@    SOA ns.lab.test. admin.lab.test. 1 3600 600 86400 60
@    NS  ns.lab.test.
10   PTR kms.lab.test.
11   PTR rogue-pc.lab.test.
14   PTR web.lab.test.
";

/// The allow-list (expect.hosts) and the forbidden host, as a user writes them.
const RULES: &str = "version: 1
checks:
  - id: srv.inventory
    kind: srv-inventory
    title: Published KMS hosts match the inventory
    scope: each-domain
    expect:
      hosts: [kms.lab.test, labkms.lab.test]
      forbidden_hosts: [old.lab.test]
    severity: fail
";

struct Topo {
    lab: Lab,
    client: String,
    rules: String,
}

fn build() -> Topo {
    let mut lab = Lab::new("sw");
    let client = lab.netns("client");
    let server = lab.netns("server");
    let (_, sif) = lab.veth(
        &client,
        &[&format!("{NET}.1/24")],
        &server,
        &[&format!("{NET}.2/24")],
    );
    for i in 10..=20 {
        lab.addr(&server, &sif, &format!("{NET}.{i}/24"));
    }
    // .18: SYN dropped (filtered); the listener behind it is never reached.
    lab.nft(
        &server,
        "table inet lab {
           chain input {
             type filter hook input priority 0; policy accept;
             ip daddr 198.18.7.18 tcp dport 1688 drop
           }
         }",
    );
    lab.bind(
        &server,
        &format!("{NET}.2"),
        &[("lab.test", ZONE), ("7.18.198.in-addr.arpa", REVERSE)],
    );
    // .10 published, .11 rogue, .12 published but forbidden, .13 on the allow-list only.
    let ep = |h: u8| format!("{NET}.{h}:1688");
    lab.responder(
        &server,
        "kms",
        &[&ep(10), &ep(11), &ep(12), &ep(13), &ep(18)],
    );
    lab.http_server(&server, &format!("{NET}.14"), 1688, "+0");
    lab.responder(&server, "silent", &[&ep(15)]);
    lab.responder(&server, "nak", &[&ep(16)]);
    lab.responder(&server, "reset", &[&ep(17)]);
    lab.responder(&server, "rpc-other", &[&ep(19)]);
    // .20 (gone.lab.test) is published and nothing listens: RST.
    let rules = lab.dir.join("inventory.yaml");
    std::fs::write(&rules, RULES).unwrap();
    Topo {
        rules: rules.to_string_lossy().into_owned(),
        lab,
        client,
    }
}

fn at(rep: &Value, host: u8) -> &Value {
    let target = format!("{NET}.{host}:1688");
    let found: Vec<&Value> = rep["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["id"] == "sweep.port" && r["target"] == target)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "{target}: {}",
        serde_json::to_string_pretty(&rep["results"]).unwrap()
    );
    found[0]
}

fn by_id<'a>(rep: &'a Value, id: &str) -> Vec<&'a Value> {
    rep["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["id"] == id)
        .collect()
}

#[test]
#[ignore = "needs root: run scripts/test-all.sh (as root), which includes ignored tests"]
fn sweep_finds_classifies_and_compares_every_listener() {
    require_root("sweep_finds_classifies_and_compares_every_listener");
    let t = build();
    let (lab, c) = (&t.lab, t.client.as_str());
    let range = format!("{NET}.0/24");
    let base = [
        "sweep",
        range.as_str(),
        "--domain",
        "lab.test",
        "--dns",
        "198.18.7.2",
        "--rules",
        t.rules.as_str(),
        "--rate",
        "2000",
        "--timeout",
        "1s",
    ];
    let mut args = base.to_vec();
    args.extend(["--format", "json"]);
    let started = Instant::now();
    let out = lab.kms_preflight(c, &args);
    let took = started.elapsed();
    let rep: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/report.v1.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let errors: Vec<String> = jsonschema::draft202012::new(&schema)
        .unwrap()
        .iter_errors(&rep)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // Forbidden, a published endpoint that is not KMS and one that is dead: fails.
    assert_eq!(out.status.code(), Some(1), "{rep:#}");
    // 256 addresses at 2000/s, most of them timing out once (1 s), all in parallel.
    assert!(took < Duration::from_secs(8), "{took:?}");

    let check = |host: u8, service: &str, published: &str, status: &str| {
        let r = at(&rep, host);
        assert_eq!(r["kind"], "sweep");
        assert_eq!(r["evidence"]["service"], service, "{host}: {r:#}");
        assert_eq!(r["evidence"]["published"], published, "{host}: {r:#}");
        assert_eq!(r["status"], status, "{host}: {r:#}");
        r
    };
    let kms = check(10, "kms", "published", "pass");
    assert_eq!(kms["evidence"]["ptr"], serde_json::json!(["kms.lab.test"]));
    assert_eq!(
        kms["evidence"]["hosts"],
        serde_json::json!(["kms.lab.test"])
    );
    assert!(kms["evidence"]["rtt_ms"].as_f64().unwrap() > 0.0);
    assert_eq!(kms["evidence"]["negotiated_syntax"], "NDR32 v2.0");

    let rogue = check(11, "kms", "rogue", "warn");
    assert_eq!(
        rogue["evidence"]["ptr"],
        serde_json::json!(["rogue-pc.lab.test"])
    );
    assert!(
        rogue["message"]
            .as_str()
            .unwrap()
            .contains("rogue-pc.lab.test"),
        "{rogue:#}"
    );
    assert!(rogue["remediation"]
        .as_str()
        .unwrap()
        .contains("slmgr /upk"));

    let forbidden = check(12, "kms", "forbidden", "fail");
    assert!(
        forbidden["message"]
            .as_str()
            .unwrap()
            .contains("old.lab.test"),
        "{forbidden:#}"
    );
    check(13, "kms", "allowed", "pass");
    // web.lab.test is published, and its 1688 is an HTTP server: clients would fail there.
    let web = check(14, "not-rpc", "published", "fail");
    // python3's http.server answers a request line without a version the HTTP/0.9 way: the
    // error page alone, no status line.
    let got = web["evidence"]["received"].as_str().unwrap();
    assert!(
        got.starts_with("HTTP/") || got.contains("<!DOCTYPE HTML>"),
        "{got}"
    );
    assert_eq!(web["evidence"]["answered_after_fin"], true);
    assert!(codes(web).contains(&"0xC004F074"));
    assert_eq!(web["evidence"]["ptr"], serde_json::json!(["web.lab.test"]));
    let silent = check(15, "silent", "not-published", "warn");
    assert_eq!(silent["evidence"]["ptr"], serde_json::json!([]));
    let nak = check(16, "rpc-other", "not-published", "pass");
    assert_eq!(nak["evidence"]["rpc_result"], "bind-nak");
    check(17, "reset", "not-published", "warn");
    let other = check(19, "rpc-other", "not-published", "pass");
    assert_eq!(other["evidence"]["rpc_result"], "rejected");
    // The published host that did not answer.
    let gone = check(20, "closed", "published", "fail");
    assert!(gone["message"].as_str().unwrap().contains("gone.lab.test"));
    assert!(codes(gone).contains(&"0xC004F074"));
    // The dropped port is counted (filtered), not listed.
    let listed: Vec<&str> = by_id(&rep, "sweep.port")
        .iter()
        .map(|r| r["target"].as_str().unwrap())
        .collect();
    assert_eq!(listed.len(), 10, "{listed:?}");
    assert!(!listed.contains(&"198.18.7.18:1688"));

    let s = by_id(&rep, "sweep.summary")[0];
    let n = &s["evidence"]["counts"];
    assert_eq!(s["evidence"]["probed"], 256);
    assert_eq!(s["evidence"]["open"], 9);
    assert_eq!(n["kms"], 4);
    assert_eq!(n["rpc-other"], 2);
    assert_eq!(n["not-rpc"], 1);
    assert_eq!(n["silent"], 1);
    assert_eq!(n["reset"], 1);
    assert_eq!(n["rogue"], 1);
    assert_eq!(n["forbidden"], 1);
    assert_eq!(n["allowed"], 1);
    assert_eq!(n["published"], 1);
    assert_eq!(n["published-not-kms"], 1);
    assert_eq!(n["published-missing"], 1);
    // .1/.2 (no listener) and .20: RST. The rest of the /24 does not exist, and .18 is
    // dropped: no answer within the timeout (or no ARP answer).
    assert_eq!(n["closed"], 3, "{s:#}");
    assert_eq!(
        n["filtered"].as_u64().unwrap() + n["unreachable"].as_u64().unwrap(),
        256 - 9 - 3,
        "{s:#}"
    );
    assert_eq!(s["evidence"]["compared_with_dns"], true);
    let published = by_id(&rep, "sweep.published");
    assert_eq!(published.len(), 2, "lab.test and the inventory");
    assert_eq!(published[0]["target"], "lab.test");
    assert_eq!(published[0]["status"], "pass", "{:#}", published[0]);

    // With --all the filtered port is listed too.
    let mut args = base.to_vec();
    args.extend(["--format", "json", "--all"]);
    let (_, all) = json_of(lab, c, &args);
    assert_eq!(by_id(&all, "sweep.port").len(), 256);
    assert_eq!(at(&all, 18)["evidence"]["service"], "filtered");

    // The table: one line per open port, the counts in the summary.
    let mut args = base.to_vec();
    args.push("--no-color");
    let out = lab.kms_preflight(c, &args);
    let text = String::from_utf8_lossy(&out.stdout);
    // Shown with --nocapture (docs/sweep.md quotes it).
    println!("{text}");
    for (h, words) in [
        (10, ["kms", "published"]),
        (11, ["kms", "rogue"]),
        (12, ["kms", "forbidden"]),
        (14, ["not-rpc", "published"]),
    ] {
        let addr = format!("{NET}.{h}:1688");
        assert!(
            text.lines()
                .any(|l| l.contains(&addr) && words.iter().all(|w| l.contains(w))),
            "{addr} {words:?}:\n{text}"
        );
    }
    assert!(text.contains("3 closed"), "{text}");
    // Markdown for the compliance ticket.
    let mut args = base.to_vec();
    args.extend(["--format", "markdown"]);
    let md = String::from_utf8_lossy(&lab.kms_preflight(c, &args).stdout).into_owned();
    println!("{md}");
    assert!(
        md.contains("4 KMS host(s) found: 1 published, 1 rogue, 1 forbidden, 1 allowed"),
        "{md}"
    );
    assert!(
        md.contains("| WARN | 198.18.7.11:1688 | kms | rogue | rogue-pc.lab.test |"),
        "{md}"
    );
    assert!(md.contains("- [ ] **FAIL** `198.18.7.12:1688`"), "{md}");
}

fn json_of(lab: &Lab, ns: &str, args: &[&str]) -> (i32, Value) {
    let out = lab.kms_preflight(ns, args);
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

/// Lines the KMS responders logged for a bind they answered.
fn binds_answered(lab: &Lab) -> usize {
    std::fs::read_dir(&lab.dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("responder-kms"))
        .map(|e| {
            std::fs::read_to_string(e.path())
                .unwrap_or_default()
                .matches("answered")
                .count()
        })
        .sum()
}

#[test]
#[ignore = "needs root: run scripts/test-all.sh (as root), which includes ignored tests"]
fn ctrl_c_stops_the_sweep_and_prints_what_it_found() {
    require_root("ctrl_c_stops_the_sweep_and_prints_what_it_found");
    let t = build();
    let (lab, c) = (&t.lab, t.client.as_str());
    // 5 new connections a second from .10: the KMS host at .10 is found at once, the rest of
    // the range would take almost a minute.
    let range = format!("{NET}.10-254");
    let child = Command::new("ip")
        .args(["netns", "exec", c])
        .arg(kms_preflight_bin())
        .args([
            "sweep",
            &range,
            "--dns",
            "198.18.7.2",
            "--domain",
            "lab.test",
            "--rate",
            "5",
            "--format",
            "json",
        ])
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start kms-preflight");
    let started = Instant::now();
    while binds_answered(lab) == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the sweep did not reach the KMS host at .10"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let pid = child.id().to_string();
    let signalled = Instant::now();
    lab::must("kill", &["-INT", &pid]);
    let out = child.wait_with_output().unwrap();
    let took = signalled.elapsed();
    assert!(
        took < Duration::from_secs(3),
        "exited {took:?} after SIGINT"
    );
    assert_eq!(out.status.code(), Some(130));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("interrupted"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rep: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    let kms = at(&rep, 10);
    assert_eq!(kms["evidence"]["service"], "kms");
    let s = by_id(&rep, "sweep.summary")[0];
    assert_eq!(s["evidence"]["interrupted"], true);
    assert_eq!(s["status"], "error");
    assert!(s["message"].as_str().unwrap().contains("INTERRUPTED"));
    let probed = s["evidence"]["probed"].as_u64().unwrap();
    assert!((1..245).contains(&probed), "{probed}");
    assert_eq!(s["evidence"]["probes"], 245);
}
