/*
 * kbc_buf.h - growable byte buffer with a hard cap (like curl's dynbuf):
 * output records and scratch space grow on demand but never without bound.
 */
#ifndef KBC_BUF_H
#define KBC_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kbc_str.h"

typedef struct kbc_buf {
        char *data;
        size_t len, cap, max;
        bool overflow; /* set once an append would pass max; sticky */
} kbc_buf;

void kbc_buf_init(kbc_buf *b, size_t max);
void kbc_buf_free(kbc_buf *b);
static inline void kbc_buf_reset(kbc_buf *b)
{
        b->len = 0;
        b->overflow = false;
}

/* Makes room for n more bytes (plus a NUL) without moving data later:
 * views into the buffer stay valid while appends stay within it. */
int kbc_buf_reserve(kbc_buf *b, size_t n);

/* Drops the first n bytes (at most len), moving the rest to the front. */
void kbc_buf_consume(kbc_buf *b, size_t n);

/* Appends return 0, or -1 (and set overflow) when max would be passed. */
int kbc_buf_append(kbc_buf *b, const void *p, size_t n);
int kbc_buf_putc(kbc_buf *b, char c);
int kbc_buf_puts(kbc_buf *b, const char *s);
int kbc_buf_printf(kbc_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if invalid. */
size_t kbc_utf8_len(const unsigned char *p, size_t avail);

/* JSON: a quoted, escaped string (invalid UTF-8 bytes become U+FFFD). */
int kbc_buf_json_str(kbc_buf *b, kbc_str s);
/* JSON: "key": with the separating comma when needed (first = !comma). */
int kbc_buf_json_key(kbc_buf *b, const char *key, bool comma);

#endif
