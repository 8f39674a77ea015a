/*
 * sinks.h - where incidents and dead letters go: every sink of the
 * configuration (Kafka, a file or stdout, Splunk HEC, syslog) behind one
 * list (sinks.c; the kinds behind sink.h). Each item written is in flight
 * on its partition's book (offsets.h) until every sink has acknowledged
 * it; one that can never be delivered stops its partition, through the
 * caller's stop function. Every call with the daemon's out lock held
 * (workers.h).
 */
#ifndef KBCD_SINKS_H
#define KBCD_SINKS_H

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "kbc_incident_format.h"
#include "kbc_kafka.h"
#include "metrics.h"
#include "offsets.h"

/* How often the loop syncs the sinks (kbcd_sinks_sync) and then stores
 * the safe offsets. */
#define KBCD_STORE_EVERY_MS 200

typedef struct kbcd_sinks kbcd_sinks;

/* What the sinks need of the daemon. */
typedef struct kbcd_sinks_env {
        /* The producer's configuration: the daemon's Kafka properties with
         * forced over them; NULL after logging a property refused. */
        rd_kafka_conf_t *(*kafka_conf)(void *opaque,
                                       const kbc_kafka_prop *forced,
                                       size_t nforced);
        void *opaque;
        /* Stops reading the partition that owns a book (offsets.h's
         * owner): an item replaying from offset (what) cannot be
         * delivered (why); its offset stays held until a restart. */
        void (*stop)(void *owner, int64_t offset, const char *what,
                     const char *why);
} kbcd_sinks_env;

/* What /metrics and the last log line count. */
typedef struct kbcd_sinks_counts {
        uint64_t incidents, dead_letters, delivery_retries, undeliverable;
} kbcd_sinks_counts;

/* Opens every sink of c; NULL after logging why one could not open. */
kbcd_sinks *kbcd_sinks_open(const kbcd_config *c, const kbcd_sinks_env *env);
/* Closes them, after the last commit: what they hold goes undelivered. */
void kbcd_sinks_close(kbcd_sinks *s);

/* Writes inc to every incident sink, in flight on book. */
void kbcd_emit_incident(kbcd_sinks *s, kbcd_offsets *book,
                        const kbc_incident *inc);
/* Writes m, read from topic and not decodable (reason), to every
 * dead-letter sink, in flight on book. */
void kbcd_emit_dead_letter(kbcd_sinks *s, kbcd_offsets *book, const char *topic,
                           const rd_kafka_message_t *m, const char *reason);

/* Moves deliveries on without blocking (delivery reports, HTTP, sockets);
 * the loop calls it once a millisecond. */
void kbcd_sinks_poll(kbcd_sinks *s);
/* Flushes the file sinks to disk and acknowledges what they hold. */
void kbcd_sinks_sync(kbcd_sinks *s);
/* Waits up to ms for every sink's deliveries; returns how many are left. */
int kbcd_sinks_drain(kbcd_sinks *s, int ms);
/* Whether a sink's last attempt failed; *name says which. */
bool kbcd_sinks_failing(const kbcd_sinks *s, const char **name);
/* Fills *st for the i-th sink; false when there are fewer than i + 1. */
bool kbcd_sinks_state(const kbcd_sinks *s, size_t i, kbcd_sink_state *st);
void kbcd_sinks_counts_get(const kbcd_sinks *s, kbcd_sinks_counts *out);

#endif
