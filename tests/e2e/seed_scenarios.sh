#!/usr/bin/env bash
# The acceptance story (SPEC.md §1): examples/seed-scenarios.jsonl holds three
# Exchange servers with the SMTP-extension error and different evidence
# around it, among benign events and traps. kbcorr must print exactly three
# incidents: MAIL-A -> Q247773 (MSExchangeSA 2037), MAIL-B -> Q324332
# (Remote Registry stopped, c10312c6, 0xc0020035), MAIL-C -> both as tied
# candidates. The output is deterministic.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
need_tools

run replay1 "$KBCORR" replay --rules "$RULES" "$SCENARIOS"
expect_rc replay1 0
expect_json_lines replay1
OUT=$TMP/replay1.out

n=$(count_lines "$OUT")
if [ "$n" -ne 3 ]; then
        show_file "stdout" "$OUT"
        show_file "stderr" "$TMP/replay1.err"
        fail "number of incidents" "3 (MAIL-A, MAIL-B, MAIL-C)" "$n"
fi

# Which hosts got an incident (lower-case first label, sorted).
hosts=$(jq -r "$host_label_jq" "$OUT" | sort | tr '\n' ' ')
expect_eq "hosts with an incident" "mail-a mail-b mail-c " "$hosts"

# Fields every incident must carry.
problems=$(jq -r "def hostlabel: $host_label_jq; "'
        def str_ok(v): (v | type) == "string" and v != "";
        hostlabel as $h | (.host.name // "?") as $hn | [
        (if .event.kind != "alert" then "event.kind is \(.event.kind | tojson), expected \"alert\"" else empty end),
        (if str_ok(.event.id) | not then "event.id is \(.event.id | tojson), expected a non-empty string" else empty end),
        (if str_ok(.["@timestamp"]) | not then "@timestamp is \(.["@timestamp"] | tojson), expected a time" else empty end),
        (if str_ok(.kb.id) | not then "kb.id is \(.kb.id | tojson), expected a KB id" else empty end),
        (if str_ok(.kb.cause) | not then "kb.cause is \(.kb.cause | tojson), expected the cause text" else empty end),
        (if str_ok(.kb.resolution) | not then "kb.resolution is \(.kb.resolution | tojson), expected the resolution text" else empty end),
        (if str_ok(.rule.reference) | not then "rule.reference is \(.rule.reference | tojson), expected a URL" else empty end),
        (if (.kb.confidence | type) != "number" or .kb.confidence < 0 or .kb.confidence > 1
         then "kb.confidence is \(.kb.confidence | tojson), expected a number in 0..1" else empty end),
        (if (.evidence | type) != "array" or (.evidence | length) == 0
         then "evidence is \(.evidence | tojson), expected a non-empty array" else empty end),
        (if (.candidates | type) != "array" or (.candidates | length) == 0
         then "candidates is \(.candidates | tojson), expected a non-empty array"
         elif .candidates[0]["kb.id"] != .kb.id
         then "candidates[0][\"kb.id\"] is \(.candidates[0]["kb.id"] | tojson), expected the winner \(.kb.id | tojson) first"
         elif [.candidates[].score] != ([.candidates[].score] | sort | reverse)
         then "candidates are not ranked by score: \([.candidates[].score] | tojson)"
         else empty end),
        (if (.message | type) != "string" or ((.message | ascii_downcase) | contains($h) | not)
         then "message \(.message | tojson) does not name the host \($h)" else empty end)
        ] | .[] | "\($hn): \(.)"' "$OUT")
if [ -n "$problems" ]; then
        show_file "stdout" "$OUT"
        fail "incident fields" "every incident complete (see SPEC.md §5)" "$problems"
fi

# incident HOST-LABEL JQ-EXPR: evaluate an expression on that host's incident.
incident() {
        jq -c --arg h "$1" "select($host_label_jq == \$h) | $2" "$OUT"
}

# MAIL-A: SMTP error without quotes + MSExchangeSA 2037 (one of them logged
# under the upper-case computer name) -> Q247773, one incident.
expect_eq "MAIL-A kb.id" '"Q247773"' "$(incident mail-a .kb.id)"
expect_eq "MAIL-A evidence holds the MSExchangeSA 2037 event" "true" \
        "$(incident mail-a '[.evidence[] | select(.event_id == 2037 or .event_id == "2037")] | length > 0')"

# MAIL-B: Remote Registry stopped, then the quoted error with c10312c6, then
# 0xc0020035 -> Q324332. The 7036 came first and still counts.
expect_eq "MAIL-B kb.id" '"Q324332"' "$(incident mail-b .kb.id)"
expect_eq "MAIL-B evidence holds the Remote Registry 7036 event (evidence that came first counts)" "true" \
        "$(incident mail-b '[.evidence[] | select((.event_id == 7036 or .event_id == "7036") and ((.message // "") | test("Remote Registry"; "i")))] | length > 0')"
expect_eq "MAIL-B evidence holds the 0xc0020035 popup" "true" \
        "$(incident mail-b '[.evidence[] | select((.message // "") | test("0xc0020035"; "i"))] | length > 0')"

# MAIL-C: the shared symptom alone -> both articles, tied.
expect_eq "MAIL-C candidates (kb.id list, sorted)" '["Q247773","Q324332"]' \
        "$(incident mail-c '[.candidates[]["kb.id"]] | sort')"
expect_eq "MAIL-C: Q247773 and Q324332 have equal scores" "true" \
        "$(incident mail-c '[.candidates[] | select(.["kb.id"] == "Q247773" or .["kb.id"] == "Q324332") | .score] | (length == 2 and .[0] == .[1])')"
expect_eq "MAIL-C kb.id is one of the tied candidates" "true" \
        "$(incident mail-c '.kb.id == "Q247773" or .kb.id == "Q324332"')"
expect_eq "MAIL-C kb.ambiguous (docs/incident-schema.md)" "true" "$(incident mail-c .kb.ambiguous)"
expect_eq "MAIL-A and MAIL-B are not ambiguous" "false false" \
        "$(incident mail-a '.kb.ambiguous == true') $(incident mail-b '.kb.ambiguous == true')"
expect_eq "MAIL-C message names both tied articles" "true" \
        "$(incident mail-c '(.message | test("247773")) and (.message | test("324332"))')"
expect_eq "MAIL-C evidence is the one popup" "1" "$(incident mail-c '.evidence | length')"

# More evidence, more confidence.
ca=$(incident mail-a .kb.confidence)
cc=$(incident mail-c .kb.confidence)
expect_eq "MAIL-A confidence ($ca) > MAIL-C confidence ($cc)" "true" \
        "$(jq -n --argjson a "$ca" --argjson c "$cc" '$a > $c')"

# Incident ids: distinct per incident.
expect_eq "distinct event.id values" "3" "$(jq -r .event.id "$OUT" | sort -u | wc -l | tr -d ' ')"

# Deterministic: a second run prints the same bytes, and so does one on a
# single core, where the pipeline correlates on the reading thread instead
# of a second one (docs/replay.md, "Two cores").
run replay2 "$KBCORR" replay --rules "$RULES" "$SCENARIOS"
expect_rc replay2 0
run replay1 taskset -c 0 "$KBCORR" replay --rules "$RULES" "$SCENARIOS"
expect_rc replay1 0
for again in replay2 replay1; do
        if ! cmp -s "$OUT" "$TMP/$again.out"; then
                diff "$OUT" "$TMP/$again.out" | head -20 >&2 || true
                fail "two replays of the same input differ ($again)" "byte-identical output" "see the diff above"
        fi
done

echo "ok: seed scenarios give the 3 expected incidents"
