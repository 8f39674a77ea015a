/*
 * bench_low_mark.c - what kbc_engine_low_mark and kbc_engine_close_quiet
 * cost kbcorrd (issue 16): the loop calls them for every partition every
 * 200 and 250 ms with the workers
 * paused (daemon/offsets.h), and a partition's engine keeps up to 100,000
 * hosts: every host that ever logged evidence stays, its clock telling
 * late events. Feeds HOSTS hosts a symptom of the curated rules each, then
 * two days later a benign event each (their cases closed, their evidence
 * and remembered incidents gone: idle hosts), then PINNING of them a
 * symptom again (an open case pins its offset), and times CALLS calls.
 *
 *   bench_low_mark RULES_DIR HOSTS PINNING CALLS
 *
 * Prints the microseconds per call of each and the mark (the offset of
 * the first pinning event).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "kbc_engine.h"
#include "kbc_rules.h"

static double now_s(void)
{
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void ignore(void *opaque, const kbc_incident *inc)
{
        (void)opaque;
        (void)inc;
}

/* One event on host number h at offset pos: benign, or the curated
 * rules' SMTP extension symptom. */
static void feed(kbc_engine *e, long h, int64_t pos, int64_t at_ms,
                 bool symptom)
{
        char host[32];
        snprintf(host, sizeof(host), "HOST-%06ld", h);
        kbc_event ev;
        kbc_event_reset(&ev);
        ev.host = kbc_str_cstr(host);
        ev.time_ms = 1710406800000 + at_ms + pos;
        ev.has_event_id = true;
        if (symptom) {
                ev.provider = KBC_STR_LIT("Application Popup");
                ev.event_id = 26;
                ev.level = KBC_STR_LIT("Information");
                ev.message = KBC_STR_LIT(
                    "Application popup: Microsoft Exchange Administrator : "
                    "Extension 'SMTP' could not be loaded.");
        } else {
                ev.provider = KBC_STR_LIT("Service Control Manager");
                ev.event_id = 7036;
                ev.level = KBC_STR_LIT("Information");
                ev.message = KBC_STR_LIT(
                    "The Windows Update service entered the running state.");
        }
        ev.origin = (kbc_origin){
            .kind = KBC_ORIGIN_KAFKA, .source = "bench", .position = pos};
        kbc_engine_feed(e, &ev);
}

int main(int argc, char **argv)
{
        if (argc != 5) {
                fprintf(stderr, "usage: bench_low_mark RULES_DIR HOSTS "
                                "PINNING CALLS\n");
                return 2;
        }
        const char *dir = argv[1];
        long hosts = atol(argv[2]), pinning = atol(argv[3]),
             calls = atol(argv[4]);
        kbc_ruleset *rs = kbc_ruleset_load(&dir, 1, NULL, NULL);
        if (!rs)
                return 1;
        kbc_engine *e = kbc_engine_new(rs, NULL, ignore, NULL);
        int64_t pos = 0;
        const int64_t later = 2 * 24 * 3600 * 1000LL;
        for (long h = 0; h < hosts; h++)
                feed(e, h, pos++, 0, true);
        for (long h = 0; h < hosts; h++)
                feed(e, h, pos++, later, false);
        for (long h = 0; h < pinning; h++)
                feed(e, h * (hosts / (pinning ? pinning : 1)), pos++, 2 * later,
                     true);
        int64_t mark = 0;
        double t0 = now_s();
        for (long i = 0; i < calls; i++)
                mark = kbc_engine_low_mark(e);
        double t1 = now_s();
        for (long i = 0; i < calls; i++)
                kbc_engine_close_quiet(e, 1710406800000 + 4 * later);
        double per = 1e6 / (double)(calls ? calls : 1);
        printf("hosts %ld pinning %ld: low mark %.1f us per call (mark "
               "%lld), close_quiet %.1f us per call\n",
               hosts, pinning, (t1 - t0) * per, (long long)mark,
               (now_s() - t1) * per);
        kbc_engine_free(e);
        kbc_ruleset_free(rs);
        return 0;
}
