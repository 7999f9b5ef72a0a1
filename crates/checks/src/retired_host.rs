//! `retired-host`: a host that was replaced must no longer answer as KMS. Passes when the
//! name no longer resolves, or when every address refuses, drops or cannot be reached on the
//! port; fails when any address still completes a TCP handshake (it still serves clients
//! pinned to it, and a KMS host that still runs may re-register its SRV record within 24 h).
//! A DNS failure is an error: "gone" is never concluded from a question nobody answered.

use crate::{CheckContext, CheckOutput, Finding, Kms, RunSettings};
use std::net::SocketAddr;
use std::time::Duration;

use serde_saphyr::Spanned;
use tokio::task::JoinSet;

use crate::common::dns::{attempts, DnsAttempt};
use kms_preflight_engine::rules::Scope;
use kms_preflight_engine::Status;
use kms_preflight_engine::{render_param, render_port, validate_port, BoxFuture, Check};
use kms_preflight_net::dns::{self, AnswerClass};
use kms_preflight_net::ms;
use kms_preflight_net::tcp::connect;

kms_preflight_engine::messages! {
    /// the retired host is empty after filling in variables
    host_empty = "retired-host-empty" ();
    /// no port: set 'port'
    no_port = "retired-host-no-port" ();
    /// {host} no longer resolves (NXDOMAIN): retired
    nxdomain = "retired-host-nxdomain" (host);
    /// {host} has no address record any more (NODATA): retired
    nodata = "retired-host-nodata" (host);
    /// cannot tell whether {host} is gone: {why}
    unknown = "retired-host-unknown" (host, why);
    /// retired host {host} still accepts connections on {address} ({rtt_ms} ms): clients
    /// pinned to it keep using it, and a KMS host that still runs can re-publish its SRV record
    connected = "retired-host-connected" (host, address, rtt_ms);
    /// cannot probe {address}: {error}
    probe_error = "retired-host-probe-error" (address, error);
    /// retired host {host} no longer answers on {address} ({result}); clients still pinned to
    /// it now fail with 0xC004F074 and must be repointed
    gone = "retired-host-gone" (host, address, result);
}

kms_preflight_engine::check_rule! {
    /// Parameters of a `retired-host` check.
    RetiredHostRule => RetiredHostCheck {
        /// The retired host's name or address (templated, e.g. `{{old_host}}`).
        host: Spanned<String>,
        /// Port it served on; default `{{port}}` (1688).
        port: Option<Spanned<String>>,
    }
}

/// What `retired-host` saw: what DNS said of the host, or one address's connect (each in the
/// key order it has always been written in).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(untagged, from = "RecordedRetiredHost")]
pub enum RetiredHostEvidence {
    /// The host has no address (`nxdomain`, `nodata`), or no server answered
    /// (`dns-unanswered`, with the attempts).
    Lookup(RetiredLookup),
    /// One address's connect: `connected` (with the handshake's round trip), `error`, or how it
    /// failed (`refused`, `timeout`, …).
    Connect(RetiredConnect),
}

#[derive(
    Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct RetiredLookup {
    pub host: String,
    pub port: u16,
    pub result: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts: Option<Vec<DnsAttempt>>,
}

#[derive(
    Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct RetiredConnect {
    pub result: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rtt_ms: Option<f64>,
    pub host: String,
    pub port: u16,
}

/// The results that come from DNS rather than from a connect.
const LOOKUP_RESULTS: [&str; 3] = ["nxdomain", "nodata", "dns-unanswered"];

/// Recorded evidence, told apart by its `result` (the schema of both forms).
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct RecordedRetiredHost {
    #[serde(default)]
    host: String,
    #[serde(default)]
    port: u16,
    #[serde(default)]
    result: String,
    #[serde(default)]
    rtt_ms: Option<f64>,
    #[serde(default)]
    attempts: Option<Vec<DnsAttempt>>,
}

impl From<RecordedRetiredHost> for RetiredHostEvidence {
    fn from(r: RecordedRetiredHost) -> Self {
        if LOOKUP_RESULTS.contains(&r.result.as_str()) {
            RetiredHostEvidence::Lookup(RetiredLookup {
                host: r.host,
                port: r.port,
                result: r.result,
                attempts: r.attempts,
            })
        } else {
            RetiredHostEvidence::Connect(RetiredConnect {
                result: r.result,
                rtt_ms: r.rtt_ms,
                host: r.host,
                port: r.port,
            })
        }
    }
}

impl RetiredHostEvidence {
    pub fn result(&self) -> &str {
        match self {
            RetiredHostEvidence::Lookup(e) => &e.result,
            RetiredHostEvidence::Connect(e) => &e.result,
        }
    }

    /// The handshake's round trip, ms (a `connected` result).
    pub fn rtt_ms(&self) -> Option<f64> {
        match self {
            RetiredHostEvidence::Lookup(_) => None,
            RetiredHostEvidence::Connect(e) => e.rtt_ms,
        }
    }
}

impl crate::Evidence {
    pub fn retired_host(&self) -> Option<&RetiredHostEvidence> {
        match self {
            crate::Evidence::RetiredHost(e) => Some(e),
            _ => None,
        }
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

    fn validate(&self) -> Vec<(serde_saphyr::Location, kms_preflight_engine::Message)> {
        self.port
            .as_ref()
            .and_then(validate_port)
            .into_iter()
            .collect()
    }

    fn evidence_vars(&self) -> &'static [&'static str] {
        &["host", "port", "result"]
    }

    fn plan(
        &self,
        ctx: &kms_preflight_engine::plan::PlanContext<'_, Kms>,
    ) -> Vec<kms_preflight_engine::plan::PlannedProbe> {
        let name = kms_preflight_engine::rules::template::render(&self.host.value, ctx.vars)
            .unwrap_or_else(|_| self.host.value.clone());
        let port = crate::common::plan::kms_port_number(ctx, &self.port);
        let mut out = Vec::new();
        if name.parse::<std::net::IpAddr>().is_err() {
            out.extend(crate::common::plan::dns_queries(
                ctx,
                crate::common::plan::dns_query("A, AAAA", vec![name.clone()]),
            ));
        }
        out.push(kms_preflight_engine::plan::PlannedProbe::new(
            kms_preflight_engine::plan::Transport::Tcp,
            kms_preflight_engine::plan::Destination::Host { name },
            Some(kms_preflight_engine::plan::PlannedPort::Number(port)),
            crate::common::plan::tcp_connect(),
        ));
        out
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
                return CheckOutput::one(Finding::new(Status::Error, host_empty()));
            }
            let port = match &self.port {
                Some(p) => render_port(p, ctx.vars),
                None => ctx
                    .vars
                    .get("port")
                    .and_then(|p| p.parse::<u16>().ok())
                    .ok_or_else(|| Finding::new(Status::Error, no_port())),
            };
            let port = match port {
                Ok(p) => p,
                Err(f) => return CheckOutput::one(f),
            };
            let res = match crate::common::address::lookup(ctx, &host).await {
                Ok(r) => r,
                Err(f) => return CheckOutput::one(f),
            };
            let lookup = |result: &str| RetiredLookup {
                host: host.clone(),
                port,
                result: result.into(),
                attempts: None,
            };
            let connected_to = |result: &str, rtt_ms: Option<f64>| {
                RetiredHostEvidence::Connect(RetiredConnect {
                    result: result.into(),
                    rtt_ms,
                    host: host.clone(),
                    port,
                })
            };
            if res.addresses.is_empty() {
                let decisive = res.v4.as_ref().or(res.v6.as_ref()).map(|r| &r.class);
                return CheckOutput::one(match decisive {
                    Some(AnswerClass::NxDomain) => Finding::new(Status::Pass, nxdomain(&host))
                        .with(RetiredHostEvidence::Lookup(lookup("nxdomain"))),
                    Some(AnswerClass::NoData) => Finding::new(Status::Pass, nodata(&host))
                        .with(RetiredHostEvidence::Lookup(lookup("nodata"))),
                    _ => Finding::new(
                        Status::Error,
                        unknown(&host, crate::common::dns::no_answer(&res.attempts)),
                    )
                    .with(RetiredHostEvidence::Lookup(RetiredLookup {
                        attempts: Some(attempts(&res.attempts)),
                        ..lookup("dns-unanswered")
                    })),
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
                        Ok(c) => Finding::new(Status::Fail, connected(&host, addr, ms(c.rtt)))
                            .codes(&["0xC004F074"])
                            .with(connected_to("connected", Some(ms(c.rtt)))),
                        Err(e) => match e {
                            kms_preflight_net::tcp::ConnectFailure::SourceUnusable(m)
                            | kms_preflight_net::tcp::ConnectFailure::Other(m) => {
                                Finding::new(Status::Error, probe_error(addr, m.clone()))
                                    .with(connected_to("error", None))
                            }
                            other => Finding::new(Status::Pass, gone(&host, addr, other.class()))
                                .with(connected_to(other.class(), None)),
                        },
                    };
                    f.address(addr.ip().to_string())
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
        let (host, addr) = (
            "kms-old.corp.test",
            "198.18.0.20:1688".parse::<SocketAddr>().unwrap(),
        );
        assert_eq!(
            en(&host_empty()),
            "the retired host is empty after filling in variables"
        );
        assert_eq!(en(&no_port()), "no port: set 'port'");
        assert_eq!(
            en(&nxdomain(host)),
            format!("{host} no longer resolves (NXDOMAIN): retired")
        );
        assert_eq!(
            en(&nodata(host)),
            format!("{host} has no address record any more (NODATA): retired")
        );
        assert_eq!(
            en(&unknown(host, crate::common::dns::no_answer(&[]))),
            format!(
                "cannot tell whether {host} is gone: {}",
                "no DNS server to ask: /etc/resolv.conf lists none; pass --dns"
            )
        );
        let m = "cannot bind to 10.9.9.9";
        assert_eq!(
            en(&probe_error(addr, m)),
            format!("cannot probe {addr}: {m}")
        );
        let rtt = 0.125_f64;
        assert_eq!(
            en(&connected(host, addr, rtt)),
            format!("retired host {host} still accepts connections on {addr} ({rtt:.2} ms): clients pinned to it keep using it, and a KMS host that still runs can re-publish its SRV record")
        );
    }

    #[test]
    fn evidence_keeps_each_results_key_order_and_reads_back() {
        for (text, variant_is_lookup) in [
            (
                r#"{"host":"h","port":1688,"result":"dns-unanswered","attempts":[]}"#,
                true,
            ),
            (r#"{"host":"h","port":1688,"result":"nxdomain"}"#, true),
            (
                r#"{"result":"connected","rtt_ms":0.5,"host":"h","port":1688}"#,
                false,
            ),
            (r#"{"result":"refused","host":"h","port":1688}"#, false),
        ] {
            let e: RetiredHostEvidence = serde_json::from_str(text).unwrap();
            assert_eq!(
                matches!(e, RetiredHostEvidence::Lookup(_)),
                variant_is_lookup
            );
            assert_eq!(serde_json::to_string(&e).unwrap(), text);
        }
    }
}
