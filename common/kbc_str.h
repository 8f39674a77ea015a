/*
 * kbc_str.h - string views: a pointer and a length into someone else's
 * buffer. Decoders hand events out as views over the input so the hot path
 * copies nothing; whoever keeps a view past the buffer's life copies it.
 */
#ifndef KBC_STR_H
#define KBC_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct kbc_str {
        const char *ptr;
        size_t len;
} kbc_str;

#define KBC_STR_LIT(s) ((kbc_str){(s), sizeof(s) - 1})

static inline kbc_str kbc_str_make(const char *ptr, size_t len)
{
        return (kbc_str){ptr, len};
}

static inline kbc_str kbc_str_cstr(const char *s)
{
        return (kbc_str){s, s ? strlen(s) : 0};
}

static inline bool kbc_str_empty(kbc_str s)
{
        return s.len == 0;
}

static inline char kbc_ascii_lower(char c)
{
        return (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
}

/* Equality ignoring ASCII case, as Windows compares host, provider and
 * channel names. */
static inline bool kbc_str_caseeq(kbc_str a, kbc_str b)
{
        if (a.len != b.len)
                return false;
        for (size_t i = 0; i < a.len; i++)
                if (kbc_ascii_lower(a.ptr[i]) != kbc_ascii_lower(b.ptr[i]))
                        return false;
        return true;
}

/* Where w first occurs in s, ignoring ASCII case; -1 if nowhere. */
static inline long kbc_str_casefind(kbc_str s, const char *w)
{
        size_t n = strlen(w);
        for (size_t i = 0; i + n <= s.len; i++)
                if (kbc_str_caseeq(kbc_str_make(s.ptr + i, n),
                                   kbc_str_make(w, n)))
                        return (long)i;
        return -1;
}

static inline bool kbc_str_eq(kbc_str a, kbc_str b)
{
        return a.len == b.len && (a.len == 0 || !memcmp(a.ptr, b.ptr, a.len));
}

/* Code point cp (below 0x110000) as UTF-8 at out; returns its 1 to 4
 * bytes. */
static inline size_t kbc_utf8_put(uint32_t cp, char *out)
{
        if (cp < 0x80) {
                out[0] = (char)cp;
                return 1;
        }
        if (cp < 0x800) {
                out[0] = (char)(0xC0 | (cp >> 6));
                out[1] = (char)(0x80 | (cp & 0x3F));
                return 2;
        }
        if (cp < 0x10000) {
                out[0] = (char)(0xE0 | (cp >> 12));
                out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
                out[2] = (char)(0x80 | (cp & 0x3F));
                return 3;
        }
        out[0] = (char)(0xF0 | (cp >> 18));
        out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[3] = (char)(0x80 | (cp & 0x3F));
        return 4;
}

/* Length of the quote character at s (' " and the typographic ‘ ’ “ ”,
 * UTF-8 E2 80 98/99/9C/9D), or 0. Rendered messages and KB articles quote
 * names every which way; patterns and the prefilter treat them alike. */
static inline size_t kbc_quote_len(const unsigned char *s, size_t avail)
{
        if (s[0] == '\'' || s[0] == '"')
                return 1;
        if (avail >= 3 && s[0] == 0xe2 && s[1] == 0x80 &&
            (s[2] == 0x98 || s[2] == 0x99 || s[2] == 0x9c || s[2] == 0x9d))
                return 3;
        return 0;
}

#endif
