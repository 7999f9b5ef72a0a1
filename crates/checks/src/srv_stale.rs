//! `srv-stale`: published `_vlmcs._tcp` targets that are dead — the leftover of a host
//! replacement. A target that no longer resolves (NXDOMAIN / NODATA) or whose advertised
//! port no longer answers on any of its addresses is reported as stale, with the exact
//! commands that remove its record.
//!
//! Per domain rather than per host, because the finding is about an SRV record (which zone,
//! which priority/weight/port) and its removal command needs all of that. Every DNS server is
//! asked directly and the union audited, so a record lingering on one server is found too.
//! The per-host `resolve`/`tcp` checks still report each host in detail.

use crate::{evidence as ev, CheckContext, CheckOutput, Finding, Kms, RunSettings};
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use serde_json::{json, Value};
use serde_saphyr::Spanned;
use tokio::task::JoinSet;

use crate::common::srv::SrvRecord;
use crate::common::srv_audit::{self as common, describe};

use kms_preflight_engine::rules::Scope;
use kms_preflight_engine::Status;
use kms_preflight_engine::{BoxFuture, Check, Target};
use kms_preflight_net::dns::AnswerClass;
use kms_preflight_net::tcp::{connect_as_client, ConnectFailure};

kms_preflight_engine::messages! {}

kms_preflight_engine::check_rule! {
    /// Parameters of an `srv-stale` check.
    SrvStaleRule => SrvStaleCheck {
        /// Query name; default `_vlmcs._tcp.{{domain}}`.
        name: Option<Spanned<String>>,
        /// Also connect to the advertised port (default true); false checks resolution only.
        port_check: Option<bool>,
    }
}

/// What became of one published target.
enum Fate {
    Live(Vec<IpAddr>),
    /// NXDOMAIN or NODATA for both A and AAAA.
    NoAddress(String),
    /// Resolution failed in a way that says nothing about the record (timeout, SERVFAIL).
    Unknown(String),
    /// Resolves, but no address accepted a connection on the port.
    PortDead(Vec<(SocketAddr, ConnectFailure)>),
}

impl Check<Kms> for SrvStaleCheck {
    fn default_scope(&self) -> Scope {
        Scope::EACH_DOMAIN
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(2)
    }

    fn budget(&self, timeout: Duration, settings: &RunSettings) -> Duration {
        // SRV from every server in parallel, then per target (in parallel): a stub-style
        // A/AAAA lookup and parallel connects.
        timeout * 2
            + kms_preflight_net::dns::lookup_budget(timeout, &settings.dns_servers)
            + timeout
            + Duration::from_secs(2)
    }

    fn templates(&self) -> Vec<&Spanned<String>> {
        self.name.iter().collect()
    }

    fn evidence_vars(&self) -> &'static [&'static str] {
        &["name", "target", "issue", "record"]
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext<'a>) -> BoxFuture<'a, CheckOutput> {
        Box::pin(async move {
            let (_name, shown, answers) = match common::open_audit(&self.name, ctx).await {
                Ok(o) => o,
                Err(f) => return CheckOutput::one(f),
            };
            let mut published: BTreeMap<(String, u16), (Vec<SrvRecord>, Vec<SocketAddr>)> =
                BTreeMap::new();
            let mut answered = 0;
            for a in &answers {
                let Some(recs) = a.records() else { continue };
                answered += 1;
                for r in recs.into_iter().filter(|r| r.target != ".") {
                    let e = published.entry((r.target.clone(), r.port)).or_default();
                    if !e.1.contains(&a.server) {
                        e.1.push(a.server);
                    }
                    if !e.0.iter().any(|x| common::key(x) == common::key(&r)) {
                        e.0.push(r);
                    }
                }
            }
            if answered == 0 {
                return CheckOutput::one(
                    Finding::new(
                        Status::Skip,
                        format!(
                            "no DNS server gave a usable SRV answer for {shown}; see srv.present"
                        ),
                    )
                    .evidence("name", shown)
                    .evidence("servers", common::answers_json(&answers)),
                );
            }
            if published.is_empty() {
                return CheckOutput::one(
                    Finding::new(Status::Skip, format!("no KMS host is published at {shown}: nothing can be stale; see srv.present"))
                        .evidence("name", shown),
                );
            }

            let port_check = self.port_check.unwrap_or(true);
            let mut fates: Vec<((String, u16), Fate)> = Vec::new();
            {
                let mut set = JoinSet::new();
                for (i, (host, port)) in published.keys().enumerate() {
                    let host = host.clone();
                    let port = *port;
                    let settings = ctx.settings.clone();
                    let vars = ctx.vars.clone();
                    let source = ctx.source.cloned();
                    let timeout = ctx.timeout;
                    set.spawn(async move {
                        let target = Target {
                            host: host.clone(),
                            port,
                            origins: Vec::new(),
                        };
                        let prior = crate::Facts::default();
                        let c = CheckContext {
                            vars: &vars,
                            domain: None,
                            target: Some(&target),
                            source: source.as_ref(),
                            timeout,
                            settings: &settings,
                            prior: &prior,
                        };
                        let fate = match crate::common::address::lookup(&c, &host).await {
                            Err(f) => Fate::Unknown(f.message.legacy_text()),
                            Ok(res) if res.addresses.is_empty() => {
                                let decisive =
                                    res.v4.as_ref().or(res.v6.as_ref()).map(|r| r.class.clone());
                                match decisive {
                                    Some(AnswerClass::NxDomain) => {
                                        Fate::NoAddress("NXDOMAIN".into())
                                    }
                                    Some(AnswerClass::NoData) | Some(AnswerClass::Records) => {
                                        Fate::NoAddress("NODATA: no A or AAAA record".into())
                                    }
                                    Some(other) => Fate::Unknown(other.label()),
                                    None => Fate::Unknown(
                                        kms_preflight_net::dns::no_answer_message(&res.attempts),
                                    ),
                                }
                            }
                            Ok(res) if !port_check => Fate::Live(res.addresses),
                            Ok(res) => {
                                let mut failures = Vec::new();
                                let mut live = Vec::new();
                                let mut conns = JoinSet::new();
                                for ip in res.addresses.clone() {
                                    let addr = SocketAddr::new(ip, port);
                                    let source = source.clone();
                                    let memo = settings.memo.clone();
                                    conns.spawn(async move {
                                        let (r, _) = connect_as_client(
                                            addr,
                                            source.as_ref(),
                                            timeout,
                                            Some(&memo),
                                        )
                                        .await;
                                        (addr, r)
                                    });
                                }
                                while let Some(r) = conns.join_next().await {
                                    if let Ok((addr, r)) = r {
                                        match r {
                                            Ok(_) => live.push(addr.ip()),
                                            Err(e) => failures.push((addr, e)),
                                        }
                                    }
                                }
                                if live.is_empty() {
                                    failures.sort_by_key(|f| f.0);
                                    Fate::PortDead(failures)
                                } else {
                                    Fate::Live(live)
                                }
                            }
                        };
                        (i, (host, port), fate)
                    });
                }
                let mut got = Vec::new();
                while let Some(r) = set.join_next().await {
                    if let Ok(r) = r {
                        got.push(r);
                    }
                }
                got.sort_by_key(|g| g.0);
                fates.extend(got.into_iter().map(|g| (g.1, g.2)));
            }

            let mut findings = Vec::new();
            let mut summary = Vec::new();
            for ((host, port), fate) in &fates {
                let (recs, on) = &published[&(host.clone(), *port)];
                let on_text = on
                    .iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>()
                    .join(", ");
                let removal = recs
                    .iter()
                    .map(|r| common::remove_commands(&shown, r, None))
                    .collect::<Vec<_>>()
                    .join("\n");
                let records_text = recs.iter().map(describe).collect::<Vec<_>>().join("; ");
                let entry = |state: &str, detail: Value| json!({"target": host, "port": port, "state": state, "detail": detail, "published_on": on.iter().map(|s| s.to_string()).collect::<Vec<_>>()});
                let base = |f: Finding| {
                    f.evidence("name", shown.clone())
                        .evidence(ev::TARGET, host.clone())
                        .evidence(ev::RECORD, records_text.clone())
                        .evidence(
                            "published_on",
                            Value::Array(on.iter().map(|s| Value::String(s.to_string())).collect()),
                        )
                };
                match fate {
                    Fate::Live(addrs) => summary.push(entry(
                        if port_check { "answers" } else { "resolves" },
                        Value::Array(addrs.iter().map(|a| Value::String(a.to_string())).collect()),
                    )),
                    Fate::Unknown(why) => {
                        summary.push(entry("unknown", Value::String(why.clone())));
                        findings.push(base(Finding::new(
                            Status::Skip,
                            format!("{host}: cannot tell whether {records_text} is stale: resolving it failed ({why})"),
                        )));
                    }
                    Fate::NoAddress(why) => {
                        summary.push(entry("no-address", Value::String(why.clone())));
                        findings.push(
                            base(Finding::new(
                                Status::Fail,
                                format!(
                                    "stale record: {records_text} (published on {on_text}) points at {host}, which no longer resolves ({why}); \
                                     clients that pick it waste an attempt or fail"
                                ),
                            ))
                            .codes(&["0xC004F074", "0x8007232B"])
                            .evidence(ev::ISSUE, ev::ISSUE_NO_ADDRESS)
                            .remediation(removal),
                        );
                    }
                    Fate::PortDead(fails) => {
                        let detail = fails
                            .iter()
                            .map(|(a, f)| format!("{a} {}", f.class()))
                            .collect::<Vec<_>>()
                            .join(", ");
                        summary.push(entry("port-dead", Value::String(detail.clone())));
                        let all_refused = fails.iter().all(|(_, f)| *f == ConnectFailure::Refused);
                        let why = if all_refused {
                            "nothing listens there any more (connection refused)".to_string()
                        } else {
                            "no address accepted a connection (a firewall may also be in the way; see tcp.port)".to_string()
                        };
                        findings.push(
                            base(Finding::new(
                                Status::Fail,
                                format!("stale record: {records_text} (published on {on_text}): port {port} of {host} no longer answers: {detail}; {why}"),
                            ))
                            .codes(&["0xC004F074", "0x800706BA"])
                            .evidence(ev::ISSUE, ev::ISSUE_PORT_DEAD)
                            .evidence("connects", Value::Array(fails.iter().map(|(a, f)| json!({"address": a.to_string(), "result": f.class()})).collect()))
                            .remediation(format!(
                                "If {host} still is a KMS host, start it / open TCP {port} (Get-Service sppsvc; Enable-NetFirewallRule -Name SPPSVC-In-TCP). \
                                 If it was replaced or retired:\n{removal}"
                            )),
                        );
                    }
                }
            }
            let live = fates
                .iter()
                .filter(|f| matches!(f.1, Fate::Live(_)))
                .count();
            if live > 0 && findings.iter().all(|f| f.status != Status::Fail) {
                findings.insert(
                    0,
                    Finding::new(
                        Status::Pass,
                        format!(
                            "{live} of {} published target(s) at {shown} {}",
                            fates.len(),
                            if port_check {
                                "resolve and answer on their port"
                            } else {
                                "resolve"
                            }
                        ),
                    )
                    .evidence("name", shown.clone()),
                );
            }
            let summary = Value::Array(summary);
            for f in &mut findings {
                f.evidence.insert("targets".into(), summary.clone());
            }
            CheckOutput {
                findings,
                ..Default::default()
            }
        })
    }
}
