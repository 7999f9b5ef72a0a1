#!/usr/bin/env bash
# Runs the whole test suite, lab included, after installing what it needs.
# The lab (network namespaces, nftables, BIND, chrony, Samba and python3 http.server under
# libfaketime) needs root.
# Usage: sudo scripts/test-all.sh        (CI runs exactly this through .ci/run)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "scripts/test-all.sh: run as root: the lab tests create network namespaces and nftables rules" >&2
  exit 2
fi

# Debian packages the lab uses. Installed only when missing, so a second run is offline.
PKGS="bind9 bind9-dnsutils chrony samba faketime nftables iproute2 procps python3 prometheus"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "installing:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # policy-rc.d 101: do not start the packages' system daemons; the lab starts its own
  # instances inside namespaces, and a system named/chronyd/smbd would only get in the way.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  apt-get install -y -qq --no-install-recommends $missing
  rm -f /usr/sbin/policy-rc.d
fi

cargo fmt --check
cargo clippy --all-targets --locked -- -D warnings
# `cargo test` builds the examples too (the lab's test responder lives in examples/).
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
cargo test --locked 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line for the whole suite (cargo prints one per test binary, the last being doc tests).
awk '/^test result:/ { p += $4; f += $6; i += $8 } END { printf "suite: %d passed, %d failed, %d skipped\n", p, f, i }' "$log"
exit "$status"
