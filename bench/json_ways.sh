#!/usr/bin/env bash
# json_ways.sh - run bench_json_ways on the three real captures and print
# the markdown table of BENCHMARKS.md ("JSON by measurement (issue 16)").
#
#   bench/json_ways.sh BUILD_DIR [SECONDS]
#
# The data is read in place from ../shared/data/events (override with
# KBC_SHARED_DIR=/path/to/shared), decompressed to a temporary directory
# that is removed on exit. SECONDS is the timed total per way and file
# (default 1). KBC_CALLGRIND=1 also prints callgrind's instruction counts
# per decode for each way on the first 838 records of each file (slow).
# Use a build without sanitizers (e.g. the default RelWithDebInfo).
set -euo pipefail

build=${1:?usage: json_ways.sh BUILD_DIR [SECONDS]}
secs=${2:-1}
NAME=json_ways.sh
BENCH=$(cd "$build" && pwd)/bench/bench_json_ways
# shellcheck source=bench/lib.bash
. "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

for f in "${files[@]}"; do
	decompress "$f"
done
echo "# bench_json_ways: $(nproc) CPUs," \
	"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)," \
	"load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
"$BENCH" "$tmp" "$secs"

[[ ${KBC_CALLGRIND:-0} == 1 ]] || exit 0
command -v valgrind >/dev/null || die "valgrind not found (scripts/dev.sh bench)"
ways=(current lazy)
(cd "$tmp" && "$BENCH" --once simdjson "${files[0]}.jsonl" 1) >/dev/null 2>&1 &&
	ways=(current simdjson lazy)
echo
echo "| file | way | records | Ir | Ir/event | x current |"
echo "|---|---|--:|--:|--:|--:|"
n=838
for f in "${files[@]}"; do
	base=
	for w in "${ways[@]}"; do
		ir=$(cd "$tmp" && valgrind --tool=callgrind \
			--callgrind-out-file=/dev/null --toggle-collect="jw_pass_$w" \
			"$BENCH" --once "$w" "$f.jsonl" "$n" 2>&1 |
			sed -n 's/.*Collected : //p')
		[[ -n $ir ]] || die "callgrind gave no count for $w on $f"
		base=${base:-$ir}
		echo "| $f | $w | $n | $ir | $((ir / n)) |" \
			"$(awk -v b="$base" -v i="$ir" 'BEGIN{printf "%.2f", b / i}') |"
	done
done
