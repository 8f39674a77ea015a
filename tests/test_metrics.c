/*
 * test_metrics.c - kbcorrd's /metrics and /healthz (daemon/metrics.h),
 * served over real HTTP on loopback from figures the test hands over, the
 * way the consumer loop does: what a Prometheus scraper and a load
 * balancer's health check would read.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "../daemon/clock.h"
#include "../daemon/metrics.h"
#include "kbc_buf.h"

/* A port nobody listens on right now. */
static unsigned free_port(void)
{
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sa = {.sin_family = AF_INET,
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t len = sizeof(sa);
        assert_int_equal(bind(fd, (struct sockaddr *)&sa, len), 0);
        assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
        close(fd);
        return ntohs(sa.sin_port);
}

/* GET path over HTTP/1.0; the whole answer, headers and body. */
static char *get(unsigned port, const char *path)
{
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sa = {.sin_family = AF_INET,
                                 .sin_port = htons((uint16_t)port),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        char req[256];
        int n = snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\n\r\n", path);
        assert_int_equal(write(fd, req, (size_t)n), n);
        kbc_buf b;
        kbc_buf_init(&b, 1u << 20);
        char chunk[4096];
        ssize_t got;
        while ((got = read(fd, chunk, sizeof(chunk))) > 0)
                kbc_buf_append(&b, chunk, (size_t)got);
        close(fd);
        kbc_buf_putc(&b, '\0');
        return b.data;
}

/* The answer's status code. */
static int status(const char *answer)
{
        const char *sp = strchr(answer, ' ');
        return sp ? atoi(sp + 1) : -1;
}

typedef struct fixture {
        unsigned port;
        kbcd_metrics *m;
        kbc_ruleset *rules;
} fixture;

static int setup(void **state)
{
        static fixture f;
        const char *curated = KBC_SOURCE_DIR "/rules/curated";
        f.rules = kbc_ruleset_load(&curated, 1, NULL, NULL);
        assert_non_null(f.rules);
        f.port = free_port();
        char listen[32];
        snprintf(listen, sizeof(listen), "127.0.0.1:%u", f.port);
        f.m = kbcd_metrics_start(listen, kbc_ruleset_count(f.rules));
        assert_non_null(f.m);
        *state = &f;
        return 0;
}

static int teardown(void **state)
{
        fixture *f = *state;
        kbcd_metrics_stop(f->m);
        kbc_ruleset_free(f->rules);
        return 0;
}

static void test_page_shows_the_figures(void **state)
{
        fixture *f = *state;
        kbcd_partition_figures parts[] = {
            {.topic = "winlogs", .partition = 3, .lag = 7},
            {.topic = "winlogs", .partition = 4, .lag = -1, .stopped = true},
        };
        kbcd_figures fig = {.messages = 1234,
                            .dead_letters = 5,
                            .inflight = 2,
                            .nsinks = 1,
                            .parts = parts,
                            .nparts = 2,
                            .rules = f->rules};
        fig.pipelines.engine.hosts = 9;
        fig.sinks[0] = (kbcd_sink_state){"file \"a\"", 3, true};
        kbcd_observe_processing(&fig.work, 0.0002);
        kbcd_observe_processing(&fig.work, 0.0002);
        kbcd_metrics_publish(f->m, &fig, kbcd_now_ms());
        char *page = get(f->port, "/metrics");
        assert_int_equal(status(page), 200);
        assert_non_null(strstr(page, "\nkbcorr_messages_total 1234\n"));
        assert_non_null(strstr(page, "\nkbcorr_dead_letters_total 5\n"));
        assert_non_null(strstr(page, "\nkbcorr_inflight 2\n"));
        assert_non_null(strstr(page, "\nkbcorr_tracked_hosts 9\n"));
        assert_non_null(strstr(page, "\nkbcorr_assigned_partitions 2\n"));
        /* a partition of unknown lag has no lag sample */
        assert_non_null(strstr(
            page,
            "\nkbcorr_consumer_lag{topic=\"winlogs\",partition=\"3\"} 7\n"));
        assert_null(strstr(page, "partition=\"4\"} -1"));
        assert_non_null(strstr(page, "\nkbcorr_partition_stopped{topic="
                                     "\"winlogs\",partition=\"4\"} 1\n"));
        /* a label value cannot end its label */
        assert_non_null(strstr(
            page, "\nkbcorr_sink_errors_total{sink=\"file \\\"a\\\"\"} 3\n"));
        assert_non_null(strstr(page, "\nkbcorr_processing_seconds_count 2\n"));
        assert_non_null(strstr(
            page, "\nkbcorr_processing_seconds_bucket{le=\"0.0005\"} 2\n"));
        free(page);
}

static void test_counts_by_kb_restart_with_a_reload(void **state)
{
        fixture *f = *state;
        kbcd_figures fig = {.rules = f->rules};
        const char *id = kbc_rule_id(kbc_ruleset_rule(f->rules, 0));
        char want[128];
        snprintf(want, sizeof(want), "\nkbcorr_incidents_total{kb=\"%s\"} 2\n",
                 id);
        kbcd_metrics_incident(f->m, 0);
        kbcd_metrics_incident(f->m, 0);
        kbcd_metrics_publish(f->m, &fig, kbcd_now_ms());
        char *page = get(f->port, "/metrics");
        assert_non_null(strstr(page, want));
        free(page);
        assert_int_equal(
            kbcd_metrics_prepare(f->m, kbc_ruleset_count(f->rules)), 0);
        kbcd_metrics_switch(f->m);
        kbcd_metrics_publish(f->m, &fig, kbcd_now_ms());
        page = get(f->port, "/metrics");
        assert_null(strstr(page, "kbcorr_incidents_total{"));
        free(page);
}

static void test_healthz_says_why(void **state)
{
        fixture *f = *state;
        kbcd_figures fig = {.rules = f->rules};
        kbcd_metrics_publish(f->m, &fig, kbcd_now_ms());
        char *page = get(f->port, "/healthz");
        assert_int_equal(status(page), 200);
        assert_non_null(strstr(page, "\r\n\r\nok\n"));
        free(page);
        snprintf(fig.unhealthy, sizeof(fig.unhealthy),
                 "partition stopped: winlogs[4] stopped at offset 17");
        kbcd_metrics_publish(f->m, &fig, kbcd_now_ms());
        page = get(f->port, "/healthz");
        assert_int_equal(status(page), 503);
        assert_non_null(strstr(page, "winlogs[4] stopped at offset 17\n"));
        free(page);
        /* a loop that stops publishing is a loop that stopped */
        fig.unhealthy[0] = '\0';
        kbcd_metrics_publish(f->m, &fig, kbcd_now_ms() - 6000);
        page = get(f->port, "/healthz");
        assert_int_equal(status(page), 503);
        assert_non_null(strstr(page, "consumer loop stalled"));
        free(page);
}

static void test_unknown_path(void **state)
{
        fixture *f = *state;
        char *page = get(f->port, "/nothing");
        assert_int_equal(status(page), 404);
        free(page);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_page_shows_the_figures),
            cmocka_unit_test(test_counts_by_kb_restart_with_a_reload),
            cmocka_unit_test(test_healthz_says_why),
            cmocka_unit_test(test_unknown_path),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
