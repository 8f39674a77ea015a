#!/usr/bin/env bash
# SIGHUP reloads kbcorrd's rules (issue 6):
#  1. a broken rule file is rejected with file:line, the old set keeps
#     running, and the seed scenarios still give their incidents;
#  2. a good change takes effect: with Q324332's rule removed, a copy of
#     MAIL-B's events under a new host name names Q247773 instead;
#  3. SIGTERM then exits cleanly.
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"
# shellcheck source=tests/e2e/daemon.bash
. "$(dirname "$0")/daemon.bash"
need_daemon_tools

mock_start 1 winlog:2 incidents:1
mkdir "$TMP/rules"
cp "$RULES"/*.yaml "$TMP/rules/"
cat >"$TMP/kbcorrd.yaml" <<YAML
rules: [$TMP/rules]
input: {topics: [winlog], group: reload}
kafka: {bootstrap.servers: "$BOOTSTRAP"}
output: {kafka: incidents}
metrics: {listen: "127.0.0.1:0"}
YAML
# Each scenario host logs a routine event an hour later, closing its case.
later() { # later FILE HOST...
        local h
        for h in "${@:2}"; do
                head -n 1 "$SCENARIOS" | jq -c --arg h "$h" \
                        '.host.name = $h | .winlog.computer_name = $h | .agent.hostname = $h | ."@timestamp" = "2024-03-14T11:00:00.000Z"' >>"$1"
        done
}

daemon_start daemon "$TMP/kbcorrd.yaml"
wait_log "$TMP/daemon.err" 'msg="assigned' 10 || true

# 1. A broken rule file: rejected, the old rules go on.
printf 'id: Q999999\ntitle: broken\nsignals:\n  - id: x\n    match: { message: "(unclosed" }\n' >"$TMP/rules/Q999999.yaml"
kill -HUP "$DAEMON_PID"
wait_log "$TMP/daemon.err" 'old set keeps running' 5 || true
grep -q 'old set keeps running' "$TMP/daemon.err" || fail "SIGHUP with a broken rule" "the old set keeps running" "$(cat "$TMP/daemon.err")"
grep -q 'Q999999.yaml:[0-9]*:' "$TMP/daemon.err" || fail "the broken rule reported as file:line" "Q999999.yaml:LINE: ..." "$(cat "$TMP/daemon.err")"
kill -0 "$DAEMON_PID" || fail "kbcorrd died on SIGHUP"
cp "$SCENARIOS" "$TMP/input1.jsonl"
later "$TMP/input1.jsonl" MAIL-A.corp.example MAIL-B.corp.example MAIL-C.corp.example
produce_keyed winlog "$TMP/input1.jsonl"
wait_closed incidents 3 60 || fail "incidents after the rejected reload" 3 "$(count_lines "$TMP/wait.out")"
jq -r '"\(.host.name | ascii_downcase) \(.kb.id)"' "$TMP/wait.out" | grep -qx 'mail-b.corp.example Q324332' ||
        fail "MAIL-B under the old rules" "Q324332" "$(cat "$TMP/wait.out")"
echo "ok: a broken rule set was rejected with file:line; the old rules kept running"

# 2. A good change: without Q324332, MAIL-B's evidence names Q247773.
rm "$TMP/rules/Q999999.yaml" "$TMP/rules/Q324332.yaml"
kill -HUP "$DAEMON_PID"
wait_log "$TMP/daemon.err" 'SIGHUP: 1 rules loaded' 5 || true
grep -q 'SIGHUP: 1 rules loaded' "$TMP/daemon.err" || fail "SIGHUP with a good rule set" "1 rules loaded" "$(cat "$TMP/daemon.err")"
jq -c 'select((.winlog.computer_name // "") | test("^MAIL-B"; "i"))
        | .host.name = "MAIL-B2.corp.example" | .winlog.computer_name = "MAIL-B2.corp.example"' \
        "$SCENARIOS" >"$TMP/input2.jsonl"
later "$TMP/input2.jsonl" MAIL-B2.corp.example
produce_keyed winlog "$TMP/input2.jsonl"
deadline=$((SECONDS + 60))
until consume_closed incidents "$TMP/all.jsonl" &&
        jq -r '"\(.host.name | ascii_downcase) \(.kb.id)"' "$TMP/all.jsonl" | grep -qx 'mail-b2.corp.example Q247773'; do
        [ $SECONDS -lt $deadline ] || fail "MAIL-B2 under the new rules" "Q247773" "$(jq -c '[.host.name, .kb.id]' "$TMP/all.jsonl")"
        sleep 0.5
done
echo "ok: the reloaded rules apply"

daemon_stop TERM 15
expect_rc daemon 0
echo "ok: SIGTERM after the reloads exits 0"
