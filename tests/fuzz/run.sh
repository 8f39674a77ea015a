#!/usr/bin/env bash
# run.sh BUILD_DIR SECONDS - runs every fuzz_* target in BUILD_DIR for
# SECONDS each, seeded from real data (../shared, read in place) and the
# project's fixtures. Any crash fails the run and leaves the reproducer in
# the corpus folder printed at the end. Longer runs by hand:
#   tests/fuzz/run.sh build-fuzz 600
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:?build dir}
secs=${2:-30}
shared=${KBC_SHARED_DIR:-../shared}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

seed_lines() { # seed_lines FILE.xz DIR N: one file per line
	[ -f "$1" ] || { echo "run.sh: missing $1 (the shared data)" >&2; exit 1; }
	mkdir -p "$2"
	# head closes the pipe early: xz's SIGPIPE is expected, not a failure
	(set +o pipefail; xz -dc "$1" | head -n "$3" | split -l 1 - "$2/line-")
}

status=0
fuzzers=("$build"/tests/fuzz_*)
[ -x "${fuzzers[0]}" ] || { echo "run.sh: no fuzz_* targets in $build/tests (configure with CC=clang -DKBC_FUZZ=ON)" >&2; exit 1; }
for fuzzer in "${fuzzers[@]}"; do
	name=$(basename "$fuzzer")
	corpus="$work/$name"
	mkdir -p "$corpus"
	case "$name" in
	fuzz_decode)
		seed_lines "$shared/data/events/winlogbeat7-ecs.jsonl.xz" "$corpus" 300
		cp examples/*.jsonl "$corpus/" 2>/dev/null || true
		;;
	fuzz_rule_load)
		cp rules/curated/*.yaml tests/data/rules_ok/*.yaml "$corpus/" 2>/dev/null || true
		;;
	esac
	echo "== $name: ${secs}s"
	if ! "$fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$work/$name-" -print_final_stats=1 "$corpus" \
		>"$work/$name.log" 2>&1; then
		tail -n 40 "$work/$name.log"
		echo "run.sh: $name found a crash:" "$work/$name"-* >&2
		trap - EXIT
		status=1
	else
		grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' "$work/$name.log" || true
	fi
done
exit $status
