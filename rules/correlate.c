/*
 * correlate.c - the engine: per-host cases in event time (SPEC.md §5;
 * the rules are in docs/rule-format.md, "How signals become an incident").
 *
 * Only events that match a signal are kept, as "hits" in a per-host buffer
 * sorted by event time. A symptom hit opens a case at T0; evidence in
 * [T0 - window, T0 + window] belongs to it. The host's watermark is its
 * latest event time minus the allowed lateness; once it passes T0 + window
 * the case closes: candidates are ranked, the incident goes to the callback
 * and the hits in the case are marked consumed so their symptoms cannot open
 * another case. While a case is open, each event that joins it re-ranks the
 * candidates; a new winner or candidate set is a new state of the case,
 * counted in its sequence and, for live use, handed out as an open
 * incident under the id fixed when the case opened. A daemon closes the
 * case of a host gone quiet on the wall clock (kbc_engine_close_quiet).
 * Hosts live in a hash table with a least-recently-seen list;
 * past the host cap the oldest host's case is closed early and the host
 * evicted (counted), so a flood of host names cannot exhaust memory.
 * The engine also counts the bytes it allocates per host and per held
 * event; an allocation that would pass the byte budget evicts the least
 * recently seen hosts the same way, so hits held back by forged event
 * times or long names cannot exhaust it either (host_evict, mem_room).
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbc_arena.h"
#include "kbc_engine.h"
#include "kbc_hash.h"
#include "kbc_time.h"
#include "rule_internal.h"

/* Signals one event may match: a generic code can support hundreds of
 * articles at once, and a cut here would drop symptoms at random. */
#define MAX_HITS_PER_EVENT 4096
#define HOST_MAX_HITS      256  /* buffered matching events per host */
#define MAX_EVIDENCE       64   /* evidence listed on one incident */
#define MESSAGE_COPY_MAX   4096 /* bytes of a message kept as evidence */
/* More candidates than this sharing the top score means the evidence is a
 * phrase many articles quote: no cause can be named, so no incident. */
#define MAX_TIED         3
#define REPEATS_PER_HOST 16 /* incidents remembered per host to fold */
/* What the allocator takes beside each allocation (glibc: an 8-byte
 * header, chunks rounded to 16): counted, so that the budget stays near
 * the real heap use of many small allocations. */
#define ALLOC_OVERHEAD 16
#define TABLE_SLOTS    1024 /* the host table's first size, not counted */

typedef struct hit {
        kbc_evidence ev; /* its signals and strings follow in its block */
        uint64_t seq;    /* arrival order: stable ties */
        bool consumed;   /* part of a closed case */
        /* Windows could not render its message: the signals that named its
         * source and id matched without their words being seen. */
        bool undescribed;
        bool symptom;    /* one of its signals is a symptom */
        uint32_t bytes;  /* charged to the engine's budget */
        uint32_t nrules; /* articles its signals belong to (count_hits) */
        int64_t symptom_window; /* the widest window of those symptoms */
        /* The lowest input position to re-read from for this hit to count
         * as it did: its own, or once its case closed, the case's lowest
         * (a restart must rebuild the whole case, not a part of it). */
        int64_t pin;
} hit;

/* An incident raised on a host, remembered for the suppression period so
 * that a repeat updates it instead of raising another. */
typedef struct repeat {
        const kbc_rule *rule;
        char id[17];
        int64_t first_ms, last_ms;
        uint64_t count, occurrences, sequence;
        int64_t pin; /* lowest input position of the first occurrence */
} repeat;

/* The identity of an open case and what was handed out of it, fixed when
 * it opens: its id, and what it continues of an earlier incident when it
 * repeats one within the suppression period. */
typedef struct case_identity {
        char id[17];
        int64_t first_ms; /* the continued incident's start, or NONE */
        uint64_t prior_count, prior_occurrences;
        uint64_t sequence; /* states of this id so far */
        uint64_t states;   /* states of this case so far */
        uint64_t sig;      /* (winner, candidates) of the last state */
} case_identity;

typedef struct host_state {
        char *name; /* at most KBC_ENGINE_HOST_MAX bytes (host_key) */
        size_t name_len;
        uint64_t hash;
        int64_t max_time;
        hit **hits; /* sorted by (time, seq); grows to HOST_MAX_HITS */
        size_t nhits, cap;
        uint64_t unstored; /* hits not kept because the buffer was full */
        bool open;
        int64_t t0, window_ms;
        case_identity ci;  /* of the open case */
        int64_t last_wall; /* wall clock of its last event; 0 = not live */
        int64_t quiet_hi;  /* end of the last case closed on the clock */
        repeat *repeats;   /* allocated when its first case opens */
        size_t nrepeats;
        struct host_state *chain;                 /* hash bucket */
        struct host_state *newer, *older;         /* least-recently-seen list */
        struct host_state *pins_prev, *pins_next; /* kbc_engine.pinning */
        bool pins_listed;
} host_state;

struct kbc_engine {
        const kbc_ruleset *rs;
        kbc_engine_opts opts;
        kbc_incident_fn *cb;
        void *opaque;
        kbc_matcher *matcher;
        const kbc_signal *last_hits[MAX_HITS_PER_EVENT];
        size_t nlast_hits;
        host_state **table;
        size_t nbuckets, nhosts;
        host_state *newest, *oldest;
        /* The hosts that may pin offsets or close on the clock (an open
         * case, hits, remembered incidents), for kbc_engine_low_mark and
         * kbc_engine_close_quiet: every host that ever held evidence stays
         * in the engine, idle, and walking all of them every 200 ms paused
         * the daemon's workers (4.7 ms at 100,000 hosts). A superset: a
         * host joins with its first hit (a case opens only on one) or
         * remembered incident, and leaves once it holds none of them. */
        host_state *pinning;
        uint64_t seq;
        int64_t now_ms; /* the wall clock set by the caller; 0 = none */
        kbc_engine_stats stats;
        size_t bytes; /* held per host and hit, against opts.max_bytes */
        uint64_t *rule_events, *rule_incidents; /* by rule index */
        uint64_t *signal_hits;                  /* by gindex */
        /* Scratch for ranking, by rule index and by signal gindex: an
         * entry counts only while it holds the current stamp (mark_next),
         * so nothing is cleared between rankings. Outside the byte
         * budget, like the per-rule counters. */
        uint32_t *rule_mark, *rule_slot, *sig_mark;
        uint32_t mark;
        /* A ranking's memory, given back after each (kbc_arena_reset):
         * a fresh arena per ranking was a 64 KiB calloc per event that
         * joined a case. */
        kbc_arena *scratch;
};

/* ---- notices -------------------------------------------------------- */

/* A notice for opts.notice, if set. Host names go in as logged: the
 * receiver's logger escapes them. */
static void engine_notice(const kbc_engine *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void engine_notice(const kbc_engine *e, const char *fmt, ...)
{
        char msg[512]; /* a host name is at most KBC_ENGINE_HOST_MAX */
        va_list ap;
        if (!e->opts.notice)
                return;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        e->opts.notice(e->opts.notice_opaque, msg);
}

/* ---- the byte budget ------------------------------------------------ */

/* What a host, its hit buffer and its remembered incidents are charged. */
#define HOST_BYTES(name_len)                                                   \
        (sizeof(host_state) + (name_len) + 1 + 2 * ALLOC_OVERHEAD)
#define REPEATS_BYTES (REPEATS_PER_HOST * sizeof(repeat) + ALLOC_OVERHEAD)

static size_t hits_bytes(size_t cap)
{
        return cap ? cap * sizeof(hit *) + ALLOC_OVERHEAD : 0;
}

/* ---- hosts ---------------------------------------------------------- */

/* A host name as the engine keys and keeps it: at most
 * KBC_ENGINE_HOST_MAX bytes, cut before a UTF-8 character that would
 * straddle the limit (a character has at most 3 continuation bytes), so
 * a forged megabyte of name costs what a real one does. */
static kbc_str host_key(kbc_str host)
{
        size_t n = KBC_ENGINE_HOST_MAX;
        if (host.len <= n)
                return host;
        for (int back = 0;
             back < 3 && ((unsigned char)host.ptr[n] & 0xC0) == 0x80; back++)
                n--;
        return kbc_str_make(host.ptr, n);
}

static uint64_t host_hash(kbc_str name)
{
        return kbc_fnv64_lower(KBC_FNV64_INIT, name.ptr, name.len);
}

static void lru_unlink(kbc_engine *e, host_state *h)
{
        if (h->newer)
                h->newer->older = h->older;
        else
                e->newest = h->older;
        if (h->older)
                h->older->newer = h->newer;
        else
                e->oldest = h->newer;
        h->newer = h->older = NULL;
}

static void lru_push(kbc_engine *e, host_state *h)
{
        h->older = e->newest;
        h->newer = NULL;
        if (e->newest)
                e->newest->newer = h;
        e->newest = h;
        if (!e->oldest)
                e->oldest = h;
}

static host_state *host_find(kbc_engine *e, kbc_str name, uint64_t hash)
{
        host_state *h = e->table[hash & (e->nbuckets - 1)];
        while (h && !(h->hash == hash &&
                      kbc_str_caseeq(kbc_str_make(h->name, h->name_len), name)))
                h = h->chain;
        return h;
}

static void table_grow(kbc_engine *e)
{
        size_t n = e->nbuckets * 2;
        size_t more = e->nbuckets * sizeof(host_state *);
        /* Near the budget, hosts are being evicted anyway: keep the
         * longer chains, still correct. */
        if (e->bytes + more > e->opts.max_bytes)
                return;
        host_state **t = calloc(n, sizeof(*t));
        if (!t)
                return; /* keep the longer chains; still correct */
        for (size_t i = 0; i < e->nbuckets; i++) {
                host_state *h = e->table[i];
                while (h) {
                        host_state *next = h->chain;
                        h->chain = t[h->hash & (n - 1)];
                        t[h->hash & (n - 1)] = h;
                        h = next;
                }
        }
        free(e->table);
        e->table = t;
        e->nbuckets = n;
        e->bytes += more;
}

static void hit_free(kbc_engine *e, hit *x)
{
        e->bytes -= x->bytes;
        free(x); /* its signals and strings are in the same block */
}

static void pins_watch(kbc_engine *e, host_state *h)
{
        if (h->pins_listed)
                return;
        h->pins_listed = true;
        h->pins_prev = NULL;
        h->pins_next = e->pinning;
        if (e->pinning)
                e->pinning->pins_prev = h;
        e->pinning = h;
}

/* Takes h off the pinning hosts if it holds no pin any more, or for good
 * (it is being removed). */
static void pins_forget(kbc_engine *e, host_state *h, bool removed)
{
        if (!h->pins_listed ||
            (!removed && (h->nhits || h->nrepeats || h->open)))
                return;
        if (h->pins_prev)
                h->pins_prev->pins_next = h->pins_next;
        else
                e->pinning = h->pins_next;
        if (h->pins_next)
                h->pins_next->pins_prev = h->pins_prev;
        h->pins_prev = h->pins_next = NULL;
        h->pins_listed = false;
}

static void host_remove(kbc_engine *e, host_state *h)
{
        pins_forget(e, h, true);
        host_state **pp = &e->table[h->hash & (e->nbuckets - 1)];
        while (*pp != h)
                pp = &(*pp)->chain;
        *pp = h->chain;
        lru_unlink(e, h);
        for (size_t i = 0; i < h->nhits; i++)
                hit_free(e, h->hits[i]);
        e->bytes -= hits_bytes(h->cap) + HOST_BYTES(h->name_len);
        free(h->hits);
        if (h->repeats)
                e->bytes -= REPEATS_BYTES;
        free(h->repeats);
        free(h->name);
        free(h);
        e->nhosts--;
}

static void case_close(kbc_engine *e, host_state *h);

static bool is_power_of_ten(uint64_t n)
{
        while (n >= 10 && n % 10 == 0)
                n /= 10;
        return n == 1;
}

/* Evicts victim, the least recently seen host, to make room: at the host
 * cap, or for_memory at the byte budget. Its open cases are closed first,
 * as at the end of input, so their incidents are raised early rather than
 * lost; its other held events and remembered incidents go, and with them
 * their pins on kbc_engine_low_mark. Counted, and told at the 1st, 10th,
 * 100th ... eviction of each kind: one notice per eviction would be a
 * flood of its own. An idle host loses only its clock: no eviction. */
static void host_evict(kbc_engine *e, host_state *victim, bool for_memory)
{
        if (!victim->open && !victim->nhits && !victim->nrepeats) {
                host_remove(e, victim);
                return;
        }
        uint64_t n = for_memory ? ++e->stats.evicted_for_memory
                                : ++e->stats.evicted_hosts;
        if (is_power_of_ten(n)) {
                char limit[64];
                if (for_memory)
                        snprintf(limit, sizeof(limit),
                                 "memory budget of %zu bytes",
                                 e->opts.max_bytes);
                else
                        snprintf(limit, sizeof(limit), "host cap %zu",
                                 e->opts.max_hosts);
                engine_notice(e,
                              "%s reached: evicted host '%s' (least "
                              "recently seen; %llu evictions %s so far)",
                              limit, victim->name, (unsigned long long)n,
                              for_memory ? "for memory" : "at the cap");
        }
        while (victim->open)
                case_close(e, victim);
        host_remove(e, victim);
}

/* Room for n more bytes under the budget, evicting the least recently
 * seen hosts but never keep (the host being fed, the newest). False when
 * that is not enough: the caller goes without. Called only where feeding
 * allocates, never while a case closes, so an eviction never runs inside
 * another or under a walk of the host list. */
static bool mem_room(kbc_engine *e, size_t n, const host_state *keep)
{
        while (e->bytes + n > e->opts.max_bytes) {
                if (!e->oldest || e->oldest == keep)
                        return false;
                host_evict(e, e->oldest, true);
        }
        return true;
}

static host_state *host_get(kbc_engine *e, kbc_str name, uint64_t hash)
{
        host_state *h = host_find(e, name, hash);
        if (h) {
                lru_unlink(e, h);
                lru_push(e, h);
                return h;
        }
        if (e->nhosts >= e->opts.max_hosts && e->oldest)
                host_evict(e, e->oldest, false);
        if (!mem_room(e, HOST_BYTES(name.len), NULL))
                return NULL;
        h = calloc(1, sizeof(*h));
        if (!h)
                return NULL;
        /* by length: a name may hold a NUL, and must still find itself */
        h->name = malloc(name.len + 1);
        if (!h->name) {
                free(h);
                return NULL;
        }
        memcpy(h->name, name.ptr, name.len);
        h->name[name.len] = '\0';
        h->name_len = name.len;
        e->bytes += HOST_BYTES(name.len);
        h->hash = hash;
        h->max_time = KBC_TIME_NONE;
        if (e->nhosts + 1 > e->nbuckets)
                table_grow(e);
        h->chain = e->table[hash & (e->nbuckets - 1)];
        e->table[hash & (e->nbuckets - 1)] = h;
        lru_push(e, h);
        e->nhosts++;
        return h;
}

/* ---- hits ----------------------------------------------------------- */

/* The bytes of s a hit keeps: at most max, up to a NUL (as strndup). */
static size_t copy_len(kbc_str s, size_t max)
{
        return s.ptr ? strnlen(s.ptr, s.len < max ? s.len : max) : 0;
}

/* Copies n bytes of src (NULL: none) to *at, NUL-terminated, and moves
 * *at past them; returns the copy. */
static char *copy_to(char **at, const char *src, size_t n)
{
        char *p = *at;
        if (n)
                memcpy(p, src, n);
        p[n] = '\0';
        *at += n + 1;
        return p;
}

static int hit_order(const hit *a, const hit *b)
{
        if (a->ev.time_ms != b->ev.time_ms)
                return a->ev.time_ms < b->ev.time_ms ? -1 : 1;
        return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* A stamp no entry of the ranking scratch holds yet. */
static uint32_t mark_next(kbc_engine *e)
{
        if (++e->mark == 0) { /* wrapped: old stamps would come back */
                memset(e->rule_mark, 0,
                       (e->rs->nrules + 1) * sizeof(*e->rule_mark));
                memset(e->sig_mark, 0,
                       (e->rs->nsignals + 1) * sizeof(*e->sig_mark));
                e->mark = 1;
        }
        return e->mark;
}

/* A copy of ev for host h, or NULL: out of memory, or no room under the
 * budget even after evicting other hosts (then counted, as when h's
 * buffer is full). One allocation: the hit, then its signals, then its
 * strings (it was six and a copy of the origin per matched event). */
static hit *hit_new(kbc_engine *e, host_state *h, const kbc_event *ev,
                    const kbc_signal *const *sigs, size_t nsigs,
                    uint32_t nrules)
{
        char origin[KBC_ORIGIN_STRLEN];
        kbc_origin_format(&ev->origin, origin, sizeof(origin));
        size_t nprov = copy_len(ev->provider, 256);
        size_t nchan = copy_len(ev->channel, 256);
        size_t nmsg = copy_len(ev->message, MESSAGE_COPY_MAX);
        size_t norigin = strlen(origin);
        size_t size = sizeof(hit) + nsigs * sizeof(*sigs) + nprov + nchan +
                      nmsg + norigin + 4;
        size_t bytes = size + ALLOC_OVERHEAD;
        if (!mem_room(e, bytes, h)) {
                h->unstored++;
                e->stats.dropped_hits++;
                return NULL;
        }
        hit *x = malloc(size);
        if (!x)
                return NULL;
        memset(x, 0, sizeof(*x));
        x->bytes = (uint32_t)bytes;
        e->bytes += bytes;
        x->seq = e->seq++;
        x->pin = ev->origin.position;
        x->ev.time_ms = ev->time_ms;
        x->ev.event_id = ev->event_id;
        x->ev.has_record_id = ev->has_record_id;
        x->ev.record_id = ev->record_id;
        x->ev.signals = (const kbc_signal **)(x + 1);
        memcpy(x->ev.signals, sigs, nsigs * sizeof(*sigs));
        x->ev.nsignals = nsigs;
        char *at = (char *)(x->ev.signals + nsigs);
        x->ev.provider = copy_to(&at, ev->provider.ptr, nprov);
        x->ev.channel = copy_to(&at, ev->channel.ptr, nchan);
        x->ev.message = copy_to(&at, ev->message.ptr, nmsg);
        x->ev.origin = copy_to(&at, origin, norigin);
        x->undescribed = kbc_message_undescribed(ev->message);
        x->nrules = nrules;
        for (size_t i = 0; i < nsigs; i++)
                if (sigs[i]->symptom) {
                        x->symptom = true;
                        if (sigs[i]->rule->window_ms > x->symptom_window)
                                x->symptom_window = sigs[i]->rule->window_ms;
                }
        return x;
}

/* Inserts keeping (time, seq) order; events mostly arrive in order, so the
 * scan from the end is short. */
static bool hits_insert(kbc_engine *e, host_state *h, hit *x)
{
        if (h->nhits == h->cap && h->cap < HOST_MAX_HITS) {
                size_t cap = h->cap ? h->cap * 2 : 4;
                size_t more = hits_bytes(cap) - hits_bytes(h->cap);
                hit **p = mem_room(e, more, h)
                              ? realloc(h->hits, cap * sizeof(*p))
                              : NULL;
                if (p) {
                        h->hits = p;
                        h->cap = cap;
                        e->bytes += more;
                }
        }
        if (h->nhits == h->cap) {
                h->unstored++;
                e->stats.dropped_hits++;
                hit_free(e, x);
                return false;
        }
        size_t i = h->nhits;
        while (i > 0 && hit_order(h->hits[i - 1], x) > 0) {
                h->hits[i] = h->hits[i - 1];
                i--;
        }
        h->hits[i] = x;
        h->nhits++;
        pins_watch(e, h);
        return true;
}

static void case_begin(kbc_engine *e, host_state *h, const hit *opener);

/* Opens (or widens) the host's case from its earliest fresh symptom. */
static void case_update(kbc_engine *e, host_state *h)
{
        for (size_t i = 0; i < h->nhits; i++) {
                const hit *x = h->hits[i];
                if (x->consumed || !x->symptom)
                        continue;
                int64_t w = x->symptom_window;
                if (!h->open) {
                        h->open = true;
                        h->t0 = x->ev.time_ms;
                        h->window_ms = w;
                        case_begin(e, h, x);
                } else if (x->ev.time_ms <= h->t0 + h->window_ms) {
                        if (x->ev.time_ms < h->t0)
                                h->t0 = x->ev.time_ms;
                        if (w > h->window_ms)
                                h->window_ms = w;
                }
        }
}

/* ---- ranking --------------------------------------------------------- */

/* A rule seen in a case's hits, and whether one of them is a fresh
 * symptom of it (which makes it a candidate). */
typedef struct seen_rule {
        const kbc_rule *rule;
        bool fresh;
} seen_rule;

static int seen_rule_order(const void *a, const void *b)
{
        size_t x = ((const seen_rule *)a)->rule->index;
        size_t y = ((const seen_rule *)b)->rule->index;
        return x < y ? -1 : x > y;
}

/* Score first; among equal scores the more detailed evidence, then the
 * article more of whose own evidence was seen, then the one more of whose
 * wording was seen (a tie still: both explain the events, but one quotes
 * more of them), then the one with the rarer evidence; then the KB id, so
 * the order is total and the same in every run. */
static int candidate_order(const void *a, const void *b)
{
        const kbc_candidate *x = a, *y = b;
        if (x->score != y->score)
                return x->score > y->score ? -1 : 1;
        if (x->detail != y->detail)
                return x->detail > y->detail ? -1 : 1;
        if (x->rarity != y->rarity)
                return x->rarity > y->rarity ? -1 : 1;
        if (x->coverage != y->coverage)
                return x->coverage > y->coverage ? -1 : 1;
        if (x->wording != y->wording)
                return x->wording > y->wording ? -1 : 1;
        if (x->specificity != y->specificity)
                return x->specificity > y->specificity ? -1 : 1;
        return x->rule->index < y->rule->index ? -1 : 1;
}

/* A rule's score: each event in the case is one observation, so it
 * credits at most one signal of the rule (its heaviest not yet credited,
 * the one that says most among equals); the rarity of the credited
 * signals and the detail of what each event showed go to the candidate
 * too; an event that matches three phrases of one article is still one
 * event (rank_candidates). */
/* What a signal said of the event it matched: on an undescribed event, a
 * signal that names the source and id matched on those alone, whatever
 * its words (kbc_match), so it says no more than a bare (source, id). */
static double detail_seen(const hit *h, const kbc_signal *s)
{
        return h->undescribed && s->provider && s->nevent_ids ? 2 : s->detail;
}

/* A candidate's crediting under way, one hit (`at`) at a time: the
 * signals credited so far, the hit's heaviest not yet credited (best), and
 * what the hit showed of the rule: the detail of its most telling signal
 * (which need not be the one it credits: a popup's caption may weigh more
 * than its longer text), and the detail of every signal of the rule it
 * matched that no earlier crediting event did (wording; pending until the
 * hit credits). A popup that quotes both lines of an article's dialog
 * says more for it than for an article quoting one line. */
typedef struct credit {
        bool *credited, *counted; /* by position in the rule */
        const kbc_signal **pending;
        size_t npending;
        const kbc_signal *best;
        size_t at;
        double most, wording;
} credit;

/* Credits what hit cr->at showed to cd, if it credits a signal, and
 * makes cr ready for the next hit. */
static void credit_apply(kbc_candidate *cd, credit *cr, hit *const *hits)
{
        const kbc_signal *best = cr->best;
        if (best) {
                cr->credited[best - cd->rule->signals] = true;
                cd->score += best->weight;
                cd->rarity += best->weight / (double)best->df;
                cd->detail += cr->most;
                cd->wording += cr->wording;
                cd->specificity += best->weight / (double)hits[cr->at]->nrules;
                for (size_t m = 0; m < cr->npending; m++)
                        cr->counted[cr->pending[m] - cd->rule->signals] = true;
        }
        cr->best = NULL;
        cr->npending = 0;
        cr->most = cr->wording = 0;
}

#define NOT_CANDIDATE UINT32_MAX

/* Ranks the rules seen in hits[0..n): every rule with a fresh symptom is a
 * candidate; its signals are the distinct ones seen, its score credits at
 * most one signal per event (credit_apply). One pass over the hits' signals
 * finds the rules, one more credits every candidate at once, the hits in
 * order for each, so the sums are the same as one candidate at a time;
 * the scratch by rule and signal (mark_next) replaces a sort of all the
 * signals and a pass over all of them per candidate, which made an event
 * matched by 1,500 articles cost billions of steps per re-ranking. */
static size_t rank_candidates(kbc_engine *e, kbc_arena *a, hit **hits, size_t n,
                              kbc_candidate **out)
{
        uint32_t mark = mark_next(e);
        size_t nentries = 0;
        for (size_t i = 0; i < n; i++)
                nentries += hits[i]->ev.nsignals;
        size_t most = nentries < e->rs->nrules ? nentries : e->rs->nrules;
        seen_rule *sr = kbc_arena_alloc(a, most * sizeof(*sr) + 1);
        size_t nseen = 0;
        for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < hits[i]->ev.nsignals; j++) {
                        const kbc_signal *s = hits[i]->ev.signals[j];
                        size_t r = s->rule->index;
                        e->sig_mark[s->gindex] = mark;
                        if (e->rule_mark[r] != mark) {
                                e->rule_mark[r] = mark;
                                e->rule_slot[r] = (uint32_t)nseen;
                                sr[nseen].rule = s->rule;
                                sr[nseen++].fresh = false;
                        }
                        if (s->symptom && !hits[i]->consumed)
                                sr[e->rule_slot[r]].fresh = true;
                }
        qsort(sr, nseen, sizeof(*sr), seen_rule_order);

        kbc_candidate *c = kbc_arena_alloc(a, nseen * sizeof(*c) + 1);
        credit *cr = kbc_arena_alloc(a, nseen * sizeof(*cr) + 1);
        size_t nc = 0;
        for (size_t k = 0; k < nseen; k++) {
                const kbc_rule *r = sr[k].rule;
                e->rule_slot[r->index] =
                    sr[k].fresh ? (uint32_t)nc : NOT_CANDIDATE;
                if (!sr[k].fresh)
                        continue;
                kbc_candidate *cd = &c[nc];
                cd->rule = r;
                cd->signals =
                    kbc_arena_alloc(a, r->nsignals * sizeof(*cd->signals));
                for (size_t m = 0; m < r->nsignals; m++)
                        if (e->sig_mark[r->signals[m].gindex] == mark)
                                cd->signals[cd->nsignals++] = &r->signals[m];
                cr[nc].credited = kbc_arena_alloc(a, r->nsignals);
                cr[nc].counted = kbc_arena_alloc(a, r->nsignals);
                cr[nc].pending =
                    kbc_arena_alloc(a, r->nsignals * sizeof(*cr->pending));
                cr[nc++].at = SIZE_MAX;
        }

        for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < hits[i]->ev.nsignals; j++) {
                        const kbc_signal *s = hits[i]->ev.signals[j];
                        uint32_t k = e->rule_slot[s->rule->index];
                        if (k == NOT_CANDIDATE)
                                continue;
                        credit *q = &cr[k];
                        size_t pos = (size_t)(s - s->rule->signals);
                        double d = detail_seen(hits[i], s);
                        if (q->at != i) {
                                credit_apply(&c[k], q, hits);
                                q->at = i;
                        }
                        if (d > q->most)
                                q->most = d;
                        if (!q->counted[pos]) {
                                q->pending[q->npending++] = s;
                                q->wording += d;
                        }
                        if (!q->credited[pos] &&
                            (!q->best || s->weight > q->best->weight ||
                             (s->weight == q->best->weight &&
                              d > detail_seen(hits[i], q->best))))
                                q->best = s;
                }
        for (size_t k = 0; k < nc; k++) {
                kbc_candidate *cd = &c[k];
                credit_apply(cd, &cr[k], hits);
                /* Every signal seen counts here, also those an event
                 * matched beside the one it credited: one popup quoting
                 * three paragraphs of an article shows three of its
                 * signals. */
                double seen_weight = 0;
                for (size_t m = 0; m < cd->nsignals; m++)
                        seen_weight += cd->signals[m]->weight;
                cd->coverage = seen_weight / cd->rule->max_score;
        }
        qsort(c, nc, sizeof(*c), candidate_order);
        *out = c;
        return nc;
}

static bool seen(const kbc_candidate *c, const kbc_signal *s)
{
        for (size_t i = 0; i < c->nsignals; i++)
                if (c->signals[i] == s)
                        return true;
        return false;
}

/* A tied candidate's heaviest signals not seen (in rule order among equal
 * weights): what the operator should look for to tell the tie apart. */
static void list_unseen(kbc_arena *a, kbc_candidate *c)
{
        const kbc_rule *r = c->rule;
        c->unseen = kbc_arena_alloc(a, KBC_CHECK_NEXT * sizeof(*c->unseen));
        c->nunseen = 0;
        for (size_t i = 0; i < r->nsignals; i++) {
                const kbc_signal *s = &r->signals[i];
                if (seen(c, s))
                        continue;
                size_t k =
                    c->nunseen < KBC_CHECK_NEXT ? c->nunseen++ : KBC_CHECK_NEXT;
                while (k > 0 && c->unseen[k - 1]->weight < s->weight) {
                        if (k < KBC_CHECK_NEXT)
                                c->unseen[k] = c->unseen[k - 1];
                        k--;
                }
                if (k < KBC_CHECK_NEXT)
                        c->unseen[k] = s;
        }
}

/* A case's id: the host and the symptom event that opened it, so that it
 * stays while the winner changes, and is the same in every replay and
 * redelivery of the same events (the origin is not part of it). */
static void case_id(char out[17], const char *host, const kbc_evidence *opener)
{
        char num[64];
        uint64_t h = kbc_fnv64_lower(KBC_FNV64_INIT, host, strlen(host) + 1);
        int n =
            snprintf(num, sizeof(num), "%lld|%u|", (long long)opener->time_ms,
                     (unsigned)opener->event_id);
        h = kbc_fnv64(h, num, (size_t)n);
        h = kbc_fnv64_lower(h, opener->provider, strlen(opener->provider) + 1);
        if (opener->has_record_id) {
                n = snprintf(num, sizeof(num), "%llu",
                             (unsigned long long)opener->record_id);
                h = kbc_fnv64(h, num, (size_t)n);
        }
        snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* The evidence: hits in the case that matched a candidate's signal, with
 * only those signals listed. */
static size_t collect_evidence(kbc_engine *e, kbc_arena *a, hit **hits,
                               size_t n, const kbc_candidate *c, size_t nc,
                               kbc_evidence *out, uint64_t *count)
{
        uint32_t mark = mark_next(e); /* on the candidates' rules */
        for (size_t i = 0; i < nc; i++)
                e->rule_mark[c[i].rule->index] = mark;
        size_t ne = 0;
        for (size_t i = 0; i < n; i++) {
                const kbc_evidence *src = &hits[i]->ev;
                const kbc_signal **sigs =
                    kbc_arena_alloc(a, src->nsignals * sizeof(*sigs));
                size_t ns = 0;
                for (size_t j = 0; j < src->nsignals; j++)
                        if (e->rule_mark[src->signals[j]->rule->index] == mark)
                                sigs[ns++] = src->signals[j];
                if (!ns)
                        continue;
                (*count)++;
                if (ne == MAX_EVIDENCE)
                        continue;
                out[ne] = *src;
                out[ne].signals = sigs;
                out[ne++].nsignals = ns;
        }
        return ne;
}

/* ---- suppression ------------------------------------------------------ */

/* Gives h room for the incidents it will remember, once its first case
 * is open, while feeding: the one place where making room is safe
 * (mem_room), so that closing a case, also while evicting or flushing,
 * never allocates. Without room nothing is folded. */
static void repeats_reserve(kbc_engine *e, host_state *h)
{
        if (h->repeats || !h->open || !e->opts.suppress_ms ||
            !mem_room(e, REPEATS_BYTES, h))
                return;
        h->repeats = calloc(REPEATS_PER_HOST, sizeof(*h->repeats));
        if (h->repeats)
                e->bytes += REPEATS_BYTES;
}

/* The slot for a new remembered incident: a free one, or the one seen
 * longest ago. NULL when repeats_reserve found no room (then nothing is
 * folded). */
static repeat *repeat_slot(host_state *h)
{
        if (!h->repeats)
                return NULL;
        if (h->nrepeats < REPEATS_PER_HOST)
                return &h->repeats[h->nrepeats++];
        repeat *oldest = &h->repeats[0];
        for (size_t i = 1; i < h->nrepeats; i++)
                if (h->repeats[i].last_ms < oldest->last_ms)
                        oldest = &h->repeats[i];
        return oldest;
}

/* The host's remembered incident of rule r last seen within the
 * suppression period before start_ms, or NULL. */
static const repeat *repeat_of(const kbc_engine *e, const host_state *h,
                               const kbc_rule *r, int64_t start_ms)
{
        if (!e->opts.suppress_ms)
                return NULL;
        for (size_t i = 0; i < h->nrepeats; i++)
                if (h->repeats[i].rule == r &&
                    start_ms - h->repeats[i].last_ms <= e->opts.suppress_ms)
                        return &h->repeats[i];
        return NULL;
}

/* Remembers the closed inc (under its id) for repeats to come. */
static void repeat_remember(kbc_engine *e, host_state *h,
                            const kbc_incident *inc)
{
        repeat *x = NULL;
        if (!e->opts.suppress_ms)
                return;
        for (size_t i = 0; i < h->nrepeats && !x; i++)
                if (!strcmp(h->repeats[i].id, inc->id))
                        x = &h->repeats[i];
        if (!x) {
                if (!(x = repeat_slot(h)))
                        return;
                memcpy(x->id, inc->id, sizeof(x->id));
                x->pin = inc->replay_from;
                pins_watch(e, h);
        }
        x->rule = inc->candidates[0].rule;
        x->first_ms = inc->start_ms;
        x->last_ms = inc->end_ms;
        x->count = inc->count;
        x->occurrences = inc->occurrences;
        x->sequence = inc->sequence;
}

/* Forgets incidents last seen before the suppression period. */
static void repeats_expire(kbc_engine *e, host_state *h, int64_t watermark)
{
        size_t n = 0;
        for (size_t i = 0; i < h->nrepeats; i++)
                if (h->repeats[i].last_ms + e->opts.suppress_ms >= watermark)
                        h->repeats[n++] = h->repeats[i];
        h->nrepeats = n;
}

/* ---- closing a case --------------------------------------------------- */

/* The ranking of h's open case as it stands, its memory from a, into inc
 * (zeroed first): candidates, ties, the lowest input position. Returns
 * false when no cause can be named: no candidate, or more than MAX_TIED
 * share the top (unless keep_ties: a case already announced is closed
 * with its tie rather than left open in the SIEM). *first, *last: its
 * hits. */
static bool case_rank(kbc_engine *e, host_state *h, kbc_arena *a,
                      bool keep_ties, kbc_incident *inc, size_t *first,
                      size_t *last)
{
        int64_t lo = h->t0 - h->window_ms, hi = h->t0 + h->window_ms;
        size_t f = 0, l;
        while (f < h->nhits && h->hits[f]->ev.time_ms < lo)
                f++;
        l = f;
        while (l < h->nhits && h->hits[l]->ev.time_ms <= hi)
                l++;
        *first = f;
        *last = l;

        kbc_candidate *cands;
        memset(inc, 0, sizeof(*inc));
        inc->replay_from = INT64_MAX;
        for (size_t i = f; i < l; i++)
                if (h->hits[i]->pin < inc->replay_from)
                        inc->replay_from = h->hits[i]->pin;
        inc->ncandidates = rank_candidates(e, a, h->hits + f, l - f, &cands);
        inc->candidates = cands;
        inc->ntied = 1;
        while (inc->ntied < inc->ncandidates &&
               cands[inc->ntied].score == cands[0].score &&
               cands[inc->ntied].detail == cands[0].detail)
                inc->ntied++;
        return inc->ncandidates && (inc->ntied <= MAX_TIED || keep_ties);
}

/* The rest of the incident a ranked inc (case_rank) hands out: what to
 * check next on a tie, evidence, counts, times and the case's identity. */
static void case_fill(kbc_engine *e, host_state *h, kbc_arena *a,
                      kbc_incident *inc, size_t first, size_t last)
{
        kbc_candidate *cands = (kbc_candidate *)inc->candidates;
        if (inc->ntied > 1)
                for (size_t i = 0; i < inc->ntied; i++)
                        list_unseen(a, &cands[i]);
        kbc_evidence *ev = kbc_arena_alloc(a, MAX_EVIDENCE * sizeof(*ev));
        inc->nevidence =
            collect_evidence(e, a, h->hits + first, last - first, cands,
                             inc->ncandidates, ev, &inc->count);
        inc->count += h->unstored + h->ci.prior_count;
        inc->evidence = ev;
        inc->host = h->name;
        inc->start_ms =
            h->ci.first_ms != KBC_TIME_NONE ? h->ci.first_ms : ev[0].time_ms;
        inc->end_ms = ev[inc->nevidence - 1].time_ms;
        double total = 0;
        for (size_t i = 0; i < inc->ncandidates; i++)
                total += cands[i].score;
        inc->confidence = cands[0].score / total * (1 + cands[0].coverage) / 2;
        memcpy(inc->id, h->ci.id, sizeof(inc->id));
        inc->occurrences = h->ci.prior_occurrences + 1;
        inc->first = h->ci.states == 0;
}

/* What a state is: the winner and the set of candidates (by rule index,
 * whatever their order), so that a score moving alone is no new state.
 * Never 0. */
static uint64_t state_sig(const kbc_incident *inc)
{
        uint64_t set = 0;
        for (size_t i = 0; i < inc->ncandidates; i++) {
                size_t k = inc->candidates[i].rule->index;
                set += kbc_fnv64(KBC_FNV64_INIT, &k, sizeof(k));
        }
        size_t winner = inc->candidates[0].rule->index;
        uint64_t sig = kbc_fnv64(set, &winner, sizeof(winner));
        return sig ? sig : 1;
}

/* A case opens: its id is the host's and its opening symptom's, unless
 * its provisional winner repeats an incident of the host within the
 * suppression period, which it then continues (same id and start, counts
 * added, the next sequence). Decided now, not at the close, because the
 * id is handed out with the first open state. */
static void case_begin(kbc_engine *e, host_state *h, const hit *opener)
{
        memset(&h->ci, 0, sizeof(h->ci));
        h->ci.first_ms = KBC_TIME_NONE;
        case_id(h->ci.id, h->name, &opener->ev);
        kbc_arena *a = e->scratch;
        kbc_incident inc;
        size_t f, l;
        const repeat *r = NULL;
        if (case_rank(e, h, a, false, &inc, &f, &l)) {
                case_fill(e, h, a, &inc, f, l);
                r = repeat_of(e, h, inc.candidates[0].rule, inc.start_ms);
        }
        if (r) {
                memcpy(h->ci.id, r->id, sizeof(h->ci.id));
                h->ci.first_ms = r->first_ms;
                h->ci.prior_count = r->count;
                h->ci.prior_occurrences = r->occurrences;
                h->ci.sequence = r->sequence;
        }
        kbc_arena_reset(a);
}

/* After an event joined h's open case: a new winner or candidate set is a
 * new state, counted, and handed out when open states are wanted. */
static void case_state(kbc_engine *e, host_state *h)
{
        kbc_arena *a = e->scratch;
        kbc_incident inc;
        size_t f, l;
        /* The ranking tells the state; the rest only when it is sent. */
        if (case_rank(e, h, a, false, &inc, &f, &l)) {
                uint64_t sig = state_sig(&inc);
                if (sig != h->ci.sig) {
                        h->ci.sig = sig;
                        if (e->opts.emit_open)
                                case_fill(e, h, a, &inc, f, l);
                        inc.sequence = ++h->ci.sequence;
                        inc.open = true;
                        h->ci.states++;
                        e->stats.open_states++;
                        if (e->opts.emit_open)
                                e->cb(e->opaque, &inc);
                }
        }
        kbc_arena_reset(a);
}

static void case_close(kbc_engine *e, host_state *h)
{
        kbc_arena *a = e->scratch;
        kbc_incident inc;
        size_t first, last;
        bool named = case_rank(e, h, a, h->ci.states > 0, &inc, &first, &last);
        if (named) {
                case_fill(e, h, a, &inc, first, last);
                inc.sequence = ++h->ci.sequence;
                repeat_remember(e, h, &inc);
                e->stats.suppressed += inc.occurrences > 1;
                e->stats.incidents++;
                e->rule_incidents[inc.candidates[0].rule->index]++;
                e->cb(e->opaque, &inc);
        }
        if (!named || inc.ntied > MAX_TIED)
                e->stats.unresolved++;
        kbc_arena_reset(a);

        for (size_t i = first; i < last; i++) {
                h->hits[i]->consumed = true;
                h->hits[i]->pin = inc.replay_from;
        }
        h->unstored = 0;
        h->open = false;
        case_update(e, h); /* a later symptom outside the range opens anew */
}

/* ---- feeding -------------------------------------------------------- */

static bool case_due(const kbc_engine *e, const host_state *h)
{
        return h->open &&
               h->max_time - e->opts.lateness_ms > h->t0 + h->window_ms;
}

/* Drops hits no case can use any more and incidents past suppression. An
 * idle host stays (a few dozen bytes) so that its clock still tells late
 * events, until the host cap makes room. */
static void host_prune(kbc_engine *e, host_state *h)
{
        int64_t watermark = h->max_time - e->opts.lateness_ms;
        int64_t keep_from = watermark - e->rs->max_window_ms;
        repeats_expire(e, h, watermark);
        if (h->open && h->t0 - h->window_ms < keep_from)
                keep_from = h->t0 - h->window_ms;
        size_t n = 0;
        while (n < h->nhits && h->hits[n]->ev.time_ms < keep_from)
                hit_free(e, h->hits[n++]);
        if (n) {
                memmove(h->hits, h->hits + n,
                        (h->nhits - n) * sizeof(*h->hits));
                h->nhits -= n;
        }
        if (!h->nhits) { /* give the buffer back: most hosts are quiet */
                e->bytes -= hits_bytes(h->cap);
                free(h->hits);
                h->hits = NULL;
                h->cap = 0;
        }
        pins_forget(e, h, false);
}

/* Counts an event's hits (in rule-set order, kbc_match) by signal and by
 * rule; returns how many articles it matched: the fewer, the more it
 * says (the ranking's specificity). */
static uint32_t count_hits(kbc_engine *e, const kbc_signal *const *hits,
                           size_t n)
{
        uint32_t rules = 0;
        e->stats.matched_events++;
        e->stats.signal_hits += n;
        for (size_t i = 0; i < n; i++) {
                e->signal_hits[hits[i]->gindex]++;
                if (!i || hits[i]->rule != hits[i - 1]->rule) {
                        e->rule_events[hits[i]->rule->index]++;
                        rules++;
                }
        }
        return rules;
}

size_t kbc_engine_feed(kbc_engine *e, const kbc_event *ev)
{
        e->stats.events++;
        e->nlast_hits = 0;
        if (ev->time_ms == KBC_TIME_NONE || !ev->host.len) {
                e->stats.untimed_events++;
                return 0;
        }
        size_t n = kbc_match(e->matcher, ev, e->last_hits, MAX_HITS_PER_EVENT);
        if (n > MAX_HITS_PER_EVENT) { /* counted, never silent */
                e->stats.dropped_hits += n - MAX_HITS_PER_EVENT;
                n = MAX_HITS_PER_EVENT;
        }
        e->nlast_hits = n;

        kbc_str host = host_key(ev->host);
        uint64_t hash = host_hash(host);
        host_state *h = n ? host_get(e, host, hash) : host_find(e, host, hash);
        if (!h) {
                e->stats.dropped_hits += n != 0; /* no room for the host */
                return n;
        }
        if (!n) { /* only advances the host's clock */
                lru_unlink(e, h);
                lru_push(e, h);
        }
        if (ev->time_ms > h->max_time)
                h->max_time = ev->time_ms;
        else if (ev->time_ms < h->max_time - e->opts.lateness_ms)
                e->stats.late_events++;
        if (e->now_ms)
                h->last_wall = e->now_ms;
        if (case_due(e, h))
                case_close(e, h);
        if (n) {
                uint32_t nrules = count_hits(e, e->last_hits, n);
                hit *x = hit_new(e, h, ev, e->last_hits, n, nrules);
                if (x && ev->time_ms <= h->quiet_hi)
                        e->stats.after_quiet++;
                if (x && !hits_insert(e, h, x))
                        x = NULL; /* dropped: the host's buffer is full */
                case_update(e, h);
                repeats_reserve(e, h);
                if (case_due(e, h)) /* a symptom later than the lateness */
                        case_close(e, h);
                /* a new case, or one this event joined */
                if (h->open && (!h->ci.states ||
                                (x && x->ev.time_ms >= h->t0 - h->window_ms &&
                                 x->ev.time_ms <= h->t0 + h->window_ms)))
                        case_state(e, h);
        }
        host_prune(e, h);
        return n;
}

/* A quiet host's closed case lets its partition's offset go: its hits
 * would otherwise stay pinned until the host logs again (docs/daemon.md:
 * evidence of a case closed on the wall clock supports no later case). */
static void hits_drop(kbc_engine *e, host_state *h)
{
        for (size_t i = 0; i < h->nhits; i++)
                hit_free(e, h->hits[i]);
        e->bytes -= hits_bytes(h->cap);
        free(h->hits);
        h->hits = NULL;
        h->nhits = h->cap = 0;
        pins_forget(e, h, false);
}

void kbc_engine_set_clock(kbc_engine *e, int64_t now_ms)
{
        e->now_ms = now_ms;
}

size_t kbc_engine_close_quiet(kbc_engine *e, int64_t now_ms)
{
        size_t closed = 0;
        /* closing only ever takes h itself off the list */
        for (host_state *h = e->pinning, *next; h; h = next) {
                next = h->pins_next;
                /* closing may open a later case, as quiet as the first */
                while (h->open && h->last_wall &&
                       now_ms - h->last_wall >=
                           h->window_ms + e->opts.lateness_ms) {
                        if (h->t0 + h->window_ms > h->quiet_hi)
                                h->quiet_hi = h->t0 + h->window_ms;
                        case_close(e, h);
                        e->stats.quiet_closes++;
                        closed++;
                        if (!h->open)
                                hits_drop(e, h);
                }
                /* Quiet past the suppression period too: its incidents
                 * are forgotten, as its own clock would forget them when
                 * it logs again, and their first events' offsets go. */
                if (!h->open && h->nrepeats && h->last_wall &&
                    now_ms - h->last_wall >=
                        e->opts.suppress_ms + e->opts.lateness_ms) {
                        h->nrepeats = 0;
                        pins_forget(e, h, false);
                }
        }
        return closed;
}

static int open_case_order(const void *a, const void *b)
{
        const host_state *x = *(host_state *const *)a;
        const host_state *y = *(host_state *const *)b;
        if (x->t0 != y->t0)
                return x->t0 < y->t0 ? -1 : 1;
        return strcasecmp(x->name, y->name);
}

void kbc_engine_flush(kbc_engine *e)
{
        host_state **open = malloc((e->nhosts + 1) * sizeof(*open));
        size_t n = 0;
        if (!open)
                return;
        for (host_state *h = e->newest; h; h = h->older)
                if (h->open)
                        open[n++] = h;
        qsort(open, n, sizeof(*open), open_case_order);
        for (size_t i = 0; i < n; i++)
                while (open[i]->open) /* closing may open a later case */
                        case_close(e, open[i]);
        free(open);
}

int64_t kbc_engine_low_mark(const kbc_engine *e)
{
        int64_t low = INT64_MAX;
        for (const host_state *h = e->pinning; h; h = h->pins_next) {
                for (size_t i = 0; i < h->nhits; i++)
                        if (h->hits[i]->pin < low)
                                low = h->hits[i]->pin;
                for (size_t i = 0; i < h->nrepeats; i++)
                        if (h->repeats[i].pin < low)
                                low = h->repeats[i].pin;
        }
        return low;
}

/* ---- life cycle and accessors --------------------------------------- */

kbc_engine *kbc_engine_new(const kbc_ruleset *rs, const kbc_engine_opts *opts,
                           kbc_incident_fn *cb, void *opaque)
{
        kbc_engine_opts defaults = KBC_ENGINE_OPTS_DEFAULT;
        kbc_engine *e = calloc(1, sizeof(*e));
        if (!e)
                return NULL;
        e->rs = rs;
        e->opts = opts ? *opts : defaults;
        if (!e->opts.max_hosts)
                e->opts.max_hosts = defaults.max_hosts;
        if (!e->opts.max_bytes)
                e->opts.max_bytes = defaults.max_bytes;
        e->cb = cb;
        e->opaque = opaque;
        e->nbuckets = TABLE_SLOTS;
        e->table = calloc(e->nbuckets, sizeof(*e->table));
        e->matcher = kbc_matcher_new(rs);
        e->rule_events = calloc(rs->nrules + 1, sizeof(*e->rule_events));
        e->rule_incidents = calloc(rs->nrules + 1, sizeof(*e->rule_incidents));
        e->signal_hits = calloc(rs->nsignals + 1, sizeof(*e->signal_hits));
        e->rule_mark = calloc(rs->nrules + 1, sizeof(*e->rule_mark));
        e->rule_slot = calloc(rs->nrules + 1, sizeof(*e->rule_slot));
        e->sig_mark = calloc(rs->nsignals + 1, sizeof(*e->sig_mark));
        e->scratch = kbc_arena_new(); /* aborts when out of memory */
        if (!e->table || !e->matcher || !e->rule_events || !e->rule_incidents ||
            !e->signal_hits || !e->rule_mark || !e->rule_slot || !e->sig_mark) {
                kbc_engine_free(e);
                return NULL;
        }
        return e;
}

void kbc_engine_free(kbc_engine *e)
{
        if (!e)
                return;
        while (e->newest)
                host_remove(e, e->newest);
        /* every charge given back, but the table's growth */
        assert(e->bytes == (e->nbuckets - TABLE_SLOTS) * sizeof(*e->table));
        free(e->table);
        kbc_matcher_free(e->matcher);
        free(e->rule_events);
        free(e->rule_incidents);
        free(e->signal_hits);
        free(e->rule_mark);
        free(e->rule_slot);
        free(e->sig_mark);
        kbc_arena_free(e->scratch);
        free(e);
}

void kbc_engine_stats_get(const kbc_engine *e, kbc_engine_stats *out)
{
        *out = e->stats;
        out->hosts = e->nhosts;
        out->bytes = e->bytes;
}

size_t kbc_engine_bytes(const kbc_engine *e)
{
        return e->bytes;
}

size_t kbc_engine_last_hits(const kbc_engine *e, const kbc_signal ***hits)
{
        *hits = (const kbc_signal **)e->last_hits;
        return e->nlast_hits;
}

uint64_t kbc_engine_rule_events(const kbc_engine *e, const kbc_rule *r)
{
        return e->rule_events[r->index];
}

uint64_t kbc_engine_rule_incidents(const kbc_engine *e, const kbc_rule *r)
{
        return e->rule_incidents[r->index];
}

uint64_t kbc_engine_signal_hits(const kbc_engine *e, const kbc_signal *s)
{
        return e->signal_hits[s->gindex];
}

const char *kbc_rule_id(const kbc_rule *r)
{
        return r->id;
}

size_t kbc_rule_index(const kbc_rule *r)
{
        return r->index;
}

size_t kbc_rule_signal_count(const kbc_rule *r)
{
        return r->nsignals;
}

const kbc_signal *kbc_rule_signal(const kbc_rule *r, size_t i)
{
        return &r->signals[i];
}

const char *kbc_signal_id(const kbc_signal *s)
{
        return s->id;
}

const kbc_rule *kbc_signal_rule(const kbc_signal *s)
{
        return s->rule;
}

bool kbc_signal_is_symptom(const kbc_signal *s)
{
        return s->symptom;
}
