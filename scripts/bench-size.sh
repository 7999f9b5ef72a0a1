#!/usr/bin/env bash
# Size of the release binary and its start-up time (`kms-preflight rules list`: parse the
# CLI, load the embedded rule pack, print it), for two release profiles built from the same
# source:
#   before: the profile before issue 21 (cargo's release defaults with debug = false: no LTO
#           across crates, 16 codegen units, debug info stripped but symbols kept);
#   after:  Cargo.toml's [profile.release] (lto = "fat", codegen-units = 1, strip = true).
# Usage: scripts/bench-size.sh      (hyperfine is installed from Debian when missing, as root)
# The release-profile figures (docs/development.md) come from this script; it prints the date and machine to quote with them.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

if ! command -v hyperfine >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bench-size.sh: hyperfine missing: sudo apt-get install hyperfine" >&2
    exit 2
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends hyperfine
fi

# Its own target directory: the overridden profile must not invalidate the normal release build.
before_dir="$repo/target/bench-size/before"
start=$(date +%s)
CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
  CARGO_PROFILE_RELEASE_STRIP=debuginfo CARGO_TARGET_DIR="$before_dir" \
  cargo build --release --locked --bin kms-preflight
before_build=$(( $(date +%s) - start ))
start=$(date +%s)
cargo build --release --locked --bin kms-preflight
after_build=$(( $(date +%s) - start ))
before="$before_dir/release/kms-preflight"
after="${CARGO_TARGET_DIR:-$repo/target}/release/kms-preflight"

# Both must really run the command being timed.
"$before" rules list >/dev/null
"$after" rules list >/dev/null

# Two rounds in opposite orders: on a shared machine the load drifts, and a drift would
# otherwise always favour the command timed first.
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
hyperfine -N --warmup 20 --runs 300 --export-json "$dir/1.json" \
  -n before "$before rules list" -n after "$after rules list" >&2
hyperfine -N --warmup 20 --runs 300 --export-json "$dir/2.json" \
  -n after "$after rules list" -n before "$before rules list" >&2
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

size_before=$(du -b "$before" | cut -f1)
size_after=$(du -b "$after" | cut -f1)
echo "== scripts/bench-size.sh, $(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(rustc --version)"
echo "load average (1, 5, 15 min): $load_before at the start, $load_after at the end"
echo "build wall time (incremental, as found): before ${before_build}s, after ${after_build}s"
python3 - "$size_before" "$size_after" "$dir/1.json" "$dir/2.json" <<'PY'
import json, sys
sb, sa = int(sys.argv[1]), int(sys.argv[2])
print(f"binary size (du -b): before {sb} B ({sb / 2**20:.1f} MiB), after {sa} B ({sa / 2**20:.1f} MiB), {100 * (sa - sb) / sb:+.0f} %")
for n, path in enumerate(sys.argv[3:], 1):
    runs = {r["command"]: r for r in json.load(open(path))["results"]}
    for name in ("before", "after"):
        r = runs[name]
        print(f"round {n}, start-up of rules list ({len(r['times'])} runs): {name:6} wall mean {r['mean'] * 1e3:.2f} ms "
              f"± {r['stddev'] * 1e3:.2f}, median {r['median'] * 1e3:.2f}, min {r['min'] * 1e3:.2f}; "
              f"CPU user {r['user'] * 1e3:.2f} ms + system {r['system'] * 1e3:.2f} ms")
    b, a = runs["before"], runs["after"]
    print(f"round {n}, after / before: wall median {a['median'] / b['median']:.2f}, min {a['min'] / b['min']:.2f}, "
          f"CPU (user + system) {(a['user'] + a['system']) / (b['user'] + b['system']):.2f}")
PY
