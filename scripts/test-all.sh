#!/usr/bin/env bash
# Runs the whole test suite, lab included, after installing what it needs.
# The lab (network namespaces, nftables, BIND, chrony, Samba, Prometheus, curl, wrk, nmap, Chromium and
# python3 http.server under libfaketime) needs root.
# Usage: sudo scripts/test-all.sh        (CI runs exactly this through .ci/run)
set -euo pipefail
cd "$(dirname "$0")/.."
here=$(pwd)

if [ "$(id -u)" -ne 0 ]; then
  echo "scripts/test-all.sh: run as root: the lab tests create network namespaces and nftables rules" >&2
  exit 2
fi

# Debian packages the lab uses. Installed only when missing, so a second run is offline.
# The .deb install test (tests/package_deb.rs) adds dpkg-dev (cargo-deb's dpkg-shlibdeps),
# lintian, debootstrap, man-db and systemd (systemd-analyze).
PKGS="bind9 bind9-dnsutils chrony samba faketime nftables iproute2 procps python3 prometheus nmap wrk chromium curl dpkg-dev lintian debootstrap man-db systemd"
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

# Nothing the build or the tests read may live outside the repository.
if git grep -n '\.\./shared' -- ':!*.md' ':!scripts/test-all.sh' >/dev/null 2>&1; then
  echo "scripts/test-all.sh: tracked files refer to ../shared:" >&2
  git grep -n '\.\./shared' -- ':!*.md' ':!scripts/test-all.sh' >&2
  exit 1
fi

cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings

log=$(mktemp)
copylog=$(mktemp)
copy=$(mktemp -d)
trap 'rm -rf "$log" "$copylog" "$copy"' EXIT
status=0
set +e
# Lab tests are #[ignore]d (a plain `cargo test` as a user shows them as ignored); here they run.
# `cargo test` builds the examples too (the lab's test responder lives in examples/).
cargo test --workspace --locked --no-fail-fast -- --include-ignored 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# The same suite without the lab, from a copy of the tracked files with nothing beside it, so
# a test that reads outside the repository (../shared) fails here.
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$copy"
echo "== unit and CLI tests from a bare copy of the checkout in $copy"
(cd "$copy" && CARGO_TARGET_DIR="$here/target" cargo test --workspace --locked --no-fail-fast) 2>&1 | tee "$copylog"
copy_status=${PIPESTATUS[0]}
set -e
[ "$copy_status" -eq 0 ] || status=$copy_status
# Closing lines (cargo prints one per test binary): the bare copy (lab tests ignored there, they ran
# above), then the whole suite, lab included.
count='/^test result:/ { p += $4; f += $6; i += $8 } END { printf "%s: %d passed, %d failed, %d skipped\n", name, p, f, i }'
awk -v name=copy "$count" "$copylog"
awk -v name=suite "$count" "$log"
exit "$status"
