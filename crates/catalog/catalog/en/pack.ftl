# The rule set a command asks for (crates/checks/src/pack): option errors and the results of
# checks that were asked for but not run.

## Options that do not go together
pack-unknown-profile = unknown profile '{ $profile }'
pack-profile-needs = --profile { $profile } needs --{ $need } NAME ({ $summary })
pack-old-host-unused = --old-host is used by --profile post-change, not by --profile { $profile }
pack-no-builtin-with-profile = --no-builtin cannot be combined with --profile { $profile }: the profile is built in
pack-no-rules = no rules: --no-builtin was given without --rules

## A check asked for but not run (kind "unavailable")
pack-unavailable-opt-in = not checked: '{ $id }' is opt-in and was not enabled; add { $flag } to ask the KMS host itself (a real activation request: the host counts this machine for 30 days)
pack-unavailable-not-loaded = not checked: no rule with id '{ $id }' is loaded (its check kind is not part of this build, or the rule set leaves it out)
pack-skip-unknown = --skip { $id }: no check of this run has that id (the checks: { $ids })
