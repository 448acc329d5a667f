#!/usr/bin/env bash
# 四率走势 (session 47): what the twelve months' four rates cost an operator's page. A copy of the
# county store of `portal.sh` (generated first when CREDITNET_BENCH_STORE holds none), served by
# this build, RUNS fresh starts, each: single requests of
#   1. the last whole month's bulletin (/ops/bulletin: the month's figures and, the first time after
#      a start, the decision-number gaps every month shares) — the page the trend reads twelve of;
#   2. /ops/trend (the eleven other months of the twelve read for the first time);
#   3. /ops/trend again (every month's figures kept);
# then `wrk` for DURATION seconds with 16 connections on /ops/trend and /ops/bulletin, both kept.
# Usage: CREDITNET_BENCH_STORE=DIR Benchmarks/trend.sh [DURATION] [RUNS]   (defaults 10 s, 3)
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/release.sh
. Benchmarks/wrk.sh
. Benchmarks/county.sh
duration=${1:-10}
runs=${2:-3}
county_work trend
month=$(python3 -c "import datetime; d = datetime.date.today().replace(day=1) - datetime.timedelta(days=1); print(d.strftime('%Y-%m'))")
timed() { curl -s -o /dev/null -w '%{http_code} %{time_total}' "$1"; }
echo "records: $(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM records').fetchone()[0])" "$copy/node.sqlite")"
printf "%-5s %-24s %-24s %-24s\n" start "bulletin $month (s)" "trend, cold (s)" "trend, kept (s)"
for i in $(seq "$runs"); do
  serve_county "$config" "$work/serve-trend.log"
  b=$(timed "$ops/ops/bulletin?month=$month")
  t=$(timed "$ops/ops/trend")
  k=$(timed "$ops/ops/trend")
  printf "%-5s %-24s %-24s %-24s\n" "$i" "$b" "$t" "$k"
  kill "$server"; wait "$server" 2>/dev/null || true
  server=
done
serve_county "$config" "$work/serve-trend.log"
curl -s -o /dev/null "$ops/ops/trend"
printf "%-8s %-11s %9s %9s %9s\n" build route "req/s" "p50 ms" "p99 ms"
measure_routes this "$ops" 16 "trend|/ops/trend" "bulletin|/ops/bulletin?month=$month"
