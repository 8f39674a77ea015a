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
 *   produce TOPIC FILE         each line of FILE, "TIMESTAMP_MS<tab>KEY<tab>
 *                              VALUE", to TOPIC with that message timestamp
 *                              (kcat -P cannot set one), partitioned by key;
 *                              answers once all are delivered
 * Each command answers "ok" or "error: ..." on stdout.
 */
#include <librdkafka/rdkafka.h>

#include <librdkafka/rdkafka_mock.h> /* after rdkafka.h, as it asks */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The produce command; problems go to stderr as FILE:LINE. */
static int produce_file(rd_kafka_t *rk, const char *topic, const char *path)
{
        FILE *f = fopen(path, "r");
        char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        int lineno = 0, rc = f ? 0 : -1;
        while (!rc && (len = getline(&line, &cap, f)) > 0) {
                lineno++;
                while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
                        line[--len] = '\0';
                char *key = strchr(line, '\t');
                char *value = key ? strchr(key + 1, '\t') : NULL;
                char *end;
                long long ts = strtoll(line, &end, 10);
                if (!value || end != key) {
                        fprintf(stderr,
                                "mock_cluster: %s:%d: expected "
                                "TIMESTAMP_MS<tab>KEY<tab>VALUE\n",
                                path, lineno);
                        rc = -1;
                        break;
                }
                rd_kafka_resp_err_t err;
                while ((err = rd_kafka_producev(
                            rk, RD_KAFKA_V_TOPIC(topic),
                            RD_KAFKA_V_KEY(key + 1, (size_t)(value - key - 1)),
                            RD_KAFKA_V_VALUE(value + 1, strlen(value + 1)),
                            RD_KAFKA_V_TIMESTAMP(ts),
                            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                            RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
                        rd_kafka_poll(rk, 100);
                if (err) {
                        fprintf(stderr, "mock_cluster: %s:%d: %s\n", path,
                                lineno, rd_kafka_err2str(err));
                        rc = -1;
                }
        }
        free(line);
        if (f)
                fclose(f);
        else
                fprintf(stderr, "mock_cluster: cannot read %s\n", path);
        if (rd_kafka_flush(rk, 30000)) {
                fprintf(stderr, "mock_cluster: %s: not delivered in 30 s\n",
                        path);
                rc = -1;
        }
        return rc;
}

static int command(rd_kafka_t *rk, const char *line)
{
        rd_kafka_mock_cluster_t *mc = rd_kafka_handle_mock_cluster(rk);
        char group[256], topic[256], path[256];
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
        if (sscanf(line, "produce %255s %255s", topic, path) == 2)
                return produce_file(rk, topic, path);
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
                int rc = command(rk, line);
                printf(rc ? "error: %s" : "ok\n", line);
                fflush(stdout);
        }
        rd_kafka_destroy(rk);
        return 0;
}
