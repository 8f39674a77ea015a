#!/usr/bin/env bash
# Issue 17: the seed scenarios' incidents (open states too) in every
# output format, each checked from outside:
#  - ocsf: against the public OCSF 1.8.0 schema files, read here
#    (detection_finding.json down its extends chain, objects/*.json,
#    dictionary.json; ocsf_check.jq): every required attribute present,
#    at every level; no attribute the schema does not define; JSON types
#    and enum values as listed; type_uid = 2004 * 100 + activity_id, 1 for
#    an incident's first state and 2 for the later ones; recommended
#    attributes missing are reported. The checker must itself reject a
#    record with a required attribute dropped;
#  - cef: each line parsed back (7 unescaped pipes, key=value extensions,
#    escapes undone) gives the KB, incident id, host and texts of ECS;
#  - msgpack: decodes to the same objects as the ECS lines.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
need_tools
perl -MData::MessagePack -e1 2>/dev/null ||
        fail "perl with Data::MessagePack is needed" \
                "apt-get install -y libdata-messagepack-perl" "not installed"
SCHEMA=$KBC_SHARED_DIR/data/ocsf-schema-1.8.0
[ -f "$SCHEMA/events/findings/detection_finding.json" ] ||
        fail "the OCSF 1.8.0 schema is missing (set KBC_SHARED_DIR)" \
                "a schema at $SCHEMA" "nothing there"
jq -e '.version == "1.8.0"' "$SCHEMA/version.json" >/dev/null ||
        fail "OCSF schema version" "1.8.0" "$(jq -c .version "$SCHEMA/version.json")"

for f in ecs ocsf cef msgpack; do
        run "$f" "$KBCORR" replay --open --output-format "$f" --rules "$RULES" \
                "$SCENARIOS"
        expect_rc "$f" 0
done
expect_json_lines ecs
expect_json_lines ocsf
ECS=$TMP/ecs.out
n=$(count_lines "$ECS")
[ "$n" -ge 6 ] || fail "incident states of the seed scenarios" "6 or more" "$n"
for f in ocsf cef; do
        expect_eq "$f records, one a line as ECS's" "$n" "$(count_lines "$TMP/$f.out")"
done

"$KBCORR" replay --help | grep -q -- '--output-format O' ||
        fail "replay --help documents --output-format"
run bad "$KBCORR" replay --output-format leef --rules "$RULES" "$SCENARIOS"
expect_rc bad 2
grep -q "output-format: 'leef'" "$TMP/bad.err" ||
        fail "an unknown --output-format is named" "--output-format: 'leef'" \
                "$(cat "$TMP/bad.err")"

# --- OCSF ---------------------------------------------------------------
# The schema as the checker reads it: the class and every object with the
# attributes of their extends chain merged in (a child's definition of an
# attribute overrides its parent's), and the dictionary.
jq -n --slurpfile events <(find "$SCHEMA/events" -name '*.json' -exec cat {} +) \
        --slurpfile objects <(cat "$SCHEMA"/objects/*.json) \
        --slurpfile dict "$SCHEMA/dictionary.json" \
        --slurpfile categories "$SCHEMA/categories.json" '
        def own: (.attributes // {}) | del(."$include");
        def merged($all; $name):
          $all[$name] as $o
          | if $o.extends and $all[$o.extends] then
              merged($all; $o.extends) as $p
              | {name: $name, attributes: ($p.attributes * ($o | own)),
                 constraints: ($o.constraints // $p.constraints // {})}
            else {name: $name, attributes: ($o | own),
                  constraints: ($o.constraints // {})} end;
        ($events | map({(.name): .}) | add) as $ev
        | ($objects | map({(.name): .}) | add) as $ob
        # As the OCSF server compiles a class: its category (inherited
        # from finding) gives category_uid, category_uid * 1000 + uid is
        # class_uid, and type_uid is class_uid * 100 + activity_id.
        | ($ev.detection_finding.category // $ev.finding.category) as $cat
        | $categories[0].attributes[$cat].uid as $cat_uid
        | ($cat_uid * 1000 + $ev.detection_finding.uid) as $class_uid
        | merged($ev; "detection_finding") as $class
        | {class: ($class
            | .attributes.category_uid.enum = {($cat_uid | tostring): {}}
            | .attributes.class_uid.enum = {($class_uid | tostring): {}}
            | .attributes.type_uid.enum = ($class.attributes.activity_id.enum
                | with_entries(.key |= ($class_uid * 100 + tonumber | tostring)))),
           objects: ($ob | keys | map({(.): merged($ob; .)}) | add),
           dict: $dict[0].attributes, types: $dict[0].types.attributes,
           observable_ids: [$dict[0].types.attributes[] | .observable // empty | tostring]}
        ' >"$TMP/schema.json"
required=$(jq -r '.class.attributes | to_entries[]
        | select(.value.requirement == "required") | .key' "$TMP/schema.json" |
        sort | tr '\n' ' ')
# What base_event, finding and detection_finding require in 1.8.0; a
# schema read wrong would check nothing.
expect_eq "required attributes of Detection Finding" \
        "activity_id category_uid class_uid finding_info metadata severity_id time type_uid " \
        "$required"

check_ocsf() { # FILE: the checker's lines for every record of FILE
        jq -r --slurpfile s "$TMP/schema.json" '$s[0] as $schema | '"$(cat "$(dirname "$0")/ocsf_check.jq")" "$1"
}
check_ocsf "$TMP/ocsf.out" >"$TMP/ocsf.check"
if grep -q '^ERROR' "$TMP/ocsf.check"; then
        show_file "ocsf" "$TMP/ocsf.out"
        fail "OCSF records against the 1.8.0 schema" "no ERROR" \
                "$(grep '^ERROR' "$TMP/ocsf.check" | sort -u | head -20)"
fi
echo "recommended attributes kbcorr has no data for:"
sed -n 's/^NOTE record [0-9]*/  /p' "$TMP/ocsf.check" | sed 's/\[[0-9]*\]/[]/g' | sort -u

# The checker itself: a required attribute dropped at the top, in an
# object or in an array's element, an attribute it does not know, and an
# enum value out of range must each be caught.
for mutation in 'del(.severity_id)' 'del(.finding_info.uid)' \
        'del(.metadata.product)' 'del(.remediation.desc)' \
        'del(.finding_info.related_events[0].uid)' \
        'del(.finding_info.analytic.type_id)' 'del(.metadata.version)' \
        '.finding_info.kbcorr = 1' '.status_id = 7' '.confidence_id = 4' \
        '.time = "now"' 'del(.remediation.kb_article_list[0].uid, .remediation.kb_article_list[0].src_url)'; do
        head -1 "$TMP/ocsf.out" | jq -c "$mutation" >"$TMP/mutant.json"
        check_ocsf "$TMP/mutant.json" >"$TMP/mutant.check"
        grep -q '^ERROR' "$TMP/mutant.check" ||
                fail "the OCSF check rejects a record after $mutation"
done

# type_uid and activity_id: each incident's first state creates the
# finding, the later ones update it; the ids are ECS's.
bad=$(jq -rn --slurpfile e "$ECS" '
        def ms: capture("^(?<s>.*)\\.(?<f>[0-9]{3})Z$")
                | (.s + "Z" | fromdateiso8601) * 1000 + (.f | tonumber);
        [inputs] | to_entries[] | .key as $i | .value as $o | $e[$i] as $j
        | [ (if $o.class_uid != 2004 or $o.category_uid != 2 then "class \($o.class_uid)/\($o.category_uid)" else empty end),
            (if $o.type_uid != 200400 + $o.activity_id then "type_uid \($o.type_uid) with activity_id \($o.activity_id)" else empty end),
            (if ($j.event.sequence == 1) != ($o.activity_id == 1) then "activity_id \($o.activity_id) at sequence \($j.event.sequence)" else empty end),
            (if $o.metadata.version != "1.8.0" then "metadata.version \($o.metadata.version)" else empty end),
            (if $o.finding_info.uid != $j.event.id then "finding_info.uid \($o.finding_info.uid) vs event.id \($j.event.id)" else empty end),
            (if $o.finding_info.analytic.uid != $j.kb.id then "analytic.uid \($o.finding_info.analytic.uid) vs kb.id \($j.kb.id)" else empty end),
            (if $o.remediation.desc != $j.kb.resolution then "remediation.desc" else empty end),
            (if $o.remediation.kb_article_list[0].src_url != $j.rule.reference then "kb_article_list[0].src_url" else empty end),
            (if $o.resources[0].hostname != $j.host.name then "resources[0].hostname" else empty end),
            (if $o.time != ($j["@timestamp"] | ms) then "time \($o.time) vs @timestamp \($j["@timestamp"])" else empty end),
            (if $o.confidence_score != ($j.kb.confidence * 100 | round) then "confidence_score" else empty end),
            (if $o.message != $j.message then "message" else empty end),
            (if ($o.evidences | length) != ($j.evidence | length) then "evidences" else empty end)
          ] | select(length > 0) | "record \($i + 1): \(join(", "))"' "$TMP/ocsf.out")
[ -z "$bad" ] || fail "OCSF records against ECS's of the same replay" "none" "$bad"
for t in 200401 200402; do
        jq -se "any(.type_uid == $t)" "$TMP/ocsf.out" >/dev/null ||
                fail "a record of type_uid $t among the seeds' OCSF records"
done

# --- CEF ----------------------------------------------------------------
# Parsed back as a SIEM would: the header up to the 7th unescaped pipe
# (\| and \\ undone); extensions at each unescaped '=' (the key runs back
# to the last space), the value up to the space before the next key, with
# \=, \\, \n and \r undone. One JSON object a line for jq.
perl -MJSON::PP -ne '
        chomp;
        my (@h, $k);
        my $rest = $_;
        for (1 .. 7) {
                $rest =~ s/^((?:[^|\\]|\\[|\\])*)\|// or die "line $.: header has fewer than 7 pipes\n";
                push @h, $1 =~ s/\\([|\\])/$1/gr;
        }
        my (@eq, %ext);
        while ($rest =~ /\\.|=/g) { push @eq, pos($rest) - 1 if $& eq "=" }
        for my $i (0 .. $#eq) {
                my $ks = rindex($rest, " ", $eq[$i]) + 1;
                my $key = substr($rest, $ks, $eq[$i] - $ks);
                my $end = $i < $#eq ? rindex($rest, " ", $eq[$i + 1]) : length $rest;
                my $v = substr($rest, $eq[$i] + 1, $end - $eq[$i] - 1);
                $v =~ s/\\(.)/$1 eq "n" ? "\n" : $1 eq "r" ? "\r" : $1/ge;
                die "line $.: key $key twice\n" if exists $ext{$key};
                $ext{$key} = $v;
        }
        print JSON::PP->new->canonical->encode({header => \@h, ext => \%ext}), "\n";
' "$TMP/cef.out" >"$TMP/cef.json" || fail "CEF lines parse" "7 header fields and key=value extensions" "$(head -3 "$TMP/cef.out")"
bad=$(jq -rn --slurpfile e "$ECS" '
        def ms: capture("^(?<s>.*)\\.(?<f>[0-9]{3})Z$")
                | (.s + "Z" | fromdateiso8601) * 1000 + (.f | tonumber);
        [inputs] | to_entries[] | .key as $i | .value.header as $h | .value.ext as $x | $e[$i] as $j
        | [ (if $h[0:3] != ["CEF:0", "kbcorr", "kbcorr"] then "header \($h[0:3])" else empty end),
            (if $h[4] != $j.kb.id then "header KB \($h[4]) vs kb.id \($j.kb.id)" else empty end),
            (if $h[5] != $j.kb.title then "header name" else empty end),
            (if ($h[6] | test("^([0-9]|10)$") | not) then "severity \($h[6])" else empty end),
            (if $x.externalId != $j.event.id then "externalId \($x.externalId) vs event.id \($j.event.id)" else empty end),
            (if $x.cs1 != $j.kb.id or $x.cs1Label != "kbId" then "cs1" else empty end),
            (if $x.cs2 != $j.kb.cause then "cs2 (cause)" else empty end),
            (if $x.cs3 != $j.kb.resolution then "cs3 (resolution)" else empty end),
            (if $x.cs4 != $j.rule.reference then "cs4 (reference)" else empty end),
            (if $x.cs5 != $j.kbcorr.state then "cs5 (state)" else empty end),
            (if $x.dhost != $j.host.name then "dhost" else empty end),
            (if $x.msg != $j.message then "msg" else empty end),
            (if ($x.cnt | tonumber) != $j.event.count then "cnt" else empty end),
            (if ($x.cn1 | tonumber) != $j.event.sequence then "cn1 (sequence)" else empty end),
            (if ($x.rt | tonumber) != ($j["@timestamp"] | ms) then "rt" else empty end),
            (if ($x.start | tonumber) != ($j.event.start | ms) then "start" else empty end)
          ] | select(length > 0) | "line \($i + 1): \(join(", "))"' "$TMP/cef.json")
[ -z "$bad" ] || fail "CEF lines parsed back against ECS's of the same replay" "none" "$bad"

# --- msgpack ------------------------------------------------------------
perl -MData::MessagePack -MJSON::PP -e '
        sub Data::MessagePack::Boolean::TO_JSON { ${$_[0]} ? JSON::PP::true : JSON::PP::false }
        binmode STDIN;
        local $/;
        my $buf = <STDIN>;
        my $up = Data::MessagePack::Unpacker->new;
        my $json = JSON::PP->new->convert_blessed;
        for (my $off = 0; $off < length $buf; $up->reset) {
                $off = $up->execute($buf, $off);
                die "a truncated msgpack object at the end\n" unless $up->is_finished;
                print $json->encode($up->data), "\n";
        }' <"$TMP/msgpack.out" >"$TMP/msgpack.json" ||
        fail "the msgpack output decodes" "msgpack maps back to back"
if ! diff <(jq -cS . "$TMP/msgpack.json") <(jq -cS . "$ECS") >"$TMP/msgpack.diff"; then
        show_file "diff" "$TMP/msgpack.diff"
        fail "msgpack decodes to the ECS objects"
fi
echo "ok: $n incident states in ecs, ocsf, cef and msgpack"
