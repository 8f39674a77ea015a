/* bin.c - the binary encoding of kbc_bin.h. */
#include <string.h>

#include "kbc_bin.h"

void kbc_bin_put_u8(kbc_buf *b, uint8_t v)
{
        kbc_buf_append(b, &v, 1);
}

void kbc_bin_put_u32(kbc_buf *b, uint32_t v)
{
        unsigned char x[4];
        for (int i = 0; i < 4; i++)
                x[i] = (unsigned char)(v >> (8 * i));
        kbc_buf_append(b, x, sizeof(x));
}

void kbc_bin_put_u64(kbc_buf *b, uint64_t v)
{
        unsigned char x[8];
        for (int i = 0; i < 8; i++)
                x[i] = (unsigned char)(v >> (8 * i));
        kbc_buf_append(b, x, sizeof(x));
}

void kbc_bin_put_f64(kbc_buf *b, double v)
{
        uint64_t bits;
        memcpy(&bits, &v, sizeof(bits));
        kbc_bin_put_u64(b, bits);
}

void kbc_bin_put_str(kbc_buf *b, const char *s)
{
        if (!s) {
                kbc_bin_put_u32(b, KBC_BIN_ABSENT);
                return;
        }
        size_t n = strlen(s);
        if (n >= KBC_BIN_ABSENT) { /* cannot be said: spoil the buffer */
                b->overflow = true;
                return;
        }
        kbc_bin_put_u32(b, (uint32_t)n);
        kbc_buf_append(b, s, n);
}

void kbc_bin_reader_init(kbc_bin_reader *r, const void *p, size_t n)
{
        r->start = r->p = p;
        r->end = r->start + n;
        r->bad = NULL;
        r->bad_at = 0;
}

void kbc_bin_fail(kbc_bin_reader *r, const char *why)
{
        if (r->bad)
                return;
        r->bad = why;
        r->bad_at = kbc_bin_offset(r);
        r->p = r->end; /* every later read fails too */
}

/* n bytes, or NULL (and r bad) when fewer are left. */
static const unsigned char *take(kbc_bin_reader *r, size_t n)
{
        if (r->bad || kbc_bin_left(r) < n) {
                kbc_bin_fail(r, "truncated");
                return NULL;
        }
        const unsigned char *p = r->p;
        r->p += n;
        return p;
}

uint8_t kbc_bin_get_u8(kbc_bin_reader *r)
{
        const unsigned char *p = take(r, 1);
        return p ? p[0] : 0;
}

static uint64_t get_le(kbc_bin_reader *r, int n)
{
        const unsigned char *p = take(r, (size_t)n);
        uint64_t v = 0;
        for (int i = n - 1; p && i >= 0; i--)
                v = (v << 8) | p[i];
        return v;
}

uint32_t kbc_bin_get_u32(kbc_bin_reader *r)
{
        return (uint32_t)get_le(r, 4);
}

uint64_t kbc_bin_get_u64(kbc_bin_reader *r)
{
        return get_le(r, 8);
}

double kbc_bin_get_f64(kbc_bin_reader *r)
{
        uint64_t bits = kbc_bin_get_u64(r);
        double v;
        memcpy(&v, &bits, sizeof(v));
        return v;
}

bool kbc_bin_get_bool(kbc_bin_reader *r)
{
        uint8_t v = kbc_bin_get_u8(r);
        if (v > 1)
                kbc_bin_fail(r, "a flag that is neither 0 nor 1");
        return v == 1;
}

bool kbc_bin_get_str(kbc_bin_reader *r, const char **p, size_t *len)
{
        uint32_t n = kbc_bin_get_u32(r);
        *p = NULL;
        *len = 0;
        if (r->bad || n == KBC_BIN_ABSENT)
                return false;
        const unsigned char *s = take(r, n);
        if (!s)
                return false;
        if (memchr(s, '\0', n)) {
                r->p = s; /* report where the string starts */
                kbc_bin_fail(r, "a string holding a NUL byte");
                return false;
        }
        *p = (const char *)s;
        *len = n;
        return true;
}

size_t kbc_bin_get_count(kbc_bin_reader *r, size_t min_size, bool *absent)
{
        uint32_t n = kbc_bin_get_u32(r);
        if (absent)
                *absent = !r->bad && n == KBC_BIN_ABSENT;
        if (r->bad || (absent && *absent))
                return 0;
        if (n == KBC_BIN_ABSENT || (uint64_t)n * min_size > kbc_bin_left(r)) {
                r->p -= 4;
                kbc_bin_fail(r, "a count larger than the rest of the file");
                return 0;
        }
        return n;
}
