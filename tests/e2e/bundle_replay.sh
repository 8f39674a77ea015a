#!/usr/bin/env bash
# Rule bundles (issue 16, docs/rule-format.md "Bundles"): a sample of the
# raw KB corpus (every 8th article of ../shared/data/kb/kbarchive-txt.tar.xz)
# compiled with `kbcorr compile`, which also writes DIR/rules.kbcb.
#  1. The bundle is fresh, and used: replaying every real event of
#     ../shared/data/events plus the seed scenarios, with --stats, gives
#     byte-identical stdout and stderr with and without it, and so does
#     `kbcorr explain` (per event, every signal it matched) on the
#     Winlogbeat 7 events.
#  2. A rule file changed after bundling makes it stale: `kbcorr bundle
#     --check` and `kbcorr check` name the file, loading notes it and
#     reads the YAML (the change shows), and `kbcorr bundle` makes it
#     fresh again, with the change.
#  3. A truncated, corrupted or foreign bundle is refused with a reason and
#     the YAML is read: the same incidents.
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"
need_tools

TAR=$KBC_SHARED_DIR/data/kb/kbarchive-txt.tar.xz
[ -f "$TAR" ] || fail "the KB corpus is missing" "a file at $TAR" "nothing there"

tar -tJf "$TAR" | grep -E '\.TXT$' | awk 'NR % 8 == 1' >"$TMP/sample.list"
tar -xJf "$TAR" -C "$TMP" -T "$TMP/sample.list"
run compile "$KBCORR" compile -q -o "$TMP/rules" "$TMP/txt"
expect_rc compile 0
B=$TMP/rules/rules.kbcb
[ -s "$B" ] || fail "compile -o DIR writes DIR/rules.kbcb" "a bundle" "none"
nrules=$(find "$TMP/rules" -name '*.yaml' | wc -l)
[ "$nrules" -gt 500 ] || fail "rules compiled from the sample" "more than 500" "$nrules"
run fresh "$KBCORR" bundle --check "$TMP/rules"
expect_rc fresh 0
grep -q "rules.kbcb: fresh: $nrules rules" "$TMP/fresh.out" ||
        fail "bundle --check on a fresh bundle" "fresh: $nrules rules" "$(cat "$TMP/fresh.out")"

real_events "$TMP/events"
inputs=("${REAL_EVENTS[@]}")
inputs+=("$SCENARIOS")
WL7=$TMP/events/winlogbeat7-ecs.jsonl

# replay NAME: the real events and the scenarios against the sample and
# the curated rules; the exit status is 2 for the damaged EVTX samples.
replay() {
        run "$1" "$KBCORR" replay --stats --rules "$TMP/rules" --rules "$RULES" "${inputs[@]}"
        expect_rc "$1" 0 2
}
explain() {
        run "$1" "$KBCORR" explain --rules "$TMP/rules" --rules "$RULES" "$WL7"
        expect_rc "$1" 0
}

# 1. With and without the bundle.
replay bundled
explain explain_bundled
if grep -q 'rules.kbcb' "$TMP/bundled.err"; then
        show_file "stderr" "$TMP/bundled.err"
        fail "a fresh bundle loads without a note" "no note" "$(grep rules.kbcb "$TMP/bundled.err")"
fi
grep -q '^messages [1-9]' "$TMP/bundled.err" || fail "replay --stats" "a counters line" "$(head -n 3 "$TMP/bundled.err")"
[ "$(count_lines "$TMP/bundled.out")" -ge 3 ] || fail "incidents (the seed scenarios at least)" ">= 3" "$(count_lines "$TMP/bundled.out")"
mv "$B" "$TMP/saved.kbcb"
replay yaml
explain explain_yaml
same_bytes "replay stdout, bundle vs YAML" "$TMP/yaml.out" "$TMP/bundled.out"
same_bytes "replay --stats stderr, bundle vs YAML" "$TMP/yaml.err" "$TMP/bundled.err"
same_bytes "explain, bundle vs YAML" "$TMP/explain_yaml.out" "$TMP/explain_bundled.out"
grep -q '^  signal ' "$TMP/explain_yaml.out" || fail "explain shows matched signals" "some" "none"
mv "$TMP/saved.kbcb" "$B"

# 2. Stale: a signal of a rule that matched a real event renamed after
#    bundling. Whoever reads the YAML shows the new name.
hit=$(grep -m 1 '^  signal ' "$TMP/explain_yaml.out" | awk '{print $2}')
id=${hit%%/*} sig=${hit#*/}
victim=$(find "$TMP/rules" -name "$id.yaml")
[ -f "$victim" ] || fail "the rule file of $id" "a file" "none"
rel=${victim#"$TMP/rules/"}
sed -i "s/^  - id: $sig\$/  - id: $sig-edited/" "$victim"
grep -q "^  - id: $sig-edited\$" "$victim" || fail "the test's edit" "signal $sig renamed in $victim" "no such line"
run stale "$KBCORR" bundle --check "$TMP/rules"
expect_rc stale 1
grep -qF "stale: $rel changed since it was written" "$TMP/stale.out" ||
        fail "bundle --check names the changed file" "stale: $rel changed ..." "$(cat "$TMP/stale.out")"
explain explain_stale
grep -qF "rules.kbcb: not used, reading the YAML: stale: $rel changed" "$TMP/explain_stale.err" ||
        fail "loading notes the stale bundle" "a note naming $rel" "$(head -n 3 "$TMP/explain_stale.err")"
grep -qF "signal $id/$sig-edited" "$TMP/explain_stale.out" ||
        fail "a stale bundle is not used: the edit shows" "signal $id/$sig-edited" "$(grep -m 3 "$id/" "$TMP/explain_stale.out")"
run check "$KBCORR" check -q --rules "$TMP/rules"
expect_rc check 0
grep -qF "rules.kbcb: stale: $rel changed" "$TMP/check.err" ||
        fail "check notes the stale bundle" "a note naming $rel" "$(head -n 3 "$TMP/check.err")"
run rebundle "$KBCORR" bundle "$TMP/rules"
expect_rc rebundle 0
run fresh2 "$KBCORR" bundle --check "$TMP/rules"
expect_rc fresh2 0
explain explain_rebundled
grep -q 'rules.kbcb' "$TMP/explain_rebundled.err" && fail "a refreshed bundle is used" "no note" "$(grep rules.kbcb "$TMP/explain_rebundled.err")"
same_bytes "explain, refreshed bundle vs the edited YAML" "$TMP/explain_stale.out" "$TMP/explain_rebundled.out"
sed -i "s/^  - id: $sig-edited\$/  - id: $sig/" "$victim"
run rebundle2 "$KBCORR" bundle "$TMP/rules"
expect_rc rebundle2 0

# 3. Damaged bundles: refused with a reason, the YAML read.
cp "$B" "$TMP/good.kbcb"
damage() { # damage NAME REASON: replay with $B as left by the caller
        replay "$1"
        grep -qF "rules.kbcb: not used, reading the YAML: $2" "$TMP/$1.err" ||
                fail "$1 bundle: a note with the reason" "$2" "$(grep rules.kbcb "$TMP/$1.err" || head -n 2 "$TMP/$1.err")"
        same_bytes "$1 bundle: the incidents of the YAML" "$TMP/yaml.out" "$TMP/$1.out"
}
head -c "$(($(stat -c %s "$B") / 2))" "$TMP/good.kbcb" >"$B"
damage truncated "truncated or extended"
cp "$TMP/good.kbcb" "$B"
printf 'X' | dd of="$B" bs=1 seek=$(($(stat -c %s "$B") - 100)) conv=notrunc status=none
damage corrupted "corrupted (its checksum does not match)"
printf 'not a bundle\n' >"$B"
damage foreign "not a kbcorr rule bundle"
cp "$TMP/good.kbcb" "$B"

echo "ok: $nrules rules bundled; replays and explain byte-identical with and without; stale, truncated, corrupted and foreign bundles refused"
