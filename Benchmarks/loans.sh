#!/usr/bin/env bash
# 信易贷 (session 44): what the businesses' requests cost the pages that list and count them. A copy
# of the county store of `portal.sh` (generated first when CREDITNET_BENCH_STORE holds none) given
# 20 loan products of five banks (ingested as any record), measured first without a request, then
# given OPEN requests still to take up or answer (received over the last 60 days, from businesses
# of the store, so each listed one's credit is read from real records) and as many answered;
# `wrk` for DURATION seconds on /ops/work (which counts them) and /ops/loans (the oldest 200 listed
# with each applicant's credit, all counted) with 4 connections, and on the public's /loans, the
# form and 5,000 follow-up codes' status pages with 16.
# Usage: CREDITNET_BENCH_STORE=DIR Benchmarks/loans.sh [OPEN] [DURATION]   (defaults 10000, 20 s)
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/release.sh
. Benchmarks/wrk.sh
. Benchmarks/county.sh
open=${1:-10000}
duration=${2:-20}
county_work loans
# Twenty products of five banks, at the county's own level and its townships'.
python3 - "$work/loans.csv" <<'PY'
import sys
sys.path.insert(0, "scripts")
from sample_edits import uscc
regions = ["420102000000", "420102001000", "420102002000", "420102003000", "420102004000"]
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("产品编号,产品名称,贷款类别,服务对象,最高额度（万元）,最长期限（月）,利率说明,产品介绍,金融机构,金融机构统一社会信用代码,发布日期,有效期至,所属行政区划\n")
    for i in range(20):
        bank = i % 5
        f.write(f"XYD-{i:03},信易贷{i}号,信用贷款,小微企业、个体工商户,{100 + 50 * bank},36,年化 3.85% 起,凭公共信用记录申请，无需抵押。,"
                f"江岸第{bank + 1}银行,{uscc('91420102', f'MA4LB{bank:03}')},2026-10-01,2099-12-31,{regions[i % 5]}\n")
PY
"$node" ingest "$work/loans.csv" --kind 信易贷 --config "$config" | sed -n 3p
printf "%-8s %-11s %9s %9s %9s\n" requests route "req/s" "p50 ms" "p99 ms"
serve_county "$config" "$work/serve-loans.log"
measure_routes none "$ops" 4 "work|/ops/work" "loans|/ops/loans"
kill "$server"; wait "$server" 2>/dev/null || true
# The requests written as the portal keeps them (the store's own table), from businesses the store
# holds records of, over the last 60 days; half of those open taken up; as many answered.
python3 - "$copy/node.sqlite" "$open" "$work/loan-codes.txt" <<'PY'
import random, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
n = int(sys.argv[2])
rng = random.Random(44)
alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
sys.path.insert(0, "scripts")
from sample_edits import uscc
# The products' keys; a request keeps the product's name and bank as they were (the same for all here).
products = [(r[0], "信易贷产品", "江岸第一银行", uscc("91420102", "MA4LB000")) for r in db.execute("SELECT record_key FROM records WHERE kind = 'loan'")]
companies = [r[0] for r in db.execute("SELECT DISTINCT subject_code FROM records WHERE subject_code GLOB '9[123]*' LIMIT 20000")]
now = int(time.time() * 1000)
codes, rows = [], []
for i in range(2 * n):
    code = "".join(rng.choice(alphabet) for _ in range(12))
    codes.append(code)
    at = now - rng.randrange(60 * 86_400_000)
    key, name, lender, lender_code = rng.choice(products)
    company = rng.choice(companies)
    amount = rng.randrange(5, 100) * 10_000
    if i < n:
        state = "pending" if i % 2 else "contacted"
        handler, contacted, decided, granted, decision = ("某银行 客户经理", at + 1000, None, None, None) if state == "contacted" else (None, None, None, None, None)
    else:
        state = "granted" if i % 3 else "declined"
        handler, contacted, decided = "某银行 客户经理", at + 1000, at + 2000
        granted, decision = (amount, "年利率 3.85%") if state == "granted" else (None, "经营年限不足一年")
    rows.append((at, code, key, name, lender, lender_code, f"某某公司{i}", company, "王经理", "13900000000", amount, 12, "购买原材料，支付货款",
                 state, handler, contacted, decided, granted, decision))
db.executemany("""INSERT INTO loan_requests (at, code, product_key, product_name, lender, lender_code, company, company_code, contact_name, phone,
                  amount, term_months, purpose, state, handler, contacted_at, decided_at, granted, decision)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", rows)
db.commit()
with open(sys.argv[3], "w") as out:
    for code in rng.sample(codes, 5000):
        print("/loans/status?code=" + code, file=out)
PY
serve_county "$config" "$work/serve-loans.log"
measure_routes "$open" "$ops" 4 "work|/ops/work" "loans|/ops/loans"
measure_routes public "$base" 16 "listing|/loans" "form|/loans/apply" "status|/|$work/loan-codes.txt"
