/*
 * match.c - which signals an event matches.
 *
 * At load, every signal goes into one bucket of a hash index keyed by
 * (provider, event id), either of which may be "any". An event probes the
 * four buckets that can hold its signals, checks the cheap equality tests
 * (channel, event id) first, and runs PCRE2 (JIT, with match and depth
 * limits) only on what remains. Message patterns with a required literal
 * go through the prefilter (prefilter.h): the message is scanned once, and
 * of the message-only signals ("any", "any") only those whose literal
 * occurs are looked at. The cost per event thus follows the message and
 * the signals that could apply, not the rule count.
 */
#define _GNU_SOURCE /* memmem */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "code_index.h"
#include "kbc_buf.h"
#include "kbc_hash.h"
#include "prefilter.h"
#include "rule_internal.h"

#define ANY_EVENT_ID UINT32_MAX /* event ids are 16-bit in practice */

typedef struct bucket {
        const char *provider; /* lower-case, as provider_base; NULL = any */
        uint32_t event_id;    /* ANY_EVENT_ID = any */
        const kbc_signal **signals;
        size_t nsignals, cap;
} bucket;

struct kbc_signal_index {
        bucket *slots; /* open addressing, power-of-two size */
        size_t nslots, used;
        const kbc_signal **all; /* by gindex */
        size_t nsignals;
        /* By gindex: a second literal the message must hold, checked only
         * once the first is found and before PCRE2 runs (the longest
         * literal is often a common phrase: "application" of "MS-DOS
         * 4.x ... application"); NULL for none. */
        const char **second;
        /* Every literal, for events that report a problem; and only the
         * literals of signals without `problem: true`, for the others. Most
         * compiled symptoms need a problem, and most events report none,
         * so the second is sparse and scans at about the speed of a small
         * rule set (BENCHMARKS.md). */
        kbc_prefilter *prefilter, *prefilter_plain;
        /* ("any", "any") signals the prefilter cannot vouch for: error
         * codes by value, the others run on every event */
        kbc_code_index *codes;
        const kbc_signal **unfiltered_any;
        size_t nunfiltered_any;
        size_t nunfiltered_patterns;   /* distinct, for kbcorr check */
        size_t npatterns;              /* distinct message patterns */
        struct pattern_code *codes_of; /* by kbc_signal.pattern */
        atomic_size_t nhot;            /* patterns given JIT code */
};

/* A message pattern's code, compiled on its first run and given JIT code
 * once it has run HOT_RUNS times (a code such as 0x00000004 that benign
 * Security logs are full of), whichever matcher runs it. kbcorrd has a
 * matcher per partition, so a cache per matcher compiled each pattern
 * once per partition and ran HOT_RUNS times interpreted in each
 * (BENCHMARKS.md, "One pattern cache"). The workers share the rule set,
 * so each field is set once and published with release; a thread that
 * loses the race to compile frees its copy. */
typedef struct pattern_code {
        _Atomic(pcre2_code *) own; /* the signal came without code */
        _Atomic(pcre2_code *) jit; /* a JIT copy: JIT compiling writes the
                                      code, which other threads may run */
        atomic_uint runs;
        atomic_bool broken; /* its source did not compile: never matches */
} pattern_code;

#define HOT_RUNS 64   /* runs before a pattern is worth its JIT code */
#define HOT_MAX  1024 /* JIT copies per rule set: about 10 KB each */

/* A message pattern as this matcher saw it on the current event. */
typedef struct pattern_state {
        uint32_t stamp; /* == the matcher's once run on this event */
        bool matched;   /* the verdict for this event */
} pattern_state;

struct kbc_matcher {
        const kbc_ruleset *rs;
        pcre2_match_data *md;
        pcre2_match_context *mctx;
        kbc_buf joined; /* EventData values joined, for events w/o message */
        kbc_buf normalized; /* the message as the prefilter sees it */
        uint32_t *marks;    /* by gindex: == stamp when its literal occurs */
        uint32_t *found;    /* gindexes whose literal occurs */
        uint32_t stamp;
        bool problem;            /* the event reports a problem (kbc_event.h) */
        bool undescribed;        /* Windows could not render its message */
        pattern_state *patterns; /* by kbc_signal.pattern */
};

/* A provider as the index compares it: without "Microsoft-Windows-".
 * Windows logs "Microsoft-Windows-DFSR" where the articles and older
 * collectors write "DFSR", and "ActiveDirectory_DomainService" is the same
 * provider as "Microsoft-Windows-ActiveDirectory_DomainService". A source
 * named after an instance, "NAME [INSTANCE] CATEGORY" (AD LDS logs "ADAM
 * [SalesApps] General", "ADAM [PartnerDir] Replication", one per instance
 * and category), is NAME: the instance is the server's own, and a rule
 * can only name the service. */
static kbc_str provider_base(kbc_str p)
{
        static const char prefix[] = "microsoft-windows-";
        size_t n = sizeof(prefix) - 1;
        if (p.ptr && p.len > n &&
            kbc_str_caseeq(kbc_str_make(p.ptr, n), kbc_str_make(prefix, n)))
                p = kbc_str_make(p.ptr + n, p.len - n);
        for (size_t i = 1; p.ptr && i + 1 < p.len; i++)
                if (p.ptr[i] == '[' && p.ptr[i - 1] == ' ' &&
                    memchr(p.ptr + i, ']', p.len - i)) {
                        size_t e = i - 1;
                        while (e && p.ptr[e - 1] == ' ')
                                e--;
                        if (e)
                                return kbc_str_make(p.ptr, e);
                        break;
                }
        return p;
}

static uint64_t key_hash(kbc_str provider, uint32_t event_id)
{
        uint64_t h =
            kbc_fnv64_lower(KBC_FNV64_INIT, provider.ptr, provider.len);
        return kbc_fnv64(h, &event_id, sizeof(event_id));
}

static bool key_eq(const bucket *b, kbc_str provider, uint32_t event_id)
{
        if (b->event_id != event_id)
                return false;
        if (!b->provider)
                return provider.ptr == NULL;
        return provider.ptr &&
               kbc_str_caseeq(kbc_str_cstr(b->provider), provider);
}

/* The bucket of provider (as logged or as a rule names it) and event_id,
 * or the empty slot where it would go. */
static bucket *index_find(const kbc_signal_index *idx, kbc_str provider,
                          uint32_t event_id, bool *found)
{
        provider = provider_base(provider); /* once per lookup */
        size_t mask = idx->nslots - 1;
        size_t i = key_hash(provider, event_id) & mask;
        for (;; i = (i + 1) & mask) {
                bucket *b = &idx->slots[i];
                if (!b->signals) {
                        *found = false;
                        return b;
                }
                if (key_eq(b, provider, event_id)) {
                        *found = true;
                        return b;
                }
        }
}

static void index_add(kbc_signal_index *idx, kbc_arena *a, const char *prov,
                      uint32_t event_id, const kbc_signal *s)
{
        kbc_str provider = prov ? kbc_str_cstr(prov) : (kbc_str){NULL, 0};
        bool found;
        bucket *b = index_find(idx, provider, event_id, &found);
        if (!found) {
                char *lower = NULL;
                if (prov) {
                        kbc_str base = provider_base(provider);
                        lower = kbc_arena_strndup(a, base.ptr, base.len);
                        for (char *p = lower; *p; p++)
                                *p = kbc_ascii_lower(*p);
                }
                b->provider = lower;
                b->event_id = event_id;
                idx->used++;
        }
        if (b->nsignals && b->signals[b->nsignals - 1] == s)
                return; /* two names of one provider: one bucket */
        if (b->nsignals == b->cap) {
                size_t cap = b->cap ? b->cap * 2 : 4;
                const kbc_signal **p = kbc_arena_alloc(a, cap * sizeof(*p));
                if (b->nsignals)
                        memcpy(p, b->signals, b->nsignals * sizeof(*p));
                b->signals = p;
                b->cap = cap;
        }
        b->signals[b->nsignals++] = s;
}

/* JIT code costs about 10 KB and 50 us a pattern: with the whole KB
 * loaded that was 255 MB and 1.5 s (BENCHMARKS.md). A message pattern
 * behind the prefilter runs only on the rare event holding its literal,
 * so it stays interpreted; patterns that run on every event of their
 * bucket (no literal, or EventData tests) get JIT code. JIT is an
 * optimisation only: a pattern the JIT cannot take runs interpreted.
 *
 * Signals read from a bundle come without compiled patterns: the hot ones
 * are compiled here, the others on their first run in any matcher
 * (message_code). A pattern that does not compile fails the build: a
 * bundle only holds patterns that compiled with this PCRE2. */
static pcre2_code *compile_src(const char *src)
{
        int code;
        PCRE2_SIZE off;
        return pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED,
                             KBC_RE_FLAGS, &code, &off, NULL);
}

static int prepare_hot(kbc_signal *sig)
{
        if (sig->message_src && !sig->literal) {
                if (!sig->message &&
                    !(sig->message = compile_src(sig->message_src)))
                        return -1;
                (void)pcre2_jit_compile(sig->message, PCRE2_JIT_COMPLETE);
        }
        for (size_t i = 0; i < sig->ndata; i++) {
                kbc_data_match *dm = &sig->data[i];
                if (!dm->re && !(dm->re = compile_src(dm->src)))
                        return -1;
                (void)pcre2_jit_compile(dm->re, PCRE2_JIT_COMPLETE);
        }
        return 0;
}

/* Numbers the distinct message patterns: articles of one product quote
 * the same codes and phrases (seven rules look for 0x00000004), and one
 * PCRE2 run per event answers for all of them. Returns how many. */
static size_t number_patterns(kbc_ruleset *rs, size_t nsignals)
{
        size_t nslots = 16, npatterns = 0;
        while (nslots < nsignals * 2)
                nslots *= 2;
        const kbc_signal **slots = calloc(nslots, sizeof(*slots));
        if (!slots)
                return 0;
        for (size_t r = 0; r < rs->nrules; r++)
                for (size_t k = 0; k < rs->rules[r].nsignals; k++) {
                        kbc_signal *sig = &rs->rules[r].signals[k];
                        const char *src = sig->message_src;
                        if (!src)
                                continue;
                        size_t i = kbc_fnv64(KBC_FNV64_INIT, src, strlen(src)) &
                                   (nslots - 1);
                        while (slots[i] && strcmp(slots[i]->message_src, src))
                                i = (i + 1) & (nslots - 1);
                        if (!slots[i]) {
                                slots[i] = sig;
                                sig->pattern = (uint32_t)npatterns++;
                        } else {
                                sig->pattern = slots[i]->pattern;
                        }
                }
        free(slots);
        return npatterns;
}

/* A ("any", "any") signal without a literal: an error code goes under
 * its value, anything else runs on every event. *filter is what the
 * prefilter looks for on its behalf: a code's long form, whose digits are
 * a literal of their own (the alternation around them hides it from
 * kbc_regex_literal); NULL for the others. 0, or -1 on ENOMEM. */
static int file_without_literal(kbc_signal_index *idx, kbc_arena *a,
                                const kbc_signal *sig, const char **filter)
{
        kbc_code_shape shape;
        *filter = NULL;
        if (!sig->message_src ||
            !kbc_code_pattern_read(sig->message_src, &shape)) {
                idx->unfiltered_any[idx->nunfiltered_any++] = sig;
                return 0;
        }
        if (kbc_code_index_add(idx->codes, &shape, sig))
                return -1;
        if (shape.digits < KBC_LITERAL_MIN)
                return 0; /* found by the code index's scan alone */
        char digits[17];
        kbc_code_literal(&shape, digits, sizeof(digits));
        *filter = kbc_arena_strdup(a, digits);
        return *filter ? 0 : -1;
}

/* How many distinct patterns the signals that run on every event have. */
static int count_unfiltered(kbc_signal_index *idx)
{
        bool *seen = calloc(idx->npatterns + 1, sizeof(*seen));
        if (!seen)
                return -1;
        for (size_t i = 0; i < idx->nunfiltered_any; i++) {
                const kbc_signal *s = idx->unfiltered_any[i];
                if (s->message_src && !seen[s->pattern]) {
                        seen[s->pattern] = true;
                        idx->nunfiltered_patterns++;
                }
        }
        free(seen);
        return 0;
}

kbc_signal_index *kbc_signal_index_build(kbc_ruleset *rs)
{
        size_t keys = 0;
        for (size_t r = 0; r < rs->nrules; r++)
                for (size_t s = 0; s < rs->rules[r].nsignals; s++) {
                        const kbc_signal *sig = &rs->rules[r].signals[s];
                        size_t ids = sig->nevent_ids, names = sig->nproviders;
                        keys += (ids ? ids : 1) * (names ? names : 1);
                }
        kbc_signal_index *idx = calloc(1, sizeof(*idx));
        if (!idx)
                return NULL;
        idx->nslots = 16;
        while (idx->nslots < keys * 2) /* load factor <= 0.5 */
                idx->nslots *= 2;
        idx->slots = calloc(idx->nslots, sizeof(bucket));
        if (!idx->slots) {
                free(idx);
                return NULL;
        }
        idx->all = kbc_arena_alloc(rs->arena, (keys + 1) * sizeof(*idx->all));
        const char **literals =
            kbc_arena_alloc(rs->arena, (keys + 1) * sizeof(*literals));
        const char **plain =
            kbc_arena_alloc(rs->arena, (keys + 1) * sizeof(*plain));
        idx->second =
            kbc_arena_alloc(rs->arena, (keys + 1) * sizeof(*idx->second));
        bool compiled = true;
        idx->unfiltered_any = kbc_arena_alloc(
            rs->arena, (keys + 1) * sizeof(*idx->unfiltered_any));
        idx->codes = kbc_code_index_new(rs->arena, keys);
        if (!idx->codes) {
                free(idx->slots);
                free(idx);
                return NULL;
        }
        for (size_t r = 0; r < rs->nrules; r++) {
                kbc_rule *rule = &rs->rules[r];
                for (size_t s = 0; s < rule->nsignals; s++) {
                        kbc_signal *sig = &rule->signals[s];
                        sig->gindex = (uint32_t)idx->nsignals;
                        const char *lits[2] = {NULL, NULL};
                        if (sig->message_src)
                                kbc_regex_literals(rs->arena, sig->message_src,
                                                   lits);
                        sig->literal = lits[0];
                        idx->second[idx->nsignals] = lits[1];
                        const char *filter = sig->literal;
                        if (!sig->provider && !sig->nevent_ids && !filter)
                                compiled &=
                                    file_without_literal(idx, rs->arena, sig,
                                                         &filter) == 0;
                        literals[idx->nsignals] = filter;
                        plain[idx->nsignals] = sig->problem ? NULL : filter;
                        compiled &= prepare_hot(sig) == 0;
                        idx->all[idx->nsignals++] = sig;
                        /* once per name of its provider, or once */
                        for (size_t p = 0;
                             p < sig->nproviders + !sig->nproviders; p++) {
                                const char *prov =
                                    sig->nproviders ? sig->providers[p] : NULL;
                                if (!sig->nevent_ids)
                                        index_add(idx, rs->arena, prov,
                                                  ANY_EVENT_ID, sig);
                                for (size_t i = 0; i < sig->nevent_ids; i++)
                                        index_add(idx, rs->arena, prov,
                                                  sig->event_ids[i], sig);
                        }
                }
        }
        rs->nsignals = idx->nsignals;
        idx->npatterns = number_patterns(rs, idx->nsignals);
        idx->codes_of = calloc(idx->npatterns + 1, sizeof(*idx->codes_of));
        idx->prefilter = kbc_prefilter_build(literals, idx->nsignals);
        idx->prefilter_plain = kbc_prefilter_build(plain, idx->nsignals);
        if (!compiled || !idx->codes_of || !idx->prefilter ||
            !idx->prefilter_plain || count_unfiltered(idx)) {
                kbc_signal_index_free(idx);
                return NULL;
        }
        return idx;
}

void kbc_signal_index_free(kbc_signal_index *idx)
{
        if (!idx)
                return;
        kbc_prefilter_free(idx->prefilter);
        kbc_prefilter_free(idx->prefilter_plain);
        for (size_t i = 0; idx->codes_of && i < idx->npatterns; i++) {
                pcre2_code_free(atomic_load(&idx->codes_of[i].own));
                pcre2_code_free(atomic_load(&idx->codes_of[i].jit));
        }
        free(idx->codes_of);
        free(idx->slots); /* buckets' arrays live in the rule set's arena */
        free(idx);
}

size_t kbc_ruleset_unfiltered(const kbc_ruleset *rs)
{
        return rs->index->nunfiltered_patterns;
}

kbc_matcher *kbc_matcher_new(const kbc_ruleset *rs)
{
        kbc_matcher *m = calloc(1, sizeof(*m));
        if (!m)
                return NULL;
        m->rs = rs;
        m->md = pcre2_match_data_create(1, NULL);
        m->mctx = pcre2_match_context_create(NULL);
        if (!m->md || !m->mctx) {
                kbc_matcher_free(m);
                return NULL;
        }
        pcre2_set_match_limit(m->mctx, KBC_MATCH_LIMIT);
        pcre2_set_depth_limit(m->mctx, KBC_DEPTH_LIMIT);
        kbc_buf_init(&m->joined, 1 << 20);
        kbc_buf_init(&m->normalized, 1 << 20);
        size_t n = rs->index->nsignals + 1;
        m->marks = calloc(n, sizeof(*m->marks));
        m->found = calloc(n, sizeof(*m->found));
        m->patterns = calloc(rs->index->npatterns + 1, sizeof(*m->patterns));
        if (!m->marks || !m->found || !m->patterns) {
                kbc_matcher_free(m);
                return NULL;
        }
        return m;
}

void kbc_matcher_free(kbc_matcher *m)
{
        if (!m)
                return;
        pcre2_match_data_free(m->md);
        pcre2_match_context_free(m->mctx);
        kbc_buf_free(&m->joined);
        kbc_buf_free(&m->normalized);
        free(m->marks);
        free(m->found);
        free(m->patterns);
        free(m);
}

/* A match-limit hit counts as no match: hostile input loses the signal,
 * never the daemon. */
static int re_run(kbc_matcher *m, const pcre2_code *re, kbc_str s)
{
        return pcre2_match(re, (PCRE2_SPTR)(s.ptr ? s.ptr : ""), s.len, 0, 0,
                           m->md, m->mctx);
}

static bool re_search(kbc_matcher *m, const pcre2_code *re, kbc_str s)
{
        return re_run(m, re, s) >= 0;
}

/* The inserts of an undescribed message: what follows the colon after
 * "insertion string(s)" or "The following information (was included with
 * | is part of) the event"; the whole message when it has neither. The
 * inserts hold colons of their own (C:\\WINNT, 10:15:32). */
static kbc_str inserts_of(kbc_str msg)
{
        static const char *const leads[] = {"insertion string",
                                            "following information"};
        for (size_t k = 0; k < sizeof(leads) / sizeof(*leads); k++) {
                long i = kbc_str_casefind(msg, leads[k]);
                const char *colon =
                    i < 0 ? NULL
                          : memchr(msg.ptr + i, ':', msg.len - (size_t)i);
                if (!colon)
                        continue;
                size_t at = (size_t)(colon - msg.ptr) + 1;
                while (at < msg.len &&
                       (msg.ptr[at] == ' ' || msg.ptr[at] == '\n' ||
                        msg.ptr[at] == '\r' || msg.ptr[at] == '\t'))
                        at++;
                return kbc_str_make(msg.ptr + at, msg.len - at);
        }
        return msg;
}

/* What `message`/`text` patterns search: the rendered message, or for
 * events without one (EVTX) or whose message Windows could not render,
 * the EventData values joined by spaces (the inserts the stand-in message
 * lists, when the event has no EventData). */
static kbc_str message_text(kbc_matcher *m, const kbc_event *ev)
{
        if (m->undescribed && !ev->nfields)
                return inserts_of(ev->message);
        if (ev->message.len && !m->undescribed)
                return ev->message;
        kbc_buf_reset(&m->joined);
        for (size_t i = 0; i < ev->nfields; i++) {
                if (i)
                        kbc_buf_putc(&m->joined, ' ');
                kbc_buf_append(&m->joined, ev->fields[i].value.ptr,
                               ev->fields[i].value.len);
        }
        return kbc_str_make(m->joined.data, m->joined.len);
}

/* The compiled pattern of s: the rule set's, or for a signal read from a
 * bundle, the one compiled on its first run (most of the KB's patterns
 * never run: their literal never occurs). NULL if it does not compile
 * (out of memory: a bundle's patterns compiled when written). */
static const pcre2_code *message_code(pattern_code *pc, const kbc_signal *s)
{
        if (s->message)
                return s->message;
        pcre2_code *own = atomic_load_explicit(&pc->own, memory_order_acquire);
        if (own || atomic_load_explicit(&pc->broken, memory_order_relaxed))
                return own;
        pcre2_code *mine = compile_src(s->message_src);
        if (!mine) {
                atomic_store_explicit(&pc->broken, true, memory_order_relaxed);
                return NULL;
        }
        if (atomic_compare_exchange_strong_explicit(&pc->own, &own, mine,
                                                    memory_order_acq_rel,
                                                    memory_order_acquire))
                return mine;
        pcre2_code_free(mine); /* another thread's came first */
        return own;
}

/* The JIT code of a pattern that has proved hot, or NULL. The run that
 * makes it hot compiles it; the others go on interpreting until then. */
static const pcre2_code *jit_code(kbc_signal_index *idx, pattern_code *pc,
                                  const pcre2_code *re)
{
        pcre2_code *jit = atomic_load_explicit(&pc->jit, memory_order_acquire);
        /* counted only up to HOT_RUNS: the workers would otherwise share
         * a cache line written on every run of a pattern that never gets
         * JIT code (past HOT_MAX, or one the JIT refused) */
        if (jit ||
            atomic_load_explicit(&pc->runs, memory_order_relaxed) >= HOT_RUNS ||
            atomic_fetch_add_explicit(&pc->runs, 1, memory_order_relaxed) !=
                HOT_RUNS - 1)
                return jit;
        if (atomic_fetch_add_explicit(&idx->nhot, 1, memory_order_relaxed) >=
            HOT_MAX)
                return NULL;
        pcre2_code *c = pcre2_code_copy(re);
        if (!c || pcre2_jit_compile(c, PCRE2_JIT_COMPLETE)) {
                pcre2_code_free(c);
                atomic_fetch_sub_explicit(&idx->nhot, 1, memory_order_relaxed);
                return NULL;
        }
        atomic_store_explicit(&pc->jit, c, memory_order_release);
        return c;
}

/* Whether the normalized message holds lit. glibc's strstr compares 16
 * bytes at a time where its memmem goes byte by byte (3 instructions a
 * byte here); a NUL inside the message would stop strstr early. */
static bool holds(const kbc_buf *norm, const char *lit)
{
        if (memchr(norm->data, '\0', norm->len))
                return memmem(norm->data, norm->len, lit, strlen(lit));
        return strstr(norm->data, lit);
}

/* Runs each distinct pattern once per event (rules of one product quote
 * the same codes), with JIT code once it has proved hot. */
static bool message_matches(kbc_matcher *m, const kbc_signal *s, kbc_str text)
{
        pattern_state *ps = &m->patterns[s->pattern];
        if (ps->stamp == m->stamp)
                return ps->matched;
        ps->stamp = m->stamp;
        kbc_signal_index *idx = m->rs->index;
        const char *second = idx->second[s->gindex];
        if (second && m->normalized.len && !holds(&m->normalized, second))
                return ps->matched = false;
        pattern_code *pc = &idx->codes_of[s->pattern];
        const pcre2_code *re = message_code(pc, s);
        if (!re)
                return ps->matched = false;
        /* a pattern without a literal got JIT code when loaded
         * (prepare_hot), and pcre2_match runs it */
        const pcre2_code *jit = s->literal ? jit_code(idx, pc, re) : NULL;
        /* JIT code that gives up (its stack, its match limit) hands over
         * to the interpreter, so the verdict never depends on whether
         * the pattern has run HOT_RUNS times. */
        int rc = jit ? re_run(m, jit, text) : 0;
        if (!jit || (rc < 0 && rc != PCRE2_ERROR_NOMATCH))
                rc = re_run(m, re, text);
        ps->matched = rc >= 0;
        return ps->matched;
}

static bool channel_matches(const kbc_signal *s, kbc_str channel)
{
        for (size_t i = 0; i < s->nchannels; i++)
                if (kbc_str_caseeq(kbc_str_cstr(s->channels[i]), channel))
                        return true;
        return false;
}

static bool signal_matches(kbc_matcher *m, const kbc_signal *s,
                           const kbc_event *ev, kbc_str text)
{
        /* Windows could not say the words of an undescribed event; a
         * signal that names its source and id is that event all the
         * same. */
        bool by_identity = m->undescribed && s->provider && s->nevent_ids;
        if (s->literal && m->marks[s->gindex] != m->stamp && !by_identity)
                return false; /* its literal is not in the message */
        if (s->nchannels && !channel_matches(s, ev->channel))
                return false;
        if (s->problem && !m->problem)
                return false;
        for (size_t i = 0; i < s->ndata; i++) {
                kbc_str v = kbc_event_field(ev, kbc_str_cstr(s->data[i].name));
                if (!v.ptr || !re_search(m, s->data[i].re, v))
                        return false;
        }
        if (!s->message_src || by_identity)
                return true;
        return message_matches(m, s, text);
}

/* Normalizes and scans the message once per event; returns how many
 * literals were found (their gindexes in m->found). A literal of a
 * `problem` signal is not looked for in an event that reports none:
 * signal_matches would turn the signal down anyway. */
static size_t prefilter_event(kbc_matcher *m, kbc_str text)
{
        const kbc_signal_index *idx = m->rs->index;
        if (++m->stamp == 0) { /* wrapped: forget every old mark */
                memset(m->marks, 0, (idx->nsignals + 1) * sizeof(*m->marks));
                for (size_t i = 0; i < idx->npatterns; i++)
                        m->patterns[i].stamp = 0;
                m->stamp = 1;
        }
        kbc_prefilter_normalize(text.ptr, text.len, &m->normalized);
        return kbc_prefilter_scan(
            m->problem ? idx->prefilter : idx->prefilter_plain,
            m->normalized.data ? m->normalized.data : "", m->normalized.len,
            m->marks, m->stamp, m->found);
}

static void consider(kbc_matcher *m, const kbc_signal *s, const kbc_event *ev,
                     kbc_str text, const kbc_signal **hits, size_t max,
                     size_t *n)
{
        if (!signal_matches(m, s, ev, text))
                return;
        if (*n < max)
                hits[*n] = s;
        (*n)++;
}

/* What the code index hands each signal it finds to. */
typedef struct code_visit {
        kbc_matcher *m;
        const kbc_event *ev;
        kbc_str text;
        const kbc_signal **hits;
        size_t max, *n;
} code_visit;

/* A code signal, once per event however often its value occurs. Its
 * mark says the prefilter found its long form (then the loop over what
 * it found takes the signal), or that it was taken here already. */
static void consider_code(void *arg, const kbc_signal *s)
{
        code_visit *cv = arg;
        if (cv->m->marks[s->gindex] == cv->m->stamp)
                return;
        cv->m->marks[s->gindex] = cv->m->stamp;
        consider(cv->m, s, cv->ev, cv->text, cv->hits, cv->max, cv->n);
}

static int signal_order(const void *a, const void *b)
{
        const kbc_signal *x = *(const kbc_signal *const *)a;
        const kbc_signal *y = *(const kbc_signal *const *)b;
        if (x->rule != y->rule)
                return x->rule->index < y->rule->index ? -1 : 1;
        return x < y ? -1 : x > y;
}

size_t kbc_match(kbc_matcher *m, const kbc_event *ev, const kbc_signal **hits,
                 size_t max)
{
        const kbc_signal_index *idx = m->rs->index;
        uint32_t id = ev->has_event_id ? ev->event_id : ANY_EVENT_ID;
        m->undescribed = kbc_message_undescribed(ev->message);
        kbc_str text = message_text(m, ev);
        m->problem = kbc_event_reports_problem(ev);
        size_t nfound = prefilter_event(m, text), n = 0;
        /* The buckets that can hold this event's signals; ("any", "any")
         * is walked through the prefilter instead, below. */
        const struct {
                kbc_str provider;
                uint32_t event_id;
        } probes[3] = {
            {ev->provider, id}, {ev->provider, ANY_EVENT_ID}, {{NULL, 0}, id}};

        for (size_t p = 0; p < 3; p++) {
                if (p < 2 && !ev->provider.len)
                        continue;
                if (probes[p].event_id == ANY_EVENT_ID && p == 0)
                        continue; /* the same key as the next probe */
                if (p == 2 && id == ANY_EVENT_ID)
                        continue;
                bool found;
                const bucket *b = index_find(idx, probes[p].provider,
                                             probes[p].event_id, &found);
                for (size_t i = 0; found && i < b->nsignals; i++)
                        consider(m, b->signals[i], ev, text, hits, max, &n);
        }
        for (size_t i = 0; i < idx->nunfiltered_any; i++)
                consider(m, idx->unfiltered_any[i], ev, text, hits, max, &n);
        code_visit cv = {m, ev, text, hits, max, &n};
        kbc_code_index_scan(idx->codes, text.ptr, text.len,
                            m->normalized.data ? m->normalized.data : "",
                            m->normalized.len, consider_code, &cv);
        for (size_t i = 0; i < nfound; i++) {
                const kbc_signal *s = idx->all[m->found[i]];
                if (!s->provider && !s->nevent_ids)
                        consider(m, s, ev, text, hits, max, &n);
        }
        qsort(hits, n < max ? n : max, sizeof(*hits), signal_order);
        return n;
}
