#!/usr/bin/env bash
# run.sh BUILD_DIR SECONDS - runs every fuzz_* target in BUILD_DIR for
# SECONDS each, seeded from real data (../shared, read in place), the
# project's fixtures and tests/fuzz/regress/NAME/ (inputs that once failed),
# with tests/fuzz/NAME.dict as its dictionary if there is one. Any crash
# fails the run and leaves the reproducer in the corpus folder printed at
# the end. Longer runs by hand:
#   tests/fuzz/run.sh build-fuzz 600
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:?build dir}
secs=${2:-30}
shared=${KBC_SHARED_DIR:-../shared}
SCENARIOS=examples/seed-scenarios.jsonl
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

seed_lines() { # seed_lines FILE.xz DIR N: one file per line
	[ -f "$1" ] || { echo "run.sh: missing $1 (the shared data)" >&2; exit 1; }
	mkdir -p "$2"
	# head closes the pipe early: xz's SIGPIPE is expected, not a failure
	(set +o pipefail; xz -dc "$1" | head -n "$3" | split -l 1 - "$2/line-")
}

seed_articles() { # seed_articles DIR: KB articles, extracted once per run
	if [ ! -d "$work/kb" ]; then
		mkdir -p "$work/kb"
		# 50 articles of each form, picked by a fixed stride.
		for tarball in kbarchive-txt.tar.xz kbarchive-jekyll-subset.tar.xz; do
			t="$shared/data/kb/$tarball"
			[ -f "$t" ] || { echo "run.sh: missing $t (the shared data)" >&2; exit 1; }
			tar -tJf "$t" | grep -E '(\.TXT|README\.md)$' >"$work/kb.list"
			# and articles with a Dr. Watson log, its dialog, net start
			# output and a dialog with steps (the compiler's log shapes),
			# and the hand-checked ones of the parser's truth
			list=$({ awk 'NR % 97 == 1 && n++ < 50
					/Q(198398|175544|152742|171927|174327|257759)/' "$work/kb.list"
				awk '/^article /{print $2}' tests/data/kb_truth/truth.txt |
					grep -Fxf - "$work/kb.list" || true; } | sort -u)
			# shellcheck disable=SC2086 # one path per word
			tar -xJf "$t" -C "$work/kb" $list
		done
	fi
	find "$work/kb" -type f | while read -r f; do
		cp "$f" "$1/$(basename "$(dirname "$f")")-$(basename "$f")"
	done
}

status=0
fuzzers=("$build"/tests/fuzz_*)
[ -x "${fuzzers[0]}" ] || { echo "run.sh: no fuzz_* targets in $build/tests (configure with CC=clang -DKBC_FUZZ=ON)" >&2; exit 1; }
for fuzzer in "${fuzzers[@]}"; do
	name=$(basename "$fuzzer")
	corpus="$work/$name"
	opts=()
	mkdir -p "$corpus"
	case "$name" in
	fuzz_decode | fuzz_json_tokenize)
		seed_lines "$shared/data/events/winlogbeat7-ecs.jsonl.xz" "$corpus" 300
		cp examples/*.jsonl "$corpus/" 2>/dev/null || true
		# every collector shape (PowerShell, Log Analytics, evtx_dump, ...)
		cat tests/data/shapes/*.jsonl | split -l 1 - "$corpus/shape-"
		;;
	fuzz_decode_winlogbeat6)
		seed_lines "$shared/data/events/winlogbeat6-kafka.jsonl.xz" "$corpus" 300
		;;
	fuzz_decode_nxlog)
		seed_lines "$shared/data/events/nxlog-wec-kafka.jsonl.xz" "$corpus" 300
		;;
	fuzz_decode_mapped | fuzz_decode_fluentbit)
		# JSON records of every flavour; the mapping and Fluent Bit
		# decoders see member names they know among them
		seed_lines "$shared/data/events/nxlog-wec-kafka.jsonl.xz" "$corpus" 100
		(set +o pipefail; xz -dc "$shared/data/events/winlogbeat7-ecs.jsonl.xz" | head -n 50 |
			jq -c '{ProviderName: .winlog.provider_name, EventID: .winlog.event_id, Level: 4,
				TimeCreated: (."@timestamp" | sub("\\.[0-9]+Z$"; "") | sub("T"; " ") + " +0000"),
				EventRecordID: .winlog.record_id, Channel: .winlog.channel, Computer: .winlog.computer_name,
				Message: .message, StringInserts: [(.winlog.event_data // {})[]],
				TimeGenerated: ."@timestamp", EventLog: .winlog.channel, Source: .winlog.provider_name,
				RenderedDescription: .message}' | split -l 1 - "$corpus/fb-")
		printf '\x82\xa7EventID\x01\xa8Computer\xa1h' >"$corpus/msgpack-map"
		;;
	fuzz_decode_winxml)
		mkdir -p "$work/evtx"
		tar xJf "$shared/data/events/evtx-samples.tar.xz" -C "$work/evtx"
		i=0
		command -v evtxexport >/dev/null || echo "run.sh: evtxexport (libevtx-utils) missing: $name seeded without EVTX records" >&2
		for f in "$work"/evtx/samples/*.evtx; do
			command -v evtxexport >/dev/null || break
			# a few records of every sample, one file each
			{ evtxexport -f xml "$f" 2>/dev/null || true; } | awk -v d="$corpus" -v p="$((i++))" '
				/^<Event /{n++; out=d "/" p "-" n} n && n <= 5 {print > out}'
		done
		;;
	fuzz_decode_snare)
		# Snare lines made from real Winlogbeat 7 records
		(set +o pipefail; xz -dc "$shared/data/events/winlogbeat7-ecs.jsonl.xz" | head -n 100 |
			jq -r '[.winlog.computer_name, "MSWinEventLog", "1", .winlog.channel, "1",
				"Tue Jul 30 14:38:16 2019", (.winlog.event_id|tostring), .winlog.provider_name,
				"N/A", "N/A", "Information", .winlog.computer_name, "None", "",
				((.message // "") | gsub("[\t\r\n]"; " ")), "0"] | join("\t")' |
			split -l 1 - "$corpus/snare-")
		;;
	fuzz_prefilter)
		# a phrase or regex of the curated rules, and a message it finds
		printf '\0%s\n%s' "Extension SMTP could not be loaded." \
			"Application popup: Microsoft Exchange Administrator : Extension \xe2\x80\x9cSMTP\xe2\x80\x9d  could NOT be loaded" >"$corpus/text-quotes"
		printf '\0%s\n%s' "The %1 service terminated with error %2!d!." \
			"The Remote Registry service terminated with error 1067" >"$corpus/text-inserts"
		printf '\1%s\n%s' 'imcadmin\.dll.*\bnot\s+current' \
			"The file version of '\\add-ins\\smtp\\i386\\imcadmin.dll' installed on the local server is not current." >"$corpus/regex"
		printf '\1%s\n%s' '\b(?:0x)?C0020035\b' "ID no: 0xc0020035" >"$corpus/code"
		# two required literals, the longer one a common word
		printf '\1%s\n%s' 'MS\-DOS\s+4\..{1,80}?application' \
			"At 10:02 MS-DOS 4.01 could not run the application" >"$corpus/two-literals"
		;;
	fuzz_prefilter_scan)
		# literals of the curated rules and a message holding some, with
		# (odd first byte) and without the decoys that pass 8 grams
		for mode in 0 1; do
			printf "\\$mode%s\n%s\n%s\n--\n%s" "extension smtp could not be loaded" \
				"remote registry service" "0xc0020035" \
				"application popup: extension smtp could not be loaded. id no: 0xc0020035" >"$corpus/curated-$mode"
		done
		;;
	fuzz_code_index)
		# codes in the ways Windows writes them: short after an error
		# word, zero-padded, and a titled Win32 error in decimal
		printf '00000005\0%s' "The operation failed with error 0x5." >"$corpus/short"
		printf '0000208D\1%s' "Error value: 8333 Directory object not found." >"$corpus/decimal"
		printf 'C004F074\0%s' "Activation failed: 0xC004F074." >"$corpus/long"
		;;
	fuzz_kb_parse | fuzz_kb_roundtrip)
		seed_articles "$corpus"
		;;
	fuzz_zread)
		# real lines, gzip and xz compressed, each read as lines (mode
		# byte 0) and as blocks (1); and a plain file
		(set +o pipefail; xz -dc "$shared/data/events/winlogbeat7-ecs.jsonl.xz" | head -n 20 >"$work/lines")
		for mode in 0 1; do
			{ printf "\\$mode"; gzip -c "$work/lines"; } >"$corpus/gzip-$mode"
			{ printf "\\$mode"; xz -c "$work/lines"; } >"$corpus/xz-$mode"
			{ printf "\\$mode"; cat "$work/lines" "$work/lines" | gzip -c; cat "$work/lines" | gzip -c; } >"$corpus/members-$mode"
		done
		{ printf '\0'; cat "$work/lines"; } >"$corpus/plain"
		;;
	fuzz_split_msgpack)
		# Fluent Bit records of the seed scenarios (tests/tools/
		# convert_events.c), whole, cut, and gzip compressed
		conv=$build/tests/convert_events
		head -n 3 "$SCENARIOS" | "$conv" msgpack >"$corpus/seed-3"
		sed -n 40,50p "$SCENARIOS" | "$conv" msgpack >"$corpus/seed-11"
		head -c 700 "$corpus/seed-3" >"$corpus/cut"
		gzip -c "$corpus/seed-3" >"$corpus/gzip"
		;;
	fuzz_split_xml)
		# the seed scenarios as an XML document and as XML lines, cut,
		# compressed, and the markup that must not end an element
		conv=$build/tests/convert_events
		head -n 2 "$SCENARIOS" | "$conv" xml-document >"$corpus/document-2"
		sed -n 40,44p "$SCENARIOS" | "$conv" xml-lines >"$corpus/lines-5"
		head -c 3000 "$corpus/document-2" >"$corpus/cut"
		gzip -c "$corpus/document-2" >"$corpus/gzip"
		printf '<Events><!-- <Event/> --><Event a=">"><Data><![CDATA[</Event>]]></Data><?pi </Event>?>\n</Event\n><Event/>{"winlog":1}\n<13>x\n<Event><Event></Events>' >"$corpus/markup"
		;;
	fuzz_rule_load)
		cp rules/curated/*.yaml tests/data/rules_ok/*.yaml "$corpus/" 2>/dev/null || true
		;;
	fuzz_bundle_read)
		# edits to a real bundle the target makes itself: none, a cut,
		# a flipped byte with the checksum made to match, one without
		printf '\0' >"$corpus/unchanged"
		printf '\2\100\0\0\0' >"$corpus/cut"
		printf '\0\220\0\0\0\1' >"$corpus/flip"
		printf '\4\220\0\0\0\1' >"$corpus/flip-unsummed"
		;;
	fuzz_config_load)
		cp examples/kbcorrd*.yaml "$corpus/"
		# the loader writes its problems to stderr itself
		opts+=(-close_fd_mask=2)
		;;
	fuzz_mapping_load)
		cp examples/mappings/*.yaml "$corpus/"
		;;
	esac
	# inputs that once failed, kept so that they never fail again
	[ -d "tests/fuzz/regress/$name" ] && cp "tests/fuzz/regress/$name"/* "$corpus/"
	[ -f "tests/fuzz/$name.dict" ] && opts+=(-dict="tests/fuzz/$name.dict")
	echo "== $name: ${secs}s"
	# TMPDIR: the loaders' fuzzers write each input to a file; a crash
	# leaves that folder beside its reproducer
	if ! TMPDIR="$work" "$fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$work/$name-" -print_final_stats=1 ${opts[@]+"${opts[@]}"} "$corpus" \
		>"$work/$name.log" 2>&1; then
		tail -n 40 "$work/$name.log"
		echo "run.sh: $name found a crash:" "$work/$name"-* >&2
		trap - EXIT
		status=1
	else
		grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' "$work/$name.log" || true
	fi
done
exit $status
