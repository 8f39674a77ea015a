#!/usr/bin/env bash
# replay's progress bar (issue 7): on a terminal stderr (a pseudo-terminal
# made by util-linux `script`) the bar shows events read, their rate, the
# latest event time and the share of input read, and is erased at the
# end; the incidents on stdout are unchanged. When stderr is not a
# terminal, nothing at all is added to it, even with stdout on one.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
need_tools
command -v script >/dev/null 2>&1 || fail "script (util-linux) is not installed"

run plain "$KBCORR" replay --rules "$RULES" "$SCENARIOS"
expect_rc plain 0
[ ! -s "$TMP/plain.err" ] || fail "stderr without a terminal" "nothing" "$(head -c 300 "$TMP/plain.err")"

# On a terminal: stdout to a file, so the terminal shows stderr alone.
run tty script -qec "'$KBCORR' replay --rules '$RULES' '$SCENARIOS' >'$TMP/tty_stdout'" /dev/null
expect_rc tty 0
if ! cmp -s "$TMP/plain.out" "$TMP/tty_stdout"; then
        fail "incidents with a progress bar on stderr" "the same as without" "different"
fi
bar='replay: [0-9]+ events, [0-9]+ events/s, event time 2024-[0-9-]{5}T[0-9:]{8}Z, +[0-9]+% of input'
tr '\r' '\n' <"$TMP/tty.out" | grep -qE "^$bar"$'\e\\[K$' || {
        show_file "terminal" "$TMP/tty.out"
        fail "the progress bar on the terminal" "$bar" "see above"
}
# Erased at the end: the last bytes are a carriage return and ESC [ K.
tail_hex=$(tail -c 4 "$TMP/tty.out" | od -An -tx1 | tr -d ' \n')
case $tail_hex in
*0d1b5b4b | *0d1b5b4b0d0a) ;;
*) fail "the bar is erased at the end" "... 0d 1b 5b 4b" "$tail_hex" ;;
esac

# stdout on the terminal, stderr not: stderr gets nothing.
run tty_out script -qec "'$KBCORR' replay --rules '$RULES' '$SCENARIOS' 2>'$TMP/tty_out_stderr'" /dev/null
expect_rc tty_out 0
[ ! -s "$TMP/tty_out_stderr" ] || fail "stderr (not a terminal) with stdout on one" "nothing" \
        "$(head -c 300 "$TMP/tty_out_stderr" | od -c | head -n 3)"
grep -q '"kb":{"id":"Q247773"' "$TMP/tty_out.out" || fail "incidents on the terminal stdout" "3 incidents" "none"

echo "ok: the progress bar shows on a terminal only"
