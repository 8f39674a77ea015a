#!/usr/bin/env bash
# bench_engine.sh - engine throughput on one core with all the rules of
# RULES_DIR and with subsets of 10 and 1,000 of them (issue 5), then one
# end-to-end `kbcorr replay` of the real captures; prints markdown tables.
#
#   bench/bench_engine.sh BUILD_DIR RULES_DIR [MIN_EVENTS]
#
# RULES_DIR is normally the compiled KB corpus (/tmp/kb-rules; README.md
# says how to make it). The captures of ../shared/data/events (override
# with KBC_SHARED_DIR=/path/to/shared) are decompressed to a temporary
# directory that is removed on exit; bench_engine repeats them to
# MIN_EVENTS (default 1000000). A subset of m rules is every (N/m)-th rule
# file in sorted path order, linked into a folder of its own, so every run
# picks the same files. Use a build without sanitizers.
set -euo pipefail

usage="usage: bench_engine.sh BUILD_DIR RULES_DIR [MIN_EVENTS]"
build=${1:?$usage}
rules=${2:?$usage}
min_events=${3:-1000000}
NAME=bench_engine.sh
BENCH=$build/bench/bench_engine
# shellcheck source=bench/lib.bash
. "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

[[ -x $build/kbcorr ]] || die "no $build/kbcorr; build it first"
[[ -d $rules ]] || die "no rule folder $rules"
rules=$(cd "$rules" && pwd)

inputs=()
for f in "${files[@]}"; do
	decompress "$f"
	inputs+=("$tmp/$f.jsonl")
done

# The rule files as the loader sees them: *.yaml and *.yml, hidden entries
# skipped, sorted by path.
mapfile -t all < <(find -L "$rules" -name '.*' -prune -o -type f \
	\( -name '*.yaml' -o -name '*.yml' \) -print | LC_ALL=C sort)
total=${#all[@]}
((total > 0)) || die "no rule files in $rules"

# subset M: a folder of links to every (total/M)-th rule file; prints it.
subset() {
	local m=$1 dir=$tmp/rules-$1 i f rel
	local step=$((total / m))
	mkdir "$dir"
	for ((i = 0; i < m; i++)); do
		f=${all[i * step]}
		# the path below RULES_DIR, flattened: unique, same order
		rel=${f#"$rules"/}
		ln -s "$f" "$dir/${rel//\//_}"
	done
	echo "$dir"
}

sizes=()
for m in 10 1000; do
	if ((m < total)); then
		sizes+=("$m")
	fi
done
sizes+=(all)

declare -A r
for size in "${sizes[@]}"; do
	if [[ $size == all ]]; then
		dir=$rules
	else
		dir=$(subset "$size")
	fi
	echo "$NAME: $size rules, $min_events events..." >&2
	while IFS='=' read -r k v; do
		r[$size.$k]=$v
	done < <("$BENCH" "$dir" "$min_events" "${inputs[@]}")
	[[ -n ${r[$size.events_per_s]:-} ]] || die "bench_engine failed ($size rules)"
done

base=${sizes[0]}
echo "| rules | events | engine s | events/s | vs ${r[$base.rules]} rules" \
	"| events/CPU s" \
	"| incidents | matched events | late events | load s | peak RSS MB" \
	"| of which input copies MB |"
echo "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
for size in "${sizes[@]}"; do
	rel=$(awk -v a="${r[$size.events_per_s]}" -v b="${r[$base.events_per_s]}" \
		'BEGIN { printf "%.0f%%", 100 * a / b }')
	echo "| ${r[$size.rules]} | ${r[$size.events]} | ${r[$size.engine_s]}" \
		"| ${r[$size.events_per_s]} | $rel | ${r[$size.events_per_cpu_s]}" \
		"| ${r[$size.incidents]}" \
		"| ${r[$size.matched_events]} | ${r[$size.late_events]}" \
		"| ${r[$size.load_s]} | ${r[$size.peak_rss_mb]}" \
		"| ${r[$size.store_mb]} |"
done
echo
echo "Decoded once: ${r[all.decoded]} events (${r[all.decode_errors]} errors)," \
	"repeated ${r[all.copies]} times, each copy ${r[all.span_days]} + 1" \
	"days after the previous one. With all rules: engine CPU" \
	"${r[all.engine_cpu_s]} s; decoding the same events alone" \
	"${r[all.decode_s]} s, so decode + engine ${r[all.e2e_s]} s =" \
	"${r[all.e2e_events_per_s]} events/s."
echo

# End to end, once over the real captures as they are: decoding, loading
# the rules, correlation and printing incidents, as a user runs it.
echo "$NAME: kbcorr replay, all rules..." >&2
status=0
/usr/bin/time -v "$build/kbcorr" replay --rules "$rules" "${inputs[@]}" \
	>"$tmp/incidents.jsonl" 2>"$tmp/time.txt" || status=$?
((status <= 1)) || die "kbcorr replay failed ($status): $(tail -3 "$tmp/time.txt")"
events=$(awk 'length' "${inputs[@]}" | wc -l) # a last line may lack its LF
wall=$(sed -n 's/.*Elapsed (wall clock).*: //p' "$tmp/time.txt" |
	awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time.txt")
echo "| kbcorr replay | events | wall s (with rule loading) | events/s" \
	"| incidents | peak RSS MB |"
echo "|---|--:|--:|--:|--:|--:|"
awk -v n="$events" -v w="$wall" -v kb="$rss" \
	-v inc="$(wc -l <"$tmp/incidents.jsonl")" -v rules="$total" \
	'BEGIN { printf "| %d rules | %d | %.1f | %.0f | %d | %.0f |\n",
		rules, n, w, n / w, inc, kb / 1024 }'
