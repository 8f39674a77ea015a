/*
 * bench_prefilter.c - the literal prefilter against the alternatives issue
 * 5 names, on the same literals and the same messages, one core.
 *
 *   bench_prefilter [-s SECONDS] [-p PASSES] [-n MESSAGES] RULES_DIR DIR
 *
 * The literals are every signal's required literal (signal->literal, as
 * the matcher's index sets it) of the rule set in RULES_DIR, by signal
 * index. The messages are those of the three real captures in DIR
 * (winlogbeat7-ecs.jsonl, winlogbeat6-kafka.jsonl, nxlog-wec-kafka.jsonl;
 * bench/bench_prefilter.sh makes it), decoded with kbc_decode and taken as
 * match.c takes them (the message, else the EventData values joined by
 * spaces), then normalized with kbc_prefilter_normalize before any timing.
 *
 * Methods, each giving the set of literal ids found in a message:
 *   ours        kbc_prefilter_scan (rules/prefilter.c)
 *   vectorscan  hs_compile_lit_multi, HS_FLAG_SINGLEMATCH, block mode,
 *               one scratch, hs_scan per message
 *   aho-corasick  the textbook automaton below: a trie over the literals'
 *               bytes with failure and output links, dense rows for the
 *               nodes with many children
 * First every method scans every message once and its sets must equal
 * ours (exit 1 otherwise). Then 5 rounds, interleaved across methods, of
 * passes over all messages, calibrated to SECONDS/5 per method and round
 * (default 1 s in all) or fixed at PASSES (one build each; for callgrind:
 * --toggle-collect=scan_ours, scan_hs, scan_ac). The table gives the
 * median round; MB/s is 10^6 normalized bytes per second. Build time is
 * the median of 3 builds; memory is what the built structure holds on the
 * heap (glibc mallinfo2 before and after, so vectorscan's database and
 * scratch included; ours references the literals, which live in the rule
 * set anyway). -n keeps every k-th message, about MESSAGES in all. A
 * last line times kbc_prefilter_normalize alone on the raw texts, the
 * step every method needs first.
 */
#define _GNU_SOURCE /* sched_getcpu, sched_setaffinity */
#include <errno.h>
#include <hs.h>
#include <malloc.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kbc_decode.h"
#include "prefilter.h"
#include "rule_internal.h"

#define ROUNDS 5
#define BUILDS 3
/* Children from which an automaton node gets a dense row. Measured on the
 * KB corpus (messages/s): 1 (a row per inner node, 327 MB) 65 k, 2 73 k,
 * 4 69 k, 8 62 k, 32 27 k; rows do not spare the failure links, and past
 * L2 they cost more than the short sibling walks they replace. */
#define AC_WIDE 2

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "bench_prefilter: ");
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
        exit(2);
}

static void *xcalloc(size_t n, size_t size)
{
        void *p = calloc(n ? n : 1, size);
        if (!p)
                die("%s", "out of memory");
        return p;
}

static void *xrealloc(void *p, size_t size)
{
        p = realloc(p, size);
        if (!p)
                die("%s", "out of memory");
        return p;
}

static double now(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static size_t heap_used(void)
{
        struct mallinfo2 mi = mallinfo2();
        return mi.uordblks + mi.hblkhd;
}

/* ---- the messages ------------------------------------------------------ */

typedef struct msgs {
        kbc_buf text; /* normalized messages, back to back */
        kbc_buf raw;  /* the same before normalization */
        size_t *off, *len, *raw_off, *raw_len;
        size_t n, cap;
} msgs;

static void msgs_add(msgs *m, kbc_str raw, const kbc_buf *norm)
{
        if (m->n == m->cap) {
                m->cap = m->cap ? 2 * m->cap : 4096;
                m->off = xrealloc(m->off, m->cap * sizeof(*m->off));
                m->len = xrealloc(m->len, m->cap * sizeof(*m->len));
                m->raw_off = xrealloc(m->raw_off, m->cap * sizeof(*m->raw_off));
                m->raw_len = xrealloc(m->raw_len, m->cap * sizeof(*m->raw_len));
        }
        m->off[m->n] = m->text.len;
        m->len[m->n] = norm->len;
        m->raw_off[m->n] = m->raw.len;
        m->raw_len[m->n] = raw.len;
        m->n++;
        if (kbc_buf_append(&m->text, norm->data, norm->len) ||
            kbc_buf_append(&m->raw, raw.ptr, raw.len))
                die("%s", "messages: out of memory");
}

/* Decodes each line of DIR/file and adds its normalized message text. */
static size_t load_messages(msgs *m, const char *dir, const char *file,
                            kbc_decoder *d, kbc_event *ev)
{
        char path[4096], err[256];
        snprintf(path, sizeof(path), "%s/%s", dir, file);
        FILE *f = fopen(path, "r");
        if (!f)
                die("cannot open %s", path);
        kbc_buf joined, norm;
        kbc_buf_init(&joined, 1 << 24);
        kbc_buf_init(&norm, 1 << 24);
        char *line = NULL;
        size_t cap = 0, errors = 0;
        ssize_t n;
        while ((n = getline(&line, &cap, f)) > 0) {
                while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                        n--;
                if (!n)
                        continue;
                kbc_event_reset(ev);
                if (kbc_decode(d, KBC_FMT_AUTO, line, (size_t)n, ev, err,
                               sizeof(err)) == KBC_FMT_AUTO) {
                        errors++;
                        continue;
                }
                /* match.c's message_text */
                kbc_str text = ev->message;
                if (!text.len) {
                        kbc_buf_reset(&joined);
                        for (size_t i = 0; i < ev->nfields; i++) {
                                if (i)
                                        kbc_buf_putc(&joined, ' ');
                                kbc_buf_append(&joined, ev->fields[i].value.ptr,
                                               ev->fields[i].value.len);
                        }
                        text = kbc_str_make(joined.data, joined.len);
                }
                kbc_prefilter_normalize(text.ptr, text.len, &norm);
                msgs_add(m, text, &norm);
        }
        free(line);
        fclose(f);
        kbc_buf_free(&joined);
        kbc_buf_free(&norm);
        return errors;
}

/* ---- Aho-Corasick ------------------------------------------------------ */

typedef struct ac_node {
        uint32_t fail;
        uint32_t out; /* itself or the nearest node down its failure links
                       * where a literal ends; 0 = none */
        uint32_t child, sibling; /* children in byte order; 0 = none */
        uint32_t row;            /* 1 + its dense row, or 0 */
        uint32_t ids, nids;      /* literals ending here: ac->ids[ids..] */
        uint8_t cls;             /* the byte class leading here */
} ac_node;

typedef struct ac {
        ac_node *nodes; /* 0 is the root */
        size_t nnodes, cap, nrows;
        uint32_t *rows; /* nclasses + 1 children per row */
        uint32_t *ids;
        uint8_t cls[256]; /* 0 = in no literal: back to the root */
        unsigned nclasses;
} ac;

static const char *const *sort_literals;

static int by_literal(const void *a, const void *b)
{
        uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
        int c = strcmp(sort_literals[x], sort_literals[y]);
        return c ? c : (x > y) - (x < y);
}

static uint32_t ac_new(ac *a, uint8_t cls)
{
        if (a->nnodes == a->cap) {
                a->cap = a->cap ? 2 * a->cap : 1024;
                a->nodes = xrealloc(a->nodes, a->cap * sizeof(*a->nodes));
        }
        a->nodes[a->nnodes] = (ac_node){.cls = cls};
        return (uint32_t)a->nnodes++;
}

static uint32_t ac_go(const ac *a, uint32_t s, unsigned c)
{
        const ac_node *n = &a->nodes[s];
        if (n->row)
                return a->rows[(size_t)(n->row - 1) * (a->nclasses + 1) + c];
        for (uint32_t v = n->child; v; v = a->nodes[v].sibling)
                if (a->nodes[v].cls >= c)
                        return a->nodes[v].cls == c ? v : 0;
        return 0;
}

static ac *ac_build(const char *const *literals, size_t n)
{
        ac *a = xcalloc(1, sizeof(*a));
        uint32_t *order = xcalloc(n, sizeof(*order));
        size_t m = 0, maxlen = 0;
        bool seen[256] = {false};
        for (size_t i = 0; i < n; i++) {
                if (!literals[i])
                        continue;
                order[m++] = (uint32_t)i;
                if (strlen(literals[i]) > maxlen)
                        maxlen = strlen(literals[i]);
                for (const char *p = literals[i]; *p; p++)
                        seen[(unsigned char)*p] = true;
        }
        for (int c = 0; c < 256; c++) /* classes in byte order */
                a->cls[c] = seen[c] ? (uint8_t)++a->nclasses : 0;
        sort_literals = literals;
        qsort(order, m, sizeof(*order), by_literal);

        /* The trie, from the sorted literals: each shares its prefix with
         * the one before, and its new nodes come after all their older
         * siblings, so sibling lists are in byte order for free. */
        a->ids = xcalloc(m, sizeof(*a->ids));
        ac_new(a, 0);
        uint32_t *path = xcalloc(maxlen + 1, sizeof(*path));
        const char *prev = "";
        size_t plen = 0;
        for (size_t k = 0; k < m; k++) {
                const char *lit = literals[order[k]];
                size_t len = strlen(lit), d = 0;
                while (d < plen && d < len && lit[d] == prev[d])
                        d++;
                /* The first new node is the next sibling of the previous
                 * literal's node at that depth; the others, first
                 * children. */
                for (size_t lcp = d; d < len; d++) {
                        uint32_t v = ac_new(a, a->cls[(unsigned char)lit[d]]);
                        if (d == lcp && d < plen)
                                a->nodes[path[d + 1]].sibling = v;
                        else
                                a->nodes[path[d]].child = v;
                        path[d + 1] = v;
                }
                ac_node *t = &a->nodes[path[len]];
                if (!t->nids++)
                        t->ids = (uint32_t)k;
                a->ids[k] = order[k];
                prev = lit;
                plen = len;
        }
        free(order);
        free(path);
        a->nodes = xrealloc(a->nodes, a->nnodes * sizeof(*a->nodes));

        for (size_t s = 0; s < a->nnodes; s++) {
                size_t kids = 0;
                for (uint32_t v = a->nodes[s].child; v; v = a->nodes[v].sibling)
                        kids++;
                if (s == 0 || kids >= AC_WIDE)
                        a->nodes[s].row = (uint32_t)++a->nrows;
        }
        size_t width = a->nclasses + 1;
        a->rows = xcalloc(a->nrows * width, sizeof(*a->rows));
        for (size_t s = 0; s < a->nnodes; s++)
                for (uint32_t v = a->nodes[s].child; a->nodes[s].row && v;
                     v = a->nodes[v].sibling)
                        a->rows[(a->nodes[s].row - 1) * width +
                                a->nodes[v].cls] = v;

        /* Failure links breadth first: a node's failure is found from its
         * parent's, which is shallower and thus already set. */
        uint32_t *queue = xcalloc(a->nnodes, sizeof(*queue));
        size_t head = 0, tail = 1;
        while (head < tail) {
                uint32_t u = queue[head++];
                for (uint32_t v = a->nodes[u].child; v;
                     v = a->nodes[v].sibling) {
                        queue[tail++] = v;
                        uint32_t f = 0;
                        for (uint32_t x = a->nodes[u].fail; u;
                             x = a->nodes[x].fail) {
                                f = ac_go(a, x, a->nodes[v].cls);
                                if (f || !x)
                                        break;
                        }
                        a->nodes[v].fail = f;
                        a->nodes[v].out =
                            a->nodes[v].nids ? v : a->nodes[f].out;
                }
        }
        free(queue);
        return a;
}

static void ac_free(ac *a)
{
        free(a->nodes);
        free(a->rows);
        free(a->ids);
        free(a);
}

static size_t ac_scan(const ac *a, const char *text, size_t len,
                      uint32_t *marks, uint32_t stamp, uint32_t *found)
{
        size_t nfound = 0;
        uint32_t s = 0;
        for (size_t i = 0; i < len; i++) {
                unsigned c = a->cls[(unsigned char)text[i]];
                if (!c) {
                        s = 0;
                        continue;
                }
                uint32_t g;
                while (!(g = ac_go(a, s, c)) && s)
                        s = a->nodes[s].fail;
                s = g;
                for (uint32_t o = a->nodes[s].out; o;
                     o = a->nodes[a->nodes[o].fail].out) {
                        const ac_node *t = &a->nodes[o];
                        for (uint32_t k = t->ids; k < t->ids + t->nids; k++) {
                                uint32_t id = a->ids[k];
                                if (marks[id] == stamp)
                                        continue;
                                marks[id] = stamp;
                                found[nfound++] = id;
                        }
                }
        }
        return nfound;
}

/* ---- the methods, behind one interface --------------------------------- */

typedef struct scratch {
        uint32_t *marks; /* by literal id: == stamp once found */
        uint32_t stamp;
        uint32_t *found; /* ids found in the message, nids at most */
        size_t nids, nfound;
} scratch;

static uint32_t next_stamp(scratch *s)
{
        if (++s->stamp == 0) { /* wrapped: as match.c does */
                memset(s->marks, 0, s->nids * sizeof(*s->marks));
                s->stamp = 1;
        }
        return s->stamp;
}

typedef struct method {
        const char *name;
        void *(*build)(const char *const *literals, size_t n);
        void (*destroy)(void *built);
        size_t (*scan)(const void *built, scratch *s, const char *text,
                       size_t len);
        void *built;
        double build_s;
        size_t memory;
        size_t hits; /* per pass */
        unsigned long repeat;
        double rate[ROUNDS];
} method;

static void *build_ours(const char *const *literals, size_t n)
{
        return kbc_prefilter_build(literals, n);
}

static void free_ours(void *built)
{
        kbc_prefilter_free(built);
}

/* The scan_* functions are what callgrind counts (--toggle-collect). */
static __attribute__((noinline)) size_t scan_ours(const void *built, scratch *s,
                                                  const char *text, size_t len)
{
        return kbc_prefilter_scan(built, text, len, s->marks, next_stamp(s),
                                  s->found);
}

typedef struct hs_built {
        hs_database_t *db;
        hs_scratch_t *scratch;
} hs_built;

static void *build_hs(const char *const *literals, size_t n)
{
        const char **exprs = xcalloc(n, sizeof(*exprs));
        unsigned *flags = xcalloc(n, sizeof(*flags));
        unsigned *ids = xcalloc(n, sizeof(*ids));
        size_t *lens = xcalloc(n, sizeof(*lens));
        unsigned m = 0;
        for (size_t i = 0; i < n; i++) {
                if (!literals[i])
                        continue;
                exprs[m] = literals[i];
                flags[m] = HS_FLAG_SINGLEMATCH; /* a set, as ours gives */
                ids[m] = (unsigned)i;
                lens[m] = strlen(literals[i]);
                m++;
        }
        hs_built *h = xcalloc(1, sizeof(*h));
        hs_compile_error_t *err = NULL;
        if (hs_compile_lit_multi(exprs, flags, ids, lens, m, HS_MODE_BLOCK,
                                 NULL, &h->db, &err) != HS_SUCCESS)
                die("vectorscan: literal %d: %s", err->expression,
                    err->message);
        if (hs_alloc_scratch(h->db, &h->scratch) != HS_SUCCESS)
                die("%s", "vectorscan: no scratch");
        free(exprs);
        free(flags);
        free(ids);
        free(lens);
        return h;
}

static void free_hs(void *built)
{
        hs_built *h = built;
        hs_free_scratch(h->scratch);
        hs_free_database(h->db);
        free(h);
}

static int on_match(unsigned int id, unsigned long long from,
                    unsigned long long to, unsigned int flags, void *ctx)
{
        scratch *s = ctx;
        (void)from;
        (void)to;
        (void)flags;
        if (s->nfound == s->nids)
                return 1; /* more than one match per id: stop, fail */
        s->found[s->nfound++] = id;
        return 0;
}

static __attribute__((noinline)) size_t scan_hs(const void *built, scratch *s,
                                                const char *text, size_t len)
{
        const hs_built *h = built;
        s->nfound = 0;
        if (hs_scan(h->db, text, (unsigned)len, 0, h->scratch, on_match, s) !=
            HS_SUCCESS)
                die("%s", "vectorscan: hs_scan failed");
        return s->nfound;
}

static void *build_ac(const char *const *literals, size_t n)
{
        return ac_build(literals, n);
}

static void free_ac(void *built)
{
        ac_free(built);
}

static __attribute__((noinline)) size_t scan_ac(const void *built, scratch *s,
                                                const char *text, size_t len)
{
        return ac_scan(built, text, len, s->marks, next_stamp(s), s->found);
}

static size_t pass(const method *m, scratch *s, const msgs *ms)
{
        size_t hits = 0;
        for (size_t i = 0; i < ms->n; i++)
                hits += m->scan(m->built, s, ms->text.data + ms->off[i],
                                ms->len[i]);
        return hits;
}

/* Normalization comes before any method: its cost, to set theirs against. */
static void normalize_pass(const msgs *ms, kbc_buf *out)
{
        for (size_t i = 0; i < ms->n; i++)
                kbc_prefilter_normalize(ms->raw.data + ms->raw_off[i],
                                        ms->raw_len[i], out);
}

/* ---- the check ----------------------------------------------------------- */

static int cmp_u32(const void *a, const void *b)
{
        uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
        return (x > y) - (x < y);
}

static void report_diff(const char *name, size_t msg, const uint32_t *ref,
                        size_t nref, const uint32_t *got, size_t ngot,
                        const char *const *literals)
{
        size_t i = 0, k = 0;
        while (i < nref && k < ngot && ref[i] == got[k])
                i++, k++;
        bool in_ours = k == ngot || (i < nref && ref[i] < got[k]);
        uint32_t id = in_ours ? ref[i] : got[k];
        fprintf(stderr,
                "bench_prefilter: message %zu: ours found %zu literals, %s "
                "%zu; literal %u \"%s\" only in %s\n",
                msg, nref, name, ngot, id, literals[id],
                in_ours ? "ours" : name);
}

/* Every message once through every method; the sets must equal ours
 * (methods[0]). Sets each method's hits per pass; returns the number of
 * messages where some method differs. */
static size_t check(method *methods, size_t nmethods, scratch *s,
                    const msgs *ms, const char *const *literals,
                    size_t *with_hit)
{
        uint32_t *ref = xcalloc(s->nids, sizeof(*ref));
        size_t diffs = 0;
        for (size_t i = 0; i < ms->n; i++) {
                const char *text = ms->text.data + ms->off[i];
                size_t nref =
                    methods[0].scan(methods[0].built, s, text, ms->len[i]);
                memcpy(ref, s->found, nref * sizeof(*ref));
                qsort(ref, nref, sizeof(*ref), cmp_u32);
                methods[0].hits += nref;
                *with_hit += nref > 0;
                bool differs = false;
                for (size_t k = 1; k < nmethods; k++) {
                        method *m = &methods[k];
                        size_t n = m->scan(m->built, s, text, ms->len[i]);
                        qsort(s->found, n, sizeof(*s->found), cmp_u32);
                        m->hits += n;
                        if (n == nref &&
                            !memcmp(ref, s->found, n * sizeof(*ref)))
                                continue;
                        if (diffs < 10)
                                report_diff(m->name, i, ref, nref, s->found, n,
                                            literals);
                        differs = true;
                }
                diffs += differs;
        }
        free(ref);
        return diffs;
}

/* ---- main ---------------------------------------------------------------- */

static void print_diag(void *opaque, const char *msg)
{
        (void)opaque;
        fprintf(stderr, "bench_prefilter: %s\n", msg);
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return (x > y) - (x < y);
}

/* Messages normalized per second: the median of 5 rounds, as below. */
static double normalize_rate(const msgs *ms, double seconds,
                             unsigned long fixed)
{
        kbc_buf out;
        kbc_buf_init(&out, 1 << 24);
        double t0 = now(), rate[ROUNDS];
        normalize_pass(ms, &out);
        double once = now() - t0;
        unsigned long repeat =
            fixed ? fixed
                  : (unsigned long)(seconds / ROUNDS /
                                    (once > 1e-6 ? once : 1e-6));
        if (repeat < 1)
                repeat = 1;
        for (int r = 0; r < ROUNDS; r++) {
                t0 = now();
                for (unsigned long p = 0; p < repeat; p++)
                        normalize_pass(ms, &out);
                rate[r] = (double)(repeat * ms->n) / (now() - t0);
        }
        kbc_buf_free(&out);
        qsort(rate, ROUNDS, sizeof(rate[0]), cmp_double);
        return rate[ROUNDS / 2];
}

int main(int argc, char **argv)
{
        double seconds = 1.0;
        unsigned long fixed = 0;
        size_t want = 0;
        int opt;
        while ((opt = getopt(argc, argv, "s:p:n:")) != -1) {
                if (opt == 's' && (seconds = atof(optarg)) > 0)
                        continue;
                if (opt == 'p' && (fixed = strtoul(optarg, NULL, 10)) > 0)
                        continue;
                if (opt == 'n' && (want = strtoul(optarg, NULL, 10)) > 0)
                        continue;
                die("%s", "usage: bench_prefilter [-s SECONDS] [-p PASSES] "
                          "[-n MESSAGES] RULES_DIR DIR");
        }
        if (argc - optind != 2)
                die("%s", "usage: bench_prefilter [-s SECONDS] [-p PASSES] "
                          "[-n MESSAGES] RULES_DIR DIR");
        const char *rules_dir = argv[optind], *dir = argv[optind + 1];

        cpu_set_t set;
        int cpu = sched_getcpu();
        CPU_ZERO(&set);
        CPU_SET(cpu < 0 ? 0 : cpu, &set);
        if (sched_setaffinity(0, sizeof(set), &set))
                fprintf(stderr, "bench_prefilter: not pinned: %s\n",
                        strerror(errno));

        /* The literals by signal index, as the matcher's index has them. */
        kbc_ruleset *rs = kbc_ruleset_load(&rules_dir, 1, print_diag, NULL);
        if (!rs)
                die("cannot load the rules of %s", rules_dir);
        size_t nids = rs->nsignals, nlit = 0, litbytes = 0;
        const char **literals = xcalloc(nids, sizeof(*literals));
        for (size_t r = 0; r < rs->nrules; r++)
                for (size_t k = 0; k < rs->rules[r].nsignals; k++) {
                        const kbc_signal *sig = &rs->rules[r].signals[k];
                        literals[sig->gindex] = sig->literal;
                        nlit += sig->literal != NULL;
                        litbytes += sig->literal ? strlen(sig->literal) : 0;
                }

        msgs ms = {.n = 0};
        kbc_buf_init(&ms.text, (size_t)1 << 32);
        kbc_buf_init(&ms.raw, (size_t)1 << 32);
        kbc_decoder *d = kbc_decoder_new();
        kbc_event *ev = calloc(1, sizeof(*ev));
        if (!d || !ev)
                die("%s", "out of memory");
        static const char *const files[] = {"winlogbeat7-ecs.jsonl",
                                            "winlogbeat6-kafka.jsonl",
                                            "nxlog-wec-kafka.jsonl"};
        size_t errors = 0;
        for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++)
                errors += load_messages(&ms, dir, files[f], d, ev);
        kbc_decoder_free(d);
        free(ev);
        if (want && want < ms.n) { /* every k-th: the same mix, fewer */
                size_t k = (ms.n + want - 1) / want, j = 0;
                for (size_t i = 0; i < ms.n; i += k, j++) {
                        ms.off[j] = ms.off[i];
                        ms.len[j] = ms.len[i];
                        ms.raw_off[j] = ms.raw_off[i];
                        ms.raw_len[j] = ms.raw_len[i];
                }
                ms.n = j;
        }
        size_t bytes = 0, raw_bytes = 0;
        for (size_t i = 0; i < ms.n; i++) {
                bytes += ms.len[i];
                raw_bytes += ms.raw_len[i];
        }
        if (!ms.n)
                die("no messages in %s", dir);

        method methods[] = {
            {.name = "ours",
             .build = build_ours,
             .destroy = free_ours,
             .scan = scan_ours},
            {.name = "vectorscan",
             .build = build_hs,
             .destroy = free_hs,
             .scan = scan_hs},
            {.name = "aho-corasick",
             .build = build_ac,
             .destroy = free_ac,
             .scan = scan_ac},
        };
        enum { NMETHODS = sizeof(methods) / sizeof(methods[0]) };
        for (size_t k = 0; k < NMETHODS; k++) {
                method *m = &methods[k];
                double t[BUILDS];
                int builds = fixed ? 1 : BUILDS;
                for (int b = 0; b < builds; b++) {
                        size_t before = heap_used();
                        double t0 = now();
                        void *built = m->build(literals, nids);
                        t[b] = now() - t0;
                        if (!built)
                                die("%s: build failed", m->name);
                        m->memory = heap_used() - before;
                        if (b + 1 < builds)
                                m->destroy(built);
                        else
                                m->built = built;
                }
                qsort(t, (size_t)builds, sizeof(t[0]), cmp_double);
                m->build_s = t[builds / 2];
        }

        scratch s = {.nids = nids};
        s.marks = xcalloc(nids, sizeof(*s.marks));
        s.found = xcalloc(nids, sizeof(*s.found));
        size_t with_hit = 0;
        size_t diffs = check(methods, NMETHODS, &s, &ms,
                             (const char *const *)literals, &with_hit);

        const hs_built *h = methods[1].built;
        const ac *a = methods[2].built;
        size_t dbsize = 0, scrsize = 0, distinct = 0;
        hs_database_size(h->db, &dbsize);
        hs_scratch_size(h->scratch, &scrsize);
        for (size_t i = 0; i < a->nnodes; i++)
                distinct += a->nodes[i].nids > 0;
        printf("%zu rules, %zu signals; %zu literals (%zu distinct), %zu "
               "bytes\n",
               rs->nrules, nids, nlit, distinct, litbytes);
        printf("%zu messages (%zu not decoded), %zu normalized bytes, %.0f "
               "bytes/message; %zu with a literal\n",
               ms.n, errors, bytes, (double)bytes / (double)ms.n, with_hit);
        const char *version = hs_version(); /* "5.4.9 2023-..." */
        printf("vectorscan %.*s: database %zu bytes, scratch %zu bytes\n",
               (int)strcspn(version, " "), version, dbsize, scrsize);
        printf("aho-corasick: %zu nodes, %u byte classes, %zu dense rows\n",
               a->nnodes, a->nclasses, a->nrows);
        printf("check: %zu messages where a method's set differs from "
               "ours\n\n",
               diffs);
        fflush(stdout);

        for (size_t k = 0; k < NMETHODS; k++) { /* warm-up, calibration */
                method *m = &methods[k];
                double t0 = now();
                pass(m, &s, &ms);
                double once = now() - t0;
                m->repeat = fixed
                                ? fixed
                                : (unsigned long)(seconds / ROUNDS /
                                                  (once > 1e-6 ? once : 1e-6));
                if (m->repeat < 1)
                        m->repeat = 1;
        }
        int status = diffs ? 1 : 0;
        for (int r = 0; r < ROUNDS; r++)
                for (size_t k = 0; k < NMETHODS; k++) {
                        method *m = &methods[k];
                        size_t hits = 0;
                        double t0 = now();
                        for (unsigned long p = 0; p < m->repeat; p++)
                                hits += pass(m, &s, &ms);
                        m->rate[r] = (double)(m->repeat * ms.n) / (now() - t0);
                        if (hits != m->repeat * m->hits) {
                                fprintf(stderr,
                                        "bench_prefilter: %s: %zu hits in "
                                        "round %d, expected %zu\n",
                                        m->name, hits, r, m->repeat * m->hits);
                                status = 1;
                        }
                }

        double norm_rate = normalize_rate(&ms, seconds, fixed);
        printf("normalize, before any method: %zu raw bytes, %.0f "
               "messages/s, %.0f MB/s, %.0f ns/message\n\n",
               raw_bytes, norm_rate,
               norm_rate * (double)raw_bytes / (double)ms.n / 1e6,
               1e9 / norm_rate);

        printf("| method | build ms | memory MB | messages/s | MB/s | "
               "ns/message | literal hits/pass | passes | spread |\n"
               "|---|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        for (size_t k = 0; k < NMETHODS; k++) {
                method *m = &methods[k];
                qsort(m->rate, ROUNDS, sizeof(m->rate[0]), cmp_double);
                double med = m->rate[ROUNDS / 2];
                printf("| %s | %.1f | %.1f | %.0f | %.0f | %.0f | %zu | "
                       "%dx%lu | %.0f%% |\n",
                       m->name, m->build_s * 1e3, (double)m->memory / 1e6, med,
                       med * (double)bytes / (double)ms.n / 1e6, 1e9 / med,
                       m->hits, ROUNDS, m->repeat,
                       100.0 * (m->rate[ROUNDS - 1] - m->rate[0]) / med);
                m->destroy(m->built);
        }
        free(s.marks);
        free(s.found);
        free(literals);
        free(ms.off);
        free(ms.len);
        free(ms.raw_off);
        free(ms.raw_len);
        kbc_buf_free(&ms.raw);
        kbc_buf_free(&ms.text);
        kbc_ruleset_free(rs);
        return status;
}
