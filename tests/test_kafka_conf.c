/*
 * test_kafka_conf.c - how kbcorrd and `kbcorr replay --kafka` build their
 * librdkafka configuration (common/kbc_kafka.h): layers in order, the
 * user's settings over kbcorr's defaults and the program's forced ones
 * over both, and a property librdkafka refuses named in the error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kbc_kafka.h"

static void value_of(rd_kafka_conf_t *conf, const char *name, char *out,
                     size_t size)
{
        assert_int_equal(rd_kafka_conf_get(conf, name, out, &size),
                         RD_KAFKA_CONF_OK);
}

static void later_layers_win(void **state)
{
        (void)state;
        const kbc_kafka_prop defaults[] = {{"client.id", "kbcorr"},
                                           {"fetch.wait.max.ms", "10"},
                                           KBC_KAFKA_CONSUMER_TUNING};
        const kbc_kafka_prop user[] = {{"client.id", "soc-7"},
                                       {"fetch.max.bytes", "1048576"},
                                       {"fetch.wait.max.ms", NULL}};
        const kbc_kafka_prop forced[] = {{"client.id", "forced"}};
        const kbc_kafka_layer layers[] = {
            {defaults, 4}, {user, 3}, {forced, 1}};
        const kbc_kafka_prop *bad = NULL;
        char err[512], v[64];
        rd_kafka_conf_t *conf =
            kbc_kafka_conf(layers, 3, &bad, err, sizeof(err));
        assert_non_null(conf);
        value_of(conf, "client.id", v, sizeof(v));
        assert_string_equal(v, "forced");
        value_of(conf, "fetch.max.bytes", v, sizeof(v));
        assert_string_equal(v, "1048576"); /* the user's over the tuning */
        value_of(conf, "fetch.wait.max.ms", v, sizeof(v));
        assert_string_equal(v, "10"); /* a NULL value changes nothing */
        value_of(conf, "queued.max.messages.kbytes", v, sizeof(v));
        assert_string_equal(v, "262144");
        rd_kafka_conf_destroy(conf);

        conf = kbc_kafka_conf(layers, 2, &bad, err, sizeof(err));
        assert_non_null(conf);
        value_of(conf, "client.id", v, sizeof(v));
        assert_string_equal(v, "soc-7");
        rd_kafka_conf_destroy(conf);
}

static void refused_property_named(void **state)
{
        (void)state;
        const kbc_kafka_prop user[] = {{"client.id", "soc-7"},
                                       {"no.such.property", "1"},
                                       {"fetch.wait.max.ms", "10"}};
        const kbc_kafka_layer layers[] = {{user, 3}};
        const kbc_kafka_prop *bad = NULL;
        char err[512] = "";
        assert_null(kbc_kafka_conf(layers, 1, &bad, err, sizeof(err)));
        assert_ptr_equal(bad, &user[1]);
        assert_non_null(strstr(err, "No such configuration property"));

        const kbc_kafka_prop wrong[] = {{"fetch.wait.max.ms", "soon"}};
        const kbc_kafka_layer again[] = {{wrong, 1}};
        assert_null(kbc_kafka_conf(again, 1, &bad, err, sizeof(err)));
        assert_ptr_equal(bad, &wrong[0]);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(later_layers_win),
            cmocka_unit_test(refused_property_named),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
