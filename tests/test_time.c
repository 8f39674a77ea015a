/*
 * test_time.c - event time parsing/formatting and durations (kbc_time.h).
 *
 * Expected instants were computed independently with Python's datetime,
 * so these check the hand-written calendar arithmetic against a reference,
 * not against itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kbc_time.h"

static int64_t parse_ok(const char *s, int default_offset)
{
        int64_t ms = 42;
        if (kbc_time_parse_iso(kbc_str_cstr(s), default_offset, &ms) != 0)
                fail_msg("expected \"%s\" to parse", s);
        return ms;
}

static void parse_bad(const char *s)
{
        int64_t ms = 42;
        if (kbc_time_parse_iso(kbc_str_cstr(s), 0, &ms) != -1)
                fail_msg("expected \"%s\" to be refused", s);
        assert_int_equal(ms, 42); /* untouched on failure */
}

static void test_utc_forms(void **state)
{
        (void)state;
        /* Winlogbeat's @timestamp. */
        assert_int_equal(parse_ok("2019-08-02T09:46:20.000Z", 0),
                         1564739180000LL);
        assert_int_equal(parse_ok("2019-08-02T09:46:20Z", 0), 1564739180000LL);
        assert_int_equal(parse_ok("2019-08-02t09:46:20z", 0), 1564739180000LL);
        /* Space for 'T' (NXLog EventTime, SQL-style). */
        assert_int_equal(parse_ok("2019-08-02 09:46:20Z", 0), 1564739180000LL);
        assert_int_equal(parse_ok("1970-01-01T00:00:00Z", 0), 0);
        assert_int_equal(parse_ok("1969-12-31T23:59:59.999Z", 0), -1);
}

static void test_offsets(void **state)
{
        (void)state;
        assert_int_equal(parse_ok("2019-08-02T09:46:20+02:00", 0),
                         1564731980000LL);
        assert_int_equal(parse_ok("2019-08-02T09:46:20+0200", 0),
                         1564731980000LL);
        assert_int_equal(parse_ok("2019-08-02T09:46:20+02", 0),
                         1564731980000LL);
        assert_int_equal(parse_ok("2024-02-29T12:00:00-05:30", 0),
                         1709227800000LL);
        assert_int_equal(parse_ok("2024-02-29T12:00:00-0530", 0),
                         1709227800000LL);
        assert_int_equal(parse_ok("2019-08-02T09:46:20-00:00", 0),
                         1564739180000LL);
}

static void test_no_zone_uses_default(void **state)
{
        (void)state;
        /* No zone: UTC by default, or the configured offset (NXLog). */
        assert_int_equal(parse_ok("2019-08-02T09:46:20", 0), 1564739180000LL);
        assert_int_equal(parse_ok("2019-08-02 09:46:20", 120), 1564731980000LL);
        assert_int_equal(parse_ok("2024-02-29 12:00:00", -330),
                         1709227800000LL);
        /* An explicit zone wins over the default. */
        assert_int_equal(parse_ok("2019-08-02T09:46:20Z", 120),
                         1564739180000LL);
}

static void test_fractions(void **state)
{
        (void)state;
        const int64_t base = 1564739180000LL;
        assert_int_equal(parse_ok("2019-08-02T09:46:20.5Z", 0), base + 500);
        assert_int_equal(parse_ok("2019-08-02T09:46:20.05Z", 0), base + 50);
        assert_int_equal(parse_ok("2019-08-02T09:46:20.123Z", 0), base + 123);
        /* Microseconds and Windows' 100 ns ticks: truncated, not rounded. */
        assert_int_equal(parse_ok("2019-08-02T09:46:20.123999Z", 0),
                         base + 123);
        assert_int_equal(parse_ok("2019-08-02T09:46:20.9999999Z", 0),
                         base + 999);
        assert_int_equal(
            parse_ok("2019-08-02T09:46:20.12345678901234567890123Z", 0),
            base + 123);
        assert_int_equal(parse_ok("2019-08-02T09:46:20,250+00:00", 0),
                         base + 250);
        assert_int_equal(parse_ok("2019-08-02 09:46:20.7", 0), base + 700);
}

static void test_calendar(void **state)
{
        (void)state;
        assert_int_equal(parse_ok("2000-02-29T23:59:59.999Z", 0),
                         951868799999LL); /* divisible by 400: leap */
        assert_int_equal(parse_ok("2016-12-31T23:59:59Z", 0), 1483228799000LL);
        assert_int_equal(parse_ok("1900-03-01T00:00:00Z", 0), -2203891200000LL);
        assert_int_equal(parse_ok("0001-01-01T00:00:00Z", 0),
                         -62135596800000LL);
        assert_int_equal(parse_ok("9999-12-31T23:59:59.999Z", 0),
                         253402300799999LL);
        parse_bad("1900-02-29T00:00:00Z"); /* divisible by 100: not leap */
        parse_bad("2023-02-29T00:00:00Z");
        parse_bad("2024-04-31T00:00:00Z");
        parse_ok("2024-02-29T00:00:00Z", 0);
        /* A leap second rolls over like POSIX time. */
        assert_int_equal(parse_ok("2016-12-31T23:59:60Z", 0), 1483228800000LL);
}

static void test_invalid(void **state)
{
        (void)state;
        static const char *const bad[] = {
            "",
            "2019",
            "2019-08-02",
            "2019-08-02T",
            "2019-08-02T09:46",
            "2019-08-02T09:46:2",
            "2019-8-02T09:46:20Z",
            "19-08-02T09:46:20Z",
            "2019/08/02T09:46:20Z",
            "2019-08-02X09:46:20Z",
            "2019-13-02T09:46:20Z",
            "2019-00-02T09:46:20Z",
            "2019-08-00T09:46:20Z",
            "2019-08-32T09:46:20Z",
            "2019-08-02T24:00:00Z",
            "2019-08-02T09:60:20Z",
            "2019-08-02T09:46:61Z",
            "2019-08-02T09:46:20.Z",
            "2019-08-02T09:46:20ZZ",
            "2019-08-02T09:46:20+2",
            "2019-08-02T09:46:20+02:",
            "2019-08-02T09:46:20+02:0",
            "2019-08-02T09:46:20+24:00",
            "2019-08-02T09:46:20+02:60",
            "2019-08-02T09:46:20 Z",
            " 2019-08-02T09:46:20Z",
            "2019-08-02T09:46:20Z ",
            "2019-08-02T09:46:20UTC",
            "-019-08-02T09:46:20Z",
            "not a time at all",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                parse_bad(bad[i]);

        /* Bounded: the view's length is honoured, no NUL needed. */
        const char buf[] = "2019-08-02T09:46:20Zgarbage";
        int64_t ms;
        assert_int_equal(kbc_time_parse_iso(kbc_str_make(buf, 20), 0, &ms), 0);
        assert_int_equal(ms, 1564739180000LL);
        assert_int_equal(kbc_time_parse_iso(kbc_str_make(buf, 19), 0, &ms), 0);
        assert_int_equal(kbc_time_parse_iso(kbc_str_make(buf, 18), 0, &ms), -1);
        assert_int_equal(kbc_time_parse_iso(kbc_str_make(NULL, 0), 0, &ms), -1);
}

static void check_format(int64_t ms, const char *want)
{
        char buf[KBC_TIME_STRLEN + 1];
        memset(buf, 'x', sizeof(buf));
        kbc_time_format(ms, buf);
        assert_string_equal(buf, want);
        assert_int_equal(strlen(buf), KBC_TIME_STRLEN);
}

static void test_format(void **state)
{
        (void)state;
        check_format(1564739180000LL, "2019-08-02T09:46:20.000Z");
        check_format(0, "1970-01-01T00:00:00.000Z");
        check_format(-1, "1969-12-31T23:59:59.999Z");
        check_format(951868799999LL, "2000-02-29T23:59:59.999Z");
        check_format(-62135596800000LL, "0001-01-01T00:00:00.000Z");
        check_format(253402300799999LL, "9999-12-31T23:59:59.999Z");
        /* Out of the four-digit range: clamped, never overflowing. */
        check_format(KBC_TIME_NONE, "0000-01-01T00:00:00.000Z");
        check_format(INT64_MAX, "9999-12-31T23:59:59.999Z");
}

static void test_round_trip(void **state)
{
        (void)state;
        static const char *const in[] = {
            "2019-08-02T09:46:20.000Z", "2019-07-30T14:38:16.352Z",
            "2000-02-29T23:59:59.999Z", "1969-07-20T20:17:40.000Z",
            "2038-01-19T03:14:08.001Z", "0000-03-01T00:00:00.000Z",
        };
        for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
                char buf[KBC_TIME_STRLEN + 1];
                kbc_time_format(parse_ok(in[i], 0), buf);
                assert_string_equal(buf, in[i]);
        }
        /* Every 7th day from 1422 to 2517, at varying times of day. */
        for (int64_t day = -200000; day < 200000; day += 7) {
                int64_t ms = day * 86400000LL + (day * 7919) % 86400000LL;
                char buf[KBC_TIME_STRLEN + 1];
                int64_t back;
                kbc_time_format(ms, buf);
                assert_int_equal(
                    kbc_time_parse_iso(kbc_str_cstr(buf), 0, &back), 0);
                assert_int_equal(back, ms);
        }
}

static int64_t dur_ok(const char *s)
{
        int64_t ms = -42;
        if (kbc_duration_parse(s, &ms) != 0)
                fail_msg("expected duration \"%s\" to parse", s);
        return ms;
}

static void test_durations(void **state)
{
        (void)state;
        assert_int_equal(dur_ok("500ms"), 500);
        assert_int_equal(dur_ok("30s"), 30000);
        assert_int_equal(dur_ok("10m"), 600000);
        assert_int_equal(dur_ok("2h"), 7200000);
        assert_int_equal(dur_ok("1d"), 86400000);
        assert_int_equal(dur_ok("1h30m"), 5400000);
        assert_int_equal(dur_ok("1m30s250ms"), 90250);
        assert_int_equal(dur_ok("0s"), 0);
        assert_int_equal(dur_ok("1.5h"), 5400000);
        assert_int_equal(dur_ok("0.0015s"), 1); /* truncated to the ms */

        static const char *const bad[] = {
            "",
            "10",
            "-5m",
            "m",
            "10x",
            "10M",
            "1h 30m",
            " 1h",
            "1h ",
            "1.h",
            ".5h",
            "10mss",
            "5 m",
            "1e3s",
            "99999999999999999999s",
            "9223372036854775807d",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                int64_t ms = -42;
                if (kbc_duration_parse(bad[i], &ms) != -1)
                        fail_msg("expected duration \"%s\" to be refused",
                                 bad[i]);
                assert_int_equal(ms, -42);
        }
        int64_t ms;
        assert_int_equal(kbc_duration_parse(NULL, &ms), -1);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_utc_forms),
            cmocka_unit_test(test_offsets),
            cmocka_unit_test(test_no_zone_uses_default),
            cmocka_unit_test(test_fractions),
            cmocka_unit_test(test_calendar),
            cmocka_unit_test(test_invalid),
            cmocka_unit_test(test_format),
            cmocka_unit_test(test_round_trip),
            cmocka_unit_test(test_durations),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
