//! `srv-stale`: published `_vlmcs._tcp` targets that are dead — the leftover of a host
//! replacement. A target that no longer resolves (NXDOMAIN / NODATA) or whose advertised
//! port no longer answers on any of its addresses is reported as stale, with the exact
//! commands that remove its record.
//!
//! Per domain rather than per host, because the finding is about an SRV record (which zone,
//! which priority/weight/port) and its removal command needs all of that. Every DNS server is
//! asked directly and the union audited, so a record lingering on one server is found too.
//! The per-host `resolve`/`tcp` checks still report each host in detail.

use crate::{CheckContext, CheckOutput, Finding, Kms, RunSettings};
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use serde_saphyr::Spanned;
use tokio::task::JoinSet;

use crate::common::evidence_text::EvidenceText;
use crate::common::srv::SrvRecord;
use crate::common::srv_audit::{self as common, describe, ServerAnswerEvidence};

use kms_preflight_engine::rules::Scope;
use kms_preflight_engine::{BoxFuture, Check, Target};
use kms_preflight_engine::{Message, Status};
use kms_preflight_net::dns::AnswerClass;
use kms_preflight_net::tcp::{connect_as_client, ConnectFailure};

kms_preflight_engine::messages! {
    /// no DNS server gave a usable SRV answer for {name}; see srv.present
    no_usable = "srv-stale-no-usable" (name);
    /// no KMS host is published at {name}: nothing can be stale; see srv.present
    none_published = "srv-stale-none-published" (name);
    /// NODATA: no A or AAAA record
    nodata = "srv-stale-nodata" ();
    /// {host}: cannot tell whether {records} is stale: resolving it failed ({why})
    unknown = "srv-stale-unknown" (host, records, why);
    /// stale record: {records} (published on {servers}) points at {host}, which no longer
    /// resolves ({why}); clients that pick it waste an attempt or fail
    no_address = "srv-stale-no-address" (records, servers, host, why);
    /// {address} {result}
    connect = "srv-stale-connect" (address, result);
    /// stale record: {records} (published on {servers}): port {port} of {host} no longer
    /// answers: {connects}; {why}
    port_dead = "srv-stale-port-dead" (records, servers, port, host, connects, why);
    /// nothing listens there any more (connection refused)
    all_refused_msg = "srv-stale-all-refused" ();
    /// no address accepted a connection (a firewall may also be in the way; see tcp.port)
    none_accepted = "srv-stale-none-accepted" ();
    /// If {host} still is a KMS host, start it / open TCP {port} (…). If it was replaced or
    /// retired: {removals}
    port_dead_fix = "srv-stale-port-dead-fix" (host, port, removals);
    /// {live} of {total} published target(s) at {name} resolve and answer on their port
    live = "srv-stale-live" (live, total, name);
    /// {live} of {total} published target(s) at {name} resolve
    live_resolve = "srv-stale-live-resolve" (live, total, name);
}

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
    NoAddress(Message),
    /// Resolution failed in a way that says nothing about the record (timeout, SERVFAIL).
    Unknown(Message),
    /// Resolves, but no address accepted a connection on the port.
    PortDead(Vec<(SocketAddr, ConnectFailure)>),
}

/// What a stale record finding is about.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum StaleIssue {
    /// The target no longer resolves.
    NoAddress,
    /// The target resolves but its port no longer answers.
    PortDead,
}

/// One failed connect to a stale target.
#[derive(
    Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(default)]
pub struct ConnectEvidence {
    pub address: String,
    pub result: String,
}

/// What became of one published target (`targets` evidence).
#[derive(
    Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(default)]
pub struct TargetEvidence {
    pub target: String,
    pub port: u16,
    /// `answers`, `resolves`, `unknown`, `no-address` or `port-dead`.
    pub state: String,
    pub detail: TargetDetail,
    pub published_on: Vec<String>,
}

/// The addresses of a live target, or why it is not.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum TargetDetail {
    Addresses(Vec<String>),
    Why(EvidenceText),
}

impl Default for TargetDetail {
    fn default() -> Self {
        TargetDetail::Addresses(Vec::new())
    }
}

/// What `srv-stale` saw.
#[derive(
    Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(default)]
pub struct SrvStaleEvidence {
    pub name: String,
    /// Every server's answer (when none was usable).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub servers: Option<Vec<ServerAnswerEvidence>>,
    /// The target a finding is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Its record(s), as text ("SRV 0 0 1688 host; …").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_on: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue: Option<StaleIssue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connects: Option<Vec<ConnectEvidence>>,
    /// Every published target and what became of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub targets: Option<Vec<TargetEvidence>>,
}

impl crate::Evidence {
    pub fn srv_stale(&self) -> Option<&SrvStaleEvidence> {
        match self {
            crate::Evidence::SrvStale(e) => Some(e),
            _ => None,
        }
    }
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

    fn plan(
        &self,
        ctx: &kms_preflight_engine::plan::PlanContext<'_, Kms>,
    ) -> Vec<kms_preflight_engine::plan::PlannedProbe> {
        let mut out =
            crate::common::plan::srv_queries(ctx, crate::common::plan::srv_names(ctx, &self.name));
        out.extend(crate::common::plan::dns_queries(
            ctx,
            crate::common::plan::dns_query("A, AAAA", crate::common::plan::srv_target_names()),
        ));
        if self.port_check.unwrap_or(true) {
            out.push(kms_preflight_engine::plan::PlannedProbe::new(
                kms_preflight_engine::plan::Transport::Tcp,
                kms_preflight_engine::plan::Destination::KmsHosts,
                Some(crate::common::plan::kms_port(ctx, &None)),
                crate::common::plan::tcp_connect(),
            ));
        }
        out
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
                return CheckOutput::one(Finding::new(Status::Skip, no_usable(&shown)).with(
                    SrvStaleEvidence {
                        name: shown,
                        servers: Some(common::answers_evidence(&answers)),
                        ..Default::default()
                    },
                ));
            }
            if published.is_empty() {
                return CheckOutput::one(Finding::new(Status::Skip, none_published(&shown)).with(
                    SrvStaleEvidence {
                        name: shown,
                        ..Default::default()
                    },
                ));
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
                    let deadline = ctx.deadline;
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
                            deadline,
                            settings: &settings,
                            prior: &prior,
                            early: None,
                        };
                        let fate = match crate::common::address::lookup(&c, &host).await {
                            Err(f) => Fate::Unknown(f.message),
                            Ok(res) if res.addresses.is_empty() => {
                                let decisive =
                                    res.v4.as_ref().or(res.v6.as_ref()).map(|r| r.class.clone());
                                match decisive {
                                    Some(AnswerClass::NxDomain) => {
                                        Fate::NoAddress(crate::common::dns_nxdomain())
                                    }
                                    Some(AnswerClass::NoData) | Some(AnswerClass::Records) => {
                                        Fate::NoAddress(nodata())
                                    }
                                    Some(other) => Fate::Unknown(crate::common::dns::class(&other)),
                                    None => {
                                        Fate::Unknown(crate::common::dns::no_answer(&res.attempts))
                                    }
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
                let on_list = common::servers_list(on);
                let removals: Vec<Message> = recs
                    .iter()
                    .map(|r| common::remove_commands(&shown, r, None))
                    .collect();
                let records_text = recs.iter().map(describe).collect::<Vec<_>>().join("; ");
                let entry = |state: &str, detail: TargetDetail| TargetEvidence {
                    target: host.clone(),
                    port: *port,
                    state: state.into(),
                    detail,
                    published_on: on_list.clone(),
                };
                let about = SrvStaleEvidence {
                    name: shown.clone(),
                    target: Some(host.clone()),
                    record: Some(records_text.clone()),
                    published_on: Some(on_list.clone()),
                    ..Default::default()
                };
                match fate {
                    Fate::Live(addrs) => summary.push(entry(
                        if port_check { "answers" } else { "resolves" },
                        TargetDetail::Addresses(addrs.iter().map(|a| a.to_string()).collect()),
                    )),
                    Fate::Unknown(why) => {
                        summary.push(entry("unknown", TargetDetail::Why(why.clone().into())));
                        findings.push((
                            Finding::new(Status::Skip, unknown(host, &records_text, why.clone())),
                            about,
                        ));
                    }
                    Fate::NoAddress(why) => {
                        summary.push(entry("no-address", TargetDetail::Why(why.clone().into())));
                        findings.push((
                            Finding::new(
                                Status::Fail,
                                no_address(&records_text, on_list.clone(), host, why.clone()),
                            )
                            .codes(&["0xC004F074", "0x8007232B"])
                            .remediation(crate::common::lines(removals)),
                            SrvStaleEvidence {
                                issue: Some(StaleIssue::NoAddress),
                                ..about
                            },
                        ));
                    }
                    Fate::PortDead(fails) => {
                        let detail: Vec<Message> =
                            fails.iter().map(|(a, f)| connect(*a, f.class())).collect();
                        summary.push(entry(
                            "port-dead",
                            TargetDetail::Why(crate::common::list(detail.clone()).into()),
                        ));
                        let all_refused = fails.iter().all(|(_, f)| *f == ConnectFailure::Refused);
                        let why = if all_refused {
                            all_refused_msg()
                        } else {
                            none_accepted()
                        };
                        findings.push((
                            Finding::new(
                                Status::Fail,
                                port_dead(&records_text, on_list.clone(), *port, host, detail, why),
                            )
                            .codes(&["0xC004F074", "0x800706BA"])
                            .remediation(port_dead_fix(host, *port, removals)),
                            SrvStaleEvidence {
                                issue: Some(StaleIssue::PortDead),
                                connects: Some(
                                    fails
                                        .iter()
                                        .map(|(a, f)| ConnectEvidence {
                                            address: a.to_string(),
                                            result: f.class().into(),
                                        })
                                        .collect(),
                                ),
                                ..about
                            },
                        ));
                    }
                }
            }
            let live_count = fates
                .iter()
                .filter(|f| matches!(f.1, Fate::Live(_)))
                .count();
            if live_count > 0 && findings.iter().all(|f| f.0.status != Status::Fail) {
                let text = if port_check {
                    live(live_count, fates.len(), &shown)
                } else {
                    live_resolve(live_count, fates.len(), &shown)
                };
                findings.insert(
                    0,
                    (
                        Finding::new(Status::Pass, text),
                        SrvStaleEvidence {
                            name: shown.clone(),
                            ..Default::default()
                        },
                    ),
                );
            }
            // Every finding carries the fate of every target.
            let findings: Vec<Finding> = findings
                .into_iter()
                .map(|(f, e)| {
                    f.with(SrvStaleEvidence {
                        targets: Some(summary.clone()),
                        ..e
                    })
                })
                .collect();
            CheckOutput {
                findings,
                ..Default::default()
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::en;

    /// Messages the lab does not reach read as the sentences written before they were typed.
    #[test]
    fn english_as_before() {
        let (host, records_text, shown) = (
            "kms9.corp.test",
            "SRV 0 0 1688 kms9.corp.test",
            "_vlmcs._tcp.corp.test",
        );
        let why = "SERVFAIL";
        assert_eq!(
            en(&unknown(host, records_text, crate::common::dns_servfail())),
            format!(
                "{host}: cannot tell whether {records_text} is stale: resolving it failed ({why})"
            )
        );
        assert_eq!(en(&nodata()), "NODATA: no A or AAAA record");
        let (live, total) = (1usize, 2usize);
        assert_eq!(
            en(&live_resolve(live, total, shown)),
            format!(
                "{live} of {} published target(s) at {shown} {}",
                total, "resolve"
            )
        );
    }
}
