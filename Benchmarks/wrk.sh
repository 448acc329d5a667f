# Sourced by the benchmarks that drive a listener with `wrk` (portal.sh, views.sh, news.sh, network.sh):
# installs it when missing, and reads its reports.
command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
# The script that asks, at each request, for a path drawn at random from a file
# (`wrk -s "$wrk_paths" URL -- FILE`): pages not yet built.
wrk_paths=$PWD/Benchmarks/paths.lua
# `wrk_ms 99% FILE`: a latency quantile of a report, in milliseconds.
wrk_ms() { awk -v q="$1" '$1 == q { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } printf "%.2f", v }' "$2"; }
# `wrk_rps FILE`: requests per second.
wrk_rps() { awk '/^Requests\/sec/ { print $2 }' "$1"; }
# `wrk_errors FILE`: the report's lines about failed requests, if any.
wrk_errors() { grep -E "Non-2xx|Socket errors" "$1" | tr -s ' ' || true; }
