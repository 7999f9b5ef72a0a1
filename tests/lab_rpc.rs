//! RPC lab: is it really a KMS host? Every kms-rpc verdict against a real listener (the
//! project's lab-responder in each mode), nftables dropping and rejecting RPC data after the
//! handshake (an IPS), TCP reset/close right after connect, multi-address hosts over IPv4 and
//! IPv6, and ICMP echo with and without the privilege for ICMP sockets.

mod lab;

use std::process::Command;
use std::time::{Duration, Instant};

use lab::{
    assert_table_summary, codes, kms_preflight_bin, require_root, result, results, table_row, Lab,
};

const ZONE: &str = "$TTL 300
@            SOA ns.lab.test. admin.lab.test. 1 3600 600 86400 60
@            NS  ns
ns           A    198.18.1.2
_vlmcs._tcp  SRV 0 100 1688 kms
_vlmcs._tcp  SRV 0 100 1688 other
kms          A    198.18.1.10
kms          AAAA fd00:19::10
other        A    198.18.1.11
nak          A    198.18.1.12
http         A    198.18.1.13
silent       A    198.18.1.14
close        A    198.18.1.15
reset        A    198.18.1.16
ipsdrop      A    198.18.1.17
ipsreject    A    198.18.1.18
dropped      A    198.18.1.19
multi        A    198.18.1.10
multi        A    198.18.1.19
win8         A    198.18.1.20
";

/// The per-host part of the built-in pack (same ids and parameters), without SRV discovery.
const RULES: &str = "version: 1
checks:
  - id: resolve.host
    kind: resolve
    title: KMS host name resolves
  - id: tcp.port
    kind: tcp
    title: KMS port accepts TCP connections
    requires: [resolve.host]
    hold: 200ms
  - id: kms.rpc-bind
    kind: kms-rpc
    title: KMS RPC endpoint accepts the bind (read-only)
    requires: [tcp.port]
  - id: icmp.echo
    kind: icmp
    title: Host answers ICMP echo (informational; KMS needs only TCP)
    requires: [resolve.host]
    count: 3
    interval: 100ms
    severity: warn
";

const RULES_ANY: &str = "version: 1
checks:
  - id: tcp.port
    kind: tcp
    hold: 200ms
    expect: { addresses: any }
  - id: kms.rpc-bind
    kind: kms-rpc
    requires: [tcp.port]
";

/// The RPC probe alone (no TCP prerequisite, so no hold): a peer that accepts, reads the bind
/// and closes gives the `closed` verdict of kms-rpc itself.
const RPC_ONLY: &str = "version: 1
checks:
  - id: kms.rpc-bind
    kind: kms-rpc
";

/// The bind a Windows 8+ client sends: NDR32, NDR64 and BTFN contexts.
const RPC_WINDOWS: &str = "version: 1
checks:
  - id: kms.rpc-bind
    kind: kms-rpc
    bind: windows
";

const ICMP_ONLY: &str = "version: 1
checks:
  - id: icmp.echo
    kind: icmp
    count: 2
    interval: 100ms
    severity: warn
";

struct Topo {
    lab: Lab,
    client: String,
}

fn build() -> Topo {
    let mut lab = Lab::new("r");
    let client = lab.netns("client");
    let server = lab.netns("server");
    let (_, sif) = lab.veth(
        &client,
        &["198.18.1.1/24", "fd00:19::1/64"],
        &server,
        &["198.18.1.2/24", "fd00:19::2/64"],
    );
    for i in 10..=20 {
        lab.addr(&server, &sif, &format!("198.18.1.{i}/24"));
    }
    lab.addr(&server, &sif, "fd00:19::10/64");
    // .17/.18: an IPS that lets the handshake through and drops / resets the RPC data (the
    // bind is the first segment with PSH). .19: SYN dropped, ICMP echo dropped.
    lab.nft(
        &server,
        "table inet lab {
           chain input {
             type filter hook input priority 0; policy accept;
             ip daddr 198.18.1.17 tcp dport 1688 tcp flags & psh == psh drop
             ip daddr 198.18.1.18 tcp dport 1688 tcp flags & psh == psh reject with tcp reset
             ip daddr 198.18.1.19 tcp dport 1688 drop
             ip daddr 198.18.1.19 icmp type echo-request drop
           }
         }",
    );
    lab.bind(&server, "198.18.1.2", &[("lab.test", ZONE)]);
    lab.responder(
        &server,
        "kms",
        &[
            "198.18.1.10:1688",
            "[fd00:19::10]:1688",
            "198.18.1.17:1688",
            "198.18.1.18:1688",
        ],
    );
    lab.responder(&server, "kms-ndr64", &["198.18.1.20:1688"]);
    lab.responder(&server, "rpc-other", &["198.18.1.11:1688"]);
    lab.responder(&server, "nak", &["198.18.1.12:1688"]);
    lab.responder(&server, "http", &["198.18.1.13:1688"]);
    lab.responder(&server, "silent", &["198.18.1.14:1688"]);
    lab.responder(&server, "close", &["198.18.1.15:1688"]);
    lab.responder(&server, "reset", &["198.18.1.16:1688"]);
    Topo { lab, client }
}

fn write(lab: &Lab, name: &str, text: &str) -> String {
    let p = lab.dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

fn hosts(names: &[&str]) -> Vec<String> {
    names
        .iter()
        .flat_map(|n| ["--host".to_string(), format!("{n}.lab.test")])
        .collect()
}

fn rpc<'a>(rep: &'a serde_json::Value, host: &str, addr: &str) -> &'a serde_json::Value {
    result(
        rep,
        "kms.rpc-bind",
        &format!("{host}.lab.test:1688"),
        Some(addr),
    )
}

#[test]
#[ignore = "needs root: run scripts/test-all.sh (as root), which includes ignored tests"]
fn every_kms_rpc_verdict_from_a_real_listener() {
    require_root("every_kms_rpc_verdict_from_a_real_listener");
    let t = build();
    let (lab, c) = (&t.lab, t.client.as_str());
    let rules = write(lab, "rules.yaml", RULES);
    let mut args: Vec<String> = [
        "--no-builtin",
        "--rules",
        &rules,
        "--dns",
        "198.18.1.2",
        "--timeout",
        "1s",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(hosts(&[
        "kms",
        "other",
        "nak",
        "http",
        "silent",
        "close",
        "reset",
        "ipsdrop",
        "ipsreject",
        "dropped",
        "multi",
        "win8",
    ]));
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let started = Instant::now();
    let (code, rep) = lab.report(c, &argv);
    let took = started.elapsed();
    assert_eq!(code, 1, "failures present");
    // Silent peers cost one timeout each, in parallel: well under the sum of timeouts.
    assert!(took < Duration::from_secs(8), "took {took:?}");

    // accepted, over IPv4 and IPv6, with the negotiated parameters as evidence.
    for addr in ["198.18.1.10", "fd00:19::10"] {
        let r = rpc(&rep, "kms", addr);
        assert_eq!(r["status"], "pass", "{r}");
        let e = &r["evidence"];
        assert_eq!(e["result"], "accepted");
        assert_eq!(e["negotiated_syntax"], "NDR32 v2.0");
        assert_eq!(e["context_id"], 0);
        assert_eq!(e["max_xmit_frag"], 5840);
        assert_eq!(e["max_recv_frag"], 5840);
        assert_eq!(e["secondary_address"], "1688");
        assert!(e["bind_rtt_ms"].as_f64().unwrap() > 0.0, "{e}");
        assert!(codes(r).is_empty());
        assert!(r["message"]
            .as_str()
            .unwrap()
            .contains("accepted the bind: NDR32 v2.0 on context 0"));
    }

    // A Windows 8+ style host (rejects NDR32 when NDR64 is offered too) accepts the
    // NDR32-only probe: the reason the probe offers one context.
    let r = rpc(&rep, "win8", "198.18.1.20");
    assert_eq!(r["status"], "pass", "{r}");
    assert_eq!(r["evidence"]["negotiated_syntax"], "NDR32 v2.0");

    // A DCE/RPC server that is not KMS: interface rejected (2,1).
    let r = rpc(&rep, "other", "198.18.1.11");
    assert_eq!(r["status"], "fail");
    assert_eq!(r["evidence"]["result"], "rejected");
    assert_eq!(
        r["evidence"]["context_results"][0],
        "context 0 (KMS v1.0): provider_rejection (abstract_syntax_not_supported)"
    );
    assert_eq!(codes(r), ["0xC004F074", "0xC004F039"]);
    let msg = r["message"].as_str().unwrap();
    assert!(
        msg.contains("not KMS") && msg.contains("TcpTestSucceeded: True"),
        "{msg}"
    );

    // bind_nak with its reason.
    let r = rpc(&rep, "nak", "198.18.1.12");
    assert_eq!(r["evidence"]["result"], "bind-nak");
    assert_eq!(r["evidence"]["nak_reason"], 4);
    assert_eq!(
        r["evidence"]["nak_reason_name"],
        "protocol_version_not_supported"
    );
    assert_eq!(codes(r), ["0xC004F074", "0x800706BA"]);

    // Not DCE/RPC: the first bytes, printable.
    let r = rpc(&rep, "http", "198.18.1.13");
    assert_eq!(r["status"], "fail");
    assert_eq!(r["evidence"]["result"], "not-rpc");
    assert!(r["evidence"]["received"]
        .as_str()
        .unwrap()
        .starts_with("HTTP/1.1 400 Bad Request\\r\\n"));
    assert_eq!(codes(r), ["0xC004F074", "0x800706BA"]);

    // Accepts and stays silent: TCP passes, the bind times out.
    assert_eq!(
        result(&rep, "tcp.port", "silent.lab.test:1688", None)["status"],
        "pass"
    );
    let r = rpc(&rep, "silent", "198.18.1.14");
    assert_eq!(r["evidence"]["result"], "silent");
    assert_eq!(r["evidence"]["timeout_ms"], 1000);
    assert_eq!(codes(r), ["0xC004F074", "0xC004F039"]);

    // Accepts and closes at once / resets at once: the TCP check's hold catches both.
    let r = result(&rep, "tcp.port", "close.lab.test:1688", None);
    assert_eq!(r["status"], "fail");
    assert_eq!(r["evidence"]["result"], "closed-after-connect");
    assert_eq!(r["evidence"]["hold_ms"], 200);
    let r = result(&rep, "tcp.port", "reset.lab.test:1688", None);
    assert_eq!(r["status"], "fail", "{r}");
    assert_eq!(r["evidence"]["result"], "reset-after-connect");
    assert_eq!(codes(r), ["0xC004F074", "0x800706BA"]);
    for h in ["close", "reset"] {
        let r = result(&rep, "kms.rpc-bind", &format!("{h}.lab.test:1688"), None);
        assert_eq!(r["status"], "skip", "{r}");
    }

    // nftables as an IPS: handshake allowed, RPC data dropped → silent; rejected → reset.
    let r = rpc(&rep, "ipsdrop", "198.18.1.17");
    assert_eq!(r["evidence"]["result"], "silent", "{r}");
    let r = rpc(&rep, "ipsreject", "198.18.1.18");
    assert_eq!(r["evidence"]["result"], "reset", "{r}");
    assert_eq!(codes(r), ["0xC004F074", "0x800706BA"]);
    assert!(r["message"]
        .as_str()
        .unwrap()
        .contains("reset (RST) in answer to the RPC bind"));

    // nftables dropping the SYN: TCP times out, the RPC probe is skipped.
    let r = result(&rep, "tcp.port", "dropped.lab.test:1688", None);
    assert_eq!(r["evidence"]["result"], "timeout");
    assert_eq!(
        result(&rep, "kms.rpc-bind", "dropped.lab.test:1688", None)["status"],
        "skip"
    );

    // Several addresses: per-address TCP results, RPC only where TCP connected (all: fail).
    let m = results(&rep, "tcp.port")
        .into_iter()
        .filter(|r| r["target"] == "multi.lab.test:1688")
        .collect::<Vec<_>>();
    assert_eq!(m.len(), 2);
    assert_eq!(
        result(&rep, "tcp.port", "multi.lab.test:1688", Some("198.18.1.19"))["status"],
        "fail"
    );
    let r = result(&rep, "kms.rpc-bind", "multi.lab.test:1688", None);
    assert_eq!(r["address"], "198.18.1.10");
    assert_eq!(r["status"], "pass");

    // ICMP as root: the RAW socket (ping_group_range is "1 0" in a new namespace).
    let r = result(&rep, "icmp.echo", "kms.lab.test:1688", Some("198.18.1.10"));
    assert_eq!(r["status"], "pass", "{r}");
    assert_eq!(r["evidence"]["socket"], "raw");
    assert_eq!(r["evidence"]["received"], 3);
    let r = result(&rep, "icmp.echo", "kms.lab.test:1688", Some("fd00:19::10"));
    assert_eq!(r["status"], "pass", "{r}");
    // Echo dropped: a warning (severity warn), saying that KMS may still work.
    let r = result(&rep, "icmp.echo", "dropped.lab.test:1688", None);
    assert_eq!(r["status"], "warn", "{r}");
    assert_eq!(r["evidence"]["result"], "no-reply");
    assert!(r["message"]
        .as_str()
        .unwrap()
        .contains("does not mean KMS fails"));

    // The probe is read-only: the KMS responder saw one 72-byte bind per connection and
    // nothing after its bind_ack before the client closed (kms v4, kms v6, multi; the IPS
    // addresses never let the bind through; win8 has its own responder).
    let log = responder_log(lab, "responder-kms-", 3);
    let lines: Vec<&str> = log.lines().filter(|l| l.contains("bind of")).collect();
    assert_eq!(lines.len(), 3, "{log}");
    for l in lines {
        assert!(
            l.contains("bind of 72 bytes (1 contexts)")
                && l.ends_with("then 0 more bytes before the client closed"),
            "{l}"
        );
    }

    // The Windows-style bind tells host generations apart: NDR64 on context 1 from the
    // Windows 8+ style host, NDR32 on context 0 from the older style.
    let rpc_windows = write(lab, "rpc-windows.yaml", RPC_WINDOWS);
    let (_, rep) = lab.report(
        c,
        &[
            "--no-builtin",
            "--rules",
            &rpc_windows,
            "--dns",
            "198.18.1.2",
            "--timeout",
            "1s",
            "--host",
            "win8.lab.test",
            "--host",
            "kms.lab.test",
        ],
    );
    let r = rpc(&rep, "win8", "198.18.1.20");
    assert_eq!(r["status"], "pass", "{r}");
    assert_eq!(r["evidence"]["negotiated_syntax"], "NDR64 v1.0");
    assert_eq!(r["evidence"]["context_id"], 1);
    assert_eq!(
        r["evidence"]["context_results"],
        serde_json::json!([
            "context 0 (KMS v1.0): provider_rejection (proposed_transfer_syntaxes_not_supported)",
            "context 1 (KMS v1.0): acceptance (NDR64 v1.0)",
            "context 2 (KMS v1.0): negotiate_ack (bitmask 0x3)"
        ])
    );
    let r = rpc(&rep, "kms", "198.18.1.10");
    assert_eq!(r["evidence"]["negotiated_syntax"], "NDR32 v2.0");
    assert_eq!(r["evidence"]["context_id"], 0);

    // Any: one connecting address is enough; the dropped one is a warning.
    let rules_any = write(lab, "any.yaml", RULES_ANY);
    let (_, rep) = lab.report(
        c,
        &[
            "--no-builtin",
            "--rules",
            &rules_any,
            "--dns",
            "198.18.1.2",
            "--timeout",
            "1s",
            "--host",
            "multi.lab.test",
        ],
    );
    let r = result(&rep, "tcp.port", "multi.lab.test:1688", Some("198.18.1.19"));
    assert_eq!(r["status"], "warn", "{r}");
    assert!(r["message"].as_str().unwrap().contains("1 of 2 addresses"));

    // Closed without a reply, seen by the RPC probe itself (the close responder reads the bind,
    // sends FIN and waits for ours).
    let rpc_only = write(lab, "rpc-only.yaml", RPC_ONLY);
    let (_, rep) = lab.report(
        c,
        &[
            "--no-builtin",
            "--rules",
            &rpc_only,
            "--dns",
            "198.18.1.2",
            "--timeout",
            "1s",
            "--host",
            "close.lab.test",
        ],
    );
    let r = rpc(&rep, "close", "198.18.1.15");
    assert_eq!(r["status"], "fail", "{r}");
    assert_eq!(r["evidence"]["result"], "closed");
    assert_eq!(codes(r), ["0xC004F074", "0x800706BA"]);
    assert!(r["message"]
        .as_str()
        .unwrap()
        .contains("closed the connection without answering the RPC bind"));
}

/// Waits (bounded) until the responder logs hold `min` answered binds; returns the log text.
fn responder_log(lab: &Lab, prefix: &str, min: usize) -> String {
    let started = Instant::now();
    loop {
        let mut text = String::new();
        for e in std::fs::read_dir(&lab.dir).unwrap().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            // "responder-kms-3.log", not "responder-kms-ndr64-5.log".
            let own = name
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()));
            if own {
                text.push_str(&std::fs::read_to_string(e.path()).unwrap_or_default());
            }
        }
        if text.matches("bind of").count() >= min || started.elapsed() > Duration::from_secs(3) {
            return text;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
#[ignore = "needs root: run scripts/test-all.sh (as root), which includes ignored tests"]
fn default_pack_runs_the_rpc_bind_on_every_discovered_host() {
    require_root("default_pack_runs_the_rpc_bind_on_every_discovered_host");
    let t = build();
    let (lab, c) = (&t.lab, t.client.as_str());
    let (code, rep) = lab.report(
        c,
        &[
            "--domain",
            "lab.test",
            "--dns",
            "198.18.1.2",
            "--timeout",
            "1s",
        ],
    );
    assert_eq!(code, 1);
    let r = rpc(&rep, "kms", "198.18.1.10");
    assert_eq!(r["status"], "pass", "{r}");
    let r = rpc(&rep, "kms", "fd00:19::10");
    assert_eq!(r["status"], "pass", "{r}");
    let r = rpc(&rep, "other", "198.18.1.11");
    assert_eq!(r["evidence"]["result"], "rejected");
    assert_eq!(r["title"], "KMS RPC endpoint accepts the bind (read-only)");
    assert_eq!(results(&rep, "kms.rpc-bind").len(), 3);
    assert_eq!(results(&rep, "icmp.echo").len(), 3);
}

/// Runs kms-preflight as nobody (uid/gid 65534, no supplementary groups) in `ns`.
fn as_nobody(lab: &Lab, ns: &str, args: &[&str]) -> serde_json::Value {
    let out = Command::new("ip")
        .args([
            "netns",
            "exec",
            ns,
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
        ])
        .arg(kms_preflight_bin())
        .arg("check")
        .args(args)
        .args(["--format", "json"])
        .env("NO_COLOR", "1")
        .output()
        .expect("setpriv");
    let text = String::from_utf8_lossy(&out.stdout);
    let _ = lab;
    serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
#[ignore = "needs root: run scripts/test-all.sh (as root), which includes ignored tests"]
fn icmp_without_privilege_is_a_skip_and_dgram_works_when_allowed() {
    require_root("icmp_without_privilege_is_a_skip_and_dgram_works_when_allowed");
    let mut lab = Lab::new("i");
    let client = lab.netns("client");
    let server = lab.netns("server");
    lab.veth(&client, &["198.18.2.1/24"], &server, &["198.18.2.2/24"]);
    let rules = write(&lab, "icmp.yaml", ICMP_ONLY);
    // The rules file must be readable by nobody.
    let args = [
        "--no-builtin",
        "--rules",
        rules.as_str(),
        "--host",
        "198.18.2.2",
        "--timeout",
        "1s",
    ];

    // A new namespace has ping_group_range "1 0": no group may open DGRAM ICMP sockets, and
    // nobody has no CAP_NET_RAW → skip, naming both ways to grant it.
    lab::must(
        "ip",
        &[
            "netns",
            "exec",
            &client,
            "sysctl",
            "-w",
            "net.ipv4.ping_group_range=1 0",
        ],
    );
    let rep = as_nobody(&lab, &client, &args);
    let r = result(&rep, "icmp.echo", "198.18.2.2:1688", None);
    assert_eq!(r["status"], "skip", "{r}");
    assert_eq!(r["evidence"]["result"], "no-privilege");
    let msg = r["message"].as_str().unwrap();
    assert!(
        msg.contains("CAP_NET_RAW") && msg.contains("net.ipv4.ping_group_range"),
        "{msg}"
    );
    assert_eq!(rep["summary"]["fail"], 0, "{}", rep["summary"]);

    // ping_group_range covering nogroup (65534): the unprivileged DGRAM socket works.
    lab::must(
        "ip",
        &[
            "netns",
            "exec",
            &client,
            "sysctl",
            "-w",
            "net.ipv4.ping_group_range=65534 65534",
        ],
    );
    let rep = as_nobody(&lab, &client, &args);
    let r = result(&rep, "icmp.echo", "198.18.2.2:1688", None);
    assert_eq!(r["status"], "pass", "{r}");
    assert_eq!(r["evidence"]["socket"], "dgram");
    assert_eq!(r["evidence"]["received"], 2);
}

/// The RPC example of the docs (printed for the docs:
/// `cargo test --test lab_rpc demo_output_for_docs -- --ignored --nocapture`), and the lines
/// that matter in it: one verdict per kind of listener.
#[test]
#[ignore = "checks the docs' example; needs root: run scripts/test-all.sh (as root)"]
fn demo_output_for_docs() {
    require_root("demo_output_for_docs");
    let t = build();
    let (lab, c) = (&t.lab, t.client.as_str());
    let rules = write(lab, "rules.yaml", RULES);
    let mut args: Vec<String> = [
        "check",
        "--no-builtin",
        "--rules",
        &rules,
        "--dns",
        "198.18.1.2",
        "--timeout",
        "1s",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(hosts(&[
        "kms",
        "other",
        "nak",
        "http",
        "silent",
        "close",
        "reset",
        "ipsdrop",
        "ipsreject",
    ]));
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = lab.kms_preflight(c, &argv);
    let table = String::from_utf8_lossy(&out.stdout);
    println!("{table}");
    assert_eq!(
        out.status.code(),
        Some(1),
        "failing checks: exit 1\n{table}"
    );
    // The real KMS host activates; every other listener is told apart.
    assert!(
        table
            .lines()
            .any(|l| l.contains("kms.lab.test:1688") && l.trim_end().ends_with("activates")),
        "{table}"
    );
    for (status, check, host, why) in [
        ("FAIL", "tcp.port", "close.lab.test:1688", "closed"),
        ("FAIL", "tcp.port", "reset.lab.test:1688", "reset"),
        (
            "FAIL",
            "kms.rpc-bind",
            "other.lab.test:1688",
            "DCE/RPC server",
        ),
        ("FAIL", "kms.rpc-bind", "nak.lab.test:1688", "refused the b"),
        (
            "FAIL",
            "kms.rpc-bind",
            "http.lab.test:1688",
            "does not speak DCE/RPC",
        ),
        ("FAIL", "kms.rpc-bind", "ipsreject.lab.test:1688", "reset"),
        (
            "SKIP",
            "kms.rpc-bind",
            "2 hosts (close.lab.test:1688, reset.lab.test:1688)",
            "tcp.port did not pass",
        ),
    ] {
        let row = table_row(&table, status, check, host);
        assert!(row.contains(why), "{row}");
    }
    // The silent listener and the IPS that drops after the handshake look alike: one row.
    let silent = table_row(&table, "FAIL", "kms.rpc-bind", "2 hosts (");
    assert!(
        silent.contains("silent.lab.test:1688") && silent.contains("ipsdrop.lab.test:1688"),
        "{silent}"
    );
    let (code, rep) = lab.report(c, &argv[1..]);
    assert_eq!(code, 1);
    assert_table_summary(&table, &rep);
    let kms = rpc(&rep, "kms", "198.18.1.10");
    let http = rpc(&rep, "http", "198.18.1.13");
    println!("{}", serde_json::to_string_pretty(kms).unwrap());
    println!("{}", serde_json::to_string_pretty(http).unwrap());
    assert_eq!(kms["status"], "pass", "{kms:#}");
    assert_eq!(http["status"], "fail", "{http:#}");
}
