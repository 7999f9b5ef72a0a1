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

/// The hickory record vocabulary that check kinds read answers with, re-exported so that no
/// crate above `net` depends on hickory itself.
pub mod proto {
    pub use hickory_resolver::proto::rr::{Name, RData, Record, RecordType};
}
use crate::memo::RunMemo;
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
        other => rcode_class(other),
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

/// Longest [`query_servers`] can take: the servers are asked side by side, so one UDP query
/// and one TCP retry, each with its timeout and a little slack, whatever the number of
/// servers. Check kinds build their job budgets on it.
pub fn lookup_budget(timeout: Duration, servers: &[SocketAddr]) -> Duration {
    let _ = servers;
    timeout * 2 + Duration::from_millis(500)
}

/// [`query`], remembering in `memo` a server that timed out. Asked again in the same run (from
/// the same source), such a server gets no new query: the answer is the same timeout at once,
/// so a dead server costs one timeout for the run, not one per host and check. The flag says
/// whether the result was remembered rather than asked.
pub async fn query_remembered(
    memo: &RunMemo,
    server: SocketAddr,
    name: &Name,
    rtype: RecordType,
    timeout: Duration,
    source: Option<&Source>,
) -> (Result<DnsReply, DnsFailure>, bool) {
    if memo.dns_dead(server, source).is_some() {
        return (Err(DnsFailure::Timeout), true);
    }
    let r = query(server, name, rtype, timeout, source).await;
    if matches!(r, Err(DnsFailure::Timeout)) {
        memo.mark_dns_dead(server, source, timeout);
    }
    (r, false)
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
    memo: &RunMemo,
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
        query_following_cnames(memo, servers, &name, RecordType::A, timeout, source),
        query_following_cnames(memo, servers, &name, RecordType::AAAA, timeout, source),
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
    memo: &RunMemo,
    servers: &[SocketAddr],
    name: &Name,
    rtype: RecordType,
    timeout: Duration,
    source: Option<&Source>,
) -> (Option<DnsReply>, Vec<Attempt>) {
    let mut current = name.clone();
    let mut all_attempts = Vec::new();
    for _ in 0..8 {
        let (reply, attempts) =
            query_servers(memo, servers, &current, rtype, timeout, source).await;
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
    /// The server timed out earlier in this run and was not asked again ([`RunMemo`]).
    pub remembered: bool,
    /// From the start of the lookup to this server's answer or failure.
    pub elapsed: Duration,
}

/// Answers like a stub resolver that asks servers in order, the first definitive answer
/// (records, NXDOMAIN, NODATA) winning and SERVFAIL, REFUSED and transport failures moving on
/// to the next server, but asks every server at once, each bounded by its own timeout: a dead
/// server costs one timeout, not one per server. The answer of a server is taken as soon as
/// every server before it in the list has failed or given a non-definitive answer; servers
/// after the deciding one are not waited for (their attempts are left out, as a stub resolver
/// would not have asked them). Returns the deciding reply (or the first non-definitive one)
/// and the attempts in server order.
pub async fn query_servers(
    memo: &RunMemo,
    servers: &[SocketAddr],
    name: &Name,
    rtype: RecordType,
    timeout: Duration,
    source: Option<&Source>,
) -> (Option<DnsReply>, Vec<Attempt>) {
    use futures_like::select_in_order;
    let started = Instant::now();
    let futs: Vec<_> = servers
        .iter()
        .map(|&server| async move {
            let (r, remembered) =
                query_remembered(memo, server, name, rtype, timeout, source).await;
            (server, r, remembered, started.elapsed())
        })
        .collect();
    let definitive = |r: &(SocketAddr, Result<DnsReply, DnsFailure>, bool, Duration)| {
        matches!(
            &r.1,
            Ok(rep) if matches!(
                rep.class,
                AnswerClass::Records | AnswerClass::NxDomain | AnswerClass::NoData
            )
        )
    };
    let done = select_in_order(futs, definitive).await;
    let mut attempts = Vec::new();
    let mut fallback: Option<DnsReply> = None;
    let mut decided: Option<DnsReply> = None;
    for (server, r, remembered, elapsed) in done {
        match r {
            Ok(rep) => {
                attempts.push(Attempt {
                    server,
                    result: Ok(rep.class.clone()),
                    remembered,
                    elapsed,
                });
                match rep.class {
                    AnswerClass::Records | AnswerClass::NxDomain | AnswerClass::NoData => {
                        decided = Some(rep);
                        break;
                    }
                    _ => {
                        if fallback.is_none() {
                            fallback = Some(rep);
                        }
                    }
                }
            }
            Err(e) => attempts.push(Attempt {
                server,
                result: Err(e),
                remembered,
                elapsed,
            }),
        }
    }
    (decided.or(fallback), attempts)
}

/// Running futures side by side while consuming their results in list order.
mod futures_like {
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    /// Polls every future concurrently and returns the results in list order, up to and
    /// including the first one for which `stop` holds (once every earlier one is done), or all
    /// of them. Futures after the stopping one are dropped (cancelled).
    pub async fn select_in_order<F, T>(futs: Vec<F>, stop: impl Fn(&T) -> bool) -> Vec<T>
    where
        F: Future<Output = T>,
    {
        let mut futs: Vec<Pin<Box<F>>> = futs.into_iter().map(Box::pin).collect();
        let mut results: Vec<Option<T>> = futs.iter().map(|_| None).collect();
        let mut pending: Vec<bool> = futs.iter().map(|_| true).collect();
        std::future::poll_fn(move |cx: &mut Context<'_>| {
            for i in 0..futs.len() {
                if pending[i] {
                    if let Poll::Ready(v) = futs[i].as_mut().poll(cx) {
                        results[i] = Some(v);
                        pending[i] = false;
                    }
                }
            }
            // The prefix of finished results decides.
            let mut out_len = None;
            for (i, r) in results.iter().enumerate() {
                match r {
                    None => break,
                    Some(v) if stop(v) => {
                        out_len = Some(i + 1);
                        break;
                    }
                    Some(_) if i + 1 == results.len() => out_len = Some(i + 1),
                    Some(_) => {}
                }
            }
            if results.is_empty() {
                out_len = Some(0);
            }
            match out_len {
                Some(n) => Poll::Ready(results.drain(..n).map(|r| r.expect("finished")).collect()),
                None => Poll::Pending,
            }
        })
        .await
    }
}

/// Evidence form of the attempts.
pub fn attempts_json(attempts: &[Attempt]) -> serde_json::Value {
    serde_json::Value::Array(
        attempts
            .iter()
            .map(|a| {
                let mut v = serde_json::json!({
                    "server": a.server.to_string(),
                    "result": match &a.result { Ok(c) => c.label(), Err(f) => f.label() },
                    "elapsed_ms": crate::ms(a.elapsed),
                });
                if a.remembered {
                    v["remembered"] = serde_json::Value::Bool(true);
                }
                v
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
                "{}: {}{}",
                a.server,
                match &a.result {
                    Ok(c) => c.label(),
                    Err(f) => f.label(),
                },
                if a.remembered {
                    " (earlier in this run; not asked again)"
                } else {
                    ""
                }
            )
        })
        .collect();
    parts.join("; ")
}

/// What [`system_lookup`] asks through, as reports name it.
pub const SYSTEM_RESOLVER: &str =
    "system resolver (hickory from the system configuration, cache off)";

/// The system resolver's answer: records, NXDOMAIN or NODATA ([`AnswerClass`]), with the
/// records of the answer section.
#[derive(Debug, Clone)]
pub struct SystemAnswer {
    pub class: AnswerClass,
    pub records: Vec<Record>,
}

/// Why the system resolver gave no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SystemFailure {
    /// SERVFAIL, REFUSED or another error rcode, with its number and name.
    Rcode {
        class: AnswerClass,
        code: u16,
        name: String,
    },
    Timeout,
    /// The configuration could not be read or the resolver not built.
    Unavailable(String),
    /// Any other error, as hickory words it.
    Other(String),
}

impl SystemFailure {
    pub fn label(&self) -> String {
        match self {
            SystemFailure::Rcode { code, name, .. } => format!("rcode {code} ({name})"),
            SystemFailure::Timeout => "timeout".into(),
            SystemFailure::Unavailable(s) | SystemFailure::Other(s) => s.clone(),
        }
    }
}

/// Asks through hickory's resolver built from the system configuration (resolv.conf, or the
/// Windows adapters) with its cache off and no retries: a pool that may reorder servers and
/// stop at the first negative answer (crate-notes §3), like a stub resolver. Not bound to a
/// source: it shows what the system would answer. Ends within 3 × `timeout` + 0.5 s (the pool
/// may try several servers one after another).
pub async fn system_lookup(
    name: &Name,
    rtype: RecordType,
    timeout: Duration,
) -> Result<SystemAnswer, SystemFailure> {
    use hickory_resolver::net::DnsError;
    let mut builder = hickory_resolver::TokioResolver::builder_tokio().map_err(|e| {
        SystemFailure::Unavailable(format!(
            "cannot read the system resolver configuration: {e}"
        ))
    })?;
    let o = builder.options_mut();
    o.cache_size = 0;
    o.timeout = timeout;
    o.attempts = 0;
    let resolver = builder.build().map_err(|e| {
        SystemFailure::Unavailable(format!("cannot build the system resolver: {e}"))
    })?;
    let fut = resolver.lookup(name.clone(), rtype);
    match tokio::time::timeout(timeout * 3 + Duration::from_millis(500), fut).await {
        Err(_) => Err(SystemFailure::Timeout),
        Ok(Ok(lookup)) => Ok(SystemAnswer {
            class: AnswerClass::Records,
            records: lookup.answers().to_vec(),
        }),
        Ok(Err(NetError::Dns(DnsError::NoRecordsFound(nr)))) => Ok(SystemAnswer {
            class: if nr.response_code == ResponseCode::NXDomain {
                AnswerClass::NxDomain
            } else {
                AnswerClass::NoData
            },
            records: Vec::new(),
        }),
        Ok(Err(NetError::Dns(DnsError::ResponseCode(rc)))) => Err(SystemFailure::Rcode {
            class: rcode_class(rc),
            code: u16::from(rc),
            name: rc.to_str().to_string(),
        }),
        Ok(Err(NetError::Timeout)) => Err(SystemFailure::Timeout),
        Ok(Err(e)) => Err(SystemFailure::Other(e.to_string())),
    }
}

fn rcode_class(rc: ResponseCode) -> AnswerClass {
    match rc {
        ResponseCode::NXDomain => AnswerClass::NxDomain,
        ResponseCode::ServFail => AnswerClass::ServFail,
        ResponseCode::Refused => AnswerClass::Refused,
        other => AnswerClass::Other(u16::from(other), other.to_str().to_string()),
    }
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

#[cfg(test)]
mod tests {
    use super::futures_like::select_in_order;
    use super::*;
    use std::time::Duration;

    #[test]
    fn system_failures_read_as_before() {
        let rc = ResponseCode::ServFail;
        let f = SystemFailure::Rcode {
            class: rcode_class(rc),
            code: u16::from(rc),
            name: rc.to_str().to_string(),
        };
        assert_eq!(f.label(), "rcode 2 (Server Failure)");
        assert!(matches!(
            f,
            SystemFailure::Rcode {
                class: AnswerClass::ServFail,
                ..
            }
        ));
        assert_eq!(rcode_class(ResponseCode::Refused), AnswerClass::Refused);
        assert_eq!(SystemFailure::Timeout.label(), "timeout");
        assert_eq!(AnswerClass::NxDomain.label(), "NXDOMAIN");
        assert_eq!(AnswerClass::NoData.label(), "NODATA");
    }

    async fn after(ms: u64, v: u32) -> u32 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        v
    }

    #[tokio::test]
    async fn results_in_list_order_run_side_by_side() {
        // The first is slow; the run takes about its time, not the sum.
        let started = std::time::Instant::now();
        let got = select_in_order(vec![after(300, 1), after(10, 2), after(10, 3)], |_| false).await;
        assert_eq!(got, [1, 2, 3]);
        assert!(started.elapsed() < Duration::from_millis(600));
        // A stopping result after a finished prefix ends it; later ones are not waited for.
        let started = std::time::Instant::now();
        let got = select_in_order(vec![after(10, 1), after(20, 2), after(5000, 3)], |v| {
            *v == 2
        })
        .await;
        assert_eq!(got, [1, 2]);
        assert!(started.elapsed() < Duration::from_secs(2));
        // The stop is taken in list order: 2 stops, but 1 before it must finish first.
        let got = select_in_order(vec![after(100, 1), after(1, 2)], |v| *v == 2).await;
        assert_eq!(got, [1, 2]);
        let none: Vec<u32> = select_in_order(Vec::<std::future::Ready<u32>>::new(), |_| true).await;
        assert!(none.is_empty());
    }
}
