//! Traffic-plan lab: `check --plan` against what a real run sends. A branch office with BIND,
//! a KMS responder and chronyd; the client namespace counts every IPv4 packet it sends with
//! nftables (a dynamic set keyed by source . destination . protocol . port, and ICMP echo
//! requests by source . destination), plus a catch-all counter for anything else. The test
//! then asserts both ways: every flow the run sent is in the plan, and every flow the plan
//! promises unconditionally was sent.
//!
//! | name             | address     | what                                  |
//! |------------------|-------------|---------------------------------------|
//! | ns.plan.test     | 198.18.0.2  | BIND, the client's only DNS server    |
//! | kms1.plan.test   | 198.18.0.10 | KMS responder, chronyd                |
//! | kms2.plan.test   | 198.18.0.11 | nothing listens (refused)             |

mod lab;

use std::collections::BTreeSet;

use lab::{require_root, Lab};
use serde_json::Value;

const ZONE: &str = "$TTL 300
@            SOA ns.plan.test. admin.plan.test. 1 3600 600 86400 60
@            NS  ns
ns           A   198.18.0.2
_vlmcs._tcp  SRV 0 0 1688 kms1
_vlmcs._tcp  SRV 10 0 1688 kms2
kms1         A   198.18.0.10
kms2         A   198.18.0.11
";

const KMS: [&str; 2] = ["198.18.0.10", "198.18.0.11"];

/// Counts the client's outgoing IPv4 traffic, loopback left out.
const COUNT: &str = "table ip plan {
  set flows {
    type ipv4_addr . ipv4_addr . inet_proto . inet_service
    flags dynamic
  }
  set echoes {
    type ipv4_addr . ipv4_addr
    flags dynamic
  }
  counter other { }
  chain out {
    type filter hook output priority 0; policy accept;
    oifname \"lo\" accept
    meta l4proto { tcp, udp } add @flows { ip saddr . ip daddr . meta l4proto . th dport } accept
    icmp type echo-request add @echoes { ip saddr . ip daddr } accept
    counter name other
  }
}
";

/// One observed or planned flow: source address, destination, protocol, port (0 for ICMP).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Flow {
    source: String,
    destination: String,
    proto: String,
    port: u16,
}

fn nft_json(ns: &str, what: &[&str]) -> Value {
    let mut args = vec!["netns", "exec", ns, "nft", "-j", "list"];
    args.extend_from_slice(what);
    let out = lab::must("ip", &args);
    serde_json::from_slice(&out.stdout).expect("nft -j prints JSON")
}

/// The elements of a dynamic set, each a list of its concatenated values as strings.
fn set_elements(ns: &str, set: &str) -> Vec<Vec<String>> {
    let v = nft_json(ns, &["set", "ip", "plan", set]);
    let mut out = Vec::new();
    for item in v["nftables"].as_array().into_iter().flatten() {
        for e in item["set"]["elem"].as_array().into_iter().flatten() {
            // Either {"concat": [...]} or {"elem": {"val": {"concat": [...]}}}.
            let concat = e["concat"]
                .as_array()
                .or_else(|| e["elem"]["val"]["concat"].as_array());
            if let Some(c) = concat {
                out.push(
                    c.iter()
                        .map(|x| match x {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .collect(),
                );
            }
        }
    }
    out
}

fn observed(ns: &str) -> (BTreeSet<Flow>, u64) {
    let mut flows = BTreeSet::new();
    for e in set_elements(ns, "flows") {
        assert_eq!(e.len(), 4, "flow element {e:?}");
        flows.insert(Flow {
            source: e[0].clone(),
            destination: e[1].clone(),
            proto: e[2].clone(),
            port: e[3].parse().expect("port number"),
        });
    }
    for e in set_elements(ns, "echoes") {
        assert_eq!(e.len(), 2, "echo element {e:?}");
        flows.insert(Flow {
            source: e[0].clone(),
            destination: e[1].clone(),
            proto: "icmp".into(),
            port: 0,
        });
    }
    let c = nft_json(ns, &["counter", "ip", "plan", "other"]);
    let other = c["nftables"]
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|i| i["counter"]["packets"].as_u64())
        .expect("the catch-all counter");
    (flows, other)
}

/// The addresses a planned destination stands for in this lab, or None for "any" (a row
/// about an address the plan names itself).
fn addresses(destination: &Value) -> Vec<String> {
    match destination["type"].as_str() {
        Some("address") => vec![destination["address"].as_str().unwrap().to_string()],
        Some("kms-hosts") => KMS.iter().map(|s| s.to_string()).collect(),
        Some("host") => match destination["name"].as_str() {
            Some("kms1.plan.test") => vec![KMS[0].into()],
            Some("kms2.plan.test") => vec![KMS[1].into()],
            other => panic!("a host this lab does not have: {other:?}"),
        },
        other => panic!("destination type {other:?}"),
    }
}

/// Does planned probe `p` cover observed flow `f`?
fn covers(p: &Value, f: &Flow, source: &str) -> bool {
    let proto_ok = p["transport"].as_str() == Some(f.proto.as_str());
    let source_ok = p["source"].as_str().is_none_or(|s| s == source) && f.source == source;
    let dest_ok = addresses(&p["destination"]).contains(&f.destination);
    let port_ok = match (&p["port"], f.proto.as_str()) {
        (_, "icmp") => true,
        (Value::Null, _) => p["port_from_srv"].as_bool() == Some(true),
        (n, _) => n.as_u64() == Some(u64::from(f.port)),
    };
    proto_ok && source_ok && dest_ok && port_ok
}

#[test]
#[ignore = "needs root: run scripts/test-all.sh (as root), which includes ignored tests"]
fn the_plan_lists_every_packet_a_real_run_sends_and_nothing_more() {
    require_root("the_plan_lists_every_packet_a_real_run_sends_and_nothing_more");
    let mut lab = Lab::new("pl");
    let client = lab.netns("client");
    let server = lab.netns("server");
    let (_, srv_if) = lab.veth(&client, &["198.18.0.1/24"], &server, &["198.18.0.2/24"]);
    for a in ["198.18.0.10/24", "198.18.0.11/24"] {
        lab.addr(&server, &srv_if, a);
    }
    lab.chrony(&server, &["198.18.0.10"], "+0");
    lab.responder(&server, "kms", &["198.18.0.10:1688"]);
    lab.bind(&server, "198.18.0.2", &[("plan.test", ZONE)]);
    lab.resolv_conf(&client, "nameserver 198.18.0.2\nsearch plan.test\n");
    lab.nft(&client, COUNT);

    // Every option that adds probes: a source, a named host, a reference clock by name.
    let args = [
        "--domain",
        "plan.test",
        "--source",
        "198.18.0.1",
        "--host",
        "kms1.plan.test",
        "--ntp",
        "kms1.plan.test",
        "--timeout",
        "1s",
    ];
    let mut plan_args = vec!["check", "--plan", "--format", "json"];
    plan_args.extend_from_slice(&args);
    let out = lab.kms_preflight(&client, &plan_args);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let plan: Value = serde_json::from_slice(&out.stdout).expect("plan JSON");
    let probes = plan["probes"].as_array().expect("probes").clone();
    assert!(probes.len() > 10, "{plan:#}");

    // --plan sends nothing at all.
    let (before, other) = observed(&client);
    assert!(before.is_empty(), "--plan sent {before:?}");
    assert_eq!(other, 0);

    let (_, report) = lab.report(&client, &args);
    assert!(report["results"].as_array().is_some_and(|r| r.len() > 10));
    let (sent, other) = observed(&client);
    println!("sent: {sent:#?}");
    assert_eq!(other, 0, "packets that are neither TCP, UDP nor ICMP echo");

    // 1. Everything sent is in the plan.
    let source = "198.18.0.1";
    let unplanned: Vec<&Flow> = sent
        .iter()
        .filter(|f| !probes.iter().any(|p| covers(p, f, source)))
        .collect();
    assert!(
        unplanned.is_empty(),
        "sent but not in the plan: {unplanned:#?}\nplan: {plan:#}"
    );

    // 2. Everything the plan promises without a condition was sent (to one of the addresses
    //    it stands for; the refused host's later probes depend on the earlier ones).
    let mut promised_not_sent = Vec::new();
    for p in &probes {
        if !p["only_when"].is_null() {
            continue;
        }
        if !sent.iter().any(|f| covers(p, f, source)) {
            promised_not_sent.push(p.clone());
        }
    }
    assert!(
        promised_not_sent.is_empty(),
        "in the plan but never sent: {promised_not_sent:#?}"
    );

    // The probes an IDS would flag are in it, by name.
    let has = |proto: &str, port: u64| {
        probes
            .iter()
            .any(|p| p["transport"] == proto && p["port"].as_u64() == Some(port))
    };
    assert!(has("tcp", 445) && has("tcp", 1) && has("tcp", 80) && has("udp", 123));
    assert!(probes.iter().any(|p| p["transport"] == "icmp"));

    // --skip takes the probe out of the plan and of the run's traffic alike.
    let mut skip = vec![
        "check",
        "--plan",
        "--format",
        "json",
        "--skip",
        "intercept.tcp",
    ];
    skip.extend_from_slice(&args);
    let out = lab.kms_preflight(&client, &skip);
    let without: Value = serde_json::from_slice(&out.stdout).expect("plan JSON");
    assert!(
        !without["probes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["port"].as_u64() == Some(1)),
        "{without:#}"
    );
    for set in ["flows", "echoes"] {
        lab::must(
            "ip",
            &[
                "netns", "exec", &client, "nft", "flush", "set", "ip", "plan", set,
            ],
        );
    }
    let mut skipped = vec!["--skip", "intercept.tcp"];
    skipped.extend_from_slice(&args);
    let (_, report) = lab.report(&client, &skipped);
    assert!(report["results"]
        .as_array()
        .is_some_and(|r| r.iter().all(|r| r["id"] != "intercept.tcp")));
    let (sent, _) = observed(&client);
    assert!(
        sent.iter().any(|f| f.port == 1688) && !sent.iter().any(|f| f.port == 1),
        "with --skip intercept.tcp: {sent:#?}"
    );
}
