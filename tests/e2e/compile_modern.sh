#!/usr/bin/env bash
# The Microsoft Learn support articles of ../shared/data/kb-modern (issue 18),
# the third article form, beside the 2002 archive.
#  1. `kbcorr kb parse`: every article gives an id, a title, sections,
#     signals and its learn.microsoft.com address.
#  2. `kbcorr compile`: the same article under two folders is compiled once
#     and reported; one rule file per id; no markdown noise in the rules;
#     `kbcorr check` passes (every rule's own test names its article).
#  3. Both corpora and the curated rules load together: no id collides
#     (only the curated rules replace compiled ones).
#  4. Diagnosis on our own events (tests/data/kb_markdown/events.jsonl:
#     values other than the articles', providers as Windows logs them,
#     e.g. Microsoft-Windows-DFSR for an article's DFSR): each host names
#     its article, with both corpora loaded.
#  5. Precision: the real benign events of ../shared/data/events raise at
#     most 0.1 incident per 100,000 events with both corpora loaded.
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"
need_tools

MODERN=$KBC_SHARED_DIR/data/kb-modern/support
TAR=$KBC_SHARED_DIR/data/kb/kbarchive-txt.tar.xz
[ -d "$MODERN" ] || fail "the modern articles are missing" "a folder at $MODERN" "nothing there"
[ -f "$TAR" ] || fail "the KB corpus is missing" "a file at $TAR" "nothing there"

# 1. Every article parses, with every field.
n=0
while IFS= read -r f; do
        "$KBCORR" kb parse "$f" >"$TMP/parse.json" 2>"$TMP/parse.err" ||
                fail "kb parse $f" "exit 0" "$(cat "$TMP/parse.err")"
        jq -e '(.id | length > 0) and (.title | length > 0)
                and (.sections | length > 0) and (.signals | length > 0)
                and (.url | startswith("https://learn.microsoft.com/troubleshoot/windows-server/"))' \
                "$TMP/parse.json" >/dev/null ||
                fail "kb parse $f" "id, title, sections, signals and url" "$(head -c 400 "$TMP/parse.json")"
        n=$((n + 1))
done < <(find "$MODERN" -name '*.md' | sort)
[ "$n" -ge 100 ] || fail "modern articles" "at least 100" "$n"
echo "ok: $n modern articles parse with id, title, sections, signals and url"

# 2. Compile: duplicates reported, one rule per id, rules' tests pass.
run compile "$KBCORR" compile -o "$TMP/modern" "$MODERN"
expect_rc compile 0
summary=$(tail -n 1 "$TMP/compile.err")
echo "$summary"
re="^kbcorr compile: $n articles read, ([0-9]+) rules written .* ([0-9]+) the same article again$"
[[ $summary =~ $re ]] || fail "compile summary" "$n articles read, N rules written, ... M the same article again" "$summary"
written=${BASH_REMATCH[1]} dups=${BASH_REMATCH[2]}
[ "$dups" -gt 0 ] || fail "articles under two paths" "some reported" "0"
reported=$(grep -c 'is the same article as' "$TMP/compile.err" || true)
expect_eq "duplicate lines on stderr" "$dups" "$reported"
# The kept path is the first in walk order: active-directory/ before identity/.
grep -q "KB4469622: .*/identity/active-directory-replication-event-id-2042.md is the same article as .*/active-directory/active-directory-replication-event-id-2042.md" "$TMP/compile.err" ||
        fail "the duplicate of KB4469622" "identity/ reported, active-directory/ kept" "$(grep KB4469622 "$TMP/compile.err")"
expect_eq "rule files with the same id" "" \
        "$(find "$TMP/modern" -name '*.yaml' -printf '%f\n' | sort | uniq -d)"
[ "$written" -ge $(((n - dups) * 3 / 4)) ] ||
        fail "modern rules written" "at least 3/4 of $((n - dups)) articles" "$written"
noise=$(grep -l -E '\[!NOTE\]|!\[|\]\(|\*\*|[ "]\\\\<' -r "$TMP/modern" --include='*.yaml' || true)
expect_eq "rules with markdown noise" "" "$noise"
grep -q '^reference: https://learn.microsoft.com/troubleshoot/windows-server/active-directory/active-directory-replication-event-id-2042$' \
        "$TMP/modern"/*/KB4469622.yaml || fail "KB4469622's reference" "its learn.microsoft.com address" "$(grep reference "$TMP/modern"/*/KB4469622.yaml)"
run check "$KBCORR" check -q --rules "$TMP/modern"
expect_rc check 0
grep -q "^$written rules, $written tests: $written passed, 0 failed$" "$TMP/check.out" ||
        fail "check summary" "$written rules, $written tests: $written passed, 0 failed" "$(tail -n 1 "$TMP/check.out")"
echo "ok: $written modern rules, $dups articles found again under another path, all tests pass"

# 3. Both corpora and the curated rules together.
tar -xJf "$TAR" -C "$TMP"
run old "$KBCORR" compile -q -o "$TMP/old" "$TMP/txt"
expect_rc old 0
rm -rf "$TMP/txt"
run both "$KBCORR" check -q --rules "$TMP/old" --rules "$TMP/modern" --rules "$RULES"
expect_rc both 0
grep -q "(2 rules replaced by a later --rules path)$" "$TMP/both.out" ||
        fail "rules replaced with both corpora loaded, and no pattern run on every event" \
                "only the 2 curated ones, and no note after them" "$(tail -n 1 "$TMP/both.out")"
echo "ok: $(tail -n 1 "$TMP/both.out")"

# 4. Our own events, other values than the articles'.
run ours "$KBCORR" replay --rules "$TMP/old" --rules "$TMP/modern" --rules "$RULES" \
        "$KBC_SOURCE_DIR/tests/data/kb_markdown/events.jsonl"
expect_rc ours 0
verdicts=$(jq -r '"\(.host.name)=\(if .kb.ambiguous then "tie" else .kb.id end)"' "$TMP/ours.out" | sort | tr '\n' ' ')
expect_eq "verdicts on our own events" \
        "DC-16650=KB839879 DC-2092=KB2547569 DC-BR-07=KB944351 DC-EAST-03=KB4469622 DC-NORTH=KB2889671 DC-SOUTH=KB887433 DC-WEST-01=KB4469619 FS-VSS=KB2298620 HV-NODE4=KB2761899 PKI-PROXY=KB2253680 RODC-12=KB3212965 WS-ESENT=KB278316 " \
        "$verdicts"
echo "ok: our own events name their articles: $verdicts"

# 5. Precision on every real event we have, both corpora loaded.
benign_precision --rules "$TMP/old" --rules "$TMP/modern" --rules "$RULES"
echo "ok: the real events stay quiet with both corpora loaded"
