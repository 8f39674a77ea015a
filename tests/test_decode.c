/*
 * test_decode.c - kbc_decode on Winlogbeat 7/8 ECS JSON: hand-written events
 * for each rule of the mapping and each way a message can be broken, then
 * every event of the real capture in ../shared (838 Winlogbeat 7.2 events),
 * whose expected values were read off the file with Python's json module.
 * Also the event helpers (field lookup, origin formatting).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kbc_decode.h"
#include "kbc_hash.h"
#include "kbc_time.h"

#define REAL_FILE KBC_SHARED_DIR "/data/events/winlogbeat7-ecs.jsonl.xz"

typedef struct fixture {
        kbc_decoder *d;
        kbc_event ev;
        char err[256];
} fixture;

static int setup(void **state)
{
        fixture *f = calloc(1, sizeof(*f));
        if (!f)
                return -1;
        f->d = kbc_decoder_new();
        if (!f->d) {
                free(f);
                return -1;
        }
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        fixture *f = *state;
        kbc_decoder_free(f->d);
        free(f);
        return 0;
}

static bool str_is(kbc_str s, const char *want)
{
        return kbc_str_eq(s, kbc_str_cstr(want));
}

#define assert_str(view, want)                                                 \
        do {                                                                   \
                kbc_str v_ = (view);                                           \
                if (!str_is(v_, (want)))                                       \
                        fail_msg("%s is \"%.*s\", want \"%s\"", #view,         \
                                 (int)v_.len, v_.ptr, (want));                 \
        } while (0)

static void decode_ok(fixture *f, const char *json)
{
        kbc_format fmt = kbc_decode(f->d, KBC_FMT_AUTO, json, strlen(json),
                                    &f->ev, f->err, sizeof(f->err));
        if (fmt != KBC_FMT_WINLOGBEAT)
                fail_msg("decode failed: %s\ninput: %.200s", f->err, json);
}

/* Decoding must fail with a reason containing want. */
static void decode_err_n(fixture *f, const char *buf, size_t len,
                         const char *want)
{
        kbc_format fmt = kbc_decode(f->d, KBC_FMT_AUTO, buf, len, &f->ev,
                                    f->err, sizeof(f->err));
        if (fmt != KBC_FMT_AUTO)
                fail_msg("decode succeeded, want error \"%s\"\ninput: %.200s",
                         want, buf);
        if (!strstr(f->err, want))
                fail_msg("error is \"%s\", want it to contain \"%s\"", f->err,
                         want);
        /* A failed decode leaves no half-filled event behind. */
        assert_false(f->ev.has_event_id);
        assert_int_equal(f->ev.nfields, 0);
}

static void decode_err(fixture *f, const char *json, const char *want)
{
        decode_err_n(f, json, strlen(json), want);
}

/* ---- hand-written events ---------------------------------------------- */

/* Winlogbeat 7: numeric ids, the shape of the real capture. */
static const char wlb7[] =
    "{\"@timestamp\":\"2019-07-30T14:38:16.352Z\","
    "\"event\":{\"code\":7036,\"kind\":\"event\"},"
    "\"host\":{\"name\":\"host-name\",\"hostname\":\"CLIENT1\"},"
    "\"agent\":{\"hostname\":\"agent-host\",\"type\":\"winlogbeat\"},"
    "\"log\":{\"level\":\"information\"},"
    "\"message\":\"The Software Protection service entered the stopped "
    "state.\","
    "\"winlog\":{\"provider_guid\":\"{555908d1-a6d7-4695-8e1e-"
    "26931d2012f4}\",\"event_id\":7036,\"task\":\"\","
    "\"api\":\"wineventlog\",\"event_data\":{\"Binary\":\"7300\","
    "\"param1\":\"Software Protection\",\"param2\":\"stopped\"},"
    "\"keywords\":[\"Classic\"],\"provider_name\":\"Service Control "
    "Manager\",\"record_id\":11580,\"channel\":\"System\","
    "\"computer_name\":\"CLIENT1\",\"process\":{\"thread\":{\"id\":2808},"
    "\"pid\":436}}}";

static void test_winlogbeat7(void **state)
{
        fixture *f = *state;
        f->ev.origin = (kbc_origin){
            .kind = KBC_ORIGIN_FILE, .source = "in.jsonl", .position = 7};
        decode_ok(f, wlb7);
        kbc_event *ev = &f->ev;
        char t[KBC_TIME_STRLEN + 1];
        kbc_time_format(ev->time_ms, t);
        assert_string_equal(t, "2019-07-30T14:38:16.352Z");
        assert_str(ev->host, "CLIENT1");
        assert_str(ev->channel, "System");
        assert_str(ev->provider, "Service Control Manager");
        assert_str(ev->level, "information");
        assert_str(ev->message,
                   "The Software Protection service entered the stopped "
                   "state.");
        assert_true(ev->has_event_id);
        assert_int_equal(ev->event_id, 7036);
        assert_true(ev->has_record_id);
        assert_int_equal(ev->record_id, 11580);
        assert_int_equal(ev->nfields, 3);
        assert_int_equal(ev->fields_dropped, 0);
        assert_str(ev->fields[0].name, "Binary");
        assert_str(ev->fields[1].name, "param1");
        assert_str(ev->fields[1].value, "Software Protection");
        assert_str(ev->fields[2].value, "stopped");
        /* Field names are matched as Windows does, ignoring case. */
        assert_str(kbc_event_field(ev, KBC_STR_LIT("PARAM2")), "stopped");
        assert_true(kbc_str_empty(kbc_event_field(ev, KBC_STR_LIT("param3"))));
        /* The caller's origin survives the decode. */
        assert_int_equal(ev->origin.kind, KBC_ORIGIN_FILE);
        assert_int_equal(ev->origin.position, 7);
        assert_string_equal(ev->origin.source, "in.jsonl");
}

/* Winlogbeat 8: ids as strings; escapes; non-string EventData values;
 * UserData; a key written with an escape. */
static const char wlb8[] =
    "{\"@timestamp\":\"2023-03-14T10:12:45.123456Z\","
    "\"agent\":{\"name\":\"DC01\",\"type\":\"winlogbeat\","
    "\"version\":\"8.6.2\"},"
    "\"event\":{\"code\":\"4624\",\"kind\":\"event\",\"provider\":"
    "\"Microsoft-Windows-Security-Auditing\"},"
    "\"host\":{\"name\":\"dc01.corp.example.com\"},"
    "\"log\":{\"level\":\"information\"},"
    "\"message\":\"Line one\\nLine two\\tcaf\\u00e9 \\ud83d\\ude00 "
    "\\\"quoted\\\" C:\\\\Windows\\/x\","
    "\"winlog\":{\"channel\":\"Security\","
    "\"computer_name\":\"DC01.corp.example.com\","
    "\"event_id\":\"4624\",\"provider_name\":"
    "\"Microsoft-Windows-Security-Auditing\",\"record_id\":\"123456\","
    "\"event_data\":{\"LogonType\":3,\"Elevated\":true,\"Ratio\":-1.5e3,"
    "\"Nested\":{\"a\":[1,{\"b\":2}]},\"List\":[1,2],\"Empty\":null,"
    "\"Param\\u0031\":\"x\\u00e9y\",\"TargetUserName\":\"alice\"},"
    "\"user_data\":{\"xml_name\":\"INFO_PNP_STATE\",\"State\":\"on\"},"
    "\"keywords\":[\"Audit Success\"],\"opcode\":\"Info\"}}";

static void test_winlogbeat8(void **state)
{
        fixture *f = *state;
        decode_ok(f, wlb8);
        kbc_event *ev = &f->ev;
        char t[KBC_TIME_STRLEN + 1];
        kbc_time_format(ev->time_ms, t);
        assert_string_equal(t, "2023-03-14T10:12:45.123Z");
        assert_str(ev->host, "DC01.corp.example.com");
        assert_str(ev->channel, "Security");
        assert_int_equal(ev->event_id, 4624);
        assert_int_equal(ev->record_id, 123456);
        /* \n, \t, \u00e9, a surrogate pair (U+1F600), \", \\ and \/. */
        assert_str(ev->message, "Line one\nLine two\tcaf\xc3\xa9 "
                                "\xf0\x9f\x98\x80 \"quoted\" C:\\Windows/x");
        /* Numbers and booleans as written; null empty; containers gone. */
        assert_int_equal(ev->nfields, 8);
        assert_str(ev->fields[0].name, "LogonType");
        assert_str(ev->fields[0].value, "3");
        assert_str(ev->fields[1].value, "true");
        assert_str(ev->fields[2].name, "Ratio");
        assert_str(ev->fields[2].value, "-1.5e3");
        assert_str(ev->fields[3].name, "Empty");
        assert_str(ev->fields[3].value, "");
        assert_str(ev->fields[4].name, "Param1");
        assert_str(ev->fields[4].value, "x\xc3\xa9y");
        assert_str(kbc_event_field(ev, KBC_STR_LIT("targetusername")), "alice");
        /* UserData follows EventData. */
        assert_str(ev->fields[6].name, "xml_name");
        assert_str(ev->fields[6].value, "INFO_PNP_STATE");
        assert_str(kbc_event_field(ev, KBC_STR_LIT("State")), "on");
        assert_true(kbc_str_empty(kbc_event_field(ev, KBC_STR_LIT("Nested"))));
}

static void test_host_fallbacks(void **state)
{
        fixture *f = *state;
        decode_ok(f, "{\"@timestamp\":\"2019-08-02T09:46:20Z\","
                     "\"host\":{\"name\":\"from-host\"},"
                     "\"agent\":{\"hostname\":\"from-agent\"},"
                     "\"winlog\":{\"event_id\":1,\"computer_name\":\"\"}}");
        assert_str(f->ev.host, "from-host");
        decode_ok(f, "{\"@timestamp\":\"2019-08-02T09:46:20Z\","
                     "\"agent\":{\"hostname\":\"from-agent\"},"
                     "\"winlog\":{\"event_id\":1}}");
        assert_str(f->ev.host, "from-agent");
        /* Absent optional parts are empty, never NULL views. */
        assert_non_null(f->ev.message.ptr);
        assert_int_equal(f->ev.message.len, 0);
        assert_non_null(f->ev.channel.ptr);
        assert_false(f->ev.has_record_id);
        assert_int_equal(f->ev.nfields, 0);
        decode_err(f,
                   "{\"@timestamp\":\"2019-08-02T09:46:20Z\","
                   "\"winlog\":{\"event_id\":1}}",
                   "winlogbeat: missing host");
}

static void test_event_code_fallback(void **state)
{
        fixture *f = *state;
        decode_ok(f, "{\"@timestamp\":\"2019-08-02T09:46:20Z\","
                     "\"event\":{\"code\":\"4625\"},"
                     "\"winlog\":{\"computer_name\":\"H\"}}");
        assert_int_equal(f->ev.event_id, 4625);
        assert_true(f->ev.has_event_id);
        /* winlog.event_id wins over event.code. */
        decode_ok(f, "{\"@timestamp\":\"2019-08-02T09:46:20Z\","
                     "\"event\":{\"code\":1},"
                     "\"winlog\":{\"computer_name\":\"H\",\"event_id\":2}}");
        assert_int_equal(f->ev.event_id, 2);
}

/* Keys are compared after unescaping: an escaped spelling matches, a key
 * that merely contains the same bytes raw does not. */
static void test_escaped_keys(void **state)
{
        fixture *f = *state;
        decode_ok(f, "{\"@timestamp\":\"2019-08-02T09:46:20Z\","
                     "\"\\u0077inlog\":{\"computer_name\":\"H\","
                     "\"event\\u005fid\":77}}");
        assert_int_equal(f->ev.event_id, 77);
        decode_err(f,
                   "{\"@timestamp\":\"2019-08-02T09:46:20Z\","
                   "\"winlog\":{\"computer_name\":\"H\","
                   "\"event\\\\_id\":77,\"event_id\\u0000\":78}}",
                   "winlogbeat: missing winlog.event_id");
}

static void test_lone_surrogates(void **state)
{
        fixture *f = *state;
        /* Not worth losing an event over: each becomes U+FFFD. */
        decode_ok(f, "{\"@timestamp\":\"2019-08-02T09:46:20Z\","
                     "\"message\":\"a\\ud800b\\udc00c\\ud800\\u0041\","
                     "\"winlog\":{\"computer_name\":\"H\",\"event_id\":1}}");
        assert_str(f->ev.message, "a\xef\xbf\xbd"
                                  "b\xef\xbf\xbd"
                                  "c\xef\xbf\xbd"
                                  "A");
}

static void test_field_cap(void **state)
{
        fixture *f = *state;
        char buf[8192];
        int n = snprintf(buf, sizeof(buf),
                         "{\"@timestamp\":\"2019-08-02T09:46:20Z\","
                         "\"winlog\":{\"computer_name\":\"H\",\"event_id\":1,"
                         "\"event_data\":{");
        for (int i = 0; i < 100; i++)
                n += snprintf(buf + n, sizeof(buf) - (size_t)n,
                              "%s\"f%d\":\"v%d\"", i ? "," : "", i, i);
        n += snprintf(buf + n, sizeof(buf) - (size_t)n,
                      "},\"user_data\":{\"u\":\"1\"}}}");
        assert_true(n < (int)sizeof(buf));
        decode_ok(f, buf);
        assert_int_equal(f->ev.nfields, KBC_EVENT_MAX_FIELDS);
        assert_int_equal(f->ev.fields_dropped, 100 + 1 - KBC_EVENT_MAX_FIELDS);
        assert_str(f->ev.fields[63].name, "f63");
        assert_str(f->ev.fields[63].value, "v63");
}

static void test_bom_and_whitespace(void **state)
{
        fixture *f = *state;
        char buf[sizeof(wlb7) + 16];
        snprintf(buf, sizeof(buf), "\xef\xbb\xbf  %s \r\n", wlb7);
        decode_ok(f, buf);
        assert_int_equal(f->ev.event_id, 7036);
}

static void test_forced_format(void **state)
{
        fixture *f = *state;
        kbc_format fmt;
        assert_int_equal(kbc_format_parse("winlogbeat", &fmt), 0);
        assert_int_equal(fmt, KBC_FMT_WINLOGBEAT);
        assert_int_equal(kbc_format_parse("AUTO", &fmt), 0);
        assert_int_equal(fmt, KBC_FMT_AUTO);
        assert_int_equal(kbc_format_parse("nxlog-xyz", &fmt), -1);
        assert_int_equal(kbc_format_parse(NULL, &fmt), -1);
        assert_string_equal(kbc_format_name(KBC_FMT_WINLOGBEAT), "winlogbeat");
        assert_string_equal(kbc_format_name(KBC_FMT_AUTO), "auto");
        assert_string_equal(kbc_format_name(KBC_FMT__COUNT), "unknown");

        assert_int_equal(kbc_decode(f->d, KBC_FMT_WINLOGBEAT, wlb7,
                                    strlen(wlb7), &f->ev, f->err,
                                    sizeof(f->err)),
                         KBC_FMT_WINLOGBEAT);
        const char other[] = "{\"EventID\":4624}";
        assert_int_equal(kbc_decode(f->d, KBC_FMT_WINLOGBEAT, other,
                                    strlen(other), &f->ev, f->err,
                                    sizeof(f->err)),
                         KBC_FMT_AUTO);
        assert_string_equal(f->err, "winlogbeat: missing winlog object");
}

/* ---- broken input ----------------------------------------------------- */

static void test_not_winlogbeat(void **state)
{
        fixture *f = *state;
        decode_err(f, "", "empty message");
        decode_err(f, " \t\r\n ", "empty message");
        decode_err(f, "hello world", "unrecognized format: not JSON");
        decode_err(f, "[1,2]", "unrecognized format: JSON array");
        /* The excerpt in the reason is printable and short, even for
         * binary input. */
        decode_err(f, "\x01\xa3Tag\x01",
                   "not JSON, XML, msgpack or Snare (starts with "
                   "\"\\x01\\xa3Tag\\x01\")");
        decode_err(f, "%PDF-1.4 and a long tail of bytes that goes on and on",
                   "(starts with \"%PDF-1.4 and a long tail of bytes that "
                   "g...\")");
        /* Other formats' shapes now go to their decoders, which say
         * what is missing. */
        decode_err(f, "<Event xmlns='x'/>", "winxml: missing System/EventID");
        decode_err(f, "\x85\xa3Tag\x01", "fluentbit: invalid msgpack");
        decode_err(f, "{\"EventID\":4624,\"SourceName\":\"x\"}",
                   "nxlog: missing time (EventTime, TimeCreated, @timestamp");
        decode_err(f, "{\"winlog\":\"System\"}",
                   "unrecognized format: JSON object of no known format");
}

static void test_broken_json(void **state)
{
        fixture *f = *state;
        /* Truncated anywhere. */
        for (size_t cut = 1; cut < strlen(wlb7); cut += 37) {
                kbc_format fmt = kbc_decode(f->d, KBC_FMT_AUTO, wlb7, cut,
                                            &f->ev, f->err, sizeof(f->err));
                if (fmt != KBC_FMT_AUTO)
                        fail_msg("decoded a message cut at %zu bytes", cut);
        }
        decode_err_n(f, wlb7, strlen(wlb7) - 1, "truncated JSON");
        decode_err(f, "{\"winlog\":{\"event_id\":1", "truncated JSON");
        decode_err(f, "{\"message\":\"unterminated", "truncated JSON");
        /* Trailing garbage, or a second object on the same line. */
        char buf[sizeof(wlb7) + 64];
        snprintf(buf, sizeof(buf), "%s x", wlb7);
        decode_err(f, buf, "trailing data after the JSON object");
        snprintf(buf, sizeof(buf), "%s{}", wlb7);
        decode_err(f, buf, "trailing data after the JSON object");
        snprintf(buf, sizeof(buf), "%s}", wlb7);
        decode_err(f, buf, "trailing data after the JSON object");
        snprintf(buf, sizeof(buf), "%s 5", wlb7);
        decode_err(f, buf, "trailing data after the JSON object");
        snprintf(buf, sizeof(buf), "%s\n\"x\"", wlb7);
        decode_err(f, buf, "trailing data after the JSON object");
        /* A NUL byte inside, or after the object. */
        decode_err_n(f, "{\"a\":\"x\0y\"}", 11, "NUL byte");
        decode_err_n(f, "{\"a\":1}\0", 8, "trailing data");
        /* An invalid escape. */
        decode_err(f, "{\"message\":\"bad \\x escape\",\"winlog\":{}}",
                   "invalid escape");
        decode_err(f, "{\"message\":\"bad \\u12G4\",\"winlog\":{}}",
                   "invalid escape");
        decode_err(f, "{\"message\":\"bad \\u12\",\"winlog\":{}}",
                   "invalid escape");
}

/* Things strict jsmn alone tokenizes without complaint. */
static void test_jsmn_leniency_refused(void **state)
{
        fixture *f = *state;
        static const char *const bad[] = {
            "{\"winlog\":{},}",
            "{,\"winlog\":{}}",
            "{\"winlog\":{}\"a\":1}",
            "{\"winlog\" {}}",
            "{\"winlog\":{\"a\":1 \"b\":2}}",
            "{\"winlog\":{\"a\"}}",
            "{\"winlog\":{\"a\":}}",
            "{\"winlog\":{\"a\"::1}}",
            "{\"winlog\":{\"a\":[1 2]}}",
            "{\"winlog\":{\"a\":[1,,2]}}",
            "{\"winlog\":{\"a\":[1,]}}",
            "{\"winlog\":{\"a\":[,1]}}",
            "{\"winlog\":{\"a\":[\"x\":1]}}",
            "{\"winlog\":{\"a\":tru}}",
            "{\"winlog\":{\"a\":nulls}}",
            "{\"winlog\":{\"a\":01}}",
            "{\"winlog\":{\"a\":1.}}",
            "{\"winlog\":{\"a\":-}}",
            "{\"winlog\":{\"a\":1e}}",
            "{\"winlog\":{\"a\":+1}}",
            "{\"winlog\":{\"a\":t\"x\"}}",
            "{\"winlog\":{\"a\":1}:2}",
            "{\"winlog\":{\"a\":{\"b\":1}:2}}",
            "{\"winlog\":{\"a\":1}]",
            "{\"winlog\":{'a':1}}",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                kbc_format fmt =
                    kbc_decode(f->d, KBC_FMT_AUTO, bad[i], strlen(bad[i]),
                               &f->ev, f->err, sizeof(f->err));
                if (fmt != KBC_FMT_AUTO)
                        fail_msg("accepted invalid JSON %s", bad[i]);
                if (!strstr(f->err, "JSON"))
                        fail_msg("error for %s does not say JSON: %s", bad[i],
                                 f->err);
        }
}

static void test_missing_parts(void **state)
{
        fixture *f = *state;
        decode_err(f,
                   "{\"@timestamp\":\"2019-08-02T09:46:20Z\","
                   "\"winlog\":{\"computer_name\":\"H\"}}",
                   "winlogbeat: missing winlog.event_id");
        decode_err(f,
                   "{\"@timestamp\":\"2019-08-02T09:46:20Z\","
                   "\"winlog\":{\"computer_name\":\"H\",\"event_id\":\"x1\"}}",
                   "winlogbeat: winlog.event_id is not an event id: \"x1\"");
        decode_err(f,
                   "{\"@timestamp\":\"2019-08-02T09:46:20Z\","
                   "\"winlog\":{\"computer_name\":\"H\",\"event_id\":-1}}",
                   "is not an event id");
        decode_err(f,
                   "{\"@timestamp\":\"2019-08-02T09:46:20Z\","
                   "\"winlog\":{\"computer_name\":\"H\",\"event_id\":1.5}}",
                   "is not an event id");
        decode_err(f,
                   "{\"@timestamp\":\"2019-08-02T09:46:20Z\","
                   "\"winlog\":{\"computer_name\":\"H\","
                   "\"event_id\":4294967296}}",
                   "is not an event id");
        decode_err(f, "{\"winlog\":{\"computer_name\":\"H\",\"event_id\":1}}",
                   "winlogbeat: missing @timestamp");
        decode_err(f,
                   "{\"@timestamp\":\"yesterday\",\"winlog\":{"
                   "\"computer_name\":\"H\",\"event_id\":1}}",
                   "winlogbeat: unparseable @timestamp \"yesterday\"");
        decode_err(f,
                   "{\"@timestamp\":1564739180000,\"winlog\":{"
                   "\"computer_name\":\"H\",\"event_id\":1}}",
                   "unparseable @timestamp");
}

static void test_size_limits(void **state)
{
        fixture *f = *state;
        const size_t cap = 1024 * 1024;
        char *big = malloc(cap + 2);
        assert_non_null(big);

        /* Just under the cap, one long message: decodes. */
        const char head[] = "{\"@timestamp\":\"2019-08-02T09:46:20Z\","
                            "\"winlog\":{\"computer_name\":\"H\","
                            "\"event_id\":1},\"message\":\"";
        size_t n = strlen(head);
        memcpy(big, head, n);
        memset(big + n, 'a', cap - n - 2);
        memcpy(big + cap - 2, "\"}", 2);
        assert_int_equal(kbc_decode(f->d, KBC_FMT_AUTO, big, cap, &f->ev,
                                    f->err, sizeof(f->err)),
                         KBC_FMT_WINLOGBEAT);
        assert_int_equal(f->ev.message.len, cap - n - 2);

        /* One byte more: refused before parsing, with the size. */
        big[cap] = ' ';
        decode_err_n(f, big, cap + 1, "oversized message: 1048577 bytes");

        /* Many small values: past the token cap, refused clearly. */
        n = (size_t)snprintf(big, cap, "{\"winlog\":{},\"a\":[");
        for (int i = 0; i < 70000; i++) {
                big[n++] = '1';
                big[n++] = ',';
        }
        memcpy(big + n - 1, "]}", 3);
        decode_err(f, big, "JSON has more than 65536 tokens");

        /* Deep nesting: refused before jsmn would spend depth^2 on it,
         * including nesting hidden from a naive scan behind a bare word. */
        n = (size_t)snprintf(big, cap, "{\"winlog\":{},\"a\":");
        for (int i = 0; i < 100000; i++)
                big[n++] = '[';
        for (int i = 0; i < 100000; i++)
                big[n++] = ']';
        memcpy(big + n, "}", 2);
        decode_err(f, big, "JSON nested deeper than 64 levels");
        n = (size_t)snprintf(big, cap, "{\"winlog\":{},\"a\":t\", \"b\":");
        for (int i = 0; i < 100; i++)
                big[n++] = '[';
        for (int i = 0; i < 100; i++)
                big[n++] = ']';
        memcpy(big + n, "}", 2);
        decode_err(f, big, "JSON nested deeper than 64 levels");

        /* Nesting within the limit is fine. */
        n = (size_t)snprintf(big, cap,
                             "{\"@timestamp\":\"2019-08-02T09:46:"
                             "20Z\",\"winlog\":{\"computer_name\":"
                             "\"H\",\"event_id\":1},\"a\":");
        for (int i = 0; i < 60; i++)
                big[n++] = '[';
        for (int i = 0; i < 60; i++)
                big[n++] = ']';
        memcpy(big + n, "}", 2);
        decode_ok(f, big);
        free(big);
}

/* Views into the scratch stay intact while later fields are unescaped:
 * the scratch must never move during one message. */
static void test_scratch_views_stable(void **state)
{
        fixture *f = *state;
        char *buf = malloc(300000);
        assert_non_null(buf);
        /* Small first, so the scratch starts small... */
        decode_ok(f, wlb8);
        /* ...then many escaped fields whose total passes any small
         * capacity. */
        size_t n = (size_t)sprintf(buf, "{\"@timestamp\":\"2019-08-02T09:46:"
                                        "20Z\",\"winlog\":{\"computer_name\":"
                                        "\"H\\u0031\",\"event_id\":1,"
                                        "\"event_data\":{");
        for (int i = 0; i < 60; i++) {
                n += (size_t)sprintf(buf + n, "%s\"k\\u00e9%d\":\"",
                                     i ? "," : "", i);
                for (int k = 0; k < 1000; k++)
                        n += (size_t)sprintf(buf + n, "\\n");
                n += (size_t)sprintf(buf + n, "%d\"", i);
        }
        n += (size_t)sprintf(buf + n, "}}}");
        decode_ok(f, buf);
        assert_str(f->ev.host, "H1");
        assert_int_equal(f->ev.nfields, 60);
        for (int i = 0; i < 60; i++) {
                char name[16], tail[16];
                snprintf(name, sizeof(name), "k\xc3\xa9%d", i);
                snprintf(tail, sizeof(tail), "%d", i);
                kbc_str v = f->ev.fields[i].value;
                assert_str(f->ev.fields[i].name, name);
                size_t tl = strlen(tail);
                assert_int_equal(v.len, 1000 + tl);
                for (size_t k = 0; k < 1000; k++)
                        assert_int_equal(v.ptr[k], '\n');
                assert_memory_equal(v.ptr + 1000, tail, tl);
        }
        free(buf);
}

/* ---- event helpers ---------------------------------------------------- */

static void test_origin_format(void **state)
{
        (void)state;
        char buf[KBC_ORIGIN_STRLEN];
        kbc_origin o = {
            .kind = KBC_ORIGIN_FILE, .source = "events.jsonl", .position = 12};
        kbc_origin_format(&o, buf, sizeof(buf));
        assert_string_equal(buf, "events.jsonl:12");
        o = (kbc_origin){.kind = KBC_ORIGIN_RECORD,
                         .source = "Security.evtx",
                         .position = 12};
        kbc_origin_format(&o, buf, sizeof(buf));
        assert_string_equal(buf, "Security.evtx#record 12");
        o = (kbc_origin){.kind = KBC_ORIGIN_OBJECT,
                         .source = "fluent-bit.msgpack",
                         .position = 3};
        kbc_origin_format(&o, buf, sizeof(buf));
        assert_string_equal(buf, "fluent-bit.msgpack#object 3");
        o = (kbc_origin){.kind = KBC_ORIGIN_KAFKA,
                         .source = "wineventlog",
                         .partition = 3,
                         .position = 1234};
        kbc_origin_format(&o, buf, sizeof(buf));
        assert_string_equal(buf, "wineventlog/3@1234");
        o = (kbc_origin){.kind = KBC_ORIGIN_INLINE,
                         .source = "rules/Q247773.yaml",
                         .position = 40};
        kbc_origin_format(&o, buf, sizeof(buf));
        assert_string_equal(buf, "rules/Q247773.yaml:40");
        o = (kbc_origin){.kind = KBC_ORIGIN_FILE, .source = NULL};
        kbc_origin_format(&o, buf, sizeof(buf));
        assert_string_equal(buf, "-");
        kbc_origin_format(NULL, buf, sizeof(buf));
        assert_string_equal(buf, "(unknown origin)");

        /* Too long: the tail of the path and the position are kept. */
        o = (kbc_origin){
            .kind = KBC_ORIGIN_FILE,
            .source = "/very/long/directory/name/that/goes/on/events.jsonl",
            .position = 12};
        char small[24];
        memset(small, 'x', sizeof(small));
        kbc_origin_format(&o, small, sizeof(small));
        assert_string_equal(small, "...s/on/events.jsonl:12");
        /* Tiny buffers: always terminated, never overrun. */
        for (size_t size = 1; size <= 8; size++) {
                char tiny[10];
                memset(tiny, 'x', sizeof(tiny));
                kbc_origin_format(&o, tiny, size);
                assert_true(strlen(tiny) < size);
                assert_int_equal(tiny[size], 'x');
        }
        char one[2] = {'x', 'x'};
        kbc_origin_format(&o, one, 0); /* size 0: nothing written */
        assert_int_equal(one[0], 'x');
        /* A cut never starts inside a UTF-8 character. */
        o = (kbc_origin){.kind = KBC_ORIGIN_FILE,
                         .source = "/d/\xc3\xa9\xc3\xa9\xc3\xa9.log",
                         .position = 1};
        char u[12];
        kbc_origin_format(&o, u, sizeof(u));
        assert_string_equal(u, "...\xc3\xa9.log:1");
}

static void test_event_reset(void **state)
{
        (void)state;
        kbc_event ev;
        memset(&ev, 0x5a, sizeof(ev));
        kbc_event_reset(&ev);
        assert_true(ev.time_ms == KBC_TIME_NONE);
        assert_int_equal(ev.nfields, 0);
        assert_false(ev.has_event_id);
        assert_int_equal(ev.origin.kind, KBC_ORIGIN_NONE);
        assert_non_null(ev.host.ptr);
        assert_int_equal(ev.host.len, 0);
        assert_true(kbc_str_empty(kbc_event_field(&ev, KBC_STR_LIT("x"))));
}

/* ---- the real capture ------------------------------------------------- */

typedef struct real_stats {
        size_t events, bytes, system, security, application, other, fields,
            dropped, no_message, ev7036;
        uint64_t msg_hash, field_hash;
} real_stats;

static void check_line1(const kbc_event *ev)
{
        char t[KBC_TIME_STRLEN + 1];
        kbc_time_format(ev->time_ms, t);
        assert_string_equal(t, "2019-08-02T09:46:20.000Z");
        assert_str(ev->host, "CLIENT1");
        assert_str(ev->channel, "System");
        assert_str(ev->provider, "EventLog");
        assert_int_equal(ev->event_id, 6005);
        assert_int_equal(ev->record_id, 11571);
        assert_str(ev->level, "information");
        assert_str(ev->message, "The Event log service was started.");
        assert_int_equal(ev->nfields, 1);
        assert_str(ev->fields[0].name, "Binary");
        assert_str(ev->fields[0].value,
                   "E30708000500020009002E00140057010000000000000000");
}

/* Line 10: the first Security event, 4624 with 14 EventData fields and a
 * message full of \n and \t escapes. */
static void check_line10(const kbc_event *ev)
{
        char t[KBC_TIME_STRLEN + 1];
        kbc_time_format(ev->time_ms, t);
        assert_string_equal(t, "2019-08-02T09:46:18.625Z");
        assert_str(ev->channel, "Security");
        assert_str(ev->provider, "Microsoft-Windows-Security-Auditing");
        assert_int_equal(ev->event_id, 4624);
        assert_int_equal(ev->record_id, 4643);
        assert_int_equal(ev->nfields, 14);
        static const char head[] = "An account was successfully logged on."
                                   "\n\nSubject:\n\tSecurity ID:\t\tS-1-5-18\n";
        assert_int_equal(ev->message.len, 1859);
        assert_memory_equal(ev->message.ptr, head, sizeof(head) - 1);
        assert_str(kbc_event_field(ev, KBC_STR_LIT("LogonProcessName")),
                   "Advapi  ");
        assert_str(kbc_event_field(ev, KBC_STR_LIT("LogonType")), "5");
        assert_str(kbc_event_field(ev, KBC_STR_LIT("LogonGuid")),
                   "{00000000-0000-0000-0000-000000000000}");
        assert_str(ev->fields[13].name, "IpPort");
}

/* Line 195: FreeSSHDService logs event id 0 and no message at all. */
static void check_line195(const kbc_event *ev)
{
        assert_str(ev->channel, "Application");
        assert_str(ev->provider, "FreeSSHDService");
        assert_true(ev->has_event_id);
        assert_int_equal(ev->event_id, 0);
        assert_int_equal(ev->record_id, 2928);
        assert_int_equal(ev->message.len, 0);
        assert_str(kbc_event_field(ev, KBC_STR_LIT("param1")),
                   "Service started");
}

/* Line 253: WMI error with UserData only, escaped quotes in both. */
static void check_line253(const kbc_event *ev)
{
        assert_str(ev->provider, "Microsoft-Windows-WMI");
        assert_str(ev->level, "error");
        assert_int_equal(ev->event_id, 10);
        assert_int_equal(ev->record_id, 2944);
        assert_int_equal(ev->message.len, 322);
        assert_int_equal(ev->nfields, 4);
        assert_str(ev->fields[0].name, "xml_name");
        assert_str(ev->fields[0].value, "data_0x8000003F");
        assert_str(kbc_event_field(ev, KBC_STR_LIT("Query")),
                   "SELECT * FROM __InstanceModificationEvent WITHIN 60 WHERE "
                   "TargetInstance ISA \"Win32_Processor\" AND "
                   "TargetInstance.LoadPercentage > 99");
        assert_str(kbc_event_field(ev, KBC_STR_LIT("Error")), "0x80041003");
}

static void account(real_stats *s, const kbc_event *ev)
{
        s->events++;
        if (str_is(ev->channel, "System"))
                s->system++;
        else if (str_is(ev->channel, "Security"))
                s->security++;
        else if (str_is(ev->channel, "Application"))
                s->application++;
        else
                s->other++;
        assert_str(ev->host, "CLIENT1");
        assert_true(ev->has_event_id && ev->has_record_id);
        assert_true(ev->time_ms != KBC_TIME_NONE);
        s->ev7036 += ev->event_id == 7036;
        s->no_message += ev->message.len == 0;
        s->fields += ev->nfields;
        s->dropped += ev->fields_dropped;
        s->msg_hash = kbc_fnv64(s->msg_hash, ev->message.ptr, ev->message.len);
        s->msg_hash = kbc_fnv64(s->msg_hash, "", 1);
        for (size_t i = 0; i < ev->nfields; i++) {
                const kbc_field *fl = &ev->fields[i];
                s->field_hash =
                    kbc_fnv64(s->field_hash, fl->name.ptr, fl->name.len);
                s->field_hash = kbc_fnv64(s->field_hash, "=", 1);
                s->field_hash =
                    kbc_fnv64(s->field_hash, fl->value.ptr, fl->value.len);
                s->field_hash = kbc_fnv64(s->field_hash, "", 1);
        }
}

static void test_real_winlogbeat7(void **state)
{
        fixture *f = *state;
        if (access(REAL_FILE, R_OK) != 0)
                fail_msg("missing test data %s: the shared/ folder must be "
                         "beside the project (or set KBC_SHARED_DIR at "
                         "configure time)",
                         REAL_FILE);
        FILE *in = popen("xz -dc '" REAL_FILE "'", "r");
        if (!in)
                fail_msg("cannot run xz -dc on %s", REAL_FILE);

        real_stats s = {0};
        s.msg_hash = s.field_hash = KBC_FNV64_INIT;
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        size_t lineno = 0;
        while ((n = getline(&line, &cap, in)) > 0) {
                lineno++;
                f->ev.origin = (kbc_origin){.kind = KBC_ORIGIN_FILE,
                                            .source = REAL_FILE,
                                            .position = (int64_t)lineno};
                kbc_format fmt = kbc_decode(f->d, KBC_FMT_AUTO, line, (size_t)n,
                                            &f->ev, f->err, sizeof(f->err));
                if (fmt != KBC_FMT_WINLOGBEAT)
                        fail_msg("line %zu: %s", lineno, f->err);
                s.bytes += (size_t)n;
                account(&s, &f->ev);
                if (lineno == 1)
                        check_line1(&f->ev);
                else if (lineno == 10)
                        check_line10(&f->ev);
                else if (lineno == 195)
                        check_line195(&f->ev);
                else if (lineno == 253)
                        check_line253(&f->ev);
        }
        free(line);
        int rc = pclose(in);
        if (rc != 0)
                fail_msg("xz -dc %s failed (status %d)", REAL_FILE, rc);

        assert_int_equal(s.events, 838);
        assert_int_equal(s.system, 548);
        assert_int_equal(s.security, 197);
        assert_int_equal(s.application, 93);
        assert_int_equal(s.other, 0);
        assert_int_equal(s.ev7036, 386);
        assert_int_equal(s.no_message, 4);
        assert_int_equal(s.fields, 3334);
        assert_int_equal(s.dropped, 0);
        /* Every message and every field, byte for byte, as Python's json
         * module decodes them (FNV-1a over value + NUL, in file order). */
        assert_int_equal(s.msg_hash, 0x0fdf46c82ba00003ULL);
        assert_int_equal(s.field_hash, 0x8daf5a0d3d6b9bc7ULL);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
        const struct CMUnitTest tests[] = {
            T(test_winlogbeat7),
            T(test_winlogbeat8),
            T(test_host_fallbacks),
            T(test_event_code_fallback),
            T(test_escaped_keys),
            T(test_lone_surrogates),
            T(test_field_cap),
            T(test_bom_and_whitespace),
            T(test_forced_format),
            T(test_not_winlogbeat),
            T(test_broken_json),
            T(test_jsmn_leniency_refused),
            T(test_missing_parts),
            T(test_size_limits),
            T(test_scratch_views_stable),
            T(test_origin_format),
            T(test_event_reset),
            T(test_real_winlogbeat7),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
