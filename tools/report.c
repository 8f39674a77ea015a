/*
 * report.c - collects what the replay report shows (report.h): the input
 * span, and a copy of every incident, found again by id when a repeat
 * replaces it. The page itself is rendered by report_html.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kbc_time.h"
#include "report.h"
#include "report_page.h"

/* A page with more incidents than this is no longer read by anyone; the
 * JSON lines still have them all, and the page says how many it left out. */
#define REPORT_MAX_INCIDENTS 10000

struct report {
        report_opts opts;
        FILE *f;
        int64_t first_ms, last_ms;
        report_incident **incidents; /* in arrival order */
        size_t nincidents;
        size_t not_shown;
        /* Open addressing on the incident id: slot = index + 1, 0 = free.
         * Sized for the cap, so it never fills. */
        uint32_t slots[2 * REPORT_MAX_INCIDENTS];
        kbc_pipeline_stats stats; /* of every input's pipeline */
};

#define NSLOTS (2 * REPORT_MAX_INCIDENTS)

static void *xcalloc(size_t n, size_t size)
{
        void *p = calloc(n ? n : 1, size);
        if (!p) {
                fputs("kbcorr: out of memory\n", stderr);
                abort();
        }
        return p;
}

static char *xstrdup(const char *s)
{
        size_t n = s ? strlen(s) : 0;
        char *d = xcalloc(n + 1, 1);
        if (n)
                memcpy(d, s, n);
        return d;
}

static const kbc_signal **copy_signals(const kbc_signal *const *s, size_t n)
{
        const kbc_signal **d = xcalloc(n, sizeof(*d));
        if (n)
                memcpy(d, s, n * sizeof(*d));
        return d;
}

static report_incident *incident_copy(const kbc_incident *src)
{
        report_incident *c = xcalloc(1, sizeof(*c));
        memcpy(c->id, src->id, sizeof(c->id));
        c->host = xstrdup(src->host);
        c->start_ms = src->start_ms;
        c->end_ms = src->end_ms;
        c->count = src->count;
        c->occurrences = src->occurrences;
        c->confidence = src->confidence;
        c->ntied = src->ntied;
        c->ncandidates = src->ncandidates;
        c->candidates = xcalloc(src->ncandidates, sizeof(*c->candidates));
        for (size_t i = 0; i < src->ncandidates; i++) {
                c->candidates[i] = src->candidates[i];
                c->candidates[i].signals = copy_signals(
                    src->candidates[i].signals, src->candidates[i].nsignals);
                c->candidates[i].unseen = copy_signals(
                    src->candidates[i].unseen, src->candidates[i].nunseen);
        }
        c->nevidence = src->nevidence;
        c->evidence = xcalloc(src->nevidence, sizeof(*c->evidence));
        for (size_t i = 0; i < src->nevidence; i++) {
                const kbc_evidence *e = &src->evidence[i];
                kbc_evidence *d = &c->evidence[i];
                *d = *e;
                d->provider = xstrdup(e->provider);
                d->channel = xstrdup(e->channel);
                d->message = xstrdup(e->message);
                d->origin = xstrdup(e->origin);
                d->signals = copy_signals(e->signals, e->nsignals);
        }
        return c;
}

static void incident_free(report_incident *c)
{
        if (!c)
                return;
        for (size_t i = 0; i < c->ncandidates; i++) {
                free(c->candidates[i].signals);
                free(c->candidates[i].unseen);
        }
        for (size_t i = 0; i < c->nevidence; i++) {
                kbc_evidence *e = &c->evidence[i];
                free(e->provider);
                free(e->channel);
                free(e->message);
                free(e->origin);
                free(e->signals);
        }
        free(c->candidates);
        free(c->evidence);
        free(c->host);
        free(c);
}

/* The slot that holds id, or the free slot where it would go. */
static uint32_t *find_slot(report *r, const char *id)
{
        uint64_t h = strtoull(id, NULL, 16) * 0x9e3779b97f4a7c15ULL;
        for (size_t i = (size_t)(h >> 40) % NSLOTS;; i = (i + 1) % NSLOTS) {
                uint32_t *s = &r->slots[i];
                if (!*s || !strcmp(r->incidents[*s - 1]->id, id))
                        return s;
        }
}

report *report_open(const report_opts *opts)
{
        FILE *f = fopen(opts->path, "w");
        if (!f) {
                fprintf(stderr, "kbcorr replay: --report %s: %s\n", opts->path,
                        strerror(errno));
                return NULL;
        }
        report *r = xcalloc(1, sizeof(*r));
        r->opts = *opts;
        r->f = f;
        r->first_ms = r->last_ms = KBC_TIME_NONE;
        r->incidents = xcalloc(REPORT_MAX_INCIDENTS, sizeof(*r->incidents));
        return r;
}

void report_note_time(report *r, int64_t t)
{
        if (!r || t == KBC_TIME_NONE)
                return;
        if (r->first_ms == KBC_TIME_NONE || t < r->first_ms)
                r->first_ms = t;
        if (r->last_ms == KBC_TIME_NONE || t > r->last_ms)
                r->last_ms = t;
}

void report_add_incident(report *r, const kbc_incident *inc)
{
        if (!r)
                return;
        uint32_t *slot = find_slot(r, inc->id);
        report_incident *c = incident_copy(inc);
        if (*slot) {
                report_incident *old = r->incidents[*slot - 1];
                memcpy(c->states, old->states, sizeof(c->states));
                c->nstates = old->nstates;
                c->states_skipped = old->states_skipped;
                incident_free(old);
        }
        report_state now = {inc->candidates[0].rule, inc->open, inc->end_ms};
        if (c->nstates == REPORT_MAX_STATES)
                c->states_skipped++;
        else
                c->nstates++;
        c->states[c->nstates - 1] = now;
        if (*slot) {
                r->incidents[*slot - 1] = c;
                return;
        }
        if (r->nincidents == REPORT_MAX_INCIDENTS) {
                incident_free(c);
                r->not_shown++;
                return;
        }
        r->incidents[r->nincidents++] = c;
        *slot = (uint32_t)r->nincidents;
}

static int by_host_then_time(const void *pa, const void *pb)
{
        const report_incident *a = *(report_incident *const *)pa,
                              *b = *(report_incident *const *)pb;
        int c = strcasecmp(a->host, b->host);
        if (c)
                return c;
        if (a->start_ms != b->start_ms)
                return a->start_ms < b->start_ms ? -1 : 1;
        return strcmp(a->id, b->id);
}

static int by_kb_then_host(const void *pa, const void *pb)
{
        const report_incident *a = *(report_incident *const *)pa,
                              *b = *(report_incident *const *)pb;
        int c = strcmp(kbc_rule_id(a->candidates[0].rule),
                       kbc_rule_id(b->candidates[0].rule));
        if (c)
                return c;
        c = strcasecmp(a->host, b->host);
        return c ? c : strcmp(a->id, b->id);
}

void report_add_counts(report *r, const kbc_pipeline *p)
{
        if (!r)
                return;
        kbc_pipeline_stats s;
        kbc_pipeline_stats_get(p, &s);
        kbc_pipeline_stats_add(&r->stats, &s);
}

int report_close(report *r)
{
        if (!r)
                return 0;
        size_t n = r->nincidents;
        report_incident **by_kb = xcalloc(n, sizeof(*by_kb));
        qsort(r->incidents, n, sizeof(*r->incidents), by_host_then_time);
        if (n)
                memcpy(by_kb, r->incidents, n * sizeof(*by_kb));
        qsort(by_kb, n, sizeof(*by_kb), by_kb_then_host);
        report_page page = {.incidents = r->incidents,
                            .by_kb = by_kb,
                            .nincidents = n,
                            .not_shown = r->not_shown,
                            .first_ms = r->first_ms,
                            .last_ms = r->last_ms,
                            .inputs = r->opts.inputs,
                            .ninputs = r->opts.ninputs};
        page.stats = r->stats;
        errno = 0;
        int rc = report_html_write(r->f, &page);
        if (fclose(r->f))
                rc = -1;
        if (rc)
                fprintf(stderr, "kbcorr replay: --report %s: %s\n",
                        r->opts.path,
                        errno ? strerror(errno) : "the page is too large");
        for (size_t i = 0; i < n; i++)
                incident_free(r->incidents[i]);
        free(r->incidents);
        free(by_kb);
        free(r);
        return rc;
}
