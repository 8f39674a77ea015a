# Shared helpers for the end-to-end scripts (sourced, not a test itself:
# tests/CMakeLists.txt registers only tests/e2e/*.sh).
#
# Environment (set by ctest; defaults let a script run by hand from a
# checkout with a build/ folder):
#   KBCORR          the kbcorr binary
#   KBC_SOURCE_DIR  the repository root
#   KBC_SHARED_DIR  the shared/ folder with the real data (read in place)

# shellcheck disable=SC2034 # the variables below are used by the scripts
E2E_NAME=$(basename "${BASH_SOURCE[1]:-$0}" .sh)
KBC_SOURCE_DIR=${KBC_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
KBCORR=${KBCORR:-$KBC_SOURCE_DIR/build/kbcorr}
KBC_SHARED_DIR=${KBC_SHARED_DIR:-$KBC_SOURCE_DIR/../shared}
RULES=$KBC_SOURCE_DIR/rules/curated
SCENARIOS=$KBC_SOURCE_DIR/examples/seed-scenarios.jsonl

# fail WHAT [EXPECTED [GOT]]: print what went wrong and stop the test.
fail() {
        {
                echo "FAIL [$E2E_NAME]: $1"
                if [ $# -ge 2 ]; then
                        echo "  expected: $2"
                fi
                if [ $# -ge 3 ]; then
                        echo "  got:      $3"
                fi
        } >&2
        exit 1
}

# show_file LABEL FILE: print a captured output under a label (for failures).
show_file() {
        echo "---- $1 ($2) ----" >&2
        if [ -s "$2" ]; then
                head -c 4000 "$2" >&2
                echo >&2
        else
                echo "(empty)" >&2
        fi
}

need_tools() {
        command -v jq >/dev/null 2>&1 ||
                fail "jq is not installed (apt-get install -y jq)"
        [ -x "$KBCORR" ] || fail "kbcorr binary not found or not executable" \
                "an executable at \$KBCORR" "'$KBCORR'"
        [ -f "$SCENARIOS" ] || fail "the seed scenarios are missing" \
                "a file at $SCENARIOS" "nothing there"
}

# need_evtx_samples: the real EVTX samples of ../shared (EVTX_TAR) and the
# test rule that raises incidents on them (EV_RULES).
need_evtx_samples() {
        EVTX_TAR=$KBC_SHARED_DIR/data/events/evtx-samples.tar.xz
        [ -f "$EVTX_TAR" ] || fail "the EVTX samples are missing (set KBC_SHARED_DIR)" \
                "a file at $EVTX_TAR" "nothing there"
        EV_RULES=$KBC_SOURCE_DIR/tests/data/rules_evtx
}

# A scratch folder removed on exit.
TMP=$(mktemp -d "${TMPDIR:-/tmp}/kbc-e2e-$E2E_NAME.XXXXXX")
[ -n "${KBC_E2E_KEEP:-}" ] || trap 'rm -rf "$TMP"' EXIT

# run NAME CMD...: run CMD with stdout in $TMP/NAME.out, stderr in
# $TMP/NAME.err; the exit status goes to RC (never stops the script).
# A death by signal (status > 128, e.g. a segfault) fails the test at once.
RC=0
run() {
        local name=$1
        shift
        RC=0
        "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" || RC=$?
        if [ "$RC" -gt 128 ]; then
                show_file "stdout" "$TMP/$name.out"
                show_file "stderr" "$TMP/$name.err"
                fail "'$*' crashed" "an exit status of 0, 1 or 2" \
                        "status $RC (signal $((RC - 128)))"
        fi
}

# expect_rc NAME WANT...: the last run's status must be one of WANT.
expect_rc() {
        local name=$1 want
        shift
        for want in "$@"; do
                [ "$RC" -eq "$want" ] && return 0
        done
        show_file "stdout" "$TMP/$name.out"
        show_file "stderr" "$TMP/$name.err"
        fail "$name: wrong exit status" "$*" "$RC"
}

# expect_eq WHAT EXPECTED GOT
expect_eq() {
        [ "$2" = "$3" ] || fail "$1" "$2" "$3"
}

# same_bytes WHAT A B: the two files are byte-identical.
same_bytes() {
        if ! cmp -s "$2" "$3"; then
                diff "$2" "$3" | head -c 2000 >&2 || true
                fail "$1" "byte-identical output" "see the diff above"
        fi
}

# count_lines FILE: non-empty lines.
count_lines() {
        grep -c . "$1" || true
}

# expect_json_lines NAME: every non-empty line of $TMP/NAME.out is one JSON
# object.
expect_json_lines() {
        local f="$TMP/$1.out" n=0 line
        while IFS= read -r line || [ -n "$line" ]; do
                n=$((n + 1))
                [ -z "$line" ] && continue
                if ! printf '%s\n' "$line" | jq -e 'type == "object"' >/dev/null 2>&1; then
                        fail "$1: output line $n is not one JSON object" \
                                "a JSON object per line" "$(printf '%s' "$line" | head -c 300)"
                fi
        done <"$f"
}

# Lower-case host label ("mail-a" for "MAIL-A.corp.example").
host_label_jq='(.host.name // "" | ascii_downcase | split(".")[0])'

# real_events DIR: every real event of ../shared/data/events (the three
# JSON-lines captures, decompressed, and the EVTX samples) unpacked into
# DIR; their paths, sorted, in the array REAL_EVENTS. Fails the test when
# one is missing.
real_events() {
        local events=$KBC_SHARED_DIR/data/events f
        command -v xz >/dev/null 2>&1 || fail "xz is not installed (apt-get install -y xz-utils)"
        mkdir -p "$1"
        for f in winlogbeat7-ecs winlogbeat6-kafka nxlog-wec-kafka; do
                [ -f "$events/$f.jsonl.xz" ] || fail "real events missing" "$events/$f.jsonl.xz" "nothing there"
                xz -dc "$events/$f.jsonl.xz" >"$1/$f.jsonl"
        done
        [ -f "$events/evtx-samples.tar.xz" ] || fail "real events missing" "$events/evtx-samples.tar.xz" "nothing there"
        tar -xJf "$events/evtx-samples.tar.xz" -C "$1"
        mapfile -t REAL_EVENTS < <(find "$1" -type f \( -name '*.jsonl' -o -name '*.evtx' \) | sort)
}

# benign_precision RULES_ARGS...: replays every real event (real_events)
# with those --rules and fails above 0.1 incident per 100,000 events (the
# bar of SPEC.md); prints the counters and each incident.
benign_precision() {
        local start stats re events incidents
        real_events "$TMP/events"
        start=$(date +%s)
        run benign "$KBCORR" replay --stats "$@" "${REAL_EVENTS[@]}"
        expect_rc benign 0
        stats=$(grep '^messages ' "$TMP/benign.err") || fail "replay --stats" "a counters line" "$(tail -n 3 "$TMP/benign.err")"
        re='^messages ([0-9]+), decode errors ([0-9]+),'
        [[ $stats =~ $re ]] || fail "replay --stats" "messages N, decode errors N, ..." "$stats"
        events=$((BASH_REMATCH[1] - BASH_REMATCH[2]))
        incidents=$(count_lines "$TMP/benign.out")
        echo "$events real events, $incidents incident(s) ($(($(date +%s) - start)) s): $stats"
        jq -r '"  incident: \(.host.name) \(.kb.id) \(.kb.title) (confidence \(.kb.confidence)): \(.evidence[0].provider) \(.evidence[0].event_id)"' "$TMP/benign.out"
        [ "$events" -ge 60000 ] || fail "real events decoded" "at least 60000" "$events"
        [ $((incidents * 1000000)) -le "$events" ] ||
                fail "incidents per 100,000 real benign events" "at most 0.1" \
                        "$incidents in $events events: $(jq -r '.kb.id' "$TMP/benign.out" | tr '\n' ' ')"
}
