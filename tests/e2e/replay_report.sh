#!/usr/bin/env bash
# kbcorr replay --report (docs/report.md): the seed scenarios give an HTML
# page that headless Chromium renders with the three expected incidents
# (hosts, KB ids, causes), links between each incident and its evidence,
# and no reference to anything outside the page. A hostile event (markup,
# quotes, ampersands, invalid UTF-8 in its message and host name) must
# come out as text: no element injected into the DOM. The JSON lines on
# stdout are the same with and without --report.
#
# Chromium is required (scripts/dev.sh installs it with the test packages).
# KBC_REPORT_SCREENSHOT=docs/img/report.png also keeps the screenshot of the
# seed scenarios' page there (how the README's picture is made).
set -euo pipefail
. "$(dirname "$0")/lib.bash"
need_tools
command -v chromium >/dev/null 2>&1 ||
        fail "chromium is not installed (scripts/dev.sh deps installs it)"

# browse NAME ARGS...: headless Chromium on a scratch profile, bounded in
# time so that a browser that hangs cannot hang the suite.
browse() {
        local name=$1
        shift
        run "$name" env HOME="$TMP" timeout -k 10 120 chromium --headless \
                --no-sandbox --disable-gpu --no-first-run \
                --user-data-dir="$TMP/profile-$name" "$@"
        expect_rc "$name" 0
}

# text_of FILE: the text of an HTML serialization: tags dropped, the
# references Chromium writes decoded.
text_of() {
        sed -e 's/<[^>]*>//g' -e 's/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g' \
                -e "s/&#39;/'/g; s/&nbsp;/ /g; s/&amp;/\\&/g" "$1"
}

# ---- the seed scenarios --------------------------------------------------
# From the source folder, so that the page names the input (and origins)
# as the docs do: examples/seed-scenarios.jsonl.
cd "$KBC_SOURCE_DIR"
SCENARIOS=examples/seed-scenarios.jsonl
PAGE=$TMP/seed.html
run plain "$KBCORR" replay --rules "$RULES" "$SCENARIOS"
expect_rc plain 0
run report "$KBCORR" replay --rules "$RULES" --report "$PAGE" "$SCENARIOS"
expect_rc report 0
[ -s "$PAGE" ] || fail "--report wrote no page" "a file at $PAGE" "nothing"
cmp -s "$TMP/plain.out" "$TMP/report.out" ||
        fail "--report changed the JSON lines on stdout" "the same bytes" \
                "$(diff "$TMP/plain.out" "$TMP/report.out" | head -5)"
INCIDENTS=$TMP/report.out

# Self-contained: no script, no fetch, links only inside the page.
if grep -qi '<script' "$PAGE"; then
        fail "the page holds a script element" "none" "$(grep -io '<script[^>]*>' "$PAGE" | head -3)"
fi
outside=$(grep -Eio '(href|src|srcset|action|poster|xlink:href)="[^#"][^"]*"|url\(|@import' "$PAGE" | head -5 || true)
expect_eq "references to anything outside the page" "" "$outside"
grep -q "http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'" "$PAGE" ||
        fail "the page's Content-Security-Policy" "default-src 'none'" "missing"
# http(s) appears only as the text of the rules' KB references.
urls=$(grep -Eo '.https?://[^<"]*' "$PAGE" | sort -u | tr '\n' ' ')
refs=$(jq -r '">" + .rule.reference' "$INCIDENTS" | sort -u | tr '\n' ' ')
expect_eq "http(s) in the page (only the KB references, as text)" "$refs" "$urls"

started=$(date +%s%N)
browse dom --dump-dom "file://$PAGE"
DOM=$TMP/dom.out
text_of "$DOM" >"$TMP/dom.txt"

# The page names every incident's host, KB, cause and resolution.
n=$(jq -s length "$INCIDENTS")
expect_eq "incidents on the page's title" "kbcorr replay: $n incidents on 3 hosts" \
        "$(grep -o '<title>[^<]*' "$DOM" | head -1 | sed 's/<title>//')"
while IFS=$'\t' read -r id host kb cause resolution; do
        for want in "$host" "$kb" "${cause:0:60}" "${resolution:0:60}"; do
                grep -qF -- "$want" "$TMP/dom.txt" ||
                        fail "incident $id: the page's text lacks it" "$want" "not found"
        done
        # Links both ways: incident -> each evidence row -> incident.
        grep -q "<article class=\"incident\" id=\"inc-$id\"" "$DOM" ||
                fail "incident $id has no anchor" "id=\"inc-$id\"" "none"
        nev=$(jq -r --arg id "$id" 'select(.event.id == $id) | .evidence | length' "$INCIDENTS")
        for ((e = 1; e <= nev; e++)); do
                grep -q "href=\"#inc-$id-e$e\"" "$DOM" ||
                        fail "incident $id: no link to its evidence E$e" "href=\"#inc-$id-e$e\"" "none"
                grep -q "<tr id=\"inc-$id-e$e\"><td><a href=\"#inc-$id\"" "$DOM" ||
                        fail "incident $id: evidence E$e does not link back" \
                                "<tr id=\"inc-$id-e$e\"><td><a href=\"#inc-$id\"" "none"
        done
done < <(jq -r '[.event.id, .host.name, .kb.id, .kb.cause, .kb.resolution] | @tsv' "$INCIDENTS")
grep -qF "ambiguous: 2 articles fit equally" "$TMP/dom.txt" ||
        fail "MAIL-C is not shown as ambiguous" "ambiguous: 2 articles fit equally" "not found"
# ... and says for each candidate what to check next.
grep -qF "MSExchangeSA event 2037: a message matching" "$TMP/dom.txt" ||
        fail "MAIL-C's check-next list" "Q247773's 2037 as a signal to look for" "not found"
grep -qF "Input span2024-03-14T09:00:41.000Z to 2024-03-14T09:58:40.115Z" "$TMP/dom.txt" ||
        fail "the summary's input span" "2024-03-14T09:00:41.000Z to 2024-03-14T09:58:40.115Z" \
                "$(grep -o 'Input span[^(]*' "$TMP/dom.txt")"
# --host: the span and the counts are those of the kept host's events.
run onehost "$KBCORR" replay --rules "$RULES" --host 'mail-b*' --report "$TMP/onehost.html" "$SCENARIOS"
expect_rc onehost 0
span=$(jq -r 'select(.host.name | test("^MAIL-B"; "i")) | ."@timestamp"' "$SCENARIOS" | sort | sed -n '1p;$p' | paste -sd ' ')
nkept=$(jq -r 'select(.host.name | test("^MAIL-B"; "i")) | 1' "$SCENARIOS" | wc -l | tr -d ' ')
got=$(sed -n 's|.*Input span</dt><dd><time>\([^<]*\)</time> to <time>\([^<]*\)</time>.*|\1 \2|p' "$TMP/onehost.html")
expect_eq "the input span with --host" "$span" "$got"
grep -qF "$(count_lines "$SCENARIOS") read, 0 not decoded, $(($(count_lines "$SCENARIOS") - nkept)) filtered out" "$TMP/onehost.html" ||
        fail "the counts with --host" "$((96 - nkept)) filtered out" "$(grep -o '<dt>Events</dt><dd>[^<]*' "$TMP/onehost.html")"
# One timeline strip per host, with a bar per incident.
expect_eq "timeline strips" 3 "$(grep -o '<svg class="strip"' "$DOM" | wc -l | tr -d ' ')"
expect_eq "timeline bars" "$n" "$(grep -o '<rect class="bar' "$DOM" | wc -l | tr -d ' ')"

browse shot --screenshot="$TMP/report.png" --window-size=1280,1400 "file://$PAGE"
[ "$(head -c 8 "$TMP/report.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
        fail "the screenshot is not a PNG" "a PNG at $TMP/report.png" "$(head -c 16 "$TMP/report.png" | od -c | head -1)"
if [ -n "${KBC_REPORT_SCREENSHOT:-}" ]; then
        cp "$TMP/report.png" "$KBC_REPORT_SCREENSHOT"
        echo "screenshot written to $KBC_REPORT_SCREENSHOT"
fi

# Printable: each host starts a new page. Printed with and without that
# rule of the print stylesheet, the page must take more sheets with it.
if ! grep -qF 'section.host{break-before:page}' "$PAGE"; then
        fail "the print stylesheet" "a page break before each host" "missing"
fi
sed 's/section\.host{break-before:page}//' "$PAGE" >"$TMP/nobreaks.html"
browse pdf --no-pdf-header-footer --print-to-pdf="$TMP/with.pdf" "file://$PAGE"
browse pdf2 --no-pdf-header-footer --print-to-pdf="$TMP/without.pdf" "file://$TMP/nobreaks.html"
with=$(grep -ao '/Type /Page\b' "$TMP/with.pdf" | wc -l | tr -d ' ')
without=$(grep -ao '/Type /Page\b' "$TMP/without.pdf" | wc -l | tr -d ' ')
if [ "$with" -le "$without" ] || [ "$with" -lt 4 ]; then
        fail "printed pages with a page per host, and without" "more with (at least 4)" \
                "$with with, $without without"
fi

# Deterministic: the same input gives the same page.
run again "$KBCORR" replay --rules "$RULES" --report "$TMP/again.html" "$SCENARIOS"
cmp -s "$PAGE" "$TMP/again.html" || fail "two reports of the same input differ" \
        "byte-identical pages" "$(diff "$PAGE" "$TMP/again.html" | head -5)"

# ---- a hostile event -----------------------------------------------------
# MAIL-C's lone symptom, logged by a host whose name and message carry
# markup, quotes, an ampersand and invalid UTF-8 (\xff, a truncated \xc3),
# and again 20 minutes later: a repeat of the same incident (same id),
# which replaces the first on the page.
HOSTILE=$TMP/hostile.jsonl
bad=$'\xff\xc3'
line='{"@timestamp":"2024-03-14T10:00:00.000Z","message":"Application popup: <script>document.title=\"pwned\"</script><img src=x onerror=\"alert(1)\"> Tom & Jerry'"'"'s '"$bad"' Extension SMTP could not be loaded.","winlog":{"provider_name":"Application Popup","channel":"System","event_id":26,"computer_name":"WEB-7\"><b id=\"injected\">x</b>","record_id":7}}'
printf '%s\n' "$line" "${line/10:00:00/10:20:00}" >"$HOSTILE"
run hostile "$KBCORR" replay --rules "$RULES" --report "$TMP/hostile.html" "$HOSTILE"
expect_rc hostile 0
expect_eq "incident lines from the hostile events (the first, then its repeat)" \
        "2 1" "$(count_lines "$TMP/hostile.out") $(jq -r .event.id "$TMP/hostile.out" | sort -u | wc -l | tr -d ' ')"
browse hdom --dump-dom "file://$TMP/hostile.html"
HDOM=$TMP/hdom.out
for tag in '<script' '<img' '<b id="injected"' '<b>'; do
        if grep -qF -- "$tag" "$HDOM"; then
                fail "hostile input injected an element into the DOM" "no $tag" \
                        "$(grep -oF -- "$tag" "$HDOM" | head -1)"
        fi
done
text_of "$HDOM" >"$TMP/hdom.txt"
for want in '<script>document.title="pwned"</script><img src=x onerror="alert(1)"> Tom & Jerry'"'"'s' \
        'WEB-7"><b id="injected">x</b>' $'\xef\xbf\xbd'; do
        grep -qF -- "$want" "$TMP/hdom.txt" ||
                fail "the hostile text is not shown as text" "$want" "not found"
done
grep -q '<title>kbcorr replay: 1 incident on 1 host</title>' "$HDOM" ||
        fail "the page's title (unchanged by the message, one incident for the repeat)" \
                "kbcorr replay: 1 incident on 1 host" "$(grep -o '<title>[^<]*' "$HDOM")"
grep -qF "in 2 repeated cases" "$TMP/hdom.txt" ||
        fail "the repeat is not folded into the incident on the page" "in 2 repeated cases" "not found"

# A page that cannot be written fails before the replay, naming the path.
run badpath "$KBCORR" replay --rules "$RULES" --report "$TMP/no/such/dir/r.html" "$SCENARIOS"
expect_rc badpath 2
grep -qF -- "--report $TMP/no/such/dir/r.html" "$TMP/badpath.err" ||
        fail "the error names the report's path" "--report $TMP/no/such/dir/r.html: ..." \
                "$(cat "$TMP/badpath.err")"
if [ -s "$TMP/badpath.out" ]; then
        fail "incidents printed although the report could not be opened" \
                "nothing on stdout" "$(head -c 200 "$TMP/badpath.out")"
fi

echo "ok: replay --report renders $n incidents, links them to their evidence, escapes hostile text ($(( ($(date +%s%N) - started) / 1000000 )) ms in Chromium and checks)"
