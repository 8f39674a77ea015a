/*
 * test_match.c - which signals an event matches: the provider+event id
 * index, case-insensitive names, event id lists, EventData fields, the
 * message fallback for events without one, and bounded regex work on
 * hostile input.
 */
#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kbc_bundle.h"
#include "kbc_engine.h"
#include "kbc_rules.h"

static kbc_ruleset *rules;
static kbc_matcher *matcher;

static kbc_event event(const char *provider, uint32_t id, const char *msg)
{
        kbc_event ev;
        memset(&ev, 0, sizeof(ev));
        ev.provider = kbc_str_cstr(provider);
        ev.channel = kbc_str_cstr("System");
        ev.event_id = id;
        ev.has_event_id = true;
        ev.message = kbc_str_cstr(msg);
        return ev;
}

static void add_field(kbc_event *ev, const char *name, const char *value)
{
        ev->fields[ev->nfields++] =
            (kbc_field){kbc_str_cstr(name), kbc_str_cstr(value)};
}

/* The matched signal ids joined by spaces, in rule order. */
static const char *matched(const kbc_event *ev)
{
        static char out[256];
        const kbc_signal *hits[8];
        size_t n = kbc_match(matcher, ev, hits, 8);
        out[0] = '\0';
        for (size_t i = 0; i < n && i < 8; i++) {
                if (i)
                        strcat(out, " ");
                strcat(out, kbc_signal_id(hits[i]));
        }
        return out;
}

static void test_provider_and_event_id_list(void **state)
{
        (void)state;
        kbc_event ev = event("Service Control Manager", 7034, "x");
        assert_string_equal(matched(&ev), "crash-or-terminated");
        ev = event("SERVICE CONTROL MANAGER", 7031, "x");
        assert_string_equal(matched(&ev), "crash-or-terminated");
        ev = event("Service Control Manager", 7035, "x");
        assert_string_equal(matched(&ev), "");
        ev = event("Other Provider", 7034, "x");
        assert_string_equal(matched(&ev), "");
}

/* A provider list matches any of its names, and a provider matches with
 * or without "Microsoft-Windows-" before it, either side, and with its
 * instance and category after it ("ADAM [SalesApps] General"). */
static void test_provider_names(void **state)
{
        (void)state;
        static const struct {
                const char *provider;
                unsigned id;
                const char *want;
        } cases[] = {
            {"NTDS Replication", 1388, "lingering-object"},
            {"Microsoft-Windows-ActiveDirectory_DomainService", 1388,
             "lingering-object"},
            {"ActiveDirectory_DomainService", 1388, "lingering-object"},
            {"NTDS KCC", 1388, ""},
            {"Microsoft-Windows-DFSR", 4202, "dfsr-staging"},
            {"dfsr", 4202, "dfsr-staging"},
            {"Microsoft-Windows-", 4202, ""},
            /* an instance's source, as AD LDS names them */
            {"DFSR [Branch1] Staging", 4202, "dfsr-staging"},
            {"DFSR [Branch1]", 4202, "dfsr-staging"},
            {"[Branch1] DFSR", 4202, ""},
            {"DFSRX [Branch1] Staging", 4202, ""},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
                kbc_event ev = event(cases[i].provider, cases[i].id, "x");
                assert_string_equal(matched(&ev), cases[i].want);
        }
}

/* Every name of a signal's provider is a key of the signal index: it is
 * sized for all of them (sized for one a signal, this fixture filled it
 * and a lookup of a provider it does not hold never ended), and two names
 * of one provider list the signal once. */
static void test_provider_lists_in_the_index(void **state)
{
        (void)state;
        const char *path = KBC_TEST_DATA "/rules_providers";
        kbc_ruleset *rs = kbc_ruleset_load(&path, 1, NULL, NULL);
        assert_non_null(rs);
        kbc_matcher *m = kbc_matcher_new(rs);
        assert_non_null(m);
        const kbc_signal *hits[8];
        kbc_event ev = event("Unknown Source", 999, "x");
        assert_int_equal(kbc_match(m, &ev, hits, 8), 0);
        ev = event("New Source 3", 103, "x");
        assert_int_equal(kbc_match(m, &ev, hits, 8), 1);
        ev = event("Microsoft-Windows-Fabrikam", 200, "x");
        assert_int_equal(kbc_match(m, &ev, hits, 8), 1);
        assert_string_equal(kbc_signal_id(hits[0]), "same-provider");
        kbc_matcher_free(m);
        kbc_ruleset_free(rs);
}

static void test_event_data_fields(void **state)
{
        (void)state;
        kbc_event ev = event("Service Control Manager", 7036, "");
        add_field(&ev, "param1", "Remote Registry");
        add_field(&ev, "PARAM2", "Stopped");
        assert_string_equal(matched(&ev), "remote-registry-stopped");

        ev = event("Service Control Manager", 7036, "");
        add_field(&ev, "param1", "Remote Registry");
        add_field(&ev, "param2", "running");
        assert_string_equal(matched(&ev), "");

        ev = event("Service Control Manager", 7036, "");
        add_field(&ev, "param1", "Remote Registry"); /* param2 missing */
        assert_string_equal(matched(&ev), "");
}

/* Message-only signals apply to any provider; without a rendered message
 * (EVTX) the EventData values stand in for it. */
static void test_message_and_fallback(void **state)
{
        (void)state;
        kbc_event ev = event("srv", 2013, "The disk C: is full.");
        assert_string_equal(matched(&ev), "disk-full");
        ev = event("srv", 2013, "");
        add_field(&ev, "param1", "The disk D:");
        add_field(&ev, "param2", "is full");
        assert_string_equal(matched(&ev), "disk-full");
        ev = event("srv", 2013, "");
        assert_string_equal(matched(&ev), "");
}

/* A message Windows could not render ("The description for Event ID ...
 * could not be found") is searched as its inserts, and a signal that names
 * the event's source and id matches it on those alone. */
static void test_undescribed_message(void **state)
{
        (void)state;
        kbc_event ev = event("Nbf", 9011,
                             "The description for Event ID ( 9011 ) in Source "
                             "( Nbf ) could not be found. It contains the "
                             "following insertion string(s): \\Device\\Nbf_X, "
                             "Nbf, FRMR.");
        assert_string_equal(matched(&ev), "nbf-frmr");
        ev = event("Nbf", 9011, "The adapter reset the link.");
        assert_string_equal(matched(&ev), "");
        ev = event("cpqtrpci", 29,
                   "The description for Event ID 29 in source (cpqtrpci) "
                   "could not be found. It contains the following insertion "
                   "strings: \\device\\cpqtrpci3,cpqtrpci3");
        assert_string_equal(matched(&ev), "cpqtrpci-text");
        add_field(&ev, "param1", "\\device\\other0");
        assert_string_equal(matched(&ev), ""); /* EventData first */
        /* the inserts begin after the lead-in's colon, not the last one */
        ev = event("cpqtrpci", 29,
                   "The description for Event ID 29 in source (cpqtrpci) "
                   "could not be found. The following information was "
                   "included with the event: C:\\x cpqtrpci3,cpqtrpci3 "
                   "at 10:15:32");
        assert_string_equal(matched(&ev), "cpqtrpci-text");
}

static void test_channel_ignores_case(void **state)
{
        (void)state;
        kbc_event ev = event("Microsoft-Windows-Security-Auditing", 4625, "");
        ev.channel = kbc_str_cstr("security");
        assert_string_equal(matched(&ev), "failed-logon");
        ev.channel = kbc_str_cstr("System");
        assert_string_equal(matched(&ev), "");
}

/* "^(a+)+$" against a long run of 'a' and a '!' backtracks exponentially
 * without limits; the match limit turns it into "no match". */
static void test_hostile_message_is_bounded(void **state)
{
        (void)state;
        static char msg[4097];
        memset(msg, 'a', sizeof(msg) - 2);
        msg[sizeof(msg) - 2] = '!';
        kbc_event ev = event("Evil", 1, msg);
        assert_string_equal(matched(&ev), ""); /* ctest's timeout guards */
        memset(msg, 'a', sizeof(msg) - 1);
        ev = event("Evil", 1, msg);
        assert_string_equal(matched(&ev), "catastrophic");
}

static void test_event_without_id_matches_no_id_signal(void **state)
{
        (void)state;
        kbc_event ev = event("Service Control Manager", 0, "disk E: is full");
        ev.has_event_id = false;
        assert_string_equal(matched(&ev), "disk-full");
}

/* `problem: true`: only events that report one (warning, error,
 * critical, a source that only reports failures, or no level given);
 * `channel` as a list
 * takes any of its names. */
static void test_problem_and_channel_list(void **state)
{
        (void)state;
        const char *msg = "The disk quota was exceeded on E:";
        kbc_event ev = event("Disk", 1, msg);
        ev.level = kbc_str_cstr("Error");
        assert_string_equal(matched(&ev), "quota-exceeded");
        ev.level = kbc_str_cstr("information");
        assert_string_equal(matched(&ev), "");
        ev.level = kbc_str_cstr("");
        assert_string_equal(matched(&ev), "quota-exceeded");
        ev = event("Application Popup", 26, msg);
        ev.level = kbc_str_cstr("information");
        assert_string_equal(matched(&ev), "quota-exceeded");
        /* NT 4.0 logs a STOP error and a crash at level Information */
        ev = event("Save Dump", 1001, msg);
        ev.level = kbc_str_cstr("Information");
        assert_string_equal(matched(&ev), "quota-exceeded");
        ev = event("drwatson", 4097, msg);
        ev.level = kbc_str_cstr("Information");
        assert_string_equal(matched(&ev), "quota-exceeded");
        ev = event("Application Popup", 26, msg);
        ev.level = kbc_str_cstr("information");
        ev.channel = kbc_str_cstr("application");
        assert_string_equal(matched(&ev), "quota-exceeded");
        ev.channel = kbc_str_cstr("Microsoft-Windows-CAPI2/Operational");
        assert_string_equal(matched(&ev), "");
}

/* A pattern two articles share, run on many events: with or without a
 * problem level, before and after it is hot enough for JIT code of its
 * own, every verdict is right for both articles. */
static void test_shared_hot_pattern(void **state)
{
        (void)state;
        char msg[128];
        for (int i = 0; i < 600; i++) {
                bool hit = i % 3 == 0;
                snprintf(msg, sizeof(msg),
                         "The operation failed with error 0x%s (attempt %d)",
                         hit ? "C0020035" : "c0020036", i);
                kbc_event ev = event("MSExchangeIS", 9000, msg);
                ev.level = kbc_str_cstr(i % 2 ? "Information" : "Error");
                assert_string_equal(matched(&ev), hit ? "network-path-code "
                                                        "same-code"
                                                      : "");
        }
}

/* The hot pattern's verdicts through a matcher of its own, for
 * test_bundle_patterns_on_two_threads; the count of wrong ones. */
static void *hot_verdicts(void *arg)
{
        kbc_matcher *m = kbc_matcher_new(arg);
        uintptr_t wrong = !m;
        char msg[128];
        const kbc_signal *hits[8];
        for (int i = 0; m && i < 600; i++) {
                bool hit = i % 3 == 0;
                snprintf(msg, sizeof(msg), "failed with error 0x%s (%d)",
                         hit ? "C0020035" : "c0020036", i);
                kbc_event ev = event("MSExchangeIS", 9000, msg);
                ev.level = kbc_str_cstr("Error");
                wrong += kbc_match(m, &ev, hits, 8) != (hit ? 2u : 0u);
        }
        kbc_matcher_free(m);
        return (void *)wrong;
}

static void copy_file(const char *from, const char *to)
{
        FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
        assert_non_null(in);
        assert_non_null(out);
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
                assert_int_equal(fwrite(buf, 1, n, out), n);
        fclose(in);
        assert_int_equal(fclose(out), 0);
}

/* Rules read from a bundle come without compiled patterns: the matchers
 * of kbcorrd's workers compile each on its first run and give it JIT code
 * once hot, in one cache the rule set holds. Two threads racing on the
 * same pattern from its first run both get every verdict right (and
 * under ASan, neither frees or leaks the other's code). */
static void test_bundle_patterns_on_two_threads(void **state)
{
        (void)state;
        char dir[] = "/tmp/kbc-bundle-XXXXXX", from[512], to[512];
        assert_non_null(mkdtemp(dir));
        DIR *d = opendir(KBC_TEST_DATA "/rules_match");
        assert_non_null(d);
        for (struct dirent *e; (e = readdir(d));) {
                if (e->d_name[0] == '.')
                        continue;
                snprintf(from, sizeof(from), "%s/%s",
                         KBC_TEST_DATA "/rules_match", e->d_name);
                snprintf(to, sizeof(to), "%s/%s", dir, e->d_name);
                copy_file(from, to);
        }
        closedir(d);
        assert_int_equal(kbc_bundle_write(dir, NULL, NULL, NULL), 0);
        const char *path = dir;
        kbc_ruleset *rs = kbc_ruleset_load(&path, 1, NULL, NULL);
        assert_non_null(rs);
        assert_int_equal(kbc_ruleset_bundled(rs), kbc_ruleset_count(rs));

        pthread_t t[2];
        for (int i = 0; i < 2; i++)
                assert_int_equal(pthread_create(&t[i], NULL, hot_verdicts, rs),
                                 0);
        for (int i = 0; i < 2; i++) {
                void *wrong;
                assert_int_equal(pthread_join(t[i], &wrong), 0);
                assert_int_equal((uintptr_t)wrong, 0);
        }
        kbc_ruleset_free(rs);

        d = opendir(dir);
        assert_non_null(d);
        for (struct dirent *e; (e = readdir(d));)
                if (e->d_name[0] != '.') {
                        snprintf(to, sizeof(to), "%s/%s", dir, e->d_name);
                        unlink(to);
                }
        closedir(d);
        rmdir(dir);
}

/* An error code by value: its long form through the prefilter, its short
 * form through the code index, both in one message counted once, and a
 * message past the matcher's normalization buffer (1 MiB) still read. */
static void test_error_code_by_value(void **state)
{
        (void)state;
        static const struct {
                const char *msg, *want;
        } cases[] = {
            {"The operation returned 00000005.", "code-0x00000005"},
            {"The operation failed with error 0x5.", "code-0x00000005"},
            {"Error 0x5, that is 0x00000005.", "code-0x00000005"},
            {"Process ID: 0x5", ""},
            {"error 0x50", ""},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
                kbc_event ev = event("Any Source", 1, cases[i].msg);
                ev.level = kbc_str_cstr("Error");
                assert_string_equal(matched(&ev), cases[i].want);
        }
        static const char tail[] = " returned 00000005 here";
        size_t pad = (1 << 20) + 1;
        char *big = malloc(pad + sizeof(tail));
        assert_non_null(big);
        memset(big, 'z', pad);
        memcpy(big + pad, tail, sizeof(tail));
        kbc_event ev = event("Any Source", 1, big);
        ev.level = kbc_str_cstr("Error");
        assert_string_equal(matched(&ev), "code-0x00000005");
        free(big);
}

/* A pattern whose longest literal is a common word ("application") runs
 * only where its second one is too; a NUL inside the message does not
 * hide the second from that check. */
static void test_second_literal(void **state)
{
        (void)state;
        kbc_event ev = event("Any Source", 1, "The application failed.");
        assert_string_equal(matched(&ev), "");
        ev =
            event("Any Source", 1, "MS-DOS 4.01 could not run the application");
        assert_string_equal(matched(&ev), "two-literals");
        static const char nul[] =
            "At 10:02\0 MS-DOS 4.01 could not run the application";
        ev.message = kbc_str_make(nul, sizeof(nul) - 1);
        assert_string_equal(matched(&ev), "two-literals");
}

static int setup(void **state)
{
        (void)state;
        const char *path = KBC_TEST_DATA "/rules_match";
        rules = kbc_ruleset_load(&path, 1, NULL, NULL);
        matcher = rules ? kbc_matcher_new(rules) : NULL;
        return matcher ? 0 : -1;
}

static int teardown(void **state)
{
        (void)state;
        kbc_matcher_free(matcher);
        kbc_ruleset_free(rules);
        return 0;
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_provider_and_event_id_list),
            cmocka_unit_test(test_provider_names),
            cmocka_unit_test(test_provider_lists_in_the_index),
            cmocka_unit_test(test_event_data_fields),
            cmocka_unit_test(test_message_and_fallback),
            cmocka_unit_test(test_undescribed_message),
            cmocka_unit_test(test_channel_ignores_case),
            cmocka_unit_test(test_hostile_message_is_bounded),
            cmocka_unit_test(test_event_without_id_matches_no_id_signal),
            cmocka_unit_test(test_problem_and_channel_list),
            cmocka_unit_test(test_shared_hot_pattern),
            cmocka_unit_test(test_bundle_patterns_on_two_threads),
            cmocka_unit_test(test_error_code_by_value),
            cmocka_unit_test(test_second_literal),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
