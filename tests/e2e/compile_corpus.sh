#!/usr/bin/env bash
# kbcorr compile over the whole raw KB corpus (issue 3): the 56,989
# articles of ../shared/data/kb/kbarchive-txt.tar.xz, unpacked to a scratch
# folder. No crash; the summary's figures within the bounds measured when
# the compiler was written (14,419 rules; 40,599 articles with no log
# signal, 1,971 with only generic ones); and `kbcorr check` passes on the
# output: every generated rule's own test puts its article at the top.
# Compile and check times are printed.
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"
need_tools

TAR=$KBC_SHARED_DIR/data/kb/kbarchive-txt.tar.xz
[ -f "$TAR" ] || fail "the KB corpus is missing" "a file at $TAR" "nothing there"
tar -xJf "$TAR" -C "$TMP"

start=$(date +%s)
run compile "$KBCORR" compile -q -o "$TMP/rules" "$TMP/txt"
expect_rc compile 0
summary=$(cat "$TMP/compile.err")
echo "$summary (wall $(($(date +%s) - start)) s)"
re='([0-9]+) articles read, ([0-9]+) rules written .* skipped: ([0-9]+) no log signal, ([0-9]+) only generic signals, ([0-9]+) unparseable'
[[ $summary =~ $re ]] || fail "compile summary" "N articles read, N rules written ..." "$summary"
read_n=${BASH_REMATCH[1]} written=${BASH_REMATCH[2]} nosignal=${BASH_REMATCH[3]}
generic=${BASH_REMATCH[4]} unparseable=${BASH_REMATCH[5]}
expect_eq "articles read" 56989 "$read_n"
expect_eq "unparseable articles" 0 "$unparseable"
expect_eq "read = written + skipped" "$read_n" "$((written + nosignal + generic))"
within() { [ "$2" -ge "$3" ] && [ "$2" -le "$4" ] || fail "$1 out of bounds" "$3..$4" "$2"; }
within "rules written" "$written" 12000 17000
within "articles with no log signal" "$nosignal" 37000 44000
within "articles with only generic signals" "$generic" 1000 4000
files=$(find "$TMP/rules" -name 'Q*.yaml' | wc -l)
expect_eq "rule files on disk" "$written" "$files"

start=$(date +%s)
run check "$KBCORR" check -q --rules "$TMP/rules"
tail -n 5 "$TMP/check.out" >&2
expect_rc check 0
grep -q "^$written rules, $written tests: $written passed, 0 failed$" "$TMP/check.out" ||
        fail "check summary" "$written rules, $written tests: $written passed, 0 failed" "$(tail -n 1 "$TMP/check.out")"
echo "ok: $written rules compiled, all their tests pass (check $(($(date +%s) - start)) s)"
