/*
 * test_zread.c - compressed and plain input as lines (tools/zread.h).
 *
 * The compressed inputs are made here with zlib and liblzma themselves,
 * from text long enough to cross every buffer boundary of the reader, so
 * each case checks the reader's bookkeeping against a known plain text:
 * lines come out whole and in order, members and streams that follow one
 * another are read on, and a truncated or damaged stream gives its error
 * after the lines that were whole.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <lzma.h>
#include <zlib.h>

#include "zread.h"

typedef struct bytes {
        unsigned char *p;
        size_t len;
} bytes;

/* Lines of varying length (1 to ~3000 bytes), 200,000 bytes or more. */
static bytes sample_text(void)
{
        bytes b = {malloc(1 << 20), 0};
        for (unsigned i = 0; b.len < 200000; i++) {
                size_t n = (i * 7919u) % 3000;
                b.len += (size_t)sprintf((char *)b.p + b.len, "%u:", i);
                memset(b.p + b.len, 'a' + (char)(i % 26), n);
                b.len += n;
                b.p[b.len++] = '\n';
        }
        return b;
}

static bytes gzip_of(const bytes *in)
{
        z_stream s = {0};
        bytes out = {malloc(in->len + 1024), 0};
        assert_int_equal(
            deflateInit2(&s, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY),
            Z_OK);
        s.next_in = in->p;
        s.avail_in = (uInt)in->len;
        s.next_out = out.p;
        s.avail_out = (uInt)(in->len + 1024);
        assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
        out.len = s.total_out;
        deflateEnd(&s);
        return out;
}

static bytes xz_of(const bytes *in)
{
        bytes out = {malloc(in->len + 1024), 0};
        assert_int_equal(lzma_easy_buffer_encode(0, LZMA_CHECK_CRC64, NULL,
                                                 in->p, in->len, out.p,
                                                 &out.len, in->len + 1024),
                         LZMA_OK);
        return out;
}

static bytes concat(const bytes *a, const bytes *b)
{
        bytes out = {malloc(a->len + b->len + 1), a->len + b->len};
        memcpy(out.p, a->p, a->len);
        memcpy(out.p + a->len, b->p, b->len);
        return out;
}

#define OUT_MAX (4 << 20) /* more than any case below reads */

typedef struct result {
        int rc;     /* 0 at a clean end, -1 after an error */
        bytes text; /* the lines read, each followed by '\n' */
        char err[256];
        tool_zkind kind;
} result;

static result read_lines(const bytes *in)
{
        result r = {0, {malloc(OUT_MAX), 0}, "", TOOL_Z_PLAIN};
        FILE *f = fmemopen(in->p, in->len, "rb");
        assert_non_null(f);
        tool_zread *z = tool_zread_new(f);
        const char *line;
        size_t n;
        int got;
        r.kind = tool_zread_kind(z);
        while ((got = tool_zread_line(z, &line, &n)) > 0) {
                assert_true(r.text.len + n + 1 <= OUT_MAX);
                memcpy(r.text.p + r.text.len, line, n);
                r.text.len += n;
                r.text.p[r.text.len++] = '\n';
        }
        r.rc = got;
        snprintf(r.err, sizeof(r.err), "%s", tool_zread_error(z));
        tool_zread_free(z);
        fclose(f);
        return r;
}

static void expect_text(const result *r, const bytes *want)
{
        assert_int_equal(r->rc, 0);
        assert_int_equal(r->text.len, want->len);
        assert_memory_equal(r->text.p, want->p, want->len);
}

/* What was read before an error is whole lines of the original. */
static void expect_prefix(const result *r, const bytes *want)
{
        assert_true(r->text.len < want->len);
        assert_memory_equal(r->text.p, want->p, r->text.len);
        assert_true(r->text.len == 0 || r->text.p[r->text.len - 1] == '\n');
        assert_true(r->text.len == 0 || want->p[r->text.len - 1] == '\n');
}

static void test_plain(void **state)
{
        (void)state;
        bytes text = sample_text();
        result r = read_lines(&text);
        assert_int_equal(r.kind, TOOL_Z_PLAIN);
        expect_text(&r, &text);
        free(r.text.p);

        /* The last line needs no '\n'; blank lines and CRs are the
         * caller's to judge. */
        unsigned char small[] = "a\r\n\nb";
        bytes in = {small, sizeof(small) - 1};
        bytes want = {(unsigned char *)"a\r\n\nb\n", 6};
        r = read_lines(&in);
        expect_text(&r, &want);
        free(r.text.p);

        bytes empty = {small, 0};
        r = read_lines(&empty);
        assert_int_equal(r.rc, 0);
        assert_int_equal(r.text.len, 0);
        free(r.text.p);
        free(text.p);
}

static void test_gzip_and_members(void **state)
{
        (void)state;
        bytes text = sample_text(), gz = gzip_of(&text);
        result r = read_lines(&gz);
        assert_int_equal(r.kind, TOOL_Z_GZIP);
        expect_text(&r, &text);
        free(r.text.p);

        /* `cat a.gz b.gz` is read as a and then b, as gzip -d does. */
        bytes two = concat(&gz, &gz), twice = concat(&text, &text);
        r = read_lines(&two);
        expect_text(&r, &twice);
        free(r.text.p);
        free(two.p);
        free(twice.p);
        free(gz.p);
        free(text.p);
}

static void test_xz_and_streams(void **state)
{
        (void)state;
        bytes text = sample_text(), xz = xz_of(&text);
        result r = read_lines(&xz);
        assert_int_equal(r.kind, TOOL_Z_XZ);
        expect_text(&r, &text);
        free(r.text.p);

        /* Two streams with stream padding between them (.xz allows
         * multiples of four zero bytes). */
        bytes pad = {(unsigned char *)"\0\0\0\0", 4};
        bytes padded = concat(&xz, &pad), two = concat(&padded, &xz),
              twice = concat(&text, &text);
        r = read_lines(&two);
        expect_text(&r, &twice);
        free(r.text.p);
        free(padded.p);
        free(two.p);
        free(twice.p);
        free(xz.p);
        free(text.p);
}

static void test_truncated(void **state)
{
        (void)state;
        bytes text = sample_text();
        bytes packed[2] = {gzip_of(&text), xz_of(&text)};
        const char *want[2] = {"truncated gzip data", "truncated xz data"};
        for (int k = 0; k < 2; k++) {
                /* Cut in the middle, and right after the header. */
                size_t cuts[2] = {packed[k].len / 2, 12};
                for (int c = 0; c < 2; c++) {
                        bytes cut = {packed[k].p, cuts[c]};
                        result r = read_lines(&cut);
                        assert_int_equal(r.rc, -1);
                        if (strncmp(r.err, want[k], strlen(want[k])))
                                fail_msg("cut at %zu: error '%s', expected "
                                         "'%s...'",
                                         cuts[c], r.err, want[k]);
                        expect_prefix(&r, &text);
                        if (c == 0)
                                assert_true(r.text.len > 0);
                        free(r.text.p);
                }
                free(packed[k].p);
        }
        /* The magic alone. */
        bytes magic = {(unsigned char *)"\x1f\x8b", 2};
        result r = read_lines(&magic);
        assert_int_equal(r.rc, -1);
        assert_string_equal(r.err, "truncated gzip data: the input ends "
                                   "inside the compressed stream");
        free(r.text.p);
        free(text.p);
}

static void test_corrupt(void **state)
{
        (void)state;
        bytes text = sample_text();
        bytes packed[2] = {gzip_of(&text), xz_of(&text)};
        const char *want[2] = {"corrupt gzip data", "corrupt xz data"};
        for (int k = 0; k < 2; k++) {
                for (size_t i = packed[k].len / 2; i < packed[k].len / 2 + 64;
                     i++)
                        packed[k].p[i] ^= 0x5a;
                result r = read_lines(&packed[k]);
                assert_int_equal(r.rc, -1);
                if (strncmp(r.err, want[k], strlen(want[k])))
                        fail_msg("error '%s', expected '%s...'", r.err,
                                 want[k]);
                expect_prefix(&r, &text);
                free(r.text.p);
                free(packed[k].p);
        }
        /* Not a gzip member after the first one. */
        bytes gz = gzip_of(&text), junk = {(unsigned char *)"junk\n", 5};
        bytes tail = concat(&gz, &junk);
        result r = read_lines(&tail);
        assert_int_equal(r.rc, -1);
        assert_non_null(strstr(r.err, "corrupt gzip data"));
        assert_int_equal(r.text.len, text.len);
        free(r.text.p);
        free(tail.p);
        free(gz.p);
        free(text.p);
}

/* UTF-16 of text whose lines hold ASCII, 3-byte UTF-8 (U+20AC) and a
 * surrogate pair (U+1F600), with its byte order mark: LE and BE, plain
 * and gzip, come out as the UTF-8 text; a lone surrogate as U+FFFD. */
static bytes utf16_of(const bytes *utf8, bool big_endian)
{
        bytes out = {malloc(utf8->len * 2 + 4), 0};
        const unsigned char *p = utf8->p, *end = p + utf8->len;
        unsigned units[2];
        out.p[out.len++] = big_endian ? 0xfe : 0xff;
        out.p[out.len++] = big_endian ? 0xff : 0xfe;
        while (p < end) {
                uint32_t cp;
                size_t n = 1, k = 0;
                if (*p < 0x80) {
                        cp = *p;
                } else if (*p < 0xe0) {
                        cp = (uint32_t)(p[0] & 31) << 6 | (p[1] & 63);
                        n = 2;
                } else if (*p < 0xf0) {
                        cp = (uint32_t)(p[0] & 15) << 12 |
                             (uint32_t)(p[1] & 63) << 6 | (p[2] & 63);
                        n = 3;
                } else {
                        cp = (uint32_t)(p[0] & 7) << 18 |
                             (uint32_t)(p[1] & 63) << 12 |
                             (uint32_t)(p[2] & 63) << 6 | (p[3] & 63);
                        n = 4;
                }
                p += n;
                if (cp >= 0x10000) {
                        units[k++] = 0xd800 + ((cp - 0x10000) >> 10);
                        units[k++] = 0xdc00 + ((cp - 0x10000) & 1023);
                } else {
                        units[k++] = cp;
                }
                for (size_t i = 0; i < k; i++) {
                        out.p[out.len++] =
                            (unsigned char)(big_endian ? units[i] >> 8
                                                       : units[i] & 255);
                        out.p[out.len++] =
                            (unsigned char)(big_endian ? units[i] & 255
                                                       : units[i] >> 8);
                }
        }
        return out;
}

static void test_utf16(void **state)
{
        (void)state;
        bytes text = {malloc(1 << 20), 0};
        for (unsigned i = 0; text.len < 300000; i++)
                text.len += (size_t)sprintf((char *)text.p + text.len,
                                            "{\"n\": %u, \"m\": \"\xe2\x82\xac "
                                            "\xf0\x9f\x98\x80 caf\xc3\xa9\"}\n",
                                            i);
        for (int be = 0; be < 2; be++) {
                bytes u16 = utf16_of(&text, be), gz = gzip_of(&u16);
                result plain = read_lines(&u16), packed = read_lines(&gz);
                expect_text(&plain, &text);
                expect_text(&packed, &text);
                free(u16.p);
                free(gz.p);
                free(plain.text.p);
                free(packed.text.p);
        }
        /* A lone high surrogate, then an odd byte at the end. */
        bytes odd = {(unsigned char *)"\xff\xfe"
                                      "a\0"
                                      "\x00\xd8"
                                      "b\0"
                                      "\n\0"
                                      "c",
                     11};
        result r = read_lines(&odd);
        assert_int_equal(r.rc, 0);
        assert_int_equal(r.text.len, 6);
        assert_memory_equal(r.text.p,
                            "a\xef\xbf\xbd"
                            "b\n",
                            6);
        free(r.text.p);
        free(text.p);
}

static void test_peek_then_blocks(void **state)
{
        (void)state;
        bytes text = sample_text(), xz = xz_of(&text);
        FILE *f = fmemopen(xz.p, xz.len, "rb");
        tool_zread *z = tool_zread_new(f);
        const char *p;
        assert_int_equal(tool_zread_peek(z, 8, &p), 8);
        assert_memory_equal(p, "0:\n1:b", 6); /* line 0 is empty */
        bytes got = {malloc(text.len), 0};
        size_t n;
        int rc;
        while ((rc = tool_zread_block(z, &p, &n)) > 0) {
                assert_true(got.len + n <= text.len);
                memcpy(got.p + got.len, p, n);
                got.len += n;
        }
        assert_int_equal(rc, 0);
        assert_int_equal(got.len, text.len);
        assert_memory_equal(got.p, text.p, text.len);
        assert_int_equal(tool_zread_consumed(z), xz.len);
        tool_zread_free(z);
        fclose(f);
        free(got.p);
        free(xz.p);
        free(text.p);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_plain),
            cmocka_unit_test(test_gzip_and_members),
            cmocka_unit_test(test_xz_and_streams),
            cmocka_unit_test(test_truncated),
            cmocka_unit_test(test_corrupt),
            cmocka_unit_test(test_peek_then_blocks),
            cmocka_unit_test(test_utf16),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
