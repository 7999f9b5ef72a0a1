#!/usr/bin/env bash
# Benchmarks (root: they build a lab of network namespaces). Numbers go into docs/benchmarks.md and docs/development.md.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --examples
cargo bench --bench lab_concurrency   # dropped host, dead DNS server, 40 vs 3 hosts, 30 % loss (ratios)
cargo bench --bench rpc_latency   # loopback only; numbers in docs/rpc.md
scripts/bench-serve.sh            # serve under wrk load; numbers in docs/development.md
