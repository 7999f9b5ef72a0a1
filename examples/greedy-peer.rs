//! greedy-peer: one client address that tries to hold many half-open HTTP connections to a
//! server (TCP connected, the first lines of a request sent, the head never finished), the
//! way a broken or hostile client starves a server of connection slots. Test and benchmark
//! support for `serve` (tests/lab_serve_fair.rs, scripts/bench-serve-fair.sh); not part of the
//! shipped binary. Run it only against a server of your own, inside a lab namespace or on
//! loopback.
//!
//! Usage: greedy-peer --bind IP --connect ADDR:PORT [--connections N] [--seconds S]
//!
//! Opens N connections (default 3000) from IP, prints `ready opened=.. failed=..`, then every
//! 250 ms re-opens those the server closed, so it keeps trying to hold N, until S seconds
//! (default 30) have passed. Once a second it prints
//! `held=<open before re-opening> opened=<connects so far> closed_by_server=<..> failed=<..>`.
//! Every connect is bounded by 3 s (a SYN dropped by a full accept queue is sent again after 1 s).

use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, Socket, Type};

const HALF_REQUEST: &[u8] = b"GET /metrics HTTP/1.1\r\nHost: greedy\r\n";
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
const REOPEN_EVERY: Duration = Duration::from_millis(250);

struct Args {
    bind: IpAddr,
    connect: SocketAddr,
    connections: usize,
    seconds: u64,
}

fn args() -> Result<Args, String> {
    let mut bind = None;
    let mut connect = None;
    let mut connections = 3000;
    let mut seconds = 30;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--bind" => bind = Some(value()?.parse().map_err(|e| format!("--bind: {e}"))?),
            "--connect" => connect = Some(value()?.parse().map_err(|e| format!("--connect: {e}"))?),
            "--connections" => {
                connections = value()?
                    .parse()
                    .map_err(|e| format!("--connections: {e}"))?
            }
            "--seconds" => seconds = value()?.parse().map_err(|e| format!("--seconds: {e}"))?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(Args {
        bind: bind.ok_or("--bind IP is required")?,
        connect: connect.ok_or("--connect ADDR:PORT is required")?,
        connections,
        seconds: seconds.min(600),
    })
}

/// Raises the soft open-file limit so that `need` descriptors fit (up to the hard limit).
fn raise_nofile(need: u64) -> Result<(), String> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read and write the struct passed.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return Err(format!("getrlimit: {}", std::io::Error::last_os_error()));
    }
    if lim.rlim_cur >= need {
        return Ok(());
    }
    if lim.rlim_max < need {
        return Err(format!(
            "RLIMIT_NOFILE hard limit {} is below the {need} descriptors needed",
            lim.rlim_max
        ));
    }
    lim.rlim_cur = need;
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) } != 0 {
        return Err(format!("setrlimit: {}", std::io::Error::last_os_error()));
    }
    Ok(())
}

fn open(a: &Args) -> std::io::Result<TcpStream> {
    let s = Socket::new(
        Domain::for_address(a.connect),
        Type::STREAM,
        Some(Protocol::TCP),
    )?;
    s.bind(&SocketAddr::new(a.bind, 0).into())?;
    s.connect_timeout(&a.connect.into(), CONNECT_TIMEOUT)?;
    let mut t: TcpStream = s.into();
    t.write_all(HALF_REQUEST)?;
    t.set_nonblocking(true)?;
    Ok(t)
}

/// Whether the server has closed (or reset) the connection; data it sent is read and dropped.
fn closed(t: &mut TcpStream) -> bool {
    let mut buf = [0u8; 1024];
    loop {
        match t.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return false,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => return true,
        }
    }
}

fn main() {
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("greedy-peer: {e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = raise_nofile(a.connections as u64 + 64) {
        eprintln!("greedy-peer: {e}");
        std::process::exit(2);
    }
    let started = Instant::now();
    let stop = started + Duration::from_secs(a.seconds);
    let mut conns: Vec<Option<TcpStream>> = Vec::with_capacity(a.connections);
    let (mut opened, mut failed, mut closed_by_server) = (0u64, 0u64, 0u64);
    for _ in 0..a.connections {
        if Instant::now() >= stop {
            break;
        }
        match open(&a) {
            Ok(t) => {
                opened += 1;
                conns.push(Some(t));
            }
            Err(_) => {
                failed += 1;
                conns.push(None);
            }
        }
    }
    println!("ready opened={opened} failed={failed}");
    let mut last_report = Instant::now();
    while Instant::now() < stop {
        std::thread::sleep(REOPEN_EVERY);
        let mut held = 0u64;
        for c in conns.iter_mut() {
            if let Some(t) = c {
                if closed(t) {
                    closed_by_server += 1;
                    *c = None;
                } else {
                    held += 1;
                }
            }
        }
        for c in conns.iter_mut().filter(|c| c.is_none()) {
            if Instant::now() >= stop {
                break;
            }
            match open(&a) {
                Ok(t) => {
                    opened += 1;
                    *c = Some(t);
                }
                Err(_) => failed += 1,
            }
        }
        if last_report.elapsed() >= Duration::from_secs(1) {
            last_report = Instant::now();
            println!(
                "held={held} opened={opened} closed_by_server={closed_by_server} failed={failed}"
            );
        }
    }
    println!("done opened={opened} closed_by_server={closed_by_server} failed={failed}");
}
