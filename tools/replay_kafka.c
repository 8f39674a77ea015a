/*
 * replay_kafka.c - `kbcorr replay --kafka`: for each partition, the offset
 * range that holds a time range, then those messages through the hooks.
 *
 * The range: the first offset at from - 2 * slack up to the first at
 * to + 2 * slack (docs/replay.md says why twice the slack is enough when
 * timestamps stray from event times and from their order by at most the
 * slack). The broker's time index answers first (offsets_for_times);
 * where it has no answer, -1 or an error (librdkafka's mock cluster never
 * has one), a bisection over [low, high watermark) reads single messages'
 * timestamps. The engine's event-time filter then keeps exactly the
 * events in [from, to).
 *
 * The consumer is assigned partitions, never subscribed, under a group id
 * of its own and with commits off: a live consumer group is not touched.
 */
#include <errno.h>
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kbc_kafka.h"
#include "kbc_time.h"
#include "replay_kafka.h"
#include "tool.h"

#define REQUEST_TIMEOUT_MS 10000 /* metadata, watermarks, time index */
#define FETCH_TIMEOUT_MS   30000 /* no message at all for this long */

static bool too_many(size_t n, const char *opt)
{
        if (n < REPLAY_KAFKA_MAX)
                return false;
        fprintf(stderr, "kbcorr replay: more than %d %s\n", REPLAY_KAFKA_MAX,
                opt);
        return true;
}

static int parse_partition(const char *arg, int32_t *out)
{
        char *end;
        errno = 0;
        long n = strtol(arg, &end, 10);
        if (errno || end == arg || *end || n < 0 || n > INT32_MAX) {
                fprintf(stderr,
                        "kbcorr replay: --partition: not a partition "
                        "number: '%s'\n",
                        arg);
                return -1;
        }
        *out = (int32_t)n;
        return 0;
}

int replay_kafka_option(int c, const char *arg, replay_kafka_args *a)
{
        switch (c) {
        case REPLAY_OPT_KAFKA:
                a->bootstrap = arg;
                return 1;
        case REPLAY_OPT_TOPIC:
                if (too_many(a->ntopics, "--topic"))
                        return -1;
                a->topics[a->ntopics++] = arg;
                return 1;
        case REPLAY_OPT_PARTITION:
                if (too_many(a->npartitions, "--partition") ||
                    parse_partition(arg, &a->partitions[a->npartitions]))
                        return -1;
                a->npartitions++;
                return 1;
        case 'X':
                if (too_many(a->nprops, "-X"))
                        return -1;
                if (!strchr(arg, '=') || arg[0] == '=') {
                        fprintf(stderr,
                                "kbcorr replay: -X: expected "
                                "property=value, got '%s'\n",
                                arg);
                        return -1;
                }
                a->props[a->nprops++] = arg;
                return 1;
        case REPLAY_OPT_TS_SLACK:
                return tool_parse_duration("replay", "--ts-slack", arg,
                                           &a->slack_ms)
                           ? -1
                           : 1;
        }
        return 0;
}

/* ---- the consumer ---------------------------------------------------- */

typedef struct kreader {
        const replay_kafka_args *a;
        rd_kafka_t *rk;
        int probes; /* single-message reads of the current search */
} kreader;

/* Defaults, then --kafka, then -X in order, then what -X may not change:
 * no commit ever, and a deleted offset is an error, not a silent jump. */
static rd_kafka_t *consumer_new(const replay_kafka_args *a)
{
        char group[64], err[512];
        snprintf(group, sizeof(group), "kbcorr-replay-%ld-%ld", (long)getpid(),
                 (long)time(NULL));
        const kbc_kafka_prop defaults[] = {
            {"group.id", group}, /* assign() needs one; it is never joined */
            /* A replay stops at the high watermark: a fetch that waits
             * there for new messages only delays the next seek. */
            {"fetch.wait.max.ms", "10"},
            {"bootstrap.servers", a->bootstrap},
            KBC_KAFKA_CONSUMER_TUNING,
        };
        static const kbc_kafka_prop forced[] = {
            {"enable.auto.commit", "false"},
            {"enable.auto.offset.store", "false"},
            {"enable.partition.eof", "true"},
            {"auto.offset.reset", "error"},
        };
        /* -X name=value, split */
        kbc_kafka_prop props[REPLAY_KAFKA_MAX];
        char names[REPLAY_KAFKA_MAX][256];
        for (size_t i = 0; i < a->nprops; i++) {
                size_t n = strcspn(a->props[i], "=");
                snprintf(names[i], sizeof(names[i]), "%.*s", (int)n,
                         a->props[i]);
                props[i] = (kbc_kafka_prop){names[i], a->props[i] + n + 1};
        }
        const kbc_kafka_layer layers[] = {
            {defaults, sizeof(defaults) / sizeof(defaults[0])},
            {props, a->nprops},
            {forced, sizeof(forced) / sizeof(forced[0])}};
        const kbc_kafka_prop *bad;
        rd_kafka_conf_t *conf =
            kbc_kafka_conf(layers, 3, &bad, err, sizeof(err));
        if (!conf) {
                fprintf(stderr, "kbcorr replay: Kafka property %s: %s\n",
                        bad->name, err);
                return NULL;
        }
        rd_kafka_t *rk =
            rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
        if (!rk) { /* the conf is still ours */
                fprintf(stderr, "kbcorr replay: Kafka consumer: %s\n", err);
                rd_kafka_conf_destroy(conf);
        }
        return rk;
}

static void report(const char *topic, int32_t partition, int64_t offset,
                   const char *what)
{
        if (offset >= 0)
                fprintf(stderr,
                        "kbcorr replay: %s/%" PRId32 "@%" PRId64 ": %s\n",
                        topic, partition, offset, what);
        else
                fprintf(stderr, "kbcorr replay: %s/%" PRId32 ": %s\n", topic,
                        partition, what);
}

static int assign_at(kreader *r, const char *topic, int32_t partition,
                     int64_t offset)
{
        rd_kafka_topic_partition_list_t *l =
            rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(l, topic, partition)->offset = offset;
        rd_kafka_resp_err_t err = rd_kafka_assign(r->rk, l);
        rd_kafka_topic_partition_list_destroy(l);
        if (err)
                report(topic, partition, offset, rd_kafka_err2str(err));
        return err ? -1 : 0;
}

/* The next message of the assigned partition: 1 with *m (destroy it),
 * 0 at the end of the partition (*next: the offset after its last), or
 * -1 after reporting an error or a timeout. */
static int next_message(kreader *r, const char *topic, int32_t partition,
                        int64_t expected, rd_kafka_message_t **m, int64_t *next)
{
        for (int waited = 0; waited < FETCH_TIMEOUT_MS; waited += 500) {
                rd_kafka_message_t *msg = rd_kafka_consumer_poll(r->rk, 500);
                if (!msg)
                        continue;
                if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                        *next = msg->offset;
                        rd_kafka_message_destroy(msg);
                        return 0;
                }
                if (msg->err) {
                        report(topic, partition,
                               msg->offset >= 0 ? msg->offset : expected,
                               rd_kafka_message_errstr(msg));
                        rd_kafka_message_destroy(msg);
                        return -1;
                }
                *m = msg;
                return 1;
        }
        char what[64];
        snprintf(what, sizeof(what), "no message within %d s",
                 FETCH_TIMEOUT_MS / 1000);
        report(topic, partition, expected, what);
        return -1;
}

/* ---- the offset search ----------------------------------------------- */

/* The first offset in [lo, hi) whose message's timestamp is at or after
 * ts, by bisection (hi when none is). A message without a timestamp
 * counts as after when unknown_after, so that an unknown never moves a
 * start later or an end earlier. -1 on a read error (reported). With
 * timestamps out of order this finds one boundary, not the first such
 * message: the slack in the thresholds covers that (docs/replay.md). */
static int64_t bisect(kreader *r, const char *topic, int32_t partition,
                      int64_t lo, int64_t hi, int64_t ts, bool unknown_after)
{
        while (lo < hi) {
                int64_t mid = lo + (hi - lo) / 2, next;
                rd_kafka_message_t *m;
                r->probes++;
                if (assign_at(r, topic, partition, mid))
                        return -1;
                int got = next_message(r, topic, partition, mid, &m, &next);
                if (got < 0)
                        return -1;
                if (!got) { /* nothing from mid on */
                        hi = mid;
                        continue;
                }
                int64_t at = m->offset,
                        mts = rd_kafka_message_timestamp(m, NULL);
                rd_kafka_message_destroy(m);
                if (at >= hi || (mts < 0 ? unknown_after : mts >= ts))
                        hi = mid; /* offsets in [mid, at) hold no message */
                else
                        lo = at + 1;
        }
        return hi;
}

/* The broker's answer for ts, or -1 when it has none (no time index, or
 * the mock cluster's -1). */
static int64_t time_index(kreader *r, const char *topic, int32_t partition,
                          int64_t ts)
{
        rd_kafka_topic_partition_list_t *l =
            rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(l, topic, partition)->offset = ts;
        rd_kafka_resp_err_t err =
            rd_kafka_offsets_for_times(r->rk, l, REQUEST_TIMEOUT_MS);
        int64_t off = err || l->elems[0].err ? -1 : l->elems[0].offset;
        rd_kafka_topic_partition_list_destroy(l);
        return off;
}

typedef struct bound {
        int64_t offset;
        const char *how;
        int probes;
} bound;

/* The first offset in [lo, hi) at or after ts, by the time index if the
 * broker has one, else by bisection. */
static int find_bound(kreader *r, const char *topic, int32_t partition,
                      int64_t lo, int64_t hi, int64_t ts, bool unknown_after,
                      bound *b)
{
        /* Before every timestamp; and -1, -2 mean latest and earliest to
         * the broker's time index. */
        if (ts <= 0) {
                b->offset = lo;
                b->how = "a threshold before 1970";
                return 0;
        }
        int64_t off = time_index(r, topic, partition, ts);
        if (off >= 0) {
                b->offset = off < lo ? lo : off > hi ? hi : off;
                b->how = "time index";
                return 0;
        }
        r->probes = 0;
        b->offset = bisect(r, topic, partition, lo, hi, ts, unknown_after);
        b->how = "bisection";
        b->probes = r->probes;
        return b->offset < 0 ? -1 : 0;
}

/* ---- one partition --------------------------------------------------- */

void replay_slack_note(replay_slack *c, const kbc_origin *o, int64_t event_ms)
{
        int64_t ts = o->stamp_ms;
        if (o->kind != KBC_ORIGIN_KAFKA || ts <= 0)
                return;
        int64_t off = 0;
        if (event_ms != KBC_TIME_NONE)
                off = ts > event_ms ? ts - event_ms : event_ms - ts;
        if (c->max_ts - ts > off)
                off = c->max_ts - ts;
        if (ts > c->max_ts)
                c->max_ts = ts;
        if (off <= c->slack_ms)
                return;
        c->stray++;
        if (off > c->worst_ms)
                c->worst_ms = off;
}

/* Feeds the messages of [start, end) to the hooks. */
static int read_range(kreader *r, const char *topic, int32_t partition,
                      int64_t start, int64_t end, const replay_hooks *h)
{
        if (assign_at(r, topic, partition, start))
                return -1;
        kbc_origin origin = {.kind = KBC_ORIGIN_KAFKA,
                             .source = topic,
                             .partition = partition,
                             .position = start};
        for (int64_t at = start; at < end;) {
                rd_kafka_message_t *m;
                int64_t next;
                int got = next_message(r, topic, partition, at, &m, &next);
                if (got < 0)
                        return -1;
                if (!got) {
                        if (next >= end)
                                return 0;
                        report(topic, partition, next,
                               "the partition ends before the range does");
                        return -1;
                }
                origin.position = m->offset;
                origin.stamp_ms = rd_kafka_message_timestamp(m, NULL);
                if (m->offset < end)
                        h->line(h->opaque, m->payload ? m->payload : "", m->len,
                                &origin);
                at = m->offset + 1;
                rd_kafka_message_destroy(m);
        }
        return 0;
}

static int64_t sub_sat(int64_t t, int64_t d)
{
        return t < INT64_MIN + d ? INT64_MIN : t - d;
}

static int64_t add_sat(int64_t t, int64_t d)
{
        return t > INT64_MAX - d ? INT64_MAX : t + d;
}

static void say_bound(char *buf, size_t size, const char *which, const bound *b)
{
        if (b->probes)
                snprintf(buf, size, "%s by %s (%d reads)", which, b->how,
                         b->probes);
        else
                snprintf(buf, size, "%s by %s", which, b->how);
}

static int replay_partition(kreader *r, const char *topic, int32_t partition,
                            int64_t from_ms, int64_t to_ms,
                            const replay_hooks *h)
{
        int64_t low, high;
        rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
            r->rk, topic, partition, &low, &high, REQUEST_TIMEOUT_MS);
        if (err) {
                report(topic, partition, -1, rd_kafka_err2str(err));
                return -1;
        }
        int64_t slack2 = 2 * r->a->slack_ms;
        bound start = {low, "low watermark", 0},
              end = {high, "high watermark", 0};
        if (from_ms != KBC_TIME_NONE && low < high &&
            find_bound(r, topic, partition, low, high, sub_sat(from_ms, slack2),
                       true, &start))
                return -1;
        if (to_ms != KBC_TIME_NONE && start.offset < high &&
            find_bound(r, topic, partition, start.offset, high,
                       add_sat(to_ms, slack2), false, &end))
                return -1;
        if (end.offset < start.offset)
                end.offset = start.offset;
        if (r->a->verbose) {
                char s[96], e[96];
                say_bound(s, sizeof(s), "start", &start);
                say_bound(e, sizeof(e), "end", &end);
                fprintf(stderr,
                        "%s/%" PRId32 ": offsets [%" PRId64 ", %" PRId64
                        ") of [%" PRId64 ", %" PRId64 "); %s, %s\n",
                        topic, partition, start.offset, end.offset, low, high,
                        s, e);
        }
        if (start.offset == end.offset)
                return 0;
        if (h->begin(h->opaque))
                return -1;
        replay_slack check = {r->a->slack_ms, -1, 0, 0};
        *h->slack = check;
        int rc = read_range(r, topic, partition, start.offset, end.offset, h);
        h->end(h->opaque); /* every message settled */
        check = *h->slack;
        if (check.stray && (from_ms != KBC_TIME_NONE || to_ms != KBC_TIME_NONE))
                fprintf(stderr,
                        "kbcorr replay: %s/%" PRId32 ": %" PRIu64
                        " message timestamps stray from their event times "
                        "or order by more than --ts-slack (up to %" PRId64
                        " s): events near --from or --to may have been "
                        "missed; raise --ts-slack\n",
                        topic, partition, check.stray,
                        (check.worst_ms + 999) / 1000);
        return rc;
}

/* ---- topics ---------------------------------------------------------- */

/* The partitions of topic to read, ascending: all, or those asked for
 * (each checked to exist), in *out (free it). Their number, or -1 after
 * reporting. Metadata is asked for all topics: asking for one by name
 * may create it on a broker with auto.create.topics.enable. */
static int topic_partitions(kreader *r, const char *topic, int32_t **out)
{
        const rd_kafka_metadata_t *md = NULL;
        rd_kafka_resp_err_t err =
            rd_kafka_metadata(r->rk, 1, NULL, &md, REQUEST_TIMEOUT_MS);
        int32_t count = -1;
        int n = 0;
        for (int i = 0; !err && i < md->topic_cnt; i++)
                if (!strcmp(md->topics[i].topic, topic)) {
                        err = md->topics[i].err;
                        count = md->topics[i].partition_cnt;
                }
        if (md)
                rd_kafka_metadata_destroy(md);
        if (!err && count < 0)
                err = RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC;
        if (err) {
                fprintf(stderr, "kbcorr replay: topic %s: %s\n", topic,
                        rd_kafka_err2str(err));
                return -1;
        }
        for (size_t i = 0; i < r->a->npartitions; i++)
                if (r->a->partitions[i] >= count) {
                        fprintf(stderr,
                                "kbcorr replay: topic %s has no partition "
                                "%" PRId32 " (it has %" PRId32 ")\n",
                                topic, r->a->partitions[i], count);
                        return -1;
                }
        if (!(*out = malloc(sizeof(**out) * (size_t)(count + 1))))
                return -1;
        /* Metadata lists partitions in any order; read them in order. */
        for (int32_t p = 0; p < count; p++) {
                bool wanted = !r->a->npartitions;
                for (size_t i = 0; i < r->a->npartitions; i++)
                        wanted |= r->a->partitions[i] == p;
                if (wanted)
                        (*out)[n++] = p;
        }
        return n;
}

static bool has_brokers(const replay_kafka_args *a)
{
        for (size_t i = 0; i < a->nprops; i++)
                if (!strncmp(a->props[i], "bootstrap.servers=", 18) ||
                    !strncmp(a->props[i], "metadata.broker.list=", 21))
                        return true;
        return a->bootstrap != NULL;
}

int replay_kafka(const replay_kafka_args *a, int64_t from_ms, int64_t to_ms,
                 const replay_hooks *h)
{
        if (!has_brokers(a)) {
                fprintf(stderr, "kbcorr replay: --topic needs --kafka BROKERS "
                                "(or -X bootstrap.servers=...)\n");
                return -1;
        }
        kreader r = {a, consumer_new(a), 0};
        if (!r.rk)
                return -1;
        int rc = 0;
        for (size_t t = 0; t < a->ntopics; t++) {
                int32_t *parts = NULL;
                int n = topic_partitions(&r, a->topics[t], &parts);
                if (n < 0)
                        rc = -1;
                for (int i = 0; i < n; i++)
                        if (replay_partition(&r, a->topics[t], parts[i],
                                             from_ms, to_ms, h))
                                rc = -1;
                free(parts);
        }
        rd_kafka_assign(r.rk, NULL);
        rd_kafka_consumer_close(r.rk);
        rd_kafka_destroy(r.rk);
        return rc;
}
