//! The built-in rule pack, compiled into the binary from `rules/` at the repository root.

use kms_preflight_engine::rules::RuleSource;

/// (file name, text) of every built-in rule file, in load order.
pub const FILES: &[(&str, &str)] = &[
    (
        "default.yaml",
        include_str!("../../../../rules/default.yaml"),
    ),
    ("clock.yaml", include_str!("../../../../rules/clock.yaml")),
];

pub fn sources() -> Vec<RuleSource> {
    FILES
        .iter()
        .map(|(name, text)| RuleSource {
            name: format!("<built-in>/rules/{name}"),
            text: text.to_string(),
            builtin: true,
        })
        .collect()
}
