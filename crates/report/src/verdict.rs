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
//!      attempt): a failing `clock` result (0xC004F06C), or, when the opt-in activation probe
//!      ran, the host's own refusal (a failing `kms-activation` result: 0xC004F038 count
//!      below the threshold, 0xC004F042 product not covered, …) for the product named;
//!    - works; or unknown when a deciding check ended in `error`.
//! 3. The order of attempts as probabilities under both host-caching settings: RFC 2782
//!    (caching off, `slmgr /ckhc`: lowest priority group first, weighted inside it, shares
//!    from [`kms_preflight_knowledge::srv_order::rfc2782_shares`]) and a uniform random
//!    choice over all hosts (caching on). From them: the share of first attempts each host
//!    gets, where attempts end after failover, and the share of clients that activate.
//! 4. The answer (WORKS / WORKS WITH RISK / FAILS with the code) and the fixes, ranked by
//!    the share of clients each would unblock.

use std::collections::BTreeMap;

use kms_preflight_checks::evidence::kinds;
use kms_preflight_checks::srv_stale::StaleIssue;
use kms_preflight_knowledge::srv_order::rfc2782_shares;

use super::catalog::{Catalog, Lang};
use super::verdict_model::{
    self as m, direction, fix_title, fixes_title, judge, offset_parts, said,
};
pub use super::verdict_model::{
    few, first_clause, pct, Answer, Attempt, Both, ClientVerdict, Fix, HostVerdict, PhraseArgs,
    Verdict,
};
use super::{Outcome, Report, Status};
use kms_preflight_message::Message;

// ---------- reading the report ----------

/// The first clause of a result's message, as a phrase of the verdict.
fn clause_of(msg: &Message) -> Message {
    m::clause(msg.clone())
}

fn matches_source(r: &Outcome, source: Option<&str>) -> bool {
    r.source.is_none() || r.source.as_deref() == source
}

/// One published (or given) host a client may try.
#[derive(Debug, Clone)]
pub(crate) struct Cand {
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) priority: u16,
    pub(crate) weight: u16,
}

fn records_of(r: &Outcome) -> Vec<Cand> {
    r.evidence
        .srv_records()
        .iter()
        .filter(|v| v.target != ".")
        .map(|v| Cand {
            host: v.target.clone(),
            port: v.port,
            priority: v.priority,
            weight: v.weight,
        })
        .collect()
}

fn split_host_port(s: &str) -> Option<(String, u16)> {
    let (h, p) = s.rsplit_once(':')?;
    Some((h.trim_matches(['[', ']']).to_string(), p.parse().ok()?))
}

/// The ports of the records a `srv-stale` finding is about ("SRV 0 0 1689 host; …"), if
/// its record text says.
fn stale_ports(r: &Outcome) -> Option<Vec<u16>> {
    let text = r.evidence.srv_stale()?.record.as_deref()?;
    let ports: Vec<u16> = text
        .split(';')
        .filter_map(|rec| rec.split_whitespace().nth(3)?.parse().ok())
        .collect();
    (!ports.is_empty()).then_some(ports)
}

pub(crate) struct Classified<'a> {
    pub(crate) attempt: Attempt,
    pub(crate) code: Option<String>,
    pub(crate) because: Option<Message>,
    /// The host's clock offset when its clock rejects the attempt (for the fix's title).
    clock_ms: Option<f64>,
    results: Vec<String>,
    notes: Vec<Message>,
    /// The result whose remediation fixes the attempt, and whether fixing it removes the
    /// host from the list (a stale record) instead of healing it.
    fix: Option<(&'a Outcome, bool)>,
}

pub(crate) fn classify<'a>(
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
            && r.evidence.srv_stale().and_then(|e| e.target.as_deref()) == Some(cand.host.as_str())
            && stale_ports(r).is_none_or(|ports| ports.contains(&cand.port))
    });
    let mut c = Classified {
        attempt: Attempt::Works,
        code: None,
        because: None,
        clock_ms: None,
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
        c.because = Some(match s.evidence.srv_stale().and_then(|e| e.issue) {
            Some(StaleIssue::NoAddress) => m::stale_no_address(),
            Some(StaleIssue::PortDead) => m::stale_port_dead(cand.port),
            _ => clause_of(&s.message),
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
        c.because = Some(clause_of(&r.message));
        c.code = r.error_codes.first().cloned();
        c.results.push(r.id.clone());
        c.fix = Some((r, false));
    } else if let Some(r) = deciding(kinds::CLOCK) {
        if r.status == Status::Error {
            c.attempt = Attempt::Unknown;
            c.because = Some(m::undecided(r.id.as_str()));
        } else {
            c.attempt = Attempt::Rejected;
            let off = r.evidence.clock().and_then(|e| e.offset_ms);
            c.clock_ms = off;
            c.because = Some(match off {
                Some(ms) => {
                    let (value, unit) = offset_parts(ms);
                    m::clock_off(value, unit, direction(ms))
                }
                None => clause_of(&r.message),
            });
        }
        c.code = r.error_codes.first().cloned();
        c.results.push(r.id.clone());
        c.fix = Some((r, false));
    } else if let Some(r) = own
        .iter()
        .find(|r| r.kind == kinds::KMS_ACTIVATION && r.status == Status::Fail)
    {
        // The host's own answer to a real activation request: clients of that product get
        // the same refusal (a warn, e.g. an emulator sign, stays a note).
        c.attempt = Attempt::Rejected;
        let e = r.evidence.activation();
        let product: kms_preflight_message::Arg = match e.and_then(|e| e.product.as_deref()) {
            Some(p) => p.into(),
            None => m::the_product().into(),
        };
        // Phrased to follow "…, whose" in the verdict's reason.
        c.because = Some(
            match (e.and_then(|e| e.current_count), e.and_then(|e| e.threshold)) {
                (Some(n), Some(t)) if n < t => m::activation_count(n, t, product),
                _ => m::activation_refused(product),
            },
        );
        c.code = r.error_codes.first().cloned();
        c.results.push(r.id.clone());
        c.fix = Some((r, false));
    }
    // A skip is never evidence: the attempt works only when the probes that decide it passed
    // from this source. Nothing proves it would get through when no connection was tried (a
    // run of DNS checks only, e.g. `diagnose` of a DNS code), or when they were all skipped.
    if c.attempt == Attempt::Works {
        match deciding_probes(&own) {
            Probed::Passed => {}
            Probed::Nothing => {
                c.attempt = Attempt::Unknown;
                c.because = Some(m::not_probed());
            }
            Probed::Skipped(r, proves_no_connection) => {
                c.because = Some(clause_of(&r.message));
                c.results.push(r.id.clone());
                if proves_no_connection {
                    // No address of the source's family: a client there cannot connect.
                    c.attempt = Attempt::NoResponse;
                    c.code = Some("0xC004F074".into());
                } else {
                    c.attempt = Attempt::Unknown;
                }
            }
        }
    }
    for r in &own {
        if c.results.contains(&r.id) {
            continue;
        }
        if matches!(r.status, Status::Warn | Status::Fail | Status::Error) {
            c.notes.push(m::note(
                r.id.as_str(),
                r.status.as_str(),
                clause_of(&r.message),
            ));
        }
    }
    c
}

/// What the connection probes of one host and source say, in the order a client goes.
enum Probed<'a> {
    /// Every deciding probe that ran passed (or warned) on some address.
    Passed,
    /// No connection probe ran.
    Nothing,
    /// This deciding probe passed on no address: it was skipped (or could not decide). The
    /// flag: the skip proves a client there cannot connect (every address of the wrong
    /// family for the source).
    Skipped(&'a Outcome, bool),
}

/// The message of a connect skipped because the address is not of the source's family.
const WRONG_FAMILY: &str = "common-connect-wrong-family";

/// The deciding probes, in chain order: TCP, then the RPC bind, then the activation probe
/// where it ran. A probe that ran for this host must have passed on some address.
fn deciding_probes<'a>(own: &[&'a Outcome]) -> Probed<'a> {
    let mut ran = false;
    for kind in [kinds::TCP, kinds::KMS_RPC, kinds::KMS_ACTIVATION] {
        let of: Vec<&&Outcome> = own.iter().filter(|r| r.kind == kind).collect();
        if of.is_empty() {
            continue;
        }
        if kind != kinds::KMS_ACTIVATION {
            ran = true;
        }
        if !of
            .iter()
            .any(|r| matches!(r.status, Status::Pass | Status::Warn))
        {
            let wrong_family = kind == kinds::TCP
                && of
                    .iter()
                    .all(|r| r.status == Status::Skip && r.message.id == WRONG_FAMILY);
            return Probed::Skipped(of[0], wrong_family);
        }
    }
    if ran {
        Probed::Passed
    } else {
        Probed::Nothing
    }
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

/// A fix candidate of one client: the key merges it across clients.
struct FixCand<'a> {
    key: (String, String),
    title: Message,
    outcome: &'a Outcome,
    applies_to: Vec<String>,
    code: Option<String>,
    unblocks: f64,
    spares: f64,
}

/// The verdict of a client that searches `only` (a client's own lookup domain or suffix
/// list, `--client-state`): the first of them with KMS records, never the hosts given by hand.
pub(crate) fn discovery_verdict(report: &Report, only: &[String]) -> ClientVerdict {
    // The run's own suffix-list audit, when it searched exactly these domains.
    let same = report.results.iter().any(|r| {
        r.kind == kinds::SRV_DISCOVERY
            && r.evidence
                .srv_discovery()
                .and_then(|e| e.suffixes.as_ref())
                .is_some_and(|l| l.iter().map(|s| &s.suffix).eq(only.iter()))
    });
    let only = if same { None } else { Some(only) };
    // With --source, the first source's results stand for the client.
    let source = report.sources.first().map(String::as_str);
    // Its phrases are read back by id (`reason_message`), so the catalog's language is moot.
    client_verdict(
        report,
        source,
        only,
        &mut Vec::new(),
        Catalog::get(Lang::En),
    )
}

fn client_verdict<'a>(
    report: &'a Report,
    source: Option<&str>,
    only: Option<&[String]>,
    fixes: &mut Vec<FixCand<'a>>,
    cat: &Catalog,
) -> ClientVerdict {
    let disc = report
        .results
        .iter()
        .filter(|_| only.is_none())
        .find(|r| r.kind == kinds::SRV_DISCOVERY && matches_source(r, source));
    let srv_of = |d: &str| {
        report.results.iter().find(|r| {
            r.kind == kinds::SRV
                && r.target.as_deref() == Some(d)
                && matches_source(r, source)
                && !records_of(r).is_empty()
        })
    };
    let mut suffixes: Vec<String> = only.map_or_else(|| report.domains.clone(), <[String]>::to_vec);
    let mut suffix_origin = None;
    let mut domain: Option<String> = None;
    if let Some(d) = disc {
        if let Some(e) = d.evidence.srv_discovery() {
            if let Some(list) = &e.suffixes {
                suffixes = list.iter().map(|s| s.suffix.clone()).collect();
            }
            suffix_origin = Some(e.suffix_origin.clone()).filter(|o| !o.is_empty());
            domain = e.first_suffix.clone();
        }
    }
    let mut base = ClientVerdict {
        source: source.map(str::to_string),
        suffixes: suffixes.clone(),
        suffix_origin,
        domain: None,
        discovery: String::new(),
        discovery_id: Default::default(),
        discovery_args: PhraseArgs::default(),
        answer: Answer::Unknown,
        reason: String::new(),
        reason_id: Default::default(),
        reason_args: PhraseArgs::default(),
        risks: Vec::new(),
        risk_messages: Vec::new(),
        code: None,
        activates: Both::default(),
        failover: Both::default(),
        hosts: Vec::new(),
    };
    if let Some(d) = disc.filter(|d| d.status == Status::Fail) {
        base.answer = Answer::Fails;
        base.code = d.error_codes.first().cloned();
        let no_dns = d.evidence.srv_discovery().and_then(|e| e.dns_answered) == Some(false);
        let what = if no_dns {
            m::discovery_no_dns()
        } else {
            m::discovery_no_record()
        };
        base.set_discovery(cat, what.clone());
        let reason = m::discovery_fails(what, suffixes.clone());
        base.set_reason(cat, with_code(reason, base.code.as_deref()));
        fixes.push(FixCand {
            key: (d.id.clone(), "discovery".into()),
            title: fix_title(d, "", 0, None, None, true),
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
        let searched = only.unwrap_or(&report.domains);
        domain = searched
            .iter()
            .find(|d| srv_of(d).is_some())
            .or_else(|| searched.iter().find(|d| found_in(d)))
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
                let suffixes = disc
                    .and_then(|r| r.evidence.srv_discovery())
                    .and_then(|e| e.suffixes.as_deref())
                    .unwrap_or_default();
                for s in suffixes.iter().filter(|s| s.suffix == *d) {
                    for h in &s.hosts {
                        if let Some((host, port)) = split_host_port(h) {
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
        base.set_discovery(cat, m::discovery_srv(d.as_str()));
    }
    if cands.is_empty() && only.is_some() {
        // A client searching its own domains finds nothing there: the SRV lookup's code.
        base.answer = Answer::Fails;
        base.set_discovery(cat, m::discovery_no_record());
        base.code = report
            .results
            .iter()
            .find(|r| {
                r.kind == kinds::SRV
                    && r.status == Status::Fail
                    && r.target
                        .as_deref()
                        .is_some_and(|t| suffixes.iter().any(|s| s == t))
            })
            .and_then(|r| r.error_codes.first().cloned())
            .or_else(|| Some("0x8007232B".into()));
        let reason = m::discovery_fails(m::discovery_no_record(), suffixes.clone());
        base.set_reason(cat, with_code(reason, base.code.as_deref()));
        return base;
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
        // Hosts that only the client state named are the client's own pins, not the
        // command line's.
        let pinned_only = report
            .targets
            .iter()
            .flat_map(|t| t.origins.iter().filter(|o| !o.starts_with("SRV ")))
            .all(|o| o.starts_with(super::verdict_model::PINNED_ORIGIN_PREFIX));
        base.set_discovery(
            cat,
            if pinned_only && !cands.is_empty() {
                m::discovery_pinned()
            } else {
                m::discovery_by_hand()
            },
        );
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
                base.set_discovery(cat, m::discovery_none_found());
                let reason = with_code(clause_of(&f.message), base.code.as_deref());
                base.set_reason(cat, reason);
                fixes.push(FixCand {
                    key: (f.id.clone(), f.target.clone().unwrap_or_default()),
                    title: match f.target.as_deref() {
                        Some(t) => m::fix_publish_in(t),
                        None => m::fix_publish_in_client_domain(),
                    },
                    outcome: f,
                    applies_to: f.target.clone().into_iter().collect(),
                    code: base.code.clone(),
                    unblocks: 1.0,
                    spares: 0.0,
                });
            }
            None => {
                base.set_discovery(cat, m::discovery_nothing());
                base.set_reason(cat, m::nothing_to_judge());
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
        // Grouped on the English phrase, so that the grouping is the same in every language.
        let mut because = cl
            .because
            .as_ref()
            .map(|b| Catalog::get(Lang::En).text(b))
            .unwrap_or_default();
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
                classes[members[0]].because.as_ref(),
                classes[members[0]].clock_ms,
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
        .map(|(i, (c, cl))| {
            let because = cl.because.map(|b| said(cat, b));
            HostVerdict {
                target: format!("{}:{}", c.host, c.port),
                host: name(c),
                port: c.port,
                priority: c.priority,
                weight: c.weight,
                first_attempt: first[i].round(),
                decides: decides[i].round(),
                attempt: cl.attempt,
                code: cl.code,
                because_id: because.as_ref().map(|b| b.id.clone()),
                because_args: because.as_ref().map(|b| b.args.clone()),
                because: because.map(|b| b.text),
                results: cl.results,
                notes: cl.notes.iter().map(|n| cat.text(n)).collect(),
                note_messages: cl.notes,
            }
        })
        .collect();
    judge(&mut base, cat);
    base
}

/// `reason → code` when there is a code.
fn with_code(reason: Message, code: Option<&str>) -> Message {
    match code {
        Some(c) => m::with_code(reason, c),
        None => reason,
    }
}

/// The verdict of a report in English (see [`verdict_in`]).
pub fn verdict(report: &Report) -> Verdict {
    verdict_in(report, Lang::En)
}

/// The verdict of a report, its phrases in `lang`: one client per source (one for the run
/// without sources).
pub fn verdict_in(report: &Report, lang: Lang) -> Verdict {
    let cat = Catalog::get(lang);
    let sources: Vec<Option<&str>> = if report.sources.is_empty() {
        vec![None]
    } else {
        report.sources.iter().map(|s| Some(s.as_str())).collect()
    };
    let mut cands = Vec::new();
    let clients: Vec<ClientVerdict> = sources
        .iter()
        .map(|s| client_verdict(report, *s, None, &mut cands, cat))
        .collect();
    // The worst client decides; a client nothing proved activates (unknown) is worse than
    // one that activates with risk.
    let worst = clients
        .iter()
        .max_by_key(|c| c.answer.badness())
        .expect("at least one client");
    let answer = worst.answer;
    let reason = said(
        cat,
        match (&worst.source, clients.len()) {
            (Some(s), n) if n > 1 => m::from_source(s.as_str(), worst.reason_message()),
            _ => worst.reason_message(),
        },
    );
    let code = worst.code.clone();

    // Merge the fix candidates of all clients; a client without a candidate gains nothing.
    let n = clients.len() as f64;
    let mut merged: BTreeMap<(String, String), Fix> = BTreeMap::new();
    let mut order: Vec<(String, String)> = Vec::new();
    for f in cands {
        let e = merged.entry(f.key.clone()).or_insert_with(|| {
            order.push(f.key.clone());
            let title = said(cat, f.title.clone());
            let rem = f.outcome.remediation.as_ref();
            Fix {
                rank: 0,
                title: title.text,
                title_id: title.id,
                title_args: title.args,
                check: f.outcome.id.clone(),
                applies_to: Vec::new(),
                unblocks: 0.0,
                spares: 0.0,
                code: f.code.clone(),
                remediation: rem.map(|r| cat.text(r)),
                remediation_id: rem.map(|r| r.id.clone()),
                remediation_args: rem.map(|r| PhraseArgs(r.args.clone())),
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
        label: answer.label_in(lang),
        reason: reason.text,
        reason_id: reason.id,
        reason_args: reason.args,
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
            // Nothing proves a client activates (its probes were skipped): never READY.
            Answer::Unknown if s.fail == 0 && judged(v) => return Readiness::Unknown,
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

/// Some host's attempt is unknown because its probes ran and proved nothing (skipped or
/// undecided), not because the run tried no connection at all (DNS checks only).
fn judged(v: &Verdict) -> bool {
    v.clients
        .iter()
        .flat_map(|c| &c.hosts)
        .any(|h| h.attempt == Attempt::Unknown && !h.results.is_empty())
}

/// The exit code of a `check` run: 1 when any result is `fail` or `error`, and, for the
/// activation audit, when the verdict is FAILS or nothing proves a client activates
/// (UNKNOWN because the deciding probes were skipped); else 0.
pub fn exit_code(report: &Report) -> i32 {
    if report.exit_code() != 0 {
        return 1;
    }
    match readiness(report, &verdict(report)) {
        Readiness::NotReady => 1,
        Readiness::Unknown if judged(&verdict(report)) => 1,
        _ => 0,
    }
}

#[cfg(test)]
#[path = "verdict_tests.rs"]
mod tests;
