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
kms_preflight_engine::messages! {}

pub mod judge;
mod lookup;
mod text;

use crate::{Evidence, LegacyEvidence, Outcome, Report, RuleSet, Source};
use std::collections::BTreeMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};
use tokio::task::JoinSet;

use crate::common::rpc::{classify, RpcVerdict, CALL_ID};
use crate::evidence::{self as keys, sweep as ev};
use judge::{closed_status, open_status, Directory, PortState, Publication, Service};
use kms_preflight_engine::{ReportTarget, Status, Summary};
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

/// The lists of every `srv-inventory` rule of `rules`, rendered for each domain.
pub fn inventory_of(rules: &RuleSet, domains: &[String]) -> Result<Inventory, String> {
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
                format!(
                    "rule {} ({}:{}): {}",
                    rule.id,
                    rule.file,
                    rule.line,
                    e.legacy_text()
                )
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

/// Counts by service and port state.
#[derive(Debug, Default)]
struct Counts {
    services: BTreeMap<Service, u64>,
    states: BTreeMap<PortState, u64>,
    first_error: Option<String>,
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
                        *counts.states.entry(state).or_default() += 1;
                        if state == PortState::Error && counts.first_error.is_none() {
                            counts.first_error = Some(format!("{}: {f:?}", p.addr));
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
            *counts.services.entry(listener.service).or_default() += 1;
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
    let mut pub_counts: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut published_not_kms = 0u64;
    let outcome = |target: Option<String>, address: Option<String>, status: Status| Outcome {
        id: ev::PORT_ID.into(),
        kind: ev::KIND.into(),
        title: TITLE.into(),
        target,
        address,
        source: source_label.clone(),
        status,
        message: String::new().into(),
        remediation: None,
        error_codes: Vec::new(),
        evidence: Evidence::default(),
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
            Some(p) if l.service == Service::Kms => *pub_counts.entry(p.as_str()).or_default() += 1,
            Some(Publication::Published) if endpoint => published_not_kms += 1,
            _ => {}
        }
        let info = directory.get(ip);
        let t = text::listener(
            &ctx,
            l.addr,
            l.service,
            l.verdict.as_ref(),
            publication,
            info,
            l.ptr.as_deref(),
        );
        let mut o = outcome(Some(endpoint_label(l.addr)), Some(ip.to_string()), status);
        o.message = t.message.into();
        if l.after_fin {
            o.message.push_legacy(
                " (only once our FIN ended its input: a line-based server such as HTTP, silent to the bind itself)",
            );
        }
        o.remediation = t.remediation.map(Into::into);
        o.error_codes = t.codes;
        o.duration_ms = l
            .connect_rtt
            .unwrap_or_default()
            .saturating_add(l.bind_rtt.unwrap_or_default())
            .as_millis() as u64;
        let mut e = Map::new();
        e.insert(ev::SERVICE.into(), json!(l.service.as_str()));
        e.insert(
            ev::PUBLISHED.into(),
            publication.map_or(Value::Null, |p| json!(p.as_str())),
        );
        if let Some(names) = &l.ptr {
            e.insert(ev::PTR.into(), json!(names));
        }
        e.insert(
            ev::RTT_MS.into(),
            l.connect_rtt.map_or(Value::Null, |d| json!(ms(d))),
        );
        e.insert(keys::PORT.into(), json!(port));
        e.insert(
            ev::RPC_RESULT.into(),
            json!(l
                .verdict
                .as_ref()
                .map_or("reset-after-connect", RpcVerdict::class)),
        );
        if let Some(b) = l.bind_rtt {
            e.insert("bind_rtt_ms".into(), json!(ms(b)));
        }
        if l.after_fin {
            e.insert("answered_after_fin".into(), json!(true));
        }
        if let Some(info) = info {
            e.insert(ev::HOSTS.into(), json!(info.hosts()));
        }
        e.extend(t.evidence);
        o.evidence = Evidence::Legacy(LegacyEvidence(e));
        results.push(o);
        report_targets.push(ReportTarget {
            target: endpoint_label(l.addr),
            host: ip.to_string(),
            port,
            origins: vec![format!("sweep: {}", l.service.as_str())],
        });
    }
    let mut missing = 0u64;
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
        let mut o = outcome(Some(endpoint_label(addr)), Some(ip.to_string()), status);
        o.message = t.message.into();
        o.remediation = t.remediation.map(Into::into);
        o.error_codes = t.codes;
        let mut e = Map::new();
        e.insert(ev::SERVICE.into(), json!(state.as_str()));
        e.insert(
            ev::PUBLISHED.into(),
            if endpoint {
                json!(Publication::Published.as_str())
            } else if compared {
                json!(Publication::NotPublished.as_str())
            } else {
                Value::Null
            },
        );
        e.insert(keys::PORT.into(), json!(port));
        if let Some(info) = info {
            e.insert(ev::HOSTS.into(), json!(info.hosts()));
        }
        o.evidence = Evidence::Legacy(LegacyEvidence(e));
        results.push(o);
        if endpoint {
            missing += 1;
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
            id: ev::PUBLISHED_ID.into(),
            kind: ev::KIND.into(),
            title: "What DNS publishes (the sweep's comparison basis)".into(),
            target: Some(d.target),
            address: None,
            source: source_label.clone(),
            status: f.status,
            message: f.message,
            remediation: f.remediation,
            error_codes: f.error_codes,
            evidence: f.evidence,
            run: f.run,
            duration_ms: 0,
        });
    }
    let elapsed = started.elapsed();
    let probed = progress.done.load(std::sync::atomic::Ordering::Relaxed);
    let mut count_map = Map::new();
    for s in Service::ALL {
        count_map.insert(
            s.as_str().into(),
            json!(counts.services.get(&s).copied().unwrap_or(0)),
        );
    }
    for s in PortState::ALL {
        let key = if s == PortState::Error {
            "probe-error"
        } else {
            s.as_str()
        };
        count_map.insert(
            key.into(),
            json!(counts.states.get(&s).copied().unwrap_or(0)),
        );
    }
    for p in [
        Publication::Published,
        Publication::Rogue,
        Publication::Forbidden,
        Publication::Allowed,
    ] {
        count_map.insert(
            p.as_str().into(),
            json!(pub_counts.get(p.as_str()).copied().unwrap_or(0)),
        );
    }
    count_map.insert("published-not-kms".into(), json!(published_not_kms));
    count_map.insert("published-missing".into(), json!(missing));
    let summary = text::summary(&text::SummaryInput {
        addresses: targets.addresses.len(),
        ports: &req.ports,
        probes: targets.len(),
        probed,
        open: listeners.len() as u64,
        counts: &count_map,
        elapsed,
        interrupted,
        compared,
        first_error: counts.first_error.as_deref(),
    });
    let ranges: Vec<String> = req.ranges.iter().map(|r| r.text.clone()).collect();
    let mut e = Map::new();
    e.insert("ranges".into(), json!(ranges));
    e.insert("ports".into(), json!(req.ports));
    e.insert("addresses".into(), json!(targets.addresses.len() as u64));
    e.insert("probes".into(), json!(targets.len() as u64));
    e.insert("probed".into(), json!(probed));
    e.insert("open".into(), json!(listeners.len()));
    e.insert(ev::COUNTS.into(), Value::Object(count_map));
    e.insert("rate_per_s".into(), json!(req.rate));
    e.insert("concurrency".into(), json!(opts.concurrency));
    e.insert("timeout_ms".into(), json!(req.timeout.as_millis() as u64));
    e.insert("compared_with_dns".into(), json!(compared));
    e.insert(ev::INTERRUPTED.into(), json!(interrupted));
    results.push(Outcome {
        id: ev::SUMMARY_ID.into(),
        kind: ev::KIND.into(),
        title: TITLE.into(),
        target: Some(ranges.join(", ")),
        address: None,
        source: source_label.clone(),
        status: summary.0,
        message: summary.1.into(),
        remediation: None,
        error_codes: Vec::new(),
        evidence: Evidence::Legacy(LegacyEvidence(e)),
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
