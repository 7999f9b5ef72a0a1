//! Sources lab: a client with two subnets behind a router, a VPN-like tun interface, an
//! intercepting listener, two DNS views and proxy variables. Asserts the per-source verdicts
//! (the source × host matrix), the egress interface and its kind, the interception evidence,
//! split DNS, and the proxy finding — all against real namespaces, nftables, BIND and
//! listeners.
//!
//! ```text
//!  client ns                          router ns (forwards)               server ns
//!  A 198.18.1.2/24  ── veth ──  198.18.1.1                 198.18.100.1 ── veth ── 198.18.100.2 (BIND corp.test)
//!  B 198.18.2.2/24  ── veth ──  198.18.2.1                                           .10 kms1   (listener 1688)
//!  tunk (tun, no reader): 198.18.100.20/32 → the "VPN"                               .20 kms-vpn (listener 1688)
//!  policy: from 198.18.2.2 → table 100 (default via B)                              .30 kms-intercept (listener 1688)
//!  198.18.200.0/24 via B                                                  198.18.200.53 (BIND, other view of corp.test)
//!  router nftables: drop tcp dport 1688 from 198.18.2.0/24 (forwarded);
//!                   redirect every TCP port of 198.18.100.30 to its own listener (the interceptor)
//! ```

mod lab;

use lab::{require_root, Lab};

const CORP_ZONE: &str = "$TTL 300
@              SOA ns.corp.test. admin.corp.test. 1 3600 600 86400 60
@              NS  ns
ns             A   198.18.100.2
_vlmcs._tcp    SRV 0 0 1688 kms1
_vlmcs._tcp    SRV 0 0 1688 kms-vpn
_vlmcs._tcp    SRV 0 0 1688 kms-intercept
kms1           A   198.18.100.10
kms-vpn        A   198.18.100.20
kms-intercept  A   198.18.100.30
";

// The same zone as another DNS server (reached through subnet B) serves it: one host only.
const OTHER_VIEW_ZONE: &str = "$TTL 300
@              SOA ns.corp.test. admin.corp.test. 2 3600 600 86400 60
@              NS  ns
ns             A   198.18.200.53
_vlmcs._tcp    SRV 0 0 1688 kms1
kms1           A   198.18.100.10
";

struct Topo {
    lab: Lab,
    client: String,
    router: String,
    if_a: String,
    if_b: String,
}

fn build() -> Topo {
    let mut lab = Lab::new("s");
    let client = lab.netns("client");
    let router = lab.netns("router");
    let server = lab.netns("server");
    let (if_a, _) = lab.veth(&client, &["198.18.1.2/24"], &router, &["198.18.1.1/24"]);
    let (if_b, _) = lab.veth(&client, &["198.18.2.2/24"], &router, &["198.18.2.1/24"]);
    let (_, srv_if) = lab.veth(&router, &["198.18.100.1/24"], &server, &["198.18.100.2/24"]);
    for a in [
        "198.18.100.10/24",
        "198.18.100.20/24",
        "198.18.100.30/24",
        "198.18.200.53/24",
    ] {
        lab.addr(&server, &srv_if, a);
    }
    lab.ip(&server, &["route", "add", "default", "via", "198.18.100.1"]);
    lab.ip(
        &router,
        &["route", "add", "198.18.200.0/24", "via", "198.18.100.2"],
    );
    lab::must(
        "ip",
        &[
            "netns",
            "exec",
            &router,
            "sysctl",
            "-qw",
            "net.ipv4.ip_forward=1",
        ],
    );

    // Client routing: subnet A is the default; subnet B has a worse default (used when bound
    // to its interface) and policy routing for its address; 198.18.200.0/24 goes via B.
    lab.ip(&client, &["route", "add", "default", "via", "198.18.1.1"]);
    lab.ip(
        &client,
        &[
            "route",
            "add",
            "default",
            "via",
            "198.18.2.1",
            "metric",
            "200",
        ],
    );
    lab.ip(
        &client,
        &["route", "add", "198.18.200.0/24", "via", "198.18.2.1"],
    );
    lab.ip(
        &client,
        &["rule", "add", "from", "198.18.2.2", "lookup", "100"],
    );
    lab.ip(
        &client,
        &[
            "route",
            "add",
            "default",
            "via",
            "198.18.2.1",
            "table",
            "100",
        ],
    );
    // The "VPN": a tun device nobody reads, carrying the route to kms-vpn in both tables.
    lab.ip(&client, &["tuntap", "add", "dev", "tunk", "mode", "tun"]);
    lab.ip(&client, &["addr", "add", "198.19.66.1/32", "dev", "tunk"]);
    lab.ip(&client, &["link", "set", "tunk", "up"]);
    lab.ip(
        &client,
        &["route", "add", "198.18.100.20/32", "dev", "tunk"],
    );
    lab.ip(
        &client,
        &[
            "route",
            "add",
            "198.18.100.20/32",
            "dev",
            "tunk",
            "table",
            "100",
        ],
    );
    // Replies to source A from 198.18.200.53 come back on A although the query left on B.
    for k in ["all", "default", &if_a, &if_b] {
        lab::must(
            "ip",
            &[
                "netns",
                "exec",
                &client,
                "sysctl",
                "-qw",
                &format!("net.ipv4.conf.{k}.rp_filter=0"),
            ],
        );
    }

    lab.nft(
        &router,
        "table inet lab {
           chain forward {
             type filter hook forward priority 0; policy accept;
             ip saddr 198.18.2.2 ip daddr 198.18.100.2 udp dport 53 counter
             ip saddr 198.18.2.0/24 tcp dport 1688 drop
           }
           chain pre {
             type nat hook prerouting priority -100;
             ip daddr 198.18.100.30 meta l4proto tcp redirect to :7777
           }
         }",
    );
    lab.responder(&router, "accept", &["0.0.0.0:7777"]);
    lab.bind(&server, "198.18.100.2", &[("corp.test", CORP_ZONE)]);
    lab.bind(&server, "198.18.200.53", &[("corp.test", OTHER_VIEW_ZONE)]);
    // The KMS hosts answer the RPC bind like a KMS host; the router's interceptor does not.
    lab.responder(
        &server,
        "kms",
        &[
            "198.18.100.10:1688",
            "198.18.100.20:1688",
            "198.18.100.30:1688",
        ],
    );
    Topo {
        lab,
        client,
        router,
        if_a,
        if_b,
    }
}

const SRC_A: &str = "198.18.1.2";
const SRC_B: &str = "198.18.2.2";
const KMS1: &str = "kms1.corp.test:1688";
const KMS_VPN: &str = "kms-vpn.corp.test:1688";
const KMS_ICPT: &str = "kms-intercept.corp.test:1688";

fn base_args() -> Vec<&'static str> {
    vec![
        "--domain",
        "corp.test",
        "--dns",
        "198.18.100.2",
        "--dns",
        "198.18.200.53",
        "--timeout",
        "1s",
    ]
}

fn one<'a>(
    rep: &'a serde_json::Value,
    id: &str,
    target: &str,
    source: Option<&str>,
) -> &'a serde_json::Value {
    let found: Vec<_> = lab::results(rep, id)
        .into_iter()
        .filter(|r| r["target"] == target)
        .filter(|r| match source {
            Some(s) => r["source"] == s,
            None => r["source"].is_null(),
        })
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one {id} for {target} from {source:?}: {}",
        serde_json::to_string_pretty(&rep["results"]).unwrap()
    );
    found[0]
}

#[test]
#[ignore = "needs root: run scripts/test-all.sh (as root), which includes ignored tests"]
fn two_sources_matrix_vpn_interception_split_dns_and_proxy() {
    require_root("two_sources_matrix_vpn_interception_split_dns_and_proxy");
    let t = build();
    let (lab, c) = (&t.lab, t.client.as_str());

    // --- One run, two sources, JSON ---------------------------------------------------
    let mut args = vec!["check"];
    args.extend(base_args());
    args.extend(["--source", SRC_A, "--source", SRC_B, "--format", "json"]);
    let out = lab.kms_preflight_env(
        c,
        &args,
        &[
            ("HTTPS_PROXY", "http://bob:secret@198.18.100.8:3128"),
            ("no_proxy", "corp.test,localhost"),
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let rep: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(out.status.code(), Some(1), "failures present");
    assert_eq!(rep["sources"], serde_json::json!([SRC_A, SRC_B]));

    // Discovery works from both subnets (DNS is not filtered).
    for s in [SRC_A, SRC_B] {
        assert_eq!(
            one(&rep, "srv.present", "corp.test", Some(s))["status"],
            "pass"
        );
    }
    // TCP: subnet A reaches kms1, subnet B is dropped by the router; kms-vpn is lost in the
    // tunnel from both; the interceptor answers kms-intercept for both.
    let tcp = |h: &str, s: &str| one(&rep, "tcp.port", h, Some(s)).clone();
    assert_eq!(tcp(KMS1, SRC_A)["status"], "pass");
    assert_eq!(
        tcp(KMS1, SRC_A)["evidence"]["local"]
            .as_str()
            .unwrap()
            .split(':')
            .next(),
        Some(SRC_A)
    );
    assert_eq!(tcp(KMS1, SRC_B)["status"], "fail");
    assert_eq!(tcp(KMS1, SRC_B)["evidence"]["result"], "timeout");
    // The fix names the subnet whose firewall rule is missing.
    assert_eq!(
        tcp(KMS1, SRC_B)["evidence"]["source_subnet"],
        "198.18.2.0/24"
    );
    assert!(tcp(KMS1, SRC_B)["remediation"]
        .as_str()
        .unwrap()
        .contains("allow TCP 1688 from 198.18.2.0/24 to 198.18.100.10"));
    for s in [SRC_A, SRC_B] {
        assert_eq!(tcp(KMS_VPN, s)["status"], "fail");
        assert_eq!(tcp(KMS_VPN, s)["evidence"]["result"], "timeout");
        assert_eq!(tcp(KMS_ICPT, s)["status"], "pass");
    }

    // Route: kms-vpn leaves through the tun device, a VPN/tunnel, decided from the kernel's
    // link kind and tun_flags; kms1 leaves through each subnet's own veth, with its gateway.
    for (s, ifname, gw) in [
        (SRC_A, &t.if_a, "198.18.1.1"),
        (SRC_B, &t.if_b, "198.18.2.1"),
    ] {
        let r = one(&rep, "route.path", KMS1, Some(s));
        assert_eq!(r["status"], "pass");
        assert_eq!(r["evidence"]["interface"], ifname.as_str());
        assert_eq!(r["evidence"]["interface_kind"], "virtual");
        assert_eq!(r["evidence"]["interface_type"], "veth");
        assert_eq!(r["evidence"]["gateway"], gw);
        assert_eq!(r["evidence"]["local"], s);
        assert_eq!(
            r["evidence"]["local_subnet"],
            format!("{}.0/24", &s[..s.rfind('.').unwrap()])
        );
        let v = one(&rep, "route.path", KMS_VPN, Some(s));
        assert_eq!(v["evidence"]["interface"], "tunk");
        assert_eq!(v["evidence"]["interface_kind"], "vpn");
        assert_eq!(v["evidence"]["interface_type"], "tun");
        let ev = v["evidence"]["kind_evidence"].to_string();
        assert!(ev.contains("tun_flags"), "{ev}");
        assert!(
            v["message"].as_str().unwrap().contains("VPN/tunnel"),
            "{}",
            v["message"]
        );
    }

    // Interception: every port of kms-intercept answers (port 1 too) → evidence, reported
    // as a warning; kms1 refuses port 1 as a real host does.
    for s in [SRC_A, SRC_B] {
        let i = one(&rep, "intercept.tcp", KMS_ICPT, Some(s));
        assert_eq!(i["status"], "warn", "{i}");
        assert_eq!(i["evidence"]["closed_ports"][0]["result"], "connected");
        assert!(i["message"]
            .as_str()
            .unwrap()
            .contains("port 1, which should be closed, accepted"));
        // ICMP still reaches the real host: both round trips were measured.
        assert_eq!(
            i["evidence"]["icmp_rtt_ms"].as_array().map(|a| a.len()),
            Some(3),
            "{i}"
        );
        assert_eq!(
            i["evidence"]["tcp_rtt_ms"].as_array().map(|a| a.len()),
            Some(3),
            "{i}"
        );
    }
    let k = one(&rep, "intercept.tcp", KMS1, Some(SRC_A));
    assert_eq!(k["status"], "pass", "{k}");
    assert_eq!(k["evidence"]["closed_ports"][0]["result"], "refused");
    // Through the tunnel nothing answers at all: no evidence either way is not a pass.
    let v = one(&rep, "intercept.tcp", KMS_VPN, Some(SRC_A));
    assert_eq!(v["evidence"]["icmp_rtt_ms"], "no reply");
    assert_eq!(v["status"], "skip", "{v}");
    // From B, 1688 to kms1 is dropped but port 1 is refused by the real host: that answer
    // is what the pass rests on.
    let kb = one(&rep, "intercept.tcp", KMS1, Some(SRC_B));
    assert_eq!(kb["status"], "pass", "{kb}");
    assert_eq!(kb["evidence"]["handshake_failure"], "timeout");

    // Split DNS: from A the two servers are reached through different interfaces and give
    // different answers; from B both are reached through B, so they only disagree.
    let a = one(&rep, "dns.split", "corp.test", Some(SRC_A));
    assert_eq!(a["status"], "warn");
    assert!(
        a["message"].as_str().unwrap().starts_with("split DNS"),
        "{}",
        a["message"]
    );
    let b = one(&rep, "dns.split", "corp.test", Some(SRC_B));
    assert_eq!(b["status"], "skip");
    assert!(
        b["message"]
            .as_str()
            .unwrap()
            .contains("which srv.agreement reports"),
        "{}",
        b["message"]
    );

    // Proxy: found in the environment, password hidden, explained.
    let p = &lab::results(&rep, "proxy.env")[0];
    assert_eq!(p["status"], "warn");
    assert!(p["source"].is_null());
    assert_eq!(
        p["evidence"]["HTTPS_PROXY"],
        "http://bob:***@198.18.100.8:3128"
    );
    assert_eq!(p["evidence"]["no_proxy"], "corp.test,localhost");
    assert!(p["message"]
        .as_str()
        .unwrap()
        .contains("never goes through an HTTP proxy"));
    assert!(
        !text.contains("secret"),
        "the proxy password must not appear"
    );

    // Printed for docs/sources.md (cargo test --test lab_sources -- --nocapture).
    for (id, target, src) in [
        ("route.path", KMS_VPN, Some(SRC_A)),
        ("intercept.tcp", KMS_ICPT, Some(SRC_A)),
        ("proxy.env", "", None),
    ] {
        let r = lab::results(&rep, id)
            .into_iter()
            .find(|r| {
                (target.is_empty() || r["target"] == target) && src.is_none_or(|s| r["source"] == s)
            })
            .unwrap();
        println!("{}", serde_json::to_string_pretty(r).unwrap());
    }

    // --- The same run as a table: the matrix ------------------------------------------
    let mut args = vec!["check"];
    args.extend(base_args());
    args.extend(["--source", SRC_A, "--source", SRC_B]);
    let out = lab.kms_preflight(c, &args);
    let table = String::from_utf8_lossy(&out.stdout).to_string();
    println!("{table}");
    let matrix = table
        .split("source × target (worst")
        .nth(1)
        .unwrap_or_else(|| panic!("no matrix in the table:\n{table}"));
    let row = |target: &str| -> String {
        matrix
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{target} ")))
            .unwrap_or_else(|| panic!("no matrix row for {target}:\n{table}"))
            .to_string()
    };
    assert!(table.contains(&format!("from {SRC_A}")) && table.contains(&format!("from {SRC_B}")));
    let r1 = row(KMS1);
    let cols: Vec<&str> = r1
        .split("  ")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    assert_eq!(cols[0], KMS1);
    assert!(
        cols[1].starts_with("PASS via ") || cols[1].starts_with("WARN"),
        "{r1}"
    );
    assert!(cols[2].starts_with("FAIL tcp.port via "), "{r1}");
    let rv = row(KMS_VPN);
    assert!(rv.contains("FAIL tcp.port via tunk (vpn)"), "{rv}");

    // --- Without sources: the OS chooses, and source is null --------------------------
    let (_, rep) = lab.report(c, &base_args());
    assert_eq!(rep["sources"], serde_json::json!([]));
    assert!(rep["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["source"].is_null()));
    let r = one(&rep, "route.path", KMS1, None);
    assert_eq!(
        r["evidence"]["interface"],
        t.if_a.as_str(),
        "default route is subnet A"
    );
    assert_eq!(one(&rep, "tcp.port", KMS1, None)["status"], "pass");

    // --- --interface: DNS and TCP leave through subnet B's device ---------------------
    // Proof that DNS is bound to the device: only then do queries to 198.18.100.2 leave
    // with B's address (unbound, the main table sends them via A).
    let dns_from_b = || -> u64 {
        let out = lab::must(
            "ip",
            &[
                "netns", "exec", &t.router, "nft", "list", "chain", "inet", "lab", "forward",
            ],
        );
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let line = text
            .lines()
            .find(|l| l.contains("udp dport 53 counter"))
            .unwrap_or_else(|| panic!("no counter rule: {text}"));
        let n = line
            .split("packets ")
            .nth(1)
            .and_then(|r| r.split(' ').next());
        n.and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("counter not readable: {line}"))
    };
    let before = dns_from_b();
    let mut args = base_args();
    args.extend(["--interface", t.if_b.as_str()]);
    let (_, rep) = lab.report(c, &args);
    assert!(
        dns_from_b() > before,
        "DNS queries bound to {} must leave with 198.18.2.2",
        t.if_b
    );
    let src = format!("%{}", t.if_b);
    let srv = one(&rep, "srv.present", "corp.test", Some(&src));
    assert_eq!(
        srv["status"], "pass",
        "DNS bound to {} works: {srv}",
        t.if_b
    );
    let r = one(&rep, "route.path", KMS1, Some(&src));
    assert_eq!(r["evidence"]["interface"], t.if_b.as_str());
    assert_eq!(r["evidence"]["local"], SRC_B);
    let tcp = one(&rep, "tcp.port", KMS1, Some(&src));
    assert_eq!(
        tcp["evidence"]["result"], "timeout",
        "subnet B is filtered: {tcp}"
    );
}

#[test]
#[ignore = "needs root: run scripts/test-all.sh (as root), which includes ignored tests"]
fn route_via_direct_fails_for_the_tunnelled_host() {
    require_root("route_via_direct_fails_for_the_tunnelled_host");
    let t = build();
    let rules = t.lab.dir.join("direct.yaml");
    std::fs::write(
        &rules,
        "version: 1\nchecks:\n  - id: route.path\n    kind: route\n    title: KMS bypasses the VPN\n    scope: each-host-and-source\n    requires: [resolve.host]\n    via: direct\n",
    )
    .unwrap();
    let mut args = base_args();
    args.extend(["--source", SRC_A, "--rules", rules.to_str().unwrap()]);
    let (code, rep) = t.lab.report(&t.client, &args);
    assert_eq!(code, 1);
    let v = one(&rep, "route.path", KMS_VPN, Some(SRC_A));
    println!("{}", serde_json::to_string_pretty(v).unwrap());
    assert_eq!(v["status"], "fail");
    assert!(v["message"]
        .as_str()
        .unwrap()
        .contains("expected a direct path"));
    assert!(v["remediation"]
        .as_str()
        .unwrap()
        .contains("split-tunnel exclusion for 198.18.100.20/32"));
    assert!(v["remediation"]
        .as_str()
        .unwrap()
        .contains("slmgr /skms 198.18.100.20:1688"));
    assert_eq!(one(&rep, "route.path", KMS1, Some(SRC_A))["status"], "pass");
}

#[test]
fn unusable_sources_are_usage_errors() {
    // No traffic is sent: validation fails before any probe.
    let bin = lab::kms_preflight_bin();
    for (flag, value, expect) in [
        ("--source", "192.0.2.77", "not an address of this machine"),
        ("--source", "nonsense", "not an IP address"),
        ("--interface", "nosuch-if0", "no interface named nosuch-if0"),
    ] {
        let out = std::process::Command::new(&bin)
            .args(["check", "--host", "127.0.0.1", flag, value])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag} {value}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expect), "{flag} {value}: {err}");
    }
}

#[test]
#[ignore = "needs root: run scripts/test-all.sh (as root), which includes ignored tests"]
fn handshake_much_faster_than_icmp_is_reported() {
    require_root("handshake_much_faster_than_icmp_is_reported");
    // client ── router (answers every TCP port of 198.18.50.30 itself) ── slow link ── server.
    // The slow link is a token bucket kept full by background UDP, so ICMP to the real host
    // waits in its queue while the intercepted handshake never crosses it. (This kernel has
    // no netem; tbf plus load gives the same "far host, near middlebox" picture.)
    let mut lab = Lab::new("r");
    let client = lab.netns("client");
    let router = lab.netns("router");
    let server = lab.netns("server");
    lab.veth(&client, &["198.18.1.2/24"], &router, &["198.18.1.1/24"]);
    let (slow_if, _) = lab.veth(&router, &["198.18.50.1/24"], &server, &["198.18.50.2/24"]);
    lab.ip(&client, &["route", "add", "default", "via", "198.18.1.1"]);
    lab.ip(&server, &["route", "add", "default", "via", "198.18.50.1"]);
    lab.ip(&server, &["addr", "add", "198.18.50.30/24", "dev", "lo"]);
    lab::must(
        "ip",
        &[
            "netns",
            "exec",
            &router,
            "sysctl",
            "-qw",
            "net.ipv4.ip_forward=1",
        ],
    );
    lab::must(
        "ip",
        &[
            "netns", "exec", &router, "tc", "qdisc", "add", "dev", &slow_if, "root", "tbf", "rate",
            "64kbit", "burst", "1600", "latency", "400ms",
        ],
    );
    lab.nft(
        &router,
        "table inet lab {
           chain pre {
             type nat hook prerouting priority -100;
             ip daddr 198.18.50.30 meta l4proto tcp redirect to :7777
           }
         }",
    );
    lab.responder(&router, "accept", &["0.0.0.0:7777"]);
    // ~1 Mbit/s of UDP into a 64 kbit/s bucket, for at most 40 s (bounded loop).
    let bash = lab::which("bash");
    lab.spawn(
        &router,
        "udp-load",
        &bash,
        &[
            "-c",
            "for i in $(seq 1 4000); do head -c 1200 /dev/zero > /dev/udp/198.18.50.2/9; sleep 0.01; done",
        ],
    );
    std::thread::sleep(std::time::Duration::from_millis(500));
    let rules = lab.dir.join("rtt.yaml");
    std::fs::write(
        &rules,
        "version: 1\nchecks:\n  - id: intercept.rtt\n    kind: interception\n    title: handshake vs ICMP\n    scope: each-host\n    closed_ports: []\n    samples: 3\n",
    )
    .unwrap();
    let (code, rep) = lab.report(
        &client,
        &[
            "--host",
            "198.18.50.30",
            "--dns",
            "198.18.50.2",
            "--no-builtin",
            "--rules",
            rules.to_str().unwrap(),
            "--timeout",
            "2s",
        ],
    );
    let r = &lab::results(&rep, "intercept.rtt")[0];
    println!("{}", serde_json::to_string_pretty(r).unwrap());
    assert_eq!(code, 1);
    assert_eq!(r["status"], "fail", "{r}");
    let msg = r["message"].as_str().unwrap();
    assert!(
        msg.contains("something nearer than the host completes the handshake"),
        "{msg}"
    );
    let icmp_min = r["evidence"]["icmp_rtt_ms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .fold(f64::MAX, f64::min);
    assert!(icmp_min > 20.0, "ICMP crossed the slow link: {icmp_min} ms");
}
