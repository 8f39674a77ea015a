/*
 * kbc_engine.h - per-host, event-time correlation (SPEC.md §5).
 *
 * Feed normalized events; the engine matches them against the rule set,
 * keeps the matching ones per host, opens a case on a symptom, and when the
 * case's window has passed in the host's event time it ranks the candidate
 * KB articles and hands an incident to the callback. The same engine runs
 * under `kbcorr replay` and `kbcorrd`, so both give the same incidents.
 *
 * Not thread-safe: one engine per thread (the daemon shards by partition).
 */
#ifndef KBC_ENGINE_H
#define KBC_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kbc_buf.h"
#include "kbc_event.h"
#include "kbc_rules.h"

typedef struct kbc_engine_opts {
        int64_t lateness_ms; /* allowed out-of-order lateness (default 1m) */
        size_t max_hosts;    /* cap on tracked hosts (default 100000) */
        int64_t suppress_ms; /* repeats of a host's incident within this
                                period update it (default 1h; 0 = never) */
        /* Also hand the open states of cases to the callback: when a case
         * opens and each time its winner or candidate set changes. The
         * engine tracks them either way, so the closed incidents are the
         * same bytes with or without. */
        bool emit_open;
        /* Cap on the bytes the engine holds for hosts: their entries and
         * names, buffered matching events with their copied strings,
         * remembered incidents, the host table (default 256 MiB; 0 = the
         * default). An allocation that would pass it evicts the least
         * recently seen hosts first, as the host cap does; what one host
         * cannot get is dropped and counted. kbc_engine_bytes() tells the
         * count; a fixed part (~40 KiB and per-rule counters) is outside. */
        size_t max_bytes;
        /* Optional: the engine's notices (an eviction, at the 1st, 10th,
         * 100th ... of its kind), one line without a newline. They quote
         * host names as logged, control bytes and all: the receiver's
         * logger must escape them. NULL: the engine says nothing; every
         * notice is counted in kbc_engine_stats either way. */
        void (*notice)(void *opaque, const char *msg);
        void *notice_opaque;
} kbc_engine_opts;

#define KBC_ENGINE_MAX_BYTES_DEFAULT ((size_t)256 << 20)
/* Host names longer than this are cut (at a UTF-8 character boundary)
 * before the engine keys and copies them; DNS names have at most 253. */
#define KBC_ENGINE_HOST_MAX 255

#define KBC_ENGINE_OPTS_DEFAULT                                                \
        {                                                                      \
                60 * 1000, 100000, 60 * 60 * 1000, false,                      \
                    KBC_ENGINE_MAX_BYTES_DEFAULT, NULL, NULL                   \
        }

/* One event that supports an incident, copied out of the input. */
typedef struct kbc_evidence {
        int64_t time_ms;
        char *provider, *channel, *message, *origin;
        uint32_t event_id;
        bool has_record_id;
        uint64_t record_id;
        const kbc_signal **signals; /* the candidates' signals it matched */
        size_t nsignals;
} kbc_evidence;

typedef struct kbc_candidate {
        const kbc_rule *rule;
        double score;
        /* Tie-breaks, in this order after the score (docs/rule-format.md):
         * how much the signals say of their events (per event, the
         * detail of the most telling one it matched),
         * the share of the article's own signal weight seen, and how rare
         * its evidence is (each credited event's weight over the number of
         * articles that event matched). Candidates equal in score and
         * detail are tied: the incident is ambiguous. Before coverage,
         * the rarity: each credited signal's weight over the number of
         * rules that have the same signal (kbc_signal.df). After
         * coverage, the wording: the detail of every signal of the
         * article seen, beside the most telling one of each event. */
        double detail, coverage, specificity, wording, rarity;
        const kbc_signal **signals; /* distinct, in rule order */
        size_t nsignals;
        /* When the top score is tied: the article's heaviest signals not
         * seen, at most KBC_CHECK_NEXT, what to look for next. */
        const kbc_signal **unseen;
        size_t nunseen;
} kbc_candidate;

#define KBC_CHECK_NEXT 3

typedef struct kbc_incident {
        /* 16 hex digits, deterministic: the host and the symptom that
         * opened the case (or the id of the incident it repeats), so it
         * stays while the winner changes (docs/incident-schema.md). */
        char id[17];
        bool open;         /* a provisional state; false: closed, final */
        bool first;        /* the first emission of its case */
        uint64_t sequence; /* emissions of this id so far, this one too */
        const char *host;  /* as first logged */
        int64_t start_ms, end_ms; /* first seen, last evidence */
        uint64_t count;           /* matching events, all occurrences */
        uint64_t occurrences;     /* cases folded into it (>= 1) */
        double confidence;        /* 0..1, for candidates[0] */
        size_t ntied;             /* candidates sharing the top score (>= 1) */
        const kbc_candidate *candidates; /* ranked; [0] is the diagnosis */
        size_t ncandidates;
        const kbc_evidence *evidence; /* by time */
        size_t nevidence;
        /* Lowest input position (kbc_origin.position: Kafka offset, line
         * or record) of the events in the case: re-reading from here
         * raises this incident again, with the same id. */
        int64_t replay_from;
} kbc_incident;

/* Called for each incident; the incident is valid only during the call.
 * Open states (kbc_engine_opts.emit_open), the closed state, and a repeat
 * within the suppression period all come under the case's id with a
 * higher sequence: a SIEM upserts on the id. */
typedef void kbc_incident_fn(void *opaque, const kbc_incident *inc);

typedef struct kbc_engine kbc_engine;

/* The engine borrows rs, which must outlive it. opts may be NULL. */
kbc_engine *kbc_engine_new(const kbc_ruleset *rs, const kbc_engine_opts *opts,
                           kbc_incident_fn *cb, void *opaque);
void kbc_engine_free(kbc_engine *e);

/* Feeds one event (views may die after the call). Returns the number of
 * signals it matched. Events without a time or host are ignored (counted). */
size_t kbc_engine_feed(kbc_engine *e, const kbc_event *ev);

/* The lowest input position the engine still depends on: of any event
 * it holds for a case to come, and of the first occurrence of any incident
 * it remembers to fold repeats into. A consumer that restarts reading from
 * here rebuilds the same state and raises the same incidents with the
 * same ids; INT64_MAX when it holds nothing. Positions are compared as
 * numbers, so feed one engine from one ordered source (a partition).
 * Walks every tracked host: call it per batch, not per event. */
int64_t kbc_engine_low_mark(const kbc_engine *e);

/* Closes every open case (end of input), in a deterministic order. */
void kbc_engine_flush(kbc_engine *e);

/* Live use (kbcorrd): the wall clock, in ms, to stamp the events fed
 * from now on with; a host's case can then close on the wall clock. */
void kbc_engine_set_clock(kbc_engine *e, int64_t now_ms);

/* Closes the open case of every host that has fed nothing for the case's
 * window plus the lateness of wall clock before now_ms, as the end of a
 * replay would (a host that went quiet after its symptom). Call it only
 * when the input is caught up: a backlog's hosts are not quiet. Returns
 * the cases closed. */
size_t kbc_engine_close_quiet(kbc_engine *e, int64_t now_ms);

typedef struct kbc_engine_stats {
        uint64_t events, matched_events, signal_hits, incidents;
        uint64_t late_events, untimed_events, hosts;
        uint64_t evicted_hosts;      /* at the host cap (max_hosts) */
        uint64_t evicted_for_memory; /* at the byte budget (max_bytes) */
        uint64_t bytes;              /* held now (kbc_engine_bytes) */
        uint64_t dropped_hits;
        uint64_t suppressed;   /* repeats folded into an earlier incident */
        uint64_t unresolved;   /* cases too ambiguous to name a cause */
        uint64_t open_states;  /* provisional states (emitted or not) */
        uint64_t quiet_closes; /* cases closed on the wall clock */
        uint64_t after_quiet;  /* evidence for a case closed on the wall
                                  clock, come after it closed */
} kbc_engine_stats;

void kbc_engine_stats_get(const kbc_engine *e, kbc_engine_stats *out);

/* The bytes the engine holds against kbc_engine_opts.max_bytes: what it
 * asked the allocator for per host and per buffered event, plus 16 per
 * allocation for the allocator's own header. Never above the budget
 * after a call returns. */
size_t kbc_engine_bytes(const kbc_engine *e);

/* Per-rule and per-signal counts since the engine started, so that a noisy
 * rule is easy to find (`kbcorr replay --stats`, the daemon's /metrics):
 * events that matched any signal of the rule, incidents it won, and hits
 * of one signal. */
uint64_t kbc_engine_rule_events(const kbc_engine *e, const kbc_rule *r);
uint64_t kbc_engine_rule_incidents(const kbc_engine *e, const kbc_rule *r);
uint64_t kbc_engine_signal_hits(const kbc_engine *e, const kbc_signal *s);

/* The signals matched by the last fed event (for `kbcorr explain`). */
size_t kbc_engine_last_hits(const kbc_engine *e, const kbc_signal ***hits);

/* Incident as one line of JSON (ECS-aligned; docs/incident-schema.md),
 * without the newline. Returns 0, or -1 if out grew past its cap. */
int kbc_incident_to_json(const kbc_incident *inc, kbc_buf *out);

/* The same incident as one msgpack map with the same keys and values
 * (JSON's integers stay integers), appended to out; json is scratch. */
int kbc_incident_to_msgpack(const kbc_incident *inc, kbc_buf *json,
                            kbc_buf *out);

/* What an event must show to match s, in words, appended to out:
 * "MSExchangeSA event 2037: \"The file version of ...\"". For the
 * candidates' check_next lists. */
void kbc_signal_describe(const kbc_signal *s, kbc_buf *out);

/* Read-only accessors for programs that print rules and signals. */
const char *kbc_rule_id(const kbc_rule *r);
/* The rule's position in its rule set (kbc_ruleset_rule(rs, i)). */
size_t kbc_rule_index(const kbc_rule *r);
size_t kbc_rule_signal_count(const kbc_rule *r);
const kbc_signal *kbc_rule_signal(const kbc_rule *r, size_t i);
const char *kbc_signal_id(const kbc_signal *s);
const kbc_rule *kbc_signal_rule(const kbc_signal *s);
bool kbc_signal_is_symptom(const kbc_signal *s);

#endif
