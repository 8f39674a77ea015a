/*
 * metrics.h - /metrics (Prometheus text) and /healthz on metrics.listen.
 *
 * The module owns the HTTP server, the rendered page and the incident
 * counts by KB, and reads no other module's state: at each publication
 * the consumer loop hands it a snapshot (kbcd_figures) that it assembled
 * from the workers' and the partitions' published figures, without
 * pausing the workers. A request only copies the last page.
 */
#ifndef KBCD_METRICS_H
#define KBCD_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "kbc_pipeline.h"
#include "kbc_rules.h"

#define KBCD_LATENCY_BUCKETS 10

typedef struct kbcd_histogram {
        uint64_t le[KBCD_LATENCY_BUCKETS]; /* per bucket; cumulated on output */
        uint64_t count;
        double sum_s;
} kbcd_histogram;

/* What one worker measured: its own, written without a lock. */
typedef struct kbcd_work_figures {
        kbcd_histogram processing;    /* one message: decode to correlate */
        kbcd_histogram to_alert;      /* opening symptom to first emission */
        struct timespec last_message; /* monotonic; tv_sec 0 = none yet */
} kbcd_work_figures;

void kbcd_observe_processing(kbcd_work_figures *f, double seconds);
void kbcd_observe_time_to_alert(kbcd_work_figures *f, double seconds);
/* Adds f into sum: the histograms, and the latest message. */
void kbcd_work_figures_add(kbcd_work_figures *sum, const kbcd_work_figures *f);

/* What /metrics shows of a sink. */
typedef struct kbcd_sink_state {
        const char *name;
        uint64_t errors; /* failed attempts */
        bool failing;    /* the last attempt failed */
} kbcd_sink_state;

/* An assigned partition's row. */
typedef struct kbcd_partition_figures {
        const char *topic;
        int32_t partition;
        int64_t lag;          /* behind the high watermark; -1 unknown */
        int64_t max_event_ms; /* latest event time fed; 0 = none */
        bool stopped;         /* on an item it cannot deliver */
} kbcd_partition_figures;

#define KBCD_FIGURES_SINKS 8
#define KBCD_UNHEALTHY_MAX 320

/* One publication's snapshot. */
typedef struct kbcd_figures {
        /* every pipeline's counts, revoked ones included; the gauges
         * (engine.hosts, engine.bytes) of the assigned ones only */
        kbc_pipeline_stats pipelines;
        kbcd_work_figures work; /* all workers' */
        uint64_t messages, dead_letters, delivery_retries, undeliverable;
        uint64_t inflight; /* not yet acknowledged by every sink */
        kbcd_sink_state sinks[KBCD_FIGURES_SINKS];
        size_t nsinks;
        const kbcd_partition_figures *parts;
        size_t nparts;
        const kbc_ruleset *rules;           /* names the counts by KB */
        char unhealthy[KBCD_UNHEALTHY_MAX]; /* why /healthz fails; "" = healthy
                                             */
} kbcd_figures;

typedef struct kbcd_metrics kbcd_metrics;

/* Counts for nrules rules, served on listen (IPV4:PORT; NULL: counted,
 * not served). NULL after logging why. */
kbcd_metrics *kbcd_metrics_start(const char *listen, size_t nrules);
void kbcd_metrics_stop(kbcd_metrics *m);

/* An incident (or a repeat's update) won by the rule of index rule; from
 * any thread. */
void kbcd_metrics_incident(kbcd_metrics *m, size_t rule);

/* A reload: new counts for nrules rules are allocated first (-1 when they
 * cannot be, and the reload is given up), then switched to while no
 * worker runs; the counts by KB restart with the rule set. */
int kbcd_metrics_prepare(kbcd_metrics *m, size_t nrules);
void kbcd_metrics_switch(kbcd_metrics *m);

/* Renders the page from f; now (monotonic ms) proves the loop alive to
 * /healthz. */
void kbcd_metrics_publish(kbcd_metrics *m, const kbcd_figures *f, int64_t now);

#endif
