/*
 * html.c - the HTML escaper (kbc_html.h). Clean runs of text are copied
 * with one append; only the bytes that need it are rewritten.
 */
#include "kbc_html.h"

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

/* What replaces the byte c, or NULL when it may stay as it is. */
static const char *html_entity(unsigned char c)
{
        switch (c) {
        case '&':
                return "&amp;";
        case '<':
                return "&lt;";
        case '>':
                return "&gt;";
        case '"':
                return "&quot;";
        case '\'':
                return "&#39;";
        case '\t':
        case '\n':
        case '\r':
                return NULL;
        default:
                return c < 0x20 || c == 0x7f ? REPLACEMENT : NULL;
        }
}

/* U+0080..U+009F (C2 80..C2 9F): controls that browsers would otherwise
 * read as Windows-1252 or show as nothing. */
static bool is_c1_control(const unsigned char *p, size_t n)
{
        return n == 2 && p[0] == 0xc2 && p[1] < 0xa0;
}

int kbc_buf_html(kbc_buf *b, kbc_str s)
{
        const unsigned char *p = (const unsigned char *)s.ptr;
        size_t i = 0, run = 0;
        int rc = 0;
        while (i < s.len) {
                const char *rep = NULL;
                size_t n = kbc_utf8_len(p + i, s.len - i);
                if (n == 1)
                        rep = html_entity(p[i]);
                else if (n == 0 || is_c1_control(p + i, n))
                        rep = REPLACEMENT;
                if (!rep) { /* copy clean runs in one append */
                        i += n;
                        run += n;
                        continue;
                }
                rc |= kbc_buf_append(b, p + i - run, run);
                rc |= kbc_buf_puts(b, rep);
                run = 0;
                i += n ? n : 1;
        }
        rc |= kbc_buf_append(b, p + i - run, run);
        return rc ? -1 : 0;
}
