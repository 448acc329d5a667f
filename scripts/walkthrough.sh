#!/usr/bin/env bash
# The main job, today: build, create the network's CA and a village node with its certificate,
# ingest generated department files (good and bad rows, UTF-8 and GB18030), print the summaries,
# the quarantine and one subject's public profile, export the signed upward bundle and verify it,
# then start the township's sync listener and push the village's changes to it over mutual TLS;
# the township decides penalties about companies in the village and lists a subject as seriously
# dishonest, the village pulls them down with their proofs, opens an objection that goes back up,
# and answers a joint-punishment check from its own copy.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

echo "== build"
swift build --product credit-node 2>&1 | grep -E "error|warning:|Compiling credit|Build" || true
node=.build/debug/credit-node
[ -x "$node" ] || { echo "demo: the build failed" >&2; exit 1; }

demo=demo
rm -rf "$demo" && mkdir -p "$demo"
code=420102002201
today=$(TZ=Asia/Shanghai date +%F)

step() { printf '\n== %s\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }

step "create the network's certificate authority" "$node" pki init --out "$demo/certs/ca"
step "issue the village's certificate (its code in the SubjectAltName)" \
  "$node" pki issue --ca "$demo/certs/ca" --code "$code" --out "$demo/certs/$code"
port=${CREDITNET_DEMO_PORT:-7400}
township=420102002000
"$node" pki issue --ca "$demo/certs/ca" --code "$township" --out "$demo/certs/$township" >/dev/null
step "create a village node (its tier follows from its 12-digit code)" \
  "$node" init --code "$code" --data "$demo/village" --name "江岸区演示村" --parent "https://127.0.0.1:$port" \
  --identity "$demo/certs/$code"
config="$demo/village/node.yaml"

step "a department's penalty export: Chinese headers, UTF-8, 10% faulty rows" \
  "$node" generate --config "$config" --kind penalty --rows 2000 --seed 2026 --as-of "$today" --header names --out "$demo/行政处罚.csv"
step "a licence export from a spreadsheet saved as GB18030, national field codes as headers" \
  "$node" generate --config "$config" --kind license --rows 500 --seed 2026 --as-of "$today" --header codes --encoding gb18030 --out "$demo/xk-gb18030.csv"

step "ingest the penalties (kind given by its Chinese name)" "$node" ingest "$demo/行政处罚.csv" --kind 行政处罚 --config "$config"
step "ingest the licences (encoding detected)" "$node" ingest "$demo/xk-gb18030.csv" --kind license --config "$config"
step "ingest the penalties again: nothing new is stored" "$node" ingest "$demo/行政处罚.csv" --kind penalty --config "$config"

step "what was refused, and why (ID numbers masked)" "$node" quarantine --config "$config" --limit 4

subject=$(awk -F, 'NR > 1 && $2 == "法人及非法人组织" && length($3) == 18 { print $3; exit }' "$demo/行政处罚.csv")
step "one company's public profile (newest 2 records shown)" "$node" query "$subject" --config "$config" --public --limit 2

step "the node's status" "$node" status --config "$config"

step "seal the changes into signed change sets and write the upward bundle (offline transport)" \
  "$node" export --config "$config" --out "$demo/upward.cnbd"
step "verify and describe the bundle as the parent would" "$node" inspect "$demo/upward.cnbd" --ca "$demo/certs/ca/ca.pem"

step "create the township node that accepts the village as its child" \
  "$node" init --code "$township" --data "$demo/township" --name "演示街道" --listen "127.0.0.1:$port" --child "$code" \
  --identity "$demo/certs/$township"
printf '\n== start the township'"'"'s sync listener (mutual TLS)\n$ %s serve --config %s &\n' "$node" "$demo/township/node.yaml"
"$node" serve --config "$demo/township/node.yaml" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.2; done
step "push the village's change sets over HTTPS with mutual TLS; the signed receipt comes back" \
  "$node" push --config "$config"
step "the township now holds the village's records; the village's changes are acknowledged" \
  "$node" status --config "$demo/township/node.yaml"
printf "and at the village: " && "$node" status --config "$config" | tail -1 | sed "s/^ *//"

tconfig="$demo/township/node.yaml"
step "the township's market regulator decides penalties about companies in the village" \
  "$node" generate --config "$tconfig" --kind penalty --rows 40 --seed 7 --faults 0 --jurisdiction "$code" --as-of "$today" --out "$demo/township-penalties.csv"
"$node" ingest "$demo/township-penalties.csv" --kind penalty --config "$tconfig" | grep -E "accepted|change log"
step "and lists subjects of its own area as seriously dishonest (a network-wide list)" \
  "$node" generate --config "$tconfig" --kind blacklist --rows 3 --seed 8 --faults 0 --as-of "$today" --out "$demo/township-blacklist.csv"
"$node" ingest "$demo/township-blacklist.csv" --kind blacklist --config "$tconfig" | grep -E "accepted|change log"
step "the village pulls what concerns it: each change verified against its origin's signed Merkle root" \
  "$node" pull --config "$config"
decided=$(awk -F, 'NR > 1 && length($3) == 18 { print $3; exit }' "$demo/township-penalties.csv")
key=$("$node" query "$decided" --config "$config" --json | grep -o '"recordKey" : "penalty|[^"]*"' | head -1 | sed 's/.*: "//; s/"$//')
step "the company objects at the village: the record shows 异议处理中" \
  "$node" objection open "$key" --reason "企业称处罚对象有误" --unit "江岸区演示村信用服务站" --config "$config"
step "the objection travels up with the next push" "$node" push --config "$config"
step "the township shows the same state" "$node" query "$decided" --config "$tconfig" --public --limit 1
listed=$(awk -F, 'NR > 1 && length($3) == 18 { print $3; exit }' "$demo/township-blacklist.csv")
step "joint-punishment check at the village, from its local copy (信用核查)" "$node" check "$listed" --config "$config"
kill "$server" 2>/dev/null || true
wait "$server" 2>/dev/null || true
printf '\nThe node lives in %s; try: %s query %s --config %s --json\n' "$demo/village" "$node" "$subject" "$config"
