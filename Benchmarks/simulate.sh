#!/usr/bin/env bash
# The deterministic simulator at scale, every node the production node on its own SQLite store (in
# memory): the demo topology (32 nodes) and a tenth of a Hubei-shaped province (2,739 nodes), each
# for DAYS simulated days (default 30) with seed 1 and no faults, then the demo again under every
# kind of fault. Prints each run's wall time and peak memory (from /usr/bin/time) and its report's
# workload, settle time and checks. (Hubei's whole shape, 27,377 SQLite stores, runs one day in about
# 8 minutes and 15 GiB; a month of it does not fit 24 GiB: see docs/PERFORMANCE.md.)
# Usage: Benchmarks/simulate.sh [DAYS] [--demo-only | --hubei-day]  (--hubei-day: also Hubei's whole shape, one day)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install -y time)"; exit 1; }
. Benchmarks/release.sh
days=${1:-30}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
faults='loss=0.05,dup=0.05,reorder=0.1,corrupt=0.03,crash=0.02,skew=3'
# The outages, each only when it starts within the simulated days (a shorter run would see the
# partition or the province's outage at the very end of its settle period, and fail to settle).
[ "$days" -gt 3 ] && faults+=',down=420102002201@3d+5d'
[ "$days" -gt 10 ] && faults+=',partition=420600000000@10d+20h'
[ "$days" -gt 20 ] && faults+=',down=420000000000@20d+12h,partition=420606000000@19d+1d,lose=420606000000@19d20h+6h,restore=420000000000@24d14h+4h'

run() { # name topology [args…]
  local name=$1 topology=$2
  shift 2
  /usr/bin/time -f "%e %M" -o "$work/$name.time" "$node" simulate "$topology" --days "$days" --seed 1 "$@" > "$work/$name.txt" 2> "$work/$name.err" || true
  # The last line: /usr/bin/time puts "Command exited with non-zero status" first when checks fail.
  read -r wall kb < <(tail -1 "$work/$name.time")
  printf '%-14s %8.1f s  %7.0f MiB   ' "$name" "$wall" "$(awk -v k="$kb" 'BEGIN {print k / 1024}')"
  grep -E '^workload:' "$work/$name.txt" | sed 's/^workload: *//' | tr -d '\n'
  printf '; %s\n' "$(grep -E '^result:' "$work/$name.txt" | sed 's/^result: *//')"
  grep -E '^settled:' "$work/$name.txt" | sed 's/^/               /'
}

echo "simulated days: $days; machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
run demo Topologies/demo.yaml
run demo-faults Topologies/demo.yaml --faults "$faults"
if [ "${2:-}" != "--demo-only" ]; then
  "$node" topology generate --cities 2 --counties 10 --province-administered 1 --townships 126 --villages 2600 --name hubei-tenth \
    --out "$work/tenth.yaml" 2>/dev/null
  run hubei-tenth "$work/tenth.yaml"
  sed -n '/^upward hop/,/^result/p' "$work/hubei-tenth.txt"
fi
if [ "${2:-}" = "--hubei-day" ]; then
  # Hubei's whole shape for one simulated day (its month does not fit this machine): about 8
  # minutes and 15 GiB.
  "$node" topology generate --out "$work/hubei.yaml" 2>/dev/null
  days=1 run hubei-day "$work/hubei.yaml"
fi
