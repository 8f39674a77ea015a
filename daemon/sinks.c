/*
 * sinks.c - the sinks of the configuration behind one interface (sink.h):
 * each item written is put in flight on its partition's book (offsets.h)
 * until every sink has acknowledged it; one that cannot be delivered
 * stops its partition (sinks.h).
 */
#include <stdlib.h>
#include <string.h>

#include "sink.h"

/* Without memory for the bookkeeping nothing can be held safely: exiting
 * commits nothing more, so a restart reads the item again. */
static kbcd_inflight *inflight_new(kbcd_offsets *book, int64_t replay_from)
{
        kbcd_inflight *f = kbcd_inflight_new(book, replay_from);
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
static void undeliverable(kbcd_sinks *all, kbcd_inflight *f, const char *what,
                          const char *why)
{
        if (!kbcd_inflight_stick(f))
                return;
        all->counts.undeliverable++;
        all->env.stop(f->book->owner, f->replay_from, what, why);
}

void kbcd_sink_refused(kbcd_sink *s, kbcd_inflight *f, const char *why)
{
        undeliverable(s->all, f, s->name, why);
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
        kbcd_sinks *all = s->all;
        kbc_out_format f = it->inc ? s->format : KBC_OUT_ECS;
        kbc_buf *b = &all->formatted[f];
        if (!all->formatted_state[f]) {
                kbc_buf_reset(b);
                int rc = 0;
                if (it->inc)
                        rc = kbc_incident_format(it->inc, f, &all->scratch, b);
                else
                        dead_letter_json(it, b);
                all->formatted_state[f] = rc || b->overflow ? -1 : 1;
        }
        if (all->formatted_state[f] > 0)
                return b;
        char why[96];
        snprintf(why, sizeof(why),
                 "cannot be written as %s (too large, or "
                 "the format is not available)",
                 kbc_out_format_name(f));
        undeliverable(all, it->f, it->inc ? it->inc->id : it->origin, why);
        return NULL;
}

/* Hands it to every sink of its kind (incidents: the first nsinks -
 * ndead_sinks; dead letters: the rest). */
static void emit(kbcd_sinks *all, const kbcd_item *it)
{
        memset(all->formatted_state, 0, sizeof(all->formatted_state));
        size_t first = it->inc ? 0 : all->n - all->ndead;
        size_t end = it->inc ? all->n - all->ndead : all->n;
        for (size_t i = first; i < end; i++)
                all->list[i]->ops->write(all->list[i], it);
        kbcd_inflight_ack(it->f); /* inflight_new's share */
}

void kbcd_emit_incident(kbcd_sinks *all, kbcd_offsets *book,
                        const kbc_incident *inc)
{
        all->counts.incidents += !inc->open; /* open states are no incident */
        kbcd_item it = {.inc = inc, .f = inflight_new(book, inc->replay_from)};
        emit(all, &it);
}

void kbcd_emit_dead_letter(kbcd_sinks *all, kbcd_offsets *book,
                           const char *topic, const rd_kafka_message_t *m,
                           const char *reason)
{
        char origin[KBC_ORIGIN_STRLEN];
        kbc_origin o = {.kind = KBC_ORIGIN_KAFKA,
                        .source = topic,
                        .partition = m->partition,
                        .position = m->offset};
        kbc_origin_format(&o, origin, sizeof(origin));
        all->counts.dead_letters++;
        kbcd_log("warn", "dead letter %s: %s", origin, reason);
        kbcd_item it = {.msg = m,
                        .reason = reason,
                        .origin = origin,
                        .f = inflight_new(book, m->offset)};
        emit(all, &it);
}

static int add(kbcd_sinks *all, kbcd_sink *s)
{
        if (!s)
                return -1;
        all->list[all->n++] = s;
        return 0;
}

kbcd_sinks *kbcd_sinks_open(const kbcd_config *c, const kbcd_sinks_env *env)
{
        kbcd_sinks *all = calloc(1, sizeof(*all));
        if (!all)
                return NULL;
        all->env = *env;
        for (size_t i = 0; i <= KBC_OUT_CEF; i++)
                kbc_buf_init(&all->formatted[i], 16u << 20);
        kbc_buf_init(&all->scratch, 16u << 20);
        if ((c->out_topic &&
             add(all, kbcd_sink_kafka_new(all, c->out_topic,
                                          c->out_topic_format))) ||
            (c->out_file && add(all, kbcd_sink_file_new(all, c->out_file,
                                                        c->out_file_format))) ||
            (c->out_stdout &&
             add(all, kbcd_sink_file_new(all, "-", c->out_stdout_format))) ||
            (c->hec.url && add(all, kbcd_sink_hec_new(all, &c->hec))) ||
            (c->syslog.address &&
             add(all, kbcd_sink_syslog_new(all, &c->syslog))))
                goto fail;
        size_t incident_sinks = all->n;
        if ((c->dead_topic &&
             add(all, kbcd_sink_kafka_new(all, c->dead_topic, KBC_OUT_ECS))) ||
            (c->dead_file &&
             add(all, kbcd_sink_file_new(all, c->dead_file, KBC_OUT_ECS))))
                goto fail;
        all->ndead = all->n - incident_sinks;
        return all;
fail:
        kbcd_sinks_close(all);
        return NULL;
}

void kbcd_sinks_close(kbcd_sinks *all)
{
        if (!all)
                return;
        for (size_t i = 0; i < all->n; i++)
                all->list[i]->ops->close(all->list[i]);
        for (size_t i = 0; i <= KBC_OUT_CEF; i++)
                kbc_buf_free(&all->formatted[i]);
        kbc_buf_free(&all->scratch);
        free(all);
}

/* Once a millisecond, not per message: librdkafka's poll locks, HEC and
 * syslog make system calls, and an ack a millisecond later changes
 * nothing. */
void kbcd_sinks_poll(kbcd_sinks *all)
{
        for (size_t i = 0; i < all->n; i++)
                if (all->list[i]->ops->poll)
                        all->list[i]->ops->poll(all->list[i]);
}

void kbcd_sinks_sync(kbcd_sinks *all)
{
        for (size_t i = 0; i < all->n; i++)
                if (all->list[i]->ops->sync)
                        all->list[i]->ops->sync(all->list[i]);
}

bool kbcd_sinks_failing(const kbcd_sinks *all, const char **name)
{
        for (size_t i = 0; i < all->n; i++)
                if (all->list[i]->failing) {
                        *name = all->list[i]->name;
                        return true;
                }
        return false;
}

bool kbcd_sinks_state(const kbcd_sinks *all, size_t i, kbcd_sink_state *st)
{
        if (i >= all->n)
                return false;
        const kbcd_sink *s = all->list[i];
        *st = (kbcd_sink_state){s->name, s->errors, s->failing};
        return true;
}

/* Each sink gets what is left of ms. */
int kbcd_sinks_drain(kbcd_sinks *all, int ms)
{
        int64_t end = kbcd_now_ms() + ms;
        int left = 0;
        for (size_t i = 0; i < all->n; i++) {
                int64_t now = kbcd_now_ms();
                if (all->list[i]->ops->drain)
                        left += all->list[i]->ops->drain(
                            all->list[i], now < end ? (int)(end - now) : 0);
        }
        return left;
}

void kbcd_sinks_counts_get(const kbcd_sinks *all, kbcd_sinks_counts *out)
{
        *out = all->counts;
}
