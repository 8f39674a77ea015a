#!/usr/bin/env bash
# The temporary copy of a compressed or piped EVTX has a cap (issue 15):
# an xz bomb (the EVTX magic then 50 MiB of zeros, 8 KiB of xz) with
# KBCORR_EVTX_TMP_MAX set low gives one error naming the file and the cap,
# nothing is left in $TMPDIR, the input counts as unreadable (exit 2) and
# the other inputs (the seed scenarios, a real compressed EVTX) replay as
# if alone. The cap is on decompressed bytes, exactly: a real EVTX of N
# bytes is read with the cap at N and refused at N - 1. From a pipe too.
# A cap that is not a byte count is one error. Before the cap, the bomb
# was written whole to $TMPDIR (and the test failed for want of the error).
set -euo pipefail
. "$(dirname "$0")/lib.bash"
need_tools
export LC_ALL=C

need_evtx_samples
SAMPLE=samples/2-vss_7-System.evtx # 12 incidents from the test rule T7045
tar -xJf "$EVTX_TAR" -C "$TMP" "$SAMPLE" || fail "cannot unpack $SAMPLE from $EVTX_TAR"
SIZE=$(stat -c %s "$TMP/$SAMPLE")

# in_dir DIR CMD...: run CMD in DIR, so that origins name relative paths.
in_dir() {
        local dir=$1
        shift
        (cd "$dir" && exec "$@")
}

# expect_tmp_empty WHAT: no temporary copy was left behind.
expect_tmp_empty() {
        local left
        left=$(find "$TMP/tmpdir" -mindepth 1 | head -n 5)
        [ -z "$left" ] || fail "$1: \$TMPDIR is empty afterwards" "nothing" "$left"
}

mkdir -p "$TMP/in" "$TMP/tmpdir"
{
        printf 'ElfFile\0'
        head -c 50M /dev/zero
} | xz -1 >"$TMP/in/a-bomb.evtx.xz"
cp "$SCENARIOS" "$TMP/in/b-events.jsonl"
xz -c "$TMP/$SAMPLE" >"$TMP/in/c-system.evtx.xz"
export TMPDIR=$TMP/tmpdir
replay=("$KBCORR" replay --stats --rules "$RULES" --rules "$EV_RULES")
CAP_MSG="the cap on a temporary EVTX copy (KBCORR_EVTX_TMP_MAX); not read"

# 1. The bomb among real inputs, the cap at the real EVTX's size.
run bomb in_dir "$TMP" env KBCORR_EVTX_TMP_MAX="$SIZE" "${replay[@]}" in
expect_rc bomb 2
expect_tmp_empty "after the bomb"
expect_eq "the bomb: one error naming the file and the cap" \
        "kbcorr: in/a-bomb.evtx.xz: decompresses to more than $SIZE bytes, $CAP_MSG" \
        "$(grep -F a-bomb "$TMP/bomb.err")"
run alone in_dir "$TMP" env KBCORR_EVTX_TMP_MAX="$SIZE" "${replay[@]}" \
        in/b-events.jsonl in/c-system.evtx.xz
expect_rc alone 0
expect_json_lines alone
expect_eq "incidents: 3 from the seed scenarios, 12 from the EVTX" 15 \
        "$(count_lines "$TMP/alone.out")"
same_bytes "the other inputs replay as if alone" "$TMP/alone.out" "$TMP/bomb.out"
# The sample's own complaints (damaged recovered records) and the
# counters: the same without the bomb.
grep -vF a-bomb "$TMP/bomb.err" >"$TMP/bomb.rest" || true
same_bytes "stderr but for the bomb's line vs the other inputs alone" \
        "$TMP/alone.err" "$TMP/bomb.rest"

# 2. One byte under the real EVTX's size: refused, the same way.
run under in_dir "$TMP" env KBCORR_EVTX_TMP_MAX=$((SIZE - 1)) "${replay[@]}" in/c-system.evtx.xz
expect_rc under 2
expect_tmp_empty "after the refused EVTX"
grep -qxF "kbcorr: in/c-system.evtx.xz: decompresses to more than $((SIZE - 1)) bytes, $CAP_MSG" \
        "$TMP/under.err" || {
        show_file stderr "$TMP/under.err"
        fail "a cap one byte short refuses the EVTX" "the cap error" "see above"
}
expect_eq "nothing replayed from a refused EVTX" 0 "$(count_lines "$TMP/under.out")"

# 3. From a pipe: the same cap, with a suffix (1M < 50 MiB).
run pipe sh -c 'cat "$0" | KBCORR_EVTX_TMP_MAX=1M "$1" replay --rules "$2" -' \
        "$TMP/in/a-bomb.evtx.xz" "$KBCORR" "$RULES"
expect_rc pipe 2
expect_tmp_empty "after the piped bomb"
expect_eq "the piped bomb: one error naming <stdin>" \
        "kbcorr: <stdin>: decompresses to more than 1048576 bytes, $CAP_MSG" \
        "$(cat "$TMP/pipe.err")"

# 4. A cap that is not a byte count: one error, the input not read.
run badcap in_dir "$TMP" env KBCORR_EVTX_TMP_MAX=lots "${replay[@]}" in/c-system.evtx.xz
expect_rc badcap 2
grep -qF "kbcorr: in/c-system.evtx.xz: KBCORR_EVTX_TMP_MAX: not a byte count (like 1048576 or 64M): 'lots'" \
        "$TMP/badcap.err" || {
        show_file stderr "$TMP/badcap.err"
        fail "a bad cap is reported" "KBCORR_EVTX_TMP_MAX: not a byte count" "see above"
}
