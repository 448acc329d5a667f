#!/usr/bin/env bash
# 信用承诺履约 at scale. What the commitment tallies cost and what they save: COMMITMENTS
# generated commitments (release build) over a county's four townships' villages, ingested into
# two county nodes alike but for the triggers that keep the tallies (dropped in the second, whose
# rule is left recorded so that the node does not write them again) — the ingest's commitments/s
# with and without — then, on the first, `credit-node commitments` (the ledger and the list to
# follow up; the process's start and the node's opening included, measured alone by `kinds`), and
# the same figures counted from the records without the tallies (a GROUP BY over every
# commitment's body: what the page would cost without them).
# Usage: Benchmarks/commitments.sh [COMMITMENTS] [RUNS]   (defaults: 200000 commitments, 3 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/release.sh
command -v sqlite3 >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null
n=${1:-200000}
runs=${2:-3}
work=$(mktemp -d /tmp/creditnet-commitments.XXXX)
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
county=420102000000
townships=(420102001000 420102002000 420102003000 420102004000)
children=()
for t in "${townships[@]}"; do children+=(--child "$t"); done
port=${CREDITNET_BENCH_PORT:-7580}
"$node" pki init --out "$work/ca" >/dev/null
"$node" pki issue --ca "$work/ca" --code $county --out "$work/cert" >/dev/null
"$node" init --code $county --name 江岸区 --data "$work/with" --identity "$work/cert" --listen 127.0.0.1:$port --portal 127.0.0.1:$((port + 1)) \
  "${children[@]}" >/dev/null
echo "recordsListen: \"127.0.0.1:$((port + 2))\"" >> "$work/with/node.yaml"
"$node" init --code $county --name 江岸区 --data "$work/without" "${children[@]}" >/dev/null
sqlite3 "$work/without/node.sqlite" "DROP TRIGGER commitment_added; DROP TRIGGER commitment_changed"

# Each township's first village's commitments, a quarter each, numbered apart (900001… for the
# second half of the townships would meet nothing: each file its own county-wide day numbers).
files=()
seed=1
for t in "${townships[@]}"; do
  village=${t:0:9}201
  "$node" generate --config "$work/with/node.yaml" --kind commitment --rows $((n / 4)) --subjects $((n / 12)) --seed $seed --faults 0 \
    --jurisdiction "$village" --out "$work/c-$seed.csv" 2>/dev/null
  python3 - "$work/c-$seed.csv" "$seed" <<'PY'
import csv, sys
path, seed = sys.argv[1], int(sys.argv[2])
with open(path, encoding="utf-8-sig", newline="") as f:
    rows = list(csv.reader(f))
code = rows[0].index("承诺编码")
for i, row in enumerate(rows[1:]):
    row[code] = row[code][:14] + str(seed * 100000 + i % 100000).zfill(6)[-6:]
with open(path, "w", encoding="utf-8", newline="") as f:
    csv.writer(f, lineterminator="\r\n").writerows(rows)
PY
  files+=("$work/c-$seed.csv")
  seed=$((seed + 1))
done

ingest() {
  local start end
  start=$(date +%s.%N)
  for f in "${files[@]}"; do "$node" ingest "$f" --kind commitment --config "$work/$1/node.yaml" >/dev/null; done
  end=$(date +%s.%N)
  python3 -c "import sys; s, e = float(sys.argv[1]), float(sys.argv[2]); print(f'{e - s:.2f} s')" "$start" "$end"
}
echo "ingest of $n commitments, with the tallies:    $(ingest with)"
echo "ingest of $n commitments, without the tallies: $(ingest without)"
held=$(sqlite3 "$work/with/node.sqlite" "SELECT count(*) FROM records WHERE kind = 'commitment'")
follow=$(sqlite3 "$work/with/node.sqlite" "SELECT count(*) FROM commitment_follow_up")
echo "held: $held commitments; $follow not kept in full (unchecked or broken)"

echo "credit-node kinds (the process alone):                     $(best "$node" kinds)"
echo "credit-node status (the process and the node's opening):   $(best "$node" status --config "$work/with/node.yaml")"
echo "credit-node commitments (ledger and the list, text):       $(best "$node" commitments --config "$work/with/node.yaml")"
echo "credit-node commitments --json (and the whole list):       $(best "$node" commitments --json --config "$work/with/node.yaml")"
count_from_records() {
  sqlite3 "$work/with/node.sqlite" "SELECT r.jurisdiction, json_extract(c.body, '\$.CN_SLDWDM'), json_extract(c.body, '\$.CN_CNLX'),
    json_extract(c.body, '\$.CN_LYQK'), count(*) FROM records r JOIN changes c ON c.id = r.content_change
    WHERE r.kind = 'commitment' AND r.state <> 'withdrawn' GROUP BY 1, 2, 3, 4"
}
echo "the same figures counted from the records (sqlite3):       $(best count_from_records)"
echo "the kept tallies read (sqlite3):                            $(best sqlite3 "$work/with/node.sqlite" "SELECT * FROM tally_commitment")"

# The office's page on the records listener of the node's release `serve`: the whole page (the
# ledger and the first 50 to follow up), one unit's list, and the list as CSV.
"$node" serve --config "$work/with/node.yaml" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$((port + 2))/ops/commitments" && break; sleep 0.2; done
unit=$(sqlite3 "$work/with/node.sqlite" "SELECT acceptor FROM tally_commitment GROUP BY acceptor ORDER BY sum(records) DESC LIMIT 1")
page() { curl -sf -o /dev/null "http://127.0.0.1:$((port + 2))/ops/commitments$1"; }
echo "GET /ops/commitments:                                      $(best page "")"
echo "GET /ops/commitments?acceptor=(the largest unit):          $(best page "?acceptor=$unit")"
echo "GET /ops/commitments?format=csv (10,000 rows at most):     $(best page "?format=csv")"
