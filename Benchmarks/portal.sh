#!/usr/bin/env bash
# The public credit portal under load. A county node holding RECORDS generated records
# (penalties and licences over its four townships, and list entries) about some hundreds of
# thousands of distinct subjects; its `serve` (release build) with the portal on loopback; `wrk`
# with 16 connections for DURATION seconds per route, one route after another:
#   /static/portal.css (the floor: a file from memory through the same server), /,
#   /subjects/{code} (a company with several records; then 5,000 companies at random: pages
#   not yet built), /search?q= a two- and a four-character
#   fragment of names, /publicity/penalty filtered by region and date, /reports/{code} (signed).
# Prints requests/s and p50/p99 per route and each route's share of the floor, and the ingest's
# records/s (the search index and the digests kept by triggers included).
# Then the operators' pages on the records listener, /ops/, /ops/quality and the last whole
# month's bulletin (/ops/bulletin, and its CSV), with 4 connections
# (a credit office's few readers) — each built from the store at every request.
# Usage: Benchmarks/portal.sh [RECORDS] [DURATION]   (defaults: 1000000 records, 30 s)
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/release.sh
. Benchmarks/wrk.sh
n=${1:-1000000}
duration=${2:-30}
# CREDITNET_BENCH_STORE=DIR keeps the generated node in DIR and, when DIR already holds one,
# measures it again without generating (to compare two builds on the same store).
work=${CREDITNET_BENCH_STORE:-}
reuse=
if [ -n "$work" ]; then
  mkdir -p "$work"
  [ -f "$work/c/node.sqlite" ] && [ -f "$work/ingested" ] && reuse=1
  cleanup=
else
  work=$(mktemp -d /tmp/creditnet-portal.XXXX)
  cleanup="$work"
fi
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; wait 2>/dev/null; [ -n "$cleanup" ] && rm -rf "$cleanup"' EXIT
port=${CREDITNET_BENCH_PORT:-7480}
county=420102000000
townships=(420102001000 420102002000 420102003000 420102004000)
config=$work/c/node.yaml
if [ -z "$reuse" ]; then
  "$node" pki init --out "$work/ca" >/dev/null
  "$node" pki issue --ca "$work/ca" --code $county --out "$work/cert" >/dev/null
  children=()
  for t in "${townships[@]}"; do children+=(--child "$t"); done
  "$node" init --code $county --name 江岸区 --data "$work/c" --identity "$work/cert" --listen 127.0.0.1:$port --portal 127.0.0.1:$((port + 1)) "${children[@]}" >/dev/null
  # The records listener, with the operators' pages (local only).
  echo "recordsListen: \"127.0.0.1:$((port + 2))\"" >> "$config"

  # RECORDS rows: 60 % penalties and 38 % licences, decided over the last year (13 four-week
  # periods) in the four townships' villages, the townships interleaved as departments report in
  # life; 2 % list entries. Each file its own seed: its own subjects.
  periods=13
  penalties=$((n * 60 / 100 / 4 / periods)) licences=$((n * 38 / 100 / 4 / periods))
  lists=$((n - 4 * periods * (penalties + licences)))
  files=()
  seed=1
  for p in $(seq $((periods - 1)) -1 0); do
    day=$(python3 -c "import datetime, sys; print(datetime.date.today() - datetime.timedelta(days=28 * int(sys.argv[1])))" "$p")
    for t in "${townships[@]}"; do
      village=${t:0:9}201
      for spec in "penalty $penalties" "license $licences"; do
        set -- $spec
        "$node" generate --config "$config" --kind "$1" --rows "$2" --subjects $(($2 / 3)) --seed $seed --faults 0 --late 0 --as-of "$day" --jurisdiction "$village" --out "$work/$1-$seed.csv" 2>/dev/null
        files+=("$1 $work/$1-$seed.csv")
        seed=$((seed + 1))
      done
    done
  done
  for kind in blacklist redlist; do
    "$node" generate --config "$config" --kind $kind --rows $((lists / 2)) --seed $seed --faults 0 --out "$work/$kind.csv" 2>/dev/null
    files+=("$kind $work/$kind.csv")
    seed=$((seed + 1))
  done
  start=$(date +%s.%N)
  for f in "${files[@]}"; do
    set -- $f
    "$node" ingest "$2" --kind "$1" --config "$config" >/dev/null
  done
  ingested=$(date +%s.%N)
  echo "$start $ingested" > "$work/ingested"
else
  read -r start ingested < "$work/ingested"
fi

# What to ask for, read from the store: a company with several public penalties, fragments of
# the commonest names, a decision date for the filter.
read -r company two four day < <(python3 - "$work/c/node.sqlite" "$work/subjects.txt" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
# 5,000 companies with public penalties, for the route that asks for a different subject each time.
with open(sys.argv[2], "w") as f:
    for (code,) in db.execute("SELECT DISTINCT subject_code FROM records WHERE kind = 'penalty' AND subject_code GLOB '9*' LIMIT 5000"):
        f.write(f"/subjects/{code}\n")
company = db.execute("""SELECT subject_code FROM records WHERE kind = 'penalty' AND subject_code GLOB '9*'
                        GROUP BY subject_code HAVING count(*) BETWEEN 4 AND 12 LIMIT 1""").fetchone()[0]
people = [r[0] for r in db.execute("SELECT name FROM subjects WHERE length(name) BETWEEN 2 AND 3 LIMIT 2000")]
from collections import Counter
two = Counter(p[:2] for p in people).most_common(1)[0][0]
firms = [r[0] for r in db.execute("SELECT name FROM subjects WHERE length(name) > 8 LIMIT 2000")]
four = Counter(f[2:6] for f in firms).most_common(1)[0][0]
day = db.execute("SELECT decision_date FROM records WHERE kind = 'penalty' ORDER BY decision_date DESC LIMIT 1 OFFSET 5000").fetchone()[0]
print(company, two, four, day)
PY
)
counts=$(python3 - "$work/c/node.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("SELECT count(*) FROM records").fetchone()[0], db.execute("SELECT count(*) FROM subjects").fetchone()[0])
PY
)
read -r records subjects <<<"$counts"

"$node" serve --config "$config" 2>"$work/serve.log" &
server=$!
for _ in $(seq 1 300); do grep -q "credit portal on" "$work/serve.log" && break; sleep 0.1; done
base=http://127.0.0.1:$((port + 1))
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }
routes=(
  "static|/static/portal.css"
  "home|/"
  "subject|/subjects/$company"
  "subjects|/subjects/$company|$work/subjects.txt"
  "search-2|/search?q=$(enc "$two")"
  "search-4|/search?q=$(enc "$four")"
  "listing|/publicity/penalty?region=${townships[1]}&from=$day"
  "report|/reports/$company"
)
# Each route once first: its answer checked, and the report's first call seals this node's changes
# into signed change sets (once, as a node's first push or pull would).
for r in "${routes[@]}"; do
  path=${r#*|}
  path=${path%%|*}
  python3 - "$base$path" <<'PY' || exit 1
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1], timeout=600).read()
except urllib.error.HTTPError as e:
    sys.exit(f"portal: {sys.argv[1]} answered {e.code}: {e.read()[:400].decode(errors='replace')}")
PY
done
printf "records %s, distinct subjects %s, ingested at %.0f records/s (triggers included)\n" "$records" "$subjects" \
  "$(awk -v n="$records" -v s="$start" -v e="$ingested" 'BEGIN { print n / (e - s) }')"
printf "queries: company %s, fragments %s and %s, listing from %s\n" "$company" "$two" "$four" "$day"
printf "%-10s %10s %9s %9s %8s\n" route "req/s" "p50 ms" "p99 ms" "/floor"
floor=
for r in "${routes[@]}"; do
  name=${r%%|*} path=${r#*|}
  list=
  if [ "$path" != "${path#*|}" ]; then list=${path#*|}; path=${path%%|*}; fi
  if [ -n "$list" ]; then
    # Each request a path drawn at random from the list: pages not yet built (the cache holds 1,024).
    wrk -t2 -c16 -d"${duration}s" --latency -s "$wrk_paths" "$base$path" -- "$list" > "$work/wrk-$name.txt"
  else
    wrk -t2 -c16 -d"${duration}s" --latency "$base$path" > "$work/wrk-$name.txt"
  fi
  rps=$(wrk_rps "$work/wrk-$name.txt")
  [ -z "$floor" ] && floor=$rps
  errors=$(wrk_errors "$work/wrk-$name.txt")
  printf "%-10s %10.0f %9s %9s %8.3f %s\n" "$name" "$rps" "$(wrk_ms 50% "$work/wrk-$name.txt")" "$(wrk_ms 99% "$work/wrk-$name.txt")" "$(awk -v a="$rps" -v b="$floor" 'BEGIN { print a / b }')" "$errors"
done

# The operators' pages: 4 connections, each request built from the store.
ops=http://127.0.0.1:$((port + 2))
printf "%-10s %10s %9s %9s   (operators' pages, 4 connections)\n" route "req/s" "p50 ms" "p99 ms"
for r in "ops|/ops/" "quality|/ops/quality" "bulletin|/ops/bulletin" "bull-csv|/ops/bulletin?format=csv"; do
  name=${r%%|*} path=${r#*|}
  wrk -t2 -c4 -d"${duration}s" --timeout 60s --latency "$ops$path" > "$work/wrk-$name.txt"
  rps=$(wrk_rps "$work/wrk-$name.txt")
  errors=$(wrk_errors "$work/wrk-$name.txt")
  printf "%-10s %10.2f %9s %9s %s\n" "$name" "$rps" "$(wrk_ms 50% "$work/wrk-$name.txt")" "$(wrk_ms 99% "$work/wrk-$name.txt")" "$errors"
done
