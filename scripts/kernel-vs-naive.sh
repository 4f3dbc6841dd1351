#!/usr/bin/env bash
# Compares the kernel's ping-pong benchmark with the two reference event
# loops: ../shared/bench/naive (the loop a Go programmer writes first) and
# ../shared/bench/limit (a bare loop with compact keys, one latency draw and
# an incremental fingerprint per event, but no dispatch and no network
# model). Runs are interleaved, so all three see the same machine load; it
# prints the median events/s of each and dsim's ratio to each reference, per
# in-flight count.
# Usage: scripts/kernel-vs-naive.sh [rounds]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
naive="$(pwd)/../shared/bench/naive"
limit="$(pwd)/../shared/bench/limit"
for d in "$naive" "$limit"; do
  [ -d "$d" ] || { echo "no reference loop at $d" >&2; exit 2; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/sim.test" ./sim
(cd "$naive" && go build -o "$tmp/naive" .)
(cd "$limit" && go build -o "$tmp/limit" .)
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2fx", a/b}'; }
printf '%-9s %12s %12s %12s %9s %9s\n' inflight dsim naive limit vs-naive vs-limit
for k in 1 64 1024; do
  for r in $(seq "$rounds"); do
    "$tmp/sim.test" -test.run '^$' -test.bench "PingPong/inflight=$k\$" -test.benchtime 2s |
      awk '/events\/s/ {for (i=1;i<=NF;i++) if ($(i+1)=="events/s") print $i}' >> "$tmp/d$k"
    "$tmp/naive" -events 20000000 -inflight "$k" | awk '/events_per_sec/ {print $2}' >> "$tmp/n$k"
    "$tmp/limit" -events 20000000 -inflight "$k" | awk '/events_per_sec/ {print $2}' >> "$tmp/l$k"
  done
  d=$(median < "$tmp/d$k"); n=$(median < "$tmp/n$k"); l=$(median < "$tmp/l$k")
  printf '%-9s %12.0f %12.0f %12.0f %9s %9s\n' "$k" "$d" "$n" "$l" "$(ratio "$d" "$n")" "$(ratio "$d" "$l")"
done
