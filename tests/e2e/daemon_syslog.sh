#!/usr/bin/env bash
# The syslog sink (issue 17) against Debian's rsyslog, started by the test
# with a private configuration (imtcp on a free port, the raw messages and
# their parsed RFC 5424 fields written to files here, nothing else):
# 1. ecs: kbcorrd starts before the collector listens, retries, and once
#    it is up every incident state arrives, octet-counted, with its
#    header (PRI, version, timestamp, hostname, app name, procid, msgid)
#    and the same incident as the file sink wrote;
# 2. TLS: a collector whose certificate is not trusted is refused; the
#    right one gets every incident state;
# 3. cef (the sink's default): the same, as CEF lines (parsed back field
#    by field in incident_formats.sh).
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"
# shellcheck source=tests/e2e/daemon.bash
. "$(dirname "$0")/daemon.bash"
need_daemon_tools
command -v rsyslogd >/dev/null 2>&1 || fail "rsyslogd is not installed (apt-get install -y rsyslog)"

RSYSLOG_PID=
stop_rsyslog() {
        if [ -n "$RSYSLOG_PID" ]; then
                kill "$RSYSLOG_PID" 2>/dev/null || true
                wait "$RSYSLOG_PID" 2>/dev/null || true
        fi
        RSYSLOG_PID=
}
trap 'stop_rsyslog; cleanup_daemon' EXIT

# A free port for the collector: one the kernel hands out, then released.
PORT=$(perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1:0")->sockport')

# start_rsyslog NAME [tls]: rsyslogd on $PORT (over TLS with
# $TMP/cert.pem) writing $TMP/NAME.raw (each message as received) and
# $TMP/NAME.fields (its RFC 5424 fields, tab separated, as rsyslog parsed
# them).
start_rsyslog() {
        local tls="" imtcp='module(load="imtcp")'
        mkdir -p "$TMP/$1.work"
        if [ "${2:-}" = tls ]; then
                tls="DefaultNetstreamDriver=\"gtls\" DefaultNetstreamDriverCAFile=\"$TMP/cert.pem\"
                     DefaultNetstreamDriverCertFile=\"$TMP/cert.pem\" DefaultNetstreamDriverKeyFile=\"$TMP/key.pem\""
                imtcp='module(load="imtcp" StreamDriver.Name="gtls" StreamDriver.Mode="1" StreamDriver.AuthMode="anon")'
        fi
        cat >"$TMP/$1.conf" <<CONF
global(workDirectory="$TMP/$1.work" maxMessageSize="4m" $tls)
$imtcp
template(name="raw" type="string" string="%rawmsg%\n")
template(name="fields" type="string"
         string="%pri%\t%protocol-version%\t%timereported:::date-rfc3339%\t%hostname%\t%app-name%\t%procid%\t%msgid%\t%structured-data%\t%msg%\n")
ruleset(name="in") {
        action(type="omfile" file="$TMP/$1.raw" template="raw")
        action(type="omfile" file="$TMP/$1.fields" template="fields")
}
input(type="imtcp" port="$PORT" address="127.0.0.1" ruleset="in")
CONF
        rsyslogd -n -f "$TMP/$1.conf" -i "$TMP/$1.pid" </dev/null >"$TMP/$1.rsyslog" 2>&1 &
        RSYSLOG_PID=$!
}

# demo NAME ", MORE": the mock demo over the seed scenarios, to a file
# (ecs) and to syslog; in the background (DAEMON_PID), exits when done.
demo() {
        mock_demo_config "  file: $TMP/$1.file
  syslog: {address: 127.0.0.1:$PORT, retry_max: 1s $2}" >"$TMP/$1.yaml"
        daemon_start "$1" "$TMP/$1.yaml"
}

# check_headers NAME: every message has the RFC 5424 header kbcorrd
# writes, as rsyslog parsed it: <132> (local0.warning), version 1, a UTC
# timestamp with microseconds, this host, kbcorrd, its pid, "incident".
check_headers() {
        local pid=$2 host
        host=$(uname -n)
        awk -F '\t' -v host="$host" -v pid="$pid" '
                !($1 == 132 && $2 == 1 && $3 ~ /^20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9][0-9][0-9][0-9][0-9][0-9](Z|\+00:00)$/ &&
                  $4 == host && $5 == "kbcorrd" && $6 == pid && $7 == "incident" && $8 == "-") {
                        print "bad header: " substr($0, 1, 200); bad = 1 }
                END { exit bad }' "$TMP/$1.fields" ||
                fail "RFC 5424 headers of $1" "<132>1 TIMESTAMP $host kbcorrd $pid incident -" "$(head -c 400 "$TMP/$1.fields")"
        grep -vqE '^<132>1 ' "$TMP/$1.raw" && fail "raw messages start with <132>1" "" "$(head -c 300 "$TMP/$1.raw")"
        return 0
}

# 1. ecs, the collector started after kbcorrd.
demo ecs ", format: ecs"
wait_log "$TMP/ecs.err" "syslog://127.0.0.1:$PORT: connect: Connection refused" 60 ||
        fail "the unreachable collector logged" "connect: Connection refused" "$(cat "$TMP/ecs.err")"
start_rsyslog ecs
daemon_wait 90
expect_rc ecs 0
grep -q "syslog://127.0.0.1:$PORT: delivering again" "$TMP/ecs.err" ||
        fail "kbcorrd reconnected" "delivering again" "$(cat "$TMP/ecs.err")"
pid=$(sed -n 's/.*\t\([0-9]*\)\tincident\t.*/\1/p' "$TMP/ecs.fields" | head -n 1)
sleep 1 # rsyslog's file writes
stop_rsyslog
check_headers ecs "$pid"
jq -cS . "$TMP/ecs.file" | sort >"$TMP/ecs.want"
cut -f 9- "$TMP/ecs.fields" | jq -cS . | sort >"$TMP/ecs.got" || fail "syslog messages hold JSON incidents" "" "$(head -c 400 "$TMP/ecs.fields")"
n=$(count_lines "$TMP/ecs.want")
[ "$n" -ge 3 ] || fail "incident states written to the file" "at least 3" "$n"
cmp -s "$TMP/ecs.want" "$TMP/ecs.got" ||
        fail "the incidents through rsyslog" "$(jq -r '"\(.event.id) \(.event.sequence)"' "$TMP/ecs.want")" \
                "$(jq -r '"\(.event.id) \(.event.sequence)"' "$TMP/ecs.got")"
echo "ok: $n incident states through rsyslog (RFC 5424, octet-counted), equal to the file sink's, after a reconnect"

# 2. Over TLS (rsyslog's gtls driver): a certificate from another CA is
# refused, the right one delivers every incident state.
for who in kbcorr-test other; do
        openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$who" \
                -addext "subjectAltName=IP:127.0.0.1" \
                -keyout "$TMP/$who.key" -out "$TMP/$who.pem" 2>"$TMP/openssl.err" ||
                fail "openssl made a test certificate" "" "$(cat "$TMP/openssl.err")"
done
cp "$TMP/kbcorr-test.pem" "$TMP/cert.pem"
cp "$TMP/kbcorr-test.key" "$TMP/key.pem"
start_rsyslog tls tls
sleep 1
demo untrusted ", format: ecs, tls: true, tls_ca: $TMP/other.pem"
wait_log "$TMP/untrusted.err" 'TLS handshake: .*certificate verify failed' 60 ||
        fail "a collector with an untrusted certificate refused" "TLS handshake: ... certificate verify failed" "$(cat "$TMP/untrusted.err")"
daemon_stop KILL 10
demo tls ", format: ecs, tls: true, tls_ca: $TMP/cert.pem"
daemon_wait 90
expect_rc tls 0
sleep 1
stop_rsyslog
jq -cS . "$TMP/tls.file" | sort >"$TMP/tls.want"
cut -f 9- "$TMP/tls.fields" | jq -cS . | sort >"$TMP/tls.got" || fail "TLS syslog messages hold JSON incidents" "" "$(head -c 400 "$TMP/tls.fields")"
cmp -s "$TMP/tls.want" "$TMP/tls.got" || fail "the incidents through rsyslog over TLS" "$(count_lines "$TMP/tls.want") states" "$(count_lines "$TMP/tls.got")"
if grep -qF "$(jq -r .event.id "$TMP/tls.file" | head -n 1)" "$TMP/untrusted.fields" 2>/dev/null; then
        fail "nothing sent to an untrusted collector"
fi
echo "ok: $(count_lines "$TMP/tls.want") incident states over TLS; an untrusted certificate refused"

# 3. cef, the syslog sink's default format.
start_rsyslog cef
sleep 1
demo cef ""
daemon_wait 90
expect_rc cef 0
sleep 1
stop_rsyslog
pid=$(sed -n 's/.*\t\([0-9]*\)\tincident\t.*/\1/p' "$TMP/cef.fields" | head -n 1)
check_headers cef "$pid"
expect_eq "CEF messages, one per incident state" "$(count_lines "$TMP/cef.file")" "$(count_lines "$TMP/cef.fields")"
if cut -f 9- "$TMP/cef.fields" | grep -vq '^CEF:0|kbcorr|kbcorr|'; then
        fail "every message a CEF line" "CEF:0|kbcorr|kbcorr|..." "$(cut -f 9- "$TMP/cef.fields" | head -n 3)"
fi
for id in $(jq -r .event.id "$TMP/cef.file" | sort -u); do
        grep -qF "$id" "$TMP/cef.fields" || fail "incident $id in the CEF messages"
done
echo "ok: $(count_lines "$TMP/cef.fields") CEF incident states through rsyslog"
