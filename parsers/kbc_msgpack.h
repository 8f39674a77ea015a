/*
 * kbc_msgpack.h - the extent of one msgpack object, measured without
 * building it, so that neither a decoder nor a stream splitter hands
 * msgpack-c a header whose counts the bytes cannot hold (msgpack-c
 * allocates a container's elements from its count before reading them:
 * "array of 4 billion" in five bytes would ask for 96 GB).
 */
#ifndef KBC_MSGPACK_H
#define KBC_MSGPACK_H

#include <stdbool.h>
#include <stddef.h>

/* A msgpack map (fixmap, map16, map32) or array (fixarray, array16,
 * array32) first byte: how a Fluent Bit record starts, and how the
 * decoder and replay's reader tell msgpack from text. */
bool kbc_msgpack_starts_record(unsigned char first);

typedef enum kbc_msgpack_scan {
        KBC_MSGPACK_WHOLE, /* the object is the first *span bytes */
        KBC_MSGPACK_SHORT, /* the bytes end inside it (a length or count
                            * runs past them); more bytes may complete it */
        KBC_MSGPACK_BAD,   /* a 0xc1 byte, which msgpack never uses */
} kbc_msgpack_scan;

/* Walks the object that starts at p[0..len): every length must fit in
 * the bytes that remain and every container count too (each element takes
 * a byte at least). Iterative, so nesting costs no stack. *span is set
 * for KBC_MSGPACK_WHOLE only. */
kbc_msgpack_scan kbc_msgpack_span(const void *p, size_t len, size_t *span);

#endif
