#!/usr/bin/env bash
# Command-line errors (SPEC.md §6): usage and input errors exit 2 with one
# clear line naming what is wrong; --help works for every command; a garbage
# line in the input is reported as FILE:LINE and the rest is still processed.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
need_tools

# expect_one_error_line NAME NEEDLE: stderr of the last run is exactly one
# non-empty line and it contains NEEDLE; nothing on stdout.
expect_one_error_line() {
        local name=$1 needle=$2 err="$TMP/$1.err" n
        n=$(count_lines "$err")
        if [ "$n" -ne 1 ]; then
                show_file "stderr" "$err"
                fail "$name: error message" "exactly one line on stderr" "$n lines"
        fi
        grep -qF -- "$needle" "$err" ||
                fail "$name: the error line does not name '$needle'" \
                        "a line containing '$needle'" "$(cat "$err")"
        if [ -s "$TMP/$name.out" ]; then
                show_file "stdout" "$TMP/$name.out"
                fail "$name: output on stdout after an error" "nothing on stdout" \
                        "$(head -c 200 "$TMP/$name.out")"
        fi
}

# --- usage and input errors: exit 2, one line ------------------------------

missing=$TMP/no-such-dir/missing-events.jsonl
run missing_file "$KBCORR" replay --rules "$RULES" "$missing"
expect_rc missing_file 2
expect_one_error_line missing_file "$missing"

run bad_format "$KBCORR" replay --rules "$RULES" --format no-such-format "$SCENARIOS"
expect_rc bad_format 2
expect_one_error_line bad_format "no-such-format"

run bad_command "$KBCORR" no-such-command
expect_rc bad_command 2
expect_one_error_line bad_command "no-such-command"

missing_rules=$TMP/no-such-rules
run missing_rules "$KBCORR" replay --rules "$missing_rules" "$SCENARIOS"
expect_rc missing_rules 2
grep -qF -- "$missing_rules" "$TMP/missing_rules.err" ||
        fail "missing --rules folder: stderr does not name it" \
                "a line containing '$missing_rules'" "$(head -n 3 "$TMP/missing_rules.err")"

# --- help: exit 0, usage on stdout -----------------------------------------

for cmd in "" replay check explain; do
        label=help${cmd:+_$cmd}
        # shellcheck disable=SC2086 # empty $cmd means no word
        run "$label" "$KBCORR" $cmd --help
        expect_rc "$label" 0
        if ! grep -qi 'usage' "$TMP/$label.out"; then
                show_file "stdout" "$TMP/$label.out"
                show_file "stderr" "$TMP/$label.err"
                fail "kbcorr ${cmd:+$cmd }--help" "usage text on stdout" "no 'usage' in it"
        fi
        if [ -n "$cmd" ] && ! grep -qF "$cmd" "$TMP/$label.out"; then
                fail "kbcorr $cmd --help does not mention '$cmd'" \
                        "usage naming the command" "$(head -n 3 "$TMP/$label.out")"
        fi
done

# --- a garbage line between two valid events -------------------------------
# The MAIL-A scenario (Application Popup 26, then MSExchangeSA 2037) with a
# line of garbage between: line 2 is reported, lines 1 and 3 still make the
# Q247773 incident.
GARBAGE=$TMP/garbage.jsonl
{
        jq -c 'select((.winlog.computer_name | ascii_downcase) == "mail-a.corp.example"
                and .winlog.event_id == 26)' "$SCENARIOS"
        printf '%s\n' '{"@timestamp": "2024-03-14T09:22:00.000Z", "winlog": {"event_id": 26, this is not json'
        jq -c 'select((.winlog.computer_name | ascii_downcase) == "mail-a.corp.example"
                and .winlog.event_id == 2037)' "$SCENARIOS"
} >"$GARBAGE"
expect_eq "lines in $GARBAGE" "3" "$(count_lines "$GARBAGE")"

# One record in three is garbage, more than --max-reject's default 1%:
# said on stderr and exit 2 at the end, the incident printed all the same.
run garbage_share "$KBCORR" replay --rules "$RULES" "$GARBAGE"
expect_rc garbage_share 2
grep -q "1 of 3 records (33.33%) could not be decoded, more than --max-reject 1%" "$TMP/garbage_share.err" ||
        fail "a replay rejecting a third of its records says so" "... more than --max-reject 1% ..." \
                "$(tail -n 1 "$TMP/garbage_share.err")"
expect_eq "incident printed despite the rejects" "1" "$(count_lines "$TMP/garbage_share.out")"

run garbage "$KBCORR" replay --max-reject 50 --rules "$RULES" "$GARBAGE"
expect_rc garbage 0 1
if ! grep -qF -- "$GARBAGE:2:" "$TMP/garbage.err"; then
        show_file "stderr" "$TMP/garbage.err"
        fail "the garbage line is not reported as FILE:LINE" "a line with '$GARBAGE:2: ...'" \
                "$(head -n 3 "$TMP/garbage.err")"
fi
if grep -qE -- "$GARBAGE:(1|3):" "$TMP/garbage.err"; then
        fail "a valid line was reported as an error" "only line 2" \
                "$(grep -E -- ":(1|3):" "$TMP/garbage.err" | head -n 2)"
fi
expect_json_lines garbage
expect_eq "incidents from the two valid lines" "1" "$(count_lines "$TMP/garbage.out")"
expect_eq "kb.id from the two valid lines" '"Q247773"' "$(jq -c .kb.id "$TMP/garbage.out")"
expect_eq "evidence events around the garbage line (lines 1 and 3)" "2" \
        "$(jq -c '.evidence | length' "$TMP/garbage.out")"

# ... and counted (replay --stats prints the counters on stderr).
run garbage_stats "$KBCORR" replay --stats --max-reject 50% --rules "$RULES" "$GARBAGE"
expect_rc garbage_stats 0 1
if ! grep -Eq 'decode errors:? *1([^0-9]|$)' "$TMP/garbage_stats.err"; then
        show_file "stderr" "$TMP/garbage_stats.err"
        fail "the garbage line is not counted" "'decode errors 1' in the --stats line" \
                "$(tail -n 1 "$TMP/garbage_stats.err")"
fi
grep -Eq '^ +1  invalid JSON$' "$TMP/garbage_stats.err" ||
        fail "--stats gives the rejects by reason" "'  1  invalid JSON'" "$(cat "$TMP/garbage_stats.err")"

# The same through stdin ("-"): reported as <stdin> or -, with line 2.
# shellcheck disable=SC2016 # expanded by the inner shell
run garbage_stdin sh -c '"$0" replay --max-reject 50 --rules "$1" - <"$2"' "$KBCORR" "$RULES" "$GARBAGE"
expect_rc garbage_stdin 0 1
grep -q ':2:' "$TMP/garbage_stdin.err" ||
        fail "garbage on stdin is not reported with its line number" "a line with ':2:'" \
                "$(head -n 3 "$TMP/garbage_stdin.err")"
expect_eq "incidents from stdin" "1" "$(count_lines "$TMP/garbage_stdin.out")"

echo "ok: CLI errors, help and a garbage input line"
