/*
 * hec_receiver.c - a Splunk HTTP Event Collector for the daemon tests, as
 * Splunk documents the protocol (no real Splunk was available): token
 * check, channel header required when acks are on, POST
 * /services/collector/event answering {"text":"Success","code":0,
 * "ackId":N}, POST /services/collector/ack answering which ackIds are
 * indexed.
 *
 * Events are "indexed" - appended to --out, one envelope a line - when
 * their ackId is first reported true (at once with --no-acks), so what
 * the file holds is exactly what the sender was told is safe. A lost ack
 * (--lose-acks K: the first K ackIds) is never true and its events never
 * indexed: the sender must send them again.
 *
 * --response-delay-ms N answers each event POST N ms late (requests are
 * served one at a time), so that the sender gathers events into batches.
 *
 * --sticky sets a load balancer's cookie on every answer and refuses ack
 * polls without it.
 *
 * Prints its port on stdout, logs every request on stderr, runs until
 * SIGTERM or SIGINT.
 */
#include <getopt.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct batch {
        long long id;
        long long ready_ms;
        bool lost, indexed;
        char *events; /* envelopes, one a line */
} batch;

static struct {
        const char *token;
        FILE *out;
        long long ack_delay_ms, response_delay_ms;
        long lose_acks, refuse, unavailable;
        int refuse_status;
        bool acks;
        bool sticky;   /* acks only with the cookie events were answered with */
        long requests; /* event POSTs so far */
        batch *batches;
        size_t nbatches;
} g = {.refuse_status = 403, .acks = true};

typedef struct body {
        char *data;
        size_t len;
} body;

static long long now_ms(void)
{
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static enum MHD_Result answer(struct MHD_Connection *c, unsigned status,
                              const char *json)
{
        struct MHD_Response *r = MHD_create_response_from_buffer(
            strlen(json), (void *)json, MHD_RESPMEM_MUST_COPY);
        MHD_add_response_header(r, "Content-Type", "application/json");
        if (g.sticky) /* a load balancer's session, as in front of Splunk */
                MHD_add_response_header(r, "Set-Cookie",
                                        "hec_lb=indexer1; Path=/");
        enum MHD_Result rc = MHD_queue_response(c, status, r);
        MHD_destroy_response(r);
        return rc;
}

/* The envelopes of a body, back to back (whitespace between allowed), as
 * lines; NULL if one is not a {...} object or has no "event". */
static char *split_envelopes(const char *p, size_t len, size_t *count)
{
        char *lines = malloc(len + 2 * len / 2 + 2), *o = lines;
        const char *end = p + len;
        *count = 0;
        while (lines) {
                while (p < end && strchr(" \t\r\n", *p))
                        p++;
                if (p == end)
                        break;
                if (*p != '{')
                        goto bad;
                const char *start = p;
                int depth = 0;
                bool str = false;
                for (; p < end; p++) {
                        if (str) {
                                if (*p == '\\')
                                        p++;
                                else if (*p == '"')
                                        str = false;
                        } else if (*p == '"') {
                                str = true;
                        } else if (*p == '{') {
                                depth++;
                        } else if (*p == '}' && --depth == 0) {
                                break;
                        }
                }
                if (p == end)
                        goto bad;
                p++;
                size_t n = (size_t)(p - start);
                memcpy(o, start, n);
                o[n] = '\0';
                if (!strstr(o, "\"event\":"))
                        goto bad;
                o += n;
                *o++ = '\n';
                ++*count;
        }
        if (lines)
                *o = '\0';
        return lines;
bad:
        free(lines);
        return NULL;
}

static void index_batch(batch *b)
{
        if (b->indexed)
                return;
        b->indexed = true;
        fputs(b->events, g.out);
        fflush(g.out);
}

static enum MHD_Result on_event(struct MHD_Connection *c, const body *bd,
                                const char *channel)
{
        long n = ++g.requests;
        /* A slow collector: the sender gathers events meanwhile. */
        struct timespec slow = {g.response_delay_ms / 1000,
                                g.response_delay_ms % 1000 * 1000000};
        nanosleep(&slow, NULL);
        if (n <= g.unavailable) {
                fprintf(stderr, "event %ld: 503 (unavailable)\n", n);
                return answer(c, 503,
                              "{\"text\":\"Server is busy\",\"code\":9}");
        }
        if (n <= g.unavailable + g.refuse) {
                fprintf(stderr, "event %ld: %d (refused)\n", n,
                        g.refuse_status);
                return answer(c, (unsigned)g.refuse_status,
                              "{\"text\":\"Invalid token\",\"code\":4}");
        }
        size_t count;
        char *lines =
            split_envelopes(bd->data ? bd->data : "", bd->len, &count);
        if (!lines || !count) {
                free(lines);
                fprintf(stderr, "event %ld: 400 (bad data)\n", n);
                return answer(c, 400,
                              "{\"text\":\"Invalid data format\",\"code\":6}");
        }
        batch *bs = realloc(g.batches, (g.nbatches + 1) * sizeof(*bs));
        if (!bs)
                abort();
        g.batches = bs;
        batch *b = &g.batches[g.nbatches];
        *b = (batch){.id = (long long)g.nbatches,
                     .ready_ms = now_ms() + g.ack_delay_ms,
                     .lost = (long)g.nbatches < g.lose_acks,
                     .events = lines};
        g.nbatches++;
        fprintf(stderr, "event %ld: 200 ackId=%lld events=%zu channel=%s%s\n",
                n, b->id, count, channel ? channel : "-",
                b->lost ? " (ack to be lost)" : "");
        char json[96];
        if (!g.acks) {
                index_batch(b);
                return answer(c, 200, "{\"text\":\"Success\",\"code\":0}");
        }
        snprintf(json, sizeof(json),
                 "{\"text\":\"Success\",\"code\":0,\"ackId\":%lld}", b->id);
        return answer(c, 200, json);
}

/* {"acks":[1,2]} -> {"acks":{"1":true,"2":false}} */
static enum MHD_Result on_ack(struct MHD_Connection *c, const body *bd)
{
        const char *p = bd->data ? strstr(bd->data, "\"acks\"") : NULL;
        p = p ? strchr(p, '[') : NULL;
        if (!p)
                return answer(c, 400,
                              "{\"text\":\"Invalid data format\",\"code\":6}");
        size_t cap = 64 + bd->len * 8, len = 0;
        char *out = malloc(cap);
        if (!out)
                abort();
        len += (size_t)snprintf(out, cap, "{\"acks\":{");
        long long now = now_ms();
        size_t trues = 0, asked = 0;
        for (p++; *p && *p != ']';) {
                char *end;
                long long id = strtoll(p, &end, 10);
                if (end == p) {
                        p++;
                        continue;
                }
                p = end;
                bool ok = false;
                if (id >= 0 && id < (long long)g.nbatches) {
                        batch *b = &g.batches[id];
                        ok = !b->lost && now >= b->ready_ms;
                        if (ok)
                                index_batch(b);
                }
                trues += ok;
                len += (size_t)snprintf(out + len, cap - len, "%s\"%lld\":%s",
                                        asked++ ? "," : "", id,
                                        ok ? "true" : "false");
        }
        snprintf(out + len, cap - len, "}}");
        fprintf(stderr, "ack: %zu asked, %zu true\n", asked, trues);
        enum MHD_Result rc = answer(c, 200, out);
        free(out);
        return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **state)
{
        (void)cls;
        (void)version;
        body *bd = *state;
        if (!bd) {
                if (!(bd = calloc(1, sizeof(*bd))))
                        abort();
                *state = bd;
                return MHD_YES;
        }
        if (*upload_size) {
                char *d = realloc(bd->data, bd->len + *upload_size + 1);
                if (!d)
                        abort();
                memcpy(d + bd->len, upload, *upload_size);
                bd->len += *upload_size;
                d[bd->len] = '\0';
                bd->data = d;
                *upload_size = 0;
                return MHD_YES;
        }
        if (strcmp(method, "POST"))
                return answer(c, 405, "{\"text\":\"Method not allowed\"}");
        const char *auth =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
        char want[512];
        snprintf(want, sizeof(want), "Splunk %s", g.token);
        if (!auth) {
                fprintf(stderr, "%s: 401 (no token)\n", url);
                return answer(c, 401,
                              "{\"text\":\"Token is required\",\"code\":2}");
        }
        if (strcmp(auth, want)) {
                fprintf(stderr, "%s: 403 (wrong token)\n", url);
                return answer(c, 403,
                              "{\"text\":\"Invalid token\",\"code\":4}");
        }
        const char *channel = MHD_lookup_connection_value(
            c, MHD_HEADER_KIND, "X-Splunk-Request-Channel");
        if (g.acks && !channel) {
                fprintf(stderr, "%s: 400 (no channel)\n", url);
                return answer(
                    c, 400,
                    "{\"text\":\"Data channel is missing\",\"code\":10}");
        }
        if (!strcmp(url, "/services/collector/event"))
                return on_event(c, bd, channel);
        if (!strcmp(url, "/services/collector/ack") && g.acks) {
                const char *lb =
                    MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "hec_lb");
                if (g.sticky && (!lb || strcmp(lb, "indexer1"))) {
                        fprintf(stderr, "ack: 400 (no sticky session)\n");
                        return answer(c, 400,
                                      "{\"text\":\"Invalid ack "
                                      "request\",\"code\":6}");
                }
                return on_ack(c, bd);
        }
        return answer(c, 404, "{\"text\":\"The requested URL was not found\"}");
}

static void on_done(void *cls, struct MHD_Connection *c, void **state,
                    enum MHD_RequestTerminationCode why)
{
        (void)cls;
        (void)c;
        (void)why;
        body *bd = *state;
        if (bd)
                free(bd->data);
        free(bd);
        *state = NULL;
}

static const char usage[] =
    "usage: hec_receiver --token T --out FILE [--ack-delay-ms N] "
    "[--lose-acks K]\n"
    "       [--refuse K [--refuse-status 401|403]] [--unavailable K] "
    "[--no-acks]\n"
    "       [--response-delay-ms N] [--sticky]\n";

int main(int argc, char **argv)
{
        static const struct option opts[] = {
            {"token", 1, NULL, 't'},
            {"out", 1, NULL, 'o'},
            {"ack-delay-ms", 1, NULL, 'd'},
            {"lose-acks", 1, NULL, 'l'},
            {"refuse", 1, NULL, 'r'},
            {"refuse-status", 1, NULL, 's'},
            {"unavailable", 1, NULL, 'u'},
            {"no-acks", 0, NULL, 'n'},
            {"response-delay-ms", 1, NULL, 'w'},
            {"sticky", 0, NULL, 'y'},
            {NULL, 0, NULL, 0}};
        const char *out = NULL;
        int o;
        while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
                switch (o) {
                case 't':
                        g.token = optarg;
                        break;
                case 'o':
                        out = optarg;
                        break;
                case 'd':
                        g.ack_delay_ms = atoll(optarg);
                        break;
                case 'l':
                        g.lose_acks = atol(optarg);
                        break;
                case 'r':
                        g.refuse = atol(optarg);
                        break;
                case 's':
                        g.refuse_status = atoi(optarg);
                        break;
                case 'u':
                        g.unavailable = atol(optarg);
                        break;
                case 'n':
                        g.acks = false;
                        break;
                case 'y':
                        g.sticky = true;
                        break;
                case 'w':
                        g.response_delay_ms = atoll(optarg);
                        break;
                default:
                        fputs(usage, stderr);
                        return 2;
                }
        }
        if (!g.token || !out) {
                fputs(usage, stderr);
                return 2;
        }
        if (!(g.out = fopen(out, "a"))) {
                perror(out);
                return 1;
        }
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGINT);
        pthread_sigmask(SIG_BLOCK, &set, NULL); /* before MHD's thread */
        struct MHD_Daemon *d = MHD_start_daemon(
            MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
            on_request, NULL, MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
            MHD_OPTION_END);
        if (!d) {
                fputs("hec_receiver: cannot listen\n", stderr);
                return 1;
        }
        const union MHD_DaemonInfo *info =
            MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
        printf("%u\n", (unsigned)info->port);
        fflush(stdout);
        int sig;
        sigwait(&set, &sig);
        MHD_stop_daemon(d);
        fclose(g.out);
        return 0;
}
