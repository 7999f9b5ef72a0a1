# --format markdown (crates/report/src/markdown.rs): headings, labels and the summary line.
# Check ids, host names, addresses and commands stay as they are.

markdown-title = KMS pre-flight report
# The verdict's answer (its own words), and what the results add to it (shared with the status page).
markdown-verdict-fix = { $answer }, with FAIL/ERROR results to fix
markdown-verdict-warnings = { $answer }, with warnings
markdown-verdict-nothing = { $answer } (nothing was checked)
markdown-client-state = Client state
markdown-verdict-line = **Verdict: { $verdict }** — { $total } results: { $pass } pass, { $warn } warn, { $fail } fail, { $skip } skip, { $error } error
# A status shown as a word (the token stays the token in JSON).
markdown-status = { $status ->
        [pass] PASS
        [warn] WARN
        [fail] FAIL
        [skip] skip
       *[error] ERROR
    }
markdown-none = (none)
markdown-general = general
markdown-run = Run
markdown-run-value = { $started } · { NUMBER($seconds, minimumFractionDigits: 2, maximumFractionDigits: 2) } s · kms-preflight { $version }
markdown-profile = Profile
markdown-domains = Domains
markdown-dns-servers = DNS servers
markdown-sources = Sources
markdown-sources-default = default (OS choice)
markdown-kms-hosts = KMS hosts
markdown-matrix = Matrix
markdown-target = Target
markdown-matrix-count = { $status } ({ $good }/{ $total } pass)
markdown-sources-heading = Sources
markdown-findings = Findings
markdown-no-findings = No failures, errors or warnings.
markdown-from = from { $source }
markdown-predicts = Predicts Windows error code(s): { $codes }
markdown-remediation = Remediation:
markdown-all-results = All results
markdown-col-status = Status
markdown-col-check = Check
markdown-col-target = Target
markdown-col-address = Address
markdown-col-source = Source
markdown-col-message = Message

## The verdict block
markdown-would-activate = Would clients activate? { $answer }
markdown-from-source = From { $source }: { $answer }
markdown-os-choice = (OS choice)
markdown-col-first-off = First try, caching off
markdown-col-first-on = First try, caching on
markdown-col-host = Host
markdown-col-priority = Priority
markdown-col-weight = Weight
markdown-col-attempt = An attempt there
markdown-fixes = Fixes, by clients unblocked
