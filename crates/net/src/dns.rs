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
    /// Records, NXDOMAIN or NODATA: an answer a stub resolver stops at.
    pub fn is_definitive(&self) -> bool {
        matches!(
            self,
            AnswerClass::Records | AnswerClass::NxDomain | AnswerClass::NoData
        )
    }

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
    /// Not a failure of the server's: it had not answered within the per-server wait (zero:
    /// not waited for, it had left an earlier lookup unanswered) and a later server decided
    /// the lookup ([`query_servers`]).
    MovedOn(Duration),
}

impl DnsFailure {
    pub fn label(&self) -> String {
        match self {
            DnsFailure::Timeout => "timeout".into(),
            DnsFailure::Refused(e) => format!("connection refused ({e})"),
            DnsFailure::Unreachable(e) => format!("unreachable ({e})"),
            DnsFailure::Malformed(e) => format!("malformed response ({e})"),
            DnsFailure::Io(e) => format!("I/O error ({e})"),
            DnsFailure::MovedOn(w) if w.is_zero() => {
                "not waited for (it left an earlier lookup unanswered); a later server answered"
                    .into()
            }
            DnsFailure::MovedOn(w) => format!(
                "no answer within {}; a later server answered",
                humantime::format_duration(*w)
            ),
        }
    }
    pub fn class(&self) -> &'static str {
        match self {
            DnsFailure::Timeout => "timeout",
            DnsFailure::Refused(_) => "refused",
            DnsFailure::Unreachable(_) => "unreachable",
            DnsFailure::Malformed(_) => "malformed",
            DnsFailure::Io(_) => "io",
            DnsFailure::MovedOn(_) => "moved-on",
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
                crate::tcp::ConnectFailure::Unreachable(_)
                | crate::tcp::ConnectFailure::Prohibited(_) => {
                    DnsFailure::Unreachable(io.to_string())
                }
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

/// A job budget for one [`query_servers`] lookup. The lookup itself ends by its timeout,
/// whatever the number of servers (they are asked in turn within it, the TCP retry of a
/// truncated answer included); the budget keeps the second timeout and 500 ms of slack it had
/// when the TCP retry had a timeout of its own, and check kinds build their budgets on it.
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
/// zone) the canonical name is asked next, like a recursive resolver would. At most 8 hops,
/// all within `timeout`.
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
    // The hops share the lookup's timeout: a chain of aliases ends by it too.
    let deadline = tokio::time::Instant::now() + timeout;
    for _ in 0..8 {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        if left.is_zero() {
            break;
        }
        let (reply, attempts) = query_servers(memo, servers, &current, rtype, left, source).await;
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
    /// What the run had learnt of this server decided how it was treated ([`RunMemo`]): it
    /// timed out earlier and was not asked again, or it left an earlier lookup unanswered
    /// for the per-server wait and was asked without being waited for.
    pub remembered: bool,
    /// From the start of the lookup to this server's answer or failure, or to the moment the
    /// lookup stopped waiting for it.
    pub elapsed: Duration,
}

/// How long a Windows client waits for one DNS server before it asks the next one: 1 s.
/// Microsoft documents it in "DNS client resolution timeouts" (Microsoft Learn, KB 2834226,
/// learn.microsoft.com/troubleshoot/windows-server/networking/dns-client-resolution-timeouts):
/// the client sends its query and, with no response after 1 second, queries again; with a
/// preferred and an alternate server that next query goes to the alternate (the Windows
/// networking team's "DNS Client Resolver Behavior", 2009), and the first of the default
/// `DNSQueryTimeouts` (1 2 2 4 8 s, the preferred server on the preferred adapter) is the same
/// second. The earlier server is not abandoned: its answer is still taken if it comes first.
pub const PER_SERVER_WAIT: Duration = Duration::from_secs(1);

/// The per-server wait in a lookup of `timeout` over `servers` servers: the client's
/// [`PER_SERVER_WAIT`], or less when the timeout would otherwise end before the last server
/// is asked (every server gets its turn within the timeout).
pub fn per_server_wait(timeout: Duration, servers: usize) -> Duration {
    PER_SERVER_WAIT.min(timeout / (servers.max(1) as u32))
}

/// Answers like a client's stub resolver over several servers (Windows: see
/// [`PER_SERVER_WAIT`]), bounded by `timeout` for the whole lookup:
///
/// * The first server is asked at once. Server k is asked as soon as every server before it
///   has *passed*: it failed (a transport failure, a timeout remembered from earlier in the
///   run), gave a non-definitive answer (SERVFAIL, REFUSED, another rcode), or has been
///   waited on for its per-server wait ([`per_server_wait`]) since it was asked. A server that
///   left an earlier lookup of this run unanswered for its wait (and has not answered since)
///   has a wait of zero: the next server is asked with it, as a client that demoted it would.
/// * Asking the next server does not stop listening to the earlier ones: every query runs
///   until the lookup ends.
/// * The lookup ends with the first definitive answer (records, NXDOMAIN, NODATA) *in time*:
///   server k's definitive answer is accepted when it arrives, because every server before k
///   has passed by then (k was only asked after that). So an earlier server's definitive
///   answer still wins when it arrives before a later server's (in the same instant, list
///   order decides); once a later server's answer has been accepted, nothing that comes after
///   it counts.
/// * Otherwise the lookup ends when every server has failed or answered non-definitively, or
///   at `timeout`, when servers still unanswered count as timed out.
///
/// Returns the deciding reply (or the first non-definitive one) and the attempts in server
/// order, up to the deciding server: a server still unanswered when a later one decided is
/// [`DnsFailure::MovedOn`]; servers not asked, and servers after the deciding one, are left
/// out, as the client would not have waited for them. A server that timed out is remembered
/// in `memo` as dead (not asked again in this run), one that was moved on from as slow.
pub async fn query_servers(
    memo: &RunMemo,
    servers: &[SocketAddr],
    name: &Name,
    rtype: RecordType,
    timeout: Duration,
    source: Option<&Source>,
) -> (Option<DnsReply>, Vec<Attempt>) {
    let wait = per_server_wait(timeout, servers.len());
    let waits: Vec<Duration> = servers
        .iter()
        .map(|s| {
            if memo.dns_slow(*s, source) {
                Duration::ZERO
            } else {
                wait
            }
        })
        .collect();
    let ask = |k: usize, left: Duration| {
        let server = servers[k];
        async move { query_remembered(memo, server, name, rtype, left, source).await }
    };
    let definitive = |r: &(Result<DnsReply, DnsFailure>, bool)| matches!(&r.0, Ok(rep) if rep.class.is_definitive());
    let out = failover::ask_in_turn(&waits, timeout, ask, definitive).await;
    let last = out.decided.unwrap_or(servers.len().saturating_sub(1));
    let mut attempts = Vec::new();
    let mut fallback: Option<DnsReply> = None;
    let mut decided: Option<DnsReply> = None;
    for (k, slot) in out.slots.into_iter().enumerate().take(last + 1) {
        let server = servers[k];
        match slot {
            failover::Slot::NotAsked => break,
            failover::Slot::Done {
                at,
                value: (r, remembered),
            } => match r {
                Ok(rep) => {
                    memo.clear_dns_slow(server, source);
                    attempts.push(Attempt {
                        server,
                        result: Ok(rep.class.clone()),
                        remembered,
                        elapsed: at,
                    });
                    if Some(k) == out.decided {
                        decided = Some(rep);
                    } else if fallback.is_none() {
                        fallback = Some(rep);
                    }
                }
                Err(e) => attempts.push(Attempt {
                    server,
                    result: Err(e),
                    remembered,
                    elapsed: at,
                }),
            },
            failover::Slot::Pending { asked } => {
                let result = if out.decided.is_some() {
                    // A later server decided while this one was still silent.
                    if !waits[k].is_zero() {
                        memo.mark_dns_slow(server, source);
                    }
                    Err(DnsFailure::MovedOn(waits[k]))
                } else {
                    memo.mark_dns_dead(server, source, timeout.saturating_sub(asked));
                    Err(DnsFailure::Timeout)
                };
                attempts.push(Attempt {
                    server,
                    result,
                    remembered: waits[k].is_zero(),
                    elapsed: out.ended,
                });
            }
        }
    }
    (decided.or(fallback), attempts)
}

/// Asking servers in turn, each after the ones before it have passed, while listening to all.
mod failover {
    use std::future::Future;
    use std::pin::Pin;
    use std::task::Poll;
    use std::time::Duration;

    use tokio::time::Instant;

    /// What became of one server's query. Times are from the start of the lookup.
    #[derive(Debug)]
    pub enum Slot<T> {
        NotAsked,
        /// Asked, no result when the lookup ended.
        Pending {
            asked: Duration,
        },
        Done {
            at: Duration,
            value: T,
        },
    }

    #[derive(Debug)]
    pub struct Outcome<T> {
        /// Per server, in list order.
        pub slots: Vec<Slot<T>>,
        /// The server whose definitive result ended the lookup.
        pub decided: Option<usize>,
        /// When the lookup ended.
        pub ended: Duration,
    }

    /// Asks server 0 at once and server k once every server before it has passed (a result
    /// that is not definitive, or `waits[j]` elapsed since server j was asked); `ask(k, left)`
    /// starts server k's query with the time left. Ends at the first definitive result (the
    /// lowest such server when several are in hand at once), when every server has given a
    /// result, or at `timeout`. Unfinished queries are dropped (cancelled) at the end.
    pub async fn ask_in_turn<T, F, Fut>(
        waits: &[Duration],
        timeout: Duration,
        mut ask: F,
        definitive: impl Fn(&T) -> bool,
    ) -> Outcome<T>
    where
        F: FnMut(usize, Duration) -> Fut,
        Fut: Future<Output = T>,
    {
        let n = waits.len();
        let start = Instant::now();
        let deadline = start + timeout;
        let mut futs: Vec<Option<Pin<Box<Fut>>>> = (0..n).map(|_| None).collect();
        let mut slots: Vec<Slot<T>> = (0..n).map(|_| Slot::NotAsked).collect();
        let mut next = 0; // the first server not asked yet
        let mut timer = Box::pin(tokio::time::sleep_until(deadline));
        let decided = std::future::poll_fn(|cx| loop {
            let now = Instant::now();
            // The moment the next server's turn comes: when the last pending one before it
            // has been waited on (failed ones have passed already).
            let turn = |slots: &[Slot<T>], k: usize| -> Instant {
                slots[..k]
                    .iter()
                    .zip(waits)
                    .filter_map(|(s, w)| match s {
                        Slot::Pending { asked } => Some(start + *asked + *w),
                        _ => None,
                    })
                    .max()
                    .unwrap_or(start)
            };
            while next < n && turn(&slots, next) <= now && now < deadline {
                let asked = now - start;
                futs[next] = Some(Box::pin(ask(next, deadline - now)));
                slots[next] = Slot::Pending { asked };
                next += 1;
            }
            let mut changed = false;
            for k in 0..next {
                let Some(f) = futs[k].as_mut() else { continue };
                if let Poll::Ready(value) = f.as_mut().poll(cx) {
                    futs[k] = None;
                    let at = Instant::now() - start;
                    slots[k] = Slot::Done { at, value };
                    changed = true;
                }
            }
            // Every asked server before an answering one has passed, so the lowest definitive
            // result decides.
            if let Some(k) = slots
                .iter()
                .position(|s| matches!(s, Slot::Done { value, .. } if definitive(value)))
            {
                return Poll::Ready(Some(k));
            }
            if next == n && futs.iter().all(Option::is_none) {
                return Poll::Ready(None);
            }
            if Instant::now() >= deadline {
                return Poll::Ready(None);
            }
            if changed && next < n {
                continue; // a failure may have given the next server its turn
            }
            let wake = if next < n {
                turn(&slots, next).min(deadline)
            } else {
                deadline
            };
            timer.as_mut().reset(wake);
            if timer.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
        })
        .await;
        Outcome {
            slots,
            decided,
            ended: Instant::now() - start,
        }
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
                if a.remembered && matches!(a.result, Err(DnsFailure::Timeout)) {
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

    /// A scripted server: answers `definitive` (or not) after `ms`, or never (`None`).
    #[derive(Clone, Copy)]
    struct Scripted {
        ms: Option<u64>,
        definitive: bool,
    }

    fn answers(ms: u64) -> Scripted {
        Scripted {
            ms: Some(ms),
            definitive: true,
        }
    }
    fn fails(ms: u64) -> Scripted {
        Scripted {
            ms: Some(ms),
            definitive: false,
        }
    }
    const SILENT: Scripted = Scripted {
        ms: None,
        definitive: false,
    };

    /// Runs the selection over scripted servers on tokio's paused clock; returns the outcome
    /// with (server, definitive) results.
    async fn run(
        script: &[Scripted],
        waits: &[u64],
        timeout_ms: u64,
    ) -> failover::Outcome<(usize, bool)> {
        let waits: Vec<Duration> = waits.iter().map(|w| Duration::from_millis(*w)).collect();
        let ask = |k: usize, left: Duration| {
            let s = script[k];
            async move {
                match s.ms {
                    Some(ms) => tokio::time::sleep(Duration::from_millis(ms)).await,
                    // A real query ends at the time left (its own timeout).
                    None => tokio::time::sleep(left + Duration::from_secs(60)).await,
                }
                (k, s.definitive)
            }
        };
        failover::ask_in_turn(&waits, Duration::from_millis(timeout_ms), ask, |r| r.1).await
    }

    fn asked_at(o: &failover::Outcome<(usize, bool)>, k: usize) -> Option<Duration> {
        match &o.slots[k] {
            failover::Slot::Pending { asked } => Some(*asked),
            failover::Slot::Done { .. } => None,
            failover::Slot::NotAsked => None,
        }
    }

    fn done_at(o: &failover::Outcome<(usize, bool)>, k: usize) -> Option<Duration> {
        match &o.slots[k] {
            failover::Slot::Done { at, .. } => Some(*at),
            _ => None,
        }
    }

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_first_server_costs_the_per_server_wait_not_the_timeout() {
        // DEAD then GOOD (5 ms): GOOD is asked after 1 s and decides at 1.005 s.
        let o = run(&[SILENT, answers(5)], &[1000, 1000], 2000).await;
        assert_eq!(o.decided, Some(1));
        assert_eq!(
            asked_at(&o, 0),
            Some(ms(0)),
            "still pending, never dropped early"
        );
        assert_eq!(done_at(&o, 1), Some(ms(1005)));
        assert_eq!(o.ended, ms(1005));
        // GOOD then DEAD: decided at 5 ms, the second never asked.
        let o = run(&[answers(5), SILENT], &[1000, 1000], 2000).await;
        assert_eq!(o.decided, Some(0));
        assert!(matches!(o.slots[1], failover::Slot::NotAsked));
        assert_eq!(o.ended, ms(5));
    }

    #[tokio::test(start_paused = true)]
    async fn an_earlier_server_still_wins_when_it_answers_first() {
        // Server 0 answers at 1.2 s; server 1, asked at 1 s, would answer at 1.5 s.
        let o = run(&[answers(1200), answers(500)], &[1000, 1000], 3000).await;
        assert_eq!(o.decided, Some(0));
        assert_eq!(o.ended, ms(1200));
        // Server 1 first (1.1 s) beats server 0 (1.3 s): once accepted, later answers do not count.
        let o = run(&[answers(1300), answers(100)], &[1000, 1000], 3000).await;
        assert_eq!(o.decided, Some(1));
        assert_eq!(o.ended, ms(1100));
        assert_eq!(asked_at(&o, 0), Some(ms(0)));
        // Both in hand in the same instant: list order.
        let o = run(&[answers(1000), answers(0)], &[1000, 1000], 3000).await;
        assert_eq!(o.decided, Some(0));
    }

    #[tokio::test(start_paused = true)]
    async fn a_failure_passes_at_once_and_the_next_server_is_asked_then() {
        // SERVFAIL-like after 10 ms: the next server is asked at 10 ms, not at 1 s.
        let o = run(&[fails(10), SILENT, answers(5)], &[1000, 1000, 1000], 5000).await;
        assert_eq!(o.decided, Some(2));
        assert_eq!(done_at(&o, 0), Some(ms(10)));
        assert_eq!(asked_at(&o, 1), Some(ms(10)));
        // The third waits for the silent second's wait: asked at 1.01 s, decides at 1.015 s.
        assert_eq!(o.ended, ms(1015));
        // Every server failing ends the lookup without waiting for the timeout.
        let o = run(&[fails(10), fails(20)], &[1000, 1000], 5000).await;
        assert_eq!(o.decided, None);
        assert_eq!(o.ended, ms(30));
    }

    #[tokio::test(start_paused = true)]
    async fn the_lookup_ends_by_its_timeout_whatever_the_servers() {
        let o = run(&[SILENT, SILENT, SILENT], &[1000, 1000, 1000], 2000).await;
        assert_eq!(o.decided, None);
        assert_eq!(o.ended, ms(2000));
        // With 1 s each, the third server's turn (2 s) never comes within 2 s.
        assert!(matches!(o.slots[2], failover::Slot::NotAsked));
        // per_server_wait shrinks the wait so that every server is asked in time.
        let w = per_server_wait(ms(2000), 3).as_millis() as u64;
        assert_eq!(w, 666);
        let o = run(&[SILENT, SILENT, answers(5)], &[w, w, w], 2000).await;
        assert_eq!(o.decided, Some(2));
        assert_eq!(o.ended, ms(2 * w + 5));
        assert_eq!(per_server_wait(ms(5000), 2), PER_SERVER_WAIT);
        assert_eq!(per_server_wait(ms(5000), 0), PER_SERVER_WAIT);
    }

    #[tokio::test(start_paused = true)]
    async fn a_server_moved_on_from_earlier_is_not_waited_for() {
        // Wait zero (the run memo's slow mark): the next server is asked with it.
        let o = run(&[SILENT, answers(5)], &[0, 1000], 2000).await;
        assert_eq!(o.decided, Some(1));
        assert_eq!(o.ended, ms(5));
        // ... but its answer still wins when it comes first.
        let o = run(&[answers(3), answers(5)], &[0, 1000], 2000).await;
        assert_eq!(o.decided, Some(0));
    }

    /// A real DNS server on loopback: answers every A query with 198.18.0.10, authoritative.
    fn answering_server() -> (SocketAddr, std::thread::JoinHandle<()>) {
        use hickory_resolver::proto::op::Message;
        use hickory_resolver::proto::rr::rdata::A;
        let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        sock.set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let addr = sock.local_addr().unwrap();
        let h = std::thread::spawn(move || {
            let mut buf = [0u8; 1500];
            // Bounded: at most 16 queries, each within the read timeout.
            for _ in 0..16 {
                let Ok((n, peer)) = sock.recv_from(&mut buf) else {
                    return;
                };
                let Ok(q) = Message::from_vec(&buf[..n]) else {
                    continue;
                };
                let mut r = Message::response(q.metadata.id, q.metadata.op_code);
                r.metadata.authoritative = true;
                for query in &q.queries {
                    r.add_answer(Record::from_rdata(
                        query.name().clone(),
                        60,
                        RData::A(A("198.18.0.10".parse().unwrap())),
                    ));
                }
                r.queries = q.queries.clone();
                let _ = sock.send_to(&r.to_vec().unwrap(), peer);
            }
        });
        (addr, h)
    }

    /// A dead server: a bound UDP socket that never answers; returns how many queries it got.
    fn silent_server() -> (SocketAddr, std::net::UdpSocket) {
        let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        (sock.local_addr().unwrap(), sock)
    }

    fn queries_received(sock: &std::net::UdpSocket) -> usize {
        sock.set_nonblocking(true).unwrap();
        let mut buf = [0u8; 1500];
        let mut n = 0;
        while sock.recv_from(&mut buf).is_ok() && n < 100 {
            n += 1;
        }
        n
    }

    #[tokio::test]
    async fn dead_then_good_on_loopback_answers_after_the_per_server_wait() {
        let (good, _h) = answering_server();
        let (dead, dead_sock) = silent_server();
        let name = fqdn("kms1.corp.test").unwrap();
        let memo = RunMemo::new();
        let timeout = Duration::from_secs(3);
        let t = std::time::Instant::now();
        let (reply, attempts) =
            query_servers(&memo, &[dead, good], &name, RecordType::A, timeout, None).await;
        let took = t.elapsed();
        let reply = reply.expect("the good server's answer");
        assert_eq!(reply.server, good);
        assert_eq!(reply.class, AnswerClass::Records);
        // The good server was asked after the client's 1 s and answered within its RTT.
        assert!(took >= PER_SERVER_WAIT, "{took:?}");
        assert!(
            took < PER_SERVER_WAIT + Duration::from_millis(500),
            "{took:?}"
        );
        assert_eq!(attempts.len(), 2, "{attempts:?}");
        assert_eq!(attempts[0].server, dead);
        assert_eq!(
            attempts[0].result,
            Err(DnsFailure::MovedOn(PER_SERVER_WAIT))
        );
        assert!(!attempts[0].remembered);
        assert!(attempts[1].elapsed >= PER_SERVER_WAIT, "{attempts:?}");
        assert_eq!(
            attempts[0].result.as_ref().unwrap_err().label(),
            "no answer within 1s; a later server answered"
        );
        assert!(memo.dns_slow(dead, None));
        assert_eq!(
            memo.dns_dead(dead, None),
            None,
            "moved on from, not timed out"
        );
        // hickory's UDP client repeats an unanswered query every 333 ms inside the wait.
        assert!((1..=3).contains(&queries_received(&dead_sock)));

        // The next lookup of the run asks it again but does not wait for it.
        let t = std::time::Instant::now();
        let (reply, attempts) =
            query_servers(&memo, &[dead, good], &name, RecordType::A, timeout, None).await;
        assert!(
            t.elapsed() < Duration::from_millis(500),
            "{:?}",
            t.elapsed()
        );
        assert_eq!(reply.unwrap().server, good);
        assert!(attempts[0].remembered, "{attempts:?}");
        assert_eq!(attempts[0].result, Err(DnsFailure::MovedOn(Duration::ZERO)));
        assert!(
            queries_received(&dead_sock) >= 1,
            "asked again, not waited for"
        );
    }

    #[tokio::test]
    async fn good_then_dead_on_loopback_never_asks_the_dead_one() {
        let (good, _h) = answering_server();
        let (dead, dead_sock) = silent_server();
        let name = fqdn("kms1.corp.test").unwrap();
        let memo = RunMemo::new();
        let t = std::time::Instant::now();
        let (reply, attempts) = query_servers(
            &memo,
            &[good, dead],
            &name,
            RecordType::A,
            Duration::from_secs(3),
            None,
        )
        .await;
        assert!(
            t.elapsed() < Duration::from_millis(500),
            "{:?}",
            t.elapsed()
        );
        assert_eq!(reply.unwrap().server, good);
        assert_eq!(attempts.len(), 1, "{attempts:?}");
        assert_eq!(queries_received(&dead_sock), 0);
        assert!(!memo.dns_slow(dead, None));
    }

    #[tokio::test]
    async fn only_dead_servers_end_at_the_timeout_and_are_remembered() {
        let (d1, _s1) = silent_server();
        let (d2, _s2) = silent_server();
        let name = fqdn("kms1.corp.test").unwrap();
        let memo = RunMemo::new();
        let timeout = Duration::from_millis(1200);
        let t = std::time::Instant::now();
        let (reply, attempts) =
            query_servers(&memo, &[d1, d2], &name, RecordType::A, timeout, None).await;
        let took = t.elapsed();
        assert!(reply.is_none());
        assert!(
            took >= timeout && took < timeout + Duration::from_millis(400),
            "{took:?}"
        );
        assert_eq!(attempts.len(), 2);
        for a in &attempts {
            assert_eq!(a.result, Err(DnsFailure::Timeout), "{attempts:?}");
        }
        // The second was asked at 600 ms (the wait shrinks to fit both in 1.2 s).
        assert!(memo.dns_dead(d1, None).is_some() && memo.dns_dead(d2, None).is_some());
    }
}
