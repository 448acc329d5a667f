#!/usr/bin/env bash
# 联合奖惩 名单推送与响应 at scale. LISTED entries of 严重失信主体名单 in force and FEEDBACK
# feedback records (release build), drawn from one population of subjects so that some entries are
# answered, over a county's four townships' villages, ingested into a county node; then the ledger
# as `credit-node lists` prints it (the process's start and the node's opening included, measured
# alone by `kinds` and `status`), its CSV, and the office's page `/ops/lists` and its CSV on the
# node's release `serve`. The entries in force are read through `records_kind_date`, then the
# feedback on listed subjects since the oldest entry in one pass, matched per entry by bisection:
# the cost grows with the entries in force and that feedback, not with the store. Then the
# typical cases (`credit-node cases`, /ops/cases) and the repairs due (`credit-node repair-due`,
# /ops/repair) on the same store.
# Usage: Benchmarks/lists.sh [LISTED] [FEEDBACK] [RUNS]   (defaults: 40000 entries, 100000 feedback, 3 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/release.sh
listed=${1:-40000}
n=${2:-100000}
runs=${3:-3}
work=$(mktemp -d /tmp/creditnet-lists.XXXX)
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
port=${CREDITNET_BENCH_PORT:-7594}
county_node "$work"

start=$(date +%s.%N)
seed=1
for t in "${townships[@]}"; do
  # The same seed and population for a township's entries and its feedback: the same subjects.
  "$node" generate --config "$work/node/node.yaml" --kind blacklist --rows $((listed / 4)) --subjects $((listed / 3)) --seed $seed --faults 0 --late 0 \
    --jurisdiction "${t:0:9}201" --out "$work/l-$seed.csv" 2>/dev/null
  "$node" ingest "$work/l-$seed.csv" --kind blacklist --config "$work/node/node.yaml" >/dev/null
  "$node" generate --config "$work/node/node.yaml" --kind feedback --rows $((n / 4)) --subjects $((listed / 3)) --seed $seed --faults 0 --late 0 \
    --jurisdiction "${t:0:9}201" --out "$work/f-$seed.csv" 2>/dev/null
  "$node" ingest "$work/f-$seed.csv" --kind feedback --config "$work/node/node.yaml" >/dev/null
  seed=$((seed + 1))
done
end=$(date +%s.%N)
echo "generated and ingested $listed entries and $n feedback records in $(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f} s')" "$start" "$end")"
"$node" lists --json --config "$work/node/node.yaml" | python3 -c "
import json, sys
t = json.load(sys.stdin)['total']
print(f\"in force {t['listed']}, answered {t['answered']}, pending {t['pending']}\")"

echo "credit-node kinds (the process alone):                    $(best "$node" kinds)"
echo "credit-node status (the process and the node's opening):  $(best "$node" status --config "$work/node/node.yaml")"
echo "credit-node lists (the figures and the first 20, text):   $(best "$node" lists --config "$work/node/node.yaml")"
echo "credit-node lists --csv (every entry in force):           $(best "$node" lists --csv --config "$work/node/node.yaml")"

serve_county "$work" lists
echo "GET /ops/lists (figures and the first 200):              $(best page "")"
echo "GET /ops/lists?show=pending&format=csv (推送清单):        $(best page "?show=pending&format=csv")"
echo "GET /ops/lists?region=420102001000 (one township):        $(best page "?region=420102001000")"

# 联合奖惩典型案例 on the same store: the newest feedback applied offered and the cases held, read
# newest first through `records_kind_date` (a page's worth, whatever the store holds).
echo "credit-node cases (the cases and the feedback offered):   $(best "$node" cases --config "$work/node/node.yaml")"
ops_page="${ops_page%/lists}/cases"
echo "GET /ops/cases:                                            $(best page "")"

# 信用修复提醒 on the same store: every record still shown of a kind with a minimum publicity
# period (here the 40,000 entries), each one's first repair day computed.
echo "credit-node repair-due (the figures, text):               $(best "$node" repair-due --config "$work/node/node.yaml")"
ops_page="${ops_page%/cases}/repair"
echo "GET /ops/repair:                                           $(best page "")"

# /ops/'s card 联合奖惩待响应主体 counts the same entries, kept (`KeptFigure`: computed in the
# background when `serve` starts and again when the store has changed and the count is older than
# fifty times its cost): the dashboard reads the kept count.
ops_page="${ops_page%/repair}/"
echo "GET /ops/ (the dashboard, its 待响应 count kept):          $(best page "")"
