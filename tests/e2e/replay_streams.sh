#!/usr/bin/env bash
# replay's file shapes beyond lines: the seed scenarios written (by
# tests/tools/convert_events.c) as one Fluent Bit msgpack stream, as one
# pretty-printed XML document (BOM, <?xml?>, a comment, <Events>, CRLF)
# and as XML one event a line give the incidents of the JSON replay,
# origins aside (each origin names the object, or the element's first
# line); so do they gzip or xz compressed and from stdin. A cut msgpack
# stream and a cut XML document give one error each naming the file and
# the object or line, the other inputs replay as if alone, exit 2.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
need_tools
export LC_ALL=C
CONVERT_EVENTS=${CONVERT_EVENTS:-$KBC_SOURCE_DIR/build/tests/convert_events}
[ -x "$CONVERT_EVENTS" ] || fail "convert_events not built" \
        "an executable at \$CONVERT_EVENTS" "'$CONVERT_EVENTS'"

# replay_ok NAME INPUT...: replay, exit 0 and nothing on stderr.
replay_ok() {
        local name=$1
        shift
        run "$name" "$KBCORR" replay --rules "$RULES" "$@"
        expect_rc "$name" 0
        if [ -s "$TMP/$name.err" ]; then
                show_file stderr "$TMP/$name.err"
                fail "$name: nothing on stderr" "(empty)" "see above"
        fi
}

# 1. The shapes, from the scenarios and from the scenarios with their
#    times cut to the second (all Fluent Bit's TimeCreated carries). In
#    $TMP, so that origins name relative paths.
cd "$TMP"
cp "$SCENARIOS" events.jsonl
jq -c '."@timestamp" |= sub("\\.[0-9]+Z$"; ".000Z")' events.jsonl >seconds.jsonl
"$CONVERT_EVENTS" msgpack <events.jsonl >events.msgpack
"$CONVERT_EVENTS" xml-document <events.jsonl >events.xml
"$CONVERT_EVENTS" xml-lines <events.jsonl >lines.xml
nevents=$(count_lines events.jsonl)
expect_eq "one XML line per event" "$nevents" "$(count_lines lines.xml)"
[ "$(wc -l <events.xml)" -gt $((nevents * 20)) ] ||
        fail "the XML document spans many lines per event" "> $((nevents * 20)) lines" "$(wc -l <events.xml)"
# The msgpack stream holds newline bytes, so lines would cut records.
[ "$(wc -l <events.msgpack)" -gt 0 ] || fail "0x0a bytes in the msgpack stream" "some" "none"

replay_ok json events.jsonl
replay_ok seconds seconds.jsonl
expect_eq "incidents from the seed scenarios" 3 "$(count_lines "$TMP/json.out")"
replay_ok xml events.xml
replay_ok xml_lines lines.xml
replay_ok msgpack events.msgpack

# 2. The same incidents, origins aside; and exactly the same bytes once
#    each origin is mapped back to the JSON line of the event.
project='[inputs | del(.evidence[]?.origin)] | .[]'
jq -nc "$project" json.out >json.cmp
jq -nc "$project" seconds.out >seconds.cmp
for shape in xml xml_lines; do
        jq -nc "$project" "$shape.out" >"$shape.cmp"
        same_bytes "$shape vs JSON (origins aside)" json.cmp "$shape.cmp"
done
jq -nc "$project" msgpack.out >msgpack.cmp
same_bytes "msgpack vs JSON with whole seconds (origins aside)" seconds.cmp msgpack.cmp
sed 's#"origin":"lines.xml:#"origin":"events.jsonl:#g' xml_lines.out >xml_lines.as_json
same_bytes "XML lines vs JSON, origins renamed" json.out xml_lines.as_json
sed -E 's|"origin":"events.msgpack#object ([0-9]+)"|"origin":"seconds.jsonl:\1"|g' msgpack.out >msgpack.as_json
same_bytes "msgpack vs JSON, object N as line N" seconds.out msgpack.as_json
# A document origin is the line its <Event> starts on.
jq -r '.evidence[].origin' xml.out | while read -r origin; do
        line=${origin#events.xml:}
        case $(sed -n "${line}p" events.xml) in
        "  <Event "*) ;;
        *) fail "origin $origin is an <Event> start tag's line" "  <Event ..." "$(sed -n "${line}p" events.xml | head -c 80)" ;;
        esac
done

# 3. Compressed, and from stdin, each gives the plain file's incidents.
for file in events.xml lines.xml events.msgpack; do
        gzip -c "$file" >"$file.gz"
        xz -c "$file" >"$file.xz"
        replay_ok plain "$file"
        for z in gz xz; do
                replay_ok "$z" "$file.$z"
                sed "s#\"origin\":\"$file.$z#\"origin\":\"$file#g" "$TMP/$z.out" >"$TMP/$z.renamed"
                same_bytes "$file.$z vs $file" "$TMP/plain.out" "$TMP/$z.renamed"
                run stdin sh -c '"$0" replay --rules "$1" - <"$2"' "$KBCORR" "$RULES" "$file.$z"
                expect_rc stdin 0
                sed "s#\"origin\":\"<stdin>#\"origin\":\"$file#g" "$TMP/stdin.out" >"$TMP/stdin.renamed"
                same_bytes "$file.$z on stdin vs $file" "$TMP/plain.out" "$TMP/stdin.renamed"
        done
done

# 4. Cut files (hosts renamed CUT-*), then the JSON scenarios: one error
#    per cut file naming the object or the element's first line, the
#    events before the cut replayed, the MAIL-* incidents as alone, exit 2.
sed 's/MAIL-/CUT-/g' events.jsonl >cut.jsonl
"$CONVERT_EVENTS" msgpack <cut.jsonl >cut-full.msgpack
"$CONVERT_EVENTS" xml-document <cut.jsonl >cut-full.xml
head -c "$(($(wc -c <cut-full.msgpack) * 9 / 10))" cut-full.msgpack >cut.msgpack
head -c "$(($(wc -c <cut-full.xml) * 9 / 10))" cut-full.xml >cut.xml
xz -c cut.xml >cut.xml.xz
run cut "$KBCORR" replay --rules "$RULES" cut.msgpack cut.xml.xz events.jsonl
expect_rc cut 2
expect_json_lines cut
expect_eq "lines on stderr" 2 "$(count_lines "$TMP/cut.err")"
grep -qE '^kbcorr: cut\.msgpack#object [0-9]+: truncated msgpack: the input ends [0-9]+ bytes into this object$' "$TMP/cut.err" ||
        { show_file stderr "$TMP/cut.err"; fail "the cut msgpack stream's error"; }
grep -qE '^kbcorr: cut\.xml\.xz:[0-9]+: truncated XML: the input ends [0-9]+ bytes into this <Event> element, before its </Event>$' "$TMP/cut.err" ||
        { show_file stderr "$TMP/cut.err"; fail "the cut XML document's error"; }
object=$(sed -nE 's/^kbcorr: cut\.msgpack#object ([0-9]+): .*/\1/p' "$TMP/cut.err")
[ "$object" -gt 50 ] && [ "$object" -le "$nevents" ] || fail "object of the cut" "51..$nevents" "$object"
line=$(sed -nE 's/^kbcorr: cut\.xml\.xz:([0-9]+): .*/\1/p' "$TMP/cut.err")
case $(sed -n "${line}p" cut-full.xml) in
"  <Event "*) ;;
*) fail "the cut element is named by its first line" "  <Event ..." "$(sed -n "${line}p" cut-full.xml | head -c 80)" ;;
esac
grep -q '"host":{"name":"CUT-' "$TMP/cut.out" ||
        fail "incidents from the events before the cuts" "some CUT-* incidents" "none"
grep '"host":{"name":"MAIL-' "$TMP/cut.out" >cut.mail || true
grep '"host":{"name":"MAIL-' json.out >json.mail || true
same_bytes "the JSON scenarios after cut files vs alone" json.mail cut.mail

# 5. explain reads the same shapes.
run explain "$KBCORR" explain --rules "$RULES" events.msgpack
expect_rc explain 0
grep -q '^events.msgpack#object [0-9]*: fluentbit event: ' "$TMP/explain.out" ||
        { show_file stdout "$TMP/explain.out"; fail "explain names msgpack objects"; }

echo "ok: msgpack streams and XML documents, plain, compressed and on stdin, replay as the JSON lines do; cut ones are reported"
