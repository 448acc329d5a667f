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
