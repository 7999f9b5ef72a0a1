# The source × target matrix of the table report (crates/report/src/matrix.rs).

matrix-heading = source × target (worst per-source result; via = egress interface)
matrix-target = TARGET
matrix-from = from { $source }
# A status in a matrix cell.
matrix-status = { $status ->
        [pass] PASS
        [warn] WARN
        [fail] FAIL
        [skip] SKIP
       *[error] ERROR
    }
matrix-via = via { $via }
