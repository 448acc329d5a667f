#!/usr/bin/env bash
# Search by name, the names beginning with the query first (session 46): what it costs. A copy of
# the county store of `portal.sh` (generated first when CREDITNET_BENCH_STORE holds none):
#   1. migration v37 building `subjects_name` on the copy (the first `status` opening it, against a
#      second, the store already migrated);
#   2. `wrk` for DURATION seconds with 16 connections on /search?q= with, drawn from files of 5,000
#      each: the beginnings of names (their first three to six characters: a page of names
#      beginning with it, most of them), fragments from within names (four characters from the
#      fifth: names holding it further on), whole names (the exact name first), and the second page
#      of a beginning (this build only: the earlier one's pages are positioned otherwise); with
#      CREDITNET_BENCH_BASE set to an earlier build's binary, the same on a copy it serves (to it
#      every name search is in the order subjects arrived);
#   3. 30,000 new penalties of 10,000 subjects (`generate`, seed 9001) ingested into two further
#      copies, one with the index dropped, alternating, best of RUNS: what it costs an ingest.
# Usage: CREDITNET_BENCH_STORE=DIR [CREDITNET_BENCH_BASE=…/credit-node] Benchmarks/names.sh [DURATION] [RUNS]
#        (defaults 20 s, 3)
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/release.sh
. Benchmarks/wrk.sh
. Benchmarks/county.sh
duration=${1:-20}
runs=${2:-3}
county_work names
# 1. The migration on a store made before it.
echo "subjects: $(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM subjects').fetchone()[0])" "$copy/node.sqlite")"
migration_timed subjects_name v37-subjects-by-name
# 2. The search: the queries drawn from the store's names.
python3 - "$copy/node.sqlite" "$work" <<'PY'
import random, sqlite3, sys, urllib.parse
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT id, name FROM subjects WHERE length(name) >= 8 AND length(code) = 18").fetchall()
rng = random.Random(46)
chosen = rng.sample(rows, min(5000, len(rows)))
q = lambda text: "/search?q=" + urllib.parse.quote(text)
beginnings = [name[: rng.randint(3, 6)] for _, name in chosen]
open(sys.argv[2] + "/names-beginning.txt", "w").writelines(q(b) + "\n" for b in beginnings)
open(sys.argv[2] + "/names-within.txt", "w").writelines(q(name[4:8]) + "\n" for _, name in chosen)
open(sys.argv[2] + "/names-whole.txt", "w").writelines(q(name) + "\n" for _, name in chosen)
# The second page of a beginning: after the 20th name beginning with it (by name, then row).
second = []
for b in beginnings:
    page = db.execute("SELECT id FROM subjects WHERE name >= ? AND name < ? ORDER BY name, id LIMIT 1 OFFSET 19", (b, b + "\U0010FFFF")).fetchone()
    if page: second.append(q(b) + "&after=b" + str(page[0]) + "\n")
open(sys.argv[2] + "/names-second.txt", "w").writelines(second)
print("queries: 5,000 of each; beginnings with a second page:", len(second), "e.g.", beginnings[0], "/", chosen[0][1][4:8])
PY
routes=("beginning|/|$work/names-beginning.txt" "within|/|$work/names-within.txt" "whole|/|$work/names-whole.txt")
served_routes names "${routes[@]}"
# The second page of a beginning, this build only (the earlier one's pages are positioned otherwise).
serve_county "$config" "$work/serve-names.log"
measure_routes this "$base" 16 "second|/|$work/names-second.txt"
kill "$server"; wait "$server" 2>/dev/null || true
server=
# 3. The index's cost to an ingest into the store.
index_cost names subjects_name
