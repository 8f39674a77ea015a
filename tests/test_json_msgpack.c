/*
 * test_json_msgpack.c - the binary incident output: a JSON document
 * transcoded to msgpack unpacks (with msgpack-c) to the same tree: maps
 * in key order, arrays, unescaped strings, integers as integers, other
 * numbers as doubles, booleans and null; invalid JSON is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <msgpack.h>

#include "json.h"

static const msgpack_object *member(const msgpack_object *map, const char *k)
{
        assert_int_equal(map->type, MSGPACK_OBJECT_MAP);
        for (uint32_t i = 0; i < map->via.map.size; i++) {
                const msgpack_object_kv *kv = &map->via.map.ptr[i];
                if (kv->key.type == MSGPACK_OBJECT_STR &&
                    kv->key.via.str.size == strlen(k) &&
                    !memcmp(kv->key.via.str.ptr, k, strlen(k)))
                        return &kv->val;
        }
        fail_msg("no key %s", k);
        return NULL;
}

static void assert_str(const msgpack_object *o, const char *want)
{
        assert_int_equal(o->type, MSGPACK_OBJECT_STR);
        assert_int_equal(o->via.str.size, strlen(want));
        assert_memory_equal(o->via.str.ptr, want, strlen(want));
}

static void test_incident_shape(void **state)
{
        (void)state;
        const char *json =
            "{\"@timestamp\":\"2024-03-14T09:12:00.000Z\","
            "\"event\":{\"kind\":\"alert\",\"id\":\"7f4a0c751f7256dc\","
            "\"count\":3,\"severity\":-2},"
            "\"kb\":{\"id\":\"Q247773\",\"confidence\":0.8,\"ambiguous\":false,"
            "\"cause\":\"line one\\nline \\\"two\\\" \\u00e9\"},"
            "\"candidates\":[{\"kb.id\":\"Q247773\",\"score\":4},"
            "{\"kb.id\":\"Q324332\",\"score\":1.5}],"
            "\"evidence\":[],\"note\":null,\"flag\":true}";
        kbc_buf out;
        kbc_buf_init(&out, 1 << 20);
        assert_int_equal(kbc_json_to_msgpack(json, strlen(json), &out), 0);

        msgpack_unpacked u;
        msgpack_unpacked_init(&u);
        size_t off = 0;
        assert_int_equal(msgpack_unpack_next(&u, out.data, out.len, &off),
                         MSGPACK_UNPACK_SUCCESS);
        assert_int_equal(off, out.len); /* one object, nothing after it */
        const msgpack_object *root = &u.data;
        assert_int_equal(root->via.map.size, 7);
        assert_str(&root->via.map.ptr[0].key, "@timestamp"); /* in order */
        const msgpack_object *ev = member(root, "event");
        assert_str(member(ev, "id"), "7f4a0c751f7256dc");
        assert_int_equal(member(ev, "count")->type,
                         MSGPACK_OBJECT_POSITIVE_INTEGER);
        assert_int_equal(member(ev, "count")->via.u64, 3);
        assert_int_equal(member(ev, "severity")->via.i64, -2);
        const msgpack_object *kb = member(root, "kb");
        assert_int_equal(member(kb, "confidence")->type,
                         MSGPACK_OBJECT_FLOAT64);
        assert_true(member(kb, "confidence")->via.f64 == 0.8);
        assert_int_equal(member(kb, "ambiguous")->type, MSGPACK_OBJECT_BOOLEAN);
        assert_false(member(kb, "ambiguous")->via.boolean);
        assert_str(member(kb, "cause"), "line one\nline \"two\" \xc3\xa9");
        const msgpack_object *c = member(root, "candidates");
        assert_int_equal(c->type, MSGPACK_OBJECT_ARRAY);
        assert_int_equal(c->via.array.size, 2);
        assert_str(member(&c->via.array.ptr[1], "kb.id"), "Q324332");
        assert_true(member(&c->via.array.ptr[1], "score")->via.f64 == 1.5);
        assert_int_equal(member(root, "evidence")->via.array.size, 0);
        assert_int_equal(member(root, "note")->type, MSGPACK_OBJECT_NIL);
        assert_true(member(root, "flag")->via.boolean);
        msgpack_unpacked_destroy(&u);
        kbc_buf_free(&out);
}

static void test_invalid_json_refused(void **state)
{
        (void)state;
        kbc_buf out;
        kbc_buf_init(&out, 1 << 20);
        assert_int_equal(kbc_json_to_msgpack("{\"a\":", 5, &out), -1);
        assert_int_equal(kbc_json_to_msgpack("[1,2]", 5, &out), -1);
        kbc_buf_free(&out);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_incident_shape),
            cmocka_unit_test(test_invalid_json_refused),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
