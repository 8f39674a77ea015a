#!/usr/bin/env bash
# Two kbcorrd instances in one consumer group (issue 6): they split the
# partitions between them (cooperative-sticky), each processes events, and
# together they emit every incident the stream carries, nothing else.
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"
# shellcheck source=tests/e2e/daemon.bash
. "$(dirname "$0")/daemon.bash"
need_daemon_tools

input=$TMP/input.jsonl
make_stream 3000 8 "$input"
expect_ids "$input"
nexp=$NEXP

mock_start 3 winlog:8 incidents:1
cat >"$TMP/kbcorrd.yaml" <<YAML
rules: [$RULES]
input: {topics: [winlog], group: pair}
# A short session: when the two join at the same moment on a loaded
# machine, the mock now and then keeps a member that lost its join until
# its session times out (45 s by default) before the group settles.
kafka: {bootstrap.servers: "$BOOTSTRAP", session.timeout.ms: "10000", heartbeat.interval.ms: "1000"}
output: {kafka: incidents}
metrics: {listen: "127.0.0.1:0"}
YAML
daemon_start a "$TMP/kbcorrd.yaml"
pid_a=$DAEMON_PID
daemon_start b "$TMP/kbcorrd.yaml"
pid_b=$DAEMON_PID
# Both hold partitions once the group has settled.
wait_log "$TMP/a.err" 'msg="assigned' 120 && wait_log "$TMP/b.err" 'msg="assigned' 120 ||
        fail "both instances assigned" "assigned in a.err and b.err" "$(grep -h assigned "$TMP/a.err" "$TMP/b.err")"
sleep 2
produce_keyed winlog "$input"
wait_closed incidents "$nexp" 90 || fail "incidents on the topic" "$nexp" "$(count_lines "$TMP/wait.out")"
DAEMON_PID=$pid_a daemon_stop TERM 15
DAEMON_PID=$pid_b daemon_stop TERM 15
consume_all incidents "$TMP/got.jsonl"
jq -r 'select(.kbcorr.state == "closed") | .event.id' "$TMP/got.jsonl" | sort -u >"$TMP/got"
jq -r '.event.id' "$TMP/got.jsonl" | sort -u >"$TMP/got.any" # open states too
missing=$(comm -23 "$TMP/expected" "$TMP/got" | wc -l)
unknown=$(comm -13 "$TMP/expected" "$TMP/got.any" | wc -l)
expect_eq "expected incidents missing" 0 "$missing"
expect_eq "incidents with unknown ids" 0 "$unknown"
msgs() { sed -n 's/.*stopped: \([0-9]*\) messages.*/\1/p' "$1"; }
ma=$(msgs "$TMP/a.err") mb=$(msgs "$TMP/b.err")
[ "${ma:-0}" -gt 0 ] && [ "${mb:-0}" -gt 0 ] || fail "both instances consumed" "messages > 0 in both" "a=$ma b=$mb"
[ $((ma + mb)) -ge "$(count_lines "$input")" ] || fail "every event consumed" "$(count_lines "$input")" "$((ma + mb))"
echo "ok: $nexp incidents from two instances (a consumed $ma messages, b $mb)"
