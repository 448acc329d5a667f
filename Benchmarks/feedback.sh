#!/usr/bin/env bash
# 联合奖惩执行反馈 at scale. FEEDBACK generated feedback records (release build), dated in the
# last few days, over a county's four townships' villages, ingested into a county node; then the
# month's figures as `credit-node feedback` prints them (the process's start and the node's
# opening included, measured alone by `kinds` and `status`), its CSV, and the office's page
# `/ops/feedback` and its CSV on the node's release `serve`. The month's feedback is read through
# `records_kind_date`, each body parsed: the cost grows with the month's feedback, not the store.
# Usage: Benchmarks/feedback.sh [FEEDBACK] [RUNS]   (defaults: 100000 feedback records, 3 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/release.sh
n=${1:-100000}
runs=${2:-3}
work=$(mktemp -d /tmp/creditnet-feedback.XXXX)
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
port=${CREDITNET_BENCH_PORT:-7590}
county_node "$work"

seed=1
start=$(date +%s.%N)
for t in "${townships[@]}"; do
  "$node" generate --config "$work/node/node.yaml" --kind feedback --rows $((n / 4)) --subjects $((n / 12)) --seed $seed --faults 0 --late 0 \
    --jurisdiction "${t:0:9}201" --out "$work/f-$seed.csv" 2>/dev/null
  "$node" ingest "$work/f-$seed.csv" --kind feedback --config "$work/node/node.yaml" >/dev/null
  seed=$((seed + 1))
done
end=$(date +%s.%N)
echo "generated and ingested $n feedback records in $(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f} s')" "$start" "$end")"
month=$("$node" feedback --json --config "$work/node/node.yaml" | python3 -c "import json, sys; d = json.load(sys.stdin); print(d['month'], d['total']['feedback'])")
echo "this month (and its feedback): $month"

echo "credit-node kinds (the process alone):                    $(best "$node" kinds)"
echo "credit-node status (the process and the node's opening):  $(best "$node" status --config "$work/node/node.yaml")"
echo "credit-node feedback (the month's figures, text):         $(best "$node" feedback --config "$work/node/node.yaml")"
echo "credit-node feedback --csv (every feedback of the month): $(best "$node" feedback --csv --config "$work/node/node.yaml")"

serve_county "$work" feedback
echo "GET /ops/feedback (figures and the newest 200):           $(best page "")"
echo "GET /ops/feedback?format=csv (the month's every one):     $(best page "?format=csv")"
echo "GET /ops/feedback?month=(last month: nothing):            $(best page "?month=$(python3 -c "import datetime; d = datetime.date.today().replace(day=1) - datetime.timedelta(days=1); print(d.strftime('%Y-%m'))")")"
