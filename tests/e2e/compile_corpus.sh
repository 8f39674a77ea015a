#!/usr/bin/env bash
# The whole raw KB corpus (issues 3 and 5): the 56,989 articles of
# ../shared/data/kb/kbarchive-txt.tar.xz, unpacked to a scratch folder.
#  1. `kbcorr compile`: no crash; the summary's figures within bounds; every
#     article counted once, written or skipped by reason.
#  2. `kbcorr check` passes on the output: every generated rule's own test
#     names its article (compile removed the ones that never could), and
#     no pattern runs on every event (the summary would say so).
#  3. Precision: every real event in ../shared/data/events (Winlogbeat 7,
#     Winlogbeat 6, NXLog, the EVTX samples) replayed against the whole
#     corpus raises at most 0.1 incident per 100,000 events; any incident is
#     printed (docs/precision.md judges them).
#  4. The seed verdicts hold with the corpus loaded beside the curated
#     rules, which replace the compiled rules of the same ids, and (5.) in
#     every input format.
# Compile, check and replay times are printed.
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"
need_tools

TAR=$KBC_SHARED_DIR/data/kb/kbarchive-txt.tar.xz
[ -f "$TAR" ] || fail "the KB corpus is missing" "a file at $TAR" "nothing there"
tar -xJf "$TAR" -C "$TMP"

start=$(date +%s)
run compile "$KBCORR" compile -q -o "$TMP/rules" -e "$TMP/explain.jsonl" "$TMP/txt"
expect_rc compile 0
summary=$(cat "$TMP/compile.err")
echo "$summary (wall $(($(date +%s) - start)) s)"
re='([0-9]+) articles read, ([0-9]+) rules written .* skipped: ([0-9]+) no log signal, ([0-9]+) only generic signals, ([0-9]+) never named by their own signals, ([0-9]+) unparseable'
[[ $summary =~ $re ]] || fail "compile summary" "N articles read, N rules written ..." "$summary"
read_n=${BASH_REMATCH[1]} written=${BASH_REMATCH[2]} nosignal=${BASH_REMATCH[3]}
generic=${BASH_REMATCH[4]} unnamed=${BASH_REMATCH[5]} unparseable=${BASH_REMATCH[6]}
expect_eq "articles read" 56989 "$read_n"
expect_eq "unparseable articles" 0 "$unparseable"
expect_eq "read = written + skipped" "$read_n" "$((written + nosignal + generic + unnamed))"
within() { [ "$2" -ge "$3" ] && [ "$2" -le "$4" ] || fail "$1 out of bounds" "$3..$4" "$2"; }
within "rules written" "$written" 12000 17000
within "articles with no log signal" "$nosignal" 37000 44000
within "articles with only generic signals" "$generic" 1000 4000
within "articles never named by their own signals" "$unnamed" 0 1500
files=$(find "$TMP/rules" -name 'Q*.yaml' | wc -l)
expect_eq "rule files on disk" "$written" "$files"

# --explain: one line per article, outcomes as counted, a reason for every
# signal that is not a symptom; the counts by reason (docs/kb-compiler.md).
expect_eq "explain lines" "$read_n" "$(count_lines "$TMP/explain.jsonl")"
for o in "compiled:$written" "no log signal:$nosignal" "only generic signals:$generic" \
        "never named by their own signals:$unnamed"; do
        expect_eq "explained as ${o%:*}" "${o##*:}" \
                "$(jq -r --arg o "${o%:*}" 'select(.outcome == $o) | .id' "$TMP/explain.jsonl" | wc -l)"
done
unexplained=$(jq -c '.signals[] | select(.verdict != "symptom" and (.reason // "") == "")' "$TMP/explain.jsonl" | head -3)
[ -z "$unexplained" ] || fail "explain: a signal that is no symptom gives its reason" "none without" "$unexplained"
echo "signals by verdict and reason:"
jq -r '.signals[] | "\(.verdict): \(.reason // "-")"' "$TMP/explain.jsonl" | sort | uniq -c | sort -rn

start=$(date +%s)
run check "$KBCORR" check -q --rules "$TMP/rules"
tail -n 5 "$TMP/check.out" >&2
expect_rc check 0
grep -q "^$written rules, $written tests: $written passed, 0 failed$" "$TMP/check.out" ||
        fail "check summary" "$written rules, $written tests: $written passed, 0 failed" "$(tail -n 1 "$TMP/check.out")"
echo "ok: $written rules compiled, all their tests pass (check $(($(date +%s) - start)) s)"

# 3. Precision on every real event we have.
benign_precision --rules "$TMP/rules"

# 4. The curated seed rules beside the whole corpus: they replace the
# compiled Q247773 and Q324332, and the seed verdicts hold.
run both "$KBCORR" check -q --rules "$TMP/rules" --rules "$RULES"
expect_rc both 0
grep -q "(2 rules replaced by a later --rules path)" "$TMP/both.out" ||
        fail "curated rules replacing compiled ones" "2 rules replaced" "$(tail -n 1 "$TMP/both.out")"
run seeds "$KBCORR" replay --rules "$TMP/rules" --rules "$RULES" "$SCENARIOS"
expect_rc seeds 0
verdict() {
        jq -r --arg h "$1" "select($host_label_jq == \$h) | if .kb.ambiguous then ([.candidates[] | select(.score == \$top) | .[\"kb.id\"]] | sort | join(\"=\")) else .kb.id end" \
                --argjson top "$(jq -s --arg h "$1" "[.[] | select($host_label_jq == \$h)][0].candidates[0].score" "$TMP/seeds.out")" "$TMP/seeds.out"
}
expect_eq "MAIL-A with the whole corpus" Q247773 "$(verdict mail-a)"
expect_eq "MAIL-B with the whole corpus" Q324332 "$(verdict mail-b)"
expect_eq "MAIL-C with the whole corpus" "Q247773=Q324332" "$(verdict mail-c)"
echo "ok: seed verdicts hold beside the whole corpus: $(jq -r "$host_label_jq + \" \" + .kb.id" "$TMP/seeds.out" | tr '\n' ' ')"

# 5. ... in every input format: the scenarios written as NXLog, Winlogbeat
# 6, Snare, Fluent Bit (JSON and msgpack) and Windows XML give each host
# the same winner, ambiguity and ranked candidates as the JSON replay.
CONVERT_EVENTS=${CONVERT_EVENTS:-$KBC_SOURCE_DIR/build/tests/convert_events}
[ -x "$CONVERT_EVENTS" ] || fail "convert_events not built" \
        "an executable at \$CONVERT_EVENTS" "'$CONVERT_EVENTS'"
verdicts() { # FILE: host, winner, ambiguity and candidates, a line each
        jq -r "[$host_label_jq, .kb.id, .kb.ambiguous, ([.candidates[][\"kb.id\"]] | join(\",\"))] | @tsv" "$1" | sort
}
verdicts "$TMP/seeds.out" >"$TMP/seeds.verdicts"
for format in nxlog winlogbeat6 snare fluentbit-json msgpack xml-lines; do
        "$CONVERT_EVENTS" "$format" <"$SCENARIOS" >"$TMP/seeds.$format" ||
                fail "convert_events $format" "rc 0" "rc $?"
        run "seeds-$format" "$KBCORR" replay --rules "$TMP/rules" --rules "$RULES" "$TMP/seeds.$format"
        expect_rc "seeds-$format" 0
        verdicts "$TMP/seeds-$format.out" >"$TMP/seeds-$format.verdicts"
        diff "$TMP/seeds.verdicts" "$TMP/seeds-$format.verdicts" >/dev/null ||
                fail "seed verdicts as $format beside the whole corpus" "$(cat "$TMP/seeds.verdicts")" \
                        "$(cat "$TMP/seeds-$format.verdicts")"
done
echo "ok: the same seed verdicts in NXLog, Winlogbeat 6, Snare, Fluent Bit and XML"
