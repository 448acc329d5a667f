#!/usr/bin/env bash
# What a down page, a push and a heartbeat cost in the production codec with no store behind
# them, beside a bare P-256 signature and verification: multiplied by a simulated run's message
# counts, the floor of its time (docs/PERFORMANCE.md).
# Usage: Benchmarks/messages.sh [CHANGES_PER_PAGE...]  (default: 1 4 16)
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/release.sh
pages=("$@")
[ ${#pages[@]} -gt 0 ] || pages=(1 4 16)
for k in "${pages[@]}"; do "$node" bench messages --changes-per-page "$k"; done
