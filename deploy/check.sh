#!/usr/bin/env bash
# Validates the Prometheus deployment files with promtool: the config, the alerting
# rules, and the rule unit tests. Exits non-zero when promtool is missing or any step fails.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

if ! command -v promtool >/dev/null 2>&1; then
    echo "check.sh: promtool not found (Debian/Ubuntu: apt-get install prometheus)" >&2
    exit 127
fi

promtool check config prometheus/prometheus.yml
promtool check rules prometheus/alerts.yml
promtool test rules prometheus/alerts.test.yml
