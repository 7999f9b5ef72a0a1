//! `srv-discovery`: KMS discovery the way a Windows client does it, over its whole DNS suffix
//! list at once (scope `once`).
//!
//! The list is, in order: `--domain` values, else `--suffix` values (a Windows client's
//! primary DNS suffix and connection-specific suffixes, given by hand to simulate it from a
//! Linux jump host), else the system resolver's domain and search list. For each suffix the
//! `_vlmcs._tcp.<suffix>` SRV records are asked like a stub resolver would, and the result
//! says which suffix found which hosts. When no suffix reaches any record the finding says
//! so plainly: that is the case where `nslookup` of the full name "works" from an admin's
//! shell while the client logs 0x8007232B, because the record lives in a zone outside the
//! client's suffix list.
//!
//! Which suffix a client ends up using is stated as "the first suffix whose query returns
//! records" — our reading of Microsoft's description (membership zone, then the suffix
//! search list); the per-domain `srv.present` results show every suffix in detail.

use crate::{CheckContext, CheckOutput, Finding, Kms, RunSettings};
use std::time::Duration;

use kms_preflight_net::dns::proto::RecordType;
use serde_saphyr::Spanned;
use tokio::task::JoinSet;

use crate::common::evidence_text::EvidenceText;
use crate::common::srv::srv_records;
use crate::common::srv_audit as common;

use kms_preflight_engine::rules::Scope;
use kms_preflight_engine::{render_param, BoxFuture, Check};
use kms_preflight_engine::{Arg, Message, Status};
use kms_preflight_net::dns::{self, AnswerClass};

kms_preflight_engine::messages! {
    /// the command line (where the suffix list came from when the run does not say)
    origin_command_line = "srv-discovery-origin-command-line" ();
    /// no DNS domain or suffix to search (only --host given): KMS discovery was not simulated
    no_suffix = "srv-discovery-no-suffix" ();
    /// no answer ({why})
    no_answer = "srv-discovery-no-answer" (why);
    /// only target '.' (service not offered)
    dot_only = "srv-discovery-dot-only" ();
    /// {suffix} → {result}
    line = "srv-discovery-line" (suffix, result);
    /// {suffix} → {hosts}
    line_hosts = "srv-discovery-line-hosts" (suffix, hosts);
    /// suffix list ({origin}): {lines}; a client with this list finds KMS through {first}
    /// (the first suffix with records)
    found = "srv-discovery-found" (origin, lines, first);
    /// no DNS server answered for any suffix of the list ({origin}: {suffixes}): {lines}. A
    /// Windows client here cannot discover KMS (it logs 0xC004F074) until its DNS servers
    /// answer
    no_dns = "srv-discovery-no-dns" (origin, suffixes, lines);
    /// Make the DNS servers this client uses ({servers}) answer it: … {resolve_command} …
    /// {nslookup_command} …
    no_dns_fix = "srv-discovery-no-dns-fix" (servers, resolve_command, nslookup_command);
    /// no suffix in the list ({origin}: {suffixes}) reaches any _vlmcs._tcp record: {lines}. A
    /// Windows client with this suffix list cannot discover KMS (it logs {code}), even if
    /// nslookup of the full name works elsewhere
    no_record = "srv-discovery-no-record" (origin, suffixes, lines, code);
    /// Make one zone of the client's suffix list ({suffixes}) hold the record, or point the
    /// client at the zone that does: … {zone} {windows} {bind_line} … {reg_command} …
    no_record_fix = "srv-discovery-no-record-fix" (suffixes, zone, windows, bind_line, reg_command);
}

kms_preflight_engine::check_rule! {
    /// Parameters of an `srv-discovery` check.
    SrvDiscoveryRule => SrvDiscoveryCheck {
        /// Query name per suffix; default `_vlmcs._tcp.{{domain}}` (`domain` = each suffix).
        name: Option<Spanned<String>>,
    }
}

/// What `srv-discovery` saw over the client's suffix list.
#[derive(
    Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(default)]
pub struct SrvDiscoveryEvidence {
    /// The first suffix of the client's list whose query returns records.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_suffix: Option<String>,
    /// False when no DNS server gave any answer for any suffix (timeouts, unreachable
    /// servers): discovery failed for want of DNS, not for want of a record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns_answered: Option<bool>,
    /// Where the suffix list came from (`--suffix`, `--domain`, the system's).
    pub suffix_origin: String,
    /// Per suffix, in the list's order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suffixes: Option<Vec<SuffixEvidence>>,
}

/// One suffix's result.
#[derive(
    Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(default)]
pub struct SuffixEvidence {
    pub suffix: String,
    /// The SRV name asked.
    pub name: String,
    /// The answer class, `only target '.'…`, or why no server answered.
    pub result: EvidenceText,
    /// The server that answered; null when none did.
    pub server: Option<String>,
    /// `host:port` of each published KMS host.
    pub hosts: Vec<String>,
}

impl crate::Evidence {
    pub fn srv_discovery(&self) -> Option<&SrvDiscoveryEvidence> {
        match self {
            crate::Evidence::SrvDiscovery(e) => Some(e),
            _ => None,
        }
    }
}

/// One suffix's result, and what decided it.
struct SuffixResult {
    evidence: SuffixEvidence,
    /// The answer class (None: no server answered at all).
    class: Option<AnswerClass>,
}

impl Check<Kms> for SrvDiscoveryCheck {
    fn default_scope(&self) -> Scope {
        Scope::ONCE
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(2)
    }

    fn budget(&self, timeout: Duration, settings: &RunSettings) -> Duration {
        kms_preflight_net::dns::lookup_budget(timeout, &settings.dns_servers)
            + Duration::from_secs(1)
    }

    fn templates(&self) -> Vec<&Spanned<String>> {
        self.name.iter().collect()
    }

    fn evidence_vars(&self) -> &'static [&'static str] {
        &["suffix_origin", "first_suffix"]
    }

    fn plan(
        &self,
        ctx: &kms_preflight_engine::plan::PlanContext<'_, Kms>,
    ) -> Vec<kms_preflight_engine::plan::PlannedProbe> {
        let text = self
            .name
            .as_ref()
            .map_or("_vlmcs._tcp.{{domain}}", |n| n.value.as_str());
        let mut names = Vec::new();
        for d in &ctx.settings.search_domains {
            let mut vars = ctx.vars.clone();
            vars.insert("domain".into(), d.clone());
            let n = kms_preflight_engine::rules::template::render(text, &vars)
                .unwrap_or_else(|_| text.to_string());
            if !names.contains(&n) {
                names.push(n);
            }
        }
        crate::common::plan::srv_queries(ctx, names)
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext<'a>) -> BoxFuture<'a, CheckOutput> {
        Box::pin(async move {
            let suffixes = &ctx.settings.search_domains;
            // Where the list came from, as the run says it (evidence keeps it in English).
            let (origin, origin_text): (Arg, String) = if ctx.settings.search_origin.is_empty() {
                let m = origin_command_line();
                (m.clone().into(), EvidenceText(m).english())
            } else {
                let o = ctx.settings.search_origin.clone();
                (o.clone().into(), o)
            };
            if suffixes.is_empty() {
                return CheckOutput::one(Finding::new(Status::Skip, no_suffix()).with(
                    SrvDiscoveryEvidence {
                        suffix_origin: origin_text,
                        ..Default::default()
                    },
                ));
            }
            if ctx.settings.dns_servers.is_empty() {
                return CheckOutput::one(common::no_servers());
            }
            let mut set = JoinSet::new();
            for (i, suffix) in suffixes.iter().enumerate() {
                let mut vars = ctx.vars.clone();
                vars.insert("domain".into(), suffix.clone());
                let text = match &self.name {
                    Some(n) => render_param(n, &vars),
                    None => common::default_name(&vars),
                };
                let text = match text {
                    Ok(t) => t,
                    Err(f) => return CheckOutput::one(f),
                };
                let name = match dns::fqdn(&text) {
                    Ok(n) => n,
                    Err(e) => return CheckOutput::one(crate::common::dns::name_error(&text, &e)),
                };
                let servers = ctx.settings.dns_servers.clone();
                let source = ctx.source.cloned();
                let timeout = ctx.timeout;
                let suffix = suffix.clone();
                let memo = ctx.settings.memo.clone();
                set.spawn(async move {
                    let (reply, attempts) = dns::query_servers(
                        &memo,
                        &servers,
                        &name,
                        RecordType::SRV,
                        timeout,
                        source.as_ref(),
                    )
                    .await;
                    let shown = dns::display_name(&name);
                    let r = match reply {
                        None => SuffixResult {
                            evidence: SuffixEvidence {
                                suffix,
                                name: shown,
                                result: no_answer(crate::common::dns::no_answer(&attempts)).into(),
                                server: None,
                                hosts: Vec::new(),
                            },
                            class: None,
                        },
                        Some(rep) => {
                            let hosts: Vec<String> = srv_records(&rep)
                                .iter()
                                .filter(|r| r.target != ".")
                                .map(|r| format!("{}:{}", r.target, r.port))
                                .collect();
                            let result = match (&rep.class, hosts.is_empty()) {
                                (AnswerClass::Records, true) => dot_only(),
                                (c, _) => crate::common::dns::class(c),
                            };
                            SuffixResult {
                                evidence: SuffixEvidence {
                                    suffix,
                                    name: shown,
                                    result: result.into(),
                                    server: Some(rep.server.to_string()),
                                    hosts,
                                },
                                class: Some(rep.class),
                            }
                        }
                    };
                    (i, r)
                });
            }
            let mut results = Vec::new();
            while let Some(r) = set.join_next().await {
                if let Ok(r) = r {
                    results.push(r);
                }
            }
            results.sort_by_key(|r| r.0);
            let results: Vec<SuffixResult> = results.into_iter().map(|r| r.1).collect();
            let lines: Vec<Message> = results
                .iter()
                .map(|r| {
                    let e = &r.evidence;
                    if e.hosts.is_empty() {
                        line(&e.suffix, e.result.message().clone())
                    } else {
                        line_hosts(&e.suffix, e.hosts.clone())
                    }
                })
                .collect();
            let mut evidence = SrvDiscoveryEvidence {
                suffix_origin: origin_text,
                ..Default::default()
            };
            let f = match results.iter().find(|r| !r.evidence.hosts.is_empty()) {
                Some(first) => {
                    evidence.first_suffix = Some(first.evidence.suffix.clone());
                    Finding::new(Status::Pass, found(origin, lines, &first.evidence.suffix))
                }
                None if !results.iter().any(|r| r.class.is_some()) => {
                    // Not one answer from any server for any suffix: the client cannot discover
                    // KMS here, but for want of DNS, not of a record; publishing would not help.
                    evidence.dns_answered = Some(false);
                    let first = &suffixes[0];
                    Finding::new(Status::Fail, no_dns(origin, suffixes.clone(), lines))
                        .codes(&["0xC004F074"])
                        .remediation(no_dns_fix(
                            common::servers_list(&ctx.settings.dns_servers),
                            format!("Resolve-DnsName -Type SRV _vlmcs._tcp.{first} -Server <dns-server>"),
                            format!("nslookup -type=SRV _vlmcs._tcp.{first} <dns-server>"),
                        ))
                }
                None => {
                    // The code the client logs follows what DNS said: NXDOMAIN, NODATA, or (no
                    // definitive answer at all) only the generic "no KMS could be contacted".
                    let is = |c: AnswerClass| move |r: &SuffixResult| r.class.as_ref() == Some(&c);
                    let codes: &[&str] = if results.iter().all(is(AnswerClass::NoData)) {
                        &["0x8007251D", "0xC004F074"]
                    } else if results
                        .iter()
                        .any(|r| is(AnswerClass::NxDomain)(r) || is(AnswerClass::NoData)(r))
                    {
                        &["0x8007232B", "0xC004F074"]
                    } else {
                        &["0xC004F074"]
                    };
                    let first = &suffixes[0];
                    let shown = format!("_vlmcs._tcp.{first}");
                    let port = ctx
                        .vars
                        .get("port")
                        .and_then(|p| p.parse().ok())
                        .unwrap_or(1688);
                    let (windows, bind_line) =
                        common::add_record_commands(&shown, "<kms-host.fqdn>", 0, 0, port);
                    Finding::new(
                        Status::Fail,
                        no_record(origin, suffixes.clone(), lines, codes[0]),
                    )
                    .codes(codes)
                    .remediation(no_record_fix(
                        suffixes.clone(),
                        common::owner_and_zone(&shown).1,
                        windows,
                        bind_line,
                        format!(
                            "reg add \"HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\SoftwareProtectionPlatform\" /v DnsDomainPublishList /t REG_MULTI_SZ /d \"{first}\" /f"
                        ),
                    ))
                }
            };
            evidence.suffixes = Some(results.into_iter().map(|r| r.evidence).collect());
            CheckOutput::one(f.with(evidence))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::en;

    /// Words the lab does not reach read as they were written before they were typed.
    #[test]
    fn english_as_before() {
        assert_eq!(en(&origin_command_line()), "the command line");
        assert_eq!(en(&dot_only()), "only target '.' (service not offered)");
        assert_eq!(
            EvidenceText(no_answer(crate::common::dns::no_answer(&[]))).english(),
            format!(
                "no answer ({})",
                "no DNS server to ask: /etc/resolv.conf lists none; pass --dns"
            )
        );
    }
}
