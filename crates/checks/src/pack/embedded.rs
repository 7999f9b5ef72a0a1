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

/// The opt-in activation probe (`rules/activation.yaml`): compiled in, but loaded only by
/// `check --activation-probe`. Never part of [`FILES`] or a profile, so a run without the flag
/// has no check that sends an activation request.
pub const ACTIVATION: (&str, &str) = (
    "activation.yaml",
    include_str!("../../../../rules/activation.yaml"),
);

/// The name the activation rule file is loaded under.
pub const ACTIVATION_NAME: &str = "<built-in>/rules/activation.yaml";

fn source((name, text): (&str, &str)) -> RuleSource {
    RuleSource {
        name: format!("<built-in>/rules/{name}"),
        text: text.to_string(),
        builtin: true,
    }
}

pub fn sources() -> Vec<RuleSource> {
    FILES.iter().copied().map(source).collect()
}

/// The activation rule file, for `--activation-probe` (and for `explain`, which only lists it).
pub fn activation_source() -> RuleSource {
    source(ACTIVATION)
}
