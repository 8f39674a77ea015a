#!/usr/bin/env bash
# /metrics against hostile input (issue 15):
# - a rule id made to forge samples (a quote, a brace, a newline) comes
#   out as one escaped label value, never as a sample of its own;
# - a flood of idle connections is capped (the daemon's descriptors do
#   not grow with it) and timed out, and /healthz answers afterwards.
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"
# shellcheck source=tests/e2e/daemon.bash
. "$(dirname "$0")/daemon.bash"
need_daemon_tools

mkdir -p "$TMP/rules"
cp "$RULES/Q324332.yaml" "$TMP/rules/"
sed 's/^id: Q247773$/id: "Q1\\"} 1\\nkbcorr_forged_total 1\\n#"/' "$RULES/Q247773.yaml" >"$TMP/rules/crafted.yaml"
grep -q '^id: "Q1' "$TMP/rules/crafted.yaml" || fail "the crafted rule id is in place"

mock_start 1 winlog:1 incidents:1
stories "$TMP/stories.jsonl"
produce_keyed winlog "$TMP/stories.jsonl"
cat >"$TMP/kbcorrd.yaml" <<YAML
rules: [$TMP/rules]
input: {topics: [winlog], group: metrics-hostile}
kafka: {bootstrap.servers: "$BOOTSTRAP"}
output: {kafka: incidents}
metrics: {listen: "127.0.0.1:0"}
YAML
daemon_start daemon "$TMP/kbcorrd.yaml"
wait_closed incidents 3 60 || fail "the stories' incidents" "3 closed" "$(cat "$TMP/daemon.err")"
grep -qF '"kb":{"id":"Q1\"} 1\nkbcorr_forged_total 1\n#"' "$TMP/wait.out" ||
        fail "an incident of the crafted rule" 'kb.id Q1"} 1...' "$(jq -r .kb.id "$TMP/wait.out")"
port=$(sed -n 's|.*metrics on http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' "$TMP/daemon.err")
sleep 0.5 # the page is rendered every 100 ms
curl -fsS "http://127.0.0.1:$port/metrics" >"$TMP/metrics.txt"
if grep -q '^kbcorr_forged_total' "$TMP/metrics.txt"; then
        fail "no forged sample" "" "$(grep -n forged "$TMP/metrics.txt")"
fi
grep -qF 'kbcorr_incidents_total{kb="Q1\"} 1\nkbcorr_forged_total 1\n#"} ' "$TMP/metrics.txt" ||
        fail "the crafted id as one escaped label" 'kb="Q1\"} 1\nkbcorr_forged_total 1\n#"' "$(grep incidents_total "$TMP/metrics.txt")"
echo "ok: a crafted rule id is one escaped label value"

# 200 idle connections.
before=$(ls "/proc/$DAEMON_PID/fd" | wc -l)
fds=()
for _ in $(seq 200); do
        exec {fd}<>"/dev/tcp/127.0.0.1/$port" || break
        fds+=("$fd")
done
sleep 1
during=$(ls "/proc/$DAEMON_PID/fd" | wc -l)
[ $((during - before)) -le 40 ] ||
        fail "idle connections capped" "at most 40 more descriptors" "$((during - before)) more ($before before)"
sleep 12 # past the idle timeout
open=0
for fd in "${fds[@]}"; do
        rc=0
        read -r -t 0.05 -u "$fd" _ || rc=$?
        [ "$rc" -gt 128 ] && open=$((open + 1)) # timed out: still open
        exec {fd}<&-
done
expect_eq "idle connections left open after the timeout" 0 "$open"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz")
expect_eq "/healthz after the flood" 200 "$code"
daemon_stop TERM 15
expect_rc daemon 0
echo "ok: 200 idle connections held at most $((during - before)) descriptors and were timed out"
