#!/usr/bin/env bash
# kbcorrd's configuration: a bad file fails at start, exit 2, with one
# "file:line: what is wrong" per mistake; the annotated example and the
# mock example load (--check).
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"
# shellcheck source=tests/e2e/daemon.bash
. "$(dirname "$0")/daemon.bash"
need_daemon_tools

# expect_errors NAME WANT...: the last run (NAME) failed with exit 2,
# saying each WANT.
expect_errors() {
        local name=$1 want
        shift
        expect_rc "$name" 2
        for want in "$@"; do
                grep -qF "$want" "$TMP/$name.err" || fail "error message" "$want" "$(cat "$TMP/$name.err")"
        done
}

cat >"$TMP/bad.yaml" <<YAML
rules: [$RULES]
input:
  topics: []
  grop: a
kafka: {bootstrap.servers: "127.0.0.1:1"}
output: {stdout: maybe}
correlation: {lateness: soon, max_hosts: 0}
log: {level: loud, format: xml}
metrics: {listen: "nowhere:80"}
workers: 0
YAML
run bad "$KBCORRD" --config "$TMP/bad.yaml" --check
expect_errors bad "bad.yaml:3: input.topics: name at least one topic" \
        "bad.yaml:4: unknown key 'grop' in input" \
        "bad.yaml:6: output.stdout: expected true or false" \
        "bad.yaml:7: correlation.lateness: expected a duration" \
        "bad.yaml:7: correlation.max_hosts: expected an integer" \
        "bad.yaml:8: log.level: debug, info, warn or error, got 'loud'" \
        "bad.yaml:8: log.format: logfmt or json, got 'xml'" \
        "bad.yaml:9: metrics.listen: expected IPV4:PORT or off, got 'nowhere:80'" \
        "bad.yaml:10: workers: expected an integer in 1..64"
echo "ok: $(count_lines "$TMP/bad.err") errors with file:line"

# Limits that used to be silent: a message size the decoder would refuse
# anyway, a zone that is not one, Kafka properties past the table's end.
{
        cat <<YAML
rules: [$RULES]
input: {topics: [t], max_message_bytes: 67108864, utc_offset: "+25:00"}
output: {stdout: true}
kafka:
YAML
        for i in $(seq 0 256); do echo "  client.id.$i: x"; done
} >"$TMP/limits.yaml"
run limits "$KBCORRD" --config "$TMP/limits.yaml" --check
expect_errors limits "limits.yaml:2: input.max_message_bytes: expected an integer in 256..1048576" \
        "limits.yaml:2: input.utc_offset: expected +HH:MM, -HHMM or +H, got '+25:00'" \
        "limits.yaml:261: kafka: at most 256 properties"
echo "ok: oversized limits, a bad zone and a 257th Kafka property are errors"

# sinks_config OUTPUT: a configuration whose output section is OUTPUT
# (its lines start on line 5).
sinks_config() {
        printf 'rules: [%s]\ninput: {topics: [t]}\nkafka: {bootstrap.servers: "127.0.0.1:1"}\noutput:\n%s\n' "$RULES" "$1"
}

# The sinks' formats and the HEC and syslog sections (issue 17).
sinks_config '  file: {path: out.json, format: xml}
  kafka: {format: ocsf}
  stdout: {format: cef, colour: red}
  hec: {url: "ftp://splunk:8088", format: msgpack, batch_events: 0, acks: maybe}
  syslog: {address: "syslog.example:514", app_name: "kb corr", facility: 24}' >"$TMP/sinks.yaml"
run sinks "$KBCORRD" --config "$TMP/sinks.yaml" --check
expect_errors sinks "sinks.yaml:5: output.file.format: ecs, ocsf, cef or msgpack, got 'xml'" \
        "sinks.yaml:6: output.kafka.topic is missing" \
        "sinks.yaml:7: unknown key 'colour' in output.stdout" \
        "sinks.yaml:8: output.hec.url: expected http(s)://host:port" \
        "sinks.yaml:8: output.hec.token is missing" \
        "sinks.yaml:8: output.hec.format: ecs, ocsf or cef (this sink carries text), got 'msgpack'" \
        "sinks.yaml:8: output.hec.batch_events: expected an integer in 1..100000" \
        "sinks.yaml:8: output.hec.acks: expected true or false" \
        "sinks.yaml:9: output.syslog.address: expected IPV4:PORT, got 'syslog.example:514'" \
        "sinks.yaml:9: output.syslog.app_name: at most 48 printable ASCII characters without spaces" \
        "sinks.yaml:9: output.syslog.facility: expected an integer in 0..23"
echo "ok: bad sink formats, HEC and syslog settings are errors with file:line"

# Every documented key of the sinks loads (docs/daemon.md, "Sinks").
sinks_config '  format: msgpack
  kafka: {topic: incidents, format: ecs}
  file: {path: out.msgpack}
  stdout: {format: ocsf}
  hec: {url: "https://splunk.example:8088/", token: t, index: soc, source: kbcorrd,
        sourcetype: "kbcorr:incident", host: collector-1, channel: 0f9e4f5e-2b1c-4c34-9a53-0d3b6c2a1f00,
        format: ecs, acks: true, batch_events: 100, linger: 50ms, timeout: 10s,
        ack_poll: 200ms, ack_timeout: 60s, retry_max: 30s, tls_verify: true}
  syslog: {address: "127.0.0.1:6514", format: cef, app_name: kbcorrd, msgid: incident,
           hostname: collector-1, facility: 16, severity: 4, retry_max: 30s, tls: true,
           tls_ca: /etc/ssl/certs/ca-certificates.crt, tls_verify: true, tls_server_name: syslog.example}' >"$TMP/allsinks.yaml"
run allsinks "$KBCORRD" --config "$TMP/allsinks.yaml" --check
expect_rc allsinks 0
echo "ok: every sink key loads"

# The annotated example: only its (absent here) rule folders fail.
run example "$KBCORRD" --config "$KBC_SOURCE_DIR/examples/kbcorrd.yaml" --check
expect_rc example 2
if grep -v '/var/lib/kbcorr/kb-rules\|/etc/kbcorr/curated\|rule set was not loaded' "$TMP/example.err" | grep -q .; then
        fail "examples/kbcorrd.yaml has configuration errors" "" "$(cat "$TMP/example.err")"
fi
run mock "$KBCORRD" --config "$KBC_SOURCE_DIR/examples/kbcorrd-mock.yaml" --check
expect_rc mock 0
run usage "$KBCORRD"
expect_rc usage 2
run help "$KBCORRD" --help
expect_rc help 0
grep -q -- "--config FILE" "$TMP/help.out" || fail "--help" "the usage" "$(cat "$TMP/help.out")"
echo "ok: examples load, usage and --help"
