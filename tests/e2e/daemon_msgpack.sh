#!/usr/bin/env bash
# output.format: msgpack (issue 6): the mock demo writes its incidents to a
# file as msgpack maps back to back, one per incident, holding the same
# ids and KBs as the JSON output. A format per sink (issue 17): msgpack to
# the file while stdout, in the same run, gets ecs JSON lines. (tests/test_json_msgpack.c checks the
# transcoding value by value.)
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"
# shellcheck source=tests/e2e/daemon.bash
. "$(dirname "$0")/daemon.bash"
need_daemon_tools

for fmt in json msgpack; do
        cat >"$TMP/$fmt.yaml" <<YAML
rules: [$RULES]
input: {topics: [winlog], group: demo}
output: {file: $TMP/out.$fmt, format: $fmt}
metrics: {listen: off}
mock: {brokers: 1, partitions: 2, feed: [$SCENARIOS], exit_when_done: true}
YAML
        run "$fmt" "$KBCORRD" --config "$TMP/$fmt.yaml"
        expect_rc "$fmt" 0
done
n=$(count_lines "$TMP/out.json")
[ "$n" -ge 3 ] || fail "JSON incidents" "at least 3" "$n"
# A msgpack map of up to 15 keys starts with 0x8N; the incident has fewer.
first=$(head -c 1 "$TMP/out.msgpack" | od -An -tx1 | tr -d ' ')
[[ $first == 8? ]] || fail "msgpack output starts with a map" "0x8N" "0x$first"
if grep -qaF '"event":' "$TMP/out.msgpack"; then
        fail "msgpack output holds JSON text"
fi
for id in $(jq -r '.event.id' "$TMP/out.json"); do
        grep -qaF "$id" "$TMP/out.msgpack" || fail "incident $id in the msgpack output"
done
echo "ok: $n incidents as msgpack, the same ids as the JSON output"

cat >"$TMP/mixed.yaml" <<YAML
rules: [$RULES]
input: {topics: [winlog], group: demo}
output:
  format: json
  file: {path: $TMP/out.mixed, format: msgpack}
  stdout: {format: ecs}
metrics: {listen: off}
mock: {brokers: 1, partitions: 2, feed: [$SCENARIOS], exit_when_done: true}
YAML
run mixed "$KBCORRD" --config "$TMP/mixed.yaml"
expect_rc mixed 0
expect_json_lines mixed
expect_eq "incident states on stdout" "$n" "$(count_lines "$TMP/mixed.out")"
first=$(head -c 1 "$TMP/out.mixed" | od -An -tx1 | tr -d ' ')
[[ $first == 8? ]] || fail "the file sink's own format: msgpack" "0x8N" "0x$first"
for id in $(jq -r '.event.id' "$TMP/mixed.out"); do
        grep -qaF "$id" "$TMP/out.mixed" || fail "incident $id in the msgpack file"
done
echo "ok: in one run, msgpack to the file and ecs JSON to stdout"
