#!/usr/bin/env bash
# --utc-offset sets the zone of times logged without one (NXLog's
# EventTime): the same record read at UTC and at UTC-05:00 lands five hours
# apart; a bad offset is a usage error.
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"
need_tools

cat >"$TMP/nxlog.jsonl" <<'JSON'
{"EventTime":"2024-03-14 04:30:00","Hostname":"FS01.corp.example","EventID":7036,"SourceName":"Service Control Manager","Channel":"System","RecordNumber":42,"Message":"The Print Spooler service entered the running state.","param1":"Print Spooler","param2":"running"}
JSON
run utc "$KBCORR" explain --all --rules "$RULES" "$TMP/nxlog.jsonl"
expect_rc utc 0
grep -q "nxlog event: 2024-03-14T04:30:00.000Z host=FS01.corp.example" "$TMP/utc.out" ||
        fail "zone-less time read as UTC by default" "2024-03-14T04:30:00.000Z" "$(head -n1 "$TMP/utc.out")"
run east "$KBCORR" explain --all --utc-offset -05:00 --rules "$RULES" "$TMP/nxlog.jsonl"
expect_rc east 0
grep -q "nxlog event: 2024-03-14T09:30:00.000Z" "$TMP/east.out" ||
        fail "zone-less time at UTC-05:00" "2024-03-14T09:30:00.000Z" "$(head -n1 "$TMP/east.out")"
run bad "$KBCORR" replay --utc-offset 25:00 "$TMP/nxlog.jsonl"
expect_rc bad 2
grep -q -- "--utc-offset" "$TMP/bad.err" || fail "bad offset message" "names --utc-offset" "$(cat "$TMP/bad.err")"
echo "ok: --utc-offset moves zone-less times"
