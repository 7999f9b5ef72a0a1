//! How a product finds its KMS host, in the order Microsoft documents ("KMS activation timing
//! and discovery", KMS discovery search order):
//!
//! 1. the SKU-specific `...\SoftwareProtectionPlatform\<AppID>\<SKU ID>\KeyManagementServiceName`;
//! 2. the AppID-specific `...\SoftwareProtectionPlatform\<AppID>\KeyManagementServiceName`;
//! 3. the global `...\SoftwareProtectionPlatform\KeyManagementServiceName` (`slmgr /skms`);
//! 4. the SKU-specific cached host (the host of the last successful activation, when host
//!    caching is on; if it does not answer, discovery runs);
//! 5. DNS auto-discovery: `_vlmcs._tcp` in the one domain `/skms-domain` set (which then
//!    ignores the suffix search list, and has no effect when `/skms` is set), else in the
//!    client's own suffixes.
//!
//! A pinned host is used on its `KeyManagementServicePort` (default 1688) and the client does
//! no DNS discovery at all.

use crate::model::{
    ActivationType, App, Channel, DnsDiscovered, HostPort, Machine, PinOrigin, PinnedHost, Product,
    RegistryScope, RegistryTree, RegistryValue, DEFAULT_KMS_PORT,
};
use serde::{Deserialize, Serialize};

/// What the product would do to find a KMS host, and what the inputs left uncertain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discovery {
    pub route: Route,
    pub notes: Vec<DiscoveryNote>,
}

/// The product's way to a KMS host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Route {
    /// Not a KMS client (MAK, retail, OEM...): it never contacts a KMS host.
    NotKmsClient { channel: Channel },
    /// A host set by hand: only this host and port; no DNS query.
    Pinned { pinned: PinnedHost },
    /// `/skms-domain`: `_vlmcs._tcp.<domain>` only; the suffix list is not used.
    LookupDomain {
        domain: String,
        /// Tried first when host caching is on (the last host that activated it).
        cached: Option<HostPort>,
    },
    /// DNS auto-discovery through the client's suffixes, in order (empty when the inputs
    /// show none: no `ipconfig /all`).
    SuffixList {
        suffixes: Vec<String>,
        cached: Option<HostPort>,
    },
}

/// What the inputs leave open, or what a reader should be told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "note", rename_all = "snake_case")]
pub enum DiscoveryNote {
    /// The channel is not known (e.g. only `slmgr /xpr`): treated as a KMS client.
    ChannelUnknown,
    /// slmgr withheld its KMS client block (not Licensed) and no registry value says
    /// otherwise: a pinned host would not show in these inputs.
    PinUnknown,
    /// The registry has SKU-specific overrides under this product's application, but the
    /// product's activation ID is not in the inputs (`slmgr /dli` does not print it), so they
    /// cannot be matched to it.
    SkuOverrideUnmatched { sku_ids: Vec<String> },
    /// Registry and slmgr/ospp name different pinned hosts; the registry wins (it is what the
    /// client reads).
    PinDiffers {
        registry: HostPort,
        printed: HostPort,
    },
    /// A lookup domain is set too but a pinned host overrides it (slmgr's own warning).
    LookupDomainIgnored { domain: String },
    /// The lookup domain replaces the suffix search list.
    SuffixListIgnored,
    /// No suffix is known (no `ipconfig /all` among the inputs).
    SuffixesUnknown,
    /// `ipconfig /all` shows no DNS suffix at all (no primary suffix, no search list, no
    /// connection-specific suffix): the client has no domain to query `_vlmcs._tcp` in.
    NoSuffix,
    /// The activation type excludes KMS (`/act-type 1` AD or `3` Token).
    KmsExcludedByActivationType { activation_type: ActivationType },
}

/// The product's discovery route, reading the registry values of `machine` first (in
/// Microsoft's order) and the pinned host, lookup domain and cached host the product's own
/// output shows.
pub fn discovery(product: &Product, machine: &Machine) -> Discovery {
    let mut notes = Vec::new();
    match &product.channel {
        Some(c) if !c.is_kms_client() => {
            return Discovery {
                route: Route::NotKmsClient { channel: c.clone() },
                notes,
            }
        }
        Some(_) => {}
        None => notes.push(DiscoveryNote::ChannelUnknown),
    }
    if let Some(t @ (ActivationType::Ad | ActivationType::Token)) = product.activation_type {
        notes.push(DiscoveryNote::KmsExcludedByActivationType { activation_type: t });
    }

    let registry_pin = registry_pin(product, &machine.registry, &mut notes);
    let pinned = match (registry_pin, product.pinned.clone()) {
        (Some(r), Some(p)) => {
            if r.host_port() != p.host_port() {
                notes.push(DiscoveryNote::PinDiffers {
                    registry: r.host_port(),
                    printed: p.host_port(),
                });
            }
            Some(r)
        }
        (Some(r), None) => Some(r),
        (None, p) => p,
    };
    let registry_known = machine
        .registry
        .iter()
        .any(|v| !matches!(v.scope, RegistryScope::Other));
    if pinned.is_none() && product.kms_info_withheld && !registry_known {
        notes.push(DiscoveryNote::PinUnknown);
    }
    if let Some(pinned) = pinned {
        if let Some(d) = &product.lookup_domain {
            notes.push(DiscoveryNote::LookupDomainIgnored { domain: d.clone() });
        }
        return Discovery {
            route: Route::Pinned { pinned },
            notes,
        };
    }
    let cached = match (&product.kms_from_dns, product.host_caching) {
        (Some(DnsDiscovered::Host(h)), Some(true) | None) => Some(h.clone()),
        _ => None,
    };
    if let Some(domain) = &product.lookup_domain {
        notes.push(DiscoveryNote::SuffixListIgnored);
        return Discovery {
            route: Route::LookupDomain {
                domain: domain.clone(),
                cached,
            },
            notes,
        };
    }
    let suffixes = machine.client_suffixes();
    if suffixes.is_empty() {
        let ipconfig_seen = machine.host_name.is_some()
            || machine.primary_dns_suffix.is_some()
            || machine.suffix_search_list.is_some()
            || !machine.adapters.is_empty();
        notes.push(if ipconfig_seen {
            DiscoveryNote::NoSuffix
        } else {
            DiscoveryNote::SuffixesUnknown
        });
    }
    Discovery {
        route: Route::SuffixList { suffixes, cached },
        notes,
    }
}

/// The registry trees a product's settings live in, in the order read: sppsvc's for
/// Windows and for Office on Windows 8 and later, osppsvc's for Office on Windows 7.
fn trees(product: &Product) -> &'static [RegistryTree] {
    match product.app {
        Some(App::Office) => &[RegistryTree::Spp, RegistryTree::Ospp],
        _ => &[RegistryTree::Spp],
    }
}

fn registry_pin(
    product: &Product,
    registry: &[RegistryValue],
    notes: &mut Vec<DiscoveryNote>,
) -> Option<PinnedHost> {
    let app_id = product.app_id();
    let sku_id = product.activation_id.as_deref();
    let trees = trees(product);
    let name_at = |pred: &dyn Fn(&RegistryScope) -> bool| -> Option<PinnedHost> {
        let at_key = |value: &str| {
            registry
                .iter()
                .find(|v| pred(&v.scope) && v.name.eq_ignore_ascii_case(value))
        };
        let name = at_key("KeyManagementServiceName")?;
        let host = name.data.trim();
        if host.is_empty() {
            return None;
        }
        let (host, port) = match crate::shape::host_port(host) {
            Some(hp) => (hp.host, hp.port),
            None => {
                let port = at_key("KeyManagementServicePort")
                    .and_then(|p| match p.number {
                        Some(n) => u16::try_from(n).ok(),
                        None => p.data.trim().parse::<u16>().ok(),
                    })
                    .filter(|p| *p > 0)
                    .unwrap_or(DEFAULT_KMS_PORT);
                (host.trim_matches(['[', ']']).to_string(), port)
            }
        };
        Some(PinnedHost {
            host,
            port,
            origin: PinOrigin::RegistryGlobal,
        })
    };
    let in_trees = |t: &RegistryTree| trees.contains(t);
    // 1. SKU-specific.
    if let (Some(app), Some(sku)) = (app_id.as_deref(), sku_id) {
        for tree in trees {
            let hit = name_at(&|s| {
                matches!(s, RegistryScope::Sku { tree: t, app_id: a, sku_id: k }
                    if t == tree && a == app && k.eq_ignore_ascii_case(sku))
            });
            if let Some(mut p) = hit {
                p.origin = PinOrigin::RegistrySku;
                return Some(p);
            }
        }
    } else if let Some(app) = app_id.as_deref() {
        let mut skus: Vec<String> = registry
            .iter()
            .filter_map(|v| match &v.scope {
                RegistryScope::Sku {
                    tree,
                    app_id: a,
                    sku_id,
                } if in_trees(tree)
                    && a == app
                    && v.name.eq_ignore_ascii_case("KeyManagementServiceName")
                    && !v.data.trim().is_empty() =>
                {
                    Some(sku_id.clone())
                }
                _ => None,
            })
            .collect();
        skus.sort();
        skus.dedup();
        if !skus.is_empty() {
            notes.push(DiscoveryNote::SkuOverrideUnmatched { sku_ids: skus });
        }
    }
    // 2. AppID-specific.
    if let Some(app) = app_id.as_deref() {
        for tree in trees {
            let hit = name_at(
                &|s| matches!(s, RegistryScope::App { tree: t, app_id: a } if t == tree && a == app),
            );
            if let Some(mut p) = hit {
                p.origin = PinOrigin::RegistryApp;
                return Some(p);
            }
        }
    }
    // 3. Global: Office on Windows 7 reads osppsvc's own key first.
    for tree in trees.iter().rev() {
        let hit = name_at(&|s| matches!(s, RegistryScope::Global { tree: t } if t == tree));
        if hit.is_some() {
            return hit;
        }
    }
    None
}
