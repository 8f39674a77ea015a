#!/usr/bin/env bash
# Live monitoring (issue 14), on the mock cluster, with the curated rules'
# window cut to 10 s and a lateness of 2 s:
#  1. hosts whose symptom opens a case get an open incident within 5 s of
#     its production;
#  2. evidence that comes later and changes the winner re-emits the same
#     id, open, with the new winner and a higher event.sequence;
#  3. hosts that go quiet get their closed incident within window +
#     lateness + 5 s of wall clock after their last event, under the id of
#     their open states; a host that keeps logging closes on its own event
#     time;
#  4. the closed incidents are byte-identical to `kbcorr replay --kafka`
#     of the same topic, and `replay --open` gives the same open states;
#  5. /metrics has the time-to-alert histogram and the quiet closes.
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"
# shellcheck source=tests/e2e/daemon.bash
. "$(dirname "$0")/daemon.bash"
need_daemon_tools

mock_start 1 winlog:2 incidents:1
mkdir -p "$TMP/rules"
for f in "$RULES"/*.yaml; do
        sed 's/^window: 10m$/window: 10s/' "$f" >"$TMP/rules/$(basename "$f")"
done
grep -q '^window: 10s$' "$TMP/rules/Q247773.yaml" || fail "the test rules have a 10 s window"

# The seed story's events, moved to other hosts and times.
pick() { jq -c -n "first(inputs | select($1))" "$SCENARIOS"; }
popup=$(pick '.winlog.provider_name == "Application Popup" and .winlog.event_id == 26')
sa2037=$(pick '.winlog.event_id == 2037')
rr=$(pick '.winlog.event_id == 7036 and .winlog.event_data.param1 == "Remote Registry" and .winlog.event_data.param2 == "stopped"')
routine=$(jq -c -n 'first(inputs)' "$SCENARIOS")
for e in popup sa2037 rr routine; do [ -n "${!e}" ] || fail "seed event $e"; done
at() { # at EVENT HOST SECONDS: EVENT on HOST at 2024-03-20T10:00:00 + SECONDS
        jq -c --arg h "$2" --arg t "$(date -u -d "@$((1710928800 + $3))" +%Y-%m-%dT%H:%M:%S.000Z)" \
                '.host.name = $h | .winlog.computer_name = $h | .agent.hostname = $h | ."@timestamp" = $t' <<<"$1"
}
send() { produce_keyed winlog "$1"; }

cat >"$TMP/kbcorrd.yaml" <<YAML
rules: [$TMP/rules]
input:
  topics: [winlog]
  group: e2e-live-states
kafka:
  bootstrap.servers: "$BOOTSTRAP"
  session.timeout.ms: "6000"
correlation:
  lateness: 2s
output:
  kafka: incidents
metrics:
  listen: "127.0.0.1:0"
YAML
daemon_start live "$TMP/kbcorrd.yaml"
wait_log "$TMP/live.err" 'msg="assigned' 60 || fail "kbcorrd assigned within 60 s" "" "$(cat "$TMP/live.err")"

# state_of HOST STATE [KB]: the first incident of HOST in STATE (and
# naming KB) on the topic, or nothing.
state_of() {
        consume_all incidents "$TMP/now.jsonl"
        jq -c --arg h "$1" --arg s "$2" --arg kb "${3:-}" \
                'select((.host.name | ascii_downcase) == ($h | ascii_downcase) and .kbcorr.state == $s
                        and ($kb == "" or .kb.id == $kb))' "$TMP/now.jsonl" | head -n 1
}
# wait_state HOST STATE KB SECONDS: waits for it; prints the seconds taken.
wait_state() {
        local start=$SECONDS got
        while :; do
                got=$(state_of "$1" "$2" "$3")
                [ -n "$got" ] && { echo $((SECONDS - start)); return 0; }
                [ $((SECONDS - start)) -le "$4" ] || return 1
                sleep 0.25
        done
}

# 1. Three hosts show a symptom; QUIET and KEEPS get their evidence too.
{
        at "$popup" QUIET 0
        at "$sa2037" QUIET 2
        at "$popup" KEEPS 0
        at "$sa2037" KEEPS 2
        at "$popup" WINNER 0
} >"$TMP/first.jsonl"
send "$TMP/first.jsonl"
sent_first=$(date +%s.%N)
for h in QUIET KEEPS WINNER; do
        took=$(wait_state "$h" open "" 5) || fail "$h: an open incident within 5 s" "open" "$(cat "$TMP/now.jsonl")"
        echo "ok: $h open after ${took}s"
done
id_w=$(state_of WINNER open | jq -r .event.id)
kb_w=$(state_of WINNER open | jq -r .kb.id)
expect_eq "WINNER's first state, on the popup alone" Q247773 "$kb_w"

# 2. The Remote Registry stopped on WINNER: Q324332 now, the same id.
at "$rr" WINNER 3 >"$TMP/rr.jsonl"
send "$TMP/rr.jsonl"
wait_state WINNER open Q324332 5 >/dev/null || fail "WINNER re-emitted with the new winner within 5 s" "Q324332" "$(cat "$TMP/now.jsonl")"
later=$(state_of WINNER open Q324332)
expect_eq "the new winner's id" "$id_w" "$(jq -r .event.id <<<"$later")"
[ "$(jq -r .event.sequence <<<"$later")" -gt 1 ] || fail "a higher event.sequence" "> 1" "$later"
echo "ok: the late evidence re-emitted $id_w with Q324332"

# KEEPS goes on logging: its event time passes the window and the lateness.
for s in 5 10 15 20; do at "$routine" KEEPS "$s"; done >"$TMP/keeps.jsonl"
send "$TMP/keeps.jsonl"
wait_state KEEPS closed Q247773 10 >/dev/null || fail "KEEPS closed on its event time" "closed" "$(cat "$TMP/now.jsonl")"

# 3. QUIET and WINNER said nothing more: closed on the wall clock, not
#    before 10 s + 2 s after their last event and within 5 s more.
[ -z "$(state_of QUIET closed)" ] || fail "QUIET still open before window + lateness" "open"
wait_state QUIET closed Q247773 17 >/dev/null || fail "QUIET closed within 17 s" "closed" "$(cat "$TMP/now.jsonl")"
after=$(awk -v a="$sent_first" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
awk -v t="$after" 'BEGIN { exit !(t >= 12 && t <= 17.5) }' ||
        fail "QUIET closed window + lateness after its events, within 5 s" "12 to 17 s" "$after s"
echo "ok: QUIET closed ${after}s after its events were sent"
wait_state WINNER closed Q324332 17 >/dev/null || fail "WINNER closed within 17 s" "closed Q324332" "$(cat "$TMP/now.jsonl")"
expect_eq "WINNER's closed id" "$id_w" "$(state_of WINNER closed | jq -r .event.id)"

port=$(sed -n 's|.*metrics on http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' "$TMP/live.err")
sleep 1.5 # the page is rendered once a second
curl -fsS "http://127.0.0.1:$port/metrics" >"$TMP/metrics.txt" || fail "GET /metrics"
for want in "kbcorr_time_to_alert_seconds_count 3" 'kbcorr_time_to_alert_seconds_bucket{le="5"} 3' \
        "kbcorr_quiet_closes_total 2" 'kbcorr_event_time_lag_seconds{topic="winlog"'; do
        grep -qF "$want" "$TMP/metrics.txt" || fail "/metrics" "$want" "$(grep -E 'alert|quiet|lag' "$TMP/metrics.txt")"
done
echo "ok: /metrics counts the time to alert and the quiet closes"
daemon_stop TERM 15
expect_rc live 0

# 4. What is final equals a replay of the same topic, byte for byte; and
#    replay --open gives the open states kbcorrd sent.
consume_all incidents "$TMP/live.all"
closed_only "$TMP/live.all" "$TMP/live.closed"
run replay "$KBCORR" replay --rules "$TMP/rules" --lateness 2s --kafka "$BOOTSTRAP" --topic winlog
expect_rc replay 0
sort_incidents "$TMP/live.closed" "$TMP/live.sorted"
sort_incidents "$TMP/replay.out" "$TMP/replay.sorted"
expect_eq "closed incidents" 3 "$(count_lines "$TMP/live.sorted")"
cmp -s "$TMP/live.sorted" "$TMP/replay.sorted" ||
        fail "closed incidents live and replayed, byte for byte" "the same" "$(diff "$TMP/live.sorted" "$TMP/replay.sorted" | head -c 1500)"
run replay_open "$KBCORR" replay --open --rules "$TMP/rules" --lateness 2s --kafka "$BOOTSTRAP" --topic winlog
sort_incidents "$TMP/live.all" "$TMP/live.all.sorted"
sort_incidents "$TMP/replay_open.out" "$TMP/replay_open.sorted"
cmp -s "$TMP/live.all.sorted" "$TMP/replay_open.sorted" ||
        fail "every state live and replayed with --open" "the same" "$(diff "$TMP/live.all.sorted" "$TMP/replay_open.sorted" | head -c 1500)"
echo "ok: closed incidents byte-identical to replay; open states to replay --open"
