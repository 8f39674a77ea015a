/*
 * test_json.c - kbc_json_find on the top-level object (answered from a hash
 * of its keys) gives what the linear search gives on the same object one
 * level down: duplicates, escaped keys, many keys, absent keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"
#include "kbc_buf.h"

/* Every key in keys (and some absent ones) looked up in obj at the top
 * level and inside {"w": obj}: the value found must be the same text. */
static void assert_same_lookups(const char *obj, const char *const *keys,
                                size_t nkeys)
{
        char top_err[256], nested_err[256];
        kbc_json *top = kbc_json_new(1 << 20), *nested = kbc_json_new(1 << 20);
        assert_non_null(top);
        assert_non_null(nested);
        kbc_buf wrapped;
        kbc_buf_init(&wrapped, 1 << 20);
        assert_int_equal(kbc_buf_printf(&wrapped, "{\"w\":%s}", obj), 0);
        assert_int_equal(
            kbc_json_parse(top, obj, strlen(obj), top_err, sizeof(top_err)), 0);
        assert_int_equal(kbc_json_parse(nested, wrapped.data, wrapped.len,
                                        nested_err, sizeof(nested_err)),
                         0);
        int inner = kbc_json_find(nested, 0, kbc_str_make("w", 1));
        assert_true(inner > 0);
        for (size_t i = 0; i < nkeys; i++) {
                kbc_str key = kbc_str_make(keys[i], strlen(keys[i]));
                int a = kbc_json_find(top, 0, key);
                int b = kbc_json_find(nested, inner, key);
                assert_int_equal(a < 0, b < 0);
                if (a >= 0) {
                        kbc_str va = kbc_json_raw(top, a);
                        kbc_str vb = kbc_json_raw(nested, b);
                        assert_int_equal(va.len, vb.len);
                        assert_memory_equal(va.ptr, vb.ptr, va.len);
                }
        }
        kbc_buf_free(&wrapped);
        kbc_json_free(top);
        kbc_json_free(nested);
}

static void test_top_level_lookups(void **state)
{
        (void)state;
        static const char *const keys[] = {
            "id", "a", "b", "dup", "", "ab", "idx", "missing", "a\\b", "é",
        };
        static const char *const objects[] = {
            "{}",
            "{\"a\":1,\"b\":2,\"dup\":\"first\",\"dup\":\"second\",\"\":0}",
            "{\"ab\":1,\"a\":2,\"idx\":3}",
            /* an escaped key equal to a plain one once decoded */
            "{\"\\u0069d\":\"escaped\",\"id\":\"plain\",\"a\":1}",
            "{\"\\u00e9\":1,\"a\\\\b\":2}",
            "{\"a\":{\"id\":1},\"id\":[1,{\"id\":2}]}",
        };
        for (size_t i = 0; i < sizeof(objects) / sizeof(*objects); i++)
                assert_same_lookups(objects[i], keys,
                                    sizeof(keys) / sizeof(*keys));
}

/* More keys than the index takes, and as many as it takes. */
static void test_many_keys(void **state)
{
        (void)state;
        for (int n = 120; n <= 140; n += 20) {
                kbc_buf obj;
                kbc_buf_init(&obj, 1 << 20);
                char names[160][16];
                const char *keys[161];
                assert_int_equal(kbc_buf_printf(&obj, "{"), 0);
                for (int i = 0; i < n; i++) {
                        snprintf(names[i], sizeof(names[i]), "k%d", i);
                        keys[i] = names[i];
                        assert_int_equal(kbc_buf_printf(&obj, "%s\"k%d\":%d",
                                                        i ? "," : "", i, i),
                                         0);
                }
                keys[n] = "k9999";
                assert_int_equal(kbc_buf_printf(&obj, "}"), 0);
                assert_same_lookups(obj.data, keys, (size_t)n + 1);
                kbc_buf_free(&obj);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_top_level_lookups),
            cmocka_unit_test(test_many_keys),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
