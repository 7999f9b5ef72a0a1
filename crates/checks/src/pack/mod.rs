//! The built-in rule pack (`rules/*.yaml`, compiled in) and the profiles, and [`load`]: the
//! engine's loader with every kind of this build.

pub mod embedded;
pub mod profiles;

#[cfg(test)]
mod loader_tests;

use crate::RuleSet;
use kms_preflight_engine::rules::{self, LoadOptions, RuleErrors, RuleSource};

use crate::Kinds;

/// Loads and validates rule files with every registered kind.
pub fn load(sources: &[RuleSource], opts: &LoadOptions) -> Result<RuleSet, RuleErrors> {
    rules::load(sources, opts, &Kinds)
}
