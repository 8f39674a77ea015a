#!/usr/bin/env bash
# bench_incidents.sh - the engine's per-event path where incidents are
# raised (issue 16): callgrind instruction counts of kbc_engine_feed and
# kbc_engine_flush alone, and their time natively, on two inputs where
# matched events, open cases and closes dominate; prints a markdown table.
#
#   bench/bench_incidents.sh BUILD_DIR [EVENTS] [RULE_COPIES]
#
# "stream": the kill -9 test's stream (make_stream in tests/e2e/daemon.bash):
#   seed-scenario copies in 64 host groups, EVENTS events (default 100000),
#   every host a case, with rules/curated.
# "many": one Application Popup event of the seed scenarios 60 times on
#   one host, matched by RULE_COPIES (default 300) copies of the curated
#   rule Q247773: one case whose every event re-ranks every candidate.
#   Issue 16's 1,500 copies take many minutes under callgrind before the
#   fix (the work grows with the square of the copies).
#
# The machine is shared and noisy: the instruction counts (Ir, from
# valgrind --tool=callgrind --toggle-collect) are the figure to compare;
# the seconds are one native run each (bench_engine's engine_cpu_s).
set -euo pipefail

usage="usage: bench_incidents.sh BUILD_DIR [EVENTS] [RULE_COPIES]"
build=$(cd "${1:?$usage}" && pwd)
nevents=${2:-100000}
copies=${3:-300}
BENCH=$build/bench/bench_engine
[[ -x $BENCH ]] || { echo "bench_incidents.sh: no $BENCH" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "bench_incidents.sh: no valgrind" >&2; exit 2; }

# make_stream and SCENARIOS come from the e2e helpers (which also make
# $TMP, removed on exit).
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "${BASH_SOURCE[0]}")/../tests/e2e/lib.bash"
# shellcheck source=tests/e2e/daemon.bash
. "$(dirname "${BASH_SOURCE[0]}")/../tests/e2e/daemon.bash"

make_stream "$nevents" 64 "$TMP/stream.jsonl"
mkdir "$TMP/many"
for i in $(seq "$copies"); do
	sed "s/^id: Q247773\$/id: Q247773-copy$i/" \
		"$KBC_SOURCE_DIR/rules/curated/Q247773.yaml" >"$TMP/many/r$i.yaml"
done
popup=$(jq -c -n 'first(inputs | select(.winlog.provider_name == "Application Popup"))' \
	"$SCENARIOS")
for i in $(seq 60); do echo "$popup"; done >"$TMP/popups.jsonl"

# run NAME RULES FILE: one native run, one under callgrind.
run() {
	local name=$1 rules=$2 file=$3 n
	n=$(awk 'length' "$file" | wc -l)
	"$BENCH" "$rules" "$n" "$file" >"$TMP/$name.native"
	valgrind --tool=callgrind --callgrind-out-file="$TMP/$name.cg" \
		--toggle-collect=kbc_engine_feed --toggle-collect=kbc_engine_flush \
		"$BENCH" "$rules" "$n" "$file" >/dev/null 2>"$TMP/$name.vg" ||
		{ cat "$TMP/$name.vg" >&2; exit 2; }
	local ir
	ir=$(sed -n 's/^summary: //p' "$TMP/$name.cg")
	local k v
	declare -A r
	while IFS='=' read -r k v; do r[$k]=$v; done <"$TMP/$name.native"
	awk -v name="$name" -v ev="${r[events]}" -v inc="${r[incidents]}" \
		-v m="${r[matched_events]}" -v ir="$ir" -v s="${r[engine_cpu_s]}" \
		'BEGIN { printf "| %s | %d | %d | %d | %.0f | %.0f | %.3f |\n",
			name, ev, m, inc, ir / 1e6, ir / ev, s }'
}

echo "| input | events | matched | incidents | engine Ir (M) | Ir/event | engine CPU s |"
echo "|---|--:|--:|--:|--:|--:|--:|"
run stream "$KBC_SOURCE_DIR/rules/curated" "$TMP/stream.jsonl"
run many "$TMP/many" "$TMP/popups.jsonl"
