#!/usr/bin/env bash
# CreditNet against PostgreSQL logical replication, five tiers, the same rows, the same machine,
# the same run.  Usage: Benchmarks/pipeline.sh [RECORDS]   (default 1000000)
#
# 1. Generates RECORDS penalty rows deterministically (seed 1…16), spread over the 16 villages of
#    Topologies/demo.yaml, as CSV files.
# 2. CreditNet: starts the demo network (32 `credit-node serve` processes, mutual TLS, signed LZ4
#    change sets), ingests the 16 files at their villages at once, and times from the first ingest
#    until the province holds every record. Push interval 1 s.
# 3. PostgreSQL 15: five servers on loopback chained by logical replication (village → township →
#    county → city → province: a publication on each, the tier above subscribing and publishing
#    again); COPYs the same 16 files into the village server and times until the province server
#    holds every row. Servers are created under a temporary directory and removed afterwards.
# 4. Prints both times, their ratio, records/s, CreditNet's bytes on the wire per hop against the
#    CSV bytes, peak memory per node, the CPU seconds each system spent in that time (per tier,
#    the ingest processes, the middle tiers' copies at nice 19; the PostgreSQL servers and client)
#    and the wall time that sets on this machine's cores, and (on RECORDS/5) ingest against plain
#    SQLite and the codec against lz4.
# Needs postgresql-15 (installed with apt-get when missing and run as root).
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/release.sh
n=${1:-1000000}
pgbin=/usr/lib/postgresql/15/bin
if [ ! -x "$pgbin/initdb" ]; then
  [ "$(id -u)" -eq 0 ] || { echo "pipeline: install postgresql-15 (apt-get install -y postgresql-15) and run again" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
fi
work=$(mktemp -d /tmp/creditnet-pipeline.XXXX)
chmod 755 "$work"
topology=$work/pipeline.yaml
cleanup() {
  "$node" down "$topology" --dir "$work/net" >/dev/null 2>&1 || true
  for i in 0 1 2 3 4; do [ -d "$work/pg$i" ] && runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg$i" -m immediate stop >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
now() { date +%s.%N; }
# CPU seconds (user + system) so far: of the running `serve` processes, per tier, as "tier seconds
# low" lines (low: of their threads at nice 19 — a middle tier applying its own copy); and of the
# PostgreSQL servers, each postmaster with its live and its exited children.
cn_cpu() {
  PYTHONPATH=Benchmarks python3 - "$work/net" <<'PY'
import glob, os, sys
from tiers import tier as tier_of
tick = os.sysconf("SC_CLK_TCK"); tiers = {}
for f in glob.glob(f"{sys.argv[1]}/*/serve.pid"):
    code = f.split("/")[-2]
    pid = open(f).read().strip()
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        low = 0
        for task in os.listdir(f"/proc/{pid}/task"):
            t = open(f"/proc/{pid}/task/{task}/stat").read().rsplit(")", 1)[1].split()
            if int(t[16]) == 19: low += int(t[11]) + int(t[12])
    except OSError: continue
    tier = tier_of(code)
    seconds, lows = tiers.get(tier, (0, 0))
    tiers[tier] = (seconds + (int(fields[11]) + int(fields[12])) / tick, lows + low / tick)
for tier, (seconds, low) in tiers.items(): print(tier, seconds, low)
PY
}
pg_cpu() {
  python3 - "$work" <<'PY'
import glob, os, sys
tick = os.sysconf("SC_CLK_TCK"); total = 0
def stat(pid): return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
for i in range(5):
    master = open(f"{sys.argv[1]}/pg{i}/postmaster.pid").readline().strip()
    f = stat(master)
    total += sum(int(x) for x in f[11:15])
    for p in os.listdir("/proc"):
        if not p.isdigit(): continue
        try: c = stat(p)
        except OSError: continue
        if c[1] == master: total += int(c[11]) + int(c[12])
print(total / tick)
PY
}
# The CPU seconds of this shell's waited-for children into file $1, from bash's `times` (its second
# line: user and system). `times` runs in this shell, not in a pipeline, which would be a subshell.
children_cpu() {
  times > "$1.times"
  sed -n 2p "$1.times" | awk '{ split($1, u, /[ms]/); split($2, y, /[ms]/); print u[1] * 60 + u[2] + y[1] * 60 + y[2] }' > "$1"
}

echo "== generating $n records over 16 villages"
sed -e 's/^pushIntervalSeconds: .*/pushIntervalSeconds: 1/' -e 's/^pullIntervalSeconds: .*/pullIntervalSeconds: 3600/' -e 's/^name: .*/name: pipeline/' \
  -e 's/127\.0\.0\.1:75/127.0.0.1:76/' Topologies/demo.yaml > "$topology"
villages=$(grep -o 'code: "[0-9]*2[0-9][0-9]"' "$topology" | grep -v '000"' | grep -o '[0-9]\{12\}')
i=0
for v in $villages; do
  i=$((i + 1))
  rows=$(( n / 16 + (i <= n % 16 ? 1 : 0) ))
  "$node" generate --node "$v" --kind penalty --rows "$rows" --seed "$i" --faults 0 --late 0 --header codes --as-of 2026-11-20 --out "$work/v$i.csv" 2>/dev/null
  echo "$v $work/v$i.csv" >> "$work/files"
done
csv_bytes=$(cat "$work"/v*.csv | wc -c)

echo "== CreditNet: 32 nodes, five tiers, mutual TLS"
"$node" up "$topology" --dir "$work/net" --certs "$work/certs" | head -1
province=$work/net/420000000000/node.sqlite
cn_cpu > "$work/cn-cpu-start"
start=$(now)
(
  while read -r v f; do
    "$node" ingest "$f" --kind penalty --config "$work/net/$v/node.yaml" >/dev/null &
  done < "$work/files"
  wait
  children_cpu "$work/ingest-cpu"
)
ingested=$(now)
expected=$(python3 - "$work/net" $villages <<'PY'
import sqlite3, sys
root, villages = sys.argv[1], sys.argv[2:]
print(sum(sqlite3.connect(f"{root}/{v}/node.sqlite").execute("select count(*) from records").fetchone()[0] for v in villages))
PY
)
while :; do
  held=$(python3 -c "import sqlite3; print(sqlite3.connect('file:$province?mode=ro', uri=True).execute('select count(*) from records').fetchone()[0])" 2>/dev/null || echo 0)
  [ "$held" -ge "$expected" ] && break
  sleep 0.5
done
done_cn=$(now)
cn_cpu > "$work/cn-cpu-done"
# Middle tiers forward what they accept before applying it: when do they hold every record too?
while :; do
  left=$(python3 - "$work/net" <<'PY'
import sqlite3, sys, glob
print(sum(sqlite3.connect(f"file:{db}?mode=ro", uri=True).execute("select count(*) from apply_queue").fetchone()[0] for db in glob.glob(f"{sys.argv[1]}/*/node.sqlite")))
PY
)
  [ "$left" -eq 0 ] && break
  sleep 0.5
done
all_cn=$(now)
PYTHONPATH=Benchmarks python3 - "$work/net" > "$work/cn-stats" <<'PY'
import sqlite3, sys, os, glob
from tiers import tier as tier_of
root = sys.argv[1]
tiers = {}
for d in sorted(glob.glob(f"{root}/*/")):
    code = os.path.basename(d.rstrip("/"))
    db = sqlite3.connect(f"file:{d}node.sqlite?mode=ro", uri=True)
    sent = db.execute("select coalesce(sum(length(b.encoded)),0) from outbox o join outbox_bytes b on b.id = o.id where o.acknowledged_at is not null").fetchone()[0]
    tier = tier_of(code)
    pid = open(f"{d}serve.pid").read().strip() if os.path.exists(f"{d}serve.pid") else None
    hwm = 0
    if pid:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM:"): hwm = int(line.split()[1]) // 1024
    t = tiers.setdefault(tier, [0, 0, 0])
    t[0] += sent; t[1] = max(t[1], hwm); t[2] += 1
for tier in ["village", "township", "county", "city", "province"]:
    s, h, c = tiers[tier]
    print(f"{tier} {s} {h} {c}")
PY

echo "== PostgreSQL 15: five servers chained by logical replication"
cols=$(head -1 "$work/v1.csv" | tr -d '\r')
coldefs=$(echo "$cols" | tr ',' '\n' | sed 's/.*/"&" text/' | paste -sd, -)
mkdir -p "$work/pgsock" && chown postgres "$work/pgsock"
for i in 0 1 2 3 4; do
  mkdir -p "$work/pg$i" && chown postgres "$work/pg$i" && touch "$work/pg$i.log" && chown postgres "$work/pg$i.log"
  runuser -u postgres -- "$pgbin/initdb" -D "$work/pg$i" -U postgres --auth=trust >/dev/null
  cat >> "$work/pg$i/postgresql.conf" <<CONF
port = $((5440 + i))
listen_addresses = '127.0.0.1'
unix_socket_directories = '$work/pgsock'
wal_level = logical
max_replication_slots = 10
max_wal_senders = 10
shared_buffers = 256MB
CONF
  runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg$i" -l "$work/pg$i.log" start >/dev/null
done
psql_at() { psql -q -h 127.0.0.1 -p $((5440 + $1)) -U postgres -d postgres -v ON_ERROR_STOP=1 "${@:2}"; }
for i in 0 1 2 3 4; do
  until psql_at "$i" -c "select 1" >/dev/null 2>&1; do sleep 0.2; done
  psql_at "$i" -c "create table records (id bigserial primary key, $coldefs)"
  [ "$i" -lt 4 ] && psql_at "$i" -c "create publication up for table records"
done
for i in 1 2 3 4; do
  psql_at "$i" -c "create subscription up_from_$((i - 1)) connection 'host=127.0.0.1 port=$((5440 + i - 1)) user=postgres dbname=postgres' publication up"
done
sleep 2
pg_cpu_start=$(pg_cpu)
start_pg=$(now)
(
  {
    while read -r v f; do echo "\\copy records($(echo "$cols" | sed 's/[^,]*/"&"/g')) from '$f' with (format csv, header true)"; done < "$work/files"
  } | psql_at 0 >/dev/null
  children_cpu "$work/copy-cpu"
)
copied=$(now)
rows_pg=$(psql_at 0 -At -c "select count(*) from records")
while :; do
  held=$(psql_at 4 -At -c "select count(*) from records")
  [ "$held" -ge "$rows_pg" ] && break
  sleep 0.2
done
done_pg=$(now)
pg_cpu_done=$(pg_cpu)
pg_mem=$(ps -o rss= -u postgres | awk '{s+=$1} END {print int(s/1024)}')

echo "== ingest against plain SQLite, codec against lz4 (on $((n / 5)) records)"
"$node" bench ingest --records $((n / 5)) --rounds 1 2>/dev/null | grep -E "ratio|records/s" | head -3 > "$work/ingest" || true
"$node" bench codec --records $((n / 5)) --rounds 1 2>/dev/null | grep -E "encode|verify" > "$work/codec" || true

python3 - "$n" "$expected" "$rows_pg" "$start" "$ingested" "$done_cn" "$start_pg" "$copied" "$done_pg" "$csv_bytes" "$work/cn-stats" "$pg_mem" "$all_cn" \
  "$work" "$pg_cpu_start" "$pg_cpu_done" <<'PY'
import os, sys
n, cn_rows, pg_rows = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
s, ing, d, sp, cp, dp = map(float, sys.argv[4:10])
csv = int(sys.argv[10]); stats = [l.split() for l in open(sys.argv[11])]; pg_mem = sys.argv[12]; all_cn = float(sys.argv[13])
cn, pg = d - s, dp - sp
print(f"\nrecords generated: {n}; accepted by CreditNet: {cn_rows}; rows in PostgreSQL: {pg_rows}; CSV: {csv/1e6:.1f} MB")
print(f"CreditNet, first ingest → all at the province: {cn:.1f} s ({cn_rows/cn:,.0f} records/s; ingest at the villages took {ing-s:.1f} s)")
print(f"CreditNet, first ingest → every tier has applied every record: {all_cn - s:.1f} s")
print(f"PostgreSQL, first COPY → all at the province:  {pg:.1f} s ({pg_rows/pg:,.0f} rows/s; COPY into the village took {cp-sp:.1f} s)")
print(f"ratio CreditNet / PostgreSQL: {cn/pg:.2f} (target ≤ 0.6)")
for tier, sent, hwm, count in stats:
    share = f", {int(sent)/csv*100:.1f} % of the CSV" if tier != "province" else ""
    print(f"  {tier:9} ×{count:>2}: sent upward {int(sent)/1e6:7.1f} MB{share}; peak memory per node ≤ {hwm} MB")
print(f"  PostgreSQL: five servers, {pg_mem} MB resident in all at the end")
work = sys.argv[14]
def tiers(name): return {t: (float(v), float(low)) for t, v, low in (l.split() for l in open(f"{work}/{name}"))}
a, b = tiers("cn-cpu-start"), tiers("cn-cpu-done")
ingest_cpu, copy_cpu = float(open(f"{work}/ingest-cpu").read()), float(open(f"{work}/copy-cpu").read())
serve = {t: b[t][0] - a.get(t, (0, 0))[0] for t in ["village", "township", "county", "city", "province"] if t in b}
copies = sum(b[t][1] - a.get(t, (0, 0))[1] for t in b)
cn_cpu = ingest_cpu + sum(serve.values()); pg_cpu = float(sys.argv[16]) - float(sys.argv[15]) + copy_cpu
cores = os.cpu_count()
print(f"CPU seconds, first ingest → all at the province (user + system, {cores} cores):")
print(f"  CreditNet {cn_cpu:.1f}: ingest processes {ingest_cpu:.1f}; serve " + ", ".join(f"{t} {v:.1f}" for t, v in serve.items()) +
      f" (of which the middle tiers' own copies, applied at nice 19: {copies:.1f}) — at least {cn_cpu / cores:.1f} s of wall time on {cores} cores")
print(f"  PostgreSQL {pg_cpu:.1f}: five servers {pg_cpu - copy_cpu:.1f}, psql COPY client {copy_cpu:.1f} — at least {pg_cpu / cores:.1f} s on {cores} cores")
PY
cat "$work/ingest" "$work/codec"
