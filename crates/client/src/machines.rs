//! Several inputs of one machine (slmgr + reg + ipconfig) merged into one view, inputs grouped
//! into machines, and CMIDs that different machines share.
//!
//! Grouping rule: inputs that show the same host name (ipconfig's "Host Name", compared
//! without case) are one machine. An input without a host name is a machine of its own: the
//! outputs alone cannot tell whether two unnamed files (a `/dli` and a `/dlv`, say) come from
//! one PC or two, so a CMID two unnamed inputs share is reported as not certain.

use crate::model::{cmids_of, ClientState, HostPort, Machine, Product};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// One machine as all its inputs show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientMachine {
    /// The host name, when an input shows one.
    pub host_name: Option<String>,
    /// The inputs merged, in the order given.
    pub sources: Vec<String>,
    pub machine: Machine,
    /// Products of all inputs; one product printed by two inputs (same activation ID, or
    /// same application and name) is one entry with the fields of both.
    pub products: Vec<Product>,
    /// Fields two inputs give different values for; the first input's value is kept.
    pub conflicts: Vec<Conflict>,
}

impl ClientMachine {
    /// A name for messages: the host name, else the sources.
    pub fn label(&self) -> String {
        self.host_name
            .clone()
            .unwrap_or_else(|| self.sources.join(" + "))
    }

    /// Every CMID this machine's inputs show.
    pub fn cmids(&self) -> std::collections::BTreeSet<String> {
        cmids_of(&self.products, &self.machine)
    }
}

/// Two inputs disagree on a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    /// `machine.host_name`, or `<product label>.cmid`.
    pub field: String,
    pub kept: String,
    pub kept_from: String,
    pub other: String,
    pub other_from: String,
}

/// Merges inputs that come from one machine, in the order given.
pub fn merge(inputs: &[&ClientState]) -> ClientMachine {
    let mut out = ClientMachine {
        host_name: None,
        sources: Vec::new(),
        machine: Machine::default(),
        products: Vec::new(),
        conflicts: Vec::new(),
    };
    let mut product_from: Vec<String> = Vec::new();
    let mut machine_from: BTreeMap<&'static str, String> = BTreeMap::new();
    let mut seen_values: HashSet<crate::model::RegistryValue> = HashSet::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    for s in inputs {
        out.sources.push(s.source.clone());
        let m = &mut out.machine;
        let c = &mut out.conflicts;
        let src = &s.source;
        fill(
            &mut m.host_name,
            &s.machine.host_name,
            "machine.host_name",
            src,
            &mut machine_from,
            c,
        );
        fill(
            &mut m.primary_dns_suffix,
            &s.machine.primary_dns_suffix,
            "machine.primary_dns_suffix",
            src,
            &mut machine_from,
            c,
        );
        fill(
            &mut m.suffix_search_list,
            &s.machine.suffix_search_list,
            "machine.suffix_search_list",
            src,
            &mut machine_from,
            c,
        );
        fill(
            &mut m.office_cmid,
            &s.machine.office_cmid,
            "machine.office_cmid",
            src,
            &mut machine_from,
            c,
        );
        if m.adapters.is_empty() {
            m.adapters = s.machine.adapters.clone();
        }
        for v in &s.machine.registry {
            if seen_values.insert(v.clone()) {
                m.registry.push(v.clone());
            }
        }
        for p in &s.products {
            let found = match &p.activation_id {
                Some(id) => by_id.get(id).copied(),
                None => None,
            }
            .or_else(|| {
                p.name.as_ref().and_then(|n| by_name.get(n)).and_then(|is| {
                    is.iter()
                        .copied()
                        .find(|&i| same_product(&out.products[i], p))
                })
            });
            match found {
                Some(i) => {
                    let from = product_from[i].clone();
                    merge_product(&mut out.products[i], p, &from, src, &mut out.conflicts)
                }
                None => {
                    out.products.push(p.clone());
                    product_from.push(src.clone());
                    let i = out.products.len() - 1;
                    if let Some(id) = &p.activation_id {
                        by_id.entry(id.clone()).or_insert(i);
                    }
                    if let Some(n) = &p.name {
                        by_name.entry(n.clone()).or_default().push(i);
                    }
                }
            }
            // A product matched by name may have brought the activation ID.
            if let Some(i) = found {
                if let Some(id) = &out.products[i].activation_id {
                    by_id.entry(id.clone()).or_insert(i);
                }
            }
        }
    }
    out.host_name = out.machine.host_name.clone();
    out
}

/// Groups inputs into machines by host name (see the module rule) and merges each group.
/// Machines come in the order their first input was given.
pub fn group_by_machine(inputs: &[ClientState]) -> Vec<ClientMachine> {
    let mut keys: Vec<String> = Vec::new();
    let mut groups: BTreeMap<String, Vec<&ClientState>> = BTreeMap::new();
    for (i, s) in inputs.iter().enumerate() {
        let key = match s.machine.host_name.as_deref().map(str::trim) {
            Some(h) if !h.is_empty() => format!("host:{}", h.to_lowercase()),
            _ => format!("input:{i}"),
        };
        if !groups.contains_key(&key) {
            keys.push(key.clone());
        }
        groups.entry(key).or_default().push(s);
    }
    keys.iter().map(|k| merge(&groups[k])).collect()
}

/// A CMID shown by more than one machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedCmid {
    pub cmid: String,
    /// The machines' labels (host names, or the input names of unnamed machines).
    pub machines: Vec<String>,
    /// Every machine involved has a host name, so they are different machines; `false`
    /// when an unnamed input is involved (it may be another output of a named machine).
    pub certain: bool,
}

/// CMIDs that several machines show, in CMID order.
pub fn shared_cmids(machines: &[ClientMachine]) -> Vec<SharedCmid> {
    let mut by: BTreeMap<String, Vec<&ClientMachine>> = BTreeMap::new();
    for m in machines {
        for c in m.cmids() {
            by.entry(c).or_default().push(m);
        }
    }
    by.into_iter()
        .filter(|(_, ms)| ms.len() > 1)
        .map(|(cmid, ms)| SharedCmid {
            cmid,
            certain: ms.iter().all(|m| m.host_name.is_some()),
            machines: ms.iter().map(|m| m.label()).collect(),
        })
        .collect()
}

fn same_product(a: &Product, b: &Product) -> bool {
    match (&a.activation_id, &b.activation_id) {
        (Some(x), Some(y)) => x == y,
        _ => {
            a.name.is_some()
                && a.name == b.name
                && (a.app == b.app || a.app.is_none() || b.app.is_none())
        }
    }
}

fn fill<T: Clone + PartialEq + std::fmt::Debug>(
    into: &mut Option<T>,
    from: &Option<T>,
    field: &'static str,
    src: &str,
    first_from: &mut BTreeMap<&'static str, String>,
    conflicts: &mut Vec<Conflict>,
) {
    match (into.as_ref(), from) {
        (None, Some(v)) => {
            *into = Some(v.clone());
            first_from.insert(field, src.to_string());
        }
        (Some(a), Some(b)) if a != b => conflicts.push(Conflict {
            field: field.to_string(),
            kept: show(a),
            kept_from: first_from.get(field).cloned().unwrap_or_default(),
            other: show(b),
            other_from: src.to_string(),
        }),
        _ => {}
    }
}

fn show<T: std::fmt::Debug>(v: &T) -> String {
    let s = format!("{v:?}");
    s.trim_matches('"').to_string()
}

/// Fills the fields `into` lacks from `p`; different values are conflicts.
fn merge_product(
    into: &mut Product,
    p: &Product,
    into_from: &str,
    src: &str,
    c: &mut Vec<Conflict>,
) {
    let label = into.label();
    let mut one = |field: &str, a: Option<String>, b: Option<String>| -> bool {
        match (a, b) {
            (None, Some(_)) => true,
            (Some(a), Some(b)) if a != b => {
                c.push(Conflict {
                    field: format!("{label}.{field}"),
                    kept: a,
                    kept_from: into_from.to_string(),
                    other: b,
                    other_from: src.to_string(),
                });
                false
            }
            _ => false,
        }
    };
    macro_rules! take {
        ($($f:ident),*) => {$(
            if one(stringify!($f), into.$f.as_ref().map(|v| show(v)), p.$f.as_ref().map(|v| show(v))) {
                into.$f = p.$f.clone();
            }
        )*};
    }
    // Texts that differ by command (an /xpr status line vs "Licensed") are not conflicts.
    macro_rules! fill_only {
        ($($f:ident),*) => {$(
            if into.$f.is_none() {
                into.$f = p.$f.clone();
            }
        )*};
    }
    fill_only!(
        description,
        license_status_text,
        expiry_text,
        error_description
    );
    take!(
        app,
        name,
        activation_id,
        application_id,
        product_id,
        extended_pid,
        channel,
        license_status,
        grace_minutes_left,
        error_code,
        error_note,
        partial_key,
        remaining_rearm_count,
        activation_type,
        last_activation_via,
        cmid,
        pinned,
        lookup_domain,
        kms_from_dns,
        kms_ip,
        kms_host_epid,
        activation_interval_minutes,
        renewal_interval_minutes,
        host_caching
    );
    into.kms_info_withheld = into.kms_info_withheld && p.kms_info_withheld;
}

/// The host a product last reached through DNS, when its output shows one.
pub fn last_dns_host(p: &Product) -> Option<&HostPort> {
    match &p.kms_from_dns {
        Some(crate::model::DnsDiscovered::Host(h)) => Some(h),
        _ => None,
    }
}
