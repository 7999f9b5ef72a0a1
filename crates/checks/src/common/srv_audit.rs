//! Shared pieces of the SRV audit kinds (`srv-agreement`, `srv-weights`, `srv-inventory`,
//! `srv-stale`, `srv-discovery`): the query name, asking every DNS server directly, record
//! identity, and the exact add/remove commands remediation texts print.
//!
//! Not a check kind itself. Each audit kind asks DNS on its own instead of consuming the
//! facts of `srv.present`: a check reports only on evidence it saw, and an audit must still
//! run when `srv.present` fails (a wrong port fails it, but is exactly what the weights
//! audit should explain).

use crate::{CheckContext, Finding, RunSettings, Source};
use std::net::SocketAddr;
use std::time::Duration;

use kms_preflight_net::dns::proto::{Name, RecordType};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_saphyr::Spanned;
use tokio::task::JoinSet;

use crate::common::srv::{srv_records, SrvRecord};
use kms_preflight_engine::rules::{template, Vars};
use kms_preflight_engine::{render_param, Message, Status};
use kms_preflight_net::dns::{self, DnsFailure, DnsReply};
use kms_preflight_net::ms;

pub const DEFAULT_NAME: &str = "_vlmcs._tcp.{{domain}}";

/// Per-query timeout of the SRV audits unless a rule says otherwise.
pub const AUDIT_TIMEOUT: Duration = Duration::from_secs(2);

/// Job budget of an audit that asks every server once in parallel (UDP, then TCP after
/// truncation).
pub fn audit_budget(timeout: Duration) -> Duration {
    timeout * 2 + Duration::from_secs(2)
}

/// [`DEFAULT_NAME`] filled in, or the error finding naming the variables it lacks.
pub fn default_name(vars: &Vars) -> Result<String, Finding> {
    template::render(DEFAULT_NAME, vars).map_err(|_| {
        let missing: Vec<&str> = template::placeholders(DEFAULT_NAME)
            .into_iter()
            .map(|(_, n)| n)
            .filter(|n| !vars.contains_key(*n))
            .collect();
        Finding::new(Status::Error, super::undefined_variables(missing))
    })
}

/// The SRV name to ask, fully qualified, and how it is shown.
pub fn query_name(
    name: &Option<Spanned<String>>,
    ctx: &CheckContext<'_>,
) -> Result<(Name, String), Finding> {
    let text = match name {
        Some(n) => render_param(n, ctx.vars)?,
        None => default_name(ctx.vars)?,
    };
    let n = dns::fqdn(&text).map_err(|e| super::dns::name_error(&text, &e))?;
    let shown = dns::display_name(&n);
    Ok((n, shown))
}

/// Owner label and zone of an SRV name: `_vlmcs._tcp.corp.test` → (`_vlmcs._tcp`, `corp.test`).
/// The zone is a guess (the record may live in a parent zone); remediation texts say so.
pub fn owner_and_zone(shown: &str) -> (String, String) {
    let mut parts = shown.splitn(3, '.');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(a), Some(b), Some(zone)) => (format!("{a}.{b}"), zone.to_string()),
        _ => (shown.to_string(), shown.to_string()),
    }
}

/// What one server said, asked directly.
#[derive(Debug, Clone)]
pub struct ServerAnswer {
    pub server: SocketAddr,
    pub result: Result<DnsReply, DnsFailure>,
    /// The server timed out earlier in this run and was not asked again.
    pub remembered: bool,
}

/// One server's answer as evidence (`servers` of the audits).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum ServerAnswerEvidence {
    Answered(AnsweredEvidence),
    Failed(FailedEvidence),
}

/// A server that answered (any rcode).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AnsweredEvidence {
    pub server: String,
    pub rcode: String,
    pub authoritative: bool,
    pub tcp_fallback: bool,
    pub rtt_ms: f64,
    pub records: Vec<SrvRecord>,
}

/// A server that gave no response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FailedEvidence {
    pub server: String,
    /// Always null: there was no response.
    pub rcode: Option<String>,
    pub error: String,
    pub result: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub remembered: bool,
}

impl ServerAnswer {
    /// The SRV records, or None when the server gave no usable answer (transport failure,
    /// SERVFAIL, REFUSED): such a server can be neither agreed nor disagreed with.
    pub fn records(&self) -> Option<Vec<SrvRecord>> {
        match &self.result {
            Ok(r) => match r.class {
                dns::AnswerClass::Records
                | dns::AnswerClass::NxDomain
                | dns::AnswerClass::NoData => Some(srv_records(r)),
                _ => None,
            },
            Err(_) => None,
        }
    }

    /// The answer class or failure label (`NXDOMAIN`, `timeout`), for the sweep's text.
    pub fn outcome_label(&self) -> String {
        match &self.result {
            Ok(r) => r.class.label(),
            Err(f) => f.label(),
        }
    }

    /// The answer class or failure, as a message.
    pub fn outcome(&self) -> Message {
        super::dns::outcome(&self.result, |r| &r.class)
    }

    pub fn evidence(&self) -> ServerAnswerEvidence {
        match &self.result {
            Ok(r) => ServerAnswerEvidence::Answered(AnsweredEvidence {
                server: self.server.to_string(),
                rcode: r.class.label(),
                authoritative: r.authoritative,
                tcp_fallback: r.tcp_fallback,
                rtt_ms: ms(r.rtt),
                records: srv_records(r),
            }),
            Err(f) => ServerAnswerEvidence::Failed(FailedEvidence {
                server: self.server.to_string(),
                rcode: None,
                error: f.label(),
                result: f.class().to_string(),
                remembered: self.remembered,
            }),
        }
    }
}

/// Asks every configured server directly and concurrently (UDP, TCP on truncation), each
/// bounded by its own timeout; a server that timed out earlier in this run is not asked again
/// (`remembered`). Answers come back in the order of the servers.
pub async fn ask_each(
    settings: &RunSettings,
    name: &Name,
    rtype: RecordType,
    timeout: Duration,
    source: Option<&Source>,
) -> Vec<ServerAnswer> {
    let mut set = JoinSet::new();
    for (i, &server) in settings.dns_servers.iter().enumerate() {
        let name = name.clone();
        let source = source.cloned();
        let memo = settings.memo.clone();
        set.spawn(async move {
            let (r, remembered) =
                dns::query_remembered(&memo, server, &name, rtype, timeout, source.as_ref()).await;
            (
                i,
                ServerAnswer {
                    server,
                    result: r,
                    remembered,
                },
            )
        });
    }
    let mut out = Vec::new();
    while let Some(r) = set.join_next().await {
        if let Ok(r) = r {
            out.push(r);
        }
    }
    out.sort_by_key(|r| r.0);
    out.into_iter().map(|r| r.1).collect()
}

/// The opening every SRV audit shares: the SRV answers of `name` from each configured server,
/// asked directly and concurrently; an error finding when no server is configured.
pub async fn srv_answers(
    name: &Name,
    ctx: &CheckContext<'_>,
) -> Result<Vec<ServerAnswer>, Finding> {
    if ctx.settings.dns_servers.is_empty() {
        return Err(no_servers());
    }
    Ok(ask_each(ctx.settings, name, RecordType::SRV, ctx.timeout, ctx.source).await)
}

/// [`query_name`] then [`srv_answers`]: the SRV name to audit, as shown, and every server's
/// answer for it.
pub async fn open_audit(
    name: &Option<Spanned<String>>,
    ctx: &CheckContext<'_>,
) -> Result<(Name, String, Vec<ServerAnswer>), Finding> {
    let (name, shown) = query_name(name, ctx)?;
    let answers = srv_answers(&name, ctx).await?;
    Ok((name, shown, answers))
}

/// Identity of an SRV record for comparisons (TTL is compared separately).
pub type SrvKey = (u16, u16, u16, String);

pub fn key(r: &SrvRecord) -> SrvKey {
    (r.priority, r.weight, r.port, r.target.clone())
}

/// `SRV 0 100 1688 kms1.corp.test` — how findings name one record (record text).
pub fn describe(r: &SrvRecord) -> String {
    format!("SRV {} {} {} {}", r.priority, r.weight, r.port, r.target)
}

fn fq(target: &str) -> String {
    if target == "." {
        ".".into()
    } else {
        format!("{target}.")
    }
}

/// Exact commands that delete one SRV record (Windows DNS and BIND), then the client steps.
pub fn remove_commands(shown: &str, r: &SrvRecord, on: Option<SocketAddr>) -> Message {
    let (owner, zone) = owner_and_zone(shown);
    let computer = on
        .map(|s| format!(" -ComputerName {}", s.ip()))
        .unwrap_or_default();
    let (t, port, prio, weight) = (fq(&r.target), r.port, r.priority, r.weight);
    let head = match on {
        Some(s) => super::srv_remove_head_on(describe(r), &zone, s.ip()),
        None => super::srv_remove_head(describe(r), &zone),
    };
    super::srv_remove_record(
        head,
        format!(
            "Get-DnsServerResourceRecord{computer} -ZoneName {zone} -Name {owner} -RRType Srv | \
             Where-Object {{ $_.RecordData.DomainName -eq '{t}' -and $_.RecordData.Port -eq {port} -and $_.RecordData.Priority -eq {prio} }} | \
             Remove-DnsServerResourceRecord{computer} -ZoneName {zone} -Force"
        ),
        &zone,
        format!("{owner}  IN SRV {prio} {weight} {port} {t}"),
        format!("update delete {shown}. SRV {prio} {weight} {port} {t} ; send"),
    )
}

/// The Windows DNS command and the BIND zone-file line that publish one KMS host.
pub fn add_record_commands(
    shown: &str,
    host: &str,
    priority: u16,
    weight: u16,
    port: u16,
) -> (String, String) {
    let (owner, zone) = owner_and_zone(shown);
    let t = fq(host);
    (
        format!(
            "Add-DnsServerResourceRecord -ZoneName {zone} -Srv -Name {owner} -DomainName {t} -Priority {priority} -Weight {weight} -Port {port}"
        ),
        format!("{owner}  IN SRV {priority} {weight} {port} {t}"),
    )
}

/// Exact commands that publish one KMS host, then the client steps.
pub fn add_commands(shown: &str, host: &str, priority: u16, weight: u16, port: u16) -> Message {
    let (_, zone) = owner_and_zone(shown);
    let (windows, bind_line) = add_record_commands(shown, host, priority, weight, port);
    super::srv_add_record(host, zone, windows, bind_line)
}

/// The servers as message arguments ("198.18.0.2:53, 198.18.0.3:53" in English).
pub fn servers_list(s: &[SocketAddr]) -> Vec<String> {
    s.iter().map(|a| a.to_string()).collect()
}

/// Normalises a host name given by a user: lower case, no trailing dot.
pub fn norm_host(s: &str) -> String {
    s.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// Evidence of the per-server answers.
pub fn answers_evidence(answers: &[ServerAnswer]) -> Vec<ServerAnswerEvidence> {
    answers.iter().map(ServerAnswer::evidence).collect()
}

/// [`answers_evidence`] as JSON, for the sweep's key-by-key evidence.
pub fn answers_json(answers: &[ServerAnswer]) -> Value {
    serde_json::to_value(answers_evidence(answers)).unwrap_or_default()
}

/// The standard "no DNS server" error.
pub fn no_servers() -> Finding {
    Finding::new(Status::Error, super::no_dns_server())
}

impl crate::Evidence {
    /// The published target an SRV audit finding is about (`target` of `srv-agreement`,
    /// `srv-weights`, `srv-inventory` and `srv-stale`).
    pub fn audit_target(&self) -> Option<&str> {
        match self {
            crate::Evidence::SrvAgreement(e) => e.target.as_deref(),
            crate::Evidence::SrvWeights(e) => e.target.as_deref(),
            crate::Evidence::SrvInventory(e) => e.target.as_deref(),
            crate::Evidence::SrvStale(e) => e.target.as_deref(),
            _ => None,
        }
    }

    /// The record(s) an SRV audit finding is about, as text ("SRV 0 0 1688 host; …": `record`
    /// of `srv-agreement`, `srv-weights` and `srv-stale`).
    pub fn audit_record(&self) -> Option<&str> {
        match self {
            crate::Evidence::SrvAgreement(e) => e.record.as_deref(),
            crate::Evidence::SrvWeights(e) => e.record.as_deref(),
            crate::Evidence::SrvStale(e) => e.record.as_deref(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::en;

    fn rec(p: u16, w: u16, port: u16, t: &str) -> SrvRecord {
        SrvRecord {
            priority: p,
            weight: w,
            port,
            target: t.into(),
            ttl: 300,
        }
    }

    #[test]
    fn the_default_name_names_what_it_lacks() {
        let mut vars = Vars::new();
        let f = default_name(&vars).unwrap_err();
        assert_eq!(
            en(&f.message),
            template::render(DEFAULT_NAME, &vars).unwrap_err()
        );
        vars.insert("domain".into(), "corp.test".into());
        assert_eq!(default_name(&vars).unwrap(), "_vlmcs._tcp.corp.test");
    }

    #[test]
    fn owner_and_zone_split_the_srv_name() {
        assert_eq!(
            owner_and_zone("_vlmcs._tcp.corp.example.com"),
            ("_vlmcs._tcp".to_string(), "corp.example.com".to_string())
        );
        assert_eq!(
            owner_and_zone("short"),
            ("short".to_string(), "short".to_string())
        );
    }

    #[test]
    fn removal_names_the_exact_record_on_the_given_server() {
        let text = en(&remove_commands(
            "_vlmcs._tcp.corp.test",
            &rec(20, 5, 1688, "old.corp.test"),
            Some("10.0.0.3:53".parse().unwrap()),
        ));
        assert!(text.contains(
            "Get-DnsServerResourceRecord -ComputerName 10.0.0.3 -ZoneName corp.test -Name _vlmcs._tcp -RRType Srv | \
             Where-Object { $_.RecordData.DomainName -eq 'old.corp.test.' -and $_.RecordData.Port -eq 1688 -and $_.RecordData.Priority -eq 20 } | \
             Remove-DnsServerResourceRecord -ComputerName 10.0.0.3 -ZoneName corp.test -Force"
        ), "{text}");
        assert!(text.contains("_vlmcs._tcp  IN SRV 20 5 1688 old.corp.test."));
        assert!(text.contains("update delete _vlmcs._tcp.corp.test. SRV 20 5 1688 old.corp.test."));
        assert!(text.ends_with("ipconfig /flushdns ; slmgr /ckms"));
        // The "." target stays "." (not "..").
        let dot = en(&remove_commands(
            "_vlmcs._tcp.corp.test",
            &rec(0, 0, 0, "."),
            None,
        ));
        assert!(dot.contains("IN SRV 0 0 0 .\n"), "{dot}");
    }

    #[test]
    fn add_commands_publish_with_priority_weight_port() {
        let text = en(&add_commands(
            "_vlmcs._tcp.corp.test",
            "kms9.corp.test",
            10,
            60,
            1688,
        ));
        assert!(text.contains(
            "Add-DnsServerResourceRecord -ZoneName corp.test -Srv -Name _vlmcs._tcp -DomainName kms9.corp.test. -Priority 10 -Weight 60 -Port 1688"
        ));
        assert!(text.contains("_vlmcs._tcp  IN SRV 10 60 1688 kms9.corp.test."));
    }
}
