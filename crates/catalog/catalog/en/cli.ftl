# What the binary prints itself (crates/report/src/cli.rs): serve's /healthz body, the site
# configuration (--config), --fail-on.

## serve: GET /healthz (plain text, one line)
cli-health-ok = ok: last successful audit finished { NUMBER($age_s, minimumFractionDigits: 1, maximumFractionDigits: 1) } s ago
cli-health-stale = unhealthy: last successful audit finished { NUMBER($age_s, minimumFractionDigits: 1, maximumFractionDigits: 1) } s ago, more than 2 x interval ({ NUMBER($limit_s, maximumFractionDigits: 1) } s)
cli-health-none = unhealthy: no audit has succeeded yet

## rules validate
cli-rules-valid = ok: { $checks } check(s) in { $files } file(s) are valid ({ $profiles } of the files are profiles)

## serve
cli-serve-activation-flag = serve: --activation-probe would send a REAL activation request to every KMS host in every audit, every --interval; to do that, give --activation-probe-every-interval instead (its cost is in docs/activation.md)

## man
cli-man-unknown = man: no command '{ $name }' (pages: { $pages })

## --config FILE (the site configuration)
cli-config-unreadable = { $file }: cannot read: { $error }
cli-config-value = { $file }:{ $line }:{ $column }: { $key }: { $error }
