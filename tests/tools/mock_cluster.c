/*
 * mock_cluster.c - a librdkafka mock cluster (real Kafka protocol on
 * loopback; SPEC.md §8) in a process of its own, so that kbcorrd can be
 * killed and restarted against a broker that keeps its topics, offsets
 * and consumer groups. The daemon tests drive it.
 *
 *   mock_cluster BROKERS TOPIC:PARTITIONS...
 *
 * Prints the bootstrap servers as one line on stdout, then reads commands
 * on stdin, one a line, until EOF:
 *   down N | up N              take broker N down or up
 *   coordinator GROUP N        move GROUP's coordinator to broker N
 *   errors API COUNT ERR       the next COUNT requests of API key API fail
 *                              with error code ERR (rdkafka_mock.h)
 * Each command answers "ok" or "error: ..." on stdout.
 */
#include <librdkafka/rdkafka.h>

#include <librdkafka/rdkafka_mock.h> /* after rdkafka.h, as it asks */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int command(rd_kafka_mock_cluster_t *mc, const char *line)
{
        char group[256];
        int n, api, count, err;
        if (sscanf(line, "down %d", &n) == 1)
                return rd_kafka_mock_broker_set_down(mc, n);
        if (sscanf(line, "up %d", &n) == 1)
                return rd_kafka_mock_broker_set_up(mc, n);
        if (sscanf(line, "coordinator %255s %d", group, &n) == 2)
                return rd_kafka_mock_coordinator_set(mc, "group", group, n);
        if (sscanf(line, "errors %d %d %d", &api, &count, &err) == 3) {
                for (int i = 0; i < count; i++)
                        rd_kafka_mock_push_request_errors(
                            mc, (int16_t)api, 1, (rd_kafka_resp_err_t)err);
                return 0;
        }
        return -1;
}

int main(int argc, char **argv)
{
        char errstr[512], line[512];
        if (argc < 2) {
                fprintf(stderr,
                        "usage: mock_cluster BROKERS TOPIC:PARTITIONS...\n");
                return 2;
        }
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        if (rd_kafka_conf_set(conf, "test.mock.num.brokers", argv[1], errstr,
                              sizeof(errstr)) != RD_KAFKA_CONF_OK ||
            rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr)) !=
                RD_KAFKA_CONF_OK) {
                fprintf(stderr, "mock_cluster: %s\n", errstr);
                return 2;
        }
        rd_kafka_t *rk =
            rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk) {
                fprintf(stderr, "mock_cluster: %s\n", errstr);
                return 2;
        }
        rd_kafka_mock_cluster_t *mc = rd_kafka_handle_mock_cluster(rk);
        for (int i = 2; i < argc; i++) {
                char topic[256];
                int parts = 1;
                if (sscanf(argv[i], "%255[^:]:%d", topic, &parts) < 1 ||
                    rd_kafka_mock_topic_create(mc, topic, parts, 1)) {
                        fprintf(stderr, "mock_cluster: bad topic '%s'\n",
                                argv[i]);
                        return 2;
                }
        }
        printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
        fflush(stdout);
        while (fgets(line, sizeof(line), stdin)) {
                int rc = command(mc, line);
                printf(rc ? "error: %s" : "ok\n", line);
                fflush(stdout);
        }
        rd_kafka_destroy(rk);
        return 0;
}
