/*
 * json_ways.c - issue 16: the current JSON decode path against simdjson
 * On-Demand and a lazy scan, end to end on the real captures
 * (json_ways.h says what each way is).
 *
 *   bench_json_ways DIR [SECONDS]
 *   bench_json_ways --once WAY FILE [N]
 *
 * DIR holds the three captures decompressed (bench/json_ways.sh makes
 * it). First every record of each is decoded by kbc_decode and by each
 * prototype, and the events compared field by field: a difference, or a
 * record no way decodes as its format, exits 1. Records a prototype hands
 * back (JW_FALLBACK) are counted and, in the timed passes, decoded by
 * kbc_decode, as an integration would. Then per file, 5 rounds, the ways
 * interleaved within each round, each way's passes calibrated to about
 * SECONDS/5 (default 1 s in all); the table gives each way's median round
 * (events/s, MB/s of message bytes) and its ratio to the current path, as
 * bench_decode.c does.
 *
 * --once makes one pass over the first N (default all) records of FILE
 * with one way (current, simdjson, lazy), for callgrind:
 *   valgrind --tool=callgrind --toggle-collect=jw_pass_lazy \
 *     bench_json_ways --once lazy winlogbeat7-ecs.jsonl 500
 * counts the instructions of exactly N decodes (jw_pass_current,
 * jw_pass_simdjson, jw_pass_lazy).
 */
#define _GNU_SOURCE /* sched_getcpu, sched_setaffinity */
#include <errno.h>
#include <sched.h>

#define BENCH_NAME "bench_json_ways"
#include "json_ways.h"
#include "msglist.h"

#define ROUNDS 5

enum { CURRENT, SIMDJSON, LAZY, NWAYS };
static const char *const way_names[NWAYS] = {"current", "simdjson", "lazy"};

#ifndef JW_HAVE_SIMDJSON
/* Built without simdjson (libsimdjson-dev, a C++ compiler): that way is
 * left out of the table. */
jw_simdjson *jw_simdjson_new(size_t max_len)
{
        (void)max_len;
        return NULL;
}

void jw_simdjson_free(jw_simdjson *s)
{
        (void)s;
}
#endif

typedef struct ways {
        kbc_decoder *d; /* the current path, and the fallback */
        jw_simdjson *sj;
        jw_lazy *lz;
        size_t fallbacks[NWAYS];
} ways;

/* One message by one way; the format, or KBC_FMT_AUTO. */
static int decode_one(ways *w, int way, const char *m, size_t n, kbc_event *ev)
{
        int f = JW_FALLBACK;
        if (way == LAZY)
                f = jw_lazy_decode(w->lz, m, n, ev);
#ifdef JW_HAVE_SIMDJSON
        else if (way == SIMDJSON)
                f = jw_simdjson_decode(w->sj, m, n, ev);
#endif
        if (f != JW_FALLBACK)
                return f;
        if (way != CURRENT)
                w->fallbacks[way]++;
        char err[256];
        return (int)kbc_decode(w->d, KBC_FMT_AUTO, m, n, ev, err, sizeof(err));
}

/* The timed pass of each way, a function each so that callgrind can
 * count one alone. Returns the messages not decoded as l->format. */
#define PASS_FN(name, way)                                                     \
        __attribute__((noinline)) static size_t name(                          \
            ways *w, const msglist *l, size_t n, kbc_event *ev)                \
        {                                                                      \
                size_t bad = 0;                                                \
                for (size_t i = 0; i < n; i++)                                 \
                        bad += decode_one(w, way, l->data.data + l->off[i],    \
                                          l->len[i], ev) != (int)l->format;    \
                return bad;                                                    \
        }
PASS_FN(jw_pass_current, CURRENT)
PASS_FN(jw_pass_simdjson, SIMDJSON)
PASS_FN(jw_pass_lazy, LAZY)
#undef PASS_FN

static bool have(const ways *w, int way)
{
        return way != SIMDJSON || w->sj;
}

static size_t run_pass(ways *w, int way, const msglist *l, size_t n,
                       kbc_event *ev)
{
        switch (way) {
        case SIMDJSON:
                return jw_pass_simdjson(w, l, n, ev);
        case LAZY:
                return jw_pass_lazy(w, l, n, ev);
        default:
                return jw_pass_current(w, l, n, ev);
        }
}

static bool same_str(kbc_str a, kbc_str b)
{
        return kbc_str_eq(a, b);
}

/* The first part in which two events differ, or NULL. */
static const char *differs(const kbc_event *a, const kbc_event *b)
{
        if (a->time_ms != b->time_ms)
                return "time";
        if (!same_str(a->host, b->host))
                return "host";
        if (!same_str(a->channel, b->channel))
                return "channel";
        if (!same_str(a->provider, b->provider))
                return "provider";
        if (!same_str(a->level, b->level))
                return "level";
        if (!same_str(a->message, b->message))
                return "message";
        if (a->has_event_id != b->has_event_id || a->event_id != b->event_id)
                return "event id";
        if (a->has_record_id != b->has_record_id ||
            a->record_id != b->record_id)
                return "record id";
        if (a->nfields != b->nfields || a->fields_dropped != b->fields_dropped)
                return "number of fields";
        for (size_t i = 0; i < a->nfields; i++)
                if (!same_str(a->fields[i].name, b->fields[i].name) ||
                    !same_str(a->fields[i].value, b->fields[i].value))
                        return "a field";
        return NULL;
}

/* Every record of l by every way, compared with kbc_decode's event. */
static int check(ways *w, const msglist *l, kbc_event *ref, kbc_event *ev)
{
        char err[256];
        int status = 0;
        for (size_t i = 0; i < l->n; i++) {
                const char *m = l->data.data + l->off[i];
                kbc_format f = kbc_decode(w->d, KBC_FMT_AUTO, m, l->len[i], ref,
                                          err, sizeof(err));
                if (f != l->format) {
                        fprintf(stderr, "%s: %s record %zu: %s\n", BENCH_NAME,
                                l->name, i + 1, err);
                        return 1;
                }
                for (int way = SIMDJSON; way < NWAYS; way++) {
                        if (!have(w, way))
                                continue;
                        int g = JW_FALLBACK;
                        if (way == LAZY)
                                g = jw_lazy_decode(w->lz, m, l->len[i], ev);
#ifdef JW_HAVE_SIMDJSON
                        else
                                g = jw_simdjson_decode(w->sj, m, l->len[i], ev);
#endif
                        const char *what = g == JW_FALLBACK ? NULL
                                           : g != (int)f    ? "format"
                                                            : differs(ref, ev);
                        if (what && status++ < 5)
                                fprintf(stderr,
                                        "%s: %s record %zu: %s differs in "
                                        "%s\n",
                                        BENCH_NAME, l->name, i + 1,
                                        way_names[way], what);
                }
        }
        return status ? 1 : 0;
}

static void pin(void)
{
        cpu_set_t set;
        int cpu = sched_getcpu();
        CPU_ZERO(&set);
        CPU_SET(cpu < 0 ? 0 : cpu, &set);
        if (sched_setaffinity(0, sizeof(set), &set))
                fprintf(stderr, "%s: not pinned: %s\n", BENCH_NAME,
                        strerror(errno));
}

static int way_of(const char *name)
{
        for (int k = 0; k < NWAYS; k++)
                if (!strcmp(name, way_names[k]))
                        return k;
        die("unknown way %s (current, simdjson, lazy)", name);
        return -1;
}

/* Times every way on l, interleaved; prints one table row per way. */
static int measure(ways *w, const msglist *l, double seconds, kbc_event *ev)
{
        size_t repeat[NWAYS], bad = 0;
        double rate[NWAYS][ROUNDS];
        for (int k = 0; k < NWAYS; k++) {
                w->fallbacks[k] = 0;
                if (!have(w, k))
                        continue;
                double t0 = now();
                bad += run_pass(w, k, l, l->n, ev);
                double once = now() - t0;
                repeat[k] =
                    (size_t)(seconds / ROUNDS / (once > 1e-6 ? once : 1e-6));
                if (repeat[k] < 1)
                        repeat[k] = 1;
        }
        size_t fb[NWAYS];
        memcpy(fb, w->fallbacks, sizeof(fb));
        for (int r = 0; r < ROUNDS; r++)
                for (int k = 0; k < NWAYS; k++) {
                        if (!have(w, k))
                                continue;
                        double t0 = now();
                        for (size_t p = 0; p < repeat[k]; p++)
                                bad += run_pass(w, k, l, l->n, ev);
                        rate[k][r] = (double)(repeat[k] * l->n) / (now() - t0);
                }
        double avg = (double)l->data.len / (double)l->n, base = 0;
        for (int k = 0; k < NWAYS; k++) {
                if (!have(w, k))
                        continue;
                qsort(rate[k], ROUNDS, sizeof(double), cmp_double);
                double med = rate[k][ROUNDS / 2];
                if (k == CURRENT)
                        base = med;
                printf("| %s | %s | %.0f | %.0f | %.2f | %zu | %zux%zu | "
                       "%.0f%% |\n",
                       l->name, way_names[k], med, med * avg / 1e6, med / base,
                       fb[k], (size_t)ROUNDS, repeat[k],
                       100.0 * (rate[k][ROUNDS - 1] - rate[k][0]) / med);
        }
        fflush(stdout);
        return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
        static const struct {
                const char *file, *name;
                kbc_format format;
        } files[] = {
            {"winlogbeat7-ecs.jsonl", "Winlogbeat 7", KBC_FMT_WINLOGBEAT},
            {"winlogbeat6-kafka.jsonl", "Winlogbeat 6", KBC_FMT_WINLOGBEAT6},
            {"nxlog-wec-kafka.jsonl", "NXLog", KBC_FMT_NXLOG},
        };
        enum { NFILES = sizeof(files) / sizeof(files[0]) };
        ways w = {kbc_decoder_new(),
                  jw_simdjson_new(KBC_DECODE_MAX_MESSAGE),
                  jw_lazy_new(KBC_DECODE_MAX_MESSAGE),
                  {0}};
        kbc_event *ev = calloc(1, sizeof(*ev)), *ref = calloc(1, sizeof(*ref));
        if (!w.d || !w.lz || !ev || !ref)
                die("%s", "out of memory");
        pin();

        if (argc >= 4 && !strcmp(argv[1], "--once")) {
                int way = way_of(argv[2]);
                if (!have(&w, way))
                        die("%s", "built without simdjson");
                msglist l;
                list_init(&l, argv[3], KBC_FMT_AUTO);
                load_lines(&l, ".", argv[3]);
                for (int k = 0; k < NFILES; k++)
                        if (strstr(argv[3], files[k].file))
                                l.format = files[k].format;
                size_t n = argc > 4 ? strtoul(argv[4], NULL, 10) : l.n;
                size_t bad = run_pass(&w, way, &l, n < l.n ? n : l.n, ev);
                printf("%s %s: %zu records, %zu not decoded, %zu handed "
                       "back\n",
                       way_names[way], argv[3], n < l.n ? n : l.n, bad,
                       w.fallbacks[way]);
                return bad ? 1 : 0;
        }
        if (argc < 2)
                die("%s", "usage: bench_json_ways DIR [SECONDS] | --once WAY "
                          "FILE [N]");
        double seconds = argc > 2 ? atof(argv[2]) : 1.0;
        if (!(seconds > 0))
                die("bad SECONDS %s", argv[2]);

        int status = 0;
        printf("| format | way | events/s | MB/s | x current | handed back "
               "| passes | spread |\n|---|---|--:|--:|--:|--:|--:|--:|\n");
        for (int k = 0; k < NFILES; k++) {
                msglist l;
                list_init(&l, files[k].name, files[k].format);
                load_lines(&l, argv[1], files[k].file);
                if (check(&w, &l, ref, ev))
                        status = 1;
                else if (measure(&w, &l, seconds, ev))
                        status = 1;
                list_free(&l);
        }
        free(ev);
        free(ref);
        kbc_decoder_free(w.d);
        jw_simdjson_free(w.sj);
        jw_lazy_free(w.lz);
        return status;
}
