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

use crate::{evidence as ev, CheckContext, CheckOutput, Finding, Kms, RunSettings};
use std::time::Duration;

use kms_preflight_net::dns::proto::RecordType;
use serde_json::{json, Value};
use serde_saphyr::Spanned;
use tokio::task::JoinSet;

use crate::common::srv::srv_records;
use crate::common::srv_audit as common;

use kms_preflight_engine::rules::Scope;
use kms_preflight_engine::Status;
use kms_preflight_engine::{render_param, BoxFuture, Check};
use kms_preflight_net::dns::{self, AnswerClass};

kms_preflight_engine::messages! {}

kms_preflight_engine::check_rule! {
    /// Parameters of an `srv-discovery` check.
    SrvDiscoveryRule => SrvDiscoveryCheck {
        /// Query name per suffix; default `_vlmcs._tcp.{{domain}}` (`domain` = each suffix).
        name: Option<Spanned<String>>,
    }
}

/// One suffix's result.
struct SuffixResult {
    suffix: String,
    name: String,
    result: String,
    server: Option<String>,
    hosts: Vec<String>,
    /// A server gave an answer (any rcode), as opposed to none answering at all.
    answered: bool,
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

    fn run<'a>(&'a self, ctx: &'a CheckContext<'a>) -> BoxFuture<'a, CheckOutput> {
        Box::pin(async move {
            let suffixes = &ctx.settings.search_domains;
            let origin = if ctx.settings.search_origin.is_empty() {
                "the command line".to_string()
            } else {
                ctx.settings.search_origin.clone()
            };
            if suffixes.is_empty() {
                return CheckOutput::one(
                    Finding::new(
                        Status::Skip,
                        "no DNS domain or suffix to search (only --host given): KMS discovery was not simulated",
                    )
                    .evidence("suffix_origin", origin),
                );
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
                    None => {
                        kms_preflight_engine::rules::template::render(common::DEFAULT_NAME, &vars)
                            .map_err(|e| Finding::new(Status::Error, e))
                    }
                };
                let text = match text {
                    Ok(t) => t,
                    Err(f) => return CheckOutput::one(f),
                };
                let name = match dns::fqdn(&text) {
                    Ok(n) => n,
                    Err(e) => return CheckOutput::one(Finding::new(Status::Error, e)),
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
                            suffix,
                            name: shown,
                            result: format!("no answer ({})", dns::no_answer_message(&attempts)),
                            server: None,
                            hosts: Vec::new(),
                            answered: false,
                        },
                        Some(rep) => {
                            let hosts: Vec<String> = srv_records(&rep)
                                .iter()
                                .filter(|r| r.target != ".")
                                .map(|r| format!("{}:{}", r.target, r.port))
                                .collect();
                            let result = match (&rep.class, hosts.is_empty()) {
                                (AnswerClass::Records, true) => {
                                    "only target '.' (service not offered)".to_string()
                                }
                                (c, _) => c.label(),
                            };
                            SuffixResult {
                                suffix,
                                name: shown,
                                result,
                                server: Some(rep.server.to_string()),
                                hosts,
                                answered: true,
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
            let per_suffix = Value::Array(
                results
                    .iter()
                    .map(|r| {
                        let mut m = serde_json::Map::new();
                        m.insert(ev::SUFFIX.into(), json!(r.suffix));
                        m.insert("name".into(), json!(r.name));
                        m.insert("result".into(), json!(r.result));
                        m.insert("server".into(), json!(r.server));
                        m.insert(ev::SUFFIX_HOSTS.into(), json!(r.hosts));
                        Value::Object(m)
                    })
                    .collect(),
            );
            let lines: Vec<String> = results
                .iter()
                .map(|r| {
                    if r.hosts.is_empty() {
                        format!("{} → {}", r.suffix, r.result)
                    } else {
                        format!("{} → {}", r.suffix, r.hosts.join(", "))
                    }
                })
                .collect();
            let list = suffixes.join(", ");
            let f = match results.iter().find(|r| !r.hosts.is_empty()) {
                Some(first) => Finding::new(
                    Status::Pass,
                    format!(
                        "suffix list ({origin}): {}; a client with this list finds KMS through {} (the first suffix with records)",
                        lines.join("; "),
                        first.suffix
                    ),
                )
                .evidence(ev::FIRST_SUFFIX, first.suffix.clone()),
                None if !results.iter().any(|r| r.answered) => {
                    // Not one answer from any server for any suffix: the client cannot discover
                    // KMS here, but for want of DNS, not of a record; publishing would not help.
                    let servers = common::servers_text(&ctx.settings.dns_servers);
                    Finding::new(
                        Status::Fail,
                        format!(
                            "no DNS server answered for any suffix of the list ({origin}: {list}): {}. \
                             A Windows client here cannot discover KMS (it logs 0xC004F074) until its DNS \
                             servers answer",
                            lines.join("; ")
                        ),
                    )
                    .codes(&["0xC004F074"])
                    .evidence(ev::DNS_ANSWERED, false)
                    .remediation(format!(
                        "Make the DNS servers this client uses ({servers}) answer it: check they run, and that UDP and TCP 53 \
                         are open from this subnet (host firewalls, ACLs, VPN split tunnel). From a client:\n\
                         \x20 Resolve-DnsName -Type SRV _vlmcs._tcp.{first} -Server <dns-server>\n\
                         \x20 nslookup -type=SRV _vlmcs._tcp.{first} <dns-server>\n\
                         Then on clients: ipconfig /flushdns ; slmgr /ckms",
                        first = suffixes[0],
                    ))
                }
                None => {
                    // The code the client logs follows what DNS said: NXDOMAIN, NODATA, or (no
                    // definitive answer at all) only the generic "no KMS could be contacted".
                    let codes: &[&str] = if results.iter().all(|r| r.result == "NODATA") {
                        &["0x8007251D", "0xC004F074"]
                    } else if results.iter().any(|r| r.result == "NXDOMAIN" || r.result == "NODATA") {
                        &["0x8007232B", "0xC004F074"]
                    } else {
                        &["0xC004F074"]
                    };
                    Finding::new(
                        Status::Fail,
                        format!(
                            "no suffix in the list ({origin}: {list}) reaches any _vlmcs._tcp record: {}. \
                             A Windows client with this suffix list cannot discover KMS (it logs {}), even if \
                             nslookup of the full name works elsewhere",
                            lines.join("; "),
                            codes[0]
                        ),
                    )
                    .codes(codes)
                    .remediation(format!(
                        "Make one zone of the client's suffix list ({list}) hold the record, or point the client at the zone that does:\n\
                         - publish in a suffix zone: {add}\n\
                         - or on each KMS host, list the zone in DnsDomainPublishList and restart sppsvc:\n    \
                           reg add \"HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\SoftwareProtectionPlatform\" /v DnsDomainPublishList /t REG_MULTI_SZ /d \"{first}\" /f\n    \
                           Restart-Service sppsvc\n\
                         - or add the KMS zone to the clients' suffix search list (GPO: Computer Configuration > Administrative Templates > Network > DNS Client > DNS Suffix Search List; or DHCP option 119)\n\
                         - or, for clients in a disjoint namespace, pin the zone to search on each client: slmgr /skms-domain <zone-with-the-record>\n\
                         Then on clients: ipconfig /flushdns ; slmgr /ckms",
                        add = common::add_commands(
                            &format!("_vlmcs._tcp.{}", suffixes[0]),
                            "<kms-host.fqdn>",
                            0,
                            0,
                            ctx.vars.get("port").and_then(|p| p.parse().ok()).unwrap_or(1688)
                        )
                        .replace('\n', "\n    "),
                        first = suffixes[0],
                    ))
                }
            };
            CheckOutput::one(
                f.evidence(ev::SUFFIX_ORIGIN, origin)
                    .evidence(ev::SUFFIXES, per_suffix),
            )
        })
    }
}
