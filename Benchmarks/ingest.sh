#!/usr/bin/env bash
# Validated ingestion against plain SQLite inserts of the same rows, in the same run.
# Usage: Benchmarks/ingest.sh [RECORDS] [ROUNDS]   (defaults: 1000000 records, 3 alternating rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/release.sh
"$node" bench ingest --records "${1:-1000000}" --rounds "${2:-3}"
