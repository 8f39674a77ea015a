/*
 * bench_workers.c - what kbcorrd's pipeline workers can give on this
 * machine (issue 16): the real captures, keyed by host into PARTITIONS
 * in-memory partitions as the Kafka topic is, fed through one kbc_pipeline
 * per partition (decode, match, correlate: what a worker runs per
 * message) by 1..MAX_WORKERS threads, each owning every Nth partition as
 * kbcorrd's workers do. No Kafka, no sinks: the ceiling of the pipeline's
 * scaling, apart from the consumer's.
 *
 *   bench_workers RULES_DIR PARTITIONS MAX_WORKERS ROUNDS host|line FILE...
 *
 * host keys each message by its host, as a collector does; the public
 * captures come from two hosts and a WEC server, so most of them land in
 * one partition and only one worker is busy (which is what a real topic
 * of them would do too). line keys by line number, as bench_daemon.sh
 * does, to measure the pipeline's own scaling; verdicts then differ.
 *
 * Prints one line per worker count: the median wall time of ROUNDS runs,
 * events/s, the speed-up over one worker, and the incidents raised (equal
 * for every count, or the partitioning changed a verdict).
 */
#define BENCH_NAME "bench_workers"
#include <libgen.h>
#include <pthread.h>
#include <stdint.h>

#include "kbc_hash.h"
#include "kbc_pipeline.h"
#include "kbc_rules.h"
#include "kbc_time.h"
#include "msglist.h"

typedef struct partition {
        size_t *lines; /* indexes into the message list, in file order */
        size_t n, cap;
        kbc_pipeline *pipeline;
        uint64_t incidents;
} partition;

typedef struct run {
        const msglist *l;
        partition *parts;
        size_t nparts, nworkers, self;
} run;

static void on_incident(void *opaque, const kbc_incident *inc)
{
        partition *p = opaque;
        p->incidents += !inc->open;
}

static void *worker(void *arg)
{
        const run *r = arg;
        for (size_t i = r->self; i < r->nparts; i += r->nworkers) {
                partition *p = &r->parts[i];
                for (size_t j = 0; j < p->n; j++) {
                        size_t k = p->lines[j];
                        kbc_origin at = {.kind = KBC_ORIGIN_KAFKA,
                                         .source = "bench",
                                         .partition = (int)i,
                                         .position = (int64_t)j};
                        kbc_pipeline_feed(p->pipeline,
                                          r->l->data.data + r->l->off[k],
                                          r->l->len[k], &at, NULL, NULL);
                }
                kbc_pipeline_flush(p->pipeline);
        }
        return NULL;
}

/* One timed run with nworkers threads over fresh pipelines; returns the
 * seconds, and the incidents in *incidents. */
static double timed(const msglist *l, const kbc_ruleset *rs, partition *parts,
                    size_t nparts, size_t nworkers, uint64_t *incidents)
{
        kbc_pipeline_opts o = {.format = KBC_FMT_AUTO,
                               .from_ms = KBC_TIME_NONE,
                               .to_ms = KBC_TIME_NONE,
                               .engine = KBC_ENGINE_OPTS_DEFAULT};
        for (size_t i = 0; i < nparts; i++) {
                parts[i].incidents = 0;
                parts[i].pipeline =
                    kbc_pipeline_new(rs, &o, on_incident, &parts[i]);
                if (!parts[i].pipeline)
                        die("out of memory");
        }
        run runs[64];
        pthread_t threads[64];
        double t0 = now();
        for (size_t w = 0; w < nworkers; w++) {
                runs[w] = (run){l, parts, nparts, nworkers, w};
                if (pthread_create(&threads[w], NULL, worker, &runs[w]))
                        die("cannot start a thread");
        }
        for (size_t w = 0; w < nworkers; w++)
                pthread_join(threads[w], NULL);
        double s = now() - t0;
        *incidents = 0;
        for (size_t i = 0; i < nparts; i++) {
                *incidents += parts[i].incidents;
                kbc_pipeline_free(parts[i].pipeline);
        }
        return s;
}

/* Each message to the partition of its host (by_host), as kbcorrd's input
 * topic is keyed, or of its line number; one that does not decode goes to
 * partition 0. */
static void partition_messages(const msglist *l, partition *parts,
                               size_t nparts, bool by_host)
{
        kbc_decoder *d = kbc_decoder_new();
        kbc_event *ev = calloc(1, sizeof(*ev));
        char err[256];
        if (!d || !ev)
                die("out of memory");
        for (size_t k = 0; k < l->n; k++) {
                size_t i = k % nparts;
                if (by_host &&
                    kbc_decode(d, KBC_FMT_AUTO, l->data.data + l->off[k],
                               l->len[k], ev, err, sizeof(err)) != KBC_FMT_AUTO)
                        i = kbc_hash64_of(ev->host.ptr, ev->host.len) % nparts;
                else if (by_host)
                        i = 0;
                partition *p = &parts[i];
                if (p->n == p->cap) {
                        p->cap = p->cap ? 2 * p->cap : 1024;
                        p->lines = realloc(p->lines, p->cap * sizeof(size_t));
                        if (!p->lines)
                                die("out of memory");
                }
                p->lines[p->n++] = k;
        }
        kbc_decoder_free(d);
        free(ev);
}

int main(int argc, char **argv)
{
        if (argc < 7 || (strcmp(argv[5], "host") && strcmp(argv[5], "line")))
                die("usage: bench_workers RULES_DIR PARTITIONS MAX_WORKERS "
                    "ROUNDS host|line FILE...");
        const char *rules = argv[1];
        size_t nparts = strtoul(argv[2], NULL, 10),
               maxw = strtoul(argv[3], NULL, 10),
               rounds = strtoul(argv[4], NULL, 10);
        if (!nparts || !maxw || maxw > 64 || !rounds || rounds > 99)
                die("PARTITIONS >= 1, MAX_WORKERS 1..64, ROUNDS 1..99");
        msglist l;
        list_init(&l, "input", KBC_FMT_AUTO);
        for (int i = 6; i < argc; i++) {
                char dir[4096], base[4096];
                snprintf(dir, sizeof(dir), "%s", argv[i]);
                snprintf(base, sizeof(base), "%s", argv[i]);
                load_lines(&l, dirname(dir), basename(base));
        }
        kbc_ruleset *rs = kbc_ruleset_load(&rules, 1, NULL, NULL);
        if (!rs)
                die("%s: the rules did not load", rules);
        partition *parts = calloc(nparts, sizeof(*parts));
        if (!parts)
                die("out of memory");
        partition_messages(&l, parts, nparts, !strcmp(argv[5], "host"));
        printf("| workers | seconds (median of %zu) | events/s | speed-up "
               "| incidents |\n|--:|--:|--:|--:|--:|\n",
               rounds);
        double one = 0;
        for (size_t w = 1; w <= maxw; w++) {
                double s[99];
                uint64_t incidents = 0;
                for (size_t r = 0; r < rounds; r++)
                        s[r] = timed(&l, rs, parts, nparts, w, &incidents);
                qsort(s, rounds, sizeof(double), cmp_double);
                double med = s[rounds / 2];
                if (w == 1)
                        one = med;
                printf("| %zu | %.3f | %.0f | %.2f | %llu |\n", w, med,
                       (double)l.n / med, one / med,
                       (unsigned long long)incidents);
        }
        for (size_t i = 0; i < nparts; i++)
                free(parts[i].lines);
        free(parts);
        kbc_ruleset_free(rs);
        list_free(&l);
        return 0;
}
