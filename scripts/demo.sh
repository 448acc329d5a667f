#!/usr/bin/env bash
# The main job: build, start the demo network of Topologies/demo.yaml on this machine (32 nodes —
# province, 2 cities, 5 county-level units, 8 townships, 16 villages — each a `credit-node serve`
# process on a loopback port, mutual TLS between every child and its parent), load generated
# records into villages, townships and counties and some decided at the province about companies
# in villages, and show a village's records arriving at the province and the province's decisions
# arriving in that village, with the time of each hop. Then the province's credit portal: a subject
# found by a fragment of its name, its page, and its signed credit report checked offline. The
# network's status, and stop it; then the same network simulated for a month under injected
# faults, with its end checks; finally the network started again and left running, with the URLs of
# its credit portals (province, a county, a village) and of the province's operators' dashboard
# (collection and the four rates) to open in a browser.
# A one-node walkthrough of ingestion, quarantine, bundles and checks: scripts/walkthrough.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

echo "== build"
swift build --product credit-node 2>&1 | grep -E "error|warning:|Compiling credit|Build" || true
node=.build/debug/credit-node
[ -x "$node" ] || { echo "demo: the build failed" >&2; exit 1; }

topology=Topologies/demo.yaml
dir=.creditnet/demo
"$node" down "$topology" --dir "$dir" >/dev/null 2>&1 || true
rm -rf "$dir"
trap '"$node" down "$topology" --dir "$dir" >/dev/null 2>&1 || true' EXIT

step() { printf '\n== %s\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }

step "check the topology" "$node" topology check "$topology"
step "start it: certificates into Certs/ if missing, one serve process per node" "$node" up "$topology" --dir "$dir"
step "load records; follow one village's records up and the province's decisions about it down" \
  "$node" load "$topology" --dir "$dir" --records 3000 --follow 180
sleep 12
step "the whole network afterwards" "$node" up "$topology" --dir "$dir"

# The province's portal: port = its sync port + 100 (as `up` configures it).
province_portal=$(sed -n 's/^portal: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$dir/420000000000/node.yaml")
portal_tour() {
  python3 - "http://$province_portal" "$node" "$dir" <<'PY'
import json, subprocess, sys, urllib.parse, urllib.request
base, node, net = sys.argv[1:4]
get = lambda path: urllib.request.urlopen(base + path, timeout=30).read()
rows = json.loads(get("/publicity/penalty?format=json"))["rows"]
firm = next(r for r in rows if not r["record"]["isPerson"])
name = firm["record"]["subjectName"]
fragment = name[2:6]
hits = json.loads(get("/search?format=json&q=" + urllib.parse.quote(fragment)))["hits"]
print(f"GET {base}/search?q={fragment}: {len(hits)} subject(s), {name} among them: {any(h['name'] == name for h in hits)}")
# The same company's penalty by the number on its decision, typed with round brackets (决定文书号).
number = firm["record"]["documentNumber"]
typed = number.replace("〔", "(").replace("〕", ")")
found = json.loads(get("/search?format=json&q=" + urllib.parse.quote(typed))).get("document")
if not found or firm["record"]["key"] not in [r["record"]["key"] for r in found["rows"]]:
    raise SystemExit(f"the province's search for the number {typed} does not find the penalty")
print(f"GET {base}/search?q={typed}: the decision numbered {number} ({found['count']} record(s) bear it), about {name}")
page = json.loads(get(firm["subjectLink"] + "?format=json"))
print(f"GET {base}{firm['subjectLink']}: {page['name']} ({page['code']}), {len(page['records'])} public record(s), {len(page['listings'])} list {'entry' if len(page['listings']) == 1 else 'entries'}")
for r in page["records"][:3]:
    rec = r["record"]
    print(f"    {rec['kindName']} {rec.get('documentNumber') or ''}  {rec['decisionDate']}  {rec['stateLabel']}  reported by {rec['origin']}")
report = get(firm["subjectLink"].replace("/subjects/", "/reports/") + "?format=json")
path = f"{net}/report.json"
open(path, "wb").write(report)
ca = "Certs/ca/ca.pem"
print(f"GET {base}{firm['subjectLink'].replace('/subjects/', '/reports/')}?format=json → {path}")
print("$ credit-node verify-report " + path + " --ca " + ca)
print(subprocess.run([node, "verify-report", path, "--ca", ca], capture_output=True, text=True).stdout, end="")
# The same file on the portal's 报告核验 page, as whoever received the report would check it.
with open(path, "rb") as f:
    report = f.read()
boundary = "----creditnet-demo"
body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"report\"; filename=\"report.json\"\r\n"
        "Content-Type: application/json\r\n\r\n").encode() + report + f"\r\n--{boundary}--\r\n".encode()
request = urllib.request.Request(base + "/verify?format=json", data=body, headers={"Content-Type": "multipart/form-data; boundary=" + boundary})
result = json.load(urllib.request.urlopen(request))["result"]
print(f"POST {base}/verify (报告核验): {'核验通过' if result['verified'] else '未通过核验'} — {result['message']}")
# What the site publishes and for how long (公示目录), and how much its departments published on time (公示统计).
catalogue = json.loads(get("/catalogue?format=json"))
penalty = next(e for e in catalogue["open"] if e["kind"] == "penalty")
print(f"GET {base}/catalogue (公示目录): {len(catalogue['open'])} kinds shown to all; 行政处罚 " + "；".join(f"{l['when']}：{l['rule']}" for l in penalty["period"][1:3]))
stats = json.loads(get("/statistics?format=json"))
print(f"GET {base}/statistics (公示统计): " + "；".join(f"{k['name']} {k['records']} 条，按时公示率 {k['onTimeRate']}" for k in stats["kinds"] if k["records"]))
# The sites of every level linked (信用网站互联互通): what a village's site links above it, and the
# province's below it, from the division directory `up` signed.
village_yaml = open(f"{net}/420102002201/node.yaml", encoding="utf-8").read()
village = "http://" + next(l.split(":", 1)[1].strip().strip('"') for l in village_yaml.splitlines() if l.startswith("portal:"))
up = json.loads(urllib.request.urlopen(village + "/?format=json", timeout=30).read())["site"]["above"]
print(f"GET {village}/ (信用网站群): 上级信用网站 " + " · ".join(f"{s['name']} {s['url']}" for s in up))
below = json.loads(get("/?format=json"))["below"]
print(f"GET {base}/: 辖区信用网站 " + " · ".join(s["name"] for s in below))
# 关怀版 (适老化): the same page in large type, chosen with the link at the top of every page.
care = urllib.request.Request(base + "/catalogue", headers={"Cookie": "cn_view=care"})
opening = next(l for l in urllib.request.urlopen(care, timeout=30).read().decode().splitlines() if l.startswith("<html"))
print(f"GET {base}/mode?to=care&back=/catalogue → the cookie cn_view=care; GET {base}/catalogue then opens {opening}")
PY
}
step "the province's credit portal: search a fragment of a company's name and a penalty by its 决定文书号, its subject page, its signed credit report verified offline and on the portal's 报告核验 page; what it publishes for how long (公示目录) and how much was published on time (公示统计); the sites of every level linked (信用网站互联互通); 关怀版" portal_tour
# The province's operators' pages: on its records listener (sync port + 200, local only).
province_records=$(sed -n 's/^recordsListen: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$dir/420000000000/node.yaml")
operators_tour() {
  python3 - "http://$province_records" <<'PY'
import json, sys, urllib.request
base = sys.argv[1]
get = lambda path: json.loads(urllib.request.urlopen(base + path, timeout=60).read())
c = get("/ops/?format=json")
t = c["totals"]
print(f"GET {base}/ops/: {t['records']} records in the province's area, {t['late']} late, {t['corrected']} corrected after an objection; {c['arrivals']['total']} arrivals in {c['days']} days")
for r in c["regions"]:
    print(f"    {r['name']:<22} {r['total']:>6} records  迟报率 {r['lateRate']}")
q = get("/ops/quality?format=json")
print(f"GET {base}/ops/quality: suspected 漏报 (gaps in decision numbers) {q['suspectedMissing']}, 漏报率 {q['missingRate']}")
for k in q["kinds"][:4]:
    print(f"    {k['kind']:<8} {k['records']:>6} records  迟报率 {k['lateRate']}  错误率 {k['errorRate']}  suspected missing {k['suspectedMissing']}  瞒报率 {k['concealedRate']}")
import datetime
this_month = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).strftime("%Y-%m")
b = get("/ops/bulletin?format=json&month=" + this_month)
tb = b["total"]
print(f"GET {base}/ops/bulletin?month={b['month']}: {b['monthName']}定期通报 — {tb['records']} decisions of the month, 迟报率 {tb['lateRate']}, 错误率 {tb['errorRate']}; {b['flaggedCount']} offices to follow up, {b['cleanCount']} on time and complete")
for a in b["flagged"][:3]:
    print(f"    {a['kind']:<6} {a.get('name') or a['authority']}: {a['remark']}")
r = get("/ops/trend?format=json")
print(f"GET {base}/ops/trend: 四率走势 {r['fromName']}–{r['toName']} — {r['clearedMonths']} of {r['closed']} closed months 四清零, {r['newObjections']} new objection(s)")
for m in r["newestFirst"][:3]:
    x = m["rates"]
    print(f"    {m['label']:<9} {x['records']:>5} decisions  迟报率 {x['lateRate']}  错误率 {x['errorRate']}  漏报率 {x['missingRate']}  瞒报率 {x['concealedRate']}  {m['status']}" + (f" ({m['shortOf']})" if m.get("shortOf") else ""))
w = get("/ops/warnings?format=json")["figures"]
print(f"GET {base}/ops/warnings (重点领域预警, {w['latestMonth']} judged): " + "; ".join(f"{a['name']} {a['latest']} (前期月均 {a['baseline']}, {'预警' if a['warning'] else '正常'}; {w['currentMonth']} so far {a['current']})" for a in w["areas"]))
n = get("/ops/network?format=json")
u = n["under"]
print(f"GET {base}/ops/network: {u['nodes']} nodes known from their signed health records, {u['heard']} heard within their windows (联通率 {u['interconnection']}), {u['atRisk']} at risk, {u['breached']} breached")
for r in n["children"]:
    print(f"    {r['name']:<8} {r['standingLabel']:<5} last heard {r['heardAgo']} ago, {r['nodes']:>3} nodes below, 联通率 {r['interconnection']}")
PY
}
step "the province's operators' dashboard (local only): collection by region, the four rates, this month's bulletin so far, the four rates month by month against 四清零 (四率走势), the key areas' warnings (重点领域预警), the network's health" operators_tour
# 授权查询 at a village: its credit points (个人信用积分) are shown only to whom a villager authorised.
village=420102002201
authorised_tour() {
  "$node" generate --config "$dir/$village/node.yaml" --kind points --rows 40 --seed 7 --faults 0 --out "$dir/points.csv" >/dev/null 2>&1
  "$node" ingest "$dir/points.csv" --kind points --config "$dir/$village/node.yaml" | head -1
  village_portal=$(sed -n 's/^portal: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$dir/$village/node.yaml")
  python3 - "http://$village_portal" "$node" "$dir/$village/node.yaml" "$dir/points.csv" <<'PY'
import csv, json, re, subprocess, sys, urllib.parse, urllib.request
base, node, config, points = sys.argv[1:5]
with open(points, encoding="utf-8-sig", newline="") as f:
    person = next(r for r in csv.DictReader(f) if r["行政相对人类别"] == "自然人")
print(f"$ credit-node authorise issue {person['证件号码'][:6]}******** --grantee 中国农业银行武汉江岸支行 --purpose 信易贷贷款审查 --config …")
issued = json.loads(subprocess.run([node, "authorise", "issue", person["证件号码"], "--grantee", "中国农业银行武汉江岸支行",
                                    "--purpose", "信易贷贷款审查", "--json", "--config", config], capture_output=True, text=True, check=True).stdout)
print(f"    authorisation {issued['id']}: {issued['subjectName']} ({issued['subject']}) → {issued['grantee']}, {issued['validFrom']} to {issued['validUntil']}, code {issued['code']}")
# The lender on the village's portal: the form's token from its cookie, then the query.
form = urllib.request.urlopen(base + "/authorised", timeout=30)
token = re.search(r"cn_csrf=([0-9a-f]{32})", form.headers["Set-Cookie"]).group(1)
body = urllib.parse.urlencode({"csrf": token, "subject": person["证件号码"], "code": issued["code"]}).encode()
request = urllib.request.Request(base + "/authorised?format=json", data=body, headers={"Cookie": "cn_csrf=" + token})
shown = json.load(urllib.request.urlopen(request, timeout=30))["shown"]
for r in shown["records"]:
    fields = {f["label"]: f["text"] for f in r["fields"]}
    print(f"POST {base}/authorised: {shown['subjectName']} {shown['subjectCode']} — {r['kindName']} {fields.get('积分年度', '')} 信用积分 {fields.get('信用积分')} {fields.get('信用户等级', '')}（{fields.get('评定单位', '')}）")
home = json.load(urllib.request.urlopen(base + "/?format=json", timeout=30))
print(f"GET {base}/: the public's counts name {', '.join(c['name'] for c in home['counts'])} — no credit points")
PY
}
step "授权查询 at a village: its credit points, shown on its portal only to the lender a villager authorised at the window" authorised_tour
# 数据报送 at the same village: a department's spreadsheet sent on its office's page.
upload_tour() {
  village_records=$(sed -n 's/^recordsListen: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$dir/$village/node.yaml")
  "$node" generate --config "$dir/$village/node.yaml" --kind penalty --rows 30 --seed 8 --faults 0 --out "$dir/upload.csv" >/dev/null 2>&1
  python3 - "http://$village_records" "$dir/upload.csv" <<'PY'
import csv, json, re, sys, urllib.request
base, path = sys.argv[1:3]
with open(path, encoding="utf-8-sig", newline="") as f:
    rows = list(csv.reader(f))
header = rows[0]
rows[7][header.index("行政相对人名称")] = ""          # line 8: the subject's name left out
rows[12][header.index("处罚类别")] = "罚金"           # line 13: not a 处罚类别 of the catalogue
data = "".join(",".join('"' + v.replace('"', '""') + '"' for v in r) + "\r\n" for r in rows).encode("gb18030")
form = urllib.request.urlopen(base + "/ops/upload", timeout=30)
token = re.search(r"cn_csrf=([0-9a-f]{32})", form.headers["Set-Cookie"]).group(1)
boundary = "----creditnet-demo"
parts = [(b'name="csrf"', token.encode()), (b'name="kind"', b"penalty"),
         ('name="records"; filename="大智一村12月行政处罚.csv"'.encode(), data)]
body = b"".join(b"--" + boundary.encode() + b"\r\nContent-Disposition: form-data; " + d + b"\r\n\r\n" + v + b"\r\n" for d, v in parts)
body += b"--" + boundary.encode() + b"--\r\n"
request = urllib.request.Request(base + "/ops/upload?format=json", data=body,
                                 headers={"Cookie": "cn_csrf=" + token, "Content-Type": "multipart/form-data; boundary=" + boundary})
o = json.load(urllib.request.urlopen(request, timeout=60))["outcome"]
print(f"POST {base}/ops/upload: {o['file']} ({o['kindName']}, {o['encoding']}): {o['rows']} rows, {o['accepted']} stored, {o['rejected']} refused")
for r in o["refusals"]:
    print(f"    第 {r['line']} 行: {r['reasons']}")
PY
}
step "数据报送 at the same village: a department's spreadsheet (GB18030, Chinese headers, two bad rows) sent on its office's page" upload_tour
# 信用承诺履约 at the same village: the commitments its units took, and those to follow up.
commitments_tour() {
  "$node" generate --config "$dir/$village/node.yaml" --kind commitment --rows 300 --seed 9 --faults 0 --out "$dir/commitments.csv" >/dev/null 2>&1
  # Numbered from 900001 each day: `load` gave the first numbers of these days to other nodes of the county.
  python3 - "$dir/commitments.csv" <<'PY'
import csv, sys
with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
    rows = list(csv.reader(f))
code = rows[0].index("承诺编码")
for i, row in enumerate(rows[1:]):
    row[code] = row[code][:14] + str(900001 + i)
with open(sys.argv[1], "w", encoding="utf-8", newline="") as f:
    csv.writer(f, lineterminator="\r\n").writerows(rows)
PY
  "$node" ingest "$dir/commitments.csv" --kind commitment --config "$dir/$village/node.yaml" | head -1
  echo "\$ credit-node commitments --config $dir/$village/node.yaml   (the same as http://$village_records/ops/commitments)"
  "$node" commitments --config "$dir/$village/node.yaml" | head -20
}
step "信用承诺履约 at the same village: its units' commitments — kept, broken, unchecked past the 90-day check — and the list to follow up" commitments_tour
# 政务诚信 at the same village: a 事业单位 fined shows on the office's ledger of government bodies.
integrity_tour() {
  "$node" generate --config "$dir/$village/node.yaml" --kind penalty --rows 6 --seed 10 --faults 0 --late 0 --out "$dir/hospital.csv" >/dev/null 2>&1
  python3 - "$dir/hospital.csv" <<'PY'
import csv, sys
with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
    rows = list(csv.reader(f))
header = rows[0]
row = next(r for r in rows[1:] if r[header.index("行政相对人类别")] == "法人及非法人组织")
row[header.index("统一社会信用代码")] = "121200004013590816"   # registered by 机构编制: a 事业单位
row[header.index("行政相对人名称")] = "江岸区第一人民医院"
with open(sys.argv[1], "w", encoding="utf-8", newline="") as f:
    csv.writer(f, lineterminator="\r\n").writerows([header, row])
PY
  "$node" ingest "$dir/hospital.csv" --kind penalty --config "$dir/$village/node.yaml" | head -1
  echo "\$ credit-node integrity --config $dir/$village/node.yaml   (the same as http://$village_records/ops/integrity)"
  "$node" integrity --config "$dir/$village/node.yaml" | head -12
}
step "政务诚信 at the same village: a 事业单位's penalty on the office's ledger of government bodies' dishonesty (督办台账)" integrity_tour
# 联合奖惩执行反馈 at the same village: what its units did after checking subjects against the lists.
feedback_tour() {
  # The court lists ten of the village's subjects; then its units check subjects and send feedback
  # (the same sample population: some of the listed are among them).
  "$node" generate --config "$dir/$village/node.yaml" --kind blacklist --rows 10 --seed 11 --faults 0 --late 0 --out "$dir/listed.csv" >/dev/null 2>&1
  "$node" ingest "$dir/listed.csv" --kind 严重失信主体名单 --config "$dir/$village/node.yaml" | head -1
  "$node" generate --config "$dir/$village/node.yaml" --kind feedback --rows 40 --seed 11 --faults 0 --late 0 --out "$dir/feedback.csv" >/dev/null 2>&1
  "$node" ingest "$dir/feedback.csv" --kind 联合奖惩执行反馈 --config "$dir/$village/node.yaml" | head -1
  echo "\$ credit-node feedback --config $dir/$village/node.yaml   (the same as http://$village_records/ops/feedback)"
  "$node" feedback --config "$dir/$village/node.yaml" | head -16
  echo "\$ credit-node lists --config $dir/$village/node.yaml   (the same as http://$village_records/ops/lists)"
  "$node" lists --config "$dir/$village/node.yaml" | head -14
  # The office publishes one unit's feedback as a 典型案例 (also /ops/cases), which the public reads.
  python3 - "$node" "$dir/$village/node.yaml" "http://$village_portal" <<'PY'
import json, subprocess, sys, urllib.request
node, config, portal = sys.argv[1:4]
run = lambda *args: subprocess.run([node, *args, "--config", config], capture_output=True, text=True, check=True).stdout
offered = json.loads(run("cases", "--json"))["candidates"]
print(f"$ credit-node cases --config …   ({len(offered)} feedbacks applied in the last 90 days may become a case)")
pick = next(c for c in offered if c["type"] == "失信惩戒" and "*" not in c["subjectCode"])
title = f"{pick['subject']}因列入{pick['list']}，在{pick['matter']}中被依法惩戒"
print(f"$ credit-node cases publish --feedback '{pick['key']}' --title '{title}' --summary … --publisher 大智一村信用工作站 --publisher-code 11420102310527043H")
print("    " + run("cases", "publish", "--feedback", pick["key"], "--title", title,
                 "--summary", f"{pick['unit']}办理{pick['matter']}时核查信用记录，发现该主体列入{pick['list']}，依法{pick['measure']}，并报送执行反馈。",
                 "--publisher", "大智一村信用工作站", "--publisher-code", "11420102310527043H").strip())
rows = json.load(urllib.request.urlopen(portal + "/cases?format=json", timeout=30))["rows"]
print(f"GET {portal}/cases: " + "; ".join(f"《{r['title']}》 {r['category']} · {r['subjectName']}" for r in rows))
PY
}
step "联合奖惩 at the same village: its units' feedback on the joint rewards and punishments they applied (执行反馈), counted for the month; the village's subjects on a list in force pushed to its units, those no unit has answered first (名单推送与响应); one feedback published as a 典型案例 on the village's portal" feedback_tour
# 三信创建 at the same village: its households rated by the credit points of the 授权查询 step.
creation_tour() {
  echo "\$ credit-node creation --config $dir/$village/node.yaml   (the same as http://$village_records/ops/creation)"
  "$node" creation --config "$dir/$village/node.yaml"
}
step "三信创建 at the same village: the households its credit points rated, its 信用户 by level, and its subjects on a list in force — figures only, no one's points" creation_tour
# 信用分级分类监管 at the same village: its departments' credit ratings and their inspections.
supervision_tour() {
  for kind in rating inspection; do
    "$node" generate --config "$dir/$village/node.yaml" --kind $kind --rows 40 --seed 12 --faults 0 --late 0 --out "$dir/$kind.csv" >/dev/null 2>&1
    "$node" ingest "$dir/$kind.csv" --kind $kind --config "$dir/$village/node.yaml" | head -1
  done
  echo "\$ credit-node supervision --config $dir/$village/node.yaml   (the same as http://$village_records/ops/supervision)"
  "$node" supervision --config "$dir/$village/node.yaml"
}
step "信用分级分类监管 at the same village: its subjects rated A to D and how often each grade was inspected after its rating — whether D is inspected more than A" supervision_tour
# 新旧代码映射 at the same village: an individual business's penalty filed under its old registration
# number alone joins its credit code once another record gives both codes.
codes_tour() {
  "$node" generate --config "$dir/$village/node.yaml" --kind penalty --rows 3 --seed 13 --faults 0 --late 0 --header codes --out "$dir/former.csv" >/dev/null 2>&1
  python3 - "$dir/former.csv" <<'PY'
import sys
sys.path.insert(0, "scripts")
from sample_edits import refile_as_businesses, uscc
code = uscc("92420102", "MA4K0Q7C")
refile_as_businesses(sys.argv[1], [("江岸区张记小吃店", code, "420102600012345", "江岸市监罚〔2026〕8801号"),
                                   ("江岸区张记小吃店", "", "420102600012345", "江岸市监罚〔2026〕8802号"),
                                   ("江岸区李记五金店", "", "420102600054321", "江岸市监罚〔2026〕8803号")])
PY
  "$node" ingest "$dir/former.csv" --kind penalty --config "$dir/$village/node.yaml" | head -1
  echo "\$ credit-node codes --config $dir/$village/node.yaml   (the same as http://$village_records/ops/codes)"
  "$node" codes --config "$dir/$village/node.yaml" | head -12
  # The registering authority's 新旧代码对照 table maps the number still unmapped.
  "$node" generate --config "$dir/$village/node.yaml" --kind codemap --rows 1 --seed 13 --faults 0 --late 0 --header codes --out "$dir/codemap.csv" >/dev/null 2>&1
  python3 - "$dir/codemap.csv" <<'PY'
import sys
sys.path.insert(0, "scripts")
from sample_edits import set_fields, uscc
set_fields(sys.argv[1], [{"DM_XDR_MC": "江岸区李记五金店", "DM_XDR_LB": "个体工商户", "DM_XDR_SHXYM": uscc("92420102", "MA4K0Q8D"),
                          "DM_XDR_GSZC": "420102600054321", "DM_XDR_ZZJG": ""}])
PY
  "$node" ingest "$dir/codemap.csv" --kind 新旧代码对照 --config "$dir/$village/node.yaml" | head -1
  "$node" codes --config "$dir/$village/node.yaml" | sed -n 2p
  python3 - "http://$village_portal" <<'PY'
import json, sys, urllib.request
portal = sys.argv[1]
found = json.load(urllib.request.urlopen(portal + "/search?q=420102600012345&format=json", timeout=30))
print(f"GET {portal}/search?q=420102600012345: {found.get('formerNote')}")
for h in found["hits"]:
    page = json.load(urllib.request.urlopen(portal + "/subjects/" + h["code"] + "?format=json", timeout=30))
    print(f"GET {portal}/subjects/{h['code']}: {page['name']}, 原代码 {'、'.join(page['formerCodes'])}; "
          + "; ".join(f"{r['record']['kindName']} {r['record']['documentNumber']}" for r in page["records"]))
PY
}
step "新旧代码映射 at the same village: a penalty filed under an individual business's old registration number (工商注册号) alone joins its credit code's page once another record gives both; the office sees what is still to convert" codes_tour
# A 错报 of the area: the township decided a penalty about 大智一村 and corrects its 所属行政区划 to
# 大智二村. Both villages come to hold the corrected version; the first does not keep the old one.
move_tour() {
  "$node" generate --config "$dir/420102002000/node.yaml" --kind penalty --rows 1 --seed 15 --faults 0 --late 0 --header codes \
    --jurisdiction 420102002201 --out "$dir/move.csv" >/dev/null 2>&1
  python3 - "$node" "$dir" "$dir/move.csv" <<'PY'
import csv, json, subprocess, sys, time
node, net, path = sys.argv[1:4]
township, first, second = "420102002000", "420102002201", "420102002202"
rows = list(csv.reader(open(path, encoding="utf-8-sig")))
header, row = rows[0], rows[1]
code = row[header.index("CF_XDR_SHXYM")] or row[header.index("CF_XDR_ZJHM")]
number = row[header.index("CF_WSH")]
def ingest(values, what):
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows([header, values])
    out = subprocess.run([node, "ingest", path, "--kind", "penalty", "--config", f"{net}/{township}/node.yaml"], capture_output=True, text=True, check=True)
    print(f"{what}: " + out.stdout.splitlines()[0])
def held(at):
    out = subprocess.run([node, "query", code, "--config", f"{net}/{at}/node.yaml", "--json"], capture_output=True, text=True, check=True)
    return next((r for r in json.loads(out.stdout)["records"] if r.get("CF_WSH") == number), None)
def wait(condition, what):
    # The live network pulls every 5 s: poll for up to a minute.
    for _ in range(120):
        if condition():
            return
        time.sleep(0.5)
    sys.exit(f"the villages did not come to hold {what} within a minute")
def show():
    for v in (first, second):
        r = held(v)
        print(f"  {v}: " + (f"{number}  所属行政区划 {r['jurisdiction']}  version {r['origin']}/{r['seq']}  {r['stateLabel']}" if r else "not held"))
ingest(row, f"the penalty {number} about {first}, at {township}")
wait(lambda: held(first) is not None, "the penalty")
show()
row[header.index("CF_XZQH")] = second
ingest(row, f"its correction naming {second}")
wait(lambda: all((r := held(v)) is not None and r["jurisdiction"] == second for v in (first, second)), "the correction")
show()
# The first village's portal says where the record lies now, naming the area from the network's
# division directory (行政区划名录), which came down from the province: no page of 大智一村's
# would know 大智二村's name otherwise.
import re, urllib.parse, urllib.request
portal = re.search(r"^portal: *\"?([^\"\s]+)", open(f"{net}/{first}/node.yaml", encoding="utf-8").read(), re.M).group(1)
link = f"http://{portal}/records/" + urllib.parse.quote(held(first)["recordKey"], safe="")
page = json.load(urllib.request.urlopen(link + "?format=json"))
moved = page.get("movedTo") or sys.exit("the first village's page does not say where the record moved")
field = next(f["text"] for f in page["record"]["fields"] if f["label"] == "所属行政区划")
print(f"  {link}\n    这条记录的所属行政区划已更正为 {moved.get('areaName') or moved['code']}（{moved['code']}）; 所属行政区划: {field}")
PY
}
step "a correction of the area (错报 of 所属行政区划): the township corrects a penalty it decided about 大智一村 to 大智二村; both villages come to hold the corrected version, and the first village's page names the new area from the network's division directory (行政区划名录)" move_tour
# 异议办理 at the same village: a company objects to a penalty on the village's portal; the office
# accepts it, sees its time limit (3 working days), registers that another unit helps verify (协查:
# 7 working days) and closes it on its work queue; the company reads the limit, then the outcome,
# with its follow-up code.
objection_tour() {
  python3 - "$node" "$dir/$village/node.yaml" "http://$village_portal" "http://$village_records" <<'PY'
import json, subprocess, sys
sys.path.insert(0, "scripts")
from demo_browser import Browser
node, config, portal, ops = sys.argv[1:5]
browser = Browser()
get, post, token = browser.get, browser.post, browser.token
row = next(r for r in get(portal + "/publicity/penalty?format=json")["rows"] if not r["record"]["objected"])
get(portal + row["recordLink"] + "?format=json")
_, body = post(portal + "/objections?format=json", {"key": row["record"]["key"], "csrf": token(), "name": "某某商贸有限公司",
                                                    "contact": "027-88886666", "reason": "处罚决定书文号与原件不符。"})
received = json.loads(body)
print(f"POST {portal}/objections: request {received['request']}, follow-up code {received['code']}")
get(ops + "/ops/work?format=json")
post(ops + f"/ops/work/requests/{received['request']}/accept", {"unit": "大智街道社会信用体系建设牵头部门", "csrf": token()})
print("$ credit-node objection list --config " + config)
print(subprocess.run([node, "objection", "list", "--config", config], capture_output=True, text=True, check=True).stdout.rstrip())
status = get(portal + received["statusLink"] + "&format=json")["request"]
print(f"GET {portal}/objections/status: {status['state']}, the unit decides by {status['dueBy']} ({status['dueAssisted']} with another unit's help)")
mine = next(o for o in get(ops + "/ops/work?format=json")["objections"] if o["number"] in row["record"]["key"])
post(ops + f"/ops/work/objections/{mine['id']}/assist",
     {"reason": "需区市场监督管理局协助核实决定书原件。", "unit": "江岸区城市管理执法局", "csrf": token()})
print("registered 协查 on the work queue; $ credit-node objection list --config " + config)
print(subprocess.run([node, "objection", "list", "--config", config], capture_output=True, text=True, check=True).stdout.rstrip())
status = get(portal + received["statusLink"] + "&format=json")["request"]
print(f"GET {portal}/objections/status: {status['state']}, the unit decides by {status['dueBy']} (assisted: {status['assisted']})")
post(ops + f"/ops/work/objections/{mine['id']}/close",
     {"outcome": "kept", "reason": "经核查，决定书文号与原件一致。", "unit": "江岸区城市管理执法局", "csrf": token()})
status = get(portal + received["statusLink"] + "&format=json")["request"]
print(f"closed on {ops}/ops/work; GET {portal}/objections/status: {status['state']} {status['closedOn']}: {status['outcome']}")
PY
}
step "异议办理 at the same village: a company's objection on the portal, accepted by the office with its time limit (3 working days), marked 协查 (7), closed on the work queue; the company reads the limit and the outcome with its code" objection_tour
# 失信举报 at the same village: a resident reports a shop's dishonest conduct on the village's
# portal; the office reads it with its reporter, hands it to a unit and closes it with the finding;
# the resident reads the unit, then the finding and the reply, with the follow-up code.
complaint_tour() {
  python3 - "$node" "$dir/$village/node.yaml" "http://$village_portal" "http://$village_records" <<'PY'
import json, subprocess, sys
sys.path.insert(0, "scripts")
from demo_browser import Browser
node, config, portal, ops = sys.argv[1:5]
browser = Browser()
get, post, token = browser.get, browser.post, browser.token
get(portal + "/complaints?format=json")
# The form with its photo of the yoghurt's date (举报材料), as a browser sends it: multipart/form-data.
photo = bytes.fromhex("ffd8ffe000104a46494600010100000100010000") + "酸奶生产日期照片".encode() + bytes.fromhex("ffd9")
received = json.loads(browser.post_files(portal + "/complaints?format=json", {
    "csrf": token(), "subject": "大智一村便民超市", "category": "食品药品安全", "region": "",
    "content": "超市货架上有多批次过期酸奶仍在销售，11 月 28 日购买的一盒已过期五天。", "reporter": "刘女士", "contact": "13707100000", "truthful": "yes"},
    [("evidence", "酸奶日期.jpg", photo)])[1])
print(f"POST {portal}/complaints: report {received['number']} with a photo, follow-up code {received['code']}, answered by {received['dueBy']}")
status = get(portal + received["statusLink"] + "&format=json")["complaint"]
print(f"GET {portal}/complaints/status: {status['state']}, answer due {status['dueBy']}, {status['evidence']} file(s) — the office's eyes only")
office = get(ops + "/ops/complaints?format=json")
mine = next(c for c in office["open"] if c["id"] == received["number"])
for e in mine["evidence"]:
    with browser.opener.open(ops + e["link"], timeout=30) as r:
        same = r.read() == photo
        print(f"GET {ops}{e['link']}: {e['label']}, {r.headers['Content-Type']}, {r.headers['Content-Disposition'].split(';')[0]}, as sent: {same}")
post(ops + f"/ops/complaints/{received['number']}/accept", {"unit": "江岸区市场监督管理局大智所", "csrf": token()})
print("accepted on " + ops + "/ops/complaints; $ credit-node complaint list --config " + config)
print(subprocess.run([node, "complaint", "list", "--config", config], capture_output=True, text=True, check=True).stdout.rstrip())
post(ops + f"/ops/complaints/{received['number']}/close",
     {"finding": "substantiated", "reply": "经现场检查，超市销售过期食品属实，已责令下架并立案调查。", "record": "", "csrf": token()})
status = get(portal + received["statusLink"] + "&format=json")["complaint"]
print(f"closed; GET {portal}/complaints/status: {status['state']} · {status['unit']} · {status['finding']}: {status['reply']}")
PY
}
step "失信举报 at the same village: a resident reports a shop's dishonest conduct on the portal with a photo (the reporter protected: kept at the node, never shown or synced); the office downloads the photo, hands the report to a unit and closes it with the finding within 15 working days; the resident reads the answer with the code" complaint_tour
# “信易+” at the same village: incentive scenarios for trustworthy subjects, on the portal and counted.
incentives_tour() {
  "$node" generate --config "$dir/$village/node.yaml" --kind incentive --rows 6 --seed 14 --faults 0 --late 0 --out "$dir/incentives.csv" >/dev/null 2>&1
  "$node" ingest "$dir/incentives.csv" --kind 信易+守信激励场景 --config "$dir/$village/node.yaml" | head -1
  echo "\$ credit-node incentives --config $dir/$village/node.yaml   (the same as http://$village_records/ops/incentives)"
  "$node" incentives --config "$dir/$village/node.yaml" | head -9
  python3 - "http://$village_portal" <<'PY'
import json, sys, urllib.request
portal = sys.argv[1]
rows = json.load(urllib.request.urlopen(portal + "/incentives?format=json", timeout=30))["rows"]
print(f"GET {portal}/incentives: " + "; ".join(f"{r['title']}（{r['category']}）" for r in rows))
PY
}
step "“信易+” at the same village: its departments' incentive scenarios for trustworthy subjects (免交押金, 绿色通道 …) on the village's portal, counted against the target of 15" incentives_tour
# 信易贷 at the same village: a bank's loan product on the portal; a company with a penalty asks
# for it, authorising the bank to see its credit record; the office notes the loan granted.
loan_tour() {
  cat > "$dir/loans.csv" <<CSV
产品编号,产品名称,贷款类别,服务对象,最高额度（万元）,最长期限（月）,利率说明,产品介绍,金融机构,金融机构统一社会信用代码,发布日期,有效期至,所属行政区划
XYD-2026-01,大智信易贷,信用贷款,小微企业、个体工商户,100,36,年化 3.85% 起,公共信用记录良好的小微企业凭信用申请，无需抵押。,江岸农商银行大智支行,91420102MA4LN00179,2026-10-08,2027-12-31,$village
CSV
  "$node" ingest "$dir/loans.csv" --kind 信易贷 --config "$dir/$village/node.yaml" | head -1
  python3 - "$node" "$dir/$village/node.yaml" "http://$village_portal" "http://$village_records" <<'PY'
import json, subprocess, sys, urllib.parse
sys.path.insert(0, "scripts")
from demo_browser import Browser
node, config, portal, ops = sys.argv[1:5]
browser = Browser()
get, post, token = browser.get, browser.post, browser.token
product = get(portal + "/loans?format=json")["rows"][0]
print(f"GET {portal}/loans: {product['title']}（{product['category']}）— {product['summary']}")
company = next(r["record"] for r in get(portal + "/publicity/penalty?format=json")["rows"]
               if not r["record"]["isPerson"] and (r["record"]["subject"] or "").startswith("9"))
form = get(portal + "/loans/apply?format=json&product=" + urllib.parse.quote(product["record"]["key"]))
received = json.loads(post(portal + "/loans/apply?format=json", {
    "csrf": token(), "product": product["record"]["key"], "company": company["subjectName"], "companyCode": company["subject"],
    "contactName": "陈会计", "phone": "13707101234", "amount": "60", "months": "12", "purpose": "采购原材料，支付货款", "authorised": "yes"})[1])
print(f"POST {portal}/loans/apply: request {received['number']} from {company['subjectName']}, follow-up code {received['code']}")
page = get(ops + "/ops/loans?format=json")
credit = page["open"][0]["credit"]
print(f"GET {ops}/ops/loans: to take up {page['pendingCount']}; what the company authorised the bank to see: "
      f"lists {credit['sanctions'] or 'none'}, penalties shown {credit['penalties']}, rating {credit.get('grade') or 'none'}")
post(ops + f"/ops/loans/{received['number']}/contact", {"handler": "江岸农商银行大智支行 周经理", "csrf": token()})
print("taken up; $ credit-node loan list --config " + config)
print(subprocess.run([node, "loan", "list", "--config", config], capture_output=True, text=True, check=True).stdout.rstrip())
post(ops + f"/ops/loans/{received['number']}/grant", {"amount": "50", "note": "年利率 3.85%，按月付息", "csrf": token()})
status = get(portal + received["statusLink"] + "&format=json")["request"]
print(f"granted; GET {portal}/loans/status: {status['state']} · {status['granted']} 万元 · {status['handler']} · {status['decision']}")
PY
}
step "信易贷 at the same village: a bank's credit loan on the portal; a company asks for it, authorising the bank to see its credit record (kept at the node); the office notes who took it up and the loan granted; the company reads it with its code" loan_tour
# 信用动态 at the same village: its office writes an article on its operators' page; the village's
# portal shows it at once, the province's after the next pushes carry it up.
news_tour() {
  python3 - "http://$village_records" "http://$village_portal" "http://$province_portal" <<'PY'
import json, re, sys, time, urllib.parse, urllib.request
ops, portal, province = sys.argv[1:4]
class Keep(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args): return None
opener = urllib.request.build_opener(Keep)
form = urllib.request.urlopen(ops + "/ops/news/new", timeout=30)
cookie = form.headers["Set-Cookie"].split(";")[0]
token = re.search(r'name="csrf" value="([^"]+)"', form.read().decode()).group(1)
title = "大智一村开展“诚信经营示范点”创建活动"
fields = {"csrf": token, "title": title, "column": "诚信宣传", "publisher": "大智一村信用工作站", "publisherCode": "11420102310527043H",
          "body": "村信用工作站走访村内商户，发放诚信经营倡议书。\n十二家商户公开作出信用承诺：明码标价、不缺斤短两、不销售过期食品。"}
request = urllib.request.Request(ops + "/ops/news", data=urllib.parse.urlencode(fields).encode(), headers={"Cookie": cookie})
try:
    opener.open(request, timeout=30)
    raise SystemExit("POST /ops/news was not answered with a redirect")
except urllib.error.HTTPError as e:
    if e.code != 303: raise
    print(f"POST {ops}/ops/news: 303 → {e.headers['Location'][:60]}…")
led = json.load(urllib.request.urlopen(ops + "/ops/news?format=json", timeout=30))["ledger"]
print(f"GET {ops}/ops/news: {led['total']} article(s) this month; {led['unitsMet']} of {led['unitCount']} unit(s) at 2 a month — " + "; ".join(f"{u['name']} {u['articles']}（还差 {u['missing']}）" for u in led["units"]))
item = json.load(urllib.request.urlopen(portal + "/news?format=json", timeout=30))["items"][0]
print(f"GET {portal}/news: 【{item['article']['column']}】《{item['article']['title']}》 {item['article']['date']} → {item['link'][:40]}…")
start = time.time()
while True:
    items = json.load(urllib.request.urlopen(province + "/news?format=json", timeout=30))["items"]
    found = next((i for i in items if i["article"]["title"] == title), None)
    if found: break
    if time.time() - start > 180: raise SystemExit("the article did not reach the province's /news in 180 s")
    time.sleep(2)
print(f"GET {province}/news after {time.time() - start:.0f} s: 《{found['article']['title']}》 {found['article']['publisher']} · {found['article']['region']}")
# A resident looks for it by two words of its text on the province's site, and with its search box.
words = "明码标价 倡议"
page = json.load(urllib.request.urlopen(province + "/news?format=json&q=" + urllib.parse.quote(words), timeout=30))
hit = next((i for i in page["items"] if i["article"]["title"] == title), None)
if not hit: raise SystemExit(f"the province's /news?q={words} does not find the article")
excerpt = "".join(f"【{p['text']}】" if p["hit"] else p["text"] for p in hit["excerptParts"])
print(f"GET {province}/news?q={words}: {page['found']} found — {excerpt}")
site = json.load(urllib.request.urlopen(province + "/search?format=json&q=" + urllib.parse.quote("诚信经营"), timeout=30))
if not site.get("articles"): raise SystemExit("the province's search for 诚信经营 shows no article")
print(f"GET {province}/search?q=诚信经营: {len(site['hits'])} subject(s) by name, and {site['articles']['count']} article(s) of 信用动态 → {site['articles']['link']}")
PY
}
step "信用动态 at the same village: its office writes an article on its operators' page (/ops/news, counted against 2 a month for each unit); the village's portal shows it at once, the province's /news when the pushes have carried it up four hops, where the public finds it by words of its text" news_tour
# 信用修复提醒 at the province: the penalties and listings whose minimum publicity period is over.
repair_tour() {
  echo "\$ credit-node repair-due --config $dir/420000000000/node.yaml   (the same as http://$province_records/ops/repair)"
  "$node" repair-due --config "$dir/420000000000/node.yaml" | head -14
}
step "信用修复提醒 at the province: the penalties and listings still shown whose subjects may now apply for credit repair, by the authority that is to remind them" repair_tour
# A village's disk is lost, with no backup: it takes its history back from its township.
recovery_tour() {
  lost=420102003201
  config="$dir/$lost/node.yaml"
  summary() { "$node" status --config "$config" | grep -E "^  (records|entered):|^  origin $lost"; }
  summary
  echo "\$ kill -TERM \$(cat $dir/$lost/serve.pid); mv $dir/$lost/node.sqlite* $dir/$lost/lost/   (the disk is gone)"
  pid=$(cat "$dir/$lost/serve.pid")
  kill -TERM "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  mkdir -p "$dir/$lost/lost"
  mv "$dir/$lost"/node.sqlite* "$dir/$lost/lost/"
  echo "\$ credit-node recover --config $config"
  "$node" recover --config "$config"
  summary
  "$node" up "$topology" --dir "$dir" | grep -E "^Network|^$lost"
}
step "a village's disk is lost, no backup: stopped, its store gone, it takes its own change log back from its township (each set verified against its signature), pulls what concerns it, and starts again where the network stands" recovery_tour
# The province's disk is lost: last night's backup goes back, and `recover` moves the province's own
# seqs past those its children were given after the backup.
province_restore_tour() {
  python3 - "$node" "$dir" "$topology" <<'PY'
import json, os, shutil, signal, subprocess, sys, time
node, net, topology = sys.argv[1:4]
top, village = "420000000000", "420102003201"
tc, vc = f"{net}/{top}/node.yaml", f"{net}/{village}/node.yaml"
def run(*args, show=True):
    if show:
        print("$ credit-node " + " ".join(args))
    out = subprocess.run([node, *args], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(out.stderr)
    return out.stdout
def status(config):
    return json.loads(run("status", "--config", config, "--json", show=False))
def wait_for(seq, what):
    # The live network pulls every 5 s, hop by hop: poll for up to 90 s.
    for _ in range(180):
        if status(vc)["highestSeq"].get(top, 0) >= seq:
            print(f"  {village} holds the province's changes up to seq {seq} ({what})")
            return
        time.sleep(0.5)
    sys.exit(f"{village} did not come to hold the province's seq {seq} within 90 s")
def list_subjects(seed, rows, what):
    path = f"{net}/province-list-{seed}.csv"
    if not os.path.exists(path):
        run("generate", "--config", tc, "--kind", "blacklist", "--rows", str(rows), "--seed", str(seed), "--faults", "0", "--late", "0", "--out", path, show=False)
    lines = run("ingest", path, "--kind", "blacklist", "--config", tc).splitlines()
    counts = {l.split()[0]: l.split()[-1] for l in lines[1:] if l.strip()}
    print(f"  {what}: {counts.get('accepted', '?')} new, {counts.get('duplicates', '?')} already held")
    return status(tc)["highestSeq"][top]
backup = f"{net}/{top}/node-last-night.sqlite"
if os.path.exists(backup):
    os.remove(backup)
print(run("backup", "--config", tc, "--to", backup).strip())
wait_for(list_subjects(31, 2, "after the backup, the province lists two subjects (严重失信主体名单, sent to every node)"), "the two listings")
print(f"$ kill -TERM $(cat {net}/{top}/serve.pid); mv {net}/{top}/node.sqlite* {net}/{top}/lost/; cp {backup} {net}/{top}/node.sqlite   (the disk is gone; last night's backup goes back)")
pid = int(open(f"{net}/{top}/serve.pid").read())
os.kill(pid, signal.SIGTERM)
while subprocess.run(["kill", "-0", str(pid)], capture_output=True).returncode == 0:
    time.sleep(0.2)
os.makedirs(f"{net}/{top}/lost", exist_ok=True)
for name in os.listdir(f"{net}/{top}"):
    if name.startswith("node.sqlite"):
        shutil.move(f"{net}/{top}/{name}", f"{net}/{top}/lost/{name}")
shutil.copyfile(backup, f"{net}/{top}/node.sqlite")
print(run("recover", "--config", tc).rstrip())
print("\n".join(l for l in run("up", topology, "--dir", net, show=False).splitlines() if l.startswith(("Network", top))))
wait_for(list_subjects(32, 1, "the province lists one more subject"), "the new listing, under a seq no child had seen")
print(f"  {village}: {status(vc)['setAside']} change(s) set aside")
wait_for(list_subjects(31, 2, "its office enters again the two listings it made after the backup"), "both listings again, in their new versions")
PY
}
step "the province's disk is lost: last night's backup goes back (\`credit-node backup\`), \`recover\` moves its own seqs past those its children were given after the backup, and its next listing reaches a village; its office enters again what it entered since the backup" province_restore_tour
step "stop it (the data stays in $dir)" "$node" down "$topology" --dir "$dir"
step "the same network for 30 simulated days — each of its 32 nodes the production node on its own SQLite store — under faults: lost, duplicated, reordered and corrupted messages, crashes failing the stores' commits, skewed clocks, a village down 5 days, a city cut off 20 hours, a township down 4 days, a county cut off a day and then its disk lost (it recovers from its city as \`recover\` does), the province restored from its night's backup (its own seqs restarted, its offices entering again what it lost); then the checks, read from the stores" \
  "$node" simulate "$topology" --days 30 --seed 7 \
  --faults 'loss=0.05,dup=0.05,reorder=0.1,corrupt=0.03,crash=0.02,skew=3,down=420102002201@3d+5d,partition=420600000000@10d+20h,down=420102002000@14d+4d,partition=420606000000@19d+1d,lose=420606000000@19d20h+6h,restore=420000000000@24d14h+4h'
# Last: the network again, left running, so its credit portals can be opened in a browser.
step "start the network again and leave it running: its credit portals" "$node" up "$topology" --dir "$dir"
trap - EXIT
