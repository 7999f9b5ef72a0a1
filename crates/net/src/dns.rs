//! DNS queries to one server at a time, through hickory's raw client (no cache, no server
//! pool reordering): an audit must know which server said what. UDP first, TCP when the UDP
//! answer is truncated.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use hickory_resolver::net::client::{Client, ClientHandle};
use hickory_resolver::net::tcp::TcpClientStream;
use hickory_resolver::net::udp::UdpClientStream;
use hickory_resolver::net::NetError;
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{DNSClass, Name, RData, Record, RecordType};

use crate::bound::BoundProvider;
use crate::source::Source;

/// What the answer means for the question asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerClass {
    /// Records of the asked type are present.
    Records,
    /// NXDOMAIN: the name does not exist.
    NxDomain,
    /// NOERROR with no record of the asked type: the name exists, the type does not.
    NoData,
    /// SERVFAIL: the server could not answer (broken zone, failed recursion, DNSSEC).
    ServFail,
    /// REFUSED: policy (not authoritative and no recursion for this client).
    Refused,
    /// Any other response code.
    Other(u16, String),
}

impl AnswerClass {
    pub fn label(&self) -> String {
        match self {
            AnswerClass::Records => "records".into(),
            AnswerClass::NxDomain => "NXDOMAIN".into(),
            AnswerClass::NoData => "NODATA".into(),
            AnswerClass::ServFail => "SERVFAIL".into(),
            AnswerClass::Refused => "REFUSED".into(),
            AnswerClass::Other(n, s) => format!("rcode {n} ({s})"),
        }
    }
}

/// A DNS response from one server.
#[derive(Debug, Clone)]
pub struct DnsReply {
    pub server: SocketAddr,
    pub class: AnswerClass,
    pub authoritative: bool,
    /// The UDP answer was truncated and the query was repeated over TCP.
    pub tcp_fallback: bool,
    pub answers: Vec<Record>,
    pub additionals: Vec<Record>,
    /// From the SOA in the authority section of a negative answer (RFC 2308).
    pub negative_ttl: Option<u32>,
    pub rtt: Duration,
}

/// Why no response came back from a server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsFailure {
    /// Nothing within the timeout (server down, filtered, or port closed: hickory's UDP
    /// sockets are unconnected, so ICMP port-unreachable is not seen).
    Timeout,
    /// Connection refused (TCP) or ICMP port unreachable.
    Refused(String),
    /// Network or host unreachable.
    Unreachable(String),
    /// A response that could not be parsed.
    Malformed(String),
    /// Anything else.
    Io(String),
}

impl DnsFailure {
    pub fn label(&self) -> String {
        match self {
            DnsFailure::Timeout => "timeout".into(),
            DnsFailure::Refused(e) => format!("connection refused ({e})"),
            DnsFailure::Unreachable(e) => format!("unreachable ({e})"),
            DnsFailure::Malformed(e) => format!("malformed response ({e})"),
            DnsFailure::Io(e) => format!("I/O error ({e})"),
        }
    }
    pub fn class(&self) -> &'static str {
        match self {
            DnsFailure::Timeout => "timeout",
            DnsFailure::Refused(_) => "refused",
            DnsFailure::Unreachable(_) => "unreachable",
            DnsFailure::Malformed(_) => "malformed",
            DnsFailure::Io(_) => "io",
        }
    }
}

/// Parses a domain name given by the user or a rule; always fully qualified.
pub fn fqdn(name: &str) -> Result<Name, String> {
    let trimmed = name.trim().trim_end_matches('.');
    if trimmed.is_empty() {
        return Err("empty DNS name".into());
    }
    Name::from_ascii(format!("{trimmed}.")).map_err(|e| format!("invalid DNS name {name:?}: {e}"))
}

/// A name as users write it: lower case, no trailing dot.
pub fn display_name(n: &Name) -> String {
    let s = n.to_ascii().to_ascii_lowercase();
    if s == "." {
        s
    } else {
        s.trim_end_matches('.').to_string()
    }
}

fn classify_net_error(e: &NetError) -> DnsFailure {
    match e {
        NetError::Timeout => DnsFailure::Timeout,
        NetError::Io(io) => {
            let f = crate::tcp::classify_connect_error(io);
            match f {
                crate::tcp::ConnectFailure::Refused => DnsFailure::Refused(io.to_string()),
                crate::tcp::ConnectFailure::TimedOut => DnsFailure::Timeout,
                crate::tcp::ConnectFailure::Unreachable(s)
                | crate::tcp::ConnectFailure::Prohibited(s) => DnsFailure::Unreachable(s),
                _ => DnsFailure::Io(io.to_string()),
            }
        }
        NetError::Proto(p) => DnsFailure::Malformed(p.to_string()),
        other => DnsFailure::Io(other.to_string()),
    }
}

fn bind_addr(server: SocketAddr, source: Option<&Source>) -> Option<SocketAddr> {
    source
        .and_then(|s| s.address)
        .filter(|a| a.is_ipv4() == server.is_ipv4())
        .map(|a| SocketAddr::new(a, 0))
}

/// Asks one server one question. UDP, then TCP if the UDP answer was truncated.
pub async fn query(
    server: SocketAddr,
    name: &Name,
    rtype: RecordType,
    timeout: Duration,
    source: Option<&Source>,
) -> Result<DnsReply, DnsFailure> {
    let bind = bind_addr(server, source);
    let started = Instant::now();
    // The provider binds every socket to the source's interface (Linux), see net::bound.
    let provider = BoundProvider::for_source(source);
    let stream = UdpClientStream::builder(server, provider.clone())
        .with_timeout(Some(timeout))
        .with_bind_addr(bind)
        .build();
    let (mut client, bg) = Client::<BoundProvider>::from_sender(stream);
    let bg = tokio::spawn(bg);
    let udp = tokio::time::timeout(
        timeout + Duration::from_millis(200),
        client.query(name.clone(), DNSClass::IN, rtype),
    )
    .await;
    bg.abort();
    let resp = match udp {
        Err(_) => return Err(DnsFailure::Timeout),
        Ok(Err(e)) => return Err(classify_net_error(&e)),
        Ok(Ok(r)) => r,
    };
    if !resp.metadata.truncation {
        return Ok(reply(server, name, rtype, &resp, false, started.elapsed()));
    }
    let (fut, handle) = TcpClientStream::new(server, bind, Some(timeout), provider);
    let tcp_stream = match tokio::time::timeout(timeout, fut).await {
        Err(_) => return Err(DnsFailure::Timeout),
        Ok(Err(e)) => return Err(classify_net_error(&e)),
        Ok(Ok(s)) => s,
    };
    let (mut client, bg) = Client::<BoundProvider>::with_timeout(tcp_stream, handle, timeout);
    let bg = tokio::spawn(bg);
    let tcp = tokio::time::timeout(
        timeout + Duration::from_millis(200),
        client.query(name.clone(), DNSClass::IN, rtype),
    )
    .await;
    bg.abort();
    match tcp {
        Err(_) => Err(DnsFailure::Timeout),
        Ok(Err(e)) => Err(classify_net_error(&e)),
        Ok(Ok(r)) => Ok(reply(server, name, rtype, &r, true, started.elapsed())),
    }
}

fn reply(
    server: SocketAddr,
    name: &Name,
    rtype: RecordType,
    msg: &hickory_resolver::proto::op::Message,
    tcp_fallback: bool,
    rtt: Duration,
) -> DnsReply {
    let rcode = msg.metadata.response_code;
    let has_type = msg.answers.iter().any(|r| r.record_type() == rtype);
    let class = match rcode {
        ResponseCode::NoError if has_type => AnswerClass::Records,
        ResponseCode::NoError => AnswerClass::NoData,
        ResponseCode::NXDomain => AnswerClass::NxDomain,
        ResponseCode::ServFail => AnswerClass::ServFail,
        ResponseCode::Refused => AnswerClass::Refused,
        other => AnswerClass::Other(u16::from(other), other.to_str().to_string()),
    };
    let negative_ttl = msg.authorities.iter().find_map(|r| match &r.data {
        RData::SOA(soa) => Some(soa.minimum.min(r.ttl)),
        _ => None,
    });
    let _ = name;
    DnsReply {
        server,
        class,
        authoritative: msg.metadata.authoritative,
        tcp_fallback,
        answers: msg.answers.clone(),
        additionals: msg.additionals.clone(),
        negative_ttl,
        rtt,
    }
}

/// Longest [`query_servers`] can take: per server a UDP query and a TCP retry, each with
/// its timeout and a little slack. Check kinds build their job budgets on it.
pub fn lookup_budget(timeout: Duration, servers: &[SocketAddr]) -> Duration {
    let servers = servers.len().max(1) as u32;
    (timeout * 2 + Duration::from_millis(500)) * servers
}

/// Addresses of a host: the literal itself, or A and AAAA asked in parallel.
pub struct Resolution {
    pub addresses: Vec<IpAddr>,
    pub v4: Option<DnsReply>,
    pub v6: Option<DnsReply>,
    pub attempts: Vec<Attempt>,
}

/// Resolves `host` (or takes an IP literal as is): A and AAAA asked in parallel, each through
/// [`query_servers`] and following CNAMEs out of zone. Errors say why nothing could be asked.
pub async fn resolve_host(
    servers: &[SocketAddr],
    host: &str,
    timeout: Duration,
    source: Option<&Source>,
) -> Result<Resolution, String> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(Resolution {
            addresses: vec![ip],
            v4: None,
            v6: None,
            attempts: Vec::new(),
        });
    }
    let name = fqdn(host)?;
    if servers.is_empty() {
        return Err("no DNS server to ask: the system configuration lists none; pass --dns".into());
    }
    let (a, aaaa) = tokio::join!(
        query_following_cnames(servers, &name, RecordType::A, timeout, source),
        query_following_cnames(servers, &name, RecordType::AAAA, timeout, source),
    );
    let mut addresses = Vec::new();
    for reply in [&a.0, &aaaa.0].into_iter().flatten() {
        for r in &reply.answers {
            match &r.data {
                RData::A(v4) => addresses.push(IpAddr::V4(v4.0)),
                RData::AAAA(v6) => addresses.push(IpAddr::V6(v6.0)),
                _ => {}
            }
        }
    }
    addresses.dedup();
    let mut attempts = a.1;
    attempts.extend(aaaa.1);
    Ok(Resolution {
        addresses,
        v4: a.0,
        v6: aaaa.0,
        attempts,
    })
}

/// Like [`query_servers`], but when the answer is only an alias (a CNAME without the
/// asked type: an authoritative, non-recursive server does not chase a CNAME into another
/// zone) the canonical name is asked next, like a recursive resolver would. At most 8 hops.
async fn query_following_cnames(
    servers: &[SocketAddr],
    name: &Name,
    rtype: RecordType,
    timeout: Duration,
    source: Option<&Source>,
) -> (Option<DnsReply>, Vec<Attempt>) {
    let mut current = name.clone();
    let mut all_attempts = Vec::new();
    for _ in 0..8 {
        let (reply, attempts) = query_servers(servers, &current, rtype, timeout, source).await;
        all_attempts.extend(attempts);
        let next = match &reply {
            Some(r) if r.class == AnswerClass::NoData => {
                // Walk the chain inside the answer to its last name (bounded: a cycle ends it).
                let mut end = current.clone();
                for _ in 0..r.answers.len() {
                    match r.answers.iter().find_map(|rec| match &rec.data {
                        RData::CNAME(c) if rec.name == end => Some(c.0.clone()),
                        _ => None,
                    }) {
                        Some(c) if c != current => end = c,
                        _ => break,
                    }
                }
                (end != current).then_some(end)
            }
            _ => None,
        };
        match next {
            Some(n) => current = n,
            None => return (reply, all_attempts),
        }
    }
    (None, all_attempts)
}

/// One server's part in a stub-resolver style lookup.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub server: SocketAddr,
    pub result: Result<AnswerClass, DnsFailure>,
}

/// Asks servers in order like a stub resolver: the first definitive answer wins
/// (records, NXDOMAIN, NODATA); SERVFAIL, REFUSED and transport failures move on to the next
/// server. Returns the deciding reply (or the last non-definitive one) and every attempt.
pub async fn query_servers(
    servers: &[SocketAddr],
    name: &Name,
    rtype: RecordType,
    timeout: Duration,
    source: Option<&Source>,
) -> (Option<DnsReply>, Vec<Attempt>) {
    let mut attempts = Vec::new();
    let mut fallback: Option<DnsReply> = None;
    for &server in servers {
        match query(server, name, rtype, timeout, source).await {
            Ok(r) => {
                attempts.push(Attempt {
                    server,
                    result: Ok(r.class.clone()),
                });
                match r.class {
                    AnswerClass::Records | AnswerClass::NxDomain | AnswerClass::NoData => {
                        return (Some(r), attempts)
                    }
                    _ => {
                        if fallback.is_none() {
                            fallback = Some(r);
                        }
                    }
                }
            }
            Err(e) => attempts.push(Attempt {
                server,
                result: Err(e),
            }),
        }
    }
    (fallback, attempts)
}

/// Evidence form of the attempts.
pub fn attempts_json(attempts: &[Attempt]) -> serde_json::Value {
    serde_json::Value::Array(
        attempts
            .iter()
            .map(|a| {
                serde_json::json!({
                    "server": a.server.to_string(),
                    "result": match &a.result { Ok(c) => c.label(), Err(f) => f.label() },
                })
            })
            .collect(),
    )
}

/// Text for a failure to get any answer from the servers.
pub fn no_answer_message(attempts: &[Attempt]) -> String {
    if attempts.is_empty() {
        return "no DNS server to ask: /etc/resolv.conf lists none; pass --dns".into();
    }
    let parts: Vec<String> = attempts
        .iter()
        .map(|a| {
            format!(
                "{}: {}",
                a.server,
                match &a.result {
                    Ok(c) => c.label(),
                    Err(f) => f.label(),
                }
            )
        })
        .collect();
    parts.join("; ")
}

/// The system resolver configuration: servers and the domain search list.
pub fn system_dns() -> (Vec<SocketAddr>, Vec<String>) {
    match hickory_resolver::system_conf::read_system_conf() {
        Ok((cfg, _)) => {
            let mut servers: Vec<SocketAddr> = Vec::new();
            for ns in cfg.name_servers() {
                let port = ns.connections.first().map_or(53, |c| c.port);
                let sa = SocketAddr::new(ns.ip, port);
                if !servers.contains(&sa) {
                    servers.push(sa);
                }
            }
            let mut domains: Vec<String> = cfg.search().iter().map(display_name).collect();
            if domains.is_empty() {
                if let Some(d) = cfg.domain() {
                    domains.push(display_name(d));
                }
            }
            domains.retain(|d| d != "." && !d.is_empty());
            (servers, domains)
        }
        Err(_) => (Vec::new(), Vec::new()),
    }
}
