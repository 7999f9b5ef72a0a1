//! Activation-probe lab: the opt-in `kms.activation` check against the project's
//! lab-responder playing KMS hosts (its own activation answering, configured per address):
//! every verdict (pass, count below N, product not covered, host-side time rejection with the
//! clock cross-reference, another HRESULT, emulator signs), the stable CMID across runs, and
//! zero activation requests without `--activation-probe` — counted at the responder.

mod lab;

use std::path::{Path, PathBuf};

use lab::{codes, require_root, results, Lab};
use serde_json::Value;

const ZONE: &str = "$TTL 300
@            SOA ns.lab.test. admin.lab.test. 1 3600 600 86400 60
@            NS  ns
ns           A    198.18.2.2
_vlmcs._tcp  SRV 0 100 1688 kms
_vlmcs._tcp  SRV 10 0 1688 low
_vlmcs._tcp  SRV 20 0 1688 nooffice
_vlmcs._tcp  SRV 30 0 1688 emu
kms          A    198.18.2.10
low          A    198.18.2.11
nooffice     A    198.18.2.12
skew         A    198.18.2.13
notact       A    198.18.2.14
emu          A    198.18.2.15
track        A    198.18.2.16
";

const WIN10: &str = "58e2134f-8e11-4d17-9cb2-91069c151148";
/// A CMID given on the command line: not a first contact, so no "2·N on first contact" sign.
const CMID: &str = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";

struct Topo {
    lab: Lab,
    client: String,
    /// Each responder's requests file, by host name.
    requests: Vec<(&'static str, PathBuf)>,
}

impl Topo {
    /// Activation requests the responder of `host` received (one line each).
    fn requests(&self, host: &str) -> Vec<String> {
        let p = &self.requests.iter().find(|(h, _)| *h == host).unwrap().1;
        std::fs::read_to_string(p)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    fn total_requests(&self) -> usize {
        self.requests
            .iter()
            .map(|(h, _)| self.requests(h).len())
            .sum()
    }
}

fn build() -> Topo {
    let mut lab = Lab::new("a");
    let client = lab.netns("client");
    let server = lab.netns("server");
    let (_, sif) = lab.veth(&client, &["198.18.2.1/24"], &server, &["198.18.2.2/24"]);
    for i in 10..=16 {
        lab.addr(&server, &sif, &format!("198.18.2.{i}/24"));
    }
    lab.bind(&server, "198.18.2.2", &[("lab.test", ZONE)]);
    let hosts: [(&str, &str, Vec<&str>); 7] = [
        ("kms", "198.18.2.10", vec!["--count", "40"]),
        ("low", "198.18.2.11", vec!["--count", "3"]),
        (
            "nooffice",
            "198.18.2.12",
            vec!["--count", "40", "--covers", WIN10],
        ),
        // The host's clock is 5 h ahead: its time check refuses, and its NTP says so too.
        ("skew", "198.18.2.13", vec!["--clock-offset", "18000"]),
        ("notact", "198.18.2.14", vec!["--hresult", "0xC004F041"]),
        // vlmcsd's default HwId, and a Windows 8.1 build behind a Windows 10+ platform id.
        (
            "emu",
            "198.18.2.15",
            vec![
                "--hwid",
                "3A1C049600B60076",
                "--build",
                "9600",
                "--lcid",
                "1041",
            ],
        ),
        ("track", "198.18.2.16", vec!["--count", "track"]),
    ];
    let mut requests = Vec::new();
    for (name, addr, extra) in hosts {
        let file = lab.dir.join(format!("requests-{name}.txt"));
        let file_s = file.to_string_lossy().into_owned();
        let listen = format!("{addr}:1688");
        let mut args = extra.clone();
        args.extend_from_slice(&["--requests-file", &file_s]);
        lab.responder_args(&server, "kms", &[&listen], &args);
        requests.push((name, file));
    }
    lab.chrony(&server, &["198.18.2.13"], "+5h");
    Topo {
        lab,
        client,
        requests,
    }
}

/// `--host NAME.lab.test` for each name.
fn hosts(names: &[&str]) -> Vec<String> {
    names
        .iter()
        .flat_map(|n| ["--host".to_string(), format!("{n}.lab.test")])
        .collect()
}

fn run(t: &Topo, args: &[String], env: &[(&str, &str)]) -> (i32, Value) {
    let mut full: Vec<&str> = vec!["--dns", "198.18.2.2", "--timeout", "1s"];
    full.extend(args.iter().map(String::as_str));
    t.lab.report_env(&t.client, &full, env)
}

/// The kms.activation result for `host` and `product`.
fn activation<'a>(rep: &'a Value, host: &str, product: &str) -> &'a Value {
    let target = format!("{host}.lab.test:1688");
    let found: Vec<&Value> = results(rep, "kms.activation")
        .into_iter()
        .filter(|r| r["target"] == target.as_str() && r["evidence"]["product"] == product)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one kms.activation result for {host} {product}: {}",
        serde_json::to_string_pretty(&rep["results"]).unwrap()
    );
    found[0]
}

fn msg(r: &Value) -> &str {
    r["message"].as_str().unwrap()
}

const W: &str = "windows-10-enterprise";
const O: &str = "office-ltsc-2021-proplus";

#[test]
#[ignore = "needs root: run scripts/test-all.sh (as root), which includes ignored tests"]
fn every_activation_verdict_from_a_lab_kms_host() {
    require_root("every_activation_verdict_from_a_lab_kms_host");
    let t = build();
    let state = t.lab.dir.join("state");
    let state_s = state.to_string_lossy().into_owned();
    let mut args: Vec<String> = ["--activation-probe", "--cmid", CMID]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.extend(hosts(&["kms", "low", "nooffice", "skew", "notact", "emu"]));
    let (code, rep) = run(&t, &args, &[("STATE_DIRECTORY", &state_s)]);
    assert_eq!(code, 1, "failures present");
    // --cmid: the state directory is not even created.
    assert!(!state.exists());

    // pass: the decoded facts in one line, and "no emulator sign seen" (never "genuine").
    for product in [W, O] {
        let r = activation(&rep, "kms", product);
        assert_eq!(r["status"], "pass", "{r}");
        let e = &r["evidence"];
        assert_eq!(e["protocol"], "6.0");
        assert_eq!(e["cmid"], CMID);
        assert_eq!(e["cmid_origin"], "--cmid");
        assert_eq!(e["host_build"], 17763);
        assert_eq!(e["lcid"], 1033);
        assert_eq!(e["language"], "en-US");
        assert_eq!(e["activation_interval_min"], 120);
        assert_eq!(e["renewal_interval_min"], 10080);
        assert_eq!(e["emulator_signs"], serde_json::json!([]));
        assert!(e["hwid"].as_str().unwrap().len() == 16, "{e}");
        assert!(e["workstation"].as_str().is_some_and(|w| !w.is_empty()));
        assert!(msg(r).contains("no emulator sign seen"), "{r}");
        assert!(!msg(r).to_lowercase().contains("genuine"), "{r}");
        assert!(codes(r).is_empty());
    }
    let r = activation(&rep, "kms", W);
    assert_eq!(r["evidence"]["current_count"], 40);
    assert_eq!(r["evidence"]["threshold"], 25);
    assert_eq!(r["evidence"]["host_key"], "Windows Server 2019 (CSVLK)");
    assert_eq!(r["evidence"]["epid_activation_date"], "2018-11-01");
    assert!(r["evidence"]["os"]
        .as_str()
        .unwrap()
        .contains("Windows Server 2019"));
    assert!(msg(r).contains("count 40, threshold 25"), "{r}");
    let r = activation(&rep, "kms", O);
    // A genuine host caps the count at 2·N of the request.
    assert_eq!(r["evidence"]["current_count"], 10);
    assert_eq!(r["evidence"]["threshold"], 5);
    assert_eq!(r["evidence"]["host_key"], "Office LTSC 2021 (CSVLK)");

    // count below N: 0xC004F038 and how many more clients.
    let r = activation(&rep, "low", W);
    assert_eq!(r["status"], "fail", "{r}");
    assert_eq!(codes(r), ["0xC004F038"]);
    assert_eq!(r["evidence"]["clients_needed"], 22);
    assert!(msg(r).contains("22 more client(s) needed"), "{r}");
    let r = activation(&rep, "low", O);
    assert_eq!(codes(r), ["0xC004F038"]);
    assert_eq!(r["evidence"]["clients_needed"], 2);

    // product not covered: 0xC004F042, naming the host key needed (and the installed one).
    assert_eq!(activation(&rep, "nooffice", W)["status"], "pass");
    let r = activation(&rep, "nooffice", O);
    assert_eq!(r["status"], "fail", "{r}");
    assert_eq!(codes(r), ["0xC004F042"]);
    assert_eq!(
        r["evidence"]["host_key_needed"][0],
        "Office LTSC 2021 (CSVLK)"
    );
    assert!(
        msg(r).contains("needs host key Office LTSC 2021 (CSVLK)")
            && msg(r).contains("names Windows Server 2019 (CSVLK)"),
        "{r}"
    );

    // host-side time rejection: 0xC004F06C, cross-referenced with clock.kms-host.
    for product in [W, O] {
        let r = activation(&rep, "skew", product);
        assert_eq!(r["status"], "fail", "{r}");
        assert_eq!(codes(r), ["0xC004F06C"]);
        assert!(msg(r).contains("more than 4 hours"), "{r}");
        assert!(
            msg(r).contains("clock.kms-host from here says: fail"),
            "{r}"
        );
        let off = r["evidence"]["clock_offset_ms"].as_f64().unwrap();
        assert!((off - 18_000_000.0).abs() < 60_000.0, "{off}");
    }

    // another HRESULT: the code and its explain text from the catalog.
    let r = activation(&rep, "notact", W);
    assert_eq!(r["status"], "fail");
    assert_eq!(codes(r), ["0xC004F041"]);
    assert!(msg(r).contains("The KMS host is not activated"), "{r}");
    assert!(
        r["remediation"].as_str().unwrap().contains("slmgr /ato"),
        "{r}"
    );

    // emulator signs: warn, each sign listed.
    let r = activation(&rep, "emu", W);
    assert_eq!(r["status"], "warn", "{r}");
    let signs: Vec<&str> = r["evidence"]["emulator_signs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(
        signs
            .iter()
            .any(|s| s.contains("HwId 3A1C049600B60076 is vlmcsd's default")),
        "{signs:?}"
    );
    assert!(
        signs
            .iter()
            .any(|s| s.contains("platform 03612 does not match build 9600")),
        "{signs:?}"
    );
    assert_eq!(r["evidence"]["language"], "ja-JP");
    assert!(msg(r).contains("emulator signs:"), "{r}");

    // diagnose 0xC004F038 with the probe against a host whose count is sufficient: not
    // reproduced, and the host's own answer is what rules the count out.
    let out = t.lab.kms_preflight(
        &t.client,
        &[
            "diagnose",
            "0xC004F038",
            "--activation-probe",
            "--cmid",
            CMID,
            "--product",
            W,
            "--dns",
            "198.18.2.2",
            "--host",
            "kms.lab.test",
            "--format",
            "json",
        ],
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &v["diagnosis"];
    assert_eq!(d["verdict"], "not-reproduced", "{d}");
    assert!(
        d["summary"]
            .as_str()
            .unwrap()
            .contains("the KMS host itself would activate (kms.lab.test:1688 windows-10-enterprise: count 40 of 25)"),
        "{d}"
    );
    assert_eq!(t.requests("kms").len(), 3);

    // One request per product and host, all with the given CMID and this machine's name.
    for host in ["kms", "low", "nooffice", "skew", "notact", "emu"] {
        let lines = t.requests(host);
        assert_eq!(
            lines.len(),
            if host == "kms" { 3 } else { 2 },
            "{host}: {lines:?}"
        );
        assert!(lines.iter().all(|l| l.starts_with(CMID)), "{lines:?}");
    }
}

#[test]
#[ignore = "needs root: run scripts/test-all.sh (as root), which includes ignored tests"]
fn no_activation_request_without_the_flag() {
    require_root("no_activation_request_without_the_flag");
    let t = build();
    let all = ["kms", "low", "nooffice", "skew", "notact", "emu", "track"];
    // The default pack against every host, and discovery through the SRV record.
    let mut args = vec!["--domain".to_string(), "lab.test".to_string()];
    args.extend(hosts(&all));
    let (_, rep) = run(&t, &args, &[]);
    assert!(results(&rep, "kms.activation").is_empty());
    assert!(!results(&rep, "kms.rpc-bind").is_empty());
    // A user rule file naming the kind does not send anything either: it skips.
    let rules = t.lab.dir.join("user.yaml");
    std::fs::write(
        &rules,
        "version: 1\nchecks:\n  - id: my.activation\n    kind: kms-activation\n",
    )
    .unwrap();
    let mut args = vec!["--rules".to_string(), rules.to_string_lossy().into_owned()];
    args.extend(hosts(&["kms"]));
    let (_, rep) = run(&t, &args, &[]);
    let r = &results(&rep, "my.activation")[0];
    assert_eq!(r["status"], "skip", "{r}");
    assert!(msg(r).contains("opt-in (--activation-probe)"), "{r}");
    // diagnose without the flag says the probe is opt-in and sends nothing.
    let out = t.lab.kms_preflight(
        &t.client,
        &[
            "diagnose",
            "0xC004F038",
            "--dns",
            "198.18.2.2",
            "--host",
            "low.lab.test",
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("not enabled (opt-in; those causes were NOT checked): kms.activation (--activation-probe)"),
        "{text}"
    );
    assert_eq!(t.total_requests(), 0, "activation requests were sent");
}

#[test]
#[ignore = "needs root: run scripts/test-all.sh (as root), which includes ignored tests"]
fn the_cmid_is_stable_across_runs_and_counted_once() {
    require_root("the_cmid_is_stable_across_runs_and_counted_once");
    let t = build();
    let state = t.lab.dir.join("state").join("sub");
    let state_s = state.to_string_lossy().into_owned();
    let env = [("STATE_DIRECTORY", state_s.as_str())];
    let mut args: Vec<String> = vec![
        "--activation-probe".into(),
        "--product".into(),
        "windows-11-enterprise".into(),
    ];
    args.extend(hosts(&["track"]));
    let (_, first) = run(&t, &args, &env);
    let r1 = activation(&first, "track", "windows-11-enterprise");
    let cmid = r1["evidence"]["cmid"].as_str().unwrap().to_string();
    let file: &Path = &state.join("cmid");
    assert_eq!(std::fs::read_to_string(file).unwrap(), format!("{cmid}\n"));
    assert!(
        r1["evidence"]["cmid_origin"]
            .as_str()
            .unwrap()
            .contains("created by this run"),
        "{r1}"
    );
    // The host has seen one client: this machine.
    assert_eq!(r1["evidence"]["current_count"], 1);
    assert_eq!(codes(r1), ["0xC004F038"]);
    assert_eq!(r1["evidence"]["clients_needed"], 24);

    let (_, second) = run(&t, &args, &env);
    let r2 = activation(&second, "track", "windows-11-enterprise");
    assert_eq!(r2["evidence"]["cmid"], cmid.as_str());
    assert!(!r2["evidence"]["cmid_origin"]
        .as_str()
        .unwrap()
        .contains("created"));
    // Still one client: the second probe reused the CMID.
    assert_eq!(r2["evidence"]["current_count"], 1);
    let lines = t.requests("track");
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines.iter().all(|l| l.starts_with(&cmid)), "{lines:?}");

    // diagnose 0xC004F038 with the probe decides it: the count is below the threshold.
    let out = t.lab.kms_preflight_env(
        &t.client,
        &[
            "diagnose",
            "0xC004F038",
            "--activation-probe",
            "--dns",
            "198.18.2.2",
            "--host",
            "track.lab.test",
            "--format",
            "json",
        ],
        &env,
    );
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    assert_eq!(v["diagnosis"]["verdict"], "explained", "{}", v["diagnosis"]);
    assert!(v["diagnosis"]["explaining"][0]
        .as_str()
        .unwrap()
        .contains("more client(s) needed"));
    // The same CMID, so still counted once.
    let lines = t.requests("track");
    assert!(lines.iter().all(|l| l.starts_with(&cmid)), "{lines:?}");

    // An unusable state directory is a clear usage error, and nothing is sent.
    let before = t.total_requests();
    let out = t.lab.kms_preflight_env(
        &t.client,
        &[
            "check",
            "--activation-probe",
            "--dns",
            "198.18.2.2",
            "--host",
            "track.lab.test",
        ],
        &[("STATE_DIRECTORY", "/proc/kms-preflight-nowhere")],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot create the state directory /proc/kms-preflight-nowhere")
            && err.contains("--cmid UUID"),
        "{err}"
    );
    assert_eq!(t.total_requests(), before);
}

/// The example of docs/activation.md: `check --domain lab.test --activation-probe` (the hosts published in
/// the lab's SRV records) as a table; the resolver configuration of the client namespace points
/// at the lab's DNS server. Run with `-- --ignored --nocapture demo`.
#[test]
#[ignore = "needs root: run scripts/test-all.sh (as root), which includes ignored tests"]
fn demo_output_for_readme() {
    require_root("demo_output_for_readme");
    let t = build();
    let state = t.lab.dir.join("state");
    let state_s = state.to_string_lossy().into_owned();
    let out = t.lab.kms_preflight_env(
        &t.client,
        &[
            "check",
            "--domain",
            "lab.test",
            "--dns",
            "198.18.2.2",
            "--activation-probe",
            "--timeout",
            "1s",
            "--verbose",
        ],
        &[("STATE_DIRECTORY", &state_s)],
    );
    println!("{}", String::from_utf8_lossy(&out.stdout));
    println!("exit code: {:?}", out.status.code());
    // Every published host was probed for both default products: one listed result each.
    let text = String::from_utf8_lossy(&out.stdout);
    let probes = text
        .lines()
        .filter(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            w.len() > 1
                && ["PASS", "WARN", "FAIL", "SKIP", "ERROR"].contains(&w[0])
                && w[1] == "kms.activation"
        })
        .count();
    assert_eq!(probes, 8, "{text}");
}
