#!/usr/bin/env bash
# The change-set codec against the lz4 tool on the same body bytes, in the same run, and the
# bytes on the wire against the records' CSV.  Usage: Benchmarks/codec.sh [RECORDS]  (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/release.sh
"$node" bench codec --records "${1:-1000000}"
