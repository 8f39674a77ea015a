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
#   bench/bench_daemon.sh BUILD_DIR [COPIES] [RULES_DIR] [ROUNDS]
#
# Each of ROUNDS rounds (default 5) times both consumers on fresh topics;
# the table gives the median round of each. The mock holds an empty fetch
# for its whole fetch.wait.max.ms instead of answering when data comes (a
# broker answers at once), so a consumer that catches up with the producer
# waits that long for its next data: at librdkafka's default of 500 ms,
# rounds of one build varied from 0.8 to 1.6 s. Both consumers therefore
# fetch with FETCH_WAIT_MS (default 10), the same setting for both.
#
# A third row times `kbcorr replay` over the same events in a file.
# WORKERS=N in the environment sets kbcorrd's pipeline threads (default:
# one per core).
# RULES_DIR defaults to rules/curated; pass the compiled corpus to measure
# with every rule. The topic has 64 partitions and messages are keyed by
# line number (spread over all of them): the throughput, not the
# verdicts, is measured here. At 2 copies (83,262 events, 220 MB) a partition holds
# about 3.4 MB, under the mock's retention, so a consumer that falls
# behind is slower, not lossy. Use a build without sanitizers.
set -euo pipefail

usage="usage: bench_daemon.sh BUILD_DIR [COPIES] [RULES_DIR] [ROUNDS]"
build=${1:?$usage}
copies=${2:-2}
NAME=bench_daemon.sh
BENCH=$build/kbcorrd
# shellcheck source=bench/lib.bash
. "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
rules=${3:-$repo/rules/curated}
rounds=${4:-5}
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

topics=(incidents:1)
for ((r = 1; r <= rounds; r++)); do
	topics+=("kcat_$r:64" "kbcorrd_$r:64")
done
mkfifo "$tmp/mock.in"
"$mock" 1 "${topics[@]}" <"$tmp/mock.in" >"$tmp/mock.out" 2>"$tmp/mock.err" &
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
fetch_wait=${FETCH_WAIT_MS:-10}
produce() { kcat -P -b "$bootstrap" -t "$1" -z none -K '\t' <"$tmp/keyed"; }
awk '{ print NR "\t" $0 }' "$input" >"$tmp/keyed"

# Polled with bash builtins only (/dev/tcp, read -t as the pause): a
# curl, awk and sleep every few milliseconds would take CPU from the
# processes being measured, on a 2-core machine a noticeable share.
mkfifo "$tmp/pause"
exec 8<>"$tmp/pause"
got=0 last_at=
consumed() { # PORT: kbcorrd's count of messages into $got, and when it
	# handled the last one (Unix time) into $last_at
	local line
	exec 9<>"/dev/tcp/127.0.0.1/$1" || return 0
	printf 'GET /metrics HTTP/1.0\r\n\r\n' >&9
	while IFS= read -r line <&9; do
		case $line in
		"kbcorr_messages_total "*) got=${line#* } ;;
		"kbcorr_last_message_timestamp_seconds "*) last_at=${line#* } ;;
		esac
	done
	exec 9<&-
}

# time_kcat TOPIC: kcat consumes everything to /dev/null while it is
# produced; prints the seconds.
time_kcat() {
	timeout 600 kcat -C -b "$bootstrap" -X fetch.wait.max.ms="$fetch_wait" -t "$1" -o beginning -c "$n" -q -f '%s\n' >/dev/null &
	local consumer=$! t0
	sleep 1 # its fetchers are up before the first message
	t0=$(now)
	produce "$1"
	wait $consumer || die "kcat did not consume all $n messages (the mock's retention dropped some?)"
	since "$t0"
}

# time_kbcorrd TOPIC: the same stream through kbcorrd, done when /metrics
# counts every message; the page is refreshed every 100 ms, so the end is
# the time it gives for the last message handled. Prints the seconds, and
# kbcorrd's CPU time on stderr.
time_kbcorrd() {
	cat >"$tmp/kbcorrd.yaml" <<YAML
rules: [$rules]
input: {topics: [$1], group: bench-$1}
kafka: {bootstrap.servers: "$bootstrap", fetch.wait.max.ms: $fetch_wait}
output: {kafka: incidents}
metrics: {listen: "127.0.0.1:0"}
YAML
	[[ -z ${WORKERS:-} ]] || echo "workers: $WORKERS" >>"$tmp/kbcorrd.yaml"
	"$BENCH" --config "$tmp/kbcorrd.yaml" >"$tmp/kbcorrd.out" 2>"$tmp/kbcorrd.err" &
	local daemon=$! port= t0 s
	for _ in $(seq 600); do
		port=$(sed -n 's|.*metrics on http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' "$tmp/kbcorrd.err")
		[[ -n $port ]] && grep -q 'msg="assigned' "$tmp/kbcorrd.err" && break
		sleep 0.1
	done
	[[ -n $port ]] || die "kbcorrd did not start: $(tail -3 "$tmp/kbcorrd.err")"
	sleep 1
	t0=$(now)
	produce "$1" &
	local producer=$! deadline=$((SECONDS + 600))
	got=0
	while :; do
		consumed "$port"
		((got >= n)) && break
		((SECONDS < deadline)) || die "kbcorrd consumed $got of $n in 600 s"
		read -r -t 0.02 -u 8 || true
	done
	s=$(awk -v a="$t0" -v b="$last_at" 'BEGIN { printf "%.3f", b - a }')
	wait $producer
	awk '{ printf "kbcorrd CPU: user %.2f s, sys %.2f s\n", $14 / 100, $15 / 100 }' "/proc/$daemon/stat" >&2
	kill -TERM $daemon
	wait $daemon || die "kbcorrd exited with $?"
	echo "$s"
}

# time_replay: `kbcorr replay` (the same pipeline) over the same events in
# a file, for the postmortem rate beside the live one; prints the seconds.
time_replay() {
	local t0
	t0=$(now)
	"$build/kbcorr" replay --rules "$rules" "$input" >/dev/null 2>&1 ||
		die "kbcorr replay failed"
	since "$t0"
}

kcat_all=() kbcorrd_all=() replay_all=()
for ((r = 1; r <= rounds; r++)); do
	kcat_all+=("$(time_kcat "kcat_$r")")
	kbcorrd_all+=("$(time_kbcorrd "kbcorrd_$r")")
	replay_all+=("$(time_replay)")
	echo "$NAME: round $r: kcat ${kcat_all[-1]} s, kbcorrd ${kbcorrd_all[-1]} s, replay ${replay_all[-1]} s" >&2
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
kcat_s=$(median "${kcat_all[@]}")
kbcorrd_s=$(median "${kbcorrd_all[@]}")
replay_s=$(median "${replay_all[@]}")

echo "| consumer (median of $rounds) | events | MB | seconds | events/s | MB/s | vs kcat |"
echo "|---|--:|--:|--:|--:|--:|--:|"
awk -v n="$n" -v mb="$mb" -v k="$kcat_s" -v d="$kbcorrd_s" -v p="$replay_s" -v rules="$(basename "$rules")" 'BEGIN {
	printf "| kcat to /dev/null | %d | %d | %.2f | %.0f | %.0f | 100%% |\n", n, mb, k, n / k, mb / k
	printf "| kbcorrd (%s) | %d | %d | %.2f | %.0f | %.0f | %.0f%% |\n", rules, n, mb, d, n / d, mb / d, 100 * k / d
	printf "| kbcorr replay of the file (%s) | %d | %d | %.2f | %.0f | %.0f | |\n", rules, n, mb, p, n / p, mb / p
}'
