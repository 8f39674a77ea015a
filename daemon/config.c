/*
 * config.c - kbcorrd's YAML configuration, checked key by key so that a
 * mistake fails at start as "file:line: what is wrong" (the rule loader's
 * yaml_doc.h does the line-aware walking).
 */
#include <arpa/inet.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "kbc_arena.h"
#include "kbc_time.h"
#include "yaml_doc.h"

typedef struct owned {
        kbc_ydoc doc;
        kbc_ydiag diag;
        kbc_arena *arena;
        const char *dir; /* of the config file, for relative paths */
} owned;

int kbcd_listen_parse(const char *s, struct sockaddr_in *sa)
{
        char host[64];
        unsigned port;
        memset(sa, 0, sizeof(*sa));
        if (sscanf(s, "%63[^:]:%u", host, &port) != 2 || port > 65535)
                return -1;
        sa->sin_family = AF_INET;
        sa->sin_port = htons((uint16_t)port);
        if (!strcmp(host, "localhost"))
                strcpy(host, "127.0.0.1");
        return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

static void diag_stderr(void *opaque, const char *msg)
{
        (void)opaque;
        fprintf(stderr, "kbcorrd: %s\n", msg);
}

/* A non-empty string scalar, or NULL after reporting. */
static const char *str_of(kbc_ydoc *d, const yaml_node_t *n, const char *what)
{
        size_t len;
        const char *s = kbc_ynode_str(n, &len);
        if (!s || !len || kbc_ynode_is_null(n) || strlen(s) != len) {
                char buf[64];
                kbc_ydoc_report(d, n, "%s must be a non-empty string, got %s",
                                what, kbc_ynode_describe(n, buf, sizeof(buf)));
                return NULL;
        }
        return s;
}

static const char *path_of(owned *o, const yaml_node_t *n, const char *what)
{
        const char *s = str_of(&o->doc, n, what);
        if (!s || s[0] == '/' || !strcmp(s, "-"))
                return s;
        size_t len = strlen(o->dir) + 1 + strlen(s);
        char *p = kbc_arena_alloc(o->arena, len + 1);
        if (p)
                snprintf(p, len + 1, "%s/%s", o->dir, s);
        return p;
}

/* A string or a list of strings into out[]; paths resolved if asked. */
static void list_of(owned *o, const yaml_node_t *n, const char *what,
                    bool paths, const char **out, size_t *nout)
{
        kbc_ydoc *d = &o->doc;
        size_t count = kbc_ynode_is_seq(n) ? kbc_ydoc_seq_len(n) : 1;
        if (count > KBCD_MAX_LIST) {
                kbc_ydoc_report(d, n, "%s: at most %d entries", what,
                                KBCD_MAX_LIST);
                return;
        }
        for (size_t i = 0; i < count; i++) {
                const yaml_node_t *item =
                    kbc_ynode_is_seq(n) ? kbc_ydoc_seq_at(d, n, i) : n;
                const char *s =
                    paths ? path_of(o, item, what) : str_of(d, item, what);
                if (s)
                        out[(*nout)++] = s;
        }
}

static void duration_of(kbc_ydoc *d, const yaml_node_t *n, const char *what,
                        int64_t *out)
{
        const char *s = str_of(d, n, what);
        if (s && kbc_duration_parse(s, out))
                kbc_ydoc_report(d, n,
                                "%s: expected a duration such as 500ms, "
                                "30s, 10m, 1h, got '%s'",
                                what, s);
}

static void int_of(kbc_ydoc *d, const yaml_node_t *n, const char *what,
                   int64_t min, int64_t max, int64_t *out)
{
        if (kbc_ynode_int(n, min, max, out))
                kbc_ydoc_report(d, n, "%s: expected an integer in %lld..%lld",
                                what, (long long)min, (long long)max);
}

static void bool_of(kbc_ydoc *d, const yaml_node_t *n, const char *what,
                    bool *out)
{
        if (kbc_ynode_bool(n, out))
                kbc_ydoc_report(d, n, "%s: expected true or false", what);
}

/* The mapping under key, checked against valid; NULL when absent. */
static yaml_node_t *section(kbc_ydoc *d, const yaml_node_t *root,
                            const char *key, const char *const *valid)
{
        yaml_node_t *m = kbc_ydoc_get(d, root, key);
        if (!m)
                return NULL;
        if (!kbc_ynode_is_map(m)) {
                char buf[64];
                kbc_ydoc_report(d, m, "'%s' must be a mapping, got %s", key,
                                kbc_ynode_describe(m, buf, sizeof(buf)));
                return NULL;
        }
        kbc_ydoc_check_keys(d, m, key, valid);
        return m;
}

#define GET(map, key) ((map) ? kbc_ydoc_get(d, (map), (key)) : NULL)

static void load_input(owned *o, const yaml_node_t *root, kbcd_config *c)
{
        static const char *const keys[] = {"topics",     "group",
                                           "format",     "max_message_bytes",
                                           "utc_offset", NULL};
        kbc_ydoc *d = &o->doc;
        yaml_node_t *in = section(d, root, "input", keys), *n;
        if (!in) {
                kbc_ydoc_report(d, root, "missing 'input' (topics, group)");
                return;
        }
        if ((n = GET(in, "topics")))
                list_of(o, n, "input.topics", false, c->topics, &c->ntopics);
        if (!c->ntopics)
                kbc_ydoc_report(d, n ? n : in,
                                "input.topics: name at least one topic");
        if ((n = GET(in, "group")))
                c->group = str_of(d, n, "input.group");
        if ((n = GET(in, "format"))) {
                const char *f = str_of(d, n, "input.format");
                if (f && kbc_format_parse(f, &c->format))
                        kbc_ydoc_report(d, n, "input.format: unknown '%s'", f);
        }
        int64_t v;
        if ((n = GET(in, "max_message_bytes"))) {
                /* Past the decoder's limit a message could only be
                 * dead-lettered as undecodable, not named oversized. */
                int_of(d, n, "input.max_message_bytes", 256,
                       KBC_DECODE_MAX_MESSAGE, &v);
                c->max_message_bytes = (size_t)v;
        }
        if ((n = GET(in, "utc_offset"))) {
                const char *s = str_of(d, n, "input.utc_offset");
                if (s && kbc_utc_offset_parse(s, &c->utc_offset_min))
                        kbc_ydoc_report(d, n,
                                        "input.utc_offset: expected +HH:MM, "
                                        "-HHMM or +H, got '%s'",
                                        s);
        }
}

static void load_kafka(owned *o, const yaml_node_t *root, kbcd_config *c)
{
        kbc_ydoc *d = &o->doc;
        yaml_node_t *k = kbc_ydoc_get(d, root, "kafka");
        if (!k)
                return;
        if (!kbc_ynode_is_map(k)) {
                kbc_ydoc_report(d, k,
                                "'kafka' must be a mapping of "
                                "librdkafka properties");
                return;
        }
        for (size_t i = 0; i < kbc_ydoc_map_len(k); i++) {
                yaml_node_t *key, *val;
                kbc_ydoc_map_at(d, k, i, &key, &val);
                const char *ks = str_of(d, key, "a kafka property name");
                size_t len;
                const char *vs = kbc_ynode_str(val, &len);
                if (!vs) {
                        kbc_ydoc_report(d, val, "kafka.%s: expected a value",
                                        ks ? ks : "?");
                        continue;
                }
                if (c->nkafka == KBCD_MAX_KAFKA) {
                        kbc_ydoc_report(d, key, "kafka: at most %d properties",
                                        KBCD_MAX_KAFKA);
                        return;
                }
                if (ks)
                        c->kafka[c->nkafka++] = (kbc_kafka_prop){ks, vs};
        }
}

/* A format name into *f; reports, naming what, if unknown or if the
 * sink takes text only (binary: whether msgpack is allowed). */
static void format_of(kbc_ydoc *d, const yaml_node_t *n, const char *what,
                      bool binary, kbc_out_format *f)
{
        const char *s = str_of(d, n, what);
        if (!s)
                return;
        if (kbc_out_format_parse(s, f))
                kbc_ydoc_report(d, n, "%s: ecs, ocsf, cef or msgpack, got '%s'",
                                what, s);
        else if (!binary && *f == KBC_OUT_MSGPACK)
                kbc_ydoc_report(d, n,
                                "%s: ecs, ocsf or cef (this sink "
                                "carries text), got 'msgpack'",
                                what);
}

/* A sink given as a scalar (its target) or as a mapping of its target
 * under key, and its format. Returns the format's node, NULL if unset. */
static const yaml_node_t *sink_of(owned *o, const yaml_node_t *n,
                                  const char *name, const char *key,
                                  const char **target, kbc_out_format *f)
{
        kbc_ydoc *d = &o->doc;
        char what[64];
        if (!kbc_ynode_is_map(n)) {
                snprintf(what, sizeof(what), "output.%s (a %s)", name, key);
                *target = strcmp(key, "path") ? str_of(d, n, what)
                                              : path_of(o, n, what);
                return NULL;
        }
        const char *const keys[] = {key, "format", NULL};
        snprintf(what, sizeof(what), "output.%s", name);
        kbc_ydoc_check_keys(d, n, what, keys);
        const yaml_node_t *t = kbc_ydoc_get(d, n, key), *fmt;
        snprintf(what, sizeof(what), "output.%s.%s", name, key);
        if (!t)
                kbc_ydoc_report(d, n, "%s is missing", what);
        else
                *target = strcmp(key, "path") ? str_of(d, t, what)
                                              : path_of(o, t, what);
        if ((fmt = kbc_ydoc_get(d, n, "format"))) {
                snprintf(what, sizeof(what), "output.%s.format", name);
                format_of(d, fmt, what, true, f);
        }
        return fmt;
}

/* output.stdout: true/false, or a mapping with its format. */
static const yaml_node_t *stdout_of(kbc_ydoc *d, const yaml_node_t *n, bool *on,
                                    kbc_out_format *f)
{
        if (!kbc_ynode_is_map(n)) {
                bool_of(d, n, "output.stdout", on);
                return NULL;
        }
        static const char *const keys[] = {"format", NULL};
        kbc_ydoc_check_keys(d, n, "output.stdout", keys);
        *on = true;
        const yaml_node_t *fmt = kbc_ydoc_get(d, n, "format");
        if (fmt)
                format_of(d, fmt, "output.stdout.format", true, f);
        return fmt;
}

static void ms_of(kbc_ydoc *d, const yaml_node_t *m, const char *key,
                  const char *what, int64_t *out)
{
        const yaml_node_t *n = GET(m, key);
        if (n)
                duration_of(d, n, what, out);
}

static void load_hec(kbc_ydoc *d, const yaml_node_t *out, kbcd_hec_config *h,
                     bool *format_set)
{
        static const char *const keys[] = {
            "url",    "token",   "index",       "source",     "sourcetype",
            "host",   "channel", "acks",        "tls_verify", "batch_events",
            "linger", "timeout", "ack_timeout", "ack_poll",   "retry_max",
            "format", NULL};
        h->acks = h->tls_verify = true;
        h->batch_events = 100;
        h->linger_ms = 50;
        h->timeout_ms = 10000;
        h->ack_timeout_ms = 60000;
        h->ack_poll_ms = 200;
        h->retry_max_ms = 30000;
        yaml_node_t *m = section(d, out, "hec", keys), *n;
        if (!m)
                return;
        if ((n = GET(m, "url"))) {
                h->url = str_of(d, n, "output.hec.url");
                if (h->url && ((strncmp(h->url, "http://", 7) &&
                                strncmp(h->url, "https://", 8)) ||
                               strlen(h->url) > 200))
                        kbc_ydoc_report(d, n,
                                        "output.hec.url: expected "
                                        "http(s)://host:port (at most 200 "
                                        "characters), got '%s'",
                                        h->url);
        } else {
                kbc_ydoc_report(d, m, "output.hec.url is missing");
        }
        if ((n = GET(m, "token")))
                h->token = str_of(d, n, "output.hec.token");
        else
                kbc_ydoc_report(d, m, "output.hec.token is missing");
        static const char *const strs[] = {"index", "source", "sourcetype",
                                           "host", "channel"};
        const char **dst[] = {&h->index, &h->source, &h->sourcetype, &h->host,
                              &h->channel};
        char what[64];
        for (size_t i = 0; i < sizeof(strs) / sizeof(*strs); i++)
                if ((n = GET(m, strs[i]))) {
                        snprintf(what, sizeof(what), "output.hec.%s", strs[i]);
                        *dst[i] = str_of(d, n, what);
                }
        if ((n = GET(m, "acks")))
                bool_of(d, n, "output.hec.acks", &h->acks);
        if ((n = GET(m, "tls_verify")))
                bool_of(d, n, "output.hec.tls_verify", &h->tls_verify);
        if ((n = GET(m, "batch_events")))
                int_of(d, n, "output.hec.batch_events", 1, 100000,
                       &h->batch_events);
        ms_of(d, m, "linger", "output.hec.linger", &h->linger_ms);
        ms_of(d, m, "timeout", "output.hec.timeout", &h->timeout_ms);
        ms_of(d, m, "ack_timeout", "output.hec.ack_timeout",
              &h->ack_timeout_ms);
        ms_of(d, m, "ack_poll", "output.hec.ack_poll", &h->ack_poll_ms);
        ms_of(d, m, "retry_max", "output.hec.retry_max", &h->retry_max_ms);
        if ((n = GET(m, "format"))) {
                format_of(d, n, "output.hec.format", false, &h->format);
                *format_set = true;
        }
}

static void load_syslog(owned *o, const yaml_node_t *out, kbcd_syslog_config *s,
                        bool *format_set)
{
        kbc_ydoc *d = &o->doc;
        static const char *const keys[] = {
            "address",    "app_name",        "msgid",  "hostname", "facility",
            "severity",   "retry_max",       "format", "tls",      "tls_ca",
            "tls_verify", "tls_server_name", NULL};
        s->app_name = "kbcorrd";
        s->msgid = "incident";
        s->facility = 16; /* local0 */
        s->severity = 4;  /* warning */
        s->retry_max_ms = 30000;
        s->format = KBC_OUT_CEF;
        s->tls_verify = true;
        yaml_node_t *m = section(d, out, "syslog", keys), *n;
        if (!m)
                return;
        struct sockaddr_in sa;
        if ((n = GET(m, "address"))) {
                s->address = str_of(d, n, "output.syslog.address");
                if (s->address && kbcd_listen_parse(s->address, &sa))
                        kbc_ydoc_report(d, n,
                                        "output.syslog.address: expected "
                                        "IPV4:PORT, got '%s'",
                                        s->address);
        } else {
                kbc_ydoc_report(d, m, "output.syslog.address is missing");
        }
        /* RFC 5424 6.2: printable US-ASCII without spaces, bounded. */
        static const char *const strs[] = {"app_name", "msgid", "hostname"};
        const char **dst[] = {&s->app_name, &s->msgid, &s->hostname};
        const size_t max[] = {48, 32, 255};
        char what[64];
        for (size_t i = 0; i < sizeof(strs) / sizeof(*strs); i++) {
                if (!(n = GET(m, strs[i])))
                        continue;
                snprintf(what, sizeof(what), "output.syslog.%s", strs[i]);
                const char *v = str_of(d, n, what);
                bool ok = v && strlen(v) <= max[i];
                for (const char *c = v; ok && *c; c++)
                        ok = *c > 32 && *c < 127;
                if (v && !ok)
                        kbc_ydoc_report(d, n,
                                        "%s: at most %zu printable ASCII "
                                        "characters without spaces",
                                        what, max[i]);
                *dst[i] = v;
        }
        int64_t v;
        if ((n = GET(m, "facility"))) {
                int_of(d, n, "output.syslog.facility", 0, 23, &v);
                s->facility = (int)v;
        }
        if ((n = GET(m, "severity"))) {
                int_of(d, n, "output.syslog.severity", 0, 7, &v);
                s->severity = (int)v;
        }
        ms_of(d, m, "retry_max", "output.syslog.retry_max", &s->retry_max_ms);
        if ((n = GET(m, "tls")))
                bool_of(d, n, "output.syslog.tls", &s->tls);
        if ((n = GET(m, "tls_verify")))
                bool_of(d, n, "output.syslog.tls_verify", &s->tls_verify);
        if ((n = GET(m, "tls_ca")))
                s->tls_ca = path_of(o, n, "output.syslog.tls_ca");
        if ((n = GET(m, "tls_server_name")))
                s->tls_server_name =
                    str_of(d, n, "output.syslog.tls_server_name");
        if ((n = GET(m, "format"))) {
                format_of(d, n, "output.syslog.format", false, &s->format);
                *format_set = true;
        }
}

static void load_sinks(owned *o, const yaml_node_t *root, kbcd_config *c)
{
        static const char *const out_keys[] = {
            "kafka", "file", "stdout", "hec", "syslog", "format", NULL};
        static const char *const dead_keys[] = {"kafka", "file", NULL};
        kbc_ydoc *d = &o->doc;
        yaml_node_t *out = section(d, root, "output", out_keys), *n;
        /* Each sink's own format, else output.format, else ecs. */
        kbc_out_format all = KBC_OUT_ECS;
        if ((n = GET(out, "format")))
                format_of(d, n, "output.format", true, &all);
        kbc_out_format *formats[] = {&c->out_topic_format, &c->out_file_format,
                                     &c->out_stdout_format, &c->hec.format};
        const void *set[4] = {NULL, NULL, NULL, NULL};
        if ((n = GET(out, "kafka")))
                set[0] = sink_of(o, n, "kafka", "topic", &c->out_topic,
                                 &c->out_topic_format);
        if ((n = GET(out, "file")))
                set[1] = sink_of(o, n, "file", "path", &c->out_file,
                                 &c->out_file_format);
        if ((n = GET(out, "stdout")))
                set[2] = stdout_of(d, n, &c->out_stdout, &c->out_stdout_format);
        bool hec_format = false;
        load_hec(d, out, &c->hec, &hec_format);
        set[3] = hec_format ? &c->hec : NULL;
        for (size_t i = 0; i < 4; i++)
                if (!set[i])
                        *formats[i] = all;
        if (!set[3] && all == KBC_OUT_MSGPACK && c->hec.url)
                kbc_ydoc_report(d, GET(out, "format"),
                                "output.format: msgpack cannot go to "
                                "output.hec; give output.hec a format");
        /* syslog carries text: cef unless a text format is asked for */
        bool syslog_format = false;
        load_syslog(o, out, &c->syslog, &syslog_format);
        if (!syslog_format && GET(out, "format") && all != KBC_OUT_MSGPACK)
                c->syslog.format = all;
        if (!c->out_topic && !c->out_file && !c->out_stdout && !c->hec.url &&
            !c->syslog.address)
                kbc_ydoc_report(d, out ? out : root,
                                "no output: set output.kafka, output.file, "
                                "output.stdout, output.hec or output.syslog");
        yaml_node_t *dead = section(d, root, "dead_letter", dead_keys);
        if ((n = GET(dead, "kafka")))
                c->dead_topic = str_of(d, n, "dead_letter.kafka (a topic)");
        if ((n = GET(dead, "file")))
                c->dead_file = path_of(o, n, "dead_letter.file");
        if (c->dead_topic && c->dead_file)
                kbc_ydoc_report(d, dead,
                                "dead_letter: kafka or file, not both");
}

static void load_rest(owned *o, const yaml_node_t *root, kbcd_config *c)
{
        static const char *const corr_keys[] = {
            "lateness",         "suppress",    "max_hosts",
            "max_memory_bytes", "open_states", NULL};
        static const char *const metrics_keys[] = {"listen", NULL};
        static const char *const shutdown_keys[] = {"drain", NULL};
        static const char *const log_keys[] = {"level", "format", NULL};
        static const char *const mock_keys[] = {"brokers", "partitions", "feed",
                                                "exit_when_done", NULL};
        kbc_ydoc *d = &o->doc;
        yaml_node_t *m = section(d, root, "correlation", corr_keys), *n;
        int64_t v;
        if ((n = GET(m, "lateness")))
                duration_of(d, n, "correlation.lateness",
                            &c->engine.lateness_ms);
        if ((n = GET(m, "suppress")))
                duration_of(d, n, "correlation.suppress",
                            &c->engine.suppress_ms);
        if ((n = GET(m, "max_hosts"))) {
                int_of(d, n, "correlation.max_hosts", 1, 100000000, &v);
                c->engine.max_hosts = (size_t)v;
        }
        if ((n = GET(m, "max_memory_bytes"))) {
                int_of(d, n, "correlation.max_memory_bytes", 1 << 20,
                       (int64_t)1 << 40, &v);
                c->engine.max_bytes = (size_t)v;
        }
        if ((n = GET(m, "open_states")))
                bool_of(d, n, "correlation.open_states", &c->engine.emit_open);
        m = section(d, root, "metrics", metrics_keys);
        if ((n = GET(m, "listen"))) {
                struct sockaddr_in sa;
                c->metrics_listen = str_of(d, n, "metrics.listen");
                if (c->metrics_listen && !strcmp(c->metrics_listen, "off"))
                        c->metrics_listen = NULL;
                else if (c->metrics_listen &&
                         kbcd_listen_parse(c->metrics_listen, &sa))
                        kbc_ydoc_report(d, n,
                                        "metrics.listen: expected IPV4:PORT "
                                        "or off, got '%s'",
                                        c->metrics_listen);
        }
        m = section(d, root, "log", log_keys);
        if ((n = GET(m, "level"))) {
                c->log_level = str_of(d, n, "log.level");
                if (c->log_level && !kbcd_log_level_known(c->log_level))
                        kbc_ydoc_report(d, n,
                                        "log.level: debug, info, warn or "
                                        "error, got '%s'",
                                        c->log_level);
        }
        if ((n = GET(m, "format"))) {
                c->log_format = str_of(d, n, "log.format");
                if (c->log_format && !kbcd_log_format_known(c->log_format))
                        kbc_ydoc_report(d, n,
                                        "log.format: logfmt or json, got '%s'",
                                        c->log_format);
        }
        if ((n = kbc_ydoc_get(d, root, "workers"))) {
                int_of(d, n, "workers", 1, KBCD_MAX_WORKERS, &v);
                c->workers = (int)v;
        }
        m = section(d, root, "shutdown", shutdown_keys);
        if ((n = GET(m, "drain")))
                duration_of(d, n, "shutdown.drain", &c->drain_ms);
        m = section(d, root, "mock", mock_keys);
        if (!m)
                return;
        c->mock = true;
        if ((n = GET(m, "brokers"))) {
                int_of(d, n, "mock.brokers", 1, 9, &v);
                c->mock_brokers = (int)v;
        }
        if ((n = GET(m, "partitions"))) {
                int_of(d, n, "mock.partitions", 1, 256, &v);
                c->mock_partitions = (int)v;
        }
        if ((n = GET(m, "feed")))
                list_of(o, n, "mock.feed", true, c->mock_feed, &c->nmock_feed);
        if ((n = GET(m, "exit_when_done")))
                bool_of(d, n, "mock.exit_when_done", &c->mock_exit_when_done);
}

int kbcd_config_load(kbcd_config *c, const char *path)
{
        static const char *const keys[] = {
            "rules",       "mappings",    "input",   "kafka", "output",
            "dead_letter", "correlation", "metrics", "log",   "shutdown",
            "mock",        "workers",     NULL};
        kbc_engine_opts defaults = KBC_ENGINE_OPTS_DEFAULT;
        owned *o = calloc(1, sizeof(*o));
        memset(c, 0, sizeof(*c));
        if (!o)
                return -1;
        c->doc = o;
        c->path = path;
        c->group = "kbcorr";
        c->max_message_bytes = 1 << 20;
        c->engine = defaults;
        c->engine.emit_open = true; /* live: open states within seconds */
        c->drain_ms = 10000;
        c->metrics_listen = "127.0.0.1:9108";
        c->mock_brokers = 3;
        c->mock_partitions = 4;
        o->arena = kbc_arena_new();
        char *copy = o->arena ? kbc_arena_strdup(o->arena, path) : NULL;
        if (!copy)
                return -1;
        o->dir = kbc_arena_strdup(o->arena, dirname(copy));
        o->diag.fn = diag_stderr;
        if (kbc_ydoc_load_file(&o->doc, path, &o->diag))
                return -1;
        kbc_ydoc *d = &o->doc;
        yaml_node_t *root = kbc_ydoc_root(d), *n;
        if (!kbc_ynode_is_map(root)) {
                kbc_ydoc_report(d, root, "the configuration must be a mapping");
                return -1;
        }
        kbc_ydiag_hold(&o->diag);
        kbc_ydoc_check_keys(d, root, "the configuration", keys);
        if ((n = kbc_ydoc_get(d, root, "rules")))
                list_of(o, n, "rules", true, c->rules, &c->nrules);
        else
                kbc_ydoc_report(d, root, "missing 'rules' (rule folders)");
        if ((n = kbc_ydoc_get(d, root, "mappings")))
                list_of(o, n, "mappings", true, c->mappings, &c->nmappings);
        load_input(o, root, c);
        load_kafka(o, root, c);
        load_sinks(o, root, c);
        load_rest(o, root, c);
        if (!c->mock && !c->nkafka)
                kbc_ydoc_report(d, root,
                                "missing 'kafka' (bootstrap.servers "
                                "at least), or a 'mock' section");
        kbc_ydiag_flush(&o->diag);
        return o->diag.count ? -1 : 0;
}

void kbcd_config_free(kbcd_config *c)
{
        owned *o = c->doc;
        if (!o)
                return;
        kbc_ydoc_free(&o->doc);
        kbc_arena_free(o->arena);
        free(o);
        c->doc = NULL;
}
