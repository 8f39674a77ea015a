/*
 * test_split_stream.c - cutting an input into messages
 * (tools/split_stream.h): what the first bytes make of a file, the XML
 * constructs that must not end or start an element (comments, CDATA,
 * processing instructions, EventData), the messages and their places, a
 * message longer than the reader's window or than the cap, and the one
 * error a cut input gives. Inputs are strings read through fmemopen and zread,
 * as replay reads a file; whole files are tests/e2e/replay_streams.sh's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "split_stream.h"

#define MAX_MSGS 16

/* What splitting an input gave: each message (NUL-terminated copies),
 * its place, and how it ended (0, or -1 and the error). */
typedef struct split_result {
        char *msg[MAX_MSGS];
        size_t len[MAX_MSGS];
        kbc_origin at[MAX_MSGS + 1]; /* the last: where it ended */
        size_t n;
        int rc;
        char err[320];
        tool_split_kind kind;
} split_result;

static void split_bytes(const char *in, size_t n, split_result *r)
{
        memset(r, 0, sizeof(*r));
        char *copy = malloc(n ? n : 1);
        memcpy(copy, in, n);
        FILE *f = n ? fmemopen(copy, n, "rb") : fopen("/dev/null", "rb");
        assert_non_null(f);
        tool_zread *z = tool_zread_new(f);
        const char *head, *msg;
        size_t len;
        assert_true(tool_zread_peek(z, 8, &head) >= 0);
        r->kind = tool_split_sniff(head, tool_zread_buffered(z, &head));
        tool_split *s = tool_split_new(z, r->kind);
        while ((r->rc = tool_split_next(s, &msg, &len, &r->at[r->n])) > 0) {
                assert_true(r->n < MAX_MSGS);
                r->msg[r->n] = malloc(len + 1);
                memcpy(r->msg[r->n], msg, len);
                r->msg[r->n][len] = '\0';
                r->len[r->n++] = len;
        }
        snprintf(r->err, sizeof(r->err), "%s", tool_split_error(s));
        tool_split_free(s);
        tool_zread_free(z);
        fclose(f);
        free(copy);
}

static void split_str(const char *in, split_result *r)
{
        split_bytes(in, strlen(in), r);
}

static void result_free(split_result *r)
{
        for (size_t i = 0; i < r->n; i++)
                free(r->msg[i]);
}

static void test_sniff(void **state)
{
        (void)state;
        static const struct {
                const char *in;
                tool_split_kind kind;
        } cases[] = {
            {"{\"winlog\":{}}\n", TOOL_SPLIT_LINES},
            {"<13>Mar 14 09:00:00 HOST MSWinEventLog\t1\n", TOOL_SPLIT_LINES},
            {"<Event xmlns='x'></Event>\n", TOOL_SPLIT_XML},
            {"\xef\xbb\xbf\r\n  <?xml version='1.0'?><Events/>",
             TOOL_SPLIT_XML},
            {"\x82\xa7"
             "EventID",
             TOOL_SPLIT_MSGPACK},
            {"\x92\xce", TOOL_SPLIT_MSGPACK},
            {"\xdd", TOOL_SPLIT_MSGPACK},
            {" \x82", TOOL_SPLIT_LINES}, /* msgpack has no leading blank */
            {"<", TOOL_SPLIT_LINES},
            {"MAIL-A\tMSWinEventLog\t1\n", TOOL_SPLIT_LINES},
            {"[\r\n    {\r\n", TOOL_SPLIT_JSON},
            {"\xef\xbb\xbf{  \r\n  \"Id\": 7036", TOOL_SPLIT_JSON},
            {"{\"Id\": 7036}\n{", TOOL_SPLIT_LINES},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                if (tool_split_sniff(cases[i].in, strlen(cases[i].in)) !=
                    cases[i].kind)
                        fail_msg("case %zu: \"%s\"", i, cases[i].in);
        }
}

static void test_lines(void **state)
{
        (void)state;
        split_result r;
        split_str("{\"a\":1}\r\n\n  \n{\"b\":2}", &r);
        assert_int_equal(r.kind, TOOL_SPLIT_LINES);
        assert_int_equal(r.rc, 0);
        assert_int_equal(r.n, 3); /* a blank-looking "  " is not blank */
        assert_string_equal(r.msg[0], "{\"a\":1}");
        assert_int_equal(r.at[0].kind, KBC_ORIGIN_FILE);
        assert_int_equal(r.at[0].position, 1);
        assert_string_equal(r.msg[1], "  ");
        assert_int_equal(r.at[1].position, 3);
        assert_string_equal(r.msg[2], "{\"b\":2}");
        assert_int_equal(r.at[2].position, 4);
        result_free(&r);
}

/* ConvertTo-Json of a collection: a pretty-printed array whose objects
 * hold braces and brackets inside strings, then a cut one. */
static void test_json_document(void **state)
{
        (void)state;
        split_result r;
        split_str(
            "[\r\n    {\r\n        \"Id\":  1,\r\n        \"Message\":  "
            "\"a } ] \\\" {\"\r\n    },\r\n    {\r\n        \"Id\":  2,"
            "\"P\": [{\"Value\": 1}]\r\n    }\r\n]\r\nnot json\r\n{\"Id\":",
            &r);
        assert_int_equal(r.kind, TOOL_SPLIT_JSON);
        assert_int_equal(r.n, 3);
        assert_string_equal(r.msg[0],
                            "{\r\n        \"Id\":  1,\r\n        "
                            "\"Message\":  \"a } ] \\\" {\"\r\n    }");
        assert_int_equal(r.at[0].position, 2);
        assert_string_equal(r.msg[1], "{\r\n        \"Id\":  2,\"P\": "
                                      "[{\"Value\": 1}]\r\n    }");
        assert_int_equal(r.at[1].position, 6);
        assert_string_equal(r.msg[2], "not json"); /* for the decoder */
        assert_int_equal(r.at[2].position, 10);
        assert_int_equal(r.rc, -1);
        assert_non_null(strstr(r.err, "truncated JSON"));
        assert_int_equal(r.at[3].position, 11);
        result_free(&r);
}

/* A wevtutil-like document: every construct that must be skipped, and
 * the elements with the lines they start on. */
static void test_xml_document(void **state)
{
        (void)state;
        split_result r;
        split_str("\xef\xbb\xbf<?xml version=\"1.0\"?>\r\n"
                  "<!-- <Event>not one</Event> -->\r\n"
                  "<Events xmlns='http://x/'>\r\n"
                  "  <Event xmlns='a'>\r\n" /* 4 */
                  "    <EventData><Data>x</Data></EventData>\r\n"
                  "    <!-- </Event> -->\r\n"
                  "    <Message><![CDATA[</Event><Event>]]></Message>\r\n"
                  "    <?pi </Event>?>\r\n"
                  "  </Event >\r\n"
                  "  <Event a='>' b=\"/>\"/>\r\n" /* 10 */
                  "<Event></Event><Event\r\n"     /* 11 */
                  "/></Events>\r\n",
                  &r);
        assert_int_equal(r.kind, TOOL_SPLIT_XML);
        assert_int_equal(r.rc, 0);
        assert_int_equal(r.n, 4);
        assert_int_equal(r.at[0].position, 4);
        assert_true(!strncmp(r.msg[0], "<Event xmlns='a'>\r\n", 19));
        assert_true(strstr(r.msg[0], "<?pi </Event>?>\r\n  </Event >"));
        assert_int_equal(r.msg[0][r.len[0] - 1], '>');
        assert_string_equal(r.msg[1], "<Event a='>' b=\"/>\"/>");
        assert_int_equal(r.at[1].position, 10);
        assert_string_equal(r.msg[2], "<Event></Event>");
        assert_int_equal(r.at[2].position, 11);
        assert_string_equal(r.msg[3], "<Event\r\n/>");
        assert_int_equal(r.at[3].position, 11);
        result_free(&r);
}

/* Text between elements comes out a line at a time, so that a file of
 * XML and JSON lines still reads; an element whose end was lost is cut
 * before the next one. */
static void test_xml_between(void **state)
{
        (void)state;
        split_result r;
        split_str("<Event><System></Event>{\"winlog\":{\"x\":\"<y>\"}}\r\n"
                  "<13>Mar 14 09:00:00 HOST MSWinEventLog\n"
                  "<Event><System><EventID>1</Event\n"
                  "  <Event><EventID>2</EventID></Event>\n"
                  "<Event><EventID>3\n"
                  "<Event/>",
                  &r);
        assert_int_equal(r.rc, 0);
        assert_int_equal(r.n, 7);
        assert_string_equal(r.msg[0], "<Event><System></Event>");
        assert_string_equal(r.msg[1], "{\"winlog\":{\"x\":\"<y>\"}}");
        assert_int_equal(r.at[1].position, 1);
        assert_string_equal(r.msg[2], "<13>Mar 14 09:00:00 HOST MSWinEventLog");
        assert_int_equal(r.at[2].position, 2);
        assert_string_equal(r.msg[3], "<Event><System><EventID>1</Event\n  ");
        assert_int_equal(r.at[3].position, 3);
        assert_string_equal(r.msg[4], "<Event><EventID>2</EventID></Event>");
        assert_int_equal(r.at[4].position, 4);
        assert_string_equal(r.msg[5], "<Event><EventID>3\n");
        assert_int_equal(r.at[5].position, 5);
        assert_string_equal(r.msg[6], "<Event/>");
        assert_int_equal(r.at[6].position, 6);
        result_free(&r);
}

static void test_xml_truncated(void **state)
{
        (void)state;
        static const struct {
                const char *in, *err;
                size_t n;
                int64_t line;
        } cases[] = {
            {"<Events>\n<Event>\n</Event>\n<Event>\n<System>", "this <Event>",
             1, 4},
            {"<Event/>\n<!-- no end", "markup that starts here", 1, 2},
            {"<Event/><Ev", "markup that starts here", 1, 1},
            {"<Event><![CDATA[</Event>", "this <Event>", 0, 1},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                split_result r;
                split_str(cases[i].in, &r);
                assert_int_equal(r.rc, -1);
                assert_int_equal(r.n, cases[i].n);
                assert_true(
                    !strncmp(r.err, "truncated XML: the input ends ", 30));
                if (!strstr(r.err, cases[i].err))
                        fail_msg("case %zu: \"%s\"", i, r.err);
                assert_int_equal(r.at[r.n].kind, KBC_ORIGIN_FILE);
                assert_int_equal(r.at[r.n].position, cases[i].line);
                result_free(&r);
        }
}

/* An element far longer than the reader's first window (64 KiB), after
 * a short one that fills part of it. */
static void test_xml_large(void **state)
{
        (void)state;
        size_t big = 300000;
        char *in = malloc(big + 100);
        size_t n = (size_t)sprintf(in, "<Event/>\n<Event><Message>");
        memset(in + n, 'x', big);
        n += big;
        n += (size_t)sprintf(in + n, "</Message></Event>\n<Event/>");
        split_result r;
        split_bytes(in, n, &r);
        assert_int_equal(r.rc, 0);
        assert_int_equal(r.n, 3);
        assert_int_equal(r.len[1], big + 34);
        assert_int_equal(r.at[2].position, 3);
        result_free(&r);
        free(in);
}

/* The cap: an element past 64 MiB ends the input with one error, after
 * the messages before it; memory stays bounded by the cap. */
static void test_xml_cap(void **state)
{
        (void)state;
        size_t big = TOOL_ZREAD_MESSAGE_CAP + 1;
        char *in = malloc(big + 100);
        size_t n = (size_t)sprintf(in, "<Event/>\n<Event><Message>");
        memset(in + n, 'x', big);
        n += big;
        n += (size_t)sprintf(in + n, "</Message></Event>\n");
        split_result r;
        split_bytes(in, n, &r);
        assert_int_equal(r.rc, -1);
        assert_int_equal(r.n, 1);
        assert_int_equal(r.at[1].position, 2);
        assert_string_equal(r.err, "an <Event> element longer than 64 MiB; "
                                   "the rest of the file is skipped");
        result_free(&r);
        free(in);
}

static void test_msgpack(void **state)
{
        (void)state;
        /* {"a": bin8 "\n\n"}, [1, {}], {"b": "\xc1"}: newlines and a
         * 0xc1 inside data are data */
        static const char in[] = "\x81\xa1"
                                 "a\xc4\x02\n\n"
                                 "\x92\x01\x80"
                                 "\x81\xa1"
                                 "b\xa1\xc1";
        split_result r;
        split_bytes(in, sizeof(in) - 1, &r);
        assert_int_equal(r.kind, TOOL_SPLIT_MSGPACK);
        assert_int_equal(r.rc, 0);
        assert_int_equal(r.n, 3);
        assert_int_equal(r.len[0], 7);
        assert_int_equal(r.len[1], 3);
        assert_int_equal(r.len[2], 5);
        assert_int_equal(r.at[0].kind, KBC_ORIGIN_OBJECT);
        assert_int_equal(r.at[2].position, 3);
        result_free(&r);
}

static void test_msgpack_broken(void **state)
{
        (void)state;
        static const struct {
                const char *in;
                size_t len, n;
                const char *err;
        } cases[] = {
            /* a map cut after its first key */
            {"\x80\x82\xa1k\x01\xa1", 6, 1,
             "truncated msgpack: the input ends 5 bytes into this object"},
            /* map32 of 2^32-1 pairs in 5 bytes: nothing is allocated */
            {"\x90\xdf\xff\xff\xff\xff", 6, 1,
             "truncated msgpack: the input ends 5 bytes into this object"},
            {"\x90\x91\xc1\x90", 4, 1, "invalid msgpack: a 0xc1 byte"},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                split_result r;
                split_bytes(cases[i].in, cases[i].len, &r);
                assert_int_equal(r.rc, -1);
                assert_int_equal(r.n, cases[i].n);
                assert_int_equal(r.at[r.n].kind, KBC_ORIGIN_OBJECT);
                assert_int_equal(r.at[r.n].position, 2);
                if (strncmp(r.err, cases[i].err, strlen(cases[i].err)))
                        fail_msg("case %zu: \"%s\"", i, r.err);
                result_free(&r);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_sniff),
            cmocka_unit_test(test_lines),
            cmocka_unit_test(test_xml_document),
            cmocka_unit_test(test_xml_between),
            cmocka_unit_test(test_xml_truncated),
            cmocka_unit_test(test_xml_large),
            cmocka_unit_test(test_xml_cap),
            cmocka_unit_test(test_msgpack),
            cmocka_unit_test(test_msgpack_broken),
            cmocka_unit_test(test_json_document),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
