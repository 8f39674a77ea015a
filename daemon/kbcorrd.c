/*
 * kbcorrd.c - the daemon: a Kafka consumer group in, incidents out
 * (SPEC.md §7). The consumer loop and partition life cycle live here,
 * storing the offsets that offsets.c finds safe; kbcorrd.h says why they
 * make a kill -9 at any moment lose nothing.
 */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kbc_kafka.h"
#include "kbc_mapping_load.h"
#include "kbc_time.h"
#include "kbcorrd.h"

static const char usage[] =
    "usage: kbcorrd --config FILE [--check]\n\n"
    "Consumes Windows events from Kafka in a consumer group, correlates\n"
    "them with the KB rules per host, and writes incidents to the sinks the\n"
    "configuration names. Offsets are committed only as far as every\n"
    "incident that depends on them is acknowledged, so a restart after a\n"
    "crash loses nothing (duplicates carry the same incident id).\n"
    "An incident is sent as soon as a symptom opens its case (open),\n"
    "again under the same id when new evidence changes the winner, and\n"
    "closed with the final diagnosis; a host that goes quiet has its case\n"
    "closed after the window plus the lateness of wall clock.\n\n"
    "  -c, --config FILE  the YAML configuration (docs/daemon.md)\n"
    "      --check        load the configuration and the rules, then exit\n"
    "  -h, --help         this help\n\n"
    "Signals: SIGTERM or SIGINT drain, commit what is safe and exit;\n"
    "SIGHUP reloads the rules (a set that does not load is rejected and\n"
    "the old one keeps running).\n"
    "Exit codes: 0 clean exit, 1 a fatal Kafka error (restart it), 2 bad\n"
    "configuration, rules or mappings.\n";

static volatile sig_atomic_t stop_requested, reload_requested;

static void on_stop(int sig)
{
        (void)sig;
        stop_requested = 1;
}

static void on_hup(int sig)
{
        (void)sig;
        reload_requested = 1;
}

bool kbcd_stopping(void)
{
        return stop_requested;
}

/* ---- librdkafka's errors and logs ------------------------------------- */

/* A fatal error (the idempotent producer fenced or refused) ends the
 * daemon: nothing more can be delivered, so it exits non-zero with the
 * offsets of what is undelivered held, and its supervisor restarts it. */
static void on_kafka_error(rd_kafka_t *rk, int err, const char *reason,
                           void *opaque)
{
        kbcd *d = opaque;
        if (err != RD_KAFKA_RESP_ERR__FATAL) {
                kbcd_log("warn", "kafka: %s: %s",
                         rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
                return;
        }
        char why[512];
        rd_kafka_resp_err_t cause = rd_kafka_fatal_error(rk, why, sizeof(why));
        kbcd_log("error", "kafka: fatal error %s: %s; exiting",
                 rd_kafka_err2name(cause), why);
        if (d)
                d->fatal = 1;
        stop_requested = 1;
}

/* librdkafka's own logs, through the daemon's logger (and its escaping);
 * syslog levels: 0-3 error, 4 warning, 5-6 info, 7 debug. */
static void on_kafka_log(const rd_kafka_t *rk, int level, const char *fac,
                         const char *buf)
{
        (void)rk;
        kbcd_log(level <= 3   ? "error"
                 : level == 4 ? "warn"
                 : level <= 6 ? "info"
                              : "debug",
                 "kafka %s: %s", fac, buf);
}

/* ---- partitions ------------------------------------------------------ */

/* The engine's notices (evictions) quote host names as logged: the
 * logger escapes them. */
static void on_engine_notice(void *opaque, const char *msg)
{
        kbcd_part *p = opaque;
        kbcd_log("warn", "%s[%d]: %s", p->topic, p->partition, msg);
}

/* Monotonic seconds from t0 to now (written to *now). */
static double seconds_since(const struct timespec *t0, struct timespec *now)
{
        clock_gettime(CLOCK_MONOTONIC, now);
        return (double)(now->tv_sec - t0->tv_sec) +
               (double)(now->tv_nsec - t0->tv_nsec) / 1e9;
}

static void on_incident(void *opaque, const kbc_incident *inc)
{
        kbcd_part *p = opaque;
        kbcd_worker *w = p->worker;
        kbcd *d = p->d;
        if (!inc->open)
                kbcd_metrics_incident(d->metrics,
                                      kbc_rule_index(inc->candidates[0].rule));
        pthread_mutex_lock(&d->out);
        kbcd_emit_incident(d->sinks, &p->offsets, inc);
        pthread_mutex_unlock(&d->out);
        /* The first state of a case, handed out while its symptom is fed
         * (not at a quiet close or a flush): time to alert. */
        if (inc->first && w->consumed.tv_sec) {
                struct timespec now;
                kbcd_observe_time_to_alert(&w->figures,
                                           seconds_since(&w->consumed, &now));
        }
}

static kbcd_part *part_find(kbcd *d, const char *topic, int32_t partition)
{
        /* Messages come in runs from one partition: try the last first. */
        kbcd_part *last = d->last_part;
        if (last && last->partition == partition && !strcmp(last->topic, topic))
                return last;
        for (kbcd_part *p = d->parts; p; p = p->next_part)
                if (p->partition == partition && !strcmp(p->topic, topic))
                        return d->last_part = p;
        return NULL;
}

static void part_pause(kbcd_part *p)
{
        rd_kafka_topic_partition_list_t *l =
            rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(l, p->topic, p->partition);
        rd_kafka_resp_err_t err = rd_kafka_pause_partitions(p->d->consumer, l);
        if (err)
                kbcd_log("warn", "%s[%d]: pause: %s", p->topic, p->partition,
                         rd_kafka_err2str(err));
        rd_kafka_topic_partition_list_destroy(l);
}

/* Nothing more is read from p, for the reason formatted into p->stopped
 * (on /healthz and /metrics) until a restart. */
static void part_halt(kbcd_part *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void part_halt(kbcd_part *p, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->stopped, sizeof(p->stopped), fmt, ap);
        va_end(ap);
        atomic_store(&p->halted, true);
        part_pause(p);
}

/* The sinks' stop (sinks.h): p's item from offset can never be delivered;
 * with the out lock held. */
static void part_stop(void *owner, int64_t offset, const char *what,
                      const char *why)
{
        kbcd_part *p = owner;
        kbcd_log("error",
                 "%s cannot be delivered (%s): %s[%d] stops at offset "
                 "%" PRId64 ", held there until a restart",
                 what, why, p->topic, p->partition, offset);
        if (!p->stopped[0])
                part_halt(p, "%s[%d] stopped at offset %" PRId64 ": %s: %s",
                          p->topic, p->partition, offset, what, why);
}

static kbcd_part *part_assign(kbcd *d, const char *topic, int32_t partition)
{
        kbcd_part *p = part_find(d, topic, partition);
        if (!p) {
                p = calloc(1, sizeof(*p));
                if (!p || !(p->topic = strdup(topic))) {
                        free(p);
                        return NULL;
                }
                p->partition = partition;
                p->d = d;
                kbcd_offsets_init(&p->offsets, p);
                p->next_part = d->parts;
                d->parts = p;
        }
        if (!p->pipeline) {
                kbc_pipeline_opts opts = {.format = d->cfg.format,
                                          .local_offset_min =
                                              d->cfg.utc_offset_min,
                                          .from_ms = KBC_TIME_NONE,
                                          .to_ms = KBC_TIME_NONE,
                                          .engine = d->cfg.engine};
                opts.engine.notice = on_engine_notice;
                opts.engine.notice_opaque = p;
                p->pipeline = kbc_pipeline_new(d->rules, &opts, on_incident, p);
                if (p->pipeline && d->mappings)
                        kbc_decoder_copy_mappings(
                            kbc_pipeline_decoder(p->pipeline), d->mappings);
                p->worker = kbcd_workers_pick(d);
                p->worker->nparts++;
        }
        p->gen++;
        kbcd_offsets_restart(&p->offsets);
        p->eof = false;
        p->stopped[0] = '\0';
        atomic_store(&p->halted, false);
        if (p->pipeline)
                kbcd_part_publish(p);
        return p;
}

/* The offset a restart must read this partition from (kbcorrd.h), or -1
 * when nothing was read since it was assigned. */
static int64_t part_safe_offset(const kbcd_part *p)
{
        if (p->offsets.next < 0)
                return -1; /* nothing to store: spare the engine walk */
        int64_t low =
            p->pipeline ? kbc_engine_low_mark(kbc_pipeline_engine(p->pipeline))
                        : INT64_MAX;
        pthread_mutex_lock(&p->d->out);
        int64_t safe = kbcd_offsets_safe(&p->offsets, low);
        pthread_mutex_unlock(&p->d->out);
        return safe;
}

/* Syncs the file sinks, then stores each partition's safe offset for the
 * consumer's next commit (only: revoked: those being revoked). With the
 * world lock held for writing, as everything below that reads partitions. */
static void store_offsets(kbcd *d, bool revoked_only,
                          const rd_kafka_topic_partition_list_t *revoked)
{
        pthread_mutex_lock(&d->out);
        kbcd_sinks_sync(d->sinks);
        pthread_mutex_unlock(&d->out);
        rd_kafka_topic_partition_list_t *l =
            rd_kafka_topic_partition_list_new(8);
        for (kbcd_part *p = d->parts; p; p = p->next_part) {
                if (!p->pipeline ||
                    (revoked_only && !rd_kafka_topic_partition_list_find(
                                         revoked, p->topic, p->partition)))
                        continue;
                int64_t off = part_safe_offset(p);
                if (off >= 0)
                        rd_kafka_topic_partition_list_add(l, p->topic,
                                                          p->partition)
                            ->offset = off;
        }
        if (l->cnt) {
                rd_kafka_resp_err_t err =
                    rd_kafka_offsets_store(d->consumer, l);
                if (err && err != RD_KAFKA_RESP_ERR__STATE)
                        kbcd_log("warn", "storing offsets: %s",
                                 rd_kafka_err2str(err));
        }
        rd_kafka_topic_partition_list_destroy(l);
}

/* Drops a revoked partition's state: its new owner re-reads from the
 * committed offset, so nothing of it is lost here. */
static void part_revoke(kbcd_part *p)
{
        if (p->pipeline) {
                /* its counts stay on /metrics; its gauges go */
                kbc_pipeline_stats s;
                kbc_pipeline_stats_get(p->pipeline, &s);
                s.engine.hosts = s.engine.bytes = 0;
                kbc_pipeline_stats_add(&p->d->retired, &s);
                p->worker->nparts--;
        }
        kbc_pipeline_free(p->pipeline);
        p->pipeline = NULL;
        p->gen++; /* what its worker still holds of it is dropped */
        kbcd_offsets_restart(&p->offsets);
        /* Items that can never be delivered held the committed offset;
         * whoever reads the partition next meets them again. */
        pthread_mutex_lock(&p->d->out);
        kbcd_offsets_drop_stuck(&p->offsets);
        pthread_mutex_unlock(&p->d->out);
}

/* (Un)assigns parts, eagerly or incrementally. librdkafka refuses one
 * only when the group state is already lost (a fatal error, a closed
 * consumer); a partition it keeps fetching without us would be read with
 * no pipeline, so that is logged as an error, never ignored. */
static void assign_checked(rd_kafka_t *rk, bool cooperative,
                           rd_kafka_topic_partition_list_t *parts, bool assign)
{
        const char *what = assign ? "assign" : "unassign";
        if (cooperative) {
                rd_kafka_error_t *e =
                    assign ? rd_kafka_incremental_assign(rk, parts)
                           : rd_kafka_incremental_unassign(rk, parts);
                if (e) {
                        kbcd_log("error", "incremental %s: %s", what,
                                 rd_kafka_error_string(e));
                        rd_kafka_error_destroy(e);
                }
                return;
        }
        rd_kafka_resp_err_t err = rd_kafka_assign(rk, assign ? parts : NULL);
        if (err)
                kbcd_log("error", "%s: %s", what, rd_kafka_err2str(err));
}

static void rebalance(kbcd *d, rd_kafka_t *rk, rd_kafka_resp_err_t err,
                      rd_kafka_topic_partition_list_t *parts)
{
        bool cooperative =
            !strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE");
        if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
                for (int i = 0; i < parts->cnt; i++) {
                        rd_kafka_topic_partition_t *tp = &parts->elems[i];
                        if (!part_assign(d, tp->topic, tp->partition))
                                kbcd_log("error", "out of memory for %s[%d]",
                                         tp->topic, tp->partition);
                        kbcd_log("info", "assigned %s[%d]", tp->topic,
                                 tp->partition);
                }
                d->assigned_once = true;
                assign_checked(rk, cooperative, parts, true);
                return;
        }
        /* Revoked: what is in flight for them is waited for (bounded),
         * then the safe offsets are committed before the state goes. */
        pthread_mutex_lock(&d->out);
        int left = kbcd_sinks_drain(d->sinks, (int)d->cfg.drain_ms);
        pthread_mutex_unlock(&d->out);
        if (left)
                kbcd_log("warn",
                         "%d deliveries still pending at revocation: "
                         "their offsets stay held",
                         left);
        store_offsets(d, true, parts);
        rd_kafka_commit(rk, NULL, 0);
        for (int i = 0; i < parts->cnt; i++) {
                kbcd_part *p = part_find(d, parts->elems[i].topic,
                                         parts->elems[i].partition);
                if (p)
                        part_revoke(p);
                kbcd_log("info", "revoked %s[%d]", parts->elems[i].topic,
                         parts->elems[i].partition);
        }
        assign_checked(rk, cooperative, parts, false);
}

/* librdkafka calls it from the loop's poll; the workers wait meanwhile. */
static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
        kbcd *d = opaque;
        pthread_rwlock_wrlock(&d->world);
        rebalance(d, rk, err, parts);
        pthread_rwlock_unlock(&d->world);
}

/* ---- rule reload ----------------------------------------------------- */

static void rules_diag(void *opaque, const char *msg)
{
        (void)opaque;
        kbcd_log("error", "%s", msg);
}

/* A rule bundle left unused (stale, damaged): the rules still load, from
 * the YAML, only slower; worth a warning, not a failure. */
static void rules_note(void *opaque, const char *msg)
{
        (void)opaque;
        kbcd_log("warn", "%s", msg);
}

static kbc_ruleset *rules_load(const kbcd_config *c)
{
        kbc_ruleset_opts o = {.diag = rules_diag, .note = rules_note};
        return kbc_ruleset_load_with(c->rules, c->nrules, &o);
}

/* The mapping files, read and checked once (file:line problems logged);
 * every pipeline gets a copy. NULL if any does not load. */
static kbc_decoder *mappings_load(const kbcd_config *c)
{
        kbc_decoder *dec = kbc_decoder_new();
        int bad = !dec;
        for (size_t i = 0; dec && i < c->nmappings; i++)
                bad |= kbc_mappings_load(dec, c->mappings[i], rules_diag, NULL);
        if (bad) {
                kbc_decoder_free(dec);
                return NULL;
        }
        return dec;
}

/* After a reload, each partition goes back to its safe offset. One whose
 * seek fails is stopped: reading on from where it is would skip what its
 * rebuilt engine needs; its committed offset is the safe one. */
static void seek_back(kbcd *d, rd_kafka_topic_partition_list_t *seek)
{
        rd_kafka_error_t *err =
            rd_kafka_seek_partitions(d->consumer, seek, 5000);
        for (int i = 0; i < seek->cnt; i++) {
                rd_kafka_topic_partition_t *tp = &seek->elems[i];
                if (!err && !tp->err)
                        continue;
                kbcd_part *p = part_find(d, tp->topic, tp->partition);
                if (!p)
                        continue;
                part_halt(p, "%s[%d]: seek to %" PRId64 " after SIGHUP: %s",
                          tp->topic, tp->partition, tp->offset,
                          err ? rd_kafka_error_string(err)
                              : rd_kafka_err2str(tp->err));
                kbcd_log("error", "%s; the partition stops until a restart",
                         p->stopped);
        }
        if (err)
                rd_kafka_error_destroy(err);
}

/* SIGHUP: the new rule set (and mappings) replace the old only if they
 * load whole. Each partition's engine is then rebuilt under the new rules
 * and the partition re-read from its safe offset, so open cases are
 * rebuilt, not cut: the same guarantee as a restart, without the
 * restart. */
/* A rule set and mappings loaded for a reload (the counts by KB restart
 * with them: kbcd_metrics_prepare). */
typedef struct reload_set {
        kbc_ruleset *rules;
        kbc_decoder *mappings;
} reload_set;

/* SIGHUP, first half, while the workers run on: loads the new set. 0, or
 * -1 (logged) when it did not load and the old one stays. */
static int reload_load(const kbcd *d, reload_set *next)
{
        next->rules = rules_load(&d->cfg);
        next->mappings = next->rules ? mappings_load(&d->cfg) : NULL;
        if (next->mappings &&
            !kbcd_metrics_prepare(d->metrics, kbc_ruleset_count(next->rules)))
                return 0;
        kbcd_log("error", "SIGHUP: %s; the old set keeps running",
                 !next->rules      ? "the new rules did not load"
                 : !next->mappings ? "the new mappings did not load"
                                   : "out of memory");
        kbc_decoder_free(next->mappings);
        kbc_ruleset_free(next->rules);
        return -1;
}

/* SIGHUP, second half, between the workers' batches (the world lock
 * held for writing): every partition's pipeline is rebuilt on the new set
 * and re-reads from its safe offset, so no pipeline keeps the old set and
 * it is freed at once. */
static void reload_swap(kbcd *d, const reload_set *next)
{
        kbc_ruleset *rs = next->rules;
        /* Committed first: should a seek fail, a restart resumes here. */
        store_offsets(d, false, NULL);
        if (d->held) /* the seek below reads it again */
                rd_kafka_message_destroy(d->held);
        d->held = NULL;
        rd_kafka_commit(d->consumer, NULL, 0);
        rd_kafka_topic_partition_list_t *seek =
            rd_kafka_topic_partition_list_new(8);
        kbc_ruleset *old = d->rules;
        kbc_decoder *old_maps = d->mappings;
        d->rules = rs;
        d->mappings = next->mappings;
        for (kbcd_part *p = d->parts; p; p = p->next_part) {
                if (!p->pipeline || p->stopped[0])
                        continue;
                int64_t from = part_safe_offset(p);
                part_revoke(p);
                part_assign(d, p->topic, p->partition);
                if (from >= 0)
                        rd_kafka_topic_partition_list_add(seek, p->topic,
                                                          p->partition)
                            ->offset = from;
        }
        if (seek->cnt)
                seek_back(d, seek);
        rd_kafka_topic_partition_list_destroy(seek);
        kbcd_metrics_switch(d->metrics);
        kbc_ruleset_free(old);
        kbc_decoder_free(old_maps);
        kbcd_log("info",
                 "SIGHUP: %zu rules loaded; partitions re-read from "
                 "their safe offsets",
                 kbc_ruleset_count(rs));
}

/* ---- the loop -------------------------------------------------------- */

/* kbc_pipeline_feed, timed for the processing histogram. */
static int feed_timed(kbcd_worker *w, kbcd_part *p, const rd_kafka_message_t *m,
                      const kbc_origin *origin)
{
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        w->consumed = t0;
        kbc_pipeline_set_clock(p->pipeline, (int64_t)t0.tv_sec * 1000 +
                                                t0.tv_nsec / 1000000);
        int rc = kbc_pipeline_feed(p->pipeline, m->payload ? m->payload : "",
                                   m->len, origin, NULL, NULL);
        w->consumed.tv_sec = 0;
        if (!rc) {
                kbc_format f;
                const kbc_event *ev = kbc_pipeline_last_event(p->pipeline, &f);
                if (ev->time_ms > p->max_event_ms)
                        p->max_event_ms = ev->time_ms;
        }
        kbcd_observe_processing(&w->figures, seconds_since(&t0, &t1));
        w->figures.last_message = t1;
        return rc;
}

static void dead_letter(kbcd_part *p, const rd_kafka_message_t *m,
                        const char *reason)
{
        pthread_mutex_lock(&p->d->out);
        kbcd_emit_dead_letter(p->d->sinks, &p->offsets, p->topic, m, reason);
        pthread_mutex_unlock(&p->d->out);
}

void kbcd_part_feed(kbcd_worker *w, kbcd_part *p, const rd_kafka_message_t *m)
{
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                p->eof = true;
                return;
        }
        /* A revoked partition's jobs never get here (their generation is
         * stale); a stopped one's are held, read again after a restart. */
        if (atomic_load(&p->halted))
                return;
        p->eof = false;
        kbc_origin origin = {.kind = KBC_ORIGIN_KAFKA,
                             .source = p->topic,
                             .partition = m->partition,
                             .position = m->offset};
        char reason[600];
        if (m->len > p->d->cfg.max_message_bytes) {
                snprintf(reason, sizeof(reason),
                         "oversized: %zu bytes, input.max_message_bytes is %zu",
                         m->len, p->d->cfg.max_message_bytes);
                dead_letter(p, m, reason);
                clock_gettime(CLOCK_MONOTONIC, &w->figures.last_message);
        } else if (feed_timed(w, p, m, &origin)) {
                snprintf(reason, sizeof(reason), "undecodable: %s",
                         kbc_pipeline_last_error(p->pipeline));
                dead_letter(p, m, reason);
        }
        kbcd_offsets_consumed(&p->offsets, m->offset);
}

void kbcd_part_publish(kbcd_part *p)
{
        kbc_pipeline_stats_get(p->pipeline, &p->seen.stats);
        p->seen.next = p->offsets.next;
        p->seen.max_event_ms = p->max_event_ms;
}

/* How long the loop waits for room in a full worker queue before it
 * turns to its chores. */
#define DISPATCH_WAIT_MS 10

/* Hands m to its partition's worker; keeps it in d->held while that
 * worker's queue is full (the loop tries again after its chores). */
static void dispatch(kbcd *d, rd_kafka_message_t *m)
{
        if (m->err && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                kbcd_log("warn", "consumer: %s", rd_kafka_message_errstr(m));
                rd_kafka_message_destroy(m);
                return;
        }
        kbcd_part *p = part_find(d, rd_kafka_topic_name(m->rkt), m->partition);
        if (!p || !p->pipeline || atomic_load(&p->halted)) {
                rd_kafka_message_destroy(m); /* not ours any more, or held */
                return;
        }
        bool event = !m->err; /* m is the worker's once queued */
        if (!kbcd_workers_push(p, m, DISPATCH_WAIT_MS)) {
                d->held = m;
                return;
        }
        if (event)
                d->messages++;
}

static bool all_done(kbcd *d)
{
        if (!d->assigned_once || d->held || !kbcd_workers_idle(d))
                return false;
        for (const kbcd_part *p = d->parts; p; p = p->next_part)
                if (p->pipeline && !p->eof)
                        return false;
        return true;
}

/* mock.exit_when_done: the feed is consumed; close every open case as a
 * replay does at the end of its input. */
static void flush_cases(kbcd *d)
{
        for (kbcd_part *p = d->parts; p; p = p->next_part)
                if (p->pipeline) {
                        kbc_pipeline_flush(p->pipeline);
                        kbcd_part_publish(p);
                }
}

rd_kafka_conf_t *kbcd_kafka_conf(const kbcd *d, const kbc_kafka_prop *defaults,
                                 size_t ndefaults, const kbc_kafka_prop *forced,
                                 size_t nforced)
{
        const kbcd_config *c = &d->cfg;
        const kbc_kafka_layer layers[] = {
            {defaults, ndefaults}, {c->kafka, c->nkafka}, {forced, nforced}};
        const kbc_kafka_prop *bad;
        char err[512];
        rd_kafka_conf_t *conf =
            kbc_kafka_conf(layers, 3, &bad, err, sizeof(err));
        if (!conf) {
                kbcd_log("error", "%s: kafka.%s: %s", c->path, bad->name, err);
                return NULL;
        }
        rd_kafka_conf_set_error_cb(conf, on_kafka_error);
        rd_kafka_conf_set_log_cb(conf, on_kafka_log);
        return conf;
}

/* The sinks' producer (sinks.h): the daemon's properties with forced
 * over them, and the daemon as its opaque, for fatal errors
 * (on_kafka_error). */
static rd_kafka_conf_t *
producer_conf(void *opaque, const kbc_kafka_prop *forced, size_t nforced)
{
        kbcd *d = opaque;
        rd_kafka_conf_t *conf = kbcd_kafka_conf(d, NULL, 0, forced, nforced);
        if (conf)
                rd_kafka_conf_set_opaque(conf, d);
        return conf;
}

static int consumer_open(kbcd *d)
{
        const kbcd_config *c = &d->cfg;
        char err[512];
        const kbc_kafka_prop defaults[] = {
            {"group.id", c->group},
            {"partition.assignment.strategy", "cooperative-sticky"},
            {"enable.auto.commit", "true"},
            {"auto.commit.interval.ms", "1000"}, /* the stored offsets */
            {"auto.offset.reset", "earliest"},
            {"enable.partition.eof", c->mock_exit_when_done ? "true" : "false"},
            KBC_KAFKA_CONSUMER_TUNING,
        };
        /* Last, over the kafka map: kbcorrd stores each offset itself,
         * only as far as is safe; that is the at-least-once guarantee. */
        const kbc_kafka_prop forced[] = {{"enable.auto.offset.store", "false"}};
        rd_kafka_conf_t *conf = kbcd_kafka_conf(
            d, defaults, sizeof(defaults) / sizeof(*defaults), forced, 1);
        if (!conf)
                return -1;
        rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
        rd_kafka_conf_set_opaque(conf, d);
        d->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
        if (!d->consumer) {
                kbcd_log("error", "cannot create the consumer: %s", err);
                rd_kafka_conf_destroy(conf); /* still ours */
                return -1;
        }
        rd_kafka_poll_set_consumer(d->consumer);
        rd_kafka_topic_partition_list_t *topics =
            rd_kafka_topic_partition_list_new((int)c->ntopics);
        for (size_t i = 0; i < c->ntopics; i++)
                rd_kafka_topic_partition_list_add(topics, c->topics[i],
                                                  RD_KAFKA_PARTITION_UA);
        rd_kafka_resp_err_t e = rd_kafka_subscribe(d->consumer, topics);
        rd_kafka_topic_partition_list_destroy(topics);
        if (e) {
                kbcd_log("error", "subscribe: %s", rd_kafka_err2str(e));
                return -1;
        }
        return 0;
}

#define METRICS_EVERY_MS 100
#define QUIET_EVERY_MS   250

/* Closes the cases of hosts gone quiet, on the partitions that are caught
 * up: a partition with a backlog has hosts whose events are still to come
 * (docs/daemon.md, "Live monitoring"). */
static void close_quiet(kbcd *d, int64_t now)
{
        for (kbcd_part *p = d->parts; p; p = p->next_part) {
                int64_t lo, hi;
                if (!p->pipeline || p->offsets.next < 0 ||
                    rd_kafka_get_watermark_offsets(d->consumer, p->topic,
                                                   p->partition, &lo, &hi) ||
                    hi < 0 || p->offsets.next < hi)
                        continue;
                kbc_pipeline_close_quiet(p->pipeline, now);
                kbcd_part_publish(p);
        }
}

/* One message from the consumer, or the held one again. */
static void consume_one(kbcd *d)
{
        rd_kafka_message_t *m = d->held;
        d->held = NULL;
        if (!m)
                m = rd_kafka_consumer_poll(d->consumer, 100);
        if (m)
                dispatch(d, m);
}

/* The partition rows of /metrics, from what the partitions published;
 * sums their counts and items in flight into f; the first stopped one
 * makes /healthz fail. */
static size_t partition_figures(kbcd *d, kbcd_figures *f)
{
        size_t n = 0;
        for (kbcd_part *p = d->parts; p; p = p->next_part) {
                if (!p->pipeline)
                        continue;
                if (n == d->rows_cap) {
                        size_t cap = n ? 2 * n : 16;
                        void *rows = realloc(d->rows, cap * sizeof(*d->rows));
                        if (!rows)
                                break; /* fewer rows this time */
                        d->rows = rows;
                        d->rows_cap = cap;
                }
                pthread_mutex_lock(&p->worker->lock);
                kbc_pipeline_stats_add(&f->pipelines, &p->seen.stats);
                int64_t next = p->seen.next,
                        max_event_ms = p->seen.max_event_ms;
                pthread_mutex_unlock(&p->worker->lock);
                pthread_mutex_lock(&d->out);
                f->inflight += kbcd_offsets_count(&p->offsets);
                bool stopped = p->stopped[0];
                if (stopped && !f->unhealthy[0])
                        snprintf(f->unhealthy, sizeof(f->unhealthy),
                                 "partition stopped: %s", p->stopped);
                pthread_mutex_unlock(&d->out);
                int64_t lo, hi;
                bool known =
                    next >= 0 &&
                    !rd_kafka_get_watermark_offsets(d->consumer, p->topic,
                                                    p->partition, &lo, &hi) &&
                    hi >= 0;
                d->rows[n++] =
                    (kbcd_partition_figures){.topic = p->topic,
                                             .partition = p->partition,
                                             .lag = !known      ? -1
                                                    : hi > next ? hi - next
                                                                : 0,
                                             .max_event_ms = max_event_ms,
                                             .stopped = stopped};
        }
        return n;
}

/* /metrics and /healthz from the figures the workers and partitions
 * published: the workers do not pause for it. */
static void publish_metrics(kbcd *d, int64_t now)
{
        kbcd_figures f = {.pipelines = d->retired,
                          .messages = d->messages,
                          .rules = d->rules};
        for (size_t i = 0; i < d->nworkers; i++) {
                kbcd_worker *w = &d->workers[i];
                pthread_mutex_lock(&w->lock);
                kbcd_work_figures_add(&f.work, &w->published);
                pthread_mutex_unlock(&w->lock);
        }
        const char *failing = NULL;
        pthread_mutex_lock(&d->out);
        kbcd_sinks_counts n;
        kbcd_sinks_counts_get(d->sinks, &n);
        f.dead_letters = n.dead_letters;
        f.delivery_retries = n.delivery_retries;
        f.undeliverable = n.undeliverable;
        while (f.nsinks < KBCD_FIGURES_SINKS &&
               kbcd_sinks_state(d->sinks, f.nsinks, &f.sinks[f.nsinks]))
                f.nsinks++;
        if (kbcd_sinks_failing(d->sinks, &failing))
                snprintf(f.unhealthy, sizeof(f.unhealthy), "sink failing: %s",
                         failing);
        pthread_mutex_unlock(&d->out);
        f.nparts = partition_figures(d, &f);
        f.parts = d->rows;
        kbcd_metrics_publish(d->metrics, &f, now);
}

/* The loop's chores on partition state, due at their own periods; the
 * workers pause for them (the world lock), but not for /metrics. */
static void chores(kbcd *d, int64_t now, int64_t *last_quiet,
                   int64_t *last_store, int64_t *last_metrics)
{
        bool metrics = now - *last_metrics >= METRICS_EVERY_MS,
             quiet = now - *last_quiet >= QUIET_EVERY_MS,
             store = now - *last_store >= KBCD_STORE_EVERY_MS;
        if (metrics) {
                publish_metrics(d, now);
                *last_metrics = now;
        }
        if (!quiet && !store && !(metrics && d->cfg.mock_exit_when_done))
                return;
        pthread_rwlock_wrlock(&d->world);
        if (quiet) {
                close_quiet(d, now);
                *last_quiet = now;
        }
        if (store) {
                store_offsets(d, false, NULL);
                *last_store = now;
        }
        if (d->cfg.mock_exit_when_done && !stop_requested && all_done(d)) {
                kbcd_log("info", "mock: feed consumed, closing cases");
                flush_cases(d);
                stop_requested = 1;
        }
        pthread_rwlock_unlock(&d->world);
}

static void run(kbcd *d)
{
        int64_t last_store = kbcd_now_ms(), last_metrics = 0, last_acks = 0,
                last_quiet = 0;
        while (!stop_requested) {
                reload_set next;
                if (reload_requested) {
                        reload_requested = 0;
                        /* loading takes long; only the swap stops them */
                        if (!reload_load(d, &next)) {
                                pthread_rwlock_wrlock(&d->world);
                                reload_swap(d, &next);
                                pthread_rwlock_unlock(&d->world);
                        }
                }
                consume_one(d);
                int64_t now = kbcd_now_ms();
                /* The sinks' deliveries once a millisecond, not per message:
                 * the poll's locking showed in the profile, and an ack a
                 * millisecond later changes nothing. */
                if (now != last_acks) {
                        pthread_mutex_lock(&d->out);
                        kbcd_sinks_poll(d->sinks);
                        pthread_mutex_unlock(&d->out);
                        last_acks = now;
                }
                chores(d, now, &last_quiet, &last_store, &last_metrics);
        }
}

/* librdkafka 2.0.2 (Debian 12) aborts when a cooperative-sticky consumer
 * is closed or destroyed before its first assignment (librdkafka issue
 * 4312: the assignor's state is still NULL). So a stop that comes that
 * early waits, bounded, for the assignment, consuming as usual. Returns
 * whether the consumer may be closed. */
#define FIRST_ASSIGNMENT_WAIT_MS 30000

static bool wait_first_assignment(kbcd *d)
{
        for (int64_t end = kbcd_now_ms() + FIRST_ASSIGNMENT_WAIT_MS;
             !d->assigned_once && kbcd_now_ms() < end;)
                consume_one(d);
        return d->assigned_once;
}

static void shutdown_daemon(kbcd *d)
{
        if (!wait_first_assignment(d))
                kbcd_log("warn", "stopping before the group assigned any "
                                 "partition; leaving without closing the "
                                 "consumer (librdkafka issue 4312)");
        /* What the workers hold unfed is dropped: its offsets were never
         * passed, so a restart reads it again. */
        kbcd_workers_stop(d);
        if (d->held)
                rd_kafka_message_destroy(d->held);
        d->held = NULL;
        pthread_rwlock_wrlock(&d->world);
        /* After a fatal error nothing more will be delivered. */
        pthread_mutex_lock(&d->out);
        int left =
            kbcd_sinks_drain(d->sinks, d->fatal ? 0 : (int)d->cfg.drain_ms);
        pthread_mutex_unlock(&d->out);
        if (left)
                kbcd_log("warn",
                         "%d deliveries pending after %" PRId64
                         " ms: their offsets stay held",
                         left, d->cfg.drain_ms);
        store_offsets(d, false, NULL);
        pthread_rwlock_unlock(&d->world);
        rd_kafka_resp_err_t err = rd_kafka_commit(d->consumer, NULL, 0);
        if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET)
                kbcd_log("warn", "final commit: %s", rd_kafka_err2str(err));
        if (d->assigned_once)
                rd_kafka_consumer_close(d->consumer);
        kbcd_sinks_counts n;
        kbcd_sinks_counts_get(d->sinks, &n);
        kbcd_log("info",
                 "stopped: %" PRIu64 " messages, %" PRIu64
                 " incidents, %" PRIu64 " dead letters",
                 d->messages, n.incidents, n.dead_letters);
}

int main(int argc, char **argv)
{
        static const struct option opts[] = {{"config", 1, NULL, 'c'},
                                             {"check", 0, NULL, 'k'},
                                             {"help", 0, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
        const char *config = NULL;
        bool check = false;
        int o;
        while ((o = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
                switch (o) {
                case 'c':
                        config = optarg;
                        break;
                case 'k':
                        check = true;
                        break;
                case 'h':
                        fputs(usage, stdout);
                        return 0;
                default:
                        fputs(usage, stderr);
                        return 2;
                }
        }
        if (!config || optind != argc) {
                fputs(usage, stderr);
                return 2;
        }
        /* First: a SIGHUP while the rules load asks for a reload once the
         * loop runs, and never kills the daemon. */
        signal(SIGTERM, on_stop);
        signal(SIGINT, on_stop);
        signal(SIGHUP, on_hup);
        signal(SIGPIPE, SIG_IGN);
        static kbcd d;
        if (kbcd_config_load(&d.cfg, config))
                return 2;
        kbcd_log_setup(d.cfg.log_level, d.cfg.log_format);
        d.rules = rules_load(&d.cfg);
        if (!d.rules) {
                fprintf(stderr, "kbcorrd: the rule set was not loaded\n");
                return 2;
        }
        d.mappings = mappings_load(&d.cfg);
        if (!d.mappings) {
                fprintf(stderr, "kbcorrd: the mappings were not loaded\n");
                kbc_ruleset_free(d.rules);
                return 2;
        }
        kbcd_log("info", "%zu rules loaded", kbc_ruleset_count(d.rules));
        if (check)
                return 0;
        int rc = 0;
        /* The loop's rare write locks must not wait behind a stream of
         * worker batches. */
        pthread_rwlockattr_t rwa;
        pthread_rwlockattr_init(&rwa);
        pthread_rwlockattr_setkind_np(
            &rwa, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
        pthread_rwlock_init(&d.world, &rwa);
        pthread_rwlockattr_destroy(&rwa);
        pthread_mutex_init(&d.out, NULL);
        const kbcd_sinks_env sinks_env = {producer_conf, &d, part_stop};
        d.metrics = kbcd_metrics_start(d.cfg.metrics_listen,
                                       kbc_ruleset_count(d.rules));
        if (!d.metrics || (d.cfg.mock && kbcd_mock_start(&d)) ||
            !(d.sinks = kbcd_sinks_open(&d.cfg, &sinks_env)) ||
            kbcd_workers_start(&d) || consumer_open(&d)) {
                rc = 2;
        } else {
                run(&d);
                shutdown_daemon(&d);
                if (d.fatal)
                        rc = 1;
        }
        /* A consumer never assigned cannot be destroyed (see
         * wait_first_assignment); it holds nothing to hand over, so the
         * process ends without it once everything else is closed. */
        kbcd_workers_stop(&d); /* if the start failed half-way */
        bool leave_consumer = d.consumer && !d.assigned_once;
        if (d.consumer && !leave_consumer)
                rd_kafka_destroy(d.consumer);
        kbcd_sinks_close(d.sinks);
        for (kbcd_part *p = d.parts, *next; p; p = next) {
                next = p->next_part;
                kbc_pipeline_free(p->pipeline);
                kbcd_offsets_free(&p->offsets);
                free(p->topic);
                free(p);
        }
        kbcd_workers_free(&d); /* the partitions pointing at them are gone */
        kbcd_mock_stop(&d);
        kbcd_metrics_stop(d.metrics);
        free(d.rows);
        kbc_ruleset_free(d.rules);
        kbc_decoder_free(d.mappings);
        kbcd_config_free(&d.cfg);
        if (leave_consumer) {
                fflush(NULL);
                _exit(rc);
        }
        return rc;
}
