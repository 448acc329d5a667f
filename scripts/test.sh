#!/usr/bin/env bash
# The test command: set-up, a warning-free build, then every test (Swift Testing), then the
# portal's walkthrough in a real browser (Tests/Browser: Chromium over WebDriver, screenshots in
# .build/browser-test/).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --browser

log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== build (tests included)"
set +e
swift build --build-tests 2>&1 | tee "$log" | grep -vE "^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Linking|Wrapping|Write|Planning)"
status=${PIPESTATUS[0]}
set -e
[ "$status" -eq 0 ] || exit "$status"
# Warnings in the project's own code are defects (dependencies' warnings are not ours).
if grep -E "^$(pwd)/(Sources|Tests)/[^:]+:[0-9]+:[0-9]+: warning:" "$log"; then
  echo "test: the build has warnings in the project's own code (listed above)" >&2
  exit 1
fi

echo "== test"
set +e
swift test --skip-build 2>&1 | tee "$log" | grep -E "✘|Test run|recorded an issue|error:|passed after .* seconds\.$" | grep -vE "^✔ Test [^r]" 
status=${PIPESTATUS[0]}
set -e
[ "$status" -eq 0 ] || exit "$status"

echo "== browser test (the portal in Chromium, JavaScript off)"
python3 Tests/Browser/portal_walkthrough.py .build/debug/credit-node .build/browser-test
