#!/usr/bin/env bash
# kbcorr check (SPEC.md §6, docs/rule-format.md): the curated rules are valid
# and pass their own tests; a broken regular expression is reported as
# FILE:LINE and rejects the whole set; a rule whose test fails makes check
# exit 1.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
need_tools

[ -d "$RULES" ] || fail "the curated rules folder is missing" "a folder at $RULES" "nothing there"

# 1. The curated rules.
run curated "$KBCORR" check --rules "$RULES"
expect_rc curated 0

# copy_rules NAME: a fresh copy of the curated rules in $TMP/NAME.
copy_rules() {
        rm -rf "${TMP:?}/$1"
        mkdir -p "$TMP/$1"
        cp -R "$RULES/." "$TMP/$1/"
}

# 2. The curated rules plus one rule with an unbalanced parenthesis.
copy_rules broken
BROKEN=$TMP/broken/zz-broken-regex.yaml
cat >"$BROKEN" <<'EOF'
# A rule that is valid in every way but its regular expression.
id: Q999001
title: "Test rule with a broken regular expression"
reference: https://support.microsoft.com/kb/999001
window: 10m
cause: >
  None; this rule exists only to be rejected by kbcorr check.
resolution: >
  Close the parenthesis.
signals:
  - id: broken-message
    symptom: true
    match:
      provider: Application Popup
      event_id: 26
      message: 'Extension (SMTP could not be loaded'
EOF
line=$(grep -n "message: 'Extension (SMTP" "$BROKEN" | cut -d: -f1)

run broken "$KBCORR" check --rules "$TMP/broken"
expect_rc broken 1 2
cat "$TMP/broken.out" "$TMP/broken.err" >"$TMP/broken.all"
if ! grep -qF "zz-broken-regex.yaml:$line:" "$TMP/broken.all"; then
        show_file "stdout+stderr" "$TMP/broken.all"
        fail "the broken regex is not reported at its file and line" \
                "a message with 'zz-broken-regex.yaml:$line:'" "$(head -n 3 "$TMP/broken.all")"
fi
if grep -E "^[^ ]*/[^/ ]*\.ya?ml:[0-9]+:" "$TMP/broken.all" | grep -vqF "zz-broken-regex.yaml:"; then
        fail "errors reported in the valid curated rules too" \
                "only zz-broken-regex.yaml" "$(grep -vF "zz-broken-regex.yaml:" "$TMP/broken.all" | head -n 3)"
fi

# A rule set with any error is rejected whole: replay refuses it.
run broken_replay "$KBCORR" replay --rules "$TMP/broken" "$SCENARIOS"
if [ "$RC" -eq 0 ]; then
        fail "replay with a broken rule set" "a non-zero exit status (the set is rejected)" "0"
fi
if [ -s "$TMP/broken_replay.out" ]; then
        fail "replay with a broken rule set printed incidents" "nothing on stdout" \
                "$(head -c 300 "$TMP/broken_replay.out")"
fi
grep -qF "zz-broken-regex.yaml:$line:" "$TMP/broken_replay.err" ||
        fail "replay with a broken rule set does not say where" \
                "'zz-broken-regex.yaml:$line:' on stderr" "$(head -n 3 "$TMP/broken_replay.err")"

# 3. A valid rule whose own test passes, then the same rule with a test that
#    cannot pass (findings -> exit 1).
write_frob_rule() { # FILE EVENT-MESSAGE
        cat >"$1" <<EOF
id: Q999002
title: "Test rule: widget frobnication failure"
window: 5m
cause: >
  The widget could not be frobnicated.
resolution: >
  Frobnicate the widget by hand.
signals:
  - id: frobnication-failed
    symptom: true
    match:
      provider: Widget Service
      text: "Frobnication of the widget failed"
tests:
  - name: the symptom alone
    events:
      - { provider: Widget Service, event_id: 100, message: "$2" }
    expect: { kb: Q999002 }
EOF
}

copy_rules passing
write_frob_rule "$TMP/passing/zz-frob.yaml" "Frobnication of the  widget FAILED"
run passing "$KBCORR" check --rules "$TMP/passing"
expect_rc passing 0

copy_rules failing
write_frob_rule "$TMP/failing/zz-frob.yaml" "The widget is fine."
run failing "$KBCORR" check --rules "$TMP/failing"
expect_rc failing 1
cat "$TMP/failing.out" "$TMP/failing.err" >"$TMP/failing.all"
grep -qF "zz-frob.yaml" "$TMP/failing.all" || {
        show_file "stdout+stderr" "$TMP/failing.all"
        fail "the failing rule test is not reported with its file" "a message naming zz-frob.yaml" \
                "$(head -n 3 "$TMP/failing.all")"
}

# 4. A pattern no event can be ruled out for (no provider, no event id,
#    no literal of eight bytes) is counted: it runs on every event. An
#    error code written as the compiler writes it is not, and the curated
#    rules have none.
if grep -q "run on every event" "$TMP/curated.out"; then
        fail "the curated rules run a pattern on every event" "no such note" "$(tail -n 1 "$TMP/curated.out")"
fi
copy_rules everywhere
cat >"$TMP/everywhere/zz-everywhere.yaml" <<'EOF'
id: Q999003
title: "Test rule: a short pattern and an error code"
window: 5m
cause: >
  A dialog said msgbox, or an operation failed with error 0x5.
resolution: >
  None; this rule exists to be counted.
signals:
  - id: msgbox
    symptom: true
    match: { message: 'msgbox' }
  - id: code-0x00000005
    match:
      message: '\b(?:(?:0x)?00000005|(?:error|status|value|code)\W{0,4}(?:0x5))\b'
EOF
run everywhere "$KBCORR" check --rules "$TMP/everywhere"
expect_rc everywhere 0
grep -q "; 1 pattern(s) run on every event" "$TMP/everywhere.out" ||
        fail "check counts the pattern that runs on every event" \
                "'; 1 pattern(s) run on every event'" "$(tail -n 1 "$TMP/everywhere.out")"

echo "ok: check accepts the curated rules, reports broken ones and counts patterns run on every event"
