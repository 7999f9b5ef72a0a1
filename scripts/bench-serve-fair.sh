#!/usr/bin/env bash
# Fairness benchmark of `kms-preflight serve` (root: it builds two private network namespaces
# joined by a veth pair, so no packet leaves the machine).
#
# The exporter listens on 198.18.0.1:9688 in one namespace. In the other, one peer address
# (198.18.0.2, examples/greedy-peer.rs) opens 3,000 half-open connections (TCP connected, half a
# request sent, held open, re-opened as soon as the exporter closes them), and from another
# address (198.18.0.3) curl scrapes /metrics one request at a time for 20 s (5 s at most each).
# Prints scrapes answered (200) / attempted and their latency; exits 1 unless every scrape
# was answered. The figure goes into docs/serve.md (section "Limits").
#
# Usage: sudo scripts/bench-serve-fair.sh
#   BIN=path/to/kms-preflight GREEDY=path/to/greedy-peer skip the release build (e.g. to
#   measure another build); CONNECTIONS (3000) and SECONDS_SCRAPING (20) change the load.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "scripts/bench-serve-fair.sh: run as root (it creates network namespaces)" >&2
  exit 2
fi
command -v curl >/dev/null || { echo "bench-serve-fair: curl missing (apt-get install curl)" >&2; exit 2; }

BIN=${BIN:-target/release/kms-preflight}
GREEDY=${GREEDY:-target/release/examples/greedy-peer}
if [ ! -x "$BIN" ]; then
  cargo build --release --locked --bin kms-preflight
fi
if [ ! -x "$GREEDY" ]; then
  cargo build --release --locked --example greedy-peer
fi
CONNECTIONS=${CONNECTIONS:-3000}
SECONDS_SCRAPING=${SECONDS_SCRAPING:-20}

exp="kpfairx$$"
peers="kpfairp$$"
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do
    kill -TERM "$p" 2>/dev/null || true
  done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  ip netns del "$exp" 2>/dev/null || true
  ip netns del "$peers" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$exp"
ip netns add "$peers"
ip -n "$exp" link set lo up
ip -n "$peers" link set lo up
ip link add "vfx$$" netns "$exp" type veth peer name "vfp$$" netns "$peers"
ip -n "$exp" addr add 198.18.0.1/24 dev "vfx$$"
ip -n "$peers" addr add 198.18.0.2/24 dev "vfp$$"
ip -n "$peers" addr add 198.18.0.3/24 dev "vfp$$"
ip -n "$exp" link set "vfx$$" up
ip -n "$peers" link set "vfp$$" up

# The audit stays on the exporter namespace's loopback (a closed KMS port, a closed DNS port).
ip netns exec "$exp" "$BIN" serve --listen 198.18.0.1:9688 --host 127.0.0.1:1688 \
  --dns 127.0.0.1:53 --domain fair.invalid --timeout 200ms --deadline 4s --interval 5s \
  2>"$work/serve.log" &
pids+=($!)

url=http://198.18.0.1:9688
ok=""
for _ in $(seq 1 150); do
  if [ "$(ip netns exec "$peers" curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url/healthz")" = 200 ]; then
    ok=1; break
  fi
  sleep 0.2
done
[ -n "$ok" ] || { echo "bench-serve-fair: no finished audit within 30 s" >&2; cat "$work/serve.log" >&2; exit 1; }

ip netns exec "$peers" "$GREEDY" --bind 198.18.0.2 --connect 198.18.0.1:9688 \
  --connections "$CONNECTIONS" --seconds $((SECONDS_SCRAPING + 40)) >"$work/greedy.out" 2>&1 &
pids+=($!)
ready=""
for _ in $(seq 1 400); do
  ready=$(grep -m1 '^ready' "$work/greedy.out" || true)
  [ -n "$ready" ] && break
  sleep 0.1
done
[ -n "$ready" ] || { echo "bench-serve-fair: greedy-peer did not open its connections in 40 s" >&2; cat "$work/greedy.out" >&2; exit 1; }

: >"$work/scrapes.txt"
end=$((SECONDS + SECONDS_SCRAPING))
while [ "$SECONDS" -lt "$end" ]; do
  # "<code> <seconds>" per scrape; 000 when no answer within 5 s.
  ip netns exec "$peers" curl -s -o /dev/null --interface 198.18.0.3 --max-time 5 \
    -w '%{http_code} %{time_total}\n' "$url/metrics" >>"$work/scrapes.txt" || true
  sleep 0.2
done
greedy_stats=$(grep '^held=' "$work/greedy.out" | tail -1)

attempted=$(wc -l <"$work/scrapes.txt")
answered=$(awk '$1 == 200' "$work/scrapes.txt" | wc -l)
lat=$(awk '$1 == 200 { print $2 }' "$work/scrapes.txt" | sort -n | awk '
  { v[NR] = $1 } END { if (NR) printf "median %.3f s, max %.3f s", v[int((NR + 1) / 2)], v[NR]; else print "none" }')

echo "== serve fairness: one peer holds $CONNECTIONS half-open connections, another scrapes /metrics for ${SECONDS_SCRAPING} s; $(nproc) CPUs, $(date -u +%Y-%m-%d)"
echo "greedy peer:   $ready; last: ${greedy_stats:-no stats}"
echo "scrapes:       $answered/$attempted answered 200 ($(awk -v a="$answered" -v t="$attempted" 'BEGIN { printf "%.1f", t ? 100 * a / t : 0 }') %)"
echo "latency (200): $lat"
[ "$attempted" -gt 0 ] && [ "$answered" -eq "$attempted" ] || { echo "bench-serve-fair: FAIL: scrapes went unanswered" >&2; exit 1; }
