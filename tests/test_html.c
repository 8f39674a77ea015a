/*
 * test_html.c - the HTML escaper (kbc_html.h) on what hostile logs carry:
 * markup, both quotes, ampersands, control bytes, invalid UTF-8, embedded
 * NULs, and a cap that must not be overrun.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kbc_html.h"

#define FFFD "\xef\xbf\xbd"

/* Escapes len bytes of in and compares with want. */
static void expect_escaped(const char *in, size_t len, const char *want)
{
        kbc_buf b;
        kbc_buf_init(&b, 1 << 20);
        assert_int_equal(kbc_buf_html(&b, kbc_str_make(in, len)), 0);
        assert_non_null(b.data);
        assert_string_equal(b.data, want);
        kbc_buf_free(&b);
}

#define EXPECT(in, want) expect_escaped((in), sizeof(in) - 1, (want))

static void test_plain_text_unchanged(void **state)
{
        (void)state;
        EXPECT("", "");
        EXPECT("Extension SMTP could not be loaded.",
               "Extension SMTP could not be loaded.");
        EXPECT("tab\tline\r\nend", "tab\tline\r\nend");
        /* Valid multi-byte UTF-8 stays: é, €, a typographic quote, U+1F600. */
        EXPECT("caf\xc3\xa9 \xe2\x82\xac \xe2\x80\x9cx\xe2\x80\x9d "
               "\xf0\x9f\x98\x80",
               "caf\xc3\xa9 \xe2\x82\xac \xe2\x80\x9cx\xe2\x80\x9d "
               "\xf0\x9f\x98\x80");
}

static void test_markup_and_quotes(void **state)
{
        (void)state;
        EXPECT("<script>alert(1)</script>",
               "&lt;script&gt;alert(1)&lt;/script&gt;");
        EXPECT("a & b && c", "a &amp; b &amp;&amp; c");
        EXPECT("&amp;", "&amp;amp;"); /* escaped again, not trusted */
        EXPECT("\"x\" onmouseover='y'",
               "&quot;x&quot; onmouseover=&#39;y&#39;");
        EXPECT("<img src=x onerror=\"alert('1')\">",
               "&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;");
        EXPECT("]]><!--", "]]&gt;&lt;!--");
}

static void test_controls_replaced(void **state)
{
        (void)state;
        EXPECT("a\x01"
               "b\x1b[31mc\x7f",
               "a" FFFD "b" FFFD "[31mc" FFFD);
        expect_escaped("a\0<b", 4, "a" FFFD "&lt;b");
        /* C1 controls (U+0080, U+009F) go too; U+00A0 stays. */
        EXPECT("\xc2\x80\xc2\x9f\xc2\xa0", FFFD FFFD "\xc2\xa0");
}

static void test_invalid_utf8_replaced(void **state)
{
        (void)state;
        EXPECT("\xff", FFFD);
        EXPECT("ab\xc3", "ab" FFFD);            /* truncated at the end */
        EXPECT("\xc3<", FFFD "&lt;");           /* lead byte, then markup */
        EXPECT("\xe2\x82<", FFFD FFFD "&lt;");  /* truncated sequence */
        EXPECT("\xc0\xbc", FFFD FFFD);          /* overlong '<' */
        EXPECT("\xed\xa0\x80", FFFD FFFD FFFD); /* a surrogate */
        EXPECT("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD); /* past U+10FFFF */
        EXPECT("\x80x", FFFD "x");                       /* lone continuation */
}

static void test_cap_is_kept(void **state)
{
        (void)state;
        kbc_buf b;
        kbc_buf_init(&b, 16);
        assert_int_equal(kbc_buf_html(&b, kbc_str_cstr("<<<<<<<<<<")), -1);
        assert_true(b.overflow);
        assert_true(b.len <= 16);
        kbc_buf_free(&b);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_plain_text_unchanged),
            cmocka_unit_test(test_markup_and_quotes),
            cmocka_unit_test(test_controls_replaced),
            cmocka_unit_test(test_invalid_utf8_replaced),
            cmocka_unit_test(test_cap_is_kept),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
