#!/usr/bin/env bash
# 失信举报 (session 43): what the reports cost the pages that count them. A copy of the county store
# of `portal.sh` (generated first when CREDITNET_BENCH_STORE holds none), measured first without a
# report, then given OPEN reports still to answer (received over the last 60 days: some past their
# limit) and as many answered; `wrk` for DURATION seconds on /ops/work (which counts those waiting
# and past their limit) and /ops/complaints (the oldest 200 listed, all counted) with 4
# connections, and on the public's form and 5,000 follow-up codes' status pages with 16.
# Usage: CREDITNET_BENCH_STORE=DIR Benchmarks/complaints.sh [OPEN] [DURATION]   (defaults 10000, 20 s)
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/release.sh
. Benchmarks/wrk.sh
. Benchmarks/county.sh
open=${1:-10000}
duration=${2:-20}
county_work complaints
printf "%-8s %-11s %9s %9s %9s\n" reports route "req/s" "p50 ms" "p99 ms"
serve_county "$config" "$work/serve-complaints.log"
measure_routes none "$ops" 4 "work|/ops/work" "complaints|/ops/complaints"
kill "$server"; wait "$server" 2>/dev/null || true
# The reports written as the portal keeps them (the store's own table; the portal allows five an
# address an hour), received over the last 60 days, and as many answered.
python3 - "$copy/node.sqlite" "$open" "$work/codes.txt" <<'PY'
import random, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
n = int(sys.argv[2])
rng = random.Random(43)
alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
categories = ["食品药品安全", "安全生产", "生态环境", "产品质量", "价格与市场秩序", "拖欠工资", "合同履约"]
now = int(time.time() * 1000)
codes = []
rows = []
for i in range(2 * n):
    code = "".join(rng.choice(alphabet) for _ in range(12))
    codes.append(code)
    at = now - rng.randrange(60 * 86_400_000)
    text = "该店长期销售过期食品，" * rng.randrange(2, 30)
    if i < n:
        state = "pending" if i % 2 else "accepted"
        rows.append((at, code, f"某某商店{i}", rng.choice(categories), text, "举报人", "13900000000", state,
                     "某市场监督管理局" if state == "accepted" else None, at + 1000 if state == "accepted" else None, None, None, None))
    else:
        rows.append((at, code, f"某某商店{i}", rng.choice(categories), text, None, None, "closed", "某市场监督管理局", at + 1000, at + 2000,
                     "经核查属实，已立案查处。", "substantiated"))
db.executemany("""INSERT INTO complaints (at, code, subject_name, category, content, reporter, contact, state, unit, accepted_at, decided_at, decision, finding)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", rows)
db.commit()
with open(sys.argv[3], "w") as out:
    for code in rng.sample(codes, 5000):
        print("/complaints/status?code=" + code, file=out)
PY
serve_county "$config" "$work/serve-complaints.log"
measure_routes "$open" "$ops" 4 "work|/ops/work" "complaints|/ops/complaints"
measure_routes public "$base" 16 "form|/complaints" "status|/|$work/codes.txt"
