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

build=${1:?usage: bench_decode.sh BUILD_DIR [SECONDS]}
secs=${2:-1}
NAME=bench_decode.sh
BENCH=$build/bench/bench_decode
# shellcheck source=bench/lib.bash
. "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

for f in "${files[@]}"; do
	decompress "$f"
done
"$BENCH" "$tmp" "$secs"
