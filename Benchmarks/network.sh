#!/usr/bin/env bash
# /ops/network at the top of a Hubei-shaped network: a province node whose `node_health` holds
# the latest health record of each of the 27,377 nodes below it (generated topology; the
# records' content as nodes send it, issued at random over the last hour, a tenth of the
# villages never heard from), its `serve` (release build) with the records listener on
# loopback, and `wrk` with 4 connections (a credit office's few readers) for DURATION seconds per
# page: the province's own (its 17 children, each with its region counted), a city's, and a
# search by a fragment of a name. Prints requests/s and p50/p99 per page.
# Usage: Benchmarks/network.sh [DURATION]   (default 30 s)
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/release.sh
. Benchmarks/wrk.sh
duration=${1:-30}
work=$(mktemp -d /tmp/creditnet-network.XXXX)
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
port=${CREDITNET_BENCH_PORT:-7490}
province=420000000000
"$node" topology generate --out "$work/hubei.yaml"
"$node" pki init --out "$work/ca" >/dev/null
"$node" pki issue --ca "$work/ca" --code $province --out "$work/cert" >/dev/null
children=()
for c in $(python3 - "$work/hubei.yaml" <<'PY'
import re, sys
for line in open(sys.argv[1]):
    m = re.search(r'code: "(\d{12})".*parent: "420000000000"', line)
    if m: print(m.group(1))
PY
); do children+=(--child "$c"); done
"$node" init --code $province --name 湖北省 --data "$work/p" --identity "$work/cert" --listen 127.0.0.1:$port "${children[@]}" >/dev/null
config=$work/p/node.yaml
echo "recordsListen: \"127.0.0.1:$((port + 2))\"" >> "$config"
"$node" status --config "$config" >/dev/null   # creates the store
read -r nodes city fragment < <(python3 - "$work/hubei.yaml" "$work/p/node.sqlite" <<'PY'
import json, random, re, sqlite3, sys, time
random.seed(1)
db = sqlite3.connect(sys.argv[2])
now = int(time.time() * 1000)
nodes, kids = [], {}
for line in open(sys.argv[1]):
    m = re.search(r'code: "(\d{12})", name: "([^"]*)"', line)
    p = re.search(r'parent: "(\d{12})"', line)
    if not m or not p: continue
    nodes.append((m.group(1), m.group(2), p.group(1)))
    kids.setdefault(p.group(1), []).append(m.group(1))
rows = []
for code, name, parent in nodes:
    if code.endswith("000") is False and random.random() < 0.1:
        rows.append((code, parent, "", None, None, None, None, len(rows) + 1))   # a village never heard from
        continue
    issued = now - random.randint(0, 3_600_000)
    h = {"backlog": random.randint(0, 50), "catalogue": "2026.3", "children": sorted(kids.get(code, [])), "code": code,
         "issuedAt": issued, "name": name, "oldestPendingAt": issued - random.randint(0, 7_200_000), "parent": parent,
         "quarantined": 0, "records": random.randint(0, 5000), "software": "0.16.0", "windowSeconds": 259_200}
    rows.append((code, parent, name, issued, json.dumps(h, ensure_ascii=False, sort_keys=True, separators=(",", ":")), b"\0", issued, len(rows) + 1))
db.executemany("INSERT INTO node_health (code, parent, name, issued_at, content, encoded, received_at, written) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
db.commit()
city = next(c for c, n, p in nodes if p == "420000000000" and len(kids.get(c, [])) > 5)
print(len(rows), city, "江")
PY
)
"$node" serve --config "$config" 2>"$work/serve.log" &
server=$!
for _ in $(seq 1 300); do grep -q "records listener on" "$work/serve.log" && break; sleep 0.1; done
ops=http://127.0.0.1:$((port + 2))
echo "health records of $nodes nodes below the province"
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }
printf "%-10s %10s %9s %9s   (4 connections)\n" page "req/s" "p50 ms" "p99 ms"
for r in "province|/ops/network" "city|/ops/network?under=$city" "search|/ops/network?q=$(enc "$fragment")"; do
  name=${r%%|*} path=${r#*|}
  curl -sf "$ops$path" >/dev/null || { echo "$ops$path failed"; exit 1; }
  wrk -t2 -c4 -d"${duration}s" --timeout 60s --latency "$ops$path" > "$work/wrk-$name.txt"
  rps=$(wrk_rps "$work/wrk-$name.txt")
  errors=$(wrk_errors "$work/wrk-$name.txt")
  printf "%-10s %10.2f %9s %9s %s\n" "$name" "$rps" "$(wrk_ms 50% "$work/wrk-$name.txt")" "$(wrk_ms 99% "$work/wrk-$name.txt")" "$errors"
done
