# Sourced by the benchmarks on the county store of `portal.sh` (views.sh, news.sh), after
# release.sh and wrk.sh: the store in CREDITNET_BENCH_STORE, generated there once, a node of it
# served, and a route driven with `wrk`.
work=${CREDITNET_BENCH_STORE:?set CREDITNET_BENCH_STORE=DIR (the store is generated there once, by portal.sh)}
port=${CREDITNET_BENCH_PORT:-7480}
# `county_store RECORDS`: the store of RECORDS records, generated when DIR holds none.
county_store() {
  if ! [ -f "$work/c/node.sqlite" ] || ! [ -f "$work/ingested" ]; then
    CREDITNET_BENCH_STORE=$work Benchmarks/portal.sh "$1" 3 >/dev/null
  fi
}
# `county_copy DIR`: a fresh copy of the store in DIR (its store, control data and configuration),
# so that what a benchmark adds leaves the county store as it was.
county_copy() {
  rm -rf "$1"
  mkdir -p "$1"
  cp "$work/c/node.sqlite" "$1/"
  [ -d "$work/c/control" ] && cp -r "$work/c/control" "$1/"
  sed "s#^data: .*#data: \"$1\"#" "$work/c/node.yaml" > "$1/node.yaml"
}
# `county_work NAME`: the county store of 200,000 records (generated once) and a fresh copy of it in
# $work/NAME-c for one benchmark; sets `copy`, its `config`, and the portal's and the operators'
# addresses `base` and `ops` for when it is served.
county_work() {
  county_store 200000
  copy=$work/$1-c
  county_copy "$copy"
  config=$copy/node.yaml
  base=http://127.0.0.1:$((port + 1))
  ops=http://127.0.0.1:$((port + 2))
}
# `ingest_into DIR INDEX CSV`: the seconds an ingest of the penalties of CSV takes into a fresh
# copy in DIR (migrated first), with the index INDEX dropped beforehand unless it is empty.
ingest_into() {
  county_copy "$1"
  "$node" status --config "$1/node.yaml" >/dev/null
  if [ -n "$2" ]; then python3 -c "import sqlite3,sys; sqlite3.connect(sys.argv[1]).execute('DROP INDEX ' + sys.argv[2])" "$1/node.sqlite" "$2"; fi
  local s e
  s=$(date +%s.%N)
  "$node" ingest "$3" --kind penalty --config "$1/node.yaml" >/dev/null
  e=$(date +%s.%N)
  python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$s" "$e"
}
# `index_cost NAME INDEX`: what the index INDEX costs an ingest — 30,000 new penalties of 10,000
# new subjects (`generate`, seed 9001) ingested into copies with it and without it, alternating,
# $runs times each.
index_cost() {
  "$node" generate --kind penalty --rows 30000 --subjects 10000 --seed 9001 --config "$config" --out "$work/$1-new.csv" >/dev/null
  local w=() wo=()
  for _ in $(seq "$runs"); do
    w+=("$(ingest_into "$work/$1-with" "" "$work/$1-new.csv")")
    wo+=("$(ingest_into "$work/$1-without" "$2" "$work/$1-new.csv")")
  done
  echo "ingest of 30,000 penalties (10,000 new subjects), s — with $2: ${w[*]}; without: ${wo[*]}"
}
# `migration_timed INDEX IDENTIFIER`: the migration IDENTIFIER building INDEX, timed on the copy —
# migrated first, the index and the migration's row dropped, then `status` opening it (once) —
# against `status` on the store migrated.
migration_timed() {
  "$node" status --config "$config" >/dev/null
  python3 -c "
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute('DROP INDEX ' + sys.argv[2])
db.execute('DELETE FROM grdb_migrations WHERE identifier = ?', (sys.argv[3],))
db.commit()" "$copy/node.sqlite" "$1" "$2"
  local kept=$runs
  runs=1
  echo "status, migrating: $(best "$node" status --config "$config")"
  echo "status, migrated:  $(best "$node" status --config "$config")"
  runs=$kept
}
# `served_routes NAME ROUTE…`: the copy served by this build and `measure_routes` on each ROUTE
# (16 connections), under a header; with CREDITNET_BENCH_BASE set, the same routes on a fresh copy
# served by that earlier build — given first, when a function `before_prepare DIR` is defined,
# what this copy was given — each server stopped after.
served_routes() {
  local name=$1
  shift
  printf "%-8s %-11s %9s %9s %9s\n" build route "req/s" "p50 ms" "p99 ms"
  serve_county "$config" "$work/serve-$name.log"
  measure_routes this "$base" 16 "$@"
  kill "$server"; wait "$server" 2>/dev/null || true
  server=
  [ -n "${CREDITNET_BENCH_BASE:-}" ] || return 0
  local before=$work/$name-before this=$node
  county_copy "$before"
  node=$CREDITNET_BENCH_BASE
  if declare -F before_prepare >/dev/null; then before_prepare "$before"; fi
  serve_county "$before/node.yaml" "$work/serve-$name-before.log"
  measure_routes before "$base" 16 "$@"
  kill "$server"; wait "$server" 2>/dev/null || true
  server=
  node=$this
}
# `serve_county CONFIG LOG`: the node of CONFIG served (stopped when the script exits), once its
# portal and records listener are up.
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; wait 2>/dev/null' EXIT
serve_county() {
  "$node" serve --config "$1" 2>"$2" &
  server=$!
  for _ in $(seq 1 300); do grep -q "credit portal on" "$2" && grep -q "records listener on" "$2" && break; sleep 0.1; done
}
# `wrk_route OUT CONNECTIONS URL [PATHS [HEADER…]]`: `wrk -t2` for $duration seconds on URL (with
# PATHS, a file: a path drawn from it at each request), its report in OUT.
wrk_route() {
  local out=$1 connections=$2 url=$3 paths=${4:-}
  shift $(($# < 4 ? $# : 4))
  if [ -n "$paths" ]; then
    wrk -t2 -c"$connections" -d"${duration}s" --latency "$@" -s "$wrk_paths" "$url" -- "$paths" > "$out"
  else
    wrk -t2 -c"$connections" -d"${duration}s" --latency "$@" "$url" > "$out"
  fi
}
# `measure_routes LABEL BASE CONNECTIONS NAME|PATH[|PATHS]…`: `wrk_route` on each route of BASE,
# one line each: the label, the route's name, requests per second, p50 and p99 in ms, errors.
measure_routes() {
  local label=$1 base=$2 connections=$3
  shift 3
  for r in "$@"; do
    local name=${r%%|*} path=${r#*|} list=
    if [ "$path" != "${path#*|}" ]; then list=${path#*|}; path=${path%%|*}; fi
    local out="$work/wrk-$label-$name.txt"
    wrk_route "$out" "$connections" "$base$path" "$list"
    printf "%-8s %-11s %9.0f %9s %9s %s\n" "$label" "$name" "$(wrk_rps "$out")" "$(wrk_ms 50% "$out")" "$(wrk_ms 99% "$out")" "$(wrk_errors "$out")"
  done
}
