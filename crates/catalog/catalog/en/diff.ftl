# diff BEFORE.json AFTER.json (crates/report/src/diff.rs): what a change fixed and what it broke.

## Report files that cannot be compared
diff-cannot-read = { $file }: cannot read: { $error }
diff-not-json = { $file }: not a JSON document: { $error }
diff-not-a-report = { $file }: not a kms-preflight report (no "schema": "{ $schema }"); write one with `kms-preflight check --format json > { $file }`
diff-other-schema = { $file }: report schema { $schema } is not supported; this kms-preflight reads { $supported }
# $status is quoted already ("great").
diff-unknown-status = { $file }: result { $id } has unknown status { $status }
diff-malformed = { $file }: { $error }

## A result and its side
diff-key-general = general
diff-key-from = { $key } from { $source }
diff-no-result = (none)
diff-no-profile = default

## Text
diff-text-heading = kms-preflight diff: { $before } ({ $before_started }) → { $after } ({ $after_started })
diff-profiles-differ = note: the runs used different profiles ({ $before } → { $after }); results that only one profile checks show up as new or removed
diff-text-regressed = REGRESSED
diff-text-fixed = FIXED
diff-text-changed = CHANGED
diff-text-new = NEW
diff-text-removed = REMOVED
diff-text-hosts = HOSTS
diff-text-evidence = EVIDENCE
diff-text-summary = { $regressed } regressed, { $fixed } fixed, { $changed } changed, { $new } new, { $removed } removed, { $hosts_added } host(s) added, { $hosts_removed } removed, { $evidence } evidence change(s) — { $outcome }
diff-text-no-regression = no regression

## Markdown
diff-md-title = KMS pre-flight: before/after
diff-md-no-regression = No regression
diff-md-regressed = REGRESSED
diff-md-counts = { $regressed } regressed, { $fixed } fixed, { $changed } changed; hosts +{ $hosts_added } −{ $hosts_removed }
diff-md-before = Before
diff-md-after = After
diff-md-report = Report
diff-md-started = Started
diff-md-result = Result
diff-md-now = Now
diff-md-regressions = Regressions
diff-md-fixes = Fixes
diff-md-changed = Changed
diff-md-new = New results
diff-md-removed = Removed results
diff-md-hosts = Hosts
diff-md-host-added = added `{ $host }`
diff-md-host-removed = removed `{ $host }`
diff-md-evidence = Evidence
diff-md-field = Field
diff-md-change = Change
