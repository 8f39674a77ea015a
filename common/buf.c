/*
 * buf.c - capped dynamic buffer and the JSON string escaper used by every
 * writer (incidents, kb parse, explain).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbc_buf.h"

void kbc_buf_init(kbc_buf *b, size_t max)
{
        memset(b, 0, sizeof(*b));
        b->max = max;
}

void kbc_buf_free(kbc_buf *b)
{
        free(b->data);
        memset(b, 0, sizeof(*b));
}

void kbc_buf_consume(kbc_buf *b, size_t n)
{
        if (n > b->len)
                n = b->len;
        if (n)
                memmove(b->data, b->data + n, b->len - n);
        b->len -= n;
        if (b->data)
                b->data[b->len] = '\0';
}

int kbc_buf_reserve(kbc_buf *b, size_t extra)
{
        if (b->overflow || extra > b->max - b->len) {
                b->overflow = true;
                return -1;
        }
        size_t need = b->len + extra + 1; /* room for a NUL */
        if (need <= b->cap)
                return 0;
        size_t cap = b->cap ? b->cap : 256;
        while (cap < need)
                cap *= 2;
        char *p = realloc(b->data, cap);
        if (!p) {
                b->overflow = true;
                return -1;
        }
        b->data = p;
        b->cap = cap;
        return 0;
}

int kbc_buf_append(kbc_buf *b, const void *p, size_t n)
{
        if (kbc_buf_reserve(b, n))
                return -1;
        if (n)
                memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
        return 0;
}

int kbc_buf_putc(kbc_buf *b, char c)
{
        return kbc_buf_append(b, &c, 1);
}

int kbc_buf_puts(kbc_buf *b, const char *s)
{
        return kbc_buf_append(b, s, strlen(s));
}

int kbc_buf_printf(kbc_buf *b, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (n < 0 || kbc_buf_reserve(b, (size_t)n))
                return -1;
        va_start(ap, fmt);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
        b->len += (size_t)n;
        return 0;
}

size_t kbc_utf8_len(const unsigned char *p, size_t avail)
{
        unsigned char c = p[0];
        size_t n;
        if (c < 0x80)
                return 1;
        if (c >= 0xc2 && c <= 0xdf)
                n = 2;
        else if (c >= 0xe0 && c <= 0xef)
                n = 3;
        else if (c >= 0xf0 && c <= 0xf4)
                n = 4;
        else
                return 0;
        if (n > avail)
                return 0;
        for (size_t i = 1; i < n; i++)
                if ((p[i] & 0xc0) != 0x80)
                        return 0;
        if (n == 3 && c == 0xe0 && p[1] < 0xa0)
                return 0; /* overlong */
        if (n == 3 && c == 0xed && p[1] >= 0xa0)
                return 0; /* surrogate */
        if (n == 4 && c == 0xf0 && p[1] < 0x90)
                return 0;
        if (n == 4 && c == 0xf4 && p[1] >= 0x90)
                return 0;
        return n;
}

int kbc_buf_json_str(kbc_buf *b, kbc_str s)
{
        static const char hex[] = "0123456789abcdef";
        const unsigned char *p = (const unsigned char *)s.ptr;
        size_t i = 0, run = 0;
        int rc = kbc_buf_putc(b, '"');

        while (i < s.len) {
                unsigned char c = p[i];
                size_t n = c >= 0x20 && c != '"' && c != '\\'
                               ? kbc_utf8_len(p + i, s.len - i)
                               : 0;
                if (n) { /* copy clean runs in one append */
                        i += n;
                        run += n;
                        continue;
                }
                rc |= kbc_buf_append(b, p + i - run, run);
                run = 0;
                if (c == '"' || c == '\\') {
                        char esc[2] = {'\\', (char)c};
                        rc |= kbc_buf_append(b, esc, 2);
                } else if (c == '\n') {
                        rc |= kbc_buf_append(b, "\\n", 2);
                } else if (c == '\r') {
                        rc |= kbc_buf_append(b, "\\r", 2);
                } else if (c == '\t') {
                        rc |= kbc_buf_append(b, "\\t", 2);
                } else if (c < 0x20) {
                        char esc[6] = {'\\', 'u',         '0',
                                       '0',  hex[c >> 4], hex[c & 15]};
                        rc |= kbc_buf_append(b, esc, 6);
                } else {
                        rc |= kbc_buf_append(b, "\xef\xbf\xbd", 3);
                }
                i++;
        }
        rc |= kbc_buf_append(b, p + i - run, run);
        rc |= kbc_buf_putc(b, '"');
        return rc ? -1 : 0;
}

int kbc_buf_json_key(kbc_buf *b, const char *key, bool comma)
{
        int rc = 0;
        if (comma)
                rc |= kbc_buf_putc(b, ',');
        rc |= kbc_buf_json_str(b, kbc_str_cstr(key));
        rc |= kbc_buf_putc(b, ':');
        return rc ? -1 : 0;
}
