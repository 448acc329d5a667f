#!/usr/bin/env bash
# A subject renamed at a large store: migration v26 against the rename trigger it replaced. A county
# node takes RECORDS generated penalties (a third as many subjects); then NEW more penalties drawn
# from fewer subjects (`--subjects NEW/3`, another seed: some of them known under another name, so
# the ingest renames them) are ingested into copies of that store, alternating, RUNS times each: as
# it is (v26: the old name's pieces deleted by the key) and with the trigger of v12 put back
# (`DELETE FROM subject_grams WHERE subject_id = OLD.id`, a scan of every subject's pieces).
# Usage: Benchmarks/rename.sh [RECORDS] [NEW] [RUNS]   (defaults: 1000000, 30000, 2)
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/release.sh
records=${1:-1000000}
new=${2:-30000}
runs=${3:-2}
work=$(mktemp -d /tmp/creditnet-rename.XXXX)
trap 'rm -rf "$work"' EXIT
port=${CREDITNET_BENCH_PORT:-7591}
county_node "$work"
start=$(date +%s.%N)
"$node" generate --config "$work/node/node.yaml" --kind penalty --rows "$records" --subjects $((records / 3)) --seed 1 --faults 0 --late 0 \
  --out "$work/base.csv" 2>/dev/null
"$node" ingest "$work/base.csv" --kind penalty --config "$work/node/node.yaml" >/dev/null
rm "$work/base.csv"
end=$(date +%s.%N)
echo "generated and ingested $records penalties in $(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f} s')" "$start" "$end")"
echo "store: $(du -sh "$work/node" | cut -f1), $(sqlite3 "$work/node/node.sqlite" 'SELECT count(*) FROM subjects') subjects, $(sqlite3 "$work/node/node.sqlite" 'SELECT count(*) FROM subject_grams') name pieces"
"$node" generate --config "$work/node/node.yaml" --kind penalty --rows "$new" --subjects $((new / 3)) --seed 9001 --faults 0 --late 0 \
  --out "$work/new.csv" 2>/dev/null
# The rename trigger before v26, as migration v12 wrote it.
old_trigger="DROP TRIGGER subjects_renamed;
CREATE TRIGGER subjects_renamed AFTER UPDATE OF name ON subjects
BEGIN
    INSERT INTO subject_fts (subject_fts, rowid, name) VALUES ('delete', OLD.id, OLD.name);
    INSERT INTO subject_fts (rowid, name) VALUES (NEW.id, NEW.name);
    DELETE FROM subject_grams WHERE subject_id = OLD.id;
    INSERT OR IGNORE INTO subject_grams (gram, subject_id)
    SELECT substr(NEW.name, n, 1), NEW.id FROM gram_positions WHERE n <= length(NEW.name)
    UNION SELECT substr(NEW.name, n, 2), NEW.id FROM gram_positions WHERE n < length(NEW.name);
END;"
ingest_copy() { # ingest_copy VARIANT: the new file into a fresh copy of the store; prints the seconds
  rm -rf "$work/copy" && cp -r "$work/node" "$work/copy"
  sed -i "s#$work/node#$work/copy#" "$work/copy/node.yaml"
  [ "$1" = v12 ] && sqlite3 "$work/copy/node.sqlite" "$old_trigger"
  local s e
  s=$(date +%s.%N)
  "$node" ingest "$work/new.csv" --kind penalty --config "$work/copy/node.yaml" >/dev/null
  e=$(date +%s.%N)
  python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$s" "$e"
}
renamed=$(python3 - "$work/node/node.sqlite" "$work/new.csv" <<'PY'
import csv, sqlite3, sys
known = dict(sqlite3.connect(sys.argv[1]).execute("SELECT code, name FROM subjects"))
with open(sys.argv[2], encoding="utf-8-sig", newline="") as f:
    rows = list(csv.DictReader(f))
code = lambda r: r["统一社会信用代码"] or r["证件号码"]
print(sum(1 for c in {code(r): r["行政相对人名称"] for r in rows}.items() if c[0] in known and known[c[0]] != c[1]))
PY
)
echo "the $new new penalties rename $renamed known subject(s) (at least)"
v26=() v12=()
for _ in $(seq "$runs"); do
  v26+=("$(ingest_copy v26)")
  v12+=("$(ingest_copy v12)")
done
echo "ingest $new penalties into the store: v26 (pieces deleted by key) ${v26[*]} s; v12 (a scan per rename) ${v12[*]} s"
