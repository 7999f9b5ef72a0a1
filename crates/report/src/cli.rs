//! The sentences the binary prints itself (not part of a report): `serve`'s `/healthz` body,
//! the site configuration's errors, `--fail-on`. Declared here, below the binary, so the
//! catalog tests see them with every other message.

kms_preflight_engine::messages! {
    /// ok: last successful audit finished {age_s} s ago
    health_ok = "cli-health-ok" (age_s);
    /// unhealthy: last successful audit finished {age_s} s ago, more than 2 x interval ({limit_s} s)
    health_stale = "cli-health-stale" (age_s, limit_s);
    /// unhealthy: no audit has succeeded yet
    health_none = "cli-health-none" ();
    /// ok: {checks} check(s) in {files} file(s) are valid ({profiles} of them profiles)
    rules_valid = "cli-rules-valid" (checks, files, profiles);
    /// serve: --activation-probe would send REAL activation requests every --interval; …
    serve_activation_flag = "cli-serve-activation-flag" ();
    /// man: no command '{name}'; pages: {pages}
    man_unknown = "cli-man-unknown" (name, pages);
    /// {file}: cannot read: {error}
    config_unreadable = "cli-config-unreadable" (file, error);
    /// {file}:{line}:{column}: {key}: {error}
    config_value = "cli-config-value" (file, line, column, key, error);
}
