#!/usr/bin/env bash
# bench_daemon.sh - kbcorrd end to end on Kafka beside kcat (issue 6):
# the real captures of ../shared/data/events, repeated COPIES times, are
# produced by kcat into a mock cluster (tests/tools/mock_cluster, a
# process of its own) while, in turn, kcat consumes them to /dev/null and
# kbcorrd (all of its pipeline: decode, match, correlate, offsets)
# consumes them. Each consumer is timed from the first message produced
# to the last one consumed; producing and consuming run concurrently, as
# the mock keeps only about 5 MB a partition. Prints a markdown table.
#
#   bench/bench_daemon.sh BUILD_DIR [COPIES] [RULES_DIR]
#
# RULES_DIR defaults to rules/curated; pass the compiled corpus to measure
# with every rule. The topic has 64 partitions and messages are keyed by
# line number (spread over all of them): the throughput, not the
# verdicts, is measured here. At 2 copies (83,262 events, 220 MB) a partition holds
# about 3.4 MB, under the mock's retention, so a consumer that falls
# behind is slower, not lossy. Use a build without sanitizers.
set -euo pipefail

usage="usage: bench_daemon.sh BUILD_DIR [COPIES] [RULES_DIR]"
build=${1:?$usage}
copies=${2:-2}
NAME=bench_daemon.sh
BENCH=$build/kbcorrd
# shellcheck source=bench/lib.bash
. "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
rules=${3:-$repo/rules/curated}
mock=$build/tests/mock_cluster
[[ -x $mock ]] || die "no $mock; build the tests too"
for t in kcat curl; do
	command -v "$t" >/dev/null || die "$t not found (Debian package: $t)"
done

input=$tmp/input.jsonl
for f in "${files[@]}"; do
	decompress "$f"
done
for ((c = 0; c < copies; c++)); do
	for f in "${files[@]}"; do
		awk 'length' "$tmp/$f.jsonl"
	done
done >"$input"
n=$(wc -l <"$input")
mb=$(($(stat -c %s "$input") / 1000000))
echo "$NAME: $n events ($mb MB)" >&2

mkfifo "$tmp/mock.in"
"$mock" 1 kcat_topic:64 kbcorrd_topic:64 incidents:1 <"$tmp/mock.in" >"$tmp/mock.out" 2>"$tmp/mock.err" &
mock_pid=$!
exec 7>"$tmp/mock.in"
trap 'kill $mock_pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do
	bootstrap=$(head -n 1 "$tmp/mock.out" 2>/dev/null || true)
	[[ -n $bootstrap ]] && break
	sleep 0.1
done
[[ -n $bootstrap ]] || die "the mock cluster did not start"

now() { echo "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
# keyed by line number: unkeyed, librdkafka's sticky partitioner fills one
# partition at a time, past the mock's retention
produce() { kcat -P -b "$bootstrap" -t "$1" -z none -K '\t' <"$tmp/keyed"; }
awk '{ print NR "\t" $0 }' "$input" >"$tmp/keyed"

# kcat: consume everything to /dev/null while it is produced.
timeout 600 kcat -C -b "$bootstrap" -t kcat_topic -o beginning -c "$n" -q -f '%s\n' >/dev/null &
consumer=$!
sleep 1 # its fetchers are up before the first message
t0=$(now)
produce kcat_topic
wait $consumer || die "kcat did not consume all $n messages (the mock's retention dropped some?)"
kcat_s=$(since "$t0")

# kbcorrd: the same stream; done when /metrics counts every message.
cat >"$tmp/kbcorrd.yaml" <<YAML
rules: [$rules]
input: {topics: [kbcorrd_topic], group: bench}
kafka: {bootstrap.servers: "$bootstrap"}
output: {kafka: incidents}
metrics: {listen: "127.0.0.1:0"}
YAML
"$BENCH" --config "$tmp/kbcorrd.yaml" >"$tmp/kbcorrd.out" 2>"$tmp/kbcorrd.err" &
daemon=$!
port=
for _ in $(seq 600); do
	port=$(sed -n 's|.*metrics on http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' "$tmp/kbcorrd.err")
	[[ -n $port ]] && grep -q 'msg="assigned' "$tmp/kbcorrd.err" && break
	sleep 0.1
done
[[ -n $port ]] || die "kbcorrd did not start: $(tail -3 "$tmp/kbcorrd.err")"
sleep 1
# Polled with bash builtins only (/dev/tcp, read -t as the pause): a
# curl, awk and sleep every few milliseconds would take CPU from the
# processes being measured, on a 2-core machine a noticeable share.
mkfifo "$tmp/pause"
exec 8<>"$tmp/pause"
got=0
consumed() { # into $got
	local line
	exec 9<>"/dev/tcp/127.0.0.1/$port" || return 0
	printf 'GET /metrics HTTP/1.0\r\n\r\n' >&9
	while IFS= read -r line <&9; do
		[[ $line == "kbcorr_messages_total "* ]] && got=${line#* }
	done
	exec 9<&-
}
t0=$(now)
produce kbcorrd_topic &
producer=$!
deadline=$((SECONDS + 600))
while :; do
	consumed
	((got >= n)) && break
	((SECONDS < deadline)) || die "kbcorrd consumed $got of $n in 600 s"
	read -r -t 0.02 -u 8 || true
done
kbcorrd_s=$(since "$t0")
wait $producer
awk "{ print \"kbcorrd cpu: user \" \$14/100 \" s, sys \" \$15/100 \" s\" }" /proc/$daemon/stat >&2
kill -TERM $daemon
wait $daemon || die "kbcorrd exited with $?"
# The page is rendered once a second: up to 1 s of kbcorrd's time is the
# metrics' staleness, so its rate here is a lower bound.

echo "| consumer | events | MB | seconds | events/s | MB/s | vs kcat |"
echo "|---|--:|--:|--:|--:|--:|--:|"
awk -v n="$n" -v mb="$mb" -v k="$kcat_s" -v d="$kbcorrd_s" 'BEGIN {
	printf "| kcat to /dev/null | %d | %d | %.2f | %.0f | %.0f | 100%% |\n", n, mb, k, n / k, mb / k
	printf "| kbcorrd (%s) | %d | %d | %.2f | %.0f | %.0f | %.0f%% |\n", "'"$(basename "$rules")"'", n, mb, d, n / d, mb / d, 100 * k / d
}'
