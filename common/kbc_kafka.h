/*
 * kbc_kafka.h - librdkafka settings every kbcorr consumer starts from:
 * kbcorrd and `kbcorr replay --kafka` both read backlogs faster than they
 * process them, where librdkafka's defaults leave them idle (the kafka
 * map or -X still override these). Why each: docs/daemon.md, "fetch".
 */
#ifndef KBC_KAFKA_H
#define KBC_KAFKA_H

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
