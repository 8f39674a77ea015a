#!/usr/bin/env bash
# kbcorrd on a mock Kafka cluster over loopback TCP, with kcat as the
# independent producer and consumer (issue 6):
#  1. the seed scenarios, produced by kcat keyed by host, come out on the
#     incident topic as the incidents `kbcorr replay` gives for the same
#     events, with the same ids;
#  2. a message that is not an event and one over input.max_message_bytes
#     land on the dead-letter topic with their reason and origin;
#  3. /metrics counts them (events by format, dead letters, incidents by
#     KB) and /healthz answers; SIGTERM exits cleanly within the bound;
#  4. a restart re-reads only what it must: every incident it emits again
#     carries an id already on the topic.
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"
# shellcheck source=tests/e2e/daemon.bash
. "$(dirname "$0")/daemon.bash"
need_daemon_tools

mock_start 3 winlog:4 incidents:1 dead:1

# The hosts keep logging after the scenarios: a routine event an hour
# later moves each one's clock past its case window, as live traffic does.
input=$TMP/input.jsonl
cp "$SCENARIOS" "$input"
for h in MAIL-A.corp.example MAIL-B.corp.example MAIL-C.corp.example FS01.corp.example; do
        head -n 1 "$SCENARIOS" | jq -c --arg h "$h" \
                '.host.name = $h | .winlog.computer_name = $h | .agent.hostname = $h | ."@timestamp" = "2024-03-14T11:00:00.000Z"' >>"$input"
done
produce_keyed winlog "$input"
printf 'this is not an event\n' | kcat -P -b "$BOOTSTRAP" -t winlog -k junk
head -c 70000 /dev/zero | tr '\0' 'x' | kcat -P -b "$BOOTSTRAP" -t winlog -k big

cat >"$TMP/kbcorrd.yaml" <<YAML
rules: [$RULES]
input:
  topics: [winlog]
  group: e2e
  max_message_bytes: 65536
kafka:
  bootstrap.servers: "$BOOTSTRAP"
  session.timeout.ms: "6000"
output:
  kafka: incidents
dead_letter:
  kafka: dead
metrics:
  listen: "127.0.0.1:0"
shutdown:
  drain: 5s
YAML

run replay "$KBCORR" replay --rules "$RULES" "$input"
expect_rc replay 0
jq -r '"\(.event.id) \(.host.name | ascii_downcase) \(.kb.id) \(.kb.ambiguous)"' "$TMP/replay.out" | sort >"$TMP/expected"
expected=$(count_lines "$TMP/expected")
[ "$expected" -ge 3 ] || fail "replay of the scenarios" "at least 3 incidents" "$expected"

daemon_start daemon1 "$TMP/kbcorrd.yaml"
if ! wait_closed incidents "$expected" 60; then
        show_file "kbcorrd stderr" "$TMP/daemon1.err"
        fail "incidents on the topic within 60 s" "$expected" "$(count_lines "$TMP/wait.out")"
fi
wait_count dead 2 30 || fail "dead letters on the topic" 2 "$(count_lines "$TMP/wait.out")"

port=$(sed -n 's|.*metrics on http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' "$TMP/daemon1.err")
[ -n "$port" ] || fail "the metrics address in the log" "metrics on http://127.0.0.1:PORT/metrics" "$(cat "$TMP/daemon1.err")"
curl -fsS "http://127.0.0.1:$port/healthz" | grep -qx ok || fail "/healthz" "ok"
sleep 1.5 # the page is rendered once a second
curl -fsS "http://127.0.0.1:$port/metrics" >"$TMP/metrics.txt" || fail "GET /metrics"
events=$(($(count_lines "$input") + 0))
for want in "kbcorr_events_total{format=\"winlogbeat\"} $events" \
        'kbcorr_decode_errors_total{reason="unrecognized format: not JSON, XML, msgpack or Snare"} 1' \
        "kbcorr_dead_letters_total 2" \
        'kbcorr_incidents_total{kb="Q324332"} 1' "kbcorr_inflight 0" \
        'kbcorr_processing_seconds_count'; do
        grep -qF "$want" "$TMP/metrics.txt" || fail "/metrics" "$want" "$(cat "$TMP/metrics.txt")"
done
echo "ok: /metrics counts events, dead letters and incidents by KB; /healthz ok"
daemon_stop TERM 15
expect_rc daemon1 0

consume_closed incidents "$TMP/incidents.jsonl"
jq -r '"\(.event.id) \(.host.name | ascii_downcase) \(.kb.id) \(.kb.ambiguous)"' "$TMP/incidents.jsonl" | sort -u >"$TMP/got"
diff "$TMP/expected" "$TMP/got" >&2 || fail "incidents on the topic differ from kbcorr replay's (diff above)"
grep -q 'mail-a.corp.example Q247773 false' "$TMP/got" || fail "MAIL-A names Q247773" "" "$(cat "$TMP/got")"
grep -q 'mail-b.corp.example Q324332 false' "$TMP/got" || fail "MAIL-B names Q324332" "" "$(cat "$TMP/got")"
grep -q 'mail-c.corp.example Q247773 true' "$TMP/got" || fail "MAIL-C is a tie" "" "$(cat "$TMP/got")"
echo "ok: $expected incidents on the topic, ids as kbcorr replay's"

consume_all dead "$TMP/dead.txt" '%k %h\n'
grep -q '^junk .*kbcorr.reason=undecodable: unrecognized format' "$TMP/dead.txt" ||
        fail "dead letter for the junk message" "key junk, reason undecodable with origin" "$(cat "$TMP/dead.txt")"
grep -q '^big .*kbcorr.reason=oversized: 70000 bytes' "$TMP/dead.txt" ||
        fail "dead letter for the oversized message" "key big, reason oversized" "$(cat "$TMP/dead.txt")"
[ "$(grep -c 'kbcorr.origin=winlog/[0-3]@[0-9]' "$TMP/dead.txt")" -eq 2 ] ||
        fail "dead letters carry their origin" "kbcorr.origin=winlog/P@OFFSET" "$(cat "$TMP/dead.txt")"
echo "ok: 2 dead letters with reason and origin"

# 4. A restart: what it emits again has ids already seen.
before=$(count_lines "$TMP/incidents.jsonl")
daemon_start daemon2 "$TMP/kbcorrd.yaml"
wait_log "$TMP/daemon2.err" 'msg="assigned' 60 ||
        fail "the restarted kbcorrd assigned partitions within 60 s"
sleep 3 # it re-reads from the committed offsets
daemon_stop TERM 15
expect_rc daemon2 0
consume_all incidents "$TMP/incidents2.jsonl"
jq -r '.event.id' "$TMP/incidents2.jsonl" | sort -u >"$TMP/ids2"
cut -d' ' -f1 "$TMP/expected" >"$TMP/ids1"
extra=$(comm -13 "$TMP/ids1" "$TMP/ids2" | wc -l)
expect_eq "incidents with new ids after a restart" 0 "$extra"
echo "ok: restart re-emitted $(($(count_lines "$TMP/incidents2.jsonl") - before)) incident(s), all with known ids"
