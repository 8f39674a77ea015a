#!/usr/bin/env bash
# kbcorrd's mapping files, zone and signals (issue 15):
# - mappings are read once at start: a broken one fails --check with
#   file:line (it used to dead-letter its format silently);
# - a SIGHUP with a broken mapping keeps the old rules and mappings, and
#   events of the mapped shape are still decoded;
# - input.utc_offset reads zone-less times as replay --utc-offset does;
# - a SIGHUP while the rules load at start does not kill the daemon.
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"
# shellcheck source=tests/e2e/daemon.bash
. "$(dirname "$0")/daemon.bash"
need_daemon_tools

cp "$KBC_SOURCE_DIR/examples/mappings/siem-export.yaml" "$TMP/map.yaml"
printf 'mappings:\n  broken:\n    detect: [a]\n    time: when\n    colour: red\n' >"$TMP/broken.yaml"

mock_start 1 winlog:1 incidents:1 dead:1
config() { # config MAPPING [EXTRA]
        cat <<YAML
rules: [$RULES]
mappings: [$1]
input: {topics: [winlog], group: mappings${2:+, utc_offset: "$2"}}
kafka: {bootstrap.servers: "$BOOTSTRAP"}
output: {kafka: incidents}
dead_letter: {kafka: dead}
metrics: {listen: "127.0.0.1:0"}
shutdown: {drain: 2s}
YAML
}

config "$TMP/broken.yaml" >"$TMP/broken-config.yaml"
run check "$KBCORRD" --config "$TMP/broken-config.yaml" --check
expect_rc check 2
grep -qF "broken.yaml:5: unknown key 'colour' in mapping" "$TMP/check.err" ||
        fail "--check reports the broken mapping" "broken.yaml:5: unknown key 'colour' in mapping" "$(cat "$TMP/check.err")"
config "$TMP/map.yaml" >"$TMP/good-config.yaml"
run check_good "$KBCORRD" --config "$TMP/good-config.yaml" --check
expect_rc check_good 0
echo "ok: --check reads the mappings and names a broken one's line"

# A record of the mapped shape (the SIEM export), an hour apart: two
# incidents once each case closes (the second's closes at the end).
own() { # own TIME
        printf '{"when":"%s","box":"MAIL-C.corp.example","log":"System","origin":"Application Popup","code":"26","sev":"Information","text":"Application popup: Microsoft Exchange Administrator : Extension '"'"'SMTP'"'"' could not be loaded.","args":["Microsoft Exchange Administrator"]}\n' "$1"
}
daemon_start live "$TMP/good-config.yaml"
wait_log "$TMP/live.err" 'msg="assigned' 60 || fail "kbcorrd assigned partitions" "" "$(cat "$TMP/live.err")"
own 2024-03-14T09:00:00.5Z >"$TMP/one.jsonl"
produce_keyed winlog "$TMP/one.jsonl"
cp "$TMP/broken.yaml" "$TMP/map.yaml"
kill -HUP "$DAEMON_PID"
wait_log "$TMP/live.err" 'old set keeps running' 10 ||
        fail "SIGHUP with a broken mapping rejected" "the old set keeps running" "$(cat "$TMP/live.err")"
grep -qF "map.yaml:5: unknown key 'colour' in mapping" "$TMP/live.err" ||
        fail "the reload names the broken line" "map.yaml:5: ..." "$(cat "$TMP/live.err")"
own 2024-03-14T10:00:00.5Z >"$TMP/two.jsonl"
produce_keyed winlog "$TMP/two.jsonl"
wait_closed incidents 1 60 || fail "the mapped record's incident after the rejected reload" "1 closed" "$(cat "$TMP/live.err")"
kill -0 "$DAEMON_PID" || fail "kbcorrd died on SIGHUP"
daemon_stop TERM 15
expect_rc live 0
consume_all dead "$TMP/dead.txt"
expect_eq "dead letters (the mapped shape still decoded)" 0 "$(count_lines "$TMP/dead.txt")"
echo "ok: a SIGHUP with a broken mapping keeps the old mappings running"

# input.utc_offset: an NXLog record with a zone-less EventTime, live at
# UTC+02:00 as replay --utc-offset +02:00 reads it.
cat >"$TMP/nxlog.jsonl" <<'JSON'
{"EventTime":"2024-03-14 11:00:00","Hostname":"MAIL-D.corp.example","EventID":26,"SourceName":"Application Popup","Channel":"System","RecordNumber":42,"Message":"Application popup: Microsoft Exchange Administrator : Extension 'SMTP' could not be loaded."}
{"EventTime":"2024-03-14 13:00:00","Hostname":"MAIL-D.corp.example","EventID":7036,"SourceName":"Service Control Manager","Channel":"System","RecordNumber":43,"Message":"The Print Spooler service entered the running state."}
JSON
run replay_tz "$KBCORR" replay --utc-offset +02:00 --rules "$RULES" "$TMP/nxlog.jsonl"
expect_rc replay_tz 0
want=$(jq -r '[.event.id, .event.start] | join(" ")' "$TMP/replay_tz.out")
[ -n "$want" ] || fail "replay raised the NXLog record's incident"
case "$want" in *T09:00:00.000Z) ;; *) fail "replay read the time at +02:00" "...T09:00:00.000Z" "$want" ;; esac
config "$KBC_SOURCE_DIR/examples/mappings/siem-export.yaml" +02:00 | sed 's/group: mappings/group: zone/' >"$TMP/zone.yaml"
produce_keyed winlog "$TMP/nxlog.jsonl"
daemon_start zone "$TMP/zone.yaml"
deadline=$((SECONDS + 60))
until consume_all incidents "$TMP/all.jsonl" &&
        jq -r 'select(.kbcorr.state == "closed" and .host.name == "MAIL-D.corp.example") | [.event.id, .event.start] | join(" ")' "$TMP/all.jsonl" | grep -q .; do
        [ $SECONDS -lt $deadline ] || fail "the NXLog record's incident, live" "$want" "$(cat "$TMP/zone.err")"
        sleep 0.5
done
got=$(jq -r 'select(.kbcorr.state == "closed" and .host.name == "MAIL-D.corp.example") | [.event.id, .event.start] | join(" ")' "$TMP/all.jsonl" | sort -u)
expect_eq "live input.utc_offset as replay --utc-offset" "$want" "$got"
daemon_stop TERM 15
echo "ok: input.utc_offset reads zone-less times as replay --utc-offset"

# A SIGHUP while the rules load: a rule folder big enough that loading
# takes a while, signalled from the moment the process exists.
mkdir -p "$TMP/many"
for i in $(seq 1 1500); do
        sed "s/^id: Q247773\$/id: Q247773-copy$i/" "$RULES/Q247773.yaml" >"$TMP/many/r$i.yaml"
done
grep -q '^id: Q247773-copy1$' "$TMP/many/r1.yaml" || fail "the copied rules carry new ids"
sed "s|rules: \[$RULES\]|rules: [$TMP/many]|; s/group: mappings/group: hup/" "$TMP/good-config.yaml" >"$TMP/hup.yaml"
cp "$KBC_SOURCE_DIR/examples/mappings/siem-export.yaml" "$TMP/map.yaml"
daemon_start hup "$TMP/hup.yaml"
# As soon as it catches SIGHUP (SigCgt bit 0), while the rules still load;
# kbcorrd itself, not the shell forked to run it, which may catch SIGHUP
# until its exec (under load the signal then came before kbcorrd's main).
deadline=$((SECONDS + 30))
until [ "$(cat "/proc/$DAEMON_PID/comm" 2>/dev/null)" = kbcorrd ] &&
        [ $((0x$(sed -n 's/^SigCgt:\t*//p' "/proc/$DAEMON_PID/status" 2>/dev/null || echo 0) & 1)) -eq 1 ]; do
        [ $SECONDS -lt $deadline ] || fail "kbcorrd catches SIGHUP from the start" "SigCgt with SIGHUP" "$(cat "/proc/$DAEMON_PID/status" 2>&1 | grep Sig)"
        sleep 0.005
done
kill -HUP "$DAEMON_PID"
if grep -q 'rules loaded' "$TMP/hup.err"; then
        fail "the SIGHUP arrives while the rules load" "no 'rules loaded' yet" "$(cat "$TMP/hup.err")"
fi
kill -HUP "$DAEMON_PID"
wait_log "$TMP/hup.err" 'msg="assigned' 60 || fail "kbcorrd survived SIGHUPs during start-up" "assigned" "$(tail -n 5 "$TMP/hup.err")"
kill -0 "$DAEMON_PID" || fail "kbcorrd died of a SIGHUP during start-up"
wait_log "$TMP/hup.err" 'SIGHUP: 1500 rules loaded' 60 ||
        fail "the SIGHUP of start-up reloads once the loop runs" "SIGHUP: 1500 rules loaded" "$(tail -n 5 "$TMP/hup.err")"
daemon_stop TERM 15
expect_rc hup 0
echo "ok: SIGHUPs during start-up are a reload, not a death"
