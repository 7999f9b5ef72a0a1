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

use serde_saphyr::Spanned;

use crate::common::srv::SrvRecord;
use crate::common::srv_audit::{self as common, describe, norm_host, ServerAnswerEvidence};
use kms_preflight_engine::rules::{Scope, Vars};
use kms_preflight_engine::{render_param, BoxFuture, Check};
use kms_preflight_engine::{Arg, Message, Status};

kms_preflight_engine::messages! {
    /// no inventory configured for {name}: give --expect-host NAME (and --forbid-host NAME),
    /// or expect_hosts (and forbid_hosts) in a --config site file, to catch …
    none_configured = "srv-inventory-none-configured" (name);
    /// cannot audit the inventory of {name}: no DNS server gave a usable answer ({answers})
    no_usable = "srv-inventory-no-usable" (name, answers);
    /// {host} is still published ({records}; on {servers}) but is listed in forbidden_hosts:
    /// clients may keep activating against the retired host, or fail once it is gone
    forbidden_published = "srv-inventory-forbidden" (host, records, servers);
    /// On {host} stop publishing first: slmgr /cdns (then retire it). Then: {removals}
    forbidden_fix = "srv-inventory-forbidden-fix" (host, removals);
    /// unknown KMS host {host} is published ({records}; on {servers}): not in the expected
    /// hosts — possibly rogue (an unlicensed KMS emulator that registered itself) or forgotten
    unknown_published = "srv-inventory-unknown" (host, records, servers);
    /// Find out what {host} is (…). … Set-DnsServerPrimaryZone -Name {zone} … {removals}
    unknown_fix = "srv-inventory-unknown-fix" (host, zone, removals);
    /// expected KMS host {host} is not published at {name} by any of {servers}
    expected_missing = "srv-inventory-missing" (host, name, servers);
    /// published KMS hosts at {name} match the inventory: {published}
    matches = "srv-inventory-matches" (name, published);
    /// published KMS hosts at {name} match the inventory: {published}; none of the forbidden
    /// hosts ({forbidden}) is published
    matches_none_forbidden = "srv-inventory-matches-none-forbidden" (name, published, forbidden);
    /// (none)
    none_published = "srv-inventory-none-published" ();
}

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

/// What an inventory finding is about.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum InventoryIssue {
    /// A host of `expect.forbidden_hosts` is still published.
    ForbiddenPublished,
    /// A published host is not in `expect.hosts`.
    UnknownPublished,
    /// A host of `expect.hosts` is not published.
    ExpectedMissing,
}

/// What `srv-inventory` saw.
#[derive(
    Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(default)]
pub struct SrvInventoryEvidence {
    pub name: String,
    /// Every server's answer, asked directly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub servers: Option<Vec<ServerAnswerEvidence>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_hosts: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forbidden_hosts: Option<Vec<String>>,
    /// The union of the published targets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue: Option<InventoryIssue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

impl crate::Evidence {
    pub fn srv_inventory(&self) -> Option<&SrvInventoryEvidence> {
        match self {
            crate::Evidence::SrvInventory(e) => Some(e),
            _ => None,
        }
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

    fn plan(
        &self,
        ctx: &kms_preflight_engine::plan::PlanContext<'_, Kms>,
    ) -> Vec<kms_preflight_engine::plan::PlannedProbe> {
        crate::common::plan::srv_queries(ctx, crate::common::plan::srv_names(ctx, &self.name))
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
                return CheckOutput::one(Finding::new(Status::Skip, none_configured(&shown)).with(
                    SrvInventoryEvidence {
                        name: shown,
                        ..Default::default()
                    },
                ));
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
            let base = SrvInventoryEvidence {
                name: shown.clone(),
                servers: Some(common::answers_evidence(&answers)),
                expected_hosts: Some(expected.clone()),
                forbidden_hosts: Some(forbidden.clone()),
                published: Some(published.keys().cloned().collect()),
                ..Default::default()
            };
            let about = |issue, host: &str| SrvInventoryEvidence {
                issue: Some(issue),
                target: Some(host.to_string()),
                ..base.clone()
            };
            if answered.is_empty() {
                let why: Vec<Message> = answers
                    .iter()
                    .map(|a| crate::common::dns_attempt(a.server, a.outcome()))
                    .collect();
                return CheckOutput::one(
                    Finding::new(Status::Error, no_usable(&shown, why)).with(base),
                );
            }
            let mut findings = Vec::new();
            for (host, (recs, on)) in &published {
                let records: Vec<String> = recs.iter().map(describe).collect();
                let removals: Vec<Message> = recs
                    .iter()
                    .map(|r| common::remove_commands(&shown, r, None))
                    .collect();
                if forbidden.contains(host) {
                    findings.push(
                        Finding::new(
                            Status::Fail,
                            forbidden_published(host, records, common::servers_list(on)),
                        )
                        .codes(&["0xC004F074", "0x800706BA"])
                        .with(about(InventoryIssue::ForbiddenPublished, host))
                        .remediation(forbidden_fix(host, removals)),
                    );
                } else if !expected.is_empty() && !expected.contains(host) {
                    findings.push(
                        Finding::new(
                            Status::Fail,
                            unknown_published(host, records, common::servers_list(on)),
                        )
                        .with(about(InventoryIssue::UnknownPublished, host))
                        .remediation(unknown_fix(
                            host,
                            common::owner_and_zone(&shown).1,
                            removals,
                        )),
                    );
                }
            }
            for host in &expected {
                if published.contains_key(host) {
                    continue;
                }
                findings.push(
                    Finding::new(
                        Status::Fail,
                        expected_missing(host, &shown, common::servers_list(&answered)),
                    )
                    .codes(&["0xC004F074"])
                    .with(about(InventoryIssue::ExpectedMissing, host))
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
                let hosts: Arg = if published.is_empty() {
                    none_published().into()
                } else {
                    published.keys().cloned().collect::<Vec<_>>().into()
                };
                let text = if forbidden.is_empty() {
                    matches(&shown, hosts)
                } else {
                    matches_none_forbidden(&shown, hosts, forbidden.clone())
                };
                findings.push(Finding::new(Status::Pass, text).with(base));
            }
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
        let shown = "_vlmcs._tcp.corp.test";
        let published = ["kms1.corp.test".to_string(), "kms2.corp.test".to_string()];
        let forbidden = ["old.corp.test".to_string()];
        assert_eq!(
            en(&matches(shown, none_published())),
            format!("published KMS hosts at {shown} match the inventory: (none)")
        );
        assert_eq!(
            en(&matches_none_forbidden(shown, published.to_vec(), forbidden.to_vec())),
            format!(
                "published KMS hosts at {shown} match the inventory: {}; none of the forbidden hosts ({}) is published",
                published.join(", "),
                forbidden.join(", ")
            )
        );
        let answers: Vec<Message> = [("198.18.0.2:53", "timeout"), ("198.18.0.3:53", "SERVFAIL")]
            .iter()
            .map(|(s, l)| crate::common::dns_attempt(*s, *l))
            .collect();
        assert_eq!(
            en(&no_usable(shown, answers)),
            format!("cannot audit the inventory of {shown}: no DNS server gave a usable answer (198.18.0.2:53: timeout; 198.18.0.3:53: SERVFAIL)")
        );
    }
}
