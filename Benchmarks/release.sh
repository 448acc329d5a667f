# Sourced by the benchmarks: packages installed, the release binary built, `$node` its absolute
# path and its data files found wherever it is run from.
./scripts/setup.sh
swift build -c release --product credit-node 2>&1 | grep -E "error|warning:|Build" || true
node=$PWD/.build/release/credit-node
export CREDITNET_RESOURCES=$PWD/.build/release/CreditNet_CreditDomain.resources

# `best CMD …`: the shortest wall time of `$runs` runs of the command (its output discarded).
best() {
  local best=
  for _ in $(seq "$runs"); do
    local s e
    s=$(date +%s.%N)
    "$@" >/dev/null
    e=$(date +%s.%N)
    best=$(python3 -c "import sys; t = float(sys.argv[2]) - float(sys.argv[1]); b = sys.argv[3]; print(f'{min(t, float(b)) if b else t:.3f}')" "$s" "$e" "$best")
  done
  echo "$best s"
}

# `county_node DIR`: a county node, 江岸区 (420102000000) over its four townships, in DIR, with a
# certificate from a CA made in DIR; it listens on $port (sync), $port + 1 (portal) and $port + 2
# (records and the operators' pages). Sets `townships`.
townships=(420102001000 420102002000 420102003000 420102004000)
county_node() {
  local dir=$1 children=()
  for t in "${townships[@]}"; do children+=(--child "$t"); done
  "$node" pki init --out "$dir/ca" >/dev/null
  "$node" pki issue --ca "$dir/ca" --code 420102000000 --out "$dir/cert" >/dev/null
  "$node" init --code 420102000000 --name 江岸区 --data "$dir/node" --identity "$dir/cert" --listen 127.0.0.1:$port \
    --portal 127.0.0.1:$((port + 1)) "${children[@]}" >/dev/null
  echo "recordsListen: \"127.0.0.1:$((port + 2))\"" >> "$dir/node/node.yaml"
}

# `serve_county DIR PAGE`: the county node in DIR serving (its pid in `server`, for the caller's
# trap), waited for until the operators' page /ops/PAGE answers; then `page QUERY` fetches
# /ops/PAGE with QUERY, its body discarded (for `best`).
serve_county() {
  "$node" serve --config "$1/node/node.yaml" >"$1/serve.log" 2>&1 &
  server=$!
  ops_page="http://127.0.0.1:$((port + 2))/ops/$2"
  for _ in $(seq 100); do curl -s -o /dev/null "$ops_page" && break; sleep 0.2; done
}
page() { curl -sf -o /dev/null "$ops_page$1"; }
