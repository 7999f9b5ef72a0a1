#!/usr/bin/env bash
# Load benchmark of `kms-preflight serve` (root: it runs in a private network namespace that has
# only a loopback interface, so neither the audit nor the load leaves the machine).
#
# wrk, 50 connections for 10 s against /metrics while the exporter keeps auditing ten
# configured hosts every 5 s. Prints requests/s, latency, errors and the exporter's RSS
# (VmRSS) before and after; exits 1 on any error or when RSS grew by more than 8 MiB.
# The figures go into docs/development.md (section "Benchmarks") and docs/serve.md.
#
# Usage: sudo scripts/bench-serve.sh     (BIN=path/to/kms-preflight to skip the release build)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "scripts/bench-serve.sh: run as root (it creates a network namespace)" >&2
  exit 2
fi
for tool in wrk curl; do
  command -v "$tool" >/dev/null || { echo "bench-serve: $tool missing (apt-get install $tool)" >&2; exit 2; }
done

BIN=${BIN:-target/release/kms-preflight}
if [ ! -x "$BIN" ]; then
  cargo build --release --locked --bin kms-preflight
fi
CONNECTIONS=${CONNECTIONS:-50}
DURATION=${DURATION:-10s}
MAX_GROWTH_KB=${MAX_GROWTH_KB:-8192}

ns="kpbench$$"
work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$ns"
ip -n "$ns" link set lo up

hosts=()
for i in $(seq 1 10); do hosts+=(--host "127.0.0.$i:1688"); done
ip netns exec "$ns" "$BIN" serve --listen 127.0.0.1:9688 --domain bench.invalid \
  --dns 127.0.0.1:53 "${hosts[@]}" --timeout 200ms --deadline 4s --interval 5s \
  --label site=bench 2>"$work/serve.log" &
pid=$!

url=http://127.0.0.1:9688
ok=""
for _ in $(seq 1 150); do
  if [ "$(ip netns exec "$ns" curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url/healthz")" = 200 ]; then
    ok=1; break
  fi
  sleep 0.2
done
[ -n "$ok" ] || { echo "bench-serve: no finished audit within 30 s" >&2; cat "$work/serve.log" >&2; exit 1; }

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; }
body=$(ip netns exec "$ns" curl -s --max-time 2 "$url/metrics" | wc -c)
series=$(ip netns exec "$ns" curl -s --max-time 2 "$url/metrics" | grep -vc '^#')
# Warm up once (first connections, allocator), then measure.
ip netns exec "$ns" wrk -t2 -c"$CONNECTIONS" -d2s "$url/metrics" >/dev/null
rss_before=$(rss)
ip netns exec "$ns" wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$url/metrics" | tee "$work/wrk.txt"
rss_after=$(rss)

rps=$(awk '/^Requests\/sec:/ { print $2 }' "$work/wrk.txt")
total=$(awk '/requests in/ { print $1 }' "$work/wrk.txt")
non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$work/wrk.txt")
sockerr=$(grep -o 'Socket errors:.*' "$work/wrk.txt" || true)
audits=$(grep -c ': audit .* done in' "$work/serve.log" || true)
failed=$(grep -c ': audit .* FAILED' "$work/serve.log" || true)
growth=$((rss_after - rss_before))
# wrk --latency's distribution ("    50%    1.40ms"), repeated in the summary docs/development.md quotes.
lat() { awk -v q="$1" '$1 == q { print $2; exit }' "$work/wrk.txt"; }

echo
echo "== serve load: $CONNECTIONS connections, $DURATION, GET /metrics ($body bytes, $series series), $(nproc) CPUs"
echo "requests:      $total (${rps} requests/s)"
echo "errors:        non-2xx ${non2xx:-0}; ${sockerr:-socket errors: none}"
echo "RSS (VmRSS):   before ${rss_before} kB, after ${rss_after} kB (growth ${growth} kB)"
echo "audits during the run: $audits done, $failed failed"
echo "latency:       p50 $(lat 50%), p90 $(lat 90%), p99 $(lat 99%) (wrk --latency)"

status=0
if [ -n "$non2xx" ] || [ -n "$sockerr" ]; then
  echo "bench-serve: FAIL: errors under load" >&2; status=1
fi
if [ "$growth" -gt "$MAX_GROWTH_KB" ]; then
  echo "bench-serve: FAIL: RSS grew by ${growth} kB (limit ${MAX_GROWTH_KB} kB)" >&2; status=1
fi
exit $status
