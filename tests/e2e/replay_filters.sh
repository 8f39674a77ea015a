#!/usr/bin/env bash
# replay --host GLOB and --kb ID (issue 7) on the seed scenarios, whose
# incidents are MAIL-A -> Q247773, MAIL-B -> Q324332 and MAIL-C -> both
# tied, kb.id Q247773 (tests/e2e/seed_scenarios.sh). Each filter keeps
# exactly the expected incidents, byte-identical to the unfiltered run's:
# --host skips other hosts' events before correlation, which cannot change
# a kept host's verdict since correlation is per host; --kb drops
# incidents on output by their winning KB.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
need_tools

run all "$KBCORR" replay --stats --rules "$RULES" "$SCENARIOS"
expect_rc all 0
expect_eq "unfiltered incidents" 3 "$(count_lines "$TMP/all.out")"

# the unfiltered incidents of the hosts with these first labels, in order
incidents_of() {
        local re
        re=$(printf '%s|' "$@")
        grep -iE "\"host\":\\{\"name\":\"(${re%|})\\." "$TMP/all.out" || true
}

# keeps NAME "FILTER ARGS" LABEL...: replay with the filters keeps exactly
# the unfiltered incidents of those hosts, byte for byte.
keeps() {
        local name=$1 args=$2
        shift 2
        # shellcheck disable=SC2086 # the filter arguments are words
        run "$name" "$KBCORR" replay --rules "$RULES" $args "$SCENARIOS"
        expect_rc "$name" 0
        incidents_of "$@" >"$TMP/$name.want"
        if ! cmp -s "$TMP/$name.want" "$TMP/$name.out"; then
                show_file "stdout" "$TMP/$name.out"
                fail "replay $args" "the incidents of: ${*:-nobody}" \
                        "$(jq -r '.host.name + " " + .kb.id' "$TMP/$name.out" | tr '\n' ';')"
        fi
}

# Hosts: globs, any case; repeatable; no match, no incident.
keeps host_a "--host mail-a*" mail-a
keeps host_b_case "--host MAIL-B.CORP.EXAMPLE" mail-b
keeps host_class "--host mail-[ab].corp.example" mail-a mail-b
keeps host_two "--host mail-a* --host *-C.corp.example" mail-a mail-c
keeps host_none "--host file-*"

# Skipped before correlation: counted as filtered, never matched.
run host_stats "$KBCORR" replay --stats --rules "$RULES" --host 'mail-a*' "$SCENARIOS"
filtered=$(sed -nE 's/.*filtered ([0-9]+),.*/\1/p' "$TMP/host_stats.err")
[ "${filtered:-0}" -gt 0 ] || fail "--host: other hosts' events counted as filtered" "> 0" "${filtered:-none}"
m_all=$(sed -nE 's/.*matched events ([0-9]+),.*/\1/p' "$TMP/all.err")
m_a=$(sed -nE 's/.*matched events ([0-9]+),.*/\1/p' "$TMP/host_stats.err")
[ "$m_a" -lt "$m_all" ] || fail "--host: fewer events reach the matcher" "< $m_all" "$m_a"

# KB ids: the winning KB, in any of its spellings.
keeps kb_q "--kb Q247773" mail-a mail-c
keeps kb_kb "--kb KB324332" mail-b
keeps kb_digits "--kb 324332" mail-b
keeps kb_lower "--kb q247773 --kb kb324332" mail-a mail-b mail-c
keeps kb_and_host "--kb 247773 --host mail-c*" mail-c
keeps kb_host_none "--kb Q324332 --host mail-c*"

# Values that cannot be right are usage errors, named.
run kb_unknown "$KBCORR" replay --rules "$RULES" --kb Q999999 "$SCENARIOS"
expect_rc kb_unknown 2
grep -q 'Q999999' "$TMP/kb_unknown.err" || fail "--kb of no loaded rule is named" "Q999999" "$(cat "$TMP/kb_unknown.err")"
[ ! -s "$TMP/kb_unknown.out" ] || fail "--kb of no loaded rule: no replay" "no incidents" "$(count_lines "$TMP/kb_unknown.out")"
run host_empty "$KBCORR" replay --rules "$RULES" --host '' "$SCENARIOS"
expect_rc host_empty 2

echo "ok: --host and --kb keep exactly the expected incidents"
