#!/usr/bin/env bash
# A flood of hosts against the engine's byte budget (issue 15): 8,000
# matching events, each from a new 200-byte host name, some of them with a
# newline and a forged log record in the name, times a century ahead.
# With correlation.max_memory_bytes at 1 MiB, the engines stay under it
# (kbcorr_engine_bytes), evict and count (kbcorr_evicted_for_memory_total),
# say so through the daemon's logger (every stderr line one record), and
# the daemon keeps running.
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"
# shellcheck source=tests/e2e/daemon.bash
. "$(dirname "$0")/daemon.bash"
need_daemon_tools

mock_start 1 winlog:2 incidents:1
jq -c -n 'first(inputs | select(.winlog.provider_name == "Application Popup"))
          | {"@timestamp", message, winlog: {provider_name: .winlog.provider_name, channel: .winlog.channel,
             event_id: .winlog.event_id, computer_name: .winlog.computer_name, event_data: .winlog.event_data}}' \
        "$SCENARIOS" >"$TMP/popup.json"
perl -e '
my $line = <STDIN>;
chomp $line;
for my $i (1 .. 8000) {
        my $h = sprintf("flood-%05d-", $i) . ("x" x 188);
        $h = sprintf("evil-%05d\\nts=forged level=error msg=\\\"pwned\\\" ", $i) . ("y" x 160) if $i % 1000 == 0;
        my $l = $line;
        $l =~ s/"computer_name":"[^"]*"/"computer_name":"$h"/;
        $l =~ s/"\@timestamp":"[^"]*"/"\@timestamp":"2124-03-14T09:00:00.000Z"/;
        print "$l\n";
}' <"$TMP/popup.json" >"$TMP/flood.jsonl"
expect_eq "flood events" 8000 "$(count_lines "$TMP/flood.jsonl")"
awk '{ printf "k%d\t%s\n", NR, $0 }' "$TMP/flood.jsonl" | kcat -P -b "$BOOTSTRAP" -t winlog -K '\t' -z none ||
        fail "kcat produced the flood"

cat >"$TMP/kbcorrd.yaml" <<YAML
rules: [$RULES]
input: {topics: [winlog], group: memory}
kafka: {bootstrap.servers: "$BOOTSTRAP"}
output: {kafka: incidents}
correlation: {max_memory_bytes: 1048576}
metrics: {listen: "127.0.0.1:0"}
YAML
daemon_start daemon "$TMP/kbcorrd.yaml"
wait_log "$TMP/daemon.err" 'msg="assigned' 60 || fail "kbcorrd assigned partitions" "" "$(cat "$TMP/daemon.err")"
port=$(sed -n 's|.*metrics on http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' "$TMP/daemon.err")
deadline=$((SECONDS + 90))
until curl -fsS "http://127.0.0.1:$port/metrics" >"$TMP/metrics.txt" &&
        grep -q '^kbcorr_messages_total 8000$' "$TMP/metrics.txt"; do
        [ $SECONDS -lt $deadline ] || fail "the flood consumed" "kbcorr_messages_total 8000" "$(grep messages_total "$TMP/metrics.txt")"
        sleep 0.5
done
sleep 0.3
curl -fsS "http://127.0.0.1:$port/metrics" >"$TMP/metrics.txt"
bytes=$(sed -n 's/^kbcorr_engine_bytes //p' "$TMP/metrics.txt")
evicted=$(sed -n 's/^kbcorr_evicted_for_memory_total //p' "$TMP/metrics.txt")
[ -n "$bytes" ] && [ "$bytes" -le $((2 * 1048576)) ] ||
        fail "two engines under their 1 MiB budgets" "<= 2097152 bytes" "${bytes:-none}"
[ -n "$evicted" ] && [ "$evicted" -gt 0 ] || fail "hosts evicted for memory" "> 0" "${evicted:-none}"
kill -0 "$DAEMON_PID" || fail "kbcorrd died in the flood"
daemon_stop TERM 15
expect_rc daemon 0
grep -q 'memory budget' "$TMP/daemon.err" || fail "the budget logged" "memory budget ..." "$(tail -n 5 "$TMP/daemon.err")"
if grep -v '^ts=' "$TMP/daemon.err" | grep -q .; then
        fail "every stderr line one log record (host names escaped)" "" "$(grep -v '^ts=' "$TMP/daemon.err" | head -n 3)"
fi
if grep -q '^ts=forged' "$TMP/daemon.err"; then fail "no forged log record"; fi
echo "ok: 8,000 hosts held in $bytes bytes under 2 x 1 MiB, $evicted evicted for memory, logged escaped"
