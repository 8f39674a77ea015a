/*
 * test_prefilter.c - the prefilter's normalization and scan against plain
 * definitions written here byte by byte: normalization copies 16 bytes at
 * a time where it can, and the scan anchors each literal on one 8-byte
 * gram, and neither may ever differ from the slow obvious answer (a
 * literal missed is a symptom lost, silently).
 */
#define _GNU_SOURCE /* memmem */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kbc_arena.h"
#include "kbc_str.h"
#include "prefilter.h"
#include "rule_internal.h"

/* What normalization means: ASCII lower case, quotes (' " and the four
 * typographic ones) dropped, each run of whitespace one space, none at
 * either end. */
static size_t reference_normalize(const char *in, size_t len, char *out)
{
        const unsigned char *s = (const unsigned char *)in;
        size_t n = 0;
        bool space = false;
        for (size_t i = 0; i < len; i++) {
                unsigned char c = s[i];
                if (c == ' ' || (c >= '\t' && c <= '\r')) {
                        space = n > 0;
                        continue;
                }
                if (c == '\'' || c == '"')
                        continue;
                if (c == 0xe2 && i + 2 < len && s[i + 1] == 0x80 &&
                    (s[i + 2] == 0x98 || s[i + 2] == 0x99 || s[i + 2] == 0x9c ||
                     s[i + 2] == 0x9d)) {
                        i += 2;
                        continue;
                }
                if (space)
                        out[n++] = ' ';
                space = false;
                out[n++] = kbc_ascii_lower((char)c);
        }
        return n;
}

static void assert_normalizes(const char *in, size_t len)
{
        kbc_buf got;
        char *want = malloc(len + 1);
        assert_non_null(want);
        size_t nwant = reference_normalize(in, len, want);
        kbc_buf_init(&got, 1 << 20);
        kbc_prefilter_normalize(in, len, &got);
        assert_int_equal(got.len, nwant);
        assert_memory_equal(got.data, want, nwant);
        assert_int_equal(got.data[got.len], '\0');
        kbc_buf_free(&got);
        free(want);
}

static void test_normalize_real_messages(void **state)
{
        (void)state;
        static const char *msgs[] = {
            "Process Create:\r\nRuleName: \r\nUtcTime: 2019-05-14 02:33:20.912"
            "\r\nImage: C:\\Windows\\System32\\svchost.exe\r\n",
            "Extension 'SMTP' could not be loaded.   ",
            "  \t The Remote Registry service entered the \"stopped\" state.",
            "The file version of \xe2\x80\x98\\add-ins\\smtp\\i386\\imcadmin."
            "dll\xe2\x80\x99 installed on the local server is not current.",
            "A  B   C    D     E      F       G        H         I          J",
            "0123456789abcdef 0123456789abcdef  0123456789abcdef   0123456789a",
            "\xe2\x82\xac price \xe2\x80 cut \xe2\x80\x9dquoted\xe2\x80\x9c "
            "and so on until the end of the line, past sixteen bytes",
        };
        for (size_t i = 0; i < sizeof(msgs) / sizeof(*msgs); i++)
                for (size_t len = 0; len <= strlen(msgs[i]); len++)
                        assert_normalizes(msgs[i], len);
}

/* Random texts over the bytes where normalization does something, at
 * every alignment: spaces and quotes across 16-byte boundaries are where
 * a copy 16 bytes at a time could go wrong. */
static void test_normalize_random(void **state)
{
        (void)state;
        static const char alphabet[] = " \t\r\n'\"aZz09\\:\xe2\x80\x98\x9d";
        char text[80];
        srand(5);
        for (int round = 0; round < 20000; round++) {
                size_t len = (size_t)rand() % sizeof(text);
                for (size_t i = 0; i < len; i++)
                        text[i] = rand() % 4 ? alphabet[rand() % 5 + 6]
                                             : alphabet[rand() % 17];
                assert_normalizes(text, len);
        }
}

/* The scan finds exactly the literals memmem finds, in random texts made
 * of their pieces. */
static void assert_scan_finds(const char *const *literals, size_t n)
{
        static const char *words[] = {"c:\\windows\\",
                                      "system32",
                                      "vnetware.386",
                                      "0000000",
                                      "4",
                                      "40",
                                      " ",
                                      "remote ",
                                      "registry service",
                                      " entered the ",
                                      "stopped state",
                                      "extension smtp ",
                                      "could not be loaded",
                                      "0xc002",
                                      "0035",
                                      "x"};
        kbc_prefilter *p = kbc_prefilter_build(literals, n);
        assert_non_null(p);
        uint32_t marks[32] = {0}, found[32];
        char text[512];
        srand(7);
        for (uint32_t stamp = 1; stamp <= 5000; stamp++) {
                size_t len = 0;
                while (len < sizeof(text) - 32 && rand() % 24) {
                        const char *w = words[rand() % 16];
                        memcpy(text + len, w, strlen(w));
                        len += strlen(w);
                }
                text[len] = '\0';
                size_t nfound =
                    kbc_prefilter_scan(p, text, len, marks, stamp, found);
                size_t nwant = 0;
                for (size_t i = 0; i < n; i++) {
                        bool in = literals[i] && memmem(text, len, literals[i],
                                                        strlen(literals[i]));
                        nwant += in;
                        assert_int_equal(marks[i] == stamp, in);
                }
                assert_int_equal(nfound, nwant);
        }
        kbc_prefilter_free(p);
}

/* Few literals (a small rule set: their grams compared 16 positions at a
 * time), then the same among many (the bit filter at every position). */
static void test_scan_finds_every_literal(void **state)
{
        (void)state;
        static const char *literals[] = {
            "extension smtp could not be loaded",
            "c:\\windows\\vnetware.386",
            "c:\\windows\\system32",
            "00000004",
            "00000040",
            NULL, /* a pattern without a literal */
            "remote registry service entered the stopped state",
            "registry service",
            "0xc0020035",
            /* never in the texts; past 8 distinct grams */
            "decoy literal alpha",
            "decoy literal bravo",
            "decoy literal charlie",
            "decoy literal delta",
            "decoy literal echo",
            "decoy literal foxtrot",
            "decoy literal golf",
            "decoy literal hotel",
        };
        assert_scan_finds(literals, 9);
        assert_scan_finds(literals, sizeof(literals) / sizeof(*literals));
}

/* Required literals of regexes: \cX is one character whatever X is
 * (fuzz_prefilter found \c[ read as a class, which hid an alternation). */
static void test_literal_of_control_escapes(void **state)
{
        (void)state;
        kbc_arena *a = kbc_arena_new();
        assert_null(kbc_regex_literal(a, "\\c[ab|cdefghijkl"));
        assert_string_equal(kbc_regex_literal(a, "x[\\c]]abcdefghij"),
                            "abcdefghij");
        assert_string_equal(kbc_regex_literal(a, "(a\\c)b*)xyz12345"),
                            "xyz12345");
        assert_string_equal(kbc_regex_literal(a, "disk quota was exceeded"),
                            "disk quota was exceeded");
        assert_null(kbc_regex_literal(a, "net use"));
        /* only some escapes take a braced argument: \e{ is ESC and "{",
         * and the "|" after it an alternation */
        assert_null(kbc_regex_literal(a, "\\e{abcdefghij|klmnopqrst}"));
        assert_string_equal(kbc_regex_literal(a, "\\x{7c}abcdefghij"),
                            "abcdefghij");
        kbc_arena_free(a);
}

/* The two longest required literals, longest first: a message must hold
 * both. An optional or alternated part gives none. */
static void test_second_literal(void **state)
{
        (void)state;
        kbc_arena *a = kbc_arena_new();
        const char *lits[2];
        assert_int_equal(
            kbc_regex_literals(
                a, "\\*.{1,80}?MS\\-DOS\\s+4\\..{1,80}?\\s+application", lits),
            2);
        assert_string_equal(lits[0], "application");
        assert_string_equal(lits[1], "ms-dos 4.");
        assert_int_equal(
            kbc_regex_literals(a, "Command Line:.{1,80}?\\\\mmc\\.exe", lits),
            2);
        assert_string_equal(lits[0], "command line:");
        assert_string_equal(lits[1], "\\mmc.exe");
        /* "sent:" is too short to anchor anything */
        assert_int_equal(kbc_regex_literals(a, "Subject:.{1,80}?Sent:", lits),
                         1);
        assert_string_equal(lits[0], "subject:");
        assert_null(lits[1]);
        assert_int_equal(
            kbc_regex_literals(a, "disk quota exceeded(?:on volume)?", lits),
            1);
        assert_int_equal(kbc_regex_literals(a, "abcdefghij|klmnopqrst", lits),
                         0);
        assert_null(lits[0]);
        assert_null(lits[1]);
        kbc_arena_free(a);
}

/* Where PCRE2 matches, every literal the extractor gives is in the
 * normalized subject: cases a review found missed (an unbraced escape
 * argument, a POSIX class, \Q in a group, extended mode set with other
 * options, a run over 256 bytes, the two non-ASCII letters caseless
 * PCRE2 takes for s and k). */
static void test_literals_hold_where_pcre2_matches(void **state)
{
        (void)state;
        char phrase[300];
        memset(phrase, 'a', 256);
        strcpy(phrase + 256, "x?");
        static const char *const cases[][2] = {
            {"\\x41bcdefgh", "Abcdefgh"},
            {"\\101bcdefgh", "Abcdefgh"},
            {"\\0123abcdefgh", "\n3abcdefgh"},
            {"\\pLabcdefgh", "zabcdefgh"},
            {"(a)\\g1bcdefghi", "aabcdefghi"},
            {"(?<abcdefgh>x)\\k<abcdefgh>", "xx"},
            {"\\x{41}bcdefghij\\x41BCDEFGH", "AbcdefghijABCDEFGH"},
            {"[[:alpha:]]abcdefgh", "xabcdefgh"},
            {"([[:alpha:])]abcdefgh)?", "zzz"},
            {"((\\Q)\\E)abcdefgh)?", "zzz"},
            {"(?ix)abcd efgh", "abcdefgh"},
            {"disk quota exceeded", "di\xc5\xbfk quota exceeded"},
            {"kernel power failure", "\xe2\x84\xaa"
                                     "ernel power failure"},
            {NULL, "a"},
        };
        int err;
        PCRE2_SIZE off;
        kbc_buf norm;
        kbc_buf_init(&norm, 1 << 20);
        for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
                const char *pat = cases[i][0] ? cases[i][0] : phrase;
                const char *subject = cases[i][0] ? cases[i][1] : phrase;
                pcre2_code *re =
                    pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
                                  KBC_RE_FLAGS, &err, &off, NULL);
                assert_non_null(re);
                pcre2_match_data *md =
                    pcre2_match_data_create_from_pattern(re, NULL);
                assert_true(pcre2_match(re, (PCRE2_SPTR)subject,
                                        strlen(subject), 0, 0, md, NULL) >= 0);
                pcre2_match_data_free(md);
                pcre2_code_free(re);
                kbc_arena *a = kbc_arena_new();
                const char *lits[2];
                kbc_regex_literals(a, pat, lits);
                kbc_prefilter_normalize(subject, strlen(subject), &norm);
                for (int k = 0; k < 2 && lits[k]; k++)
                        if (!memmem(norm.data, norm.len, lits[k],
                                    strlen(lits[k])))
                                fail_msg("%s on %s: literal %s missed", pat,
                                         subject, lits[k]);
                kbc_arena_free(a);
        }
        kbc_buf_free(&norm);
}

/* An escaped non-ASCII character is the whole character, its quantifier
 * too: the required literal never ends in a lone UTF-8 lead byte (which
 * no subject matched without it holds; fuzz_prefilter found one). */
static void test_literal_of_escaped_utf8(void **state)
{
        (void)state;
        kbc_arena *a = kbc_arena_new();
        assert_string_equal(kbc_regex_literal(a, "the spooler failed\\Ж?"),
                            "the spooler failed");
        assert_string_equal(kbc_regex_literal(a, "Ж\\Ж the spooler failed"),
                            "the spooler failed");
        kbc_arena_free(a);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_normalize_real_messages),
            cmocka_unit_test(test_normalize_random),
            cmocka_unit_test(test_scan_finds_every_literal),
            cmocka_unit_test(test_literal_of_control_escapes),
            cmocka_unit_test(test_second_literal),
            cmocka_unit_test(test_literals_hold_where_pcre2_matches),
            cmocka_unit_test(test_literal_of_escaped_utf8),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
