#!/usr/bin/env bash
# What the producer cannot take must not be lost (issue 15):
# - a dead letter larger than the producer's message.max.bytes goes out
#   cut to fit, with a kbcorr.truncated header (it used to be dropped, its
#   offset committed);
# - an incident whose evidence would escape past a megabyte fits, its
#   evidence listed up to the budget;
# - a fatal producer error (the idempotent producer refused by the
#   cluster) makes kbcorrd exit 1 with the offsets held: a restart
#   delivers every incident.
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"
# shellcheck source=tests/e2e/daemon.bash
. "$(dirname "$0")/daemon.bash"
need_daemon_tools

mock_start 1 winlog:1 incidents:1 dead:1
config() { # config GROUP
        cat <<YAML
rules: [$RULES]
input: {topics: [winlog], group: $1}
kafka:
  bootstrap.servers: "$BOOTSTRAP"
  session.timeout.ms: "6000"
output: {kafka: incidents}
dead_letter: {kafka: dead}
metrics: {listen: "127.0.0.1:0"}
shutdown: {drain: 5s}
YAML
}

# 1. A 1,040,000-byte undecodable message, under input.max_message_bytes
# (1 MiB) but over the producer's default message.max.bytes (1,000,000).
head -c 1040000 /dev/zero | tr '\0' 'x' >"$TMP/huge.txt"
kcat -P -b "$BOOTSTRAP" -t winlog -X message.max.bytes=2000000 -z none "$TMP/huge.txt" ||
        fail "kcat produced the large message"

# 2. One host's popup event 80 times, each message padded with 4,000
# control characters (escaped to six bytes each in JSON).
jq -c -n 'first(inputs | select(.winlog.provider_name == "Application Popup"))' "$SCENARIOS" >"$TMP/popup.json"
pad=$(head -c 4000 /dev/zero | tr '\0' '\001' | jq -Rs .)
for i in $(seq 0 79); do
        jq -c --argjson pad "$pad" --arg s "$(printf %02d $((i % 60)))" --argjson n "$i" \
                '.message += $pad | ."@timestamp" = "2024-03-14T09:0\(1 + ($n / 60 | floor)):\($s).000Z"
                 | .winlog.record_id += 1000 + $n' "$TMP/popup.json"
done >"$TMP/padded.jsonl"
closers MAIL-B.corp.example >>"$TMP/padded.jsonl"
produce_keyed winlog "$TMP/padded.jsonl"

config undeliverable >"$TMP/a.yaml"
daemon_start a "$TMP/a.yaml"
wait_count dead 1 60 || fail "the large message dead-lettered" "1 dead letter" "none; $(cat "$TMP/a.err")"
kcat -C -b "$BOOTSTRAP" -t dead -o beginning -e -q -f '%S %h\n' >"$TMP/dead.txt" 2>/dev/null
read -r size headers <"$TMP/dead.txt"
[ "$size" -le 1000000 ] || fail "the dead letter fits the producer's limit" "<= 1000000 bytes" "$size"
case "$headers" in
*kbcorr.truncated=1040000*) ;;
*) fail "the dead letter says it was cut" "kbcorr.truncated=1040000" "$headers" ;;
esac
case "$headers" in
*kbcorr.origin=winlog/0@0*) ;;
*) fail "the dead letter names its origin" "kbcorr.origin=winlog/0@0" "$headers" ;;
esac
echo "ok: a dead letter over message.max.bytes went out cut to $size bytes, naming its origin"

wait_closed incidents 1 60 || fail "the padded host's incident" "a closed incident" "$(cat "$TMP/a.err")"
kcat -C -b "$BOOTSTRAP" -t incidents -o beginning -e -q -f '%S\n' >"$TMP/sizes" 2>/dev/null
max=$(sort -n "$TMP/sizes" | tail -n 1)
[ "$max" -le 1000000 ] || fail "every incident fits in one message" "<= 1000000 bytes" "$max"
n=$(jq -n 'first(inputs | .evidence | length)' "$TMP/wait.out")
count=$(jq -n 'first(inputs | .event.count)' "$TMP/wait.out")
expect_eq "events counted on the incident" 80 "$count"
[ "$n" -ge 1 ] && [ "$n" -lt 64 ] || fail "evidence listed up to the budget" "1..63 items" "$n"
if grep -q 'cannot be delivered' "$TMP/a.err"; then fail "nothing undeliverable" "" "$(grep 'cannot be delivered' "$TMP/a.err")"; fi
daemon_stop TERM 20
expect_rc a 0
echo "ok: an incident of 80 padded events fits ($max bytes, $n of $count events listed)"

# 3. A fatal producer error: InitProducerId (API key 22) refused with
# CLUSTER_AUTHORIZATION_FAILED (31), which librdkafka makes fatal for an
# idempotent producer. The seed stories go to a new group.
stories "$TMP/stories.jsonl"
produce_keyed winlog "$TMP/stories.jsonl"
mock_call errors 22 1 31
config fatal >"$TMP/fatal.yaml"
daemon_start fatal "$TMP/fatal.yaml"
deadline=$((SECONDS + 60))
while kill -0 "$DAEMON_PID" 2>/dev/null; do
        [ $SECONDS -lt $deadline ] || fail "kbcorrd exits on a fatal producer error" "an exit within 60 s" "still running; $(cat "$TMP/fatal.err")"
        sleep 0.2
done
RC=0
wait "$DAEMON_PID" || RC=$?
expect_rc fatal 1
grep -q 'level=error msg="kafka: fatal error' "$TMP/fatal.err" ||
        fail "the fatal error logged" 'kafka: fatal error ...' "$(cat "$TMP/fatal.err")"
echo "ok: a fatal producer error ends kbcorrd with exit 1"

# The restart (the cluster no longer refuses) delivers the stories'
# incidents: nothing was committed past them.
expect_ids "$TMP/stories.jsonl"
daemon_start fatal2 "$TMP/fatal.yaml"
wait_all_expected incidents 90 "every incident after the fatal error and a restart" "$TMP/fatal2.err"
daemon_stop TERM 20
expect_rc fatal2 0
echo "ok: after the restart all $NEXP incidents of the stories were delivered"
