#!/usr/bin/env bash
# What routing costs a parent: a township with two villages ingests RECORDS generated penalties
# about one of them, so that every change is noted for that village's pulls (a row of `relevance`
# at the next position of the down stream, migration v27). Prints the wall time of each of RUNS
# ingests into a fresh store. Run it with another build's binary (`CREDITNET_BENCH_NODE`) to
# compare: before v27 a row was keyed by its change id, without positions or their triggers.
# Usage: Benchmarks/route.sh [RECORDS] [RUNS]   (defaults: 200000, 3)
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/release.sh
node=${CREDITNET_BENCH_NODE:-$node}
records=${1:-200000}
runs=${2:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$node" generate --node 420102002000 --kind penalty --rows "$records" --seed 1 --faults 0 --late 0 --jurisdiction 420102002201 \
  --out "$work/p.csv" >/dev/null 2>&1
for i in $(seq "$runs"); do
  rm -rf "$work/t"
  "$node" init --code 420102002000 --data "$work/t" --child 420102002201 --child 420102002202 >/dev/null
  start=$(date +%s.%N)
  "$node" ingest "$work/p.csv" --kind penalty --config "$work/t/node.yaml" >/dev/null
  end=$(date +%s.%N)
  python3 -c "import sys; print(f'run {sys.argv[1]}: {float(sys.argv[3]) - float(sys.argv[2]):.2f} s to ingest {sys.argv[4]} records, every one routed to a village')" \
    "$i" "$start" "$end" "$records"
done
