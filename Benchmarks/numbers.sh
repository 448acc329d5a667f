#!/usr/bin/env bash
# 决定文书号 (session 45): what finding a decision by its document number costs. A copy of the county
# store of `portal.sh` (generated first when CREDITNET_BENCH_STORE holds none):
#   1. migration v36 building its index on the copy (the first `status` opening it, against a
#      second, the store already migrated);
#   2. 5,000 penalties given numbers of their own (`江岸测罚〔2026〕N号`: the generator numbers each
#      authority's decisions by the county and the authority's abbreviation, which some 47
#      authorities of the store share, so that its numbers are each borne by ~47 records);
#   3. `wrk` for DURATION seconds with 16 connections on /search?q= with those 5,000 numbers typed
#      with round brackets (one record each), 5,000 of the generator's (~47 each: a page of 50
#      rows), 5,000 numbers nobody bears (looked up, then searched as a name, which finds nothing),
#      and a four-character name fragment (the search of portal.sh); with CREDITNET_BENCH_BASE set
#      to an earlier build's binary, the same on a copy it serves (to it every query is a name);
#   4. 30,000 new penalties (`generate`, seed 9001) ingested into two further copies, one with the
#      index dropped, alternating, best of RUNS: what the index costs each ingest.
# Usage: CREDITNET_BENCH_STORE=DIR [CREDITNET_BENCH_BASE=…/credit-node] Benchmarks/numbers.sh [DURATION] [RUNS]
#        (defaults 20 s, 3)
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/release.sh
. Benchmarks/wrk.sh
. Benchmarks/county.sh
duration=${1:-20}
runs=${2:-3}
county_work numbers
# 1. The migration on a store made before it.
python3 - "$copy/node.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print("records:", db.execute("SELECT count(*) FROM records").fetchone()[0],
      "of the indexed kinds:", db.execute("SELECT count(*) FROM records WHERE kind IN ('license', 'penalty', 'enforcement', 'confirmation', 'reward', 'adjudication', 'inspection', 'blacklist', 'redlist', 'rating')").fetchone()[0])
PY
migration_timed records_document_number v36-records-by-document-number
# 2. 5,000 penalties with numbers of their own.
"$node" generate --kind penalty --rows 5000 --subjects 2000 --seed 4500 --faults 0 --config "$config" --out "$work/numbers-own.csv" >/dev/null
python3 - "$work/numbers-own.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))
column = rows[0].index("行政处罚决定书文号")
for i, row in enumerate(rows[1:]): row[column] = f"江岸测罚〔2026〕{i + 1}号"
csv.writer(open(sys.argv[1], "w", encoding="utf-8", newline="")).writerows(rows)
PY
"$node" ingest "$work/numbers-own.csv" --kind penalty --config "$config" | sed -n 3p
# 3. The search. Numbers typed with round brackets; the generator's with a digit added after the
# year's bracket, which nobody bears.
python3 - "$copy/node.sqlite" "$work" <<'PY'
import random, sqlite3, sys, urllib.parse
db = sqlite3.connect(sys.argv[1])
shown = "state IN ('active', 'objected') AND in_force = 1 AND (publicity_until IS NULL OR publicity_until >= date('now'))"
tail = "substr(record_key, length(kind) + 21)"
own = [r[0] for r in db.execute(f"SELECT {tail} FROM records WHERE kind = 'penalty' AND {tail} LIKE '江岸测罚%' AND {shown}")]
generated = [r[0] for r in db.execute(f"SELECT {tail} FROM records WHERE kind IN ('penalty', 'license') AND {tail} NOT LIKE '江岸测罚%' AND {shown}")]
rng = random.Random(45)
chosen = rng.sample(generated, min(5000, len(generated)))
q = lambda n: "/search?q=" + urllib.parse.quote(n) + "\n"
typed = lambda n: n.replace("〔", "(").replace("〕", ")")
open(sys.argv[2] + "/numbers-one.txt", "w").writelines(q(typed(n)) for n in own)
open(sys.argv[2] + "/numbers-many.txt", "w").writelines(q(typed(n)) for n in chosen)
open(sys.argv[2] + "/numbers-missing.txt", "w").writelines(q(n.replace("〕", "〕9")) for n in chosen)
print("numbers of their own:", len(own), "— the generator's shown:", len(generated), "e.g.", chosen[0])
PY
four=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT substr(name, 3, 4) FROM subjects WHERE length(name) >= 8 ORDER BY id LIMIT 1 OFFSET 500\").fetchone()[0])" "$copy/node.sqlite")
enc() { python3 -c "import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))" "$1"; }
routes=("one|/|$work/numbers-one.txt" "many|/|$work/numbers-many.txt" "missing|/|$work/numbers-missing.txt" "name-4|/search?q=$(enc "$four")")
# The earlier build serves a copy made before migration v36, given the same 5,000 penalties.
before_prepare() { "$node" ingest "$work/numbers-own.csv" --kind penalty --config "$1/node.yaml" >/dev/null; }
served_routes numbers "${routes[@]}"
# 4. The index's cost to an ingest into the store.
index_cost numbers records_document_number
