#!/usr/bin/env bash
# Broker failures injected through the mock cluster (issue 6): a broker
# down and up again, failing Produce, Fetch and OffsetCommit requests, and
# the group coordinator moved, while the stream goes on. kbcorrd recovers
# by itself, emits every incident the stream carries and no other, and
# still exits cleanly on SIGTERM.
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"
# shellcheck source=tests/e2e/daemon.bash
. "$(dirname "$0")/daemon.bash"
need_daemon_tools

input=$TMP/input.jsonl
make_stream 3000 4 "$input"
expect_ids "$input"
nexp=$NEXP
split -n l/3 "$input" "$TMP/part."

mock_start 3 winlog:4 incidents:1
cat >"$TMP/kbcorrd.yaml" <<YAML
rules: [$RULES]
input: {topics: [winlog], group: faults}
kafka:
  bootstrap.servers: "$BOOTSTRAP"
  auto.commit.interval.ms: "200"
output: {kafka: incidents}
metrics: {listen: "127.0.0.1:0"}
YAML
daemon_start daemon "$TMP/kbcorrd.yaml"
wait_log "$TMP/daemon.err" 'msg="assigned' 60 || fail "kbcorrd assigned partitions"

produce_keyed winlog "$TMP/part.aa"
# Kafka API keys and error codes as in the protocol: 0 Produce, 1 Fetch,
# 8 OffsetCommit; 6 NOT_LEADER_OR_FOLLOWER, 7 REQUEST_TIMED_OUT,
# 16 NOT_COORDINATOR.
mock_cmd down 2
sleep 3
mock_cmd up 2
produce_keyed winlog "$TMP/part.ab"
mock_cmd errors 0 5 6
mock_cmd errors 1 5 7
mock_cmd errors 8 5 16
mock_cmd coordinator faults 3
sleep 2
produce_keyed winlog "$TMP/part.ac"

wait_all_expected incidents 120 "every expected incident despite the failures" "$TMP/daemon.err"
kill -0 "$DAEMON_PID" || fail "kbcorrd exited during the failures"
daemon_stop TERM 20
expect_rc daemon 0
unknown=$(unknown_ids)
expect_eq "incidents with unknown ids" 0 "$unknown"
grep -c '^ok$' "$TMP/mock.out" | grep -qx 6 || fail "the mock took every command" "6 ok" "$(cat "$TMP/mock.out")"
echo "ok: $nexp incidents through a broker outage, request errors and a coordinator move"
