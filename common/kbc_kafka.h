/*
 * kbc_kafka.h - how every kbcorr Kafka client is configured: kbcorrd's
 * consumer and producer and `kbcorr replay --kafka` build their librdkafka
 * configuration the same way, from layers of properties, and consumers
 * start from the same fetch settings.
 */
#ifndef KBC_KAFKA_H
#define KBC_KAFKA_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>

/* A librdkafka property; a NULL value leaves it as it is. */
typedef struct kbc_kafka_prop {
        const char *name, *value;
} kbc_kafka_prop;

/* Properties applied in turn: a later one overrides an earlier one. */
typedef struct kbc_kafka_layer {
        const kbc_kafka_prop *props;
        size_t n;
} kbc_kafka_layer;

/* A configuration from the layers in order: kbcorr's defaults, then the
 * user's settings, then what the program cannot work without. NULL when
 * librdkafka refuses a property: *bad is it, err says why. */
rd_kafka_conf_t *kbc_kafka_conf(const kbc_kafka_layer *layers, size_t nlayers,
                                const kbc_kafka_prop **bad, char *err,
                                size_t errsize);

/* Read backlogs faster than they are processed, where librdkafka's
 * defaults leave a consumer idle (the kafka map or -X still override
 * these). Why each: docs/daemon.md, "fetch". */

/* Initializers of {name, value} pairs.
 * - queued.max.messages.kbytes: librdkafka 2.0 stops fetching while its
 *   queue holds this much and looks again only at its broker thread's
 *   next wake-up, up to a second later; 64 MB (the default) is less than
 *   a second of events, so the consumer emptied it and waited.
 * - fetch.max.bytes: responses under glibc's 32 MB mmap ceiling come from
 *   (and go back to) the heap; the 50 MB default was mapped afresh for
 *   every response and page-faulted in by recvmsg. */
#define KBC_KAFKA_CONSUMER_TUNING                                              \
        {"queued.max.messages.kbytes", "262144"},                              \
        {                                                                      \
                "fetch.max.bytes", "4194304"                                   \
        }

#endif
