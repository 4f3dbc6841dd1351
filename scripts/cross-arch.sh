#!/usr/bin/env bash
# cross-arch.sh: the same seed gives the same run on every architecture.
#
# Builds dsim and the golden tests three ways: amd64 for the baseline
# (GOAMD64=v1, where Go rounds every floating-point operation), arm64 (whose
# compiler fuses x*y+z into one multiply-add) and amd64 with GOAMD64=v3
# (which fuses too). Runs the arm64 build under qemu-aarch64 (Debian's
# qemu-user) and the others natively, then compares:
#
#   1. the golden tests of sim, sim/detmath and scenarios/library (the seed-1
#      fingerprint of every library scenario) must pass in every build;
#   2. the sweep digest (a hash of every run's fingerprint) of every library
#      scenario over SEEDS, and of each protocol's nemesis scenario over
#      seeds 1-20 with --swarm (whose mixes are drawn with floats too), must
#      be the same in every build.
#
# A build that cannot run here is skipped with the reason (no qemu-aarch64;
# a processor without x86-64-v3); the others are still compared. Exit status
# 0 when everything that ran agrees, 1 when something differs or fails.
#
# usage: scripts/cross-arch.sh [SEEDS]     (SEEDS defaults to 1-100)
# env:   JOBS       runs side by side in each sweep (default: the number of CPUs)
#        SCENARIOS  the scenarios to sweep (default: every library scenario)
#        SWARM_SCENARIOS  the scenarios swept with --swarm (default: each
#                   protocol's nemesis scenario; empty: none)
#        KEEP       a directory to keep the binaries and the digests in
set -euo pipefail
cd "$(dirname "$0")/.."

seeds=${1:-1-100}
jobs=${JOBS:-$(nproc)}
work=${KEEP:-$(mktemp -d)}
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
mkdir -p "$work"
host=$(go env GOHOSTARCH)
columns=(amd64 arm64 amd64-v3)
goldens=(sim sim/detmath scenarios/library)
failed=0

# env_of COLUMN prints the GOARCH and GOAMD64 settings of a build.
env_of() {
  case $1 in
    amd64) echo "GOARCH=amd64 GOAMD64=v1" ;;
    arm64) echo "GOARCH=arm64" ;;
    amd64-v3) echo "GOARCH=amd64 GOAMD64=v3" ;;
  esac
}

# runner COLUMN prints the command that runs the build's binaries here
# (nothing: natively), or fails with the reason on stderr. A native build
# must already be built: it is run once to see that this processor can.
runner() {
  local arch=${1%%-*} qemu
  if [ "$arch" = "$host" ]; then
    if ! "$work/$1/dsim" --version >/dev/null 2>&1; then
      echo "this processor cannot run it: $("$work/$1/dsim" --version 2>&1 | head -1)" >&2
      return 1
    fi
    return 0
  fi
  qemu=qemu-$([ "$arch" = arm64 ] && echo aarch64 || echo x86_64)
  if ! command -v "$qemu" >/dev/null; then
    echo "$qemu not found: install Debian's qemu-user (apt-get install qemu-user) to run it" >&2
    return 1
  fi
  echo "$qemu"
}

# build COLUMN cross-compiles dsim and the golden tests.
build() {
  local dir=$work/$1 pkg
  mkdir -p "$dir"
  env $(env_of "$1") go build -o "$dir/dsim" ./cmd/dsim
  for pkg in "${goldens[@]}"; do
    env $(env_of "$1") go test -c -o "$dir/${pkg//\//-}.test" "./$pkg"
  done
}

# goldens COLUMN RUNNER runs the golden tests; a failure prints their output.
run_goldens() {
  local pkg out
  for pkg in "${goldens[@]}"; do
    if out=$(cd "$pkg" && $2 "$work/$1/${pkg//\//-}.test" -test.run 'Golden|Special' 2>&1); then
      echo "  $1: $pkg golden tests pass"
    else
      echo "  $1: $pkg golden tests FAIL:"
      echo "$out" | sed 's/^/    /'
      failed=1
    fi
  done
}

# sweeps COLUMN RUNNER writes "scenario digest" for every library scenario,
# and "scenario--swarm digest" for the swarm sweeps.
sweeps() {
  local name
  {
    for name in $(scenario_names); do
      echo "$name $(digest "$1" "$2" "$name" --seeds "$seeds")"
    done
    for name in ${SWARM_SCENARIOS-paxos-nemesis raft-nemesis twopc-nemesis pbkv-nemesis mapreduce-nemesis}; do
      echo "$name--swarm $(digest "$1" "$2" "$name" --seeds 1-20 --swarm)"
    done
  } >"$work/$1.digests"
}

# digest COLUMN RUNNER SCENARIO FLAGS... prints a sweep's digest, or none.
digest() {
  local col=$1 run=$2 name=$3 d
  shift 3
  # A sweep exits 1 when a seed fails (two library scenarios fail by
  # design); the digest is what is compared.
  d=$($run "$work/$col/dsim" sweep "$name" "$@" --format json --jobs "$jobs" \
    --progress-every 0 2>/dev/null | sed -n 's/.*"digest": "\(.*\)".*/\1/p' || true)
  echo "${d:-none}"
}

# scenario_names lists SCENARIOS, or the library's scenarios (the first
# block of dsim list).
scenario_names() {
  if [ -n "${SCENARIOS:-}" ]; then
    echo "$SCENARIOS"
    return
  fi
  "$work/amd64/dsim" list | awk 'NR > 1 && NF == 0 { exit } NR > 1 { print $1 }'
}

ran=()
for col in "${columns[@]}"; do
  start=$SECONDS
  mkdir -p "$work/$col"
  # A foreign build is only built when it can run; a native one to try it.
  if [ "${col%%-*}" = "$host" ] || runner "$col" >/dev/null 2>&1; then
    build "$col"
  fi
  if ! run=$(runner "$col" 2>"$work/reason"); then
    echo "== $col: SKIPPED: $(cat "$work/reason")"
    continue
  fi
  echo "== $col${run:+ (under $run)}"
  run_goldens "$col" "$run"
  sweeps "$col" "$run"
  ran+=("$col")
  echo "  $col: $(wc -l <"$work/$col.digests") sweeps of seeds $seeds in $((SECONDS - start)) s"
done

if [ ${#ran[@]} -lt 2 ]; then
  echo "== cross-architecture comparison SKIPPED: only ${ran[*]:-no build} could run here"
  exit $failed
fi
echo "== sweep digests, seeds $seeds: ${ran[*]}"
paste -d' ' $(for c in "${ran[@]}"; do echo "$work/$c.digests"; done) |
  awk -v n=${#ran[@]} '{
    line = $1; same = 1
    for (i = 1; i <= n; i++) { d = $(2 * i); line = line " " d; if (d != $2 || d == "none") same = 0 }
    if (!same) { print "  DIFFERS: " line; bad++ }
  } END { if (bad) exit 1 }' || failed=1
if [ $failed -eq 0 ]; then
  echo "  all $(wc -l <"$work/${ran[0]}.digests") scenarios agree"
fi
exit $failed
