#!/usr/bin/env bash
# 举报材料 and 证明材料 (session 47): what a report with files costs the portal. A copy of the county
# store of `portal.sh` served by this build; RUNS times each, single requests with `curl`:
#   1. POST /complaints without a file (the form as before);
#   2. POST /complaints with three files of 5 MB (the most a report carries: two JPEG-headed, one PDF);
#   3. GET /ops/complaints/ID/evidence/1 of a 5 MB file (the office's download).
# The store's size before and after says what the files add to it.
# Usage: CREDITNET_BENCH_STORE=DIR Benchmarks/attachments.sh [RUNS]   (default 2: one address may have five
# reports kept an hour, and each run sends two)
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/release.sh
. Benchmarks/wrk.sh
. Benchmarks/county.sh
runs=${1:-2}
duration=1
county_work attachments
files=$work/attachments-files
mkdir -p "$files"
python3 - "$files" <<'PY'
import os, sys
d = sys.argv[1]
mb = 5 * 1024 * 1024
open(os.path.join(d, "a.jpg"), "wb").write(b"\xff\xd8\xff\xe0" + os.urandom(mb - 4))
open(os.path.join(d, "b.jpg"), "wb").write(b"\xff\xd8\xff\xe0" + os.urandom(mb - 4))
open(os.path.join(d, "c.pdf"), "wb").write(b"%PDF-1.4\n" + os.urandom(mb - 9))
PY
serve_county "$config" "$work/serve-attachments.log"
size() { python3 -c "import os,sys; print(f'{os.path.getsize(sys.argv[1]) / 1048576:.1f} MB')" "$copy/node.sqlite"; }
echo "store before: $(size); server's resident memory: $(awk '/VmRSS/ { print $2 / 1024 " MB" }' /proc/$server/status)"
post() {
  local jar=$work/attachments-jar
  curl -s -c "$jar" -o /dev/null "$base/complaints"
  local token
  token=$(awk '$6 == "cn_csrf" { print $7 }' "$jar")
  # No `Expect: 100-continue` (curl's habit past 1 MB, which no browser has): the body goes at once.
  curl -s -b "$jar" -o /dev/null -w '%{http_code} %{time_total}' -H 'Expect:' "$base/complaints?format=json" \
    -F csrf="$token" -F subject=某某超市 -F category=食品药品安全 -F content="货架上有过期食品仍在销售，已拍照留存。" -F truthful=yes "$@"
}
printf "%-5s %-26s %-26s %-26s\n" run "report, no file (s)" "report, 3 × 5 MB (s)" "download 5 MB (s)"
for i in $(seq "$runs"); do
  a=$(post)
  b=$(post -F "evidence=@$files/a.jpg" -F "evidence=@$files/b.jpg" -F "evidence=@$files/c.pdf")
  id=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT max(owner_id) FROM attachments').fetchone()[0])" "$copy/node.sqlite")
  c=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' "$ops/ops/complaints/$id/evidence/1")
  printf "%-5s %-26s %-26s %-26s\n" "$i" "$a" "$b" "$c"
done
echo "store after: $(size) (reports with files: $runs)"
echo "server's peak resident memory: $(awk '/VmHWM/ { print $2 / 1024 " MB" }' /proc/$server/status)"
