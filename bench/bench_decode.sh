#!/usr/bin/env bash
# bench_decode.sh - run bench_decode on the real event captures and print
# the markdown table of BENCHMARKS.md ("Decoding, per format").
#
#   bench/bench_decode.sh BUILD_DIR [SECONDS]
#
# The data is read in place from ../shared/data/events (override with
# KBC_SHARED_DIR=/path/to/shared), decompressed to a temporary directory
# that is removed on exit. SECONDS is the timed total per format (default 1).
# Use a build without sanitizers (e.g. the default RelWithDebInfo).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:?usage: bench_decode.sh BUILD_DIR [SECONDS]}
secs=${2:-1}
bench=$build/bench/bench_decode
shared=${KBC_SHARED_DIR:-$repo/../shared}
events=$shared/data/events
files=(winlogbeat7-ecs winlogbeat6-kafka nxlog-wec-kafka)

die() {
	echo "bench_decode.sh: $*" >&2
	exit 2
}

[[ -x $bench ]] || die "no $bench; build it first:
  cmake -S $repo -B $build && cmake --build $build --target bench_decode"
for f in "${files[@]}"; do
	[[ -r $events/$f.jsonl.xz ]] || die "real data missing: $events/$f.jsonl.xz"
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in "${files[@]}"; do
	xz -dc "$events/$f.jsonl.xz" >"$tmp/$f.jsonl"
done
"$bench" "$tmp" "$secs"
