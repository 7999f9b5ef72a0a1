# JUnit failure messages and details (crates/report/src/junit.rs). Test case names stay identifiers.

junit-status = { $status }
junit-predicts = predicts: { $codes }
junit-fix = fix:
junit-evidence = evidence: { $evidence }
junit-attempt = attempt { $attempt }: { $message }
