#!/usr/bin/env bash
# bench_prefilter.sh - the literal prefilter (rules/prefilter.c) against
# vectorscan and a plain Aho-Corasick, on the required literals of RULES_DIR
# and the messages of the real captures (issue 5); prints the markdown
# table, then with --callgrind the instructions each method runs.
#
#   bench/bench_prefilter.sh [--callgrind] BUILD_DIR RULES_DIR [SECONDS]
#
# RULES_DIR is normally the compiled KB corpus (/tmp/kb-rules; README.md
# says how to make it). The captures of ../shared/data/events (override
# with KBC_SHARED_DIR=/path/to/shared) are decompressed to a temporary
# directory that is removed on exit. SECONDS is the timed total per method
# (default 1). --callgrind adds a run under valgrind on about 4,000 of the
# messages, 1 pass per round (several minutes: the rules load under
# valgrind too). Use a build without sanitizers.
set -euo pipefail

usage="usage: bench_prefilter.sh [--callgrind] BUILD_DIR RULES_DIR [SECONDS]"
callgrind=false
if [[ ${1:-} == --callgrind ]]; then
	callgrind=true
	shift
fi
build=${1:?$usage}
rules=${2:?$usage}
secs=${3:-1}
NAME=bench_prefilter.sh
BENCH=$build/bench/bench_prefilter
# shellcheck source=bench/lib.bash
. "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

[[ -d $rules ]] || die "no rule folder $rules"
for f in "${files[@]}"; do
	decompress "$f"
done
"$BENCH" -s "$secs" "$rules" "$tmp"

$callgrind || exit 0
command -v valgrind >/dev/null || die "valgrind not found"
echo
echo "$NAME: callgrind run..." >&2
out=$tmp/callgrind.out
# The scan_* functions are each method's whole work per message.
valgrind --tool=callgrind --callgrind-out-file="$out" --collect-atstart=no \
	--toggle-collect=scan_ours --toggle-collect=scan_hs \
	--toggle-collect=scan_ac \
	"$BENCH" -p 1 -n 4000 "$rules" "$tmp" >"$tmp/run.txt" 2>"$tmp/vg.txt" ||
	die "callgrind run failed: $(tail -3 "$tmp/vg.txt")"
msgs=$(sed -n 's/^\([0-9]*\) messages .*/\1/p' "$tmp/run.txt")
bytes=$(sed -n 's/.* \([0-9]*\) normalized bytes.*/\1/p' "$tmp/run.txt")
# check pass + warm-up + 5 rounds of 1 pass
scans=$((msgs * 7))
echo "| method | Ir | Ir/message | Ir/byte | × ours |"
echo "|---|--:|--:|--:|--:|"
callgrind_annotate --inclusive=yes --threshold=100 "$out" 2>/dev/null |
	awk -v m="$scans" -v b="$((bytes * 7))" '
		/ \?*:?scan_(ours|hs|ac) / || /[ :]scan_(ours|hs|ac)( |$)/ {
			gsub(",", "", $1)
			name = $0; sub(/.*scan_/, "", name); sub(/[ (].*/, "", name)
			ir[name] = $1
		}
		END {
			split("ours hs ac", order, " ")
			label["ours"] = "ours"; label["hs"] = "vectorscan"
			label["ac"] = "aho-corasick"
			for (i = 1; i <= 3; i++) {
				k = order[i]
				printf "| %s | %d | %.0f | %.1f | %.2f |\n", label[k],
					ir[k], ir[k] / m, ir[k] / b, ir[k] / ir["ours"]
			}
		}'
