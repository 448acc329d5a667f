#!/usr/bin/env bash
# 新旧代码映射 at scale: what the triggers keeping `former_codes` (migration v25) cost an ingest, and
# what reading the mapping costs. RECORDS generated penalties (release build) for a county node, as
# generated (no former code) and with a fifth of them made 个体工商户 filed under a 工商注册号 (half of
# those with their credit code beside it, whose names vary from row to row, so that subjects are
# renamed too); each file ingested into copies of one empty store with and without the two
# triggers, alternating, RUNS times; then `credit-node codes` (every record filed under a former code
# read whole) and `credit-node query` of a credit code that has former codes, best of RUNS.
# Usage: Benchmarks/codes.sh [RECORDS] [RUNS]   (defaults: 100000, 3)
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/release.sh
records=${1:-100000}
runs=${2:-3}
work=$(mktemp -d /tmp/creditnet-codes.XXXX)
trap 'rm -rf "$work"' EXIT
port=${CREDITNET_BENCH_PORT:-7594}
county_node "$work"
"$node" generate --config "$work/node/node.yaml" --kind penalty --rows "$records" --seed 42 --faults 0 --late 0 --header codes \
  --out "$work/plain.csv" 2>/dev/null
python3 - "$work/plain.csv" "$work/former.csv" <<'PY'
import csv, sys
sys.path.insert(0, "scripts")
from sample_edits import uscc
with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
    rows = list(csv.DictReader(f))
fields = list(rows[0].keys())
for i, row in enumerate(rows):
    if i % 5 == 0:
        n = i // 5 % 4000
        row.update({"CF_XDR_LB": "个体工商户", "CF_XDR_GSZC": "4201026%08d" % n, "CF_XDR_SHXYM": uscc("92420102", "MA%06d" % n) if i % 10 == 0 else "",
                    "CF_XDR_ZJLX": "", "CF_XDR_ZJHM": "", "CF_FR_ZJLX": "", "CF_FR_ZJHM": ""})
with open(sys.argv[2], "w", encoding="utf-8", newline="") as f:
    w = csv.DictWriter(f, fieldnames=fields, lineterminator="\r\n")
    w.writeheader()
    w.writerows(rows)
PY
# The empty store twice: as `init` made it, and without the two triggers.
cp -r "$work/node" "$work/empty-with"
cp -r "$work/node" "$work/empty-without"
sqlite3 "$work/empty-without/node.sqlite" "DROP TRIGGER records_former_codes_added; DROP TRIGGER records_former_codes_changed;"
ingest_into() { # ingest_into VARIANT FILE: the file into a fresh copy of the variant's empty store; prints the seconds
  rm -rf "$work/run-$1" && cp -r "$work/empty-$1" "$work/run-$1"
  sed -i "s#$work/node#$work/run-$1#" "$work/run-$1/node.yaml"
  local s e
  s=$(date +%s.%N)
  "$node" ingest "$2" --kind penalty --config "$work/run-$1/node.yaml" >/dev/null
  e=$(date +%s.%N)
  python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$s" "$e"
}
for file in plain former; do
  with=() without=()
  for _ in $(seq "$runs"); do
    with+=("$(ingest_into with "$work/$file.csv")")
    without+=("$(ingest_into without "$work/$file.csv")")
  done
  echo "ingest $records penalties ($file.csv): with the triggers ${with[*]} s; without ${without[*]} s"
done
echo "former_codes rows: $(sqlite3 "$work/run-with/node.sqlite" 'SELECT count(*) FROM former_codes')"
credit=$(sqlite3 "$work/run-with/node.sqlite" "SELECT uscc FROM former_codes WHERE uscc IS NOT NULL LIMIT 1")
echo "credit-node status (the process and the node's opening):  $(best "$node" status --config "$work/run-with/node.yaml")"
echo "credit-node codes (every record under a former code):     $(best "$node" codes --config "$work/run-with/node.yaml")"
echo "credit-node query $credit:                 $(best "$node" query "$credit" --config "$work/run-with/node.yaml")"
"$node" codes --config "$work/run-with/node.yaml" | head -3
