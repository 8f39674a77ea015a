#!/usr/bin/env bash
# What real collectors send decodes with no mapping (issue 13):
#  1. every fixture of tests/data/shapes (PowerShell lines and a
#     pretty-printed ConvertTo-Json array, Log Analytics rows, NXLog-shaped
#     collector exports without EventTime, Elastic Agent, evtx_dump,
#     Wazuh, Fluentd) replays with nothing rejected, and --stats counts the
#     records by shape;
#  2. explain names the member each part came from;
#  3. the MAIL-A seed story rewritten as Get-WinEvent | ConvertTo-Json
#     output gives the same verdict as its Winlogbeat form;
#  4. the mixed shapes on one Kafka topic decode alike;
#  5. a replay rejecting more than --max-reject of its records says so
#     and exits 2; under the limit it exits 0.
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"
# shellcheck source=tests/e2e/daemon.bash
. "$(dirname "$0")/daemon.bash"
need_daemon_tools
SHAPES=$KBC_SOURCE_DIR/tests/data/shapes

# 1. every shape, nothing rejected
run shapes "$KBCORR" replay --stats --rules "$RULES" "$SHAPES"/*.jsonl "$SHAPES/powershell-array.json"
expect_rc shapes 0 1
grep -q "; none rejected" "$TMP/shapes.err" ||
        fail "no shape fixture rejected" "decoded by shape: ...; none rejected" "$(cat "$TMP/shapes.err")"
records=$(cat "$SHAPES"/*.expect | wc -l)
decoded=$(sed -n 's/^decoded by shape: //p' "$TMP/shapes.err" | tr -d ';a-z' | tr ' ' '\n' | awk '{ s += $1 } END { print s }')
expect_eq "records decoded" "$records" "$decoded"
for shape in powershell loganalytics nxlog winlogbeat evtxjson wazuh fluentbit winjson; do
        grep -q "^decoded by shape:.* $shape [0-9]" "$TMP/shapes.err" ||
                fail "--stats counts shape $shape" "$shape N" "$(grep '^decoded' "$TMP/shapes.err")"
done
echo "ok: $records records of every collector shape decoded, counted by shape"

# 2. explain: which member each part came from
run explain "$KBCORR" explain --all --rules "$RULES" "$SHAPES/collector.jsonl"
expect_rc explain 0 1
grep -q "^  from: time=TimeCreated host=Hostname provider=SourceName channel=Channel event_id=EventID" "$TMP/explain.out" ||
        fail "explain shows the member of each part" "  from: time=TimeCreated host=Hostname ..." "$(head -n 3 "$TMP/explain.out")"
echo "ok: explain names the member each part came from"

# 3. the seed story as PowerShell 5.1 would export it
jq -c 'select((.winlog.computer_name | ascii_downcase) == "mail-a.corp.example")
        | {Id: (.winlog.event_id | tonumber), Version: 0, Level: 2,
           RecordId: .winlog.record_id, ProviderName: .winlog.provider_name,
           LogName: .winlog.channel, MachineName: .winlog.computer_name,
           TimeCreated: ("/Date(" + ((."@timestamp" | sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601) * 1000 | tostring) + ")/"),
           LevelDisplayName: "Error", Message: .message,
           Properties: [(.winlog.event_data // {})[] | {Value: .}]}' "$SCENARIOS" >"$TMP/mail-a.ps.jsonl"
jq -c 'select((.winlog.computer_name | ascii_downcase) == "mail-a.corp.example")' "$SCENARIOS" >"$TMP/mail-a.wlb.jsonl"
verdict() { jq -r '[.host.name, .kb.id, .kb.ambiguous] | join(" ")' "$1"; }
run ps "$KBCORR" replay --rules "$RULES" "$TMP/mail-a.ps.jsonl"
run wlb "$KBCORR" replay --rules "$RULES" "$TMP/mail-a.wlb.jsonl"
expect_rc ps 0 1
expect_eq "the seed verdict from PowerShell's export" "$(verdict "$TMP/wlb.out")" "$(verdict "$TMP/ps.out")"
grep -q "Q247773" "$TMP/ps.out" || fail "MAIL-A from PowerShell names Q247773" "Q247773" "$(cat "$TMP/ps.out")"
echo "ok: the seed story exported by PowerShell gives the Winlogbeat verdict"

# 4. the mixed shapes on one Kafka topic
mock_start 1 mixed:1
kcat -P -b "$BOOTSTRAP" -t mixed -z none <"$SHAPES/mixed.jsonl" || fail "kcat could not produce the mixed shapes"
run kafka "$KBCORR" replay --stats --rules "$RULES" --kafka "$BOOTSTRAP" --topic mixed
expect_rc kafka 0 1
grep -q "; none rejected" "$TMP/kafka.err" ||
        fail "mixed shapes on one topic decode" "...; none rejected" "$(cat "$TMP/kafka.err")"
expect_eq "records of the topic decoded" "$(count_lines "$SHAPES/mixed.jsonl")" \
        "$(sed -n 's/^decoded by shape: //p' "$TMP/kafka.err" | tr -d ';a-z' | tr ' ' '\n' | awk '{ s += $1 } END { print s }')"
echo "ok: mixed shapes on one Kafka topic decode"

# 5. --max-reject: 2 records of 100 cannot be decoded
{
        head -n 98 <(for _ in $(seq 10); do cat "$SHAPES"/*.jsonl; done)
        echo '{"no": "event"}'
        echo 'garbage'
} >"$TMP/two-bad.jsonl"
run strict "$KBCORR" replay --rules "$RULES" "$TMP/two-bad.jsonl"
expect_rc strict 2
grep -q "2 of 100 records (2.00%) could not be decoded, more than --max-reject 1%" "$TMP/strict.err" ||
        fail "over --max-reject" "2 of 100 records (2.00%) ..." "$(tail -n 2 "$TMP/strict.err")"
run lenient "$KBCORR" replay --max-reject 5 --rules "$RULES" "$TMP/two-bad.jsonl"
expect_rc lenient 0 1
echo "ok: --max-reject exits 2 over the share, 0 under it"
