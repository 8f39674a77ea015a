/*
 * pipeline.c - decode, time filter and correlate one message (see
 * kbc_pipeline.h). The decoded event lives in the pipeline, not on the
 * stack: it is a few kilobytes of field views.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handoff.h"
#include "kbc_pipeline.h"
#include "kbc_time.h"

struct kbc_pipeline {
        kbc_pipeline_opts opts;
        kbc_decoder *decoder;
        kbc_engine *engine;
        kbc_handoff *handoff; /* opts.threaded; NULL: fed here */
        kbc_event event;
        kbc_format last_format;
        bool last_kept; /* the last decoded event passed the filters */
        kbc_pipeline_stats stats;
        char last_error[256]; /* why the last message did not decode */
};

kbc_pipeline *kbc_pipeline_new(const kbc_ruleset *rs,
                               const kbc_pipeline_opts *opts,
                               kbc_incident_fn *cb, void *opaque)
{
        kbc_pipeline *p = calloc(1, sizeof(*p));
        if (!p)
                return NULL;
        p->opts = *opts;
        p->decoder = kbc_decoder_new();
        p->engine = kbc_engine_new(rs, &opts->engine, cb, opaque);
        if (p->engine && opts->threaded)
                p->handoff = kbc_handoff_new(p->engine);
        if (!p->decoder || !p->engine || (opts->threaded && !p->handoff)) {
                kbc_pipeline_free(p);
                return NULL;
        }
        kbc_decoder_set_local_offset(p->decoder, opts->local_offset_min);
        return p;
}

void kbc_pipeline_free(kbc_pipeline *p)
{
        if (!p)
                return;
        kbc_handoff_free(p->handoff);
        kbc_decoder_free(p->decoder);
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

int kbc_pipeline_feed(kbc_pipeline *p, const char *buf, size_t len,
                      const kbc_origin *origin, kbc_diag_fn *diag, void *opaque)
{
        char *err = p->last_error, where[KBC_ORIGIN_STRLEN],
             msg[sizeof(p->last_error) + sizeof(where) + 4];
        kbc_event *ev = &p->event;

        p->stats.messages++;
        ev->origin = *origin;
        kbc_format f = kbc_decode(p->decoder, p->opts.format, buf, len, ev, err,
                                  sizeof(p->last_error));
        if (f == KBC_FMT_AUTO) {
                char reason[KBC_REJECT_REASON_SIZE];
                kbc_reject_reason(err, reason, sizeof(reason));
                count_reject(&p->stats, reason, 1);
                p->stats.decode_errors++;
                if (diag) {
                        kbc_origin_format(origin, where, sizeof(where));
                        snprintf(msg, sizeof(msg), "%s: %s", where, err);
                        diag(opaque, msg);
                }
                return -1;
        }
        p->stats.by_format[f]++;
        p->last_format = f;
        p->last_kept =
            (p->opts.from_ms == KBC_TIME_NONE ||
             ev->time_ms >= p->opts.from_ms) &&
            (p->opts.to_ms == KBC_TIME_NONE || ev->time_ms < p->opts.to_ms) &&
            (!p->opts.keep || p->opts.keep(p->opts.keep_opaque, ev));
        if (!p->last_kept) {
                p->stats.filtered++;
                return 0;
        }
        if (!p->handoff)
                kbc_engine_feed(p->engine, ev);
        else if (kbc_handoff_push(p->handoff, ev)) {
                count_reject(&p->stats, "too large to queue", 1);
                p->stats.decode_errors++; /* reported and counted alike */
        }
        return 0;
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
        return &p->event;
}

const kbc_engine *kbc_pipeline_engine(const kbc_pipeline *p)
{
        drain(p);
        return p->engine;
}

kbc_decoder *kbc_pipeline_decoder(kbc_pipeline *p)
{
        return p->decoder;
}
