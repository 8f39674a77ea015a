/*
 * kafka_conf.c - one librdkafka configuration from layers of properties
 * (kbc_kafka.h).
 */
#include "kbc_kafka.h"

rd_kafka_conf_t *kbc_kafka_conf(const kbc_kafka_layer *layers, size_t nlayers,
                                const kbc_kafka_prop **bad, char *err,
                                size_t errsize)
{
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        for (size_t l = 0; l < nlayers; l++)
                for (size_t i = 0; i < layers[l].n; i++) {
                        const kbc_kafka_prop *p = &layers[l].props[i];
                        if (p->value &&
                            rd_kafka_conf_set(conf, p->name, p->value, err,
                                              errsize) != RD_KAFKA_CONF_OK) {
                                *bad = p;
                                rd_kafka_conf_destroy(conf);
                                return NULL;
                        }
                }
        return conf;
}
