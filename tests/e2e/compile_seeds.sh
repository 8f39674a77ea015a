#!/usr/bin/env bash
# The seed articles compiled by `kbcorr compile` (raw text for Q247773, the
# Jekyll page for Q324332) must give the curated rules' verdicts on the
# seed scenarios: MAIL-A -> Q247773, MAIL-B -> Q324332, MAIL-C -> a tie of
# both. Their own tests must pass in `kbcorr check`, and compiling twice
# gives identical files.
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"
need_tools

txt=$KBC_SHARED_DIR/data/kb/kbarchive-txt.tar.xz
jekyll=$KBC_SHARED_DIR/data/kb/kbarchive-jekyll-subset.tar.xz
[ -f "$txt" ] && [ -f "$jekyll" ] || fail "the KB corpus is missing" "$txt and $jekyll" "not found"
mkdir -p "$TMP/kb"
tar -xJf "$txt" -C "$TMP/kb" txt/247/Q247773.TXT
tar -xJf "$jekyll" -C "$TMP/kb" kb/324/Q324332/README.md

run compile "$KBCORR" compile -o "$TMP/rules" --explain "$TMP/explain.jsonl" "$TMP/kb"
expect_rc compile 0
expect_eq "Q247773's 2037 explained" "symptom" \
        "$(jq -r 'select(.id == "Q247773") | .signals[] | select(.event_id == 2037) | .verdict' "$TMP/explain.jsonl")"
expect_eq "articles explained" "Q247773 compiled Q324332 compiled " \
        "$(jq -r '"\(.id) \(.outcome)"' "$TMP/explain.jsonl" | sort | tr '\n' ' ')"
grep -q "2 articles read, 2 rules written" "$TMP/compile.err" ||
        fail "compile summary" "2 articles read, 2 rules written" "$(cat "$TMP/compile.err")"
run again "$KBCORR" compile -o "$TMP/rules2" "$TMP/kb"
diff -r "$TMP/rules" "$TMP/rules2" >/dev/null || fail "compiling twice differs" "identical files" "$(diff -r "$TMP/rules" "$TMP/rules2" | head -20)"

run check "$KBCORR" check --rules "$TMP/rules"
expect_rc check 0

run replay "$KBCORR" replay --rules "$TMP/rules" "$SCENARIOS"
expect_rc replay 0
verdicts=$(jq -r "$host_label_jq + \" \" + (if .kb.ambiguous then ([.candidates[] | .[\"kb.id\"]] | sort | join(\"=\")) else .kb.id end)" "$TMP/replay.out" | sort | tr '\n' ' ')
expect_eq "verdicts of the compiled seed rules" \
        "mail-a Q247773 mail-b Q324332 mail-c Q247773=Q324332 " "$verdicts"
echo "ok: compiled seeds give the curated verdicts: $verdicts"
