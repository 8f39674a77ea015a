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

build=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build}
NAME=json_parsers.sh
BENCH=$build/bench/bench_json_parsers
# shellcheck source=bench/lib.bash
. "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

echo "# bench_json_parsers: $(nproc) CPUs," \
	"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
echo

status=0
for f in "${files[@]}"; do
	decompress "$f"
	echo "## $f"
	echo
	if ! "$BENCH" "$tmp/$f.jsonl" ${BJP_REPEAT:+"$BJP_REPEAT"}; then
		echo "json_parsers.sh: $f: parse errors or checksum mismatch" >&2
		status=1
	fi
	echo
	rm -f "$tmp/$f.jsonl"
done
exit $status
