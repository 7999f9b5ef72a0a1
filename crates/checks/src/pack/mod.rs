//! The built-in rule pack (`rules/*.yaml`, compiled in) and the profiles, [`load`]: the
//! engine's loader with every kind of this build, and [`assemble`]: the rule set a command
//! asks for (pack, profile, user files, `--only`).

mod assembly;
pub mod embedded;
pub mod profiles;
pub mod validate;

#[cfg(test)]
mod loader_tests;

pub use assembly::{
    assemble, default_port, finish, unavailable, Assembled, Assembly, AssemblyError, NamedHost,
    Unavailable, UnavailableEvidence, UNAVAILABLE_KIND,
};

use crate::RuleSet;
use kms_preflight_engine::rules::{self, LoadOptions, RuleErrors, RuleSource};

use crate::Kinds;

kms_preflight_engine::messages! {
    /// unknown profile '{profile}'
    unknown_profile = "pack-unknown-profile" (profile);
    /// --profile {profile} needs --{need} NAME ({summary})
    profile_needs = "pack-profile-needs" (profile, need, summary);
    /// --old-host is used by --profile post-change, not by --profile {profile}
    old_host_unused = "pack-old-host-unused" (profile);
    /// --no-builtin cannot be combined with --profile {profile}: the profile is built in
    no_builtin_with_profile = "pack-no-builtin-with-profile" (profile);
    /// no rules: --no-builtin was given without --rules
    no_rules = "pack-no-rules" ();
    /// not checked: '{id}' is opt-in and was not enabled; add {flag} to ask the KMS host itself (…)
    unavailable_opt_in = "pack-unavailable-opt-in" (id, flag);
    /// not checked: no rule with id '{id}' is loaded (…)
    unavailable_not_loaded = "pack-unavailable-not-loaded" (id);
    /// --skip {id}: no check of this run has that id (the checks: {ids})
    skip_unknown = "pack-skip-unknown" (id, ids);
    /// rules validate: directories nested more than {max} deep
    nested_too_deep = "pack-nested-too-deep" (max);
    /// rules validate: profile.needs: unknown option '{need}', expected new-host or old-host
    profile_need_unknown = "pack-profile-need-unknown" (need);
}

/// Rule files parsed with every registered kind (the built-in ones, parsed once).
pub type Parsed = rules::ParsedSources<crate::Kms>;

/// Loads and validates rule files with every registered kind.
pub fn load(sources: &[RuleSource], opts: &LoadOptions) -> Result<RuleSet, RuleErrors> {
    rules::load(sources, opts, &Kinds)
}

/// Parses rule files with every registered kind, for [`load_behind`].
pub fn parse(sources: &[RuleSource]) -> Result<Parsed, RuleErrors> {
    rules::parse(sources, &Kinds)
}

/// [`load`] of `front`'s files followed by `sources`: how commands load the user's files behind
/// the built-in ones ([`assemble`], `rules validate`), and the fuzz targets too, which parse
/// the built-in files once.
pub fn load_behind(
    front: &Parsed,
    sources: &[RuleSource],
    opts: &LoadOptions,
) -> Result<RuleSet, RuleErrors> {
    rules::load_behind(front, sources, opts, &Kinds)
}
