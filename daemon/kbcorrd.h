/*
 * kbcorrd.h - internal to the daemon: its state, shared by the consumer
 * loop (kbcorrd.c), the pipeline threads (workers.c) and the embedded mock
 * cluster (mock.c). The sinks (sinks.h) and /metrics (metrics.h) are
 * modules of their own that read none of it.
 *
 * At-least-once, in one paragraph: every assigned partition has its own
 * pipeline (correlation is per host and the topic is keyed by host). An
 * incident or dead letter is "in flight" from the moment it is written
 * until every sink has it (the Kafka delivery report; the file after
 * fsync; HEC's indexer acknowledgment; syslog's bytes in the socket). A
 * partition's stored offset is the lowest of: the next offset to read, the
 * engine's low mark (kbc_engine_low_mark: events still needed by open cases
 * and remembered incidents), and the replay_from of every in-flight item
 * (offsets.h keeps that book, one per partition). A crash at any moment
 * thus re-reads whatever is needed to raise every unacknowledged incident
 * again, with the same id.
 */
#ifndef KBCD_H
#define KBCD_H

#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "clock.h"
#include "config.h"
#include "kbc_buf.h"
#include "kbc_incident_format.h"
#include "kbc_pipeline.h"
#include "kbc_rules.h"
#include "log.h"
#include "metrics.h"
#include "offsets.h"
#include "signals.h"
#include "sinks.h"
#include "workers.h"

typedef struct kbcd_part kbcd_part;

struct kbcd_part {
        char *topic;
        int32_t partition;
        kbc_pipeline *pipeline; /* NULL once revoked */
        kbcd_worker *worker;    /* the thread that feeds it */
        uint64_t gen;           /* bumped at (re)assignment and revocation */
        kbcd_offsets offsets;   /* offsets.h; its items under the out lock */
        int64_t max_event_ms;   /* latest event time fed; for the lag */
        /* What /metrics shows of it, published by its worker after each
         * batch (under the worker's lock) and by the loop (under the world
         * lock) when it changes the pipeline: the loop reads it without
         * pausing the workers. */
        struct {
                kbc_pipeline_stats stats;
                int64_t next, max_event_ms;
        } seen;
        bool eof;
        /* Why nothing more is read from it ("" = runs), written under the
         * out lock (a delivery) or the world write lock (assignment, a
         * failed seek); halted says so to the workers without either. */
        char stopped[256];
        atomic_bool halted;
        struct kbcd *d;
        struct kbcd_part *next_part;
};

typedef struct kbcd {
        kbcd_config cfg;
        kbc_ruleset *rules;
        kbc_decoder *mappings; /* holds the mapping files, read once */
        rd_kafka_t *consumer, *mock_handle;
        kbcd_sinks *sinks;    /* where incidents and dead letters go */
        volatile int fatal;   /* librdkafka raised a fatal error */
        kbcd_part *parts;     /* the loop's; never freed before exit */
        kbcd_part *last_part; /* of the last message: a lookup cache */
        bool assigned_once;
        kbcd_worker *workers;
        size_t nworkers;
        rd_kafka_message_t *held; /* polled, its worker's queue full */
        pthread_rwlock_t world;   /* workers.h: the locking */
        pthread_mutex_t out;
        uint64_t messages;
        kbcd_metrics *metrics;
        kbc_pipeline_stats retired;   /* of pipelines dropped, for /metrics */
        kbcd_partition_figures *rows; /* /metrics' partition rows */
        size_t rows_cap;
} kbcd;

/* A librdkafka configuration: defaults, then the kafka map of the
 * configuration file, then forced (which the map cannot change). NULL
 * after logging a property librdkafka refuses. */
rd_kafka_conf_t *kbcd_kafka_conf(const kbcd *d, const kbc_kafka_prop *defaults,
                                 size_t ndefaults, const kbc_kafka_prop *forced,
                                 size_t nforced);

/* Feeds one message to p's pipeline, on worker w's thread with the world
 * lock held for reading; what it raises goes to the sinks. */
void kbcd_part_feed(kbcd_worker *w, kbcd_part *p, const rd_kafka_message_t *m);
/* Publishes p's figures (p->seen): with the world lock held for writing,
 * or for reading and p's worker's lock. */
void kbcd_part_publish(kbcd_part *p);

/* mock.c: starts librdkafka's mock cluster in-process, creates the
 * topics, produces the feed files keyed by host; sets bootstrap.servers
 * in the kafka properties. */
int kbcd_mock_start(kbcd *d);
void kbcd_mock_stop(kbcd *d);

#endif
