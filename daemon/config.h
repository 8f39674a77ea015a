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
#include "kbc_incident_format.h"
#include "kbc_kafka.h"

#define KBCD_MAX_LIST 64
/* librdkafka has about 150 properties; a map may set any of them. */
#define KBCD_MAX_KAFKA 256
/* Pipeline threads; more than the cores only adds switching. */
#define KBCD_MAX_WORKERS 64

/* metrics.listen, "host:port", to an IPv4 address (localhost is
 * 127.0.0.1; port 0 lets the kernel choose). 0, or -1 if malformed. */
struct sockaddr_in;
int kbcd_listen_parse(const char *s, struct sockaddr_in *sa);

/* output.hec: Splunk's HTTP Event Collector (docs/daemon.md). */
typedef struct kbcd_hec_config {
        const char *url; /* scheme://host:port; NULL = no HEC sink */
        const char *token;
        const char *index, *source, *sourcetype, *host; /* NULL = unset */
        const char *channel;    /* NULL = a random UUID per run */
        bool acks;              /* indexer acknowledgment (default on) */
        bool tls_verify;        /* check the server's certificate (default) */
        int64_t batch_events;   /* most events in one POST */
        int64_t linger_ms;      /* longest wait for a batch to fill */
        int64_t timeout_ms;     /* one request */
        int64_t ack_timeout_ms; /* an ack never true by then: resend */
        int64_t ack_poll_ms;    /* between /services/collector/ack polls */
        int64_t retry_max_ms;   /* the longest backoff between retries */
        kbc_out_format format;
} kbcd_hec_config;

/* output.syslog: RFC 5424 over TCP or TLS, octet-counted (RFC 6587). */
typedef struct kbcd_syslog_config {
        const char *address; /* host:port; NULL = no syslog sink */
        const char *app_name, *msgid;
        const char *hostname; /* NULL = this machine's name */
        int facility, severity;
        int64_t retry_max_ms; /* the longest backoff between reconnects */
        bool tls, tls_verify;
        const char *tls_ca;          /* NULL = the system's certificates */
        const char *tls_server_name; /* NULL = check the address's IP */
        kbc_out_format format;
} kbcd_syslog_config;

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
        kbc_kafka_prop kafka[KBCD_MAX_KAFKA];
        size_t nkafka;
        /* sinks */
        const char *out_topic; /* NULL = none */
        const char *out_file;  /* NULL = none; fsync'd before commits */
        bool out_stdout;
        /* each sink's format: its own format key, else output.format */
        kbc_out_format out_topic_format, out_file_format, out_stdout_format;
        kbcd_hec_config hec;
        kbcd_syslog_config syslog;
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
