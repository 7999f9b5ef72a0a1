//! `serve` on loopback, no root needed: the endpoints and their limits as an HTTP client sees
//! them, `promtool check metrics` on the served exposition, label validation, the security
//! property (a recording listener that no configuration names is never contacted, whatever a
//! request asks), one log line per audit, and SIGTERM. Every probe of the audit goes to
//! loopback: the KMS host is a listener of this test and the DNS server a closed port.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn kp(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kms-preflight"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run kms-preflight")
}

/// A loopback listener that records the peer of every connection it accepts.
struct Recorder {
    port: u16,
    seen: Arc<Mutex<Vec<SocketAddr>>>,
}

impl Recorder {
    fn start() -> Recorder {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        std::thread::spawn(move || {
            for c in l.incoming().flatten() {
                if let Ok(p) = c.peer_addr() {
                    s.lock().unwrap().push(p);
                }
                // Held open until the peer closes (at most 5 s), as a service would.
                std::thread::spawn(move || {
                    let mut c = c;
                    let _ = c.set_read_timeout(Some(Duration::from_secs(5)));
                    let mut buf = [0u8; 512];
                    while matches!(c.read(&mut buf), Ok(n) if n > 0) {}
                });
            }
        });
        Recorder { port, seen }
    }

    fn connections(&self) -> usize {
        self.seen.lock().unwrap().len()
    }
}

/// A running `serve`, killed on drop; its stderr lines are collected.
struct Server {
    child: Child,
    addr: SocketAddr,
    lines: mpsc::Receiver<String>,
    log: Vec<String>,
}

impl Server {
    fn start(extra: &[&str], kms: &Recorder) -> Server {
        // A closed UDP port for DNS: the queries are refused on loopback at once.
        let dns = UdpSocket::bind("127.0.0.1:0").unwrap();
        let dns_addr = dns.local_addr().unwrap().to_string();
        drop(dns);
        let host = format!("127.0.0.1:{}", kms.port);
        let mut args = vec![
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--host",
            &host,
            "--dns",
            &dns_addr,
            "--domain",
            "serve.invalid",
            "--timeout",
            "300ms",
            "--deadline",
            "8s",
            "--interval",
            "10s",
        ];
        args.extend_from_slice(extra);
        let mut child = Command::new(env!("CARGO_BIN_EXE_kms-preflight"))
            .args(&args)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start serve");
        let (tx, rx) = mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for l in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(l);
            }
        });
        let mut log = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(10);
        let addr = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("serve did not start: {log:?}"));
            log.push(line.clone());
            if let Some(rest) = line.split("listening on http://").nth(1) {
                let a = rest.split_whitespace().next().unwrap();
                break a.parse::<SocketAddr>().unwrap();
            }
        };
        Server {
            child,
            addr,
            lines: rx,
            log,
        }
    }

    fn drain(&mut self) -> &[String] {
        while let Ok(l) = self.lines.try_recv() {
            self.log.push(l);
        }
        &self.log
    }

    /// Waits (bounded) until an audit has finished: /healthz answers 200.
    fn wait_healthy(&mut self) {
        let started = Instant::now();
        loop {
            let r = http(self.addr, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            if r.status == 200 {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "no healthy audit: {} {}; log {:?}",
                r.status,
                r.body,
                self.drain()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Resp {
    status: u16,
    head: String,
    body: String,
}

/// One request on its own connection (`Connection: close` is added); bounded by 5 s.
fn http(addr: SocketAddr, request: &str) -> Resp {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let req = request.replacen("\r\n", "\r\nConnection: close\r\n", 1);
    s.write_all(req.as_bytes()).unwrap();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((text.as_str(), ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Resp {
        status,
        head: head.to_ascii_lowercase(),
        body: body.to_string(),
    }
}

fn get(addr: SocketAddr, path: &str) -> Resp {
    http(addr, &format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n"))
}

/// promtool from Debian's `prometheus` package; a test that needs it is `#[ignore]`d and fails
/// here when it is run without it.
fn promtool(test: &str) -> &'static str {
    ["/usr/bin/promtool", "/usr/local/bin/promtool"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .unwrap_or_else(|| {
            panic!(
                "{test}: promtool is missing: install Debian's prometheus package \
                 (apt-get install prometheus; scripts/test-all.sh does)"
            )
        })
}

#[test]
#[ignore = "needs promtool (Debian package prometheus): run with --include-ignored"]
fn promtool_accepts_the_served_exposition() {
    let tool = promtool("promtool_accepts_the_served_exposition");
    let kms = Recorder::start();
    let mut srv = Server::start(&["--label", "site=loopback", "--label", "env=test"], &kms);
    srv.wait_healthy();
    let m = get(srv.addr, "/metrics");
    assert_eq!(m.status, 200);
    assert!(m.body.contains("kms_preflight_check_status{"), "{}", m.body);
    let mut child = Command::new(tool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(m.body.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool check metrics:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn serve_answers_its_endpoints_and_nothing_else_and_stops_on_sigterm() {
    let kms = Recorder::start();
    let forbidden = Recorder::start();
    let mut srv = Server::start(&["--label", "site=loopback", "--label", "env=test"], &kms);
    srv.wait_healthy();
    let a = srv.addr;

    let m = get(a, "/metrics");
    assert_eq!(m.status, 200);
    assert!(
        m.head.contains("content-type: text/plain; version=0.0.4"),
        "{}",
        m.head
    );
    assert!(m
        .body
        .contains("kms_preflight_audit_success{site=\"loopback\",env=\"test\"} 1\n"));
    let tcp_pass = format!(
        "kms_preflight_check_status{{site=\"loopback\",env=\"test\",check=\"tcp.port\",kind=\"tcp\",target=\"127.0.0.1:{}\",address=\"127.0.0.1\",source=\"\",status=\"pass\"}} 1\n",
        kms.port
    );
    assert!(m.body.contains(&tcp_pass), "{}", m.body);
    for line in m.body.lines().filter(|l| !l.starts_with('#')) {
        assert!(line.contains("{site=\"loopback\",env=\"test\""), "{line}");
    }

    let j = get(a, "/report.json");
    assert_eq!(j.status, 200);
    assert!(j.head.contains("content-type: application/json"));
    let rep: serde_json::Value = serde_json::from_str(&j.body).expect("JSON report");
    assert_eq!(rep["schema"], "kms-preflight/report/v1");
    assert!(!rep["results"].as_array().unwrap().is_empty());

    let page = get(a, "/");
    assert_eq!(page.status, 200);
    assert!(page.head.contains("content-type: text/html"));
    assert!(page
        .head
        .contains("content-security-policy: default-src 'none'"));
    assert!(page
        .body
        .contains(&format!("<code>127.0.0.1:{}</code>", kms.port)));

    let head = http(a, "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());

    // Whatever names the forbidden listener gets a fixed answer; it is never contacted.
    let f = format!("127.0.0.1:{}", forbidden.port);
    for (req, want) in [
        (
            format!("GET /probe?target={f}&module=tcp_connect HTTP/1.1\r\nHost: x\r\n\r\n"),
            404,
        ),
        (
            format!("GET /probe?target={f} HTTP/1.1\r\nHost: {f}\r\n\r\n"),
            404,
        ),
        ("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n".to_string(), 404),
        ("GET /metrics/ HTTP/1.1\r\nHost: x\r\n\r\n".to_string(), 404),
        (
            format!("GET /metrics?target={f} HTTP/1.1\r\nHost: x\r\n\r\n"),
            200,
        ),
        (
            format!("GET http://{f}/metrics HTTP/1.1\r\nHost: {f}\r\n\r\n"),
            200,
        ),
        (format!("CONNECT {f} HTTP/1.1\r\nHost: {f}\r\n\r\n"), 404),
        (
            format!(
                "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\ntarget={f}",
                f.len() + 7
            ),
            405,
        ),
        (
            format!(
                "GET /report.json HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\ntarget={f}",
                f.len() + 7
            ),
            413,
        ),
        (
            format!(
                "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
                "a".repeat(20_000)
            ),
            431,
        ),
    ] {
        let r = http(a, &req);
        assert_eq!(r.status, want, "{}", req.lines().next().unwrap());
        if want == 405 {
            assert!(r.head.contains("allow: get, head"), "{}", r.head);
        }
        if want == 200 {
            assert!(!r.body.contains(&f), "the answer names {f}");
        }
    }
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        forbidden.connections(),
        0,
        "a request made serve contact {f}"
    );
    assert!(kms.connections() > 0, "the configured host was probed");

    // SIGTERM: gone within a second, exit 0; one log line per audit, with its summary.
    let started = Instant::now();
    let pid = srv.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let status = loop {
        if let Some(s) = srv.child.try_wait().unwrap() {
            break s;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "still running");
        std::thread::sleep(Duration::from_millis(10));
    };
    let took = started.elapsed();
    assert!(took < Duration::from_secs(1), "SIGTERM took {took:?}");
    assert_eq!(status.code(), Some(0));
    std::thread::sleep(Duration::from_millis(100));
    let log = srv.drain().to_vec();
    let audits: Vec<&String> = log.iter().filter(|l| l.contains(": audit ")).collect();
    assert_eq!(audits.len(), 1, "{log:?}");
    assert!(
        audits[0].contains("audit 1 done in") && audits[0].contains(" results: "),
        "{log:?}"
    );
    assert!(
        log.iter().any(|l| l.ends_with("SIGTERM: stopped")),
        "{log:?}"
    );
}

#[test]
fn serve_closes_a_connection_whose_headers_never_finish() {
    let kms = Recorder::start();
    let srv = Server::start(&[], &kms);
    let mut s = TcpStream::connect(srv.addr).unwrap();
    s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let started = Instant::now();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(9),
        "a slow client held the connection for {took:?}"
    );
    assert!(took >= Duration::from_secs(4), "closed after {took:?}");
}

#[test]
fn serve_closes_a_keep_alive_connection_idle_for_5_s() {
    let kms = Recorder::start();
    let srv = Server::start(&[], &kms);
    let mut s = TcpStream::connect(srv.addr).unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    let mut buf = [0u8; 4096];
    let n = s.read(&mut buf).unwrap();
    assert!(
        String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 "),
        "{}",
        String::from_utf8_lossy(&buf[..n])
    );
    // The response was all of it (one small body); from here the connection is idle.
    let idle = Instant::now();
    let mut rest = Vec::new();
    let _ = s.read_to_end(&mut rest);
    let took = idle.elapsed();
    assert!(
        (Duration::from_secs(4)..Duration::from_secs(9)).contains(&took),
        "an idle keep-alive connection was closed after {took:?}"
    );
}

/// A loopback connection from `ip` (any 127.0.0.0/8 address is this machine's).
fn connect_from(ip: &str, to: SocketAddr) -> TcpStream {
    let s = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    let from: SocketAddr = format!("{ip}:0").parse().unwrap();
    s.bind(&from.into()).unwrap();
    s.connect_timeout(&to.into(), Duration::from_secs(2))
        .unwrap();
    s.into()
}

#[test]
fn serve_gives_one_peer_32_connections_and_still_answers_another() {
    let kms = Recorder::start();
    let mut srv = Server::start(&[], &kms);
    srv.wait_healthy();
    // 40 connections from 127.0.0.2, half a request each: the exporter keeps 32 and closes
    // the other 8 at once (the header timeout would close the 32 only after 5 s).
    let mut greedy: Vec<TcpStream> = (0..40)
        .map(|_| {
            let mut c = connect_from("127.0.0.2", srv.addr);
            c.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
                .unwrap();
            c
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    let mut open = 0;
    for c in &mut greedy {
        c.set_nonblocking(true).unwrap();
        let mut b = [0u8; 64];
        match c.read(&mut b) {
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => open += 1,
            Ok(0) | Err(_) => {}
            Ok(n) => panic!("an unfinished request got an answer: {:?}", &b[..n]),
        }
    }
    assert_eq!(open, 32, "connections of one peer left open");
    // Another peer is served while the first holds its 32.
    let mut other = connect_from("127.0.0.1", srv.addr);
    other
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    other
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut answer = Vec::new();
    let _ = other.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
    // The greedy peer is refused a 33rd connection while it holds 32.
    let mut extra = connect_from("127.0.0.2", srv.addr);
    extra
        .set_read_timeout(Some(Duration::from_secs(3)))
        .unwrap();
    let started = Instant::now();
    let mut b = [0u8; 64];
    let r = extra.read(&mut b);
    // Closed at once: end of stream or a reset well before the 3 s read timeout.
    assert!(
        matches!(r, Ok(0) | Err(_)) && started.elapsed() < Duration::from_secs(2),
        "a 33rd connection of one peer: {r:?} after {:?}",
        started.elapsed()
    );
}

#[test]
fn serve_rejects_bad_labels() {
    for (label, why) in [
        ("__name__=x", "reserves for internal use"),
        ("job=x", "reserved"),
        ("instance=x", "reserved"),
        ("status=x", "reserved"),
        ("1site=x", "not a Prometheus label name"),
        ("si-te=x", "not a Prometheus label name"),
        ("site=", "empty value"),
        ("site", "expected KEY=VALUE"),
    ] {
        let o = kp(&["serve", "--label", label, "--host", "127.0.0.1"]);
        assert_eq!(o.status.code(), Some(2), "{label}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(why), "{label}: {err}");
    }
    let o = kp(&[
        "serve",
        "--label",
        "site=a",
        "--label",
        "site=b",
        "--host",
        "127.0.0.1",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--label site: given more than once"));
    let o = kp(&["serve", "--interval", "500ms", "--host", "127.0.0.1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("at least 1s"));
}

#[test]
fn serve_help_and_man_state_the_security_property() {
    let o = kp(&["serve", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    // Wrapped to the terminal width: compare with the line breaks folded.
    let help = String::from_utf8_lossy(&o.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for want in [
        "Security property: no endpoint takes a target, host or DNS server from the request",
        "/probe?target=",
        "--listen <ADDR:PORT>",
        "[default: 127.0.0.1:9688]",
        "--interval <DURATION>",
        "--label <KEY=VALUE>",
        "--domain <DOMAIN>",
        "--deadline <DURATION>",
        "/healthz",
        "deploy/",
        "at most 512 at once and at most 32 from one peer (an IPv4 address, or an IPv6 /64)",
        "a keep-alive connection idle for 5 s is closed",
    ] {
        assert!(
            help.contains(want),
            "{want:?} missing from serve --help:\n{help}"
        );
    }
    assert!(!help.contains("--format"), "serve has no --format");
    let man = kp(&["man"]);
    let man = String::from_utf8_lossy(&man.stdout);
    assert!(man.contains("serve"), "the man page lists serve");
}

#[test]
fn the_page_language_follows_accept_language_then_serve_lang() {
    let kms = Recorder::start();
    let mut srv = Server::start(&["--lang", "ja"], &kms);
    srv.wait_healthy();
    let page = |accept: Option<&str>| {
        let extra = accept.map_or(String::new(), |a| format!("Accept-Language: {a}\r\n"));
        http(
            srv.addr,
            &format!("GET / HTTP/1.1\r\nHost: x\r\n{extra}\r\n"),
        )
    };
    // No preference: --lang.
    let ja = page(None);
    assert_eq!(ja.status, 200);
    assert!(ja.body.contains("<html lang=\"ja\">"), "{}", ja.body);
    assert!(ja.body.contains("<h2>問題と対処</h2>"), "{}", ja.body);
    assert!(ja.head.contains("content-language: ja"), "{}", ja.head);
    assert!(ja.head.contains("vary: accept-language"), "{}", ja.head);
    // A browser that prefers English gets English; one that names neither gets --lang.
    let en = page(Some("en-US,en;q=0.9"));
    assert!(en.body.contains("<html lang=\"en\">"), "{}", en.body);
    assert!(en.body.contains("<h2>Problems and fixes</h2>"));
    assert!(en.head.contains("content-language: en"), "{}", en.head);
    let fr = page(Some("fr-FR,de;q=0.5"));
    assert!(fr.body.contains("<html lang=\"ja\">"));
    // The same report either way: the language never chooses what is shown.
    let host = format!("<code>127.0.0.1:{}</code>", kms.port);
    assert!(ja.body.contains(&host) && en.body.contains(&host));
    // Without --lang, a ja preference still gets Japanese.
    drop(srv);
    let mut srv = Server::start(&[], &kms);
    srv.wait_healthy();
    let r = http(
        srv.addr,
        "GET / HTTP/1.1\r\nHost: x\r\nAccept-Language: ja,en-US;q=0.9\r\n\r\n",
    );
    assert!(r.body.contains("<html lang=\"ja\">"), "{}", r.body);
    let r = get(srv.addr, "/");
    assert!(r.body.contains("<html lang=\"en\">"), "{}", r.body);
}

#[test]
fn serve_rejects_an_unknown_page_language() {
    let o = kp(&["serve", "--lang", "fr", "--host", "127.0.0.1:9"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    // The global --lang (every command has it): clap names the value and the choices.
    assert!(
        err.contains("invalid value 'fr' for '--lang <LANG>'")
            && err.contains("[possible values: en, ja]"),
        "{err}"
    );
}

#[test]
fn the_page_shows_the_client_lines_of_client_state_in_both_languages() {
    let kms = Recorder::start();
    let state = format!(
        "{}/testdata/client-state/en/slmgr-dlv-pinned-kms-old-lf.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut srv = Server::start(&["--client-state", &state], &kms);
    srv.wait_healthy();
    let en = get(srv.addr, "/");
    assert_eq!(en.status, 200);
    let body = &en.body;
    // The lines `check --client-state` prints above its verdict: the product's pinned host
    // and outcome, its fix, the inputs read; and the general verdict says who pinned.
    assert!(
        body.contains("<h2>Client state</h2>\n<ul id=\"client\">"),
        "{body}"
    );
    assert!(
        body.contains("<li class=\"product\">Windows(R), Enterprise edition: pinned to kms-old.corp.example:1688 (slmgr /skms) → "),
        "{body}"
    );
    assert!(body.contains("DNS discovery is bypassed"), "{body}");
    assert!(body.contains("<li>Fix: slmgr /ckms"), "{body}");
    assert!(body.contains("(client state read from "), "{body}");
    let ja = http(
        srv.addr,
        "GET / HTTP/1.1\r\nHost: x\r\nAccept-Language: ja\r\n\r\n",
    );
    let body = &ja.body;
    assert!(
        body.contains("<h2>クライアントの状態</h2>\n<ul id=\"client\">"),
        "{body}"
    );
    assert!(
        body.contains("<li class=\"product\">Windows(R), Enterprise edition: kms-old.corp.example:1688 に固定 (slmgr /skms) → "),
        "{body}"
    );
    assert!(body.contains("<li>修正: slmgr /ckms"), "{body}");
    assert!(body.contains("(クライアントの状態を "), "{body}");
    // Without client state the page has no such block.
    drop(srv);
    let mut srv = Server::start(&[], &kms);
    srv.wait_healthy();
    assert!(!get(srv.addr, "/").body.contains("id=\"client\""));
}
