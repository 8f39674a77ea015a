#!/usr/bin/env bash
# kbcorr kb parse over the whole raw KB corpus (SPEC.md §4, §6): the 56,989
# articles of ../shared/data/kb/kbarchive-txt.tar.xz, unpacked to a scratch
# folder (read in place, never copied into the repository). No crash, exit
# status 0, one JSON line per article (or lines + reported failures = all),
# and the number of articles with signals within bounds measured when the
# parser was written (16,603 with any signal, 1,977 with an event id). The
# time of the parse is printed.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
need_tools

TAR=$KBC_SHARED_DIR/data/kb/kbarchive-txt.tar.xz
[ -f "$TAR" ] || fail "the KB corpus is missing" "a file at $TAR" "nothing there"
TOTAL=56989

tar -xJf "$TAR" -C "$TMP"
files=$(find "$TMP/txt" -type f | wc -l)
expect_eq "articles in the tarball" "$TOTAL" "$files"

start=$(date +%s.%N)
run parse "$KBCORR" kb parse "$TMP/txt"
end=$(date +%s.%N)
expect_rc parse 0 2
lines=$(count_lines "$TMP/parse.out")
failed=$(count_lines "$TMP/parse.err")
expect_eq "JSON lines + reported failures" "$TOTAL" "$((lines + failed))"
# Every article of the corpus parses; a failure is a regression.
expect_eq "articles parsed" "$TOTAL" "$lines"
expect_rc parse 0

# Every line is one JSON object with the required fields (checked in one jq
# pass: a per-line loop would take minutes).
bad=$(jq -c 'select((.id|type)!="string" or (.title|type)!="string"
        or (.products|type)!="array" or (.keywords|type)!="array"
        or (.sections|type)!="object" or (.signals|type)!="array")' \
        "$TMP/parse.out" | head -n 3)
[ -z "$bad" ] || fail "articles without the required fields" "none" "$bad"

with_signals=$(jq -c 'select(.signals|length>0)' "$TMP/parse.out" | wc -l)
with_events=$(jq -c 'select(any(.signals[]; .event_id != null))' "$TMP/parse.out" | wc -l)
[ "$with_signals" -ge 14000 ] && [ "$with_signals" -le 20000 ] ||
        fail "articles with any signal out of bounds" "14000..20000" "$with_signals"
[ "$with_events" -ge 1700 ] && [ "$with_events" -le 2400 ] ||
        fail "articles with an event id out of bounds" "1700..2400" "$with_events"

# The seed's signals, as a smoke check of content.
seed=$(jq -c 'select(.id=="Q247773") | [.signals[] | .event_id // empty]' "$TMP/parse.out")
expect_eq "Q247773 event ids" "[2037]" "$seed"

secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
echo "ok: kb parse: $lines articles in ${secs}s, $with_signals with signals, $with_events with event ids"
