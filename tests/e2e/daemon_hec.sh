#!/usr/bin/env bash
# The Splunk HEC sink (issue 17) against the test receiver
# (tests/tools/hec_receiver.c, the documented protocol; no real Splunk):
# 1. the seed incidents arrive through HEC exactly as the file sink writes
#    them, in Splunk's envelope, in batches, while acks come late and
#    only to the sticky session's cookie;
# 2. acks that never come true: the batches go again, nothing is lost;
# 3. 503s: retried with backoff;
# 4. a refused token: the items are held, the partition stops, /healthz
#    says 503, the refusal is logged once; a restart with the right token
#    delivers every incident (the offsets were held).
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"
# shellcheck source=tests/e2e/daemon.bash
. "$(dirname "$0")/daemon.bash"
need_daemon_tools

# demo NAME ", MORE": the mock demo over the seed scenarios, to a file
# and to HEC at $HEC_URL; exits when done.
demo() {
        mock_demo_config "  file: $TMP/$1.file
  hec: {url: $HEC_URL, token: t0ken, index: soc, ack_poll: 100ms $2}" >"$TMP/$1.yaml"
        run "$1" "$KBCORRD" --config "$TMP/$1.yaml"
        expect_rc "$1" 0
}

# same_incidents NAME: what HEC indexed is what the file sink wrote, each
# incident state once (ids and sequences; whole objects compared).
same_incidents() {
        jq -cS . "$TMP/$1.file" | sort >"$TMP/$1.want"
        jq -cS .event "$TMP/$1.events" | sort >"$TMP/$1.got" ||
                fail "HEC events are JSON envelopes" "" "$(head -c 600 "$TMP/$1.events")"
        n=$(count_lines "$TMP/$1.want")
        [ "$n" -ge 3 ] || fail "incidents written to the file" "at least 3" "$n"
        cmp -s "$TMP/$1.want" "$TMP/$1.got" ||
                fail "$1: the incidents indexed through HEC" "$(cat "$TMP/$1.want" | jq -r '"\(.event.id) \(.event.sequence)"')" \
                        "$(jq -r '"\(.event.id) \(.event.sequence)"' "$TMP/$1.got")"
}

# 1. Acks come 400 ms after each POST (polled every 100 ms), and each POST
# is answered 200 ms late: events gather into batches meanwhile. The ack
# polls must carry the load balancer's cookie (a sticky session).
hec_start late --ack-delay-ms 400 --response-delay-ms 200 --sticky
demo late ""
hec_stop
same_incidents late
grep -q 'ack: [0-9]* asked, 0 true' "$TMP/late.hec" ||
        fail "acks polled before they were true" "an ack poll answered false" "$(cat "$TMP/late.hec")"
if grep -vqE '^\{"time":[0-9]{10}\.[0-9]{3},' "$TMP/late.events"; then
        fail "HEC time in epoch seconds with milliseconds" '{"time":1710407647.803,...' "$(grep -vE '^\{"time":[0-9]{10}\.[0-9]{3},' "$TMP/late.events" | head -c 300)"
fi
jq -e -s 'all(.[]; .host == .event.host.name and .source == "kbcorrd" and .sourcetype == "kbcorr:ecs"
        and .index == "soc" and .fields.kbcorr_id == .event.event.id
        and .fields.kbcorr_sequence == .event.event.sequence)' "$TMP/late.events" >/dev/null ||
        fail "the HEC envelope" "host, source, sourcetype, index, fields" \
                "$(head -n 1 "$TMP/late.events")"
batch=$(sed -n 's/.* events=\([0-9]*\) .*/\1/p' "$TMP/late.hec" | sort -n | tail -n 1)
[ "$batch" -ge 2 ] || fail "several events in one POST" "a batch of 2 or more" "$(cat "$TMP/late.hec")"
echo "ok: $n incident states through HEC (up to $batch a POST), equal to the file sink's, acks 400 ms late"

# 2. The first two ackIds never come true (their events are never indexed).
hec_start lost --lose-acks 2
demo lost ", ack_timeout: 1s"
hec_stop
same_incidents lost
grep -q 'not true after 1000 ms: sending its' "$TMP/lost.err" ||
        fail "lost acks logged and their batches sent again" "" "$(cat "$TMP/lost.err")"
echo "ok: two lost acks, their batches sent again, nothing lost"

# 3. The first three POSTs answer 503.
hec_start busy --unavailable 3
demo busy ""
hec_stop
same_incidents busy
grep -q 'HTTP 503' "$TMP/busy.err" || fail "the 503 logged" "" "$(cat "$TMP/busy.err")"
echo "ok: three 503s retried with backoff"

# 4. A token the collector refuses, then the right one.
mock_start 1 winlog:1
stories "$TMP/input.jsonl"
produce_keyed winlog "$TMP/input.jsonl"
hec_start refused
refused_config() { # refused_config TOKEN
        cat <<YAML
rules: [$RULES]
input: {topics: [winlog], group: e2e-hec}
kafka: {bootstrap.servers: "$BOOTSTRAP", session.timeout.ms: "6000"}
output:
  file: $TMP/refused.file
  hec: {url: $HEC_URL, token: $1, ack_poll: 100ms}
metrics: {listen: "127.0.0.1:0"}
shutdown: {drain: 2s}
YAML
}
refused_config wrong >"$TMP/wrong.yaml"
daemon_start wrong "$TMP/wrong.yaml"
wait_log "$TMP/wrong.err" 'cannot be delivered' 60 ||
        fail "the refused incidents logged" "cannot be delivered" "$(cat "$TMP/wrong.err")"
sleep 1
port=$(sed -n 's|.*metrics on http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' "$TMP/wrong.err")
code=$(curl -s -o "$TMP/healthz" -w '%{http_code}' "http://127.0.0.1:$port/healthz")
expect_eq "/healthz while HEC refuses" "503 sink failing: $HEC_URL" "$code $(cat "$TMP/healthz")"
expect_eq "the collector's refusal logged once" 1 "$(grep -c 'refused: HTTP 403' "$TMP/wrong.err")"
grep -q 'winlog\[0\] stops at offset' "$TMP/wrong.err" || fail "the partition stopped" "" "$(cat "$TMP/wrong.err")"
daemon_stop TERM 30
expect_eq "events indexed with a wrong token" 0 "$(count_lines "$TMP/refused.events")"
refused_config t0ken >"$TMP/right.yaml"
daemon_start right "$TMP/right.yaml"
deadline=$((SECONDS + 60))
until [ "$(jq -r 'select(.event.kbcorr.state == "closed") | .event.event.id' "$TMP/refused.events" | sort -u | wc -l)" -ge 3 ]; do
        [ $SECONDS -lt $deadline ] || fail "the held incidents delivered after a restart" "3 closed incidents" "$(cat "$TMP/right.err")"
        sleep 0.5
done
daemon_stop TERM 30
expect_rc right 0
echo "ok: a refused token holds the incidents (partition stopped, /healthz 503); a restart with the right one delivers all 3"
