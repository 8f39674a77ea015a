/*
 * sinks.c - the sinks of the configuration behind one interface (sink.h):
 * each item written is put in flight on its partition's book (offsets.h)
 * until every sink has acknowledged it; one that cannot be delivered
 * stops its partition.
 */
#include <stdlib.h>
#include <string.h>

#include "sink.h"

/* Without memory for the bookkeeping nothing can be held safely: exiting
 * commits nothing more, so a restart reads the item again. */
static kbcd_inflight *inflight_new(kbcd_part *p, int64_t replay_from)
{
        kbcd_inflight *f = kbcd_inflight_new(&p->offsets, replay_from);
        if (!f) {
                kbcd_log("error", "out of memory for an item in flight; "
                                  "exiting, its offset not committed");
                exit(EXIT_FAILURE);
        }
        return f;
}

/* An item that cannot be delivered is never acknowledged: it holds its
 * partition's offset, and the partition stops loudly until a restart
 * (after the cause is fixed) reads it again. */
static void undeliverable(kbcd_inflight *f, const char *what, const char *why)
{
        if (kbcd_inflight_stick(f))
                kbcd_part_stop(f->book->owner, f->replay_from, what, why);
}

void kbcd_sink_refused(kbcd_sink *s, kbcd_inflight *f, const char *why)
{
        undeliverable(f, s->name, why);
        kbcd_inflight_ack(f);
}

void kbcd_sink_set_failing(kbcd_sink *s, bool failing, const char *why)
{
        if (failing) {
                s->errors++;
                if (!s->failing)
                        kbcd_log("error",
                                 "%s: %s; its items held, their offsets "
                                 "not committed",
                                 s->name, why);
        } else if (s->failing) {
                kbcd_log("info", "%s: delivering again", s->name);
        }
        s->failing = failing;
}

void kbcd_held_add(kbcd_sink *s, kbcd_held *h, kbcd_inflight *f, size_t end)
{
        if (h->n == h->cap) {
                size_t cap = h->cap ? 2 * h->cap : 64;
                kbcd_held_item *items = realloc(h->items, cap * sizeof(*items));
                if (!items) {
                        kbcd_log("error",
                                 "%s: out of memory for the items in "
                                 "flight; exiting, their offsets not "
                                 "committed",
                                 s->name);
                        exit(EXIT_FAILURE);
                }
                h->items = items;
                h->cap = cap;
        }
        h->items[h->n++] = (kbcd_held_item){f, end};
        kbcd_inflight_take(f);
}

void kbcd_held_ack(kbcd_held *h, size_t n)
{
        if (n == 0)
                return; /* items may be NULL: nothing held yet */
        for (size_t i = 0; i < n; i++)
                kbcd_inflight_ack(h->items[i].f);
        memmove(h->items, h->items + n, (h->n - n) * sizeof(*h->items));
        h->n -= n;
}

void kbcd_held_free(kbcd_held *h)
{
        free(h->items);
        *h = (kbcd_held){0};
}

static void dead_letter_json(const kbcd_item *it, kbc_buf *b)
{
        const rd_kafka_message_t *m = it->msg;
        kbc_buf_puts(b, "{\"origin\":");
        kbc_buf_json_str(b, kbc_str_cstr(it->origin));
        kbc_buf_puts(b, ",\"reason\":");
        kbc_buf_json_str(b, kbc_str_cstr(it->reason));
        kbc_buf_puts(b, ",\"message\":");
        kbc_buf_json_str(
            b,
            kbc_str_make(m->payload ? (const char *)m->payload : "", m->len));
        kbc_buf_putc(b, '}');
}

const kbc_buf *kbcd_item_payload(kbcd_sink *s, const kbcd_item *it)
{
        kbcd *d = s->d;
        kbc_out_format f = it->inc ? s->format : KBC_OUT_ECS;
        kbc_buf *b = &d->formatted[f];
        if (!d->formatted_state[f]) {
                kbc_buf_reset(b);
                int rc = 0;
                if (it->inc)
                        rc = kbc_incident_format(it->inc, f, &d->scratch, b);
                else
                        dead_letter_json(it, b);
                d->formatted_state[f] = rc || b->overflow ? -1 : 1;
        }
        if (d->formatted_state[f] > 0)
                return b;
        char why[96];
        snprintf(why, sizeof(why),
                 "cannot be written as %s (too large, or "
                 "the format is not available)",
                 kbc_out_format_name(f));
        undeliverable(it->f, it->inc ? it->inc->id : it->origin, why);
        return NULL;
}

/* Hands it to every sink of its kind (incidents: the first nsinks -
 * ndead_sinks; dead letters: the rest). */
static void emit(kbcd *d, const kbcd_item *it)
{
        memset(d->formatted_state, 0, sizeof(d->formatted_state));
        size_t first = it->inc ? 0 : d->nsinks - d->ndead_sinks;
        size_t end = it->inc ? d->nsinks - d->ndead_sinks : d->nsinks;
        for (size_t i = first; i < end; i++)
                d->sinks[i]->ops->write(d->sinks[i], it);
        kbcd_inflight_ack(it->f); /* inflight_new's share */
}

void kbcd_emit_incident(kbcd_part *p, const kbc_incident *inc)
{
        kbcd *d = p->d;
        if (!inc->open) { /* open states: kbcorr_open_states_total */
                d->incidents++;
                kbcd_metrics_incident(d->metrics,
                                      kbc_rule_index(inc->candidates[0].rule));
        }
        kbcd_item it = {.inc = inc, .f = inflight_new(p, inc->replay_from)};
        emit(d, &it);
}

void kbcd_emit_dead_letter(kbcd_part *p, const rd_kafka_message_t *m,
                           const char *reason)
{
        kbcd *d = p->d;
        char origin[KBC_ORIGIN_STRLEN];
        kbc_origin o = {.kind = KBC_ORIGIN_KAFKA,
                        .source = p->topic,
                        .partition = p->partition,
                        .position = m->offset};
        kbc_origin_format(&o, origin, sizeof(origin));
        d->dead_letters++;
        kbcd_log("warn", "dead letter %s: %s", origin, reason);
        kbcd_item it = {.msg = m,
                        .reason = reason,
                        .origin = origin,
                        .f = inflight_new(p, m->offset)};
        emit(d, &it);
}

static int add(kbcd *d, kbcd_sink *s)
{
        if (!s)
                return -1;
        d->sinks[d->nsinks++] = s;
        return 0;
}

int kbcd_sinks_open(kbcd *d)
{
        const kbcd_config *c = &d->cfg;
        for (size_t i = 0; i <= KBC_OUT_CEF; i++)
                kbc_buf_init(&d->formatted[i], 16u << 20);
        kbc_buf_init(&d->scratch, 16u << 20);
        if ((c->out_topic &&
             add(d,
                 kbcd_sink_kafka_new(d, c->out_topic, c->out_topic_format))) ||
            (c->out_file &&
             add(d, kbcd_sink_file_new(d, c->out_file, c->out_file_format))) ||
            (c->out_stdout &&
             add(d, kbcd_sink_file_new(d, "-", c->out_stdout_format))) ||
            (c->hec.url && add(d, kbcd_sink_hec_new(d, &c->hec))) ||
            (c->syslog.address && add(d, kbcd_sink_syslog_new(d, &c->syslog))))
                return -1;
        size_t incident_sinks = d->nsinks;
        if ((c->dead_topic &&
             add(d, kbcd_sink_kafka_new(d, c->dead_topic, KBC_OUT_ECS))) ||
            (c->dead_file &&
             add(d, kbcd_sink_file_new(d, c->dead_file, KBC_OUT_ECS))))
                return -1;
        d->ndead_sinks = d->nsinks - incident_sinks;
        return 0;
}

void kbcd_sinks_close(kbcd *d)
{
        for (size_t i = 0; i < d->nsinks; i++)
                d->sinks[i]->ops->close(d->sinks[i]);
        d->nsinks = d->ndead_sinks = 0;
        for (size_t i = 0; i <= KBC_OUT_CEF; i++)
                kbc_buf_free(&d->formatted[i]);
        kbc_buf_free(&d->scratch);
}

/* Once a millisecond, not per message: librdkafka's poll locks, HEC and
 * syslog make system calls, and an ack a millisecond later changes
 * nothing. */
void kbcd_sinks_poll(kbcd *d)
{
        for (size_t i = 0; i < d->nsinks; i++)
                if (d->sinks[i]->ops->poll)
                        d->sinks[i]->ops->poll(d->sinks[i]);
}

void kbcd_sinks_sync(kbcd *d)
{
        for (size_t i = 0; i < d->nsinks; i++)
                if (d->sinks[i]->ops->sync)
                        d->sinks[i]->ops->sync(d->sinks[i]);
}

bool kbcd_sinks_failing(const kbcd *d, const char **name)
{
        for (size_t i = 0; i < d->nsinks; i++)
                if (d->sinks[i]->failing) {
                        *name = d->sinks[i]->name;
                        return true;
                }
        return false;
}

bool kbcd_sinks_state(const kbcd *d, size_t i, kbcd_sink_state *st)
{
        if (i >= d->nsinks)
                return false;
        const kbcd_sink *s = d->sinks[i];
        *st = (kbcd_sink_state){s->name, s->errors, s->failing};
        return true;
}

/* Each sink gets what is left of ms. */
int kbcd_sinks_drain(kbcd *d, int ms)
{
        int64_t end = kbcd_now_ms() + ms;
        int left = 0;
        for (size_t i = 0; i < d->nsinks; i++) {
                int64_t now = kbcd_now_ms();
                if (d->sinks[i]->ops->drain)
                        left += d->sinks[i]->ops->drain(
                            d->sinks[i], now < end ? (int)(end - now) : 0);
        }
        return left;
}
