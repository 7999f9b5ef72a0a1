#!/usr/bin/env bash
# Benchmark (not a timed test): `kms-preflight sweep` against `nmap -sT -Pn -n -p1688` on the
# same ranges in one run. Prints wall time (median of RUNS), the ratio sweep/nmap and peak
# RSS. Goal: ratio <= 1.5 while the sweep also verifies every open port by the RPC bind, and
# peak RSS <= 30 MiB.
#
#   1. CPU-bound: 4,096 loopback addresses 127.20.0.0/20 (the kernel answers RST at once),
#      four KMS-like listeners (examples/lab-responder --mode kms) on some of them.
#   2. Timeout-bound (root): a /24 on a veth link between two network namespaces made here;
#      four addresses exist (KMS-like listeners) plus the two ends of the link, the rest does
#      not (no ARP answer). Neighbour caches are flushed before every run.
#
# Traffic goes only to loopback and to the namespaces this script creates (and deletes).
# Usage: scripts/bench-sweep.sh            (RUNS=5 by default; as root for case 2)
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
# The sweep's settings in both cases (the default --rate of 200/s is for production LANs;
# nmap is not rate-limited either). Every open port still gets the RPC bind.
SWEEP_OPTS=(--no-dns --rate 100000 --concurrency 1024 --timeout 1s --format json)

command -v nmap >/dev/null || { echo "bench-sweep: nmap is needed (apt-get install nmap)" >&2; exit 2; }
if [ ! -x /usr/bin/time ]; then
  if [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends time >/dev/null
  else
    echo "bench-sweep: /usr/bin/time is needed (apt-get install time)" >&2; exit 2
  fi
fi

cargo build --release --locked --bin kms-preflight --example lab-responder
BIN=$PWD/target/release/kms-preflight
RESP=$PWD/target/release/examples/lab-responder
tmp=$(mktemp -d)
pids=()
NS_C=kpbench-c NS_S=kpbench-s
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  ip netns del "$NS_C" 2>/dev/null || true
  ip netns del "$NS_S" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

start_responder() { # [netns] listen...
  local prefix=()
  if [ "$1" != "-" ]; then prefix=(ip netns exec "$1"); fi
  shift
  local args=()
  for l in "$@"; do args+=(--listen "$l"); done
  "${prefix[@]}" "$RESP" --mode kms "${args[@]}" >"$tmp/ready.$$" 2>/dev/null &
  pids+=($!)
  for _ in $(seq 100); do grep -q ready "$tmp/ready.$$" 2>/dev/null && return; sleep 0.05; done
  echo "bench-sweep: lab-responder did not start" >&2; exit 1
}

# One timed run: prints "wall_seconds max_rss_kb".
timed() {
  /usr/bin/time -f "%e %M" -o "$tmp/t" "$@" >"$tmp/out" 2>"$tmp/err" || true
  cat "$tmp/t"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

kms_found() {
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(sum(1 for x in r["results"] if x["id"]=="sweep.port" and x["evidence"]["service"]=="kms"))' "$tmp/out"
}

bench() { # name range flush_ns(or -) exec_prefix...
  local name=$1 range=$2 flush=$3
  shift 3
  local nw=() sw=() nr=0 sr=0
  for i in $(seq "$RUNS"); do
    [ "$flush" = - ] || ip -n "$flush" neigh flush all
    read -r w r < <(timed "$@" nmap -sT -Pn -n -p1688 "$range" -oG -)
    local open
    open=$(grep -c '1688/open' "$tmp/out" || true)
    nw+=("$w"); [ "$r" -gt "$nr" ] && nr=$r
    [ "$flush" = - ] || ip -n "$flush" neigh flush all
    read -r w r < <(timed "$@" "$BIN" sweep "$range" "${SWEEP_OPTS[@]}")
    local kms
    kms=$(kms_found)
    sw+=("$w"); [ "$r" -gt "$sr" ] && sr=$r
    if [ "$kms" != 4 ] || [ "$open" != 4 ]; then
      echo "bench-sweep: $name run $i: nmap saw $open open, the sweep verified $kms KMS hosts (expected 4 each)" >&2
      exit 1
    fi
  done
  local nm sm
  nm=$(printf '%s\n' "${nw[@]}" | median)
  sm=$(printf '%s\n' "${sw[@]}" | median)
  awk -v n="$name" -v nm="$nm" -v sm="$sm" -v nr="$nr" -v sr="$sr" 'BEGIN {
    ratio = sm / nm
    printf "%-15s nmap %6.2f s  %5.1f MiB | sweep %6.2f s  %5.1f MiB | ratio %.2f (goal <= 1.5: %s), sweep RSS goal <= 30 MiB: %s\n",
      n, nm, nr / 1024, sm, sr / 1024, ratio, (ratio <= 1.5 ? "met" : "MISSED"), (sr / 1024 <= 30 ? "met" : "MISSED")
  }'
}

echo "kms-preflight sweep vs nmap -sT -Pn -n -p1688, median of $RUNS runs; sweep ${SWEEP_OPTS[*]}"
echo "(nmap checks the port only; the sweep also sends the read-only RPC bind to every open port)"

# 1. CPU-bound: loopback.
start_responder - 127.20.1.10:1688 127.20.5.20:1688 127.20.9.30:1688 127.20.14.40:1688
bench "cpu-bound 4096" 127.20.0.0/20 -

# 2. Timeout-bound: a /24 in namespaces, most addresses absent.
if [ "$(id -u)" -ne 0 ]; then
  echo "timeout-bound: skipped (needs root for network namespaces)"
  exit 0
fi
ip netns del "$NS_C" 2>/dev/null || true
ip netns del "$NS_S" 2>/dev/null || true
ip netns add "$NS_C"
ip netns add "$NS_S"
ip link add kpbench-a netns "$NS_C" type veth peer name kpbench-b netns "$NS_S"
ip -n "$NS_C" addr add 198.18.9.1/24 dev kpbench-a
ip -n "$NS_S" addr add 198.18.9.2/24 dev kpbench-b
for i in 10 11 12 13; do ip -n "$NS_S" addr add 198.18.9.$i/24 dev kpbench-b; done
for ns in "$NS_C" "$NS_S"; do ip -n "$ns" link set lo up; done
ip -n "$NS_C" link set kpbench-a up
ip -n "$NS_S" link set kpbench-b up
start_responder "$NS_S" 198.18.9.10:1688 198.18.9.11:1688 198.18.9.12:1688 198.18.9.13:1688
bench "timeout-bound /24" 198.18.9.0/24 "$NS_C" ip netns exec "$NS_C"
