#!/usr/bin/env bash
# kbcorr replay --kafka over a time range (issue 7), on the mock cluster,
# whose time index always answers -1, so the offsets come by bisection:
#  1. message timestamps equal to event times, in order: with
#     --ts-slack 0 each partition reads exactly the events in
#     [--from, --to) (an event at --from is in, one at --to is out), and
#     both bounds are found by bisection;
#  2. the same with the default slack: more is read, the same events are
#     kept, the incidents are those of a file replay of the same range;
#  3. timestamps off their event times by up to 5 minutes either way, so
#     out of order: with --ts-slack 10m the events kept are still exact;
#     with --ts-slack 1m the replay warns that the slack is too small;
#  4. errors are one line naming the topic or partition, exit 2; a topic
#     that does not exist is not created by asking for it;
#  5. nothing is committed: a consumer of the group id the replay was
#     given still starts from the beginning.
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"
# shellcheck source=tests/e2e/daemon.bash
. "$(dirname "$0")/daemon.bash"
need_daemon_tools

mock_start 1 exact:4 jitter:4

# Six days of the seed stories on 24 hosts, in event-time order, as
# forwarders that each send what their host logs would produce them.
make_stream 2000 4 "$TMP/stream.raw"
jq -c -s 'sort_by(."@timestamp") | .[]' "$TMP/stream.raw" >"$TMP/stream.jsonl"
produce_timed exact "$TMP/stream.jsonl"
produce_timed jitter "$TMP/stream.jsonl" 300000

# The range runs from one event's time to another's, so both bounds fall
# on events.
from=$(jq -r -s '.[700]."@timestamp"' "$TMP/stream.jsonl")
to=$(jq -r -s '.[1400]."@timestamp"' "$TMP/stream.jsonl")
inside=$(jq -r --arg f "$from" --arg t "$to" 'select(."@timestamp" >= $f and ."@timestamp" < $t) | 1' "$TMP/stream.jsonl" | wc -l)
at_to=$(jq -r --arg t "$to" 'select(."@timestamp" == $t) | 1' "$TMP/stream.jsonl" | wc -l)
[ "$inside" -ge 600 ] && [ "$at_to" -ge 1 ] || fail "the test range" "600+ events inside, one at --to" "$inside inside, $at_to at --to"

# kept NAME: events the engine kept (read minus filtered) over all
# partitions of the last --stats run; READ: messages read.
kept() {
        read -r READ KEPT < <(awk '/^messages / { gsub(",", ""); r += $2; k += $2 - $5 - $7 }
                END { print r + 0, k + 0 }' "$TMP/$1.err")
}

# 1. Exact timestamps, no slack: the search itself is exact.
run exact0 "$KBCORR" replay --rules "$RULES" --kafka "$BOOTSTRAP" --topic exact \
        --from "$from" --to "$to" --ts-slack 0 --stats -X group.id=replay-probe
expect_rc exact0 0
kept exact0
expect_eq "events kept with exact timestamps and no slack" "$inside" "$KEPT"
expect_eq "messages read with exact timestamps and no slack" "$inside" "$READ"
expect_eq "partitions searched by bisection, both bounds" 4 \
        "$(grep -c '^exact/[0-3]: offsets .*start by bisection ([0-9]* reads), end by bisection' "$TMP/exact0.err")"
grep -q '^exact/[0-3]: offsets \[[1-9]' "$TMP/exact0.err" ||
        fail "the search skips the start of a partition" "a start offset above 0" "$(grep offsets "$TMP/exact0.err")"
echo "ok: --ts-slack 0 reads exactly the $inside events of [$from, $to), bounds by bisection"

# 2. The default slack reads more and keeps the same; the incidents are
# a file replay's of the same range, origins aside.
run exact "$KBCORR" replay --rules "$RULES" --kafka "$BOOTSTRAP" --topic exact \
        --from "$from" --to "$to" --stats
expect_rc exact 0
kept exact
expect_eq "events kept with the default slack" "$inside" "$KEPT"
[ "$READ" -gt "$inside" ] || fail "the default slack reads beyond the range" "more than $inside" "$READ"
run file "$KBCORR" replay --rules "$RULES" --from "$from" --to "$to" "$TMP/stream.jsonl"
expect_rc file 0
[ "$(count_lines "$TMP/file.out")" -ge 10 ] || fail "incidents in the range" "10 or more" "$(count_lines "$TMP/file.out")"
grep -q '"origin":"exact/[0-3]@[0-9]*"' "$TMP/exact.out" || fail "Kafka origins in the evidence" "exact/P@OFFSET" "$(head -c 600 "$TMP/exact.out")"
for f in exact file; do
        blank_origins "$TMP/$f.out" "$TMP/$f.blank"
        sort_incidents "$TMP/$f.blank" "$TMP/$f.sorted"
done
diff "$TMP/file.sorted" "$TMP/exact.sorted" >/dev/null ||
        fail "incidents of the Kafka range against a file replay's" "the same" "$(diff "$TMP/file.sorted" "$TMP/exact.sorted" | head -c 1500)"
echo "ok: the default slack read $READ messages, kept the same $inside events; $(count_lines "$TMP/file.out") incidents as from the file"

# 3. Timestamps off by up to 5 minutes: out of order by up to 10.
run jitter "$KBCORR" replay --rules "$RULES" --kafka "$BOOTSTRAP" --topic jitter \
        --from "$from" --to "$to" --ts-slack 10m --stats
expect_rc jitter 0
kept jitter
expect_eq "events kept with timestamps out of order" "$inside" "$KEPT"
expect_eq "partitions of the jittered topic searched by bisection" 4 \
        "$(grep -c '^jitter/[0-3]: .*start by bisection.*end by bisection' "$TMP/jitter.err")"
blank_origins "$TMP/jitter.out" "$TMP/jitter.blank"
sort_incidents "$TMP/jitter.blank" "$TMP/jitter.sorted"
diff "$TMP/file.sorted" "$TMP/jitter.sorted" >/dev/null ||
        fail "incidents of the jittered topic against a file replay's" "the same" "$(diff "$TMP/file.sorted" "$TMP/jitter.sorted" | head -c 1500)"
grep -q 'stray' "$TMP/exact0.err" "$TMP/exact.err" "$TMP/jitter.err" &&
        fail "no slack warning where timestamps keep to the slack" "" "$(grep -h stray "$TMP"/*.err)"
echo "ok: timestamps 5 minutes off, --ts-slack 10m: the same $inside events and incidents"

run jitter1m "$KBCORR" replay --rules "$RULES" --kafka "$BOOTSTRAP" --topic jitter \
        --from "$from" --to "$to" --ts-slack 1m
expect_rc jitter1m 0
expect_eq "partitions warning that timestamps stray beyond --ts-slack 1m" 4 \
        "$(grep -c '^kbcorr replay: jitter/[0-3]: [0-9]* message timestamps stray .* by more than --ts-slack .*raise --ts-slack$' "$TMP/jitter1m.err")"
echo "ok: with --ts-slack 1m each partition warns that the slack is too small"

# 4. Errors.
kafka_error() {
        local name=$1 needle=$2
        shift 2
        run "$name" "$KBCORR" replay --rules "$RULES" "$@"
        expect_rc "$name" 2
        [ "$(count_lines "$TMP/$name.err")" -eq 1 ] && grep -qF -- "$needle" "$TMP/$name.err" ||
                fail "$name: one error line naming '$needle'" "$needle" "$(cat "$TMP/$name.err")"
}
kafka_error unknown_topic "topic no-such-topic: " --kafka "$BOOTSTRAP" --topic no-such-topic
kcat -L -b "$BOOTSTRAP" | grep -q no-such-topic && fail "asking for an unknown topic created it"
kafka_error no_partition "topic exact has no partition 9 (it has 4)" --kafka "$BOOTSTRAP" --topic exact --partition 9
kafka_error bad_property "Kafka property no.such.property" --kafka "$BOOTSTRAP" --topic exact -X no.such.property=1
kafka_error no_brokers "--topic needs --kafka" --topic exact
kafka_error files_too "files or --kafka, not both" --kafka "$BOOTSTRAP" --topic exact "$TMP/stream.jsonl"
echo "ok: Kafka errors are one line naming the topic or partition, exit 2"

# 5. A consumer in the group the replay named reads everything: the
# replay committed no offset (kcat commits its own, so this runs once).
timeout 60 kcat -b "$BOOTSTRAP" -G replay-probe exact -X auto.offset.reset=earliest -e -q >"$TMP/probe.out" 2>"$TMP/probe.err" || true
expect_eq "messages a consumer of the replay's group id reads (nothing committed)" \
        "$(count_lines "$TMP/stream.jsonl")" "$(count_lines "$TMP/probe.out")"
echo "ok: the replay committed nothing for its group id"
