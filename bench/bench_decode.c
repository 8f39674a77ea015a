/*
 * bench_decode.c - decoding speed per input format, one core.
 *
 *   bench_decode DIR [SECONDS]
 *   bench_decode --dump FORMAT DIR [N]
 *
 * DIR holds the three real captures decompressed (winlogbeat7-ecs.jsonl,
 * winlogbeat6-kafka.jsonl, nxlog-wec-kafka.jsonl; bench/bench_decode.sh
 * makes it). Winlogbeat 7, Winlogbeat 6 and NXLog are measured on their
 * real records; Windows XML, Snare, Fluent Bit JSON and Fluent Bit msgpack
 * on the Winlogbeat 7 records converted by bench/convert_events.h (the
 * converters the round-trip test checks). Every message list is built in
 * memory first; then, per format, one warm-up pass checks that every
 * message decodes as that format (exit 1 otherwise), and 5 rounds of
 * repeated passes, each calibrated to about SECONDS/5 (default 1 s in
 * all), are timed with CLOCK_MONOTONIC. The table gives the median round:
 * events/s, and MB/s as 10^6 message bytes per second (JSON lines without
 * their newline, the Snare line without its LF, the msgpack bytes).
 * Decoding is kbc_decode with format auto-detection, as the pipeline runs
 * it. The process is pinned to the CPU it starts on.
 *
 * --dump prints the first N (default 1) converted messages of FORMAT
 * (winxml, snare, fluentbit-json, fluentbit-msgpack as hex) and exits.
 */
#define _GNU_SOURCE /* sched_getcpu, sched_setaffinity */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BENCH_NAME "bench_decode"
#include "convert_events.h"
#include "kbc_decode.h"
#include "msglist.h"

#define ROUNDS 5

/* One pass over l; returns the number of messages that did not decode as
 * l->format. */
static size_t pass(kbc_decoder *d, const msglist *l, kbc_event *ev, bool report)
{
        char err[256];
        size_t bad = 0;
        for (size_t i = 0; i < l->n; i++) {
                kbc_format f =
                    kbc_decode(d, KBC_FMT_AUTO, l->data.data + l->off[i],
                               l->len[i], ev, err, sizeof(err));
                if (f != l->format) {
                        if (report && bad < 3)
                                fprintf(stderr,
                                        "bench_decode: %s message %zu: %s "
                                        "%s\n",
                                        l->name, i + 1, kbc_format_name(f),
                                        err);
                        bad++;
                }
        }
        return bad;
}

int main(int argc, char **argv)
{
        const char *dump = NULL;
        if (argc > 1 && !strcmp(argv[1], "--dump")) {
                if (argc < 4)
                        die("%s", "usage: bench_decode --dump FORMAT DIR [N]");
                dump = argv[2];
                argv += 2;
                argc -= 2;
        }
        if (argc < 2)
                die("%s", "usage: bench_decode DIR [SECONDS]");
        const char *dir = argv[1];
        double seconds = argc > 2 ? atof(argv[2]) : 1.0;
        if (!dump && !(seconds > 0))
                die("bad SECONDS %s", argv[2]);

        cpu_set_t set;
        int cpu = sched_getcpu();
        CPU_ZERO(&set);
        CPU_SET(cpu < 0 ? 0 : cpu, &set);
        if (sched_setaffinity(0, sizeof(set), &set))
                fprintf(stderr, "bench_decode: not pinned: %s\n",
                        strerror(errno));

        enum { WLB7, WLB6, NXLOG, XML, SNARE, FBJSON, FBMP, NLISTS };
        static msglist lists[NLISTS];
        list_init(&lists[WLB7], "Winlogbeat 7 (real)", KBC_FMT_WINLOGBEAT);
        list_init(&lists[WLB6], "Winlogbeat 6 (real)", KBC_FMT_WINLOGBEAT6);
        list_init(&lists[NXLOG], "NXLog (real)", KBC_FMT_NXLOG);
        list_init(&lists[XML], "Windows XML (converted)", KBC_FMT_WINXML);
        list_init(&lists[SNARE], "Snare (converted)", KBC_FMT_SNARE);
        list_init(&lists[FBJSON], "Fluent Bit JSON (converted)",
                  KBC_FMT_FLUENTBIT);
        list_init(&lists[FBMP], "Fluent Bit msgpack (converted)",
                  KBC_FMT_FLUENTBIT);
        load_lines(&lists[WLB7], dir, "winlogbeat7-ecs.jsonl");
        if (!dump) {
                load_lines(&lists[WLB6], dir, "winlogbeat6-kafka.jsonl");
                load_lines(&lists[NXLOG], dir, "nxlog-wec-kafka.jsonl");
        }

        kbc_decoder *d = kbc_decoder_new();
        kbc_event *ev = calloc(1, sizeof(*ev));
        if (!d || !ev)
                die("%s", "out of memory");

        /* The converted lists, from the decoded Winlogbeat 7 records. */
        static const struct {
                int list;
                const char *name;
                int (*write)(const kbc_event *, kbc_buf *);
        } convs[] = {
            {XML, "winxml", conv_to_winxml},
            {SNARE, "snare", conv_to_snare},
            {FBJSON, "fluentbit-json", conv_to_fluentbit_json},
            {FBMP, "fluentbit-msgpack", conv_to_fluentbit_msgpack},
        };
        const msglist *src = &lists[WLB7];
        char err[256];
        for (size_t i = 0; i < src->n; i++) {
                kbc_event_reset(ev);
                if (kbc_decode(d, KBC_FMT_AUTO, src->data.data + src->off[i],
                               src->len[i], ev, err,
                               sizeof(err)) != KBC_FMT_WINLOGBEAT)
                        die("Winlogbeat 7 record not decoded: %s", err);
                for (size_t c = 0; c < sizeof(convs) / sizeof(convs[0]); c++) {
                        msglist *l = &lists[convs[c].list];
                        size_t start = l->data.len;
                        if (convs[c].write(ev, &l->data))
                                die("%s: conversion failed", l->name);
                        if (l->data.len > start &&
                            l->data.data[l->data.len - 1] == '\n')
                                l->data.len--;
                        list_commit(l, start);
                }
        }

        if (dump) {
                size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : 1;
                for (size_t c = 0; c < sizeof(convs) / sizeof(convs[0]); c++) {
                        if (strcmp(dump, convs[c].name))
                                continue;
                        const msglist *l = &lists[convs[c].list];
                        for (size_t i = 0; i < n && i < l->n; i++) {
                                const char *m = l->data.data + l->off[i];
                                if (convs[c].list == FBMP) {
                                        for (size_t k = 0; k < l->len[i]; k++)
                                                printf("%02x",
                                                       (unsigned char)m[k]);
                                        putchar('\n');
                                } else {
                                        printf("%.*s\n", (int)l->len[i], m);
                                }
                        }
                        return 0;
                }
                die("unknown format %s", dump);
        }

        printf("| format | messages | bytes/msg | events/s | MB/s | spread "
               "|\n|---|--:|--:|--:|--:|--:|\n");
        int status = 0;
        for (int k = 0; k < NLISTS; k++) {
                const msglist *l = &lists[k];
                /* warm-up and check */
                double t0 = now();
                size_t bad = pass(d, l, ev, true);
                double once = now() - t0;
                if (bad) {
                        fprintf(stderr,
                                "bench_decode: %s: %zu of %zu "
                                "messages not decoded\n",
                                l->name, bad, l->n);
                        status = 1;
                }
                size_t repeat =
                    (size_t)(seconds / ROUNDS / (once > 1e-6 ? once : 1e-6));
                if (repeat < 1)
                        repeat = 1;
                double rate[ROUNDS];
                for (int r = 0; r < ROUNDS; r++) {
                        t0 = now();
                        for (size_t p = 0; p < repeat; p++)
                                bad += pass(d, l, ev, false);
                        rate[r] = (double)(repeat * l->n) / (now() - t0);
                }
                if (bad)
                        status = 1;
                qsort(rate, ROUNDS, sizeof(rate[0]), cmp_double);
                double med = rate[ROUNDS / 2];
                double avg = (double)l->data.len / (double)l->n;
                printf("| %s | %zu | %.0f | %.0f | %.0f | %.0f%% |\n", l->name,
                       l->n, avg, med, med * avg / 1e6,
                       100.0 * (rate[ROUNDS - 1] - rate[0]) / med);
                fflush(stdout);
        }
        free(ev);
        kbc_decoder_free(d);
        for (int k = 0; k < NLISTS; k++)
                list_free(&lists[k]);
        return status;
}
