//! `srv-membership`: which hosts every DNS server lists in a domain's `_vlmcs._tcp` answer.
//! For changes: after a migration the old host must be gone from every server's answer and
//! the new one present in every answer. Each configured DNS server is asked on its own (not
//! the stub-resolver "first answer wins" of `srv`), so one server still handing out the old
//! record (unreplicated zone, stale secondary, cached answer) is caught and named.
//!
//! Unlike `srv-inventory` (the union of all answers against an exact host list), this gives
//! one result per DNS server and only asks "at least these" / "none of these", so it reads
//! as a change verdict and `diff` can follow each server across runs.

use crate::{evidence, CheckContext, CheckOutput, Finding, Kms, RunSettings};
use std::time::Duration;

use serde_json::Value;
use serde_saphyr::Spanned;

use crate::common::srv::{srv_records, SrvRecord};
use crate::common::srv_audit as common;

use kms_preflight_engine::rules::Scope;
use kms_preflight_engine::Status;
use kms_preflight_engine::{render_param, BoxFuture, Check};
use kms_preflight_net::dns::{self, AnswerClass};
use kms_preflight_net::ms;

kms_preflight_engine::messages! {}

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

const DEFAULT_NAME: &str = "_vlmcs._tcp.{{domain}}";

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

    fn validate(&self) -> Vec<(serde_saphyr::Location, String)> {
        if self.present.is_empty() && self.absent.is_empty() {
            let loc = self
                .name
                .as_ref()
                .map(|n| n.referenced)
                .unwrap_or(serde_saphyr::Location::UNKNOWN);
            return vec![(
                loc,
                "srv-membership needs 'present' or 'absent' (a list of host names)".into(),
            )];
        }
        Vec::new()
    }

    fn evidence_vars(&self) -> &'static [&'static str] {
        &["name", "server", "rcode"]
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext<'a>) -> BoxFuture<'a, CheckOutput> {
        Box::pin(async move {
            let name_text = match &self.name {
                Some(n) => render_param(n, ctx.vars),
                None => kms_preflight_engine::rules::template::render(DEFAULT_NAME, ctx.vars)
                    .map_err(|e| Finding::new(Status::Error, e)),
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
                                format!("host {:?} is empty after filling in variables", h.value),
                            ))
                        }
                        Err(f) => return CheckOutput::one(f),
                    }
                }
            }
            let name = match dns::fqdn(&name_text) {
                Ok(n) => n,
                Err(e) => return CheckOutput::one(Finding::new(Status::Error, e)),
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
    let base = |status, msg: String| {
        Finding::new(status, msg)
            .address(server.to_string())
            .evidence("name", shown)
            .evidence("server", server.to_string())
    };
    let reply = match reply {
        Ok(r) => r,
        Err(e) => {
            return base(
                Status::Error,
                format!(
                    "cannot tell which hosts {server} lists for {shown}: {}",
                    e.label()
                ),
            )
            .evidence("result", e.class())
        }
    };
    let records: Vec<SrvRecord> = match reply.class {
        AnswerClass::Records => srv_records(&reply),
        AnswerClass::NxDomain | AnswerClass::NoData => Vec::new(),
        ref other => {
            return base(
                Status::Error,
                format!(
                    "{server} answered {} for {shown}: cannot tell which hosts it lists",
                    other.label()
                ),
            )
            .evidence("rcode", other.label())
        }
    };
    let targets: Vec<String> = records.iter().map(|r| norm(&r.target)).collect();
    let still: Vec<&SrvRecord> = records
        .iter()
        .filter(|r| absent.contains(&norm(&r.target)))
        .collect();
    let missing: Vec<&String> = present.iter().filter(|h| !targets.contains(h)).collect();
    let listed = if targets.is_empty() {
        format!("no SRV record ({})", reply.class.label())
    } else {
        targets.join(", ")
    };
    let f = base(Status::Pass, String::new())
        .evidence("rcode", reply.class.label())
        .evidence("authoritative", reply.authoritative)
        .evidence(evidence::RTT_MS, ms(reply.rtt))
        .evidence(
            "records",
            Value::Array(records.iter().map(SrvRecord::to_json).collect()),
        )
        .evidence(
            "targets",
            Value::Array(targets.iter().cloned().map(Value::String).collect()),
        );
    let mut problems = Vec::new();
    for r in &still {
        problems.push(format!(
            "still lists {}:{} (TTL {} s{})",
            r.target,
            r.port,
            r.ttl,
            if reply.authoritative {
                ", authoritative: the record is in the zone"
            } else {
                ", not authoritative: a cached or unreplicated copy"
            }
        ));
    }
    for h in &missing {
        problems.push(format!("does not list {h}"));
    }
    if problems.is_empty() {
        let mut parts = Vec::new();
        if !present.is_empty() {
            parts.push(format!("lists {}", present.join(", ")));
        }
        if !absent.is_empty() {
            parts.push(format!("does not list {}", absent.join(", ")));
        }
        Finding {
            message: format!("{} for {shown} (answer: {listed})", parts.join(" and ")).into(),
            ..f
        }
    } else {
        // No codes of its own: what a listed or missing host means depends on the change,
        // so the rule's `explains` says it.
        Finding {
            status: Status::Fail,
            message: format!("{} for {shown} (answer: {listed})", problems.join("; ")).into(),
            ..f
        }
    }
}

#[cfg(test)]
mod tests {
    use super::norm;

    #[test]
    fn host_names_compare_without_dot_case_or_port() {
        assert_eq!(norm("KMS1.Corp.Test."), "kms1.corp.test");
        assert_eq!(norm("kms1.corp.test:1689"), "kms1.corp.test");
        assert_eq!(norm("fd00::1"), "fd00::1");
    }
}
