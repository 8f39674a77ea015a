/*
 * kbc_bin.h - a little-endian binary encoding for files kbcorr writes for
 * itself (the rule bundle): fixed-width integers, doubles by their bits,
 * and strings as a length and the bytes, with one length meaning "absent"
 * (a NULL pointer). Writing appends to a kbc_buf; reading is bounded like
 * librdkafka's rd_kafka_buf_read_*: every read checks what is left, and the
 * first one that cannot be satisfied makes the reader bad (sticky) and
 * returns zeros, so a decoder reads a whole record and checks once, at one
 * place, where and why it stopped.
 */
#ifndef KBC_BIN_H
#define KBC_BIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kbc_buf.h"

/* The length that stands for a NULL string or list. */
#define KBC_BIN_ABSENT UINT32_MAX

void kbc_bin_put_u8(kbc_buf *b, uint8_t v);
void kbc_bin_put_u32(kbc_buf *b, uint32_t v);
void kbc_bin_put_u64(kbc_buf *b, uint64_t v);
void kbc_bin_put_f64(kbc_buf *b, double v);
/* s may be NULL (written as absent). */
void kbc_bin_put_str(kbc_buf *b, const char *s);

typedef struct kbc_bin_reader {
        const unsigned char *start, *p, *end;
        const char *bad; /* why reading stopped; NULL while all is well */
        size_t bad_at;   /* offset of the read that failed */
} kbc_bin_reader;

void kbc_bin_reader_init(kbc_bin_reader *r, const void *p, size_t n);
/* Marks r bad at its current offset (the first reason stays). */
void kbc_bin_fail(kbc_bin_reader *r, const char *why);

uint8_t kbc_bin_get_u8(kbc_bin_reader *r);
uint32_t kbc_bin_get_u32(kbc_bin_reader *r);
uint64_t kbc_bin_get_u64(kbc_bin_reader *r);
double kbc_bin_get_f64(kbc_bin_reader *r);
/* A 0/1 byte; anything else is bad. */
bool kbc_bin_get_bool(kbc_bin_reader *r);

/* A string: a view into the input (not NUL-terminated there) and whether
 * it was present. Bad when it runs past the end or holds a NUL byte (the
 * C strings it becomes could not say it). */
bool kbc_bin_get_str(kbc_bin_reader *r, const char **p, size_t *len);

/* A count of elements that take at least min_size bytes each: bad when
 * the rest of the input could not hold that many, so a hostile count can
 * never ask for more memory than the input's size justifies. absent says
 * whether KBC_BIN_ABSENT was read (then 0 is returned, not bad); NULL
 * when absence is not allowed. */
size_t kbc_bin_get_count(kbc_bin_reader *r, size_t min_size, bool *absent);

static inline size_t kbc_bin_offset(const kbc_bin_reader *r)
{
        return (size_t)(r->p - r->start);
}

static inline size_t kbc_bin_left(const kbc_bin_reader *r)
{
        return (size_t)(r->end - r->p);
}

#endif
