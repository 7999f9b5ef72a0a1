#!/usr/bin/env bash
# Before/after proof for a change to the result model or the renderers (issue 17): every
# capture directory under BEFORE holds a run's JSON report and each rendering of that same
# report, written by the code before the change (KMS_PREFLIGHT_CAPTURE_DIR). This re-renders
# each JSON report with the current code (examples/render-report.rs) and diffs every format.
# JSON is compared with keys sorted and the added message_id/args/remediation_id/
# remediation_args (and the verdict's reason_id/_args, discovery_id/_args, because_id/_args,
# title_id/_args, risk_messages, note_messages) removed. Prints one line per difference and a count; exit 1 on any.
# Usage: scripts/compare-renderings.sh BEFORE-DIR [AFTER-DIR]
set -euo pipefail
before=${1:?usage: compare-renderings.sh BEFORE-DIR [AFTER-DIR]}
after=${2:-$(mktemp -d)}
cargo build -q --example render-report
bin=target/debug/examples/render-report
strip='walk(if type == "object" then del(.message_id, .args, .remediation_id, .remediation_args, .reason_id, .reason_args, .discovery_id, .discovery_args, .because_id, .because_args, .title_id, .title_args, .risk_messages, .note_messages) else . end)'
n=0; bad=0
for d in "$before"/*/; do
  [ -f "$d/report.json" ] || continue
  name=$(basename "$d")
  out="$after/$name"
  "$bin" "$d/report.json" "$out"
  n=$((n + 1))
  for f in "$d"/*; do
    base=$(basename "$f")
    case "$base" in
      args|diagnosis.*) continue ;;
      report.json)
        if ! diff -q <(jq -S "$strip" "$f") <(jq -S "$strip" "$out/$base") >/dev/null; then
          echo "DIFF $name/$base"; bad=$((bad + 1))
        fi ;;
      *)
        if [ ! -f "$out/$base" ] || ! cmp -s "$f" "$out/$base"; then
          echo "DIFF $name/$base"; bad=$((bad + 1))
        fi ;;
    esac
  done
done
echo "$n reports re-rendered, $bad renderings differ (after: $after)"
[ "$bad" -eq 0 ]
