#!/usr/bin/env bash
# Installs the system libraries CreditNet builds against (Debian). Sourced by demo.sh and test.sh.
# With --browser, also what the portal's browser test needs: Debian's Chromium and its WebDriver,
# a Chinese font, Python's selenium (from PyPI; it drives /usr/bin/chromedriver, no downloads), and
# Prometheus's promtool (it checks a node's /metrics scrape).
set -euo pipefail

packages=(libsqlite3-dev liblz4-dev libssl-dev lz4 curl)
browser=false
if [ "${1:-}" = "--browser" ]; then
  browser=true
  packages+=(chromium chromium-driver fonts-wqy-microhei python3-pip prometheus)
fi

if ! command -v swift >/dev/null 2>&1; then
  echo "swift is not on PATH: install Swift 6.2 or later (https://www.swift.org/install/linux/) and run this again." >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: missing system packages; run this as root, then try again:" >&2
    echo "  sudo apt-get install -y ${packages[*]}" >&2
    exit 1
  fi
fi

if $browser && ! python3 -c "import selenium" >/dev/null 2>&1; then
  echo "setup: installing selenium (Python)"
  python3 -m pip install --quiet selenium 2>/dev/null || python3 -m pip install --quiet --break-system-packages selenium
fi
