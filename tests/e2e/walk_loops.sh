#!/usr/bin/env bash
# Hostile folders (issue 15): one walker (common/walk.c) serves replay's
# input folders and check's rule folders. A tree with links back up
# (`ln -s .. up`, `ln -s . self`, `ln -s ../.. top`) and folders nested
# 70 deep is walked in well under a second: each loop is reported once,
# naming the link, never entered; the folder 65 deep is reported once and
# not entered; every real file at depth 64 or less is still read, in path
# order. Before the shared walker, replay followed such links until the
# kernel's ELOOP (40 links in one path), reading each file once per path
# to it, and with three links did not finish at all (2^40 paths).
set -euo pipefail
. "$(dirname "$0")/lib.bash"
need_tools
export LC_ALL=C

LOOP_MSG="folder loop (a link back to a folder above it)"
DEEP_MSG="folders nested deeper than 64"

# in_dir DIR CMD...: run CMD in DIR, so that paths in messages are relative.
in_dir() {
        local dir=$1
        shift
        (cd "$dir" && exec "$@")
}

# nest N: "d/d/.../d", N levels.
nest() {
        local p=d i
        for ((i = 1; i < $1; i++)); do
                p=$p/d
        done
        printf '%s' "$p"
}

# expect_fast NAME: the last run finished within its timeout.
expect_fast() {
        if [ "$RC" -eq 124 ]; then
                show_file stderr "$TMP/$1.err"
                fail "$1: the walk did not finish" "done within 20 s" \
                        "killed by timeout ($(wc -l <"$TMP/$1.err") lines on stderr)"
        fi
}

# 1. Replay: the seed scenarios in three parts, in path order a/ < b/ <
#    d/ (the third 64 folders deep, the deepest walked), loops at three
#    levels, and a renamed copy 70 deep that must not be read.
W=$TMP/replay/in
D64=$(nest 64)
D70=$(nest 70)
mkdir -p "$W/a" "$W/b/c" "$W/$D64" "$W/$D70"
sed -n '1,30p' "$SCENARIOS" >"$W/a/part1.jsonl"
sed -n '31,60p' "$SCENARIOS" >"$W/b/part2.jsonl"
sed -n '61,$p' "$SCENARIOS" >"$W/$D64/part3.jsonl"
sed 's/MAIL-/DEEP-/g' "$SCENARIOS" >"$W/$D70/copy.jsonl"
ln -s .. "$W/a/up"
ln -s . "$W/a/self"
ln -s ../.. "$W/b/c/top"
run replay in_dir "$TMP/replay" timeout 20 "$KBCORR" replay --rules "$RULES" in
expect_fast replay
expect_rc replay 2
{
        echo "in/a/self: $LOOP_MSG"
        echo "in/a/up: $LOOP_MSG"
        echo "in/b/c/top: $LOOP_MSG"
        echo "in/$(nest 65): $DEEP_MSG"
} >"$TMP/replay.want"
same_bytes "replay: each loop and the depth reported once, in walk order" \
        "$TMP/replay.want" "$TMP/replay.err"

# The real files, each read once: the incidents of the whole file.
run whole "$KBCORR" replay --rules "$RULES" "$SCENARIOS"
expect_rc whole 0
project='[inputs | del(.evidence[]?.origin)] | .[]'
jq -nc "$project" "$TMP/whole.out" >"$TMP/whole.cmp"
jq -nc "$project" "$TMP/replay.out" >"$TMP/replay.cmp"
same_bytes "replay of the looped tree vs the whole file (origins aside)" \
        "$TMP/whole.cmp" "$TMP/replay.cmp"
bad=$(jq -r '.evidence[].origin | select(test("^in/(a/part1|b/part2|('"$D64"')/part3)\\.jsonl:[0-9]+$") | not)' \
        "$TMP/replay.out")
[ -z "$bad" ] || fail "evidence origins name the real files, by their plain path" \
        "in/PART.jsonl:LINE" "$(printf '%s' "$bad" | head -c 300)"

# 2. Check: a rule folder with the same hostile shape. Every real rule
#    file is still read (the broken one's problem is reported), the loop
#    and the depth once each, and the set is refused for them.
R=$TMP/check/rules
mkdir -p "$R/a" "$R/$D64" "$R/$D70"
cp "$KBC_SOURCE_DIR/tests/data/rules_ok/Q247773.yaml" "$R/a/"
cp "$KBC_SOURCE_DIR/tests/data/rules_bad/unknown_key.yaml" "$R/$D64/"
cp "$KBC_SOURCE_DIR/tests/data/rules_bad/syntax.yaml" "$R/$D70/"
ln -s .. "$R/a/up"
run check in_dir "$TMP/check" timeout 20 "$KBCORR" check --rules rules
expect_fast check
expect_rc check 1
expect_eq "check: the loop, once" 1 "$(grep -c -F "rules/a/up: $LOOP_MSG" "$TMP/check.err")"
expect_eq "check: the depth, once" 1 \
        "$(grep -c -F "rules/$(nest 65): $DEEP_MSG" "$TMP/check.err")"
grep -q "^rules/$D64/unknown_key.yaml:[0-9]*: " "$TMP/check.err" || {
        show_file stderr "$TMP/check.err"
        fail "check: the rule file 64 folders deep is read" \
                "rules/d/.../unknown_key.yaml:LINE: ..." "see stderr above"
}
if grep -q "syntax.yaml" "$TMP/check.err"; then
        show_file stderr "$TMP/check.err"
        fail "check: nothing below the depth cap is read" "no syntax.yaml" "see stderr above"
fi
expect_eq "check: problems reported (loop, depth, unknown key, refusal)" 4 \
        "$(count_lines "$TMP/check.err")"

# 3. Without the hostile parts the same folder loads, its one good rule
#    once (the walk itself adds no problem).
rm "$R/a/up" "$R/$D64/unknown_key.yaml"
rm -r "$R/$(nest 65)"
run check_clean in_dir "$TMP/check" "$KBCORR" check --rules rules -q
expect_rc check_clean 0
grep -q '^1 rules, ' "$TMP/check_clean.out" || {
        show_file stdout "$TMP/check_clean.out"
        fail "check: the clean folder loads its one rule" "1 rules, ..." "see stdout above"
}
