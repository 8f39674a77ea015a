/*
 * sink.h - internal to the sinks module (sinks.h): one interface for every
 * kind of sink (Kafka, a file or stdout, Splunk HEC, syslog) and the state
 * they share. sinks.c owns the list and creates the items in flight
 * (offsets.h keeps their books); each sink_*.c is one kind.
 *
 * The contract: write() takes an item in flight and calls
 * kbcd_inflight_take once for each acknowledgment it will give later; the
 * sink hands each back with kbcd_inflight_ack when the item is safe (a delivery
 * report, an fsync, an indexer acknowledgment, the bytes in the socket), or
 * with kbcd_sink_refused when it can never be delivered. Acks are given only
 * from write(), poll(), sync(), drain() and close(), always called with
 * the daemon's out lock held (workers.h): write() from the worker feeding
 * the item's partition (or the loop, closing quiet cases), the others
 * from the loop. A sink that needs a thread
 * hands its results to poll() rather than touching the in-flight items
 * itself. An item of a revoked partition may outlive its partition's
 * list while a sink still holds it (kbcd_offsets_drop_stuck).
 */
#ifndef KBCD_SINK_H
#define KBCD_SINK_H

#include "clock.h"
#include "kbc_buf.h"
#include "kbc_incident_format.h"
#include "log.h"
#include "sinks.h"

/* An incident, or a dead letter (inc NULL), in flight on f. */
typedef struct kbcd_item {
        const kbc_incident *inc;
        const rd_kafka_message_t *msg; /* the dead letter's original */
        const char *reason, *origin;   /* why, and where it was read */
        kbcd_inflight *f;
} kbcd_item;

typedef struct kbcd_sink kbcd_sink;

/* Every sink, and what they share; under the daemon's out lock. */
struct kbcd_sinks {
        kbcd_sinks_env env;
        kbcd_sink *list[8];
        size_t n, ndead;      /* the dead letters' sinks are the last ndead */
        rd_kafka_t *producer; /* one, shared by the Kafka sinks */
        int producer_users;
        size_t dead_value_max; /* longer dead letters are cut to fit */
        /* the item being written, in each format asked for */
        kbc_buf formatted[KBC_OUT_CEF + 1], scratch;
        signed char
            formatted_state[KBC_OUT_CEF + 1]; /* 0 no, 1 ok, -1 failed */
        kbcd_sinks_counts counts;
};

typedef struct kbcd_sink_ops {
        void (*write)(kbcd_sink *s, const kbcd_item *it);
        /* Moves deliveries on without blocking; every loop iteration.
         * NULL: nothing to move (a file is written at sync). */
        void (*poll)(kbcd_sink *s);
        /* Makes what was written safe (fsync); every KBCD_STORE_EVERY_MS,
         * before the offsets are stored. NULL: nothing to do. */
        void (*sync)(kbcd_sink *s);
        /* Waits up to ms for what is unacknowledged; returns how many
         * items are left. NULL: nothing is ever left. */
        int (*drain)(kbcd_sink *s, int ms);
        /* Frees the sink after the last commit: what it still holds is
         * let go undelivered (acknowledged, so that it is freed). */
        void (*close)(kbcd_sink *s);
} kbcd_sink_ops;

struct kbcd_sink {
        const kbcd_sink_ops *ops;
        kbcd_sinks *all;
        const char *name;      /* for logs, /metrics and /healthz */
        kbc_out_format format; /* of the incidents it writes */
        bool failing;          /* the last attempt failed: /healthz 503 */
        uint64_t errors;       /* failed attempts, for /metrics */
};

/* The item in s's format (dead letters: their JSON object), or NULL when
 * it cannot be formatted (the item is then refused, with the reason).
 * Formatted once per format for all the sinks. */
const kbc_buf *kbcd_item_payload(kbcd_sink *s, const kbcd_item *it);
/* f can never be delivered by s: its offset is held and its partition
 * stopped until a restart; then s's share is given back. */
void kbcd_sink_refused(kbcd_sink *s, kbcd_inflight *f, const char *why);
/* A sink's failing state, logged when it changes. */
void kbcd_sink_set_failing(kbcd_sink *s, bool failing, const char *why);

/* The items a sink holds until they are safe, in the order written; end
 * is where each one's bytes end in the sink's own buffer, if it has one. */
typedef struct kbcd_held_item {
        kbcd_inflight *f;
        size_t end;
} kbcd_held_item;

typedef struct kbcd_held {
        kbcd_held_item *items;
        size_t n, cap;
} kbcd_held;

/* Holds f for s (kbcd_inflight_take); exits when out of memory, the item's
 * offset uncommitted. */
void kbcd_held_add(kbcd_sink *s, kbcd_held *h, kbcd_inflight *f, size_t end);
/* Acknowledges the first n held items and drops them. */
void kbcd_held_ack(kbcd_held *h, size_t n);
/* Frees the list; items still held stay unacknowledged. */
void kbcd_held_free(kbcd_held *h);

/* The kinds. Each returns NULL after logging why it could not open. */
kbcd_sink *kbcd_sink_kafka_new(kbcd_sinks *all, const char *topic,
                               kbc_out_format f);
kbcd_sink *kbcd_sink_file_new(kbcd_sinks *all, const char *path,
                              kbc_out_format f);
kbcd_sink *kbcd_sink_hec_new(kbcd_sinks *all, const kbcd_hec_config *c);
kbcd_sink *kbcd_sink_syslog_new(kbcd_sinks *all, const kbcd_syslog_config *c);

#endif
