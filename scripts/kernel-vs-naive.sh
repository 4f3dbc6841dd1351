#!/usr/bin/env bash
# Compares the kernel's ping-pong benchmark with the reference event loop in
# ../shared/bench/naive, interleaving runs so both see the same machine load,
# and prints the median events/s of each and their ratio per in-flight count.
# Usage: scripts/kernel-vs-naive.sh [rounds]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
naive="$(pwd)/../shared/bench/naive"
[ -d "$naive" ] || { echo "no reference loop at $naive" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/sim.test" ./sim
(cd "$naive" && go build -o "$tmp/naive" .)
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '%-10s %14s %14s %7s\n' inflight dsim naive ratio
for k in 1 64 1024; do
  for r in $(seq "$rounds"); do
    "$tmp/sim.test" -test.run '^$' -test.bench "PingPong/inflight=$k\$" -test.benchtime 2s |
      awk '/events\/s/ {for (i=1;i<=NF;i++) if ($(i+1)=="events/s") print $i}' >> "$tmp/d$k"
    "$tmp/naive" -events 20000000 -inflight "$k" | awk '/events_per_sec/ {print $2}' >> "$tmp/n$k"
  done
  d=$(median < "$tmp/d$k"); n=$(median < "$tmp/n$k")
  printf '%-10s %14.0f %14.0f %6.2fx\n' "$k" "$d" "$n" "$(awk -v a="$d" -v b="$n" 'BEGIN{print a/b}')"
done
