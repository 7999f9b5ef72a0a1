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
use std::net::IpAddr;
use std::time::Duration;

use kms_preflight_net::dns::proto::{RData, RecordType};
use serde_saphyr::Spanned;

use crate::common::evidence_text::EvidenceText;
use crate::common::srv_audit::{ask_each, default_name, describe, ServerAnswer};
use kms_preflight_engine::rules::Scope;
use kms_preflight_engine::{render_param, BoxFuture, Check};
use kms_preflight_engine::{Message, Status};
use kms_preflight_net::dns::{self, AnswerClass};
use kms_preflight_net::route::{egress, IfaceKind};

kms_preflight_engine::messages! {
    /// only {count} DNS server configured: nothing to compare for {name} (pass several --dns
    /// servers, e.g. the VPN's and the LAN's)
    one_server = "split-dns-one-server" (count, name);
    /// {count} DNS servers (via {interfaces}) give the same answer for {name}
    same = "split-dns-same" (count, interfaces, name);
    /// all {count} DNS servers are reached via {interfaces}, so their answers cannot differ by
    /// interface from here; they do disagree for {name}, which srv.agreement reports: {views}
    not_split = "split-dns-not-split" (count, interfaces, name, views);
    /// split DNS: servers reached through different interfaces answer differently for {name}:
    /// {views}
    split = "split-dns-split" (name, views);
    /// Make every DNS view clients may use (…) publish the same _vlmcs._tcp records and host
    /// addresses for {name}: compare with nslookup -type=srv {name} <server> on each. …
    split_fix = "split-dns-split-fix" (name);
    /// {server} via {interface}: {answers}, the answers joined with "; "
    view = "split-dns-view" (server, interface, answers);
    /// {target} → {addresses}
    target_addresses = "split-dns-target-addresses" (target, addresses);
    /// {name} ({kind})
    interface = "split-dns-interface" (name, kind);
    /// local {address}
    local = "split-dns-local" (address);
    /// no route
    no_route = "split-dns-no-route" ();
    /// invalid name
    invalid_name = "split-dns-invalid-name" ();
}

kms_preflight_engine::check_rule! {
    /// Parameters of a `split-dns` check.
    SplitDnsRule => SplitDnsCheck {
        /// Query name; default `_vlmcs._tcp.{{domain}}`.
        name: Option<Spanned<String>>,
    }
}

/// Most SRV targets whose addresses are compared.
const MAX_TARGETS: usize = 8;

/// The interface a server is reached through.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Interface {
    Named {
        name: String,
        kind: &'static str,
    },
    /// No interface name known: the local address the route uses.
    Local(IpAddr),
    NoRoute,
}

impl Interface {
    fn message(&self) -> Message {
        match self {
            Interface::Named { name, kind } => interface(name, *kind),
            Interface::Local(a) => local(*a),
            Interface::NoRoute => no_route(),
        }
    }
}

/// What one server said, normalised for comparison.
#[derive(Debug, Clone)]
struct ServerView {
    server: std::net::SocketAddr,
    interface: Interface,
    vpn: bool,
    /// SRV answer: sorted "priority weight port target" lines, or the rcode / failure.
    srv: Vec<Message>,
    targets: Vec<String>,
    /// Per compared target: sorted addresses or the rcode / failure.
    addresses: Vec<(String, Vec<Message>)>,
}

type Signature = (Vec<Message>, Vec<(String, Vec<Message>)>);

impl ServerView {
    fn signature(&self) -> Signature {
        (self.srv.clone(), self.addresses.clone())
    }
    fn describe(&self) -> Message {
        let mut answers = vec![crate::common::list(self.srv.clone())];
        for (t, a) in &self.addresses {
            answers.push(target_addresses(t, a.clone()));
        }
        view(self.server, self.interface.message(), answers)
    }
    fn evidence(&self) -> ServerViewEvidence {
        let texts = |l: &[Message]| l.iter().cloned().map(EvidenceText).collect();
        ServerViewEvidence {
            server: self.server.to_string(),
            interface: EvidenceText(self.interface.message()),
            vpn: self.vpn,
            srv: texts(&self.srv),
            addresses: self
                .addresses
                .iter()
                .map(|(t, a)| TargetAddresses {
                    target: t.clone(),
                    addresses: texts(a),
                })
                .collect(),
        }
    }
}

/// One server's view as evidence.
#[derive(
    Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(default)]
pub struct ServerViewEvidence {
    pub server: String,
    /// `eth0 (physical)`, `local 10.0.0.5` or `no route`.
    pub interface: EvidenceText,
    pub vpn: bool,
    /// Sorted SRV record lines, or the rcode / failure.
    pub srv: Vec<EvidenceText>,
    pub addresses: Vec<TargetAddresses>,
}

/// A target's addresses (or the rcode / failure) from one server.
#[derive(
    Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(default)]
pub struct TargetAddresses {
    pub target: String,
    pub addresses: Vec<EvidenceText>,
}

/// What `split-dns` saw.
#[derive(
    Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(default)]
pub struct SplitDnsEvidence {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub servers: Option<Vec<ServerViewEvidence>>,
    /// The interfaces the servers are reached through, sorted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interfaces: Option<Vec<EvidenceText>>,
}

impl crate::Evidence {
    pub fn split_dns(&self) -> Option<&SplitDnsEvidence> {
        match self {
            crate::Evidence::SplitDns(e) => Some(e),
            _ => None,
        }
    }
}

fn failure_text(attempt: &dns::DnsFailure) -> Message {
    crate::common::dns_no_answer_paren(crate::common::dns::failure(attempt))
}

/// The interface a server is reached through from this source, and whether it is a VPN.
async fn interface_to(ctx: &CheckContext<'_>, server: std::net::SocketAddr) -> (Interface, bool) {
    match egress(server.ip(), ctx.source, ctx.timeout).await {
        Ok(e) => match e.interface {
            Some(i) => (
                Interface::Named {
                    name: i.name.clone(),
                    kind: i.kind.as_str(),
                },
                i.kind == IfaceKind::Vpn,
            ),
            None => (Interface::Local(e.local), false),
        },
        Err(_) => (Interface::NoRoute, false),
    }
}

/// Values shown as they are (record lines, addresses).
fn values(v: impl IntoIterator<Item = String>) -> Vec<Message> {
    v.into_iter().map(crate::common::value).collect()
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
            (values(lines), targets)
        }
        Ok(r) => (vec![crate::common::dns::class(&r.class)], Vec::new()),
        Err(e) => (vec![failure_text(e)], Vec::new()),
    };
    ServerView {
        server: answer.server,
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
) -> Vec<Message> {
    let Ok(name) = dns::fqdn(target) else {
        return vec![invalid_name()];
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
            (Ok(r), _) => crate::common::dns::class(&r.class),
            (Err(e), _) => failure_text(e),
        }];
    }
    values(out)
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
        out
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext<'a>) -> BoxFuture<'a, CheckOutput> {
        Box::pin(async move {
            let text = match &self.name {
                Some(n) => render_param(n, ctx.vars),
                None => default_name(ctx.vars),
            };
            let text = match text {
                Ok(s) => s,
                Err(f) => return CheckOutput::one(f),
            };
            let name = match dns::fqdn(&text) {
                Ok(n) => n,
                Err(e) => return CheckOutput::one(crate::common::dns::name_error(&text, &e)),
            };
            let shown = dns::display_name(&name);
            let servers = ctx.settings.dns_servers.clone();
            if servers.len() < 2 {
                return CheckOutput::one(
                    Finding::new(Status::Skip, one_server(servers.len(), &shown)).with(
                        SplitDnsEvidence {
                            name: shown,
                            ..Default::default()
                        },
                    ),
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
            let servers: Vec<std::net::SocketAddr> = views.iter().map(|v| v.server).collect();
            let targets_ref = &targets;
            let all = kms_preflight_net::join_all(servers.into_iter().map(|server| async move {
                kms_preflight_net::join_all(targets_ref.iter().map(|t| addresses(ctx, server, t)))
                    .await
            }))
            .await;
            for (v, got) in views.iter_mut().zip(all) {
                v.addresses = targets.iter().cloned().zip(got).collect();
            }
            let first = views[0].signature();
            let all_same = views.iter().all(|v| v.signature() == first);
            // The interfaces in the order of their names as evidence writes them.
            let mut interfaces: Vec<(String, Interface)> = Vec::new();
            for v in &views {
                let key = EvidenceText(v.interface.message()).english();
                if !interfaces.iter().any(|(k, _)| *k == key) {
                    interfaces.push((key, v.interface.clone()));
                }
            }
            interfaces.sort_by(|a, b| a.0.cmp(&b.0));
            let iface_list: Vec<Message> = interfaces.iter().map(|(_, i)| i.message()).collect();
            let evidence = SplitDnsEvidence {
                name: shown.clone(),
                servers: Some(views.iter().map(ServerView::evidence).collect()),
                interfaces: None,
            };
            let f = if all_same {
                Finding::new(Status::Pass, same(views.len(), iface_list.clone(), &shown))
            } else {
                let detail: Vec<Message> = views.iter().map(|v| v.describe()).collect();
                // Split DNS proper: the answer depends on the interface the server is reached through.
                let split_views = views.iter().any(|a| {
                    views
                        .iter()
                        .any(|b| a.interface != b.interface && a.signature() != b.signature())
                });
                if !split_views {
                    return CheckOutput::one(
                        Finding::new(
                            Status::Skip,
                            not_split(views.len(), iface_list, &shown, detail),
                        )
                        .with(evidence),
                    );
                }
                Finding::new(Status::Fail, split(&shown, detail))
                    .codes(&["0xC004F074"])
                    .remediation(split_fix(&shown))
            };
            CheckOutput::one(f.with(SplitDnsEvidence {
                interfaces: Some(iface_list.into_iter().map(EvidenceText).collect()),
                ..evidence
            }))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::en;

    /// Messages the lab does not reach read as the words written before they were typed.
    #[test]
    fn english_as_before() {
        assert_eq!(en(&invalid_name()), "invalid name");
        assert_eq!(en(&Interface::NoRoute.message()), "no route");
        let local_addr: IpAddr = "10.0.0.5".parse().unwrap();
        assert_eq!(
            en(&Interface::Local(local_addr).message()),
            format!("local {local_addr}")
        );
        assert_eq!(
            en(&failure_text(&dns::DnsFailure::Timeout)),
            "no answer (timeout)"
        );
    }
}
