#!/usr/bin/env bash
# 信用动态 (session 41): what the articles' pages and the office's monthly ledger cost at scale. A
# copy of the county store of `portal.sh` (generated first when CREDITNET_BENCH_STORE holds none)
# given ARTICLES articles of this month, spread over its four townships (a city's year of
# articles at 2 a unit a month, all in one month: the worst case for the ledger, which counts the
# month's articles by unit, region and 栏目); `wrk` with 16 connections for DURATION seconds per
# public route — the home page (its newest articles), /news and a 栏目 of it (kept pages), 5,000
# articles' pages at random (built afresh) — and 4 connections on /ops/news (this month's ledger,
# kept while the store is unchanged), on the same page confirming an article (counted afresh) and
# on /ops/network (each node's newest article, kept likewise). Session 42: the articles searched
# by words, 5,000 different queries a route (two characters, four, two words, the site search).
# Usage: CREDITNET_BENCH_STORE=DIR Benchmarks/news.sh [ARTICLES] [DURATION]   (defaults 20000, 20 s)
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/release.sh
. Benchmarks/wrk.sh
. Benchmarks/county.sh
articles=${1:-20000}
duration=${2:-20}
county_work news
per=$((articles / 4))
start=$(date +%s.%N)
for t in 1 2 3 4; do
  "$node" generate --config "$config" --kind news --rows "$per" --seed "$((60 + t))" --faults 0 --late 0 \
    --jurisdiction "42010200${t}000" --out "$work/news-$t.csv" >/dev/null 2>&1
  "$node" ingest "$work/news-$t.csv" --kind news --config "$config" --json >/dev/null
done
end=$(date +%s.%N)
python3 -c "import sys; print(f'ingested {sys.argv[1]} articles in {float(sys.argv[3]) - float(sys.argv[2]):.1f} s')" "$((per * 4))" "$start" "$end"
serve_county "$config" "$work/serve-news.log"
python3 - "$copy/node.sqlite" > "$work/articles.txt" <<'PY'
import sqlite3, sys, urllib.parse
db = sqlite3.connect(sys.argv[1])
for (key,) in db.execute("SELECT record_key FROM records WHERE kind = 'news' ORDER BY random() LIMIT 5000"):
    print("/news/" + urllib.parse.quote(key, safe=""))
PY
# The pages hold the articles (each read whole before it is searched).
page=$(curl -s "$base/news")
[[ $page == *news-list* ]] || { echo "/news lists no article" >&2; exit 1; }
first=$(head -1 "$work/articles.txt")
page=$(curl -s "$base$first")
[[ $page == *article-body* ]] || { echo "$first is not an article's page" >&2; exit 1; }
column=$(python3 -c "import urllib.parse; print(urllib.parse.quote('政策法规'))")
printf "%-10s %10s %9s %9s\n" route "req/s" "p50 ms" "p99 ms"
for r in "home|/" "news|/news" "column|/news?column=$column" "articles|/|$work/articles.txt"; do
  name=${r%%|*} path=${r#*|}
  list=
  if [ "$path" != "${path#*|}" ]; then list=${path#*|}; path=${path%%|*}; fi
  out="$work/wrk-news-$name.txt"
  wrk_route "$out" 16 "$base$path" "$list"
  printf "%-10s %10.0f %9s %9s %s\n" "$name" "$(wrk_rps "$out")" "$(wrk_ms 50% "$out")" "$(wrk_ms 99% "$out")" "$(wrk_errors "$out")"
done
# Searched by words (`/news?q=`, the site's `/search?q=` with its articles): 5,000 different
# queries a route, drawn from the articles' own text (a few of two characters drawn from the
# characters the texts use, most found, some not), each page built afresh at its first request.
python3 - "$copy/node.sqlite" "$work" <<'PY'
import json, random, sqlite3, sys, urllib.parse
db = sqlite3.connect(sys.argv[1])
texts = []
for (body,) in db.execute("SELECT c.body FROM records r JOIN changes c ON c.id = r.content_change WHERE r.kind = 'news'"):
    fields = json.loads(body)
    texts.append(next((v for k, v in fields.items() if k.endswith("_BT")), "") + "\n" + next((v for k, v in fields.items() if k.endswith("_ZW")), ""))
rng = random.Random(42)
chars = sorted({c for t in texts for c in t if "\u4e00" <= c <= "\u9fff"})
def window(n):
    while True:
        t = rng.choice(texts)
        if len(t) <= n:
            continue
        i = rng.randrange(len(t) - n)
        w = t[i:i + n]
        if all("\u4e00" <= c <= "\u9fff" for c in w):
            return w
def write(name, path, words):
    with open(f"{sys.argv[2]}/{name}.txt", "w") as out:
        for w in words:
            print(path + urllib.parse.quote(w), file=out)
write("search-2", "/news?q=", [window(2) if i % 4 else rng.choice(chars) + rng.choice(chars) for i in range(5000)])
write("search-4", "/news?q=", [window(4) for _ in range(5000)])
write("search-terms", "/news?q=", [window(2) + " " + window(2) for _ in range(5000)])
write("search-site", "/search?q=", [window(3) for _ in range(5000)])
PY
for r in "search-2|$work/search-2.txt" "search-4|$work/search-4.txt" "search-terms|$work/search-terms.txt" "search-site|$work/search-site.txt"; do
  name=${r%%|*} list=${r#*|}
  out="$work/wrk-news-$name.txt"
  wrk_route "$out" 16 "$base/" "$list"
  printf "%-12s %8.0f %9s %9s %s\n" "$name" "$(wrk_rps "$out")" "$(wrk_ms 50% "$out")" "$(wrk_ms 99% "$out")" "$(wrk_errors "$out")"
done
total=$(curl -s "$ops/ops/news?format=json" | python3 -c "import json, sys; print(json.load(sys.stdin)['ledger']['total'])")
# As the office reads it (this month's ledger kept while the store is unchanged), and as the page
# confirming an article just published reads it (`published=`: counted afresh at every request).
out="$work/wrk-news-ops.txt"
wrk_route "$out" 4 "$ops/ops/news"
printf "%-10s %10.1f %9s %9s   (operators' page, 4 connections; the month's %s articles, kept)\n" ops-news "$(wrk_rps "$out")" "$(wrk_ms 50% "$out")" "$(wrk_ms 99% "$out")" "$total"
# /ops/network's 信用动态 column (each node's newest article in 90 days), kept as the ledger is.
out="$work/wrk-news-network.txt"
wrk_route "$out" 4 "$ops/ops/network"
printf "%-10s %10.1f %9s %9s   (operators' page, 4 connections; the newest article of each node shown)\n" network "$(wrk_rps "$out")" "$(wrk_ms 50% "$out")" "$(wrk_ms 99% "$out")"
out="$work/wrk-news-ops-fresh.txt"
wrk_route "$out" 4 "$ops/ops/news?published=${first#/news/}"
printf "%-10s %10.1f %9s %9s   (the same counted afresh at every request)\n" ops-fresh "$(wrk_rps "$out")" "$(wrk_ms 50% "$out")" "$(wrk_ms 99% "$out")"
