//! Test lab: network namespaces joined by veth pairs, real servers (BIND, listeners, …)
//! started inside them, nftables rules, and everything torn down on drop — also when a test
//! fails. Names are unique per process and lab so suites can run in parallel.
//!
//! Traffic stays inside the namespaces a lab creates: the client under test runs in one of
//! them (`ip netns exec`), and the namespaces have no route to anything else.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Lab tests are `#[ignore]`d with the reason, so a plain `cargo test` shows them as ignored,
/// never as passed; `scripts/test-all.sh` (root) runs them with `--include-ignored`. Asked to
/// run without root, a lab test fails loudly here instead of passing without testing anything:
/// this returns only when the process is root.
pub fn require_root(test: &str) {
    if unsafe_geteuid() == 0 {
        return;
    }
    panic!(
        "{test}: needs root (network namespaces, nftables): run it as root, e.g. \
         `sudo scripts/test-all.sh`, or `cargo test --test {} -- --include-ignored {test}` as root",
        env!("CARGO_CRATE_NAME")
    );
}

fn unsafe_geteuid() -> u32 {
    // /proc avoids a libc dependency: the effective uid is the second field of "Uid:".
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(u32::MAX)
}

pub fn run(cmd: &str, args: &[&str]) -> Output {
    let out = Command::new(cmd).args(args).output().unwrap_or_else(|e| {
        panic!("cannot run {cmd}: {e} (is it installed? .ci/run installs the lab packages)")
    });
    out
}

pub fn must(cmd: &str, args: &[&str]) -> Output {
    let out = run(cmd, args);
    assert!(
        out.status.success(),
        "{cmd} {} failed: {}{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Path of a binary built by cargo for this test run.
pub fn kms_preflight_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_kms-preflight"))
}

/// Path of an example binary (test support servers); cargo builds examples for `cargo test`.
pub fn example_bin(name: &str) -> PathBuf {
    let bin = kms_preflight_bin();
    let p = bin
        .parent()
        .expect("target dir")
        .join("examples")
        .join(name);
    assert!(
        p.exists(),
        "{} not built: run the tests with `cargo test` (it builds examples)",
        p.display()
    );
    p
}

pub struct Lab {
    pub id: String,
    pub dir: PathBuf,
    namespaces: Vec<String>,
    children: Vec<(String, Child)>,
    links: usize,
}

impl Lab {
    pub fn new(tag: &str) -> Lab {
        static REAPED: std::sync::Once = std::sync::Once::new();
        REAPED.call_once(reap_stale_labs);
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let id = format!("kp{}{}{}", std::process::id() % 100000, tag, n);
        let dir = std::env::temp_dir().join(format!("kms-preflight-lab-{id}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("lab dir");
        Lab {
            id,
            dir,
            namespaces: Vec::new(),
            children: Vec::new(),
            links: 0,
        }
    }

    /// Creates a namespace with loopback up; returns its full name.
    pub fn netns(&mut self, short: &str) -> String {
        let name = format!("{}-{short}", self.id);
        let _ = run("ip", &["netns", "del", &name]);
        must("ip", &["netns", "add", &name]);
        self.namespaces.push(name.clone());
        must("ip", &["-n", &name, "link", "set", "lo", "up"]);
        name
    }

    /// Joins two namespaces with a veth pair and assigns addresses (CIDR form; IPv6 without DAD).
    /// Returns the interface names (a side, b side).
    pub fn veth(
        &mut self,
        ns_a: &str,
        addrs_a: &[&str],
        ns_b: &str,
        addrs_b: &[&str],
    ) -> (String, String) {
        self.links += 1;
        let a = format!(
            "va{}{}",
            self.links,
            &self.id[self.id.len().saturating_sub(6)..]
        );
        let b = format!(
            "vb{}{}",
            self.links,
            &self.id[self.id.len().saturating_sub(6)..]
        );
        let (a, b) = (
            a[..a.len().min(15)].to_string(),
            b[..b.len().min(15)].to_string(),
        );
        must(
            "ip",
            &[
                "link", "add", &a, "netns", ns_a, "type", "veth", "peer", "name", &b, "netns", ns_b,
            ],
        );
        for (ns, ifname, addrs) in [(ns_a, &a, addrs_a), (ns_b, &b, addrs_b)] {
            for addr in addrs {
                if addr.contains(':') {
                    must(
                        "ip",
                        &["-n", ns, "addr", "add", addr, "dev", ifname, "nodad"],
                    );
                } else {
                    must("ip", &["-n", ns, "addr", "add", addr, "dev", ifname]);
                }
            }
            must("ip", &["-n", ns, "link", "set", ifname, "up"]);
        }
        (a, b)
    }

    /// Adds an address to an existing interface.
    pub fn addr(&self, ns: &str, ifname: &str, addr: &str) {
        if addr.contains(':') {
            must(
                "ip",
                &["-n", ns, "addr", "add", addr, "dev", ifname, "nodad"],
            );
        } else {
            must("ip", &["-n", ns, "addr", "add", addr, "dev", ifname]);
        }
    }

    pub fn ip(&self, ns: &str, args: &[&str]) {
        let mut full = vec!["-n", ns];
        full.extend_from_slice(args);
        must("ip", &full);
    }

    /// Turns off the kernel's per-destination ICMP error rate limit in `ns`
    /// (net.ipv4.icmp_ratelimit, per namespace): many lab "hosts" share one kernel there, so
    /// without this the port-unreachable answers of the 40th host are dropped as if the 40
    /// machines were one, which no real network does.
    pub fn no_icmp_ratelimit(&self, ns: &str) {
        for setting in [
            "net.ipv4.icmp_ratelimit=0",
            "net.ipv4.icmp_msgs_per_sec=100000",
        ] {
            must("ip", &["netns", "exec", ns, "sysctl", "-q", "-w", setting]);
        }
    }

    /// Loads an nftables ruleset inside a namespace.
    pub fn nft(&self, ns: &str, ruleset: &str) {
        let path = self.dir.join(format!("nft-{ns}.conf"));
        std::fs::write(&path, ruleset).expect("write nft rules");
        must(
            "ip",
            &["netns", "exec", ns, "nft", "-f", path.to_str().unwrap()],
        );
    }

    /// Writes /etc/netns/<ns>/resolv.conf, which `ip netns exec` mounts over /etc/resolv.conf.
    pub fn resolv_conf(&self, ns: &str, text: &str) {
        let d = Path::new("/etc/netns").join(ns);
        std::fs::create_dir_all(&d).expect("/etc/netns dir");
        std::fs::write(d.join("resolv.conf"), text).expect("resolv.conf");
    }

    /// Starts a long-running process inside a namespace; killed when the lab drops.
    pub fn spawn(&mut self, ns: &str, label: &str, program: &Path, args: &[&str]) -> &mut Child {
        let log = std::fs::File::create(self.dir.join(format!("{label}.log"))).expect("log file");
        // Its own process group: servers that signal their group on exit (smbd does
        // kill(0, SIGTERM)) must not hit the test, and Drop can stop forked children too.
        let child = Command::new("ip")
            .args(["netns", "exec", ns])
            .arg(program)
            .args(args)
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {label}: {e}"));
        self.children.push((label.to_string(), child));
        &mut self.children.last_mut().unwrap().1
    }

    /// Like [`Lab::spawn`], with environment variables set through `env(1)`, which execs: the
    /// child is still the program itself, so killing it stops the server.
    pub fn spawn_env(
        &mut self,
        ns: &str,
        label: &str,
        env: &[(&str, &str)],
        program: &Path,
        args: &[&str],
    ) -> &mut Child {
        let mut full: Vec<String> = env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        full.push(program.display().to_string());
        full.extend(args.iter().map(|a| a.to_string()));
        let full: Vec<&str> = full.iter().map(|s| s.as_str()).collect();
        self.spawn(ns, label, Path::new("/usr/bin/env"), &full)
    }

    /// Waits (bounded: 10 s) until something listens on `addr:port` (`proto` "tcp" or "udp")
    /// inside `ns`; panics with the server's log otherwise.
    pub fn wait_listening(&self, ns: &str, proto: &str, addr: &str, port: u16, label: &str) {
        let flag = if proto == "udp" { "-Hnul" } else { "-Hntl" };
        let started = Instant::now();
        loop {
            let out = run(
                "ip",
                &[
                    "netns",
                    "exec",
                    ns,
                    "ss",
                    flag,
                    "src",
                    &format!("{addr}:{port}"),
                ],
            );
            if !String::from_utf8_lossy(&out.stdout).trim().is_empty() {
                return;
            }
            if started.elapsed() > Duration::from_secs(10) {
                let log = std::fs::read_to_string(self.dir.join(format!("{label}.log")))
                    .unwrap_or_default();
                panic!(
                    "{label} does not listen on {proto} {addr}:{port} after 10 s; its log:\n{log}"
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Starts chronyd as an NTP server on `addrs` (at most one IPv4 and one IPv6), port 123,
    /// inside `ns`, serving its own clock shifted by `shift` (libfaketime syntax: "+5h",
    /// "-3m", "+0"). Private config, no upstream, never touches the system clock (-x).
    /// See notes/clock-lab.md.
    pub fn chrony(&mut self, ns: &str, addrs: &[&str], shift: &str) {
        let first = addrs[0];
        let dir = self.dir.join(format!("chrony-{}", first.replace(':', "_")));
        std::fs::create_dir_all(&dir).unwrap();
        let d = dir.display();
        let binds: String = addrs.iter().map(|a| format!("bindaddress {a}\n")).collect();
        // chrony: comments only on their own line; it drops to _chrony, which must own its dir.
        let conf = format!(
            "port 123\n{binds}cmdport 0\nbindcmdaddress {d}/chronyd.sock\nallow all\n\
             local stratum 8\npidfile {d}/chronyd.pid\ndriftfile {d}/chrony.drift\ndumpdir {d}\nntsdumpdir {d}\n"
        );
        let conf_path = dir.join("chrony.conf");
        std::fs::write(&conf_path, conf).unwrap();
        must("chown", &["-R", "_chrony:", dir.to_str().unwrap()]);
        must("chmod", &["700", dir.to_str().unwrap()]);
        let label = format!("chronyd-{}", first.replace(':', "_"));
        let lib = libfaketime();
        self.spawn_env(
            ns,
            &label,
            &[("LD_PRELOAD", lib.to_str().unwrap()), ("FAKETIME", shift)],
            &which("chronyd"),
            &["-x", "-d", "-f", conf_path.to_str().unwrap()],
        );
        for a in addrs {
            let shown = if a.contains(':') {
                format!("[{a}]")
            } else {
                a.to_string()
            };
            self.wait_listening(ns, "udp", &shown, 123, &label);
        }
    }

    /// Starts Samba smbd on `addr`:445 inside `ns` with its clock shifted by `shift`; every
    /// state path is private to the lab (see notes/clock-lab.md).
    pub fn smbd(&mut self, ns: &str, addr: &str, shift: &str) {
        let dir = self.dir.join(format!("smb-{addr}"));
        for sub in [
            "lock", "state", "cache", "pid", "private", "ncalrpc", "log", "share",
        ] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        let d = dir.display();
        let conf = format!(
            "[global]\n  server role = standalone server\n  interfaces = {addr}/32\n  bind interfaces only = yes\n  \
             smb ports = 445\n  disable netbios = yes\n  lock directory = {d}/lock\n  state directory = {d}/state\n  \
             cache directory = {d}/cache\n  pid directory = {d}/pid\n  private dir = {d}/private\n  ncalrpc dir = {d}/ncalrpc\n  \
             log file = {d}/log/log.%m\n  passdb backend = tdbsam:{d}/private/passdb.tdb\n  load printers = no\n  \
             printing = bsd\n  printcap name = /dev/null\n  disable spoolss = yes\n  server min protocol = SMB2_02\n\
             [tmp]\n  path = {d}/share\n  read only = yes\n"
        );
        let conf_path = dir.join("smb.conf");
        std::fs::write(&conf_path, conf).unwrap();
        let label = format!("smbd-{addr}");
        let lib = libfaketime();
        self.spawn_env(
            ns,
            &label,
            &[("LD_PRELOAD", lib.to_str().unwrap()), ("FAKETIME", shift)],
            &which("smbd"),
            &[
                "-F",
                "--no-process-group",
                "--debug-stdout",
                "-d1",
                "-s",
                conf_path.to_str().unwrap(),
            ],
        );
        self.wait_listening(ns, "tcp", addr, 445, &label);
    }

    /// Starts python3's http.server on `addr`:`port` inside `ns` with its clock shifted by
    /// `shift`: a real HTTP server whose `Date` header is off by that much.
    pub fn http_server(&mut self, ns: &str, addr: &str, port: u16, shift: &str) {
        let dir = self.dir.join(format!("http-{addr}"));
        std::fs::create_dir_all(&dir).unwrap();
        let label = format!("http-{addr}");
        let lib = libfaketime();
        let port_s = port.to_string();
        self.spawn_env(
            ns,
            &label,
            &[("LD_PRELOAD", lib.to_str().unwrap()), ("FAKETIME", shift)],
            Path::new("/usr/bin/python3"),
            &[
                "-m",
                "http.server",
                "--bind",
                addr,
                "--directory",
                dir.to_str().unwrap(),
                &port_s,
            ],
        );
        self.wait_listening(ns, "tcp", addr, port, &label);
    }

    /// Starts the project's test responder (examples/lab-responder) and waits for "ready".
    pub fn responder(&mut self, ns: &str, mode: &str, listen: &[&str]) {
        self.responder_args(ns, mode, listen, &[]);
    }

    /// Like [`Lab::responder`], with more responder options (the activation answers:
    /// `--count`, `--epid`, `--hresult`, `--requests-file` …).
    pub fn responder_args(&mut self, ns: &str, mode: &str, listen: &[&str], extra: &[&str]) {
        let bin = example_bin("lab-responder");
        let mut args = vec!["--mode", mode];
        for l in listen {
            args.push("--listen");
            args.push(l);
        }
        args.extend_from_slice(extra);
        let label = format!("responder-{mode}-{}", self.children.len());
        let child = self.spawn(ns, &label, &bin, &args);
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        match rx.recv_timeout(Duration::from_secs(10)) {
            Ok(l) if l.trim() == "ready" => {}
            other => panic!(
                "lab-responder ({mode} on {listen:?}) did not start: {other:?}; log in {}",
                self.dir.display()
            ),
        }
    }

    /// Starts BIND (named) in `ns` listening on `listen` (IPv4), serving `zones`
    /// (name, zone file text), and waits until it answers.
    pub fn bind(&mut self, ns: &str, listen: &str, zones: &[(&str, &str)]) {
        let dir = self.dir.join(format!("named-{listen}"));
        std::fs::create_dir_all(&dir).unwrap();
        let d = dir.display();
        let mut conf = format!(
            "options {{\n  directory \"{d}\";\n  pid-file \"{d}/named.pid\";\n  session-keyfile \"{d}/session.key\";\n  \
             listen-on port 53 {{ {listen}; }};\n  listen-on-v6 {{ none; }};\n  recursion no;\n  allow-query {{ any; }};\n  \
             dnssec-validation no;\n  notify no;\n}};\ncontrols {{ }};\n"
        );
        for (zone, text) in zones {
            let file = dir.join(format!("{zone}.zone"));
            std::fs::write(&file, text).unwrap();
            conf.push_str(&format!(
                "zone \"{zone}\" {{ type primary; file \"{}\"; }};\n",
                file.display()
            ));
        }
        let conf_path = dir.join("named.conf");
        std::fs::write(&conf_path, conf).unwrap();
        let named = which("named");
        let label = format!("named-{listen}");
        self.spawn(
            ns,
            &label,
            &named,
            &[
                "-g",
                "-c",
                conf_path.to_str().unwrap(),
                "-u",
                "root",
                "-n",
                "1",
            ],
        );
        // Ready when it answers a SOA query for the first zone (bounded: 10 s).
        let first = zones.first().map(|z| z.0).unwrap_or(".");
        let started = Instant::now();
        loop {
            let out = run(
                "ip",
                &[
                    "netns",
                    "exec",
                    ns,
                    "dig",
                    &format!("@{listen}"),
                    "+time=1",
                    "+tries=1",
                    "+norecurse",
                    first,
                    "SOA",
                ],
            );
            let text = String::from_utf8_lossy(&out.stdout);
            if text.contains("status:") {
                break;
            }
            if started.elapsed() > Duration::from_secs(10) {
                let log = std::fs::read_to_string(self.dir.join(format!("{label}.log")))
                    .unwrap_or_default();
                panic!("named on {listen} did not answer within 10 s; its log:\n{log}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Runs kms-preflight inside a namespace.
    pub fn kms_preflight(&self, ns: &str, args: &[&str]) -> Output {
        self.kms_preflight_env(ns, args, &[])
    }

    pub fn kms_preflight_env(&self, ns: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", ns])
            .arg(kms_preflight_bin())
            .args(args);
        cmd.env("NO_COLOR", "1");
        // A probe without --cmid keeps its CMID in the state directory: the lab's own, never
        // root's /var/lib/kms-preflight of the machine running the tests (a test may set another).
        cmd.env("XDG_STATE_HOME", self.dir.join("state"));
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().expect("run kms-preflight")
    }

    /// Runs kms-preflight with --format json and parses the report.
    pub fn report(&self, ns: &str, args: &[&str]) -> (i32, serde_json::Value) {
        self.report_env(ns, args, &[])
    }

    /// Like [`Lab::report`], with environment variables for kms-preflight.
    pub fn report_env(
        &self,
        ns: &str,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> (i32, serde_json::Value) {
        let mut full: Vec<&str> = vec!["check"];
        full.extend_from_slice(args);
        full.extend_from_slice(&["--format", "json"]);
        let out = self.kms_preflight_env(ns, &full, env);
        let text = String::from_utf8_lossy(&out.stdout);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): stdout:\n{text}\nstderr:\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        assert_messages_in_catalog(&v);
        (out.status.code().unwrap_or(-1), v)
    }
}

/// Every result of a lab report (and its remediation) has a `message_id` that the catalog
/// renders in English and Japanese with every argument filled: what a run really produced,
/// not only what the modules declare.
pub fn assert_messages_in_catalog(report: &serde_json::Value) {
    use kms_preflight_engine::Message;
    use kms_preflight_report::{Catalog, Lang};
    let results = report["results"].as_array().expect("report has results");
    for r in results {
        let id = r["id"].as_str().unwrap_or("?");
        let target = r["target"].as_str().unwrap_or("");
        assert!(
            r["message_id"].is_string(),
            "{id} {target}: result without message_id: {r}"
        );
        let mut messages = vec![("message", r.clone())];
        if let Some(rid) = r.get("remediation_id").filter(|x| x.is_string()) {
            messages.push((
                "remediation",
                serde_json::json!({
                    "message_id": rid,
                    "args": r.get("remediation_args").cloned().unwrap_or(serde_json::json!({})),
                }),
            ));
        }
        for (what, json) in messages {
            let m: Message = serde_json::from_value(json.clone()).unwrap_or_else(|e| {
                panic!("{id} {target}: {what} does not read back ({e}): {json}")
            });
            for lang in Lang::ALL {
                if let Err(e) = Catalog::get(lang).try_text(&m) {
                    panic!("{id} {target}: {what} {} in {}: {e:?}", m.id, lang.tag());
                }
            }
        }
    }
}

/// libfaketime's preload library (Debian multiarch path or the plain one).
pub fn libfaketime() -> PathBuf {
    for p in [
        "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
        "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
        "/usr/lib/faketime/libfaketime.so.1",
        "/usr/local/lib/faketime/libfaketime.so.1",
    ] {
        if Path::new(p).exists() {
            return PathBuf::from(p);
        }
    }
    panic!("libfaketime.so.1 not found: .ci/run installs the lab packages (faketime)");
}

/// Processes whose command line mentions `needle` (e.g. a lab directory): for leak checks.
pub fn processes_mentioning(needle: &str) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for e in dir.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        if let Ok(cmd) = std::fs::read(e.path().join("cmdline")) {
            let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
            if cmd.contains(needle) {
                out.push(format!("{pid}: {cmd}"));
            }
        }
    }
    out
}

/// The pid in a lab name `kp<pid><tag><n>-<short>` (pid modulo 100000).
fn lab_owner_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix("kp")?;
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    let after = &rest[digits.len()..];
    if digits.is_empty()
        || !after.starts_with(|c: char| c.is_ascii_lowercase())
        || !name.contains('-')
    {
        return None;
    }
    digits.parse().ok()
}

/// Deletes namespaces (and their /etc/netns dirs) left by lab test processes that were killed
/// before their `Drop` ran: their owner pid no longer exists. Labs of live processes (other
/// test binaries running now) are left alone.
fn reap_stale_labs() {
    let out = run("ip", &["netns", "list"]);
    let mut names: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();
    if let Ok(dirs) = std::fs::read_dir("/etc/netns") {
        names.extend(
            dirs.flatten()
                .map(|d| d.file_name().to_string_lossy().into_owned()),
        );
    }
    let alive = |pid: u32| {
        // Any live process whose pid matches modulo 100000 keeps its labs.
        std::fs::read_dir("/proc")
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| {
                e.file_name()
                    .to_str()
                    .and_then(|s| s.parse::<u32>().ok())
                    .is_some_and(|p| p % 100000 == pid)
            })
    };
    for name in names {
        let Some(pid) = lab_owner_pid(&name) else {
            continue;
        };
        if !alive(pid) {
            let _ = run("ip", &["netns", "del", &name]);
            let _ = std::fs::remove_dir_all(Path::new("/etc/netns").join(&name));
        }
    }
}

pub fn which(program: &str) -> PathBuf {
    for dir in [
        "/usr/sbin",
        "/usr/bin",
        "/sbin",
        "/bin",
        "/usr/local/sbin",
        "/usr/local/bin",
    ] {
        let p = Path::new(dir).join(program);
        if p.exists() {
            return p;
        }
    }
    panic!("{program} not found: .ci/run installs the lab packages (bind9, chrony, samba, faketime, nftables, iproute2)");
}

impl Drop for Lab {
    fn drop(&mut self) {
        // SIGTERM to each child's process group first (servers that fork, like smbd, stop
        // their children); SIGKILL the groups still running after 3 s.
        for (_, child) in &mut self.children {
            if matches!(child.try_wait(), Ok(None)) {
                let _ = run("kill", &["-TERM", "--", &format!("-{}", child.id())]);
            }
        }
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(3)
            && self
                .children
                .iter_mut()
                .any(|(_, c)| matches!(c.try_wait(), Ok(None)))
        {
            std::thread::sleep(Duration::from_millis(50));
        }
        for (_, child) in &mut self.children {
            // Also when the leader is gone: forked children may remain in its group.
            let _ = run("kill", &["-KILL", "--", &format!("-{}", child.id())]);
            let _ = child.kill();
            let _ = child.wait();
        }
        // Processes started with `ip netns exec` are the direct children, so killing them is
        // enough; deleting the namespace then removes its interfaces.
        for ns in self.namespaces.drain(..) {
            let _ = run("ip", &["netns", "del", &ns]);
            let _ = std::fs::remove_dir_all(Path::new("/etc/netns").join(&ns));
        }
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// The `error_codes` of one result.
pub fn codes(r: &serde_json::Value) -> Vec<&str> {
    r["error_codes"]
        .as_array()
        .expect("error_codes array")
        .iter()
        .map(|c| c.as_str().expect("error code string"))
        .collect()
}

/// Results of a report with a given check id.
pub fn results<'a>(report: &'a serde_json::Value, id: &str) -> Vec<&'a serde_json::Value> {
    report["results"]
        .as_array()
        .expect("results array")
        .iter()
        .filter(|r| r["id"] == id)
        .collect()
}

/// The single result of `id` for `target` (and `address` if given).
pub fn result<'a>(
    report: &'a serde_json::Value,
    id: &str,
    target: &str,
    address: Option<&str>,
) -> &'a serde_json::Value {
    let found: Vec<_> = results(report, id)
        .into_iter()
        .filter(|r| r["target"] == target)
        .filter(|r| address.is_none_or(|a| r["address"] == a))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one result {id} for {target} {address:?}, got {}: {}",
        found.len(),
        serde_json::to_string_pretty(&report["results"]).unwrap()
    );
    found[0]
}

/// The `n` slowest results of a report (duration, id, target, address, status), for messages
/// about a slow run.
pub fn slowest(report: &serde_json::Value, n: usize) -> String {
    let mut slow: Vec<(u64, String)> = report["results"]
        .as_array()
        .expect("results array")
        .iter()
        .map(|r| {
            (
                r["duration_ms"].as_u64().unwrap_or(0),
                format!(
                    "{} {} {} {}",
                    r["id"], r["target"], r["address"], r["status"]
                ),
            )
        })
        .collect();
    slow.sort_by_key(|s| std::cmp::Reverse(s.0));
    slow.iter()
        .take(n)
        .map(|(d, w)| format!("{d} ms {w}"))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Runs a command in its own process group, waiting at most `limit`; on timeout the whole
/// group (a browser's helpers too) is killed and the test fails with what it printed.
pub fn output_within(mut cmd: Command, limit: Duration, what: &str) -> Output {
    let mut child = cmd
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    // Drain both pipes on threads, so a chatty child cannot block on a full pipe.
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = std::io::Read::read_to_end(&mut out_pipe, &mut v);
        v
    });
    let err_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = std::io::Read::read_to_end(&mut err_pipe, &mut v);
        v
    });
    let started = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break Some(st);
        }
        if started.elapsed() > limit {
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    // The group may outlive its leader (helpers); stop it in every case.
    let _ = run("kill", &["-KILL", "--", &format!("-{}", child.id())]);
    let status = match status {
        Some(s) => s,
        None => {
            let _ = child.kill();
            let _ = child.wait();
            let err = err_t.join().unwrap_or_default();
            panic!(
                "{what} did not finish within {limit:?}; stderr:\n{}",
                String::from_utf8_lossy(&err)
            );
        }
    };
    Output {
        status,
        stdout: out_t.join().unwrap_or_default(),
        stderr: err_t.join().unwrap_or_default(),
    }
}

/// An HTTP request made with curl from inside `ns` (bounded: 5 s); `extra` are more curl
/// arguments (method, data, headers). Returns the status code (0 when no answer) and body.
pub fn curl_in(ns: &str, url: &str, extra: &[&str]) -> (u16, String) {
    let mut cmd = Command::new("ip");
    cmd.args(["netns", "exec", ns, "curl", "-s", "--max-time", "5"])
        .args(extra)
        .args(["-o", "-", "-w", "\n%{http_code}", url]);
    let out = output_within(cmd, Duration::from_secs(10), "curl");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, code) = text.rsplit_once('\n').unwrap_or(("", text.as_str()));
    (code.trim().parse().unwrap_or(0), body.to_string())
}

/// Polls `probe` every 250 ms until it returns `Some`, for at most `limit`; panics with
/// `what` and the last state otherwise.
pub fn wait_for<T>(limit: Duration, what: &str, mut probe: impl FnMut() -> Result<T, String>) -> T {
    let started = Instant::now();
    loop {
        match probe() {
            Ok(v) => return v,
            Err(last) if started.elapsed() > limit => {
                panic!("{what}: not within {limit:?}; last: {last}")
            }
            Err(_) => std::thread::sleep(Duration::from_millis(250)),
        }
    }
}

impl Lab {
    /// The stderr log of a process started with [`Lab::spawn`].
    pub fn log(&self, label: &str) -> String {
        std::fs::read_to_string(self.dir.join(format!("{label}.log"))).unwrap_or_default()
    }
}

/// Whether `line` is a row of a table listing whose first words are `status` and `check` and
/// whose target column starts with `target` (a grouped row names its hosts after a count).
fn row_matches(line: &str, status: &str, check: &str, target: &str) -> bool {
    let mut words = line.split_whitespace();
    if words.next() != Some(status) || words.next() != Some(check) {
        return false;
    }
    let rest = line.trim_start()[status.len()..].trim_start()[check.len()..].trim_start();
    rest.starts_with(target)
}

/// The row `status check target …` of a table (the table format's own words); panics with the
/// whole table when there is none.
pub fn table_row<'a>(table: &'a str, status: &str, check: &str, target: &str) -> &'a str {
    table
        .lines()
        .find(|l| row_matches(l, status, check, target))
        .unwrap_or_else(|| panic!("no row `{status} {check} {target}` in the table:\n{table}"))
}

/// How many rows `status check target …` a table has.
pub fn table_rows(table: &str, status: &str, check: &str, target: &str) -> usize {
    table
        .lines()
        .filter(|l| row_matches(l, status, check, target))
        .count()
}

/// The table's closing line (`N results: a pass, b warn, c fail, d skip, e error in …`) counts
/// the results and the failures the JSON report of the same command counts. (Passes and
/// warnings are not compared: a latency warning may come and go between two runs on a loaded
/// machine.)
pub fn assert_table_summary(table: &str, report: &serde_json::Value) {
    let s = &report["summary"];
    let line = table
        .lines()
        .find(|l| l.contains(" results: ") && l.contains(" error in "))
        .unwrap_or_else(|| panic!("no closing line in the table:\n{table}"));
    let count = |what: &str| -> u64 {
        let words: Vec<&str> = line.split_whitespace().collect();
        words
            .windows(2)
            .find(|w| w[1].trim_end_matches([',', ':']) == what)
            .and_then(|w| w[0].parse().ok())
            .unwrap_or_else(|| panic!("no {what} count in {line:?}"))
    };
    assert_eq!(Some(count("results")), s["total"].as_u64(), "{line}");
    assert_eq!(Some(count("fail")), s["fail"].as_u64(), "{line}");
}
