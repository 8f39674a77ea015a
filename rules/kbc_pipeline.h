/*
 * kbc_pipeline.h - one raw message in: decode, filter by time, correlate.
 * The daemon (Kafka messages) and `kbcorr replay` (lines and records of
 * files) both drive this, so live and replay share one code path.
 */
#ifndef KBC_PIPELINE_H
#define KBC_PIPELINE_H

#include "kbc_decode.h"
#include "kbc_engine.h"

typedef struct kbc_pipeline_opts {
        kbc_format format; /* KBC_FMT_AUTO detects per message */
        int64_t
            from_ms;   /* events before are skipped; KBC_TIME_NONE = no bound */
        int64_t to_ms; /* events at or after are skipped; idem */
        kbc_engine_opts engine;
        int local_offset_min; /* zone of zone-less times, minutes east */
        /* Optional: an event keep() refuses is skipped before correlation,
         * like one outside [from, to), and counted as filtered. */
        bool (*keep)(void *opaque, const kbc_event *ev);
        void *keep_opaque;
        /* Optional: told of every message, in the order fed, once decoded:
         * its event's time (KBC_TIME_NONE when it did not decode or has
         * none) and the event when it passed the filters (else NULL), just
         * before the engine gets it. */
        void (*settled)(void *opaque, const kbc_origin *origin, int64_t time_ms,
                        const kbc_event *kept);
        void *settled_opaque;
        /* Decode and correlate on two threads, the caller's and one of the
         * pipeline's own (rules/handoff.h): the caller queues a copy of
         * each message and returns; both threads decode, the pipeline's
         * correlates in the order fed. The same incidents, diagnostics and
         * counts in the same order as unthreaded; incidents, diag and
         * settled are called on the pipeline's thread (during a feed) or
         * on the caller's (flush, close_quiet, stats), keep on either.
         * Feeds then return 0, and kbc_pipeline_last_error, _last_event,
         * _last_kept and kbc_engine_last_hits tell nothing. For replays;
         * kbcorrd runs one pipeline per partition on its workers instead.
         * Mappings go on kbc_pipeline_decoder before the first feed. */
        bool threaded;
} kbc_pipeline_opts;

typedef struct kbc_pipeline kbc_pipeline;

kbc_pipeline *kbc_pipeline_new(const kbc_ruleset *rs,
                               const kbc_pipeline_opts *opts,
                               kbc_incident_fn *cb, void *opaque);
void kbc_pipeline_free(kbc_pipeline *p);

/* Returns 0 when the message was decoded (whether or not it matched), or -1
 * when it was not: then diag got "ORIGIN: reason" and the caller sends the
 * message to its dead-letter sink. Threaded: 0, the message queued. */
int kbc_pipeline_feed(kbc_pipeline *p, const char *buf, size_t len,
                      const kbc_origin *origin, kbc_diag_fn *diag,
                      void *opaque);
void kbc_pipeline_flush(kbc_pipeline *p);

/* Live use (kbcorrd): the wall clock (ms, any epoch) the events fed from
 * now on are stamped with, and the closing of the cases of hosts gone
 * quiet (kbc_engine_set_clock, kbc_engine_close_quiet). */
void kbc_pipeline_set_clock(kbc_pipeline *p, int64_t now_ms);
size_t kbc_pipeline_close_quiet(kbc_pipeline *p, int64_t now_ms);

/* Why the last message that failed to decode failed, without its origin
 * (what diag got after "ORIGIN: "), for a dead-letter reason. */
const char *kbc_pipeline_last_error(const kbc_pipeline *p);

/* Rejected messages by reason: the decoder's error without what varies
 * from message to message (quoted values, numbers, parenthesized
 * lists): "nxlog: missing time", "unrecognized format: JSON object of no
 * known format". Past KBC_REJECT_REASONS distinct reasons, the rest are
 * counted under "other reasons". */
#define KBC_REJECT_REASONS     16
#define KBC_REJECT_REASON_SIZE 96
typedef struct kbc_reject_count {
        char reason[KBC_REJECT_REASON_SIZE];
        uint64_t n;
} kbc_reject_count;

typedef struct kbc_pipeline_stats {
        uint64_t messages, decode_errors, filtered;
        uint64_t by_format[KBC_FMT__COUNT];
        kbc_reject_count rejects[KBC_REJECT_REASONS];
        size_t nrejects;
        uint64_t rejects_other;
        kbc_engine_stats engine;
} kbc_pipeline_stats;

/* The reason class of a decode error (see kbc_reject_count) into out. */
void kbc_reject_reason(const char *err, char *out, size_t size);

/* What the last successful feed decoded, and the engine (for explain). */
const kbc_event *kbc_pipeline_last_event(const kbc_pipeline *p,
                                         kbc_format *format);
/* Whether that event passed --from/--to and keep() and was correlated. */
bool kbc_pipeline_last_kept(const kbc_pipeline *p);
const kbc_engine *kbc_pipeline_engine(const kbc_pipeline *p);

/* The decoder, to register JSON mappings on (kbc_mappings_load). */
kbc_decoder *kbc_pipeline_decoder(kbc_pipeline *p);

void kbc_pipeline_stats_get(const kbc_pipeline *p, kbc_pipeline_stats *out);
/* Adds s into sum, field by field: counts of several pipelines (the
 * daemon's partitions, a Kafka replay's). */
void kbc_pipeline_stats_add(kbc_pipeline_stats *sum,
                            const kbc_pipeline_stats *s);

#endif
