//! `sweep`: every KMS listener in an address range, verified by the read-only RPC bind, and
//! compared with what DNS publishes.
//!
//! The scanner is `net::scan` (connect, then on open ports the bind of `net::rpc`); what the
//! bytes mean is `common::rpc::classify`, the same classification the `kms-rpc` kind uses.
//! This module runs the scan and the DNS side (SRV records of each domain, addresses of
//! their targets and of the `srv.inventory` hosts, PTR names of the listeners) at the same
//! time, judges each open port ([`judge`]) and builds the run's report in the shared model:
//! kind `sweep`, one `sweep.port` result per open port (and per published endpoint that did
//! not answer; with `--all` per closed port too), one `sweep.published` per domain and a
//! `sweep.summary` with the counts.

// The sweep's messages (its submodules use them through `super::`).
kms_preflight_engine::messages! {
    /// rule {rule} ({file}:{line}): {error}
    inventory_rule_error = "sweep-inventory-rule-error" (rule, file, line, error);
    // What answered on an open port.
    /// KMS host at {addr} {what}
    kms_host_at = "sweep-kms-host-at" (addr, what);
    /// listener at {addr} {what}
    listener_at = "sweep-listener-at" (addr, what);
    /// {head}; published: {hosts} ({srv_names})
    published_kms = "sweep-published-kms" (head, hosts, srv_names);
    /// published KMS host {hosts} ({srv_names}) does not answer as KMS: {addr} {what}; clients
    /// that pick it fail
    published_not_kms = "sweep-published-not-kms" (hosts, srv_names, addr, what);
    /// {head}; this is {hosts}, which srv.inventory lists in forbidden_hosts: it must not be a
    /// KMS host any more
    forbidden_kms = "sweep-forbidden-kms" (head, hosts);
    /// {head}; not KMS (the address is forbidden host {hosts})
    forbidden_not_kms = "sweep-forbidden-not-kms" (head, hosts);
    /// {head}; not published in DNS, but {hosts} is on the srv.inventory allow-list
    /// (expect.hosts)
    allowed_kms = "sweep-allowed-kms" (head, hosts);
    /// {head}; not published by {by} nor on the srv.inventory allow-list: a rogue or forgotten
    /// KMS host ({ptr})
    rogue = "sweep-rogue" (head, by, ptr);
    /// the srv.inventory lists
    by_inventory_lists = "sweep-by-inventory-lists" ();
    /// {head}; not compared with DNS (no --domain, or DNS did not answer)
    not_compared_kms = "sweep-not-compared-kms" (head);
    /// {message}: cannot tell whether it is a KMS host (an IPS dropping RPC, a hung sppsvc, or
    /// another service)
    unverifiable = "sweep-unverifiable" (message);
    /// {message} (only once our FIN ended its input: a line-based server such as HTTP, silent
    /// to the bind itself)
    after_fin = "sweep-after-fin" (message);
    /// no PTR record
    ptr_none = "sweep-ptr-none" ();
    /// PTR {names}
    ptr_names = "sweep-ptr" (names);
    /// PTR not looked up
    ptr_not_looked_up = "sweep-ptr-not-looked-up" ();
    /// reset the connection right after the handshake
    reset_after_handshake = "sweep-reset-after-handshake" ();
    /// accepted the KMS RPC bind ({syntax} on context {context}, secondary address {secondary})
    kms_bind_accepted = "sweep-kms-bind-accepted" (syntax, context, secondary);
    /// {what}; fixed assoc_group_id 0x1063BF3F: py-kms, not Windows
    py_kms = "sweep-py-kms" (what);
    /// is a DCE/RPC server that does not know the KMS interface (abstract syntax not
    /// supported): another RPC service
    rpc_foreign = "sweep-rpc-foreign" ();
    /// is a DCE/RPC server that accepted no KMS context with NDR32
    rpc_no_ndr32 = "sweep-rpc-no-ndr32" ();
    /// is an RPC runtime that refused the bind with bind_nak, reason {reason} ({name}): not a
    /// KMS host (emulators never send bind_nak)
    bind_nak = "sweep-bind-nak" (reason, name);
    /// is an RPC runtime that answered the bind with a fault, status {status}
    fault = "sweep-fault" (status);
    /// answered the bind with a {name} PDU (PTYPE {ptype}): an RPC runtime, not a KMS host
    unexpected_pdu = "sweep-unexpected-pdu" (name, ptype);
    /// answered a broken DCE/RPC PDU ({why})
    malformed = "sweep-malformed" (why);
    /// speaks another protocol: it answered '{received}'
    not_rpc = "sweep-not-rpc" (received);
    /// accepted the connection and said nothing within {timeout_ms}
    silent = "sweep-silent" (timeout_ms);
    /// accepted the connection and closed it without a byte
    closed_silently = "sweep-closed-silently" ();
    /// reset the connection in answer to the bind
    reset_by_bind = "sweep-reset-by-bind" ();
    /// could not be probed: local error {error}
    local_error = "sweep-local-error" (error);
    // What to do about an open port.
    /// Find the machine ({ptr}): the MAC behind {ip} (Linux: {linux}; Windows: {windows}) and
    /// the switch port it is on (show mac address-table address <MAC>); on the machine, what
    /// owns the port: {owner}.
    find_machine = "sweep-find-machine" (ptr, ip, linux, windows, owner);
    /// {find}, then: publish it if legitimate, else remove the KMS host key or the emulator;
    /// until then block TCP {port} to {ip}.
    fix_rogue = "sweep-fix-rogue" (find, port, ip);
    /// {hosts} is being retired: on it, slmgr /cdns (stop publishing), then slmgr /upk and
    /// slmgr /cpky (remove the KMS host key), then block TCP {port} to {ip} or shut it down. …
    fix_forbidden = "sweep-fix-forbidden" (hosts, port, ip);
    /// On {hosts}: Get-Service sppsvc (must be Running), slmgr /dlv ('Listening on Port:
    /// {port}'), and what owns port {port}: {owner}. If the host is gone and {ip} now belongs
    /// to another machine, remove the record: {remove}
    fix_published_not_kms = "sweep-fix-published-not-kms" (hosts, port, owner, ip, remove);
    // A port that did not accept.
    /// refused the connection (RST: nothing listens)
    refused = "sweep-refused" ();
    /// did not answer within {timeout_ms} (filtered, or the host is down)
    timed_out = "sweep-timed-out" (timeout_ms);
    /// is unreachable (no route, or no answer to ARP / neighbour discovery: the host is down)
    unreachable = "sweep-unreachable" ();
    /// could not be probed (local error)
    probe_failed = "sweep-probe-failed" ();
    /// published KMS host {hosts} ({names}) did not answer in the sweep: {addr} {how}; a stale
    /// record, or a host that is down or cut off
    published_missing = "sweep-published-missing" (hosts, names, addr, how);
    /// If {hosts} still serves KMS: start it (…) and open TCP {port} (…). If it is retired,
    /// remove its record: {remove}
    fix_published_missing = "sweep-fix-published-missing" (hosts, port, remove);
    /// {addr} {how}
    port_not_open = "sweep-port-not-open" (addr, how);
    // The summary.
    /// {parts, joined by "; "}
    summary = "sweep-summary" (parts);
    /// swept {addresses} address(es) on port {ports} in {seconds} s: {open}, {closed} closed,
    /// {filtered} filtered, {unreachable} unreachable
    swept = "sweep-swept" (addresses, ports, seconds, open, closed, filtered, unreachable);
    /// {count} open
    open = "sweep-open" (count);
    /// {count} open ({services})
    open_services = "sweep-open-services" (count, services);
    /// {count} {service}
    service_count = "sweep-service-count" (count, service);
    /// KMS listeners: {published} published, {rogue} rogue, {forbidden} forbidden, {allowed}
    /// allowed; published endpoints: {not_kms} answering as another service, {missing} not
    /// answering
    compared = "sweep-compared" (published, rogue, forbidden, allowed, not_kms, missing);
    /// not compared with DNS
    not_compared = "sweep-not-compared" ();
    /// {count} probe(s) failed locally, first: {first}
    probe_errors = "sweep-probe-errors" (count, first);
    /// INTERRUPTED (Ctrl-C) after {probed} of {probes} probes: the results are partial
    interrupted = "sweep-interrupted" (probed, probes);
    // What DNS publishes.
    /// {error}
    domain_invalid = "sweep-domain-invalid" (error);
    /// cannot compare with what {name} publishes: no DNS server gave a usable answer ({why});
    /// every KMS listener is reported without a verdict on publication
    no_usable_answer = "sweep-no-usable-answer" (name, why);
    /// {server}: {outcome}
    server_outcome = "sweep-server-outcome" (server, outcome);
    /// {name} publishes no KMS host: every KMS listener found is unpublished (rogue unless on
    /// the srv.inventory allow-list)
    publishes_nothing = "sweep-publishes-nothing" (name);
    /// {name} publishes {records}; {unresolved} does not resolve, so its listener cannot be
    /// recognised
    publishes_unresolved = "sweep-publishes-unresolved" (name, records, unresolved);
    /// {name} publishes {records}
    publishes = "sweep-publishes" (name, records);
    /// {record} ({addresses})
    record_at = "sweep-record-at" (record, addresses);
    /// does not resolve
    does_not_resolve = "sweep-does-not-resolve" ();
    /// inventory from the srv.inventory rule: {hosts}
    inventory = "sweep-inventory" (hosts);
    /// forbidden {host} ({addresses})
    inventory_forbidden = "sweep-inventory-forbidden" (host, addresses);
    /// allowed {host} ({addresses})
    inventory_allowed = "sweep-inventory-allowed" (host, addresses);
}

mod evidence;
pub mod judge;
mod lookup;
mod text;

pub use evidence::*;

use crate::{Outcome, Report, RuleSet, Source};
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use crate::common::rpc::{classify, RpcVerdict, CALL_ID};
use judge::{closed_status, open_status, Directory};
pub use judge::{PortState, Publication, Service};
use kms_preflight_engine::{Message, ReportTarget, Status, Summary};
use kms_preflight_net::memo::RunMemo;
use kms_preflight_net::ms;
use kms_preflight_net::scan::range::{AddrRange, AddressSet};
use kms_preflight_net::scan::{scan, Probe, ProbeResult, Progress, ScanEnd, ScanOptions, Targets};
use kms_preflight_wire::dcerpc::{encode_bind, BindRequest};

/// Sweeps larger than this are refused unless `--max-addresses` allows them.
pub const DEFAULT_MAX_ADDRESSES: u128 = 65_536;
/// New connections per second by default: gentle on a production LAN (a few hundred SYNs a
/// second are far below what a switch, a host or a stateful firewall notices), and a /24
/// still takes under two seconds.
pub const DEFAULT_RATE: u32 = 200;
/// The highest `--rate` accepted.
pub const MAX_RATE: u32 = 100_000;
/// Connects (and binds) in flight by default.
pub const DEFAULT_CONCURRENCY: usize = 256;
/// The highest `--concurrency` accepted (each is one socket).
pub const MAX_CONCURRENCY: usize = 16_384;
/// Per connect and per bind exchange, by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);
pub const DEFAULT_PORT: u16 = 1688;
/// A listener silent to the bind gets our closing FIN at once and this long to answer it:
/// an HTTP server that waits for the end of a request line answers then (400) and is
/// recognised as another protocol. Nothing is sent but the FIN every probe ends with.
pub const AFTER_SILENCE: Duration = Duration::from_millis(300);

const TITLE: &str = "KMS listener sweep (TCP connect, read-only RPC bind)";

/// The `kind` of every sweep result.
pub const KIND: &str = "sweep";
/// One (address, port): an open port, a published host that did not answer, or with `--all`
/// a closed or filtered port.
pub const PORT_ID: &str = "sweep.port";
/// What was published for a domain (the SRV lookup the comparison is based on).
pub const PUBLISHED_ID: &str = "sweep.published";
/// The run itself: ranges, settings and counts.
pub const SUMMARY_ID: &str = "sweep.summary";

/// The `srv.inventory` lists the sweep compares with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inventory {
    /// `expect.hosts`: KMS hosts that may answer although DNS does not publish them.
    pub allowed: Vec<String>,
    /// `expect.forbidden_hosts`: hosts that must not be KMS hosts any more.
    pub forbidden: Vec<String>,
}

impl Inventory {
    pub fn is_empty(&self) -> bool {
        self.allowed.is_empty() && self.forbidden.is_empty()
    }
}

/// The lists of every `srv-inventory` rule of `rules`, rendered for each domain; the error says
/// which rule's list could not be filled in.
pub fn inventory_of(rules: &RuleSet, domains: &[String]) -> Result<Inventory, Message> {
    let mut inv = Inventory::default();
    let push = |list: &mut Vec<String>, items: Vec<String>| {
        for i in items {
            if !list.contains(&i) {
                list.push(i);
            }
        }
    };
    for rule in &rules.checks {
        let crate::Declaration::Inventory(lists) = rule.check.declaration() else {
            continue;
        };
        let mut per_domain: Vec<Option<&String>> = domains.iter().map(Some).collect();
        if per_domain.is_empty() {
            per_domain.push(None);
        }
        for d in per_domain {
            let mut vars = rules.vars.clone();
            if let Some(d) = d {
                vars.insert("domain".into(), d.clone());
            }
            let (allowed, forbidden) = lists.render(&vars).map_err(|e| {
                inventory_rule_error(rule.id.as_str(), rule.file.as_str(), rule.line, e)
            })?;
            push(&mut inv.allowed, allowed);
            push(&mut inv.forbidden, forbidden);
        }
    }
    Ok(inv)
}

/// DNS for the comparison and the PTR names.
#[derive(Debug, Clone, Default)]
pub struct DnsPlan {
    pub servers: Vec<SocketAddr>,
    /// Domains whose `_vlmcs._tcp` records are compared; none: no comparison with SRV.
    pub domains: Vec<String>,
    pub inventory: Inventory,
}

/// A sweep, as the command line asked for it (already validated).
#[derive(Debug, Clone)]
pub struct SweepRequest {
    pub ranges: Vec<AddrRange>,
    pub ports: Vec<u16>,
    pub rate: u32,
    pub concurrency: usize,
    pub timeout: Duration,
    pub source: Option<Source>,
    /// List closed, filtered and unreachable ports one by one.
    pub list_all: bool,
    /// None: no DNS at all (`--no-dns`).
    pub dns: Option<DnsPlan>,
}

impl SweepRequest {
    /// Every probe the sweep would send, without sending anything (`sweep --plan`): a TCP
    /// handshake to every address and port, a read-only RPC bind where one is accepted, and
    /// the DNS questions of the SRV comparison.
    pub fn plan(&self) -> kms_preflight_engine::plan::TrafficPlan {
        use crate::common::plan as p;
        use kms_preflight_engine::plan::{
            Destination, PlanRow, PlannedPort, PlannedProbe, TrafficPlan, Transport,
        };
        let mut probes: Vec<PlannedProbe> = Vec::new();
        for r in &self.ranges {
            for port in &self.ports {
                let to = Destination::Range {
                    range: r.text.clone(),
                };
                probes.push(PlannedProbe::new(
                    Transport::Tcp,
                    to.clone(),
                    Some(PlannedPort::Number(*port)),
                    p::tcp_connect(),
                ));
                probes.push(
                    PlannedProbe::new(
                        Transport::Tcp,
                        to,
                        Some(PlannedPort::Number(*port)),
                        p::rpc_bind(),
                    )
                    .only_when(p::when_accepted()),
                );
            }
        }
        if let Some(dns) = &self.dns {
            let names: Vec<String> = dns
                .domains
                .iter()
                .map(|d| format!("_vlmcs._tcp.{d}"))
                .collect();
            for s in &dns.servers {
                let to = Destination::Address { address: s.ip() };
                let port = Some(PlannedPort::Number(s.port()));
                let mut asked = vec![
                    p::dns_query("A, AAAA", p::srv_and_inventory_names()),
                    p::dns_query("PTR", p::open_reverse_names()),
                ];
                if !names.is_empty() {
                    asked.insert(0, p::dns_query("SRV", names.clone()));
                }
                for what in asked {
                    probes.push(PlannedProbe::new(
                        Transport::Udp,
                        to.clone(),
                        port,
                        what.clone(),
                    ));
                    probes.push(
                        PlannedProbe::new(Transport::Tcp, to.clone(), port, what)
                            .only_when(p::when_truncated()),
                    );
                }
            }
        }
        let source = self.source.as_ref().map(Source::label);
        TrafficPlan {
            rows: probes
                .into_iter()
                .map(|pr| PlanRow {
                    source: source.clone(),
                    transport: pr.transport,
                    destination: pr.destination,
                    port: pr.port,
                    check: "sweep".into(),
                    kind: "sweep".into(),
                    what: pr.what,
                    only_when: pr.only_when,
                    off: Some(p::off_sweep()),
                })
                .collect(),
            named_hosts: Vec::new(),
            domains: Vec::new(),
        }
    }

    pub fn targets(&self) -> Targets {
        Targets {
            addresses: AddressSet::new(&self.ranges),
            ports: self.ports.clone(),
        }
    }
}

/// An open port.
struct Listener {
    addr: SocketAddr,
    service: Service,
    /// None when the handshake itself was reset (no bind sent).
    verdict: Option<RpcVerdict>,
    connect_rtt: Option<Duration>,
    bind_rtt: Option<Duration>,
    /// It said nothing to the bind and answered our FIN (see [`AFTER_SILENCE`]).
    after_fin: bool,
    ptr: Option<Vec<String>>,
}

/// Counts by service and port state, and the first local error (for the summary).
#[derive(Debug, Default)]
struct Counts {
    counts: SweepCounts,
    first_error: Option<Message>,
}

/// Runs the sweep until done or until `stop` resolves (Ctrl-C); the report holds what was
/// found either way.
pub async fn run<S: Future<Output = ()>>(
    req: &SweepRequest,
    progress: Arc<Progress>,
    stop: S,
) -> Report {
    let started_at = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let started = Instant::now();
    let targets = Arc::new(req.targets());
    let bind_req = BindRequest::kms_probe(CALL_ID);
    let opts = ScanOptions {
        concurrency: kms_preflight_net::scan::fit_concurrency(req.concurrency),
        rate: req.rate,
        timeout: req.timeout,
        source: req.source.clone(),
        bind: encode_bind(&bind_req),
        after_silence: AFTER_SILENCE,
    };
    // The DNS side runs while the scan runs.
    let servers: Vec<SocketAddr> = req
        .dns
        .as_ref()
        .map(|d| d.servers.clone())
        .unwrap_or_default();
    // One memory for the sweep's DNS queries: a dead server costs one timeout, not one per query.
    let memo = RunMemo::new();
    // What DNS publishes, as soon as it is known (the scan may be faster or slower).
    let known: Arc<OnceLock<Directory>> = Arc::new(OnceLock::new());
    let lookup = req
        .dns
        .as_ref()
        .filter(|d| !d.servers.is_empty() && (!d.domains.is_empty() || !d.inventory.is_empty()))
        .map(|d| {
            let (d, timeout, source) = (d.clone(), req.timeout, req.source.clone());
            let (cell, memo) = (known.clone(), memo.clone());
            tokio::spawn(async move {
                let (dir, findings) = lookup::directory(
                    &memo,
                    &d.servers,
                    &d.domains,
                    &d.inventory,
                    timeout,
                    source.as_ref(),
                )
                .await;
                // The scan keeps only the closed ports it must list once this is known.
                let _ = cell.set(dir.clone());
                (dir, findings)
            })
        });
    let has_lookup = lookup.is_some();
    let mut pruned = false;
    let mut ptrs: JoinSet<(SocketAddr, Option<Vec<String>>)> = JoinSet::new();
    let mut listeners: Vec<Listener> = Vec::new();
    let mut not_open: Vec<(SocketAddr, PortState)> = Vec::new();
    let mut counts = Counts::default();
    let end = scan(
        targets.clone(),
        &opts,
        progress.clone(),
        stop,
        |p: Probe| {
            let listener = match p.result {
                ProbeResult::Open(ex) => {
                    let verdict = classify(&bind_req, &ex.bytes, &ex.end);
                    Listener {
                        addr: p.addr,
                        service: Service::of(&verdict),
                        verdict: Some(verdict),
                        connect_rtt: Some(ex.connect_rtt),
                        bind_rtt: Some(ex.bind_rtt),
                        after_fin: ex.answered_after_fin,
                        ptr: None,
                    }
                }
                ProbeResult::NotOpen(f) => match PortState::of(&f) {
                    Some(state) => {
                        *counts.counts.state_mut(state) += 1;
                        if state == PortState::Error && counts.first_error.is_none() {
                            counts.first_error = Some(first_error(p.addr, &f));
                        }
                        // Memory must not grow with the range: a port that did not accept
                        // is kept only to be listed (--all, or a published endpoint); before
                        // DNS has answered, until it has.
                        let keep = req.list_all
                            || match known.get() {
                                Some(d) => d.published_endpoint(p.addr.ip(), p.addr.port()),
                                None => has_lookup,
                            };
                        if keep {
                            not_open.push((p.addr, state));
                        }
                        if !pruned && !req.list_all {
                            if let Some(d) = known.get() {
                                not_open.retain(|(a, _)| d.published_endpoint(a.ip(), a.port()));
                                pruned = true;
                            }
                        }
                        return;
                    }
                    None => Listener {
                        addr: p.addr,
                        service: Service::Reset,
                        verdict: None,
                        connect_rtt: None,
                        bind_rtt: None,
                        after_fin: false,
                        ptr: None,
                    },
                },
            };
            *counts.counts.service_mut(listener.service) += 1;
            if !servers.is_empty() {
                let (memo, servers, ip, timeout, source, addr) = (
                    memo.clone(),
                    servers.clone(),
                    listener.addr.ip(),
                    req.timeout,
                    req.source.clone(),
                    listener.addr,
                );
                ptrs.spawn(async move {
                    (
                        addr,
                        lookup::ptr(&memo, &servers, ip, timeout, source.as_ref()).await,
                    )
                });
            }
            listeners.push(listener);
        },
    )
    .await;
    let interrupted = end == ScanEnd::Stopped;
    // After Ctrl-C nothing more is waited for: what has already answered is reported.
    let (directory, domain_findings) = match lookup {
        Some(h) if !interrupted || h.is_finished() => h.await.unwrap_or_default(),
        Some(h) => {
            h.abort();
            (Directory::default(), Vec::new())
        }
        None => (Directory::default(), Vec::new()),
    };
    if interrupted {
        while let Some(Ok((addr, names))) = ptrs.try_join_next() {
            set_ptr(&mut listeners, addr, names);
        }
        ptrs.abort_all();
    } else {
        while let Some(r) = ptrs.join_next().await {
            if let Ok((addr, names)) = r {
                set_ptr(&mut listeners, addr, names);
            }
        }
    }
    listeners.sort_by_key(|l| (l.addr.ip(), l.addr.port()));
    not_open.sort_by_key(|(a, _)| (a.ip(), a.port()));

    let compared = domain_findings
        .iter()
        .any(|d| d.finding.status != Status::Error);
    let domains: Vec<String> = req
        .dns
        .as_ref()
        .map(|d| d.domains.clone())
        .unwrap_or_default();
    let source_label = req.source.as_ref().map(Source::label);
    let ctx = text::Context {
        timeout: req.timeout,
        domains: &domains,
    };
    let mut results = Vec::new();
    let mut report_targets = Vec::new();
    let mut count_map = counts.counts;
    let port_outcome = |target: Option<String>,
                        address: Option<String>,
                        status: Status,
                        t: text::Text,
                        evidence: SweepEvidence| Outcome {
        id: PORT_ID.into(),
        kind: KIND.into(),
        title: TITLE.into(),
        target,
        address,
        source: source_label.clone(),
        status,
        message: t.message,
        remediation: t.remediation,
        error_codes: t.codes,
        evidence: evidence.into(),
        run: Default::default(),
        duration_ms: 0,
    };
    for l in &listeners {
        let (ip, port) = (l.addr.ip(), l.addr.port());
        let publication = compared.then(|| directory.publication(ip, l.service == Service::Kms));
        let endpoint = directory.published_endpoint(ip, port);
        let status = open_status(l.service, publication, endpoint);
        // Publication counts are about KMS listeners; a published endpoint where something
        // else answers is counted apart.
        match publication {
            Some(p) if l.service == Service::Kms => {
                if let Some(n) = count_map.publication_mut(p) {
                    *n += 1;
                }
            }
            Some(Publication::Published) if endpoint => count_map.published_not_kms += 1,
            _ => {}
        }
        let info = directory.get(ip);
        let mut e = ListenerEvidence {
            service: l.service,
            published: publication,
            ptr: l.ptr.clone(),
            rtt_ms: l.connect_rtt.map(ms),
            port,
            rpc_result: l
                .verdict
                .as_ref()
                .map_or("reset-after-connect", RpcVerdict::class)
                .to_string(),
            bind_rtt_ms: l.bind_rtt.map(ms),
            answered_after_fin: l.after_fin.then_some(true),
            hosts: info.map(judge::AddressInfo::hosts),
            negotiated_syntax: None,
            secondary_address: None,
            assoc_group_id: None,
            implementation_hint: None,
            nak_reason: None,
            received: None,
        };
        let mut t = text::listener(
            &ctx,
            l.addr,
            l.service,
            l.verdict.as_ref(),
            publication,
            info,
            l.ptr.as_deref(),
            &mut e,
        );
        if l.after_fin {
            t.message = after_fin(t.message);
        }
        let mut o = port_outcome(
            Some(endpoint_label(l.addr)),
            Some(ip.to_string()),
            status,
            t,
            SweepEvidence::Listener(e),
        );
        o.duration_ms = l
            .connect_rtt
            .unwrap_or_default()
            .saturating_add(l.bind_rtt.unwrap_or_default())
            .as_millis() as u64;
        results.push(o);
        report_targets.push(ReportTarget {
            target: endpoint_label(l.addr),
            host: ip.to_string(),
            port,
            origins: vec![format!("sweep: {}", l.service.as_str())],
        });
    }
    for &(addr, state) in &not_open {
        let (ip, port) = (addr.ip(), addr.port());
        let endpoint = compared && directory.published_endpoint(ip, port);
        // Without --all only published endpoints are listed; the rest (local errors too)
        // are counted in the summary.
        if !endpoint && !req.list_all {
            continue;
        }
        let status = closed_status(state, endpoint);
        let info = directory.get(ip);
        let t = text::not_open(&ctx, addr, state, endpoint, info);
        let e = NotOpenEvidence {
            service: state,
            published: if endpoint {
                Some(Publication::Published)
            } else if compared {
                Some(Publication::NotPublished)
            } else {
                None
            },
            port,
            hosts: info.map(judge::AddressInfo::hosts),
        };
        results.push(port_outcome(
            Some(endpoint_label(addr)),
            Some(ip.to_string()),
            status,
            t,
            SweepEvidence::NotOpen(e),
        ));
        if endpoint {
            count_map.published_missing += 1;
            report_targets.push(ReportTarget {
                target: endpoint_label(addr),
                host: ip.to_string(),
                port,
                origins: vec![format!("sweep: published, {}", state.as_str())],
            });
        }
    }
    for d in domain_findings {
        let f = d.finding;
        results.push(Outcome {
            id: PUBLISHED_ID.into(),
            kind: KIND.into(),
            title: "What DNS publishes (the sweep's comparison basis)".into(),
            target: Some(d.target),
            address: None,
            source: source_label.clone(),
            status: f.status,
            message: f.message,
            remediation: f.remediation,
            error_codes: f.error_codes,
            evidence: SweepEvidence::Published(d.evidence).into(),
            run: f.run,
            duration_ms: 0,
        });
    }
    let elapsed = started.elapsed();
    let probed = progress.done.load(std::sync::atomic::Ordering::Relaxed);
    let (status, message) = text::summary(&text::SummaryInput {
        addresses: targets.addresses.len(),
        ports: &req.ports,
        probes: targets.len(),
        probed,
        open: listeners.len() as u64,
        counts: &count_map,
        elapsed,
        interrupted,
        compared,
        first_error: counts.first_error.as_ref(),
    });
    let ranges: Vec<String> = req.ranges.iter().map(|r| r.text.clone()).collect();
    let e = SweepSummary {
        ranges: ranges.clone(),
        ports: req.ports.clone(),
        addresses: saturating_u64(targets.addresses.len()),
        probes: saturating_u64(targets.len()),
        probed,
        open: listeners.len() as u64,
        counts: count_map,
        rate_per_s: req.rate,
        concurrency: opts.concurrency as u64,
        timeout_ms: req.timeout.as_millis() as u64,
        compared_with_dns: compared,
        interrupted,
    };
    results.push(Outcome {
        id: SUMMARY_ID.into(),
        kind: KIND.into(),
        title: TITLE.into(),
        target: Some(ranges.join(", ")),
        address: None,
        source: source_label.clone(),
        status,
        message,
        remediation: None,
        error_codes: Vec::new(),
        evidence: SweepEvidence::Summary(e).into(),
        run: Default::default(),
        duration_ms: elapsed.as_millis() as u64,
    });
    let summary = Summary::of(&results);
    Report {
        started_at,
        duration_ms: elapsed.as_millis() as u64,
        domains,
        dns_servers: servers.iter().map(SocketAddr::to_string).collect(),
        sources: source_label.into_iter().collect(),
        targets: report_targets,
        results,
        summary,
        ..Report::empty()
    }
}

/// A count of addresses or probes as the summary writes it (a sweep is far below the limit).
fn saturating_u64(n: u128) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

fn set_ptr(listeners: &mut [Listener], addr: SocketAddr, names: Option<Vec<String>>) {
    if let Some(l) = listeners.iter_mut().find(|l| l.addr == addr) {
        l.ptr = names;
    }
}

/// `198.18.2.10:1688`, `[fd00::10]:1688`.
pub fn endpoint_label(addr: SocketAddr) -> String {
    match addr.ip() {
        IpAddr::V4(_) => addr.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]:{}", addr.port()),
    }
}
/// The first local failure of a sweep, for its summary: the address and why.
fn first_error(addr: SocketAddr, f: &kms_preflight_net::tcp::ConnectFailure) -> Message {
    use kms_preflight_net::tcp::ConnectFailure;
    let reason = match f {
        ConnectFailure::SourceUnusable(m)
        | ConnectFailure::WrongFamily(m)
        | ConnectFailure::Unreachable(m)
        | ConnectFailure::Prohibited(m)
        | ConnectFailure::Other(m) => m.clone(),
        other => kms_preflight_net::text::os_error(other.class()),
    };
    kms_preflight_net::text::at_address(addr, reason)
}
