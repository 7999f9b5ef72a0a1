# The table (report/src/table.rs, concise.rs): header, status words, the summary line, the concise listing and
# its Fixes section. Words a colour is put on arrive as arguments ($program, $word).

table-header = { $program } { $version } — domains: { $domains } — DNS: { $dns }
table-header-sources = { $program } { $version } — domains: { $domains } — DNS: { $dns } — sources: { $sources }
table-none = (none)
table-general = general
table-from = from { $source }
table-predicts = predicts:
table-fix = fix:

## Status words (padded to one width per language)
table-status-pass = PASS
table-status-warn = WARN
table-status-fail = FAIL
table-status-skip = SKIP
table-status-error = ERROR

## The summary line: the verdict's answer ($word, its own words), then what the results add
table-summary = { $total } results: { $pass } pass, { $warn } warn, { $fail } fail, { $skip } skip, { $error } error in { NUMBER($seconds, minimumFractionDigits: 2, maximumFractionDigits: 2) } s — { $word }
table-readiness-cannot-activate = { $word } (see the verdict)
table-readiness-client = { $word } — { $what }
table-readiness-cannot-activate-code = { $word } — clients log { $code }
table-readiness-fix-results = { $word } — fix the FAIL/ERROR results above
table-readiness-risk = { $word } (see the verdict)
table-readiness-warnings = { $word } — with warnings
table-readiness-nothing = { $word } — nothing was checked

## The concise listing
table-not-passed = Not passed
table-hosts = { $count } hosts ({ $hosts })
table-results-hosts = { $count } results, { $hosts_count } hosts ({ $hosts })
table-checks = { $count } checks
table-skipped = skipped: { $roots } did not pass ({ $ids })
table-a-prerequisite = a prerequisite
table-passed = { $count } passed: { LIST($targets, sep: "; ") }
table-pass-target = { $target } { $count }
table-pass-targets = { $count } targets ({ $names }) { $passes } each
table-fixes = Fixes
table-fixes-hint = (full commands: --verbose, or --format markdown)
table-fix-rank = fix { $rank }
table-fix-also = also
table-fix-lines = ({ $shown } of { $total } lines)
