# Messages of the message crate and the engine. Fluent syntax: https://projectfluent.org/fluent/guide/
# Arguments: numbers stay numbers (NUMBER($x, maximumFractionDigits: 2) rounds them), lists are joined
# with ", " unless LIST($x, sep: "; ") says otherwise, DURATION($ms) writes milliseconds as 1m 30s.

## Verbatim text: a sentence recorded without an id, text the user wrote, a sentence not yet in the catalog.
recorded = { $text }
user-text = { $text }

## Engine
engine-param-unfilled = cannot fill in { $template }: { $error }
engine-port-not-a-number = port { $template } is { $value }, not a TCP port number (1-65535)
engine-budget-exceeded = check did not finish within its budget of { DURATION($budget_ms) } (timeout { DURATION($timeout_ms) } per operation); stopped
engine-flaky = flaky: passed on attempt { $attempt } of { $max_attempts } after { $failed } failed attempt(s) ({ $first }); now: { $now }
engine-flaky-fix = The path fails intermittently; clients will too. { $fix }
engine-flaky-fix-generic = The path fails intermittently; clients will too. Look for packet loss, an overloaded host, or a firewall or load balancer that drops some connections.
engine-unfinished-at-deadline = not finished before the run deadline ({ DURATION($deadline_ms) }); raise --deadline or lower timeouts
engine-stopped-unexpectedly = internal error: the check stopped unexpectedly
engine-no-result = internal error: the check produced no result
engine-no-result-short = no result
engine-prerequisite-failed = skipped: prerequisite '{ $prerequisite }' did not pass ({ LIST($reasons, sep: "; ") })
engine-prerequisite-not-run = skipped: prerequisite '{ $prerequisite }' did not pass (it did not run)
engine-prerequisite-reason = { $status }: { $message }
