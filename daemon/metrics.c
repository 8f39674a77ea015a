/*
 * metrics.c - /metrics in the Prometheus text format and /healthz, served
 * by libmicrohttpd on metrics.listen (loopback by default).
 *
 * The loop renders the whole page from its snapshot every 100 ms under a
 * mutex, and a request only copies it: libmicrohttpd's thread reads no
 * counter, and a scrape never slows the loop. The counts by KB are
 * atomics, bumped by whichever worker emits the incident.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "kbc_buf.h"
#include "log.h"
#include "metrics.h"

#define STALE_MS                5000 /* /healthz: the loop must have run this recently */
#define METRICS_MAX_CONNECTIONS 32
#define METRICS_IDLE_TIMEOUT_S  10

struct kbcd_metrics {
        _Atomic uint64_t *kb_incidents, *next_kb_incidents; /* by rule index */
        struct MHD_Daemon *http;
        pthread_mutex_t lock; /* the three below: the page and its health */
        kbc_buf page;
        int64_t last_loop_ms; /* monotonic; /healthz fails when stale */
        char unhealthy[KBCD_UNHEALTHY_MAX];
};

static const double latency_bounds_s[KBCD_LATENCY_BUCKETS] = {
    0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 1};
/* Time to alert: the target is 5 s (docs/daemon.md). */
static const double alert_bounds_s[KBCD_LATENCY_BUCKETS] = {
    0.001, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 60};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status,
                             const char *type, const char *body, size_t len)
{
        struct MHD_Response *r = MHD_create_response_from_buffer(
            len, (void *)body, MHD_RESPMEM_MUST_COPY);
        if (!r)
                return MHD_NO;
        MHD_add_response_header(r, "Content-Type", type);
        enum MHD_Result rc = MHD_queue_response(c, status, r);
        MHD_destroy_response(r);
        return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
        kbcd_metrics *m = cls;
        (void)version;
        (void)upload;
        (void)upload_size;
        (void)con_cls;
        if (strcmp(method, "GET") && strcmp(method, "HEAD"))
                return reply(c, 405, "text/plain", "GET only\n", 9);
        pthread_mutex_lock(&m->lock);
        enum MHD_Result rc;
        if (!strcmp(url, "/metrics")) {
                rc = reply(c, 200, "text/plain; version=0.0.4",
                           m->page.data ? m->page.data : "", m->page.len);
        } else if (!strcmp(url, "/healthz")) {
                char why[sizeof(m->unhealthy) + 32];
                int n = 0;
                if (kbcd_now_ms() - m->last_loop_ms >= STALE_MS)
                        n = snprintf(why, sizeof(why),
                                     "consumer loop stalled\n");
                else if (m->unhealthy[0])
                        n = snprintf(why, sizeof(why), "%s\n", m->unhealthy);
                rc = n ? reply(c, 503, "text/plain", why, strlen(why))
                       : reply(c, 200, "text/plain", "ok\n", 3);
        } else {
                rc = reply(c, 404, "text/plain", "not found\n", 10);
        }
        pthread_mutex_unlock(&m->lock);
        return rc;
}

static int serve(kbcd_metrics *m, const char *listen)
{
        struct sockaddr_in sa;
        if (kbcd_listen_parse(listen, &sa)) {
                kbcd_log("error",
                         "metrics.listen: expected IPV4:PORT, got '%s'",
                         listen);
                return -1;
        }
        m->http = MHD_start_daemon(
            MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
            on_request, m, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
            MHD_OPTION_LISTENING_ADDRESS_REUSE, 1,
            /* A scraper needs one connection; idle or flooding clients
             * must not hold descriptors the daemon needs. */
            MHD_OPTION_CONNECTION_LIMIT, (unsigned)METRICS_MAX_CONNECTIONS,
            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)METRICS_IDLE_TIMEOUT_S,
            MHD_OPTION_END);
        if (!m->http) {
                kbcd_log("error", "metrics: cannot listen on %s", listen);
                return -1;
        }
        const union MHD_DaemonInfo *info =
            MHD_get_daemon_info(m->http, MHD_DAEMON_INFO_BIND_PORT);
        char addr[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &sa.sin_addr, addr, sizeof(addr));
        kbcd_log("info", "metrics on http://%s:%u/metrics", addr,
                 info ? info->port : ntohs(sa.sin_port));
        return 0;
}

kbcd_metrics *kbcd_metrics_start(const char *listen, size_t nrules)
{
        kbcd_metrics *m = calloc(1, sizeof(*m));
        if (!m)
                return NULL;
        pthread_mutex_init(&m->lock, NULL);
        kbc_buf_init(&m->page, 64u << 20);
        m->last_loop_ms = kbcd_now_ms();
        if (kbcd_metrics_prepare(m, nrules))
                goto fail;
        kbcd_metrics_switch(m);
        if (listen && serve(m, listen))
                goto fail;
        return m;
fail:
        kbcd_metrics_stop(m);
        return NULL;
}

void kbcd_metrics_stop(kbcd_metrics *m)
{
        if (!m)
                return;
        if (m->http)
                MHD_stop_daemon(m->http);
        pthread_mutex_destroy(&m->lock);
        kbc_buf_free(&m->page);
        free(m->kb_incidents);
        free(m->next_kb_incidents);
        free(m);
}

void kbcd_metrics_incident(kbcd_metrics *m, size_t rule)
{
        atomic_fetch_add_explicit(&m->kb_incidents[rule], 1,
                                  memory_order_relaxed);
}

int kbcd_metrics_prepare(kbcd_metrics *m, size_t nrules)
{
        free(m->next_kb_incidents);
        m->next_kb_incidents = calloc(nrules + 1, sizeof(*m->kb_incidents));
        return m->next_kb_incidents ? 0 : -1;
}

void kbcd_metrics_switch(kbcd_metrics *m)
{
        free(m->kb_incidents);
        m->kb_incidents = m->next_kb_incidents;
        m->next_kb_incidents = NULL;
}

static void observe(kbcd_histogram *h, const double *bounds, double seconds)
{
        for (size_t i = 0; i < KBCD_LATENCY_BUCKETS; i++)
                if (seconds <= bounds[i]) {
                        h->le[i]++;
                        break;
                }
        h->count++;
        h->sum_s += seconds;
}

void kbcd_observe_processing(kbcd_work_figures *f, double seconds)
{
        observe(&f->processing, latency_bounds_s, seconds);
}

void kbcd_observe_time_to_alert(kbcd_work_figures *f, double seconds)
{
        observe(&f->to_alert, alert_bounds_s, seconds);
}

static void histogram_add(kbcd_histogram *sum, const kbcd_histogram *h)
{
        for (size_t i = 0; i < KBCD_LATENCY_BUCKETS; i++)
                sum->le[i] += h->le[i];
        sum->count += h->count;
        sum->sum_s += h->sum_s;
}

void kbcd_work_figures_add(kbcd_work_figures *sum, const kbcd_work_figures *f)
{
        histogram_add(&sum->processing, &f->processing);
        histogram_add(&sum->to_alert, &f->to_alert);
        if (f->last_message.tv_sec > sum->last_message.tv_sec ||
            (f->last_message.tv_sec == sum->last_message.tv_sec &&
             f->last_message.tv_nsec > sum->last_message.tv_nsec))
                sum->last_message = f->last_message;
}

/* The wall-clock time of a monotonic one, for a gauge a dashboard can
 * compare with time(): a consumer that stopped moving shows. */
static double wall_time_of(const struct timespec *mono)
{
        struct timespec now_mono, now_wall;
        clock_gettime(CLOCK_MONOTONIC, &now_mono);
        clock_gettime(CLOCK_REALTIME, &now_wall);
        return (double)now_wall.tv_sec + (double)now_wall.tv_nsec / 1e9 -
               ((double)(now_mono.tv_sec - mono->tv_sec) +
                (double)(now_mono.tv_nsec - mono->tv_nsec) / 1e9);
}

static void counter(kbc_buf *b, const char *name, const char *help, uint64_t v)
{
        kbc_buf_printf(b, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name,
                       help, name, name, (unsigned long long)v);
}

static void gauge(kbc_buf *b, const char *name, const char *help, uint64_t v)
{
        kbc_buf_printf(b, "# HELP %s %s\n# TYPE %s gauge\n%s %llu\n", name,
                       help, name, name, (unsigned long long)v);
}

/* A label value as the Prometheus text format wants it: backslash,
 * double quote and newline escaped, so that no value (a reason, a rule id
 * from a rule file) can end the label and forge a sample. */
static void label_value(kbc_buf *b, const char *v)
{
        for (; *v; v++) {
                if (*v == '\\' || *v == '"')
                        kbc_buf_putc(b, '\\');
                if (*v == '\n')
                        kbc_buf_puts(b, "\\n");
                else
                        kbc_buf_putc(b, *v);
        }
}

/* A labelled sample: name{label="value"} n. */
static void sample(kbc_buf *b, const char *name, const char *label,
                   const char *value, uint64_t n)
{
        kbc_buf_printf(b, "%s{%s=\"", name, label);
        label_value(b, value);
        kbc_buf_printf(b, "\"} %llu\n", (unsigned long long)n);
}

static void histogram(kbc_buf *b, const char *name, const char *help,
                      const kbcd_histogram *h, const double *bounds)
{
        kbc_buf_printf(b, "# HELP %s %s\n# TYPE %s histogram\n", name, help,
                       name);
        uint64_t cum = 0;
        for (size_t i = 0; i < KBCD_LATENCY_BUCKETS; i++) {
                cum += h->le[i];
                kbc_buf_printf(b, "%s_bucket{le=\"%g\"} %llu\n", name,
                               bounds[i], (unsigned long long)cum);
        }
        kbc_buf_printf(b,
                       "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.6f\n"
                       "%s_count %llu\n",
                       name, (unsigned long long)h->count, name, h->sum_s, name,
                       (unsigned long long)h->count);
}

static void render(const kbcd_metrics *m, const kbcd_figures *f, kbc_buf *b)
{
        const kbc_pipeline_stats *all = &f->pipelines;
        kbc_buf_puts(b, "# HELP kbcorr_events_total Messages decoded, by "
                        "input format.\n# TYPE kbcorr_events_total counter\n");
        for (int fmt = 0; fmt < KBC_FMT__COUNT; fmt++)
                if (all->by_format[fmt])
                        sample(b, "kbcorr_events_total", "format",
                               kbc_format_name((kbc_format)fmt),
                               all->by_format[fmt]);
        counter(b, "kbcorr_messages_total", "Messages consumed.", f->messages);
        kbc_buf_puts(b, "# HELP kbcorr_decode_errors_total Messages no decoder "
                        "accepted, by reason.\n"
                        "# TYPE kbcorr_decode_errors_total counter\n");
        for (size_t i = 0; i < all->nrejects; i++)
                sample(b, "kbcorr_decode_errors_total", "reason",
                       all->rejects[i].reason, all->rejects[i].n);
        if (all->rejects_other)
                sample(b, "kbcorr_decode_errors_total", "reason",
                       "other reasons", all->rejects_other);
        counter(b, "kbcorr_dead_letters_total",
                "Messages sent to the dead-letter sink.", f->dead_letters);
        counter(b, "kbcorr_matched_events_total",
                "Events that matched at least one signal.",
                all->engine.matched_events);
        counter(b, "kbcorr_signal_matches_total", "Signals matched.",
                all->engine.signal_hits);
        counter(b, "kbcorr_late_events_total",
                "Events later than the allowed lateness.",
                all->engine.late_events);
        counter(b, "kbcorr_evicted_hosts_total",
                "Hosts evicted at the host cap.", all->engine.evicted_hosts);
        counter(b, "kbcorr_evicted_for_memory_total",
                "Hosts evicted at the engine's byte budget.",
                all->engine.evicted_for_memory);
        counter(b, "kbcorr_open_states_total",
                "Provisional states of open cases: a case opened, or its "
                "winner or candidates changed.",
                all->engine.open_states);
        counter(b, "kbcorr_quiet_closes_total",
                "Cases closed on the wall clock: their host went quiet.",
                all->engine.quiet_closes);
        counter(b, "kbcorr_evidence_after_quiet_close_total",
                "Evidence for a case that had closed on the wall clock, "
                "come after it closed (a second incident may follow).",
                all->engine.after_quiet);
        kbc_buf_puts(b, "# HELP kbcorr_sink_errors_total Failed attempts "
                        "of a sink: writes, syncs, requests, connections "
                        "(retried; items held).\n"
                        "# TYPE kbcorr_sink_errors_total counter\n");
        for (size_t i = 0; i < f->nsinks; i++)
                sample(b, "kbcorr_sink_errors_total", "sink", f->sinks[i].name,
                       f->sinks[i].errors);
        kbc_buf_puts(b, "# HELP kbcorr_sink_failing 1 while a sink's last "
                        "attempt failed.\n"
                        "# TYPE kbcorr_sink_failing gauge\n");
        for (size_t i = 0; i < f->nsinks; i++)
                sample(b, "kbcorr_sink_failing", "sink", f->sinks[i].name,
                       f->sinks[i].failing);
        counter(b, "kbcorr_delivery_retries_total",
                "Incidents produced again after a failed delivery.",
                f->delivery_retries);
        counter(b, "kbcorr_undeliverable_total",
                "Incidents and dead letters that cannot be delivered (held; "
                "their partition stopped).",
                f->undeliverable);
        kbc_buf_puts(b, "# HELP kbcorr_partition_stopped 1 for a partition "
                        "stopped on an item it cannot deliver.\n"
                        "# TYPE kbcorr_partition_stopped gauge\n");
        for (const kbcd_partition_figures *p = f->parts;
             p < f->parts + f->nparts; p++)
                if (p->stopped)
                        kbc_buf_printf(b,
                                       "kbcorr_partition_stopped{topic=\"%s\","
                                       "partition=\"%d\"} 1\n",
                                       p->topic, p->partition);
        kbc_buf_puts(b, "# HELP kbcorr_incidents_total Incidents (and "
                        "updates of repeats), by KB.\n"
                        "# TYPE kbcorr_incidents_total counter\n");
        for (size_t i = 0; i < kbc_ruleset_count(f->rules); i++) {
                uint64_t n = atomic_load_explicit(&m->kb_incidents[i],
                                                  memory_order_relaxed);
                if (n)
                        sample(b, "kbcorr_incidents_total", "kb",
                               kbc_rule_id(kbc_ruleset_rule(f->rules, i)), n);
        }
        if (f->work.last_message.tv_sec)
                kbc_buf_printf(b,
                               "# HELP kbcorr_last_message_timestamp_seconds "
                               "When the last message was handled (Unix "
                               "time).\n# TYPE "
                               "kbcorr_last_message_timestamp_seconds "
                               "gauge\nkbcorr_last_message_timestamp_seconds "
                               "%.6f\n",
                               wall_time_of(&f->work.last_message));
        gauge(b, "kbcorr_tracked_hosts", "Hosts with correlation state.",
              all->engine.hosts);
        gauge(b, "kbcorr_engine_bytes",
              "Bytes the engines hold for hosts, against their budget.",
              all->engine.bytes);
        gauge(b, "kbcorr_assigned_partitions", "Partitions assigned.",
              f->nparts);
        gauge(b, "kbcorr_inflight",
              "Incidents and dead letters not yet "
              "acknowledged by every sink.",
              f->inflight);
        kbc_buf_puts(b, "# HELP kbcorr_consumer_lag Messages behind the "
                        "partition's high watermark.\n"
                        "# TYPE kbcorr_consumer_lag gauge\n");
        for (const kbcd_partition_figures *p = f->parts;
             p < f->parts + f->nparts; p++)
                if (p->lag >= 0)
                        kbc_buf_printf(b,
                                       "kbcorr_consumer_lag{topic=\"%s\","
                                       "partition=\"%d\"} %lld\n",
                                       p->topic, p->partition,
                                       (long long)p->lag);
        kbc_buf_puts(b, "# HELP kbcorr_event_time_lag_seconds Wall clock minus "
                        "the latest event time fed, per partition.\n"
                        "# TYPE kbcorr_event_time_lag_seconds gauge\n");
        struct timespec wall;
        clock_gettime(CLOCK_REALTIME, &wall);
        int64_t wall_ms = (int64_t)wall.tv_sec * 1000 + wall.tv_nsec / 1000000;
        for (const kbcd_partition_figures *p = f->parts;
             p < f->parts + f->nparts; p++)
                if (p->max_event_ms > 0)
                        kbc_buf_printf(b,
                                       "kbcorr_event_time_lag_seconds{topic="
                                       "\"%s\",partition=\"%d\"} %.3f\n",
                                       p->topic, p->partition,
                                       (double)(wall_ms - p->max_event_ms) /
                                           1000);
        histogram(b, "kbcorr_processing_seconds",
                  "Time to decode, match and correlate one message.",
                  &f->work.processing, latency_bounds_s);
        histogram(b, "kbcorr_time_to_alert_seconds",
                  "From polling the symptom that opens a case to handing "
                  "its first state to the sinks.",
                  &f->work.to_alert, alert_bounds_s);
}

void kbcd_metrics_publish(kbcd_metrics *m, const kbcd_figures *f, int64_t now)
{
        if (!m->http) {
                m->last_loop_ms = now;
                return;
        }
        kbc_buf page;
        kbc_buf_init(&page, 64u << 20);
        render(m, f, &page);
        pthread_mutex_lock(&m->lock);
        kbc_buf tmp = m->page;
        m->page = page;
        m->last_loop_ms = now;
        memcpy(m->unhealthy, f->unhealthy, sizeof(m->unhealthy));
        pthread_mutex_unlock(&m->lock);
        kbc_buf_free(&tmp);
}
