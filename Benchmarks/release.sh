# Sourced by the benchmarks: packages installed, the release binary built, `$node` its absolute
# path and its data files found wherever it is run from.
./scripts/setup.sh
swift build -c release --product credit-node 2>&1 | grep -E "error|warning:|Build" || true
node=$PWD/.build/release/credit-node
export CREDITNET_RESOURCES=$PWD/.build/release/CreditNet_CreditDomain.resources
