#!/usr/bin/env bash
# 关怀版 and the sites of every level (session 40): what the reader's view and the division
# directory's sites cost a page. The county store of `portal.sh` (generated first when
# CREDITNET_BENCH_STORE holds none), served with a division directory that gives the sites above
# and below it; `wrk` with 16 connections for DURATION seconds per route, each route read in the
# standard view and in 关怀版 (the cookie `cn_view=care`) in the same run: the home page, the
# 公示目录, a two-character search and a filtered listing (kept pages: the cache holds each view
# apart), and 5,000 companies' pages at random (built afresh: each render carries the view and
# the sites). Then `/ops/network` (two index lookups per node shown for 本级最近报送), 4 connections.
# Usage: CREDITNET_BENCH_STORE=DIR Benchmarks/views.sh [RECORDS] [DURATION]   (defaults 200000, 20 s)
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/release.sh
. Benchmarks/wrk.sh
. Benchmarks/county.sh
n=${1:-200000}
duration=${2:-20}
county_store "$n"
config=$work/c/node.yaml
mkdir -p "$work/c/control"
cat > "$work/c/control/divisions.json" <<'JSON'
{"source": "benchmark",
 "divisions": {"420000000000": "湖北省", "420100000000": "武汉市", "420102000000": "江岸区",
               "420102001000": "江岸一街道", "420102002000": "江岸二街道", "420102003000": "江岸三街道", "420102004000": "江岸四街道"},
 "sites": {"420000000000": "https://credit.hubei.gov.cn/", "420100000000": "https://credit.wuhan.gov.cn/",
           "420102001000": "http://127.0.0.1:7601/", "420102002000": "http://127.0.0.1:7602/",
           "420102003000": "http://127.0.0.1:7603/", "420102004000": "http://127.0.0.1:7604/"},
 "national": {"name": "信用中国", "site": "https://www.creditchina.gov.cn/"}}
JSON
serve_county "$config" "$work/serve-views.log"
base=http://127.0.0.1:$((port + 1))
two=$(python3 - "$work/c/node.sqlite" <<'PY'
import sqlite3, sys, urllib.parse
from collections import Counter
db = sqlite3.connect(sys.argv[1])
people = [r[0] for r in db.execute("SELECT name FROM subjects WHERE length(name) BETWEEN 2 AND 3 LIMIT 2000")]
print(urllib.parse.quote(Counter(p[:2] for p in people).most_common(1)[0][0]))
PY
)
[ -f "$work/subjects.txt" ] || { echo "no $work/subjects.txt: run portal.sh with CREDITNET_BENCH_STORE=$work first" >&2; exit 1; }
# The sites reach the pages: the footer links the province's site.
# (Each page read whole before it is searched: `grep -q` stopping early would fail the pipe.)
home=$(curl -s "$base/")
[[ $home == *credit.hubei.gov.cn* ]] || { echo "the division directory's sites are not on the home page" >&2; exit 1; }
care=$(curl -s -H "Cookie: cn_view=care" "$base/")
[[ $care == *'<html lang="zh-CN" class="care">'* ]] || { echo "关怀版 not served" >&2; exit 1; }
printf "%-10s %-8s %10s %9s %9s\n" route view "req/s" "p50 ms" "p99 ms"
for r in "home|/" "catalogue|/catalogue" "search-2|/search?q=$two" "listing|/publicity/penalty?region=420102002000" "subjects|/|$work/subjects.txt"; do
  name=${r%%|*} path=${r#*|}
  list=
  if [ "$path" != "${path#*|}" ]; then list=${path#*|}; path=${path%%|*}; fi
  for view in standard care; do
    header=()
    [ "$view" = care ] && header=(-H "Cookie: cn_view=care")
    out="$work/wrk-views-$name-$view.txt"
    wrk_route "$out" 16 "$base$path" "$list" "${header[@]}"
    printf "%-10s %-8s %10.0f %9s %9s %s\n" "$name" "$view" "$(wrk_rps "$out")" "$(wrk_ms 50% "$out")" "$(wrk_ms 99% "$out")" "$(wrk_errors "$out")"
  done
done
ops=http://127.0.0.1:$((port + 2))
out="$work/wrk-views-network.txt"
wrk_route "$out" 4 "$ops/ops/network"
printf "%-10s %-8s %10.1f %9s %9s   (operators' page, 4 connections)\n" network - "$(wrk_rps "$out")" "$(wrk_ms 50% "$out")" "$(wrk_ms 99% "$out")"
