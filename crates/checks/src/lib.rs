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
        #[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
        #[serde(untagged)]
        pub enum Evidence {
            $( $( $variant($ev), )? )*
            /// A check that was asked for but not run (`pack::unavailable`).
            Unavailable(pack::UnavailableEvidence),
            /// Transitional: a kind that still writes its evidence key by key.
            Legacy(LegacyEvidence),
        }

        $( $(
            impl From<$ev> for Evidence {
                fn from(e: $ev) -> Evidence {
                    Evidence::$variant(e)
                }
            }
        )? )*

        /// Evidence of `kind` as a report recorded it.
        fn recorded_evidence(kind: &str, value: serde_json::Value) -> Result<Evidence, String> {
            match kind {
                $( $( $name => serde_json::from_value::<$ev>(value)
                    .map(Evidence::$variant)
                    .map_err(|e| format!("{} evidence: {e}", $name)), )? )*
                pack::UNAVAILABLE_KIND => serde_json::from_value(value)
                    .map(Evidence::Unavailable)
                    .map_err(|e| format!("{} evidence: {e}", pack::UNAVAILABLE_KIND)),
                _ => legacy_evidence(value),
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
            [$( $module::MESSAGES, )* common::MESSAGES, sweep::MESSAGES, pack::MESSAGES].concat()
        }
    };
}

// One line per kind: its name, its YAML struct, and (once it has one) its evidence type.
register_kinds! {
    "srv" => srv::SrvRule;
    "resolve" => resolve::ResolveRule;
    "tcp" => tcp::TcpRule;
    "srv-discovery" => srv_discovery::SrvDiscoveryRule;
    "srv-agreement" => srv_agreement::SrvAgreementRule;
    "srv-weights" => srv_weights::SrvWeightsRule;
    "srv-inventory" => srv_inventory::SrvInventoryRule;
    "srv-stale" => srv_stale::SrvStaleRule;
    "ptr" => ptr::PtrRule;
    "srv-membership" => srv_membership::SrvMembershipRule;
    "retired-host" => retired_host::RetiredHostRule;
    "route" => route::RouteRule;
    "proxy" => proxy::ProxyRule;
    "interception" => interception::InterceptionRule;
    "split-dns" => split_dns::SplitDnsRule;
    "clock" => clock::ClockRule;
    "kms-rpc" => kms_rpc::KmsRpcRule;
    "icmp" => icmp::IcmpRule;
    "kms-activation" => kms_activation::KmsActivationRule;
}

/// Test helpers: a message in English, as the catalog renders it.
#[cfg(test)]
pub(crate) mod testing {
    pub fn en(m: &kms_preflight_engine::Message) -> String {
        kms_preflight_catalog::Catalog::get(kms_preflight_catalog::Lang::En).text(m)
    }
}
