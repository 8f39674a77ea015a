/*
 * config.h - kbcorrd's one YAML configuration file (docs/daemon.md has
 * every key; examples/kbcorrd.yaml is an annotated example).
 */
#ifndef KBCD_CONFIG_H
#define KBCD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kbc_decode.h"
#include "kbc_engine.h"

#define KBCD_MAX_LIST 64
/* librdkafka has about 150 properties; a map may set any of them. */
#define KBCD_MAX_KAFKA 256
/* Pipeline threads; more than the cores only adds switching. */
#define KBCD_MAX_WORKERS 64

/* metrics.listen, "host:port", to an IPv4 address (localhost is
 * 127.0.0.1; port 0 lets the kernel choose). 0, or -1 if malformed. */
struct sockaddr_in;
int kbcd_listen_parse(const char *s, struct sockaddr_in *sa);

typedef struct kbcd_kv {
        const char *key, *value;
} kbcd_kv;

typedef struct kbcd_config {
        const char *path;
        const char *rules[KBCD_MAX_LIST];
        size_t nrules;
        const char *mappings[KBCD_MAX_LIST];
        size_t nmappings;
        /* input */
        const char *topics[KBCD_MAX_LIST]; /* names, or ^regex */
        size_t ntopics;
        const char *group;
        kbc_format format;
        int utc_offset_min; /* zone of zone-less times, minutes east */
        size_t max_message_bytes;
        /* librdkafka properties, passed through unchanged */
        kbcd_kv kafka[KBCD_MAX_KAFKA];
        size_t nkafka;
        /* sinks */
        const char *out_topic; /* NULL = none */
        const char *out_file;  /* NULL = none; fsync'd before commits */
        bool out_stdout;
        bool out_msgpack; /* output.format: msgpack (default json) */
        const char *dead_topic, *dead_file; /* at most one */
        kbc_engine_opts engine;
        int workers;                /* pipeline threads; 0 = one per core */
        const char *metrics_listen; /* IPv4:PORT; NULL = off */
        const char *log_level, *log_format; /* NULL = info, logfmt */
        int64_t drain_ms; /* SIGTERM: longest wait for sinks */
        /* mock: an in-process librdkafka mock cluster, for trying it out */
        bool mock;
        int mock_brokers, mock_partitions;
        const char *mock_feed[KBCD_MAX_LIST]; /* files produced at start */
        size_t nmock_feed;
        bool mock_exit_when_done;
        void *doc; /* owns every string above */
} kbcd_config;

/* Loads path; every problem goes to stderr as "file:line: what is wrong".
 * Returns 0, or -1 if there was any. Relative paths inside the file are
 * taken relative to the file's folder. */
int kbcd_config_load(kbcd_config *c, const char *path);
void kbcd_config_free(kbcd_config *c);

#endif
