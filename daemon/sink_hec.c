/*
 * sink_hec.c - incidents to Splunk's HTTP Event Collector, in batches
 * (envelopes back to back in one POST /services/collector/event),
 * acknowledged for the offsets by the indexer: the POST's ackId, polled
 * on /services/collector/ack until it comes back true. A passing failure
 * (connection, 5xx, 429) is retried with backoff; an ackId never true
 * within ack_timeout sends its batch again (a duplicate with the same ids
 * at worst, never a loss); a refusal (other 4xx: a bad token, a bad
 * index) makes the batch's items undeliverable.
 *
 * libcurl's multi interface, driven from poll() without blocking: no
 * thread of its own, so in-flight items are touched on the loop only.
 */
#define _GNU_SOURCE /* memmem */
#include <curl/curl.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sink.h"

#define MAX_REQUESTS 4 /* event POSTs at once */
#define RETRY_MIN_MS 200
#define BATCH_MAX    ((size_t)64 << 20)

typedef enum { QUEUED, SENDING, WAIT_ACK } batch_state;

typedef struct batch {
        kbc_buf body;
        kbcd_held held;
        batch_state state;
        int tries;
        int64_t created_ms, not_before_ms, sent_ms;
        long long ack_id;
        kbc_buf response;
        struct batch *next;
} batch;

typedef struct hec_sink {
        kbcd_sink base;
        const kbcd_hec_config *c;
        char name[256], event_url[300], ack_url[300], channel[40];
        CURLM *multi;    /* also the pool of kept-alive connections */
        CURLSH *cookies; /* a load balancer's sticky session, kept */
        struct curl_slist *headers;
        batch *filling; /* not yet sent */
        batch *batches; /* queued, sending or waiting for their ack */
        int sending;
        CURL *ack_req; /* the /services/collector/ack poll under way */
        kbc_buf ack_body, ack_response;
        int64_t next_ack_ms;
        kbc_buf envelope;
} hec_sink;

static void oom(const char *what)
{
        kbcd_log("error",
                 "out of memory for %s; exiting, offsets of the "
                 "items in flight not committed",
                 what);
        exit(EXIT_FAILURE);
}

static batch *batch_new(void)
{
        batch *b = calloc(1, sizeof(*b));
        if (!b)
                oom("a HEC batch");
        kbc_buf_init(&b->body, BATCH_MAX);
        kbc_buf_init(&b->response, 1u << 20);
        return b;
}

static void batch_free(batch *b)
{
        kbc_buf_free(&b->body);
        kbc_buf_free(&b->response);
        kbcd_held_free(&b->held);
        free(b);
}

/* Splunk's envelope: the incident under event (an object for JSON
 * formats, a string for CEF), its time in epoch seconds. */
static void envelope(hec_sink *s, const kbc_incident *inc, const kbc_buf *ev)
{
        const kbcd_hec_config *c = s->c;
        kbc_buf *b = &s->envelope;
        kbc_buf_reset(b);
        kbc_buf_printf(b, "{\"time\":%lld.%03lld",
                       (long long)(inc->end_ms / 1000),
                       (long long)(inc->end_ms % 1000));
        kbc_buf_puts(b, ",\"host\":");
        kbc_buf_json_str(b, kbc_str_cstr(c->host ? c->host : inc->host));
        kbc_buf_puts(b, ",\"source\":");
        kbc_buf_json_str(b, kbc_str_cstr(c->source ? c->source : "kbcorrd"));
        kbc_buf_puts(b, ",\"sourcetype\":");
        if (c->sourcetype) {
                kbc_buf_json_str(b, kbc_str_cstr(c->sourcetype));
        } else {
                kbc_buf_puts(b, "\"kbcorr:");
                kbc_buf_puts(b, kbc_out_format_name(s->base.format));
                kbc_buf_putc(b, '"');
        }
        if (c->index) {
                kbc_buf_puts(b, ",\"index\":");
                kbc_buf_json_str(b, kbc_str_cstr(c->index));
        }
        kbc_buf_puts(b, ",\"event\":");
        if (s->base.format == KBC_OUT_CEF) /* a line of text */
                kbc_buf_json_str(b, kbc_str_make(ev->data, ev->len));
        else /* JSON already (config.c refuses msgpack here) */
                kbc_buf_append(b, ev->data, ev->len);
        kbc_buf_puts(b, ",\"fields\":{\"kbcorr_id\":");
        kbc_buf_json_str(b, kbc_str_cstr(inc->id));
        kbc_buf_printf(b, ",\"kbcorr_state\":\"%s\",\"kbcorr_sequence\":%llu}}",
                       inc->open ? "open" : "closed",
                       (unsigned long long)inc->sequence);
}

static void batch_push(hec_sink *s, batch *b)
{
        batch **tail = &s->batches;
        while (*tail)
                tail = &(*tail)->next;
        *tail = b;
}

static void hec_write(kbcd_sink *base, const kbcd_item *it)
{
        hec_sink *s = (hec_sink *)base;
        const kbc_buf *ev = kbcd_item_payload(base, it);
        if (!ev)
                return;
        envelope(s, it->inc, ev);
        if (s->envelope.overflow) {
                /* the share the refusal gives back: it was never held */
                kbcd_inflight_take(it->f);
                kbcd_sink_refused(base, it->f, "too large for an envelope");
                return;
        }
        batch *b = s->filling;
        if (!b) {
                b = s->filling = batch_new();
                b->created_ms = kbcd_now_ms();
        }
        kbc_buf_append(&b->body, s->envelope.data, s->envelope.len);
        if (b->body.overflow)
                oom("a HEC batch");
        kbcd_held_add(base, &b->held, it->f, 0);
        if (b->held.n >= (size_t)s->c->batch_events) {
                batch_push(s, b);
                s->filling = NULL;
        }
}

static size_t on_body(char *p, size_t size, size_t n, void *opaque)
{
        kbc_buf_append(opaque, p, size * n);
        return size * n;
}

static CURL *request(hec_sink *s, const char *url, const kbc_buf *body,
                     kbc_buf *response, void *priv)
{
        CURL *e = curl_easy_init();
        if (!e)
                oom("a HEC request");
        kbc_buf_reset(response);
        curl_easy_setopt(e, CURLOPT_URL, url);
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, s->headers);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, body->data);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->len);
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)s->c->timeout_ms);
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, (long)s->c->tls_verify);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, s->c->tls_verify ? 2L : 0L);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, response);
        curl_easy_setopt(e, CURLOPT_PRIVATE, priv);
        curl_easy_setopt(e, CURLOPT_SHARE, s->cookies);
        curl_easy_setopt(e, CURLOPT_COOKIEFILE, ""); /* cookies on */
        curl_multi_add_handle(s->multi, e);
        return e;
}

static void batch_done(hec_sink *s, batch *b)
{
        batch **p = &s->batches;
        while (*p != b)
                p = &(*p)->next;
        *p = b->next;
        batch_free(b);
}

static void batch_delivered(hec_sink *s, batch *b)
{
        kbcd_held_ack(&b->held, b->held.n);
        batch_done(s, b);
}

/* The collector's answer is logged once, as the sink's failure; each
 * item then stops its partition. */
static void batch_refused(hec_sink *s, batch *b, const char *why)
{
        kbcd_sink_set_failing(&s->base, true, why);
        for (size_t i = 0; i < b->held.n; i++)
                kbcd_sink_refused(&s->base, b->held.items[i].f,
                                  "refused by the collector");
        batch_done(s, b);
}

static void batch_retry(hec_sink *s, batch *b, const char *why)
{
        int64_t wait = RETRY_MIN_MS << (b->tries < 16 ? b->tries : 16);
        if (wait > s->c->retry_max_ms)
                wait = s->c->retry_max_ms;
        b->tries++;
        b->state = QUEUED;
        b->not_before_ms = kbcd_now_ms() + wait;
        kbcd_sink_set_failing(&s->base, true, why);
}

/* The first "name": number in a response, or -1. */
static long long json_number(const kbc_buf *r, const char *name)
{
        char key[32];
        snprintf(key, sizeof(key), "\"%s\"", name);
        const char *p =
            r->len ? memmem(r->data, r->len, key, strlen(key)) : NULL;
        if (!p)
                return -1;
        p += strlen(key);
        const char *end = r->data + r->len;
        while (p < end && (*p == ' ' || *p == ':'))
                p++;
        long long v = 0;
        if (p == end || *p < '0' || *p > '9')
                return -1;
        for (; p < end && *p >= '0' && *p <= '9'; p++)
                v = v * 10 + (*p - '0');
        return v;
}

static void event_done(hec_sink *s, batch *b, CURLcode rc, long status)
{
        char why[400];
        s->sending--;
        kbc_buf_putc(&b->response, '\0');
        if (rc != CURLE_OK || status >= 500 || status == 429 || status == 408) {
                if (rc != CURLE_OK)
                        snprintf(why, sizeof(why), "%s",
                                 curl_easy_strerror(rc));
                else
                        snprintf(why, sizeof(why), "HTTP %ld %.200s", status,
                                 b->response.data);
                batch_retry(s, b, why);
                return;
        }
        if (status != 200) { /* refused: sending it again changes nothing */
                snprintf(why, sizeof(why), "refused: HTTP %ld %.200s", status,
                         b->response.data);
                batch_refused(s, b, why);
                return;
        }
        kbcd_sink_set_failing(&s->base, false, NULL);
        if (!s->c->acks) {
                batch_delivered(s, b);
                return;
        }
        b->ack_id = json_number(&b->response, "ackId");
        if (b->ack_id < 0) {
                snprintf(why, sizeof(why),
                         "no ackId in the response (indexer acknowledgment "
                         "is off for the token: turn it on, or set "
                         "acks: false): %.200s",
                         b->response.data);
                batch_refused(s, b, why);
                return;
        }
        b->state = WAIT_ACK;
        b->sent_ms = kbcd_now_ms();
}

/* {"acks":{"3":true,"4":false}}: the batches acknowledged are done. */
static void ack_done(hec_sink *s, CURLcode rc, long status)
{
        s->ack_req = NULL;
        s->next_ack_ms = kbcd_now_ms() + s->c->ack_poll_ms;
        if (rc != CURLE_OK || status != 200) {
                char why[300];
                snprintf(why, sizeof(why), "polling acks: %s (HTTP %ld)",
                         curl_easy_strerror(rc), status);
                kbcd_sink_set_failing(&s->base, true, why);
                return;
        }
        kbcd_sink_set_failing(&s->base, false, NULL);
        char key[40];
        const char *end = s->ack_response.data + s->ack_response.len;
        for (batch *b = s->batches, *next; b; b = next) {
                next = b->next;
                if (b->state != WAIT_ACK)
                        continue;
                int len = snprintf(key, sizeof(key), "\"%lld\"", b->ack_id);
                const char *p = memmem(s->ack_response.data,
                                       s->ack_response.len, key, (size_t)len);
                if (!p)
                        continue;
                for (p += len; p < end && (*p == ' ' || *p == ':'); p++)
                        ;
                if (end - p >= 4 && !memcmp(p, "true", 4))
                        batch_delivered(s, b);
        }
}

static void results(hec_sink *s)
{
        CURLMsg *m;
        int left;
        while ((m = curl_multi_info_read(s->multi, &left))) {
                if (m->msg != CURLMSG_DONE)
                        continue;
                CURL *e = m->easy_handle;
                CURLcode rc = m->data.result;
                long status = 0;
                batch *b = NULL;
                curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
                curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&b);
                curl_multi_remove_handle(s->multi, e);
                curl_easy_cleanup(e);
                if (b)
                        event_done(s, b, rc, status);
                else
                        ack_done(s, rc, status);
        }
}

/* Batches whose ack never came within ack_timeout go again: the indexer
 * may have lost them. */
static void resend_lost(hec_sink *s, int64_t now)
{
        for (batch *b = s->batches; b; b = b->next)
                if (b->state == WAIT_ACK &&
                    now - b->sent_ms >= s->c->ack_timeout_ms) {
                        kbcd_log("warn",
                                 "%s: ackId %lld not true after %lld ms: "
                                 "sending its %zu events again",
                                 s->base.name, b->ack_id,
                                 (long long)s->c->ack_timeout_ms, b->held.n);
                        b->state = QUEUED;
                        b->not_before_ms = now;
                }
}

static void poll_acks(hec_sink *s, int64_t now)
{
        if (s->ack_req || now < s->next_ack_ms)
                return;
        kbc_buf *body = &s->ack_body;
        kbc_buf_reset(body);
        kbc_buf_puts(body, "{\"acks\":[");
        size_t n = 0;
        for (batch *b = s->batches; b; b = b->next)
                if (b->state == WAIT_ACK)
                        kbc_buf_printf(body, "%s%lld", n++ ? "," : "",
                                       b->ack_id);
        kbc_buf_puts(body, "]}");
        if (n)
                s->ack_req =
                    request(s, s->ack_url, body, &s->ack_response, NULL);
}

/* Moves everything on; the batch being filled goes once it is linger
 * old (or at once when flushing), as Kafka's linger.ms. */
static void step(hec_sink *s, bool flush)
{
        int64_t now = kbcd_now_ms();
        if (s->filling &&
            (flush || now - s->filling->created_ms >= s->c->linger_ms)) {
                batch_push(s, s->filling);
                s->filling = NULL;
        }
        for (batch *b = s->batches; b && s->sending < MAX_REQUESTS; b = b->next)
                if (b->state == QUEUED && b->not_before_ms <= now) {
                        b->state = SENDING;
                        s->sending++;
                        request(s, s->event_url, &b->body, &b->response, b);
                }
        if (s->c->acks) {
                resend_lost(s, now);
                poll_acks(s, now);
        }
        int running;
        curl_multi_perform(s->multi, &running);
        results(s);
}

static void hec_poll(kbcd_sink *base)
{
        step((hec_sink *)base, false);
}

static size_t unacked(const hec_sink *s)
{
        size_t n = s->filling ? s->filling->held.n : 0;
        for (const batch *b = s->batches; b; b = b->next)
                n += b->held.n;
        return n;
}

static int hec_drain(kbcd_sink *base, int ms)
{
        hec_sink *s = (hec_sink *)base;
        int64_t end = kbcd_now_ms() + ms;
        for (;;) {
                step(s, true);
                int64_t now = kbcd_now_ms();
                if (!unacked(s) || now >= end)
                        return (int)unacked(s);
                curl_multi_poll(s->multi, NULL, 0, 20, NULL);
        }
}

/* What is still held is let go undelivered: nothing commits any more. */
static void hec_close(kbcd_sink *base)
{
        hec_sink *s = (hec_sink *)base;
        if (s->filling)
                batch_push(s, s->filling);
        while (s->batches)
                batch_delivered(s, s->batches);
        /* Handles still in the multi are cleaned up with it. */
        curl_multi_cleanup(s->multi);
        curl_share_cleanup(s->cookies);
        curl_slist_free_all(s->headers);
        kbc_buf_free(&s->ack_body);
        kbc_buf_free(&s->ack_response);
        kbc_buf_free(&s->envelope);
        free(s);
        curl_global_cleanup();
}

static const kbcd_sink_ops hec_ops = {
    .write = hec_write,
    .poll = hec_poll,
    .drain = hec_drain,
    .close = hec_close,
};

/* A random (version 4) UUID: this run's channel. */
static void uuid(char out[37])
{
        unsigned char r[16] = {0};
        int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
        if (fd < 0 || read(fd, r, sizeof(r)) != (ssize_t)sizeof(r)) {
                struct timespec t;
                clock_gettime(CLOCK_REALTIME, &t);
                srand((unsigned)(t.tv_nsec ^ getpid()));
                for (size_t i = 0; i < sizeof(r); i++)
                        r[i] = (unsigned char)rand();
        }
        if (fd >= 0)
                close(fd);
        r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
        r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
        snprintf(out, 37,
                 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                 "%02x%02x%02x%02x%02x%02x",
                 r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9],
                 r[10], r[11], r[12], r[13], r[14], r[15]);
}

static struct curl_slist *header(struct curl_slist *l, const char *name,
                                 const char *value)
{
        char h[600];
        snprintf(h, sizeof(h), "%s: %s", name, value);
        struct curl_slist *n = curl_slist_append(l, h);
        if (!n)
                oom("HEC headers");
        return n;
}

kbcd_sink *kbcd_sink_hec_new(kbcd_sinks *all, const kbcd_hec_config *c)
{
        if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
                kbcd_log("error", "output.hec: libcurl did not initialize");
                return NULL;
        }
        hec_sink *s = calloc(1, sizeof(*s));
        if (!s || !(s->multi = curl_multi_init()) ||
            !(s->cookies = curl_share_init()))
                oom("the HEC sink");
        curl_share_setopt(s->cookies, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE);
        s->c = c;
        size_t len = strlen(c->url);
        while (len && c->url[len - 1] == '/')
                len--;
        if (len >= sizeof(s->name))
                len = sizeof(s->name) - 1; /* config.c keeps urls shorter */
        snprintf(s->name, sizeof(s->name), "%.*s", (int)len, c->url);
        snprintf(s->event_url, sizeof(s->event_url),
                 "%s/services/collector/event", s->name);
        snprintf(s->ack_url, sizeof(s->ack_url), "%s/services/collector/ack",
                 s->name);
        if (c->channel)
                snprintf(s->channel, sizeof(s->channel), "%s", c->channel);
        else
                uuid(s->channel);
        char auth[512];
        snprintf(auth, sizeof(auth), "Splunk %s", c->token);
        s->headers = header(NULL, "Authorization", auth);
        s->headers = header(s->headers, "X-Splunk-Request-Channel", s->channel);
        s->headers = header(s->headers, "Content-Type", "application/json");
        s->base = (kbcd_sink){
            .ops = &hec_ops, .all = all, .name = s->name, .format = c->format};
        kbc_buf_init(&s->ack_body, 16u << 20);
        kbc_buf_init(&s->ack_response, 16u << 20);
        kbc_buf_init(&s->envelope, BATCH_MAX);
        kbcd_log("info", "%s: HEC channel %s, indexer acknowledgment %s",
                 s->name, s->channel, c->acks ? "on" : "off");
        return &s->base;
}
