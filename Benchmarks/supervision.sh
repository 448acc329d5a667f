#!/usr/bin/env bash
# 信用分级分类监管 at scale. RATINGS credit ratings (A to D) and INSPECTIONS inspections (release
# build), drawn from one population of subjects so that rated subjects are inspected, over a
# county's four townships' villages, ingested into a county node; then the year's figures as
# `credit-node supervision` prints them (the process's start and the node's opening included,
# measured alone by `kinds` and `status`), and the office's page `/ops/supervision` and its CSV on
# the node's release `serve`. Every rating of the area is read (three fields extracted by SQLite
# through `records_kind_date`), then the inspections from the earliest rating of the year on: the
# cost grows with the area's ratings and inspections, not with the store.
# Usage: Benchmarks/supervision.sh [RATINGS] [INSPECTIONS] [RUNS]   (defaults: 100000, 200000, 3 runs;
# CREDITNET_BENCH_KEEP=1 keeps the node in /tmp to read its store afterwards)
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/release.sh
ratings=${1:-100000}
inspections=${2:-200000}
runs=${3:-3}
work=$(mktemp -d /tmp/creditnet-supervision.XXXX)
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; wait 2>/dev/null; [ -n "${CREDITNET_BENCH_KEEP:-}" ] || rm -rf "$work"' EXIT
port=${CREDITNET_BENCH_PORT:-7597}
county_node "$work"

start=$(date +%s.%N)
seed=1
for t in "${townships[@]}"; do
  # The same seed and population for a township's ratings and its inspections: the same subjects.
  for kind in rating inspection; do
    rows=$([ $kind = rating ] && echo $((ratings / 4)) || echo $((inspections / 4)))
    "$node" generate --config "$work/node/node.yaml" --kind $kind --rows "$rows" --subjects $((ratings / 3)) --seed $seed --faults 0 --late 0 \
      --jurisdiction "${t:0:9}201" --out "$work/$kind-$seed.csv" 2>/dev/null
    "$node" ingest "$work/$kind-$seed.csv" --kind $kind --config "$work/node/node.yaml" >/dev/null
  done
  seed=$((seed + 1))
done
end=$(date +%s.%N)
echo "generated and ingested $ratings ratings and $inspections inspections in $(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f} s')" "$start" "$end")"
"$node" supervision --json --config "$work/node/node.yaml" | python3 -c "
import json, sys
t = json.load(sys.stdin)
print(f\"{t['year']}: {t['rated']} subjects rated; \" + ', '.join(f\"{g['grade']} {g['subjects']} ({g['inspectedShare']} inspected)\" for g in t['grades']))"

echo "credit-node kinds (the process alone):                    $(best "$node" kinds)"
echo "credit-node status (the process and the node's opening):  $(best "$node" status --config "$work/node/node.yaml")"
echo "credit-node supervision (the year's figures, text):       $(best "$node" supervision --config "$work/node/node.yaml")"

serve_county "$work" supervision
echo "GET /ops/supervision:                                      $(best page "")"
echo "GET /ops/supervision?format=csv:                           $(best page "?format=csv")"
