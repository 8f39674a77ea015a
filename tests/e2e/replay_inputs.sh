#!/usr/bin/env bash
# replay's inputs (issue 7): the seed scenarios plain, gzip and xz, under
# one name (compression is told by content), give byte-identical
# incidents; so do they from stdin, and split over a folder with nested
# subfolders (read in path order, hidden entries skipped). A truncated or
# damaged compressed file gives one error naming it and the line, the
# lines before it are replayed, the other files replay as if alone, and
# the exit code is 2.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
need_tools
export LC_ALL=C

# in_dir DIR CMD...: run CMD in DIR, so that origins name relative paths.
in_dir() {
        local dir=$1
        shift
        (cd "$dir" && exec "$@")
}

# 1. One name, three encodings.
mkdir -p "$TMP/plain" "$TMP/gzip" "$TMP/xz"
cp "$SCENARIOS" "$TMP/plain/events"
gzip -c "$SCENARIOS" >"$TMP/gzip/events"
xz -c "$SCENARIOS" >"$TMP/xz/events"
for kind in plain gzip xz; do
        run "file_$kind" in_dir "$TMP/$kind" "$KBCORR" replay --rules "$RULES" events
        expect_rc "file_$kind" 0
        if [ -s "$TMP/file_$kind.err" ]; then
                show_file stderr "$TMP/file_$kind.err"
                fail "$kind file: nothing on stderr" "(empty)" "see above"
        fi
done
expect_json_lines file_plain
expect_eq "incidents from the seed scenarios" 3 "$(count_lines "$TMP/file_plain.out")"
same_bytes "gzip file vs plain file" "$TMP/file_plain.out" "$TMP/file_gzip.out"
same_bytes "xz file vs plain file" "$TMP/file_plain.out" "$TMP/file_xz.out"

# 2. stdin, in each encoding: the same incidents, with <stdin> as origin.
sed 's#"origin":"events:#"origin":"<stdin>:#g' "$TMP/file_plain.out" >"$TMP/stdin_want"
for kind in plain gzip xz; do
        run "stdin_$kind" sh -c '"$0" replay --rules "$1" - <"$2"' "$KBCORR" "$RULES" "$TMP/$kind/events"
        expect_rc "stdin_$kind" 0
        same_bytes "stdin ($kind) vs the file" "$TMP/stdin_want" "$TMP/stdin_$kind.out"
done
run stdin_pipe sh -c 'xz -c "$2" | "$0" replay --rules "$1" -' "$KBCORR" "$RULES" "$SCENARIOS"
expect_rc stdin_pipe 0
same_bytes "xz through a pipe vs the file" "$TMP/stdin_want" "$TMP/stdin_pipe.out"

# 3. A folder: the scenarios in three parts, each encoded differently,
#    nested so that path order is the parts' order (a/ < b/c/ < b/part3),
#    and hidden copies under other host names that must not be read.
T=$TMP/tree/history
mkdir -p "$T/a" "$T/b/c" "$T/.hidden"
sed -n '1,30p' "$SCENARIOS" >"$T/a/part1.jsonl"
sed -n '31,60p' "$SCENARIOS" | gzip -c >"$T/b/c/part2.jsonl.gz"
sed -n '61,$p' "$SCENARIOS" | xz -c >"$T/b/part3"
sed 's/MAIL-/HIDDEN-/g' "$SCENARIOS" >"$T/.hidden/copy.jsonl"
sed 's/MAIL-/HIDDEN-/g' "$SCENARIOS" | gzip -c >"$T/b/.copy.jsonl.gz"
run tree in_dir "$TMP/tree" "$KBCORR" replay --rules "$RULES" history
expect_rc tree 0
run listed in_dir "$TMP/tree" "$KBCORR" replay --rules "$RULES" \
        history/a/part1.jsonl history/b/c/part2.jsonl.gz history/b/part3
expect_rc listed 0
same_bytes "the folder vs its files listed in path order" "$TMP/listed.out" "$TMP/tree.out"
project='[inputs | del(.evidence[]?.origin)] | .[]'
jq -nc "$project" "$TMP/file_plain.out" >"$TMP/whole.cmp"
jq -nc "$project" "$TMP/tree.out" >"$TMP/tree.cmp"
same_bytes "the folder vs the whole file (origins aside)" "$TMP/whole.cmp" "$TMP/tree.cmp"
bad=$(jq -r '.evidence[].origin | select(test("^history/(a/part1.jsonl|b/c/part2.jsonl.gz|b/part3):[0-9]+$") | not)' "$TMP/tree.out")
[ -z "$bad" ] || fail "evidence origins name the part files" "history/PART:LINE" "$bad"

# 4. Truncated and damaged compressed files (their hosts renamed CUT-*),
#    then the plain scenarios: errors name file and line, the lines before
#    the damage are replayed, the MAIL-* incidents are those of the
#    scenarios alone, exit 2.
C=$TMP/cut
mkdir -p "$C"
sed 's/MAIL-/CUT-/g' "$SCENARIOS" >"$C/renamed"
gzip -c "$C/renamed" >"$C/full.gz"
xz -c "$C/renamed" >"$C/full.xz"
head -c "$(($(wc -c <"$C/full.gz") / 2))" "$C/full.gz" >"$C/half.jsonl.gz"
head -c "$(($(wc -c <"$C/full.xz") * 9 / 10))" "$C/full.xz" >"$C/most.jsonl.xz"
cp "$C/full.gz" "$C/damaged.gz"
printf 'XXXXXXXXXXXXXXXX' | dd of="$C/damaged.gz" bs=1 seek=6000 conv=notrunc status=none
run cut "$KBCORR" replay --rules "$RULES" "$C/half.jsonl.gz" "$C/most.jsonl.xz" \
        "$C/damaged.gz" "$TMP/plain/events"
expect_rc cut 2
expect_json_lines cut
for what in "half.jsonl.gz:[0-9]+: truncated gzip data: " \
        "most.jsonl.xz:[0-9]+: truncated xz data: " \
        "damaged.gz:[0-9]+: corrupt gzip data: "; do
        n=$(grep -cE "^kbcorr: $C/$what" "$TMP/cut.err" || true)
        [ "$n" -eq 1 ] || { show_file stderr "$TMP/cut.err"; fail "one error for $C/$what" 1 "$n"; }
done
expect_eq "lines on stderr" 3 "$(count_lines "$TMP/cut.err")"
# The line named is the first one not read whole: the lines before it
# were replayed (at least one incident comes from the first 90% of the
# xz file, whose hosts are CUT-*).
line=$(sed -nE "s#^kbcorr: $C/most.jsonl.xz:([0-9]+): .*#\\1#p" "$TMP/cut.err")
[ "$line" -gt 50 ] && [ "$line" -le 96 ] || fail "line of the truncation in most.jsonl.xz" "51..96" "$line"
grep -q '"host":{"name":"CUT-' "$TMP/cut.out" ||
        fail "incidents from the lines before the damage" "some CUT-* incidents" "none"
grep '"host":{"name":"MAIL-' "$TMP/cut.out" >"$TMP/cut.mail" || true
# Origins name the file as given: absolute here, relative alone.
sed "s#\"origin\":\"$TMP/plain/events:#\"origin\":\"events:#g" "$TMP/cut.mail" >"$TMP/cut.mail.rel"
same_bytes "the good file after damaged ones vs alone" "$TMP/file_plain.out" "$TMP/cut.mail.rel"

# 5. A missing input is reported and the rest replayed (exit 2).
run missing "$KBCORR" replay --rules "$RULES" "$TMP/no-such-file" "$TMP/xz/events"
expect_rc missing 2
grep -q "$TMP/no-such-file" "$TMP/missing.err" || fail "the missing file is named" "$TMP/no-such-file" "$(cat "$TMP/missing.err")"
expect_eq "incidents after a missing input" 3 "$(count_lines "$TMP/missing.out")"

echo "ok: plain, gzip, xz, stdin and folder inputs give the same incidents; damage is reported per file"
