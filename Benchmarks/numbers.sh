#!/usr/bin/env bash
# 决定文书号 (session 45): what finding a decision by its document number costs. A copy of the county
# store of `portal.sh` (generated first when CREDITNET_BENCH_STORE holds none):
#   1. migration v36 building its index on the copy (the first `status` opening it, against a
#      second, the store already migrated);
#   2. `wrk` for DURATION seconds with 16 connections on /search?q= with 5,000 numbers the public
#      sees, typed with round brackets (each found), 5,000 numbers nobody bears (each looked up,
#      then searched as a name, which finds nothing), and a four-character name fragment (the
#      search of portal.sh) for comparison;
#   3. 30,000 new penalties (`generate`, seed 9001) ingested into two further copies, one with the
#      index dropped, alternating, best of RUNS: what the index costs each ingest.
# Usage: CREDITNET_BENCH_STORE=DIR Benchmarks/numbers.sh [DURATION] [RUNS]   (defaults 20 s, 3)
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/release.sh
. Benchmarks/wrk.sh
. Benchmarks/county.sh
duration=${1:-20}
runs=${2:-3}
county_store 200000
copy=$work/numbers-c
county_copy "$copy"
config=$copy/node.yaml
# 1. The migration on a store made before it.
python3 - "$copy/node.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("DROP INDEX IF EXISTS records_document_number")
db.execute("DELETE FROM grdb_migrations WHERE identifier = 'v36-records-by-document-number'")
db.commit()
print("records:", db.execute("SELECT count(*) FROM records").fetchone()[0],
      "of the indexed kinds:", db.execute("SELECT count(*) FROM records WHERE kind IN ('license', 'penalty', 'enforcement', 'confirmation', 'reward', 'adjudication', 'inspection', 'blacklist', 'redlist', 'rating')").fetchone()[0])
PY
runs=1
echo "status, migrating: $(best "$node" status --config "$config")"
echo "status, migrated:  $(best "$node" status --config "$config")"
runs=${2:-3}
# 2. The search. Numbers of penalties and licences shown, typed with round brackets; the same with
# a digit added after the year's bracket, which nobody bears.
python3 - "$copy/node.sqlite" "$work/numbers-found.txt" "$work/numbers-missing.txt" <<'PY'
import random, sqlite3, sys, urllib.parse
db = sqlite3.connect(sys.argv[1])
rows = [r[0] for r in db.execute(
    "SELECT substr(record_key, length(kind) + 21) FROM records WHERE kind IN ('penalty', 'license') AND state IN ('active', 'objected') AND in_force = 1 AND (publicity_until IS NULL OR publicity_until >= date('now'))")]
rng = random.Random(45)
chosen = rng.sample(rows, min(5000, len(rows)))
q = lambda n: "/search?q=" + urllib.parse.quote(n)
with open(sys.argv[2], "w") as f:
    for n in chosen: f.write(q(n.replace("〔", "(").replace("〕", ")")) + "\n")
with open(sys.argv[3], "w") as f:
    for n in chosen: f.write(q(n.replace("〕", "〕9")) + "\n")
print("numbers shown:", len(rows), "— e.g.", chosen[0])
PY
four=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT substr(name, 3, 4) FROM subjects WHERE length(name) >= 8 ORDER BY id LIMIT 1 OFFSET 500\").fetchone()[0])" "$copy/node.sqlite")
enc() { python3 -c "import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))" "$1"; }
printf "%-8s %-11s %9s %9s %9s\n" search route "req/s" "p50 ms" "p99 ms"
serve_county "$config" "$work/serve-numbers.log"
base=http://127.0.0.1:$((port + 1))
measure_routes number "$base" 16 "found|/|$work/numbers-found.txt" "missing|/|$work/numbers-missing.txt" "name-4|/search?q=$(enc "$four")"
kill "$server"; wait "$server" 2>/dev/null || true
server=
# 3. The index's cost to an ingest into the store.
"$node" generate --kind penalty --rows 30000 --subjects 10000 --seed 9001 --config "$config" --out "$work/numbers-new.csv" >/dev/null
with=$work/numbers-with
without=$work/numbers-without
ingest_into() {
  county_copy "$1"
  "$node" status --config "$1/node.yaml" >/dev/null
  if [ "$2" = without ]; then python3 -c "import sqlite3,sys; sqlite3.connect(sys.argv[1]).execute('DROP INDEX records_document_number')" "$1/node.sqlite"; fi
  local s e
  s=$(date +%s.%N)
  "$node" ingest "$work/numbers-new.csv" --kind penalty --config "$1/node.yaml" >/dev/null
  e=$(date +%s.%N)
  python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$s" "$e"
}
w=() wo=()
for _ in $(seq "$runs"); do
  w+=("$(ingest_into "$with" with)")
  wo+=("$(ingest_into "$without" without)")
done
echo "ingest of 30,000 penalties, s — with the index: ${w[*]}; without: ${wo[*]}"
