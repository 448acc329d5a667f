#!/usr/bin/env bash
# Rebuilding a lost store from the parent (`credit-node recover`) and a backup of a running node
# (`credit-node backup`), release build, real processes: a chain province → city → county →
# township → village started with `up` (mutual TLS). ROWS penalties are ingested at the village —
# the baseline, the same rows' first entry — and once its township holds them all, the village is
# stopped, its store moved aside and `recover` takes its history back from the township. Then the
# township is backed up while it runs, stopped, its store moved aside and recovered from the
# county (which holds the village's sets the township forwarded).
# Usage: Benchmarks/recover.sh [ROWS]   (default 200000)
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/release.sh
rows=${1:-200000}
work=$(mktemp -d /tmp/creditnet-recover.XXXX)
port=${CREDITNET_BENCH_PORT:-7594}
topology=$work/chain.yaml
cat >"$topology" <<YAML
name: recover-bench
pushIntervalSeconds: 5
pullIntervalSeconds: 5
nodes:
  - {code: "420000000000", name: "湖北省", address: "127.0.0.1:$port"}
  - {code: "420100000000", name: "武汉市", parent: "420000000000", address: "127.0.0.1:$((port + 1))"}
  - {code: "420102000000", name: "江岸区", parent: "420100000000", address: "127.0.0.1:$((port + 2))"}
  - {code: "420102002000", name: "大智街道", parent: "420102000000", address: "127.0.0.1:$((port + 3))"}
  - {code: "420102002201", name: "大智一村", parent: "420102002000", address: "127.0.0.1:$((port + 4))"}
YAML
trap '"$node" down "$topology" --dir "$work/net" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
"$node" up "$topology" --dir "$work/net" --certs "$work/certs" >/dev/null
village=$work/net/420102002201
township=$work/net/420102002000
TIMEFORMAT="%R s wall, %U s user, %S s system"

"$node" generate --config "$village/node.yaml" --kind penalty --rows "$rows" --seed 5 --faults 0 --out "$work/p.csv" >/dev/null 2>&1
echo "ingest of $rows penalties at the village (the baseline):"
time "$node" ingest "$work/p.csv" --kind penalty --config "$village/node.yaml" >/dev/null
# Sent up on the village's schedule; waited for, not timed.
until "$node" status --config "$township/node.yaml" 2>/dev/null | grep -q "origin 420102002201: held seq $rows,"; do sleep 2; done
until "$node" status --config "$work/net/420102000000/node.yaml" 2>/dev/null | grep -q "origin 420102002201: held seq $rows,"; do sleep 2; done

"$node" down "$topology" --dir "$work/net" --node 420102002201 >/dev/null
mkdir "$village/lost" && mv "$village"/node.sqlite* "$village/lost/"
echo "recover at the village (its $rows changes from the township):"
time "$node" recover --config "$village/node.yaml"

echo "backup of the township while it runs:"
time "$node" backup --config "$township/node.yaml" --to "$work/township.sqlite"
"$node" down "$topology" --dir "$work/net" --node 420102002000 >/dev/null
mkdir "$township/lost" && mv "$township"/node.sqlite* "$township/lost/"
echo "recover at the township (the village's $rows changes from the county):"
time "$node" recover --config "$township/node.yaml"
