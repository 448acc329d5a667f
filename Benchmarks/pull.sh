#!/usr/bin/env bash
# The downward pull, end to end with real processes: a township decides N penalties about
# companies in one of its villages; its `serve` runs; the village pulls them over mutual TLS, each
# change verified against its origin's signed Merkle root. Reports the pull's time, records/s and
# bytes per change, and the pull of the sibling village (which needs none of them) for the cost of
# selection.  Usage: Benchmarks/pull.sh [RECORDS]  (default 200000)
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/release.sh
n=${1:-200000}
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
port=${CREDITNET_BENCH_PORT:-7470}
t=420102002000 v1=420102002201 v2=420102002202
"$node" pki init --out "$work/ca" >/dev/null
for c in $t $v1 $v2; do "$node" pki issue --ca "$work/ca" --code $c --out "$work/certs/$c" >/dev/null; done
"$node" init --code $t --data "$work/t" --listen 127.0.0.1:$port --child $v1 --child $v2 --identity "$work/certs/$t" >/dev/null
for c in $v1 $v2; do "$node" init --code $c --data "$work/$c" --parent https://127.0.0.1:$port --identity "$work/certs/$c" >/dev/null; done
"$node" generate --config "$work/t/node.yaml" --kind penalty --rows "$n" --seed 1 --faults 0 --late 0 --jurisdiction $v1 --out "$work/p.csv" 2>/dev/null
"$node" ingest "$work/p.csv" --kind penalty --config "$work/t/node.yaml" >/dev/null
"$node" serve --config "$work/t/node.yaml" 2>/dev/null &
server=$!
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
# The first pull seals the township's changes into signed change sets (once); time it apart.
start=$(date +%s.%N)
"$node" pull --config "$work/$v2/node.yaml" --json > "$work/v2.json"
sealed=$(date +%s.%N)
"$node" pull --config "$work/$v2/node.yaml" --json > /dev/null
empty=$(date +%s.%N)
${CREDITNET_BENCH_WRAP:-} "$node" pull --config "$work/$v1/node.yaml" --json > "$work/v1.json"
done_=$(date +%s.%N)
applied=$(grep -o '"applied" : [0-9]*' "$work/v1.json" | grep -o '[0-9]*$')
bytes=$(grep -o '"bytes" : [0-9]*' "$work/v1.json" | grep -o '[0-9]*$')
awk -v n="$n" -v a="$applied" -v b="$bytes" -v s="$start" -v se="$sealed" -v e="$empty" -v d="$done_" 'BEGIN {
  printf "records decided at the township: %d\n", n
  printf "first pull by the sibling village (seals %d changes, sends none): %.2f s\n", n, se - s
  printf "pull by the sibling village, nothing to send:                    %.3f s\n", e - se
  printf "pull by the village concerned: %d changes in %.2f s = %.0f changes/s, %.0f bytes per change on the wire\n", a, d - e, a / (d - e), b / a
}'
