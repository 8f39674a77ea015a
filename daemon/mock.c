/*
 * mock.c - the `mock` setting: librdkafka's mock cluster in this process
 * (real Kafka protocol on loopback; SPEC.md §8), with the topics created
 * and the feed files produced keyed by host name, the way a SOC's
 * forwarders should key them, so that `kbcorrd` can be tried with nothing
 * else installed.
 */
#include <librdkafka/rdkafka.h>

#include <librdkafka/rdkafka_mock.h> /* after rdkafka.h, as it asks */
#include <stdlib.h>
#include <string.h>

#include "kbc_decode.h"
#include "kbcorrd.h"

static int create_topic(rd_kafka_mock_cluster_t *mc, const char *topic,
                        int partitions)
{
        rd_kafka_resp_err_t err =
            rd_kafka_mock_topic_create(mc, topic, partitions, 1);
        if (err) {
                kbcd_log("error", "mock: cannot create topic %s: %s", topic,
                         rd_kafka_err2str(err));
                return -1;
        }
        return 0;
}

/* Produces each line of path to topic, keyed by the event's host. */
static int feed_file(kbcd *d, kbc_decoder *dec, rd_kafka_topic_t *t,
                     const char *path)
{
        FILE *f = fopen(path, "r");
        char *line = NULL, err[256];
        size_t cap = 0, n = 0;
        ssize_t len;
        if (!f) {
                kbcd_log("error", "mock.feed: cannot read %s", path);
                return -1;
        }
        while ((len = getline(&line, &cap, f)) > 0) {
                while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
                        line[--len] = '\0';
                if (!len)
                        continue;
                kbc_event ev;
                char key[256];
                size_t keylen = 0;
                memset(&ev, 0, sizeof(ev));
                /* Lower case: host names compare without case, so MAIL-A
                 * and mail-a must land on one partition. */
                if (kbc_decode(dec, d->cfg.format, line, (size_t)len, &ev, err,
                               sizeof(err)) != KBC_FMT_AUTO)
                        for (; keylen < ev.host.len && keylen < sizeof(key);
                             keylen++)
                                key[keylen] =
                                    kbc_ascii_lower(ev.host.ptr[keylen]);
                while (rd_kafka_produce(t, RD_KAFKA_PARTITION_UA,
                                        RD_KAFKA_MSG_F_COPY, line, (size_t)len,
                                        keylen ? key : NULL, keylen,
                                        NULL) == -1)
                        rd_kafka_poll(d->mock_handle, 100);
                n++;
        }
        free(line);
        fclose(f);
        kbcd_log("info", "mock: produced %zu events from %s to %s", n, path,
                 rd_kafka_topic_name(t));
        return 0;
}

int kbcd_mock_start(kbcd *d)
{
        kbcd_config *c = &d->cfg;
        char err[512], brokers[8];
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        snprintf(brokers, sizeof(brokers), "%d", c->mock_brokers);
        if (rd_kafka_conf_set(conf, "test.mock.num.brokers", brokers, err,
                              sizeof(err)) != RD_KAFKA_CONF_OK) {
                kbcd_log("error", "mock: %s", err);
                rd_kafka_conf_destroy(conf);
                return -1;
        }
        d->mock_handle =
            rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
        if (!d->mock_handle) {
                kbcd_log("error", "mock: %s", err);
                rd_kafka_conf_destroy(conf); /* still ours */
                return -1;
        }
        rd_kafka_mock_cluster_t *mc =
            rd_kafka_handle_mock_cluster(d->mock_handle);
        const char *bootstraps = rd_kafka_mock_cluster_bootstraps(mc);
        for (size_t i = 0; i < c->ntopics; i++)
                if (c->topics[i][0] != '^' &&
                    create_topic(mc, c->topics[i], c->mock_partitions))
                        return -1;
        if ((c->out_topic && create_topic(mc, c->out_topic, 1)) ||
            (c->dead_topic && create_topic(mc, c->dead_topic, 1)))
                return -1;
        if (c->nkafka < KBCD_MAX_LIST)
                c->kafka[c->nkafka++] =
                    (kbc_kafka_prop){"bootstrap.servers", bootstraps};
        kbcd_log("info", "mock: %d brokers at %s", c->mock_brokers, bootstraps);

        if (!c->nmock_feed || !c->ntopics)
                return 0;
        kbc_decoder *dec = kbc_decoder_new();
        rd_kafka_topic_t *t =
            rd_kafka_topic_new(d->mock_handle, c->topics[0], NULL);
        int rc = dec && t ? 0 : -1;
        for (size_t i = 0; !rc && i < c->nmock_feed; i++)
                rc = feed_file(d, dec, t, c->mock_feed[i]);
        rd_kafka_flush(d->mock_handle, 10000);
        if (t)
                rd_kafka_topic_destroy(t);
        kbc_decoder_free(dec);
        return rc;
}

void kbcd_mock_stop(kbcd *d)
{
        if (d->mock_handle)
                rd_kafka_destroy(d->mock_handle);
}
