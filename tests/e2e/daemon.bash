# Helpers for the kbcorrd end-to-end scripts (sourced after lib.bash): a
# mock Kafka cluster in a process of its own (tests/tools/mock_cluster.c),
# kcat as the independent producer and consumer, and the daemon.
#
# Environment (set by ctest): KBCORRD, MOCK_CLUSTER.

KBCORRD=${KBCORRD:-$KBC_SOURCE_DIR/build/kbcorrd}
MOCK_CLUSTER=${MOCK_CLUSTER:-$KBC_SOURCE_DIR/build/tests/mock_cluster}
HEC_RECEIVER=${HEC_RECEIVER:-$KBC_SOURCE_DIR/build/tests/hec_receiver}

need_daemon_tools() {
        need_tools
        command -v kcat >/dev/null 2>&1 || fail "kcat is not installed (apt-get install -y kcat)"
        [ -x "$KBCORRD" ] || fail "kbcorrd not found" "an executable at \$KBCORRD" "'$KBCORRD'"
        [ -x "$MOCK_CLUSTER" ] || fail "mock_cluster not found" "an executable at \$MOCK_CLUSTER" "'$MOCK_CLUSTER'"
}

# mock_start BROKERS TOPIC:PARTITIONS...: starts the cluster; sets
# BOOTSTRAP. Commands go to it with mock_cmd.
MOCK_PID=
mock_start() {
        mkfifo "$TMP/mock.in"
        "$MOCK_CLUSTER" "$@" <"$TMP/mock.in" >"$TMP/mock.out" 2>"$TMP/mock.err" &
        MOCK_PID=$!
        exec 7>"$TMP/mock.in" # held open: EOF stops the cluster
        local i
        for i in $(seq 50); do
                BOOTSTRAP=$(head -n 1 "$TMP/mock.out" 2>/dev/null || true)
                [ -n "$BOOTSTRAP" ] && return 0
                sleep 0.1
        done
        show_file "mock stderr" "$TMP/mock.err"
        fail "the mock cluster did not start"
}

mock_cmd() {
        echo "$*" >&7
}

# produce_keyed TOPIC FILE: each JSON line of FILE, keyed by its host name
# in lower case (as docs/daemon.md tells forwarders to key it), in the
# file's order. The producer is idempotent: without it a retry after an
# injected Produce error can put a batch behind later ones (seen in
# daemon_faults: a host's events reordered, so its cases opened on other
# events than the replay's and got other ids).
produce_keyed() {
        jq -r '(.winlog.computer_name // .host.name // .computer_name // .Hostname // "") | ascii_downcase' "$2" >"$TMP/keys"
        paste -d '\t' "$TMP/keys" "$2" |
                kcat -P -b "$BOOTSTRAP" -t "$1" -K '\t' -z none -X enable.idempotence=true ||
                fail "kcat could not produce $2 to $1"
}

# mock_call CMD...: a command to the cluster, waiting for its answer;
# fails unless it is "ok".
mock_call() {
        local n deadline=$((SECONDS + 60))
        n=$(count_lines "$TMP/mock.out")
        mock_cmd "$@"
        until [ "$(count_lines "$TMP/mock.out")" -gt "$n" ]; do
                [ $SECONDS -lt $deadline ] || fail "the mock cluster did not answer '$*' within 60 s"
                sleep 0.1
        done
        tail -n 1 "$TMP/mock.out" | grep -qx ok ||
                fail "mock cluster: $*" ok "$(tail -n 1 "$TMP/mock.out") $(cat "$TMP/mock.err")"
}

# produce_timed TOPIC FILE [JITTER_MS]: each Winlogbeat line of FILE,
# keyed as produce_keyed does, with its event time (@timestamp) as the
# Kafka message timestamp, moved by up to JITTER_MS either way when
# given (a fixed pseudo-random sequence).
produce_timed() {
        jq -r '[(."@timestamp" | (sub("\\.[0-9]+Z$"; "Z") | fromdate) * 1000 +
                 (capture("\\.(?<ms>[0-9]{3})").ms // "0" | tonumber)),
                (.winlog.computer_name // .host.name // "" | ascii_downcase)] | @tsv' "$2" |
                perl -F'\t' -lane 'BEGIN { srand(7) } $F[0] += int((2 * rand() - 1) * '"${3:-0}"'); print join("\t", @F)' >"$TMP/timed.keys" ||
                fail "the event times of $2"
        paste -d '\t' "$TMP/timed.keys" "$2" >"$TMP/timed.tsv"
        mock_call produce "$1" "$TMP/timed.tsv"
}

# consume_all TOPIC OUT [FORMAT]: everything on TOPIC now, one per line.
# Tries again on an error: the fault tests inject them for every client.
consume_all() {
        local try
        for try in 1 2 3 4 5; do
                kcat -C -b "$BOOTSTRAP" -t "$1" -o beginning -e -q -f "${3:-%s\n}" >"$2" 2>"$TMP/kcat.err" && return 0
                sleep 1
        done
        fail "kcat could not consume $1" "" "$(cat "$TMP/kcat.err")"
}

# wait_for CONSUME TOPIC N SECONDS: until CONSUME (consume_all or
# consume_closed) finds at least N messages on TOPIC ($TMP/wait.out).
wait_for() {
        local deadline=$((SECONDS + $4))
        while [ $SECONDS -lt $deadline ]; do
                "$1" "$2" "$TMP/wait.out"
                [ "$(count_lines "$TMP/wait.out")" -ge "$3" ] && return 0
                sleep 0.5
        done
        return 1
}

# wait_count TOPIC N SECONDS: until TOPIC holds at least N messages.
wait_count() { wait_for consume_all "$@"; }

# closed_only IN OUT: the closed incidents of IN, bytes untouched
# (kbcorrd also sends each case's open states; docs/daemon.md).
closed_only() {
        grep -F '"kbcorr":{"state":"closed"' "$1" >"$2" || true
}

# consume_closed TOPIC OUT: the closed incidents on TOPIC.
consume_closed() {
        consume_all "$1" "$TMP/consumed.all"
        closed_only "$TMP/consumed.all" "$2"
}

# wait_closed TOPIC N SECONDS: until TOPIC holds at least N closed
# incidents (in $TMP/wait.out).
wait_closed() { wait_for consume_closed "$@"; }

# make_stream N GROUPS OUT: at least N events carrying known incidents:
# copies of the seed scenarios, stripped of the fields kbcorr does not read
# (the mock cluster keeps only about 5 MB a partition), in GROUPS groups of
# host names (suffix -gK), each copy of a group one day after the last so
# every copy's cases are cases of their own; then a routine event per host
# a year later, which closes the last ones.
make_stream() {
perl -MTime::Local=timegm -MPOSIX=strftime -e '
my ($n, $groups, $seed) = @ARGV;
open(my $f, "<", $seed) or die "$seed: $!\n";
my @seed = grep { /\S/ } <$f>;
chomp @seed;
my ($events, %hosts) = (0);
sub shift_days {
        my ($iso, $days) = @_;
        my ($y, $mo, $d, $rest) = $iso =~ /^(\d+)-(\d+)-(\d+)(T.*)$/ or die "time $iso\n";
        return strftime("%Y-%m-%d", gmtime(timegm(0, 0, 12, $d, $mo - 1, $y) + 86400 * $days)) . $rest;
}
COPY: for (my $k = 0; ; $k++) {
        my $g = $k % $groups;
        my $day = int($k / $groups);
        for my $line (@seed) {
                last COPY if $events >= $n;
                my $l = $line;
                $l =~ s/"(agent|ecs|\@metadata)":\{[^{}]*\},//g;
                $l =~ s/"os":\{[^{}]*\},//g;
                $l =~ s/("(?:name|hostname|computer_name)":")([^"]+)"/$1$2-g$g"/g;
                $l =~ s/("(?:\@timestamp|created)":")([^"]+)"/$1 . shift_days($2, $day) . "\""/ge;
                ($hosts{$1} = 1) if $l =~ /"computer_name":"([^"]+)"/;
                print $l, "\n";
                $events++;
        }
}
# a routine event per host a year later: every case closes by watermark
my ($first) = @seed;
$first =~ s/"(agent|ecs|\@metadata)":\{[^{}]*\},//g;
$first =~ s/"os":\{[^{}]*\},//g;
for my $h (sort keys %hosts) {
        my $l = $first;
        $l =~ s/("(?:name|hostname|computer_name)":")([^"]+)"/$1$h"/g;
        $l =~ s/("(?:\@timestamp|created)":")([^"]+)"/$1 . "2026-01-01T00:00:00.000Z\""/ge;
        print $l, "\n";
}
' "$1" "$2" "$SCENARIOS" >"$3"
}

# closers HOST...: a routine event per host at 11:00, an hour after the
# seed stories: it closes their cases on event time.
closers() {
        local h
        for h in "$@"; do
                jq -c -n --arg h "$h" 'first(inputs) | .host.name = $h | .winlog.computer_name = $h
                        | ."@timestamp" = "2024-03-14T11:00:00.000Z"' "$SCENARIOS"
        done
}

# stories OUT: the seed stories, then their closers.
stories() {
        cp "$SCENARIOS" "$1"
        closers MAIL-A.corp.example MAIL-B.corp.example MAIL-C.corp.example >>"$1"
}

# expect_ids INPUT: the ids of the incidents `kbcorr replay` raises on
# INPUT into $TMP/expected; their count in NEXP.
NEXP=0
expect_ids() {
        run replay "$KBCORR" replay --rules "$RULES" "$1"
        expect_rc replay 0
        jq -r '.event.id' "$TMP/replay.out" | sort -u >"$TMP/expected"
        NEXP=$(count_lines "$TMP/expected")
}

# collect_incidents FROM OUT: the incidents on topic FROM, or (FROM a
# path) those a HEC receiver indexed there, one a line.
collect_incidents() {
        case $1 in
        /*) jq -c .event "$1" >"$2" || fail "the HEC receiver's events in $1" ;;
        *) consume_all "$1" "$2" ;;
        esac
}

# wait_all_expected FROM SECONDS WHAT LOG: until every id of
# $TMP/expected is in a closed incident on FROM (collect_incidents)
# ($TMP/got: those ids; $TMP/got.any: every id there, open states too);
# fails with WHAT, showing LOG, after SECONDS.
wait_all_expected() {
        local deadline=$((SECONDS + $2)) missing
        while :; do
                collect_incidents "$1" "$TMP/got.jsonl"
                jq -r '.event.id' "$TMP/got.jsonl" | sort -u >"$TMP/got.any"
                jq -r 'select(.kbcorr.state == "closed") | .event.id' "$TMP/got.jsonl" |
                        sort -u >"$TMP/got"
                missing=$(comm -23 "$TMP/expected" "$TMP/got" | wc -l)
                [ "$missing" -eq 0 ] && return 0
                if [ $SECONDS -ge $deadline ]; then
                        show_file "kbcorrd stderr" "$4"
                        fail "$3" "0 missing of $NEXP" "$missing missing"
                fi
                sleep 1
        done
}

# unknown_ids: how many ids on the topic (last wait_all_expected), open
# states' included, are not expected.
unknown_ids() {
        comm -13 "$TMP/expected" "$TMP/got.any" | wc -l
}

# sort_incidents IN OUT: the incidents of IN, bytes untouched, by
# event.id and then event.sequence (a repeat comes again with its id).
sort_incidents() {
        perl -ne '/"event":\{"kind":"alert","id":"([0-9a-f]+)".*?"sequence":([0-9]+)/ or die "not an incident: $_";
                printf "%s %09d\t%s", $1, $2, $_' "$1" | LC_ALL=C sort | cut -f 2- >"$2" ||
                fail "sorting the incidents of $1"
}

# blank_origins IN OUT: IN with every evidence origin emptied, for
# comparing incidents read from different places (docs/decisions.md).
blank_origins() {
        perl -pe 's/"origin":"(?:[^"\\]|\\.)*"/"origin":""/g' "$1" >"$2"
}

# wait_log FILE PATTERN SECONDS: until FILE has a line matching PATTERN;
# returns 1 if it never does.
wait_log() {
        local deadline=$((SECONDS + $3))
        until grep -q -- "$2" "$1" 2>/dev/null; do
                [ $SECONDS -lt $deadline ] || return 1
                sleep 0.1
        done
}

# daemon_start NAME CONFIG: kbcorrd in the background; DAEMON_PID. With
# KBC_WORKERS set, a configuration that does not choose its workers gets
# that many (ctest runs the daemon tests with 2, and some again with 1).
DAEMON_PID=
daemon_start() {
        if [ -n "${KBC_WORKERS:-}" ] && ! grep -q '^workers:' "$2"; then
                printf 'workers: %s\n' "$KBC_WORKERS" >>"$2"
        fi
        "$KBCORRD" --config "$2" >"$TMP/$1.out" 2>"$TMP/$1.err" &
        DAEMON_PID=$!
}

# daemon_wait SECONDS [AFTER]: until kbcorrd exits, at most SECONDS
# (AFTER names what should have ended it); sets RC.
daemon_wait() {
        local deadline=$((SECONDS + $1))
        while kill -0 "$DAEMON_PID" 2>/dev/null; do
                [ $SECONDS -lt $deadline ] || fail "kbcorrd did not exit within $1 s${2:+ of $2}"
                sleep 0.1
        done
        RC=0
        wait "$DAEMON_PID" || RC=$?
}

# daemon_stop SIGNAL SECONDS: signal it and wait at most SECONDS; sets RC.
daemon_stop() {
        kill -"$1" "$DAEMON_PID" 2>/dev/null || true
        daemon_wait "$2" "SIG$1"
}

# mock_demo_config OUTPUT: the mock demo over the seed scenarios (the
# cluster in-process; exits once done), OUTPUT the lines of its output
# section.
mock_demo_config() {
        cat <<YAML
rules: [$RULES]
input: {topics: [winlog], group: demo}
output:
$1
metrics: {listen: off}
mock: {brokers: 1, partitions: 2, feed: [$SCENARIOS], exit_when_done: true}
shutdown: {drain: 30s}
YAML
}

# hec_start NAME OPTION...: the test HEC receiver (tests/tools/hec_receiver.c)
# with token "t0ken", indexing into $TMP/NAME.events; sets HEC_URL,
# HEC_PID. Its request log is $TMP/NAME.hec.
HEC_PID=
hec_start() {
        local name=$1 i port=
        shift
        [ -x "$HEC_RECEIVER" ] || fail "hec_receiver not found" "an executable at \$HEC_RECEIVER" "'$HEC_RECEIVER'"
        : >"$TMP/$name.events"
        "$HEC_RECEIVER" --token t0ken --out "$TMP/$name.events" "$@" >"$TMP/$name.port" 2>"$TMP/$name.hec" &
        HEC_PID=$!
        for i in $(seq 50); do
                port=$(head -n 1 "$TMP/$name.port" 2>/dev/null || true)
                [ -n "$port" ] && break
                sleep 0.1
        done
        [ -n "$port" ] || fail "the HEC receiver did not start" "" "$(cat "$TMP/$name.hec")"
        HEC_URL=http://127.0.0.1:$port
}

hec_stop() {
        kill "$HEC_PID" 2>/dev/null || true
        wait "$HEC_PID" 2>/dev/null || true
        HEC_PID=
}

cleanup_daemon() {
        if [ -n "$DAEMON_PID" ]; then kill -9 "$DAEMON_PID" 2>/dev/null || true; fi
        if [ -n "$HEC_PID" ]; then kill "$HEC_PID" 2>/dev/null || true; fi
        if [ -n "$MOCK_PID" ]; then kill "$MOCK_PID" 2>/dev/null || true; fi
        [ -n "${KBC_E2E_KEEP:-}" ] || rm -rf "$TMP"
}
trap cleanup_daemon EXIT
