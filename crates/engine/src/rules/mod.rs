//! The rule model: YAML files of checks, loaded with exact `file:line:column` errors.
//!
//! Loading is two passes over the same text. The first pass only peeks at each check's
//! `kind`; the second deserializes every check into the flat struct its kind declares
//! (common keys + kind keys, `deny_unknown_fields`). Flat structs matter: serde's tagged
//! enums and `flatten` buffer the input and lose the parser's positions, so an unknown key
//! would be reported at the start of the check instead of at the key itself.

mod duration;
mod error;
mod load;
mod macros;
mod model;
mod parsed;
mod scope;
pub mod template;
mod validate;

pub use duration::{parse_duration, reason as duration_reason, DEFAULT_RETRY_DELAY, MAX_RETRIES};
pub use error::{yaml_error, RuleError, RuleErrors, MESSAGES};
/// The loader's messages, to build errors that read like the loader's (`rules validate`).
pub mod messages {
    pub use super::error::{cannot_list, cannot_read, dir_empty};
}
pub use load::{load, load_behind, parse, KindRegistry, ParsedCheck, ParsedSources};
pub use model::{CheckRule, LoadOptions, RawCommon, RuleSet, RuleSource, Severity, RUNTIME_VARS};
pub use parsed::Scalar;
pub use scope::{Over, Scope};
pub use template::Vars;
