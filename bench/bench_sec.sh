#!/usr/bin/env bash
# bench_sec.sh - kbcorr against SEC (Simple Event Correlator, Debian
# package sec), the peer named in SPEC.md section 9, on the same input with
# equivalent rules for the two seed articles; prints markdown tables.
#
#   bench/bench_sec.sh BUILD_DIR [N]
#
# The input is N events (default 1000000): copies of the seed scenarios
# (examples/seed-scenarios.jsonl) followed by the three real captures of
# ../shared/data/events (override with KBC_SHARED_DIR=/path/to/shared),
# repeated and cut at N. Copy k (from 0) has its event times moved k days
# forward (@timestamp and event.created; NXLog EventTime and
# EventReceivedTime), so every copy of a scenario is a case of its own in
# event time; unshifted, kbcorr would fold the copies into one incident per
# host (--suppress) or count them as late, and SEC's day key (see
# bench/sec/seed.sec) would merge them too.
#
# Both tools run the same file, once each under /usr/bin/time -v (peak RSS,
# and the output that is checked: every complete seed copy must give
# MAIL-A Q247773, MAIL-B Q324332 and MAIL-C a tie), then under hyperfine
# (--warmup 1, then HYPERFINE_RUNS runs, default 3):
#   kbcorr replay --rules rules/curated INPUT
#   sec --conf=bench/sec/seed.sec --input=INPUT --notail --intevents
#       --nochildterm --log=/dev/null
# SEC_CONF=FILE runs SEC with other rules (same output lines expected).
# Everything lives in a temporary directory removed on exit (the input is
# about 2.6 GB at N = 1000000). Use a build without sanitizers (Release).
# Needs sec, hyperfine, jq, xz, perl and GNU time.
set -euo pipefail

usage="usage: bench_sec.sh BUILD_DIR [N]"
build=${1:?$usage}
n=${2:-1000000}
runs=${HYPERFINE_RUNS:-3}
NAME=bench_sec.sh
BENCH=$build/kbcorr
# shellcheck source=bench/lib.bash
. "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

[[ $n =~ ^[1-9][0-9]*$ ]] || die "N must be a positive integer: $n"
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "HYPERFINE_RUNS must be a positive integer"
for t in sec hyperfine jq perl; do
	command -v "$t" >/dev/null || die "$t not found (Debian package: $t)"
done
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found (Debian package: time)"
seed=$repo/examples/seed-scenarios.jsonl
conf=${SEC_CONF:-$repo/bench/sec/seed.sec}
rules=$repo/rules/curated
for f in "$seed" "$conf"; do
	[[ -r $f ]] || die "missing $f"
done
[[ -d $rules ]] || die "missing $rules"

inputs=("$seed")
for f in "${files[@]}"; do
	decompress "$f"
	inputs+=("$tmp/$f.jsonl")
done

# The input: copies of seed + captures, copy k shifted k days, cut at n
# lines. Writes "events copies seed_copies" to $tmp/input.stats, where
# seed_copies counts the copies whose seed scenarios are complete.
input=$tmp/input.jsonl
echo "$NAME: writing $n events..." >&2
perl -e '
use strict;
use warnings;
use Time::Local qw(timegm);
use POSIX qw(strftime);
my ($n, $out, $stats, $seed, @files) = @ARGV;
my @seed = slurp($seed);
my @rest = map { slurp($_) } @files;
open(my $o, ">", $out) or die "$out: $!\n";
my ($events, $copies, $seed_copies) = (0, 0, 0);
my %next;    # date -> the day after
COPY: for (my $k = 0; ; $k++) {
	my $i = 0;
	for my $line (@seed, @rest) {
		last COPY if $events == $n;
		# in place: copy k is the original moved k days
		$line =~ s{("(?:\@timestamp|created|EventTime|EventReceivedTime)":")(\d{4}-\d\d-\d\d)}
			{$1 . ($next{$2} //= day_after($2))}ge
			if $k;
		print $o $line, "\n" or die "$out: $!\n";
		$events++;
		$copies++ if $i == 0;
		$seed_copies++ if ++$i == @seed;
	}
}
close($o) or die "$out: $!\n";
open(my $s, ">", $stats) or die "$stats: $!\n";
print $s "$events $copies $seed_copies\n";
sub day_after {
	my ($y, $m, $d) = split /-/, $_[0];
	return strftime("%Y-%m-%d", gmtime(timegm(0, 0, 12, $d, $m - 1, $y) + 86400));
}
# lines of FILE without their line ends; empty lines skipped
sub slurp {
	open(my $f, "<", $_[0]) or die "$_[0]: $!\n";
	my @l = grep { length } map { s/\r?\n\z//r } <$f>;
	return @l;
}
' "$n" "$input" "$tmp/input.stats" "${inputs[@]}" ||
	die "cannot write the input"
read -r events copies seed_copies <"$tmp/input.stats"
size_mb=$(($(stat -c %s "$input") / 1000000))
echo "$NAME: $events events ($size_mb MB), $copies copies, $seed_copies" \
	"with the complete seed scenarios" >&2
((seed_copies > 0)) || die "N=$n is too small to hold one seed copy"

kbcorr_cmd=("$BENCH" replay --rules "$rules" "$input")
sec_cmd=(sec "--conf=$conf" "--input=$input" --notail --intevents
	--nochildterm --log=/dev/null)

# measure TOOL CMD...: one run under /usr/bin/time -v; output kept in
# $tmp/TOOL.out, time's report in $tmp/TOOL.time.
measure() {
	local tool=$1 status=0
	shift
	echo "$NAME: $tool, one run under /usr/bin/time -v..." >&2
	/usr/bin/time -v "$@" >"$tmp/$tool.out" 2>"$tmp/$tool.time" || status=$?
	((status == 0)) ||
		die "$tool failed ($status): $(tail -5 "$tmp/$tool.time")"
}
measure kbcorr "${kbcorr_cmd[@]}"
measure sec "${sec_cmd[@]}"

rss_mb() {
	sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/$1.time" |
		awk '{ printf "%.0f", $1 / 1024 }'
}
wall_s() {
	sed -n 's/.*Elapsed (wall clock).*: //p' "$tmp/$1.time" |
		awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }'
}

# The seed incidents each tool found: MAIL-A names Q247773, MAIL-B names
# Q324332, MAIL-C is a tie of both.
k_total=$(wc -l <"$tmp/kbcorr.out")
read -r k_a k_b k_c k_other < <(jq -rs '
	def h: .host.name | ascii_downcase;
	[ (map(select(h == "mail-a.corp.example" and .kb.id == "Q247773"
		and (.kb.ambiguous | not))) | length),
	  (map(select(h == "mail-b.corp.example" and .kb.id == "Q324332"
		and (.kb.ambiguous | not))) | length),
	  (map(select(h == "mail-c.corp.example" and .kb.ambiguous)) | length),
	  (map(select(h | test("^mail-[abc]\\.corp\\.example$") | not))
		| length) ] | @tsv' "$tmp/kbcorr.out")
s_total=$(wc -l <"$tmp/sec.out")
s_a=$(grep -c '^incident host=mail-a\.corp\.example day=[0-9-]* kb=Q247773 scores=' "$tmp/sec.out" || true)
s_b=$(grep -c '^incident host=mail-b\.corp\.example day=[0-9-]* kb=Q324332 scores=' "$tmp/sec.out" || true)
s_c=$(grep -c '^incident host=mail-c\.corp\.example day=[0-9-]* kb=Q247773,Q324332 ambiguous ' "$tmp/sec.out" || true)
s_other=$(grep -vc '^incident host=mail-[abc]\.corp\.example ' "$tmp/sec.out" || true)

echo "$NAME: hyperfine, $runs runs each..." >&2
hyperfine --warmup 1 --runs "$runs" --style basic \
	--export-json "$tmp/hyperfine.json" \
	--export-markdown "$tmp/hyperfine.md" \
	-n kbcorr "$(printf '%q ' "${kbcorr_cmd[@]}")" \
	-n sec "$(printf '%q ' "${sec_cmd[@]}")" >&2
mean() {
	jq -r --arg n "$1" '.results[] | select(.command == $n) |
		"\(.mean) \(.stddev // 0) \(.min) \(.max)"' "$tmp/hyperfine.json"
}
read -r k_mean k_sd k_min k_max < <(mean kbcorr)
read -r s_mean s_sd s_min s_max < <(mean sec)

echo "Input: $events events ($size_mb MB): $copies copies of the 96 seed" \
	"events and the three real captures, each copy shifted one day;" \
	"$seed_copies complete seed copies, so $((3 * seed_copies)) seed" \
	"incidents expected from each tool."
echo
echo "| tool | events | seconds (mean ± sd, $runs runs) | events/s | peak RSS MB" \
	"| incidents | MAIL-A Q247773 | MAIL-B Q324332 | MAIL-C tie | other |"
echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
row() {
	awk -v t="$1" -v n="$events" -v m="$2" -v sd="$3" -v rss="$4" \
		-v inc="$5" -v a="$6" -v b="$7" -v c="$8" -v o="$9" \
		'BEGIN { printf "| %s | %d | %.2f ± %.2f | %.0f | %s | %d | %d | %d | %d | %d |\n",
			t, n, m, sd, n / m, rss, inc, a, b, c, o }'
}
row kbcorr "$k_mean" "$k_sd" "$(rss_mb kbcorr)" "$k_total" "$k_a" "$k_b" "$k_c" "$k_other"
row sec "$s_mean" "$s_sd" "$(rss_mb sec)" "$s_total" "$s_a" "$s_b" "$s_c" "$s_other"
echo
awk -v km="$k_mean" -v sm="$s_mean" -v kr="$(rss_mb kbcorr)" -v sr="$(rss_mb sec)" \
	'BEGIN { printf "kbcorr/sec: events/s %.2f, time %.3f, peak RSS %.2f.\n", sm / km, km / sm, kr / sr }'
awk -v a="$k_min" -v b="$k_max" -v c="$s_min" -v d="$s_max" \
	-v e="$(wall_s kbcorr)" -v f="$(wall_s sec)" \
	'BEGIN { printf "Range of the runs: kbcorr %.2f–%.2f s, sec %.2f–%.2f s." \
		" One run under /usr/bin/time -v: kbcorr %.2f s, sec %.2f s.\n",
		a, b, c, d, e, f }'
echo
echo "Commands (INPUT is the generated file):"
echo
echo '```'
printf '%q ' "${kbcorr_cmd[@]}" | sed "s|$input|INPUT|g; s/ \$//"
echo
printf '%q ' "${sec_cmd[@]}" | sed "s|$input|INPUT|g; s/ \$//"
echo
echo '```'
echo
echo "hyperfine:"
echo
cat "$tmp/hyperfine.md"

expect=$seed_copies
if ((k_a != expect || k_b != expect || k_c != expect || k_other != 0 ||
	s_a != expect || s_b != expect || s_c != expect || s_other != 0)); then
	echo "$NAME: the seed incidents are not all found as expected" \
		"($expect of each): kbcorr $k_a/$k_b/$k_c (+$k_other other)," \
		"sec $s_a/$s_b/$s_c (+$s_other other)" >&2
	exit 1
fi
