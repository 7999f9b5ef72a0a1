//! `srv-membership`: which hosts every DNS server lists in a domain's `_vlmcs._tcp` answer.
//! For changes: after a migration the old host must be gone from every server's answer and
//! the new one present in every answer. Each configured DNS server is asked on its own (not
//! the stub-resolver "first answer wins" of `srv`), so one server still handing out the old
//! record (unreplicated zone, stale secondary, cached answer) is caught and named.
//!
//! Unlike `srv-inventory` (the union of all answers against an exact host list), this gives
//! one result per DNS server and only asks "at least these" / "none of these", so it reads
//! as a change verdict and `diff` can follow each server across runs.

use crate::{CheckContext, CheckOutput, Finding, Kms, RunSettings};
use std::time::Duration;

use serde_saphyr::Spanned;

use crate::common::srv::{srv_records, SrvRecord};
use crate::common::srv_audit as common;

use crate::common::validation as invalid;
use kms_preflight_engine::rules::Scope;
use kms_preflight_engine::{render_param, BoxFuture, Check, Message};
use kms_preflight_engine::{Arg, Status};
use kms_preflight_net::dns::{self, AnswerClass};
use kms_preflight_net::ms;

kms_preflight_engine::messages! {
    /// host {host} is empty after filling in variables
    host_empty = "srv-membership-host-empty" (host);
    /// cannot tell which hosts {server} lists for {name}: {error}
    failed = "srv-membership-failed" (server, name, error);
    /// {server} answered {rcode} for {name}: cannot tell which hosts it lists
    rcode_answer = "srv-membership-rcode" (server, rcode, name);
    /// still lists {target}:{port} (TTL {ttl} s, authoritative: the record is in the zone)
    still_lists_authoritative = "srv-membership-still-lists-authoritative" (target, port, ttl);
    /// still lists {target}:{port} (TTL {ttl} s, not authoritative: a cached or unreplicated
    /// copy)
    still_lists_cached = "srv-membership-still-lists-cached" (target, port, ttl);
    /// does not list {hosts}
    does_not_list = "srv-membership-does-not-list" (hosts);
    /// lists {hosts}
    lists = "srv-membership-lists" (hosts);
    /// no SRV record ({rcode})
    no_record = "srv-membership-no-record" (rcode);
    /// {parts} for {name} (answer: {listed}), the parts joined with " and "
    pass = "srv-membership-pass" (parts, name, listed);
    /// {problems} for {name} (answer: {listed}), the problems joined with "; "
    fail = "srv-membership-fail" (problems, name, listed);
}

kms_preflight_engine::check_rule! {
    /// Parameters of an `srv-membership` check.
    SrvMembershipRule => SrvMembershipCheck {
        /// Query name; default `_vlmcs._tcp.{{domain}}`.
        name: Option<Spanned<String>>,
        /// Hosts every server's answer must list (templated, e.g. `{{new_host}}`).
        #[serde(default)]
        present: Vec<Spanned<String>>,
        /// Hosts no server's answer may list (templated, e.g. `{{old_host}}`).
        #[serde(default)]
        absent: Vec<Spanned<String>>,
    }
}

fn norm(host: &str) -> String {
    let h = host.trim().trim_end_matches('.').to_ascii_lowercase();
    // `--new-host kms:1689` style values: the SRV target is the name only.
    match h.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') && port.parse::<u16>().is_ok() => {
            name.to_string()
        }
        _ => h,
    }
}

/// What `srv-membership` saw from one DNS server.
#[derive(
    Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(default)]
pub struct SrvMembershipEvidence {
    pub name: String,
    pub server: String,
    /// Why no response came (`timeout`, `refused`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rcode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authoritative: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rtt_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub records: Option<Vec<SrvRecord>>,
    /// The targets listed, normalised.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub targets: Option<Vec<String>>,
}

impl crate::Evidence {
    pub fn srv_membership(&self) -> Option<&SrvMembershipEvidence> {
        match self {
            crate::Evidence::SrvMembership(e) => Some(e),
            _ => None,
        }
    }
}

impl Check<Kms> for SrvMembershipCheck {
    fn default_scope(&self) -> Scope {
        Scope::EACH_DOMAIN
    }

    fn default_timeout(&self) -> Duration {
        common::AUDIT_TIMEOUT
    }

    fn budget(&self, timeout: Duration, _settings: &RunSettings) -> Duration {
        common::audit_budget(timeout)
    }

    fn templates(&self) -> Vec<&Spanned<String>> {
        self.name
            .iter()
            .chain(self.present.iter())
            .chain(self.absent.iter())
            .collect()
    }

    fn validate(&self) -> Vec<(serde_saphyr::Location, Message)> {
        if self.present.is_empty() && self.absent.is_empty() {
            let loc = self
                .name
                .as_ref()
                .map(|n| n.referenced)
                .unwrap_or(serde_saphyr::Location::UNKNOWN);
            return vec![(loc, invalid::srv_membership_needs_list())];
        }
        Vec::new()
    }

    fn evidence_vars(&self) -> &'static [&'static str] {
        &["name", "server", "rcode"]
    }

    fn plan(
        &self,
        ctx: &kms_preflight_engine::plan::PlanContext<'_, Kms>,
    ) -> Vec<kms_preflight_engine::plan::PlannedProbe> {
        crate::common::plan::srv_queries(ctx, crate::common::plan::srv_names(ctx, &self.name))
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext<'a>) -> BoxFuture<'a, CheckOutput> {
        Box::pin(async move {
            let name_text = match &self.name {
                Some(n) => render_param(n, ctx.vars),
                None => common::default_name(ctx.vars),
            };
            let name_text = match name_text {
                Ok(s) => s,
                Err(f) => return CheckOutput::one(f),
            };
            let mut present = Vec::new();
            let mut absent = Vec::new();
            for (list, out) in [(&self.present, &mut present), (&self.absent, &mut absent)] {
                for h in list {
                    match render_param(h, ctx.vars) {
                        Ok(s) if !s.trim().is_empty() => out.push(norm(&s)),
                        Ok(_) => {
                            return CheckOutput::one(Finding::new(
                                Status::Error,
                                host_empty(format!("{:?}", h.value)),
                            ))
                        }
                        Err(f) => return CheckOutput::one(f),
                    }
                }
            }
            let name = match dns::fqdn(&name_text) {
                Ok(n) => n,
                Err(e) => return CheckOutput::one(crate::common::dns::name_error(&name_text, &e)),
            };
            let shown = dns::display_name(&name);
            let answers = match common::srv_answers(&name, ctx).await {
                Ok(a) => a,
                Err(f) => return CheckOutput::one(f),
            };
            let findings = answers
                .into_iter()
                .map(|a| judge(&shown, a.server, a.result, &present, &absent))
                .collect();
            CheckOutput {
                findings,
                ..Default::default()
            }
        })
    }
}

fn judge(
    shown: &str,
    server: std::net::SocketAddr,
    reply: Result<dns::DnsReply, dns::DnsFailure>,
    present: &[String],
    absent: &[String],
) -> Finding {
    let base = SrvMembershipEvidence {
        name: shown.to_string(),
        server: server.to_string(),
        ..Default::default()
    };
    let reply = match reply {
        Ok(r) => r,
        Err(e) => {
            return Finding::new(
                Status::Error,
                failed(server, shown, crate::common::dns::failure(&e)),
            )
            .address(server.to_string())
            .with(SrvMembershipEvidence {
                result: Some(e.class().into()),
                ..base
            })
        }
    };
    let records: Vec<SrvRecord> = match reply.class {
        AnswerClass::Records => srv_records(&reply),
        AnswerClass::NxDomain | AnswerClass::NoData => Vec::new(),
        ref other => {
            return Finding::new(
                Status::Error,
                rcode_answer(server, crate::common::dns::class(other), shown),
            )
            .address(server.to_string())
            .with(SrvMembershipEvidence {
                rcode: Some(other.label()),
                ..base
            })
        }
    };
    let targets: Vec<String> = records.iter().map(|r| norm(&r.target)).collect();
    let still: Vec<&SrvRecord> = records
        .iter()
        .filter(|r| absent.contains(&norm(&r.target)))
        .collect();
    let missing: Vec<&String> = present.iter().filter(|h| !targets.contains(h)).collect();
    let listed: Arg = if targets.is_empty() {
        no_record(crate::common::dns::class(&reply.class)).into()
    } else {
        targets.clone().into()
    };
    let evidence = SrvMembershipEvidence {
        rcode: Some(reply.class.label()),
        authoritative: Some(reply.authoritative),
        rtt_ms: Some(ms(reply.rtt)),
        records: Some(records.clone()),
        targets: Some(targets.clone()),
        ..base
    };
    let mut problems = Vec::new();
    for r in &still {
        problems.push(if reply.authoritative {
            still_lists_authoritative(&r.target, r.port, r.ttl)
        } else {
            still_lists_cached(&r.target, r.port, r.ttl)
        });
    }
    for h in &missing {
        problems.push(does_not_list(h.as_str()));
    }
    let f = if problems.is_empty() {
        let mut parts = Vec::new();
        if !present.is_empty() {
            parts.push(lists(present.to_vec()));
        }
        if !absent.is_empty() {
            parts.push(does_not_list(absent.to_vec()));
        }
        Finding::new(Status::Pass, pass(parts, shown, listed))
    } else {
        // No codes of its own: what a listed or missing host means depends on the change,
        // so the rule's `explains` says it.
        Finding::new(Status::Fail, fail(problems, shown, listed))
    };
    f.address(server.to_string()).with(evidence)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::en;

    /// Messages the lab does not reach read as the sentences written before they were typed.
    #[test]
    fn english_as_before() {
        let (server, shown) = ("198.18.0.3:53", "_vlmcs._tcp.corp.test");
        let e = dns::DnsFailure::Timeout;
        assert_eq!(
            en(&failed(server, shown, crate::common::dns::failure(&e))),
            format!(
                "cannot tell which hosts {server} lists for {shown}: {}",
                e.label()
            )
        );
        let other = AnswerClass::Refused;
        assert_eq!(
            en(&rcode_answer(
                server,
                crate::common::dns::class(&other),
                shown
            )),
            format!(
                "{server} answered {} for {shown}: cannot tell which hosts it lists",
                other.label()
            )
        );
        let h = "{{new_host}}";
        assert_eq!(
            en(&host_empty(format!("{h:?}"))),
            format!("host {h:?} is empty after filling in variables")
        );
        assert_eq!(
            en(&still_lists_cached("kms-old.corp.test", 1688u16, 300u32)),
            "still lists kms-old.corp.test:1688 (TTL 300 s, not authoritative: a cached or unreplicated copy)"
        );
        let class = AnswerClass::NxDomain;
        let listed = no_record(crate::common::dns::class(&class));
        assert_eq!(
            en(&pass(
                vec![does_not_list(vec!["kms-old.corp.test"])],
                shown,
                listed
            )),
            format!(
                "{} for {shown} (answer: no SRV record ({}))",
                "does not list kms-old.corp.test",
                class.label()
            )
        );
    }

    #[test]
    fn host_names_compare_without_dot_case_or_port() {
        assert_eq!(norm("KMS1.Corp.Test."), "kms1.corp.test");
        assert_eq!(norm("kms1.corp.test:1689"), "kms1.corp.test");
        assert_eq!(norm("fd00::1"), "fd00::1");
    }
}
