/*
 * msgpack_span.c - where one msgpack object ends (kbc_msgpack.h), for the
 * Fluent Bit decoder (fluentbit.c) and for replay's splitting of a file of
 * concatenated objects (tools/split_stream.c).
 *
 * The walk keeps one number, the objects still to read: a scalar takes
 * its type byte and its fixed or length-given bytes, a container adds its
 * elements (twice its count for a map). A length or count that cannot fit
 * in the bytes left means the bytes end inside the object, which is all a
 * stream reader needs to know to read on and all a decoder needs to refuse
 * it.
 */
#include <stdint.h>

#include "kbc_msgpack.h"

bool kbc_msgpack_starts_record(unsigned char b)
{
        return (b >= 0x80 && b <= 0x9f) || (b >= 0xdc && b <= 0xdf);
}

static size_t be(const unsigned char *p, int n)
{
        size_t v = 0;
        for (int i = 0; i < n; i++)
                v = v << 8 | p[i];
        return v;
}

/* The bytes after the type byte b of a fixed-size scalar, or -1. */
static int fixed_size(unsigned char b)
{
        switch (b) {
        case 0xcc: /* uint8, int8 */
        case 0xd0:
                return 1;
        case 0xcd: /* uint16, int16, fixext 1 */
        case 0xd1:
        case 0xd4:
                return 2;
        case 0xd5: /* fixext 2 */
                return 3;
        case 0xca: /* float32, uint32, int32 */
        case 0xce:
        case 0xd2:
                return 4;
        case 0xd6: /* fixext 4 */
                return 5;
        case 0xcb: /* float64, uint64, int64 */
        case 0xcf:
        case 0xd3:
                return 8;
        case 0xd7: /* fixext 8 */
                return 9;
        case 0xd8: /* fixext 16 */
                return 17;
        default:
                return -1;
        }
}

/* The size of the length field after b (str, bin, ext, array, map 8/16/32),
 * or 0. */
static int length_size(unsigned char b)
{
        switch (b) {
        case 0xc4: /* bin8, str8, ext8 */
        case 0xd9:
        case 0xc7:
                return 1;
        case 0xc5: /* bin16, str16, ext16, array16, map16 */
        case 0xda:
        case 0xc8:
        case 0xdc:
        case 0xde:
                return 2;
        case 0xc6: /* bin32, str32, ext32, array32, map32 */
        case 0xdb:
        case 0xc9:
        case 0xdd:
        case 0xdf:
                return 4;
        default:
                return 0;
        }
}

kbc_msgpack_scan kbc_msgpack_span(const void *data, size_t len, size_t *span)
{
        const unsigned char *p = data;
        size_t pos = 0, pending = 1;
        while (pending > 0) {
                if (pos >= len)
                        return KBC_MSGPACK_SHORT;
                unsigned char b = p[pos++];
                size_t rest = len - pos, skip = 0, items = 0;
                int n;
                pending--;
                if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 ||
                    b == 0xc3)
                        continue; /* fixint, nil, booleans */
                if (b == 0xc1)
                        return KBC_MSGPACK_BAD;
                if (b <= 0x8f) {
                        items = 2 * (size_t)(b & 0x0f); /* fixmap */
                } else if (b <= 0x9f) {
                        items = b & 0x0f; /* fixarray */
                } else if (b <= 0xbf) {
                        skip = b & 0x1f; /* fixstr */
                } else if ((n = fixed_size(b)) > 0) {
                        skip = (size_t)n;
                } else {
                        n = length_size(b);
                        if (rest < (size_t)n)
                                return KBC_MSGPACK_SHORT;
                        size_t count = be(p + pos, n);
                        pos += (size_t)n;
                        rest -= (size_t)n;
                        if (b == 0xdc || b == 0xdd)
                                items = count;
                        else if (b == 0xde || b == 0xdf)
                                items = 2 * count;
                        else /* an ext has its type byte after the length */
                                skip = count +
                                       (b == 0xc7 || b == 0xc8 || b == 0xc9);
                }
                if (skip > rest || items > rest - skip)
                        return KBC_MSGPACK_SHORT;
                pos += skip;
                pending += items;
        }
        *span = pos;
        return KBC_MSGPACK_WHOLE;
}
