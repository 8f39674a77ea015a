#!/usr/bin/env bash
# Real Winlogbeat 7.2 events (shared/data/events/winlogbeat7-ecs.jsonl.xz,
# one Windows 7 client) raise no incident on their own, and mixed line by
# line with the seed scenarios they change nothing: the same three incidents
# come out, with the same ids (an id depends on the KB, the host and the
# first evidence event, not on what else was in the stream).
set -euo pipefail
. "$(dirname "$0")/lib.bash"
need_tools

REAL_XZ=$KBC_SHARED_DIR/data/events/winlogbeat7-ecs.jsonl.xz
[ -f "$REAL_XZ" ] || fail "the real Winlogbeat 7 events are missing (set KBC_SHARED_DIR)" \
        "a file at $REAL_XZ" "nothing there"
command -v xz >/dev/null 2>&1 || fail "xz is not installed (apt-get install -y xz-utils)"

REAL=$TMP/winlogbeat7-ecs.jsonl
xz -dc "$REAL_XZ" >"$REAL" || fail "cannot decompress $REAL_XZ"
nreal=$(count_lines "$REAL")
[ "$nreal" -gt 0 ] || fail "the real events file is empty" "some events" "0 lines"

# 1. The real events alone: nothing to report.
run real "$KBCORR" replay --rules "$RULES" "$REAL"
expect_rc real 0
if [ -s "$TMP/real.out" ]; then
        show_file "stdout" "$TMP/real.out"
        fail "incidents from the real events alone" "0" "$(count_lines "$TMP/real.out")"
fi
# A summary on stderr is fine; a per-line decode error ("FILE:LINE: ...") is not:
# every line of the real file is a well-formed Winlogbeat 7 event.
if grep -q "^$REAL:[0-9]" "$TMP/real.err"; then
        show_file "stderr" "$TMP/real.err"
        fail "kbcorr reported errors on the real events" "no FILE:LINE errors" \
                "$(grep "^$REAL:[0-9]" "$TMP/real.err" | head -n 3)"
fi

# 2. The scenarios alone (the reference).
run alone "$KBCORR" replay --rules "$RULES" "$SCENARIOS"
expect_rc alone 0
expect_json_lines alone
expect_eq "incidents from the scenarios alone" "3" "$(count_lines "$TMP/alone.out")"

# 3. Mixed: one real line, one scenario line, ... then the rest of the longer
#    file. Each host's own events keep their order.
MIXED=$TMP/mixed.jsonl
awk -v seed="$SCENARIOS" '
        { print; if ((getline s < seed) > 0) print s }
        END { while ((getline s < seed) > 0) print s }
' "$REAL" >"$MIXED"
nseed=$(count_lines "$SCENARIOS")
expect_eq "lines in the mixed file" "$((nreal + nseed))" "$(count_lines "$MIXED")"

run mixed "$KBCORR" replay --rules "$RULES" "$MIXED"
expect_rc mixed 0
expect_json_lines mixed
expect_eq "incidents from the mixed file" "3" "$(count_lines "$TMP/mixed.out")"

# Same incidents: compare everything except where each evidence event was
# read (origin names the file and line, which differ by construction).
project='[inputs | del(.evidence[]?.origin)] | sort_by(.event.id) | .[]'
jq -nc "$project" "$TMP/alone.out" >"$TMP/alone.cmp"
jq -nc "$project" "$TMP/mixed.out" >"$TMP/mixed.cmp"
ids_alone=$(jq -r .event.id "$TMP/alone.out" | sort | tr '\n' ' ')
ids_mixed=$(jq -r .event.id "$TMP/mixed.out" | sort | tr '\n' ' ')
expect_eq "incident ids, mixed vs scenarios alone" "$ids_alone" "$ids_mixed"
if ! cmp -s "$TMP/alone.cmp" "$TMP/mixed.cmp"; then
        diff "$TMP/alone.cmp" "$TMP/mixed.cmp" | head -c 3000 >&2 || true
        fail "incidents differ between the scenarios alone and mixed with real events" \
                "identical incidents apart from evidence origin" "see the diff above"
fi

# Where an evidence origin is a "FILE:LINE" string, it names the replayed file.
bad=$(jq -r --arg f "$MIXED" '.evidence[]? | .origin? | strings
        | select(startswith($f + ":") | not)' "$TMP/mixed.out" | head -n 3)
[ -z "$bad" ] || fail "evidence origin does not name the replayed file" "$MIXED:LINE" "$bad"

echo "ok: $nreal real events give no incident and do not disturb the 3 seed incidents"
