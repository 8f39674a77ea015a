/*
 * json_msgpack.c - one JSON document as the equivalent msgpack object, for
 * the binary incident output: the incident schema has one writer (JSON,
 * rules/incident.c) and this transcodes it, so the two forms cannot drift.
 * Integers stay integers, other numbers become doubles, strings are
 * unescaped.
 */
#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "kbc_buf.h"

static int write_buf(void *data, const char *buf, size_t len)
{
        return kbc_buf_append(data, buf, len);
}

/* Packs token tok and what it holds; returns the token after it, or -1. */
static int pack(kbc_json *j, msgpack_packer *pk, int tok, int depth)
{
        kbc_str s;
        int64_t v;
        if (depth > KBC_JSON_MAX_DEPTH)
                return -1;
        switch (kbc_json_typeof(j, tok)) {
        case KBC_JSON_OBJECT: {
                uint32_t n = 0;
                for (int k = kbc_json_first_key(j, tok); k >= 0;
                     k = kbc_json_next_key(j, tok, k))
                        n++;
                msgpack_pack_map(pk, n);
                for (int k = kbc_json_first_key(j, tok); k >= 0;
                     k = kbc_json_next_key(j, tok, k))
                        if (pack(j, pk, k, depth + 1) < 0 ||
                            pack(j, pk, k + 1, depth + 1) < 0)
                                return -1;
                break;
        }
        case KBC_JSON_ARRAY: {
                int end = kbc_json_skip(j, tok);
                uint32_t n = 0;
                for (int e = tok + 1; e < end; e = kbc_json_skip(j, e))
                        n++;
                msgpack_pack_array(pk, n);
                for (int e = tok + 1; e < end; e = kbc_json_skip(j, e))
                        if (pack(j, pk, e, depth + 1) < 0)
                                return -1;
                break;
        }
        case KBC_JSON_STRING:
                if (kbc_json_string(j, tok, &s))
                        return -1;
                msgpack_pack_str(pk, s.len);
                msgpack_pack_str_body(pk, s.ptr, s.len);
                break;
        case KBC_JSON_NUMBER:
                if (kbc_json_int(j, tok, &v) == KBC_JSON_OK) {
                        msgpack_pack_int64(pk, v);
                } else {
                        char num[64];
                        kbc_str raw = kbc_json_raw(j, tok);
                        if (raw.len >= sizeof(num))
                                return -1;
                        memcpy(num, raw.ptr, raw.len);
                        num[raw.len] = '\0';
                        msgpack_pack_double(pk, strtod(num, NULL));
                }
                break;
        case KBC_JSON_BOOL:
                if (kbc_json_raw(j, tok).ptr[0] == 't')
                        msgpack_pack_true(pk);
                else
                        msgpack_pack_false(pk);
                break;
        case KBC_JSON_NULL:
                msgpack_pack_nil(pk);
                break;
        default:
                return -1;
        }
        return kbc_json_skip(j, tok);
}

int kbc_json_to_msgpack(const char *json, size_t len, kbc_buf *out)
{
        char err[128];
        kbc_json *j = kbc_json_new(len);
        if (!j)
                return -1;
        int rc = kbc_json_parse(j, json, len, err, sizeof(err));
        if (!rc) {
                msgpack_packer pk;
                msgpack_packer_init(&pk, out, write_buf);
                rc = pack(j, &pk, 0, 0) < 0 || out->overflow ? -1 : 0;
        }
        kbc_json_free(j);
        return rc;
}
