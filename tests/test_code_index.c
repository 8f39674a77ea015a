/*
 * test_code_index.c - error code patterns as the compiler writes them,
 * read back by the matcher, and the index that runs them only on the
 * events whose message may hold their value (rules/kbc_code.h).
 */
#define _GNU_SOURCE /* memmem, in code_index_check.h */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "code_index_check.h"

static void test_pattern_shapes(void **state)
{
        (void)state;
        static const struct {
                const char *hex;
                bool titled;
                const char *pattern;
                uint64_t value;
                bool short_form, decimal;
        } cases[] = {
            {"C004F074", false, "\\b(?:0x)?C004F074\\b", 0xC004F074, false,
             false},
            {"0001ABCD", false, "\\b(?:(?:0x)?0001ABCD|0x1ABCD)\\b", 0x1ABCD,
             true, false},
            {"00000534", false,
             "\\b(?:(?:0x)?00000534|(?:error|status|value|code)\\W{0,4}"
             "(?:0x534))\\b",
             0x534, true, false},
            {"0000208D", true,
             "\\b(?:(?:0x)?0000208D|(?:error|status|value|code)\\W{0,4}"
             "(?:0x208D|8333))\\b",
             0x208D, true, true},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
                char src[256];
                kbc_code_pattern(src, sizeof(src), cases[i].hex,
                                 cases[i].titled);
                assert_string_equal(src, cases[i].pattern);
                kbc_code_shape shape;
                assert_true(kbc_code_pattern_read(src, &shape));
                assert_int_equal(shape.value, cases[i].value);
                assert_int_equal(shape.digits, strlen(cases[i].hex));
                assert_int_equal(shape.short_form, cases[i].short_form);
                assert_int_equal(shape.decimal, cases[i].decimal);
        }
}

/* Only what the compiler writes is read as a code: a pattern that merely
 * looks like one must still run on every event. */
static void test_lookalikes_are_not_codes(void **state)
{
        (void)state;
        static const char *const others[] = {
            "\\b(?:0x)?C004F074\\b|setup failed",
            "\\b(?:0x)?C004F074\\b\\s+at",
            "\\b(?:0x)?C004F07G\\b",
            "\\b(?:0x)?\\b",
            "\\b(?:0x)?00000000000000000C004F074\\b",
            "(?:0x)?C004F074",
        };
        for (size_t i = 0; i < sizeof(others) / sizeof(*others); i++) {
                kbc_code_shape shape;
                assert_false(kbc_code_pattern_read(others[i], &shape));
        }
}

/* Texts where the pattern matches, in each way Windows writes a code: the
 * scan must name the signal. */
static void test_scan_finds_every_match(void **state)
{
        (void)state;
        static const struct {
                const char *hex;
                bool titled;
                const char *text;
        } found[] = {
            {"C004F074", false, "Activation failed: 0xC004F074."},
            {"C004F074", false, "code c004f074"},
            {"0001ABCD", false, "status=0x1abcd"},
            {"00000005", false, "The operation failed with error 0x5."},
            {"00000005", false, "Error0x5"},
            {"00000005", false, "returned 00000005 here"},
            {"00000005", false,
             "x\xc3\xa9"
             "0x00000005 after a UTF-8 letter"},
            {"0000208D", true, "Error value: 8333 Directory object not found."},
            {"0000208D", true, "code8333"},
            {"0000000D", true, "value13"},
            /* U+017F, which caseless PCRE2 10.42 takes for "s" (after
             * a word character: it is no \w itself, so \b needs one) */
            {"0000208D", true, "1\xc5\xbftatus 8333"},
            {"00000534", false, "failed with status 0x534 (access)"},
            /* the farthest an error word can be: "ſtatuſ" and four
             * 4-byte non-word characters before the 0x */
            {"00000005", false,
             "1\xc5\xbftatu\xc5\xbf\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
             "\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
             "0x5 failed"},
            {"00000040", false, "An error: 0x40, and GrantedAccess: 0x40"},
        };
        for (size_t i = 0; i < sizeof(found) / sizeof(*found); i++)
                assert_int_equal(code_index_check(found[i].hex, found[i].titled,
                                                  found[i].text,
                                                  strlen(found[i].text)),
                                 CODE_FOUND);
}

/* And where it does not match, as a real log has it: a process id, a
 * longer number, a decimal the article's title did not name. */
static void test_scan_near_misses(void **state)
{
        (void)state;
        static const struct {
                const char *hex;
                bool titled;
                const char *text;
        } none[] = {
            {"00000534", false, "New Process ID: 0x534"},
            {"00000005", false, "error 0x50"},
            {"0000208D", false, "Error value: 8333"},
            {"C004F074", false, "0xC004F0745"},
        };
        for (size_t i = 0; i < sizeof(none) / sizeof(*none); i++)
                assert_int_equal(code_index_check(none[i].hex, none[i].titled,
                                                  none[i].text,
                                                  strlen(none[i].text)),
                                 CODE_NO_MATCH);
}

/* A short form far from any error word names no code, although the
 * message has one elsewhere: Sysmon's and Security's access masks and
 * flags ("GrantedAccess: 0x40") would each run their code's patterns
 * over the whole message. */
static void test_scan_skips_codes_far_from_error_words(void **state)
{
        (void)state;
        char src[256];
        kbc_code_shape shape;
        kbc_code_pattern(src, sizeof(src), "00000040", false);
        assert_true(kbc_code_pattern_read(src, &shape));
        kbc_arena *a = kbc_arena_new();
        kbc_code_index *ci = kbc_code_index_new(a, 1);
        static const char signal;
        assert_int_equal(
            kbc_code_index_add(ci, &shape, (const struct kbc_signal *)&signal),
            0);
        static const char text[] =
            "Process accessed: GrantedAccess: 0x40 CallTrace: C:\\x.dll "
            "error reporting is on";
        bool seen = false;
        kbc_code_index_scan(ci, text, strlen(text), "0x error", 8,
                            code_check_seen, &seen);
        assert_false(seen);
        assert_int_equal(
            code_index_check("00000040", false, text, strlen(text)),
            CODE_NO_MATCH);
        kbc_arena_free(a);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_pattern_shapes),
            cmocka_unit_test(test_lookalikes_are_not_codes),
            cmocka_unit_test(test_scan_finds_every_match),
            cmocka_unit_test(test_scan_near_misses),
            cmocka_unit_test(test_scan_skips_codes_far_from_error_words),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
