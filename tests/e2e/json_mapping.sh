#!/usr/bin/env bash
# A JSON flavour whose names no alias knows (a SIEM export) becomes usable
# with a mapping file and no code change: the seed symptom in that shape
# gives the tied Q247773/Q324332 incident, as the same record as a Log
# Analytics row does with no mapping at all. A broken mapping file is
# reported as file:line and is a usage error.
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"
need_tools
MAPPING=$KBC_SOURCE_DIR/examples/mappings/siem-export.yaml

cat >"$TMP/la.jsonl" <<'JSON'
{"TimeGenerated":"2024-03-14T09:00:00.5Z","Computer":"MAIL-C.corp.example","EventLog":"System","Source":"Application Popup","EventID":"26","EventLevelName":"Information","RenderedDescription":"Application popup: Microsoft Exchange Administrator : Extension 'SMTP' could not be loaded.","ParameterXml":["Microsoft Exchange Administrator"]}
JSON
cat >"$TMP/own.jsonl" <<'JSON'
{"when":"2024-03-14T09:00:00.5Z","box":"MAIL-C.corp.example","log":"System","origin":"Application Popup","code":"26","sev":"Information","text":"Application popup: Microsoft Exchange Administrator : Extension 'SMTP' could not be loaded.","args":["Microsoft Exchange Administrator"]}
JSON
verdict() {
	jq -r '[.host.name, .kb.ambiguous, ([.candidates[] | .["kb.id"]] | join(","))] | join(" ")' "$1"
}
run la "$KBCORR" replay --rules "$RULES" "$TMP/la.jsonl"
expect_rc la 0
expect_eq "incident from the Log Analytics row, no mapping" "MAIL-C.corp.example true Q247773,Q324332" "$(verdict "$TMP/la.out")"

run without "$KBCORR" replay --rules "$RULES" "$TMP/own.jsonl"
grep -q "own.jsonl:1: unrecognized format: JSON object of no known format" "$TMP/without.err" ||
        fail "without a mapping the record is not decoded" "FILE:1: unrecognized format ..." "$(cat "$TMP/without.err")"

run with "$KBCORR" replay --mapping "$MAPPING" --rules "$RULES" "$TMP/own.jsonl"
expect_rc with 0
expect_eq "incident from the mapped record" "MAIL-C.corp.example true Q247773,Q324332" "$(verdict "$TMP/with.out")"

printf 'mappings:\n  broken:\n    time: TimeGenerated\n    colour: red\n' >"$TMP/bad.yaml"
run bad "$KBCORR" replay --mapping "$TMP/bad.yaml" --rules "$RULES" "$TMP/la.jsonl"
expect_rc bad 2
grep -q "bad.yaml:4: unknown key 'colour'" "$TMP/bad.err" ||
        fail "bad mapping reported at file:line" "bad.yaml:4: unknown key 'colour' ..." "$(cat "$TMP/bad.err")"
echo "ok: a Log Analytics row decodes as is, a renamed record with a mapping file"
