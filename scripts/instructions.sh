#!/usr/bin/env bash
# instructions.sh: instruction and cache-miss counts, which, unlike wall
# clocks, do not depend on what else the machine runs. Needs valgrind
# (Debian: apt-get install valgrind).
#
#   scripts/instructions.sh seed SCENARIO [DSIM]
#       instructions per seed of a one-job sweep: (seeds 1-20 - seeds 1-5)/15,
#       so start-up and warm-up cancel out. DSIM: a dsim binary (default:
#       built from this checkout).
#   scripts/instructions.sh bench PKG BENCH N1 N2
#       instructions per benchmark op: (N2 ops - N1 ops)/(N2 - N1), e.g.
#       scripts/instructions.sh bench sim 'PingPong/inflight=1$' 200000 1200000
#   scripts/instructions.sh limit N1 N2
#       instructions per event of the bare reference loop, ../shared/bench/limit,
#       at one message in flight, e.g. scripts/instructions.sh limit 1000000 6000000
#   scripts/instructions.sh cache BENCH N
#       first-level data-cache misses of N ops of a sim benchmark, e.g.
#       scripts/instructions.sh cache 'Gossip/nodes=10000$' 2000000
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind not found (apt-get install valgrind)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export GODEBUG=asyncpreemptoff=1

# total FILE prints the instruction total of a callgrind output file.
total() { callgrind_annotate "$1" | awk '/TOTALS/ {gsub(",", "", $1); print $1}'; }

case ${1:-} in
seed)
  bin=${3:-}
  if [ -z "$bin" ]; then bin=$tmp/dsim; go build -o "$bin" ./cmd/dsim; fi
  for n in 5 20; do
    GOGC=400 valgrind --tool=callgrind --callgrind-out-file="$tmp/$n.out" "$bin" sweep "$2" --seeds "1-$n" --jobs 1 >/dev/null 2>&1 || true
  done
  echo $(( ($(total "$tmp/20.out") - $(total "$tmp/5.out")) / 15 ))
  ;;
bench)
  CGO_ENABLED=0 go test -c -o "$tmp/pkg.test" "./$2" >/dev/null
  for n in "$4" "$5"; do
    (cd "$2" && GOGC=off valgrind --tool=callgrind --callgrind-out-file="$tmp/$n.out" "$tmp/pkg.test" \
      -test.run '^$' -test.bench "$3" -test.benchtime "${n}x" -test.cpu 1 >/dev/null 2>&1)
  done
  echo $(( ($(total "$tmp/$5.out") - $(total "$tmp/$4.out")) / ($5 - $4) ))
  ;;
limit)
  (cd ../shared/bench/limit && go build -o "$tmp/limit" .)
  for n in "$2" "$3"; do
    valgrind --tool=callgrind --callgrind-out-file="$tmp/$n.out" "$tmp/limit" -events "$n" -inflight 1 >/dev/null 2>&1
  done
  echo $(( ($(total "$tmp/$3.out") - $(total "$tmp/$2.out")) / ($3 - $2) ))
  ;;
cache)
  CGO_ENABLED=0 go test -c -o "$tmp/sim.test" ./sim >/dev/null
  (cd sim && GOGC=off valgrind --tool=cachegrind --cache-sim=yes --cachegrind-out-file="$tmp/c.out" "$tmp/sim.test" \
    -test.run '^$' -test.bench "$2" -test.benchtime "${3}x" -test.cpu 1 2>&1 | grep -E "I *refs|D1 *misses")
  ;;
*)
  sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
  ;;
esac
