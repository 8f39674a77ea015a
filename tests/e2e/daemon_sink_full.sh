#!/usr/bin/env bash
# A file sink that cannot be written (issue 15): with output.file on
# /dev/full every write fails with ENOSPC. kbcorrd must say so once, keep
# the incidents in flight (retried, their offsets not committed), show it
# on /healthz and /metrics, and after a restart with a writable file
# deliver every incident kbcorr replay gives for the same events.
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"
# shellcheck source=tests/e2e/daemon.bash
. "$(dirname "$0")/daemon.bash"
need_daemon_tools
[ -w /dev/full ] || fail "/dev/full is needed" "a writable /dev/full" "none"

mock_start 1 winlog:2
# The seed stories, and a routine event per host an hour later that
# closes their cases on event time.
input=$TMP/input.jsonl
stories "$input"
run replay "$KBCORR" replay --rules "$RULES" "$input"
jq -r .event.id "$TMP/replay.out" | sort -u >"$TMP/expected"
expect_eq "incidents the events carry" 3 "$(count_lines "$TMP/expected")"
produce_keyed winlog "$input"

config() { # config OUTPUT_FILE, or - for stdout
        local out="file: $1"
        [ "$1" = - ] && out="stdout: true"
        cat <<YAML
rules: [$RULES]
input:
  topics: [winlog]
  group: e2e-sink-full
kafka:
  bootstrap.servers: "$BOOTSTRAP"
  session.timeout.ms: "6000"
output:
  $out
metrics:
  listen: "127.0.0.1:0"
shutdown:
  drain: 2s
YAML
}
config /dev/full >"$TMP/full.yaml"
daemon_start full "$TMP/full.yaml"
wait_log "$TMP/full.err" '/dev/full: No space left on device' 60 ||
        fail "the failing sink logged" "/dev/full: No space left on device" "$(cat "$TMP/full.err")"
sleep 2
expect_eq "the failure logged once, not at every retry" 1 "$(grep -c 'No space left on device' "$TMP/full.err")"
port=$(sed -n 's|.*metrics on http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' "$TMP/full.err")
code=$(curl -s -o "$TMP/healthz" -w '%{http_code}' "http://127.0.0.1:$port/healthz")
expect_eq "/healthz while the sink fails" "503 sink failing: /dev/full" "$code $(cat "$TMP/healthz")"
curl -fsS "http://127.0.0.1:$port/metrics" >"$TMP/metrics.txt"
grep -qF 'kbcorr_sink_failing{sink="/dev/full"} 1' "$TMP/metrics.txt" ||
        fail "/metrics shows the failing sink" 'kbcorr_sink_failing{sink="/dev/full"} 1' "$(grep sink "$TMP/metrics.txt")"
grep -q '^kbcorr_inflight [1-9]' "$TMP/metrics.txt" ||
        fail "the incidents stay in flight" "kbcorr_inflight > 0" "$(grep inflight "$TMP/metrics.txt")"
daemon_stop TERM 15
echo "ok: a full disk is logged once, fails /healthz, and holds the incidents in flight"

# stdout into a pipe whose reader is gone: EPIPE (SIGPIPE is ignored).
config - >"$TMP/pipe.yaml"
mkfifo "$TMP/pipe"
exec 8<>"$TMP/pipe" # a reader, so that kbcorrd's open does not block
"$KBCORRD" --config "$TMP/pipe.yaml" >"$TMP/pipe" 2>"$TMP/pipe.err" 8<&- &
DAEMON_PID=$!
sleep 0.5
exec 8<&- # the reader goes before anything is assigned
wait_log "$TMP/pipe.err" 'stdout: Broken pipe' 60 ||
        fail "the closed pipe logged" "stdout: Broken pipe" "$(cat "$TMP/pipe.err")"
port=$(sed -n 's|.*metrics on http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' "$TMP/pipe.err")
sleep 1
code=$(curl -s -o "$TMP/healthz" -w '%{http_code}' "http://127.0.0.1:$port/healthz")
expect_eq "/healthz while stdout is a closed pipe" "503 sink failing: stdout" "$code $(cat "$TMP/healthz")"
expect_eq "the failure logged once" 1 "$(grep -c 'Broken pipe' "$TMP/pipe.err")"
daemon_stop TERM 15
echo "ok: a closed stdout pipe is logged once, fails /healthz, and holds the incidents"

# Space given back (another file), the same group: every incident comes.
config "$TMP/incidents.jsonl" >"$TMP/good.yaml"
daemon_start good "$TMP/good.yaml"
deadline=$((SECONDS + 60))
until [ -f "$TMP/incidents.jsonl" ] &&
        [ "$(closed_only "$TMP/incidents.jsonl" "$TMP/closed.jsonl" && count_lines "$TMP/closed.jsonl")" -ge 3 ]; do
        [ $SECONDS -lt $deadline ] || fail "the held incidents delivered after the restart" 3 "$(cat "$TMP/incidents.jsonl" 2>/dev/null | wc -l)"
        sleep 0.5
done
daemon_stop TERM 15
expect_rc good 0
jq -r .event.id "$TMP/closed.jsonl" | sort -u >"$TMP/got"
diff "$TMP/expected" "$TMP/got" >&2 || fail "incidents after the restart differ from kbcorr replay's (diff above)"
echo "ok: after the restart every incident was delivered, ids as kbcorr replay's"
