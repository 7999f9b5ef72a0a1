//! Issue 12, items 3–5 against real parts: lossy paths (nftables `numgen` drops), a dead DNS
//! server inside the lab, and odd SRV records served by BIND.
//!
//! Topology: a client namespace and a server namespace on one veth pair (198.18.0.0/24).
//! - 198.18.0.2: BIND with the zones below; 198.18.0.53: an address with nothing on 53 and a
//!   DROP rule (a dead DNS server).
//! - 198.18.0.10: a KMS-like responder on 1688 and 1700 (not on 1701).
//! - 198.18.0.12: drops every SYN to 1688 (filtered).
//! - 198.18.0.30: a healthy KMS-like host behind 30 % random loss both ways.
//! - 198.18.0.31: a healthy KMS-like host whose very first SYN to 1688 is dropped
//!   (`numgen inc` matches once), so the first attempt is lost deterministically.
//!
//! Timing goals stay in the benchmarks (benches/lab_concurrency.rs); the assertions here are on
//! structure (attempts, remembered servers, diagnoses), with generous bounds where time is
//! the point.

mod lab;

use lab::{codes, require_root, result, results, Lab};

const CORP_ZONE: &str = "$TTL 300
@            SOA ns.corp.test. admin.corp.test. 1 3600 600 86400 60
@            NS  ns
ns           A   198.18.0.2
_vlmcs._tcp  SRV 0 100 1688 kms1
_vlmcs._tcp  SRV 0 100 1688 kms2
_vlmcs._tcp  SRV 0 100 1688 kms3
kms1         A   198.18.0.10
kms2         A   198.18.0.30
kms3         A   198.18.0.31
kms4         A   198.18.0.10
kms5         A   198.18.0.10
alias        CNAME kms1
";

/// Three healthy host names (one address) for the dead-server run.
const DEAD_ZONE: &str = "$TTL 300
@            SOA ns.corp.test. admin.corp.test. 1 3600 600 86400 60
@            NS  ns.corp.test.
_vlmcs._tcp  SRV 0 0 1688 kms1.corp.test.
_vlmcs._tcp  SRV 0 0 1688 kms4.corp.test.
_vlmcs._tcp  SRV 0 0 1688 kms5.corp.test.
";

const IPLIT_ZONE: &str = "$TTL 300
@            SOA ns.corp.test. admin.corp.test. 1 3600 600 86400 60
@            NS  ns.corp.test.
_vlmcs._tcp  SRV 0 0 1688 198.18.0.10.
";

const PORT_UP_ZONE: &str = "$TTL 300
@            SOA ns.corp.test. admin.corp.test. 1 3600 600 86400 60
@            NS  ns.corp.test.
_vlmcs._tcp  SRV 0 0 1700 kms1.corp.test.
";

const PORT_DOWN_ZONE: &str = "$TTL 300
@            SOA ns.corp.test. admin.corp.test. 1 3600 600 86400 60
@            NS  ns.corp.test.
_vlmcs._tcp  SRV 0 0 1701 kms1.corp.test.
";

const CNAME_ZONE: &str = "$TTL 300
@            SOA ns.corp.test. admin.corp.test. 1 3600 600 86400 60
@            NS  ns.corp.test.
_vlmcs._tcp  SRV 0 0 1688 alias.corp.test.
";

/// Per-host checks with ICMP, so a lossy pass can quote the ICMP loss (a quick ICMP probe:
/// done before the second connection attempt at 1/7 of the timeout).
const HOSTS_ICMP: &str = "version: 1
vars:
  port: 1688
checks:
  - id: resolve.host
    kind: resolve
    title: KMS host name resolves
  - id: tcp.port
    kind: tcp
    title: KMS port accepts TCP connections
    requires: [resolve.host]
  - id: icmp.echo
    kind: icmp
    title: Host answers ICMP echo
    requires: [resolve.host]
    count: 4
    interval: 20ms
";

struct Topo {
    lab: Lab,
    client: String,
    rules_icmp: String,
}

fn build(tag: &str) -> Topo {
    let mut lab = Lab::new(tag);
    let client = lab.netns("client");
    let server = lab.netns("server");
    let (_, srv_if) = lab.veth(&client, &["198.18.0.1/24"], &server, &["198.18.0.2/24"]);
    for a in [
        "198.18.0.10/24",
        "198.18.0.12/24",
        "198.18.0.30/24",
        "198.18.0.31/24",
        "198.18.0.53/24",
    ] {
        lab.addr(&server, &srv_if, a);
    }
    lab.nft(
        &server,
        "table inet lossy {
           chain input {
             type filter hook input priority 0; policy accept;
             ip daddr 198.18.0.12 tcp dport 1688 drop
             ip daddr 198.18.0.53 drop
             ip daddr 198.18.0.30 numgen random mod 100 < 30 drop
             ip daddr 198.18.0.31 tcp dport 1688 tcp flags & (fin | syn | rst | ack) == syn numgen inc mod 1000000 == 0 drop
           }
           chain output {
             type filter hook output priority 0; policy accept;
             ip saddr 198.18.0.30 numgen random mod 100 < 30 drop
           }
         }",
    );
    lab.bind(
        &server,
        "198.18.0.2",
        &[
            ("corp.test", CORP_ZONE),
            ("iplit.test", IPLIT_ZONE),
            ("portup.test", PORT_UP_ZONE),
            ("portdown.test", PORT_DOWN_ZONE),
            ("cname.test", CNAME_ZONE),
            ("dead.test", DEAD_ZONE),
        ],
    );
    lab.responder(
        &server,
        "kms",
        &[
            "198.18.0.10:1688",
            "198.18.0.10:1700",
            "198.18.0.30:1688",
            "198.18.0.31:1688",
        ],
    );
    lab.resolv_conf(&client, "nameserver 198.18.0.2\nsearch corp.test\n");
    let rules_icmp = lab.dir.join("hosts-icmp.yaml");
    std::fs::write(&rules_icmp, HOSTS_ICMP).unwrap();
    let rules_icmp = rules_icmp.display().to_string();
    Topo {
        lab,
        client,
        rules_icmp,
    }
}

fn s(v: &serde_json::Value) -> &str {
    v.as_str().unwrap_or_default()
}

#[test]
#[ignore = "needs root: run scripts/test-all.sh (as root), which includes ignored tests"]
fn srv_record_sanity_ip_literal_ports_and_cname() {
    require_root("srv_record_sanity_ip_literal_ports_and_cname");
    let t = build("s");
    let (lab, c) = (&t.lab, t.client.as_str());
    let (_, rep) = lab.report(
        c,
        &[
            "--domain",
            "iplit.test",
            "--domain",
            "portup.test",
            "--domain",
            "portdown.test",
            "--domain",
            "cname.test",
            "--dns",
            "198.18.0.2",
            "--timeout",
            "1s",
        ],
    );

    // IP-literal target: warn, the RFC 2782 rule and the fix (an A record and its name).
    let ip = result(&rep, "srv.present", "iplit.test", None);
    assert_eq!(ip["status"], "warn", "{ip}");
    assert!(s(&ip["message"]).contains("RFC 2782"), "{ip}");
    assert_eq!(ip["evidence"]["issues"][0]["issue"], "ip-literal-target");
    let fix = s(&ip["remediation"]);
    assert!(
        fix.contains(
            "Add-DnsServerResourceRecordA -ZoneName iplit.test -Name <kms-host> -IPv4Address 198.18.0.10"
        ),
        "{fix}"
    );
    assert!(fix.contains("use its name as the SRV target"), "{fix}");
    // The address is still probed as a host.
    assert_eq!(
        result(&rep, "tcp.port", "198.18.0.10:1688", Some("198.18.0.10"))["status"],
        "pass"
    );

    // Another port where the host answers: warn (clients following the record connect).
    let up = result(&rep, "srv.present", "portup.test", None);
    assert_eq!(up["status"], "warn", "{up}");
    assert_eq!(up["evidence"]["issues"][0]["issue"], "port-differs-answers");
    assert!(s(&up["message"]).contains("port other than 1688"), "{up}");
    assert!(s(&up["message"]).contains("198.18.0.10:1700"), "{up}");
    assert!(s(&up["remediation"]).contains("slmgr /sprt 1700"));
    assert_eq!(
        result(&rep, "tcp.port", "kms1.corp.test:1700", Some("198.18.0.10"))["status"],
        "pass"
    );

    // Another port where nothing answers: fail, with why.
    let down = result(&rep, "srv.present", "portdown.test", None);
    assert_eq!(down["status"], "fail", "{down}");
    assert_eq!(
        down["evidence"]["issues"][0]["issue"],
        "port-differs-silent"
    );
    assert!(
        s(&down["message"]).contains("198.18.0.10:1701: refused"),
        "{down}"
    );
    assert_eq!(codes(down), ["0xC004F074", "0x800706BA"]);

    // A CNAME target keeps today's verdict: srv.present passes (srv.weights tells the alias).
    let cname = result(&rep, "srv.present", "cname.test", None);
    assert_eq!(cname["status"], "pass", "{cname}");
    assert!(cname["evidence"].get("issues").is_none(), "{cname}");
}

#[test]
#[ignore = "needs root: run scripts/test-all.sh (as root), which includes ignored tests"]
fn a_dead_dns_server_costs_one_timeout_for_the_run() {
    require_root("a_dead_dns_server_costs_one_timeout_for_the_run");
    let t = build("d");
    let (lab, c) = (&t.lab, t.client.as_str());
    let timeout = 2.0;
    let started = std::time::Instant::now();
    let (_, rep) = lab.report(
        c,
        &[
            "--domain",
            "dead.test",
            "--dns",
            "198.18.0.53",
            "--dns",
            "198.18.0.2",
            "--timeout",
            "2s",
        ],
    );
    let wall = started.elapsed().as_secs_f64();

    // srv.present: the dead server first in the list, asked, silent for the client's 1 s
    // per-server wait; the next one, asked then (the dead one still listened to), decided.
    let srv = result(&rep, "srv.present", "dead.test", None);
    assert_eq!(srv["status"], "pass", "{srv}");
    assert_eq!(srv["evidence"]["server"], "198.18.0.2:53", "{srv}");
    let attempts = srv["evidence"]["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 2, "{srv}");
    assert_eq!(attempts[0]["server"], "198.18.0.53:53");
    assert_eq!(
        attempts[0]["result"],
        "no answer within 1s; a later server answered"
    );
    assert!(attempts[0].get("remembered").is_none());
    // Failover like the client: the good server's answer came after the 1 s wait, long
    // before the dead one would have timed out (2 s).
    let good_ms = attempts[1]["elapsed_ms"].as_f64().unwrap();
    assert!(
        (1000.0..1500.0).contains(&good_ms),
        "not asked after the per-server wait: {srv}"
    );

    // Every host lookup after it knows the server did not answer: asked, not waited for.
    let resolves = results(&rep, "resolve.host");
    assert_eq!(resolves.len(), 3);
    for r in &resolves {
        assert_eq!(r["status"], "pass", "{r}");
        let dead: Vec<_> = r["evidence"]["attempts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["server"] == "198.18.0.53:53")
            .collect();
        assert!(!dead.is_empty(), "{r}");
        assert!(
            dead.iter().all(|a| a["remembered"] == true),
            "the dead server was waited for again: {r}"
        );
        assert!(r["duration_ms"].as_u64().unwrap() < 1000, "{r}");
    }
    // The audits that ask every server list it with its timeout; none waited twice.
    for agreement in results(&rep, "srv.agreement") {
        assert!(
            agreement["duration_ms"].as_u64().unwrap() < 2 * 2000,
            "{agreement}"
        );
    }
    // Generous bound: one timeout plus the host stage, well under two timeouts stacked
    // (the old sequential lookups took 2 × timeout before the first host was probed).
    assert!(wall < 2.0 * timeout + 1.0, "wall {wall:.2} s");
}

#[test]
#[ignore = "needs root: run scripts/test-all.sh (as root), which includes ignored tests"]
fn lossy_paths_warn_with_attempts_and_a_silent_host_is_blamed_only_with_evidence() {
    require_root("lossy_paths_warn_with_attempts_and_a_silent_host_is_blamed_only_with_evidence");
    let t = build("l");
    let (lab, c) = (&t.lab, t.client.as_str());

    // Forced: the first SYN to .31 is dropped, the second attempt connects → warn with attempts,
    // and the ICMP loss of the address (0 %) because an ICMP probe ran.
    let (_, rep) = lab.report(
        c,
        &[
            "--host",
            "198.18.0.31",
            "--dns",
            "198.18.0.2",
            "--no-builtin",
            "--rules",
            &t.rules_icmp,
            "--timeout",
            "3s",
        ],
    );
    let forced = result(&rep, "tcp.port", "198.18.0.31:1688", Some("198.18.0.31"));
    assert_eq!(forced["status"], "warn", "{forced}");
    assert!(
        forced["evidence"]["attempts"].as_u64().unwrap() >= 2,
        "{forced}"
    );
    assert_eq!(forced["evidence"]["lossy"], true);
    assert!(
        s(&forced["message"]).starts_with("lossy path: 2 attempts; ICMP loss 0 %"),
        "{forced}"
    );

    // Silent host alone: nothing else on the path answered, so no firewall is blamed.
    let (_, rep) = lab.report(
        c,
        &[
            "--host",
            "198.18.0.12",
            "--dns",
            "198.18.0.2",
            "--no-builtin",
            "--rules",
            "tests/fixtures/hosts-only.yaml",
            "--timeout",
            "1s",
        ],
    );
    let alone = result(&rep, "tcp.port", "198.18.0.12:1688", Some("198.18.0.12"));
    assert_eq!(alone["status"], "fail");
    assert_eq!(alone["evidence"]["result"], "timeout");
    assert_eq!(alone["evidence"]["diagnosis"], "no-answer", "{alone}");
    assert!(
        s(&alone["message"]).contains("(host down or filtered)"),
        "{alone}"
    );
    assert!(!s(&alone["message"]).contains("firewall"), "{alone}");
    assert_eq!(alone["evidence"]["attempts"], 4, "{alone}");

    // The same silent host while another host on the same path answers: filtered.
    let (_, rep) = lab.report(
        c,
        &[
            "--host",
            "198.18.0.12",
            "--host",
            "198.18.0.10",
            "--dns",
            "198.18.0.2",
            "--no-builtin",
            "--rules",
            "tests/fixtures/hosts-only.yaml",
            "--timeout",
            "1s",
        ],
    );
    let filtered = result(&rep, "tcp.port", "198.18.0.12:1688", Some("198.18.0.12"));
    assert_eq!(filtered["status"], "fail");
    assert_eq!(filtered["evidence"]["diagnosis"], "filtered", "{filtered}");
    assert_eq!(
        filtered["evidence"]["path_answered"],
        serde_json::json!(["198.18.0.10"])
    );
    assert!(
        s(&filtered["message"]).contains("a firewall drops the SYN"),
        "{filtered}"
    );
    // Refused keeps its class (and is no loss).
    let closed = lab.report(
        c,
        &[
            "--host",
            "198.18.0.10:1701",
            "--dns",
            "198.18.0.2",
            "--no-builtin",
            "--rules",
            "tests/fixtures/hosts-only.yaml",
            "--timeout",
            "1s",
        ],
    );
    let refused = result(
        &closed.1,
        "tcp.port",
        "198.18.0.10:1701",
        Some("198.18.0.10"),
    );
    assert_eq!(refused["evidence"]["result"], "refused");
    assert!(refused["evidence"].get("attempts").is_none());

    // 30 % random loss both ways to a healthy host: never a fail over several runs, and each
    // run is bounded (generously: the goal of 1.2 × timeout is measured by the benchmark).
    let mut warned = 0;
    for run in 0..4 {
        let started = std::time::Instant::now();
        let (_, rep) = lab.report(
            c,
            &[
                "--domain",
                "corp.test",
                "--dns",
                "198.18.0.2",
                "--timeout",
                "3s",
            ],
        );
        let wall = started.elapsed().as_secs_f64();
        assert!(
            wall < 3.0 * 3.0,
            "run {run}: {wall:.2} s; slowest: {}",
            lab::slowest(&rep, 4)
        );
        let lossy: Vec<_> = rep["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["target"] == "kms2.corp.test:1688")
            .filter(|r| matches!(s(&r["id"]), "tcp.port" | "kms.rpc-bind"))
            .collect();
        assert_eq!(lossy.len(), 2, "run {run}");
        for r in &lossy {
            assert!(
                matches!(s(&r["status"]), "pass" | "warn"),
                "run {run}: the lossy healthy host failed: {r}"
            );
            if r["status"] == "warn" {
                warned += 1;
            }
        }
        let stale = result(&rep, "srv.stale", "corp.test", None);
        assert_ne!(stale["status"], "fail", "run {run}: {stale}");
    }
    eprintln!("lossy host: {warned} warnings over 4 runs");
}
