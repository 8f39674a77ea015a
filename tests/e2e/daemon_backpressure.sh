#!/usr/bin/env bash
# SIGTERM under back-pressure (issue 15): with the producer's queue full
# (one message at most, held for a minute by linger.ms) kbcorrd waits in
# its produce loop. A SIGTERM must still end it within the drain time,
# the undelivered incidents' offsets held, and a restart must deliver
# every incident.
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"
# shellcheck source=tests/e2e/daemon.bash
. "$(dirname "$0")/daemon.bash"
need_daemon_tools

mock_start 1 winlog:1 incidents:1
stories "$TMP/stories.jsonl"
expect_ids "$TMP/stories.jsonl"
produce_keyed winlog "$TMP/stories.jsonl"

config() { # config EXTRA_KAFKA_LINES
        cat <<YAML
rules: [$RULES]
input: {topics: [winlog], group: backpressure}
kafka:
  bootstrap.servers: "$BOOTSTRAP"
  session.timeout.ms: "6000"
$1
output: {kafka: incidents}
metrics: {listen: "127.0.0.1:0"}
shutdown: {drain: 2s}
YAML
}
config '  queue.buffering.max.messages: "1"
  linger.ms: "60000"' >"$TMP/full.yaml"
daemon_start full "$TMP/full.yaml"
wait_log "$TMP/full.err" 'msg="assigned' 60 || fail "kbcorrd assigned partitions" "" "$(cat "$TMP/full.err")"
# The first incident state fills the queue; the next ones wait for room.
sleep 3
started=$SECONDS
daemon_stop TERM 15
expect_rc full 0
grep -q 'stopping with the producer queue full' "$TMP/full.err" ||
        fail "the stop under back-pressure logged" "stopping with the producer queue full" "$(cat "$TMP/full.err")"
echo "ok: SIGTERM with the producer queue full ended kbcorrd in $((SECONDS - started)) s"

config "" >"$TMP/good.yaml"
daemon_start good "$TMP/good.yaml"
wait_all_expected incidents 90 "every incident after the stop under back-pressure" "$TMP/good.err"
daemon_stop TERM 20
expect_rc good 0
echo "ok: after the restart all $NEXP incidents were delivered"
