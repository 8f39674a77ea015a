#!/usr/bin/env bash
# Live and replay give the same incidents (SPEC.md §2, issue 7): a stream
# of 24 hosts whose events come out of order (within the allowed
# lateness) is consumed live by kbcorrd from the mock cluster, then
#  1. replayed from the same topic with kbcorr replay --kafka, while
#     kbcorrd runs and even under its group id: every byte of every
#     incident is the same, and kbcorrd keeps its partitions;
#  2. replayed from files: as one file, split in two by host and given in
#     both orders, and shuffled differently: the same incidents except
#     for the evidence origins (file:line, not topic/partition@offset;
#     docs/decisions.md).
# Incidents are compared sorted by event.id (and event.sequence).
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"
# shellcheck source=tests/e2e/daemon.bash
. "$(dirname "$0")/daemon.bash"
need_daemon_tools

mock_start 3 winlog:4 incidents:1

# shuffle SEED IN OUT: IN in event-time order, then each event moved
# later by up to 30 s (half the default lateness of 1m), one shift per
# distinct time so that a host's events of the same millisecond keep
# their order (the engine orders those by arrival).
shuffle() {
        jq -c -s 'sort_by(."@timestamp") | .[]' "$2" |
                perl -MTime::Local=timegm -ne '
                BEGIN { srand(shift @ARGV) }
                my ($y, $mo, $d, $h, $mi, $s, $ms) = /"\@timestamp":"(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)\.(\d+)Z"/ or die "no time: $_";
                my $t = timegm($s, $mi, $h, $d, $mo - 1, $y) * 1000 + $ms;
                $shift{$t} //= int(rand(30000));
                push @lines, [$t + $shift{$t}, $_];
                END { print map { $_->[1] } sort { $a->[0] <=> $b->[0] } @lines }' "$1" >"$3"
}

make_stream 3000 4 "$TMP/stream.jsonl"
shuffle 1 "$TMP/stream.jsonl" "$TMP/live.jsonl"
shuffle 2 "$TMP/stream.jsonl" "$TMP/other.jsonl"
inversions=$(jq -r '."@timestamp"' "$TMP/live.jsonl" | awk 'NR > 1 && $0 < prev { n++ } { prev = $0 } END { print n + 0 }')
[ "$inversions" -ge 100 ] || fail "events out of order in the live stream" "100 or more" "$inversions"
cmp -s "$TMP/live.jsonl" "$TMP/other.jsonl" && fail "the two shuffles differ"

# Half the hosts in one file, half in the other.
jq -r '.winlog.computer_name | ascii_downcase' "$TMP/live.jsonl" | sort -u | awk 'NR % 2' >"$TMP/hosts.a"
jq -c --rawfile a "$TMP/hosts.a" 'select(.winlog.computer_name | ascii_downcase | IN($a | split("\n")[]))' "$TMP/live.jsonl" >"$TMP/a.jsonl"
jq -c --rawfile a "$TMP/hosts.a" 'select(.winlog.computer_name | ascii_downcase | IN($a | split("\n")[]) | not)' "$TMP/live.jsonl" >"$TMP/b.jsonl"
expect_eq "events split in two files" "$(count_lines "$TMP/live.jsonl")" \
        "$(($(count_lines "$TMP/a.jsonl") + $(count_lines "$TMP/b.jsonl")))"

run file "$KBCORR" replay --rules "$RULES" "$TMP/live.jsonl"
expect_rc file 0
expected=$(count_lines "$TMP/file.out")
[ "$expected" -ge 50 ] || fail "incidents in the stream" "50 or more" "$expected"

produce_keyed winlog "$TMP/live.jsonl"
cat >"$TMP/kbcorrd.yaml" <<YAML
rules: [$RULES]
input:
  topics: [winlog]
  group: e2e-live
kafka:
  bootstrap.servers: "$BOOTSTRAP"
  session.timeout.ms: "6000"
output:
  kafka: incidents
metrics:
  listen: "off"
YAML
daemon_start live "$TMP/kbcorrd.yaml"
if ! wait_closed incidents "$expected" 90; then
        show_file "kbcorrd stderr" "$TMP/live.err"
        fail "incidents on the topic within 90 s" "$expected" "$(count_lines "$TMP/wait.out")"
fi
# 1. From the same topic, beside the live group: assign, never join.
run kafka "$KBCORR" replay --rules "$RULES" --kafka "$BOOTSTRAP" --topic winlog -X group.id=e2e-live
expect_rc kafka 0
sleep 1 # a rebalance it caused would show by now
if grep -q 'msg="revoked' "$TMP/live.err"; then
        show_file "kbcorrd stderr" "$TMP/live.err"
        fail "kbcorrd keeps its partitions during the replay" "no revocation"
fi
daemon_stop TERM 15
expect_rc live 0
consume_closed incidents "$TMP/live.out"
expect_eq "incidents kbcorrd emitted" "$expected" "$(count_lines "$TMP/live.out")"
sort_incidents "$TMP/live.out" "$TMP/live.sorted"
grep -q '"origin":"winlog/[0-3]@[0-9]*"' "$TMP/live.sorted" ||
        fail "Kafka origins in kbcorrd's evidence" "winlog/P@OFFSET" "$(head -c 600 "$TMP/live.sorted")"
sort_incidents "$TMP/kafka.out" "$TMP/kafka.sorted"
cmp -s "$TMP/live.sorted" "$TMP/kafka.sorted" ||
        fail "kbcorr replay --kafka against kbcorrd live, byte for byte" "the same" "$(diff "$TMP/live.sorted" "$TMP/kafka.sorted" | head -c 6000)"
echo "ok: $expected incidents, kbcorrd live and kbcorr replay --kafka byte-identical; the live group undisturbed"

# 2. From files in other orders: every byte but the evidence origins; a
#    host's events in another order may take its case through other open
#    states, so for the reshuffled file event.sequence is set aside too.
blank_origins "$TMP/live.sorted" "$TMP/live.blank"
blank_sequences() { perl -pe 's/"sequence":[0-9]+/"sequence":0/' "$1" >"$2"; }
blank_sequences "$TMP/live.blank" "$TMP/live.noseq"
check_files() {
        local name=$1 want=$2
        shift 2
        run "$name" "$KBCORR" replay --rules "$RULES" "$@"
        expect_rc "$name" 0
        blank_origins "$TMP/$name.out" "$TMP/$name.blank"
        [ "$want" = "$TMP/live.noseq" ] && blank_sequences "$TMP/$name.blank" "$TMP/$name.blank2" &&
                mv "$TMP/$name.blank2" "$TMP/$name.blank"
        sort_incidents "$TMP/$name.blank" "$TMP/$name.sorted"
        cmp -s "$want" "$TMP/$name.sorted" ||
                fail "file replay ($name) against kbcorrd live, origins aside" "the same" "$(diff "$want" "$TMP/$name.sorted" | head -c 6000)"
}
check_files whole "$TMP/live.blank" "$TMP/live.jsonl"
check_files split_ab "$TMP/live.blank" "$TMP/a.jsonl" "$TMP/b.jsonl"
check_files split_ba "$TMP/live.blank" "$TMP/b.jsonl" "$TMP/a.jsonl"
check_files reshuffled "$TMP/live.noseq" "$TMP/other.jsonl"
echo "ok: file replays (whole, split by host in both orders, shuffled otherwise) give the same incidents, origins aside"
