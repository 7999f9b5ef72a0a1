//! The traffic plan of a rule set and run options ([`plan`]): what each rule's kind sends
//! ([`crate::Check::plan`]), once per source where its scope is per source. Kept apart from
//! the plan's types, which the check contract uses.

use crate::model::Model;
use crate::plan::{Destination, PlanContext, PlanRow, PlannedPort, PlannedProbe, TrafficPlan};
use crate::rules::RuleSet;
use crate::runner::RunOptions;
use crate::target::Target;

/// Every probe `rules` would send with `opts`, one row per probe and source, in rule order.
/// `system_resolver` holds the system configuration's DNS servers, for the probes that ask
/// the system resolver.
pub fn plan<M: Model>(
    rules: &RuleSet<M>,
    opts: &RunOptions<M>,
    system_resolver: &[std::net::SocketAddr],
) -> TrafficPlan {
    let ctx = PlanContext::<M> {
        vars: &rules.vars,
        settings: &opts.settings,
        domains: &opts.domains,
        targets: &opts.targets,
    };
    let mut rows: Vec<PlanRow> = Vec::new();
    for rule in &rules.checks {
        let sources: Vec<Option<String>> = if rule.scope.per_source && !opts.sources.is_empty() {
            opts.sources
                .iter()
                .map(|s| Some(M::source_label(s)))
                .collect()
        } else {
            vec![None]
        };
        let mut probes = Vec::new();
        for p in rule.check.plan(&ctx) {
            if p.destination == Destination::SystemResolver {
                for s in system_resolver {
                    probes.push(PlannedProbe {
                        destination: Destination::Address { address: s.ip() },
                        port: Some(PlannedPort::Number(s.port())),
                        ..p.clone()
                    });
                }
            } else {
                probes.push(p);
            }
        }
        for source in &sources {
            for p in &probes {
                let row = PlanRow {
                    source: source.clone(),
                    transport: p.transport,
                    destination: p.destination.clone(),
                    port: p.port,
                    check: rule.id.clone(),
                    kind: rule.kind.clone(),
                    what: p.what.clone(),
                    only_when: p.only_when.clone(),
                    off: p.off.clone(),
                };
                if !rows.contains(&row) {
                    rows.push(row);
                }
            }
        }
    }
    TrafficPlan {
        rows,
        named_hosts: opts.targets.iter().map(Target::label).collect(),
        domains: opts.domains.clone(),
    }
}
