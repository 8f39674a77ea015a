/*
 * workers.h - the pipeline threads. The consumer loop hands each message
 * to the worker that owns its partition, in order; a worker feeds its
 * partitions' pipelines and writes what they raise to the sinks. One
 * partition is always fed by one thread, so a host's events (the topic is
 * keyed by host) stay in order and the incidents equal a replay's.
 *
 * Locking, in the order they are taken:
 *   world (rwlock): a worker holds it for reading while it feeds a batch;
 *     the loop takes it for writing for anything that reads or changes
 *     partition state (offsets, rebalance, reload, quiet hosts, metrics).
 *   out (mutex): the sinks and the items in flight; held around every
 *     write to a sink and every delivery poll.
 */
#ifndef KBCD_WORKERS_H
#define KBCD_WORKERS_H

#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "metrics.h"

struct kbcd;
struct kbcd_part;

/* Messages queued per worker: enough to ride out a slow batch, bounded so
 * that a slow sink pushes back on the consumer instead of filling memory. */
#define KBCD_WORKER_QUEUE 4096

typedef struct kbcd_job {
        rd_kafka_message_t *m;
        struct kbcd_part *p;
        uint64_t gen; /* p->gen when queued: a stale job is dropped */
} kbcd_job;

typedef struct kbcd_worker {
        struct kbcd *d;
        pthread_t thread;
        pthread_mutex_t lock;
        pthread_cond_t more, room;
        kbcd_job ring[KBCD_WORKER_QUEUE];
        size_t head, len;
        size_t busy; /* jobs taken from the ring, not yet done */
        bool quit;
        size_t nparts; /* partitions given to it, for balance */
        /* the worker's own: when the message it feeds was consumed */
        struct timespec consumed;
        kbcd_work_figures figures;   /* the worker's own, unlocked */
        kbcd_work_figures published; /* a copy after each batch, locked */
} kbcd_worker;

/* Starts cfg.workers threads (0: one per core). 0, or -1. */
int kbcd_workers_start(struct kbcd *d);
/* Stops and joins them; queued messages are dropped (their offsets were
 * never passed, so a restart reads them again). The workers stay, idle,
 * for the partitions that still point at them (a revocation at close). */
void kbcd_workers_stop(struct kbcd *d);
/* Frees them, once nothing points at them. */
void kbcd_workers_free(struct kbcd *d);
/* The worker with the fewest partitions, for a new one. */
kbcd_worker *kbcd_workers_pick(struct kbcd *d);
/* Queues m for p's worker, waiting up to wait_ms for room. false when the
 * queue stayed full: m is still the caller's. */
bool kbcd_workers_push(struct kbcd_part *p, rd_kafka_message_t *m, int wait_ms);
/* Whether every queue is empty and no batch is being fed. */
bool kbcd_workers_idle(struct kbcd *d);

#endif
