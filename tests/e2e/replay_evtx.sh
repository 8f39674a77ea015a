#!/usr/bin/env bash
# Replay of the 23 real EVTX samples (shared/data/events/evtx-samples.tar.xz,
# damaged files included): 18,866 records (18,992 before the 126 stale
# recovered copies of live records were skipped; the 19 decode errors were
# among them), no decode error, 19 files reported with unreadable records
# (each record with libfwevt's cause), no incident from the curated rules
# and 52 from the test rule T7045, as before. The same samples
# gzip- or xz-compressed under the same names (told by content, not name)
# give byte-identical incidents and diagnostics; so does stdin; a truncated
# compressed EVTX is reported and its readable part still replayed.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
need_tools
export LC_ALL=C

need_evtx_samples
mkdir -p "$TMP/plain" "$TMP/packed/samples"
tar -xJf "$EVTX_TAR" -C "$TMP/plain" || fail "cannot unpack $EVTX_TAR"
expect_eq "EVTX samples unpacked" 23 "$(find "$TMP/plain/samples" -name '*.evtx' | wc -l)"

# in_dir DIR CMD...: run CMD in DIR, so that origins name relative paths.
in_dir() {
        local dir=$1
        shift
        (cd "$dir" && exec "$@")
}

# 1. The folder, plain: the figures of the build before this work.
run plain in_dir "$TMP/plain" "$KBCORR" replay --stats --rules "$EV_RULES" samples
expect_rc plain 0
expect_json_lines plain
expect_eq "incidents from the EVTX samples (test rule T7045)" 52 "$(count_lines "$TMP/plain.out")"
grep -q '^messages 18866, decode errors 0, ' "$TMP/plain.err" ||
        fail "counters of the EVTX replay" "messages 18866, decode errors 0" \
                "$(grep '^messages' "$TMP/plain.err")"
grep -q 'incidents 52 (5 repeats folded)' "$TMP/plain.err" ||
        fail "incident counters" "incidents 52 (5 repeats folded)" "$(grep '^messages' "$TMP/plain.err")"
expect_eq "files reported with unreadable records" 19 "$(grep -c ': [0-9]* records read, ' "$TMP/plain.err")"
grep -q 'issue_201.evtx#record index 0: libfwevt_xml_document_read_attribute: invalid binary XML token - unsupported type: 0x05$' "$TMP/plain.err" ||
        fail "an unreadable record is reported with its cause" "...#record index 0: libfwevt_...: unsupported type: 0x05" \
                "$(grep issue_201 "$TMP/plain.err")"
grep -q 'Shell-Core%4Operational.evtx: 1146 records read, 0 recovered, 2 unreadable, 126 recovered copies of live records skipped' "$TMP/plain.err" ||
        fail "stale recovered copies are skipped and counted" "... 126 recovered copies of live records skipped" \
                "$(grep Shell-Core "$TMP/plain.err")"
bad=$(jq -r '.evidence[].origin | select(test("^samples/[^#]+\\.evtx( \\(recovered\\))?#record [0-9]+$") | not)' "$TMP/plain.out")
[ -z "$bad" ] || fail "evidence origins of EVTX records" "samples/FILE.evtx#record N" "$bad"

run curated in_dir "$TMP/plain" "$KBCORR" replay --rules "$RULES" samples
expect_rc curated 0
expect_eq "incidents from the curated rules on the EVTX samples" 0 "$(count_lines "$TMP/curated.out")"

# 2. Compressed copies under the same names: every other file gzip, the
#    rest xz. Same bytes out, on stdout and stderr.
i=0
for f in "$TMP"/plain/samples/*.evtx; do
        if [ $((i++ % 2)) -eq 0 ]; then gzip -c "$f"; else xz -c "$f"; fi \
                >"$TMP/packed/samples/$(basename "$f")"
done
mkdir -p "$TMP/spool" # where the decompressed copies for libevtx go
run packed in_dir "$TMP/packed" env TMPDIR="$TMP/spool" "$KBCORR" replay --stats --rules "$EV_RULES" samples
expect_rc packed 0
for s in out err; do
        if ! cmp -s "$TMP/plain.$s" "$TMP/packed.$s"; then
                diff "$TMP/plain.$s" "$TMP/packed.$s" | head -n 20 >&2 || true
                fail "replay of compressed EVTX files differs from the plain files ($s)" \
                        "byte-identical" "see the diff above"
        fi
done
leftover=$(ls -A "$TMP/spool")
[ -z "$leftover" ] || fail "temporary EVTX copies are removed after reading" "none left" "$leftover"

# 3. stdin, plain and compressed: the same incidents as the file.
SYS=$TMP/plain/samples/system.evtx
run sys_file "$KBCORR" replay --rules "$EV_RULES" "$SYS"
for kind in plain gzip xz; do
        case $kind in
        plain) run "stdin_$kind" sh -c '"$0" replay --rules "$1" - <"$2"' "$KBCORR" "$EV_RULES" "$SYS" ;;
        *) run "stdin_$kind" sh -c '"$0" -c "$3" | "$1" replay --rules "$2" -' "$kind" "$KBCORR" "$EV_RULES" "$SYS" ;;
        esac
        expect_rc "stdin_$kind" 0
        expect_eq "incidents of system.evtx from stdin ($kind)" 38 "$(count_lines "$TMP/stdin_$kind.out")"
        sed 's#"origin":"<stdin>#"origin":"'"$SYS"'#g' "$TMP/stdin_$kind.out" | cmp -s - "$TMP/sys_file.out" ||
                fail "system.evtx from stdin ($kind) vs from the file" "identical incidents but the origin" "different"
done

# 4. A truncated .xz EVTX: one clear error naming it, its readable records
#    still replayed, the next file replayed as if alone, exit 2.
mkdir -p "$TMP/cut"
xz -c "$SYS" >"$TMP/system.evtx.xz"
head -c 40000 "$TMP/system.evtx.xz" >"$TMP/cut/system.evtx.xz"
gzip -c "$TMP/plain/samples/2-vss_7-System.evtx" >"$TMP/cut/vss7.evtx.gz"
run cut "$KBCORR" replay --rules "$EV_RULES" "$TMP/cut/system.evtx.xz" "$TMP/cut/vss7.evtx.gz"
expect_rc cut 2
expect_eq "errors naming the truncated file" 1 \
        "$(grep -c "^kbcorr: $TMP/cut/system.evtx.xz: truncated xz data: " "$TMP/cut.err")"
run vss7 "$KBCORR" replay --rules "$EV_RULES" "$TMP/cut/vss7.evtx.gz"
expect_rc vss7 0
[ -s "$TMP/vss7.out" ] || fail "incidents from 2-vss_7-System.evtx" "some" "none"
grep -F '"host":{"name":"DESKTOP-1N4R894"}' "$TMP/cut.out" | cmp -s - "$TMP/vss7.out" ||
        fail "the file after a truncated one" "the same incidents as alone" "different"
grep -q '"host":{"name":"DESKTOP-2KGM189"}' "$TMP/cut.out" ||
        fail "the readable part of the truncated EVTX" "incidents of DESKTOP-2KGM189" "none"

echo "ok: EVTX samples replay as before, compressed, from a folder and from stdin"
