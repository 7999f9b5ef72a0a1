# Bad rule files (crates/engine/src/rules, crates/checks/src/common/validation.rs,
# crates/checks/src/pack/validate.rs). Printed after "file:line:column: ".

## The file
rules-empty-file = empty rule file: expected 'version: 1' and 'checks:'
rules-unsupported-version = unsupported rules version { $version }; this kms-preflight reads version 1
rules-missing-version = missing 'version: 1' at the top of the rule file
rules-cannot-read = cannot read: { $error }
rules-cannot-list = cannot list: { $error }
rules-dir-empty = directory holds no .yaml or .yml rule files

## YAML (the parser's words kept where it gives them)
rules-yaml-unknown-field = unknown field `{ $field }`, expected one of { LIST($expected, sep: ", ") }
rules-yaml-missing-field = missing field `{ $field }`
rules-yaml-invalid-type = invalid type: { $unexpected }, expected { $expected }
rules-yaml-invalid-value = invalid value: { $unexpected }, expected { $expected }
rules-yaml-unknown-variant = unknown variant `{ $variant }`, expected one of { LIST($expected, sep: ", ") }
rules-yaml-duplicate-key = duplicate mapping key: { $key }, set DuplicateKeyPolicy in Options if acceptable
rules-yaml-invalid-scalar = invalid { $ty }
rules-yaml-eof = unexpected end of input
rules-yaml-other = { $detail }

## Variables
rules-bad-var-name = variable name '{ $name }' may only hold letters, digits, '_' and '-'
rules-runtime-var = variable '{ $name }' is set by kms-preflight for each job and cannot be defined in a rule file
rules-malformed-placeholder = malformed placeholder in { $text }
rules-undefined-var = undefined variable '{ "{{" }{ $name }{ "}}" }'; defined: { LIST($defined, sep: ", ") }

## A check's common keys
rules-no-kind = check has no 'kind'; expected one of: { LIST($kinds, sep: ", ") }
rules-unknown-kind = unknown check kind '{ $kind }', expected one of: { LIST($kinds, sep: ", ") }
rules-duplicate-id-in-file = duplicate check id '{ $id }' (first defined at line { $line })
rules-duplicate-id = duplicate check id '{ $id }' (already defined at { $file }:{ $line })
rules-bad-id = check id must be a non-empty word without spaces
rules-unknown-scope = unknown scope '{ $scope }', expected one of: { LIST($scopes, sep: ", ") }
rules-unknown-severity = unknown severity '{ $severity }', expected 'fail' or 'warn'
rules-too-many-retries = retries { $retries } is too many; at most { $max }
rules-retry-delay-too-long = retry_delay '{ $value }' is longer than 60s
rules-not-an-error-code = '{ $code }' is not an error code; write it as 0x followed by 8 hex digits, e.g. 0xC004F074
rules-requires-unknown = requires unknown check id '{ $id }'
rules-requires-itself = a check cannot require itself
rules-scope-order = check '{ $id }' (scope { $scope }) cannot require '{ $dep }' (scope { $dep_scope }): a check can only require checks of the same or a wider scope
rules-cycle = requires form a cycle: { LIST($cycle, sep: " -> ") }

## Durations (rule files and the command line)
rules-duration-invalid = invalid duration '{ $value }': { $detail } (write e.g. 500ms, 3s, 1m)
rules-duration-bad-char = invalid character at { $offset }
rules-duration-number-expected = expected number at { $offset }
rules-duration-unit-needed = time unit needed, for example { $value }sec or { $value }ms
rules-duration-unknown-unit = unknown time unit { $unit }, supported units: ns, us/µs, ms, sec, min, hours, days, weeks, months, years (and few variations)
rules-duration-overflow = number is too large or cannot be represented without a lack of precision (values below 1ns are not supported)
rules-duration-empty = value was empty
rules-duration-zero = invalid duration '{ $value }': must be greater than zero
rules-duration-too-long = invalid duration '{ $value }': more than 24 hours

## Kinds' own keys (Check::validate)
engine-port-invalid = port '{ $value }' is not a { $proto } port number (1-65535)
engine-choice-invalid = { $key } '{ $value }' must be { LIST($allowed, sep: " or ") }
validate-clock-methods-empty = 'methods' is empty; list one or more of: { LIST($methods, sep: ", ") }
validate-clock-method-unknown = unknown clock method '{ $method }', expected one of: { LIST($methods, sep: ", ") }
validate-clock-method-twice = clock method '{ $method }' is listed twice
validate-clock-samples = samples must be 1 to { $max }, not { $samples }
validate-clock-warn-above-fail = warn_above ({ DURATION($warn_ms) }) is larger than fail_above ({ DURATION($fail_ms) }); a warning must come before a failure
validate-icmp-count = count { $count } must be between 1 and { $max }
validate-icmp-interval = interval: { $error }
validate-interception-samples = samples { $samples } is not between 1 and 10
validate-route-via = via '{ $via }' is not one of: direct, vpn, any
validate-tcp-hold-invalid = hold '{ $value }': { $detail } (write e.g. 200ms, or 0 for off)
validate-tcp-hold-too-long = hold '{ $value }' is more than 10s
validate-srv-membership-needs-list = srv-membership needs 'present' or 'absent' (a list of host names)

## rules validate
pack-nested-too-deep = directories nested more than { $max } deep
pack-profile-need-unknown = profile.needs: unknown option '{ $need }', expected new-host or old-host
