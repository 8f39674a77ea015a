#!/usr/bin/env bash
# json_parsers.sh - run bench_json_parsers on the three real event files and
# print one markdown table per file (the figures in BENCHMARKS.md).
#
#   bench/json_parsers.sh [BUILD_DIR]      (default: build, under the repo)
#
# The data is read in place from ../shared/data/events (override with
# KBC_SHARED_DIR=/path/to/shared) and decompressed to a temporary directory
# that is removed on exit. BJP_REPEAT=N passes N to the benchmark as its
# repeat count (default: calibrated to about 1 s per parser).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$repo/build}
bench=$build/bench/bench_json_parsers
shared=${KBC_SHARED_DIR:-$repo/../shared}
events=$shared/data/events
files=(winlogbeat7-ecs winlogbeat6-kafka nxlog-wec-kafka)

die() {
	echo "json_parsers.sh: $*" >&2
	exit 2
}

[[ -x $bench ]] || die "no $bench; build it first:
  cmake -S $repo -B $build && cmake --build $build --target bench_json_parsers"
[[ -d $events ]] || die "real data missing: no directory $events
  (expected the shared/ folder next to the repo, or set KBC_SHARED_DIR)"
for f in "${files[@]}"; do
	[[ -r $events/$f.jsonl.xz ]] || die "real data missing: $events/$f.jsonl.xz"
done
command -v xz >/dev/null || die "xz not found"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench_json_parsers.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "# bench_json_parsers: $(nproc) CPUs," \
	"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
echo

status=0
for f in "${files[@]}"; do
	xz -dc "$events/$f.jsonl.xz" >"$tmp/$f.jsonl" ||
		die "cannot decompress $events/$f.jsonl.xz"
	echo "## $f"
	echo
	if ! "$bench" "$tmp/$f.jsonl" ${BJP_REPEAT:+"$BJP_REPEAT"}; then
		echo "json_parsers.sh: $f: parse errors or checksum mismatch" >&2
		status=1
	fi
	echo
	rm -f "$tmp/$f.jsonl"
done
exit $status
