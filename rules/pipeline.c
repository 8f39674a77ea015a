/*
 * pipeline.c - decode, time filter and correlate one message (see
 * kbc_pipeline.h). The decoded event lives in the pipeline, not on the
 * stack: it is a few kilobytes of field views.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handoff.h"
#include "kbc_buf.h"
#include "kbc_pipeline.h"
#include "kbc_time.h"

#define ERR_SIZE   256
#define SOURCE_MAX 65536 /* longer origin sources are cut when queued */

/* What decoding made of a message. */
typedef enum outcome { KEPT, FILTERED, REJECTED, TOO_LARGE } outcome;

/* A message queued in threaded mode, then what decoding made of it. */
typedef struct item {
        kbc_buf raw; /* the message, then its origin's source */
        size_t len;
        kbc_origin origin;
        kbc_diag_fn *diag;
        void *diag_opaque;
        bool worked; /* decoded when queued: too large to copy */
        outcome outcome;
        kbc_format format;
        int64_t time_ms; /* the event's, KBC_TIME_NONE if not decoded */
        kbc_event ev;    /* KEPT: the event, its strings in store */
        kbc_buf store;
        char err[ERR_SIZE];
} item;

struct kbc_pipeline {
        kbc_pipeline_opts opts;
        /* the caller's, and the handoff thread's when threaded */
        kbc_decoder *decoders[2];
        kbc_event events[2]; /* what each decodes into */
        kbc_engine *engine;
        kbc_handoff *handoff; /* opts.threaded; NULL: all done here */
        item *items;          /* KBC_HANDOFF_SLOTS, when threaded */
        bool mappings_shared; /* decoders[1] has decoders[0]'s mappings */
        kbc_format last_format;
        bool last_kept; /* the last decoded event passed the filters */
        kbc_pipeline_stats stats;
        char last_error[ERR_SIZE]; /* why the last message did not decode */
};

static kbc_handoff_fn work, finish;

/* The items of threaded mode, their buffers capped, allocated as used. */
static item *items_new(void)
{
        item *items = calloc(KBC_HANDOFF_SLOTS, sizeof(*items));
        for (size_t i = 0; items && i < KBC_HANDOFF_SLOTS; i++) {
                kbc_buf_init(&items[i].raw,
                             KBC_DECODE_MAX_MESSAGE + SOURCE_MAX + 1);
                kbc_buf_init(&items[i].store, KBC_DECODE_MAX_MESSAGE * 2);
        }
        return items;
}

static void items_free(item *items)
{
        for (size_t i = 0; items && i < KBC_HANDOFF_SLOTS; i++) {
                kbc_buf_free(&items[i].raw);
                kbc_buf_free(&items[i].store);
        }
        free(items);
}

kbc_pipeline *kbc_pipeline_new(const kbc_ruleset *rs,
                               const kbc_pipeline_opts *opts,
                               kbc_incident_fn *cb, void *opaque)
{
        kbc_pipeline *p = calloc(1, sizeof(*p));
        if (!p)
                return NULL;
        p->opts = *opts;
        int sides = opts->threaded ? 2 : 1;
        for (int i = 0; i < sides; i++) {
                p->decoders[i] = kbc_decoder_new();
                if (p->decoders[i])
                        kbc_decoder_set_local_offset(p->decoders[i],
                                                     opts->local_offset_min);
        }
        p->engine = kbc_engine_new(rs, &opts->engine, cb, opaque);
        if (opts->threaded && (p->items = items_new()))
                p->handoff = kbc_handoff_new(work, finish, p);
        if (!p->decoders[0] || !p->decoders[sides - 1] || !p->engine ||
            (opts->threaded && !p->handoff)) {
                kbc_pipeline_free(p);
                return NULL;
        }
        return p;
}

void kbc_pipeline_free(kbc_pipeline *p)
{
        if (!p)
                return;
        kbc_handoff_free(p->handoff);
        items_free(p->items);
        kbc_decoder_free(p->decoders[0]);
        kbc_decoder_free(p->decoders[1]);
        kbc_engine_free(p->engine);
        free(p);
}

void kbc_reject_reason(const char *err, char *out, size_t size)
{
        static const char at_byte[] = " at byte";
        const size_t at_len = sizeof(at_byte) - 1;
        size_t n = strcspn(err, "\"(0123456789");
        while (n > 0 &&
               (err[n - 1] == ' ' || err[n - 1] == ':' || err[n - 1] == ','))
                n--;
        /* "invalid JSON at byte 70: ..." is "invalid JSON" */
        if (n >= at_len && !memcmp(err + n - at_len, at_byte, at_len))
                n -= at_len;
        if (n == 0) {
                err = "undecodable";
                n = strlen(err);
        }
        if (n >= size)
                n = size - 1;
        memcpy(out, err, n);
        out[n] = '\0';
}

/* Counts n rejects of reason in s. */
static void count_reject(kbc_pipeline_stats *s, const char *reason, uint64_t n)
{
        for (size_t i = 0; i < s->nrejects; i++)
                if (!strcmp(s->rejects[i].reason, reason)) {
                        s->rejects[i].n += n;
                        return;
                }
        if (s->nrejects == KBC_REJECT_REASONS) {
                s->rejects_other += n;
                return;
        }
        kbc_reject_count *r = &s->rejects[s->nrejects++];
        snprintf(r->reason, sizeof(r->reason), "%s", reason);
        r->n = n;
}

/* Decodes into side's event and applies the filters. */
static outcome decode(kbc_pipeline *p, int side, const char *buf, size_t len,
                      const kbc_origin *origin, kbc_format *f, char *err)
{
        kbc_event *ev = &p->events[side];
        ev->origin = *origin;
        *f = kbc_decode(p->decoders[side], p->opts.format, buf, len, ev, err,
                        ERR_SIZE);
        if (*f == KBC_FMT_AUTO)
                return REJECTED;
        bool kept =
            (p->opts.from_ms == KBC_TIME_NONE ||
             ev->time_ms >= p->opts.from_ms) &&
            (p->opts.to_ms == KBC_TIME_NONE || ev->time_ms < p->opts.to_ms) &&
            (!p->opts.keep || p->opts.keep(p->opts.keep_opaque, ev));
        return kept ? KEPT : FILTERED;
}

/* Counts and reports a decoded message, in the order fed, and correlates
 * ev if it was kept. */
static void settle(kbc_pipeline *p, outcome o, kbc_format f, int64_t time_ms,
                   const kbc_event *ev, const kbc_origin *origin,
                   const char *err, kbc_diag_fn *diag, void *opaque)
{
        p->stats.messages++;
        if (o == REJECTED) {
                char reason[KBC_REJECT_REASON_SIZE], where[KBC_ORIGIN_STRLEN],
                    msg[ERR_SIZE + sizeof(where) + 4];
                kbc_reject_reason(err, reason, sizeof(reason));
                count_reject(&p->stats, reason, 1);
                p->stats.decode_errors++;
                if (diag) {
                        kbc_origin_format(origin, where, sizeof(where));
                        snprintf(msg, sizeof(msg), "%s: %s", where, err);
                        diag(opaque, msg);
                }
        } else
                p->stats.by_format[f]++;
        if (o == FILTERED)
                p->stats.filtered++;
        if (o == TOO_LARGE) {
                count_reject(&p->stats, "too large to queue", 1);
                p->stats.decode_errors++; /* reported and counted alike */
        }
        if (p->opts.settled)
                p->opts.settled(p->opts.settled_opaque, origin, time_ms,
                                o == KEPT ? ev : NULL);
        if (o == KEPT)
                kbc_engine_feed(p->engine, ev);
}

/* Decodes a queued item on side; a kept event is copied into the item. */
static void work_item(kbc_pipeline *p, item *it, int side, const char *buf)
{
        it->outcome =
            decode(p, side, buf, it->len, &it->origin, &it->format, it->err);
        it->time_ms =
            it->outcome == REJECTED ? KBC_TIME_NONE : p->events[side].time_ms;
        if (it->outcome == KEPT &&
            kbc_event_copy(&it->ev, &p->events[side], &it->store))
                it->outcome = TOO_LARGE;
}

static void work(void *opaque, size_t slot, int side)
{
        kbc_pipeline *p = opaque;
        item *it = &p->items[slot];
        if (!it->worked)
                work_item(p, it, side, it->raw.data);
}

static void finish(void *opaque, size_t slot, int side)
{
        (void)side;
        kbc_pipeline *p = opaque;
        item *it = &p->items[slot];
        settle(p, it->outcome, it->format, it->time_ms, &it->ev, &it->origin,
               it->err, it->diag, it->diag_opaque);
}

/* Threaded mode: a copy of the message goes to the handoff, where either
 * thread decodes it and the handoff's settles it. */
static void queue(kbc_pipeline *p, const char *buf, size_t len,
                  const kbc_origin *origin, kbc_diag_fn *diag, void *opaque)
{
        if (!p->mappings_shared) {
                kbc_decoder_copy_mappings(p->decoders[1], p->decoders[0]);
                p->mappings_shared = true;
        }
        item *it = &p->items[kbc_handoff_reserve(p->handoff)];
        size_t src_len =
            origin->source ? strnlen(origin->source, SOURCE_MAX - 1) : 0;
        /* field by field: the item's event is kilobytes, written by work */
        it->len = len;
        it->origin = *origin;
        it->diag = diag;
        it->diag_opaque = opaque;
        it->time_ms = KBC_TIME_NONE;
        /* an oversized message is refused by its size: no copy needed */
        it->worked = len > KBC_DECODE_MAX_MESSAGE;
        kbc_buf_reset(&it->raw);
        if (kbc_buf_append(&it->raw, buf, it->worked ? 0 : len) ||
            kbc_buf_append(&it->raw, origin->source, src_len) ||
            kbc_buf_putc(&it->raw, '\0')) {
                it->worked = true; /* out of memory */
                it->outcome = TOO_LARGE;
                it->origin.source = NULL;
        } else {
                if (origin->source)
                        it->origin.source =
                            it->raw.data + it->raw.len - src_len - 1;
                if (it->worked)
                        work_item(p, it, 0, buf);
        }
        kbc_handoff_commit(p->handoff);
}

int kbc_pipeline_feed(kbc_pipeline *p, const char *buf, size_t len,
                      const kbc_origin *origin, kbc_diag_fn *diag, void *opaque)
{
        if (p->handoff) {
                queue(p, buf, len, origin, diag, opaque);
                return 0;
        }
        kbc_format f;
        outcome o = decode(p, 0, buf, len, origin, &f, p->last_error);
        if (o != REJECTED) {
                p->last_format = f;
                p->last_kept = o == KEPT;
        }
        settle(p, o, f, o == REJECTED ? KBC_TIME_NONE : p->events[0].time_ms,
               &p->events[0], origin, p->last_error, diag, opaque);
        return o == REJECTED ? -1 : 0;
}

/* Before the caller touches the engine: everything handed over is fed. */
static void drain(const kbc_pipeline *p)
{
        if (p->handoff)
                kbc_handoff_drain(p->handoff);
}

const char *kbc_pipeline_last_error(const kbc_pipeline *p)
{
        return p->last_error;
}

void kbc_pipeline_flush(kbc_pipeline *p)
{
        drain(p);
        kbc_engine_flush(p->engine);
}

void kbc_pipeline_set_clock(kbc_pipeline *p, int64_t now_ms)
{
        drain(p);
        kbc_engine_set_clock(p->engine, now_ms);
}

size_t kbc_pipeline_close_quiet(kbc_pipeline *p, int64_t now_ms)
{
        drain(p);
        return kbc_engine_close_quiet(p->engine, now_ms);
}

void kbc_pipeline_stats_get(const kbc_pipeline *p, kbc_pipeline_stats *out)
{
        drain(p);
        *out = p->stats;
        kbc_engine_stats_get(p->engine, &out->engine);
}

void kbc_pipeline_stats_add(kbc_pipeline_stats *sum,
                            const kbc_pipeline_stats *s)
{
        sum->messages += s->messages;
        sum->decode_errors += s->decode_errors;
        sum->filtered += s->filtered;
        for (int f = 0; f < KBC_FMT__COUNT; f++)
                sum->by_format[f] += s->by_format[f];
        for (size_t i = 0; i < s->nrejects; i++)
                count_reject(sum, s->rejects[i].reason, s->rejects[i].n);
        sum->rejects_other += s->rejects_other;
        kbc_engine_stats *e = &sum->engine;
        e->events += s->engine.events;
        e->matched_events += s->engine.matched_events;
        e->signal_hits += s->engine.signal_hits;
        e->incidents += s->engine.incidents;
        e->late_events += s->engine.late_events;
        e->untimed_events += s->engine.untimed_events;
        e->hosts += s->engine.hosts;
        e->evicted_hosts += s->engine.evicted_hosts;
        e->evicted_for_memory += s->engine.evicted_for_memory;
        e->bytes += s->engine.bytes;
        e->dropped_hits += s->engine.dropped_hits;
        e->suppressed += s->engine.suppressed;
        e->unresolved += s->engine.unresolved;
        e->open_states += s->engine.open_states;
        e->quiet_closes += s->engine.quiet_closes;
        e->after_quiet += s->engine.after_quiet;
}

bool kbc_pipeline_last_kept(const kbc_pipeline *p)
{
        return p->last_kept;
}

const kbc_event *kbc_pipeline_last_event(const kbc_pipeline *p,
                                         kbc_format *format)
{
        *format = p->last_format;
        return &p->events[0];
}

const kbc_engine *kbc_pipeline_engine(const kbc_pipeline *p)
{
        drain(p);
        return p->engine;
}

kbc_decoder *kbc_pipeline_decoder(kbc_pipeline *p)
{
        return p->decoders[0];
}
