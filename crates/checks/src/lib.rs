//! The check kinds of kms-preflight, one module each, and the built-in rule pack ([`pack`]).
//!
//! A kind declares its YAML keys with `kms_preflight_engine::check_rule!` and implements
//! `kms_preflight_engine::Check`. [`register_kinds!`] at the bottom of this file is the single
//! place that lists them: a new kind is one file plus one line there. Kinds share helpers
//! through [`common`] only; no kind imports another.

// A check that cannot go on returns its finding as the error (`Result<_, Finding>`): that is
// the cold path, and a finding carries its message, remediation and evidence by value.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use kms_preflight_engine::rules::KindRegistry;
use kms_preflight_engine::Check;

mod model;
pub use model::*;

mod evidence_text;
pub use evidence_text::{nullable, EvidenceText};

pub mod common;
pub mod evidence;
pub mod pack;

pub mod clock;
pub mod icmp;
pub mod interception;
pub mod kms_activation;
pub mod kms_rpc;
pub mod proxy;
pub mod ptr;
pub mod resolve;
pub mod retired_host;
pub mod route;
pub mod split_dns;
pub mod srv;
pub mod srv_agreement;
pub mod srv_discovery;
pub mod srv_inventory;
pub mod srv_membership;
pub mod srv_stale;
pub mod srv_weights;
pub mod sweep;
pub mod tcp;

macro_rules! register_kinds {
    ($( $name:literal => $module:ident :: $yaml:ident $(, $variant:ident ( $ev:ty ))? );* $(;)?) => {
        /// Every check kind name, in registration order.
        pub const KIND_NAMES: &[&str] = &[$($name),*];

        /// The registry of every kind, for the engine's rule loader.
        #[derive(Debug, Clone, Copy, Default)]
        pub struct Kinds;

        impl KindRegistry for Kinds {
            type Model = Kms;

            fn names(&self) -> &'static [&'static str] {
                KIND_NAMES
            }

            fn deserialize<'de, D: serde::Deserializer<'de>>(
                &self,
                kind: &str,
                d: D,
            ) -> Result<kms_preflight_engine::rules::ParsedCheck<Kms>, D::Error> {
                match kind {
                    $( $name => {
                        let (common, params) =
                            <$module::$yaml as serde::Deserialize>::deserialize(d)?.split();
                        Ok((common, Arc::new(params) as Arc<dyn Check<Kms>>))
                    } )*
                    other => Err(serde::de::Error::custom(format!("unknown check kind '{other}'"))),
                }
            }
        }

        /// The evidence of a result, typed by its kind (serialized as the kind's own object).
        // Kinds differ in size (the activation probe's is the largest); a finding moves its
        // evidence a few times, boxing every kind's would allocate for all.
        #[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
        #[serde(untagged)]
        #[allow(clippy::large_enum_variant)]
        pub enum Evidence {
            $( $( $variant($ev), )? )*
            /// The sweep's results (kind `sweep`, not a rule kind).
            Sweep(sweep::SweepEvidence),
            /// A check that was asked for but not run (`pack::unavailable`).
            Unavailable(pack::UnavailableEvidence),
            /// Nothing measured (`{}`).
            Nothing(NothingMeasured),
            /// Recorded evidence that does not read as its kind's type (kept as recorded).
            Unread(serde_json::Value),
        }

        impl From<sweep::SweepEvidence> for Evidence {
            fn from(e: sweep::SweepEvidence) -> Evidence {
                Evidence::Sweep(e)
            }
        }

        $( $(
            impl From<$ev> for Evidence {
                fn from(e: $ev) -> Evidence {
                    Evidence::$variant(e)
                }
            }
        )? )*

        /// Evidence of `kind` as a report recorded it. An empty object is "nothing measured"
        /// (an error before any probe, a skip for a failed prerequisite), whatever the kind.
        fn recorded_evidence(kind: &str, value: serde_json::Value) -> Result<Evidence, String> {
            if value.as_object().is_some_and(|m| m.is_empty()) {
                return Ok(Evidence::default());
            }
            // A shape this version's type does not take is kept as recorded, not dropped.
            match kind {
                $( $( $name => match serde_json::from_value::<$ev>(value.clone()) {
                    Ok(e) => Ok(Evidence::$variant(e)),
                    Err(_) => unread_evidence(value),
                }, )? )*
                sweep::KIND => match serde_json::from_value::<sweep::SweepEvidence>(value.clone()) {
                    Ok(e) => Ok(Evidence::Sweep(e)),
                    Err(_) => unread_evidence(value),
                },
                pack::UNAVAILABLE_KIND => match serde_json::from_value(value.clone()) {
                    Ok(e) => Ok(Evidence::Unavailable(e)),
                    Err(_) => unread_evidence(value),
                },
                _ => unread_evidence(value),
            }
        }

        /// Each kind whose evidence has a type of its own, with the JSON Schema of that type
        /// (registered in `gen`), for the report's schema: a result of the kind has evidence
        /// of that shape.
        pub fn evidence_schemas(
            gen: &mut schemars::SchemaGenerator,
        ) -> Vec<(&'static str, schemars::Schema)> {
            vec![
                $( $( ($name, gen.subschema_for::<$ev>()), )? )*
                (pack::UNAVAILABLE_KIND, gen.subschema_for::<pack::UnavailableEvidence>()),
            ]
        }

        /// Every message this crate produces, for the catalog tests: each kind's (declared at
        /// its module root), the shared helpers', the sweep's and the rule pack's.
        pub fn messages() -> Vec<kms_preflight_engine::MessageSpec> {
            [$( $module::MESSAGES, )* common::MESSAGES, common::plan::MESSAGES, common::validation::MESSAGES, sweep::MESSAGES, pack::MESSAGES, kms_preflight_net::text::MESSAGES].concat()
        }
    };
}

// One line per kind: its name, its YAML struct, and (once it has one) its evidence type.
register_kinds! {
    "srv" => srv::SrvRule, Srv(srv::SrvEvidence);
    "resolve" => resolve::ResolveRule, Resolve(resolve::ResolveEvidence);
    "tcp" => tcp::TcpRule, Tcp(tcp::TcpEvidence);
    "srv-discovery" => srv_discovery::SrvDiscoveryRule, SrvDiscovery(srv_discovery::SrvDiscoveryEvidence);
    "srv-agreement" => srv_agreement::SrvAgreementRule, SrvAgreement(srv_agreement::SrvAgreementEvidence);
    "srv-weights" => srv_weights::SrvWeightsRule, SrvWeights(srv_weights::SrvWeightsEvidence);
    "srv-inventory" => srv_inventory::SrvInventoryRule, SrvInventory(srv_inventory::SrvInventoryEvidence);
    "srv-stale" => srv_stale::SrvStaleRule, SrvStale(srv_stale::SrvStaleEvidence);
    "ptr" => ptr::PtrRule, Ptr(ptr::PtrEvidence);
    "srv-membership" => srv_membership::SrvMembershipRule, SrvMembership(srv_membership::SrvMembershipEvidence);
    "retired-host" => retired_host::RetiredHostRule, RetiredHost(retired_host::RetiredHostEvidence);
    "route" => route::RouteRule, Route(route::RouteEvidence);
    "proxy" => proxy::ProxyRule, Proxy(proxy::ProxyEvidence);
    "interception" => interception::InterceptionRule, Interception(interception::InterceptionEvidence);
    "split-dns" => split_dns::SplitDnsRule, SplitDns(split_dns::SplitDnsEvidence);
    "clock" => clock::ClockRule, Clock(clock::ClockEvidence);
    "kms-rpc" => kms_rpc::KmsRpcRule, KmsRpc(kms_rpc::KmsRpcEvidence);
    "icmp" => icmp::IcmpRule, Icmp(icmp::IcmpEvidence);
    "kms-activation" => kms_activation::KmsActivationRule, KmsActivation(kms_activation::KmsActivationEvidence);
}

#[cfg(test)]
mod net_text_tests;

/// Test helpers: a message in English, as the catalog renders it.
#[cfg(test)]
pub(crate) mod testing {
    pub fn en(m: &kms_preflight_engine::Message) -> String {
        kms_preflight_catalog::Catalog::get(kms_preflight_catalog::Lang::En).text(m)
    }
}
