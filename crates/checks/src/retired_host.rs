//! `retired-host`: a host that was replaced must no longer answer as KMS. Passes when the
//! name no longer resolves, or when every address refuses, drops or cannot be reached on the
//! port; fails when any address still completes a TCP handshake (it still serves clients
//! pinned to it, and a KMS host that still runs may re-register its SRV record within 24 h).
//! A DNS failure is an error: "gone" is never concluded from a question nobody answered.

use crate::{evidence, CheckContext, CheckOutput, Finding, Kms, RunSettings};
use std::net::SocketAddr;
use std::time::Duration;

use serde_json::Value;
use serde_saphyr::Spanned;
use tokio::task::JoinSet;

use kms_preflight_engine::rules::Scope;
use kms_preflight_engine::Status;
use kms_preflight_engine::{render_param, render_port, validate_port, BoxFuture, Check};
use kms_preflight_net::dns::{self, AnswerClass};
use kms_preflight_net::ms;
use kms_preflight_net::tcp::connect;

kms_preflight_engine::messages! {}

kms_preflight_engine::check_rule! {
    /// Parameters of a `retired-host` check.
    RetiredHostRule => RetiredHostCheck {
        /// The retired host's name or address (templated, e.g. `{{old_host}}`).
        host: Spanned<String>,
        /// Port it served on; default `{{port}}` (1688).
        port: Option<Spanned<String>>,
    }
}

impl Check<Kms> for RetiredHostCheck {
    fn default_scope(&self) -> Scope {
        Scope::ONCE
    }

    fn budget(&self, timeout: Duration, settings: &RunSettings) -> Duration {
        // Resolution (A and AAAA in parallel), then parallel connects.
        dns::lookup_budget(timeout, &settings.dns_servers) + timeout + Duration::from_secs(1)
    }

    fn templates(&self) -> Vec<&Spanned<String>> {
        std::iter::once(&self.host)
            .chain(self.port.iter())
            .collect()
    }

    fn validate(&self) -> Vec<(serde_saphyr::Location, String)> {
        self.port
            .as_ref()
            .and_then(validate_port)
            .into_iter()
            .collect()
    }

    fn evidence_vars(&self) -> &'static [&'static str] {
        &["host", "port", "result"]
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext<'a>) -> BoxFuture<'a, CheckOutput> {
        Box::pin(async move {
            let host = match render_param(&self.host, ctx.vars) {
                Ok(h) => h.trim().trim_end_matches('.').to_ascii_lowercase(),
                Err(f) => return CheckOutput::one(f),
            };
            let host = match host.rsplit_once(':') {
                Some((n, p)) if !n.contains(':') && p.parse::<u16>().is_ok() => n.to_string(),
                _ => host,
            };
            if host.is_empty() {
                return CheckOutput::one(Finding::new(
                    Status::Error,
                    "the retired host is empty after filling in variables",
                ));
            }
            let port = match &self.port {
                Some(p) => render_port(p, ctx.vars),
                None => ctx
                    .vars
                    .get("port")
                    .and_then(|p| p.parse::<u16>().ok())
                    .ok_or_else(|| Finding::new(Status::Error, "no port: set 'port'")),
            };
            let port = match port {
                Ok(p) => p,
                Err(f) => return CheckOutput::one(f),
            };
            let res = match crate::common::address::lookup(ctx, &host).await {
                Ok(r) => r,
                Err(f) => return CheckOutput::one(f),
            };
            let evidence = |f: Finding| f.evidence("host", host.as_str()).evidence("port", port);
            if res.addresses.is_empty() {
                let decisive = res.v4.as_ref().or(res.v6.as_ref()).map(|r| &r.class);
                return CheckOutput::one(match decisive {
                    Some(AnswerClass::NxDomain) => evidence(Finding::new(
                        Status::Pass,
                        format!("{host} no longer resolves (NXDOMAIN): retired"),
                    ))
                    .evidence("result", "nxdomain"),
                    Some(AnswerClass::NoData) => evidence(Finding::new(
                        Status::Pass,
                        format!("{host} has no address record any more (NODATA): retired"),
                    ))
                    .evidence("result", "nodata"),
                    _ => evidence(Finding::new(
                        Status::Error,
                        format!(
                            "cannot tell whether {host} is gone: {}",
                            dns::no_answer_message(&res.attempts)
                        ),
                    ))
                    .evidence("result", "dns-unanswered")
                    .evidence("attempts", dns::attempts_json(&res.attempts)),
                });
            }
            let mut set = JoinSet::new();
            for (i, ip) in res.addresses.iter().enumerate() {
                let addr = SocketAddr::new(*ip, port);
                let source = ctx.source.cloned();
                let timeout = ctx.timeout;
                set.spawn(async move { (i, addr, connect(addr, source.as_ref(), timeout).await) });
            }
            let mut results = Vec::new();
            while let Some(r) = set.join_next().await {
                if let Ok(r) = r {
                    results.push(r);
                }
            }
            results.sort_by_key(|r| r.0);
            let findings = results
                .into_iter()
                .map(|(_, addr, r)| {
                    let f = match r {
                        Ok(c) => Finding::new(
                            Status::Fail,
                            format!(
                                "retired host {host} still accepts connections on {addr} ({:.2} ms): clients pinned to it keep using it, and a KMS host that still runs can re-publish its SRV record",
                                ms(c.rtt)
                            ),
                        )
                        .codes(&["0xC004F074"])
                        .evidence("result", "connected")
                        .evidence(evidence::RTT_MS, ms(c.rtt)),
                        Err(e) => match e {
                            kms_preflight_net::tcp::ConnectFailure::SourceUnusable(m)
                            | kms_preflight_net::tcp::ConnectFailure::Other(m) => Finding::new(
                                Status::Error,
                                format!("cannot probe {addr}: {m}"),
                            )
                            .evidence("result", "error"),
                            other => Finding::new(
                                Status::Pass,
                                format!(
                                    "retired host {host} no longer answers on {addr} ({}); clients still pinned to it now fail with 0xC004F074 and must be repointed",
                                    other.class()
                                ),
                            )
                            .evidence("result", Value::from(other.class())),
                        },
                    };
                    evidence(f.address(addr.ip().to_string()))
                })
                .collect();
            CheckOutput {
                findings,
                ..Default::default()
            }
        })
    }
}
