#!/usr/bin/env bash
# Hostile KB articles at `kbcorr compile` (issue 15): an article id is a
# file name and a YAML scalar of the rule written, so
#  1. a Jekyll page whose "Article:" climbs out of the output folder, or
#     holds a newline decoded from "&#10;" (which would add YAML keys), is
#     refused by name with one line, and nothing is written outside -o;
#  2. a file name with a newline cannot end the generated comment;
#  3. a symlink planted where the compiler writes its temporary file does
#     not redirect the write;
#  4. the good article beside them still compiles, and the rules load.
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"
need_tools

jekyll=$KBC_SHARED_DIR/data/kb/kbarchive-jekyll-subset.tar.xz
[ -f "$jekyll" ] || fail "the KB corpus is missing" "$jekyll" "not found"
mkdir -p "$TMP/kb" "$TMP/out" "$TMP/outside"
tar -xJf "$jekyll" -C "$TMP/kb" kb/324/Q324332/README.md
good=$TMP/kb/kb/324/Q324332/README.md

# 1. Ids that are no ids.
mkdir -p "$TMP/kb/evil1" "$TMP/kb/evil2"
sed 's|Article: Q324332|Article: ../../outside/evil|' "$good" >"$TMP/kb/evil1/README.md"
sed 's|Article: Q324332|Article: Q1\&#10;cause: pwned|' "$good" >"$TMP/kb/evil2/README.md"
# 2. A file name with a newline, holding the good article.
mkdir -p "$TMP/kb/odd"
cp "$good" "$TMP/kb/odd/$(printf 'line\nbreak.md')"
# 3. The temporary file of Q324332's rule, planted as a symlink.
mkdir -p "$TMP/out/324"
ln -s "$TMP/outside/planted" "$TMP/out/324/Q324332.yaml.tmp"

run compile "$KBCORR" compile -o "$TMP/out" "$TMP/kb"
for f in evil1 evil2; do
        grep -q "$f/README.md.*article id .* is not 1 to 32 letters" "$TMP/compile.err" ||
                fail "the hostile id of $f is refused by name" "$f/README.md: ... article id ... is not ..." "$(cat "$TMP/compile.err")"
done
[ -z "$(ls -A "$TMP/outside")" ] || fail "nothing written outside -o" "empty" "$(ls -A "$TMP/outside")"
[ ! -e "$TMP/kb/outside" ] && [ ! -e "$TMP/evil.yaml" ] || fail "nothing written outside -o" "no evil file"
grep -rq "pwned" "$TMP/out" && fail "no YAML key injected" "no 'pwned' in the rules" "$(grep -r pwned "$TMP/out")"
echo "ok: hostile article ids refused, nothing written outside the output folder"

# 2 and 4: the generated comment is one line; the rules load and test.
rule=$TMP/out/324/Q324332.yaml
[ -f "$rule" ] && [ ! -L "$rule" ] || fail "Q324332 compiled to a file of its own" "$rule" "$(ls -la "$TMP/out/324")"
[ ! -e "$TMP/outside/planted" ] || fail "the planted symlink was not followed" "no $TMP/outside/planted"
expect_eq "comment lines before the id" 2 "$(awk '/^id:/ { print NR - 1; exit }' "$rule")"
run check "$KBCORR" check --rules "$TMP/out"
expect_rc check 0
echo "ok: a newline in a file name stays in its comment; a planted symlink is not followed; the rules load"
