//! `srv-inventory`: the published KMS hosts against the list that should be published.
//!
//! Every DNS server is asked directly and the union of their answers is audited, so a host
//! that lingers on one domain controller only still counts as published. Fails on a
//! published host that is not in `expect.hosts` (possibly rogue: an unlicensed KMS emulator
//! that registered itself, or a forgotten host), on an expected host that is missing, and on
//! a host of `expect.forbidden_hosts` (e.g. the one being retired) that is still published.
//! With both lists empty it is skipped and says so: there is nothing to compare against.
//!
//! List entries are host names (trailing dot and case ignored) and may use `{{var}}`; a
//! rendered value holding commas or spaces is split, so `--var kms_hosts=a,b` works.

use crate::{CheckContext, CheckOutput, Finding, Kms, RunSettings};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use serde_json::Value;
use serde_saphyr::Spanned;

use crate::common::srv::SrvRecord;
use crate::common::srv_audit::{self as common, describe, norm_host};
use kms_preflight_engine::rules::{Scope, Vars};
use kms_preflight_engine::Status;
use kms_preflight_engine::{render_param, BoxFuture, Check};

kms_preflight_engine::messages! {}

kms_preflight_engine::check_rule! {
    /// Parameters of an `srv-inventory` check.
    SrvInventoryRule => SrvInventoryCheck {
        /// Query name; default `_vlmcs._tcp.{{domain}}`.
        name: Option<Spanned<String>>,
        #[serde(default)]
        expect: InventoryExpect,
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InventoryExpect {
    /// KMS hosts that should be published (and no others).
    #[serde(default)]
    pub hosts: Vec<Spanned<String>>,
    /// Hosts that must not be published any more (e.g. the host being retired).
    #[serde(default)]
    pub forbidden_hosts: Vec<Spanned<String>>,
}

fn render_list(list: &[Spanned<String>], vars: &Vars) -> Result<Vec<String>, Finding> {
    let mut out = Vec::new();
    for item in list {
        let text = render_param(item, vars)?;
        for part in text.split(|c: char| c == ',' || c.is_whitespace()) {
            let h = norm_host(part);
            if !h.is_empty() && !out.contains(&h) {
                out.push(h);
            }
        }
    }
    Ok(out)
}

/// An inventory rule's lists as written (`expect.hosts`, `expect.forbidden_hosts`).
#[derive(Debug, Clone)]
pub struct InventoryLists {
    hosts: Vec<Spanned<String>>,
    forbidden: Vec<Spanned<String>>,
}

impl InventoryLists {
    /// The rendered lists, normalised like the check compares them. The sweep uses them as
    /// its allow and forbidden lists.
    pub fn render(
        &self,
        vars: &Vars,
    ) -> Result<(Vec<String>, Vec<String>), kms_preflight_engine::Message> {
        let expected = render_list(&self.hosts, vars).map_err(|f| f.message)?;
        let forbidden = render_list(&self.forbidden, vars).map_err(|f| f.message)?;
        Ok((expected, forbidden))
    }
}

impl Check<Kms> for SrvInventoryCheck {
    fn declaration(&self) -> crate::Declaration {
        crate::Declaration::Inventory(InventoryLists {
            hosts: self.expect.hosts.clone(),
            forbidden: self.expect.forbidden_hosts.clone(),
        })
    }

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
            .chain(self.expect.hosts.iter())
            .chain(self.expect.forbidden_hosts.iter())
            .collect()
    }

    fn evidence_vars(&self) -> &'static [&'static str] {
        &["name", "target", "issue"]
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext<'a>) -> BoxFuture<'a, CheckOutput> {
        Box::pin(async move {
            let (name, shown) = match common::query_name(&self.name, ctx) {
                Ok(n) => n,
                Err(f) => return CheckOutput::one(f),
            };
            let expected = match render_list(&self.expect.hosts, ctx.vars) {
                Ok(l) => l,
                Err(f) => return CheckOutput::one(f),
            };
            let forbidden = match render_list(&self.expect.forbidden_hosts, ctx.vars) {
                Ok(l) => l,
                Err(f) => return CheckOutput::one(f),
            };
            if expected.is_empty() && forbidden.is_empty() {
                return CheckOutput::one(
                    Finding::new(
                        Status::Skip,
                        format!(
                            "no inventory configured for {shown}: set expect.hosts (and expect.forbidden_hosts) in a rule file \
                             with id srv.inventory to catch unknown, missing and retired KMS hosts"
                        ),
                    )
                    .evidence("name", shown),
                );
            }
            let answers = match common::srv_answers(&name, ctx).await {
                Ok(a) => a,
                Err(f) => return CheckOutput::one(f),
            };
            // Published = union over the servers that answered; remember who publishes what.
            let mut published: BTreeMap<String, (Vec<SrvRecord>, Vec<SocketAddr>)> =
                BTreeMap::new();
            let mut answered = Vec::new();
            for a in &answers {
                let Some(recs) = a.records() else { continue };
                answered.push(a.server);
                for r in recs.into_iter().filter(|r| r.target != ".") {
                    let e = published.entry(r.target.clone()).or_default();
                    if !e.1.contains(&a.server) {
                        e.1.push(a.server);
                    }
                    if !e.0.iter().any(|x| common::key(x) == common::key(&r)) {
                        e.0.push(r);
                    }
                }
            }
            let answers_json = common::answers_json(&answers);
            let base = |f: Finding| {
                f.evidence("name", shown.clone())
                    .evidence("servers", answers_json.clone())
                    .evidence(
                        "expected_hosts",
                        Value::Array(expected.iter().cloned().map(Value::String).collect()),
                    )
                    .evidence(
                        "forbidden_hosts",
                        Value::Array(forbidden.iter().cloned().map(Value::String).collect()),
                    )
                    .evidence(
                        "published",
                        Value::Array(published.keys().cloned().map(Value::String).collect()),
                    )
            };
            if answered.is_empty() {
                let why = answers
                    .iter()
                    .map(|a| format!("{}: {}", a.server, a.outcome_label()))
                    .collect::<Vec<_>>()
                    .join("; ");
                return CheckOutput::one(base(Finding::new(
                    Status::Error,
                    format!("cannot audit the inventory of {shown}: no DNS server gave a usable answer ({why})"),
                )));
            }
            let mut findings = Vec::new();
            for (host, (recs, on)) in &published {
                if forbidden.contains(host) {
                    let fix = recs
                        .iter()
                        .map(|r| common::remove_commands(&shown, r, None))
                        .collect::<Vec<_>>()
                        .join("\n");
                    findings.push(
                        base(Finding::new(
                            Status::Fail,
                            format!(
                                "{host} is still published ({}; on {}) but is listed in forbidden_hosts: clients may keep activating against the retired host, or fail once it is gone",
                                recs.iter().map(describe).collect::<Vec<_>>().join("; "),
                                common::servers_text(on)
                            ),
                        ))
                        .codes(&["0xC004F074", "0x800706BA"])
                        .evidence("issue", "forbidden-published")
                        .evidence("target", host.clone())
                        .remediation(format!("On {host} stop publishing first: slmgr /cdns (then retire it). Then:\n{fix}")),
                    );
                } else if !expected.is_empty() && !expected.contains(host) {
                    let fix = recs
                        .iter()
                        .map(|r| common::remove_commands(&shown, r, None))
                        .collect::<Vec<_>>()
                        .join("\n");
                    findings.push(
                        base(Finding::new(
                            Status::Fail,
                            format!(
                                "unknown KMS host {host} is published ({}; on {}): not in the expected hosts — possibly rogue \
                                 (an unlicensed KMS emulator that registered itself) or forgotten",
                                recs.iter().map(describe).collect::<Vec<_>>().join("; "),
                                common::servers_text(on)
                            ),
                        ))
                        .evidence("issue", "unknown-published")
                        .evidence("target", host.clone())
                        .remediation(format!(
                            "Find out what {host} is (who owns it, slmgr /dlv on it if it is Windows). If it is legitimate, add it to expect.hosts. \
                             If not, remove its record and stop it from re-registering: restrict dynamic updates on the zone \
                             (Windows: Set-DnsServerPrimaryZone -Name {zone} -DynamicUpdate Secure; BIND: allow-update/update-policy) \
                             and grant update rights on _vlmcs only to a KMS host group.\n{fix}",
                            zone = common::owner_and_zone(&shown).1
                        )),
                    );
                }
            }
            for host in &expected {
                if published.contains_key(host) {
                    continue;
                }
                findings.push(
                    base(Finding::new(
                        Status::Fail,
                        format!(
                            "expected KMS host {host} is not published at {shown} by any of {}",
                            common::servers_text(&answered)
                        ),
                    ))
                    .codes(&["0xC004F074"])
                    .evidence("issue", "expected-missing")
                    .evidence("target", host.clone())
                    .remediation(common::add_commands(
                        &shown,
                        host,
                        0,
                        0,
                        ctx.vars
                            .get("port")
                            .and_then(|p| p.parse().ok())
                            .unwrap_or(1688),
                    )),
                );
            }
            if findings.is_empty() {
                findings.push(base(Finding::new(
                    Status::Pass,
                    format!(
                        "published KMS hosts at {shown} match the inventory: {}{}",
                        if published.is_empty() {
                            "(none)".to_string()
                        } else {
                            published.keys().cloned().collect::<Vec<_>>().join(", ")
                        },
                        if forbidden.is_empty() {
                            String::new()
                        } else {
                            format!(
                                "; none of the forbidden hosts ({}) is published",
                                forbidden.join(", ")
                            )
                        }
                    ),
                )));
            }
            CheckOutput {
                findings,
                ..Default::default()
            }
        })
    }
}
