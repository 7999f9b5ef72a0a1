//! `--client-state` as a user runs it, on the samples in testdata/client-state: the first
//! verdict line is about the client's own route (its pinned host), in every encoding; bad
//! input exits 2 naming the file. Loopback only (DNS goes to a closed loopback port); no root.

use std::net::TcpListener;
use std::process::{Command, Output, Stdio};

const T: &str = "testdata/client-state";
/// No DNS server answers there: name lookups fail at once, nothing leaves the machine.
const NO_DNS: &[&str] = &[
    "--dns",
    "127.0.0.1:9",
    "--timeout",
    "300ms",
    "--deadline",
    "10s",
];

fn kp(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kms-preflight"))
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run kms-preflight")
}

fn check(files: &[&str], extra: &[&str]) -> Output {
    let mut args = vec!["check".to_string()];
    for f in files {
        args.push("--client-state".into());
        args.push(format!("{T}/{f}"));
    }
    args.extend(NO_DNS.iter().map(|s| s.to_string()));
    args.extend(extra.iter().map(|s| s.to_string()));
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    kp(&a)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The first line after the header and its blank line: the first verdict line.
fn first_verdict_line(text: &str) -> &str {
    text.lines().nth(2).unwrap_or("")
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

#[test]
fn pinned_sample_first_line_names_its_pinned_host_and_fix_in_every_encoding() {
    for f in [
        "en/slmgr-dlv-pinned-kms-old-crlf.txt",
        "en/slmgr-dlv-pinned-kms-old-lf.txt",
        "ja/slmgr-dlv-pinned-kms-old-cp932.txt",
        "ja/slmgr-dlv-pinned-kms-old-utf16le.txt",
    ] {
        let o = check(&[f], &[]);
        let text = stdout(&o);
        assert_eq!(o.status.code(), Some(1), "{f}: {text}{}", stderr(&o));
        let first = first_verdict_line(&text);
        assert!(
            first.starts_with("Windows(R), Enterprise edition: pinned to kms-old.corp.example:1688 (slmgr /skms) → ")
                && first.contains("→ it logs 0xC004F074")
                && first.ends_with("DNS discovery is bypassed"),
            "{f}: {text}"
        );
        let fix = text.lines().nth(3).unwrap_or("");
        assert!(
            fix.contains("slmgr /ckms")
                && fix.contains("slmgr /skms")
                && fix.contains("slmgr /ato"),
            "{f}: {text}"
        );
        // The pinned host is the only host audited: no discovery ran.
        assert!(text.contains("domains: (none)"), "{f}: {text}");
        assert!(!text.contains("srv.present"), "{f}: {text}");
    }
}

#[test]
fn pinned_to_a_refusing_loopback_port_says_refused_and_the_json_has_the_client() {
    // A port that refuses: bound then closed.
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let sample = std::fs::read_to_string(format!(
        "{}/{T}/en/slmgr-dlv-pinned-kms-old-lf.txt",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let pinned = sample.replace("kms-old.corp.example:1688", &format!("127.0.0.1:{port}"));
    assert_ne!(pinned, sample);
    let dir = std::env::temp_dir().join(format!("kp-client-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("dlv.txt");
    std::fs::write(&file, pinned).unwrap();
    let path = file.to_str().unwrap();
    let o = kp(&["check", "--client-state", path, "--timeout", "500ms"]);
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{text}{}", stderr(&o));
    let first = first_verdict_line(&text);
    assert!(
        first.contains(&format!("pinned to 127.0.0.1:{port}"))
            && first.contains("refused")
            && first.contains("0xC004F074"),
        "{text}"
    );
    let o = kp(&[
        "check",
        "--client-state",
        path,
        "--timeout",
        "500ms",
        "--format",
        "json",
    ]);
    let v = json(&o);
    let c = &v["client_state"][0];
    assert_eq!(c["input"], path);
    assert_eq!(c["client"]["products"][0]["pinned"]["port"], port);
    let p = &c["products"][0];
    assert_eq!(p["route"], "pinned");
    assert_eq!(p["via"], format!("127.0.0.1:{port}"));
    assert_eq!(p["answer"], "fails");
    assert_eq!(p["code"], "0xC004F074");
    assert_eq!(p["line"]["message_id"], "client-product-pinned");
    assert!(p["fix"]["text"].as_str().unwrap().contains("slmgr /ckms"));
    // The committed schema describes it.
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!(
            "{}/schema/report.v1.schema.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn stdin_and_a_truncated_sample_list_what_is_missing() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kms-preflight"))
        .args(["check", "--client-state", "-"])
        .args(NO_DNS)
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let bytes = std::fs::read(format!(
        "{}/{T}/en/slmgr-dlv-truncated.txt",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(&bytes).unwrap();
    let o = child.wait_with_output().unwrap();
    let text = stdout(&o);
    assert_ne!(o.status.code(), Some(2), "{text}{}", stderr(&o));
    assert!(
        text.contains("stdin is partial: not found:") && text.contains("host_caching"),
        "{text}"
    );
}

#[test]
fn office_override_names_ospp_fix_and_grace_end() {
    let o = check(&["en/ospp-dstatus-override-kms-old.txt"], &[]);
    let text = stdout(&o);
    let first = first_verdict_line(&text);
    assert!(
        first.starts_with("Office 21, Office21ProPlus2021VL_KMS_Client_AE edition: pinned to kms-old.corp.example:1688 (registry override, ospp.vbs /sethst)"),
        "{text}"
    );
    assert!(text.contains("the grace period ends about 20"), "{text}");
    assert!(
        text.contains("cscript ospp.vbs /remhst")
            && text.contains("/sethst:<kms-host> /setprt:1688"),
        "{text}"
    );
    assert!(
        text.contains("its last code 0xC004F074 matches what this audit sees"),
        "{text}"
    );
}

#[test]
fn mak_product_is_not_a_kms_client() {
    let o = check(&["en/slmgr-dlv-mak-0xC004C020.txt"], &[]);
    let text = stdout(&o);
    assert!(
        first_verdict_line(&text).contains(
            "channel MAK, not a KMS client; the KMS checks don't apply to it (its notification reason 0xC004C020: see kms-preflight explain 0xC004C020)"
        ),
        "{text}"
    );
}

#[test]
fn cloned_machines_sharing_a_cmid_fail_with_0xc004f038_but_one_machine_twice_does_not() {
    let clones = [
        "en/slmgr-dlv-clone-a.txt",
        "en/slmgr-dlv-clone-b.txt",
        "en/slmgr-dlv-clone-c.txt",
    ];
    let o = check(&clones, &["--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    let r = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "client.cmid-unique")
        .expect("a CMID result");
    assert_eq!(r["status"], "fail");
    assert_eq!(r["error_codes"][0], "0xC004F038");
    assert_eq!(r["message_id"], "client-cmid-shared");
    let rem = r["remediation"].as_str().unwrap();
    assert!(
        rem.contains("sysprep.exe /generalize") && rem.contains("learn.microsoft.com"),
        "{rem}"
    );
    let o = check(&[clones[0], clones[0]], &["--format", "json"]);
    let v = json(&o);
    assert!(
        !v["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == "client.cmid-unique"),
        "{v}"
    );
}

#[test]
fn unrecognized_binary_and_huge_inputs_exit_2_naming_the_file() {
    let dir = std::env::temp_dir().join(format!("kp-client-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = dir.join("notes.txt");
    std::fs::write(&text, "hello, this is a meeting note\r\nnothing else\r\n").unwrap();
    let bin = dir.join("image.bin");
    std::fs::write(&bin, [0x7fu8, b'E', b'L', b'F', 0, 0, 1, 2, 3, 0, 0, 0]).unwrap();
    let huge = dir.join("huge.txt");
    std::fs::write(&huge, "a".repeat(5 * 1024 * 1024)).unwrap();
    for (f, want) in [
        (&text, "first line: \"hello, this is a meeting note\""),
        (&bin, "binary data"),
        (&huge, "MiB limit"),
    ] {
        let p = f.to_str().unwrap();
        let o = kp(&["check", "--client-state", p]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{p}: {err}");
        assert!(err.contains(p) && err.contains(want), "{p}: {err}");
        assert!(stdout(&o).is_empty(), "{p}: nothing probed");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn diagnose_without_code_uses_the_clients_last_code() {
    let o = kp(&[
        "diagnose",
        "--client-state",
        &format!("{T}/en/slmgr-dli-notification-0xC004F074.txt"),
        "--dns",
        "127.0.0.1:9",
        "--timeout",
        "300ms",
        "--deadline",
        "10s",
    ]);
    let text = stdout(&o);
    assert!(
        text.contains("Diagnosis of 0xC004F074"),
        "{text}{}",
        stderr(&o)
    );
}

#[test]
fn plain_host_is_a_pinned_client_and_does_no_discovery() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let o = kp(&[
        "check",
        "--host",
        &format!("127.0.0.1:{port}"),
        "--timeout",
        "300ms",
        "--format",
        "json",
    ]);
    let v = json(&o);
    assert_eq!(v["domains"], serde_json::json!([]), "{v}");
    assert!(
        !v["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == "srv.present"),
        "{v}"
    );
}

/// The general verdict's "clients find KMS through" line, in `text`.
fn find_through_line(text: &str) -> &str {
    text.lines()
        .find(|l| {
            l.trim_start().starts_with("clients find KMS through")
                || l.trim_start()
                    .starts_with("クライアントが KMS ホストを見つける方法")
        })
        .unwrap_or("")
}

#[test]
fn every_product_pinned_says_the_client_state_pins_the_hosts_not_the_command_line() {
    let f = "en/slmgr-dlv-pinned-kms-old-lf.txt";
    let o = check(&[f], &["--format", "table"]);
    let text = stdout(&o);
    let line = find_through_line(&text);
    assert!(
        line.contains("hosts pinned by the client state (slmgr /skms"),
        "{text}"
    );
    assert!(!text.contains("given on the command line"), "{text}");
    let o = check(&[f], &["--lang", "ja"]);
    let text = stdout(&o);
    let line = find_through_line(&text);
    assert!(
        line.contains("クライアントの状態で固定されたホスト"),
        "{text}"
    );
    assert!(!text.contains("コマンド ラインで指定したホスト"), "{text}");
    // The JSON names the phrase by id.
    let v = json(&check(&[f], &["--format", "json"]));
    assert_eq!(
        v["verdict"]["clients"][0]["discovery_id"], "verdict-discovery-pinned",
        "{}",
        v["verdict"]
    );
    // A host the command line adds is the command line's: the old wording stays.
    let o = check(&[f], &["--host", "127.0.0.1:9"]);
    let text = stdout(&o);
    assert!(
        find_through_line(&text).contains("hosts given on the command line"),
        "{text}"
    );
}
