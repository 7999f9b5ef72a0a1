//! DNS/SRV audit lab: two real BIND 9 servers at different addresses serving diverging
//! copies of one zone (one lacks the new host, the other still holds the retired one), a
//! zone whose SRV answer is too big for UDP, a zone full of priority/weight mistakes, a
//! reverse zone, live and dead KMS listeners. Every finding is asserted by id, status and
//! error code against these real peers.

mod lab;

use lab::{assert_table_summary, codes, require_root, result, results, table_row, table_rows, Lab};

// DNS server A (198.18.0.2): up to date.
const CORP_A: &str = "$TTL 300
@            SOA ns.corp.test. admin.corp.test. 2 3600 600 86400 60
@            NS  ns
ns           A   198.18.0.2
_vlmcs._tcp  SRV 0 100 1688 kms1
_vlmcs._tcp  SRV 0 50 1688 kms2
_vlmcs._tcp  SRV 0 10 1688 vlmcsd
_vlmcs._tcp  SRV 10 0 1688 kms-down
kms1         A   198.18.0.10
kms2         A   198.18.0.11
vlmcsd       A   198.18.0.12
kms-down     A   198.18.0.13
";

// DNS server B (198.18.0.3): lagging copy — no kms2 yet, still the retired kms-old.
const CORP_B: &str = "$TTL 300
@            SOA ns.corp.test. admin.corp.test. 1 3600 600 86400 60
@            NS  ns
ns           A   198.18.0.3
_vlmcs._tcp  SRV 0 100 1688 kms1
_vlmcs._tcp  SRV 0 10 1688 vlmcsd
_vlmcs._tcp  SRV 10 0 1688 kms-down
_vlmcs._tcp  SRV 20 0 1688 kms-old
kms1         A   198.18.0.10
kms2         A   198.18.0.11
vlmcsd       A   198.18.0.12
kms-down     A   198.18.0.13
";

const WEIGHTS: &str = "$TTL 300
@            SOA ns.weights.test. admin.weights.test. 1 3600 600 86400 60
@            NS  ns.corp.test.
_vlmcs._tcp  SRV 0 60 1688 kms1.corp.test.
_vlmcs._tcp  SRV 0 30 1688 kms2.corp.test.
_vlmcs._tcp  SRV 0 0 1688 kms-zero
_vlmcs._tcp  SRV 10 0 1688 alias
_vlmcs._tcp  SRV 20 0 1689 kms1.corp.test.
_vlmcs._tcp  SRV 30 0 0 .
kms-zero     A     198.18.0.10
alias        CNAME kms1.corp.test.
";

const BRANCH: &str = "$TTL 300
@            SOA ns.branch.test. admin.branch.test. 1 3600 600 86400 60
@            NS  ns.corp.test.
www          A   198.18.0.80
";

const REVERSE: &str = "$TTL 300
@            SOA ns.corp.test. admin.corp.test. 1 3600 600 86400 60
@            NS  ns.corp.test.
10           PTR kms1.corp.test.
11           PTR wrong.corp.test.
";

// The same record on both servers, with different TTLs (the copies are different versions).
const TTL_A: &str = "$TTL 300
@            SOA ns.ttl.test. admin.ttl.test. 2 3600 600 86400 60
@            NS  ns.corp.test.
_vlmcs._tcp  SRV 0 0 1688 kms1.corp.test.
";
const TTL_B: &str = "$TTL 3600
@            SOA ns.ttl.test. admin.ttl.test. 1 3600 600 86400 60
@            NS  ns.corp.test.
_vlmcs._tcp  SRV 0 0 1688 kms1.corp.test.
";

/// 60 SRV records with long target names: about 2.3 kB, more than the 1232-byte EDNS payload
/// hickory advertises and BIND's default UDP limit, so the UDP answer comes back truncated.
fn big_zone() -> String {
    let mut z = String::from(
        "$TTL 300\n@ SOA ns.big.test. admin.big.test. 1 3600 600 86400 60\n@ NS ns.corp.test.\n",
    );
    for i in 0..60 {
        z.push_str(&format!(
            "_vlmcs._tcp SRV 0 0 1688 kms-host-number-{i:02}.big.test.\n"
        ));
    }
    z
}

const INVENTORY_RULES: &str = "version: 1
checks:
  - id: srv.inventory
    kind: srv-inventory
    title: Published KMS hosts match the inventory
    scope: each-domain
    expect:
      hosts: [kms1.corp.test, KMS2.corp.test., \"{{new_host}}\"]
      forbidden_hosts: [kms-old.corp.test]
    severity: fail
    explains: [\"0xC004F074\"]
  - id: ptr.match
    kind: ptr
    title: PTR of each KMS address names the SRV target
    requires: [resolve.host]
    severity: warn
vars:
  new_host: kms-new.corp.test
";

struct Topo {
    lab: Lab,
    client: String,
}

fn build() -> Topo {
    let mut lab = Lab::new("a");
    let client = lab.netns("client");
    let server = lab.netns("server");
    let (_, srv_if) = lab.veth(&client, &["198.18.0.1/24"], &server, &["198.18.0.2/24"]);
    for a in [
        "198.18.0.3/24",
        "198.18.0.10/24",
        "198.18.0.11/24",
        "198.18.0.12/24",
        "198.18.0.13/24",
    ] {
        lab.addr(&server, &srv_if, a);
    }
    let big = big_zone();
    lab.bind(
        &server,
        "198.18.0.2",
        &[
            ("corp.test", CORP_A),
            ("weights.test", WEIGHTS),
            ("branch.test", BRANCH),
            ("big.test", &big),
            ("0.18.198.in-addr.arpa", REVERSE),
            ("ttl.test", TTL_A),
        ],
    );
    lab.bind(
        &server,
        "198.18.0.3",
        &[
            ("corp.test", CORP_B),
            ("big.test", &big),
            ("ttl.test", TTL_B),
        ],
    );
    // kms1, kms2 and the rogue vlmcsd answer on 1688; kms-down (.13) has no listener.
    lab.responder(
        &server,
        "accept",
        &["198.18.0.10:1688", "198.18.0.11:1688", "198.18.0.12:1688"],
    );
    lab.resolv_conf(&client, "nameserver 198.18.0.2\nsearch corp.test\n");
    Topo { lab, client }
}

fn msg(r: &serde_json::Value) -> &str {
    r["message"].as_str().unwrap()
}

fn fix(r: &serde_json::Value) -> &str {
    r["remediation"].as_str().unwrap_or("")
}

/// The one result of `id` for `target` whose evidence `key` equals `value`.
fn with<'a>(
    rep: &'a serde_json::Value,
    id: &str,
    target: &str,
    key: &str,
    value: &str,
) -> &'a serde_json::Value {
    let found: Vec<_> = results(rep, id)
        .into_iter()
        .filter(|r| r["target"] == target && r["evidence"][key] == value)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one {id} result for {target} with {key}={value}: {}",
        serde_json::to_string_pretty(&results(rep, id)).unwrap()
    );
    found[0]
}

fn write_rules(lab: &Lab, name: &str, text: &str) -> String {
    let p = lab.dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
#[ignore = "needs root: run scripts/test-all.sh (as root), which includes ignored tests"]
fn diverging_servers_inventory_and_stale_records() {
    require_root("diverging_servers_inventory_and_stale_records");
    let t = build();
    let (lab, c) = (&t.lab, t.client.as_str());
    let rules = write_rules(lab, "inventory.yaml", INVENTORY_RULES);
    let (code, rep) = lab.report(
        c,
        &[
            "--domain",
            "corp.test",
            "--dns",
            "198.18.0.2",
            "--dns",
            "198.18.0.3",
            "--rules",
            &rules,
            "--timeout",
            "1s",
        ],
    );
    assert_eq!(code, 1);

    // Agreement: one finding per record that only one server has.
    let kms2 = with(
        &rep,
        "srv.agreement",
        "corp.test",
        "target",
        "kms2.corp.test",
    );
    assert_eq!(kms2["status"], "warn", "{kms2}");
    assert_eq!(codes(kms2), ["0xC004F074"]);
    assert_eq!(
        msg(kms2),
        "SRV 0 50 1688 kms2.corp.test is published by 198.18.0.2:53 but missing from 198.18.0.3:53"
    );
    assert_eq!(
        kms2["evidence"]["missing_from"],
        serde_json::json!(["198.18.0.3:53"])
    );
    assert!(fix(kms2).contains("repadmin /syncall"));
    assert!(fix(kms2).contains(
        "Add-DnsServerResourceRecord -ZoneName corp.test -Srv -Name _vlmcs._tcp -DomainName kms2.corp.test. -Priority 0 -Weight 50 -Port 1688"
    ));
    let old = with(
        &rep,
        "srv.agreement",
        "corp.test",
        "target",
        "kms-old.corp.test",
    );
    assert_eq!(old["status"], "warn");
    assert_eq!(
        msg(old),
        "SRV 20 0 1688 kms-old.corp.test is published by 198.18.0.3:53 but missing from 198.18.0.2:53"
    );
    assert!(
        fix(old).contains("-ComputerName 198.18.0.3"),
        "{}",
        fix(old)
    );
    let diffs: Vec<_> = results(&rep, "srv.agreement")
        .into_iter()
        .filter(|r| r["evidence"]["issue"] == "record-differs")
        .collect();
    assert_eq!(diffs.len(), 2, "kms1, vlmcsd and kms-down are on both");
    // Both direct answers are in the evidence, next to the system resolver's.
    let servers = kms2["evidence"]["servers"].as_array().unwrap();
    assert_eq!(servers.len(), 2);
    assert_eq!(servers[0]["server"], "198.18.0.2:53");
    assert_eq!(servers[0]["records"].as_array().unwrap().len(), 4);
    assert_eq!(servers[1]["records"].as_array().unwrap().len(), 4);
    assert_eq!(servers[0]["tcp_fallback"], false);
    let sys: Vec<_> = results(&rep, "srv.agreement")
        .into_iter()
        .filter(|r| msg(r).starts_with("through the system resolver"))
        .collect();
    assert_eq!(sys.len(), 1);
    assert_eq!(sys[0]["status"], "pass");
    assert!(
        msg(sys[0]).contains("same as 198.18.0.2:53"),
        "{}",
        msg(sys[0])
    );
    assert_eq!(sys[0]["evidence"]["system_resolver"]["rcode"], "records");

    // Inventory over the union of both servers.
    let forb = with(
        &rep,
        "srv.inventory",
        "corp.test",
        "issue",
        "forbidden-published",
    );
    assert_eq!(forb["status"], "fail");
    assert_eq!(forb["evidence"]["target"], "kms-old.corp.test");
    assert_eq!(codes(forb), ["0xC004F074", "0x800706BA"]);
    assert!(msg(forb).contains("on 198.18.0.3:53"));
    assert!(fix(forb).contains("slmgr /cdns"));
    let unknown: Vec<_> = results(&rep, "srv.inventory")
        .into_iter()
        .filter(|r| r["evidence"]["issue"] == "unknown-published")
        .collect();
    let names: Vec<&str> = unknown
        .iter()
        .map(|r| r["evidence"]["target"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["kms-down.corp.test", "vlmcsd.corp.test"]);
    let rogue = unknown[1];
    assert_eq!(rogue["status"], "fail");
    assert!(msg(rogue).contains("possibly rogue"));
    assert_eq!(
        codes(rogue),
        ["0xC004F074"],
        "rule explains when the finding has none"
    );
    let missing = with(
        &rep,
        "srv.inventory",
        "corp.test",
        "issue",
        "expected-missing",
    );
    assert_eq!(missing["evidence"]["target"], "kms-new.corp.test");
    assert_eq!(missing["status"], "fail");
    assert!(fix(missing).contains("-DomainName kms-new.corp.test."));
    // Names in the list are normalised (case, trailing dot): kms2 counts as expected.
    assert!(!results(&rep, "srv.inventory")
        .iter()
        .any(|r| r["evidence"]["target"] == "kms2.corp.test"));

    // Stale: kms-old (only on B) no longer resolves; kms-down no longer answers on 1688.
    let gone = with(&rep, "srv.stale", "corp.test", "issue", "no-address");
    assert_eq!(gone["status"], "fail");
    assert_eq!(gone["evidence"]["target"], "kms-old.corp.test");
    assert_eq!(codes(gone), ["0xC004F074", "0x8007232B"]);
    assert!(msg(gone).contains("NXDOMAIN"), "{}", msg(gone));
    assert!(fix(gone).contains(
        "Get-DnsServerResourceRecord -ZoneName corp.test -Name _vlmcs._tcp -RRType Srv | Where-Object { $_.RecordData.DomainName -eq 'kms-old.corp.test.' -and $_.RecordData.Port -eq 1688 -and $_.RecordData.Priority -eq 20 } | Remove-DnsServerResourceRecord -ZoneName corp.test -Force"
    ), "{}", fix(gone));
    assert!(fix(gone).contains("_vlmcs._tcp  IN SRV 20 0 1688 kms-old.corp.test."));
    assert!(fix(gone).contains("ipconfig /flushdns ; slmgr /ckms"));
    let dead = with(&rep, "srv.stale", "corp.test", "issue", "port-dead");
    assert_eq!(dead["status"], "fail");
    assert_eq!(dead["evidence"]["target"], "kms-down.corp.test");
    assert_eq!(dead["evidence"]["connects"][0]["result"], "refused");
    assert_eq!(codes(dead), ["0xC004F074", "0x800706BA"]);
    assert!(msg(dead).contains("connection refused"));
    assert_eq!(
        results(&rep, "srv.stale").len(),
        2,
        "live hosts are not findings"
    );
    let states: Vec<(&str, &str)> = gone["evidence"]["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["target"].as_str().unwrap(), t["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        [
            ("kms-down.corp.test", "port-dead"),
            ("kms-old.corp.test", "no-address"),
            ("kms1.corp.test", "answers"),
            ("kms2.corp.test", "answers"),
            ("vlmcsd.corp.test", "answers"),
        ]
    );

    // PTR (opt-in rule): kms1 agrees, kms2's address names another host, vlmcsd has none.
    let p1 = result(
        &rep,
        "ptr.match",
        "kms1.corp.test:1688",
        Some("198.18.0.10"),
    );
    assert_eq!(p1["status"], "pass", "{p1}");
    let p2 = result(
        &rep,
        "ptr.match",
        "kms2.corp.test:1688",
        Some("198.18.0.11"),
    );
    assert_eq!(p2["status"], "warn");
    assert_eq!(p2["evidence"]["issue"], "ptr-differs");
    assert!(msg(p2).contains("wrong.corp.test"));
    let p3 = result(
        &rep,
        "ptr.match",
        "vlmcsd.corp.test:1688",
        Some("198.18.0.12"),
    );
    assert_eq!(p3["evidence"]["issue"], "ptr-missing");
    assert!(fix(p3).contains(
        "Add-DnsServerResourceRecordPtr -ZoneName 0.18.198.in-addr.arpa -Name 12 -PtrDomainName vlmcsd.corp.test."
    ));

    // Weights in corp.test: vlmcsd quietly takes a share of the first attempts.
    let w = results(&rep, "srv.weights");
    assert_eq!(w.len(), 1, "no mistakes beyond the order: {w:?}");
    assert_eq!(w[0]["status"], "pass");
    assert_eq!(
        w[0]["evidence"]["rfc2782"][0]["hosts"][2]["target"],
        "vlmcsd.corp.test"
    );

    // The table shows the same findings.
    let out = lab.kms_preflight(
        c,
        &[
            "check",
            "--domain",
            "corp.test",
            "--dns",
            "198.18.0.2",
            "--dns",
            "198.18.0.3",
            "--rules",
            &rules,
            "--timeout",
            "1s",
            // The assertions below are about the full messages of the listing.
            "--verbose",
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    eprintln!("{text}");
    assert!(text.contains("is published by 198.18.0.2:53 but missing from 198.18.0.3:53"));
    assert!(text.contains("stale record: SRV 20 0 1688 kms-old.corp.test"));
    assert!(text.contains("unknown KMS host vlmcsd.corp.test is published"));
}

#[test]
#[ignore = "needs root: run scripts/test-all.sh (as root), which includes ignored tests"]
fn weights_suffixes_and_tcp_fallback() {
    require_root("weights_suffixes_and_tcp_fallback");
    let t = build();
    let (lab, c) = (&t.lab, t.client.as_str());

    // Priority/weight audit against a zone full of mistakes.
    let (_, rep) = lab.report(
        c,
        &[
            "--domain",
            "weights.test",
            "--dns",
            "198.18.0.2",
            "--timeout",
            "1s",
        ],
    );
    let order = results(&rep, "srv.weights")
        .into_iter()
        .find(|r| r["status"] == "pass")
        .expect("the order finding");
    assert!(msg(order).contains("slmgr /ckhc"));
    assert!(msg(order).contains("random choice"));
    let g0 = &order["evidence"]["rfc2782"][0];
    assert_eq!(g0["priority"], 0);
    let shares: Vec<(String, f64)> = g0["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["target"].as_str().unwrap().to_string(),
                h["share"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shares,
        [
            ("kms1.corp.test".to_string(), 0.6593),
            ("kms2.corp.test".to_string(), 0.3297),
            ("kms-zero.weights.test".to_string(), 0.011),
        ]
    );
    assert_eq!(order["evidence"]["random"].as_array().unwrap().len(), 5);
    assert_eq!(order["evidence"]["random"][0]["share"], 0.2);

    let mixed = with(
        &rep,
        "srv.weights",
        "weights.test",
        "issue",
        "weight-zero-mixed",
    );
    assert_eq!(mixed["status"], "warn");
    assert!(
        msg(mixed).contains("kms-zero.weights.test (1.1%)"),
        "{}",
        msg(mixed)
    );
    assert!(codes(mixed).is_empty());
    assert!(fix(mixed).contains("DnsDomainPublishList"));
    let dup = with(
        &rep,
        "srv.weights",
        "weights.test",
        "issue",
        "duplicate-target",
    );
    assert_eq!(dup["evidence"]["target"], "kms1.corp.test");
    assert_eq!(dup["status"], "warn");
    let dot = with(&rep, "srv.weights", "weights.test", "issue", "dot-target");
    assert_eq!(dot["status"], "warn");
    assert_eq!(codes(dot), ["0xC004F074"]);
    assert!(msg(dot).contains("explicitly not offered"));
    let cname = with(&rep, "srv.weights", "weights.test", "issue", "cname-target");
    assert_eq!(cname["evidence"]["target"], "alias.weights.test");
    assert_eq!(cname["evidence"]["canonical"], "kms1.corp.test");
    assert!(fix(cname).contains("-DomainName kms1.corp.test. -Priority 10 -Weight 0 -Port 1688"));
    assert_eq!(cname["status"], "warn");
    assert!(codes(cname).is_empty());
    assert!(codes(dup).is_empty());
    let port = with(&rep, "srv.weights", "weights.test", "issue", "port-differs");
    assert_eq!(port["evidence"]["record"], "SRV 20 0 1689 kms1.corp.test");
    assert_eq!(codes(port), ["0xC004F074", "0x800706BA"]);
    assert_eq!(results(&rep, "srv.weights").len(), 6);
    // The alias still leads to an address (the CNAME is followed like a recursive resolver
    // would), so it is not stale; the record on port 1689, where nothing listens, is.
    let alias = result(&rep, "resolve.host", "alias.weights.test:1688", None);
    assert_eq!(alias["status"], "pass", "{alias}");
    assert_eq!(
        alias["evidence"]["addresses"],
        serde_json::json!(["198.18.0.10"])
    );
    let stale = results(&rep, "srv.stale");
    assert_eq!(stale.len(), 1, "{stale:?}");
    assert_eq!(stale[0]["evidence"]["issue"], "port-dead");
    assert_eq!(
        stale[0]["evidence"]["record"],
        "SRV 20 0 1689 kms1.corp.test"
    );
    // Only one server: agreement says so instead of passing.
    assert!(results(&rep, "srv.agreement")
        .iter()
        .any(|r| r["status"] == "skip" && msg(r).contains("only one DNS server")));

    // Same records, different TTLs on the two servers (both authoritative).
    let (_, rep) = lab.report(
        c,
        &[
            "--domain",
            "ttl.test",
            "--dns",
            "198.18.0.2",
            "--dns",
            "198.18.0.3",
            "--timeout",
            "1s",
        ],
    );
    let ttl = with(&rep, "srv.agreement", "ttl.test", "issue", "ttl-differs");
    assert_eq!(ttl["status"], "warn");
    assert_eq!(codes(ttl), ["0xC004F074"]);
    assert!(
        msg(ttl).contains("198.18.0.2:53 300s, 198.18.0.3:53 3600s"),
        "{}",
        msg(ttl)
    );
    assert!(!results(&rep, "srv.agreement")
        .iter()
        .any(|r| r["evidence"]["issue"] == "record-differs"));

    // Suffix list like a Windows client: the second suffix reaches the zone.
    let (_, rep) = lab.report(
        c,
        &[
            "--suffix",
            "branch.test",
            "--suffix",
            "corp.test",
            "--dns",
            "198.18.0.2",
            "--timeout",
            "1s",
        ],
    );
    assert_eq!(
        rep["domains"],
        serde_json::json!(["branch.test", "corp.test"])
    );
    let d = &results(&rep, "srv.discovery")[0];
    assert_eq!(d["status"], "pass", "{d}");
    assert_eq!(d["target"], serde_json::Value::Null);
    assert_eq!(d["evidence"]["suffix_origin"], "--suffix");
    assert_eq!(d["evidence"]["first_suffix"], "corp.test");
    assert_eq!(d["evidence"]["suffixes"][0]["result"], "NXDOMAIN");
    assert_eq!(
        d["evidence"]["suffixes"][1]["hosts"],
        serde_json::json!([
            "kms1.corp.test:1688",
            "kms2.corp.test:1688",
            "vlmcsd.corp.test:1688",
            "kms-down.corp.test:1688"
        ])
    );
    assert!(msg(d).contains("branch.test → NXDOMAIN; corp.test → kms1.corp.test:1688"));

    // …and a list that reaches nothing: one clear failure.
    let (code, rep) = lab.report(
        c,
        &[
            "--suffix",
            "branch.test",
            "--suffix",
            "other.test",
            "--dns",
            "198.18.0.2",
            "--timeout",
            "1s",
        ],
    );
    assert_eq!(code, 1);
    let d = &results(&rep, "srv.discovery")[0];
    assert_eq!(d["status"], "fail");
    assert_eq!(codes(d), ["0x8007232B", "0xC004F074"]);
    assert!(msg(d).starts_with(
        "no suffix in the list (--suffix: branch.test, other.test) reaches any _vlmcs._tcp record: branch.test → NXDOMAIN; other.test → REFUSED"
    ), "{}", msg(d));
    assert!(fix(d).contains("DnsDomainPublishList"));
    assert!(fix(d).contains("slmgr /skms-domain"));
    let out = lab.kms_preflight(
        c,
        &[
            "check",
            "--suffix",
            "branch.test",
            "--suffix",
            "other.test",
            "--dns",
            "198.18.0.2",
            "--timeout",
            "1s",
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("no suffix in the list"), "{text}");

    // Without --suffix or --domain, the system search list (resolv.conf) is the list.
    let (_, rep) = lab.report(c, &["--timeout", "1s"]);
    let d = &results(&rep, "srv.discovery")[0];
    assert_eq!(
        d["evidence"]["suffix_origin"],
        "system resolver search list"
    );
    assert_eq!(d["status"], "pass");

    // An SRV answer too big for UDP: the tool sees TC and repeats the query over TCP.
    let dig = lab::run(
        "ip",
        &[
            "netns",
            "exec",
            c,
            "dig",
            "@198.18.0.2",
            "+ignore",
            "+bufsize=1232",
            "+norecurse",
            "_vlmcs._tcp.big.test",
            "SRV",
        ],
    );
    let dig = String::from_utf8_lossy(&dig.stdout);
    assert!(
        dig.contains(" tc"),
        "BIND must truncate the UDP answer: {dig}"
    );
    let rules = write_rules(
        lab,
        "big.yaml",
        "version: 1\nchecks:\n  - id: srv.present\n    kind: srv\n  - id: srv.agreement\n    kind: srv-agreement\n    severity: warn\n",
    );
    let (code, rep) = lab.report(
        c,
        &[
            "--domain",
            "big.test",
            "--dns",
            "198.18.0.2",
            "--dns",
            "198.18.0.3",
            "--no-builtin",
            "--rules",
            &rules,
            "--timeout",
            "1s",
        ],
    );
    assert_eq!(code, 0, "{rep}");
    let p = result(&rep, "srv.present", "big.test", None);
    assert_eq!(p["evidence"]["tcp_fallback"], true);
    assert_eq!(p["evidence"]["records"].as_array().unwrap().len(), 60);
    let agree = results(&rep, "srv.agreement")
        .into_iter()
        .find(|r| msg(r).starts_with("2 DNS servers agree"))
        .expect("agreement");
    assert_eq!(agree["status"], "pass");
    for s in agree["evidence"]["servers"].as_array().unwrap() {
        assert_eq!(s["tcp_fallback"], true, "{s}");
        assert_eq!(s["records"].as_array().unwrap().len(), 60);
    }
}

/// The examples of docs/dns-audit.md (printed for the docs:
/// `cargo test --test lab_dns_audit -- --ignored --nocapture demo_output_for_docs`), and the
/// lines that matter in each.
#[test]
#[ignore = "checks the docs' examples; needs root: run scripts/test-all.sh (as root)"]
fn demo_output_for_docs() {
    require_root("demo_output_for_docs");
    let t = build();
    let (lab, c) = (&t.lab, t.client.as_str());
    let rules = write_rules(lab, "inventory.yaml", INVENTORY_RULES);
    // Runs `check` as the table and as JSON; returns both, after the table's exit code and
    // closing line are checked against the JSON report.
    let show = |args: &[&str]| -> (String, serde_json::Value) {
        let out = lab.kms_preflight(c, args);
        let table = String::from_utf8_lossy(&out.stdout).into_owned();
        println!("$ kms-preflight {}\n{table}", args.join(" "));
        let (code, rep) = lab.report(c, &args[1..]);
        assert_eq!(out.status.code(), Some(code), "{table}");
        assert_eq!(code, 1, "failing checks: exit 1\n{table}");
        assert_table_summary(&table, &rep);
        (table, rep)
    };

    // Two DNS servers that disagree, an inventory, a rogue and a forbidden host.
    let (table, rep) = show(&[
        "check",
        "--domain",
        "corp.test",
        "--dns",
        "198.18.0.2",
        "--dns",
        "198.18.0.3",
        "--rules",
        &rules,
        "--timeout",
        "1s",
    ]);
    assert!(table.lines().any(|l| l.starts_with("FAILS")), "{table}");
    assert_eq!(rep["verdict"]["code"], "0xC004F074", "{:#}", rep["verdict"]);
    assert_eq!(
        table_rows(&table, "FAIL", "srv.inventory", "corp.test"),
        4,
        "{table}"
    );
    for host in [
        "kms-down.corp.test",
        "kms-old.corp.test",
        "vlmcsd.corp.test",
        "kms-new.corp.test",
    ] {
        assert!(
            table
                .lines()
                .any(|l| l.contains("srv.inventory") && l.contains(host)),
            "no srv.inventory row for {host}:\n{table}"
        );
    }
    assert_eq!(
        table_rows(&table, "FAIL", "srv.stale", "corp.test"),
        2,
        "{table}"
    );
    assert_eq!(
        table_rows(&table, "WARN", "srv.agreement", "corp.test"),
        2,
        "{table}"
    );
    let ptr = table_row(&table, "WARN", "ptr.match", "kms2.corp.test:1688");
    assert!(ptr.contains("wrong.corp.test"), "{ptr}");
    let down = table_row(&table, "FAIL", "tcp.port", "kms-down.corp.test:1688");
    assert!(down.contains("refused"), "{down}");

    // Priorities and weights as a client would pick them.
    let (table, _) = show(&[
        "check",
        "--domain",
        "weights.test",
        "--dns",
        "198.18.0.2",
        "--timeout",
        "1s",
    ]);
    assert_eq!(
        table_rows(&table, "WARN", "srv.weights", "weights.test"),
        5,
        "{table}"
    );
    for what in [
        "weight-0",
        "published 2 times",
        "target '.'",
        "port 1689",
        "is an alias",
    ] {
        assert!(
            table
                .lines()
                .any(|l| l.contains("srv.weights") && l.contains(what)),
            "no srv.weights warning about {what:?}:\n{table}"
        );
    }

    // A client suffix list that finds no record: the client's code for it.
    let (table, rep) = show(&[
        "check",
        "--suffix",
        "branch.test",
        "--suffix",
        "other.test",
        "--dns",
        "198.18.0.2",
        "--timeout",
        "1s",
    ]);
    assert!(table.lines().any(|l| l.starts_with("FAILS")), "{table}");
    assert_eq!(rep["verdict"]["code"], "0x8007232B", "{:#}", rep["verdict"]);
    let missing = table_row(&table, "FAIL", "srv.present", "branch.test");
    assert!(missing.contains("does not exist"), "{missing}");
    let refused = table_row(&table, "FAIL", "srv.present", "other.test");
    assert!(refused.contains("refused"), "{refused}");
    table_row(&table, "FAIL", "srv.discovery", "general");

    // The two results the docs show as JSON.
    let (_, rep) = lab.report(
        c,
        &[
            "--domain",
            "corp.test",
            "--dns",
            "198.18.0.2",
            "--dns",
            "198.18.0.3",
            "--rules",
            &rules,
            "--timeout",
            "1s",
        ],
    );
    let kms2 = with(
        &rep,
        "srv.agreement",
        "corp.test",
        "target",
        "kms2.corp.test",
    );
    let stale = with(&rep, "srv.stale", "corp.test", "issue", "no-address");
    println!("{}", serde_json::to_string_pretty(kms2).unwrap());
    println!("{}", serde_json::to_string_pretty(stale).unwrap());
    assert_eq!(kms2["status"], "warn", "{kms2:#}");
    assert!(msg(kms2).contains("missing from 198.18.0.3:53"), "{kms2:#}");
    assert_eq!(stale["status"], "fail", "{stale:#}");
}
