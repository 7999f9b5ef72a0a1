# diagnose CODE (crates/report/src/diagnose.rs): a run's results read in the terms of one error code.

## One result: its status, the check (id, target, address), the source and the message
diagnose-result = { $status ->
        [pass] PASS
        [warn] WARN
        [fail] FAIL
        [skip] SKIP
       *[error] ERROR
    } { $check }: { $message }
diagnose-result-from = { $status ->
        [pass] PASS
        [warn] WARN
        [fail] FAIL
        [skip] SKIP
       *[error] ERROR
    } { $check } from { $source }: { $message }

## The verdict (JSON keeps the tokens: explained, other-problems, …)
diagnose-verdict = { $verdict ->
        [explained] EXPLAINED
        [other-problems] OTHER-PROBLEMS
        [undecided] UNDECIDED
        [not-reproduced] NOT-REPRODUCED
       *[not-network] NOT-NETWORK
    }
diagnose-summary-not-network = { $code } is decided on the client or by licensing, not by the network; see `kms-preflight explain { $code }`
diagnose-summary-explained = { $count } result(s) from this machine explain { $code } ({ $title })
diagnose-summary-other-problems = problems found, but none of them predicts { $code } directly
diagnose-summary-undecided = { $code } could not be decided from here: { $errors } check result(s) ended in an error
diagnose-summary-undecided-none-passed = { $code } could not be decided from here: { $errors } check result(s) ended in an error and none passed
diagnose-summary-not-reproduced = every deciding check that ran passed from this machine{ $caveats }: the cause of { $code } is not on the network path seen from here{ $asked }
diagnose-caveats = {" "}({ $items })
diagnose-caveat-skipped = { $n } skipped
diagnose-caveat-not-available = { $n } not available
diagnose-caveat-opt-in = { $n } opt-in not enabled
diagnose-probed = ; the KMS host itself would activate ({ $probes }), so a count below the threshold, an uncovered product and the host's time check are ruled out for those products
diagnose-probe = { $target } { $product }: count { $count } of { $threshold }

## Text
diagnose-text-heading = Diagnosis of { $code } ({ $title }):
diagnose-text-explained-by = explained by
diagnose-text-other-problems = other problems
diagnose-text-not-concluded = not concluded (skipped or error)
diagnose-text-unavailable = not available in this build (those causes were NOT checked): { $checks }
diagnose-text-opt-in = not enabled (opt-in; those causes were NOT checked): { $checks }
diagnose-text-opt-in-note = the activation probe asks the KMS host itself; it is a real activation request that adds this machine to the host's count for 30 days
diagnose-text-causes-remain = causes that remain
diagnose-text-fix = fix commands: kms-preflight explain { $code }

## Markdown
diagnose-md-heading = Diagnosis of `{ $code }` — { $title }
diagnose-md-explained-by = Explained by
diagnose-md-other-problems = Other problems
diagnose-md-not-concluded = Not concluded (skipped or error)
diagnose-md-unavailable = Not available in this build (those causes were **not** checked): { $checks }
diagnose-md-opt-in = Not enabled (opt-in; those causes were **not** checked): { $checks }
diagnose-md-causes-remain = Causes that remain
diagnose-md-fix = Fix commands: `kms-preflight explain { $code }`
