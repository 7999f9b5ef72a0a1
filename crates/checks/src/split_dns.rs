//! `split-dns`: asks every DNS server for the KMS SRV record (and the A/AAAA records of the
//! hosts it names), notes through which interface each server is reached (VPN or not, from
//! the same route lookup as the `route` kind), and says so when servers reached through
//! different interfaces answer differently — a VPN's DNS and the LAN's DNS serving different
//! views, so a client finds a different KMS host (or none) depending on which one it asks.
//!
//! The per-server SRV answers come from the DNS audit's `srv_common::ask_each` (every server
//! asked directly, bound to the source); this kind adds the interface grouping. Servers that
//! disagree while all reached through one interface are `srv.agreement`'s finding, so here
//! that is a skip that points there.

use crate::{CheckContext, CheckOutput, Finding, Kms, RunSettings};
use std::collections::BTreeSet;
use std::time::Duration;

use kms_preflight_net::dns::proto::{RData, RecordType};
use serde_json::{json, Value};
use serde_saphyr::Spanned;

use crate::common::srv_audit::{ask_each, describe, ServerAnswer};
use kms_preflight_engine::rules::Scope;
use kms_preflight_engine::Status;
use kms_preflight_engine::{render_param, BoxFuture, Check};
use kms_preflight_net::dns::{self, AnswerClass};
use kms_preflight_net::route::{egress, IfaceKind};

kms_preflight_engine::messages! {}

kms_preflight_engine::check_rule! {
    /// Parameters of a `split-dns` check.
    SplitDnsRule => SplitDnsCheck {
        /// Query name; default `_vlmcs._tcp.{{domain}}`.
        name: Option<Spanned<String>>,
    }
}

/// Most SRV targets whose addresses are compared.
const MAX_TARGETS: usize = 8;

/// What one server said, normalised for comparison.
#[derive(Debug, Clone)]
struct ServerView {
    server: String,
    interface: String,
    vpn: bool,
    /// SRV answer: sorted "priority weight port target" lines, or the rcode / failure.
    srv: Vec<String>,
    targets: Vec<String>,
    /// Per compared target: sorted addresses or the rcode / failure.
    addresses: Vec<(String, Vec<String>)>,
}

impl ServerView {
    fn signature(&self) -> (Vec<String>, Vec<(String, Vec<String>)>) {
        (self.srv.clone(), self.addresses.clone())
    }
    fn describe(&self) -> String {
        let mut s = format!(
            "{} via {}: {}",
            self.server,
            self.interface,
            self.srv.join(", ")
        );
        for (t, a) in &self.addresses {
            s.push_str(&format!("; {t} → {}", a.join(", ")));
        }
        s
    }
}

fn failure_text(attempt: &dns::DnsFailure) -> String {
    format!("no answer ({})", attempt.label())
}

/// The interface a server is reached through from this source, and whether it is a VPN.
async fn interface_to(ctx: &CheckContext<'_>, server: std::net::SocketAddr) -> (String, bool) {
    match egress(server.ip(), ctx.source, ctx.timeout).await {
        Ok(e) => match e.interface {
            Some(i) => (
                format!("{} ({})", i.name, i.kind.as_str()),
                i.kind == IfaceKind::Vpn,
            ),
            None => (format!("local {}", e.local), false),
        },
        Err(_) => ("no route".to_string(), false),
    }
}

/// One server's SRV answer (from the DNS audit's per-server queries) and its interface.
async fn srv_view(ctx: &CheckContext<'_>, answer: &ServerAnswer) -> ServerView {
    let (interface, vpn) = interface_to(ctx, answer.server).await;
    let (srv, targets) = match &answer.result {
        Ok(r) if r.class == AnswerClass::Records => {
            let recs = crate::common::srv::srv_records(r);
            let lines: BTreeSet<String> = recs.iter().map(describe).collect();
            let targets: Vec<String> = recs
                .iter()
                .filter(|x| x.target != ".")
                .map(|x| x.target.clone())
                .collect();
            (lines.into_iter().collect(), targets)
        }
        Ok(r) => (vec![r.class.label()], Vec::new()),
        Err(e) => (vec![failure_text(e)], Vec::new()),
    };
    ServerView {
        server: answer.server.to_string(),
        interface,
        vpn,
        srv,
        targets,
        addresses: Vec::new(),
    }
}

async fn addresses(
    ctx: &CheckContext<'_>,
    server: std::net::SocketAddr,
    target: &str,
) -> Vec<String> {
    let Ok(name) = dns::fqdn(target) else {
        return vec!["invalid name".into()];
    };
    let m = &ctx.settings.memo;
    let (a, aaaa) = tokio::join!(
        dns::query_remembered(m, server, &name, RecordType::A, ctx.timeout, ctx.source),
        dns::query_remembered(m, server, &name, RecordType::AAAA, ctx.timeout, ctx.source),
    );
    let (a, aaaa) = (a.0, aaaa.0);
    let mut out = BTreeSet::new();
    for rec in [&a, &aaaa].into_iter().flatten().flat_map(|r| &r.answers) {
        match &rec.data {
            RData::A(v) => {
                out.insert(v.0.to_string());
            }
            RData::AAAA(v) => {
                out.insert(v.0.to_string());
            }
            _ => {}
        }
    }
    if out.is_empty() {
        return vec![match (&a, &aaaa) {
            (Ok(r), _) => r.class.label(),
            (Err(e), _) => failure_text(e),
        }];
    }
    out.into_iter().collect()
}

impl Check<Kms> for SplitDnsCheck {
    fn default_scope(&self) -> Scope {
        Scope::EACH_DOMAIN_AND_SOURCE
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(2)
    }

    fn budget(&self, timeout: Duration, _settings: &RunSettings) -> Duration {
        // Servers are asked in parallel: SRV (UDP, maybe TCP), then the targets' A/AAAA.
        (timeout * 2 + Duration::from_millis(500)) * 3 + Duration::from_secs(1)
    }

    fn templates(&self) -> Vec<&Spanned<String>> {
        self.name.iter().collect()
    }

    fn evidence_vars(&self) -> &'static [&'static str] {
        &["name"]
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext<'a>) -> BoxFuture<'a, CheckOutput> {
        Box::pin(async move {
            let text = match &self.name {
                Some(n) => match render_param(n, ctx.vars) {
                    Ok(s) => s,
                    Err(f) => return CheckOutput::one(f),
                },
                None => match kms_preflight_engine::rules::template::render(
                    "_vlmcs._tcp.{{domain}}",
                    ctx.vars,
                ) {
                    Ok(s) => s,
                    Err(e) => return CheckOutput::one(Finding::new(Status::Error, e)),
                },
            };
            let name = match dns::fqdn(&text) {
                Ok(n) => n,
                Err(e) => return CheckOutput::one(Finding::new(Status::Error, e)),
            };
            let shown = dns::display_name(&name);
            let servers = ctx.settings.dns_servers.clone();
            if servers.len() < 2 {
                return CheckOutput::one(
                    Finding::new(
                        Status::Skip,
                        format!(
                            "only {} DNS server configured: nothing to compare for {shown} (pass several --dns servers, e.g. the VPN's and the LAN's)",
                            servers.len()
                        ),
                    )
                    .evidence("name", shown),
                );
            }
            let answers = ask_each(
                ctx.settings,
                &name,
                RecordType::SRV,
                ctx.timeout,
                ctx.source,
            )
            .await;
            let mut views: Vec<ServerView> =
                kms_preflight_net::join_all(answers.iter().map(|a| srv_view(ctx, a))).await;
            // Compare the addresses of every target any server named.
            let mut targets: BTreeSet<String> = BTreeSet::new();
            for v in &views {
                targets.extend(v.targets.iter().cloned());
            }
            let targets: Vec<String> = targets.into_iter().take(MAX_TARGETS).collect();
            // Every server side by side: a dead one costs one timeout, not one per server.
            let servers: Vec<std::net::SocketAddr> = views
                .iter()
                .map(|v| v.server.parse().expect("rendered from a SocketAddr"))
                .collect();
            let targets_ref = &targets;
            let all = kms_preflight_net::join_all(servers.into_iter().map(|server| async move {
                kms_preflight_net::join_all(targets_ref.iter().map(|t| addresses(ctx, server, t)))
                    .await
            }))
            .await;
            for (v, got) in views.iter_mut().zip(all) {
                v.addresses = targets.iter().cloned().zip(got).collect();
            }
            let distinct: BTreeSet<_> = views.iter().map(|v| v.signature()).collect();
            let interfaces: BTreeSet<&str> = views.iter().map(|v| v.interface.as_str()).collect();
            let evidence = Value::Array(
                views
                    .iter()
                    .map(|v| {
                        json!({
                            "server": v.server, "interface": v.interface, "vpn": v.vpn,
                            "srv": v.srv,
                            "addresses": v.addresses.iter().map(|(t, a)| json!({"target": t, "addresses": a})).collect::<Vec<_>>(),
                        })
                    })
                    .collect(),
            );
            let iface_list = interfaces.iter().cloned().collect::<Vec<_>>().join(", ");
            let f = if distinct.len() == 1 {
                Finding::new(
                    Status::Pass,
                    format!(
                        "{} DNS servers (via {iface_list}) give the same answer for {shown}",
                        views.len()
                    ),
                )
            } else {
                let detail = views
                    .iter()
                    .map(|v| v.describe())
                    .collect::<Vec<_>>()
                    .join(" | ");
                // Split DNS proper: the answer depends on the interface the server is reached through.
                let split = views.iter().any(|a| {
                    views
                        .iter()
                        .any(|b| a.interface != b.interface && a.signature() != b.signature())
                });
                if !split {
                    return CheckOutput::one(
                        Finding::new(
                            Status::Skip,
                            format!(
                                "all {} DNS servers are reached via {iface_list}, so their answers cannot differ by interface from here; \
                                 they do disagree for {shown}, which srv.agreement reports: {detail}",
                                views.len()
                            ),
                        )
                        .evidence("name", shown)
                        .evidence("servers", evidence),
                    );
                }
                let msg = format!("split DNS: servers reached through different interfaces answer differently for {shown}: {detail}");
                Finding::new(Status::Fail, msg)
                    .codes(&["0xC004F074"])
                    .remediation(format!(
                        "Make every DNS view clients may use (VPN DNS and LAN DNS, internal and external views) publish the same \
                         _vlmcs._tcp records and host addresses for {shown}: compare with nslookup -type=srv {shown} <server> on each. \
                         For clients that cannot use DNS discovery over the VPN, set the KMS host explicitly: slmgr /skms <kms-host>:1688 \
                         (or slmgr /skms-domain <domain> to pin the zone searched)."
                    ))
            };
            CheckOutput::one(
                f.evidence("name", shown)
                    .evidence("servers", evidence)
                    .evidence(
                        "interfaces",
                        Value::from(
                            interfaces
                                .into_iter()
                                .map(str::to_string)
                                .collect::<Vec<_>>(),
                        ),
                    ),
            )
        })
    }
}
