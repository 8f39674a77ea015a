/*
 * sinks.c - where incidents and dead letters go (Kafka topic, JSON-lines
 * file, stdout), and the bookkeeping that tells the consumer loop when
 * each is safe: acknowledged by a delivery report, or fsync'd.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kbcorrd.h"

/* Room kept under the producer's message.max.bytes for the key, the
 * headers and the record's framing. */
#define DEAD_LETTER_HEADROOM (16u << 10)
#define DEAD_LETTER_KEY_MAX  1024

/* Without memory for the bookkeeping nothing can be held safely: exiting
 * commits nothing more, so a restart reads the item again. */
static kbcd_inflight *inflight_new(kbcd_part *p, int64_t replay_from)
{
        kbcd_inflight *f = calloc(1, sizeof(*f));
        if (!f) {
                kbcd_log("error", "out of memory for an item in flight; "
                                  "exiting, its offset not committed");
                exit(EXIT_FAILURE);
        }
        f->part = p;
        f->replay_from = replay_from;
        f->next = p->inflight;
        if (p->inflight)
                p->inflight->prev = f;
        p->inflight = f;
        return f;
}

void kbcd_inflight_free(kbcd_inflight *f)
{
        kbcd_part *p = f->part;
        if (f->prev)
                f->prev->next = f->next;
        else
                p->inflight = f->next;
        if (f->next)
                f->next->prev = f->prev;
        free(f);
}

static void inflight_ack(kbcd_inflight *f)
{
        if (--f->waiting == 0)
                kbcd_inflight_free(f);
}

/* Errors a new attempt cannot cure: the item is held and its partition
 * stopped (kbcd_part_stop) rather than produced again forever. */
static bool delivery_hopeless(rd_kafka_resp_err_t err)
{
        switch (err) {
        case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
        case RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE:
        case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
        case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
        case RD_KAFKA_RESP_ERR_INVALID_RECORD:
        case RD_KAFKA_RESP_ERR__FATAL:
                return true;
        default:
                return false;
        }
}

/* An item that cannot be delivered is never acknowledged: it holds its
 * partition's offset, and the partition stops loudly until a restart
 * (after the cause is fixed) reads it again. */
static void undeliverable(kbcd_inflight *f, const char *what, const char *why)
{
        if (f->stuck)
                return;
        f->stuck = true;
        f->waiting++;
        kbcd_part_stop(f->part, f->replay_from, what, why);
}

/* A delivery that failed for a passing reason (past message.timeout.ms,
 * brokers down) is produced again: dropping it would lose the incident,
 * and holding the offset alone would not bring it back until a restart. */
static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m,
                        void *opaque)
{
        kbcd *d = opaque;
        kbcd_inflight *f = m->_private;
        if (!m->err) {
                if (f)
                        inflight_ack(f);
                return;
        }
        if (!f)
                return;
        if (delivery_hopeless(m->err) || kbcd_kafka_fatal(rk)) {
                undeliverable(f, rd_kafka_topic_name(m->rkt),
                              rd_kafka_err2str(m->err));
                inflight_ack(f); /* the produce's share; stuck holds it */
                return;
        }
        d->delivery_retries++;
        kbcd_log("warn", "delivery to %s failed (%s): producing again",
                 rd_kafka_topic_name(m->rkt), rd_kafka_err2str(m->err));
        if (rd_kafka_produce(m->rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                             m->payload, m->len, m->key, m->key_len, f) == -1) {
                undeliverable(f, rd_kafka_topic_name(m->rkt),
                              rd_kafka_err2str(rd_kafka_last_error()));
                inflight_ack(f);
        }
}

/* A pending record larger than this means the sink has failed for long:
 * kbcorrd exits (the records' offsets were never committed, so a restart
 * re-reads them) rather than hold the incidents in memory without bound. */
#define PENDING_MAX ((size_t)256 << 20)

static int open_sink(kbcd_file_sink *s, const char *path)
{
        s->fd = -1;
        if (!path)
                return 0;
        s->name = strcmp(path, "-") ? path : "stdout";
        s->fd =
            strcmp(path, "-")
                ? open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)
                : STDOUT_FILENO;
        if (s->fd < 0) {
                kbcd_log("error", "%s: %s", path, strerror(errno));
                return -1;
        }
        struct stat st;
        s->fsync = !fstat(s->fd, &st) && S_ISREG(st.st_mode);
        kbc_buf_init(&s->pending, PENDING_MAX);
        return 0;
}

static void close_sink(kbcd_file_sink *s)
{
        if (s->fd >= 0 && s->fd != STDOUT_FILENO)
                close(s->fd);
        kbc_buf_free(&s->pending);
}

/* Writes what is pending, then fsyncs. 0 when all of it is on disk. */
static int flush_sink(kbcd_file_sink *s)
{
        size_t done = 0;
        int err = 0;
        while (done < s->pending.len) {
                ssize_t n =
                    write(s->fd, s->pending.data + done, s->pending.len - done);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        err = n < 0 ? errno : EIO;
                        break;
                }
                done += (size_t)n;
        }
        if (done) { /* what was written is never written again */
                memmove(s->pending.data, s->pending.data + done,
                        s->pending.len - done);
                s->pending.len -= done;
        }
        if (!err && s->fsync && fsync(s->fd))
                err = errno;
        if (err) {
                s->errors++;
                if (!s->failing)
                        kbcd_log("error",
                                 "%s: %s; %zu bytes of records held, retried "
                                 "every %d ms, their offsets not committed",
                                 s->name, strerror(err), s->pending.len,
                                 KBCD_STORE_EVERY_MS);
                s->failing = true;
                return -1;
        }
        if (s->failing)
                kbcd_log("info", "%s: writing again", s->name);
        s->failing = false;
        return 0;
}

int kbcd_sinks_open(kbcd *d)
{
        const kbcd_config *c = &d->cfg;
        char err[512];
        kbc_buf_init(&d->json, 16u << 20);
        kbc_buf_init(&d->scratch, 16u << 20);
        if (open_sink(&d->out_file, c->out_file) ||
            open_sink(&d->out_stdout, c->out_stdout ? "-" : NULL) ||
            open_sink(&d->dead_file, c->dead_file))
                return -1;
        if (!c->out_topic && !c->dead_topic)
                return 0;
        /* Idempotence: retries never duplicate or reorder an incident. */
        const kbcd_kv forced[] = {{"enable.idempotence", "true"}};
        rd_kafka_conf_t *conf = kbcd_kafka_conf(d, NULL, 0, forced, 1);
        if (!conf)
                return -1;
        char max[32];
        size_t maxlen = sizeof(max);
        long msg_max = 1000000;
        if (rd_kafka_conf_get(conf, "message.max.bytes", max, &maxlen) ==
            RD_KAFKA_CONF_OK)
                msg_max = strtol(max, NULL, 10);
        d->dead_value_max = msg_max > (long)(2 * DEAD_LETTER_HEADROOM)
                                ? (size_t)msg_max - DEAD_LETTER_HEADROOM
                                : DEAD_LETTER_HEADROOM;
        rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
        rd_kafka_conf_set_opaque(conf, d);
        d->producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
        if (!d->producer) {
                kbcd_log("error", "cannot create the producer: %s", err);
                rd_kafka_conf_destroy(conf); /* still ours */
                return -1;
        }
        if (c->out_topic)
                d->out_topic =
                    rd_kafka_topic_new(d->producer, c->out_topic, NULL);
        if (c->dead_topic)
                d->dead_topic =
                    rd_kafka_topic_new(d->producer, c->dead_topic, NULL);
        return 0;
}

void kbcd_sinks_close(kbcd *d)
{
        if (d->out_topic)
                rd_kafka_topic_destroy(d->out_topic);
        if (d->dead_topic)
                rd_kafka_topic_destroy(d->dead_topic);
        if (d->producer)
                rd_kafka_destroy(d->producer);
        close_sink(&d->out_file);
        close_sink(&d->out_stdout);
        close_sink(&d->dead_file);
        kbc_buf_free(&d->json);
        kbc_buf_free(&d->scratch);
}

/* Produces until the local queue takes it: a full queue is back-pressure,
 * never a reason to drop. A stop asked for meanwhile leaves the item in
 * flight, so its offset stays held. h (may be NULL) becomes the
 * producer's once taken; what names the item if it cannot be. */
static void produce(kbcd *d, rd_kafka_topic_t *t, const void *payload,
                    size_t len, const void *key, size_t keylen,
                    rd_kafka_headers_t *h, const char *what, kbcd_inflight *f)
{
        f->waiting++;
        for (;;) {
                rd_kafka_resp_err_t err = rd_kafka_producev(
                    d->producer, RD_KAFKA_V_RKT(t),
                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                    RD_KAFKA_V_VALUE((void *)payload, len),
                    RD_KAFKA_V_KEY(key, keylen), RD_KAFKA_V_HEADERS(h),
                    RD_KAFKA_V_OPAQUE(f), RD_KAFKA_V_END);
                if (!err)
                        return;
                if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                        undeliverable(f, what, rd_kafka_err2str(err));
                        break;
                }
                if (kbcd_stopping()) {
                        kbcd_log("warn",
                                 "stopping with the producer queue full: %s "
                                 "stays undelivered, its offset held",
                                 what);
                        break;
                }
                rd_kafka_poll(d->producer, 100);
        }
        if (h)
                rd_kafka_headers_destroy(h);
}

/* JSON lines, or msgpack objects back to back (they delimit themselves):
 * pending until the next sync writes them. */
static void write_record(kbcd_file_sink *s, const kbc_buf *b, bool line,
                         kbcd_inflight *f)
{
        kbc_buf_append(&s->pending, b->data, b->len);
        if (line)
                kbc_buf_putc(&s->pending, '\n');
        if (s->pending.overflow) {
                kbcd_log("error",
                         "%s: %zu MiB of records held and the sink still "
                         "failing; exiting, their offsets not committed",
                         s->name, PENDING_MAX >> 20);
                exit(EXIT_FAILURE);
        }
        if (!f->unsynced) {
                f->unsynced = true;
                f->waiting++;
        }
}

/* Writes the JSON in d->json to every sink of its kind, in flight on f. */
static void deliver(kbcd *d, rd_kafka_topic_t *topic, kbcd_file_sink *file,
                    bool out, const char *key, kbcd_inflight *f)
{
        f->waiting = 1; /* held while writing, released below */
        if (topic)
                produce(d, topic, d->json.data, d->json.len, key, strlen(key),
                        NULL, rd_kafka_topic_name(topic), f);
        bool line = !(out && d->cfg.out_msgpack);
        if (file->name)
                write_record(file, &d->json, line, f);
        if (out && d->out_stdout.name)
                write_record(&d->out_stdout, &d->json, line, f);
        inflight_ack(f);
}

void kbcd_emit_incident(kbcd_part *p, const kbc_incident *inc)
{
        kbcd *d = p->d;
        if (!inc->open) { /* open states: kbcorr_open_states_total */
                d->incidents++;
                d->metrics
                    .kb_incidents[kbc_rule_index(inc->candidates[0].rule)]++;
        }
        kbcd_inflight *f = inflight_new(p, inc->replay_from);
        kbc_buf_reset(&d->json);
        if (d->cfg.out_msgpack
                ? kbc_incident_to_msgpack(inc, &d->scratch, &d->json)
                : kbc_incident_to_json(inc, &d->json)) {
                undeliverable(f, inc->id, "too large to write");
                return;
        }
        deliver(d, d->out_topic, &d->out_file, true, inc->host, f);
}

static void produce_dead_letter(kbcd *d, const rd_kafka_message_t *m,
                                const char *reason, const char *origin,
                                kbcd_inflight *f)
{
        /* A message the producer could not take whole is cut: the dead
         * letter still names its origin, so the original can be fetched. */
        size_t len = m->len, keylen = m->key_len;
        char cut[32];
        if (keylen > DEAD_LETTER_KEY_MAX)
                keylen = 0;
        if (len > d->dead_value_max)
                len = d->dead_value_max;
        rd_kafka_headers_t *h = rd_kafka_headers_new(3);
        rd_kafka_header_add(h, "kbcorr.reason", -1, reason, -1);
        rd_kafka_header_add(h, "kbcorr.origin", -1, origin, -1);
        if (len < m->len) {
                snprintf(cut, sizeof(cut), "%zu", m->len);
                rd_kafka_header_add(h, "kbcorr.truncated", -1, cut, -1);
        }
        produce(d, d->dead_topic, m->payload, len, keylen ? m->key : NULL,
                keylen, h, origin, f);
}

void kbcd_emit_dead_letter(kbcd_part *p, const rd_kafka_message_t *m,
                           const char *reason)
{
        kbcd *d = p->d;
        char origin[KBC_ORIGIN_STRLEN];
        kbc_origin o = {KBC_ORIGIN_KAFKA, p->topic, p->partition, m->offset};
        kbc_origin_format(&o, origin, sizeof(origin));
        d->dead_letters++;
        kbcd_log("warn", "dead letter %s: %s", origin, reason);
        kbcd_inflight *f = inflight_new(p, m->offset);
        f->waiting = 1;
        if (d->dead_topic)
                produce_dead_letter(d, m, reason, origin, f);
        if (d->dead_file.name) {
                kbc_buf_reset(&d->json);
                kbc_buf_puts(&d->json, "{\"origin\":");
                kbc_buf_json_str(&d->json, kbc_str_cstr(origin));
                kbc_buf_puts(&d->json, ",\"reason\":");
                kbc_buf_json_str(&d->json, kbc_str_cstr(reason));
                kbc_buf_puts(&d->json, ",\"message\":");
                kbc_buf_json_str(
                    &d->json,
                    kbc_str_make(m->payload ? (const char *)m->payload : "",
                                 m->len));
                kbc_buf_putc(&d->json, '}');
                write_record(&d->dead_file, &d->json, true, f);
        }
        inflight_ack(f);
}

void kbcd_sinks_sync(kbcd *d)
{
        /* Acknowledged only when every file sink has all of it on disk. */
        bool ok = true;
        kbcd_file_sink *sinks[] = {&d->out_file, &d->out_stdout, &d->dead_file};
        for (size_t i = 0; i < sizeof(sinks) / sizeof(*sinks); i++)
                if (sinks[i]->name && flush_sink(sinks[i]))
                        ok = false;
        if (!ok)
                return;
        for (kbcd_part *p = d->parts; p; p = p->next_part) {
                kbcd_inflight *f = p->inflight;
                while (f) {
                        kbcd_inflight *next = f->next;
                        if (f->unsynced) {
                                f->unsynced = false;
                                inflight_ack(f);
                        }
                        f = next;
                }
        }
}

bool kbcd_sinks_failing(const kbcd *d, const char **name)
{
        const kbcd_file_sink *sinks[] = {&d->out_file, &d->out_stdout,
                                         &d->dead_file};
        for (size_t i = 0; i < sizeof(sinks) / sizeof(*sinks); i++)
                if (sinks[i]->failing) {
                        *name = sinks[i]->name;
                        return true;
                }
        return false;
}

int kbcd_sinks_drain(kbcd *d, int ms)
{
        if (!d->producer)
                return 0;
        rd_kafka_flush(d->producer, ms);
        return rd_kafka_outq_len(d->producer);
}
