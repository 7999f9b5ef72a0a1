# The status page of `serve` (crates/report/src/html.rs). Check ids, hosts and commands stay as they are.

page-not-checked = not checked
# A status shown as a word (the CSS class keeps the token).
page-status = { $status }
page-no-audit-yet = NO AUDIT YET
page-audit-finished = Report of the audit that finished at <time>{ $time }</time>.
page-audit-running = No audit has finished yet: the first one is running.
page-audit-failed = The last audit failed after { NUMBER($seconds, minimumFractionDigits: 1, maximumFractionDigits: 1) } s; this page shows the previous report.
page-verdict-line = <strong>Verdict: { $verdict }</strong> &mdash; { $total } results: { $pass } pass, { $warn } warn, { $fail } fail, { $skip } skip, { $error } error.
page-none = (none)
page-domains-line = Domains: { $domains } &mdash; DNS servers: { $dns }
page-sources = &mdash; sources: { $sources }
page-hosts = Hosts
page-no-host = No KMS host was found or given.
page-col-host = Host
page-col-verdict = Verdict
page-col-addresses = Addresses
page-col-problems = Problems
page-col-found-through = Found through
page-domains = Domains
page-col-domain = Domain
page-problems = Problems and fixes
page-no-problems = None.
page-for = for { $target }
page-at = at { $address }
page-from = from { $source }
page-error-codes = Error codes: { $codes }
page-fix = Fix:
page-footer-profile-default = default
page-footer = kms-preflight { $version } &mdash; schema { $schema } &mdash; profile { $profile }
