//! The client's-eye verdict: would a Windows client activate from here, and if not, what must
//! be fixed first? A pure function of a [`Report`]'s results (statuses, codes and evidence);
//! it probes nothing. The model and what it assumes where Microsoft is silent: docs/verdict.md.
//!
//! Per client (one per `--source`, or one for the run), with the run's suffix list:
//! 1. Discovery: the domain the client finds KMS through (`srv-discovery`'s first suffix with
//!    records, else the first `--domain` whose `srv` result lists records), and its records.
//!    Without SRV hosts, the `--host` targets stand for a client given its host by hand.
//! 2. Per host, what one activation attempt there does, from that host's results:
//!    - no response (the client moves on to another host, as the Office 2010 volume
//!      activation FAQ says): a stale record (`srv-stale`), or a failing `resolve`, `tcp` or
//!      `kms-rpc` result;
//!    - rejected (the host answers with an error; the client logs it and stops this
//!      attempt): a failing `clock` result (0xC004F06C);
//!    - works; or unknown when a deciding check ended in `error`.
//! 3. The order of attempts as probabilities under both host-caching settings: RFC 2782
//!    (caching off, `slmgr /ckhc`: lowest priority group first, weighted inside it, shares
//!    from [`kms_preflight_knowledge::srv_order::rfc2782_shares`]) and a uniform random
//!    choice over all hosts (caching on). From them: the share of first attempts each host
//!    gets, where attempts end after failover, and the share of clients that activate.
//! 4. The answer (WORKS / WORKS WITH RISK / FAILS with the code) and the fixes, ranked by
//!    the share of clients each would unblock.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use kms_preflight_engine::evidence::{self as ev, kinds};
use kms_preflight_knowledge::srv_order::rfc2782_shares;

use super::{Outcome, Report, Status};

/// The overall answer, ordered from best to worst (`Unknown`: nothing to judge).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Answer {
    Unknown,
    Works,
    WorksWithRisk,
    Fails,
}

impl Answer {
    pub fn label(&self) -> &'static str {
        match self {
            Answer::Works => "WORKS",
            Answer::WorksWithRisk => "WORKS WITH RISK",
            Answer::Fails => "FAILS",
            Answer::Unknown => "UNKNOWN",
        }
    }
}

/// What one activation attempt at a host does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Attempt {
    Works,
    /// The host answers with an error: the client logs `code` and stops this attempt.
    Rejected,
    /// Nothing answers as KMS: the client moves on to another host.
    NoResponse,
    /// A deciding check could not decide (status `error`); counted as working.
    Unknown,
}

impl Attempt {
    fn answers(self) -> bool {
        self != Attempt::NoResponse
    }
    fn activates(self) -> bool {
        matches!(self, Attempt::Works | Attempt::Unknown)
    }
}

/// A probability under both host-caching settings.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Both {
    /// KMS host caching off (`slmgr /ckhc`): the RFC 2782 order.
    pub caching_off: f64,
    /// Caching on (the default): a random choice over all hosts.
    pub caching_on: f64,
}

impl Both {
    fn mean(&self) -> f64 {
        (self.caching_off + self.caching_on) / 2.0
    }
    fn max(&self) -> f64 {
        self.caching_off.max(self.caching_on)
    }
    fn min(&self) -> f64 {
        self.caching_off.min(self.caching_on)
    }
    fn round(self) -> Both {
        let r = |x: f64| (x * 10000.0).round() / 10000.0;
        Both {
            caching_off: r(self.caching_off),
            caching_on: r(self.caching_on),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct HostVerdict {
    /// `host:port`, as the host's results name it.
    pub target: String,
    /// The host name (`host:port` when several records name the same host).
    pub host: String,
    pub port: u16,
    pub priority: u16,
    pub weight: u16,
    /// Share of first attempts that go to this host.
    pub first_attempt: Both,
    /// Share of clients whose attempt is decided here (the first host that answers).
    pub decides: Both,
    pub attempt: Attempt,
    /// The code a client logs when its attempt ends here (or, for no response, when this
    /// host is its only one).
    pub code: Option<String>,
    /// Why, in a few words.
    pub because: Option<String>,
    /// The results that decided `attempt`.
    pub results: Vec<String>,
    /// Warnings and other problems of this host that do not change the attempt.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClientVerdict {
    /// The `--source` this client stands for; null: the OS's choice.
    pub source: Option<String>,
    pub suffixes: Vec<String>,
    pub suffix_origin: Option<String>,
    /// The domain the client finds KMS through (null: none, or hosts given by hand).
    pub domain: Option<String>,
    /// How the client finds its hosts, in words.
    pub discovery: String,
    pub answer: Answer,
    /// The main reason for the answer (the first of `risks` when there are any).
    pub reason: String,
    /// Every risk found, worst first.
    pub risks: Vec<String>,
    pub code: Option<String>,
    /// Share of clients whose activation attempt succeeds (after failover).
    pub activates: Both,
    /// Share of first attempts that reach a host that does not answer (a failover wait).
    pub failover: Both,
    pub hosts: Vec<HostVerdict>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Fix {
    pub rank: usize,
    pub title: String,
    /// The result id whose remediation this is.
    pub check: String,
    /// Targets (hosts or domains) it applies to.
    pub applies_to: Vec<String>,
    /// Added share of clients that activate, averaged over clients and caching settings.
    pub unblocks: f64,
    /// Share of first attempts no longer spent on a host that does not answer.
    pub spares: f64,
    pub code: Option<String>,
    pub remediation: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub answer: Answer,
    pub label: &'static str,
    pub reason: String,
    pub code: Option<String>,
    pub clients: Vec<ClientVerdict>,
    pub fixes: Vec<Fix>,
}

// ---------- reading the report ----------

fn matches_source(r: &Outcome, source: Option<&str>) -> bool {
    r.source.is_none() || r.source.as_deref() == source
}

fn str_of<'a>(r: &'a Outcome, key: &str) -> Option<&'a str> {
    r.evidence.get(key).and_then(Value::as_str)
}

/// One published (or given) host a client may try.
#[derive(Debug, Clone)]
struct Cand {
    host: String,
    port: u16,
    priority: u16,
    weight: u16,
}

fn records_of(r: &Outcome) -> Vec<Cand> {
    let Some(Value::Array(recs)) = r.evidence.get(ev::RECORDS) else {
        return Vec::new();
    };
    recs.iter()
        .filter_map(|v| {
            let n = |k: &str| v.get(k).and_then(Value::as_u64).map(|x| x as u16);
            let host = v.get(ev::RECORD_TARGET)?.as_str()?.to_string();
            (host != ".").then(|| Cand {
                host,
                port: n(ev::RECORD_PORT).unwrap_or(1688),
                priority: n(ev::RECORD_PRIORITY).unwrap_or(0),
                weight: n(ev::RECORD_WEIGHT).unwrap_or(0),
            })
        })
        .collect()
}

fn split_host_port(s: &str) -> Option<(String, u16)> {
    let (h, p) = s.rsplit_once(':')?;
    Some((h.trim_matches(['[', ']']).to_string(), p.parse().ok()?))
}

/// The first clause of a message: up to the first ": " or "; " past its opening words and
/// outside parentheses.
pub fn first_clause(msg: &str) -> &str {
    let mut depth = 0i32;
    for (i, ch) in msg.char_indices() {
        match ch {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ':' | ';' if depth <= 0 && i >= 20 && msg[i + 1..].starts_with(' ') => {
                return &msg[..i];
            }
            _ => {}
        }
    }
    msg
}

/// A clock offset in words: "5 h", "12 min", "40 s".
fn human_ms(ms: f64) -> String {
    let a = ms.abs();
    let t = |x: f64, unit: &str| {
        let s = format!("{x:.1}");
        format!("{} {unit}", s.strip_suffix(".0").unwrap_or(&s))
    };
    if a >= 3_600_000.0 {
        t(a / 3_600_000.0, "h")
    } else if a >= 60_000.0 {
        t(a / 60_000.0, "min")
    } else {
        t(a / 1000.0, "s")
    }
}

/// Percent for people: "33 %", "<1 %", "100 %".
pub fn pct(x: f64) -> String {
    if x > 0.0 && x < 0.005 {
        "<1 %".to_string()
    } else {
        format!("{:.0} %", x * 100.0)
    }
}

/// The ports of the records a `srv-stale` finding is about ("SRV 0 0 1689 host; …"), if
/// its record text says.
fn stale_ports(r: &Outcome) -> Option<Vec<u16>> {
    let text = str_of(r, ev::RECORD)?;
    let ports: Vec<u16> = text
        .split(';')
        .filter_map(|rec| rec.split_whitespace().nth(3)?.parse().ok())
        .collect();
    (!ports.is_empty()).then_some(ports)
}

struct Classified<'a> {
    attempt: Attempt,
    code: Option<String>,
    because: Option<String>,
    results: Vec<String>,
    notes: Vec<String>,
    /// The result whose remediation fixes the attempt, and whether fixing it removes the
    /// host from the list (a stale record) instead of healing it.
    fix: Option<(&'a Outcome, bool)>,
}

fn classify<'a>(
    report: &'a Report,
    source: Option<&str>,
    cand: &Cand,
    domain: Option<&str>,
) -> Classified<'a> {
    let target = format!("{}:{}", cand.host, cand.port);
    let own: Vec<&Outcome> = report
        .results
        .iter()
        .filter(|r| r.target.as_deref() == Some(target.as_str()) && matches_source(r, source))
        .collect();
    let stale = report.results.iter().find(|r| {
        r.kind == kinds::SRV_STALE
            && r.status == Status::Fail
            && domain.is_none_or(|d| r.target.as_deref() == Some(d))
            && str_of(r, ev::TARGET) == Some(cand.host.as_str())
            && stale_ports(r).is_none_or(|ports| ports.contains(&cand.port))
    });
    let mut c = Classified {
        attempt: Attempt::Works,
        code: None,
        because: None,
        results: Vec::new(),
        notes: Vec::new(),
        fix: None,
    };
    let deciding = |kind: &str| -> Option<&&Outcome> {
        own.iter()
            .find(|r| r.kind == kind && matches!(r.status, Status::Fail | Status::Error))
    };
    let no_response = [kinds::RESOLVE, kinds::TCP, kinds::KMS_RPC]
        .iter()
        .find_map(|k| deciding(k));
    if let Some(s) = stale {
        c.attempt = Attempt::NoResponse;
        c.because = Some(match str_of(s, ev::ISSUE) {
            Some(ev::ISSUE_NO_ADDRESS) => "stale record: no longer resolves".to_string(),
            Some(ev::ISSUE_PORT_DEAD) => {
                format!("stale record: port {} dead", cand.port)
            }
            _ => first_clause(&s.message).to_string(),
        });
        c.results.push(s.id.clone());
        c.code = no_response
            .and_then(|r| r.error_codes.first())
            .or(s.error_codes.first())
            .cloned();
        if let Some(r) = no_response {
            c.results.push(r.id.clone());
        }
        c.fix = Some((s, true));
    } else if let Some(r) = no_response {
        c.attempt = if r.status == Status::Error {
            Attempt::Unknown
        } else {
            Attempt::NoResponse
        };
        c.because = Some(first_clause(&r.message).to_string());
        c.code = r.error_codes.first().cloned();
        c.results.push(r.id.clone());
        c.fix = Some((r, false));
    } else if let Some(r) = deciding(kinds::CLOCK) {
        if r.status == Status::Error {
            c.attempt = Attempt::Unknown;
            c.because = Some(format!("{} could not be decided", r.id));
        } else {
            c.attempt = Attempt::Rejected;
            let off = r.evidence.get(ev::OFFSET_MS).and_then(Value::as_f64);
            c.because = Some(match off {
                Some(ms) => format!(
                    "clock is {} {}",
                    human_ms(ms),
                    if ms >= 0.0 { "ahead" } else { "behind" }
                ),
                None => first_clause(&r.message).to_string(),
            });
        }
        c.code = r.error_codes.first().cloned();
        c.results.push(r.id.clone());
        c.fix = Some((r, false));
    }
    for r in &own {
        if c.results.contains(&r.id) {
            continue;
        }
        if matches!(r.status, Status::Warn | Status::Fail | Status::Error) {
            c.notes.push(format!(
                "{} {}: {}",
                r.id,
                r.status.as_str(),
                first_clause(&r.message)
            ));
        }
    }
    c
}

/// Probabilities of one client's list: (first attempt, decides) per host, each under both
/// settings.
fn probabilities(cands: &[Cand], states: &[Attempt]) -> (Vec<Both>, Vec<Both>) {
    let n = cands.len();
    let mut first = vec![Both::default(); n];
    let mut decides = vec![Both::default(); n];
    if n == 0 {
        return (first, decides);
    }
    let mut prios: Vec<u16> = cands.iter().map(|c| c.priority).collect();
    prios.sort_unstable();
    prios.dedup();
    // Caching off: RFC 2782.
    let shares_of = |idx: &[usize]| -> Vec<f64> {
        rfc2782_shares(
            &idx.iter()
                .map(|&i| (cands[i].priority, cands[i].weight))
                .collect::<Vec<_>>(),
        )
    };
    let group = |p: u16| -> Vec<usize> { (0..n).filter(|&i| cands[i].priority == p).collect() };
    let g0 = group(prios[0]);
    for (i, s) in g0.iter().zip(shares_of(&g0)) {
        first[*i].caching_off = s;
    }
    for p in &prios {
        let answering: Vec<usize> = group(*p)
            .into_iter()
            .filter(|&i| states[i].answers())
            .collect();
        if answering.is_empty() {
            continue;
        }
        for (i, s) in answering.iter().zip(shares_of(&answering)) {
            decides[*i].caching_off = s;
        }
        break;
    }
    // Caching on: uniform over every host.
    let answering = states.iter().filter(|s| s.answers()).count();
    for i in 0..n {
        first[i].caching_on = 1.0 / n as f64;
        if states[i].answers() {
            decides[i].caching_on = 1.0 / answering as f64;
        }
    }
    (first, decides)
}

fn sum_where(v: &[Both], states: &[Attempt], keep: impl Fn(Attempt) -> bool) -> Both {
    let mut out = Both::default();
    for (b, s) in v.iter().zip(states) {
        if keep(*s) {
            out.caching_off += b.caching_off;
            out.caching_on += b.caching_on;
        }
    }
    out
}

/// The share in words, naming the settings when they differ.
fn both_text(b: Both) -> String {
    if (b.caching_off - b.caching_on).abs() < 0.005 {
        pct(b.caching_off)
    } else {
        format!(
            "{} (caching off) / {} (caching on)",
            pct(b.caching_off),
            pct(b.caching_on)
        )
    }
}

/// A fix candidate of one client: the key merges it across clients.
struct FixCand<'a> {
    key: (String, String),
    title: String,
    outcome: &'a Outcome,
    applies_to: Vec<String>,
    code: Option<String>,
    unblocks: f64,
    spares: f64,
}

fn fix_title(o: &Outcome, host: &str, port: u16, because: Option<&str>, published: bool) -> String {
    let or_remove = if published {
        ", or remove its SRV record"
    } else {
        ""
    };
    match o.kind.as_str() {
        kinds::SRV_STALE => format!("remove the stale SRV record of {host}"),
        kinds::CLOCK => format!(
            "set the clock of {host} right{}",
            because
                .and_then(|b| b.strip_prefix("clock is "))
                .map_or(String::new(), |b| format!(" (now {b})"))
        ),
        kinds::RESOLVE => format!("make {host} resolve{or_remove}"),
        kinds::TCP => format!("open TCP {port} to {host}{or_remove}"),
        kinds::KMS_RPC => format!("make {host} answer as a KMS host{or_remove}"),
        kinds::SRV_DISCOVERY => "publish _vlmcs._tcp where the client's suffix list looks".into(),
        _ => format!("fix {} for {host}", o.id),
    }
}

/// A few names and a count of the rest: "a, b, +3".
pub fn few(names: &[String]) -> String {
    if names.len() <= 2 {
        names.join(", ")
    } else {
        format!("{}, {}, +{}", names[0], names[1], names.len() - 2)
    }
}

/// The title of one fix applied to several hosts.
fn fixes_title(o: &Outcome, names: &[String], port: u16, published: bool) -> String {
    let n = names.len();
    let list = few(names);
    let or_remove = if published {
        ", or remove their SRV records"
    } else {
        ""
    };
    match o.kind.as_str() {
        kinds::SRV_STALE => format!("remove the {n} stale SRV records ({list})"),
        kinds::CLOCK => format!("set the clocks of {n} hosts right ({list})"),
        kinds::RESOLVE => format!("make {n} hosts resolve{or_remove} ({list})"),
        kinds::TCP => format!("open TCP {port} to {n} hosts{or_remove} ({list})"),
        kinds::KMS_RPC => format!("make {n} hosts answer as KMS hosts{or_remove} ({list})"),
        _ => format!("fix {} for {n} hosts ({list})", o.id),
    }
}

fn client_verdict<'a>(
    report: &'a Report,
    source: Option<&str>,
    fixes: &mut Vec<FixCand<'a>>,
) -> ClientVerdict {
    let disc = report
        .results
        .iter()
        .find(|r| r.kind == kinds::SRV_DISCOVERY && matches_source(r, source));
    let srv_of = |d: &str| {
        report.results.iter().find(|r| {
            r.kind == kinds::SRV
                && r.target.as_deref() == Some(d)
                && matches_source(r, source)
                && !records_of(r).is_empty()
        })
    };
    let mut suffixes: Vec<String> = report.domains.clone();
    let mut suffix_origin = None;
    let mut domain: Option<String> = None;
    if let Some(d) = disc {
        if let Some(Value::Array(list)) = d.evidence.get(ev::SUFFIXES) {
            suffixes = list
                .iter()
                .filter_map(|s| s.get(ev::SUFFIX).and_then(Value::as_str))
                .map(str::to_string)
                .collect();
        }
        suffix_origin = str_of(d, ev::SUFFIX_ORIGIN).map(str::to_string);
        domain = str_of(d, ev::FIRST_SUFFIX).map(str::to_string);
    }
    let mut base = ClientVerdict {
        source: source.map(str::to_string),
        suffixes: suffixes.clone(),
        suffix_origin,
        domain: None,
        discovery: String::new(),
        answer: Answer::Unknown,
        reason: String::new(),
        risks: Vec::new(),
        code: None,
        activates: Both::default(),
        failover: Both::default(),
        hosts: Vec::new(),
    };
    if let Some(d) = disc.filter(|d| d.status == Status::Fail) {
        base.answer = Answer::Fails;
        base.code = d.error_codes.first().cloned();
        base.discovery = "no suffix of the client's list finds a KMS SRV record".into();
        base.reason = format!(
            "no suffix of the client's list ({}) finds a KMS SRV record{}",
            suffixes.join(", "),
            base.code
                .as_ref()
                .map_or(String::new(), |c| format!(" → {c}"))
        );
        fixes.push(FixCand {
            key: (d.id.clone(), "discovery".into()),
            title: fix_title(d, "", 0, None, true),
            outcome: d,
            applies_to: vec![suffixes.join(", ")],
            code: base.code.clone(),
            unblocks: 1.0,
            spares: 0.0,
        });
        return base;
    }
    if domain.is_none() {
        let found_in = |d: &str| {
            let origin = format!("SRV _vlmcs._tcp.{d}");
            report.targets.iter().any(|t| t.origins.contains(&origin))
        };
        domain = report
            .domains
            .iter()
            .find(|d| srv_of(d).is_some())
            .or_else(|| report.domains.iter().find(|d| found_in(d)))
            .cloned();
    }
    // The hosts: the domain's records, else the hosts found in it, else hosts given by hand.
    let mut cands: Vec<Cand> = Vec::new();
    if let Some(d) = &domain {
        let weights = report.results.iter().find(|r| {
            r.kind == kinds::SRV_WEIGHTS
                && r.target.as_deref() == Some(d.as_str())
                && matches_source(r, source)
                && !records_of(r).is_empty()
        });
        if let Some(r) = srv_of(d).or(weights) {
            cands = records_of(r);
        } else {
            let origin = format!("SRV _vlmcs._tcp.{d}");
            cands = report
                .targets
                .iter()
                .filter(|t| t.origins.iter().any(|o| o == &origin))
                .map(|t| Cand {
                    host: t.host.clone(),
                    port: t.port,
                    priority: 0,
                    weight: 0,
                })
                .collect();
            if cands.is_empty() {
                if let Some(Value::Array(list)) = disc.and_then(|r| r.evidence.get(ev::SUFFIXES)) {
                    for s in list
                        .iter()
                        .filter(|s| s.get(ev::SUFFIX).and_then(Value::as_str) == Some(d))
                    {
                        for h in s
                            .get(ev::SUFFIX_HOSTS)
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten()
                        {
                            if let Some((host, port)) = h.as_str().and_then(split_host_port) {
                                cands.push(Cand {
                                    host,
                                    port,
                                    priority: 0,
                                    weight: 0,
                                });
                            }
                        }
                    }
                }
            }
        }
        base.discovery = format!("SRV _vlmcs._tcp.{d}");
    }
    if cands.is_empty() {
        domain = None;
        cands = report
            .targets
            .iter()
            .filter(|t| t.origins.iter().any(|o| !o.starts_with("SRV ")))
            .map(|t| Cand {
                host: t.host.clone(),
                port: t.port,
                priority: 0,
                weight: 0,
            })
            .collect();
        base.discovery = "hosts given on the command line (as if set with slmgr /skms)".into();
    }
    base.domain = domain.clone();
    if cands.is_empty() {
        // Nothing to try: a failing SRV lookup says why, else there is nothing to judge.
        let failing = report.results.iter().find(|r| {
            r.kind == kinds::SRV && r.status == Status::Fail && matches_source(r, source)
        });
        match failing {
            Some(f) => {
                base.answer = Answer::Fails;
                base.code = f.error_codes.first().cloned();
                base.discovery = "no KMS SRV record found".into();
                base.reason = format!(
                    "{}{}",
                    first_clause(&f.message),
                    base.code
                        .as_ref()
                        .map_or(String::new(), |c| format!(" → {c}"))
                );
                fixes.push(FixCand {
                    key: (f.id.clone(), f.target.clone().unwrap_or_default()),
                    title: format!(
                        "publish _vlmcs._tcp in {}",
                        f.target.as_deref().unwrap_or("the client's domain")
                    ),
                    outcome: f,
                    applies_to: f.target.clone().into_iter().collect(),
                    code: base.code.clone(),
                    unblocks: 1.0,
                    spares: 0.0,
                });
            }
            None => {
                base.discovery = "none".into();
                base.reason =
                    "no KMS host to judge: no SRV record was found and no --host given".into();
            }
        }
        return base;
    }

    // Hosts by name, or by host:port when names repeat (several ports of one address).
    let repeated = |c: &Cand| cands.iter().filter(|x| x.host == c.host).count() > 1;
    let name = |c: &Cand| {
        if repeated(c) {
            format!("{}:{}", c.host, c.port)
        } else {
            c.host.clone()
        }
    };
    let classes: Vec<Classified> = cands
        .iter()
        .map(|c| classify(report, source, c, domain.as_deref()))
        .collect();
    let states: Vec<Attempt> = classes.iter().map(|c| c.attempt).collect();
    let (first, decides) = probabilities(&cands, &states);
    let activates = sum_where(&decides, &states, Attempt::activates);
    let failover = sum_where(&first, &states, |s| s == Attempt::NoResponse);
    base.activates = activates.round();
    base.failover = failover.round();

    // Fixes: each host that does not work, with what fixing it changes. The same outcome on
    // several hosts (the same check, the same reason with host and address masked; every
    // stale record) is one fix, applied to all of them at once.
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, cl) in classes.iter().enumerate() {
        let Some((o, removes)) = cl.fix else { continue };
        if cl.attempt == Attempt::Works || cl.attempt == Attempt::Unknown {
            continue;
        }
        let mut because = cl.because.clone().unwrap_or_default();
        if let Some(a) = &o.address {
            because = because.replace(a.as_str(), "<address>");
        }
        because = because.replace(&cands[i].host, "<host>");
        let key = if removes {
            o.id.clone()
        } else {
            format!("{}|{because}", o.id)
        };
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(i),
            None => groups.push((key, vec![i])),
        }
    }
    for (key, members) in groups {
        let (o, removes) = classes[members[0]].fix.expect("grouped fixes have one");
        let (after_cands, after_states): (Vec<Cand>, Vec<Attempt>) = if removes {
            cands
                .iter()
                .cloned()
                .zip(states.iter().copied())
                .enumerate()
                .filter(|(j, _)| !members.contains(j))
                .map(|(_, x)| x)
                .unzip()
        } else {
            let mut s = states.clone();
            for &i in &members {
                s[i] = Attempt::Works;
            }
            (cands.clone(), s)
        };
        let (f2, d2) = probabilities(&after_cands, &after_states);
        let a2 = sum_where(&d2, &after_states, Attempt::activates);
        let fo2 = sum_where(&f2, &after_states, |s| s == Attempt::NoResponse);
        let c = &cands[members[0]];
        let names: Vec<String> = members.iter().map(|&i| name(&cands[i])).collect();
        let title = if members.len() == 1 {
            fix_title(
                o,
                &names[0],
                c.port,
                classes[members[0]].because.as_deref(),
                domain.is_some(),
            )
        } else {
            fixes_title(o, &names, c.port, domain.is_some())
        };
        fixes.push(FixCand {
            key: (o.id.clone(), key),
            title,
            outcome: o,
            applies_to: members
                .iter()
                .map(|&i| format!("{}:{}", cands[i].host, cands[i].port))
                .collect(),
            code: classes[members[0]].code.clone(),
            unblocks: (a2.mean() - activates.mean()).max(0.0),
            spares: (failover.mean() - fo2.mean()).max(0.0),
        });
    }

    base.hosts = cands
        .iter()
        .zip(classes)
        .enumerate()
        .map(|(i, (c, cl))| HostVerdict {
            target: format!("{}:{}", c.host, c.port),
            host: name(c),
            port: c.port,
            priority: c.priority,
            weight: c.weight,
            first_attempt: first[i].round(),
            decides: decides[i].round(),
            attempt: cl.attempt,
            code: cl.code,
            because: cl.because,
            results: cl.results,
            notes: cl.notes,
        })
        .collect();
    judge(&mut base);
    base
}

/// The answer, reason and code of one client from its hosts' probabilities.
fn judge(c: &mut ClientVerdict) {
    const EPS: f64 = 1e-6;
    let rejected: Vec<&HostVerdict> = {
        let mut v: Vec<&HostVerdict> = c
            .hosts
            .iter()
            .filter(|h| h.attempt == Attempt::Rejected)
            .collect();
        v.sort_by(|a, b| b.decides.mean().total_cmp(&a.decides.mean()));
        v
    };
    let dead: Vec<&HostVerdict> = {
        let mut v: Vec<&HostVerdict> = c
            .hosts
            .iter()
            .filter(|h| h.attempt == Attempt::NoResponse)
            .collect();
        v.sort_by(|a, b| b.first_attempt.mean().total_cmp(&a.first_attempt.mean()));
        v
    };
    let unknown: Vec<&HostVerdict> = c
        .hosts
        .iter()
        .filter(|h| h.attempt == Attempt::Unknown && h.decides.max() > EPS)
        .collect();
    let because = |h: &HostVerdict| h.because.clone().unwrap_or_default();
    if c.activates.max() <= EPS {
        c.answer = Answer::Fails;
        if let Some(h) = rejected.first() {
            c.code = h.code.clone();
            c.reason = format!(
                "every host that answers rejects the request: {}",
                rejected
                    .iter()
                    .map(|h| format!(
                        "{} ({}{})",
                        h.host,
                        because(h),
                        h.code.as_ref().map_or(String::new(), |c| format!(" → {c}"))
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        } else {
            // No KMS host could be contacted: the client's generic code.
            c.code = Some("0xC004F074".into());
            c.reason = format!(
                "no KMS host answers: {} → 0xC004F074",
                dead.iter()
                    .map(|h| format!("{} ({})", h.host, because(h)))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        return;
    }
    let risky = c.activates.min() < 1.0 - EPS || c.failover.max() > EPS || !unknown.is_empty();
    if !risky {
        c.answer = Answer::Works;
        c.reason = format!(
            "every host a client can pick activates it ({} host(s){})",
            c.hosts.len(),
            c.domain
                .as_ref()
                .map_or(String::new(), |d| format!(" via {d}"))
        );
        return;
    }
    c.answer = Answer::WorksWithRisk;
    let mut parts = Vec::new();
    for h in &rejected {
        parts.push(format!(
            "{} of first attempts reach {}, whose {} → {}",
            both_text(h.first_attempt),
            h.host,
            because(h),
            h.code.as_deref().unwrap_or("an error")
        ));
    }
    if let Some(h) = rejected.first() {
        c.code = h.code.clone();
    }
    let reached: Vec<&&HostVerdict> = dead
        .iter()
        .filter(|h| h.first_attempt.max() > EPS)
        .collect();
    match reached.as_slice() {
        [] => {}
        [h] => parts.push(format!(
            "{} of first attempts reach {}, which does not answer ({}); clients fail over to another host",
            both_text(h.first_attempt),
            h.host,
            because(h)
        )),
        many => {
            let mut sum = Both::default();
            for h in many {
                sum.caching_off += h.first_attempt.caching_off;
                sum.caching_on += h.first_attempt.caching_on;
            }
            let names: Vec<String> = many.iter().map(|h| h.host.clone()).collect();
            parts.push(format!(
                "{} of first attempts reach one of {} hosts that do not answer ({}); clients fail over to another host",
                both_text(sum),
                many.len(),
                few(&names)
            ));
        }
    }
    for h in &unknown {
        parts.push(format!("{}: {}", h.host, because(h)));
    }
    if parts.is_empty() {
        parts.push("some attempts reach hosts that do not answer".into());
    }
    c.reason = parts[0].clone();
    c.risks = parts;
}

/// The verdict of a report: one client per source (one for the run without sources).
pub fn verdict(report: &Report) -> Verdict {
    let sources: Vec<Option<&str>> = if report.sources.is_empty() {
        vec![None]
    } else {
        report.sources.iter().map(|s| Some(s.as_str())).collect()
    };
    let mut cands = Vec::new();
    let clients: Vec<ClientVerdict> = sources
        .iter()
        .map(|s| client_verdict(report, *s, &mut cands))
        .collect();
    let worst = clients
        .iter()
        .max_by_key(|c| c.answer)
        .expect("at least one client");
    let answer = worst.answer;
    let reason = match (&worst.source, clients.len()) {
        (Some(s), n) if n > 1 => format!("from {s}: {}", worst.reason),
        _ => worst.reason.clone(),
    };
    let code = worst.code.clone();

    // Merge the fix candidates of all clients; a client without a candidate gains nothing.
    let n = clients.len() as f64;
    let mut merged: BTreeMap<(String, String), Fix> = BTreeMap::new();
    let mut order: Vec<(String, String)> = Vec::new();
    for f in cands {
        let e = merged.entry(f.key.clone()).or_insert_with(|| {
            order.push(f.key.clone());
            Fix {
                rank: 0,
                title: f.title.clone(),
                check: f.outcome.id.clone(),
                applies_to: Vec::new(),
                unblocks: 0.0,
                spares: 0.0,
                code: f.code.clone(),
                remediation: f.outcome.remediation.clone(),
            }
        });
        for a in &f.applies_to {
            if !e.applies_to.contains(a) {
                e.applies_to.push(a.clone());
            }
        }
        e.unblocks += f.unblocks / n;
        e.spares += f.spares / n;
    }
    let mut fixes: Vec<Fix> = order
        .into_iter()
        .filter_map(|k| merged.remove(&k))
        .collect();
    fixes.sort_by(|a, b| {
        b.unblocks
            .total_cmp(&a.unblocks)
            .then(b.spares.total_cmp(&a.spares))
    });
    for (i, f) in fixes.iter_mut().enumerate() {
        f.rank = i + 1;
        f.unblocks = (f.unblocks * 10000.0).round() / 10000.0;
        f.spares = (f.spares * 10000.0).round() / 10000.0;
    }
    Verdict {
        answer,
        label: answer.label(),
        reason,
        code,
        clients,
        fixes,
    }
}

// ---------- readiness (the summary line) ----------

/// The summary line's word, reconciled with the verdict for the activation audit
/// (branch-office): READY when clients activate, even if some hosts fail; NOT READY when
/// they cannot. An `error` result (the tool could not decide) still makes it NOT READY, and
/// the other profiles answer their own question (every check of the change must pass).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    ReadyWithWarnings,
    ReadyWithRisk,
    NotReady,
    Unknown,
}

pub fn readiness(report: &Report, v: &Verdict) -> Readiness {
    let s = &report.summary;
    let activation_audit = report
        .profile
        .as_deref()
        .is_none_or(|p| p == "branch-office");
    if activation_audit && s.error == 0 {
        match v.answer {
            Answer::Fails => return Readiness::NotReady,
            Answer::WorksWithRisk => return Readiness::ReadyWithRisk,
            Answer::Works if s.fail > 0 => return Readiness::ReadyWithRisk,
            _ => {}
        }
    }
    if s.fail > 0 || s.error > 0 {
        Readiness::NotReady
    } else if s.warn > 0 {
        Readiness::ReadyWithWarnings
    } else if s.pass > 0 {
        Readiness::Ready
    } else {
        Readiness::Unknown
    }
}

#[cfg(test)]
#[path = "verdict_tests.rs"]
mod tests;
