/*
 * sink_kafka.c - incidents or dead letters to a Kafka topic, acknowledged
 * by the delivery report. The Kafka sinks share one idempotent producer.
 */
#include <stdlib.h>
#include <string.h>

#include "signals.h"
#include "sink.h"

/* Room kept under the producer's message.max.bytes for the key, the
 * headers and the record's framing. */
#define DEAD_LETTER_HEADROOM (16u << 10)
#define DEAD_LETTER_KEY_MAX  1024

typedef struct kafka_sink {
        kbcd_sink base;
        rd_kafka_topic_t *topic;
        /* The incident and dead-letter topics share one producer; the sink
         * that opened it polls and drains it, once for both. */
        bool polls_producer;
} kafka_sink;

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

/* Whether librdkafka raised a fatal error on rk (the idempotent producer
 * fenced or refused; the loop logs it and the daemon exits). */
static bool kafka_fatal(rd_kafka_t *rk)
{
        char why[512];
        return rd_kafka_fatal_error(rk, why, sizeof(why)) != 0;
}

/* A delivery that failed for a passing reason (past message.timeout.ms,
 * brokers down) is produced again: dropping it would lose the incident,
 * and holding the offset alone would not bring it back until a restart. */
static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m,
                        void *opaque)
{
        (void)opaque; /* the daemon's: its error callback has it */
        kbcd_inflight *f = m->_private;
        if (!f)
                return;
        if (!m->err) {
                kbcd_inflight_ack(f);
                return;
        }
        kafka_sink *s = rd_kafka_topic_opaque(m->rkt);
        kbcd_sinks *all = s->base.all;
        if (delivery_hopeless(m->err) || kafka_fatal(rk)) {
                kbcd_sink_refused(&s->base, f, rd_kafka_err2str(m->err));
                return;
        }
        all->counts.delivery_retries++;
        kbcd_log("warn", "delivery to %s failed (%s): producing again",
                 rd_kafka_topic_name(m->rkt), rd_kafka_err2str(m->err));
        if (rd_kafka_produce(m->rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                             m->payload, m->len, m->key, m->key_len, f) == -1)
                kbcd_sink_refused(&s->base, f,
                                  rd_kafka_err2str(rd_kafka_last_error()));
}

/* Produces until the local queue takes it: a full queue is back-pressure,
 * never a reason to drop. A stop asked for meanwhile leaves the item in
 * flight, so its offset stays held. h (may be NULL) becomes the
 * producer's once taken; what names the item if it cannot be. */
static void produce(kafka_sink *s, const void *payload, size_t len,
                    const void *key, size_t keylen, rd_kafka_headers_t *h,
                    const char *what, kbcd_inflight *f)
{
        rd_kafka_t *producer = s->base.all->producer;
        kbcd_inflight_take(f);
        for (;;) {
                rd_kafka_resp_err_t err = rd_kafka_producev(
                    producer, RD_KAFKA_V_RKT(s->topic),
                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                    RD_KAFKA_V_VALUE((void *)payload, len),
                    RD_KAFKA_V_KEY(key, keylen), RD_KAFKA_V_HEADERS(h),
                    RD_KAFKA_V_OPAQUE(f), RD_KAFKA_V_END);
                if (!err)
                        return;
                if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                        kbcd_sink_refused(&s->base, f, rd_kafka_err2str(err));
                        break;
                }
                if (kbcd_stopping()) {
                        kbcd_log("warn",
                                 "stopping with the producer queue full: %s "
                                 "stays undelivered, its offset held",
                                 what);
                        break;
                }
                rd_kafka_poll(producer, 100);
        }
        if (h)
                rd_kafka_headers_destroy(h);
}

/* A message the producer could not take whole is cut: the dead letter
 * still names its origin, so the original can be fetched. */
static void produce_dead_letter(kafka_sink *s, const kbcd_item *it)
{
        const rd_kafka_message_t *m = it->msg;
        size_t len = m->len, keylen = m->key_len;
        char cut[32];
        if (keylen > DEAD_LETTER_KEY_MAX)
                keylen = 0;
        if (len > s->base.all->dead_value_max)
                len = s->base.all->dead_value_max;
        rd_kafka_headers_t *h = rd_kafka_headers_new(3);
        rd_kafka_header_add(h, "kbcorr.reason", -1, it->reason, -1);
        rd_kafka_header_add(h, "kbcorr.origin", -1, it->origin, -1);
        if (len < m->len) {
                snprintf(cut, sizeof(cut), "%zu", m->len);
                rd_kafka_header_add(h, "kbcorr.truncated", -1, cut, -1);
        }
        produce(s, m->payload, len, keylen ? m->key : NULL, keylen, h,
                it->origin, it->f);
}

static void kafka_write(kbcd_sink *base, const kbcd_item *it)
{
        kafka_sink *s = (kafka_sink *)base;
        if (!it->inc) {
                produce_dead_letter(s, it);
                return;
        }
        const kbc_buf *b = kbcd_item_payload(base, it);
        if (b)
                produce(s, b->data, b->len, it->inc->host,
                        strlen(it->inc->host), NULL, base->name, it->f);
}

static void kafka_poll(kbcd_sink *base)
{
        if (((kafka_sink *)base)->polls_producer)
                rd_kafka_poll(base->all->producer, 0);
}

static int kafka_drain(kbcd_sink *base, int ms)
{
        if (!((kafka_sink *)base)->polls_producer)
                return 0;
        rd_kafka_flush(base->all->producer, ms);
        return rd_kafka_outq_len(base->all->producer);
}

static void kafka_close(kbcd_sink *base)
{
        kafka_sink *s = (kafka_sink *)base;
        kbcd_sinks *all = base->all;
        rd_kafka_topic_destroy(s->topic);
        if (--all->producer_users == 0) {
                rd_kafka_destroy(all->producer);
                all->producer = NULL;
        }
        free(s);
}

static const kbcd_sink_ops kafka_ops = {
    .write = kafka_write,
    .poll = kafka_poll,
    .drain = kafka_drain,
    .close = kafka_close,
};

static int producer_open(kbcd_sinks *all)
{
        char err[512];
        /* Idempotence: retries never duplicate or reorder an incident. */
        const kbc_kafka_prop forced[] = {{"enable.idempotence", "true"}};
        rd_kafka_conf_t *conf = all->env.kafka_conf(all->env.opaque, forced, 1);
        if (!conf)
                return -1;
        char max[32];
        size_t maxlen = sizeof(max);
        long msg_max = 1000000;
        if (rd_kafka_conf_get(conf, "message.max.bytes", max, &maxlen) ==
            RD_KAFKA_CONF_OK)
                msg_max = strtol(max, NULL, 10);
        all->dead_value_max = msg_max > (long)(2 * DEAD_LETTER_HEADROOM)
                                  ? (size_t)msg_max - DEAD_LETTER_HEADROOM
                                  : DEAD_LETTER_HEADROOM;
        rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
        all->producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
        if (!all->producer) {
                kbcd_log("error", "cannot create the producer: %s", err);
                rd_kafka_conf_destroy(conf); /* still ours */
                return -1;
        }
        return 0;
}

kbcd_sink *kbcd_sink_kafka_new(kbcd_sinks *all, const char *topic,
                               kbc_out_format f)
{
        bool first = !all->producer;
        if (first && producer_open(all))
                return NULL;
        kafka_sink *s = calloc(1, sizeof(*s));
        if (!s)
                return NULL;
        s->polls_producer = first;
        s->base = (kbcd_sink){.ops = &kafka_ops, .all = all, .format = f};
        rd_kafka_topic_conf_t *tc = rd_kafka_topic_conf_new();
        rd_kafka_topic_conf_set_opaque(tc, s);
        s->topic = rd_kafka_topic_new(all->producer, topic, tc);
        if (!s->topic) {
                kbcd_log("error", "topic %s: %s", topic,
                         rd_kafka_err2str(rd_kafka_last_error()));
                free(s);
                return NULL;
        }
        all->producer_users++;
        s->base.name = rd_kafka_topic_name(s->topic);
        return &s->base;
}
