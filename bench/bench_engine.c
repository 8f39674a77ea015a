/*
 * bench_engine.c - correlation engine throughput on one core (issue 5).
 *
 *   bench_engine RULES_DIR MIN_EVENTS FILE...
 *
 * FILE... are JSON lines of real captures (any mix of formats; detected
 * per line, as the pipeline does). Each line is decoded into an owned
 * copy up front, because a decoded event's views die with the decoder's
 * next call. The copies are fed to one engine R times, R = ceil(MIN_EVENTS
 * / decoded events), and copy c has its time moved forward by c * (span
 * of the data + 1 day) so that each host's event time keeps advancing (an
 * unshifted repeat would all be late). Only kbc_engine_feed over that
 * sequence and the final kbc_engine_flush are timed, with CLOCK_MONOTONIC
 * (and CLOCK_PROCESS_CPUTIME_ID beside it); the process is pinned to the
 * CPU it starts on.
 *
 * Decoding is timed apart, before: the same R passes over the raw lines
 * through kbc_decode alone. e2e = decode + engine time for the same
 * events; the phases run one after the other, which is slightly kinder to
 * caches than interleaving them (`kbcorr replay` gives that figure).
 *
 * Output: key=value lines on stdout (bench/bench_engine.sh makes the
 * table). store_mb is the resident size before the rules are loaded,
 * mostly the decoded copies, which a streaming consumer does not hold;
 * peak_rss_mb (getrusage ru_maxrss) includes it. tracked_hosts are the
 * hosts with at least one matching event.
 */
#define _GNU_SOURCE /* sched_getcpu, sched_setaffinity */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "kbc_arena.h"
#include "kbc_decode.h"
#include "kbc_engine.h"
#include "kbc_time.h"

#define DAY_MS (24 * 60 * 60 * 1000LL)

/* A decoded event whose strings live in the bench's arena. */
typedef struct owned_event {
        int64_t time_ms;
        kbc_str host, channel, provider, level, message;
        uint32_t event_id;
        bool has_event_id, has_record_id;
        uint64_t record_id;
        size_t nfields, fields_dropped;
        kbc_field *fields;
        kbc_origin origin;
} owned_event;

/* The raw lines of every file, back to back, kept only for decoding. */
typedef struct lines {
        kbc_buf data;
        size_t *off, *len;
        const char **file;
        size_t *lineno;
        size_t n, cap;
} lines;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "bench_engine: ");
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
        exit(2);
}

static void *xrealloc(void *p, size_t size)
{
        p = realloc(p, size);
        if (!p)
                die("%s", "out of memory");
        return p;
}

/* Called for each non-empty line of a file, without its line end. */
typedef void line_fn(void *ctx, const char *file, size_t lineno, const char *s,
                     size_t len);

static void read_lines(const char *path, line_fn *fn, void *ctx)
{
        FILE *f = fopen(path, "r");
        if (!f)
                die("cannot open %s: %s", path, strerror(errno));
        char *line = NULL;
        size_t cap = 0, lineno = 0;
        ssize_t n;
        while ((n = getline(&line, &cap, f)) > 0) {
                lineno++;
                while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                        n--;
                if (n)
                        fn(ctx, path, lineno, line, (size_t)n);
        }
        free(line);
        fclose(f);
}

static void lines_add(void *ctx, const char *file, size_t lineno, const char *s,
                      size_t len)
{
        lines *l = ctx;
        if (l->n == l->cap) {
                l->cap = l->cap ? 2 * l->cap : 4096;
                l->off = xrealloc(l->off, l->cap * sizeof(*l->off));
                l->len = xrealloc(l->len, l->cap * sizeof(*l->len));
                l->file = xrealloc(l->file, l->cap * sizeof(*l->file));
                l->lineno = xrealloc(l->lineno, l->cap * sizeof(*l->lineno));
        }
        l->off[l->n] = l->data.len;
        l->len[l->n] = len;
        l->file[l->n] = file;
        l->lineno[l->n] = lineno;
        if (kbc_buf_append(&l->data, s, len))
                die("%s: input too large", file);
        l->n++;
}

static void lines_free(lines *l)
{
        kbc_buf_free(&l->data);
        free(l->off);
        free(l->len);
        free(l->file);
        free(l->lineno);
}

static void own(kbc_arena *a, owned_event *o, const kbc_event *ev)
{
        o->time_ms = ev->time_ms;
        o->host = kbc_arena_str(a, ev->host);
        o->channel = kbc_arena_str(a, ev->channel);
        o->provider = kbc_arena_str(a, ev->provider);
        o->level = kbc_arena_str(a, ev->level);
        o->message = kbc_arena_str(a, ev->message);
        o->event_id = ev->event_id;
        o->has_event_id = ev->has_event_id;
        o->has_record_id = ev->has_record_id;
        o->record_id = ev->record_id;
        o->nfields = ev->nfields;
        o->fields_dropped = ev->fields_dropped;
        o->fields = kbc_arena_alloc(a, ev->nfields * sizeof(*o->fields));
        for (size_t i = 0; i < ev->nfields; i++) {
                o->fields[i].name = kbc_arena_str(a, ev->fields[i].name);
                o->fields[i].value = kbc_arena_str(a, ev->fields[i].value);
        }
        o->origin = ev->origin;
}

/* Decodes lines into owned copies (the decoded count is known from the
 * first pass, so evs is allocated once). */
typedef struct owner {
        kbc_decoder *d;
        kbc_arena *arena;
        kbc_event *ev;
        owned_event *evs;
        size_t n, cap;
} owner;

static void own_line(void *ctx, const char *file, size_t lineno, const char *s,
                     size_t len)
{
        owner *o = ctx;
        char err[256];
        kbc_event_reset(o->ev);
        o->ev->origin = (kbc_origin){.kind = KBC_ORIGIN_FILE,
                                     .source = file,
                                     .position = (int64_t)lineno};
        if (kbc_decode(o->d, KBC_FMT_AUTO, s, len, o->ev, err, sizeof(err)) ==
            KBC_FMT_AUTO)
                return; /* reported by the first pass */
        if (o->n == o->cap)
                die("%s: changed since it was first read", file);
        own(o->arena, &o->evs[o->n++], o->ev);
}

/* Rebuilds the engine's input from a copy: a few scalars and a memcpy of
 * the used fields, small beside the engine's work per event. */
static void fill(kbc_event *ev, const owned_event *o, int64_t shift)
{
        ev->time_ms =
            o->time_ms == KBC_TIME_NONE ? KBC_TIME_NONE : o->time_ms + shift;
        ev->host = o->host;
        ev->channel = o->channel;
        ev->provider = o->provider;
        ev->level = o->level;
        ev->message = o->message;
        ev->event_id = o->event_id;
        ev->has_event_id = o->has_event_id;
        ev->has_record_id = o->has_record_id;
        ev->record_id = o->record_id;
        ev->nfields = o->nfields;
        ev->fields_dropped = o->fields_dropped;
        memcpy(ev->fields, o->fields, o->nfields * sizeof(*o->fields));
        ev->origin = o->origin;
}

static double clock_s(clockid_t id)
{
        struct timespec ts;
        clock_gettime(id, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double peak_rss_mb(void)
{
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        return (double)ru.ru_maxrss / 1024.0; /* ru_maxrss is in KiB */
}

static double current_rss_mb(void)
{
        long pages = 0;
        FILE *f = fopen("/proc/self/statm", "r");
        if (f) {
                if (fscanf(f, "%*d %ld", &pages) != 1)
                        pages = 0;
                fclose(f);
        }
        return (double)pages * (double)sysconf(_SC_PAGESIZE) / 1048576.0;
}

static void print_diag(void *opaque, const char *msg)
{
        (void)opaque;
        fprintf(stderr, "bench_engine: %s\n", msg);
}

/* Incidents are counted by the engine's stats; printing them is output
 * cost, not engine cost. */
static void on_incident(void *opaque, const kbc_incident *inc)
{
        (void)opaque;
        (void)inc;
}

int main(int argc, char **argv)
{
        if (argc < 4)
                die("%s", "usage: bench_engine RULES_DIR MIN_EVENTS FILE...");
        const char *rules_dir = argv[1];
        char *end;
        unsigned long long min_events = strtoull(argv[2], &end, 10);
        if (*end || min_events == 0)
                die("bad MIN_EVENTS %s", argv[2]);

        cpu_set_t set;
        int cpu = sched_getcpu();
        CPU_ZERO(&set);
        CPU_SET(cpu < 0 ? 0 : cpu, &set);
        if (sched_setaffinity(0, sizeof(set), &set))
                fprintf(stderr, "bench_engine: not pinned: %s\n",
                        strerror(errno));

        /* Decoding alone first, over as many events as the engine will
         * get, with the raw lines in memory; they are freed before the
         * copies are made so that the two never add up in the peak RSS. */
        lines raw = {0};
        kbc_buf_init(&raw.data, (size_t)1 << 34);
        for (int i = 3; i < argc; i++)
                read_lines(argv[i], lines_add, &raw);
        kbc_decoder *d = kbc_decoder_new();
        kbc_event *ev = calloc(1, sizeof(*ev));
        if (!d || !ev)
                die("%s", "out of memory");
        char err[256];
        size_t decode_errors = 0;
        for (size_t i = 0; i < raw.n; i++)
                if (kbc_decode(d, KBC_FMT_AUTO, raw.data.data + raw.off[i],
                               raw.len[i], ev, err,
                               sizeof(err)) == KBC_FMT_AUTO &&
                    decode_errors++ < 3)
                        fprintf(stderr, "bench_engine: %s:%zu: %s\n",
                                raw.file[i], raw.lineno[i], err);
        size_t n = raw.n - decode_errors;
        if (n == 0)
                die("%s", "no event decoded");
        size_t copies = (size_t)((min_events + n - 1) / n);
        double t0 = clock_s(CLOCK_MONOTONIC);
        for (size_t c = 0; c < copies; c++)
                for (size_t i = 0; i < raw.n; i++)
                        kbc_decode(d, KBC_FMT_AUTO, raw.data.data + raw.off[i],
                                   raw.len[i], ev, err, sizeof(err));
        double decode_s = clock_s(CLOCK_MONOTONIC) - t0;
        lines_free(&raw);

        owner o = {d, kbc_arena_new(), ev, calloc(n, sizeof(owned_event)), 0,
                   n};
        if (!o.evs)
                die("%s", "out of memory");
        for (int i = 3; i < argc; i++)
                read_lines(argv[i], own_line, &o);
        if (o.n != n)
                die("%s", "the input changed since it was first read");
        kbc_decoder_free(d);
        const owned_event *evs = o.evs;

        /* Each copy starts a day after the previous one ends. */
        int64_t tmin = INT64_MAX, tmax = INT64_MIN;
        for (size_t i = 0; i < n; i++)
                if (evs[i].time_ms != KBC_TIME_NONE) {
                        tmin = evs[i].time_ms < tmin ? evs[i].time_ms : tmin;
                        tmax = evs[i].time_ms > tmax ? evs[i].time_ms : tmax;
                }
        int64_t step = (tmax >= tmin ? tmax - tmin : 0) + DAY_MS;
        double store_mb = current_rss_mb();

        t0 = clock_s(CLOCK_MONOTONIC);
        kbc_ruleset *rs = kbc_ruleset_load(&rules_dir, 1, print_diag, NULL);
        double load_s = clock_s(CLOCK_MONOTONIC) - t0;
        if (!rs)
                die("%s: rules did not load", rules_dir);
        kbc_engine *e = kbc_engine_new(rs, NULL, on_incident, NULL);
        if (!e)
                die("%s", "out of memory");

        t0 = clock_s(CLOCK_MONOTONIC);
        double cpu0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
        for (size_t c = 0; c < copies; c++) {
                int64_t shift = (int64_t)c * step;
                for (size_t i = 0; i < n; i++) {
                        fill(ev, &evs[i], shift);
                        kbc_engine_feed(e, ev);
                }
        }
        kbc_engine_flush(e);
        double engine_cpu_s = clock_s(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
        double engine_s = clock_s(CLOCK_MONOTONIC) - t0;

        kbc_engine_stats st;
        kbc_engine_stats_get(e, &st);
        double fed = (double)copies * (double)n;
        printf("rules=%zu\n", kbc_ruleset_count(rs));
        printf("load_s=%.2f\n", load_s);
        printf("decoded=%zu\n", n);
        printf("decode_errors=%zu\n", decode_errors);
        printf("copies=%zu\n", copies);
        printf("span_days=%.2f\n", (double)(step - DAY_MS) / DAY_MS);
        printf("events=%.0f\n", fed);
        printf("engine_s=%.3f\n", engine_s);
        printf("engine_cpu_s=%.3f\n", engine_cpu_s);
        printf("events_per_s=%.0f\n", fed / engine_s);
        printf("events_per_cpu_s=%.0f\n", fed / engine_cpu_s);
        printf("incidents=%llu\n", (unsigned long long)st.incidents);
        printf("matched_events=%llu\n", (unsigned long long)st.matched_events);
        printf("signal_hits=%llu\n", (unsigned long long)st.signal_hits);
        printf("late_events=%llu\n", (unsigned long long)st.late_events);
        printf("untimed_events=%llu\n", (unsigned long long)st.untimed_events);
        printf("tracked_hosts=%llu\n", (unsigned long long)st.hosts);
        printf("decode_s=%.3f\n", decode_s);
        printf("e2e_s=%.3f\n", decode_s + engine_s);
        printf("e2e_events_per_s=%.0f\n", fed / (decode_s + engine_s));
        printf("store_mb=%.0f\n", store_mb);
        printf("peak_rss_mb=%.0f\n", peak_rss_mb());

        kbc_engine_free(e);
        kbc_ruleset_free(rs);
        kbc_arena_free(o.arena);
        free(o.evs);
        free(ev);
        return 0;
}
